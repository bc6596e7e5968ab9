"""Per-run state kept on disk past a limit: the walker's seen files and the set stage's store."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import cgoguard.spill
from cgoguard.config import Config
from cgoguard.model import SetMember
from cgoguard.pipeline import run_set_checks, set_store
from cgoguard.sources import SourceStats
from cgoguard.sources.paths import walk
from cgoguard.spill import SpillSet


def test_spill_set_is_exact_across_the_move_to_disk() -> None:
    seen = SpillSet(limit=5)
    pairs = [(d, i) for d in (1, 2**64 - 1) for i in (0, 7, 2**63, 2**64 - 2, 42, 9)]
    assert all(seen.add(p) for p in pairs)  # the move to disk happens in the middle
    assert len(seen) == len(pairs)
    assert not any(seen.add(p) for p in pairs)
    assert all(p in seen for p in pairs)
    assert (3, 0) not in seen and (1, 1) not in seen and (2**64 - 1, 2**63 + 1) not in seen
    seen.close()


def test_walker_finds_hard_links_after_spilling(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cgoguard.spill, "MEMORY_PAIRS", 3)
    for n in range(10):
        (tmp_path / f"f{n:02}").write_bytes(b"x" * n)
    for n in range(10):
        os.link(tmp_path / f"f{n:02}", tmp_path / f"z{n:02}")  # after every f in sorted order
    os.symlink(tmp_path / "f09", tmp_path / "g-link")
    stats = SourceStats()
    found = [c.path for c in walk([str(tmp_path), str(tmp_path / "f01")], stats)]
    assert found == [str(tmp_path / f"f{n:02}") for n in range(10)]
    assert stats.duplicates == 12  # ten hard links, the symlink, f01 named again


def _member(path: str, **fields: object) -> SetMember:
    base: dict[str, object] = dict(
        sha256=None, kind="shared-library", machine="x86-64", soname=None, go_version=None, go_build_mode=None
    )
    base.update(fields)
    return SetMember(path, **base)  # type: ignore[arg-type]


def test_store_files_members_by_group_and_reads_back_what_a_check_asks() -> None:
    store = set_store(Config())
    wheel = ("dist/a.whl",)
    store.add(
        [
            _member("dist/a.whl!a/libz.so.1", origin=wheel, container="zip", soname="libz.so.1", sha256="11"),
            _member("libgo.so", go_version="go1.27", go_build_mode="c-shared", sha256="22"),
            _member("dist/a.whl!a/testdata/libt.so", origin=wheel, container="zip"),  # test data: no group
            _member("copy/libgo.so", go_version="go1.27", go_build_mode="c-shared", sha256="22"),
            _member("arm/libz.so.1", machine="aarch64", soname="libz.so.1"),
            _member("libz-0a1b2c3d.so.1", relro="partial"),
            _member("libz.so.1", soname="libz.so.1", relro="full", sha256="33"),
            _member("prog", kind="executable", go_version="go1.27", go_build_mode="pie"),
        ]
    )
    assert store.count == 7
    rows = store.groups()
    assert [(r.container, r.machine) for r in rows] == [
        (None, "aarch64"),
        (None, "x86-64"),
        ("dist/a.whl", "x86-64"),
    ]
    own = rows[1].id
    assert [m.path for m in store.members(own)] == [
        "libgo.so",
        "copy/libgo.so",
        "libz-0a1b2c3d.so.1",
        "libz.so.1",
        "prog",
    ]
    assert [m.path for m in store.members(own, go=True, kind="executable")] == ["prog"]
    assert [[m.path for m in found] for found in store.repeated(own, "sha256")] == [
        ["libgo.so", "copy/libgo.so"]
    ]
    # auditwheel's hash is not part of the name; programs are never copies of a library
    assert [[m.path for m in found] for found in store.repeated(own, "library")] == [
        ["libgo.so", "copy/libgo.so"],
        ["libz-0a1b2c3d.so.1", "libz.so.1"],
    ]
    assert [m.path for m in store.named(own, ["libz.so"])] == ["libz.so.1"]
    assert [m.path for m in store.named(own, ["libz"])] == ["libz-0a1b2c3d.so.1", "libz.so.1"]
    assert list(store.named(own, [])) == []
    with pytest.raises(ValueError):
        list(store.repeated(own, "path"))
    store.close()


def test_set_checks_read_the_same_from_a_store_that_spilled_to_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thousands of members past a small page cache: findings stay exact and in order."""
    monkeypatch.setattr(cgoguard.spill, "CACHE_KIB", 64)
    members = [
        _member(f"lib/n{n:05}/libx.so", sha256=f"{n % 1500:064x}", relro="full" if n % 7 else "partial")
        for n in range(6000)
    ]
    found = run_set_checks(members, Config())
    copies = [f for f in found if f.check_id == "CG257"]
    assert len(copies) == 1500 and all(len(f.artifacts) == 4 for f in copies)
    assert copies[0].artifacts[0] == "lib/n00000/libx.so"
    (differ,) = [f for f in found if f.check_id == "CG258"]
    assert len(differ.artifacts) == 6000
