"""Broken input never makes the readers leak a Python error: only MalformedElf / MalformedArchive,
each with a one-line sentence.

Inputs are real files (a small hardened C program and a Go c-shared library) truncated at every
structural boundary, with header bytes flipped, with absurd counts, offsets and sizes written
into them, plus hypothesis-driven random bytes and random mutations of the same files and of a
real ar archive.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gofixtures
from cgoguard.readers.archive import MalformedArchive, iter_members
from cgoguard.readers.elf import (
    DT_GNU_HASH,
    DT_NEEDED,
    DT_STRTAB,
    DT_SYMTAB,
    PT_DYNAMIC,
    PT_NOTE,
    SHT_DYNSYM,
    SHT_SYMTAB,
    ElfImage,
    MalformedElf,
    read_elf_facts,
)
from test_elf_reader import ElfPatcher

ELF_SUBJECTS = ("c_hardened", "go_cshared_default")
FUZZ_SETTINGS = settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@cache
def subject(name: str) -> bytes:
    # A fixture that cannot be built fails the test (FixtureBuildError), never skips it.
    return gofixtures.build(name).read_bytes()


def read_everything(data: bytes | bytearray, static_symbols: bool = True) -> str | None:
    """Run every reader entry point; return MalformedElf's message, or None when all went well."""
    try:
        image = ElfImage(bytes(data))
        read_elf_facts(image, static_symbols=static_symbols)
        for section in image.sections:
            image.section_data(section)
        for segment in image.segments:
            image.read_vaddr(segment.vaddr, min(segment.filesz, 64))
            image.read_vaddr(segment.vaddr + segment.memsz, 8)
    except MalformedElf as error:
        message = str(error)
        assert message and "\n" not in message, f"not a one-line sentence: {message!r}"
        return message
    return None


def read_archive(data: bytes | bytearray) -> str | None:
    try:
        for member in iter_members(bytes(data)):
            assert member.offset >= 0 and member.offset + member.size <= len(data)
            read_everything(data[member.offset : member.offset + member.size])
    except MalformedArchive as error:
        message = str(error)
        assert message and "\n" not in message
        return message
    return None


def boundaries(data: bytes) -> list[int]:
    """Every offset where an ELF structure starts or ends: headers, tables, sections, segments."""
    image = ElfImage(data)
    patcher = ElfPatcher(data)
    points = {4, 5, 6, 16, 52, 64}
    for index in range(len(image.segments) + 1):
        points.add(patcher.program_header_offset(index))
    for index in range(len(image.sections) + 1):
        points.add(patcher.section_header_offset(index))
    for section in image.sections:
        points |= {section.offset, section.offset + section.size}
    for segment in image.segments:
        points |= {segment.offset, segment.offset + segment.filesz}
    dynamic = next(s for s in image.segments if s.p_type == PT_DYNAMIC)
    points |= set(range(dynamic.offset, dynamic.offset + dynamic.filesz + 1, 16))
    return sorted(p for p in points if 0 < p < len(data))


# -- truncation --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ELF_SUBJECTS)
def test_truncation_at_every_boundary_is_reported(name: str) -> None:
    data = subject(name)
    patcher = ElfPatcher(data)
    # Both toolchains put the section header table last, so every cut loses part of it.
    assert patcher.section_header_offset(patcher.header("e_shnum")) == len(data)
    for cut in boundaries(data):
        for length in (cut - 1, cut, cut + 1):
            assert read_everything(data[:length]) is not None, f"{name} cut at {length} was accepted"


@pytest.mark.parametrize("name", ELF_SUBJECTS)
def test_truncation_without_section_headers(name: str) -> None:
    """Only program headers left: the dynamic table, strings, hash and notes are reached by address."""
    patcher = ElfPatcher(subject(name))
    patcher.remove_section_headers()
    stripped = bytes(patcher.data)
    assert read_everything(stripped) is None
    for cut in boundaries(subject(name)):
        read_everything(stripped[:cut])


# -- flipped header bytes --------------------------------------------------------------------


