"""The command line's team libraries: ``handrail remote add|list|remove``, ``handrail sync``
and ``handrail conflicts``, for shared folders and WebDAV servers. A password is read from
stdin (``--password-stdin``) or asked without echo; it goes to the OS keyring only."""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import json
import sys
from typing import Any

from job_aids import JobAidError, LibraryStore
from sync.engine import SafetyStop
from sync.remotes import Remote, Remotes, conflict_id, original_of
from sync.targets import SyncError

from .terminal import terminal_safe


def _ask_password(remote: Remote, problem: str) -> str | None:
    """Asked at the terminal; with no terminal there is no one to ask."""
    if not sys.stdin.isatty():
        return None
    if problem:
        print(f"handrail: {terminal_safe(problem)}", file=sys.stderr)
    return getpass.getpass(f"Password for {remote.user} at {remote.url}: ") or None


def _remotes(store: LibraryStore) -> Remotes:
    return Remotes(store.paths, store, _ask_password)


def _added_password(args: argparse.Namespace) -> str | None:
    if not args.user:
        if args.password_stdin:
            raise SyncError("--password-stdin needs --user")
        return None
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        raise SyncError("no terminal to ask the password at: give it with --password-stdin")
    return getpass.getpass(f"Password for {args.user} at {args.url}: ")


def _tell_notes(remotes: Remotes) -> None:
    for note in remotes.notes:
        print(f"handrail: {terminal_safe(note)}", file=sys.stderr)


def cmd_remote(store: LibraryStore, args: argparse.Namespace) -> int:
    remotes = _remotes(store)
    try:
        if args.remote_command == "add":
            remote = remotes.add(args.name, args.url, read_only=args.read_only,
                                 user=args.user, password=_added_password(args),
                                 ca_file=args.ca_file)
            print(f"added the team library {remote.name!r} ({remote.url}); its local copy is "
                  f"{store.paths.teams / remote.name}. `handrail sync {remote.name}` syncs it")
        elif args.remote_command == "remove":
            kept = remotes.remove(args.name)
            print(f"{args.name!r} is no longer synced; its local copy stays in {kept}")
        else:
            listed = [{"name": r.name, "url": r.url, "read_only": r.read_only,
                       "user": r.user, **remotes.status().get(r.name, {})}
                      for r in remotes.all()]
            if args.json:
                print(json.dumps(listed, indent=1))
            for entry in [] if args.json else listed:
                state = ("never synced" if "ok" not in entry else
                         "synced" if entry["ok"] else f"needs attention: {entry['message']}")
                mode = " (read-only)" if entry["read_only"] else ""
                print(f"{entry['name']}{mode}  {entry['url']}  {terminal_safe(state)}")
            if not listed and not args.json:
                print("no team libraries yet: handrail remote add NAME /path/to/shared/folder")
    except (SyncError, JobAidError) as error:
        print(f"handrail: error: {terminal_safe(str(error))}", file=sys.stderr)
        return 1
    finally:
        _tell_notes(remotes)
    return 0


def cmd_sync(store: LibraryStore, args: argparse.Namespace) -> int:
    remotes = _remotes(store)
    if args.status:
        status = remotes.status()
        if args.json:
            print(json.dumps(status, indent=1))
            return 0
        for name, entry in sorted(status.items()):
            when = dt.datetime.fromtimestamp(entry.get("at", 0)).strftime("%Y-%m-%d %H:%M")
            print(f"{name}: {'ok' if entry.get('ok') else 'FAILED'} at {when}: "
                  f"{terminal_safe(str(entry.get('message', '')))}")
        return 0
    try:
        names = [args.name] if args.name else [r.name for r in remotes.all()]
    except SyncError as error:
        print(f"handrail: error: {terminal_safe(str(error))}", file=sys.stderr)
        return 1
    failed = 0
    for name in names:
        try:
            report = remotes.sync(name, allow_deletes=args.allow_deletes)
        except SafetyStop as error:
            print(f"{name}: stopped: {terminal_safe(str(error))} (--allow-deletes)",
                  file=sys.stderr)
            failed += 1
            continue
        except (SyncError, JobAidError, OSError) as error:
            print(f"{name}: failed: {terminal_safe(str(error))}", file=sys.stderr)
            failed += 1
            continue
        print(f"{name}: {report.summary()}")
        for copy in report.conflicts:
            print(f"  conflict: both versions kept; the other one is {terminal_safe(copy)}")
        for path, why in report.skipped:
            print(f"  not synced yet: {terminal_safe(path)}: {terminal_safe(why)}")
        failed += bool(report.skipped)
    return 1 if failed else 0


def cmd_conflicts(store: LibraryStore, args: argparse.Namespace) -> int:
    remotes = _remotes(store)
    if args.conflicts_command == "resolve":
        try:
            print(remotes.resolve(args.id, args.keep))
        except (SyncError, JobAidError) as error:
            print(f"handrail: error: {terminal_safe(str(error))}", file=sys.stderr)
            return 1
        return 0
    listed: list[dict[str, Any]] = [
        {"library": name, "id": conflict_id(path), "path": str(path),
         "original": str(original_of(path, store.paths.teams / name))}
        for name, path in remotes.conflicts()]
    if args.json:
        print(json.dumps(listed, indent=1))
    else:
        for entry in listed:
            print(f"{entry['library']}: {entry['id']}  {terminal_safe(entry['path'])}")
        if listed:
            print("handrail conflicts resolve ID --keep mine|theirs|both settles one")
        else:
            print("no conflicts")
    return 0


def add_parsers(sub: Any) -> None:
    remote = sub.add_parser("remote", help="team libraries this machine syncs")
    remote_sub = remote.add_subparsers(dest="remote_command")
    add = remote_sub.add_parser("add", help="sync a team library kept on a WebDAV server or "
                                "in a shared folder")
    add.add_argument("name")
    add.add_argument("url", help="the WebDAV folder (https://...) or the shared folder (a path "
                     "or file:///...)")
    add.add_argument("--read-only", action="store_true", help="pull only (a published library)")
    add.add_argument("--user", help="the user name at the server (the password is asked)")
    add.add_argument("--password-stdin", action="store_true",
                     help="read the password from the first line of stdin")
    add.add_argument("--ca-file", help="your organisation's certificate authority (PEM), "
                     "trusted besides the system's")
    remove = remote_sub.add_parser("remove", help="stop syncing (the local copy stays)")
    remove.add_argument("name")
    listing = remote_sub.add_parser("list", help="the team libraries and their last sync")
    listing.add_argument("--json", action="store_true")
    remote.set_defaults(func=cmd_remote, remote_command="list", json=False)
    sync = sub.add_parser("sync", help="sync the team libraries (or one) now")
    sync.add_argument("name", nargs="?")
    sync.add_argument("--status", action="store_true", help="the last sync of each")
    sync.add_argument("--json", action="store_true")
    sync.add_argument("--allow-deletes", action="store_true",
                      help="go on when a sync would delete many aids")
    sync.set_defaults(func=cmd_sync)
    conflicts = sub.add_parser("conflicts", help="conflict copies sync kept")
    conflicts.add_argument("--json", action="store_true")
    conflicts_sub = conflicts.add_subparsers(dest="conflicts_command")
    resolve = conflicts_sub.add_parser("resolve", help="settle one conflict")
    resolve.add_argument("id", help="the conflict's id (from `handrail conflicts`) or its path")
    resolve.add_argument("--keep", required=True, choices=("mine", "theirs", "both"))
    conflicts.set_defaults(func=cmd_conflicts, conflicts_command="list")
