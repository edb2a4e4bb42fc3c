"""Errors raised by the search package::

    SearchError
    ├── IndexBusyError      another Handrail process is writing the index; try again shortly
    └── QueryError          the query cannot be understood (the message says how to fix it)

Whoosh's own errors never leave this package: a missing, corrupt, locked or out-of-date index is
rebuilt (it is a cache), and only what the user can act on is raised.
"""

from __future__ import annotations


class SearchError(Exception):
    """Base class of every error the search package raises."""


class IndexBusyError(SearchError):
    """The index is being written by another process."""


class QueryError(SearchError):
    """The query cannot be understood."""
