"""Showing one aid: a sanitized rendered preview, and the window an aid opens in."""

from __future__ import annotations

import dataclasses
import html
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QByteArray, QEvent, QMimeData, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImage, QKeySequence, QShortcut, QTextDocument
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from job_aids import STARTER, AidSource, JobAid, LibraryStore
from job_aids.attachments import read_attachment

from .settings import DEFAULT_HOTKEY

if TYPE_CHECKING:
    from .feedback import FeedbackBar

AID_LINK_PREFIX = "handrail:aid/"  # job_aids.render writes [[wiki links]] so (imported late)

EXTERNAL_SCHEMES = ("http", "https", "mailto", "tel")

_REFUSED_IMAGE = QImage(1, 1, QImage.Format.Format_ARGB32)
_REFUSED_IMAGE.fill(0)  # transparent: an image that is not shown takes no room


# The hotkey in use: the starter library's aids name the default one, and are shown with this.
_hotkey = {"shown": DEFAULT_HOTKEY}


def show_hotkey(sequence: str | None) -> None:
    """The hotkey the starter aids should name (None: no hotkey works; they say so)."""
    _hotkey["shown"] = sequence or "the hotkey (none is set: see Settings)"


def with_hotkey(aid: JobAid) -> JobAid:
    if aid.source is None or aid.source.collection != STARTER \
            or _hotkey["shown"] == DEFAULT_HOTKEY or DEFAULT_HOTKEY not in aid.body:
        return aid
    return dataclasses.replace(aid, body=aid.body.replace(DEFAULT_HOTKEY, _hotkey["shown"]))


def aid_page(aid: JobAid, own_copy_note: str = "") -> str:
    """The aid as HTML for a QTextBrowser: its problems first, then the sanitized body."""
    from job_aids import render_aid_html  # Markdown loads on first use, not at start
    from job_aids.render import aid_header_html

    aid = with_hotkey(aid)
    problems = "".join(f"<p><i>Line {p.line}: {html.escape(p.message)}</i></p>"
                       for p in aid.problems)
    body = render_aid_html(aid, checkbox_glyphs=True)
    header = aid_header_html(aid) + (own_copy_note if own_copy_note else "")
    if not body.lstrip().startswith("<h1"):
        return problems + f"<h2>{html.escape(aid.title)}</h2>" + header + body
    heading_end = body.find("</h1>") + len("</h1>")  # who to ask goes under the title
    return problems + body[:heading_end] + header + body[heading_end:]


OWN_COPY_NOTE = ('<p class="own-copy"><i>You have your own copy of this aid: it is shown '
                 "first in your searches.</i></p>")


_WARNING_KINDS = frozenset({"warning", "caution", "danger", "attention", "important"})
_CALLOUT = re.compile(r'<div class="admonition ([\w -]*)">')
_DIV = re.compile(r"<div\b[^>]*>|</div>")


def _colours(dark: bool) -> tuple[str, str, str, str, str, str, str]:
    """warning ground, note ground, code ground, grid, stale text, warning bar, note bar"""
    return (("#4a3b12", "#1f3347", "#35363a", "#5f6368", "#f28b82", "#e0a800", "#8ab4f8")
            if dark else
            ("#fff4d6", "#e8f0fe", "#f1f3f4", "#9aa0a6", "#b3261e", "#e0a800", "#1a73e8"))


def warning_ground(dark: bool) -> str:
    """The tint a warning is shown on, wherever an aid is shown (the pinned view too)."""
    return _colours(dark)[0]


