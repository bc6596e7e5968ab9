"""A small, fast ELF reader: headers, segments, sections, dynamic table, symbols, notes.

Why hand-written: pyelftools parses about 500 files/s and LIEF 700-1,300 (headers only), while
cgoguard aims at 1,500 files/s or more for the whole check set on 2 cores. A bare ``struct`` +
``mmap`` pass does about 10,700 files/s, so this module reads the buffer directly with
``struct.unpack_from`` over a ``memoryview`` and allocates nothing per symbol except the name
strings it returns.

Every offset, count and size taken from the file is checked against the buffer before use; a
file that breaks the format raises :class:`MalformedElf` whose message is one sentence for users.
The reader only reports facts (see :mod:`cgoguard.model`); it never judges them.
"""

from __future__ import annotations

import mmap
import re
import struct
from collections.abc import Iterator
from itertools import repeat
from operator import itemgetter
from types import TracebackType

from cgoguard.elfconst import (
    ABI_NOTE_OWNERS,
    DT_BIND_NOW,
    DT_DEBUG,
    DT_FLAGS,
    DT_FLAGS_1,
    DT_GNU_HASH,
    DT_HASH,
    DT_INIT_ARRAYSZ,
    DT_NEEDED,
    DT_NULL,
    DT_RPATH,
    DT_RUNPATH,
    DT_SONAME,
    DT_STRSZ,
    DT_STRTAB,
    DT_SYMBOLIC,
    DT_SYMENT,
    DT_SYMTAB,
    DT_TEXTREL,
    E_TYPE_NAMES,
    ELF_MAGIC,
    ELFCLASS32,
    ELFCLASS64,
    ELFDATA2LSB,
    ELFDATA2MSB,
    EM_386,
    EM_AARCH64,
    EM_X86_64,
    ET_REL,
    GNU_ABI_TAG_OS,
    GNU_PROPERTY_AARCH64_FEATURE_1_AND,
    GNU_PROPERTY_X86_FEATURE_1_AND,
    NT_CGOGUARD_BRIDGE,
    NT_GNU_ABI_TAG,
    NT_GNU_BUILD_ID,
    NT_GNU_PROPERTY_TYPE_0,
    NT_GO_BUILD_ID,
    PN_XNUM,
    PT_DYNAMIC,
    PT_INTERP,
    PT_LOAD,
    PT_NOTE,
    SHF_EXECINSTR,
    SHN_UNDEF,
    SHN_XINDEX,
    SHT_DYNSYM,
    SHT_NOBITS,
    SHT_NOTE,
    SHT_NULL,
    SHT_SYMTAB,
    STT_FILE,
    STT_SECTION,
)
from cgoguard.errors import InputError
from cgoguard.model import BridgeContract, DynamicFacts, ElfFacts, GnuProperties, Section, Segment
from cgoguard.readers.limits import StringBudget

# e_machine -> name. Where one number covers a 32- and a 64-bit flavour the
# class decides (see machine_name); the names follow common usage (readelf, Go).
MACHINE_NAMES = {
    2: "sparc",
    3: "i386",
    8: "mips",
    10: "mips",  # EM_MIPS_RS3_LE
    18: "sparc32plus",
    20: "ppc",
    21: "ppc64",
    40: "arm",
    43: "sparcv9",
    50: "ia64",
    62: "x86-64",
    183: "aarch64",
    243: "riscv",
    258: "loongarch",
}

_HEADER_SIZE = {ELFCLASS32: 52, ELFCLASS64: 64}
_PHDR_SIZE = {ELFCLASS32: 32, ELFCLASS64: 56}
_SHDR_SIZE = {ELFCLASS32: 40, ELFCLASS64: 64}
_DYN_SIZE = {ELFCLASS32: 8, ELFCLASS64: 16}
_SYM_SIZE = {ELFCLASS32: 16, ELFCLASS64: 24}


class MalformedElf(InputError):
    """The bytes break the ELF format; the message is one sentence for users."""


def is_elf(prefix: bytes) -> bool:
    """True when ``prefix`` (the first bytes of a file) starts with the ELF magic."""
    return prefix[:4] == ELF_MAGIC


def machine_name(e_machine: int, elf_class: int) -> str:
    if e_machine == 22:  # EM_S390 covers both s390 and s390x
        return "s390x" if elf_class == 64 else "s390"
    return MACHINE_NAMES.get(e_machine, f"EM_{e_machine}")


