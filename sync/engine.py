"""One sync round of a collection folder with its target: every file judged by content against
the journal's base, three ways.

- Changed on one side only: that side's version goes to the other, conditionally and atomically.
- Changed on both: an aid is three-way merged (sync/merge.py); where the edits overlap, the
  target's version is kept beside as a conflict copy (``name.conflict-<hash>.md``) that syncs
  like any aid and is never pruned, and this side's version stays live.
- An edit beats a concurrent delete. A deletion travels only when the other side still holds the
  base, and a round that would delete more than a few files, or a share of them, stops and says
  so before changing anything (an emptied or wrong target, an unmounted share).
- With no base (a first sync, a lost journal) nothing is ever deleted: differences become
  conflict copies.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from job_aids.atomic import atomic_write_bytes

from .journal import Base, Journal
from .merge import merge_texts
from .targets import (
    SHARED_DOT_FOLDER,
    Precondition,
    RemoteFile,
    StorageFull,
    SyncError,
    Target,
    Unreachable,
    checked_path,
    content_tag,
    synced_name,
)

CONFLICT_MARK = ".conflict-"
DELETE_LIMIT = 10        # a round deletes at most this many files without asking ...
DELETE_SHARE = 0.3       # ... or this share of the collection, whichever is more


class SafetyStop(SyncError):  # noqa: N818 - it is an error; the name says what happened
    """The round would delete or replace too much; nothing was changed."""


@dataclass
class SyncReport:
    uploaded: list[str] = field(default_factory=list)
    downloaded: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)   # the conflict copies made
    deleted_here: list[str] = field(default_factory=list)
    deleted_there: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, why): next round
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (old, new) by its id
    stopped: bool = False  # ended early when asked: the rest waits for the next round

    @property
    def changed(self) -> bool:
        return bool(self.uploaded or self.downloaded or self.merged or self.conflicts
                    or self.deleted_here or self.deleted_there or self.renamed)

    def summary(self) -> str:
        parts = [f"{len(getattr(self, name))} {label}" for name, label in (
            ("uploaded", "sent"), ("downloaded", "received"), ("merged", "merged"),
            ("conflicts", "conflict copies"), ("deleted_here", "deleted here"),
            ("deleted_there", "deleted there"), ("renamed", "renamed"),
            ("skipped", "left for the next round"))
            if getattr(self, name)]
        if self.stopped:
            parts.append("stopped early (the rest syncs next time)")
        return ", ".join(parts) or "nothing to do"


_FRONT_MATTER = re.compile(rb"\A(?:\xef\xbb\xbf)?---[ \t]*\r?\n(.*?)\r?\n---", re.DOTALL)
_ID_LINE = re.compile(rb"(?m)^id:[ \t]*['\"]?([^'\"\s]+)")


def aid_id(data: bytes) -> str | None:
    """The ``id`` in an aid's front matter: its identity across renames and moves."""
    front = _FRONT_MATTER.match(data)
    found = _ID_LINE.search(front.group(1)) if front else None
    return found.group(1).decode("utf-8", "replace") if found else None


@dataclass(frozen=True)
class _Rename:
    old: str  # "" when the aid was never synced under any name (see _renames)
    new: str
    here: bool  # renamed on this side (else on the target's)
    theirs: bytes = b""  # the target's text under the new name, when renamed there
    etag: str = ""       # and its validator
    local: str = ""      # renamed on both sides: this side's name, which gives way to theirs


