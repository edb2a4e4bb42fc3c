"""Search benchmarks on the real tldr-pages corpus: Handrail (Whoosh) and SQLite FTS5 side by side.

    make bench                    # or: .venv/bin/python -m bench.run [--corpus PATH] [--quick]

Reports, for the English pages (~7.4k) and all languages (~38k): full build time and index size,
per-keystroke latency while typing realistic queries letter by letter (p50, p95, max), the time for
an edited aid to become findable, the cold start of `handrail search` and its peak memory, the
memory of a long-running engine; and relevance (MRR@10, success@5) on a judged query set.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import string
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

from job_aids import HandrailPaths, LibraryStore
from search import AidIndex, LibraryWatcher, SearchEngine

from .corpus import require_corpus
from .fts5_baseline import Fts5Index
from .queries import JUDGED, TYPED

ROOT = Path(__file__).resolve().parent.parent


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def summary(values: list[float]) -> dict[str, float]:
    return {"p50": statistics.median(values), "p95": percentile(values, 0.95),
            "max": max(values), "n": len(values)}


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def keystrokes() -> list[str]:
    typed = []
    for query in TYPED:
        typed += [query[:i] for i in range(1, len(query) + 1)]
    return typed


def time_keystrokes(search: Any, typed: list[str]) -> list[float]:
    for text in typed[:20]:  # warm up caches the way a first few keystrokes would
        search(text)
    timings = []
    for text in typed:
        started = time.perf_counter()
        search(text)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def edited_findable(store: LibraryStore, index: AidIndex, engine: SearchEngine,
                    files: list[Path], trials: int = 5) -> list[float]:
    """Seconds from an editor's save to the aid being found, with the watcher running."""
    watcher = LibraryWatcher(store, index)
    watcher.start()
    time.sleep(1.0)
    results = []
    rng = random.Random(7)
    try:
        for trial in range(trials):
            # Random letters: far (in edits) from every other word, so no typo correction
            # can find an earlier marker.
            word = "".join(rng.choice(string.ascii_lowercase) for _ in range(14))
            target = files[trial * 97 % len(files)]
            started = time.perf_counter()
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(f"\n- Marker for the benchmark: {word}\n")
            while not any(r.path == str(target) for r in engine.search(word + " ").results):
                if time.perf_counter() - started > 30:
                    break
                time.sleep(0.005)
            results.append(time.perf_counter() - started)
    finally:
        watcher.stop()
    return results


# Runs a command and prints its peak RSS (KB). The child's own ru_maxrss cannot be trusted when
# this (big) benchmark process forks it: Linux carries the high-water mark of the forking process
# over into the child's (the cold start showed this benchmark's 186 MB, not its own 70 MB).
_PEAK_RSS = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], "
             "stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")


def cold_start(home: Path, trials: int = 5) -> tuple[list[float], float]:
    """Process start to first result of `handrail search`, and the peak RSS of that process."""
    command = [sys.executable, "-m", "app.cli", "--home", str(home), "search", "extract archive",
               "--json", "--limit", "5"]
    timings = []
    for _ in range(trials):
        started = time.perf_counter()
        process = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE,
                                 stderr=subprocess.DEVNULL, check=True)
        timings.append(time.perf_counter() - started)
        assert json.loads(process.stdout), "cold start found nothing"
    peak = max(int(subprocess.run([sys.executable, "-c", _PEAK_RSS, *command], cwd=ROOT,
                                  capture_output=True, text=True, check=True).stdout) / 1024
               for _ in range(2))
    return timings, peak


