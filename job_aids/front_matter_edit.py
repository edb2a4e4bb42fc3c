"""Changing one front-matter key in an aid's text, leaving every other byte as the author wrote it.

The editor's form writes through here: a key's own lines (``tags: [a, b]``, or ``experts:`` and
the indented entries under it) are replaced by the new value, and nothing else moves: no
re-serialised YAML, no anchors, other keys and comments untouched. A list is written in the
style the author already used for it (``[a, b]``, ``- a`` lines, or ``a, b``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .model import Expert
from .templates import front_matter_line

_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")


def _front_matter(text: str) -> tuple[int, int] | None:
    """The offsets of the front matter's lines (after ``---``, before the closing line)."""
    if not text.startswith(("---\n", "---\r\n")):
        return None
    start = text.index("\n") + 1
    position = start
    while position <= len(text):
        end = text.find("\n", position)
        line = text[position:end if end >= 0 else len(text)].rstrip("\r")
        if line in ("---", "..."):
            return start, position
        if end < 0:
            return None
        position = end + 1
    return None


def _lines(text: str, start: int, end: int) -> list[tuple[int, str]]:
    """(offset, line with its newline) for each line in text[start:end]."""
    found = []
    position = start
    while position < end:
        stop = text.find("\n", position, end)
        stop = end if stop < 0 else stop + 1
        found.append((position, text[position:stop]))
        position = stop
    return found


def key_span(text: str, key: str) -> tuple[int, int] | None:
    """Where ``key``'s lines are: its own line and the indented or ``-`` lines under it."""
    bounds = _front_matter(text)
    if bounds is None:
        return None
    lines = _lines(text, *bounds)
    for number, (offset, line) in enumerate(lines):
        match = _KEY.match(line)
        if match and match.group(1) == key:
            end = offset + len(line)
            for later_offset, later in lines[number + 1:]:
                if later.strip() and not later[0].isspace() and not later.startswith("-"):
                    break
                if not later.strip():
                    break
                end = later_offset + len(later)
            return offset, end
    return None


def current_value_text(text: str, key: str) -> str:
    span = key_span(text, key)
    return text[span[0]:span[1]] if span else ""


def set_field(text: str, key: str, lines: str | None) -> str:
    """The text with ``key``'s lines replaced by ``lines`` (YAML without a final newline);
    None removes the key; a key not there yet goes last in the front matter (a text without
    front matter gets one)."""
    newline = "\r\n" if text.startswith("---\r\n") else "\n"
    new = "" if lines is None else lines.replace("\n", newline) + newline
    span = key_span(text, key)
    if span is not None:
        return text[:span[0]] + new + text[span[1]:]
    if lines is None:
        return text
    bounds = _front_matter(text)
    if bounds is None:
        return f"---{newline}{new}---{newline}{text}"
    close = bounds[1]
    if close > 0 and text[close - 1] != "\n":  # front matter closes without a final newline
        new = newline + new
    return text[:close] + new + text[close:]


def scalar_lines(key: str, value: str) -> str | None:
    return front_matter_line(key, value) if value.strip() else None


def list_lines(text: str, key: str, values: Sequence[str]) -> str | None:
    """``values`` as ``key``'s lines, in the style the text already uses for it."""
    if not values:
        return None
    existing = current_value_text(text, key)
    after = existing.split("\n", 1)[0].partition(":")[2].strip()
    if existing and not after:  # block style: "tags:" then "  - a" lines
        indent = re.search(r"\n(\s*)-", existing)
        pad = indent.group(1) if indent else "  "
        return f"{key}:" + "".join(f"\n{pad}- {front_matter_line('x', v)[3:]}" for v in values)
    if after and not after.startswith("["):  # "tags: a, b"
        joined = front_matter_line(key, ", ".join(values))
        return joined
    return front_matter_line(key, list(values))


def experts_lines(experts: Sequence[Expert]) -> str | None:
    if not experts:
        return None
    lines = ["experts:"]
    for expert in experts:
        lines.append(f"  - name: {front_matter_line('x', expert.name)[3:]}")
        if expert.contact:
            lines.append(f"    contact: {front_matter_line('x', expert.contact)[3:]}")
    return "\n".join(lines)


_EXPERT_TEXT = re.compile(r"^\s*(?P<name>[^<]*?)\s*(?:<(?P<contact>[^>]*)>)?\s*$")


def experts_from_text(typed: str) -> list[Expert]:
    """``Facilities desk <tel:+15550100>; Ana <mailto:ana@example.com>`` as entries."""
    experts = []
    for part in typed.split(";"):
        match = _EXPERT_TEXT.match(part)
        if match and (match.group("name") or match.group("contact")):
            contact = (match.group("contact") or "").strip()
            experts.append(Expert(match.group("name") or contact, contact))
    return experts


def experts_to_text(experts: Sequence[Expert]) -> str:
    return "; ".join(f"{e.name} <{e.contact}>" if e.contact else e.name for e in experts)
