"""The heavy-flavour QCD benchmark's four-tag weights on hand-made jets (no generation)."""

import awkward as ak
import numpy as np

from multihiggs.generate.reco.btag import CSV_LIKE, btag_efficiency

from .test_benchmark_scripts import load_script


def test_four_tag_weights_need_four_central_jets_above_40_gev():
    benchmark = load_script("heavy_flavour_qcd")
    jets = ak.zip(
        {
            "PT": [[100.0, 90.0, 80.0, 70.0], [100.0, 90.0, 80.0, 30.0], [100.0, 90.0, 80.0, 70.0]],  # 2nd: 4th < 40
            "Eta": [[0.0, 0.5, -0.5, 1.0], [0.0, 0.5, -0.5, 1.0], [0.0, 0.5, -0.5, 2.7]],  # 3rd: 4th forward
            "Flavor": [[5, 5, 5, 5], [5, 5, 5, 5], [5, 5, 4, 5]],
        }
    )
    weights, b_jets = benchmark.four_tag_weights(jets, np.array([2.0, 1.0, 1.0]))
    pt, eta = np.array([100.0, 90.0, 80.0, 70.0]), np.array([0.0, 0.5, -0.5, 1.0])
    expected = 2.0 * np.prod(btag_efficiency(np.full(4, 5), pt, eta, CSV_LIKE))
    assert np.isclose(weights[0], expected)
    assert weights[1] == weights[2] == 0.0
    assert list(b_jets) == [4, 3, 2]
