# Set-up and checks. `make test` and `make run` create .venv when missing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: test run lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e . --group test --group lint
	@touch $(STAMP)

test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check sandbox streamlets tests bench examples
	$(BIN)/ruff format --check sandbox streamlets tests bench examples
	$(BIN)/lint-imports
	$(BIN)/sandbox verify --strict blueprints/*

typecheck: $(STAMP)
	$(BIN)/mypy

# Branch coverage of the whole suite (subprocesses too, see pyproject.toml);
# `coverage report` fails below `fail_under`.
pytest: $(STAMP)
	$(BIN)/coverage erase
	$(BIN)/coverage run -m pytest
	$(BIN)/coverage combine --quiet
	$(BIN)/coverage report

run: $(STAMP)
	$(BIN)/sandbox run blueprints/sensor-data.toml

bench: $(STAMP)
	$(BIN)/python bench/verify_scale.py
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/view_overhead.py
	$(BIN)/python bench/testkit_speed.py

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .sandbox .coverage .coverage.*
