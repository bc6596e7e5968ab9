"""Where per-item work runs: an ordered map over picklable work items.

An executor takes a function and items and yields one result per item, in
order, reading the items lazily so memory stays flat. Each item runs within
:class:`~cgoguard.itemlimits.ItemLimits`. ``on_crash(item, reason)`` gives the
result for an item that passed those limits or whose process died while
working on it (a file truncated while mapped raises SIGBUS; the OOM killer ends
a worker on a huge input), so one fatal item never ends the run. A cluster executor (Dask, Ray) is one new
class here: items and results are already picklable.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

from cgoguard.itemlimits import ItemFailed, ItemLimits, run_bounded

T = TypeVar("T")
R = TypeVar("R")


class Executor(ABC):
    # True when an item that kills its process cannot take the caller with it (the
    # work may then map files; a truncation's SIGBUS only ends a worker).
    isolates_crashes = False

    def __init__(self, limits: ItemLimits | None = None) -> None:
        self.limits = limits if limits is not None else ItemLimits()

    @abstractmethod
    def map(self, func: Callable[[T], R], items: Iterable[T], on_crash: Callable[[T, str], R]) -> Iterator[R]:
        """``map(func, items)`` in order. Closing the returned iterator stops the work."""


class InProcess(Executor):
    """Runs every item in this process: no start-up cost, nothing to survive.
    Only the time limit applies, and only to Python code on the main thread
    (see :mod:`cgoguard.itemlimits`): the caller's process is not ours to cap."""

    def map(self, func: Callable[[T], R], items: Iterable[T], on_crash: Callable[[T, str], R]) -> Iterator[R]:
        for item in items:
            result = run_bounded(func, item, self.limits, hard=False)
            yield on_crash(item, result.reason) if isinstance(result, ItemFailed) else result


class ProcessPool(Executor):
    """Forked worker processes that survive a worker dying (see :mod:`cgoguard.pool`)."""

    isolates_crashes = True

    def __init__(
        self, jobs: int | None = None, batch_size: int = 64, limits: ItemLimits | None = None
    ) -> None:
        super().__init__(limits)
        self.jobs = effective_jobs(jobs)
        self.batch_size = batch_size

    def map(self, func: Callable[[T], R], items: Iterable[T], on_crash: Callable[[T, str], R]) -> Iterator[R]:
        from cgoguard.pool import ordered_map

        return ordered_map(
            func, items, self.jobs, on_crash=on_crash, batch_size=self.batch_size, limits=self.limits
        )


# More workers than this per core only adds memory and start-up (each is a forked
# interpreter); a repository's config must not be able to fork hundreds.
JOBS_PER_CORE = 4


def job_limit() -> int:
    return JOBS_PER_CORE * (os.cpu_count() or 1)


def effective_jobs(jobs: int | None) -> int:
    """``jobs`` (``None``/0: all cores), at most :func:`job_limit`."""
    return min(jobs or os.cpu_count() or 1, job_limit())


def executor_for(jobs: int | None, limits: ItemLimits | None = None) -> Executor:
    """In-process for one job, a process pool otherwise (``None``/0: all cores; capped)."""
    jobs = effective_jobs(jobs)
    return InProcess(limits) if jobs == 1 else ProcessPool(jobs, limits=limits)
