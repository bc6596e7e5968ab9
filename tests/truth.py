"""Hardening truth from binutils' readelf, independent of cgoguard's own ELF reader.

``readelf_truth(path)`` runs ``readelf -W -h -l -d`` (and ``-S`` for relocatable
objects) and applies the product's definitions:

kind
    ET_EXEC -> ``"executable"``; ET_DYN with DF_1_PIE, or ET_DYN with both PT_INTERP
    and DT_DEBUG -> ``"pie-executable"``; any other ET_DYN -> ``"shared-library"``;
    ET_REL -> ``"relocatable"``; anything else -> None.
pie
    True for a pie-executable, False for an executable, None otherwise.
bind_now
    None for ET_REL; otherwise True when any bind-now marker is present: a
    DT_BIND_NOW entry, DF_BIND_NOW in DT_FLAGS, or DF_1_NOW in DT_FLAGS_1.
relro
    None for ET_REL; ``"none"`` without PT_GNU_RELRO; ``"full"`` with PT_GNU_RELRO
    and a bind-now marker; ``"partial"`` otherwise.
nx
    ET_REL: a ``.note.GNU-stack`` section exists and lacks SHF_EXECINSTR. Other
    types: a PT_GNU_STACK segment exists and lacks PF_X (no segment -> False,
    but None for an image of another system than Linux, which does not take the
    stack's permissions from that segment: readelf's OS/ABI names a BSD or
    Solaris, ``readelf -n`` shows a NetBSD/OpenBSD/FreeBSD note, or the
    interpreter is Solaris's ``ld.so.1``).

Raw facts returned alongside, for tests that want them: ``e_type`` (readelf's
word: EXEC, DYN, REL, ...), ``interpreter`` (path or None), ``dynamic`` (a PT_DYNAMIC segment), ``rpath`` and
``runpath`` (lists, None when absent), ``textrel`` (DT_TEXTREL or DF_TEXTREL),
``rwx_load_segments`` (number of PT_LOAD segments that are R, W and X at once).

Run ``python tests/truth.py FILE...`` to print the truth as JSON lines.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ELF_MAGIC = b"\x7fELF"

_TYPE_LINE = re.compile(r"^\s*Type:\s+(\S+)", re.MULTILINE)
# readelf -W prints "%c%c%c " for R, W, E between MemSiz and Align.
_SEGMENT_LINE = re.compile(
    r"^\s+(?P<type>\S+)\s+(?:0x[0-9a-fA-F]+\s+){4}0x[0-9a-fA-F]+ (?P<flags>[R ][W ][E ]) 0x[0-9a-fA-F]+\s*$",
    re.MULTILINE,
)
_INTERPRETER_LINE = re.compile(r"\[Requesting program interpreter: (.*)\]")
_DYNAMIC_LINE = re.compile(r"^\s*0x[0-9a-fA-F]+\s+\((?P<tag>[^)]+)\)\s+(?P<value>.*?)\s*$", re.MULTILINE)
_SECTION_LINE = re.compile(r"^\s*\[\s*\d+\]\s+(?P<fields>.*)$", re.MULTILINE)
_PATH_LIST = re.compile(r"\[(.*)\]")


class TruthError(RuntimeError):
    """readelf could not describe the file."""


@dataclass
class _Readelf:
    """The parts of readelf's text the definitions need."""

    e_type: str
    segments: list[tuple[str, str]] = field(default_factory=list)  # (type, "RWE" flags)
    interpreter: str | None = None
    dynamic: list[tuple[str, str]] = field(default_factory=list)  # (tag, value)

    def has_segment(self, p_type: str) -> bool:
        return any(kind == p_type for kind, _ in self.segments)

    def dynamic_values(self, tag: str) -> list[str]:
        return [value for name, value in self.dynamic if name == tag]

    def dynamic_words(self, tag: str) -> set[str]:
        """Flag names of DT_FLAGS / DT_FLAGS_1 ("Flags: NOW PIE" -> {"NOW", "PIE"})."""
        words: set[str] = set()
        for value in self.dynamic_values(tag):
            words.update(value.removeprefix("Flags:").split())
        return words


def _readelf(*args: str | os.PathLike[str]) -> str:
    argv = ["readelf", *(str(arg) for arg in args)]
    env = {**os.environ, "LC_ALL": "C"}
    try:
        completed = subprocess.run(
            argv, capture_output=True, text=True, errors="replace", env=env, check=False
        )
    except OSError as error:
        raise TruthError(f"could not run readelf (binutils): {error}") from None
    if completed.returncode != 0 and not completed.stdout:
        raise TruthError(f"readelf failed on {args[-1]}: {completed.stderr.strip()}")
    return completed.stdout


