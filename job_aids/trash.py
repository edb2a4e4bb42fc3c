"""A trash folder: deleting an aid moves it here, and it can be restored."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

from .atomic import atomic_write_bytes, atomic_write_text, read_own_text, temp_prefix

INFO_FILE = "trashinfo.json"
# A file being moved to the trash; one left by a killed process is put in the trash at start.
DELETING_SUFFIX = "handrail-deleting"


@dataclass(frozen=True)
class TrashEntry:
    entry_id: str
    file: Path
    original: Path
    collection: str
    title: str
    aid_id: str
    deleted_at: dt.datetime


class Trash:
    def __init__(self, folder: Path) -> None:
        self._folder = folder

    def put(self, path: Path, *, collection: str, title: str, aid_id: str,
            original: Path | None = None) -> TrashEntry:
        """Move ``path`` into the trash (copy + fsync first, so a crash loses nothing).

        The file is then renamed aside in one step and compared with the copy: words another
        program wrote meanwhile replace the copy instead of vanishing with the file.
        """
        deleted_at = dt.datetime.now(dt.UTC)
        entry_id = f"{deleted_at:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
        slot = self._folder / entry_id
        original = original or path
        target = slot / original.name
        data, mode = path.read_bytes(), path.stat().st_mode
        atomic_write_bytes(target, data, mode=mode)
        info = {"original": str(original), "collection": collection, "title": title,
                "aid_id": aid_id, "deleted_at": deleted_at.isoformat()}
        atomic_write_text(slot / INFO_FILE, json.dumps(info, ensure_ascii=False, indent=2))
        aside = path.with_name(f"{temp_prefix(path)}{DELETING_SUFFIX}")
        try:
            os.rename(path, aside)
        except FileNotFoundError:
            shutil.rmtree(slot, ignore_errors=True)
            raise
        moved = aside.read_bytes()
        if moved != data:
            atomic_write_bytes(target, moved)
        try:  # the file itself, where the disk allows: a late write into it lands in the trash
            os.replace(aside, target)
        except OSError:
            os.unlink(aside)
        return TrashEntry(entry_id, target, original, collection, title, aid_id, deleted_at)

    def entries(self) -> list[TrashEntry]:
        if not self._folder.is_dir():
            return []
        result = []
        for slot in sorted(self._folder.iterdir()):
            try:
                info = json.loads(read_own_text(slot / INFO_FILE))
                files = [p for p in slot.iterdir() if p.name != INFO_FILE
                         and not p.name.startswith(".")]
            except (OSError, ValueError):
                continue
            if not files:
                continue
            result.append(TrashEntry(
                entry_id=slot.name, file=files[0], original=Path(info["original"]),
                collection=str(info.get("collection", "")), title=str(info.get("title", "")),
                aid_id=str(info.get("aid_id", "")),
                deleted_at=dt.datetime.fromisoformat(info["deleted_at"])))
        return result

    def find(self, key: str) -> list[TrashEntry]:
        """Entries whose entry id starts with ``key`` or whose aid id or title equals it."""
        return [e for e in self.entries()
                if e.entry_id.startswith(key) or key in (e.aid_id, e.title)]

    def take_out(self, entry: TrashEntry, destination: Path) -> Path:
        """Write the trashed file to ``destination`` (atomically), then drop the trash slot."""
        atomic_write_bytes(destination, entry.file.read_bytes(),
                           mode=entry.file.stat().st_mode)
        shutil.rmtree(entry.file.parent, ignore_errors=True)
        return destination
