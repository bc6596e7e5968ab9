"""What an SBOM says about a scan, before any format: one *subject* per artifact.

The CycloneDX and SPDX reporters (``reports/cyclonedx.py``, ``reports/spdx.py``)
render the same subjects. A subject is a small, JSON-able projection of an
:class:`~cgoguard.model.Artifact`: its identity (display path, SHA-256, size), what
kind of component it is, its facts as namespaced properties, its Go build info
(toolchain, main module, dependencies with their replacements) and its members. It
is made where the artifact was scanned (the reporters' ``prerender``) and sent back
as text, which costs far less than pickling the artifact (export tables, sections).

Conventions every SBOM format here follows (README, "SBOM output"):

- **purls of Go modules** are ``pkg:golang/<module path>@<version>``, the version
  exactly as Go writes it (``v1.2.3``, pseudo-versions, ``+incompatible``); a module
  whose version is ``(devel)`` (a main module built from a checkout) gets a purl
  without a version. A module replaced by a local folder has no purl: the code linked
  is that folder, not any published version; the module it replaces keeps its own.
- **the standard library** is ``pkg:golang/stdlib@v1.27.3``: ``stdlib`` is the name
  the Go vulnerability database (and so OSV) gives the standard library, and the
  version is the toolchain's in Go's module-version form, as govulncheck writes it in
  its OpenVEX statements; every other golang purl carries its ``v`` too. Tools differ
  (syft: ``stdlib@1.21.13``; cyclonedx-gomod: ``std@go1.21.13``) and the purl
  specification does not settle it (golang/go#71567, grouped under #68152), so the
  choice is one constant here. The toolchain's own spelling (``go1.27.3``, with any
  ``X:`` experiments) is a property of the artifact.
- **the ``h1:`` hash** of a module (go.sum's, from the build info) is Go's dirhash:
  SHA-256 over a sorted list of the module's files and their SHA-256s. Formats whose
  hash fields take hex digests carry its 32 bytes as SHA-256 in hex, as
  cyclonedx-gomod does; it is then the digest of that list, not of any archive.
  The ``h1:`` text itself is always a property too (``cgoguard:go:module:h1``),
  ready to compare with go.sum or the checksum database.
- **properties** are named ``cgoguard:<topic>:<name>``; a verdict that does not
  apply is a word, never ``false``: pure Go code has no stack canary to look for, so
  ``cgoguard:hardening:canary`` is ``not-applicable`` with the reason beside it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import IO, Any, TypedDict

from packageurl import PackageURL

from cgoguard.checks.goruntime import parse_go_version
from cgoguard.model import Artifact, GoBuildInfo, GoModule, Hardening, Item, VulnerabilityMatch
from cgoguard.reports import ReportContext, Reporter, RunTotals

STDLIB = "stdlib"
IMAGE_LABELS = ("oci image", "docker image")  # readers/images.py labels an image "<label> <platform>"


class ModuleRecord(TypedDict):
    """One Go module as the build info names it."""

    path: str
    version: str
    sum: str
    replace: ModuleRecord | None


class GoRecord(TypedDict):
    """The Go build info of one image."""

    toolchain: str  # "go1.27.3" (experiments removed)
    main: ModuleRecord | None
    deps: list[ModuleRecord]


class VulnRecord(TypedDict):
    """One known-vulnerability finding of an artifact (CG230 / CG231)."""

    id: str
    aliases: list[str]
    summary: str
    url: str | None
    module: str
    version: str
    affected: bool
    precision: str
    reason: str
    remedy: str


class Subject(TypedDict):
    """One artifact, ready for any SBOM format."""

    path: str  # the display path: "dist/lib.so", "pkg.whl!pkg/lib.so"
    name: str  # its own name: the path inside its container, else the display path
    sha256: str | None
    size: int
    purpose: str  # "application" | "library" | "archive" | "container" | "file"
    properties: list[tuple[str, str]]  # (name, value), names may repeat
    go: GoRecord | None
    members: list[Subject]
    vulnerabilities: list[VulnRecord]


# ---------------------------------------------------------------------------
# Go identities


def module_purl(path: str, version: str) -> PackageURL | None:
    """``pkg:golang/<path>@<version>``; no version for ``(devel)``; None for a local folder."""
    if is_local_path(path):
        return None
    namespace, _, name = path.rpartition("/")
    known = version if version and version != "(devel)" else None
    return PackageURL(type="golang", namespace=namespace or None, name=name, version=known)


def is_local_path(path: str) -> bool:
    """A replacement by a folder: Go writes it as a file path (./x, ../x, /abs; on Windows
    ..\\x or C:\\x). A module path never holds a backslash or a colon."""
    return path.startswith(("./", "../", "/")) or path in (".", "..") or "\\" in path or ":" in path


def stdlib_version(toolchain: str) -> str | None:
    """The toolchain as a Go module version: go1.27.3 -> v1.27.3, go1.21 -> v1.21.0,
    go1.22rc1 -> v1.22.0-rc.1; None for a development build."""
    parsed = parse_go_version(toolchain)
    if parsed is None:
        return None
    major, minor, patch, pre = parsed
    version = f"v{major}.{minor}.{patch}"
    if pre:
        kind = pre.rstrip("0123456789")
        version += f"-{kind}.{pre[len(kind) :]}"
    return version


def stdlib_purl(toolchain: str) -> PackageURL:
    return PackageURL(type="golang", name=STDLIB, version=stdlib_version(toolchain))


def stdlib_cpe(toolchain: str) -> str | None:
    """NVD's name for Go releases (the standard library's CVEs are filed under it):
    cpe:2.3:a:golang:go:1.27.3; None for pre-releases and development builds."""
    parsed = parse_go_version(toolchain)
    if parsed is None or parsed[3]:
        return None
    return f"cpe:2.3:a:golang:go:{toolchain.removeprefix('go')}:*:*:*:*:*:*:*"


def h1_sha256(go_sum: str) -> str | None:
    """The hex SHA-256 inside a go.sum ``h1:`` hash (Go's dirhash), None for another form."""
    if not go_sum.startswith("h1:"):
        return None
    try:
        digest = base64.b64decode(go_sum[3:], validate=True)
    except ValueError:
        return None
    return digest.hex() if len(digest) == 32 else None


# ---------------------------------------------------------------------------
# Artifacts -> subjects


def _flag(value: bool | None, none: str = "unknown") -> str:
    """A yes/no fact; ``none`` says why there is none (not-applicable, not-judged, unknown)."""
    return none if value is None else str(value).lower()


def hardening_properties(h: Hardening) -> Iterator[tuple[str, str]]:
    yield "cgoguard:hardening:pie", _flag(h.pie, "not-applicable")
    yield "cgoguard:hardening:relro", h.relro or "not-applicable"
    yield "cgoguard:hardening:bind-now", _flag(h.bind_now, "not-applicable")
    yield "cgoguard:hardening:nx", _flag(h.nx, "not-judged")
    yield "cgoguard:hardening:nx:detail", h.nx_detail
    yield "cgoguard:hardening:canary", _flag(h.canary, "not-applicable")
    yield "cgoguard:hardening:canary:detail", h.canary_detail
    yield "cgoguard:hardening:fortify", _flag(h.fortify, "not-applicable")
    yield "cgoguard:hardening:fortify:detail", h.fortify_detail
    yield "cgoguard:hardening:textrel", _flag(h.textrel)
    yield "cgoguard:hardening:rwx-segments", str(len(h.rwx_segments))
    if h.rpath is not None:
        yield "cgoguard:hardening:rpath", ":".join(h.rpath)
    if h.runpath is not None:
        yield "cgoguard:hardening:runpath", ":".join(h.runpath)
    yield "cgoguard:hardening:stripped", _flag(h.stripped)
    yield "cgoguard:hardening:debug-info", _flag(h.has_debug_info)
    yield "cgoguard:hardening:ibt", _flag(h.ibt, "not-applicable")  # x86 IBT, AArch64 BTI
    yield "cgoguard:hardening:shstk", _flag(h.shstk, "not-applicable")  # x86 SHSTK, AArch64 PAC
    yield "cgoguard:hardening:static", _flag(h.static)
    yield "cgoguard:code:language", h.language
    yield "cgoguard:code:c", h.c_code


def _go_properties(artifact: Artifact) -> Iterator[tuple[str, str]]:
    go = artifact.go
    if go is None:
        return
    info = go.buildinfo
    if artifact.hardening is not None and artifact.hardening.go_build_mode:
        yield "cgoguard:go:build-mode", artifact.hardening.go_build_mode
    if info is None:
        if go.buildinfo_error:
            yield "cgoguard:go:buildinfo-error", go.buildinfo_error
    else:
        yield "cgoguard:go:toolchain", info.raw_version
        if info.experiments:
            yield "cgoguard:go:experiments", ",".join(info.experiments)
        if info.path:
            yield "cgoguard:go:package", info.path
        for key, value in info.settings.items():
            yield f"cgoguard:go:build:{key}", value
    yield "cgoguard:go:cgo:user-c", _flag(go.cgo.has_user_c)
    if go.cgo.stdlib_cgo_packages:
        yield "cgoguard:go:cgo:stdlib-packages", ",".join(go.cgo.stdlib_cgo_packages)
    fips = go.fips
    if fips is not None:
        yield "cgoguard:fips:provider", fips.provider
        if fips.module:
            yield "cgoguard:fips:module", fips.module
        yield "cgoguard:fips:validated-module", _flag(fips.validated_module)
        yield "cgoguard:fips:default-mode", fips.default_mode
        yield "cgoguard:fips:crypto-linked", _flag(fips.crypto_linked)


def artifact_properties(artifact: Artifact, parent: Artifact | None) -> list[tuple[str, str]]:
    """The artifact's facts as (name, value) pairs, in a fixed order."""
    found: list[tuple[str, str]] = [("cgoguard:path", artifact.path)]
    if parent is not None:
        found.append(("cgoguard:container", parent.path))
        found.append(("cgoguard:container:format", parent.container or ("ar" if parent.is_archive else "")))
    if artifact.layer:
        found.append(("cgoguard:layer", artifact.layer))
    if artifact.deleted:
        found.append(("cgoguard:deleted", "true"))
    if artifact.container:
        found.append(("cgoguard:format", artifact.container))
    elif artifact.is_archive:
        found.append(("cgoguard:format", "ar"))
    if artifact.error:
        found.append(("cgoguard:error", artifact.error))
    elf = artifact.elf
    if elf is not None:
        found.append(("cgoguard:elf:machine", elf.machine))
        found.append(("cgoguard:elf:class", str(elf.elf_class)))
        if elf.interpreter:
            found.append(("cgoguard:elf:interpreter", elf.interpreter))
        if elf.dynamic is not None:
            if elf.dynamic.soname:
                found.append(("cgoguard:elf:soname", elf.dynamic.soname))
            found.extend(("cgoguard:elf:needed", needed) for needed in elf.dynamic.needed)
        if elf.build_id:
            found.append(("cgoguard:elf:build-id", elf.build_id))
        if elf.go_build_id:
            found.append(("cgoguard:go:build-id", elf.go_build_id))
    h = artifact.hardening
    if h is not None:
        found.append(("cgoguard:elf:kind", h.kind))
        if h.system:
            found.append(("cgoguard:system", h.system))
        found.extend(hardening_properties(h))
    found.extend(_go_properties(artifact))
    return found


def purpose(artifact: Artifact) -> str:
    """What kind of thing the artifact is, in words every format maps from."""
    if artifact.container:
        return "container" if artifact.container.startswith(IMAGE_LABELS) else "archive"
    if artifact.is_archive:
        return "library"  # an ar archive: a static library (a Go c-archive)
    kind = artifact.hardening.kind if artifact.hardening is not None else None
    if kind in ("executable", "pie-executable"):
        return "application"
    if kind in ("shared-library", "relocatable"):
        return "library"  # shared objects, plugins and the objects of a static library
    return "file"


def _module_record(module: GoModule) -> ModuleRecord:
    return {
        "path": module.path,
        "version": module.version,
        "sum": module.sum,
        "replace": _module_record(module.replace) if module.replace is not None else None,
    }


def _go_record(info: GoBuildInfo) -> GoRecord:
    return {
        "toolchain": info.version,
        "main": _module_record(info.main) if info.main is not None else None,
        "deps": [_module_record(d) for d in info.deps],
    }


def subject_of(artifact: Artifact, parent: Artifact | None = None) -> Subject:
    info = artifact.go.buildinfo if artifact.go is not None else None
    if parent is not None and parent.go is artifact.go:
        info = None  # a c-archive's go.o: the archive carries its build info, and the graph is drawn once
    name = artifact.path.rsplit("!", 1)[1] if parent is not None and "!" in artifact.path else artifact.path
    return {
        "path": artifact.path,
        "name": name,
        "sha256": artifact.sha256,
        "size": artifact.size,
        "purpose": purpose(artifact),
        "properties": artifact_properties(artifact, parent),
        "go": _go_record(info) if info is not None else None,
        "members": [subject_of(member, artifact) for member in artifact.members],
        "vulnerabilities": [_vuln_record(f.vulnerability) for f in artifact.findings if f.vulnerability],
    }


def _vuln_record(match: VulnerabilityMatch) -> VulnRecord:
    advisory = match.advisory
    return {
        "id": advisory.id,
        "aliases": list(advisory.aliases),
        "summary": advisory.summary,
        "url": advisory.url,
        "module": match.module,
        "version": match.version,
        "affected": match.affected,
        "precision": match.precision,
        "reason": match.reason,
        "remedy": match.remedy,
    }


_ENCODER = json.JSONEncoder(check_circular=False)


def subject_json(artifact: Artifact) -> str:
    """One artifact as its subject's JSON text (the SBOM reporters' prerender; runs in workers)."""
    return _ENCODER.encode(subject_of(artifact))


def _decoded(data: dict[str, Any]) -> Subject:
    return {
        "path": data["path"],
        "name": data["name"],
        "sha256": data["sha256"],
        "size": data["size"],
        "purpose": data["purpose"],
        "properties": [(name, value) for name, value in data["properties"]],
        "go": data["go"],
        "members": [_decoded(member) for member in data["members"]],
        "vulnerabilities": data["vulnerabilities"],
    }


def subject_of_item(item: Item) -> Subject:
    """The subject of one pipeline item, rendered in a worker or not."""
    if item.text is not None:
        return _decoded(json.loads(item.text))
    if item.artifact is None:
        raise TypeError("an item carries neither an artifact nor its rendered subject")
    return subject_of(item.artifact)


# ---------------------------------------------------------------------------
# Subjects -> one inventory: the nodes and edges every format renders


@dataclass(slots=True)
class Node:
    """One thing the SBOM names: an artifact, or a Go module linked into one."""

    ref: str  # unique within the document, the same for the same scan
    role: str  # "artifact" | "main" (a main module) | "module" | "stdlib" | "required" (see replaces)
    name: str
    version: str | None = None
    purl: PackageURL | None = None
    cpe: str | None = None  # CPE 2.3, where one is known for sure (NVD's for the Go toolchain)
    sha256: str | None = None  # artifacts: the file's; Go modules: the h1: digest, in hex
    purpose: str = "library"  # artifacts: purpose(); Go modules: always "library"
    properties: list[tuple[str, str]] = field(default_factory=list)
    description: str | None = None
    members: list[Node] = field(default_factory=list)  # what a container or ar archive holds
    # A module replaced (go.mod replace) by this one: named for its identity, never linked itself.
    replaces: Node | None = None
    vulnerabilities: list[VulnRecord] = field(default_factory=list)  # artifacts: what --vulndb found


@dataclass(slots=True)
class Edge:
    source: str
    target: str
    kind: str  # "built-from" (artifact -> main module), "links" (artifact -> stdlib, or its
    # modules when the build has no main module), "requires" (main module -> dependency)


class Inventory:
    """Every node of a scan, each Go module once per identity (path, version, h1:,
    what it replaces), a main module per artifact (a ``(devel)`` build is one checkout),
    a local replacement per artifact (its folder is relative to that build)."""

    def __init__(self) -> None:
        self.artifacts: list[Node] = []  # the scanned inputs, members nested, in scan order
        self.go: list[Node] = []  # main modules, modules and standard libraries, first seen first
        self.edges: list[Edge] = []
        self._shared: dict[tuple[str, ...], Node] = {}
        self._used: set[str] = set()

    def _ref(self, base: str) -> str:
        ref, count = base, 1
        while ref in self._used:
            count += 1
            ref = f"{base}#{count}"
        self._used.add(ref)
        return ref

    def add(self, subject: Subject) -> None:
        self.artifacts.append(self._artifact(subject))

    def nodes(self) -> Iterator[Node]:
        """Every artifact (members after their container) and every Go node."""
        stack = list(reversed(self.artifacts))
        while stack:
            node = stack.pop()
            yield node
            stack.extend(reversed(node.members))
        yield from self.go

    def refs_by_purl(self) -> dict[str, list[str]]:
        """purl -> the refs of the nodes linked under it (where a vulnerability would land)."""
        found: dict[str, list[str]] = {}
        for node in self.go:
            if node.purl is not None:
                found.setdefault(node.purl.to_string(), []).append(node.ref)
        return found

    def _artifact(self, subject: Subject) -> Node:
        node = Node(
            ref=self._ref(f"artifact:{subject['path']}"),
            role="artifact",
            name=subject["name"],
            sha256=subject["sha256"],
            purpose=subject["purpose"],
            properties=subject["properties"],
            members=[self._artifact(member) for member in subject["members"]],
            vulnerabilities=subject["vulnerabilities"],
        )
        if subject["go"] is not None:
            self._link(node, subject["go"], subject["path"])
        return node

    def _link(self, artifact: Node, go: GoRecord, path: str) -> None:
        linked = [self._module(dep, path) for dep in go["deps"]]
        main = go["main"]
        if main is not None:
            node = self._main(main, path)
            self.edges.append(Edge(artifact.ref, node.ref, "built-from"))
            self.edges.extend(Edge(node.ref, dep.ref, "requires") for dep in linked)
        else:  # GOPATH mode: no main module, the artifact holds the modules
            self.edges.extend(Edge(artifact.ref, dep.ref, "links") for dep in linked)
        if go["toolchain"]:
            self.edges.append(Edge(artifact.ref, self._stdlib(go["toolchain"]).ref, "links"))

    def _main(self, main: ModuleRecord, path: str) -> Node:
        node = Node(
            ref=self._ref(f"go-main:{path}"),
            role="main",
            name=main["path"],
            version=_known(main["version"]),
            purl=module_purl(main["path"], main["version"]),
            sha256=h1_sha256(main["sum"]),
            properties=_sum_properties(main),
        )
        self.go.append(node)
        return node

    def _stdlib(self, toolchain: str) -> Node:
        return self._shared_node(
            ("stdlib", toolchain),
            lambda ref: Node(
                ref=ref,
                role="stdlib",
                name=STDLIB,
                version=stdlib_version(toolchain),
                purl=stdlib_purl(toolchain),
                cpe=stdlib_cpe(toolchain),
                properties=[("cgoguard:go:toolchain", toolchain)],
                description="The Go standard library and runtime, linked into every Go image",
            ),
            f"go:stdlib@{toolchain}",
        )

    def _module(self, dep: ModuleRecord, path: str) -> Node:
        replace = dep["replace"]
        if replace is None:
            return self._shared_node(
                ("module", dep["path"], dep["version"], dep["sum"]),
                lambda ref: self._linked(dep, ref),
                f"go:{dep['path']}@{dep['version']}",
            )
        if is_local_path(replace["path"]):
            # A folder of this build's checkout, named by the module it stands in for.
            node = self._linked(dep, self._ref(f"go-local:{path}:{dep['path']}"), replaced=dep, local=replace)
            self.go.append(node)
            return node
        return self._shared_node(
            ("replaced", replace["path"], replace["version"], replace["sum"], dep["path"], dep["version"]),
            lambda ref: self._linked(replace, ref, replaced=dep),
            f"go:{replace['path']}@{replace['version']}",
        )

    def _linked(
        self,
        module: ModuleRecord,
        ref: str,
        *,
        replaced: ModuleRecord | None = None,
        local: ModuleRecord | None = None,
    ) -> Node:
        """The node of a module linked into an image: ``module`` itself, what replaced a
        required module (``replaced``), or the folder ``local`` standing in for ``module``."""
        properties = _sum_properties(module) if local is None else []
        node = Node(
            ref=ref,
            role="module",
            name=module["path"],
            version=_known(module["version"]) if local is None else None,
            purl=module_purl(module["path"], module["version"]) if local is None else None,
            sha256=h1_sha256(module["sum"]) if local is None else None,
            properties=properties,
        )
        if local is not None:
            properties.append(("cgoguard:go:module:local-path", local["path"]))
        if replaced is not None:
            required = f"{replaced['path']}@{replaced['version']}"
            properties.append(("cgoguard:go:module:replaces", required))
            node.replaces = Node(
                ref=self._ref(f"{ref}|replaces:{required}"),
                role="required",
                name=replaced["path"],
                version=_known(replaced["version"]),
                purl=module_purl(replaced["path"], replaced["version"]),
            )
        return node

    def _shared_node(self, key: tuple[str, ...], make: Callable[[str], Node], base: str) -> Node:
        found = self._shared.get(key)
        if found is None:
            found = self._shared[key] = make(self._ref(base))
            self.go.append(found)
        return found


def _known(version: str) -> str | None:
    return version if version and version != "(devel)" else None


def _sum_properties(module: ModuleRecord) -> list[tuple[str, str]]:
    return [("cgoguard:go:module:h1", module["sum"])] if module["sum"] else []


# ---------------------------------------------------------------------------
# Document identity


def scan_properties(totals: RunTotals) -> list[tuple[str, str]]:
    """Whether the scan read everything: the document's own properties."""
    tally = totals.tally
    found = [("cgoguard:scan:complete", str(tally.complete).lower())]
    found += [("cgoguard:scan:missing", path) for path in tally.missing]
    found += [("cgoguard:scan:unread", f"{path}: {error}") for path, error in tally.unread]
    return found


def creation_time() -> datetime:
    """When the document was made: $SOURCE_DATE_EPOCH when set (the reproducible-builds
    convention; fixes every timestamp and so the serial number), else now; whole seconds."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), UTC)
        except (ValueError, OverflowError, OSError):
            pass
    return datetime.now(UTC).replace(microsecond=0)


def content_digest(subjects: list[Subject], *context: str) -> str:
    """SHA-256 over what the document says (subjects and context such as the spec
    version, tool version and creation time): the seed of its serial number or namespace."""
    digest = hashlib.sha256()
    for part in context:
        digest.update(part.encode() + b"\0")
    digest.update(json.dumps(subjects, sort_keys=True, separators=(",", ":")).encode())
    return digest.hexdigest()


class SbomReporter(Reporter):
    """What the SBOM reporters share: a subject per item (rendered where the artifact was
    scanned), one document at the end, made from one :class:`Inventory`."""

    def __init__(self, out: IO[str], context: ReportContext) -> None:
        super().__init__(out, context)
        self.subjects: list[Subject] = []

    def prerender(self) -> Callable[[Artifact], str]:
        return subject_json

    def add(self, item: Item) -> None:
        self.subjects.append(subject_of_item(item))

    def inventory(self) -> Inventory:
        inventory = Inventory()
        for subject in self.subjects:
            inventory.add(subject)
        return inventory

    def digest(self, spec: str, created: datetime) -> str:
        """What the document says (its subjects), the spec, the tool's version and the creation
        time, hashed: the seed of a serial number or namespace."""
        return content_digest(self.subjects, spec, self.context.tool["version"], created.isoformat())
