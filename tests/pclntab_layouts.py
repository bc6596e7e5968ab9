"""Function tables in the layouts of older Go releases, made from a real Go 1.20+ table.

No toolchain installable here writes the Go 1.2-1.15 (magic 0xfffffffb), 1.16-1.17
(0xfffffffa) or 1.18-1.19 (0xfffffff0) layouts, so a real file's ``.gopclntab`` is rewritten
into them in place: same functions, same names, same entry addresses. The layouts follow
GOROOT/src/debug/gosym/pclntab.go (``parsePclnTab``, ``funcData.field``) and
golang.org/s/go12symtab; Go's own reader (tests/fixtures/go/gosymfuncs) must accept each
result, which the tests check, so a wrong rewrite fails there and not in cgoguard's reader.

The Go 1.2 rewrite lays names out as that linker did: after each function's record, among
bytes of pc tables, with the file name table in the same blob, so that a reader which split
the blob on NULs would also "find" file names and pc-table bytes.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from cgoguard.readers.elf import ElfImage

MAGIC = {"1.2": 0xFFFFFFFB, "1.16": 0xFFFFFFFA, "1.18": 0xFFFFFFF0, "1.20": 0xFFFFFFF1}


@dataclass
class Table:
    """What a Go 1.20+ table holds that the older layouts need."""

    order: str
    ptr: int
    quantum: int
    nfiles: int
    names: bytes  # the funcnametab
    files: bytes  # the filetab (NUL-terminated file names)
    pcs: bytes  # the pctab
    entries: list[tuple[int, int]]  # (entry address, name offset) per function
    end_pc: int


def read_120(data: bytes) -> tuple[Table, int, int]:
    """The table of a Go 1.20+ file, with its section's file offset and size."""
    image = ElfImage(data)
    section = image.section(".gopclntab")
    text = image.section(".text")
    assert section is not None and text is not None
    blob = data[section.offset : section.offset + section.size]
    order = "<" if image.little_endian else ">"
    ptr = blob[7]
    assert struct.unpack_from(order + "I", blob)[0] == MAGIC["1.20"]
    word = order + ("Q" if ptr == 8 else "I")
    nfunc, nfiles, _text, names, cu, files, pcs, pcln = (
        struct.unpack_from(word, blob, 8 + i * ptr)[0] for i in range(8)
    )
    entries = []
    for index in range(nfunc):
        entry_off, func_off = struct.unpack_from(order + "II", blob, pcln + 8 * index)
        name_off = struct.unpack_from(order + "i", blob, pcln + func_off + 4)[0]
        entries.append((text.addr + entry_off, name_off))
    end_pc = text.addr + struct.unpack_from(order + "I", blob, pcln + 8 * nfunc)[0]
    table = Table(
        order, ptr, blob[6], nfiles, blob[names:cu], blob[files:pcs], blob[pcs:pcln], entries, end_pc
    )
    return table, section.offset, section.size


def _name(table: Table, offset: int) -> bytes:
    return table.names[offset : table.names.index(b"\0", offset)]


def _align(blob: bytearray, boundary: int) -> None:
    blob.extend(bytes(-len(blob) % boundary))


def layout_116(table: Table) -> bytes:
    """Go 1.16-1.17: header with seven words, separate tables, pointer-sized functab."""
    order, ptr = table.order, table.ptr
    word = order + ("Q" if ptr == 8 else "I")
    count = len(table.entries)
    header = 8 + 7 * ptr
    names_at = header
    files_at = names_at + len(table.names)  # no cutab: debug/gosym does not need it for names
    pcs_at = files_at + len(table.files)
    pcln_at = pcs_at + len(table.pcs)
    pcln_at += -pcln_at % ptr
    blob = bytearray(struct.pack(order + "IBBBB", MAGIC["1.16"], 0, 0, table.quantum, ptr))
    for value in (count, table.nfiles, names_at, files_at, files_at, pcs_at, pcln_at):
        blob += struct.pack(word, value)
    blob += table.names + table.files + table.pcs
    _align(blob, ptr)
    assert len(blob) == pcln_at
    record = ptr + 10 * 4  # entry, nameoff, args, deferreturn, pcsp, pcfile, pcln, npcdata, cuOffset, flags
    record += -record % ptr
    records_at = (2 * count + 1) * ptr
    for index, (entry, _) in enumerate(table.entries):
        blob += struct.pack(word, entry) + struct.pack(word, records_at + index * record)
    blob += struct.pack(word, table.end_pc)
    for entry, name_off in table.entries:
        blob += struct.pack(word, entry) + struct.pack(order + "i", name_off) + bytes(record - ptr - 4)
    return bytes(blob)


