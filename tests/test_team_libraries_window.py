"""The Team libraries page of Settings and the Conflicts window, driven as a user would (typing,
clicks), against a real wsgidav and a real shared folder: a connection tested and refused, then
added and synced; a password the keyring could not keep asked for from the tray; a conflict
seen side by side, settled with an edited merge that travels to the other machine."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot
from test_popup import controller  # noqa: F401 - the fixture

from app import dialogs
from app.controller import Controller
from app.team_libraries import TeamLibrariesPage
from bench.dav_server import DavServer
from job_aids import HandrailPaths, LibraryStore
from sync.remotes import Remotes

AID = "---\ntitle: Count the float\n---\n1. Count the notes\n2. Count the coins\n"


@pytest.fixture
def no_keyring() -> Iterator[None]:
    """keyring's own "no backend", as on a machine with no Secret Service."""
    before = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(before)


def button(window: QWidget, label: str) -> QPushButton:
    return next(b for b in window.findChildren(QPushButton)
                if b.text().replace("&", "") == label and b.isVisible())


def click(qtbot: QtBot, window: QWidget, label: str) -> None:
    qtbot.mouseClick(button(window, label), Qt.MouseButton.LeftButton)


def type_into(qtbot: QtBot, field: QWidget, text: str) -> None:
    qtbot.mouseClick(field, Qt.MouseButton.LeftButton)
    field.clear()  # type: ignore[attr-defined]
    qtbot.keyClicks(field, text)


def _no_password_in_files(home: Path, password: str) -> None:
    for path in home.rglob("*"):
        if path.is_file():
            assert password.encode() not in path.read_bytes(), f"the password is in {path}"


def test_a_server_is_tested_added_synced_and_removed_from_settings(
        controller: Controller, qtbot: QtBot, dav: tuple[DavServer, Path],  # noqa: F811
        no_keyring: None, monkeypatch: pytest.MonkeyPatch) -> None:
    server, share = dav
    (share / "count-the-float.md").write_text(AID)
    dialog = controller.settings_dialog()
    qtbot.addWidget(dialog)
    dialog.show()
    tabs = dialog.pages.tabBar()
    qtbot.mouseClick(tabs, Qt.MouseButton.LeftButton, pos=tabs.tabRect(1).center())
    page = dialog.pages.currentWidget()
    assert isinstance(page, TeamLibrariesPage)
    assert page.libraries.item(0).text() == "None yet: add one below."
    assert not page.user.isEnabled()  # a folder needs no user until the address is a server
    type_into(qtbot, page.name, "shop")
    type_into(qtbot, page.address, server.url)
    assert page.user.isEnabled() and page.password.isEnabled()
    type_into(qtbot, page.user, DavServer.USER[0])
    type_into(qtbot, page.password, "not the password")
    click(qtbot, page, "Test connection")
    assert page.progress.isVisible() and not button(page, "Add team library").isEnabled()
    qtbot.waitUntil(lambda: not page.busy_with, timeout=20000)
    assert "refused the user name or password" in page.result.text()
    assert page.result.property("error") is True

    type_into(qtbot, page.password, DavServer.USER[1])
    click(qtbot, page, "Test connection")
    qtbot.waitUntil(lambda: not page.busy_with, timeout=20000)
    assert page.result.text() == ("Connected: it holds no team library yet (1 files); it "
                                  "refuses stale writes, so each write is conditional")
    click(qtbot, page, "Add team library")
    qtbot.waitUntil(lambda: not page.busy_with, timeout=20000)
    said = page.result.text()
    assert said.startswith("shop is added and syncs now.") and "no keyring" in said
    assert "kept until Handrail quits" in said and page.password.text() == ""
    assert page.libraries.item(0).text().startswith(f"shop · {server.url} · last synced")
    # The new library syncs at once, with the password given here (in memory only).
    local = controller.store.paths.teams / "shop" / "count-the-float.md"
    qtbot.waitUntil(lambda: local.exists() and controller.tray.sync_status.text().startswith(
        "Sync: synced at"), timeout=20000)
    assert local.read_text() == AID
    _no_password_in_files(controller.store.paths.data.parent, DavServer.USER[1])

    # Started again, the app has no password: the tray says so and asks for it on a click.
    controller.team_sync.passwords.clear()
    controller.team_sync.sync_now()
    entry = controller.tray.sync_status
    qtbot.waitUntil(lambda: "needs your password" in entry.toolTip(), timeout=20000)
    assert entry.text() == "Sync: needs your password for shop: click to give it (no pa…"
    assert "(no password for ana at http://127.0.0.1:" in entry.toolTip()
    asked: list[str] = []
    monkeypatch.setattr(dialogs, "ask_password",
                        lambda _parent, _title, text: asked.append(text) or DavServer.USER[1])
    (share / "close-the-till.md").write_text(AID.replace("Count the float", "Close the till"))
    entry.trigger()
    qtbot.waitUntil(lambda: (local.parent / "close-the-till.md").exists()
                    and entry.text().startswith("Sync: synced at"), timeout=20000)
    assert len(asked) == 1 and server.url in asked[0]

    monkeypatch.setattr(dialogs, "ask", lambda *args: dialogs.Button.Yes)
    page.reload()
    qtbot.mouseClick(page.libraries.viewport(), Qt.MouseButton.LeftButton,
                     pos=page.libraries.visualItemRect(page.libraries.item(0)).center())
    click(qtbot, page, "Remove")
    qtbot.waitUntil(lambda: not page.busy_with, timeout=20000)
    assert page.result.text().startswith("shop is no longer synced; its aids stay in")
    assert page.libraries.item(0).text() == "None yet: add one below."
    assert local.read_text() == AID  # the local copy stays
    assert Remotes(controller.store.paths, controller.store).all() == []


