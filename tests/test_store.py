from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

import pytest

from job_aids import (
    OWN,
    AidChangedOnDiskError,
    CollectionError,
    InvalidAidError,
    LibraryStore,
    ReadOnlyCollectionError,
    diff_snapshots,
)
from job_aids.model import KINDS


def test_the_starter_library_is_what_an_empty_library_shows(store: LibraryStore) -> None:
    aids = list(store.iter_aids())
    titles = {aid.title for aid in aids}
    assert "Welcome to Handrail" in titles and "Write a good job aid" in titles
    assert {aid.kind for aid in aids} == set(KINDS)  # one example of each kind
    assert all(not aid.problems for aid in aids)
    assert {aid.source.collection for aid in aids if aid.source} == {"starter"}


def test_every_template_is_a_valid_aid_of_its_kind(store: LibraryStore) -> None:
    for kind in KINDS:
        template = store.templates.load(kind)
        assert template.problems == [] and template.kind == kind
        # Structure and a description of the kind; no owner, dates or words of another aid.
        assert store.templates.describe(kind) and template.body.strip()
        assert "owner" not in template.meta and template.review_by is None


def test_new_from_template_writes_a_fresh_aid(store: LibraryStore) -> None:
    today = dt.date(2026, 11, 29)
    aid = store.new_from_template("checklist", "Open the shop", today=today)
    assert aid.source and aid.source.path.name == "open-the-shop.md"
    assert aid.title == "Open the shop" and aid.kind == "checklist"
    assert aid.meta["created"] == today and aid.review_by == today + dt.timedelta(days=180)
    assert "# Open the shop" in aid.body
    second = store.new_from_template("checklist", "Open the shop", today=today)
    assert second.source and second.source.path.name == "open-the-shop-2.md"
    assert second.id != aid.id


def test_save_keeps_history_and_unknown_keys(store: LibraryStore) -> None:
    aid = store.new_from_template("procedure", "Toner")
    assert aid.source is not None
    original = aid.source.path.read_bytes()
    aid.meta["x-custom"] = {"keep": "me"}
    aid.body += "\n6. Recycle the old cartridge.\n"
    saved = store.save_aid(aid)
    assert saved.meta["x-custom"] == {"keep": "me"}
    assert "Recycle" in saved.body
    versions = store.history.versions(saved.id)
    assert [v.read_bytes() for v in versions] == [original]


