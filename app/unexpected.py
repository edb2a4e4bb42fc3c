"""The top-level hook: what no other code expected is logged with its traceback and shown.

Every error the core can raise on purpose is converted at its package's boundary
(``JobAidError``, ``SearchError``) and handled where it happens. Anything else is a bug: it
reaches :func:`report` through ``sys.excepthook``, ``threading.excepthook`` or
:func:`contained` (for loops and event handlers that must go on: one bad request must not end
the app). This is the only module of the app that catches every ``Exception``.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

from job_aids import JobAidError
from search import SearchError
from sync.targets import SyncError

# What the core and the OS fail with on purpose: shown to the user as they are. Anything else
# is a bug: logged with its traceback (and the user told where the log is).
EXPECTED_ERRORS = (JobAidError, SearchError, SyncError, OSError)

log = logging.getLogger("handrail")


class UnexpectedError(Exception):
    """Stands in, for a caller waiting on work, for an error that was a bug (it is logged)."""

# Shows a one-line message to the user (the tray's balloon, once the app is up).
_notify: Callable[[str], None] | None = None
_log_file: str | None = None


def message_for(error: BaseException, where: str) -> str:
    message = f"Handrail hit an unexpected problem while {where}: {type(error).__name__}"
    if str(error):
        message += f": {str(error)[:200]}"
    if _log_file:
        message += f". The details are in the log: {_log_file}"
    return message


def report(error: BaseException, where: str,
           traceback: TracebackType | None = None) -> str:
    """Log ``error`` with its traceback and tell the user; returns the message shown."""
    message = message_for(error, where)
    log.error("unexpected error while %s", where,
              exc_info=(type(error), error, traceback or error.__traceback__))
    if _notify is not None:
        try:
            _notify(message)
        except Exception:  # noqa: BLE001 - showing must never raise from the hook itself
            log.exception("the message could not be shown")
    elif sys.stderr is not None:
        print(f"handrail: {message}", file=sys.stderr)
    return message


@contextmanager
def contained(where: str,
              on_error: Callable[[Exception], None] | None = None) -> Iterator[None]:
    """Run a block whose errors go to ``on_error`` instead of up: a request handler, one query
    of a loop, a background job. An error the core or the OS raises on purpose
    (:data:`EXPECTED_ERRORS`) is handed over as it is; any other is a bug: it is reported
    (logged with its traceback) and handed over as an :class:`UnexpectedError` saying so."""
    try:
        yield
    except EXPECTED_ERRORS as error:
        if on_error is not None:
            on_error(error)
    except Exception as error:  # noqa: BLE001 - the one place that catches everything
        message = report(error, where)
        if on_error is not None:
            on_error(UnexpectedError(message))


def _excepthook(kind: type[BaseException], error: BaseException,
                traceback: TracebackType | None) -> None:
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, error, traceback)
        return
    report(error, "running", traceback)


def _thread_hook(args: threading.ExceptHookArgs) -> None:
    if args.exc_value is None or isinstance(args.exc_value, SystemExit):
        return
    name = args.thread.name if args.thread is not None else "a background thread"
    report(args.exc_value, f"working in {name}", args.exc_traceback)


def install(log_file: str | None = None, notify: Callable[[str], None] | None = None) -> None:
    """Route uncaught errors (main thread, other threads, Qt's callbacks) to :func:`report`."""
    global _log_file, _notify
    _log_file = log_file or _log_file
    _notify = notify or _notify
    sys.excepthook = _excepthook
    threading.excepthook = _thread_hook
