"""Files and folders a hostile user or a broken disk leaves in a library: each is named with
what to do, and every other aid is still listed, shown and found (the real command)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_cli

LATIN1_NAME = os.fsdecode(b"caf\xe9.md")  # a name from an old zip file: not UTF-8


def test_a_file_name_that_is_not_utf8_is_listed_found_and_shown(tmp_path: Path) -> None:
    home = tmp_path / "home"
    library = home / "data" / "library"
    library.mkdir(parents=True)
    (library / LATIN1_NAME).write_text("---\nid: menu\n---\n# Café menu\n\nPrices of the day\n")
    (library / "ok.md").write_text("# Opening hours\n\nNine to five\n")
    listed = json.loads(run_cli("list", "--json", "--collection", "mine", home=home).stdout)
    assert sorted(item["title"] for item in listed) == ["Café menu", "Opening hours"]
    [menu] = [item for item in listed if item["id"] == "menu"]
    assert os.fsencode(menu["path"]) == os.fsencode(library / LATIN1_NAME)  # exact bytes back
    assert "not valid UTF-8" in menu["problems"][0]["message"]
    indexed = run_cli("index", home=home)
    assert "aids indexed" in indexed.stdout
    found = json.loads(run_cli("search", "--json", "prices", home=home).stdout)
    assert [hit["id"] for hit in found] == ["menu"]
    assert "Prices of the day" in run_cli("show", "menu", home=home).stdout
    validated = run_cli("validate", home=home)
    assert "the file name is not valid UTF-8 (shown as 'caf\ufffd.md')" in validated.stdout
    # Saved once more through the index, the state file keeps the name as it is.
    (library / LATIN1_NAME).write_text("---\nid: menu\n---\n# Café menu\n\nSoup of the day\n")
    found = json.loads(run_cli("search", "--json", "soup", home=home).stdout)
    assert [hit["id"] for hit in found] == ["menu"]


def test_an_import_with_a_name_that_is_not_utf8_imports_everything(tmp_path: Path) -> None:
    home, source = tmp_path / "home", tmp_path / "old-zip"
    source.mkdir()
    for name in ("a.md", LATIN1_NAME, "z.md"):
        (source / name).write_text(f"# {name.encode('utf-8', 'replace').decode()}\n",
                                   errors="surrogateescape")
    report = run_cli("import", str(source), home=home).stdout
    assert "imported 3 files" in report and "-> café.md" in report
    imported = home / "data" / "library" / "old-zip"
    assert sorted(p.name for p in imported.iterdir()) == ["a.md", "café.md", "z.md"]


def test_a_collection_that_is_not_reachable_is_named_by_every_command(tmp_path: Path) -> None:
    home, stick = tmp_path / "home", tmp_path / "stick"
    stick.mkdir()
    (stick / "pump.md").write_text("# Prime the pump\n")
    run_cli("collection", "add", str(stick), "--name", "field", home=home)
    assert "Prime the pump" in run_cli("list", home=home).stdout
    stick.rename(tmp_path / "pulled-out")
    message = f"the collection 'field' is not reachable ({stick})"
    for command in (["list"], ["list", "--json"], ["validate"], ["search", "pump"], ["index"]):
        result = run_cli(*command, home=home, check=False)
        assert message in result.stdout + result.stderr, command
        assert result.returncode == 0, (command, result.stderr)
        assert "Traceback" not in result.stderr
    assert not stick.exists()  # never re-created in its place


def _without_root_powers() -> list[str]:
    """A prefix that runs a child without root's power to read every folder whatever its
    mode (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), as a user's own process would be."""
    if os.geteuid() != 0:
        return []
    return ["setpriv", "--bounding-set", "-dac_override,-dac_read_search"]


def test_a_folder_that_cannot_be_read_is_named_and_the_rest_still_works(tmp_path: Path) -> None:
    home = tmp_path / "home"
    library = home / "data" / "library"
    (library / "locked").mkdir(parents=True)
    (library / "locked" / "secret.md").write_text("# Secret\n")
    (library / "open.md").write_text("# Open the shop\n")
    os.chmod(library / "locked", 0o000)
    try:
        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run([*_without_root_powers(), sys.executable, "-m", "app.cli",
                                   "--home", str(home), *args],
                                  capture_output=True, text=True, cwd=ROOT, timeout=120)
        listed = run("list")
        assert listed.returncode == 0 and "Open the shop" in listed.stdout
        assert f"{library / 'locked'}: warning: this folder cannot be read (Permission " \
               "denied)" in listed.stderr
        shown = run("show", str(library / "locked" / "secret.md"))
        assert shown.returncode == 1 and "Traceback" not in shown.stderr
        assert "permission denied. Check that you may read it" in shown.stderr
        assert "this folder cannot be read" in run("validate").stdout
    finally:
        os.chmod(library / "locked", 0o755)
