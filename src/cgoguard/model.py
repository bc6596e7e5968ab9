"""Plain, picklable facts and results.

Data flows one way: readers fill the *Facts* classes from bytes, checks turn
facts into :class:`Finding` objects, reports render them. Nothing here judges;
nothing here reads files. Every class is a frozen-free ``dataclass`` with
``slots`` so a process pool can ship it cheaply.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import NamedTuple


class Severity(IntEnum):
    """Ordered so that ``--fail-on`` can compare with ``>=``."""

    INFO = 0
    LOW = 1
    MEDIUM = 2
    HIGH = 3
    CRITICAL = 4

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            names = ", ".join(s.name.lower() for s in cls)
            raise ValueError(f"unknown severity {text!r} (expected one of: {names})") from None

    def __str__(self) -> str:
        return self.name.lower()


# ---------------------------------------------------------------------------
# ELF facts (readers/elf.py)


@dataclass(slots=True)
class Segment:
    """One program header, raw values."""

    p_type: int
    flags: int  # PF_X=1, PF_W=2, PF_R=4
    offset: int
    vaddr: int
    filesz: int
    memsz: int
    align: int = 0  # p_align (note segments use it for their padding)


@dataclass(slots=True)
class Section:
    """One section header with its resolved name."""

    name: str
    sh_type: int
    flags: int
    addr: int
    offset: int
    size: int
    link: int = 0  # sh_link: e.g. the string table of a symbol table
    info: int = 0  # sh_info
    entsize: int = 0  # sh_entsize: size of one entry of a table section
    addralign: int = 0  # sh_addralign (note sections use it for their padding)


@dataclass(slots=True)
class DynamicFacts:
    """What the PT_DYNAMIC table says, undecoded beyond names."""

    needed: list[str] = field(default_factory=list)
    soname: str | None = None
    rpath: list[str] | None = None  # DT_RPATH split on ':'; None when absent
    runpath: list[str] | None = None  # DT_RUNPATH split on ':'
    flags: int = 0  # DT_FLAGS (0 when absent)
    flags_1: int = 0  # DT_FLAGS_1 (0 when absent)
    has_bind_now_tag: bool = False  # the legacy DT_BIND_NOW entry
    has_textrel_tag: bool = False  # the legacy DT_TEXTREL entry
    has_debug_tag: bool = False  # DT_DEBUG (set up by the linker for executables)
    has_symbolic_tag: bool = False  # legacy DT_SYMBOLIC
    init_array_size: int | None = None  # DT_INIT_ARRAYSZ in bytes


@dataclass(slots=True)
class GnuProperties:
    """GNU_PROPERTY_* bits from .note.gnu.property (x86 and AArch64)."""

    x86_feature_1_and: int | None = None  # bit0 IBT, bit1 SHSTK
    aarch64_feature_1_and: int | None = None  # bit0 BTI, bit1 PAC


@dataclass(slots=True)
class ElfFacts:
    """Everything the ELF reader learned about one ELF image."""

    elf_class: int  # 32 or 64
    little_endian: bool
    e_type: str  # "NONE" | "REL" | "EXEC" | "DYN" | "CORE" | "0x...."
    e_machine: int
    machine: str  # "x86-64", "aarch64", "i386", ... or "EM_<n>"
    entry: int
    interpreter: str | None
    segments: list[Segment]
    section_names: list[str]  # empty when the file has no section headers
    dynamic: DynamicFacts | None  # None when there is no PT_DYNAMIC
    exports: list[str]  # defined dynamic symbols, version suffix removed
    imports: list[str]  # undefined dynamic symbols (weak included)
    has_symtab: bool
    has_debug_info: bool  # .debug_info / .zdebug_info present
    build_id: str | None  # hex of NT_GNU_BUILD_ID
    go_build_id: str | None  # text of the Go build-id note
    properties: GnuProperties
    comment: list[str]  # NUL-separated strings of .comment
    # Symbol names from .symtab; only filled when the reader was asked for
    # them (Go files, static files, relocatable objects), else None.
    static_symbols: list[str] | None = None
    static_undefined: list[str] | None = None
    # ET_REL only: sh_flags of .note.GNU-stack (None when the section is absent).
    gnu_stack_section_flags: int | None = None
    os_abi: int = 0  # EI_OSABI (0: System V, which names no system)
    abi_note: str | None = None  # the system an ABI note names ("linux", "netbsd", ...)
    # Bytes of machine code in executable sections (SHF_EXECINSTR, not NOBITS); None when the
    # file has no section headers to tell. An object with none has no function to protect.
    code_size: int | None = None


# ---------------------------------------------------------------------------
# Go facts (readers/gobuildinfo.py, readers/cgo.py)


@dataclass(slots=True)
class GoModule:
    path: str
    version: str = ""
    sum: str = ""
    replace: GoModule | None = None


@dataclass(slots=True)
class GoBuildInfo:
    """The decoded ``\\xff Go buildinf:`` blob."""

    version: str  # "go1.27.3" (experiment suffix removed)
    experiments: list[str]  # from the "-X:a,b" / " X:a,b" suffix
    raw_version: str  # exactly as embedded
    path: str  # "path" line: the main package
    main: GoModule | None
    deps: list[GoModule]
    settings: dict[str, str]  # build key=value, in file order
    pointer_format: bool  # True for the pre-1.18 pointer format


@dataclass(slots=True)
class CgoFacts:
    """Classification of symbol names left by cgo (no judgement)."""

    go_exports: list[str]  # the //export API, from _cgoexp_<hash>_<Name>
    runtime_exports: list[str]  # exported Go/cgo runtime internals
    c_calls: list[str]  # C functions called from Go: _cgo_<hash>_Cfunc_<f>
    cgo_packages: int  # distinct <hash> prefixes of user cgo packages
    has_user_c: bool  # C compiled from user packages (not runtime/cgo only)
    # Standard-library packages seen using cgo ("net", "os/user",
    # "crypto/internal/boring", ...): named by .symtab, else inferred from
    # the C functions they call. Their wrappers are not counted as user C.
    stdlib_cgo_packages: list[str] = field(default_factory=list)


@dataclass(slots=True)
class FunctionTable:
    """The function names of a Go image's function table (pclntab), read by readers/pclntab.py.

    Names are kept as the linker spells them (``crypto/x509.(*Certificate).Verify``,
    ``example.com/m/lib%2ev2.Map[go.shape.int]``) in one NUL-framed blob,
    ``b"\\0name1\\0name2\\0"``, each once: it pickles as one object and
    ``b"\\0" + name + b"\\0" in blob`` is a C-speed search.

    ``blob`` holds the functions that have code of their own. ``inlined`` holds
    the names that appear only through inline trees (a call inlined into every
    caller leaves no function behind); it is read for Go 1.16+ tables, whose
    name table holds exactly these two groups. For the Go 1.2-1.15 layout it is
    None: names there sit among file names and pc tables, and only walking every
    inline tree would find them, so an inlined-only function is not listed.
    """

    format: str  # "1.2" (Go 1.2-1.15), "1.16" (1.16-1.17), "1.18" (1.18-1.19), "1.20" (1.20+)
    where: str  # "section .gopclntab", "symbol runtime.pclntab", "magic scan at offset N"
    functions: int  # names in blob
    blob: bytes
    inlined: bytes | None = None

    def names(self) -> Iterator[str]:
        """The functions' names, in table (address) order."""
        return _split_names(self.blob)

    def inlined_names(self) -> Iterator[str]:
        """The names known only from inline trees (none for the Go 1.2 layout)."""
        return _split_names(self.inlined or b"\0")

    def has(self, name: str, *, inlined: bool = False) -> bool:
        """Whether a function is called exactly ``name`` (or, with ``inlined``, was inlined as it)."""
        framed = b"\0" + name.encode() + b"\0"
        return framed in self.blob or (inlined and self.inlined is not None and framed in self.inlined)


