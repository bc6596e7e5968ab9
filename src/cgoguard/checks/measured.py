"""Measured checks: what `cgoguard probe` saw when the artifact was loaded or run.

A static flag says what the image asks for; these checks judge what the kernel
and the loader did with it on the machine probed (kernel, run count and machine
are in every message). They take a :class:`~cgoguard.model.MeasuredSubject`:
the probe's facts beside the static ones.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator

from cgoguard.checks import CheckResult, CheckTarget, NotApplicable, check
from cgoguard.model import AddressSeries, MeasuredSubject, ProbeFacts, Severity

_ADDR_NO_RANDOMIZE = 0x0040000
_REFERENCES_ASLR = (
    "https://docs.kernel.org/admin-guide/sysctl/kernel.html#randomize-va-space",
    "https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final",
)


def measured(probe: ProbeFacts) -> str:
    """The "where and how" every measured message ends with."""
    return f"(measured: {probe.runs} runs, Linux {probe.kernel}, {probe.machine})"


def _series(probe: ProbeFacts, region: str) -> AddressSeries | None:
    return next((s for s in probe.series if s.region == region), None)


def _entropy(series: AddressSeries) -> str:
    return f"{series.varying_bits} varying bits, {series.distinct} distinct bases"


def _environment(probe: ProbeFacts) -> str:
    parts = [
        f"randomize_va_space={probe.randomize_va_space if probe.randomize_va_space is not None else '?'}"
    ]
    if probe.mmap_rnd_bits is not None:
        parts.append(f"mmap_rnd_bits={probe.mmap_rnd_bits}")
    if probe.personality is not None and probe.personality & _ADDR_NO_RANDOMIZE:
        parts.append("personality ADDR_NO_RANDOMIZE (setarch -R) was inherited")
    return ", ".join(parts)


@check(
    id="CG501",
    name="measured-image-not-randomized",
    title="The image loads at the same address in every run (measured)",
    severity=Severity.HIGH,
    applies_to="executables and shared libraries probed with `cgoguard probe`",
    target=CheckTarget.MEASURED,
    fix="""
        Build position-independent code and make sure the kernel randomises it:
            go build -buildmode=pie ...        (executables; c-shared libraries always are)
            sysctl kernel.randomize_va_space=2
        and do not start the service under `setarch -R` or with ADDR_NO_RANDOMIZE.
    """,
    references=_REFERENCES_ASLR,
)
def image_not_randomized(subject: MeasuredSubject) -> Iterator[CheckResult]:
    """ASLR only protects an image the kernel actually moves. The PIE flag (CG101) says the
    image *can* be moved; this check counts in how many address bits its base differed
    across runs on the probed kernel. Estimator: the bits that vary between runs (an upper
    bound: carries of the random offset count too) and the number of distinct bases (its
    log2 is a lower bound, at most log2 of the run count: 5 bits for 32 runs). Zero
    varying bits means a fixed address: code-reuse attacks need no leak. A position-
    independent image that measures zero points at the kernel setting or the way the
    process was started; a fixed-address executable confirms CG101 at run time."""
    probe = subject.probe
    series = _series(probe, "image")
    if series is None or len(series.bases) < 2:
        yield NotApplicable("fewer than two runs: no variation can be measured")
        return
    if series.varying_bits:
        return
    where = f"0x{series.bases[0]:x} in all {len(series.bases)} runs ({_environment(probe)})"
    if subject.hardening.pie is False and probe.kind == "executable":
        yield (
            f"the executable is not position-independent and loaded at {where} {measured(probe)}",
            Severity.MEDIUM,
        )
    else:
        yield f"the image is position-independent but loaded at {where} {measured(probe)}"


@check(
    id="CG502",
    name="measured-stack-heap-not-randomized",
    title="The stack or the heap starts at the same address in every run (measured)",
    severity=Severity.MEDIUM,
    applies_to="executables and shared libraries probed with `cgoguard probe`",
    target=CheckTarget.MEASURED,
    fix="""
        Turn full address-space randomisation on where the artifact runs:
            sysctl -w kernel.randomize_va_space=2      (1 leaves the heap (brk) in place)
        and do not start it with ADDR_NO_RANDOMIZE (setarch -R).
    """,
    references=_REFERENCES_ASLR,
)
def stack_heap_not_randomized(subject: MeasuredSubject) -> Iterator[CheckResult]:
    """The stack and the brk heap are placed by the kernel, not by the image: a fixed
    stack or heap makes return-address and heap-spray attacks reliable whatever the
    image's flags. Same estimator as CG501. A Go executable has no brk heap (Go maps
    its heap with mmap), so only its stack is judged. For a library the probe also
    starts one thread in the process and measures the mapping that holds its stack
    (thread stacks, those of the Go runtime's threads in a c-shared library too,
    come from the C library's mmap allocator)."""
    probe = subject.probe
    found = map(functools.partial(_series, probe), ("stack", "thread stack", "heap"))
    judged = [s for s in found if s is not None and len(s.bases) > 1]
    if not judged:
        yield NotApplicable("fewer than two runs showed a stack or a heap")
        return
    for series in judged:
        if not series.varying_bits:
            yield (
                f"the {series.region} starts at 0x{series.bases[0]:x} in all {len(series.bases)} runs "
                f"({_environment(probe)}) {measured(probe)}"
            )


@check(
    id="CG503",
    name="measured-writable-executable-mapping",
    title="Memory is writable and executable after load (measured)",
    severity=Severity.HIGH,
    applies_to="executables and shared libraries probed with `cgoguard probe`",
    target=CheckTarget.MEASURED,
    fix="""
        Remove what asks for it: a segment or section flagged WX (CG105), an executable-stack
        request (CG104: -z noexecstack), text relocations (CG106: build with -fPIC).
    """,
    references=(
        "https://csrc.nist.gov/pubs/sp/800/53/r5/upd1/final",
        "https://man7.org/linux/man-pages/man5/proc_pid_maps.5.html",
    ),
)
def writable_executable(subject: MeasuredSubject) -> Iterator[CheckResult]:
    """W^X: memory an attacker can write must not be executable. Static checks read the
    program headers; this one reads the process's mappings after the loader is done,
    which also catches what only happens at load: an executable stack the loader granted
    for a library that asked for one, pages left writable by text relocations. Any such
    mapping of the process is reported, the artifact's own first."""
    probe = subject.probe
    own = {(m.start, m.end) for m in probe.mappings}
    for mapping in sorted(probe.wx_mappings, key=lambda m: ((m.start, m.end) not in own, m.start)):
        what = (
            "the artifact's mapping"
            if (mapping.start, mapping.end) in own
            else f"mapping {mapping.path or '(anonymous)'}"
        )
        yield f"{what} 0x{mapping.start:x}-0x{mapping.end:x} is {mapping.perms} {measured(probe)}"


@check(
    id="CG504",
    name="measured-relro-not-applied",
    title="The RELRO range is still writable after load (measured)",
    severity=Severity.MEDIUM,
    applies_to="images with a PT_GNU_RELRO segment, probed with `cgoguard probe`",
    target=CheckTarget.MEASURED,
    fix="""
        Link with -Wl,-z,relro,-z,now (Go: -ldflags=-bindnow, or -extldflags=-Wl,-z,relro,-z,now
        when linking externally) and load with a C library that applies PT_GNU_RELRO.
    """,
    references=("https://www.redhat.com/en/blog/hardening-elf-binaries-using-relocation-read-only-relro",),
)
def relro_not_applied(subject: MeasuredSubject) -> Iterator[CheckResult]:
    """RELRO makes the GOT and .data.rel.ro read-only once relocation is done, so a write
    primitive cannot redirect calls through them. The segment only asks; the loader (or a
    static binary's own start-up code) does the mprotect. This check matches the
    PT_GNU_RELRO range, moved by the load address, against the mappings after load."""
    relro = subject.probe.relro
    if relro is None:
        yield NotApplicable("the image has no PT_GNU_RELRO segment (CG102 judges that)")
        return
    for mapping in relro.writable:
        yield (
            f"0x{mapping.start:x}-0x{mapping.end:x} ({mapping.perms}) lies in the RELRO range "
            f"0x{relro.start:x}-0x{relro.end:x} {measured(subject.probe)}"
        )


@check(
    id="CG505",
    name="measured-fips-mode",
    title="FIPS 140-3 mode of the Go runtime as the process sees it (measured)",
    severity=Severity.INFO,
    applies_to="Go executables and libraries probed with `cgoguard probe`",
    target=CheckTarget.MEASURED,
    fix="""
        Build with GOFIPS140=v1.0.0 (or another validated module) and keep GODEBUG=fips140=on
        (or only) in the build's default, not in the service environment: Go reads GODEBUG once,
        when its runtime starts, and a library's host cannot turn it on afterwards.
    """,
    references=("https://go.dev/doc/security/fips140",),
)
def fips_mode(subject: MeasuredSubject) -> Iterator[CheckResult]:
    """GODEBUG=fips140 can override the build's default at run time, so static analysis
    (CG301) cannot say which mode a process runs in. A library generated by `cgoguard
    bridge` exports <prefix>_fips140_enabled(), which asks the runtime inside the library
    (1 on, 0 off, -1 unknown); for other images the mode is the environment's GODEBUG
    setting, else the build's default. Reported as a fact; a finding when the build
    asks for FIPS mode by default and the process runs without it."""
    probe = subject.probe
    if subject.go is None:
        yield NotApplicable("no Go runtime in the image")
        return
    default = subject.go.fips.default_mode if subject.go.fips is not None else "off"
    setting = _godebug_fips(probe.godebug)
    if probe.fips_result is not None and probe.fips_result in (0, 1):
        mode, how = (
            ("on" if probe.fips_result else "off"),
            f"{probe.fips_function}() returned {probe.fips_result}",
        )
    elif probe.fips_result is not None:
        mode, how = "unknown", f"{probe.fips_function}() returned {probe.fips_result} (unknown)"
    elif setting is not None:
        mode, how = ("off" if setting == "off" else "on"), f"GODEBUG fips140={setting} in its environment"
    elif default == "environment":
        mode, how = "off", "no fips140 setting in GODEBUG and the build leaves it to the environment"
    else:
        mode, how = (
            ("off" if default == "off" else "on"),
            f"the build's default (fips140={default}), GODEBUG does not set it",
        )
    message = f"FIPS 140-3 mode {mode}: {how} {measured(probe)}"
    if default in ("on", "only") and mode != "on":
        yield (message + f"; the build's default is fips140={default}", Severity.MEDIUM)
    else:
        yield message


def _godebug_fips(godebug: str | None) -> str | None:
    """The last fips140 setting in a GODEBUG value (Go applies them in order)."""
    found = None
    for part in (godebug or "").split(","):
        name, _, value = part.strip().partition("=")
        if name == "fips140":
            found = value
    return found


@check(
    id="CG506",
    name="measured-dumpable",
    title="The process can be traced or dumped with its memory (measured)",
    severity=Severity.LOW,
    applies_to="shared libraries probed with `cgoguard probe`",
    target=CheckTarget.MEASURED,
    fix="""
        Where the process holds keys: set the core-dump limit to 0 for the service
        (LimitCORE=0 in systemd) or call prctl(PR_SET_DUMPABLE, 0) early in the host;
        restrict ptrace (kernel.yama.ptrace_scope >= 1).
    """,
    references=("https://man7.org/linux/man-pages/man2/pr_set_dumpable.2const.html",),
)
def dumpable(subject: MeasuredSubject) -> Iterator[CheckResult]:
    """A dumpable process writes its memory (keys included) to a core file when it crashes
    and can be attached to by a debugger of the same user; a TracerPid other than 0 after
    load means a tracer was already attached. Measured in the helper after dlopen (only the
    process itself can read its dumpable flag, so executables are not judged); the core
    limit is the one the artifact would inherit from the environment cgoguard ran in."""
    probe = subject.probe
    if probe.kind != "library" or probe.dumpable is None:
        yield NotApplicable("only the process itself can read its dumpable flag: measured for libraries")
        return
    if probe.tracer_pid:
        yield (
            f"a tracer (pid {probe.tracer_pid}) was attached after load {measured(probe)}",
            Severity.MEDIUM,
        )
    if probe.dumpable and probe.core_limit != "0":
        yield f"dumpable={probe.dumpable} with a core-dump limit of {probe.core_limit} {measured(probe)}"
