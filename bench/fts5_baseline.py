"""The baseline a user would otherwise reach for: SQLite FTS5 (stdlib), BM25, porter stemming."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from job_aids import read_aid

_WORD = re.compile(r"\w+")


class Fts5Index:
    def __init__(self, db_path: Path) -> None:
        self.db_path = db_path
        self.db = sqlite3.connect(db_path)
        self.db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS aids USING fts5(title, body, path "
                        "UNINDEXED, tokenize='porter unicode61 remove_diacritics 2')")

    def build(self, files: list[Path]) -> None:
        rows = []
        for path in files:
            aid = read_aid(path)
            rows.append((aid.title, aid.body, str(path)))
        with self.db:
            self.db.executemany("INSERT INTO aids(title, body, path) VALUES (?, ?, ?)", rows)

    @staticmethod
    def match_expression(text: str) -> str | None:
        """All words must match; the last word is a prefix unless the text ends in a space."""
        words = _WORD.findall(text.lower())
        if not words:
            return None
        quoted = [f'"{w}"' for w in words]
        if not text[-1:].isspace():
            quoted[-1] += "*"
        return " AND ".join(quoted)

    def search(self, text: str, limit: int = 10) -> list[tuple[str, str]]:
        expression = self.match_expression(text)
        if expression is None:
            return []
        return self.db.execute(
            "SELECT path, snippet(aids, 1, '<mark>', '</mark>', '…', 12) FROM aids "
            "WHERE aids MATCH ? ORDER BY bm25(aids, 5.0, 1.0) LIMIT ?",
            (expression, limit)).fetchall()

    def close(self) -> None:
        self.db.close()
