"""--check-reproducible: two builds in empty caches, compared byte for byte.

When the hashes differ the report names the first differing part: the archive
member, then the ELF section (in file order), with the offset inside it.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cgoguard.elfconst import SHT_NOBITS
from cgoguard.gobuild.plan import BuildPlan
from cgoguard.gobuild.runner import run_go_build
from cgoguard.readers.archive import MalformedArchive, is_ar, iter_members
from cgoguard.readers.elf import ElfImage, MalformedElf, is_elf


@dataclass(slots=True)
class ReproResult:
    reproducible: bool
    hashes: list[str]
    first_difference: str | None
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "reproducible": self.reproducible,
            "sha256": self.hashes,
            "first_difference": self.first_difference,
            "seconds": round(self.seconds, 3),
            "method": "two builds, each with an empty GOCACHE, same argv and environment",
        }


def _first_byte(a: bytes | memoryview, b: bytes | memoryview) -> int:
    for index in range(min(len(a), len(b))):
        if a[index] != b[index]:
            return index
    return min(len(a), len(b))


def _elf_difference(a: bytes | memoryview, b: bytes | memoryview) -> str:
    try:
        left, right = ElfImage(a), ElfImage(b)
    except MalformedElf as error:
        return f"byte {_first_byte(a, b):#x} (not comparable as ELF: {error})"
    try:
        right_sections = {s.name: s for s in right.sections}
        for section in left.sections:
            if not section.name:
                continue
            other = right_sections.get(section.name)
            if other is None:
                return f"section {section.name} exists in the first build only"
            if section.sh_type == SHT_NOBITS:
                if section.size != other.size:
                    return f"section {section.name} (size {section.size:#x} vs {other.size:#x})"
                continue
            mine, theirs = left.section_data(section), right.section_data(other)
            if bytes(mine) != bytes(theirs):
                where = _first_byte(mine, theirs)
                return f"section {section.name} at offset {where:#x} within it"
        extra = sorted(set(right_sections) - {s.name for s in left.sections})
        if extra:
            return f"section {extra[0]} exists in the second build only"
        return f"ELF or program headers (first differing byte {_first_byte(a, b):#x})"
    finally:
        left.close()
        right.close()


def first_difference(a: bytes, b: bytes) -> str | None:
    if a == b:
        return None
    if is_ar(a[:8]) and is_ar(b[:8]):
        try:
            left = list(iter_members(a))
            right = list(iter_members(b))
        except MalformedArchive as error:
            return f"byte {_first_byte(a, b):#x} (archive not readable: {error})"
        if [m.name for m in left] != [m.name for m in right]:
            return "the list of archive members"
        for one, two in zip(left, right, strict=True):
            data_one = a[one.offset : one.offset + one.size]
            data_two = b[two.offset : two.offset + two.size]
            if data_one != data_two:
                inner = (
                    _elf_difference(data_one, data_two)
                    if is_elf(data_one[:4])
                    else (f"byte {_first_byte(data_one, data_two):#x}")
                )
                return f"archive member {one.name}: {inner}"
        return "archive headers (member dates, modes or the symbol index)"
    if is_elf(a[:4]) and is_elf(b[:4]):
        return _elf_difference(a, b)
    return f"byte {_first_byte(a, b):#x}"


def check_reproducible(
    plan: BuildPlan, output_name: str, version_script: Path | None, scratch: Path
) -> ReproResult:
    started = time.perf_counter()
    contents: list[bytes] = []
    for attempt in (1, 2):
        folder = scratch / f"reproduce-{attempt}"
        folder.mkdir()
        with tempfile.TemporaryDirectory(prefix="cgoguard-gocache-") as cache:
            env = dict(plan.env, GOCACHE=cache)
            run_go_build(plan, folder / output_name, version_script, env)
        contents.append((folder / output_name).read_bytes())
    hashes = [hashlib.sha256(c).hexdigest() for c in contents]
    difference = first_difference(contents[0], contents[1])
    return ReproResult(difference is None, hashes, difference, time.perf_counter() - started)
