"""Overhead of ``cgoguard build`` over the equivalent raw ``go build``, warm caches.

    python benchmarks/bench_build.py [--runs N] [--output results.json]

For each case (a mode and a profile of tests/fixtures/build/multi) it:

1. builds once with cgoguard to warm Go's cache and cgoguard's probe cache;
2. then alternates N times:
   - the raw ``go build`` with exactly the argv and environment the manifest records
     (output to a fresh file name, as cgoguard's staging folder is fresh, so Go links
     every time in both);
   - ``build_target()`` in-process; its phases come from the manifest's timings:
     build phase = total - verify - smoke (verification and smoke tests are reported
     separately, as the issue asks);
   - the command line, ``python -m cgoguard build``, in a new process (interpreter start
     and imports included), minus its verify and smoke phases.
3. reports medians and the overhead of the build phase over the raw ``go build``.

Go, GOCACHE and the fixture environment come from tests/gofixtures.py (offline).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))

import gofixtures  # noqa: E402
from cgoguard.config import Config  # noqa: E402
from cgoguard.gobuild import BuildOptions, Target, build_target, load_profiles  # noqa: E402

CASES = [
    ("c-shared", "hardened"),
    ("c-archive", "hardened"),
    ("exe", "hardened"),
    ("c-shared", "default"),
    ("exe", "default"),
    ("plugin", "hardened"),
]


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def run_case(mode: str, profile: str, runs: int, workspace: Path, env: dict[str, str]) -> dict[str, Any]:
    profiles = load_profiles(None, "")
    out = workspace / f"out-{mode}-{profile}"
    target = Target(f"multi-{mode}-{profile}", "./multi", mode=mode, profile=profile)
    # multi's Sha256Hex has no deferred recover(): the boundary lint (which runs, and is timed, as
    # part of the build phase) would refuse it at the default --fail-on high.
    options = BuildOptions(
        out_dir=out,
        go=gofixtures.go_binary(),
        environment=env,
        lint_config=Config(ignore=frozenset({"CG405"})),
    )
    first = build_target(target, profiles, workspace, options)  # warm-up
    manifest = json.loads(first.manifest.read_text())
    argv = manifest["inputs"]["argv"]
    output_index = argv.index("-o") + 1
    raw: list[float] = []
    api_build: list[float] = []
    api_verify: list[float] = []
    api_smoke: list[float] = []
    cli_build: list[float] = []
    cli_total: list[float] = []

    def raw_build(attempt: int) -> None:
        with tempfile.TemporaryDirectory(dir=workspace) as scratch:
            command = list(argv)
            command[output_index] = str(Path(scratch) / f"raw-{attempt}-{Path(argv[output_index]).name}")
            started = time.perf_counter()
            subprocess.run(
                command, cwd=first.plan.build_dir, env=first.plan.env, check=True, capture_output=True
            )
            raw.append(time.perf_counter() - started)

    def api_build_once() -> None:
        started = time.perf_counter()
        result = build_target(target, profiles, workspace, options)
        total = time.perf_counter() - started
        verify, smoke = result.timings.get("verify", 0.0), result.timings.get("smoke", 0.0)
        api_build.append(total - verify - smoke)
        api_verify.append(verify)
        api_smoke.append(smoke)

    for attempt in range(runs):
        # Alternate the order so neither side always runs right after the other's cache effects.
        if attempt % 2:
            api_build_once()
            raw_build(attempt)
        else:
            raw_build(attempt)
            api_build_once()
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "cgoguard",
                "build",
                "./multi",
                "--mode",
                mode,
                "--profile",
                profile,
                "--name",
                f"cli-{mode}-{profile}",
                "--go",
                gofixtures.go_binary(),
                "--out-dir",
                str(out),
                "--ignore",
                "CG405",
            ],
            cwd=workspace,
            env=env,
            check=True,
            capture_output=True,
        )
        elapsed = time.perf_counter() - started
        timings = json.loads((out / f"cli-{mode}-{profile}.manifest.json").read_text())["timings_seconds"]
        cli_total.append(elapsed)
        cli_build.append(elapsed - timings.get("verify", 0.0) - timings.get("smoke", 0.0))
    raw_median = _median(raw)
    return {
        "mode": mode,
        "profile": profile,
        "runs": runs,
        "raw_go_build_s": round(raw_median, 4),
        "cgoguard_build_phase_s": round(_median(api_build), 4),
        "overhead_pct": round(100 * (_median(api_build) - raw_median) / raw_median, 2),
        "verify_s": round(_median(api_verify), 4),
        "smoke_s": round(_median(api_smoke), 4),
        "cli_build_phase_s": round(_median(cli_build), 4),
        "cli_overhead_pct": round(100 * (_median(cli_build) - raw_median) / raw_median, 2),
        "cli_total_s": round(_median(cli_total), 4),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--output", help="also write the results as JSON")
    args = parser.parse_args()
    env = gofixtures.go_env()
    env["CGOGUARD_CACHE_DIR"] = str(gofixtures.cache_root() / "cgoguard-probes")
    os.environ["CGOGUARD_CACHE_DIR"] = env["CGOGUARD_CACHE_DIR"]
    with tempfile.TemporaryDirectory(prefix="cgoguard-bench-build-") as folder:
        workspace = Path(folder)
        shutil.copytree(REPO_ROOT / "tests" / "fixtures" / "build", workspace, dirs_exist_ok=True)
        results = [run_case(mode, profile, args.runs, workspace, env) for mode, profile in CASES]
    header = (
        f"{'mode':<10} {'profile':<9} {'go build':>9} {'cgoguard':>9} {'overhead':>9} "
        f"{'verify':>8} {'smoke':>8} {'CLI build':>10} {'CLI ovh':>8}"
    )
    print(header)
    for r in results:
        print(
            f"{r['mode']:<10} {r['profile']:<9} {r['raw_go_build_s']:>8.3f}s "
            f"{r['cgoguard_build_phase_s']:>8.3f}s "
            f"{r['overhead_pct']:>8.1f}% {r['verify_s']:>7.3f}s {r['smoke_s']:>7.3f}s "
            f"{r['cli_build_phase_s']:>9.3f}s {r['cli_overhead_pct']:>7.1f}%"
        )
    if args.output:
        Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
