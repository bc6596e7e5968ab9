"""Facts the lint readers extract from Go sources and C headers.

Plain picklable dataclasses, like :mod:`cgoguard.model`: the readers fill
them and never judge; the checks in ``cgoguard.checks.boundary`` and
``cgoguard.checks.header`` decide what is wrong. Positions are 1-based, and
columns count characters (not bytes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from cgoguard.model import SourceLocation

# -- Go sources ------------------------------------------------------------------------------
# Read by the Go front end (:mod:`cgoguard.readers.gofront`): go/build, go/parser
# and go/types, so names are resolved the way the compiler resolves them.


@dataclass(slots=True)
class ExportDirective:
    """A line comment that looks like cgo's ``//export Name`` in any spelling."""

    location: SourceLocation
    text: str  # the comment exactly as written
    exact_prefix: bool  # starts with "//export " (the only form cgo reads)
    name: str  # what follows the keyword, stripped ("Name", "Name junk", "")
    # The function or method whose doc comment holds the line (cgo reads only
    # doc comments: no blank line between the comment block and the func).
    attached_to: str | None = None
    attached_is_method: bool = False
    attached_is_generic: bool = False


@dataclass(slots=True)
class GoType:
    """A parameter or result type as written, with its shape."""

    text: str
    # slice, map, chan, interface, func, string, any, error, pointer,
    # array, struct, named (a package-level type), c (C.x), basic, other
    kind: str
    pointee_kind: str | None = None  # for kind == "pointer": the pointee's kind
    named: str | None = None  # the package-level type name (named or pointer-to-named)
    c_type: str = ""  # what cgo writes for it in the export header ("GoInt", "char*")


@dataclass(slots=True)
class GoParameter:
    name: str
    type: GoType
    location: SourceLocation


@dataclass(slots=True)
class DeferFact:
    """One ``defer`` statement."""

    location: SourceLocation
    top_level: bool  # a statement of the function body itself (runs on every path after it)
    after_return: bool  # a top-level return statement comes before it
    callee: str | None  # "helper", "pkg.Helper", "x.Method", "C.free"; None for a func literal
    literal_calls_recover: bool  # a func literal that calls recover() itself
    literal_calls: list[str] = field(default_factory=list)  # callees called inside a func literal
    callee_key: str | None = None  # the function it defers, resolved ("example.com/m/pkg.Helper")


@dataclass(slots=True)
class CAllocation:
    """A ``C.CString`` / ``C.CBytes`` / ``C.malloc`` call and what happens to its result."""

    location: SourceLocation
    function: str  # "C.CString", "C.CBytes", "C.malloc", ...
    variable: str | None  # the variable it was assigned to, if any
    # How the result (or the variable holding it) is used later:
    freed: bool  # passed to C.free or to a free-like function (directly, deferred, in a closure)
    returned: bool  # part of a return statement
    escapes: bool  # stored elsewhere (field, element, global, other variable, a Go function)
    inline_argument: bool  # passed straight to a call without being kept
    discarded: bool = False  # assigned to _ (dropped)


@dataclass(slots=True)
class PointerStore:
    """A Go pointer handed to C memory or to a C call."""

    location: SourceLocation
    kind: str  # "c-field", "c-global", "c-call-keeps", "c-call-struct"
    detail: str  # the expression as written


@dataclass(slots=True)
class Site:
    """A place in a function: a possible panic, a process exit, a write, a use."""

    kind: str
    location: SourceLocation
    detail: str  # the expression, or the key of what it is about
    locked: bool = False  # a Lock() is held there (global writes)


@dataclass(slots=True)
class CallEdge:
    """A static call to a function of the same module."""

    callee: str  # the function's key
    location: SourceLocation
    deferred: bool
    locked: bool  # a Lock() is held at the call


@dataclass(slots=True)
class Narrowing:
    """A Go int-sized value converted to a narrower integer type."""

    location: SourceLocation
    target: str  # "C.int", "int32"
    source: str  # the converted expression as written
    is_length: bool  # len(...) or cap(...)
    guarded: bool  # compared with a bound earlier in the function


