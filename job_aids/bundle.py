"""One portable file for sharing aids: a ``.handrail`` bundle.

A bundle is a zip archive: each aid's file byte for byte under ``collection/path``, the images
it shows beside it, and ``manifest.json`` naming every aid (id, title, path, SHA-256). Another
Handrail imports it losslessly: same ids, the same bytes, the same folders, so relative image
links keep working.

A bundle comes from someone else, so reading one trusts nothing: a member whose name would
leave the folder (``../``, absolute, a drive, a backslash, control characters), a link, an
encrypted or oversized member, a compression ratio no text has (a zip bomb), a header that lies
about a size, or a manifest that does not match refuses the whole file with a message saying
which member and why. Nothing is written before the whole bundle has been read and checked.
"""

from __future__ import annotations

import enum
import hashlib
import io
import json
import re
import stat
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from .atomic import atomic_write_bytes
from .attachments import MAX_ATTACHMENT_BYTES
from .errors import JobAidError, map_os_errors
from .export import attachments_of
from .fileformat import MAX_FILE_BYTES, parse_bytes
from .model import AidSource, JobAid
from .names import safe_component, unique_path
from .templates import copy_text

if TYPE_CHECKING:
    from .store import LibraryStore

SUFFIX = ".handrail"
MANIFEST = "manifest.json"
FORMAT = "handrail-bundle"
VERSION = 1
MAX_MEMBERS = 20_000
MAX_TOTAL_BYTES = 512 * 1024 * 1024
MAX_RATIO = 200  # text compresses 3-10 times; a bomb compresses thousands of times
_AID_SUFFIXES = (".md", ".markdown")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class BundleRefused(JobAidError):  # noqa: N818 - it is an error; the name says what happened
    """The file is not a bundle Handrail will import; nothing was written."""


@dataclass(frozen=True)
class Exported:
    aids: int
    attachments: int
    file: Path


@dataclass(frozen=True)
class BundledAid:
    relpath: PurePosixPath  # inside the collection it goes to
    data: bytes
    id: str
    title: str


@dataclass
class Bundle:
    aids: list[BundledAid] = field(default_factory=list)
    attachments: dict[PurePosixPath, bytes] = field(default_factory=dict)


class Existing(enum.Enum):
    """What to do with a bundled aid whose id the library already has."""

    UPDATE = "update"        # its file takes the bundle's bytes (the old ones go to history)
    KEEP_BOTH = "keep both"  # the bundle's version comes in as a copy with its own id
    SKIP = "skip"


@dataclass
class BundleReport:
    added: list[Path] = field(default_factory=list)
    updated: list[Path] = field(default_factory=list)
    kept_both: list[Path] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (title, why)
    attachments: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{len(self.added)} added"]
        if self.updated:
            parts.append(f"{len(self.updated)} updated")
        if self.kept_both:
            parts.append(f"{len(self.kept_both)} kept beside the existing aid")
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        if self.attachments:
            parts.append(f"{self.attachments} images")
        return ", ".join(parts)


# -- writing ----------------------------------------------------------------------------------
def _member(source: AidSource, path: Path) -> str:
    relative = path.resolve().relative_to(source.root.resolve()).as_posix()
    return f"{safe_component(source.collection)}/{relative}"


def export_bundle(aids: Iterable[JobAid], target: Path) -> Exported:
    """Write the aids, their images and a manifest to ``target``, replacing it whole."""
    buffer = io.BytesIO()
    listed: list[dict[str, str]] = []
    written: set[str] = set()
    attached = 0
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for aid in aids:
            if aid.source is None:
                continue
            member = _member(aid.source, aid.source.path)
            if member in written:
                continue
            with map_os_errors("read", aid.source.path):
                data = aid.source.path.read_bytes()
            archive.writestr(member, data)
            written.add(member)
            listed.append({"path": member, "id": aid.id, "title": aid.title,
                           "sha256": hashlib.sha256(data).hexdigest()})
            for path in attachments_of(aid):
                member = _member(aid.source, path)
                if member in written:
                    continue
                with map_os_errors("read", path):
                    archive.writestr(member, path.read_bytes())
                written.add(member)
                attached += 1
        archive.writestr(MANIFEST, json.dumps(
            {"format": FORMAT, "version": VERSION, "aids": listed}, indent=1,
            ensure_ascii=False))
    with map_os_errors("write", target):
        atomic_write_bytes(target, buffer.getvalue())
    return Exported(len(listed), attached, target)


