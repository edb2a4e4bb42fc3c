"""The single-instance server answers each request and keeps nothing of it afterwards."""

from __future__ import annotations

import gc
import json
import socket
import threading
from pathlib import Path

from PySide6.QtNetwork import QLocalSocket
from pytestqt.qtbot import QtBot

from app.instance import InstanceServer

REQUESTS = 60


def _ask(name: str, answers: list[dict[str, object]], done: threading.Event) -> None:
    for number in range(REQUESTS):
        with socket.socket(socket.AF_UNIX) as client:
            client.connect(name)
            client.sendall(json.dumps({"cmd": "state", "n": number}).encode() + b"\n")
            data = b""
            while not data.endswith(b"\n"):
                data += client.recv(4096)
            answers.append(json.loads(data))
    done.set()


def test_requests_are_answered_and_their_sockets_freed(tmp_path: Path, qtbot: QtBot) -> None:
    name = str(tmp_path / "handrail.sock")
    server = InstanceServer(name, lambda request: {"ok": True, "echo": request["n"]})
    assert server.listen()
    answers: list[dict[str, object]] = []
    done = threading.Event()
    threading.Thread(target=_ask, args=(name, answers, done), daemon=True).start()
    qtbot.waitUntil(done.is_set, timeout=10_000)
    assert [a["echo"] for a in answers] == list(range(REQUESTS))
    qtbot.wait(50)  # the sockets are dropped once the event loop runs again
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, QLocalSocket)]
    server.close()
