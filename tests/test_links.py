"""Links between aids and to the outside: any title links, a click in the popup's preview
follows it, and a link aid opens its address."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot
from test_popup import add_aid, controller, rows  # noqa: F401 - the fixture

from app.controller import Controller
from app.popup import Popup
from job_aids import render_markdown


def test_a_title_with_punctuation_links() -> None:
    html = render_markdown("Read [[Which kind of aid should I write?]] first.")
    assert 'href="handrail:aid/Which%20kind%20of%20aid%20should%20I%20write%3F"' in html
    assert "[[" not in html


def _click_text(popup: Popup, qtbot: QtBot, text: str) -> None:
    cursor = popup.preview.document().find(text)
    assert not cursor.isNull(), popup.preview.toPlainText()
    popup.preview.setTextCursor(cursor)
    point = popup.preview.cursorRect(cursor).center()
    point.setX(point.x() - 10)  # inside the link's text, not just after it
    qtbot.mouseClick(popup.preview.viewport(), Qt.MouseButton.LeftButton, pos=point)


def test_a_click_on_a_link_in_the_popup_preview_opens_that_aid(
        controller: Controller, qtbot: QtBot) -> None:  # noqa: F811
    add_aid(controller, qtbot, "choose.md", "# Which form: A or B?\n\nA checklist "
            "when order matters.\n", "which form")
    add_aid(controller, qtbot, "start.md", "# Start writing aids\n\nFirst read "
            "[[Which form: A or B?]].\n", "start writing")
    controller.toggle()
    popup = controller.popup
    qtbot.waitUntil(popup.search_box.hasFocus)
    qtbot.keyClicks(popup.search_box, "start writing")
    qtbot.waitUntil(lambda: rows(popup)[:1] == ["Start writing aids"])
    qtbot.waitUntil(lambda: "First read" in popup.preview.toPlainText())
    _click_text(popup, qtbot, "form: A or")
    qtbot.waitUntil(lambda: any(getattr(w, "aid", None) is not None and
                                w.aid.title == "Which form: A or B?"
                                for w in controller.windows), timeout=10000)
    assert not popup.isVisible()


class _Browser(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


def test_a_link_aid_opens_its_address_not_a_reader(controller: Controller,  # noqa: F811
                                                   qtbot: QtBot) -> None:
    (controller.store.paths.own_library / "portal.md").write_text(
        "---\ntitle: Expense portal\nkind: link\nurl: https://expenses.example.com/new\n---\n"
        "File expenses here.\n")
    service = controller.worker.service
    assert service is not None
    qtbot.waitUntil(lambda: any(r.title == "Expense portal" for r in service.engine.search(
        "expense portal ").results), timeout=10000)
    browser = _Browser()
    QDesktopServices.setUrlHandler("https", browser, "open")
    try:
        controller.toggle()
        popup = controller.popup
        qtbot.waitUntil(popup.search_box.hasFocus)
        qtbot.keyClicks(popup.search_box, "expense portal")
        qtbot.waitUntil(lambda: rows(popup)[:1] == ["Expense portal"])
        windows = len(controller.windows)
        qtbot.keyClick(popup.search_box, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: browser.opened == ["https://expenses.example.com/new"])
        QApplication.processEvents()
        assert len(controller.windows) == windows  # no reader window
    finally:
        QDesktopServices.unsetUrlHandler("https")
