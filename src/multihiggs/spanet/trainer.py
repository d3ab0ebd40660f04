"""The training loop: epochs, validation, checkpoints, resume and early stopping.

A run directory ``LOG_DIR/NAME`` holds ``options.json`` and ``event.yaml`` (the configuration), ``checkpoint.pt``
(everything needed to continue: weights, optimiser, schedule, RNG state, best weights, history; rewritten
atomically after every epoch), ``metrics.json`` (per-epoch losses and validation purity) and, at the end,
``model.pt`` (the best weights, see :mod:`multihiggs.spanet.checkpoint`). Running the same training again
continues from ``checkpoint.pt``; the result equals an uninterrupted run with the same seed.

"The same training" means the same options (up to :data:`RESUMABLE_CHANGES`) and the same inputs: the checkpoint
records SHA-256 digests of the training and validation files and of the event description. A checkpoint of any
other training is an error naming the difference, or with ``restart_changed`` (what the workflow asks for:
Snakemake reruns a training exactly when its inputs or options changed) it is discarded and training starts afresh.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import torch
import yaml
from tqdm import tqdm

from multihiggs.io.atomic import write_text
from multihiggs.spanet.checkpoint import (
    MODEL_FILE,
    CheckpointError,
    atomic_save,
    build_network,
    load_payload,
    load_weights,
    save_trained_model,
)
from multihiggs.spanet.data import EventTensors, iterate_batches, number_of_batches
from multihiggs.spanet.decoding import decode_assignments
from multihiggs.spanet.event_info import EventInfo
from multihiggs.spanet.inference import batch_probabilities, in_event_order, network_batches
from multihiggs.spanet.loss import LossScales, LossTerms, SymmetricLoss
from multihiggs.spanet.metrics import assignment_purity, weighted_auc
from multihiggs.spanet.model import SpanetNetwork
from multihiggs.spanet.options import SpanetOptions
from multihiggs.spanet.schedule import learning_rate_factor
from multihiggs.spanet.training_data import PreparedData, prepare_data

CHECKPOINT_FILE = "checkpoint.pt"
#: The loss terms recorded per epoch beside the total (training and validation, event-weighted means).
LOSS_PARTS = ("assignment", "detection", "classification")
METRICS_FILE = "metrics.json"
# Options that may change between an interrupted run and its continuation.
RESUMABLE_CHANGES = frozenset(
    {"epochs", "early_stopping_patience", "num_gpu", "num_dataloader_workers", "verbose_output"}
)


@dataclass
class Progress:
    """Where a run stands after its last completed epoch (stored in the checkpoint)."""

    epoch: int = 0
    history: list[dict[str, float]] = field(default_factory=list)
    best_value: float = math.inf  # the smallest selection value so far (see selection_value)
    best_epoch: int = 0  # the epoch whose weights model.pt holds
    epochs_without_improvement: int = 0
    stop_reason: str = ""  # "", "epochs" or "early_stopping"

    def finished(self, epochs: int) -> bool:
        return self.stop_reason == "early_stopping" or self.epoch >= epochs


def fit(
    options: SpanetOptions,
    event_info: EventInfo,
    run_dir: str | Path,
    device: torch.device | str = "cpu",
    progress: bool = True,
    max_epochs_this_run: int | None = None,
    restart_changed: bool = False,
) -> Path:
    """Train (or continue training) in ``run_dir`` and return the path of ``model.pt``.

    Args:
        max_epochs_this_run: return after this many epochs of this call, as if interrupted (None: to the end).
        restart_changed: a checkpoint of other options or inputs is discarded (default: an error).
    """
    run_dir = Path(run_dir)
    inputs = input_digests(options, event_info)
    checkpoint = _read_checkpoint(run_dir / CHECKPOINT_FILE, options, inputs, restart_changed)
    model_path = run_dir / MODEL_FILE
    if checkpoint is not None and Progress(**checkpoint["progress"]).finished(options.epochs) and model_path.exists():
        _log(f"{run_dir}: training already complete; {model_path} is up to date")
        return model_path
    run_dir.mkdir(parents=True, exist_ok=True)
    options.save(run_dir / "options.json")
    (run_dir / "event.yaml").write_text(yaml.safe_dump(event_info.raw, sort_keys=False))
    torch.manual_seed(options.seed)
    trainer = Trainer(options, event_info, prepare_data(options, event_info), torch.device(device), progress)
    trainer.inputs = inputs
    if checkpoint is not None:
        trainer.restore(checkpoint)
        _log(f"{run_dir}: resuming after epoch {trainer.progress.epoch}")
    for _ in range(max_epochs_this_run if max_epochs_this_run is not None else options.epochs):
        if trainer.progress.finished(options.epochs):
            break
        trainer.run_epoch()
        _write_metrics(run_dir / METRICS_FILE, trainer.progress.history)
        atomic_save(trainer.checkpoint(), run_dir / CHECKPOINT_FILE)
    if not trainer.progress.finished(options.epochs):
        return model_path  # interrupted on purpose: model.pt is written when the run completes
    trainer.save_model(model_path)
    kept = trainer.progress.best_epoch
    best = trainer.progress.history[kept - 1] if kept else {}
    _log(
        f"wrote {model_path} (epoch {kept}: validation loss {best.get('val_loss', math.nan):.4f}, purity "
        f"{best.get('val_purity', math.nan):.3f}; selected on {options.checkpoint_metric})"
    )
    return model_path


class Trainer:
    """Network, optimiser, schedule and loss of one run, advanced one epoch at a time."""

    def __init__(
        self,
        options: SpanetOptions,
        event_info: EventInfo,
        data: PreparedData,
        device: torch.device,
        progress: bool,
        optimizer_foreach: bool = True,
    ) -> None:
        """``optimizer_foreach`` False: PyTorch's per-parameter CPU update (see :func:`build_optimizer`)."""
        self.options, self.event_info, self.data, self.device = options, event_info, data, device
        self.show_progress = progress
        self.inputs: dict[str, str] = {}  # digests of what the run reads (input_digests), kept in the checkpoint
        self.network = build_network(event_info, options, data.class_counts, data.statistics).to(device)
        self.optimizer = build_optimizer(self.network, options, foreach=optimizer_foreach)
        steps_per_epoch = number_of_batches(len(data.train), options.batch_size)
        warmup_steps = math.ceil(options.learning_rate_warmup_epochs * steps_per_epoch)
        total_steps = options.epochs * steps_per_epoch
        self.scheduler = torch.optim.lr_scheduler.LambdaLR(
            self.optimizer,
            lambda step: learning_rate_factor(step, warmup_steps, total_steps, options.learning_rate_cycles),
        )
        self.loss = SymmetricLoss(
            event_info,
            LossScales(
                assignment=options.assignment_loss_scale,
                detection=options.detection_loss_scale,
                classification=options.classification_loss_scale,
                combine=options.combine_pair_loss,
                focal_gamma=options.focal_gamma,
                per_target_mean=options.reference_loss_normalisation,
            ),
        )
        self.class_weights = {name: weight.to(device) for name, weight in data.class_weights.items()}
        self.autocast_dtype = _autocast_dtype(device)
        self.scaler = torch.amp.GradScaler(device.type, enabled=self.autocast_dtype == torch.float16)
        self.progress = Progress()
        self.best_state: dict[str, torch.Tensor] | None = None

    def run_epoch(self) -> None:
        """Train one epoch, validate, and update the best weights and the early-stopping count."""
        epoch = self.progress.epoch
        train = self._train_epoch(epoch)
        train_loss = train["loss"]
        validation = evaluate(
            self.network,
            self.data.validation,
            self.loss,
            self.event_info,
            self.options.batch_size,
            self.device,
            self.class_weights,
        )
        if not math.isfinite(validation["loss"]):  # no validation events: select on the training loss
            validation["loss"] = train_loss
        progress = self.progress
        progress.epoch = epoch + 1
        progress.history.append(
            {
                "epoch": epoch + 1,
                **{f"train_{key}": value for key, value in train.items()},
                **{f"val_{key}": value for key, value in validation.items()},
            }
        )
        value = selection_value(validation, self.options.checkpoint_metric)
        if value < progress.best_value:
            progress.best_value, progress.best_epoch, progress.epochs_without_improvement = value, epoch + 1, 0
            self.best_state = {key: value.detach().cpu().clone() for key, value in self.network.state_dict().items()}
        else:
            progress.epochs_without_improvement += 1
        progress.history[-1]["best_epoch"] = progress.best_epoch
        _log(
            f"epoch {epoch + 1}/{self.options.epochs}: train loss {train_loss:.4f}, validation loss "
            f"{validation['loss']:.4f}, validation purity {validation['purity']:.3f}"
            + "".join(
                f", validation {key} {value:.3f} (loss {validation['classification']:.4f})"
                for key, value in validation.items()
                if key.startswith("auc_")
            )
        )
        patience = self.options.early_stopping_patience
        if patience > 0 and progress.epochs_without_improvement >= patience:
            progress.stop_reason = "early_stopping"
            _log(f"early stopping: no better validation {self.options.checkpoint_metric} for {patience} epochs")
        elif progress.epoch >= self.options.epochs:
            progress.stop_reason = "epochs"

    def checkpoint(self) -> dict[str, Any]:
        return {
            "options": self.options.to_dict(),
            "inputs": self.inputs,
            "progress": asdict(self.progress),
            "model": self.network.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict(),
            "scaler": self.scaler.state_dict(),
            "rng_state": torch.get_rng_state(),
            "best_model": self.best_state,
        }

    def restore(self, checkpoint: dict[str, Any]) -> None:
        load_weights(self.network, checkpoint["model"], "the training checkpoint")
        self.optimizer.load_state_dict(checkpoint["optimizer"])
        self.scheduler.load_state_dict(checkpoint["scheduler"])
        self.scaler.load_state_dict(checkpoint["scaler"])
        torch.set_rng_state(checkpoint["rng_state"])
        self.progress = Progress(**checkpoint["progress"])
        self.best_state = checkpoint["best_model"]

    def save_model(self, path: Path) -> None:
        """Write ``model.pt`` with the best weights (the last ones if no epoch ran)."""
        state = self.best_state if self.best_state is not None else self.network.state_dict()
        save_trained_model(path, state, self.options, self.event_info, self.data.statistics, self.data.class_counts)

    def _train_epoch(self, epoch: int) -> dict[str, float]:
        """One pass over the training events in a seeded order; returns the event-averaged training loss and its
        terms (``loss`` and :data:`LOSS_PARTS`)."""
        self.network.train()
        events, batch_size = self.data.train, self.options.batch_size
        order = torch.Generator().manual_seed(self.options.seed * 1_000_003 + epoch)
        sums, seen = dict.fromkeys(("loss", *LOSS_PARTS), 0.0), 0
        description = f"epoch {epoch + 1}/{self.options.epochs}"
        with tqdm(
            total=number_of_batches(len(events), batch_size),
            desc=description,
            disable=not self.show_progress,
            leave=False,
            dynamic_ncols=True,
        ) as bar:
            for index in iterate_batches(len(events), batch_size, order):
                terms = self.train_step(events.select(index).to(self.device))
                loss = float(terms.total)
                for key, value in term_values(terms).items():
                    sums[key] += value * len(index)
                seen += len(index)
                bar.set_postfix(
                    loss=f"{loss:.4f}", assign=f"{float(terms.assignment):.3f}", detect=f"{float(terms.detection):.3f}"
                )
                bar.update()
        return {key: value / max(seen, 1) for key, value in sums.items()}

    def train_step(self, batch: EventTensors) -> LossTerms:
        """One optimiser step on ``batch`` (forward, loss, backward, update, schedule); returns the detached terms."""
        autocast = (
            torch.autocast(device_type=self.device.type, dtype=self.autocast_dtype)
            if self.autocast_dtype is not None
            else contextlib.nullcontext()
        )
        with autocast:
            outputs = self.network(batch.features, batch.masks, batch.global_features)
            terms = self.loss(outputs, batch, self.class_weights)
        self.optimizer.zero_grad(set_to_none=True)
        self.scaler.scale(terms.total).backward()
        if self.options.gradient_clip > 0:
            self.scaler.unscale_(self.optimizer)
            torch.nn.utils.clip_grad_norm_(self.network.parameters(), self.options.gradient_clip)
        self.scaler.step(self.optimizer)
        self.scaler.update()
        self.scheduler.step()
        return terms.detached()


