"""Checks over the whole set of artifacts of one run (after every file was read).

They see a :class:`~cgoguard.model.ArtifactSet`: a small projection of each
image's facts, and compare only images that load together (one container, or
the run's own files; one machine: see :mod:`cgoguard.checks.groups`). Problems
that no single file shows live here: Go runtimes that cannot share a process,
symbols that interpose each other, Go archives that cannot share a link. What a
deliverable ships (libraries, search paths, copies, FIPS modules) is judged in
:mod:`cgoguard.checks.deliverable`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from cgoguard.checks import CheckResult, CheckTarget, Related, check
from cgoguard.checks.groups import Group, groups, listed, load_names, paths, variants
from cgoguard.model import ArtifactSet, SetMember, Severity


def _go_libraries(group: Group) -> list[SetMember]:
    """Shared libraries that carry a Go runtime of their own: c-shared builds, and C
    libraries that embed a c-archive. Plugins share their host program's runtime."""
    return [m for m in group.members(go=True, kind="shared-library") if m.go_build_mode != "plugin"]


@check(
    id="CG250",
    name="export-name-conflict",
    title="Two Go libraries that load together export the same symbol",
    severity=Severity.MEDIUM,
    applies_to="Go shared libraries of one group (one container, or the files scanned together)",
    target=CheckTarget.ARTIFACT_SET,
    fix="""
        Give every exported function a prefix unique to its library, in Go and in the header:
            //export mylib_Add
            func mylib_Add(a, b C.int) C.int { ... }
        keep C code linked into a Go library out of its dynamic symbol table (static functions
        in the cgo preamble; a version script that lists only the API, as for CG201), or load
        the libraries with dlopen(RTLD_LOCAL) and call them only through dlsym handles.
    """,
    references=(
        "https://pkg.go.dev/cmd/cgo#hdr-C_references_to_Go",
        "https://www.akkadia.org/drepper/dsohowto.pdf",
    ),
)
def export_name_conflict(subject: ArtifactSet) -> Iterator[CheckResult]:
    """The dynamic linker binds each undefined symbol to the first definition
    in load order (symbol interposition). When two Go libraries that are
    linked into, or loaded globally by, the same program both export ``Add``,
    every caller gets the first library's ``Add``: the second library's
    function is silently never called, and the arguments it receives may mean
    something else entirely. The same holds for C functions linked into a Go
    library (a non-static function of a cgo preamble, a static copy of a C
    library): two copies of ``sqlite3_open`` of different versions, one
    serving both libraries' callers.

    Compared: the //export API and the other exported C names of Go shared
    libraries (c-shared builds, C libraries that embed a c-archive; not
    plugins, which share their host's symbols by design). The cgo runtime
    internals every Go library exports are CG252's subject; C libraries'
    export tables are not carried to the set stage.

    Only images that load together are compared: the members of one outermost
    container (a wheel, a tarball, a package), or the files named or found in
    folders; and only for one machine. Among the files scanned directly,
    builds of the same main package (a default and a hardened build side by
    side) are alternatives, not neighbours, and are not compared."""
    for group in groups(subject):
        owners: dict[str, list[SetMember]] = defaultdict(list)
        for member in _go_libraries(group):
            for name in {*member.go_exports, *member.c_exports}:
                owners[name].append(member)
        clashes: dict[tuple[str, ...], list[str]] = defaultdict(list)
        for name, found in owners.items():
            if len(found) > 1 and group.together(found) and not variants(found):
                clashes[paths(found)].append(name)
        for involved, names in sorted(clashes.items()):
            yield Related(
                f"{len(names)} exported function name(s) defined by {len(involved)} Go libraries "
                f"{group.where} ({', '.join(map(group.short, involved))}): {listed(names)}; "
                "loaded into one process, the first one loaded wins.",
                involved,
            )


