"""The tray app on a real X server (Xvfb + openbox + trayer), on the real tldr-pages corpus.

    make bench-app      # or: .venv/bin/python -m bench.popup_bench [--corpus PATH] [--cycles N]

Measures, with the app as its own process and keys sent through XTest:
- warm hotkey press -> popup painted with the keyboard focus in its search box;
- keystroke -> results painted, typing the judged queries letter by letter (38k pages);
- cold start (process start -> tray icon ready), and the first search answer after start;
- the Library window: opening it on every aid, and a keystroke of its filter -> rows painted;
- RSS idle with the 38k pages open, and after N popup/search/hide cycles.
Times come from the app's trace (CLOCK_MONOTONIC, shared with this process).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from functools import partial
from pathlib import Path
from typing import Any

from Xlib import XK, X, display
from Xlib.ext import xtest

from .corpus import require_corpus
from .desktop import Desktop, HandrailApp, wait_for
from .queries import TYPED
from .run import ROOT, percentile

HOTKEY = ("Control_L", "Alt_L", "space")
IDLE_WAIT_S = 5
WARMUP_CYCLES = 500  # popup cycles before memory growth is counted
SAMPLE_EVERY = 500  # cycles between samples of the app's own memory


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": round(statistics.median(values), 1), "p95": round(percentile(values, 0.95), 1),
            "max": round(max(values), 1), "n": len(values)}


class Keyboard:
    """Real key events through the XTEST extension, as a keyboard would send them."""

    def __init__(self, display_name: str) -> None:
        self.display = display.Display(display_name)

    def _code(self, name: str) -> int:
        keysym = XK.string_to_keysym(name) or (ord(name) if len(name) == 1 else 0)
        code = int(self.display.keysym_to_keycode(keysym))
        if not code:
            raise ValueError(f"no key for {name!r} on this keyboard")
        return code

    def press(self, *names: str) -> int:
        """Press and release a chord; returns the monotonic time just before it was sent."""
        codes = [self._code(name) for name in names]
        started = time.monotonic_ns()
        for code in codes:
            xtest.fake_input(self.display, X.KeyPress, code)
        for code in reversed(codes):
            xtest.fake_input(self.display, X.KeyRelease, code)
        self.display.sync()
        return started


def key_name(char: str) -> str:
    return "space" if char == " " else char


def event_after(app: HandrailApp, name: str, after_ns: int, **match: Any) -> int | None:
    for stamp, _, details in app.events(name):
        if stamp >= after_ns and all(details.get(k) == v for k, v in match.items()):
            return stamp
    return None


def hotkey_to_popup(app: HandrailApp, desktop: Desktop, keys: Keyboard, trials: int
                    ) -> list[float]:
    window = desktop.open_app_window("Invoice 4711 - SAP Easy Access", "SAPLogon")
    timings = []
    for trial in range(trials + 3):
        desktop.xdotool("windowactivate", "--sync", str(window))
        time.sleep(0.05)
        sent = keys.press(*HOTKEY)
        try:
            shown = wait_for(partial(event_after, app, "popup-painted", sent, active=True,
                                     focus=True), timeout=5, what="popup painted")
        except Exception:
            print(sent, app.events()[-8:], app.state(), app.log()[-2000:])
            raise
        if trial >= 3:  # the first presses warm up (fonts, first layout)
            timings.append((shown - sent) / 1e6)
        keys.press("Escape")
        app.wait_state(lambda s: not s["visible"])
    return timings


def keystroke_to_results(app: HandrailApp, keys: Keyboard, queries: list[str]
                         ) -> tuple[list[float], dict[str, list[float]]]:
    """Key sent -> results painted; and its parts: key -> query seen by the popup, query ->
    answered by the engine (queue and search), answered -> painted."""
    timings: list[float] = []
    parts: dict[str, list[float]] = {"key_to_query": [], "query_to_answer": [],
                                     "answer_to_paint": []}
    for query in queries:
        app.request(cmd="show", query="")
        app.wait_state(lambda s: s["visible"] and s["active"] and s["query"] == "")
        time.sleep(0.05)
        for char in query:
            sent = keys.press(key_name(char))
            generation = wait_for(partial(_generation_after, app, sent), timeout=5,
                                  what="the query")
            painted = wait_for(partial(_painted, app, generation, sent), timeout=10,
                               what="results painted")
            timings.append((painted - sent) / 1e6)
            seen = _stamp(app, "query", generation)
            answered = _stamp(app, "answered", generation)
            if seen and answered:
                parts["key_to_query"].append((seen - sent) / 1e6)
                parts["query_to_answer"].append((answered - seen) / 1e6)
                parts["answer_to_paint"].append((painted - answered) / 1e6)
        app.request(cmd="hide")
    return timings, parts


# Filters typed in the Library window: titles, tags and folders a librarian would look for.
LIBRARY_FILTERS = ["git commit", "docker", "tar", "ssh keygen", "systemctl", "ffmpeg", "python",
                   "npm install", "kubectl", "zip"]


def library_window(app: HandrailApp, keys: Keyboard, filters: list[str]
                   ) -> tuple[list[float], list[float]]:
    """Opening the Library window on every aid (request sent -> all rows painted), then key
    sent -> filtered rows painted, typing each filter letter by letter."""
    opened: list[float] = []
    typed: list[float] = []
    for _ in range(3):
        app.request(cmd="hide")
        before = len(app.events("library-painted"))
        sent = time.monotonic_ns()
        app.request(cmd="library")
        wait_for(partial(_painted_more, app, before), timeout=30,
                 what="the Library window painted")
        opened.append((app.events("library-painted")[-1][0] - sent) / 1e6)
        app.wait_state(lambda s: s["library"] and s["library"]["active"])
        keys.press("Control_L", "w")
        app.wait_state(lambda s: not s["library"])
    app.request(cmd="library")
    app.wait_state(lambda s: s["library"] and s["library"]["active"])
    for text in filters:
        keys.press("Control_L", "a")
        keys.press("BackSpace")
        app.wait_state(lambda s: s["library"]["filter"] == "")
        time.sleep(0.05)
        for char in text:
            before = len(app.events("library-painted"))
            sent = keys.press(key_name(char))
            wait_for(partial(_painted_more, app, before), timeout=10,
                     what="the filtered rows painted")
            typed.append((app.events("library-painted")[-1][0] - sent) / 1e6)
    keys.press("Control_L", "w")
    return opened, typed


def _painted_more(app: HandrailApp, count: int) -> bool:
    return len(app.events("library-painted")) > count


def _stamp(app: HandrailApp, event: str, generation: int) -> int | None:
    for stamp, _, details in app.events(event):
        if details.get("generation") == generation:
            return stamp
    return None


def _generation_after(app: HandrailApp, sent: int) -> int | None:
    for stamp, _, details in app.events("query"):
        if stamp >= sent:
            return int(details["generation"])
    return None


def _painted(app: HandrailApp, generation: int, sent: int) -> int | None:
    for stamp, _, details in app.events("results-painted"):
        if stamp >= sent and details["generation"] >= generation:
            return stamp
    return None


def _painted_more_than(app: HandrailApp, count: int) -> bool:
    return len(app.events("results-painted")) > count


def cold_starts(desktop: Desktop, home: Path, trials: int) -> tuple[list[float], list[float]]:
    ready, first_answer = [], []
    for _ in range(trials):
        app = HandrailApp(desktop, home).start()
        ready.append((app.events("tray-ready")[0][0] - app.started_ns) / 1e6)
        app.request(cmd="show", query="extract archive")
        answered = wait_for(partial(app.events, "results-painted"), timeout=30,
                            what="the first answer")
        first_answer.append((answered[0][0] - app.started_ns) / 1e6)
        app.stop()
    return ready, first_answer


def settled_anon_mb(app: HandrailApp) -> float:
    """The app's own memory once idle: the median of three looks a second apart (a look may
    fall on the minute's rescan of the library, whose working set is given back after it)."""
    looks = []
    for _ in range(3):
        looks.append(app.rss_kb("RssAnon") / 1024)
        time.sleep(1)
    return statistics.median(looks)


