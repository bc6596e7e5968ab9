"""The Go vulnerability database, read offline.

Three layouts, as a folder or a zip file:

* vuln.go.dev's: ``index/db.json`` (when the database was last modified),
  ``index/modules.json`` (module path -> advisory IDs) and ``ID/<id>.json``
  (one OSV entry each). Only the entries of the modules an artifact links are
  read, when first asked for;
* any folder or zip of OSV JSON files (``GO-2024-1234.json``), read whole;
* one OSV JSON file.

Facts only: an entry that cannot be read is remembered in ``problems`` (and
said in the report), never a traceback; withdrawn entries are left out, as the
database's own tools do. Every file is bounded in size: a database is data
someone else wrote.
"""

from __future__ import annotations

import json
import os
import posixpath
import stat
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from cgoguard.errors import InputError
from cgoguard.model import Advisory, AffectedImport, AffectedModule

MAX_ENTRY_BYTES = 16 << 20  # one OSV entry or index file
MAX_ENTRIES = 200_000


class VulnDbError(InputError):
    """The database cannot be used at all (missing, not a database, unreadable index)."""


@dataclass(slots=True)
class VulnDatabase:
    """An opened database. ``advisories(module)`` reads on demand."""

    location: str  # what the user gave
    layout: str  # "vuln.go.dev" | "osv files"
    modified: str | None  # index/db.json "modified"; else the newest entry's "modified"
    _index: dict[str, tuple[str, ...]]  # module path -> advisory IDs
    _read: Any  # callable(name) -> bytes for the vuln.go.dev layout, None otherwise
    _loaded: dict[str, Advisory | None] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)  # entries that could not be read
    _failed: dict[str, str] = field(default_factory=dict)  # advisory ID -> why it could not be read
    _lock: threading.Lock = field(default_factory=threading.Lock)
    memo: dict[str, object] = field(default_factory=dict)  # what callers derive once per database

    @property
    def modules(self) -> int:
        return len(self._index)

    def module_paths(self) -> list[str]:
        return sorted(self._index)

    def advisories(self, module: str) -> tuple[Advisory, ...]:
        """Every advisory (not withdrawn) whose ``affected`` names ``module``."""
        found = []
        for advisory_id in self._index.get(module, ()):
            advisory = self._advisory(advisory_id)
            if advisory is not None and any(a.module == module for a in advisory.affected):
                found.append(advisory)
        return tuple(found)

    def unreadable(self, module: str) -> list[str]:
        """ "<id>: <why>" for the advisories of ``module`` that could not be read."""
        self.advisories(module)
        return [f"{i}: {self._failed[i]}" for i in self._index.get(module, ()) if i in self._failed]

    def _advisory(self, advisory_id: str) -> Advisory | None:
        with self._lock:
            if advisory_id in self._loaded:
                return self._loaded[advisory_id]
            advisory = None
            try:
                raw = json.loads(self._read(f"ID/{advisory_id}.json"))
                advisory = None if _withdrawn(raw) else parse_entry(raw)
            except (OSError, KeyError, ValueError, TypeError) as error:
                self._failed[advisory_id] = _reason(error)
                self.problems.append(f"{advisory_id}: {_reason(error)}")
            self._loaded[advisory_id] = advisory
            return advisory


def _reason(error: BaseException) -> str:
    if isinstance(error, KeyError):
        return "not in the database"
    return str(error) or type(error).__name__


def _withdrawn(raw: object) -> bool:
    return isinstance(raw, dict) and bool(raw.get("withdrawn"))


