"""Queries: as-you-type prefixes, all-words-then-partial matching, typo forgiveness, filters,
phrases, and re-ranking by the screen in front of the user, habit and staleness.

The text score stays in charge: the other signals multiply it by at most 1.44 and at least 0.85,
so they re-order close results but never bury a clearly better text match.
"""

from __future__ import annotations

import copy
import datetime as dt
import fnmatch
import math
import re
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from whoosh import query as wq

from job_aids import read_aid
from job_aids.collections import OWN

from .analysis import SURFACES, analyze, has_cjk, stem_word, stemmed_terms
from .documents import TITLE_ONLY, join_mnemonics, keyword
from .errors import converts_errors
from .evaluation import can_evaluate, matches_any, top_documents
from .index import AidIndex
from .query import ParsedQuery, parse_query
from .results import Context, SearchResponse, SearchResult
from .snippets import TermMatcher, make_snippet
from .usage import UsageLog, query_key
from .window_title import TitleParts, title_parts

PREFIX_EXPANSIONS = 8
TITLE_EXPANSIONS = 4
COMPLETION_WEIGHT = 0.7   # a completion of the typed word, against the word itself
TITLE_MATCH_WEIGHT = 5.0    # the title-field query, against the content query
TITLE_COVERAGE_BOOST = 0.6  # an aid whose whole title is what was typed ranks first
# What reading an index that another process replaced meanwhile can raise (a file not opened
# yet is gone, a column reads as None).
READ_ERRORS = (OSError, TypeError, AttributeError, KeyError, ValueError, EOFError)
CONTEXT_CANDIDATES = 500  # aids marked for the app, or for window titles, looked at per popup
SHORT_PREFIX = 3          # a prefix this short after other words is not required yet
SHORT_PREFIX_ALONE = 4    # a prefix this short typed alone completes against titles only
FEW_RESULTS = 3
RERANK_DEPTH = 30
CACHE_SIZE = 64           # recent answers: backspacing and retyping cost nothing
PHRASE_CHECK_DEPTH = 300
CONTEXT_BOOST, HABIT_BOOST, STALE_FACTOR = 0.25, 0.15, 0.85
# Team-informed ranking (search/team_insights.py): an aid colleagues opened after searching
# the same words gains up to TEAM_BOOST; one the words did not find comes in at most at
# TEAM_LIFT of the best match's score, so a clear match is never pushed down by it.
TEAM_BOOST, TEAM_LIFT, TEAM_MIN_SHARE, TEAM_MIN_COUNT = 0.5, 0.9, 0.2, 2
_FILTER_FIELDS = {"tag": "tags", "kind": "kind", "app": "apps", "in": "collection"}


def _idf(doc_frequency: int, doc_count: int) -> float:
    return math.log(1 + (doc_count - doc_frequency + 0.5) / (doc_frequency + 0.5))


def _or(subqueries: list[wq.Query]) -> wq.Query:
    """An Or that unions lazily, so a top-N search can skip low-scoring blocks.

    Whoosh's automatic choice pre-loads and scores every posting of every clause when a segment
    has under 5,000 documents, which made short prefixes cost 10x more on small segments.
    """
    query = wq.Or(subqueries)
    query.matcher_type = wq.Or.DEFAULT_MATCHER
    return query


def _term(term: str, boost: float = 1.0) -> wq.Query:
    return wq.Term("content", term, boost=boost)