@pytest.mark.parametrize("name", ELF_SUBJECTS)
def test_flipped_bytes_in_every_header(name: str) -> None:
    data = subject(name)
    image = ElfImage(data)
    patcher = ElfPatcher(data)
    ph_start = patcher.program_header_offset(0)
    sh_start = patcher.section_header_offset(0)
    dynamic = next(s for s in image.segments if s.p_type == PT_DYNAMIC)
    regions = [
        range(0, 64),
        range(ph_start, patcher.program_header_offset(len(image.segments))),
        range(sh_start, patcher.section_header_offset(len(image.sections))),
        range(dynamic.offset, dynamic.offset + dynamic.filesz),
    ]
    # The .symtab walk is the slow part; it only depends on its own header and its string table's.
    symtab = next(i for i, s in enumerate(image.sections) if s.sh_type == SHT_SYMTAB)
    symbol_headers = {
        offset
        for index in (symtab, image.sections[symtab].link)
        for offset in range(patcher.section_header_offset(index), patcher.section_header_offset(index + 1))
    }
    mutated = bytearray(data)
    for region in regions:
        for offset in region:
            original = mutated[offset]
            for value in (original ^ 0xFF, original ^ 0x80):
                mutated[offset] = value
                read_everything(mutated, static_symbols=offset in symbol_headers)
            mutated[offset] = original


# -- absurd values ---------------------------------------------------------------------------


def _dynsym_index(patcher: ElfPatcher) -> int:
    return next(i for i, s in enumerate(ElfImage(bytes(patcher.data)).sections) if s.sh_type == SHT_DYNSYM)


def _note_segment_index(patcher: ElfPatcher) -> int:
    return next(i for i, s in enumerate(ElfImage(bytes(patcher.data)).segments) if s.p_type == PT_NOTE)


def _set_dynamic(tag: int, value: int, strip: bool) -> Callable[[ElfPatcher], None]:
    def edit(patcher: ElfPatcher) -> None:
        for offset in patcher.dynamic_entry_offsets(tag):
            patcher.set_word(offset, value)
        if strip:
            patcher.remove_section_headers()

    return edit


def _absurd_extended_section_count(patcher: ElfPatcher) -> None:
    patcher.set_header("e_shnum", 0)  # "the count is in section 0"
    patcher.set_section(0, "sh_size", 2**31)


def _huge_gnu_hash_buckets(patcher: ElfPatcher) -> None:
    (entry,) = patcher.dynamic_entry_offsets(DT_GNU_HASH)
    table = patcher.file_offset(patcher.word(entry))
    patcher.set_u32(table, 0x7FFF_FFFF)  # nbuckets
    patcher.remove_section_headers()


ABSURD_EDITS: dict[str, tuple[Callable[[ElfPatcher], None], bool]] = {
    # name: (edit, must the reader refuse the file?)
    "e_phnum 0xfffe": (lambda p: p.set_header("e_phnum", 0xFFFE), True),
    "e_shnum 0xffff": (lambda p: p.set_header("e_shnum", 0xFFFF), True),
    "e_shoff past EOF": (lambda p: p.set_header("e_shoff", len(p.data) + 8), True),
    "e_phoff past EOF": (lambda p: p.set_header("e_phoff", 2**32 - 8), True),
    "e_phentsize 1": (lambda p: p.set_header("e_phentsize", 1), True),
    "e_shentsize 0": (lambda p: p.set_header("e_shentsize", 0), True),
    "e_shstrndx out of range": (lambda p: p.set_header("e_shstrndx", 0xFFF0), True),
    "extended count, section 0 absurd": (_absurd_extended_section_count, True),
    "shstrtab size huge": (lambda p: p.set_section(p.header("e_shstrndx"), "sh_size", 2**40), True),
    "shstrtab is the header table": (
        lambda p: p.set_section(p.header("e_shstrndx"), "sh_offset", p.header("e_shoff")),
        False,
    ),
    "section name offset huge": (lambda p: p.set_section(1, "sh_name", 2**31), True),
    "dynsym size huge": (lambda p: p.set_section(_dynsym_index(p), "sh_size", 2**40), True),
    "dynsym entsize 1": (lambda p: p.set_section(_dynsym_index(p), "sh_entsize", 1), True),
    "dynsym links to itself": (lambda p: p.set_section(_dynsym_index(p), "sh_link", _dynsym_index(p)), False),
    "dynsym links nowhere": (lambda p: p.set_section(_dynsym_index(p), "sh_link", 0xFFFF), True),
    "DT_STRTAB nowhere, sections kept": (_set_dynamic(DT_STRTAB, 0xDEAD_0000, strip=False), False),
    "DT_STRTAB nowhere, no sections": (_set_dynamic(DT_STRTAB, 0xDEAD_0000, strip=True), True),
    "DT_NEEDED past the strings": (_set_dynamic(DT_NEEDED, 2**30, strip=False), True),
    "DT_SYMTAB nowhere, no sections": (_set_dynamic(DT_SYMTAB, 0xDEAD_0000, strip=True), True),
    "DT_GNU_HASH nowhere, no sections": (_set_dynamic(DT_GNU_HASH, 0xDEAD_0000, strip=True), True),
    "GNU hash with absurd bucket count": (_huge_gnu_hash_buckets, True),
    "PT_DYNAMIC filesz huge": (
        lambda p: p.set_segment(
            next(i for i, s in enumerate(ElfImage(bytes(p.data)).segments) if s.p_type == PT_DYNAMIC),
            "p_filesz",
            2**40,
        ),
        True,
    ),
    "PT_NOTE overlapping the ELF header": (
        lambda p: p.set_segment(_note_segment_index(p), "p_offset", 0),
        False,
    ),
    "PT_NOTE past EOF": (lambda p: p.set_segment(_note_segment_index(p), "p_offset", 2**40), True),
}


