"""The SPANet HDF5 layout: the one module that spells dataset names.

Layout (N events; J = MAX_JETS AK5 jets, B = MAX_BOOSTED AK8 jets, H = number of Higgs targets):

- ``INPUTS/Jets/{MASK, pt, eta, sinphi, cosphi, btag, btag_upart, mass}``  shape (N, J); MASK bool.
- ``INPUTS/BoostedJets/{MASK, pt, eta, sinphi, cosphi, mass, sdmass, tau21, tau32, charged_fraction,
  n_charged}``  shape (N, B).
- ``INPUTS/Event/{kl}``  shape (N,): global inputs.
- ``TARGETS/h{i}/{b1, b2}``  index of the AK5 jet matched to each b quark of Higgs i (-1 if unmatched).
- ``TARGETS/bh{i}/bb``  index of the AK8 jet matched to Higgs i (-1 if unmatched). ``h{i}`` and ``bh{i}``
  are the same Higgs boson; Higgs bosons are ordered by decreasing truth pT.
- ``CLASSIFICATIONS/EVENT/signal``  int64 (N,): 1 for signal, 0 for background.
- ``WEIGHTS/EVENT/event_weight``  float (N,): cross-section weight in pb per event (sum = sigma of the file).
- ``WEIGHTS/EVENT/truth_tag_weight``  float (N,): the event weight with truth-flavour tag-rate probabilities (pb);
  differs from ``event_weight`` only for a background converted with the flavour-inclusive tag-rate model.
- ``WEIGHTS/EVENT/selection_weight``  float (N,): the event's probability to pass the b-tag requirement, P(≥ n
  tags), when that requirement is replaced by tag-rate weights (times the inclusive model's normalisation); 1 where
  it is a cut or absent. Within a signal sample (constant cross-section weights) it is the relative event weight.
- ``WEIGHTS/h{i}/mass_weight``  float (N,): per-target weight of the flat-mass variant (1 elsewhere).
- ``TRUTH/h{i}/{pt, eta, phi, mass}``  truth Higgs kinematics (GeV, rad; NaN where the Higgs does not exist).
- ``TRUTH/EVENT/{n_jets, n_boosted, sample_id, event_number}``  bookkeeping used by the evaluation.

Units: GeV for momenta and masses, rad for angles; ``pt`` and ``mass`` are stored raw (not normalised: the network
computes and applies the normalisation, as the reference SPANet does).
"""

from __future__ import annotations

from typing import Literal

INPUTS = "INPUTS"
TARGETS = "TARGETS"
CLASSIFICATIONS = "CLASSIFICATIONS"
WEIGHTS = "WEIGHTS"
TRUTH = "TRUTH"

JETS = "Jets"
BOOSTED_JETS = "BoostedJets"
EVENT = "Event"
MASK = "MASK"

MAX_JETS = 10
MAX_BOOSTED = 3

JET_FEATURES: tuple[str, ...] = ("pt", "eta", "sinphi", "cosphi", "btag", "btag_upart", "mass")
BOOSTED_FEATURES: tuple[str, ...] = (
    "pt",
    "eta",
    "sinphi",
    "cosphi",
    "mass",
    "sdmass",
    "tau21",
    "tau32",
    "charged_fraction",
    "n_charged",
)
GLOBAL_FEATURES: tuple[str, ...] = ("kl",)
TRUTH_HIGGS_QUANTITIES: tuple[str, ...] = ("pt", "eta", "phi", "mass")
TRUTH_EVENT_QUANTITIES: tuple[str, ...] = ("n_jets", "n_boosted", "sample_id", "event_number")

BTAG_FEATURE_BY_WORKING_POINT = {"CSV": "btag", "UParT": "btag_upart"}

Daughter = Literal["b1", "b2"]


def input_key(source: str, feature: str) -> str:
    """Dataset path of one input feature, e.g. ``INPUTS/Jets/pt``."""
    return f"{INPUTS}/{source}/{feature}"


def mask_key(source: str) -> str:
    """Dataset path of the padding mask of a sequential source."""
    return f"{INPUTS}/{source}/{MASK}"


