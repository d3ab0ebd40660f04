import itertools

import numpy as np
import pytest
import vector
from hypothesis import given, settings
from hypothesis import strategies as st

from multihiggs.baselines.jet_selection import four_tag_jets, leading_by_btag_then_pt, leading_by_pt
from multihiggs.baselines.mass_agnostic import DEFAULT_MASS_RATIO, mass_agnostic_pairing
from multihiggs.baselines.min_delta_r import min_delta_r_pairing
from multihiggs.jets import Jets

from .events import build_events, pairings_as_sets, random_jets


def jets_from_rows(rows: list[tuple[float, float, float, float]]) -> Jets:
    """One event from (pt GeV, eta, phi rad, btag) rows, massless jets."""
    pt, eta, phi, btag = (np.array([[row[i] for row in rows]]) for i in range(4))
    return Jets(pt, eta, phi, np.zeros_like(pt), btag, np.ones_like(pt, dtype=bool))


def reference_choice(jets: Jets, four_jets: np.ndarray, objective) -> list[set[frozenset[int]]]:
    """Loop-based reading of the rule: over the 3 pairings, leading candidate = larger dijet pT, minimise
    ``objective(leading jets, subleading jets)`` computed with vector objects."""
    chosen = []
    for event, selected in enumerate(four_jets):
        if (selected < 0).any():
            chosen.append(set())
            continue
        momenta = {
            int(j): vector.obj(
                pt=jets.pt[event, j], eta=jets.eta[event, j], phi=jets.phi[event, j], mass=jets.mass[event, j]
            )
            for j in selected
        }
        best = None
        first = int(selected[0])
        for partner in selected[1:]:
            pair_a = (first, int(partner))
            pair_b = tuple(int(j) for j in selected if j not in pair_a)
            sums = [momenta[pair[0]] + momenta[pair[1]] for pair in (pair_a, pair_b)]
            lead, sub = (pair_a, pair_b) if sums[0].pt >= sums[1].pt else (pair_b, pair_a)
            value = objective([momenta[j] for j in lead], [momenta[j] for j in sub])
            if best is None or value < best[0]:
                best = (value, {frozenset(lead), frozenset(sub)})
        chosen.append(best[1])
    return chosen


def mass_distance(lead, sub):
    k = DEFAULT_MASS_RATIO
    return abs((lead[0] + lead[1]).mass - k * (sub[0] + sub[1]).mass) / np.sqrt(1 + k**2)


def leading_delta_r(lead, sub):
    return lead[0].deltaR(lead[1])


@pytest.mark.parametrize(
    ("pairing", "objective"), [(mass_agnostic_pairing, mass_distance), (min_delta_r_pairing, leading_delta_r)]
)
def test_vectorised_pairing_matches_the_rule_read_literally(pairing, objective):
    jets = random_jets(np.random.default_rng(21), 60, 8, n_real=6)
    four_jets = leading_by_btag_then_pt(jets, 4)
    result = pairing(jets, four_jets)
    assert pairings_as_sets(result.jet_pairs) == reference_choice(jets, four_jets, objective)


def test_min_delta_r_pairs_the_collimated_hard_higgs():
    # H1: hard, two close jets (Delta R = 0.3); H2: soft, wide (Delta R = 2.2) and crossing H1's jets.
    jets = jets_from_rows([(220.0, 0.0, 0.0, 1), (180.0, 0.3, 0.0, 1), (45.0, 1.1, 1.0, 1), (40.0, -1.1, 0.5, 1)])
    result = min_delta_r_pairing(jets, np.array([[0, 1, 2, 3]]))
    assert result.jet_pairs.tolist() == [[[0, 1], [2, 3]]]
    assert result.objective[0] == pytest.approx(0.3)


def test_min_delta_r_looks_only_at_the_leading_candidate():
    # Jets 2 and 3 are the closest pair in the event (Delta R = 0.1), but in their pairing the leading
    # candidate is {0, 1} (Delta R = 1.5); pairing {0, 2} {1, 3} has a leading candidate with Delta R = 1.0.
    jets = jets_from_rows([(200.0, 0.0, 0.0, 1), (150.0, 0.0, 1.5, 1), (30.0, 0.0, 1.0, 1), (25.0, 0.0, 1.1, 1)])
    result = min_delta_r_pairing(jets, np.array([[0, 1, 2, 3]]))
    assert pairings_as_sets(result.jet_pairs) == [{frozenset({0, 2}), frozenset({1, 3})}]
    assert result.objective[0] == pytest.approx(1.0)