def _parse(text: str) -> _Readelf:
    type_match = _TYPE_LINE.search(text)
    if type_match is None:
        raise TruthError("readelf printed no ELF header")
    parsed = _Readelf(e_type=type_match.group(1))
    for segment in _SEGMENT_LINE.finditer(text):
        parsed.segments.append((segment.group("type"), segment.group("flags")))
    interpreter = _INTERPRETER_LINE.search(text)
    parsed.interpreter = interpreter.group(1) if interpreter else None
    parsed.dynamic = [(entry.group("tag"), entry.group("value")) for entry in _DYNAMIC_LINE.finditer(text)]
    return parsed


def _gnu_stack_section_flags(path: Path) -> str | None:
    """The Flg column of .note.GNU-stack ("" when no flags), None when there is no such section."""
    for line in _SECTION_LINE.finditer(_readelf("-S", "-W", path)):
        # name, type, address, offset, size, entsize, [flags], link, info, align
        fields = line.group("fields").split()
        if fields and fields[0] == ".note.GNU-stack":
            return fields[6] if len(fields) == 10 else ""
    return None


_OS_ABI_LINE = re.compile(r"^\s*OS/ABI:\s+(.*?)\s*$", re.MULTILINE)
_NOTE_OWNER_LINE = re.compile(r"^\s+(NetBSD|OpenBSD|FreeBSD)\s+0x", re.MULTILINE)


def _other_system(header_text: str, interpreter: str | None, path: Path) -> bool:
    """readelf's words for an image of a BSD or Solaris."""
    os_abi = _OS_ABI_LINE.search(header_text)
    if os_abi and any(name in os_abi.group(1) for name in ("FreeBSD", "NetBSD", "OpenBSD", "Solaris")):
        return True
    if interpreter is not None and interpreter.endswith("/ld.so.1") and "/amd64/" in interpreter:
        return True
    return bool(_NOTE_OWNER_LINE.search(_readelf("-W", "-n", path)))


def _path_list(values: list[str]) -> list[str] | None:
    if not values:
        return None
    match = _PATH_LIST.search(values[0])
    return match.group(1).split(":") if match else []


def readelf_truth(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The hardening facts of one ELF file, as readelf reports them (see module docstring)."""
    file_path = Path(path)
    with file_path.open("rb") as handle:
        if handle.read(4) != ELF_MAGIC:
            raise TruthError(f"{file_path} is not an ELF file")
    header_text = _readelf("-W", "-h", "-l", "-d", file_path)
    parsed = _parse(header_text)
    is_relocatable = parsed.e_type == "REL"

    flags = parsed.dynamic_words("FLAGS")
    flags_1 = parsed.dynamic_words("FLAGS_1")
    bind_now_marker = bool(parsed.dynamic_values("BIND_NOW")) or "BIND_NOW" in flags or "NOW" in flags_1

    kind: str | None
    if parsed.e_type == "EXEC":
        kind = "executable"
    elif parsed.e_type == "DYN":
        has_debug = bool(parsed.dynamic_values("DEBUG"))
        is_pie = "PIE" in flags_1 or (parsed.has_segment("INTERP") and has_debug)
        kind = "pie-executable" if is_pie else "shared-library"
    elif is_relocatable:
        kind = "relocatable"
    else:
        kind = None

    relro: str | None
    if is_relocatable:
        relro = None
    elif not parsed.has_segment("GNU_RELRO"):
        relro = "none"
    else:
        relro = "full" if bind_now_marker else "partial"

    if is_relocatable:
        stack_flags = _gnu_stack_section_flags(file_path)
        nx = stack_flags is not None and "X" not in stack_flags
    else:
        stacks = [segment_flags for p_type, segment_flags in parsed.segments if p_type == "GNU_STACK"]
        nx = bool(stacks) and "E" not in stacks[0]
        if not stacks and parsed.segments and _other_system(header_text, parsed.interpreter, file_path):
            nx = None

    return {
        "kind": kind,
        "pie": {"pie-executable": True, "executable": False}.get(kind or ""),
        "relro": relro,
        "bind_now": None if is_relocatable else bind_now_marker,
        "nx": nx,
        "e_type": parsed.e_type,
        "interpreter": parsed.interpreter,
        "dynamic": parsed.has_segment("DYNAMIC"),
        "rpath": _path_list(parsed.dynamic_values("RPATH")),
        "runpath": _path_list(parsed.dynamic_values("RUNPATH")),
        "textrel": bool(parsed.dynamic_values("TEXTREL")) or "TEXTREL" in flags,
        "rwx_load_segments": sum(1 for p_type, seg in parsed.segments if p_type == "LOAD" and seg == "RWE"),
    }


def main(argv: Sequence[str] | None = None) -> int:
    paths = list(sys.argv[1:] if argv is None else argv)
    if not paths:
        print("usage: python tests/truth.py FILE...", file=sys.stderr)
        return 2
    status = 0
    for path in paths:
        try:
            print(json.dumps({"path": path, **readelf_truth(path)}))
        except (OSError, TruthError) as error:
            print(f"{path}: {error}", file=sys.stderr)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
