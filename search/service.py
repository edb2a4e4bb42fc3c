"""One place that opens the index, the usage log and the engine for a Handrail home."""

from __future__ import annotations

from dataclasses import dataclass

from job_aids import HandrailPaths, LibraryStore

from .analysis import forget_caches
from .engine import SearchEngine
from .index import AidIndex
from .usage import UsageLog


@dataclass
class SearchService:
    store: LibraryStore
    index: AidIndex
    usage: UsageLog
    engine: SearchEngine

    @classmethod
    def open(cls, paths: HandrailPaths, store: LibraryStore, *,
             parallel: bool = True) -> SearchService:
        index = AidIndex(paths.cache / "index", parallel=parallel)
        index.open()
        usage = UsageLog(paths.state / "usage.sqlite3")
        return cls(store, index, usage, SearchEngine(index, usage))

    def close(self) -> None:
        self.index.close()

    def shrink(self) -> None:
        """Drop what searching keeps for the next keystrokes: the user stopped searching."""
        self.engine.forget()
        self.index.forget_caches()
        forget_caches()
