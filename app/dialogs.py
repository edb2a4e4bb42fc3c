"""Message boxes that show their text as plain text.

``QMessageBox.warning`` and friends guess: a message whose first line holds something like a tag
is drawn as rich text, so an aid titled ``<img src=x.png>`` or a file named so would be drawn as
an image (and could load one). Every message in Handrail names aids and files, so every one
goes through here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

Button = QMessageBox.StandardButton
_OK = Button.Ok
_YES_NO = Button.Yes | Button.No


def _show(icon: QMessageBox.Icon, parent: QWidget | None, title: str, text: str,
          buttons: Button, default: Button) -> Button:
    box = QMessageBox(icon, title, text, buttons, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    if default != Button.NoButton:
        box.setDefaultButton(default)
    return Button(box.exec())


def warn(parent: QWidget | None, title: str, text: str, buttons: Button = _OK,
         default: Button = Button.NoButton) -> Button:
    return _show(QMessageBox.Icon.Warning, parent, title, text, buttons, default)


def ask(parent: QWidget | None, title: str, text: str, buttons: Button = _YES_NO,
        default: Button = Button.NoButton) -> Button:
    return _show(QMessageBox.Icon.Question, parent, title, text, buttons, default)


def inform(parent: QWidget | None, title: str, text: str, buttons: Button = _OK,
           default: Button = Button.NoButton) -> Button:
    return _show(QMessageBox.Icon.Information, parent, title, text, buttons, default)
