"""Lint speed side by side with `go vet` on the same package trees, in one run.

    python benchmarks/bench_lint.py [--tree crypto,net | --tree PATH ...] [--runs 3]
                                    [--before /path/to/old/cgoguard] [--cold-vet] [--per-package]

``--tree`` names folders: an existing folder (any checkout, e.g. a project that exports Go to C)
is taken as it is; any other name is a folder under GOROOT/src. The default is GOROOT/src/crypto
and GOROOT/src/net (about 600 .go files): real code nobody here wrote, present wherever Go is.

Files are counted the same way for every tool: the ``.go`` files under the folders, leaving out
tests, ``testdata``, ``vendor`` and the folders the go command ignores (names starting with ``.``
or ``_``). Each tool runs once to warm up (go vet fills its build cache; cgoguard compiles its Go
front end once per toolchain), then ``--runs`` times; the table shows the median wall time,
milliseconds per file and the ratios. ``--before`` adds an older cgoguard executable (e.g. a
checkout before the Go front end, whose reader was tree-sitter) on the same tree.

``go vet`` runs where the go command finds its packages: by import path under GOROOT/src, else
``go vet ./...`` in every module (go.mod) of a folder, with the module proxy off (vendored or
standard-library-only modules work; the others are reported as not measured, with the reason).
``--cold-vet`` adds go vet with an empty build cache for each run. ``--per-package`` also runs
each cgoguard once per package folder, the way a loop over folders would call it. No network.
Timings are wall clock on this machine: compare the ratios, not the seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _go() -> str:
    sys.path.insert(0, str(ROOT / "src"))
    from cgoguard.gobuild.toolchain import find_go

    return find_go()


def _env(cache: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    # Vendored and standard-library-only trees need no proxy: never reach for one.
    env.update({"GOTOOLCHAIN": "local", "GOPROXY": "off"})
    env.pop("GOFLAGS", None)
    if cache is not None:
        env["GOCACHE"] = cache
    return env


def _counted(root: Path, path: Path) -> bool:
    parts = path.relative_to(root).parts
    return not (
        path.name.endswith("_test.go")
        or any(p in ("testdata", "vendor") or p.startswith((".", "_")) for p in parts[:-1])
    )


def go_files(folders: list[Path]) -> list[Path]:
    """The .go files every tool is charged for: no tests, testdata, vendor or ignored folders."""
    return sorted(
        path
        for folder in folders
        for path in folder.rglob("*.go")
        if path.is_file() and _counted(folder, path)
    )


def modules(folder: Path) -> list[Path]:
    """The module roots (folders with a go.mod) in ``folder`` that the go command would visit."""
    return sorted(
        gomod.parent for gomod in folder.rglob("go.mod") if gomod.parent == folder or _counted(folder, gomod)
    )


def _time(command: list[str], cwd: Path, cache: str | None = None) -> tuple[float, int, str]:
    started = time.perf_counter()
    proc = subprocess.run(command, cwd=cwd, env=_env(cache), capture_output=True, text=True, check=False)
    return time.perf_counter() - started, proc.returncode, proc.stderr


def _vet_failure(stderr: str) -> str:
    """The first line saying why go vet could not check a package (not a vet finding)."""
    lines = [line.strip() for line in stderr.splitlines() if not line.startswith("go: downloading")]
    for line in lines:
        if any(word in line for word in ("disabled", "missing", "cannot", "not found", "error")):
            return line[:160]
    return lines[0][:160] if lines else ""


Step = Callable[[str | None], tuple[float, int, str]]


def _vet_steps(go: str, folders: list[Path], goroot: Path) -> list[Step]:
    """One go vet call per module, or by import path under GOROOT/src (-json: findings do
    not change the exit code, so a non-zero exit means go vet could not check the code)."""
    steps: list[Step] = []
    for folder in folders:
        if folder.is_relative_to(goroot / "src"):
            name = folder.relative_to(goroot / "src").as_posix()
            steps.append(lambda c, n=name: _time([go, "vet", "-json", f"{n}/..."], goroot / "src", c))
            continue
        for module in modules(folder):
            steps.append(lambda c, m=module: _time([go, "vet", "-json", "./..."], m, c))
    return steps


def _lint_steps(command: list[str], folders: list[Path], per_package: bool) -> list[Step]:
    lint = [*command, "lint"]
    out = ["--format", "json", "-o", os.devnull]
    if not per_package:
        return [lambda c: _time([*lint, *(f"{f}/..." for f in folders), *out], ROOT)]
    packages = sorted({p.parent for p in go_files(folders)})
    return [lambda c, p=package: _time([*lint, str(p), *out], ROOT) for package in packages]


def _run(steps: list[Step], cold: bool) -> tuple[float, int, str]:
    """Wall seconds of all steps, the worst exit code and the first failure message."""
    seconds, worst, why = 0.0, 0, ""
    for step in steps:
        with tempfile.TemporaryDirectory(prefix="bench-gocache-") as cache:
            spent, code, stderr = step(cache if cold else None)
        seconds += spent
        if code > worst:
            worst, why = code, _vet_failure(stderr)
    return seconds, worst, why


def _median(steps: list[Step], runs: int, cold: bool) -> tuple[float, int, str]:
    if not cold:
        _run(steps, cold)  # warm up
    results = [_run(steps, cold) for _ in range(runs)]
    worst = max(results, key=lambda r: r[1])
    return statistics.median(r[0] for r in results), worst[1], worst[2]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--tree",
        action="append",
        help="folders, comma-separated or repeated: a path, else under GOROOT/src (default crypto,net)",
    )
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--before", help="an older cgoguard executable to time on the same tree")
    parser.add_argument("--cold-vet", action="store_true", help="also go vet with an empty build cache")
    parser.add_argument(
        "--per-package", action="store_true", help="also each cgoguard once per package folder"
    )
    args = parser.parse_args()
    go = _go()
    listed = subprocess.run([go, "env", "GOROOT"], capture_output=True, text=True, check=True)
    goroot = Path(listed.stdout.strip())
    names = [n.strip() for value in args.tree or ["crypto,net"] for n in value.split(",") if n.strip()]
    folders = [Path(n).resolve() if Path(n).is_dir() else goroot / "src" / n for n in names]
    missing = [str(f) for f in folders if not f.is_dir()]
    if missing:
        parser.error(f"not a folder: {', '.join(missing)}")
    files = len(go_files(folders))
    packages = len({p.parent for p in go_files(folders)})
    now = [sys.executable, "-m", "cgoguard"]
    tools: dict[str, tuple[list[Step], bool]] = {"cgoguard lint": (_lint_steps(now, folders, False), False)}
    if args.before:
        tools["cgoguard lint (before)"] = (_lint_steps([args.before], folders, False), False)
    if args.per_package:
        tools["cgoguard lint, per package"] = (_lint_steps(now, folders, True), False)
        if args.before:
            tools["before, per package"] = (_lint_steps([args.before], folders, True), False)
    vet = _vet_steps(go, folders, goroot)
    tools["go vet (warm cache)"] = (vet, False)
    if args.cold_vet:
        tools["go vet (empty cache)"] = (vet, True)
    print(f"tree: {', '.join(str(f) for f in folders)}")
    print(f"  {files} .go files in {packages} folders (tests, testdata, vendor left out)")
    medians: dict[str, float] = {}
    for label, (steps, cold) in tools.items():
        if not steps:
            print(f"  {label:28} not measured: no go.mod in the tree")
            continue
        seconds, code, why = _median(steps, args.runs, cold)
        if label.startswith("go vet") and code != 0:
            print(f"  {label:28} not measured: exit {code}: {why}")
            continue
        medians[label] = seconds
        per_file = 1000 * seconds / files
        print(f"  {label:28} {seconds:7.2f} s  {per_file:7.2f} ms/file  (exit {code})")
    base = medians["cgoguard lint"]
    for label, seconds in medians.items():
        if label != "cgoguard lint":
            print(f"  {label} / cgoguard lint: {seconds / base:5.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
