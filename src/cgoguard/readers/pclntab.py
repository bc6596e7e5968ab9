"""Function names from a Go image's function table (the pclntab), for symbol-level matching.

Every Go image, stripped (``-s -w``) or not, carries the table the runtime uses for
tracebacks: a header (``pcHeader``, GOROOT/src/runtime/symtab.go), a function index
(``functab``: one entry per function, pointing at its ``_func`` record, runtime2.go) and
the names. Readers of the same layouts: GOROOT/src/debug/gosym/pclntab.go (``go12``,
``go116``, ``go118``, ``go120``); the writer: GOROOT/src/cmd/link/internal/ld/pcln.go.

Four layouts, told apart by the header's magic:

* Go 1.2-1.15 (0xfffffffb): ``nfunc`` then the index of (entry, offset) pointer-sized
  pairs; each ``_func`` starts with a pointer-sized entry and an int32 name offset into
  the table itself, where names sit among file names and pc tables.
* Go 1.16-1.17 (0xfffffffa): the header gives the offsets of the name table
  (``funcnametab``) and of the index; name offsets count from the name table.
* Go 1.18-1.19 (0xfffffff0) and 1.20+ (0xfffffff1): as 1.16 with one more header word
  (textStart) and 32-bit index entries and ``_func`` entry fields.

Where the table is: the ``.gopclntab`` section (``.data.rel.ro.gopclntab`` in Go 1.21's
c-archive ``go.o``, whose one relocation there is the header's textStart, never a name offset);
else the range of the ``runtime.pclntab`` symbol (external linking of PIEs and c-shared
libraries by Go 1.20-1.25 puts the table inside ``.data.rel.ro``);
else a scan of the loaded bytes for the header of any of the four layouts (files whose
section headers were removed), where each candidate must have offsets in range and first
functions whose names are printable, NUL-ended strings before it is believed.

Only offsets are read, never addresses, so relocations (entry addresses in pre-1.18 tables
of PIEs, libraries and ``go.o``) do not matter. Every count and offset is checked against
the bytes before it is used: a malformed table raises :class:`PclntabError`, never anything
else.

What is listed: each function with code of its own, once (ABI wrappers repeat a name).
A function inlined into all of its callers has none: its name is in
:attr:`FunctionTable.inlined` for Go 1.16+ tables (their name table holds exactly the
functions and the inlined callees), and is not listed at all for Go 1.2-1.15 tables, where
only walking every function's inline tree would find it.
"""

from __future__ import annotations

import re
import struct
import sys
from array import array
from collections.abc import Iterator
from itertools import accumulate, filterfalse
from typing import TYPE_CHECKING, NamedTuple

from cgoguard.elfconst import ET_REL, PT_LOAD, SHT_NOBITS, SHT_SYMTAB
from cgoguard.errors import InputError
from cgoguard.gosymbols import linker_names, matches
from cgoguard.model import FunctionTable
from cgoguard.readers.limits import StringBudget

if TYPE_CHECKING:
    from cgoguard.model import Section
    from cgoguard.readers.elf import ElfImage

__all__ = ["FunctionTable", "PclntabError", "all_names", "linker_names", "matches", "read_function_table"]

# pcHeader magic -> layout name (GOROOT/src/internal/abi/symtab.go).
FORMATS = {0xFFFFFFFB: "1.2", 0xFFFFFFFA: "1.16", 0xFFFFFFF0: "1.18", 0xFFFFFFF1: "1.20"}
SECTIONS = (".gopclntab", ".data.rel.ro.gopclntab")
SYMBOL, END_SYMBOL = b"runtime.pclntab", b"runtime.epclntab"

# The magic in either byte order, two zero bytes, the instruction quantum and the pointer size. The
# pattern starts with a literal, which re searches for fast (20x the speed of a leading class); a
# little-endian magic matches one byte in, and its first byte is checked after.
_HEADER_PATTERN = re.compile(rb"\xff\xff\xff[\xfb\xfa\xf0\xf1]?\x00\x00[\x01\x02\x04][\x04\x08]")
_LITTLE_ENDIAN_FIRST = frozenset(b"\xfb\xfa\xf0\xf1")
# A scan looks at this many header-shaped candidates at most; each costs O(1).
MAX_SCAN_CANDIDATES = 1 << 16
# A table is believed when its first functions have names: printable UTF-8, each ended by a NUL within
# a window. In random bytes a NUL comes every 256 bytes or so and a printable run of that length almost
# never, so 16 such names do not happen by chance.
_SAMPLE_FUNCTIONS = 16
_SAMPLE_NAME_BYTES = 4096


