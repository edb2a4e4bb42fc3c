"""The bulk segment writer writes the very files Whoosh's own writer writes for the same
documents, and the index reads them as its own."""

from __future__ import annotations

import os
import pickle
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from whoosh import index as whoosh_index
from whoosh.query import Term
from whoosh.reading import SegmentReader

from search.analysis import WeightedTerms
from search.index import build_schema
from search.segment_writer import BulkSegmentWriter
from search.whoosh_fence import new_codec

pytestmark = pytest.mark.fast_path
ROOT = Path(__file__).resolve().parent.parent
WORDS = ["print", "toner", "jam", "café", "打印", "картридж", "refund", "label", "z" * 40]


def _documents(count: int) -> list[dict[str, Any]]:
    rng = random.Random(3)
    documents = []
    for number in range(count):
        # "common" is in every document (several blocks of postings), "rare…" in one (inlined).
        content = WeightedTerms(Counter({"common": 2, f"rare{number}": 1}),
                                Counter({"common": 1, f"rare{number}": 14}))
        for word in rng.sample(WORDS, 3):
            content.counts[word] = rng.randint(1, 4)
            content.extra[word] = rng.choice([0, 1, 3, 14, 20])
        if number % 7 == 0:
            content.counts["seventh"] = 1  # same weight everywhere: stored as one number
        title = rng.sample(WORDS, 2) + ["common"] if number % 5 else []  # some without title
        documents.append({
            "path": f"/lib/aid-{number}.md", "id": f"id-{number}", "collection": "own",
            "kind": rng.choice(["checklist", "procedure"]), "stamp": f"{number}:1",
            "title": title, "_stored_title": " ".join(title).title(),
            "content": content, "summary": "" if number % 3 else f"Summary {number}",
            "tags": "printer office" if number % 4 == 0 else "",
            "apps": "saplogon" if number % 6 == 0 else "",
            "app_titles": "", "review_by": "2020-01-01" if number % 9 == 0 else "",
        })
    return documents


def _segment_files(folder: Path, segment: Any) -> dict[str, bytes]:
    """The segment's files by name without its random id."""
    prefix = f"{segment.indexname}_{segment.segid}"
    return {path.name.replace(prefix, "SEG"): path.read_bytes()
            for path in folder.iterdir() if path.name.startswith(prefix)}


# Whoosh's own writer, in a fresh interpreter with the fast path off: none of Handrail's
# patches. It gets only the alias Whoosh 2.7.5 lacks to write inlined postings at all (it
# calls ``set_inline``, its term info has ``set_inlined``).
PRISTINE_WRITER = """
import os, pickle, sys
from whoosh import index
from whoosh.codec.whoosh3 import W3Codec, W3PerDocReader, W3TermInfo
from whoosh.reading import SegmentReader
from whoosh.writing import SegmentWriter
from search.index import build_schema
assert W3PerDocReader.doc_field_length.__module__.startswith("whoosh.")
W3TermInfo.set_inline = W3TermInfo.set_inlined
folder, compression = sys.argv[1], int(sys.argv[2])
documents = pickle.load(open(sys.argv[3], "rb"))
ix = index.create_in(folder, build_schema())
writer = SegmentWriter(ix, _lk=False, compound=False,
                       codec=W3Codec(inlinelimit=2, compression=compression))
for document in documents:
    writer.add_document(**document)
segment = writer._finalize_segment()
reader = SegmentReader(ix.storage, ix.schema, segment)
stored = [reader.stored_fields(n) for n in range(segment.doc_count_all())]
from whoosh.codec.whoosh3 import W3TermsReader
from whoosh.matching import ListMatcher
assert all(f.__module__.startswith("whoosh.") for f in (
    W3PerDocReader.doc_field_length, W3TermsReader.term_info, ListMatcher.value))  # unpatched
pickle.dump((f"{segment.indexname}_{segment.segid}", segment.doc_count_all(),
             segment._fieldlengths, stored), open(sys.argv[4], "wb"))
"""


