""""Did this help?": the one-line vote shown under an aid and when a checklist is finished.

A vote goes to the local usage log (search/usage.py); a comment is asked for only after "Not
helpful" or "Outdated", and may be left empty. "Ask the owner to review" prepares a mail to the
aid's owner; the request is counted where the team shares insights.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QPushButton, QWidget

Vote = Callable[[str, str], None]  # the vote, a comment


class FeedbackBar(QWidget):
    def __init__(self, on_vote: Vote, on_review: Callable[[str], None] | None = None,
                 question: str = "Did this help?") -> None:
        super().__init__()
        self._on_vote = on_vote
        self._on_review = on_review
        self._question = question
        self.question = QLabel(question)
        self.question.setTextFormat(Qt.TextFormat.PlainText)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.question)
        self.buttons: dict[str, QPushButton] = {}
        for vote, text in (("helpful", "Helpful"), ("unhelpful", "Not helpful"),
                           ("outdated", "Outdated")):
            button = QPushButton(text)
            button.setFlat(True)
            button.clicked.connect(lambda _=False, v=vote: self.vote(v))
            self.buttons[vote] = button
            layout.addWidget(button)
        if on_review is not None:
            review = QPushButton("Ask the owner to review…")
            review.setFlat(True)
            review.clicked.connect(self.request_review)
            self.buttons["review"] = review
            layout.addWidget(review)
        layout.addStretch(1)

    def reset(self) -> None:
        """Ask again (another aid is shown)."""
        self.question.setText(self._question)
        for button in self.buttons.values():
            button.setEnabled(True)

    def vote(self, vote: str) -> None:
        comment = ""
        if vote != "helpful":
            text, ok = QInputDialog.getText(
                self, "Handrail", "What was wrong or missing? (optional; it stays on this "
                "machine unless your team shares comments)")
            if not ok:
                return
            comment = text.strip()
        self._on_vote(vote, comment)
        for button in self.buttons.values():
            button.setEnabled(False)
        self.question.setText("Thanks: noted." if vote == "helpful" else
                              "Thanks: the aid's authors will see it in Insights.")

    def request_review(self) -> None:
        assert self._on_review is not None
        text, ok = QInputDialog.getText(self, "Handrail", "What should the owner look at?")
        if ok:
            self._on_review(text.strip())
            self.buttons["review"].setEnabled(False)
