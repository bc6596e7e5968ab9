"""SPDX 2.3 JSON, built, validated and written by spdx-tools (``spdx`` and ``spdx-2.3``).

One document for the whole scan, the same inventory as CycloneDX (``reports/sbom.py``),
as packages and relationships:

- every artifact is a package (purpose APPLICATION, LIBRARY, ARCHIVE, CONTAINER or
  FILE) with its display path as file name and its SHA-256; the document DESCRIBES the
  scanned inputs, and a container or ``ar`` archive CONTAINS its members;
- a Go artifact is GENERATED_FROM its main module and STATIC_LINKs the standard
  library; the main module DEPENDS_ON every module of its build list; a module that
  replaced another (go.mod ``replace``) is a VARIANT_OF what go.mod required, which is
  a package of its own (named, never linked);
- Go modules carry their purl as a PACKAGE-MANAGER reference and the ``h1:`` digest as
  a SHA256 checksum, with a comment saying what it is a digest of;
- SPDX 2.3 has no key/value properties: each package's ``cgoguard:*`` properties (the
  same as CycloneDX's) are its comment, a ``name=value`` line each. (Annotations would fit
  too, but spdx-tools looks a package's annotations up among all of them, for each
  package: minutes for a system folder.)

SPDX 3.0 is not offered: spdx-tools 0.8 writes only a draft of it (JSON-LD with
pre-release namespaces) that its own documentation says not to use in production, and
it cannot read it back or validate it against the released 3.0.1 model.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from datetime import datetime

from spdx_tools.spdx.model.actor import Actor, ActorType
from spdx_tools.spdx.model.checksum import Checksum, ChecksumAlgorithm
from spdx_tools.spdx.model.document import CreationInfo, Document
from spdx_tools.spdx.model.package import (
    ExternalPackageRef,
    ExternalPackageRefCategory,
    Package,
    PackagePurpose,
)
from spdx_tools.spdx.model.relationship import Relationship, RelationshipType
from spdx_tools.spdx.model.spdx_no_assertion import SpdxNoAssertion
from spdx_tools.spdx.writer.json.json_writer import write_document_to_stream

from cgoguard.reports import RunTotals
from cgoguard.reports.sbom import Inventory, Node, SbomReporter, creation_time, scan_properties

SPDX_VERSION = "SPDX-2.3"
DOCUMENT_ID = "SPDXRef-DOCUMENT"
# SPDX 2.3, 6.5: without a website of its own, a creator may use spdx.org/spdxdocs.
NAMESPACE_BASE = "https://spdx.org/spdxdocs/cgoguard-"
# The namespace of the name-based (version 5) UUIDs that document namespaces end in.
NAMESPACE_UUID = uuid.UUID("0d7f1bd4-72d7-5b8e-8a43-6f2b9c0e3a5d")

_PURPOSES = {
    "application": PackagePurpose.APPLICATION,
    "library": PackagePurpose.LIBRARY,
    "container": PackagePurpose.CONTAINER,
    "archive": PackagePurpose.ARCHIVE,
    "file": PackagePurpose.FILE,
}
_RELATIONSHIPS = {
    "built-from": RelationshipType.GENERATED_FROM,
    "links": RelationshipType.STATIC_LINK,
    "requires": RelationshipType.DEPENDS_ON,
}
_NOT_ID = re.compile(r"[^A-Za-z0-9.]+")
H1_COMMENT = (
    "The SHA256 checksum is Go's module hash (go.sum's h1:, in hex): a SHA-256 over the sorted list of "
    "the module's files and their SHA-256s, not the digest of an archive."
)


def spdx_id(ref: str) -> str:
    """An SPDX identifier ([A-Za-z0-9.-]) for a node's ref ("artifact:dist/lib.so"): its
    kind, the end of the rest (a file name, a module path) and a short hash that keeps it unique."""
    kind, _, rest = ref.partition(":")
    tail = _NOT_ID.sub("-", rest)[-60:].strip("-")
    return f"SPDXRef-{_NOT_ID.sub('-', kind)}-{tail}-{hashlib.sha256(ref.encode()).hexdigest()[:10]}"


class _Document:
    """One inventory -> packages and relationships."""

    def __init__(self) -> None:
        self.packages: list[Package] = []
        self.relationships: list[Relationship] = []

    def relate(self, source: str, kind: RelationshipType, target: str) -> None:
        self.relationships.append(Relationship(source, kind, target))

    def add(self, node: Node, file_name: str | None = None) -> str:
        identifier = spdx_id(node.ref)
        notes = [H1_COMMENT] if node.role != "artifact" and node.sha256 else []
        notes += [f"{name}={' '.join(value.splitlines())}" for name, value in node.properties]
        self.packages.append(
            Package(
                spdx_id=identifier,
                name=node.name,
                download_location=SpdxNoAssertion(),
                version=node.version,
                file_name=file_name,
                files_analyzed=False,
                checksums=[Checksum(ChecksumAlgorithm.SHA256, node.sha256)] if node.sha256 else [],
                primary_package_purpose=_PURPOSES[node.purpose],
                external_references=_references(node),
                description=node.description,
                comment="\n".join(notes) or None,
            )
        )
        if node.replaces is not None:
            self.relate(identifier, RelationshipType.VARIANT_OF, self.add(node.replaces))
        return identifier

    def artifact(self, node: Node) -> str:
        identifier = self.add(node, file_name=_display_path(node))
        for member in node.members:
            self.relate(identifier, RelationshipType.CONTAINS, self.artifact(member))
        return identifier


def _references(node: Node) -> list[ExternalPackageRef]:
    found = []
    if node.purl is not None:
        found.append(
            ExternalPackageRef(ExternalPackageRefCategory.PACKAGE_MANAGER, "purl", node.purl.to_string())
        )
    if node.cpe is not None:
        found.append(ExternalPackageRef(ExternalPackageRefCategory.SECURITY, "cpe23Type", node.cpe))
    return found


def _display_path(node: Node) -> str:
    return next((value for name, value in node.properties if name == "cgoguard:path"), node.name)


def build_document(
    inventory: Inventory, totals: RunTotals, tool: dict[str, str], created: datetime, namespace: str
) -> Document:
    creator = Actor(ActorType.TOOL, f"{tool['name']}-{tool['version']}")
    document = _Document()
    for node in inventory.artifacts:
        document.relate(DOCUMENT_ID, RelationshipType.DESCRIBES, document.artifact(node))
    for node in inventory.go:
        document.add(node)
    for edge in inventory.edges:
        document.relate(spdx_id(edge.source), _RELATIONSHIPS[edge.kind], spdx_id(edge.target))
    info = CreationInfo(
        spdx_version=SPDX_VERSION,
        spdx_id=DOCUMENT_ID,
        name=f"{tool['name']} scan",
        document_namespace=namespace,
        creators=[creator],
        created=created.replace(tzinfo=None),  # spdx-tools' convention: naive is UTC (0.8.0 wrote "+00:00Z")
        document_comment="\n".join(f"{name}={value}" for name, value in scan_properties(totals)),
    )
    return Document(info, packages=document.packages, relationships=document.relationships)


class SpdxReporter(SbomReporter):
    """One SPDX 2.3 JSON document for the whole run (see the module docstring)."""

    name = "spdx"

    def document(self, totals: RunTotals) -> Document:
        """The document before it is written. Its namespace ends in a name-based UUID of
        what it says and the creation time (``SOURCE_DATE_EPOCH`` makes it reproducible)."""
        created = creation_time()
        namespace = NAMESPACE_BASE + str(uuid.uuid5(NAMESPACE_UUID, self.digest(SPDX_VERSION, created)))
        return build_document(self.inventory(), totals, self.context.tool, created, namespace)

    def finish(self, totals: RunTotals) -> None:
        # spdx-tools' validation looks every identifier up in a fresh list of all of them:
        # 17 s for the 2,371 packages of 300 system libraries, quadratic beyond. The tests
        # validate every document the reporter writes; a run does not.
        write_document_to_stream(self.document(totals), self.out, validate=False)
        self.out.write("\n")
