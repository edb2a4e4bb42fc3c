"""Search over job aids (Whoosh). Never imports Qt.

Names are imported on first use, so a program that needs one module does not pay for all
(the tray app must be ready within a second)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from job_aids.lazy import lazy_getattr

if TYPE_CHECKING:
    from .engine import SearchEngine
    from .errors import IndexBusyError, IndexDamagedError, IndexStorageError, SearchError
    from .index import AidIndex, UpdateStats
    from .query import ParsedQuery, parse_query
    from .results import Context, SearchResponse, SearchResult
    from .service import SearchService
    from .usage import UsageLog
    from .watcher import LibraryWatcher

_EXPORTS = {
    "SearchEngine": "engine",
    "IndexBusyError": "errors",
    "IndexDamagedError": "errors",
    "IndexStorageError": "errors",
    "SearchError": "errors",
    "AidIndex": "index",
    "UpdateStats": "index",
    "ParsedQuery": "query",
    "parse_query": "query",
    "Context": "results",
    "SearchResponse": "results",
    "SearchResult": "results",
    "SearchService": "service",
    "UsageLog": "usage",
    "LibraryWatcher": "watcher",
}
__all__ = [
    "AidIndex", "Context", "IndexBusyError", "IndexDamagedError", "IndexStorageError",
    "LibraryWatcher", "ParsedQuery",
    "SearchEngine", "SearchError", "SearchResponse", "SearchResult", "SearchService",
    "UpdateStats", "UsageLog", "parse_query",
]


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())
