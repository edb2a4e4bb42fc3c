"""The popup and pinned windows driven by keys, over a real index (offscreen Qt)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from pytestqt.qtbot import QtBot

from app.aid_view import AidWindow
from app.controller import Controller
from app.editor import EditorWindow, editor_text
from app.instance import server_name
from app.popup import Popup
from app.search_worker import SearchRequest
from app.window_context import ContextReader, WindowContext
from job_aids import HandrailPaths, LibraryStore, parse_text
from job_aids.checklist import PinnedState
from search import SearchResponse

SAP_AID = """\
---
title: Post a vendor invoice
kind: procedure
apps: [SAPLogon]
summary: Book an incoming invoice against its purchase order.
---
1. Open transaction `MIRO`
2. Enter the purchase order number
3. Simulate, then post

```
MIRO
```
"""

STALE_AID = """\
---
title: Unjam the label printer
kind: troubleshooting
review_by: 2001-01-01
---
- [ ] Open the cover
- [ ] Pull the labels out gently
"""


class FixedContext(ContextReader):
    """A stand-in for the X11 reader (the real one is tested on Xvfb in tests/e2e)."""

    def __init__(self, context: WindowContext) -> None:
        self.context = context
        self.activated: list[int] = []

    def capture(self) -> WindowContext:
        return self.context

    def activate(self, window_id: int, timestamp: int = 0) -> None:
        self.activated.append(window_id)


@pytest.fixture
def controller(qtbot: QtBot, paths: HandrailPaths, store: LibraryStore
               ) -> Iterator[Controller]:
    own = paths.own_library
    own.mkdir(parents=True, exist_ok=True)
    (own / "post-a-vendor-invoice.md").write_text(SAP_AID, encoding="utf-8")
    (own / "unjam.md").write_text(STALE_AID, encoding="utf-8")
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    ctl = Controller(app, paths, store, server_name(paths))
    ctl.context_reader = FixedContext(WindowContext(
        app="SAPLogon", window_title="Invoice 4711 - SAP Easy Access", window_id=4711))
    ctl.app.quit = lambda: None  # type: ignore[method-assign]  # the test's app goes on
    assert ctl.start()
    qtbot.waitUntil(lambda: ctl.index_current, timeout=30000)  # no update lands mid-test
    qtbot.waitUntil(lambda: ctl.worker.service is not None
                    and ctl.worker.service.index.doc_count >= 10, timeout=20000)
    yield ctl
    ctl.quit()


def add_aid(controller: Controller, qtbot: QtBot, name: str, text: str, words: str) -> None:
    """Write an aid into the running app's library and wait until ``words`` find it."""
    (controller.store.paths.own_library / name).write_text(text)
    title = text.split("\n", 1)[0].lstrip("# ")
    service = controller.worker.service
    assert service is not None
    qtbot.waitUntil(lambda: any(r.title == title for r in service.engine.search(
        f"{words} ").results), timeout=10000)


def rows(popup: Popup) -> list[str]:
    return [row.result.title if row.result else row.text for row in popup.model.rows]


def test_empty_query_shows_the_aids_for_the_application_first(
        controller: Controller, qtbot: QtBot) -> None:
    controller.toggle()
    popup = controller.popup
    assert popup.isVisible()
    qtbot.waitUntil(popup.search_box.hasFocus)
    qtbot.waitUntil(lambda: rows(popup)[:2] == ["For SAPLogon", "Post a vendor invoice"])
    assert popup.context_label.text() == "in SAPLogon"
    assert popup.current_result() is not None
    assert popup.current_result().title == "Post a vendor invoice"  # type: ignore[union-attr]


def test_typing_finds_moving_and_enter_opens(controller: Controller, qtbot: QtBot) -> None:
    controller.toggle()
    popup = controller.popup
    qtbot.keyClicks(popup.search_box, "unjam lab")
    qtbot.waitUntil(lambda: rows(popup)[:1] == ["Unjam the label printer"])
    row = popup.model.rows[0]
    assert row.result is not None and row.result.stale  # the stale badge's data
    qtbot.waitUntil(lambda: "Pull the labels out" in popup.preview.toPlainText())
    qtbot.keyClick(popup.search_box, Qt.Key.Key_Return)
    assert not popup.isVisible()
    assert [w.windowTitle() for w in controller.windows] == ["Unjam the label printer - Handrail"]
    assert controller.worker.service is not None
    assert controller.worker.service.usage.most_used(1) == [row.result.id]


