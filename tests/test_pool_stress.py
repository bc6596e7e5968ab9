"""Interpreter exit after the worker pool, with every core busy: nothing on stderr.

The race this guards against (issue 7): an executor shut down with
``wait=False`` keeps its management thread running; at interpreter exit
``threading._shutdown`` calls ``concurrent.futures.process._python_exit``,
which on Python 3.11 writes to each management thread's wakeup pipe without a
lock while that thread may be closing the pipe. Seen as "Exception ignored in:
<module 'threading'> ... _python_exit ... OSError: [Errno 9] Bad file
descriptor" (or "handle is closed") on stderr, rarely, on a loaded machine.

Each run is a fresh interpreter (the pool, or ``cgoguard scan --jobs 2`` on
hostile inputs), run while a busy loop occupies every core. Besides looking
for tracebacks, each child checks at exit, just before ``_python_exit`` runs,
that no executor management thread or worker process is still running: that
is the race's precondition, so a regression fails every time, not once in a
few hundred runs.

In the suite: ``RUNS`` runs per case. As a script, for a longer proof::

    .venv/bin/python tests/test_pool_stress.py --runs 50
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest

RUNS = 5

# Registered after concurrent.futures.process was imported, so threading._shutdown
# (which calls its exit hooks in reverse order) runs it just before _python_exit.
EXIT_PROBE = """
import multiprocessing, sys, threading
import concurrent.futures.process as _cfp

def _pool_exit_probe():
    threads = [t.name for t in list(_cfp._threads_wakeups) if t.is_alive()]
    processes = [p.pid for p in multiprocessing.active_children()]
    if threads or processes:
        print(f"LEFT RUNNING AT EXIT: threads {threads}, processes {processes}", file=sys.stderr)

threading._register_atexit(_pool_exit_probe)
"""

POOL_SCRIPT = """
import os, signal, sys
from cgoguard.pool import ordered_map

def dies_sometimes(item):
    if item % 97 == 5:
        os._exit(1)
    if item % 97 == 50:
        os.kill(os.getpid(), signal.SIGKILL)  # what the OOM killer does
    return item

def expected(count):
    return [-1 if i % 97 in (5, 50) else i for i in range(count)]

case = sys.argv[1]
if case == "pool-full":
    results = list(ordered_map(abs, range(600), 2, on_crash=lambda i, why: None, batch_size=8))
    assert results == list(range(600))
elif case == "pool-early-close":
    stream = ordered_map(abs, range(6000), 2, on_crash=lambda i, why: None, batch_size=8)
    assert next(stream) == 0
    stream.close()
elif case == "pool-deaths":
    results = list(ordered_map(dies_sometimes, range(190), 2, on_crash=lambda i, why: -1, batch_size=8))
    assert results == expected(190)
elif case == "pool-deaths-early-close":
    stream = ordered_map(dies_sometimes, range(3000), 2, on_crash=lambda i, why: -1, batch_size=8)
    assert [next(stream) for _ in range(90)] == expected(90)  # the fresh pool is busy
    stream.close()
else:
    raise SystemExit(f"unknown case {case}")
