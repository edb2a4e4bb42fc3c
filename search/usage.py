"""What the user did, kept on this machine only: a SQLite log in the state folder.

It records searches (what was typed, where from, how many results, what was opened and how
soon), opens, pins, copies, checklists finished or given up, and votes. It feeds the ranking
(what the user opens often comes first), the "For <app>" marks, and the Insights window.

Nothing here leaves the machine; :mod:`search.team_insights` shares counts with a team only
where the user opted in. Raw events older than :data:`KEEP_RAW_DAYS` are rolled up into daily
counts, so the file stays small; :meth:`UsageLog.clear` forgets everything recorded.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HALF_LIFE_DAYS = 30.0
KEEP_RAW_DAYS = 90
SCHEMA_VERSION = 1
VOTES = ("helpful", "unhelpful", "outdated")
ACTIONS = ("open", "pin", "copy", "edit")  # what ends a search as "found"
EVENTS = (*ACTIONS, "complete", "abandon", "create", "review-request")
log = logging.getLogger(__name__)

_SCHEMA = [
    # 1: the first schema
    """
    CREATE TABLE searches(ts REAL NOT NULL, query TEXT NOT NULL, key TEXT NOT NULL,
        app TEXT NOT NULL DEFAULT '', window TEXT NOT NULL DEFAULT '',
        results INTEGER NOT NULL, opened TEXT, action TEXT, ms INTEGER,
        found_later TEXT);
    CREATE INDEX searches_ts ON searches(ts);
    CREATE TABLE events(ts REAL NOT NULL, kind TEXT NOT NULL, aid_id TEXT NOT NULL,
        detail TEXT NOT NULL DEFAULT '');
    CREATE INDEX events_ts ON events(ts);
    CREATE TABLE votes(ts REAL NOT NULL, aid_id TEXT NOT NULL, vote TEXT NOT NULL,
        comment TEXT NOT NULL DEFAULT '');
    CREATE TABLE daily(day TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
        query TEXT NOT NULL, app TEXT NOT NULL, aid_id TEXT NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY(day, kind, key, app, aid_id));
    CREATE TABLE opens(aid_id TEXT PRIMARY KEY, count REAL NOT NULL, last REAL NOT NULL);
    CREATE TABLE marks(app TEXT NOT NULL, aid_id TEXT NOT NULL, position INTEGER NOT NULL,
        PRIMARY KEY(app, aid_id));
    CREATE TABLE dismissed(key TEXT PRIMARY KEY, ts REAL NOT NULL);
    CREATE TABLE shared(collection TEXT PRIMARY KEY, through_day TEXT NOT NULL);
    CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
]


def query_key(query: str) -> str:
    """The words of a query as a gap is grouped by: stemmed, without function words, sorted
    ("Unjam the printers" and "printer unjam" are one gap)."""
    from .analysis import stemmed_terms
    from .documents import _WORD

    terms = {t for word in _WORD.findall(query) for t in stemmed_terms(word)}
    return " ".join(sorted(terms))


def day_of(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts).date().isoformat()


@dataclass(frozen=True)
class Search:
    """One search as it ended: the words the user settled on, and what came of them."""

    query: str
    results: int
    app: str = ""
    window: str = ""
    opened: str | None = None       # the aid opened (or pinned, copied, edited) from it
    action: str | None = None
    ms: int | None = None           # from the first key to the action
    found_later: str | None = None  # opened after searching again in other words