def _split_names(blob: bytes) -> Iterator[str]:
    if len(blob) < 2:
        return iter(())
    return (name.decode("utf-8", "backslashreplace") for name in blob[1:-1].split(b"\0"))


@dataclass(slots=True)
class GoFacts:
    """Go-ness of an image: set whenever any Go marker is found."""

    markers: list[str]  # which of .gopclntab, .go.buildinfo, .note.go.buildid, ... were seen
    buildinfo: GoBuildInfo | None
    buildinfo_error: str | None  # why build info could not be decoded, if a marker said it should exist
    cgo: CgoFacts
    boringcrypto_signature: str | None  # "BoringCrypto" | "FIPSOnly" | None
    # Standard-library crypto packages whose functions are in .gopclntab
    # (e.g. "crypto/sha256"); None when the table could not be read.
    crypto_packages: list[str] | None = None
    # Derived once by the scan pipeline (cgoguard.assess.fips_status) and read
    # by checks, reports and build verification alike.
    fips: FipsStatus | None = None
    # Read only when asked for (read_go_facts(functions=True)): megabytes on large images.
    functions: FunctionTable | None = None
    functions_error: str | None = None  # why a function table that seemed present could not be read


# ---------------------------------------------------------------------------
# Derived summaries (computed from the facts by cgoguard.assess; no judgement)


