"""The viewer reads only the aid: links resolve ids and titles in the library, images come from
the aid's own collection, names are plain text, nothing is fetched (offscreen Qt)."""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtGui import QImage, QTextDocument
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from app.aid_view import AidBrowser, AidWindow, aid_page
from app.controller import Controller
from app.instance import server_name
from job_aids import AidNotFoundError, HandrailPaths, LibraryStore


def _png(path: Path) -> None:
    image = QImage(4, 4, QImage.Format.Format_RGB32)
    image.fill(0x3366CC)
    assert image.save(str(path), "PNG")


@pytest.fixture
def requests_seen() -> Iterator[tuple[str, list[str]]]:
    """A local web server that counts what is asked of it."""
    seen: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server name
            seen.append(self.path)
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_images_come_only_from_the_aids_collection(
        qtbot: QtBot, store: LibraryStore, tmp_path: Path,
        requests_seen: tuple[str, list[str]]) -> None:
    web, seen = requests_seen
    library = store.paths.own_library
    (library / "pics").mkdir()
    _png(library / "pics" / "cover.png")
    _png(tmp_path / "outside.png")
    os.mkfifo(library / "pipe.png")  # reading it would wait for a writer forever
    (library / "linked.png").symlink_to(tmp_path / "outside.png")
    (library / "huge.png").write_bytes(b"\0" * (9 * 1024 * 1024))
    references = {
        "pics/cover.png": True,
        "./pics/../pics/cover.png": True,
        str(tmp_path / "outside.png"): False,            # absolute
        f"file://{tmp_path / 'outside.png'}": False,
        "../" * 8 + str(tmp_path / "outside.png")[1:]: False,  # climbs out
        "~/outside.png": False,
        "linked.png": False,                             # a link out of the collection
        "pipe.png": False,
        "huge.png": False,
        f"{web}/tracker.png": False,
        f"//127.0.0.1:{web.rsplit(':', 1)[1]}/other.png": False,
    }
    body = "\n\n".join(f"![{n}]({ref})" for n, ref in enumerate(references))
    (library / "pictures.md").write_text(f"# Pictures\n\n{body}\n")
    aid = store.load(library / "pictures.md")
    browser = AidBrowser()
    qtbot.addWidget(browser)
    browser.show_page(aid_page(aid), aid.source)
    browser.show()
    qtbot.waitExposed(browser)
    document = browser.document()
    for reference, shown in references.items():
        image = document.resource(QTextDocument.ResourceType.ImageResource, QUrl(reference))
        assert isinstance(image, QImage), reference  # never left for Qt to read itself
        assert (image.width() == 4) == shown, reference  # else the empty 1-pixel stand-in
    assert seen == []  # nothing was fetched


def test_an_aid_link_opens_aids_by_id_or_title_never_files(store: LibraryStore,
                                                          tmp_path: Path) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n\nroot:x:0:0\n")
    (store.paths.own_library / "till.md").write_text("---\nid: till\n---\n# Count the till\n")
    assert store.find_linked("till").title == "Count the till"
    assert store.find_linked("count the till").id == "till"
    for key in (str(secret), "~/secret.md", f"mine/../../{secret.name}", "mine/till.md",
                "/etc/passwd"):
        with pytest.raises(AidNotFoundError):
            store.find_linked(key)


@pytest.fixture
def controller(qtbot: QtBot, paths: HandrailPaths, store: LibraryStore
               ) -> Iterator[Controller]:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    ctl = Controller(app, paths, store, server_name(paths))
    ctl.app.quit = lambda: None  # type: ignore[method-assign]
    assert ctl.start()
    yield ctl
    ctl.quit()