class PclntabError(InputError):
    """The Go function table is present but cannot be decoded."""


class _Layout(NamedTuple):
    """Where the parts of one table are, as offsets from the start of the header."""

    format: str
    order: str  # struct byte order, "<" or ">"
    nfunc: int
    names: tuple[int, int]  # the bytes that name offsets count from (1.2: the whole table)
    functab: int  # the (entry, func offset) pairs
    field: int  # bytes per index field
    func_base: int  # what a func offset counts from
    name_field: int  # where the name offset sits in a _func record


class _Found(NamedTuple):
    table: memoryview  # from the header to the end of the section, symbol range or segment
    where: str
    layout: _Layout


def read_function_table(image: ElfImage) -> FunctionTable | None:
    """The function names of ``image``'s Go function table; None when it has none.

    Raises :class:`PclntabError` when a table is found (by section, symbol or a
    believable header) but cannot be decoded.
    """
    found = _locate(image)
    if found is None:
        return None
    table, where, layout = found
    return _collect(table, layout, _name_offsets(table, layout, where), where)


def all_names(image: ElfImage) -> bytes | None:
    """Every name the table holds, NUL-framed like :attr:`FunctionTable.blob`: the functions'
    and (Go 1.16+) the inlined-only ones. Cheaper than :func:`read_function_table` for a
    search over all names: a Go 1.16+ name table is taken as it is, without the index."""
    found = _locate(image)
    if found is None:
        return None
    table, where, layout = found
    if layout.format == "1.2":
        return _collect(table, layout, _name_offsets(table, layout, where), where).blob
    start, end = layout.names
    return b"\0" + bytes(table[start:end])


def _locate(image: ElfImage) -> _Found | None:
    """The table by section, else by symbol, else by a scan; its header and first names checked."""
    for name in SECTIONS:
        section = image.section(name)
        if section is not None and section.sh_type != SHT_NOBITS and section.size:
            return _checked(image.section_data(section), f"section {name}")
    by_symbol = _symbol_range(image)
    if by_symbol is not None:
        return _checked(by_symbol, f"symbol {SYMBOL.decode()}")
    return _scan(image)


def _checked(table: memoryview, where: str) -> _Found:
    layout = _layout(table, where)
    if layout is None:
        raise PclntabError(f"the Go function table ({where}) does not start with a known pcHeader")
    problem = _implausible_names(table, layout, _name_offsets(table, layout, where, _SAMPLE_FUNCTIONS))
    if problem:
        raise PclntabError(f"the Go function table ({where}) {problem}")
    return _Found(table, where, layout)


def _layout(table: memoryview, where: str, ptr_size: int | None = None) -> _Layout | None:
    """The table's layout from its header; None when the header is not a pcHeader at all,
    PclntabError when it is one whose offsets do not fit the bytes."""
    size = len(table)
    if size < 16 or table[4] or table[5] or table[6] not in (1, 2, 4) or table[7] not in (4, 8):
        return None
    if ptr_size is not None and table[7] != ptr_size:
        return None
    (little,) = struct.unpack_from("<I", table)
    (big,) = struct.unpack_from(">I", table)
    order = "<" if little in FORMATS else ">" if big in FORMATS else None
    if order is None:
        return None
    layout_name = FORMATS[little if order == "<" else big]
    pointer = table[7]
    word = "Q" if pointer == 8 else "I"
    if layout_name == "1.2":
        (nfunc,) = struct.unpack_from(order + word, table, 8)
        index = 8 + pointer
        # nfunc pairs, the end PC, then the uint32 offset of the file table
        needed = index + (2 * nfunc + 1) * pointer + 4
        layout = _Layout(layout_name, order, nfunc, (0, size), index, pointer, 0, pointer)
    else:
        # nfunc, nfiles, [textStart,] funcnameOffset, cuOffset, filetabOffset, pctabOffset, pclnOffset
        count = 7 if layout_name == "1.16" else 8
        header_end = 8 + count * pointer
        if size < header_end:
            raise PclntabError(f"the Go function table ({where}) is cut short inside its header")
        words = struct.unpack_from(order + word * count, table, 8)
        nfunc, offsets = words[0], words[count - 5 :]
        names, cu, files, pcs, index = offsets
        if not header_end <= names < cu <= files <= pcs <= index <= size:
            raise PclntabError(
                f"the Go function table ({where}) has part offsets {list(offsets)} that are out of order "
                f"or past its {size:,} bytes"
            )
        field = 4 if layout_name in ("1.18", "1.20") else pointer
        needed = index + (2 * nfunc + 1) * field
        layout = _Layout(layout_name, order, nfunc, (names, cu), index, field, index, field)
    if nfunc == 0 or needed > size:
        raise PclntabError(
            f"the Go function table ({where}) lists {nfunc:,} functions, which its {size:,} bytes cannot hold"
        )
    return layout


