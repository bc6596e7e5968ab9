"""Per-item bounds on time and memory, for work on untrusted input.

The readers bound their own work (string budgets, size limits), so these are
the backstop for whatever a crafted file still finds: one item that runs too
long or grows too large becomes an error for that item, and the run goes on.

- **Time**: a ``SIGALRM`` timer raises :class:`ItemTimeout` in Python code
  when an item passes its limit (main thread only: signals are delivered
  there). Code in C (libclang) does not see that exception until it returns,
  so a worker process also arms a hard deadline a little later, on CPU time
  (``ITIMER_PROF``, whose signal ends the process): the executor then reports
  the item as over its time limit.
- **Memory**: ``RLIMIT_DATA`` in worker processes. It counts heap and private
  writable mappings, not read-only file mappings, so mapping a large input
  costs nothing against it. Python then raises :class:`MemoryError`, caught
  per item; C code that cannot allocate usually aborts, which ends the worker
  and is reported like any worker death. It is not set on the caller's own
  process (``--jobs 1``, the Python API): that process is not ours to cap.
"""

from __future__ import annotations

import contextlib
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")

DEFAULT_SECONDS = 300.0
DEFAULT_MEMORY_MIB = 2048
MAX_SECONDS = 86_400.0
MAX_MEMORY_MIB = 1 << 20  # 1 TiB: anything larger is a typo
# Between the soft limit (an exception in Python) and the hard one (the worker
# ends): time for an item stuck in C to return and see the exception.
HARD_DEADLINE_GRACE = 5.0


class ItemTimeout(BaseException):
    """Raised in the middle of an item's work when its time is up. A
    BaseException, so that a reader's ``except Exception`` cannot swallow it."""


@dataclass(frozen=True, slots=True)
class ItemLimits:
    """Seconds and MiB one item may take; ``None`` for no limit."""

    seconds: float | None = DEFAULT_SECONDS
    memory_mib: int | None = DEFAULT_MEMORY_MIB

    def timeout_reason(self) -> str:
        return (
            f"took longer than the per-item time limit of {self.seconds:g} s (item-timeout) and was stopped"
        )

    def memory_reason(self, capped: bool = True) -> str:
        if not capped or self.memory_mib is None:
            return "the system ran out of memory while reading it"
        return (
            f"needed more memory than the per-item limit of {self.memory_mib} MiB (item-memory) "
            "and was stopped"
        )

    def death_reason(self, seconds_taken: float) -> str:
        """Why a worker that died on this item died, as far as the parent can tell."""
        if self.seconds is not None and seconds_taken >= self.seconds:
            return self.timeout_reason()
        memory = f" or passed the per-item memory limit of {self.memory_mib} MiB" if self.memory_mib else ""
        return (
            "the process reading it died (the file may have been truncated while it was read, the "
            f"system ran out of memory{memory}); scan it again on its own to see"
        )


UNLIMITED = ItemLimits(None, None)


@dataclass(frozen=True, slots=True)
class ItemFailed:
    """A worker's result for an item stopped by its limits: the parent turns it
    into the item's error (``on_crash``), so nothing unpicklable is sent out."""

    reason: str


def prepare_worker(limits: ItemLimits) -> None:
    """In a fresh worker process: the memory cap, and SIGPROF's default action
    (end the process) for the hard deadline."""
    signal.signal(signal.SIGPROF, signal.SIG_DFL)
    limit_memory(limits)


def limit_memory(limits: ItemLimits) -> None:
    """Cap this (worker) process's heap at the per-item memory limit."""
    if limits.memory_mib is None:
        return
    wanted = limits.memory_mib << 20
    _soft, hard = resource.getrlimit(resource.RLIMIT_DATA)
    if hard != resource.RLIM_INFINITY:
        wanted = min(wanted, hard)
    with contextlib.suppress(ValueError, OSError):  # a container may forbid it; the time bound remains
        resource.setrlimit(resource.RLIMIT_DATA, (wanted, hard))


class _Timer:
    """The soft time limit: ItemTimeout in the main thread when time is up."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.previous: object = None
        self.saved = (0.0, 0.0)
        self.started = 0.0

    def __enter__(self) -> None:
        self.previous = signal.signal(signal.SIGALRM, _raise_timeout)
        self.started = time.monotonic()
        self.saved = signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc: object) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self.previous)  # type: ignore[arg-type]
        delay, interval = self.saved
        if delay > 0:  # a library caller's own timer: re-armed for what was left of it
            left = max(delay - (time.monotonic() - self.started), 0.001)
            signal.setitimer(signal.ITIMER_REAL, left, interval)


def _raise_timeout(signum: int, frame: object) -> None:
    raise ItemTimeout


@contextlib.contextmanager
def _hard_deadline(seconds: float) -> Iterator[None]:
    # A CPU-time timer whose signal (SIGPROF) ends the process by default: it
    # fires even while the main thread sits in C code holding the GIL, and
    # costs two system calls per item. (faulthandler's watchdog would bound
    # wall time, but starts a thread per item: 0.3 ms, a third of the scan of
    # a small file.) What can burn time in C here burns CPU: libclang expanding
    # macros, a parser in a loop; no reader blocks (files are regular, opened
    # without blocking, and libclang opens none).
    signal.setitimer(signal.ITIMER_PROF, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


def run_bounded(func: Callable[[T], R], item: T, limits: ItemLimits, *, hard: bool) -> R | ItemFailed:
    """``func(item)``, or :class:`ItemFailed` when the item passed a limit.
    ``hard``: also end this process if the item outlives its time by
    :data:`HARD_DEADLINE_GRACE` (only in a worker process, never the caller's)."""
    seconds = limits.seconds if threading.current_thread() is threading.main_thread() else None
    # The except clauses are outside the timers: a limit that expires while they
    # are being disarmed still ends as ItemFailed, never as a stray exception.
    try:
        with contextlib.ExitStack() as stack:
            if seconds is not None:
                if hard:
                    stack.enter_context(_hard_deadline(seconds + HARD_DEADLINE_GRACE))
                stack.enter_context(_Timer(seconds))
            return func(item)
    except ItemTimeout:
        return ItemFailed(limits.timeout_reason())
    except MemoryError:
        # Only worker processes (hard) carry the memory limit.
        return ItemFailed(limits.memory_reason(capped=hard))


def check_seconds(value: object, where: str) -> float | None:
    """A configured time limit: a positive number of seconds, or 0 for none."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_SECONDS:
        raise ValueError(f"{where} must be a number of seconds from 0 (no limit) to {MAX_SECONDS:g}")
    return float(value) or None


def check_memory(value: object, where: str) -> int | None:
    """A configured memory limit: whole MiB, or 0 for none."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_MEMORY_MIB:
        raise ValueError(f"{where} must be a whole number of MiB from 0 (no limit) to {MAX_MEMORY_MIB}")
    return value or None
