"""A broken toolchain fails the suite: a fixture that cannot be built is a test failure, never a skip.

Each helper that turns a fixture into bytes (and the ``fixture_path`` fixture of conftest.py)
is run in a child pytest whose ``go`` is ``/bin/false`` and whose fixture cache is empty.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent

# One test per way a test gets at a Go fixture.
NEEDS_GO = (
    "test_elf_reader.py::test_patchelf_file_is_read_through_loaded_segments_only",
    "test_fuzz_readers.py::test_truncation_at_every_boundary_is_reported[go_cshared_default]",
    "test_elf_oracle.py::test_fixtures_match_pyelftools[go_exe_default]",
    "test_pool.py::test_same_results_in_process_and_pooled[1]",  # conftest.py's fixture_path
)


def test_a_fixture_that_cannot_be_built_fails_the_test(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CGOGUARD_")}
    env.update({"CGOGUARD_GO": "/bin/false", "CGOGUARD_FIXTURE_CACHE": str(tmp_path / "cache")})
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rfEs", "-p", "no:cacheprovider", *NEEDS_GO],
        capture_output=True,
        text=True,
        cwd=TESTS,
        env=env,
        check=False,
        timeout=600,
    )
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert f"{len(NEEDS_GO)} failed" in proc.stdout, output
    assert "skipped" not in proc.stdout, output
    assert output.count("could not build fixture") >= len(NEEDS_GO), output
