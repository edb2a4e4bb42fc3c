"""Files an aid refers to (its images): read only from inside the aid's own collection.

A reference is resolved against the aid's folder; it must stay inside the collection's folder
once every link in it is followed, be a regular file (a pipe named ``x.png`` froze the viewer)
and be at most :data:`MAX_ATTACHMENT_BYTES`. Absolute paths, ``~``, other schemes and anything
remote are refused: nothing outside the library is ever read, and nothing is fetched.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path, PurePosixPath
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


IMAGE_FOLDER = "images"  # pasted and dropped images go here, beside the aid
IMAGE_SUFFIXES = {"png": ".png", "jpeg": ".jpg", "jpg": ".jpg", "gif": ".gif", "webp": ".webp",
                  "bmp": ".bmp", "svg": ".svg"}


def attachment_name(data: bytes, original: str = "", suffix: str = ".png") -> str:
    """The relative link for a new image: ``images/<name>-<hash><suffix>``. Named by its
    content, so the same image pasted twice is one file, and two different images never take
    each other's name (here, or on a colleague's machine after sync or export)."""
    from .names import slugify

    stem = slugify(PurePosixPath(original.replace("\\", "/")).stem)[:40] if original else ""
    digest = hashlib.sha256(data).hexdigest()[:10]
    return f"{IMAGE_FOLDER}/{stem or 'image'}-{digest}{suffix.lower()}"


def write_attachments(aid_path: Path, images: dict[str, bytes]) -> list[Path]:
    """Write ``images`` (relative link -> bytes) beside the aid, atomically; one that is there
    already with the same bytes is left alone. Raises OSError; nothing escapes the aid's
    folder (the names are :func:`attachment_name`'s)."""
    from .atomic import atomic_write_bytes

    written = []
    folder = aid_path.parent
    for name, data in images.items():
        relative = PurePosixPath(name)
        if relative.is_absolute() or ".." in relative.parts or len(relative.parts) != 2 \
                or relative.parts[0] != IMAGE_FOLDER:
            raise ValueError(f"not an image link Handrail made: {name!r}")
        target = folder.joinpath(*relative.parts)
        if target.is_file() and target.read_bytes() == data:
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, data)
        written.append(target)
    return written