def boxed_callouts(page: str, dark: bool) -> str:
    """Warnings and notes as one tinted box with a bar down its left side. Qt's rich text
    tints each paragraph of a <div> on its own (a gap between the title and the words, a list
    apart), but draws a table cell as one box: each callout becomes a one-cell table."""
    warn, note, *_, warn_bar, note_bar = _colours(dark)
    out: list[str] = []
    position = 0
    while (start := _CALLOUT.search(page, position)) is not None:
        depth, end = 1, start.end()
        for tag in _DIV.finditer(page, start.end()):
            depth += -1 if tag.group() == "</div>" else 1
            if depth == 0:
                end = tag.start()
                break
        else:
            break  # unbalanced (the sanitizer closes every div): left as it is
        warning = bool(_WARNING_KINDS.intersection(start.group(1).split()))
        ground, bar = (warn, warn_bar) if warning else (note, note_bar)
        inner = boxed_callouts(page[start.end():end], dark)
        out.append(page[position:start.start()])
        out.append(f'<table class="callout" width="100%" cellspacing="0" cellpadding="6">'
                   f'<tr><td bgcolor="{ground}" style="border-left: 3px solid {bar}">'
                   f"{inner}</td></tr></table>")
        position = end + len("</div>")
    return "".join(out) + page[position:]


def page_style(dark: bool) -> str:
    """How an aid looks in Qt's rich text, light or dark: warnings and notes as tinted boxes
    (see boxed_callouts), tables with a grid, code on a shaded ground, task lists without
    bullets."""
    warn, note, code, grid, stale, *_ = _colours(dark)
    return f"""
        ul.task-list {{ list-style-type: none; }}
        div.admonition {{ background-color: {note}; padding: 6px; margin: 6px 0; }}
        div.warning, div.caution, div.danger, div.attention, div.important {{
            background-color: {warn}; }}
        table.callout {{ margin: 6px 0; }}
        table.callout td {{ border: none; }}
        table.callout p {{ margin-top: 0; margin-bottom: 4px; }}
        p.admonition-title {{ font-weight: bold; margin-bottom: 2px; }}
        table {{ border-collapse: collapse; margin: 6px 0; }}
        th, td {{ border: 1px solid {grid}; padding: 4px 8px; }}
        th {{ font-weight: bold; }}
        pre, code {{ background-color: {code}; font-family: monospace; }}
        pre {{ padding: 6px; }}
        p.stale {{ color: {stale}; }}
        p.people {{ margin-top: 0; }}
    """


def load_page(store: LibraryStore, path: str, own_copy: Callable[[str], bool] | None = None
              ) -> tuple[str, AidSource | None]:
    """Read and render on a worker thread (plain data in, plain data out); the source says
    where the page's images may come from. ``own_copy(id)``: whether the user has a copy."""
    aid = store.load(Path(path))
    note = OWN_COPY_NOTE if own_copy is not None and own_copy(aid.id) else ""
    return aid_page(aid, note), aid.source


def aid_mime_data(aid: JobAid) -> QMimeData:
    """The aid for the clipboard three ways at once: chat and e-mail paste the HTML, a Markdown
    editor the Markdown, a terminal or a form the plain text. Front matter stays out."""
    from job_aids import render_aid_html
    from job_aids.plain import plain_text

    aid = with_hotkey(aid)
    body = aid.body.strip("\n")
    heading = f"# {aid.title}"
    markdown = body if body.startswith(heading) else f"{heading}\n\n{body}"
    page = render_aid_html(aid, checkbox_glyphs=True)
    if not page.lstrip().startswith("<h1"):
        page = f"<h1>{html.escape(aid.title)}</h1>" + page
    data = QMimeData()
    data.setData("text/markdown", (markdown + "\n").encode("utf-8"))
    data.setHtml(page)
    data.setText(plain_text(markdown) + "\n")
    return data


