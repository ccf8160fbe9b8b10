# `make demo` and `make test` each do everything on a fresh Debian/Ubuntu/Raspberry Pi OS machine:
# system packages, a virtualenv, the Python packages and the verified speech model.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
export LANG := C.UTF-8
export LC_ALL := C.UTF-8

.PHONY: demo test lint setup model bench clean

$(VENV)/.installed: pyproject.toml scripts/install-system-deps.sh
	./scripts/install-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/pip install -q --disable-pip-version-check -e '.[test,mic,native]'
	touch $@

# the matcher compiled with mypyc when a C compiler is there (assistant/native.py); a no-op when
# up to date, a warning and pure Python when it cannot be built
setup: $(VENV)/.installed
	$(BIN)/python -m assistant.native build

model: setup
	$(BIN)/assistant models pull

demo: model
	@echo "== Running every sample recording through the whole loop (replies in out/replies/) =="
	rm -rf out/demo-state
	$(BIN)/assistant run --state-dir out/demo-state --reply-dir out/replies samples/*.wav

# lint and types first: a style or type error fails the test command before the long test run
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

test: model lint
	$(BIN)/python -m pytest -q

bench: model
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/nlu.py

clean:
	rm -rf out .pytest_cache
