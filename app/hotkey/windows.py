"""The Windows hotkey: RegisterHotKey, with WM_HOTKEY caught by a native event filter.

Not run in CI (Linux only); written against the Win32 documentation.
"""

from __future__ import annotations

import ctypes
from typing import Any

from PySide6.QtCore import QAbstractNativeEventFilter, QCoreApplication, QObject

from . import GlobalHotkey, HotkeyError, split_sequence

WM_HOTKEY = 0x0312
MOD_ALT, MOD_CONTROL, MOD_SHIFT, MOD_WIN, MOD_NOREPEAT = 0x1, 0x2, 0x4, 0x8, 0x4000
_MODS = {"alt": MOD_ALT, "ctrl": MOD_CONTROL, "shift": MOD_SHIFT, "super": MOD_WIN}
_NAMED_KEYS = {"space": 0x20, "return": 0x0D, "enter": 0x0D, "tab": 0x09, "escape": 0x1B,
               "insert": 0x2D, "delete": 0x2E, "home": 0x24, "end": 0x23, "pause": 0x13}
_HOTKEY_ID = 0x4852  # "HR"


class _Filter(QAbstractNativeEventFilter):
    def __init__(self, owner: WindowsGlobalHotkey) -> None:
        super().__init__()
        self._owner = owner

    def nativeEventFilter(self, event_type: Any, message: Any) -> Any:
        if bytes(event_type) == b"windows_generic_MSG":
            from ctypes import wintypes

            msg = wintypes.MSG.from_address(int(message))
            if msg.message == WM_HOTKEY and msg.wParam == _HOTKEY_ID:
                self._owner.activated.emit()
                return True, 0
        return False, 0


class WindowsGlobalHotkey(GlobalHotkey):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._user32: Any = ctypes.windll.user32  # type: ignore[attr-defined]
        self._filter = _Filter(self)
        app = QCoreApplication.instance()
        if app is not None:
            app.installNativeEventFilter(self._filter)
        self._registered = False

    def register(self, sequence: str) -> None:
        modifiers, key = split_sequence(sequence)
        mods = MOD_NOREPEAT
        for name in modifiers:
            mods |= _MODS[name]
        upper = key.upper()
        if len(key) == 1:
            vk = ord(upper)
        elif upper.startswith("F") and upper[1:].isdigit():
            vk = 0x6F + int(upper[1:])
        elif key.lower() in _NAMED_KEYS:
            vk = _NAMED_KEYS[key.lower()]
        else:
            raise HotkeyError(f"the key {key!r} cannot be a hotkey here")
        self.unregister()
        if not self._user32.RegisterHotKey(None, _HOTKEY_ID, mods, vk):
            raise HotkeyError(f"{sequence} is already used by another program (or by Windows: "
                              "Alt+Space opens the window menu); pick another hotkey in Settings")
        self._registered = True
        self.sequence = sequence

    def unregister(self) -> None:
        if self._registered:
            self._user32.UnregisterHotKey(None, _HOTKEY_ID)
            self._registered = False
        super().unregister()
