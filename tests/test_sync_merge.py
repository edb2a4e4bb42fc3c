"""Three-way merges: edits that do not overlap both land, byte for byte; overlapping ones are
refused (the sync then keeps both versions); the front matter merges key by key."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from sync.merge import merge_lines, merge_texts

BASE = """\
---
id: 6b0c1f0e-1111-4222-8333-444455556666
title: Count the till
tags: [cash, till]
owner: shop@example.com
---
# Count the till

1. Count the notes
2. Count the coins
3. Write the total down
4. Sign the sheet
"""


def test_one_side_changed_gives_that_side_byte_for_byte() -> None:
    mine = BASE.replace("Count the coins", "Count the coins twice")
    assert merge_texts(BASE, mine, BASE) == mine
    assert merge_texts(BASE, BASE, mine) == mine
    assert merge_texts(BASE, mine, mine) == mine


def test_edits_to_different_steps_and_different_keys_both_land() -> None:
    mine = BASE.replace("1. Count the notes", "1. Count the notes by value").replace(
        "tags: [cash, till]", "tags: [cash, till, closing]")
    theirs = BASE.replace("4. Sign the sheet", "4. Sign the sheet and file it").replace(
        "title: Count the till", "title: Count the till at closing")
    merged = merge_texts(BASE, mine, theirs)
    assert merged == BASE.replace("1. Count the notes", "1. Count the notes by value").replace(
        "tags: [cash, till]", "tags: [cash, till, closing]").replace(
        "4. Sign the sheet", "4. Sign the sheet and file it").replace(
        "title: Count the till", "title: Count the till at closing")


def test_a_key_added_on_each_side_and_one_removed() -> None:
    mine = BASE.replace("owner: shop@example.com\n", "")  # removed here
    theirs = BASE.replace("---\n# Count", "review_by: 2027-01-31\n---\n# Count")
    merged = merge_texts(BASE, mine, theirs)
    assert merged is not None
    assert "owner:" not in merged and "review_by: 2027-01-31\n---\n" in merged


def test_the_same_step_changed_two_ways_is_refused() -> None:
    mine = BASE.replace("2. Count the coins", "2. Count the coins by hand")
    theirs = BASE.replace("2. Count the coins", "2. Weigh the coins")
    assert merge_texts(BASE, mine, theirs) is None
    mine_key = BASE.replace("owner: shop@example.com", "owner: ana@example.com")
    theirs_key = BASE.replace("owner: shop@example.com", "owner: bo@example.com")
    assert merge_texts(BASE, mine_key, theirs_key) is None


def test_an_edit_beside_a_deleted_stretch_with_a_line_between() -> None:
    mine = BASE.replace("1. Count the notes\n", "")
    theirs = BASE.replace("3. Write the total down", "3. Write the total in the book")
    merged = merge_texts(BASE, mine, theirs)
    assert merged == BASE.replace("1. Count the notes\n", "").replace(
        "3. Write the total down", "3. Write the total in the book")


# Lines that are all different, so where an edit goes is never ambiguous.
_LINES = st.lists(st.integers(0, 10_000), min_size=4, max_size=30, unique=True).map(
    lambda numbers: [f"line {n}" for n in numbers])
_EDIT = st.lists(st.text(alphabet="abcxyz ", min_size=1, max_size=8), max_size=3).map(
    lambda words: [f"new {w}" for w in words])


@settings(max_examples=300, deadline=None)
@given(base=_LINES, data=st.data())
def test_edits_with_an_unchanged_line_between_always_merge(base: list[str],
                                                           data: st.DataObject) -> None:
    """Mine replaces one stretch, theirs a later one, with at least one line between that
    neither touched: the merge holds both edits and every other line as it was."""
    cut = data.draw(st.integers(1, len(base) - 3))
    a_start = data.draw(st.integers(0, cut - 1))
    a_end = data.draw(st.integers(a_start, cut - 1))
    b_start = data.draw(st.integers(cut + 1, len(base) - 1))
    b_end = data.draw(st.integers(b_start, len(base)))
    mine_new, theirs_new = data.draw(_EDIT), data.draw(_EDIT)
    mine = base[:a_start] + mine_new + base[a_end:]
    theirs = base[:b_start] + theirs_new + base[b_end:]
    expected = base[:a_start] + mine_new + base[a_end:b_start] + theirs_new + base[b_end:]
    assert merge_lines(base, mine, theirs) == expected
    assert merge_lines(base, theirs, mine) == expected  # the same either way round


@settings(max_examples=300, deadline=None)
@given(base=_LINES, mine_edit=_EDIT, theirs_edit=_EDIT, data=st.data())
def test_a_merge_never_loses_or_invents_a_line(base: list[str], mine_edit: list[str],
                                                theirs_edit: list[str],
                                                data: st.DataObject) -> None:
    """Whatever the edits, a merge either is refused, or every line in it comes from one of
    the three versions and every line both sides kept is still there."""
    at_mine = data.draw(st.integers(0, len(base)))
    at_theirs = data.draw(st.integers(0, len(base)))
    mine = base[:at_mine] + mine_edit + base[at_mine + 1:]
    theirs = base[:at_theirs] + theirs_edit + base[at_theirs + 1:]
    merged = merge_lines(base, mine, theirs)
    if merged is None:
        return
    assert set(merged) <= set(base) | set(mine) | set(theirs)
    kept_by_both = set(mine) & set(theirs) & set(base)
    assert kept_by_both <= set(merged)
    assert set(mine_edit) - set(base) <= set(merged) or set(mine_edit) <= set(theirs_edit)
    assert set(theirs_edit) - set(base) <= set(merged) or set(theirs_edit) <= set(mine_edit)
