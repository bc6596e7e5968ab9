"""Where the set-level projections of one run wait for the set stage.

Every readable image's :class:`~cgoguard.model.SetMember` must be kept until
the last file is scanned, since a set-level check compares images across the
run. Held in a list they cost about 1 KiB each (a fleet's ten million files:
10 GB in the ``cgoguard`` process); here they go into a private scratch
database (:mod:`cgoguard.spill`) as they arrive, filed under their group
(:func:`cgoguard.checks.groups.group_key`: what loads together), and the
checks read them back group by group and only the ones they compare: Go
images, copies with one digest, libraries by name. The memory a run takes
then follows what the checks hold, not the corpus.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable, Iterable, Iterator

from cgoguard.model import GroupRow, SetMember
from cgoguard.spill import scratch_database

GroupKey = tuple[str, str, str]  # outermost container ("" for the run's own files), machine, system

_SCHEMA = """
CREATE TABLE members (
    seq INTEGER PRIMARY KEY,  -- run order
    grp INTEGER NOT NULL,
    go INTEGER NOT NULL,      -- the image has Go code (a Go build mode)
    kind TEXT,
    sha256 TEXT,
    library TEXT,             -- groups.library_name: what makes two libraries copies
    soname TEXT,
    name TEXT,                -- file name inside its container
    member BLOB NOT NULL      -- the SetMember, pickled
)
"""
# Built once, when the first group is read: faster than keeping them up to date row by row.
_INDEXES = (
    "CREATE INDEX by_group ON members (grp, seq)",
    "CREATE INDEX by_go ON members (grp, go)",
    "CREATE INDEX by_digest ON members (grp, sha256)",
    "CREATE INDEX by_library ON members (grp, library)",
)
_BATCH = 512


class SetStore:
    """Members filed by group as they arrive; read back by group (see the module docstring).

    The pickles are read only from this process's own unnamed scratch
    database, which nothing else can open: never from a file a name leads to."""

    def __init__(
        self,
        group_key: Callable[[SetMember], GroupKey | None],
        library_name: Callable[[SetMember], str | None],
    ) -> None:
        self._group_key = group_key
        self._library_name = library_name
        self._db = scratch_database()
        self._db.execute(_SCHEMA)
        self._db.execute("BEGIN")  # one transaction: scratch data is never committed
        self._groups: dict[GroupKey, int] = {}
        self._formats: list[str | None] = []  # per group: the container format of its first member
        self._rows: list[tuple[int, bool, str | None, str | None, str | None, str | None, str, bytes]] = []
        self._indexed = False
        self.count = 0

    def add(self, members: Iterable[SetMember]) -> None:
        for member in members:
            key = self._group_key(member)
            if key is None:
                continue
            gid = self._groups.get(key)
            if gid is None:
                gid = self._groups[key] = len(self._formats)
                self._formats.append(member.container)
            self._rows.append(
                (
                    gid,
                    member.go_build_mode is not None,
                    member.kind,
                    member.sha256,
                    self._library_name(member),
                    member.soname,
                    member.file_name,
                    pickle.dumps(member, pickle.HIGHEST_PROTOCOL),
                )
            )
            self.count += 1
            if len(self._rows) >= _BATCH:
                self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._db.executemany(
                "INSERT INTO members (grp, go, kind, sha256, library, soname, name, member) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                self._rows,
            )
            self._rows = []

    def _ready(self) -> None:
        self._flush()
        if not self._indexed:
            for statement in _INDEXES:
                self._db.execute(statement)
            self._indexed = True

    def groups(self) -> list[GroupRow]:
        """Every group: the run's own files first, then containers by path."""
        self._ready()
        rows = [
            GroupRow(outer or None, self._formats[gid], machine or None, system, gid)
            for (outer, machine, system), gid in self._groups.items()
        ]
        return sorted(
            rows, key=lambda r: (r.container is not None, r.container or "", r.machine or "", r.system)
        )

    def _read(self, sql: str, params: tuple[object, ...]) -> Iterator[SetMember]:
        self._ready()
        for (blob,) in self._db.execute(sql, params):
            yield pickle.loads(blob)  # our own unnamed scratch database (see the class)

    def members(self, group: int, *, go: bool = False, kind: str | None = None) -> Iterator[SetMember]:
        """A group's members in run order; only Go images, or only one kind, when asked."""
        sql = "SELECT member FROM members WHERE grp = ?"
        params: tuple[object, ...] = (group,)
        if go:
            sql += " AND go = 1"
        if kind is not None:
            sql += " AND kind = ?"
            params += (kind,)
        return self._read(sql + " ORDER BY seq", params)

    def repeated(self, group: int, column: str) -> Iterator[list[SetMember]]:
        """Members of a group that share a ``"sha256"`` (lists in the order of their
        first member) or a ``"library"`` name (lists by name); each list in run order."""
        if column not in ("sha256", "library"):
            raise ValueError(f"no such column: {column}")
        order = "d.first" if column == "sha256" else "d.value"
        sql = (
            f"SELECT m.member, m.{column} FROM members m JOIN (SELECT {column} AS value, MIN(seq) AS first "
            f"FROM members WHERE grp = ? AND {column} IS NOT NULL GROUP BY {column} HAVING COUNT(*) > 1) d "
            f"ON m.{column} = d.value WHERE m.grp = ? ORDER BY {order}, m.seq"
        )
        self._ready()
        found: list[SetMember] = []
        current = None
        for blob, value in self._db.execute(sql, (group, group)):
            if value != current and found:
                yield found
                found = []
            current = value
            found.append(pickle.loads(blob))  # our own unnamed scratch database (see the class)
        if found:
            yield found

    def named(self, group: int, prefixes: Iterable[str]) -> Iterator[SetMember]:
        """Members whose soname or file name starts with one of ``prefixes``, in run order."""
        wanted = sorted(set(prefixes))
        if not wanted:
            return iter(())
        tests = " OR ".join(["substr(soname, 1, ?) = ? OR substr(name, 1, ?) = ?"] * len(wanted))
        params: tuple[object, ...] = (group,)
        for prefix in wanted:
            params += (len(prefix), prefix, len(prefix), prefix)
        return self._read(f"SELECT member FROM members WHERE grp = ? AND ({tests}) ORDER BY seq", params)

    def close(self) -> None:
        self._db.close()
