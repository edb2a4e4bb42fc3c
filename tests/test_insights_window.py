"""The Insights window and the votes, driven by keys and clicks in the running app."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QPushButton, QTabWidget
from pytestqt.qtbot import QtBot
from test_popup import controller  # noqa: F401 - the fixture

from app.controller import Controller
from app.editor import EditorWindow, editor_text
from app.insights_window import ChartPage, InsightsWindow
from search.usage import Search


def _button(widget: object, text: str) -> QPushButton:
    from PySide6.QtWidgets import QWidget

    assert isinstance(widget, QWidget)
    [button] = [b for b in widget.findChildren(QPushButton) if b.text().replace("&", "") == text]
    return button


def _open_insights(controller: Controller, qtbot: QtBot) -> InsightsWindow:  # noqa: F811
    controller.toggle()
    qtbot.keyClick(controller.popup.search_box, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    window = controller.insights
    assert window is not None
    qtbot.waitUntil(lambda: window.report is not None and window.tabs.count() == 5)
    assert not controller.popup.isVisible()
    return window


def test_gaps_show_and_go_by_a_click_and_write_this_aid_is_prefilled(
        controller: Controller, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    service = controller.worker.service
    assert service is not None
    for query, app in (("vendor master", "SAPLogon"), ("vendor master", "SAPLogon"),
                       ("goods receipt", "firefox")):
        service.usage.record_search(Search(query, 3, app=app), time.time() - 60)
    window = _open_insights(controller, qtbot)
    table = window.gap_table
    shown = [(table.item(r, 0).text(), table.item(r, 1).text(), table.item(r, 2).text())
             for r in range(table.rowCount())]
    assert shown == [("vendor master", "2", "SAPLogon"), ("goods receipt", "1", "firefox")]
    assert "3 searches" in window.summary.text()

    table.selectRow(1)
    qtbot.mouseClick(_button(window, "Dismiss"), Qt.MouseButton.LeftButton)
    assert table.rowCount() == 1
    assert [g.query for g in service.report().gaps] == ["vendor master"]

    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: ("procedure", True))
    table.selectRow(0)
    qtbot.mouseClick(_button(window, "Write this aid"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any("vendor master" in w.windowTitle().lower()
                                for w in controller.windows))
    [editor] = [w for w in controller.windows if isinstance(w, EditorWindow)]
    assert editor.is_new and "apps: [SAPLogon]" in editor_text(editor.text)
    with qtbot.waitActive(editor):
        editor.activateWindow()
    qtbot.keyClick(editor.text, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not editor.is_new
    # Written from the gap and saved: it leaves the list.
    window.reload()
    qtbot.waitUntil(lambda: window.report is not None and window.gap_table.rowCount() == 0)


def test_each_chart_has_its_numbers_one_click_away(controller: Controller,  # noqa: F811
                                                    qtbot: QtBot) -> None:
    service = controller.worker.service
    assert service is not None
    for days_ago in (3, 2, 2, 1):
        service.usage.record_search(Search("vendor master", 0), time.time() - days_ago * 86400)
    window = _open_insights(controller, qtbot)
    window.tabs.setCurrentIndex(4)
    charts = window.tabs.currentWidget()
    assert isinstance(charts, QTabWidget)
    page = charts.widget(0)  # searches over time
    assert isinstance(page, ChartPage)
    assert page.stack.currentIndex() == 0
    qtbot.mouseClick(page.toggle, Qt.MouseButton.LeftButton)
    numbers = page.stack.currentWidget()
    assert page.stack.currentIndex() == 1 and numbers.rowCount() == 3
    assert [numbers.item(r, 1).text() for r in range(3)] == ["1", "2", "1"]
    qtbot.keyClick(window, Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)
    assert not window.isVisible()


def test_a_vote_under_an_aid_is_recorded_with_its_comment(
        controller: Controller, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    controller.toggle()
    qtbot.keyClicks(controller.popup.search_box, "unjam lab")
    qtbot.waitUntil(lambda: controller.popup.current_result() is not None)
    qtbot.keyClick(controller.popup.search_box, Qt.Key.Key_Return)
    [window] = controller.windows
    bar = window.feedback  # type: ignore[attr-defined]
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: ("the cover moved", True))
    qtbot.mouseClick(bar.buttons["outdated"], Qt.MouseButton.LeftButton)
    assert "Thanks" in bar.question.text() and not bar.buttons["helpful"].isEnabled()
    service = controller.worker.service
    assert service is not None
    assert [r[1:] for r in service.usage.rows("SELECT ts, vote, comment FROM votes")] == [
        ("outdated", "the cover moved")]
    # The search that led here was recorded as found, not as a gap.
    assert [(q, opened is not None) for _, q, _, _, _, _, opened, *_ in
            service.usage.searches()] == [("unjam lab", True)]


def test_finishing_a_pinned_checklist_is_counted_and_asks_if_it_helped(
        controller: Controller, qtbot: QtBot) -> None:  # noqa: F811
    controller.toggle()
    qtbot.keyClicks(controller.popup.search_box, "unjam lab")
    qtbot.waitUntil(lambda: controller.popup.current_result() is not None)
    qtbot.keyClick(controller.popup.search_box, Qt.Key.Key_Return,
                   Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(controller.pinned_windows))
    [window] = controller.pinned_windows.values()
    assert not window.feedback.isVisible()
    for _ in window.boxes:
        qtbot.keyClick(window, Qt.Key.Key_Space)
    assert window.feedback.isVisible()
    qtbot.mouseClick(window.feedback.buttons["helpful"], Qt.MouseButton.LeftButton)
    service = controller.worker.service
    assert service is not None
    kinds = [k for k, in service.usage.rows("SELECT kind FROM events ORDER BY ts")]
    assert kinds == ["pin", "complete"]
    assert [v for v, in service.usage.rows("SELECT vote FROM votes")] == ["helpful"]


def test_a_vote_under_the_popup_preview_keeps_the_popup_and_the_keyboard(
        controller: Controller, qtbot: QtBot) -> None:  # noqa: F811
    popup = controller.popup
    controller.toggle()
    qtbot.keyClicks(popup.search_box, "unjam lab")
    qtbot.waitUntil(lambda: "Pull the labels out" in popup.preview.toPlainText())
    result = popup.current_result()
    assert result is not None
    qtbot.mouseClick(popup.feedback.buttons["helpful"], Qt.MouseButton.LeftButton)
    assert popup.isVisible() and popup.search_box.hasFocus()
    service = controller.worker.service
    assert service is not None
    assert service.usage.rows("SELECT aid_id, vote FROM votes") == [(result.id, "helpful")]
    # A review asked for shows under Needs attention.
    service.usage.record_event("review-request", result.id, "the cover opens differently")
    [figures] = service.report().voted_down
    assert (figures.id, figures.review_requests) == (result.id, 1)
