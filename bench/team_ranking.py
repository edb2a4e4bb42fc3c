"""Team-informed ranking on the judged queries: MRR@10 without and with a simulated team log.

    .venv/bin/python -m bench.team_ranking [--corpus PATH] [--seed N]

The simulated team: 20 colleagues over a month. For half of the judged queries (every other
one) some colleagues searched the words and opened a page: the right one 70% of the time,
otherwise one of the other results shown (people open wrong pages too). Each colleague's log
is shared in "words" mode to one team folder, read back like any team's, and the engine learns
from it. The other half was never searched by the team: its MRR must not change (the signal
never hurts what it knows nothing about). Searching the same words the team searched is the
case the feature is for; a gain there is expected, and the size of it is the figure.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from job_aids import HandrailPaths, LibraryStore
from search import AidIndex, SearchEngine
from search.team_insights import read_team, share
from search.usage import Search, UsageLog

from .corpus import require_corpus
from .queries import JUDGED

COLLEAGUES = 20
DAYS = 30


def _rank(engine: SearchEngine, query: str, expected: tuple[str, ...]) -> int | None:
    paths = [r.path for r in engine.search(query, limit=10).results]
    return next((i + 1 for i, p in enumerate(paths) if any(p.endswith("/" + e)
                                                           for e in expected)), None)


def _mrr(ranks: list[int | None]) -> float:
    return sum(1 / r for r in ranks if r) / len(ranks) if ranks else 0.0


def simulate_team(engine: SearchEngine, judged: list[tuple[str, str, tuple[str, ...]]],
                  team: Path, logs: Path, seed: int) -> None:
    """The colleagues' logs (see the module), shared into ``team``."""
    rng = random.Random(seed)
    today = dt.date.today()
    with engine.index.lock:  # the team collection's aids: the whole corpus here
        all_ids = {str(f["id"]) for f in engine.index.searcher().all_stored_fields()}
    for person in range(COLLEAGUES):
        usage = UsageLog(logs / f"colleague-{person}.sqlite3")
        for _kind, query, expected in judged:
            if rng.random() > 0.6:
                continue  # not everyone needs every page
            results = engine.search(query, limit=10).results
            right = [r.id for r in results if any(r.path.endswith("/" + e) for e in expected)]
            if not right:  # the words do not find it: a colleague found it another way
                right = [_id_of(engine, expected[0])]
            for _ in range(rng.randint(1, 3)):
                opened = right[0] if rng.random() < 0.7 or len(results) < 2 else \
                    rng.choice([r.id for r in results])
                when = time.time() - rng.randint(2, DAYS) * 86400
                usage.record_search(Search(query, len(results), opened=opened, action="open"),
                                    when)
        share(usage, "team", team, "words", all_ids, today=today)
        usage.close()


def _id_of(engine: SearchEngine, relpath: str) -> str:
    with engine.index.lock:
        for fields in engine.index.searcher().all_stored_fields():
            if str(fields["path"]).endswith("/" + relpath):
                return str(fields["id"])
    return ""


def team_gain(pages: Path, work: Path, seed: int = 1) -> dict[str, Any]:
    """MRR@10 of the judged queries whose pages are in ``pages``' corpus, without and with
    the simulated team log, for the queries the team searched and those it did not."""
    paths = HandrailPaths.under(work / "home")
    store = LibraryStore(paths)
    store.collections.add(pages, "tldr", read_only=True)
    index = AidIndex(paths.cache / "index", parallel=False)
    index.update(store)
    engine = SearchEngine(index, cache=False)
    root = pages.parent if pages.name == "pages" else pages
    judged = [j for j in JUDGED if any((root / e).exists() for e in j[2])]
    searched = judged[::2]
    unsearched = judged[1::2]
    before = {q: _rank(engine, q, e) for _, q, e in judged}
    team = work / "team"
    simulate_team(engine, searched, team, work / "logs", seed)
    learned = read_team(team)
    engine.learn_from_team(learned.pairs())
    after = {q: _rank(engine, q, e) for _, q, e in judged}
    index.close()

    def figures(rows: list[tuple[str, str, tuple[str, ...]]]) -> dict[str, float]:
        return {"n": len(rows), "mrr_without": round(_mrr([before[q] for _, q, _ in rows]), 3),
                "mrr_with": round(_mrr([after[q] for _, q, _ in rows]), 3)}

    return {"colleagues": COLLEAGUES, "team_files": learned.clients, "seed": seed,
            "searched_by_team": figures(searched), "not_searched": figures(unsearched),
            "all": figures(judged),
            "changed": sorted(q for q in before if before[q] != after[q])}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    corpus = require_corpus(args.corpus)
    work = Path(tempfile.mkdtemp(prefix="handrail-team-"))
    try:
        with tarfile.open(corpus) as archive:
            archive.extractall(work / "corpus", filter="data")
        result = team_gain(work / "corpus" / "tldr-pages" / "pages", work, args.seed)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for name in ("searched_by_team", "not_searched", "all"):
        f = result[name]
        print(f"{name:17} n={f['n']:3}  MRR@10 without {f['mrr_without']:.3f}  "
              f"with the team log {f['mrr_with']:.3f}")
    print(f"queries whose rank changed: {len(result['changed'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
