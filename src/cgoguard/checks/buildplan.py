"""Checks of a built artifact against what its build asked for.

A scan sees only the file; a build also knows what it asked for: the build
mode, the toolchain it ran, the ``//export`` API of the source, the FIPS
module, the flags it passed. :class:`BuiltArtifact` carries both, and the
checks here judge the facts no binary check can judge alone. ``cgoguard
build`` runs them (with the binary checks ``cgoguard scan`` runs) on every
artifact before publishing it; an expectation left unset means the build did
not ask for it, and the check that needs it says nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from cgoguard.checks import CheckResult, CheckTarget, check
from cgoguard.checks.goruntime import cflags_requests
from cgoguard.model import Artifact, Severity


@dataclass(frozen=True, slots=True)
class BuildExpectations:
    """What one build asked for. ``None``/``False``: it asked nothing there."""

    mode: str  # the Go build mode it ran with (-buildmode)
    toolchain: str  # the Go version of the toolchain it ran, e.g. "go1.27.3"
    export_api: tuple[str, ...] | None = None  # c-shared: the dynamic exports must be exactly these
    fips_module: str | None = None  # the GOFIPS140 value it set, e.g. "v1.0.0"
    no_go_build_id: bool = False  # it passed -ldflags=-buildid=
    stack_protector: bool = False  # a -fstack-protector flag reached CGO_CFLAGS
    # what the build passed in CGO_CPPFLAGS + CGO_CFLAGS (None: it set neither), and the flags
    # of the package's `#cgo CPPFLAGS/CFLAGS` lines, which the compiler gets after them
    cgo_cflags: str | None = None
    package_cflags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BuiltArtifact:
    """The subject of a build check: the scan of one artifact and its build's expectations."""

    expected: BuildExpectations
    artifact: Artifact  # as cgoguard.scanner.scan_file returned it (members, facts, findings)


def _images(artifact: Artifact) -> list[Artifact]:
    """The artifact itself, or every ELF member of an archive."""
    if artifact.is_archive:
        return [m for m in artifact.members if m.elf is not None]
    return [artifact] if artifact.elf is not None else []


def fortify_reached(built: BuiltArtifact) -> tuple[bool, str]:
    """Whether -D_FORTIFY_SOURCE and optimisation reached the C compiler, and the evidence.

    Not the binary's word: gcc emits a plain strncpy when the copy is provably in bounds or
    the destination's size is unknown, so an object with plain calls and no __*_chk variant
    can have been built with FORTIFY. What can be known is the compiler's command line: the
    CGO_CPPFLAGS/CGO_CFLAGS the build info recorded (or, with -trimpath, which drops them,
    what the build passed), then the package's `#cgo` lines, the last flag winning."""
    go = built.artifact.go
    settings = go.buildinfo.settings if go is not None and go.buildinfo is not None else {}
    if "CGO_CFLAGS" in settings:
        env_flags = f"{settings.get('CGO_CPPFLAGS', '')} {settings['CGO_CFLAGS']}".strip()
        source = f"CGO_CFLAGS recorded in the build info ({env_flags or 'empty: -O2 -g'})"
    else:
        env_flags = built.expected.cgo_cflags or ""
        source = f"CGO_CFLAGS the build passed ({env_flags or 'none: -O2 -g'}; -trimpath records none)"
    lines = " ".join(built.expected.package_cflags)
    _, fortify, optimised = cflags_requests(f"{env_flags or '-O2 -g'} {lines}")
    if lines:
        source += f", then the package's #cgo flags ({lines})"
    if fortify and optimised:
        return True, f"-D_FORTIFY_SOURCE and optimisation reached the C compiler: {source}"
    lacking = "-D_FORTIFY_SOURCE" if not fortify else "optimisation (-O1 or more)"
    return False, f"{lacking} did not reach the C compiler: {source}"


def _listed(names: list[str], limit: int = 8) -> str:
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


@check(
    id="CG208",
    name="build-mode-mismatch",
    title="The artifact is not the Go build mode the build asked for",
    severity=Severity.HIGH,
    applies_to="artifacts of `cgoguard build` (the expected mode comes from the build plan)",
    target=CheckTarget.BUILD,
    modes=("exe", "pie", "c-shared", "c-archive", "plugin"),
    fix="""
        Build with the mode on the command line and nothing between the command and the file:
            go build -buildmode=c-shared -o dist/libx.so ./cmd/x
        Look for a `go` wrapper script earlier in PATH, a -toolexec, or a stale file at the -o path.
        An artifact that cannot be read at all is usually a failed or interrupted link: build again.
    """,
    references=("https://pkg.go.dev/cmd/go#hdr-Build_modes",),
)
def build_mode_mismatch(built: BuiltArtifact) -> Iterator[CheckResult]:
    """Every other verdict on a build depends on what kind of file it made:
    an executable is judged on PIE, a c-shared library on its exports, a
    c-archive on its objects. The build mode is read from the build info Go
    embeds (`-buildmode`), or from the image's own markers when the build info
    lacks it. A mismatch means something replaced or rewrote the output
    between `go build` and the file that would be published."""
    artifact = built.artifact
    if artifact.error is not None and not artifact.members:
        yield f"the artifact cannot be read: {artifact.error}"
        return
    go = artifact.go
    seen = go.buildinfo.settings.get("-buildmode") if go is not None and go.buildinfo is not None else None
    if seen is None:
        seen = next((i.hardening.go_build_mode for i in _images(artifact) if i.hardening is not None), None)
    if seen is None:
        yield f"no Go build info and no build-mode marker found; expected -buildmode={built.expected.mode}."
    elif seen != built.expected.mode:
        yield f"the artifact says -buildmode={seen}; the build asked for -buildmode={built.expected.mode}."


