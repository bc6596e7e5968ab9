"""ELF hardening checks, made exact for what each Go build mode can do."""

from __future__ import annotations

from collections.abc import Iterator

from cgoguard.checks import CheckResult, NotApplicable, Subject, check
from cgoguard.elfconst import EM_386, EM_AARCH64, EM_X86_64
from cgoguard.model import Severity

_IMAGE_KINDS = ("executable", "pie-executable", "shared-library")
_GO_MODES = ("exe", "pie", "c-shared", "c-archive", "plugin")
# images; c-archive: the C program that links the archive (its .a holds objects)
_LINKED_MODES = ("exe", "pie", "c-shared", "c-archive", "plugin", "c")


def not_an_image(subject: Subject) -> NotApplicable | None:
    """Why a linked-image property does not apply, or None for an executable or shared library."""
    kind = subject.hardening.kind
    if kind in _IMAGE_KINDS:
        return None
    if kind == "relocatable":
        return NotApplicable("a relocatable object: this is decided when it is linked into an image")
    return NotApplicable(f"an ELF {kind}, not an executable or shared library")


def not_dynamic(subject: Subject) -> NotApplicable | None:
    """Why a loader property does not apply, or None for a dynamically loaded image."""
    if (reason := not_an_image(subject)) is not None:
        return reason
    if subject.elf.dynamic is None:
        return NotApplicable("statically linked, no dynamic section: the loader relocates nothing")
    return None


@check(
    id="CG101",
    name="executable-not-pie",
    title="Executable is not position-independent (no ASLR for the image)",
    severity=Severity.HIGH,
    applies_to="executables (ELF type EXEC); Go build modes exe, and C programs",
    modes=("exe", "pie", "c-archive", "c"),
    fix="""
        Go: build with -buildmode=pie (pure Go links internally, no C toolchain needed):
            go build -buildmode=pie ./cmd/app
        C (or the final link of a c-archive): compile with -fPIE and link with -pie.
    """,
    references=(
        "https://pkg.go.dev/cmd/go#hdr-Build_modes",
        "https://best.openssf.org/Compiler-Hardening-Guides/Compiler-Options-Hardening-Guide-for-C-and-C++",
    ),
)
def executable_not_pie(subject: Subject) -> Iterator[CheckResult]:
    """An ET_EXEC image is always mapped at the address it was linked for, so
    the kernel cannot randomise where its code and data live: an attacker who
    finds a memory corruption bug knows every gadget address in advance.

    Go's Linux default build mode `exe` is not PIE (only Android, iOS, Windows
    and macOS default to PIE), so most Go programs ship this way unless the
    build asks for `-buildmode=pie`. Shared libraries and relocatable objects
    are always position-independent and are not judged here."""
    kind = subject.hardening.kind
    if kind not in ("executable", "pie-executable"):
        yield NotApplicable(
            "a shared library is always position-independent"
            if kind == "shared-library"
            else f"not an executable (ELF {kind})"
        )
        return
    if kind == "executable":
        how = "statically linked" if subject.hardening.static else "dynamically linked"
        yield f"ELF type is EXEC ({how}): the image loads at a fixed address."


@check(
    id="CG102",
    name="no-relro",
    title="No RELRO: relocation tables stay writable",
    severity=Severity.HIGH,
    applies_to="dynamically linked executables and shared libraries",
    modes=_LINKED_MODES,
    fix="""
        Go: link with full RELRO and immediate binding:
            go build -buildmode=pie -ldflags=-bindnow ./cmd/app
        or, with the external linker: -ldflags='-extldflags=-Wl,-z,relro,-z,now'.
        C: link with -Wl,-z,relro,-z,now.
    """,
    references=("https://github.com/golang/go/issues/58869",),
)
def no_relro(subject: Subject) -> Iterator[CheckResult]:
    """Without a PT_GNU_RELRO segment the dynamic loader leaves the GOT,
    .dynamic and the init/fini arrays writable for the whole life of the
    process, so a single arbitrary write can redirect control flow.

    A statically linked image without a dynamic section has nothing for the
    loader to protect and is not reported (its missing PIE is the real gap);
    Go's internal linker produces such files for `exe`."""
    if (reason := not_dynamic(subject)) is not None:
        yield reason
        return
    if subject.hardening.relro == "none":
        yield "no PT_GNU_RELRO program header."


