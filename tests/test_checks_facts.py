"""Checks driven by facts that no local build can produce (old Go releases,
other release tables): the facts come from a real build, with one field
changed, which is what checks see anyway (checks never read files)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest

from cgoguard.api import scan
from cgoguard.assess import summarize
from cgoguard.checks import Subject, find_check
from cgoguard.checks.goruntime import parse_go_version, release_table
from cgoguard.model import Artifact


@pytest.fixture(scope="module")
def go_exe(fixture_path: Callable[[str], Path]) -> Artifact:
    return scan([fixture_path("go_exe_default")]).artifacts[0]


def run_check(check_id: str, artifact: Artifact, version: str) -> list[str]:
    changed = copy.deepcopy(artifact)
    assert changed.go is not None and changed.go.buildinfo is not None and changed.elf is not None
    changed.go.buildinfo.version = version
    subject = Subject(changed.path, changed.elf, changed.go, summarize(changed.elf, changed.go))
    check = find_check(check_id)
    assert check is not None
    return [f.message for f in check.run(subject)]


def test_release_table_is_sane() -> None:
    table = release_table()
    assert len(table.supported) == 2
    assert table.supported[0].major > table.supported[1].major
    assert all(r.latest is not None for r in table.supported)


@pytest.mark.parametrize(
    ("version", "unsupported", "behind"),
    [
        ("go1.16.9", True, False),
        ("go1.25.5", True, False),
        ("go1.26.0", False, True),
        ("go1.27.1", False, True),
        ("go1.27.3", False, False),
        ("go1.28.0", False, False),  # newer than the table: not judged
        ("devel go1.28-abc", False, False),
    ],
)
def test_toolchain_support(go_exe: Artifact, version: str, unsupported: bool, behind: bool) -> None:
    assert bool(run_check("CG204", go_exe, version)) is unsupported
    assert bool(run_check("CG205", go_exe, version)) is behind


def test_parse_go_version() -> None:
    assert parse_go_version("go1.27.3") == (1, 27, 3, "")
    assert parse_go_version("go1.27rc1") == (1, 27, 0, "rc1")
    assert parse_go_version("go1.21.0") == (1, 21, 0, "")
    assert parse_go_version("devel +abc") is None


def test_the_built_toolchain_is_judged_by_the_table(go_exe: Artifact) -> None:
    assert go_exe.go is not None and go_exe.go.buildinfo is not None
    ids = {f.check_id for f in go_exe.findings}
    assert "CG204" not in ids
    version = parse_go_version(go_exe.go.buildinfo.version)
    assert version is not None
    latest = next(r.latest for r in release_table().supported if r.major == version[:2])
    assert ("CG205" in ids) is (latest is not None and version[:3] < latest)
