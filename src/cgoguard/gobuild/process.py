"""The build's child processes: each in a process group of its own, stopped with it.

Every program the build starts (``go env``, ``go list``, the compiler probes, ``go
build``, git, the smoke test) runs in a new session, so the whole tree below it
(``go build`` starts compile, asm, cgo, gcc and ld) is one process group that no
terminal signal reaches directly. When the build is interrupted while it waits for
one (SIGTERM, which ``cgoguard.cli`` turns into ``Terminated``; Ctrl-C; a timeout),
:func:`run` sends the group SIGTERM, then SIGKILL after :data:`GRACE_SECONDS`, and
only then lets the exception go on to the ``finally`` blocks that remove the
staging folder. Further SIGINT/SIGTERM wait while that cleanup runs.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

GRACE_SECONDS = 3.0  # between SIGTERM and SIGKILL of a child's process group


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """SIGINT and SIGTERM stay pending until the block ends (main thread only:
    signal handlers run nowhere else), so a second signal cannot cut cleanup short."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(group, signum)


def stop_group(process: subprocess.Popen[Any]) -> None:
    """End ``process`` and every process of its group (it leads a session of its own)."""
    with signals_deferred():
        _signal_group(process.pid, signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=GRACE_SECONDS)
        _signal_group(process.pid, signal.SIGKILL)  # what ignored SIGTERM, or outlived its parent
        process.wait()


def run(
    argv: Sequence[str],
    *,
    env: Mapping[str, str],
    cwd: Path | None = None,
    timeout: float | None = None,
    text: bool = True,
) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run(argv, capture_output=True)`` with no standard input, in a new
    session whose whole process group is stopped if the wait is interrupted or times
    out (``subprocess.TimeoutExpired`` is raised after that, as by ``subprocess.run``)."""
    with subprocess.Popen(
        list(argv),
        cwd=cwd,
        env=dict(env),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=text,
        errors="replace" if text else None,
        start_new_session=True,
    ) as process:
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except BaseException:
            stop_group(process)
            raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
