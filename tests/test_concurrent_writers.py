"""Two processes racing on one aid lose no edit: every text a writer sent is afterwards in the
file, its history or the trash, and a writer that lost was told so.

Each round, two long-lived worker processes load the same aid, are told "go" at the same
moment, and act: save, delete, or write the file as another program would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT

from job_aids import HandrailPaths, LibraryStore, StorageError

WORKER = r"""
import json, os, random, sys, time
from pathlib import Path
from job_aids import HandrailPaths, JobAidError, LibraryStore
store = LibraryStore(HandrailPaths.under(Path(sys.argv[1])))
rng = random.Random(int(sys.argv[2]))
aid = None
for line in sys.stdin:
    command = json.loads(line)
    if command["do"] == "load":
        aid = store.load(Path(command["path"]))
        print(json.dumps({"ready": True}), flush=True)
        continue
    time.sleep(rng.random() * 0.004)  # the two sides land in either order, or together
    path = Path(command["path"])
    try:
        if command["do"] == "save":
            store.save_text(aid, command["text"])
        elif command["do"] == "delete":
            store.delete_aid(aid)
        elif command["do"] == "outside-in-place":
            with open(path, "r+b") as handle:  # as an editor that writes in place
                handle.write(command["text"].encode())
                handle.truncate()
        elif command["do"] == "outside-rename":
            temp = path.with_name(".outside-" + path.name)  # as an editor that renames
            temp.write_text(command["text"])
            os.replace(temp, path)
        print(json.dumps({"ok": True}), flush=True)
    except JobAidError as error:
        print(json.dumps({"ok": False, "error": type(error).__name__,
                          "message": str(error)}), flush=True)
"""


class Worker:
    def __init__(self, home: Path, seed: int) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", WORKER, str(home), str(seed)], cwd=ROOT, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE)

    def send(self, **command: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()

    def answer(self) -> dict[str, object]:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        assert line, "the worker died"
        return json.loads(line)  # type: ignore[no-any-return]

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def race(tmp_path: Path) -> Iterator[tuple[LibraryStore, Worker, Worker]]:
    home = tmp_path / "home"
    store = LibraryStore(HandrailPaths.under(home))
    first, second = Worker(home, 1), Worker(home, 2)
    yield store, first, second
    first.close()
    second.close()


def _round(store: LibraryStore, number: int, first: Worker, first_do: dict[str, str],
           second: Worker, second_do: dict[str, str]) -> tuple[Path, dict[str, object],
                                                                 dict[str, object]]:
    path = store.paths.own_library / f"race-{number}.md"
    path.write_text(f"---\nid: race-{number}\n---\n# Race {number}\n\nstart\n")
    for worker in (first, second):
        worker.send(do="load", path=str(path))
    for worker in (first, second):
        assert worker.answer() == {"ready": True}
    first.send(path=str(path), **first_do)
    second.send(path=str(path), **second_do)
    return path, first.answer(), second.answer()


def _everything_kept(store: LibraryStore, aid_id: str, path: Path) -> list[str]:
    """Every text that is somewhere: the file, the aid's history, the trash."""
    texts = [path.read_text()] if path.exists() else []
    texts += [version.path.read_text() for version in store.history.versions(aid_id)]
    texts += [entry.file.read_text() for entry in store.trash.entries()
              if entry.aid_id == aid_id]
    return texts


def _text(number: int, who: str) -> str:
    return f"---\nid: race-{number}\n---\n# Race {number}\n\nedit by {who}\n"


ROUNDS = 100


def test_save_against_save_loses_no_edit(race: tuple[LibraryStore, Worker, Worker]) -> None:
    store, first, second = race
    both_saved = 0
    for number in range(ROUNDS):
        a, b = _text(number, "a"), _text(number, "b")
        path, one, two = _round(store, number, first, {"do": "save", "text": a},
                                second, {"do": "save", "text": b})
        kept = _everything_kept(store, f"race-{number}", path)
        assert a in kept and b in kept, (number, one, two)
        assert path.read_text() in (a, b)
        # Both loaded the same version: the one that came second must have been told.
        assert [one["ok"], two["ok"]].count(True) == 1, (one, two)
        loser = one if not one["ok"] else two
        assert loser["error"] == "AidChangedOnDiskError"
        assert "kept in the aid's history" in str(loser["message"])
        both_saved += one["ok"] and two["ok"]
    assert both_saved == 0


