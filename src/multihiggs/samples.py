"""The sample catalogue: which samples a configuration asks for, their names, sizes, shards and seeds.

Names: ``hh_kl{κλ}`` (κλ written with ``p`` for the decimal point and ``m`` for a minus sign: ``hh_klm5``,
``hh_kl2p45``), ``hhh``, ``{hh|hhh}_m{mass}`` for the flat-mass samples, and ``qcd``; with
``samples.qcd.closure_n_events`` > 0 also ``qcd_inclusive``, an inclusive QCD sample that only the stitching closure
test reads, and with ``samples.hh.closure_n_events`` > 0 ``hh_closure``, an independent SM HH sample that only the
closure test of the signal tag-rate weights reads (no analysis uses either).

The QCD sample can be split by its hard process (``samples.qcd.b_hard_fraction``): the last shards keep only events
with a b quark among the hard process' incoming or outgoing partons ("b_hard"), the others only events without
("light"); each class is normalised to its own cross section, so the two add up to the inclusive one with no event
counted twice. ``samples.qcd.g_to_bb_enhancement`` multiplies Pythia's g → bb̄ final-state splittings with
compensating weights. ``samples.qcd.parton_jet_thinning`` thins the events without four parton jets in the middle of
the parton level, at compensating weights (:class:`PartonJetThinning`, :mod:`multihiggs.generate.parton_jet_thinning`).
"""

from __future__ import annotations

import json
import math
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

Process = Literal["hh", "hhh", "qcd"]
#: Hard-process class of a QCD shard: all events, or only those without / with a b quark in the hard process.
HardProcessClass = Literal["inclusive", "light", "b_hard"]
_MAX_PYTHIA_SEED = 900_000_000
#: The inclusive QCD sample of the stitching closure test (config ``samples.qcd.closure_n_events``): validation only.
QCD_CLOSURE_SAMPLE = "qcd_inclusive"
#: Samples that are simulated for a validation output only and enter no analysis (conversion, training, statistics).
#: The independent SM HH sample of the signal tag-rate closure (config ``samples.hh.closure_n_events``; converted
#: with the b-tag cut): validation only.
HH_CLOSURE_SAMPLE = "hh_closure"
VALIDATION_ONLY_SAMPLES = frozenset({QCD_CLOSURE_SAMPLE, HH_CLOSURE_SAMPLE})
#: Spec keys added after the first release, with the value that reproduces the earlier samples: ``to_json`` leaves
#: them out at that value, so the spec (a parameter of the workflow's shard jobs) of those samples is unchanged.
_OMITTED_AT_DEFAULT = {"g_to_bb_enhancement": 1.0, "b_hard_fraction": 0.0, "parton_jet_thinning": None}


def format_number(value: float) -> str:
    """A number as a wildcard-safe token: 2.45 -> '2p45', -5 -> 'm5', 1.0 -> '1'."""
    text = f"{value:g}"
    return text.replace("-", "m").replace(".", "p")


def hh_sample_name(kappa_lambda: float) -> str:
    """Name of the gg -> HH sample at trilinear coupling modifier ``kappa_lambda``."""
    return f"hh_kl{format_number(kappa_lambda)}"


def flat_mass_sample_name(process: str, mass_gev: float) -> str:
    """Name of a flat-mass sample: ``process`` ('hh' or 'hhh') with scalar mass ``mass_gev``."""
    return f"{process}_m{format_number(mass_gev)}"


