# The HTML report (`snakemake --report report.html`) opens with "1 Overview": the headline κλ intervals (with the
# reproduction table when the workflow has a rule making it) and the rule graph. Figures register their own PNGs.


def overview_tables(wildcards):
    """Markdown tables of the overview page, by name: the κλ intervals, then the reproduction table if it is built."""
    tables = {"limits": f"{RESULTS}/tables/kl_limits.md"}
    # Hook: the reproduction table joins the overview as soon as a rule named reproduction_table is defined
    # (workflow.is_rule: `hasattr(rules, ...)` raises for an unknown rule in Snakemake 9).
    if workflow.is_rule("reproduction_table"):
        tables["reproduction"] = f"{RESULTS}/tables/reproduction.md"
    return tables


def overview_sections(wildcards, input):
    sections = [f"--section 'Expected κλ intervals' {input.limits}"]
    if input.get("reproduction"):
        sections.append(f"--section 'Reproduction of the published results' {input.reproduction}")
    return " ".join(sections)


rule report_overview:
    input:
        unpack(overview_tables),
    output:
        report(f"{RESULTS}/report/overview.html", category="1 Overview", caption="../report/overview.rst"),
    params:
        sections=overview_sections,
    log:
        f"{RESULTS}/logs/report/overview.log",
    benchmark:
        f"{RESULTS}/benchmarks/report/overview.tsv"
    shell:
        "python -m multihiggs.report.overview {params.sections} -o {output} > {log} 2>&1"


rule report_rulegraph:
    input:
        f"{REPO_DIR}/docs/rulegraph.svg",
    output:
        report(f"{RESULTS}/report/rulegraph.svg", category="1 Overview", caption="../report/rulegraph.rst"),
    log:
        f"{RESULTS}/logs/report/rulegraph.log",
    shell:
        "cp {input:q} {output} > {log} 2>&1"
