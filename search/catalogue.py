"""Every indexed aid as a row for the Library window: read from the index's stored fields (no aid
file is opened), filtered and sorted in memory.

38k rows are read once (about a second, off the GUI thread); a filter over them is one pass over
precomputed lower-case text, a few milliseconds a keystroke.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from .errors import converts_errors

if TYPE_CHECKING:  # Whoosh loads after the tray is up; the Library window imports this early
    from .index import AidIndex


@dataclass(frozen=True)
class CatalogueEntry:
    id: str
    title: str
    path: str
    collection: str
    kind: str
    tags: tuple[str, ...]
    apps: tuple[str, ...]
    owner: str
    review_by: str          # ISO date or ""
    updated: str            # ISO date: the aid's `updated`, else the file's modification day
    opens: int = 0
    created: str = ""       # ISO date: the aid's `created`, or ""
    folder: str = ""        # the folder inside its collection ("" at the top)
    haystack: str = ""      # title and tags in lower case: what the filter box looks in

    def review_due(self, today: dt.date) -> bool:
        return bool(self.review_by) and self.review_by < today.isoformat()


class SortOrder(StrEnum):
    TITLE = "title"
    UPDATED = "updated"     # newest first
    MOST_USED = "most used"  # most opened first


@dataclass(frozen=True)
class CatalogueFilter:
    text: str = ""
    collection: str = ""
    kind: str = ""
    tag: str = ""
    app: str = ""
    owner: str = ""
    review_due: bool = False


def entry_from_fields(fields: Mapping[str, Any], opens: int = 0,
                      roots: Mapping[str, str] | None = None) -> CatalogueEntry:
    tags = tuple(t for t in str(fields.get("tag_names") or "").split("\n") if t)
    apps = tuple(a for a in str(fields.get("app_names") or "").split("\n") if a)
    updated = str(fields.get("updated") or "")
    if not updated:
        mtime_ns = str(fields.get("stamp") or "").partition(":")[0]
        if mtime_ns.isdigit():
            updated = dt.date.fromtimestamp(int(mtime_ns) / 1e9).isoformat()
    title = str(fields.get("title") or "")
    path = str(fields.get("path") or "")
    collection = str(fields.get("collection") or "")
    folder = ""
    root = (roots or {}).get(collection)
    if root and path.startswith(root + os.sep):
        folder = os.path.dirname(path[len(root) + 1:]).replace(os.sep, "/")
    return CatalogueEntry(
        id=str(fields.get("id") or ""), title=title, path=path,
        collection=collection, kind=str(fields.get("kind") or ""), folder=folder,
        tags=tags, apps=apps, owner=str(fields.get("owner") or ""),
        review_by=str(fields.get("review_by") or ""), updated=updated, opens=opens,
        created=str(fields.get("created") or ""),
        haystack=" ".join([title, *tags]).lower())


@converts_errors("read the index in")
def read_catalogue(index: AidIndex, opens: Mapping[str, int] | None = None,
                   roots: Mapping[str, str] | None = None) -> list[CatalogueEntry]:
    """Every aid in the index, in title order; ``roots`` (collection name -> folder) gives
    each its folder inside the collection."""
    opens = opens or {}
    index.refresh_if_replaced()
    with index.lock:
        stored = list(index.searcher().all_stored_fields())
    entries = [entry_from_fields(fields, opens.get(str(fields.get("id")), 0), roots)
               for fields in stored]
    entries.sort(key=_title_key)
    return entries


def _title_key(entry: CatalogueEntry) -> tuple[str, str]:
    return entry.title.casefold(), entry.path


_SORT_KEYS: dict[SortOrder, Callable[[CatalogueEntry], Any]] = {
    SortOrder.TITLE: _title_key,
    SortOrder.UPDATED: lambda e: (_negated(e.updated), e.title.casefold()),
    SortOrder.MOST_USED: lambda e: (-e.opens, e.title.casefold()),
}


def _negated(iso_date: str) -> str:
    """A key that sorts ISO dates newest first (and undated last)."""
    return "".join(chr(0x7f - ord(c)) for c in iso_date) if iso_date else "\x7f"


def sorted_entries(entries: Iterable[CatalogueEntry], order: SortOrder) -> list[CatalogueEntry]:
    return sorted(entries, key=_SORT_KEYS[order])


def matching(entries: list[CatalogueEntry], chosen: CatalogueFilter,
             today: dt.date | None = None) -> list[CatalogueEntry]:
    """The entries the filter lets through, in the order given. Words in the text must all be
    in the title or the tags (as prefixes of words or anywhere in them: "vend mast" finds
    "Vendor master")."""
    words = chosen.text.lower().split()
    found = entries
    # One comprehension a condition, no call per row: about 8 ms a pass over 38k rows.
    if chosen.collection:
        found = [e for e in found if e.collection == chosen.collection]
    if chosen.kind:
        found = [e for e in found if e.kind == chosen.kind]
    if chosen.review_due:
        today_iso = (today or dt.date.today()).isoformat()
        found = [e for e in found if e.review_by and e.review_by < today_iso]
    if chosen.owner:
        owner = chosen.owner.lower()
        found = [e for e in found if e.owner and e.owner.lower() == owner]
    if chosen.tag:
        tag = chosen.tag.lower()
        found = [e for e in found if e.tags and tag in (t.lower() for t in e.tags)]
    if chosen.app:
        app = chosen.app.lower()
        found = [e for e in found if e.apps and app in (a.lower() for a in e.apps)]
    for word in words:
        found = [e for e in found if word in e.haystack]
    return list(found)


def choices(entries: Iterable[CatalogueEntry]) -> dict[str, list[str]]:
    """The values each filter can take, for its drop-down: collections, kinds, tags, apps,
    owners, each sorted."""
    found: dict[str, set[str]] = {name: set() for name in
                                  ("collection", "kind", "tag", "app", "owner")}
    for entry in entries:
        found["collection"].add(entry.collection)
        found["kind"].add(entry.kind)
        found["tag"].update(entry.tags)
        found["app"].update(entry.apps)
        if entry.owner:
            found["owner"].add(entry.owner)
    return {name: sorted(values, key=str.casefold) for name, values in found.items()}


class Catalogue:
    """The rows, in the chosen order, and what the last filter let through: a filter that only
    adds letters to the text looks again only at those rows."""

    def __init__(self, entries: list[CatalogueEntry], today: dt.date | None = None) -> None:
        self.entries = entries
        self.today = today
        self.order = SortOrder.TITLE
        self._ordered = entries
        self._last: tuple[CatalogueFilter, list[CatalogueEntry]] | None = None

    def sort(self, order: SortOrder) -> None:
        if order != self.order:
            self.order = order
            self._ordered = sorted_entries(self.entries, order)
            self._last = None

    def replace(self, removed: Iterable[CatalogueEntry], added: Iterable[CatalogueEntry]
                ) -> None:
        """Show a change made here before the index has it (a delete, a move, an undo)."""
        gone = {e.path for e in removed}
        self.entries = sorted([e for e in self.entries if e.path not in gone] + list(added),
                              key=_title_key)
        self._ordered = sorted_entries(self.entries, self.order)
        self._last = None

    def filter(self, chosen: CatalogueFilter) -> list[CatalogueEntry]:
        rows = self._ordered
        if self._last is not None:
            before, found = self._last
            if chosen == before:
                return found
            if _narrows(before, chosen):
                rows = found
        found = matching(rows, chosen, self.today)
        self._last = (chosen, found)
        return found


def _narrows(before: CatalogueFilter, after: CatalogueFilter) -> bool:
    """Whether every row ``after`` lets through was let through by ``before``."""
    same_rest = (before.collection, before.kind, before.tag, before.app, before.owner,
                 before.review_due) == (after.collection, after.kind, after.tag, after.app,
                                        after.owner, after.review_due)
    return same_rest and after.text.lower().startswith(before.text.lower()) and \
        len(after.text.split()) >= len(before.text.split())
