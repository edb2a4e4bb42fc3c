"""The job-aid core: the aid format, templates and the library store. Never imports Qt.

Names are imported on first use, so a program that needs one module does not pay for all
(the tray app must be ready within a second)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lazy import lazy_getattr

if TYPE_CHECKING:
    from .changes import Changes, diff_snapshots
    from .collections import OWN, STARTER, Collection, CollectionKind
    from .errors import (
        AidChangedOnDiskError,
        AidNotFoundError,
        CollectionError,
        InvalidAidError,
        JobAidError,
        LibraryError,
        ReadOnlyCollectionError,
        StorageError,
        TemplateError,
    )
    from .fileformat import parse_bytes, parse_text, read_aid, serialize_bytes, serialize_text
    from .importer import ImportReport, import_files
    from .model import KINDS, AidSource, AppMatch, JobAid, Problem
    from .paths import HandrailPaths
    from .render import render_aid_html, render_aid_text, render_markdown, sanitize_html
    from .store import EditableText, FileStamp, LibraryStore, walk_markdown

_EXPORTS = {
    "Changes": "changes",
    "diff_snapshots": "changes",
    "OWN": "collections",
    "STARTER": "collections",
    "Collection": "collections",
    "CollectionKind": "collections",
    "AidChangedOnDiskError": "errors",
    "AidNotFoundError": "errors",
    "CollectionError": "errors",
    "InvalidAidError": "errors",
    "JobAidError": "errors",
    "LibraryError": "errors",
    "ReadOnlyCollectionError": "errors",
    "StorageError": "errors",
    "TemplateError": "errors",
    "parse_bytes": "fileformat",
    "parse_text": "fileformat",
    "read_aid": "fileformat",
    "serialize_bytes": "fileformat",
    "serialize_text": "fileformat",
    "ImportReport": "importer",
    "import_files": "importer",
    "KINDS": "model",
    "AidSource": "model",
    "AppMatch": "model",
    "JobAid": "model",
    "Problem": "model",
    "HandrailPaths": "paths",
    "render_aid_html": "render",
    "render_aid_text": "render",
    "render_markdown": "render",
    "sanitize_html": "render",
    "EditableText": "store",
    "FileStamp": "store",
    "LibraryStore": "store",
    "walk_markdown": "store",
}
__all__ = [
    "AidChangedOnDiskError", "AidNotFoundError", "AidSource", "AppMatch", "Changes",
    "Collection", "CollectionError", "CollectionKind", "EditableText", "FileStamp", "HandrailPaths",
    "ImportReport", "InvalidAidError", "JobAid", "JobAidError", "KINDS", "LibraryError",
    "LibraryStore", "OWN", "Problem", "ReadOnlyCollectionError", "STARTER", "StorageError",
    "TemplateError", "diff_snapshots", "import_files", "parse_bytes", "parse_text", "read_aid",
    "render_aid_html", "render_aid_text", "render_markdown", "sanitize_html", "serialize_bytes",
    "serialize_text", "walk_markdown",
]


__getattr__ = lazy_getattr(__name__, _EXPORTS, globals())
