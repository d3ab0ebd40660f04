# Event simulation: parton level (our LO matrix elements) -> Pythia 8 -> FastJet -> detector -> Delphes-schema ROOT.


rule form_factor_table:
    output:
        f"{RESULTS}/generator/form_factors_m{{mass}}.npz",
    params:
        grid=config["generation"]["form_factor_grid"],
        top_mass=config["physics"]["top_mass_gev"],
    log:
        f"{RESULTS}/logs/generate/form_factors_m{{mass}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/generate/form_factors_m{{mass}}.tsv"
    shell:
        "python -m multihiggs.generate form-factors --higgs-mass {wildcards.mass} "
        "--top-mass {params.top_mass} --n-mass {params.grid[n_mass]} --n-cos {params.grid[n_cos]} "
        "--mass-max {params.grid[mass_max_gev]} --quadrature-order {params.grid[quadrature_order]} "
        "--output {output} > {log} 2>&1"


def shard_form_factors(wildcards):
    spec = SAMPLES[wildcards.sample]
    return [form_factor_table_path(spec.higgs_mass_gev)] if spec.needs_form_factors else []


rule generate_shard:
    input:
        form_factors=shard_form_factors,
    output:
        f"{RESULTS}/samples/{{sample}}/shard{{shard}}.root",
    params:
        spec=lambda wildcards: SAMPLES[wildcards.sample].to_json(),
        form_factors=lambda wildcards, input: f"--form-factors {input.form_factors}" if input.form_factors else "",
    log:
        f"{RESULTS}/logs/generate/{{sample}}/shard{{shard}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/generate/{{sample}}/shard{{shard}}.tsv"
    shell:
        "python -m multihiggs.generate shard --spec {params.spec:q} --shard {wildcards.shard} "
        "{params.form_factors} --output {output} > {log} 2>&1"


rule validate_generator:
    input:
        form_factors=form_factor_table_path(config["physics"]["higgs_mass_gev"]),
        hh=lambda wildcards: delphes_files(hh_reference_sample()),
        hhh=lambda wildcards: delphes_files("hhh"),
        qcd=lambda wildcards: delphes_files("qcd"),
    output:
        ratios_pdf=f"{RESULTS}/validation/hh_cross_section_ratios.pdf",
        ratios_md=f"{RESULTS}/validation/hh_cross_section_ratios.md",
        spectra=f"{RESULTS}/validation/parton_spectra.pdf",
        multiplicities_pdf=f"{RESULTS}/validation/jet_multiplicities.pdf",
        multiplicities_md=f"{RESULTS}/validation/jet_multiplicities.md",
        # PNG previews beside the PDFs (multihiggs.plotting.style.save_figure), shown by the HTML report
        ratios_png=report(
            f"{RESULTS}/validation/hh_cross_section_ratios.png",
            category="5 Validation",
            caption="../report/hh_cross_section_ratios.rst",
        ),
        spectra_png=report(
            f"{RESULTS}/validation/parton_spectra.png", category="5 Validation", caption="../report/parton_spectra.rst"
        ),
        multiplicities_png=report(
            f"{RESULTS}/validation/jet_multiplicities.png",
            category="5 Validation",
            caption="../report/jet_multiplicities.rst",
        ),
    params:
        sqrt_s=config["collider"]["sqrt_s_gev"],
        seed=config["seed"],
        hhh=config["samples"]["hhh"],
    log:
        f"{RESULTS}/logs/generate/validate.log",
    benchmark:
        f"{RESULTS}/benchmarks/generate/validate.tsv"
    shell:
        "python -m multihiggs.generate validate --form-factors {input.form_factors} --sqrt-s {params.sqrt_s} "
        "--seed {params.seed} --hh {input.hh} --hhh {input.hhh} --qcd {input.qcd} "
        "--hhh-kappa-3 {params.hhh[kappa_3]} --hhh-kappa-4 {params.hhh[kappa_4]} "
        "--hhh-damping-power {params.hhh[damping_power]} "
        "--output-dir {RESULTS}/validation > {log} 2>&1"


rule qcd_stitching_closure:
    # The split (light / b-hard) and g -> bb-enhanced QCD sample against the inclusive sample made for this check
    # only (samples.qcd.closure_n_events); multihiggs.generate.qcd_closure.
    input:
        stitched=lambda wildcards: delphes_files("qcd"),
        inclusive=lambda wildcards: delphes_files(QCD_CLOSURE_SAMPLE),
    output:
        pdf=f"{RESULTS}/validation/qcd_stitching_closure.pdf",
        md=f"{RESULTS}/validation/qcd_stitching_closure.md",
        json=f"{RESULTS}/validation/qcd_stitching_closure.json",
        png=report(
            f"{RESULTS}/validation/qcd_stitching_closure.png",
            category="5 Validation",
            caption="../report/qcd_stitching_closure.rst",
        ),
    params:
        sqrt_s=config["collider"]["sqrt_s_gev"],
    log:
        f"{RESULTS}/logs/generate/qcd_stitching_closure.log",
    benchmark:
        f"{RESULTS}/benchmarks/generate/qcd_stitching_closure.tsv"
    shell:
        "python -m multihiggs.generate qcd-closure --stitched {input.stitched} --inclusive {input.inclusive} "
        "--sqrt-s {params.sqrt_s} --output-pdf {output.pdf} --output-md {output.md} --output-json {output.json} "
        "> {log} 2>&1"
