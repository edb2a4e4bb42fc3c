"""The usage log and what it tells authors and teams (search/usage.py, insights.py,
team_insights.py), on real SQLite files, real indexes and real shared folders."""

from __future__ import annotations

import datetime as dt
import json
import random
import sqlite3
import time
from pathlib import Path

import pytest

from job_aids import HandrailPaths, LibraryStore
from search import AidIndex, SearchEngine, SearchService
from search.insights import build_report, content_gaps, filled_by_new_aids
from search.report_export import to_csv, to_html
from search.team_insights import log_summary, read_team, share, team_summary
from search.usage import Search, SearchSession, UsageLog, query_key

DAY = 86400.0
NOW = time.mktime(dt.date(2026, 11, 30).timetuple()) + 12 * 3600


def gap_queries(usage: UsageLog, **kwargs: object) -> list[str]:
    return [g.query for g in content_gaps(usage, **kwargs)]  # type: ignore[arg-type]


def test_a_gap_is_a_search_nothing_was_opened_from_even_with_results(tmp_path: Path) -> None:
    usage = UsageLog(tmp_path / "usage.sqlite3")
    # Twelve results, none opened: a gap ("goods receipt" matched "good" somewhere).
    usage.record_search(Search("goods receipt", 12, app="SAPLogon"), NOW)
    # Opened: not a gap.
    usage.record_search(Search("post invoice", 5, opened="inv", action="open"), NOW)
    # Searched, then searched again in other words and found: the first is a gap that says
    # what people opened in the end.
    session = SearchSession("SAPLogon", "Invoice 4711 - SAP Easy Access", now=0.0)
    session.answered("rel", 3, now=0.1)
    session.answered("release blocked payment", 4, now=0.5)  # typed on from "rel": one search
    session.answered("unblock invoice", 2, now=5.0)          # stood 4.5 s: its own search
    for search in session.finish("unblock-aid", "open", now=7.0):
        usage.record_search(search, NOW)
    gaps = content_gaps(usage)
    assert [g.query for g in gaps] == ["goods receipt", "release blocked payment"]
    assert gaps[1].found_later == {"unblock-aid": 1}
    assert gaps[0].apps == ["SAPLogon"]
    searches = [row[1] for row in usage.searches()]
    assert searches == ["goods receipt", "post invoice", "release blocked payment",
                        "unblock invoice"]
    assert [row[1] for row in usage.searches() if row[6]] == ["post invoice",
                                                               "unblock invoice"]
    last = list(usage.searches())[-1]
    assert last[6] == "unblock-aid" and last[7] == "open" and last[8] == 7000


def test_a_session_that_ends_on_nothing_is_one_gap_per_search(tmp_path: Path) -> None:
    session = SearchSession("XTerm", now=0.0)
    session.answered("v", 30, now=0.0)
    session.answered("vendor", 9, now=0.3)
    session.answered("vendor master", 0, now=0.6)
    session.answered("vendor master data", 0, now=1.0)
    session.answered("supplier record", 0, now=4.0)
    searches = session.finish(now=9.0)
    assert [(s.query, s.opened, s.found_later) for s in searches] == [
        ("vendor master data", None, None), ("supplier record", None, None)]
    assert session.finish() == []  # once


def test_a_filled_gap_leaves_the_list(paths: HandrailPaths, store: LibraryStore) -> None:
    paths.own_library.mkdir(parents=True, exist_ok=True)
    service = SearchService.open(paths, store, parallel=False)
    try:
        old = time.time() - 3 * DAY
        service.usage.record_search(Search("vendor master", 0), old)
        service.usage.record_search(Search("unjam the franking machine", 0), old)
        service.usage.record_search(Search("book a return", 0), old)
        service.index.update(store)
        assert {g.query for g in service.report().gaps} == {
            "vendor master", "unjam the franking machine", "book a return"}
        # Written since, and found by the gap's words: filled.
        today = dt.date.today().isoformat()
        (paths.own_library / "vendor.md").write_text(
            f"---\ntitle: Create a vendor master record\ncreated: {today}\n---\n1. Open XK01\n")
        # Written from the gap in the popup ("Create an aid for ..."): filled.
        service.usage.record_event("create", "some-id",
                                   query_key("unjam the franking machine"))
        service.index.update(store)
        assert [g.query for g in service.report().gaps] == ["book a return"]
    finally:
        service.close()


