"""Lint speed side by side with `go vet` on the same package trees, in one run.

    python benchmarks/bench_lint.py [--tree crypto,net] [--runs 3] [--before /path/to/old/cgoguard]

The default tree is two folders of the Go toolchain's own standard library (GOROOT/src/crypto
and GOROOT/src/net: about 600 .go files, tests left out): real code nobody here wrote, present
wherever Go is. `go vet` is given the same packages by import path. Each tool runs once to warm
up (go vet fills its build cache; cgoguard compiles its Go front end once per toolchain), then
``--runs`` times; the table shows the median wall time, milliseconds per file and the ratios.
``--before`` adds an older cgoguard executable (e.g. a checkout before the Go front end, whose
reader was tree-sitter) on the same tree. Timings are wall clock on this machine: compare the
ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _go() -> str:
    sys.path.insert(0, str(ROOT / "src"))
    from cgoguard.gobuild.toolchain import find_go

    return find_go()


def _env() -> dict[str, str]:
    env = dict(os.environ)
    # The standard library vendors its dependencies: no -mod=mod here.
    env.update({"GOTOOLCHAIN": "local", "GOPROXY": "off"})
    env.pop("GOFLAGS", None)
    return env


def _files(folders: list[Path]) -> int:
    return sum(
        1
        for folder in folders
        for path in folder.rglob("*.go")
        if not path.name.endswith("_test.go") and "testdata" not in path.parts and "vendor" not in path.parts
    )


def _time(command: list[str], cwd: Path | None = None) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=_env(), capture_output=True, text=True, check=False)
    return time.perf_counter() - started, proc.returncode


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--tree", default="crypto,net", help="folders under GOROOT/src (comma-separated)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", help="an older cgoguard executable to time on the same tree")
    args = parser.parse_args()
    go = _go()
    listed = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, check=True)
    goroot = Path(listed.stdout.strip())
    names = [n.strip() for n in args.tree.split(",") if n.strip()]
    folders = [goroot / "src" / n for n in names]
    files = _files(folders)
    lint_args = ["lint", *(f"{folder}/..." for folder in folders), "--format", "json", "-o", os.devnull]
    tools = {
        "cgoguard lint": [sys.executable, "-m", "cgoguard", *lint_args],
        "go vet": [go, "vet", *(f"{n}/..." for n in names)],
    }
    if args.before:
        tools["cgoguard lint (before)"] = [args.before, *lint_args]
    print(f"tree: {', '.join(str(f) for f in folders)} ({files} .go files, tests left out)")
    medians: dict[str, float] = {}
    for label, command in tools.items():
        _time(command, cwd=goroot / "src")  # warm up
        times = []
        for _ in range(args.runs):
            seconds, code = _time(command, cwd=goroot / "src")
            times.append(seconds)
        medians[label] = statistics.median(times)
        per_file = 1000 * medians[label] / files
        print(f"  {label:24} {medians[label]:7.2f} s  {per_file:6.2f} ms/file  (exit {code})")
    base = medians["cgoguard lint"]
    for label, seconds in medians.items():
        if label != "cgoguard lint":
            print(f"  {label} / cgoguard lint: {seconds / base:5.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
