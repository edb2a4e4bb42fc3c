"""The fence around Whoosh's internals: nothing is patched until an index is opened, only on a
tested Whoosh version, and plain Whoosh gives the same answers where it is off."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT
from test_search import AIDS

pytestmark = pytest.mark.fast_path  # it compares the fast path with plain Whoosh

QUERIES = ["print", "printer jam", "install cartridge ", "cafe", "refund or", "tag:printer pri",
           "cartrige", "re", "打印", "картридж "]

# Index AIDS and answer QUERIES in a fresh process; WHOOSH_VERSION pretends another Whoosh.
SCRIPT = """
import json, logging, os, sys
from pathlib import Path
import whoosh
if os.environ.get("PRETEND_WHOOSH"):
    whoosh.versionstring = lambda: os.environ["PRETEND_WHOOSH"]
logging.basicConfig(level=logging.INFO, filename=sys.argv[3])
from whoosh.codec.whoosh3 import W3TermsReader
import search.whoosh_fence as fence
from job_aids import HandrailPaths, LibraryStore
from search import AidIndex, SearchEngine
before = W3TermsReader.term_info.__module__
store = LibraryStore(HandrailPaths.under(Path(sys.argv[1])))

index = AidIndex(Path(sys.argv[1]) / "cache" / "index", parallel=False)
index.update(store)
engine = SearchEngine(index, cache=False)
answers = [[(r.title, r.score) for r in engine.search(q, limit=20).results]
           for q in json.loads(sys.argv[2])]
print(json.dumps({"fast": fence.fast_path(), "before": before,
                  "after": W3TermsReader.term_info.__module__, "answers": answers}))
"""


def _run(home: Path, **env: str) -> dict:  # type: ignore[type-arg]
    library = home / "data" / "library"
    library.mkdir(parents=True, exist_ok=True)
    for name, text in AIDS.items():
        (library / name).write_text(text, encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(home), json.dumps(QUERIES),
                             str(home / "log.txt")], capture_output=True, text=True, cwd=ROOT,
                            env={**os.environ, **env}, timeout=120)
    assert result.returncode == 0, result.stderr
    answer: dict = json.loads(result.stdout)  # type: ignore[type-arg]
    answer["log"] = (home / "log.txt").read_text()
    return answer


def test_an_untested_whoosh_runs_plain_with_the_same_answers(tmp_path: Path) -> None:
    fast = _run(tmp_path / "fast")
    assert fast["fast"] is True
    assert fast["before"].startswith("whoosh.")  # importing Handrail patched nothing
    assert fast["after"] == "search.whoosh_fence"  # opening the index did
    plain = _run(tmp_path / "plain", PRETEND_WHOOSH="2.8.0")
    assert plain["fast"] is False
    assert plain["after"].startswith("whoosh.")  # nothing patched
    assert "Whoosh 2.8.0 is not a version Handrail's fast path was tested with" in plain["log"]
    assert "WARNING" in plain["log"]
    assert sum(1 for answer in fast["answers"] if answer) >= len(QUERIES) - 2
    for mine, reference in zip(fast["answers"], plain["answers"], strict=True):
        assert [title for title, _ in mine] == [title for title, _ in reference]
        for (_, ours), (_, theirs) in zip(mine, reference, strict=True):
            assert abs(ours - theirs) <= 1e-6 * max(1.0, abs(theirs))


def test_an_index_written_by_the_fast_path_is_rebuilt_when_it_is_off(tmp_path: Path) -> None:
    home = tmp_path / "home"
    _run(home)
    command = [sys.executable, "-m", "app.cli", "--home", str(home), "index"]
    plain = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120,
                           env={**os.environ, "HANDRAIL_WHOOSH_FAST": "0"})
    assert plain.returncode == 0, plain.stderr
    assert "rebuilt because the index was written by the fast path, which is off" in plain.stdout
    found = subprocess.run([*command[:-1], "search", "--json", "printer jam"],
                           capture_output=True, text=True, cwd=ROOT, timeout=120,
                           env={**os.environ, "HANDRAIL_WHOOSH_FAST": "0"})
    assert found.returncode == 0 and "Printer is jammed" in found.stdout
