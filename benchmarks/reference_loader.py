"""Load our converted HDF5 files with the reference SPANet's own dataset loader (run on demand).

    .venv/bin/python benchmarks/reference_loader.py [--events 3000] [--keep DIR]

Proves the layout is the real one: converts small synthetic HHH and HH samples with ``multihiggs.convert`` (the HH
one merged with a QCD sample and random background κλ, as the κλ-mixed variant is), then, in the separate
``.venv-reference`` (git-ignored; created here when missing, following shared/reference-spanet.md: torch==2.13.0
from the local CPU wheel, spanet==2.1.1, pytorch-lightning==1.8.6, setuptools==80.9.0, rich, and a numpy-alias
shim), builds ``spanet.dataset.jet_reconstruction_dataset.JetReconstructionDataset`` on each file with the event
YAMLs of config/event_files (a temporary equivalent is written if one is absent). It then checks that the reference
sees the same number of events, the same jets and the same reconstructable targets as our files, and prints a
JSON report. Exit status 0 when every check passes, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import h5py
import numpy as np

from multihiggs.convert.convert import ConversionConfig, convert
from multihiggs.convert.merge import merge
from multihiggs.convert.selection import SelectionConfig
from multihiggs.convert.synthetic import write_synthetic_sample
from multihiggs.io import spanet_layout as layout

REPO = Path(__file__).resolve().parents[1]
REFERENCE_VENV = REPO / ".venv-reference"
REFERENCE_PACKAGES = (
    ["torch==2.13.0"],  # the local CPU wheel; never an unpinned torch
    ["spanet==2.1.1"],
    ["pytorch-lightning==1.8.6", "setuptools==80.9.0", "rich<14"],  # rich 15 crashes Lightning 1.8.6's bar
)
# numpy 2 removed these aliases; the reference's training code still uses np.object.
NUMPY_ALIAS_SHIM = """import numpy
for _name, _value in (("object", object), ("bool", bool), ("int", int), ("float", float)):
    if _name not in numpy.__dict__:
        setattr(numpy, _name, _value)
"""

# Equivalent of config/event_files/{hhh,hh_kl}.yaml, used only if those files are absent.
FALLBACK_EVENT_YAML = {
    "hhh": """INPUTS:
  SEQUENTIAL:
    Jets: {pt: log_normalize, eta: normalize, sinphi: none, cosphi: none, btag: none, mass: log_normalize}
    BoostedJets: {pt: log_normalize, eta: normalize, sinphi: none, cosphi: none, mass: log_normalize}
EVENT:
  h1: [{b1: Jets}, {b2: Jets}]
  h2: [{b1: Jets}, {b2: Jets}]
  h3: [{b1: Jets}, {b2: Jets}]
  bh1: [{bb: BoostedJets}]
  bh2: [{bb: BoostedJets}]
  bh3: [{bb: BoostedJets}]
PERMUTATIONS:
  EVENT:
    - [[h1, h2], [bh1, bh2]]
    - [[h1, h3], [bh1, bh3]]
    - [[h2, h3], [bh2, bh3]]
  h1: [[b1, b2]]
  h2: [[b1, b2]]
  h3: [[b1, b2]]
""",
    "hh_kl": """INPUTS:
  SEQUENTIAL:
    Jets: {pt: log_normalize, eta: normalize, sinphi: none, cosphi: none, btag: none, mass: log_normalize}
    BoostedJets: {pt: log_normalize, eta: normalize, sinphi: none, cosphi: none, mass: log_normalize}
  GLOBAL:
    Event: {kl: normalize}
EVENT:
  h1: [{b1: Jets}, {b2: Jets}]
  h2: [{b1: Jets}, {b2: Jets}]
  bh1: [{bb: BoostedJets}]
  bh2: [{bb: BoostedJets}]
PERMUTATIONS:
  EVENT:
    - [[h1, h2], [bh1, bh2]]
  h1: [[b1, b2]]
  h2: [[b1, b2]]
