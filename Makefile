# Ember: every command in the README. Each target bootstraps .venv itself.
#   make demo   build the handout and grade three sample submissions
#   make test   the project's whole test suite (what CI runs)
#   make browser-test  every handout notebook run in JupyterLab in headless Chromium

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
# Graded runs and benchmarks compare like with like: one BLAS thread unless told otherwise.
export PYTHONHASHSEED := 0

SUBMISSIONS ?= submissions
OUT ?= build

.PHONY: help demo test browser-test lab release handout grade formgrader feedback bench lint clean

help:
	@echo "make demo | test | lab | release | handout | grade SUBMISSIONS=dir | formgrader |"
	@echo "     feedback | bench | browser-test | lint | clean"

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

# The tests run on every core (pytest-xdist); the tests that share one expensive
# module-scoped run are kept on one worker (xdist_group).
test: $(VENV)/.oracle
	$(PY) -m autograder release --check
	$(PY) -m autograder verify
	$(PY) -m pytest tests -p no:cacheprovider -n auto --dist loadgroup --durations=15

# The browser's driver (playwright drives Debian's chromium and never downloads a browser).
# Chromium comes from apt when it is missing and this is a root shell with apt-get.
$(VENV)/.browser: $(VENV)/.course
	@command -v chromium >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1 && [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "browser-test needs Chromium: install it (Debian: apt-get install chromium)" >&2; \
	    exit 1; \
	  fi; }
	$(PY) -m pip install --quiet --disable-pip-version-check "playwright>=1.40"
	touch $@

# Every handout notebook, Run All in a real JupyterLab in headless Chromium, twice: on the
# reference framework (no red output, every check PASSED) and on the blank handout (Run All
# reaches the end, every check says what to implement first). Not part of `make test`.
# SCREENSHOTS=docs/screenshots refreshes the README's pictures.
SCREENSHOTS ?= $(OUT)/browser/screenshots
browser-test: $(VENV)/.browser
	$(PY) tests/browser/run_notebooks.py --mode both --out $(OUT)/browser --screenshots $(SCREENSHOTS)

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
