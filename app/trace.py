"""Timestamps for the benchmarks: when HANDRAIL_TRACE names a file, events are appended to it.

Each line is ``<CLOCK_MONOTONIC ns> <event> <json details>``; the clock is shared by every process
on the machine, so a benchmark can compare it with the moment it sent a key.
"""

from __future__ import annotations

import json
import os
import time
from typing import IO, Any

_file: IO[str] | None = None
_path = os.environ.get("HANDRAIL_TRACE")


def trace(event: str, **details: Any) -> None:
    global _file
    if not _path:
        return
    if _file is None:
        _file = open(_path, "a", encoding="utf-8", buffering=1)  # noqa: SIM115 - kept open
    _file.write(f"{time.monotonic_ns()} {event} {json.dumps(details, ensure_ascii=False)}\n")
