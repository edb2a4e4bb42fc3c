"""Aids handed over as one file: a zip of their files, byte for byte, with the images they show.

Each aid goes under its collection's name and its path inside the collection, so the folders
(and the relative image links) come out as they were; an image is taken only from inside the
aid's collection (:mod:`.attachments`).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from .atomic import atomic_write_bytes
from .attachments import resolve_attachment
from .errors import map_os_errors
from .model import AidSource, JobAid

# ![alt](reference "title") and <img src="reference">: the files an aid shows.
_IMAGE = re.compile(r"!\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"
                    r"|<img\b[^>]*\bsrc=[\"']([^\"']+)[\"']", re.IGNORECASE)


@dataclass(frozen=True)
class Exported:
    aids: int
    attachments: int
    file: Path


def attachments_of(aid: JobAid) -> Iterator[Path]:
    """The files inside the aid's collection that its text shows as images, each once."""
    if aid.source is None:
        return
    seen: set[Path] = set()
    for match in _IMAGE.finditer(aid.body):
        path = resolve_attachment(aid.source, match.group(1) or match.group(2))
        if path is not None and path not in seen and path.is_file():
            seen.add(path)
            yield path


def _member(source: AidSource, path: Path) -> str:
    relative = path.resolve().relative_to(source.root.resolve()).as_posix()
    return f"{source.collection}/{relative}"


def export_zip(aids: Iterable[JobAid], target: Path) -> Exported:
    """Write the aids (and their images) to the zip file ``target``, replacing it whole."""
    buffer = io.BytesIO()
    count = attached = 0
    written: set[str] = set()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for aid in aids:
            if aid.source is None:
                continue
            with map_os_errors("read", aid.source.path):
                archive.writestr(_member(aid.source, aid.source.path),
                                 aid.source.path.read_bytes())
            count += 1
            for path in attachments_of(aid):
                member = _member(aid.source, path)
                if member in written:
                    continue
                written.add(member)
                with map_os_errors("read", path):
                    archive.writestr(member, path.read_bytes())
                attached += 1
    with map_os_errors("write", target):
        atomic_write_bytes(target, buffer.getvalue())
    return Exported(count, attached, target)
