# Input functions and config lookups shared by the rules. Logic lives in the multihiggs package.
import os
import sys
from pathlib import Path

from multihiggs.samples import ANALYSIS_N_HIGGS, analysis_samples, format_number, sample_specs

# Jobs run the interpreter that runs Snakemake (the project's .venv), locally and on cluster nodes.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

RESULTS = "results"
SAMPLES = sample_specs(config)
ANALYSIS_SAMPLES = analysis_samples(SAMPLES)
USER_DELPHES = config["inputs"]["delphes"]

unknown_inputs = sorted(set(USER_DELPHES) - set(SAMPLES))
if unknown_inputs:
    raise ValueError(
        f"config key inputs.delphes names samples that the configuration does not define: {unknown_inputs} "
        f"(known: {sorted(SAMPLES)})"
    )


wildcard_constraints:
    sample="|".join(sorted(SAMPLES)),
    shard=r"\d+",
    mass=r"[0-9p]+",
    analysis="hh|hhh",


def form_factor_table_path(mass_gev):
    return f"{RESULTS}/generator/form_factors_m{format_number(mass_gev)}.npz"


def delphes_files(sample):
    """The Delphes ROOT files of a sample: the user's (config inputs.delphes) or our simulated shards."""
    if sample in USER_DELPHES:
        return USER_DELPHES[sample]
    spec = SAMPLES[sample]
    return [f"{RESULTS}/samples/{sample}/shard{shard}.root" for shard in range(spec.n_shards)]


def generated_samples():
    return [name for name in SAMPLES if name not in USER_DELPHES]


def validation_targets():
    return [
        f"{RESULTS}/validation/hh_cross_section_ratios.pdf",
        f"{RESULTS}/validation/hh_cross_section_ratios.md",
        f"{RESULTS}/validation/parton_spectra.pdf",
        f"{RESULTS}/validation/jet_multiplicities.pdf",
        f"{RESULTS}/validation/jet_multiplicities.md",
    ]


def conversion_targets():
    return [
        f"{RESULTS}/h5/{analysis}/{sample}/{split}.h5"
        for analysis, samples in ANALYSIS_SAMPLES.items()
        for sample in samples
        for split in ("train", "val", "test")
    ] + [f"{RESULTS}/tables/matching_{analysis}.{ext}" for analysis in ANALYSIS_SAMPLES for ext in ("md", "tex")]


def final_targets():
    return validation_targets() + conversion_targets()


def hh_reference_sample():
    """The SM gg -> HH sample (κλ = 1), which the configuration must contain."""
    name = "hh_kl1"
    if name not in SAMPLES:
        raise ValueError("config key samples.hh.kappa_lambdas must contain 1 (the Standard Model sample)")
    return name
