"""Run `go build` for a plan and turn its failures into sentences with the fix."""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from cgoguard.gobuild import process
from cgoguard.gobuild.errors import BuildError
from cgoguard.gobuild.plan import BuildPlan


@dataclass(frozen=True, slots=True)
class GoRun:
    argv: list[str]
    seconds: float
    stderr: str


# (pattern in Go's stderr, what to tell the user), first match wins.
_DIAGNOSES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), advice)
    for pattern, advice in (
        (
            r"requires exactly one main package|non-main package|is not a main package",
            "mode {mode} builds a C library or program from a `package main`; the package {package} is not "
            "package main. Rename its package clause to `package main` (a c-shared/c-archive library also "
            "needs an empty `func main() {{}}`) or build another package.",
        ),
        (
            r"function main is undeclared in the main package",
            "the package {package} has no `func main`. Mode {mode} needs one even for a library: add "
            "`func main() {{}}` to the package.",
        ),
        (
            r"cannot find package|is not in std|no required module provides package|directory not found|"
            r"no Go files in|matched no packages|outside main module|cannot find main module|"
            r"does not contain package|malformed import path",
            "package {package} not found from {workdir}. Give it as a folder (./cmd/x) or an import path "
            "inside the module, and run from (or configure) the module's folder.",
        ),
        (
            r"flag provided but not defined|unknown flag|invalid value|bad flag|unknown option|"
            r"unrecognized (?:command-line )?option|unrecognised option|invalid argument|"
            r"buildmode=\S+ not supported|not supported on|invalid GOFIPS140|unsupported GOOS/GOARCH|"
            r"cannot use GOFIPS140",
            "the toolchain rejected a flag or setting of profile {profile!r} for mode {mode}. Go's message "
            "below names it; remove it from the profile or target, or use a toolchain that supports it.",
        ),
        (
            r"go\.mod file not found",
            "the package {package} is not inside a Go module (no go.mod in its folder or above). Run "
            "`go mod init <module path>` in the project's root folder.",
        ),
        (
            r"C compiler .* not found|exec: \"[^\"]+\": executable file not found|cgo: C compiler",
            "the C compiler cgo needs is missing. Install gcc (apt-get install gcc) or set the target's cc.",
        ),
    )
)


def diagnose(stderr: str, plan: BuildPlan) -> str:
    values = {
        "mode": plan.go_mode,
        "package": plan.target.package,
        "workdir": plan.workdir,
        "profile": plan.profile.name,
    }
    for pattern, advice in _DIAGNOSES:
        if pattern.search(stderr):
            return advice.format(**values)
    return (
        f"`go build` failed for target {plan.target.name!r} (mode {plan.go_mode}, profile "
        f"{plan.profile.name!r}); the compiler's own messages follow. Fix the code or settings they name."
    )


def run_go_build(
    plan: BuildPlan,
    output: Path,
    version_script: Path | None,
    env: Mapping[str, str] | None = None,
) -> GoRun:
    argv = plan.argv(output, version_script)
    run_env = dict(env if env is not None else plan.env)
    if "GOTMPDIR" not in run_env:
        # Go's work folder beside the output: removed with the staging folder even when
        # go build is killed before it can remove it itself. It changes no output byte.
        scratch = output.parent / ".gotmp"
        scratch.mkdir(exist_ok=True)
        run_env["GOTMPDIR"] = str(scratch)
    started = time.perf_counter()
    try:
        completed = process.run(argv, cwd=plan.build_dir, env=run_env)
    except OSError as error:
        raise BuildError(f"cannot run {argv[0]}: {error.strerror}.") from None
    seconds = time.perf_counter() - started
    if completed.returncode != 0:
        stderr = (completed.stderr + completed.stdout).strip()
        raise BuildError(diagnose(stderr, plan), stderr)
    if not output.is_file():
        raise BuildError(
            f"`go build` succeeded but wrote no {output.name}; this toolchain behaves unexpectedly."
        )
    return GoRun(argv, seconds, completed.stderr)
