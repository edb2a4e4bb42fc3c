"""What killed writers leave behind, cleaned at start.

A save writes ``.<name>.<pid>.<random>.handrail-tmp`` beside the aid and renames it into place;
a process killed in between leaves the temp file (a partial copy of new text: the aid itself is
whole). A delete renames the aid aside to ``.<name>.<pid>.handrail-deleting`` after copying it to
the trash; a kill in between leaves the aside, which then goes to the trash.

A leftover is removed only when its writer is gone: no process with its id is alive and the file
is a minute old (a USB stick's writer may run on another machine, whose ids mean nothing here),
or it is a day old whatever the id says (ids are reused).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import TEMP_SUFFIX
from .trash import DELETING_SUFFIX, Trash

log = logging.getLogger(__name__)

QUIET_SECONDS = 60.0
STALE_SECONDS = 24 * 3600.0


@dataclass
class Cleaned:
    removed: list[Path] = field(default_factory=list)  # temp files of dead writers
    trashed: list[Path] = field(default_factory=list)  # half-done deletes, finished


def _writer_pid(name: str) -> int | None:
    """The pid in ``.<name>.<pid>.<random>.handrail-tmp`` / ``.<name>.<pid>.handrail-deleting``."""
    parts = name.split(".")
    at = -3 if name.endswith(TEMP_SUFFIX) else -2
    return int(parts[at]) if len(parts) >= 4 and parts[at].isdigit() else None


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    if os.name != "posix":
        return True  # unknown: only the day-old rule applies
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _abandoned(path: Path, now: float) -> bool:
    try:
        age = now - path.stat().st_mtime
    except OSError:
        return False
    if age > STALE_SECONDS:
        return True
    pid = _writer_pid(path.name)
    return age > QUIET_SECONDS and (pid is None or not _alive(pid))


def clean(folders: Iterable[Path], trash: Trash, *, now: float | None = None) -> Cleaned:
    """Remove abandoned temp files and finish abandoned deletes under ``folders``."""
    now = time.time() if now is None else now
    cleaned = Cleaned()
    for root in folders:
        for folder, _dirs, files in os.walk(root):
            for name in files:
                if not name.startswith("."):
                    continue
                path = Path(folder, name)
                if name.endswith(TEMP_SUFFIX) and _abandoned(path, now):
                    try:
                        path.unlink()
                    except OSError as error:
                        log.warning("cannot remove the leftover %s: %s", path, error.strerror)
                        continue
                    cleaned.removed.append(path)
                elif name.endswith(DELETING_SUFFIX) and _abandoned(path, now):
                    original = path.with_name(_original_name(name))
                    try:
                        trash.put(path, collection="", title=original.stem, aid_id="",
                                  original=original)
                    except OSError as error:
                        log.warning("cannot finish deleting %s: %s", path, error.strerror)
                        continue
                    cleaned.trashed.append(original)
    return cleaned


def _original_name(name: str) -> str:
    """``.unjam.md.4242.handrail-deleting`` -> ``unjam.md``."""
    stem = name[1:-len(DELETING_SUFFIX)].rstrip(".")
    return stem.rsplit(".", 1)[0]
