"""Predict with a trained SPA-Net: ``python -m multihiggs.spanet.predict CHECKPOINT -tf TEST.h5 -o PRED.h5``.

CHECKPOINT is a ``model.pt`` file or its run directory. The network's assignment distributions are decoded
without reusing jets, then combined into at most one reconstructed Higgs per slot by the boosted + resolved
post-processing, and written with :func:`multihiggs.io.predictions.write_predictions`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from multihiggs.cli import run_main
from multihiggs.io.predictions import Predictions, write_predictions
from multihiggs.spanet.checkpoint import TrainedModel, load_trained_model
from multihiggs.spanet.data import JetDirections, higgs_slot, read_events, read_jet_directions, with_fixed_global
from multihiggs.spanet.decoding import reconstruct_higgs
from multihiggs.spanet.event_info import EventInfo
from multihiggs.spanet.inference import NetworkProbabilities, predict_probabilities
from multihiggs.spanet.options import SpanetOptions
from multihiggs.spanet.postprocess import as_predictions
from multihiggs.spanet.train import select_device, set_threads

SIGNAL = "signal"  # the classification whose class SIGNAL_COLUMN is the signal score
SIGNAL_COLUMN = 1


def reconstruct(
    event_info: EventInfo,
    probabilities: NetworkProbabilities,
    directions: JetDirections,
    method: str = "spanet",
    overlap_delta_r: float = 0.5,
    use_detection: bool = True,
    resolved_count: str = "fill",
) -> Predictions:
    """Decode the network probabilities and apply the boosted + resolved post-processing.

    ``use_detection`` orders the decoding by detection x assignment probability (for networks trained with a
    detection loss). The work is done by :func:`multihiggs.spanet.decoding.reconstruct_higgs`, the code the ONNX
    export ships with the model.
    """
    signal = probabilities.classification.get(SIGNAL)
    higgs = reconstruct_higgs(
        probabilities.assignment,
        probabilities.detection,
        [particle.source for particle in event_info.particles],
        [higgs_slot(name) for name in event_info.particle_names],
        directions,
        signal_score=None if signal is None else signal[:, SIGNAL_COLUMN],
        use_detection=use_detection,
        overlap_delta_r=overlap_delta_r,
        resolved_count=resolved_count,
    )
    return as_predictions(higgs, method)


def predict_file(
    trained: TrainedModel,
    test_file: str,
    batch_size: int | None = None,
    device: torch.device | str = "cpu",
    method: str = "spanet",
    fixed_globals: dict[str, float] | None = None,
    random_globals: dict[str, tuple[Sequence[float], int]] | None = None,
) -> Predictions:
    """Predictions of ``trained`` for every event of ``test_file`` (inputs only; targets are not read).

    ``fixed_globals`` maps a global input feature (e.g. ``kl``) to the value every event gets instead of the
    file's own, e.g. to evaluate a κλ-parametrised network at one hypothesis for every sample of a fit.
    ``random_globals`` maps a global input feature to (values, seed): every event gets a value drawn uniformly from
    the list, as background events get their κλ in training (hsieh_spanet2 fixed its background test sample so).
    """
    options = trained.options
    events = read_events(
        test_file, trained.event_info, with_targets=False, limit_to_num_vectors=options.limit_to_num_jets
    )
    for feature, value in (fixed_globals or {}).items():
        events = with_fixed_global(events, trained.event_info, feature, value)
    for feature, (values, seed) in (random_globals or {}).items():
        drawn = np.random.default_rng(seed).choice(np.asarray(values, dtype=np.float32), size=len(events))
        events = with_fixed_global(events, trained.event_info, feature, drawn)
    probabilities = predict_probabilities(
        trained.network, events, trained.event_info, batch_size or options.batch_size, device
    )
    return reconstruct(
        trained.event_info, probabilities, read_jet_directions(test_file), method, **postprocess_settings(options)
    )


def postprocess_settings(options: SpanetOptions) -> dict[str, Any]:
    """The keyword arguments of :func:`reconstruct` that come from the training options."""
    return {
        "overlap_delta_r": options.overlap_delta_r,
        "use_detection": options.detection_loss_scale > 0,
        "resolved_count": options.resolved_higgs_count,
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m multihiggs.spanet.predict", description=__doc__.split("\n")[0])
    parser.add_argument("checkpoint", help="model.pt or the run directory holding it")
    parser.add_argument("-tf", "--testing-file", "--testing_file", required=True, help="HDF5 file to predict")
    parser.add_argument("-o", "--output", required=True, help="prediction file to write")
    parser.add_argument(
        "--batch-size", "--batch_size", type=int, help="inference batch size (default: the training batch size)"
    )
    parser.add_argument("--gpus", type=int, default=0, help="GPUs to use (default 0: CPU)")
    parser.add_argument("--method", default="spanet", help="method name stored in the prediction file")
    parser.add_argument("--threads", type=int, help="CPU threads (default: torch's choice, e.g. OMP_NUM_THREADS)")
    parser.add_argument(
        "--kl-input", type=float, help="evaluate every event at this κλ (global input 'kl') instead of the file's own"
    )
    parser.add_argument(
        "--kl-random-from",
        type=float,
        nargs="+",
        help="evaluate every event at a κλ drawn uniformly from these values (background test events, as in training)",
    )
    parser.add_argument("--kl-seed", type=int, default=0, help="seed of the --kl-random-from draws")
    arguments = parser.parse_args(argv)
    if arguments.kl_input is not None and arguments.kl_random_from:
        parser.error("--kl-input and --kl-random-from exclude each other")
    set_threads(arguments.threads)
    return run_main(lambda: _predict(arguments))


def _predict(arguments: argparse.Namespace) -> None:
    device = select_device(arguments.gpus)
    trained = load_trained_model(arguments.checkpoint, device)
    fixed = {"kl": arguments.kl_input} if arguments.kl_input is not None else None
    drawn = {"kl": (arguments.kl_random_from, arguments.kl_seed)} if arguments.kl_random_from else None
    predictions = predict_file(
        trained,
        arguments.testing_file,
        arguments.batch_size,
        device,
        arguments.method,
        fixed_globals=fixed,
        random_globals=drawn,
    )
    write_predictions(arguments.output, predictions)


if __name__ == "__main__":
    sys.exit(main())
