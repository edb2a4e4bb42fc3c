"""The editor for one aid: a form for its fields and its Markdown on the left, the live preview
on the right, rendered as the popup and the aid window show it.

A save writes exactly the text in the editor, and nothing when nothing was edited; a text
with problems (a bad date, an unknown kind, broken YAML) is saved only after "Save anyway?".
A new aid is written only when saved, and unsaved text is kept as a crash-safe draft. A file that
could not be written back as it came (invalid UTF-8, mixed line endings, over 2 MB, ...) opens
read-only and says why. Earlier versions are one click away in the history dialog. A file that
changes on disk while it is open (another editor, a sync) is read again when nothing is typed
yet, and otherwise both versions are shown and both are kept.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCore import QFileSystemWatcher, Qt, QTimer, QUrl
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDesktopServices,
    QFontDatabase,
    QImage,
    QKeySequence,
    QShortcut,
    QTextCursor,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QToolBar,
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
from job_aids.attachments import MAX_ATTACHMENT_BYTES, attachment_name
from job_aids.collections import OWN
from job_aids.drafts import Draft, DraftStore, digest_of
from job_aids.history import Version
from job_aids.model import Problem, first_heading
from job_aids.render import link_problems
from job_aids.templates import copy_text

from . import dialogs
from .aid_form import AidForm
from .aid_view import AidBrowser, aid_page
from .background import run_in_background
from .source_edit import SourceEdit

# What Qt's text widget cannot hold as it is: it turns these into plain line breaks.
_QT_CHANGES = ("it holds a character the editor would change (a paragraph separator U+2029, a "
               "lone carriage return, or a byte order mark inside the text), so a save would "
               "alter lines you never touched. Edit it in another program.")


def editor_text(edit: QPlainTextEdit) -> str:
    """The editor's text exactly as typed: ``toPlainText`` would turn no-break spaces into
    spaces and line separators into line breaks; the raw text keeps them."""
    return edit.document().toRawText().replace("\u2029", "\n")


DRAFT_EVERY_MS = 3000  # unsaved text is kept this often (job_aids/drafts.py)


@dataclass(frozen=True)
class Vocabulary:
    """What the editor offers to complete: other aids' titles (for ``[[``), the library's
    tags, and the applications the user searched from lately."""

    titles: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    apps: list[str] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)


# (label, shortcut, what it does): the toolbar, each also a key.
_TOOLS = (
    ("Heading", "Ctrl+Shift+H", "heading"),
    ("Step", "Ctrl+Shift+N", "step"),
    ("Checkbox", "Ctrl+Shift+X", "checkbox"),
    ("Table", "Ctrl+Shift+T", "table"),
    ("Warning", "Ctrl+Shift+W", "warning"),
    ("Code", "Ctrl+Shift+C", "code"),
    ("Link to aid", "Ctrl+Shift+L", "link"),
    ("Image…", "Ctrl+Shift+I", "image"),
)


class EditorWindow(QWidget):
    """An aid's editor. With ``aid`` None it edits a new aid (``new_text``) that exists only as
    a draft until saved: closing it unsaved leaves nothing in the library. With ``draft`` it
    brings back text a crash left unsaved."""

    def __init__(self, store: LibraryStore, aid: JobAid | None, *, new_text: str = "",
                 collection: str = OWN, drafts: DraftStore | None = None,
                 draft: Draft | None = None,
                 on_created: Callable[[JobAid], None] | None = None,
                 vocabulary: Callable[[], Vocabulary] | None = None) -> None:
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
        self.images: dict[str, bytes] = dict(draft.images) if draft is not None else {}
        self.text = SourceEdit(on_image=self.add_image)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.textChanged.connect(self._changed)
        self.form = AidForm(lambda: editor_text(self.text), self._describe_kind)
        self.form.edited.connect(self.replace_text)
        self.toolbar = QToolBar("Insert")
        self.tools: dict[str, QAction] = {}
        for label, keys, name in _TOOLS:
            action = self.toolbar.addAction(label)
            action.setShortcut(QKeySequence(keys))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.setToolTip(f"{label} ({keys})")
            action.setData(name)
            self.tools[name] = action
        self.toolbar.actionTriggered.connect(lambda action: self.insert(action.data()))
        self.conflict: ChangedOnDiskDialog | None = None
        self._disk_timer = QTimer(self, singleShot=True, interval=250)
        self._disk_timer.timeout.connect(self._disk_changed)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(self._disk_timer.start)
        self.preview = AidBrowser()
        self.preview.pending_images = self.images
        self._known: set[str] | None = None  # titles and ids links may name, once read
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.history_button = QPushButton("&History…")
        self.history_button.clicked.connect(self.show_history)
        self.reload_button = QPushButton("&Reload")
        self.reload_button.clicked.connect(self.reload)
        self.reload_button.setToolTip("Read the file again from disk (Ctrl+R)")
        self.external_button = QPushButton("Open in e&xternal editor")
        self.external_button.setToolTip("Edit the file in your own editor; what you save there "
                                        "shows here")
        self.external_button.clicked.connect(self.open_externally)
        self._render_timer = QTimer(self, singleShot=True, interval=150)
        self._render_timer.timeout.connect(self._render)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self.form)
        left_layout.addWidget(self.toolbar)
        left_layout.addWidget(self.text, 1)
        splitter = QSplitter()
        splitter.addWidget(left)
        splitter.addWidget(self.preview)
        splitter.setSizes([560, 440])
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.external_button)
        bottom.addWidget(self.reload_button)
        bottom.addWidget(self.history_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(splitter, 1)
        layout.addLayout(bottom)
        QShortcut(QKeySequence.StandardKey.Save, self, self.save)
        QShortcut(QKeySequence("Ctrl+R"), self, self.reload)
        QShortcut(QKeySequence("Ctrl+W"), self, self.close)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self, self.close)
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
        self._vocabulary = vocabulary
        self._vocabulary_asked = 0.0
        self.text.titles_wanted.connect(self._read_vocabulary)
        self._read_vocabulary()
        self.resize(1100, 720)
        self.text.setFocus()

    def _describe_kind(self, kind: str) -> str:
        try:
            return self._store.templates.describe(kind)
        except JobAidError:
            return ""

    def _read_vocabulary(self) -> None:
        """Titles, tags and apps from the index, off the GUI thread (again when ``[[`` finds
        none yet, at most every few seconds)."""
        now = time.monotonic()
        if self._vocabulary is None or now - self._vocabulary_asked < 3:
            return
        self._vocabulary_asked = now
        run_in_background(self._vocabulary, self._vocabulary_read, lambda _error: None)

    def _vocabulary_read(self, vocabulary: Vocabulary) -> None:
        if not shiboken6.isValid(self.text):  # the window closed meanwhile
            return
        self.set_vocabulary(vocabulary)
        prefix = self.text.link_prefix()
        if prefix is not None and self.text.hasFocus() and vocabulary.titles:
            self.text.offer_titles(prefix)  # asked for while typing a [[link]]

    def set_vocabulary(self, vocabulary: Vocabulary) -> None:
        """Titles for ``[[``, tags and apps for the form (read off the GUI thread)."""
        own = self.aid.title
        self.text.set_titles([t for t in vocabulary.titles if t != own])
        self.form.set_choices(vocabulary.tags, vocabulary.apps)
        self._known = {name.casefold() for name in (*vocabulary.titles, *vocabulary.ids)}
        self._render()

    def problems_of(self, text: str, aid: JobAid) -> list[Problem]:
        """What is wrong with the text as typed: the file format's problems, a missing title,
        and (once the library's titles are known) ``[[links]]`` that lead nowhere."""
        problems = list(aid.problems)
        if not str(aid.meta.get("title") or "").strip() and first_heading(aid.body) is None:
            problems.append(Problem(None, 1, "the aid has no title: add a title (the form's "
                                    "Title, or a # Heading)", "warning"))
        if self._known is not None:
            problems += link_problems(text, self._known)
        return sorted(problems, key=lambda p: p.line)

    def _start_new(self, text: str) -> None:
        self.text.setPlainText(text)
        self.text.document().setModified(False)
        self.history_button.setEnabled(False)
        self.reload_button.setEnabled(False)
        self._select_first_prompt()
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
        self._watch()
        self.text.setReadOnly(False)
        self.text.setPlainText(editable.text)
        reason = editable.read_only
        if reason is None and editor_text(self.text) != editable.text:
            reason = _QT_CHANGES
        self.read_only = reason
        self.text.setReadOnly(reason is not None)
        self.form.setEnabled(reason is None)
        self.toolbar.setEnabled(reason is None)
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
        text = editor_text(self.text)
        draft = parse_text(text)
        scroll = self.preview.verticalScrollBar().value()
        self.preview.show_page(aid_page(draft), self.aid.source)
        self.preview.verticalScrollBar().setValue(scroll)  # the preview stays where one reads
        self.form.show_aid(draft)
        self.problems = self.problems_of(text, draft)
        if self.problems and not self.read_only:
            first = self.problems[0]
            more = f" (and {len(self.problems) - 1} more)" if len(self.problems) > 1 else ""
            self.status.setText(f"Line {first.line}: {first.message}{more}")

    def save(self) -> bool:
        if self.read_only:
            self.status.setText("Not saved: this aid is open read-only (see above).")
            return False
        if not self.text.document().isModified() and not self.is_new:
            self.status.setText("No changes to save.")
            return True
        text = editor_text(self.text)
        problems = self.problems_of(text, parse_text(text))
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
        images = {name: data for name, data in self.images.items() if name in text}
        try:
            if self.is_new:
                self.aid = self._store.create_from_text(text, self._collection)
                self._store.add_images(self.aid, images)
                self.is_new = False
                self.history_button.setEnabled(True)
                self.reload_button.setEnabled(True)
                self._watch()
                if self._on_created is not None:
                    self._on_created(self.aid)
            else:
                self._store.add_images(self.aid, images)  # first: a link never dangles
                self.aid = self._store.save_text(self.aid, text)
                self._watch()
        except AidChangedOnDiskError as error:
            self.status.setText("Not saved: the file changed on disk; both versions are shown.")
            self.show_conflict(str(error))
            return False
        except JobAidError as error:
            self.status.setText(f"Not saved: {error}")
            dialogs.warn(self, "Not saved", f"{error}\n\nYour text is still here; "
                                "copy it or save it elsewhere.")
            return False
        self.images.clear()
        self.text.document().setModified(False)
        self._drop_draft()
        self._update_title()
        self.status.setText(f"Saved {self.aid.source.path if self.aid.source else ''}")
        return True

    # -- the form and the toolbar ------------------------------------------------------------
    def replace_text(self, new: str) -> None:
        """Make the source ``new`` by changing only the part that differs: one undo step,
        and the cursor stays where it was elsewhere."""
        old = editor_text(self.text)
        if new == old:
            return
        start = 0
        limit = min(len(old), len(new))
        while start < limit and old[start] == new[start]:
            start += 1
        end_old, end_new = len(old), len(new)
        while end_old > start and end_new > start and old[end_old - 1] == new[end_new - 1]:
            end_old -= 1
            end_new -= 1
        cursor = QTextCursor(self.text.document())
        cursor.setPosition(start)
        cursor.setPosition(end_old, QTextCursor.MoveMode.KeepAnchor)
        cursor.insertText(new[start:end_new])

    def _select_first_prompt(self) -> None:
        """A new aid opens with its first step's prompt selected: typing replaces it."""
        document = self.text.document()
        body_start = 0
        text = editor_text(self.text)
        if text.startswith("---"):
            close = text.find("\n---", 3)
            body_start = close + 4 if close > 0 else 0
        for pattern in ("\n1. ", "\n- [ ] ", "\n| "):
            found = text.find(pattern, body_start)
            if found >= 0:
                cursor = QTextCursor(document)
                cursor.setPosition(found + len(pattern))
                cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock,
                                    QTextCursor.MoveMode.KeepAnchor)
                self.text.setTextCursor(cursor)
                return

    def insert(self, tool: str) -> None:
        """What a toolbar button adds at the cursor: structure, with its prompt selected."""
        if self.read_only:
            return
        if tool == "link":
            self.text.start_link()
            return
        if tool == "image":
            self.choose_image()
            return
        cursor = self.text.textCursor()
        line = cursor.block().text()
        if tool in ("heading", "step", "checkbox"):
            previous = cursor.block().previous().text().lstrip()
            number = previous.split(".", 1)[0]
            prefix = {"heading": "## ", "checkbox": "- [ ] ",
                      "step": f"{int(number) + 1 if number.isdigit() else 1}. "}[tool]
            cursor.movePosition(QTextCursor.MoveOperation.StartOfBlock)
            cursor.insertText(prefix)
            cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
            self.text.setTextCursor(cursor)
            return
        blocks = {
            "table": ("| If | Then |\n| --- | --- |\n| ", "Condition", " | What to do |\n"),
            "warning": ("!!! warning\n    ", "What could go wrong, and how to avoid it", "\n"),
            "code": ("```\n", "command or text to copy", "\n```\n"),
        }
        before, prompt, after = blocks[tool]
        if line.strip():
            cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock)
            before = "\n\n" + before
        cursor.beginEditBlock()
        cursor.insertText(before)
        start = cursor.position()
        cursor.insertText(prompt + after)
        cursor.endEditBlock()
        cursor.setPosition(start)
        cursor.setPosition(start + len(prompt), QTextCursor.MoveMode.KeepAnchor)
        self.text.setTextCursor(cursor)
        self.text.setFocus()

    # -- images ---------------------------------------------------------------------------
    def choose_image(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Add an image", str(Path.home()),
                                              "Images (*.png *.jpg *.jpeg *.gif *.webp *.bmp)")
        if name:
            try:
                data = Path(name).read_bytes()
            except OSError as error:
                self.status.setText(f"The image was not added: {error.strerror or error}")
                return
            self.add_image(data, Path(name).name, Path(name).suffix.lower())

    def add_image(self, data: bytes, original: str, suffix: str) -> None:
        """A pasted or dropped image: kept with the draft now, written beside the aid (in
        ``images/``) when the aid is saved, and linked at the cursor with a relative path."""
        if self.read_only:
            return
        if not data or len(data) > MAX_ATTACHMENT_BYTES:
            self.status.setText(f"The image {original} was not added: it is empty, unreadable "
                                f"or over {MAX_ATTACHMENT_BYTES // 1048576} MB.")
            return
        if suffix != ".svg" and QImage.fromData(data).isNull():
            self.status.setText(f"{original} was not added: it is not an image Handrail can "
                                "show.")
            return
        link = attachment_name(data, original, suffix if suffix.startswith(".") else ".png")
        self.images[link] = data
        if self._drafts is not None:
            try:
                self._drafts.save_image(self._draft_key, link, data)
            except OSError as error:
                self.status.setText(f"The image is not kept with the draft "
                                    f"({error.strerror or error}); save soon")
        alt = Path(original).stem if original and original != "pasted" else "image"
        self.text.textCursor().insertText(f"![{alt}]({link})")
        self.status.setText(f"Image added as {link}; it is saved beside the aid when you save.")

    # -- changes on disk ------------------------------------------------------------------
    def _watch(self) -> None:
        files = self._watcher.files()
        if files:
            self._watcher.removePaths(files)
        if self.aid.source is not None:
            self._watcher.addPath(str(self.aid.source.path))

    def _disk_changed(self) -> None:
        """The file changed on disk (another editor, a sync, our own save)."""
        source = self.aid.source
        if source is None or self.is_new:
            return
        self._watch()  # an atomic replace drops the watch; watch the new file
        try:
            data = source.path.read_bytes()
        except FileNotFoundError:
            self.status.setText("The file was deleted or moved on disk; your text is still here "
                                "(saving writes it again).")
            return
        except OSError as error:
            self.status.setText(f"The file changed on disk and cannot be read: {error.strerror}")
            return
        if digest_of(data) == source.digest:
            return
        if not self.text.document().isModified() and not self.read_only:
            self._reload_from_disk()
            self.status.setText("The file changed on disk; this shows it as it is now.")
            return
        self.show_conflict(f"{source.path} changed on disk while you were editing it.")

    def show_conflict(self, why: str) -> None:
        """Both versions side by side; every choice keeps both."""
        source = self.aid.source
        if source is None:
            return
        try:
            theirs = source.path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            theirs = ""
        if self.conflict is not None:
            self.conflict.close()
        self.conflict = ChangedOnDiskDialog(why, editor_text(self.text), theirs, self)
        self.conflict.choice.connect(self._resolve_conflict)
        self.conflict.show()

    def _resolve_conflict(self, choice: str) -> None:
        mine = editor_text(self.text)
        source = self.aid.source
        if source is None:
            return
        try:
            if choice == "separate":
                copy = self._store.create_from_text(copy_text(mine, self.aid.id),
                                                    source.collection)
                self._load(self._store.open_for_editing(copy))
                where = copy.source.path if copy.source else "a new aid"
                self.status.setText(f"Both kept: yours is now {where}; the changed file is as "
                                    "it was on disk.")
            elif choice == "mine":
                current = self._store.load(source.path)
                self._store.add_images(current, {n: d for n, d in self.images.items()
                                                 if n in mine})
                self.aid = self._store.save_text(current, mine)
                self._load(self._store.open_for_editing(self.aid))
                self.status.setText("Saved yours; the version on disk is kept in the history "
                                    "(History…).")
            elif choice == "theirs":
                self._store.history.record(self.aid.id, mine.encode("utf-8"), conflict=True)
                self._load(self._store.open_for_editing(self._store.load(source.path)))
                self.status.setText("Showing the version on disk; yours is kept in the history "
                                    "(History…).")
        except JobAidError as error:
            self.status.setText(f"Not done: {error}")
            dialogs.warn(self, "Not done", f"{error}\n\nYour text is still here.")
            return
        self._drop_draft()
        self.images.clear()

    def open_externally(self) -> None:
        """The file in the user's own editor; what they save there shows here."""
        if (self.is_new or self.text.document().isModified()) and not self.save():
            return
        if self.aid.source is None:
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.aid.source.path)))
        self.status.setText("Opened in your editor: what you save there shows here.")

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


