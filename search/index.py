"""The Whoosh index of every collection, kept in the cache folder.

It is a cache: missing, of an older schema, damaged, or left locked by a dead process, it is
rebuilt from the library. One writer at a time; one long-lived searcher, refreshed after a commit.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.fields import STORED, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.searching import Searcher
from whoosh.util.filelock import try_for

from job_aids import JobAid, LibraryStore, read_aid
from job_aids.atomic import TEMP_SUFFIX, atomic_write_text
from job_aids.locking import WriteLock
from job_aids.store import scan_stamps

from .analysis import SURFACES, KeyField, KeywordsField, TermsField
from .documents import aid_fields, stamp_of
from .errors import BUSY, IndexBusyError, converts_errors, map_os_errors
from .evaluation import forget_postings
from .integrity import Manifest
from .parallel_build import PART_FOLDER, ParallelWriter, WrittenJob
from .vocabulary import Vocabulary
from .whoosh_fence import (
    activate,
    fast_path,
    forget_term_infos,
    new_codec,
    segment_readers,
    writer_options,
)

SCHEMA_VERSION = 7  # 2: question words dropped as stop words; 3: id searchable;
# 4: each apps entry stored as "app<TAB>title pattern", title-only entries marked;
# 5: tags, apps, owner and updated stored for the Library window; document and url patterns;
# 6: created stored (a gap is filled by an aid written after it);
# 7: derived_from searchable (a user's own copy ranks above the aid it was copied from)
META_FILE = "handrail-index.json"
SURFACES_FILE = "surfaces.json"
STATE_FILE = "handrail-state.tsv"
SEARCHED_FIELDS = ("content", "title")
MAX_SEGMENTS = 12    # small commits add a segment each; past this many they are merged
BIG_UPDATE = 500     # more changed aids than this: batches, parallel writing, vocabulary reload
FIRST_BATCH = 250    # aids written (and searchable) before the rest of a big build
PARALLEL_JOBS = 2    # worker processes (and new segments) for the rest of a big build

Progress = Callable[[int, int], None]
log = logging.getLogger(__name__)


def build_schema() -> Schema:
    return Schema(
        path=KeyField(stored=True, unique=True),
        id=KeyField(stored=True),           # pinned and recent aids are looked up by id
        stamp=STORED(),
        collection=KeyField(stored=True),
        kind=KeyField(stored=True),
        title=TermsField(stored=True),     # the title alone: short prefixes match here first
        content=TermsField(),              # every word, weighted by zone (documents.py)
        summary=STORED(),
        tags=KeywordsField(lowercase=True),      # for tag: filters
        apps=KeywordsField(stored=True, lowercase=True),
        app_titles=STORED(),
        review_by=STORED(),
        tag_names=STORED(),
        app_names=STORED(),
        owner=STORED(),
        updated=STORED(),
        created=STORED(),
        derived_from=KeyField(stored=True),  # the id of the aid this one is a copy of
    )


@dataclass(frozen=True)
class UpdateStats:
    added: int
    updated: int
    removed: int
    seconds: float
    rebuilt_because: str | None = None

    @property
    def changed(self) -> int:
        return self.added + self.updated + self.removed


class AidIndex:
    def __init__(self, folder: Path, *, writer_timeout: float = 10.0,
                 parallel: bool = True, write_lock: WriteLock | None = None) -> None:
        """``parallel`` lets a big build fork a second writer process (not from a GUI thread)."""
        self.folder = folder
        self._parallel = parallel
        self._writer_timeout = writer_timeout
        self._ix: Any = None
        self._searcher: Searcher | None = None
        # path -> stamp of every indexed aid. Between full updates it stays in the state file
        # (10 MB for 38k aids in memory); changes since it was written wait in _stamp_changes.
        self._stamps: dict[str, str] | None = {}
        self._stamp_changes: dict[str, str | None] = {}
        self.vocabulary = Vocabulary()        # terms of the content field
        self.title_vocabulary = Vocabulary()  # terms of titles, for one- and two-letter prefixes
        self.lock = threading.RLock()  # guards the searcher; Whoosh searchers are not shared
        self.rebuilt_because: str | None = None
        self._surfaces_saved = 0
        self.generation = 0  # bumped whenever what a search would find may have changed
        self._vocabulary_saved = -1
        self._lock_holder: int | None = None  # the thread of a big build holding the lock
        # Every process writing this index holds this lock for the whole update or rebuild
        # (a search or `index` during a rebuild doubled the index); it lies beside the
        # folder, which a rebuild replaces.
        self._index_lock = write_lock or WriteLock(folder.parent / f".{folder.name}.lock",
                                                   what="the search index",
                                                   timeout=writer_timeout)
        self._manifest = Manifest()
        self.damaged: str | None = None  # damage found: the next update rebuilds beside it
        self.on_damage: Callable[[str], None] | None = None  # told when damage is found
        self._opened_as: tuple[int, int] | None = None  # the folder and generation searched
        self._looked = 0.0

    # -- opening and recovery -------------------------------------------------------------
    @converts_errors("open the search index in")
    def open(self) -> None:
        """Open the index, creating or rebuilding it (empty) when it cannot be used."""
        fence = activate()
        with self.lock:
            if self._try_open(fence.enabled) is None:
                return
        # Re-made under the write lock, after looking again: another process may have just
        # rebuilt it (two rebuilds at once made one fail on the other's deleted files).
        with self._index_lock.held(), self.lock:
            reason = self._try_open(fence.enabled)
            if reason is not None:
                log.info("search index: rebuilding, because %s", reason)
                self._create(reason)

    def _try_open(self, fast: bool) -> str | None:
        """Open the index as it is; why it cannot be used, if so."""
        reason = self._problem(fast)
        if reason is not None:
            return reason
        try:
            self._ix = whoosh_index.open_dir(str(self.folder))
            self._check_files(deep=False)
            self._load_state()
        except Exception as error:  # noqa: BLE001 - any damage means "rebuild"
            self._drop()
            return f"the index was damaged ({type(error).__name__}: {error})"
        return None

    def _check_files(self, *, deep: bool) -> None:
        """Compare the files with the manifest of the last commit (sizes, or checksums)."""
        manifest = Manifest.read(self.folder)
        generation = self._ix.latest_generation()
        if manifest is None or manifest.generation != generation:
            # No manifest yet (an index of an older Handrail), or a commit whose manifest was
            # not written (killed just then): take the files as they are now.
            self._manifest = Manifest()
            try:
                self._manifest.refresh(self.folder, generation)
            except OSError:
                pass
            return
        self._manifest = manifest
        damage = manifest.damage(self.folder, deep=deep)
        if damage is not None:
            self.note_damage(f"the index was damaged: {damage}")

    def note_damage(self, reason: str) -> None:
        """Damage was found (on opening, or by a search): the next update rebuilds the index
        beside this one, which answers meanwhile from what is sound."""
        if self.damaged is None:
            log.warning("search index: %s; it is rebuilt from the library", reason)
        self.damaged = reason
        if self.on_damage is not None:
            self.on_damage(reason)

    @converts_errors("check the search index in")
    def verify(self) -> str | None:
        """Compare every file's checksum with the manifest; the damage found, if any."""
        with self.lock:
            if self._ix is None:
                self.open()
            self._check_files(deep=True)
            return self.damaged

    def _problem(self, fast: bool) -> str | None:
        meta = self.folder / META_FILE
        if not meta.is_file():
            return "there was no index yet" if not self.folder.exists() else \
                "the index had no version marker"
        try:
            marker = json.loads(meta.read_text(encoding="utf-8"))
            version = marker.get("schema")
        except (OSError, ValueError, AttributeError):
            return "the index version marker was damaged"
        if version != SCHEMA_VERSION:
            return f"the index was of an older format (version {version})"
        if marker.get("fast", True) and not fast:
            # Its segments keep postings inside the term dictionary, which plain Whoosh
            # cannot merge (the patch that lets it is part of the fast path).
            return "the index was written by the fast path, which is off"
        return None

    def _create(self, reason: str) -> None:
        self._refuse_if_written()
        self._drop()
        with map_os_errors("create the search index in", self.folder):
            _remove(self.folder)  # a file in its place too
            self.folder.mkdir(parents=True, exist_ok=True)
            self._ix = whoosh_index.create_in(str(self.folder), build_schema())
            (self.folder / META_FILE).write_text(
                json.dumps({"schema": SCHEMA_VERSION, "fast": fast_path()}), encoding="utf-8")
            self._manifest = Manifest()
            self._manifest.refresh(self.folder, self._ix.latest_generation())
        self.damaged = None
        self._stamps, self._stamp_changes = {}, {}
        self.vocabulary = Vocabulary()
        self.title_vocabulary = Vocabulary()
        self._searcher = self._ix.searcher()
        self._opened_as = self._on_disk()
        self.generation += 1
        self.rebuilt_because = reason

    def _refuse_if_written(self) -> None:
        """A writer of another program (plain Whoosh, an older Handrail) holds Whoosh's own
        lock: the index is not deleted under it (a rebuild ignored a live write lock)."""
        if self._written_by_other():
            raise IndexBusyError(BUSY)

    def _written_by_other(self) -> bool:
        """Whether a writer outside this object holds Whoosh's lock on the index."""
        if not (self.folder / "MAIN_WRITELOCK").is_file() or self._lock_holder is not None:
            return False
        lock = FileStorage(str(self.folder)).lock("MAIN_WRITELOCK")
        if not lock.acquire(blocking=False):
            return True
        lock.release()
        return False

    def _drop(self) -> None:
        """Let go of the index without saving its state (it is being replaced)."""
        if self._searcher is not None:
            self._searcher.close()
            self._searcher = None
        self._ix = None

    def _on_disk(self) -> tuple[int, int] | None:
        """The index folder's identity and latest generation: a rebuild by another process
        puts a new folder in place, a commit adds a generation."""
        try:
            return os.stat(self.folder).st_ino, int(self._ix.latest_generation())
        except (OSError, AttributeError, ValueError):
            return None

    def refresh_if_replaced(self, *, now: bool = False) -> bool:
        """Open the index anew if another process rebuilt it or committed to it since this
        one opened it (looked at twice a second at most, unless ``now``); True if it did."""
        moment = time.monotonic()
        if self._ix is None or (not now and moment - self._looked < 0.5):
            return False
        self._looked = moment
        with self.lock:
            if self._on_disk() == self._opened_as:
                return False
            log.info("search index: changed by another process; opened again")
            self._drop()
            self.open()
            self.generation += 1
            return True

    def _load_state(self) -> None:
        searcher = self._ix.searcher()
        self._searcher = searcher
        self._opened_as = self._on_disk()
        if not self._load_saved_state():
            self._read_stamps_from_index()
            self._read_vocabularies(searcher)
            self._save_state()
        try:
            SURFACES.update(json.loads((self.folder / SURFACES_FILE).read_text("utf-8")))
        except (OSError, ValueError):
            pass  # only the wording of "did you mean" suffers

    def _save_surfaces(self) -> None:
        if len(SURFACES) == self._surfaces_saved:
            return
        self._surfaces_saved = len(SURFACES)
        known = {stem: word for stem, word in SURFACES.items() if self.vocabulary.frequency(stem)}
        try:
            (self.folder / SURFACES_FILE).write_text(json.dumps(known), encoding="utf-8")
        except OSError:
            pass

    def _load_saved_state(self) -> bool:
        """File stamps and vocabularies saved with this generation of the index, if any.

        Reading them from Whoosh (every stored document, every term's info) takes seconds on
        a big library; this file takes a fraction of that.
        """
        generation = self._ix.latest_generation()
        try:
            with open(self.folder / STATE_FILE, encoding="utf-8",
                      errors="surrogateescape") as handle:
                header = handle.readline().split("\t")
                if header[:2] != ["generation", f"{generation}\n"]:
                    return False
                content: list[tuple[str, int]] = []
                titles: list[tuple[str, int]] = []
                stamps: int | None = None
                for line in handle:
                    kind, key, value = line.rstrip("\n").split("\t")
                    if kind == "n":
                        stamps = int(value)
                    elif kind != "s":
                        (content if kind == "c" else titles).append((key, int(value)))
        except (OSError, ValueError):
            return False
        if stamps is None or stamps != self._ix.doc_count():
            return False  # a state file without its stamps made every aid look new
        self._stamps, self._stamp_changes = None, {}  # read when an update needs them
        self._vocabulary_saved = generation
        self.vocabulary, self.title_vocabulary = Vocabulary(), Vocabulary()
        self.vocabulary.add(content)
        self.title_vocabulary.add(titles)
        return True

    # -- stamps -----------------------------------------------------------------------------
    def _all_stamps(self) -> dict[str, str]:
        """Every indexed path's stamp, read from the state file if it was set aside."""
        if self._stamps is None:
            stamps: dict[str, str] = {}
            expected = -1
            with open(self.folder / STATE_FILE, encoding="utf-8",
                      errors="surrogateescape") as handle:
                for line in handle:
                    if line.startswith("s\t"):
                        _, key, value = line.rstrip("\n").split("\t")
                        stamps[key] = value
                    elif line.startswith("n\t"):
                        expected = int(line.rstrip("\n").split("\t")[2])
            if expected != len(stamps):
                raise ValueError(f"the state file has {len(stamps)} stamps of {expected}")
            for key, stamp in self._stamp_changes.items():
                if stamp is None:
                    stamps.pop(key, None)
                else:
                    stamps[key] = stamp
            self._stamps, self._stamp_changes = stamps, {}
        return self._stamps

    def _read_stamps_from_index(self) -> dict[str, str]:
        """The stamps as Whoosh stored them (every stored document: seconds on a big index)."""
        with self.lock:
            stamps = {fields["path"]: fields.get("stamp", "")
                      for fields in self.searcher().all_stored_fields()}
            self._stamps, self._stamp_changes = stamps, {}
        return stamps

    def _set_stamp(self, key: str, stamp: str | None) -> None:
        if self._stamps is None:
            self._stamp_changes[key] = stamp
        elif stamp is None:
            self._stamps.pop(key, None)
        else:
            self._stamps[key] = stamp

    def _is_indexed(self, key: str) -> bool:
        if self._stamps is not None:
            return key in self._stamps
        if key in self._stamp_changes:
            return self._stamp_changes[key] is not None
        with self.lock:
            return self.searcher().document_number(path=key) is not None

    def _save_stamps(self) -> None:
        """Save the stamps with the index; they stay in memory for the next full update.

        (They used to be set aside in the state file between updates, but the watcher's
        rescan, once a minute, read them back each time: the 38k tldr pages' stamps raised
        the app's memory by 5 MB and more that it never gave back; keeping them costs about
        9 MB once.)
        """
        with self.lock:
            if self._stamps is not None and self._ix is not None:
                self._save_state()

    def _save_state(self) -> None:
        """Save stamps and vocabularies for the next start (see :meth:`_load_saved_state`)."""
        if self._ix is None:
            return
        generation = self._ix.latest_generation()
        if generation == self._vocabulary_saved:
            return
        lines = [f"generation\t{generation}\n"]
        lines += [f"c\t{t}\t{n}\n" for t, n in self.vocabulary.items()]
        lines += [f"t\t{t}\t{n}\n" for t, n in self.title_vocabulary.items()]
        aside = self._stamps is None
        try:
            stamps = self._all_stamps()
        except (OSError, ValueError):
            return  # the state file went missing: the next start reads the index instead
        kept = [f"s\t{p}\t{stamp}\n" for p, stamp in stamps.items()
                if "\t" not in p and "\n" not in p]
        lines += [f"n\tstamps\t{len(kept)}\n", *kept]
        try:
            atomic_write_text(self.folder / STATE_FILE, "".join(lines))
            self._vocabulary_saved = generation
            if aside:
                self._stamps = None
        except OSError:
            pass  # only the next start is slower

    def _read_vocabularies(self, searcher: Searcher) -> None:
        # Segment by segment: a multi-segment reader merges term infos one term at a time,
        # which made opening a 7k-page index take seconds.
        leaves = [leaf for leaf, _ in segment_readers(searcher)]
        for field, vocabulary in (("content", Vocabulary()), ("title", Vocabulary())):
            for leaf in leaves:
                vocabulary.add((text.decode("utf-8") if isinstance(text, bytes) else text,
                                info.doc_frequency())
                               for text, info in leaf.iter_field(field))
            if field == "content":
                self.vocabulary = vocabulary
            else:
                self.title_vocabulary = vocabulary

    def close(self) -> None:
        with self.lock:
            self._save_state()
            if self._searcher is not None:
                self._searcher.close()
                self._searcher = None
            self._ix = None

    # -- reading --------------------------------------------------------------------------
    def searcher(self) -> Searcher:
        if self._searcher is None:
            self.open()
        assert self._searcher is not None
        return self._searcher

    def forget_caches(self) -> None:
        """Drop the postings, term infos and completions kept for typing."""
        with self.lock:
            if self._searcher is not None:
                forget_postings(self._searcher)
                forget_term_infos(self._searcher)
            self.vocabulary.forget_completions()
            self.title_vocabulary.forget_completions()

    @property
    def doc_count(self) -> int:
        with self.lock:
            return int(self.searcher().doc_count())

    # -- writing --------------------------------------------------------------------------
    @converts_errors("update the search index in")
    def update(self, store: LibraryStore, progress: Progress | None = None) -> UpdateStats:
        """Bring the index in line with the library: add, re-index and drop what changed;
        rebuild it beside itself if it was found damaged."""
        with self._index_lock.held():
            self._clean_leftovers()
            if self._ix is None:
                self.open()
            if self.damaged is not None:
                return self._rebuild_beside(store, progress, self.damaged)
            return self._update(store, progress)

    def _update(self, store: LibraryStore, progress: Progress | None) -> UpdateStats:
        started = time.perf_counter()
        if self._ix is None:
            self.open()
        rebuilt = self.rebuilt_because
        self.rebuilt_because = None
        try:
            stamps = self._all_stamps()
        except (OSError, ValueError):  # the state file went missing: ask the index
            stamps = self._read_stamps_from_index()
        todo, removed = _changes(store.collections.all(), stamps)
        added = sum(1 for key, _ in todo if key not in stamps)
        if todo or removed:
            self._write(todo, removed, progress)
        self._save_stamps()
        stats = UpdateStats(added, len(todo) - added, len(removed),
                            time.perf_counter() - started, rebuilt)
        log.debug("search index: %d added, %d updated, %d removed in %.2f s", stats.added,
                  stats.updated, stats.removed, stats.seconds)
        return stats

    @converts_errors("update the search index in")
    def update_paths(self, store: LibraryStore, paths: Iterable[Path]) -> UpdateStats:
        """Re-index just these files (changed, created or deleted): the fast path for edits."""
        with self._index_lock.held():
            if self._ix is None:
                self.open()
            if self.damaged is not None:
                return self._rebuild_beside(store, None, self.damaged)
            return self._update_paths(store, paths)

    def _update_paths(self, store: LibraryStore, paths: Iterable[Path]) -> UpdateStats:
        started = time.perf_counter()
        todo, removed = [], []
        for path in paths:
            collection = store.collection_for(path)
            if collection is None or not path.is_file():
                if self._is_indexed(str(path)):
                    removed.append(str(path))
                continue
            stat = path.stat()
            todo.append((str(path), (collection, path, stamp_of(stat.st_mtime_ns, stat.st_size))))
        added = sum(1 for key, _ in todo if not self._is_indexed(key))
        if todo or removed:
            self._write(todo, removed, None)
        return UpdateStats(added, len(todo) - added, len(removed), time.perf_counter() - started)

    def _writer(self) -> Any:
        # compound=False: Whoosh reads a compound segment file into memory whole (a BytesIO
        # copy of each part), so the index would cost its size in RAM; separate files are
        # memory-mapped and paged in as needed.
        options: dict[str, Any] = {
            "timeout": self._writer_timeout, "limitmb": 64, "compound": False,
            "codec": new_codec(),
            **writer_options(takes_lock=self._lock_holder != threading.get_ident())}
        try:
            return self._ix.writer(**options)
        except whoosh_index.LockError as error:
            raise IndexBusyError(BUSY) from error

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        """Hold Whoosh's write lock across several writers (they then take none of their own):
        worker processes of a big build write while the first batch is committed, and no other
        process may write or start such workers meanwhile."""
        lock = self._ix.lock("WRITELOCK")
        if not try_for(lock.acquire, timeout=self._writer_timeout, delay=0.1):
            raise IndexBusyError(BUSY)
        self._lock_holder = threading.get_ident()  # other threads still wait for the lock
        try:
            yield
        finally:
            self._lock_holder = None
            lock.release()

    def _write(self, todo: list[tuple[str, tuple[Any, Path, str]]], removed: list[str],
               progress: Progress | None) -> None:
        total = len(todo) + len(removed)
        done = 0
        if removed:
            writer = self._writer()
            try:
                for key in removed:
                    writer.delete_by_term("path", key)
                    self._set_stamp(key, None)
            except BaseException:
                writer.cancel()
                raise
            self._commit(writer, big=False)
            done = len(removed)
        big = len(todo) > BIG_UPDATE
        # A big update (a first build) is written in batches, so search answers from what is
        # indexed so far; past the first batch, worker processes share the work when allowed.
        first, rest = (todo[:FIRST_BATCH], todo[FIRST_BATCH:]) if big else (todo, [])
        if rest and self._parallel and fast_path():
            jobs = [[(key, collection.name, str(collection.path), stamp)
                     for key, (collection, _, stamp) in rest[i::PARALLEL_JOBS]]
                    for i in range(PARALLEL_JOBS)]
            with self._write_lock(), \
                    ParallelWriter(self.folder, self._ix.schema, jobs) as pool:
                if first:
                    done = self._write_batch(first, big, progress, done, total)
                self._commit_parallel(pool, rest, progress, done, total)
                done = total
        else:
            for batch in (first, rest):
                if batch:
                    done = self._write_batch(batch, big, progress, done, total)
        if not todo:
            self._after_commit(progress, done, total)

    def _commit_parallel(self, pool: ParallelWriter,
                         rest: list[tuple[str, tuple[Any, Path, str]]],
                         progress: Progress | None, done: int, total: int) -> None:
        """Commit what the pool's worker processes write of ``rest``."""
        writer = self._writer()
        renewed = [key for key, _ in rest if self._is_indexed(key)]
        for key in renewed:  # re-indexed: the workers only add
            writer.delete_by_term("path", key)

        def advanced(count: int) -> None:
            nonlocal done
            done = min(total, done + count)
            if progress is not None:
                progress(done, total)

        written = pool.commit(writer, advanced)
        for job in written:
            for key, stamp in job.stamps.items():
                self._set_stamp(key, stamp)
        if renewed:  # the old versions' words are gone: count the index's terms again
            self._after_commit(progress, total, total, reload_vocabulary=True)
        else:  # only new aids: add the terms the workers counted (reading them takes 2 s)
            self._after_commit(progress, total, total, learned=written)

    def _write_batch(self, batch: list[tuple[str, tuple[Any, Path, str]]], big: bool,
                     progress: Progress | None, done: int, total: int) -> int:
        writer = self._writer()
        try:
            for key, (collection, path, stamp) in batch:
                aid = _read(path, collection)
                if aid is not None:
                    fields = aid_fields(aid)
                    fields["stamp"] = stamp
                    if not big or self._is_indexed(key):
                        writer.delete_by_term("path", key)
                    writer.add_document(**fields)
                    self._set_stamp(key, stamp)
                    if not big:
                        with self.lock:
                            self._learn(fields)
                done += 1
                if progress is not None and done % 250 == 0:
                    progress(done, total)
        except BaseException:
            writer.cancel()
            raise
        self._commit(writer, big)
        self._after_commit(progress, done, total, reload_vocabulary=big)
        return done

    def _commit(self, writer: Any, big: bool) -> None:
        """A small change is its own little segment: merging it into the others would rewrite
        thousands of aids per save (or delete). Segments are merged once they pile up."""
        writer.commit(merge=big or self._segment_count() >= MAX_SEGMENTS)

    def _segment_count(self) -> int:
        with self.lock:
            return len(segment_readers(self.searcher()))

    def _after_commit(self, progress: Progress | None, done: int, total: int,
                      reload_vocabulary: bool = False,
                      learned: Iterable[WrittenJob] = ()) -> None:
        """Open a searcher on what was committed; bring the vocabularies up to date, from the
        index or from the terms that worker processes counted (``learned``)."""
        with self.lock:
            # A new searcher per commit, not Searcher.refresh(): refresh() reuses the readers
            # of segments it thinks unchanged, and so misses deletions made in them (an edited
            # aid would be found twice), and it fails on a searcher of an empty index.
            old = self._searcher
            self._searcher = self._ix.searcher()
            self._opened_as = self._on_disk()
            self.generation += 1
            if old is not None:
                old.close()
            if reload_vocabulary:
                self._read_vocabularies(self._searcher)
            for job in learned:
                self.vocabulary.add(job.content_terms.items())
                self.title_vocabulary.add(job.title_terms.items())
            if reload_vocabulary or learned:
                self._save_state()
            self._save_surfaces()
            try:
                self._manifest.refresh(self.folder, self._ix.latest_generation())
            except OSError:
                pass  # a full disk: the next open takes the files as they are
        if progress is not None:
            progress(done, total)

    def _learn(self, fields: dict[str, Any]) -> None:
        """Add an edited aid's words to the vocabulary, so they complete at once."""
        self.vocabulary.add((term, 1) for term in fields["content"])
        self.title_vocabulary.add((term, 1) for term in set(fields["title"]))

    @converts_errors("update the search index in")
    def rebuild(self, store: LibraryStore, progress: Progress | None = None) -> UpdateStats:
        """Build the index anew from the library, beside the one there, which answers
        searches meanwhile; then put it in its place."""
        with self._index_lock.held():
            self._clean_leftovers()
            if self._ix is None:
                self.open()
            return self._rebuild_beside(store, progress, "a rebuild was asked for")

    def _rebuild_beside(self, store: LibraryStore, progress: Progress | None,
                        reason: str) -> UpdateStats:
        started = time.perf_counter()
        # The same lock, held by this thread: the fresh index does not take it again.
        fresh = AidIndex(self.folder.with_name(self.folder.name + ".new"),
                         writer_timeout=self._writer_timeout, parallel=self._parallel,
                         write_lock=self._index_lock)
        built = fresh.build_anew(store, progress, reason)
        fresh.close()
        self._refuse_if_written()
        with self.lock:
            self._drop()
            old = self.folder.with_name(f"{self.folder.name}.old-{os.getpid()}")
            _remove(old)
            if os.path.lexists(self.folder):
                os.rename(self.folder, old)
            os.rename(fresh.folder, self.folder)
            _remove(old)
            self.damaged = None
            self._ix = whoosh_index.open_dir(str(self.folder))
            self._check_files(deep=False)
            self._load_state()
            self.generation += 1
        log.info("search index: rebuilt beside the old one, because %s", reason)
        return UpdateStats(built.added, 0, 0, time.perf_counter() - started, reason)

    def build_anew(self, store: LibraryStore, progress: Progress | None,
                   reason: str) -> UpdateStats:
        """Make the index empty and index the whole library into it."""
        with self._index_lock.held():
            with self.lock:
                self._create(reason)
            return self._update(store, progress)

    def _clean_leftovers(self) -> None:
        """What killed or failed builds left; called with the write lock held, so no writer
        is at work on any of it."""
        parent = self.folder.parent
        if parent.is_dir():
            for entry in os.scandir(parent):
                if entry.name == f"{self.folder.name}.new" or entry.name.startswith(
                        f"{self.folder.name}.old-"):
                    _remove(Path(entry.path))
        if self.folder.is_dir() and self._lock_holder is None and not self._written_by_other():
            for entry in os.scandir(self.folder):
                if (entry.name.startswith(PART_FOLDER) and entry.is_dir()) or \
                        entry.name.endswith(TEMP_SUFFIX):
                    _remove(Path(entry.path))


