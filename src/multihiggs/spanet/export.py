"""Export a trained SPA-Net to ONNX with its decoder: ``python -m multihiggs.spanet.export CHECKPOINT -o MODEL.onnx``.

Options: ``--check HDF5`` compares onnxruntime with PyTorch on that file's events (and takes the conformance
events from it); ``--conformance-events N`` (default 32) sets how many events the conformance vectors hold.

Inputs (batch axis dynamic), in event-file order: for each sequential input ``{name}_features`` (B, V, F) float32
raw features and ``{name}_mask`` (B, V) bool; for each global input ``{name}_features`` (B, F) float32.
Outputs: ``assignment_{particle}`` (B, J) or (B, J, J) unordered-tuple probabilities, ``detection`` (B, P)
probabilities, and ``classification_{name}`` (B, n_classes) probabilities. Normalisation is inside the graph.

Beside ``MODEL.onnx`` the export writes the portable decoder (``docs/portable_decoding.md``), which turns the
outputs into the jet indices ``multihiggs.spanet.predict`` writes:

- ``MODEL_decoding.py``: a byte-for-byte copy of :mod:`multihiggs.spanet.decoding` (numpy + standard library).
- ``MODEL_decoding.json``: what it needs: ``format``, ``multihiggs_version``, ``files`` (model, decoder,
  conformance), ``inputs`` / ``outputs`` (ONNX names in graph order), ``input_features`` (feature names per input,
  in column order), ``detection_output``, ``particles`` (per particle, in detection-column order: ``name``,
  ``output``, ``source`` input, ``daughters``, Higgs slot ``higgs`` >= 1, ``boosted``), ``directions`` (per
  ``jets`` / ``fatjets``: the input and the feature columns of eta, sinphi, cosphi, or null),
  ``signal_score`` (``output`` and class ``column``, or null), ``postprocess`` (``use_detection``,
  ``overlap_delta_r``, ``resolved_count``) and ``limit_to_num_jets`` (0, or how many leading vectors per input
  the mask keeps: set the mask False beyond them before running the model).
- ``MODEL_conformance.npz``: for a few events, ``input.{name}`` (ONNX inputs), ``output.{name}`` (onnxruntime
  outputs), ``direction.{jet_eta, jet_phi, fatjet_eta, fatjet_phi}`` (rad) and ``expected.{field}``: the arrays of a
  prediction file (``resolved_assignments`` (N, H, 2), ``boosted_assignments`` (N, H), the four (N, H)
  probabilities and ``signal_score`` (N,)) computed by ``multihiggs.spanet.predict.reconstruct``.
  ``python MODEL_decoding.py MODEL_decoding.json`` checks the decoder against them.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import Tensor, nn

import multihiggs
from multihiggs.cli import run_main
from multihiggs.io import spanet_layout as layout
from multihiggs.spanet import decoding
from multihiggs.spanet.checkpoint import TrainedModel, load_trained_model
from multihiggs.spanet.data import DataError, EventTensors, higgs_slot, read_events, read_jet_directions
from multihiggs.spanet.decoding import JetDirections, ReconstructedHiggs
from multihiggs.spanet.event_info import EventInfo
from multihiggs.spanet.inference import NetworkProbabilities
from multihiggs.spanet.model import SpanetNetwork
from multihiggs.spanet.options import SpanetOptions
from multihiggs.spanet.predict import SIGNAL, SIGNAL_COLUMN, postprocess_settings, reconstruct

OPSET = 17
CONFORMANCE_EVENTS = 32
DETECTION_OUTPUT = "detection"


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
        DETECTION_OUTPUT,
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
    return session.run(output_names(event_info), onnx_feeds(events, event_info))


def onnx_feeds(events: EventTensors, event_info: EventInfo) -> dict[str, np.ndarray]:
    """The exported graph's inputs for ``events`` by name (what ``session.run`` takes)."""
    return {
        name: tensor.numpy()
        for name, tensor in zip(input_names(event_info), flat_inputs(events, event_info), strict=True)
    }


def max_parity_difference(
    network: SpanetNetwork, event_info: EventInfo, path: str | Path, events: EventTensors
) -> float:
    """Largest absolute difference between the PyTorch and onnxruntime outputs on ``events``."""
    wrapper = ExportableNetwork(network, event_info).eval()
    with torch.no_grad():
        expected = [tensor.numpy() for tensor in wrapper(*flat_inputs(events, event_info))]
    actual = onnx_outputs(path, events, event_info)
    return max(float(np.max(np.abs(a - e))) for a, e in zip(actual, expected, strict=True))


@dataclass(frozen=True)
class DecoderFiles:
    """The files the export writes beside ``MODEL.onnx`` (module docstring)."""

    decoder: Path
    metadata: Path
    conformance: Path


