"""The Library window, driven by keys and clicks through the running app (offscreen Qt), and the
catalogue it shows (search.catalogue)."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QFileDialog
from pytestqt.qtbot import QtBot
from test_popup import controller  # noqa: F401 - the fixture

from app.controller import Controller
from app.library_window import LibraryWindow
from job_aids import HandrailPaths, LibraryStore
from search.catalogue import (
    Catalogue,
    CatalogueFilter,
    SortOrder,
    entry_from_fields,
    matching,
)

PRINTER = """\
---
title: Clear a Zebra label jam
kind: troubleshooting
tags: [printer, Warehouse]
apps: [Zebra Setup]
owner: facilities@example.com
review_by: 2001-01-01
updated: 2026-11-30
---
![the cover](images/cover.png)

- [ ] Open the cover
"""

RETURNS = """\
---
title: Book a customer return
kind: procedure
tags: [returns]
owner: ap-team@example.com
updated: 2026-10-01
---
1. Open the return order
"""


def _open_library(controller: Controller, qtbot: QtBot) -> LibraryWindow:  # noqa: F811
    own = controller.store.paths.own_library
    (own / "images").mkdir(exist_ok=True)
    (own / "images" / "cover.png").write_bytes(b"\x89PNG not really")
    (own / "printer.md").write_text(PRINTER)
    (own / "returns.md").write_text(RETURNS)
    service = controller.worker.service
    assert service is not None
    qtbot.waitUntil(lambda: any(r.path.endswith("printer.md") for r in service.engine.search(
        "zebra label jam").results) and bool(service.engine.search("customer return").results),
        timeout=10000)
    controller.toggle()
    qtbot.keyClick(controller.popup.search_box, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    library = controller.library
    assert library is not None
    qtbot.waitUntil(lambda: library.isVisible() and len(library.catalogue.entries) >= 4)
    assert not controller.popup.isVisible()
    return library


def _printer_and_a_team(controller: Controller, qtbot: QtBot,  # noqa: F811
                        tmp_path: Path) -> tuple[Path, LibraryWindow]:
    """A writable collection "team", and the Library window with the printer aid selected."""
    team = tmp_path / "team"
    team.mkdir()
    controller.store.collections.add(team, "team")
    library = _open_library(controller, qtbot)
    qtbot.keyClicks(library.filter_box, "zebra label")
    library.table.selectAll()
    return team, library


def _titles(library: LibraryWindow) -> list[str]:
    return [library.model.index(row, 0).data() for row in range(library.model.rowCount())]


def _choose(combo: QComboBox, text: str) -> None:
    at = combo.findText(text)
    assert at >= 0, f"{text!r} is not offered: {[combo.itemText(i) for i in range(combo.count())]}"
    combo.setCurrentIndex(at)


def test_ctrl_l_opens_the_library_and_each_filter_narrows_it(controller: Controller,  # noqa: F811
                                                              qtbot: QtBot) -> None:
    library = _open_library(controller, qtbot)
    everything = _titles(library)
    assert {"Clear a Zebra label jam", "Book a customer return",
            "Post a vendor invoice"} <= set(everything)
    assert everything == sorted(everything, key=str.casefold)
    assert library.status.text() == f"{len(everything)} aids"

    qtbot.keyClicks(library.filter_box, "zeb lab")
    assert _titles(library) == ["Clear a Zebra label jam"]
    assert library.status.text() == f"1 of {len(everything)} aids"
    library.filter_box.clear()

    for name, value, expected in (("kind", "procedure", {"Book a customer return",
                                                          "Post a vendor invoice"}),
                                  ("tag", "Warehouse", {"Clear a Zebra label jam"}),
                                  ("app", "Zebra Setup", {"Clear a Zebra label jam"}),
                                  ("owner", "ap-team@example.com", {"Book a customer return"})):
        _choose(library.combos[name], value)
        shown = set(_titles(library))
        assert expected <= shown and len(shown) < len(everything), name
        assert all(value in (e.kind, e.owner, *e.tags, *e.apps) for e in library.model.rows)
        library.combos[name].setCurrentIndex(0)
    _choose(library.combos["collection"], "mine")
    assert "Post a vendor invoice" in _titles(library)
    assert all(e.collection == "mine" for e in library.model.rows)
    library.combos["collection"].setCurrentIndex(0)

    qtbot.mouseClick(library.review_due, Qt.MouseButton.LeftButton)
    assert "Clear a Zebra label jam" in _titles(library)
    assert all(e.review_by and e.review_by < dt.date.today().isoformat()
               for e in library.model.rows)
    row = _titles(library).index("Clear a Zebra label jam")
    assert library.model.index(row, 6).data() == "due since 2001-01-01"
    qtbot.mouseClick(library.review_due, Qt.MouseButton.LeftButton)

    _choose(library.sort, "Updated")
    titles = _titles(library)
    assert titles.index("Clear a Zebra label jam") < titles.index("Book a customer return")
    # Nothing matches: the status says how to get rows back.
    qtbot.keyClicks(library.filter_box, "no such words at all")
    assert _titles(library) == []
    assert "nothing matches" in library.status.text()
    qtbot.keyClick(library.filter_box, Qt.Key.Key_Escape)  # clears the box first
    assert library.isVisible() and library.filter_box.text() == ""


def test_enter_opens_the_aid_and_a_read_only_aid_cannot_be_deleted(
        controller: Controller, qtbot: QtBot) -> None:  # noqa: F811
    library = _open_library(controller, qtbot)
    qtbot.keyClicks(library.filter_box, "welcome")
    assert library.model.rows and library.model.rows[0].collection == "starter"
    welcome = Path(library.model.rows[0].path)
    assert not library.buttons["delete"].isEnabled()
    qtbot.keyClick(library.table, Qt.Key.Key_Delete)
    assert welcome.exists() and library.model.rows[0].path == str(welcome)
    qtbot.keyClick(library.filter_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: any("Welcome" in w.windowTitle() for w in controller.windows))


def test_delete_several_then_ctrl_z_brings_them_back(controller: Controller,  # noqa: F811
                                                      qtbot: QtBot,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    library = _open_library(controller, qtbot)
    _choose(library.combos["collection"], "mine")
    mine = {e.title: Path(e.path) for e in library.model.rows}
    assert {"Clear a Zebra label jam", "Book a customer return"} <= set(mine)
    qtbot.keyClicks(library.filter_box, "zebra")
    library.table.selectAll()
    qtbot.keyClick(library.table, Qt.Key.Key_Delete)  # one aid: no question asked
    assert "Clear a Zebra label jam" not in _titles(library)
    assert not mine["Clear a Zebra label jam"].exists()
    assert "trash" in library.status.text()

    library.filter_box.clear()
    library.table.selectAll()
    asked: list[str] = []

    def answer_yes(parent: object, title: str, text: str, *args: object) -> object:
        asked.append(text)
        from app.dialogs import Button
        return Button.Yes

    monkeypatch.setattr("app.dialogs.ask", answer_yes)
    qtbot.keyClick(library.table, Qt.Key.Key_Delete)
    assert asked and "to the trash" in asked[0]
    assert _titles(library) == []
    assert not any(path.exists() for path in mine.values())

    qtbot.keyClick(library.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    still_gone = [t for t, path in mine.items() if t != "Clear a Zebra label jam"
                  and not path.exists()]
    assert still_gone == []
    assert not mine["Clear a Zebra label jam"].exists()  # that was the delete before
    qtbot.keyClick(library.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert mine["Clear a Zebra label jam"].read_text() == PRINTER
    assert set(mine) <= set(_titles(library))


def test_move_to_another_collection_keeps_the_bytes_and_the_image_and_undoes(
        controller: Controller, qtbot: QtBot, tmp_path: Path) -> None:  # noqa: F811
    team, library = _printer_and_a_team(controller, qtbot, tmp_path)
    assert library.buttons["move"].isEnabled()
    library._fill_move_menu()
    actions = {a.text(): a for a in library.move_menu.actions()}
    assert set(actions) == {"team"}  # not the collection it is in, not the read-only starter
    original = Path(library.model.rows[0].path)
    actions["team"].trigger()
    moved = team / "printer.md"
    assert moved.read_text() == PRINTER and not original.exists()
    assert (team / "images" / "cover.png").read_bytes() == b"\x89PNG not really"
    assert library.model.rows[0].collection == "team"
    qtbot.keyClick(library.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert original.read_text() == PRINTER and not moved.exists()
    assert library.model.rows[0].collection == "mine"


def test_publish_a_copy_to_a_team_collection_keeps_the_original_and_undoes(
        controller: Controller, qtbot: QtBot, tmp_path: Path) -> None:  # noqa: F811
    team, library = _printer_and_a_team(controller, qtbot, tmp_path)
    assert library.buttons["copy"].isEnabled()
    library._fill(library.copy_menu, library.copy_selected)
    actions = {a.text(): a for a in library.copy_menu.actions()}
    assert set(actions) == {"team"}
    original = Path(library.model.rows[0].path)
    actions["team"].trigger()
    published = team / "printer.md"
    text = published.read_text()
    original_aid = controller.store.load(original)
    assert original.read_text() == PRINTER  # the author's own stays as it was
    assert f"derived_from: {original_aid.id}" in text
    assert controller.store.load(published).id != original_aid.id
    # Every other line as the author wrote it.
    assert [line for line in text.splitlines() if not line.startswith(("id:", "derived_from:"))] \
        == [line for line in PRINTER.splitlines() if not line.startswith("id:")]
    assert (team / "images" / "cover.png").read_bytes() == b"\x89PNG not really"
    assert "Published 1 copy to team" in library.status.text()
    qtbot.keyClick(library.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert not published.exists() and original.read_text() == PRINTER


def test_import_asks_about_an_aid_it_has_and_reports_what_came_in(
        controller: Controller, qtbot: QtBot, tmp_path: Path) -> None:  # noqa: F811
    from test_editor import _answer_dialog

    from job_aids.bundle import export_bundle

    library = _open_library(controller, qtbot)
    own = controller.store.paths.own_library
    with_id = "---\nid: 0c8a4f1e-3f7e-4b55-9d1e-7a1f2b3c4d5e\n" + PRINTER.removeprefix("---\n")
    (own / "printer.md").write_text(with_id)
    printer = controller.store.load(own / "printer.md")
    bundle = tmp_path / "printer.handrail"
    export_bundle([printer], bundle)
    changed = with_id + "2. Since exported: print a test label\n"
    (own / "printer.md").write_text(changed)  # the library's version moved on
    page = tmp_path / "page.html"
    page.write_text("<html><head><title>Till</title><script>alert(1)</script></head><body>"
                    "<h1>Close the till</h1><ol><li>Count the notes</li></ol></body></html>")
    seen: list[str] = []
    _answer_dialog("Keep both", seen, lambda _dialog: _answer_dialog("OK", seen))
    library.import_paths([bundle, page])
    assert "already in your library" in seen[0] and "printer.md" in seen[0]
    report = library.last_import_report
    assert "printer.handrail: 0 added, 1 kept beside the existing aid" in report
    assert "Imported 1 aids" in report and seen[-1] == report
    assert (own / "printer.md").read_text() == changed  # the aid there is untouched
    both = [p for p in own.glob("*.md") if "Unjam" in p.read_text() or "zebra" in
            p.read_text().lower()]
    assert len(both) >= 2
    [imported] = [p for p in own.glob("*.md") if "Close the till" in p.read_text()]
    assert "alert" not in imported.read_text()


def test_export_writes_a_bundle_of_the_files_as_they_are(controller: Controller,  # noqa: F811
                                                      qtbot: QtBot, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    library = _open_library(controller, qtbot)
    _choose(library.combos["collection"], "mine")
    library.table.selectAll()
    target = tmp_path / "out.handrail"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda *args, **kwargs: (str(target), "Zip archives (*.zip)"))
    qtbot.keyClick(library.table, Qt.Key.Key_E,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    with zipfile.ZipFile(target) as archive:
        names = set(archive.namelist())
        assert {"mine/printer.md", "mine/returns.md", "mine/images/cover.png"} <= names
        assert archive.read("mine/printer.md").decode() == PRINTER
    assert library.status.text().startswith(f"Exported {len(library.model.rows)} aids and 1 "
                                            "images")


# -- the catalogue without Qt ----------------------------------------------------------------
def _entry(title: str, **fields: str) -> dict[str, str]:
    return {"id": title, "title": title, "path": f"/lib/{title}.md", "collection": "mine",
            "kind": "reference", **fields}


def test_catalogue_filters_sorts_and_narrows_from_the_last_answer() -> None:
    entries = [entry_from_fields(_entry("git commit", tag_names="vcs\nGit"), opens=3),
               entry_from_fields(_entry("Git clone", updated="2026-01-02")),
               entry_from_fields(_entry("tar", stamp="1700000000000000000:10",
                                        review_by="2020-01-01", owner="Ops@example.com")),
               entry_from_fields(_entry("sub", path="/lib/a/b/sub.md"), roots={"mine": "/lib"})]
    assert entries[2].updated == dt.date.fromtimestamp(1700000000).isoformat()
    assert entries[3].folder == "a/b"
    assert [e.title for e in matching(entries, CatalogueFilter(text="GIT"))] == [
        "git commit", "Git clone"]
    assert [e.title for e in matching(entries, CatalogueFilter(tag="git"))] == ["git commit"]
    assert [e.title for e in matching(entries, CatalogueFilter(owner="ops@example.com"))] == [
        "tar"]
    today = dt.date(2026, 12, 2)
    assert [e.title for e in matching(entries, CatalogueFilter(review_due=True), today)] == [
        "tar"]
    catalogue = Catalogue(entries)
    catalogue.sort(SortOrder.MOST_USED)
    assert catalogue.filter(CatalogueFilter())[0].title == "git commit"
    catalogue.sort(SortOrder.UPDATED)
    assert [e.title for e in catalogue.filter(CatalogueFilter())][:2] == ["Git clone", "tar"]
    first = catalogue.filter(CatalogueFilter(text="gi"))
    assert catalogue.filter(CatalogueFilter(text="gi")) is first  # the same filter: no pass
    assert [e.title for e in catalogue.filter(CatalogueFilter(text="git c"))] == [
        "Git clone", "git commit"]
    # A shorter text widens again (not narrowed from the last answer).
    assert len(catalogue.filter(CatalogueFilter(text="t"))) == 3


def test_the_index_stores_what_the_library_window_shows(paths: HandrailPaths,
                                                        store: LibraryStore) -> None:
    from search import SearchService
    from search.catalogue import read_catalogue

    paths.own_library.mkdir(parents=True, exist_ok=True)
    (paths.own_library / "printer.md").write_text(PRINTER)
    service = SearchService.open(paths, store, parallel=False)
    try:
        service.index.update(store)
        service.usage.record_open("x")
        [entry] = [e for e in read_catalogue(service.index) if e.collection == "mine"]
    finally:
        service.close()
    assert (entry.title, entry.kind, entry.tags, entry.apps, entry.owner, entry.review_by,
            entry.updated) == ("Clear a Zebra label jam", "troubleshooting",
                               ("printer", "Warehouse"), ("Zebra Setup",),
                               "facilities@example.com", "2001-01-01", "2026-11-30")
