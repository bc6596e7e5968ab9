"""The Go front end's own Go tests (tests/data/gofront/*_test.go), run with `go test`
against the helper's sources: they test Go functions the JSON does not expose one by one."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from cgoguard.gobuild.toolchain import find_go

ROOT = Path(__file__).resolve().parents[1]
HELPER = ROOT / "src" / "cgoguard" / "data" / "gofront"
TESTS = ROOT / "tests" / "data" / "gofront"


def test_helper_go_tests_pass(tmp_path: Path) -> None:
    for source in [*HELPER.glob("*.go"), HELPER / "go.mod", *TESTS.glob("*_test.go")]:
        shutil.copy(source, tmp_path / source.name)
    # No proxy, no other toolchain: the helper imports only the standard library.
    env = dict(os.environ, GOTOOLCHAIN="local", GOPROXY="off", GOFLAGS="-mod=mod", GOWORK="off")
    env["CGO_ENABLED"] = "0"
    command = [find_go(), "test", "-count=1", "."]
    proc = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
