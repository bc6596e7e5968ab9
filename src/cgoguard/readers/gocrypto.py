"""Which standard-library crypto packages a Go image links.

Function names in ``.gopclntab`` survive ``-s -w`` stripping, and every
function of package ``crypto/x`` is named ``crypto/x.<name>``. Names start
right after a NUL byte in the name table, which keeps ``vendor/.../crypto/``
paths and strings that merely contain the word out.
"""

from __future__ import annotations

import re

from cgoguard.readers.elf import ElfImage

# The name table and the file table share the section: "crypto/aes/aes.go"
# is a file name, not a package, hence the look-ahead.
_CRYPTO_FUNCTION = re.compile(rb"\x00(crypto(?:/[a-z0-9_]+)*)\.(?!(?:go|s|c|h)\x00)")


def crypto_packages(image: ElfImage) -> list[str] | None:
    """Distinct crypto package paths with functions in the image; None when
    the image has no readable ``.gopclntab``."""
    section = image.section(".gopclntab")
    if section is None or section.size == 0:
        return None
    data = image.section_data(section)
    try:
        found = {m.decode() for m in _CRYPTO_FUNCTION.findall(data)}
    finally:
        data.release()
    return sorted(found)
