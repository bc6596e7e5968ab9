"""Run the helper ``runs`` times on one artifact and gather what it saw.

Each run is a child of its own: a new session and process group, resource
limits (address space, data, CPU, open files, file size, no core files), a
private temporary folder as working directory, stdin from /dev/null, and (in
the helper) no network namespace where the kernel allows it. The group is
killed when the run ends, whatever happened.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import platform
import resource
import signal
import subprocess
import tempfile
from collections.abc import Mapping as MappingType
from collections.abc import Sequence
from dataclasses import dataclass, field

from cgoguard.model import AddressSeries, ElfFacts, Mapping, MeasuredRelro, ProbeFacts
from cgoguard.probe import ProbeFailed
from cgoguard.readers.procfs import ProbeRun, parse_report

PT_LOAD = 1
PT_GNU_RELRO = 0x6474E552
DF_1_PIE = 0x08000000
PAGE = 4096
_PR_SET_PDEATHSIG = 1
_REPORT_LIMIT = 16 << 20  # a report larger than this is not the helper's


@dataclass(frozen=True, slots=True)
class Sandbox:
    """Bounds of one run."""

    timeout: float = 10.0  # seconds, wall clock
    memory_mib: int = 1024  # RLIMIT_DATA
    address_space_mib: int = 16 << 10  # RLIMIT_AS: Go reserves address space it never touches
    open_files: int = 256
    file_size_mib: int = 64
    env: MappingType[str, str] = field(
        default_factory=dict
    )  # the child's environment (HOME, TMPDIR: its folder)


# Passed on from cgoguard's environment by default: what decides how the artifact loads and
# how a Go runtime starts. Anything else (tokens, credentials) stays out of code being probed.
INHERITED = (
    "PATH",
    "LANG",
    "LC_ALL",
    "TZ",
    "LD_LIBRARY_PATH",
    "GODEBUG",
    "GOFIPS140",
    "GOMAXPROCS",
    "GOGC",
    "GOMEMLIMIT",
)


def probe_environment(
    base: MappingType[str, str], extra: MappingType[str, str] | None = None
) -> dict[str, str]:
    """The probed process's environment: the ``INHERITED`` variables of ``base``, then ``extra``."""
    env = {name: base[name] for name in INHERITED if name in base}
    env.update(extra or {})
    return env


def is_executable(elf: ElfFacts) -> bool:
    """An executable (run it) rather than a library (dlopen it)."""
    if elf.e_type == "EXEC":
        return True
    flags_1 = elf.dynamic.flags_1 if elf.dynamic is not None else 0
    return elf.e_type == "DYN" and (elf.interpreter is not None or bool(flags_1 & DF_1_PIE))


