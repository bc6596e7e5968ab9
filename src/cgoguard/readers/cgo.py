"""Go-ness of an ELF image: Go marker sections, cgo symbol classes, the
boringcrypto code signature, and the combined :class:`GoFacts`.

Symbol names cgo leaves behind (GOROOT/src/cmd/cgo/out.go, runtime/cgo):

* ``_cgoexp_<hash>_<Name>``: Go-side stub of the ``//export Name`` function;
* ``_cgo_<hash>_Cfunc_<f>`` / ``_C2func_<f>`` / ``_Cmacro_<f>``: the gcc-compiled
  wrapper through which Go calls the C function ``f``;
* ``<pkg>._cgo_<hash>_Cfunc_<f>``: the Go variable pointing at that wrapper
  (``.symtab`` only), which names the Go package that owns ``<hash>``;
* ``crosscall1/2``, ``_cgo_*``, ``x_cgo_*``, ``fatalf``, ``threadentry``: the
  runtime/cgo support code a c-shared library exports wholesale.

``<hash>`` is 12 hex digits derived per package by cmd/cgo. Standard-library
packages that use cgo (net, os/user, crypto/internal/boring, plugin, ...)
produce the same kinds of names; they are told apart by package path when
``.symtab`` names it and otherwise by the C functions they are known to call.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from cgoguard.elfconst import EM_X86_64, PF_X, PT_LOAD, SHF_EXECINSTR, SHT_NOBITS
from cgoguard.model import CgoFacts, ElfFacts, FunctionTable, GoBuildInfo, GoFacts
from cgoguard.readers.gobuildinfo import BuildInfoError, blob_in_writable_segments, read_buildinfo
from cgoguard.readers.pclntab import PclntabError, read_function_table

if TYPE_CHECKING:
    from cgoguard.readers.elf import ElfImage

# Section names only the Go linker produces (older toolchains included).
GO_MARKER_SECTIONS = (
    ".gopclntab",
    ".go.buildinfo",
    ".note.go.buildid",
    ".go.fipsinfo",
    ".go.module",
    ".go.type",
    ".go.func",
    ".gosymtab",
    ".data.rel.ro.gopclntab",
    ".data.rel.ro.gosymtab",
    ".data.rel.ro.go.type",
    ".typelink",
    ".itablink",
    ".noptrdata",
    ".noptrbss",
)
_GO_MARKER_SET = frozenset(GO_MARKER_SECTIONS)
# Reported instead of a section name when a file without section headers
# still carries the build info magic in a writable segment.
SEGMENT_BUILDINFO_MARKER = "buildinfo magic in writable PT_LOAD"


_EXPORT_STUB = re.compile(r"_cgoexp_([0-9a-f]{12})_(.+)")
_C_WRAPPER = re.compile(r"_cgo_([0-9a-f]{12})_(?:Cfunc|C2func|Cmacro)_(.+)")
_GO_SIDE_WRAPPER = re.compile(r"(.+)\._cgo_([0-9a-f]{12})_(?:Cfunc|C2func|Cmacro)_(.+)")
_RUNTIME_PREFIXES = ("_cgo_", "x_cgo_", "__cgo_", "crosscall", "_cgoexp_")
_RUNTIME_NAMES = frozenset({"x_crosscall2_ptr", "fatalf", "threadentry"})

# C functions called by the standard library's cgo packages (Go 1.13-1.27);
# cgo's own malloc helper and free appear in user packages as well.
_SHARED_HELPERS = frozenset({"_Cmalloc", "free", "malloc"})
_STDLIB_C_CALLS = {
    "net": frozenset(
        {
            "getaddrinfo",
            "freeaddrinfo",
            "gai_strerror",
            "getnameinfo",
            "res_search",
            "res_ninit",
            "res_nclose",
            "res_nsearch",
        }
    ),
    "os/user": frozenset(
        {
            "mygetpwuid_r",
            "mygetpwnam_r",
            "mygetgrgid_r",
            "mygetgrnam_r",
            "mygetgrouplist",
            "getgrouplist",
            "sysconf",
            "realloc",
        }
    ),
    "plugin": frozenset({"pluginOpen", "pluginLookup", "realpath"}),
    "crypto/internal/sysrand/internal/seccomp": frozenset({"disable_getrandom"}),
}
_BORING_C_PREFIX = "_goboringcrypto_"
_BORING_PACKAGE = "crypto/internal/boring"
# Standard-library packages with `import "C"` outside tests and generators
# (GOROOT/src of Go 1.27 plus older spellings).
_STDLIB_CGO_PACKAGES = frozenset(
    {
        *_STDLIB_C_CALLS,
        _BORING_PACKAGE,
        "runtime/cgo",
        "runtime/race",
        "runtime/asan",
        "runtime/msan",
        "internal/runtime/cgobench",
        "internal/testpty",
        "os/signal/internal/pty",
        "net/internal/cgotest",
    }
)

# crypto/internal/boring/sig (GOROOT/src/crypto/internal/boring/sig/sig_amd64.s):
# a 2-byte jump, a 5-byte marker, 24 identifying bytes, RET.
_SIGNATURE_PATTERN = re.compile(rb"\xeb\x1d\xf4\x48\xf4\x4b\xf4(.{24})\xc3", re.DOTALL)
_SIGNATURES = {
    bytes.fromhex("b332f52813a3b450d441cc2485f001454e92101b1d2f1950"): "BoringCrypto",
    bytes.fromhex("363cb9ce9d68047d31f28d325d5ca5873f5d80caf6d6151b"): "FIPSOnly",
}


def go_markers(image: ElfImage) -> list[str]:
    """Go-only section names present in *image*; for a file without section
    headers, :data:`SEGMENT_BUILDINFO_MARKER` when a writable PT_LOAD holds
    the build info magic."""
    if image.sections:
        present = {section.name for section in image.sections if section.name in _GO_MARKER_SET}
        return [name for name in GO_MARKER_SECTIONS if name in present]
    return [] if blob_in_writable_segments(image) is None else [SEGMENT_BUILDINFO_MARKER]


def _stdlib_package_for_calls(calls: set[str]) -> str | None:
    """The standard-library cgo package whose known C calls explain all of *calls*."""
    specific = calls - _SHARED_HELPERS
    if specific and all(call.startswith(_BORING_C_PREFIX) for call in specific):
        return _BORING_PACKAGE
    for package, known in _STDLIB_C_CALLS.items():
        if specific and specific <= known:
            return package
    return None


def classify_cgo_symbols(exports: list[str], static_symbols: list[str] | None) -> CgoFacts:
    """Sort cgo-generated names from the dynamic exports and (when read)
    the ``.symtab`` names into the //export API, runtime internals, C calls
    and cgo packages.

    With only ``.dynsym`` (stripped files) a cgo executable shows at most
    ``crosscall2``/``_cgo_panic``/``_cgo_topofstack``: its C calls and cgo
    packages are then unknown and reported empty, while a stripped c-shared
    library still exports every wrapper and stub. A stripped library whose
    exports a version script cut to the API keeps no cgo-shaped name at all:
    every field is then empty although the library holds user C.
    """
    # Substring tests first: they reject the thousands of Go names a plugin exports cheaply.
    runtime_names = {
        name
        for name in exports
        if ("cgo" in name or "crosscall" in name) and name.startswith(_RUNTIME_PREFIXES)
    }
    runtime_exports = sorted(runtime_names | _RUNTIME_NAMES.intersection(exports))
    # Every generated name contains "_cgo".
    names = [name for name in exports if "_cgo" in name]
    if static_symbols is not None:
        names += [name for name in static_symbols if "_cgo" in name]

    go_exports: set[str] = set()
    export_hashes: set[str] = set()
    calls_by_hash: dict[str, set[str]] = {}
    package_by_hash: dict[str, str] = {}
    for name in names:
        if name.startswith("_cgoexp_"):
            stub = _EXPORT_STUB.fullmatch(name)
            if stub:
                export_hashes.add(stub.group(1))
                go_exports.add(stub.group(2))
        elif name.startswith("_cgo_"):
            wrapper = _C_WRAPPER.fullmatch(name)
            if wrapper:
                calls_by_hash.setdefault(wrapper.group(1), set()).add(wrapper.group(2))
        elif "._cgo_" in name:
            go_side = _GO_SIDE_WRAPPER.fullmatch(name)
            if go_side:
                package, cgo_hash, call = go_side.groups()
                package_by_hash[cgo_hash] = package
                calls_by_hash.setdefault(cgo_hash, set()).add(call)

    user_hashes = set(export_hashes)
    stdlib_packages: set[str] = set()
    for cgo_hash, calls in calls_by_hash.items():
        package = package_by_hash.get(cgo_hash)
        if package is None:
            package = _stdlib_package_for_calls(calls)
        if package in _STDLIB_CGO_PACKAGES and cgo_hash not in export_hashes:
            stdlib_packages.add(package)
        else:
            user_hashes.add(cgo_hash)
    c_calls = sorted({call for cgo_hash in user_hashes for call in calls_by_hash.get(cgo_hash, ())})
    return CgoFacts(
        go_exports=sorted(go_exports),
        runtime_exports=runtime_exports,
        c_calls=c_calls,
        cgo_packages=len(user_hashes),
        has_user_c=bool(user_hashes),
        stdlib_cgo_packages=sorted(stdlib_packages),
    )


def _executable_regions(image: ElfImage) -> list[tuple[int, int]]:
    """File ranges holding code: SHF_EXECINSTR sections, else PF_X PT_LOADs."""
    file_size = len(image.data)
    regions: list[tuple[int, int]] = []
    if image.sections:
        for section in image.sections:
            if section.flags & SHF_EXECINSTR and section.sh_type != SHT_NOBITS and section.size:
                regions.append((section.offset, section.offset + section.size))
    else:
        for segment in image.segments:
            if segment.p_type == PT_LOAD and segment.flags & PF_X and segment.filesz:
                regions.append((segment.offset, segment.offset + segment.filesz))
    return [(min(start, file_size), min(end, file_size)) for start, end in regions]


def find_boringcrypto_signature(image: ElfImage) -> str | None:
    """``"FIPSOnly"`` when crypto/tls/fipsonly is linked (it implies
    BoringCrypto), ``"BoringCrypto"`` when only BoringCrypto is, else None.

    The marker functions survive stripping, so this works on ``-s -w`` builds.
    """
    found: set[str] = set()
    for start, end in _executable_regions(image):
        for match in _SIGNATURE_PATTERN.finditer(image.data, start, end):
            name = _SIGNATURES.get(match.group(1))
            if name is not None:
                found.add(name)
    if "FIPSOnly" in found:
        return "FIPSOnly"
    if "BoringCrypto" in found:
        return "BoringCrypto"
    return None


def read_go_facts(image: ElfImage, elf: ElfFacts, *, functions: bool = False) -> GoFacts | None:
    """Everything Go-specific about *image*; None when no Go marker is present.

    With ``functions`` the function table's names are read too (``GoFacts.functions``, or
    ``functions_error``): off by default, as they take megabytes on large images.
    """
    markers = go_markers(image)
    if not markers:
        return None
    buildinfo_error: str | None = None
    try:
        buildinfo = read_buildinfo(image)
    except BuildInfoError as error:
        buildinfo, buildinfo_error = None, str(error)
    table: FunctionTable | None = None
    table_error: str | None = None
    if functions:
        try:
            table = read_function_table(image)
        except PclntabError as error:
            table_error = str(error)
    return GoFacts(
        markers=markers,
        buildinfo=buildinfo,
        buildinfo_error=buildinfo_error,
        cgo=classify_cgo_symbols(elf.exports, elf.static_symbols),
        boringcrypto_signature=_boringcrypto_signature_if_needed(image, buildinfo),
        functions=table,
        functions_error=table_error,
    )


def _boringcrypto_signature_if_needed(image: ElfImage, buildinfo: GoBuildInfo | None) -> str | None:
    """The code signature, searched only where build info cannot tell.

    Since Go 1.18 the build info records GOEXPERIMENT=boringcrypto (and
    crypto/tls/fipsonly shows in the linked packages), so the scan of every
    executable byte, which costs tens of milliseconds on large binaries, is
    kept for files without build info or with the pre-1.18 format.
    crypto/internal/boring/sig only emits marker bytes on amd64.
    """
    if image.e_machine != EM_X86_64:
        return None
    if buildinfo is not None and not buildinfo.pointer_format:
        return None
    return find_boringcrypto_signature(image)
