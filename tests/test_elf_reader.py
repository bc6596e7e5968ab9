"""Behaviours of the ELF reader the oracle test cannot show: files edited the way real tools edit
them (patchelf, section headers removed, extended numbering), hash-table symbol counts,
relocatable objects, notes and names checked against readelf and `go tool buildid`.

``ElfPatcher`` (field offsets of the ELF structures) is shared with tests/test_fuzz_readers.py.
"""

from __future__ import annotations

import mmap
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

import gofixtures
from cgoguard.model import ElfFacts
from cgoguard.readers.elf import (
    PT_DYNAMIC,
    PT_LOAD,
    SHT_NOBITS,
    ElfImage,
    MalformedElf,
    is_elf,
    read_elf_facts,
)

needs_gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
needs_readelf = pytest.mark.skipif(shutil.which("readelf") is None, reason="readelf is not installed")

# name -> (offset, struct code) per ELF class.
HEADER_FIELDS = {
    64: {"e_type": (16, "H"), "e_phoff": (32, "Q"), "e_shoff": (40, "Q"), "e_phentsize": (54, "H"),
         "e_phnum": (56, "H"), "e_shentsize": (58, "H"), "e_shnum": (60, "H"), "e_shstrndx": (62, "H")},
    32: {"e_type": (16, "H"), "e_phoff": (28, "I"), "e_shoff": (32, "I"), "e_phentsize": (42, "H"),
         "e_phnum": (44, "H"), "e_shentsize": (46, "H"), "e_shnum": (48, "H"), "e_shstrndx": (50, "H")},
}  # fmt: skip
SECTION_FIELDS = {
    64: {"sh_name": (0, "I"), "sh_type": (4, "I"), "sh_offset": (24, "Q"), "sh_size": (32, "Q"),
         "sh_link": (40, "I"), "sh_info": (44, "I"), "sh_entsize": (56, "Q")},
    32: {"sh_name": (0, "I"), "sh_type": (4, "I"), "sh_offset": (16, "I"), "sh_size": (20, "I"),
         "sh_link": (24, "I"), "sh_info": (28, "I"), "sh_entsize": (36, "I")},
}  # fmt: skip
SEGMENT_FIELDS = {
    64: {"p_type": (0, "I"), "p_offset": (8, "Q"), "p_vaddr": (16, "Q"), "p_filesz": (32, "Q")},
    32: {"p_type": (0, "I"), "p_offset": (4, "I"), "p_vaddr": (8, "I"), "p_filesz": (16, "I")},
}


class ElfPatcher:
    """Reads and writes single fields of an ELF file held in a bytearray."""

    def __init__(self, data: bytes) -> None:
        self.data = bytearray(data)
        self.elf_class = 64 if data[4] == 2 else 32
        self.order = "<" if data[5] == 1 else ">"

    def _get(self, offset: int, code: str) -> int:
        value: int = struct.unpack_from(self.order + code, self.data, offset)[0]
        return value

    def _set(self, offset: int, code: str, value: int) -> None:
        struct.pack_into(self.order + code, self.data, offset, value)

    def header(self, name: str) -> int:
        return self._get(*HEADER_FIELDS[self.elf_class][name])

    def set_header(self, name: str, value: int) -> None:
        self._set(*HEADER_FIELDS[self.elf_class][name], value)

    def section_header_offset(self, index: int) -> int:
        return self.header("e_shoff") + index * self.header("e_shentsize")

    def section(self, index: int, name: str) -> int:
        offset, code = SECTION_FIELDS[self.elf_class][name]
        return self._get(self.section_header_offset(index) + offset, code)

    def set_section(self, index: int, name: str, value: int) -> None:
        offset, code = SECTION_FIELDS[self.elf_class][name]
        self._set(self.section_header_offset(index) + offset, code, value)

    def program_header_offset(self, index: int) -> int:
        return self.header("e_phoff") + index * self.header("e_phentsize")

    def set_segment(self, index: int, name: str, value: int) -> None:
        offset, code = SEGMENT_FIELDS[self.elf_class][name]
        self._set(self.program_header_offset(index) + offset, code, value)

    def dynamic_entry_offsets(self, tag: int) -> list[int]:
        """File offsets of the d_val of every dynamic entry with ``tag``."""
        image = ElfImage(bytes(self.data))
        segment = next(s for s in image.segments if s.p_type == PT_DYNAMIC)
        code = "q" if self.elf_class == 64 else "i"
        size = struct.calcsize(code)
        found = []
        for position in range(segment.offset, segment.offset + segment.filesz, 2 * size):
            if self._get(position, code) == tag:
                found.append(position + size)
        return found

    def word(self, offset: int) -> int:
        return self._get(offset, "Q" if self.elf_class == 64 else "I")

    def set_word(self, offset: int, value: int) -> None:
        self._set(offset, "Q" if self.elf_class == 64 else "I", value)

    def set_u32(self, offset: int, value: int) -> None:
        self._set(offset, "I", value)

    def file_offset(self, address: int) -> int:
        """The file offset of a virtual address inside a loaded segment."""
        for segment in ElfImage(bytes(self.data)).segments:
            if segment.p_type == PT_LOAD and segment.vaddr <= address < segment.vaddr + segment.filesz:
                return segment.offset + address - segment.vaddr
        raise ValueError(f"address {address:#x} is not in a loaded segment")

    def remove_section_headers(self) -> None:
        for name in ("e_shoff", "e_shnum", "e_shstrndx"):
            self.set_header(name, 0)