def test_an_old_aid_that_matches_does_not_fill_a_newer_gap(tmp_path: Path) -> None:
    from search.catalogue import entry_from_fields

    usage = UsageLog(tmp_path / "usage.sqlite3")
    usage.record_search(Search("vendor master", 3), NOW)
    entries = [entry_from_fields({"id": "v", "title": "Vendor master", "path": "/v.md",
                                  "collection": "mine", "kind": "reference",
                                  "created": "2020-01-01", "updated": "2020-01-01"})]
    filled = filled_by_new_aids(entries, lambda query: ["v"])
    assert gap_queries(usage, filled=filled) == ["vendor master"]


def test_dismiss_hides_the_gap_until_it_is_searched_again(tmp_path: Path) -> None:
    usage = UsageLog(tmp_path / "usage.sqlite3")
    usage.record_search(Search("reset my vpn token", 0), NOW - 60)
    usage.record_search(Search("vpn token", 0), NOW - 50)
    usage.record_search(Search("printer toner", 0), NOW - 40)
    # "vpn token" went with "reset my vpn token"; the newest first among equal counts.
    merged, toner = content_gaps(usage)
    assert (merged.count, toner.query, toner.count) == (2, "printer toner", 1)
    assert merged.query in ("reset my vpn token", "vpn token")
    usage.dismiss_gap("vpn token", when=NOW)
    assert gap_queries(usage) == ["printer toner"]
    usage.record_search(Search("vpn token", 0), NOW + 10)
    assert [(g.query, g.count) for g in content_gaps(usage)] == [
        ("vpn token", 1), ("printer toner", 1)]


def test_old_events_roll_up_into_daily_counts_and_the_report_stays_the_same(
        tmp_path: Path) -> None:
    usage = UsageLog(tmp_path / "usage.sqlite3")
    for day in range(120):
        ts = NOW - day * DAY
        usage.record_search(Search("goods receipt", 4, app="SAPLogon"), ts)
        usage.record_search(Search("post invoice", 5, opened="inv", action="open"), ts)
        usage.record_event("open", "inv", when=ts)
        usage.record_event("complete", "close", when=ts)
    before = build_report(usage, [], today=dt.date(2026, 11, 30)).to_json()
    gone = usage.roll_up(now=NOW)
    assert gone == 29 * 4  # days 91 to 119: two searches and two events each
    assert usage.summary()["searches"] < 200 and usage.summary()["daily"] > 0
    after = build_report(usage, [], today=dt.date(2026, 11, 30)).to_json()
    assert after["searches"] == before["searches"] == 240
    assert after["gap_searches"] == before["gap_searches"] == 120
    assert after["per_day"] == before["per_day"]
    assert [(g["query"], g["count"]) for g in after["gaps"]] == [("goods receipt", 120)]
    assert usage.roll_up(now=NOW) == 0  # nothing more to fold


def test_clear_forgets_everything_recorded_but_the_marks(tmp_path: Path) -> None:
    file = tmp_path / "usage.sqlite3"
    usage = UsageLog(file)
    usage.record_search(Search("vendor master", 0), NOW)
    usage.record_open("a")
    usage.vote("a", "outdated", "the menu moved")
    usage.mark_for_app("a", "SAPLogon")
    usage.clear()
    assert usage.summary() == {"searches": 0, "events": 0, "votes": 0, "daily": 0, "opens": 0,
                               "marks": 1}
    assert usage.habit("a") == 0 and content_gaps(usage) == []
    # Nothing of it is left in the file either (VACUUM): the words are gone from the bytes.
    usage.close()
    assert b"vendor master" not in file.read_bytes()
    assert b"the menu moved" not in file.read_bytes()