@dataclass(slots=True)
class SearchPathEntry:
    """One RPATH/RUNPATH entry with its classification."""

    value: str
    risk: str  # "empty" | "relative" | "world-writable" | "origin" | "absolute"


@dataclass(slots=True)
class Hardening:
    kind: str
    pie: bool | None
    relro: str | None  # "none" | "partial" | "full"; None for relocatable objects
    bind_now: bool | None
    nx: bool | None
    nx_detail: str
    rwx_segments: list[int]
    textrel: bool
    rpath: list[str] | None
    runpath: list[str] | None
    search_paths: list[SearchPathEntry]
    language: str  # "go" | "c" | "rust" | "unknown"
    # "none" | "runtime-cgo-only" | "user" | "all" (a C/C++ image) | "unknown"
    # (Rust, or a stripped cgo image whose symbols no longer tell)
    c_code: str
    canary: bool | None
    canary_detail: str
    fortify: bool | None
    fortify_detail: str
    fortified: list[str] = field(default_factory=list)
    fortifiable: list[str] = field(default_factory=list)
    stripped: bool = False
    has_debug_info: bool = False
    build_id: str | None = None
    ibt: bool | None = None
    shstk: bool | None = None
    go_build_mode: str | None = None
    static: bool = False
    system: str | None = None  # the target operating system ("linux", "freebsd", ...); None: not named


@dataclass(slots=True)
class FipsStatus:
    """What the build says about FIPS 140-3; never a compliance verdict."""

    provider: str  # "go-native" | "boringcrypto" | "systemcrypto" | "none"
    module: str | None  # GOFIPS140 value, e.g. "v1.0.0-c2097c7c"
    validated_module: bool  # built against the frozen module that went through CMVP (v1.0.0)
    default_mode: str  # "on" | "only" | "off" | "environment" (decided by GODEBUG at run time)
    crypto_linked: bool | None
    evidence: list[str]


# ---------------------------------------------------------------------------
# Artifacts, findings, report


@dataclass(slots=True)
class SourceLocation:
    """Where in a source file or header a finding points (1-based)."""

    path: str
    line: int
    column: int = 1
    end_line: int | None = None
    end_column: int | None = None


# ---------------------------------------------------------------------------
# Known vulnerabilities (readers/osv.py reads them; checks/vulns.py matches them)


@dataclass(frozen=True, slots=True)
class AffectedImport:
    """A package an advisory names (OSV ``ecosystem_specific.imports``)."""

    package: str  # import path, e.g. "net/http"
    symbols: tuple[str, ...]  # "Func" or "Type.Method"; empty: the advisory names none
    goos: tuple[str, ...] = ()  # empty: every system
    goarch: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class AffectedModule:
    """One ``affected`` entry: a module and its vulnerable versions."""

    module: str  # module path; "stdlib" is the standard library, "toolchain" the go command
    events: tuple[tuple[str, str], ...]  # SEMVER events in order: ("introduced", "0"), ("fixed", "1.2.5")
    imports: tuple[AffectedImport, ...]


@dataclass(frozen=True, slots=True)
class Advisory:
    """One entry of the Go vulnerability database (OSV)."""

    id: str  # GO-YYYY-NNNN
    aliases: tuple[str, ...]  # CVE-..., GHSA-...
    summary: str
    affected: tuple[AffectedModule, ...]
    published: str = ""
    modified: str = ""
    url: str | None = None  # the advisory's page (pkg.go.dev/vuln/<id>)
    review_status: str | None = None  # "REVIEWED" | "UNREVIEWED"
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class VulnerabilityMatch:
    """How one advisory meets one artifact: what reports need beyond the message
    (SARIF rules per advisory, VEX statements, SBOM vulnerabilities)."""

    advisory: Advisory
    module: str  # the module the advisory names
    version: str  # the version found in the artifact ("v1.2.3", "1.21.13" for the standard library)
    affected: bool  # False: the version is affected but the vulnerable code is not in the artifact
    precision: str  # "symbol" | "package" | "module"
    reason: str  # why this precision, or why not affected
    fixed: str | None  # the first fixed version above the one found, if any
    remedy: str  # the exact fix: "rebuild with go1.22.7 or later", "go get mod@v1.2.6, then rebuild"
    symbols: tuple[str, ...] = ()  # the vulnerable functions found (symbol precision)
    replaced_by: str | None = None  # "path@version" when a replace directive swapped the module
    affected_versions: str = ""  # the advisory's range for this module, e.g. "<1.21.11, >=1.22.0-0 <1.22.4"


