# simlib: project tasks.  `make help` lists the public targets.
#
#   make test     ruff + the whole pytest suite (what .ci/run calls)
#   make report   run the main job (`simlib report`) and write its output into out/
#   make bench    the performance figures of issue 5 (`simlib bench`; BENCH_ARGS=--quick for a short run)
#   make lab      JupyterLab on notebooks/ at 127.0.0.1 with the project's venv kernel
#   make training the training dashboard (Voilà on notebooks/training/, 127.0.0.1; CLASSROOM=1, SESSION=name)
#   make notebooks regenerate the stored outputs of the notebooks (tests/test_notebooks.py --nb-force-regen)
#   make clean    remove caches and out/ (keeps .venv; `make distclean` removes it too)
#
# Internal targets: venv (create/refresh .venv, reinstall when pyproject.toml changes) and
# sysdeps (Debian packages the suite needs).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
OUT_DIR ?= out
LAB_PORT ?= 8888
PYTEST_ARGS ?= -n auto
BENCH_ARGS ?=

# Debian packages the suite needs (one list; append e.g. chromium chromium-driver here later).
#   fonts-wqy-microhei: CJK glyphs for the Chinese labels in matplotlib figures.
#   chromium: PDF reports (headless print) and the browser tests (Playwright drives Debian's Chromium).
#   poppler-utils: pdftoppm/pdftotext, with which the tests look inside the PDF reports.
DEB_PACKAGES := fonts-wqy-microhei chromium poppler-utils

IS_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo yes)

# Quieter output in CI (CI=true is set by most CI systems).
ifeq ($(CI),true)
QUIET := -q
else
QUIET :=
endif

.PHONY: help venv sysdeps test report bench lab training notebooks clean distclean

help:
	@echo "make test      ruff check + pytest (tests/)"
	@echo "make report    $(VENV)/bin/simlib report, output into $(OUT_DIR)/"
	@echo "make bench     $(VENV)/bin/simlib bench, the performance figures (minutes; BENCH_ARGS=--quick: seconds)"
	@echo "make lab       JupyterLab on notebooks/ at http://127.0.0.1:$(LAB_PORT)/ (no token)"
	@echo "make training  the training dashboard (Voilà, no code, offline) at http://127.0.0.1:$(TRAINING_PORT)/voila/render/index.ipynb"
	@echo "               SESSION=name: answers into out/training/name; CLASSROOM=1: open to the classroom network (token)"
	@echo "make notebooks regenerate the stored outputs of every notebook (default parameters), then check them"
	@echo "make clean     remove caches and $(OUT_DIR)/; make distclean also removes $(VENV)"

# Create .venv if missing (or --clear it if its interpreter no longer runs), then
# `pip install -e '.[test]'` only when pyproject.toml is newer than the stamp file.
venv:
	@if [[ ! -d "$(VENV)" ]]; then \
	  echo "venv: creating $(VENV) with '$(PYTHON) -m venv $(VENV)'"; \
	  "$(PYTHON)" -m venv "$(VENV)"; \
	  rm -f "$(STAMP)"; \
	elif ! "$(PY)" -c 'import sys' >/dev/null 2>&1; then \
	  echo "venv: $(PY) does not run; recreating with '$(PYTHON) -m venv --clear $(VENV)'"; \
	  "$(PYTHON)" -m venv --clear "$(VENV)"; \
	  rm -f "$(STAMP)"; \
	fi
	@if [[ ! -f "$(STAMP)" || pyproject.toml -nt "$(STAMP)" ]]; then \
	  echo "venv: pyproject.toml is newer than $(STAMP): $(PY) -m pip install -e '.[test]'"; \
	  "$(PY)" -m pip install $(QUIET) --disable-pip-version-check -e '.[test]'; \
	  touch "$(STAMP)"; \
	else \
	  echo "venv: $(VENV) is up to date with pyproject.toml (rm $(STAMP) to force a reinstall)"; \
	fi

