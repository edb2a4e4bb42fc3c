"""The Qt-free parts of the app: checklists, pinned progress, settings, autostart, gaps."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from app import autostart
from app.settings import DEFAULT_HOTKEY, SCHEMA_VERSION, Settings
from job_aids.checklist import Checklist, CodeBlock, PinnedState, Step
from search import UsageLog

BODY = """\
# Reset the label printer

1. Switch the printer off
2. Hold `FEED` while switching it on

- [ ] Wait for the light to blink twice
- [x] Print a test label

```sh
lpstat -p zebra
```

Some prose that is not a step.
"""


def test_steps_and_code_blocks_come_out_in_order() -> None:
    checklist = Checklist.from_markdown(BODY)
    assert [type(item) for item in checklist.items] == [Step, Step, Step, Step, CodeBlock]
    assert checklist.steps[1] == Step("Hold `FEED` while switching it on", copy_text="FEED")
    assert checklist.steps[2].text == "Wait for the light to blink twice"
    assert checklist.code_blocks == [CodeBlock("lpstat -p zebra", "sh")]
    assert checklist.first_copyable() == "lpstat -p zebra"
    steps_only = Checklist.from_markdown("1. One\n2. Two\n")
    assert steps_only.first_copyable() == "1. One\n2. Two"
    assert Checklist.from_markdown("Just prose.").first_copyable() is None


@pytest.mark.parametrize("body", [
    BODY,
    "1. Open\n2. Hold it\n- [ ] Wait\n",  # no blank line: the renderer continues step 2
    "- [ ] One\n\n    indented: the same item, as the renderer shows it\n\n- [ ] Two\n",
    "1. Open the cover\n   and pull gently\n2. Close it\n",
    "> 1. A step in a quote\n\n~~~\n1. not a step: code\n~~~\n",
    "    1. an indented code block, not a step\n",
])
def test_the_pinned_steps_are_the_steps_the_aid_window_shows(body: str) -> None:
    """One reader: the pinned view's steps are the list items the rendered aid shows."""
    import re

    from job_aids.render import render_markdown

    shown = render_markdown(body)
    items = [re.sub(r"<[^>]+>", "", li).strip()
             for li in re.findall(r"<li[^>]*>(.*?)</li>", shown, re.DOTALL)]
    steps = Checklist.from_markdown(body).steps
    assert len(steps) == len([i for i in items if i]), (shown, steps)
    for step, item in zip(steps, items, strict=True):
        assert re.sub(r"[`*]", "", step.text) in " ".join(item.split())


def test_a_list_inside_a_warning_stays_in_the_warning() -> None:
    items = Checklist.from_markdown('!!! warning "Hot"\n    1. Let it cool\n\n1. Then open\n'
                                    ).items
    assert [type(item).__name__ for item in items] == ["Callout", "Step"]
    assert "Let it cool" in items[0].text  # type: ignore[union-attr]


def test_pinned_progress_survives_a_restart_and_follows_step_text(tmp_path: Path) -> None:
    file = tmp_path / "state" / "pinned.json"
    state = PinnedState(file)
    state.pin("aid-1", tmp_path / "a.md")
    state.set_done("aid-1", "Switch the printer off", True)
    state.set_done("aid-1", "Print a test label", True)
    state.set_done("aid-1", "Print a test label", False)
    again = PinnedState(file)
    assert again.pinned == ["aid-1"]
    assert again.locations["aid-1"] == str(tmp_path / "a.md")
    assert again.done("aid-1") == {"Switch the printer off"}
    again.unpin("aid-1")
    assert PinnedState(file).pinned == []
    assert PinnedState(file).done("aid-1") == {"Switch the printer off"}  # ticks are kept
    file.write_text("{not json", encoding="utf-8")
    assert PinnedState(file).pinned == []  # damaged: nothing pinned, no crash


def test_settings_defaults_round_trip_and_migration(tmp_path: Path) -> None:
    file = tmp_path / "settings.json"
    settings, problem = Settings.load(file)
    assert (settings, problem) == (Settings(), None)
    assert settings.hotkey == DEFAULT_HOTKEY
    settings.hotkey, settings.theme = "Ctrl+Alt+H", "dark"
    settings.save(file)
    assert json.loads(file.read_text())["version"] == SCHEMA_VERSION
    assert Settings.load(file)[0] == settings
    file.write_text(json.dumps({"version": 1, "shortcut": "Meta+J", "theme": "purple",
                                "start_at_login": "yes"}))
    migrated, problem = Settings.load(file)
    assert problem is None
    assert migrated.hotkey == "Meta+J"            # renamed key carried over
    assert migrated.theme == "system"             # unknown value: the default
    assert migrated.start_at_login is False       # wrong type: the default
    file.write_text("\x00\x01 not json")
    broken, problem = Settings.load(file)
    assert broken == Settings() and problem is not None and "default" in problem


