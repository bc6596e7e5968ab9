"""Amplification files at three sizes: cgoguard's peak memory, seconds and report bytes
must grow with the input, not with what its string tables could be made to say; and large
Go sources for `cgoguard lint`, whose cost must grow linearly with their size.

    python benchmarks/bench_hostile.py [--sizes 2000,8000,32000] [--exports 10000,50000,100000]
        [--ordinary-bytes 6000000]

Kinds (each built here, with gcc for the ELF ones):

- ``symbols-one-run``: a shared library with N exported functions whose .dynstr has no NUL left
  and whose every symbol points at offset 1 (each name would decode to the end of the table);
- ``dynstr-unterminated``: the same library with only the NULs of .dynstr replaced;
- ``ar-long-names``: an ``ar`` archive whose long-name table never terminates a name, with N
  members referring into it;
- ``lint-exports``: a Go file with N ``//export`` functions of five kinds, three of which the
  boundary checks report (tests/hostile_go.py);
- ``lint-ordinary``: a Go file of ordinary code (types, methods, loops, cgo calls) of N bytes.

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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

import hostile_go
from cgoguard.readers.elf import ElfImage


def _library(folder: Path, count: int) -> bytes:
    source = folder / f"lib{count}.c"
    source.write_text("".join(f"int function_{i}(void) {{ return {i}; }}\n" for i in range(count)))
    output = folder / f"lib{count}.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-O0", "-o", output, source], check=True)
    return output.read_bytes()


def _section(data: bytes, name: str) -> tuple[int, int]:
    with ElfImage(data) as image:
        section = image.section(name)
        assert section is not None
        return section.offset, section.size


def _unterminated(data: bytes) -> bytearray:
    crafted = bytearray(data)
    offset, size = _section(data, ".dynstr")
    crafted[offset + 1 : offset + size] = crafted[offset + 1 : offset + size].replace(b"\0", b"A")
    return crafted


def _one_run(data: bytes) -> bytearray:
    crafted = _unterminated(data)
    offset, size = _section(data, ".dynsym")
    entry = 24 if data[4] == 2 else 16
    for index in range(1, size // entry):
        crafted[offset + index * entry : offset + index * entry + 4] = (1).to_bytes(4, "little")
    return crafted


def _archive(count: int) -> bytes:
    names = b"x" * (count * 40)
    out = bytearray(b"!<arch>\n")
    members = [("//", names)] + [(f"/{(i * 40) % len(names)}", b"") for i in range(count)]
    for name, data in members:
        out += f"{name:<16}{0:<12}{0:<6}{0:<6}{644:<8}{len(data):<10}`\n".encode()
        out += data + (b"\n" if len(data) % 2 else b"")
    return bytes(out)


def measure(path: Path, report: Path, subcommand: str = "scan") -> tuple[float, float, int, str | None]:
    """(seconds, peak MB, report bytes, the artifact's error) of one scan (or lint) in a child."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "code = subprocess.run(sys.argv[1:]).returncode\n"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    )
    command = [sys.executable, "-m", "cgoguard", subcommand, str(path), "--format", "json"]
    command += ["--jobs", "1"] if subcommand == "scan" else []
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
            library = _library(folder, count)
            kinds = {
                "symbols-one-run": bytes(_one_run(library)),
                "dynstr-unterminated": bytes(_unterminated(library)),
                "ar-long-names": _archive(count),
            }
            for kind, data in kinds.items():
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
