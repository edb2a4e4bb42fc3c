"""What each side held when the two last agreed: per collection, each file's base version (its
content, the remote validator, the local hash). Kept in SQLite on the local disk, never in the
shared folder. Changes are judged against it by content; a lost journal turns differences into
conflicts (both kept), never into deletions."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS base(collection TEXT NOT NULL, path TEXT NOT NULL,
    hash TEXT NOT NULL, etag TEXT NOT NULL, data BLOB NOT NULL,
    seen_at REAL NOT NULL DEFAULT 0, PRIMARY KEY(collection, path));
CREATE TABLE IF NOT EXISTS sending(collection TEXT NOT NULL, path TEXT NOT NULL,
    data BLOB NOT NULL, PRIMARY KEY(collection, path));
"""


@dataclass(frozen=True)
class Base:
    hash: str   # the content's hash (the local side is judged by it)
    etag: str   # the remote's validator for that content
    data: bytes  # the content itself, for three-way merges
    seen_at: float = 0.0  # the server's time when this was the remote's version


class Journal:
    def __init__(self, file: Path) -> None:
        file.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(file, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def bases(self, collection: str) -> dict[str, Base]:
        with self._lock:
            rows = self._db.execute("SELECT path, hash, etag, data, seen_at FROM base WHERE "
                                    "collection = ?", (collection,)).fetchall()
        return {path: Base(hash_, etag, bytes(data), seen_at)
                for path, hash_, etag, data, seen_at in rows}

    def set(self, collection: str, path: str, base: Base) -> None:
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO base VALUES (?, ?, ?, ?, ?, ?)",
                             (collection, path, base.hash, base.etag, base.data, base.seen_at))

    def sending(self, collection: str, path: str, data: bytes | None) -> None:
        """Note a write about to be sent (None: it was, and its base is set): a round killed
        between the write and the base finds it here, and checks the target's content."""
        with self._lock:
            if data is None:
                self._db.execute("DELETE FROM sending WHERE collection = ? AND path = ?",
                                 (collection, path))
            else:
                self._db.execute("INSERT OR REPLACE INTO sending VALUES (?, ?, ?)",
                                 (collection, path, data))

    def unfinished(self, collection: str) -> dict[str, bytes]:
        with self._lock:
            rows = self._db.execute("SELECT path, data FROM sending WHERE collection = ?",
                                    (collection,)).fetchall()
        return {path: bytes(data) for path, data in rows}

    def forget(self, collection: str, path: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM base WHERE collection = ? AND path = ?",
                             (collection, path))

    def close(self) -> None:
        self._db.close()
