"""A :class:`~search.insights.Report` as CSV (one table, a ``section`` column) or as one
self-contained HTML page (inline styles and SVG charts, no script, nothing fetched), for the
L&D or operations lead who never opens the app."""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Iterable

from .insights import AidFigures, Report

CSV_COLUMNS = ("section", "day", "query", "aid_id", "title", "owner", "count", "searches",
               "gaps", "apps", "opens", "completions", "helpful", "unhelpful", "outdated",
               "review_by", "last_opened", "detail")


def to_csv(report: Report) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, CSV_COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for day, searches, gaps in report.per_day:
        writer.writerow({"section": "per day", "day": day, "searches": searches, "gaps": gaps})
    for gap in report.gaps:
        writer.writerow({"section": "content gap", "day": gap.last_day, "query": gap.query,
                         "count": gap.count, "apps": " ".join(gap.apps),
                         "detail": " ".join(f"{report.titles.get(a, a)}×{n}"
                                            for a, n in gap.found_later.items())})
    for section, aids in (("review due", report.review_due), ("voted down", report.voted_down),
                          ("not opened in 90 days", report.not_opened),
                          ("most used", report.most_used)):
        for aid in aids:
            writer.writerow(_aid_row(section, aid))
    for owner, aids in report.owners.items():
        for aid in aids:
            writer.writerow({**_aid_row("owner", aid), "owner": owner})
    return _no_formulas(out.getvalue())


def _aid_row(section: str, aid: AidFigures) -> dict[str, object]:
    return {"section": section, "aid_id": aid.id, "title": aid.title, "owner": aid.owner,
            "opens": aid.opens, "completions": aid.completions,
            "helpful": aid.votes.get("helpful", 0), "unhelpful": aid.votes.get("unhelpful", 0),
            "outdated": aid.votes.get("outdated", 0), "review_by": aid.review_by,
            "last_opened": aid.last_opened, "detail": " | ".join(aid.comments)}


def _no_formulas(text: str) -> str:
    """A cell a spreadsheet would run as a formula ("=HYPERLINK(…)" typed as a search) is
    quoted with a leading apostrophe."""
    rows = list(csv.reader(io.StringIO(text)))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        writer.writerow(["'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
                         for cell in row])
    return out.getvalue()


