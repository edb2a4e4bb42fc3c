"""The team libraries this machine syncs: each a collection (its local copy, under
``data/teams/NAME``) and where its team keeps it, a shared folder (``file://``) or a WebDAV
server (``https://``). Kept in ``config/remotes.json``; no password is ever written there: it is
in the OS keyring (sync/credentials.py), or, where there is none, asked once each run.
"""

from __future__ import annotations

import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from job_aids import HandrailPaths, LibraryStore
from job_aids.atomic import atomic_write_text
from job_aids.collections import CollectionKind

from . import credentials
from .engine import CONFLICT_MARK, SyncReport, aid_id, original_name, sync_collection
from .journal import Journal
from .targets import FolderTarget, SyncError, Target, content_tag
from .webdav import ServerTraits, WebDAVTarget

VERSION = 1

# Asked for a password the keyring does not have (the command line prompts, the app asks in a
# dialog); None when the user gives none.
AskPassword = Callable[["Remote", str], "str | None"]


@dataclass(frozen=True)
class Remote:
    name: str
    url: str
    read_only: bool = False
    user: str | None = None
    ca_file: str | None = None   # a certificate authority of the organisation's own, trusted too
    preconditions: bool = False  # the server refuses stale writes (probed when added)

    @property
    def is_webdav(self) -> bool:
        return urlsplit(self.url).scheme in ("http", "https")

    def target(self, password: str | None = None) -> Target:
        parts = urlsplit(self.url)
        if parts.scheme == "file":
            return FolderTarget(Path(unquote(parts.path)))
        if not self.is_webdav:
            raise SyncError(f"{self.url}: a team library is a shared folder (a path or "
                            "file:///...) or a WebDAV server (https://...)")
        auth = (self.user, password or "") if self.user else None
        return WebDAVTarget(self.url, auth=auth, ca_file=self.ca_file,
                            preconditions=self.preconditions)


class NoPassword(SyncError):  # noqa: N818 - what is missing, as the user would say it
    """The keyring has no password for a team library and none was given this run."""


@dataclass(frozen=True)
class Tried:
    """What connecting to a team library found (Settings' "Test connection", `remote add`)."""

    files: int
    marker: str | None
    traits: ServerTraits | None  # a WebDAV server's, probed unless it is added read-only

    def summary(self) -> str:
        there = (f"it holds the team library {self.marker!r} ({self.files} files)"
                 if self.marker else f"it holds no team library yet ({self.files} files)")
        return "Connected: " + there + (f"; {self.traits.summary()}" if self.traits else "")


def try_remote(remote: Remote, password: str | None) -> Tried:
    """List the target and, for a writable WebDAV one, probe what the server honours; a
    SyncError says what is wrong (address, password, certificate, server)."""
    target = remote.target(password)
    listing = target.list()
    traits = target.probe() if isinstance(target, WebDAVTarget) and not remote.read_only \
        else None
    return Tried(len(listing.files), listing.marker, traits)


def remote_url(text: str) -> str:
    """A folder path as a file:// address; a WebDAV address as it is."""
    if "://" in text:
        return text
    return Path(text).expanduser().resolve().as_uri()


