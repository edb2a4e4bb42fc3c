"""A system-wide hotkey: one backend per platform, and a no-op one that says why.

Each backend is a ``GlobalHotkey``: ``register(sequence)`` raises ``HotkeyError`` with a message
for the user (already taken, not supported here); ``activated`` is emitted on the Qt main thread.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QGuiApplication

TOGGLE_HINT = (
    "bind the command `handrail toggle` to a key in your desktop's keyboard shortcut settings")


@dataclass(frozen=True)
class HeldKey:
    """A key pressed while the popup was appearing: Qt key, modifiers and text."""

    key: int
    modifiers: int = 0
    text: str = ""


class HotkeyError(Exception):
    """The hotkey could not be registered; the message says why and what to do."""


class GlobalHotkey(QObject):
    activated = Signal()
    lost = Signal(str)  # refused or dropped after register(): why, and what to do

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sequence: str | None = None
        self.event_time = 0  # the server time of the last press (X11), for focus requests

    def register(self, sequence: str) -> None:
        raise NotImplementedError

    def unregister(self) -> None:
        self.sequence = None

    def release_keys(self) -> list[HeldKey]:
        """Keys typed between the hotkey and the popup taking focus, to replay there."""
        return []


class NoGlobalHotkey(GlobalHotkey):
    """Where no backend works (Wayland without the shortcuts portal, a Mac whose Carbon hotkey
    fails): tell the user the way round."""

    def __init__(self, reason: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.reason = reason

    def register(self, sequence: str) -> None:
        raise HotkeyError(f"{self.reason}; instead, {TOGGLE_HINT}")


def split_sequence(sequence: str) -> tuple[set[str], str]:
    """``"Ctrl+Alt+Space"`` -> ({"ctrl", "alt"}, "Space"); raises HotkeyError when malformed."""
    parts = [part.strip() for part in sequence.replace(" ", "").split("+")]
    if sequence.strip().endswith("++"):  # "Ctrl++": the plus key itself
        parts = [*parts[:-2], "+"]
    aliases = {"ctrl": "ctrl", "control": "ctrl", "alt": "alt", "shift": "shift",
               "meta": "super", "super": "super", "win": "super", "cmd": "super"}
    modifiers = {aliases[p.lower()] for p in parts[:-1] if p.lower() in aliases}
    unknown = [p for p in parts[:-1] if p.lower() not in aliases]
    key = parts[-1] if parts else ""
    if unknown or not key or key.lower() in aliases:
        raise HotkeyError(f"{sequence!r} is not a key combination like Ctrl+Alt+Space")
    if not modifiers and not (key.upper().startswith("F") and key[1:].isdigit()):
        raise HotkeyError(f"{sequence!r} has no Ctrl, Alt, Shift or Super: it would steal a "
                          "key you type with; add a modifier")
    return modifiers, key


def create_global_hotkey(parent: QObject | None = None) -> GlobalHotkey:
    platform = QGuiApplication.platformName()
    if platform == "xcb":
        from .x11 import X11GlobalHotkey

        try:
            return X11GlobalHotkey(parent)
        except HotkeyError as error:
            return NoGlobalHotkey(str(error), parent)
    if sys.platform == "win32":
        from .windows import WindowsGlobalHotkey

        return WindowsGlobalHotkey(parent)
    if platform.startswith("wayland") or os.environ.get("WAYLAND_DISPLAY"):
        from .portal import PortalGlobalHotkey, portal_available

        if portal_available():
            return PortalGlobalHotkey(parent)
        return NoGlobalHotkey("on Wayland an application cannot grab a key for itself, and "
                              "this desktop offers no shortcuts portal", parent)
    if sys.platform == "darwin":
        from .macos import MacGlobalHotkey

        try:
            return MacGlobalHotkey(parent)
        except (HotkeyError, OSError, AttributeError) as error:
            return NoGlobalHotkey(f"the macOS hotkey could not be set up ({error})", parent)
    return NoGlobalHotkey(f"there is no global hotkey on the {platform!r} platform", parent)
