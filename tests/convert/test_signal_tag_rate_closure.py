import numpy as np

from multihiggs.convert.signal_tag_rate_closure import event_observables


def test_observables_of_two_events():
    """Event 0: four back-to-back massless jets of 100 GeV at η = 0 (m_4j = 400 GeV), three tagged, one Higgs with
    both jets matched; event 1: one 50 GeV jet (m_4j = its mass, 0), untagged, no targets."""
    phi = np.array([[0.0, np.pi / 2, np.pi, -np.pi / 2], [0.0, 0.0, 0.0, 0.0]])
    pt = np.array([[100.0] * 4, [50.0, 0.0, 0.0, 0.0]])
    mask = np.array([[True] * 4, [True, False, False, False]])
    btag = np.array([[1.0, 1.0, 1.0, 0.0], [0.0] * 4])
    targets = np.array([[[0, 1], [2, -1]], [[-1, -1], [-1, -1]]])
    observables = event_observables(
        pt, np.zeros((2, 4)), np.sin(phi), np.cos(phi), np.zeros((2, 4)), btag, mask, np.array([6, 1]), targets
    )
    np.testing.assert_allclose(observables["m4j"], [400.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(observables["ht"], [400.0, 50.0])
    np.testing.assert_allclose(observables["leading_pt"], [100.0, 50.0])
    np.testing.assert_array_equal(observables["n_tagged"], [3, 0])
    np.testing.assert_array_equal(observables["n_resolved_higgs"], [1, 0])
    np.testing.assert_array_equal(observables["n_jets"], [6, 1])


def test_missing_inputs_fail_without_outputs(tmp_path):
    from multihiggs.convert.signal_tag_rate_closure import main

    missing = str(tmp_path / "missing.h5")
    outputs = [tmp_path / name for name in ("a.md", "a.json", "a.pdf")]
    code = main(["--tag-rate", missing, "--cut", missing, "--output-md", str(outputs[0]), "--output-json",
                 str(outputs[1]), "--output-pdf", str(outputs[2])])  # fmt: skip
    assert code != 0
    assert not any(path.exists() for path in outputs)


def test_swapped_pairing_needs_both_sides(tmp_path):
    from multihiggs.convert.signal_tag_rate_closure import main

    missing = str(tmp_path / "missing.h5")
    outputs = [tmp_path / name for name in ("a.md", "a.json", "a.pdf")]
    code = main(["--tag-rate", missing, "--cut", missing, "--swapped-cut", missing, "--output-md", str(outputs[0]),
                 "--output-json", str(outputs[1]), "--output-pdf", str(outputs[2])])  # fmt: skip
    assert code != 0
    assert not any(path.exists() for path in outputs)


def test_table_lists_both_pairings():
    from multihiggs.closure import WeightedHistogram
    from multihiggs.convert.signal_tag_rate_closure import PAIRINGS, closure_document, closure_table

    edges = np.array([0.0, 1.0, 2.0])
    cut = {"ht": WeightedHistogram.fill(np.array([0.5, 1.5, 1.5]), np.ones(3), edges)}
    trf = {"ht": WeightedHistogram.fill(np.array([0.5, 0.5, 1.5]), np.full(3, 0.5), edges)}
    table = closure_table({key: closure_document(cut, trf) for key, _, _ in PAIRINGS})
    assert table.count("σ × efficiency") == 2 and "| ht |" in table
    assert "p (tag-rate weights on the main sample)" in table
    assert "p (tag-rate weights on the independent sample)" in table
