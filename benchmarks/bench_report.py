"""Writing large reports: text against JSON for the same scan, at three sizes.

    python benchmarks/bench_report.py [--sizes 5000,20000,50000] [--jobs 2]

The input is N copies of one small object file (gcc -c), so the scan itself is
cheap and the report is most of the work: every artifact has two findings.
Each format is written to a file with ``cgoguard scan --no-hash --format F -o``
in a child process; the table gives seconds, report bytes and text/JSON.
Text reports to files and pipes are rendered plain in the workers; before
that, rich formatted every line in the parent (152 s for 50,000 records
against 24.6 s for JSON, as reported in issue 8).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _objects(folder: Path, count: int) -> Path:
    source = folder / "unit.c"
    source.write_text("int unit_add(int a, int b) { return a + b; }\n")
    subprocess.run(["gcc", "-c", "-O1", "-o", folder / "unit.o", source], check=True)
    data = (folder / "unit.o").read_bytes()
    target = folder / f"objects-{count}"
    target.mkdir()
    for index in range(count):
        (target / f"unit{index:06d}.o").write_bytes(data)
    return target


def _write(folder: Path, fmt: str, jobs: int) -> tuple[float, int]:
    report = folder.parent / f"{folder.name}.{fmt}"
    command = [
        sys.executable,
        "-m",
        "cgoguard",
        "scan",
        str(folder),
        "--no-hash",
        "--no-progress",
        "--vulndb",
        "off",
    ]
    command += ["--format", fmt, "-o", str(report), "--jobs", str(jobs)]
    started = time.perf_counter()
    proc = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {proc.returncode}: {proc.stderr}")
    return seconds, report.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="5000,20000,50000")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    print("| artifacts | text s | JSON s | text / JSON | text bytes | JSON bytes |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="cgoguard-bench-report-") as temporary:
        for count in (int(size) for size in args.sizes.split(",")):
            folder = _objects(Path(temporary), count)
            text_seconds, text_bytes = _write(folder, "text", args.jobs)
            json_seconds, json_bytes = _write(folder, "json", args.jobs)
            ratio = text_seconds / json_seconds
            print(
                f"| {count:,} | {text_seconds:.1f} | {json_seconds:.1f} | {ratio:.2f} | "
                f"{text_bytes:,} | {json_bytes:,} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
