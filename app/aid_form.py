"""The editor's form for an aid's front matter, kept in step with the Markdown source.

Typing in a field changes that key's lines in the source and nothing else (see
job_aids/front_matter_edit.py); typing in the source updates the fields that are not being
edited. The source stays the truth: the form never re-serialises the front matter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from PySide6.QtCore import QDate, QStringListModel, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QCompleter,
    QDateEdit,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QWidget,
)

from job_aids import KINDS, JobAid
from job_aids.front_matter_edit import (
    experts_from_text,
    experts_lines,
    experts_to_text,
    list_lines,
    scalar_lines,
    set_field,
)


class ListCompleter(QCompleter):
    """Completes the last entry of a comma-separated list ("printing, hard" -> "hardware")."""

    def __init__(self, parent: QWidget) -> None:
        self.words = QStringListModel(parent)
        super().__init__(self.words, parent)
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setFilterMode(Qt.MatchFlag.MatchStartsWith)

    def splitPath(self, path: str) -> list[str]:  # noqa: N802 - Qt's name
        return [path.rsplit(",", 1)[-1].strip()]

    def pathFromIndex(self, index: object) -> str:  # noqa: N802 - Qt's name
        chosen = str(super().pathFromIndex(index))  # type: ignore[arg-type]
        line = self.widget()
        text = line.text() if isinstance(line, QLineEdit) else ""
        head = text.rsplit(",", 1)[0] + ", " if "," in text else ""
        return head + chosen


def split_list(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


class AidForm(QWidget):
    """Title, kind, summary, tags, apps, owner, experts and review-by of one aid."""

    edited = Signal(str)  # the source's new text after a field changed

    def __init__(self, source_text: Callable[[], str],
                 describe_kind: Callable[[str], str] | None = None) -> None:
        super().__init__()
        self._source_text = source_text
        self._updating = False
        self.title = QLineEdit(placeholderText="What the aid helps do, as people search for it")
        self.kind = QComboBox()
        for kind in KINDS:
            description = describe_kind(kind) if describe_kind else ""
            self.kind.addItem(f"{kind} — {description}" if description else kind, kind)
            self.kind.setItemData(self.kind.count() - 1, description,
                                  Qt.ItemDataRole.ToolTipRole)
        self.summary = QLineEdit(placeholderText="One sentence: when to use it")
        self.tags = QLineEdit(placeholderText="printing, hardware")
        self.tag_completer = ListCompleter(self.tags)
        self.tags.setCompleter(self.tag_completer)
        self.apps = QLineEdit(placeholderText="Applications it is for, e.g. Excel, SAP Logon")
        self.app_completer = ListCompleter(self.apps)
        self.apps.setCompleter(self.app_completer)
        self.owner = QLineEdit(placeholderText="Who keeps it right (e-mail or team)")
        self.experts = QLineEdit(
            placeholderText="Facilities desk <tel:+1 555 0100>; Ana <ana@example.com>")
        self.experts.setToolTip("Who to ask: names, each with a phone number or e-mail in <…>, "
                                "separated by ;")
        self.has_review = QCheckBox("Review by")
        self.review_by = QDateEdit()
        self.review_by.setCalendarPopup(True)
        self.review_by.setDisplayFormat("yyyy-MM-dd")
        self.review_by.setDate(QDate.currentDate().addDays(180))
        review = QHBoxLayout()
        review.setContentsMargins(0, 0, 0, 0)
        review.addWidget(self.has_review)
        review.addWidget(self.review_by, 1)
        review_row = QWidget()
        review_row.setLayout(review)
        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow("&Title", self.title)
        layout.addRow("&Kind", self.kind)
        layout.addRow("S&ummary", self.summary)
        layout.addRow("Ta&gs", self.tags)
        layout.addRow("&Apps", self.apps)
        layout.addRow("&Owner", self.owner)
        layout.addRow("E&xperts", self.experts)
        layout.addRow("", review_row)
        for line, key in ((self.title, "title"), (self.summary, "summary"),
                          (self.owner, "owner")):
            line.textEdited.connect(lambda text, key=key: self._write(key, scalar_lines(key, text)))
        self.tags.textEdited.connect(lambda text: self._write_list("tags", text))
        self.apps.textEdited.connect(lambda text: self._write_list("apps", text))
        self.tag_completer.activated.connect(
            lambda _text: self._write_list("tags", self.tags.text()))
        self.app_completer.activated.connect(
            lambda _text: self._write_list("apps", self.apps.text()))
        self.experts.textEdited.connect(
            lambda text: self._write("experts", experts_lines(experts_from_text(text))))
        self.kind.activated.connect(
            lambda _index: self._write("kind", scalar_lines("kind", self.kind.currentData())))
        self.has_review.toggled.connect(self._review_changed)
        self.review_by.dateChanged.connect(lambda _date: self._review_changed())

    def set_choices(self, tags: list[str], apps: list[str]) -> None:
        self.tag_completer.words.setStringList(tags)
        self.app_completer.words.setStringList(apps)

    # -- form -> source -------------------------------------------------------------------
    def _write(self, key: str, lines: str | None) -> None:
        if self._updating:
            return
        text = self._source_text()
        new = set_field(text, key, lines)
        if key == "title":
            new = _retitle_heading(new, self._shown_title, self.title.text().strip())
            self._shown_title = self.title.text().strip()
        if new != text:
            self.edited.emit(new)

    def _write_list(self, key: str, typed: str) -> None:
        if key == "apps" and self._app_entries:
            return  # {app:, title:} entries are edited in the source, never flattened here
        text = self._source_text()
        self._write(key, list_lines(text, key, split_list(typed)))

    def _review_changed(self, *_args: object) -> None:
        self.review_by.setEnabled(self.has_review.isChecked())
        if self._updating:
            return
        date = self.review_by.date().toPython() if self.has_review.isChecked() else None
        self._write("review_by", f"review_by: {date.isoformat()}" if isinstance(
            date, dt.date) else None)

    # -- source -> form -------------------------------------------------------------------
    _shown_title = ""
    _app_entries = False

    def show_aid(self, aid: JobAid) -> None:
        """Show the fields of the source as it is now; a field being typed in is left alone."""
        self._updating = True
        try:
            meta = aid.meta
            title = str(meta.get("title") or "") if not isinstance(meta.get("title"), dict) else ""
            self._set_line(self.title, title)
            self._shown_title = title.strip()
            self._set_line(self.summary, str(meta.get("summary") or ""))
            self._set_line(self.tags, ", ".join(aid.tags))
            apps = aid.apps
            self._app_entries = any(match.patterns for match in apps)
            self._set_line(self.apps, ", ".join(m.app or m.title or "" for m in apps))
            self.apps.setReadOnly(self._app_entries)
            self.apps.setToolTip("This aid names windows ({app:, title:} entries): edit them "
                                 "in the source" if self._app_entries else "")
            self._set_line(self.owner, aid.owner or "")
            self._set_line(self.experts, experts_to_text(aid.experts))
            index = self.kind.findData(aid.kind)
            if not self.kind.hasFocus() and index >= 0:
                self.kind.setCurrentIndex(index)
            review = aid.review_by
            if not self.review_by.hasFocus():
                self.has_review.setChecked(review is not None)
                if review is not None:
                    self.review_by.setDate(QDate(review.year, review.month, review.day))
            self.review_by.setEnabled(review is not None)
        finally:
            self._updating = False

    @staticmethod
    def _set_line(line: QLineEdit, text: str) -> None:
        if not line.hasFocus() and line.text() != text:
            line.setText(text)


def _retitle_heading(text: str, old_title: str, new_title: str) -> str:
    """The body's ``# Title`` heading follows the title field while it matched it."""
    old_heading = f"\n# {old_title}\n"
    position = text.find(old_heading)
    if not old_title or not new_title or position < 0:
        return text
    return text[:position] + f"\n# {new_title}\n" + text[position + len(old_heading):]
