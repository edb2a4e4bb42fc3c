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
from PySide6.QtGui import QAbstractTextDocumentLayout, QPainter, QPalette, QTextDocument
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from search import SearchResult

from . import trace

KIND_ICONS = {"procedure": "❶", "checklist": "☑", "reference": "¶", "decision": "⊞",
              "troubleshooting": "⚠", "link": "↗", "contact": "☎"}
ROW_ROLE = Qt.ItemDataRole.UserRole + 1
MARK_STYLE = "background-color:#ffd54f;color:#000000"


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
    rows_replaced = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Row] = []

    def set_rows(self, rows: list[Row]) -> None:
        self.rows_replaced.emit()
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


def snippet_html(snippet: str) -> str:
    """Snippets come escaped, with <mark> around matched words, as lines of Markdown: show them
    as text (no backticks, pipes or [ ] boxes) and the marks as Qt's rich text can paint them."""
    text = _TASK_BOX.sub(lambda m: "☐ " if m.group(1) == " " else "☑ ", snippet)
    text = _MARKUP.sub("", text).replace(" | ", " · ")
    return text.replace("<mark>", f'<span style="{MARK_STYLE}">').replace("</mark>", "</span>")


def row_html(row: Row, palette: QPalette, selected: bool) -> str:
    text_color = palette.color(QPalette.ColorRole.HighlightedText if selected
                               else QPalette.ColorRole.Text).name()
    dim = palette.color(QPalette.ColorRole.PlaceholderText).name() if not selected else text_color
    if row.kind == "heading":
        return (f'<div style="color:{dim};font-size:small;font-weight:600">'
                f"{html.escape(row.text.upper())}</div>")
    if row.kind == "create":
        return (f'<div style="color:{text_color}">＋ {html.escape(row.text)}</div>'
                f'<div style="color:{dim};font-size:small">Ctrl+N or Enter: a new aid, '
                "pre-filled with your search and the application you are in</div>")
    result = row.result
    assert result is not None
    icon = KIND_ICONS.get(result.kind, "¶")
    stale = (' &nbsp;<span style="background-color:#c62828;color:#ffffff">&nbsp;review due'
             "&nbsp;</span>" if result.stale else "")
    snippet = snippet_html(result.snippet) if result.snippet else html.escape(result.summary)
    return (f'<div style="color:{text_color}"><span style="color:{dim}">{icon}</span> '
            f"<b>{html.escape(result.title)}</b>"
            f' <span style="color:{dim};font-size:small">· {html.escape(result.kind)} · '
            f"{html.escape(result.collection)}</span>{stale}</div>"
            + (f'<div style="color:{dim};font-size:small">{snippet}</div>' if snippet else ""))


class ResultDelegate(QStyledItemDelegate):
    """Rows are rich text; their laid-out documents are cached, since Qt asks for each row's
    size many times per layout and typing re-lays the list out on every keystroke."""

    PADDING = 6
    CACHE_LIMIT = 200

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._cache: dict[tuple[int, bool, int], QTextDocument] = {}

    def _width(self, option: QStyleOptionViewItem) -> int:
        view = self.parent()
        full = view.viewport().width() if isinstance(view, QListView) else option.rect.width()
        return max(50, full - 2 * self.PADDING)

    def _document(self, option: QStyleOptionViewItem, row: Row, selected: bool) -> QTextDocument:
        width = self._width(option)
        key = (id(row), selected, width)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if len(self._cache) > self.CACHE_LIMIT:
            self._cache.clear()
        document = QTextDocument()
        document.setDocumentMargin(0)
        document.setDefaultFont(option.font)
        document.setHtml(row_html(row, option.palette, selected))
        document.setTextWidth(width)
        self._cache[key] = document
        return document

    def forget(self) -> None:
        self._cache.clear()

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        row: Row = index.data(ROW_ROLE)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        rect: QRect = option.rect
        painter.save()
        if selected:
            painter.fillRect(rect, option.palette.highlight())
        document = self._document(option, row, selected)
        painter.translate(rect.left() + self.PADDING, rect.top() + self.PADDING)
        context = QAbstractTextDocumentLayout.PaintContext()
        document.documentLayout().draw(painter, context)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem,
                 index: QModelIndex | QPersistentModelIndex) -> QSize:
        row: Row = index.data(ROW_ROLE)
        document = self._document(option, row, False)
        return QSize(self._width(option), int(document.size().height()) + 2 * self.PADDING)


class ResultView(QListView):
    """The list; it notes when the rows of a generation were painted (for the benchmarks)."""

    painted = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.delegate = ResultDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setUniformItemSizes(False)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the search box keeps the keyboard
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.generation_to_paint: int | None = None

    def setModel(self, model: Any) -> None:
        super().setModel(model)
        if isinstance(model, ResultModel):
            model.rows_replaced.connect(self.delegate.forget)

    def paintEvent(self, event: Any) -> None:
        super().paintEvent(event)
        if self.generation_to_paint is not None:
            generation, self.generation_to_paint = self.generation_to_paint, None
            trace.trace("results-painted", generation=generation)
            self.painted.emit(generation)
