"""The X11 hotkey: XGrabKey on the root window, read through a QSocketNotifier.

Its own X connection (python-xlib) is watched on the Qt main thread, so ``activated`` is emitted
there. The key is grabbed with every NumLock/CapsLock variant, or it would stop working when
NumLock is on. A combination another client holds gives BadAccess: we sync to see it at once.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier

from . import GlobalHotkey, HotkeyError, split_sequence

try:
    from Xlib import XK, X, error
    from Xlib.display import Display
except ImportError:  # pragma: no cover - python-xlib is a Linux dependency
    Display = None

LOCK_VARIANTS = (0, 2, 16, 18)  # none, LockMask (CapsLock), Mod2Mask (NumLock), both
_MODIFIER_MASKS = {"ctrl": 4, "alt": 8, "shift": 1, "super": 64}


class X11GlobalHotkey(GlobalHotkey):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if Display is None:
            raise HotkeyError("python-xlib is not installed")
        try:
            self._display = Display()
        except Exception as exc:  # noqa: BLE001 - Xlib raises several kinds here
            raise HotkeyError(f"cannot talk to the X server ({exc})") from exc
        self._root = self._display.screen().root
        self._grabbed: list[tuple[int, int]] = []
        self._last_release = -1
        self._down = False
        self._notifier = QSocketNotifier(self._display.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read_events)

    def register(self, sequence: str) -> None:
        modifiers, key = split_sequence(sequence)
        keysym = XK.string_to_keysym(key) or XK.string_to_keysym(key.lower())
        if not keysym and len(key) == 1:
            keysym = ord(key.lower())
        keycode = self._display.keysym_to_keycode(keysym) if keysym else 0
        if not keycode:
            raise HotkeyError(f"there is no key {key!r} on this keyboard")
        mask = 0
        for name in modifiers:
            mask |= _MODIFIER_MASKS[name]
        self.unregister()
        caught = error.CatchError(error.BadAccess)
        for variant in LOCK_VARIANTS:
            self._root.grab_key(keycode, mask | variant, True, X.GrabModeAsync,
                                X.GrabModeAsync, onerror=caught)
            self._grabbed.append((keycode, mask | variant))
        self._display.sync()
        if caught.get_error() is not None:
            self.unregister()
            raise HotkeyError(f"{sequence} is already used by another program; pick another "
                              "hotkey in Settings")
        self.sequence = sequence

    def unregister(self) -> None:
        for keycode, mask in self._grabbed:
            self._root.ungrab_key(keycode, mask)
        if self._grabbed:
            self._display.sync()
        self._grabbed.clear()
        super().unregister()

    def _read_events(self) -> None:
        while self._display.pending_events():
            event: Any = self._display.next_event()
            if event.type == X.KeyPress:
                # Auto-repeat sends a release and a press with the same time: one press only.
                if self._down and event.time == self._last_release:
                    continue
                self._down = True
                self.activated.emit()
            elif event.type == X.KeyRelease:
                self._down = False
                self._last_release = event.time
