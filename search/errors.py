"""Errors raised by the search package::

    SearchError
    ├── IndexBusyError      another Handrail process is writing the index; try again shortly
    ├── IndexStorageError   the disk refused a read or write of the index (full, read-only, gone)
    └── IndexDamagedError   the index could not be read; it is rebuilt from the library

Whoosh's own errors and ``OSError`` never leave this package: :func:`map_index_errors` turns
them into these at every public entry point, as httpx turns httpcore's errors into its own
(``httpx/_exceptions.py``). A missing, corrupt, locked or out-of-date index found at open is
rebuilt (it is a cache).
"""

from __future__ import annotations

import functools
import struct
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ParamSpec, TypeVar

from job_aids.errors import LockBusyError, StorageError, os_error_message


class SearchError(Exception):
    """Base class of every error the search package raises."""


class IndexBusyError(SearchError):
    """The index is being written by another process."""


class IndexStorageError(SearchError):
    """The operating system refused a read or write of the index."""


class IndexDamagedError(SearchError):
    """The index could not be read as it is."""


BUSY = ("another Handrail process is updating the search index; results may be a little behind "
        "until it finishes")


@functools.cache
def _whoosh_errors() -> tuple[type[Exception], tuple[type[Exception], ...]]:
    """Whoosh's lock error, and what it raises when its files are not what it expects
    (truncated, scribbled over, from another version). Imported when first needed: the
    errors module is imported at start, and Whoosh only once the tray is up."""
    from whoosh import index as whoosh_index
    from whoosh.filedb.filestore import StorageError as WhooshStorageError
    from whoosh.reading import TermNotFound
    from whoosh.writing import IndexingError

    return whoosh_index.LockError, (whoosh_index.IndexError, IndexingError, TermNotFound,
                                    WhooshStorageError, struct.error, zlib.error, EOFError)


@contextmanager
def map_os_errors(action: str, path: Path) -> Iterator[None]:
    """Turn an ``OSError`` of the block into an :class:`IndexStorageError` that says what to
    do."""
    try:
        yield
    except OSError as error:
        raise IndexStorageError(os_error_message(action, path, error)) from error


@contextmanager
def map_index_errors(action: str, folder: Path) -> Iterator[None]:
    """Whoosh's errors and the OS's, met while ``action`` on the index in ``folder``, as
    :class:`SearchError`\\ s."""
    lock_error, damage = _whoosh_errors()
    try:
        yield
    except (lock_error, LockBusyError) as error:
        raise IndexBusyError(BUSY) from error
    except StorageError as error:  # the write lock's file could not be made
        raise IndexStorageError(str(error)) from error
    except OSError as error:
        raise IndexStorageError(os_error_message(action, folder, error)) from error
    except damage as error:
        raise IndexDamagedError(
            f"the search index in {folder} is damaged ({type(error).__name__}); it is being "
            "rebuilt from the library (`handrail index` does it at once)"
        ) from error


P = ParamSpec("P")
R = TypeVar("R")


def converts_errors(action: str) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Decorate a method of an object with a ``folder`` (the index's): its Whoosh and OS
    errors become :class:`SearchError`\\ s."""
    def decorate(method: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(method)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            index = getattr(args[0], "index", args[0])  # an engine's, or the index itself
            folder = getattr(index, "folder", Path("."))
            try:
                with map_index_errors(action, folder):
                    return method(*args, **kwargs)
            except IndexDamagedError as error:
                note = getattr(index, "note_damage", None)
                if note is not None:  # the next update rebuilds it
                    note(str(error))
                raise
        return wrapper
    return decorate
