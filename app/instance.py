"""One Handrail per user: the first instance listens on a local socket, later ones talk to it.

A request is one JSON line (``{"cmd": "toggle", "query": "..."}``); the reply is one JSON line.
"""

from __future__ import annotations

import getpass
import hashlib
import json
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from job_aids.paths import HandrailPaths

from .unexpected import contained

Handler = Callable[[dict[str, Any]], dict[str, Any]]


def server_name(paths: HandrailPaths) -> str:
    """Per user and per Handrail home, so a portable copy or a test never meets another."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):
        user = "user"
    digest = hashlib.sha1(f"{user}\0{paths.config}".encode()).hexdigest()[:16]
    return f"handrail-{digest}"


def send_request(name: str, request: dict[str, Any],
                 timeout_ms: int = 3000) -> dict[str, Any] | None:
    """Send to the running instance; None when none is running."""
    socket = QLocalSocket()
    socket.connectToServer(name)
    if not socket.waitForConnected(timeout_ms):
        return None
    socket.write(json.dumps(request).encode() + b"\n")
    socket.waitForBytesWritten(timeout_ms)
    data = b""
    while not data.endswith(b"\n"):
        if not socket.waitForReadyRead(timeout_ms):
            break
        data += bytes(socket.readAll().data())
    socket.disconnectFromServer()
    try:
        reply = json.loads(data.decode() or "{}")
    except ValueError:
        return {"ok": False, "error": "the running Handrail gave an unreadable answer"}
    return reply if isinstance(reply, dict) else {"ok": False, "error": "bad answer"}


class InstanceServer(QObject):
    """Listens for requests from later instances; ``handler`` answers each on the main thread."""

    def __init__(self, name: str, handler: Handler, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._handler = handler
        self._server = QLocalServer(self)
        self._server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        self._server.newConnection.connect(self._on_connection)
        self._buffers: dict[QLocalSocket, bytearray] = {}
        self._closed: list[QLocalSocket] = []
        self.name = name

    def listen(self) -> bool:
        if self._server.listen(self.name):
            return True
        # A socket file left by a killed instance: nobody answers on it, so take it over.
        QLocalServer.removeServer(self.name)
        return self._server.listen(self.name)

    def error_string(self) -> str:
        return str(self._server.errorString())

    def close(self) -> None:
        self._server.close()

    def _on_connection(self) -> None:
        # Sockets are taken from the server (setParent(None)) and dropped by us once closed:
        # as the server's children, their Python wrappers stayed in PySide's child list after
        # deleteLater (1,800 after 1,800 requests). Bound slots and sender(), not a closure per
        # socket, so nothing else holds them.
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            socket.setParent(None)
            self._buffers[socket] = bytearray()
            socket.readyRead.connect(self._read)
            socket.disconnected.connect(self._forget)
            if socket.bytesAvailable():
                self._answer(socket)

    @Slot()
    def _read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._answer(socket)

    @Slot()
    def _forget(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket) and self._buffers.pop(socket, None) is not None:
            # Deleted (with its last reference) once the signal that called us has returned.
            self._closed.append(socket)
            QTimer.singleShot(0, self._closed.clear)

    def _answer(self, socket: QLocalSocket) -> None:
        buffer = self._buffers.get(socket)
        if buffer is None:
            return
        buffer.extend(bytes(socket.readAll().data()))
        if not buffer.endswith(b"\n"):
            return
        reply: dict[str, Any] = {"ok": False, "error": "no answer"}

        def failed(message: object) -> None:
            reply.update(ok=False, error=str(message))

        try:
            request = json.loads(buffer.decode())
            if not isinstance(request, dict):
                raise ValueError("not an object")
        except ValueError as error:  # also UnicodeDecodeError
            failed(f"bad request: {error}")
        else:
            with contained("answering a request from another Handrail command", failed):
                reply = self._handler(request)
        buffer.clear()
        socket.write(json.dumps(reply).encode() + b"\n")
        socket.flush()
        socket.disconnectFromServer()
