"""Syncing the English tldr pages (7.4k aids) with a loopback wsgidav and a loopback Apache
mod_dav, each against ``rclone copy`` of the same folder to another server of the same kind in
the same run: the first sync, a sync when nothing changed (which must download no aid), and a
one-aid change.

    make bench-sync      # or: .venv/bin/python -m bench.sync_bench [--corpus FILE] [--runs N]

rclone only copies one way and keeps no base, so it does less than a sync; it is the peer for
what the transfer costs. Figures are medians of ``--runs`` rounds where a round can be repeated.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tarfile
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

from sync.engine import SyncReport, sync_collection
from sync.journal import Journal
from sync.targets import MARKER
from sync.webdav import WebDAVTarget

from .corpus import require_corpus
from .dav_server import ApacheServer, DavServer, rclone


def _english_pages(archive: Path, into: Path) -> None:
    with tarfile.open(archive) as tar:
        for member in tar.getmembers():
            parts = Path(member.name).parts
            if member.isfile() and member.name.endswith(".md") and "pages" in parts:
                inside = Path(*parts[parts.index("pages") + 1:])
                handle = tar.extractfile(member)
                if handle is None:
                    continue
                target = into / inside
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(handle.read())


def _rclone() -> str:
    try:
        return rclone()
    except RuntimeError as error:
        raise SystemExit(f"bench: {error} (the peer)") from error


def _timed_rclone(rclone: str, source: Path, url: str) -> float:
    start = time.perf_counter()
    subprocess.run([rclone, "copy", str(source), f":webdav,url='{url}':", "--transfers", "4",
                    "--checkers", "8", "-q"], check=True)
    return time.perf_counter() - start


def _bench(kind: str, local: Path, work: Path, runs: int, rclone: str) -> list[str]:
    """Handrail and ``rclone copy`` against two loopback servers of one ``kind``: the lines
    to print."""
    ours_root, theirs_root = work / f"{kind}-handrail", work / f"{kind}-rclone"
    ours_root.mkdir()
    theirs_root.mkdir()
    server = ApacheServer if kind == "apache" else DavServer
    ours = server(ours_root, work, anonymous=True)
    theirs = server(theirs_root, work, anonymous=True)
    try:
        requests: Counter[str] = Counter()
        client = httpx.Client(timeout=60, event_hooks={"request": [lambda request: requests.update(
            ["marker" if request.url.path.endswith(MARKER) else request.method])]})
        traits = WebDAVTarget(ours.url).probe()  # as `remote add` does
        target = WebDAVTarget(ours.url, client=client, preconditions=traits.preconditions)
        journal = Journal(work / f"{kind}-journal.sqlite3")

        def sync() -> tuple[float, SyncReport]:
            start = time.perf_counter()
            report = sync_collection(local, target, journal, "bench", trash=work / "kept")
            return time.perf_counter() - start, report

        first, report = sync()
        sent = len(report.uploaded)
        requests.clear()
        quiet = []
        for _ in range(runs):
            took, report = sync()
            assert not report.changed, report.summary()
            quiet.append(took)
        quiet_gets = requests["GET"] / runs
        one = []
        some_page = sorted(local.rglob("*.md"))[0]
        for run in range(runs):
            some_page.write_text(some_page.read_text() + f"\n- one change {run} ({kind})\n")
            took, report = sync()
            assert report.uploaded == [some_page.relative_to(local).as_posix()]
            one.append(took)
        rclone_first = _timed_rclone(rclone, local, theirs.url)
        rclone_quiet = statistics.median(_timed_rclone(rclone, local, theirs.url)
                                         for _ in range(runs))
        rclone_one = []
        for run in range(runs):
            some_page.write_text(some_page.read_text() + f"\n- rclone change {run}\n")
            rclone_one.append(_timed_rclone(rclone, local, theirs.url))
    finally:
        ours.stop()
        theirs.stop()
    rows = [("first sync", first, rclone_first),
            ("nothing changed", statistics.median(quiet), rclone_quiet),
            ("one aid changed", statistics.median(one), statistics.median(rclone_one))]
    lines = [f"loopback {kind} ({traits.summary()}): {sent} aids sent, medians of {runs}",
             f"{'':18}{'Handrail':>10}{'rclone copy':>13}{'ratio':>8}"]
    lines += [f"{label:18}{mine:>9.2f}s{peer:>12.2f}s{mine / peer:>7.1f}x"
              for label, mine, peer in rows]
    lines.append(f"a quiet sync downloaded {quiet_gets:.0f} aids (GET requests per sync, "
                 "besides the collection's marker)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--servers", default="wsgidav,apache",
                        help="comma-separated: wsgidav, apache (default both)")
    args = parser.parse_args(argv)
    archive = require_corpus(args.corpus)
    rclone = _rclone()
    work = Path(tempfile.mkdtemp(prefix="handrail-sync-bench-"))
    try:
        local = work / "local"
        _english_pages(archive, local)
        pages = sum(1 for _ in local.rglob("*.md"))
        print(f"{pages} English tldr pages")
        for kind in args.servers.split(","):
            print("\n".join(_bench(kind.strip(), local, work, args.runs, rclone)), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
