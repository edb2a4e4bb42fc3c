"""One writer at a time: an advisory lock on a lock file that the OS releases when its holder
dies, so it can never go stale (``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows).

Every process of one Handrail home (the tray app, its editors, each CLI command) takes the same
lock before it changes the library, so two saves, a save and a delete, or two deletes never
interleave. Programs that are not Handrail do not take it; :mod:`job_aids.swap` covers them.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .errors import StorageError, map_os_errors

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


# Lock files held by this process (any thread, any WriteLock): a wait for one of them is a
# wait for this process's own work (a sync round, an index update), and is said so.
_HELD_HERE: set[str] = set()


class WriteLock:
    """``with lock.held():`` holds the lock file exclusively; waits up to ``timeout`` seconds.

    Each ``held()`` opens the file anew, so two threads of one process exclude each other too;
    the thread that holds it may take it again (it is then not taken twice).
    """

    def __init__(self, path: Path, *, what: str = "the library", timeout: float = 15.0) -> None:
        self.path = path
        self._what = what
        self._timeout = timeout
        self._owner: int | None = None  # the thread holding it through this object

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        if self._owner == threading.get_ident():
            yield  # already held by this thread (a rebuild's update): taken once
            return
        with map_os_errors(f"lock {self._what} for writing at", self.path):
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            deadline = time.monotonic() + self._timeout
            delay = 0.001
            while not _try_lock(fd):
                if time.monotonic() > deadline:
                    who = ("Handrail's own background work (a sync or an index update) has"
                           if str(self.path) in _HELD_HERE else
                           "Another Handrail process has")
                    raise StorageError.busy(
                        f"{who} been changing {self._what} for {self._timeout:.0f} s and "
                        f"still holds {self.path}. Wait for it to finish (or close it) and "
                        "try again.", self.path)
                time.sleep(delay)
                delay = min(delay * 2, 0.05)
            self._owner = threading.get_ident()
            _HELD_HERE.add(str(self.path))
            try:
                yield
            finally:
                _HELD_HERE.discard(str(self.path))
                self._owner = None
                _unlock(fd)
        finally:
            os.close(fd)
