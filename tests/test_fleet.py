"""Fleet scale: the Dask executor gives the local pool's report and survives dying
workers; the result cache hits, misses when what shaped a result changes, and never
serves an entry that does not hold; identical files are read once; JSON Lines streams."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import cloudpickle
import pytest

from cgoguard import resultcache
from cgoguard.config import Config, config_from_table
from cgoguard.daskexec import DaskExecutor, scheduler_address
from cgoguard.errors import UsageError
from cgoguard.executors import Executor, InProcess
from cgoguard.fleet import Unit
from cgoguard.pipeline import ScanRun
from cgoguard.reports import ReportContext, RunTotals
from cgoguard.reports.jsonlines import JsonLinesReporter
from cgoguard.reports.jsonreport import artifact_json
from cgoguard.resultcache import ResultCache
from cgoguard.sources import Candidate

# Dask's workers are spawned: they get this module's functions by value, not by import.
cloudpickle.register_pickle_by_value(sys.modules[__name__])

T = TypeVar("T")
R = TypeVar("R")
FIXTURES = ("go_exe_default", "go_cshared_default", "go_carchive_default")


@pytest.fixture(scope="module")
def cluster() -> Iterator[DaskExecutor]:
    with DaskExecutor(None, jobs=2, batch_size=4) as executor:
        yield executor


@pytest.fixture
def fleet(tmp_path: Path, fixture_path: Callable[[str], Path]) -> Path:
    """The fixtures, one of them at three paths, and a file that is not ELF."""
    root = tmp_path / "fleet"
    (root / "copies").mkdir(parents=True)
    for name in FIXTURES:
        shutil.copy(fixture_path(name), root / fixture_path(name).name)
    shared = fixture_path("go_cshared_default")
    for index in range(3):
        shutil.copy(shared, root / "copies" / f"lib{index}.so")
    (root / "notes.txt").write_text("not ELF\n")
    return root


def report(run: ScanRun) -> dict[str, Any]:
    artifacts = [json.loads(item.text or "") for item in run if item is not None]
    return {
        "artifacts": artifacts,
        "set_findings": [(f.check_id, f.message, f.artifacts) for f in run.set_findings],
        "exit": run.tally.exit_code(),
        "unread": run.tally.unread,
    }


def scan(root: Path, **kwargs: Any) -> dict[str, Any]:
    return report(ScanRun([root], prerender=artifact_json, **kwargs))


def test_local_cluster_gives_the_local_pools_report(fleet: Path, cluster: DaskExecutor) -> None:
    local = scan(fleet, jobs=2)
    assert len(local["artifacts"]) == 6 and local["set_findings"]
    assert scan(fleet, executor=cluster) == local
    assert scan(fleet, executor=cluster, dedup=True) == local


def die_on_three(item: int) -> int:
    if item == 3:
        os.kill(os.getpid(), signal.SIGKILL)
    return item * 10


def test_an_item_that_kills_its_process_is_that_items_error(cluster: DaskExecutor) -> None:
    results = list(cluster.map(die_on_three, range(10), on_crash=lambda item, reason: f"{item}: {reason}"))
    assert results[:3] == [0, 10, 20] and results[4:] == [i * 10 for i in range(4, 10)]
    assert isinstance(results[3], str) and results[3].startswith("3: the process reading it died")


def slow_pid(item: int) -> tuple[int, int]:
    import time

    time.sleep(0.05)
    return item, os.getpid()


def test_a_dask_worker_killed_mid_scan_does_not_end_the_run() -> None:
    with DaskExecutor(None, jobs=2, batch_size=2) as executor:
        workers = executor.client.run(os.getpid)
        results = executor.map(slow_pid, range(40), on_crash=lambda item, reason: (item, -1))
        first = next(results)
        os.kill(next(iter(workers.values())), signal.SIGKILL)  # a whole Dask worker, mid-scan
        rest = list(results)
    assert [first[0]] + [item for item, _ in rest] == list(range(40))


def test_executor_addresses() -> None:
    assert scheduler_address("dask://scheduler.example:8786") == "tcp://scheduler.example:8786"
    assert scheduler_address("local-dask") is None
    for wrong in ("dask://", "dask://host", "ray://host:1", "dask://host:80/x"):
        with pytest.raises(UsageError):
            scheduler_address(wrong)


class Counting(Executor):
    """In-process, counting the work items it is given."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[Any] = []
        self.inner = InProcess()

    def map(self, func: Callable[[T], R], items: Iterable[T], on_crash: Callable[[T, str], R]) -> Iterator[R]:
        def seen() -> Iterator[T]:
            for item in items:
                self.items.append(item)
                yield item

        return self.inner.map(func, seen(), on_crash)


def test_identical_files_are_read_once_and_reported_under_each_path(fleet: Path) -> None:
    plain = scan(fleet, jobs=1)
    counting = Counting()
    deduplicated = scan(fleet, executor=counting, dedup=True)
    assert deduplicated == plain
    sizes = sorted(len(unit.candidates) for unit in counting.items)
    assert sizes == [1, 1, 1, 4]  # the c-shared library and its three copies: one unit
    paths = [a["path"] for a in deduplicated["artifacts"]]
    assert [p for p in paths if "copies" in p] == [str(fleet / "copies" / f"lib{i}.so") for i in range(3)]


