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


def icon_file(name: str = "handrail", suffix: str = ".svg") -> Path:
    """An icon: ``.svg``, ``.png`` (256 px; ``handrail-16.png`` ... for other sizes) or ``.ico``."""
    return resources_dir() / "icons" / f"{name}{suffix}"


def desktop_entry() -> Path:
    """The freedesktop.org launcher entry (``Exec=handrail``, ``Icon=handrail``)."""
    return resources_dir() / "handrail.desktop"


def style_sheet() -> str:
    return (resources_dir() / "style.qss").read_text(encoding="utf-8")
