"""An in-memory vocabulary of the index: fast prefix completion and typo correction.

Whoosh's own prefix and fuzzy queries walk the term dictionary on every keystroke; this keeps the
terms of the searchable fields in one sorted list with their document frequencies, so a prefix is
a bisect plus a top-K, and a typo is one C-speed pass (rapidfuzz) over the terms that share its
first letter. Two swapped letters count as one edit (optimal string alignment distance).
"""

from __future__ import annotations

import bisect
import heapq
from collections import defaultdict
from collections.abc import Iterable

from rapidfuzz import process
from rapidfuzz.distance import OSA

PREFIX_CACHE_SIZE = 5_000


def max_typos(word: str) -> int:
    """Edits forgiven for a word of this length: none for short words, then 1, then 2."""
    if len(word) <= 3:
        return 0
    return 1 if len(word) <= 6 else 2


class Vocabulary:
    def __init__(self) -> None:
        self._freq: dict[str, int] = {}
        self._sorted: list[str] = []
        self._by_initial: dict[str, list[str]] = {}
        self._dirty = False
        self._prefix_cache: dict[tuple[str, int], list[str]] = {}

    def forget_completions(self) -> None:
        self._prefix_cache.clear()

    def __len__(self) -> int:
        return len(self._freq)

    def add(self, terms: Iterable[tuple[str, int]]) -> None:
        """Add terms with document frequencies (summed when a term is seen again)."""
        freq = self._freq
        for term, count in terms:
            freq[term] = freq.get(term, 0) + count
        self._dirty = True
        self._prefix_cache.clear()

    def _refresh(self) -> None:
        if not self._dirty:
            return
        self._sorted = sorted(self._freq)
        groups: dict[str, list[str]] = defaultdict(list)
        for term in self._sorted:
            groups[term[0]].append(term)
        self._by_initial = dict(groups)
        self._dirty = False

    def items(self) -> Iterable[tuple[str, int]]:
        return self._freq.items()

    def frequency(self, term: str) -> int:
        return self._freq.get(term, 0)

    def completions(self, prefix: str, limit: int) -> list[str]:
        """The ``limit`` most frequent terms that start with ``prefix``."""
        key = (prefix, limit)
        cached = self._prefix_cache.get(key)
        if cached is not None:
            return cached
        self._refresh()
        start = bisect.bisect_left(self._sorted, prefix)
        end = bisect.bisect_left(self._sorted, prefix + "\U0010ffff", start)
        span = self._sorted[start:end]
        freq = self._freq
        result = span if len(span) <= limit else heapq.nlargest(limit, span, key=freq.__getitem__)
        if len(self._prefix_cache) >= PREFIX_CACHE_SIZE:
            self._prefix_cache.clear()  # bounded: memory must not grow over days of typing
        self._prefix_cache[key] = result
        return result

    def corrections(self, word: str, limit: int = 3, *, also: str | None = None) -> list[str]:
        """Known terms within the forgiven number of edits, closest and most frequent first.

        ``also`` is another form to try (the stem of ``word``: "hotky" is two edits from the
        indexed "hotkei" but its stem "hotki" is one).
        """
        distance = max_typos(word)
        if distance == 0 or not word:
            return []
        self._refresh()
        candidates = self._by_initial.get(word[0], [])
        if len(word) > 1 and word[1] != word[0]:
            # A swap of the first two letters changes the initial.
            candidates = candidates + self._by_initial.get(word[1], [])
        freq = self._freq
        best: dict[str, float] = {}
        for form in {word, also or word}:
            for term, score, _ in process.extract(form, candidates, scorer=OSA.distance,
                                                  score_cutoff=distance, limit=50):
                if term not in (word, also):
                    best[term] = min(score, best.get(term, score))
        ranked = sorted((score, -freq.get(term, 0), term) for term, score in best.items())
        return [term for _, _, term in ranked[:limit]]