def _c_string(table: bytes, offset: int, budget: StringBudget) -> str:
    """The NUL-terminated string at ``offset`` (an unterminated tail counts as a string)."""
    end = table.find(b"\0", offset)
    if end < 0:
        end = len(table)
    budget.charge(end - offset)
    return table[offset:end].decode("utf-8", "backslashreplace")


def _align_up(value: int, alignment: int) -> int:
    return (value + alignment - 1) & ~(alignment - 1)


class _Layout:
    """struct formats for one (class, byte order) pair, compiled once per process."""

    __slots__ = ("dyn", "dyn_size", "header", "note", "phdr", "shdr", "sym", "u32", "word")

    def __init__(self, is64: bool, little_endian: bool) -> None:
        order = "<" if little_endian else ">"
        if is64:
            self.header = struct.Struct(order + "HHIQQQIHHHHHH")
            # p_type, p_flags, p_offset, p_vaddr, (p_paddr), p_filesz, p_memsz, p_align
            self.phdr = struct.Struct(order + "IIQQ8xQQQ")
            self.shdr = struct.Struct(order + "IIQQQQIIQQ")
            self.dyn = struct.Struct(order + "QQ")
            # st_name, st_info, (st_other), st_shndx, (st_value, st_size)
            self.sym = struct.Struct(order + "IBxH16x")
            self.word = struct.Struct(order + "Q")
        else:
            self.header = struct.Struct(order + "HHIIIIIHHHHHH")
            # p_type, p_offset, p_vaddr, (p_paddr), p_filesz, p_memsz, p_flags, p_align
            self.phdr = struct.Struct(order + "III4xIIII")
            self.shdr = struct.Struct(order + "IIIIIIIIII")
            self.dyn = struct.Struct(order + "II")
            # st_name, (st_value, st_size), st_info, (st_other), st_shndx
            self.sym = struct.Struct(order + "I8xBxH")
            self.word = struct.Struct(order + "I")
        self.dyn_size = self.dyn.size
        self.note = struct.Struct(order + "III")
        self.u32 = struct.Struct(order + "I")


_LAYOUTS = {(is64, little): _Layout(is64, little) for is64 in (False, True) for little in (False, True)}


