"""The log: a rotating file in the platform's log folder (or the portable home's ``logs``).

A tray app started at login has no terminal, so what it would print goes here too, with the
traceback of every unexpected error (see :mod:`app.unexpected`). INFO by default; ``--debug``
or ``HANDRAIL_DEBUG=1`` turn on DEBUG.

What is logged is about the program, never the user's words: no aid text, no search words, no
passwords or tokens. Messages are also scrubbed of anything that looks like a credential
(``tests/test_logs.py`` scans a log written while using aids, searches and a password).
"""

from __future__ import annotations

import logging
import os
import re
import sys
from pathlib import Path

from job_aids.paths import HandrailPaths

LOG_NAME = "handrail.log"
LOG_BYTES = 1_000_000
LOG_BACKUPS = 3
DEBUG_ENV = "HANDRAIL_DEBUG"
FORMAT = "%(asctime)s %(levelname)s %(name)s [%(threadName)s] %(message)s"

# user:password@ in URLs, Authorization headers, password=/token=/secret= pairs.
_SECRETS = re.compile(
    r"(?P<url>//[^/\s:@]+:)[^@\s/]+@"
    r"|(?P<header>authorization\s*[:=]\s*)(?:\w+\s+)?\S+"
    r"|(?P<pair>(?:password|passwd|token|secret|api[_-]?key)\w*\s*[:=]\s*)\S+",
    re.IGNORECASE)


def scrub(text: str) -> str:
    """``text`` with credentials replaced by ``***``."""
    def hide(match: re.Match[str]) -> str:
        if match.group("url"):
            return f"{match.group('url')}***@"
        return f"{match.group('header') or match.group('pair')}***"

    return _SECRETS.sub(hide, text)


class _Scrubbing(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return scrub(super().format(record))


def debug_wanted(flag: bool = False) -> bool:
    return flag or os.environ.get(DEBUG_ENV, "").strip().lower() not in ("", "0", "no", "false")


def log_file(paths: HandrailPaths) -> Path:
    return paths.logs / LOG_NAME


def _rotate(file: Path) -> None:
    """handrail.log -> handrail.log.1 -> ... .3, once it is over the size limit."""
    try:
        if file.stat().st_size < LOG_BYTES:
            return
    except OSError:
        return
    for number in range(LOG_BACKUPS, 0, -1):
        older = file.with_name(f"{file.name}.{number}")
        newer = file.with_name(f"{file.name}.{number - 1}") if number > 1 else file
        if newer.exists():
            os.replace(newer, older)


def setup(paths: HandrailPaths, *, debug: bool = False, stderr: bool = False,
          long_running: bool = False) -> Path | None:
    """Send Handrail's log records to its log file (and, with ``stderr``, warnings to stderr
    as ``handrail: message``). Returns the file, or None when it cannot be written (the
    reason goes to stderr: the program works on without a log).

    A command appends a few lines: the file is rotated at start when it is too big. The tray
    app (``long_running``) rotates it as it writes."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if debug_wanted(debug) else logging.INFO)
    for old in list(root.handlers):
        if getattr(old, "_handrail", False):
            root.removeHandler(old)
            old.close()
    file = log_file(paths)
    handler: logging.Handler
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        _rotate(file)
        if long_running:
            from logging.handlers import RotatingFileHandler  # 6 ms to import: not per command

            handler = RotatingFileHandler(file, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS,
                                          encoding="utf-8", delay=True,
                                          errors="backslashreplace")
        else:
            handler = logging.FileHandler(file, encoding="utf-8", delay=True,
                                          errors="backslashreplace")
    except OSError as error:
        print(f"handrail: no log file ({file}: {error.strerror or error})", file=sys.stderr)
        written: Path | None = None
    else:
        handler.setFormatter(_Scrubbing(FORMAT))
        handler._handrail = True  # type: ignore[attr-defined]
        root.addHandler(handler)
        written = file
    if stderr and sys.stderr is not None:
        console: logging.Handler = logging.StreamHandler(sys.stderr)
        console.setLevel(logging.WARNING)
        console.setFormatter(_Scrubbing("handrail: %(message)s"))
        console._handrail = True  # type: ignore[attr-defined]
        root.addHandler(console)
    # Libraries' chatter stays out, debugging or not: it names the user's files (whose names
    # come from their titles), URLs and requests.
    for noisy in ("watchdog", "PIL", "markdown", "MARKDOWN", "urllib3", "httpx", "httpcore",
                  "keyring", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return written
