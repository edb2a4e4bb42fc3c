"""Snippets: the line of an aid that best matches the query, with the matched words marked."""

from __future__ import annotations

import html
import re

from job_aids.plain import plain_line

from .analysis import fold, stem_word

_TOKEN = re.compile(r"\w+")
_URL = re.compile(r"<?https?://\S+")
MAX_CHARS = 180
MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"


class TermMatcher:
    """Which words of a text a query matched: its terms, their stems, or the typed prefix."""

    def __init__(self, terms: set[str], prefix: str | None) -> None:
        self._terms = terms
        self._prefix = prefix or ""
        probes = sorted(terms | ({self._prefix} if self._prefix else set()), key=len,
                        reverse=True)
        # Every matching word contains one of these (the terms are stems and prefixes of the
        # words they match): a regex finds the candidate words in C, so the Python test runs on
        # a few words per line, not on all. Folding may change non-ASCII words: then test all.
        self._candidates = _TOKEN
        if probes and all(p.isascii() for p in probes):
            alternatives = "|".join(re.escape(p) for p in probes)
            self._candidates = re.compile(rf"(?<!\w)\w*?(?:{alternatives})\w*", re.IGNORECASE)

    def matches(self, token: str) -> bool:
        folded = fold(token)
        if folded in self._terms or stem_word(folded) in self._terms:
            return True
        return bool(self._prefix) and folded.startswith(self._prefix)

    def spans(self, line: str) -> list[tuple[int, int]]:
        """Where the matched words of ``line`` are."""
        return [(m.start(), m.end()) for m in self._candidates.finditer(line)
                if self.matches(m.group())]

    def may_match(self, line: str) -> bool:
        return self._candidates is _TOKEN or self._candidates.search(line) is not None


def make_snippet(body: str, matcher: TermMatcher, skip: str = "") -> str:
    """HTML-escaped text of the best line, matched words wrapped in ``<mark>``."""
    best: tuple[int, int, str] | None = None
    for number, raw in enumerate(body.splitlines()):
        if best is not None and not matcher.may_match(raw):
            continue
        # Lines are scored as they are, cheaply; only the chosen one is made plain (the
        # regular expressions of plain_line cost a third of a keystroke on every line).
        line = _URL.sub("", raw).strip().lstrip("#>-*0123456789. ").strip()
        if not line or line == skip or line.startswith(("```", "~~~", "---")):
            continue
        distinct = len({fold(line[a:b]) for a, b in matcher.spans(line)})
        key = (distinct, -number)
        if best is None or key > (best[0], best[1]):
            best = (distinct, -number, raw)
        if distinct >= 3:
            break
    if best is None:
        return ""
    line = plain_line(_URL.sub("", best[2]))
    spans = matcher.spans(line)
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