class ElfImage:
    """The parsed skeleton of one ELF image held in memory.

    The ELF header, program headers and section headers (with names) are read eagerly; both
    tables are checked against the buffer. Everything else is read on demand from ``data``.
    ``sections`` is index-aligned with the file (entry 0 is the null section when present), so
    a symbol's ``st_shndx`` indexes it directly.

    The image holds a ``memoryview`` on the buffer; call :meth:`close` (or use ``with``) before
    closing an ``mmap`` that was passed in.
    """

    __slots__ = (
        "_by_name",
        "_layout",
        "data",
        "e_machine",
        "e_type",
        "elf_class",
        "entry",
        "little_endian",
        "os_abi",
        "sections",
        "segments",
    )

    def __init__(self, data: bytes | bytearray | memoryview | mmap.mmap) -> None:
        view = memoryview(data)
        if view.ndim != 1 or view.itemsize != 1:
            view = view.cast("B")
        self.data = view
        try:
            self._parse_headers()
        except MalformedElf:
            # A traceback keeps this frame alive; don't let it pin the caller's mmap too.
            view.release()
            raise

    def _parse_headers(self) -> None:
        view = self.data
        size = len(view)
        if view[:4] != ELF_MAGIC:
            raise MalformedElf("the file does not start with the ELF magic bytes 7f 45 4c 46")
        if size < 16:
            raise MalformedElf(f"the file is {size} bytes long, too short for the 16-byte ELF identification")
        ei_class = view[4]
        ei_data = view[5]
        if ei_class not in _HEADER_SIZE:
            raise MalformedElf(f"the ELF class byte is {ei_class}, expected 1 (32-bit) or 2 (64-bit)")
        if ei_data not in (ELFDATA2LSB, ELFDATA2MSB):
            raise MalformedElf(
                f"the ELF data encoding byte is {ei_data}, expected 1 (little-endian) or 2 (big-endian)"
            )
        header_size = _HEADER_SIZE[ei_class]
        if size < header_size:
            raise MalformedElf(
                f"the file is {size} bytes long, shorter than the {header_size}-byte ELF header"
            )
        self.elf_class = 64 if ei_class == ELFCLASS64 else 32
        self.os_abi = view[7]  # EI_OSABI
        self.little_endian = ei_data == ELFDATA2LSB
        layout = _LAYOUTS[(ei_class == ELFCLASS64, self.little_endian)]
        self._layout = layout
        (
            self.e_type,
            self.e_machine,
            _version,
            self.entry,
            phoff,
            shoff,
            _flags,
            _ehsize,
            phentsize,
            phnum,
            shentsize,
            shnum,
            shstrndx,
        ) = layout.header.unpack_from(view, 16)

        self.sections = self._read_section_headers(shoff, shentsize, shnum, shstrndx)
        if phnum == PN_XNUM and self.sections:
            phnum = self.sections[0].info
        self.segments = self._read_program_headers(phoff, phentsize, phnum)
        by_name: dict[str, Section] = {}
        for section in self.sections:
            by_name.setdefault(section.name, section)
        self._by_name = by_name

    # -- construction helpers -------------------------------------------------------------

    def _table_bounds(self, what: str, offset: int, entsize: int, count: int) -> None:
        ei_class = ELFCLASS64 if self.elf_class == 64 else ELFCLASS32
        minimum = (_PHDR_SIZE if what == "program" else _SHDR_SIZE)[ei_class]
        if entsize < minimum:
            raise MalformedElf(
                f"the {what} header entry size is {entsize} bytes, smaller than the {minimum} bytes "
                f"a {self.elf_class}-bit ELF file needs"
            )
        end = offset + entsize * count
        if end > len(self.data):
            raise MalformedElf(
                f"the {what} header table extends past the end of the file "
                f"(offset {offset:#x}, {count} entries of {entsize} bytes, file size {len(self.data):#x})"
            )

    def _read_program_headers(self, phoff: int, phentsize: int, phnum: int) -> list[Segment]:
        if phnum == 0:
            return []
        self._table_bounds("program", phoff, phentsize, phnum)
        unpack = self._layout.phdr.unpack_from
        view = self.data
        segments = []
        if self.elf_class == 64:
            for index in range(phnum):
                p_type, flags, offset, vaddr, filesz, memsz, align = unpack(view, phoff + index * phentsize)
                segments.append(Segment(p_type, flags, offset, vaddr, filesz, memsz, align))
        else:
            for index in range(phnum):
                p_type, offset, vaddr, filesz, memsz, flags, align = unpack(view, phoff + index * phentsize)
                segments.append(Segment(p_type, flags, offset, vaddr, filesz, memsz, align))
        return segments

    def _read_section_headers(self, shoff: int, shentsize: int, shnum: int, shstrndx: int) -> list[Section]:
        if shoff == 0:
            return []
        unpack = self._layout.shdr.unpack_from
        view = self.data
        if shnum == 0 or shstrndx == SHN_XINDEX:
            # Extended numbering: section 0 holds the real count (sh_size) and index (sh_link).
            self._table_bounds("section", shoff, shentsize, 1)
            first = unpack(view, shoff)
            if shnum == 0:
                shnum = first[5]
            if shstrndx == SHN_XINDEX:
                shstrndx = first[6]
            if shnum == 0:
                return []
        self._table_bounds("section", shoff, shentsize, shnum)
        raw = [unpack(view, shoff + index * shentsize) for index in range(shnum)]
        names = self._section_name_table(raw, shstrndx)
        file_size = len(view)
        sections = []
        budget = StringBudget(len(names or b""), "section names", MalformedElf)
        for index, (
            name_offset,
            sh_type,
            flags,
            addr,
            offset,
            size,
            link,
            info,
            addralign,
            entsize,
        ) in enumerate(raw):
            if names is None:
                name = ""
            else:
                if name_offset >= len(names):
                    raise MalformedElf(
                        f"the name of section {index} starts at offset {name_offset:#x}, past the end of "
                        f"the section name table ({len(names):#x} bytes)"
                    )
                name = _c_string(names, name_offset, budget)
            if sh_type not in (SHT_NULL, SHT_NOBITS) and offset + size > file_size:
                raise MalformedElf(
                    f"section {index} ({name or 'unnamed'}) extends past the end of the file "
                    f"(offset {offset:#x}, size {size:#x}, file size {file_size:#x})"
                )
            sections.append(Section(name, sh_type, flags, addr, offset, size, link, info, entsize, addralign))
        return sections

    def _section_name_table(self, raw: list[tuple[int, ...]], shstrndx: int) -> bytes | None:
        if shstrndx == SHN_UNDEF:
            return None
        if shstrndx >= len(raw):
            raise MalformedElf(
                f"the section name table index {shstrndx} is out of range (the file has {len(raw)} sections)"
            )
        sh_type, offset, size = raw[shstrndx][1], raw[shstrndx][4], raw[shstrndx][5]
        if sh_type == SHT_NOBITS:
            return b""
        if offset + size > len(self.data):
            raise MalformedElf(
                f"the section name table extends past the end of the file "
                f"(offset {offset:#x}, size {size:#x}, file size {len(self.data):#x})"
            )
        return bytes(self.data[offset : offset + size])

    # -- public API ----------------------------------------------------------------------

    def section(self, name: str) -> Section | None:
        """The first section called ``name``, or None."""
        return self._by_name.get(name)

    def section_data(self, section: Section) -> memoryview:
        """The bytes of ``section`` (empty for SHT_NOBITS); raises MalformedElf when out of bounds."""
        if section.sh_type == SHT_NOBITS or section.size == 0:
            return self.data[0:0]
        end = section.offset + section.size
        if end > len(self.data):
            raise MalformedElf(
                f"section {section.name or 'unnamed'} extends past the end of the file "
                f"(offset {section.offset:#x}, size {section.size:#x}, file size {len(self.data):#x})"
            )
        return self.data[section.offset : end]

    def segment_data(self, segment: Segment) -> memoryview:
        """The file bytes of ``segment``; raises MalformedElf when they lie outside the file."""
        end = segment.offset + segment.filesz
        if end > len(self.data):
            raise MalformedElf(
                f"a segment of type {segment.p_type:#x} extends past the end of the file "
                f"(offset {segment.offset:#x}, size {segment.filesz:#x}, file size {len(self.data):#x}); "
                "the file is truncated or is a separate debug-info file"
            )
        return self.data[segment.offset : end]

    def vaddr_view(self, addr: int, size: int | None = None) -> memoryview | None:
        """File bytes at virtual address ``addr``: ``size`` bytes, or up to the end of the
        containing segment when ``size`` is None.

        Only PT_LOAD segments with file content count: patchelf moves the empty PT_GNU_STACK
        right after the first PT_LOAD, and a reader that accepts zero-sized segments maps every
        address into it. Returns None when the range is not backed by file bytes.
        """
        file_size = len(self.data)
        for segment in self.segments:
            if segment.p_type != PT_LOAD or segment.filesz == 0:
                continue
            start = addr - segment.vaddr
            if start < 0 or start >= segment.filesz:
                continue
            available = segment.filesz - start
            if size is None:
                size = available
            elif size > available:
                return None
            offset = segment.offset + start
            if offset + size > file_size:
                return None
            return self.data[offset : offset + size]
        return None

    def read_vaddr(self, addr: int, size: int) -> bytes | None:
        """``size`` bytes at virtual address ``addr`` (see :meth:`vaddr_view`), or None."""
        view = self.vaddr_view(addr, size)
        return None if view is None else bytes(view)

    def close(self) -> None:
        """Release the buffer so that an mmap passed in can be closed."""
        self.data.release()

    def __enter__(self) -> ElfImage:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


