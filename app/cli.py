"""The `handrail` command: with no arguments it starts the app; subcommands work headless."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from job_aids import (
    KINDS,
    OWN,
    JobAid,
    JobAidError,
    LibraryStore,
    Problem,
    read_aid,
    walk_markdown,
)
from job_aids.paths import HandrailPaths
from resources import starter_dir, templates_dir
from search import SearchError, UsageLog

from . import insights_commands, logs, search_commands, sharing_commands, sync_commands, unexpected
from .terminal import guard, json_text, terminal_safe

log = logging.getLogger("handrail")


def open_store_at(paths: HandrailPaths) -> LibraryStore:
    return LibraryStore(paths, starter_dir=starter_dir(), templates_dir=templates_dir())


def _aid_json(aid: JobAid) -> dict[str, Any]:
    source = aid.source
    return {
        "id": aid.id, "title": aid.title, "kind": aid.kind, "summary": aid.summary,
        "tags": aid.tags, "collection": source.collection if source else None,
        "path": str(source.path) if source else None,
        "relpath": source.relpath if source else None,
        "stale": aid.is_stale(),
        "problems": [{"line": p.line, "severity": p.severity, "message": p.message}
                     for p in aid.problems],
    }


def _warn(problems: Sequence[Problem]) -> None:
    for problem in problems:
        print(f"handrail: {problem.severity}: {terminal_safe(str(problem))}", file=sys.stderr)


def cmd_new(store: LibraryStore, args: argparse.Namespace) -> int:
    aid = store.new_from_template(args.kind, args.title, args.collection)
    assert aid.source is not None
    print(aid.source.path)
    return 0


def cmd_list(store: LibraryStore, args: argparse.Namespace) -> int:
    collections = [store.collections.get(args.collection)] if args.collection else None
    aids = store.iter_aids(collections)
    if args.json:
        out = sys.stdout
        out.write("[")
        number = 0
        for aid in aids:
            if aid.source is None:  # a collection or folder that cannot be read
                _warn(aid.problems)
                continue
            out.write(("," if number else "") + "\n" + json_text(_aid_json(aid)))
            number += 1
        out.write("\n]\n")
        return 0
    count = 0
    for aid in aids:
        if aid.source is None:
            _warn(aid.problems)
            continue
        count += 1
        where = f"{aid.source.collection}/{aid.source.relpath}" if aid.source else "?"
        flags = " [stale]" if aid.is_stale() else ""
        flags += " [has errors]" if aid.errors else ""
        print(f"{aid.title}  ({aid.kind})  {where}{flags}")
    print(f"{count} aids", file=sys.stderr)
    return 0


def cmd_show(store: LibraryStore, args: argparse.Namespace) -> int:
    aid = store.find(args.aid)
    from job_aids import render_aid_text  # Markdown is loaded only when needed

    sys.stdout.write(render_aid_text(aid))
    UsageLog(HandrailPaths.resolve(args.home).state / "usage.sqlite3").record_open(aid.id)
    return 0


def _validate_targets(store: LibraryStore, paths: Sequence[str]) -> list[JobAid]:
    if not paths:
        return list(store.iter_aids())
    aids: list[JobAid] = []
    for given in paths:
        path = Path(given).expanduser()
        files = list(walk_markdown(path)) if path.is_dir() else [path]
        for file in files:
            try:
                aids.append(read_aid(file))
            except OSError as error:
                aids.append(JobAid(problems=[Problem(file, 1, f"cannot be read: "
                                                              f"{error.strerror}")]))
    return aids


def cmd_validate(store: LibraryStore, args: argparse.Namespace) -> int:
    aids = _validate_targets(store, args.paths)
    errors = warnings = 0
    for aid in aids:
        for problem in aid.problems:
            if problem.severity == "error":
                errors += 1
            else:
                warnings += 1
                if args.quiet:
                    continue
            print(problem)
    print(f"{len(aids)} files checked: {errors} errors, {warnings} warnings", file=sys.stderr)
    return 1 if errors else 0


def cmd_trash(store: LibraryStore, args: argparse.Namespace) -> int:
    entries = store.trash.entries()
    for entry in entries:
        print(f"{entry.entry_id}  {entry.title}  (was {entry.original}, deleted "
              f"{entry.deleted_at:%Y-%m-%d %H:%M} UTC)")
    if not entries:
        print("The trash is empty.")
    return 0


def cmd_delete(store: LibraryStore, args: argparse.Namespace) -> int:
    entry = store.delete_aid(store.find(args.aid))
    print(f"moved to the trash as {entry.entry_id}; `handrail restore {entry.entry_id}` "
          "brings it back")
    return 0


def cmd_restore(store: LibraryStore, args: argparse.Namespace) -> int:
    print(store.restore(args.entry))
    return 0


def cmd_history(store: LibraryStore, args: argparse.Namespace) -> int:
    words = args.words
    action = words[0] if len(words) == 3 and words[0] in ("restore", "show") else "list"
    if action == "list" and len(words) != 1:
        print("handrail: error: give `history ID`, `history show ID VERSION` or "
              "`history restore ID VERSION`", file=sys.stderr)
        return 2
    aid = store.find(words[1] if action != "list" else words[0])
    if action == "restore":
        store.restore_version(aid, words[2])
        print(f"restored version {words[2]} of {aid.title!r}; the version it replaced is kept "
              "in its history")
        return 0
    versions = store.versions(aid)
    if action == "show":
        version = store.history.find(aid.id, words[2])
        if version is None:
            print(f"handrail: error: {aid.title!r} has no single version {words[2]!r}",
                  file=sys.stderr)
            return 1
        sys.stdout.write(version.read_bytes().decode("utf-8", errors="replace"))
        return 0
    if not versions:
        print(f"{aid.title!r} has no earlier versions yet: each save keeps the one it replaces.")
        return 0
    print(f"Versions of {aid.title!r}, oldest first:")
    for version in versions:
        size = version.path.stat().st_size
        note = "  never saved: lost a race with another change" if version.conflict else ""
        print(f"{version.number:4}  {version.saved_at.astimezone():%Y-%m-%d %H:%M:%S}  "
              f"{size:9,} bytes{note}")
    print(f"`handrail history show {aid.id} N` prints one; `handrail history restore {aid.id} N` "
          "puts it back (the version it replaces is kept).", file=sys.stderr)
    return 0


def cmd_collection(store: LibraryStore, args: argparse.Namespace) -> int:
    if args.action == "add":
        collection = store.collections.add(Path(args.dir), args.name, read_only=args.read_only)
        print(f"added {collection.name!r}: {collection.path}"
              + (" (read-only)" if collection.read_only else ""))
    elif args.action == "remove":
        collection = store.collections.remove(args.name)
        print(f"removed {collection.name!r}; the folder {collection.path} is untouched")
    else:
        for collection in store.collections.all():
            mode = "read-only" if collection.read_only else "writable"
            print(f"{collection.name}\t{collection.kind.value}\t{mode}\t{collection.path}")
    return 0


def installed_version() -> str:
    """The version of the installed package (its metadata), or a note that it is not installed."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("handrail")
    except PackageNotFoundError:
        return "unknown (run from a source tree that is not installed)"


