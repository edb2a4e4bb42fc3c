"""The job-aid core: the aid format, templates and the library store. Never imports Qt."""

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
from .store import FileStamp, LibraryStore, walk_markdown

__all__ = [
    "KINDS", "OWN", "STARTER", "AidChangedOnDiskError", "AidNotFoundError", "AidSource",
    "AppMatch", "Changes", "Collection", "CollectionError", "CollectionKind", "FileStamp",
    "HandrailPaths", "ImportReport", "InvalidAidError", "JobAid", "JobAidError", "LibraryError",
    "LibraryStore", "Problem", "ReadOnlyCollectionError", "StorageError", "TemplateError",
    "diff_snapshots", "import_files", "parse_bytes", "parse_text", "read_aid",
    "render_aid_html", "render_aid_text", "render_markdown", "sanitize_html", "serialize_bytes",
    "serialize_text", "walk_markdown",
]
