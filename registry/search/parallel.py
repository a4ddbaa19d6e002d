"""Rebuild an index in several processes: each writes one segment of the new index.

Whoosh's own multiprocessing writer drops a segment silently when a sub-process dies and can
block for ever feeding it, so this one watches its workers: a dead worker, an error or a
timeout fails the rebuild, and the new generation is never swapped in. Workers are spawned,
not forked, so a rebuild started from a threaded server process inherits no locks; like any
spawned process they import the parent's main module, which must therefore be import-safe
(console scripts, gunicorn and pytest are; a bare script needs `if __name__ == "__main__"`).
"""

from __future__ import annotations

import multiprocessing
import queue
import time
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index

from registry.search import whoosh_internals
from registry.search.interface import SearchDocument
from registry.search.schema import Codec, to_record

BATCH = 50  # packs per message: large enough to amortise pickling, small enough to balance
POLL = 0.5  # seconds between checks that workers are alive


class RebuildError(RuntimeError):
    """A rebuild worker failed; the index being built is abandoned."""


def build(directory: Path, docs: Iterable[SearchDocument], procs: int, timeout: float) -> int:
    """Index docs into the new, empty index in directory with `procs` workers; return count."""
    ctx = multiprocessing.get_context("spawn")
    jobs = [ctx.Queue(maxsize=4) for _ in range(procs)]
    results = ctx.Queue()
    workers = [
        ctx.Process(target=_work, args=(str(directory), job, results), daemon=True) for job in jobs
    ]
    for w in workers:
        w.start()
    try:
        sent = 0
        batch: list[SearchDocument] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) == BATCH:
                _put(jobs[sent // BATCH % procs], batch, workers, results, timeout)
                sent += len(batch)
                batch = []
        if batch:
            _put(jobs[sent // BATCH % procs], batch, workers, results, timeout)
            sent += len(batch)
        for job in jobs:
            _put(job, None, workers, results, timeout)
        segments, indexed = _collect(results, workers, timeout)
    finally:
        for w in workers:
            if w.is_alive():
                w.kill()
            w.join()
        for job in jobs:
            # Unread batches must not keep this process from exiting after a failure.
            job.cancel_join_thread()
            job.close()
    if indexed != sent:
        raise RebuildError(f"workers indexed {indexed} of {sent} packs")
    whoosh_internals.commit_segments(directory, segments)
    return indexed


def _put(job: Any, item: Any, workers: list, results: Any, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            job.put(item, timeout=POLL)
            return
        except queue.Full:
            # While work is still being handed out, every worker must be alive.
            if not all(w.is_alive() for w in workers):
                raise RebuildError(f"a rebuild worker stopped: {_reason(results)}") from None
            if time.monotonic() > deadline:
                raise RebuildError("rebuild workers stopped taking work") from None


def _collect(results: Any, workers: list, timeout: float) -> tuple[list, int]:
    segments, indexed, answered = [], 0, 0
    deadline = time.monotonic() + timeout
    while answered < len(workers):
        try:
            outcome = results.get(timeout=POLL)
        except queue.Empty:
            # A worker puts its result before it exits, so all gone means one never did.
            if not any(w.is_alive() for w in workers) or time.monotonic() > deadline:
                raise RebuildError("rebuild workers did not all finish") from None
            continue
        if outcome[0] != "ok":
            raise RebuildError(f"rebuild worker failed:\n{outcome[1]}")
        answered += 1
        indexed += outcome[2]
        if outcome[1] is not None:
            segments.append(outcome[1])
    return segments, indexed


def _reason(results: Any) -> str:
    try:
        outcome = results.get(timeout=POLL)
    except queue.Empty:
        return "no error reported (killed?)"
    return outcome[1] if outcome[0] != "ok" else "it finished early"


def _work(directory: str, jobs: Any, results: Any) -> None:
    """Worker process: index batches from jobs into one segment, report it on results."""
    try:
        writer = whoosh_internals.segment_writer(whoosh_index.open_dir(directory), Codec())
        count = 0
        while (batch := jobs.get()) is not None:
            for doc in batch:
                writer.add_document(**to_record(doc))
                count += 1
        results.put(("ok", whoosh_internals.finish_segment(writer, count), count))
    except BaseException:
        results.put(("error", traceback.format_exc()))
