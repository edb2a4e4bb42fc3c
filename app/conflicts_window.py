"""The Conflicts window: each conflict copy a sync made beside an aid two people changed in the
same place, the two versions side by side with their differences marked, and four ways to
settle it: keep the live version, keep the copy's, keep both (the copy becomes an aid of its
own), or save a merged text the user edits here. The live version is whichever was synced
last (it may be a colleague's): the copy is the other one, not necessarily "theirs".

Settling runs on a pool thread (a sync round may hold the library for a moment), and what it
did is said in the window; the change syncs next round."""

from __future__ import annotations

import difflib
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QColor,
    QKeySequence,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from job_aids import LibraryStore
from sync.remotes import Remotes, conflict_id, original_of

from .background import run_in_background

CHANGED = QColor(255, 179, 0, 70)  # see-through: readable on the light and the dark theme


def _read(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    except FileNotFoundError:
        return None


def _pane(title: str, editable: bool) -> tuple[QWidget, QPlainTextEdit, QLabel]:
    box = QWidget()
    label = QLabel(title)
    label.setTextFormat(Qt.TextFormat.PlainText)
    text = QPlainTextEdit()
    text.setReadOnly(not editable)
    text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
    text.setAccessibleName(title)
    label.setBuddy(text)
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(label)
    layout.addWidget(text)
    return box, text, label


def _mark(pane: QPlainTextEdit, lines: list[int]) -> None:
    """Shade whole lines (by number) of ``pane``: the lines the other version lacks."""
    shade = QTextCharFormat()
    shade.setBackground(CHANGED)
    shade.setProperty(QTextFormat.Property.FullWidthSelection, True)
    marks = []
    document = pane.document()
    for number in lines:
        block = document.findBlockByNumber(number)
        if not block.isValid():
            continue
        mark = QTextEdit.ExtraSelection()
        mark.cursor = QTextCursor(block)
        mark.format = shade
        marks.append(mark)
    pane.setExtraSelections(marks)


def differing_lines(mine: str, theirs: str) -> tuple[list[int], list[int]]:
    """The line numbers in each text that are not in the other (in order)."""
    left, right = mine.split("\n"), theirs.split("\n")
    in_mine: list[int] = []
    in_theirs: list[int] = []
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    for op, a0, a1, b0, b1 in matcher.get_opcodes():
        if op != "equal":
            in_mine += range(a0, a1)
            in_theirs += range(b0, b1)
    return in_mine, in_theirs


class ConflictsWindow(QWidget):
    # A conflict was settled (how many are left): the library changed, a sync should follow.
    resolved = Signal(int)

    def __init__(self, store: LibraryStore, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sync conflicts - Handrail")
        self.resize(1100, 680)
        self.store = store
        self._conflicts: list[tuple[str, Path]] = []
        self.busy = False

        self.list = QListWidget()
        self.list.setAccessibleName("Conflicts")
        self.list.currentRowChanged.connect(self._show)
        mine_box, self.mine, self.mine_label = _pane("&Live version", False)
        theirs_box, self.theirs, self.theirs_label = _pane("Conflict c&opy", False)
        merged_box, self.merged, _ = _pane("&Merged: edit this, then Save merged", True)
        self.keep_mine = QPushButton("Keep l&ive")
        self.keep_mine.setToolTip("The live aid stays as it is; the copy goes to the trash")
        self.keep_theirs = QPushButton("Keep the co&py")
        self.keep_theirs.setToolTip("The copy's text replaces the live aid's (whose text stays "
                                    "in its history); the copy goes to the trash")
        self.keep_both = QPushButton("Keep &both")
        self.keep_both.setToolTip("The copy becomes an aid of its own, with its own id")
        self.save_merged = QPushButton("&Save merged")
        self.save_merged.setToolTip("The merged text, exactly as it is here, replaces the live "
                                    "aid's; the copy goes to the trash")
        self.keep_mine.clicked.connect(lambda: self._settle("mine"))
        self.keep_theirs.clicked.connect(lambda: self._settle("theirs"))
        self.keep_both.clicked.connect(lambda: self._settle("both"))
        self.save_merged.clicked.connect(lambda: self._settle("merged"))
        self.message = QLabel()
        self.message.setObjectName("conflictsMessage")
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        sides = QSplitter(Qt.Orientation.Horizontal)
        sides.addWidget(mine_box)
        sides.addWidget(theirs_box)
        texts = QSplitter(Qt.Orientation.Vertical)
        texts.addWidget(sides)
        texts.addWidget(merged_box)
        buttons = QHBoxLayout()
        for button in (self.keep_mine, self.keep_theirs, self.keep_both, self.save_merged):
            buttons.addWidget(button)
        buttons.addStretch(1)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.addWidget(texts, 1)
        right_layout.addLayout(buttons)
        right_layout.addWidget(self.message)
        body = QSplitter(Qt.Orientation.Horizontal)
        body.addWidget(self.list)
        body.addWidget(right)
        body.setStretchFactor(1, 1)
        body.setSizes([260, 840])
        intro = QLabel("Sync found aids changed in the same place on two machines and kept "
                       "both versions. Keep one, keep both, or edit the merged text and save "
                       "it: the choice syncs to the team. (Ctrl+W closes.)")
        intro.setTextFormat(Qt.TextFormat.PlainText)
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(body, 1)
        for keys in (QKeySequence.StandardKey.Close, QKeySequence(Qt.Key.Key_Escape)):
            QShortcut(keys, self, self.close)
        QShortcut(QKeySequence.StandardKey.Refresh, self, self.reload)

    def reload(self) -> None:
        """Read the conflicts anew (the list is small: conflict copies are rare)."""
        current = self._current()
        self._conflicts = Remotes(self.store.paths, self.store).conflicts()
        self.list.blockSignals(True)
        self.list.clear()
        for team, copy in self._conflicts:
            live = original_of(copy, self.store.paths.teams / team)
            self.list.addItem(f"{live.name}\n{team} · copy {conflict_id(copy)}")
            self.list.item(self.list.count() - 1).setToolTip(str(copy))
        self.list.blockSignals(False)
        if not self._conflicts:
            self.list.addItem("No conflicts: nothing to settle.")
            self.list.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        rows = [i for i, (_, copy) in enumerate(self._conflicts) if copy == current]
        self.list.setCurrentRow(rows[0] if rows else (0 if self._conflicts else -1))
        self._show(self.list.currentRow())
        self.list.setFocus()

    def _current(self) -> Path | None:
        row = self.list.currentRow()
        return self._conflicts[row][1] if 0 <= row < len(self._conflicts) else None

    def _show(self, row: int) -> None:
        team, copy = self._conflicts[row] if 0 <= row < len(self._conflicts) else ("", None)
        live = original_of(copy, self.store.paths.teams / team) if copy is not None else None
        mine = _read(live) if live is not None else None
        theirs = _read(copy) if copy is not None else None
        self.mine.setPlainText(mine if mine is not None else "")
        self.theirs.setPlainText(theirs or "")
        self.merged.setPlainText(mine if mine is not None else (theirs or ""))
        self.mine_label.setText(f"&Live version: {live.name}" if mine is not None and live
                                else "&Live version: gone (deleted)" if copy else
                                "&Live version")
        self.theirs_label.setText(f"Conflict c&opy: {copy.name}" if copy else "Conflict c&opy")
        left, right = differing_lines(mine or "", theirs or "")
        _mark(self.mine, left)
        _mark(self.theirs, right)
        for button in (self.keep_mine, self.keep_theirs, self.keep_both, self.save_merged):
            button.setEnabled(copy is not None and not self.busy)
        self.keep_mine.setEnabled(copy is not None and mine is not None and not self.busy)

    def _settle(self, keep: str) -> None:
        copy = self._current()
        if copy is None or self.busy:
            return
        merged = self.merged.toPlainText() if keep == "merged" else None
        self.busy = True
        self._show(self.list.currentRow())
        self.message.setText("Settling…")
        self.message.setStyleSheet("")
        remotes = Remotes(self.store.paths, self.store)
        run_in_background(lambda: remotes.resolve(str(copy), keep, merged),
                          self._settled, self._failed)

    def _settled(self, said: str) -> None:
        self.busy = False
        self.message.setText(said[0].upper() + said[1:] + ". It syncs to the team next round.")
        self.reload()
        self.resolved.emit(len(self._conflicts))

    def _failed(self, error: Exception) -> None:
        self.busy = False
        self.message.setText(f"Not settled: {error}")
        self.message.setStyleSheet("color: #c62828")
        self.reload()
