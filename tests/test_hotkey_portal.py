"""The Wayland hotkey through the XDG GlobalShortcuts portal.

No desktop here offers the real portal (it needs KDE Plasma, GNOME 48+ or Hyprland running), so
these tests run a stand-in for it on a real, private dbus-daemon: it answers CreateSession and
BindShortcuts as the portal specification says (method reply, then a Response signal on the
request path derived from the caller's name and handle_token) and sends Activated on demand.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from jeepney import DBusAddress, MessageType, new_method_return, new_signal
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from pytestqt.qtbot import QtBot

from app.hotkey import HotkeyError
from app.hotkey.portal import PORTAL, PortalGlobalHotkey, portal_available, portal_trigger

SESSION = "/org/freedesktop/portal/desktop/session/1_23/handrail_test"


class StandInPortal:
    """Answers the GlobalShortcuts calls Handrail makes; records what it was asked."""

    def __init__(self, address: str, bind_answer: int = 0) -> None:
        self.bind_answer = bind_answer  # 0: bound; 1: the user cancelled the desktop's dialog
        self.connection: DBusConnection = open_dbus_connection(address)
        reply = self.connection.send_and_get_reply(
            message_bus.RequestName(PORTAL.bus_name), timeout=5)
        assert reply.body == (1,)  # primary owner
        self.calls: list[tuple[str, tuple[Any, ...]]] = []
        self.bound = threading.Event()
        self.closed = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                message = self.connection.receive(timeout=0.1)
            except TimeoutError:
                continue
            except OSError:
                return
            if message.header.message_type != MessageType.method_call:
                continue
            member = message.header.fields[3]  # HeaderFields.member
            self.calls.append((member, message.body))
            if member == "Get":  # Properties: version
                self.connection.send(new_method_return(message, "v", (("u", 1),)))
            elif member in ("CreateSession", "BindShortcuts"):
                self._answer_request(message, member)
            elif member == "Close":
                self.closed.set()
                self.connection.send(new_method_return(message))

    def _answer_request(self, message: Any, member: str) -> None:
        sender = message.header.fields[7]  # HeaderFields.sender
        token = message.body[-1]["handle_token"][1]
        path = f"/org/freedesktop/portal/desktop/request/{sender[1:].replace('.', '_')}/{token}"
        self.connection.send(new_method_return(message, "o", (path,)))
        results = {"session_handle": ("s", SESSION)} if member == "CreateSession" else {}
        code = self.bind_answer if member == "BindShortcuts" else 0
        request = DBusAddress(path, interface="org.freedesktop.portal.Request")
        self.connection.send(new_signal(request, "Response", "ua{sv}", (code, results)))
        if member == "BindShortcuts":
            self.bound.set()

    def press(self, session: str = SESSION, shortcut: str = "toggle-popup") -> None:
        self.connection.send(new_signal(PORTAL, "Activated", "osta{sv}",
                                        (session, shortcut, 1234, {})))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.connection.close()


@pytest.fixture
def session_bus(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    started = subprocess.run(["dbus-daemon", "--session", "--fork", "--print-address=1",
                              "--print-pid=1"], capture_output=True, text=True, check=True)
    address, pid = started.stdout.split()
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", address)
    yield address
    os.kill(int(pid), signal.SIGTERM)


def test_the_shortcut_is_bound_through_the_portal_and_its_presses_arrive(
        session_bus: str, qtbot: QtBot) -> None:
    portal = StandInPortal(session_bus)
    try:
        assert portal_available()
        hotkey = PortalGlobalHotkey()
        hotkey.register("Ctrl+Alt+Space")
        assert portal.bound.wait(5)
        session, shortcuts, parent, _ = next(body for member, body in portal.calls
                                             if member == "BindShortcuts")
        assert session == SESSION and parent == ""
        assert shortcuts[0][0] == "toggle-popup"
        assert shortcuts[0][1]["preferred_trigger"] == ("s", "CTRL+ALT+space")
        with qtbot.waitSignal(hotkey.activated, timeout=3000):
            portal.press()
        with qtbot.assertNotEmitted(hotkey.activated, wait=300):
            portal.press(session="/org/freedesktop/portal/desktop/session/1_23/another_app")
        hotkey.unregister()
        assert portal.closed.wait(3)  # the session is closed: the desktop drops the binding
        assert hotkey.sequence is None
    finally:
        portal.stop()


def test_a_shortcut_the_user_declines_is_reported(session_bus: str, qtbot: QtBot) -> None:
    portal = StandInPortal(session_bus, bind_answer=1)
    try:
        hotkey = PortalGlobalHotkey()
        with qtbot.waitSignal(hotkey.lost, timeout=3000) as lost:
            hotkey.register("Ctrl+Alt+Space")
        assert "handrail toggle" in lost.args[0]
        hotkey.unregister()
    finally:
        portal.stop()


def test_without_the_portal_registering_says_so(session_bus: str) -> None:
    assert not portal_available()
    with pytest.raises(HotkeyError, match="desktop"):
        PortalGlobalHotkey().register("Ctrl+Alt+Space")


def test_triggers_follow_the_shortcuts_specification() -> None:
    assert portal_trigger("Ctrl+Alt+Space") == "CTRL+ALT+space"
    assert portal_trigger("Super+Shift+H") == "SHIFT+LOGO+h"
    assert portal_trigger("Alt+F2") == "ALT+F2"
