"""The heavy-flavour-enriched QCD sample: the hard-process split (veto hook, per-class normalisation, disjoint
classes), the g → bb̄ enhancement, and today's sample unchanged with the options at their defaults."""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

import awkward as ak
import numpy as np
import pytest
import uproot

from multihiggs.generate.__main__ import main
from multihiggs.generate.shard import shard_weights_pb, simulate_shard
from multihiggs.generate.shower import HardFlavourVeto, g_to_bb_enhancement_settings, has_b_quark
from multihiggs.io.delphes import read_delphes, read_metadata
from multihiggs.samples import SampleSpec

FINGERPRINT = Path(__file__).parent / "data" / "qcd_default_shard_fingerprint.json"
DETECTOR = {"ak5": {"pt_min_gev": 20.0, "eta_max": 2.5}, "ak8": {"pt_min_gev": 200.0, "eta_max": 2.5}}


@pytest.fixture(scope="module")
def split_sample(tmp_path_factory, qcd_spec) -> tuple[SampleSpec, list[Path]]:
    """A 100-event QCD sample in two shards, light (0) and b-hard (1), with the g -> bb enhancement."""
    spec = qcd_spec(b_hard_fraction=0.5, g_to_bb_enhancement=5.0)
    directory = tmp_path_factory.mktemp("split")
    paths = [directory / f"shard{shard}.root" for shard in range(spec.n_shards)]
    for shard, path in enumerate(paths):
        simulate_shard(spec, shard, path)
    return spec, paths


@pytest.fixture(scope="module")
def inclusive_sample(tmp_path_factory, qcd_spec) -> Path:
    """100 inclusive QCD events (the closure sample's settings: no split, no enhancement), one shard."""
    spec = qcd_spec(name="qcd_inclusive", events_per_shard=100)
    path = tmp_path_factory.mktemp("inclusive") / "shard0.root"
    simulate_shard(spec, 0, path)
    return path


class _Particle:
    def __init__(self, pid: int) -> None:
        self._pid = pid

    def id(self) -> int:
        return self._pid


class _Process:
    """Pythia's process record as the hook sees it: system, two beams, then the hard process."""

    def __init__(self, hard_ids: list[int]) -> None:
        self._ids = [90, 2212, 2212, *hard_ids]

    def __getitem__(self, index: int) -> _Particle:
        return _Particle(self._ids[index])

    def size(self) -> int:
        return len(self._ids)


@pytest.mark.parametrize(
    ("hard_ids", "b_hard"),
    [([21, 21, 21, 21], False), ([21, 5, 21, 5], True), ([21, 21, 5, -5], True), ([-5, 5, 1, -1], True),
     ([2, -2, 4, -4], False), ([2212, 21, 2212, 21], False)],
)  # fmt: skip
def test_hook_vetoes_the_other_class(hard_ids, b_hard):
    """The beams (entries 1, 2) are not looked at; a b quark anywhere in the hard process makes it b-hard."""
    assert has_b_quark(hard_ids) is b_hard
    keep_b, keep_light = HardFlavourVeto(keep_b_hard=True), HardFlavourVeto(keep_b_hard=False)
    assert keep_b.canVetoProcessLevel() and keep_light.canVetoProcessLevel()
    assert keep_b.doVetoProcessLevel(_Process(hard_ids)) is (not b_hard)
    assert keep_light.doVetoProcessLevel(_Process(hard_ids)) is b_hard
    assert (keep_b.n_seen, keep_b.n_vetoed + keep_light.n_vetoed) == (1, 1)


def test_enhancement_settings():
    assert g_to_bb_enhancement_settings(1.0) == []
    assert g_to_bb_enhancement_settings(5) == ["Enhancements:doEnhance = on", "EnhancedSplittings:List = {fsr:G2BB=5}"]
    with pytest.raises(ValueError, match=">= 1"):
        g_to_bb_enhancement_settings(0.9)


def test_shard_weights_hold_the_shard_share_of_the_class_cross_section():
    weights = np.array([1.0, 3.0, 4.0])
    assert shard_weights_pb(weights, 80.0, 6).sum() == pytest.approx(80.0 * 3 / 6)
    assert shard_weights_pb(weights, 80.0, 6) / shard_weights_pb(weights, 80.0, 6)[0] == pytest.approx([1, 3, 4])


def _hard_b_quarks(path: Path) -> np.ndarray:
    """b quarks (incoming |status| 21 or outgoing 23) in each event's hard process, from the pruned record."""
    particles = read_delphes(path, ["Particle.PID", "Particle.Status"])
    hard = (particles["Particle.Status"] == 21) | (particles["Particle.Status"] == 23)
    return ak.to_numpy(ak.sum(hard & (abs(particles["Particle.PID"]) == 5), axis=1))


def test_classes_are_disjoint_and_vetoed_at_the_process_level(split_sample):
    _, (light, b_hard) = split_sample
    assert (read_metadata(light)["hard_process_class"], read_metadata(b_hard)["hard_process_class"]) == (
        "light",
        "b_hard",
    )
    assert (_hard_b_quarks(light) == 0).all()
    assert (_hard_b_quarks(b_hard) > 0).all()
    metadata = read_metadata(b_hard)
    # About 3 % of the hard processes have a b quark: many process-level events looked at per kept one.
    assert metadata["hard_process_seen"] - metadata["hard_process_vetoed"] >= metadata["n_events"] == 50
    assert metadata["hard_process_vetoed"] > 10 * metadata["n_events"]
    assert read_metadata(light)["hard_process_vetoed"] < read_metadata(light)["n_events"]


