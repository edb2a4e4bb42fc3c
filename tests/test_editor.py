"""The editor writes exactly what the user typed, nothing when nothing was typed, and keeps the
user's words when a save fails or loses a race (offscreen Qt, driven by keys and clicks)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QListWidget,
    QMessageBox,
    QWidget,
)
from pytestqt.qtbot import QtBot

from app.editor import EditorWindow
from job_aids import LibraryStore
from job_aids.fileformat import MAX_FILE_BYTES


def _open(qtbot: QtBot, store: LibraryStore, path: Path) -> EditorWindow:
    editor = EditorWindow(store, store.load(path))
    qtbot.addWidget(editor)
    with qtbot.waitActive(editor):
        editor.show()
        editor.activateWindow()
    return editor


def _answer_dialog(button: str, seen: list[str],
                   then: Callable[[QWidget], None] | None = None) -> None:
    """When the next modal dialog opens, note its text and click ``button`` as a user would."""
    answered = list(seen)

    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        text = dialog.text() if isinstance(dialog, QMessageBox) else (
            dialog.windowTitle() if dialog is not None else "")
        if dialog is None or (answered and text == answered[-1]):  # none yet, or the last one
            QTimer.singleShot(10, answer)
            return
        seen.append(text)
        if then is not None:
            then(dialog)
        for candidate in dialog.findChildren(QAbstractButton):
            if candidate.text().replace("&", "") == button:
                candidate.click()
                return
        buttons = [b.text() for b in dialog.findChildren(QAbstractButton)]
        seen.append(f"no {button!r} button among {buttons}")  # the test then fails on seen
        dialog.close()
    QTimer.singleShot(0, answer)


def _type_at_end(qtbot: QtBot, editor: EditorWindow, text: str) -> None:
    editor.text.setFocus()
    qtbot.keyClick(editor.text, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    for number, line in enumerate(text.split("\n")):
        if number:
            qtbot.keyClick(editor.text, Qt.Key.Key_Return)
        qtbot.keyClicks(editor.text, line)


def _save(qtbot: QtBot, editor: EditorWindow) -> None:
    qtbot.keyClick(editor.text, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)


# Files a save must not rewrite: each opens read-only, with the reason shown.
UNWRITABLE = {
    "invalid-utf8": (b"# Caf\xe9 menu\n\nOpen the till\n", "not valid UTF-8"),
    "utf16": ("# Menu\n\nOpen\n".encode("utf-16"), "UTF-16"),
    "mixed-endings": (b"# Menu\r\n\nOpen the till\r\nCount\n", "mixes line endings"),
    "paragraph-separator": ("# Menu\n\nOpen\u2029the till\n".encode(), "U+2029"),
    "over-2-mb": (b"# Big\n\n" + b"step\n" * (MAX_FILE_BYTES // 5 + 10), "over the 2 MB"),
}

# Files that a save writes back as they came, with only the user's edit added.
WRITABLE = {
    "crlf-bom": b"\xef\xbb\xbf# Menu\r\n\r\nOpen the till\r\n",
    "lone-cr": b"---\rtitle: Menu\r---\rOpen the till\r",
    "line-separator": "# Menu\n\nOpen\u2028the till\n".encode(),
    "no-break-space": "# Menu\n\n10\u00a0kg at most\n".encode(),
}


@pytest.mark.parametrize("kind", sorted(UNWRITABLE))
def test_a_file_that_cannot_be_written_back_opens_read_only_and_ctrl_s_writes_nothing(
        qtbot: QtBot, store: LibraryStore, kind: str) -> None:
    data, reason = UNWRITABLE[kind]
    path = store.paths.own_library / f"{kind}.md"
    path.write_bytes(data)
    stamp = path.stat().st_mtime_ns
    editor = _open(qtbot, store, path)
    assert editor.banner.isVisible() and reason in editor.banner.text()
    assert editor.text.isReadOnly()
    _type_at_end(qtbot, editor, "typed")
    _save(qtbot, editor)
    assert "read-only" in editor.status.text()
    assert path.read_bytes() == data and path.stat().st_mtime_ns == stamp
    assert not store.versions(store.load(path))


@pytest.mark.parametrize("kind", sorted(WRITABLE))
def test_ctrl_s_without_edits_writes_nothing_and_an_edit_changes_only_what_was_typed(
        qtbot: QtBot, store: LibraryStore, kind: str) -> None:
    data = WRITABLE[kind]
    path = store.paths.own_library / f"{kind}.md"
    path.write_bytes(data)
    stamp = path.stat().st_mtime_ns
    editor = _open(qtbot, store, path)
    assert not editor.banner.isVisible() and not editor.text.isReadOnly()
    _save(qtbot, editor)
    assert editor.status.text() == "No changes to save."
    assert path.read_bytes() == data and path.stat().st_mtime_ns == stamp
    _type_at_end(qtbot, editor, "Lock up")
    _save(qtbot, editor)
    assert editor.status.text().startswith("Saved")
    assert path.read_bytes() == data + b"Lock up"
    assert [v.read_bytes() for v in store.versions(store.load(path))] == [data]


def test_a_failed_save_says_why_and_closing_keeps_the_window_and_the_text(
        qtbot: QtBot, store: LibraryStore) -> None:
    aid = store.new_from_template("checklist", "Open the shop")
    assert aid.source is not None
    original = aid.source.path.read_bytes()
    editor = _open(qtbot, store, aid.source.path)
    # The history folder cannot be made (a file is in its way), so no save can keep a version.
    store.paths.history.mkdir(parents=True, exist_ok=True)
    (store.paths.history / aid.id).write_text("in the way")
    _type_at_end(qtbot, editor, "\n- [ ] Unlock the door\n")
    seen: list[str] = []
    _answer_dialog("OK", seen)
    _save(qtbot, editor)
    assert "keep the previous version" in seen[0] and "still here" in seen[0]
    assert editor.status.text().startswith("Not saved")
    # Close, answer "Save": it fails again, so the window stays open with the text.
    _answer_dialog("Save", seen, lambda dialog: _answer_dialog("OK", seen))
    editor.close()
    qtbot.waitUntil(lambda: len(seen) >= 3)
    assert editor.isVisible()
    assert "Unlock the door" in editor.text.toPlainText()
    assert aid.source.path.read_bytes() == original
    editor.text.document().setModified(False)  # the window closes after the test unasked


def test_a_save_that_loses_to_another_program_keeps_both_texts(qtbot: QtBot,
                                                               store: LibraryStore) -> None:
    path = store.paths.own_library / "till.md"
    path.write_text("# Count the till\n\nCount the notes\n")
    editor = _open(qtbot, store, path)
    path.write_text("# Count the till\n\nCount the notes and the coins\n")  # someone else
    _type_at_end(qtbot, editor, "Write the total down\n")
    _save(qtbot, editor)
    qtbot.waitUntil(lambda: editor.conflict is not None and editor.conflict.isVisible())
    assert editor.conflict is not None
    assert editor.conflict.theirs.toPlainText().endswith("and the coins\n")  # both shown
    assert editor.conflict.mine.toPlainText().endswith("Write the total down\n")
    assert path.read_text().endswith("and the coins\n")  # theirs is not overwritten
    [kept] = store.versions(store.load(path))
    assert kept.conflict and kept.read_bytes().decode().endswith("Write the total down\n")
    assert "Write the total down" in editor.text.toPlainText()  # and ours is still here
    qtbot.mouseClick(editor.conflict.buttons["later"], Qt.MouseButton.LeftButton)
    assert "Write the total down" in editor.text.toPlainText()
    editor.text.document().setModified(False)  # the window closes after the test unasked


def test_history_restores_an_earlier_version_by_clicking(qtbot: QtBot,
                                                        store: LibraryStore) -> None:
    path = store.paths.own_library / "close.md"
    path.write_text("# Close the shop\n\nfirst\n")
    editor = _open(qtbot, store, path)
    for word in ("second\n", "third\n"):
        _type_at_end(qtbot, editor, word)
        _save(qtbot, editor)
    assert path.read_text() == "# Close the shop\n\nfirst\nsecond\nthird\n"

    def pick_oldest(dialog: QWidget) -> None:
        versions = dialog.findChild(QListWidget)
        assert versions is not None and versions.count() == 2
        versions.setCurrentRow(versions.count() - 1)  # newest first: the oldest is last

    seen: list[str] = []
    _answer_dialog("Restore this version", seen, pick_oldest)
    qtbot.mouseClick(editor.history_button, Qt.MouseButton.LeftButton)
    assert seen == ["History of “Close the shop” - Handrail editor"]
    assert path.read_text() == "# Close the shop\n\nfirst\n"
    assert editor.text.toPlainText() == "# Close the shop\n\nfirst\n"
    assert "Restored" in editor.status.text()
    # The version it replaced is kept in turn: the restore can be undone.
    assert [v.read_bytes().decode().splitlines()[-1] for v in store.versions(
        store.load(path))] == ["first", "second", "third"]


def test_a_save_with_problems_asks_first_and_then_writes_exactly_the_text(
        qtbot: QtBot, store: LibraryStore) -> None:
    path = store.paths.own_library / "broken.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    original = "---\ntitle: Printer\nkind: checklistx\ncreated: someday\n---\n- [ ] Open\n"
    path.write_text(original)
    editor = _open(qtbot, store, path)
    qtbot.waitUntil(lambda: editor.status.text().startswith("Line "))  # shown in place
    try:
        _save_with_problems(qtbot, editor, path, original)
    finally:
        editor.text.document().setModified(False)  # no question when the test closes it


def _save_with_problems(qtbot: QtBot, editor: EditorWindow, path: Path, original: str
                        ) -> None:
    _type_at_end(qtbot, editor, "- [ ] Close")
    seen: list[str] = []
    _answer_dialog("Cancel", seen)
    _save(qtbot, editor)
    assert seen and seen[0].startswith("Line ") and "Save anyway?" in seen[0]
    assert path.read_text() == original
    with qtbot.waitActive(editor):  # the window back in front after the question
        editor.activateWindow()
    again: list[str] = []
    _answer_dialog("Save", again)
    _save(qtbot, editor)
    assert again and again[0] == seen[0]
    assert path.read_text() == original + "- [ ] Close"


def test_new_aids_hold_structure_never_another_aids_words_and_no_yaml_anchors(
        store: LibraryStore) -> None:
    import datetime as dt

    from job_aids import KINDS, parse_text

    for kind in KINDS:
        text = store.new_aid_text(kind, "Open the shop", apps=["SAPLogon"],
                                  today=dt.date(2026, 12, 2))
        aid = parse_text(text)
        assert (aid.title, aid.kind, aid.problems) == ("Open the shop", kind, [])
        assert "&id" not in text and "*id" not in text and "created: 2026-12-02" in text
        for example in ("example.com", "toner", "Close the shop", "Facilities", "payroll",
                        "refund", "Travel"):
            assert example not in text, (kind, example)
        assert store.templates.describe(kind)
        assert "description" not in aid.meta


def test_a_copy_gets_its_own_id_and_keeps_every_other_byte() -> None:
    from job_aids.templates import copy_text

    original = "---\ntitle: Unjam\ntags: [printer,  Jam]\nid: abc-1\nx-own: kept\n---\nBody\n"
    copied = copy_text(original, "abc-1")
    lines = copied.splitlines()
    assert lines[3].startswith("id: ") and lines[3] != "id: abc-1"
    assert lines[4] == "derived_from: abc-1"
    assert copied.replace(lines[3] + "\n" + lines[4], "id: abc-1") == original
    assert copy_text("# No front matter\n", "p-1").endswith("\n---\n# No front matter\n")
