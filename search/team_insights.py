"""Insights shared with a team: each machine's daily counts, in the team collection itself.

Only where the user opted in for that collection (``share_insights``), each machine writes its
own file, ``.handrail/insights/<client-id>.jsonl``, and only ever adds lines to it: whole days,
once each. No two machines write one file, so sync never has to merge them; a reader adds all
files up. What a line holds depends on the choice:

- ``counts``: searches and gaps per day as numbers only, and per aid of the collection its
  opens, pins, copies, finished checklists and votes. No search words, no window titles, no
  comments.
- ``words``: the same, and the words of each gap and of each search with the aid it led to
  (what makes team-informed ranking work); vote comments only if the user allowed them too.

Nothing leaves the machine otherwise; the Settings page says exactly this.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from job_aids.atomic import atomic_write_text

from .insights import SearchRecord, learned_pairs, search_records
from .usage import UsageLog, day_of

FOLDER = Path(".handrail") / "insights"
FORMAT = 1
MAX_FILE_BYTES = 8 * 1024 * 1024  # a reader skips a bigger file (it is not ours to trust)
_CLIENT = re.compile(r"^[0-9a-f]{8,64}$")
log = logging.getLogger(__name__)


def insights_folder(collection_path: Path) -> Path:
    return collection_path / FOLDER


def share(usage: UsageLog, collection_name: str, collection_path: Path, mode: str,
          aid_ids: set[str], *, comments: bool = False, today: dt.date | None = None) -> int:
    """Add this machine's whole days since the last share (up to yesterday) to its file in
    the collection; returns the lines added. ``aid_ids``: the collection's aids (counts of
    other aids are not the team's business)."""
    if mode not in ("counts", "words"):
        return 0
    today = today or dt.date.today()
    after = usage.shared_through(collection_name)
    until = (today - dt.timedelta(days=1)).isoformat()
    if after >= until:
        return 0
    lines = list(_lines(usage, mode, aid_ids, after, until, comments))
    if lines:
        file = insights_folder(collection_path) / f"{usage.client_id}.jsonl"
        try:
            old = file.read_text(encoding="utf-8") if file.exists() else ""
        except OSError as error:
            log.warning("the team's insights file %s cannot be read: %s", file, error)
            return 0
        file.parent.mkdir(parents=True, exist_ok=True)
        atomic_write_text(file, old + "".join(json.dumps(line, ensure_ascii=False,
                                                         sort_keys=True) + "\n"
                                              for line in lines))
    usage.mark_shared(collection_name, until)
    return len(lines)


def _lines(usage: UsageLog, mode: str, aid_ids: set[str], after: str, until: str,
           comments: bool) -> Iterable[dict[str, Any]]:
    client = usage.client_id
    base = {"v": FORMAT, "client": client}
    per_day: dict[str, Counter[str]] = defaultdict(Counter)
    words: dict[tuple[str, str, str, str], int] = defaultdict(int)
    for record in search_records(usage):
        if not after < record.day <= until:
            continue
        per_day[record.day]["searches"] += record.count
        if record.is_gap:
            per_day[record.day]["gaps"] += record.count
        if mode == "words":
            aid = record.opened or record.found_later
            kind = "gap" if record.is_gap else "found"
            words[(record.day, kind, record.query, aid if aid in aid_ids else "")] += \
                record.count
    for day in sorted(per_day):
        yield {**base, "day": day, "kind": "searches", **per_day[day]}
    for (day, kind, query, aid), count in sorted(words.items()):
        yield {**base, "day": day, "kind": kind, "query": query, "aid": aid, "count": count}
    for ts, kind, aid_id in usage.rows("SELECT ts, kind, aid_id FROM events ORDER BY ts"):
        day = day_of(ts)
        if after < day <= until and aid_id in aid_ids and kind in (
                "open", "pin", "copy", "complete", "abandon", "review-request"):
            yield {**base, "day": day, "kind": kind, "aid": aid_id, "count": 1}
    for day, kind, aid_id, count in usage.rows(
            "SELECT day, kind, aid_id, count FROM daily WHERE kind IN ('open', 'pin', 'copy', "
            "'complete', 'abandon') AND day > ? AND day <= ?", after, until):
        if aid_id in aid_ids:
            yield {**base, "day": day, "kind": kind, "aid": aid_id, "count": count}
    for ts, aid_id, vote, comment in usage.rows("SELECT ts, aid_id, vote, comment FROM votes"):
        day = day_of(ts)
        if after < day <= until and aid_id in aid_ids:
            line = {**base, "day": day, "kind": "vote", "aid": aid_id, "vote": vote, "count": 1}
            if comments and mode == "words" and comment:
                line["comment"] = comment
            yield line


