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
    └── TemplateError                no template for that kind
"""

from __future__ import annotations

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

    def __init__(self, path: Path) -> None:
        super().__init__(
            f"{path} was changed by another program since it was opened. "
            "Reload it (your text is kept in the editor) or save under a new name."
        )
        self.path = path


class InvalidAidError(LibraryError):
    """The aid has parse errors; it must be saved as raw text, not re-serialized."""


class StorageError(LibraryError):
    """The operating system refused a read or write."""

    @classmethod
    def from_os_error(cls, action: str, path: Path, error: OSError) -> StorageError:
        reason = error.strerror or str(error)
        return cls(f"Could not {action} {path}: {reason}. Check that the folder exists and is "
                   "writable, and that the disk is not full.")


class TemplateError(JobAidError):
    """No template exists for the requested kind."""
