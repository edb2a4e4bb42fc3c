"""`handrail remote`, `handrail sync` and `handrail conflicts` on a real shared folder, each run
as the command a user types, in its own process."""

from __future__ import annotations

import json
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, run_cli


def test_two_machines_share_a_team_library_through_a_folder(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    ana, bo = tmp_path / "ana", tmp_path / "bo"
    for home in (ana, bo):
        added = run_cli("remote", "add", "shop", str(share), home=home)
        assert "added the team library 'shop'" in added.stdout
    run_cli("new", "--kind", "checklist", "--title", "Open the shop", "--collection", "shop",
            home=ana)
    assert run_cli("sync", home=ana).stdout.strip() == "shop: 1 sent"
    assert run_cli("sync", "shop", home=bo).stdout.strip() == "shop: 1 received"
    [aid] = (bo / "data" / "teams" / "shop").glob("*.md")
    assert aid.read_bytes() == next((ana / "data" / "teams" / "shop").glob("*.md")).read_bytes()
    # The same step changed on both machines: both versions kept, listed as a conflict.
    text = aid.read_text()
    ana_aid = next((ana / "data" / "teams" / "shop").glob("*.md"))
    ana_aid.write_text(text.replace("Next thing", "Unlock the door"))
    aid.write_text(text.replace("Next thing", "Switch on the lights"))
    run_cli("sync", home=ana)
    synced = run_cli("sync", home=bo)
    assert "conflict: both versions kept" in synced.stdout
    run_cli("sync", home=ana)
    listed = json.loads(run_cli("conflicts", "--json", home=ana).stdout)
    assert len(listed) == 1 and ".conflict-" in listed[0]["path"]
    status = json.loads(run_cli("sync", "--status", "--json", home=bo).stdout)
    assert status["shop"]["ok"] is True
    remotes = json.loads(run_cli("remote", "list", "--json", home=bo).stdout)
    assert remotes[0]["url"] == share.as_uri()
    assert "password" not in (bo / "config" / "remotes.json").read_text()


def test_sync_stops_and_says_so_when_the_share_is_gone(tmp_path: Path) -> None:
    share = tmp_path / "share"
    share.mkdir()
    home = tmp_path / "home"
    run_cli("remote", "add", "shop", str(share), home=home)
    run_cli("new", "--kind", "procedure", "--title", "Count the float", "--collection", "shop",
            home=home)
    run_cli("sync", home=home)
    share.rename(tmp_path / "unmounted")
    failed = run_cli("sync", home=home, check=False)
    assert failed.returncode == 1 and "is not there (not mounted, or moved?)" in failed.stderr
    assert list((home / "data" / "teams" / "shop").glob("*.md"))  # nothing deleted here
    (tmp_path / "unmounted").rename(share)
    for file in share.iterdir():
        file.unlink()  # emptied
    stopped = run_cli("sync", home=home, check=False)
    assert stopped.returncode == 1 and "the target is empty" in stopped.stderr
    assert list((home / "data" / "teams" / "shop").glob("*.md"))
    assert json.loads(run_cli("sync", "--status", "--json", home=home).stdout)["shop"][
        "ok"] is False
    refused = run_cli("remote", "add", "web", "http://127.0.0.1:9/team", home=home,
                      check=False)  # a wrong URL: nothing listens there
    assert refused.returncode == 1 and "the server cannot be reached" in refused.stderr
    assert "web" not in (home / "config" / "remotes.json").read_text()


@pytest.mark.slow
def test_kill_9_mid_sync_then_sync_again_loses_nothing_and_duplicates_nothing(
        tmp_path: Path) -> None:
    """A sync of 300 aids killed again and again at random moments (the real command, in its
    own process), then run to the end: the other machine gets every aid once, byte for byte,
    and one more sync on either side does nothing."""
    share = tmp_path / "share"
    share.mkdir()
    ana, bo = tmp_path / "ana", tmp_path / "bo"
    for home in (ana, bo):
        run_cli("remote", "add", "shop", str(share), home=home)
    team = ana / "data" / "teams" / "shop"
    rng = random.Random(7)
    killed = 0
    for round_number in range(12):
        for n in range(300):  # this machine saves every aid again, then syncs, killed
            (team / f"aid-{n:03}.md").write_text(f"# Aid {n}\n\n1. Step {n}\n"
                                                 + f"round {round_number}\n" * 40)
        process = subprocess.Popen([sys.executable, "-m", "app.cli", "--home", str(ana), "sync"],
                                   cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.2, 0.9))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed += 1
        process.wait()
        # Meanwhile the other machine syncs what is there so far.
        run_cli("sync", home=bo, check=False)
    assert killed >= 3, "no sync was killed half-way (make the rounds shorter)"
    run_cli("sync", home=ana)
    run_cli("sync", home=bo)
    theirs = bo / "data" / "teams" / "shop"
    mine = {p.name: p.read_bytes() for p in team.glob("*.md")}
    assert len(mine) == 300
    assert {p.name: p.read_bytes() for p in theirs.glob("*.md")} == mine
    assert {p.name: p.read_bytes() for p in share.glob("*.md")} == mine
    assert not list(share.glob("*.conflict-*")) and not list(theirs.glob("*.conflict-*"))
    assert run_cli("sync", home=ana).stdout.strip() == "shop: nothing to do"
    assert run_cli("sync", home=bo).stdout.strip() == "shop: nothing to do"


