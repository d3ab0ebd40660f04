# Evaluation: every method scored by the same code on the same test events; QCD mass sculpting; classification.


def btag_of_method(method):
    """The b-tag working point a method's inputs used (labels the metrics for the b-tag-upgrade figure)."""
    return method_btag(method, config["conversion"]["tag_working_point"])


rule evaluate_method:
    input:
        test=f"{RESULTS}/h5/{{analysis}}/{{sample}}/test.h5",
        predictions=f"{RESULTS}/predictions/{{analysis}}/{{method}}/test/{{sample}}.h5",
    output:
        f"{RESULTS}/metrics/{{analysis}}/{{method}}/{{sample}}.json",
    params:
        n_higgs=lambda wildcards: ANALYSIS_N_HIGGS[wildcards.analysis],
        btag=lambda wildcards: btag_of_method(wildcards.method),
    log:
        f"{RESULTS}/logs/evaluate/{{analysis}}/{{method}}/{{sample}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/evaluate/{{analysis}}/{{method}}/{{sample}}.tsv"
    shell:
        "python -m multihiggs.evaluate --test {input.test} --predictions {input.predictions} "
        "--n-higgs {params.n_higgs} --method {wildcards.method} --sample {wildcards.sample} --btag {params.btag} "
        "-o {output} > {log} 2>&1"


rule evaluate_sculpting:
    input:
        test=f"{RESULTS}/h5/{{analysis}}/qcd/test.h5",
        predictions=f"{RESULTS}/predictions/{{analysis}}/{{method}}/test/qcd.h5",
    output:
        f"{RESULTS}/metrics/{{analysis}}/{{method}}/qcd_sculpting.json",
    params:
        seed=config["seed"],
        btag=lambda wildcards: btag_of_method(wildcards.method),
    log:
        f"{RESULTS}/logs/evaluate/{{analysis}}/{{method}}/qcd_sculpting.log",
    benchmark:
        f"{RESULTS}/benchmarks/evaluate/{{analysis}}/{{method}}/qcd_sculpting.tsv"
    shell:
        "python -m multihiggs.evaluate.sculpting --test {input.test} --predictions {input.predictions} "
        "--method {wildcards.method} --seed {params.seed} --btag {params.btag} -o {output} > {log} 2>&1"


rule evaluate_classification:
    input:
        tests=lambda wildcards: [f"{RESULTS}/h5/{wildcards.analysis}/{name}/test.h5" for name in (signal_reference(wildcards.analysis), "qcd")],
        predictions=lambda wildcards: [
            f"{RESULTS}/predictions/{wildcards.analysis}/{wildcards.method}/test/{name}.h5"
            for name in (signal_reference(wildcards.analysis), "qcd")
        ],
    output:
        f"{RESULTS}/metrics/{{analysis}}/{{method}}/classification.json",
    log:
        f"{RESULTS}/logs/evaluate/{{analysis}}/{{method}}/classification.log",
    benchmark:
        f"{RESULTS}/benchmarks/evaluate/{{analysis}}/{{method}}/classification.tsv"
    shell:
        "python -m multihiggs.evaluate.classification --test {input.tests} --predictions {input.predictions} "
        "--method {wildcards.method} --weights class-balanced --seed {config[seed]} -o {output} > {log} 2>&1"


rule training_seed_spread:
    input:
        seed_spread_inputs(),
    output:
        md=report(f"{RESULTS}/tables/training_seed_spread.md", category="6 Tables", caption="../report/training_seed_spread.rst"),
        tex=f"{RESULTS}/tables/training_seed_spread.tex",
        json=f"{RESULTS}/tables/training_seed_spread.json",
    log:
        f"{RESULTS}/logs/evaluate/training_seed_spread.log",
    benchmark:
        f"{RESULTS}/benchmarks/evaluate/training_seed_spread.tsv"
    shell:
        "python -m multihiggs.evaluate.seed_spread {input} --output-md {output.md} --output-tex {output.tex} "
        "--output-json {output.json} > {log} 2>&1"
