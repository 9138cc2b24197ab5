# Two commands for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install lint typecheck bench bench-demo bench-import bench-history-import bench-analytics bench-startup bench-forecast bench-review screenshots bench-campaigns bench-hygiene clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The dev extras include PySpark (--engine spark, tests/conformance); Spark also needs Java 17+.
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Build the demo workspace (sqo-demo.db) and show its pipeline.
demo: install
	$(BIN)/sqo --db sqo-demo.db demo

## Lint, type-check and run the whole test suite.
test: install lint typecheck
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check sqo tests benchmarks
	$(BIN)/ruff format --check sqo tests benchmarks

typecheck: install
	$(BIN)/mypy sqo

## Benchmarks (not part of `make test`): figures go to benchmarks/results/.
bench: bench-demo bench-import bench-history-import bench-analytics bench-startup bench-forecast bench-hygiene

bench-demo: install
	$(BIN)/python -m benchmarks.demo_bench

bench-import: install
	$(BIN)/python -m benchmarks.import_bench

bench-history-import: install
	$(BIN)/python -m benchmarks.history_import_bench

bench-analytics: install
	$(BIN)/python -m benchmarks.analytics_bench $(ARGS)

bench-startup: install
	$(BIN)/python -m benchmarks.startup_bench

bench-forecast: install
	$(BIN)/python -m benchmarks.forecast_bench $(ARGS)

bench-review: install
	$(BIN)/python -m benchmarks.review_bench $(ARGS)

## PNG screenshots of the weekly review (English, Swedish) in docs/; needs Debian's chromium.
screenshots: install
	$(BIN)/python docs/screenshots.py

bench-campaigns: install
	$(BIN)/python -m benchmarks.campaigns_bench $(ARGS)

bench-hygiene: install
	$(BIN)/python -m benchmarks.hygiene_bench $(ARGS)

clean:
	rm -rf $(VENV) sqo-demo.db .pytest_cache .mypy_cache .ruff_cache
