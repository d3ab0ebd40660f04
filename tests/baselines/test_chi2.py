import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from multihiggs.baselines.assignments import unique_assignments
from multihiggs.baselines.chi2 import chi2_pairing
from multihiggs.baselines.jet_selection import leading_by_btag_then_pt
from multihiggs.jets import Jets

from .events import build_events, pairings_as_sets, random_jets


def top_jets(jets: Jets, n_higgs: int) -> np.ndarray:
    return leading_by_btag_then_pt(jets, 2 * n_higgs)


@pytest.mark.parametrize("n_higgs", [2, 3])
@pytest.mark.parametrize("use_all_jets", [False, True])
@pytest.mark.parametrize("n_extra", [0, 3])
def test_chi2_finds_the_resonance_pairing(n_higgs, use_all_jets, n_extra):
    events = build_events(40, (125.0,) * n_higgs, n_extra=n_extra, seed=n_higgs + 10 * n_extra)
    candidate_jets = None if use_all_jets else top_jets(events.jets, n_higgs)
    result = chi2_pairing(events.jets, n_higgs, candidate_jets=candidate_jets)
    assert pairings_as_sets(result.jet_pairs) == pairings_as_sets(events.true_pairs)
    np.testing.assert_allclose(result.objective, 0.0, atol=1e-6)


def test_chi2_uses_the_given_higgs_mass():
    events = build_events(20, (90.0, 90.0, 90.0), seed=3)
    result = chi2_pairing(events.jets, 3, higgs_mass_gev=90.0)
    assert pairings_as_sets(result.jet_pairs) == pairings_as_sets(events.true_pairs)
    # With the default 125 GeV the true pairing (chi^2 = 3 * 35^2) loses in some events.
    default_mass = chi2_pairing(events.jets, 3)
    assert pairings_as_sets(default_mass.jet_pairs) != pairings_as_sets(events.true_pairs)


def test_top_jets_pool_excludes_untagged_jets_that_the_all_jets_pool_may_use():
    # Three b-tagged resonances plus an untagged jet pair forming an exact 125 GeV pair of its own: the
    # all-jets chi^2 has more zero-chi^2 choices, the top-jets chi^2 only sees the six b-tagged jets.
    events = build_events(10, (125.0, 125.0, 125.0, 125.0), seed=5)
    btag = events.jets.btag.copy()
    fourth = events.true_pairs[:, 3]
    np.put_along_axis(btag, fourth, 0.0, axis=1)
    jets = Jets(events.jets.pt, events.jets.eta, events.jets.phi, events.jets.mass, btag, events.jets.mask)
    result = chi2_pairing(jets, 3, candidate_jets=top_jets(jets, 3))
    assert pairings_as_sets(result.jet_pairs) == pairings_as_sets(events.true_pairs[:, :3])


def test_pairs_are_reported_in_original_jet_indexing_and_canonical_order():
    events = build_events(15, (125.0, 125.0, 125.0), n_extra=2, seed=8)
    permutation = np.random.default_rng(8).permutation(10)
    jets = events.jets
    shuffled = Jets(*(getattr(jets, name)[:, permutation] for name in ("pt", "eta", "phi", "mass", "btag", "mask")))
    result = chi2_pairing(shuffled, 3, candidate_jets=top_jets(shuffled, 3))
    in_original_slots = np.where(result.jet_pairs >= 0, permutation[result.jet_pairs], -1)
    assert pairings_as_sets(in_original_slots) == pairings_as_sets(events.true_pairs)
    assert (result.jet_pairs[..., 0] < result.jet_pairs[..., 1]).all()
    momenta = shuffled.four_momenta()
    dijet_pt = np.array(
        [[(momenta[e, i] + momenta[e, j]).pt for i, j in pairs] for e, pairs in enumerate(result.jet_pairs)]
    )
    assert (np.diff(dijet_pt, axis=1) <= 0).all(), "candidates by decreasing dijet pT"


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_real=st.integers(6, 10),
    n_higgs=st.sampled_from([2, 3]),
    use_all_jets=st.booleans(),
    data=st.data(),
)
def test_chosen_pairing_does_not_depend_on_jet_order(seed, n_real, n_higgs, use_all_jets, data):
    jets = random_jets(np.random.default_rng(seed), 8, 10, n_real=n_real)
    permutation = np.array(data.draw(st.permutations(range(10))))
    permuted = Jets(*(getattr(jets, name)[:, permutation] for name in ("pt", "eta", "phi", "mass", "btag", "mask")))

    def run(batch: Jets):
        return chi2_pairing(batch, n_higgs, candidate_jets=None if use_all_jets else top_jets(batch, n_higgs))

    reference, shuffled = run(jets), run(permuted)
    back = np.where(shuffled.jet_pairs >= 0, permutation[shuffled.jet_pairs], -1)
    assert pairings_as_sets(back) == pairings_as_sets(reference.jet_pairs)
    np.testing.assert_allclose(shuffled.objective, reference.objective, rtol=1e-9)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), rotation=st.floats(-np.pi, np.pi))