class ChangedOnDiskDialog(QDialog):
    """Yours and the file's version side by side: keep both as separate aids, save yours
    (theirs goes to the history), or take theirs (yours goes to the history)."""

    from PySide6.QtCore import Signal as _Signal

    choice = _Signal(str)

    def __init__(self, why: str, mine: str, theirs: str, parent: QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle("Changed on disk - Handrail editor")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        label = QLabel(f"{why}\nNothing is lost whichever you choose.")
        label.setWordWrap(True)
        label.setTextFormat(Qt.TextFormat.PlainText)
        self.mine = QPlainTextEdit(mine, readOnly=True)
        self.theirs = QPlainTextEdit(theirs, readOnly=True)
        panes = QSplitter()
        for title, pane in (("Yours (not saved)", self.mine), ("On disk now", self.theirs)):
            box = QWidget()
            column = QVBoxLayout(box)
            column.setContentsMargins(0, 0, 0, 0)
            column.addWidget(QLabel(f"<b>{title}</b>"))
            column.addWidget(pane)
            panes.addWidget(box)
        buttons = QDialogButtonBox()
        self.buttons = {
            "separate": buttons.addButton("&Keep both as separate aids",
                                          QDialogButtonBox.ButtonRole.AcceptRole),
            "mine": buttons.addButton("Save &mine (theirs to the history)",
                                      QDialogButtonBox.ButtonRole.AcceptRole),
            "theirs": buttons.addButton("Take &theirs (mine to the history)",
                                        QDialogButtonBox.ButtonRole.AcceptRole),
            "later": buttons.addButton("Decide &later", QDialogButtonBox.ButtonRole.RejectRole),
        }
        for name, button in self.buttons.items():
            button.clicked.connect(lambda _checked=False, name=name: self._chosen(name))
        self.buttons["separate"].setDefault(True)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(panes, 1)
        layout.addWidget(buttons)
        self.resize(900, 520)

    def _chosen(self, name: str) -> None:
        if name != "later":
            self.choice.emit(name)
        self.close()


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
