"""Work off the main thread: results and errors come back, and nothing is left behind."""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

from app.background import _Relay, run_in_background


def _live_relays() -> int:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    return sum(1 for thing in gc.get_objects() if isinstance(thing, _Relay))


def test_results_and_errors_come_back_and_no_relay_is_left(qtbot: QtBot) -> None:
    before = _live_relays()
    results: list[int] = []
    errors: list[str] = []

    def fail(number: int) -> int:
        raise ValueError(f"bad {number}")

    for number in range(150):
        run_in_background(lambda number=number: number * 2, results.append,
                          lambda error: errors.append(str(error)))
        run_in_background(lambda number=number: fail(number), results.append,
                          lambda error: errors.append(str(error)))
    qtbot.waitUntil(lambda: len(results) + len(errors) == 300, timeout=20000)
    assert sorted(results) == [number * 2 for number in range(150)]
    assert sorted(errors) == sorted(f"bad {number}" for number in range(150))
    qtbot.wait(50)
    assert _live_relays() - before == 0  # each relay was freed once it had called back
