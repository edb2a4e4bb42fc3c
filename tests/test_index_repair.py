"""An index that repairs itself: every kind of damage to its files is found and rebuilt from
the library by the next `handrail search` or `handrail index`, without `--rebuild`, and no
aid is then missing or found twice."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import run_cli

from search import AidIndex, SearchEngine

WORDS = ["anvil", "bramble", "cobalt", "dervish", "ember", "fjord", "gossamer", "halyard",
         "isobar", "jetsam", "kestrel", "lantern", "marrow", "nectar", "obsidian", "pylon"]


def _library(home: Path) -> Path:
    library = home / "data" / "library"
    library.mkdir(parents=True)
    for number, word in enumerate(WORDS):
        (library / f"{word}.md").write_text(
            f"---\nid: aid-{word}\n---\n# Aid {number}\n\nThe {word} step, then more text "
            f"about {word} and number {number}.\n")
    run_cli("collection", "remove", "starter", home=home)
    return library


def _built(home: Path) -> Path:
    """An index of two segments (a build, then an edit), as a library in use has."""
    library = _library(home)
    run_cli("index", home=home)
    (library / "late.md").write_text("---\nid: aid-late\n---\n# Late\n\nquokka\n")
    run_cli("search", "quokka", home=home)
    return home / "cache" / "index"


def _segment_file(folder: Path, suffix: str, which: int = 0) -> Path:
    files = sorted(p for p in folder.glob(f"MAIN_*{suffix}"))
    assert files, (suffix, sorted(p.name for p in folder.iterdir()))
    return files[which % len(files)]


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: max(1, path.stat().st_size // 2)])


def _scribble(path: Path) -> None:
    data = bytearray(path.read_bytes() or b"\0" * 64)
    rng = random.Random(7)
    for _ in range(max(4, len(data) // 8)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    path.write_bytes(bytes(data))  # same size, other bytes


def _replace_by_other(path: Path) -> None:
    others = [p for p in path.parent.glob(f"MAIN_*{path.suffix}") if p != path]
    path.write_bytes(others[0].read_bytes() if others else b"\x00" * 64)


def _state_without_stamps(folder: Path) -> None:
    state = folder / "handrail-state.tsv"
    state.write_text("".join(line for line in state.read_text().splitlines(keepends=True)
                             if not line.startswith("s\t")))


SEGMENT_FILES = {"postings": ".pst", "terms": ".trm", "stored": "_stored.col",
                 "content lengths": "_content_len.col", "title lengths": "_title_len.col"}
SEGMENT_DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": _truncate, "scribbled": _scribble, "deleted": Path.unlink,
    "emptied": lambda p: p.write_bytes(b""), "replaced": _replace_by_other,
}
DAMAGE: dict[str, Callable[[Path], None]] = {
    f"{what} {how}": (lambda folder, s=suffix, d=damage: d(_segment_file(folder, s)))
    for what, suffix in SEGMENT_FILES.items() for how, damage in SEGMENT_DAMAGE.items()
}
DAMAGE.update({
    "table of contents truncated": lambda f: _truncate(sorted(f.glob("_MAIN_*.toc"))[-1]),
    "table of contents scribbled": lambda f: _scribble(sorted(f.glob("_MAIN_*.toc"))[-1]),
    "table of contents deleted": lambda f: [p.unlink() for p in f.glob("_MAIN_*.toc")],
    "version marker deleted": lambda f: (f / "handrail-index.json").unlink(),
    "version marker garbage": lambda f: (f / "handrail-index.json").write_bytes(b"\xff{"),
    "state file without stamps": _state_without_stamps,
    "state file garbage": lambda f: (f / "handrail-state.tsv").write_bytes(os.urandom(300)),
    "state file deleted": lambda f: (f / "handrail-state.tsv").unlink(),
    "manifest deleted": lambda f: (f / "handrail-files.tsv").unlink(),
    "manifest garbage": lambda f: (f / "handrail-files.tsv").write_text("nonsense\n"),
    "index folder deleted": lambda f: [p.unlink() for p in f.iterdir()] and f.rmdir(),
    "index path is a file": lambda f: [p.unlink() for p in f.iterdir()] and (
        f.rmdir(), f.write_text("not a folder")),
    "stale lock of a dead writer": lambda f: (f / "MAIN_WRITELOCK").write_text(""),
})


def test_the_matrix_has_every_kind() -> None:
    assert len(DAMAGE) >= 31


def _found_once_each(home: Path, command: list[str]) -> None:
    """The command succeeds and leaves a sound index in which every aid is found once."""
    first = run_cli(*command, home=home, check=False)
    assert first.returncode == 0, first.stderr
    assert "Traceback" not in first.stderr
    if command[0] == "search":
        assert [hit["id"] for hit in json.loads(first.stdout)] == ["aid-anvil"]
    index = AidIndex(home / "cache" / "index", parallel=False)
    index.open()
    try:
        # Sound as the command left it: opening it found nothing to rebuild or repair.
        assert index.rebuilt_because is None and index.damaged is None
        assert index.verify() is None
        assert index.doc_count == len(WORDS) + 1
        engine = SearchEngine(index)
        for word in [*WORDS, "quokka"]:
            expected = "aid-late" if word == "quokka" else f"aid-{word}"
            assert [r.id for r in engine.search(f"{word} ").results] == [expected], word
    finally:
        index.close()


@pytest.mark.slow
@pytest.mark.parametrize("kind", sorted(DAMAGE))
@pytest.mark.parametrize("first", ["search", "index"])
def test_damage_is_repaired_by_the_next_command(tmp_path: Path, kind: str, first: str) -> None:
    home = tmp_path / "home"
    folder = _built(home)
    DAMAGE[kind](folder)
    _found_once_each(home, ["search", "--json", "anvil "] if first == "search" else ["index"])
