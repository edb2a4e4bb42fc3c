from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_cli

import search.index as index_module
from job_aids import LibraryStore, parse_text
from search import AidIndex, Context, IndexBusyError, LibraryWatcher, SearchEngine, UsageLog
from search.index import META_FILE
from search.parallel_build import ParallelWriter

AIDS = {
    "toner.md": "---\ntitle: Replace the toner cartridge\nkind: procedure\ntags: [printer, toner]\n"
                "apps: [soffice]\n---\n# Replace the toner cartridge\n\n1. Open the front cover.\n"
                "2. Installing the new cartridge: slide it in until it clicks.\n",
    "jam.md": "---\ntitle: Printer is jammed\nkind: troubleshooting\ntags: [printer, jam]\n---\n"
              "# Printer is jammed\n\nPull tray 2 out and remove the crumpled paper.\n",
    "cafe.md": "---\ntitle: Order at the café\nkind: reference\ntags: [food]\n---\n"
               "Ask for the menu of the day.\n",
    "tar.md": "# tar\n\n> Archiving utility.\n\n- E[x]tract an archive:\n\n`tar xf {{file.tar}}`\n",
    "zh.md": "# 打印机卡纸\n\n> 如何清除打印机卡纸。\n",
    "ru.md": "# Принтер\n\n> Как заменить картридж в принтере.\n",
    "refund.md": "---\ntitle: Refund or replace\nkind: decision\ntags: [returns]\n"
                 "apps: [{app: sap, title: '*Invoice*'}]\nreview_by: 2001-01-01\n---\n"
                 "Decide between a refund and a replacement for a faulty item.\n",
    "refund2.md": "---\ntitle: Refund rules\nkind: reference\ntags: [returns]\n---\n"
                  "Refund to the original payment method within 30 days.\n",
}


@pytest.fixture
def library(store: LibraryStore) -> LibraryStore:
    store.collections.remove("starter")
    for name, text in AIDS.items():
        (store.paths.own_library / name).write_text(text, encoding="utf-8")
    return store


@pytest.fixture
def index(library: LibraryStore) -> AidIndex:
    index = AidIndex(library.paths.cache / "index")
    index.update(library)
    yield index
    index.close()


@pytest.fixture
def engine(index: AidIndex, library: LibraryStore) -> SearchEngine:
    return SearchEngine(index, UsageLog(library.paths.state / "usage.sqlite3"),
                        today=dt.date(2026, 11, 29))


def titles(engine: SearchEngine, query: str, **kwargs: object) -> list[str]:
    return [r.title for r in engine.search(query, **kwargs).results]  # type: ignore[arg-type]


def test_stemming_accents_and_mnemonics(engine: SearchEngine) -> None:
    assert titles(engine, "install cartridge ")[0] == "Replace the toner cartridge"
    assert titles(engine, "cafe ") == ["Order at the café"]
    assert titles(engine, "extract ") == ["tar"]  # "E[x]tract" in the page
    assert engine.search("extract ").results[0].snippet == "<mark>Extract</mark> an archive:"


def test_non_latin_scripts(engine: SearchEngine) -> None:
    assert titles(engine, "卡纸") == ["打印机卡纸"]
    assert titles(engine, "打印机") == ["打印机卡纸"]
    assert titles(engine, "картридж ") == ["Принтер"]


def test_as_you_type_the_last_word_is_a_prefix(engine: SearchEngine) -> None:
    assert titles(engine, "jamm")[0] == "Printer is jammed"
    assert titles(engine, "print")[:2] == ["Printer is jammed", "Replace the toner cartridge"] \
        or set(titles(engine, "print")[:2]) == {"Printer is jammed", "Replace the toner cartridge"}
    assert titles(engine, "t")  # a single letter already answers
    assert titles(engine, "tone")[0] == "Replace the toner cartridge"


def test_a_short_word_typed_alone_is_found_in_the_text_not_only_in_titles(
        engine: SearchEngine) -> None:
    """A few letters alone complete against titles (fast first keystrokes), but a short word
    that is finished is in the text: "pull" and "menu" were found only with a space after."""
    assert titles(engine, "pull") == ["Printer is jammed"]
    assert titles(engine, "menu") == ["Order at the café"]
    assert titles(engine, "days") == ["Refund rules"]
    assert "Printer is jammed" in titles(engine, "prin")  # titles still complete


