# Conversion of Delphes ROOT to the SPANet HDF5 layout, with truth matching; per analysis (hh, hhh) and sample.


def conversion_arguments(wildcards, swapped_signal_selection=False):
    """Selection and matching flags of one (analysis, sample) conversion, from the config; with
    ``swapped_signal_selection`` a signal sample's b-tag cut and tag-rate weights trade places (the swapped pairing
    of the signal tag-rate closure)."""
    conversion = config["conversion"]
    selection = conversion[wildcards.analysis]
    spec = SAMPLES[wildcards.sample]
    arguments = [
        f"--process {spec.process}",
        f"--n-higgs {ANALYSIS_N_HIGGS[wildcards.analysis]}",
        f"--min-jets {selection['min_jets']}",
        f"--jet-min-pt {conversion['ak5']['pt_min_gev']} --jet-max-eta {conversion['ak5']['eta_max']}",
        f"--fatjet-min-pt {conversion['ak8']['pt_min_gev']} --fatjet-max-eta {conversion['ak8']['eta_max']}",
        f"--resolved-max-dr {conversion['matching']['resolved_max_dr']}",
        f"--boosted-max-dr {conversion['matching']['boosted_max_dr']}",
        f"--split-seed {config['seed']} --split-fractions {' '.join(map(str, conversion['split_fractions']))}",
        f"--step-size {conversion['step_size']}",
        f"--tag-working-point {conversion['tag_working_point']}",
        f"--n-tags {selection['n_tags']} --tag-min-pt {selection['tag_min_pt_gev']}",
    ]
    # The global κλ input: the sample's κλ (κ3 for HHH); QCD gets the SM value here and a random κλ from the
    # κλ-mixed list when merged into that variant's training set.
    kappa = {"hh": spec.kappa_lambda, "hhh": spec.kappa_3, "qcd": 1.0}[spec.process]
    arguments.append(f"--kl {kappa}")
    if wildcards.sample in USER_DELPHES:
        arguments += USER_DELPHES[wildcards.sample].weight_arguments() + input_reading_arguments(wildcards.sample)
    if selection["four_tag"]:
        is_qcd = spec.process == "qcd"
        # the signal closure's reference sample is converted with the cut the tag-rate weights replace
        signal_tag_rate = conversion["signal_tag_rate_weights"] and wildcards.sample != HH_CLOSURE_SAMPLE
        signal_tag_rate = signal_tag_rate != swapped_signal_selection
        tag_rate = conversion["qcd_tag_rate_weights"] if is_qcd else signal_tag_rate
        arguments.append("--tag-rate-weights" if tag_rate else "--four-tag")
        if tag_rate and not is_qcd:
            arguments.append(f"--tag-rate-unweight-below {conversion['signal_tag_rate_unweight_below']}")
        if tag_rate and is_qcd:
            model = conversion["qcd_tag_rate"]
            arguments.append(f"--tag-rate-model {model['model']}")
            arguments.append(f"--tag-rate-pt-edges {' '.join(map(str, model['pt_edges_gev']))}")
            arguments.append(f"--tag-rate-eta-edges {' '.join(map(str, model['abs_eta_edges']))}")
    return " ".join(arguments)


def tag_rate_closure_arguments(wildcards):
    """Selection and inclusive-rate binning of the closure check: 2 … n_tags required tags."""
    conversion = config["conversion"]
    selection = conversion[wildcards.analysis]
    model = conversion["qcd_tag_rate"]
    n_tags = " ".join(str(n) for n in range(min(2, selection["n_tags"]), selection["n_tags"] + 1))
    return " ".join(
        [
            f"--min-jets {selection['min_jets']} --n-tags {n_tags} --tag-min-pt {selection['tag_min_pt_gev']}",
            f"--jet-min-pt {conversion['ak5']['pt_min_gev']} --jet-max-eta {conversion['ak5']['eta_max']}",
            f"--tag-working-point {conversion['tag_working_point']} --step-size {conversion['step_size']}",
            f"--tag-rate-pt-edges {' '.join(map(str, model['pt_edges_gev']))}",
            f"--tag-rate-eta-edges {' '.join(map(str, model['abs_eta_edges']))}",
            *input_reading_arguments("qcd"),
        ]
    )


