"""Text typed in an editor and not saved yet, kept crash-safe in the state folder.

An editor writes its draft every few seconds while it has unsaved changes (one JSON file per
editor, written atomically), and removes it once the text is saved or the user discards it. A
draft still there when Handrail starts was left by a crash, a kill or a power cut: it is
offered back. A new aid exists only as a draft until it is saved: nothing lands in the library
before the user saves.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .atomic import atomic_write_bytes, atomic_write_text
from .attachments import IMAGE_FOLDER

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Draft:
    key: str
    text: str
    target: str          # the aid's file, or "" for a new aid
    collection: str      # where a new aid goes
    base_digest: str     # the file's content when editing began ("" for a new aid)
    saved_at: float
    images: dict[str, bytes] = field(default_factory=dict)  # pasted, not saved yet

    @property
    def is_new(self) -> bool:
        return not self.target

    @property
    def title(self) -> str:
        from .fileformat import parse_text

        return parse_text(self.text).title


def digest_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class DraftStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @staticmethod
    def new_key() -> str:
        return uuid.uuid4().hex

    def _file(self, key: str) -> Path:
        if not key.isalnum():
            raise ValueError(f"not a draft key: {key!r}")
        return self.folder / f"{key}.json"

    def save(self, key: str, text: str, *, target: Path | None, collection: str,
             base_digest: str = "") -> None:
        """Keep the text (raises OSError when the disk refuses: the caller says so)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        atomic_write_text(self._file(key), json.dumps(
            {"version": 1, "text": text, "target": str(target) if target else "",
             "collection": collection, "base_digest": base_digest, "saved_at": time.time()},
            ensure_ascii=True))

    def _images(self, key: str) -> Path:
        return self._file(key).with_suffix(".images")

    def save_image(self, key: str, name: str, data: bytes) -> None:
        """Keep a pasted image with the draft (``name`` is its link, ``images/x.png``)."""
        target = self._images(key) / PurePosixPath(name).name
        target.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(target, data)

    def discard(self, key: str) -> None:
        try:
            self._file(key).unlink()
        except FileNotFoundError:
            pass
        except OSError as error:
            log.warning("the draft %s was not removed: %s", key, error.strerror or error)
        shutil.rmtree(self._images(key), ignore_errors=True)

    def _read_images(self, key: str) -> dict[str, bytes]:
        folder = self._images(key)
        if not folder.is_dir():
            return {}
        return {f"{IMAGE_FOLDER}/{file.name}": file.read_bytes()
                for file in sorted(folder.iterdir()) if file.is_file()}

    def all(self) -> list[Draft]:
        """Every kept draft, oldest first; an unreadable one is skipped (and kept)."""
        drafts = []
        try:
            files = sorted(self.folder.glob("*.json"))
        except OSError:
            return []
        for file in files:
            try:
                data = json.loads(file.read_text(encoding="utf-8"))
                drafts.append(Draft(file.stem, str(data["text"]), str(data.get("target", "")),
                                    str(data.get("collection", "mine")),
                                    str(data.get("base_digest", "")),
                                    float(data.get("saved_at", 0)),
                                    self._read_images(file.stem)))
            except (OSError, ValueError, KeyError, TypeError) as error:
                log.warning("the draft %s cannot be read (%s); it is left where it is",
                            file, error)
        return sorted(drafts, key=lambda d: d.saved_at)
