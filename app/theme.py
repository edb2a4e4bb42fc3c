"""Light and dark: follow the system's colour scheme unless the user chose one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from resources import icon_file, style_sheet

from .aid_view import warning_ground


def _dark_palette() -> QPalette:
    palette = QPalette()
    colors = {
        QPalette.ColorRole.Window: "#202124", QPalette.ColorRole.WindowText: "#e8eaed",
        QPalette.ColorRole.Base: "#292a2d", QPalette.ColorRole.AlternateBase: "#303134",
        QPalette.ColorRole.Text: "#e8eaed", QPalette.ColorRole.Button: "#303134",
        QPalette.ColorRole.ButtonText: "#e8eaed", QPalette.ColorRole.Highlight: "#8ab4f8",
        QPalette.ColorRole.HighlightedText: "#202124", QPalette.ColorRole.ToolTipBase: "#303134",
        QPalette.ColorRole.ToolTipText: "#e8eaed", QPalette.ColorRole.PlaceholderText: "#9aa0a6",
        QPalette.ColorRole.Mid: "#5f6368", QPalette.ColorRole.Link: "#8ab4f8",
    }
    for role, color in colors.items():
        palette.setColor(role, QColor(color))  # every group: active, inactive, disabled
    # A disabled control must look disabled: without these, a greyed-out Delete or menu entry
    # read exactly like one that works.
    disabled = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText, QPalette.ColorRole.HighlightedText):
        palette.setColor(disabled, role, QColor("#6f7378"))
    palette.setColor(disabled, QPalette.ColorRole.Button, QColor("#26272a"))
    palette.setColor(disabled, QPalette.ColorRole.Highlight, QColor("#3c4043"))
    return palette


def apply_theme(app: QApplication, choice: str) -> None:
    """``choice`` is "system", "light" or "dark"; "system" follows changes while running."""
    app.setStyle("Fusion")
    hints = app.styleHints()
    scheme = hints.colorScheme()
    dark = choice == "dark" or (choice == "system" and scheme == Qt.ColorScheme.Dark)
    app.setPalette(_dark_palette() if dark else app.style().standardPalette())
    # The tick is drawn in the colour that reads on the theme's highlight.
    check = icon_file("check-dark" if dark else "check-light").as_posix()
    # A warning in the pinned view is tinted as in the aid window, text that reads on it.
    text = "#f5e3b3" if dark else "#5c4400"
    app.setStyleSheet(style_sheet().replace("@CHECK@", check)
                      .replace("@WARN_GROUND@", warning_ground(dark)).replace("@WARN_TEXT@", text))


def follow_system(app: QApplication, current_choice: object) -> None:
    """Re-apply the theme when the system switches, if the user follows the system."""
    def changed(_scheme: Qt.ColorScheme) -> None:
        choice = str(current_choice())  # type: ignore[operator]
        if choice == "system":
            apply_theme(app, choice)

    app.styleHints().colorSchemeChanged.connect(changed)
