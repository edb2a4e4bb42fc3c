"""The screen in front: which window the user was in when they pressed the hotkey.

Captured before the popup takes focus, and used to give focus back when it hides.
X11 reads the EWMH properties of the active window; Windows asks for the foreground window.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class WindowContext:
    app: str | None = None          # WM_CLASS class on X11, the program's name on Windows
    window_title: str | None = None
    window_id: int | None = None    # to give focus back
    selection: str | None = None    # filled in after the popup shows (reading it can wait)
    center: tuple[int, int] | None = None  # the window's centre: the popup goes on its screen
    frame: tuple[int, int, int, int] | None = None  # x, y, width, height: pinned aids go beside


class ContextReader:
    """Reads and restores the active window; a no-op where the platform gives no way."""

    def capture(self) -> WindowContext:
        return WindowContext()

    def activate(self, window_id: int, timestamp: int = 0) -> None:
        pass

    def force_focus(self, window_id: int, timestamp: int = 0) -> None:
        pass

    def has_keyboard(self, window_id: int) -> bool | None:
        """Whether the window (or one inside it) has the keyboard now, as the window system
        sees it; None where it cannot be asked."""
        return None


class X11ContextReader(ContextReader):
    def __init__(self) -> None:
        from Xlib import display

        self._display = display.Display()
        self._root = self._display.screen().root
        self._atom = self._display.intern_atom
        self._active = self._atom("_NET_ACTIVE_WINDOW")
        self._name = self._atom("_NET_WM_NAME")
        self._utf8 = self._atom("UTF8_STRING")

    def capture(self) -> WindowContext:
        from Xlib import X, error

        try:
            prop: Any = self._root.get_full_property(self._active, X.AnyPropertyType)
            if not prop or not prop.value or not prop.value[0]:
                return WindowContext()
            window_id = int(prop.value[0])
            window = self._display.create_resource_object("window", window_id)
            name: Any = window.get_full_property(self._name, self._utf8)
            title = (name.value.decode("utf-8", "replace") if name and name.value
                     else window.get_wm_name())
            wm_class = window.get_wm_class()
            app = wm_class[1] if wm_class else None
            if isinstance(title, bytes):
                title = title.decode("latin-1")
            geometry = window.get_geometry()
            origin = window.translate_coords(self._root, 0, 0)
            center = (-origin.x + geometry.width // 2, -origin.y + geometry.height // 2)
            return WindowContext(app=app or None, window_title=title or None,
                                 window_id=window_id, center=center,
                                 frame=(-origin.x, -origin.y, geometry.width, geometry.height))
        except (error.XError, error.ConnectionClosedError, AttributeError):
            return WindowContext()

    def activate(self, window_id: int, timestamp: int = 0) -> None:
        """Ask the window manager to focus a window (EWMH, as a pager would)."""
        from Xlib import X, error
        from Xlib.protocol import event

        try:
            window = self._display.create_resource_object("window", window_id)
            message = event.ClientMessage(window=window, client_type=self._active,
                                          data=(32, [2, timestamp or X.CurrentTime, 0, 0, 0]))
            self._root.send_event(message, event_mask=X.SubstructureRedirectMask
                                  | X.SubstructureNotifyMask)
            self._display.flush()
        except (error.XError, error.ConnectionClosedError):
            pass  # the window is gone; nothing to go back to

    def force_focus(self, window_id: int, timestamp: int = 0) -> None:
        """Give a mapped window of ours the keyboard when the window manager would not."""
        from Xlib import X, error

        try:
            window = self._display.create_resource_object("window", window_id)
            if window.get_attributes().map_state == X.IsViewable:
                window.set_input_focus(X.RevertToParent, timestamp or X.CurrentTime)
                self._display.sync()
        except (error.XError, error.ConnectionClosedError):
            pass


    def has_keyboard(self, window_id: int) -> bool | None:
        """The X input focus (not _NET_ACTIVE_WINDOW: a focus given with force_focus is not
        the window manager's, and the property lags behind it)."""
        from Xlib import error

        try:
            focus: Any = self._display.get_input_focus().focus
            for _ in range(8):  # the focus may be on a window inside ours
                if not focus or isinstance(focus, int):
                    return False
                if int(focus.id) == window_id:
                    return True
                parent = focus.query_tree().parent
                if not parent or int(parent.id) == int(self._root.id):
                    return False
                focus = parent
        except (error.XError, error.ConnectionClosedError, AttributeError):
            return None
        return False


class WindowsContextReader(ContextReader):  # pragma: no cover - Windows only
    def __init__(self) -> None:
        import ctypes

        self._user32: Any = ctypes.windll.user32  # type: ignore[attr-defined]
        self._kernel32: Any = ctypes.windll.kernel32  # type: ignore[attr-defined]

    def capture(self) -> WindowContext:
        import ctypes
        from ctypes import wintypes

        hwnd = self._user32.GetForegroundWindow()
        if not hwnd:
            return WindowContext()
        length = self._user32.GetWindowTextLengthW(hwnd)
        buffer = ctypes.create_unicode_buffer(length + 1)
        self._user32.GetWindowTextW(hwnd, buffer, length + 1)
        pid = wintypes.DWORD()
        self._user32.GetWindowThreadProcessId(hwnd, ctypes.byref(pid))
        app = None
        process = self._kernel32.OpenProcess(0x1000, False, pid.value)
        if process:
            size = wintypes.DWORD(260)
            path = ctypes.create_unicode_buffer(size.value)
            if self._kernel32.QueryFullProcessImageNameW(process, 0, path, ctypes.byref(size)):
                app = os.path.splitext(os.path.basename(path.value))[0]
            self._kernel32.CloseHandle(process)
        return WindowContext(app=app, window_title=buffer.value or None, window_id=int(hwnd))

    def activate(self, window_id: int, timestamp: int = 0) -> None:
        self._user32.SetForegroundWindow(window_id)

    def has_keyboard(self, window_id: int) -> bool | None:
        return int(self._user32.GetForegroundWindow() or 0) == window_id


def create_context_reader(platform_name: str) -> ContextReader:
    if platform_name == "xcb":
        from Xlib import error

        try:
            return X11ContextReader()
        except (error.DisplayError, error.ConnectionClosedError, error.XError,
                error.XauthError, OSError):  # no X connection: no context, the popup works
            return ContextReader()
    if sys.platform == "win32":
        return WindowsContextReader()
    return ContextReader()