@torch.no_grad()
def evaluate(
    network: SpanetNetwork,
    events: EventTensors,
    loss_function: SymmetricLoss,
    event_info: EventInfo,
    batch_size: int,
    device: torch.device,
    class_weights: dict[str, torch.Tensor] | None = None,
) -> dict[str, float]:
    """Loss and its terms (event-weighted means), assignment purity of the decoded predictions and, per binary
    classification head, ``auc_<name>`` with the events' loss weights on ``events``."""
    network.eval()
    if len(events) == 0:
        return {"loss": math.nan, "purity": math.nan}
    sums = dict.fromkeys(("loss", *LOSS_PARTS), 0.0)
    parts, indices = [], []
    for index, batch, outputs in network_batches(network, events, batch_size, device):
        for key, value in term_values(loss_function(outputs, batch, class_weights)).items():
            sums[key] += value * len(index)
        parts.append(batch_probabilities(outputs, event_info))
        indices.append(index)
    probabilities = in_event_order(parts, indices)
    result = {key: value / len(events) for key, value in sums.items()}
    decoded = decode_assignments(
        probabilities.assignment,
        [particle.source for particle in event_info.particles],
        probabilities.detection if loss_function.scales.detection > 0 else None,
    )
    result["purity"] = assignment_purity(
        decoded.indices, events.targets.numpy(), events.target_masks.numpy(), event_info.event_group
    )
    for name, class_probabilities in probabilities.classification.items():
        if class_probabilities.shape[1] == 2:
            labels = events.class_labels[name].numpy()
            result[f"auc_{name}"] = weighted_auc(labels, class_probabilities[:, 1], events.event_weights.numpy())
    return result