def _limits(sandbox: Sandbox) -> None:
    """In the child, before exec: the resource limits, and death with cgoguard."""
    mib = 1 << 20
    cpu = int(sandbox.timeout) + 1
    for limit, value in (
        (resource.RLIMIT_AS, sandbox.address_space_mib * mib),
        (resource.RLIMIT_DATA, sandbox.memory_mib * mib),
        (resource.RLIMIT_CPU, cpu),
        (resource.RLIMIT_NOFILE, sandbox.open_files),
        (resource.RLIMIT_FSIZE, sandbox.file_size_mib * mib),
        (resource.RLIMIT_CORE, 0),
    ):
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(limit, (value, value))
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def run_once(helper: str, argv: Sequence[str], sandbox: Sandbox) -> ProbeRun:
    """One sandboxed run of the helper; ProbeFailed when it gives no complete report."""
    with tempfile.TemporaryDirectory(prefix="cgoguard-probe-") as workdir:
        process = subprocess.Popen(
            [helper, *argv],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            cwd=workdir,
            env={**sandbox.env, "HOME": workdir, "TMPDIR": workdir},
            start_new_session=True,
            preexec_fn=lambda: _limits(sandbox),
        )
        try:
            output, _ = process.communicate(timeout=sandbox.timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            raise ProbeFailed(
                f"did not finish within the probe time limit of {sandbox.timeout:g} s"
            ) from None
        finally:
            _kill_group(process)
    run = parse_report(output[:_REPORT_LIMIT].decode("utf-8", "replace"))
    if run.error is not None or not run.complete or run.killed is not None:
        code = -run.killed if run.killed is not None else process.returncode
        raise ProbeFailed(_died(code) if code is not None and code < 0 else run.error or _died(code))
    return run


def _died(code: int | None) -> str:
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the process was killed by {name} before the measurement was complete"
    return f"the process ended (exit status {code}) before the measurement was complete"


def _read_int(path: str) -> int | None:
    try:
        with open(path, encoding="ascii") as handle:
            return int(handle.read().strip())
    except (OSError, ValueError):
        return None


def _series(region: str, values: list[int]) -> AddressSeries:
    varying = 0
    for value in values:
        varying |= value ^ values[0]
    return AddressSeries(region, tuple(values), varying.bit_count(), len(set(values)))


def _image(run: ProbeRun, identity: tuple[str, str, int]) -> list[Mapping]:
    """The artifact's mappings: its inode, on its device or under its real path (overlay
    file systems show another device in /proc than stat does)."""
    real, device, inode = identity
    return [m for m in run.maps if m.inode == inode and (m.device == device or m.path == real)]


def _relro(elf: ElfFacts, mappings: list[Mapping], image: list[Mapping]) -> MeasuredRelro | None:
    relro = next((s for s in elf.segments if s.p_type == PT_GNU_RELRO), None)
    loads = [s.vaddr for s in elf.segments if s.p_type == PT_LOAD]
    if relro is None or not loads or not image:
        return None
    bias = min(m.start for m in image) - (min(loads) & ~(PAGE - 1))
    # The loader protects whole pages: the start rounded down, the end rounded down too.
    start = (bias + relro.vaddr) & ~(PAGE - 1)
    end = (bias + relro.vaddr + relro.memsz) & ~(PAGE - 1)
    writable = tuple(m for m in mappings if m.start < end and m.end > start and "w" in m.perms)
    return MeasuredRelro(start, end, writable)


def measure(
    helper: str,
    path: str,
    elf: ElfFacts,
    *,
    runs: int,
    arguments: Sequence[str],
    sandbox: Sandbox,
    fips_function: str | None = None,
) -> ProbeFacts:
    """Probe one artifact ``runs`` times; ProbeFailed names the run that went wrong."""
    absolute = os.path.abspath(path)
    status = os.stat(absolute)
    device = f"{os.major(status.st_dev):02x}:{os.minor(status.st_dev):02x}"
    identity = (os.path.realpath(absolute), device, status.st_ino)
    executable = is_executable(elf)
    if executable:
        argv = ["exe", absolute, *arguments]
    else:
        argv = ["lib", absolute, *([fips_function] if fips_function else [])]
    seen: list[ProbeRun] = []
    bases: dict[str, list[int]] = {"image": [], "heap": [], "stack": [], "thread stack": [], "vdso": []}
    for number in range(1, runs + 1):
        try:
            run = run_once(helper, argv, sandbox)
        except ProbeFailed as error:
            raise ProbeFailed(f"run {number} of {runs}: {error}") from None
        if executable and run.exit is not None and run.exit.startswith("signal"):
            raise ProbeFailed(f"run {number} of {runs}: the program was killed by {run.exit}")
        image = _image(run, identity)
        if not image:
            raise ProbeFailed(f"run {number} of {runs}: the artifact is not among the process's mappings")
        seen.append(run)
        bases["image"].append(min(m.start for m in image))
        for region, name, top in (
            ("heap", "[heap]", False),
            ("stack", "[stack]", True),
            ("vdso", "[vdso]", False),
        ):
            found = [m for m in run.maps if m.path == name]
            if found:  # a stack is known by its top: it grows down from there
                bases[region].append(max(m.end for m in found) if top else min(m.start for m in found))
        if run.thread_stack is not None:  # libraries: the mapping holding the helper's thread's stack
            holding = [m for m in run.maps if m.start <= run.thread_stack < m.end]
            if holding:
                bases["thread stack"].append(holding[0].end)
    first = seen[0]
    image = _image(first, identity)
    tracer = first.status.get("TracerPid")
    return ProbeFacts(
        kind="executable" if executable else "library",
        runs=runs,
        kernel=platform.release(),
        machine=f"{platform.node()} ({platform.machine()})",
        randomize_va_space=_read_int("/proc/sys/kernel/randomize_va_space"),
        mmap_rnd_bits=_read_int("/proc/sys/vm/mmap_rnd_bits"),
        personality=first.personality,
        network=first.network,
        series=[_series(region, values) for region, values in bases.items() if values],
        mappings=image,
        wx_mappings=[m for m in first.maps if m.writable_and_executable],
        relro=_relro(elf, first.maps, image),
        arguments=tuple(arguments) if executable else (),
        exit=first.exit,
        godebug=first.environ.get("GODEBUG"),
        gofips140=first.environ.get("GOFIPS140"),
        fips_function=fips_function if not executable else None,
        fips_result=first.function,
        # An executable is traced by the helper itself: its TracerPid says nothing.
        tracer_pid=int(tracer) if tracer and tracer.isdigit() and not executable else None,
        dumpable=first.dumpable,
        core_limit=_inherited_core_limit(),
    )


def _inherited_core_limit() -> str:
    """The core-dump limit the artifact would get from this environment (the probe sets 0)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_CORE)
    return "unlimited" if soft == resource.RLIM_INFINITY else str(soft)
