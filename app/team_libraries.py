"""Settings' "Team libraries" page: the team libraries this machine syncs, and a form to add
one (a WebDAV server or a shared folder) after testing the connection. Adding and removing
take effect at once (a password goes to the keyring then); the network work runs on a pool
thread, with a busy bar, and every failure is said in the page in words."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from job_aids import JobAidError, LibraryStore
from sync.remotes import Remote, Remotes, remote_url, try_remote
from sync.targets import SyncError

from . import dialogs
from .background import run_in_background

ADDRESS_HINT = "https://dav.example.org/team/ or a shared folder"


def _label(text: str, buddy: QWidget) -> QLabel:
    """A form label whose mnemonic goes to a field that shares its row with a button."""
    label = QLabel(text)
    label.setBuddy(buddy)
    return label


def _when(seconds: float | None) -> str:
    return f"{dt.datetime.fromtimestamp(seconds):%d %b %H:%M}" if seconds else "never"


class TeamLibrariesPage(QWidget):
    changed = Signal()  # a team library was added or removed: a sync round should run
    conflicts_requested = Signal()

    def __init__(self, store: LibraryStore, passwords: dict[str, str],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self._passwords = passwords  # given this run where the keyring cannot keep them
        self.busy_with = ""

        self.libraries = QListWidget()
        self.libraries.setAccessibleName("Team libraries")
        self.libraries.currentRowChanged.connect(self._selected)
        self.remove = QPushButton("&Remove")
        self.remove.setToolTip("Stop syncing it; its local copy stays, and its saved password "
                               "is removed")
        self.remove.clicked.connect(self._remove)
        self.conflicts = QPushButton("&Conflicts…")
        self.conflicts.clicked.connect(self.conflicts_requested.emit)
        row = QHBoxLayout()
        row.addWidget(self.remove)
        row.addWidget(self.conflicts)
        row.addStretch(1)

        self.name = QLineEdit()
        self.name.setPlaceholderText("a short name, e.g. shop-floor")
        self.address = QLineEdit()
        self.address.setPlaceholderText(ADDRESS_HINT)
        self.address.textChanged.connect(self._address_changed)
        folder = QPushButton("&Folder…")
        folder.setToolTip("A shared folder: an SMB share, a Dropbox, OneDrive or Syncthing "
                          "folder, a USB stick")
        folder.clicked.connect(self._choose_folder)
        address_row = QHBoxLayout()
        address_row.addWidget(self.address, 1)
        address_row.addWidget(folder)
        self.user = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setToolTip("Kept in your system's keyring, never in a file")
        self.ca_file = QLineEdit()
        self.ca_file.setPlaceholderText("only if your organisation runs its own")
        ca_browse = QPushButton("&Browse…")
        ca_browse.clicked.connect(self._choose_ca)
        ca_row = QHBoxLayout()
        ca_row.addWidget(self.ca_file, 1)
        ca_row.addWidget(ca_browse)
        self.read_only = QCheckBox("Read-only: receive the team's aids, never send")
        self.test = QPushButton("&Test connection")
        self.test.clicked.connect(self._test)
        self.add = QPushButton("&Add team library")
        self.add.clicked.connect(self._add)
        buttons = QHBoxLayout()
        buttons.addWidget(self.test)
        buttons.addWidget(self.add)
        buttons.addStretch(1)
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)  # busy: how long a server takes is not known
        self.progress.setTextVisible(False)
        self.progress.setMaximumHeight(8)
        self.progress.hide()
        self.result = QLabel()
        self.result.setObjectName("teamResult")
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        form = QFormLayout()
        form.addRow("&Name:", self.name)
        form.addRow(_label("Addr&ess:", self.address), address_row)
        form.addRow("&User:", self.user)
        form.addRow("&Password:", self.password)
        form.addRow(_label("Certificate a&uthority:", self.ca_file), ca_row)
        form.addRow("", self.read_only)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Team libraries synced with this machine (changes here take "
                                "effect at once):"))
        self.libraries.setMaximumHeight(150)
        layout.addWidget(self.libraries)
        layout.addLayout(row)
        layout.addWidget(QLabel("Add a team library:"))
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.result)
        layout.addStretch(1)
        self.reload()
        self._address_changed("")

    # -- the list --------------------------------------------------------------------------
    def _remotes(self) -> Remotes:
        return Remotes(self.store.paths, self.store)

    def reload(self) -> None:
        self.libraries.clear()
        try:
            remotes = self._remotes()
            known, status = remotes.all(), remotes.status()
            conflicts = len(remotes.conflicts())
        except SyncError as error:
            self._say(str(error), error=True)
            known, status, conflicts = [], {}, 0
        self._known = known
        for remote in known:
            state: dict[str, Any] = status.get(remote.name, {})
            last = f"last synced {_when(state.get('last_success'))}"
            trouble = "" if state.get("ok", True) else f" · needs attention: {state['message']}"
            lock = " · read-only" if remote.read_only else ""
            self.libraries.addItem(f"{remote.name} · {remote.url}{lock} · {last}{trouble}")
        if not known:
            self.libraries.addItem("None yet: add one below.")
            self.libraries.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        self.conflicts.setText(f"&Conflicts ({conflicts})…" if conflicts else "&Conflicts…")
        self.conflicts.setEnabled(conflicts > 0)
        self._selected(self.libraries.currentRow())

    def _selected(self, row: int) -> None:
        self.remove.setEnabled(0 <= row < len(self._known) and not self.busy_with)

    def _remove(self) -> None:
        row = self.libraries.currentRow()
        if not 0 <= row < len(self._known):
            return
        remote = self._known[row]
        local = self.store.paths.teams / remote.name
        answer = dialogs.ask(self, "Remove team library",
                             f"Stop syncing {remote.name} ({remote.url})?\n\nIts local copy "
                             f"stays in {local}, and stays searchable. Its saved password is "
                             "removed from the keyring.")
        if answer != dialogs.Button.Yes:
            return

        def removed(notes: list[str]) -> None:
            self._say(f"{remote.name} is no longer synced; its aids stay in {local}."
                      + "".join(f" Note: {note}." for note in notes))
            self.changed.emit()

        self._run("Removing…", lambda: self._removing(remote.name), removed)

    def _removing(self, name: str) -> list[str]:
        remotes = self._remotes()
        remotes.remove(name)
        return remotes.notes

    # -- the form --------------------------------------------------------------------------
    def _address_changed(self, text: str) -> None:
        webdav = text.strip().startswith(("http://", "https://"))
        for field in (self.user, self.password, self.ca_file):
            field.setEnabled(webdav)

    def _choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "The team's shared folder")
        if folder:
            self.address.setText(folder)
            if not self.name.text().strip():
                self.name.setText(folder.rstrip("/").rsplit("/", 1)[-1])

    def _choose_ca(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Your organisation's certificate "
                                                "authority", "", "Certificates (*.pem *.crt)")
        if chosen:
            self.ca_file.setText(chosen)

    def _entered(self) -> tuple[Remote, str | None] | None:
        """The form as a team library, or None after saying what is missing."""
        name, address = self.name.text().strip(), self.address.text().strip()
        if not address:
            self._say("Give the address of the team's WebDAV server, or choose its shared "
                      "folder.", error=True)
            self.address.setFocus()
            return None
        webdav = address.startswith(("http://", "https://"))
        if not name:
            self._say("Give the team library a name.", error=True)
            self.name.setFocus()
            return None
        user = self.user.text().strip() if webdav else ""
        password = self.password.text() if webdav and user else None
        ca_file = self.ca_file.text().strip() if webdav else ""
        return (Remote(name, remote_url(address), self.read_only.isChecked(), user or None,
                       ca_file or None), password)

    def _test(self) -> None:
        entered = self._entered()
        if entered is None:
            return
        remote, password = entered
        self._run("Testing the connection…", lambda: try_remote(remote, password).summary(),
                  self._say)

    def _add(self) -> None:
        entered = self._entered()
        if entered is None:
            return
        remote, password = entered

        def adding() -> list[str]:
            remotes = self._remotes()
            remotes.add(remote.name, remote.url, read_only=remote.read_only, user=remote.user,
                        password=password, ca_file=remote.ca_file)
            return remotes.notes

        def added(notes: list[str]) -> None:
            if password is not None:
                self._passwords[remote.url] = password  # for this run, keyring or not
            unsaved = [n for n in notes if n.startswith("the password is not saved")]
            self._say(f"{remote.name} is added and syncs now."
                      + "".join(f" {n[0].upper()}{n[1:]}." for n in notes)
                      + (" The password is kept until Handrail quits; you are asked for it "
                         "again next time." if unsaved else ""))
            for field in (self.name, self.address, self.user, self.password, self.ca_file):
                field.clear()
            self.read_only.setChecked(False)
            self.changed.emit()

        self._run("Adding: testing the connection…", adding, added)

    # -- background work -------------------------------------------------------------------
    def _run(self, doing: str, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        self.busy_with = doing
        self._busy(True)
        self._say(doing)

        def finished(value: Any) -> None:
            self._busy(False)
            done(value)
            self.reload()

        def failed(error: Exception) -> None:
            self._busy(False)
            self._say(_message(error), error=True)
            self.reload()

        run_in_background(work, finished, failed)

    def _busy(self, busy: bool) -> None:
        if not busy:
            self.busy_with = ""
        self.progress.setVisible(busy)
        for button in (self.test, self.add):
            button.setEnabled(not busy)
        self._selected(self.libraries.currentRow())

    def _say(self, text: str, *, error: bool = False) -> None:
        self.result.setText(text)
        self.result.setProperty("error", error)
        self.result.setStyleSheet("color: #c62828" if error else "")


def _message(error: Exception) -> str:
    if isinstance(error, (SyncError, JobAidError)):
        text = str(error)
        return text[0].upper() + text[1:] + ("" if text.endswith(".") else ".")
    return str(error)  # an UnexpectedError, which says where the log is
