"""What a user installs: the wheel, in a clean virtual environment, away from the source tree.

An editable install (the suite's own) hides missing packages and files; this installs the
built wheel alone, runs the installed `handrail` from another folder, and drives the tray app
on the real X server: the hotkey opens the popup, and typing finds an aid.
"""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from bench.desktop import Desktop, HandrailApp

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_the_installed_wheel_runs_from_anywhere(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                            str(wheels), str(ROOT)], capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-3000:]
    (wheel,) = wheels.glob("handrail-*.whl")

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    install = subprocess.run([str(python), "-m", "pip", "install", "-q", "-c",
                              str(ROOT / "constraints.txt"), str(wheel)],
                             capture_output=True, text=True, timeout=900)
    assert install.returncode == 0, install.stderr[-3000:]

    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "app").mkdir(parents=True)  # a folder named like the package must not shadow it
    (elsewhere / "app" / "__init__.py").write_text("raise SystemExit('the wrong app')\n")
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    handrail = str(env_dir / "bin" / "handrail")

    version = subprocess.run([handrail, "--version"], capture_output=True, text=True,
                             cwd=elsewhere, env=clean, timeout=60)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == "handrail 0.1.0"
    where = subprocess.run([str(python), "-c", "import app, resources, search.whoosh_fence, "
                            "app.hotkey.x11; print(app.__file__); "
                            "print(resources.icon_file('handrail', '.png'))"],
                           capture_output=True, text=True, cwd=tmp_path, env=clean, timeout=60)
    assert where.returncode == 0, where.stderr
    package, icon = where.stdout.split()
    assert "site-packages" in package and str(ROOT) not in package
    assert Path(icon).is_file()
    found = subprocess.run([handrail, "--home", str(tmp_path / "cli"), "search", "--json",
                            "hotkey"], capture_output=True, text=True, cwd=elsewhere, env=clean,
                           timeout=120)
    assert found.returncode == 0, found.stderr
    assert "The hotkey does nothing" in found.stdout

    with Desktop() as desktop:
        desktop.env = {k: v for k, v in desktop.env.items() if k != "PYTHONPATH"}
        app = HandrailApp(desktop, tmp_path / "home", command=[handrail], cwd=elsewhere).start()
        try:
            desktop.open_app_window("Quarterly report - LibreOffice Calc", "libreoffice-calc")
            desktop.xdotool("key", "--delay", "0", "ctrl+alt+space")
            app.wait_state(lambda s: s["visible"] and s["active"] and s["focus_in_search_box"],
                           timeout=30)
            desktop.xdotool("type", "--delay", "30", "before publish")
            state = app.wait_state(lambda s: s["current"] == "Before you publish an aid",
                                   timeout=30)
            assert state["tray"] is True and state["hotkey"] == "Ctrl+Alt+Space"
        finally:
            app.stop()
        assert app.process is not None and app.process.returncode == 0, app.log()
