"""The fence around Whoosh's internals: every private name Handrail touches, and every patch.

Handrail's fast path (bulk query evaluation, the bulk segment writer, parallel builds, cached
term infos and field lengths) reads and writes Whoosh 2.7's private state. All of it is here,
and none of it is active until :func:`activate` is called (at index open), and only on the
Whoosh versions it was tested with (:data:`TESTED_VERSIONS`). On any other version, or with
``HANDRAIL_WHOOSH_FAST=0``, Whoosh runs untouched: searches go through its own matchers,
builds through its own writer, one process; slower, with the same answers. Why is logged.

Code elsewhere asks :func:`fast_path` before taking the fast way, and reaches Whoosh's
internals only through the functions below.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import zlib
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from pickle import loads
from typing import Any, TypeVar

from whoosh import versionstring
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    W3Codec,
    W3PerDocReader,
    W3TermInfo,
    W3TermsReader,
    _lenfield,
)
from whoosh.index import _DEF_INDEX_NAME
from whoosh.matching import ListMatcher
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F
from whoosh.util.numeric import byte_to_length

log = logging.getLogger(__name__)
T = TypeVar("T")

TESTED_VERSIONS = ("2.7.5",)  # pyproject.toml bounds whoosh-reloaded to these
FAST_ENV = "HANDRAIL_WHOOSH_FAST"  # "0" turns the fast path off (CI runs the search tests so)
TERM_INFO_CACHE = 5_000
_EMPTY: tuple[array[int], array[float]] = (array("I"), array("f"))


@dataclass(frozen=True)
class FastPath:
    enabled: bool
    reason: str


_state: FastPath | None = None
_lock = threading.Lock()


def whoosh_version() -> str:
    return str(versionstring())


def activate() -> FastPath:
    """Turn the fast path on if this Whoosh is one it was tested with (once per process)."""
    global _state
    if _state is not None:  # asked per query: no lock once decided
        return _state
    with _lock:
        if _state is not None:
            return _state
        version = whoosh_version()
        setting = os.environ.get(FAST_ENV, "").strip().lower()
        if setting in ("0", "no", "off", "false"):
            state = FastPath(False, f"{FAST_ENV}={setting}: plain Whoosh {version}")
            log.info("search: %s", state.reason)
        elif version not in TESTED_VERSIONS:
            state = FastPath(False, f"Whoosh {version} is not a version Handrail's fast path "
                             f"was tested with ({', '.join(TESTED_VERSIONS)}); plain Whoosh is "
                             "used: slower, with the same answers")
            log.warning("search: %s", state.reason)
        else:
            _patch()
            state = FastPath(True, f"Whoosh {version}: fast path on")
            log.info("search: %s", state.reason)
        _state = state
        return state


def fast_path() -> bool:
    return activate().enabled


# -- patches (applied by activate() only) ---------------------------------------------------
def _patch() -> None:
    # Whoosh 2.7.5 can keep single-posting terms inside the term dictionary, but misnames the
    # method it calls for it (``set_inline`` for ``set_inlined``).
    if not hasattr(W3TermInfo, "set_inline"):
        W3TermInfo.set_inline = W3TermInfo.set_inlined

    # A posting kept in the term dictionary is read by ListMatcher, which gives "" (text) for
    # a posting without a value (every posting of an ID field) where its block reader gives
    # None; merging segments then stops on an assertion that values are bytes, so from the
    # twelfth small commit after a build on, no edit could be indexed.
    value = ListMatcher.value

    def value_or_none(self: Any) -> Any:
        return value(self) if self._values else None

    ListMatcher.value = value_or_none

    # Term lookups remembered per segment reader: building one query's matchers looks the
    # same terms up several times per segment, and typing asks for the same terms keystroke
    # after keystroke. Term infos never change within a segment, and a new searcher (with new
    # readers) is opened after every commit. A fifth of the median keystroke.
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

    # Field lengths read once per segment: Whoosh reads one document's length with a seek and
    # a read, and scoring and writing postings ask for it once per posting (a quarter of
    # every commit).
    def doc_field_length(self: Any, docnum: int, fieldname: str, default: int = 0) -> Any:
        if docnum > self._doccount:
            raise IndexError(f"Asked for docnum {docnum!r} of {self._doccount}")
        lengths = _perdoc_lengths(self, fieldname)
        if lengths is None:
            return default
        byte = lengths[docnum] if docnum < len(lengths) else 0
        return byte_to_length(byte) if byte else None  # None for 0, as Whoosh's own does

    W3PerDocReader.doc_field_length = doc_field_length


_MISSING = object()


# -- codec and writers ---------------------------------------------------------------------
def new_codec(compression: int = 3) -> Any:
    """The codec to write with: on the fast path, single-posting terms inside the term
    dictionary (most terms of a library occur in one aid, and a posting block each cost a
    sixth of a build), posting blocks at zlib level ``compression`` (0: none; each block says
    its own, so segments written either way read alike). Plain Whoosh's otherwise."""
    if not fast_path():
        return W3Codec()
    return W3Codec(inlinelimit=2, compression=compression)


def writer_options(takes_lock: bool) -> dict[str, Any]:
    """Options of ``Index.writer``: ``takes_lock`` False for a writer of a build that holds
    the index's write lock already (Whoosh's private ``_lk``)."""
    return {} if takes_lock else {"_lk": False}