# -- facts -----------------------------------------------------------------------------------


def read_elf_facts(image: ElfImage, *, static_symbols: bool = False) -> ElfFacts:
    """Read every :class:`ElfFacts` field from ``image``.

    With ``static_symbols`` the (possibly large) ``.symtab`` is walked too.
    Raises :class:`MalformedElf` when a table the facts depend on is broken.
    """
    interpreter = _read_interpreter(image)
    dynamic_segment = next((s for s in image.segments if s.p_type == PT_DYNAMIC), None)
    dynamic: DynamicFacts | None = None
    exports: list[str] = []
    imports: list[str] = []
    if dynamic_segment is not None:
        tags = _read_dynamic_tags(image, dynamic_segment)
        dynamic_strings = _dynamic_string_table(image, tags)
        dynamic = _dynamic_facts(tags, dynamic_strings)
    else:
        tags, dynamic_strings = [], None
    dynsym = next((s for s in image.sections if s.sh_type == SHT_DYNSYM), None)
    if dynsym is not None:
        exports, imports = _split_symbols(image, dynsym)
    elif dynamic_segment is not None:
        exports, imports = _dynamic_symbols_without_sections(image, tags, dynamic_strings)

    build_id, go_build_id, properties, abi_note, contract = _read_notes(image)
    has_symtab = False
    has_debug_info = False
    gnu_stack_flags = None
    code_size = 0
    for section in image.sections:
        if section.flags & SHF_EXECINSTR and section.sh_type != SHT_NOBITS:
            code_size += section.size
        if section.sh_type == SHT_SYMTAB:
            has_symtab = True
        elif section.name in (".debug_info", ".zdebug_info") and section.sh_type != SHT_NOBITS:
            has_debug_info = True
        elif section.name == ".note.GNU-stack" and image.e_type == ET_REL and gnu_stack_flags is None:
            gnu_stack_flags = section.flags
    facts = ElfFacts(
        elf_class=image.elf_class,
        little_endian=image.little_endian,
        e_type=E_TYPE_NAMES.get(image.e_type, f"{image.e_type:#06x}"),
        e_machine=image.e_machine,
        machine=machine_name(image.e_machine, image.elf_class),
        entry=image.entry,
        interpreter=interpreter,
        segments=list(image.segments),
        section_names=[s.name for s in image.sections[1:]],
        dynamic=dynamic,
        exports=exports,
        imports=imports,
        has_symtab=has_symtab,
        has_debug_info=has_debug_info,
        build_id=build_id,
        go_build_id=go_build_id,
        properties=properties,
        comment=_read_comment(image),
        os_abi=image.os_abi,
        abi_note=abi_note,
        gnu_stack_section_flags=gnu_stack_flags,
        code_size=code_size if len(image.sections) > 1 else None,
        bridge_contract=contract,
    )
    if static_symbols:
        defined: list[str] = []
        undefined: list[str] = []
        for section in image.sections:
            if section.sh_type == SHT_SYMTAB:
                section_defined, section_undefined = _split_symbols(image, section)
                defined += section_defined
                undefined += section_undefined
        facts.static_symbols = defined
        facts.static_undefined = undefined
    return facts


