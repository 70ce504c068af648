# `make demo` and `make test` set everything up themselves on a fresh Debian machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test lint typecheck unit bench browser schedulers clean

demo: $(INSTALLED) browser
	$(BIN)/audiowatch demo

test: $(INSTALLED) browser schedulers lint typecheck
	$(BIN)/python -m pytest

lint: $(INSTALLED)
	$(BIN)/ruff check src tests benchmarks

typecheck: $(INSTALLED)
	$(BIN)/mypy

# The fast tests only: no browser, no subprocesses.
unit: $(INSTALLED)
	$(BIN)/python -m pytest -m "not slow and not browser"

bench: $(INSTALLED) $(VENV)/.installed-benchmark browser
	$(BIN)/python benchmarks/run_all.py

$(VENV)/.installed-benchmark: pyproject.toml $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e '.[test,benchmark]'
	touch $@

browser:
	@PYTHON=$(PYTHON) sh scripts/ensure-system-packages chromium

# systemd-analyze and crontab, which the schedule tests run for real.
schedulers:
	@PYTHON=$(PYTHON) sh scripts/ensure-system-packages schedulers

$(INSTALLED): pyproject.toml
	@PYTHON=$(PYTHON) sh scripts/ensure-system-packages venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(INSTALLED)

clean:
	rm -rf $(VENV) build dist src/*.egg-info .pytest_cache .mypy_cache .ruff_cache .hypothesis
