"""The macOS hotkey: Carbon's RegisterEventHotKey, whose presses arrive as Carbon events on the
main run loop that Qt's Cocoa event loop runs (the way QxtGlobalShortcut and most macOS launchers
do it; it needs no Accessibility permission).

Best effort: there is no Mac here, so this was written to Apple's Carbon headers
(CarbonEvents.h, Events.h) and never run. The key and modifier mapping is tested on Linux.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from typing import Any

from PySide6.QtCore import QObject

from . import GlobalHotkey, HotkeyError, split_sequence

# Qt's convention on macOS, which the Settings dialog's key sequences follow: "Ctrl" is the
# Command key and "Meta" (here "super") is the Control key.
CMD_KEY, SHIFT_KEY, OPTION_KEY, CONTROL_KEY = 0x0100, 0x0200, 0x0800, 0x1000
_MODIFIERS = {"ctrl": CMD_KEY, "shift": SHIFT_KEY, "alt": OPTION_KEY, "super": CONTROL_KEY}
# Virtual key codes (kVK_*, Events.h): positions on an ANSI keyboard.
_KEYS = {
    "a": 0x00, "s": 0x01, "d": 0x02, "f": 0x03, "h": 0x04, "g": 0x05, "z": 0x06, "x": 0x07,
    "c": 0x08, "v": 0x09, "b": 0x0B, "q": 0x0C, "w": 0x0D, "e": 0x0E, "r": 0x0F, "y": 0x10,
    "t": 0x11, "1": 0x12, "2": 0x13, "3": 0x14, "4": 0x15, "6": 0x16, "5": 0x17, "9": 0x19,
    "7": 0x1A, "8": 0x1C, "0": 0x1D, "o": 0x1F, "u": 0x20, "i": 0x22, "p": 0x23, "l": 0x25,
    "j": 0x26, "k": 0x28, "n": 0x2D, "m": 0x2E,
    "space": 0x31, "return": 0x24, "enter": 0x24, "tab": 0x30, "escape": 0x35,
    "f1": 0x7A, "f2": 0x78, "f3": 0x63, "f4": 0x76, "f5": 0x60, "f6": 0x61, "f7": 0x62,
    "f8": 0x64, "f9": 0x65, "f10": 0x6D, "f11": 0x67, "f12": 0x6F,
}
K_EVENT_CLASS_KEYBOARD = int.from_bytes(b"keyb", "big")
K_EVENT_HOT_KEY_PRESSED = 5
EVENT_HOT_KEY_EXISTS = -9878
SIGNATURE = int.from_bytes(b"HNDR", "big")


def mac_hotkey(sequence: str) -> tuple[int, int]:
    """(virtual key code, Carbon modifier mask) of a sequence like "Ctrl+Alt+Space"."""
    modifiers, key = split_sequence(sequence)
    code = _KEYS.get(key.lower())
    if code is None:
        raise HotkeyError(f"the key {key!r} cannot be a hotkey here; use a letter, a digit, "
                          "Space, Tab, Return or F1-F12")
    mask = 0
    for name in modifiers:
        mask |= _MODIFIERS[name]
    return code, mask


class _EventHotKeyID(ctypes.Structure):
    _fields_ = [("signature", ctypes.c_uint32), ("id", ctypes.c_uint32)]


class _EventTypeSpec(ctypes.Structure):
    _fields_ = [("eventClass", ctypes.c_uint32), ("eventKind", ctypes.c_uint32)]


_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int32, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)


class MacGlobalHotkey(GlobalHotkey):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        path = ctypes.util.find_library("Carbon")
        if path is None:
            raise HotkeyError("the Carbon framework is not there")
        carbon: Any = ctypes.CDLL(path)
        carbon.GetApplicationEventTarget.restype = ctypes.c_void_p
        carbon.RegisterEventHotKey.argtypes = [
            ctypes.c_uint32, ctypes.c_uint32, _EventHotKeyID, ctypes.c_void_p, ctypes.c_uint32,
            ctypes.POINTER(ctypes.c_void_p)]
        carbon.UnregisterEventHotKey.argtypes = [ctypes.c_void_p]
        carbon.InstallEventHandler.argtypes = [
            ctypes.c_void_p, _HANDLER, ctypes.c_ulong, ctypes.POINTER(_EventTypeSpec),
            ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p)]
        self._carbon = carbon
        self._hotkey = ctypes.c_void_p()
        self._callback = _HANDLER(self._pressed)  # kept: Carbon holds only the pointer
        spec = _EventTypeSpec(K_EVENT_CLASS_KEYBOARD, K_EVENT_HOT_KEY_PRESSED)
        handler = ctypes.c_void_p()
        status = carbon.InstallEventHandler(carbon.GetApplicationEventTarget(), self._callback,
                                            1, ctypes.byref(spec), None, ctypes.byref(handler))
        if status != 0:
            raise HotkeyError(f"macOS would not deliver hotkey events (error {status})")

    def _pressed(self, _call: Any, _event: Any, _data: Any) -> int:
        self.activated.emit()  # on the main thread: Carbon events come from its run loop
        return 0

    def register(self, sequence: str) -> None:
        code, mask = mac_hotkey(sequence)
        self.unregister()
        status = self._carbon.RegisterEventHotKey(
            code, mask, _EventHotKeyID(SIGNATURE, 1), self._carbon.GetApplicationEventTarget(),
            0, ctypes.byref(self._hotkey))
        if status == EVENT_HOT_KEY_EXISTS:
            raise HotkeyError(f"{sequence} is already used by another program; pick another "
                              "hotkey in Settings")
        if status != 0:
            raise HotkeyError(f"macOS refused the hotkey {sequence} (error {status})")
        self.sequence = sequence

    def unregister(self) -> None:
        if self._hotkey.value:
            self._carbon.UnregisterEventHotKey(self._hotkey)
            self._hotkey = ctypes.c_void_p()
        super().unregister()
