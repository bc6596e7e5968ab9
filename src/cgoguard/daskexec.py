"""The Dask executor: per-item work on a Dask cluster (``pip install 'cgoguard[dask]'``).

``DaskExecutor("tcp://host:8786")`` uses a running scheduler;
``DaskExecutor(None, jobs=N)`` starts a ``LocalCluster`` of N worker processes
(one thread each) and stops it on :meth:`close`.

What is sent: work items as they are (a :class:`~cgoguard.sources.Candidate`
names a *path*; bytes only for members a source already holds in memory). The
workers open the paths themselves, so every worker must see the inputs at the
same paths as the client (a shared filesystem mounted alike, or a local
cluster); the client never streams files. A result cache stays with the client
(it hashes, looks up and stores; workers never touch it).

Each batch runs, inside the Dask worker, in a forked process of its own
(:func:`cgoguard.pool.ordered_map` with one job): the per-item limits apply
there (a Dask worker runs tasks in threads, where no timer signal arrives),
and an item that kills its process becomes that item's error while the Dask
worker lives on. A Dask worker that dies itself (killed, out of memory) has
its tasks rescheduled by Dask; a batch Dask gives up on (``KilledWorker``,
a lost connection) is run again item by item, and an item that fails alone
becomes its error through ``on_crash``. Results come back in order and the
items are read lazily, a few batches ahead.
"""

from __future__ import annotations

import logging
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any, Generic, TypeVar

from cgoguard.errors import UsageError
from cgoguard.executors import Executor, effective_jobs
from cgoguard.itemlimits import ItemFailed, ItemLimits

T = TypeVar("T")
R = TypeVar("R")

SCHEME = "dask://"
LOCAL = "local-dask"


def _failed(item: object, reason: str) -> ItemFailed:
    return ItemFailed(reason)


_FIRST_BATCH = 16  # files in the first batch of a run (later batches double)
# Messages each Dask connection keeps for debugging (see DaskExecutor.__init__).
_MESSAGE_LOG = 8


class _ForkedBatch(Generic[T, R]):
    """Picklable: a batch in a forked process of the Dask worker, each item within its limits."""

    def __init__(self, func: Callable[[T], R], limits: ItemLimits) -> None:
        self.func = func
        self.limits = limits

    def __call__(self, batch: list[T]) -> list[R | ItemFailed]:
        from cgoguard.pool import ordered_map

        # Dask starts its workers as daemonic processes, which multiprocessing forbids to
        # have children (lest they outlive it). Ours never do: ordered_map joins them first.
        process = multiprocessing.current_process()
        if process.daemon:
            process._config["daemon"] = False  # type: ignore[attr-defined]

        return list(
            ordered_map(self.func, batch, 1, on_crash=_failed, batch_size=len(batch), limits=self.limits)
        )


def scheduler_address(spec: str) -> str | None:
    """``dask://HOST:PORT`` -> ``tcp://HOST:PORT``; ``local-dask`` -> None (a local cluster)."""
    if spec == LOCAL:
        return None
    if spec.startswith(SCHEME):
        rest = spec[len(SCHEME) :]
        host, _, port = rest.rpartition(":")
        if host and port.isdigit() and "/" not in rest:
            return f"tcp://{rest}"
    raise UsageError(f"--executor takes local, {LOCAL} or {SCHEME}HOST:PORT, not {spec!r}.")


class DaskExecutor(Executor):
    """Batches of items on a Dask cluster; see the module's docstring."""

    isolates_crashes = True

    def __init__(
        self,
        address: str | None,
        jobs: int | None = None,
        batch_size: int = 512,
        limits: ItemLimits | None = None,
    ) -> None:
        super().__init__(limits)
        try:
            import dask
            import distributed
        except ImportError:
            raise UsageError(
                "the Dask executor needs the distributed package: pip install 'cgoguard[dask]'."
            ) from None
        self.batch_size = batch_size
        self.cluster: Any = None
        # Every connection keeps its last low-level-log-length messages for debugging (default
        # 1,000); each of ours names up to batch_size inputs, so the log alone would hold half a
        # million paths in this process. Connections read the setting when they are made.
        with dask.config.set({"distributed.admin.low-level-log-length": _MESSAGE_LOG}):
            if address is None:
                self.cluster = distributed.LocalCluster(  # type: ignore[no-untyped-call]
                    n_workers=effective_jobs(jobs),
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                    silence_logs=logging.ERROR,
                )
                address = self.cluster.scheduler_address
            try:
                self.client: Any = distributed.Client(address, timeout="20s")  # type: ignore[no-untyped-call]
            except (OSError, TimeoutError) as error:
                self.close()
                raise UsageError(f"cannot reach the Dask scheduler at {address}: {error}.") from None

    def close(self) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()
            self.cluster = None

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def workers(self) -> int:
        return max(1, len(self.client.scheduler_info(n_workers=-1)["workers"]))

    def map(self, func: Callable[[T], R], items: Iterable[T], on_crash: Callable[[T, str], R]) -> Iterator[R]:
        batch_func: _ForkedBatch[T, R] = _ForkedBatch(func, self.limits)
        source = iter(items)
        ahead = 2 * self.workers()
        in_flight: deque[tuple[list[T], Any]] = deque()

        # Small batches first, so that a short run still reaches every worker; then
        # doubling up to batch_size, which spreads the cost of each task and of its
        # forked process (measured: about 0.19 s per batch) over more files.
        size = min(_FIRST_BATCH, self.batch_size)

        def refill() -> None:
            nonlocal size
            while len(in_flight) < ahead:
                batch = list(islice(source, size))
                size = min(2 * size, self.batch_size)
                if not batch:
                    return
                # pure=False: two equal batches are still two tasks (a retry must run again).
                in_flight.append((batch, self.client.submit(batch_func, batch, pure=False)))

        try:
            refill()
            while in_flight:
                batch, future = in_flight.popleft()
                try:
                    results = future.result()
                except Exception:
                    # Dask gave up on the batch (its workers kept dying): each item alone.
                    results = [self._alone(batch_func, item) for item in batch]
                for item, result in zip(batch, results, strict=True):
                    yield on_crash(item, result.reason) if isinstance(result, ItemFailed) else result
                refill()
        finally:
            for _, future in in_flight:
                future.cancel()

    def _alone(self, batch_func: _ForkedBatch[T, R], item: T) -> R | ItemFailed:
        try:
            (result,) = self.client.submit(batch_func, [item], pure=False).result()
        except Exception as error:
            return ItemFailed(
                f"the Dask worker reading it died or was lost ({type(error).__name__}); "
                "scan it again on its own to see"
            )
        return result  # type: ignore[no-any-return]
