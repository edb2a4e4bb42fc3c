"""The Markdown source box of the editor: line numbers, highlighting, pasted and dropped images,
and ``[[`` completing the titles of other aids."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QBuffer,
    QByteArray,
    QIODevice,
    QMimeData,
    QRect,
    QSize,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QPainter,
    QPaintEvent,
    QResizeEvent,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import QCompleter, QPlainTextEdit, QWidget

from job_aids.attachments import IMAGE_SUFFIXES, MAX_ATTACHMENT_BYTES

# An image offered to the editor: its bytes, the name it came with, its file suffix.
ImageHandler = Callable[[bytes, str, str], None]


class _LineNumbers(QWidget):
    def __init__(self, edit: SourceEdit) -> None:
        super().__init__(edit)
        self._edit = edit

    def sizeHint(self) -> QSize:
        return QSize(self._edit.line_number_width(), 0)

    def paintEvent(self, event: QPaintEvent) -> None:
        self._edit.paint_line_numbers(event)


class SourceEdit(QPlainTextEdit):
    """A plain-text editor for an aid's Markdown. An image pasted or dropped goes to
    ``on_image`` (which saves it and inserts the link); ``[[`` offers the titles set with
    :meth:`set_titles` (and asks for them with ``titles_wanted`` while it has none)."""

    titles_wanted = Signal()

    def __init__(self, on_image: ImageHandler | None = None) -> None:
        super().__init__()
        self.on_image = on_image
        self.numbers = _LineNumbers(self)
        self.blockCountChanged.connect(self._fit_numbers)
        self.updateRequest.connect(self._scroll_numbers)
        self._fit_numbers()
        dark = self.palette().color(self.palette().ColorRole.Base).lightness() < 128
        self.highlighter = MarkdownHighlighter(self.document(), dark=dark)
        self.titles = QStringListModel(self)
        self.completer = QCompleter(self.titles, self)
        self.completer.setWidget(self)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self.completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.completer.activated.connect(self._complete_link)
        self.setAcceptDrops(True)

    # -- line numbers ---------------------------------------------------------------------
    def line_number_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 10 + self.fontMetrics().horizontalAdvance("9") * max(2, digits)

    def _fit_numbers(self, _count: int = 0) -> None:
        self.setViewportMargins(self.line_number_width(), 0, 0, 0)

    def _scroll_numbers(self, rect: QRect, dy: int) -> None:
        if dy:
            self.numbers.scroll(0, dy)
        else:
            self.numbers.update(0, rect.y(), self.numbers.width(), rect.height())

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        area = self.contentsRect()
        self.numbers.setGeometry(QRect(area.left(), area.top(), self.line_number_width(),
                                       area.height()))

    def paint_line_numbers(self, event: QPaintEvent) -> None:
        painter = QPainter(self.numbers)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.color(palette.ColorRole.AlternateBase))
        painter.setPen(palette.color(palette.ColorRole.PlaceholderText))
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        width = self.numbers.width() - 5
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible():
                painter.drawText(0, top, width, height, Qt.AlignmentFlag.AlignRight,
                                 str(block.blockNumber() + 1))
            top += round(self.blockBoundingRect(block).height())
            block = block.next()
        painter.end()

    def go_to_line(self, line: int) -> None:
        block = self.document().findBlockByNumber(max(0, line - 1))
        if block.isValid():
            self.setTextCursor(QTextCursor(block))
            self.centerCursor()

    # -- [[ completion -------------------------------------------------------------------------
    def set_titles(self, titles: list[str]) -> None:
        self.titles.setStringList(titles)

    def link_prefix(self) -> str | None:
        """What is typed after an open ``[[`` on this line, if the cursor is in one."""
        cursor = self.textCursor()
        before = cursor.block().text()[:cursor.positionInBlock()]
        start = before.rfind("[[")
        if start < 0 or "]]" in before[start:]:
            return None
        return before[start + 2:]

    def start_link(self) -> None:
        """Insert ``[[`` and offer the titles of other aids."""
        self.insertPlainText("[[")
        self.offer_titles("")

    def offer_titles(self, prefix: str) -> None:
        if not self.titles.stringList():
            self.titles_wanted.emit()  # none yet (the index was still being built)
            return
        self.completer.setCompletionPrefix(prefix)
        rect = self.cursorRect()
        popup = self.completer.popup()
        rect.setWidth(max(320, (popup.sizeHintForColumn(0) if popup else 0) + 24))
        self.completer.complete(rect)

    def _complete_link(self, title: str) -> None:
        prefix = self.link_prefix()
        cursor = self.textCursor()
        if prefix is not None:
            cursor.movePosition(QTextCursor.MoveOperation.Left,
                                QTextCursor.MoveMode.KeepAnchor, len(prefix))
        after = cursor.block().text()[cursor.positionInBlock():]
        cursor.insertText(title if after.startswith("]]") else title + "]]")
        self.setTextCursor(cursor)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        popup = self.completer.popup()
        assert popup is not None
        if popup.isVisible() and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter,
                                                 Qt.Key.Key_Tab, Qt.Key.Key_Escape,
                                                 Qt.Key.Key_Backtab):
            event.ignore()  # the completer's popup takes them
            return
        super().keyPressEvent(event)
        prefix = self.link_prefix()
        if prefix is not None and event.text():
            self.offer_titles(prefix)
        elif popup.isVisible() and prefix is None:
            popup.hide()

    # -- images ---------------------------------------------------------------------------
    def canInsertFromMimeData(self, source: QMimeData) -> bool:
        return source.hasImage() or bool(_image_files(source)) or super().canInsertFromMimeData(
            source)

    def insertFromMimeData(self, source: QMimeData) -> None:
        files = _image_files(source)
        if self.on_image is not None and files:
            for path in files:
                try:
                    data = path.read_bytes() if path.stat().st_size <= MAX_ATTACHMENT_BYTES \
                        else b""
                except OSError:
                    data = b""
                self.on_image(data, path.name, path.suffix.lower())
            return
        if self.on_image is not None and source.hasImage():
            image = source.imageData()
            if isinstance(image, QImage) and not image.isNull():
                self.on_image(png_bytes(image), "pasted", ".png")
                return
        super().insertFromMimeData(source)


def png_bytes(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs want bytes; Qt wants str
    buffer.close()
    return bytes(data.data())


def _image_files(source: QMimeData) -> list[Path]:
    if not source.hasUrls():
        return []
    found = []
    for url in source.urls():
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if path.suffix.lower().lstrip(".") in IMAGE_SUFFIXES:
                found.append(path)
    return found


class MarkdownHighlighter(QSyntaxHighlighter):
    """Front matter keys, headings, list markers and task boxes, warnings, code, links."""

    _RULES: list[tuple[re.Pattern[str], str]] = [
        (re.compile(r"^#{1,6}\s.*$"), "heading"),
        (re.compile(r"^\s*(?:\d+[.)]|[-*+])\s(?:\[[ xX]\]\s)?"), "marker"),
        (re.compile(r"^\s{0,3}[!?]{3}\+?\s*\w+.*$"), "warning"),
        (re.compile(r"`[^`\n]+`"), "code"),
        (re.compile(r"\[\[[^\[\]\n]+\]\]|!?\[[^\]\n]*\]\([^)\n]*\)"), "link"),
        (re.compile(r"^\|.*\|\s*$"), "table"),
    ]

    LIGHT = {"heading": "#1a73e8", "marker": "#188038", "warning": "#b06000", "code": "#a142f4",
             "link": "#1967d2", "table": "#5f6368", "key": "#c5221f", "fence": "#a142f4"}
    DARK = {"heading": "#8ab4f8", "marker": "#81c995", "warning": "#fdd663", "code": "#d7aefb",
            "link": "#8ab4f8", "table": "#9aa0a6", "key": "#f28b82", "fence": "#d7aefb"}

    def __init__(self, document: QTextDocument, *, dark: bool = False) -> None:
        super().__init__(document)
        self.formats: dict[str, QTextCharFormat] = {}
        colours = self.DARK if dark else self.LIGHT
        for name, colour in colours.items():
            shown = QTextCharFormat()
            shown.setForeground(QColor(colour))
            if name in ("heading", "key", "warning"):
                shown.setFontWeight(QFont.Weight.Bold)
            self.formats[name] = shown

    # Block states: 0 body, 1 inside front matter, 2 inside a code fence.
    def highlightBlock(self, text: str) -> None:
        previous = self.previousBlockState()
        block = self.currentBlock()
        if block.blockNumber() == 0 and text.rstrip() == "---":
            self.setFormat(0, len(text), self.formats["key"])
            self.setCurrentBlockState(1)
            return
        if previous == 1:
            if text.rstrip() in ("---", "..."):
                self.setFormat(0, len(text), self.formats["key"])
                self.setCurrentBlockState(0)
                return
            match = re.match(r"^\s*-?\s*([\w-]+)\s*:", text)
            if match:
                self.setFormat(match.start(1), len(match.group(1)), self.formats["key"])
            self.setCurrentBlockState(1)
            return
        fence = re.match(r"^\s*(```|~~~)", text)
        if previous == 2:
            self.setFormat(0, len(text), self.formats["fence"])
            self.setCurrentBlockState(0 if fence else 2)
            return
        if fence:
            self.setFormat(0, len(text), self.formats["fence"])
            self.setCurrentBlockState(2)
            return
        self.setCurrentBlockState(0)
        for pattern, name in self._RULES:
            for match in pattern.finditer(text):
                self.setFormat(match.start(), match.end() - match.start(), self.formats[name])