def _renames(here: dict[str, bytes], there: dict[str, RemoteFile], bases: dict[str, Base],
             target: Target) -> list[_Rename]:
    """Aids that left their synced path on one side and reappear, by their id, under a new
    name on that side: a rename or a move (a case-only one too), not a delete and a create.
    A conflict copy carries its aid's id but is not the aid: it is never taken for one.

    And an aid new on both sides under two names, with no synced name left between them (a
    rename whose upload was lost after the old name was deleted there, then renamed again
    elsewhere; a lost journal): one aid under the target's name, as when renamed on both."""
    synced = {p: b for p, b in bases.items() if not is_conflict_copy(p)}
    gone_there = [p for p in sorted(synced) if p not in there and p in here]
    gone_here = [p for p in sorted(synced) if p not in here and p in there]
    gone_both = [p for p in sorted(synced) if p not in here and p not in there]
    new_here: dict[str, str] = {}
    for path in sorted(set(here) - set(bases) - set(there)):
        if is_conflict_copy(path) or not path.lower().endswith(".md"):
            continue  # a conflict copy carries its aid's id, and is not the aid
        ident = aid_id(here[path])
        if ident:
            new_here.setdefault(ident, path)
    if not gone_there and not gone_here and not gone_both and not new_here:
        return []
    renames = []
    for path in gone_here:
        ident = aid_id(bases[path].data)
        new = new_here.pop(ident, None) if ident else None
        if new is not None:
            renames.append(_Rename(path, new, here=True))
    wanted = {ident: path for path in gone_there if (ident := aid_id(bases[path].data))}
    # Renamed on both sides, to different names: theirs was synced first, and wins.
    both = {ident: (path, new_here.pop(ident)) for path in gone_both
            if (ident := aid_id(bases[path].data)) and ident in new_here}
    for path in sorted(set(there) - set(bases) - set(here)):
        if not wanted and not both and not new_here:
            break
        if is_conflict_copy(path) or not path.lower().endswith(".md"):
            continue
        try:
            data, etag = target.read(path)  # a new file there: it would be received anyway
        except SyncError:
            continue  # judged on its own in the round (and said there), never a rename
        ident = aid_id(data) or ""
        if ident in wanted:
            renames.append(_Rename(wanted.pop(ident), path, here=False, theirs=data, etag=etag))
        elif ident in both:
            old, local = both.pop(ident)
            renames.append(_Rename(old, path, here=False, theirs=data, etag=etag, local=local))
        elif ident in new_here:
            renames.append(_Rename("", path, here=False, theirs=data, etag=etag,
                                   local=new_here.pop(ident)))
    return renames


# Conflict copies other tools make underneath a shared folder: Syncthing's
# "name.sync-conflict-20261204-101010-ABCDEFG.md", Dropbox's "name (Ana's conflicted copy
# 2026-12-04).md" and "name (Case Conflict).md". Like Handrail's own, each is listed as a
# conflict to settle, never taken for the aid it copies.
_OTHER_CONFLICTS = re.compile(r"(?P<stem>.+?)(?:\.sync-conflict-\d{8}-\d{6}-[A-Z0-9]{7}"
                              r"| \([^()]*conflicted copy[^()]*\)| \(Case Conflict(?: \d+)?\))$")


def original_name(name: str) -> str | None:
    """The name of the aid a conflict copy was made beside, or None if ``name`` is none."""
    pure = PurePosixPath(name)
    if CONFLICT_MARK in pure.stem:
        return pure.stem.rsplit(CONFLICT_MARK, 1)[0] + pure.suffix
    other = _OTHER_CONFLICTS.fullmatch(pure.stem)
    return other.group("stem") + pure.suffix if other else None


def _copy_tag(path: str) -> str | None:
    """The tag of the text a conflict copy of Handrail's holds, from its name."""
    if CONFLICT_MARK not in path:  # most names, at once
        return None
    stem = PurePosixPath(path).stem
    return stem.rsplit(CONFLICT_MARK, 1)[1] if CONFLICT_MARK in stem else None


def is_conflict_copy(path: str) -> bool:
    return original_name(PurePosixPath(path).name) is not None


def conflict_name(path: str, data: bytes) -> str:
    pure = PurePosixPath(path)
    return str(pure.with_name(f"{pure.stem}{CONFLICT_MARK}{content_tag(data)[:8]}{pure.suffix}"))


