"""What reading an aid's outline costs: the pinned view's steps through the renderer's own parser
(job_aids/outline.py) against the index's line scanner (the first heading, model.py), per aid, on
a sample of the tldr-pages corpus.

    .venv/bin/python -m bench.outline_bench [--corpus FILE] [--sample N]

The outline is read when an aid is pinned or copied, one aid at a time; the index reads every aid
on a build, so it keeps the line scanner.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tarfile
import time
from collections.abc import Callable
from pathlib import Path

from job_aids.checklist import Checklist
from job_aids.model import first_heading
from job_aids.outline import outline

from .corpus import require_corpus


def _bodies(archive: Path, sample: int) -> list[str]:
    with tarfile.open(archive) as tar:
        members = [m for m in tar.getmembers() if m.isfile() and m.name.endswith(".md")]
        random.Random(1).shuffle(members)
        bodies = []
        for member in members[:sample]:
            handle = tar.extractfile(member)
            if handle is not None:
                bodies.append(handle.read().decode("utf-8", errors="replace"))
    return bodies


def _median_ms(read: Callable[[str], object], bodies: list[str]) -> float:
    times = []
    for body in bodies:
        start = time.perf_counter()
        read(body)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--sample", type=int, default=2000)
    args = parser.parse_args(argv)
    bodies = _bodies(require_corpus(args.corpus), args.sample)
    for _round in range(2):  # the first round warms the parser up
        outlined = _median_ms(Checklist.from_markdown, bodies)
        scanner = _median_ms(first_heading, bodies)
    blocks = sum(len(outline(body)) for body in bodies)
    print(f"{len(bodies)} tldr pages, {blocks} blocks: outline {outlined:.3f} ms per aid (median), "
          f"line scanner {scanner:.4f} ms, ratio {outlined / scanner:.0f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