def fixture_bytes(name: str) -> bytes:
    # A fixture that cannot be built fails the test (FixtureBuildError), never skips it.
    return gofixtures.build(name).read_bytes()


def _facts(data: bytes | bytearray) -> ElfFacts:
    return read_elf_facts(ElfImage(bytes(data)), static_symbols=True)


# -- identity ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "elf_class", "little_endian", "machine"),
    [
        ("go_exe_default", 64, True, "x86-64"),
        ("go_exe_arm64", 64, True, "aarch64"),
        ("go_exe_386", 32, True, "i386"),
        ("go_exe_s390x", 64, False, "s390x"),
        ("go_exe_mips", 32, False, "mips"),
    ],
)
def test_class_byte_order_and_machine_names(
    name: str, elf_class: int, little_endian: bool, machine: str
) -> None:
    facts = _facts(fixture_bytes(name))
    assert (facts.elf_class, facts.little_endian, facts.machine) == (elf_class, little_endian, machine)
    assert facts.e_type == "EXEC"
    assert facts.go_build_id


def test_is_elf() -> None:
    assert is_elf(b"\x7fELF\x02\x01")
    assert not is_elf(b"!<arch>\n")
    assert not is_elf(b"")


@needs_readelf
@pytest.mark.parametrize("name", ["c_hardened", "go_cshared_default", "go_exe_extlink"])
def test_build_id_and_comment_match_readelf(name: str) -> None:
    path = gofixtures.build(name)
    facts = _facts(path.read_bytes())
    notes = subprocess.run(["readelf", "-n", path], capture_output=True, text=True, check=True).stdout
    match = re.search(r"Build ID: ([0-9a-f]+)", notes)
    assert facts.build_id == (match.group(1) if match else None)
    comment = subprocess.run(
        ["readelf", "-p", ".comment", path], capture_output=True, text=True, check=True
    ).stdout
    expected = re.findall(r"^\s*\[\s*[0-9a-f]+\]\s+(.*)$", comment, flags=re.MULTILINE)
    assert facts.comment == expected


def test_go_build_id_matches_go_tool_buildid() -> None:
    path = gofixtures.build("go_exe_default")
    completed = subprocess.run(
        [gofixtures.go_binary(), "tool", "buildid", path],
        capture_output=True,
        text=True,
        check=True,
        env=gofixtures.go_env(),
    )
    assert _facts(path.read_bytes()).go_build_id == completed.stdout.strip()


@needs_readelf
@pytest.mark.parametrize("name", ["c_object", "c_hardened", "go_exe_default"])
def test_cet_property_bits_match_readelf(name: str) -> None:
    """Debian's crt files carry no CET notes, so only the object keeps IBT/SHSTK after linking."""
    path = gofixtures.build(name)
    notes = subprocess.run(["readelf", "-n", path], capture_output=True, text=True, check=True).stdout
    match = re.search(r"x86 feature: (.*)", notes)
    expected = None
    if match:
        words = {word.strip() for word in match.group(1).split(",")}
        expected = ("IBT" in words) | ("SHSTK" in words) << 1
    facts = _facts(path.read_bytes())
    assert facts.properties.x86_feature_1_and == expected
    assert facts.properties.aarch64_feature_1_and is None