CLASSIFICATIONS:
  EVENT: [signal]
""",
}

# Runs inside .venv-reference: load one file with the reference loader and report what it sees.
REFERENCE_PROBE = r"""
import json, sys
import torch
from spanet.dataset.event_info import EventInfo
from spanet.dataset.jet_reconstruction_dataset import JetReconstructionDataset

data_file, event_file = sys.argv[1], sys.argv[2]
event_info = EventInfo.read_from_yaml(event_file)
dataset = JetReconstructionDataset(data_file, event_info, limit_index=1.0, partial_events=True)
mean, std = dataset.compute_source_statistics()
item = dataset[0]
report = {
    "num_events": int(dataset.num_events),
    "sources": {
        name: {"data": list(source.source_data.shape), "real_vectors": int(source.source_mask.sum())}
        for name, source in dataset.sources.items()
    },
    "targets_reconstructable": {name: int(mask.sum()) for name, (_, mask) in dataset.assignments.items()},
    "target_index_max": {name: int(target.max()) for name, (target, _) in dataset.assignments.items()},
    "classifications": {
        name: [int(v) for v in torch.bincount(values)] for name, values in dataset.classifications.items()
    },
    "statistics_finite": bool(all(torch.isfinite(m).all() and torch.isfinite(s).all()
                                  for m, s in zip(mean.values(), std.values()))),
    "item_parts": len(item),
    "torch": torch.__version__,
}
print("REPORT " + json.dumps(report))
"""


def ensure_reference_venv(venv: Path = REFERENCE_VENV) -> Path:
    """Python of the reference environment, created (once) with the pinned packages and the numpy shim."""
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        for packages in REFERENCE_PACKAGES:
            subprocess.run([str(python), "-m", "pip", "install", "--quiet", *packages], check=True)
    site_packages = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    )
    shim = site_packages / "multihiggs_numpy_aliases.py"
    if not shim.exists():
        shim.write_text(NUMPY_ALIAS_SHIM)
        (site_packages / "multihiggs_numpy_aliases.pth").write_text("import multihiggs_numpy_aliases\n")
    return python


def event_yaml(name: str, scratch: Path) -> Path:
    """config/event_files/NAME.yaml, or a temporary equivalent if the config does not have it."""
    path = REPO / "config" / "event_files" / f"{name}.yaml"
    if path.exists():
        return path
    fallback = scratch / f"{name}.yaml"
    fallback.write_text(FALLBACK_EVENT_YAML[name])
    return fallback


def our_view(path: Path, n_higgs: int) -> dict:
    """What the reference must see, read from our file with h5py."""
    with h5py.File(path, "r") as handle:
        reconstructable = {}
        for i in range(1, n_higgs + 1):
            b1, b2 = (handle[layout.resolved_target_key(i, d)][...] for d in ("b1", "b2"))
            reconstructable[layout.resolved_particle(i)] = int(((b1 >= 0) & (b2 >= 0)).sum())
            reconstructable[layout.boosted_particle(i)] = int((handle[layout.boosted_target_key(i)][...] >= 0).sum())
        return {
            "num_events": len(handle[layout.classification_key()]),
            "real_jets": int(handle[layout.mask_key(layout.JETS)][...].sum()),
            "real_boosted_jets": int(handle[layout.mask_key(layout.BOOSTED_JETS)][...].sum()),
            "targets_reconstructable": reconstructable,
            "signal_counts": np.bincount(handle[layout.classification_key()][...]).tolist(),
        }


def probe(python: Path, data_file: Path, event_file: Path) -> dict:
    result = subprocess.run(
        [str(python), "-c", REFERENCE_PROBE, str(data_file), str(event_file)], capture_output=True, text=True
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("REPORT ")]
    if result.returncode != 0 or not lines:
        return {"error": (result.stderr or result.stdout).strip().splitlines()[-20:]}
    return json.loads(lines[-1][len("REPORT ") :])


def compare(ours: dict, reference: dict) -> list[str]:
    """Disagreements between our view of a file and the reference loader's (empty when the layout is right)."""
    if "error" in reference:
        return ["reference loader failed: " + " | ".join(reference["error"])]
    problems = []
    if reference["num_events"] != ours["num_events"]:
        problems.append(f"events: reference {reference['num_events']}, ours {ours['num_events']}")
    seen = {name: source["real_vectors"] for name, source in reference["sources"].items()}
    if seen.get(layout.JETS) != ours["real_jets"] or seen.get(layout.BOOSTED_JETS) != ours["real_boosted_jets"]:
        problems.append(f"real jets: reference {seen}, ours {ours['real_jets']}, {ours['real_boosted_jets']}")
    if reference["targets_reconstructable"] != ours["targets_reconstructable"]:
        problems.append(
            f"targets: reference {reference['targets_reconstructable']}, ours {ours['targets_reconstructable']}"
        )
    if not reference["statistics_finite"]:
        problems.append("normalisation statistics are not finite")
    expected_max = layout.MAX_JETS + layout.MAX_BOOSTED  # boosted targets are offset by the 10 AK5 slots
    if any(value >= expected_max for value in reference["target_index_max"].values()):
        problems.append(f"target index beyond the jets: {reference['target_index_max']}")
    for name, counts in reference["classifications"].items():  # e.g. EVENT/signal of the κλ-mixed YAML
        if counts != ours["signal_counts"]:
            problems.append(f"{name} labels: reference {counts}, ours {ours['signal_counts']}")
    return problems


