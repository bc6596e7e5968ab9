"""Which standard-library crypto packages a Go image links.

Function names in ``.gopclntab`` survive ``-s -w`` stripping, and every
function of package ``crypto/x`` is named ``crypto/x.<name>``. Only the
function-name table inside ``.gopclntab`` is searched (its bounds come from
the table's header); names start right after a NUL byte, which keeps
``vendor/.../crypto/`` paths out.
"""

from __future__ import annotations

import re
import struct

from cgoguard.readers.elf import ElfImage

# The look-ahead keeps file names ("crypto/aes/aes.go") out when the whole
# section has to be searched (unknown table layout).
_CRYPTO_FUNCTION = re.compile(rb"\x00(crypto(?:/[a-z0-9_]+)*)\.(?!(?:go|s|c|h)\x00)")

# runtime/symtab.go pcHeader magics: Go 1.16-1.17, 1.18-1.19, 1.20+.
_MAGIC_116, _MAGIC_118, _MAGIC_120 = 0xFFFFFFFA, 0xFFFFFFF0, 0xFFFFFFF1


def _funcname_table(table: memoryview, little_endian: bool) -> tuple[int, int] | None:
    """(start, end) of the function-name table, or None if the header is not understood."""
    if len(table) < 8:
        return None
    order = "<" if little_endian else ">"
    (magic,) = struct.unpack_from(order + "I", table, 0)
    ptr_size = table[7]
    if ptr_size not in (4, 8) or magic not in (_MAGIC_116, _MAGIC_118, _MAGIC_120):
        return None
    word = "Q" if ptr_size == 8 else "I"
    # nfunc, nfiles, [textStart,] funcnameOffset, cuOffset
    fields = 5 if magic != _MAGIC_116 else 4
    if len(table) < 8 + fields * ptr_size:
        return None
    values = struct.unpack_from(order + word * fields, table, 8)
    start, end = values[-2], values[-1]
    if not 0 < start < end <= len(table):
        return None
    return start - 1, end  # include the byte before the first name so it can match too


def crypto_packages(image: ElfImage) -> list[str] | None:
    """Distinct crypto package paths with functions in the image; None when
    the image has no readable ``.gopclntab``."""
    section = image.section(".gopclntab")
    if section is None or section.size == 0:
        return None
    data = image.section_data(section)
    try:
        bounds = _funcname_table(data, image.little_endian) or (0, len(data))
        found = {m.decode() for m in _CRYPTO_FUNCTION.findall(data, *bounds)}
    finally:
        data.release()
    return sorted(found)
