"""Fleet-scale figures: files/s per executor and worker count, client memory, the result cache.

The corpus: real ELF files of this machine (8-40 KiB, from /usr/bin and
/usr/lib/x86_64-linux-gnu) copied into a temp folder, each copy with its GNU
build ID rewritten to a counter: still a valid ELF file (the note keeps its
size), a different SHA-256 and a different build ID, so no two files share a
hash and nothing is deduplicated. Every run is `cgoguard scan DIR --format
jsonl` in a child process; the client's peak memory is its own VmHWM (the
process alone, not its workers), sampled from /proc until it exits.

    .venv/bin/python benchmarks/bench_fleet.py                    # 100,000 files, 10,000 per speed run
    .venv/bin/python benchmarks/bench_fleet.py --files 20000 --subset 2000
    .venv/bin/python benchmarks/bench_fleet.py --parts memory      # client memory at 10k, 30k, 100k files
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cgoguard.readers.elf import is_elf

NOTE = b"\x04\x00\x00\x00\x14\x00\x00\x00\x03\x00\x00\x00GNU\x00"  # namesz 4, descsz 20, NT_GNU_BUILD_ID
CGOGUARD = str(Path(sys.executable).with_name("cgoguard"))


def seeds(limit: int) -> list[tuple[bytes, int]]:
    """(bytes, offset of the 20-byte build ID) of small ELF files with one."""
    found = []
    for folder in ("/usr/bin", "/usr/lib/x86_64-linux-gnu"):
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if not entry.is_file(follow_symlinks=False) or not 8 << 10 <= entry.stat().st_size <= 40 << 10:
                continue
            data = Path(entry.path).read_bytes()
            at = data.find(NOTE)
            if is_elf(data[:4]) and at >= 0:
                found.append((data, at + len(NOTE)))
            if len(found) >= limit:
                return found
    return found


def build_corpus(root: Path, count: int, per_folder: int = 1000) -> float:
    """``count`` varied copies in folders of ``per_folder``; returns the seconds it took."""
    started = time.perf_counter()
    pool = seeds(400)
    for index in range(count):
        data, at = pool[index % len(pool)]
        folder = root / f"d{index // per_folder:04d}"
        if index % per_folder == 0:
            folder.mkdir(parents=True)
        varied = data[:at] + index.to_bytes(20, "little") + data[at + 20 :]
        (folder / f"f{index:07d}").write_bytes(varied)
    return time.perf_counter() - started


def run_scan(paths: list[Path], out: Path, *extra: str) -> dict[str, float]:
    """One scan in a child process: wall seconds, the client's peak RSS, the summary."""
    command = [CGOGUARD, "scan", *map(str, paths), "--format", "jsonl", "-o", str(out)]
    command += ["--no-progress", "--vulndb", "off", "--allow-unreadable", "--fail-on", "critical", *extra]
    started = time.perf_counter()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    peak_kib = 0
    status = Path(f"/proc/{process.pid}/status")
    while process.poll() is None:
        try:
            for line in status.read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peak_kib = max(peak_kib, int(line.split()[1]))
        except OSError:
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read() if process.stderr else ""
    if process.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {process.returncode}: {stderr}")
    with out.open() as handle:
        lines = handle.readlines()
    summary = json.loads(lines[-1])["summary"]
    return {
        "seconds": round(seconds, 2),
        "files": summary["artifacts"],
        "files_per_s": round(summary["artifacts"] / seconds, 1),
        "client_peak_mib": round(peak_kib / 1024, 1),
    }


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--files", type=int, default=100_000)
    parser.add_argument("--subset", type=int, default=10_000, help="files in each speed run")
    parser.add_argument("--output", default="fleet-results.json")
    parser.add_argument(
        "--parts", default="speed,memory,cache", help="which figures: speed, memory, cache (comma-separated)"
    )
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    results: dict[str, object] = {"cores": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="cgoguard-fleet-") as temp:
        root = Path(temp) / "corpus"
        results["corpus_seconds"] = round(build_corpus(root, args.files), 1)
        folders = sorted(root.iterdir())
        subset = folders[: max(1, args.subset // 1000)]
        out = Path(temp) / "out.jsonl"
        print(f"corpus: {args.files:,} files in {results['corpus_seconds']} s", flush=True)
        speed: dict[str, object] = {}
        for workers in (1, 2, 4) if "speed" in parts else ():
            for executor in ("local", "local-dask"):
                row = run_scan(subset, out, "--jobs", str(workers), "--executor", executor)
                speed[f"{executor} x{workers}"] = row
                print(f"{executor:>10} x{workers}: {row}", flush=True)
        results["speed"] = speed
        memory: dict[str, object] = {}
        # Dask at up to three times the subset, not the whole corpus: it is the slower executor here.
        sizes = {
            "local": [subset, folders[: 3 * len(subset)], folders],
            "local-dask": [subset, folders[: 3 * len(subset)]],
        }
        for executor, runs in sizes.items() if "memory" in parts else ():
            for paths in runs:
                row = run_scan(paths, out, "--jobs", "2", "--executor", executor)
                memory[f"{executor} {row['files']}"] = row
                print(f"{executor:>10} {row['files']}: {row}", flush=True)
        results["memory"] = memory
        cache = Path(temp) / "cache"
        cached: dict[str, object] = {}
        for label in ("cold", "warm") if "cache" in parts else ():
            row = run_scan(folders, out, "--jobs", "2", "--cache", str(cache))
            cached[label] = row
            print(f"cache {label}: {row}", flush=True)
        if cached:
            cached["entries"] = sum(1 for _ in cache.rglob("*.json"))
            cached["speedup"] = round(cached["cold"]["seconds"] / cached["warm"]["seconds"], 2)  # type: ignore[index]
            results["cache"] = cached
            shutil.rmtree(cache)
    Path(args.output).write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