@check(
    id="CG209",
    name="toolchain-mismatch",
    title="Built by another Go toolchain than the one the build ran",
    severity=Severity.MEDIUM,
    applies_to="artifacts of `cgoguard build` (the expected Go version is that of the toolchain it ran)",
    target=CheckTarget.BUILD,
    modes=("exe", "pie", "c-shared", "c-archive", "plugin"),
    fix="""
        Keep the go command from switching toolchains:
            GOTOOLCHAIN=local go build ...
        (`cgoguard build` sets it unless you set GOTOOLCHAIN yourself.) Then either install the Go
        release go.mod asks for, or lower the `go`/`toolchain` line in go.mod.
    """,
    references=("https://go.dev/doc/toolchain",),
)
def toolchain_mismatch(built: BuiltArtifact) -> Iterator[CheckResult]:
    """The go command can switch toolchains on its own: when go.mod's `go` or
    `toolchain` line names a newer release than the one installed and
    GOTOOLCHAIN allows it (the default is `auto`), `go build` fetches and runs
    that other Go. The build record (manifest, provenance) would then name a
    compiler that did not make the artifact, and the standard library inside
    it is that of a release nobody chose. The Go version is read from the
    build info."""
    go = built.artifact.go
    version = go.buildinfo.version if go is not None and go.buildinfo is not None else None
    if version is None:
        yield f"no Go build info found; the toolchain that ran is {built.expected.toolchain}."
    elif version != built.expected.toolchain:
        yield f"build info names {version}; the toolchain that ran is {built.expected.toolchain}."


@check(
    id="CG210",
    name="exports-not-api",
    title="Dynamic exports differ from the //export API",
    severity=Severity.MEDIUM,
    applies_to="Go c-shared libraries whose build restricted the exports to the //export API "
    "(a version script; `cgoguard build` profiles with export-only-api)",
    target=CheckTarget.BUILD,
    modes=("c-shared",),
    fix="""
        Export exactly the //export API with a linker version script, one name per //export line:
            printf '{ global: Add; FreeString; local: *; };\\n' > exports.map
            go build -buildmode=c-shared -ldflags="-extldflags=-Wl,--version-script=$PWD/exports.map" ...
        (`cgoguard build` writes the script from the package's //export lines.) A function missing from
        the library: its //export comment is not read by cgo (`cgoguard lint`, CG401) or the script
        lacks it. Extra symbols: a second version script or -Wl,--export-dynamic in the link.
    """,
    references=(
        "https://sourceware.org/binutils/docs/ld/VERSION.html",
        "https://github.com/golang/go/issues/18976",
    ),
)
def exports_not_api(built: BuiltArtifact) -> Iterator[CheckResult]:
    """A C library's interface is its dynamic symbol table. For a Go
    c-shared library the intended interface is the //export API, the functions
    the cgo-generated header declares; anything else in .dynsym (cgo and
    runtime internals, C helpers of a preamble) is surface callers can bind
    to, interpose or clash with. When the build restricted the exports, the
    two must be equal both ways: a function of the header missing from the
    library makes every caller fail at link or dlsym time (high severity),
    and extra symbols mean the restriction did not take effect."""
    api = built.expected.export_api
    images = _images(built.artifact)
    if api is None or built.expected.mode != "c-shared" or not images or images[0].elf is None:
        return
    exported = set(images[0].elf.exports)
    extra, missing = sorted(exported - set(api)), sorted(set(api) - exported)
    if missing:
        yield f"//export function(s) not exported by the library: {_listed(missing)}.", Severity.HIGH
    if extra:
        yield f"{len(extra)} dynamic symbol(s) beyond the {len(api)} //export function(s): {_listed(extra)}."


