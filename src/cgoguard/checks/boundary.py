"""Go source checks at the cgo export boundary (``cgoguard lint`` on Go packages).

Each check receives a :class:`~cgoguard.sourcefacts.GoPackage` read by
``cgoguard.readers.gofront`` (Go's own parser and type checker) and yields :class:`~cgoguard.checks.Located`
results that point at the offending line.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from cgoguard.checks import CheckTarget, Located, check
from cgoguard.checks.gocalls import Reach, Reached
from cgoguard.model import Severity, SourceLocation
from cgoguard.sourcefacts import DeferFact, GoFile, GoFunction, GoPackage, GoType, Site

_CGO_DOC = "https://pkg.go.dev/cmd/cgo#hdr-C_references_to_Go"
_POINTER_RULES = "https://pkg.go.dev/cmd/cgo#hdr-Passing_pointers"


def exported_functions(package: GoPackage) -> Iterator[tuple[GoFile, GoFunction]]:
    """Functions cgo exports: named by an effective //export directive."""
    names = {d.attached_to for _, d in package.effective_exports()}
    for file, function in package.functions():
        if function.receiver is None and function.name in names:
            yield file, function


def _by_name(package: GoPackage) -> dict[str, GoFunction]:
    """Package functions and methods by bare name (methods also as "Type.Method")."""
    found: dict[str, GoFunction] = {}
    for _, function in package.functions():
        found.setdefault(function.name, function)
    return found


@check(
    id="CG401",
    name="export-comment-ignored",
    title="An //export comment that cgo silently ignores",
    severity=Severity.HIGH,
    applies_to="Go files of a cgo package",
    target=CheckTarget.GO_SOURCE,
    example="""
        // export Add          <- bad: the space makes it an ordinary comment (golang/go#25831)
        //Export Add           <- bad: the keyword is case-sensitive
        //export Add
                               <- bad: a blank line detaches it from the function
        func Add(a, b C.int) C.int { return a + b }

        //export Add           <- good: no space, lower case, right above the function
        func Add(a, b C.int) C.int { return a + b }
    """,
    fix="""
        Write exactly `//export Name` (no space after //, lower-case `export`, one
        space, the function's name) in the doc comment right above the function,
        with no blank line between them. Check the generated header or `nm -D` for
        the symbol.
    """,
    references=(
        "https://github.com/golang/go/issues/25831",
        "https://github.com/golang/go/issues/56853",
        _CGO_DOC,
    ),
)
def export_comment_ignored(package: GoPackage) -> Iterator[Located]:
    """cgo reads a directive only when a comment line starts with exactly
    ``//export `` and sits in the doc comment of a function. A space after
    ``//``, a capital letter, a tab, or a blank line between the comment and
    the function turn it into an ordinary comment: the build succeeds, the
    symbol is missing from the library and the header, and ``go vet`` says
    nothing. The mistake shows up only when a C caller fails to link or
    ``dlsym`` returns NULL."""
    for file in package.files:
        for directive in file.directives:
            if not directive.exact_prefix:
                yield Located(
                    f"`{directive.text}` is not read by cgo "
                    f"(it needs exactly `//export {directive.name or 'Name'}`); "
                    f"{directive.name or 'the function'} is not exported.",
                    directive.location,
                )
            elif file.imports_c and directive.attached_to is None:
                yield Located(
                    f"`{directive.text}` is not in the doc comment of a function (a blank line or another "
                    "declaration separates them), so cgo ignores it and nothing is exported.",
                    directive.location,
                )


