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
from cgoguard.readers.cinclude import MISSING_MARKER, IncludeTree, add_buffer, gather, system_include_dirs
from cgoguard.sourcefacts import STANDARD_TYPES, CType, HeaderFile, HeaderFunction, MissingInclude

_IGNORE_COMMENT = re.compile(r"cgoguard:ignore\s+([A-Za-z0-9_,]+)", re.IGNORECASE)
_COMMENTS = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)
# Helpers declared by cgo's own prologue in every generated header, not the package's API.
_CGO_PROLOGUE_FUNCTIONS = frozenset(["_GoStringLen", "_GoStringPtr"])
# Integer typedefs whose width is the same on every target.
_FIXED_WIDTH = frozenset(
    [f"{sign}int{bits}_t" for sign in ("", "u") for bits in (8, 16, 32, 64)]
    + [f"Go{sign}Int{bits}" for sign in ("", "U") for bits in (8, 16, 32, 64)]
    + ["bool", "_Bool", "GoString", "GoSlice"]
)
# Integer typedefs recorded by their own name (their name says what they are).
_NAMED_INTEGERS = frozenset(
    [
        *("size_t", "ssize_t", "ptrdiff_t", "intptr_t", "uintptr_t", "off_t", "time_t", "wchar_t"),
        *("intmax_t", "uintmax_t", "GoInt", "GoUint", "GoUintptr"),
    ]
)
_PRELUDE = ("stddef.h", "stdint.h", "stdbool.h", "stdarg.h", "stdio.h", "sys/types.h", "time.h")
# In-memory files beside the header (names no real file will have).
_PRELUDE_NAME = ".cgoguard-standard-prelude.h"
_ONCE_NAME = ".cgoguard-include-once.c"
_TWICE_NAME = ".cgoguard-include-twice.c"
_MISSING = re.compile(rf"{MISSING_MARKER} (\d+)")
_UNKNOWN_TYPE = re.compile(r"unknown type name '(\w+)'")
_CGO_MARKERS = (
    '/* Start of preamble from import "C" comments.  */',
    '/* End of preamble from import "C" comments.  */',
    "/* Start of boilerplate cgo prologue.  */",
    "/* End of boilerplate cgo prologue.  */",
)
_CGO_POINTER_ASSERT = re.compile(r"_check_for_(\d+)_bit_pointer_matching_GoInt")
_IMPORT_C = re.compile(r'^\s*(?:import\s+)?"C"\s*\)?\s*$', re.MULTILINE)
_GO_EXPORT = re.compile(r"^//export\s+(\w+)", re.MULTILINE)
_INCLUDE_NAME = re.compile(r'#\s*include\s*[<"]([^>"\n]+)[>"]')
MAX_NEIGHBOUR_GO_FILES = 500


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
            if name in _NAMED_INTEGERS:
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
        header = _parse(path, text, tree, bool(include_dirs))
    _cgo_neighbours(header)
    return header


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


def _arguments(tree: IncludeTree, text: str, cplusplus: bool = False) -> list[str]:
    arguments = ["-x", "c++", "-std=gnu++17"] if cplusplus else ["-x", "c", "-std=gnu11"]
    # __declspec(dllexport) in headers generated for or written for Windows.
    arguments += ["-nostdinc", "-fdeclspec"]
    pointer_bits = _CGO_POINTER_ASSERT.search(text)
    if pointer_bits is not None and pointer_bits.group(1) == "32":
        # cgo's static assertion: a header generated for a 32-bit target only compiles there.
        arguments.append("--target=i686-linux-gnu")
    for folder in tree.search_dirs:
        arguments += ["-I", folder]  # virtual: only for __has_include over what was gathered
    return arguments