class UsageLog:
    """The log; safe to use from the GUI and the search thread at once."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.version = 0  # bumped on every change the ranking sees (cached rankings drop)
        self._lock = threading.RLock()
        self._opens: dict[str, tuple[float, float]] = {}
        self._db: sqlite3.Connection | None = None
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(file, check_same_thread=False, timeout=5,
                                       isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")  # a lost count, never a torn file
            self._migrate()
            self._import_json(file.with_name("usage.json"))
            self._opens = {row[0]: (row[1], row[2]) for row in
                           self._db.execute("SELECT aid_id, count, last FROM opens")}
        except sqlite3.Error as error:  # a damaged log costs the ranking hint, never a search
            log.warning("the usage log %s cannot be used (%s); nothing is recorded this time",
                        file, error)
            self._db = None

    # -- the file -------------------------------------------------------------------------
    def _migrate(self) -> None:
        """Bring the file to this schema, each step in one transaction."""
        db = self._db
        assert db is not None
        with self._lock:
            has_meta = db.execute("SELECT 1 FROM sqlite_master WHERE name='meta'").fetchone()
            version = 0
            if has_meta:
                row = db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
                version = int(row[0]) if row else 0
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"it was written by a newer Handrail (schema "
                                            f"{version})")
            for number, script in enumerate(_SCHEMA[version:], version + 1):
                # executescript commits first, so each step is its own BEGIN ... COMMIT.
                db.executescript(f"BEGIN; {script}; INSERT OR REPLACE INTO meta VALUES "
                                 f"('schema', '{number}'); COMMIT;")
            if not db.execute("SELECT 1 FROM meta WHERE key='client'").fetchone():
                db.execute("INSERT INTO meta VALUES ('client', ?)", (uuid.uuid4().hex,))

    def _import_json(self, old: Path) -> None:
        """Bring over what an older Handrail kept in usage.json (opens, gaps, marks); the
        file is renamed, not deleted."""
        try:
            data = json.loads(old.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as error:
            log.warning("%s could not be read (%s); its counts are not brought over", old, error)
            return
        if not isinstance(data, dict):
            return
        with self._write() as db:
            for aid_id, entry in dict(data.get("opens") or {}).items():
                count, last = entry
                db.execute("INSERT OR REPLACE INTO opens VALUES (?, ?, ?)",
                           (str(aid_id), float(count), float(last)))
            for gap in dict(data.get("gaps") or {}).values():
                query = str(gap.get("query", ""))
                apps = list(gap.get("apps") or [""])
                day = day_of(float(gap.get("last", time.time())))
                db.execute("INSERT OR REPLACE INTO daily VALUES (?, 'gap', ?, ?, ?, '', ?)",
                           (day, query_key(query), query, str(apps[0]),
                            int(gap.get("count", 1))))
            for app, ids in dict(data.get("marks") or {}).items():
                for position, aid_id in enumerate(ids):
                    db.execute("INSERT OR REPLACE INTO marks VALUES (?, ?, ?)",
                               (str(app), str(aid_id), position))
        old.rename(old.with_name("usage.json.imported"))

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        assert self._db is not None
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _record(self, sql: str, *params: Any) -> None:
        """One write; a failure (disk full, a locked file) is logged and costs only the count."""
        if self._db is None:
            return
        try:
            with self._write() as db:
                db.execute(sql, params)
        except sqlite3.Error as error:
            log.warning("usage not recorded (%s)", error)

    def rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        if self._db is None:
            return []
        with self._lock:
            return list(self._db.execute(sql, params))

    @property
    def client_id(self) -> str:
        rows = self.rows("SELECT value FROM meta WHERE key='client'")
        return str(rows[0][0]) if rows else "unknown"

    def close(self) -> None:
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    # -- recording ------------------------------------------------------------------------
    def record_search(self, search: Search, when: float | None = None) -> None:
        query = " ".join(search.query.split())
        if not query:
            return
        self._record("INSERT INTO searches VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                     when if when is not None else time.time(), query, query_key(query),
                     search.app, search.window, search.results, search.opened, search.action,
                     search.ms, search.found_later)

    def record_event(self, kind: str, aid_id: str, detail: str = "",
                     when: float | None = None) -> None:
        assert kind in EVENTS, kind
        self._record("INSERT INTO events VALUES (?, ?, ?, ?)",
                     when if when is not None else time.time(), kind, aid_id, detail)
        if kind == "open":
            self._count_open(aid_id, when)

    def record_open(self, aid_id: str, when: float | None = None) -> None:
        self.record_event("open", aid_id, when=when)

    def _count_open(self, aid_id: str, when: float | None) -> None:
        count, _ = self._opens.get(aid_id, (0.0, 0.0))
        last = when if when is not None else time.time()
        self._opens[aid_id] = (count + 1, last)
        self.version += 1
        self._record("INSERT OR REPLACE INTO opens VALUES (?, ?, ?)", aid_id, count + 1, last)

    def vote(self, aid_id: str, vote: str, comment: str = "", when: float | None = None) -> None:
        if vote not in VOTES:
            raise ValueError(f"a vote is one of {', '.join(VOTES)}, not {vote!r}")
        self._record("INSERT INTO votes VALUES (?, ?, ?, ?)",
                     when if when is not None else time.time(), aid_id, vote, comment.strip())

    def dismiss_gap(self, query: str, when: float | None = None) -> str:
        """Hide a gap (the searches so far; new ones show it again). Returns its key."""
        key = query_key(query)
        self._record("INSERT OR REPLACE INTO dismissed VALUES (?, ?)", key,
                     when if when is not None else time.time())
        return key

    def record_gap(self, query: str, app: str | None = None, when: float | None = None) -> None:
        """A search that found nothing and was left (kept for callers of the old log)."""
        self.record_search(Search(query, 0, app=app or ""), when)

    # -- the marks and the ranking ----------------------------------------------------------
    def mark_for_app(self, aid_id: str, app: str, *, on: bool = True) -> None:
        """Show (or stop showing) an aid first whenever the user is in ``app``."""
        key = app.strip().lower()
        marked = [i for i in self.marked_for(key) if i != aid_id]
        ordered = [aid_id, *marked] if on else marked
        if self._db is not None:
            try:
                with self._write() as db:
                    db.execute("DELETE FROM marks WHERE app = ?", (key,))
                    db.executemany("INSERT INTO marks VALUES (?, ?, ?)",
                                   [(key, i, n) for n, i in enumerate(ordered)])
            except sqlite3.Error as error:
                log.warning("the mark was not kept (%s)", error)
        self.version += 1

    def marked_for(self, app: str) -> list[str]:
        return [r[0] for r in self.rows("SELECT aid_id FROM marks WHERE app = ? ORDER BY "
                                        "position", app.strip().lower())]

    def recent_apps(self, limit: int = 30) -> list[str]:
        """The applications searched from lately, most recent first (the editor offers them
        for an aid's ``apps``)."""
        return [r[0] for r in self.rows(
            "SELECT app FROM searches WHERE app != '' GROUP BY app ORDER BY MAX(ts) DESC "
            "LIMIT ?", limit)]

    def open_counts(self) -> dict[str, int]:
        """How often each aid was opened."""
        return {aid_id: int(count) for aid_id, (count, _) in self._opens.items()}

    def most_used(self, limit: int = 10, now: float | None = None) -> list[str]:
        """Aid ids opened most often and most lately, best first."""
        ranked = sorted(self._opens, key=lambda aid_id: -self.habit(aid_id, now))
        return ranked[:limit]

    def habit(self, aid_id: str, now: float | None = None) -> float:
        """0 for never opened, up to 1 for opened often and lately."""
        entry = self._opens.get(aid_id)
        if not entry:
            return 0.0
        count, last = entry
        age_days = max(0.0, ((now or time.time()) - last) / 86400)
        recency = 0.5 ** (age_days / HALF_LIFE_DAYS)
        return float(min(1.0, math.log1p(count) / math.log1p(20)) * (0.5 + 0.5 * recency))

    def shared_through(self, collection: str) -> str:
        """The last day already shared with a team collection ("" for none)."""
        rows = self.rows("SELECT through_day FROM shared WHERE collection = ?", collection)
        return str(rows[0][0]) if rows else ""

    def mark_shared(self, collection: str, through_day: str) -> None:
        self._record("INSERT OR REPLACE INTO shared VALUES (?, ?)", collection, through_day)

    # -- keeping it small, and forgetting ---------------------------------------------------
    def roll_up(self, now: float | None = None, keep_days: int = KEEP_RAW_DAYS) -> int:
        """Fold raw searches and events older than ``keep_days`` into daily counts; returns
        how many raw rows went."""
        if self._db is None:
            return 0
        try:
            return self._roll_up((now if now is not None else time.time()) - keep_days * 86400)
        except sqlite3.Error as error:  # tried again next start
            log.warning("old usage not rolled up (%s)", error)
            return 0

    def _roll_up(self, cutoff: float) -> int:
        with self._write() as db:
            rows = db.execute("SELECT ts, query, key, app, opened, found_later FROM searches "
                              "WHERE ts < ?", (cutoff,)).fetchall()
            events = db.execute("SELECT ts, kind, aid_id FROM events WHERE ts < ?",
                                (cutoff,)).fetchall()
            counts: dict[tuple[str, str, str, str, str], int] = {}
            counts_query: dict[tuple[str, str, str, str, str], str] = {}
            for ts, query, key, app, opened, found_later in rows:
                kind = "found" if opened else "gap"
                aid = opened or found_later or ""
                slot = (day_of(ts), kind, key, app, aid)
                counts[slot] = counts.get(slot, 0) + 1
                counts_query[slot] = query  # the words as last typed that day are shown
            for ts, kind, aid_id in events:
                slot = (day_of(ts), kind, "", "", aid_id)
                counts[slot] = counts.get(slot, 0) + 1
            for (day, kind, key, app, aid), count in counts.items():
                db.execute("INSERT INTO daily VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(day, "
                           "kind, key, app, aid_id) DO UPDATE SET count = count + excluded.count",
                           (day, kind, key, counts_query.get((day, kind, key, app, aid), ""),
                            app, aid, count))
            db.execute("DELETE FROM searches WHERE ts < ?", (cutoff,))
            db.execute("DELETE FROM events WHERE ts < ?", (cutoff,))
        return len(rows) + len(events)

    def clear(self) -> None:
        """Forget every search, event, vote and count (the user's "For <app>" marks stay:
        they are choices, not a record)."""
        if self._db is not None:
            with self._write() as db:
                for table in ("searches", "events", "votes", "daily", "opens", "dismissed",
                              "shared"):
                    db.execute(f"DELETE FROM {table}")  # noqa: S608 - the names above
            with self._lock:
                self._db.execute("VACUUM")
        self._opens = {}
        self.version += 1

    def summary(self) -> dict[str, int]:
        """How much is recorded, table by table (what "see what is recorded" shows)."""
        return {table: int(self.rows(f"SELECT COUNT(*) FROM {table}")[0][0])  # noqa: S608
                for table in ("searches", "events", "votes", "daily", "opens", "marks")
                } if self._db is not None else {}

    # -- reading, for the Insights window and reports ------------------------------------
    def gaps(self) -> list[dict[str, Any]]:
        """Searches that ended without the user opening anything, most frequent first (see
        :func:`search.insights.content_gaps` for the full report)."""
        from .insights import content_gaps

        return [g.to_json() for g in content_gaps(self)]

    def searches(self, since: float = 0.0) -> Iterable[tuple[Any, ...]]:
        return self.rows("SELECT ts, query, key, app, window, results, opened, action, ms, "
                         "found_later FROM searches WHERE ts >= ? ORDER BY ts", since)


SETTLE_SECONDS = 1.5  # a query left standing this long was a search of its own


class SearchSession:
    """The searches of one showing of the popup, told what was typed and how it ended.

    Not every keystroke is a search: a query counts when it stood for
    :data:`SETTLE_SECONDS`, or when the session ended on it, and not when the next one only
    adds letters to it ("vend" on the way to "vendor master"). The last query gets the aid the
    user opened; earlier ones that led nowhere get it as ``found_later``.
    """

    def __init__(self, app: str = "", window: str = "", now: float | None = None) -> None:
        self.app, self.window = app, window
        self.started = now if now is not None else time.monotonic()
        self._settled: list[tuple[str, int]] = []
        self._current: tuple[str, int, float] | None = None

    def answered(self, query: str, results: int, now: float | None = None) -> None:
        now = now if now is not None else time.monotonic()
        query = " ".join(query.split())
        if self._current is not None:
            text, count, since = self._current
            if text and text != query and now - since >= SETTLE_SECONDS:
                self._settled.append((text, count))
        self._current = (query, results, now) if query else None

    def finish(self, opened: str | None = None, action: str | None = None,
               now: float | None = None) -> list[Search]:
        """The searches to record; the session is empty afterwards."""
        now = now if now is not None else time.monotonic()
        queries = list(self._settled)
        if self._current is not None:
            queries.append(self._current[:2])
        self._settled, self._current = [], None
        kept: list[tuple[str, int]] = []
        for text, count in queries:
            while kept and (text.lower().startswith(kept[-1][0].lower())
                            or kept[-1][0].lower() == text.lower()):
                kept.pop()  # typed on (or the same again): one search
            kept.append((text, count))
        searches = []
        for number, (text, count) in enumerate(kept):
            last = number == len(kept) - 1
            searches.append(Search(
                text, count, app=self.app, window=self.window,
                opened=opened if last else None, action=action if last else None,
                ms=round((now - self.started) * 1000) if last and opened else None,
                found_later=None if last else opened))
        return searches
