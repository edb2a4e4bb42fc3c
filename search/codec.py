"""The Whoosh codec Handrail writes with."""

from __future__ import annotations

from typing import Any

from whoosh.codec.whoosh3 import W3Codec, W3TermInfo, W3TermsReader
from whoosh.reading import TermNotFound


def new_codec() -> W3Codec:
    """Whoosh's codec, with single-posting terms kept inside the term dictionary.

    Most terms of a library occur in one aid; writing each as its own compressed posting block
    costs a sixth of a build. Whoosh 2.7.5 can do this but misnames the method it calls for it
    (``set_inline`` for ``set_inlined``), so the name is supplied here.
    """
    if not hasattr(W3TermInfo, "set_inline"):
        W3TermInfo.set_inline = W3TermInfo.set_inlined
    return W3Codec(inlinelimit=2)


TERM_INFO_CACHE = 20_000


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
