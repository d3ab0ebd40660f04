"""Reading SPANet HDF5 files into tensors: shapes, masks, weights, statistics, split and errors."""

from __future__ import annotations

import h5py
import numpy as np
import pytest
import torch
from spanet_synthetic import event_yaml

from multihiggs.io import spanet_layout as layout
from multihiggs.spanet.data import (
    DataError,
    compute_feature_statistics,
    read_events,
    read_jet_directions,
    split_indices,
    with_fixed_global,
)
from multihiggs.spanet.event_info import EventInfo


def test_shapes_masks_and_targets(hh_file, hh_event_info):
    events = read_events(hh_file, hh_event_info)
    n = len(events)
    assert events.features["Jets"].shape == (n, layout.MAX_JETS, 6)
    assert events.features["BoostedJets"].shape == (n, layout.MAX_BOOSTED, 5)
    assert events.masks["Jets"].dtype == torch.bool
    assert events.targets.shape == (n, 4, 2)
    with h5py.File(hh_file) as handle:
        b1 = handle[layout.resolved_target_key(1, "b1")][...]
        b2 = handle[layout.resolved_target_key(1, "b2")][...]
        bb = handle[layout.boosted_target_key(2)][...]
    np.testing.assert_array_equal(events.target_masks[:, 0].numpy(), (b1 >= 0) & (b2 >= 0))
    np.testing.assert_array_equal(events.target_masks[:, 3].numpy(), bb >= 0)
    assert (events.targets[:, 2:, 1] == -1).all()  # one-daughter particles pad the second column


def test_weights_are_optional_and_normalised(hh_file, hh_event_info):
    plain = read_events(hh_file, hh_event_info)
    assert (plain.event_weights == 1).all() and (plain.target_weights == 1).all()
    weighted = read_events(hh_file, hh_event_info, use_event_weights=True, use_mass_weights=True)
    assert weighted.event_weights.mean().item() == pytest.approx(1.0, rel=1e-5)
    with h5py.File(hh_file) as handle:
        expected = handle[layout.mass_weight_key(2)][...]
    np.testing.assert_allclose(weighted.target_weights[:, 1].numpy(), expected, rtol=1e-6)
    np.testing.assert_allclose(weighted.target_weights[:, 3].numpy(), expected, rtol=1e-6)  # bh2 shares h2's


def test_selection_weights_weight_signal_events_only(tmp_path, hh_file, hh_event_info):
    import shutil

    weighted_file = tmp_path / "trf.h5"
    shutil.copy(hh_file, weighted_file)
    with h5py.File(weighted_file, "a") as handle:
        n_events = len(handle[layout.classification_key()])
        signal = np.arange(n_events) % 2 == 0
        handle[layout.classification_key()][...] = signal.astype(np.int64)
        probability = np.linspace(0.1, 0.4, n_events)
        handle.create_dataset(layout.selection_weight_key(), data=probability)
    events = read_events(weighted_file, hh_event_info, use_selection_weights=True)
    expected = np.where(signal, probability / probability[signal].mean(), 1.0)
    np.testing.assert_allclose(events.event_weights.numpy(), expected, rtol=1e-6)
    assert (read_events(weighted_file, hh_event_info).event_weights == 1).all()
    assert (read_events(hh_file, hh_event_info, use_selection_weights=True).event_weights == 1).all()


def test_background_weight_power_weights_background_events_only(hh_file, hh_event_info):
    with h5py.File(hh_file) as handle:
        signal = handle[layout.classification_key()][...] == 1
        physical = handle[layout.event_weight_key()][...]
    assert signal.any() and (~signal).any()
    events = read_events(hh_file, hh_event_info, background_weight_power=0.5)
    expected = np.where(signal, 1.0, np.sqrt(physical) / np.sqrt(physical[~signal]).mean())
    np.testing.assert_allclose(events.event_weights.numpy(), expected, rtol=1e-5)


