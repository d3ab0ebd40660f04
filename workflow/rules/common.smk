# Input functions and config lookups shared by the rules. Logic lives in the multihiggs package.
import json
import os
import sys
from pathlib import Path

from multihiggs.convert.input_options import UserDelphesInput
from multihiggs.methods import (
    BASELINES as BASELINE_TABLE,
    BTAG_SUFFIXES,
    SPANET_VARIANTS as SPANET_VARIANT_TABLE,
    check_config_methods,
    merge_arguments,
    method_btag,
    method_with_btag,
    replica_name,
    spanet_variant,
    split_btag,
    split_replica,
    split_stats_selection,
    stats_fit_selection,
    stats_replica_name,
)
from multihiggs.provenance import workflow_environment
from multihiggs.samples import (
    ANALYSIS_N_HIGGS,
    HH_CLOSURE_SAMPLE,
    QCD_CLOSURE_SAMPLE,
    analysis_samples,
    format_number,
    hh_sample_name,
    sample_specs,
)

# Jobs run the interpreter that runs Snakemake (the project's .venv), locally and on cluster nodes.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

RESULTS = "results"
#: The repository (config/event_files, config/options), whatever the working directory (--directory).
REPO_DIR = workflow.basedir
# Provenance stamp of every output (multihiggs.provenance): jobs inherit the config's SHA-256, the seed and REPO_DIR.
os.environ.update(workflow_environment(config, REPO_DIR))
SAMPLES = sample_specs(config)
ANALYSIS_SAMPLES = analysis_samples(SAMPLES)
#: Samples read from the user's Delphes files instead of simulated: sample name -> UserDelphesInput.
USER_DELPHES = {name: UserDelphesInput.from_config(entry) for name, entry in config["inputs"]["delphes"].items()}

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
        return list(USER_DELPHES[sample].files)
    spec = SAMPLES[sample]
    return [f"{RESULTS}/samples/{sample}/shard{shard}.root" for shard in range(spec.n_shards)]


def input_reading_arguments(sample):
    """How the user's files of ``sample`` name b-tag bits and collections (no options for simulated samples)."""
    return USER_DELPHES[sample].reading_arguments() if sample in USER_DELPHES else []


def generated_samples():
    """Samples the workflow simulates: not the user's, nor a closure sample when no closure test asks for it."""
    unused = (set() if qcd_closure_targets() else {QCD_CLOSURE_SAMPLE}) | (
        set() if signal_closure_targets() else {HH_CLOSURE_SAMPLE}
    )
    return [name for name in SAMPLES if name not in USER_DELPHES and name not in unused]


def inclusive_tag_rate_analyses():
    """Analyses whose QCD four-tag background uses the flavour-inclusive tag-rate model (closure checked)."""
    conversion = config["conversion"]
    if not (conversion["qcd_tag_rate_weights"] and conversion["qcd_tag_rate"]["model"] == "inclusive"):
        return []
    return [name for name in ANALYSIS_SAMPLES if conversion[name]["four_tag"] and "qcd" in ANALYSIS_SAMPLES[name]]


def validation_targets():
    return [
        f"{RESULTS}/validation/hh_cross_section_ratios.pdf",
        f"{RESULTS}/validation/hh_cross_section_ratios.md",
        f"{RESULTS}/validation/parton_spectra.pdf",
        f"{RESULTS}/validation/jet_multiplicities.pdf",
        f"{RESULTS}/validation/jet_multiplicities.md",
    ] + [
        f"{RESULTS}/validation/tag_rate_closure_{analysis}.{ext}"
        for analysis in inclusive_tag_rate_analyses()
        for ext in ("md", "json", "pdf")
    ] + qcd_closure_targets() + signal_closure_targets()


def qcd_closure_targets():
    """The QCD stitching closure (rule qcd_stitching_closure), when the configuration makes its inclusive reference
    sample (samples.qcd.closure_n_events > 0) and simulates ``qcd`` (no closure of the user's QCD files, which are
    read instead): the only output that asks for that sample."""
    if QCD_CLOSURE_SAMPLE not in SAMPLES or "qcd" in USER_DELPHES:
        return []
    return [f"{RESULTS}/validation/qcd_stitching_closure.{ext}" for ext in ("md", "json", "pdf")]


