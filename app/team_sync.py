"""Team libraries synced in the background: a round every few minutes (sooner when asked, from
the tray), on a pool thread so the popup never waits for it, and backing off while the server
cannot be reached. What the last round found is one line for the tray: synced, syncing,
offline or needs attention, with the time of the last success."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal

from job_aids import JobAidError, LibraryStore
from sync.engine import SafetyStop
from sync.remotes import NoPassword, Remote, Remotes
from sync.targets import SyncError, Unreachable

from .background import run_in_background

EVERY_MS = 5 * 60 * 1000          # a round this often while all is well
OFFLINE_MAX_MS = 30 * 60 * 1000   # and at most this far apart while a server is unreachable


@dataclass(frozen=True)
class Outcome:
    name: str
    ok: bool
    message: str
    offline: bool = False
    needs_password: bool = False


def sync_all(store: LibraryStore, passwords: dict[str, str] | None = None,
             stop: Callable[[], bool] = lambda: False) -> list[Outcome]:
    """One round for every team library (on a pool thread). No one is asked for a password
    here: the keyring's is used, or one given this run (``passwords``, by address, kept in
    memory only); with neither, the library "needs attention"."""
    given = dict(passwords or {})
    remotes = Remotes(store.paths, store, lambda remote, _problem: given.get(remote.url))
    outcomes = []
    for remote in remotes.all():
        if stop():
            break
        try:
            report = remotes.sync(remote.name, stop=stop)
        except NoPassword as error:
            outcomes.append(Outcome(remote.name, False, str(error), needs_password=True))
        except Unreachable as error:
            outcomes.append(Outcome(remote.name, False, str(error), offline=True))
        except SafetyStop as error:
            outcomes.append(Outcome(remote.name, False, f"stopped: {error}"))
        except (SyncError, JobAidError, OSError) as error:
            outcomes.append(Outcome(remote.name, False, str(error)))
        else:
            outcomes.append(Outcome(remote.name, not report.skipped and not report.stopped,
                                    report.summary()))
    return outcomes


@dataclass(frozen=True)
class _RoundDone:
    outcomes: list[Outcome]
    conflicts: int
    needing_password: list[Remote]


def _sync_round(store: LibraryStore, passwords: dict[str, str],
                stop: Callable[[], bool]) -> _RoundDone:
    outcomes = sync_all(store, passwords, stop)
    remotes = Remotes(store.paths, store)
    asked = {o.name for o in outcomes if o.needs_password}
    return _RoundDone(outcomes, len(remotes.conflicts()),
                      [remote for remote in remotes.all() if remote.name in asked])


def status_line(outcomes: list[Outcome], last_success: dt.datetime | None) -> str:
    if not outcomes:
        return "Sync: no team library set up"
    since = f" (last synced {last_success:%H:%M})" if last_success else ""
    troubled = [o for o in outcomes if not o.ok and not o.offline]
    if troubled:
        first = troubled[0]
        if first.needs_password:  # the tray cuts a long line: what to do comes first
            return f"Sync: needs your password for {first.name}: click to give it " \
                   f"({first.message})"
        more = f" (and {len(troubled) - 1} more)" if len(troubled) > 1 else ""
        return f"Sync: needs attention: {first.name}: {first.message}{more}"
    offline = [o for o in outcomes if o.offline]
    if offline:
        return f"Sync: offline, tried again later{since}: {offline[0].name}: {offline[0].message}"
    return f"Sync: synced at {last_success:%H:%M}" if last_success else "Sync: synced"


class TeamSync(QObject):
    status_changed = Signal(str)
    conflicts_changed = Signal(int)  # how many conflict copies wait to be settled

    def __init__(self, store: LibraryStore, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        # Passwords given this run where the keyring could not keep them (by address); never
        # written anywhere.
        self.passwords: dict[str, str] = {}
        self.needing_password: list[Remote] = []
        self.conflicts = 0
        self.running = False
        self._stopping = threading.Event()  # quitting: the round in flight ends early
        self._idle = threading.Event()      # no round is running on the pool
        self._idle.set()
        self.last_success: dt.datetime | None = None
        self.status = "Sync: no team library set up"
        self._timer = QTimer(self, singleShot=True, interval=EVERY_MS)
        self._timer.timeout.connect(self.sync_now)

    def start(self, first_in_ms: int = 3000) -> None:
        self._timer.start(first_in_ms)

    def stop(self, wait_s: float = 10.0) -> bool:
        """No more rounds; a running one ends after the file it is on. True once no round
        runs (waited for up to ``wait_s``): quitting then leaves no file half-synced."""
        self._timer.stop()
        self._stopping.set()
        return self._idle.wait(wait_s)

    def sync_now(self) -> None:
        if self.running:
            return
        if self._stopping.is_set():
            return
        self.running = True
        self._idle.clear()
        self._show("Sync: syncing…")  # the round reads which libraries there are (none: said)
        passwords = dict(self.passwords)

        def work() -> _RoundDone:
            try:
                return _sync_round(self.store, passwords, self._stopping.is_set)
            finally:
                self._idle.set()

        run_in_background(work, self._done, self._failed)

    def _done(self, found: _RoundDone) -> None:
        outcomes = found.outcomes
        self.running = False
        self.needing_password = found.needing_password
        self.count_conflicts(found.conflicts)
        if outcomes and all(o.ok for o in outcomes):
            self.last_success = dt.datetime.now()
        offline = any(o.offline for o in outcomes)
        # While offline, each round waits twice as long as the one before, up to a cap.
        interval = min(self._timer.interval() * 2, OFFLINE_MAX_MS) if offline else EVERY_MS
        self._timer.setInterval(interval)
        self._timer.start()
        self._show(status_line(outcomes, self.last_success))

    def _failed(self, error: Exception) -> None:
        self.running = False
        self._timer.start(EVERY_MS)
        self._show(f"Sync: needs attention: {error}")

    def count_conflicts(self, count: int) -> None:
        if count != self.conflicts:
            self.conflicts = count
            self.conflicts_changed.emit(count)

    def _show(self, text: str) -> None:
        self.status = text
        self.status_changed.emit(text)
