from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import run_cli

from job_aids import JobAid, parse_bytes, parse_text, read_aid, serialize_bytes, serialize_text
from job_aids.fileformat import MAX_FILE_BYTES


def test_front_matter_fields_and_unknown_keys_are_kept_in_order() -> None:
    text = ("---\nid: 1b4e28ba-2fa1-11d2-883f-0016d3cca427\ntitle: Unjam the printer\n"
            "kind: troubleshooting\ncustom_field: {nested: [1, 2]}\ntags: [printer, jam]\n"
            "apps: [soffice, {app: firefox, title: '*Invoice*'}]\nreview_by: 2020-01-01\n"
            "x-team: ops\n---\n# Heading\n\nBody text.\n")
    aid = parse_text(text)
    assert aid.problems == []
    assert aid.title == "Unjam the printer"
    assert aid.kind == "troubleshooting"
    assert aid.tags == ["printer", "jam"]
    assert [(m.app, m.title) for m in aid.apps] == [("soffice", None), ("firefox", "*Invoice*")]
    assert aid.review_by == dt.date(2020, 1, 1) and aid.is_stale(dt.date(2026, 1, 1))
    assert list(aid.meta) == ["id", "title", "kind", "custom_field", "tags", "apps", "review_by",
                              "x-team"]
    assert aid.meta["custom_field"] == {"nested": [1, 2]}
    again = parse_text(serialize_text(aid))
    assert again.meta == aid.meta and again.body == aid.body


def test_title_falls_back_to_first_heading_then_file_name(tmp_path: Path) -> None:
    assert parse_text("intro\n```\n# not a heading\n```\n# git commit\n").title == "git commit"
    plain = tmp_path / "no-heading.md"
    plain.write_text("just text\n")
    assert read_aid(plain).title == "no-heading"


def test_file_without_front_matter_is_an_aid_and_serializes_to_itself() -> None:
    text = "# tar\n\n> Archiving utility.\n\n- Create an archive:\n\n`tar cf {{target.tar}}`\n"
    aid = parse_text(text)
    assert not aid.has_front_matter and aid.meta == {}
    assert aid.summary == "Archiving utility."
    assert serialize_text(aid) == text


def test_malformed_yaml_names_the_line_and_keeps_the_text() -> None:
    text = "---\ntitle: ok\nsummary: bad: colon\n---\n# Body stays\n"
    aid = parse_text(text, Path("x.md"))
    assert len(aid.errors) == 1
    problem = aid.errors[0]
    assert problem.line == 3
    assert "not valid YAML" in problem.message
    assert str(problem).startswith("x.md:3: error:")
    assert aid.body == text  # nothing dropped: the whole text is still shown and searched
    assert aid.title == "Body stays"


def test_unclosed_front_matter_and_non_mapping_front_matter() -> None:
    unclosed = parse_text("---\ntitle: x\n# no end\n")
    assert "never closed" in unclosed.errors[0].message and unclosed.errors[0].line == 1
    listy = parse_text("---\n- a\n- b\n---\nbody\n")
    assert "key: value" in listy.errors[0].message
    assert listy.body.endswith("body\n")


def test_bad_field_values_are_reported_on_their_line() -> None:
    aid = parse_text("---\ntitle: t\nkind: recipe\nreview_by: someday\ntags: 5\n---\n")
    found = {(p.line, p.severity) for p in aid.problems}
    assert (3, "warning") in found  # unknown kind
    assert (4, "error") in found  # not a date
    assert (5, "error") in found  # tags not a list


def test_bom_and_crlf_are_read_and_written_back_the_same_way() -> None:
    data = b"\xef\xbb\xbf---\r\ntitle: Windows file\r\n---\r\nline one\r\nline two\r\n"
    aid = parse_bytes(data)
    assert aid.problems == []
    assert aid.title == "Windows file" and aid.body == "line one\nline two\n"
    assert serialize_bytes(aid) == data


def test_invalid_utf8_is_reported_with_its_line_and_shown_with_replacements() -> None:
    data = "# Café\n\nfirst\n".encode() + b"bad \xff byte\n"
    aid = parse_bytes(data, Path("latin.md"))
    assert aid.errors and aid.errors[0].line == 4
    assert "invalid UTF-8" in aid.errors[0].message
    assert "bad \ufffd byte" in aid.body and aid.title == "Café"


