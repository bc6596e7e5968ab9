"""Go source checks that follow what an exported function does: freed C
memory used again, process exits, Go int in signatures, sizes narrowed into C
integers, package-level maps written without a lock, cgo.Handle lifetimes.

Facts come from the Go front end (``cgoguard.readers.gofront``); calls are
followed through the module's own functions (:mod:`cgoguard.checks.gocalls`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cgoguard.checks import CheckTarget, Located, check
from cgoguard.checks.boundary import exported_functions
from cgoguard.checks.gocalls import Reach
from cgoguard.model import Severity
from cgoguard.sourcefacts import GoPackage

_CGO_DOC = "https://pkg.go.dev/cmd/cgo#hdr-C_references_to_Go"


@check(
    id="CG411",
    name="c-memory-freed-then-used",
    title="C memory is returned or freed again after it was freed",
    severity=Severity.HIGH,
    applies_to="functions of a cgo package",
    target=CheckTarget.GO_SOURCE,
    example="""
        cs := C.CString(s)
        defer C.free(unsafe.Pointer(cs))
        return cs                        <- bad: freed when the function returns

        return C.CString(s)              <- good: the caller frees it with the
                                            package's exported free function
    """,
    fix="""
        Do not free what you return: drop the `defer C.free` for that pointer and
        export a free function for the caller. For a pointer freed on one path, set
        it to nil after C.free so a second free is a no-op.
    """,
    references=(
        "https://pkg.go.dev/cmd/cgo#hdr-Go_references_to_C",
        "https://cwe.mitre.org/data/definitions/416.html",
    ),
)
def c_memory_freed_then_used(package: GoPackage) -> Iterator[Located]:
    """A deferred ``C.free(p)`` runs after the return value is computed: a
    function that returns ``p`` hands the caller freed memory (use after
    free), and the caller's own free is then a double free, which corrupts the
    C heap of the host process. Two frees of the same pointer on one path do
    the same. Only frees on every path up to the use are counted (a free in
    one branch does not flow out of it), and a new value assigned in between
    ends the chain."""
    for _, function in package.functions():
        for site in function.after_free:
            if site.kind == "returned":
                message = (
                    f"{function.name} returns {site.detail} after it was freed "
                    "(or while a deferred C.free will free it)"
                )
            else:
                message = f"{function.name} frees {site.detail} a second time"
            yield Located(message + ": use after free, then a double free in the caller.", site.location)


@check(
    id="CG412",
    name="process-exit-from-export",
    title="An exported function can end the host process (os.Exit, log.Fatal)",
    severity=Severity.HIGH,
    applies_to="exported functions of a cgo package",
    target=CheckTarget.GO_SOURCE,
    example="""
        //export Load
        func Load(path *C.char) C.int {
            cfg, err := read(C.GoString(path))
            if err != nil {
                log.Fatalf("bad config: %v", err)   <- bad: exits the Python/C host
            }
            ...
        }
    """,
    fix="""
        Return an error code instead (and keep the message for a GetLastError-style
        accessor). Keep os.Exit and log.Fatal for func main of programs.
    """,
    references=(
        "https://pkg.go.dev/os#Exit",
        "https://pkg.go.dev/log#Fatal",
        "https://pkg.go.dev/runtime#Goexit",
    ),
)
def process_exit_from_export(package: GoPackage) -> Iterator[Located]:
    """A library must not decide that its host process ends. ``os.Exit`` and
    ``log.Fatal*`` (and the Fatal functions of logrus, glog, klog and zap,
    which call os.Exit) end the whole C, C++ or Python program with no chance
    to clean up, and no recover() stops them; ``runtime.Goexit`` on the
    goroutine of a call from C is fatal too. Found on the export's goroutine,
    through the module's own functions it calls."""
    reach = Reach(package, lambda function: function.exits)
    for _, function in exported_functions(package):
        reached = reach.first(function)
        if reached is None:
            continue
        yield Located(
            f"{function.name} is called from C and calls {reached.site.detail} ({reached.where()}), "
            "which ends the host process.",
            function.location,
        )


