"""Tag-rate-function tag configurations: exact conditional sampling given ≥ n tags, and the other working point."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from delphes_events import chunk_from_events
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose, assert_array_equal
from scipy import stats

from multihiggs.convert import splits
from multihiggs.convert.convert import ConversionConfig, _generator_tag_efficiency, convert_chunk
from multihiggs.convert.selection import SelectionConfig
from multihiggs.convert.tag_rate import at_least_tails, sample_tags_at_least, shared_uniform_given_tags
from multihiggs.generate.reco.btag import probability_at_least
from multihiggs.io import spanet_layout as layout


def _configuration_probabilities(efficiency: np.ndarray, n_required: int) -> np.ndarray:
    """(2^J,) exact P(configuration | ≥ n) by enumeration; configuration index = Σ_j t_j 2^j."""
    n_jets = len(efficiency)
    probabilities = np.zeros(2**n_jets)
    for tags in itertools.product([0, 1], repeat=n_jets):
        if sum(tags) >= n_required:
            index = sum(t << j for j, t in enumerate(tags))
            probabilities[index] = np.prod([p if t else 1 - p for p, t in zip(efficiency, tags, strict=True)])
    return probabilities / probabilities.sum()


def _configuration_index(tags: np.ndarray) -> np.ndarray:
    return (tags.astype(np.int64) << np.arange(tags.shape[1])).sum(axis=1)


def test_tail_table_ends_in_the_tag_rate_weight():
    efficiency = np.array([[0.7, 0.2, 0.05, 0.5, 0.0], [0.5, 0.5, 0.5, 0.5, 0.0], [0.9, 0.9, 0.9, 0.0, 0.0]])
    tails = at_least_tails(efficiency, 4)
    assert tails.shape == (3, 6, 5)
    assert_allclose(tails[:, 0, 4], probability_at_least(efficiency, 4))
    assert_allclose(tails[:, :, 0], 1.0)
    assert_allclose(tails[:, -1, 1:], 0.0)
    assert_allclose(tails[1, 2, 2], 0.25)  # the last two of four jets at 0.5 both tagged


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=0, max_size=8),
    st.integers(0, 5),
    st.integers(0, 2**32 - 1),
)
def test_sampled_configurations_always_have_enough_tags(probabilities, n_required, seed):
    efficiency = np.tile([*probabilities, 0.0], (200, 1))  # 200 draws of one event, plus a padding slot
    uniform = np.random.default_rng(seed).random(efficiency.shape)
    tags = sample_tags_at_least(efficiency, n_required, uniform)
    assert not tags[:, -1].any()  # a jet with ε = 0 is never tagged
    assert not tags[efficiency == 0].any()
    if probability_at_least(efficiency[:1], n_required)[0] > 0:
        assert (tags.sum(axis=1) >= n_required).all()


@pytest.mark.parametrize(
    ("efficiency", "n_required"),
    [
        ([0.7, 0.2, 0.05, 0.5, 0.9, 0.0], 3),
        ([0.7, 0.01, 0.01, 0.2, 0.6], 4),  # needs unlikely light-jet tags
        ([1.0, 0.3, 0.3, 0.6], 2),  # a jet that is always tagged
        ([0.7, 0.2, 0.5], 0),  # no requirement: the unconditional distribution
    ],
)
def test_configuration_frequencies_match_the_exact_conditional_probabilities(efficiency, n_required):
    n_draws = 200_000
    expected = _configuration_probabilities(np.array(efficiency), n_required)
    uniform = np.random.default_rng(20240611).random((n_draws, len(efficiency)))
    tags = sample_tags_at_least(np.tile(efficiency, (n_draws, 1)), n_required, uniform)
    observed = np.bincount(_configuration_index(tags), minlength=len(expected))
    assert observed[expected == 0].sum() == 0  # impossible configurations never occur
    possible = expected > 0
    result = stats.chisquare(observed[possible], n_draws * expected[possible])
    assert result.pvalue > 1e-3, (observed[possible], n_draws * expected[possible])


def test_the_other_working_point_follows_the_shared_uniform_model():
    n_jets = 400_000
    rng = np.random.default_rng(5)
    # b jets with CSV selection (ε 0.70) and UParT (ε 0.85): CSV-tagged ⇒ UParT-tagged.
    csv_tagged = rng.random(n_jets) < 0.7
    uniform = shared_uniform_given_tags(csv_tagged, np.full(n_jets, 0.7), rng.random(n_jets))
    assert_array_equal(uniform < 0.7, csv_tagged)
    assert stats.kstest(uniform, "uniform").pvalue > 1e-3  # the generator's u, unconditionally
    upart_tagged = uniform < 0.85
    assert upart_tagged[csv_tagged].all()
    # P(UParT | not CSV) = (0.85 - 0.70) / 0.30, binomial error ≈ 0.0014
    assert upart_tagged[~csv_tagged].mean() == pytest.approx(0.5, abs=0.006)
    # c jets with UParT selection (ε 0.15) and CSV (ε 0.20): UParT-tagged ⇒ CSV-tagged.
    upart_c = rng.random(n_jets) < 0.15
    csv_c = shared_uniform_given_tags(upart_c, np.full(n_jets, 0.15), rng.random(n_jets)) < 0.2
    assert csv_c[upart_c].all()
    assert csv_c[~upart_c].mean() == pytest.approx(0.05 / 0.85, abs=0.003)


# ----------------------------------------------------------------------------------------- in the conversion


def _qcd_config(n_tags=4, working_point="CSV", **overrides):
    cuts = SelectionConfig(
        min_jets=4, four_tag=True, tag_rate_weights=True, n_tags=n_tags, tag_working_point=working_point
    )
    fields = {"sample": "qcd", "process": "qcd", "n_higgs": 2, "kl": 1.0, "signal": False, "selection": cuts}
    return ConversionConfig(**{**fields, **overrides})


def _qcd_events(n_events):
    """4 b jets, 2 c jets, 1 light jet in the tag acceptance, and 2 soft jets outside (30 GeV) with bits 3 and 2."""
    jets = [{"PT": 150.0 - 10 * i, "Eta": 0.3 * i - 1, "Phi": 0.5 * i, "Flavor": 5} for i in range(4)]
    jets += [{"PT": 90.0 - 10 * i, "Eta": 0.5, "Phi": 2.5 + i, "Flavor": 4} for i in range(2)]
    jets += [{"PT": 60.0, "Eta": -0.5, "Phi": -2.0, "Flavor": 0}]
    jets += [{"PT": 30.0, "Eta": 0.0, "Phi": -1.0, "BTag": 3}, {"PT": 25.0, "Eta": 0.0, "Phi": -0.5, "BTag": 2}]
    return [{"jets": jets, "number": number, "weight": 1.0} for number in range(n_events)]


def _stored_bits(columns):
    return {
        wp: columns[layout.input_key(layout.JETS, f)] == 1 for wp, f in layout.BTAG_FEATURE_BY_WORKING_POINT.items()
    }


def test_conversion_writes_sampled_tags_consistent_across_working_points():
    n_events = 4000
    chunk = chunk_from_events(_qcd_events(n_events))
    efficiency = _generator_tag_efficiency()
    for working_point in ("CSV", "UParT"):
        columns, _ = convert_chunk(chunk, _qcd_config(working_point=working_point), 1.0, efficiency)
        bits = _stored_bits(columns)
        assert (bits[working_point][:, :7].sum(axis=1) >= 4).all()
        # b jets (slots 0-3): CSV ⇒ UParT; c jets (slots 4-5): UParT ⇒ CSV (ε_c is larger for CSV-like).
        assert not (bits["CSV"][:, :4] & ~bits["UParT"][:, :4]).any()
        assert not (bits["UParT"][:, 4:6] & ~bits["CSV"][:, 4:6]).any()
        # Soft jets outside the tag acceptance keep their drawn bits.
        assert_array_equal(bits["CSV"][:, 7:9], np.tile([True, False], (n_events, 1)))
        assert_array_equal(bits["UParT"][:, 7:9], True)
        assert_allclose(columns[layout.event_weight_key()], columns[layout.event_weight_key()][0])  # one P(≥ 4)
    # Leading b jet, CSV selection: P(UParT | not CSV) = (ε_U - ε_C) / (1 - ε_C) at its pT.
    columns, _ = convert_chunk(chunk, _qcd_config(), 1.0, efficiency)
    bits = _stored_bits(columns)
    pt, eta, flavour = np.array([150.0]), np.array([-1.0]), np.array([5])
    eps_csv, eps_upart = (efficiency(flavour, pt, eta, wp)[0] for wp in ("CSV", "UParT"))
    not_csv = ~bits["CSV"][:, 0]
    assert not_csv.sum() > 200
    rate, expected = bits["UParT"][not_csv, 0].mean(), (eps_upart - eps_csv) / (1 - eps_csv)
    assert rate == pytest.approx(expected, abs=4 * np.sqrt(expected * (1 - expected) / not_csv.sum()))


def test_tag_draws_are_reproducible_chunk_independent_and_seeded():
    events = _qcd_events(300)
    efficiency = _generator_tag_efficiency()
    config = _qcd_config(split_seed=3)
    whole, _ = convert_chunk(chunk_from_events(events), config, 1.0, efficiency)
    again, _ = convert_chunk(chunk_from_events(events), config, 1.0, efficiency)
    first, _ = convert_chunk(chunk_from_events(events[:120]), config, 1.0, efficiency)
    rest, _ = convert_chunk(chunk_from_events(events[120:]), config, 1.0, efficiency)
    other, _ = convert_chunk(chunk_from_events(events), _qcd_config(split_seed=3, tag_seed=4), 1.0, efficiency)
    btag = layout.input_key(layout.JETS, "btag")
    assert_array_equal(whole[btag], again[btag])
    assert_array_equal(whole[btag], np.concatenate([first[btag], rest[btag]]))
    assert not np.array_equal(whole[btag], other[btag])
    assert_array_equal(whole[layout.event_weight_key()], other[layout.event_weight_key()])
    # Without --tag-seed the split seed is used.
    explicit, _ = convert_chunk(chunk_from_events(events), _qcd_config(split_seed=3, tag_seed=3), 1.0, efficiency)
    assert_array_equal(whole[btag], explicit[btag])


def test_event_uniforms_are_fixed_per_event_and_independent_per_stream():
    numbers = np.arange(20_000)
    values = splits.event_uniforms("qcd", numbers, 1, 3, "trf-tags")
    assert values.shape == (20_000, 3) and (values >= 0).all() and (values < 1).all()
    assert_array_equal(values[100:200], splits.event_uniforms("qcd", numbers[100:200], 1, 3, "trf-tags"))
    assert_array_equal(values[:, :2], splits.event_uniforms("qcd", numbers, 1, 2, "trf-tags"))
    other_stream = splits.event_uniforms("qcd", numbers, 1, 3, "other")
    other_seed = splits.event_uniforms("qcd", numbers, 2, 3, "trf-tags")
    for sample in (values[:, 0], values[:, 2], other_stream[:, 0], other_seed[:, 0]):
        assert stats.kstest(sample, "uniform").pvalue > 1e-3
    for first, second in ((values[:, 0], values[:, 1]), (values[:, 0], other_stream[:, 0])):
        assert abs(np.corrcoef(first, second)[0, 1]) < 0.03
    split_uniform = splits.split_uniform("qcd", numbers, 1)
    assert abs(np.corrcoef(values[:, 0], split_uniform)[0, 1]) < 0.03
