from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_cli


def test_new_list_show_delete_restore(tmp_path: Path) -> None:
    home = tmp_path / "home"
    created = Path(run_cli("new", "--kind", "checklist", "--title", "Open the shop",
                           home=home).stdout.strip())
    assert created.is_file() and created.is_relative_to(home)
    listed = json.loads(run_cli("list", "--json", home=home).stdout)
    mine = [item for item in listed if item["collection"] == "mine"]
    assert [item["title"] for item in mine] == ["Open the shop"]
    assert mine[0]["kind"] == "checklist" and mine[0]["path"] == str(created)
    assert len([i for i in listed if i["collection"] == "starter"]) == 8
    shown = run_cli("show", mine[0]["id"], home=home).stdout
    assert shown.startswith("Open the shop\n") and "Kind: checklist" in shown
    deleted = run_cli("delete", str(created), home=home).stdout
    assert "moved to the trash" in deleted and not created.exists()
    entry = run_cli("trash", home=home).stdout.split()[0]
    assert Path(run_cli("restore", entry, home=home).stdout.strip()) == created
    assert created.is_file()


def test_errors_are_clear_and_exit_non_zero(tmp_path: Path) -> None:
    home = tmp_path / "home"
    missing = run_cli("show", "no-such-aid", home=home, check=False)
    assert missing.returncode == 1
    assert missing.stderr.startswith("handrail: error: no aid with id or path 'no-such-aid'")
    readonly = run_cli("delete", "Welcome to Handrail", home=home, check=False)
    assert readonly.returncode == 1 and "read-only" in readonly.stderr
    nofolder = run_cli("collection", "add", str(tmp_path / "nope"), home=home, check=False)
    assert nofolder.returncode == 1 and "is not a folder" in nofolder.stderr


def test_validate_reports_file_and_line_and_exits_non_zero(tmp_path: Path) -> None:
    folder = tmp_path / "aids"
    folder.mkdir()
    (folder / "good.md").write_text("# Fine\n")
    (folder / "bad.md").write_text("---\ntitle: ok\nkind: [x\n---\nbody\n")
    result = run_cli("validate", str(folder), home=tmp_path / "home", check=False)
    assert result.returncode == 1
    assert f"{folder / 'bad.md'}:3: error: front matter is not valid YAML" in result.stdout
    assert "2 files checked: 1 errors" in result.stderr
    assert run_cli("validate", str(folder / "good.md"), home=tmp_path / "home").returncode == 0


def test_handrail_home_environment_variable_is_portable_mode(tmp_path: Path) -> None:
    env = {**os.environ, "HANDRAIL_HOME": str(tmp_path / "stick")}
    result = subprocess.run([sys.executable, "-m", "app.cli", "new", "--title", "On the stick"],
                            capture_output=True, text=True, cwd=ROOT, env=env, check=True)
    assert Path(result.stdout.strip()).is_relative_to(tmp_path / "stick")