def test_binary_file_is_reported_not_shown() -> None:
    aid = parse_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00IHDR", Path("image.md"))
    assert aid.body == "" and "binary" in aid.errors[0].message


def test_huge_file_is_cut_at_the_limit_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "huge.md"
    line = "a line of a very long procedure\n"
    path.write_text("# Huge\n" + line * (MAX_FILE_BYTES // len(line) + 1000))
    aid = read_aid(path)
    assert any("over the" in p.message for p in aid.problems)
    assert aid.title == "Huge" and aid.body.endswith(line)
    assert len(aid.body.encode()) <= MAX_FILE_BYTES


def test_empty_meta_with_body_that_looks_like_front_matter_round_trips() -> None:
    aid = JobAid(meta={}, body="---\nnot: front matter\n---\n")
    again = parse_text(serialize_text(aid))
    assert again.meta == {} and again.body == aid.body


def test_an_aid_without_id_gets_a_stable_uuid5_of_where_it_lies(tmp_path: Path) -> None:
    import uuid

    from job_aids.model import _PATH_ID_NAMESPACE

    folder = tmp_path / "ops" / "sub dir"
    folder.mkdir(parents=True)
    (folder / "Tür öffnen.md").write_text("# Open the door\n", encoding="utf-8")
    aid = read_aid(folder / "Tür öffnen.md", "team", tmp_path / "ops")
    expected = uuid.uuid5(_PATH_ID_NAMESPACE, "team/sub dir/Tür öffnen.md")
    assert aid.source is not None and aid.source.relpath == "sub dir/Tür öffnen.md"
    assert aid.id == str(expected) and uuid.UUID(aid.id).version == 5
    # A root that is only a prefix of the folder's name is not its root.
    with pytest.raises(ValueError, match="subpath"):
        _ = read_aid(folder / "Tür öffnen.md", "team", tmp_path / "op").id


def test_a_file_that_grows_while_it_is_read_is_read_whole(tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from job_aids import fileformat

    path = tmp_path / "growing.md"
    path.write_text("# Growing\n\n" + "more words\n" * 500, encoding="utf-8")
    real_fstat = os.fstat

    class Smaller:  # what fstat saw before the writer added the rest
        def __init__(self, stat: os.stat_result) -> None:
            self.st_size, self.st_mtime_ns, self.st_mode = 12, stat.st_mtime_ns, stat.st_mode

    monkeypatch.setattr(fileformat.os, "fstat", lambda fd: Smaller(real_fstat(fd)))
    aid = read_aid(path)
    assert aid.body.count("more words") == 500 and aid.problems == []


HOSTILE = {
    "impossible-date.md": ("---\ntitle: A\nreview_by: 2027-02-30\n---\nbody\n", 3,
                           "'review_by' must be a date like 2027-01-31; 2027-02-30 does not exist"),
    "month-13.md": ("---\ntitle: B\ncreated: 2026-13-01\n---\nbody\n", 3, "'created' must be"),
    "year-0.md": ("---\ntitle: C\nupdated: 0000-01-01\n---\nbody\n", 3, "'updated' must be"),
    "bad-time.md": ("---\ntitle: D\ncreated: 2026-12-01 25:61:61\n---\nbody\n", 3,
                    "2026-12-01 25:61:61 does not exist"),
    "deep.md": ("---\ntitle: E\nx: " + "[" * 500 + "]" * 500 + "\n---\nbody\n", 3,
                "nested more than 32 deep"),
    "bomb.md": ("---\ntitle: F\na: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
                + "".join(f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n"
                          for p, n in zip("abcdefgh", "bcdefghi", strict=True))
                + "---\nbody\n", 4, "the alias *a repeats a list or mapping"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_one_hostile_front_matter_is_a_problem_on_its_line_not_a_crash(name: str) -> None:
    text, line, message = HOSTILE[name]
    aid = parse_text(text, Path(name))
    assert [(p.line, p.severity) for p in aid.problems] == [(line, "error")], aid.problems
    assert message in aid.problems[0].message
    assert "body" in aid.body  # the text is kept, shown and searched


def test_an_alias_of_a_plain_value_still_reads() -> None:
    """Earlier templates wrote `created: &id001 2026-12-02` and `updated: *id001`."""
    aid = parse_text("---\ntitle: Old\ncreated: &id001 2026-12-02\nupdated: *id001\n---\nx\n")
    assert aid.problems == [] and aid.meta["updated"] == aid.meta["created"]


def test_hostile_files_leave_every_command_working(tmp_path: Path) -> None:
    home = tmp_path / "home"
    library = home / "data" / "library"
    library.mkdir(parents=True)
    for name, (text, _, _) in HOSTILE.items():
        (library / name).write_text(text, encoding="utf-8")
    (library / "good.md").write_text("# Unjam the printer\n\nOpen tray 2.\n", encoding="utf-8")
    validated = run_cli("validate", home=home, check=False)
    assert validated.returncode == 1 and "Traceback" not in validated.stderr
    assert validated.stdout.count(": error: ") == len(HOSTILE)
    listed = run_cli("list", "--json", home=home)
    assert "Unjam the printer" in listed.stdout
    assert "Unjam the printer" in run_cli("search", "--json", "unjam", home=home).stdout
    assert "Traceback" not in run_cli("index", "--rebuild", home=home).stderr
    assert "Open tray 2" in run_cli("show", "Unjam the printer", home=home).stdout


def test_a_pipe_named_like_an_aid_is_not_read_and_hangs_nothing(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from conftest import ROOT

    home = tmp_path / "home"
    library = home / "data" / "library"
    library.mkdir(parents=True)
    os.mkfifo(library / "pipe.md")
    (library / "good.md").write_text("# Unjam the printer\n", encoding="utf-8")

    def handrail(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "app.cli", "--home", str(home), *args],
                              capture_output=True, text=True, cwd=ROOT, timeout=30)

    validated = handrail("validate", str(library / "pipe.md"))
    assert validated.returncode == 1
    assert "pipe.md:1: error: cannot be read: not a regular file" in validated.stdout
    listed = handrail("list")
    assert listed.returncode == 0 and "Unjam the printer" in listed.stdout
    assert "pipe" not in listed.stdout
    assert "Unjam the printer" in handrail("search", "unjam").stdout
    assert handrail("validate").returncode == 0


def test_a_nul_byte_past_the_binary_sniff_is_reported_on_its_line() -> None:
    data = b"# Long aid\n" + b"a line of plain words\n" * 500 + b"oops\x00here\n"
    aid = parse_bytes(data, Path("long.md"))
    assert [(p.line, p.severity) for p in aid.problems] == [(502, "error")]
    assert "NUL byte" in aid.problems[0].message
    assert aid.title == "Long aid"  # still listed and found by its title


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be"])
def test_a_utf16_file_is_named_as_such_not_binary(encoding: str) -> None:
    data = "# Unjam the printer\n\nOpen tray 2.\n".encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    aid = parse_bytes(data, Path("notepad.md"))
    assert [p.line for p in aid.problems] == [1]
    assert "UTF-16" in aid.problems[0].message and "UTF-8" in aid.problems[0].message
    assert "binary" not in aid.problems[0].message


def test_old_mac_line_endings_keep_their_front_matter_and_their_bytes(tmp_path: Path) -> None:

    from job_aids import HandrailPaths, LibraryStore

    data = b"---\rtitle: Close the till\rkind: checklist\r---\r# Close the till\r\r- [ ] Count\r"
    aid = parse_bytes(data, Path("mac.md"))
    assert aid.problems == [] and aid.title == "Close the till" and aid.kind == "checklist"
    assert serialize_bytes(aid) == data  # written back as it came
    store = LibraryStore(HandrailPaths.under(tmp_path / "home"))
    path = store.paths.own_library / "mac.md"
    path.write_bytes(data)
    loaded = store.load(path)
    store.save_text(loaded, "---\ntitle: Close the till\nkind: checklist\n---\n"
                            "# Close the till\n\n- [ ] Count\n")  # the editor's text: no edit
    assert path.read_bytes() == data and store.history.versions(loaded.id) == []
    store.save_text(loaded, "---\ntitle: Close the till\n---\nNew\n")
    assert path.read_bytes() == b"---\rtitle: Close the till\r---\rNew\r"