@dataclass(frozen=True)
class PartonJetThinning:
    """The early thinning of QCD events (:mod:`multihiggs.generate.parton_jet_thinning`): which events count as
    candidates (momenta in GeV) and how the others are thinned.

    ``requirements``: pairs (n, pT): at least n parton jets above pT GeV, within |η| < ``jet_abs_eta_max``; an event
    meeting any of them is a candidate. The defaults serve the four-jet HH and the six-jet HHH selections."""

    keep_probability: float = 0.1
    requirements: tuple[tuple[int, float], ...] = ((4, 35.0), (6, 20.0))
    jet_abs_eta_max: float = 2.7
    jet_radius: float = 0.5
    veto_scale_gev: float = 10.0

    def __post_init__(self) -> None:
        requirements = tuple((int(n), float(pt)) for n, pt in self.requirements)
        object.__setattr__(self, "requirements", requirements)
        checks = {
            "keep_probability": 0.0 < self.keep_probability <= 1.0,
            "requirements": len(requirements) > 0 and all(n >= 1 and pt >= 0.0 for n, pt in requirements),
            "jet_abs_eta_max": self.jet_abs_eta_max > 0.0,
            "jet_radius": 0.0 < self.jet_radius < math.pi,
            "veto_scale_gev": self.veto_scale_gev > 0.0,
        }
        for key, valid in checks.items():
            if not valid:
                raise ValueError(
                    f"config key samples.qcd.parton_jet_thinning.{key} is out of range: {getattr(self, key)!r} "
                    "(keep_probability in (0, 1], requirements a non-empty list of [n >= 1, pT >= 0], scales > 0, "
                    "radius in (0, pi))"
                )

    @property
    def lowest_pt_gev(self) -> float:
        """The lowest jet pT of the requirements: the parton jets worth clustering (GeV)."""
        return min(pt for _, pt in self.requirements)

    @property
    def max_jets(self) -> int:
        """The largest jet count of the requirements."""
        return max(n for n, _ in self.requirements)

    def is_candidate(self, jet_pts_gev: np.ndarray) -> bool:
        """Whether parton jets of these pTs (GeV, within the η acceptance) meet any requirement."""
        jet_pts_gev = np.asarray(jet_pts_gev, dtype=np.float64)
        return any(int(np.count_nonzero(jet_pts_gev > pt)) >= n for n, pt in self.requirements)

    @classmethod
    def from_config(cls, section: dict[str, Any]) -> PartonJetThinning:
        """From the config section ``samples.qcd.parton_jet_thinning`` (missing keys take the defaults above)."""
        unknown = set(section) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"config section samples.qcd.parton_jet_thinning has unknown keys {sorted(unknown)}")
        values = dict(section)
        if "requirements" in values:
            try:
                values["requirements"] = tuple((n, pt) for n, pt in values["requirements"])
            except (TypeError, ValueError) as error:
                raise ValueError(
                    "config key samples.qcd.parton_jet_thinning.requirements must be a list of [n_jets, pt_min_gev] "
                    f"pairs, got {section['requirements']!r}"
                ) from error
        return cls(**values)

    def to_config(self) -> dict[str, Any]:
        """The config section (JSON types: the requirements as lists)."""
        values = asdict(self)
        values["requirements"] = [list(requirement) for requirement in self.requirements]
        return values


