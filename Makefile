# sez-sim: every target builds .venv with a Python >= 3.12 it finds by itself.
# Override with `make test PYTHON=/path/to/python3.12`.

SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin

# Candidates in order: python3.13, python3.12, python3, then pyenv's installed versions (newest first).
# A candidate counts only if it actually runs and reports >= 3.12 (pyenv shims exist but may not run).
PYTHON ?= $(shell for c in python3.13 python3.12 python3 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.* 2>/dev/null | sort -Vr | sed 's|$$|/bin/python3|'); do \
	  "$$c" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1 && { echo "$$c"; break; }; \
	done)

.PHONY: help run app test sweep lint bench notebooks network clean check-python

help:
	@echo "make run    - run the GMS baseline scenario (outputs in results/)"
	@echo "make app    - the workshop app on http://127.0.0.1:8765 (offline; docs/app.md)"
	@echo "make test   - ruff + the full pytest suite"
	@echo "make lint   - ruff check and format check"
	@echo "make bench  - performance benchmarks (benchmarks/README.md; about 25 minutes)"
	@echo "make sweep  - every uncertainty, setting and lever at its bounds on the GMS data, the mechanisms' and the baseline's for 20 years (about 850 CPU-seconds)"
	@echo "make notebooks - build examples/*.ipynb from their sources, examples/*.py"

check-python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "sez-sim needs Python >= 3.12: install python3.12 (e.g. 'pyenv install 3.12' or your OS package) or pass PYTHON=/path/to/python3.12"; \
	  exit 1; \
	fi

# Packages are installed by uv, which pip installs into .venv first: .venv with the dev set takes about 40 s instead
# of pip's two minutes, and uv resolves to the same releases. Where uv cannot be installed or cannot install, pip
# does it all.
# Bytecode: a module is compiled when a process first imports it, and the .pyc kept for the next. Where
# PYTHONDONTWRITEBYTECODE is set, as on these machines, no .pyc would be kept and every process would compile what it
# imports (6 s instead of 2 s for sez-sim's), so make's commands run without it. Compiling every installed file
# instead (uv's --compile-bytecode, as pip does) took about 35 s of the build, for many files no run imports.
unexport PYTHONDONTWRITEBYTECODE
install = { [ -x $(BIN)/uv ] && $(BIN)/uv pip install -q --python $(BIN)/python $(1); } || \
	{ $(BIN)/python -m pip install -q --upgrade pip && $(BIN)/python -m pip install -q $(1); }
# What a run imports, compiled once here: .venv/bin/sez-sim started outside make, where PYTHONDONTWRITEBYTECODE
# is set, finds it compiled.
compile_run = $(BIN)/python -c "import sez_sim.cli, sez_sim.runs, sez_sim.viz.figures, sez_sim.experiments.batch"

$(VENV)/.stamp-base: pyproject.toml | check-python
	@if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)'; then \
	  rm -rf $(VENV); "$(PYTHON)" -m venv $(VENV); fi
	$(BIN)/python -m pip install -q uv || echo "uv could not be installed: pip installs the packages"
	$(call install,-e .)
	$(compile_run)
	@touch $@

$(VENV)/.stamp-app: $(VENV)/.stamp-base
	$(call install,-e ".[app]")
	@touch $@

$(VENV)/.stamp-dev: $(VENV)/.stamp-base
	$(call install,-e ".[dev]")
	@touch $@

run: $(VENV)/.stamp-base
	$(BIN)/sez-sim network --out results/gms_network.png
	$(BIN)/sez-sim run scenarios/gms_baseline.yaml

app: $(VENV)/.stamp-app
	$(BIN)/sez-sim app

test: $(VENV)/.stamp-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest -q

sweep: $(VENV)/.stamp-dev
	SEZ_SIM_GMS_SWEEP=1 $(BIN)/python -m pytest -q --dist load tests/test_parameter_bounds.py

lint: $(VENV)/.stamp-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: $(VENV)/.stamp-dev
	$(BIN)/python benchmarks/run_all.py

notebooks: $(VENV)/.stamp-dev
	$(BIN)/jupytext --to ipynb examples/*.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
