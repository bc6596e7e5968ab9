"""A content-addressed cache of scan results, for repeated and fleet-scale scans.

An entry is one input's finished :class:`~cgoguard.model.Item` (as a reporter
that renders in the worker gets it: text, severities, what was not read, the
set-level projection), stored under a key that covers everything the item was
made from:

- the SHA-256 of the input's bytes, read by the caller before the work is sent
  out (and compared with what the worker read: an input that changed in
  between is never stored);
- cgoguard's version and a digest of its own code and data files (a check
  whose verdict changes changes the digest, even without a new version), and
  of the catalogue (IDs and severities);
- the configuration that shapes an item: selection, severities, per-path
  ignores and the folder they are relative to, container bounds, platform,
  deleted files, function tables;
- the vulnerability database (its description and the stat of its files);
- how the item was rendered (the prerender function and its options), whether
  files are hashed, whether set-level projections are collected, the baseline;
- the containers the input sits in; and its display path, unless the report's
  rendering can move a result to another path (:class:`~cgoguard.model.MovableRender`:
  JSON, JSON Lines, HTML) and nothing else depends on it (no per-path ignores, no
  baseline): then the entry is stored for a placeholder path and serves the same
  bytes at any path (:func:`cgoguard.fleet.localize`).

Reading trusts nothing in the folder: an entry is JSON (never pickle: loading
would run code), bounded in size, and checked field by field; it names its
own key, which must be the one looked up. Anything else (a half-written file,
a foreign file, an entry of another version) is ignored and recomputed, and
the fresh entry replaces it. Entries are written through the one atomic write
(:mod:`cgoguard.fileio`): concurrent writers each rename a whole entry into
place, and any of them is right. The folder must belong to the user and be
writable by nobody else, since an entry can say "no findings": a folder
others can write to is refused (:class:`~cgoguard.errors.UsageError`).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

from cgoguard._version import __version__
from cgoguard.errors import OutputError, UsageError
from cgoguard.fileio import open_regular, read_regular, write_text_atomic
from cgoguard.model import Item, SetMember, Severity

FORMAT = 1
# An entry larger than this is not read: a real one is a few KiB (a report's text for one input).
MAX_ENTRY_BYTES = 64 << 20
_HEX = frozenset("0123456789abcdef")


@functools.cache
def code_digest() -> str:
    """SHA-256 over cgoguard's own Python and data files (names and bytes), once per process."""
    root = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    for file in sorted(root.rglob("*")):
        if file.is_file() and file.suffix in {".py", ".json", ".yaml", ".go", ".h", ".mod", ".html"}:
            digest.update(str(file.relative_to(root)).encode() + b"\0")
            digest.update(file.read_bytes())
    return digest.hexdigest()


def catalogue_digest() -> str:
    from cgoguard.checks import all_checks

    rows = [[c.id, int(c.severity), c.name, c.target.value] for c in all_checks()]
    return _digest(rows)


def render_identity(prerender: Callable[..., Any] | None) -> list[Any]:
    """What a prerender function renders with: its qualified name, and a partial's arguments."""
    if prerender is None:
        return [None]
    if isinstance(prerender, functools.partial):
        keywords = sorted((k, repr(v)) for k, v in prerender.keywords.items())
        return [*render_identity(prerender.func), [repr(a) for a in prerender.args], keywords]
    # A function by its name; a callable object by its class (its repr would name an address).
    name = getattr(prerender, "__qualname__", None) or type(prerender).__qualname__
    return [getattr(prerender, "__module__", "?"), name]


def file_digest(path: str) -> str:
    """SHA-256 of a regular file's bytes (OSError when it cannot be read)."""
    fd, _size = open_regular(path)
    try:
        digest = hashlib.sha256()
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
        return digest.hexdigest()
    finally:
        os.close(fd)


