"""Screenshots of the team-library windows, drawn by Qt itself (no X server needed), light and
dark: the Team libraries page of Settings with two libraries (a real loopback wsgidav and a
shared folder), the Conflicts window on a real conflict made by two clients, and the tray menu
in each sync state.

    .venv/bin/python -m bench.team_shots [--out DIR]    # also run by `make screenshots`
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

AID = """\
---
id: 1d6d2b9e-5a0c-4d59-9d0e-0c1f2a3b4c5d
title: Close the till
kind: checklist
tags: [cash]
---
# Close the till

1. Count the notes
2. Count the coins
3. Write the total down
4. Lock the drawer
"""

TRAY_STATES = [
    "Sync: no team library set up", "Sync: syncing…", "Sync: synced at 14:05",
    "Sync: offline, tried again later (last synced 14:05): field-team: the server cannot be "
    "reached (https://dav.example.org/team/)",
    "Sync: needs your password for field-team: click to give it (no password for ana at "
    "https://dav.example.org/team/)",
]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import keyring
    from keyring.backends import fail
    from PySide6.QtCore import QPoint
    from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
    from PySide6.QtWidgets import QApplication, QWidget

    from app.conflicts_window import ConflictsWindow
    from app.settings import Settings
    from app.settings_dialog import SettingsDialog
    from app.team_libraries import TeamLibrariesPage
    from app.theme import apply_theme
    from app.tray import Tray
    from job_aids import HandrailPaths, LibraryStore
    from sync.remotes import Remotes

    from .dav_server import DavServer

    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]  # none is kept
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication([])
    out: Path = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="handrail-team-shots-"))

    def settle(widget: QWidget, name: str) -> Path:
        widget.show()
        for _ in range(20):
            app.processEvents()
            time.sleep(0.02)
        path = out / name
        widget.grab().save(str(path))
        return path

    try:
        share, served = work / "share", work / "served"
        share.mkdir()
        served.mkdir()
        store = LibraryStore(HandrailPaths.under(work / "ana"))
        other = LibraryStore(HandrailPaths.under(work / "bo"))
        ana, bo = Remotes(store.paths, store), Remotes(other.paths, other)
        ana.add("shop-floor", str(share))
        bo.add("shop-floor", str(share))
        mine = store.paths.teams / "shop-floor" / "close-the-till.md"
        theirs = other.paths.teams / "shop-floor" / "close-the-till.md"
        mine.write_text(AID)
        ana.sync("shop-floor")
        bo.sync("shop-floor")
        mine.write_text(AID.replace("Lock the drawer", "Lock the drawer and the safe"))
        theirs.write_text(AID.replace("Lock the drawer", "Lock the drawer, then the back door"))
        for remotes in (ana, bo, ana):
            remotes.sync("shop-floor")
        server = DavServer(served, work)
        shots = []
        try:
            ana.add("field-team", server.url, user=DavServer.USER[0], password=DavServer.USER[1])
            ana.sync("field-team")
            for theme in ("light", "dark"):
                apply_theme(app, theme)
                page = TeamLibrariesPage(store, {})
                dialog = SettingsDialog(Settings(), store.collections, lambda _s: None,
                                        team_page=page)
                dialog.pages.setCurrentIndex(1)
                page.name.setText("handbook")
                page.address.setText("https://dav.example.org/handbook/")
                page.user.setText("ana")
                dialog.resize(760, 640)
                shots.append(settle(dialog, f"team-libraries-{theme}.png"))
                window = ConflictsWindow(store)
                window.reload()
                shots.append(settle(window, f"conflicts-{theme}.png"))
                dialog.done(0)
                window.close()
        finally:
            server.stop()
        apply_theme(app, "light")
        tray = Tray(QIcon(), lambda: [], lambda _id: None)
        menus = []
        for number, state in enumerate(TRAY_STATES):
            tray.show_sync_status(state)
            tray.show_conflicts(2 if number == 2 else 0)
            tray.menu.popup(QPoint(0, 0))
            for _ in range(10):
                app.processEvents()
                time.sleep(0.02)
            menus.append(tray.menu.grab())
            tray.menu.hide()
        strip = QPixmap(sum(m.width() + 10 for m in menus), max(m.height() for m in menus))
        strip.fill(QColor("white"))
        painter = QPainter(strip)
        left = 0
        for menu in menus:
            painter.drawPixmap(left, 0, menu)
            left += menu.width() + 10
        painter.end()
        strip.save(str(out / "tray-sync-states.png"))
        shots.append(out / "tray-sync-states.png")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for shot in shots:
        print(shot)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