class _Version(argparse.Action):
    """``--version``, read from the package metadata only when asked (20 ms per command)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        print(f"handrail {installed_version()}")
        parser.exit()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="handrail", description=(
        "Handrail: the job aid you need, one keystroke away. With no command, starts the app."))
    parser.add_argument("--version", action=_Version, nargs=0,
                        help="show the installed version and exit")
    parser.add_argument("--debug", action="store_true", help="log in detail (also "
                        "HANDRAIL_DEBUG=1); the log is in the logs folder of the home")
    parser.add_argument("--home", metavar="DIR", help="keep all data, config and cache under DIR "
                        "(portable mode; also HANDRAIL_HOME)")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    new = sub.add_parser("new", help="create an aid from a template and print its path")
    new.add_argument("--kind", choices=KINDS, default="procedure")
    new.add_argument("--title", required=True)
    new.add_argument("--collection", default=OWN)
    new.set_defaults(func=cmd_new)

    lister = sub.add_parser("list", help="list every aid")
    lister.add_argument("--json", action="store_true", help="a JSON array, one object per aid")
    lister.add_argument("--collection", help="only this collection")
    lister.set_defaults(func=cmd_list)

    show = sub.add_parser("show", help="print an aid as readable text")
    show.add_argument("aid", metavar="ID|PATH")
    show.set_defaults(func=cmd_show)

    validate = sub.add_parser("validate", help="check aids; exits non-zero on errors")
    validate.add_argument("paths", nargs="*", metavar="PATH")
    validate.add_argument("-q", "--quiet", action="store_true", help="print errors only")
    validate.set_defaults(func=cmd_validate)

    sharing_commands.add_parsers(sub)
    sync_commands.add_parsers(sub)

    delete = sub.add_parser("delete", help="move an aid to the trash")
    delete.add_argument("aid", metavar="ID|PATH")
    delete.set_defaults(func=cmd_delete)

    sub.add_parser("trash", help="list deleted aids").set_defaults(func=cmd_trash)
    restore = sub.add_parser("restore", help="restore a deleted aid")
    restore.add_argument("entry", metavar="ENTRY", help="an entry id from `handrail trash`")
    restore.set_defaults(func=cmd_restore)

    history = sub.add_parser("history", help="an aid's earlier versions: list, show or restore",
                             usage="handrail history ID | show ID VERSION | restore ID VERSION")
    history.add_argument("words", nargs="+", metavar="ID", help="ID; or show|restore ID VERSION "
                         "(a number from the list, or the start of its time stamp)")
    history.set_defaults(func=cmd_history)

    collection = sub.add_parser("collection", help="use existing folders as collections")
    actions = collection.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="use a folder in place, without copying")
    add.add_argument("dir")
    add.add_argument("--name")
    add.add_argument("--read-only", action="store_true")
    actions.add_parser("list", help="list collections")
    remove = actions.add_parser("remove", help="forget a collection (the folder is kept)")
    remove.add_argument("name")
    collection.set_defaults(func=cmd_collection)
    search_commands.add_parsers(sub)

    insights_commands.add_parsers(sub)
    toggle = sub.add_parser("toggle", help="show or hide the running app's search popup "
                            "(starts the app if it is not running)")
    toggle.add_argument("query", nargs="?", help="search for this at once")
    sub.add_parser("quit", help="end the running app")
    state = sub.add_parser("state", help="what the running app shows: popup rows, the context, "
                           "pinned aids and their progress (for scripts and tests)")
    state.add_argument("--json", action="store_true", help="as one JSON object (the default)")
    return parser


def _app_command(args: argparse.Namespace) -> int:
    """`toggle`, `quit` and `state` talk to the running app; they need no library."""
    from app.gui import run_gui, send_to_running

    paths = HandrailPaths.resolve(args.home)
    if args.command == "state":
        reply = send_to_running(paths, {"cmd": "state"})
        if reply is None:
            print("handrail: Handrail is not running", file=sys.stderr)
            return 1
        print(json_text(reply))
        return 0
    if args.command == "quit":
        reply = send_to_running(paths, {"cmd": "quit"})
        if reply is None:
            print("handrail: Handrail is not running", file=sys.stderr)
            return 1
        return 0
    return run_gui(paths, show_popup=True, query=args.query, command="toggle")


def _name_safe_streams() -> None:
    """A file name that is not UTF-8 is printed as the bytes it is (as ``ls`` does), and in a
    message as an escape: under a UTF-8 locale Python's streams refused it."""
    for stream, errors in ((sys.stdout, "surrogateescape"), (sys.stderr, "backslashreplace")):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors=errors)
            except (ValueError, OSError):  # not a text file of its own (a test's capture)
                pass


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    paths = HandrailPaths.resolve(args.home)
    app = args.command is None or args.command == "toggle"
    log_file = logs.setup(paths, debug=args.debug, stderr=app, long_running=app)
    unexpected.install(str(log_file) if log_file else None)
    if app:
        log.info("handrail %s starts (Python %s, %s; data in %s)", installed_version(),
                 sys.version.split()[0], sys.platform, paths.data)
    else:
        log.info("handrail %s (Python %s, %s)", args.command, sys.version.split()[0],
                 sys.platform)
    if args.command is None:
        from app.gui import run_gui  # Qt is imported only when the GUI starts.

        return run_gui(paths)
    if args.command in ("toggle", "quit", "state"):
        return _app_command(args)
    _name_safe_streams()
    sys.stdout = guard(sys.stdout)  # aids' control characters never reach a terminal raw
    try:
        store = open_store_at(paths)
        return int(args.func(store, args))
    except (JobAidError, SearchError) as error:
        log.info("%s failed: %s", args.command, type(error).__name__)
        print(f"handrail: error: {terminal_safe(str(error))}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
