"""Shared helpers of the generator tests."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from multihiggs.samples import SampleSpec

#: Stored-jet acceptance of the small test samples (the default config's).
DETECTOR = {"ak5": {"pt_min_gev": 20.0, "eta_max": 2.5}, "ak8": {"pt_min_gev": 200.0, "eta_max": 2.5}}


@pytest.fixture(scope="session")
def qcd_spec() -> Callable[..., SampleSpec]:
    """Factory of small, fast QCD specs (MPI off, p̂T-bias power 2, 100 events in shards of 50); keywords override."""

    def make(**options) -> SampleSpec:
        values = dict(
            name="qcd", process="qcd", n_events=100, events_per_shard=50, seed=5, sqrt_s_gev=13000.0, bias_power=2.0,
            batch_size=50, multiparton_interactions=False, detector=DETECTOR,
        )  # fmt: skip
        return SampleSpec(**(values | options))

    return make
