"""Read Go packages with Go's own front end: go/build, go/parser, go/types.

Why a helper program rather than a Python parser: the issue that asked for it
measured tree-sitter-go (the previous reader) calling Go 1.26's ``new(expr)``
a syntax error, ignoring build constraints and matching exports by bare name.
Only the Go toolchain follows the language as it moves, so cgoguard compiles a
small program (``cgoguard/data/gofront``, standard library only) with the Go
toolchain it already uses for builds, once per toolchain and helper version,
and talks JSON with it. The helper decides which files the build compiles
for the target GOOS/GOARCH/tags, parses them, type-checks them (the module's
own packages from source, so calls are followed across them; the standard
library from GOROOT's sources; other modules, which may be absent, as empty
stand-ins) and returns facts. One process reads every package of a run.

Facts only: nothing here decides what is wrong.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import json
import os
import resource
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from cgoguard.apifacts import ApiField, ApiFunction, ApiParam, ApiType, GoApi
from cgoguard.errors import CgoguardError, InputError
from cgoguard.gobuild.errors import BuildError
from cgoguard.gobuild.toolchain import INSTALL_HINT, cache_dir, file_identity, find_go
from cgoguard.model import SourceLocation
from cgoguard.sourcefacts import (
    CallEdge,
    CAllocation,
    DeferFact,
    ExportDirective,
    GoFile,
    GoFunction,
    GoPackage,
    GoParameter,
    GoType,
    Narrowing,
    PointerStore,
    Site,
)

# Memory the helper may use (address space is not limited: Go reserves much
# more than it touches); reading is linear in the size of the sources.
_MEMORY_LIMIT = "1GiB"
_BUILD_SECONDS = 600
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


class GoSourceError(InputError):
    """A Go file or folder that cannot be read; the message is for the user."""


class GoFrontEndError(CgoguardError):
    """The Go front end cannot run here (no toolchain, or it fails to build): exit 2."""


@dataclass(frozen=True, slots=True)
class GoTarget:
    folder: str
    files: tuple[str, ...] | None = None  # only these files (read whatever their build constraints)


@dataclass(frozen=True, slots=True)
class Platform:
    """What build constraints are evaluated for; empty: the toolchain's defaults."""

    goos: str = ""
    goarch: str = ""
    tags: tuple[str, ...] = ()
    cgo: bool = True


def go_files(folder: str) -> list[str]:
    """The package's .go files (tests left out), sorted; before build constraints."""
    try:
        names = sorted(os.listdir(folder))
    except OSError as error:
        raise GoSourceError(f"cannot list {folder}: {error.strerror or error}") from None
    return [
        os.path.join(folder, n)
        for n in names
        if n.endswith(".go") and not n.endswith("_test.go") and os.path.isfile(os.path.join(folder, n))
    ]


def _sources() -> dict[str, bytes]:
    folder = resources.files("cgoguard") / "data" / "gofront"
    return {
        entry.name: entry.read_bytes()
        for entry in folder.iterdir()
        if entry.name.endswith(".go") or entry.name == "go.mod"
    }


def _child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    # Never reach for another toolchain or the module proxy.
    env.update({"GOTOOLCHAIN": "local", "GOPROXY": "off", "GOFLAGS": "-mod=mod", "GOWORK": "off"})
    env.update(extra or {})
    return env


