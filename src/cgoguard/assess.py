"""Derived properties: the hardening summary every check and report shares.

This is the one place where raw facts become the familiar checksec words
(PIE, RELRO, NX, canary, FORTIFY ...). It is still not policy: it says what
*is* (or that a property does not apply, and why), never whether that is bad.
Checks decide that. The definitions below are the product's definitions; the
readelf-based truth in ``tests/truth.py`` implements the same ones
independently.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cgoguard.elfconst import (
    DF_1_NODELETE,
    DF_1_NOW,
    DF_1_PIE,
    DF_BIND_NOW,
    DF_TEXTREL,
    EM_386,
    EM_AARCH64,
    EM_X86_64,
    OSABI_SYSTEMS,
    PF_W,
    PF_X,
    PT_GNU_RELRO,
    PT_GNU_STACK,
    PT_LOAD,
    SHF_EXECINSTR,
)
from cgoguard.model import ElfFacts, FipsStatus, GoFacts, Hardening, SearchPathEntry

CANARY_SYMBOLS = frozenset(
    {"__stack_chk_fail", "__stack_chk_fail_local", "__stack_chk_guard", "__intel_security_cookie"}
)

# glibc's checked variants emitted by _FORTIFY_SOURCE (glibc debug/ and the
# *_2 open wrappers). Kept as data here rather than read from the host's libc:
# the scanned file may come from another machine, and checks never read files.
_CHK_FUNCTIONS = [
    "asprintf",
    "confstr",
    "dprintf",
    "explicit_bzero",
    "fdelt",
    "fgets",
    "fgets_unlocked",
    "fgetws",
    "fgetws_unlocked",
    "fprintf",
    "fread",
    "fread_unlocked",
    "fwprintf",
    "getcwd",
    "getdomainname",
    "getgroups",
    "gethostname",
    "getlogin_r",
    "gets",
    "getwd",
    "longjmp",
    "mbsnrtowcs",
    "mbsrtowcs",
    "mbstowcs",
    "memcpy",
    "memmove",
    "mempcpy",
    "memset",
    "obstack_printf",
    "obstack_vprintf",
    "poll",
    "ppoll",
    "pread",
    "pread64",
    "printf",
    "ptsname_r",
    "read",
    "readlink",
    "readlinkat",
    "realpath",
    "recv",
    "recvfrom",
    "snprintf",
    "sprintf",
    "stpcpy",
    "stpncpy",
    "strcat",
    "strcpy",
    "strlcat",
    "strlcpy",
    "strncat",
    "strncpy",
    "swprintf",
    "syslog",
    "ttyname_r",
    "vasprintf",
    "vdprintf",
    "vfprintf",
    "vfwprintf",
    "vprintf",
    "vsnprintf",
    "vsprintf",
    "vswprintf",
    "vsyslog",
    "vwprintf",
    "wcpcpy",
    "wcpncpy",
    "wcrtomb",
    "wcscat",
    "wcscpy",
    "wcslcat",
    "wcslcpy",
    "wcsncat",
    "wcsncpy",
    "wcsnrtombs",
    "wcsrtombs",
    "wcstombs",
    "wctomb",
    "wmemcpy",
    "wmemmove",
    "wmempcpy",
    "wmemset",
    "wprintf",
]
FORTIFIED_SYMBOLS = frozenset(f"__{name}_chk" for name in _CHK_FUNCTIONS) | frozenset(
    {"__open_2", "__open64_2", "__openat_2", "__openat64_2", "__mq_open_2"}
)
# The plain functions a fortified build would have replaced (fdelt and
# longjmp are reached through macros, so their plain names prove nothing).
FORTIFIABLE_SYMBOLS = frozenset(n for n in _CHK_FUNCTIONS if n not in {"fdelt", "longjmp"}) | frozenset(
    {"open", "open64", "openat", "openat64", "mq_open"}
)

_WORLD_WRITABLE_DIRS = ("/tmp", "/var/tmp", "/dev/shm")


def elf_kind(elf: ElfFacts) -> str:
    if elf.e_type == "EXEC":
        return "executable"
    if elf.e_type == "DYN":
        dyn = elf.dynamic
        if dyn is not None and dyn.flags_1 & DF_1_PIE:
            return "pie-executable"
        # Linkers that predate DF_1_PIE: an interpreter plus DT_DEBUG marks a PIE.
        if dyn is not None and elf.interpreter is not None and dyn.has_debug_tag:
            return "pie-executable"
        return "shared-library"
    if elf.e_type == "REL":
        return "relocatable"
    if elf.e_type == "CORE":
        return "core"
    return "other"


def bind_now_marker(elf: ElfFacts) -> bool:
    dyn = elf.dynamic
    if dyn is None:
        return False
    return dyn.has_bind_now_tag or bool(dyn.flags & DF_BIND_NOW) or bool(dyn.flags_1 & DF_1_NOW)


# Dynamic loaders by path: the system an image that names no other is for.
_LOADER_SYSTEMS = (
    (
        (
            "/lib/ld-linux",
            "/lib64/ld-linux",
            "/lib/ld-musl-",
            "/lib/ld.so.1",
            "/lib64/ld64.so",
            "/lib/ld64.so",
        ),
        "linux",
    ),
    (("/libexec/ld-elf.so",), "freebsd"),
    (("/usr/libexec/ld-elf.so",), "dragonfly"),
    (("/usr/libexec/ld.elf_so",), "netbsd"),
    (("/usr/libexec/ld.so",), "openbsd"),
    (("/lib/amd64/ld.so.1", "/usr/lib/amd64/ld.so.1", "/usr/lib/ld.so.1", "/lib/sparcv9/ld.so.1"), "solaris"),
)


def target_system(elf: ElfFacts, go: GoFacts | None) -> str | None:
    """The operating system an image was built for, or None when nothing in
    it says (a System V EI_OSABI, no ABI note, no loader: most Linux objects
    and static files). Go's GOOS is exact; then EI_OSABI, an ABI note, the
    loader's path. Solaris and DragonFly Go binaries leave EI_OSABI at 0 and
    name no note: their GOOS or loader says it."""
    goos = go.buildinfo.settings.get("GOOS") if go is not None and go.buildinfo is not None else None
    if goos:
        return "solaris" if goos == "illumos" else goos
    if elf.os_abi in OSABI_SYSTEMS:
        return OSABI_SYSTEMS[elf.os_abi]
    if elf.abi_note is not None:
        return elf.abi_note
    loader = elf.interpreter or ""
    for prefixes, system in _LOADER_SYSTEMS:
        if loader.startswith(prefixes):
            return system
    return None


def _nx(elf: ElfFacts, system: str | None) -> tuple[bool | None, str]:
    if elf.e_type == "REL":
        flags = elf.gnu_stack_section_flags
        if flags is None:
            return (
                False,
                "no .note.GNU-stack section: the linker assumes this object needs an executable stack",
            )
        if flags & SHF_EXECINSTR:
            return False, ".note.GNU-stack is marked executable"
        return True, ".note.GNU-stack is not executable"
    stacks = [s for s in elf.segments if s.p_type == PT_GNU_STACK]
    if not stacks:
        if elf.e_type == "CORE" or not elf.segments:
            return None, "no program headers"
        if system not in (None, "linux"):
            # PT_GNU_STACK is the GNU/Linux convention; Go writes it only for Linux.
            return None, (
                f"PT_GNU_STACK is missing, as usual for {system}: its kernel's own default decides "
                "whether the stack is executable (not judged)"
            )
        return False, "PT_GNU_STACK is missing: the stack is executable on 32-bit x86 and on older kernels"
    if stacks[0].flags & PF_X:
        return False, "PT_GNU_STACK is RWX: the stack is executable"
    return True, "PT_GNU_STACK is not executable"


def classify_search_path(entry: str, extra_writable: frozenset[str] = frozenset()) -> str:
    if entry == "":
        return "empty"
    if entry.startswith(("$ORIGIN", "${ORIGIN}")):
        return "origin"
    if not entry.startswith("/"):
        return "relative"
    norm = entry.rstrip("/") or "/"
    if norm in extra_writable or any(norm == d or norm.startswith(d + "/") for d in _WORLD_WRITABLE_DIRS):
        return "world-writable"
    return "absolute"


def _language(elf: ElfFacts, go: GoFacts | None) -> str:
    if go is not None:
        return "go"
    if any("rustc" in c for c in elf.comment):
        return "rust"
    return "c"


def _referenced(elf: ElfFacts, names: frozenset[str]) -> frozenset[str]:
    """Which of ``names`` any symbol table of the image mentions. Intersecting
    the small set with each list keeps the loop in C; building one set of
    every symbol costs more on libraries with tens of thousands of exports."""
    found = names.intersection(elf.imports) | names.intersection(elf.exports)
    for table in (elf.static_symbols, elf.static_undefined):
        if table:
            found |= names.intersection(table)
    return found


_CGO_ENTRY_POINTS = frozenset({"x_cgo_init", "crosscall2"})


_CGO_HASH_SYMBOL = re.compile(r"^_cgo(?:exp)?_[0-9a-f]{12}_")


def _c_code(elf: ElfFacts, go: GoFacts | None, language: str, go_archive_member: bool) -> str:
    if language == "rust":
        return "unknown"
    if go is not None:
        if go.cgo.has_user_c:
            return "user"
        mode = go.buildinfo.settings.get("-buildmode") if go.buildinfo else None
        if mode in ("c-shared", "c-archive") and elf.e_type != "REL":
            # The //export wrappers (_cgo_export.c) are C compiled with
            # CGO_CFLAGS, even when stripping removed every cgo symbol name.
            return "user"
        # runtime/cgo is always built with -fno-stack-protector, so canary or
        # FORTIFY references can only come from user C code.
        if _referenced(elf, CANARY_SYMBOLS) or (
            _referenced(elf, FORTIFIED_SYMBOLS) and not go.cgo.runtime_exports
        ):
            return "user"
        externally_linked = any(c.startswith(("GCC:", "clang")) for c in elf.comment)
        if not externally_linked and not _referenced(elf, _CGO_ENTRY_POINTS):
            return "none"
        if not elf.has_symtab and not go.cgo.runtime_exports:
            # Stripped and exports trimmed: the cgo symbols that would tell
            # user C from runtime/cgo glue are gone.
            return "unknown"
        return "runtime-cgo-only"
    if go_archive_member:
        defined = set(elf.static_symbols or ())
        if any(_CGO_HASH_SYMBOL.match(s) for s in defined):
            return "user"
        if defined and all(is_runtime_cgo_symbol(s) for s in defined):
            return "runtime-cgo-only"
        return "user"
    return "all"


# Symbols defined by runtime/cgo's C files (gcc_*.c) and the cgo glue the Go
# toolchain always adds. Objects defining only these are not user code.
_RUNTIME_CGO_PREFIXES = ("x_cgo_", "_cgo_", "x_crosscall")
_RUNTIME_CGO_NAMES = frozenset(
    {
        "crosscall1",
        "crosscall2",
        "crosscall_amd64",
        "crosscall_arm64",
        "fatalf",
        "threadentry",
        "_cgo_topofstack",
        "__cgo_topofstack",
        # file-static names of gcc_libinit.c and gcc_linux_amd64.c/gcc_unix.c (Go 1.21 to 1.27)
        "cgo_context_function",
        "cgo_symbolizer_function",
        "cgo_traceback_function",
        "pthread_g",
        "pthread_key_destructor",
        "runtime_init_cond",
        "runtime_init_done",
        "runtime_init_mu",
        "setg_gcc",
    }
)


def is_runtime_cgo_symbol(name: str) -> bool:
    if _CGO_HASH_SYMBOL.match(name):
        return False
    return name in _RUNTIME_CGO_NAMES or name.startswith(_RUNTIME_CGO_PREFIXES) or name.startswith(".")


@dataclass(frozen=True, slots=True)
class ArchivePeers:
    """What the objects of one ar archive show together. An archive is the output of one
    build, so a stack protector seen in some of its objects was on for all of them."""

    guarded: int  # objects that reference a stack-guard symbol
    unguarded: int  # objects with C code that reference none
    first_unguarded: str | None  # the one of those that carries the archive's verdict


def canary_judged(elf: ElfFacts, c_code: str) -> bool:
    """Whether an object is one the canary question is asked of: C code, and code at all."""
    return c_code in ("user", "all") and elf.code_size != 0


def _compiler_named(elf: ElfFacts) -> bool:
    # GCC and clang write .comment unless -fno-ident; GNU as writes none for assembly.
    return any("GCC:" in c or "clang" in c for c in elf.comment)


def _object_canary(
    elf: ElfFacts, go: GoFacts | None, path: str, peers: ArchivePeers | None
) -> tuple[bool | None, str]:
    """A relocatable object that references no stack guard. -fstack-protector-strong
    instruments only functions with arrays or address-taken locals, and assembly has
    nothing to instrument, so the absence proves little about one object alone."""
    if go is not None:
        return (
            None,
            "Go object: the Go compiler checks stack bounds and needs no canary; the C is in other objects",
        )
    if elf.code_size == 0:
        return None, "no machine code in this object: nothing to protect"
    if peers is not None:
        if peers.guarded:
            return None, (
                f"{peers.guarded} other object(s) of this archive reference __stack_chk_fail, so its build "
                "used a stack protector; this object has no function it instruments "
                "(an array or an address-taken local), or is assembly"
            )
        if path != peers.first_unguarded:
            return None, f"judged once for the whole archive, on {peers.first_unguarded}"
        return False, (
            f"none of the archive's {peers.unguarded} object(s) with C code references "
            "__stack_chk_fail/__stack_chk_guard: built without -fstack-protector"
            + ("" if _compiler_named(elf) else " (or hand-written assembly: no .comment names a compiler)")
        )
    if not _compiler_named(elf):
        return None, (
            "no __stack_chk_fail reference, and no .comment names a C compiler: assembly or a stripped "
            "object, where a missing reference proves nothing"
        )
    return False, (
        "compiled by " + elf.comment[0] + ", no __stack_chk_fail/__stack_chk_guard reference: "
        "built without -fstack-protector (or none of its functions has an array or address-taken local)"
    )


def _canary(
    elf: ElfFacts,
    go: GoFacts | None,
    c_code: str,
    static: bool,
    language: str,
    path: str,
    peers: ArchivePeers | None,
) -> tuple[bool | None, str]:
    if c_code == "none":
        return None, "pure Go code: Go checks stack bounds in every function prologue and needs no canary"
    if c_code == "runtime-cgo-only":
        return None, "only runtime/cgo glue is C, and Go always builds it with -fno-stack-protector"
    found = sorted(_referenced(elf, CANARY_SYMBOLS))
    if c_code == "unknown":
        if found:
            return True, "references " + ", ".join(found)
        if language == "rust":
            return None, "not C code (Rust): stack canaries are not the toolchain's protection model"
        return None, "stripped cgo image: no symbol left to tell user C from runtime/cgo glue"
    if found:
        return True, "references " + ", ".join(found)
    if elf.e_type == "REL":
        return _object_canary(elf, go, path, peers)
    if static and not elf.has_symtab:
        return None, "statically linked and stripped: no symbol left to tell"
    return False, "no __stack_chk_fail/__stack_chk_guard reference: C code built without -fstack-protector"


def c_code_of(elf: ElfFacts, go: GoFacts | None, *, go_archive_member: bool = False) -> str:
    """The ``Hardening.c_code`` :func:`summarize` would derive (for :func:`archive_peers`)."""
    return _c_code(elf, go, _language(elf, go), go_archive_member)


def archive_peers(members: list[tuple[str, ElfFacts, GoFacts | None, str]]) -> ArchivePeers:
    """What an archive's objects ((path, elf, go, c_code) each) show together about a stack
    protector."""
    guarded = 0
    unguarded: list[str] = []
    for path, elf, go, c_code in members:
        if go is not None:
            continue
        if _referenced(elf, CANARY_SYMBOLS):
            guarded += 1
        elif canary_judged(elf, c_code):
            unguarded.append(path)
    return ArchivePeers(guarded, len(unguarded), unguarded[0] if unguarded else None)


def _fortify(elf: ElfFacts, c_code: str, static: bool) -> tuple[bool | None, str, list[str], list[str]]:
    if c_code == "none":
        return None, "pure Go code does not call libc string and memory functions", [], []
    if c_code == "runtime-cgo-only":
        return None, "only runtime/cgo glue is C", [], []
    if c_code == "unknown" and not set(elf.imports) & FORTIFIED_SYMBOLS:
        return None, "no evidence either way (Rust, or a stripped cgo image)", [], []
    if static:
        # A static image contains libc itself, which defines both plain and
        # checked variants: symbols cannot show what the program's code calls.
        return None, "statically linked: libc is inside the image, symbols cannot tell", [], []
    undefined = set(elf.imports)
    if elf.static_undefined:
        undefined.update(elf.static_undefined)
    fortified = sorted(undefined & FORTIFIED_SYMBOLS)
    fortifiable = sorted(undefined & FORTIFIABLE_SYMBOLS)
    if fortified:
        return (
            True,
            f"{len(fortified)} checked libc call(s), {len(fortifiable)} unchecked",
            fortified,
            fortifiable,
        )
    if fortifiable:
        return (
            False,
            "calls "
            + ", ".join(fortifiable[:6])
            + (" ..." if len(fortifiable) > 6 else "")
            + " with no __*_chk variant: built without -D_FORTIFY_SOURCE",
            fortified,
            fortifiable,
        )
    return None, "no libc function that FORTIFY_SOURCE can check is called", [], []


def go_build_mode(elf: ElfFacts, go: GoFacts | None) -> str | None:
    """The Go build mode from build info, else from ELF evidence."""
    if go is None:
        return None
    if go.buildinfo is not None:
        mode = go.buildinfo.settings.get("-buildmode")
        if mode:
            return mode
    kind = elf_kind(elf)
    if kind == "executable":
        return "exe"
    if kind == "pie-executable":
        return "pie"
    if kind == "relocatable":
        return "c-archive"
    if kind == "shared-library":
        dyn = elf.dynamic
        if dyn is not None and dyn.flags_1 & DF_1_NODELETE:
            return "c-shared"
        return "plugin" if len(elf.exports) > 1000 else "c-shared"
    return None


def summarize(
    elf: ElfFacts,
    go: GoFacts | None,
    *,
    go_archive_member: bool = False,
    writable_dirs: frozenset[str] = frozenset(),
    path: str = "",
    peers: ArchivePeers | None = None,
) -> Hardening:
    """``peers``: for an archive member, what the archive's objects show together (see
    :func:`archive_peers`); ``path`` names the member they are compared by."""
    kind = elf_kind(elf)
    relocatable = kind == "relocatable"
    has_relro = any(s.p_type == PT_GNU_RELRO for s in elf.segments)
    bind_now = bind_now_marker(elf)
    if relocatable:
        relro: str | None = None
    elif not has_relro:
        relro = "none"
    else:
        relro = "full" if bind_now else "partial"
    system = target_system(elf, go)
    nx, nx_detail = _nx(elf, system)
    rwx = [i for i, s in enumerate(elf.segments) if s.p_type == PT_LOAD and s.flags & PF_W and s.flags & PF_X]
    dyn = elf.dynamic
    textrel = dyn is not None and (dyn.has_textrel_tag or bool(dyn.flags & DF_TEXTREL))
    rpath = dyn.rpath if dyn else None
    runpath = dyn.runpath if dyn else None
    search = [
        SearchPathEntry(e, classify_search_path(e, writable_dirs)) for e in (rpath or []) + (runpath or [])
    ]
    static = not relocatable and dyn is None and elf.interpreter is None
    language = _language(elf, go)
    c_code = _c_code(elf, go, language, go_archive_member)
    canary, canary_detail = _canary(elf, go, c_code, static, language, path, peers)
    fortify, fortify_detail, fortified, fortifiable = _fortify(elf, c_code, static)
    ibt = shstk = None
    if elf.e_machine in (EM_X86_64, EM_386):
        bits = elf.properties.x86_feature_1_and or 0
        ibt, shstk = bool(bits & 1), bool(bits & 2)
    elif elf.e_machine == EM_AARCH64:
        bits = elf.properties.aarch64_feature_1_and or 0
        ibt, shstk = bool(bits & 1), bool(bits & 2)  # BTI, PAC
    return Hardening(
        kind=kind,
        pie={"executable": False, "pie-executable": True}.get(kind),
        relro=relro,
        bind_now=None if relocatable else bind_now,
        nx=nx,
        nx_detail=nx_detail,
        rwx_segments=rwx,
        textrel=textrel,
        rpath=rpath,
        runpath=runpath,
        search_paths=search,
        language=language,
        c_code=c_code,
        canary=canary,
        canary_detail=canary_detail,
        fortify=fortify,
        fortify_detail=fortify_detail,
        fortified=fortified,
        fortifiable=fortifiable,
        stripped=not elf.has_symtab,
        has_debug_info=elf.has_debug_info,
        build_id=elf.build_id,
        ibt=ibt,
        shstk=shstk,
        go_build_mode=go_build_mode(elf, go),
        static=static,
        system=system,
    )


def fips_status(go: GoFacts) -> FipsStatus:
    settings = go.buildinfo.settings if go.buildinfo else {}
    experiments = set(go.buildinfo.experiments) if go.buildinfo else set()
    experiments.update(x for x in settings.get("GOEXPERIMENT", "").split(",") if x)
    evidence: list[str] = []
    module = settings.get("GOFIPS140") or None
    if module == "off":
        module = None
    godebug = settings.get("DefaultGODEBUG", "")
    mode = "environment"
    for item in godebug.split(","):
        key, _, value = item.partition("=")
        if key.strip() == "fips140" and value in ("on", "only", "off", "debug"):
            mode = "on" if value == "debug" else value
            evidence.append(f"DefaultGODEBUG fips140={value}")
    if module:
        evidence.append(f"GOFIPS140={module}")
    if "boringcrypto" in experiments or go.boringcrypto_signature:
        provider = "boringcrypto"
        if "boringcrypto" in experiments:
            evidence.append("GOEXPERIMENT=boringcrypto")
        if go.boringcrypto_signature:
            evidence.append(f"crypto/internal/boring/sig {go.boringcrypto_signature} marker")
        if go.crypto_packages and "crypto/tls/fipsonly" in go.crypto_packages:
            evidence.append("crypto/tls/fipsonly linked (TLS restricted to FIPS-approved settings)")
    elif "systemcrypto" in experiments:
        provider = "systemcrypto"
        evidence.append("GOEXPERIMENT=systemcrypto (Microsoft build of Go)")
    elif module or mode in ("on", "only"):
        provider = "go-native"
    else:
        provider = "none"
    crypto = None if go.crypto_packages is None else bool(go.crypto_packages)
    return FipsStatus(provider, module, bool(module and module.startswith("v1.0.0")), mode, crypto, evidence)