def _read_interpreter(image: ElfImage) -> str | None:
    for segment in image.segments:
        if segment.p_type == PT_INTERP:
            raw = bytes(image.segment_data(segment))
            return raw.split(b"\0", 1)[0].decode("utf-8", "backslashreplace")
    return None


def _read_dynamic_tags(image: ElfImage, segment: Segment) -> list[tuple[int, int]]:
    """(d_tag, d_val) pairs up to DT_NULL, read through the segment (section headers may be gone)."""
    layout = image._layout
    table = image.segment_data(segment)
    usable = len(table) - len(table) % layout.dyn_size
    tags = []
    for tag, value in layout.dyn.iter_unpack(table[:usable]):
        if tag == DT_NULL:
            break
        tags.append((tag, value))
    return tags


def _dynamic_string_table(image: ElfImage, tags: list[tuple[int, int]]) -> bytes | None:
    """The DT_STRTAB bytes, mapped through PT_LOAD; falls back to the .dynstr section.

    Returns None when the table has no string table at all; raises MalformedElf when it names
    one that cannot be found in the file.
    """
    address = size = None
    for tag, value in tags:
        if tag == DT_STRTAB:
            address = value
        elif tag == DT_STRSZ:
            size = value
    if address is None:
        return None
    view = image.vaddr_view(address)
    if view is not None:
        return bytes(view if size is None or size > len(view) else view[:size])
    dynstr = image.section(".dynstr")
    if dynstr is not None and dynstr.sh_type != SHT_NOBITS:
        return bytes(image.section_data(dynstr))
    raise MalformedElf(
        f"the dynamic string table address {address:#x} (DT_STRTAB) is not inside any loaded segment"
    )


