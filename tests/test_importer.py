from __future__ import annotations

from pathlib import Path

from job_aids import import_files, read_aid


def _tree(root: Path) -> None:
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "a.md").write_bytes(b"---\nweird: [kept]\n---\n# A\r\n")
    (root / "sub" / "notes.txt").write_text("Call the desk\nat 9\n")
    (root / "sub" / "deeper" / "page.html").write_text(
        "<html><head><title>Reset a password</title><script>x()</script></head><body>"
        "<h1>Reset</h1><ol><li>Open <b>Settings</b></li><li>Click reset</li></ol></body></html>")
    (root / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (root / "binary.md").write_bytes(b"\x00\x01\x02")
    (root / "broken.md").write_text("---\ntitle: [oops\n---\nstill here\n")
    (root / "con.md").write_text("# reserved name on Windows\n")


def test_import_keeps_structure_converts_and_reports(tmp_path: Path) -> None:
    source = tmp_path / "wiki"
    source.mkdir()
    _tree(source)
    dest = tmp_path / "library"
    dest.mkdir()
    report = import_files([source], dest)
    targets = {t.relative_to(dest).as_posix() for _, t in report.imported}
    assert targets == {"wiki/a.md", "wiki/sub/notes.md", "wiki/sub/deeper/page.md",
                       "wiki/broken.md", "wiki/con_.md"}
    # Markdown is copied byte for byte, unknown keys and CRLF included.
    assert (dest / "wiki/a.md").read_bytes() == (source / "a.md").read_bytes()
    page = read_aid(dest / "wiki/sub/deeper/page.md")
    assert page.title == "Reset" and "1. Open **Settings**" in page.body  # its <h1>
    assert "x()" not in page.body
    notes = read_aid(dest / "wiki/sub/notes.md")
    assert notes.title == "notes" and "Call the desk" in notes.body and notes.declared_id
    reasons = {s.source.name: s.reason for s in report.skipped}
    assert "not a supported type" in reasons["image.png"]
    assert "binary" in reasons["binary.md"]
    assert [w.path.name for w in report.warnings if w.path] == ["broken.md"]
    assert [(s.name, t.name) for s, t in report.renamed] == [("con.md", "con_.md")]


def test_importing_again_skips_identical_and_keeps_different(tmp_path: Path) -> None:
    source = tmp_path / "wiki"
    source.mkdir()
    (source / "a.md").write_text("# A\n")
    dest = tmp_path / "library"
    dest.mkdir()
    import_files([source], dest)
    again = import_files([source], dest)
    assert again.imported == [] and "already imported" in again.skipped[0].reason
    (source / "a.md").write_text("# A, edited\n")
    third = import_files([source], dest)
    assert [t.name for _, t in third.imported] == ["a-2.md"]
    assert (dest / "wiki/a.md").read_text() == "# A\n"


def test_an_import_with_a_long_name_stays_an_aid(tmp_path: Path) -> None:
    from job_aids import walk_markdown

    source = tmp_path / "wiki"
    source.mkdir()
    long_name = "How to reconcile the quarterly vendor statements " * 3 + ".md"
    (source / long_name).write_text("# Reconcile\n\nMatch every line.\n", encoding="utf-8")
    dest = tmp_path / "library"
    dest.mkdir()
    report = import_files([source], dest)
    assert len(report.imported) == 1 and not report.skipped
    target = report.imported[0][1]
    assert target.suffix == ".md" and len(target.name.encode()) <= 120
    assert list(walk_markdown(dest)) == [target]  # listed, searched, shown
