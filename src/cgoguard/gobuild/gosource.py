"""What the build needs to know about a Go package before building it.

The package's files are read by the same Go front end as ``cgoguard lint``
(:mod:`cgoguard.readers.gofront`: go/build evaluates the build constraints for
the target's GOOS, GOARCH, tags and cgo setting, go/parser reads the files),
so the build and the lint agree on which files and which ``//export``
directives count (cgo reads only ``//export Name`` with a space). The
c-shared version script is written from these exports before the link. A
package given as an import path is located with ``go list``. Either way the
header cgo writes is compared with this list after the build, so a mistake
here cannot go unnoticed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cgoguard.gobuild import process
from cgoguard.gobuild.errors import BuildError
from cgoguard.readers.gofront import GoFrontEndError, GoSourceError, Platform, read_package

# `go tool dist list` (Go 1.27): the names a file-name suffix can use.
KNOWN_OS = frozenset(
    {
        *("aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "js", "linux"),
        *("nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1", "windows", "zos"),
    }
)
KNOWN_ARCH = frozenset(
    {
        *("386", "amd64", "amd64p32", "arm", "armbe", "arm64", "arm64be", "loong64", "mips", "mipsle"),
        *("mips64", "mips64le", "mips64p32", "mips64p32le", "ppc", "ppc64", "ppc64le", "riscv", "riscv64"),
        *("s390", "s390x", "sparc", "sparc64", "wasm"),
    }
)
UNIX_OS = frozenset(
    {"aix", "android", "darwin", "dragonfly", "freebsd", "hurd", "illumos", "ios", "linux", "netbsd"}
    | {"openbsd", "solaris"}
)

_PACKAGE = re.compile(r"^package\s+(\w+)", re.MULTILINE)
_GO_BUILD = re.compile(r"^//go:build\s+(.+)$")
_IMPORT_C = re.compile(r'^import\s+(?:\(\s*)?"C"', re.MULTILINE)
_EXPORT = re.compile(r"^//export\s+(\w+)", re.MULTILINE)
_CGO_CFLAGS_LINE = re.compile(r"^\s*#cgo\s+(?:[^:\n]*\s)?C(?:PP)?FLAGS:(.*)$", re.MULTILINE)
_FUNC_MAIN = re.compile(r"^func\s+main\s*\(\s*\)", re.MULTILINE)


@dataclass(slots=True)
class PackageInfo:
    directory: Path
    name: str  # the Go package name ("main" for commands and C libraries)
    import_path: str
    go_files: list[str]  # after build constraints
    cgo_files: list[str]
    exports: list[str]  # //export names, in file order
    has_func_main: bool
    module_path: str | None
    go_mod: Path | None
    inputs: dict[str, str] = field(default_factory=dict)  # go.mod, go.sum, go.work -> sha256
    # flags of the cgo files' `#cgo ... CPPFLAGS:` / `CFLAGS:` lines, in file order: the C
    # compiler gets them after CGO_CPPFLAGS/CGO_CFLAGS, so they can undo a hardening flag
    cgo_cflags: list[str] = field(default_factory=list)


def is_path_pattern(package: str) -> bool:
    return package in (".", "..") or package.startswith(("./", "../", "/"))


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8", errors="replace")
    except OSError as error:
        raise BuildError(f"cannot read {path}: {error.strerror}.") from None


def _find_up(start: Path, name: str) -> Path | None:
    for folder in (start, *start.parents):
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def _module_path(go_mod: Path) -> str | None:
    match = re.search(r"^module\s+\"?([^\s\"]+)", _read(go_mod), re.MULTILINE)
    return match.group(1) if match else None


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _not_found(package: str, where: Path, why: str) -> BuildError:
    return BuildError(
        f"package {package!r} not found ({why}). Give the package as a folder relative to {where} "
        "(for example ./cmd/bridge) or as an import path inside the current module, and check the "
        "`package` setting of the target."
    )


def inspect_package(
    package: str,
    workdir: Path,
    *,
    go: str,
    env: Mapping[str, str],
    tags: frozenset[str],
    goos: str = "",
    goarch: str = "",
    cgo: bool = True,
) -> PackageInfo:
    """Read the package's Go files (after build constraints, evaluated by the
    Go front end for the target's GOOS/GOARCH/tags) and its module files."""
    if "..." in package:
        raise BuildError(
            f"{package!r} is a pattern matching several packages; a build target is exactly one package "
            "(declare one target per package in [tool.cgoguard.build])."
        )
    if is_path_pattern(package):
        directory = (workdir / package).resolve()
        if not directory.is_dir():
            raise _not_found(package, workdir, f"{directory} is not a folder")
        import_path = package
    else:
        directory, import_path = _go_list(package, workdir, go, env)
    # The same reader as `cgoguard lint`: Go's own go/build decides the files.
    platform = Platform(goos, goarch, tuple(sorted(tags)), cgo=cgo)
    try:
        read = read_package(str(directory), platform=platform, go=go)
    except (GoSourceError, GoFrontEndError) as error:
        raise BuildError(
            f"cannot read the Go package {package}: {error}", getattr(error, "detail", "")
        ) from None
    chosen = sorted(os.path.basename(f.path) for f in read.files)
    if not chosen:
        why = (
            "no .go file matches the target's GOOS/GOARCH/tags"
            if read.excluded
            else "it has no .go files that parse"
            if read.errors
            else "it has no .go files"
        )
        raise _not_found(package, workdir, f"{directory}: {why}")
    cgo_files = sorted(os.path.basename(f.path) for f in read.files if f.imports_c)
    name = read.name
    exports = [d.name for _, d in read.effective_exports()]
    has_main = any(f.name == "main" and f.receiver is None for _, f in read.functions())
    texts = {n: _read(directory / n) for n in cgo_files}
    go_mod = _find_up(directory, "go.mod")
    inputs: dict[str, str] = {}
    module_path = None
    if go_mod is not None:
        module_path = _module_path(go_mod)
        for extra in (go_mod, go_mod.with_name("go.sum")):
            if extra.is_file():
                inputs[str(extra)] = sha256_file(extra)
    work = env.get("GOWORK") or (str(found) if (found := _find_up(directory, "go.work")) else "")
    if work and work != "off" and os.path.isfile(work):
        inputs[work] = sha256_file(Path(work))
    lines = [line for f in cgo_files for line in _CGO_CFLAGS_LINE.findall(texts[f])]
    info = PackageInfo(
        directory, name, import_path, chosen, cgo_files, exports, has_main, module_path, go_mod, inputs
    )
    info.cgo_cflags = [flag for line in lines for flag in line.split()]
    return info


