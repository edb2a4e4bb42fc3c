"""Team libraries synced by the running app: from the tray's entry, on a pool thread, and the
entry says what happened (synced, or what needs attention)."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot
from test_popup import controller  # noqa: F401 - the fixture

from app.controller import Controller
from sync.remotes import Remotes

AID = "---\ntitle: Open the shop\n---\n1. Unlock the door\n"


def test_the_tray_entry_syncs_now_and_says_what_happened(
        controller: Controller, qtbot: QtBot, tmp_path: Path) -> None:  # noqa: F811
    entry = controller.tray.sync_status
    qtbot.waitUntil(lambda: entry.text() == "Sync: no team library set up", timeout=10000)
    assert not entry.isEnabled()
    share = tmp_path / "share"
    share.mkdir()
    Remotes(controller.store.paths, controller.store).add("shop", str(share))
    (share / "open-the-shop.md").write_text(AID)
    controller.team_sync.sync_now()  # as the timer does; from here on, the user's clicks
    qtbot.waitUntil(lambda: entry.text().startswith("Sync: synced at"), timeout=20000)
    assert entry.isEnabled()
    local = controller.store.paths.teams / "shop" / "open-the-shop.md"
    assert local.read_text() == AID
    (share / "close-the-shop.md").write_text(AID.replace("Open", "Close"))
    entry.trigger()
    qtbot.waitUntil(lambda: (local.parent / "close-the-shop.md").exists()
                    and entry.text().startswith("Sync: synced at"), timeout=20000)
    share.rename(tmp_path / "unmounted")
    entry.trigger()
    qtbot.waitUntil(lambda: "offline" in entry.text(), timeout=20000)
    assert entry.text().startswith("Sync: offline, tried again later (last synced ")
    assert "is not there (not mounted, or moved?)" in entry.toolTip() and local.exists()
    (tmp_path / "unmounted").rename(share)
    for file in share.iterdir():
        file.unlink()  # emptied, marker and all: a wrong target; nothing may be deleted here
    entry.trigger()
    qtbot.waitUntil(lambda: "needs attention" in entry.text(), timeout=20000)
    assert entry.text().startswith("Sync: needs attention: shop: stopped: the target is empty")
    assert local.exists() and (local.parent / "close-the-shop.md").exists()


def test_quitting_mid_round_ends_it_between_files_and_waits_for_it(
        controller: Controller, qtbot: QtBot, tmp_path: Path) -> None:  # noqa: F811
    import time

    share = tmp_path / "share"
    share.mkdir()
    Remotes(controller.store.paths, controller.store).add("shop", str(share))
    for n in range(400):
        (share / f"aid-{n:03}.md").write_text(AID.replace("Open the shop", f"Aid {n}") * 20)
    local = controller.store.paths.teams / "shop"
    controller.team_sync.sync_now()
    qtbot.waitUntil(lambda: any(local.glob("aid-*.md")), timeout=20000)
    assert controller.team_sync.stop()  # as Quit does: the round ends, and it is waited for
    landed = sorted(p.name for p in local.glob("*"))
    time.sleep(0.5)
    assert sorted(p.name for p in local.glob("*")) == landed  # nothing more was written
    for path in local.glob("aid-*.md"):
        assert path.read_bytes() == (share / path.name).read_bytes()  # each whole
    qtbot.waitUntil(lambda: not controller.team_sync.running)  # its outcome came back
    assert "stopped early" in controller.tray.sync_status.toolTip()
    controller.team_sync.sync_now()
    assert controller.team_sync.stop(wait_s=0)  # stopped: no new round starts
