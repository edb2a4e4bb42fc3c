"""Text analysis shared by indexing and querying.

Words are lowercased and accent-folded ("café" finds "cafe"), English words are stemmed
("installing" finds "install"), and runs of Chinese, Japanese or Korean characters, which have no
spaces between words, become overlapping character pairs so any word inside them matches.

Analysis happens here, once per distinct word (cached), and Whoosh receives finished terms through
:class:`TermsField`: Whoosh's own analyzer chain costs several times more per document.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from whoosh.fields import ID, KEYWORD, TEXT
from whoosh.lang.porter import stem as porter_stem
from whoosh.system import pack_uint

_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
_WORD = re.compile(r"\w+")


@lru_cache(maxsize=50_000)
def stem_word(word: str) -> str:
    """The English stem of an ASCII word; other scripts are left as they are."""
    if len(word) > 3 and word.isascii() and word.isalpha():
        return str(porter_stem(word))
    return word


@lru_cache(maxsize=50_000)
def fold(text: str) -> str:
    """Lowercase and strip accents."""
    lowered = text.lower()
    if lowered.isascii():
        return lowered
    decomposed = unicodedata.normalize("NFKD", lowered)
    return unicodedata.normalize("NFC", "".join(c for c in decomposed
                                                if not unicodedata.combining(c)))


def cjk_pieces(text: str) -> list[str]:
    """Split a word into non-CJK parts and CJK character pairs (a lone character stays)."""
    if _CJK_RUN.search(text) is None:
        return [text]
    pieces: list[str] = []
    position = 0
    for run in _CJK_RUN.finditer(text):
        if run.start() > position:
            pieces.append(text[position:run.start()])
        chars = run.group()
        if len(chars) == 1:
            pieces.append(chars)
        else:
            pieces.extend(chars[i:i + 2] for i in range(len(chars) - 1))
        position = run.end()
    if position < len(text):
        pieces.append(text[position:])
    return pieces


def has_cjk(text: str) -> bool:
    return _CJK_RUN.search(text) is not None


@lru_cache(maxsize=50_000)
def word_terms(token: str) -> tuple[str, ...]:
    """Index terms of one word, unstemmed (for tags, code and names)."""
    return tuple(cjk_pieces(fold(token)))


# English function words carry no meaning in a search and are a third of all postings; the
# question words are how people phrase a need ("how do I ...", "which process has my file").
STOP_WORDS = frozenset(
    "a an and are as at be by for from has have in into is it its of on or that the their this "
    "to was were will with i me my we our you your how do does what which who can should "
    "want need".split())


# A word seen for each stem ("hotkei" -> "hotkey"), to show corrections as words.
SURFACES: dict[str, str] = {}


@lru_cache(maxsize=50_000)
def stemmed_terms(token: str) -> tuple[str, ...]:
    """Index terms of one word, stemmed (for prose); English function words are dropped."""
    if token.isascii():  # most words: one piece, no accents (and no other cache to fill)
        word = token.lower()
        if word in STOP_WORDS:
            return ()
        stem = stem_word(word)
        if stem != word:
            SURFACES.setdefault(stem, word)
        return (stem,)
    terms = []
    for piece in word_terms(token):
        if piece in STOP_WORDS:
            continue
        stem = stem_word(piece)
        if stem != piece:
            SURFACES.setdefault(stem, piece)
        terms.append(stem)
    return tuple(terms)


def forget_caches() -> None:
    """Drop the analysed words kept for speed (up to 50k each; a big build fills them)."""
    for cached in (stem_word, fold, word_terms, stemmed_terms):
        cached.cache_clear()


def analyze(text: str, *, stem: bool = True) -> list[str]:
    """All index terms of a text, in order."""
    convert = stemmed_terms if stem else word_terms
    terms: list[str] = []
    for token in _WORD.findall(text):
        terms.extend(convert(token))
    return terms


def query_words(text: str) -> list[str]:
    """Folded words of a query fragment, before stemming and CJK splitting."""
    return [fold(word) for word in _WORD.findall(text)]


@dataclass(frozen=True, slots=True)
class WeightedTerms:
    """Terms with how often each occurs (``counts``) and how much more, doubled, its
    occurrences weigh than they would in the body (``extra``: a title word weighs 8, 7 more,
    14 doubled). What BM25F takes as the term's frequency is ``count + extra / 2``."""

    counts: Counter[str]
    extra: Counter[str]

    def __iter__(self) -> Iterator[str]:
        return iter(self.counts)

    def weights(self) -> list[float]:
        """Each term's weight, in the order of ``counts``."""
        extra = self.extra.get
        return [count + extra(term, 0) / 2 for term, count in self.counts.items()]

    @classmethod
    def of(cls, terms: Iterable[str]) -> WeightedTerms:
        """Terms that all weigh the same."""
        return cls(Counter(terms), Counter())


class TermsField(TEXT):  # type: ignore[misc]
    """A scorable text field fed already analysed terms, without positions.

    The value is a list of terms, or :class:`WeightedTerms`, whose weights are what BM25 uses
    as the term's frequency, so one field can weigh words by where they stood (title, tags,
    summary, headings, code, body), as BM25F does.
    """

    def __init__(self, stored: bool = False) -> None:
        super().__init__(stored=stored, phrase=False)

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        terms = self.weighted_terms(value)
        for (term, count), weight in zip(terms.counts.items(), terms.weights(), strict=True):
            yield term.encode("utf-8"), count, weight, pack_uint(count)

    @staticmethod
    def weighted_terms(value: Any) -> WeightedTerms:
        return value if isinstance(value, WeightedTerms) else WeightedTerms.of(value)


class KeyField(ID):  # type: ignore[misc]
    """An untokenised ID field that indexes its value as it is, without Whoosh's analyzer
    chain (a tenth of a big build went into analysing paths, ids, collections and kinds)."""

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if value:
            yield self.to_bytes(value), 1, self.format.field_boost, b""

    def to_bytes(self, value: Any) -> bytes:
        # A file name that is not UTF-8 reaches Python with its bytes as surrogates; they
        # are indexed as the bytes they stand for, so the file is found and kept in step.
        return value.encode("utf-8", "surrogateescape") if isinstance(value, str) else value


class KeywordsField(KEYWORD):  # type: ignore[misc]
    """Whoosh's KEYWORD field, which skips its analyzer when there are no keywords (most aids
    have no tags and no apps)."""

    def index(self, value: Any, **kwargs: Any) -> Iterator[tuple[bytes, int, float, bytes]]:
        if not value:
            return iter(())
        return super().index(value, **kwargs)  # type: ignore[no-any-return]
