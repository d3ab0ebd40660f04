# SPA-Net: training sets per variant, training (GPU when present, else CPU), prediction on every test file.


rule merge_training_set:
    input:
        lambda wildcards: converted_files(wildcards.analysis, wildcards.split, training_samples(wildcards.analysis, wildcards.variant)),
    output:
        f"{RESULTS}/datasets/{{analysis}}/{{variant}}/{{split}}.h5",
    wildcard_constraints:
        split="train|val",
        variant="|".join(TRAINING_SETS),
    params:
        flags=lambda wildcards: merge_flags(wildcards.variant),
        seed=config["seed"],
    log:
        f"{RESULTS}/logs/train/merge_{{analysis}}_{{variant}}_{{split}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/merge_{{analysis}}_{{variant}}_{{split}}.tsv"
    shell:
        "python -m multihiggs.convert.merge -o {output} {input} --seed {params.seed} {params.flags} > {log} 2>&1"


def training_dataset(wildcards, split):
    variant = variant_entry(wildcards.variant).dataset_variant
    return f"{RESULTS}/datasets/{wildcards.analysis}/{variant}/{split}.h5"


def spanet_option_overrides(analysis, variant):
    """``--set key=value`` flags over config/options/base.json: the variant's options (multihiggs.methods), then
    config spanet.options, then spanet.analysis_options.<analysis>."""
    options = dict(variant_entry(variant).options)
    options.update(config["spanet"]["options"])
    options.update(config["spanet"].get("analysis_options", {}).get(analysis, {}))
    # booleans as JSON (true/false), which --set reads back as booleans
    return " ".join(f"--set {key}={json.dumps(value) if isinstance(value, bool) else value}" for key, value in options.items())


rule train_spanet:
    input:
        options=f"{REPO_DIR}/config/options/base.json",
        event_file=lambda wildcards: event_file(wildcards.analysis, wildcards.variant),
        train=lambda wildcards: training_dataset(wildcards, "train"),
        val=lambda wildcards: training_dataset(wildcards, "val"),
    output:
        model=f"{RESULTS}/models/{{analysis}}/spanet_{{variant}}/model.pt",
        # per-epoch losses and validation purity (multihiggs.spanet.trainer), drawn by rule training_curves
        metrics=f"{RESULTS}/models/{{analysis}}/spanet_{{variant}}/metrics.json",
    params:
        overrides=lambda wildcards: spanet_option_overrides(wildcards.analysis, wildcards.variant),
        seed=lambda wildcards: training_seed(wildcards.variant),
    # Capped at --cores locally; on a cluster it is what a job asks for (a fixed number, not "all of the node").
    threads: 8
    resources:
        gpu=1,
        runtime=config["spanet"]["resources"]["train_runtime_min"],
        mem_mb=config["spanet"]["resources"]["train_mem_mb"],
    log:
        f"{RESULTS}/logs/train/{{analysis}}_spanet_{{variant}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/{{analysis}}_spanet_{{variant}}.tsv"
    shell:
        "python -m multihiggs.spanet.train -of {input.options} -ef {input.event_file} -tf {input.train} "
        "-vf {input.val} -l $(dirname $(dirname {output.model})) -n spanet_{wildcards.variant} --seed {params.seed} "
        "--gpus 1 --threads {threads} --no-progress --restart-changed {params.overrides} > {log} 2>&1"


rule training_curves:
    input:
        f"{RESULTS}/models/{{analysis}}/spanet_{{variant}}/metrics.json",
    output:
        pdf=f"{RESULTS}/figures/training/{{analysis}}_spanet_{{variant}}.pdf",
        png=report(
            f"{RESULTS}/figures/training/{{analysis}}_spanet_{{variant}}.png",
            category="4 Training",
            subcategory="SPA-Net {analysis}",
            caption="../report/training_curves.rst",
        ),
    params:
        energy=config["collider"]["sqrt_s_gev"] / 1000,
    log:
        f"{RESULTS}/logs/train/training_curves_{{analysis}}_spanet_{{variant}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/train/training_curves_{{analysis}}_spanet_{{variant}}.tsv"
    shell:
        "python -m multihiggs.plotting.training_curves {input} --method spanet_{wildcards.variant} "
        "--analysis {wildcards.analysis} --energy-tev {params.energy} -o {output.pdf} > {log} 2>&1"


# Split "test_at_kl_input": the test file scored at the fixed κλ input stats.kl_input (the κλ-mixed network takes κλ
# as an input, which real data cannot supply: the κλ fit evaluates every sample at one value).
KL_INPUT_SPLIT = "test_at_kl_input"


def prediction_events(wildcards):
    split = "test" if wildcards.split == KL_INPUT_SPLIT else wildcards.split
    return f"{RESULTS}/h5/{wildcards.analysis}/{wildcards.sample}/{split}.h5"


def prediction_flags(wildcards):
    """``--kl-input`` for the fixed-κλ split; QCD test events of a κλ-input network get κλ drawn from
    spanet.kl_mixed_values, as its background training events (hsieh_spanet2's corrected background test sample)."""
    if wildcards.split == KL_INPUT_SPLIT:
        return f"--kl-input {config['stats']['kl_input']}"
    if wildcards.split == "test" and wildcards.sample == "qcd" and variant_entry(wildcards.variant).kl_input:
        return f"--kl-random-from {' '.join(map(str, KL_MIXED_VALUES))} --kl-seed {config['seed']}"
    return ""


rule predict_spanet:
    input:
        model=lambda wildcards: spanet_model(wildcards.analysis, wildcards.variant),
        events=prediction_events,
    output:
        f"{RESULTS}/predictions/{{analysis}}/spanet_{{variant}}/{{split}}/{{sample}}.h5",
    wildcard_constraints:
        split=f"val|test|{KL_INPUT_SPLIT}",
    params:
        flags=prediction_flags,
    threads: 1
    resources:
        gpu=1,
        runtime=config["spanet"]["resources"]["predict_runtime_min"],
        mem_mb=config["spanet"]["resources"]["predict_mem_mb"],
    log:
        f"{RESULTS}/logs/predict/{{analysis}}/spanet_{{variant}}/{{split}}/{{sample}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/predict/{{analysis}}/spanet_{{variant}}/{{split}}/{{sample}}.tsv"
    shell:
        "python -m multihiggs.spanet.predict {input.model} -tf {input.events} -o {output} "
        "--method spanet_{wildcards.variant} {params.flags} --gpus 1 --threads {threads} > {log} 2>&1"