def _local_files(root: Path) -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".") or d == SHARED_DOT_FOLDER]
        for name in names:
            if not synced_name(name):
                continue
            path = Path(folder, name)
            try:
                files[path.relative_to(root).as_posix()] = path.read_bytes()
            except OSError:
                continue  # unreadable now: judged next round, never taken as deleted
    return files


class _Round:
    def __init__(self, local: Path, target: Target, journal: Journal, collection: str,
                 trash: Path, pull_only: bool,
                 local_lock: Callable[[], AbstractContextManager[None]] = nullcontext) -> None:
        # Held around each change to a local file (its check and its write), never across
        # the network: the app's own saves wait a moment at most, not for the whole round.
        self.locked = local_lock
        self.local, self.target, self.journal = local, target, journal
        self.collection, self.trash, self.pull_only = collection, trash, pull_only
        self.report = SyncReport()
        self.sent: list[tuple[str, bytes]] = []  # written there, checked at the end
        # Handrail's conflict copies on each side (the local ones' texts): a version kept
        # as a copy once is not copied again under another name (see kept_copy).
        self.copies_here: dict[str, bytes] = {}
        self.copies_there: set[str] = set()
        self.full = ""  # the target said it has no room: nothing more is sent this round

    def _write_there(self, path: str, data: bytes, if_match: str | None) -> None:
        """Send, noting it first: a kill between the write and its base is found next round
        (see :meth:`finish_unfinished`). The base is set at once (its time makes the next
        round compare the content), and checked again at the end of the round."""
        if self.full:
            raise StorageFull(self.full)  # asked once: the rest waits for room
        self.journal.sending(self.collection, path, data)
        try:
            etag = self.target.write(path, data, if_match=if_match)
        except StorageFull as error:
            self.journal.sending(self.collection, path, None)
            self.full = str(error)
            raise
        except BaseException:
            self.journal.sending(self.collection, path, None)
            raise
        self.journal.set(self.collection, path, self._base(data, etag))
        self.journal.sending(self.collection, path, None)
        self.sent.append((path, data))

    def finish_unfinished(self, there: dict[str, RemoteFile]) -> None:
        """Writes a killed round sent without noting their base: where the target holds
        exactly what was being sent, that is the base now; elsewhere the write never landed
        and the base stays as it was."""
        for path, data in self.journal.unfinished(self.collection).items():
            if path in there:
                try:
                    stored, etag = self.target.read(path)
                except SyncError:
                    continue  # asked again next round
                if stored == data:
                    self.journal.set(self.collection, path, self._base(data, etag))
            self.journal.sending(self.collection, path, None)

    def check_sent(self) -> None:
        """Read back what this round wrote, once the server's clock has passed the second
        of the last write: a file that holds exactly what was sent is its base as seen after
        any same-second rewrite could have happened (so later rounds trust its validator);
        one that does not is left for the next round, which compares its content."""
        if not self.sent:
            return
        self.target.settle()
        for path, data in self.sent:
            try:
                stored, etag = self.target.read(path)
            except SyncError as error:
                self.report.skipped.append((path, str(error)))
                continue
            if stored != data:  # its base's time makes the next round compare the content
                self.report.skipped.append((path, "changed on the target right after it was "
                                            "sent; it is synced again next round"))
                continue
            self.journal.set(self.collection, path, self._base(data, etag))

    def kept_copy(self, data: bytes, other_than: str) -> str | None:
        """A conflict copy other than ``other_than`` that holds exactly ``data`` already, here
        or there (its name carries its text's tag), or None. A version that lost a conflict
        is kept once: the live aid renamed before the conflict was settled would otherwise
        copy it again under the new name."""
        tag = content_tag(data)[:8]
        for path, kept in sorted(self.copies_here.items()):
            if _copy_tag(path) == tag and kept == data and path != other_than:
                return path
        for path in sorted(self.copies_there - set(self.copies_here) - {other_than}):
            if _copy_tag(path) == tag:
                try:
                    if self.target.read(path)[0] == data:
                        return path
                except SyncError:
                    continue  # not this one, then
        return None

    # -- the local side -------------------------------------------------------------------
    def _local_path(self, path: str) -> Path:
        return self.local.joinpath(*PurePosixPath(path).parts)

    def _write_here(self, path: str, data: bytes, expect: bytes | None) -> None:
        """Replace the local file, only if it still holds ``expect`` (None: absent); a file
        the user saved meanwhile is left for the next round."""
        target = self._local_path(path)
        with self.locked():
            try:
                current: bytes | None = target.read_bytes()
            except FileNotFoundError:
                current = None
            if current != expect:
                raise Precondition(f"{path} was changed here meanwhile")
            if current is not None:
                self._keep(path, current)  # the version replaced stays in the sync history
            target.parent.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(target, data)

    def rename(self, move: _Rename, here: dict[str, bytes], there: dict[str, RemoteFile],
               bases: dict[str, Base]) -> None:
        """Carry a rename over, keeping the aid one aid: ``here``, ``there`` and ``bases``
        are updated so that the round then judges the new name against the old one's base
        (an edit made meanwhile on the other side merges in, or is kept as a conflict copy)."""
        if not move.old:  # never synced: the local file takes the target's name, and the
            self._adopt(move, here)  # round then compares the two texts as any others
            return
        base = bases[move.old]
        if not move.here:  # renamed there: the local file follows under its new name
            local = move.local or move.old
            source, target = self._local_path(local), self._local_path(move.new)
            with self.locked():
                if source.read_bytes() != here[local]:
                    raise Precondition(f"{local} was changed here meanwhile")
                target.parent.mkdir(parents=True, exist_ok=True)
                os.replace(source, target)
            mine = here.pop(local)
            here[move.new] = mine
            if content_tag(mine) == base.hash:  # not edited here: the target's text, as read
                if move.theirs != mine:
                    self._write_here(move.new, move.theirs, mine)
                    here[move.new] = move.theirs
                    self.report.downloaded.append(move.new)
                moved = self._base(move.theirs, move.etag)
            else:  # edited here: no validator for the new name, so the round compares them
                moved = Base(base.hash, "", base.data, 0.0)
            self.journal.set(self.collection, move.new, moved)
            self.journal.forget(self.collection, move.old)
            bases[move.new] = moved
            del bases[move.old]
        else:  # renamed here: the target's old name goes, once what it holds is in the new
            current, etag = self.target.read(move.old)
            if current != base.data:
                mine = here[move.new]
                merged = self._merged(move.new, base, mine, current)
                if merged is not None:
                    self._write_here(move.new, merged, mine)
                    here[move.new] = merged
                    self.report.merged.append(move.new)
                elif self.kept_copy(mine, move.new) is not None:  # lost a conflict before,
                    self._write_here(move.new, current, mine)  # kept as a copy: theirs live
                    here[move.new] = current
                    self.report.downloaded.append(move.new)
                elif self.kept_copy(current, move.new) is None:
                    copy = conflict_name(move.new, current)
                    self._write_here(copy, current, None)
                    here[copy] = self.copies_here[copy] = current
                    self.report.conflicts.append(copy)
            self._keep(move.old, current)
            self.target.delete(move.old, if_match=etag)
            self.journal.forget(self.collection, move.old)
            del there[move.old], bases[move.old]
        self.report.renamed.append((move.old, move.new))

    def _adopt(self, move: _Rename, here: dict[str, bytes]) -> None:
        source, target = self._local_path(move.local), self._local_path(move.new)
        with self.locked():
            if source.read_bytes() != here[move.local]:
                raise Precondition(f"{move.local} was changed here meanwhile")
            if target.exists() and not source.samefile(target):
                raise Precondition(f"{move.new} is here already")
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(source, target)
        here[move.new] = here.pop(move.local)
        self.report.renamed.append((move.local, move.new))

    def _keep(self, path: str, data: bytes) -> None:
        kept = self.trash / f"{time.time_ns()}" / path
        kept.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(kept, data)

    def _delete_here(self, path: str, expect: bytes) -> None:
        """Move the local file to the sync history (never unlinked), if it still holds
        ``expect``."""
        source = self._local_path(path)
        kept = self.trash / f"{time.time_ns()}" / path
        kept.parent.mkdir(parents=True, exist_ok=True)
        with self.locked():
            if source.read_bytes() != expect:
                raise Precondition(f"{path} was changed here meanwhile; it is kept")
            os.replace(source, kept)

    # -- one file -------------------------------------------------------------------------
    def step(self, path: str, here: bytes | None, there: RemoteFile | None,
             base: Base | None) -> None:
        here_hash = content_tag(here) if here is not None else None
        changed_here = here_hash != (base.hash if base else None)
        # The size too: a server whose ETag misses a change (wsgidav's, for a rewrite of the
        # same size within a second) still shows most changes.
        changed_there = ((there.etag if there else None) != (base.etag if base else None)
                         or (there is not None and base is not None
                             and there.size != len(base.data)))
        if not changed_there and there is not None and base is not None and base.seen_at \
                and int(there.modified) >= int(base.seen_at):
            changed_there = self._changed_in_the_same_second(path, base)
        if not changed_here and not changed_there:
            if base is not None and here is None and there is None:
                self.journal.forget(self.collection, path)
            return
        if changed_here and self.pull_only:
            if here is not None and there is not None and not changed_there:
                self.report.skipped.append((path, "changed here, but this team library is "
                                            "read-only: the change stays on this machine"))
                return
            if here is None and there is not None:
                self._receive(path, None)  # deleted here, still published: it comes back
                return
            if there is None:  # only here: never sent to a read-only library
                if here is not None:
                    self.report.skipped.append((path, "only on this machine: this team "
                                                "library is read-only, so it is never sent "
                                                "(move it to your own aids to share it)"))
                return
            # Changed on both sides: the library's version is taken, and the one replaced here
            # stays in the sync history (nothing is ever written to a read-only library).
            self._receive(path, here)
            self.report.skipped.append((path, "changed here and in the team library, which is "
                                        "read-only: its version is here now, and yours is kept "
                                        "in the sync history (state/sync-kept)"))
            return
        if changed_here and not changed_there and there is not None and base is not None:
            # The target's validator says "unchanged"; its content must say so too before it
            # is replaced or deleted: some servers keep an ETag across a same-size rewrite
            # within a second (wsgidav), some ignore If-Match (nginx, rclone).
            current, etag = self.target.read(path)
            if current != base.data:
                there = RemoteFile(etag, len(current))
                changed_there = True
        if changed_here and not changed_there:
            if here is None:
                assert base is not None and there is not None
                self.target.delete(path, if_match=there.etag)
                self.journal.forget(self.collection, path)
                self.report.deleted_there.append(path)
            else:
                self._send(path, here, there)
            return
        if changed_there and not changed_here:
            if there is None:
                assert here is not None
                self._delete_here(path, here)
                self.journal.forget(self.collection, path)
                self.report.deleted_here.append(path)
            else:
                self._receive(path, here)
            return
        # Changed on both sides.
        if here is None and there is None:
            self.journal.forget(self.collection, path)
        elif here is None:
            self._receive(path, None)  # an edit there beats the delete here
        elif there is None:
            self._send(path, here, None)  # an edit here beats the delete there
        else:
            self._both(path, here, there, base)

    def _changed_in_the_same_second(self, path: str, base: Base) -> bool:
        """The file was modified around when its base was seen: its validator may not show a
        change made in that second, so its content decides (and it is re-based if equal, so
        the question is asked once)."""
        current, etag = self.target.read(path)
        if current != base.data:
            return True
        self.journal.set(self.collection, path, Base(base.hash, base.etag, base.data,
                                                     self.target.clock()))
        return False

    def _base(self, data: bytes, etag: str) -> Base:
        return Base(content_tag(data), etag, data, self.target.clock())

    def _send(self, path: str, data: bytes, there: RemoteFile | None) -> None:
        self._write_there(path, data, there.etag if there else None)
        self.report.uploaded.append(path)

    def _receive(self, path: str, here: bytes | None) -> None:
        data, etag = self.target.read(path)
        self._write_here(path, data, here)
        self.journal.set(self.collection, path, self._base(data, etag))
        self.report.downloaded.append(path)

    def _both(self, path: str, here: bytes, there: RemoteFile, base: Base | None) -> None:
        theirs, etag = self.target.read(path)
        if theirs == here:
            self.journal.set(self.collection, path, self._base(here, etag))
            return
        merged = self._merged(path, base, here, theirs)
        if merged is not None:
            self._write_here(path, merged, here)
            self._write_there(path, merged, etag)
            self.report.merged.append(path)
            return
        # Both kept: theirs beside as a conflict copy (here and there), ours stays live.
        # Unless one of them is kept as a conflict copy already: ours (it lost a conflict
        # that another client settled while a fault kept this one from hearing of it), so
        # theirs stays live; or theirs (under an earlier name of the aid), so ours goes live.
        if self.kept_copy(here, path) is not None:
            self._write_here(path, theirs, here)
            self.journal.set(self.collection, path, self._base(theirs, etag))
            self.report.downloaded.append(path)
            return
        if self.kept_copy(theirs, path) is not None:
            self._write_there(path, here, etag)
            self.report.uploaded.append(path)
            return
        copy = conflict_name(path, theirs)
        if not self._local_path(copy).exists():
            self._write_here(copy, theirs, None)
        self.copies_here[copy] = theirs
        try:
            self._write_there(copy, theirs, None)
        except Precondition:  # there already (another client made it), or so the server
            pass  # says: the next round compares what is there with this copy, as any file
        self._write_there(path, here, etag)
        self.report.conflicts.append(copy)

    @staticmethod
    def _merged(path: str, base: Base | None, here: bytes, theirs: bytes) -> bytes | None:
        if base is None or not path.lower().endswith(".md"):
            return None
        try:
            merged = merge_texts(base.data.decode("utf-8"), here.decode("utf-8"),
                                 theirs.decode("utf-8"))
        except UnicodeDecodeError:
            return None
        return merged.encode("utf-8") if merged is not None else None


