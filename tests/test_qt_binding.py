"""Guards against Qt binding bugs that would crash a long-running tray app."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
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


def test_trimming_drops_the_module_sources_pyside_reads(tmp_path: Path,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    # PySide6 reads the source of each module imported after it (inspect.getsource) and
    # linecache keeps it: megabytes for a tray app that never shows a traceback.
    import linecache

    from app import memory

    (tmp_path / "handrail_probe_module.py").write_text("VALUE = 1\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    __import__("handrail_probe_module")  # as an import statement does: PySide hooks __import__
    assert any(name.endswith("handrail_probe_module.py") for name in linecache.cache)
    memory.trim()
    assert not linecache.cache
