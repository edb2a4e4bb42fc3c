"""A plain editor for one aid: its Markdown on the left, the live preview on the right."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from job_aids import JobAid, JobAidError, LibraryStore, parse_text

from .aid_view import AidBrowser, aid_page


class EditorWindow(QWidget):
    def __init__(self, store: LibraryStore, aid: JobAid) -> None:
        super().__init__()
        assert aid.source is not None
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._store = store
        self.aid = aid
        self.text = QPlainTextEdit()
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlainText(aid.source.path.read_text(encoding="utf-8", errors="replace")
                               .lstrip("\ufeff"))
        self.text.document().setModified(False)
        self.text.textChanged.connect(self._changed)
        self.preview = AidBrowser()
        self.status = QLabel("Ctrl+S saves · the preview follows your typing")
        self._render_timer = QTimer(self, singleShot=True, interval=150)
        self._render_timer.timeout.connect(self._render)
        splitter = QSplitter()
        splitter.addWidget(self.text)
        splitter.addWidget(self.preview)
        layout = QVBoxLayout(self)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.status)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        self._update_title()
        self._render()
        self.resize(1000, 640)

    def _update_title(self) -> None:
        star = "*" if self.text.document().isModified() else ""
        self.setWindowTitle(f"{star}{self.aid.title} - Handrail editor")

    def _changed(self) -> None:
        self._update_title()
        self._render_timer.start()

    def _render(self) -> None:
        draft = parse_text(self.text.toPlainText())
        self.preview.setHtml(aid_page(draft))

    def save(self) -> bool:
        try:
            self.aid = self._store.save_text(self.aid, self.text.toPlainText())
        except JobAidError as error:
            self.status.setText(f"Not saved: {error}")
            QMessageBox.warning(self, "Not saved", f"{error}\n\nYour text is still here; "
                                "copy it or save it elsewhere.")
            return False
        self.text.document().setModified(False)
        self._update_title()
        self.status.setText(f"Saved {self.aid.source.path if self.aid.source else ''}")
        return True

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.text.document().isModified():
            answer = QMessageBox.question(
                self, "Unsaved changes", f"Save your changes to “{self.aid.title}”?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Cancel or (
                    answer == QMessageBox.StandardButton.Save and not self.save()):
                event.ignore()
                return
        event.accept()