def test_no_display_is_said_plainly(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    result = subprocess.run([sys.executable, "-m", "app.cli", "--home", str(tmp_path)],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert result.returncode == 2
    assert "no display" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.slow
def test_import_the_english_tldr_pages(tmp_path: Path, tldr_root: Path) -> None:
    home = tmp_path / "home"
    pages = tldr_root / "pages"
    expected = sorted(p for p in pages.rglob("*.md"))
    assert len(expected) > 150
    out = run_cli("import", str(pages), home=home).stdout
    assert f"imported {len(expected)} files" in out and "skipped 0" in out
    listed = json.loads(run_cli("list", "--json", "--collection", "mine", home=home).stdout)
    assert len(listed) == len(expected)
    by_rel = {item["relpath"]: item for item in listed}
    assert by_rel["pages/common/tar.md"]["title"] == "tar"
    assert by_rel["pages/common/!.md"]["title"] == "!"
    assert "Archiving utility" in by_rel["pages/common/tar.md"]["summary"]
    validated = run_cli("validate", home=home)
    assert validated.returncode == 0 and " 0 errors" in validated.stderr


@pytest.mark.slow
def test_collection_add_uses_all_languages_in_place(tmp_path: Path, tldr_root: Path) -> None:
    home = tmp_path / "home"
    run_cli("collection", "add", str(tldr_root), "--name", "tldr", "--read-only", home=home)
    listed = json.loads(run_cli("list", "--json", "--collection", "tldr", home=home).stdout)
    expected = sum(1 for _ in tldr_root.rglob("*.md"))
    assert expected > 200 and len(listed) == expected
    titles = {item["relpath"]: item["title"] for item in listed}
    assert titles["pages.zh/common/tar.md"] == "tar"
    assert all(not item["problems"] for item in listed)
    assert run_cli("validate", str(tldr_root), home=home).returncode == 0
    removed = run_cli("collection", "remove", "tldr", home=home).stdout
    assert "untouched" in removed and (tldr_root / "pages" / "common" / "tar.md").is_file()


def test_history_lists_shows_and_restores_versions(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = home / "data" / "library" / "till.md"
    path.parent.mkdir(parents=True)
    path.write_text("---\nid: till\n---\n# Count the till\n\nfirst\n")
    empty = run_cli("history", "till", home=home).stdout
    assert "no earlier versions yet" in empty
    from job_aids import HandrailPaths, LibraryStore

    store = LibraryStore(HandrailPaths.under(home))
    for word in ("second", "third"):
        aid = store.find("till")
        assert aid.source is not None
        store.save_text(aid, aid.source.path.read_text() + word + "\n")
    listed = run_cli("history", "till", home=home)
    rows = [line.split() for line in listed.stdout.splitlines()[1:]]
    assert [row[0] for row in rows] == ["1", "2"] and "restore till N" in listed.stderr
    assert run_cli("history", "show", "till", "1", home=home).stdout.endswith("\nfirst\n")
    restored = run_cli("history", "restore", "till", "1", home=home).stdout
    assert "restored version 1" in restored
    assert path.read_text().endswith("\n\nfirst\n")
    # The version the restore replaced is kept, so the restore can be undone.
    assert run_cli("history", "show", "till", "3", home=home).stdout.endswith("third\n")
    bad = run_cli("history", "restore", "till", "9", home=home, check=False)
    assert bad.returncode == 1 and "no single version '9'" in bad.stderr


def test_control_characters_in_aids_never_reach_a_terminal(tmp_path: Path) -> None:
    """Clipboard-set, window-title and clear-screen sequences are shown as U+FFFD on a
    terminal; a pipe still gets the file's text as it is."""
    import pty

    home = tmp_path / "home"
    library = home / "data" / "library"
    library.mkdir(parents=True)
    hostile = "\x1b]52;c;ZWNobyBvd25lZA==\x07\x1b]0;owned\x07\x1b[2J\x9b31m"
    (library / "evil.md").write_text(f"---\nid: evil\ntitle: Evil {hostile} aid\n---\n"
                                     f"# Evil\n\nRead me {hostile} now\n")
    for command in (["list"], ["search", "evil"], ["show", "evil"], ["show", "nope\x1b[2J"]):
        leader, follower = pty.openpty()
        subprocess.run([sys.executable, "-m", "app.cli", "--home", str(home), *command],
                       stdout=follower, stderr=follower, cwd=ROOT, timeout=120)
        os.close(follower)
        output = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        os.close(leader)
        text = output.decode("utf-8", errors="replace")
        assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text, command
        assert "Evil" in text or "nope" in text, (command, text)
    piped = run_cli("show", "evil", home=home).stdout
    assert hostile in piped


def test_state_says_when_no_app_runs(tmp_path: Path) -> None:
    result = run_cli("state", "--json", home=tmp_path / "home", check=False)
    assert result.returncode == 1 and "Handrail is not running" in result.stderr
