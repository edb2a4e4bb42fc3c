"""Search over job aids (Whoosh). Never imports Qt."""

from .engine import Context, SearchEngine, SearchResponse, SearchResult
from .errors import IndexBusyError, QueryError, SearchError
from .index import AidIndex, UpdateStats
from .query import ParsedQuery, parse_query
from .service import SearchService
from .usage import UsageLog
from .watcher import LibraryWatcher

__all__ = [
    "AidIndex", "Context", "IndexBusyError", "LibraryWatcher", "ParsedQuery", "QueryError",
    "SearchEngine", "SearchError", "SearchResponse", "SearchResult", "SearchService",
    "UpdateStats", "UsageLog", "parse_query",
]