@pytest.mark.parametrize(("count", "compression"), [(1, 3), (300, 3), (300, 0)])
def test_files_are_those_whoosh_writes(tmp_path: Path, count: int, compression: int) -> None:
    documents = _documents(count)
    ours_folder, theirs_folder = tmp_path / "ours", tmp_path / "theirs"
    ours_folder.mkdir()
    theirs_folder.mkdir()

    (tmp_path / "documents.pickle").write_bytes(pickle.dumps(documents))
    subprocess.run([sys.executable, "-c", PRISTINE_WRITER, str(theirs_folder), str(compression),
                    str(tmp_path / "documents.pickle"), str(tmp_path / "theirs.pickle")],
                   check=True, cwd=ROOT, env={**os.environ, "HANDRAIL_WHOOSH_FAST": "0"},
                   timeout=120)
    prefix, their_count, their_lengths, their_stored = pickle.loads(
        (tmp_path / "theirs.pickle").read_bytes())

    ours_ix = whoosh_index.create_in(str(ours_folder), build_schema())
    writer = BulkSegmentWriter(ours_ix.storage, ours_ix.schema, new_codec(compression))
    for document in documents:
        writer.add_document(**document)
    ours_segment = writer.finish()

    ours = _segment_files(ours_folder, ours_segment)
    theirs = {path.name.replace(prefix, "SEG"): path.read_bytes()
              for path in theirs_folder.iterdir() if path.name.startswith(prefix)}
    assert sorted(ours) == sorted(theirs)
    assert {".trm", ".pst", "._stored.col", "._content_len.col"} <= {name[3:] for name in ours}
    for name in theirs:
        if name != "SEG._stored.col":  # stored fields are not compressed: compared below
            assert ours[name] == theirs[name], f"{name} differs"
    assert ours_segment.doc_count_all() == their_count == count
    assert ours_segment._fieldlengths == their_lengths
    reader = SegmentReader(ours_ix.storage, ours_ix.schema, ours_segment)
    stored = [reader.stored_fields(number) for number in range(count)]
    assert stored == their_stored
    assert stored[-1]["path"] == f"/lib/aid-{count - 1}.md"


@pytest.mark.parametrize("compression", [3, 0])
def test_the_index_reads_and_merges_the_segment_as_its_own(tmp_path: Path,
                                                           compression: int) -> None:
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    writer = BulkSegmentWriter(ix.storage, ix.schema, new_codec(compression))
    for document in _documents(300):
        writer.add_document(**document)
    segment = writer.finish()
    commit = ix.writer(codec=new_codec())
    commit._commit_toc([segment])
    commit._finish()

    def check(expected_docs: int) -> None:
        with whoosh_index.open_dir(str(tmp_path)).searcher() as searcher:
            assert searcher.doc_count() == expected_docs
            assert len(searcher.search(Term("content", "common"), limit=None)) == 300
            assert [hit["path"] for hit in searcher.search(Term("content", "rare17"))] == \
                ["/lib/aid-17.md"]
            assert len(searcher.search(Term("tags", "printer"), limit=None)) == 75
            stored = searcher.document(path="/lib/aid-6.md")
            assert stored is not None and stored["apps"] == "saplogon"
            assert stored["title"] == " ".join(_documents(7)[6]["title"]).title()

    check(300)
    # Whoosh merges it with a segment of its own into one, reading it as any other.
    merging = whoosh_index.open_dir(str(tmp_path)).writer(codec=new_codec())
    merging.add_document(path="/lib/extra.md", id="extra", title=["extra"],
                         content=WeightedTerms.of(["extra", "words"]))
    merging.commit(optimize=True)
    merged = whoosh_index.open_dir(str(tmp_path))
    assert len(merged._segments()) == 1
    check(301)


def test_unknown_fields_are_refused(tmp_path: Path) -> None:
    ix = whoosh_index.create_in(str(tmp_path), build_schema())
    writer = BulkSegmentWriter(ix.storage, ix.schema, new_codec())
    with pytest.raises(Exception, match="colour"):
        writer.add_document(path="/x.md", colour="red")