@check(
    id="CG251",
    name="go-runtimes-in-one-process",
    title="Several Go runtimes would load into one process",
    severity=Severity.HIGH,
    applies_to="Go shared libraries and Go programs of one group (one container, or the files scanned)",
    target=CheckTarget.ARTIFACT_SET,
    fix="""
        Build the Go code one process needs as one library: a single main package whose
        //export functions wrap the packages of both libraries, built once:
            go build -buildmode=c-shared -o libpkg.so ./cmd/libpkg
        and ship that as the group's only Go library. A Go program that needs a Go library
        imports its package; it never loads the library's c-shared build. Code that must stay
        apart runs in a helper process (a pipe or a socket), not in the same address space.
    """,
    references=(
        "https://github.com/golang/go/issues/65050",
        "https://github.com/golang/go/issues/18976",
        "https://github.com/golang/go/issues/36628",
    ),
)
def go_runtimes_in_one_process(subject: ArtifactSet) -> Iterator[CheckResult]:
    """Every Go c-shared library (and every C library that embeds a Go
    c-archive) carries a complete Go runtime: its own scheduler, heap, signal
    handlers and thread set-up. Go does not support two runtimes in one
    process (golang/go#18976: "there are no plans to ever make it work").
    They race for the same address space while initializing, each installs
    signal handlers over the other's, and their garbage collectors know
    nothing of each other: two Go ``.so`` files imported into one Python
    process crash with "bad sweepgen in refill" or "unexpected return pc"
    (golang/go#65050, #36628), often only under load.

    Fires for two or more Go runtime libraries in one group, and for a Go
    runtime library in the same group as a Go program or plugin that could
    load it: at the check's severity when the program names it in DT_NEEDED,
    at low severity when it is dynamically linked (it can dlopen anything)
    but does not name it. A statically linked Go program loads no library.

    A group is what loads together: the members of one outermost container
    (a wheel, a tarball, a package), or the files named or found in folders;
    one machine. Among the files scanned directly, builds of the same main
    package are alternatives and are not counted twice. Go plugins share
    their host's runtime and are not runtimes of their own."""
    for group in groups(subject):
        libraries = _go_libraries(group)
        if len(libraries) > 1 and group.together(libraries) and not variants(libraries):
            yield Related(
                f"{len(libraries)} Go shared libraries {group.where}, each with its own Go runtime: "
                f"{group.shown(libraries)}; loaded into one process they crash.",
                paths(libraries),
            )
        programs = (m for m in group.members(go=True) if m.go_build_mode in ("exe", "pie", "plugin"))
        for program in programs:
            candidates = [lib for lib in libraries if group.together([program, lib])]
            linked = [lib for lib in candidates if load_names(lib) & set(program.needed)]
            if linked:
                yield Related(
                    f"the Go {program.go_build_mode} {group.short(program.path)} {group.where} names "
                    f"{group.shown(linked)} in DT_NEEDED: two Go runtimes in one process.",
                    paths([program, *linked]),
                )
            elif candidates and program.needed:
                yield Related(
                    f"the dynamically linked Go {program.go_build_mode} {group.short(program.path)} could "
                    f"dlopen {group.shown(candidates)} {group.where}: "
                    "that would be a second Go runtime in its process.",
                    paths([program, *candidates]),
                    Severity.LOW,
                )


# The cgo entry points every C-to-Go call goes through: named first in messages.
_ENTRY_POINTS = ("crosscall2", "_cgo_topofstack", "_cgo_panic", "_cgo_wait_runtime_init_done")


def _entry_points_first(names: set[str], most: int = 5) -> str:
    ordered = [n for n in _ENTRY_POINTS if n in names] + sorted(names.difference(_ENTRY_POINTS))
    return ", ".join(ordered[:most]) + (" ..." if len(ordered) > most else "")


