"""A fault-injecting HTTP proxy on 127.0.0.1 in front of a real WebDAV server: each request is
passed on, or meets the fault ``plan`` chose for it. The faults are the ones servers and
networks are seen to commit:

- ``drop-upload``: the connection drops while the body is sent (nothing reaches the server);
- ``drop-download``: the answer's body stops half way;
- ``lost-answer``: the server does the request, then the answer is lost (a retry replays it);
- ``truncated-207``: a PROPFIND answer cut in the middle of its XML;
- ``clamped-207``: a folder's PROPFIND answered as Depth 0 (the folder, none of its files);
- ``412``, ``423``, ``500``, ``503``, ``507``: that status, the server never asked;
- ``slow``: no answer before the client's time limit (and the request never reaches the
  server: one that did is ``lost-answer``).

Modes that last: ``ignore_preconditions`` drops If-Match and If-None-Match before the server
sees them; ``etags`` = "weak" or "gzip" rewrites every ETag the way Apache (weak, for a second
after a write) and Apache with mod_deflate ("-gzip") show them.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx

Plan = Callable[[str, str], "str | None"]  # (method, path) -> a fault, or None to pass on
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade",
              "proxy-authorization", "proxy-authenticate", "content-length", "host",
              "date", "server"}  # the last two: the proxy's own answer carries them
SLOW_S = 3.0


class FaultyProxy:
    def __init__(self, upstream: str, plan: Plan | None = None) -> None:
        self.upstream = upstream.rstrip("/")
        self.plan: Plan = plan or (lambda _method, _path: None)
        self.ignore_preconditions = False
        self.etags = ""  # "", "weak" or "gzip"
        self.injected: list[tuple[str, str, str]] = []  # (fault, method, path), in order
        self.seen: list[str] = []  # every request and what became of it, for a failure's story
        self._client = httpx.Client(timeout=30)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:
                return

            def handle_one_request(self) -> None:
                try:
                    super().handle_one_request()
                except (ConnectionError, TimeoutError):
                    self.close_connection = True

            def __getattr__(self, name: str) -> Callable[[], None]:
                if name.startswith("do_"):
                    return lambda: proxy._serve(self)
                raise AttributeError(name)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True,
                                        name="faulty-proxy")
        self._thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._client.close()

    # -- one request -----------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        method, path = handler.command, handler.path
        length = int(handler.headers.get("Content-Length") or 0)
        fault = self.plan(method, path)
        if fault is not None:
            self.injected.append((fault, method, path))
        self.seen.append(f"{method} {path} {handler.headers.get('Destination', '')} "
                         f"{fault or ''}")
        if fault == "drop-upload" and length:
            handler.rfile.read(length // 2)
            handler.close_connection = True
            handler.connection.close()
            return
        body = handler.rfile.read(length) if length else b""
        if fault is not None and fault.isdigit():
            self._answer(handler, int(fault), {}, b"")
            return
        if fault == "slow":  # past the client's time limit, then the request goes nowhere
            time.sleep(SLOW_S)  # (a late commit would be a fault after the faults stopped)
            handler.close_connection = True
            handler.connection.close()
            return
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP_BY_HOP}
        if self.ignore_preconditions:
            headers = {k: v for k, v in headers.items()
                       if k.lower() not in ("if-match", "if-none-match")}
        if fault == "clamped-207" and method == "PROPFIND":
            headers = {**{k: v for k, v in headers.items() if k.lower() != "depth"},
                       "Depth": "0"}
        destination = headers.get("Destination")
        if destination:
            headers["Destination"] = re.sub(r"^https?://[^/]+", self.upstream, destination)
        answer = self._client.request(method, self.upstream + path, headers=headers,
                                      content=body)
        self.seen.append(f"  -> {answer.status_code} {method} {path}")
        if fault == "lost-answer":
            handler.close_connection = True
            handler.connection.close()
            return
        content = answer.content
        out = {k: v for k, v in answer.headers.items()
               if k.lower() not in HOP_BY_HOP and k.lower() != "content-encoding"}
        if self.etags:
            out = {k: (self._rewrite(v) if k.lower() == "etag" else v) for k, v in out.items()}
            content = re.sub(rb"<([A-Za-z0-9]+:)?getetag>([^<]*)</([A-Za-z0-9]+:)?getetag>",
                             lambda m: b"<%sgetetag>%s</%sgetetag>" % (
                                 m.group(1) or b"", self._rewrite(m.group(2).decode()).encode(),
                                 m.group(3) or b""), content)
        if fault == "truncated-207" and answer.status_code == 207:
            content = content[:len(content) // 2]
        if fault == "drop-download" and content:
            handler.send_response(answer.status_code)
            for key, value in out.items():
                handler.send_header(key, value)
            handler.send_header("Content-Length", str(len(content)))
            handler.end_headers()
            handler.wfile.write(content[:len(content) // 2])
            handler.wfile.flush()
            handler.close_connection = True
            handler.connection.close()
            return
        self._answer(handler, answer.status_code, out, content)

    def _rewrite(self, etag: str) -> str:
        bare = etag.strip().removeprefix("W/").strip('"')
        return f'W/"{bare}"' if self.etags == "weak" else f'"{bare}-gzip"'

    @staticmethod
    def _answer(handler: BaseHTTPRequestHandler, status: int, headers: dict[str, str],
                content: bytes) -> None:
        handler.send_response(status)
        for key, value in headers.items():
            handler.send_header(key, value)
        handler.send_header("Content-Length", str(len(content)))
        handler.end_headers()
        handler.wfile.write(content)