def engine_memory(home: Path, typed: list[str]) -> dict[str, float]:
    """RSS of a long-running `handrail search --stdin` engine with the library open."""
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "--home", str(home), "search",
                                "--stdin", "--json"], cwd=ROOT, text=True,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    assert process.stdin is not None and process.stdout is not None

    def rss() -> float:
        for line in Path(f"/proc/{process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    def ask(text: str) -> None:
        process.stdin.write(json.dumps({"query": text}) + "\n")  # type: ignore[union-attr]
        process.stdin.flush()  # type: ignore[union-attr]
        process.stdout.readline()  # type: ignore[union-attr]

    ask("warm up")
    after_open = rss()
    for text in typed:
        ask(text)
    after_queries = rss()
    for text in typed:
        ask(text)
    after_twice = rss()
    process.stdin.close()
    process.wait(timeout=60)
    return {"after_open_mb": after_open, "after_all_keystrokes_mb": after_queries,
            "after_twice_mb": after_twice, "keystrokes_each_pass": len(typed)}


def relevance(search: Any, tag: str) -> dict[str, Any]:
    ranks: list[tuple[str, int | None]] = []
    for kind, query, expected in JUDGED:
        paths = search(query)
        rank = next((i + 1 for i, p in enumerate(paths[:10])
                     if any(p.endswith("/" + e) for e in expected)), None)
        ranks.append((kind, rank))

    def score(rows: list[tuple[str, int | None]]) -> dict[str, float]:
        return {"mrr@10": sum(1 / r for _, r in rows if r) / len(rows),
                "success@5": sum(1 for _, r in rows if r and r <= 5) / len(rows),
                "n": len(rows)}

    result: dict[str, Any] = {"all": score(ranks)}
    for kind in sorted({k for k, _ in ranks}):
        result[kind] = score([row for row in ranks if row[0] == kind])
    result["misses"] = [q for (_, q, _), (_, r) in zip(JUDGED, ranks, strict=True)
                        if not r or r > 5]
    print(f"  relevance {tag}: " + ", ".join(
        f"{k} MRR {v['mrr@10']:.3f} s@5 {v['success@5']:.2f}" for k, v in result.items()
        if k != "misses"))
    return result


def bench_corpus(label: str, folder: Path, work: Path, judged: bool) -> dict[str, Any]:
    print(f"\n== {label}: {folder}")
    home = work / label.replace(" ", "_")
    paths = HandrailPaths.under(home)
    store = LibraryStore(paths)
    store.collections.add(folder, "tldr", read_only=True)
    files = [p for _, p in store.iter_files()]
    print(f"  {len(files)} pages")
    out: dict[str, Any] = {"pages": len(files)}

    index = AidIndex(paths.cache / "index")
    started = time.perf_counter()
    index.update(store)
    out["handrail_build_s"] = time.perf_counter() - started
    out["handrail_index_mb"] = folder_size(index.folder) / 1048576
    engine = SearchEngine(index)
    print(f"  Handrail build {out['handrail_build_s']:.1f} s, {out['handrail_index_mb']:.1f} MB")

    fts = Fts5Index(work / f"{home.name}.sqlite")
    started = time.perf_counter()
    fts.build(files)
    out["fts5_build_s"] = time.perf_counter() - started
    out["fts5_index_mb"] = fts.db_path.stat().st_size / 1048576
    print(f"  FTS5 build {out['fts5_build_s']:.1f} s, {out['fts5_index_mb']:.1f} MB")

    typed = keystrokes()
    handrail_ms = time_keystrokes(lambda t: engine.search(t, limit=10), typed)
    fts_ms = time_keystrokes(lambda t: fts.search(t, 10), typed)
    out["handrail_keystroke_ms"] = summary(handrail_ms)
    out["fts5_keystroke_ms"] = summary(fts_ms)
    for name in ("handrail", "fts5"):
        s = out[f"{name}_keystroke_ms"]
        print(f"  {name:8} per keystroke ({s['n']} keystrokes): p50 {s['p50']:.1f} ms, "
              f"p95 {s['p95']:.1f} ms, max {s['max']:.1f} ms")
    worst = sorted(zip(handrail_ms, typed, strict=True), reverse=True)[:5]
    out["handrail_slowest"] = [(round(ms, 1), text) for ms, text in worst]
    print(f"  slowest Handrail keystrokes: {out['handrail_slowest']}")

    if judged:
        out["relevance_handrail"] = relevance(
            lambda q: [r.path for r in engine.search(q, limit=10).results], "Handrail")
        out["relevance_fts5"] = relevance(lambda q: [p for p, _ in fts.search(q, 10)], "FTS5")
    fts.close()

    findable = edited_findable(store, index, engine, files)
    out["edit_findable_s"] = summary(findable)
    print(f"  edit to findable (watcher): median {statistics.median(findable):.2f} s, "
          f"max {max(findable):.2f} s")
    index.close()

    cold, peak = cold_start(home)
    out["cold_start_s"] = summary(cold)
    out["cold_start_peak_rss_mb"] = peak
    print(f"  cold start `handrail search` to first result: median {statistics.median(cold):.2f}"
          f" s; peak RSS {peak:.0f} MB")
    memory = engine_memory(home, typed)
    out["engine_memory"] = memory
    print(f"  long-running engine RSS: {memory['after_open_mb']:.0f} MB open, "
          f"{memory['after_all_keystrokes_mb']:.0f} MB after {len(typed)} keystrokes, "
          f"{memory['after_twice_mb']:.0f} MB after twice that")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="the tldr-pages tar.gz (default: "
                        "HANDRAIL_CORPUS, else ../shared/corpora/tldr-pages.tar.gz)")
    parser.add_argument("--english-only", action="store_true")
    args = parser.parse_args(argv)
    args.corpus = require_corpus(args.corpus)
    work = Path(tempfile.mkdtemp(prefix="handrail-bench-"))
    try:
        with tarfile.open(args.corpus) as archive:
            archive.extractall(work / "corpus", filter="data")
        root = work / "corpus" / "tldr-pages"
        results = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                   "english": bench_corpus("english", root / "pages", work, judged=True)}
        if not args.english_only:
            results["all"] = bench_corpus("all languages", root, work, judged=False)
        out = ROOT / "bench" / "out"
        out.mkdir(exist_ok=True)
        (out / "results.json").write_text(json.dumps(results, indent=2, default=str))
        print(f"\nfigures written to {out / 'results.json'}; bench peak RSS "
              f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
