"""Per-item limits (issue 8): an item that runs too long or grows too large ends
as an error for that item, in-process and in worker processes, in Python and in
C code, and the run goes on; headers never make libclang read outside the
allowed folders, hang on a FIFO or explode."""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cgoguard import itemlimits
from cgoguard.config import Config
from cgoguard.executors import InProcess, ProcessPool
from cgoguard.itemlimits import ItemLimits
from cgoguard.linter import lint

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clirun import run
from gofixtures import build


def _spin_in_python(seconds: float) -> str:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass
    return "done"


def _stopped(item: float, reason: str) -> str:
    return f"stopped: {reason}"


def test_in_process_time_limit_stops_python_work_and_goes_on() -> None:
    results = list(InProcess(ItemLimits(0.2, None)).map(_spin_in_python, [60.0, 0.0], _stopped))
    assert results[0].startswith("stopped: took longer than the per-item time limit of 0.2 s")
    assert results[1] == "done"


def test_a_callers_own_timer_survives_an_in_process_run() -> None:
    import signal

    previous = signal.signal(signal.SIGALRM, lambda signum, frame: None)
    try:
        signal.setitimer(signal.ITIMER_REAL, 30.0)
        assert list(InProcess(ItemLimits(5.0, None)).map(_spin_in_python, [0.0], _stopped)) == ["done"]
        left, _interval = signal.getitimer(signal.ITIMER_REAL)
        assert 20.0 < left <= 30.0
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_worker_time_limit_stops_python_work_and_goes_on() -> None:
    pool = ProcessPool(2, batch_size=2, limits=ItemLimits(0.2, None))
    results = list(pool.map(_spin_in_python, [60.0, 0.0, 0.0, 60.0], _stopped))
    assert [r.startswith("stopped: took longer") for r in results] == [True, False, False, True]


