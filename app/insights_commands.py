"""`handrail report`, `gaps`, `feedback` and `usage`: what the usage log says, from a terminal.

    handrail report [--json|--csv|--html] [-o FILE] [--since DATE] [--collection C]
    handrail gaps [--json]            handrail gaps dismiss QUERY
    handrail feedback ID helpful|unhelpful|outdated [--comment TEXT]
    handrail usage [--json]           handrail usage clear
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from job_aids import JobAidError, LibraryStore
from job_aids.atomic import atomic_write_text
from job_aids.paths import HandrailPaths
from search.usage import VOTES, UsageLog

from .terminal import json_text

if TYPE_CHECKING:
    from search import SearchService


def _service(store: LibraryStore, args: argparse.Namespace) -> SearchService:
    from search import SearchService

    from .search_commands import _update

    service = SearchService.open(HandrailPaths.resolve(args.home), store)
    _update(service, quiet=True)  # a gap filled by an aid written since must show as filled
    return service


def cmd_report(store: LibraryStore, args: argparse.Namespace) -> int:
    from search.insights import since_timestamp
    from search.report_export import to_csv, to_html

    try:
        since = since_timestamp(args.since)
    except ValueError:
        print(f"handrail: --since takes a date such as 2026-11-01, not {args.since!r}",
              file=sys.stderr)
        return 2
    if args.collection:
        store.collections.get(args.collection)  # an unknown name is an error that says so
    service = _service(store, args)
    try:
        report = service.report(since=since, collection=args.collection)
    finally:
        service.close()
    if args.html:
        text = to_html(report)
    elif args.csv:
        text = to_csv(report)
    elif args.json:
        text = json_text(report.to_json()) + "\n"
    else:
        text = _human(report.to_json())
    if args.output:
        atomic_write_text(Path(args.output), text)
        print(f"report written to {args.output}")
    else:
        sys.stdout.write(text)
    return 0


def _human(data: dict[str, Any]) -> str:
    lines = [f"{data['searches']} searches"
             + (f" from {data['since']} to {data['until']}" if data["since"] else "")
             + f"; {data['gap_searches']} found nothing that was opened."]
    sections = (("Content gaps", [f"{g['count']:4}  {g['query']}"
                                  + (f"  (then opened {', '.join(g['found_later'])})"
                                     if g["found_later"] else "") for g in data["gaps"]]),
                ("Past their review date", [f"{a['review_by']}  {a['title']}"
                                            for a in data["review_due"]]),
                ("Voted outdated or not helpful", [
                    f"{a['votes'].get('outdated', 0) + a['votes'].get('unhelpful', 0):4}  "
                    f"{a['title']}" + "".join(f"\n      {c}" for c in a["comments"])
                    for a in data["voted_down"]]),
                ("Most used", [f"{a['opens']:4}  {a['title']}" for a in data["most_used"]]))
    for title, rows in sections:
        lines += ["", f"{title}:", *(rows or ["   (none)"])]
    lines.append(f"\n{data['not_opened_count']} aids nobody opened in 90 days.")
    return "\n".join(lines) + "\n"


def cmd_gaps(store: LibraryStore, args: argparse.Namespace) -> int:
    if args.action == "dismiss":
        usage = UsageLog(HandrailPaths.resolve(args.home).state / "usage.sqlite3")
        query = " ".join(args.query)
        if not query.strip():
            print("handrail: give the words of the gap to dismiss", file=sys.stderr)
            return 2
        usage.dismiss_gap(query)
        print(f"dismissed: {query} (searching it again brings it back)")
        return 0
    service = _service(store, args)
    try:
        gaps = service.report().gaps
    finally:
        service.close()
    if args.json:
        print(json_text([g.to_json() for g in gaps]))
        return 0
    if not gaps:
        print("No search has ended without an aid yet.")
    for gap in gaps:
        apps = f"  (in {', '.join(gap.apps)})" if gap.apps else ""
        later = f"  then opened {', '.join(gap.found_later)}" if gap.found_later else ""
        print(f"{gap.count:4}  {gap.query}{apps}{later}")
    return 0


def cmd_feedback(store: LibraryStore, args: argparse.Namespace) -> int:
    try:
        aid = store.find(args.aid)
    except JobAidError as error:
        print(f"handrail: {error}", file=sys.stderr)
        return 1
    usage = UsageLog(HandrailPaths.resolve(args.home).state / "usage.sqlite3")
    usage.vote(aid.id, args.vote, args.comment or "")
    print(f"noted: {aid.title} is {args.vote}" + (" (with your comment)" if args.comment
                                                 else ""))
    return 0


def cmd_usage(store: LibraryStore, args: argparse.Namespace) -> int:
    usage = UsageLog(HandrailPaths.resolve(args.home).state / "usage.sqlite3")
    if args.action == "clear":
        usage.clear()
        print(f"cleared: every search, open, vote and count in {usage.file} (marks for apps "
              "are kept)")
        return 0
    counts = usage.summary()
    if args.json:
        print(json.dumps({"file": str(usage.file), **counts}))
        return 0
    print(f"recorded in {usage.file} (this machine only):")
    for table, count in counts.items():
        print(f"{count:8}  {table}")
    print("`handrail usage clear` forgets it all.")
    return 0


def add_parsers(sub: Any) -> None:
    report = sub.add_parser("report", help="what readers searched, found, missed and said: "
                            "gaps, aids needing attention, the most used")
    form = report.add_mutually_exclusive_group()
    form.add_argument("--json", action="store_true")
    form.add_argument("--csv", action="store_true")
    form.add_argument("--html", action="store_true", help="one self-contained page")
    report.add_argument("-o", "--output", help="write to this file instead of the terminal")
    report.add_argument("--since", help="only from this date (YYYY-MM-DD)")
    report.add_argument("--collection", help="only the aids of this collection")
    report.set_defaults(func=cmd_report)

    gaps = sub.add_parser("gaps", help="searches that ended without an aid: aids worth writing")
    gaps.add_argument("action", nargs="?", choices=["list", "dismiss"], default="list")
    gaps.add_argument("query", nargs="*", help="for dismiss: the gap's words")
    gaps.add_argument("--json", action="store_true")
    gaps.set_defaults(func=cmd_gaps)

    feedback = sub.add_parser("feedback", help="say whether an aid helped")
    feedback.add_argument("aid", metavar="ID", help="an id, title or path")
    feedback.add_argument("vote", choices=VOTES)
    feedback.add_argument("--comment")
    feedback.set_defaults(func=cmd_feedback)

    usage = sub.add_parser("usage", help="what is recorded about your searches (and clear it)")
    usage.add_argument("action", nargs="?", choices=["show", "clear"], default="show")
    usage.add_argument("--json", action="store_true")
    usage.set_defaults(func=cmd_usage)
