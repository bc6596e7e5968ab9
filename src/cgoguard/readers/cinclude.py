"""The files a header includes, found and read by us, never by libclang.

libclang opens whatever a header names: ``#include "/etc/shadow"``, a FIFO
that blocks the parse forever, ``/dev/zero``. So the include tree is resolved
here, with the search order clang uses (the including file's folder for
``"..."``, then ``-I`` folders, then the system folders; ``#include_next``
goes on after the folder the current file came from), and each file is read
like any other input (regular files only, opened without blocking, bounded
in size), only from the allowed roots: the project, the ``-I`` folders and
the system include folders. libclang then gets the files as in-memory
buffers under a private, empty folder (the "virtual root"), each include
rewritten to the buffer it resolved to, and ``-nostdinc`` so that it has
no search path on disk: what we did not hand it, it cannot read.

Directives are found textually, ignoring ``#if``: a file included only under
a false condition is read too (bounded), never wrongly skipped. Computed
includes (``#include MACRO``) are not followed and are reported.

An include found nowhere becomes a ``#warning`` naming it: libclang reports
it only where the directive is active (not under ``#ifdef _WIN32`` on
Linux), and, unlike clang's fatal "file not found", parsing goes on with
every later diagnostic, so the types the missing file would have declared
show up as "unknown type name" instead of being silently taken as ``int``.
"""

from __future__ import annotations

import os
import re
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cgoguard.fileio import read_regular
from cgoguard.sourcefacts import MissingInclude, SkippedInclude

BUILTIN_INCLUDE = Path(__file__).with_name("include")
MAX_INCLUDED_FILES = 2_000  # glibc's <stdio.h> pulls in about 40
MAX_INCLUDED_BYTES = 64 << 20
MAX_INCLUDE_FILE_BYTES = 16 << 20

# A directive on one logical line (splices joined, comments blanked): the
# keyword and the rest.
_DIRECTIVE = re.compile(r"^[ \t]*#[ \t]*(include_next|include|import)\b[ \t]*(.*)$")
_LITERAL = re.compile(r'^(?:"([^"\n]+)"|<([^>\n]+)>)')
_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
MISSING_MARKER = "cgoguard-include-not-found"


def system_include_dirs() -> list[str]:
    """The folders clang searches after ``-I`` on this machine (Debian-style multiarch)."""
    multiarch = sysconfig.get_config_var("MULTIARCH") or f"{os.uname().machine}-linux-gnu"
    found = []
    for folder in ("/usr/local/include", f"/usr/include/{multiarch}", "/usr/include"):
        if os.path.isdir(folder):
            found.append(folder)
    return found


@dataclass
class IncludeTree:
    """What libclang is given: buffers by virtual path, and what was left out."""

    root: str  # the virtual root: a private, empty folder
    main: str  # the virtual path of the header itself
    buffers: dict[str, bytes] = field(default_factory=dict)
    search_dirs: list[str] = field(default_factory=list)  # virtual, for __has_include
    not_followed: list[SkippedInclude] = field(default_factory=list)
    # Includes found nowhere, by the number their #warning marker carries.
    missing: list[MissingInclude] = field(default_factory=list)
    gatherer: Any = None  # to add buffers later (add_buffer)

    def virtual(self, real: str) -> str:
        return self.root + real

    def real(self, virtual: str) -> str:
        return virtual[len(self.root) :] if virtual.startswith(self.root + "/") else virtual


def _logical_lines(text: str) -> list[tuple[int, int, str]]:
    """(first physical line, line count, logical text) with comments blanked and
    backslash-newline splices joined, as the preprocessor sees directives."""
    lines = _COMMENTS.sub(lambda m: "\n" * m.group(0).count("\n") + " ", text).split("\n")
    result = []
    index = 0
    while index < len(lines):
        start, joined = index, lines[index]
        while joined.endswith("\\") and index + 1 < len(lines):
            index += 1
            joined = joined[:-1] + lines[index]
        result.append((start, index - start + 1, joined))
        index += 1
    return result