def signal_closure_targets():
    """The closure of the signal tag-rate weights (rule signal_tag_rate_closure), when HH is converted with them
    (four-tag requirement, signal_tag_rate_weights), its reference sample is configured (samples.hh.closure_n_events
    > 0) and the SM HH sample is simulated (not the user's files)."""
    conversion = config["conversion"]
    used = conversion["signal_tag_rate_weights"] and conversion["hh"]["four_tag"]
    if not used or HH_CLOSURE_SAMPLE not in SAMPLES or hh_reference_sample() in USER_DELPHES:
        return []
    return [f"{RESULTS}/validation/signal_tag_rate_closure.{ext}" for ext in ("md", "json", "pdf")]


def conversion_targets():
    return [
        path for analysis, samples in ANALYSIS_SAMPLES.items() for sample in samples
        for path in converted_splits(analysis, sample)
    ] + [f"{RESULTS}/tables/matching_{analysis}.{ext}" for analysis in ANALYSIS_SAMPLES for ext in ("md", "tex")]


def final_targets():
    targets = validation_targets() + conversion_targets() + figure_targets() + table_targets() + stats_targets()
    targets += bdt_roc_targets()
    targets += reproduction_targets() + seed_spread_targets()
    return with_previews(targets) + training_curve_targets() + report_targets() + provenance_targets() + publish_targets()


def with_previews(targets):
    """``targets`` with the PNG preview of every PDF figure after it (the HTML report shows PNGs, not PDFs)."""
    return [path for target in targets for path in ([target, target[:-4] + ".png"] if target.endswith(".pdf") else [target])]


def hh_reference_sample():
    """The SM gg -> HH sample (κλ = 1), which the configuration must contain."""
    name = "hh_kl1"
    if name not in SAMPLES:
        raise ValueError("config key samples.hh.kappa_lambdas must contain 1 (the Standard Model sample)")
    return name


# ----------------------------------------------------------------------------------------- training datasets

check_config_methods(config)
#: SPA-Net variants configured per analysis (names of multihiggs.methods.SPANET_VARIANTS).
SPANET_VARIANTS = config["spanet"]["variants"]
KL_MIXED_VALUES = config["spanet"]["kl_mixed_values"]
missing_kl = sorted(set(KL_MIXED_VALUES) - set(config["samples"]["hh"]["kappa_lambdas"]))
if missing_kl:
    raise ValueError(
        f"config key spanet.kl_mixed_values lists κλ values without a sample in samples.hh.kappa_lambdas: {missing_kl}"
    )
#: Trainings per variant (spanet.training_seeds, absent: 1): the variant, then its replicas <variant>_seed<k>.
TRAINING_SEEDS = config["spanet"].get("training_seeds", {})


def variant_entry(variant):
    """The multihiggs.methods entry of a variant wildcard, which may name a seed replica (sm_seed1 -> sm)."""
    return SPANET_VARIANT_TABLE[split_replica(variant)[0]]


def training_seed(variant):
    """The training seed of a variant or replica wildcard: config seed, plus k for the k-th replica."""
    return config["seed"] + split_replica(variant)[1]


#: Training sets: the variants that train on their own merged dataset (the others reuse one of these).
TRAINING_SETS = sorted({variant.dataset_variant for variant in SPANET_VARIANT_TABLE.values()})


def converted_files(analysis, split, samples):
    return [f"{RESULTS}/h5/{analysis}/{sample}/{split}.h5" for sample in samples]


def training_samples(analysis, variant):
    """Samples merged into the training set of a (analysis, variant): its signal samples, then QCD."""
    signal_kind = SPANET_VARIANT_TABLE[variant_entry(variant).dataset_variant].signal
    if signal_kind == "sm":
        signal = [hh_reference_sample()] if analysis == "hh" else ["hhh"]
    elif signal_kind == "kl_grid":
        signal = [hh_sample_name(kappa) for kappa in KL_MIXED_VALUES]
    else:
        signal = [name for name, spec in SAMPLES.items() if spec.process == analysis and name.startswith(f"{analysis}_m")]
    if not signal:
        raise ValueError(f"variant {variant!r} of analysis {analysis!r} has no signal sample: check samples.*")
    return signal + ["qcd"]