def _dynamic_facts(tags: list[tuple[int, int]], strings: bytes | None) -> DynamicFacts:
    facts = DynamicFacts()
    budget = StringBudget(len(strings or b""), "dynamic strings (DT_NEEDED, RPATH, ...)", MalformedElf)

    def text(tag: int, offset: int) -> str:
        if strings is None or offset >= len(strings):
            raise MalformedElf(
                f"dynamic entry {tag} points at string offset {offset:#x}, outside the dynamic "
                f"string table ({0 if strings is None else len(strings):#x} bytes)"
            )
        return _c_string(strings, offset, budget)

    for tag, value in tags:
        if tag == DT_NEEDED:
            facts.needed.append(text(tag, value))
        elif tag == DT_SONAME:
            facts.soname = text(tag, value)
        elif tag == DT_RPATH:
            # Several entries are legal and searched in order; empty entries mean the current directory.
            # extend, not +: thousands of entries must not copy the list each time
            facts.rpath = facts.rpath if facts.rpath is not None else []
            facts.rpath.extend(text(tag, value).split(":"))
        elif tag == DT_RUNPATH:
            facts.runpath = facts.runpath if facts.runpath is not None else []
            facts.runpath.extend(text(tag, value).split(":"))
        elif tag == DT_FLAGS:
            facts.flags |= value
        elif tag == DT_FLAGS_1:
            facts.flags_1 |= value
        elif tag == DT_BIND_NOW:
            facts.has_bind_now_tag = True
        elif tag == DT_TEXTREL:
            facts.has_textrel_tag = True
        elif tag == DT_DEBUG:
            facts.has_debug_tag = True
        elif tag == DT_SYMBOLIC:
            facts.has_symbolic_tag = True
        elif tag == DT_INIT_ARRAYSZ:
            facts.init_array_size = value
    return facts


def _symbol_names(
    image: ElfImage, table: memoryview, entsize: int, strings: bytes
) -> tuple[list[str], list[str]]:
    """Split a symbol table into (defined, undefined) names.

    Skips the null symbol, section and file symbols and nameless entries; removes the
    ``@VERSION`` / ``@@VERSION`` suffix that .symtab names carry for versioned symbols.
    """
    layout = image._layout
    if entsize < layout.sym.size:
        raise MalformedElf(
            f"the symbol entry size is {entsize} bytes, smaller than the {layout.sym.size} bytes "
            f"a {image.elf_class}-bit ELF file needs"
        )
    count = len(table) // entsize
    if count == 0:
        return [], []
    if entsize == layout.sym.size:
        table = table[: count * entsize]

        def records() -> Iterator[tuple[int, int, int]]:
            # Lazy: each tuple is dropped before the next is made, so the walk does not grow memory.
            return layout.sym.iter_unpack(table)
    else:
        unpack = layout.sym.unpack_from

        def records() -> Iterator[tuple[int, int, int]]:
            return (unpack(table, index * entsize) for index in range(count))

    largest_offset = max(map(itemgetter(0), records()))
    if largest_offset >= len(strings):
        raise MalformedElf(
            f"a symbol name starts at offset {largest_offset:#x}, past the end of its string table "
            f"({len(strings):#x} bytes)"
        )
    # latin-1 maps each byte to one character, so string offsets stay byte offsets; the final
    # NUL makes every find() succeed. Non-ASCII names are re-decoded as UTF-8 below.
    text = strings.decode("latin-1") + "\0"
    find = text.find
    skipped_types = (STT_SECTION, STT_FILE)
    defined_at = [
        offset
        for offset, info, shndx in records()
        if shndx != SHN_UNDEF and offset and (info & 0xF) not in skipped_types
    ]
    undefined_at = [
        offset
        for offset, info, shndx in records()
        if shndx == SHN_UNDEF and offset and (info & 0xF) not in skipped_types
    ]
    defined_end = list(map(find, repeat("\0"), defined_at))
    undefined_end = list(map(find, repeat("\0"), undefined_at))
    # Names are slices of one table: bound what they add up to before making them (readers/limits.py).
    decoded = sum(defined_end) - sum(defined_at) + sum(undefined_end) - sum(undefined_at)
    StringBudget(len(strings), f"{len(defined_at) + len(undefined_at):,} symbol names", MalformedElf).charge(
        decoded
    )
    defined = list(map(text.__getitem__, map(slice, defined_at, defined_end)))
    undefined = list(map(text.__getitem__, map(slice, undefined_at, undefined_end)))
    return _clean_names(defined, text), _clean_names(undefined, text)


def _clean_names(names: list[str], text: str) -> list[str]:
    """Drop empty names, strip version suffixes, decode non-ASCII names as UTF-8."""
    if "@" in text:
        names = [name.partition("@")[0] for name in names]
    if "" in names:
        names = [name for name in names if name]
    if not text.isascii():
        names = [
            name if name.isascii() else name.encode("latin-1").decode("utf-8", "backslashreplace")
            for name in names
        ]
    return names


