import awkward as ak
import numpy as np
import pytest

from multihiggs.generate.reco.btag import (
    CSV_LIKE,
    UPART_LIKE,
    BTagWorkingPoint,
    btag_efficiency,
    draw_btag_bitmask,
)

N_JETS = 200_000


def _within_binomial(tagged: np.ndarray, probability: float, n_sigma: float = 4.0) -> bool:
    error = np.sqrt(probability * (1 - probability) / tagged.size)
    return abs(tagged.mean() - probability) <= n_sigma * max(error, 1e-12)


@pytest.mark.parametrize(("bit", "working_point"), [(0, CSV_LIKE), (1, UPART_LIKE)])
@pytest.mark.parametrize("flavour", [5, 4, 0])
def test_bitmask_reproduces_nominal_working_points(bit, working_point, flavour):
    nominal = {5: working_point.efficiency_b, 4: working_point.efficiency_c, 0: working_point.efficiency_light}
    pt = np.full(N_JETS, working_point.reference_pt_gev)
    bitmask = draw_btag_bitmask(np.full(N_JETS, flavour), pt, np.zeros(N_JETS), np.random.default_rng(11))
    assert _within_binomial((bitmask >> bit) & 1, nominal[flavour])


def test_bitmask_follows_the_efficiency_over_a_pt_spectrum():
    rng = np.random.default_rng(5)
    pt = 20.0 + rng.exponential(150.0, N_JETS)
    eta = rng.uniform(-3.0, 3.0, N_JETS)
    flavour = rng.choice([0, 4, 5], N_JETS)
    bitmask = draw_btag_bitmask(flavour, pt, eta, np.random.default_rng(6))
    for bit, working_point in enumerate((CSV_LIKE, UPART_LIKE)):
        for label in (0, 4, 5):
            chosen = flavour == label
            expected = btag_efficiency(flavour[chosen], pt[chosen], eta[chosen], working_point).mean()
            assert _within_binomial((bitmask[chosen] >> bit) & 1, expected)


def test_working_points_share_the_random_number():
    n = 20_000
    rng = np.random.default_rng(3)
    b_tags = draw_btag_bitmask(np.full(n, 5), np.full(n, 80.0), np.zeros(n), rng)
    c_tags = draw_btag_bitmask(np.full(n, 4), np.full(n, 80.0), np.zeros(n), rng)
    assert not np.any(b_tags == 1)  # CSV-like b tags ⊂ UParT-like ones (ε_b 0.70 < 0.85)
    assert not np.any(c_tags == 2)  # UParT-like c tags ⊂ CSV-like ones (ε_c 0.15 < 0.20)


def test_bitmask_is_reproducible_with_a_seed():
    flavour, pt, eta = np.array([5, 4, 0] * 100), np.full(300, 60.0), np.zeros(300)
    first = draw_btag_bitmask(flavour, pt, eta, np.random.default_rng(1))
    assert first.dtype == np.int32
    assert np.array_equal(first, draw_btag_bitmask(flavour, pt, eta, np.random.default_rng(1)))
    assert not np.array_equal(first, draw_btag_bitmask(flavour, pt, eta, np.random.default_rng(2)))


def test_efficiency_shape():
    pt = np.array([20.0, 50.0, 80.0, 300.0, 1000.0])
    for working_point in (CSV_LIKE, UPART_LIKE):
        b = btag_efficiency(np.full(5, 5), pt, np.zeros(5), working_point)
        light = btag_efficiency(np.zeros(5, dtype=int), pt, np.zeros(5), working_point)
        assert b[0] < b[1] < b[2] and b[2] > b[3] > b[4]  # turn-on, then slow fall
        assert np.all(np.diff(light) > 0)  # light mistag rises with pT
        assert b[2] == pytest.approx(working_point.efficiency_b)
    assert np.all(btag_efficiency(np.full(3, 5), np.full(3, 100.0), np.array([2.51, -3.0, 4.0]), CSV_LIKE) == 0)


def test_efficiency_accepts_awkward_arrays():
    efficiency = btag_efficiency(
        ak.Array([[5, 0], []]), ak.Array([[80.0, 80.0], []]), ak.Array([[0.0, 0.0], []]), CSV_LIKE
    )
    assert efficiency.tolist() == [[pytest.approx(0.70), pytest.approx(0.01)], []]


def test_bad_inputs():
    with pytest.raises(ValueError, match="pt_gev >= 0"):
        btag_efficiency(np.array([5]), np.array([-1.0]), np.array([0.0]), CSV_LIKE)
    with pytest.raises(TypeError, match="BTagWorkingPoint"):
        btag_efficiency(np.array([5]), np.array([50.0]), np.array([0.0]), "CSV")
    with pytest.raises(ValueError, match="efficiency_b"):
        BTagWorkingPoint("broken", efficiency_b=1.2, efficiency_c=0.1, efficiency_light=0.01)
