"""A WebDAV server as a sync target (httpx): folders walked one level at a time, every write
conditional (``If-Match``, or ``If-None-Match: *`` for a new file), every write read back and
checked.

A listing is complete only if every folder answered 207 with its own entries: a 403, a clamped
depth or a reply that cannot be read makes it incomplete, and an incomplete listing never reads
as "deleted". Weak and ``-gzip`` ETags are no validator: a file showing one is compared by its
content instead.
"""

from __future__ import annotations

import builtins
import random
import secrets
import ssl
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import quote, unquote, urlsplit

import httpx
from defusedxml.ElementTree import fromstring

from .targets import (
    MARKER,
    MAX_REMOTE_BYTES,
    SHARED_DOT_FOLDER,
    Listing,
    Precondition,
    RemoteFile,
    StorageFull,
    SyncError,
    Unreachable,
    content_tag,
    synced_name,
)

_DAV = "{DAV:}"
_PROPFIND = (b'<?xml version="1.0" encoding="utf-8"?><D:propfind xmlns:D="DAV:"><D:prop>'
             b"<D:resourcetype/><D:getetag/><D:getcontentlength/><D:getlastmodified/></D:prop>"
             b"</D:propfind>")
_MESSAGES = {401: "the server refused the user name or password",
             403: "the server does not allow this", 404: "there is no such folder on the server",
             423: "the file is locked on the server (someone has it open?); it is tried again",
             507: "the server's storage is full: nothing more is sent until there is room"}


# Answers that say "not now": asked again after a pause that doubles, with jitter so that a
# team's clients do not all come back in the same second; Retry-After is honoured up to a cap.
RETRIED = frozenset({423, 429, 500, 502, 503, 504})
RETRY_PAUSES_S = (0.5, 1.0, 2.0)
RETRY_AFTER_CAP_S = 30.0


def _pause(attempt: int, response: httpx.Response, pauses: tuple[float, ...]) -> float:
    after = response.headers.get("Retry-After", "")
    if after.isdigit():
        return min(float(after), RETRY_AFTER_CAP_S)
    return pauses[attempt] * random.uniform(0.5, 1.5)


def strong_etag(value: str | None) -> str:
    """The ETag as a validator, or "" when it is none (weak, "-gzip", missing)."""
    if not value:
        return ""
    value = value.strip()
    if value.startswith("W/") or "-gzip" in value:
        return ""
    return value.strip('"')


def _failed(response: httpx.Response, what: str) -> SyncError:
    said = _MESSAGES.get(response.status_code, f"the server answered {response.status_code}")
    return SyncError(f"{what}: {said}")


def _http_time(value: str | None) -> float:
    if not value:
        return 0.0
    try:
        return parsedate_to_datetime(value).timestamp()
    except (TypeError, ValueError):
        return 0.0


def _entries(root_path: str, body: bytes) -> list[tuple[str, bool, str, int, float]]:
    """(path inside the folder, is a folder, strong ETag, size, last modified) for each entry
    of a reply."""
    found = []
    for response in fromstring(body).iter(f"{_DAV}response"):
        href = response.findtext(f"{_DAV}href") or ""
        path = unquote(urlsplit(href).path)
        if not path.startswith(root_path.rstrip("/")):
            raise ValueError(f"an entry outside the folder: {href}")
        relative = path[len(root_path):].lstrip("/")
        prop = response.find(f"{_DAV}propstat/{_DAV}prop")
        if prop is None:
            continue
        is_folder = prop.find(f"{_DAV}resourcetype/{_DAV}collection") is not None
        size = prop.findtext(f"{_DAV}getcontentlength") or "0"
        found.append((relative, is_folder, strong_etag(prop.findtext(f"{_DAV}getetag")),
                      int(size) if size.isdigit() else 0,
                      _http_time(prop.findtext(f"{_DAV}getlastmodified"))))
    return found


@dataclass(frozen=True)
class ServerTraits:
    """What a server was found to honour when it was added (:meth:`WebDAVTarget.probe`)."""

    if_match: bool
    if_none_match: bool
    overwrite_f: bool
    etags: bool

    @property
    def preconditions(self) -> bool:
        return self.if_match and self.if_none_match

    def summary(self) -> str:
        if self.preconditions:
            how = "it refuses stale writes, so each write is conditional"
        elif self.overwrite_f:
            how = ("it ignores If-Match, so nothing there is overwritten: each write is "
                   "uploaded under a temporary name and moved into place")
        else:
            how = ("it ignores If-Match and Overwrite: F, so it cannot be written safely; "
                   "add it with --read-only")
        return how + ("" if self.etags else "; it gives no ETags, so files are compared by "
                      "their content")


