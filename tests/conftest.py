from __future__ import annotations

import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from job_aids import HandrailPaths, LibraryStore
from resources import starter_dir, templates_dir

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT.parent / "shared" / "corpora" / "tldr-pages.tar.gz"


@pytest.fixture
def paths(tmp_path: Path) -> HandrailPaths:
    return HandrailPaths.under(tmp_path / "home")


@pytest.fixture
def store(paths: HandrailPaths) -> LibraryStore:
    return LibraryStore(paths, starter_dir=starter_dir(), templates_dir=templates_dir())


@pytest.fixture(scope="session")
def tldr_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real tldr-pages corpus, unpacked once per test run. Missing corpus fails, not skips."""
    assert CORPUS.is_file(), f"the shared corpus is missing: {CORPUS}"
    target = tmp_path_factory.mktemp("corpus")
    with tarfile.open(CORPUS) as archive:
        archive.extractall(target, filter="data")
    return target / "tldr-pages"


def run_cli(*args: str, home: Path, check: bool = True, input: str | None = None,
            ) -> subprocess.CompletedProcess[str]:
    """Run the real `handrail` command in a fresh process."""
    result = subprocess.run([sys.executable, "-m", "app.cli", "--home", str(home), *args],
                            capture_output=True, text=True, cwd=ROOT, input=input, timeout=600)
    if check:
        assert result.returncode == 0, f"handrail {args} failed:\n{result.stdout}\n{result.stderr}"
    return result
