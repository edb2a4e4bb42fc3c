"""A window to browse the library: a filter box, the list of aids, and a rendered preview."""

from __future__ import annotations

from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from job_aids import JobAid, JobAidError, LibraryStore, render_aid_html
from job_aids.render import AID_LINK_PREFIX

from .background import run_in_background

EXTERNAL_SCHEMES = ("http", "https", "mailto", "tel")


class LibraryWindow(QMainWindow):
    def __init__(self, store: LibraryStore) -> None:
        super().__init__()
        self._store = store
        self._aids: list[JobAid] = []
        self.setWindowTitle("Handrail")
        self.resize(960, 620)

        self.filter = QLineEdit(placeholderText="Filter aids by title, tag or summary…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._apply_filter)
        self.results = QListWidget()
        self.results.currentItemChanged.connect(self._show_current)
        self.status = QLabel("Loading the library…")
        self.preview = QTextBrowser()
        self.preview.setOpenLinks(False)
        self.preview.anchorClicked.connect(self._open_link)

        left = QWidget()
        layout = QVBoxLayout(left)
        layout.setContentsMargins(8, 8, 0, 8)
        layout.addWidget(self.filter)
        layout.addWidget(self.results, 1)
        layout.addWidget(self.status)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setSizes([340, 620])
        self.setCentralWidget(splitter)

        QShortcut(QKeySequence("Ctrl+F"), self, self.filter.setFocus)
        QShortcut(QKeySequence(Qt.Key.Key_Down), self.filter, self._focus_results)
        self.filter.setFocus()

    # -- loading --------------------------------------------------------------------------
    def load(self) -> None:
        self.status.setText("Loading the library…")
        store = self._store
        run_in_background(lambda: list(store.iter_aids()), self._loaded, self._load_failed)

    def _loaded(self, aids: list[JobAid]) -> None:
        self._aids = sorted(aids, key=lambda aid: aid.title.casefold())
        self._apply_filter(self.filter.text())

    def _load_failed(self, error: Exception) -> None:
        self.status.setText(f"Could not load the library: {error}")

    # -- list and preview -----------------------------------------------------------------
    def _apply_filter(self, text: str) -> None:
        words = text.casefold().split()
        self.results.clear()
        for aid in self._aids:
            haystack = " ".join([aid.title, aid.summary, *aid.tags]).casefold()
            if all(word in haystack for word in words):
                item = QListWidgetItem(aid.title)
                item.setData(Qt.ItemDataRole.UserRole, aid)
                item.setToolTip(aid.summary)
                self.results.addItem(item)
        shown = self.results.count()
        self.status.setText(f"{shown} of {len(self._aids)} aids")
        if shown:
            self.results.setCurrentRow(0)
        else:
            self.preview.setHtml(f"<p>No aid matches <b>{_escape(text)}</b>.</p>")

    def _focus_results(self) -> None:
        self.results.setFocus()

    def _show_current(self, item: QListWidgetItem | None) -> None:
        if item is None:
            return
        aid: JobAid = item.data(Qt.ItemDataRole.UserRole)
        problems = "".join(f"<p><i>Line {p.line}: {_escape(p.message)}</i></p>"
                           for p in aid.problems)
        self.preview.setHtml(problems + render_aid_html(aid, checkbox_glyphs=True))

    def _open_link(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith(AID_LINK_PREFIX):
            title = QUrl.fromPercentEncoding(text[len(AID_LINK_PREFIX):].encode())
            try:
                aid = self._store.find(title)
            except JobAidError as error:
                self.status.setText(str(error))
                return
            self.preview.setHtml(render_aid_html(aid, checkbox_glyphs=True))
        elif url.scheme() in EXTERNAL_SCHEMES:
            QDesktopServices.openUrl(url)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