@dataclass(slots=True)
class GoFunction:
    name: str
    location: SourceLocation  # the name's position
    receiver: str | None  # the receiver type text for methods
    generic: bool
    parameters: list[GoParameter]
    results: list[GoParameter]
    defers: list[DeferFact]
    calls_recover: bool  # recover() is called directly in the body (not in a nested literal)
    allocations: list[CAllocation]
    pointer_stores: list[PointerStore]
    calls_c_free_on_parameter: bool  # C.free(...) of one of its parameters
    calls_c_free: bool  # C.free(...) of anything (e.g. a pointer looked up by an ID)
    lock_os_thread: SourceLocation | None  # first runtime.LockOSThread() call
    unlock_os_thread: str | None  # "deferred", "direct" or None
    returns_c_allocation: SourceLocation | None  # a C allocation (or a variable holding one) is returned
    key: str = ""  # "import/path.Name", "import/path.(Type).Method"
    # Sites on the function's own goroutine (goroutine bodies and deferred recover closures left out):
    panics: list[Site] = field(default_factory=list)  # panic, index, slice, divide, assert, deref, call
    exits: list[Site] = field(default_factory=list)  # os.Exit, log.Fatal, ...
    sends: list[Site] = field(default_factory=list)  # channel sends; detail = the channel's key
    calls: list[CallEdge] = field(default_factory=list)
    after_free: list[Site] = field(default_factory=list)  # "returned", "freed-twice"
    returns_calls: list[str] = field(default_factory=list)  # keys of module functions whose result it returns
    returns_global: bool = False  # returns a package-level variable (or a field of one)
    global_writes: list[Site] = field(default_factory=list)  # kind "map"/"slice", detail = the variable
    handles: list[Site] = field(default_factory=list)  # cgo.Handle: new, delete, value, address-to-c, ...
    narrowings: list[Narrowing] = field(default_factory=list)


@dataclass(slots=True)
class GoFile:
    path: str
    package: str
    imports_c: bool
    directives: list[ExportDirective]
    functions: list[GoFunction]
    # Line -> check IDs (upper case) or "*" named by //cgoguard:ignore on it.
    suppressions: dict[int, set[str]] = field(default_factory=dict)


@dataclass(slots=True)
class GoPackage:
    """The Go files of one folder that the build would compile (one package;
    _test.go files and files excluded by build constraints left out)."""

    folder: str
    name: str
    files: list[GoFile]
    # Package-level struct types holding Go pointers: name -> offending field types.
    pointer_structs: dict[str, list[str]] = field(default_factory=dict)
    # Package-level type names -> the kind of their underlying type ("struct", "slice", "c", ...).
    type_kinds: dict[str, str] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, sentence)
    import_path: str = ""
    module: str = ""
    excluded: list[tuple[str, str]] = field(default_factory=list)  # (path, why the build leaves it out)
    c_functions: list[str] = field(default_factory=list)  # defined in the cgo preambles and .c files
    c_free_functions: list[str] = field(default_factory=list)  # of those, the ones freeing a parameter
    header_free_functions: list[str] = field(default_factory=list)  # declared free-like, taking a pointer
    channel_closes: set[str] = field(default_factory=set)  # keys of channels closed somewhere
    # Functions of the module's other packages this one imports (directly or not).
    dependencies: list[GoFunction] = field(default_factory=list)
    _index: dict[str, GoFunction] | None = field(default=None, repr=False, compare=False)

    def functions(self) -> list[tuple[GoFile, GoFunction]]:
        return [(f, fn) for f in self.files for fn in f.functions]

    def effective_exports(self) -> list[tuple[GoFile, ExportDirective]]:
        """Directives cgo would act on: exact spelling, attached, in a cgo file."""
        return [
            (f, d)
            for f in self.files
            for d in f.directives
            if f.imports_c and d.exact_prefix and d.attached_to is not None and d.name == d.attached_to
        ]

    def returned_allocation(self, function: GoFunction) -> SourceLocation | None:
        """Where the C memory ``function`` returns was allocated: in itself, or in a
        module function whose result it returns (followed through the calls)."""
        if function.returns_c_allocation is not None or not function.returns_calls:
            return function.returns_c_allocation
        index = self.function_index()
        seen: set[str] = set()
        todo = [function]
        while todo:
            current = todo.pop()
            if current.returns_c_allocation is not None:
                return current.returns_c_allocation
            seen.add(current.key)
            todo += [index[k] for k in current.returns_calls if k in index and k not in seen]
        return None

    def function_index(self) -> dict[str, GoFunction]:
        """Every function of the package and its module dependencies, by key
        (built once: the facts do not change after reading)."""
        if self._index is None:
            index = {fn.key: fn for fn in self.dependencies}
            index.update((fn.key, fn) for _, fn in self.functions())
            self._index = index
        return self._index


# -- C headers -------------------------------------------------------------------------------


