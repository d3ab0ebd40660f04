# Two entry points, both from a fresh clone: `make paper` (the default paper) and `make test` (the test suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
CONFIG ?= config/config.yaml
CORES ?= all

.PHONY: paper test lint dag

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The HTCondor executor plugin's bindings warn on import (every snakemake call imports every executor plugin) when
# the machine has no HTCondor configuration: envs/htcondor_without_pool.pth, installed into the environment with the
# plugin, sets CONDOR_CONFIG to /dev/null on such machines only (never over a set variable or a real condor_config).
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements/lock.txt envs/htcondor_without_pool.pth
	$(BIN)/pip install --quiet -c requirements/lock.txt -e ".[test,onnx,cluster]"
	cp envs/htcondor_without_pool.pth "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_path("purelib"))')/"
	touch $@

paper: $(VENV)/.installed
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/snakemake --workflow-profile workflow/profiles/default --cores $(CORES) --resources gpu=1 --configfile $(CONFIG)

test: $(VENV)/.installed
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/ruff check src tests scripts benchmarks
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/pytest

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests scripts benchmarks
	$(BIN)/ruff format --check src tests scripts benchmarks

dag: $(VENV)/.installed
	$(BIN)/snakemake --rulegraph --configfile $(CONFIG) | dot -Tsvg > docs/rulegraph.svg