def test_clicking_a_link_to_a_file_path_shows_no_file(
        controller: Controller, qtbot: QtBot, store: LibraryStore, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    secret = tmp_path / "secret.md"
    secret.write_text("# Secret\n\nroot:x:0:0\n")
    encoded = str(secret).replace("/", "%2F")
    (store.paths.own_library / "links.md").write_text(
        f"# Links\n\n[the secret](handrail:aid/{encoded})\n\n[home](handrail:aid/~%2Fsecret.md)\n")
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: told.append(box.text()) or 0)
    controller.open_aid(store.load(store.paths.own_library / "links.md"))
    [window] = controller.windows
    assert isinstance(window, AidWindow)
    qtbot.waitExposed(window)
    browser = window.browser
    for text in ("the secret", "home"):
        cursor = browser.document().find(text)
        assert not cursor.isNull()
        cursor.clearSelection()  # the middle of the link text, not a selection to drag
        cursor.movePosition(cursor.MoveOperation.Left, n=2)
        rect = browser.cursorRect(cursor)
        qtbot.mouseClick(browser.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.wait(QApplication.doubleClickInterval() + 50)  # two clicks, not a double click
    assert len(told) == 2 and all("no aid with id or path" in t for t in told)
    assert [w.windowTitle() for w in controller.windows] == ["Links - Handrail"]


def test_links_out_of_the_collection_are_not_listed_or_found(store: LibraryStore,
                                                             tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd.md").write_text("# Users\n\nnobody:x:65534:nologin\n")
    library = store.paths.own_library
    (library / "real.md").write_text("# Real\n")
    (library / "users.md").symlink_to(outside / "passwd.md")
    (library / "etc").symlink_to(outside, target_is_directory=True)
    (library / "again.md").symlink_to(library / "real.md")  # inside: fine
    listed = sorted(p.name for _c, p in store.iter_files([store.collections.get("mine")]))
    assert listed == ["again.md", "real.md"]
    from search import AidIndex, SearchEngine, UsageLog

    index = AidIndex(store.paths.cache / "index", parallel=False)
    index.update(store)
    engine = SearchEngine(index, UsageLog(store.paths.state / "usage.sqlite3"))
    assert engine.search("nologin ").results == []
    assert engine.search("users ").results == []
    index.close()


def test_a_name_that_looks_like_markup_is_shown_as_it_is(qtbot: QtBot,
                                                         store: LibraryStore) -> None:
    name = "<img src=x.png width=900>.md"
    (store.paths.own_library / name).write_text("# Hostile name\n")
    aid = store.load(store.paths.own_library / name)
    window = AidWindow(aid, aid_page(aid), on_pin=lambda a: None, on_edit=lambda a: None,
                       on_link=lambda t: None)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert window.where.text() == f"mine · {name}"
    assert window.where.sizeHint().width() < 600  # drawn as text, not as a 900 px image


def test_a_warning_is_one_tinted_box_holding_its_title_words_and_list(qtbot: QtBot) -> None:
    from PySide6.QtGui import QTextCursor, QTextTable

    from app.aid_view import boxed_callouts
    from job_aids.fileformat import parse_text

    text = ("---\ntitle: Unjam\nkind: troubleshooting\n---\n# Unjam\n\n"
            '!!! warning "Hot print head"\n    Let it cool.\n\n    - gloves\n    - a torch\n\n'
            "!!! note\n    Outer words.\n\n    !!! danger\n        Inner words.\n\n1. Switch off\n")
    browser = AidBrowser()
    qtbot.addWidget(browser)
    browser.show_page(aid_page(parse_text(text)), None)
    document = browser.document()
    cells: list[tuple[str, str]] = []  # each callout's words and tint, outer first
    block = document.begin()
    while block.isValid():
        table = QTextCursor(block).currentTable()
        if isinstance(table, QTextTable) and table.cellAt(0, 0).isValid():
            cell = table.cellAt(0, 0)
            words = document.toPlainText()[cell.firstPosition():cell.lastPosition()]
            entry = (words, cell.format().background().color().name())
            if entry not in cells:
                cells.append(entry)
        block = block.next()
    assert ("Hot print head\nLet it cool.\ngloves\na torch" in cells[0][0])
    assert cells[0][1] == "#fff4d6"  # the warning's tint, light theme
    assert "Outer words." in cells[1][0] and "Inner words." in cells[1][0]
    assert cells[1][1] == "#e8f0fe" and cells[2] == ("Danger\nInner words.", "#fff4d6")
    assert "Switch off" not in "".join(words for words, _ in cells)
    # The rewrite keeps everything outside the callouts as it was.
    page = '<p>a</p><div class="admonition note"><p>b</p></div><p>c</p>'
    assert boxed_callouts(page, dark=False).startswith("<p>a</p><table")
    assert boxed_callouts(page, dark=False).endswith("</table><p>c</p>")