def test_the_old_json_log_is_brought_over_and_kept(tmp_path: Path) -> None:
    old = tmp_path / "usage.json"
    old.write_text(json.dumps({"version": 1, "opens": {"a": [3, NOW]},
                               "gaps": {"vendor master": {"query": "vendor master", "count": 2,
                                                          "apps": ["SAPLogon"], "last": NOW}},
                               "marks": {"saplogon": ["a"]}}))
    usage = UsageLog(tmp_path / "usage.sqlite3")
    assert usage.open_counts() == {"a": 3} and usage.marked_for("SAPLogon") == ["a"]
    assert [(g.query, g.count) for g in content_gaps(usage)] == [("vendor master", 2)]
    assert (tmp_path / "usage.json.imported").exists() and not old.exists()


def test_a_damaged_log_costs_the_counts_not_the_search(tmp_path: Path) -> None:
    file = tmp_path / "usage.sqlite3"
    file.write_bytes(b"not a database at all" * 100)
    usage = UsageLog(file)
    usage.record_search(Search("vendor master", 0))
    usage.record_open("a")
    assert content_gaps(usage) == [] and usage.open_counts() == {"a": 1}
    assert file.read_bytes().startswith(b"not a database")  # the user's file is left as it was


def test_a_log_from_a_newer_handrail_is_not_written(tmp_path: Path) -> None:
    file = tmp_path / "usage.sqlite3"
    UsageLog(file).close()
    with sqlite3.connect(file) as db:
        db.execute("UPDATE meta SET value = '99' WHERE key = 'schema'")
    usage = UsageLog(file)
    usage.record_search(Search("vendor master", 0))
    with sqlite3.connect(file) as db:
        assert db.execute("SELECT COUNT(*) FROM searches").fetchone()[0] == 0


def test_votes_and_the_report_exports(tmp_path: Path) -> None:
    from search.catalogue import entry_from_fields

    usage = UsageLog(tmp_path / "usage.sqlite3")
    usage.vote("inv", "helpful", when=NOW)
    usage.vote("inv", "outdated", "MIRO has a new screen", when=NOW)
    with pytest.raises(ValueError, match="helpful, unhelpful, outdated"):
        usage.vote("inv", "meh")
    usage.record_search(Search('=HYPERLINK("http://evil")', 0), NOW)
    usage.record_search(Search("<script>alert(1)</script>", 0), NOW)
    entries = [entry_from_fields({"id": "inv", "title": "Post a vendor invoice", "path": "/i.md",
                                  "collection": "mine", "kind": "procedure",
                                  "owner": "ap@example.com", "review_by": "2026-01-01"})]
    report = build_report(usage, entries, today=dt.date(2026, 11, 30))
    assert [a.title for a in report.review_due] == ["Post a vendor invoice"]
    assert report.voted_down[0].comments == ["outdated: MIRO has a new screen"]
    assert report.voted_down[0].helpful_share == 0.5
    assert list(report.owners) == ["ap@example.com"]
    text = to_csv(report)
    assert "'=HYPERLINK" in text and ',=HYPERLINK' not in text  # no formula in a spreadsheet
    page = to_html(report)
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<svg" in page and "http" not in page.replace("http://evil", "")


# -- the team loop -------------------------------------------------------------------------
TEAM_AIDS = {"inv", "close", "unjam"}


def _client_log(folder: Path, seed: int, combined: UsageLog | None) -> UsageLog:
    """A month of one colleague's use, written to their own log (and to ``combined``)."""
    usage = UsageLog(folder / f"client{seed}.sqlite3")
    rng = random.Random(seed)
    for _ in range(60):
        ts = NOW - rng.randrange(1, 30) * DAY - rng.randrange(0, 3600)
        kind = rng.choice(["gap", "found", "later", "open", "complete", "vote"])
        aid = rng.choice(sorted(TEAM_AIDS) + ["private-aid"])
        words = rng.choice(["goods receipt", "vpn token"])
        vote = rng.choice(["helpful", "outdated"])
        for log in filter(None, (usage, combined)):
            if kind == "gap":
                log.record_search(Search(words, 3, app="SAPLogon", window="Payroll 2026"), ts)
            elif kind == "found":
                log.record_search(Search("post invoice", 5, opened=aid, action="open"), ts)
            elif kind == "later":
                log.record_search(Search("blocked payment", 2, found_later=aid), ts)
            elif kind == "vote":
                log.vote(aid, vote, "secret comment", when=ts)
            else:
                log.record_event(kind, aid, when=ts)
    return usage


