"""Writing a big batch of aids with every core: each worker process reads, analyses and writes
its own Whoosh segment (with :class:`~search.segment_writer.BulkSegmentWriter`) in a folder of
its own, and the parent moves the finished segments into the index and adds them in one commit.

Whoosh's own multiprocessing writer does the reading and analysis in the parent and pickles every
document to its workers, so the parent stays the bottleneck; here the parent only waits. Workers
start on their jobs at once, while the parent writes a first batch into the index itself: in
their own folders, its commits neither see nor clean away their files. This uses Whoosh's writer
internals (the same calls its MpWriter makes), through :mod:`search.whoosh_fence`: it runs only
on the fast path.
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import multiprocessing.connection
import os
import shutil
import signal
import sys
import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from queue import Empty
from typing import Any

from whoosh.filedb.filestore import FileStorage

from job_aids import read_aid

from .analysis import SURFACES
from .documents import aid_fields
from .segment_writer import BulkSegmentWriter
from .whoosh_fence import activate, commit_segments, new_codec

PART_FOLDER = "part-"
_PR_SET_PDEATHSIG = 1  # a worker's folder in the index folder: part-0, part-1

# (path, collection name, collection root, stamp)
Job = list[tuple[str, str, str, str]]

@dataclass
class WrittenJob:
    """What a worker wrote: its segment (None if nothing), the stamps of the aids in it, the
    surface words it saw, and the document frequencies of its content and title terms."""
    segment: Any
    stamps: dict[str, str]
    surfaces: dict[str, str]
    content_terms: Counter[str]
    title_terms: Counter[str]


_progress_queue: Any = None
PROGRESS_EVERY = 250  # aids between a worker's progress reports


def _start_worker(queue: Any, parent: int) -> None:
    global _progress_queue
    _progress_queue = queue
    _die_with(parent)


def _die_with(parent: int) -> None:
    """End this worker when its parent ends, even by ``kill -9`` (100 killed builds left 264
    workers, some writing for minutes): the kernel's parent-death signal on Linux, and
    everywhere a thread that waits for the parent's end (the spawn pipe's sentinel)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # it ended before the signal was asked for
        os.kill(os.getpid(), signal.SIGKILL)
    watched = multiprocessing.parent_process()
    if watched is not None:
        def watch() -> None:
            multiprocessing.connection.wait([watched.sentinel])
            os.kill(os.getpid(), signal.SIGKILL)
        threading.Thread(target=watch, name="handrail-parent-watch", daemon=True).start()


def _write_segment(folder: str, schema: Any, job: Job) -> WrittenJob:
    """In a worker: index ``job`` into a new segment in ``folder``."""
    # The postings kept for the segment are millions of objects that live until it is written;
    # the collector went through them again and again (a tenth of a worker's time), and
    # reading and analysing aids makes no reference cycles worth collecting.
    gc.disable()
    try:
        return _write_job(folder, schema, job)
    finally:
        gc.enable()


def _write_job(folder: str, schema: Any, job: Job) -> WrittenJob:
    shutil.rmtree(folder, ignore_errors=True)  # left by a build that was killed
    activate()  # a worker process of its own: the fence as in its parent
    storage = FileStorage(folder).create()
    # Posting blocks uncompressed: compressing 34k small blocks took a fifth of writing the
    # segment of 19k tldr pages; the segment is a quarter bigger.
    writer = BulkSegmentWriter(storage, schema, new_codec(compression=0))
    done = WrittenJob(None, {}, {}, Counter(), Counter())
    roots: dict[str, Path] = {}  # each collection's folder, made a Path once
    for number, (path, collection, root, stamp) in enumerate(job, 1):
        if number % PROGRESS_EVERY == 0 and _progress_queue is not None:
            _progress_queue.put(PROGRESS_EVERY)
        root_path = roots.get(root)
        if root_path is None:
            root_path = roots[root] = Path(root)
        try:
            aid = read_aid(Path(path), collection, root_path)
        except OSError:
            continue  # vanished or unreadable: the next update sees it again
        fields = aid_fields(aid)
        fields["stamp"] = stamp
        writer.add_document(**fields)
        done.stamps[path] = stamp
    if not done.stamps:
        return done  # nothing written: no segment
    done.content_terms = writer.doc_frequencies("content")
    done.title_terms = writer.doc_frequencies("title")
    done.segment = writer.finish()
    done.surfaces = dict(SURFACES)
    return done


class ParallelWriter:
    """Worker processes writing new segments of the index in ``folder`` for ``jobs``. They
    start at once; :meth:`commit` waits for them and commits their segments. Close it when done
    (it is a context manager)."""

    def __init__(self, folder: Path, schema: Any, jobs: list[Job]) -> None:
        self._folder = folder
        # "spawn": a forked copy of a process with threads (the GUI, the watcher) may deadlock.
        context = multiprocessing.get_context("spawn")
        self._queue = context.Queue()
        self._pool = ProcessPoolExecutor(max_workers=len(jobs), mp_context=context,
                                         initializer=_start_worker,
                                         initargs=(self._queue, os.getpid()))
        self._parts = [folder / f"{PART_FOLDER}{number}" for number in range(len(jobs))]
        before = set(multiprocessing.active_children())
        self._sizes: dict[Future[WrittenJob], int] = {
            self._pool.submit(_write_segment, str(part), schema, job): len(job)
            for part, job in zip(self._parts, jobs, strict=True)}
        self._workers = set(multiprocessing.active_children()) - before  # started by submit

    def __enter__(self) -> ParallelWriter:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.close(failed=kind is not None)

    def close(self, *, failed: bool = False) -> None:
        """Let the workers go, and wait until they have: not waiting saved no time (the
        interpreter's exit joins the pool's manager thread anyway, which joins the workers),
        and on Python 3.11 that exit then raced the manager thread closing its wake-up pipe
        ("Exception ignored ... Bad file descriptor" after `handrail index`, seen on CI).
        After a failure (a full disk) they are ended at once: their work is lost anyway, and
        one still starting printed a traceback when this process was gone before it had
        begun."""
        if failed:
            for process in self._workers:  # (concurrent.futures ends them itself from 3.14)
                process.kill()
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._queue.close()

    def commit(self, writer: Any, progress: Callable[[int], None] | None = None
               ) -> list[WrittenJob]:
        """Wait for the workers and commit their segments through ``writer``, an open (locked)
        writer of the index; it is committed or cancelled here. ``progress`` is told, now and
        then, how many more aids were read."""
        written: list[WrittenJob] = []
        try:
            pending = set(self._sizes)
            while pending:
                finished, pending = wait(pending, timeout=0.2, return_when=FIRST_COMPLETED)
                advanced = _drain(self._queue)
                if progress is not None and advanced:
                    progress(advanced)
                for future in finished:  # each told apart: workers done together still show
                    result = future.result()
                    written.append(result)
                    SURFACES.update(result.surfaces)
                    if progress is not None:
                        progress(self._sizes[future] % PROGRESS_EVERY)  # the rest of its aids
            self._move_segments()
            commit_segments(writer, [job.segment for job in written if job.segment is not None])
        except BaseException:
            writer.cancel()
            raise
        return written

    def _move_segments(self) -> None:
        """Move the segment files the workers wrote into the index's folder."""
        for part in self._parts:
            for entry in os.scandir(part):
                if entry.is_file():
                    os.replace(entry.path, self._folder / entry.name)
            shutil.rmtree(part, ignore_errors=True)


def _drain(queue: Any) -> int:
    """The aids reported done since the last look."""
    count = 0
    while True:
        try:
            count += queue.get_nowait()
        except Empty:
            return count