# Install missing Debian packages when root; otherwise say what to run and carry on.
# After installing fonts, matplotlib's font cache is deleted so that it sees them.
sysdeps:
	@missing=(); \
	for pkg in $(DEB_PACKAGES); do \
	  [[ "$$(dpkg -s "$$pkg" 2>/dev/null)" == *"Status: install ok installed"* ]] || missing+=("$$pkg"); \
	done; \
	if (( $${#missing[@]} == 0 )); then \
	  echo "sysdeps: Debian packages present: $(DEB_PACKAGES)"; \
	elif [[ "$$(id -u)" == 0 ]] && command -v apt-get >/dev/null; then \
	  echo "sysdeps: installing missing Debian packages: $${missing[*]}"; \
	  apt-get update $(QUIET); \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y $(QUIET) --no-install-recommends "$${missing[@]}"; \
	  rm -f "$${MPLCONFIGDIR:-$${XDG_CACHE_HOME:-$$HOME/.cache}/matplotlib}"/fontlist-*.json; \
	else \
	  echo "sysdeps: WARNING: missing Debian packages: $${missing[*]} (not installing: not root or no apt-get)"; \
	  echo "sysdeps: to install them run:"; \
	  echo "    sudo apt-get update && sudo apt-get install -y --no-install-recommends $${missing[*]}"; \
	  echo "    rm -f ~/.cache/matplotlib/fontlist-*.json   # so matplotlib sees new fonts"; \
	  echo "sysdeps: continuing; tests that need them may fail or skip"; \
	fi

test: venv sysdeps
	$(VENV)/bin/ruff check $(QUIET) .
	$(PY) -m pytest $(QUIET) $(PYTEST_ARGS)

# The main job: the baseline against every named enforcement gap, HTML and PDF, into $(REPORT_DIR)/ (the paths
# are printed). Sized to finish in under 3 minutes on 2 cores: 2,000 cadres x 5 years, 8 replications per scenario
# (the report states the size and which differences are significant at it).
REPORT_DIR ?= reports
REPORT_ARGS ?= --reps 8 --set organisation.cadres=2000 --set calendar.years=5
report: venv sysdeps
	$(VENV)/bin/simlib report baseline --all-gaps $(REPORT_ARGS) --out "$(REPORT_DIR)/"

bench: venv
	$(VENV)/bin/simlib bench $(BENCH_ARGS)

# JUPYTER_PATH puts the venv's own python3 kernelspec first, so notebooks run in .venv.
lab: venv sysdeps
	JUPYTER_PATH="$(CURDIR)/$(VENV)/share/jupyter$${JUPYTER_PATH:+:$$JUPYTER_PATH}" \
	$(VENV)/bin/jupyter lab --no-browser --ip=127.0.0.1 --port=$(LAB_PORT) \
	  --notebook-dir=notebooks --IdentityProvider.token='' $(if $(IS_ROOT),--allow-root)

# The training dashboard (simlib/views/dashboard.py): Voilà on notebooks/training/ at 127.0.0.1:$(TRAINING_PORT),
# code hidden, offline template; answers into out/training/session-YYYYMMDD (SESSION=name: out/training/name).
# CLASSROOM=1 binds every interface and prints the trainees' address with a token.
TRAINING_PORT ?= 8866
SESSION ?=
CLASSROOM ?=
training: venv sysdeps
	$(PY) -m simlib.views.dashboard --port $(TRAINING_PORT) $(if $(SESSION),--session "$(SESSION)") \
	  $(if $(filter 1 yes true,$(CLASSROOM)),--classroom)

# Stored notebook outputs after a deliberate change: pytest-notebook rewrites each notebook whose outputs differ
# (and reports it as a failure), then a second run must reproduce them all.
notebooks: venv sysdeps
	-$(PY) -m pytest $(QUIET) -p no:cacheprovider $(PYTEST_ARGS) tests/test_notebooks.py -k stored_outputs --nb-force-regen
	$(PY) -m pytest $(QUIET) -p no:cacheprovider $(PYTEST_ARGS) tests/test_notebooks.py -k stored_outputs

clean:
	rm -rf "$(OUT_DIR)" .pytest_cache .ruff_cache .hypothesis dask-worker-space build dist ./*.egg-info
	find . -path ./$(VENV) -prune -o -path ./.git -prune -o \
	  \( -name __pycache__ -o -name .ipynb_checkpoints -o -name dask-worker-space \) -type d -prune \
	  -exec rm -rf {} +

distclean: clean
	rm -rf "$(VENV)"
