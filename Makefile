# Every target is self-sufficient on a fresh clone: it creates .venv and installs when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint bench catalog clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## open the shell on the local sandbox
	$(BIN)/awsql --sandbox

test: $(STAMP)  ## lint, then the whole suite
	$(BIN)/ruff check awsql_shell tests bench scripts
	$(BIN)/ruff format --check awsql_shell tests bench scripts
	$(BIN)/python -m pytest -n 2 -q

test-fast: $(STAMP)  ## the pure layers and most of the rest in seconds (no subprocess, pty or slow sandbox)
	$(BIN)/python -m pytest -n 2 -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check awsql_shell tests bench scripts
	$(BIN)/ruff format --check awsql_shell tests bench scripts

bench: $(STAMP)  ## every benchmark, each prints its figures
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

catalog: $(STAMP)  ## rebuild the embedded catalog from the pinned c7n-awscc schemas
	$(BIN)/python scripts/build_catalog.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
