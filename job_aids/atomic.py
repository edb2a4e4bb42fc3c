"""Atomic file writes: a reader or a crash sees the old file or the new one, never a torn one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

TEMP_SUFFIX = ".handrail-tmp"


def fsync_dir(directory: Path) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def temp_prefix(path: Path) -> str:
    """``.<name>.<pid>.``: the writer's process id lets a later start tell a dead writer's
    leftover (see :mod:`job_aids.leftovers`) from a save in progress."""
    return f".{path.name[:80]}.{os.getpid()}."


def new_file_mode() -> int:
    """The mode a new file gets under the process's umask (0o600 under umask 077)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:  # Linux: read, not set
            for line in status:
                if line.startswith("Umask:"):
                    return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and put back at once
    os.umask(mask)
    return 0o666 & ~mask


def atomic_write_bytes(path: Path, data: bytes, *, durable: bool = True,
                       mode: int | None = None) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder and ``os.replace``.

    With ``durable`` the data and the folder entry are fsynced, so a power cut cannot leave an
    empty file behind. The file keeps the mode of the one it replaces; a new one gets ``mode``
    (a copy passes its original's) or what the umask allows. Raises ``OSError``; callers
    convert it at their boundary.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = new_file_mode() if mode is None else mode & 0o7777
    tmp_name = write_temp(path, data, mode, durable=durable)
    try:
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    if durable:
        fsync_dir(path.parent)


def write_temp(path: Path, data: bytes, mode: int, *, durable: bool = True) -> str:
    """A hidden temp file beside ``path`` holding ``data`` with ``mode``; its name is returned
    for the caller to move into place. Nothing is left behind if writing fails."""
    fd, tmp_name = tempfile.mkstemp(prefix=temp_prefix(path), suffix=TEMP_SUFFIX,
                                    dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    return tmp_name


def atomic_write_text(path: Path, text: str) -> None:
    """Atomically write UTF-8 text (Handrail's own state and config files). A file name that
    is not UTF-8 is written as the bytes it stands for; :func:`read_own_text` reads it back."""
    atomic_write_bytes(path, text.encode("utf-8", "surrogateescape"))


def read_own_text(path: Path) -> str:
    """A file :func:`atomic_write_text` wrote, with names that are not UTF-8 as they were."""
    return path.read_bytes().decode("utf-8", "surrogateescape")
