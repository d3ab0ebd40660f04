# κλ constraints (HH, hsieh_spanet2): event selection per method (SPA-Net classification head, or a DNN on the paired
# Higgs candidates for methods without one), m_HH templates by quadratic morphing, profile-likelihood and CLs scans.


def stats_selected_predictions(stats_method, sample):
    """Test-split predictions whose signal_score selects events: the method's own (its classification head), or its
    DNN-scored copy (methods without a head, and ``spanet_<v>_dnn``).

    The κλ-mixed SPA-Net takes κλ as an input: every sample of the fit is evaluated at stats.kl_input.
    """
    method, dnn_selected = stats_fit_selection(stats_method)
    variant = spanet_variant(method)
    at_kl_input = variant is not None and variant.kl_input
    if dnn_selected:
        scored = f"dnn_scored_{KL_INPUT_SPLIT}" if at_kl_input else "dnn_scored"
        return f"{RESULTS}/predictions/hh/{method}/{scored}/{sample}.h5"
    return f"{RESULTS}/predictions/hh/{method}/{KL_INPUT_SPLIT if at_kl_input else 'test'}/{sample}.h5"


rule train_selection_dnn:
    input:
        signal=converted_files("hh", "val", [hh_sample_name(kappa) for kappa in KL_MIXED_VALUES]),
        signal_predictions=lambda wildcards: [
            f"{RESULTS}/predictions/hh/{wildcards.method}/val/{hh_sample_name(kappa)}.h5" for kappa in KL_MIXED_VALUES
        ],
        background=converted_files("hh", "val", ["qcd"]),
        background_predictions=f"{RESULTS}/predictions/hh/{{method}}/val/qcd.h5",
    output:
        model=f"{RESULTS}/models/hh/selection_dnn_{{method}}.joblib",
        summary=f"{RESULTS}/models/hh/selection_dnn_{{method}}.json",
    params:
        seed=config["seed"],
        dnn=config["stats"]["dnn"],
    log:
        f"{RESULTS}/logs/limits/selection_dnn_{{method}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/limits/selection_dnn_{{method}}.tsv"
    shell:
        "python -m multihiggs.stats.dnn_selection train --signal {input.signal} "
        "--signal-predictions {input.signal_predictions} --background {input.background} "
        "--background-predictions {input.background_predictions} --seed {params.seed} "
        "--hidden {params.dnn[hidden]} --max-epochs {params.dnn[max_epochs]} -o {output.model} "
        "--summary {output.summary} > {log} 2>&1"


rule score_selection_dnn:
    input:
        events=f"{RESULTS}/h5/hh/{{sample}}/test.h5",
        predictions=f"{RESULTS}/predictions/hh/{{method}}/test/{{sample}}.h5",
        model=f"{RESULTS}/models/hh/selection_dnn_{{method}}.joblib",
    output:
        f"{RESULTS}/predictions/hh/{{method}}/dnn_scored/{{sample}}.h5",
    log:
        f"{RESULTS}/logs/limits/dnn_scored_{{method}}_{{sample}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/limits/dnn_scored_{{method}}_{{sample}}.tsv"
    shell:
        "python -m multihiggs.stats.dnn_selection score -i {input.events} --predictions {input.predictions} "
        "--model {input.model} --method {wildcards.method} -o {output} > {log} 2>&1"


use rule score_selection_dnn as score_selection_dnn_at_kl_input with:
    input:
        events=f"{RESULTS}/h5/hh/{{sample}}/test.h5",
        predictions=f"{RESULTS}/predictions/hh/{{method}}/{KL_INPUT_SPLIT}/{{sample}}.h5",
        model=f"{RESULTS}/models/hh/selection_dnn_{{method}}.joblib",
    output:
        f"{RESULTS}/predictions/hh/{{method}}/dnn_scored_{KL_INPUT_SPLIT}/{{sample}}.h5",
    log:
        f"{RESULTS}/logs/limits/dnn_scored_{KL_INPUT_SPLIT}_{{method}}_{{sample}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/limits/dnn_scored_{KL_INPUT_SPLIT}_{{method}}_{{sample}}.tsv"


