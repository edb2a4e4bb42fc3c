"""Writing a big batch of aids with every core: each worker process reads, analyses and writes
its own Whoosh segment, and the parent adds the finished segments to the index in one commit.

Whoosh's own multiprocessing writer does the reading and analysis in the parent and pickles every
document to its workers, so the parent stays the bottleneck; here the parent only waits. This
uses Whoosh's segment-writer internals (the same calls its MpWriter makes), which is why the
Whoosh version is pinned in constraints.txt.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.writing import SegmentWriter

from job_aids import read_aid

from .analysis import SURFACES
from .codec import new_codec
from .documents import aid_fields

# (path, collection name, collection root, stamp)
Job = list[tuple[str, str, str, str]]


def _write_segment(folder: str, job: Job) -> tuple[Any, dict[str, str], dict[str, str]]:
    """In a worker: index ``job`` into a new segment; return it, the stamps and the surfaces."""
    ix = whoosh_index.open_dir(folder)
    writer = SegmentWriter(ix, _lk=False, compound=False, limitmb=64, codec=new_codec())
    stamps: dict[str, str] = {}
    for path, collection, root, stamp in job:
        try:
            aid = read_aid(Path(path), collection, Path(root))
        except OSError:
            continue  # vanished or unreadable: the next update sees it again
        fields = aid_fields(aid)
        fields["stamp"] = stamp
        writer.add_document(**fields)
        stamps[path] = stamp
    if not stamps:
        writer.cancel()
        return None, stamps, {}
    return writer._finalize_segment(), stamps, dict(SURFACES)


def write_in_parallel(ix: Any, writer: Any, jobs: list[Job],
                      progress: Callable[[int], None] | None = None) -> dict[str, str]:
    """Index the jobs in worker processes and commit their segments through ``writer``.

    ``writer`` is an open (locked) writer of ``ix``; it is committed or cancelled here.
    Returns the stamps of the aids written.
    """
    stamps: dict[str, str] = {}
    segments = []
    try:
        # "spawn": a forked copy of a process with threads (the GUI, the watcher) may deadlock.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(max_workers=min(2, len(jobs)), mp_context=context) as pool:
            futures = [pool.submit(_write_segment, ix.storage.folder, job) for job in jobs]
            for future in as_completed(futures):
                segment, job_stamps, surfaces = future.result()
                if segment is not None:
                    segments.append(segment)
                stamps.update(job_stamps)
                SURFACES.update(surfaces)
                if progress is not None:
                    progress(len(job_stamps))
        final = writer._merge_segments(None, False, False) + segments
        if writer._added:
            final.append(writer._finalize_segment())
        else:
            writer._close_segment()
        writer._commit_toc(final)
        writer._finish()
    except BaseException:
        writer.cancel()
        raise
    return stamps
