"""Copying folders of .md, .txt and .html files into a collection as aids.

Markdown is copied byte for byte. Text and HTML become Markdown aids with a title. The source's
folder structure is kept under a folder named after the imported folder; every name is made safe
on Windows, macOS and Linux. Each file is either imported or skipped with a reason.
"""

from __future__ import annotations

import hashlib
import os
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .atomic import atomic_write_bytes
from .errors import StorageError, map_os_errors
from .fileformat import MAX_FILE_BYTES, decode, looks_binary, parse_bytes, serialize_bytes
from .model import JobAid, Problem
from .names import safe_relative_path, unique_path

SUPPORTED = (".md", ".markdown", ".txt", ".html", ".htm")


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


def _html_to_aid(data: bytes, stem: str) -> JobAid:
    from markdownify import markdownify  # imported here: it pulls in BeautifulSoup (~0.1 s)

    text, _, _, _ = decode(data)
    match = re.search(r"<title[^>]*>(.*?)</title>", text, re.I | re.S)
    title = re.sub(r"\s+", " ", match.group(1)).strip() if match else stem
    body_match = re.search(r"<body[^>]*>(.*)</body>", text, re.I | re.S)
    markdown = markdownify(body_match.group(1) if body_match else text, heading_style="ATX",
                           strip=["script", "style"])
    markdown = re.sub(r"\n{3,}", "\n\n", markdown).strip() + "\n"
    return JobAid(meta={"id": str(uuid.uuid4()), "title": title or stem}, body=markdown,
                  has_front_matter=True)


def _text_to_aid(data: bytes, stem: str) -> JobAid:
    text, _, _, _ = decode(data)
    return JobAid(meta={"id": str(uuid.uuid4()), "title": stem}, body=text,
                  has_front_matter=True)


def import_files(paths: Iterable[Path], destination: Path) -> ImportReport:
    """Import every supported file under ``paths`` into the folder ``destination`` (which
    must exist: a collection's folder that is not there is not re-created)."""
    if not destination.is_dir():
        raise StorageError.unreachable("import", destination)
    report = ImportReport()
    for source, rel in _sources(paths):
        suffix = source.suffix.lower()
        if suffix not in SUPPORTED:
            report.skipped.append(Skipped(source, f"not a supported type ({suffix or 'none'}; "
                                                  "Handrail imports .md, .txt and .html)"))
            continue
        try:
            if source.is_symlink() or not source.is_file():
                report.skipped.append(Skipped(source, "not a regular file"))
                continue
            size = source.stat().st_size
            if size > MAX_FILE_BYTES:
                report.skipped.append(Skipped(source, f"too large ({size / 1048576:.1f} MB; the "
                                              f"limit is {MAX_FILE_BYTES // 1048576} MB)"))
                continue
            data = source.read_bytes()
        except OSError as error:
            report.skipped.append(Skipped(source, f"cannot be read: {error.strerror}"))
            continue
        if looks_binary(data):
            report.skipped.append(Skipped(source, "binary file, not text"))
            continue
        if suffix in (".md", ".markdown"):
            output = data
            for problem in parse_bytes(data, source).problems:
                report.warnings.append(problem)
        elif suffix == ".txt":
            output = serialize_bytes(_text_to_aid(data, source.stem))
        else:
            output = serialize_bytes(_html_to_aid(data, source.stem))
        target_rel = safe_relative_path(rel.as_posix())
        if suffix not in (".md", ".markdown"):
            target_rel = target_rel.with_suffix(".md")
        target = destination.joinpath(*target_rel.parts)
        if target.exists():
            try:
                same = hashlib.sha256(target.read_bytes()).digest() == \
                    hashlib.sha256(output).digest()
            except OSError:
                same = False
            if same:
                report.skipped.append(Skipped(source, f"already imported as {target}"))
                continue
            target = unique_path(target.parent, target.stem, target.suffix)
        if target_rel.as_posix() != rel.as_posix() and suffix in (".md", ".markdown"):
            report.renamed.append((source, target))
        # Durable writes per file would cost an fsync each; one sync at the end suffices,
        # since the sources are still there if the machine stops mid-import. A destination
        # that refuses (full, read-only, gone) ends the import: every later file would fail.
        with map_os_errors(f"import {source.name} ({len(report.imported)} files imported "
                           "before it) as", target):
            atomic_write_bytes(target, output, durable=False)
        report.imported.append((source, target))
    if hasattr(os, "sync"):
        os.sync()
    return report
