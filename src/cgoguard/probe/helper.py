"""The probe helper (``data/probe/probe.c``), compiled once with the system C
compiler and cached like the Go front end: ``<cache>/probe/<digest>/probe``."""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from importlib import resources
from pathlib import Path

from cgoguard.gobuild.toolchain import cache_dir
from cgoguard.probe import ProbeError

_COMPILE_SECONDS = 120


def _source() -> bytes:
    return resources.files("cgoguard").joinpath("data/probe/probe.c").read_bytes()


def _compiler() -> str:
    compiler = os.environ.get("CC") or "gcc"
    found = shutil.which(compiler)
    if found is None:
        raise ProbeError(
            f"probing needs a C compiler to build its helper once, and {compiler!r} is not on PATH "
            "(install gcc, or set CC)."
        )
    return found


def helper_binary() -> str:
    """The compiled helper for this machine and compiler, built on first use."""
    compiler = _compiler()
    source = _source()
    try:
        version = subprocess.run(
            [compiler, "--version"], capture_output=True, text=True, timeout=30, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired) as error:
        raise ProbeError(f"cannot run the C compiler {compiler}: {error}.") from None
    digest = hashlib.sha256(source + b"\0" + version.encode() + b"\0" + platform.machine().encode())
    folder = cache_dir() / "probe" / digest.hexdigest()[:24]
    binary = folder / "probe"
    if binary.is_file() and os.access(binary, os.X_OK):
        return str(binary)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise ProbeError(f"cannot create the cache folder {folder}: {error.strerror}.") from None
    with tempfile.TemporaryDirectory(prefix="cgoguard-probe-build-") as work:
        source_file = Path(work, "probe.c")
        source_file.write_bytes(source)
        built = Path(work, "probe")
        command = [compiler, "-O2", "-pthread", "-o", str(built), str(source_file), "-ldl"]
        try:
            completed = subprocess.run(
                command, capture_output=True, text=True, timeout=_COMPILE_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as error:
            raise ProbeError(f"cannot build the probe helper with {compiler}: {error}.") from None
        if completed.returncode != 0:
            raise ProbeError(f"cannot build the probe helper with {compiler}.", completed.stderr.strip())
        # A private name first, then rename: a concurrent run sees the whole file or none.
        staged = folder / f".probe-{os.getpid()}"
        shutil.copyfile(built, staged)
        staged.chmod(0o755)
        os.replace(staged, binary)
    return str(binary)
