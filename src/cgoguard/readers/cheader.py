"""Read C headers with libclang: declared functions with their types,
attributes and positions, the include guard and the ``extern "C"`` wrapper.

Why libclang (the ``libclang`` wheel from PyPI) rather than pycparser: it
ships its own ``libclang.so``, so it needs neither a C compiler nor a
preprocessor where the linter runs; it parses a raw cgo-generated header
(``_GoString_`` prologue, ``_Complex``, ``#line`` directives, GNU attributes)
without changes, in about 40 ms, and it resolves typedef chains, so
``GoInt`` and ``int32_t`` keep their names. pycparser stops at the first
``__attribute__`` of the cgo prologue even on ``gcc -E`` output and would need
the header rewritten first. The compiler's own headers (``stddef.h``, ...)
are not in the wheel; small stand-ins in ``include/`` take their place.

libclang reads no file itself: :mod:`cgoguard.readers.cinclude` resolves and
reads the include tree (confined to the project, ``-I`` and system folders)
and hands it over as in-memory buffers.

Facts only: nothing here decides what is wrong.
"""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from functools import cache
from typing import Any

from cgoguard.errors import InputError
from cgoguard.fileio import read_source
from cgoguard.model import SourceLocation
from cgoguard.readers.cinclude import IncludeTree, gather
from cgoguard.sourcefacts import CType, HeaderFile, HeaderFunction

_IGNORE_COMMENT = re.compile(r"cgoguard:ignore\s+([A-Za-z0-9_,]+)", re.IGNORECASE)
_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
# Helpers declared by cgo's own prologue in every generated header, not the package's API.
_CGO_PROLOGUE_FUNCTIONS = frozenset(["_GoStringLen", "_GoStringPtr"])
# Integer typedefs whose width does not depend on the platform.
_FIXED_WIDTH = frozenset(
    [f"{sign}int{bits}_t" for sign in ("", "u") for bits in (8, 16, 32, 64)]
    + [f"Go{sign}Int{bits}" for sign in ("", "U") for bits in (8, 16, 32, 64)]
    + ["GoInt", "GoUint", "GoUintptr", "intptr_t", "uintptr_t", "bool", "_Bool", "GoString", "GoSlice"]
)
# Named platform-dependent integer typedefs, reported by their own name.
_PLATFORM_TYPEDEFS = frozenset(["size_t", "ssize_t", "ptrdiff_t", "off_t", "time_t", "wchar_t", "intmax_t"])


class HeaderError(InputError):
    """A header that cannot be read or parsed; the message is for the user."""


@cache
def _clang() -> Any:
    try:
        import clang.cindex as cindex
    except ImportError as error:  # pragma: no cover - a dependency of the package
        raise HeaderError(f"the libclang package is needed to read C headers ({error})") from None
    return cindex


def _strip_comments(text: str) -> str:
    # Keep newlines so that line numbers stay right.
    return _COMMENTS.sub(lambda m: "\n" * m.group(0).count("\n") + " ", text)


def _directives(code: str) -> list[tuple[int, str]]:
    found = []
    for number, line in enumerate(code.splitlines(), 1):
        stripped = line.strip()
        if stripped.startswith("#"):
            found.append((number, re.sub(r"^#\s*", "#", stripped)))
    return found