def merge_flags(variant):
    """Arguments of multihiggs.convert.merge for the training set of ``variant`` (a dataset variant)."""
    flags = merge_arguments(SPANET_VARIANT_TABLE[variant], KL_MIXED_VALUES)
    background_cap = config["spanet"].get("background_per_signal", {}).get(variant)
    if background_cap is not None:
        flags += ["--background-per-signal", str(background_cap)]
    return " ".join(flags)


def event_file(analysis, variant):
    """The variant's event YAML, relative to the working directory: the models record this path, which must not
    depend on where the clone lives."""
    name = variant_entry(variant).event_file_name(analysis)
    return os.path.relpath(f"{REPO_DIR}/config/event_files/{name}.yaml")


def spanet_model(analysis, variant):
    return f"{RESULTS}/models/{analysis}/spanet_{variant}/model.pt"


def seed_spread_inputs():
    """Metrics (on the analysis' SM signal) and classification files of every variant trained from several seeds, and
    of its replicas: the inputs of results/tables/training_seed_spread.*."""
    inputs = []
    for analysis in ANALYSIS_SAMPLES:
        for variant in SPANET_VARIANTS[analysis]:
            trainings = [replica_name(variant, replica) for replica in range(TRAINING_SEEDS.get(variant, 1))]
            if len(trainings) < 2:
                continue
            for name in trainings:
                inputs.append(f"{RESULTS}/metrics/{analysis}/spanet_{name}/{signal_reference(analysis)}.json")
                if variant_entry(name).classification_head:
                    inputs.append(f"{RESULTS}/metrics/{analysis}/spanet_{name}/classification.json")
    return inputs


def seed_spread_targets():
    """The training-seed spread table, when a variant is trained from several seeds (spanet.training_seeds)."""
    if not seed_spread_inputs():
        return []
    return [f"{RESULTS}/tables/training_seed_spread.{ext}" for ext in ("md", "tex", "json")]


def training_curve_targets():
    """Loss and validation purity per epoch of every trained SPA-Net variant: PDF and PNG preview."""
    return [
        f"{RESULTS}/figures/training/{analysis}_spanet_{variant}.{ext}"
        for analysis in ANALYSIS_SAMPLES
        for variant in SPANET_VARIANTS[analysis]
        for ext in ("pdf", "png")
    ]


# ----------------------------------------------------------------------------------------- methods and predictions

BASELINES = config["baselines"]["methods"]


def comparison_baselines(analysis):
    """Baselines evaluated beside a configured SPA-Net variant with its inputs (e.g. chi2_upart for btag_upgrade)."""
    methods = [SPANET_VARIANT_TABLE[variant].comparison_baseline() for variant in SPANET_VARIANTS[analysis]]
    return [method for method in dict.fromkeys(methods) if method]


#: Every baseline method name a prediction may carry: the configured baselines, also with each b-tag suffix, and the
#: comparison baselines.
ALL_BASELINE_METHODS = {
    name
    for methods in BASELINES.values()
    for method in methods
    for name in (method, *(method_with_btag(method, working_point) for working_point in BTAG_SUFFIXES))
} | {method for analysis in BASELINES for method in comparison_baselines(analysis)}


def baseline_name(method):
    """The baseline of a baseline method name, without its b-tag suffix."""
    return split_btag(method)[0]


#: Methods imported from the reference SPANet's `spanet.predict` files (config inputs.reference_predictions).
REFERENCE_PREDICTIONS = config["inputs"].get("reference_predictions", {})


def reference_methods(analysis):
    """The reference-SPANet methods declared for an analysis, in config order."""
    return [method for method, entry in REFERENCE_PREDICTIONS.items() if entry["analysis"] == analysis]


