"""What the build needs to know about a Go package before building it.

For a package given as a folder (``./cmd/bridge``) the Go files are read here:
build constraints are evaluated like ``go/build`` does for the target's GOOS,
GOARCH, tags and cgo setting, and the ``//export`` lines of the cgo files are
collected (the c-shared version script is written from them before the link).
A package given as an import path is located with ``go list``. Either way the
header cgo writes is compared with this list after the build, so a mistake
here cannot go unnoticed.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cgoguard.gobuild import process
from cgoguard.gobuild.errors import BuildError

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


class _Constraint:
    """A `//go:build` expression evaluator (||, &&, !, parentheses, tags)."""

    _TOKEN = re.compile(r"\s*(\|\||&&|!|\(|\)|[\w.]+)")

    def __init__(self, text: str, tags: frozenset[str]) -> None:
        self.tokens: list[str] = []
        position = 0
        text = text.strip()
        while position < len(text):
            match = self._TOKEN.match(text, position)
            if match is None:
                raise ValueError(text)
            self.tokens.append(match.group(1))
            position = match.end()
        self.tags = tags
        self.index = 0

    def evaluate(self) -> bool:
        value = self._or()
        if self.index != len(self.tokens):
            raise ValueError("trailing tokens")
        return value

    def _next(self) -> str:
        if self.index >= len(self.tokens):
            raise ValueError("unexpected end")
        token = self.tokens[self.index]
        self.index += 1
        return token

    def _peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _or(self) -> bool:
        value = self._and()
        while self._peek() == "||":
            self._next()
            value = self._and() or value
        return value

    def _and(self) -> bool:
        value = self._not()
        while self._peek() == "&&":
            self._next()
            value = self._not() and value
        return value

    def _not(self) -> bool:
        token = self._next()
        if token == "!":
            return not self._not()
        if token == "(":
            value = self._or()
            if self._next() != ")":
                raise ValueError("missing )")
            return value
        if token in ("||", "&&", ")"):
            raise ValueError(token)
        return token in self.tags


def build_tags(goos: str, goarch: str, cgo: bool, go_version: str, extra: Sequence[str]) -> frozenset[str]:
    tags = {goos, goarch, "gc", *extra}
    if goos in UNIX_OS:
        tags.add("unix")
    if goos == "android":
        tags.add("linux")
    if goos in ("illumos",):
        tags.add("solaris")
    if goos == "ios":
        tags.add("darwin")
    if cgo:
        tags.add("cgo")
    match = re.match(r"go1\.(\d+)", go_version)
    if match:
        tags.update(f"go1.{minor}" for minor in range(1, int(match.group(1)) + 1))
    return frozenset(tags)


def file_matches(name: str, text: str, tags: frozenset[str]) -> bool:
    """Whether go/build would include this .go file for ``tags``."""
    if name.endswith("_test.go") or name.startswith(("_", ".")):
        return False
    parts = name[: -len(".go")].split("_")
    if len(parts) >= 3 and parts[-2] in KNOWN_OS and parts[-1] in KNOWN_ARCH:
        if parts[-2] not in tags or parts[-1] not in tags:
            return False
    elif len(parts) >= 2 and (parts[-1] in KNOWN_OS or parts[-1] in KNOWN_ARCH) and parts[-1] not in tags:
        return False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("package "):
            break  # constraints must come before the package clause
        match = _GO_BUILD.match(stripped)
        if match:
            try:
                return _Constraint(match.group(1), tags).evaluate()
            except ValueError:
                return True  # let the Go toolchain report the malformed line
    return True


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
) -> PackageInfo:
    """Read the package's Go files (after build constraints) and its module files."""
    if "..." in package:
        raise BuildError(
            f"{package!r} is a pattern matching several packages; a build target is exactly one package "
            "(declare one target per package in [tool.cgoguard.build])."
        )
    if is_path_pattern(package):
        directory = (workdir / package).resolve()
        if not directory.is_dir():
            raise _not_found(package, workdir, f"{directory} is not a folder")
        names = sorted(p.name for p in directory.iterdir() if p.suffix == ".go" and p.is_file())
        texts = {name: _read(directory / name) for name in names}
        chosen = [name for name in names if file_matches(name, texts[name], tags)]
        if not chosen:
            why = "it has no .go files" if not names else "no .go file matches the target's GOOS/GOARCH/tags"
            raise _not_found(package, workdir, f"{directory}: {why}")
        import_path = package
    else:
        directory, import_path, chosen, texts = _go_list(package, workdir, go, env)
    cgo_files = [name for name in chosen if _IMPORT_C.search(texts[name])]
    package_names = {m.group(1) for name in chosen if (m := _PACKAGE.search(texts[name]))}
    name = sorted(package_names)[0] if len(package_names) == 1 else ""
    if len(package_names) > 1:
        raise BuildError(
            f"the Go files of {package} declare different packages ({', '.join(sorted(package_names))}); "
            "keep one package per folder."
        )
    exports = [e for f in cgo_files for e in _EXPORT.findall(texts[f])]
    has_main = any(_FUNC_MAIN.search(texts[f]) for f in chosen)
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


def _go_list(
    package: str, workdir: Path, go: str, env: Mapping[str, str]
) -> tuple[Path, str, list[str], dict[str, str]]:
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
    directory = Path(listed["Dir"])
    chosen = sorted(set(listed.get("GoFiles") or []) | set(listed.get("CgoFiles") or []))
    texts = {name: _read(directory / name) for name in chosen}
    return directory, str(listed.get("ImportPath", package)), chosen, texts


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