def term_values(terms: LossTerms) -> dict[str, float]:
    """The batch's total (``loss``) and :data:`LOSS_PARTS` as numbers, for the per-epoch records."""
    return {"loss": float(terms.total), **{key: float(getattr(terms, key)) for key in LOSS_PARTS}}


def selection_value(validation: dict[str, float], metric: str) -> float:
    """The number the checkpoint and early stopping minimise: the validation loss, or minus the validation
    assignment purity (``checkpoint_metric`` "purity", the reference's choice; the loss where purity is undefined)."""
    if metric == "purity" and math.isfinite(validation.get("purity", math.nan)):
        return -validation["purity"]
    return validation["loss"]


def build_optimizer(network: torch.nn.Module, options: SpanetOptions, foreach: bool = True) -> torch.optim.Optimizer:
    """The optimiser named by option ``optimizer`` (a ``torch.optim`` class) over the network's parameters.

    With ``foreach``, where the class offers it, the multi-tensor implementation is asked for: PyTorch picks it by
    default on CUDA only; on the CPU it makes a default-config training step 2-3 % faster than the loop over the
    network's ~400 parameter tensors (benchmarks/training_step.py); the update is the same algorithm.
    """
    optimizer_class = getattr(torch.optim, options.optimizer)
    takes_foreach = "foreach" in inspect.signature(optimizer_class).parameters
    extra = {"foreach": foreach} if takes_foreach else {}
    return optimizer_class(network.parameters(), lr=options.learning_rate, weight_decay=options.l2_penalty, **extra)


