"""The bulk query evaluation ranks exactly as Whoosh's matchers do, on a multi-segment index
with deletions, and is what the engine uses for its as-you-type queries."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest
from test_search import AIDS, _bulk_library, library  # noqa: F401 - fixtures

import search.engine as engine_module
from job_aids import LibraryStore
from search import AidIndex, SearchEngine, SearchService, UsageLog
from search.analysis import fold
from search.whoosh_fence import segment_readers

QUERIES = ["print", "printer jam", "install cartridge ", "cafe", "bulk", "bulk aid 3",
           "shared words", "word37x ", "refund", "refund or", "tag:printer pri",
           "kind:reference re", "in:own bulk", '"toner cartridge"', "cartrige", "printer xyzzy",
           "replace", "re", "b", "zzz", "打印", "картридж "]


def _answers(engine: SearchEngine) -> list[list[tuple[str, float]]]:
    return [[(r.path, r.score) for r in engine.search(q, limit=100).results] for q in QUERIES]


# Run in a fresh interpreter with the fast path off: Whoosh exactly as released, no patch.
PRISTINE = """
import pickle, sys
from whoosh import index
from whoosh.codec.whoosh3 import W3PerDocReader, W3TermsReader
from whoosh.matching import ListMatcher
asked = pickle.load(open(sys.argv[2], "rb"))
answers = []
with index.open_dir(sys.argv[1]).searcher() as searcher:
    for query, filter_query, limit in asked:
        hits = searcher.search(query, limit=limit, filter=filter_query)
        answers.append([(hit["path"], hit.score) for hit in hits])
patched = [name for name, value in (("term_info", W3TermsReader.term_info),
           ("doc_field_length", W3PerDocReader.doc_field_length), ("value", ListMatcher.value))
           if not value.__module__.startswith("whoosh.")]
pickle.dump((answers, patched, sorted(m for m in sys.modules if m.split(".")[0] in
             ("search", "job_aids", "app"))),
            open(sys.argv[3], "wb"))
"""


@pytest.mark.fast_path
def test_bulk_evaluation_ranks_as_pristine_whoosh_does(library: LibraryStore,  # noqa: F811
                                                       monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    """The reference side is Whoosh without any of Handrail's patches, in another process: a
    bug in a patch cannot be agreed by both sides."""
    _bulk_library(library, 60, monkeypatch)
    index = AidIndex(library.paths.cache / "index", parallel=False)
    index.update(library)
    # Edits and a deletion: the old versions stay in their segments, marked deleted.
    for number in (3, 37):
        (library.paths.own_library / f"bulk-{number:02}.md").write_text(
            f"# Bulk aid {number}\n\nRewritten with other words and printer.\n")
    (library.paths.own_library / "bulk-05.md").unlink()
    index.update(library)
    reader = index.searcher().reader()
    assert not reader.is_atomic() and reader.has_deletions()

    asked: list[tuple[object, object, int]] = []
    ours: list[list[tuple[str, float]]] = []
    top_hits = engine_module._top_hits

    def recording(searcher: object, query: object, filter_query: object,
                  limit: int) -> list[tuple[float, dict[str, object]]]:
        assert engine_module.can_evaluate(query, searcher) or filter_query is None \
            or not query  # the text queries take the fast path
        hits = top_hits(searcher, query, filter_query, limit)  # type: ignore[arg-type]
        asked.append((query, filter_query, limit))
        ours.append([(str(fields["path"]), score) for score, fields in hits])
        return hits

    monkeypatch.setattr(engine_module, "_top_hits", recording)
    engine = SearchEngine(index, cache=False)
    for query in QUERIES:
        engine.search(query, limit=100)
    evaluated = sum(1 for query, _, _ in asked
                    if engine_module.can_evaluate(query, index.searcher()))
    assert evaluated >= len(QUERIES) - 2  # every text query but the filter-only ones
    (tmp_path / "asked.pickle").write_bytes(pickle.dumps(asked))
    env = {**os.environ, "HANDRAIL_WHOOSH_FAST": "0"}
    subprocess.run([sys.executable, "-c", PRISTINE, str(index.folder),
                    str(tmp_path / "asked.pickle"), str(tmp_path / "answers.pickle")],
                   check=True, env=env, timeout=120)
    theirs, patched, handrail_modules = pickle.loads((tmp_path / "answers.pickle").read_bytes())
    assert patched == [], f"the reference Whoosh was patched: {patched}"
    # Only the schema's field types (pickled in the index) were imported, not the fence.
    assert "search.whoosh_fence" not in handrail_modules and "search.analysis" in handrail_modules
    assert len(theirs) == len(ours)
    for mine, reference in zip(ours, theirs, strict=True):
        assert [path for path, _ in mine] == [path for path, _ in reference]
        assert [score for _, score in mine] == pytest.approx([s for _, s in reference],
                                                             rel=1e-6)
    assert sum(1 for answer in ours if answer) > len(QUERIES) - 4  # it was not all empty
    assert all(path.endswith(".md") and "bulk-05" not in path
               for answer in ours for path, _ in answer)
    index.close()


def test_words_that_say_nothing_find_nothing_and_keep_the_prefix_alone(
        library: LibraryStore) -> None:  # noqa: F811
    index = AidIndex(library.paths.cache / "index")
    index.update(library)
    engine = SearchEngine(index)
    assert engine.search("how ").results == []
    # "which" says nothing: "pri" is typed alone and completes titles, as "pri" would
    assert [r.title for r in engine.search("which pri").results] == \
        [r.title for r in engine.search("pri").results] != []
    index.close()


@pytest.mark.fast_path
def test_caches_kept_for_typing_are_dropped_when_asked(library: LibraryStore) -> None:  # noqa: F811
    index = AidIndex(library.paths.cache / "index")
    index.update(library)
    engine = SearchEngine(index)
    before = [(r.path, r.score) for r in engine.search("printer jam").results]
    leaves = [leaf for leaf, _ in segment_readers(index.searcher())]
    assert any("_handrail_postings" in leaf.__dict__ for leaf in leaves)
    assert any("_handrail_term_infos" in leaf._terms.__dict__ for leaf in leaves)
    assert fold.cache_info().currsize > 0
    SearchService(library, index, UsageLog(library.paths.state / "usage.sqlite3"), engine).shrink()
    assert fold.cache_info().currsize == 0
    assert not any("_handrail_postings" in leaf.__dict__ for leaf in leaves)
    assert not any("_handrail_term_infos" in leaf._terms.__dict__ for leaf in leaves)
    assert not engine._cache and not index.vocabulary._prefix_cache
    assert [(r.path, r.score) for r in engine.search("printer jam").results] == before
    index.close()