def include_guard(code: str) -> str | None:
    """The guard macro (or "#pragma once") of comment-free header text, else None."""
    directives = _directives(code)
    if any(re.match(r"#pragma\s+once\b", d) for _, d in directives):
        return "#pragma once"
    if len(directives) < 3:
        return None
    # Only #include/#pragma lines may come before the guard (they are guarded themselves).
    opening = next((i for i, (_, d) in enumerate(directives) if d.startswith("#if")), None)
    if opening is None or opening + 1 >= len(directives):
        return None
    if any(not d.startswith(("#include", "#pragma")) for _, d in directives[:opening]):
        return None
    first_line, first = directives[opening]
    directive_lines = {line for line, _ in directives}
    code_lines = code.splitlines()
    before = [code_lines[i] for i in range(first_line - 1) if i + 1 not in directive_lines]
    if "".join(before).strip():
        return None  # declarations ahead of the guard
    match = re.match(r"#ifndef\s+(\w+)|#if\s+!\s*defined\s*\(?\s*(\w+)", first)
    if match is None:
        return None
    macro = match.group(1) or match.group(2)
    if not re.match(rf"#define\s+{re.escape(macro)}\b", directives[opening + 1][1]):
        return None
    directives = directives[opening:]
    # The #endif that closes the guard must be the header's last directive.
    depth = 0
    for index, (_, directive) in enumerate(directives):
        if re.match(r"#if(n?def)?\b", directive):
            depth += 1
        elif directive.startswith("#endif"):
            depth -= 1
            if depth == 0:
                closing_line = directives[index][0]
                after = "\n".join(code.splitlines()[closing_line:])
                return macro if index == len(directives) - 1 and not after.strip() else None
    return None


def has_extern_c(code: str) -> bool:
    return (
        re.search(
            r'#\s*if(?:def\s+__cplusplus|\s+defined\s*\(?\s*__cplusplus)[^\n]*\n\s*extern\s+"C"\s*\{', code
        )
        is not None
    )


def _visibility_ranges(code: str) -> list[tuple[int, int]]:
    """Line ranges inside ``#pragma GCC visibility push(default)`` ... ``pop``."""
    ranges = []
    start: int | None = None
    for number, directive in _directives(code):
        if re.match(r"#pragma\s+GCC\s+visibility\s+push\s*\(\s*default\s*\)", directive):
            start = number
        elif re.match(r"#pragma\s+GCC\s+visibility\s+pop", directive) and start is not None:
            ranges.append((start, number))
            start = None
    if start is not None:
        ranges.append((start, len(code.splitlines()) + 1))
    return ranges


def _suppressions(text: str) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        match = _IGNORE_COMMENT.search(line)
        if match is None:
            continue
        ids = {part.strip().upper() for part in match.group(1).split(",") if part.strip()}
        found.setdefault(number, set()).update(ids)
        if line.lstrip().startswith(("/*", "//")):
            found.setdefault(number + 1, set()).update(ids)
    return found


def _c_type(clang_type: Any) -> CType:
    cindex = _clang()
    kinds = cindex.TypeKind
    result = CType(clang_type.spelling)
    platform = {
        kinds.SHORT: "short",
        kinds.USHORT: "unsigned short",
        kinds.INT: "int",
        kinds.UINT: "unsigned int",
        kinds.LONG: "long",
        kinds.ULONG: "unsigned long",
        kinds.LONGLONG: "long long",
        kinds.ULONGLONG: "unsigned long long",
    }
    chars = (kinds.CHAR_S, kinds.CHAR_U, kinds.SCHAR, kinds.UCHAR)
    current = clang_type
    if current.kind == kinds.POINTER:
        pointee = current.get_pointee()
        result.is_char_pointer = pointee.get_canonical().kind in chars and not pointee.is_const_qualified()
    for _ in range(32):  # typedef chains are short; the bound guards against cycles
        if current.kind == kinds.ELABORATED:
            current = current.get_named_type()
            continue
        if current.kind == kinds.POINTER:
            current = current.get_pointee()
            continue
        if current.kind == kinds.TYPEDEF:
            name = current.get_typedef_name() or current.spelling
            if name in _FIXED_WIDTH:
                break
            if name in _PLATFORM_TYPEDEFS:
                result.platform_integers.append(name)
                break
            current = current.get_declaration().underlying_typedef_type
            continue
        if current.kind in platform:
            result.platform_integers.append(platform[current.kind])
        break
    return result


