"""The popup's search engine on its own thread: the newest query wins, older ones are dropped.

The main thread submits requests with a generation number; the worker answers only the newest
request waiting when it becomes free, so a fast typist never queues up stale searches. The index
is kept current on a second thread (first build with progress, then the file watcher).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from job_aids import STARTER, JobAidError, LibraryStore
from job_aids.paths import HandrailPaths
from job_aids.store import scan_stamps
from search.results import Context, SearchResult
from search.usage import Search

from . import memory
from .unexpected import contained

if TYPE_CHECKING:
    from search import LibraryWatcher, SearchService

HOME_LIMIT = 12


@dataclass(frozen=True)
class SearchRequest:
    generation: int
    text: str
    context: Context | None = None
    limit: int = 20
    pinned: tuple[str, ...] = ()


@dataclass
class HomeRows:
    """What an empty query shows: aids for the application, then pinned, then frequent ones."""

    for_app: list[SearchResult] = field(default_factory=list)
    pinned: list[SearchResult] = field(default_factory=list)
    frequent: list[SearchResult] = field(default_factory=list)
    start: list[SearchResult] = field(default_factory=list)  # first run: nothing else yet


class SearchWorker(QObject):
    progress = Signal(int, int)           # done, total of a long index update
    indexed = Signal(object)              # UpdateStats of a finished update
    answered = Signal(int, object, float)  # generation, SearchResponse | HomeRows, seconds
    failed = Signal(int, str)
    unreachable = Signal(list)            # messages: collections whose folder is not there
    _wake = Signal()
    _check = Signal()
    _open = Signal()
    _shrink = Signal()
    _team = Signal()

    def __init__(self, paths: HandrailPaths, store: LibraryStore) -> None:
        super().__init__()
        self._paths = paths
        self._store = store
        self._lock = threading.Lock()
        self._pending: SearchRequest | None = None
        self._service: SearchService | None = None
        self._watcher: LibraryWatcher | None = None
        self._updater: threading.Thread | None = None
        self._closing = threading.Event()
        self._thread = QThread()
        self._thread.setObjectName("handrail-search")
        self.moveToThread(self._thread)
        self._wake.connect(self._process)
        self._open.connect(self._open_service)
        self._shrink.connect(self._drop_caches)
        self._check.connect(self._check_reachable)
        self._team.connect(self._team_round)
        self.team_ranking = True  # Settings: rank by what colleagues found

    def start(self) -> None:
        self._thread.start()
        self._open.emit()

    def stop(self) -> None:
        self._closing.set()
        self._thread.quit()
        self._thread.wait(5000)
        if self._watcher is not None:
            self._watcher.stop()
        if self._updater is not None:
            self._updater.join(timeout=30)
        if self._service is not None:
            self._service.close()

    def submit(self, request: SearchRequest) -> None:
        with self._lock:
            self._pending = request
        self._wake.emit()

    def record_open(self, aid_id: str) -> None:
        if self._service is not None:
            self._service.usage.record_open(aid_id)

    def record_searches(self, searches: list[Search]) -> None:
        if self._service is not None:
            for search in searches:
                self._service.usage.record_search(search)

    def vote(self, aid_id: str, vote: str, comment: str = "") -> None:
        if self._service is not None:
            self._service.usage.vote(aid_id, vote, comment)

    def record_event(self, kind: str, aid_id: str, detail: str = "") -> None:
        if self._service is not None:
            self._service.usage.record_event(kind, aid_id, detail)

    def check_reachable(self) -> None:
        """Look (off the GUI thread: a dead share can take seconds to answer) for collections
        that are not reachable; :attr:`unreachable` tells."""
        self._check.emit()

    def shrink(self) -> None:
        """Give back the memory searching used, once the user is done searching."""
        self._shrink.emit()

    def team_round(self) -> None:
        """Share this machine's finished days with the team collections that opted in, and
        learn what colleagues found (on the search thread: a share may be slow)."""
        self._team.emit()

    @Slot()
    def _team_round(self) -> None:
        if self._service is None:
            return
        with contained("sharing insights with the team", lambda error: self.failed.emit(
                -1, f"Insights were not shared with the team: {error}")):
            self._service.share_with_teams()
        with contained("reading the team's insights", lambda error: None):
            self._service.learn_from_team(self.team_ranking)

    @property
    def service(self) -> SearchService | None:
        return self._service

    # -- on the worker thread ---------------------------------------------------------------
    @Slot()
    def _check_reachable(self) -> None:
        with contained("looking for collections that are not reachable", lambda error: None):
            self.unreachable.emit([problem.message for problem in self._store.unreachable()])

    @Slot()
    def _drop_caches(self) -> None:
        if self._service is not None:
            self._service.shrink()
        memory.trim()

    @Slot()
    def _open_service(self) -> None:
        from search import SearchService  # Whoosh loads here, after the tray is up

        def failed(error: Exception) -> None:
            self.failed.emit(-1, f"The search index could not be opened: {error}")

        with contained("opening the search index", failed):
            self._service = SearchService.open(self._paths, self._store)
        if self._service is None:
            return
        self._updater = threading.Thread(target=self._keep_current, name="handrail-index",
                                         daemon=True)
        self._updater.start()
        self._process()

    def _keep_current(self) -> None:
        service = self._service
        assert service is not None
        def failed(error: Exception) -> None:  # searching what is indexed still works
            self.failed.emit(-1, f"The search index could not be brought up to date: {error}")

        with contained("cleaning what killed saves left", lambda error: None):
            self._store.clean_leftovers()
        with contained("checking the search index", lambda error: None):
            service.index.verify()  # checksums: damage is repaired by the update below
        with contained("bringing the search index up to date", failed):
            stats = service.index.update(self._store, lambda d, t: self.progress.emit(d, t))
            self.indexed.emit(stats)
        self.team_round()
        if self._closing.is_set():
            return
        from search import LibraryWatcher

        self._watcher = LibraryWatcher(self._store, service.index,
                                       on_error=lambda e: self.failed.emit(-1, str(e)),
                                       after_rescan=memory.trim)
        watcher = self._watcher
        service.index.on_damage = lambda reason: watcher.request_rescan()  # repaired there
        self._watcher.start()

    @Slot()
    def _process(self) -> None:
        with self._lock:
            request, self._pending = self._pending, None
        if request is None or self._service is None:
            if request is not None:
                with self._lock:  # not open yet: keep it for when it is
                    self._pending = self._pending or request
            return
        started = time.perf_counter()

        def failed(error: Exception) -> None:  # one failed query must not end the engine
            self.failed.emit(request.generation, f"Search failed: {error}")

        with contained("searching", failed):
            answer: Any
            if request.text.strip():
                answer = self._service.engine.search(request.text, limit=request.limit,
                                                     context=request.context)
            else:
                answer = self._home(request)
            self.answered.emit(request.generation, answer, time.perf_counter() - started)

    def _home(self, request: SearchRequest) -> HomeRows:
        assert self._service is not None
        engine, rows = self._service.engine, HomeRows()
        if request.context is not None and request.context.app:
            marked = engine.results_for_ids(self._service.usage.marked_for(request.context.app))
            found = engine.search("", limit=HOME_LIMIT, context=request.context).results
            rows.for_app = marked + [r for r in found if r.id not in {m.id for m in marked}]
        shown = {r.id for r in rows.for_app}
        rows.pinned = [r for r in engine.results_for_ids(list(request.pinned))
                       if r.id not in shown]
        shown |= {r.id for r in rows.pinned}
        frequent = [i for i in self._service.usage.most_used(HOME_LIMIT) if i not in shown]
        rows.frequent = engine.results_for_ids(frequent)
        if not (rows.for_app or rows.pinned or rows.frequent):
            rows.start = engine.results_for_ids(self._start_here())
        return rows

    def _start_here(self) -> list[str]:
        """What a new user sees before anything is marked, pinned or opened: the starter
        library (its welcome first), then their own newest aids."""
        ids: list[str] = []
        for collection in self._store.collections.all():
            if collection.name == STARTER:
                ids += sorted(a.id for a in self._store.iter_aids([collection]) if a.source)
        own = self._store.collections.get("mine")
        newest = sorted(scan_stamps(str(own.path)), key=lambda stamp: -stamp[1])[:4]
        for path, _mtime, _size in newest:
            try:
                ids.append(self._store.load(Path(path), own).id)
            except JobAidError:
                continue
        return ids[:HOME_LIMIT]

    def update_soon(self) -> None:
        """The library changed here (a delete, an undo): look at it now, not at the next
        rescan."""
        if self._watcher is not None:
            self._watcher.request_rescan()

    def mark_for_app(self, aid_id: str, app: str) -> None:
        if self._service is not None:
            self._service.usage.mark_for_app(aid_id, app)

