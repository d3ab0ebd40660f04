# results/provenance.json: every final output with the provenance stamp read back from it (multihiggs.provenance);
# the pyhf workspaces, stamped in sidecars, too. Included last: it lists what the other rule files make.

PROVENANCE_FILE = f"{RESULTS}/provenance.json"


def provenance_targets():
    return [PROVENANCE_FILE]


def stamped_outputs():
    """Every final output but provenance.json itself, then the directory of pyhf workspaces."""
    outputs = [path for path in final_targets() if path not in provenance_targets()]
    return outputs + [rules.kl_scan.output.workspaces]


rule provenance:
    input:
        stamped_outputs(),
    output:
        PROVENANCE_FILE,
    log:
        f"{RESULTS}/logs/provenance.log",
    benchmark:
        f"{RESULTS}/benchmarks/provenance.tsv"
    shell:
        "python -m multihiggs.report.provenance collect {input} -o {output} > {log} 2>&1"