def test_xdg_autostart_entry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert not autostart.is_enabled()
    autostart.set_enabled(True, ["/opt/handrail/handrail", "--home", "/media/usb/my aids"])
    entry = (tmp_path / "autostart" / "handrail.desktop").read_text()
    assert "Exec=/opt/handrail/handrail --home '/media/usb/my aids'" in entry
    assert autostart.is_enabled()
    autostart.set_enabled(False)
    assert not autostart.is_enabled()


def test_login_start_runs_the_installed_command_with_an_icon(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`python -m app` from the login folder would import any ~/app/ instead of Handrail."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    command = autostart.launch_command()
    assert len(command) == 1 and Path(command[0]).name == "handrail"
    assert Path(command[0]).is_file() and os.access(command[0], os.X_OK)
    autostart.set_enabled(True)
    lines = (tmp_path / "autostart" / "handrail.desktop").read_text().splitlines()
    assert f"Exec={command[0]}" in lines
    icon = Path(next(line for line in lines if line.startswith("Icon="))[5:])
    assert icon.suffix == ".png" and icon.read_bytes().startswith(b"\x89PNG")


def test_content_gaps_are_counted_per_query(tmp_path: Path) -> None:
    usage = UsageLog(tmp_path / "usage.sqlite3")
    usage.record_gap("Unjam  Printer", "SAPLogon")
    usage.record_gap("unjam printer", "firefox")
    usage.record_gap("book a return")
    usage.record_gap("   ")
    again = UsageLog(tmp_path / "usage.sqlite3")
    gaps = again.gaps()
    assert [g["query"] for g in gaps] == ["Unjam Printer", "book a return"]
    assert gaps[0]["count"] == 2 and gaps[0]["apps"] == ["SAPLogon", "firefox"]
    usage.record_open("a")
    usage.record_open("b")
    usage.record_open("b")
    assert usage.most_used(5) == ["b", "a"]


def test_both_themes_draw_checkboxes_with_a_tick_that_ships(qapp: object) -> None:
    """An empty box was hard to see in the dark theme; both themes draw it, and the tick's
    image is a file of the package."""
    import re
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from app.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)
    for theme in ("light", "dark"):
        apply_theme(app, theme)
        sheet = app.styleSheet()
        assert "QCheckBox::indicator {" in sheet and "@CHECK@" not in sheet
        [tick] = re.findall(r'image: url\("([^"]+)"\)', sheet)
        assert Path(tick).is_file() and Path(tick).name == f"check-{theme}.svg"
    apply_theme(app, "light")


def test_warnings_are_kept_among_the_steps_of_a_pinned_aid(qapp: object) -> None:
    from PySide6.QtWidgets import QLabel

    from app.pinned_window import PinnedWindow
    from job_aids import parse_text
    from job_aids.checklist import Callout, Checklist, PinnedState, Step

    text = ('# Cool the press\n\n!!! warning "Hot parts"\n    Wait until the **plates** are '
            'cold.\n\n1. Open the guard\n2. Lift the plate\n\n!!! note\n    Gloves are in the '
            'red box.\n')
    assert Checklist.from_markdown(text).items == [
        Callout("warning", "Hot parts: Wait until the plates are cold."),
        Step("Open the guard"), Step("Lift the plate"),
        Callout("note", "Gloves are in the red box.")]
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        window = PinnedWindow(parse_text(text), PinnedState(Path(folder) / "p.json"),
                              lambda t, a: None)
        shown = [label.text() for label in window.findChildren(QLabel)
                 if label.objectName() in ("warning", "note")]
        window.close()
    assert shown == ["⚠ Hot parts: Wait until the plates are cold.",
                     "ℹ Gloves are in the red box."]


def test_a_disabled_button_looks_disabled_in_both_themes(qapp: object) -> None:
    """In the dark theme a disabled Delete button (and menu entry) was drawn exactly like one
    that works: the palette gave every group the same colours."""
    from PySide6.QtGui import QColor, QImage
    from PySide6.QtWidgets import QApplication, QPushButton

    from app.theme import apply_theme

    app = QApplication.instance()
    assert isinstance(app, QApplication)

    def text_contrast(enabled: bool) -> int:
        """How far the lettering stands out from the button's face."""
        button = QPushButton("Delete")
        button.setEnabled(enabled)
        button.resize(120, 32)
        image = button.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
        face = QColor(image.pixel(8, image.height() // 2)).lightness()
        middle = range(image.height() // 4, 3 * image.height() // 4)
        return max(abs(QColor(image.pixel(x, y)).lightness() - face)
                   for x in range(20, image.width() - 20) for y in middle)

    for theme in ("light", "dark"):
        apply_theme(app, theme)
        working, greyed = text_contrast(True), text_contrast(False)
        assert greyed < working * 0.75, (theme, working, greyed)
    apply_theme(app, "light")
