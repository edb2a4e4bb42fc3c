"""A WebDAV team library added and synced from the command line, its password kept in a real
Secret Service (gnome-keyring on a private bus) and nowhere else; a wrong password, no keyring
and a locked keyring each get a clear message and never a password in a file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import run_cli

from bench.dav_server import DavServer
from bench.secret_service import SecretService

PASSWORD = DavServer.USER[1]
AID = "---\ntitle: Count the float\n---\n1. Count the notes\n2. Count the coins\n"


def _no_password_in_files(home: Path) -> None:
    for path in home.rglob("*"):
        if path.is_file():
            assert PASSWORD.encode() not in path.read_bytes(), f"the password is in {path}"


def _keyring_has(env: dict[str, str], user: str, url: str) -> str | None:
    found = subprocess.run(
        [sys.executable, "-c", "import sys; from sync import credentials as c; "
         "print(c.load_password(sys.argv[1], sys.argv[2]))", user, url],
        env=env, capture_output=True, text=True, timeout=60, check=True)
    return None if found.stdout.strip() == "None" else found.stdout.strip()


def test_a_webdav_library_is_added_with_its_password_in_the_keyring_and_syncs(
        tmp_path: Path, dav: tuple[DavServer, Path]) -> None:
    server, share = dav
    (share / "count-the-float.md").write_text(AID)
    home = tmp_path / "ana"
    with SecretService(tmp_path / "session") as secrets:
        added = run_cli("remote", "add", "shop", server.url, "--user", "ana", "--password-stdin",
                        home=home, input=PASSWORD + "\n", env=secrets.env)
        assert "added the team library 'shop'" in added.stdout
        assert _keyring_has(secrets.env, "ana", server.url) == PASSWORD
        # A later run finds the password in the keyring: nothing is asked, nothing typed.
        synced = run_cli("sync", "shop", home=home, env=secrets.env, input="")
        assert synced.stdout.strip() == "shop: 1 received"
        assert (home / "data" / "teams" / "shop" / "count-the-float.md").read_text() == AID
        listed = json.loads(run_cli("remote", "list", "--json", home=home,
                                    env=secrets.env).stdout)
        assert [(r["name"], r["user"]) for r in listed] == [("shop", "ana")]
        _no_password_in_files(home)
        run_cli("remote", "remove", "shop", home=home, env=secrets.env)
        assert _keyring_has(secrets.env, "ana", server.url) is None  # removed with it


def test_a_wrong_password_is_named_and_nothing_is_added(
        tmp_path: Path, dav: tuple[DavServer, Path]) -> None:
    server, _share = dav
    home = tmp_path / "ana"
    with SecretService(tmp_path / "session") as secrets:
        refused = run_cli("remote", "add", "shop", server.url, "--user", "ana", "--password-stdin",
                          home=home, input="not it\n", env=secrets.env, check=False)
        assert refused.returncode == 1
        assert "the server refused the user name or password" in refused.stderr
        assert _keyring_has(secrets.env, "ana", server.url) is None
    assert json.loads(run_cli("remote", "list", "--json", home=home).stdout) == []


def test_with_no_keyring_the_password_is_not_kept_and_sync_says_what_to_do(
        tmp_path: Path, dav: tuple[DavServer, Path]) -> None:
    """keyring's own "no backend" (its fail backend), as on a machine with no Secret Service."""
    server, _share = dav
    home = tmp_path / "ana"
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    added = run_cli("remote", "add", "shop", server.url, "--user", "ana", "--password-stdin",
                    home=home, input=PASSWORD + "\n", env=env)
    assert "the password is not saved: there is no keyring on this system" in added.stderr
    # No terminal to ask at: the sync fails, says why, and records the failure.
    synced = run_cli("sync", "shop", home=home, env=env, input="", check=False)
    assert synced.returncode == 1
    assert "no password for ana at" in synced.stderr and "no keyring" in synced.stderr
    status = json.loads(run_cli("sync", "--status", "--json", home=home, env=env).stdout)
    assert status["shop"]["ok"] is False
    _no_password_in_files(home)


def test_a_locked_keyring_is_named_as_locked(tmp_path: Path,
                                             dav: tuple[DavServer, Path]) -> None:
    server, _share = dav
    home = tmp_path / "ana"
    with SecretService(tmp_path / "session", unlocked=False) as secrets:
        added = run_cli("remote", "add", "shop", server.url, "--user", "ana", "--password-stdin",
                        home=home, input=PASSWORD + "\n", env=secrets.env)
        assert "the keyring is locked" in added.stderr
        synced = run_cli("sync", "shop", home=home, env=secrets.env, input="", check=False)
        assert synced.returncode == 1 and "the keyring is locked" in synced.stderr
    _no_password_in_files(home)


def test_a_password_without_a_user_or_a_terminal_is_refused_clearly(tmp_path: Path,
                                                                     dav: tuple[DavServer, Path]
                                                                     ) -> None:
    server, _share = dav
    home = tmp_path / "ana"
    lone = run_cli("remote", "add", "shop", server.url, "--password-stdin", home=home,
                   input="x\n", check=False)
    assert lone.returncode == 1 and "--password-stdin needs --user" in lone.stderr
    asked = run_cli("remote", "add", "shop", server.url, "--user", "ana", home=home, input="",
                    check=False)
    assert asked.returncode == 1 and "give it with --password-stdin" in asked.stderr
