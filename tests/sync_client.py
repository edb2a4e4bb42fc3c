"""One client's sync round in a process of its own, for the multi-process fuzzer
(test_sync_processes.py): ``python tests/sync_client.py CLIENT_DIR TARGET SKEW_S``.

TARGET is a folder or a WebDAV URL (with DavServer's user); SKEW_S moves this process's clock
(``time.time``) by that many seconds, as a laptop whose clock is wrong. Prints the round's
report as JSON, or the error on stderr (exit 1). The fuzzer kills some of these with SIGKILL
half way."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict
from pathlib import Path

_skew = float(sys.argv[3])
_real_time = time.time
time.time = lambda: _real_time() + _skew  # type: ignore[assignment]
_real_ns = time.time_ns
time.time_ns = lambda: _real_ns() + int(_skew * 1e9)  # type: ignore[assignment]

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.dav_server import DavServer  # noqa: E402
from sync.engine import sync_collection  # noqa: E402
from sync.journal import Journal  # noqa: E402
from sync.targets import FolderTarget, SyncError, Target  # noqa: E402
from sync.webdav import WebDAVTarget  # noqa: E402


def main() -> int:
    client, where = Path(sys.argv[1]), sys.argv[2]
    target: Target
    if where.startswith("http"):
        target = WebDAVTarget(where, auth=DavServer.USER, preconditions=True)
    else:
        target = FolderTarget(Path(where))
    journal = Journal(client / "state" / "sync.sqlite3")
    try:
        report = sync_collection(client / "team", target, journal, "team",
                                 trash=client / "state" / "sync-kept", allow_deletes=True)
    except SyncError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        journal.close()
    print(json.dumps(asdict(report)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