def test_the_cache_hits_on_a_second_run(fleet: Path, tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    first = scan(fleet, jobs=1, cache=cache)
    # Six artifacts and the text file; the c-shared library's four copies share one entry.
    assert (cache.hits, cache.stored) == (0, 4)
    counting = Counting()
    second = scan(fleet, executor=counting, cache=cache)
    assert second == first == scan(fleet, jobs=1)
    assert cache.hits == 7 and counting.items == []


def test_a_cached_result_serves_the_same_bytes_at_another_path(fleet: Path, tmp_path: Path) -> None:
    """JSON renderings are stored for a placeholder path: a file moved or copied
    elsewhere costs a lookup, and its report is the one made at its new path."""
    cache = ResultCache(tmp_path / "cache")
    scan(fleet, jobs=1, cache=cache)
    moved = tmp_path / "elsewhere" / "deeper"
    shutil.copytree(fleet, moved)
    (moved / "copies" / "lib1.so").rename(moved / "copies" / "renamed.so")
    counting = Counting()
    served = scan(moved, executor=counting, cache=cache)
    assert counting.items == [] and cache.hits == 7
    assert served == scan(moved, jobs=1)
    text = json.dumps(served)
    assert str(fleet) not in text and "placeholder" not in text
    assert any(a["path"] == str(moved / "copies" / "renamed.so") for a in served["artifacts"])
    archive = next(a for a in served["artifacts"] if a["members"])
    assert all(m["path"].startswith(archive["path"] + "!") for m in archive["members"])


def test_per_path_ignores_keep_the_path_in_the_key(fleet: Path, tmp_path: Path) -> None:
    """The same bytes judge differently at two paths: those entries stay per path."""
    cache = ResultCache(tmp_path / "cache")
    config = config_from_table({"per-path-ignores": {"copies/lib0.so": ["CG103"]}}, root=str(fleet))
    run = ScanRun([fleet], jobs=1, prerender=artifact_json, cache=cache, config=config)
    assert not run.portable
    plain = report(run)
    assert cache.stored == 7
    again = report(ScanRun([fleet], jobs=1, prerender=artifact_json, cache=cache, config=config))
    assert again == plain and cache.hits == 7


@pytest.mark.parametrize("change", ["config", "severity", "version", "catalogue", "render"])
def test_the_cache_misses_when_what_shaped_a_result_changes(
    fleet: Path, tmp_path: Path, change: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = ResultCache(tmp_path / "cache")
    scan(fleet, jobs=1, cache=cache)
    config = Config()
    prerender: Callable[..., str] = artifact_json
    if change == "config":
        config = config_from_table({"ignore": ["CG103"]})
    elif change == "severity":
        config = config_from_table({"severity": {"CG103": "info"}})
    elif change == "version":
        monkeypatch.setattr(resultcache, "code_digest", lambda: "another build")
    elif change == "catalogue":
        monkeypatch.setattr(resultcache, "catalogue_digest", lambda: "another catalogue")
    else:
        prerender = lambda artifact: artifact_json(artifact) + " "  # noqa: E731
    hits = cache.hits
    list(ScanRun([fleet], jobs=1, cache=cache, config=config, prerender=prerender))
    assert cache.hits == hits


def test_entries_that_do_not_hold_are_ignored_and_recomputed(fleet: Path, tmp_path: Path) -> None:
    folder = tmp_path / "cache"
    cache = ResultCache(folder)
    expected = scan(fleet, jobs=1, cache=cache)
    entries = sorted(folder.rglob("*.json"))
    assert len(entries) == 4  # the four different contents
    texts = [entry.read_text() for entry in entries]
    entries[0].write_text(texts[0][:40])  # written half
    entries[1].write_text(texts[2])  # another key's entry
    data = json.loads(texts[2])
    if data["item"] is not None:
        data["item"]["severities"] = ["high"]
    else:
        data["item"] = {"path": 1}
    entries[2].write_text(json.dumps(data))  # malformed inside
    entries[3].write_bytes(b"\x80\x04K\x01.")  # a pickle: never loaded
    again = ResultCache(folder)
    assert scan(fleet, jobs=1, cache=again) == expected
    assert (again.hits, again.ignored, again.stored) == (0, 7, 4)  # every lookup ignored, each rewritten
    third = ResultCache(folder)
    scan(fleet, jobs=1, cache=third)
    assert third.hits == 7


def test_a_cache_folder_others_can_write_to_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o777)
    with pytest.raises(UsageError, match="writable by nobody else"):
        ResultCache(folder)


def test_a_file_changed_after_hashing_is_not_cached(fleet: Path, tmp_path: Path) -> None:
    run = ScanRun([fleet], jobs=1, prerender=artifact_json)
    library = str(fleet / "copies" / "lib0.so")
    other = str(fleet / "copies" / "lib1.so")
    unit = Unit((Candidate(library), Candidate(other)), digest="0" * 64)  # not what the worker reads
    result = run.worker.scan_unit(unit)
    assert not result.verified
    paths = [json.loads(item.text or "")["path"] for item in result.items if item is not None]
    assert paths == [library, other]  # each read on its own


def test_json_lines_stream_each_artifact_as_it_arrives(fleet: Path) -> None:
    out = io.StringIO()
    reporter = JsonLinesReporter(out, ReportContext("scan", {"name": "cgoguard"}, []))
    run = ScanRun([fleet], jobs=2, prerender=reporter.prerender())
    for seen, item in enumerate(run, 1):
        reporter.add(item)
        lines = out.getvalue().splitlines()
        assert len(lines) == seen + 1 and json.loads(lines[-1])["artifact"]["path"] == item.path
    reporter.finish(RunTotals(run.summary, run.tally, run.set_findings))
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    types = [r["type"] for r in records]
    assert types == ["tool"] + ["artifact"] * 6 + ["set_finding"] * len(run.set_findings) + ["summary"]
    assert records[-1]["summary"]["artifacts"] == 6