def test_mass_agnostic_pairs_resonances_of_any_common_mass_with_the_harder_one_leading():
    # Resonances at k * 200 and 200 GeV (no 125 GeV anywhere): where the heavier one is the harder candidate,
    # the true pairing has D = 0 and must be chosen; where it is the softer one, k works against it.
    events = build_events(40, (DEFAULT_MASS_RATIO * 200.0, 200.0), seed=4, resonance_pt_range=(100.0, 400.0))
    result = mass_agnostic_pairing(events.jets, leading_by_btag_then_pt(events.jets, 4))
    momenta = events.jets.four_momenta()
    heavy, light = (
        momenta[np.arange(40), events.true_pairs[:, h, 0]] + momenta[np.arange(40), events.true_pairs[:, h, 1]]
        for h in (0, 1)
    )
    heavy_is_harder = heavy.pt > light.pt
    assert 10 <= heavy_is_harder.sum() <= 30
    np.testing.assert_allclose(result.objective[heavy_is_harder], 0.0, atol=1e-6)
    chosen = pairings_as_sets(result.jet_pairs[heavy_is_harder])
    assert chosen == pairings_as_sets(events.true_pairs[heavy_is_harder])


@settings(max_examples=30, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), order=st.permutations(range(4)))
def test_hh_pairings_do_not_depend_on_the_order_of_the_four_jets(seed, order):
    jets = random_jets(np.random.default_rng(seed), 10, 6)
    four_jets = leading_by_btag_then_pt(jets, 4)
    for pairing in (mass_agnostic_pairing, min_delta_r_pairing):
        reference = pairing(jets, four_jets)
        shuffled = pairing(jets, four_jets[:, list(order)])
        assert pairings_as_sets(shuffled.jet_pairs) == pairings_as_sets(reference.jet_pairs)
        np.testing.assert_allclose(shuffled.objective, reference.objective, rtol=1e-9)


def test_events_without_four_jets_are_not_paired():
    jets = random_jets(np.random.default_rng(3), 2, 6, n_real=3)
    for pairing in (mass_agnostic_pairing, min_delta_r_pairing):
        result = pairing(jets, leading_by_btag_then_pt(jets, 4))
        assert (result.jet_pairs == -1).all() and np.isnan(result.objective).all()
    with pytest.raises(ValueError, match="four_jets must have shape"):
        min_delta_r_pairing(jets, np.zeros((2, 3), dtype=int))


def test_four_tag_selection_takes_the_four_hardest_eligible_b_jets():
    rows = [
        (300.0, 0.5, 0.0, 0),  # untagged
        (200.0, 2.7, 0.0, 1),  # outside |eta| < 2.5
        (150.0, 0.0, 1.0, 1),
        (120.0, -1.0, 2.0, 1),
        (90.0, 1.0, -1.0, 1),
        (60.0, 0.0, -2.0, 1),
        (50.0, 0.0, 3.0, 1),  # fifth eligible b jet: dropped
        (35.0, 0.0, 0.5, 1),  # below 40 GeV
    ]
    jets = jets_from_rows(rows)
    assert four_tag_jets(jets).tolist() == [[2, 3, 4, 5]]
    three_tags = jets_from_rows([*rows[:5], (35.0, 0.0, 0.5, 1)])
    assert four_tag_jets(three_tags).tolist() == [[-1, -1, -1, -1]]


def test_leading_by_btag_then_pt_orders_tagged_jets_first():
    jets = jets_from_rows([(300.0, 0, 0, 0), (200.0, 0, 1, 1), (100.0, 0, 2, 0), (50.0, 0, 3, 1)])
    assert leading_by_btag_then_pt(jets, 3).tolist() == [[1, 3, 0]]
    assert leading_by_btag_then_pt(jets, 6).tolist() == [[1, 3, 0, 2, -1, -1]]
    masked = Jets(jets.pt, jets.eta, jets.phi, jets.mass, jets.btag, np.array([[True, False, True, True]]))
    assert leading_by_btag_then_pt(masked, 4).tolist() == [[3, 0, 2, -1]]


def test_leading_by_pt_ignores_the_b_tag():
    jets = jets_from_rows([(100.0, 0, 0, 0), (300.0, 0, 1, 1), (50.0, 0, 2, 1), (200.0, 0, 3, 0)])
    assert leading_by_pt(jets, 3).tolist() == [[1, 3, 0]]
    masked = Jets(jets.pt, jets.eta, jets.phi, jets.mass, jets.btag, np.array([[True, False, True, True]]))
    assert leading_by_pt(masked, 4).tolist() == [[3, 0, 2, -1]]


def test_all_three_pairings_are_considered():
    jets = random_jets(np.random.default_rng(5), 200, 4)
    chosen = pairings_as_sets(min_delta_r_pairing(jets, np.tile(np.arange(4), (200, 1))).jet_pairs)
    possible = [{frozenset(a), frozenset(set(range(4)) - set(a))} for a in itertools.combinations(range(4), 2)]
    assert all(choice in possible for choice in chosen)
    assert len({frozenset(choice) for choice in chosen}) == 3
