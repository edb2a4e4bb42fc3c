"""Copying folders of documents into a collection as aids.

Markdown is copied byte for byte. Text, HTML, Word, PowerPoint and PDF become Markdown aids
(:mod:`.converters`) that record where they came from (``imported_from``), so importing the same
source again updates its aid rather than adding a second one. The source's
folder structure is kept under a folder named after the imported folder; every name is made safe
on Windows, macOS and Linux. Each file is either imported or skipped with a reason.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .atomic import atomic_write_bytes
from .converters import DOCUMENT_SUFFIXES, ConversionError, Converted, convert_document
from .errors import StorageError, map_os_errors
from .fileformat import MAX_FILE_BYTES, decode, looks_binary, parse_bytes, serialize_bytes
from .model import JobAid, Problem
from .names import safe_component, safe_relative_path, slugify, unique_path
from .store import walk_markdown

_TEXT_SUFFIXES = (".md", ".markdown", ".txt", ".html", ".htm")
SUPPORTED = (*_TEXT_SUFFIXES, *DOCUMENT_SUFFIXES)
MAX_DOCUMENT_BYTES = 64 * 1024 * 1024  # a deck with its pictures


@dataclass(frozen=True)
class Skipped:
    source: Path
    reason: str


@dataclass
class ImportReport:
    imported: list[tuple[Path, Path]] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    renamed: list[tuple[Path, Path]] = field(default_factory=list)
    updated: list[tuple[Path, Path]] = field(default_factory=list)  # imported before, changed
    split: list[tuple[Path, int]] = field(default_factory=list)  # a deck made into N aids


def _sources(paths: Iterable[Path]) -> Iterator[tuple[Path, PurePosixPath]]:
    """(source file, relative destination) for each file under the given paths."""
    for given in paths:
        given = given.expanduser()
        if given.is_dir():
            base = given.resolve()
            for folder, dirs, files in os.walk(base):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    source = Path(folder, name)
                    yield source, PurePosixPath(base.name, source.relative_to(base).as_posix())
        else:
            yield given, PurePosixPath(given.name)


def _converted_aid(piece: Converted, key: str, existing_id: str | None) -> JobAid:
    meta = {"id": existing_id or str(uuid.uuid4()), "title": piece.title, "imported_from": key}
    return JobAid(meta=meta, body=piece.body, has_front_matter=True)


def _imported_keys(destination: Path) -> dict[str, tuple[Path, str]]:
    """Aids an earlier import made, by the source they came from: (file, id)."""
    found: dict[str, tuple[Path, str]] = {}
    for path in walk_markdown(destination):
        try:
            data = path.read_bytes()
        except OSError:
            continue
        if b"imported_from:" in data[:4096]:
            aid = parse_bytes(data, path)
            key = aid.meta.get("imported_from")
            if isinstance(key, str):
                found[key] = (path, aid.id)
    return found


def _piece_target(destination: Path, rel: PurePosixPath, piece: Converted, count: int) -> Path:
    base = safe_relative_path(rel.as_posix()).with_suffix(".md")
    if count > 1:  # a deck split by section: a folder named after the deck
        base = base.with_suffix("") / f"{slugify(piece.section or piece.title)}.md"
    return destination.joinpath(*base.parts)


def _write(target: Path, output: bytes, imported: int, name: str) -> None:
    # Durable writes per file would cost an fsync each; one sync at the end suffices, since the
    # sources are still there if the machine stops mid-import. A destination that refuses
    # (full, read-only, gone) ends the import: every later file would fail.
    with map_os_errors(f"import {name} ({imported} files imported before it) as", target):
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, output, durable=False)


def _import_markdown(report: ImportReport, source: Path, rel: PurePosixPath, data: bytes,
                     destination: Path) -> None:
    """Markdown is copied byte for byte; importing it again skips it if unchanged, and keeps
    both if not (it carries no record of where it came from)."""
    for problem in parse_bytes(data, source).problems:
        report.warnings.append(problem)
    target_rel = safe_relative_path(rel.as_posix())
    target = destination.joinpath(*target_rel.parts)
    if target.exists():
        try:
            same = target.read_bytes() == data
        except OSError:
            same = False
        if same:
            report.skipped.append(Skipped(source, f"already imported as {target}"))
            return
        target = unique_path(target.parent, target.stem, target.suffix)
    if target_rel.as_posix() != rel.as_posix():
        report.renamed.append((source, target))
    _write(target, data, len(report.imported), source.name)
    report.imported.append((source, target))


def _overwrite(target: Path, data: bytes) -> None:
    with map_os_errors("update", target):
        atomic_write_bytes(target, data)


def import_files(paths: Iterable[Path], destination: Path, *,
                 replace: Callable[[Path, bytes], None] = _overwrite) -> ImportReport:
    """Import every supported file under ``paths`` into the folder ``destination`` (which
    must exist: a collection's folder that is not there is not re-created). A document imported
    before is updated in place through ``replace`` (the store's, to keep its history)."""
    if not destination.is_dir():
        raise StorageError.unreachable("import", destination)
    report = ImportReport()
    earlier: dict[str, tuple[Path, str]] | None = None
    for source, rel in _sources(paths):
        suffix = source.suffix.lower()
        if suffix not in SUPPORTED:
            report.skipped.append(Skipped(source, f"not a supported type ({suffix or 'none'}; "
                                                  "Handrail imports .md, .txt, .html, .docx, "
                                                  ".pptx and .pdf)"))
            continue
        try:
            if source.is_symlink() or not source.is_file():
                report.skipped.append(Skipped(source, "not a regular file"))
                continue
            size = source.stat().st_size
            limit = MAX_FILE_BYTES if suffix in _TEXT_SUFFIXES else MAX_DOCUMENT_BYTES
            if size > limit:
                report.skipped.append(Skipped(source, f"too large ({size / 1048576:.1f} MB; the "
                                              f"limit is {limit // 1048576} MB)"))
                continue
            data = source.read_bytes()
        except OSError as error:
            report.skipped.append(Skipped(source, f"cannot be read: {error.strerror}"))
            continue
        if suffix in _TEXT_SUFFIXES and looks_binary(data):
            report.skipped.append(Skipped(source, "binary file, not text"))
            continue
        if suffix in (".md", ".markdown"):
            _import_markdown(report, source, rel, data, destination)
            continue
        try:
            if suffix == ".txt":
                pieces = [Converted(source.stem, decode(data)[0])]
            else:
                pieces = convert_document(data, suffix, slugify(source.stem))
        except ConversionError as error:
            report.skipped.append(Skipped(source, str(error)))
            continue
        except Exception as error:  # noqa: BLE001 - a converter's own failure on odd input
            report.skipped.append(Skipped(source, f"could not be converted ({error!r:.200})"))
            continue
        if earlier is None:
            earlier = _imported_keys(destination)
        if len(pieces) > 1:
            report.split.append((source, len(pieces)))
        for piece in pieces:
            key = rel.as_posix() + (f"#{piece.section}" if len(pieces) > 1 else "")
            before = earlier.get(key)
            output = serialize_bytes(_converted_aid(piece, key, before[1] if before else None))
            target = before[0] if before else _piece_target(destination, rel, piece, len(pieces))
            if before is None and target.exists():
                target = unique_path(target.parent, target.stem, target.suffix)
            for name, image in piece.images.items():
                _write(target.parent / "images" / safe_component(name), image,
                       len(report.imported), source.name)
            if before is not None:
                try:
                    same = target.read_bytes() == output
                except OSError:
                    same = False
                if same:
                    report.skipped.append(Skipped(source, f"unchanged since it was imported as "
                                                          f"{target}"))
                    continue
                replace(target, output)
                report.updated.append((source, target))
                continue
            _write(target, output, len(report.imported), source.name)
            report.imported.append((source, target))
    if hasattr(os, "sync"):
        os.sync()
    return report
