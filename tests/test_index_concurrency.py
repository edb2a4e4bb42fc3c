"""One index writer at a time, across processes: a search or an `index` during a rebuild, and
two rebuilds at once, leave every aid indexed once; a killed build leaves no worker behind."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from conftest import ROOT, run_cli

from bench import leftovers
from search import AidIndex, SearchEngine

AIDS = 1200  # over the 500 that make a build big: batches and worker processes


def _library(home: Path) -> None:
    library = home / "data" / "library"
    library.mkdir(parents=True)
    for number in range(AIDS):
        (library / f"aid-{number:04}.md").write_text(
            f"---\nid: aid-{number}\n---\n# Aid {number}\n\nword{number} and some more text "
            "about the step to take, the tool to use and what to check.\n")
    run_cli("collection", "remove", "starter", home=home)


def _handrail(home: Path, *args: str, env: dict[str, str] | None = None
              ) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "app.cli", "--home", str(home), *args],
                            cwd=ROOT, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)


def _at_once(home: Path, first: list[str], second: list[str], delay: float) -> None:
    """Two commands, the second started ``delay`` seconds after the first: both succeed."""
    started = _handrail(home, *first)
    time.sleep(delay)
    for process in (started, _handrail(home, *second)):
        _, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors  # a second writer waits for the first
        assert "Traceback" not in errors


def _indexed_once_each(home: Path, sample: list[int]) -> None:
    index = AidIndex(home / "cache" / "index", parallel=False)
    index.open()
    try:
        assert index.rebuilt_because is None
        assert index.doc_count == AIDS
        engine = SearchEngine(index)
        for number in sample:
            found = [r.id for r in engine.search(f"word{number} ").results]
            assert found == [f"aid-{number}"], number
    finally:
        index.close()


@pytest.mark.slow
def test_a_search_or_index_during_a_rebuild_never_doubles_the_index(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _library(home)
    run_cli("index", home=home)
    rng = random.Random(16)
    for round_number in range(16):
        other = ["search", "--json", "word7"] if round_number % 2 else ["index"]
        _at_once(home, ["index", "--rebuild"], other, rng.uniform(0.05, 1.2))
        _indexed_once_each(home, rng.sample(range(AIDS), 5))


@pytest.mark.slow
def test_two_rebuilds_at_once_both_finish(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _library(home)
    run_cli("index", home=home)
    rng = random.Random(8)
    for _round in range(8):
        _at_once(home, ["index", "--rebuild"], ["index", "--rebuild"], rng.uniform(0.0, 0.8))
        _indexed_once_each(home, rng.sample(range(AIDS), 5))


HOLD_WHOOSH_LOCK = """
import sys, time
from whoosh import index
writer = index.open_dir(sys.argv[1]).writer()
print("locked", flush=True)
time.sleep(60)
"""


def test_a_rebuild_waits_for_a_live_write_lock(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "data" / "library").mkdir(parents=True)
    (home / "data" / "library" / "till.md").write_text("# Count the till\n")
    run_cli("index", home=home)
    folder = home / "cache" / "index"
    holder = subprocess.Popen([sys.executable, "-c", HOLD_WHOOSH_LOCK, str(folder)],
                              cwd=ROOT, text=True, stdout=subprocess.PIPE)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        before = sorted(p.name for p in folder.iterdir())
        refused = run_cli("index", "--rebuild", home=home, check=False)
        assert refused.returncode == 1 and "another Handrail process" in refused.stderr
        assert sorted(p.name for p in folder.iterdir()) == before  # nothing deleted under it
    finally:
        holder.kill()
        holder.wait()
    assert "rebuilt" in run_cli("index", "--rebuild", home=home).stdout


@pytest.mark.slow
def test_killed_rebuilds_leave_no_worker_behind(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _library(home)
    run_cli("index", home=home)
    rng = random.Random(100)
    orphans: dict[int, str] = {}
    workers_seen = 0
    for round_number in range(100):
        marker = uuid.uuid4().hex
        env = {**os.environ, leftovers.RUN_ENV: marker}
        build = _handrail(home, "index", "--rebuild", env=env)
        if round_number % 4:  # most kills land while the workers write; some at any moment
            deadline = time.monotonic() + 20
            while not leftovers.find(marker) and build.poll() is None and \
                    time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(rng.uniform(0.0, 0.4))
        else:
            time.sleep(rng.uniform(0.1, 2.0))
        workers_seen += len(leftovers.find(marker)) > 0
        build.send_signal(signal.SIGKILL)
        build.wait()
        until = time.monotonic() + 3.0
        while (left := leftovers.find(marker)) and time.monotonic() < until:
            time.sleep(0.05)
        orphans.update(left)
        leftovers.end(left)
    assert workers_seen >= 50, "few kills landed while workers ran (make the library bigger)"
    assert orphans == {}
    # And the index is whole again at the next command.
    run_cli("index", home=home)
    _indexed_once_each(home, rng.sample(range(AIDS), 5))
