"""One place that opens the index, the usage log and the engine for a Handrail home."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from job_aids import HandrailPaths, LibraryStore
from job_aids.collections import Collection, CollectionKind

from .analysis import forget_caches
from .engine import SearchEngine
from .index import AidIndex
from .usage import UsageLog

if TYPE_CHECKING:
    from .insights import Report
    from .team_insights import TeamInsights


@dataclass
class SearchService:
    store: LibraryStore
    index: AidIndex
    usage: UsageLog
    engine: SearchEngine

    @classmethod
    def open(cls, paths: HandrailPaths, store: LibraryStore, *,
             parallel: bool = True) -> SearchService:
        index = AidIndex(paths.cache / "index", parallel=parallel)
        index.open()
        usage = UsageLog(paths.state / "usage.sqlite3")
        usage.roll_up()  # old raw events into daily counts: the log stays small
        return cls(store, index, usage, SearchEngine(index, usage))

    def close(self) -> None:
        self.index.close()
        self.usage.close()

    # -- insights -------------------------------------------------------------------------
    def report(self, *, since: float = 0.0, collection: str | None = None,
               today: dt.date | None = None) -> Report:
        """The Insights report (search/insights.py) over this library's aids."""
        from .catalogue import read_catalogue
        from .insights import build_report, filled_by_new_aids

        roots = {c.name: str(c.path) for c in self.store.collections.all()}
        entries = read_catalogue(self.index, self.usage.open_counts(), roots)

        def found(query: str) -> list[str]:
            response = self.engine.search(query, limit=3)
            return [] if response.partial else [r.id for r in response.results]

        return build_report(self.usage, entries, since=since, collection=collection,
                            filled=filled_by_new_aids(entries, found), today=today,
                            team=self.read_teams())

    def read_teams(self) -> TeamInsights:
        """Every team collection's shared insights but this machine's own, added up."""
        from .team_insights import TeamInsights, read_team

        team = TeamInsights()
        for collection in self.team_collections():
            team.add(read_team(collection.path, skip_client=self.usage.client_id))
        return team

    def team_collections(self) -> list[Collection]:
        return [c for c in self.store.collections.all()
                if c.kind not in (CollectionKind.OWN, CollectionKind.STARTER)]

    def learn_from_team(self, enabled: bool = True) -> int:
        """Rank by what colleagues found (every team collection's shared insights); returns
        how many query words were learned. ``enabled=False`` switches it off."""
        from .team_insights import read_team

        pairs: dict[str, Counter[str]] = {}
        if enabled:
            for collection in self.team_collections():
                for key, counts in read_team(collection.path).pairs().items():
                    pairs.setdefault(key, Counter()).update(counts)
        self.engine.learn_from_team(pairs)
        return len(pairs)

    def share_with_teams(self, today: dt.date | None = None) -> dict[str, int]:
        """Add this machine's finished days to each team collection that it shares with (the
        user's choice per collection); returns the lines written per collection."""
        from .catalogue import read_catalogue
        from .team_insights import share

        written: dict[str, int] = {}
        sharing = [c for c in self.team_collections()
                   if c.share_insights != "off" and not c.read_only]
        if not sharing:
            return written
        entries = read_catalogue(self.index)
        for collection in sharing:
            ids = {e.id for e in entries if e.collection == collection.name}
            written[collection.name] = share(self.usage, collection.name, collection.path,
                                             collection.share_insights, ids, today=today)
        return written

    def shrink(self) -> None:
        """Drop what searching keeps for the next keystrokes: the user stopped searching."""
        self.engine.forget()
        self.index.forget_caches()
        forget_caches()