def test_all_words_must_match_else_best_partial_matches(engine: SearchEngine) -> None:
    both = engine.search("printer tray ")
    assert [r.title for r in both.results] == ["Printer is jammed"] and not both.partial
    partial = engine.search("printer banana ")
    assert partial.partial and "Printer is jammed" in [r.title for r in partial.results]


def test_typos_are_forgiven_with_did_you_mean(engine: SearchEngine) -> None:
    swapped = engine.search("extarct")  # two letters swapped: one typo
    assert [r.title for r in swapped.results] == ["tar"]
    assert swapped.did_you_mean == "extract" and swapped.corrected
    assert swapped.results[0].snippet == "<mark>Extract</mark> an archive:"  # what was meant
    dropped = engine.search("cartrige ")
    assert dropped.results[0].title == "Replace the toner cartridge"
    assert dropped.did_you_mean == "cartridge"
    assert engine.search("xqzv ").results == []


def test_filters_and_phrases(engine: SearchEngine) -> None:
    assert titles(engine, "tag:jam") == ["Printer is jammed"]
    assert titles(engine, "printer kind:procedure") == ["Replace the toner cartridge"]
    assert titles(engine, "app:sap") == ["Refund or replace"]
    assert set(titles(engine, "in:mine printer")) == {"Printer is jammed",
                                                      "Replace the toner cartridge"}
    assert titles(engine, "in:elsewhere printer") == []
    assert titles(engine, '"original payment method"') == ["Refund rules"]
    assert titles(engine, '"payment original method"') == []


def test_results_carry_what_the_popup_needs(engine: SearchEngine, library: LibraryStore) -> None:
    result = engine.search("crumpled").results[0]
    assert result.title == "Printer is jammed" and result.kind == "troubleshooting"
    assert result.collection == "mine" and Path(result.path).is_absolute()
    assert Path(result.path) == library.paths.own_library / "jam.md"
    assert result.id and result.score > 0
    assert "<mark>crumpled</mark>" in result.snippet


def test_context_reorders_close_results_but_not_a_clearly_better_match(
        engine: SearchEngine) -> None:
    plain = titles(engine, "refund ")
    assert set(plain) == {"Refund or replace", "Refund rules"}
    # Its entry is {app: sap, title: '*Invoice*'}: both must match.
    in_sap = engine.search("refund ", context=Context(app="sap", window_title="Invoice 4711"))
    assert in_sap.results[0].title == "Refund or replace" and in_sap.results[0].context_match
    other_sap = engine.search("refund ", context=Context(app="sap", window_title="Vendors"))
    assert not any(r.context_match for r in other_sap.results)
    by_title = engine.search("refund ", context=Context(window_title="Invoice 4711 - Editor"))
    assert not any(r.context_match for r in by_title.results)
    # The context aid is about refunds, not toner: context never lifts it over a real match.
    assert titles(engine, "toner ", context=Context(app="sap"))[0] == \
        "Replace the toner cartridge"
    empty = engine.search("", context=Context(app="soffice"))
    assert [r.title for r in empty.results] == ["Replace the toner cartridge"]


def test_stale_aids_are_marked_and_ranked_down(engine: SearchEngine) -> None:
    results = engine.search("refund ").results
    stale = {r.title: r.stale for r in results}
    assert stale == {"Refund or replace": True, "Refund rules": False}


def test_opening_an_aid_often_lifts_it_among_close_results(
        index: AidIndex, library: LibraryStore, engine: SearchEngine) -> None:
    for name in ("web", "app"):
        (library.paths.own_library / f"reset-{name}.md").write_text(
            f"# Reset a password ({name})\n\nUse the reset link.\n")
    index.update(library)
    before = titles(engine, "reset password ")
    assert len(before) == 2
    assert engine.usage is not None
    second = engine.search("reset password ").results[1]
    for _ in range(10):
        engine.usage.record_open(second.id)
    assert titles(engine, "reset password ") == before[::-1]
    # ...but habit does not lift an aid over a clearly better text match
    assert titles(engine, "password web ")[0] == "Reset a password (web)"


