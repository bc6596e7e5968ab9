"""Bounds on what a reader may produce from a file, so that work and memory stay
proportional to the input whatever its bytes say.

String tables are the amplifier: many entries (symbols, DT_NEEDED, RPATH, section
names, ar long names) may point into one long run without a terminator, and each
would decode to the end of it, so a few hundred KB could decode to gigabytes.
Real tables share suffixes, so decoded names may add up to more than their
table, but not to many times it: over the 1,535 ELF files of a Debian system the
largest ratio seen was 2.7 (on a 30-byte table).
"""

from __future__ import annotations

DECODED_PER_TABLE_BYTE = 4  # decoded strings may add up to this multiple of their table ...
DECODED_EXTRA_BYTES = 1 << 20  # ... plus this much


def decoded_budget(table_size: int) -> int:
    """How many bytes the strings of a ``table_size``-byte table may decode to in all."""
    return DECODED_PER_TABLE_BYTE * table_size + DECODED_EXTRA_BYTES


class StringBudget:
    """Charges every string decoded from one table; raises ``error`` past the budget."""

    __slots__ = ("error", "left", "table_size", "what")

    def __init__(self, table_size: int, what: str, error: type[Exception]) -> None:
        self.table_size = table_size
        self.left = decoded_budget(table_size)
        self.what = what
        self.error = error

    def charge(self, length: int) -> None:
        self.left -= length
        if self.left < 0:
            limit = decoded_budget(self.table_size)
            raise self.error(
                f"the {self.what} would decode to more than {limit:,} bytes from a {self.table_size:,}-byte "
                "table (overlapping or unterminated strings); refusing to amplify them"
            )
