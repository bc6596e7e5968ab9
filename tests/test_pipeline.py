"""The seams of the pipeline, each used the way a future feature will use it: a source that
is not a folder, an executor that is not this process, checks over the whole set."""

from __future__ import annotations

import json
import pickle
import shutil
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import cgoguard
from cgoguard.config import Config
from cgoguard.executors import Executor, InProcess
from cgoguard.pipeline import ScanRun, ScanWorker
from cgoguard.sources import Candidate, Source, SourceStats
from clirun import run

T = TypeVar("T")
R = TypeVar("R")


class PicklingExecutor(Executor):
    """What a cluster executor does to work: every item and result crosses a
    process boundary as bytes (here: threads, with a pickle round trip each way)."""

    def map(self, func: Callable[[T], R], items: Iterable[T], on_crash: Callable[[T, str], R]) -> Iterator[R]:
        remote = pickle.loads(pickle.dumps(func))

        def ship(item: T) -> R:
            result: R = remote(pickle.loads(pickle.dumps(item)))
            return pickle.loads(pickle.dumps(result))  # type: ignore[no-any-return]

        with ThreadPoolExecutor(2) as pool:
            yield from pool.map(ship, items)


class MemorySource(Source):
    """A container-like source: members already read into memory, with an origin."""

    def __init__(self, container: str, members: dict[str, bytes]) -> None:
        self.container = container
        self.members = members

    def candidates(self, stats: SourceStats) -> Iterator[Candidate]:
        for name, data in sorted(self.members.items()):
            yield Candidate(f"{self.container}!{name}", data=data, origin=(self.container,))


def _dist(tmp_path: Path, fixture_path: Callable[[str], Path], *names: str) -> Path:
    folder = tmp_path / "dist"
    folder.mkdir()
    for name in names:
        shutil.copy(fixture_path(name), folder / f"{name}.so")
    return folder


def test_a_remote_executor_gives_the_same_report(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    folder = _dist(tmp_path, fixture_path, "go_cshared_default", "go_cshared_other", "c_hardened")
    local = cgoguard.scan([folder], executor=InProcess())
    remote = cgoguard.scan([folder], executor=PicklingExecutor())
    assert [a.path for a in remote.artifacts] == [a.path for a in local.artifacts]
    assert [[f.check_id for f in a.findings] for a in remote.artifacts] == [
        [f.check_id for f in a.findings] for a in local.artifacts
    ]
    assert [f.check_id for f in remote.set_findings] == [f.check_id for f in local.set_findings]
    assert [f.check_id for f in local.set_findings] == ["CG250", "CG251"]


def test_a_source_of_bytes_in_memory(fixture_path: Callable[[str], Path]) -> None:
    data = fixture_path("go_cshared_default").read_bytes()
    source = MemorySource("bundle.whl", {"lib/libbridge.so": data, "README": b"text"})
    report = cgoguard.scan([source])
    (artifact,) = report.artifacts
    assert artifact.path == "bundle.whl!lib/libbridge.so"
    assert artifact.go is not None and artifact.go.cgo.go_exports == [
        "Add",
        "CallC",
        "FreeString",
        "Sha256Hex",
    ]
    assert report.summary.skipped_not_elf == 1 and report.complete


def test_set_members_cross_the_pipe_with_their_origin(fixture_path: Callable[[str], Path]) -> None:
    data = fixture_path("go_cshared_default").read_bytes()
    worker = ScanWorker(Config())
    item = worker(Candidate("img.tar!usr/lib/libbridge.so", data=data, origin=("img.tar",)))
    assert item is not None
    shipped = pickle.loads(pickle.dumps(item))
    (member,) = shipped.set_members
    assert member.origin == ("img.tar",) and member.go_build_mode == "c-shared"
    assert member.go_package == "example.com/bridge"
    # The facts the set checks read: what it needs, how it binds, what it exports besides its API.
    assert member.needed == ("libc.so.6",) and member.search_path == () and member.symbolic
    assert (member.relro, member.bind_now) == ("partial", False)
    assert "crosscall2" in member.runtime_exports and member.c_exports == ()
    assert member.fips_provider == "none"  # it links crypto/sha256: a provider to compare


def test_export_conflict_across_libraries(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    folder = _dist(tmp_path, fixture_path, "go_cshared_default", "go_cshared_other")
    proc = run("scan", folder, "--format", "json", "--jobs", "2", "--fail-on", "medium")
    report = json.loads(proc.stdout)
    (finding,) = [f for f in report["set_findings"] if f["id"] == "CG250"]
    assert "Add" in finding["message"] and "Version" not in finding["message"]
    assert sorted(Path(p).name for p in finding["artifacts"]) == [
        "go_cshared_default.so",
        "go_cshared_other.so",
    ]
    assert proc.returncode == 1, "a set-level finding counts towards --fail-on"
    assert run("scan", folder, "--fail-on", "medium", "--ignore", "CG250,CG1,CG2").returncode == 0
    text = run("scan", folder, "--jobs", "1").stdout
    assert "Across artifacts" in text and "CG250" in text


def test_variants_of_one_library_do_not_conflict(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    folder = _dist(tmp_path, fixture_path, "go_cshared_default", "go_cshared_bindnow", "go_cshared_extnow")
    assert cgoguard.scan([folder]).set_findings == []


def test_sarif_locates_a_set_finding_at_every_artifact(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    folder = _dist(tmp_path, fixture_path, "go_cshared_default", "go_cshared_other")
    sarif = json.loads(run("scan", folder, "--format", "sarif", cwd=tmp_path).stdout)
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "CG250"]
    located = [result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]] + [
        r["physicalLocation"]["artifactLocation"]["uri"] for r in result["relatedLocations"]
    ]
    assert sorted(located) == ["dist/go_cshared_default.so", "dist/go_cshared_other.so"]


def test_scan_run_reports_totals_after_iteration(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    folder = _dist(tmp_path, fixture_path, "c_hardened")
    (folder / "notes.txt").write_text("x")
    scan_run = ScanRun([folder, tmp_path / "typo"], jobs=1)
    items = list(scan_run)
    assert [Path(i.path).name for i in items] == ["c_hardened.so", "typo"]
    assert scan_run.summary.skipped_not_elf == 1 and scan_run.tally.missing == [str(tmp_path / "typo")]
    assert scan_run.finished and not scan_run.tally.complete
