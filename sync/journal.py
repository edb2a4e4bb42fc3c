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
CREATE TABLE IF NOT EXISTS failing(collection TEXT NOT NULL, path TEXT NOT NULL,
    failures INTEGER NOT NULL, rounds_left INTEGER NOT NULL, why TEXT NOT NULL,
    PRIMARY KEY(collection, path));
"""

# A file that fails again and again is set aside, the rest syncing meanwhile: after the
# third failure in a row it waits one round, then two, four ... up to this many.
SET_ASIDE_AFTER = 3
SET_ASIDE_MAX_ROUNDS = 64


@dataclass(frozen=True)
class Failing:
    failures: int     # in a row
    rounds_left: int  # rounds it still waits before it is tried again
    why: str


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

    def failing(self, collection: str) -> dict[str, Failing]:
        with self._lock:
            rows = self._db.execute("SELECT path, failures, rounds_left, why FROM failing "
                                    "WHERE collection = ?", (collection,)).fetchall()
        return {path: Failing(failures, left, why) for path, failures, left, why in rows}

    def failed(self, collection: str, path: str, why: str) -> Failing:
        """One more failure in a row for ``path``: how long it is set aside now."""
        before = self.failing(collection).get(path)
        failures = (before.failures if before else 0) + 1
        left = 0 if failures < SET_ASIDE_AFTER else min(
            2 ** (failures - SET_ASIDE_AFTER), SET_ASIDE_MAX_ROUNDS)
        with self._lock:
            self._db.execute("INSERT OR REPLACE INTO failing VALUES (?, ?, ?, ?, ?)",
                             (collection, path, failures, left, why))
        return Failing(failures, left, why)

    def waited(self, collection: str, path: str) -> None:
        with self._lock:
            self._db.execute("UPDATE failing SET rounds_left = rounds_left - 1 WHERE "
                             "collection = ? AND path = ? AND rounds_left > 0",
                             (collection, path))

    def succeeded(self, collection: str, path: str) -> None:
        with self._lock:
            self._db.execute("DELETE FROM failing WHERE collection = ? AND path = ?",
                             (collection, path))

    def close(self) -> None:
        self._db.close()