rule convert_sample:
    input:
        lambda wildcards: delphes_files(wildcards.sample),
    output:
        train=f"{RESULTS}/h5/{{analysis}}/{{sample}}/train.h5",
        val=f"{RESULTS}/h5/{{analysis}}/{{sample}}/val.h5",
        test=f"{RESULTS}/h5/{{analysis}}/{{sample}}/test.h5",
    params:
        arguments=conversion_arguments,
    log:
        f"{RESULTS}/logs/convert/{{analysis}}/{{sample}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/convert/{{analysis}}/{{sample}}.tsv"
    shell:
        "python -m multihiggs.convert --input {input} --output-dir $(dirname {output.train}) "
        "--sample {wildcards.sample} {params.arguments} > {log} 2>&1"


# The signal closure's swapped pairing: the main SM HH sample with the b-tag cut and the independent closure sample
# with tag-rate weights (validation only); convert_sample's command with the selection swapped.
use rule convert_sample as convert_swapped_selection with:
    output:
        train=f"{RESULTS}/h5/{{analysis}}/swapped_selection/{{sample}}/train.h5",
        val=f"{RESULTS}/h5/{{analysis}}/swapped_selection/{{sample}}/val.h5",
        test=f"{RESULTS}/h5/{{analysis}}/swapped_selection/{{sample}}/test.h5",
    params:
        arguments=lambda wildcards: conversion_arguments(wildcards, swapped_signal_selection=True),
    log:
        f"{RESULTS}/logs/convert/{{analysis}}/swapped_selection/{{sample}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/convert/{{analysis}}/swapped_selection/{{sample}}.tsv"


rule matching_table:
    input:
        lambda wildcards: [f"{RESULTS}/h5/{wildcards.analysis}/{name}/test.h5" for name in ANALYSIS_SAMPLES[wildcards.analysis]
                           if SAMPLES[name].process != "qcd"],
    output:
        md=f"{RESULTS}/tables/matching_{{analysis}}.md",
        tex=f"{RESULTS}/tables/matching_{{analysis}}.tex",
    log:
        f"{RESULTS}/logs/convert/matching_table_{{analysis}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/convert/matching_table_{{analysis}}.tsv"
    shell:
        "python -m multihiggs.convert.tables --input {input} --output-md {output.md} --output-tex {output.tex} "
        "> {log} 2>&1"


rule tag_rate_closure:
    input:
        lambda wildcards: delphes_files("qcd"),
    output:
        md=f"{RESULTS}/validation/tag_rate_closure_{{analysis}}.md",
        json=f"{RESULTS}/validation/tag_rate_closure_{{analysis}}.json",
        pdf=f"{RESULTS}/validation/tag_rate_closure_{{analysis}}.pdf",
        png=report(
            f"{RESULTS}/validation/tag_rate_closure_{{analysis}}.png",
            category="5 Validation",
            caption="../report/tag_rate_closure.rst",
        ),
    params:
        arguments=tag_rate_closure_arguments,
    log:
        f"{RESULTS}/logs/convert/tag_rate_closure_{{analysis}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/convert/tag_rate_closure_{{analysis}}.tsv"
    shell:
        "python -m multihiggs.convert.tag_rate_closure --input {input} {params.arguments} --output-md {output.md} "
        "--output-json {output.json} --output-pdf {output.pdf} > {log} 2>&1"


rule signal_tag_rate_closure:
    input:
        tag_rate=lambda wildcards: converted_splits("hh", hh_reference_sample()),
        cut=lambda wildcards: converted_splits("hh", HH_CLOSURE_SAMPLE),
        swapped_tag_rate=lambda wildcards: converted_splits("hh", f"swapped_selection/{HH_CLOSURE_SAMPLE}"),
        swapped_cut=lambda wildcards: converted_splits("hh", f"swapped_selection/{hh_reference_sample()}"),
    output:
        md=f"{RESULTS}/validation/signal_tag_rate_closure.md",
        json=f"{RESULTS}/validation/signal_tag_rate_closure.json",
        pdf=f"{RESULTS}/validation/signal_tag_rate_closure.pdf",
        png=report(
            f"{RESULTS}/validation/signal_tag_rate_closure.png",
            category="5 Validation",
            caption="../report/signal_tag_rate_closure.rst",
        ),
    log:
        f"{RESULTS}/logs/convert/signal_tag_rate_closure.log",
    benchmark:
        f"{RESULTS}/benchmarks/convert/signal_tag_rate_closure.tsv"
    shell:
        "python -m multihiggs.convert.signal_tag_rate_closure --tag-rate {input.tag_rate} --cut {input.cut} "
        "--swapped-tag-rate {input.swapped_tag_rate} --swapped-cut {input.swapped_cut} "
        "--output-md {output.md} --output-json {output.json} --output-pdf {output.pdf} > {log} 2>&1"
