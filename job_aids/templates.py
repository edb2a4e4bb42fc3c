"""Templates for new aids, one per kind; each template is itself a good example aid."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import Path

from .errors import TemplateError, map_os_errors
from .fileformat import parse_bytes
from .model import KINDS, JobAid, first_heading


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

    def instantiate(self, kind: str, title: str, *, today: dt.date) -> JobAid:
        """The template with a fresh id, the given title and today's dates."""
        template = self.load(kind)
        meta = {"id": str(uuid.uuid4()), "title": title, **template.meta}
        meta["id"] = str(uuid.uuid4())  # a template's own id (if any) is never reused
        meta["title"] = title
        meta["kind"] = kind
        # The template's own summary and tags describe the example, not the new aid.
        meta["summary"] = ""
        meta["tags"] = []
        meta["created"] = today
        meta["updated"] = today
        if "review_by" in meta:
            meta["review_by"] = today + dt.timedelta(days=180)
        body = template.body
        heading = first_heading(body)
        if heading:
            body = body.replace(f"# {heading}", f"# {title}", 1)
        return JobAid(meta=meta, body=body, has_front_matter=True)