def test_keys_move_the_selection_and_esc_gives_focus_back(
        controller: Controller, qtbot: QtBot) -> None:
    controller.toggle()
    popup = controller.popup
    qtbot.keyClicks(popup.search_box, "aid")
    qtbot.waitUntil(lambda: len(popup.model.rows) >= 3)
    first = popup.current_result()
    qtbot.keyClick(popup.search_box, Qt.Key.Key_Down)
    second = popup.current_result()
    assert first is not None and second is not None and first.id != second.id
    qtbot.keyClick(popup.search_box, Qt.Key.Key_Up)
    assert popup.current_result() == first
    qtbot.keyClick(popup.search_box, Qt.Key.Key_Escape)
    assert not popup.isVisible()
    reader = controller.context_reader
    assert isinstance(reader, FixedContext) and reader.activated[-1] == 4711


def test_ctrl_enter_pins_and_ticks_survive_a_restart(
        controller: Controller, qtbot: QtBot, paths: HandrailPaths) -> None:
    controller.toggle("vendor invoice")
    popup = controller.popup
    qtbot.waitUntil(lambda: rows(popup)[:1] == ["Post a vendor invoice"])
    qtbot.keyClick(popup.search_box, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert not popup.isVisible()
    window = next(iter(controller.pinned_windows.values()))
    assert window.isVisible() and window.progress.text() == "0 of 3 steps done"
    qtbot.keyClick(window, Qt.Key.Key_Space)   # ticks step 1, moves to step 2
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.progress.text() == "2 of 3 steps done"
    assert window.current == 2
    from job_aids.checklist import PinnedState

    state = PinnedState(paths.state / "pinned.json")
    assert state.done(window.aid.id) == {"Open transaction `MIRO`",
                                         "Enter the purchase order number"}
    controller.quit()                  # quitting keeps it pinned for the next start
    assert PinnedState(paths.state / "pinned.json").pinned == [window.aid.id]


def test_pinned_copy_buttons_copy_code(controller: Controller, qtbot: QtBot) -> None:
    controller.toggle("vendor invoice")
    qtbot.waitUntil(lambda: rows(controller.popup)[:1] == ["Post a vendor invoice"])
    controller.pin_result(controller.popup.current_result())  # type: ignore[arg-type]
    window = next(iter(controller.pinned_windows.values()))
    from PySide6.QtWidgets import QToolButton

    buttons = [b for b in window.findChildren(QToolButton) if b.text() == "Copy"]
    assert len(buttons) == 2  # the step's `MIRO` and the code block
    QApplication.clipboard().clear()
    qtbot.mouseClick(buttons[-1], Qt.MouseButton.LeftButton)
    assert QApplication.clipboard().text() == "MIRO"
    assert buttons[-1].text() == "Copied ✓"  # said where the click was, then put back
    qtbot.waitUntil(lambda: buttons[-1].text() == "Copy", timeout=3000)


def test_ctrl_c_copies_the_selected_aids_code(controller: Controller, qtbot: QtBot) -> None:
    controller.toggle("vendor invoice")
    qtbot.waitUntil(lambda: rows(controller.popup)[:1] == ["Post a vendor invoice"])
    QApplication.clipboard().clear()
    qtbot.keyClick(controller.popup.search_box, Qt.Key.Key_C,
                   Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == "MIRO"
    assert controller.last_copied_note == "Copied: MIRO"


def test_ctrl_c_copies_steps_as_plain_text(controller: Controller, qtbot: QtBot) -> None:
    """Without a code block, the steps are copied as text, not as Markdown."""
    add_aid(controller, qtbot, "close.md", "# Close the shop\n\n1. Lock the **front** door\n"
            "2. Set the `alarm`\n3. See [[Count the till]]\n", "lock front door")
    controller.toggle("close the shop")
    qtbot.waitUntil(lambda: rows(controller.popup)[:1] == ["Close the shop"], timeout=10000)
    qtbot.keyClick(controller.popup.search_box, Qt.Key.Key_C,
                   Qt.KeyboardModifier.ControlModifier)
    assert QApplication.clipboard().text() == \
        "1. Lock the front door\n2. Set the alarm\n3. See Count the till"
    assert controller.last_copied_note == "Copied: 1. Lock the front door"


def test_no_results_offers_to_create_and_records_a_gap(
        controller: Controller, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("", False))  # cancelled
    controller.toggle()
    popup = controller.popup
    qtbot.keyClicks(popup.search_box, "zqxv frobnicate")
    qtbot.waitUntil(lambda: rows(popup) == ["Create an aid for 'zqxv frobnicate'"])
    assert "No aid found" in popup.notice.text()
    created: list[str] = []
    popup.create_requested.connect(created.append)
    qtbot.keyClick(popup.search_box, Qt.Key.Key_Return)
    assert created == ["zqxv frobnicate"]
    assert not popup.isVisible()  # hiding records the gap at once
    assert controller.worker.service is not None
    gaps = controller.worker.service.usage.gaps()
    assert [(g["query"], g["apps"]) for g in gaps] == [("zqxv frobnicate", ["SAPLogon"])]


def test_stale_answers_are_never_painted(qtbot: QtBot) -> None:
    popup = Popup()
    qtbot.addWidget(popup)
    requests: list[SearchRequest] = []
    popup.search_requested.connect(requests.append)
    popup.search_box.setText("prin")
    popup.search_box.setText("printer")
    old, new = requests[-2], requests[-1]
    assert new.generation == old.generation + 1
    assert popup.show_answer(new.generation, SearchResponse("printer")) is True
    assert not popup.show_answer(old.generation, SearchResponse("prin"))
    assert rows(popup) == ["Create an aid for 'printer'"]


def test_new_aid_gets_the_query_and_the_application_and_is_written_only_when_saved(
        controller: Controller, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    offered: list[list[str]] = []

    def pick(parent: object, title: str, label: str, items: list[str], *args: object
             ) -> tuple[str, bool]:
        offered.append(items)
        return next(i for i in items if i.startswith("checklist")), True

    monkeypatch.setattr(QInputDialog, "getItem", pick)
    own = controller.store.paths.own_library
    before = sorted(p.name for p in own.iterdir())
    controller.toggle("close the till")
    controller.create_aid("close the till")
    # Each kind is offered with what it is for.
    assert any(i.startswith("checklist — Things to tick off") for i in offered[0])
    editor = controller.windows[-1]
    assert isinstance(editor, EditorWindow) and editor.is_new
    aid = parse_text(editor_text(editor.text))
    assert aid.title == "close the till" and aid.kind == "checklist"
    assert [a.app for a in aid.apps] == ["SAPLogon"]
    text = editor_text(editor.text)
    assert "&id" not in text and "*id" not in text  # no YAML anchors
    assert "example.com" not in text and "Count the till" not in text  # no other aid's words
    assert sorted(p.name for p in own.iterdir()) == before  # nothing written yet
    qtbot.waitUntil(editor.isActiveWindow)
    qtbot.keyClick(editor.text, Qt.Key.Key_End, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(editor.text, "- [ ] Lock the till drawer")
    qtbot.keyClick(editor.text, Qt.Key.Key_Return)
    qtbot.keyClick(editor.text, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    new = [p for p in own.iterdir() if p.name not in before]
    assert len(new) == 1, editor.status.text()
    [written] = new
    assert written.read_text() == editor_text(editor.text)
    assert dt.date.today().isoformat() in written.read_text()
    assert not editor.is_new and editor.aid.source is not None


def test_a_new_aid_closed_unsaved_leaves_nothing_in_the_library(
        controller: Controller, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    own = controller.store.paths.own_library
    before = sorted(p.name for p in own.iterdir())
    controller.create_aid("vendor master", kind="procedure")
    editor = controller.windows[-1]
    assert isinstance(editor, EditorWindow)
    editor.close()  # untouched: no question, nothing kept
    assert sorted(p.name for p in own.iterdir()) == before
    assert controller.drafts.all() == []
    # Typed in, then discarded: nothing either.
    controller.create_aid("vendor master", kind="procedure")
    editor = controller.windows[-1]
    assert isinstance(editor, EditorWindow)
    qtbot.keyClicks(editor.text, "words")
    editor.keep_draft()
    assert [d.is_new for d in controller.drafts.all()] == [True]
    from app import dialogs
    monkeypatch.setattr(dialogs, "ask", lambda *a, **k: QMessageBox.StandardButton.Discard)
    editor.close()
    assert sorted(p.name for p in own.iterdir()) == before
    assert controller.drafts.all() == []


def test_settings_dialog_stays_open_on_a_taken_hotkey_and_saves_the_rest(
        controller: Controller, qtbot: QtBot, paths: HandrailPaths,
        monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from PySide6.QtGui import QKeySequence

    from app.hotkey import HotkeyError
    from app.settings import Settings
    from app.settings_dialog import SettingsDialog

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    taken = {"Ctrl+Alt+J"}

    def register(sequence: str) -> None:
        if sequence in taken:
            raise HotkeyError(f"{sequence} is already used by another program")
        controller.hotkey.sequence = sequence

    monkeypatch.setattr(controller.hotkey, "register", register)
    dialog = SettingsDialog(controller.settings, controller.store.collections,
                            controller.apply_settings)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.hotkey.setKeySequence(QKeySequence("Ctrl+Alt+J"))
    dialog.start_at_login.setChecked(True)
    dialog.accept()
    assert dialog.isVisible()  # still open, saying why
    assert "already used by another program" in dialog.message.text()
    dialog.hotkey.setKeySequence(QKeySequence("Ctrl+Alt+H"))
    dialog.theme.setCurrentIndex(dialog.theme.findData("dark"))
    dialog.accept()
    assert not dialog.isVisible()
    saved, problem = Settings.load(paths.config / "settings.json")
    assert problem is None
    assert (saved.hotkey, saved.start_at_login, saved.theme) == ("Ctrl+Alt+H", True, "dark")
    assert (tmp_path / "xdg" / "autostart" / "handrail.desktop").is_file()
    assert controller.hotkey.sequence == "Ctrl+Alt+H"
    assert QApplication.palette().window().color().lightness() < 100  # dark now
    controller.apply_settings(Settings())  # back to light for the other tests


def test_a_hotkey_lost_after_registering_is_reported(controller: Controller,
                                                      qtbot: QtBot) -> None:
    # As the Wayland portal reports a binding the user declined in the desktop's dialog.
    controller.hotkey.lost.emit("the desktop did not bind the shortcut")
    qtbot.waitUntil(lambda: any("did not bind" in m for m in controller.messages))
    assert "handrail toggle" in controller.tray.icon.toolTip()


def test_the_selection_hint_survives_the_index_progress(qtbot: QtBot) -> None:
    """The start-up index update finishing reset the status line to the plain hints, so the
    text selected in the work window was no longer offered (a flaky end-to-end test)."""
    popup = Popup()
    qtbot.addWidget(popup)
    popup.set_selection("vendor  invoice\n")
    assert "Alt+S: search “vendor invoice”" in popup.status.text()
    popup.show_progress("Indexing: 250 of 38,405 aids")
    assert popup.status.text() == "Indexing: 250 of 38,405 aids"
    popup.show_progress("")
    assert "Alt+S: search “vendor invoice”" in popup.status.text()


def test_a_collection_that_is_not_reachable_is_named_in_the_popup(
        controller: Controller, qtbot: QtBot, tmp_path: Path) -> None:
    stick = tmp_path / "usb-stick"
    stick.mkdir()
    controller.store.collections.add(stick, "field")
    controller.toggle()
    popup = controller.popup
    qtbot.waitUntil(lambda: rows(popup)[:1] == ["For SAPLogon"])
    assert not popup.unreachable_label.isVisible()
    controller.toggle()
    stick.rmdir()  # the stick is pulled out
    controller.toggle()
    qtbot.waitUntil(popup.unreachable_label.isVisible)
    assert "The collection 'field' is not reachable" in popup.unreachable_label.text()
    assert str(stick) in popup.unreachable_label.text()
    controller.toggle()
    stick.mkdir()  # and put back
    controller.toggle()
    qtbot.waitUntil(lambda: not popup.unreachable_label.isVisible())


def test_a_pinned_step_is_ticked_by_a_click_on_its_text_and_space_goes_on_from_there(
        controller: Controller, qtbot: QtBot) -> None:
    add_aid(controller, qtbot, "open.md", "# Open the shop\n\n- [ ] Unlock the door\n"
            "- [ ] Lights on\n- [ ] Till float\n", "unlock door")
    controller.toggle("open the shop")
    qtbot.waitUntil(lambda: rows(controller.popup)[:1] == ["Open the shop"])
    controller.pin_result(controller.popup.current_result())  # type: ignore[arg-type]
    window = controller.pinned_windows[controller.popup.current_result().id]  # type: ignore[union-attr]
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    from PySide6.QtWidgets import QLabel

    def ticked() -> list[bool]:
        return [box.isChecked() for box, _ in window.boxes]

    first_text = window.rows[0].findChild(QLabel)
    assert first_text is not None
    qtbot.mouseClick(first_text, Qt.MouseButton.LeftButton)  # the text, not the little box
    assert ticked() == [True, False, False] and window.current == 1
    qtbot.keyClick(window, Qt.Key.Key_Space)  # goes on from the clicked step
    assert ticked() == [True, True, False] and window.current == 2
    qtbot.mouseClick(window.boxes[0][0], Qt.MouseButton.LeftButton)  # the box unticks it
    assert ticked() == [False, True, False] and window.current == 0
    qtbot.keyClick(window, Qt.Key.Key_Space)
    assert ticked() == [True, True, False]
    # The current step is marked beside its row, never by colouring its box.
    assert window.rows[window.current].property("current") is True
    assert all(box.styleSheet() == "" for box, _ in window.boxes)
    qtbot.keyClick(window, Qt.Key.Key_Escape)  # the keyboard goes back to the work window
    reader = controller.context_reader
    assert isinstance(reader, FixedContext) and reader.activated[-1] == 4711


def test_settings_cancel_undoes_folder_changes_and_a_folder_can_be_added_read_only(
        controller: Controller, qtbot: QtBot, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

    from app.settings_dialog import SettingsDialog

    team = tmp_path / "team-library"
    team.mkdir()
    collections_file = controller.paths.config / "collections.json"
    before = collections_file.read_bytes() if collections_file.exists() else None
    # The OS folder chooser stands in for the user picking the folder.
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *args: str(team))

    def dialog() -> SettingsDialog:
        opened = SettingsDialog(controller.settings, controller.store.collections,
                                controller.apply_settings)
        qtbot.addWidget(opened)
        opened.show()
        return opened

    def button(opened: SettingsDialog, label: str) -> QPushButton:
        return next(b for b in opened.findChildren(QPushButton)
                    if b.text().replace("&", "") == label)

    first = dialog()
    qtbot.mouseClick(button(first, "Add folder…"), Qt.MouseButton.LeftButton)
    assert any("team-library" in first.folders.item(i).text()
               for i in range(first.folders.count()))  # shown at once
    box = first.findChild(QDialogButtonBox)
    assert box is not None
    qtbot.mouseClick(box.button(QDialogButtonBox.StandardButton.Cancel),
                     Qt.MouseButton.LeftButton)
    after = collections_file.read_bytes() if collections_file.exists() else None
    assert after == before  # Cancel undid it
    assert "team-library" not in [c.name for c in controller.store.collections.all()]

    second = dialog()
    second.read_only.setChecked(True)
    qtbot.mouseClick(button(second, "Add folder…"), Qt.MouseButton.LeftButton)
    assert any(second.folders.item(i).text().endswith("(read-only)")
               for i in range(second.folders.count()))
    box = second.findChild(QDialogButtonBox)
    assert box is not None
    qtbot.mouseClick(box.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    added = controller.store.collections.get("team-library")
    assert added.read_only and added.path == team.resolve()


def test_more_results_come_a_page_at_a_time_with_the_count(controller: Controller,
                                                           qtbot: QtBot) -> None:
    for number in range(30):
        (controller.store.paths.own_library / f"bulk-{number:02}.md").write_text(
            f"# Pallet check {number}\n\nCheck the pallet wrap, number {number}.\n")
    service = controller.worker.service
    assert service is not None
    qtbot.waitUntil(lambda: len(service.engine.search("pallet ", limit=40).results) == 30,
                    timeout=15000)
    controller.toggle("pallet ")
    popup = controller.popup
    qtbot.waitUntil(lambda: len(popup.model.rows) == 12)
    assert popup.notice.text() == "12 aids shown · scroll or press ↓ for more"
    for _ in range(11):
        qtbot.keyClick(popup.search_box, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: len(popup.model.rows) == 24)  # the next page came
    assert popup.results.currentIndex().row() >= 9  # and the selection stayed
    popup.results.scrollToBottom()
    qtbot.waitUntil(lambda: len(popup.model.rows) == 30)
    assert popup.notice.text() == "30 aids found"


def test_an_edited_pinned_aid_is_shown_as_it_is_now_keeping_its_ticks(
        controller: Controller, qtbot: QtBot) -> None:
    path = controller.store.paths.own_library / "open.md"
    path.write_text("# Open the shop\n\n- [ ] Unlock the door\n- [ ] Lights on\n")
    controller.pin_aid(controller.store.load(path))
    [window] = controller.pinned_windows.values()
    window.boxes[0][0].setChecked(True)  # "Unlock the door" is done
    window.move(300, 200)
    place = window.pos()
    aid = controller.store.load(path)
    controller.store.save_text(aid, "# Open the shop\n\n- [ ] Unlock the door\n"
                               "- [ ] Disarm the alarm\n- [ ] Lights on\n")

    def steps() -> list[tuple[str, bool]]:
        [shown] = controller.pinned_windows.values()
        return [(step.text, box.isChecked()) for box, step in shown.boxes]

    qtbot.waitUntil(lambda: len(steps()) == 3, timeout=5000)
    assert steps() == [("Unlock the door", True), ("Disarm the alarm", False),
                       ("Lights on", False)]
    [shown] = controller.pinned_windows.values()
    assert shown.pos() == place  # a new window, in the same place
    assert controller.pinned.pinned == [aid.id]  # still pinned
    # And a second edit is seen too (the watch follows the replaced file).
    controller.store.save_text(controller.store.load(path), "# Open the shop\n\n"
                               "- [ ] Unlock the door\n")
    qtbot.waitUntil(lambda: len(steps()) == 1, timeout=5000)


def test_a_first_run_shows_where_to_start_and_ctrl_m_marks_an_aid_for_the_app(
        paths: HandrailPaths, qtbot: QtBot) -> None:
    from resources import starter_dir, templates_dir

    store = LibraryStore(paths, starter_dir=starter_dir(), templates_dir=templates_dir())
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    ctl = Controller(app, paths, store, server_name(paths))
    ctl.context_reader = FixedContext(WindowContext(app="XTerm", window_title="~ - xterm",
                                                    window_id=7))
    ctl.app.quit = lambda: None  # type: ignore[method-assign]
    assert ctl.start()
    try:
        qtbot.waitUntil(lambda: ctl.worker.service is not None
                        and ctl.worker.service.index.doc_count >= 8, timeout=20000)
        ctl.toggle()
        popup = ctl.popup
        qtbot.waitUntil(lambda: rows(popup)[:2] == ["Start here", "Welcome to Handrail"])
        assert "Nothing is marked for XTerm yet: Ctrl+M shows the selected aid here" in \
            popup.notice.text()
        qtbot.keyClicks(popup.search_box, "keyboard shortcuts")
        qtbot.waitUntil(lambda: rows(popup)[:1] == ["Handrail keyboard shortcuts"])
        qtbot.keyClick(popup.search_box, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier)
        assert "now shows first in XTerm" in popup.status.text()
        popup.search_box.clear()
        qtbot.waitUntil(lambda: rows(popup)[:2] == ["For XTerm", "Handrail keyboard shortcuts"])
        starter = store.collections.get("starter").path
        assert not any(p.stat().st_mtime > 0 and p.read_text().count("XTerm")
                       for p in starter.glob("*.md"))  # no aid file was changed
    finally:
        ctl.quit()


def test_ctrl_delete_moves_an_aid_to_the_trash_and_ctrl_z_brings_it_back(
        controller: Controller, qtbot: QtBot) -> None:
    path = controller.store.paths.own_library / "unjam.md"
    before = path.read_bytes()
    controller.toggle("unjam lab")
    popup = controller.popup
    qtbot.waitUntil(lambda: rows(popup)[:1] == ["Unjam the label printer"])
    qtbot.keyClick(popup.search_box, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier)
    assert not path.exists() and "Unjam the label printer" not in rows(popup)
    assert "to the trash · Ctrl+Z undoes it" in popup.status.text()
    assert [e.title for e in controller.store.trash.entries()] == ["Unjam the label printer"]
    qtbot.keyClick(popup.search_box, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert path.read_bytes() == before and controller.store.trash.entries() == []
    assert "is back" in popup.status.text()
    qtbot.waitUntil(lambda: "Unjam the label printer" in rows(popup), timeout=10000)


def test_the_tray_offers_help_and_about(controller: Controller, qtbot: QtBot,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    labels = [a.text() for a in controller.tray.menu.actions()]
    assert "&Help" in labels and "&About Handrail" in labels
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: told.append(box.text()) or 0)
    next(a for a in controller.tray.menu.actions() if a.text() == "&About Handrail").trigger()
    assert str(controller.paths.own_library) in told[0]
    assert "Whoosh-Reloaded (BSD License)" in told[0]  # the licences, from the metadata
    next(a for a in controller.tray.menu.actions() if a.text() == "&Help").trigger()
    assert "Welcome to Handrail - Handrail" in [w.windowTitle() for w in controller.windows]


def test_a_pinned_window_goes_beside_the_work_window_and_stays_where_it_is_put(
        controller: Controller, qtbot: QtBot) -> None:
    from PySide6.QtGui import QGuiApplication

    area = QGuiApplication.primaryScreen().availableGeometry()
    work = (area.left() + 20, area.top() + 40, area.width() // 3, 300)
    controller.context = WindowContext(app="SAPLogon", window_title="x", window_id=4711,
                                       frame=work)
    path = controller.store.paths.own_library / "open.md"
    path.write_text("# Open the shop\n\n- [ ] Unlock the door\n")
    aid = controller.store.load(path)
    controller.pin_aid(aid)
    window = controller.pinned_windows[aid.id]
    qtbot.waitExposed(window)
    assert window.x() == work[0] + work[2] + 12  # right beside it, not over it
    window.move(window.x() + 5, window.y() + 7)
    moved = (window.x(), window.y())
    window.close()  # unpinned; pinned again later, it comes back where it was left
    controller.pin_aid(aid)
    again = controller.pinned_windows[aid.id]
    assert (again.x(), again.y()) == moved
    assert PinnedState(controller.paths.state / "pinned.json").places[aid.id] == moved


def test_the_starter_aids_name_the_hotkey_in_use(controller: Controller, qtbot: QtBot,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from app.settings import Settings

    monkeypatch.setattr(controller.hotkey, "register",
                        lambda sequence: setattr(controller.hotkey, "sequence", sequence))
    assert controller.apply_settings(Settings(hotkey="Ctrl+Alt+H")) is None
    welcome = controller.store.find("Welcome to Handrail")
    controller.open_aid(welcome)
    window = controller.windows[-1]
    assert isinstance(window, AidWindow)
    text = window.browser.toPlainText()
    assert "Press Ctrl+Alt+H anywhere" in text and "Ctrl+Alt+Space" not in text
    assert "Ctrl+Alt+Space" in welcome.source.path.read_text()  # the file is as it was
    controller.apply_settings(Settings())
