"""`handrail search` and `handrail index`: the search engine from a terminal or a script."""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from typing import TYPE_CHECKING, Any, TextIO

from job_aids import LibraryStore
from job_aids.paths import HandrailPaths
from search.errors import IndexBusyError, IndexDamagedError, IndexStorageError, SearchError
from search.results import Context, SearchResponse

from .terminal import json_text

if TYPE_CHECKING:
    from search import SearchService, UpdateStats

_MARK = re.compile(r"</?mark>")


class ProgressBar:
    """A one-line progress bar on a terminal; nothing when output is not a terminal."""

    def __init__(self, stream: TextIO, label: str) -> None:
        self._stream = stream
        self._label = label
        self._tty = stream.isatty()
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self._tty or total <= 0:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        width = 30
        filled = int(width * done / total)
        self._stream.write(f"\r{self._label} [{'#' * filled}{'.' * (width - filled)}] "
                           f"{done}/{total}")
        if done >= total:
            self._stream.write("\n")
        self._stream.flush()


def _update(service: SearchService, quiet: bool = False) -> UpdateStats | None:
    try:
        stats = service.index.update(service.store,
                                     None if quiet else ProgressBar(sys.stderr, "Indexing"))
    except (IndexBusyError, IndexStorageError) as error:  # what is indexed is still searched
        print(f"handrail: note: {error}", file=sys.stderr)
        return None
    if stats.rebuilt_because and not quiet:
        print(f"handrail: the search index was rebuilt because {stats.rebuilt_because}",
              file=sys.stderr)
    return stats


def _results_json(response: SearchResponse) -> list[dict[str, Any]]:
    return [result.to_json() for result in response.results]


def _print_human(response: SearchResponse) -> None:
    bold, plain = ("\033[1m", "\033[0m") if sys.stdout.isatty() else ("*", "*")
    if response.did_you_mean:
        note = "Showing results for" if response.corrected else "Did you mean"
        print(f"{note}: {response.did_you_mean}\n")
    if response.partial:
        print("No aid has every word; these have some of them:\n")
    if not response.results:
        print(f"No aid found for {response.query!r}. Create one: "
              f"handrail new --title {json.dumps(response.query)}")
        return
    for number, result in enumerate(response.results, 1):
        stale = "  [stale]" if result.stale else ""
        print(f"{number:2}. {result.title}  ({result.kind}, {result.collection}){stale}")
        snippet = _MARK.sub(lambda m: plain if m.group().startswith("</") else bold,
                            result.snippet)
        if snippet:
            print(f"    {snippet}")
        print(f"    {result.path}")


def cmd_search(store: LibraryStore, args: argparse.Namespace) -> int:
    from search import SearchService

    paths = HandrailPaths.resolve(args.home)
    service = SearchService.open(paths, store)
    context = Context(app=args.app, window_title=args.window_title) \
        if args.app or args.window_title else None
    if args.stdin:
        return _serve_stdin(service, args, context)
    if args.query is None:
        print("handrail: error: give a query, or --stdin", file=sys.stderr)
        return 2
    _update(service, quiet=args.json)
    for problem in store.unreachable():
        print(f"handrail: note: {problem.message}", file=sys.stderr)
    try:
        response = service.engine.search(args.query, limit=args.limit, context=context)
    except IndexDamagedError as error:  # found by the search itself: repair, ask again
        print(f"handrail: note: {error}", file=sys.stderr)
        _update(service, quiet=args.json)
        response = service.engine.search(args.query, limit=args.limit, context=context)
    if args.json:
        sys.stdout.write(json_text(_results_json(response)))
        sys.stdout.write("\n")
    else:
        _print_human(response)
    service.close()
    return 0


def _serve_stdin(service: SearchService, args: argparse.Namespace,
                 context: Context | None) -> int:
    """One query per line in, one JSON array per line out, flushed: the popup's engine.

    A line may also be a JSON object: {"query": ..., "app": ..., "window_title": ...,
    "limit": ...}. The index is kept current in the background; answers come at once from
    what is indexed so far.
    """
    if service.index.doc_count or sum(1 for _ in service.store.iter_files()) <= 2000:
        _update(service, quiet=True)  # quick: catch up before the first answer
    # A first build of a big library goes on in the background, answering from what is indexed.
    from search import LibraryWatcher

    watcher = LibraryWatcher(service.store, service.index,
                             on_error=lambda e: print(f"handrail: note: {e}", file=sys.stderr))
    watcher.start()
    try:
        for line in sys.stdin:
            query, limit, line_context = line.rstrip("\n"), args.limit, context
            if query.startswith("{"):
                try:
                    request = json.loads(query)
                    query = str(request.get("query", ""))
                    limit = int(request.get("limit", limit))
                    if request.get("app") or request.get("window_title"):
                        line_context = Context(request.get("app"), request.get("window_title"))
                except (ValueError, AttributeError, TypeError) as error:
                    sys.stdout.write(json.dumps({"error": f"bad request: {error}"}) + "\n")
                    sys.stdout.flush()
                    continue
            try:
                response = service.engine.search(query, limit=limit, context=line_context)
                answer: Any = _results_json(response)
            except SearchError as error:  # one bad query must not end the engine
                answer = {"error": f"search failed: {error}"}
            sys.stdout.write(json_text(answer) + "\n")
            sys.stdout.flush()
    except KeyboardInterrupt:
        pass
    finally:
        watcher.stop()
        service.close()
    return 0


def cmd_index(store: LibraryStore, args: argparse.Namespace) -> int:
    from search import SearchService

    cleaned = store.clean_leftovers()
    if cleaned.removed or cleaned.trashed:
        print(f"removed {len(cleaned.removed)} temp files left by killed saves; finished "
              f"{len(cleaned.trashed)} killed deletes (in the trash)", file=sys.stderr)
    service = SearchService.open(HandrailPaths.resolve(args.home), store)
    progress = ProgressBar(sys.stderr, "Indexing")
    try:
        damage = None if args.rebuild else service.index.verify()  # checksums, every file
        if damage:
            print(f"handrail: {damage}; rebuilding it from the library", file=sys.stderr)
        stats = (service.index.rebuild(store, progress) if args.rebuild
                 else service.index.update(store, progress))
    except IndexBusyError as error:
        print(f"handrail: error: {error}", file=sys.stderr)
        return 1
    for problem in store.unreachable():
        print(f"handrail: note: {problem.message}", file=sys.stderr)
    print(f"{service.index.doc_count} aids indexed ({stats.added} added, {stats.updated} "
          f"updated, {stats.removed} removed) in {stats.seconds:.1f} s")
    if stats.rebuilt_because:
        print(f"rebuilt because {stats.rebuilt_because}")
    service.close()
    return 0


def add_parsers(sub: Any) -> None:
    search = sub.add_parser("search", help="search the aids (the index is updated first)")
    search.add_argument("query", nargs="?")
    search.add_argument("--json", action="store_true", help="a JSON array of results")
    search.add_argument("--limit", type=int, default=10)
    search.add_argument("--app", help="the application the user is in (ranks its aids up)")
    search.add_argument("--window-title", help="the title of the window the user is in")
    search.add_argument("--stdin", action="store_true",
                        help="serve queries: one per line in, one JSON array per line out")
    search.set_defaults(func=cmd_search)
    index = sub.add_parser("index", help="bring the search index up to date")
    index.add_argument("--rebuild", action="store_true", help="rebuild it from scratch")
    index.set_defaults(func=cmd_index)