def resolved_particle(higgs_index: int) -> str:
    """Name of the resolved Higgs particle ``h{i}`` (1-based index)."""
    _check_index(higgs_index)
    return f"h{higgs_index}"


def boosted_particle(higgs_index: int) -> str:
    """Name of the boosted Higgs particle ``bh{i}`` (1-based index)."""
    _check_index(higgs_index)
    return f"bh{higgs_index}"


def resolved_target_key(higgs_index: int, daughter: Daughter) -> str:
    """Dataset path ``TARGETS/h{i}/{b1|b2}`` of the AK5 jet index of one b quark."""
    if daughter not in ("b1", "b2"):
        raise ValueError(f"resolved daughter must be 'b1' or 'b2', got {daughter!r}")
    return f"{TARGETS}/{resolved_particle(higgs_index)}/{daughter}"


def boosted_target_key(higgs_index: int) -> str:
    """Dataset path ``TARGETS/bh{i}/bb`` of the AK8 jet index of Higgs i."""
    return f"{TARGETS}/{boosted_particle(higgs_index)}/bb"


def classification_key() -> str:
    """Dataset path of the signal-vs-background label."""
    return f"{CLASSIFICATIONS}/EVENT/signal"


def event_weight_key() -> str:
    """Dataset path of the per-event cross-section weight (pb)."""
    return f"{WEIGHTS}/EVENT/event_weight"


def truth_tag_weight_key() -> str:
    """Dataset path of the per-event weight with truth-flavour tag-rate probabilities (pb)."""
    return f"{WEIGHTS}/EVENT/truth_tag_weight"


def selection_weight_key() -> str:
    """Dataset of each event's probability to pass the tag requirement (tag-rate weights; 1 where it is a cut)."""
    return f"{WEIGHTS}/EVENT/selection_weight"


def mass_weight_key(higgs_index: int) -> str:
    """Dataset path of the flat-mass per-target weight of Higgs i."""
    return f"{WEIGHTS}/{resolved_particle(higgs_index)}/mass_weight"


def truth_higgs_key(higgs_index: int, quantity: str) -> str:
    """Dataset path ``TRUTH/h{i}/{pt|eta|phi|mass}`` of the truth Higgs kinematics."""
    if quantity not in TRUTH_HIGGS_QUANTITIES:
        raise ValueError(f"truth Higgs quantity must be one of {TRUTH_HIGGS_QUANTITIES}, got {quantity!r}")
    return f"{TRUTH}/{resolved_particle(higgs_index)}/{quantity}"


def truth_event_key(quantity: str) -> str:
    """Dataset path ``TRUTH/EVENT/{quantity}`` of per-event bookkeeping."""
    if quantity not in TRUTH_EVENT_QUANTITIES:
        raise ValueError(f"truth event quantity must be one of {TRUTH_EVENT_QUANTITIES}, got {quantity!r}")
    return f"{TRUTH}/EVENT/{quantity}"


def _check_index(higgs_index: int) -> None:
    if not 1 <= higgs_index <= 3:
        raise ValueError(f"Higgs index must be 1, 2 or 3, got {higgs_index}")


# Root attributes of a converted file (bookkeeping, written by the conversion, read by merge, tables and statistics).
ATTR_SAMPLE_NAMES = "sample_names"  # JSON {sample_id: sample name}
ATTR_N_HIGGS = "n_higgs"
ATTR_MIN_JETS = "min_jets"
ATTR_CONFIG = "conversion_config"  # JSON of ConversionConfig
ATTR_SPLIT = "split"
ATTR_N_GENERATED = "n_generated_events"
ATTR_INPUTS = "input_files"
ATTR_TAG_RATE = "tag_rate_model"  # JSON: null (truth TRF or none) or the inclusive TRF summary
ATTR_ABSENT_INPUTS = "absent_inputs"  # JSON list of input branches the files lacked (filled, see required_branches)

#: The splits of every converted sample.
SPLIT_NAMES: tuple[str, ...] = ("train", "val", "test")
