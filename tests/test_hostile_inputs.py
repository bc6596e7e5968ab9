"""Hostile inputs (issue 8): crafted files must cost memory and output proportional to their
size, never amplified, and end as one clear per-file error while the run goes on."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cgoguard.readers.elf import ElfImage
from cgoguard.readers.limits import decoded_budget

# A fresh process runs the scan and reports its peak RSS: RUSAGE_CHILDREN of pytest itself
# would include every earlier child (Go builds among them).
_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _scan_child(*paths: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """Scan in a child process; return it and the scan's peak RSS in MB."""
    command = [sys.executable, "-m", "cgoguard", "scan", *map(str, paths), "--format", "json", "--jobs", "1"]
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, timeout=600, check=False
    )
    *messages, peak_kb = proc.stderr.splitlines()
    proc.stderr = "\n".join(messages)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc, int(peak_kb) / 1024


def _section(data: bytes, name: str) -> tuple[int, int]:
    with ElfImage(data) as image:
        section = image.section(name)
        assert section is not None
        return section.offset, section.size


def _unterminate(data: bytearray, offset: int, size: int) -> None:
    """Replace every NUL of a string table but the first byte: each name now runs to its end."""
    table = data[offset : offset + size]
    data[offset + 1 : offset + size] = table[1:].replace(b"\0", b"A")


