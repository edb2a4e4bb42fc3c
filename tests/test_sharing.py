"""A .handrail bundle: export then import is lossless, and a hostile archive is refused."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import string
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from job_aids import LibraryStore, parse_bytes
from job_aids.bundle import (
    BundleRefused,
    Existing,
    export_bundle,
    install_bundle,
    read_bundle,
)
from job_aids.names import safe_relative_path
from job_aids.paths import HandrailPaths
from resources import starter_dir, templates_dir
from tests.conftest import run_cli


def _store(home: Path) -> LibraryStore:
    return LibraryStore(HandrailPaths.under(home), starter_dir=starter_dir(),
                        templates_dir=templates_dir())


def _tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and ".handrail" not in p.relative_to(root).parts}


# Odd but valid front matter: unknown keys, comments, flow and block lists in the author's own
# style, quotes, dates, unicode; CRLF files and a BOM; bodies with any text.
_word = st.text(alphabet=string.ascii_letters + "éß中 -", min_size=1, max_size=12).map(str.strip) \
    .filter(bool)
_extra = st.sampled_from([
    "x-team: 'Ops'\n", "# a comment the author wrote\n", "tags: [printer,  toner]\n",
    "tags:\n  - one\n  -   two\n", "review_by: 2027-01-31\n", "weird key: \"a: b\"\n",
    "nested:\n  deep: [1, 2]\n", "owner: ops@example.com\n", "apps: [\"Excel\"]\n"])
_body = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from(["\n", "\t"]),
                max_size=300)


@st.composite
def _aid_files(draw: st.DrawFn) -> tuple[str, bytes, dict[str, bytes]]:
    title = draw(_word)
    extras = "".join(draw(st.lists(_extra, max_size=4, unique=True)))
    folder = draw(st.sampled_from(["", "floor/", "office/sub/"]))
    images = {f"{folder}img/{n}.png": draw(st.binary(min_size=1, max_size=64))
              for n in draw(st.lists(st.sampled_from(["a", "b", "c"]), max_size=2, unique=True))}
    links = "".join(f"\n![shot]({Path(p).relative_to(folder or '.').as_posix()})\n"
                    for p in images)
    text = (f"---\nid: {draw(st.uuids())}\ntitle: {json.dumps(title, ensure_ascii=False)}\n"
            f"{extras}---\n{draw(_body)}{links}")
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    if draw(st.booleans()):
        data = b"\xef\xbb\xbf" + data
    return f"{folder}{draw(_word).replace(' ', '-')}.md", data, images


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(st.lists(_aid_files(), min_size=1, max_size=4,
                unique_by=lambda entry: entry[0].casefold()))
def test_export_then_import_is_lossless(tmp_path_factory: pytest.TempPathFactory,
                                        files: list[tuple[str, bytes, dict[str, bytes]]]) -> None:
    base = tmp_path_factory.mktemp("roundtrip")
    mine = _store(base / "a")
    root = mine.collections.get("mine").path
    for relpath, data, images in files:
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_bytes(data)
        for name, image in images.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(image)
    expected = _tree(root)
    exported = export_bundle(mine.iter_aids([mine.collections.get("mine")]), base / "x.handrail")
    assert exported.aids == len(files)

    theirs = _store(base / "b")
    report = install_bundle(theirs, read_bundle(exported.file), "mine",
                            lambda *_: pytest.fail("nothing exists yet"))
    assert len(report.added) == len(files) and not report.skipped
    made_safe = {safe_relative_path(name).as_posix(): data for name, data in expected.items()}
    assert _tree(theirs.collections.get("mine").path) == made_safe  # same paths, same bytes
    ids = {parse_bytes(d, Path(r)).id for r, d, _ in files}
    assert {a.id for a in theirs.iter_aids([theirs.collections.get("mine")])} == ids
    again = install_bundle(theirs, read_bundle(exported.file), "mine",
                           lambda *_: pytest.fail("unchanged aids are not asked about"))
    assert not again.added and len(again.skipped) == len(files)


def _zip(members: dict[str, bytes], *, manifest: object | None = None,
         symlink: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        if symlink is not None:
            info = zipfile.ZipInfo(symlink)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
        if manifest is not None:
            archive.writestr("manifest.json", json.dumps(manifest))
    return buffer.getvalue()


AID = b"---\nid: 1\ntitle: Fine\n---\nSteps.\n"


@pytest.mark.parametrize(("archive", "said"), [
    (_zip({"mine/../../escape.md": AID}), "outside the library folder"),
    (_zip({"/etc/cron.d/evil.md": AID}), "absolute or unsafe name"),
    (_zip({"C:/Windows/evil.md": AID}), "absolute or unsafe name"),
    (_zip({"mine\\..\\evil.md": AID}), "absolute or unsafe name"),
    (_zip({"mine/a\x01.md": AID}), "absolute or unsafe name"),
    (_zip({"mine/ok.md": AID}, symlink="mine/link.png"), "symbolic link"),
    (_zip({"mine/bomb.png": bytes(30 * 1024 * 1024)}), "MB; the limit is"),
    (_zip({"mine/bomb.md": bytes(1024 * 1024 + 5000)}), "zip bomb"),
    (_zip({"mine/Fine.md": AID, "mine/fine.md": AID}), "appears twice"),
    (_zip({"mine/ok.md": AID}, manifest={"format": "handrail-bundle", "version": 1, "aids": [
        {"path": "mine/ok.md", "sha256": hashlib.sha256(b"other").hexdigest()}]}), "checksum"),
    (_zip({"mine/ok.md": AID}, manifest={"format": "handrail-bundle", "version": 99}), "newer"),
    (b"PK\x03\x04 not really a zip", "not a zip archive"),
])
def test_a_hostile_or_damaged_bundle_is_refused_and_writes_nothing(
        tmp_path: Path, archive: bytes, said: str) -> None:
    bundle = tmp_path / "evil.handrail"
    bundle.write_bytes(archive)
    store = _store(tmp_path / "home")
    before = _tree(tmp_path)
    with pytest.raises(BundleRefused, match=said):
        read_bundle(bundle)
    assert _tree(tmp_path) == before
    result = run_cli("import", str(bundle), home=tmp_path / "home", check=False)
    assert result.returncode == 1 and said in result.stderr
    assert not (tmp_path / "escape.md").exists() and store is not None


def test_a_name_windows_cannot_hold_comes_in_under_a_safe_one(tmp_path: Path) -> None:
    (tmp_path / "con.handrail").write_bytes(_zip({"mine/con.md": AID}))
    store = _store(tmp_path / "home")
    report = install_bundle(store, read_bundle(tmp_path / "con.handrail"), "mine",
                            lambda *_: Existing.SKIP)
    assert [p.name for p in report.added] == ["con_.md"]
    assert report.added[0].read_bytes() == AID


def test_a_header_that_lies_about_the_size_is_refused(tmp_path: Path) -> None:
    data = bytearray(_zip({"mine/ok.md": AID * 200}))
    # Shrink the declared size in both headers: the member unpacks to more than it says.
    real = len(AID * 200).to_bytes(4, "little")
    data[:] = data.replace(real, (100).to_bytes(4, "little"))
    (tmp_path / "lie.handrail").write_bytes(bytes(data))
    with pytest.raises(BundleRefused):
        read_bundle(tmp_path / "lie.handrail")


def test_an_aid_that_exists_is_updated_kept_beside_or_skipped(tmp_path: Path) -> None:
    mine = _store(tmp_path / "a")
    root = mine.collections.get("mine").path
    (root / "till.md").write_bytes(b"---\nid: till-1\ntitle: Reset the till\n---\n1. Press.\n")
    bundle = export_bundle(mine.iter_aids([mine.collections.get("mine")]), tmp_path / "t.handrail")
    theirs = _store(tmp_path / "b")
    install_bundle(theirs, read_bundle(bundle.file), "mine", lambda *_: Existing.SKIP)
    (root / "till.md").write_bytes(b"---\nid: till-1\ntitle: Reset the till\n---\n1. Press hard.\n")
    bundle = export_bundle(mine.iter_aids([mine.collections.get("mine")]), tmp_path / "t.handrail")
    target = theirs.collections.get("mine").path / "till.md"

    asked: list[str] = []
    skipped = install_bundle(theirs, read_bundle(bundle.file), "mine",
                             lambda existing, bundled: asked.append(existing.id) or Existing.SKIP)
    assert asked == ["till-1"] and skipped.skipped and b"Press.\n" in target.read_bytes()

    both = install_bundle(theirs, read_bundle(bundle.file), "mine", lambda *_: Existing.KEEP_BOTH)
    copy = both.kept_both[0].read_text()
    assert "derived_from: till-1" in copy and "Press hard" in copy and "id: till-1\n" not in copy

    updated = install_bundle(theirs, read_bundle(bundle.file), "mine", lambda *_: Existing.UPDATE)
    assert updated.updated == [target] and target.read_bytes() == (root / "till.md").read_bytes()
    restored = theirs.versions(theirs.load(target))
    assert restored and b"Press.\n" in restored[-1].read_bytes()  # the old one is in history


def test_the_command_line_exports_and_imports_a_collection(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    new = run_cli("new", "--kind", "checklist", "--title", "Open the shop", home=first)
    written = Path(new.stdout.strip())
    run_cli("export", "--collection", "mine", "-o", str(tmp_path / "shop"), home=first)
    result = run_cli("import", str(tmp_path / "shop.handrail"), home=second)
    assert "1 added" in result.stdout
    copied = next((second / "data").rglob(written.name))
    assert copied.read_bytes() == written.read_bytes()
    again = run_cli("import", str(tmp_path / "shop.handrail"), home=second)
    assert "0 added" in again.stdout and "unchanged" in again.stdout


def test_an_aid_whose_name_another_system_reserves_round_trips(tmp_path: Path) -> None:
    """NUL.md is made safe on the way in (NUL_.md); the manifest's name is made safe the same
    way, so the bundle is not refused as incomplete (Hypothesis found it)."""
    ours = _store(tmp_path / "ours")
    own = ours.paths.own_library
    own.mkdir(parents=True, exist_ok=True)
    data = b'---\nid: e3e70682-c209-4cac-629f-6fbed82c07cd\ntitle: "A"\n---\n'
    (own / "NUL.md").write_bytes(data)
    exported = export_bundle([ours.load(own / "NUL.md")], tmp_path / "one.handrail")
    theirs = _store(tmp_path / "theirs")
    report = install_bundle(theirs, read_bundle(exported.file), "mine",
                            lambda existing, bundled: Existing.SKIP)
    [added] = report.added
    assert added.name == "NUL_.md" and added.read_bytes() == data
