"""The worker pool survives a worker killed by SIGBUS (what a file truncated
while it is mapped does to its reader) and keeps results in order."""

from __future__ import annotations

import faulthandler
import mmap
import multiprocessing
import os
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures.process import _ExecutorManagerThread
from pathlib import Path

import pytest

from cgoguard.api import iter_scan
from cgoguard.config import Config
from cgoguard.pipeline import ScanWorker
from cgoguard.pool import ordered_map
from cgoguard.sources import Candidate


def square_or_die(item: int) -> int:
    if item % 50 == 7:
        # A real SIGBUS: read a mapped page after the file was truncated under it.
        with tempfile.TemporaryFile() as handle:
            handle.write(b"\0" * 8192)
            handle.flush()
            mapped = mmap.mmap(handle.fileno(), 8192, access=mmap.ACCESS_READ)
            os.ftruncate(handle.fileno(), 0)
            mapped[4096]  # the access is the point
    return item * item


def test_ordered_and_crash_isolated() -> None:
    results = list(
        ordered_map(square_or_die, range(120), jobs=2, on_crash=lambda i, reason: -i, batch_size=8)
    )
    assert results == [-i if i % 50 == 7 else i * i for i in range(120)]


def fault_handler_enabled(item: int) -> bool:
    return faulthandler.is_enabled()


def test_workers_run_without_the_inherited_fault_handler() -> None:
    # pytest enables faulthandler here; forked workers inherit it unless the pool turns it off.
    assert faulthandler.is_enabled()
    assert not any(ordered_map(fault_handler_enabled, range(10), jobs=2, on_crash=lambda i, reason: True))


def test_a_worker_death_prints_no_fault_dump() -> None:
    """The SIGBUS of test_ordered_and_crash_isolated, under pytest's own fault
    handler (inherited through fork), used to print ~60 lines of "Fatal Python
    error: Bus error" on a green run."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"{__file__}::test_ordered_and_crash_isolated",
        ],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent,
        check=False,
        timeout=300,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 0, output
    assert "1 passed" in proc.stdout
    assert "Fatal Python error" not in output
    assert "Bus error" not in output


def leftovers() -> list[str]:
    """Executor management threads, queue feeder threads and child processes still running."""
    threads = [
        t.name
        for t in threading.enumerate()
        if isinstance(t, _ExecutorManagerThread) or t.name == "QueueFeederThread"
    ]
    return threads + [f"process {p.pid}" for p in multiprocessing.active_children()]


def boom_at_5(item: int) -> int:
    if item == 5:
        raise ValueError("boom")
    return item


def dies_at_5(item: int) -> int:
    if item == 5:
        os._exit(1)
    return item


def _exhausted() -> Iterator[int]:
    yield from ordered_map(abs, range(200), jobs=2, on_crash=lambda i, reason: -1, batch_size=8)


def _closed_early() -> Iterator[int]:
    stream = ordered_map(abs, range(2000), jobs=2, on_crash=lambda i, reason: -1, batch_size=8)
    yield next(stream)
    stream.close()


def _after_a_death() -> Iterator[int]:
    yield from ordered_map(dies_at_5, range(200), jobs=2, on_crash=lambda i, reason: -1, batch_size=8)


def _closed_after_a_death() -> Iterator[int]:
    stream = ordered_map(dies_at_5, range(2000), jobs=2, on_crash=lambda i, reason: -1, batch_size=8)
    for result in stream:
        yield result
        if result == -1:
            break
    stream.close()


def _raising() -> Iterator[int]:
    with pytest.raises(ValueError, match="boom"):
        yield from ordered_map(boom_at_5, range(2000), jobs=2, on_crash=lambda i, reason: -1, batch_size=8)


@pytest.mark.parametrize(
    "run",
    [_exhausted, _closed_early, _after_a_death, _closed_after_a_death, _raising],
    ids=lambda f: f.__name__,
)
def test_nothing_left_running(run: Callable[[], Iterator[int]]) -> None:
    """However the pool ends, its executors are joined: no management thread
    or worker is left for interpreter exit, where Python 3.11's
    concurrent.futures._python_exit writes to a running management thread's
    wakeup pipe while that thread may be closing it ("Bad file descriptor")."""
    assert leftovers() == []
    results = list(run())
    assert leftovers() == []
    if run in (_after_a_death, _closed_after_a_death):
        assert results[5] == -1 and results[:5] == [0, 1, 2, 3, 4]


EARLY_CLOSE_WITH_LARGE_RESULTS = """
from cgoguard.pool import ordered_map