def converted_synthetic_sample(scratch: Path, process: str, n_events: int, seed: int, kl: float) -> Path:
    """``n_events`` synthetic events of ``process`` converted to SPANet HDF5 (all in train.h5); returns its path."""
    source = scratch / f"{process}.root"
    write_synthetic_sample(source, n_events, process, seed, kl=kl)
    n_higgs = 2 if process == "hh" else 3
    config = ConversionConfig(
        sample=process,
        process=process,
        n_higgs=n_higgs,
        kl=kl,
        signal=process != "qcd",
        selection=SelectionConfig(min_jets=2 * n_higgs),
        split_fractions=(1.0, 0.0, 0.0),
    )
    convert([source], scratch / process, config)
    return scratch / process / "train.h5"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--keep", type=Path, default=None, help="keep the converted files in this directory")
    args = parser.parse_args()
    python = ensure_reference_venv()
    with tempfile.TemporaryDirectory() as temporary:
        scratch = args.keep or Path(temporary)
        scratch.mkdir(parents=True, exist_ok=True)
        hhh = converted_synthetic_sample(scratch, "hhh", args.events, seed=1, kl=1.0)
        hh = converted_synthetic_sample(scratch, "hh", args.events, seed=2, kl=2.0)
        qcd_config = ConversionConfig(
            sample="qcd", process="qcd", n_higgs=2, kl=0.0, signal=False,
            selection=SelectionConfig(min_jets=4), split_fractions=(1.0, 0.0, 0.0),
        )  # fmt: skip
        write_synthetic_sample(scratch / "qcd.root", args.events, "qcd", seed=3)
        convert([scratch / "qcd.root"], scratch / "qcd", qcd_config)
        hh_mixed = scratch / "hh_kl_mixed.h5"
        merge([hh, scratch / "qcd" / "train.h5"], hh_mixed, seed=4, kl_values=[-5.0, 1.0, 5.0])

        report = {}
        for name, data_file, yaml_name, n_higgs in (("hhh", hhh, "hhh", 3), ("hh_kl_mixed", hh_mixed, "hh_kl", 2)):
            ours = our_view(data_file, n_higgs)
            reference = probe(python, data_file, event_yaml(yaml_name, scratch))
            report[name] = {"ours": ours, "reference": reference, "problems": compare(ours, reference)}
    print(json.dumps(report, indent=2))
    return 0 if all(not entry["problems"] for entry in report.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