def test_a_real_plugin_with_an_unterminated_dynstr(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    data = bytearray(fixture_path("go_plugin_default").read_bytes())
    offset, size = _section(bytes(data), ".dynstr")
    _unterminate(data, offset, size)
    crafted = tmp_path / "plugin.so"
    crafted.write_bytes(data)
    good = tmp_path / "good.so"
    good.write_bytes(fixture_path("c_shared_hardened").read_bytes())
    proc, peak_mb = _scan_child(crafted, good)
    report = json.loads(proc.stdout)
    errors = {Path(a["path"]).name: a["error"] for a in report["artifacts"]}
    assert errors["good.so"] is None, "the run goes on after the hostile file"
    assert "refusing to amplify" in errors["plugin.so"], errors["plugin.so"]
    assert len(proc.stdout) < len(data), "the report is not larger than the input"
    assert peak_mb < 600, f"{peak_mb:.0f} MB for a {len(data) / 1e6:.1f} MB file"
    assert proc.returncode == 3


def test_every_symbol_pointing_into_one_long_name(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    data = bytearray(fixture_path("go_plugin_default").read_bytes())
    strtab_offset, strtab_size = _section(bytes(data), ".dynstr")
    _unterminate(data, strtab_offset, strtab_size)
    symtab_offset, symtab_size = _section(bytes(data), ".dynsym")
    count = symtab_size // 24
    for entry in range(1, count):
        data[symtab_offset + entry * 24 : symtab_offset + entry * 24 + 4] = (1).to_bytes(4, "little")
    assert count * strtab_size > 10 * decoded_budget(strtab_size), "the file would amplify without the bound"
    crafted = tmp_path / "crafted.so"
    crafted.write_bytes(data)
    proc, peak_mb = _scan_child(crafted)
    (artifact,) = json.loads(proc.stdout)["artifacts"]
    assert artifact["error"].endswith("refusing to amplify them.")
    assert "\n" not in artifact["error"]
    assert peak_mb < 600


def _ar(members: list[tuple[str, bytes]]) -> bytes:
    out = bytearray(b"!<arch>\n")
    for name, data in members:
        out += f"{name:<16}{0:<12}{0:<6}{0:<6}{644:<8}{len(data):<10}`\n".encode()
        out += data + (b"\n" if len(data) % 2 else b"")
    return bytes(out)


def test_archive_long_names_that_never_end(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    run = b"x" * 200_000  # no "/\n" terminator anywhere
    members = [("//", run)] + [(f"/{i % 1000}", b"") for i in range(5_000)]
    crafted = tmp_path / "long.a"
    crafted.write_bytes(_ar(members))
    assert 10 * decoded_budget(len(run)) < 5_000 * 199_000, "the file would amplify without the bound"
    proc, peak_mb = _scan_child(crafted)
    (artifact,) = json.loads(proc.stdout)["artifacts"]
    assert "long member names" in artifact["error"] and "refusing to amplify" in artifact["error"]
    assert peak_mb < 600


@pytest.fixture(scope="module")
def amplification_files(tmp_path_factory: pytest.TempPathFactory) -> dict[int, dict[str, Path]]:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import hostile_elf

    folder = tmp_path_factory.mktemp("amplification")
    files: dict[int, dict[str, Path]] = {}
    for count in (1_000, 8_000):
        files[count] = {}
        for kind, data in hostile_elf.kinds(folder, count).items():
            path = folder / f"{kind}-{count}"
            path.write_bytes(data)
            files[count][kind] = path
    return files


@pytest.mark.parametrize(
    "kind",
    [
        "symbols-one-run",
        "dynstr-unterminated",
        "needed-one-run",
        "rpath-one-run",
        "section-names-one-run",
        "ar-long-names",
    ],
)
def test_each_amplification_kind_grows_with_its_input_only(
    amplification_files: dict[int, dict[str, Path]], kind: str
) -> None:
    """Every kind of string-table entry, at two sizes: one error sentence, a report
    of constant size, and memory that follows the input (tests/hostile_elf.py;
    benchmarks/bench_hostile.py prints the same at three sizes)."""
    peaks = {}
    for count, files in amplification_files.items():
        path = files[kind]
        proc, peaks[count] = _scan_child(path)
        (artifact,) = json.loads(proc.stdout)["artifacts"]
        assert proc.returncode == 3
        assert "would decode to more than" in artifact["error"] and "refusing to amplify" in artifact["error"]
        assert len(proc.stdout) < 2_000, "the report does not grow with what the tables could say"
        input_mb = path.stat().st_size / 1e6
        assert peaks[count] < 120 + 30 * input_mb, f"{peaks[count]:.0f} MB for {input_mb:.1f} MB of {kind}"
    small, large = (amplification_files[c][kind].stat().st_size / 1e6 for c in (1_000, 8_000))
    assert peaks[8_000] - peaks[1_000] < 20 + 30 * (large - small), peaks


def test_real_tables_stay_far_below_the_bound(fixture_path: Callable[[str], Path]) -> None:
    # The bound must never refuse a real file: every fixture scans without that error.
    from cgoguard.scanner import scan_file

    for name in ("go_plugin_default", "go_cshared_default", "c_shared_hardened", "go_carchive_default"):
        artifact = scan_file(str(fixture_path(name)), hash_files=False)
        assert artifact is not None
        assert artifact.error is None and all(m.error is None for m in artifact.members), name


def _cli(*args: str | Path, timeout: float = 120, **kwargs: object) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [sys.executable, "-m", "cgoguard", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,  # a hang fails the test instead of the whole run
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc  # type: ignore[no-any-return]


def test_fifos_and_devices_are_never_opened_for_reading(tmp_path: Path) -> None:
    import os

    from cgoguard.scanner import scan_candidate
    from cgoguard.sources import Candidate

    fifo = tmp_path / "lib.so"
    os.mkfifo(fifo)
    # What a file swapped for a FIFO after the walk looks like to the worker: no hang, an error.
    artifact = scan_candidate(Candidate(str(fifo)))
    assert artifact is not None and "not a regular file" in (artifact.error or "")
    for name in ("x.go", "x.h"):
        os.mkfifo(tmp_path / name)
        proc = _cli("lint", tmp_path / name, timeout=60)
        assert proc.returncode == 3 and "not a regular file" in proc.stdout, proc.stdout
    (tmp_path / "zero.h").symlink_to("/dev/zero")
    proc = _cli("lint", tmp_path / "zero.h", timeout=60)
    assert proc.returncode == 3 and "not a regular file" in proc.stdout


def test_fifos_devices_and_own_output_in_folders_are_counted_or_left_out(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    import os
    import shutil

    shutil.copy(fixture_path("go_cshared_default"), tmp_path / "lib.so")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "null").symlink_to("/dev/null")
    proc = _cli(
        "scan", tmp_path, "--format", "json", "-o", tmp_path / "report.json", "--jobs", "1", timeout=120
    )
    assert proc.returncode in (0, 1), proc.stderr
    summary = json.loads((tmp_path / "report.json").read_text())["summary"]
    # The report's temporary file sat in the folder while it was walked: not counted.
    assert (summary["artifacts"], summary["skipped_not_elf"], summary["skipped_special"]) == (1, 0, 2)
    with (tmp_path / "stdout.txt").open("w") as redirected:
        subprocess.run(
            [sys.executable, "-m", "cgoguard", "scan", str(tmp_path), "--jobs", "1"],
            stdout=redirected,
            check=False,
            timeout=120,
        )
    # report.json is a file like any other now; the redirected stdout is not listed.
    assert "skipped 1 non-ELF file(s)" in (tmp_path / "stdout.txt").read_text()
    assert "passed over 2 FIFO(s), device(s) or socket(s)" in (tmp_path / "stdout.txt").read_text()


def test_no_hash_reads_only_what_it_needs(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    sparse = tmp_path / "sparse.so"
    sparse.write_bytes(fixture_path("c_shared_hardened").read_bytes())
    os_size = 2 << 30
    with sparse.open("r+b") as handle:
        handle.truncate(os_size)  # 2 GB, nearly all of it a hole
    command = [sys.executable, "-m", "cgoguard", "scan", str(sparse), "--no-hash", "--format", "json"]
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, timeout=300, check=False
    )
    peak_mb = int(proc.stderr.splitlines()[-1]) / 1024
    assert json.loads(proc.stdout)["artifacts"][0]["sha256"] is None
    assert peak_mb < 400, f"{peak_mb:.0f} MB peak for a sparse 2 GB file with --no-hash"


def test_control_characters_never_reach_the_terminal(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    evil = tmp_path / "lib\x1b[2J\x1b[Hall checks passed\r.so"
    evil.write_bytes(fixture_path("c_shared_runpath").read_bytes())
    for args in (
        ["scan", evil, "--verbose"],
        ["scan", evil, tmp_path / "typo\x1b[31m", "--format", "json", "-o", tmp_path / "r.json"],
    ):
        proc = _cli(*args)
        for stream in (proc.stdout, proc.stderr):
            assert "\x1b" not in stream and "\r" not in stream, stream
        assert "\\x1b[" in proc.stdout + proc.stderr, "shown escaped, not dropped"


def test_jobs_are_capped_with_a_note(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    from cgoguard.executors import job_limit

    proc = _cli("scan", fixture_path("c_hardened"), "--jobs", "1000")
    assert proc.returncode == 0
    assert f"1000 jobs capped at {job_limit()}" in proc.stderr
    (tmp_path / "cgoguard.toml").write_text("jobs = 512\n")
    assert "capped" in _cli("scan", fixture_path("c_hardened"), cwd=tmp_path).stderr


def test_an_internal_error_is_4_with_a_pointer_to_debug(fixture_path: Callable[[str], Path]) -> None:
    script = (
        "import sys, cgoguard.pipeline as p\n"
        "def broken(*args, **kwargs):\n"
        "    raise ValueError('a bug')\n"
        "p.scan_candidate = broken\n"
        "from cgoguard.cli import main\n"
        f"sys.exit(main(sys.argv[1:] + ['scan', {str(fixture_path('c_hardened'))!r}, '--jobs', '1']))\n"
    )
    plain = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert plain.returncode == 4
    assert (
        plain.stderr.startswith("cgoguard: internal error: ValueError: a bug.") and "--debug" in plain.stderr
    )
    assert "Traceback" not in plain.stderr
    debug = subprocess.run(
        [sys.executable, "-c", script, "--debug"], capture_output=True, text=True, timeout=120
    )
    assert debug.returncode == 4 and "Traceback" in debug.stderr


def test_sigterm_ends_the_run_and_leaves_no_temporary_file(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    import shutil
    import signal
    import time

    inputs = tmp_path / "many"
    inputs.mkdir()
    for index in range(3000):
        shutil.copy(fixture_path("c_hardened"), inputs / f"p{index}")
    out = tmp_path / "out" / "report.json"
    out.parent.mkdir()
    proc = subprocess.Popen(
        [sys.executable, "-m", "cgoguard", "scan", str(inputs), "--jobs", "2", "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while not list(out.parent.glob(".report.json.*.tmp")) and time.monotonic() < deadline:
        time.sleep(0.01)  # the report's temporary file exists once the scan has started
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 143, stderr
    assert stderr.strip().splitlines()[-1] == "cgoguard: terminated"
    assert "Traceback" not in stderr
    assert list(out.parent.iterdir()) == [], "neither the report nor its temporary file is left"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('tool = "x"\n', "`tool` must be a table"),
        ("[tool.cgoguard]\nselect = []\n", "select is empty"),
        ("a = " + "[" * 5000 + "]" * 5000 + "\n", "too deeply"),
        ("[tool.cgoguard]\njobs = true\n", "jobs must be a whole number"),
    ],
)
def test_hostile_configuration_is_a_usage_error(
    tmp_path: Path, fixture_path: Callable[[str], Path], text: str, message: str
) -> None:
    (tmp_path / "pyproject.toml").write_text(text)
    proc = _cli("scan", fixture_path("c_hardened"), cwd=tmp_path)
    assert proc.returncode == 2 and message in proc.stderr, proc.stderr


def test_a_byte_order_mark_in_the_configuration_is_fine(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    (tmp_path / "cgoguard.toml").write_bytes(b"\xef\xbb\xbffail-on = 'info'\n")
    assert _cli("scan", fixture_path("c_hardened"), cwd=tmp_path).returncode == 1


def test_output_never_replaces_an_input(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    binary = tmp_path / "lib.so"
    binary.write_bytes(fixture_path("c_shared_hardened").read_bytes())
    before = binary.read_bytes()
    (tmp_path / "alias.so").symlink_to(binary)
    for output in (binary, tmp_path / "alias.so"):
        proc = _cli("scan", binary, "-o", output)
        assert proc.returncode == 2 and "is one of the inputs" in proc.stderr
    header = tmp_path / "api.h"
    header.write_text("#pragma once\n")
    assert _cli("lint", header, "--against", binary, "-o", binary).returncode == 2
    assert binary.read_bytes() == before


_TRUNCATE_WHILE_READING = """
import os, sys
import cgoguard.scanner as scanner
original = scanner._scan_buffer
def truncate_first(artifact, view, *rest):
    os.truncate(sys.argv[1], 0)  # another process truncates the file while it is read
    return original(artifact, view, *rest)
scanner._scan_buffer = truncate_first
from cgoguard.sources import Candidate
if sys.argv[2] == "api":
    import cgoguard
    report = cgoguard.scan([sys.argv[1]])
    print(report.artifacts[0].error, report.exit_code())
else:
    print(scanner.scan_candidate(Candidate(sys.argv[1]), mapped=True).error)
"""


def test_a_file_truncated_while_read_in_process_does_not_kill_the_caller(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    def run(mode: str) -> subprocess.CompletedProcess[str]:
        target = tmp_path / f"{mode}.so"
        target.write_bytes(fixture_path("go_cshared_default").read_bytes())
        command = [sys.executable, "-c", _TRUNCATE_WHILE_READING, str(target), mode]
        return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)

    survived = run("api")  # cgoguard.scan() defaults to one job, in this process
    assert survived.returncode == 0, survived.stderr
    assert survived.stdout.split() == ["None", "0"]
    # The hazard is real: mapped, the same truncation ends the process with SIGBUS.
    assert run("mapped").returncode == -7


def test_a_planted_symlink_at_the_output_never_writes_through(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    import os

    victim = tmp_path / "victim"
    victim.write_text("secret\n")
    victim.chmod(0o600)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "report.json").symlink_to(victim)
    proc = _cli(
        "scan", fixture_path("go_cshared_default"), "-f", "json", "-o", tmp_path / "out" / "report.json"
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert victim.read_text() == "secret\n" and (victim.stat().st_mode & 0o777) == 0o600
    report = tmp_path / "out" / "report.json"
    assert not report.is_symlink() and json.loads(report.read_text())["artifacts"]
    assert os.listdir(tmp_path / "out") == ["report.json"]  # no temporary file left behind
    if Path("/dev/loop0").exists():
        (tmp_path / "out" / "disk.json").symlink_to("/dev/loop0")
        proc = _cli("scan", fixture_path("go_cshared_default"), "-o", tmp_path / "out" / "disk.json")
        assert proc.returncode == 2 and "block device" in proc.stderr


def test_files_swapped_for_fifos_during_scans_never_hang(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    """The race the walk cannot close: a path listed as a file is a FIFO (or gone)
    when it is opened. Scans in a child (a hang must fail the test, not stall it)
    while this process swaps the path back and forth as fast as it can."""
    import os
    import shutil
    import threading
    import time

    folder = tmp_path / "dist"
    folder.mkdir()
    original = fixture_path("go_cshared_default")
    shutil.copy(original, folder / "a.so")
    victim = folder / "b.so"
    stop = threading.Event()

    def swap() -> None:
        while not stop.is_set():
            with contextlib.suppress(OSError):
                shutil.copy(original, tmp_path / "staged")
                os.replace(tmp_path / "staged", victim)
                time.sleep(0.002)  # each state lasts long enough to be listed, opened, or both
                os.unlink(victim)
                os.mkfifo(victim)
                time.sleep(0.002)
                os.unlink(victim)

    swapper = threading.Thread(target=swap)
    swapper.start()
    try:
        for jobs in ("1", "2") * 4:
            proc = _cli("scan", folder, "--jobs", jobs, "-f", "json", "--no-progress", timeout=120)
            assert proc.returncode in (0, 1, 3), proc.stderr
            assert "Traceback" not in proc.stderr
            report = json.loads(proc.stdout)
            assert any(a["path"].endswith("a.so") and a["error"] is None for a in report["artifacts"])
    finally:
        stop.set()
        swapper.join()