@check(
    id="CG103",
    name="partial-relro",
    title="Partial RELRO: lazy binding keeps the PLT GOT writable",
    severity=Severity.MEDIUM,
    applies_to="dynamically linked executables and shared libraries",
    modes=_LINKED_MODES,
    fix="""
        Go (internal or external linking, Go >= 1.22):
            go build -ldflags=-bindnow ...
        or with the external linker: -ldflags='-extldflags=-Wl,-z,now'.
        C: add -Wl,-z,now to the link.
    """,
    references=("https://github.com/golang/go/issues/58869", "https://github.com/microsoft/go/issues/851"),
)
def partial_relro(subject: Subject) -> Iterator[CheckResult]:
    """With PT_GNU_RELRO but no BIND_NOW, symbols are resolved lazily and the
    part of the GOT used by the PLT must stay writable. Full RELRO resolves
    everything at load time and makes it read-only.

    Go adds `-z relro` for pie, c-shared and plugin but binds lazily unless
    asked; plugins get full RELRO by default. For c-shared libraries this is
    the most common gap."""
    h = subject.hardening
    if (reason := not_dynamic(subject)) is not None:
        yield reason
        return
    if h.relro == "none":
        yield NotApplicable("no RELRO at all (CG102)")
        return
    if h.relro == "partial":
        yield "PT_GNU_RELRO is present but no BIND_NOW marker (DT_BIND_NOW, DF_BIND_NOW or DF_1_NOW)."


@check(
    id="CG104",
    name="executable-stack",
    title="Executable stack",
    severity=Severity.HIGH,
    applies_to="all ELF images and objects",
    fix="""
        Go never asks for an executable stack; the cause is C or assembly code linked in.
        Find the object without a non-executable .note.GNU-stack, or link with
            -ldflags='-extldflags=-Wl,-z,noexecstack'
        C: -Wl,-z,noexecstack, and add .section .note.GNU-stack,"",@progbits to assembly files.
    """,
    references=("https://www.gnu.org/software/binutils/",),
)
def executable_stack(subject: Subject) -> Iterator[CheckResult]:
    """An executable stack turns any stack buffer overflow into direct code
    execution. Modern toolchains mark the stack non-executable through
    PT_GNU_STACK (images) or the `.note.GNU-stack` section (objects); one
    object without that note makes the linker fall back to an executable
    stack for the whole image."""
    h = subject.hardening
    if h.nx is None:
        yield NotApplicable(h.nx_detail)
    elif h.nx is False:
        yield h.nx_detail + "."


@check(
    id="CG105",
    name="rwx-segment",
    title="Writable and executable LOAD segment",
    severity=Severity.HIGH,
    applies_to="executables and shared libraries",
    modes=_LINKED_MODES,
    fix="""
        Do not link with -N/--omagic or custom linker scripts that merge text and data;
        Go's own linkers never emit RWX segments.
    """,
)
def rwx_segment(subject: Subject) -> Iterator[CheckResult]:
    """A PT_LOAD segment that is both writable and executable breaks W^X:
    code can be written and then run at a known place, without any need
    for return-oriented programming."""
    if (reason := not_an_image(subject)) is not None:
        yield reason
        return
    rwx = subject.hardening.rwx_segments
    if rwx:
        indexes = ", ".join(map(str, rwx))
        yield f"{len(rwx)} PT_LOAD segment(s) with RWX permissions (program header index {indexes})."


