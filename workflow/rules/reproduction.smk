# Reproduction table: every quantitative claim of the seed documents (config/seed_claims.yaml) beside our value,
# measured with the seed's definition, and a verdict. Its inputs are exactly the result files the claims read.
from multihiggs.reproduction.catalogue import load_catalogue
from multihiggs.reproduction.expressions import required_sources
from multihiggs.reproduction.replicas import replica_sources

SEED_CLAIMS = f"{REPO_DIR}/config/seed_claims.yaml"


def reproduction_sample_sets():
    """Sample lists the claims average or stack over: the κλ-mixed training samples, every gg -> HH κλ sample."""
    return {
        "kl_mixed": [hh_sample_name(kappa) for kappa in KL_MIXED_VALUES],
        "hh_kl": [hh_sample_name(kappa) for kappa in sorted(config["samples"]["hh"]["kappa_lambdas"])],
    }


def reproduction_source_available(ref):
    """Does this configuration produce the result file ``ref`` (a multihiggs.reproduction.sources.SourceRef)?"""
    values = ref.values
    analysis = values.get("analysis", "hh")
    if analysis not in ANALYSIS_SAMPLES:
        return False
    if ref.kind == "matching":
        return values["sample"] in ANALYSIS_SAMPLES[analysis]
    if ref.kind == "scan":
        return bool(STATS_METHODS)
    if ref.kind == "interval":  # the claims compare widths at 139 fb^-1 (hsieh_spanet2 Table 16)
        spread = config["stats"]["interval_spread"]
        return values["method"] in STATS_METHODS and spread["replicas"] > 0 and spread["luminosity_fb"] == 139
    if values["method"] not in analysis_methods(analysis):
        return False
    if ref.kind == "metric":
        return values["sample"] in test_samples(analysis)
    if ref.kind == "classification":
        return values["selection"] == "dnn" or values["method"] in classifier_methods(analysis)
    return ref.kind == "sculpting"


def method_trainings():
    """SPA-Net methods trained from several seeds -> number of trainings (spanet.training_seeds)."""
    return {
        f"spanet_{variant}": TRAINING_SEEDS[variant]
        for variant in dict.fromkeys(name for names in SPANET_VARIANTS.values() for name in names)
        if TRAINING_SEEDS.get(variant, 1) > 1
    }


def reproduction_inputs():
    """The result files the claims read, and those of the seed replicas of the SPA-Net methods among them."""
    refs = required_sources(load_catalogue(SEED_CLAIMS).claims, reproduction_sample_sets())
    available = [ref for ref in refs if reproduction_source_available(ref)]
    available += replica_sources(available, method_trainings())
    return sorted({f"{RESULTS}/{ref.path}" for ref in available})


def reproduction_targets():
    return [f"{RESULTS}/tables/reproduction.{ext}" for ext in ("md", "tex", "json")]


def classification_test_samples():
    """One test set for every method's classification (hsieh_spanet2): the κλ-mixed signal samples and QCD."""
    return reproduction_sample_sets()["kl_mixed"] + ["qcd"]


def classification_predictions(wildcards):
    split = "test" if wildcards.selection == "head" else "dnn_scored"
    return [f"{RESULTS}/predictions/hh/{wildcards.method}/{split}/{name}.h5" for name in classification_test_samples()]


rule reproduction_classification:
    input:
        tests=lambda wildcards: converted_files("hh", "test", classification_test_samples()),
        predictions=classification_predictions,
    output:
        f"{RESULTS}/reproduction/classification/{{selection}}/{{method}}.json",
    wildcard_constraints:
        selection="head|dnn",
    log:
        f"{RESULTS}/logs/reproduction/classification_{{selection}}_{{method}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/reproduction/classification_{{selection}}_{{method}}.tsv"
    shell:
        "python -m multihiggs.evaluate.classification --test {input.tests} --predictions {input.predictions} "
        "--method {wildcards.method} --sample kl_mixed_vs_qcd --weights class-balanced --seed {config[seed]} -o {output} > {log} 2>&1"


rule reproduction_table:
    input:
        claims=SEED_CLAIMS,
        results=reproduction_inputs(),
    output:
        md=report(f"{RESULTS}/tables/reproduction.md", category="1 Overview", caption="../report/reproduction.rst"),
        tex=f"{RESULTS}/tables/reproduction.tex",
        json=f"{RESULTS}/tables/reproduction.json",
    params:
        sample_sets=" ".join(
            f"--sample-set {name}={','.join(samples)}" for name, samples in reproduction_sample_sets().items()
        ),
        trainings=" ".join(f"{method}={count}" for method, count in method_trainings().items()),
        setup=(
            f"√s = {config['collider']['sqrt_s_gev'] / 1000:g} TeV; {config['samples']['hhh']['n_events']} HHH, "
            f"{config['samples']['hh'].get('n_events_sm', config['samples']['hh']['n_events'])} SM HH and "
            f"{config['samples']['qcd']['n_events']} QCD events generated; HH four-tag selection: "
            f"{'yes' if config['conversion']['hh']['four_tag'] else 'no'}; seed {config['seed']}"
        ),
    log:
        f"{RESULTS}/logs/reproduction/table.log",
    benchmark:
        f"{RESULTS}/benchmarks/reproduction/table.tsv"
    shell:
        "python -m multihiggs.reproduction --claims {input.claims} --results-dir {RESULTS} --inputs {input.results} "
        "{params.sample_sets} --trainings {params.trainings} --setup {params.setup:q} --output-md {output.md} --output-tex {output.tex} "
        "--output-json {output.json} > {log} 2>&1"
