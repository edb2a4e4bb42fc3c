"""Where a team library lives: the operations sync needs from a target, and the shared-folder
target (an SMB share, a Dropbox/OneDrive/Syncthing folder, a USB stick).

Every write is conditional: it names the version it replaces (``if_match``), or says the file
must not exist yet (``create_only``), and fails with :class:`Precondition` otherwise, so a
change someone else made in the meantime is never overwritten. A listing says whether it is
complete: an incomplete one is never read as "these files were deleted".
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Protocol

from job_aids.atomic import atomic_write_bytes
from job_aids.drafts import digest_of
from job_aids.names import safe_relative_path

MARKER = ".handrail-collection"  # names the collection a remote folder holds
SHARED_DOT_FOLDER = ".handrail"  # the team's insights files (search/team_insights.py) travel
MAX_REMOTE_BYTES = 8 * 1024 * 1024


class SyncError(Exception):
    """A sync step failed; the message says what happened and what to do."""


class Precondition(SyncError):  # noqa: N818 - the HTTP name for it
    """The remote file is not the version the write or delete was meant for."""


class StorageFull(SyncError):
    """The target has no room: nothing more is sent to it this round."""


class Unreachable(SyncError):  # noqa: N818 - it is an error; the name says what happened
    """The target cannot be reached (offline, unmounted, wrong address)."""


@dataclass(frozen=True)
class RemoteFile:
    etag: str  # a validator: it changes when the content does (mostly: see Target.clock)
    size: int
    modified: float = 0.0  # the server's last-modified time, 0 if unknown


@dataclass
class Listing:
    files: dict[str, RemoteFile] = field(default_factory=dict)  # relative posix path -> file
    complete: bool = True
    marker: str | None = None  # the collection id the target's marker names, if any
    # The server leaves names that start with a dot out of its listings (nginx's dav-ext
    # does): such a file is there or not by Target.look, not by its absence here.
    hides_dot_names: bool = False


class Target(Protocol):
    def clock(self) -> float:
        """The server's time at its last answer, for validators that miss changes made in
        the same second (0: its validators never miss one)."""
        ...

    def settle(self) -> None:
        """Return once the server's clock has passed the second of the last write."""
        ...

    def list(self) -> Listing: ...

    def look(self, path: str) -> RemoteFile | None:
        """One file, as a listing would show it; None when it is not there."""
        ...

    def read(self, path: str) -> tuple[bytes, str]: ...
    def write(self, path: str, data: bytes, *, if_match: str | None) -> str: ...
    def delete(self, path: str, *, if_match: str) -> None: ...
    def write_marker(self, collection_id: str) -> bool:
        """Mark the target as holding ``collection_id``; True if the marker, once written, is
        left out of listings (see Listing.hides_dot_names)."""
        ...


def synced_name(name: str) -> bool:
    """Whether a file name is synced: not a temp file or a hidden file of another program
    (``.DS_Store``, a half-written ``.x.md.123.handrail-tmp``), but an aid whose name starts
    with a dot (tldr's ``..md``) is."""
    if name == MARKER or name.endswith((".tmp", ".handrail-tmp")):
        return False
    return not name.startswith(".") or name.endswith(".md")


def content_tag(data: bytes) -> str:
    return digest_of(data)  # the library's own content hash (drafts, history, the store)


def checked_path(name: str) -> str:
    """A name from the remote as a safe relative path inside the collection, or SyncError."""
    try:
        safe = safe_relative_path(name).as_posix()
    except ValueError:
        safe = ""
    if safe != name:
        raise SyncError(f"the remote holds a file named {name!r}, which is not a safe name "
                        "here (it would leave the folder, or is reserved); it is left alone")
    return safe


class FolderTarget:
    """A folder shared some other way. The validator is the content's hash; a write checks it
    right before replacing the file, atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def clock(self) -> float:
        return 0.0  # the validator is the content's hash: it never misses a change

    def settle(self) -> None:
        return None

    def _path(self, name: str) -> Path:
        return self.root.joinpath(*PurePosixPath(checked_path(name)).parts)

    def list(self) -> Listing:
        if not self.root.is_dir():
            raise Unreachable(f"{self.root} is not there (not mounted, or moved?); nothing was "
                              "synced")
        listing = Listing()
        marker = self.root / MARKER
        if marker.is_file():
            listing.marker = marker.read_text(encoding="utf-8").strip()

        def unreadable(_error: OSError) -> None:
            listing.complete = False  # a folder we cannot read is not an empty folder

        for folder, dirs, files in os.walk(self.root, onerror=unreadable):
            dirs[:] = [d for d in dirs if not d.startswith(".") or d == SHARED_DOT_FOLDER]
            for name in files:
                if not synced_name(name):
                    continue
                path = Path(folder, name)
                relative = path.relative_to(self.root).as_posix()
                try:
                    data = path.read_bytes()
                except OSError:
                    listing.complete = False
                    continue
                listing.files[relative] = RemoteFile(content_tag(data), len(data))
        return listing

    def look(self, path: str) -> RemoteFile | None:
        try:
            data, tag = self.read(path)
        except Precondition:
            return None
        return RemoteFile(tag, len(data))

    def read(self, path: str) -> tuple[bytes, str]:
        try:
            data = self._path(path).read_bytes()
        except FileNotFoundError as error:
            raise Precondition(f"{path} is no longer on the target") from error
        except OSError as error:
            raise Unreachable(f"{path} cannot be read from {self.root}: {error.strerror}") \
                from error
        if len(data) > MAX_REMOTE_BYTES:
            raise SyncError(f"{path} on the target is over {MAX_REMOTE_BYTES // 1048576} MB; "
                            "it is left alone")
        return data, content_tag(data)

    def _current(self, target: Path) -> str | None:
        try:
            return content_tag(target.read_bytes())
        except FileNotFoundError:
            return None

    def write(self, path: str, data: bytes, *, if_match: str | None) -> str:
        target = self._path(path)
        if self._current(target) != if_match:
            raise Precondition(f"{path} changed on the target meanwhile")
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, data)
        return content_tag(data)

    def delete(self, path: str, *, if_match: str) -> None:
        target = self._path(path)
        if self._current(target) != if_match:
            raise Precondition(f"{path} changed on the target meanwhile; it is kept")
        target.unlink()

    def write_marker(self, collection_id: str) -> bool:
        atomic_write_bytes(self.root / MARKER, (collection_id + "\n").encode())
        return False
