"""Every write path against a folder that is unwritable, gone, or on a full disk: a clear
message that says what to do, and nothing the user had is lost.

The home is on a small tmpfs of its own (mounting needs root, which CI has): "full" fills it,
"unwritable" remounts it read-only, "vanished" takes the library folder away as an unplugged
USB stick would.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from job_aids import JobAidError, LibraryStore, StorageError, import_files
from resources import starter_dir, templates_dir
from search import AidIndex, SearchError

FAULTS = ("unwritable", "vanished", "full")
ADVICE = {"unwritable": ("the disk is read-only",),
          "vanished": ("is not reachable", "is not there any more"),
          "full": ("the disk is full",)}


@pytest.fixture
def mounted(tmp_path: Path) -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("needs root to mount a small tmpfs (CI runs as root)")
    folder = tmp_path / "disk"
    folder.mkdir()
    mounting = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder)],
                              capture_output=True, text=True)
    if mounting.returncode != 0:  # a container without CAP_SYS_ADMIN
        pytest.skip(f"cannot mount a small tmpfs here: {mounting.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


class Library:
    """A home with aids, a trashed aid and an index, on the small disk; ``fault()`` breaks it."""

    def __init__(self, disk: Path, outside: Path) -> None:
        from job_aids import HandrailPaths

        self.disk = disk
        self.paths = HandrailPaths.under(disk / "home")
        self.store = LibraryStore(self.paths, starter_dir=starter_dir(),
                                  templates_dir=templates_dir())
        self.aid = self.store.new_from_template("checklist", "Open the shop")
        gone = self.store.new_from_template("procedure", "Old way")
        self.trashed = self.store.delete_aid(gone)
        self.index = AidIndex(self.paths.cache / "index", parallel=False)
        self.index.update(self.store)
        self.sources = outside / "to-import"
        self.sources.mkdir()
        (self.sources / "unjam.md").write_text("# Unjam the printer\n\n1. Open tray 2\n")
        self.before = self.files()

    def files(self) -> dict[str, bytes]:
        """Every file of the library, trash, history and config (the user's things)."""
        found = {}
        for folder in (self.paths.data, self.paths.config):
            for path in sorted(folder.rglob("*")) if folder.exists() else []:
                if path.is_file() and not path.name.startswith("."):
                    found[str(path.relative_to(self.disk))] = path.read_bytes()
        return found

    def fault(self, kind: str) -> None:
        if kind == "full":
            filler = self.disk / "filler"
            with open(filler, "wb") as handle:
                try:
                    while True:
                        handle.write(b"\0" * 65536)
                        handle.flush()
                except OSError:
                    pass
            try:  # the last few bytes
                with open(filler, "ab") as handle:
                    while True:
                        handle.write(b"\0")
                        handle.flush()
            except OSError:
                pass
        elif kind == "unwritable":
            subprocess.run(["mount", "-o", "remount,ro", str(self.disk)], check=True)
        else:
            os.rename(self.paths.own_library, self.disk / "unplugged")


def _fails_clearly(kind: str, action: Callable[[], object],
                   errors: tuple[type[Exception], ...] = (JobAidError,)) -> str:
    with pytest.raises(errors) as caught:
        action()
    message = str(caught.value)
    assert message.startswith("Could not"), message
    assert any(advice in message for advice in ADVICE[kind]), message
    assert "Errno" not in message and "Traceback" not in message
    return message


@pytest.mark.parametrize("kind", FAULTS)
def test_every_write_path_fails_clearly_and_loses_nothing(mounted: Path, tmp_path: Path,
                                                          kind: str) -> None:
    library = Library(mounted, tmp_path)
    store = library.store
    assert library.aid.source is not None
    text = library.aid.source.path.read_text() + "\n- [ ] Count the till\n"
    os.utime(library.aid.source.path, ns=(1, 1))  # changed on disk: the index must re-read it
    library.aid = store.load(library.aid.source.path)
    library.before = library.files()
    library.fault(kind)
    expected = library.before if kind != "vanished" else {
        name: data for name, data in library.before.items() if "/library/" not in name}

    # Saving an edit (its previous version goes to history first).
    _fails_clearly(kind, lambda: store.save_text(library.aid, text))
    # A new aid, and a new aid from a template.
    _fails_clearly(kind, lambda: store.new_from_template("procedure", "Close the shop"))
    # Deleting to the trash, and restoring from it.
    _fails_clearly(kind, lambda: store.delete_aid(library.aid))
    _fails_clearly(kind, lambda: store.restore(library.trashed.entry_id))
    # Importing files.
    _fails_clearly(kind, lambda: import_files([library.sources],
                                              store.collections.get("mine").path))
    if kind != "vanished":  # the config and the index folders are Handrail's own: re-made
        _fails_clearly(kind, lambda: store.collections.add(tmp_path, "team"))
        _fails_clearly(kind, lambda: library.index.update(store), (SearchError,))

    assert library.files() == expected  # nothing the user had changed or went missing
    assert (library.sources / "unjam.md").read_text().startswith("# Unjam")
    if kind == "vanished":
        assert not library.paths.own_library.exists()  # not re-created in its place
    else:
        # What was indexed is still found.
        assert library.index.doc_count >= 1


def test_a_failed_history_write_saves_nothing_and_says_why(store: LibraryStore) -> None:
    """The editor's text survives: the file is untouched, the error says what happened."""
    aid = store.new_from_template("checklist", "Open the shop")
    assert aid.source is not None
    original = aid.source.path.read_bytes()
    store.paths.history.mkdir(parents=True, exist_ok=True)
    (store.paths.history / aid.id).write_text("a file where the aid's history folder goes")
    with pytest.raises(StorageError) as caught:
        store.save_text(aid, aid.source.path.read_text() + "\nmore\n")
    assert "keep the previous version" in str(caught.value)
    assert aid.source.path.read_bytes() == original


def test_a_build_that_fills_the_disk_says_so_and_search_works_once_space_is_freed(
        mounted: Path, tmp_path: Path) -> None:
    """The index is on the full disk, the aids are not: the build fails with what to do,
    its leftovers (worker folders) go, and the next search after freeing space finds all."""
    from conftest import run_cli

    team = tmp_path / "team"
    team.mkdir()
    for number in range(1200):  # a big build: batches and worker processes
        words = " ".join(f"w{number}x{k}" for k in range(60))
        (team / f"aid-{number}.md").write_text(f"# Aid {number}\n\nword{number} {words}\n")
    home = mounted / "home"
    run_cli("collection", "add", str(team), "--name", "team", home=home)
    failed = run_cli("index", home=home, check=False)
    assert failed.returncode == 1, failed.stdout
    assert "the disk is full" in failed.stderr and "Traceback" not in failed.stderr
    searched = run_cli("search", "word7 ", home=home, check=False)
    assert "Traceback" not in searched.stderr
    subprocess.run(["mount", "-o", "remount,size=64m", str(mounted)], check=True)
    found = run_cli("search", "--json", "word1117 ", home=home)
    import json

    assert [hit["title"] for hit in json.loads(found.stdout)] == ["Aid 1117"]
    folder = home / "cache" / "index"
    assert not [p.name for p in folder.iterdir() if p.name.startswith("part-")]
    assert run_cli("search", "--json", "word3 ", home=home).stdout.count('"Aid 3"') == 1
