"""A pinned aid: a small always-on-top checklist beside the work that does not steal focus.

Ticks are saved as they happen (PinnedState), so progress survives a restart. Keys, once the
window is clicked: Space ticks the current step and moves on, Down/N and Up move, Ctrl+R starts
over, Esc gives the keyboard back.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QCursor, QFontDatabase, QGuiApplication, QKeyEvent, QMouseEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from job_aids import JobAid
from job_aids.checklist import Callout, Checklist, CodeBlock, PinnedState, Step

_WRAPPER = re.compile(r"^<(?:p|ol|ul|li|h\d)[^>]*>|</(?:p|ol|ul|li|h\d)>$")
_LINK = re.compile(r"</?a\b[^>]*>")
_IMAGE = re.compile(r"<img\b[^>]*>")
_ALT = re.compile(r'\balt="([^"]*)"')


def step_label(text: str) -> str:
    """A step's inline Markdown as a checkbox label shows it, by the renderer that draws the
    aid window (sanitized): bold, code and emphasis kept; a link shows its words (a click on
    the label ticks the step) and an image its description, never the file."""
    from job_aids import render_markdown

    shown = render_markdown(text.replace("\n", " ")).strip()
    while True:
        unwrapped = _WRAPPER.sub("", shown).strip()
        if unwrapped == shown:
            break
        shown = unwrapped
    shown = _IMAGE.sub(lambda m: alt.group(1) if (alt := _ALT.search(m.group())) else "", shown)
    return _LINK.sub("", shown)


class _StepRow(QFrame):
    """A step: its box, its text and its copy button. A click anywhere on it but the copy
    button ticks it (the box alone was a 13-pixel target)."""

    clicked = Signal()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
                event.position().toPoint()):
            self.clicked.emit()
        super().mouseReleaseEvent(event)


class PinnedWindow(QWidget):
    unpinned = Signal(str)  # aid id
    give_back = Signal()    # Esc: the keyboard goes back to the work window
    finished = Signal(str)  # aid id: every step ticked
    abandoned = Signal(str)  # aid id: unpinned with some steps ticked, not all
    voted = Signal(str, str, str)  # aid id, vote, comment

    def __init__(self, aid: JobAid, state: PinnedState,
                 copy: Callable[[str, str], None]) -> None:
        super().__init__(None, Qt.WindowType.Tool | Qt.WindowType.WindowStaysOnTopHint)
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setObjectName("pinned")
        self.boxes: list[tuple[QCheckBox, Step]] = []
        self.rows: list[_StepRow] = []
        self.current = 0
        self.aid = aid
        self._state = state
        self._copy = copy
        self.setWindowTitle(f"{aid.title} (pinned)")
        self.checklist = Checklist.from_aid(aid)

        title = QLabel(f"<b>{html.escape(aid.title)}</b>")
        title.setWordWrap(True)
        self.progress = QLabel()
        self.progress.setObjectName("progress")
        close = QToolButton()
        close.setText("✕")
        close.setToolTip("Unpin (ticks are kept)")
        close.clicked.connect(self.close)
        close.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space ticks steps; it must not unpin
        header = QHBoxLayout()
        header.addWidget(title, 1)
        header.addWidget(close)

        body = QWidget()
        items = QVBoxLayout(body)
        items.setContentsMargins(0, 0, 0, 0)
        from job_aids.render import aid_header_html

        about = aid_header_html(aid)  # the stale mark and who to ask, as the aid window shows
        self.about: QLabel | None = None
        if about:
            self.about = QLabel(about)
            self.about.setObjectName("aboutAid")
            self.about.setWordWrap(True)
            self.about.setTextFormat(Qt.TextFormat.RichText)
            self.about.setOpenExternalLinks(True)  # sanitized: tel:, mailto:, http(s): only
            self.about.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            items.addWidget(self.about)
        done = state.done(aid.id)
        for item in self.checklist.items:
            if isinstance(item, Step):
                items.addWidget(self._step_row(item, item.text in done))
            elif isinstance(item, CodeBlock):
                items.addWidget(self._code_row(item))
            elif isinstance(item, Callout):
                items.addWidget(self._callout(item))
        if not self.checklist.items:
            items.addWidget(QLabel(html.escape(aid.summary or "This aid has no steps to tick.")))
        items.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        reset = QPushButton("Start over")
        reset.clicked.connect(self.reset)
        reset.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        footer = QHBoxLayout()
        footer.addWidget(self.progress, 1)
        footer.addWidget(reset)
        from .feedback import FeedbackBar

        # Offered once every step is ticked: the moment to say whether it helped.
        self.feedback = FeedbackBar(lambda vote, comment: self.voted.emit(aid.id, vote, comment),
                                    question="Done. Did this checklist help?")
        self.feedback.setVisible(False)
        for button in self.feedback.buttons.values():
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space stays with the steps

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.feedback)
        layout.addLayout(footer)
        self.current = next((i for i, (box, _) in enumerate(self.boxes) if not box.isChecked()),
                            0)
        self._update_progress()
        self.resize(340, min(560, 120 + 34 * max(1, len(self.checklist.items))))

    def _step_row(self, step: Step, checked: bool) -> _StepRow:
        frame = _StepRow()
        frame.setObjectName("step")
        row = QHBoxLayout(frame)
        row.setContentsMargins(4, 2, 4, 2)
        index = len(self.boxes)
        box = QCheckBox()
        box.setChecked(checked)
        box.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        label = QLabel(step_label(step.text))
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setBuddy(box)
        # The box's own click toggles it first; both then make this step the current one.
        box.clicked.connect(lambda _on, i=index: self._clicked(i, toggle=False))
        frame.clicked.connect(lambda i=index: self._clicked(i, toggle=True))
        box.toggled.connect(lambda on, s=step: self._ticked(s, on))
        row.addWidget(box)
        row.addWidget(label, 1)
        if step.copy_text:
            row.addWidget(self._copy_button(step.copy_text))
        self.boxes.append((box, step))
        self.rows.append(frame)
        return frame

    def _clicked(self, index: int, *, toggle: bool) -> None:
        """A click ticks (or unticks) a step; Space then goes on from there."""
        box, _ = self.boxes[index]
        if toggle:
            box.toggle()
        self.current = index
        if box.isChecked():
            self.move_to(index + 1)
        else:
            self.move_to(index)

    def _callout(self, callout: Callout) -> QLabel:
        """A warning among the steps (pinned views used to drop them)."""
        mark = "⚠ " if callout.is_warning else "ℹ "
        label = QLabel(mark + callout.text)
        label.setObjectName("warning" if callout.is_warning else "note")
        label.setTextFormat(Qt.TextFormat.PlainText)
        label.setWordWrap(True)
        return label

    def _code_row(self, block: CodeBlock) -> QWidget:
        frame = QWidget()
        row = QHBoxLayout(frame)
        row.setContentsMargins(22, 0, 0, 0)
        code = QLabel(block.text)
        code.setObjectName("code")
        code.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        code.setTextFormat(Qt.TextFormat.PlainText)
        code.setWordWrap(True)
        code.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        row.addWidget(code, 1)
        row.addWidget(self._copy_button(block.text), 0, Qt.AlignmentFlag.AlignTop)
        return frame

    def _copy_button(self, text: str) -> QToolButton:
        button = QToolButton()
        button.setText("Copy")
        button.setToolTip(f"<p>Copy {html.escape(text[:60])}</p>")  # escaped: never drawn
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        button.clicked.connect(lambda: self._copied(button, text))
        return button

    def _copied(self, button: QToolButton, text: str) -> None:
        self._copy(text, self.aid.title)
        button.setText("Copied ✓")  # the confirmation, where the click was
        QTimer.singleShot(1500, button, lambda: button.setText("Copy"))  # not if it is gone

    def _ticked(self, step: Step, on: bool) -> None:
        self._state.set_done(self.aid.id, step.text, on)
        self._update_progress()
        if on and self.all_done():
            self.finished.emit(self.aid.id)
            self.feedback.setVisible(True)

    def all_done(self) -> bool:
        return bool(self.boxes) and all(box.isChecked() for box, _ in self.boxes)

    def _update_progress(self) -> None:
        total = len(self.boxes)
        ticked = sum(box.isChecked() for box, _ in self.boxes)
        text = f"{ticked} of {total} steps done" if total else ""
        if total and ticked == total:
            text = f"All {total} steps done ✓"
        self.progress.setText(text)
        # The current step is marked by a bar beside the row, not by colouring its box (a
        # coloured empty box looked ticked).
        for index, row in enumerate(self.rows):
            current = index == self.current and self.isActiveWindow()
            if row.property("current") != current:
                row.setProperty("current", current)
                row.style().unpolish(row)
                row.style().polish(row)

    def reset(self) -> None:
        self._state.reset(self.aid.id)
        for box, _ in self.boxes:
            box.blockSignals(True)
            box.setChecked(False)
            box.blockSignals(False)
        self.current = 0
        self._update_progress()

    def tick_current(self) -> None:
        if not self.boxes:
            return
        box, _ = self.boxes[self.current]
        box.toggle()
        if box.isChecked():
            self.move_to(self.current + 1)

    def move_to(self, index: int) -> None:
        if self.boxes:
            self.current = max(0, min(len(self.boxes) - 1, index))
        self._update_progress()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Space, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.tick_current()
        elif key in (Qt.Key.Key_Down, Qt.Key.Key_N, Qt.Key.Key_J):
            self.move_to(self.current + 1)
        elif key in (Qt.Key.Key_Up, Qt.Key.Key_P, Qt.Key.Key_K):
            self.move_to(self.current - 1)
        elif key == Qt.Key.Key_R and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.reset()
        elif key == Qt.Key.Key_Escape:
            self.give_back.emit()
        else:
            super().keyPressEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange:
            self._update_progress()  # the current step is marked only while it has the keys

    def closeEvent(self, event: object) -> None:
        if any(box.isChecked() for box, _ in self.boxes) and not self.all_done():
            self.abandoned.emit(self.aid.id)
        self.unpinned.emit(self.aid.id)
        super().closeEvent(event)  # type: ignore[arg-type]

    def place(self, slot: int, work: QRect | None = None) -> None:
        """Where it was left, if that is on a screen; else beside the work window (right of
        it if there is room, else left), on the work window's screen, one slot per pinned
        aid; without a work window, down the right edge of the screen under the pointer."""
        saved = self._state.places.get(self.aid.id)
        if saved is not None and QGuiApplication.screenAt(QPoint(*saved)) is not None:
            self.move(*saved)
            return
        screen = (QGuiApplication.screenAt(work.center()) if work is not None else None) \
            or QGuiApplication.screenAt(QCursor.pos()) or QGuiApplication.primaryScreen()
        area = screen.availableGeometry()
        width, gap = self.width(), 12
        y = area.top() + 48 + slot * 40
        if work is not None and work.x() + work.width() + gap + width <= area.right():
            x = work.x() + work.width() + gap
        elif work is not None and work.left() - gap - width >= area.left():
            x = work.left() - gap - width
        else:
            x = area.right() - width - 16 - (slot // 2) * (width + gap)
            y = area.top() + 48 + (slot % 2) * (area.height() // 2)
        self.move(x, min(y, area.bottom() - self.height()))

    def moveEvent(self, event: Any) -> None:
        super().moveEvent(event)
        if self.isVisible():  # the user moved it: it is found there next time
            self._state.set_place(self.aid.id, self.x(), self.y())
