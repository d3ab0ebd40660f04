"""Export a trained SPA-Net to ONNX: ``python -m multihiggs.spanet.export CHECKPOINT -o MODEL.onnx [--check]``.

Inputs (batch axis dynamic), in event-file order: for each sequential input ``{name}_features`` (B, V, F) float32
raw features and ``{name}_mask`` (B, V) bool; for each global input ``{name}_features`` (B, F) float32.
Outputs: ``assignment_{particle}`` (B, J) or (B, J, J) unordered-tuple probabilities, ``detection`` (B, P)
probabilities, and ``classification_{name}`` (B, n_classes) probabilities. Normalisation is inside the graph.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from torch import Tensor, nn

from multihiggs.cli import run_main
from multihiggs.io import spanet_layout as layout
from multihiggs.spanet.checkpoint import load_trained_model
from multihiggs.spanet.data import DataError, EventTensors, read_events
from multihiggs.spanet.event_info import EventInfo
from multihiggs.spanet.model import SpanetNetwork

OPSET = 17


class ExportableNetwork(nn.Module):
    """Flat-tensor interface around :class:`SpanetNetwork` returning probabilities."""

    def __init__(self, network: SpanetNetwork, event_info: EventInfo) -> None:
        super().__init__()
        self.network = network
        self.sequential_names = list(event_info.sequential_inputs)
        self.global_names = list(event_info.global_inputs)
        self.multiplicity = [float(len(particle.daughter_group)) for particle in event_info.particles]
        self.classification_names = list(event_info.classifications)

    def forward(self, *inputs: Tensor) -> tuple[Tensor, ...]:
        n_sequential = len(self.sequential_names)
        features = {name: inputs[2 * i] for i, name in enumerate(self.sequential_names)}
        masks = {name: inputs[2 * i + 1] for i, name in enumerate(self.sequential_names)}
        global_features = {name: inputs[2 * n_sequential + i] for i, name in enumerate(self.global_names)}
        outputs = self.network(features, masks, global_features)
        assignments = [
            log_probs.exp() * factor
            for log_probs, factor in zip(outputs.assignment_log_probs, self.multiplicity, strict=True)
        ]
        classifications = [
            torch.softmax(outputs.classification_logits[name], dim=1) for name in self.classification_names
        ]
        return (*assignments, torch.sigmoid(outputs.detection_logits), *classifications)


def input_names(event_info: EventInfo) -> list[str]:
    names = []
    for name in event_info.sequential_inputs:
        names += [f"{name}_features", f"{name}_mask"]
    return names + [f"{name}_features" for name in event_info.global_inputs]


def output_names(event_info: EventInfo) -> list[str]:
    return [
        *(f"assignment_{name}" for name in event_info.particle_names),
        "detection",
        *(f"classification_{name}" for name in event_info.classifications),
    ]


def flat_inputs(events: EventTensors, event_info: EventInfo) -> tuple[Tensor, ...]:
    """The exported graph's inputs for ``events``, in order."""
    inputs: list[Tensor] = []
    for name in event_info.sequential_inputs:
        inputs += [events.features[name], events.masks[name]]
    return (*inputs, *(events.global_features[name] for name in event_info.global_inputs))


def export_onnx(network: SpanetNetwork, event_info: EventInfo, example: EventTensors, path: str | Path) -> Path:
    """Write the network as ONNX, traced on the ``example`` events (any batch size works afterwards)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wrapper = ExportableNetwork(network, event_info).eval()
    names_in, names_out = input_names(event_info), output_names(event_info)
    # The torch.export-based exporter needs onnxscript, which the project does not install: use the
    # TorchScript-based one and silence its deprecation notice.
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        torch.onnx.export(
            wrapper,
            flat_inputs(example, event_info),
            str(path),
            input_names=names_in,
            output_names=names_out,
            dynamic_axes={name: {0: "batch"} for name in names_in + names_out},
            opset_version=OPSET,
            dynamo=False,
        )
    return path


def onnx_outputs(path: str | Path, events: EventTensors, event_info: EventInfo) -> list[np.ndarray]:
    """Run the exported graph with onnxruntime on ``events``."""
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    feeds = {
        name: tensor.numpy()
        for name, tensor in zip(input_names(event_info), flat_inputs(events, event_info), strict=True)
    }
    return session.run(output_names(event_info), feeds)


def max_parity_difference(
    network: SpanetNetwork, event_info: EventInfo, path: str | Path, events: EventTensors
) -> float:
    """Largest absolute difference between the PyTorch and onnxruntime outputs on ``events``."""
    wrapper = ExportableNetwork(network, event_info).eval()
    with torch.no_grad():
        expected = [tensor.numpy() for tensor in wrapper(*flat_inputs(events, event_info))]
    actual = onnx_outputs(path, events, event_info)
    return max(float(np.max(np.abs(a - e))) for a, e in zip(actual, expected, strict=True))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.spanet.export", description=__doc__.split("\n")[0])
    parser.add_argument("checkpoint", help="model.pt or the run directory holding it")
    parser.add_argument("-o", "--output", required=True, help="ONNX file to write")
    parser.add_argument("--check", metavar="HDF5", help="compare onnxruntime with PyTorch on this file's events")
    arguments = parser.parse_args(argv)
    return run_main(lambda: _export(arguments))


def _export(arguments: argparse.Namespace) -> None:
    trained = load_trained_model(arguments.checkpoint)
    source = arguments.check
    example = (
        _dummy_events(trained.event_info)
        if source is None
        else read_events(source, trained.event_info, with_targets=False).select(slice(0, 256))
    )
    export_onnx(trained.network, trained.event_info, example, arguments.output)
    if source is not None:
        difference = max_parity_difference(trained.network, trained.event_info, arguments.output, example)
        print(f"onnxruntime vs PyTorch: max |difference| = {difference:.2e} on {len(example)} events")


def _dummy_events(event_info: EventInfo) -> EventTensors:
    """Two events with every vector present (layout sizes), to trace the graph when no file is given."""
    batch = 2
    features, masks = {}, {}
    sizes = {layout.JETS: layout.MAX_JETS, layout.BOOSTED_JETS: layout.MAX_BOOSTED}
    for name, infos in event_info.sequential_inputs.items():
        if name not in sizes:
            raise DataError(f"input {name!r} has no size in the layout; give --check FILE to trace on real events")
        n_vectors = sizes[name]
        features[name] = torch.ones(batch, n_vectors, len(infos))
        masks[name] = torch.ones(batch, n_vectors, dtype=torch.bool)
    n_particles = event_info.n_particles
    return EventTensors(
        features=features,
        masks=masks,
        global_features={name: torch.ones(batch, len(i)) for name, i in event_info.global_inputs.items()},
        targets=torch.full((batch, n_particles, 2), -1),
        target_masks=torch.zeros(batch, n_particles, dtype=torch.bool),
        target_weights=torch.ones(batch, n_particles),
        event_weights=torch.ones(batch),
        balance_weights=torch.ones(batch),
        class_labels={},
    )


if __name__ == "__main__":
    sys.exit(main())
