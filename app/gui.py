"""Starting the tray app, or handing over to the one already running."""

from __future__ import annotations

import os
import sys

from job_aids.paths import HandrailPaths

NO_DISPLAY_MESSAGE = (
    "handrail: no display: the Handrail tray app needs a graphical session (DISPLAY or "
    "WAYLAND_DISPLAY is not set). The commands work without one: try `handrail search "
    "printer` or `handrail --help`."
)


def has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_gui(paths: HandrailPaths, *, show_popup: bool = False, query: str | None = None,
            command: str = "show") -> int:
    """Start Handrail; if it runs already, send it ``command`` (show or toggle its popup)."""
    if not has_display():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 2
    from PySide6.QtWidgets import QApplication

    from . import memory, trace
    from .instance import send_request, server_name

    memory.limit_arenas()

    trace.trace("process-start")
    app = QApplication.instance() or QApplication(["handrail"])  # WM_CLASS "handrail"
    assert isinstance(app, QApplication)
    app.setApplicationName("Handrail")
    app.setDesktopFileName("handrail")
    name = server_name(paths)
    reply = send_request(name, {"cmd": command, "query": query}, timeout_ms=1000)
    if reply is not None:
        return 0 if reply.get("ok") else 1
    app.setQuitOnLastWindowClosed(False)

    from job_aids import JobAidError

    from .cli import open_store_at
    from .controller import Controller

    try:
        store = open_store_at(paths)
    except JobAidError as error:
        print(f"handrail: error: {error}", file=sys.stderr)
        return 1
    controller = Controller(app, paths, store, name)
    from . import unexpected

    unexpected.install(notify=controller.unexpected.emit)
    if not controller.start():
        return 1
    if show_popup:
        controller.toggle(query, force_show=True)
    return int(app.exec())


def send_to_running(paths: HandrailPaths, request: dict[str, object]) -> dict[str, object] | None:
    """For `handrail toggle/quit`: the running instance's answer, None when none runs."""
    from PySide6.QtCore import QCoreApplication

    from .instance import send_request, server_name

    _app = QCoreApplication.instance() or QCoreApplication(sys.argv[:1])
    return send_request(server_name(paths), dict(request))