def _split_symbols(image: ElfImage, section: Section) -> tuple[list[str], list[str]]:
    """(defined, undefined) names of a SHT_SYMTAB/SHT_DYNSYM section."""
    if section.sh_type == SHT_NOBITS or section.size == 0:
        return [], []
    if section.link >= len(image.sections):
        raise MalformedElf(
            f"symbol table {section.name or 'unnamed'} links to string table section {section.link}, "
            f"which does not exist (the file has {len(image.sections)} sections)"
        )
    strings = bytes(image.section_data(image.sections[section.link]))
    entsize = section.entsize or image._layout.sym.size
    return _symbol_names(image, image.section_data(section), entsize, strings)


def _dynamic_symbols_without_sections(
    image: ElfImage, tags: list[tuple[int, int]], strings: bytes | None
) -> tuple[list[str], list[str]]:
    """Dynamic symbols of a file without section headers: DT_SYMTAB, counted via the hash tables."""
    values = dict(tags)
    address = values.get(DT_SYMTAB)
    if address is None:
        return [], []
    if strings is None:
        raise MalformedElf("the dynamic table has a symbol table (DT_SYMTAB) but no string table (DT_STRTAB)")
    entsize = values.get(DT_SYMENT) or image._layout.sym.size
    if DT_GNU_HASH in values:
        count = _gnu_hash_symbol_count(image, values[DT_GNU_HASH])
    elif DT_HASH in values:
        header = image.read_vaddr(values[DT_HASH], 8)
        if header is None:
            raise MalformedElf(f"the DT_HASH address {values[DT_HASH]:#x} is not inside any loaded segment")
        count = image._layout.u32.unpack_from(header, 4)[0]
    else:
        # Without a hash table nothing says how long the table is.
        return [], []
    table = image.vaddr_view(address, count * entsize)
    if table is None:
        raise MalformedElf(
            f"the dynamic symbol table ({count} entries at {address:#x}, DT_SYMTAB) is not inside "
            "any loaded segment"
        )
    return _symbol_names(image, table, entsize, strings)


def _gnu_hash_symbol_count(image: ElfImage, address: int) -> int:
    """Number of .dynsym entries implied by a GNU hash table: the end of the longest chain."""
    u32 = image._layout.u32
    word_size = 8 if image.elf_class == 64 else 4
    table = image.vaddr_view(address)
    if table is None or len(table) < 16:
        raise MalformedElf(f"the DT_GNU_HASH address {address:#x} is not inside any loaded segment")
    bucket_count: int
    symbol_offset: int
    bloom_words: int
    bucket_count, symbol_offset, bloom_words, _shift = struct.unpack_from(
        "<4I" if image.little_endian else ">4I", table
    )
    buckets_at = 16 + bloom_words * word_size
    chains_at = buckets_at + 4 * bucket_count
    if chains_at > len(table):
        raise MalformedElf(f"the GNU hash table at {address:#x} extends past its segment")
    order = "<" if image.little_endian else ">"
    buckets = struct.unpack_from(f"{order}{bucket_count}I", table, buckets_at)
    last = max(buckets, default=0)
    if last < symbol_offset:
        return symbol_offset
    index = last
    while True:
        position = chains_at + 4 * (index - symbol_offset)
        if position + 4 > len(table):
            raise MalformedElf(f"a chain of the GNU hash table at {address:#x} runs past its segment")
        if u32.unpack_from(table, position)[0] & 1:
            return index + 1
        index += 1


def _note_areas(image: ElfImage) -> Iterator[tuple[memoryview, int]]:
    """(bytes, alignment) of every PT_NOTE segment, then of every SHT_NOTE section."""
    for segment in image.segments:
        if segment.p_type == PT_NOTE and segment.filesz:
            yield image.segment_data(segment), segment.align
    for section in image.sections:
        if section.sh_type == SHT_NOTE:
            yield image.section_data(section), section.addralign