def read_header(
    path: str, include_dirs: list[str] | None = None, project_roots: list[str] | None = None
) -> HeaderFile:
    """Parse one header. Raises :class:`HeaderError` when it cannot be read or
    is not C; a missing ``#include`` is recorded, not fatal. Included files are
    read only from the header's folder, ``project_roots``, ``include_dirs`` and
    the system include folders."""
    try:
        data = read_source(path, "a C header")
    except ValueError as error:
        raise HeaderError(str(error)) from None
    text = data.decode("utf-8", "replace")
    # The virtual root stays empty: libclang finds nothing on disk under it.
    with tempfile.TemporaryDirectory(prefix="cgoguard-include-") as root:
        tree = gather(path, text, os.path.realpath(root), include_dirs or [], project_roots or [])
        return _parse(path, text, tree)


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """libclang writes its crash reports ("LLVM ERROR: out of memory", the
    command line, the buffers' names) straight to file descriptor 2; the
    failure is reported as this header's error instead."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _parse(path: str, text: str, tree: IncludeTree) -> HeaderFile:
    code = _strip_comments(text)
    cindex = _clang()
    arguments = ["-x", "c", "-std=gnu11", "-nostdinc"]
    for folder in tree.search_dirs:
        arguments += ["-I", folder]  # virtual: only for __has_include over what was gathered
    try:
        with _quiet_stderr():
            unit = cindex.Index.create().parse(
                tree.main,
                args=arguments,
                unsaved_files=list(tree.buffers.items()),
                options=cindex.TranslationUnit.PARSE_SKIP_FUNCTION_BODIES,
            )
    except cindex.TranslationUnitLoadError:
        # libclang recovers from its own crashes, out of memory included, and returns no unit.
        raise HeaderError(
            f"{path}: libclang failed on this file (it crashed or ran out of memory, e.g. on a macro "
            "that expands exponentially; the per-item memory limit is item-memory)"
        ) from None
    header = HeaderFile(
        path=path,
        generated_by_cgo="Code generated by cmd/cgo" in text[:400],
        include_guard=include_guard(code),
        extern_c=has_extern_c(code),
        functions=[],
        line_count=text.count("\n") + (not text.endswith("\n")),
        suppressions=_suppressions(text),
        skipped_includes=tree.not_followed,
    )
    main_file = tree.main
    for diagnostic in unit.diagnostics:
        location = diagnostic.location
        if location.file is None or location.file.name != main_file:
            continue
        if "file not found" in diagnostic.spelling:
            header.missing_includes.append(diagnostic.spelling)
        elif diagnostic.severity >= cindex.Diagnostic.Error:
            left_out = "".join(f"; {skipped}" for skipped in tree.not_followed)
            raise HeaderError(
                f"{path}:{location.line}:{location.column}: {diagnostic.spelling}; the header does not "
                f"parse as C, so nothing in it was checked{left_out}"
            )
    visible_ranges = _visibility_ranges(code)
    lines = text.splitlines()
    seen: set[str] = set()
    for cursor in unit.cursor.get_children():
        if cursor.kind != cindex.CursorKind.FUNCTION_DECL or cursor.spelling in seen:
            continue
        location = cursor.location
        if location.file is None or location.file.name != main_file:
            continue
        if cursor.storage_class == cindex.StorageClass.STATIC:
            continue
        if header.generated_by_cgo and cursor.spelling in _CGO_PROLOGUE_FUNCTIONS:
            continue
        line = location.line
        seen.add(cursor.spelling)
        attributes = {(c.kind, c.spelling) for c in cursor.get_children()}
        has_visibility = (cindex.CursorKind.VISIBILITY_ATTR, "default") in attributes or any(
            kind == cindex.CursorKind.DLLEXPORT_ATTR for kind, _ in attributes
        )
        has_visibility |= any(start <= line <= end for start, end in visible_ranges)
        column = len(lines[line - 1].encode("utf-8")[: location.column - 1].decode("utf-8", "replace")) + 1
        arguments_list = list(cursor.get_arguments())
        header.functions.append(
            HeaderFunction(
                name=cursor.spelling,
                location=SourceLocation(path, line, column, line, column + len(cursor.spelling)),
                result=_c_type(cursor.result_type),
                parameters=[(a.spelling, _c_type(a.type)) for a in arguments_list],
                has_visibility=has_visibility,
                pointer_parameters=sum(
                    a.type.get_canonical().kind == cindex.TypeKind.POINTER for a in arguments_list
                ),
            )
        )
    return header