class Remotes:
    def __init__(self, paths: HandrailPaths, store: LibraryStore,
                 ask_password: AskPassword | None = None) -> None:
        self.paths = paths
        self.store = store
        self.ask_password = ask_password
        self.notes: list[str] = []  # what the user should know (no keyring, say)
        self._passwords: dict[str, str] = {}  # asked this run, where the keyring could not keep
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
        return [Remote(name, str(entry["url"]), bool(entry.get("read_only", False)),
                       entry.get("user"), entry.get("ca_file"),
                       bool(entry.get("server", {}).get("preconditions", False)))
                for name, entry in sorted(self._load().get("remotes", {}).items())]

    def get(self, name: str) -> Remote:
        for remote in self.all():
            if remote.name == name:
                return remote
        known = ", ".join(r.name for r in self.all()) or "none yet"
        raise SyncError(f"no team library named {name!r} (known: {known})")

    def add(self, name: str, url: str, *, read_only: bool = False, user: str | None = None,
            password: str | None = None, ca_file: str | None = None) -> Remote:
        """Test the connection, then keep the team library: its password goes to the keyring
        (where there is none, ``notes`` says so and it is asked again each run)."""
        remote = Remote(name, remote_url(url), read_only, user or None, ca_file or None)
        if any(r.name == name for r in self.all()):
            raise SyncError(f"a team library named {name!r} exists already")
        if remote.user and password is None:
            raise SyncError(f"a password is needed for {remote.user} at {remote.url}")
        found = try_remote(remote, password)  # a clear message now, not at a sync
        server: dict[str, bool] = {}
        if found.traits is not None:
            if not found.traits.preconditions and not found.traits.overwrite_f:
                raise SyncError(f"{remote.url}: {found.traits.summary()}")
            self.notes.append(f"the server was tried: {found.traits.summary()}")
            server = {**asdict(found.traits), "preconditions": found.traits.preconditions}
        if remote.user and password is not None:
            self._passwords[remote.url] = password
            try:
                credentials.save_password(remote.user, remote.url, password)
            except credentials.CredentialError as error:
                self.notes.append(f"the password is not saved: {error}")
        local = self.paths.teams / name
        local.mkdir(parents=True, exist_ok=True)
        self.store.collections.add(local, name, read_only=read_only, kind=CollectionKind.TEAM)
        data = self._load()
        entry: dict[str, Any] = {"url": remote.url, "read_only": read_only}
        entry.update({k: v for k, v in (("user", remote.user), ("ca_file", remote.ca_file)) if v})
        if server:
            entry["server"] = server
        data.setdefault("remotes", {})[name] = entry
        self._save(data)
        return remote

    def password(self, remote: Remote) -> str | None:
        """The password for ``remote``: asked this run, else the keyring's, else asked."""
        if not remote.user:
            return None
        if remote.url in self._passwords:
            return self._passwords[remote.url]
        problem = ""
        try:
            saved = credentials.load_password(remote.user, remote.url)
        except credentials.CredentialError as error:
            saved, problem = None, str(error)
        if saved is None and self.ask_password is not None:
            saved = self.ask_password(remote, problem)
        if saved is None:
            raise NoPassword(f"no password for {remote.user} at {remote.url}"
                            + (f": {problem}" if problem else
                               f": `handrail remote add {remote.name} ...` again to give it"))
        self._passwords[remote.url] = saved
        return saved

    def remove(self, name: str) -> Path:
        """Stop syncing ``name``; its local copy stays (and stays a collection)."""
        remote = self.get(name)
        data = self._load()
        del data["remotes"][name]
        self._save(data)
        if remote.user and not any(r.url == remote.url and r.user == remote.user
                                   for r in self.all()):
            try:
                credentials.forget_password(remote.user, remote.url)
            except credentials.CredentialError as error:
                self.notes.append(f"the saved password could not be removed: {error}")
        return self.paths.teams / name

    def _save(self, data: dict[str, Any]) -> None:
        data["version"] = VERSION
        self.file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self.file, json.dumps(data, indent=1, sort_keys=True))

    def sync(self, name: str, *, allow_deletes: bool = False,
             stop: Callable[[], bool] = lambda: False) -> SyncReport:
        remote = self.get(name)
        collection = self.store.collections.get(name)
        journal = Journal(self.paths.state / "sync.sqlite3")
        try:
            target = remote.target(self.password(remote))
            report = sync_collection(collection.path, target, journal, name,
                                     trash=self.paths.state / "sync-kept" / name,
                                     allow_deletes=allow_deletes, pull_only=remote.read_only,
                                     local_lock=self.store.write_lock.held, stop=stop)
        except SyncError as error:
            self._record(name, ok=False, message=str(error))
            raise
        finally:
            journal.close()
        self._record(name, ok=not report.skipped and not report.stopped,
                     message=report.summary())
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
            found += [(remote.name, path) for path in sorted(folder.rglob("*"))
                      if original_name(path.name) is not None and path.is_file()]
        return found

    def resolve(self, key: str, keep: str, merged: str | None = None) -> str:
        """Settle the conflict copy ``key`` (its id, the 8 characters after ``.conflict-``, or
        its path): keep ``mine`` (the live aid; the copy goes to the trash), ``theirs`` (the
        copy's text replaces the live aid's, which stays in its history), ``both`` (the copy
        becomes an aid of its own) or ``merged`` (the text the user made of the two replaces
        the live aid's; the copy goes to the trash). What it did, for the user; the change
        syncs next round."""
        matches = [(name, path) for name, path in self.conflicts()
                   if conflict_id(path) == key or str(path) == key or path.name == key]
        if len(matches) != 1:
            raise SyncError(f"no conflict {key!r}: `handrail conflicts` lists them" if not matches
                            else f"{key!r} names {len(matches)} conflicts: give its path")
        [(name, copy)] = matches
        live = original_of(copy, self.paths.teams / name)
        if keep not in ("mine", "theirs", "both", "merged") or (keep == "merged") != (
                merged is not None):
            raise SyncError(f"--keep is mine, theirs or both, not {keep!r}")
        theirs = self.store.load(copy)
        if keep == "both" or not live.exists():
            number = 2
            while (free := live.with_name(f"{live.stem}-{number}{live.suffix}")).exists():
                number += 1
            with self.store.write_lock.held():
                copy.rename(free)
            same = theirs.declared_id
            if same and live.exists() and self.store.load(live).declared_id == same:
                # Two aids now: the copy gets an identity of its own (links keep the original).
                aid = self.store.load(free)
                text = free.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
                self.store.save_text(aid, re.sub(rf"(?m)^id:[ \t]*['\"]?{re.escape(same)}"
                                                 r"['\"]?[ \t]*$", f"id: {uuid.uuid4()}",
                                                 text, count=1))
            return f"both kept: the other version is now {free.name}"
        if keep == "theirs":
            self.store.replace_bytes(self.store.load(live), copy.read_bytes())
        elif merged is not None:
            self.store.save_text(self.store.load(live), merged)  # exactly the user's text
        entry = self.store.delete_aid(theirs)
        kept = {"theirs": "the other version", "mine": "your version",
                "merged": "the merged text"}[keep]
        return (f"kept {kept} of {live.name}; "
                f"the conflict copy is in the trash (`handrail restore {entry.entry_id}` "
                "brings it back)")


def conflict_id(path: Path) -> str:
    """A short id for a conflict copy: Handrail's own names carry one; another tool's copy
    gets one from its name."""
    if CONFLICT_MARK in path.stem:
        return path.stem.rsplit(CONFLICT_MARK, 1)[-1]
    return content_tag(path.name.encode())[:8]


def original_of(copy: Path, folder: Path | None = None) -> Path:
    """The live aid a conflict copy was made beside; if it has been renamed or moved since,
    the aid in ``folder`` (the team library's) that has the copy's id, if any."""
    named = copy.with_name(original_name(copy.name) or copy.name)
    if folder is None or named.exists():
        return named
    try:
        ident = aid_id(copy.read_bytes())
    except OSError:
        return named
    if ident:
        for path in sorted(folder.rglob("*.md")):
            if original_name(path.name) is None and path.is_file():
                try:
                    if aid_id(path.read_bytes()) == ident:
                        return path
                except OSError:
                    continue
    return named