def helper_binary(go: str | None = None) -> tuple[str, str]:
    """The compiled front end for this toolchain, built on first use and cached,
    and the toolchain's GOROOT (whose standard library sources it reads)."""
    try:
        go_binary = find_go(go)
    except BuildError as error:
        raise GoFrontEndError(
            f"linting Go source needs a Go toolchain: {error.message}", error.detail
        ) from None
    go_binary = os.path.abspath(go_binary)  # the helper is built in another folder
    sources = _sources()
    digest = hashlib.sha256()
    for name in sorted(sources):
        digest.update(name.encode() + b"\0" + sources[name] + b"\0")
    digest.update(file_identity(go_binary).encode())
    folder = cache_dir() / "gofront" / digest.hexdigest()[:24]
    binary = folder / "gofront"
    goroot_file = folder / "goroot"
    if binary.is_file() and os.access(binary, os.X_OK) and goroot_file.is_file():
        return str(binary), goroot_file.read_text(encoding="utf-8")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise GoFrontEndError(f"cannot create the cache folder {folder}: {error.strerror}.") from None
    with tempfile.TemporaryDirectory(prefix="cgoguard-gofront-") as work:
        for name, data in sources.items():
            Path(work, name).write_bytes(data)
        built = Path(work, "gofront")
        try:
            completed = subprocess.run(
                [go_binary, "build", "-trimpath", "-o", str(built), "."],
                cwd=work,
                env=_child_env({"CGO_ENABLED": "0"}),
                capture_output=True,
                text=True,
                timeout=_BUILD_SECONDS,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise GoFrontEndError(
                f"cannot build cgoguard's Go front end with {go_binary}: {error}."
            ) from None
        if completed.returncode != 0:
            raise GoFrontEndError(
                f"cannot build cgoguard's Go front end with {go_binary} (Go 1.21 or newer is needed). "
                f"{INSTALL_HINT}",
                completed.stderr.strip(),
            )
        goroot = subprocess.run(
            [go_binary, "env", "GOROOT"], env=_child_env(), capture_output=True, text=True, check=False
        ).stdout.strip()
        # Private names first, then rename: a concurrent run sees whole files or none.
        staged = folder / f".gofront-{os.getpid()}"
        shutil.copyfile(built, staged)
        staged.chmod(0o755)
        staged_root = folder / f".goroot-{os.getpid()}"
        staged_root.write_text(goroot, encoding="utf-8")
        os.replace(staged, binary)
        os.replace(staged_root, goroot_file)
    return str(binary), goroot


def _limit_memory() -> None:
    # RLIMIT_DATA bounds the heap the Go runtime can map (Linux counts private
    # writable mappings), so a hostile package cannot exhaust the machine.
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_DATA, (4 << 30, 4 << 30))
    # If cgoguard itself is killed, the helper must not live on (seen: a helper
    # left waiting on a FIFO after its parent was killed by a test's timeout).
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def run_front_end(
    targets: Sequence[GoTarget],
    platform: Platform = Platform(),
    *,
    go: str | None = None,
    timeout: float | None = None,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """The helper's JSON for each target, in order, and for the module packages
    they import (by import path). Raises GoSourceError when the helper fails
    or passes ``timeout``."""
    document = _ask_front_end(targets, platform, go=go, timeout=timeout, api=False)
    try:
        packages: list[dict[str, Any]] = document["packages"]
        modules: dict[str, dict[str, Any]] = document.get("modules") or {}
    except (KeyError, TypeError):
        raise GoSourceError("the Go front end printed something that is not its JSON") from None
    return packages, modules


def _ask_front_end(
    targets: Sequence[GoTarget], platform: Platform, *, go: str | None, timeout: float | None, api: bool
) -> dict[str, Any]:
    binary, goroot = helper_binary(go)
    request = {
        "goos": platform.goos,
        "goarch": platform.goarch,
        "tags": list(platform.tags),
        "cgo": platform.cgo,
        "api": api,
        "targets": [
            {"dir": t.folder, "files": list(t.files) if t.files is not None else None} for t in targets
        ],
    }
    try:
        completed = subprocess.run(
            [binary],
            input=json.dumps(request).encode(),
            capture_output=True,
            env=_child_env({"GOMEMLIMIT": _MEMORY_LIMIT, "GOROOT": goroot}),
            timeout=timeout,
            preexec_fn=_limit_memory,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise GoSourceError(
            f"reading the Go source took longer than {timeout:g} s (item-timeout) and was stopped"
        ) from None
    except OSError as error:
        raise GoFrontEndError(f"cannot run cgoguard's Go front end {binary}: {error.strerror}.") from None
    if completed.returncode != 0:
        last = completed.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or ["no message"]
        raise GoSourceError(f"the Go front end stopped (exit {completed.returncode}): {last[0][:300]}")
    try:
        document = json.loads(completed.stdout)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise GoSourceError("the Go front end printed something that is not its JSON")
    return document


def _location(path: str, node: dict[str, Any]) -> SourceLocation:
    return SourceLocation(path, int(node["line"]), int(node["col"]))


def _go_type(raw: dict[str, Any]) -> GoType:
    return GoType(raw["text"], raw["kind"], raw.get("pointee_kind"), raw.get("named"), raw.get("c_type", ""))


def _sites(path: str, raw: list[dict[str, Any]] | None) -> list[Site]:
    return [
        Site(s["kind"], _location(path, s), s.get("detail", ""), bool(s.get("locked"))) for s in raw or []
    ]


def _function(raw: dict[str, Any]) -> GoFunction:
    path = raw["path"]
    lock = raw.get("lock_os_thread")
    returned = raw.get("returns_allocation")
    return GoFunction(
        name=raw["name"],
        location=_location(path, raw),
        receiver=raw.get("receiver"),
        generic=bool(raw.get("generic")),
        parameters=[GoParameter(p["name"], _go_type(p["type"]), _location(path, p)) for p in raw["params"]],
        results=[GoParameter(p["name"], _go_type(p["type"]), _location(path, p)) for p in raw["results"]],
        defers=[
            DeferFact(
                _location(path, d),
                bool(d["top_level"]),
                bool(d["after_return"]),
                d.get("callee"),
                bool(d["literal_calls_recover"]),
                list(d.get("literal_calls") or []),
                d.get("callee_key"),
            )
            for d in raw.get("defers") or []
        ],
        calls_recover=bool(raw.get("calls_recover")),
        allocations=[
            CAllocation(
                _location(path, a),
                a["function"],
                a.get("variable"),
                bool(a["freed"]),
                bool(a["returned"]),
                bool(a["escapes"]),
                bool(a["inline_argument"]),
                bool(a.get("discarded")),
            )
            for a in raw.get("allocations") or []
        ],
        pointer_stores=[
            PointerStore(_location(path, s), s["kind"], s.get("detail", ""))
            for s in raw.get("pointer_stores") or []
        ],
        calls_c_free_on_parameter=bool(raw.get("frees_parameter")),
        calls_c_free=bool(raw.get("calls_c_free")),
        lock_os_thread=_location(path, lock) if lock else None,
        unlock_os_thread=raw.get("unlock_os_thread"),
        returns_c_allocation=_location(path, returned) if returned else None,
        key=raw["key"],
        panics=_sites(path, raw.get("panics")),
        exits=_sites(path, raw.get("exits")),
        sends=_sites(path, raw.get("sends")),
        calls=[
            CallEdge(c["callee"], _location(path, c), c["how"] == "defer", bool(c.get("locked")))
            for c in raw.get("calls") or []
        ],
        after_free=_sites(path, raw.get("after_free")),
        returns_calls=list(raw.get("returns_calls") or []),
        returns_global=bool(raw.get("returns_global")),
        global_writes=_sites(path, raw.get("global_writes")),
        handles=_sites(path, raw.get("handles")),
        narrowings=[
            Narrowing(_location(path, n), n["target"], n["source"], bool(n["is_len"]), bool(n["guarded"]))
            for n in raw.get("narrowings") or []
        ],
    )


def package_from_json(
    raw: dict[str, Any],
    modules: dict[str, dict[str, Any]] | None = None,
    parsed: dict[str, list[GoFunction]] | None = None,
) -> GoPackage:
    """A GoPackage from the helper's JSON for one target (``modules``: the
    module packages of the run, ``parsed``: their functions, filled as read)."""
    modules = modules or {}
    parsed = parsed if parsed is not None else {}
    dependencies: list[GoFunction] = []
    for path in raw.get("dependencies") or []:
        if path not in parsed:
            parsed[path] = [_function(fn) for fn in (modules.get(path) or {}).get("functions") or []]
        dependencies += parsed[path]
    functions_by_file: dict[str, list[GoFunction]] = {}
    for fn in raw["functions"]:
        functions_by_file.setdefault(fn["path"], []).append(_function(fn))
    files = [
        GoFile(
            path=f["path"],
            package=f["package"],
            imports_c=bool(f["imports_c"]),
            directives=[
                ExportDirective(
                    _location(f["path"], d),
                    d["text"],
                    bool(d["exact"]),
                    d["name"],
                    d.get("attached_to"),
                    bool(d.get("is_method")),
                    bool(d.get("is_generic")),
                )
                for d in f["directives"]
            ],
            functions=functions_by_file.get(f["path"], []),
            suppressions={int(line): set(ids) for line, ids in (f.get("suppressions") or {}).items()},
        )
        for f in raw["files"]
    ]
    return GoPackage(
        folder=raw["dir"],
        name=raw["name"],
        files=files,
        pointer_structs={k: list(v) for k, v in (raw.get("pointer_structs") or {}).items()},
        type_kinds=dict(raw.get("type_kinds") or {}),
        errors=[(e["path"], e["message"]) for e in raw.get("errors") or []],
        import_path=raw.get("import_path", ""),
        module=raw.get("module", ""),
        excluded=[(e["path"], e["message"]) for e in raw.get("excluded") or []],
        c_functions=list(raw.get("c_functions") or []),
        c_free_functions=list(raw.get("c_free_functions") or []),
        header_free_functions=list(raw.get("header_free_functions") or []),
        channel_closes=set(raw.get("channel_closes") or []),
        dependencies=dependencies,
    )


def read_packages(
    targets: Sequence[GoTarget],
    platform: Platform = Platform(),
    *,
    go: str | None = None,
    timeout: float | None = None,
) -> list[GoPackage | GoSourceError]:
    """Read every target in one run of the helper; when that run fails, each
    target alone, so one bad package costs only its own result."""
    if not targets:
        return []
    single = len(targets) == 1
    try:
        raw, modules = run_front_end(
            targets, platform, go=go, timeout=timeout * len(targets) if timeout else None
        )
        parsed: dict[str, list[GoFunction]] = {}
        return [package_from_json(r, modules, parsed) for r in raw]
    except GoSourceError as error:
        if single:
            return [error]
    results: list[GoPackage | GoSourceError] = []
    for target in targets:
        try:
            (one,), modules = run_front_end([target], platform, go=go, timeout=timeout)
            results.append(package_from_json(one, modules))
        except GoSourceError as error:
            results.append(error)
    return results


def read_package(
    folder: str, files: Sequence[str] | None = None, platform: Platform = Platform(), *, go: str | None = None
) -> GoPackage:
    """One package (tests and scripts)."""
    if not os.path.isdir(folder):
        raise GoSourceError(f"cannot list {folder}: no such folder")
    (result,) = read_packages(
        [GoTarget(folder, tuple(files) if files is not None else None)], platform, go=go
    )
    if isinstance(result, GoSourceError):
        raise result
    return result


def _api_type(raw: dict[str, Any]) -> ApiType:
    return ApiType(
        kind=raw["kind"],
        text=raw["text"],
        named=raw.get("named", ""),
        package=raw.get("pkg", ""),
        elem=_api_type(raw["elem"]) if raw.get("elem") else None,
        fields=tuple(
            ApiField(f["name"], bool(f["exported"]), bool(f["embedded"]), _api_type(f["type"]))
            for f in raw.get("fields") or []
        ),
        length=int(raw.get("len", 0)),
    )


def read_api(folder: str, platform: Platform = Platform(), *, go: str | None = None) -> GoApi:
    """The exported functions and methods of the Go package in ``folder``, typed."""
    if not os.path.isdir(folder):
        raise GoSourceError(f"cannot list {folder}: no such folder")
    document = _ask_front_end([GoTarget(folder)], platform, go=go, timeout=None, api=True)
    try:
        (raw,) = document["apis"]
        functions = tuple(
            ApiFunction(
                name=f["name"],
                receiver=_api_type(f["receiver"]) if f.get("receiver") else None,
                params=tuple(ApiParam(p["name"], _api_type(p["type"])) for p in f["params"]),
                results=tuple(ApiParam(p["name"], _api_type(p["type"])) for p in f["results"]),
                variadic=bool(f["variadic"]),
                generic=bool(f["generic"]),
                directives=tuple(f["directives"]),
                doc=f.get("doc", ""),
                location=_location(f["path"], f),
            )
            for f in raw["functions"]
        )
        return GoApi(
            folder=folder,
            name=raw["name"],
            import_path=raw["import_path"],
            module=raw["module"],
            module_root=raw["module_root"],
            go_version=raw.get("go_version", ""),
            functions=functions,
            errors=tuple(e["message"] for e in raw.get("errors") or []),
        )
    except (KeyError, TypeError, ValueError):
        raise GoSourceError("the Go front end printed something that is not its JSON") from None
