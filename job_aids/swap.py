"""Compare-and-swap of a whole file: new bytes go in only if the file still holds what the
caller last read, and whatever another program wrote meanwhile is handed back, never dropped.

On Linux the swap is one ``renameat2(RENAME_EXCHANGE)``: the new file and the old one trade
places atomically, so the bytes that were replaced are still on disk under the temp name and
can be checked, and put back if they were not the expected ones. Elsewhere (and on file systems
without exchange: FAT, network shares) the check is made through an open handle just before
``os.replace``, and the handle is read again afterwards: a write that lands in between is still
in the old file's handle and is handed back.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .atomic import fsync_dir, write_temp

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def _load_renameat2() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        function = libc.renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]
    function.restype = ctypes.c_int
    return function


_renameat2 = _load_renameat2()


def _exchange(first: str, second: str) -> bool:
    """Swap two names atomically; False where the system or the file system cannot."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                  _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EPERM):
        return False
    raise OSError(code, os.strerror(code), second)


@dataclass
class SwapResult:
    """``installed``: the new bytes are in place (else the file is as another program left it,
    or ``deleted``). ``lost``: other programs' contents that are no longer in the file, for the
    caller to keep."""

    installed: bool
    lost: list[bytes] = field(default_factory=list)
    deleted: bool = False


def _read_all(fd: int) -> bytes:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def swap_if_unchanged(path: Path, data: bytes, expected: Callable[[bytes], bool], *,
                      replaced_to: Path | None = None) -> SwapResult:
    """Put ``data`` at ``path`` if the file there still satisfies ``expected``.

    ``replaced_to`` (a copy of the expected bytes, in the history) is then replaced by the very
    file that was swapped out, where the file system allows: a program that opened the file
    before the swap and writes to it after writes into the history, not into nothing.
    The file keeps its mode. Raises ``OSError`` when the disk refuses; the caller converts it.
    """
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        return SwapResult(installed=False, deleted=True)
    temp = write_temp(path, data, mode)
    try:
        if _exchange(temp, str(path)):
            return _settle_exchange(path, temp, data, expected, replaced_to)
        return _replace_checked(path, temp, expected)
    except FileNotFoundError:
        return SwapResult(installed=False, deleted=True)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)


def _settle_exchange(path: Path, temp: str, data: bytes, expected: Callable[[bytes], bool],
                     replaced_to: Path | None) -> SwapResult:
    with open(temp, "rb") as handle:
        replaced = handle.read()
    if expected(replaced):
        fsync_dir(path.parent)
        if replaced_to is not None:
            with contextlib.suppress(OSError):  # another disk: the copy stays, temp is removed
                os.replace(temp, replaced_to)
        return SwapResult(installed=True)
    # Another program wrote between our read and the swap: put its file back where it was.
    _exchange(temp, str(path))
    with open(temp, "rb") as handle:
        ours_or_theirs = handle.read()
    # A third writer's file, if one landed between the two swaps, is only in the temp now.
    return SwapResult(installed=False, lost=[] if ours_or_theirs == data else [ours_or_theirs])


def _replace_checked(path: Path, temp: str, expected: Callable[[bytes], bool]) -> SwapResult:
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        before = _read_all(fd)
        if not expected(before):
            return SwapResult(installed=False)
        os.replace(temp, path)
        fsync_dir(path.parent)
        after = _read_all(fd)  # a write in place that landed just now is still in this file
    finally:
        os.close(fd)
    return SwapResult(installed=True, lost=[] if expected(after) else [after])
