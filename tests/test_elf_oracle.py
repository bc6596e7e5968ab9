"""The hand-written ELF reader against pyelftools, used as the oracle.

Two corpora: a deterministic sample of the machine's own ELF files (system-marked, skipped where
/usr/lib is absent) and every ELF fixture of tests/gofixtures.py, including the ELF members of the
archive fixtures. Both readers see the same bytes; every fact the oracle can express is compared.
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest
from elftools.elf.dynamic import DynamicSegment
from elftools.elf.elffile import ELFFile
from elftools.elf.enums import ENUM_E_MACHINE, ENUM_EI_OSABI
from elftools.elf.sections import NoteSection, SymbolTableSection

import gofixtures
from cgoguard.readers.archive import is_ar, iter_members
from cgoguard.readers.elf import ElfImage, is_elf, read_elf_facts

SYSTEM_ROOTS = ("/usr/bin", "/usr/lib/x86_64-linux-gnu")
SYSTEM_SAMPLE_SIZE = 150


def _system_elf_files() -> list[str]:
    """About SYSTEM_SAMPLE_SIZE ELF files spread evenly over the sorted list (deterministic)."""
    found: list[str] = []
    for root in SYSTEM_ROOTS:
        for folder, _dirs, files in os.walk(root):
            for name in files:
                path = os.path.join(folder, name)
                if os.path.islink(path) or not os.path.isfile(path):
                    continue
                try:
                    with open(path, "rb") as handle:
                        if is_elf(handle.read(4)):
                            found.append(path)
                except OSError:
                    continue
    found.sort()
    step = max(1, len(found) // SYSTEM_SAMPLE_SIZE)
    return found[::step][:SYSTEM_SAMPLE_SIZE]


# -- the oracle's view ---------------------------------------------------------------------


def _strip_version(name: str) -> str:
    return name.partition("@")[0]


def _symbol_sets(symbols: Any) -> tuple[set[str], set[str]]:
    defined: set[str] = set()
    undefined: set[str] = set()
    for index, symbol in enumerate(symbols):
        name = _strip_version(symbol.name)
        if index == 0 or not name or symbol["st_info"]["type"] in ("STT_SECTION", "STT_FILE"):
            continue
        (undefined if symbol["st_shndx"] == "SHN_UNDEF" else defined).add(name)
    return defined, undefined


def _oracle_dynamic(elf: ELFFile) -> dict[str, Any] | None:
    dynamic = next((s for s in elf.iter_segments() if isinstance(s, DynamicSegment)), None)
    if dynamic is None:
        return None
    facts: dict[str, Any] = {"needed": [], "soname": None, "rpath": None, "runpath": None}
    present = set()
    flags = flags_1 = 0
    init_array_size = None
    for tag in dynamic.iter_tags():
        kind = tag.entry.d_tag
        present.add(kind)
        if kind == "DT_NEEDED":
            facts["needed"].append(tag.needed)
        elif kind == "DT_SONAME":
            facts["soname"] = tag.soname
        elif kind == "DT_RPATH":
            facts["rpath"] = (facts["rpath"] or []) + tag.rpath.split(":")
        elif kind == "DT_RUNPATH":
            facts["runpath"] = (facts["runpath"] or []) + tag.runpath.split(":")
        elif kind == "DT_FLAGS":
            flags |= tag.entry.d_val
        elif kind == "DT_FLAGS_1":
            flags_1 |= tag.entry.d_val
        elif kind == "DT_INIT_ARRAYSZ":
            init_array_size = tag.entry.d_val
    facts.update(
        flags=flags,
        flags_1=flags_1,
        has_bind_now_tag="DT_BIND_NOW" in present,
        has_textrel_tag="DT_TEXTREL" in present,
        has_debug_tag="DT_DEBUG" in present,
        has_symbolic_tag="DT_SYMBOLIC" in present,
        init_array_size=init_array_size,
    )
    return facts


_ABI_OS = {
    "ELF_NOTE_OS_LINUX": "linux",
    "ELF_NOTE_OS_GNU": "hurd",
    "ELF_NOTE_OS_SOLARIS2": "solaris",
    "ELF_NOTE_OS_FREEBSD": "freebsd",
}
_NOTE_SYSTEMS = {"NetBSD": "netbsd", "OpenBSD": "openbsd", "FreeBSD": "freebsd", "DragonFly": "dragonfly"}


def _oracle_notes(elf: ELFFile) -> dict[str, Any]:
    build_id = go_build_id = x86 = aarch64 = abi = None
    areas: list[Any] = [s for s in elf.iter_segments() if s.header.p_type == "PT_NOTE"]
    areas += [s for s in elf.iter_sections() if isinstance(s, NoteSection)]
    for area in areas:
        for note in area.iter_notes():
            if abi is None and note["n_name"] == "GNU" and note["n_type"] == "NT_GNU_ABI_TAG":
                abi = _ABI_OS[note["n_desc"]["abi_os"]]
            elif abi is None and note["n_name"] in _NOTE_SYSTEMS:
                abi = _NOTE_SYSTEMS[note["n_name"]]
            if note["n_name"] == "GNU" and note["n_type"] == "NT_GNU_BUILD_ID" and build_id is None:
                build_id = note["n_desc"]
            elif note["n_name"] == "Go" and note["n_type"] == "NT_GNU_GOLD_VERSION" and go_build_id is None:
                desc = note["n_desc"]
                go_build_id = (desc if isinstance(desc, str) else desc.decode()).rstrip("\0")
            elif note["n_name"] == "GNU" and note["n_type"] == "NT_GNU_PROPERTY_TYPE_0":
                for prop in note["n_desc"]:
                    if prop["pr_type"] == "GNU_PROPERTY_X86_FEATURE_1_AND" and x86 is None:
                        x86 = prop["pr_data"]
                    elif prop["pr_type"] == "GNU_PROPERTY_AARCH64_FEATURE_1_AND" and aarch64 is None:
                        aarch64 = prop["pr_data"]
    return {"build_id": build_id, "go_build_id": go_build_id, "x86": x86, "aarch64": aarch64, "abi": abi}


def oracle_facts(data: bytes) -> dict[str, Any]:
    elf = ELFFile(io.BytesIO(data))
    sections = list(elf.iter_sections())
    facts: dict[str, Any] = {
        "header": (
            elf.elfclass,
            elf.little_endian,
            elf.header.e_type.removeprefix("ET_"),
            ENUM_E_MACHINE.get(elf["e_machine"], elf["e_machine"]),
            elf.header.e_entry,
            ENUM_EI_OSABI.get(elf["e_ident"]["EI_OSABI"], elf["e_ident"]["EI_OSABI"]),
        ),
        "segments": [
            (s.header.p_offset, s.header.p_vaddr, s.header.p_filesz, s.header.p_memsz, s.header.p_flags)
            for s in elf.iter_segments()
        ],
        "sections": [
            (s.name, s.header.sh_flags, s.header.sh_addr, s.header.sh_offset, s.header.sh_size)
            for s in sections
        ],
        "interpreter": next(
            (s.get_interp_name() for s in elf.iter_segments() if s.header.p_type == "PT_INTERP"), None
        ),
        "dynamic": _oracle_dynamic(elf),
        "has_symtab": any(s.header.sh_type == "SHT_SYMTAB" for s in sections),
        "has_debug_info": any(
            s.name in (".debug_info", ".zdebug_info") and s.header.sh_type != "SHT_NOBITS" for s in sections
        ),
        "comment": [],
        "notes": _oracle_notes(elf),
    }
    comment = elf.get_section_by_name(".comment")
    if comment is not None:
        facts["comment"] = [part.decode() for part in comment.data().split(b"\0") if part]
    dynsym = next((s for s in sections if s.header.sh_type == "SHT_DYNSYM"), None)
    if isinstance(dynsym, SymbolTableSection):
        facts["exports"], facts["imports"] = _symbol_sets(dynsym.iter_symbols())
    else:
        dynamic = next((s for s in elf.iter_segments() if isinstance(s, DynamicSegment)), None)
        if dynamic is not None:
            facts["exports"], facts["imports"] = _symbol_sets(dynamic.iter_symbols())
        else:
            facts["exports"], facts["imports"] = set(), set()
    symtab = next((s for s in sections if s.header.sh_type == "SHT_SYMTAB"), None)
    if isinstance(symtab, SymbolTableSection):
        facts["static_symbols"], facts["static_undefined"] = _symbol_sets(symtab.iter_symbols())
    else:
        facts["static_symbols"], facts["static_undefined"] = set(), set()
    return facts


# -- our view, in the same shape -----------------------------------------------------------


def our_facts(data: bytes) -> dict[str, Any]:
    image = ElfImage(data)
    facts = read_elf_facts(image, static_symbols=True)
    dynamic = None
    if facts.dynamic is not None:
        d = facts.dynamic
        dynamic = {
            "needed": d.needed,
            "soname": d.soname,
            "rpath": d.rpath,
            "runpath": d.runpath,
            "flags": d.flags,
            "flags_1": d.flags_1,
            "has_bind_now_tag": d.has_bind_now_tag,
            "has_textrel_tag": d.has_textrel_tag,
            "has_debug_tag": d.has_debug_tag,
            "has_symbolic_tag": d.has_symbolic_tag,
            "init_array_size": d.init_array_size,
        }
    assert facts.section_names == [s.name for s in image.sections[1:]]
    assert facts.static_symbols is not None and facts.static_undefined is not None
    return {
        "header": (
            facts.elf_class,
            facts.little_endian,
            facts.e_type,
            facts.e_machine,
            facts.entry,
            facts.os_abi,
        ),
        "segments": [(s.offset, s.vaddr, s.filesz, s.memsz, s.flags) for s in facts.segments],
        "sections": [(s.name, s.flags, s.addr, s.offset, s.size) for s in image.sections],
        "interpreter": facts.interpreter,
        "dynamic": dynamic,
        "has_symtab": facts.has_symtab,
        "has_debug_info": facts.has_debug_info,
        "comment": facts.comment,
        "notes": {
            "build_id": facts.build_id,
            "go_build_id": facts.go_build_id,
            "x86": facts.properties.x86_feature_1_and,
            "aarch64": facts.properties.aarch64_feature_1_and,
            "abi": facts.abi_note,
        },
        "exports": set(facts.exports),
        "imports": set(facts.imports),
        "static_symbols": set(facts.static_symbols),
        "static_undefined": set(facts.static_undefined),
    }


def assert_same_facts(data: bytes, label: str) -> None:
    expected = oracle_facts(data)
    actual = our_facts(data)
    for key, value in expected.items():
        assert actual[key] == value, f"{label}: {key} differs from pyelftools"


# -- the tests -------------------------------------------------------------------------------

SYSTEM_FILES = _system_elf_files()


@pytest.mark.system
@pytest.mark.skipif(not SYSTEM_FILES, reason="no ELF files under /usr/bin or /usr/lib/x86_64-linux-gnu")
@pytest.mark.parametrize("path", SYSTEM_FILES)
def test_system_files_match_pyelftools(path: str) -> None:
    assert_same_facts(Path(path).read_bytes(), path)


def test_the_system_sample_is_large_enough() -> None:
    if not SYSTEM_FILES:
        pytest.skip("no system ELF files on this machine")
    assert len(SYSTEM_FILES) >= min(SYSTEM_SAMPLE_SIZE, 100)


def _fixture_bytes(name: str) -> bytes:
    # A fixture that cannot be built fails the test (FixtureBuildError), never skips it.
    return gofixtures.build(name).read_bytes()


@pytest.mark.parametrize("name", gofixtures.FIXTURE_NAMES)
def test_fixtures_match_pyelftools(name: str) -> None:
    data = _fixture_bytes(name)
    if is_elf(data):
        assert_same_facts(data, name)
        return
    assert is_ar(data), f"fixture {name} is neither ELF nor an ar archive"
    members = [m for m in iter_members(data) if is_elf(data[m.offset : m.offset + 4])]
    assert members, f"archive fixture {name} has no ELF members"
    for member in members:
        assert_same_facts(data[member.offset : member.offset + member.size], f"{name}!{member.name}")
