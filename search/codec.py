"""The Whoosh codec Handrail writes with."""

from __future__ import annotations

from whoosh.codec.whoosh3 import W3Codec, W3TermInfo


def new_codec() -> W3Codec:
    """Whoosh's codec, with single-posting terms kept inside the term dictionary.

    Most terms of a library occur in one aid; writing each as its own compressed posting block
    costs a sixth of a build. Whoosh 2.7.5 can do this but misnames the method it calls for it
    (``set_inline`` for ``set_inlined``), so the name is supplied here.
    """
    if not hasattr(W3TermInfo, "set_inline"):
        W3TermInfo.set_inline = W3TermInfo.set_inlined
    return W3Codec(inlinelimit=2)
