"""The hotkey on Wayland: the XDG desktop portal's GlobalShortcuts interface.

A Wayland client cannot grab keys; it asks the desktop (KDE Plasma 5.27+, GNOME 48+, Hyprland)
to bind a shortcut for it: CreateSession, then BindShortcuts with a preferred trigger, which the
desktop may show to the user to confirm or change; presses arrive as ``Activated`` signals. The
D-Bus talk runs on its own thread over its own connection (jeepney, which keyring already brings
on Linux); ``activated`` is emitted from there and reaches Qt slots on the main thread.
"""

from __future__ import annotations

import secrets
import threading
from typing import Any

from jeepney import DBusAddress, MatchRule, Properties, new_method_call
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import DBusConnection, open_dbus_connection
from PySide6.QtCore import QObject

from . import TOGGLE_HINT, GlobalHotkey, HotkeyError, split_sequence

PORTAL = DBusAddress("/org/freedesktop/portal/desktop", bus_name="org.freedesktop.portal.Desktop",
                     interface="org.freedesktop.portal.GlobalShortcuts")
REQUEST_INTERFACE = "org.freedesktop.portal.Request"
SHORTCUT_ID = "toggle-popup"
REPLY_TIMEOUT = 5.0  # seconds for the portal to create a session
# Modifier names of the XDG shortcuts specification, which preferred_trigger follows.
_MODIFIERS = {"ctrl": "CTRL", "alt": "ALT", "shift": "SHIFT", "super": "LOGO"}


def portal_trigger(sequence: str) -> str:
    """``"Ctrl+Alt+Space"`` -> ``"CTRL+ALT+space"`` (xkb key names: lowercase letters and
    ``space``; function keys as they are)."""
    modifiers, key = split_sequence(sequence)
    order = ["ctrl", "alt", "shift", "super"]
    names = [_MODIFIERS[m] for m in order if m in modifiers]
    if len(key) == 1 or key.lower() in {"space", "tab", "return", "escape"}:
        key = key.lower()
    return "+".join([*names, key])


def portal_available() -> bool:
    """Whether the session bus offers the GlobalShortcuts portal."""
    try:
        connection = open_dbus_connection("SESSION")
    except (OSError, KeyError, ValueError):
        return False
    try:
        reply = connection.send_and_get_reply(Properties(PORTAL).get("version"), timeout=2.0)
        return bool(reply.header.message_type.name == "method_return")
    except (OSError, TimeoutError):
        return False
    finally:
        connection.close()


class PortalGlobalHotkey(GlobalHotkey):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._connection: DBusConnection | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()

    def register(self, sequence: str) -> None:
        trigger = portal_trigger(sequence)
        self.unregister()
        try:
            connection = open_dbus_connection("SESSION")
        except (OSError, KeyError, ValueError) as error:
            raise HotkeyError(f"the desktop's session bus cannot be reached ({error})") from error
        ready, outcome = threading.Event(), list[str]()
        stopping = threading.Event()
        thread = threading.Thread(target=self._run, name="handrail-hotkey", daemon=True,
                                  args=(connection, trigger, ready, outcome, stopping))
        thread.start()
        if not ready.wait(2 * REPLY_TIMEOUT) or outcome[0]:
            stopping.set()
            connection.close()
            raise HotkeyError(outcome[0] if outcome else "the desktop did not answer for its "
                              "shortcuts")
        self._connection, self._thread, self._stopping = connection, thread, stopping
        self.sequence = sequence

    def unregister(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=2)  # it closes the session on its way out
        if self._connection is not None:
            self._connection.close()
        self._connection, self._thread = None, None
        super().unregister()

    # -- on the hotkey thread -------------------------------------------------------------------
    def _run(self, connection: DBusConnection, trigger: str, ready: threading.Event,
             outcome: list[str], stopping: threading.Event) -> None:
        """Open a session, bind the shortcut, then emit each press until told to stop."""
        activated = MatchRule(type="signal", interface=PORTAL.interface, member="Activated",
                              path=PORTAL.object_path)
        session = ""
        try:
            with connection.filter(activated, bufsize=16) as presses:
                connection.send_and_get_reply(message_bus.AddMatch(activated),
                                              timeout=REPLY_TIMEOUT)
                session = self._create_session(connection)
                bound = self._call(connection, "BindShortcuts", "oa(sa{sv})sa{sv}", (
                    session, [(SHORTCUT_ID, {
                        "description": ("s", "Show the Handrail search popup"),
                        "preferred_trigger": ("s", trigger)})], ""))
                outcome.append("")
                ready.set()
                with bound as answers:
                    self._emit_presses(connection, session, presses, answers, stopping)
        except HotkeyError as error:
            outcome.append(str(error))
        except (OSError, ValueError, TimeoutError) as error:
            if not ready.is_set():
                outcome.append(f"the desktop did not answer for its shortcuts ({error})")
            return  # closed under us: unregistered, or the session bus went away
        finally:
            ready.set()
        if session:
            closing = DBusAddress(session, bus_name=PORTAL.bus_name,
                                  interface="org.freedesktop.portal.Session")
            try:
                connection.send(new_method_call(closing, "Close"))
            except OSError:
                pass

    def _emit_presses(self, connection: DBusConnection, session: str, presses: Any,
                      answers: Any, stopping: threading.Event) -> None:
        while not stopping.is_set():
            try:
                connection.recv_messages(timeout=0.2)
            except TimeoutError:
                pass
            while answers:
                code, _ = answers.popleft().body
                if code != 0:  # the user cancelled the desktop's dialog, or it refused
                    self.lost.emit("the desktop did not bind the shortcut; bind it in its "
                                   f"shortcut settings, or {TOGGLE_HINT}")
            while presses:
                press_session, shortcut_id, *_ = presses.popleft().body
                if press_session == session and shortcut_id == SHORTCUT_ID:
                    self.activated.emit()

    def _call(self, connection: DBusConnection, method: str, signature: str,
              arguments: tuple[Any, ...], options: dict[str, Any] | None = None) -> Any:
        """Call a portal method that answers with a Request; returns a filter handle that
        catches the request's Response.

        The handle exists before the call, at the path the portal will use (from our unique
        name and a token we choose), so an early Response cannot be missed.
        """
        token = f"handrail_{secrets.token_hex(6)}"
        sender = (connection.unique_name or "").lstrip(":").replace(".", "_")
        path = f"/org/freedesktop/portal/desktop/request/{sender}/{token}"
        rule = MatchRule(type="signal", interface=REQUEST_INTERFACE, member="Response", path=path)
        handle = connection.filter(rule, bufsize=4)
        connection.send_and_get_reply(message_bus.AddMatch(rule), timeout=REPLY_TIMEOUT)
        reply = connection.send_and_get_reply(
            new_method_call(PORTAL, method, signature,
                            (*arguments, {**(options or {}), "handle_token": ("s", token)})),
            timeout=REPLY_TIMEOUT)
        if reply.header.message_type.name == "error":
            handle.close()
            detail = reply.body[0] if reply.body else reply.header.fields
            raise HotkeyError(f"the desktop refused {method} ({detail})")
        return handle

    def _create_session(self, connection: DBusConnection) -> str:
        handle = self._call(connection, "CreateSession", "a{sv}", (),
                            {"session_handle_token": ("s", f"handrail_{secrets.token_hex(6)}")})
        with handle as responses:
            response = connection.recv_until_filtered(responses, timeout=REPLY_TIMEOUT)
        code, results = response.body
        if code != 0 or "session_handle" not in results:
            raise HotkeyError("the desktop would not open a shortcuts session")
        return str(results["session_handle"][1])