@check(
    id="CG413",
    name="export-go-int",
    title="An exported signature uses Go int, uint or uintptr (GoInt: 32 or 64 bits by target)",
    severity=Severity.MEDIUM,
    applies_to="exported functions of a cgo package",
    target=CheckTarget.GO_SOURCE,
    example="""
        //export Count
        func Count(n int) int               <- bad: GoInt is long long on 64-bit targets

        //export Count
        func Count(n C.int) C.int           <- good: the C type the caller declares
    """,
    fix="""
        Use C types (C.int, C.long, C.size_t) or fixed-width Go types (int32, int64)
        in exported signatures, matching what the C side declares.
    """,
    references=(_CGO_DOC, "https://go.dev/ref/spec#Numeric_types"),
)
def export_go_int(package: GoPackage) -> Iterator[Located]:
    """cgo writes ``GoInt`` for Go's ``int``: a 64-bit integer on 64-bit
    targets and 32-bit on 32-bit ones. Callers that declare the function by
    hand (ctypes, cffi, C#) usually write ``int``, which is 32 bits
    everywhere: the upper half of a result is lost, and on some ABIs an
    argument is read from the wrong register half."""
    for _, function in exported_functions(package):
        named = [
            f"{item.name or role} {item.type.text}"
            for role, items in (("parameter", function.parameters), ("result", function.results))
            for item in items
            if item.type.kind == "basic" and item.type.text in ("int", "uint", "uintptr")
        ]
        if named:
            yield Located(
                f"{function.name}: {', '.join(named)} is GoInt/GoUint/GoUintptr in C (32 or 64 bits by "
                "target); use C.int, C.long, C.size_t or int32/int64.",
                function.location,
            )


# Names that say a value is a size, a length or a count.
_SIZE_NAME = re.compile(r"(?i)(^n$|^n[A-Z_]|len|size|count|length|num|cap|bytes|total)")


@check(
    id="CG414",
    name="size-narrowing",
    title="A Go size or length is converted to a narrower integer without a bounds check",
    severity=Severity.MEDIUM,
    applies_to="functions of a cgo package",
    target=CheckTarget.GO_SOURCE,
    example="""
        C.write_buf(p, C.int(len(data)))            <- bad: wraps negative past 2 GiB

        if len(data) > math.MaxInt32 { return errTooBig }
        C.write_buf(p, C.int(len(data)))            <- good
        C.write_buf2(p, C.size_t(len(data)))        <- better: a size type
    """,
    fix="""
        Pass sizes as C.size_t (or C.ssize_t/int64), or check the value against
        math.MaxInt32 before converting.
    """,
    references=("https://go.dev/ref/spec#Conversions", "https://cwe.mitre.org/data/definitions/197.html"),
)
def size_narrowing(package: GoPackage) -> Iterator[Located]:
    """Go's ``len`` is an ``int`` (64 bits on 64-bit targets); ``C.int`` and
    ``int32`` are 32. A conversion truncates silently: a 3 GiB buffer becomes
    a negative length, which C code then uses for a copy or an allocation.
    Reported for ``len``/``cap`` results and for int-sized values named like a
    size (n, size, count, length...) that no comparison bounds before the
    conversion."""
    for _, function in package.functions():
        for narrowing in function.narrowings:
            if narrowing.guarded:
                continue
            if not narrowing.is_length and not _SIZE_NAME.search(narrowing.source.rsplit(".", 1)[-1]):
                continue
            yield Located(
                f"{function.name} converts {narrowing.source} to {narrowing.target} without a bounds check: "
                "sizes above 2 GiB wrap around.",
                narrowing.location,
            )


