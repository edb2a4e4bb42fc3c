"""The tray icon and its menu: Search, New aid, Library, Insights, Pinned aids, Sync status
(and conflicts to settle, when there are any), Settings, the log, Help, About, Quit."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QMenu, QSystemTrayIcon


class Tray(QObject):
    search = Signal()
    new_aid = Signal()
    library = Signal()
    insights = Signal()
    settings = Signal()
    conflicts = Signal()
    open_log_folder = Signal()
    help = Signal()
    about = Signal()
    quit = Signal()

    def __init__(self, icon: QIcon, pinned_titles: Callable[[], list[tuple[str, str]]],
                 show_pinned: Callable[[str], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pinned_titles = pinned_titles
        self._show_pinned = show_pinned
        self.icon = QSystemTrayIcon(icon, self)
        self.icon.setToolTip("Handrail")
        self.menu = QMenu()
        self._search = self._action("&Search…", self.search.emit)
        self._action("&New aid…", self.new_aid.emit)
        self._action("&Library…", self.library.emit)
        self._action("&Insights…", self.insights.emit)
        self.pinned_menu = self.menu.addMenu("&Pinned aids")
        self.pinned_menu.aboutToShow.connect(self._fill_pinned)
        self.sync_status = self.menu.addAction("Sync: no team library set up")
        self.sync_status.setEnabled(False)
        self.conflicts_entry = self._action("Sync &conflicts…", self.conflicts.emit)
        self.conflicts_entry.setVisible(False)
        self.menu.addSeparator()
        self._action("Se&ttings…", self.settings.emit)
        self._action("Open &log folder", self.open_log_folder.emit)
        self._action("&Help", self.help.emit)
        self._action("&About Handrail", self.about.emit)
        self._action("&Quit Handrail", self.quit.emit)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._activated)

    def _action(self, text: str, slot: Callable[[], None]) -> QAction:
        action = self.menu.addAction(text)
        action.triggered.connect(slot)
        return action

    def show_sync_status(self, text: str) -> None:
        """The team libraries' state; with a library set up, the entry syncs now."""
        shown = text if len(text) <= 60 else text[:59] + "…"  # the rest in its tooltip
        self.sync_status.setText(shown.replace("&", "&&"))
        self.sync_status.setToolTip(text)
        self.sync_status.setEnabled(not text.endswith("no team library set up"))

    def show_conflicts(self, count: int) -> None:
        """An entry to the Conflicts window while any conflict copy waits to be settled."""
        self.conflicts_entry.setText(f"Sync &conflicts to settle: {count}…")
        self.conflicts_entry.setVisible(count > 0)

    def set_hotkey_hint(self, hotkey: str | None) -> None:
        self._search.setText(f"&Search…\t{hotkey}" if hotkey else "&Search…")
        self.icon.setToolTip(f"Handrail: {hotkey} to search" if hotkey
                             else "Handrail: run `handrail toggle` to search")

    def _fill_pinned(self) -> None:
        self.pinned_menu.clear()
        pinned = self._pinned_titles()
        if not pinned:
            self.pinned_menu.addAction("Nothing pinned: Ctrl+Enter in the popup pins an aid"
                                       ).setEnabled(False)
        for aid_id, title in pinned:
            self.pinned_menu.addAction(title).triggered.connect(
                lambda _=False, i=aid_id: self._show_pinned(i))

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (QSystemTrayIcon.ActivationReason.Trigger,
                      QSystemTrayIcon.ActivationReason.DoubleClick):
            self.search.emit()
