"""Writing a new index segment from many documents at once, in Whoosh's own file format.

Whoosh's ``SegmentWriter`` puts every posting, as a tuple, through a sorting pool, then through
a writer called once per posting; for a big build that was half the time (11 of 22 s for 19k
tldr pages). :class:`BulkSegmentWriter` groups the postings by term as documents arrive and
writes each term's posting list in one go. The term dictionary, postings and lengths are byte
for byte those Whoosh's writer would write, and the stored fields read back the same
(``tests/test_segment_writer.py`` compares them), so Whoosh reads, merges and searches the
segment as its own. Stored fields and field lengths still go through Whoosh's per-document
writer (the stored fields in zlib's uncompressed form).

Only what Handrail's schema uses is supported: no term vectors, spelling fields or sortable
columns. It writes Whoosh 2.7's W3 format, so it runs only on the fast path
(:mod:`search.whoosh_fence`, which also holds the writer internals it needs).
"""

from __future__ import annotations

import struct
import zlib
from array import array
from collections import Counter
from collections.abc import Sequence
from hashlib import md5
from itertools import chain
from operator import sub
from pickle import dumps
from typing import Any

from whoosh.codec.whoosh3 import LENGTHS_COLUMN, WHOOSH3_HEADER_MAGIC, W3Codec
from whoosh.fields import UnknownFieldError
from whoosh.filedb.filetables import OrderedHashWriter
from whoosh.util.numeric import length_to_byte

from .analysis import TermsField
from .whoosh_fence import (
    codec_limits,
    default_index_name,
    length_key,
    perdoc_buffers,
    store_uncompressed,
)

# What W3TermInfo packs: flags, total weight, document frequency, min and max length bytes,
# max weight, first and last document.
_TERM_INFO = struct.Struct("!BfIBBfII")
_FLOAT32 = struct.Struct("f")
_INT = struct.Struct("!i")  # a block's size
_EXTENT = struct.Struct("!qi")  # where a term's postings are: offset, size
_UINT = struct.Struct("!I")  # a count, as Whoosh's Frequency format keeps it
_FIELD = struct.Struct("!H")  # the field number before each key
_RECORD_LENGTHS = struct.Struct("!ii")  # a term table record: key and value lengths

# One term's postings, one after the other: document number, weight, and encoded value (the
# count for TermsFields). One flat list grows faster than three.
_Postings = list[Any]


class BulkSegmentWriter:
    """Collects documents and writes them as one new segment, in ``storage``, of an index with
    ``schema`` (the segment is not committed: it goes into the index's table of contents)."""

    def __init__(self, storage: Any, schema: Any, codec: W3Codec,
                 indexname: str | None = None) -> None:
        self.schema = schema
        for name, field in self.schema.items():
            if field.vector or field.separate_spelling() or field.column_type:
                raise ValueError(f"field {name!r} needs Whoosh's own writer")
        self._storage = storage
        self._codec = codec
        self._segment = codec.new_segment(self._storage, indexname or default_index_name())
        self._perdoc = codec.per_document_writer(self._storage, self._segment)
        # Each aid's stored fields are compressed on their own, a few hundred bytes at a time:
        # zlib took longer per aid than all the rest of its stored fields and lengths. They go in
        # zlib's uncompressed form (level 0); the stored fields are a third bigger.
        store_uncompressed(self._perdoc)
        self._postings: dict[str, dict[Any, _Postings]] = {
            name: {} for name, field in self.schema.items() if field.indexed}
        # Scorable field -> each document's length as Whoosh stores it: one byte (0: none).
        self._lengths: dict[str, list[int]] = {
            name: [] for name, field in self.schema.items() if field.scorable}
        # Each field, in the order Whoosh's writer takes them (by name), with what it needs.
        self._fields = [(name, field, self._postings.get(name), isinstance(field, TermsField),
                         self._lengths.get(name), f"_stored_{name}" if field.stored else None)
                        for name, field in sorted(self.schema.items())]
        self._names = frozenset(self.schema.names())
        self._length_keys = {name: length_key(name) for name in self._lengths}
        self.doc_count = 0

    def add_document(self, **fields: Any) -> None:
        """Like Whoosh's ``add_document``: field values, and ``_stored_<name>`` overrides."""
        unknown = [name for name in fields.keys() - self._names if not name.startswith("_")]
        if unknown:
            raise UnknownFieldError(f"no field named {unknown[0]!r} in the schema")
        docnum = self.doc_count
        perdoc = self._perdoc
        length_keys = self._length_keys
        perdoc.start_doc(docnum)
        stored_fields, total_lengths = perdoc_buffers(perdoc)
        for name, field, terms, analysed, lengths, stored_key in self._fields:
            value = fields.get(name)
            if value is None:
                if lengths is not None:
                    lengths.append(0)
                continue
            length = 0
            if terms is not None:
                if analysed:
                    # Analysed already: kept by term, with counts for values (packed later).
                    weighted = field.weighted_terms(value)
                    counts = weighted.counts
                    items: Any = zip(counts, counts.values(), weighted.weights(),
                                     counts.values(), strict=True)
                else:
                    items = field.index(value)  # (term bytes, count, weight, value bytes)
                for key, count, weight, encoded in items:
                    length += count
                    postings = terms.get(key)
                    if postings is None:
                        terms[key] = [docnum, weight, encoded]
                    else:
                        postings += (docnum, weight, encoded)
            # What W3PerDocWriter.add_field does, without a call per field.
            if stored_key is not None:
                stored_fields[name] = fields.get(stored_key, value)
            if lengths is not None:
                byte = length_to_byte(length) if length else 0
                lengths.append(byte)
                if byte:
                    perdoc.add_column_value(length_keys[name], LENGTHS_COLUMN, byte)
                    total_lengths[name] += length
        perdoc.finish_doc()
        self.doc_count += 1

    def doc_frequencies(self, name: str) -> Counter[str]:
        """How many documents have each term of the analysed field ``name`` (before
        :meth:`finish`)."""
        return Counter({term: len(postings) // 3
                        for term, postings in self._postings.get(name, {}).items()})

    def finish(self) -> Any:
        """Write the segment's files; the segment, for the index's table of contents."""
        self._perdoc.close()
        segment = self._segment
        table = _TermTable(segment.create_file(self._storage, W3Codec.TERMS_EXT))
        postings = _PostingsFile()
        for name in sorted(name for name, terms in self._postings.items() if terms):
            prefix = table.start_field(name)
            analysed = isinstance(self.schema[name], TermsField)
            writer = _PostingListWriter(postings, self.schema[name].format,
                                        self._lengths.get(name), analysed,
                                        *codec_limits(self._codec))
            terms = self._postings[name]
            if analysed:
                # Terms as text sort as their UTF-8 bytes do; values are counts.
                for term in sorted(terms):
                    flat = terms[term]
                    table.add(prefix + term.encode("utf-8"),
                              writer.write(flat[::3], flat[1::3], flat[2::3]))
            else:
                for tbytes in sorted(terms):
                    flat = terms[tbytes]
                    table.add(prefix + tbytes, writer.write(flat[::3], flat[1::3], flat[2::3]))
            terms.clear()
        table.close()
        postings.save(segment.create_file(self._storage, W3Codec.POSTS_EXT))
        segment.set_doc_count(self.doc_count)
        return segment


