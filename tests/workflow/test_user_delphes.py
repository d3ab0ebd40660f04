"""A real Delphes file made by others (Delphes 3.4.2, CMS card) in place of a simulated sample, on the ci config."""

from __future__ import annotations

import json
from pathlib import Path

import h5py
import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO.parent / "shared/fixtures/delphes/cms_delphes-3.4.2_ttH_10events.root"
TARGET = "results/h5/hh/hh_kl1/train.h5"


@pytest.fixture
def fixture_config(tmp_path: Path) -> Path:
    """The ci config with the HH SM sample read from the shared Delphes file, with its reading settings."""
    if not FIXTURE.is_file():
        pytest.skip(f"shared fixture {FIXTURE} absent (CI has ../shared)")
    config = yaml.safe_load((REPO / "config/ci.yaml").read_text())
    config["inputs"]["delphes"] = {
        "hh_kl1": {
            "files": [str(FIXTURE)],
            "weight_convention": "mean",
            "btag_bits": {"CSV": 0, "UParT": None},
            "collections": {"Jet": "Jet", "FatJet": "FatJet"},
        }
    }
    # the weight convention is checked on every event: no b-tag requirement (nor its tag-rate weights)
    config["conversion"]["hh"]["four_tag"] = False
    path = tmp_path / "fixture.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_fixture_sample_is_planned_without_generation(fixture_config, snakemake, planned_jobs):
    result = snakemake("-n", TARGET, "--configfile", str(fixture_config), "--quiet", "rules")
    assert result.returncode == 0, result.stderr
    assert planned_jobs(result.stdout + result.stderr) == {"convert_sample": 1}


def test_fixture_sample_converts_through_the_workflow(fixture_config, snakemake, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    args = ["-s", str(REPO / "Snakefile"), "--directory", str(work), "--configfile", str(fixture_config)]
    result = snakemake(*args, "--cores", "1", TARGET)
    assert result.returncode == 0, result.stderr
    log = (work / "results/logs/convert/hh/hh_kl1.log").read_text()
    assert "the input files lack FatJet.ChargedEnergyFraction, Jet.BTag[UParT]" in log
    summary = json.loads(log.strip().splitlines()[-1])
    assert summary["n_generated"] == 10 and summary["sum_weights_pb"] == pytest.approx(0.574, rel=1e-3)
    with h5py.File(work / TARGET, "r") as handle:
        assert json.loads(handle.attrs["input_files"]) == [str(FIXTURE)]
        assert handle["INPUTS/Jets/MASK"].shape[1] == 10


def test_unknown_reading_setting_names_the_key(fixture_config, snakemake, tmp_path):
    config = yaml.safe_load(fixture_config.read_text())
    config["inputs"]["delphes"]["hh_kl1"]["btag_bits"]["Tight"] = 2
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(config))
    result = snakemake("-n", "--configfile", str(bad))
    assert result.returncode != 0
    assert "Tight" in result.stdout + result.stderr
