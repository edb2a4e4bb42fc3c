"""Evaluating a query over Whoosh's postings in bulk, instead of through its matcher tree.

Whoosh answers a query by walking a tree of Python matcher objects posting by posting; for the
as-you-type queries here (a few words AND the completions of the last one, plus a title bonus)
that walk cost most of every keystroke: ~8 method calls per posting of every common word. This
reads the same postings block by block into arrays (kept for the terms being typed), finds the
matching documents with set operations, which run in C, and scores only those, with Whoosh's own
BM25F formula and statistics, so the ranking is the same (a test compares the two).

It understands the queries the engine builds: ``Term`` on a scorable field, ``And``, ``Or``,
``AndMaybe`` and ``NullQuery``. :func:`can_evaluate` says whether a query is one of those; the
engine hands anything else to Whoosh.
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from typing import Any

from whoosh import query as wq
from whoosh.util.numeric import byte_to_length

from .whoosh_fence import (
    bm25_parameters,
    fast_path,
    field_lengths,
    forget_kept,
    kept_on,
    read_postings,
    segment_readers,
)

POSTINGS_KEPT = 150_000  # postings kept decoded per segment (about 1.2 MB)
_LENGTHS = [float(byte_to_length(b)) if b else 1.0 for b in range(256)]

Scores = dict[int, float]


def can_evaluate(query: wq.Query, searcher: Any) -> bool:
    """Whether :func:`top_documents` understands this query (never off the fast path: it
    reads Whoosh's postings behind the fence)."""
    return fast_path() and _understood(query, searcher)


def _understood(query: wq.Query, searcher: Any) -> bool:
    if isinstance(query, wq.Term):
        schema = searcher.schema
        return query.fieldname in schema and bool(schema[query.fieldname].scorable) and \
            bm25_parameters(searcher, query.fieldname) is not None
    if isinstance(query, (wq.And, wq.Or)):
        return type(query) in (wq.And, wq.Or) and all(_understood(q, searcher)
                                                         for q in query.subqueries)
    if isinstance(query, wq.AndMaybe):
        return _understood(query.a, searcher) and _understood(query.b, searcher)
    return query is wq.NullQuery


def top_documents(searcher: Any, query: wq.Query, limit: int,
                  allowed: set[int] | None = None) -> list[tuple[float, int]]:
    """The ``limit`` best (score, docnum) of ``query``, best first (ties: lower docnum first).

    ``allowed`` restricts the answer to these (global) document numbers (a filter).
    """
    best: list[tuple[float, int]] = []
    for leaf, offset in segment_readers(searcher):
        evaluator = _LeafEvaluator(searcher, leaf)
        docs = _live(leaf, offset, evaluator.docs(query), allowed)
        scores = evaluator.scores(query, docs)
        best += [(score, offset + doc) for doc, score in scores.items()]
    return heapq.nsmallest(limit, best, key=lambda item: (-item[0], item[1]))


def matches_any(searcher: Any, query: wq.Query, allowed: set[int] | None = None) -> bool:
    """Whether any live (and allowed) document matches ``query``."""
    for leaf, offset in segment_readers(searcher):
        docs = _live(leaf, offset, _LeafEvaluator(searcher, leaf).docs(query), allowed)
        if docs:
            return True
    return False


def _live(leaf: Any, offset: int, docs: set[int], allowed: set[int] | None) -> set[int]:
    if docs and leaf.has_deletions():
        docs -= leaf.deleted_docs_set  # a cached frozenset
    if docs and allowed is not None:
        docs = {d for d in docs if d + offset in allowed}
    return docs


def forget_postings(searcher: Any) -> None:
    """Drop the postings kept decoded by a searcher's segment readers."""
    forget_kept(searcher, "postings")


class _LeafEvaluator:
    """One query over one segment; postings and field lengths are kept on the segment reader
    (a new searcher, with new readers, is opened after every commit)."""

    def __init__(self, searcher: Any, leaf: Any) -> None:
        self._searcher = searcher
        self._leaf = leaf
        self._cache: _PostingsCache = kept_on(leaf, "postings", _PostingsCache)

    # -- which documents ------------------------------------------------------------------
    def docs(self, query: wq.Query) -> set[int]:
        if isinstance(query, wq.Term):
            return set(self._postings(query)[0])
        if isinstance(query, wq.AndMaybe):
            return self.docs(query.a)
        if isinstance(query, wq.And):
            return self._all_of(query.subqueries)
        if isinstance(query, wq.Or):
            found: set[int] = set()
            for sub in query.subqueries:
                found |= self.docs(sub)
            return found
        return set()

    def _all_of(self, queries: Iterable[wq.Query]) -> set[int]:
        # Terms first, the rarest first: each step can only shrink the set.
        terms = sorted((q for q in queries if isinstance(q, wq.Term)),
                       key=lambda q: len(self._postings(q)[0]))
        others = [q for q in queries if not isinstance(q, wq.Term)]
        result: set[int] | None = None
        for query in terms:
            ids = self._postings(query)[0]
            result = set(ids) if result is None else result.intersection(ids)
            if not result:
                return set()
        for query in others:
            docs = self.docs(query)
            result = docs if result is None else result & docs
            if not result:
                return set()
        return result or set()

    # -- how well ---------------------------------------------------------------------------
    def scores(self, query: wq.Query, docs: set[int]) -> Scores:
        """Scores of ``docs`` (all of which match ``query``) summed as Whoosh sums them."""
        totals: Scores = dict.fromkeys(docs, 0.0)
        self._add_scores(query, docs, totals)
        return totals

    def _add_scores(self, query: wq.Query, docs: set[int], totals: Scores) -> None:
        if not docs:
            return
        if isinstance(query, wq.Term):
            self._add_term_scores(query, docs, totals)
        elif isinstance(query, (wq.And, wq.Or)):
            for sub in query.subqueries:
                self._add_scores(sub, docs, totals)
        elif isinstance(query, wq.AndMaybe):
            self._add_scores(query.a, docs, totals)
            self._add_scores(query.b, docs, totals)

    def _add_term_scores(self, query: wq.Term, docs: set[int], totals: Scores) -> None:
        ids, weights = self._postings(query)
        if not ids:
            return
        searcher = self._searcher
        field = query.fieldname
        idf = searcher.idf(field, query.text) * query.boost
        average = searcher.avg_field_length(field) or 1
        lengths = field_lengths(self._leaf, field)
        parameters = bm25_parameters(searcher, field)
        assert parameters is not None, "can_evaluate() checked the weighting"
        k1, b = parameters
        scale = k1 * b / average
        base = k1 * (1 - b)
        top = k1 + 1
        table = _LENGTHS
        if len(docs) * 8 < len(ids):
            # Few documents, many postings: look each document up (the ids are sorted).
            size = len(ids)
            for doc in docs:
                at = bisect_left(ids, doc)
                if at < size and ids[at] == doc:
                    weight = weights[at]
                    totals[doc] += idf * weight * top / (
                        weight + base + scale * table[lengths[doc]])
            return
        for doc, weight in zip(ids, weights, strict=True):
            if doc in docs:
                totals[doc] += idf * weight * top / (weight + base + scale * table[lengths[doc]])

    # -- reading the segment ----------------------------------------------------------------
    def _postings(self, query: wq.Term) -> tuple[array[int], array[float]]:
        key = (query.fieldname, query.text)
        found = self._cache.get(key)
        if found is None:
            found = self._read_postings(query.fieldname, query.text)
            self._cache.put(key, found)
        return found

    def _read_postings(self, field: str, text: str) -> tuple[array[int], array[float]]:
        term = text.encode("utf-8") if isinstance(text, str) else text
        return read_postings(self._leaf, field, term)


class _PostingsCache:
    """Decoded postings of the terms used lately, bounded by their total number of postings."""

    def __init__(self) -> None:
        self._entries: dict[tuple[str, str], tuple[array[int], array[float]]] = {}
        self._size = 0

    def get(self, key: tuple[str, str]) -> tuple[array[int], array[float]] | None:
        found = self._entries.pop(key, None)
        if found is not None:
            self._entries[key] = found  # most recently used last
        return found

    def put(self, key: tuple[str, str], value: tuple[array[int], array[float]]) -> None:
        self._entries[key] = value
        self._size += len(value[0])
        while self._size > POSTINGS_KEPT and len(self._entries) > 1:
            oldest = next(iter(self._entries))
            self._size -= len(self._entries.pop(oldest)[0])