def large(item):
    return "x" * 200_000  # a batch of 8 is a 1.6 MB message, far above a pipe's 64 KiB

for _ in range(20):
    stream = ordered_map(large, range(400), 2, on_crash=lambda i, reason: None, batch_size=8)
    next(stream)
    stream.close()
"""


def test_early_close_with_large_results_returns() -> None:
    """Stopping the workers by killing them would be quicker, but one killed while
    it writes a large result leaves the management thread waiting forever for the
    rest of the message, and the close with it (a child process, so that a hang is
    a failure and not a stuck suite)."""
    proc = subprocess.run(
        [sys.executable, "-c", EARLY_CLOSE_WITH_LARGE_RESULTS],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr


UNPICKLABLE_FUNCTION = """
from cgoguard.pool import ordered_map

try:
    list(ordered_map(lambda item: item, range(100), 2, on_crash=lambda i, reason: None, batch_size=8))
except Exception as error:
    print(type(error).__name__)
"""


def test_a_batch_that_cannot_be_pickled_raises_and_exits() -> None:
    """On Python 3.11, shutdown(cancel_futures=True) after a pickling error waits
    forever (CPython gh-116685): the old pool hung at exit, an early version of
    this fix in the close itself. In a child process, so that a hang is a failure."""
    proc = subprocess.run(
        [sys.executable, "-c", UNPICKLABLE_FUNCTION], capture_output=True, text=True, check=False, timeout=120
    )
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    assert proc.stdout.strip() in ("PicklingError", "AttributeError")


def test_plain_run_in_order() -> None:
    assert list(ordered_map(abs, range(-300, 300), jobs=2, on_crash=lambda i, reason: None)) == [
        abs(i) for i in range(-300, 300)
    ]


class _DyingWorker(ScanWorker):
    """A scan worker whose process dies on one chosen file."""

    def __call__(self, candidate: Candidate):  # type: ignore[no-untyped-def]
        if candidate.path.endswith("victim"):
            os._exit(1)
        return super().__call__(candidate)


def test_scan_reports_a_dead_worker_and_goes_on(tmp_path: Path, fixture_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    for name in ("a", "victim", "z"):
        shutil.copy(fixture_path("c_hardened"), tmp_path / name)
    worker = _DyingWorker(Config())
    results = list(
        ordered_map(
            worker, [Candidate(str(tmp_path / n)) for n in ("a", "victim", "z")], 2, on_crash=worker.crashed
        )
    )
    assert [Path(r.path).name for r in results] == ["a", "victim", "z"]  # type: ignore[union-attr]
    assert not results[0].unread and not results[2].unread  # type: ignore[union-attr]
    assert "died" in results[1].unread[0][1]  # type: ignore[union-attr]


def test_early_stop_does_not_hang(tmp_path: Path, fixture_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    for index in range(40):
        shutil.copy(fixture_path("c_hardened"), tmp_path / f"f{index:02}")
    stream = iter_scan([tmp_path], jobs=2)
    first = next(stream)
    stream.close()
    assert first.error is None


@pytest.mark.parametrize("jobs", [1, 2])
def test_same_results_in_process_and_pooled(tmp_path: Path, fixture_path, jobs: int) -> None:  # type: ignore[no-untyped-def]
    import shutil

    for name in ("go_cshared_default", "c_hardened", "go_carchive_default"):
        path = fixture_path(name)
        shutil.copy(path, tmp_path / path.name)
    artifacts = list(iter_scan([tmp_path], jobs=jobs))
    assert [Path(a.path).name for a in artifacts] == sorted(p.name for p in tmp_path.iterdir())
    assert all(a.error is None for a in artifacts)