def decoder_files(onnx_path: str | Path) -> DecoderFiles:
    """``MODEL_decoding.py``, ``MODEL_decoding.json`` and ``MODEL_conformance.npz`` beside ``MODEL.onnx``."""
    stem = Path(onnx_path).with_suffix("")
    return DecoderFiles(
        decoder=stem.with_name(f"{stem.name}_decoding.py"),
        metadata=stem.with_name(f"{stem.name}_decoding.json"),
        conformance=stem.with_name(f"{stem.name}_conformance.npz"),
    )


def decoder_metadata(event_info: EventInfo, options: SpanetOptions, onnx_path: str | Path) -> dict[str, Any]:
    """The JSON description the shipped decoder reads (keys in the module docstring)."""
    files = decoder_files(onnx_path)
    all_inputs = {**event_info.sequential_inputs, **event_info.global_inputs}
    particles = []
    for particle in event_info.particles:
        higgs, boosted = higgs_slot(particle.name)
        particles.append(
            {
                "name": particle.name,
                "output": f"assignment_{particle.name}",
                "source": particle.source,
                "daughters": list(particle.daughters),
                "higgs": higgs,
                "boosted": boosted,
            }
        )
    signal = f"classification_{SIGNAL}"
    return {
        "format": decoding.DECODER_FORMAT,
        "multihiggs_version": multihiggs.__version__,
        "files": {"model": Path(onnx_path).name, "decoder": files.decoder.name, "conformance": files.conformance.name},
        "inputs": input_names(event_info),
        "input_features": {name: [feature.name for feature in infos] for name, infos in all_inputs.items()},
        "outputs": output_names(event_info),
        "detection_output": DETECTION_OUTPUT,
        "particles": particles,
        "directions": {
            "jets": _direction_columns(event_info, layout.JETS),
            "fatjets": _direction_columns(event_info, layout.BOOSTED_JETS),
        },
        "signal_score": {"output": signal, "column": SIGNAL_COLUMN} if SIGNAL in event_info.classifications else None,
        "postprocess": postprocess_settings(options),
        "limit_to_num_jets": options.limit_to_num_jets,
    }


def _direction_columns(event_info: EventInfo, name: str) -> dict[str, Any] | None:
    """The input ``name`` and its eta, sinphi, cosphi feature columns, or None if the model lacks any of them."""
    features = [feature.name for feature in event_info.sequential_inputs.get(name, ())]
    if not {"eta", "sinphi", "cosphi"} <= set(features):
        return None
    return {"input": name, **{column: features.index(column) for column in ("eta", "sinphi", "cosphi")}}


def conformance_vectors(
    onnx_path: str | Path,
    event_info: EventInfo,
    options: SpanetOptions,
    events: EventTensors,
    directions: JetDirections,
) -> dict[str, np.ndarray]:
    """ONNX inputs and outputs of ``events`` with the reconstruction ``predict`` makes of them (npz keys)."""
    names_out = output_names(event_info)
    outputs = dict(zip(names_out, onnx_outputs(onnx_path, events, event_info), strict=True))
    probabilities = NetworkProbabilities(
        assignment=[outputs[f"assignment_{name}"] for name in event_info.particle_names],
        detection=outputs[DETECTION_OUTPUT],
        classification={name: outputs[f"classification_{name}"] for name in event_info.classifications},
    )
    expected = reconstruct(event_info, probabilities, directions, **postprocess_settings(options))
    return {
        **{f"input.{name}": values for name, values in onnx_feeds(events, event_info).items()},
        **{f"output.{name}": outputs[name] for name in names_out},
        **{f"direction.{field.name}": getattr(directions, field.name) for field in dataclasses.fields(directions)},
        **{f"expected.{field.name}": getattr(expected, field.name) for field in dataclasses.fields(ReconstructedHiggs)},
    }


