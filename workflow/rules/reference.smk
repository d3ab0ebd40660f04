# Reference SPANet (pip `spanet`): the user's `python -m spanet.predict` outputs on our test files, imported into our
# prediction layout (config inputs.reference_predictions), then evaluated like every method. Not in the κλ fit:
# stats.methods accepts only the workflow's own methods (schema).
import re

#: Wildcard pattern of the declared methods (one that matches nothing when none is declared).
REFERENCE_METHOD_PATTERN = "|".join(re.escape(method) for method in REFERENCE_PREDICTIONS) or "(?!)"


def reference_prediction_file(wildcards):
    """The user's spanet.predict output for one (analysis, method, sample)."""
    entry = REFERENCE_PREDICTIONS[wildcards.method]
    if entry["analysis"] != wildcards.analysis or wildcards.sample not in entry["files"]:
        raise ValueError(
            f"config key inputs.reference_predictions.{wildcards.method} gives no prediction file of sample "
            f"{wildcards.sample} ({wildcards.analysis})"
        )
    return entry["files"][wildcards.sample]


def reference_import_options(wildcards):
    """Post-processing of the imported candidates (default: our SPA-Net's)."""
    entry = REFERENCE_PREDICTIONS[wildcards.method]
    return (
        f"--resolved-count {entry.get('resolved_count', 'fill')} "
        f"--overlap-delta-r {entry.get('overlap_delta_r', 0.5)}"
    )


rule import_reference_predictions:
    input:
        reference=reference_prediction_file,
        events=f"{RESULTS}/h5/{{analysis}}/{{sample}}/test.h5",
    output:
        f"{RESULTS}/predictions/{{analysis}}/{{method}}/test/{{sample}}.h5",
    wildcard_constraints:
        method=REFERENCE_METHOD_PATTERN,
    params:
        n_higgs=lambda wildcards: ANALYSIS_N_HIGGS[wildcards.analysis],
        options=reference_import_options,
    log:
        f"{RESULTS}/logs/reference/{{analysis}}/{{method}}/{{sample}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/reference/{{analysis}}/{{method}}/{{sample}}.tsv"
    shell:
        "python -m multihiggs.spanet.reference_import {input.reference:q} --test {input.events} "
        "--method {wildcards.method} --n-higgs {params.n_higgs} {params.options} -o {output} > {log} 2>&1"