def _name_offsets(table: memoryview, layout: _Layout, where: str, count: int | None = None) -> list[int]:
    """The name offsets of the first ``count`` functions (default all), in index order."""
    count = layout.nfunc if count is None else min(count, layout.nfunc)
    entries = array("I" if layout.field == 4 else "Q")
    if entries.itemsize != layout.field:  # pragma: no cover - every CPython platform has 4- and 8-byte codes
        raise PclntabError("this Python has no array type of the table's field size")
    entries.frombytes(table[layout.functab : layout.functab + 2 * count * layout.field])
    if (layout.order == "<") != (sys.byteorder == "little"):
        entries.byteswap()
    func_offsets = entries[1::2]
    del entries
    last = layout.func_base + max(func_offsets) + layout.name_field + 4
    if last > len(table):
        raise PclntabError(
            f"the Go function table ({where}) points at a function record {last - len(table):,} bytes "
            "past its end"
        )
    read = struct.Struct(layout.order + "i").unpack_from
    at = layout.func_base + layout.name_field
    return [read(table, at + offset)[0] for offset in func_offsets]


def _implausible_names(table: memoryview, layout: _Layout, offsets: list[int]) -> str | None:
    """Why the first functions' names are not names, or None when they are.

    Reads at most a small window per name, so that a scan can afford it for every candidate.
    Nothing more is asked of a name: the first functions are Go's (``internal/abi.Kind.String``,
    ``net.(*dialResult·1).Close`` from Go 1.13) or, when the Go linker linked C objects itself
    (boringcrypto's), C's (``EVP_AEAD_CTX_seal_wrapper``).
    """
    start, end = layout.names
    for offset in offsets:
        if not 0 <= offset < end - start:
            return f"names a function at offset {offset:,}, outside its {end - start:,}-byte name table"
        window = bytes(table[start + offset : min(end, start + offset + _SAMPLE_NAME_BYTES)])
        name, nul, _ = window.partition(b"\0")
        try:
            text = name.decode()
        except UnicodeDecodeError:
            return "has a function name that is not UTF-8"
        if not nul or not text or not text.isprintable():
            return f"has a first function name that is not a function name ({text[:60]!r})"
    return None


def _collect(table: memoryview, layout: _Layout, offsets: list[int], where: str) -> FunctionTable:
    start, end = layout.names
    names_table = bytes(table[start:end])
    unique = list(dict.fromkeys(offsets))
    if unique and not 0 <= min(unique) <= max(unique) < len(names_table):
        bad = next(offset for offset in unique if not 0 <= offset < len(names_table))
        raise PclntabError(
            f"the Go function table ({where}) names a function at offset {bad:,}, outside its "
            f"{len(names_table):,}-byte name table"
        )
    pieces: list[bytes] = []
    names: list[bytes | None] = [None] * len(unique)
    if layout.format != "1.2":
        # The name table is NUL-terminated names one after another: index each start once (the
        # piece after the last NUL is unterminated and left out).
        pieces = names_table.split(b"\0")[:-1]
        # (accumulate yields one offset more than there are names: the end)
        starts = dict(zip(accumulate(map((1).__add__, map(len, pieces)), initial=0), pieces, strict=False))
        names = list(map(starts.get, unique))
    # Offsets that are not the start of a name (all of them in the 1.2 layout): read each to its NUL,
    # after checking what they add up to (overlapping names could amplify a small table).
    missing = [index for index, name in enumerate(names) if name is None]
    if missing:
        begins = [unique[index] for index in missing]
        ends = [names_table.find(b"\0", offset) for offset in begins]
        if min(ends) < 0:
            raise PclntabError(f"the Go function table ({where}) has an unterminated function name")
        StringBudget(len(names_table), "Go function names", PclntabError).charge(sum(ends) - sum(begins))
        for index, name in zip(missing, map(names_table.__getitem__, map(slice, begins, ends)), strict=True):
            names[index] = name
    found = dict.fromkeys(filter(None, names))
    inlined: bytes | None = None
    if layout.format != "1.2":
        # The name table holds the functions' names and their inlined callees' names, nothing else.
        inlined = _frame(dict.fromkeys(filterfalse(found.__contains__, filter(None, pieces))))
    return FunctionTable(layout.format, where, len(found), _frame(found), inlined)