class _PostingsFile:
    """The postings file, kept in memory until it is complete (one write instead of one per
    block)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []
        self.offset = 0

    def write(self, data: bytes) -> None:
        self._chunks.append(data)
        self.offset += len(data)

    def save(self, file: Any) -> None:
        file.write(b"".join(self._chunks))
        file.close()
        self._chunks.clear()


class _HashWriter(OrderedHashWriter):  # type: ignore[misc]
    """Whoosh's OrderedHashWriter, which writes each bucket's hash table in one piece."""

    def _write_hashes(self) -> None:
        dbfile = self.dbfile
        position = dbfile.tell()
        for entries in self.buckets:
            slots = 2 * len(entries)
            self.directory.append((position, slots))
            if not slots:
                continue
            hashes, places = [0] * slots, [0] * slots  # (0, 0) is an empty slot
            for hashed, place in entries:
                slot = (hashed >> 8) % slots
                while places[slot]:  # a record is never at 0, where the header is
                    slot = (slot + 1) % slots
                hashes[slot], places[slot] = hashed, place
            pairs = [0] * (2 * slots)
            pairs[::2], pairs[1::2] = hashes, places
            data = struct.pack("!" + "Iq" * slots, *pairs)
            dbfile.write(data)
            position += len(data)


class _TermTable:
    """The term dictionary: Whoosh's OrderedHashWriter file, its records written in one go."""

    def __init__(self, file: Any) -> None:
        self._writer = _HashWriter(file)  # writes the header
        self._fieldmap: dict[str, int] = {}
        self._writer.extras["fieldmap"] = self._fieldmap
        self._records: list[bytes] = []
        self._positions: list[int] = []
        self._position = file.tell()

    def start_field(self, name: str) -> bytes:
        """The key prefix of the field's terms."""
        self._fieldmap[name] = len(self._fieldmap)
        return _FIELD.pack(self._fieldmap[name])

    def add(self, key: bytes, value: bytes) -> None:
        """Add a record; keys must come in increasing order."""
        record = _RECORD_LENGTHS.pack(len(key), len(value)) + key + value
        position = self._position
        self._positions.append(position)
        # Whoosh's md5_hash: the digest's last four bytes.
        digest = int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big")
        self._writer.buckets[digest & 255].append((digest, position))
        self._records.append(record)
        self._position = position + len(record)

    def close(self) -> None:
        writer = self._writer
        writer.dbfile.write(b"".join(self._records))
        self._records.clear()
        # The record positions, in the narrowest array type Whoosh's GrowableArray grows to.
        top = max(self._positions, default=0)
        typecode = "H" if top < 2**16 else "i" if top < 2**31 else "I" if top < 2**32 else "q"
        writer.index.array = array(typecode, self._positions)
        writer.close()