def test_save_against_delete_loses_no_edit(race: tuple[LibraryStore, Worker, Worker]) -> None:
    store, first, second = race
    for number in range(ROUNDS):
        edit = _text(number, "saver")
        path, saved, deleted = _round(store, number, first, {"do": "save", "text": edit},
                                      second, {"do": "delete"})
        assert deleted["ok"], deleted
        assert not path.exists()  # the delete happened, before or after the save
        trashed = [e for e in store.trash.entries() if e.aid_id == f"race-{number}"]
        assert len(trashed) == 1
        assert edit in _everything_kept(store, f"race-{number}", path), saved
        if not saved["ok"]:
            assert "deleted since it was opened" in str(saved["message"])


@pytest.mark.parametrize("how", ["outside-in-place", "outside-rename"])
def test_another_program_writing_during_a_save_loses_nothing(
        race: tuple[LibraryStore, Worker, Worker], how: str) -> None:
    store, first, second = race
    overwritten_silently = 0
    for number in range(ROUNDS):
        ours, theirs = _text(number, "handrail"), _text(number, "another program")
        path, saved, written = _round(store, number, first, {"do": "save", "text": ours},
                                      second, {"do": how, "text": theirs})
        assert written["ok"]
        kept = _everything_kept(store, f"race-{number}", path)
        overwritten_silently += theirs not in kept
        # Ours is kept, unless it was saved first and the other program then wrote over it.
        assert ours in kept or (saved["ok"] and path.read_text() == theirs), saved
    assert overwritten_silently == 0


def test_two_deletes_make_one_trash_entry(race: tuple[LibraryStore, Worker, Worker]) -> None:
    store, first, second = race
    for number in range(ROUNDS):
        path, one, two = _round(store, number, first, {"do": "delete"}, second,
                                {"do": "delete"})
        assert [one["ok"], two["ok"]].count(True) == 1, (one, two)
        trashed = [e for e in store.trash.entries() if e.aid_id == f"race-{number}"]
        assert len(trashed) == 1
    restored = store.restore("race-7")
    assert restored.read_text().endswith("start\n")
    assert [a.id for a in store.iter_aids()].count("race-7") == 1


def test_the_lock_is_released_when_its_holder_is_killed(tmp_path: Path) -> None:
    """A writer killed while it holds the lock does not block the next one (no stale lock)."""
    store = LibraryStore(HandrailPaths.under(tmp_path / "home"))
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
         "from job_aids import HandrailPaths, LibraryStore\n"
         "store = LibraryStore(HandrailPaths.under(Path(sys.argv[1])))\n"
         "with store.write_lock.held():\n    print('held', flush=True)\n    time.sleep(60)\n",
         str(tmp_path / "home")], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    waiting = type(store.write_lock)(store.write_lock.path, timeout=0.2)
    with pytest.raises(StorageError, match="^Another Handrail process has .* still holds"):
        with waiting.held():
            pass
    os.kill(holder.pid, 9)
    holder.wait()
    with waiting.held():  # free at once
        pass


def test_a_wait_for_this_processs_own_work_says_so(tmp_path: Path) -> None:
    """A save waiting on a sync round or an index update of the same app is not told that
    another Handrail process holds the library."""
    import threading

    store = LibraryStore(HandrailPaths.under(tmp_path / "home"))
    held, done = threading.Event(), threading.Event()

    def background_work() -> None:
        with store.write_lock.held():
            held.set()
            done.wait(10)
    worker = threading.Thread(target=background_work)
    worker.start()
    try:
        assert held.wait(10)
        waiting = type(store.write_lock)(store.write_lock.path, timeout=0.2)
        with pytest.raises(StorageError, match="^Handrail's own background work .* still holds"):
            with waiting.held():
                pass
    finally:
        done.set()
        worker.join()
    with waiting.held():  # free once the work is done
        pass
