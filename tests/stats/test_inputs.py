import h5py
import numpy as np
import pytest

from multihiggs.io import spanet_layout as layout
from multihiggs.io.spanet_layout import ATTR_CONFIG
from multihiggs.stats.inputs import read_method_events, read_sample_file

from .events import hh_events, resolved_predictions, write_sample_file


@pytest.fixture
def sample(tmp_path):
    events = hh_events(np.random.default_rng(1), np.full(20, 400.0))
    path = tmp_path / "hh.h5"
    write_sample_file(path, events.jets, np.full(20, 1e-4), kl=2.45, signal=True, n_generated=400)
    return path, events


def test_normalisation_bookkeeping_is_read(sample):
    path, _ = sample
    sample_file = read_sample_file(path)
    assert sample_file.kl == 2.45  # stored as float32, read back as the sample's decimal
    assert sample_file.split_fraction == 0.2
    assert sample_file.lo_cross_section_pb() == pytest.approx(400 * 1e-4)


def test_weighted_samples_and_missing_attributes_are_refused(sample, tmp_path):
    path, events = sample
    weighted = tmp_path / "weighted.h5"
    write_sample_file(weighted, events.jets, np.linspace(1, 2, 20), kl=1.0, signal=True, n_generated=400)
    with pytest.raises(ValueError, match="not uniform"):
        read_sample_file(weighted).lo_cross_section_pb()
    with h5py.File(path, "a") as handle:
        del handle.attrs[ATTR_CONFIG]
    with pytest.raises(ValueError, match="conversion attributes"):
        read_sample_file(path)


def test_tag_rate_weighted_signal_gives_its_generated_cross_section(sample, tmp_path):
    path, events = sample
    probability = np.linspace(0.05, 0.5, 20)
    weighted = tmp_path / "trf.h5"
    write_sample_file(weighted, events.jets, 1e-4 * probability, kl=1.0, signal=True, n_generated=400)
    with h5py.File(weighted, "a") as handle:
        handle.create_dataset(layout.selection_weight_key(), data=probability)
    sample_file = read_sample_file(weighted)
    np.testing.assert_allclose(sample_file.selection_weight, probability)
    assert sample_file.lo_cross_section_pb() == pytest.approx(400 * 1e-4)
    assert read_sample_file(path).selection_weight is None


def test_predictions_must_describe_the_same_events(sample, tmp_path):
    from multihiggs.io.predictions import write_predictions

    path, events = sample
    short = tmp_path / "short.h5"
    write_predictions(short, resolved_predictions("m", events.true_pairs[:5]))
    with pytest.raises(ValueError, match="same events"):
        read_method_events(path, short)