def test_three_clients_files_add_up_to_the_report_of_one_combined_log(tmp_path: Path) -> None:
    team = tmp_path / "team"
    combined = UsageLog(tmp_path / "combined.sqlite3")
    today = dt.date(2026, 11, 30)
    for seed in (1, 2, 3):
        usage = _client_log(tmp_path, seed, combined)
        assert share(usage, "team", team, "words", TEAM_AIDS, today=today) > 0
        assert share(usage, "team", team, "words", TEAM_AIDS, today=today) == 0  # once a day
    files = sorted((team / ".handrail" / "insights").glob("*.jsonl"))
    assert len(files) == 3  # one file per machine: sync never merges
    read = read_team(team)
    assert read.clients == 3 and read.problems == []
    expected = log_summary(combined, TEAM_AIDS, (today - dt.timedelta(days=1)).isoformat())
    assert team_summary(read) == expected
    assert expected["searches"] > 0 and expected["gaps"] and expected["pairs"]


def test_nothing_is_shared_without_the_opt_in_and_counts_only_carries_no_words(
        tmp_path: Path) -> None:
    team = tmp_path / "team"
    team.mkdir()
    usage = _client_log(tmp_path, 7, None)
    assert share(usage, "team", team, "off", TEAM_AIDS) == 0
    assert not (team / ".handrail").exists()
    assert share(usage, "team", team, "counts", TEAM_AIDS) > 0
    shared = b"".join(p.read_bytes() for p in team.rglob("*") if p.is_file())
    for secret in (b"goods", b"receipt", b"vpn", b"token", b"invoice", b"blocked", b"payment",
                   b"SAPLogon", b"Payroll", b"secret comment", b"private-aid"):
        assert secret not in shared, secret
    read = read_team(team)
    assert read.searches > 0 and read.records == [] and read.pairs() == {}


def test_the_service_shares_only_with_collections_that_opted_in(
        paths: HandrailPaths, store: LibraryStore, tmp_path: Path) -> None:
    team = tmp_path / "team-folder"
    team.mkdir()
    (team / "inv.md").write_text("---\nid: inv\ntitle: Post a vendor invoice\n---\n1. MIRO\n")
    store.collections.add(team, "team")
    service = SearchService.open(paths, store, parallel=False)
    try:
        service.index.update(store)
        service.usage.record_search(Search("post invoice", 4, opened="inv", action="open"),
                                    time.time() - 2 * DAY)
        assert service.share_with_teams() == {}
        assert not (team / ".handrail").exists()
        store.collections.set_sharing("team", "words")
        assert service.share_with_teams() == {"team": 2}
        lines = [json.loads(line) for line in next(
            (team / ".handrail" / "insights").glob("*.jsonl")).read_text().splitlines()]
        assert {line["kind"] for line in lines} == {"searches", "found"}
        # A colleague's machine shares too: the report adds their days to this machine's,
        # and this machine's own file is not counted twice.
        colleague = UsageLog(tmp_path / "colleague.sqlite3")
        colleague.record_search(Search("vendor master", 3), time.time() - 3 * DAY)
        colleague.vote("inv", "outdated", "MIRO changed", when=time.time() - 3 * DAY)
        assert share(colleague, "team", team, "words", {"inv"}) > 0
        report = service.report()
        assert (report.searches, report.gap_searches) == (2, 1)
        assert [g.query for g in report.gaps] == ["vendor master"]
        assert [(a.id, a.votes) for a in report.voted_down] == [("inv", {"outdated": 1})]
        assert report.voted_down[0].comments == []  # comments are never shared
        # The team's aid does not go into the search index as an aid.
        service.index.update(store)
        assert service.index.doc_count == len(list(store.iter_files()))
    finally:
        service.close()