class SearchEngine:
    def __init__(self, index: AidIndex, usage: UsageLog | None = None,
                 today: dt.date | None = None, *, cache: bool = True) -> None:
        self.index = index
        self.usage = usage
        self._today = today
        self._doc_count = 1
        self._cache: OrderedDict[tuple[Any, ...], SearchResponse] | None = \
            OrderedDict() if cache else None
        self._bodies = BodyCache()
        self._team: dict[str, dict[str, float]] = {}  # query words -> aid id -> share
        self._team_version = 0

    def learn_from_team(self, pairs: Mapping[str, Mapping[str, int]]) -> None:
        """What colleagues opened after searching which words (query key -> aid -> times);
        an empty mapping switches team-informed ranking off."""
        learned = {}
        for key, counts in pairs.items():
            total = sum(counts.values())
            shares = {aid: n / total for aid, n in counts.items()
                      if n >= TEAM_MIN_COUNT and n / total >= TEAM_MIN_SHARE}
            if shares:
                learned[key] = shares
        self._team = learned
        self._team_version += 1

    def forget(self) -> None:
        """Drop the recent answers and bodies (they come back with the next searches)."""
        if self._cache is not None:
            self._cache.clear()
        self._bodies = BodyCache()

    # -- query building -------------------------------------------------------------------
    @staticmethod
    def _word_clause(word: str) -> wq.Query | None:
        terms = stemmed_terms(word)
        if not terms:
            return None  # an English function word ("the", "to"): it says nothing
        if len(terms) > 1:  # CJK pairs: every pair must be there
            return wq.And([_term(t) for t in terms])
        return _term(terms[0])

    def _prefix_terms(self, prefix: str) -> list[str]:
        vocabulary = self.index.vocabulary
        terms = list(vocabulary.completions(prefix, PREFIX_EXPANSIONS))
        stem = stem_word(prefix)
        if stem not in terms and vocabulary.frequency(stem):
            terms.append(stem)
        if not terms:
            # The stem of the finished word is often a prefix of what is typed ("installi"
            # -> "instal"), which completion alone misses.
            for cut in range(len(prefix) - 1, max(3, len(prefix) - 3) - 1, -1):
                if vocabulary.frequency(prefix[:cut]):
                    terms.append(prefix[:cut])
                    break
        return terms

    def _prefix_clause(self, prefix: str, only_word: bool) -> wq.Query | None:
        if has_cjk(prefix):
            return self._word_clause(prefix)  # no prefixes in CJK: the pairs do the work
        if len(prefix) <= SHORT_PREFIX_ALONE and only_word:
            # A few letters typed alone are most likely the start of a name: matching them in
            # titles only keeps the first keystrokes fast (a three-letter prefix of the body
            # text expands to the commonest words, thousands of postings each).
            vocabulary = self.index.title_vocabulary
            # One letter completes to the commonest names only: each has thousands of aids.
            titles = vocabulary.completions(prefix, min(PREFIX_EXPANSIONS, 2 * len(prefix) + 1))
            weights = self._completion_weights(prefix, titles, vocabulary) if titles else {}
            clauses = [wq.Term("title", t, boost=weights[t]) for t in titles]
            # But a short word may be finished ("soup", "till"): it is found as a whole word
            # anywhere, which costs what any one word costs.
            word = self._word_clause(prefix) if len(prefix) >= 3 else None
            if word is not None:
                clauses.append(word)
            return _or(clauses) if clauses else None
        terms = self._prefix_terms(prefix)
        # Titles are what people type: their completions join the commonest words'.
        for term in self.index.title_vocabulary.completions(prefix, TITLE_EXPANSIONS):
            if term not in terms:
                terms.append(term)
        if not terms:
            return None
        weights = self._completion_weights(prefix, terms, self.index.vocabulary)
        clauses = [_term(term, weights[term]) for term in terms]
        return _or(clauses)

    def _with_title_bonus(self, query: wq.Query, parsed: ParsedQuery) -> wq.Query:
        """Add a small title-field query: the typed words found in titles, short titles first.

        Without it a page named exactly what was typed ("git") can sit below dozens of short
        pages that merely mention it. It only adds to aids the content query already found,
        and costs a few posting lists on the small title field.
        """
        if parsed.phrases:
            return query
        # Boosts go on the leaves: Whoosh does not apply them to every compound query.
        weight = TITLE_MATCH_WEIGHT
        parts: list[wq.Query] = [wq.Term("title", t, boost=weight) for word in parsed.words
                                 for t in stemmed_terms(word)]
        if parsed.prefix:
            vocabulary = self.index.title_vocabulary
            titles = vocabulary.completions(parsed.prefix, TITLE_EXPANSIONS)
            exact = [t for t in {parsed.prefix, stem_word(parsed.prefix)}
                     if t not in titles and vocabulary.frequency(t)]
            terms = [*exact, *titles]
            if terms:
                weights = self._completion_weights(parsed.prefix, terms, vocabulary)
                parts.append(_or([wq.Term("title", t, boost=weight * weights[t])
                                    for t in terms]))
        if not parts:
            return query
        return wq.AndMaybe(query, parts[0] if len(parts) == 1 else _or(parts))

    def _completion_weights(self, prefix: str, terms: list[str],
                            vocabulary: Any) -> dict[str, float]:
        """Weights for the completions of a prefix.

        A rare completion would win on its rarity alone, so each is weighted down to the rarity
        of the commonest one; the word typed in full counts most. (Whoosh's DisjunctionMax would
        be the natural "best completion counts" here, but it scores every match with its
        quality bound, not its score.)
        """
        exact = {prefix, stem_word(prefix)}
        typed_in_full = any(vocabulary.frequency(t) for t in exact)
        count = self._doc_count
        base = min(_idf(vocabulary.frequency(t), count) for t in terms)
        damping = COMPLETION_WEIGHT * (0.6 if typed_in_full else 1.0)
        return {term: 1.0 if term in exact else
                damping * base / _idf(vocabulary.frequency(term), count) for term in terms}

    @staticmethod
    def _filter(parsed: ParsedQuery) -> wq.Query | None:
        clauses: list[wq.Query] = []
        for name, values in parsed.filters.items():
            fieldname = _FILTER_FIELDS[name]
            clauses.append(_or([wq.Term(fieldname, v.replace(" ", "-")) for v in values]))
        return wq.And(clauses) if clauses else None

    def _clauses(self, parsed: ParsedQuery,
                 corrections: dict[str, str] | None = None) -> list[wq.Query]:
        corrections = corrections or {}
        clauses: list[wq.Query] = []
        for word in parsed.words:
            clause = self._word_clause(word)
            if word in corrections:
                fix = self._word_clause(corrections[word])
                clause = _or([c for c in (clause, fix) if c is not None])
            if clause is not None:
                clauses.append(clause)
        # After words that say nothing ("how", "which"), the word being typed is typed alone.
        only_word = not (clauses or parsed.phrases)
        if parsed.prefix and (only_word or len(parsed.prefix) > SHORT_PREFIX):
            prefix_clause = self._prefix_clause(parsed.prefix, only_word=only_word)
            if parsed.prefix in corrections:
                fix = self._word_clause(corrections[parsed.prefix])
                prefix_clause = _or([c for c in (prefix_clause, fix) if c is not None])
            clauses.append(prefix_clause if prefix_clause is not None else wq.NullQuery)
        for words in parsed.phrases:
            clauses += [c for c in (self._word_clause(w) for w in words) if c is not None]
        return clauses

    # -- searching ------------------------------------------------------------------------
    @property
    def folder(self) -> Path:
        return self.index.folder

    @converts_errors("search the index in")
    def search(self, text: str, *, limit: int = 10,
               context: Context | None = None) -> SearchResponse:
        self.index.refresh_if_replaced()
        try:
            return self._cached_search(text, limit, context)
        except READ_ERRORS:
            # Another process rebuilt or merged the index just as this one read it: the
            # files this searcher had not opened yet are gone. Open the new one, ask again.
            if not self.index.refresh_if_replaced(now=True):
                raise
            return self._cached_search(text, limit, context)

    def _cached_search(self, text: str, limit: int, context: Context | None) -> SearchResponse:
        if self._cache is None:
            return self._search(text, limit, context)
        key = (text, limit, context, self.index.generation,
               self.usage.version if self.usage is not None else 0, self._team_version)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            return copy.deepcopy(cached)
        response = self._search(text, limit, context)
        self._cache[key] = copy.deepcopy(response)
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return response

    def _search(self, text: str, limit: int, context: Context | None) -> SearchResponse:
        parsed = parse_query(text)
        response = SearchResponse(query=text)
        if parsed.is_empty:
            if context is not None and context.app:
                response.results = self._for_context(context, limit)
            return response
        filter_query = self._filter(parsed)
        with self.index.lock:
            searcher = self.index.searcher()
            self._doc_count = max(1, searcher.doc_count())
            clauses = self._clauses(parsed)
            if clauses:
                query = self._with_title_bonus(wq.And(clauses), parsed)
            else:  # only filters, or only words that say nothing ("how "): no text to rank by
                query = wq.Every() if filter_query is not None else wq.NullQuery
            hits = self._run(searcher, query, filter_query, limit, parsed)
            if len(hits) < FEW_RESULTS and parsed.has_text:
                corrections = self._corrections(parsed)
                if corrections:
                    fixed = self._run(searcher, wq.And(self._clauses(parsed, corrections)),
                                      filter_query, limit, parsed)
                    if len(fixed) > len(hits):
                        hits = fixed
                        response.corrected = True
                        response.did_you_mean = self._corrected_text(text, corrections)
            if not hits and len(clauses) > 1:
                hits = self._partial(searcher, clauses, filter_query, limit, parsed)
                response.partial = bool(hits)
            if self._team:
                hits = self._with_team_finds(searcher, hits, text, filter_query)
            # A corrected query is ranked and highlighted by the words it was corrected to.
            shown = parse_query(response.did_you_mean or text) if response.corrected else parsed
            response.results = self._finish(hits, shown, context, limit)
        return response

    def _with_team_finds(self, searcher: Any, hits: list[tuple[float, dict[str, Any]]],
                         text: str, filter_query: wq.Query | None
                         ) -> list[tuple[float, dict[str, Any]]]:
        """Re-order close results by what the team opened for these words, and bring in an
        aid they opened that the words did not find (bounded: see TEAM_BOOST, TEAM_LIFT)."""
        shares = self._team.get(query_key(text))
        if not shares:
            return hits
        top = max((score for score, _ in hits), default=1.0)
        boosted = [(score * (1.0 + TEAM_BOOST * shares.get(fields["id"], 0.0)), fields)
                   for score, fields in hits]
        missing = [aid for aid in shares if aid not in {f["id"] for _, f in hits}]
        if missing:
            for _, fields in self._run(searcher, _or([wq.Term("id", a) for a in missing]),
                                       filter_query, len(missing) * 2):
                boosted.append((top * TEAM_LIFT * shares[fields["id"]], fields))
        return boosted

    @staticmethod
    def _run(searcher: Any, query: wq.Query, filter_query: wq.Query | None, limit: int,
             parsed: ParsedQuery | None = None) -> list[tuple[float, dict[str, Any]]]:
        depth = max(limit, RERANK_DEPTH)
        phrases = parsed.phrases if parsed is not None else []
        if phrases:
            # No positions are indexed (they would double the build); a phrase is checked in
            # the text of the aids that have all its words.
            hits = _top_hits(searcher, query, filter_query, PHRASE_CHECK_DEPTH)
            return [h for h in hits if _has_phrases(h[1]["path"], phrases)][:depth]
        return _top_hits(searcher, query, filter_query, depth)

    def _partial(self, searcher: Any, clauses: list[wq.Query], filter_query: wq.Query | None,
                 limit: int, parsed: ParsedQuery) -> list[tuple[float, dict[str, Any]]]:
        """The best partial matches: as many words as occur together, the rarest first.

        A plain Or of every word would score every aid that has any of them ("a", "file"),
        which costs hundreds of milliseconds; instead the words that do occur together are
        required, and the others only add to the score.
        """
        reader = searcher.reader()
        kept: list[wq.Query] = []
        for clause in sorted(clauses, key=lambda c: c.estimate_size(reader)):
            if _matches_any(searcher, wq.And([*kept, clause]), filter_query):
                kept.append(clause)
        if not kept:
            return []
        others = [c for c in clauses if c not in kept]
        query = wq.And(kept) if not others else wq.AndMaybe(wq.And(kept), _or(others))
        return self._run(searcher, query, filter_query, limit, parsed)

    def _corrections(self, parsed: ParsedQuery) -> dict[str, str]:
        vocabulary = self.index.vocabulary
        fixes: dict[str, str] = {}
        words = list(parsed.words) + ([parsed.prefix] if parsed.prefix else [])
        for word in words:
            if vocabulary.frequency(stem_word(word)) or vocabulary.frequency(word):
                continue
            if word == parsed.prefix and vocabulary.completions(word, 1):
                continue
            found = vocabulary.corrections(word, limit=1, also=stem_word(word))
            if found:
                fixes[word] = found[0]
        return fixes

    @staticmethod
    def _corrected_text(text: str, corrections: dict[str, str]) -> str:
        def replace(match: re.Match[str]) -> str:
            word = match.group()
            fixed = corrections.get(word.lower())
            return SURFACES.get(fixed, fixed) if fixed else word
        return re.sub(r"\w+", replace, text).strip()

    def _for_context(self, context: Context, limit: int) -> list[SearchResult]:
        """The aids marked for the screen in front, the most specific match first."""
        assert context.app is not None
        with self.index.lock:
            searcher = self.index.searcher()
            marked = wq.Or([wq.Term("apps", keyword(context.app)), wq.Term("apps", TITLE_ONLY)])
            specific = {}
            hits = []
            for score, fields in self._run(searcher, marked, None, CONTEXT_CANDIDATES):
                match = context_match(fields, context)
                if match:
                    specific[fields["id"]] = match
                    hits.append((score, fields))
            hits.sort(key=lambda hit: (-specific[hit[1]["id"]], -hit[0]))
            results = self._finish(hits[:limit], ParsedQuery(), context, limit)
            results.sort(key=lambda result: -specific[result.id])  # stable: score within
            return results

    @converts_errors("read the index in")
    def results_for_ids(self, ids: list[str]) -> list[SearchResult]:
        """The indexed aids with these ids, in the order given (unknown ids are left out)."""
        if not ids:
            return []
        self.index.refresh_if_replaced()
        with self.index.lock:
            searcher = self.index.searcher()
            query = _or([wq.Term("id", aid_id) for aid_id in ids])
            hits = self._run(searcher, query, None, len(ids) * 2)
            found = {fields["id"]: fields for _, fields in hits}
            results = self._finish([(0.0, found[i]) for i in ids if i in found], ParsedQuery(),
                                   None, len(ids))
        return results

    # -- ranking and results --------------------------------------------------------------
    def _finish(self, hits: list[tuple[float, dict[str, Any]]], parsed: ParsedQuery,
                context: Context | None, limit: int) -> list[SearchResult]:
        today = self._today or dt.date.today()
        ranked: list[tuple[float, bool, bool, dict[str, Any]]] = []
        query_terms = self._match_terms(parsed)
        for score, fields in hits:
            in_context = context is not None and _matches_context(fields, context)
            stale = _is_stale(fields.get("review_by", ""), today)
            # Text: how much of the title the query covers ("git" is all of the title "git",
            # half of "git commit"). Launcher users expect the exact name first.
            factor = 1.0 + TITLE_COVERAGE_BOOST * _title_coverage(fields["title"], query_terms,
                                                                  parsed.prefix) ** 2
            score *= factor
            factor = 1.0 + (CONTEXT_BOOST if in_context else 0.0)
            if self.usage is not None:
                factor *= 1.0 + HABIT_BOOST * self.usage.habit(fields["id"])
            if stale:
                factor *= STALE_FACTOR
            ranked.append((score * factor, in_context, stale, fields))
        copied = _own_copies_first(ranked)
        ranked.sort(key=lambda item: -item[0])
        matcher = TermMatcher(query_terms, parsed.prefix)
        results = []
        for score, in_context, stale, fields in ranked[:limit]:
            results.append(SearchResult(
                id=fields["id"], title=fields["title"], path=fields["path"],
                collection=fields["collection"], kind=fields["kind"], score=round(score, 4),
                snippet=self._snippet(fields, matcher), summary=fields.get("summary", ""),
                stale=stale, context_match=in_context, own_copy=fields["id"] in copied))
        return results

    @converts_errors("look up copies of an aid")
    def copies_of(self, aid_id: str) -> list[str]:
        """The paths of this user's own copies of the aid (``derived_from`` it)."""
        if not aid_id:
            return []
        self.index.refresh_if_replaced()
        with self.index.lock:
            searcher = self.index.searcher()
            hits = _top_hits(searcher, wq.Term("derived_from", aid_id), None, 20)
        return [fields["path"] for _, fields in hits if fields.get("collection") == OWN]

    def _snippet(self, fields: dict[str, Any], matcher: TermMatcher) -> str:
        body = self._bodies.get(fields["path"], fields.get("stamp", ""))
        if not body:
            return ""
        return make_snippet(body, matcher, skip=fields["title"])

    def _match_terms(self, parsed: ParsedQuery) -> set[str]:
        terms: set[str] = set()
        for word in parsed.words + [w for phrase in parsed.phrases for w in phrase]:
            terms.add(word)
            terms.update(stemmed_terms(word))
        if parsed.prefix:
            terms.update(self._prefix_terms(parsed.prefix))
        return terms


