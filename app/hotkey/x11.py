"""The X11 hotkey: XGrabKey on the root window, read through a QSocketNotifier.

Its own X connection (python-xlib) is watched on the Qt main thread, so ``activated`` is emitted
there. The key is grabbed with every NumLock/CapsLock variant, or it would stop working when
NumLock is on. A combination another client holds gives BadAccess: we sync to see it at once.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier, Qt, QTimer

from .. import trace
from . import GlobalHotkey, HeldKey, HotkeyError, split_sequence

try:
    from Xlib import XK, X, error
    from Xlib.display import Display
except ImportError:  # pragma: no cover - python-xlib is a Linux dependency
    Display = None

HOLD_LIMIT_MS = 600  # never hold the keyboard longer than this, whatever happens
_SPECIAL_KEYS = {0xFF08: Qt.Key.Key_Backspace, 0xFF0D: Qt.Key.Key_Return,
                 0xFF8D: Qt.Key.Key_Enter, 0xFF1B: Qt.Key.Key_Escape, 0xFF09: Qt.Key.Key_Tab,
                 0xFF52: Qt.Key.Key_Up, 0xFF54: Qt.Key.Key_Down, 0xFFFF: Qt.Key.Key_Delete,
                 0xFF51: Qt.Key.Key_Left, 0xFF53: Qt.Key.Key_Right}
LOCK_VARIANTS = (0, 2, 16, 18)  # none, LockMask (CapsLock), Mod2Mask (NumLock), both
_MODIFIER_MASKS = {"ctrl": 4, "alt": 8, "shift": 1, "super": 64}


class X11GlobalHotkey(GlobalHotkey):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        if Display is None:
            raise HotkeyError("python-xlib is not installed")
        try:
            self._display = Display()
        except (error.DisplayError, error.ConnectionClosedError, error.XError,
                error.XauthError, OSError) as exc:
            raise HotkeyError(f"cannot talk to the X server ({exc})") from exc
        self._root = self._display.screen().root
        self._grabbed: list[tuple[int, int]] = []
        # Between the hotkey and the popup having the focus, typed keys would go to the
        # window the user was in (lost for the search). The keyboard is held for us meanwhile
        # and the keys are replayed into the popup; a timer makes sure it is always let go.
        self._holding = False
        self._held: list[tuple[int, int]] = []
        self._hold_timer = QTimer(self, singleShot=True, interval=HOLD_LIMIT_MS)
        self._hold_timer.timeout.connect(self.release_keys)
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

    def _is_hotkey(self, event: Any) -> bool:
        return any(event.detail == code and (event.state & 0xFF) == mask
                   for code, mask in self._grabbed)

    def _hold_keys(self, when: int) -> None:
        reply = self._root.grab_keyboard(False, X.GrabModeAsync, X.GrabModeAsync, when)
        self._holding = reply == X.GrabSuccess
        trace.trace("keyboard-held", ok=self._holding)
        self._held = []
        if self._holding:
            self._hold_timer.start()

    def release_keys(self) -> list[HeldKey]:
        if not self._holding:
            return []
        self._hold_timer.stop()
        self._display.ungrab_keyboard(X.CurrentTime)
        self._display.flush()
        self._read_events()  # keys still queued on our connection
        self._holding = False
        held, self._held = self._held, []
        return [key for key in (self._translate(code, state) for code, state in held) if key]

    def _translate(self, keycode: int, state: int) -> HeldKey | None:
        shifted = bool(state & X.ShiftMask)
        keysym = self._display.keycode_to_keysym(keycode, 1 if shifted else 0) \
            or self._display.keycode_to_keysym(keycode, 0)
        modifiers = Qt.KeyboardModifier.NoModifier
        if state & X.ControlMask:
            modifiers |= Qt.KeyboardModifier.ControlModifier
        if state & X.Mod1Mask:
            modifiers |= Qt.KeyboardModifier.AltModifier
        if shifted:
            modifiers |= Qt.KeyboardModifier.ShiftModifier
        if keysym in _SPECIAL_KEYS:
            return HeldKey(int(_SPECIAL_KEYS[keysym]), int(modifiers.value))
        if 0x20 <= keysym <= 0xFF:
            char = chr(keysym)
        elif keysym & 0xFF000000 == 0x01000000:
            char = chr(keysym & 0xFFFFFF)
        else:
            return None
        key = ord(char.upper()) if char.isascii() else int(Qt.Key.Key_unknown)
        text = "" if state & (X.ControlMask | X.Mod1Mask) else char
        return HeldKey(key, int(modifiers.value), text)

    def _read_events(self) -> None:
        try:
            self._handle_pending()
        except error.ConnectionClosedError:
            self._notifier.setEnabled(False)  # the X server is gone; so is the hotkey

    def _handle_pending(self) -> None:
        while self._display.pending_events():
            event: Any = self._display.next_event()
            if event.type == X.KeyPress and self._holding and not self._is_hotkey(event):
                self._held.append((event.detail, event.state))
                continue
            if event.type == X.KeyPress:
                # Auto-repeat sends a release and a press with the same time: one press only.
                if self._down and event.time == self._last_release:
                    continue
                self._down = True
                self.event_time = int(event.time)
                self._hold_keys(event.time)
                self.activated.emit()
            elif event.type == X.KeyRelease:
                self._down = False
                self._last_release = event.time
