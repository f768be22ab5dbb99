# Two entry points: `make lab` opens the course, `make test` runs every test.
# Both create .venv and install what they need first (once, and again when a list changes):
# requirements.txt for the course, requirements-test.txt on top of it for the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
TEST_STAMP = $(VENV)/.installed-test
PIP     = $(BIN)/python -m pip install --disable-pip-version-check --progress-bar on

.PHONY: setup test-setup lab workspace test lint notebooks docs bench mutate

setup: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@echo ">>> Installing the course and JupyterLab into $(VENV) (first time: about 2 minutes)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) -r requirements.txt
	@touch $(STAMP)

test-setup: $(TEST_STAMP)

$(TEST_STAMP): $(STAMP) requirements-test.txt
	@echo ">>> Installing the test tools into $(VENV) (first time: about 1 minute)"
	$(PIP) -r requirements-test.txt
	@touch $(TEST_STAMP)

# JupyterLab refuses to run as root unless told; containers and classroom VMs often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root)

# The learner's own copy of the lessons (git-ignored): new lessons are added, edited ones kept.
workspace: setup
	$(BIN)/k8s-course update

# jupyterlab-settings/overrides.json: the course's JupyterLab defaults (no news popup).
lab: workspace
	@echo ">>> Opening JupyterLab on my-course/ (stop it with Ctrl-C)"
	$(BIN)/jupyter lab $(ROOT_FLAG) --notebook-dir=. \
	  --LabApp.app_settings_dir=jupyterlab-settings my-course/00-start-here.ipynb

test: test-setup
	@echo ">>> ruff, then every test (a few minutes; browser tests need /usr/bin/chromium)"
	$(BIN)/ruff check k8s_course tests benchmarks tools
	$(BIN)/python -m pytest

lint: test-setup
	$(BIN)/ruff check k8s_course tests benchmarks tools

# learner notebooks (notebooks/) are generated from solutions/*.ipynb; never edit them by hand
notebooks: setup
	$(BIN)/python -m tools.build_notebooks

# the generated pages of docs/ (tests fail when a committed one is stale)
docs: setup
	$(BIN)/python -m k8s_course rules --markdown > docs/rules.md
	$(BIN)/python -m tools.coverage > docs/coverage.md

bench: setup
	$(BIN)/python benchmarks/check_speed.py
	$(BIN)/python benchmarks/grade_batch.py
	$(BIN)/python benchmarks/gradebook.py
	$(BIN)/python benchmarks/compare.py
	$(BIN)/python benchmarks/repository.py
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/progress.py
	$(BIN)/python benchmarks/parse_candidates.py

# mutation testing of the modules learners trust most (docs/testing.md); not part of `make test`.
# Always from an empty mutants/: mutmut would keep a mutant's old result after its tests changed.
MUTATE_JOBS ?= 2
mutate: test-setup
	rm -rf mutants
	nice -n 19 $(BIN)/mutmut run --max-children $(MUTATE_JOBS)
	$(BIN)/python -m tools.mutation_report
