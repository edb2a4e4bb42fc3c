"""The one way Handrail runs work off the main thread: ``run_in_background(fn, on_done)``.

Work functions take plain data and never touch widgets; their result (or error) comes back to the
main thread through a queued signal. Tests may pass a synchronous runner instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

# Work that fails on purpose hands its error to the caller; a bug is logged with its
# traceback, and the caller gets an UnexpectedError that says where the log is.
from .unexpected import contained


class _Relay(QObject):
    """Brings one job's outcome back to the thread that started it, then deletes itself.

    Its slots are bound methods: lambdas connected to its own signals, holding the relay, made
    a cycle through Qt that Python never freed, and one relay (with its Qt object) was left
    behind per job, such as every preview shown.
    """

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, on_done: Callable[[Any], None],
                 on_error: Callable[[Exception], None]) -> None:
        super().__init__()
        self._on_done: Callable[[Any], None] | None = on_done
        self._on_error: Callable[[Exception], None] | None = on_error
        self.done.connect(self._finish_done)
        self.failed.connect(self._finish_failed)

    def _finish_done(self, value: Any) -> None:
        callback = self._on_done
        self._end()
        if callback is not None:
            callback(value)

    def _finish_failed(self, error: Exception) -> None:
        callback = self._on_error
        self._end()
        if callback is not None:
            callback(error)

    def _end(self) -> None:
        self._on_done = self._on_error = None
        _live_relays.discard(self)
        self.deleteLater()


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn: Callable[[], Any] | None = fn
        self._relay: _Relay | None = relay

    def run(self) -> None:
        relay, self._relay = self._relay, None  # the job holds it no longer than it runs
        fn, self._fn = self._fn, None
        assert relay is not None and fn is not None, "a job runs once"
        with contained("working in the background", relay.failed.emit):
            relay.done.emit(fn())


_live_relays: set[_Relay] = set()  # relays whose job is still running


def run_in_background(fn: Callable[[], Any], on_done: Callable[[Any], None],
                      on_error: Callable[[Exception], None],
                      pool: QThreadPool | None = None) -> None:
    """Run ``fn`` on a pool thread; call ``on_done(result)`` or ``on_error(exc)`` on this thread."""
    relay = _Relay(on_done, on_error)
    _live_relays.add(relay)
    (pool or QThreadPool.globalInstance()).start(_Job(fn, relay))