class _PostingListWriter:
    """Writes one field's posting lists, each as W3PostingsWriter and W3TermInfo would."""

    def __init__(self, file: _PostingsFile, format_: Any, length_bytes: list[int] | None,
                 counted: bool, inline_limit: int, block_limit: int, compression: int) -> None:
        self._file = file
        self._compression = compression  # zlib level (0: none); every block, however small
        fixed = format_.fixed_value_size()
        self._values_kind = "tuple" if fixed is None or fixed < 0 else \
            "none" if fixed == 0 else "joined"
        # Values are counts, packed here (Whoosh's Frequency format, 4 bytes each).
        self._counted = counted
        assert not counted or fixed == _UINT.size
        self._length_bytes = length_bytes
        self._inline_limit = inline_limit
        self._block_limit = block_limit

    def _length_range(self, ids: Sequence[int]) -> tuple[int, int]:
        """The smallest and largest length byte of the documents (0 for none)."""
        if self._length_bytes is None:
            return 0, 0
        present = [byte for byte in map(self._length_bytes.__getitem__, ids) if byte]
        return (min(present), max(present)) if present else (0, 0)

    def write(self, ids: list[int], weights: list[float], values: list[Any]) -> bytes:
        """Write a term's postings; its term info, as the term table stores it."""
        count = len(ids)
        if count < self._inline_limit:
            return self._inlined(ids, weights, values)
        file = self._file
        start = file.offset
        file.write(WHOOSH3_HEADER_MAGIC)
        total_weight = 0.0
        term_min_byte = term_max_byte = 0
        term_max_weight: float = 0
        limit = self._block_limit
        for first in range(0, count, limit):
            block_ids = ids[first:first + limit] if count > limit else ids
            raw_weights = weights[first:first + limit] if count > limit else weights
            floats = array("f", raw_weights)
            min_byte, max_byte = self._length_range(block_ids)
            max_weight = _max_weight(raw_weights)
            total_weight += sum(floats)
            if min_byte and (not term_min_byte or min_byte < term_min_byte):
                term_min_byte = min_byte
            term_max_byte = max(term_max_byte, max_byte)
            term_max_weight = max(term_max_weight, max_weight)
            data = dumps((_deltas(block_ids), _mini_weights(floats),
                          self._mini_values(values[first:first + limit])), 2)
            if self._compression:
                data = zlib.compress(data, self._compression)
            info = dumps((len(block_ids), block_ids[-1], max_weight, self._compression,
                          min_byte, max_byte), 2)
            size = len(info) + len(data)
            file.write(_INT.pack(-size if first + limit >= count else size) + info + data)
        extent = _EXTENT.pack(start, file.offset - start)
        return _TERM_INFO.pack(0, total_weight, count, term_min_byte, term_max_byte,
                               term_max_weight, ids[0], ids[-1]) + extent

    def _inlined(self, ids: list[int], weights: list[float], values: list[Any]) -> bytes:
        """The term info of a term whose few postings are kept inside it."""
        if self._counted:
            values = list(map(_UINT.pack, values))
        else:
            values = [value for value in values if value]  # as Whoosh keeps them
        if len(ids) == 1:  # most terms: one aid has them
            floats = _FLOAT32.unpack(_FLOAT32.pack(weights[0]))
            min_byte = max_byte = \
                self._length_bytes[ids[0]] if self._length_bytes is not None else 0
        else:
            floats = tuple(array("f", weights))
            min_byte, max_byte = self._length_range(ids)
        return _TERM_INFO.pack(1, sum(floats), len(ids), min_byte, max_byte,
                               _max_weight(weights), ids[0], ids[-1]) + \
            dumps((tuple(ids), floats, tuple(values)), 2)

    def _mini_values(self, values: list[Any]) -> Any:
        if self._counted:
            return struct.pack(f"!{len(values)}I", *values)
        values = [value for value in values if value]
        if self._values_kind == "none":
            return None
        if self._values_kind == "joined":
            return b"".join(values)
        return tuple(values)


def _max_weight(weights: list[float]) -> float:
    """The largest weight, or 0 when none is positive (as Whoosh keeps it)."""
    best: float = 0
    for weight in weights:
        if weight > best:
            best = weight
    return best


def _deltas(ids: list[int]) -> tuple[int, ...]:
    return tuple(map(sub, ids, chain((0,), ids)))


def _mini_weights(weights: array[float]) -> Any:
    if all(weight == 1.0 for weight in weights):
        return None
    if all(weight == weights[0] for weight in weights):
        return weights[0]
    return tuple(weights)
