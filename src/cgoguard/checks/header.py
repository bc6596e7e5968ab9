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
from cgoguard.sourcefacts import STANDARD_TYPES, HeaderAgainstBinary, HeaderFile

_FREE_LIKE = re.compile(r"free|release|destroy|dispose|delete|unref|dealloc", re.IGNORECASE)


def _top(path: str) -> SourceLocation:
    return SourceLocation(path, 1, 1)


@check(
    id="CG451",
    name="header-include-guard",
    title="A C header breaks when it is included twice (no include guard or #pragma once)",
    severity=Severity.MEDIUM,
    applies_to="hand-written C headers (not cgo-generated ones)",
    target=CheckTarget.C_HEADER,
    example="""
        struct bridge_point { int32_t x, y; };   <- included twice: redefinition of 'bridge_point'

        #ifndef LIBBRIDGE_H
        #define LIBBRIDGE_H
        ...
        #endif  /* LIBBRIDGE_H */
    """,
    fix="""
        Wrap the whole header in `#ifndef NAME_H` / `#define NAME_H` ... `#endif`, or
        start it with `#pragma once`.
    """,
    references=("https://gcc.gnu.org/onlinedocs/cpp/Once-Only-Headers.html",),
)
def header_include_guard(header: HeaderFile) -> Iterator[Located]:
    """A header included twice in one translation unit (directly and through
    another header) repeats everything it declares. Repeated function
    prototypes, ``extern`` declarations and macros are harmless, and C11 and C++
    accept a typedef repeated with the same type; a struct, union or enum
    definition, a typedef of an anonymous struct, or a definition of a function
    or variable is an error. So the rule is measured, not guessed: a header
    without a guard is reported only when a translation unit that includes it
    twice fails where one that includes it once compiles, in C (gnu11) or in
    C++ (gnu++17), and the message names the first such error. cgo-generated
    headers are never reported: the user cannot add a guard to what cgo writes
    (cgo guards its own prologues; wrap the generated header in a hand-written
    one that has a guard if it must be included from several places)."""
    if header.include_guard is not None or header.generated_by_cgo or not header.repeat_errors:
        return
    more = len(header.repeat_errors) - 1
    also = f" (and {more} more)" if more else ""
    yield Located(
        f"The header has no include guard and no #pragma once, and including it twice fails: "
        f"{header.repeat_errors[0]}{also}.",
        _top(header.path),
    )


def _internal(header: HeaderFile) -> bool:
    """A header of C helpers for the package's own Go code: a Go file of its
    folder includes it in the import "C" preamble and none of the functions it
    declares is an //export of that folder (they are C functions the package
    defines for Go to call, never compiled as C++ nor linked by a consumer)."""
    return bool(header.included_by_cgo) and not any(
        f.name in header.go_exports_nearby for f in header.functions
    )