class AidBrowser(QTextBrowser):
    """A rendered aid; wiki links open other aids, safe external links open in the browser."""

    aid_link = Signal(str)  # the title a [[wiki link]] names

    def __init__(self) -> None:
        super().__init__()
        self.aid_source: AidSource | None = None
        self.setOpenLinks(False)
        self.anchorClicked.connect(self._follow)
        self.pending_images: dict[str, bytes] = {}  # pasted, shown before they are saved
        self._page = ""
        self._dark = False
        self._style_for_palette()

    def _style_for_palette(self) -> None:
        dark = self.palette().color(self.palette().ColorRole.Base).lightness() < 128
        self._dark = dark
        self.document().setDefaultStyleSheet(page_style(dark))
        if self._page:
            self.setHtml(boxed_callouts(self._page, dark))  # the style applies to HTML set after it

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            self._style_for_palette()
        super().changeEvent(event)

    def show_page(self, page: str, source: AidSource | None) -> None:
        """Show a rendered aid; its images come from its own collection only."""
        self.aid_source = source
        self._page = page
        self.setHtml(boxed_callouts(page, self._dark))

    def loadResource(self, kind: int, name: QUrl | str) -> Any:
        """Images from inside the aid's collection (regular files, size bounded); nothing
        else: no absolute or home paths, no style sheets, nothing remote.

        What is refused is answered with an empty stand-in, never with nothing: given nothing,
        QTextDocument reads the file itself, from any path (and waits forever on a pipe).
        """
        if kind != QTextDocument.ResourceType.ImageResource.value:
            return QByteArray()
        reference = name.toString() if isinstance(name, QUrl) else name
        data = self.pending_images.get(reference)
        if data is None and self.aid_source is not None:
            data = read_attachment(self.aid_source, reference)
        image = QImage()
        if data is None or not image.loadFromData(data):
            return _REFUSED_IMAGE
        return image

    def _follow(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith(AID_LINK_PREFIX):
            self.aid_link.emit(QUrl.fromPercentEncoding(text[len(AID_LINK_PREFIX):].encode()))
        elif url.scheme() in EXTERNAL_SCHEMES:
            QDesktopServices.openUrl(url)


class AidWindow(QWidget):
    """An opened aid, in a normal window: read it, pin it, edit it."""

    def __init__(self, aid: JobAid, page: str, *, on_pin: Callable[[JobAid], None],
                 on_edit: Callable[[JobAid], None],
                 on_link: Callable[[str], None],
                 on_vote: Callable[[JobAid, str, str], None] | None = None,
                 on_review: Callable[[JobAid, str], None] | None = None) -> None:
        super().__init__()
        self.aid = aid
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.setWindowTitle(f"{aid.title} - Handrail")
        self.browser = AidBrowser()
        self.browser.show_page(page, aid.source)
        self.browser.aid_link.connect(on_link)
        pin = QPushButton("&Pin beside my work")
        pin.setToolTip("Ctrl+Enter")
        pin.clicked.connect(lambda: on_pin(self.aid))
        edit = QPushButton("&Edit")
        edit.setToolTip("Ctrl+E")
        edit.clicked.connect(lambda: on_edit(self.aid))
        self.copy_button = QPushButton("&Copy")
        self.copy_button.setToolTip("Copy the aid as Markdown, HTML and plain text "
                                    "(Ctrl+Shift+C): chat and e-mail paste the right one")
        self.copy_button.clicked.connect(self.copy_aid)
        close = QPushButton("Close")
        close.clicked.connect(self.close)
        buttons = QHBoxLayout()
        source = aid.source
        where = QLabel(f"{source.collection} · {source.relpath}" if source else "")
        where.setTextFormat(Qt.TextFormat.PlainText)  # a file may be named "<img src=…>.md"
        self.where = where
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons.addWidget(where, 1)
        for button in (self.copy_button, pin, edit, close):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser, 1)
        self.feedback: FeedbackBar | None = None
        if on_vote is not None:
            from .feedback import FeedbackBar

            review = ((lambda note: on_review(self.aid, note))
                      if on_review is not None and aid.owner else None)
            self.feedback = FeedbackBar(lambda vote, comment: on_vote(self.aid, vote, comment),
                                        review)
            layout.addWidget(self.feedback)
        layout.addLayout(buttons)
        QShortcut(QKeySequence("Ctrl+Return"), self, lambda: on_pin(self.aid))
        QShortcut(QKeySequence("Ctrl+E"), self, lambda: on_edit(self.aid))
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
        QShortcut(QKeySequence("Ctrl+Shift+C"), self, self.copy_aid)
        self.resize(720, 640)

    def copy_aid(self) -> None:
        QApplication.clipboard().setMimeData(aid_mime_data(self.aid))
        self.where.setText("Copied as Markdown, HTML and text: paste it into a chat or an "
                           "e-mail")
        QTimer.singleShot(4000, self, self._show_where)  # not after the window is gone

    def _show_where(self) -> None:
        source = self.aid.source
        self.where.setText(f"{source.collection} · {source.relpath}" if source else "")