def analysis_methods(analysis):
    """Every method evaluated in an analysis: SPA-Net variants, baselines, their comparison baselines (the UParT-b-tag
    chi2), reference SPANets."""
    return (
        [f"spanet_{variant}" for variant in SPANET_VARIANTS[analysis]]
        + list(BASELINES[analysis])
        + [method for method in comparison_baselines(analysis) if method not in BASELINES[analysis]]
        + reference_methods(analysis)
    )


def test_samples(analysis):
    """Samples whose test split every method predicts: the analysis' non-flat-mass signal samples and QCD."""
    return [name for name in ANALYSIS_SAMPLES[analysis] if not name.startswith(f"{analysis}_m")]


def check_reference_predictions():
    """Reference methods need a free name and a prediction file for every test sample of their analysis."""
    for method, entry in REFERENCE_PREDICTIONS.items():
        key, analysis = f"inputs.reference_predictions.{method}", entry["analysis"]
        if method.startswith("spanet_") or method in ALL_BASELINE_METHODS:
            raise ValueError(f"config key {key}: {method!r} names a method of the workflow (spanet_*, a baseline)")
        missing = [name for name in test_samples(analysis) if name not in entry["files"]]
        if missing:
            raise ValueError(
                f"config key {key}.files lacks the prediction files of {missing}: every test sample of "
                f"{analysis} is evaluated ({test_samples(analysis)})"
            )
        unknown = sorted(set(entry["files"]) - set(ANALYSIS_SAMPLES[analysis]))
        if unknown:
            raise ValueError(f"config key {key} names samples that {analysis} does not have: {unknown}")


check_reference_predictions()


def prediction_targets():
    return [
        f"{RESULTS}/predictions/{analysis}/{method}/test/{sample}.h5"
        for analysis in ANALYSIS_SAMPLES
        for method in analysis_methods(analysis)
        for sample in test_samples(analysis)
    ]


# ----------------------------------------------------------------------------------------- evaluation and figures


def signal_reference(analysis):
    """The SM signal sample of an analysis (HH at κλ = 1, or HHH)."""
    return hh_reference_sample() if analysis == "hh" else "hhh"


def metrics_files(analysis, methods, sample):
    return [f"{RESULTS}/metrics/{analysis}/{method}/{sample}.json" for method in methods]


def classifier_methods(analysis):
    """Methods with a signal-vs-background score: SPA-Net variants trained with a classification head."""
    variants = [SPANET_VARIANT_TABLE[name] for name in SPANET_VARIANTS[analysis]]
    return [variant.method for variant in variants if variant.classification_head]


def available(analysis, methods):
    """The methods of ``methods`` that the configuration evaluates in ``analysis``."""
    evaluated = set(analysis_methods(analysis))
    return [method for method in methods if method in evaluated]


FIGURE_NAMES = [
    "purity_vs_pt",
    "efficiency_vs_pt",
    "purity_vs_njets",
    "reco_higgs_mass",
    "mass_sculpting_qcd",
    "kl_dependence",
    "btag_upgrade",
    "roc_classification",
    "mass_plane_signal",
    "mass_plane_qcd",
]
TABLE_NAMES = ["event_purity", "purity_by_njets", "efficiency_by_njets", "classification", "sculpting"]


def figure_targets():
    figures = [f"{RESULTS}/figures/{name}.pdf" for name in FIGURE_NAMES]
    figures += [f"{RESULTS}/figures/{name}_hh.pdf" for name in ("purity_vs_pt", "efficiency_vs_pt", "purity_vs_njets")]
    return figures


def bdt_roc_targets():
    """The ROC of the AK8 BDT of every analysis whose χ² + BDT baseline trains one (rule train_fatjet_bdt)."""
    return [f"{RESULTS}/figures/fatjet_bdt_roc_{analysis}.pdf" for analysis in ANALYSIS_SAMPLES if "chi2_bdt" in BASELINES[analysis]]


def table_targets():
    return [f"{RESULTS}/tables/{name}.{ext}" for name in TABLE_NAMES for ext in ("md", "tex")]


