"""Benchmark ``cgoguard scan`` against its peers on this machine's ELF files, and
check its hardening verdicts against readelf.

    python benchmarks/bench_scan.py [--limit N] [--jobs N] [--output results.json]

What it does (details in benchmarks/README.md):

1. Lists the regular ELF files under /usr/bin, /usr/sbin, /usr/lib/x86_64-linux-gnu
   and /usr/lib/gcc (deduplicated by inode, sorted) plus the ELF fixtures of
   tests/gofixtures.py (built on first use).
2. Installs the peers into benchmarks/.venv-peers on first use: checksec.py
   (``checksec-py``, LIEF) and pwntools. A peer whose install fails is skipped.
3. Reads every file once (warm page cache), then times on the same list:
   cgoguard, ``checksec -j -w JOBS``, ``pwn checksec`` (on a fixed sample: it is
   slow), ``go version -m`` once per Go file, and a pyelftools baseline that
   parses the ELF header, program headers and dynamic table.
4. Compares cgoguard's ``hardening.{pie,relro,bind_now,nx}`` with tests/truth.py
   for every file and lists each disagreement.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(REPO_ROOT / "tests"))

import gofixtures  # noqa: E402  (lives in tests/, importable once the path is set)
import truth  # noqa: E402

SYSTEM_FOLDERS = ("/usr/bin", "/usr/sbin", "/usr/lib/x86_64-linux-gnu", "/usr/lib/gcc")
PEERS_VENV = BENCH_DIR / ".venv-peers"


@dataclass(frozen=True)
class Peer:
    requirement: str  # what pip installs
    module: str  # what must import afterwards
    # Run as `python -m ...`: both packages install a `checksec` console script.
    run: tuple[str, ...]


PEERS = {
    "checksec.py": Peer("checksec-py", "checksec", ("-m", "checksec")),
    "pwntools": Peer("pwntools", "pwnlib", ("-m", "pwnlib.commandline.main", "checksec")),
}
PWNTOOLS_SAMPLE = 150
HARDENING_PROPERTIES = ("pie", "relro", "bind_now", "nx")
# Stay far below ARG_MAX (environment included) when passing files on argv.
ARGV_BUDGET_BYTES = 512 * 1024


# ---------------------------------------------------------------------------
# The file list


def _is_elf(path: str) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(4) == truth.ELF_MAGIC
    except OSError:
        return False


def system_elf_files(folders: Iterable[str] = SYSTEM_FOLDERS) -> list[str]:
    """Regular ELF files under ``folders``, one path per inode, sorted."""
    seen: set[tuple[int, int]] = set()
    found: list[str] = []
    for folder in folders:
        for root, _dirs, names in os.walk(folder):
            for name in names:
                path = os.path.join(root, name)
                try:
                    info = os.lstat(path)
                except OSError:
                    continue
                identity = (info.st_dev, info.st_ino)
                if not stat.S_ISREG(info.st_mode) or identity in seen:
                    continue
                seen.add(identity)
                if _is_elf(path):
                    found.append(path)
    return sorted(found)


def evenly_spaced(items: Sequence[str], count: int) -> list[str]:
    """A deterministic sample of ``count`` items spread over the whole sequence."""
    if count >= len(items):
        return list(items)
    return [items[index * len(items) // count] for index in range(count)]


def fixture_elf_files() -> dict[str, str]:
    """Fixture name -> path for every fixture that is an ELF file (archives excluded)."""
    built = {name: str(gofixtures.build(name)) for name in gofixtures.FIXTURE_NAMES}
    return {name: path for name, path in built.items() if _is_elf(path)}


def warm_page_cache(paths: Iterable[str]) -> int:
    total = 0
    for path in paths:
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                total += len(chunk)
    return total


# ---------------------------------------------------------------------------
# Running and measuring tools


@dataclass
class Timing:
    tool: str
    files: int
    seconds: float
    peak_rss_mb: float  # largest single process (the tool or one of its workers)
    processes: int = 1
    note: str = ""
    failures: list[str] = field(default_factory=list)

    @property
    def files_per_second(self) -> float:
        return self.files / self.seconds if self.seconds else 0.0


GNU_TIME = "/usr/bin/time"


def run_measured(
    argv: Sequence[str], stdout_path: str, env: dict[str, str] | None = None
) -> tuple[int, float, float]:
    """Run one command; return (exit code, wall seconds, peak RSS in MB of it or any descendant).

    The RSS comes from GNU time, which forks the command from a tiny process: the
    rusage of a child forked from this (large) Python would include our own pages.
    """
    rss_file = stdout_path + ".rss"
    use_time = os.access(GNU_TIME, os.X_OK)
    command = [GNU_TIME, "-f", "%M", "-o", rss_file, *argv] if use_time else list(argv)
    with open(stdout_path, "ab") as stdout, open(stdout_path + ".stderr", "ab") as stderr:
        started = time.perf_counter()
        completed = subprocess.run(command, stdout=stdout, stderr=stderr, env=env, check=False)
        elapsed = time.perf_counter() - started
    peak_kb = _last_number(rss_file) if use_time else resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return completed.returncode, elapsed, peak_kb / 1024


def _last_number(path: str) -> float:
    """GNU time appends its line after any "Command exited with non-zero status" line."""
    lines = Path(path).read_text().split()
    return float(lines[-1]) if lines else 0.0


def argv_chunks(paths: Sequence[str], budget: int = ARGV_BUDGET_BYTES) -> Iterator[list[str]]:
    chunk: list[str] = []
    used = 0
    for path in paths:
        size = len(os.fsencode(path)) + 1
        if chunk and used + size > budget:
            yield chunk
            chunk, used = [], 0
        chunk.append(path)
        used += size
    if chunk:
        yield chunk


def time_chunked(
    tool: str, command: Sequence[str], paths: Sequence[str], workdir: Path, accept: Iterable[int] = (0,)
) -> tuple[Timing, list[Path]]:
    """Run ``command + chunk`` for each argv-sized chunk; outputs go to one file per chunk."""
    accepted = set(accept)
    timing = Timing(tool, len(paths), 0.0, 0.0, processes=0)
    outputs: list[Path] = []
    for index, chunk in enumerate(argv_chunks(paths)):
        output = workdir / f"{tool.replace(' ', '_')}-{index}.out"
        argv = [part.replace("{output}", str(output)) for part in command] + chunk
        code, seconds, rss = run_measured(argv, str(output), env=_tool_env())
        timing.seconds += seconds
        timing.peak_rss_mb = max(timing.peak_rss_mb, rss)
        timing.processes += 1
        if code not in accepted:
            timing.failures.append(f"exit {code}: {_tail(output.with_name(output.name + '.stderr'))}")
        outputs.append(output)
    return timing, outputs


def _tool_env() -> dict[str, str]:
    env = dict(os.environ)
    env.update({"PWNLIB_NOTERM": "1", "TERM": "dumb", "LC_ALL": "C"})
    return env


def _tail(path: Path, lines: int = 3) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").strip().splitlines()[-lines:])
    except OSError:
        return ""


def cgoguard_command(jobs: int, program: Sequence[str] | None = None) -> list[str]:
    if program is None:
        beside = Path(sys.executable).parent / "cgoguard"
        program = [str(beside)] if beside.exists() else [sys.executable, "-m", "cgoguard"]
    return [
        *program,
        "scan",
        "--format",
        "json",
        "--output",
        "{output}",
        "--no-progress",
        "--vulndb",
        "off",  # hardening and facts, as checksec.py and pwntools do; bench_vulns measures the rest
        "--jobs",
        str(jobs),
    ]


def load_cgoguard_reports(outputs: Iterable[Path]) -> dict[str, dict[str, Any]]:
    """Artifact path -> artifact object, merged over chunks."""
    artifacts: dict[str, dict[str, Any]] = {}
    for output in outputs:
        if output.stat().st_size == 0:
            continue
        for artifact in json.loads(output.read_text())["artifacts"]:
            artifacts[artifact["path"]] = artifact
    return artifacts


def time_go_version(go_files: Sequence[str], workdir: Path) -> Timing:
    """One `go version -m` per file, the way a user would run it."""
    go = gofixtures.go_binary()
    env = gofixtures.go_env()
    timing = Timing("go version -m", len(go_files), 0.0, 0.0, processes=len(go_files))
    for path in go_files:
        code, seconds, rss = run_measured([go, "version", "-m", path], str(workdir / "go-version.out"), env)
        timing.seconds += seconds
        timing.peak_rss_mb = max(timing.peak_rss_mb, rss)
        if code != 0:
            timing.failures.append(f"{path}: exit {code}")
    timing.note = f"one process per Go file; could not read {len(timing.failures)}"
    return timing


def pyelftools_worker(list_file: str) -> int:
    """Parse header, program headers and dynamic table of each listed file (the baseline)."""
    from elftools.common.exceptions import ELFError
    from elftools.elf.dynamic import DynamicSegment
    from elftools.elf.elffile import ELFFile

    parsed = 0
    for path in Path(list_file).read_text().splitlines():
        try:
            with open(path, "rb") as handle:
                elf = ELFFile(handle)
                facts: list[Any] = [elf.header["e_type"], elf.header["e_machine"]]
                for segment in elf.iter_segments():
                    facts.append((segment["p_type"], segment["p_flags"]))
                    if isinstance(segment, DynamicSegment):
                        facts.extend(tag.entry.d_tag for tag in segment.iter_tags())
            parsed += 1
        except (ELFError, OSError, ValueError) as error:
            print(f"{path}: {error}", file=sys.stderr)
    print(parsed)
    return 0


def time_pyelftools(paths: Sequence[str], workdir: Path) -> Timing:
    list_file = workdir / "files.txt"
    list_file.write_text("\n".join(paths) + "\n")
    argv = [sys.executable, str(Path(__file__).resolve()), "--pyelftools-worker", str(list_file)]
    code, seconds, rss = run_measured(argv, str(workdir / "pyelftools.out"), _tool_env())
    timing = Timing(
        "pyelftools baseline", len(paths), seconds, rss, note="header + phdrs + dynamic, 1 process"
    )
    if code != 0:
        timing.failures.append(f"exit {code}")
    return timing


# ---------------------------------------------------------------------------
# Peers


def ensure_peers(install: bool) -> dict[str, list[str]]:
    """Peer name -> argv prefix that runs it, installing into .venv-peers when asked."""
    python = PEERS_VENV / "bin" / "python"
    if install and not python.exists():
        print(f"creating {PEERS_VENV} for the peers ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(PEERS_VENV)], check=True)
    available: dict[str, list[str]] = {}
    for name, peer in PEERS.items():
        if not _imports(python, peer.module) and install and python.exists():
            print(f"installing {peer.requirement} into {PEERS_VENV} ...", flush=True)
            completed = subprocess.run(
                [str(python), "-m", "pip", "install", "--quiet", peer.requirement],
                capture_output=True,
                text=True,
                check=False,
            )
            if completed.returncode != 0:
                last = " | ".join(completed.stderr.strip().splitlines()[-2:])
                print(f"skipping {name}: `pip install {peer.requirement}` failed: {last}", flush=True)
                continue
        if _imports(python, peer.module):
            available[name] = [str(python), *peer.run]
        else:
            print(f"skipping {name}: {peer.requirement} is not installed in {PEERS_VENV}", flush=True)
    return available


def _imports(python: Path, module: str) -> bool:
    if not python.exists():
        return False
    check = subprocess.run([str(python), "-c", f"import {module}"], capture_output=True, check=False)
    return check.returncode == 0


# ---------------------------------------------------------------------------
# Agreement with readelf


def truth_for_all(paths: Sequence[str], jobs: int) -> dict[str, dict[str, Any] | str]:
    """Path -> readelf truth, or the error text when readelf could not read the file."""

    def one(path: str) -> dict[str, Any] | str:
        try:
            return truth.readelf_truth(path)
        except (OSError, truth.TruthError) as error:
            return str(error)

    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        return dict(zip(paths, pool.map(one, paths), strict=True))


def compare(
    paths: Sequence[str], reports: dict[str, dict[str, Any]], truths: dict[str, Any]
) -> dict[str, Any]:
    agreed = dict.fromkeys(HARDENING_PROPERTIES, 0)
    compared = 0
    disagreements: list[dict[str, Any]] = []
    unreported: list[str] = []
    for path in paths:
        expected = truths[path]
        artifact = reports.get(path)
        if artifact is None or isinstance(expected, str):
            unreported.append(path if artifact is None else f"{path} (readelf: {expected})")
            continue
        hardening = artifact.get("hardening") or {}
        compared += 1
        for prop in HARDENING_PROPERTIES:
            if hardening.get(prop) == expected[prop]:
                agreed[prop] += 1
            else:
                disagreements.append(
                    {
                        "path": path,
                        "property": prop,
                        "cgoguard": hardening.get(prop),
                        "readelf": expected[prop],
                        "error": artifact.get("error"),
                    }
                )
    return {
        "compared": compared,
        "agreement_percent": {
            prop: round(100.0 * count / compared, 3) if compared else 0.0 for prop, count in agreed.items()
        },
        "disagreements": disagreements,
        "unreported": unreported,
    }


# ---------------------------------------------------------------------------
# Main


def print_table(timings: Sequence[Timing], reference: Timing) -> None:
    print()
    header = f"{'tool':<22} {'files':>6} {'seconds':>9} {'files/s':>9} {'cgoguard x':>11} {'peak RSS MB':>12}"
    print(header + "  note")
    for timing in timings:
        ratio = reference.files_per_second / timing.files_per_second if timing.files_per_second else 0.0
        line = (
            f"{timing.tool:<22} {timing.files:>6} {timing.seconds:>9.2f} {timing.files_per_second:>9.1f} "
            f"{ratio:>10.2f}x {timing.peak_rss_mb:>12.1f}  {timing.note}"
        )
        print(line)
        for failure in timing.failures[:5]:
            print(f"{'':<22} failure: {failure}")
    print("(cgoguard x = how many times cgoguard's files/s is the tool's; peak RSS = largest single process)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--limit", type=int, help="use an evenly spaced sample of N system files")
    parser.add_argument(
        "--jobs", type=int, default=os.cpu_count() or 1, help="workers for cgoguard and checksec.py"
    )
    parser.add_argument("--output", default="results.json", help="where to write all figures (JSON)")
    parser.add_argument("--no-install", action="store_true", help="do not install missing peers")
    parser.add_argument("--no-fixtures", action="store_true", help="leave out the Go/C fixtures")
    parser.add_argument(
        "--baseline",
        metavar="PROGRAM",
        help="another cgoguard executable (e.g. an earlier commit installed in its own venv) to time on "
        "the same list in the same run, for before/after figures",
    )
    parser.add_argument("--pyelftools-worker", metavar="LIST", help=argparse.SUPPRESS)
    options = parser.parse_args(argv)
    if options.pyelftools_worker:
        return pyelftools_worker(options.pyelftools_worker)

    system = system_elf_files()
    if options.limit is not None:
        system = evenly_spaced(system, options.limit)
    fixtures = {} if options.no_fixtures else fixture_elf_files()
    paths = system + sorted(fixtures.values())
    go_files = sorted(path for name, path in fixtures.items() if name.startswith("go_"))
    print(f"files: {len(paths)} ({len(system)} from {', '.join(SYSTEM_FOLDERS)}; {len(fixtures)} fixtures)")

    peers = ensure_peers(install=not options.no_install)
    megabytes = warm_page_cache(paths) / 1e6
    print(f"page cache warmed: {megabytes:.0f} MB read", flush=True)

    results: dict[str, Any] = {"files": len(paths), "system_files": len(system), "fixtures": len(fixtures)}
    with tempfile.TemporaryDirectory(prefix="cgoguard-bench-") as scratch:
        workdir = Path(scratch)
        print("timing cgoguard ...", flush=True)
        command = cgoguard_command(options.jobs)
        # exit 1 only says that findings reached --fail-on, 3 that a file could not be read: not failures here
        accept = (0, 1, 3)
        cgoguard, outputs = time_chunked("cgoguard", command, paths, workdir, accept=accept)
        cgoguard.note = f"--jobs {options.jobs}"
        reports = load_cgoguard_reports(outputs)
        half = paths[: len(paths) // 2]
        (workdir / "half").mkdir()
        cgoguard_half, _ = time_chunked("cgoguard half", command, half, workdir / "half", accept=accept)
        (workdir / "nohash").mkdir()
        nohash, _ = time_chunked(
            "cgoguard --no-hash", [*command, "--no-hash"], paths, workdir / "nohash", accept=accept
        )
        nohash.note = "same, without the SHA-256 of every byte"
        timings = [cgoguard, nohash]
        if options.baseline:
            print(f"timing the baseline {options.baseline} ...", flush=True)
            old = cgoguard_command(options.jobs, [options.baseline])
            for label, extra in (("baseline", []), ("baseline --no-hash", ["--no-hash"])):
                folder = workdir / label.replace(" ", "_")
                folder.mkdir()
                timed, _ = time_chunked(label, [*old, *extra], paths, folder, accept=(0, 1, 2))
                timed.note = options.baseline
                timings.append(timed)

        if "checksec.py" in peers:
            print("timing checksec.py ...", flush=True)
            checksec, _ = time_chunked(
                "checksec.py", [*peers["checksec.py"], "-j", "-w", str(options.jobs)], paths, workdir
            )
            checksec.note = f"-j -w {options.jobs}"
            timings.append(checksec)
        if "pwntools" in peers:
            sample = sorted(random.Random(0).sample(paths, min(PWNTOOLS_SAMPLE, len(paths))))
            print(f"timing pwntools on a sample of {len(sample)} files ...", flush=True)
            pwn, _ = time_chunked("pwntools", peers["pwntools"], sample, workdir)
            pwn.note = f"sample of {len(sample)} files (seed 0): too slow for the whole list"
            timings.append(pwn)
        if go_files:
            print("timing go version -m ...", flush=True)
            timings.append(time_go_version(go_files, workdir))
        print("timing pyelftools ...", flush=True)
        timings.append(time_pyelftools(paths, workdir))

    print_table(timings, cgoguard)
    print(
        f"\ncgoguard memory flatness: peak RSS {cgoguard_half.peak_rss_mb:.1f} MB on the first "
        f"{len(half)} files, {cgoguard.peak_rss_mb:.1f} MB on all {len(paths)}"
    )

    print("\nagreement with readelf (tests/truth.py) ...", flush=True)
    agreement = compare(paths, reports, truth_for_all(paths, options.jobs))
    for prop, percent in agreement["agreement_percent"].items():
        print(f"  {prop:<9} {percent:8.3f} %  of {agreement['compared']} files")
    for row in agreement["disagreements"]:
        values = f"cgoguard={row['cgoguard']!r} readelf={row['readelf']!r}"
        print(f"  DISAGREE {row['property']}: {row['path']}: {values}")
    for path in agreement["unreported"]:
        print(f"  NOT COMPARED: {path}")

    results.update(
        {
            "jobs": options.jobs,
            "timings": [asdict(timing) | {"files_per_second": timing.files_per_second} for timing in timings],
            "cgoguard_memory": {
                "first_half_files": len(half),
                "first_half_peak_rss_mb": cgoguard_half.peak_rss_mb,
                "all_files_peak_rss_mb": cgoguard.peak_rss_mb,
            },
            "agreement": agreement,
        }
    )
    Path(options.output).write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {options.output}")
    return 1 if cgoguard.failures else 0


if __name__ == "__main__":
    sys.exit(main())