@dataclass(frozen=True, slots=True)
class LinkedModule:
    """A module (or the standard library) linked into a Go artifact, as its build info says."""

    path: str  # "stdlib" for the standard library
    version: str  # "v1.2.3", a pseudo-version, or "1.21.13" for the standard library
    replaced_by: str | None = None  # "path@version" (or a folder) when a replace directive swapped it


@dataclass(frozen=True, slots=True)
class VulnSubject:
    """What the known-vulnerability checks look at: one Go artifact's modules
    and functions, and what the database says about those modules."""

    path: str
    go_version: str  # "go1.21.13"
    goos: str | None
    goarch: str | None
    build_mode: str | None  # "exe", "pie", "c-shared", "c-archive", "plugin"
    modules: tuple[LinkedModule, ...]  # the standard library first
    functions: FunctionTable | None  # the function table; None with the reason in ``no_functions``
    no_functions: str
    advisories: dict[str, tuple[Advisory, ...]]  # by module path: every identity in ``modules``
    database: str  # how reports name the database ("vuln.go.dev layout, modified 2026-08-21")
    database_modified: str | None
    newest_go_known: str | None  # the newest Go release any standard-library advisory names
    unreadable: tuple[str, ...] = ()  # "<id>: <why>" for entries of these modules that could not be read


@dataclass(slots=True)
class Finding:
    check_id: str
    severity: Severity
    title: str
    message: str  # what was seen in this artifact, with the evidence
    fix: str
    location: SourceLocation | None = None  # set by source and header checks
    artifacts: tuple[str, ...] = ()  # set-level findings: the artifacts involved
    vulnerability: VulnerabilityMatch | None = None  # known-vulnerability findings (CG230, CG231)


@dataclass(slots=True)
class Artifact:
    """One scanned file or archive member. ``path`` is the display path
    (``libx.a!go.o`` for members)."""

    path: str
    size: int = 0
    sha256: str | None = None
    error: str | None = None  # a sentence for the user, or None
    is_archive: bool = False
    elf: ElfFacts | None = None
    go: GoFacts | None = None
    hardening: Hardening | None = None  # derived from elf + go by cgoguard.assess
    members: list[Artifact] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    container: str | None = None  # "zip", "tar.gz", ...: the members are what it holds
    layer: str | None = None  # for a file of a container image: the digest of its layer
    deleted: bool = False  # an image file a later layer deletes or replaces (only with --deleted-files)
    # Which checks judged this image: applied (passed unless a finding of theirs is in
    # ``findings``), and those that did not apply with the reason. A check in neither was not run.
    applied: list[str] = field(default_factory=list)
    not_applicable: dict[str, str] = field(default_factory=dict)

    def record(self, check_id: str, findings: list[Finding], not_applicable: str | None) -> None:
        """One check's evaluation of this image."""
        if not_applicable is None:
            self.applied.append(check_id)
            self.findings.extend(findings)
        else:
            self.not_applicable[check_id] = not_applicable


def build_mode_of(hardening: Hardening | None, has_go: bool) -> str:
    """The build mode an image stands for in mappings and the matrix: its Go build
    mode ("c-archive" also for a C program that links a Go c-archive: that link is
    where the archive's code gets its loader protections), "c" without Go code."""
    mode = hardening.go_build_mode if hardening is not None else None
    if mode:
        return mode
    return "unknown" if has_go else "c"


@dataclass(frozen=True, slots=True)
class SignedDigests:
    """What the signature bundles given to comply say, after their signatures were checked:
    the SHA-256 digests that a valid, unexpired signature by a given key covers (with the
    bundle that covers each), and each bundle that did not hold, with why."""

    covered: dict[str, str]  # sha256 -> the bundle whose verified statement names it
    refused: tuple[tuple[str, str], ...] = ()  # (bundle, why its signature did not hold)


@dataclass(frozen=True, slots=True)
class SignatureSubject:
    """One file comply scanned, against the signatures given (the subject of SIGNATURE checks)."""

    path: str
    sha256: str | None
    signed: SignedDigests


class Outcome(StrEnum):
    """What one check said of one subject. ``reported``: it fired at info severity,
    a statement of fact (which FIPS module is linked), not a defect."""

    PASSED = "passed"
    FAILED = "failed"
    REPORTED = "reported"
    NOT_APPLICABLE = "not-applicable"
    NOT_EVALUATED = "not-evaluated"