@check(
    id="CG252",
    name="cgo-runtime-symbols-interposed",
    title="A library's cgo runtime calls can bind to another Go image's runtime",
    severity=Severity.HIGH,
    applies_to="shared libraries with Go code of one group, one of them without -Bsymbolic",
    target=CheckTarget.ARTIFACT_SET,
    fix="""
        Link a C library that embeds a Go c-archive with -Bsymbolic, so that its own calls stay
        in its own runtime, and keep the cgo internals out of its dynamic symbol table:
            printf '{ global: wrap_*; local: *; };\\n' > exports.map
            gcc -shared -Wl,-Bsymbolic -Wl,--version-script=exports.map -o libwrap.so wrap.c libgo.a -lpthread
        or build the Go part with -buildmode=c-shared, which links with -Bsymbolic.
    """,
    references=(
        "https://github.com/golang/go/issues/30822",
        "https://github.com/golang/go/issues/43969",
        "https://www.akkadia.org/drepper/dsohowto.pdf",
    ),
)
def cgo_runtime_symbols_interposed(subject: ArtifactSet) -> Iterator[CheckResult]:
    """Every image with cgo exports the runtime's entry points from C
    (crosscall2, _cgo_panic, _cgo_topofstack, x_cgo_init ...). A c-shared
    library is linked with -Bsymbolic, so its own references to them bind to
    its own copies. A C library that embeds a Go c-archive is usually not:
    its calls into crosscall2 and _cgo_topofstack go through the dynamic
    linker, which binds them to the first definition in the process, the
    executable's or another Go library's. Its C-to-Go calls then run on the
    other image's runtime with its own function tables, and the program dies
    with "function symbol table not sorted by program counter" or "unexpected
    return pc" (golang/go#30822, #43969).

    Fires when two or more shared libraries of one group (plugins aside: they
    share their host's runtime by design) export the same cgo runtime symbols
    and at least one of them does not bind its references locally (no
    DT_SYMBOLIC / DF_SYMBOLIC). A Go program of the group that names such a
    library in DT_NEEDED counts too: an executable's definitions come first.
    CG251 reports the runtimes themselves; this check the symbol evidence,
    and it also fires where build modes are unknown. A group is what loads
    together (one outermost container, or the files scanned directly; one
    machine)."""
    for group in groups(subject):
        exporters = [m for m in _go_libraries(group) if m.runtime_exports]
        loose = [m for m in exporters if not m.symbolic]
        if not loose:
            continue
        involved: dict[str, SetMember] = {}
        shared: set[str] = set()
        for library in loose:
            names = set(library.runtime_exports)
            for other in exporters:
                common = names.intersection(other.runtime_exports)
                if other is not library and common and group.together([library, other]):
                    involved[library.path] = library
                    involved[other.path] = other
                    shared |= common
            for program in group.members(go=True):
                common = names.intersection(program.runtime_exports)
                hosts = program.go_build_mode in ("exe", "pie") and load_names(library) & set(program.needed)
                if hosts and common:
                    involved[library.path] = library
                    involved[program.path] = program
                    shared |= common
        if involved:
            unbound = [group.short(m.path) for m in loose if m.path in involved]
            yield Related(
                f"{len(shared)} cgo runtime symbol(s) ({_entry_points_first(shared)}) are defined by "
                f"{len(involved)} Go images {group.where}; {', '.join(unbound)} bind(s) its own calls "
                "to them through the dynamic linker (no -Bsymbolic), so another image's runtime can answer.",
                paths(list(involved.values())),
            )


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Names whose definition outside their own library displaces the system's for
# every library of the process that calls them: the memory allocator, thread
# and process basics from glibc (libc.so.6 holds libpthread since 2.34), the
# OpenSSL API, zlib. Kept small on purpose: names that code links in copies of
# by accident, and whose replacement breaks unrelated callers.
SYSTEM_SYMBOLS: dict[str, frozenset[str]] = {
    "libc.so": _names(
        "malloc free calloc realloc posix_memalign aligned_alloc memalign "
        "fork exit atexit signal sigaction setenv getenv dlopen dlsym dlclose"
    ),
    "libpthread.so": _names(
        "pthread_create pthread_join pthread_mutex_lock pthread_mutex_unlock pthread_key_create"
    ),
    "libssl.so": _names(
        "SSL_read SSL_write SSL_new SSL_free SSL_connect SSL_accept SSL_CTX_new SSL_CTX_free"
    ),
    "libcrypto.so": _names(
        "EVP_DigestInit_ex EVP_EncryptInit_ex EVP_MD_CTX_new RAND_bytes ERR_get_error CRYPTO_malloc"
    ),
    "libz.so": _names("deflate inflate deflateInit_ inflateInit_ crc32"),
}


