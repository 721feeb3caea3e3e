# Two commands are all a learner needs:
#   make lab    set everything up (first time only) and open the lessons in JupyterLab
#   make test   set everything up (first time only) and run every test and every notebook
# Setup lives in .venv, is made once, and is redone only when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: venv lab test notebooks bench download clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)
	@echo "Environment ready in $(VENV)."

# JupyterLab refuses to run as root unless told; containers and Binder-like machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: venv
	$(BIN)/jupyter lab $(ROOT_FLAG) notebooks/

test: venv
	$(BIN)/python -m pytest

# Re-execute every lesson in a fresh kernel and save it with its outputs.
notebooks: venv
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=600 notebooks/*.ipynb

download: venv
	$(BIN)/python -m mnistnet download

# Benchmarks against PyTorch (CPU). Not part of `make test`.
bench: venv
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf $(VENV) build *.egg-info
