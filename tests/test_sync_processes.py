"""A model-based fuzzer whose clients sync in real processes of their own (tests/sync_client.py):
3 clients do random creates, edits, front-matter edits, renames, case-only renames and moves,
deletes, spells offline, syncs, and syncs killed with SIGKILL half way; each client's clock is
skewed (its process's time, and the mtimes of the files it writes).

Invariants, once everyone has synced until settled:
- every version a sync saw is live, a conflict copy, or in a client's history or sync-kept;
- a deleted aid is back only if someone edited (or renamed) it concurrently, that is, in a way
  the deleting client had not synced before it deleted;
- all clients are identical, and one more sync does nothing;
- nothing is duplicated: no two live aids share an id, no temp files are left.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from test_sync_engine import AID, edited

from bench.dav_server import DavServer
from sync.engine import CONFLICT_MARK, aid_id
from sync.targets import synced_name

DRIVER = Path(__file__).with_name("sync_client.py")
SKEWS = [0.0, -3600.0, 7200.0, -3 * 86400.0]  # right, an hour slow, two fast, three days slow


@dataclass
class Proc:
    home: Path
    skew: float
    history: list[bytes] = field(default_factory=list)  # what the app replaced or deleted
    offline_for: int = 0
    synced: list[int] = field(default_factory=list)  # action numbers of completed syncs

    @property
    def library(self) -> Path:
        return self.home / "team"

    def files(self) -> dict[str, bytes]:
        """The synced files (not the half-written temp file of a write killed half way)."""
        return {p.relative_to(self.library).as_posix(): p.read_bytes()
                for p in self.library.rglob("*") if p.is_file() and synced_name(p.name)}

    def aids(self) -> list[str]:
        return sorted(p for p in self.files() if p.endswith(".md") and CONFLICT_MARK not in p)

    def write(self, name: str, data: bytes) -> None:
        path = self.library / name
        if path.exists():
            self.history.append(path.read_bytes())
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        skewed = time.time() + self.skew
        os.utime(path, (skewed, skewed))  # the mtime from a wrong clock: only a hint

    def remove(self, name: str) -> bytes:
        data = (self.library / name).read_bytes()
        self.history.append(data)
        (self.library / name).unlink()
        return data

    def kept(self) -> list[bytes]:
        trash = self.home / "state" / "sync-kept"
        return [p.read_bytes() for p in trash.rglob("*") if p.is_file()] + self.history

    def start_sync(self, target: str) -> subprocess.Popen[str]:
        return subprocess.Popen([sys.executable, str(DRIVER), str(self.home), target,
                                 str(self.skew)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def sync(self, target: str) -> tuple[int, str, str]:
        process = self.start_sync(target)
        out, err = process.communicate(timeout=300)
        return process.returncode, out, err


@pytest.fixture(params=["folder", "wsgidav"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    share = tmp_path / "share"
    share.mkdir()
    if request.param == "folder":
        yield str(share)
        return
    server = DavServer(share, tmp_path)
    try:
        yield server.url
    finally:
        server.stop()


def _text(number: int, ident: str) -> bytes:
    return AID.replace("1d6d2b9e-5a0c-4d59-9d0e-0c1f2a3b4c5d", ident).replace(
        "Close the till", f"Aid {number}").encode()


# CI runs 3 seeds on each target; a longer run: HANDRAIL_PROCESS_FUZZ_SEEDS=40 \
#   .venv/bin/python -m pytest tests/test_sync_processes.py
@pytest.mark.slow
@pytest.mark.parametrize("seed", range(int(os.environ.get("HANDRAIL_PROCESS_FUZZ_SEEDS", "3"))))
def test_clients_in_processes_killed_skewed_and_renaming_converge_and_lose_nothing(
        tmp_path: Path, target: str, seed: int) -> None:
    rng = random.Random(seed)
    clients = [Proc(tmp_path / f"client{n}", SKEWS[(seed + n) % len(SKEWS)]) for n in range(3)]
    for client in clients:
        client.library.mkdir(parents=True)
    share = tmp_path / "share"
    saved: list[bytes] = []
    edits: list[tuple[str, int, int]] = []     # (id, client, action number)
    deletes: list[tuple[str, int, int]] = []   # (id, client, action number)
    killed = offline_tries = 0
    made = 0
    log: list[str] = []  # what happened, for the message of a failure
    for step in range(70):
        who = rng.randrange(3)
        client = clients[who]
        aids = client.aids()
        action = rng.choice(["create", "edit", "edit", "front", "rename", "case", "delete",
                             "offline", "sync", "sync", "sync", "kill"])
        if action == "create" or not aids:
            made += 1
            ident = f"{seed:04d}{made:04d}-0000-4000-8000-{who:012d}"
            client.write(f"aid{made}.md", _text(made, ident))
            edits.append((ident, who, step))
            log.append(f"{step} c{who} create aid{made}.md")
        elif action in ("edit", "front"):
            name = rng.choice(aids)
            client.write(name, edited((client.library / name).read_text(), rng, action).encode())
            edits.append((aid_id(client.files()[name]) or "", who, step))
            log.append(f"{step} c{who} {action} {name}")
        elif action in ("rename", "case"):
            name = rng.choice(aids)
            stem = Path(name).name
            new = (str(Path(name).with_name(stem[0].swapcase() + stem[1:])) if action == "case"
                   else rng.choice([f"moved/{stem}", f"renamed-{stem}", stem.removeprefix(
                       "renamed-")]))
            if new in client.files() or new == name:
                continue
            data = client.remove(name)
            client.history.remove(data)  # a rename replaces nothing
            client.write(new, data)
            edits.append((aid_id(data) or "", who, step))
            log.append(f"{step} c{who} rename {name} {new}")
        elif action == "delete":
            name = rng.choice(aids)
            deletes.append((aid_id(client.remove(name)) or "", who, step))
            log.append(f"{step} c{who} delete {name}")
        elif action == "offline":
            client.offline_for = rng.randrange(2, 6)
            code, _out, err = client.sync("http://127.0.0.1:9/team/")  # no network
            assert code == 1 and "cannot be reached" in err, err
            offline_tries += 1
        elif client.offline_for:
            client.offline_for -= 1
        elif action == "kill":
            saved += client.files().values()
            process = client.start_sync(target)
            time.sleep(rng.uniform(0.05, 0.4))
            if process.poll() is None:
                process.send_signal(signal.SIGKILL)
                killed += 1
            out, _err = process.communicate()
            log.append(f"{step} c{who} sync, killed: {out.strip()}")
        else:
            saved += client.files().values()
            code, out, err = client.sync(target)
            assert code == 0, err
            client.synced.append(step)
            log.append(f"{step} c{who} sync: {out.strip()}")
    for _ in range(4):  # back online, and everyone syncs until settled
        for client in clients:
            saved += client.files().values()
            code, _out, err = client.sync(target)
            assert code == 0, err
            client.synced.append(10_000)

    first = clients[0].files()
    for client in clients[1:]:
        assert client.files() == first
    for client in clients:
        code, out, err = client.sync(target)
        report = json.loads(out)
        assert code == 0 and not any(report[key] for key in (
            "uploaded", "downloaded", "merged", "conflicts", "deleted_here", "deleted_there",
            "renamed", "skipped")), report
    everywhere = set(first.values()) | {k for c in clients for k in c.kept()}
    lost = {v for v in saved if v not in everywhere}
    assert not lost, f"seed {seed}: {len(lost)} saved versions are nowhere\n" + "\n".join(log)
    live = [aid_id(data) for name, data in first.items() if CONFLICT_MARK not in name]
    trace = "\n".join(log)
    assert len(live) == len(set(live)), f"two live aids share an id:\n{sorted(first)}\n{trace}"
    assert not [p for p in share.rglob("*") if p.name.endswith((".tmp", ".handrail-tmp"))]
    for ident, who, step in deletes:
        if ident not in live:
            continue
        seen_by_deleter = [s for s in clients[who].synced if s < step]
        last_seen = max(seen_by_deleter, default=-1)

        def synced_between(other: int, after: int, before: int) -> bool:
            return any(after < s < before for s in clients[other].synced)
        concurrent = [(i, d, s) for i, d, s in edits if i == ident and d != who
                      and not (s < last_seen and synced_between(d, s, last_seen))]
        assert concurrent, f"seed {seed}: {ident}, deleted at step {step}, came back"
    assert len(saved) > 20 and offline_tries + killed > 0
