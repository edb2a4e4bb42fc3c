"""The macOS hotkey: the Carbon calls need a Mac; the key and modifier mapping is checked here."""

from __future__ import annotations

import pytest

from app.hotkey import HotkeyError
from app.hotkey.macos import CMD_KEY, CONTROL_KEY, OPTION_KEY, SHIFT_KEY, mac_hotkey


def test_mac_hotkeys_map_to_carbon_key_codes_and_modifiers() -> None:
    assert mac_hotkey("Ctrl+Alt+Space") == (0x31, CMD_KEY | OPTION_KEY)  # Qt: Ctrl is Command
    assert mac_hotkey("Meta+Shift+H") == (0x04, CONTROL_KEY | SHIFT_KEY)
    assert mac_hotkey("Alt+F2") == (0x78, OPTION_KEY)
    with pytest.raises(HotkeyError, match="cannot be a hotkey"):
        mac_hotkey("Ctrl+PageDown")