@check(
    id="CG402",
    name="export-name-mismatch",
    title="An //export directive names another function or carries trailing text",
    severity=Severity.HIGH,
    applies_to="Go files of a cgo package",
    target=CheckTarget.GO_SOURCE,
    example="""
        //export add           <- bad: the name must match the function (case included)
        func Add(a, b C.int) C.int { ... }

        //export Add // sum    <- bad: cgo reads "Add // sum" as the name

        //export Add           <- good
        func Add(a, b C.int) C.int { ... }
    """,
    fix="""
        Make the directive name exactly the Go function's name, with nothing after it
        on the line. To export under another C name, rename the Go function or add a
        C wrapper in the preamble.
    """,
    references=("https://github.com/golang/go/issues/56853", _CGO_DOC),
)
def export_name_mismatch(package: GoPackage) -> Iterator[Located]:
    """cgo takes everything after ``//export `` as the name and requires it to
    equal the function's name; anything else stops the build with "export
    comment has wrong name" or "export missing name", usually far from where
    the comment was edited."""
    for file in package.files:
        if not file.imports_c:
            continue
        for directive in file.directives:
            if (
                directive.exact_prefix
                and directive.attached_to is not None
                and directive.name != directive.attached_to
            ):
                what = f"names {directive.name!r}" if directive.name else "has no name"
                yield Located(
                    f"`{directive.text}` {what} but documents {directive.attached_to}; cgo stops the build "
                    f"(export comment has wrong name).",
                    directive.location,
                )


@check(
    id="CG403",
    name="export-unsupported-target",
    title='//export on a method, a generic function, or in a file without import "C"',
    severity=Severity.HIGH,
    applies_to="Go files of a cgo package",
    target=CheckTarget.GO_SOURCE,
    example="""
        //export (T) Size      <- bad: methods cannot be exported
        //export Map           <- bad: generic functions cannot be exported (golang/go#47737)
        func Map[T any](...)

        // a file without `import "C"`: every //export in it is ignored (golang/go#11955)
    """,
    fix="""
        Export a plain function that takes a handle (an integer key into a Go map, see
        runtime/cgo.Handle) and calls the method or the instantiated generic function;
        put every //export in a file that has `import "C"`.
    """,
    references=(
        "https://github.com/golang/go/issues/47737",
        "https://github.com/golang/go/issues/11955",
        _CGO_DOC,
    ),
)
def export_unsupported_target(package: GoPackage) -> Iterator[Located]:
    """Only plain, non-generic functions in files that import "C" can be
    exported. On a method cgo either rejects the receiver type or emits C that
    does not compile; on a generic function it fails with "unrecognized Go
    type"; in a file without ``import "C"`` cgo never looks at the comment, so
    the function silently stays unexported."""
    for file in package.files:
        for directive in file.directives:
            if not directive.exact_prefix:
                continue
            if not file.imports_c:
                yield Located(
                    f'`{directive.text}` is in a file without `import "C"`: cgo does not process this file, '
                    "so nothing is exported.",
                    directive.location,
                )
            elif directive.attached_is_method:
                yield Located(
                    f"`{directive.text}` is on the method {directive.attached_to}; "
                    "methods cannot be exported.",
                    directive.location,
                )
            elif directive.attached_is_generic:
                yield Located(
                    f"`{directive.text}` is on the generic function {directive.attached_to}; "
                    "generic functions "
                    "cannot be exported.",
                    directive.location,
                )


_TYPE_ADVICE = {
    "slice": "a pointer and a length (`*C.uint8_t, C.size_t`), or a caller-allocated buffer",
    "string": "`*C.char` (with a length when it may hold NUL bytes); copy with C.GoStringN",
    "map": "an opaque handle (runtime/cgo.Handle) and accessor functions",
    "chan": "an opaque handle (runtime/cgo.Handle) and accessor functions",
    "interface": "an opaque handle (runtime/cgo.Handle)",
    "any": "an opaque handle (runtime/cgo.Handle)",
    "error": "an integer status code, with the message behind a GetLastError-style accessor",
    "func": "a C function pointer called through a C trampoline, or a handle",
    "struct": "a C struct type declared in the preamble, or a handle",
    "pointer": "a C pointer type, or a handle; C must not keep Go pointers",
}


def _go_type_problem(go_type: GoType, package: GoPackage) -> str | None:
    kind = go_type.kind
    if kind in ("slice", "string", "map", "chan", "interface", "any", "error", "func"):
        return kind
    if kind == "named" and go_type.named is not None:
        underlying = package.type_kinds.get(go_type.named, "other")
        if underlying == "struct":
            return "struct"
        if underlying in ("slice", "string", "map", "chan", "interface", "func"):
            return underlying
    if kind == "pointer" and go_type.pointee_kind in ("named", "struct", "slice", "string", "map", "basic"):
        named = go_type.named if go_type.pointee_kind == "named" else None
        if named is not None and package.type_kinds.get(named) == "c":
            return None
        if go_type.text == "*unsafe.Pointer":
            return None
        return "pointer"
    return None


