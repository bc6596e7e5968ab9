"""Amplification files, crafted from real ones: every kind of string-table
entry (symbols, DT_NEEDED, RPATH, section names, ar long names) pointed into
one string that never ends, at any size. Used by tests/test_hostile_inputs.py
and benchmarks/bench_hostile.py.

Each crafted ELF file is a real library with its ``.dynstr`` (or
``.shstrtab``) NULs replaced, so that a name read from offset 1 runs to the end
of the table, and N entries that all point there: read naively, N × table
bytes.
"""

from __future__ import annotations

import struct
import subprocess
from pathlib import Path

from cgoguard.readers.elf import ElfImage

DT_NULL, DT_NEEDED, DT_RPATH = 0, 1, 15
PT_DYNAMIC = 2


def library(folder: Path, count: int) -> bytes:
    """A 64-bit shared library with ``count`` exported functions (gcc)."""
    source = folder / f"lib{count}.c"
    source.write_text("".join(f"int function_{i}(void) {{ return {i}; }}\n" for i in range(count)))
    output = folder / f"lib{count}.so"
    subprocess.run(["gcc", "-shared", "-fPIC", "-O0", "-o", output, source], check=True)
    return output.read_bytes()


def section(data: bytes, name: str) -> tuple[int, int]:
    """(file offset, size) of a section."""
    with ElfImage(data) as image:
        found = image.section(name)
        assert found is not None, name
        return found.offset, found.size


def unterminated(data: bytes, table: str = ".dynstr") -> bytearray:
    """``data`` with every NUL of ``table`` but its first byte replaced."""
    crafted = bytearray(data)
    offset, size = section(data, table)
    crafted[offset + 1 : offset + size] = crafted[offset + 1 : offset + size].replace(b"\0", b"A")
    return crafted


def symbols_one_run(data: bytes) -> bytearray:
    """Every dynamic symbol's name at offset 1 of an unterminated .dynstr."""
    crafted = unterminated(data)
    offset, size = section(data, ".dynsym")
    for index in range(1, size // 24):
        crafted[offset + index * 24 : offset + index * 24 + 4] = (1).to_bytes(4, "little")
    return crafted


def dynamic_one_run(data: bytes, tag: int, count: int) -> bytearray:
    """``count`` extra dynamic entries ``tag`` (DT_NEEDED, DT_RPATH), all at offset 1 of an
    unterminated .dynstr: PT_DYNAMIC is moved to a new table at the end of the file."""
    crafted = unterminated(data)
    phoff, phentsize, phnum = struct.unpack_from("<Q", data, 0x20)[0], *struct.unpack_from("<HH", data, 0x36)
    for index in range(phnum):
        header = phoff + index * phentsize
        if struct.unpack_from("<I", data, header)[0] != PT_DYNAMIC:
            continue
        p_offset, _vaddr, _paddr, p_filesz = struct.unpack_from("<QQQQ", data, header + 8)
        entries = [
            e for e in struct.iter_unpack("<qQ", data[p_offset : p_offset + p_filesz]) if e[0] != DT_NULL
        ]
        table = b"".join(struct.pack("<qQ", *e) for e in entries)
        table += struct.pack("<qQ", tag, 1) * count + struct.pack("<qQ", DT_NULL, 0)
        start = len(crafted) + (-len(crafted)) % 8
        crafted += b"\0" * (start - len(crafted)) + table
        struct.pack_into("<Q", crafted, header + 8, start)  # p_offset
        struct.pack_into("<QQ", crafted, header + 32, len(table), len(table))  # p_filesz, p_memsz
        return crafted
    raise AssertionError("no PT_DYNAMIC")


def section_names_one_run(data: bytes, count: int) -> bytearray:
    """``count`` section headers whose names all start at offset 1 of an unterminated
    name table (the large .dynstr serves as it): a new section header table at the
    end of the file."""
    crafted = unterminated(data)
    shoff = struct.unpack_from("<Q", data, 0x28)[0]
    shentsize, shnum = struct.unpack_from("<HH", data, 0x3A)
    dynstr_offset, _size = section(data, ".dynstr")
    null = bytes(shentsize)
    for index in range(shnum):
        header = data[shoff + index * shentsize : shoff + (index + 1) * shentsize]
        if struct.unpack_from("<Q", header, 24)[0] == dynstr_offset:  # sh_offset
            names = bytearray(header)
            break
    else:
        raise AssertionError("no .dynstr section header")
    progbits = bytearray(names)
    struct.pack_into("<II", progbits, 0, 1, 1)  # sh_name 1, SHT_PROGBITS
    headers = null + bytes(names) + bytes(progbits) * count
    start = len(crafted) + (-len(crafted)) % 8
    crafted += b"\0" * (start - len(crafted)) + headers
    struct.pack_into("<Q", crafted, 0x28, start)  # e_shoff
    struct.pack_into("<HH", crafted, 0x3C, 2 + count, 1)  # e_shnum, e_shstrndx
    return crafted


def archive_long_names(count: int) -> bytes:
    """An ar archive whose long-name table never ends a name, with ``count`` members into it."""
    names = b"x" * (count * 40)
    out = bytearray(b"!<arch>\n")
    members = [("//", names)] + [(f"/{(i * 40) % len(names)}", b"") for i in range(count)]
    for name, member in members:
        out += f"{name:<16}{0:<12}{0:<6}{0:<6}{644:<8}{len(member):<10}`\n".encode()
        out += member + (b"\n" if len(member) % 2 else b"")
    return bytes(out)


def kinds(folder: Path, count: int) -> dict[str, bytes]:
    """Every amplification kind at size ``count``."""
    base = library(folder, count)
    return {
        "symbols-one-run": bytes(symbols_one_run(base)),
        "dynstr-unterminated": bytes(unterminated(base)),
        "needed-one-run": bytes(dynamic_one_run(base, DT_NEEDED, count)),
        "rpath-one-run": bytes(dynamic_one_run(base, DT_RPATH, count)),
        "section-names-one-run": bytes(section_names_one_run(base, min(count, 65_000))),
        "ar-long-names": archive_long_names(count),
    }