def _shop_of_two(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A shared folder, and Ana's and Bo's homes syncing it as "shop", both holding Ana's
    checklist "Open the shop"."""
    share = tmp_path / "share"
    share.mkdir()
    ana, bo = tmp_path / "ana", tmp_path / "bo"
    for home in (ana, bo):
        run_cli("remote", "add", "shop", str(share), home=home)
    run_cli("new", "--kind", "checklist", "--title", "Open the shop", "--collection", "shop",
            home=ana)
    run_cli("sync", home=ana)
    run_cli("sync", home=bo)
    return share, ana, bo


def _conflict(ana: Path, bo: Path, step: str, round_: str = "way") -> dict[str, str]:
    """The same step changed on both machines, synced: one conflict, on both machines."""
    ana_aid = next((ana / "data" / "teams" / "shop").glob("open-the-shop.md"))
    bo_aid = bo / "data" / "teams" / "shop" / ana_aid.name
    text = ana_aid.read_text()
    ana_aid.write_text(text.replace(step, f"Ana's {round_}"))
    bo_aid.write_text(text.replace(step, f"Bo's {round_}"))
    run_cli("sync", home=ana)
    run_cli("sync", home=bo)
    run_cli("sync", home=ana)
    [found] = json.loads(run_cli("conflicts", "--json", home=ana).stdout)
    return dict(found)


def test_a_conflict_is_resolved_once_and_the_resolution_travels(tmp_path: Path) -> None:
    _share, ana, bo = _shop_of_two(tmp_path)
    live = ana / "data" / "teams" / "shop" / "open-the-shop.md"

    found = _conflict(ana, bo, "Next thing")
    assert Path(found["original"]) == live
    other = Path(found["path"]).read_text()
    words = {"Ana's way", "Bo's way"}
    assert {w for w in words if w in live.read_text()} | {w for w in words if w in other} \
        == words  # one version live, the other in the copy
    listed = run_cli("conflicts", home=ana).stdout
    assert found["id"] in listed and "--keep mine|theirs|both" in listed
    kept = run_cli("conflicts", "resolve", found["id"], "--keep", "theirs", home=ana)
    assert "kept the other version of open-the-shop.md" in kept.stdout
    assert live.read_text() == other and not Path(found["path"]).exists()
    entry = kept.stdout.split("`handrail restore ")[1].split("`")[0]
    assert entry in run_cli("trash", home=ana).stdout  # the copy, restorable
    for home in (ana, bo, ana):
        run_cli("sync", home=home)
    for home in (ana, bo):
        assert json.loads(run_cli("conflicts", "--json", home=home).stdout) == []
        assert (home / "data" / "teams" / "shop" / live.name).read_text() == other

    found = _conflict(ana, bo, "Ana's way" if "Ana's way" in other else "Bo's way", "second")
    both = run_cli("conflicts", "resolve", found["id"], "--keep", "both", home=ana)
    assert "both kept: the other version is now open-the-shop-2.md" in both.stdout
    for home in (ana, bo, ana):
        run_cli("sync", home=home)
    for home in (ana, bo):
        folder = home / "data" / "teams" / "shop"
        assert sorted(p.name for p in folder.glob("*.md")) == ["open-the-shop-2.md",
                                                                "open-the-shop.md"]
        ids = [line for p in sorted(folder.glob("*.md")) for line in p.read_text().splitlines()
               if line.startswith("id: ")]
        assert len(set(ids)) == 2  # two aids, each with an identity of its own
    mine_before = live.read_text()
    step = next(w for w in ("Ana's second", "Bo's second") if w in mine_before)
    found = _conflict(ana, bo, step, "third")
    mine = live.read_text()
    run_cli("conflicts", "resolve", found["id"], "--keep", "mine", home=ana)
    assert live.read_text() == mine and not Path(found["path"]).exists()
    for home in (ana, bo, ana):
        run_cli("sync", home=home)
    assert (bo / "data" / "teams" / "shop" / live.name).read_text() == mine
    assert json.loads(run_cli("conflicts", "--json", home=bo).stdout) == []
    unknown = run_cli("conflicts", "resolve", "nosuch", "--keep", "mine", home=ana, check=False)
    assert unknown.returncode == 1 and "no conflict 'nosuch'" in unknown.stderr


def test_a_read_only_team_library_is_pulled_and_never_written(tmp_path: Path) -> None:
    """Bo follows a published library read-only: what the team publishes arrives; whatever
    happens to Bo's copy (another program edits it, deletes it, adds a file) never reaches the
    library, each change is said, and nothing of Bo's is lost."""
    share = tmp_path / "share"
    share.mkdir()
    ana, bo = tmp_path / "ana", tmp_path / "bo"
    run_cli("remote", "add", "shop", str(share), home=ana)
    run_cli("remote", "add", "shop", str(share), "--read-only", home=bo)
    run_cli("new", "--kind", "checklist", "--title", "Open the shop", "--collection", "shop",
            home=ana)
    run_cli("sync", home=ana)
    assert "1 received" in run_cli("sync", home=bo).stdout
    published = (share / "open-the-shop.md").read_bytes()
    mine = bo / "data" / "teams" / "shop" / "open-the-shop.md"
    assert mine.read_bytes() == published
    refused = run_cli("new", "--title", "Mine", "--collection", "shop", home=bo, check=False)
    assert refused.returncode == 1 and "read-only" in refused.stderr
    # Another program edits Bo's copy and adds a file: neither is sent.
    mine.write_bytes(published.replace(b"Next thing", b"Bo's own way"))
    (mine.parent / "bo-only.md").write_text("---\ntitle: Bo only\n---\n1. Mine\n")
    said = run_cli("sync", home=bo, check=False)
    assert said.returncode == 1  # not synced, and said: until Bo moves them to their own aids
    assert "read-only: the change stays on this machine" in said.stdout
    assert "bo-only.md: only on this machine: this team library is read-only" in said.stdout
    assert sorted(p.name for p in share.glob("*.md")) == ["open-the-shop.md"]
    assert (share / "open-the-shop.md").read_bytes() == published
    # Changed in the library too: its version wins here; Bo's edit is kept in the history.
    text = (ana / "data" / "teams" / "shop" / "open-the-shop.md").read_text()
    (ana / "data" / "teams" / "shop" / "open-the-shop.md").write_text(
        text.replace("Last thing", "Ana's last thing"))
    run_cli("sync", home=ana)
    updated = (share / "open-the-shop.md").read_bytes()
    said = run_cli("sync", home=bo, check=False)
    assert "which is read-only: its version is here now" in said.stdout + said.stderr
    assert mine.read_bytes() == updated and (share / "open-the-shop.md").read_bytes() == updated
    assert [p for p in bo.rglob("*") if "sync-kept" in p.parts and p.is_file()
            and b"Bo's own way" in p.read_bytes()], "Bo's edit is nowhere"
    # Deleted from Bo's copy: it comes back, the library untouched.
    mine.unlink()
    run_cli("sync", home=bo, check=False)
    assert mine.read_bytes() == updated and (share / "open-the-shop.md").read_bytes() == updated
    assert sorted(p.name for p in share.glob("*.md")) == ["open-the-shop.md"]


def test_a_conflict_copy_finds_its_aid_renamed_or_moved_since(tmp_path: Path) -> None:
    """The copy is named after the aid as it was; renamed since, the aid is found by its id:
    listed as the copy's original, and what a resolve replaces."""
    _share, ana, bo = _shop_of_two(tmp_path)
    found = _conflict(ana, bo, "Next thing")
    folder = ana / "data" / "teams" / "shop"
    moved = folder / "mornings" / "opening.md"
    moved.parent.mkdir()
    (folder / "open-the-shop.md").rename(moved)
    [listed] = json.loads(run_cli("conflicts", "--json", home=ana).stdout)
    assert Path(listed["original"]) == moved
    copy = Path(found["path"]).read_text()
    kept = run_cli("conflicts", "resolve", found["id"], "--keep", "theirs", home=ana)
    assert "kept the other version of opening.md" in kept.stdout
    assert moved.read_text() == copy and sorted(p.name for p in folder.rglob("*.md")) == [
        "opening.md"]


def test_conflict_files_that_dropbox_or_syncthing_make_are_conflicts_to_settle(
        tmp_path: Path) -> None:
    """Made underneath a shared folder by another tool, with the aid's own id in them: each
    is listed as a conflict of the aid it copies (never taken for that aid, or for a rename
    of it), and settled like Handrail's own."""
    share = tmp_path / "share"
    share.mkdir()
    home = tmp_path / "ana"
    run_cli("remote", "add", "shop", str(share), home=home)
    run_cli("new", "--kind", "checklist", "--title", "Open the shop", "--collection", "shop",
            home=home)
    run_cli("sync", home=home)
    aid = (share / "open-the-shop.md").read_text()
    copies = ["open-the-shop.sync-conflict-20261204-101010-ABCDEFG.md",
              "open-the-shop (Bo's conflicted copy 2026-12-04).md"]
    for name in copies:
        (share / name).write_text(aid.replace("Next thing", f"Next thing, says {name[:20]}"))
    (share / "open-the-shop.md").unlink()  # and the aid itself moved on the share meanwhile
    (share / "shop" / "open-the-shop.md").parent.mkdir()
    (share / "shop" / "open-the-shop.md").write_text(aid)
    synced = run_cli("sync", home=home).stdout
    assert "renamed" in synced
    team = home / "data" / "teams" / "shop"
    assert sorted(p.relative_to(team).as_posix() for p in team.rglob("*.md")) == sorted(
        [*copies, "shop/open-the-shop.md"])
    listed = json.loads(run_cli("conflicts", "--json", home=home).stdout)
    assert sorted(Path(c["path"]).name for c in listed) == sorted(copies)
    assert {Path(c["original"]).name for c in listed} == {"open-the-shop.md"}
    first = listed[0]
    kept = run_cli("conflicts", "resolve", first["id"], "--keep", "both", home=home)
    assert "both kept" in kept.stdout