def template_selection(wildcards):
    stats = config["stats"]
    if stats["threshold"] != "optimise":
        return f"--threshold {stats['threshold']}"
    return f"--optimise-threshold --min-background-n-eff {stats['min_background_n_eff']}"


def scan_options_of_fit():
    """The fit's background model options (config stats.background_norm_uncertainty, background_mc_stat)."""
    stats = config["stats"]
    options = []
    if stats["background_norm_uncertainty"] > 0:
        options.append(f"--background-norm-uncertainty {stats['background_norm_uncertainty']}")
    if not stats["background_mc_stat"]:
        options.append("--no-background-mc-stat")
    return options


def scan_options():
    stats = config["stats"]
    options = [
        "--luminosities-fb " + " ".join(str(lumi) for lumi in stats["luminosities_fb"]),
        "--kl-range " + " ".join(str(value) for value in stats["kl_range"]),
        *scan_options_of_fit(),
    ]
    if stats["reference_method"] in STATS_METHODS:
        options.append(f"--reference {stats['reference_method']}")
    return " ".join(options)


# A method's template inputs (test split): the basis signal samples, the QCD sample and the selecting predictions.
TEMPLATE_INPUTS = {
    "signal": converted_files("hh", "test", STATS_BASIS_SAMPLES),
    "signal_predictions": lambda wildcards: [
        stats_selected_predictions(wildcards.method, name) for name in STATS_BASIS_SAMPLES
    ],
    "background": converted_files("hh", "test", ["qcd"]),
    "background_predictions": lambda wildcards: stats_selected_predictions(wildcards.method, "qcd"),
}
# ... and the parameters the options below name.
TEMPLATE_PARAMS = {
    "bins": config["stats"]["bins"],
    "basis": " ".join(str(kappa) for kappa in config["stats"]["basis_kappa_lambdas"]),
}
TEMPLATE_INPUT_OPTIONS = (
    "--method {wildcards.method} --signal {input.signal} --signal-predictions {input.signal_predictions} "
    "--background {input.background} --background-predictions {input.background_predictions} "
    "--basis-kappa-lambdas {params.basis} --bin-range {params.bins[low_gev]} {params.bins[high_gev]} {params.bins[n]}"
)


rule kl_templates:
    input:
        **TEMPLATE_INPUTS,
    output:
        f"{RESULTS}/stats/hh/templates_{{method}}.json",
    params:
        **TEMPLATE_PARAMS,
        selection=template_selection,
    log:
        f"{RESULTS}/logs/limits/templates_{{method}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/limits/templates_{{method}}.tsv"
    shell:
        "python -m multihiggs.stats templates " + TEMPLATE_INPUT_OPTIONS + " {params.selection} -o {output} > {log} 2>&1"


rule kl_interval_spread:
    input:
        **TEMPLATE_INPUTS,
        nominal=f"{RESULTS}/stats/hh/templates_{{method}}.json",
    output:
        f"{RESULTS}/stats/hh/interval_spread_{{method}}.json",
    params:
        **TEMPLATE_PARAMS,
        spread=config["stats"]["interval_spread"],
        seed=config["seed"],
        kl_range=" ".join(str(value) for value in config["stats"]["kl_range"]),
        fit=" ".join(scan_options_of_fit()),
    log:
        f"{RESULTS}/logs/limits/interval_spread_{{method}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/limits/interval_spread_{{method}}.tsv"
    shell:
        "python -m multihiggs.stats interval-spread " + TEMPLATE_INPUT_OPTIONS + " --nominal {input.nominal} "
        "--replicas {params.spread[replicas]} --luminosity-fb {params.spread[luminosity_fb]} --seed {params.seed} "
        "--kl-range {params.kl_range} {params.fit} -o {output} > {log} 2>&1"


