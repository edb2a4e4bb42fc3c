"""Work off the main thread: results and errors come back, and nothing is left behind."""

from __future__ import annotations

import gc

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from pytestqt.qtbot import QtBot

from app.background import _Relay, run_in_background
from app.unexpected import UnexpectedError
from job_aids import JobAidError


def _live_relays() -> int:
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    return sum(1 for thing in gc.get_objects() if isinstance(thing, _Relay))


def test_results_and_errors_come_back_and_no_relay_is_left(qtbot: QtBot) -> None:
    before = _live_relays()
    results: list[int] = []
    errors: list[str] = []

    def fail(number: int) -> int:
        raise JobAidError(f"bad {number}")

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


def test_a_bug_in_background_work_is_logged_and_the_caller_told(
        qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    errors: list[Exception] = []

    def buggy() -> int:
        return {}["missing"]  # type: ignore[no-any-return]

    run_in_background(buggy, lambda _: None, errors.append)
    qtbot.waitUntil(lambda: bool(errors), timeout=5000)
    assert isinstance(errors[0], UnexpectedError)
    assert "unexpected problem while working in the background: KeyError" in str(errors[0])
    logged = [r for r in caplog.records if r.exc_info]
    assert logged and logged[0].exc_info[0] is KeyError  # the traceback is in the log
