"""An ordered process pool that survives a worker dying.

Reading through ``mmap`` means a file truncated while it is read kills the
reading process with SIGBUS, and the kernel's OOM killer can end a worker on
a huge input. ``multiprocessing.Pool`` then waits forever for the lost task.
This pool notices (``BrokenProcessPool``), re-runs the unfinished batches in
fresh processes, isolates the item that kills its process, and reports it
through ``on_crash`` while the run goes on.

Every executor is stopped *and joined* before the pool moves on or returns:
its management thread and its processes are gone when ``ordered_map``
finishes, is closed early, or starts a fresh executor after a break. An
executor left behind with ``shutdown(wait=False)`` keeps its management thread
running, and at interpreter exit ``threading._shutdown`` calls
``concurrent.futures.process._python_exit``, which on Python 3.11 writes to
that thread's wakeup pipe without a lock while the thread may be closing the
pipe: "OSError: [Errno 9] Bad file descriptor" (or "handle is closed") on
stderr at exit. (CPython takes a lock there since gh-125451, October 2024,
backported to 3.12 but not to 3.11.) Forking a fresh executor while an old
management thread still runs would also fork a multi-threaded process.
"""

from __future__ import annotations

import faulthandler
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Generic, TypeVar

from cgoguard.itemlimits import UNLIMITED, ItemFailed, ItemLimits, prepare_worker, run_bounded

T = TypeVar("T")
R = TypeVar("R")


class _Batch(Generic[T, R]):
    """Picklable: applies ``func`` to a batch of items in a worker, each
    within the per-item limits."""

    def __init__(self, func: Callable[[T], R], limits: ItemLimits) -> None:
        self.func = func
        self.limits = limits

    def __call__(self, items: list[T]) -> list[R | ItemFailed]:
        return [run_bounded(self.func, item, self.limits, hard=True) for item in items]


def _init_worker(limits: ItemLimits) -> None:
    prepare_worker(limits)
    # A worker's death is expected here and reported through on_crash. A fault
    # handler inherited through fork (pytest enables one, so do
    # PYTHONFAULTHANDLER and -X faulthandler) would otherwise print a
    # "Fatal Python error" dump of every thread for each death.
    faulthandler.disable()
    # Ctrl-C reaches the whole process group and `kill` may reach a worker: the parent decides
    # what an interrupt means (and stops the pool); a worker just ends, without a traceback.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _end_worker)


def _end_worker(signum: int, frame: object) -> None:
    os._exit(128 + signum)


def _executor(jobs: int, limits: ItemLimits) -> ProcessPoolExecutor:
    # fork: workers inherit the imported readers and checks, start fast,
    # and nothing is re-imported per task.
    return ProcessPoolExecutor(
        jobs, mp_context=multiprocessing.get_context("fork"), initializer=_init_worker, initargs=(limits,)
    )


def _results(batch: list[T], results: list[R | ItemFailed], on_crash: Callable[[T, str], R]) -> Iterator[R]:
    for item, result in zip(batch, results, strict=True):
        yield on_crash(item, result.reason) if isinstance(result, ItemFailed) else result


def _stop(executor: ProcessPoolExecutor) -> None:
    """Shut ``executor`` down and return once its management thread and its
    processes are gone (see the module's docstring for why never less).

    Batches already handed over run to the end. With at most ``2 * jobs`` in
    flight they all sit in the call queue (``jobs + 1`` long) or in a worker
    already (or get there as soon as the management thread wakes), so
    ``cancel_futures`` would cancel little or nothing; and on Python 3.11 it
    makes ``shutdown`` hang for good once a batch failed to pickle (CPython
    gh-116685). Killing the workers would be quicker on an early close, but a
    worker killed while it writes a large result leaves the management thread
    waiting forever for the rest of that message (the parent holds the pipe's
    write end too, so no end of file comes).
    """
    executor.shutdown(wait=True)


def _isolated(batch_func: _Batch[T, R], batch: list[T], on_crash: Callable[[T, str], R]) -> Iterator[R]:
    """Run a batch in a process of its own; if that dies, each item alone."""
    # Leaving ``with`` shuts the executor down with wait=True.
    limits = batch_func.limits
    if len(batch) > 1:
        try:
            with _executor(1, limits) as single:
                results = single.submit(batch_func, batch).result()
        except BrokenProcessPool:
            pass
        else:
            yield from _results(batch, results, on_crash)
            return
    for item in batch:
        started = time.monotonic()
        try:
            with _executor(1, limits) as single:
                result = single.submit(batch_func, [item]).result()
        except BrokenProcessPool:
            yield on_crash(item, limits.death_reason(time.monotonic() - started))
            continue
        yield from _results([item], result, on_crash)


def ordered_map(
    func: Callable[[T], R],
    items: Iterable[T],
    jobs: int,
    on_crash: Callable[[T, str], R],
    batch_size: int = 64,
    limits: ItemLimits = UNLIMITED,
) -> Iterator[R]:
    """``map(func, items)`` in ``jobs`` processes, in order, reading ``items``
    lazily (a few batches ahead) so memory stays flat. An item that kills its
    worker or passes ``limits`` gives ``on_crash(item, reason)`` instead."""
    batch_func: _Batch[T, R] = _Batch(func, limits)
    source = iter(items)
    executor = _executor(jobs, limits)
    # None instead of a future: the pool was already broken when the batch came.
    in_flight: deque[tuple[list[T], Future[list[R | ItemFailed]] | None]] = deque()

    def refill() -> None:
        while len(in_flight) < 2 * jobs:
            batch = list(islice(source, batch_size))
            if not batch:
                return
            try:
                in_flight.append((batch, executor.submit(batch_func, batch)))
            except BrokenProcessPool:
                in_flight.append((batch, None))

    try:
        refill()
        while in_flight:
            batch, future = in_flight.popleft()
            try:
                if future is None:
                    raise BrokenProcessPool("the pool broke before this batch was submitted")
                results = future.result()
            except BrokenProcessPool:
                # Every batch still in flight is lost with the pool: stop it for
                # good, redo them in order, each in a process of its own, then
                # start afresh.
                lost = [batch] + [b for b, _ in in_flight]
                in_flight.clear()
                _stop(executor)
                for lost_batch in lost:
                    yield from _isolated(batch_func, lost_batch, on_crash)
                executor = _executor(jobs, limits)
                refill()
                continue
            yield from _results(batch, results, on_crash)
            refill()
    finally:
        _stop(executor)  # a no-op if a break stopped it already
