"""The fixtures are what their recipes say, checked with binutils and `go version -m`."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import gofixtures

BRIDGE_EXPORTS = {"Add", "Sha256Hex", "FreeString", "CallC"}


def run(*argv: str | Path) -> str:
    completed = subprocess.run(
        [str(arg) for arg in argv],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "LC_ALL": "C"},
    )
    return completed.stdout


def go_version_m(path: Path) -> str:
    return run(gofixtures.go_binary(), "version", "-m", path)


def defined_dynamic_symbols(path: Path) -> set[str]:
    return {line.split()[-1] for line in run("nm", "-D", "--defined-only", path).splitlines() if line.strip()}


def test_every_recipe_names_a_known_builder_and_existing_sources() -> None:
    for name, recipe in gofixtures.RECIPES.items():
        assert recipe.builder in gofixtures.BUILDERS, name
        assert (gofixtures.FIXTURE_SOURCES / recipe.source).is_dir(), name
        for source in recipe.inputs:
            assert (gofixtures.FIXTURE_SOURCES / recipe.source / source).is_file(), (name, source)
        assert recipe.depends is None or recipe.depends in gofixtures.RECIPES, name


def test_pure_go_exe_is_static_exec_with_build_info(fixture_path: Callable[[str], Path]) -> None:
    path = fixture_path("go_exe_default")
    assert "Type:                              EXEC" in run("readelf", "-hW", path)
    assert "INTERP" not in run("readelf", "-lW", path)
    info = go_version_m(path)
    assert "\tpath\texample.com/hello\n" in info
    assert "\tbuild\t-buildmode=exe\n" in info


def test_internal_pie_with_bindnow_has_pie_and_now_flags(fixture_path: Callable[[str], Path]) -> None:
    dynamic = run("readelf", "-dW", fixture_path("go_pie_bindnow"))
    assert re.search(r"\(FLAGS_1\)\s+Flags: NOW PIE", dynamic)
    assert "GNU_RELRO" in run("readelf", "-lW", fixture_path("go_pie_bindnow"))


def test_version_script_keeps_exactly_the_export_names(
    fixture_path: Callable[[str], Path], cgo_header: Callable[[str], Path]
) -> None:
    header_names = gofixtures.header_exports(cgo_header("go_cshared_default"))
    assert set(header_names) == BRIDGE_EXPORTS
    assert defined_dynamic_symbols(fixture_path("go_cshared_versionscript")) == BRIDGE_EXPORTS
    assert defined_dynamic_symbols(fixture_path("go_cshared_hardened")) == BRIDGE_EXPORTS
    # Without the script the cgo runtime leaks its own entry points.
    untrimmed = defined_dynamic_symbols(fixture_path("go_cshared_default"))
    assert untrimmed > BRIDGE_EXPORTS
    assert "crosscall2" in untrimmed


def test_hardened_cgo_flags_leave_canary_and_fortify_only_when_asked(
    fixture_path: Callable[[str], Path],
) -> None:
    hardened = run("nm", "-D", fixture_path("go_cgo_exe_hardened"))
    assert "__stack_chk_fail" in hardened
    assert re.search(r"__\w+_chk\b", hardened.replace("__stack_chk_fail", ""))
    plain = run("nm", "-D", fixture_path("go_cgo_exe"))
    assert "_chk" not in plain


def test_build_info_settings_of_special_builds(fixture_path: Callable[[str], Path]) -> None:
    assert "\tbuild\tvcs.modified=true\n" in go_version_m(fixture_path("go_exe_vcs_modified"))
    fips = go_version_m(fixture_path("go_exe_fips"))
    assert "GOFIPS140=v1.0.0-" in fips
    assert "DefaultGODEBUG=fips140=on" in fips
    assert "-X:boringcrypto" in go_version_m(fixture_path("go_exe_boring")).splitlines()[0]
    old = go_version_m(fixture_path("go_exe_oldgomod"))
    debug_line = next(line for line in old.splitlines() if "DefaultGODEBUG=" in line)
    assert len(debug_line.split("=", 1)[1].split(",")) > 10


def test_run_paths(fixture_path: Callable[[str], Path]) -> None:
    patched = run("readelf", "-dW", fixture_path("go_cshared_patched"))
    assert "Library runpath: [$ORIGIN/../libs]" in patched
    legacy = run("readelf", "-dW", fixture_path("go_cshared_rpath"))
    assert "Library rpath: [$ORIGIN/lib:/tmp/cgoguard-rpath]" in legacy
    assert "Library runpath: [lib:/tmp/x]" in run("readelf", "-dW", fixture_path("c_shared_runpath"))


def test_c_edge_cases(fixture_path: Callable[[str], Path]) -> None:
    assert "(TEXTREL)" in run("readelf", "-dW", fixture_path("c_textrel"))
    assert re.search(r"^\s+LOAD\s.*\sRWE\s", run("readelf", "-lW", fixture_path("c_rwx")), re.MULTILINE)
    assert "x86 feature: IBT, SHSTK" in run("readelf", "-nW", fixture_path("c_object"))
    assert run("ar", "t", fixture_path("c_archive")).split() == ["archive_first.o", "archive_second.o"]
    assert "GNU_STACK" in run("readelf", "-lW", fixture_path("c_nohardening"))
    assert re.search(r"GNU_STACK\s.*\sRWE\s", run("readelf", "-lW", fixture_path("c_nohardening")))


def test_carchive_consumer_runs_the_go_code(fixture_path: Callable[[str], Path]) -> None:
    assert run(fixture_path("go_carchive_consumer")).strip() == "42"
    assert "-buildmode=c-archive" in go_version_m(fixture_path("go_carchive_consumer"))


@pytest.mark.parametrize(
    ("name", "elf_class", "data", "machine"),
    [
        ("go_exe_arm64", "ELF64", "little endian", "AArch64"),
        ("go_exe_386", "ELF32", "little endian", "Intel 80386"),
        ("go_exe_s390x", "ELF64", "big endian", "IBM S/390"),
        ("go_exe_mips", "ELF32", "big endian", "MIPS R3000"),
    ],
)
def test_cross_builds_target_their_machine(
    fixture_path: Callable[[str], Path], name: str, elf_class: str, data: str, machine: str
) -> None:
    header = run("readelf", "-hW", fixture_path(name))
    assert re.search(rf"Class:\s+{elf_class}\n", header)
    assert data in header
    assert re.search(rf"Machine:\s+{re.escape(machine)}\n", header)


# ---------------------------------------------------------------------------
# The cache itself, on a cheap C fixture in a private cache folder.


@pytest.fixture
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("CGOGUARD_FIXTURE_CACHE", str(tmp_path / "cache"))
    gofixtures.cache_key.cache_clear()
    yield tmp_path / "cache"
    gofixtures.cache_key.cache_clear()


def test_second_build_reuses_the_artifact(private_cache: Path) -> None:
    first = gofixtures.build("c_object")
    modified = first.stat().st_mtime_ns
    assert gofixtures.build("c_object") == first
    assert first.stat().st_mtime_ns == modified
    assert first.is_relative_to(private_cache)


def test_editing_a_source_changes_the_key(private_cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = private_cache.parent / "sources"
    (copy / "c").mkdir(parents=True)
    (copy / "c" / "library.c").write_bytes((gofixtures.FIXTURE_SOURCES / "c" / "library.c").read_bytes())
    monkeypatch.setattr(gofixtures, "FIXTURE_SOURCES", copy)
    before = gofixtures.cache_key("c_object")
    (copy / "c" / "library.c").write_text("int library_version(void) { return 2; }\n")
    gofixtures.cache_key.cache_clear()
    assert gofixtures.cache_key("c_object") != before


def test_failed_build_reports_stderr_and_leaves_nothing(
    private_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = dataclasses.replace(gofixtures.RECIPES["c_object"], args=("-fno-such-flag-for-cgoguard", "-c"))
    monkeypatch.setitem(gofixtures.RECIPES, "c_object", broken)
    with pytest.raises(gofixtures.FixtureBuildError, match="no-such-flag-for-cgoguard") as raised:
        gofixtures.build("c_object")
    assert "'c_object'" in str(raised.value)
    assert list((private_cache / "artifacts").iterdir()) == []


def test_concurrent_builders_share_one_result(private_cache: Path) -> None:
    script = Path(gofixtures.__file__)
    env = {**os.environ, "CGOGUARD_FIXTURE_CACHE": str(private_cache)}
    workers = [
        subprocess.Popen([sys.executable, script, "c_archive"], stdout=subprocess.PIPE, text=True, env=env)
        for _ in range(3)
    ]
    outputs = [worker.communicate()[0] for worker in workers]
    assert [worker.returncode for worker in workers] == [0, 0, 0]
    assert len(set(outputs)) == 1
    assert [entry.name for entry in (private_cache / "artifacts").iterdir()] == [
        Path(outputs[0].split("\t")[1].strip()).parent.name
    ]