class _Gatherer:
    def __init__(self, tree: IncludeTree, include_dirs: list[str], roots: list[str]) -> None:
        self.tree = tree
        # Angle search list; "..." searches the including file's folder first.
        self.search = [*include_dirs, str(BUILTIN_INCLUDE), *system_include_dirs()]
        self.roots = [os.path.realpath(r) for r in [*roots, *self.search]]
        self.read_bytes = 0
        self.found_at: dict[str, int] = {}  # real path -> index in self.search it was found at (-1: not)
        self.display: dict[str, str] = {}  # real path -> the path the user gave, for the header itself

    def allowed(self, real: str) -> bool:
        return any(real == root or real.startswith(root.rstrip("/") + "/") for root in self.roots)

    def resolve(self, name: str, quoted: bool, includer: str, after: int | None) -> tuple[str, int] | None:
        """The first existing candidate (path, search index) in clang's order."""
        if os.path.isabs(name):
            return (name, -1) if os.path.lexists(name) else None
        candidates: list[tuple[str, int]] = []
        if quoted and after is None:
            candidates.append((os.path.join(os.path.dirname(includer), name), -1))
        start = 0 if after is None else after + 1
        candidates += [(os.path.join(folder, name), i) for i, folder in enumerate(self.search) if i >= start]
        return next(((path, i) for path, i in candidates if os.path.lexists(path)), None)

    def add(self, real: str, data: bytes, found_at: int) -> None:
        self.found_at[real] = found_at
        self.tree.buffers[self.tree.virtual(real)] = data

    def rewrite(self, real: str, text: str) -> bytes:
        """The file's text with each include pointing at its buffer (or blanked)."""
        lines = text.split("\n")
        for start, count, logical in _logical_lines(text):
            match = _DIRECTIVE.match(logical)
            if match is None:
                continue
            replacement = self.directive(real, start + 1, match.group(1), match.group(2).strip())
            lines[start : start + count] = [replacement] + [""] * (count - 1)
        return "\n".join(lines).encode("utf-8", "surrogateescape")

    def directive(self, includer: str, line: int, keyword: str, argument: str) -> str:
        literal = _LITERAL.match(argument)
        where = (includer, line, f"#{keyword} {argument}")
        if literal is None:
            self.skip(where, "a computed include (a macro names the file)")
            return ""
        name = literal.group(1) or literal.group(2)
        after = self.found_at.get(includer, -1) if keyword == "include_next" else None
        found = self.resolve(name, literal.group(1) is not None, includer, after)
        if found is None:
            shown = self.display.get(includer, includer)
            self.tree.missing.append(MissingInclude(shown, line, f"#{keyword} {argument}", name))
            return f"#warning {MISSING_MARKER} {len(self.tree.missing) - 1}"
        path, index = found
        real = os.path.realpath(path)
        if not self.allowed(real):
            self.skip(where, f"{real} is outside the project, the -I folders and the system include folders")
            return ""
        if '"' in real or "\n" in real:
            self.skip(where, f"{real!r} cannot be named in an #include")
            return ""
        if self.tree.virtual(real) not in self.tree.buffers and not self.read(real, index, where):
            return ""
        return f'#include "{self.tree.virtual(real)}"'

    def skip(self, where: tuple[str, int, str], reason: str) -> None:
        includer, line, directive = where
        shown = self.display.get(includer, includer)
        self.tree.not_followed.append(SkippedInclude(shown, line, directive, reason))

    def read(self, real: str, index: int, where: tuple[str, int, str]) -> bool:
        if len(self.tree.buffers) >= MAX_INCLUDED_FILES or self.read_bytes > MAX_INCLUDED_BYTES:
            self.skip(
                where, f"more than {MAX_INCLUDED_FILES} files or {MAX_INCLUDED_BYTES >> 20} MiB are included"
            )
            return False
        try:
            data = read_regular(real, MAX_INCLUDE_FILE_BYTES)
        except OSError as error:
            self.skip(where, f"{real}: {error.strerror or error}")
            return False
        self.read_bytes += len(data)
        self.add(real, b"", index)  # placed first: a file that includes itself is seen as known
        self.tree.buffers[self.tree.virtual(real)] = self.rewrite(
            real, data.decode("utf-8", "surrogateescape")
        )
        return True


def add_buffer(tree: IncludeTree, name: str, text: str, resolve: bool = True) -> str:
    """Add an in-memory file beside the header under the virtual root; its
    virtual path. With ``resolve``, its includes are resolved like the
    header's; without, it may name only buffers already there."""
    assert tree.gatherer is not None
    real = os.path.join(os.path.dirname(tree.real(tree.main)), name)
    virtual = tree.virtual(real)
    if virtual not in tree.buffers:
        tree.gatherer.add(real, b"", -1)
        tree.buffers[virtual] = tree.gatherer.rewrite(real, text) if resolve else text.encode()
    return virtual


def gather(path: str, text: str, root: str, include_dirs: list[str], project_roots: list[str]) -> IncludeTree:
    """The include tree of the header at ``path`` (already read as ``text``),
    under the virtual root ``root`` (a private, empty folder)."""
    real = os.path.realpath(path)
    tree = IncludeTree(root=root, main=root + real)
    gatherer = _Gatherer(
        tree, [os.path.abspath(d) for d in include_dirs], [os.path.dirname(real), *project_roots]
    )
    gatherer.display[real] = path
    gatherer.add(real, b"", -1)
    tree.buffers[tree.main] = gatherer.rewrite(real, text)
    tree.search_dirs = [tree.virtual(os.path.realpath(d)) for d in gatherer.search]
    tree.gatherer = gatherer
    return tree