def _go_list(package: str, workdir: Path, go: str, env: Mapping[str, str]) -> tuple[Path, str]:
    try:
        completed = process.run(
            [go, "list", "-json=Dir,ImportPath,GoFiles,CgoFiles", "--", package], cwd=workdir, env=env
        )
    except OSError as error:
        raise BuildError(f"cannot run {go}: {error.strerror}.") from None
    if completed.returncode != 0:
        raise BuildError(
            f"package {package!r} not found: `go list` could not resolve it from {workdir}. Check the "
            "import path (it must be inside the current module or a required one) or give a folder "
            "such as ./cmd/bridge.",
            completed.stderr.strip(),
        )
    try:
        listed = json.loads(completed.stdout)
    except ValueError:
        raise BuildError(f"`go list {package}` printed something that is not JSON.") from None
    return Path(listed["Dir"]), str(listed.get("ImportPath", package))


_HEADER_MARKER = "End of boilerplate cgo prologue."
# The name right before the parameter list that ends the declaration (so a
# leading __declspec(dllexport) on Windows headers is skipped).
_HEADER_EXTERN = re.compile(r"^extern\b.*?\b(\w+)\s*\([^()]*\)\s*;\s*$", re.MULTILINE)


def header_exports(text: str) -> list[str] | None:
    """The function names a cgo-generated header declares, or None when the
    text is not such a header."""
    _, marker, api = text.partition(_HEADER_MARKER)
    if not marker:
        return None
    return _HEADER_EXTERN.findall(api)