def _conflicted(controller: Controller,  # noqa: F811 - not the fixture: its value
                tmp_path: Path) -> tuple[Path, Remotes, Path]:
    """One aid changed on the same line here and on another machine (bo), both synced: a
    conflict copy on both. Returns the live aid here, bo's Remotes and bo's live aid."""
    share = tmp_path / "folder-share"
    share.mkdir()
    ana = Remotes(controller.store.paths, controller.store)
    bo_store = LibraryStore(HandrailPaths.under(tmp_path / "bo"))
    bo = Remotes(bo_store.paths, bo_store)
    ana.add("shop", str(share))
    bo.add("shop", str(share))
    live = controller.store.paths.teams / "shop" / "count-the-float.md"
    live.write_text(AID)
    ana.sync("shop")
    bo.sync("shop")
    bo_live = bo_store.paths.teams / "shop" / "count-the-float.md"
    live.write_text(AID.replace("Count the coins", "Count the coins twice"))
    bo_live.write_text(AID.replace("Count the coins", "Weigh the coins"))
    ana.sync("shop")
    assert bo.sync("shop").conflicts
    ana.sync("shop")
    return live, bo, bo_live


def test_a_conflict_is_seen_side_by_side_and_an_edited_merge_travels(
        controller: Controller, qtbot: QtBot, tmp_path: Path) -> None:  # noqa: F811
    live, bo, bo_live = _conflicted(controller, tmp_path)
    controller.team_sync.sync_now()  # a round finds the conflict: the tray offers it
    entry = controller.tray.conflicts_entry
    qtbot.waitUntil(entry.isVisible, timeout=20000)
    assert entry.text() == "Sync &conflicts to settle: 1…"
    entry.trigger()
    window = controller.conflicts
    assert window is not None and window.isVisible()
    qtbot.waitUntil(lambda: window.list.count() == 1 and window.list.currentRow() == 0)
    assert window.list.item(0).text().startswith("count-the-float.md\nshop · copy ")
    # The last to sync (bo) is live; this machine's version is the copy.
    assert window.mine.toPlainText() == AID.replace("Count the coins", "Weigh the coins")
    assert window.theirs.toPlainText() == AID.replace("Count the coins", "Count the coins twice")
    assert window.mine_label.text() == "&Live version: count-the-float.md"
    # The one line that differs is marked on each side, nothing else.
    assert [m.cursor.block().text() for m in window.mine.extraSelections()] == [
        "2. Weigh the coins"]
    assert [m.cursor.block().text() for m in window.theirs.extraSelections()] == [
        "2. Count the coins twice"]
    merged = AID.replace("Count the coins", "Weigh the coins, then count them twice")
    qtbot.mouseClick(window.merged.viewport(), Qt.MouseButton.LeftButton)
    window.merged.selectAll()
    qtbot.keyClick(window.merged, Qt.Key.Key_Delete)
    for line in merged.split("\n")[:-1]:
        qtbot.keyClicks(window.merged, line)
        qtbot.keyClick(window.merged, Qt.Key.Key_Return)
    assert window.merged.toPlainText() == merged
    click(qtbot, window, "Save merged")
    qtbot.waitUntil(lambda: not window.busy, timeout=20000)
    assert window.message.text().startswith("Kept the merged text of count-the-float.md; the "
                                            "conflict copy is in the trash")
    assert window.list.item(0).text() == "No conflicts: nothing to settle."
    assert live.read_text() == merged  # exactly what was typed
    assert not list(live.parent.glob("*.conflict-*"))
    qtbot.waitUntil(lambda: not entry.isVisible(), timeout=20000)
    qtbot.waitUntil(lambda: controller.tray.sync_status.text().startswith("Sync: synced at")
                    and not controller.team_sync.running, timeout=20000)
    bo.sync("shop")  # the other machine gets the merge, and its copy goes too
    assert bo_live.read_text() == merged
    assert not list(bo_live.parent.glob("*.conflict-*"))


@pytest.mark.parametrize(("label", "kept"), [("Keep live", "Weigh"),
                                             ("Keep the copy", "twice"), ("Keep both", "both")])
def test_each_button_settles_a_conflict_as_it_says(
        controller: Controller, qtbot: QtBot, tmp_path: Path,  # noqa: F811
        label: str, kept: str) -> None:
    live, _bo, _bo_live = _conflicted(controller, tmp_path)
    controller.open_conflicts()
    window = controller.conflicts
    assert window is not None
    qtbot.waitUntil(lambda: window.list.currentRow() == 0)
    assert button(window, "Keep live").isEnabled()
    click(qtbot, window, label)
    qtbot.waitUntil(lambda: not window.busy, timeout=20000)
    files = sorted(p.name for p in live.parent.glob("*.md"))
    if kept == "both":
        assert files == ["count-the-float-2.md", "count-the-float.md"]
        assert "coins twice" in (live.parent / "count-the-float-2.md").read_text()
        assert window.message.text().startswith("Both kept: the other version is now "
                                                "count-the-float-2.md")
    else:
        assert files == ["count-the-float.md"]
        assert kept in live.read_text()
    assert window.list.item(0).text() == "No conflicts: nothing to settle."
