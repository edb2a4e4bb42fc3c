"""Text from aids is shown on a terminal without its control characters.

An aid (or a file name) can hold escape sequences that set the clipboard, retitle the window or
clear the screen when printed raw; on a terminal each control character but tab and newline is
shown as U+FFFD instead.
"""

from __future__ import annotations

import re
from typing import Any, TextIO

# Control characters but tab and newline, and the stand-ins for bytes of a file name that is
# not UTF-8 (a terminal would get the raw bytes).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\udc80-\udcff]")
_UNDECODED = re.compile("[\udc80-\udcff]")


def terminal_safe(text: str) -> str:
    return _CONTROL.sub("\ufffd", text)


def json_text(value: object) -> str:
    """JSON with a name that is not UTF-8 escaped (``\\udce9``), so the output is valid UTF-8
    and ``os.fsencode`` of the decoded string gives the name's bytes back."""
    import json

    return _UNDECODED.sub(lambda m: f"\\u{ord(m.group()):04x}",
                          json.dumps(value, ensure_ascii=False))


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