@check(
    id="CG404",
    name="export-go-type",
    title="An exported function's signature uses Go types that C cannot own safely",
    severity=Severity.MEDIUM,
    applies_to="exported functions of a cgo package",
    target=CheckTarget.GO_SOURCE,
    example="""
        //export Sum
        func Sum(values []int64) int64             <- bad: C must build a GoSlice by hand

        //export Sum
        func Sum(values *C.int64_t, n C.size_t) C.int64_t   <- good
    """,
    fix="""
        Use C types at the boundary: pointer + length instead of slices and strings,
        caller-allocated buffers for output, status codes instead of error, and opaque
        handles (runtime/cgo.Handle) instead of maps, channels, interfaces, funcs and
        Go structs.
    """,
    references=(_POINTER_RULES, "https://github.com/golang/go/issues/65842"),
)
def export_go_type(package: GoPackage) -> Iterator[Located]:
    """cgo maps Go strings, slices, maps, channels and interfaces to
    ``GoString``/``GoSlice``/``GoMap``/``GoInterface`` structs that point into
    Go memory. A C caller cannot create them correctly, must not keep them
    past the call, and a returned one points at memory the garbage collector
    may move or free (returning a Go pointer aborts under the default
    ``cgocheck=1``). Go struct types are rejected by cgo outright ("Go type
    not supported in export")."""
    for _, function in exported_functions(package):
        problems: list[str] = []
        advice: list[str] = []
        for role, items in (("parameter", function.parameters), ("result", function.results)):
            for item in items:
                problem = _go_type_problem(item.type, package)
                # A string parameter arrives as a GoString the C caller built over
                # its own memory: nothing of Go's escapes. A returned one does.
                if problem is None or (problem == "string" and role == "parameter"):
                    continue
                label = f"{role} {item.name}" if item.name else role
                problems.append(f"{label} has Go type {item.type.text}")
                if _TYPE_ADVICE[problem] not in advice:
                    advice.append(_TYPE_ADVICE[problem])
        if problems:
            yield Located(
                f"{function.name}: {'; '.join(problems)}; use {' / '.join(advice)}.",
                function.location,
            )


def _recovers(defer: DeferFact, index: dict[str, GoFunction]) -> bool:
    """A deferred function that calls recover() itself: a literal, or a
    function of the module (resolved by the type checker, any package)."""
    if defer.literal_calls_recover:
        return True
    if defer.callee_key is not None and (target := index.get(defer.callee_key)) is not None:
        return target.calls_recover
    return False


def recover_guard(function: GoFunction, index: dict[str, GoFunction]) -> SourceLocation | None:
    """Where the function's recover() is in place: its first recovering defer
    that runs on every path (a top-level statement before any return)."""
    places = [
        d.location for d in function.defers if d.top_level and not d.after_return and _recovers(d, index)
    ]
    return min(places, key=lambda loc: (loc.line, loc.column)) if places else None


def panic_sites(package: GoPackage) -> Callable[[GoFunction], list[Site]]:
    """A function's own panic sites, sends on channels closed somewhere included."""
    closed = package.channel_closes

    def sites(function: GoFunction) -> list[Site]:
        found = list(function.panics)
        found += [s for s in function.sends if s.detail in closed]
        # cgocheck (on by default) panics when C is handed Go memory holding Go pointers.
        found += [
            Site("cgocheck", s.location, s.detail)
            for s in function.pointer_stores
            if s.kind == "c-call-struct"
        ]
        return sorted(found, key=lambda s: (s.location.line, s.location.column))

    return sites


_PANIC_WORDS = {
    "panic": "calls panic",
    "index": "indexes {detail} without a bounds check",
    "slice": "slices {detail} without a bounds check",
    "divide": "divides by {detail}, which can be 0",
    "assert": "asserts {detail} without ', ok'",
    "deref": "dereferences {detail}, which C may pass as NULL",
    "call": "calls {detail}, which panics on bad input",
    "send": "sends on a channel that is closed elsewhere",
    "close": "closes {detail}, which panics when it is closed twice",
    "cgocheck": "passes {detail} to C, Go memory holding Go pointers (cgocheck panics)",
}


