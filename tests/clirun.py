"""Run the command line as a user does: a subprocess of this Python."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def run(*args: str | os.PathLike[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cgoguard", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
        timeout=300,
    )
