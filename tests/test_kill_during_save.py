"""Killing a process at any moment while it saves leaves every aid whole: old or new, never torn."""

from __future__ import annotations

import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT

from job_aids import HandrailPaths, LibraryStore, read_aid
from job_aids.store import walk_markdown

WRITER = r"""
import sys
from pathlib import Path
from job_aids import HandrailPaths, LibraryStore, JobAid
store = LibraryStore(HandrailPaths.under(Path(sys.argv[1])))
generation = int(sys.argv[2]) * 100000

def content(n):
    # ~60 KB, so a torn write is likely to be visible if writes were not atomic
    return f"# gen {n}\n" + f"step {n}\n" * 6000 + f"END {n}\n"

while True:
    for aid in list(store.iter_aids()):
        generation += 1
        aid.body = content(generation)
        store.save_aid(aid)
        print("saved", flush=True)
    generation += 1
    created = store.create_aid(JobAid(meta={"title": f"new {generation}"},
                                      body=content(generation)))
    print("created", created.source.path, flush=True)
"""

_WHOLE = re.compile(r"\A# gen (\d+)\n(?:step \1\n){6000}END \1\n\Z")


def _check_whole(path: Path) -> None:
    aid = read_aid(path)
    assert not aid.problems, f"{path}: {aid.problems}"
    start, end = aid.body[:60], aid.body[-30:]
    assert _WHOLE.match(aid.body), f"{path} is torn or mixed: {start!r}...{end!r}"


@pytest.mark.slow
def test_kill_9_loop_leaves_no_torn_or_lost_file(tmp_path: Path) -> None:
    home = tmp_path / "home"
    store = LibraryStore(HandrailPaths.under(home))
    rng = random.Random(1234)
    known: set[Path] = set()
    saves_seen = 0
    for round_number in range(30):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(home), str(round_number)],
                                  cwd=ROOT, stdout=subprocess.PIPE, text=True)
        time.sleep(rng.uniform(0.2, 0.8))
        writer.send_signal(signal.SIGKILL)
        output, _ = writer.communicate()
        assert writer.returncode == -signal.SIGKILL
        lines = output.splitlines()
        created = {Path(line.split(" ", 1)[1]) for line in lines if line.startswith("created ")}
        saves_seen += len(lines)
        known |= created
        present = set(walk_markdown(store.paths.own_library))
        missing = known - present
        assert not missing, f"files lost after kill {round_number}: {missing}"
        for path in present:
            _check_whole(path)
    # The writer really did write a lot between kills, and every older version it replaced is
    # whole in the history too.
    assert saves_seen >= 100 and len(known) >= 10
    versions = [v for aid in store.iter_aids() for v in store.history.versions(aid.id)]
    assert len(versions) >= 30
    for version in versions:
        _check_whole(version.path)
    # Killed saves leave their temp files; the next start removes them (their writers are
    # dead), and nothing else.
    def leftovers() -> list[Path]:
        return [p for p in home.rglob(".*.handrail-tmp")]

    before = {p: p.read_bytes() for p in walk_markdown(store.paths.own_library)}
    left = leftovers()
    assert left, "no save was killed half-way (make the rounds longer)"
    cleaned = store.clean_leftovers(now=time.time() + 120)
    assert sorted(cleaned.removed) == sorted(left) and leftovers() == []
    assert {p: p.read_bytes() for p in walk_markdown(store.paths.own_library)} == before
