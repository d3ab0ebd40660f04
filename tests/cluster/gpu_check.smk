# Test-only workflow (tests/cluster/run_slurm_test.py): one rule that requests a GPU the way the training rules do
# (`resources: gpu=1`) and one that requests none, to check through a cluster profile that
#   - only the GPU rule asks the batch system for a GPU (sbatch/srun --gpus=1),
#   - the job sees the GPU SLURM allocated (CUDA_VISIBLE_DEVICES, SLURM_GPUS_ON_NODE),
#   - with no usable CUDA device (a CPU-only node, or the test cluster's fake GPU) the training code's device
#     selection falls back to the CPU with a one-line notice instead of failing.
import os
import sys
from pathlib import Path

# Jobs run the interpreter that runs Snakemake (the project's .venv), as in workflow/rules/common.smk.
os.environ["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"

PROBE = r"""
import json, os, sys
import torch
from multihiggs.spanet.train import select_device
requested = int(sys.argv[2])
device = select_device(requested)
x = torch.ones(64, 64, device=device)
record = {
    "requested_gpus": requested,
    "CUDA_VISIBLE_DEVICES": os.environ.get("CUDA_VISIBLE_DEVICES"),
    "SLURM_GPUS_ON_NODE": os.environ.get("SLURM_GPUS_ON_NODE"),
    "SLURM_JOB_ID": os.environ.get("SLURM_JOB_ID"),
    "cuda_available": torch.cuda.is_available(),
    "device": str(device),
    "matmul_sum": float((x @ x).sum()),
}
json.dump(record, open(sys.argv[1], "w"), indent=1)
"""


rule all:
    input:
        "gpu_check/gpu_job.json",
        "gpu_check/cpu_job.json",


rule gpu_job:
    output:
        "gpu_check/gpu_job.json",
    log:
        "gpu_check/gpu_job.log",
    resources:
        gpu=1,
        runtime=10,
        mem_mb=1000,
    params:
        probe=PROBE,
    shell:
        "python -c {params.probe:q} {output} 1 > {log} 2>&1"


rule cpu_job:
    output:
        "gpu_check/cpu_job.json",
    log:
        "gpu_check/cpu_job.log",
    resources:
        runtime=10,
        mem_mb=1000,
    params:
        probe=PROBE,
    shell:
        "python -c {params.probe:q} {output} 0 > {log} 2>&1"
