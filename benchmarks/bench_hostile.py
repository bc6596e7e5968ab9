"""Amplification files at three sizes: cgoguard's peak memory, seconds and report bytes
must grow with the input, not with what its string tables could be made to say; and large
Go sources for `cgoguard lint`, whose cost must grow linearly with their size.

    python benchmarks/bench_hostile.py [--sizes 2000,8000,32000] [--exports 10000,50000,100000]
        [--ordinary-bytes 6000000]

Kinds (tests/hostile_elf.py; a shared library with N exported functions built with gcc, then
crafted): ``symbols-one-run`` (every symbol at offset 1 of a .dynstr with no NUL left),
``dynstr-unterminated`` (only the NULs replaced), ``needed-one-run`` and ``rpath-one-run`` (N
DT_NEEDED / DT_RPATH entries at offset 1), ``section-names-one-run`` (N section headers named at
offset 1 of the unterminated table), ``ar-long-names`` (an ``ar`` archive whose long-name table never
ends a name, with N members referring into it).
``lint-exports``: a Go file with N ``//export`` functions of five kinds, three of which the boundary
checks report (tests/hostile_go.py); ``lint-ordinary``: a Go file of ordinary code of N bytes.

Each file is scanned by ``cgoguard scan --format json --jobs 1`` (or linted by ``cgoguard lint
--format json``) in a child process; peak RSS is that child's (``RUSAGE_CHILDREN`` of a fresh
wrapper process).
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
import hostile_go  # noqa: E402


def measure(path: Path, report: Path, subcommand: str = "scan") -> tuple[float, float, int, str | None]:
    """(seconds, peak MB, report bytes, the artifact's error) of one scan (or lint) in a child."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "code = subprocess.run(sys.argv[1:]).returncode\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    )
    command = [sys.executable, "-m", "cgoguard", subcommand, str(path), "--format", "json"]
    command += ["--jobs", "1", "--vulndb", "off"] if subcommand == "scan" else []
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
    parser.add_argument("--exports", default="10000,50000,100000", help="//export functions per Go file")
    parser.add_argument("--ordinary-bytes", type=int, default=6_000_000, help="size of the ordinary Go file")
    options = parser.parse_args()
    sizes = [int(s) for s in options.sizes.split(",") if s]
    print(
        f"{'kind':<22} {'N':>9} {'input bytes':>12} {'seconds':>8} {'peak MB':>8} {'report bytes':>13}  error"
    )
    with tempfile.TemporaryDirectory(prefix="cgoguard-hostile-") as scratch:
        folder = Path(scratch)
        for count in sizes:
            for kind, data in hostile_elf.kinds(folder, count).items():
                path = folder / f"{kind}-{count}"
                path.write_bytes(data)
                _row(kind, count, len(data), measure(path, folder / "report.json"))
        sources = [
            ("lint-exports", int(n), hostile_go.exports_file(int(n))) for n in options.exports.split(",") if n
        ]
        ordinary = hostile_go.ordinary_file(options.ordinary_bytes)
        sources.append(("lint-ordinary", len(ordinary), ordinary))
        for kind, count, text in sources:
            path = folder / f"{kind}-{count}.go"
            path.write_text(text)
            _row(kind, count, len(text), measure(path, folder / "report.json", "lint"))
    return 0


def _row(kind: str, count: int, size: int, measured: tuple[float, float, int, str | None]) -> None:
    seconds, peak_mb, report_bytes, error = measured
    shown = (error or "read")[:60]
    print(
        f"{kind:<22} {count:>9} {size:>12,} {seconds:>8.2f} {peak_mb:>8.1f} {report_bytes:>13,}  {shown}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
