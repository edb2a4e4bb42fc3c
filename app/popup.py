"""The hotkey popup: a frameless search box over the current work, results as you type.

The popup only shows things and reports what the user asked for (signals); the controller does
the work. Each query carries a generation number: only the newest query's answer is painted.
"""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QEvent, QObject, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeyEvent, QKeySequence, QPainter, QPen, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from job_aids import AidSource
from search import SearchResponse, SearchResult

from . import trace
from .aid_view import AidBrowser
from .hotkey import HeldKey
from .result_list import ROW_ROLE, ResultModel, ResultView, Row
from .search_worker import HomeRows, SearchRequest
from .window_context import WindowContext

PREVIEW_PAUSE_MS = 120
LEFT_SETTLE_MS = 200  # how long the popup must stay without the keyboard to count as left
RESULT_LIMIT = 12   # results asked for at first, and per further page
MAX_RESULTS = 240   # pages end here: beyond, a query says more than scrolling does
HINTS = ("↵ open · Ctrl+↵ pin · Ctrl+C copy · Ctrl+E edit · Ctrl+N new · "
         "Alt+S search selection · Esc hide")


class Popup(QWidget):
    search_requested = Signal(object)     # SearchRequest
    open_requested = Signal(object)       # SearchResult
    pin_requested = Signal(object)        # SearchResult
    edit_requested = Signal(object)       # SearchResult
    copy_requested = Signal(object)       # SearchResult
    create_requested = Signal(str)        # the query, as the new aid's title
    mark_requested = Signal(object)       # SearchResult: show it first in this app
    reveal_requested = Signal(object)     # SearchResult: its file in the file manager
    delete_requested = Signal(object)     # SearchResult: to the trash
    undo_requested = Signal()             # Ctrl+Z: undo the last delete
    library_requested = Signal()          # Ctrl+L: the Library window
    insights_requested = Signal()         # Ctrl+I: the Insights window
    voted = Signal(object, str, str)      # SearchResult, vote, comment (under the preview)
    preview_requested = Signal(int, str)  # generation, path
    dismissed = Signal()                  # hidden by Esc or the hotkey: give focus back
    clicked_away = Signal()               # hidden: another window was clicked, it keeps focus
    became_active = Signal()              # it has the keyboard now
    searched = Signal(str, int)           # a query answered, and how many aids it found

    def __init__(self) -> None:
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.FramelessWindowHint
                         | Qt.WindowType.WindowStaysOnTopHint)
        self.setObjectName("popup")
        self.setWindowTitle("Handrail")
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled)
        self.context = WindowContext()
        self._preview_waits = False
        self.pinned_ids: tuple[str, ...] = ()
        self.generation = 0
        self._limit = RESULT_LIMIT  # results asked for: grows a page at a time
        self._keep_row: int | None = None  # the row to keep when a next page comes
        self._was_active = False  # had the keyboard since it was shown
        self.last_response: SearchResponse | HomeRows | None = None
        self._preview_generation = 0
        # While typing, the preview waits for a pause: rendering it would compete with the
        # next keystroke's search. Moving through results previews at once.
        self._preview_timer = QTimer(self, singleShot=True, interval=PREVIEW_PAUSE_MS)
        self._preview_timer.timeout.connect(self._request_preview)
        self._preview_path = ""

        self.search_box = QLineEdit(placeholderText="Search job aids…")
        self.search_box.setObjectName("searchBox")
        self.search_box.setClearButtonEnabled(True)
        self.search_box.textChanged.connect(self._query_changed)
        self.search_box.installEventFilter(self)
        self.context_label = QLabel()
        self.context_label.setTextFormat(Qt.TextFormat.PlainText)  # window classes are anyone's
        self.context_label.setObjectName("contextLabel")
        self.notice = QLabel()
        self.notice.setObjectName("notice")
        self.notice.setWordWrap(True)
        self.notice.hide()
        self.unreachable_label = QLabel()
        self.unreachable_label.setObjectName("notice")
        self.unreachable_label.setWordWrap(True)
        self.unreachable_label.setTextFormat(Qt.TextFormat.PlainText)
        self.unreachable_label.hide()
        self.model = ResultModel()
        self.results = ResultView()
        self.results.setModel(self.model)
        self.results.selectionModel().currentChanged.connect(self._current_changed)
        self.results.clicked.connect(lambda index: self._set_current(index.row()))
        self.results.doubleClicked.connect(lambda _: self.activate_current())
        self.results.verticalScrollBar().valueChanged.connect(self._scrolled)
        self.results.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.results.customContextMenuRequested.connect(self._context_menu)
        self.preview = AidBrowser()
        self.preview.setObjectName("preview")
        self.preview.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.status = QLabel(HINTS)
        self.status.setTextFormat(Qt.TextFormat.PlainText)  # it quotes the selected text
        # A long hint is cut, never widens the popup (it grew when the Alt+S hint showed).
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.status.setObjectName("status")

        top = QHBoxLayout()
        top.addWidget(self.search_box, 1)
        top.addWidget(self.context_label)
        from .feedback import FeedbackBar

        # "Did this help?" under the preview, for the aid shown there (a click, no key: the
        # keyboard stays in the search box).
        self.feedback = FeedbackBar(self._vote_current)
        for button in self.feedback.buttons.values():
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        side_layout.addWidget(self.preview, 1)
        side_layout.addWidget(self.feedback)
        splitter = QSplitter()
        splitter.addWidget(self.results)
        splitter.addWidget(side)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 8)
        layout.addLayout(top)
        layout.addWidget(self.notice)
        layout.addWidget(self.unreachable_label)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.dismiss)

    # -- showing and hiding -------------------------------------------------------------------
    def show_for(self, context: WindowContext, query: str | None = None) -> None:
        """Show over the user's work, searching at once; the box has the keyboard."""
        self.context = context
        self.context_label.setText(f"in {context.app}" if context.app else "")
        self._place(context)
        self.search_box.setFocus()
        if query is not None and query != self.search_box.text():
            self.search_box.setText(query)
        else:
            self._query_changed(self.search_box.text())
        self.search_box.selectAll()
        # Qt (xcb) keeps a hidden window as its focus window for a moment after it lost the
        # X focus; shown again within that moment, the X FocusIn looks like no change to Qt and
        # the popup never becomes active (no keys). Then activate it ourselves.
        stale_focus = (self.windowHandle() is not None
                       and QGuiApplication.focusWindow() is self.windowHandle())
        self.show()
        self.raise_()
        self.activateWindow()
        if stale_focus:
            QApplication.setActiveWindow(self)
            self.search_box.setFocus()
        trace.trace("popup-show-called", stale_focus=stale_focus)

    def dismiss(self) -> None:
        if self.isVisible():
            self.hide()
            self.dismissed.emit()

    def _place(self, context: WindowContext) -> None:
        screen = None
        if context.center is not None:
            screen = QGuiApplication.screenAt(QPoint(*context.center))
        screen = screen or QGuiApplication.screenAt(self.cursor().pos()) \
            or QGuiApplication.primaryScreen()
        area: QRect = screen.availableGeometry()
        width = min(max(560, int(area.width() * 0.5)), 900, area.width() - 40)
        height = min(max(380, int(area.height() * 0.55)), 640, area.height() - 40)
        self.setGeometry(area.left() + (area.width() - width) // 2,
                         area.top() + int(area.height() * 0.18), width, height)

    def paintEvent(self, event: Any) -> None:
        painter = QPainter(self)
        painter.fillRect(self.rect(), self.palette().window())
        painter.setPen(QPen(self.palette().mid().color(), 1))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()
        trace.trace("popup-painted", active=self.isActiveWindow(),
                    focus=self.search_box.hasFocus())

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() != QEvent.Type.ActivationChange:
            return
        if self.isActiveWindow():
            self._was_active = True
            trace.trace("popup-active", focus=self.search_box.hasFocus())
            self.became_active.emit()
        elif self._was_active and self.isVisible():
            # The user clicked into another window, as in Alfred, Raycast or Flow: the popup
            # goes. Looked at once events settle: a menu of its own opening is not "away", nor
            # is the focus the window manager takes and gives back while a keyboard grab ends
            # (seen on a loaded CI machine: the popup hid as Alt+S was pressed).
            trace.trace("popup-inactive")
            QTimer.singleShot(LEFT_SETTLE_MS, self._maybe_left)

    def _maybe_left(self) -> None:
        # _was_active: hidden and shown again meanwhile, it has yet to have the keyboard.
        if self._was_active and self.isVisible() and not self.isActiveWindow() \
                and QApplication.activePopupWidget() is None \
                and QApplication.activeModalWidget() is None:
            trace.trace("popup-clicked-away")
            self._was_active = False
            self.hide()
            self.clicked_away.emit()

    def forget_activation(self) -> None:
        """Losing the keyboard hides the popup only once it has had it again."""
        self._was_active = False

    def hideEvent(self, event: Any) -> None:
        self._was_active = False
        super().hideEvent(event)

    # -- searching ------------------------------------------------------------------------------
    def _query_changed(self, text: str, *, more: bool = False) -> None:
        """Ask for what is typed; ``more`` asks for another page of the same query, and the
        selection stays where it is."""
        self.generation += 1
        self._limit = self._limit + RESULT_LIMIT if more else RESULT_LIMIT
        self._keep_row = self.results.currentIndex().row() if more else None
        trace.trace("query", generation=self.generation, text=text)
        from search import Context

        context = Context(self.context.app, self.context.window_title) \
            if self.context.app or self.context.window_title else None
        self.search_requested.emit(SearchRequest(self.generation, text, context,
                                                 limit=self._limit, pinned=self.pinned_ids))

    def _scrolled(self, value: int) -> None:
        if value and value >= self.results.verticalScrollBar().maximum():
            self._more_wanted()  # scrolled to the end: the next page

    def _more_wanted(self) -> None:
        """At the end of the list (keys or scrolling): the next page, if there may be one."""
        answer = self.last_response
        if isinstance(answer, SearchResponse) and len(answer.results) >= self._limit \
                and self._limit < MAX_RESULTS:
            self._query_changed(self.search_box.text(), more=True)

    def refresh(self) -> None:
        """Ask again for what is typed (the index has grown or changed)."""
        if self.isVisible():
            self._query_changed(self.search_box.text())

    def show_answer(self, generation: int, answer: SearchResponse | HomeRows) -> bool:
        """Paint an answer; False (and nothing painted) when a newer query was typed since."""
        if generation != self.generation:
            trace.trace("stale-dropped", generation=generation)
            return False
        self.last_response = answer
        rows: list[Row] = []
        notice = ""
        if isinstance(answer, HomeRows):
            if answer.for_app:
                rows.append(Row("heading", f"For {self.context.app}"))
                rows += [Row("aid", result=r) for r in answer.for_app]
            if answer.pinned:
                rows.append(Row("heading", "Pinned"))
                rows += [Row("aid", result=r) for r in answer.pinned]
            if answer.frequent:
                rows.append(Row("heading", "Recently used"))
                rows += [Row("aid", result=r) for r in answer.frequent]
            if answer.start:
                rows.append(Row("heading", "Start here"))
                rows += [Row("aid", result=r) for r in answer.start]
            if not answer.for_app:
                notice = ("Type to search your job aids."
                          + (f" Nothing is marked for {html.escape(self.context.app)} yet: "
                             "Ctrl+M shows the selected aid here, Ctrl+N writes one."
                             if self.context.app else ""))
        else:
            if answer.did_you_mean:
                lead = "Showing results for" if answer.corrected else "Did you mean"
                notice = f"{lead}: <b>{html.escape(answer.did_you_mean)}</b>"
            elif answer.partial:
                notice = "No aid has every word; these have some of them."
            rows = [Row("aid", result=r) for r in answer.results]
            if rows and not notice:
                more = len(rows) >= self._limit and self._limit < MAX_RESULTS
                notice = (f"{len(rows)} aids shown · scroll or press ↓ for more" if more
                          else f"{len(rows)} aid{'s' if len(rows) != 1 else ''} found")
            if not rows:
                rows = [Row("create", f"Create an aid for '{answer.query.strip()}'")]
                notice = f"No aid found for <b>{html.escape(answer.query.strip())}</b>."
            self.searched.emit(answer.query, len(answer.results))
        self.notice.setText(notice)
        self.notice.setVisible(bool(notice))
        self.model.set_rows(rows)
        self.results.generation_to_paint = generation
        first = next((i for i, row in enumerate(rows) if row.selectable), None)
        if self._keep_row is not None and 0 <= self._keep_row < len(rows):
            first, self._keep_row = self._keep_row, None  # a next page: stay where one was
        if first is not None:
            self._preview_waits = True
            self._set_current(first)
            self._preview_waits = False
        else:
            self.preview.clear()
        self.results.viewport().update()
        return True

    def forget_result(self, aid_id: str) -> None:
        """Take a deleted aid out of the list at once (the index follows in a moment)."""
        row = self.results.currentIndex().row()
        rows = [r for r in self.model.rows if r.result is None or r.result.id != aid_id]
        self.model.set_rows(rows)
        self._move_to_nearest(row)

    def _move_to_nearest(self, row: int) -> None:
        rows = self.model.rows
        for candidate in [*range(min(row, len(rows) - 1), len(rows)), *range(row - 1, -1, -1)]:
            if 0 <= candidate < len(rows) and rows[candidate].selectable:
                self._set_current(candidate)
                return

    def set_unreachable(self, messages: list[str]) -> None:
        """Say which collections are not reachable, above the results, until they are back."""
        self.unreachable_label.setText("\n".join(m[:1].upper() + m[1:] for m in messages))
        self.unreachable_label.setVisible(bool(messages))

    def show_error(self, message: str) -> None:
        self.notice.setText(html.escape(message))
        self.notice.show()

    def show_progress(self, text: str) -> None:
        self.status.setText(text or self._hints())

    def _hints(self) -> str:
        """The keys, and the selected text Alt+S would search for, if any."""
        selection = " ".join((self.context.selection or "").split())
        if not selection:
            return HINTS
        shown = selection if len(selection) <= 40 else selection[:39] + "…"
        return f"Alt+S: search “{shown}” · {HINTS}"

    def show_preview(self, generation: int, page: str, source: AidSource | None) -> None:
        if generation == self._preview_generation:
            self.preview.show_page(page, source)
            self.feedback.reset()

    def _vote_current(self, vote: str, comment: str) -> None:
        result = self.current_result()
        if result is not None:
            self.voted.emit(result, vote, comment)

    # -- the current row ----------------------------------------------------------------------
    def current_row(self) -> Row | None:
        index = self.results.currentIndex()
        return index.data(ROW_ROLE) if index.isValid() else None

    def current_result(self) -> SearchResult | None:
        row = self.current_row()
        return row.result if row is not None else None

    def _set_current(self, row: int) -> None:
        index = self.model.index(row, 0)
        if index.isValid() and self.model.rows[row].selectable:
            self.results.setCurrentIndex(index)

    def _move(self, step: int) -> None:
        rows = self.model.rows
        if not rows:
            return
        row = self.results.currentIndex().row()
        candidate = row + step
        while 0 <= candidate < len(rows):
            if rows[candidate].selectable:
                self._set_current(candidate)
                if candidate >= len(rows) - 3:
                    self._more_wanted()
                return
            candidate += 1 if step > 0 else -1
        if step > 0:
            self._more_wanted()

    def _current_changed(self) -> None:
        result = self.current_result()
        self._preview_generation += 1
        if result is None:
            row = self.current_row()
            self.preview.setHtml(
                "<p>Nothing matched. Enter (or Ctrl+N) starts a new aid with this title.</p>"
                if row is not None and row.kind == "create" else "")
            return
        self._preview_path = result.path
        if self._preview_waits:
            self._preview_timer.start()
        else:
            self._request_preview()

    def _request_preview(self) -> None:
        self._preview_timer.stop()
        self.preview_requested.emit(self._preview_generation, self._preview_path)

    def _context_menu(self, position: QPoint) -> None:
        """Every key's action, by mouse too."""
        index = self.results.indexAt(position)
        if index.isValid():
            self._set_current(index.row())
        result = self.current_result()
        menu = QMenu(self)
        if result is not None:
            for text, signal in (("Open\tEnter", self.open_requested),
                                 ("Pin beside my work\tCtrl+Enter", self.pin_requested),
                                 ("Copy its code or steps\tCtrl+C", self.copy_requested),
                                 ("Edit\tCtrl+E", self.edit_requested)):
                menu.addAction(text).triggered.connect(
                    lambda _=False, s=signal, r=result: s.emit(r))
        if result is not None and self.context.app:
            menu.addAction(f"Show for {self.context.app}\tCtrl+M").triggered.connect(
                lambda _=False, r=result: self.mark_requested.emit(r))
        if result is not None:
            menu.addAction("Reveal the file").triggered.connect(
                lambda _=False, r=result: self.reveal_requested.emit(r))
            menu.addAction("Delete (to the trash)\tCtrl+Del").triggered.connect(
                lambda _=False, r=result: self.delete_requested.emit(r))
        menu.addAction("New aid…\tCtrl+N").triggered.connect(
            lambda: self.create_requested.emit(self.search_box.text().strip()))
        menu.exec(self.results.viewport().mapToGlobal(position))

    def activate_current(self) -> None:
        row = self.current_row()
        if row is None:
            return
        if row.kind == "create":
            self.create_requested.emit(self.search_box.text().strip())
        elif row.result is not None:
            self.open_requested.emit(row.result)

    # -- keys -----------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search_box and event.type() == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            return self._key(event)
        return super().eventFilter(watched, event)

    def _key(self, event: QKeyEvent) -> bool:
        key, mods = event.key(), event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        alt = bool(mods & Qt.KeyboardModifier.AltModifier)
        if key in (Qt.Key.Key_Down, Qt.Key.Key_Up):
            self._move(1 if key == Qt.Key.Key_Down else -1)
        elif key in (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp):
            self._move(5 if key == Qt.Key.Key_PageDown else -5)
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            result = self.current_result()
            if ctrl and result is not None:
                self.pin_requested.emit(result)
            elif not ctrl:
                self.activate_current()
        elif ctrl and key == Qt.Key.Key_C and not self._part_of_query_selected():
            result = self.current_result()
            if result is not None:
                self.copy_requested.emit(result)
        elif ctrl and key == Qt.Key.Key_E:
            result = self.current_result()
            if result is not None:
                self.edit_requested.emit(result)
        elif ctrl and key == Qt.Key.Key_N:
            self.create_requested.emit(self.search_box.text().strip())
        elif ctrl and key == Qt.Key.Key_Delete:
            result = self.current_result()
            if result is not None:
                self.delete_requested.emit(result)
        elif ctrl and key == Qt.Key.Key_Z and not self.search_box.isUndoAvailable():
            self.undo_requested.emit()
        elif ctrl and key == Qt.Key.Key_M:
            result = self.current_result()
            if result is not None and self.context.app:
                self.mark_requested.emit(result)
        elif ctrl and key == Qt.Key.Key_L:
            self.library_requested.emit()
        elif ctrl and key == Qt.Key.Key_I:
            self.insights_requested.emit()
        elif alt and key == Qt.Key.Key_S:
            self.use_selection()
        else:
            return False
        return True

    def _part_of_query_selected(self) -> bool:
        """The user selected some words to copy (the select-all on showing does not count)."""
        box = self.search_box
        return box.hasSelectedText() and box.selectedText() != box.text()

    def replay(self, keys: list[HeldKey]) -> None:
        """Keys typed while the popup was appearing, as if typed into it."""
        for held in keys:
            if held.text and held.text.isprintable():
                self.search_box.insert(held.text)
            else:
                event = QKeyEvent(QEvent.Type.KeyPress, held.key,
                                  Qt.KeyboardModifier(held.modifiers), held.text)
                QApplication.sendEvent(self.search_box, event)
        if keys:
            trace.trace("keys-replayed", count=len(keys))

    def use_selection(self) -> None:
        selection = (self.context.selection or "").strip()
        if selection:
            self.search_box.setText(" ".join(selection.split())[:200])
        else:
            self.status.setText("No text is selected in the window you came from.")

    def set_selection(self, text: str | None) -> None:
        from dataclasses import replace

        self.context = replace(self.context, selection=text or None)
        if (text and text.strip()) or self.status.text().startswith("Alt+S: search"):
            self.status.setText(self._hints())  # an offer of an older selection goes


def clipboard_text_for_selection(allowed: bool) -> str | None:
    """The user's selected text: X11's PRIMARY selection; the clipboard only when allowed."""
    clipboard = QApplication.clipboard()
    # Only what the user selected elsewhere: text selected in Handrail's own search box or
    # editor (which owns the selection then) is not offered back to search.
    if clipboard.supportsSelection():
        if clipboard.ownsSelection():
            return None
        return clipboard.text(clipboard.Mode.Selection) or None
    if not allowed or clipboard.ownsClipboard():
        return None
    return clipboard.text() or None
