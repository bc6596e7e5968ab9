"""Smoke tests: load or link the fresh artifact, always in a child process.

A Go c-shared library starts a Go runtime when it is loaded, so it is never
loaded into cgoguard's own process: a child Python dlopens it and dlsyms every
exported function. A c-archive is linked into a generated C program (with the
link flags a hardened consumer should use) that takes the address of every
exported function, and the program is run (the build then verifies CG101-CG104
on it). Executables run only on request.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cgoguard.gobuild import process
from cgoguard.gobuild.plan import CONSUMER_LINK_FLAGS, BuildPlan
from cgoguard.gobuild.quoting import go_split
from cgoguard.model import Artifact

TIMEOUT_SECONDS = 120

# Run by a child `python -c`: argv[1] is the library, the rest are symbol names.
_DLOPEN_SCRIPT = """\
import ctypes, json, os, sys
library = ctypes.CDLL(sys.argv[1], mode=os.RTLD_NOW | os.RTLD_LOCAL)
missing = []
for name in sys.argv[2:]:
    try:
        getattr(library, name)
    except AttributeError:
        missing.append(name)
print(json.dumps({"found": len(sys.argv) - 2 - len(missing), "missing": missing}))
sys.exit(1 if missing else 0)
"""


@dataclass(slots=True)
class SmokeResult:
    kind: str  # "dlopen" | "link-and-run" | "run" | "none"
    ran: bool
    passed: bool
    detail: str
    seconds: float = 0.0
    # c-archive: the scan of the C program linked with CONSUMER_LINK_FLAGS (the build
    # verifies CG101-CG104 on it); None for other kinds or when linking failed.
    consumer: Artifact | None = None

    @property
    def linked(self) -> bool:
        """A consumer program was linked and ran; its scan is ``consumer``."""
        return self.kind == "link-and-run" and self.passed

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ran": self.ran,
            "passed": self.passed,
            "detail": self.detail,
            "seconds": round(self.seconds, 3),
        }


def _output(completed: subprocess.CompletedProcess[str]) -> str:
    return (completed.stdout + completed.stderr).strip()[-4000:]


def _run(argv: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str] | str:
    try:
        return process.run(argv, cwd=cwd, env=env, timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        return f"`{shlex.join(argv)}` did not finish within {TIMEOUT_SECONDS} s"
    except OSError as error:
        return f"cannot run {argv[0]}: {error.strerror}"


def _runtime_env() -> dict[str, str]:
    """The caller's environment minus Go build settings (they mean nothing at run time)."""
    return {k: v for k, v in os.environ.items() if not k.startswith(("CGO_", "GOFLAGS"))}


def smoke_test(
    plan: BuildPlan, artifact: Path, header: Path | None, api: list[str], run_args: str | None, scratch: Path
) -> SmokeResult:
    mode = plan.go_mode
    if plan.toolchain.cross and mode in ("c-shared", "c-archive", "exe", "pie"):
        return SmokeResult(
            "none",
            False,
            True,
            f"not run: built for {plan.toolchain.goos}/{plan.toolchain.goarch}, "
            "which this machine cannot execute",
        )
    started = time.perf_counter()
    if mode == "c-shared":
        result = _dlopen(artifact, api)
    elif mode == "c-archive":
        if header is None:
            result = SmokeResult("link-and-run", True, False, "cgo wrote no header next to the archive")
        else:
            result = _link_and_run(plan, artifact, header, api, scratch)
    elif mode in ("exe", "pie") and run_args is not None:
        result = _run_executable(artifact, run_args, scratch)
    elif mode == "plugin":
        return SmokeResult(
            "none",
            False,
            True,
            "not run: loading a plugin needs a Go host built by the same toolchain with the "
            "same package versions",
        )
    else:
        return SmokeResult("none", False, True, "not run: executables run only with --run-smoke")
    result.seconds = time.perf_counter() - started
    return result