"""

CLI_SCRIPT = """
import runpy, sys
sys.argv[0] = "cgoguard"
runpy.run_module("cgoguard", run_name="__main__", alter_sys=True)
"""

POOL_CASES = ("pool-full", "pool-early-close", "pool-deaths", "pool-deaths-early-close")
CLI_CASE = "cli-hostile-inputs"
CASES = (*POOL_CASES, CLI_CASE)


@contextmanager
def busy_cpus() -> Iterator[None]:
    """A ``yes > /dev/null`` per core, killed afterwards."""
    hogs = [subprocess.Popen(["yes"], stdout=subprocess.DEVNULL) for _ in range(os.cpu_count() or 1)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
        for hog in hogs:
            hog.wait()


def hostile_folder(folder: Path, real_library: Path, real_program: Path) -> Path:
    """The inputs of test_cli.py's test_bad_inputs_never_crash, plus enough readable
    files for several batches of 64."""
    real = real_library.read_bytes()
    (folder / "truncated.so").write_bytes(real[:200])
    (folder / "header-only.so").write_bytes(real[:64])
    garbage = bytearray(real[:4096])
    garbage[0x20:0x28] = b"\xff" * 8  # e_phoff far past the end
    (folder / "bad-phoff.so").write_bytes(bytes(garbage))
    (folder / "bad.a").write_bytes(b"!<arch>\nfoo.o/          0           0     0     644     99999     `\n")
    (folder / "empty.so").write_bytes(b"")
    (folder / "dangling.so").symlink_to(folder / "missing-target")
    loop = folder / "loop"
    loop.mkdir()
    (loop / "again").symlink_to(loop)
    for index in range(150):
        shutil.copy(real_program, folder / f"prog{index:03}")
    return folder


def run_case(case: str, hostile: Path | None) -> subprocess.CompletedProcess[str]:
    if case == CLI_CASE:
        assert hostile is not None
        argv = ["-c", EXIT_PROBE + CLI_SCRIPT, "scan", str(hostile), "--format", "json", "--jobs", "2"]
    else:
        argv = ["-c", EXIT_PROBE + POOL_SCRIPT, case]
    return subprocess.run([sys.executable, *argv], capture_output=True, text=True, check=False, timeout=300)


def problems(case: str, proc: subprocess.CompletedProcess[str]) -> list[str]:
    """What is wrong with one run: an empty list for a clean one."""
    found = []
    if "Traceback" in proc.stderr or "Exception ignored" in proc.stderr:
        found.append("traceback")
    if "LEFT RUNNING AT EXIT" in proc.stderr:
        found.append("left running at exit")
    if case == CLI_CASE:
        # Exit codes are another test's business (test_exit_codes.py); the report must be whole.
        try:
            artifacts = json.loads(proc.stdout)["artifacts"]
        except ValueError:
            found.append("no JSON report")
        else:
            if len(artifacts) < 155:
                found.append(f"{len(artifacts)} artifacts")
    else:
        if proc.returncode != 0:
            found.append(f"exit code {proc.returncode}")
        if proc.stderr and not found:
            found.append("unexpected stderr")
    return found


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory, fixture_path) -> Path:  # type: ignore[no-untyped-def]
    return hostile_folder(
        tmp_path_factory.mktemp("hostile"), fixture_path("go_cshared_default"), fixture_path("c_hardened")
    )


@pytest.mark.parametrize("case", CASES)
def test_clean_exit_under_load(case: str, hostile: Path) -> None:
    with busy_cpus():
        runs = [run_case(case, hostile) for _ in range(RUNS)]
    bad = [(found, proc.stderr) for proc in runs if (found := problems(case, proc))]
    assert not bad, f"{len(bad)} of {RUNS} runs: {bad[0][0]}\n{bad[0][1]}"


def main(argv: Sequence[str] | None = None) -> int:
    import tempfile

    import gofixtures

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="runs per case (default 50)")
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=CASES)
    options = parser.parse_args(argv)
    failed = 0
    with tempfile.TemporaryDirectory() as scratch:
        folder = hostile_folder(
            Path(scratch), gofixtures.build("go_cshared_default"), gofixtures.build("c_hardened")
        )
        with busy_cpus():
            for case in options.cases:
                counts: dict[str, int] = {}
                examples: dict[str, str] = {}
                for _ in range(options.runs):
                    proc = run_case(case, folder)
                    for problem in problems(case, proc):
                        counts[problem] = counts.get(problem, 0) + 1
                        examples.setdefault(problem, proc.stderr)
                failed += sum(counts.values())
                print(f"{case}: {options.runs} runs, problems: {counts or 'none'}", flush=True)
                for problem, stderr in examples.items():
                    print(f"  first {problem!r}, its stderr:\n    " + stderr.strip().replace("\n", "\n    "))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
