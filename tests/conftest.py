from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import leftovers
from bench.corpus import SAMPLE, corpus_archive
from bench.dav_server import DavServer
from job_aids import HandrailPaths, LibraryStore
from resources import starter_dir, templates_dir

ROOT = Path(__file__).resolve().parent.parent
# Every process the tests start inherits this; what still carries it at the end was left behind.
RUN = os.environ.setdefault(leftovers.RUN_ENV, uuid.uuid4().hex)


def _interrupted(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")  # pytest then tears fixtures (desktops) down


signal.signal(signal.SIGTERM, _interrupted)
signal.signal(signal.SIGHUP, _interrupted)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run if any process it started outlived its tests (they are ended here)."""
    left = leftovers.find(RUN)
    leftovers.end(left)
    if left:
        listing = "\n".join(f"  {pid} {command}" for pid, command in sorted(left.items()))
        print(f"\nprocesses started by the tests were still running at the end (now ended):"
              f"\n{listing}", file=sys.stderr)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def share() -> Iterator[Path]:
    """A team's shared folder, outside pytest's temporary folder: Apache and nginx serve it as
    www-data, and a pytest session started meanwhile closes its own folder to other users."""
    folder = Path(tempfile.mkdtemp(prefix="handrail-share-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def dav(tmp_path: Path) -> Iterator[tuple[DavServer, Path]]:
    """A real wsgidav serving a shared folder of its own on 127.0.0.1, and that folder."""
    folder = tmp_path / "share"
    folder.mkdir()
    server = DavServer(folder, tmp_path)
    try:
        yield server, folder
    finally:
        server.stop()


@pytest.fixture
def paths(tmp_path: Path) -> HandrailPaths:
    return HandrailPaths.under(tmp_path / "home")


@pytest.fixture
def store(paths: HandrailPaths) -> LibraryStore:
    return LibraryStore(paths, starter_dir=starter_dir(), templates_dir=templates_dir())


@pytest.fixture(scope="session")
def tldr_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Real tldr-pages: the whole corpus (38k pages) where this machine has it
    (``HANDRAIL_CORPUS``, or ``../shared``), else the sample shipped in ``tests/data``, so the
    suite passes from a plain clone. Either way a copy: tests may write beside it."""
    target = tmp_path_factory.mktemp("corpus")
    archive = corpus_archive()
    if archive is None:
        shutil.copytree(SAMPLE, target / "tldr-pages")
    else:
        with tarfile.open(archive) as opened:
            opened.extractall(target, filter="data")
    return target / "tldr-pages"


def run_cli(*args: str, home: Path, check: bool = True, input: str | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real `handrail` command in a fresh process."""
    result = subprocess.run([sys.executable, "-m", "app.cli", "--home", str(home), *args],
                            capture_output=True, text=True, cwd=ROOT, input=input, timeout=600,
                            env=env,
                            errors="surrogateescape")  # names that are not UTF-8, as bytes
    if check:
        assert result.returncode == 0, f"handrail {args} failed:\n{result.stdout}\n{result.stderr}"
    return result