@check(
    id="CG415",
    name="unsynchronised-global-mutation",
    title="An exported function writes a package-level map or slice without a lock",
    severity=Severity.HIGH,
    applies_to="exported functions of a cgo package",
    target=CheckTarget.GO_SOURCE,
    example="""
        var sessions = map[int]*Session{}

        //export Open
        func Open() C.int { id := next(); sessions[id] = newSession(); ... }   <- bad

        var mu sync.Mutex
        ... mu.Lock(); sessions[id] = newSession(); mu.Unlock()                <- good
    """,
    fix="""
        Guard package-level maps and slices written from exports with a sync.Mutex
        (or use sync.Map / atomic values); C hosts call exports from many threads.
    """,
    references=("https://go.dev/doc/faq#atomic_maps", "https://go.dev/ref/mem"),
)
def unsynchronised_global_mutation(package: GoPackage) -> Iterator[Located]:
    """C hosts call exported functions from any thread, concurrently. Two
    unsynchronised writes to a Go map end in ``fatal error: concurrent map
    writes``, which no recover() catches and which aborts the host; appends to
    a shared slice lose elements. Reported when the export, or a module
    function it calls, writes (assigns an element, deletes, appends back) a
    package-level map or slice with no Lock() held before it in that function
    or at the call that leads there. Writes in init() are not reached."""
    reach = Reach(
        package,
        lambda function: [s for s in function.global_writes if not s.locked],
        follow=lambda edge: not edge.locked,
    )
    for _, function in exported_functions(package):
        reached = reach.first(function)
        if reached is None:
            continue
        yield Located(
            f"{function.name} is called from C and writes the package-level {reached.site.kind} "
            f"{reached.site.detail} without a lock ({reached.where()}): concurrent calls corrupt it "
            "or abort with 'concurrent map writes'.",
            function.location,
        )


@check(
    id="CG416",
    name="cgo-handle-misuse",
    title="A runtime/cgo.Handle is never deleted, used after Delete, or passed to C by address",
    severity=Severity.MEDIUM,
    applies_to="functions of a cgo package",
    target=CheckTarget.GO_SOURCE,
    example="""
        h := cgo.NewHandle(obj)
        C.register(unsafe.Pointer(&h))        <- bad: a Go pointer C keeps
        C.register(C.uintptr_t(h))            <- good: the handle's value

        //export Release
        func Release(h C.uintptr_t) { cgo.Handle(h).Delete() }   <- and free it
    """,
    fix="""
        Pass the handle by value (C.uintptr_t(h)), call Delete exactly once when C
        is done with it (an exported Release function), and never use the handle
        after Delete.
    """,
    references=("https://pkg.go.dev/runtime/cgo#Handle", "https://github.com/hillu/go-yara/issues/101"),
)
def cgo_handle_misuse(package: GoPackage) -> Iterator[Located]:
    """A handle keeps its value alive until Delete: a module that creates
    handles and never deletes any leaks every value handed to C. Value() or
    Delete() after Delete panics ("misuse of an invalid Handle"). Passing
    ``&h`` hands C a Go pointer to a stack or heap variable that C keeps, which
    the cgo pointer rules forbid (hillu/go-yara#101); the handle is meant to
    travel by value."""
    functions = [fn for _, fn in package.functions()]
    everywhere = functions + package.dependencies
    deletes = [
        site for fn in everywhere for site in fn.handles if site.kind == "delete" and site.detail != "fresh"
    ]
    # A Delete after asserting the value's type frees only handles of that type.
    any_type = any(not site.detail for site in deletes)
    only = {t for site in deletes if site.detail.startswith("only:") for t in site.detail[5:].split("|")}
    for function in functions:
        for site in function.handles:
            if site.kind == "new" and not any_type and site.detail not in only:
                why = (
                    f"the module deletes only handles holding {', '.join(sorted(only))}"
                    if only
                    else "nothing in the module ever deletes one"
                )
                yield Located(
                    f"{function.name} creates a cgo.Handle{f' of {site.detail}' if site.detail else ''} but "
                    f"{why}: every value handed to C leaks.",
                    site.location,
                )
            elif site.kind == "use-after-delete":
                yield Located(
                    f"{function.name} uses handle {site.detail} after its Delete(): it panics.",
                    site.location,
                    Severity.HIGH,
                )
            elif site.kind == "address-to-c":
                yield Located(
                    f"{function.name} passes {site.detail} to C: a Go pointer to the handle, which C keeps; "
                    "pass the handle by value (C.uintptr_t(h)).",
                    site.location,
                )