@dataclass(slots=True)
class CType:
    spelling: str  # as written in the declaration
    # Integer types that are not fixed-width, met while resolving it: the first
    # name on the typedef chain that says what it is ("size_t", "GoInt"), else the
    # C keyword type it ends in ("long", "int", "unsigned int").
    platform_integers: list[str] = field(default_factory=list)
    is_char_pointer: bool = False  # char*, signed/unsigned char* (not const-qualified pointee)
    # Type names libclang could not resolve (their declaring include was not found
    # or not read); such a type is unknown, never judged.
    unresolved: list[str] = field(default_factory=list)


@dataclass(slots=True)
class HeaderFunction:
    name: str
    location: SourceLocation
    result: CType
    parameters: list[tuple[str, CType]]
    has_visibility: bool  # visibility("default") / dllexport attribute (macros expanded)
    pointer_parameters: int  # how many parameters are pointers
    # In a cgo-generated header: "export" (an //export prototype), "preamble" (copied
    # from the import "C" comment) or "prologue" (cgo's own); "" in other headers.
    cgo_section: str = ""


class SkippedInclude(NamedTuple):
    """An ``#include`` that was not read (see :mod:`cgoguard.readers.cinclude`)."""

    path: str  # the file holding the directive (real path)
    line: int
    directive: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.directive} was not read: {self.reason}"


# Standard types a header may use without including their header, and where they live.
STANDARD_TYPES = {
    **{name: "stddef.h" for name in ("size_t", "ptrdiff_t", "wchar_t", "max_align_t")},
    **{f"{sign}int{bits}_t": "stdint.h" for sign in ("", "u") for bits in (8, 16, 32, 64)},
    **{name: "stdint.h" for name in ("intptr_t", "uintptr_t", "intmax_t", "uintmax_t")},
    "bool": "stdbool.h",
    "va_list": "stdarg.h",
    "FILE": "stdio.h",
    **{name: "sys/types.h" for name in ("ssize_t", "off_t", "pid_t", "uid_t", "gid_t", "mode_t")},
    "time_t": "time.h",
}


class MissingInclude(NamedTuple):
    """An ``#include`` found in none of the folders searched."""

    path: str  # the file holding the directive
    line: int
    directive: str
    name: str  # the file name it asks for

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.directive} was not found"


@dataclass(slots=True)
class HeaderFile:
    path: str
    generated_by_cgo: bool
    include_guard: str | None  # the guard macro, "#pragma once", or None
    extern_c: bool  # an extern "C" block under #ifdef __cplusplus
    functions: list[HeaderFunction]
    line_count: int
    suppressions: dict[int, set[str]] = field(default_factory=dict)
    missing_includes: list[MissingInclude] = field(default_factory=list)  # active, found nowhere
    skipped_includes: list[SkippedInclude] = field(default_factory=list)  # not read, and why
    # Standard types the header uses without including their header: name -> first line.
    # It was parsed with the standard headers a compiler would need included first.
    undeclared_standard_types: dict[str, int] = field(default_factory=dict)
    # Errors a translation unit that includes the header twice gets and one that
    # includes it once does not ("C: redefinition of 'x'", "C++: ..."); None: not tried.
    repeat_errors: list[str] | None = None
    # Go files of the header's folder whose import "C" preamble includes it.
    included_by_cgo: list[str] = field(default_factory=list)
    # //export names of the Go files of the header's folder (to tell an internal
    # header of C helpers from one that declares the library's API).
    go_exports_nearby: set[str] = field(default_factory=set)
    # Not a fact of the file: the CG453 level the run asked for (set by the linter
    # from [tool.cgoguard.lint] header-integers / --header-integers).
    integer_level: str = "portability"


@dataclass(frozen=True, slots=True)
class GoExportSignature:
    """An //export function as cgo declares it in the header it generates."""

    name: str
    location: SourceLocation
    parameters: tuple[str, ...]  # C types cgo writes ("GoInt", "char*", "GoString")
    result: str  # "void", one C type, or "struct Name_return" for several results
    returns_c_memory: bool  # a fresh C allocation the caller must free
    returns_borrowed: bool  # a package-level variable: the library keeps it


@dataclass(slots=True)
class HeaderAgainstGo:
    """A header and the //export functions of the Go packages linted with it."""

    header: HeaderFile
    exports: dict[str, GoExportSignature]


@dataclass(slots=True)
class HeaderAgainstBinary:
    """A header and the library it describes."""

    header: HeaderFile
    binary: str
    defined_symbols: set[str]  # defined dynamic symbols (.so) or defined member symbols (.a)
    go_exports: list[str]  # the binary's //export functions (from cgo's _cgoexp_ symbols)
