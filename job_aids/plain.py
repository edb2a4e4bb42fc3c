"""One line of an aid's Markdown as the words a reader sees: for summaries and snippets, which
showed the source (``!!! warning "Hot parts"``, ``[[Write a good job aid]]``, ``**Post**``)."""

from __future__ import annotations

import re

_ADMONITION = re.compile(r"^[!?]{3}\+?\s*(\w+)(?:\s+\"([^\"]*)\")?\s*$")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_WIKI = re.compile(r"\[\[([^\]|]+)(?:\|([^\]]+))?\]\]")
_TASK = re.compile(r"^\s*(?:[-*+]|\d+[.)])?\s*\[[ xX]\]\s+")
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")
_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_EMPHASIS = re.compile(r"(\*\*|\*|~~|`+)(?=\S)(.+?)(?<=\S)\1"
                       r"|(?<!\w)(__|_)(?=\S)(.+?)(?<=\S)\3(?!\w)")  # no snake_case
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}")


def plain_line(line: str) -> str:
    """``line`` without its Markdown: link and image text kept, marks and tags dropped."""
    text = line.strip()
    admonition = _ADMONITION.match(text)
    if admonition:
        kind, title = admonition.groups()
        return title.strip() if title else kind.capitalize()
    if _TABLE_RULE.match(text):
        return ""
    text = text.lstrip("> ").strip()
    text = _TASK.sub("", text)
    text = _BULLET.sub("", text)
    text = text.lstrip("#").strip()
    text = _IMAGE.sub(lambda m: m.group(1), text)
    text = _WIKI.sub(lambda m: m.group(2) or m.group(1), text)
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _TAG.sub("", text)
    for _ in range(2):  # **_nested_**
        text = _EMPHASIS.sub(lambda m: m.group(2) or m.group(4), text)
    if text.startswith("|") or text.endswith("|"):
        text = " · ".join(cell.strip() for cell in text.strip("|").split("|") if cell.strip())
    return " ".join(text.split())


def plain_text(body: str) -> str:
    """A whole aid body as plain text, for the clipboard: each line as :func:`plain_line`
    (numbered steps keep their numbers), code blocks as they are, one blank line at most."""
    lines: list[str] = []
    in_code = False
    for raw in body.splitlines():
        if raw.lstrip().startswith(("```", "~~~")):
            in_code = not in_code
            continue
        if in_code:
            lines.append(raw)
            continue
        number = re.match(r"^\s*(\d+)[.)]\s+", raw)
        line = plain_line(raw)
        if number and line:
            line = f"{number.group(1)}. {line}"
        if line or (lines and lines[-1]):
            lines.append(line)
    return "\n".join(lines).strip()
