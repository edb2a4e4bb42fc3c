"""What the usage log says to authors: content gaps, aids that need attention, the most used,
each owner's aids, and searches over time. One :class:`Report` feeds the Insights window, the
CLI and the CSV/HTML exports.

**A gap** is a search that ended without the user opening anything, or that was searched
again in other words before something was opened ("people who searched X opened Y"). It is
not "zero results": a search with twelve results that nobody opened is a gap too. Gaps are
grouped by their words (stemmed, function words dropped); a gap leaves the list when an aid
was written from it, when an aid written since matches its words, or when it is dismissed.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from .catalogue import CatalogueEntry

if TYPE_CHECKING:
    from .team_insights import TeamInsights
from .usage import VOTES, UsageLog, day_of, query_key

NOT_OPENED_DAYS = 90
Filled = Callable[["Gap"], str | None]  # the id of an aid that fills the gap, if one does


@dataclass
class Gap:
    key: str
    query: str                # the words as typed most often
    count: int
    apps: list[str]
    last: float               # when it was last searched (0 for rolled-up days only)
    last_day: str
    found_later: dict[str, int] = field(default_factory=dict)  # aid id -> times

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AidFigures:
    id: str
    title: str
    owner: str = ""
    opens: int = 0
    pins: int = 0
    copies: int = 0
    completions: int = 0
    abandons: int = 0
    review_requests: int = 0
    votes: dict[str, int] = field(default_factory=dict)
    comments: list[str] = field(default_factory=list)
    review_by: str = ""
    last_opened: str = ""

    @property
    def helpful_share(self) -> float | None:
        total = sum(self.votes.values())
        return self.votes.get("helpful", 0) / total if total else None


@dataclass
class Report:
    since: str
    until: str
    searches: int
    gap_searches: int
    gaps: list[Gap]
    review_due: list[AidFigures]
    voted_down: list[AidFigures]
    not_opened: list[AidFigures]
    not_opened_count: int
    most_used: list[AidFigures]
    owners: dict[str, list[AidFigures]]
    per_day: list[tuple[str, int, int]]  # day, searches, gaps
    titles: dict[str, str] = field(default_factory=dict)  # aid id -> title, of aids named

    def to_json(self) -> dict[str, Any]:
        def aid(figures: AidFigures) -> dict[str, Any]:
            return {**asdict(figures), "helpful_share": figures.helpful_share}

        return {
            "since": self.since, "until": self.until, "searches": self.searches,
            "gap_searches": self.gap_searches, "gaps": [g.to_json() for g in self.gaps],
            "review_due": [aid(a) for a in self.review_due],
            "voted_down": [aid(a) for a in self.voted_down],
            "not_opened": [aid(a) for a in self.not_opened],
            "not_opened_count": self.not_opened_count,
            "most_used": [aid(a) for a in self.most_used],
            "owners": {o: [aid(a) for a in aids] for o, aids in self.owners.items()},
            "per_day": [{"day": d, "searches": s, "gaps": g} for d, s, g in self.per_day],
            "titles": self.titles,
        }


# -- the log's records, as one stream -----------------------------------------------------
@dataclass(frozen=True)
class SearchRecord:
    day: str
    ts: float
    query: str
    key: str
    app: str
    opened: str
    found_later: str
    count: int = 1

    @property
    def is_gap(self) -> bool:
        return not self.opened


def search_records(usage: UsageLog, since: float = 0.0) -> list[SearchRecord]:
    """Raw searches and rolled-up days alike."""
    records = [SearchRecord(day_of(ts), ts, query, key, app, opened or "", found or "")
               for ts, query, key, app, _window, _n, opened, _action, _ms, found
               in usage.searches(since)]
    since_day = day_of(since) if since else ""
    for day, kind, key, query, app, aid, count in usage.rows(
            "SELECT day, kind, key, query, app, aid_id, count FROM daily WHERE kind IN "
            "('gap', 'found') AND day >= ?", since_day):
        opened = aid if kind == "found" else ""
        records.append(SearchRecord(day, 0.0, query, key, app, opened,
                                    aid if kind == "gap" else "", count))
    return records


def event_counts(usage: UsageLog, since: float = 0.0) -> dict[str, Counter[str]]:
    """Per kind of event, how often each aid had it."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for kind, aid_id, count in usage.rows(
            "SELECT kind, aid_id, COUNT(*) FROM events WHERE ts >= ? GROUP BY kind, aid_id",
            since):
        counts[kind][aid_id] += int(count)
    since_day = day_of(since) if since else ""
    for kind, aid_id, count in usage.rows(
            "SELECT kind, aid_id, SUM(count) FROM daily WHERE kind NOT IN ('gap', 'found') "
            "AND day >= ? GROUP BY kind, aid_id", since_day):
        counts[kind][aid_id] += int(count)
    return counts


