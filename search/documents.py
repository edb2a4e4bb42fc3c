"""Turning a job aid into the fields the index stores and searches.

Every word of an aid goes into one ``content`` field, weighted by where it stood: a word in the
title counts as much as eight in the body. This is BM25F: field weights applied to term
frequencies before BM25 saturates them. One field instead of six means one posting list per word,
which makes both building the index and every keystroke's query several times cheaper in Whoosh.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from itertools import chain
from typing import Any

from job_aids import JobAid
from job_aids.model import parse_date

from .analysis import WeightedTerms, analyze, stemmed_terms

# Weight of one occurrence of a word, by where it stands in the aid.
ZONE_WEIGHTS: dict[str, float] = {
    "title": 8.0, "tags": 5.0, "summary": 3.0, "headings": 2.0, "code": 1.5, "body": 1.0,
}

_FENCED = re.compile(r"^(```|~~~)[^\n]*\n(.*?)^\1[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`([^`\n]+)`")
# A heading as the renderer reads one (job_aids/model.py says why a line scanner reads it here).
_HEADING = re.compile(r"^#{1,6}(?!#)[ \t]*(\S.*?)[ \t#]*$", re.MULTILINE)
_URL = re.compile(r"<?https?://\S+")
_WORD = re.compile(r"\w+")
# A letter in brackets inside a word marks a mnemonic ("E[x]tract", tldr-pages' style).
_MNEMONIC = re.compile(r"(?<=\w)\[(\w)\]|\[(\w)\](?=\w)")


def join_mnemonics(text: str) -> str:
    """ "E[x]tract" -> "Extract": the word as it is searched and shown in snippets."""
    return _MNEMONIC.sub(r"\1\2", text)


def stamp_of(mtime_ns: int, size: int) -> str:
    return f"{mtime_ns}:{size}"


def split_zones(aid: JobAid) -> dict[str, str]:
    """The aid's text by zone; each piece of text is in exactly one zone. URLs are left out.

    Each pattern runs only on text that has the character it needs (most aids have no fenced
    code; a big build spends a tenth of its time here).
    """
    body = join_mnemonics(aid.body) if "[" in aid.body else aid.body
    code: list[str] = []
    prose = body
    if "```" in body or "~~~" in body:
        code = [match.group(2) for match in _FENCED.finditer(body)]
        prose = _FENCED.sub("", body)
    if "`" in prose:
        code += _INLINE_CODE.findall(prose)
        prose = _INLINE_CODE.sub(" ", prose)
    title = aid.title
    headings: list[str] = []
    if "#" in prose:
        headings = [h for h in _HEADING.findall(prose) if h.strip() != title]
        prose = _HEADING.sub(" ", prose)
    prose = _without_urls(prose)
    summary = aid.summary
    if summary and "summary" not in aid.meta:
        prose = prose.replace(summary, " ", 1)  # it was taken from the first paragraph
    return {"title": title, "tags": " ".join(aid.tags), "summary": _without_urls(summary),
            "full_summary": summary,
            "headings": "\n".join(headings), "code": _without_urls("\n".join(code)),
            "body": prose}


def _without_urls(text: str) -> str:
    return _URL.sub(" ", text) if "://" in text else text


# What a word in each zone weighs beyond the 1 of a word in the body, doubled, so that every
# one is a whole number of repetitions.
_EXTRA_REPEATS = {zone: int(weight * 2) - 2 for zone, weight in ZONE_WEIGHTS.items()}
assert all(_EXTRA_REPEATS[zone] + 2 == weight * 2 for zone, weight in ZONE_WEIGHTS.items())


def weighted_terms(zones: dict[str, str]) -> WeightedTerms:
    """The terms of all zones, weighted by zone.

    Counted in C: all terms once, and the terms of the weightier zones repeated by their extra
    weight; analysis is cached per word.
    """
    plain: list[str] = []
    extra: list[str] = []
    for zone, repeats in _EXTRA_REPEATS.items():
        text = zones[zone]
        if text:
            terms = list(chain.from_iterable(map(stemmed_terms, _WORD.findall(text))))
            plain += terms
            if repeats:
                extra += terms * repeats
    return WeightedTerms(Counter(plain), Counter(extra))


TITLE_ONLY = "title:any-app"  # the term of aids with an entry for a window title in any app


def aid_fields(aid: JobAid) -> dict[str, Any]:
    """The index document for an aid that has a source file."""
    assert aid.source is not None
    zones = split_zones(aid)
    summary = zones.pop("full_summary")
    apps = aid.apps
    review_by = aid.review_by
    return {
        "id": aid.id,
        "path": str(aid.source.path),
        "collection": aid.source.collection,
        "kind": aid.kind,
        "title": analyze(zones["title"]),
        "_stored_title": zones["title"],
        "summary": summary,
        "content": weighted_terms(zones),
        "tags": _keywords(aid.tags),
        # An entry with a title pattern and no application shows in any application's window
        # of that title: its documents carry a marker term, to be found by the "For" list.
        "apps": _keywords([*(m.app for m in apps if m.app),
                           *([TITLE_ONLY] if any(m.patterns and not m.app for m in apps)
                             else [])]),
        # Each entry as "app<TAB>title<TAB>document<TAB>url patterns": all given must match.
        "app_titles": "\n".join("\t".join([(m.app or "").lower(), m.title or "",
                                           m.document or "", m.url or ""]) for m in apps),
        "review_by": review_by.isoformat() if review_by else "",
        # Shown and filtered on in the Library window, as the author wrote them.
        "tag_names": "\n".join(aid.tags),
        "app_names": "\n".join(dict.fromkeys(m.app for m in apps if m.app)),
        "owner": aid.owner or "",
        "updated": _iso_date(aid.meta.get("updated")),
        "created": _iso_date(aid.meta.get("created")),
        "derived_from": str(aid.meta.get("derived_from") or ""),
    }


def _iso_date(value: object) -> str:
    date = parse_date(value)
    return date.isoformat() if date else ""


def keyword(value: str) -> str:
    """A tag or application name as the index keeps it: lower case, spaces as dashes."""
    return value.strip().lower().replace(" ", "-")


def _keywords(values: Iterable[str]) -> str:
    return " ".join(keyword(value) for value in values if value.strip())
