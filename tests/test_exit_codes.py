"""Every exit code of the README, and the CI-facing defects of issue 7 as regression tests.

0 everything read, no finding at or above --fail-on; 1 findings; 2 usage, configuration or
output error; 3 incomplete (a named input missing, an input unreadable, nothing checkable);
130 interrupted; 141 the reader of the output went away.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

import cgoguard
import clirun
from cgoguard.cli import main
from cgoguard.model import Severity
from cgoguard.outcome import ExitCode


def run(*args: str | os.PathLike[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = clirun.run(*args, cwd=cwd)
    assert "Traceback" not in proc.stderr + proc.stdout, proc.stderr
    return proc


@pytest.fixture
def good(tmp_path: Path, fixture_path: Callable[[str], Path]) -> Path:
    """A hardened C program: only a low and an info finding."""
    target = tmp_path / "good.so"
    shutil.copy(fixture_path("c_hardened"), target)
    return target


def _corrupt(folder: Path, real: bytes) -> None:
    (folder / "truncated.so").write_bytes(real[:200])
    (folder / "header-only.so").write_bytes(real[:64])
    broken = bytearray(real[:4096])
    broken[0x20:0x28] = b"\xff" * 8  # e_phoff far past the end
    (folder / "bad-phoff.so").write_bytes(bytes(broken))
    (folder / "bad.a").write_bytes(b"!<arch>\nfoo.o/          0           0     0     644     99999     `\n")


def test_clean_scan_is_0_and_findings_are_1(good: Path) -> None:
    assert run("scan", good).returncode == ExitCode.OK
    assert run("scan", good, "--fail-on", "low").returncode == ExitCode.FINDINGS


def test_a_typo_in_a_path_is_not_a_pass(good: Path, tmp_path: Path) -> None:
    proc = run("scan", good, tmp_path / "typo.so")
    assert proc.returncode == ExitCode.INCOMPLETE
    assert "Not checked: 1 named input(s) do not exist" in proc.stdout
    assert proc.stdout.count("typo.so does not exist") == 1, "the error is printed once"
    # --allow-unreadable is for broken files in big trees, not for inputs that are not there.
    assert run("scan", good, tmp_path / "typo.so", "--allow-unreadable").returncode == ExitCode.INCOMPLETE


def test_corrupt_files_beside_a_good_one(good: Path, tmp_path: Path) -> None:
    _corrupt(tmp_path, good.read_bytes())
    proc = run("scan", tmp_path, "--format", "json", "--jobs", "2")
    assert proc.returncode == ExitCode.INCOMPLETE
    assert "could not be read" in proc.stderr and "exit 3" in proc.stderr
    allowed = run("scan", tmp_path, "--allow-unreadable")
    assert allowed.returncode == ExitCode.OK
    assert "Not checked: 4 could not be read or compared" in allowed.stdout, allowed.stdout
    (tmp_path / "pyproject.toml").write_text("[tool.cgoguard]\nallow-unreadable = true\n")
    assert run("scan", ".", cwd=tmp_path).returncode == ExitCode.OK


def test_nothing_checkable_is_incomplete(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not an ELF file\n")
    (tmp_path / "empty").mkdir()
    assert run("scan", tmp_path / "notes.txt").returncode == ExitCode.INCOMPLETE
    proc = run("scan", tmp_path / "empty")
    assert proc.returncode == ExitCode.INCOMPLETE
    assert "nothing checkable was found" in proc.stdout


def test_every_file_unreadable_is_incomplete_even_when_allowed(tmp_path: Path, good: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    _corrupt(folder, good.read_bytes())
    assert run("scan", folder, "--allow-unreadable").returncode == ExitCode.INCOMPLETE


def test_lint_against_a_missing_library_is_not_a_pass(tmp_path: Path) -> None:
    header = tmp_path / "h.h"
    header.write_text("#pragma once\n#include <stdint.h>\nint32_t f(void);\n")
    assert run("lint", header, "--fail-on", "critical").returncode == ExitCode.OK
    proc = run("lint", header, "--against", tmp_path / "nonexistent.so", "--fail-on", "critical")
    assert proc.returncode == ExitCode.INCOMPLETE
    assert "nonexistent.so" in proc.stdout


def test_lint_of_nothing_says_so(tmp_path: Path) -> None:
    proc = run("lint", tmp_path / "missing.go")
    assert proc.returncode == ExitCode.INCOMPLETE
    assert "Linted 0 file(s)" in proc.stdout and proc.stderr == ""


@pytest.mark.parametrize("command", ["scan", "lint"])
def test_output_that_cannot_be_written_is_2_without_traceback(
    command: str, good: Path, tmp_path: Path
) -> None:
    source = good if command == "scan" else tmp_path / "h.h"
    if command == "lint":
        source.write_text("#pragma once\n")
    for output in (tmp_path / "no" / "such" / "folder" / "r.json", tmp_path):
        for flag in ("-o", "--output"):
            proc = run(command, source, "--format", "json", flag, output)
            assert proc.returncode == ExitCode.USAGE, proc.stderr
            assert proc.stderr.startswith("cgoguard: error: cannot write the report")
    assert run(command, source, "-o", "/dev/full").returncode == ExitCode.USAGE
    assert not list(tmp_path.glob(".*.tmp")), "no temporary file is left behind"


def test_usage_and_configuration_errors_are_2(good: Path, tmp_path: Path) -> None:
    assert run("scan").returncode == ExitCode.USAGE
    assert run("scan", good, "--fail-on", "severe").returncode == ExitCode.USAGE
    assert run("scan", good, "--jobs", str(2**63)).returncode == ExitCode.USAGE
    assert run("scan", good, "--select", "CG999").returncode == ExitCode.USAGE
    assert run("explain", "CG999").returncode == ExitCode.USAGE
    (tmp_path / "cgoguard.toml").write_text("jobs = 9223372036854775808\n")
    assert run("scan", good, cwd=tmp_path).returncode == ExitCode.USAGE


def test_a_closed_pipe_ends_quietly_with_141(fixture_path: Callable[[str], Path], tmp_path: Path) -> None:
    for index in range(60):
        shutil.copy(fixture_path("go_cshared_default"), tmp_path / f"lib{index}.so")
    for extra in ([], ["--jobs", "1"], ["--format", "json"], ["--jobs", "2", "--verbose"]):
        proc = subprocess.Popen(
            [sys.executable, "-m", "cgoguard", "scan", str(tmp_path), *extra],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.readline()
        proc.stdout.close()  # what `| head -1` does
        code = proc.wait(timeout=120)
        stderr = proc.stderr.read().decode()
        proc.stderr.close()
        assert code == ExitCode.BROKEN_PIPE, (extra, stderr)
        assert stderr == "", (extra, stderr)


def test_ctrl_c_is_130(good: Path) -> None:
    # The interrupt arrives while the first file is read (in-process, so the signal's timing
    # does not matter); the real handler in cgoguard.cli.main must turn it into 130.
    script = (
        "import sys, cgoguard.pipeline as p\n"
        "def interrupted(*args, **kwargs):\n"
        "    raise KeyboardInterrupt\n"
        "p.scan_candidate = interrupted\n"
        "from cgoguard.cli import main\n"
        f"sys.exit(main(['scan', {str(good)!r}, '--jobs', '1']))\n"
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == ExitCode.INTERRUPTED
    assert proc.stderr == "cgoguard: interrupted\n"


def test_python_api_exit_codes(good: Path, tmp_path: Path) -> None:
    report = cgoguard.scan([good])
    assert report.complete and report.exit_code() == ExitCode.OK
    assert report.exit_code(Severity.LOW) == ExitCode.FINDINGS
    partial = cgoguard.scan([good, tmp_path / "typo.so"])
    assert not partial.complete and partial.missing == [str(tmp_path / "typo.so")]
    assert partial.exit_code() == ExitCode.INCOMPLETE
    linted = cgoguard.lint([tmp_path / "nothing-here"])
    assert linted.exit_code() == ExitCode.INCOMPLETE and linted.tally.readable == 0


def test_in_process_main_matches(good: Path, tmp_path: Path) -> None:
    assert main(["scan", str(good), "--no-progress"]) == 0
    assert main(["scan", str(good), str(tmp_path / "typo.so")]) == 3