def test_external_edits_become_searchable(index: AidIndex, library: LibraryStore,
                                          engine: SearchEngine) -> None:
    own = library.paths.own_library
    (own / "new.md").write_text("# Reset the router\n\nHold the button for ten seconds.\n")
    (own / "jam.md").write_text("# Printer is jammed\n\nCall facilities.\n")
    (own / "cafe.md").unlink()
    stats = index.update(library)
    assert (stats.added, stats.updated, stats.removed) == (1, 1, 1)
    assert titles(engine, "router") == ["Reset the router"]
    assert titles(engine, "crumpled ") == []
    assert titles(engine, "cafe ") == []
    assert index.update(library).changed == 0  # nothing to do the second time


def test_the_watcher_keeps_the_index_current(index: AidIndex, library: LibraryStore,
                                             engine: SearchEngine) -> None:
    watcher = LibraryWatcher(library, index)
    watcher.start()
    try:
        time.sleep(0.3)
        (library.paths.own_library / "vpn.md").write_text("# Connect to the VPN\n\nOpen it.\n")
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not titles(engine, "vpn "):
            time.sleep(0.05)
        assert titles(engine, "vpn ") == ["Connect to the VPN"]
        aid = library.create_aid(parse_text("---\ntitle: Badge reader offline\n---\nbeep\n"))
        assert aid.source is not None
        while time.monotonic() < deadline and not titles(engine, "badge "):
            time.sleep(0.05)
        assert titles(engine, "badge ") == ["Badge reader offline"]
    finally:
        watcher.stop()


