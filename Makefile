# Two entry points: `make lab` opens the course, `make test` runs every test.
# Both create .venv and install requirements.txt first (once, and again when it changes).
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed

.PHONY: setup lab test lint notebooks bench mutate

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

# JupyterLab refuses to run as root unless told; containers and classroom VMs often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

lab: setup
	$(BIN)/jupyter lab $(ROOT_FLAG) --notebook-dir=. notebooks/00-start-here.ipynb

test: setup
	$(BIN)/ruff check k8s_course tests benchmarks tools
	$(BIN)/python -m pytest

lint: setup
	$(BIN)/ruff check k8s_course tests benchmarks tools

# learner notebooks (notebooks/) are generated from solutions/*.ipynb; never edit them by hand
notebooks: setup
	$(BIN)/python -m tools.build_notebooks

bench: setup
	$(BIN)/python benchmarks/check_speed.py
	$(BIN)/python benchmarks/grade_batch.py
	$(BIN)/python benchmarks/compare.py
	$(BIN)/python benchmarks/repository.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/parse_candidates.py

# mutation testing of the modules learners trust most (docs/testing.md); not part of `make test`
mutate: setup
	$(BIN)/mutmut run
	$(BIN)/python -m tools.mutation_report
