# multihiggs: from nothing to the paper in one DAG. See README.md; every config key: config/README.md.
from snakemake.utils import min_version, validate

min_version("9.0")


configfile: "config/config.yaml"


validate(config, "workflow/schemas/config.schema.yaml")


include: "workflow/rules/common.smk"
include: "workflow/rules/generate.smk"


rule all:
    input:
        final_targets(),
    default_target: True
