"""The Whoosh codec Handrail writes with."""

from __future__ import annotations

from typing import Any

from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3PerDocReader,
    W3TermInfo,
    W3TermsReader,
    _lenfield,
)
from whoosh.matching import ListMatcher
from whoosh.reading import TermNotFound
from whoosh.util.numeric import byte_to_length


def new_codec(compression: int = 3) -> W3Codec:
    """Whoosh's codec, with single-posting terms kept inside the term dictionary.

    Most terms of a library occur in one aid; writing each as its own compressed posting block
    costs a sixth of a build. Whoosh 2.7.5 can do this but misnames the method it calls for it
    (``set_inline`` for ``set_inlined``), so the name is supplied here.

    ``compression`` is the zlib level of posting blocks (0: none); each block says its own, so
    segments written either way read alike.
    """
    cache_field_lengths()  # writing postings asks for every document's length
    if not hasattr(W3TermInfo, "set_inline"):
        W3TermInfo.set_inline = W3TermInfo.set_inlined
    return W3Codec(inlinelimit=2, compression=compression)


def mend_inlined_values() -> None:
    """Give a posting without a value the value None, wherever Whoosh reads it from.

    Postings kept inside the term dictionary are read by Whoosh 2.7's ``ListMatcher``, which
    gives ``""`` (text) for a posting without a value (every posting of an ID field), where its
    block reader gives None; merging segments then stops on an assertion that values are bytes.
    An index merges once 12 small commits have piled up, so from the twelfth edit after a full
    build on, no edit could be indexed any more.
    """
    if getattr(ListMatcher, "_handrail_mended", False):
        return
    value = ListMatcher.value

    def value_or_none(self: Any) -> Any:
        return value(self) if self._values else None

    ListMatcher.value = value_or_none
    ListMatcher._handrail_mended = True


TERM_INFO_CACHE = 5_000


def cache_term_infos() -> None:
    """Remember term lookups per segment reader.

    Building one query's matchers looks the same terms up several times per segment (does the
    term exist, its frequency, its postings), each a probe of Whoosh's on-disk hash table; typing
    asks for the same terms keystroke after keystroke. Term infos never change within a segment,
    and a new searcher (with new readers, so empty caches) is opened after every commit. This cut
    the median keystroke by a fifth on the English tldr pages.
    """
    if getattr(W3TermsReader, "_handrail_cached", False):
        return
    lookup = W3TermsReader.term_info

    def term_info(self: Any, fieldname: str, tbytes: bytes) -> Any:
        cache = self.__dict__.setdefault("_handrail_term_infos", {})
        key = (fieldname, tbytes)
        info = cache.get(key)
        if info is None:
            try:
                info = lookup(self, fieldname, tbytes)
            except TermNotFound:
                info = _MISSING
            if len(cache) >= TERM_INFO_CACHE:
                cache.clear()
            cache[key] = info
        if info is _MISSING:
            raise TermNotFound(f"{fieldname}:{tbytes!r}")
        return info

    def contains(self: Any, term: tuple[str, bytes]) -> bool:
        try:
            term_info(self, *term)
        except TermNotFound:
            return False
        return True

    W3TermsReader.term_info = term_info
    W3TermsReader.__contains__ = contains
    W3TermsReader._handrail_cached = True


_MISSING = object()


def segment_readers(searcher: Any) -> list[tuple[Any, int]]:
    """The searcher's segment readers, each with its first document number."""
    reader = searcher.reader()
    return [(reader, 0)] if reader.is_atomic() else list(reader.leaf_readers())


def forget_term_infos(searcher: Any) -> None:
    """Drop the term infos remembered by a searcher's segment readers."""
    for leaf, _ in segment_readers(searcher):
        terms = getattr(leaf, "_terms", None)
        if terms is not None:
            terms.__dict__.pop("_handrail_term_infos", None)


def field_lengths(perdoc: Any, fieldname: str) -> bytes | None:
    """The length byte of ``fieldname`` for every document of a segment (None: no lengths),
    read once.

    Whoosh reads one document's length with a seek and a read; scoring and writing postings
    ask for it once per posting, which cost a quarter of every commit.
    """
    cache: dict[str, bytes | None] = perdoc.__dict__.setdefault("_handrail_lengths", {})
    if fieldname not in cache:
        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        cache[fieldname] = None if column is None else \
            column._dbfile.get(column._basepos, column._count)
    return cache[fieldname]


def cache_field_lengths() -> None:
    """Serve Whoosh's per-document field lengths from :func:`field_lengths`."""
    if getattr(W3PerDocReader, "_handrail_cached", False):
        return

    def doc_field_length(self: Any, docnum: int, fieldname: str, default: int = 0) -> Any:
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        lengths = field_lengths(self, fieldname)
        if lengths is None:
            return default
        byte = lengths[docnum] if docnum < len(lengths) else 0
        return byte_to_length(byte) if byte else None  # None for 0, as Whoosh's own does

    W3PerDocReader.doc_field_length = doc_field_length
    W3PerDocReader._handrail_cached = True