def test_history_is_bounded(paths, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    store = LibraryStore(paths, history_keep=3)
    aid = store.create_aid(__import__("job_aids").parse_text("---\ntitle: T\n---\nv0\n"))
    for number in range(1, 7):
        aid.body = f"v{number}\n"
        aid = store.save_aid(aid)
    versions = store.history.versions(aid.id)
    assert len(versions) == 3
    assert versions[-1].read_bytes().endswith(b"v5\n")


def test_save_refuses_when_another_program_changed_the_file(store: LibraryStore) -> None:
    aid = store.new_from_template("reference", "Codes")
    assert aid.source is not None
    aid.source.path.write_text(aid.source.path.read_text() + "\nedited in vim\n")
    aid.body += "\nmy edit\n"
    with pytest.raises(AidChangedOnDiskError, match="changed by another program"):
        store.save_aid(aid)
    assert "edited in vim" in aid.source.path.read_text()  # their words survive


def test_unchanged_aid_is_never_rewritten(store: LibraryStore) -> None:
    path = store.paths.own_library / "plain.md"
    path.write_text("# Plain\n\nno front matter\n")
    os.utime(path, ns=(1_000_000_000, 1_000_000_000))
    aid = store.load(path)
    store.save_aid(aid)
    assert path.stat().st_mtime_ns == 1_000_000_000
    assert path.read_text() == "# Plain\n\nno front matter\n"


def test_aid_with_parse_errors_cannot_be_reserialized_but_can_be_saved_as_text(
        store: LibraryStore) -> None:
    path = store.paths.own_library / "broken.md"
    path.write_text("---\ntitle: [unclosed\n---\nbody\n")
    aid = store.load(path)
    with pytest.raises(InvalidAidError, match="has errors"):
        store.save_aid(aid)
    fixed = store.save_text(aid, "---\ntitle: fixed\n---\nbody\n")
    assert fixed.title == "fixed" and not fixed.problems
    assert store.history.versions(fixed.id) or store.history.versions(aid.id)


def test_delete_moves_to_trash_and_restore_brings_it_back(store: LibraryStore) -> None:
    aid = store.new_from_template("contact", "Payroll")
    assert aid.source is not None
    path, content = aid.source.path, aid.source.path.read_bytes()
    entry = store.delete_aid(aid)
    assert not path.exists()
    assert [e.title for e in store.trash.entries()] == ["Payroll"]
    restored = store.restore(entry.entry_id[:10])
    assert restored == path and path.read_bytes() == content
    assert store.trash.entries() == []


def test_restore_beside_a_new_file_of_the_same_name(store: LibraryStore) -> None:
    aid = store.new_from_template("contact", "Payroll")
    assert aid.source is not None
    path = aid.source.path
    entry = store.delete_aid(aid)
    path.write_text("# a new payroll aid\n")
    restored = store.restore(entry.entry_id)
    assert restored != path and restored.parent == path.parent
    assert path.read_text() == "# a new payroll aid\n"


def test_read_only_collections_refuse_writes(store: LibraryStore, tmp_path: Path) -> None:
    folder = tmp_path / "published"
    folder.mkdir()
    (folder / "policy.md").write_text("# Policy\n")
    store.collections.add(folder, "policies", read_only=True)
    aid = store.find("policies/policy.md")
    aid.body += "x"
    with pytest.raises(ReadOnlyCollectionError):
        store.save_aid(aid)
    with pytest.raises(ReadOnlyCollectionError):
        store.delete_aid(aid)
    starter = store.find("Welcome to Handrail")
    with pytest.raises(ReadOnlyCollectionError):
        store.delete_aid(starter)
    assert (folder / "policy.md").read_text() == "# Policy\n"


def test_collections_add_list_remove_never_touch_the_folder(store: LibraryStore,
                                                            tmp_path: Path) -> None:
    folder = tmp_path / "vault"
    (folder / ".obsidian").mkdir(parents=True)
    (folder / ".obsidian" / "hidden.md").write_text("# hidden\n")
    (folder / "notes").mkdir()
    (folder / "notes" / "howto.md").write_text("# How to\n")
    store.collections.add(folder)
    assert "vault" in [c.name for c in store.collections.all()]
    assert [a.title for a in store.iter_aids([store.collections.get("vault")])] == ["How to"]
    with pytest.raises(CollectionError, match="exists already"):
        store.collections.add(tmp_path, "vault")
    with pytest.raises(CollectionError, match="not a folder"):
        store.collections.add(tmp_path / "missing")
    store.collections.remove("vault")
    assert "vault" not in [c.name for c in store.collections.all()]
    assert (folder / "notes" / "howto.md").exists()
    with pytest.raises(CollectionError):
        store.collections.remove(OWN)
    store.collections.remove("starter")
    assert [c.name for c in store.collections.all()] == [OWN]


def test_damaged_collections_file_gives_a_clear_error(store: LibraryStore) -> None:
    store.paths.collections_file.parent.mkdir(parents=True, exist_ok=True)
    store.paths.collections_file.write_text("{not json")
    with pytest.raises(CollectionError, match="damaged"):
        store.collections.all()


def test_changes_by_other_programs_are_picked_up(store: LibraryStore) -> None:
    own = store.paths.own_library
    before = store.snapshot()
    (own / "added.md").write_text("# Added by a sync client\n")
    aid = store.new_from_template("procedure", "Existing")
    assert aid.source is not None
    middle = store.snapshot()
    time.sleep(0.01)
    aid.source.path.write_text(f"---\nid: {aid.id}\ntitle: Renamed in an editor\n---\n")
    (own / "added.md").unlink()
    after = store.snapshot()
    first = diff_snapshots(before, middle)
    assert {p.name for p in first.added} == {"added.md", "existing.md"}
    second = diff_snapshots(middle, after)
    assert [p.name for p in second.modified] == ["existing.md"]
    assert [p.name for p in second.removed] == ["added.md"]
    assert store.find(aid.id).title == "Renamed in an editor"  # the id is kept in the file
    assert not diff_snapshots(after, store.snapshot())


def test_find_by_id_path_collection_path_and_title(store: LibraryStore) -> None:
    aid = store.new_from_template("link", "Policy page")
    assert aid.source is not None
    for key in (aid.id, str(aid.source.path), f"mine/{aid.source.relpath}", "policy page"):
        assert store.find(key).source == aid.source


def test_files_honour_the_umask_and_copies_keep_the_original_mode(store: LibraryStore) -> None:
    """New files were 0644 under umask 077, and the history and trash copies of a 0600 aid
    were 0644: readable by everyone on a shared machine."""
    old_mask = os.umask(0o077)
    try:
        aid = store.new_from_template("checklist", "Payroll run")
        assert aid.source is not None
        path = aid.source.path
        assert path.stat().st_mode & 0o777 == 0o600
        saved = store.save_text(aid, path.read_text() + "\n- [ ] Check the totals\n")
        (version,) = store.history.versions(saved.id)
        assert version.path.stat().st_mode & 0o777 == 0o600
        entry = store.delete_aid(saved)
        assert entry.file.stat().st_mode & 0o777 == 0o600
    finally:
        os.umask(old_mask)
    restored = store.restore(entry.entry_id)  # under the usual umask: keeps its 0600
    assert restored.stat().st_mode & 0o777 == 0o600
    usual = os.umask(0)
    os.umask(usual)
    shared = store.new_from_template("checklist", "Open the shop")
    assert shared.source is not None
    assert shared.source.path.stat().st_mode & 0o777 == 0o666 & ~usual


def test_leftovers_of_dead_writers_are_cleaned_and_nothing_else(store: LibraryStore) -> None:
    import os
    import subprocess
    import sys
    import time

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    library = store.paths.own_library
    (library / "unjam.md").write_text("# Unjam\n")
    now = time.time()
    files = {
        "dead-old": (f".unjam.md.{dead.pid}.k3j9x0qa.handrail-tmp", now - 120),
        "dead-young": (f".unjam.md.{dead.pid}.a1b2c3d4.handrail-tmp", now - 5),
        "alive-old": (f".unjam.md.{os.getpid()}.zzzz1111.handrail-tmp", now - 600),
        "alive-day-old": (f".unjam.md.{os.getpid()}.yyyy2222.handrail-tmp", now - 90000),
        "deleting": (f".gone.md.{dead.pid}.handrail-deleting", now - 120),
        "users-own": (".notes.md", now - 90000),
    }
    for name, mtime in files.values():
        (library / name).write_text(f"{name}\n")
        os.utime(library / name, (mtime, mtime))
    cleaned = store.clean_leftovers(now=now)
    left = {p.name for p in library.iterdir()}
    assert left == {"unjam.md", files["dead-young"][0], files["alive-old"][0], ".notes.md"}
    assert sorted(p.name for p in cleaned.removed) == sorted(
        [files["dead-old"][0], files["alive-day-old"][0]])
    # The half-done delete is finished: the file is in the trash under its own name.
    [entry] = store.trash.entries()
    assert entry.original == library / "gone.md"
    assert entry.file.read_text() == f"{files['deleting'][0]}\n"
