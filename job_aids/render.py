"""Markdown to sanitized HTML, and aids as readable plain text for the terminal.

The HTML is cleaned with nh3 (the Ammonia sanitizer) after rendering, so nothing an author or a
synced file writes can run script or reach an unsafe link scheme.
"""

from __future__ import annotations

import datetime as dt
import html as html_text
import re
import textwrap
from typing import Any
from urllib.parse import quote

import markdown
import nh3
from markdown.extensions.wikilinks import WikiLinkExtension, WikiLinksInlineProcessor

from .model import JobAid, Problem, contact_url

SAFE_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel", "handrail"})
AID_LINK_PREFIX = "handrail:aid/"

_TEXT_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt", "em",
    "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "kbd", "li", "mark", "ol", "p",
    "pre", "s", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
}
_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "input": {"checked", "disabled"},  # "type" is allowed by value below
    "td": {"align"},
    "th": {"align"},
    "ol": {"start"},
    **{f"h{level}": {"id"} for level in range(1, 7)},
    **{tag: {"class"} for tag in ("code", "div", "p", "li", "ul", "span", "pre")},
}


def _wikilink_url(label: str, base: str, end: str) -> str:
    return AID_LINK_PREFIX + quote(label.strip())


# Any title links, punctuation included ("[[Which kind of aid should I write?]]"): everything
# but brackets, a pipe and a line break. Python-Markdown's own pattern takes only \w, space, -.
WIKILINK = r"\[\[([^\[\]|\n]+?)\]\]"


def link_problems(text: str, known: set[str]) -> list[Problem]:
    """A ``[[link]]`` in ``text`` that names no aid (``known``: titles and ids, case-folded),
    with its line; links inside code are not links."""
    problems = []
    in_fence = False
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(r"^\s*(```|~~~)", line):
            in_fence = not in_fence
            continue
        if in_fence:
            continue
        for match in re.finditer(WIKILINK, re.sub(r"`[^`]*`", "", line)):
            name = match.group(1).strip()
            if name.casefold() not in known:
                problems.append(Problem(None, number, f"[[{name}]] links to no aid; check the "
                                        "title (type [[ to pick one)", "warning"))
    return problems


class _AnyTitleWikiLinks(WikiLinkExtension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - the base's name
        pattern = WikiLinksInlineProcessor(WIKILINK, self.getConfigs())
        pattern.md = md
        md.inlinePatterns.register(pattern, "wikilink", 75)


def _new_markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=["tables", "fenced_code", "toc", "admonition", "sane_lists",
                    "pymdownx.tasklist", _AnyTitleWikiLinks(build_url=_wikilink_url)],
        extension_configs={
            "pymdownx.tasklist": {"custom_checkbox": False, "clickable_checkbox": False},
            "toc": {"permalink": False},
        },
        output_format="html",
    )


def sanitize_html(html: str) -> str:
    """Keep safe markup only: no script, no event handlers, only safe link schemes."""
    return str(nh3.clean(
        html,
        tags=_TEXT_TAGS,
        clean_content_tags={"script", "style", "iframe", "object", "embed", "template"},
        attributes=_ATTRIBUTES,
        url_schemes=set(SAFE_URL_SCHEMES),
        tag_attribute_values={"input": {"type": {"checkbox"}}},
        link_rel="noopener noreferrer",
    ))


def render_markdown(text: str) -> str:
    """Render Markdown to sanitized HTML."""
    return sanitize_html(_new_markdown().convert(text))


_CHECKBOX = re.compile(r"<input(?=[^>]*type=\"checkbox\")([^>]*)>")


def _checkbox_glyph(match: re.Match[str]) -> str:
    return "\u2611 " if "checked" in match.group(1) else "\u2610 "


def render_aid_html(aid: JobAid, *, checkbox_glyphs: bool = False) -> str:
    """The aid's body as sanitized HTML (front matter is metadata, not content).

    ``checkbox_glyphs`` draws task-list boxes as ☐/☑ characters, for HTML views without forms
    (Qt's rich text).
    """
    html = render_markdown(aid.body)
    return _CHECKBOX.sub(_checkbox_glyph, html) if checkbox_glyphs else html


def aid_header_html(aid: JobAid, today: dt.date | None = None) -> str:
    """Who to ask and whether it is due for review, above the aid wherever it is shown: the
    stale mark ("Review due since …"), the owner, and each expert as a ``tel:``/``mailto:``
    link ("Ask: Facilities desk")."""
    parts = []
    if aid.is_stale(today) and aid.review_by is not None:
        parts.append(f'<p class="stale"><b>Review due since {aid.review_by.isoformat()}</b>: '
                     "check with the owner before relying on it.</p>")
    who = []
    if aid.owner:
        who.append(f"Owner: {html_text.escape(aid.owner)}")
    asks = []
    for expert in aid.experts:
        url = contact_url(expert.contact) if expert.contact else None
        name = html_text.escape(expert.name)
        asks.append(f'<a href="{html_text.escape(url, quote=True)}">{name}</a>' if url
                    else name)
    if asks:
        who.append("Ask: " + ", ".join(asks))
    if who:
        parts.append(f'<p class="people">{" · ".join(who)}</p>')
    return sanitize_html("".join(parts)) if parts else ""


def render_aid_text(aid: JobAid, width: int = 88) -> str:
    """The aid as readable terminal text: a header of its fields, then the body."""
    lines = [aid.title, "=" * min(len(aid.title), width)]
    fields: list[tuple[str, Any]] = [
        ("Kind", aid.kind), ("Summary", aid.meta.get("summary")),
        ("Tags", ", ".join(aid.tags)), ("Owner", aid.owner), ("Link", aid.url),
        ("Review by", aid.review_by.isoformat() if aid.review_by else None),
    ]
    if aid.source is not None:
        fields.append(("File", aid.source.path))
    for label, value in fields:
        if value:
            wrapped = textwrap.fill(str(value), width=width, initial_indent=f"{label}: ",
                                    subsequent_indent=" " * (len(label) + 2))
            lines.append(wrapped)
    for expert in aid.experts:
        lines.append(f"Ask: {expert.name}" + (f" ({expert.contact})" if expert.contact else ""))
    if aid.is_stale():
        lines.append("STALE: past its review date; check with the owner before relying on it.")
    lines.append("")
    body = aid.body.strip("\n")
    title_line = f"# {aid.title}"
    if body.startswith(title_line):
        body = body[len(title_line):].lstrip("\n")
    lines.append(body)
    for problem in aid.problems:
        lines.append(f"\n[{problem.severity}] line {problem.line}: {problem.message}")
    return "\n".join(lines).rstrip() + "\n"