# -- HTML ------------------------------------------------------------------------------------
_STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2em auto;max-width:60em;
color:#202124;padding:0 1em}h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;
border-bottom:1px solid #dadce0;padding-bottom:.2em}table{border-collapse:collapse;width:100%}
th,td{text-align:left;padding:.3em .6em;border-bottom:1px solid #eee;vertical-align:top}
th{background:#f1f3f4}.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#5f6368}.figures{display:flex;gap:2em;margin:1em 0}.figure b{font-size:1.8em;
display:block}svg text{font:12px system-ui,sans-serif;fill:#5f6368}
@media (prefers-color-scheme:dark){body{background:#202124;color:#e8eaed}th{background:#303134}
th,td{border-color:#3c4043}.muted,svg text{color:#9aa0a6;fill:#9aa0a6}}
"""


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def _table(headers: Iterable[str], rows: Iterable[Iterable[object]], numeric: set[int]
           ) -> str:
    head = "".join(f'<th class="n">{_e(h)}</th>' if i in numeric else f"<th>{_e(h)}</th>"
                   for i, h in enumerate(headers))
    body = "".join("<tr>" + "".join(
        f'<td class="n">{_e(cell)}</td>' if i in numeric else f"<td>{_e(cell)}</td>"
        for i, cell in enumerate(row)) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>" if body \
        else '<p class="muted">Nothing here.</p>'


def line_chart_svg(days: list[tuple[str, int, int]], width: int = 880, height: int = 220) -> str:
    """Searches and gaps per day as two lines, with its own axis labels."""
    if not days:
        return '<p class="muted">No searches recorded in this period.</p>'
    top = max(max(s, g) for _, s, g in days) or 1
    left, bottom, right = 40, 30, 10
    plot_w, plot_h = width - left - right, height - bottom - 10
    step = plot_w / max(1, len(days) - 1)

    def points(index: int) -> str:
        return " ".join(f"{left + i * step:.1f},"
                        f"{10 + plot_h - int(row[index]) / top * plot_h:.1f}"
                        for i, row in enumerate(days))

    labels = "".join(
        f'<text x="{left + i * step:.1f}" y="{height - 8}" text-anchor="middle">'
        f"{_e(day[5:])}</text>" for i, (day, _, _) in enumerate(days)
        if i % max(1, len(days) // 8) == 0)
    return (f'<svg role="img" aria-label="Searches and gaps per day" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}">'
            f'<line x1="{left}" y1="{10 + plot_h}" x2="{width - right}" y2="{10 + plot_h}" '
            f'stroke="#9aa0a6"/><text x="4" y="16">{top}</text>'
            f'<text x="4" y="{10 + plot_h}">0</text>{labels}'
            f'<polyline fill="none" stroke="#1a73e8" stroke-width="2" points="{points(1)}"/>'
            f'<polyline fill="none" stroke="#d93025" stroke-width="2" points="{points(2)}"/>'
            "</svg>"
            '<p class="muted"><span style="color:#1a73e8">━</span> searches &nbsp; '
            '<span style="color:#d93025">━</span> searches that found nothing opened</p>')


def bar_chart_svg(bars: list[tuple[str, float]], width: int = 880) -> str:
    """Horizontal bars, a share from 0 to 1 each, labelled with its percentage."""
    if not bars:
        return '<p class="muted">No votes yet.</p>'
    row_h, label_w = 24, 320
    height = row_h * len(bars) + 4
    body = "".join(
        f'<text x="0" y="{i * row_h + 16}">{_e(label[:48])}</text>'
        f'<rect x="{label_w}" y="{i * row_h + 4}" width="{(width - label_w - 60) * share:.1f}" '
        f'height="{row_h - 8}" fill="#188038"/>'
        f'<text x="{label_w + (width - label_w - 60) * share + 6:.1f}" y="{i * row_h + 16}">'
        f"{share:.0%}</text>" for i, (label, share) in enumerate(bars))
    return (f'<svg role="img" aria-label="Helpful share per aid" width="{width}" '
            f'height="{height}" viewBox="0 0 {width} {height}">{body}</svg>')


def to_html(report: Report, title: str = "Handrail insights") -> str:
    voted = sorted(((a.title, a.helpful_share) for a in report.most_used + report.voted_down
                    if a.helpful_share is not None), key=lambda item: item[1])
    shares = list(dict.fromkeys((t, s) for t, s in voted if s is not None))[:20]
    period = f"{report.since} to {report.until}" if report.since else "no searches yet"
    gap_share = report.gap_searches / report.searches if report.searches else 0.0
    parts = [
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{_e(title)}</title>"
        f"<meta name=viewport content='width=device-width'><style>{_STYLE}</style></head><body>",
        f"<h1>{_e(title)}</h1><p class=muted>{_e(period)}</p>",
        "<div class=figures>"
        f"<div class=figure><b>{report.searches:,}</b>searches</div>"
        f"<div class=figure><b>{gap_share:.0%}</b>found nothing opened</div>"
        f"<div class=figure><b>{len(report.gaps):,}</b>content gaps</div>"
        f"<div class=figure><b>{len(report.review_due):,}</b>aids due for review</div></div>",
        "<h2>Searches over time</h2>", line_chart_svg(report.per_day),
        _table(("Day", "Searches", "Found nothing opened"), report.per_day, {1, 2}),
        "<h2>Content gaps</h2><p class=muted>Searches that ended without an aid opened, "
        "grouped by their words; “then opened” is what people found after searching again in "
        "other words.</p>",
        _table(("Searched for", "Times", "From", "Last", "Then opened"),
               ((g.query, g.count, ", ".join(g.apps), g.last_day,
                 ", ".join(report.titles.get(a, a) for a in g.found_later))
                for g in report.gaps), {1}),
        "<h2>Needs attention</h2><h3>Past their review date</h3>",
        _table(("Aid", "Owner", "Review by"), ((a.title, a.owner, a.review_by)
                                               for a in report.review_due), set()),
        "<h3>Voted outdated or not helpful</h3>",
        _table(("Aid", "Owner", "Outdated", "Not helpful", "Comments"),
               ((a.title, a.owner, a.votes.get("outdated", 0), a.votes.get("unhelpful", 0),
                 " | ".join(a.comments)) for a in report.voted_down), {2, 3}),
        f"<h3>Nobody opened in 90 days ({report.not_opened_count:,})</h3>",
        _table(("Aid", "Owner", "Last opened"), ((a.title, a.owner, a.last_opened or "never")
                                                 for a in report.not_opened), set()),
        "<h2>Most used</h2>",
        _table(("Aid", "Opened", "Checklists finished", "Helpful"),
               ((a.title, a.opens, a.completions,
                 "" if a.helpful_share is None else f"{a.helpful_share:.0%}")
                for a in report.most_used), {1, 2}),
        "<h2>Helpful share per aid</h2>", bar_chart_svg(shares),
        "<h2>Per owner</h2>",
    ]
    for owner, aids in report.owners.items():
        parts.append(f"<h3>{_e(owner)}</h3>")
        parts.append(_table(("Aid", "Opened", "Helpful", "Outdated", "Review by"),
                            ((a.title, a.opens, a.votes.get("helpful", 0),
                              a.votes.get("outdated", 0), a.review_by) for a in aids), {1, 2, 3}))
    parts.append("<p class=muted>Made by Handrail from this machine's usage log.</p>"
                 "</body></html>")
    return "\n".join(parts)
