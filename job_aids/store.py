"""The library store: finds, reads, creates, saves, deletes and restores aids across collections.

Every write is atomic; every save keeps the previous version in the aid's history; deleting moves
to a trash. The store keeps no cache of file contents, so edits by other programs are always seen.
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .atomic import atomic_write_bytes
from .cleanup import Cleaned, clean
from .collections import OWN, Collection, CollectionRegistry
from .errors import (
    AidChangedOnDiskError,
    AidNotFoundError,
    CollectionError,
    InvalidAidError,
    ReadOnlyCollectionError,
    StorageError,
    map_os_errors,
)
from .fileformat import (
    MAX_FILE_BYTES,
    aid_from_bytes,
    decode,
    encode_text,
    is_markdown_name,
    parse_text,
    read_aid,
    read_limited,
    serialize_bytes,
    why_not_rewritable,
)
from .history import AidHistory, Version
from .locking import WriteLock
from .model import JobAid, Problem
from .names import slugify, unique_path
from .paths import HandrailPaths
from .swap import swap_if_unchanged
from .templates import TemplateLibrary
from .trash import Trash, TrashEntry


@dataclass(frozen=True)
class FileStamp:
    mtime_ns: int
    size: int


@dataclass(frozen=True)
class EditableText:
    """An aid opened for editing: ``aid`` is read from exactly the bytes ``text`` came from,
    so a save is compared against them; ``read_only`` says why it must not be saved over."""

    aid: JobAid
    text: str
    read_only: str | None


def _digest(data: bytes) -> str:
    return hashlib.blake2b(data[:MAX_FILE_BYTES], digest_size=16).hexdigest()


def _inside(real_root: str, path: str) -> bool:
    """Whether a link at ``path`` leads to a file inside the collection (``real_root``)."""
    try:
        target = os.path.realpath(path, strict=True)
    except (OSError, RuntimeError):
        return False
    return target.startswith(real_root + os.sep)


def scan_stamps(root: str, real_root: str | None = None) -> Iterator[tuple[str, int, int]]:
    """(path, mtime_ns, size) of every aid file under ``root``, hidden folders skipped, and
    links to files outside the collection too (a link to the password file was listed and
    found); links to folders are not followed.

    Strings and ``os.scandir`` rather than ``Path`` objects: this runs over every file of the
    library on each index update (38k files in well under a second).
    """
    if real_root is None:
        real_root = os.path.realpath(root)
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                if not entry.name.startswith("."):
                    yield from scan_stamps(entry.path, real_root)
            elif is_markdown_name(entry.name) and entry.is_file() and (
                    not entry.is_symlink() or _inside(real_root, entry.path)):
                stat = entry.stat()
                yield entry.path, stat.st_mtime_ns, stat.st_size
        except OSError:
            continue


def walk_markdown(root: Path, problems: list[Problem] | None = None) -> Iterator[Path]:
    """Markdown files under ``root`` in a stable order; hidden files and folders are skipped,
    and so is anything that is not a regular file (a pipe named ``x.md`` hung the commands)
    and a link to a file outside the collection (see :func:`scan_stamps`).
    A folder that cannot be read is added to ``problems``."""
    def unreadable(error: OSError) -> None:
        if problems is not None:
            folder = Path(error.filename) if error.filename else root
            problems.append(Problem(folder, 0, f"this folder cannot be read "
                                    f"({error.strerror or error}), so its aids are not listed or "
                                    "searched. Check its permissions.", "warning"))

    real_root = os.path.realpath(root)
    for folder, dirs, files in os.walk(root, onerror=unreadable):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = os.path.join(folder, name)
            if is_markdown_name(name) and os.path.isfile(path) and (
                    not os.path.islink(path) or _inside(real_root, path)):
                yield Path(path)


def unreachable_problem(collection: Collection) -> Problem:
    return Problem(collection.path, 0, f"the collection {collection.name!r} is not reachable "
                   f"({collection.path}): a removed USB stick or an unmounted share? Its aids "
                   "are not listed or searched until it is back.", "warning")


def _copy_images(aid: JobAid, target: Collection) -> None:
    """The images the aid shows, into the same places inside ``target`` (one already there
    is kept)."""
    from .export import attachments_of

    assert aid.source is not None
    root = aid.source.root.resolve()
    for attachment in attachments_of(aid):
        copy = target.path / attachment.relative_to(root)
        if not copy.exists():
            with map_os_errors("copy the image", copy):
                copy.parent.mkdir(parents=True, exist_ok=True)
                atomic_write_bytes(copy, attachment.read_bytes())


def _mode_of(path: Path) -> int | None:
    try:
        return path.stat().st_mode
    except OSError:
        return None


def _reachable(collection: Collection) -> None:
    """A collection's folder must be there to write into it; it is never re-created here (it
    may be a USB stick or a share that is not mounted)."""
    if not collection.path.is_dir():
        raise StorageError.unreachable(f"write to the collection {collection.name!r}",
                                       collection.path)


class LibraryStore:
    def __init__(self, paths: HandrailPaths, *, starter_dir: Path | None = None,
                 templates_dir: Path | None = None, history_keep: int = 50) -> None:
        self.paths = paths
        self.collections = CollectionRegistry(paths.collections_file, paths.own_library,
                                              starter_dir)
        self.history = AidHistory(paths.history, keep=history_keep)
        self.trash = Trash(paths.trash)
        self.templates = TemplateLibrary(templates_dir)
        # Every change to the library, by any Handrail process of this home, holds this lock.
        self.write_lock = WriteLock(paths.state / "library.lock")
        with map_os_errors("create the library folder", paths.own_library):
            paths.own_library.mkdir(parents=True, exist_ok=True)

    # -- reading --------------------------------------------------------------------------
    def collection_for(self, path: Path) -> Collection | None:
        path = path.resolve()
        best: Collection | None = None
        for collection in self.collections.all():
            root = collection.path.resolve()
            if path.is_relative_to(root) and (
                    best is None or len(root.parts) > len(best.path.resolve().parts)):
                best = collection
        return best

    def iter_files(self, collections: Iterable[Collection] | None = None,
                   problems: list[Problem] | None = None) -> Iterator[tuple[Collection, Path]]:
        """Every aid file; collections that are not reachable and folders that cannot be read
        are added to ``problems``."""
        for collection in collections if collections is not None else self.collections.all():
            if collection.path.is_dir():
                for path in walk_markdown(collection.path, problems):
                    yield collection, path
            elif problems is not None:
                problems.append(unreachable_problem(collection))

    def unreachable(self) -> list[Problem]:
        """A problem for each collection whose folder is not there (a USB stick, a share)."""
        return [unreachable_problem(c) for c in self.collections.all() if not c.path.is_dir()]

    def load(self, path: Path, collection: Collection | None = None) -> JobAid:
        collection = collection or self.collection_for(path)
        try:
            if collection is None:
                return read_aid(path)
            return read_aid(path, collection.name, collection.path)
        except FileNotFoundError as error:
            raise AidNotFoundError(f"{path} does not exist (moved or deleted?)") from error
        except OSError as error:
            raise StorageError.from_os_error("read", path, error) from error

    def open_for_editing(self, aid: JobAid) -> EditableText:
        """The aid's file as an editor shows it, read once, with why it must open read-only
        (a save would change what the user never touched), if so."""
        if aid.source is None:
            raise AidNotFoundError("this aid has no file")
        path, collection = aid.source.path, self.collection_for(aid.source.path)
        try:
            data, stat = read_limited(path)
        except FileNotFoundError as error:
            raise AidNotFoundError(f"{path} does not exist (moved or deleted?)") from error
        except OSError as error:
            raise StorageError.from_os_error("read", path, error) from error
        fresh = aid_from_bytes(data, stat, path, *((collection.name, collection.path)
                                                   if collection else ()))
        reason = why_not_rewritable(data, stat.st_size)
        if reason is None and collection is not None and collection.read_only:
            reason = (f"the collection {collection.name!r} is read-only. Copy the aid into your "
                      "own collection to change it.")
        return EditableText(fresh, decode(data)[0], reason)

    def iter_aids(self, collections: Iterable[Collection] | None = None) -> Iterator[JobAid]:
        """Every aid; a file that cannot be read at all is reported as an aid with an error,
        and a collection that is not reachable or a folder that cannot be read as an aid
        with a warning (and no source)."""
        problems: list[Problem] = []
        for collection, path in self.iter_files(collections, problems):
            while problems:
                yield JobAid(problems=[problems.pop(0)])
            try:
                yield read_aid(path, collection.name, collection.path)
            except OSError as error:
                aid = JobAid(problems=[Problem(path, 1, f"cannot be read: {error.strerror}")])
                yield aid
        for problem in problems:
            yield JobAid(problems=[problem])

    def find(self, key: str) -> JobAid:
        """An aid by id, file path, ``collection/relative/path.md`` or exact title."""
        candidate = Path(key).expanduser()
        try:
            is_file = candidate.is_file()
        except OSError as error:  # a name too long to be a path, ...
            is_file = False
            if error.errno in (errno.EACCES, errno.EPERM):  # in a folder that cannot be read
                raise StorageError.from_os_error("read", candidate, error) from error
        if is_file:
            return self.load(candidate.resolve())
        if "/" in key:
            name, _, rel = key.partition("/")
            try:
                collection = self.collections.get(name)
            except CollectionError:
                collection = None
            if collection is not None and (collection.path / rel).is_file():
                return self.load(collection.path / rel, collection)
        return self.find_linked(key)

    def find_linked(self, key: str) -> JobAid:
        """The aid a link in an aid names: an id or an exact title, in the library, and never
        a path (``[[%2Fetc%2Fpasswd]]`` showed that file in the viewer)."""
        by_title: list[JobAid] = []
        for aid in self.iter_aids():
            if aid.source is None:
                continue  # a folder that cannot be read
            if aid.id == key:
                return aid
            if aid.title.casefold() == key.casefold():
                by_title.append(aid)
        if len(by_title) == 1:
            return by_title[0]
        if by_title:
            paths = ", ".join(str(a.source.path) for a in by_title if a.source)
            raise AidNotFoundError(f"{len(by_title)} aids are titled {key!r}: {paths}; "
                                   "give the id or path")
        raise AidNotFoundError(f"no aid with id or path {key!r}; `handrail list` shows them all")

    def snapshot(self, collections: Iterable[Collection] | None = None) -> dict[Path, FileStamp]:
        """Modification stamps of every aid file: diff two snapshots to see outside changes."""
        result: dict[Path, FileStamp] = {}
        for collection in collections if collections is not None else self.collections.all():
            for path, mtime_ns, size in scan_stamps(str(collection.path)):
                result[Path(path)] = FileStamp(mtime_ns, size)
        return result

    # -- writing --------------------------------------------------------------------------
    def _writable(self, collection: Collection | None, path: Path) -> Collection:
        if collection is None:
            raise CollectionError(f"{path} is not inside any collection; add its folder with "
                                  "`handrail collection add`")
        if collection.read_only:
            raise ReadOnlyCollectionError(
                f"the collection {collection.name!r} is read-only; copy the aid into your own "
                "collection to change it")
        _reachable(collection)
        return collection

    def _write(self, path: Path, data: bytes) -> None:
        with map_os_errors("save", path):
            atomic_write_bytes(path, data)

    def create_aid(self, aid: JobAid, collection_name: str = OWN, folder: str = "") -> JobAid:
        """Write a new aid to a fresh, safe file name made from its title."""
        collection = self._writable(self.collections.get(collection_name),
                                    Path(collection_name))
        target_folder = collection.path / folder if folder else collection.path
        with self.write_lock.held():
            path = unique_path(target_folder, slugify(aid.title))
            self._write(path, serialize_bytes(aid))
        return self.load(path, collection)

    def save_aid(self, aid: JobAid, *, today: dt.date | None = None) -> JobAid:
        """Save an edited aid over its file, keeping the previous version in its history.

        Refuses if another program changed the file since it was loaded, or if the aid has parse
        errors (saving would re-serialize text the user has not fixed; use :meth:`save_text`).
        A save that changes nothing writes nothing.
        """
        if aid.source is None:
            raise InvalidAidError("this aid has no file yet; create it with create_aid")
        if aid.errors:
            raise InvalidAidError(f"{aid.source.path} has errors ({aid.errors[0].message}); "
                                  "fix the text itself and save it as text")
        if aid.has_front_matter or aid.meta:
            aid.meta.setdefault("id", aid.id if aid.declared_id else str(uuid.uuid4()))
            aid.meta["updated"] = today or dt.date.today()
        return self._replace(aid, serialize_bytes(aid))

    def save_text(self, aid: JobAid, text: str) -> JobAid:
        """Save raw text (an editor's buffer) over the aid's file; history and checks as above."""
        if aid.source is None:
            raise InvalidAidError("this aid has no file yet")
        return self._replace(aid, encode_text(text.replace("\r\n", "\n"), aid.newline, aid.bom))

    def replace_bytes(self, aid: JobAid, data: bytes) -> JobAid:
        """Save ``data`` exactly over the aid's file (an imported version); history and checks
        as above."""
        if aid.source is None:
            raise InvalidAidError("this aid has no file yet")
        return self._replace(aid, data)

    def _replace(self, aid: JobAid, data: bytes) -> JobAid:
        """Compare-and-swap under the library's write lock: the file is replaced only if it
        still holds what ``aid`` was read from. A save that loses a race, and words another
        program wrote at the same instant, go to the aid's history; none goes nowhere."""
        assert aid.source is not None
        path = aid.source.path
        collection = self._writable(self.collection_for(path), path)
        if aid.source.size > MAX_FILE_BYTES or len(data) > MAX_FILE_BYTES:
            raise InvalidAidError(f"{path} is larger than {MAX_FILE_BYTES // 1048576} MB, too "
                                  "large to edit in Handrail; edit it in another program")
        with self.write_lock.held():
            try:
                current: bytes | None = path.read_bytes()
            except FileNotFoundError:
                current = None
            except OSError as error:
                raise StorageError.from_os_error("read", path, error) from error
            mode = _mode_of(path)
            if current is not None and _digest(current) == aid.source.digest and len(
                    current) <= MAX_FILE_BYTES:
                if current == data:
                    return aid
                reason = why_not_rewritable(current)
                if reason is not None:
                    raise InvalidAidError(f"{path} was not saved over: {reason}")
                # The version being replaced goes to history first: if that cannot be written,
                # nothing is saved (the editor keeps the new text and says why).
                with map_os_errors("keep the previous version of", path):
                    previous = self.history.record(aid.id, current, mode=mode)
                with map_os_errors("save", path):
                    swapped = swap_if_unchanged(path, data, lambda found: found == current,
                                                replaced_to=previous)
                with map_os_errors("keep another program's change to", path):
                    for theirs in swapped.lost:
                        self.history.record(aid.id, theirs, mode=mode, conflict=True)
                if swapped.installed:
                    return self.load(path, collection)
                deleted = swapped.deleted
            else:
                deleted = current is None
            with map_os_errors("keep your version of", path):
                kept = self.history.record(aid.id, data, mode=mode, conflict=True)
        raise AidChangedOnDiskError(path, kept=kept, deleted=deleted)

    def versions(self, aid: JobAid) -> list[Version]:
        """The aid's kept versions, oldest first (see :class:`~job_aids.history.AidHistory`)."""
        return self.history.versions(aid.id)

    def restore_version(self, aid: JobAid, key: str) -> JobAid:
        """Put a kept version back as the aid's file; the version it replaces is kept in turn,
        so a restore can itself be undone."""
        version = self.history.find(aid.id, key)
        if version is None:
            raise AidNotFoundError(f"{aid.title!r} has no single version {key!r}; "
                                   f"`handrail history {aid.id}` lists them")
        with map_os_errors("read the kept version", version.path):
            data = version.read_bytes()
        return self._replace(aid, data)

    def delete_aid(self, aid: JobAid) -> TrashEntry:
        """Move the aid's file to the trash; :meth:`restore` brings it back."""
        if aid.source is None:
            raise AidNotFoundError("this aid has no file")
        self._writable(self.collection_for(aid.source.path), aid.source.path)
        try:
            with self.write_lock.held():
                return self.trash.put(aid.source.path, collection=aid.source.collection,
                                      title=aid.title, aid_id=aid.id)
        except FileNotFoundError as error:
            raise AidNotFoundError(f"{aid.source.path} no longer exists") from error
        except OSError as error:
            raise StorageError.from_os_error("move to the trash", aid.source.path,
                                             error) from error

    def move_aid(self, aid: JobAid, collection_name: str) -> tuple[JobAid, TrashEntry | None]:
        """Move the aid to another collection, byte for byte, keeping its folder inside the
        collection (and the images it shows). The original goes to the trash, so a move can be
        undone with :meth:`restore` of the returned entry; a name taken at the target gets a
        fresh one, never overwritten."""
        if aid.source is None:
            raise AidNotFoundError("this aid has no file")
        source = aid.source
        self._writable(self.collection_for(source.path), source.path)
        target = self._writable(self.collections.get(collection_name), Path(collection_name))
        if target.name == source.collection:
            return aid, None
        folder = target.path / Path(source.relpath).parent
        with self.write_lock.held():
            try:
                data = source.path.read_bytes()
            except FileNotFoundError as error:
                raise AidNotFoundError(f"{source.path} no longer exists") from error
            except OSError as error:
                raise StorageError.from_os_error("read", source.path, error) from error
            if _digest(data) != source.digest:
                raise AidChangedOnDiskError(source.path, kept=None, deleted=False)
            with map_os_errors("create the folder", folder):
                folder.mkdir(parents=True, exist_ok=True)
            path = unique_path(folder, source.path.stem, source.path.suffix)
            _copy_images(aid, target)
            self._write(path, data)
            with map_os_errors("move to the trash", source.path):
                trashed = self.trash.put(source.path, collection=source.collection,
                                         title=aid.title, aid_id=aid.id)
        return self.load(path, target), trashed

    def copy_aid(self, aid: JobAid, collection_name: str) -> JobAid:
        """Publish a copy of the aid into another collection (a team's): the same folder
        inside it and the same images, its own ``id`` and ``derived_from`` this one's; every
        other byte as it is. The aid itself stays where it is."""
        if aid.source is None:
            raise AidNotFoundError("this aid has no file")
        source = aid.source
        target = self._writable(self.collections.get(collection_name), Path(collection_name))
        if target.name == source.collection:
            raise CollectionError(f"the aid is in {collection_name!r} already")
        editable = self.open_for_editing(aid)
        if editable.read_only:
            raise InvalidAidError(f"{source.path} cannot be copied as text: "
                                  f"{editable.read_only}")
        from .templates import copy_text

        data = encode_text(copy_text(editable.text, aid.id).replace("\r\n", "\n"),
                           aid.newline, aid.bom)
        folder = target.path / Path(source.relpath).parent
        with self.write_lock.held():
            with map_os_errors("create the folder", folder):
                folder.mkdir(parents=True, exist_ok=True)
            path = unique_path(folder, source.path.stem, source.path.suffix)
            _copy_images(aid, target)
            self._write(path, data)
        return self.load(path, target)

    def restore(self, key: str) -> Path:
        """Restore a trashed aid to where it was (or beside it, if that name is taken now)."""
        matches = self.trash.find(key)
        if not matches:
            raise AidNotFoundError(f"nothing in the trash matches {key!r}; `handrail trash` "
                                   "lists what is there")
        if len(matches) > 1:
            raise AidNotFoundError(f"{key!r} matches {len(matches)} trashed aids; give more "
                                   "of the entry id")
        entry = matches[0]
        destination = entry.original
        collection = self.collection_for(destination)
        if collection is None or collection.read_only:
            own = self.collections.get(OWN)
            destination, collection = own.path / entry.original.name, own
        _reachable(collection)
        with self.write_lock.held():
            if not entry.file.exists():
                raise AidNotFoundError(f"{entry.title!r} was restored meanwhile")
            if destination.exists():
                destination = unique_path(destination.parent, destination.stem,
                                          destination.suffix)
            with map_os_errors("restore", destination):
                return self.trash.take_out(entry, destination)

    def clean_leftovers(self, *, now: float | None = None) -> Cleaned:
        """Remove what killed saves left (temp files of dead writers) and finish killed
        deletes, in every writable collection and in Handrail's own folders."""
        folders = [c.path for c in self.collections.all() if not c.read_only]
        folders += [self.paths.history, self.paths.trash, self.paths.config, self.paths.state]
        with self.write_lock.held():
            return clean([f for f in folders if f.is_dir()], self.trash, now=now)

    def new_aid_text(self, kind: str, title: str, *, apps: list[str] | None = None,
                     today: dt.date | None = None) -> str:
        """The text of a new aid from the kind's template; nothing is written."""
        return self.templates.new_text(kind, title, today=today or dt.date.today(), apps=apps)

    def add_images(self, aid: JobAid, images: dict[str, bytes]) -> None:
        """Write pasted images beside a saved aid (see attachments.write_attachments)."""
        if aid.source is None or not images:
            return
        self._writable(self.collection_for(aid.source.path), aid.source.path)
        from .attachments import write_attachments

        with self.write_lock.held(), map_os_errors("save the image beside", aid.source.path):
            write_attachments(aid.source.path, images)

    def create_from_text(self, text: str, collection_name: str = OWN) -> JobAid:
        """Write a new aid with exactly ``text`` (an editor's buffer), under a fresh, safe
        file name made from its title."""
        collection = self._writable(self.collections.get(collection_name),
                                    Path(collection_name))
        title = parse_text(text).title
        data = encode_text(text.replace("\r\n", "\n"), "\n", False)
        with self.write_lock.held():
            path = unique_path(collection.path, slugify(title))
            self._write(path, data)
        return self.load(path, collection)

    def new_from_template(self, kind: str, title: str, collection_name: str = OWN,
                          extra: dict[str, Any] | None = None,
                          today: dt.date | None = None) -> JobAid:
        """A new aid from the kind's template, written now (`handrail new`); ``extra`` may
        give its apps."""
        apps = list((extra or {}).get("apps") or [])
        return self.create_from_text(self.new_aid_text(kind, title, apps=apps, today=today),
                                     collection_name)
