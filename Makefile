# `make run` and `make test` do all set-up on a fresh Debian machine; both are quick when it is done.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest bench bench-app screenshots bundle setup system-deps clean

run: setup
	$(BIN)/handrail $(ARGS)

test: setup lint typecheck pytest

setup: system-deps $(STAMP)

system-deps:
	@scripts/ensure-system-deps

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy app job_aids search sync resources bench

pytest: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q $(PYTEST_ARGS)

bench: setup
	$(BIN)/python -m bench.run $(ARGS)

bench-app: setup
	$(BIN)/python -m bench.popup_bench $(ARGS)

bundle: setup
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller build.spec

screenshots: setup
	$(BIN)/python -m bench.screenshots $(ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info