@check(
    id="CG106",
    name="text-relocations",
    title="Text relocations (TEXTREL)",
    severity=Severity.MEDIUM,
    applies_to="executables and shared libraries",
    modes=_LINKED_MODES,
    fix="""
        Compile every C object with -fPIC (libraries) or -fPIE (executables);
        for cgo set CGO_CFLAGS to include -fPIC. Go's own code never needs text relocations.
    """,
)
def text_relocations(subject: Subject) -> Iterator[CheckResult]:
    """Text relocations make the loader write into code pages at start-up,
    so those pages are writable for a while, cannot be shared between
    processes, and are refused by hardened loaders (SELinux execmod)."""
    if (reason := not_dynamic(subject)) is not None:
        yield reason
        return
    if subject.hardening.textrel:
        yield "DT_TEXTREL / DF_TEXTREL is set: the loader must patch code pages."


@check(
    id="CG107",
    name="insecure-search-path",
    title="RPATH/RUNPATH lets the loader search places others may control",
    severity=Severity.MEDIUM,
    applies_to="executables and shared libraries with DT_RPATH or DT_RUNPATH",
    modes=_LINKED_MODES,
    fix="""
        Drop the search path (patchelf --remove-rpath, or do not pass -Wl,-rpath), or use only
        $ORIGIN-relative and root-owned absolute directories:
            go build -ldflags="-extldflags=-Wl,-rpath,\\$ORIGIN/../lib" ...
    """,
    references=("https://cwe.mitre.org/data/definitions/426.html",),
)
def insecure_search_path(subject: Subject) -> Iterator[CheckResult]:
    """The dynamic loader looks for NEEDED libraries in RPATH/RUNPATH first.
    An empty entry or a relative one is resolved against the current working
    directory of whoever runs the program; a world-writable directory lets
    any local user plant a library. DT_RPATH (unlike RUNPATH) also overrides
    LD_LIBRARY_PATH and is inherited by every library the program loads.
    Absolute root-owned and $ORIGIN entries are reported at low severity only
    as information."""
    if (reason := not_dynamic(subject)) is not None:
        yield reason
        return
    h = subject.hardening
    worst = {
        "empty": "empty entry (means the current directory)",
        "relative": "relative entry",
        "world-writable": "world-writable directory",
    }
    bad = [e for e in h.search_paths if e.risk in worst]
    tag = "DT_RPATH" if h.rpath else "DT_RUNPATH"
    if bad:
        listed = "; ".join(f"{e.value!r}: {worst[e.risk]}" for e in bad)
        yield f"{tag} {listed}.", Severity.HIGH
    elif h.rpath:
        yield (
            f"DT_RPATH {':'.join(h.rpath)} overrides LD_LIBRARY_PATH and is inherited by loaded libraries.",
            Severity.LOW,
        )