def describe_panic(reached: Reached) -> str:
    words = _PANIC_WORDS.get(reached.site.kind, "can panic").format(detail=reached.site.detail)
    return f"{words} ({reached.where()})"


@check(
    id="CG405",
    name="export-without-recover",
    title="An exported function can panic without a deferred recover()",
    severity=Severity.HIGH,
    applies_to="exported functions of a cgo package",
    target=CheckTarget.GO_SOURCE,
    example="""
        var lastError atomic.Value

        //export Parse
        func Parse(text *C.char) (status C.int) {
            defer func() {
                if r := recover(); r != nil {
                    lastError.Store(fmt.Sprint(r))   // for a GetLastError() accessor
                    status = -1                      // negative code: failure
                }
            }()
            ...
        }
    """,
    fix="""
        Start every exported function with a deferred closure that calls recover()
        itself, stores the panic message for a GetLastError-style accessor and sets a
        named result to a negative error code. recover() only works when called
        directly by the deferred function: `defer handlePanic()` works, while
        `defer func() { handlePanic() }()` does not.
    """,
    references=("https://go.dev/ref/spec#Handling_panics", _CGO_DOC),
)
def export_without_recover(package: GoPackage) -> Iterator[Located]:
    """A panic that unwinds out of an exported function cannot be caught by C:
    the Go runtime prints the panic and aborts the whole host process (exit
    134), taking down the Python interpreter, the web server or the game that
    loaded the library.

    What counts as a possible panic, on the export's own goroutine (through
    the module's functions it calls, unless they recover themselves): an
    explicit panic; indexing or slicing a slice, string or array without a
    bounds check before it (a range loop's index, a comparison with len() or
    with the index counts as one); integer division by a value that is not a
    constant and not compared before; a type assertion without ``, ok``;
    dereferencing a pointer parameter or a pointer looked up in a map without
    a nil check; a send on a channel the module closes somewhere; standard
    library calls documented to panic (regexp.MustCompile of a non-constant,
    binary.ByteOrder on short input, reflect). Map reads, float division and
    code inside ``go func(){}`` (a recover here cannot catch it) are not."""
    index = package.function_index()
    reach = Reach(package, panic_sites(package), guard=lambda f: recover_guard(f, index))
    for _, function in exported_functions(package):
        reached = reach.first(function)
        if reached is None:
            continue
        if recover_guard(function, index) is not None:
            yield Located(
                f"{function.name} is called from C and {describe_panic(reached)} before its deferred "
                "recover() is in place: a panic aborts the host process.",
                function.location,
            )
            continue
        recovering = [d for d in function.defers if _recovers(d, index)]
        if recovering:
            reason = (
                "its deferred recover() runs only on some paths (it is inside a branch or after a return)"
            )
        else:
            indirect = [
                (target.name if (target := index.get(name)) is not None else name)
                for d in function.defers
                for name in d.literal_calls
                if (target := index.get(name)) is not None and target.calls_recover
            ]
            if indirect:
                reason = (
                    f"the deferred closure calls {indirect[0]}(), whose recover() returns nil because it is "
                    "not called directly by the deferred function"
                )
            else:
                reason = "it has no deferred recover()"
        yield Located(
            f"{function.name} is called from C, {describe_panic(reached)}, and {reason}: "
            "a panic aborts the host process.",
            function.location,
        )


