"""Processes a test or benchmark run started and left running.

Every process the harness starts (Xvfb, D-Bus, openbox, trayer, xterms, the app, its workers)
inherits ``HANDRAIL_TEST_RUN`` from the run; once the run is over, any process still carrying
that run's value in its environment was left behind.

    python -m bench.leftovers RUN   # lists and ends them; exits 1 if there were any
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

RUN_ENV = "HANDRAIL_TEST_RUN"


def _ancestors() -> set[int]:
    pids, pid = set(), os.getpid()
    while pid > 1:
        pids.add(pid)
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            break
        pid = int(stat.rsplit(")", 1)[1].split()[1])
    return pids


# multiprocessing's resource tracker reads a pipe from the process that started it and ends
# when that process does: alive while the test process runs, it is not left behind.
_ENDS_WITH_US = ("from multiprocessing.resource_tracker import main",)


def find(run: str, *, all_of_them: bool = False) -> dict[int, str]:
    """pid -> command line of each live process started under ``run`` (not this one or its
    parents; nor helpers that end with this process, unless ``all_of_them``)."""
    marker = f"{RUN_ENV}={run}".encode()
    mine = _ancestors()
    found: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in mine:
            continue
        try:
            if marker not in (entry / "environ").read_bytes().split(b"\0"):
                continue
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(
                "utf-8", "replace").strip()
        except OSError:
            continue  # gone meanwhile, or not ours to read
        if not command:  # a zombie has none: it is already dead
            continue
        if not all_of_them and any(helper in command for helper in _ENDS_WITH_US):
            continue
        found[int(entry.name)] = command
    return found


def end(pids: dict[int, str]) -> None:
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    left = find(argv[0], all_of_them=True)
    end(left)
    for pid, command in sorted(left.items()):
        print(f"left running by the test run: {pid} {command}", file=sys.stderr)
    return 1 if left else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