# -- dynamic table ------------------------------------------------------------------------------


def test_runpath_and_rpath_are_split_on_colons() -> None:
    assert _facts(fixture_bytes("c_shared_runpath")).dynamic.runpath == ["lib", "/tmp/x"]  # type: ignore[union-attr]
    rpath = _facts(fixture_bytes("go_cshared_rpath")).dynamic.rpath  # type: ignore[union-attr]
    assert rpath == ["$ORIGIN/lib", "/tmp/cgoguard-rpath"]


def test_patchelf_file_is_read_through_loaded_segments_only() -> None:
    data = fixture_bytes("go_cshared_patched")
    image = ElfImage(data)
    # The trap described in the research notes: an empty segment placed before the data segment.
    assert any(s.filesz == 0 for s in image.segments[:3]), "patchelf no longer reorders the headers"
    facts = read_elf_facts(image)
    # patchelf --set-rpath writes DT_RUNPATH unless told --force-rpath.
    assert facts.dynamic is not None and facts.dynamic.runpath == [gofixtures.PATCHED_RPATH]
    buildinfo = image.section(".go.buildinfo")
    assert buildinfo is not None
    assert image.read_vaddr(buildinfo.addr, 32) == bytes(image.section_data(buildinfo)[:32])
    original = _facts(fixture_bytes("go_cshared_default"))
    assert set(facts.exports) == set(original.exports)


def test_read_vaddr_returns_none_outside_file_backed_bytes() -> None:
    image = ElfImage(fixture_bytes("c_hardened"))
    loads = [s for s in image.segments if s.p_type == PT_LOAD]
    last = loads[-1]
    assert image.read_vaddr(last.vaddr, 4) == bytes(image.data[last.offset : last.offset + 4])
    assert image.read_vaddr(last.vaddr + last.filesz, 1) is None  # .bss: memory only
    assert image.read_vaddr(last.vaddr + last.filesz - 2, 4) is None  # straddles the end
    assert image.read_vaddr(0xFFFF_FFFF_0000, 1) is None


# -- symbols without section headers ------------------------------------------------------------


@pytest.mark.parametrize("name", ["go_cshared_default", "c_shared_hardened", "go_plugin_default"])
def test_symbols_without_section_headers_come_from_the_gnu_hash_table(name: str) -> None:
    data = fixture_bytes(name)
    original = _facts(data)
    patcher = ElfPatcher(data)
    patcher.remove_section_headers()
    stripped = _facts(patcher.data)
    assert stripped.section_names == []
    assert set(stripped.exports) == set(original.exports) and set(stripped.imports) == set(original.imports)
    assert stripped.dynamic == original.dynamic
    assert stripped.build_id == original.build_id and stripped.go_build_id == original.go_build_id


@needs_gcc
@pytest.mark.parametrize("hash_style", ["sysv", "both"])
def test_symbols_without_section_headers_from_a_sysv_hash_table(tmp_path: Path, hash_style: str) -> None:
    source = tmp_path / "lib.c"
    source.write_text(
        "#include <string.h>\nint one(void){return 1;}\nsize_t two(const char *s){return strlen(s);}\n"
    )
    library = tmp_path / "lib.so"
    subprocess.run(
        ["gcc", "-shared", "-fPIC", f"-Wl,--hash-style={hash_style}", "-o", library, source], check=True
    )
    data = library.read_bytes()
    original = _facts(data)
    assert {"one", "two"} <= set(original.exports) and "strlen" in original.imports
    patcher = ElfPatcher(data)
    patcher.remove_section_headers()
    stripped = _facts(patcher.data)
    assert set(stripped.exports) == set(original.exports) and set(stripped.imports) == set(original.imports)


# -- relocatable objects ------------------------------------------------------------------------


