"""A C header against the Go code it declares: the //export functions of the
Go packages linted in the same run (``cgoguard lint ./bridge bridge.h``, or
``--against ./bridge``), as cgo would declare them.

Like ``cbindgen --verify`` for Rust: the prototypes a hand-written header
declares must be the ones cgo generates, or callers pass arguments the Go side
reads differently. Types are compared by what they are (``int32_t``, ``int``
and ``GoInt32`` are one type; ``GoInt`` is 32 or 64 bits by target and equals
only itself); a type name the header defines itself is not judged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cgoguard.checks import CheckTarget, Located, check
from cgoguard.model import Severity
from cgoguard.sourcefacts import CType, GoExportSignature, HeaderAgainstGo, HeaderFunction

_CGO_DOC = "https://pkg.go.dev/cmd/cgo#hdr-C_references_to_Go"

# One name per C type, whatever the spelling: what cgo writes and what a header may write.
_SAME = {
    "int": "i32",
    "signed int": "i32",
    "int32_t": "i32",
    "GoInt32": "i32",
    "unsigned int": "u32",
    "unsigned": "u32",
    "uint32_t": "u32",
    "GoUint32": "u32",
    "long long": "i64",
    "long long int": "i64",
    "int64_t": "i64",
    "GoInt64": "i64",
    "unsigned long long": "u64",
    "uint64_t": "u64",
    "GoUint64": "u64",
    "short": "i16",
    "int16_t": "i16",
    "GoInt16": "i16",
    "unsigned short": "u16",
    "uint16_t": "u16",
    "GoUint16": "u16",
    "signed char": "i8",
    "int8_t": "i8",
    "GoInt8": "i8",
    "unsigned char": "u8",
    "uint8_t": "u8",
    "GoUint8": "u8",
    "char": "char",
    "float": "f32",
    "GoFloat32": "f32",
    "double": "f64",
    "GoFloat64": "f64",
    "_Bool": "bool",
    "bool": "bool",
    "size_t": "size",
    "uintptr_t": "uptr",
    "GoUintptr": "uptr",
    "GoInt": "GoInt",
    "GoUint": "GoUint",
    "long": "long",
    "long int": "long",
    "unsigned long": "ulong",
    "void": "void",
    "GoString": "GoString",
    "_GoString_": "GoString",
    "GoSlice": "GoSlice",
    "GoInterface": "GoInterface",
    "GoMap": "GoMap",
    "GoChan": "GoChan",
}
_QUALIFIERS = re.compile(r"\b(const|volatile|restrict|__restrict)\b")


def _canonical(spelling: str) -> str | None:
    """``const char *`` -> ``char*``; None for a type name this module does not know."""
    text = _QUALIFIERS.sub(" ", spelling)
    stars = text.count("*")
    base = " ".join(text.replace("*", " ").split())
    if base.startswith(("struct ", "union ", "enum ")):
        return base + "*" * stars
    known = _SAME.get(base)
    return known + "*" * stars if known is not None else None


def _mismatches(function: HeaderFunction, export: GoExportSignature) -> list[str]:
    if len(function.parameters) != len(export.parameters) and not (
        not export.parameters and [c.spelling for _, c in function.parameters] == ["void"]
    ):
        return [f"{len(function.parameters)} parameter(s) declared, cgo generates {len(export.parameters)}"]
    found: list[str] = []
    for position, ((name, declared), generated) in enumerate(
        zip(function.parameters, export.parameters, strict=False), 1
    ):
        if _differs(declared, generated):
            found.append(
                f"parameter {position} ({name or '?'}) is {declared.spelling}, cgo generates {generated}"
            )
    if _differs(function.result, export.result):
        found.append(f"the result is {function.result.spelling}, cgo generates {export.result}")
    return found


def _differs(declared: CType, generated: str) -> bool:
    if declared.unresolved:
        return False
    mine, theirs = _canonical(declared.spelling), _canonical(generated)
    return mine is not None and theirs is not None and mine != theirs


def _pairs(subject: HeaderAgainstGo) -> Iterator[tuple[HeaderFunction, GoExportSignature]]:
    for function in subject.header.functions:
        if function.cgo_section == "prologue":
            continue
        export = subject.exports.get(function.name)
        if export is not None:
            yield function, export


@check(
    id="CG473",
    name="header-signature-mismatch",
    title="A header declares an exported Go function with another signature than cgo generates",
    severity=Severity.HIGH,
    applies_to="C headers linted with the Go package that exports their functions",
    target=CheckTarget.HEADER_GO,
    example="""
        //export Resize
        func Resize(p unsafe.Pointer, n int) C.int            (cgo: int Resize(void*, GoInt))

        int Resize(void *p, int n);                           <- bad: GoInt is 64 bits here
        int Resize(void *p, long long n);                     <- matches on 64-bit targets only
        int Resize(void *p, int64_t n);  + func Resize(p unsafe.Pointer, n C.int64_t)  <- good
    """,
    fix="""
        Declare exactly what cgo generates (see the header `go build -buildmode=c-shared`
        writes next to the library), or include that generated header instead of
        writing prototypes by hand. Prefer C types in the Go signature so both sides
        spell the same type.
    """,
    references=(_CGO_DOC, "https://github.com/mozilla/cbindgen/blob/master/docs.md"),
)
def header_signature_mismatch(subject: HeaderAgainstGo) -> Iterator[Located]:
    """A hand-written prototype that differs from the Go function (another
    parameter count, a narrower integer, a pointer where Go takes a GoString)
    compiles on both sides and links, because C symbols carry no types; the
    call then passes values in the wrong registers or of the wrong width.
    Compared: the number of parameters and each type, by what it is (aliases
    such as int32_t/GoInt32/int are one type, qualifiers are ignored)."""
    for function, export in _pairs(subject):
        problems = _mismatches(function, export)
        if problems:
            yield Located(
                f"{function.name}: {'; '.join(problems)} (from the Go export at "
                f"{export.location.path}:{export.location.line}).",
                function.location,
            )


@check(
    id="CG474",
    name="header-ownership-mismatch",
    title="A header and the Go code disagree on who frees a returned pointer",
    severity=Severity.HIGH,
    applies_to="C headers linted with the Go package that exports their functions",
    target=CheckTarget.HEADER_GO,
    example="""
        //export Version
        func Version() *C.char { return C.CString(version) }   // the caller must free

        const char *Version(void);     <- bad: const says "borrowed, do not free": it leaks
        char *Version(void);           <- good, with a documented FreeString(char *)
    """,
    fix="""
        Make the declaration say what the Go code does: `char *` (caller frees, with
        the library's free function) for memory made by C.CString/C.malloc per call,
        `const char *` for memory the library keeps (a cached global).
    """,
    references=(_CGO_DOC, "https://pkg.go.dev/cmd/cgo#hdr-Go_references_to_C"),
)
def header_ownership_mismatch(subject: HeaderAgainstGo) -> Iterator[Located]:
    """``const char *`` is C's way to say "borrowed: do not free". A function
    declared so while its Go body returns a fresh C.CString per call leaks on
    every call (or the caller casts the const away and guesses). The other way
    round, a plain ``char *`` result over memory the library keeps in a
    package-level variable invites the caller to free it, and the next call
    returns freed memory."""
    for function, export in _pairs(subject):
        spelling = function.result.spelling
        if "*" not in spelling:
            continue
        const = re.search(r"\bconst\b", spelling.split("*")[0]) is not None
        if const and export.returns_c_memory:
            yield Located(
                f"{function.name} is declared {spelling} (borrowed) but its Go body returns C memory "
                "allocated per call, which the caller must free: callers that trust the header leak it.",
                function.location,
            )
        elif not const and export.returns_borrowed and not export.returns_c_memory:
            yield Located(
                f"{function.name} is declared {spelling} (the caller's to free) but its Go body returns "
                "memory the library keeps in a package-level variable: a caller that frees it breaks the "
                "next call.",
                function.location,
                Severity.MEDIUM,
            )