def figure_plan(name):
    """(figure kind of multihiggs.plotting.figures, input JSON files) of one final figure."""
    # Reference-SPANet methods (inputs.reference_predictions) join every comparison of reconstruction methods.
    hhh_reference_spanets, hh_reference_spanets = reference_methods("hhh"), reference_methods("hh")
    # every configured SPA-Net variant (HH: those with the conversion's b tagging), then the baselines compared
    hhh_spanets = [SPANET_VARIANT_TABLE[name].method for name in SPANET_VARIANTS["hhh"]]
    hh_spanets = [SPANET_VARIANT_TABLE[name].method for name in SPANET_VARIANTS["hh"] if not SPANET_VARIANT_TABLE[name].btag]
    hhh_methods = hhh_spanets + available("hhh", ["chi2", "chi2_all", "chi2_bdt"]) + hhh_reference_spanets
    hh_methods = hh_spanets + available("hh", ["chi2", "mass_agnostic", "min_delta_r", "chi2_bdt"]) + hh_reference_spanets
    hh_sm = hh_reference_sample()
    hh_kl_samples = [name for name, spec in SAMPLES.items() if spec.process == "hh" and name.startswith("hh_kl")]
    plans = {
        "purity_vs_pt": ("purity_vs_pt", metrics_files("hhh", hhh_methods, "hhh")),
        "efficiency_vs_pt": ("efficiency_vs_pt", metrics_files("hhh", hhh_methods, "hhh")),
        "purity_vs_njets": ("purity_vs_njets", metrics_files("hhh", hhh_methods, "hhh")),
        "purity_vs_pt_hh": ("purity_vs_pt", metrics_files("hh", hh_methods, hh_sm)),
        "efficiency_vs_pt_hh": ("efficiency_vs_pt", metrics_files("hh", hh_methods, hh_sm)),
        "purity_vs_njets_hh": ("purity_vs_njets", metrics_files("hh", hh_methods, hh_sm)),
        "reco_higgs_mass": ("reco_higgs_mass", metrics_files("hhh", available("hhh", ["spanet_sm", "chi2", "chi2_bdt"]) + hhh_reference_spanets, "hhh")),
        "mass_sculpting_qcd": (
            "mass_sculpting_qcd",
            metrics_files("hhh", available("hhh", ["chi2", "spanet_sm", "spanet_flat_mass"]) + hhh_reference_spanets, "qcd_sculpting"),
        ),
        "kl_dependence": (
            "kl_dependence",
            [file for sample in hh_kl_samples for file in metrics_files("hh", available("hh", ["spanet_sm", "spanet_kl_mixed", "chi2", "min_delta_r"]) + hh_reference_spanets, sample)],
        ),
        "btag_upgrade": (
            "btag_upgrade",
            metrics_files("hhh", available("hhh", ["spanet_sm", "spanet_btag_upgrade", "chi2", "chi2_upart"]), "hhh"),
        ),
        "roc_classification": (
            "roc_classification",
            [f"{RESULTS}/metrics/hh/{method}/classification.json" for method in classifier_methods("hh")],
        ),
        "mass_plane_signal": (
            "mass_plane",
            metrics_files("hh", available("hh", ["spanet_sm", "chi2", "mass_agnostic", "min_delta_r"]) + hh_reference_spanets, hh_sm),
        ),
        "mass_plane_qcd": (
            "mass_plane",
            metrics_files("hh", available("hh", ["spanet_sm", "chi2", "mass_agnostic", "min_delta_r"]) + hh_reference_spanets, "qcd_sculpting"),
        ),
    }
    kind, inputs = plans[name]
    if not inputs:
        raise ValueError(f"figure {name!r} has no input: the configuration evaluates none of the methods it compares")
    return kind, inputs


#: Figure kinds that draw the seed envelope of a method trained from several seeds (spanet.training_seeds).
SEED_ENVELOPE_FIGURES = ("purity_vs_pt", "efficiency_vs_pt")