def _hidden_by_name(path: str) -> bool:
    return any(part.startswith(".") for part in path.split("/"))


HIDDEN_THERE = ("the server hides files whose names start with a dot, so the team would "
                "never see it: rename it (without the leading dot) to share it")


def sync_collection(local: Path, target: Target, journal: Journal, collection: str, *,
                    trash: Path, allow_deletes: bool = False, pull_only: bool = False,
                    local_lock: Callable[[], AbstractContextManager[None]] = nullcontext,
                    stop: Callable[[], bool] = lambda: False) -> SyncReport:
    """One round (see the module). Raises SafetyStop or SyncError before changing anything
    when the target looks wrong; a file that fails is left for the next round. ``trash``
    keeps every local version a round replaced or deleted; ``local_lock`` (the library's
    write lock) is held around each change to a local file; ``stop`` ends the round early
    (the app is quitting), between two files."""
    listing = target.list()
    if not listing.complete:
        raise SyncError("the target's listing is incomplete (a folder could not be read); "
                        "nothing was synced, and nothing is taken as deleted")
    bases = journal.bases(collection)
    if listing.marker is None:
        if pull_only:
            raise SyncError("the read-only team library has no Handrail marker: nothing to "
                            "pull from it yet (has its team synced it once?)")
        if bases and not listing.files:
            raise SafetyStop(f"the target is empty, but {len(bases)} files were synced with it "
                             "before: a wrong address, or emptied? Nothing was deleted")
        listing.hides_dot_names = target.write_marker(collection)
    elif listing.marker != collection:
        raise SafetyStop(f"the target holds the collection {listing.marker!r}, not "
                         f"{collection!r}; nothing was synced")
    local.mkdir(parents=True, exist_ok=True)
    here = _local_files(local)
    there: dict[str, RemoteFile] = {}
    sync_round = _Round(local, target, journal, collection, trash, pull_only, local_lock)
    for name, file in listing.files.items():
        try:
            there[checked_path(name)] = file
        except SyncError as error:
            sync_round.report.skipped.append((name, str(error)))
    # Deletions only after proof: a file synced before and missing from the listing is
    # asked for by name. A listing can leave it out and still look complete: a reply clamped
    # to the folder itself, a server that hides dot names (nginx).
    listed_folded = {path.lower() for path in there}
    unproven: set[str] = set()  # could not be looked at: neither deleted nor renamed yet
    for path in sorted(set(bases) - set(there)):
        if path.lower() in listed_folded:
            continue  # listed in another case: renamed so (a share that ignores case opens it)
        try:
            seen = target.look(path)
        except Unreachable:
            raise
        except SyncError as error:
            unproven.add(path)
            sync_round.report.skipped.append((path, f"{error}; it waits for the next round"))
            continue
        if seen is not None:
            there[path] = seen
    if listing.hides_dot_names:
        for path in sorted(set(here) - set(bases) - set(there)):
            if not _hidden_by_name(path) or path.startswith(SHARED_DOT_FOLDER + "/"):
                continue
            seen = target.look(path)
            if seen is not None:
                there[path] = seen
            else:  # sent, no one else would ever see it there: it stays here, and says why
                del here[path]
                sync_round.report.skipped.append((path, HIDDEN_THERE))
    sync_round.finish_unfinished(there)
    sync_round.copies_here = {path: data for path, data in here.items()
                              if _copy_tag(path) is not None}
    sync_round.copies_there = {path for path in there if _copy_tag(path) is not None}
    bases = journal.bases(collection)
    renames = _renames(here, there, {p: b for p, b in bases.items() if p not in unproven},
                       target)
    moved = {p for move in renames for p in (move.old, move.local) if p}
    moved |= unproven
    deletions = sum(1 for path, base in bases.items() if path not in moved and (
                    (path not in here and there.get(path, None) is not None
                     and there[path].etag == base.etag)
                    or (path not in there and path in here
                        and content_tag(here[path]) == base.hash)))
    if deletions > max(DELETE_LIMIT, DELETE_SHARE * len(bases)) and not allow_deletes:
        raise SafetyStop(f"this round would delete {deletions} of {len(bases)} files; nothing "
                         "was changed. If that is right, sync again allowing deletions")
    held = set(unproven)  # and a rename that failed: both its names wait for the next round
    for move in renames:
        if pull_only and move.here:
            continue  # never sent to a read-only library: the round says so per file
        try:
            sync_round.rename(move, here, there, bases)
        except (SyncError, OSError) as error:
            held |= {move.old, move.new, move.local} - {""}
            sync_round.report.skipped.append((move.new, f"renamed from {move.old}, but: "
                                              f"{getattr(error, 'strerror', None) or error}"))
    failing = journal.failing(collection)
    for path in sorted((set(here) | set(there) | set(bases)) - held):
        if stop():  # between files: each one is done or not begun, so the next round goes on
            sync_round.report.stopped = True
            break
        aside = failing.get(path)
        if aside is not None and aside.rounds_left > 0:
            journal.waited(collection, path)
            sync_round.report.skipped.append((path, (
                f"set aside after failing {aside.failures} times in a row ({aside.why}); "
                f"tried again in {aside.rounds_left} round(s)")))
            continue
        try:
            sync_round.step(path, here.get(path), there.get(path), bases.get(path))
        except (Precondition, StorageFull, Unreachable) as error:
            # Not this file's fault: the next round tries it again, as any other.
            sync_round.report.skipped.append((path, str(error)))
        except (SyncError, OSError) as error:
            why = str(error) if isinstance(error, SyncError) else f"{error.strerror or error}"
            sync_round.report.skipped.append((path, why))
            journal.failed(collection, path, why)
        else:
            if aside is not None:
                journal.succeeded(collection, path)
    sync_round.check_sent()
    return sync_round.report
