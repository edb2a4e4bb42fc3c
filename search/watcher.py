"""Noticing changes to the library made by anyone (Handrail, an editor, a sync client).

watchdog (inotify, FSEvents, ReadDirectoryChangesW) reports changed files; they are re-indexed
after a short quiet period, so a save in an editor is findable well within a second. Where
watchdog cannot watch (some network shares), a slow rescan catches up.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from job_aids import LibraryStore
from job_aids.fileformat import is_markdown_name

from .errors import SearchError
from .index import AidIndex

log = logging.getLogger(__name__)
QUIET_SECONDS = 0.15
RESCAN_SECONDS = 60.0


class _Handler(FileSystemEventHandler):
    def __init__(self, report: Callable[[Path], None]) -> None:
        self._report = report

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.is_directory and event.event_type in ("modified", "opened", "closed",
                                                       "closed_no_write"):
            return  # a file inside changed: that file's own event says which
        if event.event_type in ("opened", "closed_no_write"):
            return
        for attribute in ("src_path", "dest_path"):
            raw = getattr(event, attribute, "")
            if raw:
                path = Path(raw if isinstance(raw, str) else raw.decode())
                if is_markdown_name(path.name) or event.is_directory:
                    self._report(path)


class LibraryWatcher:
    """Keeps an index current in a background thread until :meth:`stop`."""

    def __init__(self, store: LibraryStore, index: AidIndex,
                 on_error: Callable[[Exception], None] | None = None,
                 after_rescan: Callable[[], None] | None = None) -> None:
        """``after_rescan`` is called after each full rescan (the app gives memory back then:
        comparing a big library's stamps takes a few MB for a moment, once a minute)."""
        self._store = store
        self._index = index
        self._on_error = on_error
        self._after_rescan = after_rescan
        self._mutex = threading.Lock()
        self._pending: set[Path] = set()
        self._full_rescan = False
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._observer: Any = None
        self._thread = threading.Thread(target=self._run, name="handrail-index", daemon=True)

    def request_rescan(self) -> None:
        """Compare the whole library with the index soon (and repair it if it was damaged)."""
        with self._mutex:
            self._full_rescan = True
        self._wake.set()

    def start(self) -> None:
        observer = Observer()
        handler = _Handler(self._changed)
        for collection in self._store.collections.all():
            if collection.path.is_dir():
                try:
                    observer.schedule(handler, str(collection.path), recursive=True)
                except OSError as error:  # e.g. out of inotify watches: the rescan covers it
                    log.warning("cannot watch %s: %s", collection.path, error)
        observer.daemon = True
        observer.start()
        self._observer = observer
        self._full_rescan = True
        self._thread.start()
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._observer is not None:
            self._observer.stop()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _changed(self, path: Path) -> None:
        with self._mutex:
            if path.is_dir() if path.exists() else not is_markdown_name(path.name):
                self._full_rescan = True  # a folder moved or was deleted: rescan to be sure
            else:
                self._pending.add(path)
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            woke = self._wake.wait(timeout=RESCAN_SECONDS)
            if self._stopping.is_set():
                return
            if woke:
                # Let a burst of events (an editor's save = write + rename) settle.
                self._stopping.wait(QUIET_SECONDS)
            self._wake.clear()
            with self._mutex:
                pending, self._pending = self._pending, set()
                full, self._full_rescan = self._full_rescan or not woke, False
            try:
                if full:
                    self._index.update(self._store)
                    if self._after_rescan is not None:
                        self._after_rescan()
                elif pending:
                    self._index.update_paths(self._store, sorted(pending))
            except (SearchError, OSError) as error:
                if self._on_error is not None:
                    self._on_error(error)
            except Exception as error:  # noqa: BLE001 - a bug must not end the watching
                # (one bad file killed this thread, and later edits were never indexed)
                log.exception("the library watcher hit an unexpected problem")
                if self._on_error is not None:
                    self._on_error(error)
