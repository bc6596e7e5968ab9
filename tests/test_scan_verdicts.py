"""End-to-end verdicts on real artifacts, each compared with binutils or the Go toolchain.

Every fixture is built by tests/gofixtures.py with the real toolchains; the
expected values come from readelf (tests/truth.py), nm and `go version -m`,
never from cgoguard itself.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import gofixtures
from cgoguard.api import scan
from cgoguard.model import Artifact, Severity
from truth import readelf_truth

ARCHIVE_FIXTURES = [n for n in gofixtures.FIXTURE_NAMES if gofixtures.RECIPES[n].output.endswith(".a")]
ELF_FIXTURES = [n for n in gofixtures.FIXTURE_NAMES if n not in ARCHIVE_FIXTURES]
_NM_LINE = re.compile(r"^[0-9a-fA-F]*\s+[A-Za-z?-] (.+)$")


def scan_one(path: Path) -> Artifact:
    report = scan([path])
    assert len(report.artifacts) == 1, report.artifacts
    artifact = report.artifacts[0]
    assert artifact.error is None, artifact.error
    return artifact


def finding_ids(artifact: Artifact) -> set[str]:
    return {f.check_id for f in artifact.findings}


def nm_names(path: Path, *args: str) -> set[str]:
    out = subprocess.run(["nm", *args, str(path)], capture_output=True, text=True, check=False).stdout
    # "<value> <type> <name>" or "         U <name>"; Go names may contain spaces.
    names = (_NM_LINE.match(line) for line in out.splitlines())
    return {m.group(1).split("@")[0] for m in names if m}


@pytest.fixture(scope="module")
def scanned(fixture_path: Callable[[str], Path]) -> Callable[[str], Artifact]:
    cache: dict[str, Artifact] = {}

    def get(name: str) -> Artifact:
        if name not in cache:
            cache[name] = scan_one(fixture_path(name))
        return cache[name]

    return get


@pytest.mark.parametrize("name", ELF_FIXTURES)
def test_hardening_matches_readelf(
    name: str, fixture_path: Callable[[str], Path], scanned: Callable[[str], Artifact]
) -> None:
    truth = readelf_truth(fixture_path(name))
    artifact = scanned(name)
    h = artifact.hardening
    assert h is not None
    got = {
        "kind": h.kind,
        "pie": h.pie,
        "relro": h.relro,
        "bind_now": h.bind_now,
        "nx": h.nx,
        "textrel": h.textrel,
        "rpath": h.rpath,
        "runpath": h.runpath,
        "rwx": len(h.rwx_segments),
    }
    want = {k: truth[k] for k in ("kind", "pie", "relro", "bind_now", "nx", "textrel", "rpath", "runpath")}
    want["rwx"] = truth["rwx_load_segments"]
    assert got == want


@pytest.mark.parametrize("name", ELF_FIXTURES)
def test_exports_match_nm(
    name: str, fixture_path: Callable[[str], Path], scanned: Callable[[str], Artifact]
) -> None:
    path = fixture_path(name)
    artifact = scanned(name)
    assert artifact.elf is not None
    if artifact.elf.e_type == "REL":
        pytest.skip("objects have no dynamic symbol table")
    assert set(artifact.elf.exports) == nm_names(path, "-D", "--defined-only")
    assert set(artifact.elf.imports) == nm_names(path, "-D", "--undefined-only")


def _go_version_m(path: Path) -> dict[str, object] | None:
    proc = subprocess.run(
        [gofixtures.go_binary(), "version", "-m", "-json", str(path)],
        capture_output=True,
        text=True,
        env=gofixtures.go_env(),
        check=False,
    )
    return json.loads(proc.stdout) if proc.returncode == 0 else None


@pytest.mark.parametrize("name", [n for n in ELF_FIXTURES if n.startswith("go_")])
def test_go_version_and_build_mode_match_go_version_m(
    name: str, fixture_path: Callable[[str], Path], scanned: Callable[[str], Artifact]
) -> None:
    path = fixture_path(name)
    artifact = scanned(name)
    want = _go_version_m(path)
    if name == "go_cshared_patched":
        assert want is None, "go version -m was expected to fail on a patchelf'd library"
        want = _go_version_m(fixture_path("go_cshared_default"))
    assert want is not None
    assert artifact.go is not None and artifact.go.buildinfo is not None
    assert artifact.go.buildinfo.raw_version == want["GoVersion"]
    settings = {s["Key"]: s.get("Value", "") for s in want.get("Settings", [])}  # type: ignore[union-attr]
    assert artifact.go.buildinfo.settings == settings
    assert artifact.hardening is not None
    assert artifact.hardening.go_build_mode == settings["-buildmode"]


def test_c_files_have_no_go_facts(scanned: Callable[[str], Artifact]) -> None:
    for name in ("c_hardened", "c_nohardening", "c_shared_hardened", "c_static"):
        assert scanned(name).go is None


# -- canary and FORTIFY: only for C parts ---------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["go_exe_default", "go_exe_nocgo", "go_pie_default", "go_exe_stripped", "go_exe_arm64", "go_exe_s390x"],
)
def test_pure_go_never_gets_canary_or_fortify_findings(name: str, scanned: Callable[[str], Artifact]) -> None:
    artifact = scanned(name)
    assert artifact.hardening is not None
    assert artifact.hardening.canary is None and artifact.hardening.fortify is None
    assert not finding_ids(artifact) & {"CG108", "CG109", "CG207"}


@pytest.mark.parametrize(
    "name",
    [
        "go_cgo_exe",
        "go_cgo_exe_hardened",
        "go_cgo_pie_hardened",
        "go_cshared_default",
        "go_cshared_hardened",
        "c_hardened",
        "c_nohardening",
        "c_shared_hardened",
    ],
)
def test_canary_matches_nm(
    name: str, fixture_path: Callable[[str], Path], scanned: Callable[[str], Artifact]
) -> None:
    path = fixture_path(name)
    referenced = bool(nm_names(path, "-D") & {"__stack_chk_fail", "__stack_chk_guard"}) or bool(
        nm_names(path) & {"__stack_chk_fail", "__stack_chk_guard", "__stack_chk_fail_local"}
    )
    artifact = scanned(name)
    assert artifact.hardening is not None
    assert artifact.hardening.canary is referenced
    assert ("CG108" in finding_ids(artifact)) is (not referenced)


def test_hardened_cgo_flags_give_canary_and_fortify(scanned: Callable[[str], Artifact]) -> None:
    for name in ("go_cgo_exe_hardened", "go_cgo_pie_hardened", "go_cshared_hardened"):
        h = scanned(name).hardening
        assert h is not None and h.c_code == "user"
        assert h.canary is True and h.fortify is True, name


def test_default_cgo_build_on_this_host(
    fixture_path: Callable[[str], Path], scanned: Callable[[str], Artifact]
) -> None:
    path = fixture_path("go_cgo_exe")
    chk = {n for n in nm_names(path, "-D", "--undefined-only") if n.endswith("_chk")}
    h = scanned("go_cgo_exe").hardening
    assert h is not None and h.c_code == "user"
    assert h.fortify is bool(chk)


# -- Go-specific ----------------------------------------------------------------------------


def test_cshared_exports_go_api_and_runtime(
    fixture_path: Callable[[str], Path], cgo_header: Callable[[str], Path], scanned: Callable[[str], Artifact]
) -> None:
    declared = set(gofixtures.header_exports(cgo_header("go_cshared_default")))
    artifact = scanned("go_cshared_default")
    assert artifact.go is not None
    assert set(artifact.go.cgo.go_exports) == declared
    assert artifact.go.cgo.runtime_exports
    assert {"CG201", "CG202", "CG203", "CG103"} <= finding_ids(artifact)
    assert set(artifact.elf.exports) == declared | set(artifact.go.cgo.runtime_exports)  # type: ignore[union-attr]


def test_version_script_removes_runtime_exports(scanned: Callable[[str], Artifact]) -> None:
    for name in ("go_cshared_versionscript", "go_cshared_hardened"):
        artifact = scanned(name)
        assert "CG201" not in finding_ids(artifact), name
    hardened = scanned("go_cshared_hardened")
    assert hardened.hardening is not None and hardened.hardening.relro == "full"
    assert not finding_ids(hardened) & {"CG103", "CG111", "CG112", "CG108", "CG109"}


def test_relro_fixes_take_effect(scanned: Callable[[str], Artifact]) -> None:
    assert "CG103" in finding_ids(scanned("go_pie_default"))
    for name in ("go_pie_bindnow", "go_cshared_bindnow", "go_cshared_extnow", "go_plugin_default"):
        artifact = scanned(name)
        assert artifact.hardening is not None and artifact.hardening.relro == "full", name
        assert "CG103" not in finding_ids(artifact)


def test_pie_verdicts(scanned: Callable[[str], Artifact]) -> None:
    for name in ("go_exe_default", "go_exe_nocgo", "go_cgo_exe", "c_nohardening"):
        assert "CG101" in finding_ids(scanned(name)), name
    for name in ("go_pie_default", "go_cgo_pie_hardened", "c_hardened", "go_cshared_default", "c_static_pie"):
        assert "CG101" not in finding_ids(scanned(name)), name
    # a static Go exe has nothing for RELRO to protect: PIE is its finding, not RELRO
    assert "CG102" not in finding_ids(scanned("go_exe_nocgo"))


def test_trimpath_stripping_buildid(scanned: Callable[[str], Artifact]) -> None:
    assert "CG112" in finding_ids(scanned("go_exe_default"))
    assert "CG112" not in finding_ids(scanned("go_exe_trimpath"))
    assert "CG111" in finding_ids(scanned("go_exe_default"))
    assert "CG111" not in finding_ids(scanned("go_exe_stripped"))
    assert "CG113" in finding_ids(scanned("go_exe_nobuildid"))
    assert "CG113" not in finding_ids(scanned("go_exe_default"))


def test_vcs_modified(scanned: Callable[[str], Artifact]) -> None:
    artifact = scanned("go_exe_vcs_modified")
    assert artifact.go is not None and artifact.go.buildinfo is not None
    assert artifact.go.buildinfo.settings["vcs.modified"] == "true"
    assert "CG206" in finding_ids(artifact)


def test_fips_module_detected(scanned: Callable[[str], Artifact]) -> None:
    from cgoguard.assess import fips_status

    for name in ("go_exe_fips", "go_cshared_fips"):
        go = scanned(name).go
        assert go is not None
        status = fips_status(go)
        assert status.provider == "go-native" and status.validated_module and status.default_mode == "on", (
            name
        )
    boring = scanned("go_exe_boring").go
    assert boring is not None
    assert fips_status(boring).provider == "boringcrypto"
    assert "GOEXPERIMENT=boringcrypto" in fips_status(boring).evidence
    plain = scanned("go_exe_default").go
    assert plain is not None
    status = fips_status(plain)
    assert status.provider == "none" and status.crypto_linked
    messages = [f.message for f in scanned("go_exe_default").findings if f.check_id == "CG301"]
    assert messages and "no FIPS module" in messages[0]


def test_search_paths(scanned: Callable[[str], Artifact]) -> None:
    from cgoguard.model import Severity

    for name in ("c_shared_runpath", "go_cshared_rpath"):
        findings = [f for f in scanned(name).findings if f.check_id == "CG107"]
        assert findings and findings[0].severity is Severity.HIGH, name


def test_textrel_rwx_execstack(scanned: Callable[[str], Artifact]) -> None:
    assert "CG106" in finding_ids(scanned("c_textrel"))
    assert "CG105" in finding_ids(scanned("c_rwx"))
    assert "CG104" in finding_ids(scanned("c_nohardening"))
    assert "CG104" not in finding_ids(scanned("c_hardened"))
    now_norelro = scanned("c_now_norelro")
    assert now_norelro.hardening is not None and now_norelro.hardening.relro == "none"
    assert "CG102" in finding_ids(now_norelro)


def test_cross_architectures_parse(scanned: Callable[[str], Artifact]) -> None:
    expected = {
        "go_exe_arm64": ("aarch64", 64, True),
        "go_exe_386": ("i386", 32, True),
        "go_exe_s390x": ("s390x", 64, False),
        "go_exe_mips": ("mips", 32, False),
    }
    for name, (machine, bits, little) in expected.items():
        elf = scanned(name).elf
        assert elf is not None
        assert (elf.machine, elf.elf_class, elf.little_endian) == (machine, bits, little), name
        assert scanned(name).go is not None


def test_builds_for_other_systems_name_their_system(scanned: Callable[[str], Artifact]) -> None:
    """Go 1.27 writes PT_GNU_STACK for Linux and FreeBSD only (Go 1.13, as
    shipped in real wheels, for Linux only); an OpenBSD or Solaris build
    without it is not an executable-stack finding (their kernels do not take
    the stack's permissions from it): nx is None, "not judged"."""
    for name, system in (("go_exe_openbsd", "openbsd"), ("go_exe_solaris", "solaris")):
        artifact = scanned(name)
        assert artifact.hardening is not None and artifact.elf is not None
        assert artifact.hardening.system == system, name
        assert artifact.hardening.nx is None and "not judged" in artifact.hardening.nx_detail, name
        assert "CG104" not in finding_ids(artifact), name
    freebsd = scanned("go_exe_freebsd").hardening
    assert freebsd is not None and freebsd.system == "freebsd" and freebsd.nx is True
    assert scanned("go_exe_default").hardening.system == "linux"  # type: ignore[union-attr]
    elf = scanned("go_exe_openbsd").elf
    assert elf is not None and elf.abi_note == "openbsd"
    elf = scanned("go_exe_freebsd").elf
    assert elf is not None and elf.os_abi == 9
    elf = scanned("go_exe_solaris").elf
    assert elf is not None and elf.os_abi == 0 and elf.interpreter == "/lib/amd64/ld.so.1"


# -- archives ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ARCHIVE_FIXTURES)
def test_archive_members_match_ar(name: str, fixture_path: Callable[[str], Path]) -> None:
    path = fixture_path(name)
    listed = subprocess.run(["ar", "t", str(path)], capture_output=True, text=True, check=True).stdout.split()
    artifact = scan_one(path)
    assert artifact.is_archive
    assert [m.path.split("!", 1)[1].split("#")[0] for m in artifact.members] == listed
    for member in artifact.members:
        assert member.error is None and member.hardening is not None
        assert member.hardening.kind == "relocatable"


def test_carchive_go_facts_where_go_version_fails(fixture_path: Callable[[str], Path]) -> None:
    path = fixture_path("go_carchive_default")
    assert _go_version_m(path) is None
    artifact = scan_one(path)
    assert artifact.go is not None and artifact.go.buildinfo is not None
    assert artifact.go.buildinfo.settings["-buildmode"] == "c-archive"
    consumer = _go_version_m(fixture_path("go_carchive_consumer"))
    assert consumer is not None and consumer["GoVersion"] == artifact.go.buildinfo.raw_version


def test_carchive_member_canary_only_for_user_c(fixture_path: Callable[[str], Path]) -> None:
    for name, protected in (("go_carchive_default", None), ("go_carchive_hardened", True)):
        artifact = scan_one(fixture_path(name))
        by_kind: dict[str, list[Artifact]] = {}
        for member in artifact.members:
            assert member.hardening is not None
            by_kind.setdefault(member.hardening.c_code, []).append(member)
        assert by_kind.get("runtime-cgo-only"), "runtime/cgo members were not recognised"
        for member in by_kind["runtime-cgo-only"] + by_kind.get("none", []):
            assert member.hardening is not None and member.hardening.canary is None
            assert "CG108" not in finding_ids(member)
        user = by_kind.get("user", [])
        assert user, "no user C member found"
        if protected:
            assert any(m.hardening is not None and m.hardening.canary for m in user)


def test_rpath_and_runpath_are_named_apart(fixture_path: Callable[[str], Path]) -> None:
    """DT_RUNPATH (what patchelf and modern linkers write) is shown as RUNPATH, DT_RPATH as RPATH."""
    import io

    import cgoguard
    from cgoguard.outcome import item_of
    from cgoguard.reports import ReportContext, RunTotals, create_reporter

    report = cgoguard.scan([fixture_path("go_cshared_patched"), fixture_path("go_cshared_rpath")])
    context = ReportContext("scan", cgoguard.api.tool_info(), [], Severity.HIGH, verbose=True, color=False)
    out = io.StringIO()
    reporter = create_reporter("text", out, context)
    for artifact in report.artifacts:
        reporter.add(item_of(artifact))
    reporter.finish(RunTotals(report.summary, report.tally, report.set_findings))
    text = out.getvalue()
    assert "RUNPATH $ORIGIN/../libs" in text and "RPATH $ORIGIN/../libs" not in text
    assert "RPATH $ORIGIN/lib:/tmp/cgoguard-rpath" in text
