"""Per-aid history: every save keeps the previous version, so no edit is lost by a save."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .atomic import atomic_write_bytes
from .names import safe_component

DEFAULT_KEEP = 50


CONFLICT = "conflict"


@dataclass(frozen=True)
class Version:
    """One kept version. A ``conflict`` version never was the file: it is a save that lost a
    race, or another program's words that a save replaced at the same instant."""

    path: Path
    saved_at: dt.datetime
    number: int = 0

    @property
    def conflict(self) -> bool:
        return self.path.stem.endswith(f"-{CONFLICT}")

    def read_bytes(self) -> bytes:
        return self.path.read_bytes()


class AidHistory:
    """``history/<aid id>/<timestamp>.md``, newest last, at most ``keep`` versions per aid."""

    def __init__(self, folder: Path, keep: int = DEFAULT_KEEP) -> None:
        self._folder = folder
        self._keep = keep

    def _aid_folder(self, aid_id: str) -> Path:
        return self._folder / safe_component(aid_id)

    def record(self, aid_id: str, data: bytes, mode: int | None = None, *,
               conflict: bool = False) -> Path:
        """Keep ``data`` as a version of the aid (with its file's ``mode``: a private aid's
        history is private too); drops the oldest beyond the bound."""
        folder = self._aid_folder(aid_id)
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        tail = f"-{CONFLICT}" if conflict else ""
        path = folder / f"{stamp}{tail}.md"
        number = 1
        while path.exists():
            path = folder / f"{stamp}-{number}{tail}.md"
            number += 1
        atomic_write_bytes(path, data, mode=mode)
        for old in self.versions(aid_id)[: -self._keep]:
            old.path.unlink(missing_ok=True)
        return path

    def versions(self, aid_id: str) -> list[Version]:
        folder = self._aid_folder(aid_id)
        if not folder.is_dir():
            return []
        result: list[Version] = []
        for path in sorted(folder.glob("*.md")):
            try:
                saved = dt.datetime.strptime(path.stem[:22], "%Y%m%dT%H%M%S.%f")
            except ValueError:
                continue
            result.append(Version(path, saved.replace(tzinfo=dt.UTC), len(result) + 1))
        return result

    def find(self, aid_id: str, key: str) -> Version | None:
        """A version by its number in :meth:`versions` (1 is the oldest kept) or by the start
        of its time stamp (``20261202T0915``); None if none or several match."""
        versions = self.versions(aid_id)
        if key.isdigit() and len(key) < 6:
            number = int(key)
            return versions[number - 1] if 1 <= number <= len(versions) else None
        matches = [v for v in versions if v.path.stem.startswith(key)]
        return matches[0] if len(matches) == 1 else None
