"""A lying or hostile WebDAV server (faults injected through httpx's mock transport, in
addition to the real servers in test_sync_engine.py): names that would leave the folder are
never written, a truncated or clamped listing is never read as "deleted", weak ETags are no
validator, and every failure says what happened."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from sync.engine import sync_collection
from sync.journal import Journal
from sync.targets import SyncError
from sync.webdav import WebDAVTarget, strong_etag


def _multistatus(*entries: tuple[str, bool, str]) -> bytes:
    parts = []
    for href, folder, etag in entries:
        kind = "<D:collection/>" if folder else ""
        parts.append(f"<D:response><D:href>{href}</D:href><D:propstat><D:prop><D:resourcetype>"
                     f"{kind}</D:resourcetype><D:getetag>{etag}</D:getetag>"
                     "<D:getcontentlength>5</D:getcontentlength></D:prop>"
                     "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>")
    return ('<?xml version="1.0"?><D:multistatus xmlns:D="DAV:">' + "".join(parts)
            + "</D:multistatus>").encode()


def _target(handler: Callable[[httpx.Request], httpx.Response]) -> WebDAVTarget:
    client = httpx.Client(transport=httpx.MockTransport(handler))
    target = WebDAVTarget("http://dav.test/team/", client=client, preconditions=True)
    target.retry_pauses = (0.01, 0.02, 0.04)  # the pauses' lengths are not under test here
    return target


def _sync(tmp_path: Path, target: WebDAVTarget) -> list[tuple[str, str]]:
    report = sync_collection(tmp_path / "local", target, Journal(tmp_path / "j.sqlite3"),
                             "team", trash=tmp_path / "kept")
    return report.skipped


def test_names_that_would_leave_the_folder_are_never_written(tmp_path: Path) -> None:
    listing = _multistatus(("/team/", True, ""), ("/team/%2E%2E%2Fescape.md", False, '"a"'),
                           ("/team/con.md", False, '"b"'), ("/team/ok.md", False, '"c"'),
                           ("/team/.handrail-collection", False, '"m"'))

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PROPFIND":
            return httpx.Response(207, content=listing)
        if request.url.path.endswith(".handrail-collection"):
            return httpx.Response(200, text="team\n")
        return httpx.Response(200, content=b"hello", headers={"ETag": '"c"'})

    skipped = _sync(tmp_path, _target(handler))
    assert sorted(p.name for p in (tmp_path / "local").iterdir()) == ["ok.md"]
    assert not (tmp_path / "escape.md").exists()
    assert {name for name, _ in skipped} == {"../escape.md", "con.md"}
    assert all("not a safe name" in why for _, why in skipped)


@pytest.mark.parametrize("reply", [
    httpx.Response(207, content=b'<?xml version="1.0"?><D:multistatus xmlns:D="DAV:"><D:resp'),
    httpx.Response(403),
])
def test_a_truncated_or_refused_listing_of_a_folder_deletes_nothing(
        tmp_path: Path, reply: httpx.Response) -> None:
    """The first round syncs two files; then the subfolder's listing is cut short (or
    refused): the round stops and says so, and no file is deleted on either side."""
    broken = {"on": False}
    root = _multistatus(("/team/", True, ""), ("/team/sub/", True, ""),
                        ("/team/a.md", False, '"a"'), ("/team/.handrail-collection", False, "m"))
    sub = _multistatus(("/team/sub/", True, ""), ("/team/sub/b.md", False, '"b"'))

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PROPFIND":
            if request.url.path.rstrip("/").endswith("sub"):
                return reply if broken["on"] else httpx.Response(207, content=sub)
            return httpx.Response(207, content=root)
        if request.url.path.endswith(".handrail-collection"):
            return httpx.Response(200, text="team\n")
        tag = '"b"' if request.url.path.endswith("b.md") else '"a"'
        return httpx.Response(200, content=b"hello", headers={"ETag": tag})

    target = _target(handler)
    journal = Journal(tmp_path / "j.sqlite3")
    local = tmp_path / "local"
    sync_collection(local, target, journal, "team", trash=tmp_path / "kept")
    assert sorted(p.relative_to(local).as_posix() for p in local.rglob("*.md")) == [
        "a.md", "sub/b.md"]
    broken["on"] = True
    with pytest.raises(SyncError, match="incomplete"):
        sync_collection(local, target, journal, "team", trash=tmp_path / "kept")
    assert (local / "sub" / "b.md").exists()


def test_weak_and_gzip_etags_are_no_validator() -> None:
    assert strong_etag('W/"abc"') == "" and strong_etag('"abc-gzip"') == ""
    assert strong_etag('"abc"') == "abc" and strong_etag(None) == ""


def test_a_wrong_password_and_a_full_disk_say_so(tmp_path: Path) -> None:
    with pytest.raises(SyncError, match="refused the user name or password"):
        _sync(tmp_path, _target(lambda request: httpx.Response(401)))
    with pytest.raises(SyncError, match="cannot be reached"):
        def down(request: httpx.Request) -> httpx.Response:
            raise httpx.ConnectError("connection refused")
        _sync(tmp_path, _target(down))


def test_not_now_answers_are_asked_again_and_a_lasting_lock_is_named(tmp_path: Path) -> None:
    """503 and 429 are tried again (Retry-After honoured) until the server answers; a file
    locked for good is left for the next round with a message, and the others sync."""
    asked: list[str] = []
    root = _multistatus(("/team/", True, ""), ("/team/a.md", False, '"a"'),
                        ("/team/locked.md", False, '"l"'),
                        ("/team/.handrail-collection", False, '"m"'))

    def handler(request: httpx.Request) -> httpx.Response:
        asked.append(f"{request.method} {request.url.path}")
        if request.method == "PROPFIND":
            if asked.count("PROPFIND /team/") < 3:
                return httpx.Response(503 if len(asked) == 1 else 429,
                                      headers={"Retry-After": "0"})
            return httpx.Response(207, content=root)
        if request.url.path.endswith(".handrail-collection"):
            return httpx.Response(200, text="team\n")
        if request.url.path.endswith("locked.md"):
            return httpx.Response(423)
        return httpx.Response(200, content=b"hello", headers={"ETag": '"a"'})

    skipped = _sync(tmp_path, _target(handler))
    assert asked.count("PROPFIND /team/") == 3
    assert (tmp_path / "local" / "a.md").read_bytes() == b"hello"
    assert asked.count("GET /team/locked.md") == 4  # the first try and three more
    assert skipped == [("locked.md", "locked.md could not be read: the file is locked on the "
                        "server (someone has it open?); it is tried again")]


def test_a_full_server_stops_the_uploads_after_the_first_refusal(tmp_path: Path) -> None:
    """507 is asked once: the other new aids are not sent into a full disk again and again
    (Nextcloud's client re-uploads for ever), and each says why it waits."""
    puts: list[str] = []
    root = _multistatus(("/team/", True, ""), ("/team/.handrail-collection", False, '"m"'))

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PROPFIND":
            return httpx.Response(207, content=root)
        if request.url.path.endswith(".handrail-collection"):
            return httpx.Response(200, text="team\n")
        if request.method == "PUT":
            puts.append(request.url.path)
            return httpx.Response(507)
        return httpx.Response(404)

    local = tmp_path / "local"
    local.mkdir()
    for name in ("a.md", "b.md", "c.md"):
        (local / name).write_text(f"# {name}\n")
    skipped = _sync(tmp_path, _target(handler))
    assert len(puts) == 1
    assert [name for name, _ in skipped] == ["a.md", "b.md", "c.md"]
    assert all("storage is full" in why for _, why in skipped)
    assert sorted(p.name for p in local.iterdir()) == ["a.md", "b.md", "c.md"]  # all kept


def test_a_file_gone_from_the_listing_that_cannot_be_looked_at_is_not_taken_as_deleted(
        tmp_path: Path) -> None:
    """Missing from a listing, a file is asked for by name before it counts as deleted; a
    server that refuses to say (403) leaves it alone for this round, and the others sync."""
    gone = {"on": False}

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PROPFIND":
            if request.headers.get("Depth") == "0":
                return httpx.Response(403)
            entries = [("/team/", True, ""), ("/team/a.md", False, '"a"'),
                       ("/team/.handrail-collection", False, '"m"')]
            if not gone["on"]:
                entries.append(("/team/b.md", False, '"b"'))
            else:
                entries.append(("/team/c.md", False, '"c"'))
            return httpx.Response(207, content=_multistatus(*entries))
        if request.url.path.endswith(".handrail-collection"):
            return httpx.Response(200, text="team\n")
        name = request.url.path.rsplit("/", 1)[-1]
        return httpx.Response(200, content=f"text of {name}\n".encode(),
                              headers={"ETag": f'"{name[0]}"'})

    target = _target(handler)
    journal = Journal(tmp_path / "j.sqlite3")
    local = tmp_path / "local"
    sync_collection(local, target, journal, "team", trash=tmp_path / "kept")
    gone["on"] = True
    report = sync_collection(local, target, journal, "team", trash=tmp_path / "kept")
    assert (local / "b.md").read_text() == "text of b.md\n"  # not deleted here
    assert "c.md" in report.downloaded and not report.deleted_here
    assert [path for path, _why in report.skipped] == ["b.md"]
    assert "the server does not allow this" in report.skipped[0][1]
