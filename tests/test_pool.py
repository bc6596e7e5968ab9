"""The worker pool survives a worker killed by SIGBUS (what a file truncated
while it is mapped does to its reader) and keeps results in order."""

from __future__ import annotations

import mmap
import os
import tempfile
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
    results = list(ordered_map(square_or_die, range(120), jobs=2, on_crash=lambda i: -i, batch_size=8))
    assert results == [-i if i % 50 == 7 else i * i for i in range(120)]


def test_plain_run_in_order() -> None:
    assert list(ordered_map(abs, range(-300, 300), jobs=2, on_crash=lambda i: None)) == [
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