def _translation_unit(path: str, tree: IncludeTree, main: str, arguments: list[str]) -> Any:
    cindex = _clang()
    try:
        with _quiet_stderr():
            return cindex.Index.create().parse(
                main,
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


def _errors(unit: Any, main: str) -> list[tuple[int, int, str]]:
    """(line, column, message) of the errors located in the header itself."""
    cindex = _clang()
    found = []
    for diagnostic in unit.diagnostics:
        location = diagnostic.location
        if diagnostic.severity < cindex.Diagnostic.Error or location.file is None:
            continue
        if location.file.name == main:
            found.append((location.line, location.column, diagnostic.spelling))
    return found


def _active_missing(unit: Any, tree: IncludeTree) -> list[MissingInclude]:
    """The not-found includes whose #warning marker was reached (active branches only)."""
    active = []
    for diagnostic in unit.diagnostics:
        match = _MISSING.search(diagnostic.spelling)
        if match is not None and int(match.group(1)) < len(tree.missing):
            missing = tree.missing[int(match.group(1))]
            if missing not in active:
                active.append(missing)
    return active


def _unknown_types(errors: list[tuple[int, int, str]]) -> dict[str, list[tuple[int, int]]]:
    """Every place each unknown type name is used (clang reports each use)."""
    found: dict[str, list[tuple[int, int]]] = {}
    for line, column, message in errors:
        match = _UNKNOWN_TYPE.match(message)
        if match is not None:
            found.setdefault(match.group(1), []).append((line, column))
    return found


def _parse(path: str, text: str, tree: IncludeTree, include_dirs_given: bool = False) -> HeaderFile:
    code = _strip_comments(text)
    arguments = _arguments(tree, text)
    unit = _translation_unit(path, tree, tree.main, arguments)
    errors = _errors(unit, tree.main)
    unknown = _unknown_types(errors)
    undeclared: dict[str, int] = {}
    prelude: str | None = None
    if set(unknown) & set(STANDARD_TYPES):
        # Not self-contained: parse it as a file that includes the standard headers first.
        prelude = add_buffer(tree, _PRELUDE_NAME, "".join(f"#include <{h}>\n" for h in _PRELUDE))
        arguments = [*arguments, "-include", prelude]
        unit = _translation_unit(path, tree, tree.main, arguments)
        errors = _errors(unit, tree.main)
        resolved = set(unknown) - set(_unknown_types(errors))
        undeclared = {name: unknown[name][0][0] for name in sorted(resolved) if name in STANDARD_TYPES}
        unknown = _unknown_types(errors)
    # One missing inside a system header (gnu/stubs-32.h for a 32-bit cgo header) is the
    # system's concern, not the header's.
    system = tuple(folder.rstrip("/") + "/" for folder in system_include_dirs())
    missing = [m for m in _active_missing(unit, tree) if not os.path.realpath(m.path).startswith(system)]
    header = HeaderFile(
        path=path,
        generated_by_cgo="Code generated by cmd/cgo" in text[:400],
        include_guard=include_guard(code),
        extern_c=has_extern_c(code),
        functions=[],
        line_count=text.count("\n") + (not text.endswith("\n")),
        suppressions=_suppressions(text),
        missing_includes=missing,
        skipped_includes=tree.not_followed,
        undeclared_standard_types=undeclared,
    )
    # Unknown type names are explained by an include that was not found or not read;
    # any other error means the file is not C as far as libclang can tell.
    explained = bool(missing or tree.not_followed)
    for line, column, message in errors:
        if explained and _UNKNOWN_TYPE.match(message):
            continue
        hint = _not_found_hint(missing, include_dirs_given) if missing else ""
        left_out = "".join(f"; {skipped}" for skipped in tree.not_followed)
        raise HeaderError(
            f"{path}:{line}:{column}: {message}; the header does not parse as C, so nothing in it was "
            f"checked{left_out}{hint}"
        )
    sections = _cgo_sections(text) if header.generated_by_cgo else []
    _functions(header, unit, tree.main, text, code, unknown, sections)
    if header.include_guard is None and not header.generated_by_cgo:
        header.repeat_errors = _repeat_errors(path, tree, text, prelude)
    return header


def _not_found_hint(missing: list[MissingInclude], include_dirs_given: bool) -> str:
    names = ", ".join(m.directive for m in missing[:3])
    given = "" if include_dirs_given else " (none was given)"
    return (
        f"; not found: {names}: pass the folders that hold them with -I DIR{given} or "
        "include = [...] in [tool.cgoguard.lint]"
    )


def _cgo_sections(text: str) -> list[tuple[int, int, str]]:
    """Line ranges (first, last, section) of a cgo-generated header: the
    preamble copied from ``import "C"`` comments, cgo's own prologues, and the
    exported prototypes after them."""
    lines = text.splitlines()
    markers = {index + 1: line.strip() for index, line in enumerate(lines) if line.strip() in _CGO_MARKERS}
    preamble = [n for n, m in markers.items() if m == _CGO_MARKERS[0]]
    preamble_end = [n for n, m in markers.items() if m == _CGO_MARKERS[1]]
    prologue_end = [n for n, m in markers.items() if m == _CGO_MARKERS[3]]
    if not (preamble and preamble_end and prologue_end):
        return []  # an older or edited layout: every declaration counts as the user's
    return [
        (1, preamble[0], "prologue"),
        (preamble[0] + 1, preamble_end[0] - 1, "preamble"),
        (preamble_end[0], prologue_end[-1], "prologue"),
        (prologue_end[-1] + 1, len(lines) + 1, "export"),
    ]


def _within(line: int, column: int, extent: Any) -> bool:
    start, end = extent.start, extent.end
    return (start.line, start.column) <= (line, column) <= (end.line, end.column)


def _functions(
    header: HeaderFile,
    unit: Any,
    main_file: str,
    text: str,
    code: str,
    unknown: dict[str, list[tuple[int, int]]],
    sections: list[tuple[int, int, str]],
) -> None:
    cindex = _clang()
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
        result = _c_type(cursor.result_type)
        start = cursor.extent.start
        for name, places in unknown.items():
            if any((start.line, start.column) <= at <= (location.line, location.column) for at in places):
                result = CType(name, unresolved=[name])
        parameters = []
        for argument in arguments_list:
            c_type = _c_type(argument.type)
            extent = argument.extent
            hit = [name for name, places in unknown.items() if any(_within(*at, extent) for at in places)]
            parameters.append((argument.spelling, CType(" ".join(hit), unresolved=hit) if hit else c_type))
        header.functions.append(
            HeaderFunction(
                name=cursor.spelling,
                location=SourceLocation(header.path, line, column, line, column + len(cursor.spelling)),
                result=result,
                parameters=parameters,
                has_visibility=has_visibility,
                pointer_parameters=sum(
                    a.type.get_canonical().kind == cindex.TypeKind.POINTER for a in arguments_list
                ),
                cgo_section=next((kind for first, last, kind in sections if first <= line <= last), ""),
            )
        )


def _repeat_errors(path: str, tree: IncludeTree, text: str, prelude: str | None) -> list[str]:
    """What breaks when a translation unit includes the header twice, in C and
    in C++: the errors of that unit that one including it once does not get."""
    before = f'#include "{prelude}"\n' if prelude else ""
    include = f'#include "{tree.main}"\n'
    once = add_buffer(tree, _ONCE_NAME, before + include, resolve=False)
    twice = add_buffer(tree, _TWICE_NAME, before + include * 2, resolve=False)
    found: list[str] = []
    for language, cplusplus in (("C", False), ("C++", True)):
        arguments = _arguments(tree, text, cplusplus)
        single_unit = _translation_unit(path, tree, once, arguments)
        single = {message for _, _, message in _errors(single_unit, tree.main)}
        for line, _, message in _errors(_translation_unit(path, tree, twice, arguments), tree.main):
            if message not in single and not _MISSING.search(message):
                entry = f"{language}: line {line}: {message}"
                if entry not in found:
                    found.append(entry)
    return found


def _cgo_neighbours(header: HeaderFile) -> None:
    """Which Go files of the header's folder include it in their cgo preamble,
    and the folder's //export names. Textual, bounded: enough to tell a header of
    C helpers that only Go includes from one that declares the library's API."""
    folder = os.path.dirname(os.path.abspath(header.path))
    name = os.path.basename(header.path)
    try:
        entries = sorted(e for e in os.listdir(folder) if e.endswith(".go") and not e.endswith("_test.go"))
    except OSError:
        return
    for entry in entries[:MAX_NEIGHBOUR_GO_FILES]:
        try:
            source = read_source(os.path.join(folder, entry), "a Go file").decode("utf-8", "replace")
        except (ValueError, OSError):
            continue
        imports_c = _IMPORT_C.search(source)
        if imports_c is None:
            continue
        preamble = source[: imports_c.start()]  # the comment right before it, and what precedes
        if any(os.path.basename(found) == name for found in _INCLUDE_NAME.findall(preamble)):
            header.included_by_cgo.append(entry)
        header.go_exports_nearby.update(_GO_EXPORT.findall(source))
