"""Writing an aid as a user would: pick a template, fill the form, type steps with the toolbar,
paste an image, link another aid through completion, save past a warning; then the file on
disk, the preview and the pinned view (offscreen Qt, keys and clicks)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QTextCursor
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QComboBox,
    QInputDialog,
    QWidget,
)
from pytestqt.qtbot import QtBot
from test_editor import _answer_dialog
from test_popup import controller  # noqa: F401 - a fixture

from app.controller import Controller
from app.editor import EditorWindow, Vocabulary, editor_text
from app.pinned_window import PinnedWindow
from job_aids import LibraryStore
from job_aids.front_matter_edit import list_lines, set_field

__all__ = ["controller"]


_OPENED: list[EditorWindow] = []


@pytest.fixture(autouse=True)
def _editors_close_unasked(qtbot: QtBot) -> Iterator[None]:
    """After each test (passed or failed), its editors close without asking to save: a
    question nobody answers would hang the run."""
    yield
    for widget in [*_OPENED, *QApplication.topLevelWidgets()]:
        if isinstance(widget, EditorWindow) and widget.isVisible():
            widget.text.document().setModified(False)
            widget.close()
    _OPENED.clear()


def _editor(qtbot: QtBot, store: LibraryStore, path: Path) -> EditorWindow:
    editor = EditorWindow(store, store.load(path))
    _OPENED.append(editor)
    with qtbot.waitActive(editor):
        editor.show()
        editor.activateWindow()
    return editor


def _pick_kind(label_start: str) -> None:
    """Answer the "What kind of aid?" question by choosing a kind, then OK."""
    def answer() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QInputDialog):
            QTimer.singleShot(10, answer)
            return
        combo = dialog.findChild(QComboBox)
        assert combo is not None
        index = next(i for i in range(combo.count())
                     if combo.itemText(i).startswith(label_start))
        combo.setCurrentIndex(index)
        ok = next(b for b in dialog.findChildren(QAbstractButton)
                  if b.text().replace("&", "") == "OK")
        ok.click()
    QTimer.singleShot(0, answer)


def _click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(5, 5))


def _tool(editor: EditorWindow, name: str) -> QWidget:
    button = editor.toolbar.widgetForAction(editor.tools[name])
    assert button is not None
    return button


def test_a_checklist_written_with_the_form_toolbar_paste_and_link(
        controller: Controller, qtbot: QtBot) -> None:  # noqa: F811 - the fixture
    own = controller.store.paths.own_library
    before = {p.name for p in own.iterdir()}
    _pick_kind("checklist")
    controller.create_aid("Open the shop", apps=["POS"])
    editor = controller.windows[-1]
    assert isinstance(editor, EditorWindow) and editor.is_new
    with qtbot.waitActive(editor):
        editor.activateWindow()
    # The titles of other aids arrive from the index, off the GUI thread.
    qtbot.waitUntil(lambda: "Unjam the label printer" in editor.text.titles.stringList(),
                    timeout=10000)
    assert "structure" not in editor_text(editor.text)  # a template's prompts, not content
    # The form: retitle, tags with completion, owner, experts.
    _click(qtbot, editor.form.title)
    qtbot.keyClick(editor.form.title, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.form.title, "Open the shop early")
    _click(qtbot, editor.form.tags)
    qtbot.keyClicks(editor.form.tags, "hel")
    popup = editor.form.tag_completer.popup()
    assert popup is not None
    qtbot.waitUntil(popup.isVisible)
    qtbot.keyClick(popup, Qt.Key.Key_Down)
    qtbot.keyClick(popup, Qt.Key.Key_Return)
    assert editor.form.tags.text() == "help"
    _click(qtbot, editor.form.owner)
    qtbot.keyClicks(editor.form.owner, "shop-leads@example.com")
    _click(qtbot, editor.form.experts)
    qtbot.keyClicks(editor.form.experts, "Facilities desk <tel:+15550100>")
    text = editor_text(editor.text)
    assert "title: Open the shop early\n" in text and "\n# Open the shop early\n" in text
    assert "tags: [help]\n" in text and "owner: shop-leads@example.com\n" in text
    assert "experts:\n  - name: Facilities desk\n    contact: tel:+15550100\n" in text
    assert "apps: [POS]\n" in text
    # The source: the first prompt is selected, so typing replaces it.
    _click(qtbot, editor.text)
    editor._select_first_prompt()
    qtbot.keyClicks(editor.text, "Unlock the front door")
    qtbot.keyClick(editor.text, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(editor.text, Qt.Key.Key_Return)
    _click(qtbot, _tool(editor, "checkbox"))
    qtbot.keyClicks(editor.text, "Count the float ")
    # Paste a screenshot: linked at once, shown in the preview, written only on save.
    image = QImage(24, 16, QImage.Format.Format_RGB32)
    image.fill(QColor("#cc3333"))
    QApplication.clipboard().setImage(image)
    qtbot.keyClick(editor.text, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    [link] = editor.images
    pasted = editor.images[link]
    assert link.startswith("images/pasted-") and f"![image]({link})" in editor_text(editor.text)
    assert not (own / "images").exists()
    # A link to another aid, completed from its first letters.
    qtbot.keyClick(editor.text, Qt.Key.Key_Return)
    qtbot.keyClicks(editor.text, "If it jams, see ")
    _click(qtbot, _tool(editor, "link"))
    qtbot.keyClicks(editor.text, "Unj")
    links = editor.text.completer.popup()
    assert links is not None
    qtbot.waitUntil(links.isVisible)
    qtbot.keyClick(links, Qt.Key.Key_Down)
    qtbot.keyClick(links, Qt.Key.Key_Return)
    assert "If it jams, see [[Unjam the label printer]]" in editor_text(editor.text)
    # A link that leads nowhere is shown in place, with its line, and asked about on save.
    qtbot.keyClicks(editor.text, " or [[No such aid")
    qtbot.waitUntil(lambda: not links.isVisible())  # no title has those words
    qtbot.keyClicks(editor.text, "]]")
    qtbot.waitUntil(lambda: "[[No such aid]] links to no aid" in editor.status.text())
    assert editor.status.text().startswith("Line ")
    seen: list[str] = []
    _answer_dialog("Save", seen)
    qtbot.keyClick(editor.text, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert seen and "Save anyway?" in seen[0] and "[[No such aid]]" in seen[0]
    # On disk: exactly the text, and the image beside it.
    [written] = [own / name for name in {p.name for p in own.iterdir()} - before - {"images"}]
    assert written.read_bytes() == editor_text(editor.text).encode("utf-8")
    assert (own / link).read_bytes() == pasted
    assert QImage(str(own / link)).size().width() == 24
    assert not editor.is_new and not editor.text.document().isModified()
    # The preview shows who to ask; the pinned view shows the steps.
    editor._render()
    shown = editor.preview.toPlainText()
    assert "Ask: Facilities desk" in shown and "Owner: shop-leads@example.com" in shown
    assert "Unlock the front door" in shown
    aid = controller.store.load(written)
    pinned = PinnedWindow(aid, controller.pinned, lambda _t, _title: None)
    qtbot.addWidget(pinned)
    steps = [step.text for _box, step in pinned.boxes]
    assert steps[0] == "Unlock the front door" and steps[-1].startswith("Count the float")
    assert pinned.about is not None and "Facilities desk" in pinned.about.text()
    from PySide6.QtWidgets import QLabel

    labels = [label.text() for label in pinned.findChildren(QLabel)]
    # The image's description, never the file; the line typed under the step continues it,
    # as the preview shows it.
    assert any(text.startswith("Count the float image If it jams") for text in labels)
    assert not any("<img" in text for text in labels)


def test_the_form_changes_only_the_key_it_edits(qtbot: QtBot, store: LibraryStore) -> None:
    path = store.paths.own_library / "till.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    original = ("---\ntitle: Count the till\ntags:\n  - cash\n  - till  # the shop's word\n"
                "custom_key: {keep: me}\nreview_by: 2027-01-31\n---\n# Count the till\n\n"
                "- [ ] Count\n")
    path.write_text(original)
    editor = _editor(qtbot, store, path)
    editor.set_vocabulary(Vocabulary(tags=["cash", "coins"]))
    _click(qtbot, editor.form.tags)
    qtbot.keyClick(editor.form.tags, Qt.Key.Key_End)
    qtbot.keyClicks(editor.form.tags, ", coins")
    expected = original.replace("  - till  # the shop's word\n", "  - till\n  - coins\n")
    assert editor_text(editor.text) == expected  # the block style kept; nothing else moved
    for _key in ", coins":  # each change the form made is undone in the source, in turn
        qtbot.keyClick(editor.text, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor_text(editor.text) == original
    # Untick the review date: only that line goes.
    _click(qtbot, editor.form.has_review)
    assert editor_text(editor.text) == original.replace("review_by: 2027-01-31\n", "")
    # Typing in the source updates the form, unless the field is being typed in.
    editor.text.setFocus()
    editor.replace_text(set_field(editor_text(editor.text), "owner", "owner: Ana"))
    editor._render()
    assert editor.form.owner.text() == "Ana"
    editor.text.document().setModified(False)


def test_an_external_change_while_typing_keeps_both_versions(qtbot: QtBot,
                                                              store: LibraryStore) -> None:
    path = store.paths.own_library / "float.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\nid: 11111111-2222-4333-8444-555555555555\n---\n# Float\n\n"
                    "- [ ] Count the coins\n")
    editor = _editor(qtbot, store, path)
    editor.text.setFocus()
    qtbot.keyClick(editor.text, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.text, "- [ ] Mine: count the notes")
    theirs = path.read_text() + "- [ ] Theirs: bag the coins\n"
    path.write_text(theirs)  # another editor, or a sync, writes meanwhile
    qtbot.waitUntil(lambda: editor.conflict is not None and editor.conflict.isVisible(),
                    timeout=5000)
    assert editor.conflict is not None
    assert "Theirs: bag the coins" in editor.conflict.theirs.toPlainText()
    assert "Mine: count the notes" in editor.conflict.mine.toPlainText()
    assert path.read_text() == theirs  # nothing written yet
    qtbot.mouseClick(editor.conflict.buttons["separate"], Qt.MouseButton.LeftButton)
    assert path.read_text() == theirs  # theirs as they wrote it
    mine = [p for p in path.parent.glob("*.md") if p != path]
    assert len(mine) == 1 and "Mine: count the notes" in mine[0].read_text()
    assert "derived_from: 11111111-2222-4333-8444-555555555555" in mine[0].read_text()
    assert editor.aid.source is not None and editor.aid.source.path == mine[0]
    assert not editor.text.document().isModified()


def test_an_unchanged_editor_follows_the_file_and_images_wait_for_the_save(
        qtbot: QtBot, store: LibraryStore, tmp_path: Path) -> None:
    path = store.paths.own_library / "float.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# Float\n\n- [ ] Count\n")
    editor = _editor(qtbot, store, path)
    path.write_text("# Float\n\n- [ ] Count\n- [ ] Bag\n")
    qtbot.waitUntil(lambda: "Bag" in editor_text(editor.text), timeout=5000)
    assert editor.conflict is None and not editor.text.document().isModified()
    # A dropped file that is no image is refused with a message, nothing inserted.
    editor.add_image(b"not a picture", "notes.png", ".png")
    assert "not an image" in editor.status.text() and not editor.images
    picture = QImage(8, 8, QImage.Format.Format_RGB32)
    picture.fill(QColor("#3366cc"))
    file = tmp_path / "Till Photo.png"
    picture.save(str(file))
    editor.text.moveCursor(QTextCursor.MoveOperation.End)
    editor.add_image(file.read_bytes(), file.name, ".png")
    [link] = editor.images
    assert link.startswith("images/till-photo-")
    assert not (path.parent / "images").exists()  # not before the save
    editor.save()
    assert (path.parent / link).read_bytes() == file.read_bytes()
    assert path.read_text().endswith(f"![Till Photo]({link})")
    assert path.read_text() == editor_text(editor.text)


def test_list_lines_keeps_the_authors_style() -> None:
    flow = "---\ntags: [a, b]\n---\n"
    words = "---\ntags: a, b\n---\n"
    assert set_field(flow, "tags", list_lines(flow, "tags", ["a", "c"])) == \
        "---\ntags: [a, c]\n---\n"
    assert set_field(words, "tags", list_lines(words, "tags", ["a", "c"])) == \
        "---\ntags: a, c\n---\n"
    assert set_field(flow, "tags", list_lines(flow, "tags", [])) == "---\n---\n"


def test_an_own_copy_ranks_above_the_original_which_says_so(
        controller: Controller, qtbot: QtBot,  # noqa: F811 - the fixture
        monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    from app import dialogs
    from app.aid_view import AidWindow

    service = controller.worker.service
    assert service is not None
    qtbot.waitUntil(lambda: any(r.collection == "starter" for r in service.engine.search(
        "which kind of aid").results), timeout=10000)
    [original] = [r for r in service.engine.search("which kind of aid").results
                  if r.collection == "starter"][:1]
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: QMessageBox.StandardButton.Yes)
    controller.edit_aid(controller.store.load(Path(original.path)))  # read-only: a copy
    editor = controller.windows[-1]
    assert isinstance(editor, EditorWindow) and editor.is_new
    with qtbot.waitActive(editor):
        editor.activateWindow()
    qtbot.keyClick(editor.text, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.text, "Our team writes checklists first.")
    qtbot.keyClick(editor.text, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not editor.is_new and editor.aid.source is not None
    copy = editor.aid
    assert copy.meta["derived_from"] == original.id and copy.id != original.id

    def ranked() -> list[tuple[str, bool]]:
        return [(r.id, r.own_copy) for r in service.engine.search("which kind of aid").results]
    qtbot.waitUntil(lambda: copy.id in dict(ranked()), timeout=10000)
    order = ranked()
    assert [i for i, _ in order].index(copy.id) < [i for i, _ in order].index(original.id)
    assert dict(order)[original.id] is True and dict(order)[copy.id] is False
    controller.open_aid(controller.store.load(Path(original.path)))
    window = controller.windows[-1]
    assert isinstance(window, AidWindow)
    assert "You have your own copy" in window.browser.toPlainText()
    window.close()


def test_copy_puts_markdown_html_and_text_on_the_clipboard_and_says_so(
        qtbot: QtBot, store: LibraryStore) -> None:
    from app.aid_view import AidWindow, aid_page

    path = store.paths.own_library / "float.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("---\ntitle: Count the float\nowner: shop\n---\n1. Count the **coins**\n"
                    "2. Write the total in the [book](https://example.com/book)\n")
    aid = store.load(path)
    window = AidWindow(aid, aid_page(aid), on_pin=lambda _a: None, on_edit=lambda _a: None,
                       on_link=lambda _t: None)
    qtbot.addWidget(window)
    window.show()
    qtbot.mouseClick(window.copy_button, Qt.MouseButton.LeftButton)
    data = QApplication.clipboard().mimeData()
    assert data is not None
    markdown = bytes(data.data("text/markdown").data()).decode()
    assert markdown.startswith("# Count the float\n\n1. Count the **coins**")
    assert "owner:" not in markdown  # front matter is not content
    assert "<strong>coins</strong>" in data.html() and "<h1>Count the float</h1>" in data.html()
    assert data.text().splitlines()[:3] == ["Count the float", "", "1. Count the coins"]
    assert window.where.text().startswith("Copied")
    QApplication.clipboard().clear()  # offscreen Qt crashes at exit holding mime data
