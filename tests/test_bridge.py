"""`cgoguard bridge` end to end: the C boundary generated for tests/fixtures/bridge/kit (a plain
Go package), built with the hardened profile as c-shared and c-archive by cgoguard's own build,
then called from C (linked against the .a, through dlopen of the .so, under AddressSanitizer)
and from Python (values, errors, panics, handles, contexts, threads, memory), and refused when
the library's contract is not the binding's."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import gofixtures
from cgoguard.api import bridge, lint, scan
from cgoguard.bridge import BridgeError, BridgeOutcome
from cgoguard.bridge.plan import plan_bridge
from cgoguard.gobuild import BuildOptions, Target, build_target, load_profiles
from cgoguard.gobuild.builder import BuildResult
from cgoguard.readers.gofront import read_api

FIXTURE = Path(__file__).parent / "fixtures" / "bridge"
CLIENT = Path(__file__).parent / "bridge_client.py"
# RSS growth over 100,000 calls that still counts as noise: Go's heap settling, malloc arenas.
RSS_NOISE_KIB = 4096


@pytest.fixture(scope="module")
def env(build_env: dict[str, str]) -> Iterator[dict[str, str]]:
    """Offline Go for the builds here, and for the Go front end the bridge runs in-process."""
    patch = pytest.MonkeyPatch()
    for key in ("GOCACHE", "GOPATH", "GOMODCACHE", "GOTOOLCHAIN", "GOPROXY", "GOFLAGS"):
        patch.setenv(key, build_env[key])
    yield build_env
    patch.undo()


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("bridge")
    shutil.copytree(FIXTURE, root, dirs_exist_ok=True)
    return root


@pytest.fixture(scope="module")
def generated(workspace: Path, env: dict[str, str]) -> BridgeOutcome:
    return bridge(workspace / "kit", workspace / "gen", go=gofixtures.go_binary())


def _build(workspace: Path, env: dict[str, str], mode: str) -> BuildResult:
    target = Target("kit", "./gen", mode=mode, profile="hardened")
    options = BuildOptions(out_dir=workspace / f"dist-{mode}", go=gofixtures.go_binary(), environment=env)
    return build_target(target, load_profiles(None, ""), workspace, options)


@pytest.fixture(scope="module")
def shared(workspace: Path, env: dict[str, str], generated: BridgeOutcome) -> BuildResult:
    result = _build(workspace, env, "c-shared")
    shutil.copy(result.artifact, workspace / "gen" / "python" / "kit" / "libkit.so")
    return result


@pytest.fixture(scope="module")
def archive(workspace: Path, env: dict[str, str], generated: BridgeOutcome) -> BuildResult:
    return _build(workspace, env, "c-archive")


def _run(argv: list[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(a) for a in argv], capture_output=True, text=True, check=False, **kwargs)  # type: ignore[call-overload, no-any-return]


def _python(workspace: Path, *args: str, library: Path | None = None, **extra: str) -> dict[str, object]:
    env = dict(os.environ, PYTHONPATH=str(workspace / "gen" / "python"), **extra)
    if library is not None:
        env["KIT_LIBRARY"] = str(library)
    completed = _run([sys.executable, CLIENT, *args], env=env, timeout=300)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)  # type: ignore[no-any-return]


def _client(workspace: Path, name: str, *flags: str | Path) -> Path:
    binary = workspace / name
    compiled = _run(
        [
            "gcc",
            "-Wall",
            "-Wextra",
            "-Werror",
            "-I",
            workspace / "gen",
            "-o",
            binary,
            workspace / "client.c",
            *flags,
        ]
    )
    assert compiled.returncode == 0, compiled.stderr
    return binary


# -- what is generated --------------------------------------------------------------------------


def test_every_marked_function_is_bridged_and_the_rest_is_not(generated: BridgeOutcome) -> None:
    names = [f.api.qualified_name for f in generated.plan.functions]
    assert "Helper" not in names  # exported, not marked: left alone
    assert names == [
        "Version", "Noop", "Add", "Divide", "Greet", "Echo", "Crash", "Reverse", "Checksum", "Upper",
        "Scale", "Sum", "IsEven", "Midpoint", "Grow", "Split", "NewCounter", "Counter.Add",
        "Counter.Value", "Wait", "Twice",
    ]  # fmt: skip
    assert {f.path.rsplit("/", 1)[-1]: f.state for f in generated.files}.get("go.mod") == "written"


def test_the_output_is_deterministic(workspace: Path, generated: BridgeOutcome, tmp_path: Path) -> None:
    again = bridge(workspace / "kit", workspace / "gen", go=gofixtures.go_binary())
    assert {f.state for f in again.files} == {"unchanged"}
    elsewhere = bridge(workspace / "kit", workspace / "gen2", go=gofixtures.go_binary())
    for f in generated.files:
        relative = Path(f.path).relative_to(workspace / "gen")
        assert (workspace / "gen2" / relative).read_bytes() == Path(f.path).read_bytes(), relative
    assert [f.state for f in elsewhere.files] == ["written"] * len(generated.files)


def test_generated_go_is_gofmt_clean_and_vets(
    workspace: Path, generated: BridgeOutcome, env: dict[str, str]
) -> None:
    go = gofixtures.go_binary()
    gofmt = Path(go).with_name("gofmt")
    assert _run([gofmt, "-l", workspace / "gen"]).stdout == ""
    vet = _run([go, "vet", "."], cwd=workspace / "gen", env=env)
    assert vet.returncode == 0, vet.stderr


def test_generated_code_passes_every_lint_rule(workspace: Path, generated: BridgeOutcome) -> None:
    gen = workspace / "gen"
    report = lint([str(gen), str(gen / "kit.h")], go=gofixtures.go_binary())
    assert [a.error for a in report.artifacts if a.error] == []
    assert [f.check_id for a in report.artifacts for f in a.findings] == []
    strict = lint([str(gen / "kit.h")], header_integers="strict")
    assert [f.check_id for a in strict.artifacts for f in a.findings] == []
    linted = sorted(Path(a.path).name for a in report.artifacts)
    # bridge_fips_go123.go is for toolchains before Go 1.24: build constraints leave it out here.
    assert linted == ["bridge.go", "bridge_fips.go", "bridge_runtime.go", "kit.h"]


def test_the_header_states_ownership_and_compiles_as_c_and_cpp(
    workspace: Path, generated: BridgeOutcome
) -> None:
    header = (workspace / "gen" / "kit.h").read_text()
    assert "must release with kit_free" in header  # owned results
    assert "borrowed for the call" in header  # inputs
    assert "KIT_ERR_PANIC = -2" in header
    for language in ("c", "c++"):
        twice = (
            '#include "kit.h"\n#include "kit.h"\n'
            "int main(void) { kit_Point p = {0, 0, 0}; return (int)p.Tag + (int)sizeof(&kit_noop); }\n"
        )
        compiled = _run(
            ["gcc", "-x", language, "-Wall", "-Werror", "-fsyntax-only", "-I", workspace / "gen", "-"],
            input=twice,
        )
        assert compiled.returncode == 0, compiled.stderr


# -- built with cgoguard build, hardened -----------------------------------------------------------


@pytest.mark.parametrize("mode", ["c-shared", "c-archive"])
def test_it_builds_hardened_and_verified(mode: str, shared: BuildResult, archive: BuildResult) -> None:
    result = shared if mode == "c-shared" else archive
    assert result.artifact.name == ("libkit.so" if mode == "c-shared" else "libkit.a")
    assert result.verification and all(v.passed for v in result.verification), result.verification


def test_scan_reports_the_contract(
    shared: BuildResult, archive: BuildResult, generated: BridgeOutcome
) -> None:
    report = scan([str(shared.artifact), str(archive.artifact)])
    found = [a.elf.bridge_contract for a in report.artifacts if a.elf and a.elf.bridge_contract]
    found += [
        m.elf.bridge_contract for a in report.artifacts for m in a.members if m.elf and m.elf.bridge_contract
    ]
    assert {c.checksum for c in found} == {f"{generated.plan.checksum:016x}"}
    assert {(c.library, c.prefix, c.functions) for c in found} == {("kit", "kit", 21)}
    assert len(found) == 2  # the .so, and the one member of the .a that holds the C half


# -- called from C -------------------------------------------------------------------------------


def _all_ok(completed: subprocess.CompletedProcess[str]) -> list[str]:
    lines = completed.stdout.splitlines()
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert not [line for line in lines if not line.startswith("ok ")], lines
    # Every CHECK in client.c ran, and the contract check before them.
    assert len(lines) == (FIXTURE / "client.c").read_text().count('CHECK("') + 1
    return lines


def test_c_calls_every_function_linked_against_the_archive(workspace: Path, archive: BuildResult) -> None:
    client = _client(workspace, "client-static", archive.artifact, "-lpthread")
    _all_ok(_run([client], timeout=120))


def test_c_calls_every_function_through_dlopen(workspace: Path, shared: BuildResult) -> None:
    client = _client(workspace, "client-dlopen", "-DKIT_DLOPEN", "-ldl")
    _all_ok(_run([client, shared.artifact], timeout=120))


@pytest.mark.parametrize("how", ["static", "dlopen"])
def test_c_calls_do_not_grow_memory(
    workspace: Path, shared: BuildResult, archive: BuildResult, how: str
) -> None:
    if how == "static":
        argv: list[str | Path] = [_client(workspace, "client-static", archive.artifact, "-lpthread")]
    else:
        argv = [_client(workspace, "client-dlopen", "-DKIT_DLOPEN", "-ldl"), shared.artifact]
    completed = _run([*argv, "loop", "15000"], timeout=300)  # 15,000 rounds of 7 calls
    before, after = map(int, re.findall(r"rss_kib (\d+) (\d+)", completed.stdout)[0])
    assert after - before < RSS_NOISE_KIB, completed.stdout


@pytest.fixture(scope="module")
def asan_archive(workspace: Path, env: dict[str, str], generated: BridgeOutcome) -> Path:
    """The same package as a c-archive built with `go build -asan`, so that Go's allocations
    are known to AddressSanitizer in the C program it links into."""
    out = workspace / "asan" / "libkit.a"
    built = _run(
        [gofixtures.go_binary(), "build", "-asan", "-buildmode=c-archive", "-o", out, "."],
        cwd=workspace / "gen",
        env=env,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    return out


def test_c_side_is_clean_under_address_sanitizer(workspace: Path, asan_archive: Path) -> None:
    client = _client(workspace, "client-asan", "-fsanitize=address", "-g", asan_archive, "-lpthread")
    for argv in ([client], [client, "loop", "3000"]):
        completed = _run(argv, timeout=300)
        assert "Sanitizer" not in completed.stderr, completed.stderr
        assert completed.returncode == 0, completed.stdout + completed.stderr


def test_address_sanitizer_does_see_a_result_never_freed(workspace: Path, asan_archive: Path) -> None:
    # The clean run above means something only if a leak of a returned string is reported.
    client = _client(
        workspace, "client-leak", "-DKIT_LEAK_ONE", "-fsanitize=address", "-g", asan_archive, "-lpthread"
    )
    completed = _run([client, "loop", "10"], timeout=300)
    assert "LeakSanitizer" in completed.stderr and completed.returncode != 0


# -- called from Python --------------------------------------------------------------------------


def test_python_calls_every_function(workspace: Path, shared: BuildResult, generated: BridgeOutcome) -> None:
    out = _python(workspace, "everything")
    assert out["version"] == "kit 1.0" and out["add"] == 42 and out["divide"] == 3
    assert out["echo"] == "a\x00b é \udcff"  # NUL and bytes that are not UTF-8 survive the round trip
    assert (
        out["scale"] == [2.0, 5.0, -8.0]
        and out["sum"] == 6
        and out["twice"] == 42
        and out["checksum"] == 0x3610A686
    )
    assert out["midpoint"] == "Point(x=1.0, y=2.0, tag=7)"
    assert out["split"] == ["ab", "cd ef", 5]
    assert out["errors"] == {
        "divide": ["GoError", -1, "division by zero"],
        "greet": ["GoError", -1, "greet: empty name"],
        "crash": ["GoPanic", -2, "panic: boom"],
        "overflow": [
            "OverflowError",
            "a: 9223372036854775808 is outside -9223372036854775808..9223372036854775807",
        ],
        "unsigned": ["OverflowError", "n: -1 is outside 0..18446744073709551615"],
    }
    assert out["alive_after_panic"] == 2
    assert out["counter"] == [8, 8]
    assert out["closed_counter"] == [-5, "Counter handle 1 was closed"]
    assert out["finalized"] == [-5, "self: handle 2 is unknown or released"]
    assert out["deadline"] == [-7, "context deadline exceeded"]
    assert out["cancel"] == [-7, "context canceled"]
    assert out["contract"] == [1, f"{generated.plan.checksum:016x}"]
    assert out["fips140"] in (True, False)


def test_the_fips_mode_the_go_runtime_runs_in_is_reported(workspace: Path, shared: BuildResult) -> None:
    assert _python(workspace, "everything", GODEBUG="fips140=off")["fips140"] is False
    assert _python(workspace, "everything", GODEBUG="fips140=on")["fips140"] is True


def test_eight_python_threads_get_their_own_results_and_errors(workspace: Path, shared: BuildResult) -> None:
    out = _python(workspace, "threads")
    assert out["problems"] == [] and out["count"] == out["expected"]


def test_python_calls_do_not_grow_memory(workspace: Path, shared: BuildResult) -> None:
    out = _python(workspace, "rss", "100000")
    assert out["calls"] >= 99_990
    assert int(out["after_kib"]) - int(out["before_kib"]) < RSS_NOISE_KIB, out  # type: ignore[call-overload]


def test_python_warns_when_another_go_runtime_is_loaded(workspace: Path, shared: BuildResult) -> None:
    other = workspace / "other" / "libother.so"
    other.parent.mkdir(exist_ok=True)
    shutil.copy(shared.artifact, other)
    out = _python(workspace, "other-runtime", str(other))
    assert "another Go library is already loaded" in str(out["warning"])


# -- a library from another version of the API is refused ------------------------------------------


@pytest.fixture(scope="module")
def other_version(workspace: Path, env: dict[str, str], generated: BridgeOutcome) -> Path:
    """libkit.so built from a kit whose Add takes int32 values: same names, another contract."""
    changed = workspace / "kit-v2"
    shutil.copytree(workspace / "kit", changed)
    source = changed / "kit.go"
    source.write_text(source.read_text().replace("func Add(a, b int64) int64", "func Add(a, b int32) int32"))
    bridge(changed, workspace / "gen-v2", go=gofixtures.go_binary())
    out = workspace / "v2" / "libkit.so"
    built = _run(
        [gofixtures.go_binary(), "build", "-buildmode=c-shared", "-o", out, "."],
        cwd=workspace / "gen-v2",
        env=env,
        timeout=600,
    )
    assert built.returncode == 0, built.stderr
    return out


def test_python_refuses_a_library_of_another_api(
    workspace: Path, shared: BuildResult, other_version: Path
) -> None:
    out = _python(workspace, "mismatch", library=other_version)
    assert "was built from another version of the Go API" in str(out["refused"])


def test_c_refuses_a_library_of_another_api(
    workspace: Path, shared: BuildResult, other_version: Path
) -> None:
    client = _client(workspace, "client-dlopen", "-DKIT_DLOPEN", "-ldl")
    completed = _run([client, other_version], timeout=120)
    assert completed.returncode == 3 and completed.stdout.startswith("refused"), completed.stdout


# -- --check ---------------------------------------------------------------------------------------


def _cli(*argv: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "cgoguard", *argv], cwd=cwd, timeout=300)


def test_check_tells_up_to_date_stale_edited_and_missing(
    workspace: Path, generated: BridgeOutcome, env: dict[str, str]
) -> None:
    kit, gen = workspace / "kit-check", workspace / "gen-check"
    shutil.copytree(workspace / "kit", kit)
    assert _cli("bridge", kit, "--out", gen, "--go", gofixtures.go_binary()).returncode == 0
    clean = _cli("bridge", kit, "--out", gen, "--check", "--go", gofixtures.go_binary())
    assert clean.returncode == 0, clean.stdout + clean.stderr

    header = gen / "kit.h"
    header.write_text(header.read_text().replace("kit_noop(void)", "kit_noop(int)"))
    edited = _cli("bridge", kit, "--out", gen, "--check", "--go", gofixtures.go_binary())
    assert edited.returncode == 1 and f"{header}: edited by hand" in edited.stdout, edited.stdout

    source = kit / "kit.go"
    source.write_text(source.read_text().replace("func Noop() {}", "func Noop(n int32) {}"))
    (gen / "bridge_support.c").unlink()
    stale = _cli("bridge", kit, "--out", gen, "--check", "--go", gofixtures.go_binary())
    assert stale.returncode == 1
    assert f"{gen / 'bridge.go'}: stale" in stale.stdout
    assert f"{gen / 'bridge_support.c'}: missing" in stale.stdout
    assert "out of date" in stale.stderr

    assert _cli("bridge", kit, "--out", gen, "--go", gofixtures.go_binary()).returncode == 0
    assert _cli("bridge", kit, "--out", gen, "--check", "--go", gofixtures.go_binary()).returncode == 0


# -- what cannot cross C ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ("func F(m map[string]int) {}", "parameter m is a map[string]int, which cannot cross C; use a slice"),
        ("func F(c chan int) {}", "parameter c is a chan int, which cannot cross C; use a handle"),
        ("func F(f func()) {}", "parameter f is a func(), which cannot cross C; use a handle"),
        ("func F(v any) {}", "parameter v is a any, which cannot cross C; use a concrete struct type"),
        ("func F(p uintptr) {}", "parameter p is a uintptr, which cannot cross C; use uint64"),
        ("func F[T any](v T) {}", "a generic function cannot be exported to C"),
        ("func F(v ...int) {}", "a variadic function cannot be exported to C; take a slice"),
        ("type S struct{ a int }\n\n//cgoguard:export\nfunc F(s S) {}", "whose field a is unexported"),
        ("func F() (error, int) { return nil, 0 }", "an error is bridged only as the last result"),
        ("func F(names []string) {}", "only slices of bool, integers and floats cross C"),
        (
            "func F(x int) (y int) { return }\n\n//cgoguard:export thred\nfunc G() {}",
            "unknown //cgoguard:export option(s) thred",
        ),
    ],
)
def test_what_cannot_cross_c_is_refused_with_the_parameter_and_what_to_use(
    tmp_path: Path, declaration: str, message: str, env: dict[str, str]
) -> None:
    (tmp_path / "go.mod").write_text("module example.com/bad\n\ngo 1.22\n")
    (tmp_path / "bad.go").write_text(f"package bad\n\n//cgoguard:export\n{declaration}\n")
    api = read_api(str(tmp_path), go=gofixtures.go_binary())
    with pytest.raises(BridgeError) as raised:
        plan_bridge(api)
    assert message in str(raised.value)
    assert f"{tmp_path / 'bad.go'}:" in str(raised.value)


def test_nothing_marked_is_an_error_that_says_how_to_mark(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "go.mod").write_text("module example.com/plain\n\ngo 1.22\n")
    (tmp_path / "plain.go").write_text("package plain\n\nfunc Add(a, b int32) int32 { return a + b }\n")
    completed = _cli("bridge", tmp_path, "--out", tmp_path / "gen", "--go", gofixtures.go_binary())
    assert completed.returncode == 2 and "//cgoguard:export" in completed.stderr
    assert "Traceback" not in completed.stderr
    listed = _cli(
        "bridge", tmp_path, "--out", tmp_path / "gen", "--export", "Add", "--go", gofixtures.go_binary()
    )
    assert listed.returncode == 0, listed.stderr
    assert (
        "int32_t plain_add(int32_t a, int32_t b, int32_t* out);" in (tmp_path / "gen" / "plain.h").read_text()
    )


def test_inside_the_module_the_bridge_is_one_more_package(workspace: Path, env: dict[str, str]) -> None:
    kit = workspace / "kit-inside"
    shutil.copytree(workspace / "kit", kit)
    outcome = bridge(kit, kit / "cbridge", go=gofixtures.go_binary())
    assert not (kit / "cbridge" / "go.mod").exists()
    assert all(not f.path.endswith("go.mod") for f in outcome.files)
    vet = _run([gofixtures.go_binary(), "vet", "./cbridge"], cwd=kit, env=env)
    assert vet.returncode == 0, vet.stderr


def test_the_python_package_is_typed_and_passes_mypy_strict(
    workspace: Path, generated: BridgeOutcome
) -> None:
    package = workspace / "gen" / "python" / "kit"
    assert (package / "py.typed").exists() and (package / "__init__.pyi").exists()
    for target in (package / "__init__.py", package):  # the module itself, then the stub users see
        checked = _run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", target], timeout=300)
        assert checked.returncode == 0, checked.stdout


def test_build_takes_the_folder_the_way_the_bridge_prints_it(tmp_path: Path) -> None:
    from cgoguard.gobuild.targets import single_target

    (tmp_path / "gen").mkdir()
    assert single_target("gen/", cwd=tmp_path, mode="c-shared").package == "./gen"  # no import path ends in /
    assert single_target("example.com/x", cwd=tmp_path).package == "example.com/x"


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("func F( {}", "syntax error"),
        ("func F() int { return undefined }", "undefined: undefined"),
    ],
)
def test_a_package_that_does_not_compile_exits_3(tmp_path: Path, source: str, message: str) -> None:
    (tmp_path / "go.mod").write_text("module example.com/broken\n\ngo 1.22\n")
    (tmp_path / "broken.go").write_text(f"package broken\n\n//cgoguard:export\n{source}\n")
    completed = _cli("bridge", tmp_path, "--out", tmp_path / "gen", "--go", gofixtures.go_binary())
    assert completed.returncode == 3 and message in completed.stderr, completed.stderr
    assert not (tmp_path / "gen").exists()
    missing = _cli("bridge", tmp_path / "absent", "--out", tmp_path / "gen", "--go", gofixtures.go_binary())
    assert missing.returncode == 3 and "no such folder" in missing.stderr


def test_c_reads_the_fips_mode(workspace: Path, shared: BuildResult) -> None:
    # Through the .so: a c-archive cannot run in FIPS mode at all (Go's integrity check needs the
    # checksum its own linker records; `cgoguard build` refuses fips + c-archive for that reason).
    client = _client(workspace, "client-dlopen", "-DKIT_DLOPEN", "-ldl")
    for godebug, state in (("fips140=off", "0"), ("fips140=on", "1")):
        completed = _run(
            [client, shared.artifact, "fips"], env=dict(os.environ, GODEBUG=godebug), timeout=120
        )
        assert completed.stdout.splitlines()[-1:] == [f"fips140 {state}"], completed.stdout + completed.stderr


def test_a_toolchain_before_go_1_24_builds_it_and_says_fips_is_unknown(
    workspace: Path, env: dict[str, str], tmp_path: Path
) -> None:
    old_go = gofixtures.pinned_go(gofixtures.OLD_GO)
    kit = tmp_path / "kit"
    shutil.copytree(workspace / "kit", kit)
    (kit / "go.mod").write_text("module example.com/kit\n\ngo 1.21\n")
    gen = tmp_path / "gen"
    bridge(kit, gen, go=gofixtures.go_binary())
    library = tmp_path / "libkit.so"
    built = _run([old_go, "build", "-buildmode=c-shared", "-o", library, "."], cwd=gen, env=env, timeout=600)
    assert built.returncode == 0, built.stderr
    binary = tmp_path / "client"
    compiled = _run(["gcc", "-I", gen, "-DKIT_DLOPEN", "-o", binary, workspace / "client.c", "-ldl"])
    assert compiled.returncode == 0, compiled.stderr
    assert _run([binary, library, "fips"]).stdout.splitlines()[-1:] == ["fips140 -1"]
    _all_ok(_run([binary, library], timeout=120))
