"""Three-way merges of an aid: two versions that changed the same base are merged when their
edits do not overlap, and refused (None) when they do; the caller then keeps both.

The body is merged line by line (a diff3 over :class:`difflib.SequenceMatcher`); the front matter
key by key, each key's lines as the author wrote them. Nothing is ever patched fuzzily: an edit
lands only where its surroundings are exactly as they were in the base.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


@dataclass(frozen=True)
class _Stable:
    """A stretch the base, mine and theirs all hold unchanged: base[base:base_end] equals
    mine[mine:mine + length] and theirs[theirs:theirs + length]."""

    base: int
    base_end: int
    mine: int
    theirs: int


def _stable_stretches(base: Sequence[str], mine: Sequence[str], theirs: Sequence[str]
                      ) -> list[_Stable]:
    """Where both sides left the base alone, in order, ending with an empty stretch at the
    ends of all three."""
    ours = difflib.SequenceMatcher(None, base, mine, autojunk=False).get_matching_blocks()
    others = difflib.SequenceMatcher(None, base, theirs, autojunk=False).get_matching_blocks()
    stretches = []
    i = j = 0
    while i < len(ours) and j < len(others):
        our_base, our_at, our_len = ours[i]
        other_base, other_at, other_len = others[j]
        start = max(our_base, other_base)
        end = min(our_base + our_len, other_base + other_len)
        if start < end:
            stretches.append(_Stable(start, end, our_at + start - our_base,
                                     other_at + start - other_base))
        if our_base + our_len < other_base + other_len:
            i += 1
        else:
            j += 1
    stretches.append(_Stable(len(base), len(base), len(mine), len(theirs)))
    return stretches


def merge_lines(base: Sequence[str], mine: Sequence[str], theirs: Sequence[str]
                ) -> list[str] | None:
    """The lines with both sides' edits, or None where they overlap."""
    merged: list[str] = []
    at_base = at_mine = at_theirs = 0
    for stable in _stable_stretches(base, mine, theirs):
        was = list(base[at_base:stable.base])
        ours = list(mine[at_mine:stable.mine])
        others = list(theirs[at_theirs:stable.theirs])
        if ours == others or others == was:
            merged += ours
        elif ours == was:
            merged += others
        else:
            return None  # both changed this stretch, differently
        length = stable.base_end - stable.base
        merged += base[stable.base:stable.base_end]
        at_base = stable.base_end
        at_mine = stable.mine + length
        at_theirs = stable.theirs + length
    return merged


def _split(text: str) -> tuple[list[str] | None, str]:
    """(front matter lines without the fences, or None; the body)."""
    if not text.startswith("---\n"):
        return None, text
    end = text.find("\n---\n", 3)
    if end < 0:
        if text.endswith("\n---"):
            return text[4:-4].split("\n") if len(text) > 8 else [], ""
        return None, text
    inner = text[4:end]
    return (inner.split("\n") if inner else []), text[end + 5:]


def _keys(lines: list[str]) -> list[tuple[str, list[str]]] | None:
    """Each top-level key with its lines (continuations included); None if a line belongs to
    no key (a comment or text at the top: merged as plain lines instead)."""
    keys: list[tuple[str, list[str]]] = []
    for line in lines:
        match = _KEY.match(line)
        if match:
            keys.append((match.group(1), [line]))
        elif keys and (not line or line[0] in " \t-#"):
            keys[-1][1].append(line)
        else:
            return None
    names = [name for name, _ in keys]
    return keys if len(names) == len(set(names)) else None


def _merge_front_matter(base: list[str], mine: list[str], theirs: list[str]
                        ) -> list[str] | None:
    base_keys, my_keys, their_keys = _keys(base), _keys(mine), _keys(theirs)
    if base_keys is None or my_keys is None or their_keys is None:
        return merge_lines(base, mine, theirs)
    was, ours, others = dict(base_keys), dict(my_keys), dict(their_keys)
    order = [name for name, _ in my_keys] + [n for n, _ in their_keys if n not in ours]
    merged: list[str] = []
    for name in order:
        before, mine_now, theirs_now = was.get(name), ours.get(name), others.get(name)
        if mine_now == theirs_now or theirs_now == before:
            chosen = mine_now
        elif mine_now == before:
            chosen = theirs_now
        else:
            return None  # both changed this key, differently
        if chosen is not None:
            merged += chosen
    return merged


def merge_texts(base: str, mine: str, theirs: str) -> str | None:
    """The aid with both sides' edits (the front matter key by key, the body line by line), or
    None when they overlap. A side equal to the base yields the other side, byte for byte."""
    if mine == theirs or theirs == base:
        return mine
    if mine == base:
        return theirs
    base_head, base_body = _split(base)
    my_head, my_body = _split(mine)
    their_head, their_body = _split(theirs)
    if (base_head is None) != (my_head is None) or (base_head is None) != (their_head is None):
        lines = merge_lines(base.split("\n"), mine.split("\n"), theirs.split("\n"))
        return "\n".join(lines) if lines is not None else None
    body = merge_lines(base_body.split("\n"), my_body.split("\n"), their_body.split("\n"))
    if body is None:
        return None
    if base_head is None or my_head is None or their_head is None:
        return "\n".join(body)
    head = _merge_front_matter(base_head, my_head, their_head)
    if head is None:
        return None
    return "---\n" + "".join(line + "\n" for line in head) + "---\n" + "\n".join(body)