def commit_segments(writer: Any, segments: list[Any]) -> None:
    """Commit ``segments`` (written elsewhere, their files already in the index's folder)
    together with what ``writer`` holds, as Whoosh's own MpWriter does."""
    final = writer._merge_segments(None, False, False) + segments
    if writer._added:
        final.append(writer._finalize_segment())
    else:
        writer._close_segment()
    writer._commit_toc(final)
    writer._finish()


def default_index_name() -> str:
    return str(_DEF_INDEX_NAME)


def length_key(fieldname: str) -> str:
    """The column name Whoosh 2.7 keeps a field's lengths under."""
    return str(_lenfield(fieldname))


def codec_limits(codec: Any) -> tuple[int, int, int]:
    """A W3Codec's inline limit, block limit and compression level."""
    return codec._inlinelimit, codec._blocklimit, codec._compression


def perdoc_buffers(perdoc: Any) -> tuple[dict[str, Any], dict[str, int]]:
    """A W3PerDocWriter's current document's stored fields and its total field lengths."""
    return perdoc._storedfields, perdoc._fieldlengths


def store_uncompressed(perdoc: Any) -> None:
    """Make a W3PerDocWriter keep stored fields in zlib's uncompressed form (level 0), which
    its reader decompresses as any other: deflating each aid's few hundred bytes took longer
    than all the rest of its stored fields and lengths."""
    perdoc._colwriters["_stored"]._child._compress = _deflate_stored


def _deflate_stored(data: bytes, level: int) -> bytes:
    return zlib.compress(data, 0)


# -- readers -------------------------------------------------------------------------------
def segment_readers(searcher: Any) -> list[tuple[Any, int]]:
    """The searcher's segment readers, each with its first document number."""
    reader = searcher.reader()
    return [(reader, 0)] if reader.is_atomic() else list(reader.leaf_readers())


def kept_on(reader: Any, name: str, make: Callable[[], T]) -> T:
    """Something Handrail keeps on a segment reader, made by ``make()`` the first time: a
    reader lives as long as its searcher, and a new searcher is opened after every commit."""
    key = f"_handrail_{name}"
    kept: T | None = reader.__dict__.get(key)
    if kept is None:
        kept = reader.__dict__[key] = make()
    return kept


def forget_kept(searcher: Any, name: str) -> None:
    """Drop what :func:`kept_on` keeps under ``name`` on a searcher's segment readers."""
    for leaf, _ in segment_readers(searcher):
        leaf.__dict__.pop(f"_handrail_{name}", None)


def forget_term_infos(searcher: Any) -> None:
    """Drop the term infos remembered by a searcher's segment readers."""
    for leaf, _ in segment_readers(searcher):
        terms = getattr(leaf, "_terms", None)
        if terms is not None:
            terms.__dict__.pop("_handrail_term_infos", None)


def field_lengths(leaf: Any, fieldname: str) -> bytes:
    """The length byte of ``fieldname`` for every document of a segment reader (0: none)."""
    lengths = _perdoc_lengths(leaf._perdoc, fieldname) or b""
    count = leaf.doc_count_all()
    return lengths if len(lengths) >= count else lengths + bytes(count - len(lengths))


def _perdoc_lengths(perdoc: Any, fieldname: str) -> bytes | None:
    cache: dict[str, bytes | None] = perdoc.__dict__.setdefault("_handrail_lengths", {})
    if fieldname not in cache:
        column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
        cache[fieldname] = None if column is None else \
            column._dbfile.get(column._basepos, column._count)
    return cache[fieldname]


def read_postings(leaf: Any, field: str, term: bytes) -> tuple[array[int], array[float]]:
    """Every (document, weight) of a term in a segment reader, read block by block into
    arrays (deletions are not applied): Whoosh's matchers walk them posting by posting."""
    if (field, term) not in leaf:
        return _EMPTY
    matcher = leaf.postings(field, term)
    matcher = getattr(matcher, "child", matcher)  # deletions are handled by the caller
    ids: array[int] = array("I")
    weights: array[float] = array("f")
    if not hasattr(matcher, "_postfile"):  # inlined in the term dictionary: a few postings
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return ids, weights
    postings = matcher._postfile
    while not matcher._atend:
        data = postings.get(matcher._dataoffset, matcher._nextoffset - matcher._dataoffset)
        if matcher._compression:
            data = zlib.decompress(data)
        block = loads(data)
        ids.extend(block[0] if matcher._byteids else itertools.accumulate(block[0]))
        count = matcher._blocklength
        block_weights = block[1]
        if block_weights is None:
            weights.extend([1.0] * count)
        elif isinstance(block_weights, float):
            weights.extend([block_weights] * count)
        else:
            weights.extend(block_weights)
        if matcher._lastblock:
            break
        matcher._goto(matcher._nextoffset)
    return ids, weights


def bm25_parameters(searcher: Any, field: str) -> tuple[float, float] | None:
    """K1 and B of the searcher's weighting for ``field``, if it is Whoosh's BM25F (None: the
    bulk evaluation cannot score as it does)."""
    weighting = searcher.weighting
    if type(weighting) is not BM25F:
        return None
    field_b = getattr(weighting, "_field_B", {})
    return float(weighting.K1), float(field_b.get(field, weighting.B))
