"""Templates for new aids, one per kind: structure and prompts ("Step that starts with a verb"),
never another aid's content, and a one-line description of the kind."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from pathlib import Path
from typing import Any

import yaml

from .errors import TemplateError, map_os_errors
from .fileformat import parse_bytes
from .model import KINDS, JobAid


class TemplateLibrary:
    def __init__(self, folder: Path | None) -> None:
        self._folder = folder

    def kinds(self) -> list[str]:
        return [kind for kind in KINDS if self._path(kind).is_file()] if self._folder else []

    def _path(self, kind: str) -> Path:
        assert self._folder is not None
        return self._folder / f"{kind}.md"

    def load(self, kind: str) -> JobAid:
        if self._folder is None or kind not in KINDS or not self._path(kind).is_file():
            raise TemplateError(f"no template for kind {kind!r}; the kinds are: "
                                f"{', '.join(KINDS)}")
        with map_os_errors("read the template", self._path(kind)):
            data = self._path(kind).read_bytes()
        return parse_bytes(data, self._path(kind))

    def describe(self, kind: str) -> str:
        """The template's one-line description of its kind ("" if it has none)."""
        description = self.load(kind).meta.get("description")
        return str(description).strip() if description else ""

    def new_text(self, kind: str, title: str, *, today: dt.date,
                 apps: list[str] | None = None) -> str:
        """The text of a new aid of ``kind``: front matter with a fresh id, the title, the
        apps and today's date, then the template's structure and prompts. The template's own
        description is not copied; nothing in it is another aid's content."""
        template = self.load(kind)
        meta: dict[str, Any] = {"id": str(uuid.uuid4()), "title": title or "New aid",
                                "kind": kind, "summary": "", "tags": []}
        if apps:
            meta["apps"] = list(apps)
        for key, value in template.meta.items():
            if key not in ("kind", "description", "title", "id"):
                meta[key] = value
        meta["review_by"] = today + dt.timedelta(days=180)
        meta["created"] = dt.date.fromordinal(today.toordinal())
        lines = [front_matter_line(key, value) for key, value in meta.items()]
        body = template.body.replace("{title}", title or "New aid")
        return "---\n" + "\n".join(lines) + "\n---\n" + body


def front_matter_line(key: str, value: Any) -> str:
    """One key as YAML, on its own: a value dumped alone can never become an anchor
    (``created: &id001`` / ``updated: *id001``, as the old templates wrote). Lists of plain
    values are written as ``[a, b]``, the way people write tags by hand."""
    if isinstance(value, list) and not any(isinstance(v, dict | list) for v in value):
        return f"{key}: [{', '.join(_scalar(v) for v in value)}]"
    if isinstance(value, dict | list):
        return yaml.safe_dump({key: value}, default_flow_style=False, allow_unicode=True,
                              sort_keys=False, width=10_000).rstrip("\n")
    return f"{key}: {_scalar(value)}"


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, allow_unicode=True, width=10_000).strip()
    return text[:-3].strip() if text.endswith("\n...") or text == "..." else text


_ID_LINE = re.compile(r"^id:.*$", re.MULTILINE)


def copy_text(text: str, original_id: str) -> str:
    """The text of a copy of an aid: its own new ``id`` and ``derived_from`` the original's;
    every other byte as it was (tags in the author's style, unknown keys kept)."""
    new_id = uuid.uuid4()
    lines = f"id: {new_id}\nderived_from: {original_id}"
    newline = "\r\n" if text.startswith("---\r\n") else "\n"
    if text.startswith(("---\n", "---\r\n")):
        end = text.find(f"{newline}---", 3)
        head = text[:end] if end > 0 else text
        if _ID_LINE.search(head):
            head = _ID_LINE.sub(lambda _m: lines.replace("\n", newline), head, count=1)
        else:
            head = head.rstrip("\r\n") + newline + lines.replace("\n", newline)
        return head + (text[end:] if end > 0 else "")
    return f"---\n{lines}\n---\n{text}"
