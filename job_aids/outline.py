"""An aid's Markdown as blocks (headings, steps, code, warnings, tables, prose), read by the same
parser, with the same extensions, that renders it: what the pinned view ticks off and what the
aid window shows can no longer disagree (an indented code block, a list inside a warning, a
``~~~`` fence, a step continued on the next line).

The blocks come from Python-Markdown's block parser before its inline pass, so a step keeps its
inline Markdown as the author wrote it ("Hold **FEED**"): the pinned view styles it, and ticks
are kept by that text.
"""

from __future__ import annotations

import html
import re
import threading
import xml.etree.ElementTree as etree
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import markdown

from .plain import plain_line

BlockKind = Literal["heading", "step", "code", "callout", "table", "paragraph"]

_TASK = re.compile(r"^\[( |x|X)\]\s+")
_STASHED = re.compile("\x02wzxhzdk:(\\d+)\x03")
_CODE_HTML = re.compile(r'<pre[^>]*><code(?: class="language-([^"]*)")?[^>]*>(.*?)</code></pre>',
                        re.DOTALL)
WARNING_KINDS = ("warning", "caution", "danger", "attention", "important")


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str
    level: int = 0         # a heading's level; a step's nesting depth (0 at the top)
    language: str = ""     # a code block's language
    callout: str = ""      # a callout's kind (warning, note, ...)
    ticked: bool = False   # a task-list step written as "- [x]"
    ordered: bool = False  # a numbered step (else a task-list item)


_local = threading.local()  # a Markdown instance is not safe to share between threads


def _parser() -> markdown.Markdown:
    md = getattr(_local, "md", None)
    if md is None:
        md = markdown.Markdown(extensions=["tables", "fenced_code", "admonition", "sane_lists"])
        _local.md = md
    return md


def outline(body: str) -> list[Block]:
    """The body's blocks in reading order."""
    md = _parser()
    md.reset()
    lines = body.replace("\r\n", "\n").split("\n")
    for preprocessor in md.preprocessors:
        lines = preprocessor.run(lines)
    root = md.parser.parseDocument(lines).getroot()
    stash: list[object] = [str(block) for block in md.htmlStash.rawHtmlBlocks]
    return list(_walk(root, stash, 0)) if root is not None else []


def _text(element: etree.Element) -> str:
    """An element's raw text (inline Markdown as written), on one line."""
    return " ".join("".join(element.itertext()).split())


def _walk(parent: etree.Element, stash: list[object], depth: int) -> Iterator[Block]:
    for element in parent:
        tag = element.tag
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            yield Block("heading", _text(element), level=int(tag[1]))
        elif tag in ("ol", "ul"):
            yield from _items(element, stash, depth, ordered=tag == "ol")
        elif tag == "pre":
            code = element.find("code")
            yield Block("code", (code.text if code is not None and code.text else "")
                        .rstrip("\n"))
        elif tag == "div" and "admonition" in (element.get("class") or "").split():
            kinds = [c for c in (element.get("class") or "").split() if c != "admonition"]
            title = element.find("p")
            said = [plain_line(_text(child)) for child in element if child is not title]
            heading = plain_line(_text(title)) if title is not None else ""
            if kinds and heading == kinds[0].capitalize():
                heading = ""  # "!!! note" alone: the parser's default title, not the author's
            words = " ".join(part for part in said if part)
            yield Block("callout", f"{heading}: {words}" if heading and words
                        else heading or words
                        or (kinds[0].capitalize() if kinds else "Note"),
                        callout=(kinds[0] if kinds else "note").lower())
        elif tag == "table":
            yield Block("table", " ".join(_text(cell) for cell in element.iter()
                                          if cell.tag in ("th", "td")))
        elif tag == "blockquote" or tag == "div":
            yield from _walk(element, stash, depth)
        elif tag == "p":
            yield from _paragraph(element, stash)


def _paragraph(element: etree.Element, stash: list[object]) -> Iterator[Block]:
    text = element.text or ""
    stashed = _STASHED.fullmatch(text.strip())
    if stashed and int(stashed.group(1)) < len(stash):
        found = _CODE_HTML.search(str(stash[int(stashed.group(1))]))
        if found:  # a fenced block: the fence extension keeps it rendered in the stash
            yield Block("code", html.unescape(found.group(2)).rstrip("\n"),
                        language=found.group(1) or "")
            return
    if _text(element):
        yield Block("paragraph", _text(element))


def _items(listing: etree.Element, stash: list[object], depth: int, *, ordered: bool
           ) -> Iterator[Block]:
    for item in listing:
        if item.tag != "li":
            continue
        # A loose list puts an item's words in a <p>; what follows them is nested.
        words = item.text or ""
        nested: list[etree.Element] = []
        for child in item:
            if child.tag == "p" and not nested and not words.strip():
                words = "".join(child.itertext())
            else:
                nested.append(child)
        text = " ".join(words.split())
        task = _TASK.match(text)
        if task:
            yield Block("step", text[task.end():], level=depth, ticked=task.group(1) != " ")
        elif ordered and text:
            yield Block("step", text, level=depth, ordered=True)
        elif text:
            yield Block("paragraph", text)
        for child in nested:
            holder = etree.Element("div")
            holder.append(child)
            yield from _walk(holder, stash, depth + 1)
