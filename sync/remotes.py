"""The team libraries this machine syncs: each a collection (its local copy, under
``data/teams/NAME``) and where its team keeps it. Kept in ``config/remotes.json``; no password
is ever written here (credentials belong in the OS keyring).

Only shared folders (``file://`` addresses) are synced so far; a WebDAV address is refused with
a message that says so.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from job_aids import HandrailPaths, LibraryStore
from job_aids.atomic import atomic_write_text
from job_aids.collections import CollectionKind

from .engine import CONFLICT_MARK, SyncReport, sync_collection
from .journal import Journal
from .targets import FolderTarget, SyncError, Target

VERSION = 1


@dataclass(frozen=True)
class Remote:
    name: str
    url: str
    read_only: bool = False

    def target(self) -> Target:
        parts = urlsplit(self.url)
        if parts.scheme != "file":
            raise SyncError(f"{self.url}: only shared folders (file:///path) can be synced so "
                            "far; WebDAV servers are not supported yet")
        return FolderTarget(Path(unquote(parts.path)))


def folder_url(text: str) -> str:
    """A folder path or a file:// address as a file:// address."""
    if "://" in text:
        return text
    return Path(text).expanduser().resolve().as_uri()


class Remotes:
    def __init__(self, paths: HandrailPaths, store: LibraryStore) -> None:
        self.paths = paths
        self.store = store
        self.file = paths.config / "remotes.json"
        self.status_file = paths.state / "sync-status.json"

    def _load(self) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(self.file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {"version": VERSION, "remotes": {}}
        except (OSError, ValueError) as error:
            raise SyncError(f"{self.file} cannot be read ({error}); fix or remove it") \
                from error
        return data

    def all(self) -> list[Remote]:
        return [Remote(name, str(entry["url"]), bool(entry.get("read_only", False)))
                for name, entry in sorted(self._load().get("remotes", {}).items())]

    def get(self, name: str) -> Remote:
        for remote in self.all():
            if remote.name == name:
                return remote
        known = ", ".join(r.name for r in self.all()) or "none yet"
        raise SyncError(f"no team library named {name!r} (known: {known})")

    def add(self, name: str, url: str, *, read_only: bool = False) -> Remote:
        remote = Remote(name, folder_url(url), read_only)
        target = remote.target()
        target.list()  # reachable, or a clear message now rather than at the first sync
        if any(r.name == name for r in self.all()):
            raise SyncError(f"a team library named {name!r} exists already")
        local = self.paths.teams / name
        local.mkdir(parents=True, exist_ok=True)
        self.store.collections.add(local, name, read_only=read_only, kind=CollectionKind.TEAM)
        data = self._load()
        data.setdefault("remotes", {})[name] = {"url": remote.url, "read_only": read_only}
        self._save(data)
        return remote

    def remove(self, name: str) -> Path:
        """Stop syncing ``name``; its local copy stays (and stays a collection)."""
        self.get(name)
        data = self._load()
        del data["remotes"][name]
        self._save(data)
        return self.paths.teams / name

    def _save(self, data: dict[str, Any]) -> None:
        data["version"] = VERSION
        self.file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.file, json.dumps(data, indent=1, sort_keys=True))

    def sync(self, name: str, *, allow_deletes: bool = False) -> SyncReport:
        remote = self.get(name)
        collection = self.store.collections.get(name)
        journal = Journal(self.paths.state / "sync.sqlite3")
        try:
            with self.store.write_lock.held():
                report = sync_collection(collection.path, remote.target(), journal, name,
                                         trash=self.paths.state / "sync-kept" / name,
                                         allow_deletes=allow_deletes,
                                         pull_only=remote.read_only)
        except SyncError as error:
            self._record(name, ok=False, message=str(error))
            raise
        finally:
            journal.close()
        self._record(name, ok=not report.skipped, message=report.summary())
        return report

    def _record(self, name: str, *, ok: bool, message: str) -> None:
        status = self.status()
        entry = status.setdefault(name, {})
        entry.update({"ok": ok, "message": message, "at": time.time()})
        if ok:
            entry["last_success"] = entry["at"]
        self.status_file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.status_file, json.dumps(status, indent=1, sort_keys=True))

    def status(self) -> dict[str, dict[str, Any]]:
        try:
            data: dict[str, dict[str, Any]] = json.loads(
                self.status_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data

    def conflicts(self) -> list[tuple[str, Path]]:
        """(team library, file) for every conflict copy still in a synced collection."""
        found = []
        for remote in self.all():
            folder = self.paths.teams / remote.name
            found += [(remote.name, path) for path in sorted(folder.rglob(f"*{CONFLICT_MARK}*"))
                      if path.is_file()]
        return found
