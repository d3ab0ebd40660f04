"""Every reconstruction method of the workflow, declared once: the SPA-Net variants and the baselines.

A SPA-Net variant is one :class:`SpanetVariant` entry of :data:`SPANET_VARIANTS`: the signal samples its training set
merges, the dataset it trains on, its inputs (event file, b-tag working point, κλ as an input), its option overrides
of ``config/options/base.json`` (a classification head is ``classification_loss_scale`` > 0) and the baseline it
is compared with. A baseline is one :class:`BaselineMethod` entry of :data:`BASELINES`. The Snakemake rules
(``workflow/rules/common.smk``), the plots and the config check read these tables; the config chooses among their
entries (``spanet.variants``, ``baselines.methods``, ``stats.methods``), checked by :func:`check_config_methods`.

Method names: a SPA-Net variant ``v`` is the method ``spanet_v``; a baseline evaluated with another b-tag working
point than the conversion's carries that working point's suffix (``chi2`` with UParT tags is ``chi2_upart``). The
k-th extra training of a variant from another seed (config ``spanet.training_seeds``) is the replica
``spanet_v_seed<k>`` (k = 1, 2, …): same training set and options, seed ``seed + k``. In the κλ fit
(``stats.methods``) a variant with a classification head selects events with its head; ``spanet_v_dnn`` selects the
same variant's events with a selection DNN on its pairing instead, as the methods without a head do.
This module imports nothing of the package, so every stage can import it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

SPANET_PREFIX = "spanet_"
REPLICA_SEPARATOR = "_seed"
#: Suffix of a κλ-fit method: a SPA-Net variant with a classification head, its events selected by a DNN instead.
DNN_SELECTION_SUFFIX = "_dnn"
#: Suffix of a baseline method evaluated with another b-tag working point (``chi2`` + UParT -> ``chi2_upart``).
BTAG_SUFFIXES: Mapping[str, str] = MappingProxyType({"UParT": "_upart"})
#: What a variant's training set takes as signal: the SM sample of the analysis (HH at κλ = 1, or HHH), the κλ
#: grid of spanet.kl_mixed_values (balanced, κλ drawn for QCD), or the flat-mass samples (mass-flattening weights).
SIGNAL_KINDS = ("sm", "kl_grid", "flat_mass")


@dataclass(frozen=True)
class SpanetVariant:
    """One SPA-Net training variant: what it trains on, what it takes as input, how it is compared."""

    name: str
    label: str  # legend name in figures
    analyses: tuple[str, ...]  # the analyses (hh, hhh) it may be configured for
    signal: str = "sm"  # one of SIGNAL_KINDS
    # train on the merged training set of this variant (same events, other inputs); "": its own
    dataset: str = ""
    event_file: str = "{analysis}"  # config/event_files/<this, analysis filled in>.yaml
    btag: str = ""  # b-tag working point of its inputs ("": conversion.tag_working_point)
    kl_input: bool = False  # κλ is an input: the κλ fit scores every sample at stats.kl_input
    # overrides of config/options/base.json (reference option names), before config spanet.options
    options: Mapping[str, Any] = field(default_factory=dict)
    upgrade_of: str = ""  # the variant it is the b-tag upgrade of (figures draw it in that variant's colour)
    compared_with: str = ""  # a baseline evaluated with the same b-tag working point for comparison

    def __post_init__(self) -> None:
        if self.signal not in SIGNAL_KINDS:
            raise ValueError(f"SPA-Net variant {self.name!r}: signal {self.signal!r} is not one of {SIGNAL_KINDS}")
        if self.btag and self.btag not in BTAG_SUFFIXES:
            raise ValueError(f"SPA-Net variant {self.name!r}: unknown b-tag working point {self.btag!r}")

    @property
    def method(self) -> str:
        """The method name of its predictions and metrics (``spanet_<name>``)."""
        return SPANET_PREFIX + self.name

    @property
    def dataset_variant(self) -> str:
        """The variant whose merged training set it trains on."""
        return self.dataset or self.name

    @property
    def classification_head(self) -> bool:
        """True when it is trained with a signal-vs-background head (a signal score)."""
        return float(self.options.get("classification_loss_scale", 0.0)) > 0.0

    def event_file_name(self, analysis: str) -> str:
        """The stem of its event file in config/event_files/ for ``analysis``."""
        return self.event_file.format(analysis=analysis)

    def comparison_baseline(self) -> str:
        """The baseline method evaluated beside it ("" if none): ``compared_with`` at its b-tag working point."""
        if not self.compared_with:
            return ""
        return method_with_btag(self.compared_with, self.btag) if self.btag else self.compared_with


@dataclass(frozen=True)
class BaselineMethod:
    """One baseline pairing of ``multihiggs.baselines.predict``."""

    name: str
    label: str  # legend name in figures ("": the name)
    analyses: tuple[str, ...]  # the analyses it may be configured for
    uses_bdt: bool = False  # needs the AK8 BDT of its analysis (rule train_fatjet_bdt)
    uses_hh_jets: bool = False  # takes the four jets of baselines.hh_jets


def _table(entries: Sequence[Any]) -> Mapping[str, Any]:
    table = {entry.name: entry for entry in entries}
    if len(table) != len(entries):
        raise ValueError("two entries of a method table share a name")
    return MappingProxyType(table)


#: The SPA-Net variants, in the order the workflow lists them.
SPANET_VARIANTS: Mapping[str, SpanetVariant] = _table(
    [
        SpanetVariant("sm", "SPA-Net (SM)", analyses=("hh", "hhh")),
        SpanetVariant(
            "kl_mixed",
            r"SPA-Net ($\kappa_\lambda$-mixed)",
            analyses=("hh",),
            signal="kl_grid",
            event_file="{analysis}_kl",
            kl_input=True,
            # the head learns the physical QCD background (event weights to the power 0.5: config/options/README.md)
            options={"classification_loss_scale": 1.0, "background_weight_power": 0.5},
        ),
        SpanetVariant(
            "flat_mass",
            "SPA-Net (flat mass)",
            analyses=("hh", "hhh"),
            signal="flat_mass",
            options={"use_mass_weights": True},
        ),
        SpanetVariant(
            "btag_upgrade",
            "SPA-Net (UParT)",
            analyses=("hh", "hhh"),
            dataset="sm",
            event_file="{analysis}_btag_upgrade",
            btag="UParT",
            upgrade_of="sm",
            compared_with="chi2",
        ),
        SpanetVariant(
            "resolved",
            "SPA-Net (resolved)",
            analyses=("hh", "hhh"),
            dataset="sm",
            event_file="{analysis}_resolved",
        ),
    ]
)

#: The baselines, in the order the workflow lists them.
BASELINES: Mapping[str, BaselineMethod] = _table(
    [
        BaselineMethod("chi2", r"$\chi^2$", analyses=("hh", "hhh")),
        BaselineMethod("chi2_leading_pt", "", analyses=("hh", "hhh")),
        BaselineMethod("chi2_all", r"$\chi^2$ (all jets)", analyses=("hh", "hhh")),
        BaselineMethod("mass_agnostic", "Mass-agnostic", analyses=("hh",), uses_hh_jets=True),
        BaselineMethod("min_delta_r", r"min-$\Delta R$", analyses=("hh",), uses_hh_jets=True),
        BaselineMethod("chi2_bdt", r"$\chi^2$ + BDT", analyses=("hh", "hhh"), uses_bdt=True),
    ]
)


def method_with_btag(baseline: str, working_point: str) -> str:
    """The name of ``baseline`` evaluated with the b tags of ``working_point`` (``chi2``, UParT -> ``chi2_upart``)."""
    return baseline + BTAG_SUFFIXES[working_point]


def split_btag(method: str) -> tuple[str, str]:
    """(method without its b-tag suffix, the suffix's working point or "") of a method name."""
    for working_point, suffix in BTAG_SUFFIXES.items():
        if method.endswith(suffix):
            return method.removesuffix(suffix), working_point
    return method, ""


def replica_name(name: str, replica: int) -> str:
    """The ``replica``-th seed replica of a variant or method name (``replica`` 0: the name itself)."""
    if replica < 0:
        raise ValueError(f"a seed replica index is >= 0, got {replica}")
    return f"{name}{REPLICA_SEPARATOR}{replica}" if replica else name


def split_replica(name: str) -> tuple[str, int]:
    """(variant or method name, replica index) of a possibly replicated name (``spanet_sm_seed2`` -> spanet_sm, 2)."""
    base, separator, index = name.rpartition(REPLICA_SEPARATOR)
    if separator and base and index.isdigit() and int(index) > 0 and str(int(index)) == index:
        return base, int(index)
    return name, 0


def spanet_variant(method: str) -> SpanetVariant | None:
    """The variant of a ``spanet_*`` method name (or of its seed replica), or None for any other method."""
    if not method.startswith(SPANET_PREFIX):
        return None
    return SPANET_VARIANTS.get(split_replica(method)[0].removeprefix(SPANET_PREFIX))


def method_btag(method: str, default: str) -> str:
    """The b-tag working point of a method's inputs: its variant's or its suffix's, else ``default``."""
    variant = spanet_variant(method)
    if variant is not None:
        return variant.btag or default
    return split_btag(method)[1] or default


def method_family(method: str) -> str:
    """The method a b-tag-upgrade method derives from (``spanet_btag_upgrade`` -> ``spanet_sm``, ``x_upart`` -> x)."""
    variant = spanet_variant(method)
    if variant is not None:
        return SPANET_VARIANTS[variant.upgrade_of].method if variant.upgrade_of else method
    return split_btag(method)[0]


def method_label(method: str) -> str:
    """Legend name of a method ("" when the table has none): its variant's or its baseline's label (a κλ-fit method
    ``spanet_v_dnn``: the variant's, "+ DNN")."""
    base, forced_dnn = split_stats_selection(method)
    if forced_dnn:
        return f"{method_label(base)} + DNN"
    variant = spanet_variant(method)
    if variant is not None:
        return variant.label
    baseline = BASELINES.get(method)
    return baseline.label if baseline is not None else ""


def split_stats_selection(stats_method: str) -> tuple[str, bool]:
    """(method, selected by a DNN although it has a classification head) of a ``stats.methods`` entry.

    ``spanet_kl_mixed_dnn`` -> (spanet_kl_mixed, True); any other name -> (the name, False).
    """
    base = stats_method.removesuffix(DNN_SELECTION_SUFFIX)
    variant = spanet_variant(base) if base != stats_method else None
    if variant is not None and variant.classification_head:
        return base, True
    return stats_method, False


def stats_fit_selection(stats_method: str) -> tuple[str, bool]:
    """(method whose pairing is fitted, True when a selection DNN selects its events) of a ``stats.methods`` entry:
    the DNN for methods without a classification head (a seed replica has its variant's) and for ``spanet_v_dnn``."""
    method, forced_dnn = split_stats_selection(stats_method)
    variant = spanet_variant(method)
    return method, forced_dnn or variant is None or not variant.classification_head


def stats_replica_name(stats_method: str, replica: int) -> str:
    """The κλ-fit method of the ``replica``-th seed replica of ``stats_method``'s network (``spanet_sm`` ->
    ``spanet_sm_seed1``, ``spanet_kl_mixed_dnn`` -> ``spanet_kl_mixed_seed1_dnn``)."""
    method, forced_dnn = split_stats_selection(stats_method)
    return replica_name(method, replica) + (DNN_SELECTION_SUFFIX if forced_dnn else "")


def merge_arguments(variant: SpanetVariant, kl_values: Sequence[float]) -> list[str]:
    """Arguments of ``multihiggs.convert.merge`` that build the training set of ``variant``'s signal kind."""
    if variant.signal == "kl_grid":
        return ["--balance", "--kl-random-from", *(str(kappa) for kappa in kl_values)]
    if variant.signal == "flat_mass":
        return ["--flatten-mass"]
    return []


def check_config_methods(config: Mapping[str, Any]) -> None:
    """Raise ValueError naming the config key when it chooses a variant, baseline or stats method not declared here."""
    for analysis, names in config["spanet"]["variants"].items():
        _check_names(f"spanet.variants.{analysis}", names, SPANET_VARIANTS, analysis)
    for analysis, names in config["baselines"]["methods"].items():
        _check_names(f"baselines.methods.{analysis}", names, BASELINES, analysis)
    datasets = sorted({variant.dataset_variant for variant in SPANET_VARIANTS.values()})
    unknown = sorted(set(config["spanet"].get("background_per_signal", {})) - set(datasets))
    if unknown:
        raise ValueError(f"config key spanet.background_per_signal: {unknown} are not training sets ({datasets})")
    seeds = config["spanet"].get("training_seeds", {})
    configured = {name for names in config["spanet"]["variants"].values() for name in names}
    unknown = sorted(set(seeds) - configured)
    if unknown:
        raise ValueError(f"config key spanet.training_seeds: {unknown} are not variants of spanet.variants")
    known = [variant.method for variant in SPANET_VARIANTS.values()] + list(BASELINES)
    with_dnn = [variant.method + DNN_SELECTION_SUFFIX for variant in SPANET_VARIANTS.values()
                if variant.classification_head]  # fmt: skip
    unknown = [method for method in config["stats"]["methods"] if method not in known + with_dnn]
    if unknown:
        raise ValueError(f"config key stats.methods: unknown method(s) {unknown} (known: {known + with_dnn})")


def _check_names(key: str, names: Sequence[str], table: Mapping[str, Any], analysis: str) -> None:
    unknown = [name for name in names if name not in table]
    if unknown:
        raise ValueError(f"config key {key}: unknown name(s) {unknown} (known: {list(table)})")
    wrong = [name for name in names if analysis not in table[name].analyses]
    if wrong:
        raise ValueError(f"config key {key}: {wrong} cannot be used for the {analysis} analysis")