def test_statistics_standardise_log_pt_on_real_jets(hh_file, hh_event_info):
    events = read_events(hh_file, hh_event_info)
    statistics = compute_feature_statistics(events, hh_event_info)
    real_pt = events.features["Jets"][..., 0][events.masks["Jets"]]
    assert statistics.mean["Jets"][0].item() == pytest.approx(torch.log1p(real_pt).mean().item(), rel=1e-5)
    names = [feature.name for feature in hh_event_info.sequential_inputs["Jets"]]
    btag = names.index("btag")
    assert (statistics.mean["Jets"][btag].item(), statistics.std["Jets"][btag].item()) == (0.0, 1.0)


def test_split_is_deterministic_and_disjoint():
    train, validation = split_indices(100, 1.0, 0.9, randomization_seed=3)
    again, _ = split_indices(100, 1.0, 0.9, randomization_seed=3)
    assert torch.equal(train, again)
    assert len(train) == 90 and len(validation) == 10
    assert not set(train.tolist()) & set(validation.tolist())
    limited, rest = split_indices(100, 0.5, 1.0, randomization_seed=0)
    assert torch.equal(limited, torch.arange(50)) and len(rest) == 0


def test_missing_dataset_is_named(tmp_path, hh_file, hh_event_info):
    broken = tmp_path / "broken.h5"
    with h5py.File(hh_file) as source, h5py.File(broken, "w") as target:
        for key in ("INPUTS", "TARGETS"):
            source.copy(key, target)
        del target[layout.input_key(layout.JETS, "btag")]
    with pytest.raises(DataError, match="INPUTS/Jets/btag"):
        read_events(broken, hh_event_info)


def test_target_on_padding_is_an_error(tmp_path, hh_file, hh_event_info):
    broken = tmp_path / "broken.h5"
    with h5py.File(hh_file) as source, h5py.File(broken, "w") as target:
        for key in ("INPUTS", "TARGETS"):
            source.copy(key, target)
        mask = target[layout.mask_key(layout.JETS)][...]
        b1 = target[layout.resolved_target_key(1, "b1")]
        event = int(np.flatnonzero(~mask[:, -1] & (b1[...] >= 0))[0])
        values = b1[...]
        values[event] = layout.MAX_JETS - 1
        b1[...] = values
    with pytest.raises(DataError, match="padding"):
        read_events(broken, hh_event_info)


def test_inputs_only_and_directions(hh_file, hh_event_info):
    events = read_events(hh_file, hh_event_info, with_targets=False)
    assert (events.targets == -1).all() and not events.target_masks.any()
    directions = read_jet_directions(hh_file)
    with h5py.File(hh_file) as handle:
        sin_phi = handle[layout.input_key(layout.JETS, "sinphi")][...]
    np.testing.assert_allclose(np.sin(directions.jet_phi), sin_phi, atol=1e-6)
    assert directions.fatjet_eta.shape[1] == layout.MAX_BOOSTED


def test_a_global_input_can_be_fixed_for_every_event(hh_file):
    kl_info = EventInfo.from_mapping(event_yaml(n_higgs=2, kl=True))
    events = read_events(hh_file, kl_info)
    assert len(set(events.global_features["Event"][:, 0].tolist())) > 1  # the file mixes κλ values
    fixed = with_fixed_global(events, kl_info, "kl", 2.5)
    assert (fixed.global_features["Event"][:, 0] == 2.5).all()
    assert len(set(events.global_features["Event"][:, 0].tolist())) > 1  # the input events are not modified
    torch.testing.assert_close(fixed.features["Jets"], events.features["Jets"])


def test_fixing_a_global_the_network_lacks_names_it(hh_file, hh_event_info):
    events = read_events(hh_file, hh_event_info)
    with pytest.raises(DataError, match="no global input feature 'kl'"):
        with_fixed_global(events, hh_event_info, "kl", 1.0)