@check(
    id="CG108",
    name="no-stack-canary",
    title="C code built without stack protector",
    severity=Severity.MEDIUM,
    applies_to="C code only: C programs, and Go artifacts that contain user C (cgo); never pure Go",
    fix="""
        cgo: CGO_CFLAGS="-O2 -g -fstack-protector-strong" go build ...
        (runtime/cgo itself is always compiled with -fno-stack-protector by Go; that is not reported.)
        C: compile with -fstack-protector-strong.
    """,
    references=(
        "https://best.openssf.org/Compiler-Hardening-Guides/Compiler-Options-Hardening-Guide-for-C-and-C++",
        "https://github.com/golang/go/issues/52919",
    ),
)
def no_stack_canary(subject: Subject) -> Iterator[CheckResult]:
    """Stack canaries detect overwritten return addresses in C functions
    before they are used. Go code has no canaries by design: the compiler
    checks bounds and every function prologue checks the stack limit, so this
    check only looks at C compiled into the artifact (cgo preambles, .c files,
    the `_cgo_export.c` wrappers, or a plain C program).

    In a linked image, no __stack_chk_fail import means no function has a
    canary. In a relocatable object it proves little:
    -fstack-protector-strong instruments only functions with arrays or
    address-taken locals, and assembly (crt1.o, libc.a's memcpy.o, libmvec)
    has nothing to instrument. Objects are therefore judged with the evidence
    they carry. An object without machine code, or whose only C is
    runtime/cgo (built with -fno-stack-protector by Go on purpose, see
    runtime/cgo/cgo.go), or a Go object (go.o), is not applicable. An archive
    is one build: when some of its objects reference __stack_chk_fail, the
    protector was on, and the others are not applicable; when none does, the
    archive gets one finding, on its first object with C code, not one per
    object. A standalone object is reported only when its .comment names a C
    compiler (GCC, clang); without one (assembly, or stripped by a distribution)
    it is not applicable. Measured on Debian 12's /usr/lib/x86_64-linux-gnu:
    6,017 findings before this rule, 123 after (108 linked libraries, one
    PIE, 14 archives: 8 of valgrind's, where no object references the guard,
    and small or assembly archives whose objects carry no stack frame)."""
    h = subject.hardening
    if h.canary is None:
        yield NotApplicable(h.canary_detail)
    elif h.canary is False:
        where = "user C code (cgo)" if h.language == "go" else "C code"
        yield f"{where}: {h.canary_detail}."


@check(
    id="CG109",
    name="no-fortify-source",
    title="C code built without _FORTIFY_SOURCE",
    severity=Severity.LOW,
    applies_to="C code only: C programs, and Go artifacts that contain user C (cgo); never pure Go",
    fix="""
        cgo: CGO_CFLAGS="-O2 -g -D_FORTIFY_SOURCE=3" go build ...   (needs optimisation, -O1 or more)
        C: compile with -O2 -D_FORTIFY_SOURCE=3 (or =2 with older compilers).
    """,
    references=(
        "https://best.openssf.org/Compiler-Hardening-Guides/Compiler-Options-Hardening-Guide-for-C-and-C++",
    ),
)
def no_fortify_source(subject: Subject) -> Iterator[CheckResult]:
    """_FORTIFY_SOURCE replaces calls such as memcpy and sprintf with checked
    variants (__memcpy_chk ...) when the compiler knows the destination size,
    turning many overflows into a clean abort. The evidence is the set of
    libc imports: fortifiable functions are called, and no checked variant is.
    Pure Go does not call these functions, so Go code is never reported.

    gcc leaves a call plain when the copy is provably in bounds or the
    destination's size is unknown, so a scan's finding can be wrong for an
    object built with FORTIFY. `cgoguard build` knows more and does not fail
    on plain calls alone: it passes CG109 when __*_chk calls show FORTIFY, or
    when -D_FORTIFY_SOURCE and optimisation reached the C compiler (the
    CGO_CFLAGS recorded in the build info, or passed when -trimpath drops
    them, then the package's #cgo CFLAGS lines, the last flag winning)."""
    h = subject.hardening
    if h.fortify is None:
        yield NotApplicable(h.fortify_detail)
    elif h.fortify is False:
        yield h.fortify_detail + "."


