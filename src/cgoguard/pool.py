"""An ordered process pool that survives a worker dying.

Reading through ``mmap`` means a file truncated while it is read kills the
reading process with SIGBUS, and the kernel's OOM killer can end a worker on
a huge input. ``multiprocessing.Pool`` then waits forever for the lost task.
This pool notices (``BrokenProcessPool``), re-runs the unfinished batches in
fresh processes, isolates the item that kills its process, and reports it
through ``on_crash`` while the run goes on.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class _Batch(Generic[T, R]):
    """Picklable: applies ``func`` to a batch of items in a worker."""

    def __init__(self, func: Callable[[T], R]) -> None:
        self.func = func

    def __call__(self, items: list[T]) -> list[R]:
        return [self.func(item) for item in items]


def _executor(jobs: int) -> ProcessPoolExecutor:
    # fork: workers inherit the imported readers and checks, start fast,
    # and nothing is re-imported per task.
    return ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"))


def _isolated(batch_func: _Batch[T, R], batch: list[T], on_crash: Callable[[T], R]) -> list[R]:
    """Run a batch in a process of its own; if that dies, each item alone."""
    try:
        with _executor(1) as single:
            return single.submit(batch_func, batch).result()
    except BrokenProcessPool:
        pass
    results = []
    for item in batch:
        try:
            with _executor(1) as single:
                results.extend(single.submit(batch_func, [item]).result())
        except BrokenProcessPool:
            results.append(on_crash(item))
    return results


def ordered_map(
    func: Callable[[T], R],
    items: Iterable[T],
    jobs: int,
    on_crash: Callable[[T], R],
    batch_size: int = 64,
) -> Iterator[R]:
    """``map(func, items)`` in ``jobs`` processes, in order, reading ``items``
    lazily (a few batches ahead) so memory stays flat."""
    batch_func: _Batch[T, R] = _Batch(func)
    source = iter(items)
    executor = _executor(jobs)
    # None instead of a future: the pool was already broken when the batch came.
    in_flight: deque[tuple[list[T], Future[list[R]] | None]] = deque()

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
                # Every batch still in flight is lost with the pool: redo them
                # in order, each in a process of its own, then start afresh.
                lost = [batch] + [b for b, _ in in_flight]
                in_flight.clear()
                executor.shutdown(wait=False, cancel_futures=True)
                for lost_batch in lost:
                    yield from _isolated(batch_func, lost_batch, on_crash)
                executor = _executor(jobs)
                refill()
                continue
            yield from results
            refill()
    finally:
        executor.shutdown(wait=False, cancel_futures=True)