class WebDAVTarget:
    def __init__(self, url: str, *, auth: tuple[str, str] | None = None,
                 client: httpx.Client | None = None, timeout: float = 30.0,
                 ca_file: str | None = None, preconditions: bool = False) -> None:
        self.base = url.rstrip("/") + "/"
        # The server refuses a stale If-Match (found by probe()); without it nothing is
        # overwritten: see _write_by_moves.
        self.preconditions = preconditions
        self.retry_pauses = RETRY_PAUSES_S
        self._root_path = unquote(urlsplit(self.base).path)
        # TLS is always verified: an organisation's own authority is added, never "verify off".
        verify: ssl.SSLContext | bool = True
        if ca_file:
            try:
                verify = ssl.create_default_context(cafile=ca_file)
            except (OSError, ssl.SSLError) as error:
                raise SyncError(f"the certificate authority file {ca_file} cannot be used: "
                                f"{error}") from error
        self.client = client or httpx.Client(auth=auth, timeout=timeout, follow_redirects=False,
                                             verify=verify)
        self._clock = 0.0
        self._last_write = 0.0
        self._folders: set[str] = set()  # folders known to exist there (listed or made)
        # Whether a listing shows files' ETags: nginx's gives none, yet its GET answers carry
        # one; a file's tag must be the same whichever way it was seen.
        self._listed_etags: bool | None = None

    def clock(self) -> float:
        """The server's Date at its last answer: its ETags (wsgidav's, Apache's for a second)
        can miss a change made in the same second as the one seen."""
        return self._clock
    def _url(self, path: str) -> str:
        return self.base + quote(path)

    def _request(self, method: str, path: str, **options: object) -> httpx.Response:
        """One request, asked again while the server answers "not now" (RETRIED); what it
        says at the last try is the answer."""
        for attempt in range(len(self.retry_pauses) + 1):
            response = self._once(method, path, **options)
            if response.status_code not in RETRIED or attempt == len(self.retry_pauses):
                return response
            time.sleep(_pause(attempt, response, self.retry_pauses))
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns

    def _once(self, method: str, path: str, **options: object) -> httpx.Response:
        try:
            response = self.client.request(method, self._url(path), **options)  # type: ignore[arg-type]
            self._clock = _http_time(response.headers.get("Date")) or self._clock
            return response
        except httpx.TimeoutException as error:
            raise Unreachable(f"the server did not answer in time ({self.base})") from error
        except httpx.ConnectError as error:
            if "CERTIFICATE_VERIFY_FAILED" in str(error) or "certificate" in str(error).lower():
                raise SyncError(f"the server's certificate is not trusted ({self.base}): "
                                f"{error}. If your organisation runs its own certificate "
                                "authority, give its certificate with --ca-file") from error
            raise Unreachable(f"the server cannot be reached ({self.base}): {error}") from error
        except httpx.HTTPError as error:
            raise Unreachable(f"the server cannot be reached ({self.base}): {error}") from error

    # -- listing ---------------------------------------------------------------------------
    def list(self) -> Listing:
        listing = Listing()
        pending = [""]
        seen_marker = False
        while pending:
            folder = pending.pop()
            response = self._request("PROPFIND", folder + "/" if folder else "",
                                     headers={"Depth": "1",
                                              "Content-Type": "application/xml"},
                                     content=_PROPFIND)
            if response.status_code != 207:
                if not folder:
                    raise _failed(response, f"{self.base} cannot be listed")
                listing.complete = False
                continue
            try:
                entries = _entries(self._root_path, response.content)
            except (ET.ParseError, ValueError):
                listing.complete = False
                continue
            for relative, is_folder, etag, size, modified in entries:
                if relative.rstrip("/") == folder or not relative:
                    continue
                name = relative.rstrip("/").rsplit("/", 1)[-1]
                if is_folder:
                    self._folders.add(relative.rstrip("/") + "/")
                    if not name.startswith(".") or name == SHARED_DOT_FOLDER:
                        pending.append(relative.rstrip("/"))
                elif relative == MARKER:
                    listing.marker = self._read_marker()
                    seen_marker = True
                elif synced_name(name):
                    self._listed_etags = bool(etag)
                    listing.files[relative] = RemoteFile(etag or self._content_etag(relative),
                                                         size, modified)
            if not folder and not seen_marker:
                self._look_behind_hidden_names(listing, pending)
        return listing

    def _look_behind_hidden_names(self, listing: Listing, pending: builtins.list[str]
                                  ) -> None:
        """The root's listing has no marker: there is none yet, or the server hides names
        that start with a dot (nginx). Asked for by name, it shows which; the team's shared
        dot-folder is then walked by name too."""
        listing.marker = self._read_marker()
        if listing.marker is None:
            return
        listing.hides_dot_names = True
        shared = self._request("PROPFIND", SHARED_DOT_FOLDER + "/",
                               headers={"Depth": "0"}, content=_PROPFIND)
        if shared.status_code == 207:
            pending.append(SHARED_DOT_FOLDER)
        elif shared.status_code != 404:
            listing.complete = False

    def _propfind_one(self, path: str) -> RemoteFile | None:
        """One file as its PROPFIND shows it (its ETag "" when it has none); None if gone."""
        response = self._request("PROPFIND", path, headers={"Depth": "0"}, content=_PROPFIND)
        if response.status_code == 404:
            return None
        if response.status_code != 207:
            raise _failed(response, f"{path} could not be looked at")
        try:
            [(_name, _folder, etag, size, modified)] = _entries(self._root_path,
                                                                 response.content)
        except (ET.ParseError, ValueError) as error:
            raise SyncError(f"the server's answer about {path} cannot be read") from error
        return RemoteFile(etag, size, modified)

    def look(self, path: str) -> RemoteFile | None:
        seen = self._propfind_one(path)
        if seen is None or seen.etag:
            return seen
        return RemoteFile(self._content_etag(path), seen.size, seen.modified)

    def _content_etag(self, path: str) -> str:
        """No usable ETag: the content's hash stands in (read once a listing)."""
        return "sha256:" + content_tag(self.read(path)[0])

    def _read_marker(self) -> str | None:
        response = self._request("GET", MARKER)
        return response.text.strip() if response.status_code == 200 else None

    # -- files -----------------------------------------------------------------------------
    def read(self, path: str) -> tuple[bytes, str]:
        response = self._request("GET", path)
        if response.status_code == 404:
            raise Precondition(f"{path} is no longer on the server")
        if response.status_code != 200:
            raise _failed(response, f"{path} could not be read")
        if len(response.content) > MAX_REMOTE_BYTES:
            raise SyncError(f"{path} on the server is over {MAX_REMOTE_BYTES // 1048576} MB; "
                            "it is left alone")
        if self._listed_etags is None:
            listed = self._current_tag(path, "etag")
            self._listed_etags = None if listed is None else bool(listed)
        etag = strong_etag(response.headers.get("ETag")) if self._listed_etags else ""
        return response.content, etag or "sha256:" + content_tag(response.content)

    def _folders_for(self, path: str) -> None:
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            folder = "/".join(parts[:depth]) + "/"
            if folder in self._folders:
                continue
            response = self._request("MKCOL", folder)
            if response.status_code not in (201, 405):  # made, or there already
                raise _failed(response, f"the folder {folder} could not be made")
            self._folders.add(folder)

    def write(self, path: str, data: bytes, *, if_match: str | None) -> str:
        self._folders_for(path)
        if not self.preconditions:
            return self._write_by_moves(path, data, if_match)
        headers = {"If-None-Match": "*"} if if_match is None else (
            {"If-Match": f'"{if_match}"'} if not if_match.startswith("sha256:") else {})
        if if_match is not None and if_match.startswith("sha256:"):
            current, _ = self.read(path)  # no validator: compare the content itself
            if "sha256:" + content_tag(current) != if_match:
                raise Precondition(f"{path} changed on the server meanwhile")
        response = self._request("PUT", path, content=data, headers=headers)
        if response.status_code == 412:
            raise Precondition(f"{path} changed on the server meanwhile")
        self._refuse_if_full(response)
        if response.status_code not in (200, 201, 204):
            raise _failed(response, f"{path} could not be sent")
        self._last_write = self._clock
        return strong_etag(response.headers.get("ETag"))  # the engine reads it back later

    @staticmethod
    def _refuse_if_full(response: httpx.Response) -> None:
        if response.status_code == 507:
            raise StorageFull(_MESSAGES[507])

    def settle(self) -> None:
        """Wait (a second at most) until the server's Date is past the last write's second,
        so a read-back then shows any rewrite made in that second."""
        deadline = time.monotonic() + 3
        while int(self._clock) <= int(self._last_write) and time.monotonic() < deadline:
            time.sleep(0.25)
            self._request("PROPFIND", "", headers={"Depth": "0"}, content=_PROPFIND)

    def delete(self, path: str, *, if_match: str) -> None:
        if not self.preconditions:
            aside = self._set_aside(path, if_match)
            self._request("DELETE", aside)
            return
        if if_match.startswith("sha256:"):
            current, _ = self.read(path)
            if "sha256:" + content_tag(current) != if_match:
                raise Precondition(f"{path} changed on the server meanwhile; it is kept")
            headers = {}
        else:
            headers = {"If-Match": f'"{if_match}"'}
        response = self._request("DELETE", path, headers=headers)
        if response.status_code == 412:
            raise Precondition(f"{path} changed on the server meanwhile; it is kept")
        if response.status_code not in (200, 204, 404):
            raise _failed(response, f"{path} could not be deleted")

    # -- servers that ignore If-Match (nginx, rclone serve): nothing is ever overwritten ------
    def _move(self, source: str, destination: str) -> httpx.Response:
        return self._request("MOVE", source, headers={"Destination": self._url(destination),
                                                      "Overwrite": "F"})

    def _current_tag(self, path: str, like: str) -> str | None:
        """What ``path`` holds now, as a tag comparable with ``like`` (an ETag, or a content
        hash where the server gives no ETag); None if it is not there."""
        if like.startswith("sha256:"):
            try:
                return "sha256:" + content_tag(self.read(path)[0])
            except Precondition:
                return None
        seen = self._propfind_one(path)
        return None if seen is None else seen.etag

    def _set_aside(self, path: str, if_match: str) -> str:
        """Move ``path`` to a hidden name, if it still holds the version ``if_match`` names:
        then no one else's version is in the way, and none is lost if this one is not."""
        folder, _, name = path.rpartition("/")
        aside = (folder + "/" if folder else "") + f".{name}.{secrets.token_hex(4)}.old.tmp"
        moved = self._move(path, aside)
        if moved.status_code == 404:
            raise Precondition(f"{path} is no longer on the server")
        if moved.status_code not in (201, 204):
            raise _failed(moved, f"{path} could not be replaced")
        if self._current_tag(aside, if_match) != if_match:
            back = self._move(aside, path)  # someone else's version: it goes back, untouched
            if back.status_code not in (201, 204):
                raise SyncError(f"{path} changed on the server meanwhile, and the version "
                                f"there could not be put back: it is kept as {aside}")
            raise Precondition(f"{path} changed on the server meanwhile")
        return aside

    def _write_by_moves(self, path: str, data: bytes, if_match: str | None) -> str:
        """Upload under a hidden name, then MOVE it into place with ``Overwrite: F``; the
        version it replaces is first set aside (and checked), then deleted."""
        folder, _, name = path.rpartition("/")
        upload = (folder + "/" if folder else "") + f".{name}.{secrets.token_hex(4)}.handrail-tmp"
        response = self._request("PUT", upload, content=data)
        self._refuse_if_full(response)
        if response.status_code not in (200, 201, 204):
            raise _failed(response, f"{path} could not be sent")
        try:
            aside = None if if_match is None else self._set_aside(path, if_match)
            placed = self._move(upload, path)
            if placed.status_code == 412:
                raise Precondition(f"{path} was made on the server meanwhile")
            if placed.status_code not in (201, 204):
                raise _failed(placed, f"{path} could not be sent")
        except BaseException:
            self._request("DELETE", upload)
            raise
        if aside is not None:
            self._request("DELETE", aside)  # the version it replaced, checked to be the base
        self._last_write = self._clock
        return ""  # the engine reads it back, with its validator, at the end of the round

    def probe(self) -> ServerTraits:
        """Try what the server honours on a file of its own (then removed): a stale
        ``If-Match``, ``If-None-Match: *`` on a file that exists, ``MOVE`` with ``Overwrite:
        F``, and whether it gives strong ETags."""
        probe = f".handrail-probe-{secrets.token_hex(4)}.tmp"
        other = probe.replace(".tmp", "-2.tmp")
        made = self._request("PUT", probe, content=b"1", headers={"If-None-Match": "*"})
        if made.status_code not in (200, 201, 204):
            raise _failed(made, f"{self.base} does not take new files")
        try:
            again = self._request("PUT", probe, content=b"2", headers={"If-None-Match": "*"})
            stale = self._request("PUT", probe, content=b"3",
                                  headers={"If-Match": '"handrail-stale"'})
            self._request("PUT", other, content=b"4")
            moved = self._move(other, probe)
            etag = self._current_tag(probe, "etag")
        finally:
            self._request("DELETE", probe)
            self._request("DELETE", other)
        return ServerTraits(if_match=stale.status_code == 412,
                            if_none_match=again.status_code == 412,
                            overwrite_f=moved.status_code == 412, etags=bool(etag))

    def write_marker(self, collection_id: str) -> bool:
        response = self._request("PUT", MARKER, content=(collection_id + "\n").encode())
        if response.status_code not in (200, 201, 204):
            raise _failed(response, "the collection marker could not be written")
        root = self._request("PROPFIND", "", headers={"Depth": "1"}, content=_PROPFIND)
        try:
            return root.status_code == 207 and MARKER not in {
                entry[0] for entry in _entries(self._root_path, root.content)}
        except (ET.ParseError, ValueError):
            return False