@check(
    id="CG110",
    name="no-cet",
    title="No control-flow protection markings (x86 CET IBT/SHSTK, AArch64 BTI/PAC)",
    severity=Severity.INFO,
    applies_to="x86 and AArch64 images and objects",
    fix="""
        C: compile and link with -fcf-protection=full on x86, -mbranch-protection=standard on AArch64
        (every object must carry the note).
        Go: the Go toolchain does not emit CET notes (no flag exists); nothing to do in the build.
    """,
    references=("https://www.kernel.org/doc/html/latest/arch/x86/shstk.html",),
)
def no_cet(subject: Subject) -> Iterator[CheckResult]:
    """Intel CET (indirect branch tracking and shadow stacks) and Arm BTI/PAC
    only take effect when every object in the image is marked in
    .note.gnu.property. This is information, not a defect: Go code and many
    distributions' start files (Debian 12's among them) are not marked, so the
    loader would disable the protection anyway."""
    h = subject.hardening
    if subject.elf.e_machine in (EM_X86_64, EM_386):
        names = ("IBT", "SHSTK")
    elif subject.elf.e_machine == EM_AARCH64:
        names = ("BTI", "PAC")
    else:
        yield NotApplicable(f"{subject.elf.machine}: no control-flow protection marking exists")
        return
    if h.ibt is None:
        yield NotApplicable("no GNU property note to read the markings from")
        return
    missing = [name for name, on in zip(names, (h.ibt, h.shstk), strict=True) if not on]
    if missing:
        why = " (Go emits no CET notes)" if h.language == "go" else ""
        yield f"GNU property note lacks {' and '.join(missing)}{why}."


@check(
    id="CG111",
    name="symbols-shipped",
    title="Symbol table or debug information shipped",
    severity=Severity.LOW,
    applies_to="executables and shared libraries (not objects or archives, which need them)",
    modes=_LINKED_MODES,
    fix="""
        Go: go build -ldflags="-s -w" ...   (the export table .dynsym is kept; Go's
        .gopclntab stays, so panics still show function names)
        C: strip --strip-unneeded, or keep debug info in a separate file (objcopy --only-keep-debug).
    """,
)
def symbols_shipped(subject: Subject) -> Iterator[CheckResult]:
    """A full symbol table and DWARF make reverse engineering easy and reveal
    internal names and source paths. Shipping them is a choice, so this is
    low severity; separate debug files keep crash analysis possible."""
    if (reason := not_an_image(subject)) is not None:
        yield reason
        return
    h = subject.hardening
    parts = [p for p, on in ((".symtab", not h.stripped), ("DWARF debug info", h.has_debug_info)) if on]
    if parts:
        yield " and ".join(parts) + " present."


@check(
    id="CG112",
    name="build-paths-leaked",
    title="Go build without -trimpath leaks build paths",
    severity=Severity.LOW,
    applies_to="Go artifacts with build info",
    modes=_GO_MODES,
    fix="""
        go build -trimpath ...
        Note: -trimpath also drops -ldflags and CGO_* flags from the embedded build info
        (golang/go#52372); keep a build manifest if you need that record.
    """,
    references=("https://github.com/golang/go/issues/52372",),
)
def build_paths_leaked(subject: Subject) -> Iterator[CheckResult]:
    """Without -trimpath the binary embeds absolute file system paths of the
    build machine (home directories, CI workspace names) in its file table,
    and the build is harder to reproduce."""
    go = subject.go
    if go is None or go.buildinfo is None:
        yield NotApplicable("no Go code" if go is None else "no Go build info")
        return
    if go.buildinfo.settings.get("-trimpath") != "true":
        yield "build info has no -trimpath=true: absolute source paths of the build machine are embedded."


@check(
    id="CG113",
    name="no-build-id",
    title="No GNU build ID",
    severity=Severity.LOW,
    applies_to="executables and shared libraries",
    modes=_LINKED_MODES,
    fix="""
        Go >= 1.24 writes a GNU build ID by default; do not pass -ldflags=-buildid= , or set one
        explicitly with -ldflags=-B=gobuildid.
        C: link with -Wl,--build-id.
    """,
    references=("https://github.com/golang/go/issues/41004",),
)
def no_build_id(subject: Subject) -> Iterator[CheckResult]:
    """The GNU build ID ties a shipped binary to its debug information and
    to crash reports, and lets vulnerability and SBOM tooling identify the
    exact build."""
    if (reason := not_an_image(subject)) is not None:
        yield reason
        return
    if subject.elf.build_id is None:
        yield "no NT_GNU_BUILD_ID note."