@check(
    id="CG452",
    name="header-extern-c",
    title='A C header declares functions without an extern "C" block for C++',
    severity=Severity.MEDIUM,
    applies_to="hand-written C headers that declare functions with external linkage",
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
    plain C symbols. Only functions with external linkage can break this way,
    so a header is judged only when it declares one: ``static`` and ``static
    inline`` functions, types and macros are compiled into each caller and
    never linked by name. Not judged either: cgo-generated headers (cgo writes
    the ``extern "C"`` block itself, the user cannot change them) and internal
    headers of C helpers, which a Go file of the header's folder includes in its
    ``import "C"`` preamble and which declare no function that the folder's Go
    code exports (cgo compiles them as C only)."""
    if header.generated_by_cgo or header.extern_c or not header.functions or _internal(header):
        return
    first = header.functions[0]
    yield Located(
        f'The header declares {len(header.functions)} function(s) without an extern "C" block under '
        "#ifdef __cplusplus; C++ callers will look for mangled names.",
        first.location,
    )


# Integer types whose width differs between the ABIs Go supports: long is 32 bits on
# 386, arm, mips and windows (LLP64) and 64 on the other 64-bit targets; GoInt/GoUint are
# typedefs cgo writes per target (GoInt32 or GoInt64); wchar_t is 16 bits on Windows and
# 32 elsewhere; time_t and off_t are 32 bits on 32-bit glibc targets by default.
ABI_DEPENDENT = frozenset(["long", "unsigned long", "GoInt", "GoUint", "wchar_t", "time_t", "off_t"])
INTEGER_LEVELS = ("portability", "strict")


def _integer_note(name: str) -> str:
    if name in ABI_DEPENDENT:
        return "width differs between the ABIs Go supports"
    if name in ("size_t", "ssize_t", "ptrdiff_t", "intptr_t", "uintptr_t", "GoUintptr"):
        return "pointer-sized by definition"
    return "same width on every ABI Go supports"


@check(
    id="CG453",
    name="header-platform-integer",
    title="A declared function uses integer types whose width depends on the platform",
    severity=Severity.MEDIUM,
    applies_to='C headers (cgo-generated: the exported prototypes and the import "C" preamble)',
    target=CheckTarget.C_HEADER,
    example="""
        long bridge_count(int flags);                  <- portability: long is 32 bits on Windows, 64 on Linux
        int64_t bridge_count(int32_t flags);           <- good at both levels
        GoInt Count(GoString s);                       <- portability: GoInt is GoInt32 on 386 and arm
    """,
    fix="""
        Use fixed-width types from <stdint.h> (int32_t, int64_t, ...) in the API. In
        Go, declare exported parameters as C.int32_t / C.int64_t rather than C.long /
        int. Lengths of memory may stay size_t (pointer-sized by definition). To see
        every non-fixed-width type (int, unsigned, long long, size_t) as the seed's rule
        did, set header-integers = "strict" in [tool.cgoguard.lint] or pass
        --header-integers strict.
    """,
    references=(
        "https://en.cppreference.com/w/c/types/integer",
        "https://go.dev/doc/install/source#environment",
    ),
)
def header_platform_integer(header: HeaderFile) -> Iterator[Located]:
    """An integer type whose width differs between the platforms a header is
    compiled for makes a binding written on one platform (ctypes, cffi, C#,
    JNA) truncate or misread arguments on another. Two levels, chosen with
    ``header-integers`` in ``[tool.cgoguard.lint]`` or ``cgoguard lint
    --header-integers``; the message names the level.

    ``portability`` (the default) reports only the types whose width differs
    between the ABIs Go supports, where a binding written on one platform
    (ctypes, cffi, C#, JNA, a C caller built elsewhere) silently truncates on
    another: ``long`` / ``unsigned long`` (32 bits on 386, arm and Windows'
    LLP64, 64 on LP64), cgo's ``GoInt`` / ``GoUint`` (the generated header
    defines them per target: a binding written from the amd64 header is wrong
    on 386), ``wchar_t``, ``time_t``, ``off_t``, and any typedef ending in
    them. ``int``, ``unsigned``, ``short`` and ``long long`` have one width on
    every ABI Go runs on, and the pointer-sized types (``size_t``,
    ``ssize_t``, ``ptrdiff_t``, ``intptr_t``, ``uintptr_t``, ``GoUintptr``)
    are defined by C as the width of the address space: every FFI has a type
    for them and no memory size or address outgrows them, so they are not a
    portability bug.

    ``strict`` is the seed's rule: every integer type that is not fixed-width
    (``int``, ``long long``, ``size_t`` ...) in a declared function, as a
    style rule for APIs whose callers are generated from the header;
    strict-only types are reported at low severity.

    In a cgo-generated header only what the user wrote is judged: the
    ``//export`` prototypes and the copied ``import "C"`` preamble, not cgo's
    own prologue. A type libclang could not resolve (its include was not
    found, see CG457) is never judged."""
    strict = header.integer_level == "strict"
    for function in header.functions:
        if function.cgo_section == "prologue":
            continue
        found: list[str] = []
        portable = True
        for name, c_type in [("result", function.result), *function.parameters]:
            for integer in c_type.platform_integers:
                if integer in ABI_DEPENDENT:
                    portable = False
                elif not strict:
                    continue
                found.append(f"{integer} ({name or 'unnamed parameter'}: {_integer_note(integer)})")
        if not found:
            continue
        level = "strict" if strict else "portability"
        yield Located(
            f"{function.name} uses {', '.join(found)} [{level} level].",
            function.location,
            Severity.LOW if portable else None,
        )


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
    marker also documents which declarations are the public API. Judged only
    where a function with external linkage is declared (``static inline``
    helpers are never exported), not in cgo-generated headers (the symbols
    are exported by the Go linker whatever the header says) nor in internal
    headers of C helpers (see CG452: included by the folder's ``import "C"``
    preamble, declaring no //export of the folder). A declared function that a Go
    file of the header's folder exports (``//export``) is not reported either:
    the Go linker exports it with default visibility whatever the header or
    ``-fvisibility`` say."""
    if header.generated_by_cgo or _internal(header):
        return
    # The Go linker exports //export functions whatever the header or -fvisibility say.
    unmarked = [
        f for f in header.functions if not f.has_visibility and f.name not in header.go_exports_nearby
    ]
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
    id="CG457",
    name="header-include-not-found",
    title="A header includes a file that is in none of the include folders",
    severity=Severity.LOW,
    applies_to="C headers",
    target=CheckTarget.C_HEADER,
    example="""
        #include "bridge_types.h"   /* in ../include, not passed with -I */
        bridge_handle bridge_open(const char *path);
    """,
    fix="""
        Pass the folder that holds the file: `cgoguard lint -I DIR header.h`, or
        `include = ["DIR"]` in [tool.cgoguard.lint] (relative to the configuration
        file). If the file is not shipped with the header, every consumer of the
        header fails to compile it the same way: ship it, or drop the include.
    """,
    references=("https://gcc.gnu.org/onlinedocs/cpp/Search-Path.html",),
)
def header_include_not_found(header: HeaderFile) -> Iterator[Located]:
    """An include found in none of the folders searched (the header's folder
    for ``"..."``, the ``-I`` folders, the system include folders) is reported
    where its directive is active; parsing goes on without it. Types the
    missing file would have declared are unknown: they are never taken as
    ``int`` nor judged by CG453, and the message counts the declarations that
    use them, so that a clean report is not mistaken for a checked one. Only
    includes written in the header or in files of the project count: one
    missing inside a system header is the system's concern."""
    unresolved = {
        name
        for function in header.functions
        for c_type in [function.result, *(t for _, t in function.parameters)]
        for name in c_type.unresolved
    }
    users = sum(
        1
        for function in header.functions
        if any(c.unresolved for c in [function.result, *(t for _, t in function.parameters)])
    )
    for missing in header.missing_includes:
        names = ", ".join(sorted(unresolved))
        unknown = (
            f"; {users} declared function(s) use types it would declare ({names}), not judged"
            if users
            else ""
        )
        message = (
            f"{missing.directive} was not found in the header's folder, the -I folders or the system "
            f"include folders{unknown if users else ''}; pass its folder with -I DIR or include = [...] in "
            "[tool.cgoguard.lint]."
        )
        if missing.path == header.path:
            yield Located(message, SourceLocation(header.path, missing.line, 1))
        else:
            yield Located(f"{missing.path}:{missing.line}, included here: {message}", _top(header.path))