@pytest.fixture(scope="module")
def spin_library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A C function that never returns and never looks at signals."""
    folder = tmp_path_factory.mktemp("spin")
    (folder / "spin.c").write_text('void spin(void) { for (;;) { __asm__ volatile(""); } }\n')
    subprocess.run(["gcc", "-O1", "-shared", "-fPIC", "-o", "libspin.so", "spin.c"], cwd=folder, check=True)
    return folder / "libspin.so"


class _SpinInC:
    def __init__(self, library: Path) -> None:
        self.library = str(library)

    def __call__(self, item: int) -> str:
        if item:
            ctypes.PyDLL(self.library).spin()  # PyDLL keeps the GIL: Python code cannot run at all
        return "done"


def test_worker_hard_deadline_ends_work_stuck_in_c(
    spin_library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The worker is forked from this process and inherits the shorter grace.
    monkeypatch.setattr(itemlimits, "HARD_DEADLINE_GRACE", 0.3)
    pool = ProcessPool(1, batch_size=1, limits=ItemLimits(0.3, None))
    results = list(pool.map(_SpinInC(spin_library), [0, 1, 0], lambda item, reason: f"stopped: {reason}"))
    assert results[0] == results[2] == "done"
    assert results[1].startswith("stopped: took longer than the per-item time limit of 0.3 s")


def _data_segment_mib() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmData:"):
            return int(line.split()[1]) // 1024
    raise AssertionError("no VmData in /proc/self/status")


def _allocate(mib: int) -> str:
    block = bytearray(mib << 20)
    return f"allocated {len(block) >> 20} MiB"


def test_worker_memory_limit_turns_memory_error_into_an_item_error() -> None:
    # The worker starts with this process's data segment; allow 256 MiB more.
    limit = _data_segment_mib() + 256
    pool = ProcessPool(1, batch_size=3, limits=ItemLimits(None, limit))
    results = list(pool.map(_allocate, [16, 4096, 16], lambda item, reason: f"stopped: {reason}"))
    assert results[0] == results[2] == "allocated 16 MiB"
    assert results[1] == (
        f"stopped: needed more memory than the per-item limit of {limit} MiB (item-memory) and was stopped"
    )


def test_scan_reports_a_file_over_its_time_limit_and_exits_3(tmp_path: Path) -> None:
    binary = build("go_cshared_default")
    proc = run("scan", binary, "--jobs", "1", "--item-timeout", "0.001", "--format", "json")
    assert proc.returncode == 3, proc.stderr
    assert "took longer than the per-item time limit of 0.001 s" in proc.stdout
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("option", "value"), [("--item-timeout", "-1"), ("--item-timeout", "soon"), ("--item-memory", "1.5")]
)
def test_bad_limit_options_are_usage_errors(option: str, value: str) -> None:
    proc = run("scan", ".", option, value)
    assert proc.returncode == 2
    assert option in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "line", ["item-timeout = true", 'item-timeout = "5"', "item-timeout = -3", "item-memory = 0.5"]
)
def test_bad_limits_in_config_are_config_errors(tmp_path: Path, line: str) -> None:
    (tmp_path / "cgoguard.toml").write_text(line + "\n")
    proc = run("scan", ".", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert line.split(" ")[0] in proc.stderr and "Traceback" not in proc.stderr


def test_limits_from_config_reach_the_executor(tmp_path: Path) -> None:
    (tmp_path / "cgoguard.toml").write_text("item-timeout = 0\nitem-memory = 512\n")
    from cgoguard.config import load_config

    assert load_config(start=tmp_path).item_limits == ItemLimits(None, 512)


# --- headers: libclang reads nothing itself -------------------------------------------------


def _header(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def test_includes_outside_the_allowed_folders_are_not_read(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    # Were it read, this would make the header fail to parse.
    _header(outside, "broken.h", "this is not C at all ((\n")
    header = _header(
        project,
        "api.h",
        '#pragma once\n#include "../outside/broken.h"\n#include "/etc/passwd"\nint api(int);\n',
    )
    (artifact,) = lint([str(header)])
    assert artifact.error is None
    skipped = [(f.check_id, f.location.line if f.location else 0) for f in artifact.findings]
    assert ("CG456", 2) in skipped and ("CG456", 3) in skipped
    # With the folder named by -I, the same include is read.
    (artifact,) = lint([str(header)], include_dirs=[str(outside)])
    skipped = [(f.check_id, f.location.line if f.location else 0) for f in artifact.findings]
    assert ("CG456", 2) not in skipped and ("CG456", 3) in skipped


def test_project_root_from_config_allows_sibling_folders(tmp_path: Path) -> None:
    (tmp_path / "common").mkdir()
    (tmp_path / "include").mkdir()
    _header(tmp_path / "common", "types.h", "#pragma once\ntypedef int widget_t;\n")
    header = _header(
        tmp_path / "include", "api.h", '#pragma once\n#include "../common/types.h"\nwidget_t f(void);\n'
    )
    (artifact,) = lint([str(header)], config=Config(root=str(tmp_path)))
    assert artifact.error is None
    assert "CG456" not in {f.check_id for f in artifact.findings}


def test_the_headers_go_module_is_the_project_without_a_config(tmp_path: Path) -> None:
    """robotgo's screen/goScreen.h includes "../base/types.h": its own module's file."""
    module = tmp_path / "module"
    (module / "base").mkdir(parents=True)
    (module / "screen").mkdir()
    (module / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    _header(module / "base", "types.h", "#pragma once\ntypedef int widget_t;\n")
    _header(tmp_path, "outside.h", "#pragma once\ntypedef int other_t;\n")
    header = _header(
        module / "screen",
        "api.h",
        '#pragma once\n#include "../base/types.h"\n#include "../../outside.h"\nwidget_t f(int);\n',
    )
    (artifact,) = lint([str(header)])
    assert artifact.error is None
    skipped = [(f.check_id, f.location.line if f.location else 0) for f in artifact.findings]
    assert ("CG456", 2) not in skipped and ("CG456", 3) in skipped  # above the module: not read
    (module / "go.mod").unlink()
    (artifact,) = lint([str(header)])
    assert ("CG456", 2) in [(f.check_id, f.location.line if f.location else 0) for f in artifact.findings]


def test_fifo_and_device_includes_neither_hang_nor_read(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.h")
    header = _header(tmp_path, "api.h", '#pragma once\n#include "pipe.h"\n#include "zero.h"\nint api(int);\n')
    os.symlink("/dev/zero", tmp_path / "zero.h")
    proc = run("lint", header, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count('"CG456"') == 2
    assert "not a regular file" in proc.stdout or "outside the project" in proc.stdout


def test_include_bomb_is_stopped_by_the_memory_limit_and_the_run_goes_on(tmp_path: Path) -> None:
    lines = ["#pragma once", "#define A0 x x x x x x x x x x"]
    lines += [f"#define A{i} " + " ".join([f"A{i - 1}"] * 10) for i in range(1, 12)]
    lines.append("int f(int a[sizeof((int[]){A11})]);")
    bomb = _header(tmp_path, "bomb.h", "\n".join(lines) + "\n")
    good = _header(tmp_path, "good.h", "#pragma once\nint ok(int);\n")
    proc = run("lint", bomb, good, "--item-memory", "256", "--format", "json")
    assert proc.returncode == 3, proc.stderr
    assert "libclang failed on this file" in proc.stdout
    assert '"CG452"' in proc.stdout  # good.h was linted
    assert proc.stderr.count("\n") <= 2 and "LLVM ERROR" not in proc.stderr


def test_header_stuck_past_its_time_limit_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = ["#pragma once", "#define A0 x x x x x x x x x x"]
    lines += [f"#define A{i} " + " ".join([f"A{i - 1}"] * 10) for i in range(1, 12)]
    lines.append("int f(int a[sizeof((int[]){A11})]);")
    bomb = _header(tmp_path, "bomb.h", "\n".join(lines) + "\n")
    monkeypatch.setattr(itemlimits, "HARD_DEADLINE_GRACE", 0.5)
    (artifact,) = lint([str(bomb)], config=Config(item_limits=ItemLimits(0.5, None)))
    assert artifact.error is not None and "per-item time limit of 0.5 s" in artifact.error
