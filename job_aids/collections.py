"""The collections a library is made of, and the small config file that lists them.

Collections are folders. ``mine`` (the user's own aids) always exists; ``starter`` is the bundled,
read-only starter library, shown until the user removes it; any other folder can be added in place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from .atomic import atomic_write_text, read_own_text
from .errors import CollectionError, StorageError
from .names import slugify

SCHEMA_VERSION = 1
SHARING = ("off", "counts", "words")
OWN = "mine"
STARTER = "starter"


class CollectionKind(StrEnum):
    OWN = "own"            # the user's own aids
    TEAM = "team"          # a team library kept in step by sync
    PUBLISHED = "published"  # read-only, published by someone else
    FOLDER = "folder"      # an existing folder used in place
    STARTER = "starter"    # the bundled starter library


@dataclass(frozen=True)
class Collection:
    name: str
    path: Path
    kind: CollectionKind
    read_only: bool = False
    # What this machine's usage adds to the collection's shared insights (the user's choice,
    # off until chosen): "off", "counts" (no search words) or "words" (counts and the words
    # of searches that found nothing). See search/team_insights.py.
    share_insights: str = "off"

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "path": str(self.path), "kind": self.kind.value,
                "read_only": self.read_only, "share_insights": self.share_insights}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Collection:
        sharing = str(data.get("share_insights", "off"))
        return cls(name=str(data["name"]), path=Path(str(data["path"])),
                   kind=CollectionKind(data.get("kind", "folder")),
                   read_only=bool(data.get("read_only", False)),
                   share_insights=sharing if sharing in SHARING else "off")


class CollectionRegistry:
    """Reads and writes ``collections.json`` (versioned, written atomically)."""

    def __init__(self, config_file: Path, own_folder: Path, starter_folder: Path | None) -> None:
        self._file = config_file
        self._own = Collection(OWN, own_folder, CollectionKind.OWN)
        self._starter = (Collection(STARTER, starter_folder, CollectionKind.STARTER, True)
                         if starter_folder is not None else None)

    def draft(self, folder: Path) -> CollectionRegistry:
        """A registry over a copy of this one's list, in ``folder``: changes to it are tried
        out (checked and shown) and touch nothing until replayed on this one (the settings
        dialog's Cancel undoes them so)."""
        copy = CollectionRegistry(folder / self._file.name, self._own.path,
                                  self._starter.path if self._starter else None)
        copy._save(self._load())
        return copy

    def _load(self) -> dict[str, Any]:
        try:
            raw = read_own_text(self._file)
        except FileNotFoundError:
            return {"version": SCHEMA_VERSION, "collections": [], "hide_starter": False}
        except OSError as error:
            raise StorageError.from_os_error("read", self._file, error) from error
        try:
            data = json.loads(raw)
            if not isinstance(data, dict) or not isinstance(data.get("collections", []), list):
                raise ValueError("not a collection list")
        except ValueError as error:
            raise CollectionError(f"{self._file} is damaged ({error}). Fix or delete it; your "
                                  "aids are untouched, only the list of added folders is "
                                  "lost.") from error
        return data

    def _save(self, data: dict[str, Any]) -> None:
        data["version"] = SCHEMA_VERSION
        try:
            atomic_write_text(self._file, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        except OSError as error:
            raise StorageError.from_os_error("write", self._file, error) from error

    def all(self) -> list[Collection]:
        data = self._load()
        result = [self._own]
        result += [Collection.from_json(item) for item in data.get("collections", [])]
        if self._starter is not None and not data.get("hide_starter", False):
            result.append(self._starter)
        return result

    def get(self, name: str) -> Collection:
        for collection in self.all():
            if collection.name == name:
                return collection
        known = ", ".join(c.name for c in self.all())
        raise CollectionError(f"no collection named {name!r}; the collections are: {known}")

    def add(self, folder: Path, name: str | None = None, *, read_only: bool = False,
            kind: CollectionKind = CollectionKind.FOLDER) -> Collection:
        folder = folder.expanduser().resolve()
        if not folder.is_dir():
            raise CollectionError(f"{folder} is not a folder; give the path of an existing "
                                  "folder of Markdown files")
        name = name.strip() if name else slugify(folder.name)
        if not name:
            raise CollectionError("a collection needs a name; pass --name")
        for existing in self.all():
            if existing.name == name:
                raise CollectionError(f"a collection named {name!r} exists already; "
                                      "choose another with --name")
            if existing.path.resolve() == folder:
                raise CollectionError(f"{folder} is already the collection {existing.name!r}")
        collection = Collection(name, folder, kind, read_only)
        data = self._load()
        data.setdefault("collections", []).append(collection.to_json())
        self._save(data)
        return collection

    def set_sharing(self, name: str, mode: str) -> Collection:
        """Choose what this machine shares with a team collection ("off", "counts",
        "words"); only a writable collection added here can share."""
        if mode not in SHARING:
            raise CollectionError(f"sharing is one of {', '.join(SHARING)}, not {mode!r}")
        collection = self.get(name)
        if collection.kind in (CollectionKind.OWN, CollectionKind.STARTER) or (
                collection.read_only and mode != "off"):
            raise CollectionError(f"{name!r} is not a shared, writable collection; insights "
                                  "are shared only with a team's collection")
        data = self._load()
        for item in data.get("collections", []):
            if item.get("name") == name:
                item["share_insights"] = mode
        self._save(data)
        return self.get(name)

    def remove(self, name: str) -> Collection:
        """Forget a collection. The folder and its files are never touched."""
        collection = self.get(name)
        data = self._load()
        if collection.kind is CollectionKind.OWN:
            raise CollectionError("your own collection 'mine' cannot be removed")
        if collection.kind is CollectionKind.STARTER:
            data["hide_starter"] = True
        else:
            data["collections"] = [c for c in data.get("collections", [])
                                   if c.get("name") != name]
        self._save(data)
        return collection
