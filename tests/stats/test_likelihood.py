import numpy as np
import pytest
from scipy.optimize import minimize

from multihiggs.stats.likelihood import (
    BatchedModel,
    Observations,
    fit,
    negative_log_likelihood,
    profiled_gamma,
    profiled_nll,
)


def random_problem(seed: int, n_points: int = 4, n_bins: int = 5):
    rng = np.random.default_rng(seed)
    shape = (n_points, n_bins)
    model = BatchedModel(
        signal=rng.uniform(1, 20, shape),
        background=rng.uniform(30, 200, shape),
        background_rel_unc=rng.uniform(0.02, 0.2, shape),
        log_kappa=np.log(rng.choice([1.0, 1.1, 1.3], n_points)),
    )
    counts = rng.poisson(0.7 * model.signal + 1.05 * model.background).astype(float)
    return model, Observations.nominal(counts)


def reference_fit(model: BatchedModel, data: Observations, point: int, fixed_mu: float | None) -> float:
    """Minimum NLL of one point over (μ, α, γ) with scipy, all parameters explicit."""
    n_bins = model.signal.shape[1]
    sub = BatchedModel(
        *(
            np.asarray(a)[point : point + 1]
            for a in (model.signal, model.background, model.background_rel_unc, model.log_kappa)
        )
    )
    sub_data = Observations(data.counts[point : point + 1], data.aux_gamma[point : point + 1], data.aux_alpha[[point]])

    def nll(x):
        mu = fixed_mu if fixed_mu is not None else x[0]
        alpha = x[1] if model.log_kappa[point] != 0 else 0.0
        return negative_log_likelihood(np.array([mu]), np.array([alpha]), x[None, 2:], sub, sub_data)[0]

    result = minimize(
        nll,
        np.r_[1.0, 0.0, np.ones(n_bins)],
        method="L-BFGS-B",
        bounds=[(0, 10), (-5, 5)] + [(1e-10, 10)] * n_bins,
        options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 10_000},
    )
    return float(result.fun)


@pytest.mark.parametrize("fixed_mu", [None, 1.0, 0.0])
def test_fast_fit_reaches_the_full_minimum(fixed_mu):
    model, data = random_problem(5)
    result = fit(model, data, fixed_mu=fixed_mu)
    for point in range(model.n_points):
        reference = reference_fit(model, data, point, fixed_mu)
        assert result.nll[point] <= reference + 1e-7
        assert result.nll[point] == pytest.approx(reference, abs=1e-6)
    if fixed_mu is not None:
        np.testing.assert_array_equal(result.mu, fixed_mu)


def test_profiled_gamma_zeroes_the_derivative():
    model, data = random_problem(7)
    mu, alpha = np.full(model.n_points, 0.8), np.full(model.n_points, 0.3)
    gamma = profiled_gamma(mu, alpha, model, data)
    step = 1e-6
    for sign in (-1, 1):
        shifted = negative_log_likelihood(mu, alpha, gamma + sign * step, model, data)
        assert (shifted >= negative_log_likelihood(mu, alpha, gamma, model, data) - 1e-9).all()


def test_without_mc_statistics_gamma_stays_at_its_auxiliary_datum():
    model, data = random_problem(9)
    fixed = BatchedModel(model.signal, model.background, np.zeros_like(model.background), model.log_kappa)
    gamma = profiled_gamma(np.ones(model.n_points), np.zeros(model.n_points), fixed, data)
    np.testing.assert_allclose(gamma, 1.0, rtol=1e-12)
    assert np.isfinite(fit(fixed, data).nll).all()


def test_asimov_data_at_the_truth_has_zero_deviance():
    model, _ = random_problem(2)
    asimov = Observations.nominal(model.signal + model.background)
    result = fit(model, asimov)
    np.testing.assert_allclose(result.mu, 1.0, atol=1e-6)
    np.testing.assert_allclose(result.nll, 0.0, atol=1e-9)
    assert profiled_nll(np.zeros(model.n_points), np.zeros(model.n_points), model, asimov).min() > 0


def test_bad_models_are_rejected():
    with pytest.raises(ValueError, match="positive background"):
        BatchedModel(np.ones((1, 2)), np.array([[1.0, 0.0]]), np.ones((1, 2)), np.zeros(1))
    with pytest.raises(ValueError, match="shape"):
        BatchedModel(np.ones((1, 2)), np.ones((1, 3)), np.ones((1, 3)), np.zeros(1))