# -- reading ----------------------------------------------------------------------------------
def _checked_name(name: str) -> PurePosixPath:
    """The member's path, or BundleRefused if it could leave the folder it is unpacked in."""
    shown = name.encode("unicode_escape").decode("ascii")[:120]
    if (not name or name.startswith(("/", "\\")) or "\\" in name or _CONTROL.search(name)
            or re.match(r"^[A-Za-z]:", name)):
        raise BundleRefused(f"the bundle is refused: the member {shown!r} has an absolute or "
                            "unsafe name; nothing was imported")
    parts = name.rstrip("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        raise BundleRefused(f"the bundle is refused: the member {shown!r} would be written "
                            "outside the library folder; nothing was imported")
    # A name one system cannot hold (NUL.md on Windows, a trailing dot) is made safe, not refused.
    return PurePosixPath(*(safe_component(part) for part in parts))


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    name = info.filename
    if info.flag_bits & 0x1:
        raise BundleRefused(f"the bundle is refused: {name!r} is encrypted")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise BundleRefused(f"the bundle is refused: {name!r} is a symbolic link")
    if info.file_size > limit:
        raise BundleRefused(f"the bundle is refused: {name!r} is {info.file_size / 1048576:.1f} "
                            f"MB; the limit is {limit / 1048576:.0f} MB")
    if info.file_size > 1024 * 1024 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise BundleRefused(f"the bundle is refused: {name!r} unpacks to "
                            f"{info.file_size // max(info.compress_size, 1):,} times its packed "
                            "size (a zip bomb?)")
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, NotImplementedError) as error:
        raise BundleRefused(f"the bundle is damaged: {name!r} cannot be read ({error})") from error
    if len(data) > limit or len(data) != info.file_size:
        raise BundleRefused(f"the bundle is refused: {name!r} holds more than its header says")
    return data


def read_bundle(path: Path) -> Bundle:
    """Read and check a whole bundle (see the module); BundleRefused says what is wrong."""
    try:
        archive = zipfile.ZipFile(path)
    except FileNotFoundError as error:
        raise BundleRefused(f"{path} was not found") from error
    except (zipfile.BadZipFile, OSError) as error:
        raise BundleRefused(f"{path} is not a Handrail bundle (not a zip archive: {error})") \
            from error
    with archive:
        infos = [info for info in archive.infolist() if not info.is_dir()]
        if len(infos) > MAX_MEMBERS:
            raise BundleRefused(f"the bundle is refused: it holds {len(infos):,} files; the limit "
                                f"is {MAX_MEMBERS:,}")
        if sum(info.file_size for info in infos) > MAX_TOTAL_BYTES:
            raise BundleRefused("the bundle is refused: it unpacks to more than "
                                f"{MAX_TOTAL_BYTES // 1048576} MB")
        files: dict[PurePosixPath, bytes] = {}
        manifest: dict[str, object] | None = None
        seen: set[str] = set()
        for info in infos:
            if info.filename == MANIFEST:
                try:
                    loaded = json.loads(_read_member(archive, info, MAX_FILE_BYTES))
                except ValueError as error:
                    raise BundleRefused(f"the bundle's manifest is damaged: {error}") from error
                manifest = loaded if isinstance(loaded, dict) else {}
                continue
            name = _checked_name(info.filename)
            folded = name.as_posix().casefold()
            if folded in seen:  # twice, or twice on a case-insensitive disk
                raise BundleRefused(f"the bundle is refused: {info.filename!r} appears twice")
            seen.add(folded)
            is_aid = name.suffix.lower() in _AID_SUFFIXES
            files[name] = _read_member(archive, info,
                                       MAX_FILE_BYTES if is_aid else MAX_ATTACHMENT_BYTES)
    return _assemble(files, manifest)


