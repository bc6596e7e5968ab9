"""Which standard-library crypto packages a Go image links.

Function names in the function table (readers/pclntab.py) survive ``-s -w``
stripping, and every function of package ``crypto/x`` is named
``crypto/x.<name>``. Inlined-only functions count too (crypto code inlined
into a caller is crypto code in the image); Go 1.2-1.15 tables do not list
those. A name must start with ``crypto``, which keeps ``vendor/.../crypto/``
paths out.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cgoguard.readers.pclntab import PclntabError, all_names

if TYPE_CHECKING:
    from cgoguard.model import FunctionTable
    from cgoguard.readers.elf import ElfImage

_CRYPTO_FUNCTION = re.compile(rb"\x00(crypto(?:/[a-z0-9_]+)*)\.")


def crypto_packages(image: ElfImage) -> list[str] | None:
    """Distinct crypto package paths with functions in the image; None when
    the image has no readable function table."""
    try:
        names = all_names(image)
    except PclntabError:
        return None
    return None if names is None else _packages(names)


def crypto_packages_in(table: FunctionTable) -> list[str]:
    """:func:`crypto_packages` from a table already read."""
    return _packages(table.blob + (table.inlined or b""))


def _packages(names: bytes) -> list[str]:
    return sorted({match.decode() for match in _CRYPTO_FUNCTION.findall(names)})