# -- the definitions ------------------------------------------------------------------------
def content_gaps(usage: UsageLog, *, since: float = 0.0, filled: Filled | None = None,
                 records: Iterable[SearchRecord] | None = None) -> list[Gap]:
    """The gaps (see the module), most searched first: dismissed ones and filled ones left
    out."""
    dismissed = {key: ts for key, ts in usage.rows("SELECT key, ts FROM dismissed")}
    created = {detail: ts for detail, ts in usage.rows(
        "SELECT detail, MAX(ts) FROM events WHERE kind = 'create' GROUP BY detail")}
    return gaps_from(records if records is not None else search_records(usage, since),
                     dismissed, created, filled)


def gaps_from(records: Iterable[SearchRecord], dismissed: dict[str, float] | None = None,
              created: dict[str, float] | None = None,
              filled: Filled | None = None) -> list[Gap]:
    dismissed = dismissed or {}
    created = created or {}
    groups: dict[str, list[SearchRecord]] = defaultdict(list)
    for record in records:
        if record.is_gap and record.key:
            groups[record.key].append(record)
    members = _merge_similar(groups)
    gaps = []
    for key, all_found in groups.items():
        # Dismissed: the searches up to then go (of any of the words merged into it).
        cut = max((dismissed.get(k, float("-inf")) for k in members[key]), default=float("-inf"))
        found = [r for r in all_found if (r.ts or _day_end(r.day)) > cut]
        if not found:
            continue
        words: Counter[str] = Counter()
        apps: Counter[str] = Counter()
        later: Counter[str] = Counter()
        for record in found:
            words[record.query] += record.count
            if record.app:
                apps[record.app] += record.count
            if record.found_later:
                later[record.found_later] += record.count
        last = max(r.ts for r in found)
        last_day = max(r.day for r in found)
        written = max((created.get(k, float("-inf")) for k in members[key]),
                      default=float("-inf"))
        if written >= (last or _day_end(last_day) - 86400):
            continue  # an aid was written from it
        query = words.most_common(1)[0][0]
        gap = Gap(key=query_key(query), query=query, count=sum(words.values()),
                  apps=[a for a, _ in apps.most_common()], last=last, last_day=last_day,
                  found_later=dict(later.most_common()))
        if filled is not None and filled(gap):
            continue
        gaps.append(gap)
    gaps.sort(key=lambda g: (-g.count, -g.last, g.query))
    return gaps


MERGE_LIMIT = 2000  # gaps looked at for similar words (the most searched first)


def _merge_similar(groups: dict[str, list[SearchRecord]]) -> dict[str, set[str]]:
    """"vpn token" goes with "reset vpn token": a gap whose words are all in another's joins
    the most searched such gap (the words shown are those typed most often). Returns each
    remaining group's keys."""
    members = {key: {key} for key in groups}
    keys = sorted(groups, key=lambda k: -sum(r.count for r in groups[k]))[:MERGE_LIMIT]
    words = {key: set(key.split()) for key in keys}
    for key in sorted(keys, key=lambda k: len(words[k])):
        if key not in groups:
            continue
        wider = [other for other in keys if other != key and other in groups
                 and words[key] < words[other]]
        if wider:
            into = max(wider, key=lambda k: sum(r.count for r in groups[k]))
            groups[into] += groups.pop(key)
            members[into] |= members.pop(key)
    return members


def _day_end(day: str) -> float:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time.max).timestamp()


def filled_by_new_aids(entries: Iterable[CatalogueEntry],
                       search: Callable[[str], list[str]]) -> Filled:
    """A gap is filled by an aid written (or updated) after its last search that a search
    for its words finds among the first three (``search`` gives result ids, best first)."""
    created = {e.id: e.created or e.updated for e in entries}

    def filled(gap: Gap) -> str | None:
        for aid_id in search(gap.query)[:3]:
            when = created.get(aid_id, "")
            if when and when >= gap.last_day:
                return aid_id
        return None

    return filled