@dataclass(frozen=True)
class SampleSpec:
    """Everything needed to simulate one sample (all shards). Masses and energies in GeV."""

    name: str
    process: Process
    n_events: int
    events_per_shard: int
    seed: int
    sqrt_s_gev: float
    higgs_mass_gev: float = 125.0
    top_mass_gev: float = 173.0
    kappa_lambda: float = 1.0
    kappa_t: float = 1.0
    kappa_3: float = 1.0
    kappa_4: float = 1.0
    hhh_damping_power: int = 3
    pthat_min_gev: float = 100.0
    bias_power: float = 4.0
    batch_size: int = 500
    multiparton_interactions: bool = True
    hadronisation: bool = True
    detector: dict[str, Any] = field(default_factory=dict)
    #: QCD only: factor of Pythia's FSR g → bb̄ splitting probability, compensated by event weights (1: off).
    g_to_bb_enhancement: float = 1.0
    #: QCD only: fraction of the shards that hold the b-hard class (0: one inclusive sample, no split).
    b_hard_fraction: float = 0.0
    #: QCD only: the early thinning of events without four parton jets (the fields of :class:`PartonJetThinning`;
    #: None: off).
    parton_jet_thinning: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        if self.process not in ("hh", "hhh", "qcd"):
            raise ValueError(f"sample {self.name!r}: process must be 'hh', 'hhh' or 'qcd', got {self.process!r}")
        if self.n_events <= 0 or self.events_per_shard <= 0:
            raise ValueError(f"sample {self.name!r}: n_events and events_per_shard must be positive")
        self._check_qcd_options()

    def _check_qcd_options(self) -> None:
        enhancement, fraction = self.g_to_bb_enhancement, self.b_hard_fraction
        if not (math.isfinite(enhancement) and enhancement >= 1.0):
            raise ValueError(
                f"sample {self.name!r}: config key samples.qcd.g_to_bb_enhancement must be a finite number >= 1 "
                f"(1 = off), got {enhancement}"
            )
        if not 0.0 <= fraction < 1.0:
            raise ValueError(
                f"sample {self.name!r}: config key samples.qcd.b_hard_fraction must be in [0, 1) "
                f"(0 = inclusive sample), got {fraction}"
            )
        if self.process != "qcd" and (enhancement != 1.0 or fraction != 0.0):
            raise ValueError(
                f"sample {self.name!r}: g_to_bb_enhancement and b_hard_fraction (config keys samples.qcd.*) "
                f"apply to QCD samples only, got {enhancement} and {fraction} for process {self.process!r}"
            )
        if self.parton_jet_thinning is not None:
            if self.process != "qcd":
                raise ValueError(
                    f"sample {self.name!r}: parton_jet_thinning (config key samples.qcd.parton_jet_thinning) applies "
                    f"to QCD samples only, not to process {self.process!r}"
                )
            PartonJetThinning.from_config(self.parton_jet_thinning)
        if fraction > 0 and self.n_shards < 2:
            raise ValueError(
                f"sample {self.name!r}: config key samples.qcd.b_hard_fraction = {fraction} splits the sample into "
                f"a light and a b-hard class of at least one shard each, but it has {self.n_shards} shard "
                f"(samples.qcd.n_events = {self.n_events}, generation.events_per_shard = {self.events_per_shard}): "
                "give it at least two shards or set the fraction to 0"
            )

    @property
    def n_shards(self) -> int:
        return math.ceil(self.n_events / self.events_per_shard)

    def shard_size(self, shard: int) -> int:
        """Number of events of shard ``shard`` (the last one takes the remainder)."""
        if not 0 <= shard < self.n_shards:
            raise ValueError(f"sample {self.name!r} has shards 0..{self.n_shards - 1}, got {shard}")
        return min(self.events_per_shard, self.n_events - shard * self.events_per_shard)

    @property
    def n_b_hard_shards(self) -> int:
        """Shards of the b-hard class: n_shards × b_hard_fraction rounded half up, at least 1 and at most
        n_shards − 1 when the fraction is positive (each class gets a shard), 0 without a split."""
        if self.b_hard_fraction == 0:
            return 0
        return min(max(math.floor(self.n_shards * self.b_hard_fraction + 0.5), 1), self.n_shards - 1)

    def hard_process_class(self, shard: int) -> HardProcessClass:
        """Class of shard ``shard``: 'inclusive' without a split, else 'b_hard' for the last
        :attr:`n_b_hard_shards` shards and 'light' for the others."""
        self.shard_size(shard)  # checks the shard number
        if self.n_b_hard_shards == 0:
            return "inclusive"
        return "b_hard" if shard >= self.n_shards - self.n_b_hard_shards else "light"

    def class_events(self, hard_class: HardProcessClass) -> int:
        """Requested events of all shards of class ``hard_class`` (the N that normalises each of its shards)."""
        return sum(self.shard_size(k) for k in range(self.n_shards) if self.hard_process_class(k) == hard_class)

    def shard_seed(self, shard: int) -> int:
        """Seed of one shard, derived from the config seed, the sample name and the shard number."""
        sequence = np.random.SeedSequence([self.seed, zlib.crc32(self.name.encode()), shard])
        return int(sequence.generate_state(1)[0] % _MAX_PYTHIA_SEED)

    @property
    def needs_form_factors(self) -> bool:
        """gg -> HH samples need the tabulated one-loop box form factors of their scalar mass."""
        return self.process == "hh"

    def to_json(self) -> str:
        values = asdict(self)
        for key, default in _OMITTED_AT_DEFAULT.items():
            if values[key] == default:
                del values[key]
        return json.dumps(values, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> SampleSpec:
        try:
            values = json.loads(text)
        except json.JSONDecodeError as error:
            raise ValueError(f"sample spec is not valid JSON: {error}") from error
        unknown = set(values) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"sample spec has unknown keys {sorted(unknown)}")
        return cls(**values)


def _closure_events(section: dict[str, Any], name: str) -> int:
    """``samples.<name>.closure_n_events`` (0 when absent): the size of that closure test's reference sample."""
    n_events = int(section.get("closure_n_events", 0))
    if n_events < 0:
        raise ValueError(f"config key samples.{name}.closure_n_events must be >= 0 (0: no closure), got {n_events}")
    return n_events


def _parton_jet_thinning(section: dict[str, Any]) -> dict[str, Any] | None:
    """``samples.qcd.parton_jet_thinning`` with every field (the defaults filled in), or None when absent."""
    thinning = section.get("parton_jet_thinning")
    return None if thinning is None else PartonJetThinning.from_config(thinning).to_config()