def _read_notes(
    image: ElfImage,
) -> tuple[str | None, str | None, GnuProperties, str | None, BridgeContract | None]:
    """GNU build-id (hex), Go build-id (text), GNU property bits, the
    operating system an ABI note names (see :data:`ABI_NOTE_OWNERS`) and the
    contract of a `cgoguard bridge` library; the first of each wins."""
    contract: BridgeContract | None = None
    build_id: str | None = None
    go_build_id: str | None = None
    abi_note: str | None = None
    properties = GnuProperties()
    header = image._layout.note
    for area, alignment in _note_areas(image):
        # Notes are 4-aligned except in 8-aligned areas (.note.gnu.property on 64-bit).
        padding = 8 if alignment == 8 else 4
        position = 0
        while position + 12 <= len(area):
            name_size, desc_size, note_type = header.unpack_from(area, position)
            desc_at = _align_up(position + 12 + name_size, padding)
            desc_end = desc_at + desc_size
            if desc_end > len(area):
                raise MalformedElf(
                    f"a note (name size {name_size}, description size {desc_size}) runs past the end "
                    f"of its {len(area)}-byte note area"
                )
            name = bytes(area[position + 12 : position + 12 + name_size]).rstrip(b"\0")
            if name == b"GNU":
                if note_type == NT_GNU_BUILD_ID and build_id is None:
                    build_id = area[desc_at:desc_end].hex()
                elif note_type == NT_GNU_PROPERTY_TYPE_0:
                    _read_gnu_properties(image, area[desc_at:desc_end], properties)
                elif note_type == NT_GNU_ABI_TAG and abi_note is None and desc_size >= 4:
                    os_word = image._layout.u32.unpack_from(area, desc_at)[0]
                    abi_note = GNU_ABI_TAG_OS.get(os_word, f"GNU ABI tag {os_word}")
            elif name == b"Go" and note_type == NT_GO_BUILD_ID and go_build_id is None:
                raw = bytes(area[desc_at:desc_end]).rstrip(b"\0")
                go_build_id = raw.decode("utf-8", "backslashreplace")
            elif name in ABI_NOTE_OWNERS and abi_note is None:
                abi_note = ABI_NOTE_OWNERS[name]
            elif name == b"cgoguard" and note_type == NT_CGOGUARD_BRIDGE and contract is None:
                contract = _bridge_contract(bytes(area[desc_at:desc_end]))
            position = _align_up(desc_end, padding)
    return build_id, go_build_id, properties, abi_note, contract


def _bridge_contract(desc: bytes) -> BridgeContract | None:
    """``contract=1;library=x;prefix=x;checksum=<hex>;functions=N``; None when it is not that."""
    text = desc.split(b"\0", 1)[0].decode("utf-8", "replace")
    fields = dict(part.partition("=")[::2] for part in text.split(";") if "=" in part)
    checksum = fields.get("checksum", "")
    if not fields.get("contract") or not re.fullmatch(r"[0-9a-f]{1,64}", checksum):
        return None
    functions = fields.get("functions", "")
    return BridgeContract(
        contract=fields["contract"][:16],
        library=fields.get("library", "")[:128],
        prefix=fields.get("prefix", "")[:128],
        checksum=checksum,
        functions=int(functions) if functions.isdigit() and len(functions) < 9 else 0,
    )


def _read_gnu_properties(image: ElfImage, desc: memoryview, properties: GnuProperties) -> None:
    """Fill the FEATURE_1_AND bits of an NT_GNU_PROPERTY_TYPE_0 description (first value wins)."""
    u32 = image._layout.u32
    padding = 8 if image.elf_class == 64 else 4
    position = 0
    while position + 8 <= len(desc):
        pr_type, data_size = u32.unpack_from(desc, position)[0], u32.unpack_from(desc, position + 4)[0]
        data_at = position + 8
        if data_at + data_size > len(desc):
            raise MalformedElf(
                f"a GNU property (type {pr_type:#x}, {data_size} bytes) runs past the end of its note"
            )
        if data_size >= 4:
            value = u32.unpack_from(desc, data_at)[0]
            # Processor-specific types: the same number means different things per machine.
            if (
                pr_type == GNU_PROPERTY_X86_FEATURE_1_AND
                and image.e_machine in (EM_386, EM_X86_64)
                and properties.x86_feature_1_and is None
            ):
                properties.x86_feature_1_and = value
            elif (
                pr_type == GNU_PROPERTY_AARCH64_FEATURE_1_AND
                and image.e_machine == EM_AARCH64
                and properties.aarch64_feature_1_and is None
            ):
                properties.aarch64_feature_1_and = value
        position = _align_up(data_at + data_size, padding)


def _read_comment(image: ElfImage) -> list[str]:
    section = image.section(".comment")
    if section is None:
        return []
    raw = bytes(image.section_data(section))
    return [part.decode("utf-8", "backslashreplace") for part in raw.split(b"\0") if part]
