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


def choose(parent: QWidget | None, title: str, text: str, options: list[str], *,
           default: str | None = None, for_all: str | None = None) -> tuple[str | None, bool]:
    """A question answered by one of ``options`` (button labels, ``&`` marks the key), or
    None when closed; with ``for_all``, a check box whose state comes back too."""
    from PySide6.QtWidgets import QCheckBox

    box = QMessageBox(QMessageBox.Icon.Question, title, text, Button.NoButton, parent)
    box.setTextFormat(Qt.TextFormat.PlainText)
    buttons = {box.addButton(label, QMessageBox.ButtonRole.AcceptRole): label
               for label in options}
    for button, label in buttons.items():
        if label == default:
            box.setDefaultButton(button)
    cancel = box.addButton(Button.Cancel)
    box.setEscapeButton(cancel)
    check = QCheckBox(for_all) if for_all else None
    if check is not None:
        box.setCheckBox(check)
    box.exec()
    chosen = buttons.get(box.clickedButton())  # type: ignore[call-overload]
    return chosen, bool(check and check.isChecked())


def ask_password(parent: QWidget | None, title: str, text: str) -> str | None:
    """A password typed into a masked field, or None when the user cancels."""
    from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit

    box = QInputDialog(parent)
    box.setWindowTitle(title)
    box.setLabelText(text)
    box.setTextEchoMode(QLineEdit.EchoMode.Password)
    for label in box.findChildren(QLabel):
        label.setTextFormat(Qt.TextFormat.PlainText)
    return box.textValue() if box.exec() else None