def test_damaged_or_hostile_team_files_are_skipped_and_named(tmp_path: Path) -> None:
    folder = tmp_path / ".handrail" / "insights"
    folder.mkdir(parents=True)
    (folder / "0123456789abcdef.jsonl").write_text(
        '{"v": 1, "day": "2026-11-01", "kind": "open", "aid": "a", "count": 2}\n'
        "not json\n"
        '{"v": 1, "day": "someday", "kind": "open", "aid": "a"}\n'
        '{"v": 1, "day": "2026-11-01", "kind": "open", "aid": "a", "count": -5}\n')
    (folder / "..evil.jsonl").write_text('{"kind": "open"}\n')
    read = read_team(tmp_path)
    assert read.events == {"open": {"a": 2}}
    assert len(read.problems) == 3 and read.clients == 1


def test_team_finds_lift_what_colleagues_opened_but_never_hide_a_clear_match(
        paths: HandrailPaths, store: LibraryStore) -> None:
    own = paths.own_library
    own.mkdir(parents=True, exist_ok=True)
    aids = {"miro": "Post a vendor invoice in MIRO", "park": "Park an invoice",
            "fb60": "Enter an invoice without a purchase order",
            "vendor": "Vendor master record"}
    for aid_id, title in aids.items():
        (own / f"{aid_id}.md").write_text(f"---\nid: {aid_id}\ntitle: {title}\n---\n1. Do it\n")
    index = AidIndex(paths.cache / "index", parallel=False)
    index.update(store)
    engine = SearchEngine(index)

    def ids(text: str) -> list[str]:
        return [r.id for r in engine.search(text).results]

    plain = ids("invoice")
    assert {"miro", "park", "fb60"} <= set(plain)
    # Colleagues who searched "supplier bill" opened the MIRO aid: no word of it matches.
    assert ids("supplier bill") == []
    engine.learn_from_team({query_key("supplier bill"): {"miro": 6, "park": 1},
                            query_key("invoice"): {"park": 9}})
    assert ids("supplier bill") == ["miro"]  # lifted; "park" is below the minimum share
    reordered = ids("invoice")
    assert reordered[0] == "park" and set(reordered) == set(plain)
    # A clear match stays first: "vendor master record" is the whole title of one aid.
    engine.learn_from_team({query_key("vendor master record"): {"miro": 10}})
    assert ids("vendor master record")[0] == "vendor"
    engine.learn_from_team({})  # switched off
    assert ids("invoice") == plain and ids("supplier bill") == []
    index.close()


@pytest.mark.slow
def test_a_simulated_team_log_raises_mrr_on_the_judged_queries_and_never_lowers_the_rest(
        tldr_root: Path, tmp_path: Path) -> None:
    import subprocess
    import sys

    # In a process of its own: indexing 7k pages here would leave this process's word caches
    # (the did-you-mean surfaces) as that corpus made them, for the tests after it.
    script = ("import json, sys; from pathlib import Path; from bench.team_ranking import "
              "team_gain; print(json.dumps(team_gain(Path(sys.argv[1]), Path(sys.argv[2]), 1)))")
    done = subprocess.run([sys.executable, "-c", script, str(tldr_root / "pages"),
                           str(tmp_path)], capture_output=True, text=True, timeout=600,
                          cwd=Path(__file__).resolve().parents[1])
    assert done.returncode == 0, done.stderr[-2000:]
    result = json.loads(done.stdout.splitlines()[-1])
    searched, rest = result["searched_by_team"], result["not_searched"]
    assert searched["n"] >= 4 and result["team_files"] == 20
    if searched["mrr_without"] < 1.0:  # the whole corpus (the sample in tests/data is easy)
        assert searched["mrr_with"] > searched["mrr_without"]
    assert searched["mrr_with"] >= searched["mrr_without"]
    assert rest["mrr_with"] == rest["mrr_without"]
