# `make demo` and `make test` set up everything they need on a fresh Debian 12
# machine: the Debian packages Qt needs, a CJK font, the virtual environment.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
SYSTEM := $(VENV)/.system-deps
OUT ?= demo-out

.PHONY: demo test lint typecheck layering unit bench fuzz install clean

demo: $(INSTALLED)
	$(BIN)/kiosk demo --out $(OUT)
	$(BIN)/python -m kiosk.hall.server.dashboard.demo $(OUT)/pages

test: $(INSTALLED) lint typecheck layering
	QT_QPA_PLATFORM=offscreen $(BIN)/pytest

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

layering: $(INSTALLED)
	$(BIN)/lint-imports

bench: $(INSTALLED)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

# Coverage-guided fuzzing of every wire parser with atheris, FUZZ_SECONDS each
# (a crash stops it and leaves crash-<hash> with the input; see fuzz/__init__.py).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= escpos sam kp1 scanner hall
fuzz: $(VENV)/.fuzz-installed
	for target in $(FUZZ_TARGETS); do \
		$(BIN)/python -m fuzz $$target -max_total_time=$(FUZZ_SECONDS) || exit 1; \
	done

$(VENV)/.fuzz-installed: $(INSTALLED)
	$(BIN)/python -m pip install -q -e '.[dev,fuzz]'
	touch $@

install: $(INSTALLED)

$(SYSTEM): tools/system-deps.sh
	PYTHON=$(PYTHON) tools/system-deps.sh
	@mkdir -p $(VENV) && touch $@

$(INSTALLED): pyproject.toml $(SYSTEM)
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed ($(PYTHON))"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

clean:
	rm -rf $(VENV) $(OUT) bench/results.json .mypy_cache .ruff_cache
