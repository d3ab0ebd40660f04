# Baselines: chi2 pairings, mass-agnostic and min-dR HH pairings, the AK8 BDT and chi2 + BDT.


rule train_fatjet_bdt:
    input:
        train=lambda wildcards: converted_files(wildcards.analysis, "train", training_samples(wildcards.analysis, "sm")),
        validation=lambda wildcards: converted_files(wildcards.analysis, "val", training_samples(wildcards.analysis, "sm")),
    output:
        model=f"{RESULTS}/models/{{analysis}}/fatjet_bdt.json",
        summary=f"{RESULTS}/models/{{analysis}}/fatjet_bdt_summary.json",
        roc=f"{RESULTS}/figures/fatjet_bdt_roc_{{analysis}}.pdf",
        roc_png=report(
            f"{RESULTS}/figures/fatjet_bdt_roc_{{analysis}}.png",
            category="4 Training",
            subcategory="AK8 BDT",
            caption="../report/fatjet_bdt_roc.rst",
        ),
    params:
        n_higgs=lambda wildcards: ANALYSIS_N_HIGGS[wildcards.analysis],
        bdt=config["baselines"]["bdt"],
        seed=config["seed"],
    log:
        f"{RESULTS}/logs/baselines/fatjet_bdt_{{analysis}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/baselines/fatjet_bdt_{{analysis}}.tsv"
    shell:
        "python -m multihiggs.baselines.train_bdt --train {input.train} --validation {input.validation} "
        "--n-higgs {params.n_higgs} --seed {params.seed} --target-efficiency {params.bdt[target_efficiency]} "
        "--n-estimators {params.bdt[n_estimators]} -o {output.model} --summary {output.summary} --roc {output.roc} "
        "> {log} 2>&1"


def baseline_extra_arguments(wildcards, input):
    arguments = [f"--btag {method_btag(wildcards.method, config['conversion']['tag_working_point'])}"]
    if BASELINE_TABLE[baseline_name(wildcards.method)].uses_hh_jets:
        arguments.append(f"--hh-jets {config['baselines']['hh_jets']}")
    if input.get("bdt"):
        arguments.append(f"--bdt-model {input.bdt}")
    return " ".join(arguments)


rule baseline_predict:
    input:
        events=f"{RESULTS}/h5/{{analysis}}/{{sample}}/{{split}}.h5",
        bdt=lambda wildcards: [f"{RESULTS}/models/{wildcards.analysis}/fatjet_bdt.json"]
        if BASELINE_TABLE[baseline_name(wildcards.method)].uses_bdt
        else [],
    output:
        f"{RESULTS}/predictions/{{analysis}}/{{method}}/{{split}}/{{sample}}.h5",
    wildcard_constraints:
        method="|".join(sorted(ALL_BASELINE_METHODS)),
        split="val|test",
    params:
        n_higgs=lambda wildcards: ANALYSIS_N_HIGGS[wildcards.analysis],
        method=lambda wildcards: baseline_name(wildcards.method),
        extra=baseline_extra_arguments,
    log:
        f"{RESULTS}/logs/baselines/{{analysis}}/{{method}}/{{split}}/{{sample}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/baselines/{{analysis}}/{{method}}/{{split}}/{{sample}}.tsv"
    shell:
        "python -m multihiggs.baselines.predict --method {params.method} --n-higgs {params.n_higgs} "
        "-i {input.events} -o {output} {params.extra} > {log} 2>&1"
