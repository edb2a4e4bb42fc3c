"""The job aid as Handrail sees it: front matter (every key kept), a Markdown body, and problems."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .plain import plain_line

KINDS: tuple[str, ...] = (
    "procedure", "checklist", "reference", "decision", "troubleshooting", "link", "contact",
)
DEFAULT_KIND = "reference"

# Stable namespace for ids derived from a location, for aids that carry no `id` of their own.
_PATH_ID_NAMESPACE = uuid.UUID("6f2a8a52-8f3e-4a0e-9a53-6c1f3f1e2b7d")

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """Something wrong with a file, with the line it is on (1-based)."""

    path: Path | None
    line: int
    message: str
    severity: Severity = "error"

    def __str__(self) -> str:
        if self.path:
            where = f"{self.path}:{self.line}" if self.line else str(self.path)
        else:
            where = f"line {self.line}"
        return f"{where}: {self.severity}: {self.message}"


@dataclass(frozen=True)
class AidSource:
    """Where an aid was read from, and what the file looked like then."""

    collection: str
    root: Path
    path: Path
    mtime_ns: int
    size: int
    digest: str

    @property
    def relpath(self) -> str:
        path, root = str(self.path), str(self.root)
        if path.startswith(root) and path[len(root):len(root) + 1] == os.sep:
            return path[len(root) + 1:].replace(os.sep, "/")  # a tenth of pathlib's time
        return self.path.relative_to(self.root).as_posix()


@dataclass(frozen=True)
class AppMatch:
    """Where an aid applies: an application name, and/or globs for the window title, the
    document open in it, or the page address the title shows (search/window_title.py)."""

    app: str | None = None
    title: str | None = None
    document: str | None = None
    url: str | None = None

    @property
    def patterns(self) -> bool:
        """Whether the entry names a window (title, document or address), not only an app."""
        return bool(self.title or self.document or self.url)


@dataclass
class JobAid:
    """One aid. ``meta`` keeps every front-matter key in file order, unknown keys included."""

    meta: dict[Any, Any] = field(default_factory=dict)
    body: str = ""
    has_front_matter: bool = False
    problems: list[Problem] = field(default_factory=list)
    source: AidSource | None = None
    # How the file was encoded on disk, so a save writes it back the same way.
    newline: str = "\n"
    bom: bool = False

    # -- identity -------------------------------------------------------------------------
    @property
    def declared_id(self) -> str | None:
        value = self.meta.get("id")
        return str(value) if value not in (None, "") else None

    @property
    def id(self) -> str:
        """The aid's `id`, or one derived from its collection and relative path."""
        declared = self.declared_id
        if declared:
            return declared
        if self.source is not None:
            return path_id(f"{self.source.collection}/{self.source.relpath}")
        return ""

    # -- fields ---------------------------------------------------------------------------
    @property
    def title(self) -> str:
        value = self.meta.get("title")
        if isinstance(value, str | int | float) and str(value).strip():
            return str(value).strip()
        heading = first_heading(self.body)
        if heading:
            return heading
        if self.source is not None:
            return self.source.path.stem
        return "Untitled"

    @property
    def kind(self) -> str:
        value = self.meta.get("kind")
        if isinstance(value, str) and value.strip().lower() in KINDS:
            return value.strip().lower()
        return DEFAULT_KIND

    @property
    def summary(self) -> str:
        value = self.meta.get("summary")
        if isinstance(value, str):
            return value.strip()
        return first_paragraph(self.body)

    @property
    def tags(self) -> list[str]:
        return _string_list(self.meta.get("tags"))

    @property
    def apps(self) -> list[AppMatch]:
        value = self.meta.get("apps")
        items = value if isinstance(value, list) else [value] if value is not None else []
        result: list[AppMatch] = []
        for item in items:
            if isinstance(item, str) and item.strip():
                result.append(AppMatch(app=item.strip()))
            elif isinstance(item, dict):
                app, title = item.get("app"), item.get("title")
                document, url = item.get("document"), item.get("url")
                result.append(AppMatch(app=str(app) if app else None,
                                       title=str(title) if title else None,
                                       document=str(document) if document else None,
                                       url=str(url) if url else None))
        return result

    @property
    def owner(self) -> str | None:
        value = self.meta.get("owner")
        return str(value) if value else None

    @property
    def experts(self) -> list[Expert]:
        return parse_experts(self.meta.get("experts"))

    @property
    def url(self) -> str | None:
        value = self.meta.get("url")
        return str(value) if value else None

    @property
    def review_by(self) -> dt.date | None:
        return parse_date(self.meta.get("review_by"))

    def is_stale(self, today: dt.date | None = None) -> bool:
        review_by = self.review_by
        return review_by is not None and review_by < (today or dt.date.today())

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


