"""Bundled resources: templates, the starter library, icons and style sheets."""

from __future__ import annotations

import sys
from pathlib import Path


def resources_dir() -> Path:
    """The resources folder: in a checkout, an installed package or a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle:
        return Path(bundle) / "resources"
    return Path(__file__).resolve().parent


def templates_dir() -> Path:
    return resources_dir() / "templates"


def starter_dir() -> Path:
    return resources_dir() / "starter"


def icon_file(name: str = "handrail") -> Path:
    return resources_dir() / "icons" / f"{name}.svg"


def style_sheet() -> str:
    return (resources_dir() / "style.qss").read_text(encoding="utf-8")
