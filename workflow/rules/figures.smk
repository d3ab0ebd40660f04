# The paper's figures and tables, from the evaluation JSON files.


rule figure:
    input:
        lambda wildcards: figure_plan(wildcards.figure)[1],
    output:
        report(f"{RESULTS}/figures/{{figure}}.pdf", category="Figures", caption="../report/figure.rst"),
    wildcard_constraints:
        figure="|".join(FIGURE_NAMES + [f"{name}_hh" for name in ("purity_vs_pt", "efficiency_vs_pt", "purity_vs_njets")]),
    params:
        kind=lambda wildcards: figure_plan(wildcards.figure)[0],
        energy=config["collider"]["sqrt_s_gev"] / 1000,
    log:
        f"{RESULTS}/logs/figures/{{figure}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/figures/{{figure}}.tsv"
    shell:
        "python -m multihiggs.plotting.figures {params.kind} --inputs {input} --energy-tev {params.energy} "
        "-o {output} > {log} 2>&1"


rule table:
    input:
        lambda wildcards: table_plan(wildcards.table)[1],
    output:
        markdown=report(f"{RESULTS}/tables/{{table}}.md", category="Tables", caption="../report/table.rst"),
        latex=f"{RESULTS}/tables/{{table}}.tex",
    wildcard_constraints:
        table="|".join(TABLE_NAMES),
    params:
        labels=lambda wildcards: ("--labels " + " ".join(f"'{label}'" for label in table_plan(wildcards.table)[2]))
        if table_plan(wildcards.table)[2]
        else "",
    log:
        f"{RESULTS}/logs/figures/table_{{table}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/figures/table_{{table}}.tsv"
    shell:
        "python -m multihiggs.evaluate.tables {wildcards.table} --inputs {input} {params.labels} "
        "--markdown {output.markdown} --latex {output.latex} > {log} 2>&1"