@pytest.mark.parametrize("name", ELF_SUBJECTS)
@pytest.mark.parametrize("edit_name", list(ABSURD_EDITS))
def test_absurd_values(name: str, edit_name: str) -> None:
    edit, must_refuse = ABSURD_EDITS[edit_name]
    patcher = ElfPatcher(subject(name))
    edit(patcher)
    message = read_everything(patcher.data)
    if must_refuse:
        assert message is not None, f"{edit_name}: the reader accepted the file"


# -- hypothesis -------------------------------------------------------------------------------


@FUZZ_SETTINGS
@given(
    header=st.sampled_from([b"\x7fELF\x01\x01", b"\x7fELF\x01\x02", b"\x7fELF\x02\x01", b"\x7fELF\x02\x02"]),
    body=st.binary(max_size=512),
)
def test_random_bytes_behind_an_elf_magic(header: bytes, body: bytes) -> None:
    read_everything(header + body)


@FUZZ_SETTINGS
@given(
    name=st.sampled_from(ELF_SUBJECTS),
    edits=st.lists(
        st.tuples(st.floats(min_value=0, max_value=1, exclude_max=True), st.integers(0, 255)),
        min_size=1,
        max_size=12,
    ),
    in_headers=st.booleans(),
    cut=st.none() | st.floats(min_value=0, max_value=1),
)
def test_random_mutations_of_real_files(
    name: str, edits: list[tuple[float, int]], in_headers: bool, cut: float | None
) -> None:
    data = bytearray(subject(name))
    patcher = ElfPatcher(bytes(data))
    header_bytes = list(range(64))
    header_bytes += range(patcher.program_header_offset(0), patcher.program_header_offset(12))
    header_bytes += range(patcher.section_header_offset(0), len(data))
    for where, value in edits:
        # Half the time aim at headers and tables, where a flip changes what gets read.
        offset = header_bytes[int(where * len(header_bytes))] if in_headers else int(where * len(data))
        data[offset] = value
    if cut is not None:
        del data[int(cut * len(data)) :]
    read_everything(data)


@FUZZ_SETTINGS
@given(body=st.binary(max_size=400))
def test_random_bytes_behind_an_ar_magic(body: bytes) -> None:
    read_archive(b"!<arch>\n" + body)


@FUZZ_SETTINGS
@given(
    edits=st.lists(
        st.tuples(st.floats(min_value=0, max_value=1, exclude_max=True), st.integers(0, 255)),
        min_size=1,
        max_size=8,
    ),
    cut=st.none() | st.floats(min_value=0, max_value=1),
)
def test_random_mutations_of_a_real_archive(edits: list[tuple[float, int]], cut: float | None) -> None:
    data = bytearray(subject("c_archive"))
    for where, value in edits:
        data[int(where * len(data))] = value
    if cut is not None:
        del data[int(cut * len(data)) :]
    read_archive(data)