def _list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _strings(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    return tuple(v for v in value if isinstance(v, str))


def parse_entry(raw: object) -> Advisory:
    """An :class:`Advisory` from one OSV JSON object; ValueError when it is not one."""
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise ValueError("not an OSV entry (no id)")
    affected = []
    for entry in _list(raw.get("affected")):
        entry = _dict(entry)
        package = _dict(entry.get("package"))
        if package.get("ecosystem") != "Go" or not isinstance(package.get("name"), str):
            continue
        events: list[tuple[str, str]] = []
        for span in _list(entry.get("ranges")):
            span = _dict(span)
            if span.get("type") != "SEMVER":
                continue
            for event in _list(span.get("events")):
                events += [(k, v) for k, v in _dict(event).items() if isinstance(v, str)]
        imports = []
        for item in _list(_dict(entry.get("ecosystem_specific")).get("imports")):
            item = _dict(item)
            if isinstance(item.get("path"), str):
                imports.append(
                    AffectedImport(
                        item["path"],
                        _strings(item.get("symbols")),
                        _strings(item.get("goos")),
                        _strings(item.get("goarch")),
                    )
                )
        affected.append(AffectedModule(package["name"], tuple(events), tuple(imports)))
    specific = _dict(raw.get("database_specific"))
    references = tuple(r["url"] for r in _list(raw.get("references")) if isinstance(_dict(r).get("url"), str))
    return Advisory(
        id=raw["id"],
        aliases=_strings(raw.get("aliases")),
        summary=str(raw.get("summary") or raw.get("details") or "")[:500],
        affected=tuple(affected),
        published=str(raw.get("published") or ""),
        modified=str(raw.get("modified") or ""),
        url=specific["url"] if isinstance(specific.get("url"), str) else None,
        review_status=specific["review_status"] if isinstance(specific.get("review_status"), str) else None,
        references=references,
    )


# -- opening -----------------------------------------------------------------------------


def _read_bounded(path: str) -> bytes:
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{path} is not a regular file")
        if info.st_size > MAX_ENTRY_BYTES:
            raise OSError(f"{path} is larger than {MAX_ENTRY_BYTES >> 20} MiB")
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(MAX_ENTRY_BYTES + 1)
    finally:
        os.close(fd)


class _Zip:
    """Bounded reads of members of a zip database (a top folder is allowed)."""

    def __init__(self, path: str) -> None:
        self.archive = zipfile.ZipFile(path)
        names = self.archive.namelist()
        if len(names) > MAX_ENTRIES:
            raise VulnDbError(f"{path} holds {len(names):,} entries, more than {MAX_ENTRIES:,}")
        self.names = set(names)
        index = next(
            (n for n in names if n == "index/modules.json" or n.endswith("/index/modules.json")), None
        )
        self.prefix = index[: -len("index/modules.json")] if index else ""
        self.lock = threading.Lock()

    def read(self, name: str) -> bytes:
        full = self.prefix + name
        with self.lock:
            info = self.archive.getinfo(full)  # KeyError when absent
            if info.file_size > MAX_ENTRY_BYTES:
                raise OSError(f"{name} is larger than {MAX_ENTRY_BYTES >> 20} MiB")
            with self.archive.open(info) as member:
                return member.read(MAX_ENTRY_BYTES + 1)


def open_database(location: str) -> VulnDatabase:
    """Open a database folder, zip or OSV file; :class:`VulnDbError` when it cannot be used."""
    try:
        info = os.stat(location)
    except OSError as error:
        raise VulnDbError(f"the vulnerability database {location} cannot be read: {error.strerror}") from None
    try:
        if stat.S_ISDIR(info.st_mode):
            if os.path.isfile(os.path.join(location, "index", "modules.json")):
                return _go_layout(location, lambda name: _read_bounded(os.path.join(location, name)))
            return _osv_files(location, _folder_entries(location))
        if zipfile.is_zipfile(location):
            archive = _Zip(location)
            if archive.prefix + "index/modules.json" in archive.names:
                return _go_layout(location, archive.read)
            return _osv_files(location, _zip_entries(archive))
        return _osv_files(location, iter([(location, _read_bounded(location))]))
    except (OSError, zipfile.BadZipFile, ValueError) as error:
        raise VulnDbError(f"the vulnerability database {location} cannot be read: {error}") from None


def _go_layout(location: str, read: Any) -> VulnDatabase:
    modules = json.loads(read("index/modules.json"))
    if not isinstance(modules, list):
        raise ValueError("index/modules.json is not a list")
    index: dict[str, tuple[str, ...]] = {}
    for entry in modules:
        if isinstance(entry, dict) and isinstance(entry.get("path"), str):
            ids = [
                v["id"]
                for v in entry.get("vulns") or []
                if isinstance(v, dict) and isinstance(v.get("id"), str)
            ]
            index[entry["path"]] = tuple(dict.fromkeys(ids))
    modified = None
    try:
        db = json.loads(read("index/db.json"))
        modified = db.get("modified") if isinstance(db, dict) else None
    except (OSError, KeyError, ValueError):
        pass  # the date is shown when known; the entries do not depend on it
    return VulnDatabase(location, "vuln.go.dev", modified, index, read)


def _folder_entries(folder: str) -> Iterator[tuple[str, bytes]]:
    count = 0
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        for name in sorted(files):
            if name.endswith(".json"):
                count += 1
                if count > MAX_ENTRIES:
                    raise ValueError(f"more than {MAX_ENTRIES:,} JSON files")
                path = os.path.join(root, name)
                yield path, _read_bounded(path)


def _zip_entries(archive: _Zip) -> Iterator[tuple[str, bytes]]:
    for name in sorted(archive.names):
        if name.endswith(".json"):
            yield name, archive.read(name[len(archive.prefix) :] if name.startswith(archive.prefix) else name)


def _osv_files(location: str, entries: Iterator[tuple[str, bytes]]) -> VulnDatabase:
    loaded: dict[str, Advisory | None] = {}
    index: dict[str, list[str]] = {}
    problems: list[str] = []
    newest = ""
    for name, data in entries:
        try:
            raw = json.loads(data)
            advisory = parse_entry(raw)
        except ValueError as error:
            problems.append(f"{posixpath.basename(name)}: {error}")
            continue
        newest = max(newest, advisory.modified)
        loaded[advisory.id] = None if _withdrawn(raw) else advisory
        for affected in advisory.affected:
            index.setdefault(affected.module, []).append(advisory.id)
    if not loaded:
        raise ValueError("it holds no OSV entry (a vuln.go.dev folder has index/modules.json)")
    frozen = {module: tuple(dict.fromkeys(ids)) for module, ids in index.items()}
    database = VulnDatabase(location, "osv files", newest or None, frozen, None, loaded, problems)
    return database


_OPENED: dict[tuple[str, int, int], VulnDatabase] = {}


def cached_database(location: str) -> VulnDatabase:
    """The database at ``location``, opened once per process (and again when it changes)."""
    try:
        info = os.stat(location)
        key = (os.path.realpath(location), info.st_mtime_ns, info.st_size)
    except OSError:
        return open_database(location)  # raises the error sentence
    database = _OPENED.get(key)
    if database is None:
        database = _OPENED[key] = open_database(location)
    return database
