"""The Settings dialog: hotkey, library folders (and what is shared with a team's), start at
login, appearance; and, on a page of its own, the team libraries (app/team_libraries.py)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QKeySequenceEdit,
    QLabel,
    QListWidget,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from job_aids import JobAidError
from job_aids.collections import CollectionRegistry

from .settings import DEFAULT_HOTKEY, Settings

SHARING_NOTES = {
    "off": "Nothing about your searches leaves this machine.",
    "counts": "Once a day this machine adds to the folder, in .handrail/insights/: how many "
              "searches found nothing opened, and for this folder's aids how often each was "
              "opened, pinned, copied, finished or voted on. No search words, window titles, "
              "comments or other aids.",
    "words": "As counts only, and also the words of searches that found nothing and of "
             "searches that led to one of this folder's aids (so the team's searches rank "
             "better). No window titles, no comments, nothing about other aids.",
}

# Applies settings; returns an error message to show, or None when all went well.
Apply = Callable[[Settings], str | None]


class SettingsDialog(QDialog):
    def __init__(self, settings: Settings, collections: CollectionRegistry, apply: Apply,
                 parent: QWidget | None = None, *, team_page: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Handrail settings")
        self._settings = settings
        self._collections = collections  # changed only when OK is pressed
        self._apply = apply
        # Folder changes are tried on a draft of the list and replayed on OK: Cancel undoes
        # them (an added folder stayed in collections.json after Cancel).
        self._scratch = tempfile.TemporaryDirectory(prefix="handrail-settings-")
        self._draft = collections.draft(Path(self._scratch.name))
        self._changes: list[Callable[[CollectionRegistry], object]] = []

        self.hotkey = QKeySequenceEdit(QKeySequence(settings.hotkey))
        self.hotkey.setMaximumSequenceLength(1)
        self.hotkey.setClearButtonEnabled(True)
        default = QPushButton(f"Default ({DEFAULT_HOTKEY})")
        default.clicked.connect(lambda: self.hotkey.setKeySequence(QKeySequence(DEFAULT_HOTKEY)))
        hotkey_row = QHBoxLayout()
        hotkey_row.addWidget(self.hotkey, 1)
        hotkey_row.addWidget(default)

        self.folders = QListWidget()
        self._fill_folders()
        add = QPushButton("&Add folder…")
        add.clicked.connect(self._add_folder)
        self.read_only = QCheckBox("add &read-only")
        self.read_only.setToolTip("Aids of a read-only folder are shown and searched, never "
                                  "changed (a team's published library)")
        remove = QPushButton("&Remove")
        remove.setToolTip("Handrail forgets the folder; its files are kept")
        remove.clicked.connect(self._remove_folder)
        folder_buttons = QHBoxLayout()
        folder_buttons.addWidget(add)
        folder_buttons.addWidget(self.read_only)
        folder_buttons.addWidget(remove)
        folder_buttons.addStretch(1)

        # What this machine shares with the selected team folder (off until chosen).
        self.sharing = QComboBox()
        self.sharing.setAccessibleName("Share insights with this folder's team")
        for label, value in (("Share nothing", "off"), ("Share counts only", "counts"),
                             ("Share counts and search words", "words")):
            self.sharing.addItem(label, value)
        self.sharing.activated.connect(self._sharing_chosen)
        self.sharing_note = QLabel()
        self.sharing_note.setWordWrap(True)
        self.sharing_note.setTextFormat(Qt.TextFormat.PlainText)
        self.folders.currentRowChanged.connect(self._show_sharing)
        self.team_ranking = QCheckBox("Rank higher what colleagues opened for the same words")
        self.team_ranking.setToolTip("Uses the insights your team shares in its folders; it "
                                     "sends nothing of yours")
        self.team_ranking.setChecked(settings.team_ranking)

        self.start_at_login = QCheckBox("Start Handrail when I log in")
        self.start_at_login.setChecked(settings.start_at_login)
        self.clipboard = QCheckBox("Where there is no selection to read, use the clipboard")
        self.clipboard.setChecked(settings.use_clipboard_as_selection)
        self.theme = QComboBox()
        for label, value in (("Follow the system", "system"), ("Light", "light"),
                             ("Dark", "dark")):
            self.theme.addItem(label, value)
        self.theme.setCurrentIndex(max(0, self.theme.findData(settings.theme)))

        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.PlainText)
        self.message.setObjectName("settingsMessage")
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #c62828")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("&Hotkey:", hotkey_row)
        form.addRow("Library folders:", self.folders)
        form.addRow("", folder_buttons)
        form.addRow("&Insights:", self.sharing)
        form.addRow("", self.sharing_note)
        form.addRow("", self.team_ranking)
        form.addRow("", self.start_at_login)
        form.addRow("", self.clipboard)
        form.addRow("&Appearance:", self.theme)
        layout = QVBoxLayout(self)
        if team_page is None:
            layout.addLayout(form)
        else:  # Ctrl+Tab goes from one page to the other
            general = QWidget()
            general.setLayout(form)
            self.pages = QTabWidget()
            self.pages.addTab(general, "&General")
            self.pages.addTab(team_page, "Team &libraries")
            layout.addWidget(self.pages)
        layout.addWidget(self.message)
        layout.addWidget(buttons)

    def _fill_folders(self) -> None:
        self.folders.clear()
        for collection in self._draft.all():
            lock = " (read-only)" if collection.read_only else ""
            self.folders.addItem(f"{collection.name} · {collection.path}{lock}")

    def _show_sharing(self, row: int) -> None:
        collections = self._draft.all()
        collection = collections[row] if 0 <= row < len(collections) else None
        can_share = collection is not None and collection.kind.value in ("team", "folder") \
            and not collection.read_only
        self.sharing.setEnabled(can_share)
        mode = collection.share_insights if collection is not None else "off"
        self.sharing.setCurrentIndex(max(0, self.sharing.findData(mode)))
        self.sharing_note.setText(SHARING_NOTES[mode] if can_share else
                                  "Insights are shared only with a writable team folder; "
                                  "select one above.")

    def _sharing_chosen(self) -> None:
        row = self.folders.currentRow()
        if row < 0:
            return
        name, mode = self._draft.all()[row].name, str(self.sharing.currentData())
        self._change(lambda registry: registry.set_sharing(name, mode))
        self.folders.setCurrentRow(row)

    def _add_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "A folder of Markdown aids")
        if folder:
            read_only = self.read_only.isChecked()
            self._change(lambda registry: registry.add(Path(folder), read_only=read_only))

    def _remove_folder(self) -> None:
        row = self.folders.currentRow()
        if row >= 0:
            name = self._draft.all()[row].name
            self._change(lambda registry: registry.remove(name))

    def _change(self, change: Callable[[CollectionRegistry], object]) -> None:
        try:
            change(self._draft)
        except JobAidError as error:
            self.message.setText(str(error))
            return
        self._changes.append(change)
        self.message.clear()
        self._fill_folders()

    def done(self, result: int) -> None:
        super().done(result)
        self._scratch.cleanup()

    def chosen(self) -> Settings:
        sequence = self.hotkey.keySequence().toString(QKeySequence.SequenceFormat.PortableText)
        return replace(self._settings, hotkey=sequence or self._settings.hotkey,
                       start_at_login=self.start_at_login.isChecked(),
                       use_clipboard_as_selection=self.clipboard.isChecked(),
                       theme=str(self.theme.currentData()),
                       team_ranking=self.team_ranking.isChecked())

    def accept(self) -> None:
        while self._changes:  # the folder changes, tried on the draft, made for real
            try:
                self._changes[0](self._collections)
            except JobAidError as failed:
                self.message.setText(str(failed))
                return
            self._changes.pop(0)
        error = self._apply(self.chosen())
        if error:
            self.message.setText(error)  # stay open: the user picks another hotkey
            return
        super().accept()