rule kl_interval_spread_table:
    input:
        [f"{RESULTS}/stats/hh/interval_spread_{method}.json" for method in config["stats"]["methods"]],
    output:
        md=report(f"{RESULTS}/tables/kl_interval_spread.md", category="6 Tables", caption="../report/kl_interval_spread.rst"),
        tex=f"{RESULTS}/tables/kl_interval_spread.tex",
    log:
        f"{RESULTS}/logs/limits/kl_interval_spread_table.log",
    benchmark:
        f"{RESULTS}/benchmarks/limits/kl_interval_spread_table.tsv"
    shell:
        "python -m multihiggs.stats spread-table --spreads {input} --output-md {output.md} --output-tex {output.tex} "
        "> {log} 2>&1"


rule kl_scan:
    input:
        [f"{RESULTS}/stats/hh/templates_{method}.json" for method in STATS_METHODS],
    output:
        scan=f"{RESULTS}/stats/hh/kl_scan.json",
        workspaces=directory(f"{RESULTS}/stats/hh/workspaces"),
    params:
        options=scan_options(),
    log:
        f"{RESULTS}/logs/limits/kl_scan.log",
    benchmark:
        f"{RESULTS}/benchmarks/limits/kl_scan.tsv"
    shell:
        "python -m multihiggs.stats scan --templates {input} {params.options} --workspace-dir {output.workspaces} "
        "-o {output.scan} > {log} 2>&1"


rule qcd_background_table:
    input:
        [f"{RESULTS}/stats/hh/templates_{method}.json" for method in STATS_METHODS],
    output:
        md=report(f"{RESULTS}/tables/qcd_background.md", category="6 Tables", caption="../report/qcd_background.rst"),
        tex=f"{RESULTS}/tables/qcd_background.tex",
    log:
        f"{RESULTS}/logs/limits/qcd_background_table.log",
    benchmark:
        f"{RESULTS}/benchmarks/limits/qcd_background_table.tsv"
    shell:
        "python -m multihiggs.stats background-table --templates {input} --output-md {output.md} "
        "--output-tex {output.tex} > {log} 2>&1"


rule kl_outputs:
    input:
        f"{RESULTS}/stats/hh/kl_scan.json",
    output:
        table_md=report(f"{RESULTS}/tables/kl_limits.md", category="6 Tables", caption="../report/kl.rst"),
        table_tex=f"{RESULTS}/tables/kl_limits.tex",
        profile=f"{RESULTS}/figures/kl_scan.pdf",
        cls=f"{RESULTS}/figures/kl_cls.pdf",
        vs_lumi=f"{RESULTS}/figures/kl_vs_lumi.pdf",
        # PNG previews beside the PDFs (multihiggs.plotting.style.save_figure), shown by the HTML report
        profile_png=report(
            f"{RESULTS}/figures/kl_scan.png", category="3 Kappa-lambda constraints", caption="../report/kl_scan.rst"
        ),
        cls_png=report(
            f"{RESULTS}/figures/kl_cls.png", category="3 Kappa-lambda constraints", caption="../report/kl_cls.rst"
        ),
        vs_lumi_png=report(
            f"{RESULTS}/figures/kl_vs_lumi.png", category="3 Kappa-lambda constraints", caption="../report/kl_vs_lumi.rst"
        ),
    params:
        energy=config["collider"]["sqrt_s_gev"] / 1000,
    log:
        f"{RESULTS}/logs/limits/kl_outputs.log",
    benchmark:
        f"{RESULTS}/benchmarks/limits/kl_outputs.tsv"
    shell:
        "(python -m multihiggs.stats tables --scan {input} --output-md {output.table_md} --output-tex {output.table_tex} "
        "&& python -m multihiggs.stats figures --scan {input} --profile {output.profile} --cls {output.cls} "
        "--vs-lumi {output.vs_lumi} --sqrt-s-tev {params.energy}) > {log} 2>&1"