def test_weights_of_both_classes_add_up_to_the_inclusive_cross_section(split_sample, inclusive_sample):
    spec, paths = split_sample
    metadata = [read_metadata(path) for path in paths]
    assert [m["n_events_class"] for m in metadata] == [spec.class_events("light"), spec.class_events("b_hard")]
    assert [m["n_events_class"] for m in metadata] == [50, 50]
    assert [m["g_to_bb_enhancement"] for m in metadata] == [5.0, 5.0]
    sums = [float(ak.sum(read_delphes(path, ["Event.Weight"])["Event.Weight"])) for path in paths]
    sigma_light, sigma_b = (m["cross_section_pb"] for m in metadata)
    assert sums == pytest.approx([sigma_light, sigma_b], rel=1e-6)  # one shard per class: its whole σ
    assert 0.01 < sigma_b / (sigma_light + sigma_b) < 0.06  # measured: 3.1 % of σ(p̂T > 100 GeV)
    inclusive = read_metadata(inclusive_sample)
    assert inclusive["hard_process_class"] == "inclusive" and inclusive["hard_process_seen"] is None
    error = np.hypot(np.hypot(*(m["cross_section_error_pb"] for m in metadata)), inclusive["cross_section_error_pb"])
    assert abs(sigma_light + sigma_b - inclusive["cross_section_pb"]) < 4 * error


def _fingerprint(path: Path) -> dict[str, str]:
    """SHA-256 of every branch's values (and of the entries per event of jagged branches)."""
    tree = uproot.open(path)["Delphes"]
    prints = {}
    for key in sorted(tree.keys()):
        array = tree[key].array(library="ak")
        flat = ak.to_numpy(ak.flatten(array, axis=None)) if array.ndim > 1 else ak.to_numpy(array)
        digest = hashlib.sha256(np.ascontiguousarray(flat).tobytes())
        if array.ndim > 1:
            digest.update(ak.to_numpy(ak.num(array)).astype(np.int64).tobytes())
        prints[key] = digest.hexdigest()
    return prints


def test_default_options_give_todays_sample_bit_for_bit(tmp_path):
    """b_hard_fraction 0 and g_to_bb_enhancement 1: the same settings, random streams and bytes as before the
    options existed (fingerprints of a shard made by the code of commit b8b4277)."""
    reference = json.loads(FINGERPRINT.read_text())
    installed = {name: version(name) for name in ("pythia8mc", "fastjet", "numpy")}
    if installed != {name: reference[name] for name in installed}:
        pytest.skip(f"fingerprints made with {[reference[n] for n in installed]}, installed {installed}")
    spec = SampleSpec(
        name="qcd", process="qcd", n_events=400, events_per_shard=200, seed=7, sqrt_s_gev=13000.0, pthat_min_gev=100.0,
        bias_power=4.0, batch_size=100, multiparton_interactions=False, detector=DETECTOR,
    )  # fmt: skip
    path = tmp_path / "shard1.root"
    result = simulate_shard(spec, 1, path)
    assert result.cross_section_pb == reference["cross_section_pb"]
    assert _fingerprint(path) == reference["branches"]
    assert read_metadata(path)["hard_process_class"] == "inclusive"


def test_closure_command_on_generated_samples(split_sample, inclusive_sample, tmp_path):
    _, paths = split_sample
    outputs = {ext: tmp_path / f"closure.{ext}" for ext in ("pdf", "md", "json")}
    status = main(
        ["qcd-closure", "--stitched", *map(str, paths), "--inclusive", str(inclusive_sample), "--sqrt-s", "13000",
         *(arg for ext, path in outputs.items() for arg in (f"--output-{ext}", str(path)))]
    )  # fmt: skip
    assert status == 0
    assert all(path.stat().st_size > 0 for path in outputs.values()) and (tmp_path / "closure.png").exists()
    document = json.loads(outputs["json"].read_text())
    stitched = document["cross_sections"]["stitched"]
    assert set(stitched) == {"light", "b_hard", "total"}
    assert stitched["total"]["value_pb"] == pytest.approx(
        sum(stitched[name]["value_pb"] for name in ("light", "b_hard"))
    )
    assert document["n_events"] == {"stitched": 100, "inclusive": 100}
    assert len(document["histograms"]) == 6
    assert "qcd: total" in outputs["md"].read_text()


def test_closure_command_reports_a_missing_file(tmp_path, capsys):
    args = ["qcd-closure", "--stitched", str(tmp_path / "none.root"), "--inclusive", str(tmp_path / "none.root")]
    outputs = [f"--output-{ext}={tmp_path / ('out.' + ext)}" for ext in ("pdf", "md", "json")]
    assert main(args + outputs) == 2
    assert "none.root" in capsys.readouterr().err
    assert not list(tmp_path.glob("out.*"))
