"""Amplification files at three sizes: cgoguard's peak memory, seconds and report bytes
must grow with the input, not with what its string tables could be made to say.

    python benchmarks/bench_hostile.py [--sizes 2000,8000,32000]

Kinds (tests/hostile_elf.py; a shared library with N exported functions built with gcc, then
crafted): ``symbols-one-run`` (every symbol at offset 1 of a .dynstr with no NUL left),
``dynstr-unterminated`` (only the NULs replaced), ``needed-one-run`` and ``rpath-one-run`` (N
DT_NEEDED / DT_RPATH entries at offset 1), ``section-names-one-run`` (N section headers named at
offset 1 of the unterminated table), ``ar-long-names`` (an ``ar`` archive whose long-name table never
ends a name, with N members referring into it).

Each file is scanned by ``cgoguard scan --format json --jobs 1`` in a child process; peak RSS is
that child's (``RUSAGE_CHILDREN`` of a fresh wrapper process).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tests")]

import hostile_elf  # noqa: E402  (the same crafted files as tests/test_hostile_inputs.py)


def measure(path: Path, report: Path) -> tuple[float, float, int, str | None]:
    """(seconds, peak MB, report bytes, the artifact's error) of one scan in a child."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "code = subprocess.run(sys.argv[1:]).returncode\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    )
    command = [sys.executable, "-m", "cgoguard", "scan", str(path), "--format", "json", "--jobs", "1"]
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", wrapper, *command, "-o", str(report)],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    peak_mb = int(proc.stderr.splitlines()[-1]) / 1024
    artifacts = json.loads(report.read_text())["artifacts"]
    return seconds, peak_mb, report.stat().st_size, artifacts[0]["error"] if artifacts else None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="2000,8000,32000", help="symbols / members per file")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",")]
    print(
        f"{'kind':<22} {'N':>6} {'input bytes':>12} {'seconds':>8} {'peak MB':>8} {'report bytes':>13}  error"
    )
    with tempfile.TemporaryDirectory(prefix="cgoguard-hostile-") as scratch:
        folder = Path(scratch)
        for count in sizes:
            for kind, data in hostile_elf.kinds(folder, count).items():
                path = folder / f"{kind}-{count}"
                path.write_bytes(data)
                seconds, peak_mb, report_bytes, error = measure(path, folder / "report.json")
                shown = (error or "read")[:60]
                print(
                    f"{kind:<22} {count:>6} {len(data):>12,} {seconds:>8.2f} {peak_mb:>8.1f} "
                    f"{report_bytes:>13,}  {shown}",
                    flush=True,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
