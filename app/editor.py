"""A plain editor for one aid: its Markdown on the left, the live preview on the right.

A save writes exactly the text in the editor, and nothing when nothing was edited. A file that
could not be written back as it came (invalid UTF-8, mixed line endings, over 2 MB, ...) opens
read-only and says why. Earlier versions are one click away in the history dialog.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QCloseEvent, QFontDatabase, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from job_aids import (
    AidChangedOnDiskError,
    EditableText,
    JobAid,
    JobAidError,
    LibraryStore,
    parse_text,
)
from job_aids.history import Version

from . import dialogs
from .aid_view import AidBrowser, aid_page

# What Qt's text widget cannot hold as it is: it turns these into plain line breaks.
_QT_CHANGES = ("it holds a character the editor would change (a paragraph separator U+2029, a "
               "lone carriage return, or a byte order mark inside the text), so a save would "
               "alter lines you never touched. Edit it in another program.")


def editor_text(edit: QPlainTextEdit) -> str:
    """The editor's text exactly as typed: ``toPlainText`` would turn no-break spaces into
    spaces and line separators into line breaks; the raw text keeps them."""
    return edit.document().toRawText().replace("\u2029", "\n")


class EditorWindow(QWidget):
    def __init__(self, store: LibraryStore, aid: JobAid) -> None:
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._store = store
        self.aid = aid
        self.read_only: str | None = None
        self.banner = QLabel()
        self.banner.setObjectName("readOnlyBanner")
        self.banner.setWordWrap(True)
        self.banner.setTextFormat(Qt.TextFormat.PlainText)
        self.banner.hide()
        self.text = QPlainTextEdit()
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.textChanged.connect(self._changed)
        self.preview = AidBrowser()
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.history_button = QPushButton("&History…")
        self.history_button.clicked.connect(self.show_history)
        self.reload_button = QPushButton("&Reload")
        self.reload_button.clicked.connect(self.reload)
        self.reload_button.setToolTip("Read the file again from disk (Ctrl+R)")
        self._render_timer = QTimer(self, singleShot=True, interval=150)
        self._render_timer.timeout.connect(self._render)
        splitter = QSplitter()
        splitter.addWidget(self.text)
        splitter.addWidget(self.preview)
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.reload_button)
        bottom.addWidget(self.history_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        QShortcut(QKeySequence("Ctrl+R"), self, self.reload)
        self._load(store.open_for_editing(aid))
        self.resize(1000, 640)

    def _load(self, editable: EditableText) -> None:
        self.aid = editable.aid
        self.text.setReadOnly(False)
        self.text.setPlainText(editable.text)
        reason = editable.read_only
        if reason is None and editor_text(self.text) != editable.text:
            reason = _QT_CHANGES
        self.read_only = reason
        self.text.setReadOnly(reason is not None)
        self.banner.setText(f"Read-only: {reason}" if reason else "")
        self.banner.setVisible(reason is not None)
        self.status.setText("Read-only (see above) · Ctrl+R reads the file again" if reason
                            else "Ctrl+S saves · the preview follows your typing")
        self.text.document().setModified(False)
        self._update_title()
        self._render()

    def _update_title(self) -> None:
        star = "*" if self.text.document().isModified() else ""
        lock = " (read-only)" if self.read_only else ""
        self.setWindowTitle(f"{star}{self.aid.title}{lock} - Handrail editor")

    def _changed(self) -> None:
        self._update_title()
        self._render_timer.start()

    def _render(self) -> None:
        draft = parse_text(editor_text(self.text))
        self.preview.show_page(aid_page(draft), self.aid.source)

    def save(self) -> bool:
        if self.read_only:
            self.status.setText("Not saved: this aid is open read-only (see above).")
            return False
        if not self.text.document().isModified():
            self.status.setText("No changes to save.")
            return True
        try:
            self.aid = self._store.save_text(self.aid, editor_text(self.text))
        except AidChangedOnDiskError as error:
            self.status.setText("Not saved: the file changed on disk.")
            answer = dialogs.warn(
                self, "Not saved", f"{error}\n\nYour text is still here too. Reload now?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No)
            if answer == QMessageBox.StandardButton.Yes:
                self._reload_from_disk()
            return False
        except JobAidError as error:
            self.status.setText(f"Not saved: {error}")
            dialogs.warn(self, "Not saved", f"{error}\n\nYour text is still here; "
                                "copy it or save it elsewhere.")
            return False
        self.text.document().setModified(False)
        self._update_title()
        self.status.setText(f"Saved {self.aid.source.path if self.aid.source else ''}")
        return True

    def _discard_ok(self, what: str) -> bool:
        if not self.text.document().isModified():
            return True
        answer = dialogs.ask(
            self, "Unsaved changes", f"{what} discards your unsaved changes. Go on?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    def reload(self) -> None:
        if self._discard_ok("Reloading"):
            self._reload_from_disk()

    def _reload_from_disk(self) -> None:
        try:
            self._load(self._store.open_for_editing(self.aid))
        except JobAidError as error:
            self.status.setText(f"Not reloaded: {error}")
            dialogs.warn(self, "Not reloaded", str(error))
            return
        self.status.setText("Reloaded from disk.")

    def show_history(self) -> None:
        dialog = HistoryDialog(self._store.versions(self.aid), self.aid.title, self)
        if dialog.exec() != QDialog.DialogCode.Accepted or dialog.chosen is None:
            return
        if not self._discard_ok("Restoring a version"):
            return
        try:
            restored = self._store.restore_version(self.aid, dialog.chosen.path.stem)
            self._load(self._store.open_for_editing(restored))
        except JobAidError as error:
            self.status.setText(f"Not restored: {error}")
            dialogs.warn(self, "Not restored", str(error))
            return
        self.status.setText(f"Restored the version of {local_time(dialog.chosen)}; the one it "
                            "replaced is kept in the history.")

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.text.document().isModified():
            answer = dialogs.ask(
                self, "Unsaved changes", f"Save your changes to “{self.aid.title}”?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Cancel or (
                    answer == QMessageBox.StandardButton.Save and not self.save()):
                event.ignore()
                return
        event.accept()


def local_time(version: Version) -> str:
    return f"{version.saved_at.astimezone():%Y-%m-%d %H:%M:%S}"


def version_label(version: Version) -> str:
    try:
        size = version.path.stat().st_size
    except OSError:
        size = 0
    shown = f"{size} bytes" if size < 1024 else f"{size / 1024:.1f} KB"
    label = f"{local_time(version)} · {shown}"
    if version.conflict:
        label += " · never saved: lost a race with another change"
    return label


class HistoryDialog(QDialog):
    """The aid's kept versions, newest first, each shown as it was; Enter restores one."""

    def __init__(self, versions: list[Version], title: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"History of “{title}” - Handrail editor")
        self.chosen: Version | None = None
        self.list = QListWidget()
        self.preview = QPlainTextEdit(readOnly=True)
        for version in reversed(versions):
            item = QListWidgetItem(version_label(version))
            item.setData(Qt.ItemDataRole.UserRole, version)
            self.list.addItem(item)
        self.list.currentItemChanged.connect(self._show)
        self.list.itemActivated.connect(lambda item: self.accept())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore_button = buttons.addButton("&Restore this version",
                                                QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore_button.setEnabled(bool(versions))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        empty = QLabel("No earlier versions yet: each save keeps the one it replaces.")
        empty.setVisible(not versions)
        splitter = QSplitter()
        splitter.addWidget(self.list)
        splitter.addWidget(self.preview)
        layout = QVBoxLayout(self)
        layout.addWidget(empty)
        layout.addWidget(splitter, 1)
        layout.addWidget(buttons)
        if versions:
            self.list.setCurrentRow(0)
        self.list.setFocus()
        self.resize(900, 500)

    def _show(self, item: QListWidgetItem | None) -> None:
        version = item.data(Qt.ItemDataRole.UserRole) if item else None
        self.chosen = version
        if version is None:
            self.preview.clear()
            return
        try:
            self.preview.setPlainText(version.read_bytes().decode("utf-8", errors="replace"))
        except OSError as error:
            self.preview.setPlainText(f"This version cannot be read: {error.strerror}")