@dataclass
class TeamInsights:
    """Every machine's shared lines of one collection, added up."""

    clients: int = 0
    searches: int = 0
    gap_searches: int = 0
    per_day: dict[str, list[int]] = field(default_factory=dict)  # day -> [searches, gaps]
    records: list[SearchRecord] = field(default_factory=list)    # only from "words" sharers
    events: dict[str, Counter[str]] = field(default_factory=dict)
    votes: dict[str, Counter[str]] = field(default_factory=dict)
    comments: dict[str, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def pairs(self) -> dict[str, Counter[str]]:
        return learned_pairs(self.records)

    def add(self, other: TeamInsights) -> None:
        """Another collection's team, added in."""
        self.clients += other.clients
        self.searches += other.searches
        self.gap_searches += other.gap_searches
        for day, (searches, gaps) in other.per_day.items():
            slot = self.per_day.setdefault(day, [0, 0])
            slot[0] += searches
            slot[1] += gaps
        self.records += other.records
        for name in ("events", "votes"):
            mine: dict[str, Counter[str]] = getattr(self, name)
            for key, counts in getattr(other, name).items():
                mine.setdefault(key, Counter()).update(counts)
        for aid, comments in other.comments.items():
            self.comments.setdefault(aid, []).extend(comments)
        self.problems += other.problems


def read_team(collection_path: Path, skip_client: str | None = None) -> TeamInsights:
    """Add up all machines' files (but ``skip_client``'s: this machine's own, already in its
    log); a damaged line or file is skipped and named."""
    from .usage import query_key

    team = TeamInsights()
    folder = insights_folder(collection_path)
    try:
        files = sorted(folder.glob("*.jsonl"))
    except OSError:
        return team
    for file in files:
        if not _CLIENT.match(file.stem) or file.stem == skip_client:
            continue
        try:
            if file.stat().st_size > MAX_FILE_BYTES:
                team.problems.append(f"{file.name} is too large; skipped")
                continue
            text = file.read_text(encoding="utf-8", errors="replace")
        except OSError as error:
            team.problems.append(f"{file.name}: {error.strerror or error}")
            continue
        team.clients += 1
        for number, raw in enumerate(text.splitlines(), 1):
            try:
                line = json.loads(raw)
                _add(team, line, query_key)
            except (ValueError, TypeError, KeyError, AttributeError):
                team.problems.append(f"{file.name} line {number} is not an insights line")
    return team


def _add(team: TeamInsights, line: dict[str, Any], key_of: Any) -> None:
    kind, day = str(line["kind"]), str(line["day"])
    dt.date.fromisoformat(day)
    count = int(line.get("count", 1))
    if count < 0 or count > 1_000_000:
        raise ValueError("count out of range")
    if kind == "searches":
        searches, gaps = int(line.get("searches", 0)), int(line.get("gaps", 0))
        team.searches += searches
        team.gap_searches += gaps
        slot = team.per_day.setdefault(day, [0, 0])
        slot[0] += searches
        slot[1] += gaps
    elif kind in ("gap", "found"):
        query = str(line["query"])[:200]
        aid = str(line.get("aid", ""))
        team.records.append(SearchRecord(day, 0.0, query, key_of(query), "",
                                         aid if kind == "found" else "",
                                         aid if kind == "gap" else "", count))
    elif kind == "vote":
        aid = str(line["aid"])
        team.votes.setdefault(aid, Counter())[str(line["vote"])] += count
        if line.get("comment"):
            team.comments.setdefault(aid, []).append(str(line["comment"])[:500])
    else:
        team.events.setdefault(kind, Counter())[str(line["aid"])] += count


def summary(searches: int, gap_searches: int, per_day: dict[str, list[int]],
            records: Iterable[SearchRecord], events: dict[str, Counter[str]],
            votes: dict[str, Counter[str]]) -> dict[str, Any]:
    """The figures a team report shows, in one comparable shape."""
    from .insights import gaps_from

    return {
        "searches": searches, "gap_searches": gap_searches,
        "per_day": {d: list(v) for d, v in sorted(per_day.items())},
        "gaps": {g.key: g.count for g in gaps_from(records)},
        "pairs": {k: dict(v) for k, v in sorted(learned_pairs(records).items())},
        "events": {k: dict(v) for k, v in sorted(events.items()) if v},
        "votes": {k: dict(v) for k, v in sorted(votes.items()) if v},
    }


def team_summary(team: TeamInsights) -> dict[str, Any]:
    return summary(team.searches, team.gap_searches, team.per_day, team.records,
                   team.events, team.votes)


def log_summary(usage: UsageLog, aid_ids: set[str], until: str) -> dict[str, Any]:
    """What :func:`team_summary` gives for the same days, read from one log directly."""
    from .insights import event_counts

    records = [r for r in search_records(usage) if r.day <= until]
    per_day: dict[str, list[int]] = {}
    for record in records:
        slot = per_day.setdefault(record.day, [0, 0])
        slot[0] += record.count
        slot[1] += record.count if record.is_gap else 0
    kept = [SearchRecord(r.day, 0.0, r.query, r.key, "",
                         r.opened if r.opened in aid_ids else "",
                         r.found_later if r.found_later in aid_ids else "", r.count)
            for r in records]
    events = {kind: Counter({a: n for a, n in counts.items() if a in aid_ids})
              for kind, counts in event_counts(usage).items()
              if kind in ("open", "pin", "copy", "complete", "abandon")}
    votes: dict[str, Counter[str]] = {}
    for ts, aid_id, vote in usage.rows("SELECT ts, aid_id, vote FROM votes"):
        if aid_id in aid_ids and day_of(ts) <= until:
            votes.setdefault(aid_id, Counter())[vote] += 1
    return summary(sum(r.count for r in records), sum(r.count for r in records if r.is_gap),
                   per_day, kept, events, votes)
