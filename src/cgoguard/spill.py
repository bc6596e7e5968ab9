"""Per-run state that grows with the corpus, kept on disk once it is large.

A scan of millions of files must not hold something per file in the
``cgoguard`` process: the set of (device, inode) pairs the walker has seen
and the projections the set-level checks compare are the two things that
would. Both live here in SQLite (the standard library's; no other store is
needed for one process's scratch data), in a *private temporary database*:
``sqlite3.connect("")`` makes one that SQLite keeps in its page cache and
spills to an anonymous file (created and unlinked at once in ``$TMPDIR``),
deleted when the connection closes. Nothing is written anywhere a name
can reach, and memory is bounded by the page cache, not by the corpus.
"""

from __future__ import annotations

import sqlite3

# Pages SQLite keeps in memory per connection (negative: KiB), whatever the database's size.
CACHE_KIB = 2048
# Pairs a SpillSet keeps in a Python set before it moves them to disk (about 2.5 MiB).
MEMORY_PAIRS = 16384


def scratch_database() -> sqlite3.Connection:
    """A private temporary database: memory bounded by its page cache, gone when closed."""
    connection = sqlite3.connect("", isolation_level=None, check_same_thread=False)
    connection.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    connection.execute("PRAGMA journal_mode = OFF")  # scratch data: nothing to roll back to
    connection.execute("PRAGMA synchronous = OFF")
    connection.execute("PRAGMA temp_store = FILE")  # sorts for GROUP BY spill too
    return connection


class SpillSet:
    """An exact set of integer pairs (``add`` tells whether one is new): a Python
    set while small, a SQLite table past ``limit`` entries (:data:`MEMORY_PAIRS`), so that the memory
    it takes stops growing there (about 150 bytes per pair in a set of tuples)."""

    def __init__(self, limit: int | None = None) -> None:
        self.limit = MEMORY_PAIRS if limit is None else limit
        self._memory: set[tuple[int, int]] = set()
        self._disk: sqlite3.Connection | None = None
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def __contains__(self, pair: tuple[int, int]) -> bool:
        if pair in self._memory:
            return True
        if self._disk is None:
            return False
        row = self._disk.execute("SELECT 1 FROM seen WHERE a = ? AND b = ?", _signed(pair)).fetchone()
        return row is not None

    def add(self, pair: tuple[int, int]) -> bool:
        """Add ``pair``; False when it was there already."""
        if pair in self:
            return False
        self._size += 1
        if self._disk is None and len(self._memory) < self.limit:
            self._memory.add(pair)
            return True
        if self._disk is None:
            self._disk = scratch_database()
            self._disk.execute("CREATE TABLE seen (a INTEGER, b INTEGER, PRIMARY KEY (a, b)) WITHOUT ROWID")
            self._disk.execute("BEGIN")  # one transaction for the run: scratch data is never committed
            self._disk.executemany("INSERT INTO seen VALUES (?, ?)", map(_signed, self._memory))
            self._memory = set()
        self._disk.execute("INSERT INTO seen VALUES (?, ?)", _signed(pair))
        return True

    def close(self) -> None:
        if self._disk is not None:
            self._disk.close()
            self._disk = None


_TOP = 1 << 63


def _signed(pair: tuple[int, int]) -> tuple[int, int]:
    """SQLite integers are signed 64-bit; device and inode numbers are unsigned."""
    a, b = pair
    return (a - (1 << 64) if a >= _TOP else a, b - (1 << 64) if b >= _TOP else b)
