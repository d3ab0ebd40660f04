"""Training options: one dataclass with the reference SPANet option names, JSON load/save and validation.

Option files are interchangeable with the reference implementation (`pip install spanet`): every option the
reference defines is accepted here, and the reference ignores our few extra keys (listed in
:data:`EXTENSION_OPTIONS`). Options in :data:`COMPATIBILITY_ONLY_OPTIONS` select reference internals that this
implementation does not have (e.g. its masking mode); they are accepted and stored but change nothing. Options in
:data:`ABLATION_OPTIONS` switch our choices to the reference's for ablation benchmarks only.
``transformer_type`` is honoured: Gated/GTrXL builds gated residual connections, NormFirst/Standard plain ones.
``linear_block_type`` is honoured in the branch and daughter MLP stacks: GRU builds GRU-gated expansion blocks,
Resnet, Basic and Gated our pre-norm residual block.
An unknown key, a wrong type or a value out of range is an error naming the key.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import torch


class OptionsError(ValueError):
    """An option key or value that is not valid."""


@dataclass(frozen=True)
class SpanetOptions:
    """All training options; defaults are the HHH SPA-Net hyperparameters (li2023hhh) unless noted."""

    # --- architecture -------------------------------------------------------------------------------------
    hidden_dim: int = 64  # width of every embedding / transformer token
    transformer_dim: int = 32  # width of the symmetric-attention projections (deprecated in the reference)
    transformer_dim_scale: float = 2.0  # transformer feed-forward width = scale * hidden_dim
    initial_embedding_dim: int = 16  # first embedding layer width; widths then double up to hidden_dim
    position_embedding_dim: int = 16
    num_embedding_layers: int = 10  # cap on the number of doubling embedding layers
    num_encoder_layers: int = 4  # central transformer
    num_branch_embedding_layers: int = 3  # per-particle residual MLP blocks before the branch transformer
    num_branch_encoder_layers: int = 3  # per-particle transformer layers
    num_jet_embedding_layers: int = 0  # per-daughter residual blocks before the tensor attention
    num_jet_encoder_layers: int = 2  # per-daughter transformer layers before the tensor attention
    num_detector_layers: int = 2  # hidden layers of each detection head
    num_regression_layers: int = 3
    num_classification_layers: int = 3  # hidden layers of each classification head
    split_symmetric_attention: bool = True
    num_attention_heads: int = 4
    transformer_activation: str = "gelu"
    skip_connections: bool = True  # residual connections in the branch MLP blocks
    initial_embedding_skip_connections: bool = True  # residual connections in equal-width embedding layers
    # "GRU": GRU-gated expansion blocks in the branch/daughter MLP stacks; "Resnet", "Basic" (the reference's
    # default) or "Gated": our pre-norm residual block
    linear_block_type: str = "Basic"
    # "Gated" (or "GTrXL"): gated residual connections in every transformer layer; "NormFirst" or "Standard" (the
    # reference's default): plain residuals (ours is pre-norm in both; the reference's "Standard" is post-norm)
    transformer_type: str = "Standard"
    linear_activation: str = "gelu"
    normalization: str = "LayerNorm"
    masking: str = "Filling"
    linear_prelu_activation: bool = True
    # --- dataset ------------------------------------------------------------------------------------------
    event_info_file: str = ""
    training_file: str = ""
    validation_file: str = ""  # empty: split the training file with train_validation_split
    testing_file: str = ""
    normalize_features: bool = True
    limit_to_num_jets: int = 0  # keep only the first N vectors of every sequential input (0: all)
    balance_particles: bool = True  # weight events by the inverse prevalence of their reconstructable set
    balance_jets: bool = False  # weight events by the inverse prevalence of their jet multiplicity
    balance_classifications: bool = False  # weight classification targets by inverse class prevalence
    partial_events: bool = True  # train on events where only some particles are reconstructable
    dataset_limit: float = 1.0  # use the first fraction of the training file
    dataset_randomization: int = 0  # non-zero: seed of a shuffle before dataset_limit / the split
    train_validation_split: float = 0.95
    batch_size: int = 4096
    num_dataloader_workers: int = 4
    # --- training -----------------------------------------------------------------------------------------
    mask_sequence_vectors: bool = True
    combine_pair_loss: str = "min"  # combine the event permutations: min, softmin or mean
    optimizer: str = "AdamW"  # any torch.optim class name
    learning_rate: float = 0.0015
    focal_gamma: float = 0.0
    combinatorial_scale: float = 0.0
    learning_rate_warmup_epochs: float = 1.0
    learning_rate_cycles: int = 1  # cosine cycles with hard restarts; 0: linear decay
    assignment_loss_scale: float = 1.0
    detection_loss_scale: float = 1.0  # 0 in li2023hhh; the boosted+resolved post-processing needs detection
    kl_loss_scale: float = 0.0
    regression_loss_scale: float = 0.0
    classification_loss_scale: float = 0.0
    balance_losses: bool = True
    l2_penalty: float = 0.0002
    gradient_clip: float = 0.0
    dropout: float = 0.2
    epochs: int = 250
    num_gpu: int = 0  # 0: CPU; >= 1: CUDA when available
    # --- miscellaneous ------------------------------------------------------------------------------------
    verbose_output: bool = False
    usable_gpus: str = ""
    trial_time: str = ""
    trial_output_dir: str = "./test_output"
    # --- multihiggs extensions ----------------------------------------------------------------------------
    seed: int = 0
    early_stopping_patience: int = 20  # epochs without a better checkpoint_metric before stopping (0: never)
    # what model.pt keeps: the epoch of the best validation assignment "purity" (the reference monitors its
    # validation accuracy) or of the lowest validation "loss"
    checkpoint_metric: str = "purity"
    use_event_weights: bool = False  # multiply every loss term by WEIGHTS/EVENT/event_weight (mean 1)
    use_mass_weights: bool = False  # multiply assignment terms by WEIGHTS/h{i}/mass_weight (flat-mass variant)
    # weight signal events by WEIGHTS/EVENT/selection_weight, their probability to pass the tag requirement (1 for
    # cut-based files): a sample converted with tag-rate weights trains on the population the cut selects
    use_selection_weights: bool = True
    # weight background events by WEIGHTS/EVENT/event_weight ** power (mean 1 over the background): 0 counts each
    # generated event once, 1 trains on the physical background the selection keeps
    background_weight_power: float = 0.0
    overlap_delta_r: float = 0.5  # post-processing: drop a resolved Higgs with a jet this close to a boosted one
    pairwise_attention_features: bool = False  # add a learned score of each jet pair's mass and separation
    resolved_higgs_count: str = "fill"  # post-processing: "fill" the free Higgs slots, or N_hat from "detection"
    # --- ablation options (ABLATION_OPTIONS): the reference's choices, for benchmarks/spanet_architecture_ablation.py
    # only; off in production (no config or variant sets them, tests/spanet/test_spanet_options.py)
    # the reference's tensor attention: daughters projected to hidden_dim (transformer_dim unused), Xavier init,
    # tuple scores divided by hidden_dim^(k/2)
    reference_tensor_attention: bool = False
    # the reference's loss normalisation: each particle's terms divided by its target count in the batch
    reference_loss_normalisation: bool = False
    # the reference's transformer dropout (PyTorch's encoder layer): `dropout` also on the attention weights and on
    # the feed-forward hidden activations, not only on the two residual updates
    reference_transformer_dropout: bool = False
    # the reference's embedding dropout: `dropout` on the output of every input-embedding layer
    reference_embedding_dropout: bool = False

    def __post_init__(self) -> None:
        _validate(self)

    @property
    def gated_transformer(self) -> bool:
        """True when ``transformer_type`` asks for the gated transformer (GRU-type gated residuals)."""
        return _normalised_name(self.transformer_type) in GATED_TRANSFORMER_TYPES

    @property
    def linear_block_kind(self) -> str:
        """Kind of MLP block: ``gru`` when ``linear_block_type`` asks for GRU-gated blocks, else ``residual``."""
        return "gru" if _normalised_name(self.linear_block_type) == "gru" else "residual"

    @classmethod
    def from_dict(cls, values: Mapping[str, Any]) -> SpanetOptions:
        """Options from a mapping of reference option names (an unknown key is an error)."""
        return cls().updated(values)

    @classmethod
    def load(cls, path: str | Path) -> SpanetOptions:
        """Read an options JSON file."""
        path = Path(path)
        try:
            values = json.loads(path.read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise OptionsError(f"cannot read options file {path}: {error}") from error
        if not isinstance(values, dict):
            raise OptionsError(f"options file {path} must hold a JSON object")
        try:
            return cls.from_dict(values)
        except OptionsError as error:
            raise OptionsError(f"{path}: {error}") from error

    def updated(self, overrides: Mapping[str, Any]) -> SpanetOptions:
        """A copy with ``overrides`` applied (values coerced to each option's type and validated)."""
        types = _option_types()
        unknown = sorted(set(overrides) - set(types))
        if unknown:
            raise OptionsError(f"unknown option(s) {unknown}")
        coerced = {key: _coerce(key, value, types[key]) for key, value in overrides.items()}
        return dataclasses.replace(self, **coerced)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def save(self, path: str | Path) -> None:
        """Write the options as JSON (sorted keys, like the reference)."""
        Path(path).write_text(json.dumps(self.to_dict(), indent=4, sort_keys=True) + "\n")


COMPATIBILITY_ONLY_OPTIONS = frozenset(
    {
        "position_embedding_dim",
        "num_regression_layers",
        "split_symmetric_attention",
        "linear_activation",
        "normalization",
        "masking",
        "linear_prelu_activation",
        "mask_sequence_vectors",
        "balance_losses",
        "num_dataloader_workers",
        "verbose_output",
        "usable_gpus",
        "trial_time",
        "trial_output_dir",
    }
)
GATED_TRANSFORMER_TYPES = frozenset({"gated", "gtrxl"})
PLAIN_TRANSFORMER_TYPES = frozenset({"standard", "normfirst"})
LINEAR_BLOCK_TYPES = frozenset({"gru", "resnet", "basic", "gated"})


def _normalised_name(name: str) -> str:
    """The reference's spelling rule: case, underscores and spaces do not matter."""
    return name.lower().replace("_", "").replace(" ", "")


EXTENSION_OPTIONS = frozenset(
    {
        "seed",
        "early_stopping_patience",
        "checkpoint_metric",
        "use_event_weights",
        "use_mass_weights",
        "use_selection_weights",
        "background_weight_power",
        "overlap_delta_r",
        "pairwise_attention_features",
        "resolved_higgs_count",
    }
)
#: Ablation options: each switches one of our model or loss choices to the reference SPANet's, so that
#: benchmarks/spanet_architecture_ablation.py can measure what each choice is worth (config/options/README.md has the
#: runs). They are not part of the production model: false in config/options/base.json, in every variant
#: (multihiggs.methods) and in the workflow configs. Only the network builder (``SpanetNetwork``: tensor attention,
#: transformer and embedding dropout) and the trainer (loss normalisation) read them; the layers take plain arguments.
ABLATION_OPTIONS = frozenset(
    {
        "reference_tensor_attention",
        "reference_loss_normalisation",
        "reference_transformer_dropout",
        "reference_embedding_dropout",
    }
)
EXTENSION_OPTIONS = EXTENSION_OPTIONS | ABLATION_OPTIONS
_UNSUPPORTED_NONZERO = ("kl_loss_scale", "regression_loss_scale", "combinatorial_scale")


def parse_override(text: str) -> tuple[str, Any]:
    """Parse a command-line ``key=value`` override; the value is read as JSON when it parses, else a string."""
    key, separator, raw = text.partition("=")
    if not separator or not key:
        raise OptionsError(f"override {text!r} must look like key=value")
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = raw
    return key.strip(), value


def _option_types() -> dict[str, type]:
    return {field.name: type(field.default) for field in fields(SpanetOptions)}


def _coerce(key: str, value: Any, kind: type) -> Any:
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):  # reference files write flags as 0/1
            return bool(value)
        raise OptionsError(f"option {key!r} must be a boolean, got {value!r}")
    if kind is int:
        if isinstance(value, bool) or not isinstance(value, int | float) or int(value) != value:
            raise OptionsError(f"option {key!r} must be an integer, got {value!r}")
        return int(value)
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise OptionsError(f"option {key!r} must be a number, got {value!r}")
        return float(value)
    if not isinstance(value, str):
        raise OptionsError(f"option {key!r} must be a string, got {value!r}")
    return value


