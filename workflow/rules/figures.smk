# The paper's figures and tables, from the evaluation JSON files. Every figure is a PDF and its PNG preview, which
# the HTML report shows (a PDF would only be a download there).
from multihiggs.plotting.captions import figure_caption


rule figure:
    input:
        lambda wildcards: figure_inputs(wildcards.figure),
    output:
        pdf=f"{RESULTS}/figures/{{figure}}.pdf",
        png=report(f"{RESULTS}/figures/{{figure}}.png", category="2 Reconstruction", caption="../report/figure.rst"),
    wildcard_constraints:
        figure="|".join(FIGURE_NAMES + [f"{name}_hh" for name in ("purity_vs_pt", "efficiency_vs_pt", "purity_vs_njets")]),
    params:
        kind=lambda wildcards: figure_plan(wildcards.figure)[0],
        energy=config["collider"]["sqrt_s_gev"] / 1000,
        caption=lambda wildcards: figure_caption(figure_plan(wildcards.figure)[0]),
    log:
        f"{RESULTS}/logs/figures/{{figure}}.log",
    benchmark:
        f"{RESULTS}/benchmarks/figures/{{figure}}.tsv"
    shell:
        "python -m multihiggs.plotting.figures {params.kind} --inputs {input} --energy-tev {params.energy} "
        "-o {output.pdf} > {log} 2>&1"


rule table:
    input:
        lambda wildcards: table_plan(wildcards.table)[1],
    output:
        markdown=report(f"{RESULTS}/tables/{{table}}.md", category="6 Tables", caption="../report/table.rst"),
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