def _autocast_dtype(device: torch.device) -> torch.dtype | None:
    """Mixed precision only on CUDA: bfloat16 where supported, else float16 (with gradient scaling)."""
    if device.type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def _file_digest(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 22), b""):
            digest.update(block)
    return digest.hexdigest()


def input_digests(options: SpanetOptions, event_info: EventInfo) -> dict[str, str]:
    """SHA-256 of the training and validation files' contents and of the event description (what a run read)."""
    digests = {"event_info": hashlib.sha256(json.dumps(event_info.raw, sort_keys=True).encode()).hexdigest()}
    for key in ("training_file", "validation_file"):
        path = getattr(options, key)
        if path:
            digests[key] = _file_digest(path)
    return digests


def _read_checkpoint(
    path: Path, options: SpanetOptions, inputs: dict[str, str], restart_changed: bool
) -> dict[str, Any] | None:
    """The checkpoint of an earlier call of the same training, if any (see the module docstring)."""
    if not path.exists():
        return None
    checkpoint = load_payload(path)
    saved, current = checkpoint.get("options", {}), options.to_dict()
    changed = sorted(key for key in current if key not in RESUMABLE_CHANGES and saved.get(key) != current[key])
    saved_inputs = checkpoint.get("inputs", {})
    changed += sorted(f"content of {key}" for key in inputs if saved_inputs.get(key) != inputs[key])
    if not changed:
        return checkpoint
    if restart_changed:
        _log(f"{path} belongs to another training ({', '.join(changed)} changed): training afresh")
        return None
    raise CheckpointError(
        f"{path} was written for another training ({', '.join(changed)} changed); use another --name, remove the "
        "run directory or pass --restart_changed"
    )


def _write_metrics(path: Path, history: list[dict[str, float]]) -> None:
    """Per-epoch metrics as strict JSON (NaN, e.g. purity without targets, becomes null), written atomically."""
    rows = [{key: (None if math.isnan(value) else value) for key, value in row.items()} for row in history]
    write_text(path, json.dumps(rows, indent=1) + "\n")


def _log(message: str) -> None:
    tqdm.write(message)
