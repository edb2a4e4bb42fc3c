"""Starting the Qt application (the tray app of a later issue builds on this)."""

from __future__ import annotations

import os
import sys

from job_aids.paths import HandrailPaths

NO_DISPLAY_MESSAGE = (
    "handrail: no display: the Handrail window needs a graphical session (DISPLAY or "
    "WAYLAND_DISPLAY is not set). The commands work without one: try `handrail list` or "
    "`handrail --help`."
)


def has_display() -> bool:
    if sys.platform != "linux" or os.environ.get("QT_QPA_PLATFORM"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def run_gui(paths: HandrailPaths) -> int:
    if not has_display():
        print(NO_DISPLAY_MESSAGE, file=sys.stderr)
        return 2
    from PySide6.QtWidgets import QApplication

    from .cli import open_store_at
    from .library_window import LibraryWindow

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Handrail")
    window = LibraryWindow(open_store_at(paths))
    window.show()
    window.load()
    return int(app.exec())
