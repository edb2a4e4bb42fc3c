"""A plain editor for one aid: its Markdown on the left, the live preview on the right.

A save writes exactly the text in the editor, and nothing when nothing was edited; a text
with problems (a bad date, an unknown kind, broken YAML) is saved only after "Save anyway?".
A new aid is written only when saved, and unsaved text is kept as a crash-safe draft. A file that
could not be written back as it came (invalid UTF-8, mixed line endings, over 2 MB, ...) opens
read-only and says why. Earlier versions are one click away in the history dialog.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

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
from job_aids.collections import OWN
from job_aids.drafts import Draft, DraftStore
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


DRAFT_EVERY_MS = 3000  # unsaved text is kept this often (job_aids/drafts.py)


class EditorWindow(QWidget):
    """An aid's editor. With ``aid`` None it edits a new aid (``new_text``) that exists only as
    a draft until saved: closing it unsaved leaves nothing in the library. With ``draft`` it
    brings back text a crash left unsaved."""

    def __init__(self, store: LibraryStore, aid: JobAid | None, *, new_text: str = "",
                 collection: str = OWN, drafts: DraftStore | None = None,
                 draft: Draft | None = None,
                 on_created: Callable[[JobAid], None] | None = None) -> None:
        super().__init__()
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._store = store
        self._drafts = drafts
        self._draft_key = draft.key if draft is not None else DraftStore.new_key()
        self._collection = draft.collection if draft is not None else collection
        self._on_created = on_created
        self.is_new = aid is None
        self.aid = aid if aid is not None else parse_text(new_text)
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
        QShortcut(QKeySequence("Ctrl+W"), self, self.close)
        if aid is None:
            self._start_new(draft.text if draft is not None else new_text)
        else:
            self._load(store.open_for_editing(aid))
        if draft is not None:
            self._bring_back(draft)
        self._draft_timer = QTimer(self, interval=DRAFT_EVERY_MS)
        self._draft_timer.timeout.connect(self.keep_draft)
        self._draft_timer.start()
        self._drafted = ""
        self.resize(1000, 640)

    def _start_new(self, text: str) -> None:
        self.text.setPlainText(text)
        self.text.document().setModified(False)
        self.history_button.setEnabled(False)
        self.reload_button.setEnabled(False)
        self.status.setText("New aid: nothing is written until you save (Ctrl+S) · your "
                            "typing is kept as a draft meanwhile")
        self._update_title()
        self._render()

    def _bring_back(self, draft: Draft) -> None:
        """Text a crash left unsaved, shown as unsaved; the file's version stays on disk (and
        goes to the history when this is saved)."""
        self.text.setPlainText(draft.text)
        self.text.document().setModified(True)
        when = f"{dt.datetime.fromtimestamp(draft.saved_at):%Y-%m-%d %H:%M}"
        changed = (self.aid.source is not None and draft.base_digest
                   and self.aid.source.digest != draft.base_digest)
        self.status.setText(f"Your unsaved text of {when} is back. " + (
            "The file changed since: saving keeps its version in the history."
            if changed else "Save it, or close and discard it."))
        self._update_title()

    def keep_draft(self) -> None:
        """Write the unsaved text to the drafts folder (crash-safe), if it changed."""
        if self._drafts is None or self.read_only or not (
                self.text.document().isModified() or self.is_new):
            return
        text = editor_text(self.text)
        if text == self._drafted:
            return
        source = self.aid.source
        try:
            self._drafts.save(self._draft_key, text, target=source.path if source else None,
                              collection=self._collection,
                              base_digest=source.digest if source else "")
        except OSError as error:
            self.status.setText(f"Your draft could not be kept ({error.strerror or error}); "
                                "save soon")
            return
        self._drafted = text

    def _drop_draft(self) -> None:
        if self._drafts is not None:
            self._drafts.discard(self._draft_key)
        self._drafted = ""

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
        new = " (new, not saved yet)" if self.is_new else ""
        title = parse_text(editor_text(self.text)).title if self.is_new else self.aid.title
        self.setWindowTitle(f"{star}{title}{new}{lock} - Handrail editor")

    def _changed(self) -> None:
        self._update_title()
        self._render_timer.start()

    def _render(self) -> None:
        draft = parse_text(editor_text(self.text))
        self.preview.show_page(aid_page(draft), self.aid.source)
        self.problems = draft.problems
        if draft.problems and not self.read_only:
            first = draft.problems[0]
            more = f" (and {len(draft.problems) - 1} more)" if len(draft.problems) > 1 else ""
            self.status.setText(f"Line {first.line}: {first.message}{more}")

    def save(self) -> bool:
        if self.read_only:
            self.status.setText("Not saved: this aid is open read-only (see above).")
            return False
        if not self.text.document().isModified() and not self.is_new:
            self.status.setText("No changes to save.")
            return True
        text = editor_text(self.text)
        problems = parse_text(text).problems
        if problems:
            listed = "\n".join(f"Line {p.line}: {p.message}" for p in problems[:8])
            answer = dialogs.ask(self, "Save anyway?", f"{listed}\n\nSave anyway? The text is "
                                 "saved exactly as it is.",
                                 QMessageBox.StandardButton.Save
                                 | QMessageBox.StandardButton.Cancel,
                                 QMessageBox.StandardButton.Cancel)
            if answer != QMessageBox.StandardButton.Save:
                self.status.setText(f"Not saved: line {problems[0].line}: {problems[0].message}")
                return False
        try:
            if self.is_new:
                self.aid = self._store.create_from_text(text, self._collection)
                self.is_new = False
                self.history_button.setEnabled(True)
                self.reload_button.setEnabled(True)
                if self._on_created is not None:
                    self._on_created(self.aid)
            else:
                self.aid = self._store.save_text(self.aid, text)
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
        self._drop_draft()
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
            what = "this new aid" if self.is_new else f"your changes to “{self.aid.title}”"
            answer = dialogs.ask(
                self, "Unsaved changes", f"Save {what}?",
                QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                | QMessageBox.StandardButton.Cancel)
            if answer == QMessageBox.StandardButton.Cancel or (
                    answer == QMessageBox.StandardButton.Save and not self.save()):
                event.ignore()
                return
        self._draft_timer.stop()
        self._drop_draft()  # saved, discarded, or a new aid never typed in: nothing to keep
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
