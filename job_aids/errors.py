"""Errors raised by the job-aid core.

Everything the core raises derives from :class:`JobAidError`; ``OSError`` and YAML errors are
converted here, at the package boundary, into messages that say what happened and what to do::

    JobAidError
    ├── LibraryError                 the library could not do what was asked
    │   ├── AidNotFoundError         no aid has that id or path
    │   ├── ReadOnlyCollectionError  the collection is read-only (published, or added read-only)
    │   ├── CollectionError          unknown, duplicate or missing collection folder
    │   ├── AidChangedOnDiskError    another program changed the file since it was loaded
    │   ├── InvalidAidError          the aid has errors that a save would make worse
    │   └── StorageError             the disk refused (permissions, full disk, ...)
    │       └── LockBusyError        another process holds the write lock too long
    └── TemplateError                no template for that kind
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class JobAidError(Exception):
    """Base class of every error the job-aid core raises."""


class LibraryError(JobAidError):
    """The library could not do what was asked."""


class AidNotFoundError(LibraryError):
    """No aid matches the given id or path."""


class ReadOnlyCollectionError(LibraryError):
    """A write was attempted on a read-only collection."""


class CollectionError(LibraryError):
    """A collection is unknown, already registered, or its folder is missing."""


class AidChangedOnDiskError(LibraryError):
    """The file changed on disk after it was loaded; saving would overwrite someone's words."""

    def __init__(self, path: Path, *, kept: Path | None = None, deleted: bool = False) -> None:
        what = "deleted" if deleted else "changed by another program or window"
        where = (f" Your version is kept in the aid's history ({kept.name}); `handrail history` "
                 "lists it." if kept else "")
        super().__init__(f"{path} was {what} since it was opened, so it was not saved over."
                         f"{where} Reload the aid to see the other change, then make yours "
                         "again.")
        self.path = path
        self.kept = kept
        self.deleted = deleted


class InvalidAidError(LibraryError):
    """The aid has parse errors; it must be saved as raw text, not re-serialized."""


class StorageError(LibraryError):
    """The operating system refused a read or write."""

    def __init__(self, message: str, path: Path | None = None,
                 error_number: int | None = None) -> None:
        super().__init__(message)
        self.path = path
        self.errno = error_number

    @classmethod
    def busy(cls, message: str, path: Path) -> StorageError:
        return LockBusyError(message, path)

    @classmethod
    def unreachable(cls, action: str, folder: Path) -> StorageError:
        """A folder to write into is not there; it is never re-created (it may be a USB stick
        or a share that is not mounted)."""
        return cls(f"Could not {action}: the folder {folder} is not reachable (a removed USB "
                   "stick, an unmounted share?). Reconnect it and try again.", folder)

    @classmethod
    def from_os_error(cls, action: str, path: Path, error: OSError) -> StorageError:
        return cls(os_error_message(action, path, error), path, error.errno)


class LockBusyError(StorageError):
    """Another process has held a write lock for longer than the wait allowed."""


# What to do, by what the operating system said.
_ADVICE = {
    errno.ENOSPC: "the disk is full. Free some space and try again",
    errno.EDQUOT: "the disk quota is used up. Free some space and try again",
    errno.EACCES: "permission denied. Check that you may write to the folder",
    errno.EPERM: "the operation is not permitted. Check the folder's permissions",
    errno.EROFS: "the disk is read-only. Save to a writable folder, or make the disk writable",
    errno.ENOENT: "the folder is not there any more (a removed USB stick, an unmounted share?). "
                  "Reconnect it, or pick another folder",
    errno.ENOTDIR: "a file is in the way where a folder should be",
    errno.EISDIR: "a folder is in the way where a file should be",
    errno.ENAMETOOLONG: "the name is too long for this disk",
    errno.EIO: "the disk reported an input/output error. Check the disk",
}


def os_error_message(action: str, path: Path | str, error: OSError) -> str:
    """"Could not save /x/y.md: the disk is full. Free some space and try again." """
    advice = _ADVICE.get(error.errno or 0)
    if error.errno in (errno.EACCES, errno.EPERM) and action.startswith(("read", "open")):
        advice = "permission denied. Check that you may read it and the folders it is in"
    if advice is None:
        advice = f"{error.strerror or error}. Check that the folder exists and is writable, " \
                 "and that the disk is not full"
    return f"Could not {action} {path}: {advice}."


@contextmanager
def map_os_errors(action: str, path: Path) -> Iterator[None]:
    """Turn an ``OSError`` of the block into a :class:`StorageError` that says what to do,
    as httpx turns httpcore's errors into its own (``httpx/_exceptions.py``)::

        with map_os_errors("save", path):
            atomic_write_bytes(path, data)
    """
    try:
        yield
    except OSError as error:
        raise StorageError.from_os_error(action, path, error) from error


class TemplateError(JobAidError):
    """No template exists for the requested kind."""
