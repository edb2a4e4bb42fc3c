"""Guards against Qt binding bugs that would crash a long-running tray app."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    changed = Signal(object)


def test_emitting_signals_keeps_the_reference_count_of_true() -> None:
    # PySide6 6.12.0 on Python 3.11 dropped one reference to True per emit(): after a few
    # thousand keystrokes the interpreter aborts ("bool_dealloc"). pyproject.toml excludes it.
    emitter = _Emitter()
    before = sys.getrefcount(True)
    for number in range(2000):
        emitter.changed.emit(number)
    assert sys.getrefcount(True) >= before - 10