def _frame(names: dict[bytes, None]) -> bytes:
    """``b"\\0a\\0b\\0"``: each name framed by NULs, so a search for ``\\0name\\0`` finds whole names only."""
    return b"\0" + b"\0".join(names) + b"\0" if names else b"\0"


# -- the runtime.pclntab symbol ---------------------------------------------------------------

_SYMBOL_64 = {
    "<": struct.Struct("<IBBHQQ"),
    ">": struct.Struct(">IBBHQQ"),
}  # name, info, other, shndx, value, size
_SYMBOL_32 = {
    "<": struct.Struct("<IIIBBH"),
    ">": struct.Struct(">IIIBBH"),
}  # name, value, size, info, other, shndx


def _symbol_range(image: ElfImage) -> memoryview | None:
    """The bytes from ``runtime.pclntab`` to ``runtime.epclntab`` (else to the symbol's size,
    else to the end of its section), when ``.symtab`` has the symbol."""
    for table in image.sections:
        if table.sh_type != SHT_SYMTAB or table.link >= len(image.sections):
            continue
        strings = bytes(image.section_data(image.sections[table.link]))
        start_name = strings.find(b"\0" + SYMBOL + b"\0") + 1
        if not start_name:
            continue
        end_name = strings.find(b"\0" + END_SYMBOL + b"\0") + 1 or -1
        start = end = None
        for name, value, size, shndx in _symbols(image, table):
            if name == start_name:
                start = (value, size, shndx)
            elif name == end_name:
                end = value
        if start is None:
            continue
        value, size, shndx = start
        if not 0 < shndx < len(image.sections):
            continue
        section = image.sections[shndx]
        relative = value if image.e_type == ET_REL else value - section.addr
        if section.sh_type == SHT_NOBITS or not 0 <= relative < section.size:
            continue
        length = section.size - relative
        if end is not None and value < end:
            length = min(length, end - value)
        elif size:
            length = min(length, size)
        data = image.section_data(section)
        return data[relative : relative + length]
    return None


def _symbols(image: ElfImage, table: Section) -> list[tuple[int, int, int, int]]:
    """(st_name, st_value, st_size, st_shndx) of every entry of a symbol table."""
    order = "<" if image.little_endian else ">"
    record = (_SYMBOL_64 if image.elf_class == 64 else _SYMBOL_32)[order]
    entsize = table.entsize or record.size
    data = image.section_data(table)
    if entsize < record.size:
        return []
    if image.elf_class == 64:
        rows = (record.unpack_from(data, at) for at in range(0, len(data) - record.size + 1, entsize))
        return [(name, value, size, shndx) for name, _info, _other, shndx, value, size in rows]
    rows = (record.unpack_from(data, at) for at in range(0, len(data) - record.size + 1, entsize))
    return [(name, value, size, shndx) for name, value, size, _info, _other, shndx in rows]


# -- the magic scan ---------------------------------------------------------------------------


def _scan(image: ElfImage) -> _Found | None:
    """The first header in the loaded data whose offsets fit and whose first names are function
    names. At most :data:`MAX_SCAN_CANDIDATES` candidates are looked at, each in constant time."""
    pointer = 8 if image.elf_class == 64 else 4
    for at, table in _candidates(image):
        where = f"magic scan at offset {at}"
        try:
            layout = _layout(table, where, pointer)
            if layout is None:
                continue
            sample = _name_offsets(table, layout, where, _SAMPLE_FUNCTIONS)
        except PclntabError:
            continue
        if _implausible_names(table, layout, sample) is None:
            return _Found(table, where, layout)
    return None


def _candidates(image: ElfImage) -> Iterator[tuple[int, memoryview]]:
    """(file offset, bytes to the end of its segment) of each header-shaped match in PT_LOAD data
    (the whole file when there are no program headers)."""
    data = image.data
    file_size = len(data)
    regions = [
        (segment.offset, min(segment.offset + segment.filesz, file_size))
        for segment in image.segments
        if segment.p_type == PT_LOAD and segment.filesz and segment.offset < file_size
    ] or [(0, file_size)]
    count = 0
    for start, end in regions:
        for match in _HEADER_PATTERN.finditer(data, start, end):
            at = match.start()
            if match.end() - at == 7:  # no magic byte after ff ff ff: little-endian, if the one before is
                at -= 1
                if at < start or data[at] not in _LITTLE_ENDIAN_FIRST:
                    continue
            count += 1
            if count > MAX_SCAN_CANDIDATES:
                return
            yield at, data[at:end]
