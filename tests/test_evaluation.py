"""The bulk query evaluation ranks exactly as Whoosh's matchers do, on a multi-segment index
with deletions, and is what the engine uses for its as-you-type queries."""

from __future__ import annotations

import pytest
from test_search import AIDS, _bulk_library, library  # noqa: F401 - fixtures

import search.engine as engine_module
from job_aids import LibraryStore
from search import AidIndex, SearchEngine, SearchService, UsageLog
from search.analysis import fold
from search.codec import segment_readers

QUERIES = ["print", "printer jam", "install cartridge ", "cafe", "bulk", "bulk aid 3",
           "shared words", "word37x ", "refund", "refund or", "tag:printer pri",
           "kind:reference re", "in:own bulk", '"toner cartridge"', "cartrige", "printer xyzzy",
           "replace", "re", "b", "zzz", "打印", "картридж "]


def _answers(engine: SearchEngine) -> list[list[tuple[str, float]]]:
    return [[(r.path, r.score) for r in engine.search(q, limit=100).results] for q in QUERIES]


def test_bulk_evaluation_ranks_as_whoosh_does(library: LibraryStore,  # noqa: F811
                                              monkeypatch: pytest.MonkeyPatch) -> None:
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

    used: list[str] = []
    bulk = engine_module.top_documents

    def counting(*args: object, **kwargs: object) -> object:
        used.append("bulk")
        return bulk(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine_module, "top_documents", counting)
    ours = _answers(SearchEngine(index, cache=False))
    assert len(used) >= len(QUERIES) - 2  # every text query but the filter-only ones
    monkeypatch.setattr(engine_module, "can_evaluate", lambda query, searcher: False)
    theirs = _answers(SearchEngine(index, cache=False))
    assert ours == theirs
    assert sum(1 for answer in ours if answer) > len(QUERIES) - 4  # it was not all empty
    assert all(path.endswith(".md") and "bulk-05" not in path
               for answer in ours for path, _ in answer)
    assert len(ours[QUERIES.index("bulk")]) == 59
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


def test_caches_kept_for_typing_are_dropped_when_asked(library: LibraryStore) -> None:  # noqa: F811
    index = AidIndex(library.paths.cache / "index")
    index.update(library)
    engine = SearchEngine(index)
    before = [(r.path, r.score) for r in engine.search("printer jam").results]
    leaves = [leaf for leaf, _ in segment_readers(index.searcher())]
    assert any("_handrail_postings" in leaf.__dict__ for leaf in leaves)
    assert any("_handrail_term_infos" in leaf._terms.__dict__ for leaf in leaves)
    assert fold.cache_info().currsize > 0
    SearchService(library, index, UsageLog(library.paths.state / "usage.json"), engine).shrink()
    assert fold.cache_info().currsize == 0
    assert not any("_handrail_postings" in leaf.__dict__ for leaf in leaves)
    assert not any("_handrail_term_infos" in leaf._terms.__dict__ for leaf in leaves)
    assert not engine._cache and not index.vocabulary._prefix_cache
    assert [(r.path, r.score) for r in engine.search("printer jam").results] == before
    index.close()