def write_decoder(
    onnx_path: str | Path,
    event_info: EventInfo,
    options: SpanetOptions,
    events: EventTensors,
    directions: JetDirections | None = None,
) -> DecoderFiles:
    """Write the decoder, its JSON description and the conformance vectors of ``events`` beside ``onnx_path``.

    ``directions`` (rad) default to those the model's inputs hold (eta and atan2(sinphi, cosphi)).
    Raises ValueError if the shipped decoder does not reproduce the conformance vectors.
    """
    files = decoder_files(onnx_path)
    metadata = decoder_metadata(event_info, options, onnx_path)
    if directions is None:
        try:
            directions = decoding.directions_from_inputs(onnx_feeds(events, event_info), metadata)
        except ValueError as error:
            raise DataError(f"{error} (the command line: give --check FILE to use its jet directions)") from error
    shutil.copyfile(decoding.__file__, files.decoder)
    files.metadata.write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    np.savez_compressed(files.conformance, **conformance_vectors(onnx_path, event_info, options, events, directions))
    differing = decoding.check_conformance(files.metadata)
    if differing:
        raise ValueError(f"the shipped decoder does not reproduce {differing} on the conformance events")
    return files


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.spanet.export", description=__doc__.split("\n")[0])
    parser.add_argument("checkpoint", help="model.pt or the run directory holding it")
    parser.add_argument("-o", "--output", required=True, help="ONNX file to write")
    parser.add_argument(
        "--check",
        metavar="HDF5",
        help="compare onnxruntime with PyTorch on this file's events; the conformance events come from it too "
        "(default: random seeded events)",
    )
    parser.add_argument(
        "--conformance-events",
        type=int,
        default=CONFORMANCE_EVENTS,
        metavar="N",
        help=f"events in MODEL_conformance.npz (default {CONFORMANCE_EVENTS}; at most 256 with --check)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = build_parser().parse_args(argv)
    return run_main(lambda: _export(arguments))


def _export(arguments: argparse.Namespace) -> None:
    trained = load_trained_model(arguments.checkpoint)
    if arguments.conformance_events < 1:
        raise ValueError(f"--conformance-events must be at least 1, got {arguments.conformance_events}")
    example, conformance, directions = _export_events(trained, arguments.check, arguments.conformance_events)
    export_onnx(trained.network, trained.event_info, example, arguments.output)
    if arguments.check is not None:
        difference = max_parity_difference(trained.network, trained.event_info, arguments.output, example)
        print(f"onnxruntime vs PyTorch: max |difference| = {difference:.2e} on {len(example)} events")
    files = write_decoder(arguments.output, trained.event_info, trained.options, conformance, directions)
    print(f"wrote {files.decoder}, {files.metadata} and {files.conformance} ({len(conformance)} events)")


def _export_events(
    trained: TrainedModel, source: str | None, n_conformance: int
) -> tuple[EventTensors, EventTensors, JetDirections | None]:
    """(events to trace and check on, conformance events, their jet directions or None: from the inputs).

    From the first 256 events of ``source`` (masked as ``predict`` masks them), else synthetic ones.
    """
    event_info = trained.event_info
    if source is None:
        return (
            _dummy_events(event_info),
            _dummy_events(event_info, n_conformance, torch.Generator().manual_seed(0)),
            None,
        )
    limit = trained.options.limit_to_num_jets
    example = read_events(source, event_info, with_targets=False, limit_to_num_vectors=limit).select(slice(0, 256))
    conformance = example.select(slice(0, n_conformance))
    full = read_jet_directions(source)
    directions = JetDirections(*(getattr(full, field.name)[: len(conformance)] for field in dataclasses.fields(full)))
    return example, conformance, directions


def _dummy_events(event_info: EventInfo, n_events: int = 2, generator: torch.Generator | None = None) -> EventTensors:
    """Events with the layout's vector counts when no file is given.

    Without ``generator``: every vector present and every feature 1, to trace the graph. With it: standard-normal
    features and 1 to all vectors present per input, for conformance vectors.
    """
    features, masks = {}, {}
    sizes = {layout.JETS: layout.MAX_JETS, layout.BOOSTED_JETS: layout.MAX_BOOSTED}
    for name, infos in event_info.sequential_inputs.items():
        if name not in sizes:
            raise DataError(f"input {name!r} has no size in the layout; give --check FILE to trace on real events")
        n_vectors = sizes[name]
        masks[name] = torch.ones(n_events, n_vectors, dtype=torch.bool)
        features[name] = _dummy_features((n_events, n_vectors, len(infos)), generator)
        if generator is not None:
            present = torch.randint(1, n_vectors + 1, (n_events, 1), generator=generator)
            masks[name] = torch.arange(n_vectors)[None, :] < present
            features[name] = features[name] * masks[name][..., None]
    n_particles = event_info.n_particles
    return EventTensors(
        features=features,
        masks=masks,
        global_features={
            name: _dummy_features((n_events, len(infos)), generator) for name, infos in event_info.global_inputs.items()
        },
        targets=torch.full((n_events, n_particles, 2), -1),
        target_masks=torch.zeros(n_events, n_particles, dtype=torch.bool),
        target_weights=torch.ones(n_events, n_particles),
        event_weights=torch.ones(n_events),
        balance_weights=torch.ones(n_events),
        class_labels={},
    )


def _dummy_features(shape: tuple[int, ...], generator: torch.Generator | None) -> Tensor:
    """Ones, or standard-normal values drawn from ``generator``."""
    return torch.ones(shape) if generator is None else torch.randn(shape, generator=generator)


if __name__ == "__main__":
    sys.exit(main())
