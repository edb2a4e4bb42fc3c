"""Snippets: the line of an aid that best matches the query, with the matched words marked."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from .analysis import fold, stem_word

_TOKEN = re.compile(r"\w+")
_URL = re.compile(r"<?https?://\S+")
MAX_CHARS = 180
MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"


def term_matcher(terms: set[str], prefix: str | None) -> Callable[[str], bool]:
    def matches(token: str) -> bool:
        folded = fold(token)
        if folded in terms or stem_word(folded) in terms:
            return True
        return bool(prefix) and folded.startswith(prefix or "")
    return matches


def make_snippet(body: str, matches: Callable[[str], bool], skip: str = "",
                 probes: tuple[str, ...] = ()) -> str:
    """HTML-escaped text of the best line, matched words wrapped in ``<mark>``.

    ``probes`` are lowercase strings a matching line must contain one of (the stems and the
    prefix): a cheap test that skips tokenising lines that cannot match.
    """
    best: tuple[int, int, str, list[tuple[int, int]]] | None = None
    for number, raw in enumerate(body.splitlines()):
        if probes and best is not None:
            lowered = raw.lower()
            if not any(probe in lowered for probe in probes):
                continue
        line = _URL.sub("", raw).strip().lstrip("#>-*0123456789. ").strip()
        if not line or line == skip or line.startswith(("```", "~~~", "---")):
            continue
        spans = [(m.start(), m.end()) for m in _TOKEN.finditer(line) if matches(m.group())]
        distinct = len({fold(line[a:b]) for a, b in spans})
        key = (distinct, -number)
        if best is None or key > (best[0], best[1]):
            best = (distinct, -number, line, spans)
        if distinct >= 3:
            break
    if best is None:
        return ""
    _, _, line, spans = best
    start = 0
    if spans and spans[0][0] > MAX_CHARS // 3 and len(line) > MAX_CHARS:
        start = max(0, spans[0][0] - MAX_CHARS // 3)
    end = min(len(line), start + MAX_CHARS)
    pieces: list[str] = ["…" if start else ""]
    position = start
    for a, b in spans:
        if a < start or b > end:
            continue
        pieces.append(html.escape(line[position:a], quote=False))
        pieces.append(MARK_OPEN + html.escape(line[a:b], quote=False) + MARK_CLOSE)
        position = b
    pieces.append(html.escape(line[position:end], quote=False))
    if end < len(line):
        pieces.append("…")
    return "".join(pieces)