@check(
    id="CG458",
    name="header-not-self-contained",
    title="A header uses standard types without including their header",
    severity=Severity.LOW,
    applies_to="C headers",
    target=CheckTarget.C_HEADER,
    example="""
        #pragma once
        size_t bridge_copy(char *dst, size_t n);   <- compiles only after <stddef.h>

        #pragma once
        #include <stddef.h>
        size_t bridge_copy(char *dst, size_t n);
    """,
    fix="""
        Include what the header uses (<stddef.h> for size_t, <stdint.h> for int32_t,
        <stdbool.h> for bool, <stdio.h> for FILE, <sys/types.h> for ssize_t), so that
        `#include "bridge.h"` compiles as the first line of any file.
    """,
    references=("https://google.github.io/styleguide/cppguide.html#Self_contained_Headers",),
)
def header_not_self_contained(header: HeaderFile) -> Iterator[Located]:
    """A header that uses ``size_t`` without including ``<stddef.h>`` compiles
    only when the including file happened to include it first: consumers get
    "unknown type name" depending on the order of their includes, and binding
    generators that parse the header alone (cffi, bindgen, c2go) fail on it.
    cgoguard parses such a header the way its callers must use it, with the
    standard headers included first, and checks the rest as usual. Not claimed
    when an include of the header was not found or not read (CG457, CG456): the
    type may come from that file (``<Foundation/Foundation.h>`` brings ``bool``)."""
    for name, line in sorted(header.undeclared_standard_types.items(), key=lambda item: item[1]):
        yield Located(
            f"{name} is used without including <{STANDARD_TYPES[name]}>; the header compiles only "
            "when the including file includes it first.",
            SourceLocation(header.path, line, 1),
        )


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
