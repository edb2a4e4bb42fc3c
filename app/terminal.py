"""Text from aids is shown on a terminal without its control characters.

An aid (or a file name) can hold escape sequences that set the clipboard, retitle the window or
clear the screen when printed raw; on a terminal each control character but tab and newline is
shown as U+FFFD instead.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def terminal_safe(text: str) -> str:
    return _CONTROL.sub("\ufffd", text)


class SafeStream:
    """Wraps a terminal stream so that everything written through it is :func:`terminal_safe`."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        return self._stream.write(terminal_safe(text))

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def guard(stream: TextIO) -> TextIO:
    """``stream`` itself when it is not a terminal (a pipe or file gets the bytes as they are),
    else a :class:`SafeStream` over it."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return stream
    return SafeStream(stream) if tty else stream  # type: ignore[return-value]