@check(
    id="CG406",
    name="c-allocation-leak",
    title="A C.CString / C.CBytes result is never freed",
    severity=Severity.MEDIUM,
    applies_to="functions of a cgo package",
    target=CheckTarget.GO_SOURCE,
    example="""
        C.puts(C.CString(message))             <- bad: the copy is never freed

        text := C.CString(message)
        defer C.free(unsafe.Pointer(text))     <- good
        C.puts(text)
    """,
    fix="""
        Free the copy with `defer C.free(unsafe.Pointer(p))` right after C.CString /
        C.CBytes, or return it to a caller that frees it. If C takes ownership, say so
        with `//cgoguard:ignore CG406 <who frees it>`.
    """,
    references=("https://pkg.go.dev/cmd/cgo#hdr-Go_references_to_C",),
)
def c_allocation_leak(package: GoPackage) -> Iterator[Located]:
    """C.CString and C.CBytes copy Go data into memory from C's malloc, which
    the Go garbage collector never frees. A result that is neither passed to
    C.free (directly, deferred, or in a deferred closure) nor returned nor
    stored leaks on every call; in a long-running host that is unbounded
    growth."""
    for _, function in package.functions():
        for allocation in function.allocations:
            if allocation.function not in ("C.CString", "C.CBytes"):
                continue
            if allocation.freed or allocation.returned or allocation.escapes:
                continue
            if allocation.discarded:
                what = f"{allocation.function} result is assigned to _ and dropped"
            elif allocation.variable:
                what = f"{allocation.function} result in {allocation.variable} is never freed"
            else:
                what = f"{allocation.function} result is passed on without being kept, so nothing can free it"
            yield Located(f"{function.name}: {what} (leak on every call).", allocation.location)


def _frees_for_callers(function: GoFunction) -> bool:
    """C.free of a parameter, or C.free inside a function named like a free
    function (one that looks the pointer up by an ID, for instance)."""
    if function.calls_c_free_on_parameter:
        return True
    return (
        function.calls_c_free and re.search(r"free|release|destroy|dispose", function.name, re.I) is not None
    )


@check(
    id="CG407",
    name="c-allocation-returned-no-free",
    title="C memory is returned to C but the package exports no free function",
    severity=Severity.MEDIUM,
    applies_to="exported functions of a cgo package",
    target=CheckTarget.GO_SOURCE,
    example="""
        //export Version
        func Version() *C.char { return C.CString(version) }   <- who frees it?

        //export FreeString                                    <- good: add this
        func FreeString(p *C.char) { C.free(unsafe.Pointer(p)) }
    """,
    fix="""
        Export a matching free function (e.g. `FreeString(p *C.char)` calling C.free)
        and document that callers must use it: the caller's free() may belong to a
        different C runtime (Windows, static CRTs, custom allocators).
    """,
    references=("https://pkg.go.dev/cmd/cgo#hdr-Go_references_to_C",),
)
def c_allocation_returned_no_free(package: GoPackage) -> Iterator[Located]:
    """Returning freshly allocated C memory hands ownership to the caller, who
    must free it with the same allocator. Without a free function, callers
    from other languages (Python ctypes, C#, a different libc) either leak it
    or free it with the wrong allocator.

    A free function is any of: an exported Go function that frees one of its
    parameters (or frees by ID and is named like free/release/destroy); a C
    function of the package's preamble or ``.c`` files that frees a parameter
    (a C host can call it through the header); a free-like function the
    package's own headers declare. Returning a package-level variable (a
    cached singleton) lends memory, it does not hand it over."""
    exported = list(exported_functions(package))
    if any(_frees_for_callers(function) for _, function in exported):
        return
    if package.c_free_functions or package.header_free_functions:
        return
    for _, function in exported:
        where = package.returned_allocation(function)
        if where is not None:
            yield Located(
                f"{function.name} returns C memory allocated at line {where.line} but the package offers no "
                "function to free it (no exported Go function frees a parameter; no free function in its "
                "C code or headers).",
                function.location,
            )


_STORE_MESSAGES = {
    "c-field": "stores a Go pointer into a C struct ({detail}); if C keeps the struct, "
    "the pointer dangles when "
    "the garbage collector moves or frees its target",
    "c-global": "stores a Go pointer in a C global ({detail}); C keeps it after the call returns",
    "c-call-keeps": "passes a Go pointer ({detail}) to a C function that keeps what it is given",
    "c-call-struct": "passes {detail} to C, a Go struct that holds Go pointers "
    "(forbidden by the cgo pointer rules)",
}