class BodyCache:
    """Bodies of recently shown aids as snippets quote them, checked against the indexed stamp
    before use."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._bodies: OrderedDict[str, tuple[str, str]] = OrderedDict()

    def get(self, path: str, stamp: str) -> str | None:
        entry = self._bodies.get(path)
        if entry is not None and entry[0] == stamp:
            self._bodies.move_to_end(path)
            return entry[1]
        try:
            body = join_mnemonics(read_aid(Path(path)).body)
        except OSError:
            return None
        self._bodies[path] = (stamp, body)
        if len(self._bodies) > self._size:
            self._bodies.popitem(last=False)
        return body


def _title_coverage(title: str, query_terms: set[str], prefix: str | None) -> float:
    terms = analyze(title)
    if not terms:
        return 0.0
    covered = 0.0
    for term in terms:
        if term in query_terms and term != prefix:
            covered += 1.0
        elif prefix and (term == prefix or term == stem_word(prefix)):
            covered += 1.0
        elif prefix and term.startswith(prefix):
            covered += 0.5  # still being typed: a completion is a guess
    return covered / len(terms)


def _own_copies_first(ranked: list[tuple[float, bool, bool, dict[str, Any]]]) -> set[str]:
    """A copy the user made of an aid (in their own collection, ``derived_from`` it) ranks
    just above the original wherever both match; returns the ids of the originals."""
    position = {item[3]["id"]: index for index, item in enumerate(ranked)}
    originals: set[str] = set()
    for index, (score, in_context, stale, fields) in enumerate(ranked):
        original = fields.get("derived_from") or ""
        if not original or fields.get("collection") != OWN or original not in position:
            continue
        original_score = ranked[position[original]][0]
        if score <= original_score:
            ranked[index] = (original_score * 1.0001 + 1e-6, in_context, stale, fields)
        originals.add(original)
    return originals


def _top_hits(searcher: Any, query: wq.Query, filter_query: wq.Query | None,
              limit: int) -> list[tuple[float, dict[str, Any]]]:
    """The best ``limit`` hits: evaluated in bulk when the query allows, else by Whoosh."""
    if can_evaluate(query, searcher):
        return [(score, searcher.stored_fields(doc)) for score, doc in
                top_documents(searcher, query, limit, _allowed(searcher, filter_query))]
    results = searcher.search(query, limit=limit, filter=filter_query)
    return [(hit.score or 0.0, hit.fields()) for hit in results]


def _matches_any(searcher: Any, query: wq.Query, filter_query: wq.Query | None) -> bool:
    if can_evaluate(query, searcher):
        return matches_any(searcher, query, _allowed(searcher, filter_query))
    if filter_query is not None:
        query = wq.And([query, filter_query])
    return next(iter(searcher.docs_for_query(query)), None) is not None


def _allowed(searcher: Any, filter_query: wq.Query | None) -> set[int] | None:
    return None if filter_query is None else set(searcher.docs_for_query(filter_query))


def _has_phrases(path: str, phrases: list[list[str]]) -> bool:
    try:
        aid = read_aid(Path(path))
    except OSError:
        return False
    text = " " + " ".join(analyze(aid.title + "\n" + aid.body)) + " "
    return all(" " + " ".join(analyze(" ".join(words))) + " " in text for words in phrases)


def _is_stale(review_by: str, today: dt.date) -> bool:
    try:
        return bool(review_by) and dt.date.fromisoformat(review_by) < today
    except ValueError:
        return False


def context_match(fields: dict[str, Any], context: Context) -> int:
    """How specifically an aid is marked for the screen in front: 3 for an entry whose
    application and window pattern (title, document or address) all match, 2 for window
    patterns alone (any app), 1 for the application alone (or its name in the window title),
    0 for none. An entry must match all it gives: ``{app: XTerm, title: "*Payroll*"}`` is not
    for every XTerm."""
    app = (context.app or "").lower()
    title = (context.window_title or "").lower()
    parts = title_parts(title) if title else TitleParts()
    best = 0
    for line in (fields.get("app_titles") or "").splitlines():
        entry_app, pattern, document, url = (line.split("\t") + ["", "", ""])[:4]
        app_ok = bool(entry_app) and (entry_app.replace("-", " ") == app.replace("-", " ") or (
            bool(title) and re.search(rf"\b{re.escape(entry_app)}\b", title) is not None))
        wanted = [(pattern, title), (document, parts.document), (url, parts.url)]
        given = [(glob.lower(), seen) for glob, seen in wanted if glob]
        window_ok = bool(given) and all(seen and fnmatch.fnmatch(seen, glob)
                                        for glob, seen in given)
        if entry_app and given:
            best = max(best, 3 if app_ok and window_ok else 0)
        elif given:
            best = max(best, 2 if window_ok else 0)
        elif app_ok:
            best = max(best, 1)
    return best


def _matches_context(fields: dict[str, Any], context: Context) -> bool:
    return context_match(fields, context) > 0
