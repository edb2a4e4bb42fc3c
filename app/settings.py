"""Handrail's settings: declared once, typed, with defaults and versioned migrations.

Qt-free, so it can be read by the CLI and tested without a display.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from job_aids.atomic import atomic_write_text

SCHEMA_VERSION = 2
DEFAULT_HOTKEY = "Ctrl+Alt+Space"


@dataclass
class Settings:
    hotkey: str = DEFAULT_HOTKEY
    start_at_login: bool = False
    # Off X11 there is no PRIMARY selection; reading the clipboard needs the user's consent.
    use_clipboard_as_selection: bool = False
    theme: str = "system"  # "system", "light" or "dark"
    # Rank higher what colleagues opened after searching the same words (their shared
    # insights, search/team_insights.py); nothing of this machine's is sent for it.
    team_ranking: bool = True

    @classmethod
    def load(cls, file: Path) -> tuple[Settings, str | None]:
        """The settings, and a message when the file could not be used (defaults then)."""
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(), None
        except (OSError, ValueError) as error:
            return cls(), f"{file} could not be read ({error}); using the default settings"
        if not isinstance(data, dict):
            return cls(), f"{file} is not a settings file; using the default settings"
        data = migrate(data)
        settings = cls()
        for spec in fields(cls):
            value = data.get(spec.name)
            if value is not None and isinstance(value, type(getattr(settings, spec.name))):
                setattr(settings, spec.name, value)
        if settings.theme not in ("system", "light", "dark"):
            settings.theme = "system"
        return settings, None

    def save(self, file: Path) -> None:
        atomic_write_text(file, json.dumps({"version": SCHEMA_VERSION, **asdict(self)},
                                           indent=2) + "\n")


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    # Version 1 called the hotkey "shortcut" and stored it in Qt's portable text with "Meta".
    if "shortcut" in data and "hotkey" not in data:
        data["hotkey"] = data.pop("shortcut")
    return data


MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    version = data.get("version", 1)
    if not isinstance(version, int):
        version = 1
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](dict(data))
        version += 1
    return data