def _dlopen(artifact: Path, api: list[str]) -> SmokeResult:
    completed = _run(
        [sys.executable, "-c", _DLOPEN_SCRIPT, str(artifact.resolve()), *api], artifact.parent, _runtime_env()
    )
    if isinstance(completed, str):
        return SmokeResult("dlopen", True, False, completed)
    if completed.returncode != 0:
        return SmokeResult(
            "dlopen",
            True,
            False,
            f"a child Python could not dlopen/dlsym the library (exit {completed.returncode}): "
            f"{_output(completed)}",
        )
    try:
        found = json.loads(completed.stdout.strip().splitlines()[-1])["found"]
    except (ValueError, IndexError, KeyError, TypeError):
        return SmokeResult("dlopen", True, False, f"unexpected output from the child: {_output(completed)}")
    return SmokeResult(
        "dlopen", True, True, f"dlopen(RTLD_NOW) and dlsym of {found} exported function(s) in a child process"
    )


def consumer_source(header_name: str, api: list[str]) -> str:
    addresses = "".join(f"    (void *)&{name},\n" for name in api) or "    0,\n"
    return (
        "/* Generated by cgoguard build: links every //export function of a Go c-archive. */\n"
        "#include <stdio.h>\n"
        f'#include "{header_name}"\n\n'
        "static void *const exported[] = {\n" + addresses + "};\n\n"
        "int main(void) {\n"
        "    size_t count = sizeof exported / sizeof exported[0];\n"
        "    for (size_t i = 0; i < count; i++) {\n"
        "        if (exported[i] == 0) return 1;\n"
        "    }\n"
        '    printf("cgoguard smoke ok: %zu functions\\n", count);\n'
        "    return 0;\n"
        "}\n"
    )


def _link_and_run(plan: BuildPlan, archive: Path, header: Path, api: list[str], scratch: Path) -> SmokeResult:
    from cgoguard.scanner import scan_file

    source = scratch / "cgoguard_consumer.c"
    program = scratch / "cgoguard_consumer"
    source.write_text(consumer_source(header.name, api), encoding="utf-8")
    compiler = go_split(plan.toolchain.cc)
    argv = [
        *compiler,
        "-O2",
        "-fPIE",
        *plan.c_flags,
        *CONSUMER_LINK_FLAGS,
        "-I",
        str(header.parent),
        "-o",
        str(program),
        str(source),
        str(archive),
    ]
    env = {k: v for k, v in plan.env.items() if not k.startswith("GO")}
    linked = _run(argv, scratch, env)
    if isinstance(linked, str) or linked.returncode != 0:
        detail = linked if isinstance(linked, str) else _output(linked)
        return SmokeResult(
            "link-and-run",
            True,
            False,
            f"linking a C program against the archive failed (`{shlex.join(argv)}`): {detail}",
        )
    ran = _run([str(program)], scratch, _runtime_env())
    if isinstance(ran, str) or ran.returncode != 0:
        detail = ran if isinstance(ran, str) else f"exit {ran.returncode}: {_output(ran)}"
        return SmokeResult("link-and-run", True, False, f"the linked C program failed: {detail}")
    consumer = scan_file(str(program), hash_files=False)
    if consumer is not None:
        consumer.path = program.name
    detail = f"linked a C program with {' '.join(CONSUMER_LINK_FLAGS)} and ran it: {ran.stdout.strip()}"
    return SmokeResult("link-and-run", True, True, detail, consumer=consumer)


def _run_executable(artifact: Path, run_args: str, scratch: Path) -> SmokeResult:
    argv = [str(artifact.resolve()), *shlex.split(run_args)]
    completed = _run(argv, scratch, _runtime_env())
    if isinstance(completed, str):
        return SmokeResult("run", True, False, completed)
    if completed.returncode != 0:
        return SmokeResult(
            "run",
            True,
            False,
            f"`{shlex.join(argv[1:])}` exited with {completed.returncode}: {_output(completed)}",
        )
    return SmokeResult("run", True, True, f"ran with {shlex.join(argv[1:]) or 'no arguments'}: exit 0")
