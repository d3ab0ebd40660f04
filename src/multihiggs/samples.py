"""The sample catalogue: which samples a configuration asks for, their names, sizes, shards and seeds.

Names: ``hh_kl{κλ}`` (κλ written with ``p`` for the decimal point and ``m`` for a minus sign: ``hh_klm5``,
``hh_kl2p45``), ``hhh``, ``{hh|hhh}_m{mass}`` for the flat-mass samples, and ``qcd``.
"""

from __future__ import annotations

import json
import math
import zlib
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np

Process = Literal["hh", "hhh", "qcd"]
_MAX_PYTHIA_SEED = 900_000_000


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

    def __post_init__(self) -> None:
        if self.process not in ("hh", "hhh", "qcd"):
            raise ValueError(f"sample {self.name!r}: process must be 'hh', 'hhh' or 'qcd', got {self.process!r}")
        if self.n_events <= 0 or self.events_per_shard <= 0:
            raise ValueError(f"sample {self.name!r}: n_events and events_per_shard must be positive")

    @property
    def n_shards(self) -> int:
        return math.ceil(self.n_events / self.events_per_shard)

    def shard_size(self, shard: int) -> int:
        """Number of events of shard ``shard`` (the last one takes the remainder)."""
        if not 0 <= shard < self.n_shards:
            raise ValueError(f"sample {self.name!r} has shards 0..{self.n_shards - 1}, got {shard}")
        return min(self.events_per_shard, self.n_events - shard * self.events_per_shard)

    def shard_seed(self, shard: int) -> int:
        """Seed of one shard, derived from the config seed, the sample name and the shard number."""
        sequence = np.random.SeedSequence([self.seed, zlib.crc32(self.name.encode()), shard])
        return int(sequence.generate_state(1)[0] % _MAX_PYTHIA_SEED)

    @property
    def needs_form_factors(self) -> bool:
        """gg -> HH samples need the tabulated one-loop box form factors of their scalar mass."""
        return self.process == "hh"

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

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
    specs.append(
        SampleSpec(
            name="qcd",
            process="qcd",
            n_events=qcd["n_events"],
            pthat_min_gev=float(qcd["pthat_min_gev"]),
            bias_power=float(qcd["bias_power"]),
            **common,
        )
    )
    by_name = {spec.name: spec for spec in specs}
    if len(by_name) != len(specs):
        raise ValueError("two samples share a name: check samples.hh.kappa_lambdas and samples.flat_mass")
    return by_name


#: The two analyses: Higgs slots and which signal process feeds each; QCD is the background of both.
ANALYSIS_N_HIGGS = {"hh": 2, "hhh": 3}


def analysis_samples(specs: dict[str, SampleSpec]) -> dict[str, list[str]]:
    """Samples converted for each analysis ('hh', 'hhh'): its signal samples, then the QCD background."""
    return {
        analysis: [name for name, spec in specs.items() if spec.process == analysis]
        + [name for name, spec in specs.items() if spec.process == "qcd"]
        for analysis in ANALYSIS_N_HIGGS
    }
