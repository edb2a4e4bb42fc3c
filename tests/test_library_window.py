from __future__ import annotations

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app.library_window import LibraryWindow
from job_aids import LibraryStore, parse_text


def _open(qtbot: QtBot, store: LibraryStore) -> LibraryWindow:
    window = LibraryWindow(store)
    qtbot.addWidget(window)
    window.show()
    window.load()
    qtbot.waitUntil(lambda: window.results.count() > 0, timeout=5000)
    return window


def test_typing_filters_and_the_preview_shows_the_aid(qtbot: QtBot, store: LibraryStore) -> None:
    window = _open(qtbot, store)
    assert window.results.count() == 8
    qtbot.keyClicks(window.filter, "hotkey")
    assert window.results.count() == 1
    assert window.results.currentItem().text() == "The hotkey does nothing"
    assert "Another program owns the key" in window.preview.toPlainText()
    assert window.status.text() == "1 of 8 aids"


def test_no_match_says_so(qtbot: QtBot, store: LibraryStore) -> None:
    window = _open(qtbot, store)
    qtbot.keyClicks(window.filter, "zzzz")
    assert window.results.count() == 0
    assert "No aid matches zzzz" in window.preview.toPlainText()


def test_checklists_show_boxes_and_hostile_markup_shows_as_nothing(qtbot: QtBot,
                                                                    store: LibraryStore) -> None:
    store.create_aid(parse_text("---\ntitle: Hostile\n---\n- [ ] first step\n\n"
                                "<script>document.title='pwned'</script>\n"))
    window = _open(qtbot, store)
    qtbot.keyClicks(window.filter, "hostile")
    text = window.preview.toPlainText()
    assert "\u2610" in text and "first step" in text and "pwned" not in text


def test_down_arrow_moves_from_the_filter_to_the_results(qtbot: QtBot,
                                                         store: LibraryStore) -> None:
    window = _open(qtbot, store)
    window.activateWindow()
    window.filter.setFocus()
    qtbot.keyClick(window.filter, Qt.Key.Key_Down)
    assert window.results.hasFocus()
