"""The log file: what happened, with tracebacks of bugs, and never the user's words or secrets."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import run_cli

from app import logs, unexpected
from job_aids import HandrailPaths

# Words only the user wrote or typed: none may reach the log.
PRIVATE = ("Zanzibarquux", "Quokkaflange", "Wombatzephyr", "Narwhalbistro")
AID = f"""---
title: {PRIVATE[0]} the till
kind: checklist
tags: [{PRIVATE[1]}]
---
# {PRIVATE[0]} the till

- [ ] Count the {PRIVATE[2]} notes
"""
BROKEN = f"---\ntitle: [{PRIVATE[3]}\nkind: nonsense\n---\nbody {PRIVATE[3]}\n"


@pytest.fixture
def isolated_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
            handler.close()
    root.setLevel(level)


def test_the_log_says_what_happened_and_never_what_the_user_wrote(tmp_path: Path) -> None:
    home = tmp_path / "home"
    library = home / "data" / "library"
    library.mkdir(parents=True)
    (library / f"{PRIVATE[0].lower()}-till.md").write_text(AID, encoding="utf-8")  # names too
    (library / "broken.md").write_text(BROKEN, encoding="utf-8")
    run_cli("--debug", "index", "--rebuild", home=home)
    found = run_cli("--debug", "search", "--json", f"{PRIVATE[0].lower()} till", home=home)
    assert f"{PRIVATE[0]} the till" in found.stdout
    run_cli("--debug", "search", "--stdin", home=home, input=f"{PRIVATE[2]}\n{PRIVATE[1]}\n")
    run_cli("--debug", "show", f"{PRIVATE[0]} the till", home=home)
    run_cli("--debug", "list", "--json", home=home)
    assert run_cli("--debug", "validate", home=home, check=False).returncode == 1
    run_cli("--debug", "new", "--title", f"{PRIVATE[3]} rules", home=home)
    assert run_cli("--debug", "show", f"no such {PRIVATE[1]}", home=home,
                   check=False).returncode == 1

    log = (home / "logs" / "handrail.log").read_text(encoding="utf-8")
    assert " DEBUG " in log and " INFO " in log
    assert "handrail search (Python" in log and "search index: " in log
    assert "fast path on" in log
    assert "show failed: AidNotFoundError" in log
    for word in PRIVATE:
        assert word.lower() not in log.lower(), f"{word!r} reached the log"


def test_the_default_level_is_info_and_debug_is_asked_for(tmp_path: Path,
                                                          isolated_logging: None) -> None:
    paths = HandrailPaths.under(tmp_path)
    logs.setup(paths)
    assert logging.getLogger().level == logging.INFO
    os.environ[logs.DEBUG_ENV] = "1"
    try:
        logs.setup(paths)
        assert logging.getLogger().level == logging.DEBUG
    finally:
        del os.environ[logs.DEBUG_ENV]


def test_credentials_are_scrubbed_from_every_record(tmp_path: Path,
                                                   isolated_logging: None) -> None:
    file = logs.setup(HandrailPaths.under(tmp_path))
    assert file is not None
    log = logging.getLogger("handrail.sync")
    log.warning("PUT https://anna:s3cr3t-Pa55@dav.example.org/team/ failed")
    log.warning("sent Authorization: Basic YW5uYTpzM2NyM3Q= and password=hunter2!")
    log.info("config had token: ghp_0123456789abcdef and api_key=AKIA1234")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = file.read_text()
    for secret in ("s3cr3t-Pa55", "YW5uYTpzM2NyM3Q=", "hunter2", "ghp_0123456789abcdef",
                   "AKIA1234"):
        assert secret not in text
    assert "https://anna:***@dav.example.org/team/" in text and "password=***" in text


def test_an_unexpected_error_is_logged_with_its_traceback_and_the_user_told(
        tmp_path: Path, isolated_logging: None, monkeypatch: pytest.MonkeyPatch) -> None:
    file = logs.setup(HandrailPaths.under(tmp_path))
    shown: list[str] = []
    monkeypatch.setattr(unexpected, "_notify", shown.append)
    monkeypatch.setattr(unexpected, "_log_file", str(file))
    with unexpected.contained("saving the settings"):
        {}["theme"]  # noqa: B018 - a bug
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = file.read_text()  # type: ignore[union-attr]
    assert "Traceback (most recent call last)" in text and "KeyError" in text
    assert shown == [f"Handrail hit an unexpected problem while saving the settings: KeyError: "
                     f"'theme'. The details are in the log: {file}"]


def test_version_comes_from_the_package(tmp_path: Path) -> None:
    assert run_cli("--version", home=tmp_path).stdout.strip() == "handrail 0.1.0"


def test_a_big_log_is_rotated_and_old_ones_dropped(tmp_path: Path,
                                                   isolated_logging: None) -> None:
    paths = HandrailPaths.under(tmp_path)
    paths.logs.mkdir(parents=True)
    file = paths.logs / logs.LOG_NAME
    for number in range(1, logs.LOG_BACKUPS + 1):
        (paths.logs / f"{logs.LOG_NAME}.{number}").write_text(f"old {number}\n")
    file.write_bytes(b"x" * logs.LOG_BYTES)
    assert logs.setup(paths) == file
    logging.getLogger("handrail").info("after the rotation")
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "after the rotation" in file.read_text()
    assert (paths.logs / f"{logs.LOG_NAME}.1").stat().st_size == logs.LOG_BYTES
    assert (paths.logs / f"{logs.LOG_NAME}.2").read_text() == "old 1\n"
    assert (paths.logs / f"{logs.LOG_NAME}.3").read_text() == "old 2\n"  # "old 3" dropped
    assert not (paths.logs / f"{logs.LOG_NAME}.4").exists()
