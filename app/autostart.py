"""Start at login: an XDG autostart entry, the Windows Run key, or a macOS LaunchAgent."""

from __future__ import annotations

import importlib
import os
import plistlib
import shlex
import shutil
import sys
import sysconfig
from pathlib import Path
from typing import Any

from job_aids.atomic import atomic_write_bytes, atomic_write_text
from resources import icon_file

ENTRY_NAME = "handrail"


def launch_command() -> list[str]:
    """How to start this Handrail at login: the frozen bundle, or the installed entry point.

    Never ``python -m app``: a login session starts in the home folder, where any folder named
    ``app`` would be imported instead. The entry point imports the installed package.
    Raises OSError when Handrail is not installed as a command.
    """
    if getattr(sys, "frozen", False):
        return [sys.executable]
    script = "handrail-gui" if sys.platform == "win32" else "handrail"
    folders = [Path(sysconfig.get_path("scripts")), Path(sys.executable).parent]
    for folder in folders:
        for name in (script, f"{script}.exe"):
            if (folder / name).is_file():
                return [str(folder / name)]
    found = shutil.which(script)
    if found:
        return [found]
    raise OSError(f"the {script} command is not installed (pip install handrail)")


def xdg_autostart_file() -> Path:
    config = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config / "autostart" / f"{ENTRY_NAME}.desktop"


def launch_agent_file() -> Path:
    return Path.home() / "Library" / "LaunchAgents" / "org.handrail.Handrail.plist"


def is_enabled() -> bool:
    if sys.platform == "win32":
        return _windows_run_value() is not None
    if sys.platform == "darwin":
        return launch_agent_file().exists()
    return xdg_autostart_file().exists()


def set_enabled(enabled: bool, command: list[str] | None = None) -> None:
    """Turn start at login on or off; raises OSError with the reason when it cannot."""
    command = command or launch_command()
    if sys.platform == "win32":
        _set_windows_run(command if enabled else None)
    elif sys.platform == "darwin":
        file = launch_agent_file()
        if enabled:
            atomic_write_bytes(file, plistlib.dumps(
                {"Label": "org.handrail.Handrail", "ProgramArguments": command,
                 "RunAtLoad": True}))
        else:
            file.unlink(missing_ok=True)
    else:
        file = xdg_autostart_file()
        if enabled:
            atomic_write_text(file, "\n".join([
                "[Desktop Entry]", "Type=Application", "Name=Handrail",
                "Comment=Job aids one keystroke away",
                f"Exec={shlex.join(command)}", f"Icon={icon_file(suffix='.png')}",
                "Terminal=false", "X-GNOME-Autostart-enabled=true", ""]))
        else:
            file.unlink(missing_ok=True)


_RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"


def _windows_run_value() -> str | None:  # pragma: no cover - Windows only
    winreg: Any = importlib.import_module("winreg")

    try:
        with winreg.OpenKey(winreg.HKEY_CURRENT_USER, _RUN_KEY) as key:
            return str(winreg.QueryValueEx(key, "Handrail")[0])
    except OSError:
        return None


def _set_windows_run(command: list[str] | None) -> None:  # pragma: no cover - Windows only
    import subprocess

    winreg: Any = importlib.import_module("winreg")

    with winreg.OpenKey(winreg.HKEY_CURRENT_USER, _RUN_KEY, 0, winreg.KEY_SET_VALUE) as key:
        if command is None:
            try:
                winreg.DeleteValue(key, "Handrail")
            except FileNotFoundError:
                pass
        else:
            winreg.SetValueEx(key, "Handrail", 0, winreg.REG_SZ,
                              subprocess.list2cmdline(command))