def check_outcomes(artifact: Artifact) -> dict[str, tuple[Outcome, str]]:
    """Each check that judged this image (not its members), with its outcome and
    the reason or the findings' messages. A check missing here was not run."""
    found: dict[str, list[Finding]] = {}
    for finding in artifact.findings:
        found.setdefault(finding.check_id, []).append(finding)
    passed = (Outcome.PASSED, "")
    outcomes: dict[str, tuple[Outcome, str]] = {}
    for check_id in artifact.applied:
        mine = found.get(check_id)
        if mine is None:
            outcomes[check_id] = passed
            continue
        info = all(f.severity == Severity.INFO for f in mine)
        outcomes[check_id] = (Outcome.REPORTED if info else Outcome.FAILED, " ".join(f.message for f in mine))
    for check_id, why in artifact.not_applicable.items():
        outcomes[check_id] = (Outcome.NOT_APPLICABLE, why)
    return outcomes


class SetMember(NamedTuple):
    """What set-level checks see of one image (a file or an archive member):
    a small projection of its facts, cheap to send back from a worker process
    (whole artifacts cost more to pickle than to scan; a named tuple pickles
    several times faster than a dataclass, and the parent unpickles every one).

    Export lists are carried only where a set check reads them: Go images'
    cgo runtime internals and Go shared libraries' other exports. C libraries'
    export tables are not (those of /usr/lib/x86_64-linux-gnu pickle to 13 MB)."""

    path: str
    sha256: str | None
    kind: str | None  # Hardening.kind
    machine: str | None
    soname: str | None
    go_version: str | None
    go_build_mode: str | None  # None for an image without Go code
    go_package: str | None = None  # build info "path": the main package it was built from
    go_exports: tuple[str, ...] = ()  # the //export API
    # FipsStatus.provider, with the module and default mode of the Go-native one
    # ("go-native GOFIPS140=v1.0.0-c2097c7c, fips140=on"); None when the image links
    # no crypto (nothing for a FIPS module to cover)
    fips_provider: str | None = None
    origin: tuple[str, ...] = ()  # containers it sits in, outermost first
    container: str | None = None  # the format of origin[0] ("zip", "tar.gz", "deb", ...) when known
    needed: tuple[str, ...] = ()  # DT_NEEDED, in order
    search_path: tuple[str, ...] = ()  # DT_RPATH then DT_RUNPATH entries, unexpanded
    relro: str | None = None  # Hardening.relro
    bind_now: bool | None = None  # Hardening.bind_now
    symbolic: bool = False  # DT_SYMBOLIC or DF_SYMBOLIC: its own references bind to its own definitions
    # Go shared libraries other than plugins: exported names besides the //export API
    # and the cgo runtime internals (C functions linked in: a cgo preamble, a static C library)
    c_exports: tuple[str, ...] = ()
    runtime_exports: tuple[str, ...] = ()  # Go images: the cgo runtime internals exported (crosscall2, ...)
    system: str | None = None  # Hardening.system: the target operating system when the image names one


@dataclass(slots=True)
class ArtifactSet:
    """Every readable image of one run, after the merge: the subject of set-level checks."""

    members: list[SetMember]
    one_group: bool = False  # the user says every input loads together (scan --group)


@dataclass(slots=True)
class ScanSummary:
    files_seen: int = 0
    artifacts: int = 0  # ELF files and archives scanned (members not counted)
    members: int = 0
    skipped_not_elf: int = 0
    skipped_duplicates: int = 0
    skipped_special: int = 0  # FIFOs, devices and sockets found in folders (never opened)
    errors: int = 0
    seconds: float = 0.0
    vulndb: str | None = None  # the vulnerability database the Go artifacts were matched against
    vulndb_note: str | None = None  # why the default database was not used, when it could not be had


class Item(NamedTuple):
    """One input's result as it leaves the executor: the artifact itself, or
    (when a reporter rendered it where it was scanned) only its text, plus the
    plain values the parent needs for the exit code, the summary and the
    set-level checks. Plain values cross a process pipe cheaply."""

    path: str
    artifact: Artifact | None  # None when ``text`` was rendered in the worker
    text: str | None
    severities: tuple[int, ...]  # every finding's severity, members included
    readable: bool  # read at least in part
    members: int
    unread: tuple[tuple[str, str], ...]  # (path, error) of the artifact or members not read
    set_members: tuple[SetMember, ...] = ()
    unchanged: tuple[bytes, ...] = ()  # fingerprints of findings dropped because the baseline has them
