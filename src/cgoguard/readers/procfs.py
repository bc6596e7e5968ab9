"""The probe helper's report (``data/probe/probe.c``) as plain facts.

The helper copies /proc/PID/{maps,status,limits,environ} of the probed process
between ``begin NAME`` / ``end NAME`` lines and adds one-line facts before them
(``network ...``, ``personality 0x...``, ``exit status N``, ``function N``,
``dumpable N``, ``thread-stack 0x...``, ``killed N``, ``error ...``). This module
only parses; it judges nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cgoguard.model import Mapping

MAGIC = "cgoguard-probe 1"


@dataclass(slots=True)
class ProbeRun:
    """One run of the helper, parsed."""

    complete: bool = False  # the helper reached its last line ("done")
    error: str | None = None  # what the helper said went wrong
    network: str = ""
    personality: int | None = None
    exit: str | None = None  # "status 0", "signal 11"
    killed: int | None = None  # the signal that ended the process holding the library
    function: int | None = None  # the int32 function's answer
    function_missing: bool = False
    dumpable: int | None = None
    thread_stack: int | None = None  # an address inside the stack of a thread the helper started
    maps: list[Mapping] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)
    core_limit: str | None = None  # soft "Max core file size"
    environ: dict[str, str] = field(default_factory=dict)


def parse_maps_line(line: str) -> Mapping | None:
    """``start-end perms offset dev inode [path]``; None for a line of another shape."""
    parts = line.split(maxsplit=5)
    if len(parts) < 5 or "-" not in parts[0]:
        return None
    low, _, high = parts[0].partition("-")
    try:
        return Mapping(
            start=int(low, 16),
            end=int(high, 16),
            perms=parts[1],
            offset=int(parts[2], 16),
            device=parts[3],
            inode=int(parts[4]),
            path=parts[5].strip() if len(parts) > 5 else "",
        )
    except ValueError:
        return None


def parse_report(text: str) -> ProbeRun:
    """The helper's whole output; a report cut short leaves ``complete`` false."""
    run = ProbeRun()
    lines = text.splitlines()
    if not lines or lines[0] != MAGIC:
        run.error = "the probe helper gave no report"
        return run
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines[1:]:
        if current is not None:
            if line.startswith("end ") and line[4:] in sections and sections[line[4:]] is current:
                current = None
            else:
                current.append(line)
            continue
        key, _, value = line.partition(" ")
        if key == "begin":
            current = sections.setdefault(value, [])
        elif key == "done":
            run.complete = True
        elif key == "error":
            run.error = value
        elif key == "network":
            run.network = value
        elif key == "personality":
            run.personality = _integer(value, 16)
        elif key == "exit":
            run.exit = value
        elif key == "killed":
            run.killed = _integer(value, 10)
        elif key == "function":
            run.function_missing = value == "missing"
            run.function = None if run.function_missing else _integer(value, 10)
        elif key == "dumpable":
            run.dumpable = _integer(value, 10)
        elif key == "thread-stack" and value.startswith("0x"):
            run.thread_stack = _integer(value[2:], 16)
    run.maps = [m for m in (parse_maps_line(line) for line in sections.get("maps", [])) if m is not None]
    for line in sections.get("status", []):
        name, _, value = line.partition(":")
        if value:
            run.status[name.strip()] = value.strip()
    for line in sections.get("limits", []):
        if line.startswith("Max core file size"):
            fields = line[len("Max core file size") :].split()
            run.core_limit = fields[0] if fields else None
    for line in sections.get("environ", []):
        name, sep, value = line.partition("=")
        if sep and name not in run.environ:
            run.environ[name] = value
    return run


def _integer(text: str, base: int) -> int | None:
    try:
        return int(text.strip().removeprefix("0x"), base)
    except ValueError:
        return None
