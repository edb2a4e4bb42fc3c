"""The tray app: owns the hotkey, popup, pinned windows, editors and the instance server.

Each of those is its own small class; this one wires user actions to core calls.
"""

from __future__ import annotations

import html
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QFileSystemWatcher, QObject, QRect, QTimer, Signal
from PySide6.QtGui import QCursor, QGuiApplication, QIcon
from PySide6.QtWidgets import (
    QApplication,
    QInputDialog,
    QMessageBox,
    QSystemTrayIcon,
    QToolTip,
    QWidget,
)

from job_aids import KINDS, JobAid, JobAidError, LibraryStore
from job_aids.checklist import Checklist, PinnedState
from job_aids.drafts import Draft, DraftStore
from job_aids.paths import HandrailPaths
from job_aids.plain import plain_text
from job_aids.templates import copy_text
from resources import icon_file
from search import SearchError, SearchResponse, SearchResult
from search.catalogue import CatalogueEntry
from search.usage import SearchSession, query_key

if TYPE_CHECKING:
    from search.insights import Report

    from .conflicts_window import ConflictsWindow
    from .insights_window import InsightsWindow

from . import autostart, dialogs, logs, trace
from .aid_view import OWN_COPY_NOTE, AidWindow, aid_page, load_page, show_hotkey, with_hotkey
from .background import run_in_background
from .editor import EditorWindow, Vocabulary, editor_text
from .hotkey import TOGGLE_HINT, HotkeyError, create_global_hotkey
from .instance import InstanceServer
from .library_window import LibraryWindow
from .pinned_window import PinnedWindow
from .popup import Popup, clipboard_text_for_selection
from .search_worker import HomeRows, SearchWorker
from .settings import Settings
from .settings_dialog import SettingsDialog
from .team_sync import TeamSync
from .theme import apply_theme, follow_system
from .tray import Tray
from .window_context import WindowContext, create_context_reader

log = logging.getLogger("handrail")

TRIM_AFTER_HIDE_MS = 3000  # memory freed by a search session goes back once the user is done
TEAM_ROUND_MS = 3600_000  # hourly: share finished days, read what colleagues found


def dependency_licences() -> list[tuple[str, str]]:
    """(name, licence) of each package Handrail needs, as their installed metadata says."""
    from importlib.metadata import PackageNotFoundError, metadata, requires

    try:
        wanted = [re.split(r"[ ;<>=!\[]", line, maxsplit=1)[0] for line in requires("handrail")
                  or [] if "extra ==" not in line]
    except PackageNotFoundError:
        return []
    found = []
    for name in wanted:
        try:
            info = metadata(name)
        except PackageNotFoundError:
            continue
        fields = info.json  # the metadata as a dict: Classifier is a list there
        classifiers = fields.get("classifier", [])
        licence = str(fields.get("license_expression") or next(
            (c.split(" :: ")[-1] for c in classifiers if c.startswith("License ::")), None)
            or str(fields.get("license") or "")[:40])
        found.append((str(fields.get("name") or name), licence.strip() or "see its metadata"))
    return found


