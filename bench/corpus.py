"""Where the tldr-pages corpus is: ``HANDRAIL_CORPUS``, else ``../shared/corpora`` beside the
checkout. Benchmarks need the whole corpus; the tests use the sample in ``tests/data``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS_ENV = "HANDRAIL_CORPUS"
SHARED_CORPUS = ROOT.parent / "shared" / "corpora" / "tldr-pages.tar.gz"
SAMPLE = ROOT / "tests" / "data" / "tldr-sample"
WHERE_TO_GET_IT = (
    "the tldr-pages corpus is a tar.gz of https://github.com/tldr-pages/tldr (its folder "
    "tldr-pages/ holding pages/, pages.de/, ...): make one with `git clone --depth 1 "
    "https://github.com/tldr-pages/tldr tldr-pages && tar czf tldr-pages.tar.gz "
    "tldr-pages/LICENSE.md tldr-pages/pages*`, then set HANDRAIL_CORPUS to its path or pass "
    "--corpus")


def corpus_archive() -> Path | None:
    """The corpus archive, if there is one."""
    named = os.environ.get(CORPUS_ENV)
    candidate = Path(named).expanduser() if named else SHARED_CORPUS
    return candidate if candidate.is_file() else None


def require_corpus(given: Path | None) -> Path:
    """The archive to benchmark on; exits (status 2) saying where to get it when missing."""
    archive = given if given is not None else corpus_archive()
    if archive is None or not archive.is_file():
        print(f"bench: no corpus at {archive or os.environ.get(CORPUS_ENV) or SHARED_CORPUS}: "
              f"{WHERE_TO_GET_IT}", file=sys.stderr)
        raise SystemExit(2)
    return archive