def sample_specs(config: dict[str, Any]) -> dict[str, SampleSpec]:
    """All samples a (validated) workflow configuration asks for, by name."""
    generation = config["generation"]
    physics = config["physics"]
    common = {
        "events_per_shard": generation["events_per_shard"],
        "seed": config["seed"],
        "sqrt_s_gev": float(config["collider"]["sqrt_s_gev"]),
        "top_mass_gev": float(physics["top_mass_gev"]),
        "batch_size": generation["batch_size"],
        "multiparton_interactions": generation["multiparton_interactions"],
        "hadronisation": generation["hadronisation"],
        "detector": config["detector"],
    }
    samples = config["samples"]
    specs: list[SampleSpec] = []
    hh = samples["hh"]
    for kappa_lambda in hh["kappa_lambdas"]:
        n_events = hh["n_events_sm"] if kappa_lambda == 1 and "n_events_sm" in hh else hh["n_events"]
        specs.append(
            SampleSpec(
                name=hh_sample_name(kappa_lambda),
                process="hh",
                n_events=n_events,
                higgs_mass_gev=float(physics["higgs_mass_gev"]),
                kappa_lambda=float(kappa_lambda),
                **common,
            )
        )
    hh_closure_n_events = _closure_events(hh, "hh")
    if hh_closure_n_events > 0:
        specs.append(SampleSpec(name=HH_CLOSURE_SAMPLE, process="hh", n_events=hh_closure_n_events,
                                higgs_mass_gev=float(physics["higgs_mass_gev"]), **common))  # fmt: skip
    hhh = samples["hhh"]
    hhh_couplings = {
        "kappa_3": float(hhh["kappa_3"]),
        "kappa_4": float(hhh["kappa_4"]),
        "hhh_damping_power": int(hhh["damping_power"]),
    }
    specs.append(
        SampleSpec(
            name="hhh",
            process="hhh",
            n_events=hhh["n_events"],
            higgs_mass_gev=float(physics["higgs_mass_gev"]),
            **hhh_couplings,
            **common,
        )
    )
    flat = samples["flat_mass"]
    for process in flat["processes"]:
        for mass in flat["masses_gev"]:
            specs.append(
                SampleSpec(
                    name=flat_mass_sample_name(process, mass),
                    process=process,
                    n_events=flat["n_events"],
                    higgs_mass_gev=float(mass),
                    **(hhh_couplings if process == "hhh" else {}),
                    **common,
                )
            )
    qcd = samples["qcd"]
    qcd_common = {"pthat_min_gev": float(qcd["pthat_min_gev"]), "bias_power": float(qcd["bias_power"]), **common}
    specs.append(
        SampleSpec(
            name="qcd",
            process="qcd",
            n_events=qcd["n_events"],
            g_to_bb_enhancement=float(qcd.get("g_to_bb_enhancement", 1.0)),
            b_hard_fraction=float(qcd.get("b_hard_fraction", 0.0)),
            parton_jet_thinning=_parton_jet_thinning(qcd),
            **qcd_common,
        )
    )
    closure_n_events = _closure_events(qcd, "qcd")
    if closure_n_events > 0:
        # The reference of the stitching closure test: the inclusive sample (no split, no enhancement, no thinning).
        specs.append(SampleSpec(name=QCD_CLOSURE_SAMPLE, process="qcd", n_events=closure_n_events, **qcd_common))
    by_name = {spec.name: spec for spec in specs}
    if len(by_name) != len(specs):
        raise ValueError("two samples share a name: check samples.hh.kappa_lambdas and samples.flat_mass")
    return by_name


#: The two analyses: Higgs slots and which signal process feeds each; QCD is the background of both.
ANALYSIS_N_HIGGS = {"hh": 2, "hhh": 3}


def analysis_samples(specs: dict[str, SampleSpec]) -> dict[str, list[str]]:
    """Samples converted for each analysis ('hh', 'hhh'): its signal samples, then the QCD background (validation-only
    samples such as ``qcd_inclusive`` enter no analysis)."""
    used = {name: spec for name, spec in specs.items() if name not in VALIDATION_ONLY_SAMPLES}
    return {
        analysis: [name for name, spec in used.items() if spec.process == analysis]
        + [name for name, spec in used.items() if spec.process == "qcd"]
        for analysis in ANALYSIS_N_HIGGS
    }