@dataclass(frozen=True)
class Expert:
    name: str
    contact: str = ""


def parse_experts(value: object) -> list[Expert]:
    """The ``experts`` field as entries: ``{name:, contact:}`` maps, or plain names."""
    items = value if isinstance(value, list) else [value] if value else []
    experts = []
    for item in items:
        if isinstance(item, dict):
            name = str(item.get("name") or "").strip()
            contact = str(item.get("contact") or item.get("email") or item.get("phone")
                          or "").strip()
            if name or contact:
                experts.append(Expert(name or contact, contact))
        elif isinstance(item, str | int) and str(item).strip():
            experts.append(Expert(str(item).strip()))
    return experts


def contact_url(contact: str) -> str | None:
    """A link for a contact: ``tel:``/``mailto:``/``http(s):`` as written, an e-mail address
    as ``mailto:``, a phone number as ``tel:``; anything else has none."""
    text = contact.strip()
    if re.match(r"^(tel|mailto|https?):", text, re.I):
        return text
    if re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+", text):
        return f"mailto:{text}"
    if re.fullmatch(r"\+?[\d ()./-]{5,}", text):
        return "tel:" + re.sub(r"[^\d+]", "", text)
    return None


def path_id(key: str) -> str:
    """``str(uuid.uuid5(_PATH_ID_NAMESPACE, key))``, in a fifth of the time (a big build asks
    for one per aid): the name's SHA-1 with the version and variant bits set."""
    name = key.encode("utf-8", "surrogateescape")  # a name that is not UTF-8 has an id too
    digest = bytearray(hashlib.sha1(_PATH_ID_NAMESPACE.bytes + name,
                                    usedforsecurity=False).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def parse_date(value: object) -> dt.date | None:
    """A YAML date, datetime or ISO string as a date; anything else as None."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip()[:10])
        except ValueError:
            return None
    return None


def _string_list(value: object) -> list[str]:
    if isinstance(value, str):
        return [part for part in re.split(r"[,\s]+", value) if part]
    if isinstance(value, list):
        return [str(item).strip() for item in value if item is not None and str(item).strip()]
    return []


# The renderer's rules (Python-Markdown), read line by line: a build reads every aid, and this is
# 55x cheaper than the renderer's parser (bench/outline_bench.py); tests/test_render.py checks
# that both find the same title. A fence starts at the line's start; "#Title" is a heading; so
# is a line underlined with "===".
_FENCE = re.compile(r"^(```|~~~)")
_H1 = re.compile(r"^#(?!#)[ \t]*(.*?)[ \t#]*$")
_SETEXT_H1 = re.compile(r"^=+[ \t]*$")


def _lines_outside_fences(body: str) -> Iterator[str]:
    if "```" not in body and "~~~" not in body:  # most aids: no fence to look for
        yield from body.splitlines()
        return
    in_fence = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if not in_fence:
            yield line


def first_heading(body: str) -> str | None:
    """The text of the first level-1 ATX heading outside code fences."""
    previous = before = ""
    for line in _lines_outside_fences(body):
        match = _H1.match(line)
        if match and match.group(1).strip():
            return match.group(1).strip()
        if _SETEXT_H1.match(line) and previous.strip() and not before.strip() \
                and not previous.startswith(("    ", "\t", "#", "-", "*", "+", ">")):
            return previous.strip()
        before, previous = previous, line
    return None


def first_paragraph(body: str, limit: int = 200) -> str:
    """The first prose paragraph (tldr's `> quote` lines count) as a reader sees it, without
    its Markdown, shortened to ``limit``."""
    lines: list[str] = []
    for line in _lines_outside_fences(body):
        stripped = line.strip()
        if not stripped:
            if lines:
                break
            continue
        if stripped.startswith("#"):
            if lines:
                break
            continue
        plain = plain_line(stripped)
        if plain:
            lines.append(plain)
    text = " ".join(lines)
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"