def _digest(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def scope_digest(parts: dict[str, Any]) -> str:
    """The part of every key one run shares (code, catalogue, configuration, rendering)."""
    return _digest({"format": FORMAT, "code": code_digest(), "catalogue": catalogue_digest(), **parts})


def entry_key(scope: str, content: str, path: str | None, origin: tuple[str, ...]) -> str:
    """``path`` None: an entry that serves these bytes at any path (see the module docstring)."""
    return _digest([scope, content, path, list(origin)])


class ResultCache:
    """Entries as ``DIR/ab/abcdef….json``; see the module's docstring for what is trusted."""

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = os.fspath(folder)
        self.hits = 0
        self.misses = 0
        self.ignored = 0  # entries present but not valid: recomputed
        self.stored = 0
        self.write_errors = 0
        self._folders: set[str] = set()  # sub-folders known to exist: one mkdir each per run
        try:
            os.makedirs(self.folder, mode=0o700, exist_ok=True)
            st = os.stat(self.folder)
        except OSError as error:
            raise UsageError(f"--cache {self.folder}: {error.strerror or error}.") from None
        if not stat.S_ISDIR(st.st_mode):
            raise UsageError(f"--cache {self.folder} is not a folder.")
        if st.st_uid != os.geteuid() or st.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
            raise UsageError(
                f"--cache {self.folder} must belong to you and be writable by nobody else "
                "(an entry there can say a file has no findings); chmod go-w it or choose another folder."
            )

    def _file(self, key: str) -> str:
        return os.path.join(self.folder, key[:2], key + ".json")

    def get(self, key: str) -> tuple[Item | None] | None:
        """``(item,)`` (``(None,)``: not an input cgoguard reads) when a valid entry exists, else None."""
        try:
            data = read_regular(self._file(key), MAX_ENTRY_BYTES)
        except OSError:
            self.misses += 1
            return None
        try:
            entry = json.loads(data)
            if not isinstance(entry, dict) or entry.get("format") != FORMAT or entry.get("key") != key:
                raise ValueError("not an entry for this key")
            found = (None if entry["item"] is None else item_from_json(entry["item"]),)
        except (ValueError, KeyError, TypeError, RecursionError):
            self.ignored += 1
            self.misses += 1
            return None
        self.hits += 1
        return found

    def put(self, key: str, item: Item | None) -> None:
        """Store ``item`` (None: not an input cgoguard reads); items that carry whole artifacts are not."""
        if item is not None and (item.artifact is not None or item.text is None):
            return
        entry = {"format": FORMAT, "key": key, "item": None if item is None else item_to_json(item)}
        try:
            if key[:2] not in self._folders:
                os.makedirs(os.path.join(self.folder, key[:2]), mode=0o700, exist_ok=True)
                self._folders.add(key[:2])
            write_text_atomic(self._file(key), json.dumps(entry), what="a cache entry")
        except (OSError, OutputError):
            self.write_errors += 1  # a full disk costs the next run a scan, never this run's report
            return
        self.stored += 1


def item_to_json(item: Item) -> dict[str, Any]:
    return {
        "path": item.path,
        "text": item.text,
        "severities": list(item.severities),
        "readable": item.readable,
        "members": item.members,
        "unread": [list(pair) for pair in item.unread],
        "set_members": [list(m) for m in item.set_members],
        "unchanged": [f.hex() for f in item.unchanged],
    }


def _str(value: Any, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise ValueError("a string was expected")
    return value


def _strs(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        raise ValueError("a list was expected")
    return tuple(_str(v) or "" for v in value)


def _bool(value: Any, optional: bool = False) -> bool | None:
    if value is None and optional:
        return None
    if not isinstance(value, bool):
        raise ValueError("true or false was expected")
    return value


# SetMember's fields in order, with how each is read back.
_MEMBER_FIELDS: dict[str, Callable[[Any], Any]] = {
    "path": _str,
    "sha256": lambda v: _str(v, True),
    "kind": lambda v: _str(v, True),
    "machine": lambda v: _str(v, True),
    "soname": lambda v: _str(v, True),
    "go_version": lambda v: _str(v, True),
    "go_build_mode": lambda v: _str(v, True),
    "go_package": lambda v: _str(v, True),
    "go_exports": _strs,
    "fips_provider": lambda v: _str(v, True),
    "origin": _strs,
    "container": lambda v: _str(v, True),
    "needed": _strs,
    "search_path": _strs,
    "relro": lambda v: _str(v, True),
    "bind_now": lambda v: _bool(v, True),
    "symbolic": _bool,
    "c_exports": _strs,
    "runtime_exports": _strs,
    "system": lambda v: _str(v, True),
}
assert tuple(_MEMBER_FIELDS) == SetMember._fields


def _member(value: Any) -> SetMember:
    if not isinstance(value, list) or len(value) != len(_MEMBER_FIELDS):
        raise ValueError("a set member has the wrong shape")
    return SetMember(*(read(v) for read, v in zip(_MEMBER_FIELDS.values(), value, strict=True)))


def item_from_json(data: Any) -> Item:
    """An item back from its entry; ValueError (or KeyError, TypeError) for anything malformed."""
    if not isinstance(data, dict):
        raise ValueError("an item must be an object")
    severities = data["severities"]
    if not isinstance(severities, list) or not all(
        type(s) is int and 0 <= s < len(Severity) for s in severities
    ):
        raise ValueError("severities must be severity numbers")
    members = data["members"]
    if type(members) is not int or members < 0:
        raise ValueError("members must be a count")
    unread = data["unread"]
    if not isinstance(unread, list):
        raise ValueError("unread must be a list")
    pairs = []
    for pair in unread:
        path, error = _strs(pair)
        pairs.append((path, error))
    unchanged = data["unchanged"]
    if not isinstance(unchanged, list) or not all(isinstance(f, str) and set(f) <= _HEX for f in unchanged):
        raise ValueError("unchanged must be hex fingerprints")
    set_members = data["set_members"]
    if not isinstance(set_members, list):
        raise ValueError("set_members must be a list")
    return Item(
        path=_str(data["path"]) or "",
        artifact=None,
        text=_str(data["text"]),
        severities=tuple(severities),
        readable=bool(_bool(data["readable"])),
        members=members,
        unread=tuple(pairs),
        set_members=tuple(_member(m) for m in set_members),
        unchanged=tuple(bytes.fromhex(f) for f in unchanged),
    )
