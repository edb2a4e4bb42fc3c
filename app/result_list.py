"""The popup's result list: a model of rows and a delegate that paints title, kind and snippet."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette, QPen
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from search import SearchResult

from . import trace

KIND_ICONS = {"procedure": "❶", "checklist": "☑", "reference": "¶", "decision": "⊞",
              "troubleshooting": "⚠", "link": "↗", "contact": "☎"}
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
MARK_COLOR = "#ffd54f"


@dataclass(frozen=True)
class Row:
    """A heading ("For Firefox"), an aid, or the offer to create one."""

    kind: str                          # "heading", "aid" or "create"
    text: str = ""
    result: SearchResult | None = None

    @property
    def selectable(self) -> bool:
        return self.kind != "heading"


class ResultModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []

    def set_rows(self, rows: list[Row]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex | None = None) -> int:
        return 0 if parent is not None and parent.isValid() else len(self.rows)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == ROW_ROLE:
            return row
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return row.result.title if row.result else row.text
        if role == Qt.ItemDataRole.ToolTipRole and row.result:
            return row.result.summary or row.result.path
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self.rows[index.row()].selectable:
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return Qt.ItemFlag.ItemIsEnabled


_TASK_BOX = re.compile(r"\[( |x|X)\] ")
_MARKUP = re.compile(r"`|\*\*|__|^\s*\|\s*|\s*\|\s*$")


_MARKED = re.compile(r"<mark>(.*?)</mark>", re.S)


def snippet_segments(snippet: str) -> list[tuple[str, bool]]:
    """An escaped snippet with <mark>s as (plain text, matched) pieces, Markdown marks removed."""
    text = _TASK_BOX.sub(lambda m: "☐ " if m.group(1) == " " else "☑ ", snippet)
    text = _MARKUP.sub("", text).replace(" | ", " · ")
    pieces: list[tuple[str, bool]] = []
    last = 0
    for match in _MARKED.finditer(text):
        if match.start() > last:
            pieces.append((html.unescape(text[last:match.start()]), False))
        pieces.append((html.unescape(match.group(1)), True))
        last = match.end()
    if last < len(text):
        pieces.append((html.unescape(text[last:]), False))
    return pieces


class ResultDelegate(QStyledItemDelegate):
    """Paints each row directly with QPainter: two lines of text per aid, a small heading line.

    (Laying rows out as rich text cost 12-18 ms per keystroke; this costs a fraction.)
    """

    PADDING = 6
    BADGE = "review due"

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont, QFont]:
        base = QFont(option.font)
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(base)
        small.setPointSizeF(max(6.0, base.pointSizeF() * 0.85))
        return base, bold, small

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        row: Row = index.data(ROW_ROLE)
        base, bold, small = self._fonts(option)
        small_height = QFontMetrics(small).height()
        if row.kind == "heading":
            height = small_height + self.PADDING
        else:
            height = QFontMetrics(bold).height() + small_height + 2 * self.PADDING
        return QSize(option.rect.width(), height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        row: Row = index.data(ROW_ROLE)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        rect: QRect = option.rect
        palette = option.palette
        text = palette.color(QPalette.ColorRole.HighlightedText if selected
                             else QPalette.ColorRole.Text)
        dim = text if selected else palette.color(QPalette.ColorRole.PlaceholderText)
        base, bold, small = self._fonts(option)
        painter.save()
        if selected:
            painter.fillRect(rect, palette.highlight())
        x, right = rect.left() + self.PADDING, rect.right() - self.PADDING
        if row.kind == "heading":
            heading = QFont(small)
            heading.setBold(True)
            painter.setFont(heading)
            painter.setPen(dim)
            painter.drawText(QRect(x, rect.top() + self.PADDING // 2, right - x,
                                   QFontMetrics(small).height()),
                             Qt.AlignmentFlag.AlignVCenter, row.text.upper())
            painter.restore()
            return
        line1 = QRect(x, rect.top() + self.PADDING, right - x, QFontMetrics(bold).height())
        line2 = QRect(x, line1.bottom() + 1, right - x, QFontMetrics(small).height())
        if row.kind == "create":
            size = line1.height() * 3 // 5  # a drawn plus: no font lacks it (one lacked "＋")
            mark = QRect(line1.left(), line1.center().y() - size // 2, size, size)
            painter.setPen(QPen(text, max(2, size // 6)))
            painter.drawLine(mark.center().x(), mark.top(), mark.center().x(), mark.bottom())
            painter.drawLine(mark.left(), mark.center().y(), mark.right(), mark.center().y())
            self._draw(painter, line1.adjusted(size + size // 2 + 2, 0, 0, 0),
                       [(row.text, base, text)])
            self._draw(painter, line2, [("Ctrl+N or Enter: a new aid, pre-filled with your "
                                         "search and the application you are in", small, dim)])
            painter.restore()
            return
        result = row.result
        assert result is not None
        end = self._draw(painter, line1, [
            (KIND_ICONS.get(result.kind, "¶") + " ", base, dim), (result.title, bold, text),
            (f"  · {result.kind} · {result.collection}"
             + (" · you have your own copy" if result.own_copy else ""), small, dim)], reserve=90
            if result.stale else 0)
        if result.stale:
            metrics = QFontMetrics(small)
            badge = QRect(end + 8, line1.top() + 2, metrics.horizontalAdvance(self.BADGE) + 8,
                          line1.height() - 4)
            painter.fillRect(badge, QColor("#c62828"))
            painter.setFont(small)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, self.BADGE)
        pieces = (snippet_segments(result.snippet) if result.snippet
                  else [(result.summary, False)])
        self._draw(painter, line2, [(piece, small, dim, marked) for piece, marked in pieces])
        painter.restore()

    @staticmethod
    def _draw(painter: QPainter, line: QRect, runs: list[Any], reserve: int = 0) -> int:
        """Runs of (text, font, colour[, marked]) side by side, the last visible one elided."""
        x, limit = line.left(), line.right() - reserve
        for run in runs:
            piece, font, color = run[0], run[1], run[2]
            marked = len(run) > 3 and run[3]
            metrics = QFontMetrics(font)
            room = limit - x
            if room <= 0:
                break
            shown, width = piece, metrics.horizontalAdvance(piece)
            if width > room:  # elide only what does not fit: shaping text is the cost here
                shown = metrics.elidedText(piece, Qt.TextElideMode.ElideRight, room)
                width = metrics.horizontalAdvance(shown)
            if marked:
                painter.fillRect(QRect(x, line.top(), width, line.height()), QColor(MARK_COLOR))
                color = QColor("#000000")
            painter.setFont(font)
            painter.setPen(color)
            baseline = line.top() + (line.height() - metrics.height()) // 2 + metrics.ascent()
            painter.drawText(x, baseline, shown)
            x += width
            if shown != piece:
                break
        return x


class ResultView(QListView):
    """The list; it notes when the rows of a generation were painted (for the benchmarks)."""

    painted = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.delegate = ResultDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setUniformItemSizes(False)  # headings are shorter than aids
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the search box keeps the keyboard
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.generation_to_paint: int | None = None

    def paintEvent(self, event: Any) -> None:
        super().paintEvent(event)
        if self.generation_to_paint is not None:
            generation, self.generation_to_paint = self.generation_to_paint, None
            trace.trace("results-painted", generation=generation)
            self.painted.emit(generation)
