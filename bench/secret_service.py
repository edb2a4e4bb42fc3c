"""A real Secret Service for the credential tests (PLATFORM.md's recipe): a private session
bus with gnome-keyring-daemon on it, its keyring unlocked (or left locked), in a home of its own.
Stopping the bus ends the daemon."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path


class SecretService:
    def __init__(self, home: Path, *, unlocked: bool = True) -> None:
        home.mkdir(parents=True, exist_ok=True)
        runtime = home / "run"
        runtime.mkdir(mode=0o700, exist_ok=True)
        self.env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data"),
                    "XDG_RUNTIME_DIR": str(runtime), "XDG_CONFIG_HOME": str(home / "config")}
        self.env.pop("PYTHON_KEYRING_BACKEND", None)
        started = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-address=1",
                                  "--print-pid=1"], capture_output=True, text=True, check=True,
                                 env=self.env, timeout=30)
        address, pid = started.stdout.split()[:2]
        self._bus_pid = int(pid)
        self.env["DBUS_SESSION_BUS_ADDRESS"] = address
        # The newline is the (empty) password that unlocks the login keyring; with no input at
        # all it stays locked, and keyring's calls fail with "Prompt dismissed".
        subprocess.run(["gnome-keyring-daemon", "--components=secrets",
                        *(["--unlock"] if unlocked else [])], input="\n" if unlocked else "",
                       capture_output=True, text=True, check=True, env=self.env, timeout=30)

    def stop(self) -> None:
        try:
            os.kill(self._bus_pid, signal.SIGTERM)
        except OSError:
            pass

    def __enter__(self) -> SecretService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