class Controller(QObject):
    # The top-level hook's messages, from whichever thread failed, shown on the GUI thread.
    unexpected = Signal(str)

    def __init__(self, app: QApplication, paths: HandrailPaths, store: LibraryStore,
                 instance_name: str) -> None:
        super().__init__()
        self.app = app
        self.unexpected.connect(self.show_unexpected)
        self.paths = paths
        self.store = store
        self.settings_file = paths.config / "settings.json"
        self.settings, settings_problem = Settings.load(self.settings_file)
        self.messages: list[str] = [settings_problem] if settings_problem else []
        apply_theme(app, self.settings.theme)
        follow_system(app, lambda: self.settings.theme)
        app.focusWindowChanged.connect(
            lambda window: trace.trace("focus-window", title=window.title() if window else None))

        self.pinned = PinnedState(paths.state / "pinned.json")
        self.drafts = DraftStore(paths.state / "drafts")
        self.pinned_windows: dict[str, PinnedWindow] = {}
        self.windows: list[QWidget] = []  # open aids and editors, kept alive while shown
        self.last_copied_note = ""  # what the last copy said to the user
        # Pinned aids' files: an edit shows in their windows at once.
        self._pinned_files = QFileSystemWatcher(self)
        self._pinned_files.fileChanged.connect(self._pinned_file_changed)
        self._changed_pinned: set[str] = set()
        self._pinned_refresh = QTimer(self, singleShot=True, interval=150)
        self._pinned_refresh.timeout.connect(self._refresh_pinned)
        self.context = WindowContext()
        self.context_reader = create_context_reader(QGuiApplication.platformName())

        self.hotkey = create_global_hotkey(self)
        self.hotkey.activated.connect(self._hotkey_pressed)
        self.hotkey.lost.connect(self._hotkey_lost)
        self.popup = Popup()
        self.popup.pinned_ids = tuple(self.pinned.pinned)
        self.worker = SearchWorker(paths, store)
        self.worker.answered.connect(self._answered)
        self.worker.failed.connect(self._failed)
        self.worker.progress.connect(self._progress)
        self.worker.indexed.connect(self._indexed)
        self.worker.unreachable.connect(self.popup.set_unreachable)
        self.popup.search_requested.connect(self.worker.submit)
        self.popup.open_requested.connect(self.open_result)
        self.popup.pin_requested.connect(self.pin_result)
        self.popup.edit_requested.connect(self.edit_result)
        self.popup.copy_requested.connect(self.copy_result)
        self.popup.create_requested.connect(self.create_aid)
        self.popup.preview_requested.connect(self._load_preview)
        self.popup.preview.aid_link.connect(self._open_title_from_popup)
        self.popup.dismissed.connect(self._give_focus_back)
        self.popup.clicked_away.connect(self._left_for_another_window)
        self.popup.mark_requested.connect(self.mark_for_app)
        self.popup.reveal_requested.connect(self.reveal_result)
        self.popup.delete_requested.connect(self.delete_result)
        self.popup.undo_requested.connect(self.undo_delete)
        self.popup.library_requested.connect(self.open_library)
        self.library: LibraryWindow | None = None
        self.insights: InsightsWindow | None = None
        self.conflicts: ConflictsWindow | None = None
        self.index_current = False  # the first update since the start has finished
        self.popup.insights_requested.connect(self.open_insights)
        self.popup.voted.connect(lambda result, vote, comment: self.worker.vote(
            result.id, vote, comment))
        self._last_trashed: tuple[str, str] | None = None  # entry id, title
        self.popup.became_active.connect(lambda: self.popup.replay(self.hotkey.release_keys()))
        # The searches of this showing of the popup, recorded when it ends (search/usage.py).
        self._session: SearchSession | None = None
        self.popup.searched.connect(self._searched)
        self._trim_timer = QTimer(self, singleShot=True, interval=TRIM_AFTER_HIDE_MS)
        self._trim_timer.timeout.connect(self._shrink)

        self.tray = Tray(QIcon(str(icon_file())), self._pinned_titles, self._raise_pinned, self)
        self.tray.search.connect(lambda: self.toggle(force_show=True))
        self.tray.new_aid.connect(lambda: self.create_aid(""))
        self.tray.library.connect(self.open_library)
        self.tray.insights.connect(self.open_insights)
        self.worker.team_ranking = self.settings.team_ranking
        self._team_timer = QTimer(self, interval=TEAM_ROUND_MS)
        self._team_timer.timeout.connect(self.worker.team_round)
        self._team_timer.start()
        self.team_sync = TeamSync(self.store, self)
        self.team_sync.status_changed.connect(self.tray.show_sync_status)
        self.tray.sync_status.triggered.connect(self.sync_clicked)
        self.team_sync.conflicts_changed.connect(self.tray.show_conflicts)
        self.tray.conflicts.connect(self.open_conflicts)
        self.tray.settings.connect(self.open_settings)
        self.tray.open_log_folder.connect(self.open_log_folder)
        self.tray.help.connect(self.open_help)
        self.tray.about.connect(self.show_about)
        self.tray.quit.connect(self.quit)
        self.server = InstanceServer(instance_name, self.handle_request, self)
        self._quitting = False
        self._last_progress_refresh = 0.0

    # -- start and stop -------------------------------------------------------------------------
    def start(self) -> bool:
        if not self.server.listen():
            log.error("error: cannot listen for other instances (%s)",
                      self.server.error_string())
            return False
        hotkey_error = self._register_hotkey(self.settings.hotkey)
        # The index opens on the worker thread once the tray is up: ready first, search next.
        QTimer.singleShot(0, self.worker.start)
        self.team_sync.start()
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray.icon.show()
        else:
            how = (f"press {self.hotkey.sequence}" if self.hotkey.sequence else "")
            how = f"{how} or run `handrail toggle`" if how else "run `handrail toggle`"
            self.messages.append(f"no system tray was found; Handrail keeps running: {how} "
                                 "to open the search popup, `handrail quit` to end it")
        if hotkey_error:
            self.messages.append(hotkey_error)
        for message in self.messages:
            log.warning("%s", message)
        if hotkey_error and self.tray.icon.isVisible():
            self.tray.icon.showMessage("Handrail: hotkey not available",
                                       f"{hotkey_error}. Click here to pick another.",
                                       QSystemTrayIcon.MessageIcon.Warning)
            self.tray.icon.messageClicked.connect(self.open_settings)
        QTimer.singleShot(0, self._restore_pinned)
        QTimer.singleShot(0, self._offer_drafts)
        trace.trace("tray-ready", tray=self.tray.icon.isVisible(),
                    hotkey=self.hotkey.sequence)
        return True

    def _shrink(self) -> None:
        """The user is done searching: give back what searching and painting kept."""
        from PySide6.QtGui import QPixmapCache

        QPixmapCache.clear()  # the style's pixmaps of rows, hints and frames, rebuilt at will
        self.worker.shrink()

    def open_help(self) -> None:
        """The starter library's guide: its welcome aid."""
        from resources import starter_dir

        try:
            self.open_aid(self.store.load(starter_dir() / "welcome.md"))
        except JobAidError as error:
            dialogs.warn(None, "Handrail", f"The guide cannot be shown: {error}")

    def show_about(self) -> None:
        from .cli import installed_version

        paths = self.paths
        dialogs.inform(None, "About Handrail", "\n".join([
            f"Handrail {installed_version()}: the job aid you need, one keystroke away.",
            "",
            f"Your aids: {paths.own_library}",
            f"Settings: {paths.config}",
            f"Search index: {paths.cache}",
            f"Log: {logs.log_file(paths)}",
            "",
            "Handrail and its starter library: MIT licence.",
            "Built with: " + ", ".join(f"{name} ({licence})"
                                       for name, licence in dependency_licences()) + "."]))

    def open_log_folder(self) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        folder = self.paths.logs
        folder.mkdir(parents=True, exist_ok=True)
        if not QDesktopServices.openUrl(QUrl.fromLocalFile(str(folder))):
            self.show_unexpected(f"No file manager could open {folder}; the log is "
                                 f"{logs.log_file(self.paths)}")

    def show_unexpected(self, message: str) -> None:
        """Tell the user what went wrong (the top-level hook's messages land here)."""
        if self.tray.icon.isVisible():
            self.tray.icon.showMessage("Handrail", message, QSystemTrayIcon.MessageIcon.Warning)
        else:
            self.popup.show_progress(message)

    def quit(self) -> None:
        if self._quitting:
            return
        self._quitting = True
        for window in list(self.pinned_windows.values()):
            window.unpinned.disconnect()  # closing at quit keeps them pinned for next time
            window.close()
        self.pinned_windows.clear()
        self.hotkey.unregister()
        self.team_sync.stop()
        self.server.close()
        self.tray.icon.hide()
        self.worker.stop()
        self.app.quit()

    def _register_hotkey(self, sequence: str) -> str | None:
        try:
            self.hotkey.register(sequence)
        except HotkeyError as error:
            self.tray.set_hotkey_hint(None)
            show_hotkey(None)
            return f"the hotkey {sequence} is not available: {error}"
        self.tray.set_hotkey_hint(sequence)
        show_hotkey(sequence)  # the starter aids name the hotkey in use
        return None

    def _hotkey_lost(self, why: str) -> None:
        message = f"the hotkey {self.hotkey.sequence} is not available: {why}"
        self.tray.set_hotkey_hint(None)
        self.messages.append(message)
        log.warning("%s", message)
        if self.tray.icon.isVisible():
            self.tray.icon.showMessage("Handrail: hotkey not available", message,
                                       QSystemTrayIcon.MessageIcon.Warning)

    # -- the popup ------------------------------------------------------------------------------
    def _hotkey_pressed(self) -> None:
        trace.trace("hotkey")
        self.toggle()

    def _own_window(self, window_id: int | None) -> bool:
        if window_id is None:
            return False
        ours = [self.popup, *self.pinned_windows.values(), *self.windows]
        return any(int(widget.winId()) == window_id for widget in ours if widget.isVisible())

    def toggle(self, query: str | None = None, force_show: bool = False) -> None:
        if self.popup.isVisible() and query is None and not force_show:
            if self._popup_in_front():
                self.popup.dismiss()
                return
            # On screen but not in front: the press brings it to the front (below), and the
            # focus change Qt has yet to see must not then hide it as a click away.
            self.popup.forget_activation()
        elif not self.popup.isVisible():
            context = self.context_reader.capture()
            if not self._own_window(context.window_id):
                self.context = context
        self._trim_timer.stop()  # back within seconds: keep what the last search cached
        self.popup.pinned_ids = tuple(self.pinned.pinned)
        self.popup.show_for(self.context, query)
        self.worker.check_reachable()
        QTimer.singleShot(0, self._read_selection)
        # Window managers may refuse focus to a window asking for it itself (the key event
        # came on our own X connection, so Qt's user time is old): ask as a pager would.
        QTimer.singleShot(0, self._make_popup_active)
        QTimer.singleShot(80, lambda: self._make_popup_active(force=True))

    def _popup_in_front(self) -> bool:
        """Whether the popup has the keyboard, as the window system sees it now: Qt learns of
        a click elsewhere only when it gets to that event, and a busy moment made the next
        press hide a popup the user could not type into."""
        if not self.popup.isActiveWindow():
            return False
        focused = self.context_reader.has_keyboard(int(self.popup.winId()))
        return focused is not False  # None: no way to ask here, Qt's view is all there is

    def _make_popup_active(self, force: bool = False) -> None:
        if self.popup.isVisible() and not self.popup.isActiveWindow():
            trace.trace("popup-activation-requested", force=force)
            window, when = int(self.popup.winId()), self.hotkey.event_time
            if force:
                self.context_reader.force_focus(window, when)
            else:
                self.context_reader.activate(window, when)

    def _read_selection(self, again: bool = True) -> None:
        text = clipboard_text_for_selection(self.settings.use_clipboard_as_selection)
        self.popup.set_selection(text)
        if not text and again:
            # Qt learns of a new selection owner by an event; one taken just before the hotkey
            # (a second program's) may not be known yet at the first look.
            QTimer.singleShot(250, self._read_selection_again)

    def _read_selection_again(self) -> None:
        if self.popup.isVisible() and not self.popup.context.selection:
            self._read_selection(again=False)

    def _give_focus_back(self) -> None:
        self._left_for_another_window()
        if self.context.window_id is not None:
            self.context_reader.activate(self.context.window_id)

    def mark_for_app(self, result: SearchResult) -> None:
        """Ctrl+M: show this aid first whenever the user is in this application (kept in
        Handrail's own state: no aid file is changed, read-only ones can be marked too)."""
        app = self.context.app
        if not app:
            return
        self.worker.mark_for_app(result.id, app)
        self.popup.show_progress(f"“{result.title}” now shows first in {app}.")
        self.popup.refresh()

    def reveal_result(self, result: SearchResult) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        self.popup.dismiss()
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(result.path).parent)))

    def delete_result(self, result: SearchResult) -> None:
        """To the trash, with Ctrl+Z to undo (nothing is lost by a slip of the finger)."""
        aid = self._load(result)
        if aid is None:
            return
        try:
            entry = self.store.delete_aid(aid)
        except JobAidError as error:
            self.popup.show_error(f"“{result.title}” was not deleted: {error}")
            return
        self._last_trashed = (entry.entry_id, result.title)
        self.popup.forget_result(result.id)
        self.popup.show_progress(f"Moved “{result.title}” to the trash · Ctrl+Z undoes it")
        self.worker.update_soon()

    def undo_delete(self) -> None:
        if self._last_trashed is None:
            return
        entry_id, title = self._last_trashed
        try:
            self.store.restore(entry_id)
        except JobAidError as error:
            self.popup.show_error(f"“{title}” could not be brought back: {error}")
            return
        self._last_trashed = None
        self.popup.show_progress(f"“{title}” is back.")
        self.worker.update_soon()
        QTimer.singleShot(1500, self.popup.refresh)  # found again once indexed

    def _back_to_work(self) -> None:
        """Esc in a pinned window: the keyboard goes back to the window the user works in."""
        if self.context.window_id is not None:
            self.context_reader.activate(self.context.window_id)

    def _left_for_another_window(self) -> None:
        """The popup is gone; the window the user clicked keeps the keyboard."""
        self._trim_timer.start()
        self.hotkey.release_keys()
        self._end_search()

    def _answered(self, generation: int, answer: SearchResponse | HomeRows,
                  seconds: float) -> None:
        trace.trace("answered", generation=generation, ms=round(seconds * 1000, 2))
        self.popup.show_answer(generation, answer)

    def _failed(self, generation: int, message: str) -> None:
        if generation < 0:
            self.popup.show_progress(message)
            log.warning("%s", message)
        elif generation == self.popup.generation:
            self.popup.show_error(message)

    def _indexed(self, _stats: object) -> None:
        trace.trace("index-current")
        self.index_current = True
        self.worker.shrink()  # what the update analysed and read is not needed any more
        self.popup.show_progress("")
        self.popup.refresh()  # what was shown came from a partial index
        if self.library is not None and self.library.isVisible():
            self.library.reload()  # it may have been opened before the index was
        if self.insights is not None and self.insights.isVisible():
            self.insights.reload()

    def _progress(self, done: int, total: int) -> None:
        text = (f"Indexing {done:,} of {total:,} aids… results come from those indexed so far"
                if done < total else "")
        self.popup.show_progress(text)
        now = time.monotonic()
        if text and now - self._last_progress_refresh > 1.0:
            self._last_progress_refresh = now
            self.popup.refresh()  # more aids are searchable now
        self.tray.icon.setToolTip(f"Handrail: indexing {done:,} of {total:,}" if text
                                  else "Handrail")

    def _load_preview(self, generation: int, path: str) -> None:
        store = self.store
        run_in_background(lambda: load_page(store, path, self._has_own_copy),
                          lambda shown: self.popup.show_preview(generation, *shown),
                          lambda error: self.popup.show_preview(
                              generation, f"<p>Cannot show this aid: {html.escape(str(error))}"
                              "</p>", None))

    def _searched(self, query: str, results: int) -> None:
        if self._session is None:
            self._session = SearchSession(self.context.app or "", self.context.window_title or "")
        self._session.answered(query, results)

    def _end_search(self, aid_id: str | None = None, action: str | None = None) -> None:
        """The popup's searching is over: record what was searched and what came of it (a
        search that ended without an aid opened is a content gap, search/insights.py)."""
        session, self._session = self._session, None
        if session is not None:
            self.worker.record_searches(session.finish(aid_id, action))
        if aid_id and action and action != "open":
            self.worker.record_event(action, aid_id)

    # -- acting on an aid -------------------------------------------------------------------------
    def _load(self, result: SearchResult) -> JobAid | None:
        try:
            return self.store.load(Path(result.path))
        except JobAidError as error:
            self.popup.show_error(f"Cannot open {result.title}: {error}")
            return None

    def open_result(self, result: SearchResult) -> None:
        aid = self._load(result)
        if aid is None:
            return
        self._end_search(aid.id, "open")
        self.popup.hide()
        self.worker.record_open(aid.id)
        self.open_aid(aid)

    def open_aid(self, aid: JobAid) -> None:
        """An aid in its window; a link aid opens its address (a safe scheme only) instead."""
        if aid.kind == "link" and aid.url and _opens_outside(aid.url):
            trace.trace("link-opened", title=aid.title)
            return
        note = OWN_COPY_NOTE if self._has_own_copy(aid.id) else ""
        window = AidWindow(aid, aid_page(aid, note), on_pin=self.pin_aid, on_edit=self.edit_aid,
                           on_link=self.open_title,
                           on_vote=lambda a, vote, comment: self.worker.vote(a.id, vote, comment),
                           on_review=self.request_review)
        self._keep(window)
        window.show()
        window.raise_()
        window.activateWindow()
        trace.trace("aid-opened", title=aid.title)

    def _has_own_copy(self, aid_id: str) -> bool:
        """Whether the user made their own copy of the aid (the index knows; any thread)."""
        service = self.worker.service
        try:
            return service is not None and bool(service.engine.copies_of(aid_id))
        except SearchError:
            return False

    def open_title(self, title: str) -> None:
        """The aid a [[wiki link]] names. Finding it reads the library (seconds with 38k
        aids), so it runs on a pool thread and the window stays responsive."""
        def found(aid: JobAid) -> None:
            self.worker.record_open(aid.id)
            self.open_aid(aid)

        def missing(error: Exception) -> None:
            if not isinstance(error, JobAidError):
                raise error
            dialogs.inform(None, "Handrail", f"The link [[{title}]] leads nowhere: {error}")

        run_in_background(lambda: self.store.find_linked(title), found, missing)

    def _open_title_from_popup(self, title: str) -> None:
        self.popup.hide()
        self.open_title(title)

    def request_review(self, aid: JobAid, note: str) -> None:
        """Ask the owner to look at an aid: a prepared mail (the owner's address is in the
        aid), and a count in the team's shared insights where the team shares them."""
        from .insights_window import open_mail, request_review_url

        self.worker.record_event("review-request", aid.id, note)
        owner = aid.owner or ""
        if "@" in owner and not open_mail(request_review_url(owner.removeprefix("mailto:"),
                                                             aid.title, note)):
            dialogs.inform(None, "Handrail", f"No mail program opened. Write to {owner} about "
                           f"“{aid.title}”.")

    def open_insights(self) -> None:
        """The Insights window (one; read anew each time it is shown)."""
        from .insights_window import InsightsWindow

        if self.popup.isVisible():
            self.popup.hide()
        if self.insights is None:
            self.insights = InsightsWindow(self._report, self._dismiss_gap)
            self.insights.write_requested.connect(self._write_for_gap)
            self.insights.open_requested.connect(self._open_by_id)
        self.insights.reload()
        self.insights.show()
        self.insights.raise_()
        self.insights.activateWindow()
        trace.trace("insights-shown")

    def _report(self) -> Report:
        service = self.worker.service
        if service is None:
            raise SearchError("the search index is still opening; press F5 in a moment")
        return service.report()

    def _dismiss_gap(self, query: str) -> None:
        if self.worker.service is not None:
            self.worker.service.usage.dismiss_gap(query)

    def _write_for_gap(self, query: str, apps: list[str]) -> None:
        self.create_aid(query, apps=apps[:3])

    def _open_by_id(self, aid_id: str) -> None:
        service = self.worker.service
        found = service.engine.results_for_ids([aid_id]) if service is not None else []
        if found:
            self._act_on_path(found[0].path, self.open_aid)

    def open_library(self) -> None:
        """The Library window (one; shown again and read anew if it is open)."""
        if self.popup.isVisible():
            self.popup.hide()
        if self.library is None:
            self.library = LibraryWindow(self.store, self._catalogue)
            self.library.open_requested.connect(lambda path: self._act_on_path(path, self.open_aid))
            self.library.edit_requested.connect(lambda path: self._act_on_path(path, self.edit_aid))
            self.library.pin_requested.connect(lambda path: self._act_on_path(path, self.pin_aid))
            self.library.changed.connect(self.worker.update_soon)
        self.library.reload()
        self.library.show()
        self.library.raise_()
        self.library.activateWindow()
        self.library.filter_box.setFocus()
        trace.trace("library-shown")

    def _catalogue(self) -> list[CatalogueEntry]:
        """Every indexed aid, on a background thread (see LibraryWindow)."""
        from search.catalogue import read_catalogue

        service = self.worker.service
        if service is None:
            raise SearchError("the search index is still opening; press F5 in a moment")
        roots = {c.name: str(c.path) for c in self.store.collections.all()}
        return read_catalogue(service.index, service.usage.open_counts(), roots)

    def _editor_vocabulary(self) -> Vocabulary:
        """Titles, tags and apps for the editor to complete, from the index (never by parsing
        every aid), on a background thread."""
        from collections import Counter

        deadline = time.monotonic() + 60
        while self.worker.service is None and time.monotonic() < deadline:
            time.sleep(0.2)  # the index is still opening (the first start): wait for it here
        service = self.worker.service
        if service is None:
            return Vocabulary()
        entries = self._catalogue()
        tags = Counter(tag for entry in entries for tag in entry.tags)
        seen_apps = service.usage.recent_apps()
        listed = Counter(app for entry in entries for app in entry.apps)
        apps = seen_apps + [app for app, _n in listed.most_common() if app not in seen_apps]
        return Vocabulary(titles=sorted({e.title for e in entries if e.title}, key=str.casefold),
                          tags=[tag for tag, _n in tags.most_common()], apps=apps,
                          ids=[e.id for e in entries if e.id])

    def _act_on_path(self, path: str, action: Callable[[JobAid], None]) -> None:
        try:
            aid = self.store.load(Path(path))
        except JobAidError as error:
            dialogs.warn(self.library, "Handrail", f"The aid cannot be opened: {error}")
            return
        if action is self.open_aid and self.worker.service is not None:
            self.worker.record_open(aid.id)
        action(aid)

    def _keep(self, window: QWidget) -> None:
        self.windows.append(window)
        window.destroyed.connect(lambda *_: self.windows.remove(window)
                                 if window in self.windows else None)

    def pin_result(self, result: SearchResult) -> None:
        self._end_search(result.id, "pin")
        self._dismiss_and(result, self.pin_aid)

    def _dismiss_and(self, result: SearchResult, action: Callable[[JobAid], None]) -> None:
        """Load the aid, hide the popup (focus goes back), then act on the aid."""
        aid = self._load(result)
        if aid is not None:
            self.popup.dismiss()
            action(aid)

    def pin_aid(self, aid: JobAid) -> None:
        assert aid.source is not None
        self.pinned.pin(aid.id, aid.source.path)
        self._show_pinned_window(aid)

    def _show_pinned_window(self, aid: JobAid) -> None:
        window = self.pinned_windows.get(aid.id)
        if window is None:
            window = self._new_pinned_window(aid)
            frame = self.context.frame
            window.place(len(self.pinned_windows), QRect(*frame) if frame else None)
            self.pinned_windows[aid.id] = window
        window.show()
        window.raise_()
        trace.trace("pinned-shown", title=aid.title)

    def _new_pinned_window(self, aid: JobAid) -> PinnedWindow:
        window = PinnedWindow(with_hotkey(aid), self.pinned, self._copy_text)
        window.unpinned.connect(self._unpinned)
        window.give_back.connect(self._back_to_work)
        window.finished.connect(lambda aid_id: self.worker.record_event("complete", aid_id))
        window.abandoned.connect(lambda aid_id: None if self._quitting
                                 else self.worker.record_event("abandon", aid_id))
        window.voted.connect(lambda aid_id, vote, comment: self.worker.vote(aid_id, vote,
                                                                           comment))
        if aid.source is not None:
            self._pinned_files.addPath(str(aid.source.path))
        return window

    def _pinned_file_changed(self, path: str) -> None:
        """A pinned aid was saved (here or by another program): show it as it is now, in the
        same place; ticks stay on the steps it still has (they are kept by step text)."""
        self._changed_pinned.add(path)
        self._pinned_refresh.start()

    def _refresh_pinned(self) -> None:
        changed, self._changed_pinned = self._changed_pinned, set()
        for aid_id, old in list(self.pinned_windows.items()):
            source = old.aid.source
            if source is None or str(source.path) not in changed:
                continue
            try:
                aid = self.store.load(source.path)
            except JobAidError:
                continue  # deleted or moved: the window keeps what it showed
            if aid.source is not None and aid.source.digest == source.digest:
                self._pinned_files.addPath(str(source.path))  # re-watch a replaced file
                continue
            window = self._new_pinned_window(aid)
            window.setGeometry(old.geometry())
            old.unpinned.disconnect()
            old.abandoned.disconnect()  # rebuilt, not given up
            old.close()
            self.pinned_windows[aid_id] = window
            window.show()
            trace.trace("pinned-refreshed", title=aid.title)

    def _unpinned(self, aid_id: str) -> None:
        self.pinned.unpin(aid_id)
        self.pinned_windows.pop(aid_id, None)

    def _restore_pinned(self) -> None:
        for aid_id in list(self.pinned.pinned):
            location = self.pinned.locations.get(aid_id)
            try:
                aid = self.store.load(Path(location)) if location else None
            except JobAidError:
                aid = None
            if aid is None or aid.id != aid_id:
                continue  # moved or deleted: the tray menu no longer lists it
            self._show_pinned_window(aid)

    def _pinned_titles(self) -> list[tuple[str, str]]:
        return [(i, w.aid.title) for i, w in self.pinned_windows.items()]

    def _raise_pinned(self, aid_id: str) -> None:
        window = self.pinned_windows.get(aid_id)
        if window is not None:
            window.show()
            window.raise_()
            window.activateWindow()

    def copy_result(self, result: SearchResult) -> None:
        aid = self._load(result)
        if aid is None:
            return
        text = Checklist.from_aid(aid).first_copyable() or plain_text(aid.body)
        self._end_search(aid.id, "copy")
        self.popup.dismiss()
        self._copy_text(text, aid.title)

    def _copy_text(self, text: str, title: str) -> None:
        QApplication.clipboard().setText(text)
        if QApplication.clipboard().supportsSelection():
            QApplication.clipboard().setText(text, QApplication.clipboard().Mode.Selection)
        first = text.strip().splitlines()[0] if text.strip() else ""
        shown = first if len(first) <= 50 else first[:49] + "…"
        self.last_copied_note = f"Copied: {shown}" if shown else "Copied"
        # A brief note where the user is looking, as launchers confirm a copy.
        QToolTip.showText(QCursor.pos(), self.last_copied_note, None, QRect(), 1500)
        trace.trace("copied", title=title, chars=len(text))

    def edit_result(self, result: SearchResult) -> None:
        self._end_search(result.id, "edit")
        self._dismiss_and(result, self.edit_aid)

    def edit_aid(self, aid: JobAid) -> None:
        source = aid.source
        if source is not None and self.store.collections.get(source.collection).read_only:
            answer = dialogs.ask(
                None, "Read-only aid",
                f"“{aid.title}” is in the read-only collection {source.collection!r}. "
                "Edit a copy in your own aids? (It is written when you save it.)")
            if answer != QMessageBox.StandardButton.Yes:
                return
            try:
                text = self.store.open_for_editing(aid).text
            except JobAidError as error:
                dialogs.warn(None, "Handrail", str(error))
                return
            self.open_new_editor(copy_text(text, aid.id))
            return
        try:
            editor = EditorWindow(self.store, aid, drafts=self.drafts,
                                  vocabulary=self._editor_vocabulary)
        except JobAidError as error:
            dialogs.warn(None, "Handrail", f"“{aid.title}” cannot be opened: {error}")
            return
        self._show_editor(editor)

    def _show_editor(self, editor: EditorWindow) -> None:
        self._keep(editor)
        editor.show()
        editor.activateWindow()

    def open_new_editor(self, text: str, on_created: Callable[[JobAid], None] | None = None
                        ) -> EditorWindow:
        """An editor on a new aid that is written only when the user saves it."""
        editor = EditorWindow(self.store, None, new_text=text, drafts=self.drafts,
                              on_created=on_created, vocabulary=self._editor_vocabulary)
        self._show_editor(editor)
        return editor

    def create_aid(self, title: str, apps: list[str] | None = None,
                   kind: str | None = None) -> None:
        if self.popup.isVisible():
            self.popup.dismiss()
        if kind is None:
            labels = [f"{k} — {self.store.templates.describe(k)}" for k in KINDS]
            chosen, ok = QInputDialog.getItem(None, "New aid", "What kind of aid?", labels, 0,
                                              False)
            if not ok:
                return
            kind = chosen.split(" — ", 1)[0].strip()
        apps = apps if apps is not None else [self.context.app] if self.context.app else []
        try:
            text = self.store.new_aid_text(kind, title or "New aid", apps=apps)
        except JobAidError as error:
            dialogs.warn(None, "Handrail", f"The aid was not started: {error}")
            return

        def created(aid: JobAid) -> None:
            if title:  # written from a search: that gap is filled
                self.worker.record_event("create", aid.id, query_key(title))

        self.open_new_editor(text, created)

    def _offer_drafts(self) -> None:
        """Text left unsaved by a crash or a kill: offered back at start."""
        drafts = self.drafts.all()
        if not drafts:
            return
        titles = "\n".join(f"• {d.title}" + (" (a new aid)" if d.is_new else "")
                           for d in drafts[:10])
        answer = dialogs.ask(
            None, "Unsaved text", f"Handrail kept text you had not saved when it last "
            f"stopped:\n{titles}\n\nOpen it again?",
            QMessageBox.StandardButton.Open | QMessageBox.StandardButton.Discard
            | QMessageBox.StandardButton.Cancel, QMessageBox.StandardButton.Open)
        for draft in drafts:
            if answer == QMessageBox.StandardButton.Discard:
                self.drafts.discard(draft.key)
            elif answer == QMessageBox.StandardButton.Open:
                self._reopen_draft(draft)
        trace.trace("drafts-offered", count=len(drafts))

    def _reopen_draft(self, draft: Draft) -> None:
        aid = None
        if not draft.is_new:
            try:
                aid = self.store.load(Path(draft.target))
            except JobAidError:
                aid = None  # gone since: the text comes back as a new aid, nothing is lost
        try:
            editor = EditorWindow(self.store, aid, drafts=self.drafts, draft=draft,
                                  new_text=draft.text, vocabulary=self._editor_vocabulary)
        except JobAidError as error:
            dialogs.warn(None, "Handrail", f"The unsaved text could not be opened: {error}. "
                         f"It stays in {self.drafts.folder}.")
            return
        self._show_editor(editor)

    # -- settings ---------------------------------------------------------------------------------
    def open_settings(self, page: str = "general") -> None:
        dialog = self.settings_dialog()
        if page == "team":
            dialog.pages.setCurrentIndex(1)
        dialog.exec()

    def settings_dialog(self) -> SettingsDialog:
        from .team_libraries import TeamLibrariesPage

        team = TeamLibrariesPage(self.store, self.team_sync.passwords)
        team.changed.connect(self._team_libraries_changed)
        team.conflicts_requested.connect(self.open_conflicts)
        return SettingsDialog(self.settings, self.store.collections, self.apply_settings,
                              team_page=team)

    def _team_libraries_changed(self) -> None:
        self.worker.update_soon()  # a new library's folder is searched, a removed one's kept
        self.team_sync.sync_now()

    # -- team libraries -------------------------------------------------------------------------
    def open_conflicts(self) -> None:
        """The Conflicts window (one; read anew each time it is shown)."""
        from .conflicts_window import ConflictsWindow

        if self.popup.isVisible():
            self.popup.hide()
        if self.conflicts is None:
            self.conflicts = ConflictsWindow(self.store)
            self.conflicts.resolved.connect(self._conflict_resolved)
        self.conflicts.reload()
        self.conflicts.show()
        self.conflicts.raise_()
        self.conflicts.activateWindow()

    def _conflict_resolved(self, left: int) -> None:
        self.worker.update_soon()
        self.team_sync.count_conflicts(left)
        self.team_sync.sync_now()

    def sync_clicked(self) -> None:
        """The tray's Sync entry: a password the keyring lacks is asked for first."""
        for remote in list(self.team_sync.needing_password):
            given = dialogs.ask_password(None, "Handrail: team library",
                                         f"The password for {remote.user} at {remote.url} "
                                         "(kept until Handrail quits: your system's keyring "
                                         "could not keep it)")
            if given is None:
                return
            self.team_sync.passwords[remote.url] = given
        self.team_sync.needing_password = []
        self.team_sync.sync_now()

    def apply_settings(self, chosen: Settings) -> str | None:
        if chosen.hotkey != self.hotkey.sequence:
            previous = self.hotkey.sequence
            error = self._register_hotkey(chosen.hotkey)
            if error:
                if previous:
                    self._register_hotkey(previous)
                return error + ("" if "instead" in error else f"; or {TOGGLE_HINT}")
        if chosen.start_at_login != self.settings.start_at_login:
            try:
                autostart.set_enabled(chosen.start_at_login)
            except OSError as error:
                return f"Start at login could not be changed: {error}"
        if chosen.theme != self.settings.theme:
            apply_theme(self.app, chosen.theme)
        try:
            chosen.save(self.settings_file)
        except OSError as error:
            return f"The settings could not be saved: {error}"
        self.settings = chosen
        self.worker.team_ranking = chosen.team_ranking
        self.worker.team_round()  # a sharing choice or the ranking switch takes effect now
        return None

    # -- requests from other instances ----------------------------------------------------------
    def handle_request(self, request: dict[str, Any]) -> dict[str, Any]:
        command = request.get("cmd")
        query = request.get("query")
        query = str(query) if query is not None else None
        if command == "toggle":
            self.toggle(query)
        elif command == "show":
            self.toggle(query, force_show=True)
        elif command == "hide":
            self.popup.dismiss()
        elif command == "quit":
            QTimer.singleShot(0, self.quit)
        elif command == "library":
            self.open_library()
        elif command == "insights":
            self.open_insights()
        elif command == "new":
            self.create_aid(str(request.get("title") or ""), kind=str(request.get("kind")
                                                                      or "checklist"))
        elif command in ("open", "edit", "pin") and request.get("path"):
            action = {"open": self.open_aid, "edit": self.edit_aid, "pin": self.pin_aid}[command]
            self._act_on_path(str(request["path"]), action)
        elif command == "state":
            return {"ok": True, **self.state()}
        else:
            return {"ok": False, "error": f"unknown command {command!r}"}
        return {"ok": True, "visible": self.popup.isVisible()}

    def _insights_state(self) -> dict[str, Any] | None:
        window = self.insights
        if window is None or not window.isVisible():
            return None
        report = window.report
        return {"active": window.isActiveWindow(), "summary": window.summary.text(),
                "tab": window.tabs.tabText(window.tabs.currentIndex()).replace("&", ""),
                "gaps": [g.query for g in report.gaps] if report else None}

    def _library_state(self) -> dict[str, Any] | None:
        library = self.library
        if library is None or not library.isVisible():
            return None
        return {"active": library.isActiveWindow(), "filter": library.filter_box.text(),
                "shown": len(library.model.rows), "total": len(library.catalogue.entries),
                "status": library.status.text(),
                "rows": [e.title for e in library.model.rows[:50]]}

    def state(self) -> dict[str, Any]:
        """What the user sees, for scripts and end-to-end tests."""
        popup = self.popup
        current = popup.current_row()
        return {
            "visible": popup.isVisible(), "active": popup.isActiveWindow(),
            "focus_in_search_box": popup.search_box.hasFocus(),
            "query": popup.search_box.text(), "generation": popup.generation,
            "notice": popup.notice.text() if popup.notice.isVisible() else "",
            "status": popup.status.text(),
            "rows": [{"kind": r.kind, "text": r.result.title if r.result else r.text,
                      "context_match": bool(r.result and r.result.context_match),
                      "stale": bool(r.result and r.result.stale)} for r in popup.model.rows],
            "current": (current.result.title if current and current.result
                        else current.text if current else None),
            "context": {"app": self.context.app, "window_title": self.context.window_title},
            "pinned": [w.aid.title for w in self.pinned_windows.values()],
            "pinned_progress": {w.aid.title: w.progress.text()
                                for w in self.pinned_windows.values()},
            # Where each step's text is, from the pinned window's corner: a test clicks it.
            "pinned_steps": {w.aid.title: [
                {"ticked": box.isChecked(), "current": index == w.current,
                 "at": [row.x() + row.width() // 2, row.mapTo(w, row.rect().center()).y()]}
                for index, ((box, _), row) in enumerate(zip(w.boxes, w.rows, strict=True))]
                for w in self.pinned_windows.values()},
            "windows": [w.windowTitle() for w in self.windows if w.isVisible()],
            "library": self._library_state(),
            "editors": [{"title": w.windowTitle(), "new": w.is_new,
                         "modified": w.text.document().isModified(),
                         "text": editor_text(w.text)}
                        for w in self.windows if isinstance(w, EditorWindow) and w.isVisible()],
            "insights": self._insights_state(),
            "tray": self.tray.icon.isVisible(), "hotkey": self.hotkey.sequence,
        }


def _opens_outside(url: str) -> bool:
    """Open a link aid's address in the browser or mail program, if its scheme is safe."""
    from PySide6.QtCore import QUrl
    from PySide6.QtGui import QDesktopServices

    address = QUrl(url)
    return address.scheme() in ("http", "https", "mailto", "tel") and \
        QDesktopServices.openUrl(address)