def memory_cycles(app: HandrailApp, cycles: int, warmup: int = WARMUP_CYCLES
                  ) -> dict[str, Any]:
    """Memory over ``cycles`` popup cycles (show with a query, results painted, hide), idle
    before, after ``warmup`` cycles (the caches of typing have filled) and at the end: the
    growth after the warm-up is what a long-running app would keep adding."""
    queries = [q for q in TYPED]
    time.sleep(IDLE_WAIT_S)  # idle: the popup hid and the app gave back what it freed
    idle_before = app.rss_kb() / 1024
    after_warmup = anon_after_warmup = 0.0
    by_cycle: dict[int, float] = {}
    for number in range(cycles):
        query = queries[number % len(queries)][: 2 + number % 9]
        before = len(app.events("results-painted"))
        app.request(cmd="show", query=query)
        wait_for(partial(_painted_more_than, app, before), timeout=10, what="results")
        app.request(cmd="hide")
        if number + 1 == warmup:
            time.sleep(IDLE_WAIT_S)  # measured as at the end: idle, after the app gave back
            after_warmup = app.rss_kb() / 1024
            anon_after_warmup = settled_anon_mb(app)
        if (number + 1) % SAMPLE_EVERY == 0:
            time.sleep(IDLE_WAIT_S)
            by_cycle[number + 1] = round(settled_anon_mb(app), 2)
    time.sleep(IDLE_WAIT_S)
    idle_after = app.rss_kb() / 1024
    # Pages of the memory-mapped index count in RSS once read; the app's own memory is "anon".
    anon_after = settled_anon_mb(app)
    return {"rss_idle_mb": round(idle_before, 1),
            f"rss_after_{warmup}_mb": round(after_warmup, 1),
            f"rss_after_{cycles}_mb": round(idle_after, 1),
            "growth_after_warmup_mb": round(idle_after - after_warmup, 1),
            f"anon_after_{warmup}_mb": round(anon_after_warmup, 2),
            f"anon_after_{cycles}_mb": round(anon_after, 2),
            "anon_growth_after_warmup_mb": round(anon_after - anon_after_warmup, 2),
            "anon_mb_by_cycle": by_cycle}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="the tldr-pages tar.gz (default: "
                        "HANDRAIL_CORPUS, else ../shared/corpora/tldr-pages.tar.gz)")
    parser.add_argument("--cycles", type=int, default=5000,
                        help="popup cycles for the memory figures (growth counted after 500)")
    parser.add_argument("--hotkey-trials", type=int, default=50)
    parser.add_argument("--queries", type=int, default=len(TYPED),
                        help="how many of the typed queries to type letter by letter")
    parser.add_argument("--skip-cold", action="store_true", help="skip the cold starts")
    parser.add_argument("--home", type=Path, help="keep the prepared Handrail home here and "
                        "reuse it next time (default: a temporary one)")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="handrail-appbench-"))
    results: dict[str, Any] = {}
    try:
        home = args.home.resolve() if args.home else work / "home"
        cli = [sys.executable, "-m", "app", "--home", str(home)]
        if not (home / "config" / "collections.json").exists():
            args.corpus = require_corpus(args.corpus)
            corpus = home.parent / f"{home.name}-corpus"
            with tarfile.open(args.corpus) as archive:
                archive.extractall(corpus, filter="data")
            subprocess.run([*cli, "collection", "add", str(corpus / "tldr-pages"),
                            "--name", "tldr", "--read-only"], check=True, capture_output=True)
        started = time.perf_counter()
        subprocess.run([*cli, "index"], check=True, capture_output=True)
        print(f"index of the 38k pages built or brought up to date in "
              f"{time.perf_counter() - started:.1f} s (before the app starts, as after a first "
              "run)")
        with Desktop() as desktop:
            if not args.skip_cold:
                ready, first = cold_starts(desktop, home, 5)
                results["cold_start_to_tray_ready_ms"] = summary(ready)
                results["cold_start_to_first_results_ms"] = summary(first)
                print(f"cold start to tray ready: {results['cold_start_to_tray_ready_ms']}")
                print(f"cold start to first results painted: "
                      f"{results['cold_start_to_first_results_ms']}")
            app = HandrailApp(desktop, home).start()
            try:
                keys = Keyboard(desktop.display)
                wait_for(lambda: app.state()["hotkey"], what="hotkey")
                # Warm: the start-up check of the library is over (it runs beside the popup).
                wait_for(partial(app.events, "index-current"), timeout=120,
                         what="the index brought up to date")
                time.sleep(1)
                results["hotkey_to_popup_ms"] = summary(
                    hotkey_to_popup(app, desktop, keys, args.hotkey_trials))
                print(f"warm hotkey -> popup painted with focus: "
                      f"{results['hotkey_to_popup_ms']}")
                typed, parts = keystroke_to_results(app, keys, TYPED[:args.queries])
                results["keystroke_to_results_ms"] = summary(typed)
                results["keystroke_parts_ms"] = {k: summary(v) for k, v in parts.items() if v}
                print(f"keystroke -> results painted (38k pages): "
                      f"{results['keystroke_to_results_ms']}")
                for name, figures in results["keystroke_parts_ms"].items():
                    print(f"  {name}: {figures}")
                opened, filtered = library_window(app, keys, LIBRARY_FILTERS)
                results["library_open_ms"] = summary(opened)
                results["library_keystroke_ms"] = summary(filtered)
                print(f"Library window opened on every aid (request -> rows painted): "
                      f"{results['library_open_ms']}")
                print(f"Library filter keystroke -> rows painted (38k aids): "
                      f"{results['library_keystroke_ms']}")
                results["memory"] = memory_cycles(app, args.cycles)
                print(f"memory with 38k pages: {results['memory']}")
            finally:
                app.stop()
        out = ROOT / "bench" / "out"
        out.mkdir(exist_ok=True)
        (out / "app_results.json").write_text(json.dumps(results, indent=2))
        print(f"figures written to {out / 'app_results.json'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