def replica_metrics(files):
    """The metrics files of the seed replicas of every SPA-Net method among ``files`` (…/<method>/<sample>.json)."""
    replicas = []
    for path in files:
        directory, method, sample = path.rsplit("/", 2)
        variant = spanet_variant(method)
        if variant is None or split_replica(method)[1]:
            continue
        replicas += [f"{directory}/{replica_name(method, k)}/{sample}" for k in range(1, TRAINING_SEEDS.get(variant.name, 1))]
    return replicas


def figure_inputs(name):
    """The metrics files of a figure: those of its plan, and the seed replicas' where the figure draws their envelope."""
    kind, inputs = figure_plan(name)
    return inputs + (replica_metrics(inputs) if kind in SEED_ENVELOPE_FIGURES else [])


def table_plan(name):
    """(table kind of multihiggs.evaluate.tables, input JSON files, labels) of one final table."""
    hhh_methods = analysis_methods("hhh")
    if name in ("event_purity", "purity_by_njets"):
        return name, metrics_files("hhh", hhh_methods, "hhh"), []
    if name == "efficiency_by_njets":
        inputs, labels = [], []
        for sample in dict.fromkeys([hh_reference_sample(), hh_sample_name(5), hh_sample_name(5.0)]):
            if sample not in SAMPLES:
                continue
            for method in available("hh", ["spanet_sm", "spanet_kl_mixed", "chi2", "min_delta_r"]) + reference_methods("hh"):
                inputs += metrics_files("hh", [method], sample)
                labels.append(f"{method} on {sample}")
        return name, inputs, labels
    if name == "classification":
        return name, [f"{RESULTS}/metrics/hh/{method}/classification.json" for method in classifier_methods("hh")], []
    if name == "sculpting":
        return name, metrics_files("hhh", hhh_methods, "qcd_sculpting"), []
    raise ValueError(f"unknown table {name!r}")


# ----------------------------------------------------------------------------------------- statistics

# κλ-fit methods: evaluated methods, or a classification-head variant selected by a DNN (spanet_<v>_dnn); then the
# seed replicas of their networks (spanet.training_seeds), whose intervals give the training-seed spread
STATS_METHODS = [
    method for method in config["stats"]["methods"] if available("hh", [split_stats_selection(method)[0]])
]


def stats_replicas(stats_method):
    """The κλ-fit methods of the seed replicas of ``stats_method``'s network (none for a baseline)."""
    network = spanet_variant(split_stats_selection(stats_method)[0])
    n_trainings = TRAINING_SEEDS.get(network.name, 1) if network is not None else 1
    return [stats_replica_name(stats_method, replica) for replica in range(1, n_trainings)]


STATS_METHODS += [replica for method in list(STATS_METHODS) for replica in stats_replicas(method)]
STATS_BASIS_SAMPLES = [hh_sample_name(kappa) for kappa in config["stats"]["basis_kappa_lambdas"]]
missing_basis = sorted(set(STATS_BASIS_SAMPLES) - set(SAMPLES))
if missing_basis:
    raise ValueError(f"config key stats.basis_kappa_lambdas names κλ without a sample: {missing_basis}")


missing_training = sorted(set(config["stats"]["methods"]) - set(STATS_METHODS))
if missing_training:
    raise ValueError(f"config key stats.methods names methods the configuration does not evaluate: {missing_training}")



def stats_targets():
    tables = ["kl_limits", "qcd_background"] + (["kl_interval_spread"] if config["stats"]["interval_spread"]["replicas"] else [])
    return [f"{RESULTS}/tables/{name}.{ext}" for name in tables for ext in ("md", "tex")] + [
        f"{RESULTS}/figures/{name}.pdf" for name in ("kl_scan", "kl_cls", "kl_vs_lumi")
    ]


# ----------------------------------------------------------------------------------------- HTML report


def report_targets():
    """What the report opens with (workflow/rules/report.smk): the overview page and the rule graph."""
    return [f"{RESULTS}/report/overview.html", f"{RESULTS}/report/rulegraph.svg"]


def converted_splits(analysis, sample):
    """The train, val and test files of one converted sample."""
    return [f"{RESULTS}/h5/{analysis}/{sample}/{split}.h5" for split in ("train", "val", "test")]
