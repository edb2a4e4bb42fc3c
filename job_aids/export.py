"""The files an aid takes with it when it is moved or handed over: the images it shows.

An image is taken only from inside the aid's collection (:mod:`.attachments`); a bundle
(:mod:`.bundle`) and a move (``LibraryStore.move_aid``) carry them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from .attachments import resolve_attachment
from .model import JobAid

# ![alt](reference "title") and <img src="reference">: the files an aid shows.
_IMAGE = re.compile(r"!\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)"
                    r"|<img\b[^>]*\bsrc=[\"']([^\"']+)[\"']", re.IGNORECASE)


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
