"""File names that are safe on Windows, macOS and Linux, and slugs made from titles."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from pathvalidate import sanitize_filename

MAX_STEM_CHARS = 80
_NOT_SLUG = re.compile(r"[^\w\-]+", re.UNICODE)
_DASHES = re.compile(r"-{2,}")


# Bytes of a file name that is not UTF-8 reach Python as U+DC80..U+DCFF ("surrogateescape").
_UNDECODED = re.compile("[\udc80-\udcff]")


def _as_windows_1252(match: re.Match[str]) -> str:
    """Such a byte read as Windows-1252, where most names that are not UTF-8 come from (old
    zip files, Latin-1 shares): ``caf\\xe9.md`` becomes ``café.md``."""
    return bytes([ord(match.group()) - 0xDC00]).decode("cp1252", errors="replace").replace(
        "\ufffd", "_")


# A name of plain ASCII that no platform reserves is safe as it is: most names are, and a
# sync round checks every name a server lists (pathvalidate took 0.6 s of a quiet 7.4k-aid
# round). Anything else goes the careful way below.
_PLAIN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_+-]*(?:\.[A-Za-z0-9_+-]+)*")
_RESERVED = re.compile(r"(?i)(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)$")


def _plainly_safe(name: str, max_len: int) -> bool:
    return len(name) <= max_len and _PLAIN.fullmatch(name) is not None \
        and _RESERVED.match(name.split(".", 1)[0]) is None


def safe_component(name: str, *, max_len: int = 120) -> str:
    """One path component made safe everywhere: no separators, reserved names or dot-names,
    and at most ``max_len`` bytes. A name cut to fit keeps its extension (``….md`` cut inside
    the ``.md`` made imported aids invisible)."""
    if _plainly_safe(name, max_len):
        return name
    name = _UNDECODED.sub(_as_windows_1252, name)
    name = unicodedata.normalize("NFC", name).replace("/", "_").replace("\\", "_")
    stem, dot, extension = name.rpartition(".")
    if dot and stem.strip() and 0 < len(extension) <= 10 and len(name.encode()) > max_len:
        suffix = "." + str(sanitize_filename(extension, platform="universal"))
        stem = str(sanitize_filename(stem, platform="universal",
                                     max_len=max_len - len(suffix.encode()))).rstrip(". ")
        name = stem + suffix if stem else name
    cleaned = str(sanitize_filename(name, platform="universal", max_len=max_len)).strip()
    if cleaned in ("", ".", ".."):
        cleaned = "_" + cleaned.strip(".") if cleaned.strip(".") else "_"
    return cleaned


def slugify(title: str) -> str:
    """A readable, lowercase file stem from a title; keeps letters of every script."""
    text = unicodedata.normalize("NFKC", title).casefold()
    text = _NOT_SLUG.sub("-", text.replace("_", "-"))
    text = _DASHES.sub("-", text).strip("-")[:MAX_STEM_CHARS].strip("-")
    return safe_component(text) if text else "aid"


def unique_path(folder: Path, stem: str, suffix: str = ".md",
                taken: Iterable[str] = ()) -> Path:
    """``folder/stem.suffix``, or ``stem-2``, ``stem-3``... if that name (in any case) exists."""
    existing = {p.name.casefold() for p in folder.iterdir()} if folder.is_dir() else set()
    existing.update(name.casefold() for name in taken)
    candidate = f"{stem}{suffix}"
    number = 2
    while candidate.casefold() in existing:
        candidate = f"{stem}-{number}{suffix}"
        number += 1
    return folder / candidate


def safe_relative_path(relpath: str) -> PurePosixPath:
    """A relative path from an untrusted source (an import, a server) that cannot escape its folder.

    Absolute paths, drive letters, ``..`` and empty parts are neutralised component by component.
    """
    parts = [part for part in re.split(r"[\\/]+", relpath) if part not in ("", ".")]
    safe = [safe_component(part) if part != ".." else "_" for part in parts]
    if not safe:
        raise ValueError(f"empty path {relpath!r}")
    return PurePosixPath(*safe)
