"""Atomic checkpoint files and the trained-model bundle (``model.pt``).

``model.pt`` holds everything needed to use the network without the training inputs: the weights, the options,
the event topology (the parsed event YAML), the feature normalisation and the number of classes per
classification target, and the provenance stamp of :mod:`multihiggs.provenance` (key ``provenance``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from multihiggs.io.atomic import atomic_output
from multihiggs.provenance import STAMP_KEY, current_stamp
from multihiggs.spanet.data import FeatureStatistics
from multihiggs.spanet.event_info import EventInfo
from multihiggs.spanet.model import SpanetNetwork
from multihiggs.spanet.options import SpanetOptions

MODEL_FORMAT = "multihiggs-spanet-model-1"
MODEL_FILE = "model.pt"


class CheckpointError(ValueError):
    """A checkpoint or model file that cannot be used."""


@dataclass(frozen=True)
class TrainedModel:
    """A network ready for inference with the configuration it was trained with."""

    network: SpanetNetwork
    options: SpanetOptions
    event_info: EventInfo
    statistics: FeatureStatistics
    class_counts: dict[str, int]


def atomic_save(payload: Any, path: str | Path) -> None:
    """``torch.save`` to a temporary file, then rename: a partial file never appears under ``path``."""
    with atomic_output(path) as partial:
        torch.save(payload, partial)


def load_payload(path: str | Path) -> dict[str, Any]:
    """Load a checkpoint dictionary written by :func:`atomic_save` (tensors mapped to CPU)."""
    path = Path(path)
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except (OSError, RuntimeError) as error:
        raise CheckpointError(f"cannot read checkpoint {path}: {error}") from error


def build_network(
    event_info: EventInfo,
    options: SpanetOptions,
    class_counts: dict[str, int],
    statistics: FeatureStatistics,
) -> SpanetNetwork:
    """A fresh network with the feature normalisation installed."""
    network = SpanetNetwork(event_info, options, class_counts)
    network.set_normalization(statistics.mean, statistics.std)
    return network


def load_weights(network: SpanetNetwork, state_dict: dict[str, torch.Tensor], source: str | Path) -> None:
    """Install ``state_dict`` in ``network``; weights that do not fit the network the stored options build (a
    model written before an option such as linear_block_type changed meaning) are a :class:`CheckpointError`."""
    try:
        network.load_state_dict(state_dict)
    except RuntimeError as error:
        first_line = str(error).splitlines()[1:2] or [str(error)]
        raise CheckpointError(
            f"{source}: the stored weights do not fit the network its options build (written by another "
            f"multihiggs version? retrain it): {first_line[0].strip()}"
        ) from None


def save_trained_model(
    path: str | Path,
    state_dict: dict[str, torch.Tensor],
    options: SpanetOptions,
    event_info: EventInfo,
    statistics: FeatureStatistics,
    class_counts: dict[str, int],
) -> None:
    """Write the model bundle atomically."""
    atomic_save(
        {
            "format": MODEL_FORMAT,
            "state_dict": {key: value.detach().cpu() for key, value in state_dict.items()},
            "options": options.to_dict(),
            "event_info": event_info.raw,
            "normalization": statistics.to_dict(),
            "class_counts": dict(class_counts),
            STAMP_KEY: current_stamp().as_dict(),
        },
        path,
    )


def load_trained_model(path: str | Path, device: torch.device | str = "cpu") -> TrainedModel:
    """Load ``model.pt`` (or the ``model.pt`` inside a run directory) onto ``device`` in eval mode."""
    path = Path(path)
    if path.is_dir():
        path = path / MODEL_FILE
    payload = load_payload(path)
    if payload.get("format") != MODEL_FORMAT:
        raise CheckpointError(f"{path} is not a multihiggs SPA-Net model (format {payload.get('format')!r})")
    options = SpanetOptions.from_dict(payload["options"])
    event_info = EventInfo.from_mapping(payload["event_info"])
    statistics = FeatureStatistics.from_dict(payload["normalization"])
    class_counts = {name: int(count) for name, count in payload["class_counts"].items()}
    network = build_network(event_info, options, class_counts, statistics)
    load_weights(network, payload["state_dict"], path)
    network.to(device).eval()
    return TrainedModel(network, options, event_info, statistics, class_counts)
