"""Seed replicas of κλ-scan claims: the labels a claim reads, and the scan seen by one replica."""

from multihiggs.reproduction.replicas import scan_labels, scan_with_replica

SCAN = {
    "kl": [0.0, 1.0],
    "methods": [
        {"label": "spanet_sm", "lower": -4.0},
        {"label": "spanet_kl_mixed_dnn", "lower": -3.0},
        {"label": "chi2", "lower": -5.0},
        {"label": "spanet_sm_seed1", "lower": -4.4},
        {"label": "spanet_kl_mixed_seed1_dnn", "lower": -3.3},
    ],
}


def test_scan_labels_of_an_expression():
    expression = {"ratio": [
        {"scan": {"path": "methods[label=spanet_sm].intervals[luminosity_fb=139].profile_95.lower"}},
        {"scan": {"path": "methods[label=chi2].intervals[luminosity_fb=139].profile_95.lower"}},
    ]}  # fmt: skip
    assert scan_labels(expression) == {"spanet_sm", "chi2"}
    assert scan_labels({"metric": {"method": "spanet_sm", "path": "purity"}}) == set()


def test_a_replica_sees_its_own_entries_under_the_methods_labels():
    trainings = {"spanet_sm": 3, "spanet_kl_mixed": 2}
    first = {entry["label"]: entry["lower"] for entry in scan_with_replica(SCAN, 1, trainings)["methods"]}
    assert first["spanet_sm"] == -4.4 and first["spanet_kl_mixed_dnn"] == -3.3 and first["chi2"] == -5.0
    # replica 2: spanet_sm was not fitted (absent: not measured), κλ-mixed has only two trainings (its own entry)
    second = {entry["label"]: entry["lower"] for entry in scan_with_replica(SCAN, 2, trainings)["methods"]}
    assert "spanet_sm" not in second and second["spanet_kl_mixed_dnn"] == -3.0 and second["chi2"] == -5.0
    assert scan_with_replica(SCAN, 1, trainings)["kl"] == SCAN["kl"]


def test_an_interval_spread_source_follows_the_network_of_its_fit_method():
    from multihiggs.reproduction.replicas import replica_source, replica_sources
    from multihiggs.reproduction.sources import SourceRef

    trainings = {"spanet_kl_mixed": 2}
    dnn = SourceRef.make("interval", {"method": "spanet_kl_mixed_dnn"})
    head = SourceRef.make("interval", {"method": "spanet_kl_mixed"})
    baseline = SourceRef.make("interval", {"method": "min_delta_r"})
    assert replica_source(dnn, 1, trainings).path == "stats/hh/interval_spread_spanet_kl_mixed_seed1_dnn.json"
    assert replica_source(head, 1, trainings).path == "stats/hh/interval_spread_spanet_kl_mixed_seed1.json"
    assert replica_source(baseline, 1, trainings) == baseline
    replicas = replica_sources([dnn, baseline], trainings)
    assert [ref.values["method"] for ref in replicas] == ["spanet_kl_mixed_seed1_dnn"]