@check(
    id="CG253",
    name="system-symbol-shadowed",
    title="A Go library exports a well-known system function",
    severity=Severity.MEDIUM,
    applies_to="Go shared libraries (c-shared, or C libraries that embed a c-archive)",
    target=CheckTarget.ARTIFACT_SET,
    fix="""
        Keep the C code linked into the Go library out of its dynamic symbol table: make the
        cgo preamble's C functions static, and export only the API with a version script
        (it also hides what a static C library such as OpenSSL or zlib brought in):
            printf '{ global: Add; FreeString; local: *; };\\n' > exports.map
            go build -buildmode=c-shared -ldflags="-extldflags=-Wl,--version-script=$PWD/exports.map" ...
    """,
    references=(
        "https://www.akkadia.org/drepper/dsohowto.pdf",
        "https://sourceware.org/binutils/docs/ld/VERSION.html",
    ),
)
def system_symbol_shadowed(subject: ArtifactSet) -> Iterator[CheckResult]:
    """A Go library that exports ``malloc``, ``pthread_create`` or
    ``SSL_read`` (a non-static function in a cgo preamble, or a static copy of
    OpenSSL or zlib linked in with default visibility) interposes it for
    every other library of the process that is looked up after it: Python's
    ``_ssl`` module then calls the Go library's OpenSSL of another version,
    with structures laid out differently, and crashes far from the cause.

    The names are a short curated list, kept in this module
    (``SYSTEM_SYMBOLS``): the allocator and process basics of glibc, a few
    pthread, OpenSSL (libssl, libcrypto) and zlib entry points. Only Go
    libraries are judged (their export tables are what the set stage
    carries; for a C library, exporting these names is usually its purpose:
    an allocator, an OpenSSL build). The finding names the library and, when
    the group holds them, the libraries it shadows (by soname or file name).
    A group is what loads together: one outermost container, or the files
    scanned directly; one machine."""
    for group in groups(subject):
        for library in _go_libraries(group):
            exported = {*library.go_exports, *library.c_exports}
            hits = {family: exported & names for family, names in SYSTEM_SYMBOLS.items() if exported & names}
            if not hits:
                continue
            shadowed = [m for m in group.named(hits) if m != library]
            found = "; ".join(
                f"{listed(names)} ({family.rstrip('.so').rstrip('.')})" for family, names in hits.items()
            )
            yield Related(
                f"{group.short(library.path)} {group.where} exports {found}: loaded before the system's "
                "libraries, it answers their callers in every library of the process.",
                paths([library, *shadowed]),
            )


@check(
    id="CG254",
    name="go-archives-in-one-link",
    title="Two Go c-archives ship together: they cannot be linked into one program",
    severity=Severity.MEDIUM,
    applies_to="Go c-archives of one group (one container, or the files scanned together)",
    target=CheckTarget.ARTIFACT_SET,
    fix="""
        Build one c-archive from one main package whose //export functions cover what the
        program needs from both, and ship only that:
            go build -buildmode=c-archive -o libgo.a ./cmd/libgo
    """,
    references=(
        "https://github.com/golang/go/issues/20639",
        "https://github.com/golang/go/issues/43969",
    ),
)
def go_archives_in_one_link(subject: ArtifactSet) -> Iterator[CheckResult]:
    """A c-archive holds a complete Go runtime as one object (``go.o``)
    with global symbols: crosscall2, _cgo_topofstack, _cgo_panic and the
    x_cgo_* functions. Archives shipped together are meant for one link, and
    two Go archives in one link define those symbols twice: the link fails
    with "multiple definition of `_cgo_topofstack'" (golang/go#20639), and
    forcing it through (-z muldefs) leaves one runtime answering both
    (golang/go#43969). Two copies of the same archive under different names
    count too.

    A group is what loads, or links, together: the members of one outermost
    container (a wheel, a tarball, a package), or the files named or found in
    folders; one machine. Among the files scanned directly, builds of the
    same main package (a default and a hardened archive) are alternatives."""
    for group in groups(subject):
        archives = [m for m in group.members(go=True, kind="relocatable") if m.go_build_mode == "c-archive"]
        shipped = sorted({_archive_of(m) for m in archives})
        if len(shipped) > 1 and group.together(archives):
            yield Related(
                f"{len(shipped)} Go c-archives {group.where} ({', '.join(map(group.short, shipped))}) "
                "each carry a Go runtime: "
                "linked into one program, their runtime symbols are defined twice.",
                tuple(shipped),
            )


def _archive_of(member: SetMember) -> str:
    """The ar archive a Go object sits in (``lib.a`` of ``lib.a!go.o``), or the object itself."""
    archive, bang, _ = member.path.rpartition("!")
    if not bang or (member.origin and archive == member.origin[-1]):
        return member.path
    return archive
