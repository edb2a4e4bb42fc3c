"""The Insights window: what readers searched and did not find, what needs attention, what is
used, each owner's aids, and charts whose numbers are one click away. Built from one
:class:`search.insights.Report`, read off the GUI thread."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from job_aids.atomic import atomic_write_text
from search.insights import AidFigures, Gap, Report

from . import dialogs
from .background import run_in_background


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> QTableWidget:
    """A read-only table of plain text (aid titles and search words are never markup)."""
    widget = QTableWidget(len(rows), len(headers))
    widget.setHorizontalHeaderLabels(list(headers))
    widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    widget.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    widget.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    widget.verticalHeader().hide()
    widget.setWordWrap(False)
    widget.setAlternatingRowColors(True)
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            item = QTableWidgetItem(str(value))
            if isinstance(value, int | float):
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            widget.setItem(r, c, item)
    header = widget.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
    for column in range(1, len(headers)):
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
    return widget


def _votes(aid: AidFigures) -> str:
    said = [f"{n} {vote}" for vote, n in aid.votes.items()]
    if aid.review_requests:
        said.append(f"review asked {aid.review_requests}×")
    return ", ".join(said)


class ChartPage(QWidget):
    """A chart, and the same numbers as a table one click ("Show the numbers") away."""

    def __init__(self, chart: QWidget, numbers: QTableWidget) -> None:
        super().__init__()
        self.stack = QStackedWidget()
        self.stack.addWidget(chart)
        self.stack.addWidget(numbers)
        self.toggle = QPushButton("Show the &numbers")
        self.toggle.clicked.connect(self._flip)
        layout = QVBoxLayout(self)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.toggle, 0, Qt.AlignmentFlag.AlignRight)

    def _flip(self) -> None:
        chart = self.stack.currentIndex() == 0
        self.stack.setCurrentIndex(1 if chart else 0)
        self.toggle.setText("Show the &chart" if chart else "Show the &numbers")


def _nothing_yet(text: str) -> QWidget:
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


def searches_chart(per_day: list[tuple[str, int, int]]) -> QWidget:
    if not per_day:
        return _nothing_yet("No searches are recorded yet. Each search made in the popup "
                            "shows here, day by day.")
    import pyqtgraph as pg  # loads numpy: only when the window opens

    plot = pg.PlotWidget()
    plot.setBackground(None)
    plot.addLegend(offset=(10, 10))
    plot.showGrid(y=True, alpha=0.2)
    plot.setLabel("left", "searches a day")
    xs = list(range(len(per_day)))
    plot.plot(xs, [s for _, s, _ in per_day], pen=pg.mkPen("#1a73e8", width=2),
              name="searches")
    plot.plot(xs, [g for _, _, g in per_day], pen=pg.mkPen("#d93025", width=2),
              name="ended without an aid")
    step = max(1, len(per_day) // 8)
    plot.getAxis("bottom").setTicks([[(i, day[5:]) for i, (day, _, _) in enumerate(per_day)
                                      if i % step == 0]])
    plot.setMouseEnabled(x=False, y=False)
    plot.setAccessibleName("Searches and searches that ended without an aid, per day")
    widget: QWidget = plot
    return widget


def helpful_chart(shares: list[tuple[str, float]]) -> QWidget:
    if not shares:
        return _nothing_yet("No votes yet. Readers vote under an aid, under the popup's "
                            "preview and when they finish a pinned checklist.")
    import pyqtgraph as pg

    plot = pg.PlotWidget()
    plot.setBackground(None)
    ys = list(range(len(shares)))
    plot.addItem(pg.BarGraphItem(x0=0, y=ys, height=0.6, width=[s * 100 for _, s in shares],
                                 brush="#188038"))
    plot.getAxis("left").setTicks([[(i, title[:40]) for i, (title, _) in enumerate(shares)]])
    plot.setLabel("bottom", "helpful votes, % of all votes")
    plot.setXRange(0, 100)
    plot.setMouseEnabled(x=False, y=False)
    plot.setAccessibleName("Share of helpful votes per aid")
    widget: QWidget = plot
    return widget


class InsightsWindow(QWidget):
    write_requested = Signal(str, list)   # the gap's words, the apps it came from
    open_requested = Signal(str)          # an aid id

    def __init__(self, load: Callable[[], Report], dismiss: Callable[[str], None],
                 runner: Callable[..., None] = run_in_background) -> None:
        super().__init__()
        self._load = load
        self._dismiss = dismiss
        self._runner = runner
        self.report: Report | None = None
        self.setWindowTitle("Insights - Handrail")
        self.summary = QLabel("Reading the usage log…")
        self.summary.setTextFormat(Qt.TextFormat.PlainText)
        self.tabs = QTabWidget()
        exports = QHBoxLayout()
        exports.addWidget(self.summary, 1)
        for text, slot in (("Export &CSV…", self.export_csv), ("Export &HTML report…",
                                                               self.export_html)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            exports.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addLayout(exports)
        QShortcut(QKeySequence("Ctrl+W"), self, self.close)
        QShortcut(QKeySequence("Escape"), self, self.close)
        QShortcut(QKeySequence("F5"), self, self.reload)
        for number in range(1, 6):  # Ctrl+1 … Ctrl+5: the pages
            QShortcut(QKeySequence(f"Ctrl+{number}"), self,
                      lambda n=number: self.tabs.setCurrentIndex(n - 1))
        self.resize(1000, 660)

    def reload(self) -> None:
        self.summary.setText("Reading the usage log…")
        self._runner(self._load, self.show_report, lambda error: self.summary.setText(
            f"The insights cannot be read: {error}"))

    # -- the pages ------------------------------------------------------------------------
    def show_report(self, report: Report) -> None:
        self.report = report
        current = self.tabs.currentIndex()
        while self.tabs.count():
            page = self.tabs.widget(0)
            self.tabs.removeTab(0)
            if page is not None:  # not a child any more: only the new pages are found
                page.setParent(None)
                page.deleteLater()
        share = report.gap_searches / report.searches if report.searches else 0.0
        self.summary.setText(
            (f"{report.searches:,} searches" + (f" from {report.since} to {report.until}"
                                                if report.since else "")
             + f" · {share:.0%} ended without an aid · {len(report.gaps):,} content gaps"
             if report.searches else "No searches recorded yet")
            + f" · {len(report.review_due):,} aids due for review")
        self.tabs.addTab(self._gaps_page(report.gaps), "Content &gaps")
        self.tabs.addTab(self._attention_page(report), "Needs &attention")
        self.tabs.addTab(self._aids_table(report.most_used, opened=True), "&Most used")
        self.tabs.addTab(self._owners_page(report), "&Your aids")
        self.tabs.addTab(self._charts_page(report), "C&harts")
        self.tabs.setCurrentIndex(max(0, current))

    def _gaps_page(self, gaps: list[Gap]) -> QWidget:
        page = QWidget()
        titles = self.report.titles if self.report is not None else {}
        self.gap_table = table(("Searched for", "Times", "From", "Last", "Then opened"),
                               [(g.query, g.count, ", ".join(g.apps), g.last_day,
                                 ", ".join(titles.get(a, a) for a in g.found_later))
                                for g in gaps])
        self.gap_table.setAccessibleName("Content gaps")
        self.gap_table.doubleClicked.connect(lambda _index: self.write_current_gap())
        write = QPushButton("&Write this aid")
        write.clicked.connect(self.write_current_gap)
        dismiss = QPushButton("&Dismiss")
        dismiss.clicked.connect(self.dismiss_current_gap)
        note = QLabel("Searches that ended without an aid opened, grouped by their words. "
                      "“Then opened” is what people found after searching again in other "
                      "words. A gap goes when an aid is written for it.")
        note.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(note, 1)
        buttons.addWidget(write)
        buttons.addWidget(dismiss)
        layout = QVBoxLayout(page)
        layout.addWidget(self.gap_table, 1)
        layout.addLayout(buttons)
        if gaps:
            self.gap_table.selectRow(0)
        return page

    def _current_gap(self) -> Gap | None:
        if self.report is None:
            return None
        row = self.gap_table.currentRow()
        return self.report.gaps[row] if 0 <= row < len(self.report.gaps) else None

    def write_current_gap(self) -> None:
        gap = self._current_gap()
        if gap is not None:
            self.write_requested.emit(gap.query, list(gap.apps))

    def dismiss_current_gap(self) -> None:
        gap = self._current_gap()
        if gap is None or self.report is None:
            return
        self._dismiss(gap.query)
        row = self.gap_table.currentRow()
        self.report.gaps.remove(gap)
        self.gap_table.removeRow(row)
        self.summary.setText(f"Dismissed “{gap.query}”: searching it again brings it back.")

    def _attention_page(self, report: Report) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        for title, rows, headers in (
                (f"Past their review date ({len(report.review_due)})",
                 [(a.title, a.owner, a.review_by) for a in report.review_due],
                 ("Aid", "Owner", "Review by")),
                (f"Voted outdated or not helpful, or a review asked for "
                 f"({len(report.voted_down)})",
                 [(a.title, a.owner, _votes(a), " | ".join(a.comments))
                  for a in report.voted_down], ("Aid", "Owner", "Votes", "Comments")),
                (f"Nobody opened in 90 days ({report.not_opened_count:,}; the first "
                 f"{len(report.not_opened)} shown)",
                 [(a.title, a.owner, a.last_opened or "never") for a in report.not_opened],
                 ("Aid", "Owner", "Last opened"))):
            label = QLabel(title)
            label.setTextFormat(Qt.TextFormat.PlainText)
            layout.addWidget(label)
            layout.addWidget(table(headers, rows), 1)
        return page

    def _aids_table(self, aids: list[AidFigures], opened: bool) -> QTableWidget:
        widget = table(("Aid", "Opened", "Pinned", "Checklists finished", "Given up", "Votes"),
                       [(a.title, a.opens, a.pins, a.completions, a.abandons, _votes(a))
                        for a in aids])
        widget.doubleClicked.connect(
            lambda index: self.open_requested.emit(aids[index.row()].id))
        return widget

    def _owners_page(self, report: Report) -> QWidget:
        page = QWidget()
        self.owner = QComboBox()
        self.owner.setAccessibleName("Owner")
        self.owner.addItems(list(report.owners) or ["No aid names an owner"])
        holder = QVBoxLayout()
        self._owner_table: QTableWidget | None = None

        def show(name: str) -> None:
            if self._owner_table is not None:
                holder.removeWidget(self._owner_table)
                self._owner_table.deleteLater()
            aids = report.owners.get(name, [])
            self._owner_table = table(
                ("Aid", "Opened", "Finished", "Helpful", "Not helpful", "Outdated", "Review by",
                 "Comments"),
                [(a.title, a.opens, a.completions, a.votes.get("helpful", 0),
                  a.votes.get("unhelpful", 0), a.votes.get("outdated", 0), a.review_by,
                  " | ".join(a.comments)) for a in aids])
            holder.addWidget(self._owner_table)

        self.owner.currentTextChanged.connect(show)
        layout = QVBoxLayout(page)
        row = QHBoxLayout()
        row.addWidget(QLabel("Owner:"))
        row.addWidget(self.owner, 1)
        layout.addLayout(row)
        layout.addLayout(holder, 1)
        show(self.owner.currentText())
        return page

    def _charts_page(self, report: Report) -> QWidget:
        page = QTabWidget()
        page.addTab(ChartPage(searches_chart(report.per_day), table(
            ("Day", "Searches", "Ended without an aid"), report.per_day)), "Searches over time")
        voted = [(a.title, a.helpful_share) for a in
                 {a.id: a for a in report.most_used + report.voted_down}.values()
                 if a.helpful_share is not None]
        shares = sorted(((t, s) for t, s in voted if s is not None), key=lambda x: x[1])[:20]
        page.addTab(ChartPage(helpful_chart(shares), table(
            ("Aid", "Helpful share"), [(t, f"{s:.0%}") for t, s in shares])),
            "Helpful share per aid")
        return page

    # -- exports --------------------------------------------------------------------------
    def _export(self, title: str, suffix: str, render: Callable[[Report], str]) -> Path | None:
        if self.report is None:
            return None
        name = f"handrail-insights-{dt.date.today().isoformat()}.{suffix}"
        target, _ = QFileDialog.getSaveFileName(self, title, str(Path.home() / name),
                                                f"{suffix.upper()} files (*.{suffix})")
        if not target:
            return None
        try:
            atomic_write_text(Path(target), render(self.report))
        except OSError as error:
            dialogs.warn(self, "Handrail", f"The report was not written: {error}")
            return None
        self.summary.setText(f"Written to {target}")
        return Path(target)

    def export_csv(self) -> None:
        from search.report_export import to_csv

        self._export("Export CSV", "csv", to_csv)

    def export_html(self) -> None:
        from search.report_export import to_html

        written = self._export("Export HTML report", "html", to_html)
        if written is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(written)))


def request_review_url(owner: str, title: str, note: str = "") -> str:
    """A prepared mail to the aid's owner asking for a review."""
    from urllib.parse import quote

    body = f"Could you review the job aid “{title}”?\n\n{note}".strip()
    return f"mailto:{quote(owner)}?subject={quote('Review request: ' + title)}&body={quote(body)}"


def open_mail(url: str) -> bool:
    return QDesktopServices.openUrl(QUrl(url))


__all__ = ["InsightsWindow", "open_mail", "request_review_url"]
