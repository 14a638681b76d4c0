# Ember: every command in the README. Each target bootstraps .venv itself.
#   make demo   build the handout and grade three sample submissions
#   make test   the project's whole test suite (what CI runs)

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Graded runs and benchmarks compare like with like: one BLAS thread unless told otherwise.
export PYTHONHASHSEED := 0

SUBMISSIONS ?= submissions
OUT ?= build

.PHONY: help demo test lab release handout grade formgrader feedback bench lint clean

help:
	@echo "make demo | test | lab | release | handout | grade SUBMISSIONS=dir | formgrader |"
	@echo "     feedback | bench | lint | clean"

# The course environment (what students need).
$(VENV)/.course: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	touch $@

# The oracle environment adds torch==2.13.0 (tests and benchmarks only).
$(VENV)/.oracle: $(VENV)/.course
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev,oracle]"
	touch $@

demo: $(VENV)/.course
	$(PY) -m autograder demo --out $(OUT)/demo

test: $(VENV)/.oracle
	$(PY) -m autograder release --check
	$(PY) -m autograder verify
	$(PY) -m pytest tests -p no:cacheprovider

# Rooted at the workspace so that framework/ opens beside the notebooks.
lab: $(VENV)/.course
	$(VENV)/bin/jupyter lab --ServerApp.root_dir=. course/release/01_tensors/01_tensors.ipynb

release: $(VENV)/.course
	$(PY) -m autograder release

handout: $(VENV)/.course
	$(PY) -m autograder handout --out $(OUT)/handout

grade: $(VENV)/.course
	$(PY) -m autograder grade $(SUBMISSIONS) --out $(OUT)/grades

# Manual grading of the last `make grade` run, then feedback and the export of every score.
formgrader: $(VENV)/.course
	$(PY) -m autograder formgrader --grades $(OUT)/grades

feedback: $(VENV)/.course
	$(PY) -m autograder feedback --grades $(OUT)/grades

bench: $(VENV)/.oracle
	$(PY) -m bench

lint: $(VENV)/.course
	$(VENV)/bin/ruff check autograder solutions tests bench

clean:
	rm -rf $(OUT) .pytest_cache .hypothesis
