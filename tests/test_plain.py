"""Summaries and snippets show the words a reader sees, never the Markdown source."""

from __future__ import annotations

import pytest

from job_aids import LibraryStore, parse_text
from job_aids.plain import plain_line
from search import AidIndex, SearchEngine


@pytest.mark.parametrize(("line", "shown"), [
    ('!!! warning "Hot parts"', "Hot parts"),
    ("!!! note", "Note"),
    ("See [[Write a good job aid]] first", "See Write a good job aid first"),
    ("Use [[Write a good job aid|the guide]]", "Use the guide"),
    ("1. Open transaction `MIRO`", "Open transaction MIRO"),
    ("- [ ] Count the **notes**", "Count the notes"),
    ("- [x] Done _already_", "Done already"),
    ("![the cover](pics/cover.png) Lift it", "the cover Lift it"),
    ("[the docs](https://example.com) and <b>bold</b>", "the docs and bold"),
    ("| Code | Meaning |", "Code · Meaning"),
    ("|---|---|", ""),
    ("> Archiving utility.", "Archiving utility."),
    ("keep snake_case_names and 2 * 3", "keep snake_case_names and 2 * 3"),
])
def test_a_line_as_a_reader_sees_it(line: str, shown: str) -> None:
    assert plain_line(line) == shown


def test_summaries_and_snippets_are_plain(store: LibraryStore) -> None:
    text = ('# Cool the press\n\n!!! warning "Hot parts"\n    Wait until the **plates** are '
            'cold.\n\nSee [[Write a good job aid]] and `press --cool`.\n')
    assert parse_text(text).summary == "Hot parts Wait until the plates are cold."
    (store.paths.own_library / "press.md").write_text(text)
    index = AidIndex(store.paths.cache / "index", parallel=False)
    index.update(store)
    try:
        [hit] = SearchEngine(index).search("press cool ").results
        assert hit.summary == "Hot parts Wait until the plates are cold."
        assert "[[" not in hit.snippet and "`" not in hit.snippet and "**" not in hit.snippet
        [wiki] = [r for r in SearchEngine(index).search("write good job aid ").results
                  if r.title == "Cool the press"]
        assert wiki.snippet == "See <mark>Write</mark> a <mark>good</mark> <mark>job</mark> " \
            "<mark>aid</mark> and press --cool."
    finally:
        index.close()
