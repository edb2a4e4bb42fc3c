"""parse -> serialize -> parse is lossless for any front matter and body, unknown keys included."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from job_aids import JobAid, parse_bytes, parse_text, serialize_bytes, serialize_text

# YAML text cannot hold every code point (surrogates, most C0/C1 controls), and neither can an
# aid file; everything else is fair game, including newlines, quotes, colons and '---'.
_chars = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufeff\x85") \
    | st.sampled_from(["\n", "\t", "---", ": ", "#", "'", '"', "...", "- [ ] "])
text = st.lists(_chars, max_size=40).map("".join)
scalars = (st.none() | st.booleans() | st.integers() | text
           | st.floats(allow_nan=False) | st.dates()
           | st.datetimes(timezones=st.just(dt.UTC)).map(lambda d: d.replace(microsecond=0)))
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(text, inner, max_size=4), max_leaves=12)
known = st.fixed_dictionaries({}, optional={
    "id": st.uuids().map(str), "title": text, "kind": st.sampled_from(["procedure", "link"]),
    "tags": st.lists(text, max_size=3), "review_by": st.dates()})
metas = st.builds(lambda a, b: {**a, **b}, known, st.dictionaries(text, values, max_size=5))
bodies = st.lists(_chars, max_size=200).map("".join)


@pytest.mark.slow
@settings(max_examples=400, deadline=None, derandomize=True)
@given(meta=metas, body=bodies)
def test_text_round_trip_is_lossless(meta: dict[str, Any], body: str) -> None:
    aid = JobAid(meta=meta, body=body)
    parsed = parse_text(serialize_text(aid))
    assert parsed.meta == meta
    assert parsed.body == body
    assert parsed.has_front_matter or not meta
    assert not [p for p in parsed.problems if "YAML" in p.message or "closed" in p.message]
    # and once more: serializing the parsed aid gives the same text
    assert serialize_text(parsed) == serialize_text(aid)


@pytest.mark.slow
@settings(max_examples=200, deadline=None, derandomize=True)
@given(meta=metas, body=bodies, crlf=st.booleans(), bom=st.booleans())
def test_bytes_round_trip_keeps_line_endings_and_bom(meta: dict[str, Any], body: str,
                                                     crlf: bool, bom: bool) -> None:
    body = body.replace("\r", "")  # a lone CR cannot survive CRLF normalisation
    aid = JobAid(meta=meta, body=body, newline="\r\n" if crlf else "\n", bom=bom)
    data = serialize_bytes(aid)
    parsed = parse_bytes(data)
    assert (parsed.meta, parsed.body) == (meta, body)
    assert serialize_bytes(parsed) == data
