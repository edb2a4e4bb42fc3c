"""Files an aid refers to (its images): read only from inside the aid's own collection.

A reference is resolved against the aid's folder; it must stay inside the collection's folder
once every link in it is followed, be a regular file (a pipe named ``x.png`` froze the viewer)
and be at most :data:`MAX_ATTACHMENT_BYTES`. Absolute paths, ``~``, other schemes and anything
remote are refused: nothing outside the library is ever read, and nothing is fetched.
"""

from __future__ import annotations

import os
from pathlib import Path
from stat import S_ISREG
from urllib.parse import unquote, urlsplit

from .model import AidSource

MAX_ATTACHMENT_BYTES = 8 * 1024 * 1024
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def resolve_attachment(source: AidSource, reference: str) -> Path | None:
    """The file ``reference`` names, if it is inside the aid's collection; else None."""
    parts = urlsplit(reference)
    if parts.scheme not in ("",) or parts.netloc:
        return None  # http:, file:, data:, //host/...: never
    relative = unquote(parts.path)
    if not relative or relative.startswith(("/", "\\", "~")) or Path(relative).is_absolute() \
            or Path(relative).drive:
        return None
    try:
        root = source.root.resolve()
        candidate = (source.path.parent / relative).resolve()
    except (OSError, RuntimeError):  # a link loop
        return None
    return candidate if candidate.is_relative_to(root) and candidate != root else None


def read_attachment(source: AidSource, reference: str,
                    limit: int = MAX_ATTACHMENT_BYTES) -> bytes | None:
    """The bytes of the file ``reference`` names (see the module), or None."""
    path = resolve_attachment(source, reference)
    if path is None:
        return None
    try:
        fd = os.open(path, os.O_RDONLY | _NONBLOCK)
    except OSError:
        return None
    with os.fdopen(fd, "rb") as handle:
        stat = os.fstat(fd)
        if not S_ISREG(stat.st_mode) or stat.st_size > limit:
            return None
        try:
            data = handle.read(limit + 1)
        except OSError:
            return None
    return data if len(data) <= limit else None