# -- the report ------------------------------------------------------------------------------
def build_report(usage: UsageLog, entries: list[CatalogueEntry], *, since: float = 0.0,
                 collection: str | None = None, filled: Filled | None = None,
                 today: dt.date | None = None, limit: int = 50,
                 team: TeamInsights | None = None) -> Report:
    """The report of this machine's log, and of the team's shared files where given (other
    machines' days: their searches, gaps, opens, finished checklists and votes)."""
    today = today or dt.date.today()
    if collection:
        entries = [e for e in entries if e.collection == collection]
    by_id = {e.id: e for e in entries}
    records = search_records(usage, since)
    events = event_counts(usage, since)
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    comments: dict[str, list[str]] = defaultdict(list)
    for aid_id, vote, comment in usage.rows(
            "SELECT aid_id, vote, comment FROM votes WHERE ts >= ? ORDER BY ts DESC", since):
        votes[aid_id][vote] += 1
        if comment:
            comments[aid_id].append(f"{vote}: {comment}")
    local = list(records)
    extra_days: dict[str, list[int]] = {}
    if team is not None:
        since_day = day_of(since) if since else ""
        records += [r for r in team.records if r.day >= since_day]
        for kind, counts in team.events.items():
            events[kind].update(counts)
        for aid_id, counts in team.votes.items():
            votes[aid_id].update(counts)
        for aid_id, texts in team.comments.items():
            comments[aid_id] += texts
        # Days as counted by each machine (those sharing counts only send no words).
        extra_days = {d: v for d, v in team.per_day.items() if d >= since_day}
    last_opened = {aid_id: day_of(ts) for aid_id, ts in usage.rows(
        "SELECT aid_id, MAX(ts) FROM events WHERE kind = 'open' GROUP BY aid_id")}
    for aid_id, day in usage.rows("SELECT aid_id, MAX(day) FROM daily WHERE kind = 'open' "
                                  "GROUP BY aid_id"):
        last_opened[aid_id] = max(last_opened.get(aid_id, ""), day)

    def figures(entry: CatalogueEntry) -> AidFigures:
        return AidFigures(
            id=entry.id, title=entry.title, owner=entry.owner,
            opens=events["open"][entry.id], pins=events["pin"][entry.id],
            copies=events["copy"][entry.id], completions=events["complete"][entry.id],
            abandons=events["abandon"][entry.id],
            review_requests=events["review-request"][entry.id],
            votes={v: votes[entry.id][v] for v in VOTES if votes[entry.id][v]},
            comments=comments[entry.id][:10], review_by=entry.review_by,
            last_opened=last_opened.get(entry.id, ""))

    all_figures = [figures(e) for e in entries]
    today_iso = today.isoformat()
    cutoff = (today - dt.timedelta(days=NOT_OPENED_DAYS)).isoformat()
    review_due = [f for f in all_figures if f.review_by and f.review_by < today_iso]
    voted_down = [f for f in all_figures if f.votes.get("outdated") or f.votes.get("unhelpful")
                  or f.review_requests]
    voted_down.sort(key=lambda f: -(f.votes.get("outdated", 0) + f.votes.get("unhelpful", 0)
                                    + f.review_requests))
    not_opened = [f for f in all_figures if (f.last_opened or "") < cutoff
                  and (by_id[f.id].created or by_id[f.id].updated or "") < cutoff]
    most_used = sorted((f for f in all_figures if f.opens or f.completions),
                       key=lambda f: (-f.opens, -f.completions, f.title))
    owners: dict[str, list[AidFigures]] = defaultdict(list)
    for f in all_figures:
        if f.owner:
            owners[f.owner].append(f)
    per_day_counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for record in local:
        per_day_counts[record.day][0] += record.count
        if record.is_gap:
            per_day_counts[record.day][1] += record.count
    for day, (day_searches, day_gaps) in extra_days.items():
        per_day_counts[day][0] += day_searches
        per_day_counts[day][1] += day_gaps
    gaps = content_gaps(usage, since=since, filled=filled, records=records)
    days = sorted(per_day_counts)
    return Report(
        since=days[0] if days else (day_of(since) if since else ""),
        until=days[-1] if days else "",
        searches=sum(v[0] for v in per_day_counts.values()),
        gap_searches=sum(v[1] for v in per_day_counts.values()),
        gaps=gaps[:limit], review_due=sorted(review_due, key=lambda f: f.review_by)[:limit],
        voted_down=voted_down[:limit], not_opened=not_opened[:limit],
        not_opened_count=len(not_opened), most_used=most_used[:limit],
        owners={o: sorted(a, key=lambda f: f.title.casefold()) for o, a in sorted(owners.items())},
        per_day=[(d, per_day_counts[d][0], per_day_counts[d][1]) for d in days],
        titles={a: by_id[a].title for g in gaps[:limit] for a in g.found_later if a in by_id})


def since_timestamp(date_text: str | None) -> float:
    """``--since 2026-11-01`` as a timestamp (midnight, local time); none: everything."""
    if not date_text:
        return 0.0
    return time.mktime(dt.date.fromisoformat(date_text).timetuple())


def learned_pairs(records: Iterable[SearchRecord]) -> dict[str, Counter[str]]:
    """For each query's words, the aids people opened after searching them (directly, or
    after searching again in other words)."""
    pairs: dict[str, Counter[str]] = defaultdict(Counter)
    for record in records:
        aid = record.opened or record.found_later
        if aid and record.key:
            pairs[record.key][aid] += record.count
    return pairs


__all__ = ["Gap", "Report", "build_report", "content_gaps", "filled_by_new_aids",
           "learned_pairs", "query_key", "search_records", "since_timestamp"]