def test_chosen_pairing_is_invariant_under_azimuthal_rotation(seed, rotation):
    jets = random_jets(np.random.default_rng(seed), 8, 10)
    rotated_phi = np.mod(jets.phi + rotation + np.pi, 2 * np.pi) - np.pi
    rotated = Jets(jets.pt, jets.eta, rotated_phi, jets.mass, jets.btag, jets.mask)
    reference, turned = chi2_pairing(jets, 3), chi2_pairing(rotated, 3)
    assert pairings_as_sets(turned.jet_pairs) == pairings_as_sets(reference.jet_pairs)


def test_exact_tie_goes_to_the_first_assignment_in_table_order():
    # Jets 2 and 3 are copies of jets 0 and 1: {(0,1),(2,3)} and {(0,3),(1,2)} have bit-identical chi^2,
    # {(0,2),(1,3)} pairs identical massless jets (m = 0) and is far worse.
    base = {"pt": [60.0, 50.0], "eta": [0.2, -0.4], "phi": [0.3, 2.0]}
    jets = Jets(
        pt=np.array([base["pt"] * 2]),
        eta=np.array([base["eta"] * 2]),
        phi=np.array([base["phi"] * 2]),
        mass=np.zeros((1, 4)),
        btag=np.ones((1, 4)),
        mask=np.ones((1, 4), dtype=bool),
    )
    table = unique_assignments(4, 2).tolist()
    assert table.index([[0, 1], [2, 3]]) < table.index([[0, 3], [1, 2]])
    first = chi2_pairing(jets, 2)
    assert pairings_as_sets(first.jet_pairs) == [{frozenset({0, 1}), frozenset({2, 3})}]
    np.testing.assert_array_equal(chi2_pairing(jets, 2).jet_pairs, first.jet_pairs)


def test_events_with_too_few_jets_get_what_their_jets_allow():
    events = build_events(3, (125.0, 125.0), seed=11)
    mask = events.jets.mask.copy()
    mask[1, 3:] = False  # three jets: one candidate
    mask[2, 1:] = False  # one jet: nothing
    jets = Jets(events.jets.pt, events.jets.eta, events.jets.phi, events.jets.mass, events.jets.btag, mask)
    for candidate_jets in (None, top_jets(jets, 3)):
        result = chi2_pairing(jets, 3, candidate_jets=candidate_jets)
        assert pairings_as_sets(result.jet_pairs[:1]) == pairings_as_sets(events.true_pairs[:1])
        np.testing.assert_array_equal(result.jet_pairs[0, 2], [-1, -1])
        assert result.n_reconstructed.tolist() == [2, 1, 0]
        assert set(result.jet_pairs[1, 0].tolist()) <= {0, 1, 2}
        assert (result.jet_pairs[2] == -1).all() and np.isnan(result.objective[2])
        assert np.isfinite(result.objective[:2]).all()


def test_chi2_is_the_sum_over_candidates():
    jets = random_jets(np.random.default_rng(4), 5, 6)
    result = chi2_pairing(jets, 3)
    momenta = jets.four_momenta()
    for event, pairs in enumerate(result.jet_pairs):
        masses = [(momenta[event, i] + momenta[event, j]).mass for i, j in pairs]
        assert result.objective[event] == pytest.approx(sum((m - 125.0) ** 2 for m in masses))


def test_same_input_gives_identical_output():
    jets = random_jets(np.random.default_rng(9), 300, 10, n_real=8)
    first, second = chi2_pairing(jets, 3, chunk_events=7), chi2_pairing(jets, 3)
    np.testing.assert_array_equal(first.jet_pairs, second.jet_pairs)
    np.testing.assert_array_equal(first.objective, second.objective)


def test_bad_input_is_rejected_with_a_clear_error():
    good = random_jets(np.random.default_rng(1), 2, 6)
    eta = good.eta.copy()
    eta[0, 1] = np.nan
    with pytest.raises(ValueError, match="jet eta has non-finite values"):
        Jets(good.pt, eta, good.phi, good.mass, good.btag, good.mask)
    with pytest.raises(ValueError, match="jet mask must be boolean"):
        Jets(good.pt, good.eta, good.phi, good.mass, good.btag, good.mask.astype(int))
    with pytest.raises(ValueError, match="jet phi has shape"):
        Jets(good.pt, good.eta, good.phi[:, :4], good.mass, good.btag, good.mask)
    with pytest.raises(ValueError, match="n_higgs must be positive"):
        chi2_pairing(good, 0)
    with pytest.raises(ValueError, match="jet_index values must lie in"):
        chi2_pairing(good, 2, candidate_jets=np.array([[0, 1, 2, 7], [0, 1, 2, 3]]))
    with pytest.raises(ValueError, match="candidate_jets lists the same jet twice"):
        chi2_pairing(good, 2, candidate_jets=np.array([[0, 1, 2, 3], [0, 1, 1, -1]]))