def _bulk_library(library: LibraryStore, count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """``count`` more aids, and thresholds low enough that adding them is a "big" build."""
    for number in range(count):
        (library.paths.own_library / f"bulk-{number:02}.md").write_text(
            f"# Bulk aid {number}\n\nShared words and a unique word{number}x.\n")
    monkeypatch.setattr(index_module, "BIG_UPDATE", 10)
    monkeypatch.setattr(index_module, "FIRST_BATCH", 12)


def test_search_answers_while_a_big_build_is_still_running(
        library: LibraryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    _bulk_library(library, 40, monkeypatch)
    index = AidIndex(library.paths.cache / "index", parallel=False)
    engine = SearchEngine(index)
    seen: list[tuple[int, int, int]] = []

    def progress(done: int, total: int) -> None:
        seen.append((done, total, len(engine.search("bulk", limit=100).results)))

    index.update(library, progress)
    midway = [found for done, total, found in seen if done < total]
    assert midway and midway[0] > 0  # results while the build was still going
    assert seen[-1][2] == 40
    index.close()


def test_index_is_rebuilt_when_missing_old_or_damaged(index: AidIndex,
                                                      library: LibraryStore) -> None:
    folder = index.folder
    index.close()
    (folder / META_FILE).write_text(json.dumps({"schema": 0}))
    again = AidIndex(folder)
    stats = again.update(library)
    assert "older format" in (stats.rebuilt_because or "")
    assert again.doc_count == len(AIDS)
    again.close()
    for segment in folder.glob("*.seg"):
        segment.write_bytes(b"garbage" * 100)
    for toc in folder.glob("_MAIN_*.toc"):
        toc.write_bytes(b"\x00garbage")
    damaged = AidIndex(folder)
    stats = damaged.update(library)
    assert "damaged" in (stats.rebuilt_because or "")
    assert damaged.doc_count == len(AIDS)
    damaged.close()
    import shutil
    shutil.rmtree(folder)
    missing = AidIndex(folder)
    assert missing.update(library).rebuilt_because == "there was no index yet"
    assert SearchEngine(missing).search("toner").results
    missing.close()


HOLD_LOCK = """
import sys, time
from whoosh import index
ix = index.open_dir(sys.argv[1])
writer = ix.writer()
print("locked", flush=True)
time.sleep(60)
"""


def test_a_lock_left_by_a_dead_process_does_not_block(index: AidIndex,
                                                      library: LibraryStore) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(index.folder)],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    busy = AidIndex(index.folder, writer_timeout=0.5)
    (library.paths.own_library / "late.md").write_text("# Late aid\n")
    with pytest.raises(IndexBusyError, match="another Handrail process"):
        busy.update(library)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert busy.update(library).added == 1
    assert titles(SearchEngine(busy), "late") == ["Late aid"]
    busy.close()


def test_small_edits_pile_up_into_segments_that_are_merged(index: AidIndex,
                                                          library: LibraryStore) -> None:
    folder = library.paths.own_library
    before = index.doc_count
    counts = []
    for number in range(2 * index_module.MAX_SEGMENTS):
        path = folder / f"edit-{number}.md"
        path.write_text(f"# Edit number{number}\n\nSaved one by one.\n", encoding="utf-8")
        assert index.update_paths(library, [path]).added == 1
        if number % 3 == 2:  # an edit of the one before (its old version is deleted)
            earlier = folder / f"edit-{number - 1}.md"
            earlier.write_text(f"# Edit number{number - 1}\n\nRewritten.\n", encoding="utf-8")
            assert index.update_paths(library, [earlier]).updated == 1
        counts.append(index._segment_count())
    assert max(counts) == index_module.MAX_SEGMENTS and counts[-1] < max(counts)  # merged
    assert index.doc_count == before + 2 * index_module.MAX_SEGMENTS
    engine = SearchEngine(index)
    last = 2 * index_module.MAX_SEGMENTS - 1
    assert titles(engine, f"number{last}") == [f"Edit number{last}"]
    rewritten = len(range(2, 2 * index_module.MAX_SEGMENTS, 3))
    assert len(engine.search("rewritten", limit=100).results) == rewritten
    assert len(engine.search("saved one by one", limit=100).results) == \
        2 * index_module.MAX_SEGMENTS - rewritten


@pytest.mark.fast_path
def test_a_big_build_starts_no_workers_while_another_process_writes(
        library: LibraryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    _bulk_library(library, 600, monkeypatch)
    index = AidIndex(library.paths.cache / "index", writer_timeout=0.5)
    index.open()
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(index.folder)],
                              stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    theirs = index.folder / "part-0" / "MAIN_theirs.pst"  # as the other's worker would leave
    theirs.parent.mkdir()
    theirs.write_bytes(b"postings")
    try:
        with pytest.raises(IndexBusyError, match="another Handrail process"):
            index.update(library)
        time.sleep(1.0)  # a worker, had one started, would have cleared its folder by now
        assert theirs.read_bytes() == b"postings"
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.wait()
    stats = index.update(library)
    assert stats.added == 600 + len(AIDS) and index.doc_count == stats.added
    assert not (index.folder / "part-0").exists()
    index.close()


@pytest.mark.fast_path
def test_other_threads_wait_while_a_big_build_holds_the_lock(
        library: LibraryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    _bulk_library(library, 600, monkeypatch)
    index = AidIndex(library.paths.cache / "index", writer_timeout=0.5)
    index.open()
    committing, tried = threading.Event(), threading.Event()
    commit = ParallelWriter.commit

    def waiting_commit(self: ParallelWriter, *args: Any, **kwargs: Any) -> Any:
        committing.set()
        tried.wait(30)
        return commit(self, *args, **kwargs)

    monkeypatch.setattr(ParallelWriter, "commit", waiting_commit)
    build = threading.Thread(target=index.update, args=(library,))
    build.start()
    try:
        assert committing.wait(60)
        edited = library.paths.own_library / "bulk-01.md"
        edited.write_text("# Bulk aid 1\n\nEdited during the build.\n")
        with pytest.raises(IndexBusyError):  # not written beside the build, without the lock
            index.update_paths(library, [edited])
    finally:
        tried.set()
        build.join(60)
    assert index.update_paths(library, [edited]).updated == 1
    assert titles(SearchEngine(index), "edited during ") == ["Bulk aid 1"]
    index.close()


def test_cli_search_json_and_index(tmp_path: Path) -> None:
    home = tmp_path / "home"
    out = json.loads(run_cli("search", "keyboard", "--json", home=home).stdout)
    assert out[0]["title"] == "Handrail keyboard shortcuts"
    assert {"id", "title", "path", "collection", "kind", "score", "snippet"} <= set(out[0])
    assert Path(out[0]["path"]).is_absolute()
    text = run_cli("search", "hotky", home=home).stdout
    assert text.startswith("Showing results for: hotkey") and "The hotkey does nothing" in text
    assert "8 aids indexed" in run_cli("index", "--rebuild", home=home).stdout


def test_cli_search_stdin_answers_each_line_in_order(tmp_path: Path) -> None:
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "--home", str(tmp_path),
                                "search", "--stdin", "--json"], cwd=ROOT, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert process.stdin is not None and process.stdout is not None
    answers = []
    for line in ["keyb", '{"query": "which kind", "limit": 1}', "zzzzqqq", "{broken"]:
        process.stdin.write(line + "\n")
        process.stdin.flush()
        answers.append(json.loads(process.stdout.readline()))  # flushed per line
    process.stdin.close()
    assert process.wait(timeout=30) == 0
    assert answers[0][0]["title"] == "Handrail keyboard shortcuts"
    assert [a["title"] for a in answers[1]] == ["Which kind of aid should I write?"]
    assert answers[2] == [] and "bad request" in answers[3]["error"]


def test_big_build_with_worker_processes_indexes_everything_once(
        library: LibraryStore, monkeypatch: pytest.MonkeyPatch) -> None:
    _bulk_library(library, 600, monkeypatch)  # 294 per worker: it reports midway
    index = AidIndex(library.paths.cache / "index", parallel=True)
    seen: list[int] = []
    stats = index.update(library, lambda done, total: seen.append(done))
    total = 600 + len(AIDS)
    assert stats.added == total and index.doc_count == total
    assert seen == sorted(seen) and seen[-1] == total
    assert any(12 < done < total for done in seen)  # workers report as they go
    assert not list(index.folder.glob("part-*"))  # the workers' folders are emptied and gone
    # The vocabularies the workers counted are the index's own.
    learned = (dict(index.vocabulary.items()), dict(index.title_vocabulary.items()))
    index._read_vocabularies(index.searcher())
    assert learned == (dict(index.vocabulary.items()), dict(index.title_vocabulary.items()))
    assert learned[0]["word37x"] == 1 and learned[0]["bulk"] == 600
    engine = SearchEngine(index)
    assert titles(engine, "word37x ") == ["Bulk aid 37"]
    assert len(engine.search("bulk", limit=1000).results) == 600
    # an edit after the parallel build replaces, never duplicates
    (library.paths.own_library / "bulk-37.md").write_text("# Bulk aid 37\n\nRewritten.\n")
    index.update(library)
    assert index.doc_count == total and titles(engine, "word37x ") == []
    index.close()
    reopened = AidIndex(library.paths.cache / "index")
    reopened.open()
    assert reopened.doc_count == total and reopened.update(library).changed == 0
    reopened.close()


def test_stamps_are_kept_across_edits_restarts_and_a_lost_state_file(
        index: AidIndex, library: LibraryStore) -> None:
    folder = library.paths.own_library
    assert index._stamps is not None and len(index._stamps) == len(AIDS)  # kept after update
    (folder / "jam.md").write_text("# Printer is jammed\n\nOpen tray 3.\n", encoding="utf-8")
    (folder / "new.md").write_text("# Badge reader offline\n\nRestart it.\n", encoding="utf-8")
    (folder / "cafe.md").unlink()
    stats = index.update_paths(library, [folder / "jam.md", folder / "new.md", folder / "cafe.md",
                                         folder / "never-there.md"])
    assert (stats.added, stats.updated, stats.removed) == (1, 1, 1)
    assert index.update(library).changed == 0  # the changes reached the stamps
    (folder / "toner.md").unlink()
    index.update_paths(library, [folder / "toner.md"])
    index.close()  # saves the stamps with the change
    reopened = AidIndex(index.folder)
    reopened.open()
    assert reopened._stamps is None  # on disk until the first full update asks for them
    assert reopened.update(library).changed == 0
    reopened.close()
    reopened = AidIndex(index.folder)
    reopened.open()
    # A state file that vanished while the stamps were on disk: the index knows them too.
    (folder / "refund2.md").unlink()
    reopened.update_paths(library, [folder / "refund2.md"])
    (index.folder / index_module.STATE_FILE).unlink()
    assert reopened.update(library).changed == 0
    reopened.close()


def test_a_full_update_finds_files_deleted_and_added_behind_its_back(
        index: AidIndex, library: LibraryStore, tmp_path: Path) -> None:
    folder = library.paths.own_library
    (folder / "cafe.md").unlink()
    (folder / "sub").mkdir()
    (folder / "sub" / "badge.md").write_text("# Badge reader offline\n", encoding="utf-8")
    stats = index.update(library)
    assert (stats.added, stats.updated, stats.removed) == (1, 0, 1)
    engine = SearchEngine(index, cache=False)
    assert titles(engine, "badge") == ["Badge reader offline"] and titles(engine, "cafe") == []
    # A collection inside another: its files are seen twice, indexed once, none dropped.
    count = index.doc_count
    library.collections.add(folder / "sub", "inner")
    assert index.update(library).changed == 0
    assert index.doc_count == count and titles(engine, "badge") == ["Badge reader offline"]
    (folder / "sub" / "badge.md").unlink()
    assert index.update(library).removed == 1 and titles(engine, "badge") == []


def _marked_library(library: LibraryStore, marked: dict[str, str]
                    ) -> tuple[AidIndex, SearchEngine]:
    """One aid per file name, titled by it, with the given ``apps:`` line; indexed."""
    for name, apps in marked.items():
        (library.paths.own_library / name).write_text(
            f"---\ntitle: {name[:-3]}\n{apps}\n---\nStep\n")
    index = AidIndex(library.paths.cache / "index", parallel=False)
    index.update(library)
    return index, SearchEngine(index)


def test_the_for_list_matches_app_and_title_together_most_specific_first(
        library: LibraryStore) -> None:
    marked = {
        "payroll.md": "apps: [{app: XTerm, title: '*Payroll*'}]",
        "easy-access.md": "apps: [{title: '*SAP Easy Access*'}]",
        "any-sap.md": "apps: [SAPLogon]",
        "sap-invoice.md": "apps: [SAPLogon, {app: SAPLogon, title: '*Invoice*'}]",
    }
    index, engine = _marked_library(library, marked)
    sap = Context(app="SAPLogon", window_title="Invoice 4711 - SAP Easy Access")
    assert titles(engine, "", context=sap) == ["sap-invoice", "easy-access", "any-sap"]
    payroll = Context(app="XTerm", window_title="Payroll run - xterm")
    assert titles(engine, "", context=payroll) == ["payroll"]
    other_xterm = Context(app="XTerm", window_title="~/src - xterm")
    assert titles(engine, "", context=other_xterm) == []
    # A typed search ranks the same way up: the Payroll aid is not "in context" in SAP.
    hits = {r.title: r.context_match for r in engine.search("step ", context=sap).results}
    assert hits == {"payroll": False, "easy-access": True, "any-sap": True, "sap-invoice": True}
    index.close()


def test_the_for_list_matches_the_document_and_the_address_a_title_carries(
        library: LibraryStore) -> None:
    marked = {
        "payroll-sheet.md": "apps: [{app: LibreOffice Calc, document: 'Payroll*.ods'}]",
        "any-sheet.md": "apps: [{document: '*.ods'}]",
        "fiori.md": "apps: [{url: '*sap.example.com/fiori*'}]",
        "calc.md": "apps: [libreoffice-calc]",
    }
    index, engine = _marked_library(library, marked)
    payroll = Context(app="libreoffice-calc",
                      window_title="● Payroll 2026.ods - LibreOffice Calc")
    assert titles(engine, "", context=payroll) == ["payroll-sheet", "any-sheet", "calc"]
    budget = Context(app="libreoffice-calc", window_title="Budget.ods - LibreOffice Calc")
    assert titles(engine, "", context=budget) == ["any-sheet", "calc"]
    # The document is the first part of a title of several, not any word of it.
    named = Context(app="xterm", window_title="notes about Payroll.ods")
    assert titles(engine, "", context=named) == []
    browser = Context(app="firefox", window_title="Vendor master - https://sap.example.com/"
                      "fiori#Supplier-manage - Mozilla Firefox")
    assert titles(engine, "", context=browser) == ["fiori"]
    host_only = Context(app="chromium", window_title="Vendor master - sap.example.com/fiori "
                        "- Chromium")
    assert titles(engine, "", context=host_only) == ["fiori"]
    assert titles(engine, "", context=Context(app="firefox", window_title="Vendor master - "
                                              "Mozilla Firefox")) == []
    index.close()