@check(
    id="CG211",
    name="go-build-id-kept",
    title="Go build ID present although the build asked for none",
    severity=Severity.LOW,
    applies_to="artifacts of builds that passed -ldflags=-buildid= "
    "(`cgoguard build` profiles with buildid = false)",
    target=CheckTarget.BUILD,
    modes=("exe", "pie", "c-shared", "c-archive", "plugin"),
    fix="""
        go build -ldflags="-buildid=" ...
        -ldflags is not additive: a later -ldflags on the command line replaces an earlier one, so put
        -buildid= into the one -ldflags the build uses (a profile's ldflags list does this).
    """,
    references=("https://pkg.go.dev/cmd/link",),
)
def go_build_id_kept(built: BuiltArtifact) -> Iterator[CheckResult]:
    """The Go build ID (the .note.go.buildid note) identifies the build's
    inputs and actions. A release process can ask for none (for example to
    compare artifacts built on different machines byte for byte), and
    `-ldflags=-buildid=` leaves it empty. When the ID is still there, the flag
    did not reach the linker. Having a Go build ID is not a defect in
    general: this check says something only when the build asked for none."""
    if not built.expected.no_go_build_id:
        return
    kept = [f"{i.path} ({i.elf.go_build_id})" for i in _images(built.artifact) if i.elf and i.elf.go_build_id]
    if kept:
        yield f"Go build ID in {_listed(kept, 3)}."


@check(
    id="CG212",
    name="archive-without-stack-protector",
    title="No C object of the c-archive has a stack protector although the build asked for one",
    severity=Severity.MEDIUM,
    applies_to="Go c-archives whose build passed -fstack-protector-strong/-all in CGO_CFLAGS "
    "(`cgoguard build` profiles with harden-c)",
    target=CheckTarget.BUILD,
    modes=("c-archive",),
    fix="""
        CGO_CFLAGS="-O2 -fstack-protector-strong" go build -buildmode=c-archive ...
        and remove -fno-stack-protector from `#cgo CFLAGS:` lines of the package's preambles.
    """,
    references=(
        "https://best.openssf.org/Compiler-Hardening-Guides/Compiler-Options-Hardening-Guide-for-C-and-C++",
    ),
)
def archive_without_stack_protector(built: BuiltArtifact) -> Iterator[CheckResult]:
    """-fstack-protector-strong instruments only functions with local arrays
    or address-taken locals. A c-archive keeps one object per C file, so some
    of its objects rightly reference no __stack_chk_fail even when the flag
    was used, and CG108 judges each object alone. For the archive as a whole
    the evidence is clear, though: when the build asked for a stack protector
    and the archive holds user C code, at least one C object must reference
    __stack_chk_fail. None doing so means the flag never reached the C
    compiler (a `#cgo CFLAGS` line with -fno-stack-protector, or an
    environment that replaced CGO_CFLAGS)."""
    artifact = built.artifact
    if not built.expected.stack_protector or not artifact.is_archive:
        return
    # go.o is Go code (cgo's wrappers compiled by the Go compiler): never a C object.
    c_objects = [
        m
        for m in _images(artifact)
        if m.go is None and m.hardening is not None and m.hardening.c_code == "user"
    ]
    if c_objects and not any(m.hardening is not None and m.hardening.canary for m in c_objects):
        yield f"none of the {len(c_objects)} C object(s) references __stack_chk_fail or __stack_chk_guard."


@check(
    id="CG302",
    name="fips-module-not-selected",
    title="The Go Cryptographic Module the build asked for is not the one linked",
    severity=Severity.HIGH,
    applies_to="Go artifacts of builds that set GOFIPS140 (`cgoguard build --profile fips`)",
    target=CheckTarget.BUILD,
    modes=("exe", "pie", "c-shared", "c-archive", "plugin"),
    fix="""
        GOFIPS140=v1.0.0 go build ...
        (Go 1.24 or later; not together with GOEXPERIMENT=boringcrypto). Check the result with
            go version -m <file>
        which must list GOFIPS140=v1.0.0-<hash> and DefaultGODEBUG=fips140=on.
    """,
    references=(
        "https://go.dev/doc/security/fips140",
        "https://csrc.nist.gov/projects/cryptographic-module-validation-program",
    ),
)
def fips_module_not_selected(built: BuiltArtifact) -> Iterator[CheckResult]:
    """GOFIPS140=v1.0.0 links the frozen Go Cryptographic Module that went
    through CMVP validation and turns FIPS mode on by default. The variable is
    easy to lose between the build command and the compiler (a wrapper that
    resets the environment, a toolchain too old to know it), and nothing at
    run time says so: the program runs with the in-tree module. The evidence
    is the build info (GOFIPS140, DefaultGODEBUG), read the same way as for
    CG301. This is a statement about the build, not a compliance verdict."""
    wanted = built.expected.fips_module
    if wanted is None:
        return
    go = built.artifact.go
    status = go.fips if go is not None else None
    if status is None:
        yield f"no Go build info found; the build set GOFIPS140={wanted}."
        return
    module = status.module or "none"
    if status.provider != "go-native" or not module.startswith(wanted):
        yield (
            f"the build set GOFIPS140={wanted}, but the artifact has GOFIPS140={module} "
            f"(provider {status.provider}, FIPS mode by default: {status.default_mode})."
        )
    elif wanted.startswith("v1.0.0") and not status.validated_module:
        yield f"GOFIPS140={module} is not the CMVP-validated v1.0.0 module the build asked for."