def _assemble(files: dict[PurePosixPath, bytes], manifest: dict[str, object] | None) -> Bundle:
    if manifest is not None:
        if manifest.get("format") != FORMAT:
            raise BundleRefused("the file's manifest is not a Handrail bundle's")
        version = manifest.get("version")
        if not isinstance(version, int) or version > VERSION:
            raise BundleRefused(f"the bundle was made by a newer Handrail (format {version}); "
                                "update Handrail to import it")
        listed = manifest.get("aids")
        for entry in listed if isinstance(listed, list) else []:
            if not isinstance(entry, dict):
                continue
            # Named as the members are: made safe the same way (NUL.md becomes NUL_.md).
            member = _checked_name(str(entry.get("path", "")))
            data = files.get(member)
            if data is None:
                raise BundleRefused(f"the bundle is incomplete: {member} is listed but missing")
            if hashlib.sha256(data).hexdigest() != entry.get("sha256"):
                raise BundleRefused(f"the bundle is damaged: {member} does not match its "
                                    "checksum")
    bundle = Bundle()
    for name, data in files.items():
        inside = PurePosixPath(*name.parts[1:]) if len(name.parts) > 1 else name
        if name.suffix.lower() in _AID_SUFFIXES:
            aid = parse_bytes(data, Path(name.name))
            bundle.aids.append(BundledAid(inside, data, aid.id if aid.declared_id else "",
                                          aid.title))
        else:
            bundle.attachments[inside] = data
    return bundle


# -- installing -------------------------------------------------------------------------------
Decide = Callable[[JobAid, BundledAid], Existing]


def install_bundle(store: LibraryStore, bundle: Bundle, collection_name: str,
                   decide: Decide) -> BundleReport:
    """Bring the bundle's aids into the collection, each at its own path (a taken name gets a
    fresh one). An aid whose id the library has already is updated, kept beside, or skipped,
    as ``decide`` says."""
    collection = store.collections.get(collection_name)
    if collection.read_only:
        raise BundleRefused(f"the collection {collection.name!r} is read-only; import into "
                            "your own collection")
    known = {aid.id: aid for aid in store.iter_aids() if aid.source is not None
             and aid.declared_id}
    report = BundleReport()
    root = collection.path
    for name, data in bundle.attachments.items():
        target = root.joinpath(*name.parts)
        if target.is_file():
            if target.read_bytes() != data:
                report.notes.append(f"{name} already exists with other content and was kept; "
                                    "the bundle's image was not written")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with map_os_errors("import", target):
            atomic_write_bytes(target, data)
        report.attachments += 1
    for bundled in bundle.aids:
        existing = known.get(bundled.id) if bundled.id else None
        if existing is None:
            report.added.append(_write_new(store, root, bundled.relpath, bundled.data))
            continue
        assert existing.source is not None
        if existing.source.path.read_bytes() == bundled.data:
            report.skipped.append((bundled.title, "already in the library, unchanged"))
            continue
        choice = decide(existing, bundled)
        if choice is Existing.SKIP:
            report.skipped.append((bundled.title, "in the library already, with other "
                                   "content; left as it is"))
        elif choice is Existing.UPDATE and not _read_only(store, existing):
            store.replace_bytes(existing, bundled.data)
            report.updated.append(existing.source.path)
        else:
            try:
                text = bundled.data.decode("utf-8")
            except UnicodeDecodeError:
                report.skipped.append((bundled.title, "it exists already, and a copy cannot "
                                       "be made of a file that is not UTF-8"))
                continue
            copy = copy_text(text, bundled.id).encode("utf-8")
            report.kept_both.append(_write_new(store, root, bundled.relpath, copy))
    return report


def _read_only(store: LibraryStore, aid: JobAid) -> bool:
    collection = store.collection_for(aid.source.path) if aid.source else None
    return collection is None or collection.read_only


def _write_new(store: LibraryStore, root: Path, relpath: PurePosixPath, data: bytes) -> Path:
    target = root.joinpath(*relpath.parts)
    with store.write_lock.held():
        if target.exists():
            target = unique_path(target.parent, target.stem, target.suffix)
        target.parent.mkdir(parents=True, exist_ok=True)
        with map_os_errors("import", target):
            atomic_write_bytes(target, data)
    return target

