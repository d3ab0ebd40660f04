# Publishing (issue 26): the HEPData record of the key figures and κλ results, and the headline numbers as LaTeX
# macros. Logic in multihiggs.publish; docs/publishing.md.


def publish_targets():
    return [f"{RESULTS}/hepdata/submission.tar.gz", f"{RESULTS}/tables/numbers.tex"]


def hepdata_metrics(*figures):
    """The metrics files of the given figures (figure_plan), each once."""
    return list(dict.fromkeys(path for figure in figures for path in figure_plan(figure)[1]))


def numbers_metrics():
    """SM-sample metrics the figures and tables already need: every HHH method (event-purity table), the HH methods
    of the HH purity figures (no method is evaluated for the numbers alone)."""
    return list(dict.fromkeys(table_plan("event_purity")[1] + hepdata_metrics("purity_vs_pt_hh", "purity_vs_njets_hh")))


def selection_dnn_methods():
    """κλ-fit methods whose events a selection DNN selects (the others use their own classification score)."""
    selections = [stats_fit_selection(method) for method in STATS_METHODS]
    return list(dict.fromkeys(method for method, dnn_selected in selections if dnn_selected))


def generated_option():
    """``--generated SAMPLE=N ...``: events simulated per sample (none for the user's Delphes samples)."""
    counts = " ".join(f"{name}={SAMPLES[name].n_events}" for name in generated_samples())
    return f"--generated {counts}" if counts else ""


rule hepdata:
    input:
        purity_vs_pt=hepdata_metrics("purity_vs_pt", "purity_vs_pt_hh"),
        purity_vs_njets=hepdata_metrics("purity_vs_njets", "purity_vs_njets_hh"),
        scan=f"{RESULTS}/stats/hh/kl_scan.json",
        workspaces=f"{RESULTS}/stats/hh/workspaces",
    output:
        directory=directory(f"{RESULTS}/hepdata/submission"),
        tarball=f"{RESULTS}/hepdata/submission.tar.gz",
    params:
        energy=config["collider"]["sqrt_s_gev"],
    log:
        f"{RESULTS}/logs/publish/hepdata.log",
    benchmark:
        f"{RESULTS}/benchmarks/publish/hepdata.tsv"
    shell:
        "python -m multihiggs.publish.hepdata --purity-vs-pt {input.purity_vs_pt} "
        "--purity-vs-njets {input.purity_vs_njets} --scan {input.scan} --workspaces {input.workspaces} "
        "--sqrt-s-gev {params.energy} --output-dir {output.directory} --tarball {output.tarball} > {log} 2>&1"


rule numbers:
    input:
        scan=f"{RESULTS}/stats/hh/kl_scan.json",
        metrics=numbers_metrics(),
        classification=[f"{RESULTS}/metrics/hh/{method}/classification.json" for method in classifier_methods("hh")],
        selection=[f"{RESULTS}/models/hh/selection_dnn_{method}.json" for method in selection_dnn_methods()],
    output:
        f"{RESULTS}/tables/numbers.tex",
    params:
        generated=generated_option(),
        classification=lambda wildcards, input: f"--classification {input.classification}" if input.classification else "",
        selection=lambda wildcards, input: f"--selection-dnn {input.selection}" if input.selection else "",
    log:
        f"{RESULTS}/logs/publish/numbers.log",
    benchmark:
        f"{RESULTS}/benchmarks/publish/numbers.tsv"
    shell:
        "python -m multihiggs.publish.numbers --scan {input.scan} --metrics {input.metrics} {params.classification} "
        "{params.selection} {params.generated} -o {output} > {log} 2>&1"
