"""C header checks (``cgoguard lint header.h``) and header <-> binary
consistency (``cgoguard lint header.h --against libx.so``).

Header checks receive a :class:`~cgoguard.sourcefacts.HeaderFile`; the
consistency checks a :class:`~cgoguard.sourcefacts.HeaderAgainstBinary`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cgoguard.checks import CheckTarget, Located, check
from cgoguard.model import Severity, SourceLocation
from cgoguard.sourcefacts import HeaderAgainstBinary, HeaderFile

_FREE_LIKE = re.compile(r"free|release|destroy|dispose|delete|unref|dealloc", re.IGNORECASE)
# Pointer-sized by definition: a hint rather than a warning.
_POINTER_SIZED = frozenset(["size_t", "ssize_t", "ptrdiff_t"])


def _top(path: str) -> SourceLocation:
    return SourceLocation(path, 1, 1)


@check(
    id="CG451",
    name="header-include-guard",
    title="A C header has no include guard or #pragma once",
    severity=Severity.MEDIUM,
    applies_to="C headers",
    target=CheckTarget.C_HEADER,
    example="""
        #ifndef LIBBRIDGE_H
        #define LIBBRIDGE_H
        ...
        #endif  /* LIBBRIDGE_H */
    """,
    fix="""
        Wrap the whole header in `#ifndef NAME_H` / `#define NAME_H` ... `#endif`, or
        start it with `#pragma once`. For a cgo-generated header, ship a small
        hand-written header that guards and includes it.
    """,
    references=("https://gcc.gnu.org/onlinedocs/cpp/Once-Only-Headers.html",),
)
def header_include_guard(header: HeaderFile) -> Iterator[Located]:
    """A header included twice (directly and through another header) repeats
    its typedefs and definitions. cgo-generated headers have no guard and copy
    the ``import "C"`` preamble verbatim, so a ``static`` helper defined there
    becomes a redefinition error in the second inclusion."""
    if header.include_guard is None:
        yield Located("The header has no include guard and no #pragma once.", _top(header.path))


@check(
    id="CG452",
    name="header-extern-c",
    title='A C header declares functions without an extern "C" block for C++',
    severity=Severity.MEDIUM,
    applies_to="C headers",
    target=CheckTarget.C_HEADER,
    example="""
        #ifdef __cplusplus
        extern "C" {
        #endif
        int32_t bridge_add(int32_t a, int32_t b);
        #ifdef __cplusplus
        }
        #endif
    """,
    fix='Wrap the declarations in `extern "C" { ... }` under `#ifdef __cplusplus`.',
    references=("https://isocpp.org/wiki/faq/mixing-c-and-cpp",),
)
def header_extern_c(header: HeaderFile) -> Iterator[Located]:
    """Compiled as C++, declarations outside ``extern "C"`` get C++ name
    mangling: every call from C++ then fails to link against the library's
    plain C symbols."""
    if header.functions and not header.extern_c:
        first = header.functions[0]
        yield Located(
            f'The header declares {len(header.functions)} function(s) without an extern "C" block under '
            "#ifdef __cplusplus; C++ callers will look for mangled names.",
            first.location,
        )


@check(
    id="CG453",
    name="header-platform-integer",
    title="A declared function uses integer types whose width depends on the platform",
    severity=Severity.MEDIUM,
    applies_to="C headers",
    target=CheckTarget.C_HEADER,
    example="""
        long bridge_count(int flags);                  <- bad: 32 bits on Windows, 64 on Linux
        int64_t bridge_count(int32_t flags);           <- good
    """,
    fix="""
        Use fixed-width types from <stdint.h> (int32_t, uint64_t, ...) in the API. In
        Go, declare exported parameters as C.int32_t / C.int64_t rather than C.int /
        C.long / int. size_t is pointer-sized by definition and is reported as a hint.
    """,
    references=("https://en.cppreference.com/w/c/types/integer",),
)
def header_platform_integer(header: HeaderFile) -> Iterator[Located]:
    """``int``, ``long`` and ``size_t`` change width between platforms and ABIs
    (``long`` is 32 bits on Windows and 64 on Linux). Bindings written for one
    platform (ctypes, cffi, C#, JNA) silently truncate or misread arguments on
    another. Go's own ``int`` is 64 bits: exporting ``C.int`` narrows it."""
    for function in header.functions:
        found: list[str] = []
        for name, c_type in [("result", function.result), *function.parameters]:
            found += [f"{t} ({name or 'unnamed parameter'})" for t in c_type.platform_integers]
        if not found:
            continue
        types = {part.split(" (", 1)[0] for part in found}
        severity = Severity.LOW if types <= _POINTER_SIZED else None
        yield Located(f"{function.name} uses {', '.join(found)}.", function.location, severity)


@check(
    id="CG454",
    name="header-returned-pointer-owner",
    title="A function returns char* but the header declares no function to free it",
    severity=Severity.MEDIUM,
    applies_to="C headers",
    target=CheckTarget.C_HEADER,
    example="""
        char *bridge_version(void);              <- who frees this?
        void bridge_free_string(char *text);     <- good: declare the matching free
        const char *bridge_name(void);           <- fine: const means borrowed
    """,
    fix="""
        Declare the function that releases returned strings (e.g.
        `void bridge_free_string(char *)`) next to the functions that return them,
        or return `const char *` when the caller must not free the memory.
    """,
    references=("https://pkg.go.dev/cmd/cgo#hdr-Go_references_to_C",),
)
def header_returned_pointer_owner(header: HeaderFile) -> Iterator[Located]:
    """A returned non-const ``char *`` tells the caller it owns the memory, but
    nothing in the header says how to release it. Callers then leak it or call
    their own ``free()``, which may belong to a different allocator or C
    runtime than the library's."""
    has_free = any(_FREE_LIKE.search(f.name) and f.pointer_parameters for f in header.functions)
    if has_free:
        return
    for function in header.functions:
        if function.result.is_char_pointer:
            yield Located(
                f"{function.name} returns {function.result.spelling} "
                "and no free/release function is declared.",
                function.location,
            )


@check(
    id="CG455",
    name="header-missing-visibility",
    title="A hand-written header declares functions without a visibility attribute",
    severity=Severity.LOW,
    applies_to="hand-written C headers (not cgo-generated ones)",
    target=CheckTarget.C_HEADER,
    example="""
        #define BRIDGE_API __attribute__((visibility("default")))
        BRIDGE_API int32_t bridge_add(int32_t a, int32_t b);
    """,
    fix="""
        Define an export macro (`__attribute__((visibility("default")))`, or
        `__declspec(dllexport/dllimport)` on Windows) and put it on every declared
        function, or wrap the declarations in `#pragma GCC visibility push(default)`.
    """,
    references=("https://gcc.gnu.org/wiki/Visibility",),
)
def header_missing_visibility(header: HeaderFile) -> Iterator[Located]:
    """Libraries built with ``-fvisibility=hidden`` (the recommended default)
    export only what is marked. A header without the marker works until the
    first hardened build, then every symbol goes missing at link time; the
    marker also documents which declarations are the public API."""
    if header.generated_by_cgo:
        return
    unmarked = [f for f in header.functions if not f.has_visibility]
    if unmarked:
        names = ", ".join(f.name for f in unmarked[:5]) + (", ..." if len(unmarked) > 5 else "")
        yield Located(
            f"{len(unmarked)} declared function(s) have no visibility attribute: {names}.",
            unmarked[0].location,
        )


@check(
    id="CG456",
    name="header-include-not-read",
    title="A header includes a file that cgoguard would not read",
    severity=Severity.LOW,
    applies_to="C headers",
    target=CheckTarget.C_HEADER,
    example="""
        #include "/opt/vendor/include/types.h"   /* absolute: not portable, not read */
        #include "../../shared/types.h"          /* outside the project: not read */
        #include TYPES_HEADER                   /* computed: not followed */
    """,
    fix="""
        Include by a name relative to an include folder (`#include "vendor/types.h"`)
        and pass that folder with `-I` (cgoguard lint -I DIR, and your compiler).
        If the file is meant to be read, make it a regular file inside the project,
        an -I folder or a system include folder.
    """,
    references=("https://gcc.gnu.org/onlinedocs/cpp/Search-Path.html",),
)
def header_include_not_read(header: HeaderFile) -> Iterator[Located]:
    """Included files are read only from the project, ``-I`` folders and the
    system include folders, and only when they are regular files: a header
    that names ``/etc/shadow`` or a FIFO must not make the linter read it or
    hang. Such an include is also a portability problem for every consumer of
    the header, whose machine has different absolute paths. What was not read
    is not checked; if the header still parsed, nothing it declares needed it."""
    for skipped in header.skipped_includes:
        if skipped.path == header.path:
            where = SourceLocation(header.path, skipped.line, 1)
            message = f"{skipped.directive} was not read: {skipped.reason}."
        else:
            where = _top(header.path)
            message = (
                f"{skipped.path}:{skipped.line}, included here: {skipped.directive} was not read: "
                f"{skipped.reason}."
            )
        yield Located(message, where)


@check(
    id="CG471",
    name="header-symbol-missing",
    title="A function declared in the header is not defined in the library",
    severity=Severity.HIGH,
    applies_to="a header checked against a .so or .a (--against)",
    target=CheckTarget.HEADER_BINARY,
    example="""
        cgoguard lint include/bridge.h --against dist/libbridge.so
        bridge.h:12:9: CG471 Sha256 is declared but libbridge.so does not define it
    """,
    fix="""
        Rebuild the library from the sources the header came from, fix the //export
        spelling (see CG401), or remove the stale declaration. Regenerate cgo headers
        with every build instead of committing them.
    """,
    references=("https://github.com/golang/go/issues/25831",),
)
def header_symbol_missing(pair: HeaderAgainstBinary) -> Iterator[Located]:
    """A declaration without a definition compiles fine and fails only when a
    consumer links (``undefined reference``) or, with ``dlopen``/``ctypes``,
    at the first call. It usually means the header and the library come from
    different builds, or an ``//export`` comment was misspelled."""
    for function in pair.header.functions:
        if function.name not in pair.defined_symbols:
            yield Located(
                f"{function.name} is declared but {pair.binary} does not define it.", function.location
            )


@check(
    id="CG472",
    name="export-not-declared",
    title="An //export function of the library is not declared in the header",
    severity=Severity.MEDIUM,
    applies_to="a header checked against a Go .so or .a (--against)",
    target=CheckTarget.HEADER_BINARY,
    example="""
        cgoguard lint include/bridge.h --against dist/libbridge.so
        bridge.h:1:1: CG472 libbridge.so exports FreeString (//export) but the header does not declare it
    """,
    fix="""
        Declare the function in the header (or ship the header cgo generated with the
        library), or remove the //export if it is not meant to be public.
    """,
    references=("https://pkg.go.dev/cmd/cgo#hdr-C_references_to_Go",),
)
def export_not_declared(pair: HeaderAgainstBinary) -> Iterator[Located]:
    """Every ``//export`` function is a public entry point of the library,
    whatever the header says. One the header omits is either dead weight that
    widens the attack surface or an API that callers cannot use without
    declaring it by hand (with a guessed signature)."""
    declared = {f.name for f in pair.header.functions}
    for name in pair.go_exports:
        if name not in declared:
            yield Located(
                f"{pair.binary} exports {name} (//export) but the header does not declare it.",
                _top(pair.header.path),
            )