Todo = list[tuple[str, tuple[Any, Path, str]]]


def _changes(collections: list[Any], stamps: dict[str, str]) -> tuple[Todo, list[str]]:
    """What to (re-)index and what to drop, comparing the files of ``collections`` with the
    indexed ``stamps``: one pass over the files with nothing kept per file but what changed
    (a 38k library made two dicts of 38k paths a minute), and a second pass, of names only,
    just when an indexed file was not seen."""
    roots = [Path(c.path).resolve() for c in collections]
    if any(a != b and a.is_relative_to(b) for a in roots for b in roots):
        # Nested collections: a file is in both; the inner one (listed later) decides.
        current = {key: (c, stamp_of(mtime_ns, size)) for c in collections
                   for key, mtime_ns, size in scan_stamps(str(c.path))}
        return ([(key, (c, Path(key), stamp)) for key, (c, stamp) in current.items()
                 if stamps.get(key) != stamp], [p for p in stamps if p not in current])
    todo: Todo = []
    seen = 0
    for collection in collections:
        for key, mtime_ns, size in scan_stamps(str(collection.path)):
            stamp = stamp_of(mtime_ns, size)
            indexed = stamps.get(key)
            if indexed is not None:
                seen += 1
            if indexed != stamp:
                todo.append((key, (collection, Path(key), stamp)))
    if seen == len(stamps):
        return todo, []
    present = {key for collection in collections
               for key, _, _ in scan_stamps(str(collection.path))}
    return todo, [p for p in stamps if p not in present]


def _remove(path: Path) -> None:
    """Remove a folder, or a file where a folder should be; quietly if it is not there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    elif os.path.lexists(path):
        path.unlink()


def _read(path: Path, collection: Any) -> JobAid | None:
    try:
        aid = read_aid(path, collection.name, collection.path)
    except OSError:
        return None
    return aid
