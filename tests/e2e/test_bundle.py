"""`pyinstaller build.spec` builds a one-folder bundle; the bundle starts and shows the popup."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bench.desktop import Desktop, HandrailApp

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_bundle_builds_starts_and_shows_the_popup(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR",
         "--distpath", str(dist), "--workpath", str(tmp_path / "build"), "build.spec"],
        cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, build.stderr[-3000:]
    executable = dist / "handrail" / "handrail"
    assert executable.is_file()

    listing = subprocess.run([str(executable), "--home", str(tmp_path / "cli"), "search",
                              "--json", "hotkey"], capture_output=True, text=True, timeout=120)
    assert listing.returncode == 0, listing.stderr
    assert "The hotkey does nothing" in listing.stdout

    with Desktop() as desktop:
        app = HandrailApp(desktop, tmp_path / "home", command=[str(executable)]).start()
        try:
            assert app.request(cmd="show", query="before publish")["ok"]
            state = app.wait_state(lambda s: s["active"]
                                   and s["current"] == "Before you publish an aid",
                                   timeout=30)
            assert state["tray"] is True and state["hotkey"] == "Ctrl+Alt+Space"
            desktop.screenshot(tmp_path / "bundle.png")
            # The Insights window draws its charts with pyqtgraph (and numpy): in the bundle.
            app.request(cmd="insights")
            state = app.wait_state(lambda s: s["insights"] and s["insights"]["gaps"] is not None,
                                   timeout=30)
            assert "searches" in state["insights"]["summary"], state["insights"]
            app.request(cmd="library")
            app.wait_state(lambda s: s["library"] and s["library"]["total"] >= 8, timeout=30)
        finally:
            app.stop()
        assert app.process is not None and app.process.returncode == 0, app.log()
