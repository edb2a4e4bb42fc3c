"""The one way Handrail runs work off the main thread: ``run_in_background(fn, on_done)``.

Work functions take plain data and never touch widgets; their result (or error) comes back to the
main thread through a queued signal. Tests may pass a synchronous runner instead.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


class _Relay(QObject):
    done = Signal(object)
    failed = Signal(object)


class _Job(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as error:  # noqa: BLE001 - every failure goes back to the caller
            self._relay.failed.emit(error)
        else:
            self._relay.done.emit(result)


_live_relays: set[_Relay] = set()


def run_in_background(fn: Callable[[], Any], on_done: Callable[[Any], None],
                      on_error: Callable[[Exception], None],
                      pool: QThreadPool | None = None) -> None:
    """Run ``fn`` on a pool thread; call ``on_done(result)`` or ``on_error(exc)`` on this thread."""
    relay = _Relay()
    _live_relays.add(relay)

    def finish(callback: Callable[[Any], None], value: Any) -> None:
        _live_relays.discard(relay)
        callback(value)

    relay.done.connect(lambda value: finish(on_done, value))
    relay.failed.connect(lambda error: finish(on_error, error))
    (pool or QThreadPool.globalInstance()).start(_Job(fn, relay))