@check(
    id="CG408",
    name="go-pointer-to-c",
    title="A Go pointer is stored in C memory or passed to C inside a struct of Go pointers",
    severity=Severity.MEDIUM,
    applies_to="functions of a cgo package",
    target=CheckTarget.GO_SOURCE,
    example="""
        var state Config
        C.register_callback(unsafe.Pointer(&state))    <- bad: C keeps a Go pointer
        ctx.user_data = unsafe.Pointer(&state)         <- bad: Go pointer in C memory

        handle := cgo.NewHandle(&state)                <- good: C keeps an integer
        C.register_callback(C.uintptr_t(handle))
    """,
    fix="""
        Give C a runtime/cgo.Handle (an integer) instead of a Go pointer, or copy the
        data into C memory (C.malloc, C.CBytes). Pass only structs without Go pointers,
        or pin the memory with runtime.Pinner for the duration C may use it.
    """,
    references=(_POINTER_RULES, "https://pkg.go.dev/runtime/cgo#Handle"),
)
def go_pointer_to_c(package: GoPackage) -> Iterator[Located]:
    """The cgo pointer rules forbid C from keeping a Go pointer after the call
    returns and forbid passing Go memory that itself contains Go pointers. The
    default ``cgocheck=1`` catches only some cases at run time; storing a Go
    pointer into C memory is caught only by a ``GOEXPERIMENT=cgocheck2`` build.
    Otherwise the garbage collector moves or frees the target and C later
    reads or writes freed memory."""
    for _, function in package.functions():
        for store in function.pointer_stores:
            yield Located(
                f"{function.name} " + _STORE_MESSAGES[store.kind].format(detail=store.detail) + ".",
                store.location,
            )


@check(
    id="CG409",
    name="lock-os-thread-unpaired",
    title="runtime.LockOSThread() without a deferred UnlockOSThread() in an exported function",
    severity=Severity.MEDIUM,
    applies_to="exported functions of a cgo package",
    target=CheckTarget.GO_SOURCE,
    example="""
        runtime.LockOSThread()
        defer runtime.UnlockOSThread()      <- good: released on every path, panics included
    """,
    fix="Follow every runtime.LockOSThread() with `defer runtime.UnlockOSThread()`.",
    references=("https://pkg.go.dev/runtime#LockOSThread",),
)
def lock_os_thread_unpaired(package: GoPackage) -> Iterator[Located]:
    """Calls from C already run on a goroutine locked to the calling C thread.
    An extra LockOSThread that is never undone leaves the lock count raised
    when the call returns; unlocking without ``defer`` skips the unlock on an
    early return or a panic. Either way the thread's state leaks into the next
    call from that thread."""
    for _, function in exported_functions(package):
        if function.lock_os_thread is None or function.unlock_os_thread == "deferred":
            continue
        if function.unlock_os_thread == "direct":
            yield Located(
                f"{function.name} unlocks the OS thread without defer; an early return or a panic skips it.",
                function.lock_os_thread,
                Severity.LOW,
            )
        else:
            yield Located(
                f"{function.name} calls runtime.LockOSThread() and never runtime.UnlockOSThread().",
                function.lock_os_thread,
            )


@check(
    id="CG410",
    name="c-library-without-main",
    title="A package main built as a C library has no func main()",
    severity=Severity.HIGH,
    applies_to="Go packages with //export functions",
    target=CheckTarget.GO_SOURCE,
    example="""
        package main
        import "C"
        //export Add
        func Add(a, b C.int) C.int { return a + b }
        func main() {}          <- required, even though it never runs
    """,
    fix="Add an empty `func main() {}` to the package.",
    references=("https://pkg.go.dev/cmd/go#hdr-Build_modes",),
)
def c_library_without_main(package: GoPackage) -> Iterator[Located]:
    """``-buildmode=c-shared`` and ``c-archive`` build a ``package main``; the
    linker still needs ``func main`` ("function main is undeclared in the main
    package") although it is never called."""
    if package.name != "main":
        return
    exports = package.effective_exports()
    if not exports:
        return
    if any(f.name == "main" and f.receiver is None for _, f in package.functions()):
        return
    _, first = exports[0]
    yield Located(
        f"package main exports {len(exports)} function(s) but has no func main(); "
        "the library does not build.",
        first.location,
    )