def layout_12(table: Table) -> bytes:
    """Go 1.2-1.15: one blob; name offsets count from its start, names among pc tables and files."""
    order, ptr = table.order, table.ptr
    word = order + ("Q" if ptr == 8 else "I")
    count = len(table.entries)
    record = ptr + 8 * 4  # entry, nameoff, args, frame, pcsp, pcfile, pcln, npcdata, nfuncdata
    record += -record % ptr
    functab_at = 8 + ptr
    filetab_word = functab_at + (2 * count + 1) * ptr
    records_at = filetab_word + 4
    records_at += -records_at % ptr
    # Each function: its record, a stretch of real pc-table bytes, then its name (first use).
    pcs = table.pcs or b"\x01\x02"
    blob = bytearray(bytes(records_at))
    name_at: dict[int, int] = {}
    record_at: list[int] = []
    for index, (_, name_off) in enumerate(table.entries):
        _align(blob, ptr)
        record_at.append(len(blob))
        blob += bytes(record)
        start = (index * 7) % len(pcs)
        blob += (pcs[start:] + pcs)[:12]
        if name_off not in name_at:
            name_at[name_off] = len(blob)
            blob += _name(table, name_off) + b"\0"
    # The file table: a count, then offsets (the count is entry 0), then the names.
    files = [name for name in table.files.split(b"\0") if name]
    _align(blob, 4)
    filetab_at = len(blob)
    strings_at = filetab_at + 4 * (len(files) + 1)
    offsets, cursor = [], strings_at
    for name in files:
        offsets.append(cursor)
        cursor += len(name) + 1
    blob += struct.pack(order + "I", len(files) + 1)
    blob += b"".join(struct.pack(order + "I", offset) for offset in offsets)
    blob += b"".join(name + b"\0" for name in files)
    header = struct.pack(order + "IBBBB", MAGIC["1.2"], 0, 0, table.quantum, ptr) + struct.pack(word, count)
    blob[: len(header)] = header
    for index, (entry, name_off) in enumerate(table.entries):
        struct.pack_into(word, blob, functab_at + 2 * index * ptr, entry)
        struct.pack_into(word, blob, functab_at + (2 * index + 1) * ptr, record_at[index])
        struct.pack_into(word, blob, record_at[index], entry)
        struct.pack_into(order + "i", blob, record_at[index] + ptr, name_at[name_off])
    struct.pack_into(word, blob, functab_at + 2 * count * ptr, table.end_pc)
    struct.pack_into(order + "I", blob, filetab_word, filetab_at)
    return bytes(blob)


def rewritten(data: bytes, layout: str) -> bytes:
    """``data`` (a Go 1.20+ file) with its ``.gopclntab`` in ``layout`` ("1.2", "1.16", "1.18")."""
    table, offset, size = read_120(data)
    if layout == "1.18":
        blob = bytearray(data[offset : offset + size])
        struct.pack_into(table.order + "I", blob, 0, MAGIC["1.18"])
    else:
        blob = bytearray(layout_12(table) if layout == "1.2" else layout_116(table))
    assert len(blob) <= size, f"the {layout} table ({len(blob):,} bytes) outgrows the section ({size:,})"
    patched = bytearray(data)
    patched[offset : offset + size] = bytes(blob) + bytes(size - len(blob))
    return bytes(patched)