@needs_gcc
@pytest.mark.parametrize(("assembler_flag", "executable"), [("--noexecstack", False), ("--execstack", True)])
def test_gnu_stack_section_flags_of_objects(tmp_path: Path, assembler_flag: str, executable: bool) -> None:
    source = tmp_path / "f.c"
    source.write_text("int f(int x) { return x + 1; }\n")
    obj = tmp_path / "f.o"
    subprocess.run(["gcc", "-c", f"-Wa,{assembler_flag}", "-o", obj, source], check=True)
    facts = _facts(obj.read_bytes())
    assert facts.e_type == "REL" and facts.segments == [] and facts.dynamic is None
    assert facts.gnu_stack_section_flags is not None
    assert bool(facts.gnu_stack_section_flags & 0x4) is executable  # SHF_EXECINSTR
    assert "f" in (facts.static_symbols or [])


def test_object_notes_come_from_sections() -> None:
    facts = _facts(fixture_bytes("c_object"))
    assert facts.e_type == "REL"
    assert (
        facts.properties.x86_feature_1_and is not None and facts.properties.x86_feature_1_and & 0b11 == 0b11
    )
    assert facts.gnu_stack_section_flags == 0


def test_linked_files_have_no_gnu_stack_section_fact() -> None:
    assert _facts(fixture_bytes("c_hardened")).gnu_stack_section_flags is None


def test_static_symbols_only_on_request() -> None:
    data = fixture_bytes("c_static")
    image = ElfImage(data)
    assert read_elf_facts(image).static_symbols is None
    facts = read_elf_facts(image, static_symbols=True)
    assert "main" in (facts.static_symbols or [])
    assert facts.interpreter is None and facts.dynamic is None and facts.exports == []


# -- numbering and buffers -------------------------------------------------------------------


def test_extended_section_numbering_is_followed() -> None:
    data = fixture_bytes("c_hardened")
    patcher = ElfPatcher(data)
    count, names_index = patcher.header("e_shnum"), patcher.header("e_shstrndx")
    patcher.set_section(0, "sh_size", count)
    patcher.set_section(0, "sh_link", names_index)
    patcher.set_header("e_shnum", 0)
    patcher.set_header("e_shstrndx", 0xFFFF)
    image = ElfImage(bytes(patcher.data))
    assert [s.name for s in image.sections] == [s.name for s in ElfImage(data).sections]


def test_extended_program_header_numbering_is_followed() -> None:
    data = fixture_bytes("c_hardened")
    patcher = ElfPatcher(data)
    patcher.set_section(0, "sh_info", patcher.header("e_phnum"))
    patcher.set_header("e_phnum", 0xFFFF)
    assert ElfImage(bytes(patcher.data)).segments == ElfImage(data).segments


def test_mmap_input_can_be_closed_after_the_image(tmp_path: Path) -> None:
    path = gofixtures.build("c_hardened")
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
        with ElfImage(mapped) as image:
            facts = read_elf_facts(image)
        assert facts.interpreter is not None
    assert mapped.closed


def test_section_data_of_nobits_is_empty_and_bounds_are_checked() -> None:
    image = ElfImage(fixture_bytes("c_hardened"))
    bss = image.section(".bss")
    assert bss is not None and bss.sh_type == SHT_NOBITS and len(image.section_data(bss)) == 0
    text = image.section(".text")
    assert text is not None
    text.size = len(image.data)
    with pytest.raises(MalformedElf, match="past the end of the file"):
        image.section_data(text)
    assert image.section("no such section") is None


def test_a_refused_mmap_can_be_closed_while_the_error_is_still_held(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.write_bytes(fixture_bytes("c_hardened")[:200])
    with broken.open("rb") as handle:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        with pytest.raises(MalformedElf) as caught:
            ElfImage(mapped)
        mapped.close()  # BufferError if the failed image still held a view
    assert "past the end of the file" in str(caught.value)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"\x7fELF\x02\x01", "too short for the 16-byte ELF identification"),
        (b"\x7fELF\x03\x01" + bytes(60), "class byte is 3"),
        (b"\x7fELF\x02\x07" + bytes(60), "data encoding byte is 7"),
        (b"\x7fELF\x02\x01" + bytes(30), "shorter than the 64-byte ELF header"),
        (b"MZ\x90\x00" + bytes(60), "ELF magic"),
    ],
)
def test_identification_errors(data: bytes, message: str) -> None:
    with pytest.raises(MalformedElf, match=message):
        ElfImage(data)