def _require(condition: bool, key: str, expectation: str, value: Any) -> None:
    if not condition:
        raise OptionsError(f"option {key!r} must be {expectation}, got {value!r}")


def _validate(options: SpanetOptions) -> None:
    positive = ("hidden_dim", "transformer_dim", "initial_embedding_dim", "num_attention_heads", "batch_size")
    for key in positive:
        _require(getattr(options, key) >= 1, key, ">= 1", getattr(options, key))
    non_negative = (
        "num_embedding_layers",
        "num_encoder_layers",
        "num_branch_embedding_layers",
        "num_branch_encoder_layers",
        "num_jet_embedding_layers",
        "num_jet_encoder_layers",
        "num_detector_layers",
        "num_classification_layers",
        "limit_to_num_jets",
        "epochs",
        "num_gpu",
        "learning_rate_cycles",
        "early_stopping_patience",
        "learning_rate_warmup_epochs",
        "l2_penalty",
        "gradient_clip",
        "focal_gamma",
        "assignment_loss_scale",
        "detection_loss_scale",
        "classification_loss_scale",
        "overlap_delta_r",
        "background_weight_power",
    )
    for key in non_negative:
        _require(getattr(options, key) >= 0, key, ">= 0", getattr(options, key))
    _require(
        options.hidden_dim % options.num_attention_heads == 0,
        "num_attention_heads",
        f"a divisor of hidden_dim={options.hidden_dim}",
        options.num_attention_heads,
    )
    _require(
        _normalised_name(options.transformer_type) in GATED_TRANSFORMER_TYPES | PLAIN_TRANSFORMER_TYPES,
        "transformer_type",
        "one of Gated, GTrXL, NormFirst, Standard",
        options.transformer_type,
    )
    _require(
        _normalised_name(options.linear_block_type) in LINEAR_BLOCK_TYPES,
        "linear_block_type",
        "one of GRU, Resnet, Basic, Gated",
        options.linear_block_type,
    )
    _require(options.transformer_dim_scale > 0, "transformer_dim_scale", "> 0", options.transformer_dim_scale)
    _require(options.learning_rate > 0, "learning_rate", "> 0", options.learning_rate)
    _require(0 <= options.dropout < 1, "dropout", "in [0, 1)", options.dropout)
    _require(0 < options.dataset_limit <= 1, "dataset_limit", "in (0, 1]", options.dataset_limit)
    _require(
        0 < options.train_validation_split <= 1,
        "train_validation_split",
        "in (0, 1]",
        options.train_validation_split,
    )
    _require(
        options.combine_pair_loss in ("min", "softmin", "mean"),
        "combine_pair_loss",
        "one of 'min', 'softmin', 'mean'",
        options.combine_pair_loss,
    )
    _require(
        options.resolved_higgs_count in ("fill", "detection"),
        "resolved_higgs_count",
        "'fill' or 'detection'",
        options.resolved_higgs_count,
    )
    _require(
        options.transformer_activation in ("relu", "gelu"),
        "transformer_activation",
        "'relu' or 'gelu'",
        options.transformer_activation,
    )
    _require(
        options.checkpoint_metric in ("purity", "loss"),
        "checkpoint_metric",
        "'purity' or 'loss'",
        options.checkpoint_metric,
    )
    optimizer = getattr(torch.optim, options.optimizer, None)
    _require(
        isinstance(optimizer, type) and issubclass(optimizer, torch.optim.Optimizer),
        "optimizer",
        "the name of a torch.optim optimizer (e.g. 'AdamW')",
        options.optimizer,
    )
    for key in _UNSUPPORTED_NONZERO:
        _require(getattr(options, key) == 0, key, "0 (this loss term is not implemented)", getattr(options, key))
