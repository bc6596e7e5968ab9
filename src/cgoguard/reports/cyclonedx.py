"""CycloneDX JSON, built, checked and written by cyclonedx-python-lib: ``cyclonedx``
and ``cyclonedx-1.6`` write spec 1.6, ``cyclonedx-1.7`` spec 1.7.

One BOM for the whole scan (``reports/sbom.py`` says what is in it). Each artifact is
a component: an executable an ``application``; a shared library, a plugin, an ``ar``
archive and its objects a ``library``; a container image a ``container``; any other
file or container (a wheel, a tarball, a package) a ``file``. The members of a
container or of an archive are nested in it (CycloneDX's assembly: what a component
holds) and also name their container and layer in properties. The Go modules, main
modules and standard libraries are top-level components; a module that replaced
another carries what go.mod required as its pedigree's ancestor. The dependency
graph: artifact -> main module and standard library, main module -> every module of
its build list. Go's build info lists the build, not who requires whom, so modules
have no edges of their own (cyclonedx-python-lib writes an entry for every
component, so they appear as leaves).

Build settings that the CycloneDX property taxonomy names (GOOS, GOARCH,
CGO_ENABLED) are written under their ``cdx:gomod:build:env:*`` names as well.

Vulnerabilities are not matched here. The seam for them is
:meth:`CycloneDxReporter.bom`: it returns the :class:`~cyclonedx.model.bom.Bom`
before it is written, and :attr:`CycloneDxReporter.refs` maps each purl to the
bom-refs of its components, so a matcher's results become ``bom.vulnerabilities``
entries whose ``affects`` name those refs and whose ``analysis`` carries the state
(CycloneDX VEX: exploitable, not_affected with a justification, ...).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import datetime
from typing import ClassVar

from cyclonedx.model import HashAlgorithm, HashType, Property, XsUri
from cyclonedx.model.bom import Bom, BomMetaData
from cyclonedx.model.component import Component, ComponentScope, ComponentType, Pedigree
from cyclonedx.model.dependency import Dependency
from cyclonedx.model.impact_analysis import ImpactAnalysisJustification, ImpactAnalysisState
from cyclonedx.model.lifecycle import LifecyclePhase, PredefinedLifecycle
from cyclonedx.model.tool import ToolRepository
from cyclonedx.model.vulnerability import (
    BomTarget,
    Vulnerability,
    VulnerabilityAnalysis,
    VulnerabilityReference,
    VulnerabilitySource,
)
from cyclonedx.output import make_outputter
from cyclonedx.schema import OutputFormat, SchemaVersion

from cgoguard.reports import RunTotals
from cgoguard.reports.sbom import Inventory, Node, SbomReporter, VulnRecord, creation_time, scan_properties

# The namespace of the name-based (version 5) UUIDs that serial numbers are.
SERIAL_NAMESPACE = uuid.UUID("5c4c4b1e-3f6a-5d0e-9a57-6367f67561e1")

_TYPES = {
    "application": ComponentType.APPLICATION,
    "library": ComponentType.LIBRARY,
    "container": ComponentType.CONTAINER,
    "archive": ComponentType.FILE,
    "file": ComponentType.FILE,
}
_TAXONOMY_SETTINGS = ("GOOS", "GOARCH", "CGO_ENABLED")


def _properties(node: Node) -> list[Property]:
    found = [Property(name=name, value=value) for name, value in node.properties]
    found += [
        Property(name=f"cdx:gomod:build:env:{key}", value=value)
        for name, value in node.properties
        for key in _TAXONOMY_SETTINGS
        if name == f"cgoguard:go:build:{key}"
    ]
    return found


def component_of(node: Node, made: dict[str, Component] | None = None) -> Component:
    """One node as a component, its members nested, a replaced module as its pedigree;
    ``made`` collects every component made, by ref."""
    pedigree = None
    if node.replaces is not None:
        pedigree = Pedigree(ancestors=[component_of(node.replaces)])
    component = Component(
        type=_TYPES[node.purpose],
        name=node.name,
        version=node.version,
        purl=node.purl,
        cpe=node.cpe,
        bom_ref=node.ref,
        scope=ComponentScope.REQUIRED if node.role in ("module", "stdlib") else None,
        hashes=[HashType(alg=HashAlgorithm.SHA_256, content=node.sha256)] if node.sha256 else [],
        description=node.description,
        properties=_properties(node),
        components=[component_of(member, made) for member in node.members],
        pedigree=pedigree,
    )
    if made is not None:
        made[node.ref] = component
    return component


GO_VULNDB = VulnerabilitySource(name="Go Vulnerability Database", url=XsUri("https://pkg.go.dev/vuln/"))
_ALIAS_SOURCES = {
    "CVE": VulnerabilitySource(name="NVD", url=XsUri("https://nvd.nist.gov/vuln/detail/")),
    "GHSA": VulnerabilitySource(name="GitHub Advisories", url=XsUri("https://github.com/advisories/")),
}


def vulnerability_of(record: VulnRecord, artifact_ref: str, made: dict[str, Component]) -> Vulnerability:
    """One advisory as it meets one artifact. Analysis: ``exploitable`` when the
    vulnerable code is linked (symbol or package precision), ``in_triage`` when only
    the version says so, ``not_affected`` / ``code_not_present`` otherwise (CG231)."""
    if not record["affected"]:
        state, justification = ImpactAnalysisState.NOT_AFFECTED, ImpactAnalysisJustification.CODE_NOT_PRESENT
    elif record["precision"] == "module":
        state, justification = ImpactAnalysisState.IN_TRIAGE, None
    else:
        state, justification = ImpactAnalysisState.EXPLOITABLE, None
    references = [
        VulnerabilityReference(id=alias, source=_ALIAS_SOURCES[alias.split("-", 1)[0]])
        for alias in record["aliases"]
        if alias.split("-", 1)[0] in _ALIAS_SOURCES
    ]
    module = "the standard library" if record["module"] == "stdlib" else record["module"]
    return Vulnerability(
        bom_ref=f"vulnerability:{record['id']}:{artifact_ref}",
        id=record["id"],
        source=GO_VULNDB,
        references=references,
        description=record["summary"],
        detail=f"{module} {record['version']}; precision: {record['precision']}; {record['reason']}",
        recommendation=record["remedy"][:1].upper() + record["remedy"][1:] + "."
        if record["affected"]
        else None,
        analysis=VulnerabilityAnalysis(state=state, justification=justification, detail=record["reason"]),
        affects=[BomTarget(ref=made[artifact_ref].bom_ref.value or artifact_ref)],
        properties=[Property(name="cgoguard:vulnerability:precision", value=record["precision"])],
    )


def build_bom(
    inventory: Inventory, totals: RunTotals, tool: dict[str, str], created: datetime, serial: uuid.UUID
) -> Bom:
    made: dict[str, Component] = {}
    top = [component_of(node, made) for node in [*inventory.artifacts, *inventory.go]]
    # The graph is built here rather than edge by edge with Bom.register_dependency, which
    # looks each source up in a list: quadratic in an image of many Go programs.
    targets: defaultdict[str, list[Dependency]] = defaultdict(list)
    for edge in inventory.edges:
        targets[edge.source].append(Dependency(ref=made[edge.target].bom_ref))
    graph = [Dependency(ref=made[source].bom_ref, dependencies=found) for source, found in targets.items()]
    vulnerabilities = [
        vulnerability_of(record, node.ref, made)
        for node in inventory.nodes()
        if node.role == "artifact"
        for record in node.vulnerabilities
    ]
    bom = Bom(components=top, serial_number=serial, dependencies=graph, vulnerabilities=vulnerabilities)
    bom.metadata = BomMetaData(
        timestamp=created,
        tools=ToolRepository(
            components=[
                Component(
                    type=ComponentType.APPLICATION,
                    name=tool["name"],
                    version=tool["version"],
                    bom_ref=f"tool:{tool['name']}",
                )
            ]
        ),
        lifecycles=[PredefinedLifecycle(LifecyclePhase.POST_BUILD)],
        properties=[Property(name=name, value=value) for name, value in scan_properties(totals)],
    )
    return bom


class CycloneDxReporter(SbomReporter):
    """One CycloneDX JSON document for the whole run (see the module docstring)."""

    name = "cyclonedx"
    spec: ClassVar[SchemaVersion] = SchemaVersion.V1_6
    refs: dict[str, list[str]]  # purl -> bom-refs of its components, set by bom()

    def bom(self, totals: RunTotals) -> Bom:
        """The document before it is written: the place where more is added to it.
        Its serial number is a name-based UUID of what it says, the spec version and
        the creation time (so ``SOURCE_DATE_EPOCH`` makes the whole document reproducible)."""
        inventory = self.inventory()
        created = creation_time()
        serial = uuid.uuid5(SERIAL_NAMESPACE, self.digest(self.spec.to_version(), created))
        self.refs = inventory.refs_by_purl()
        return build_bom(inventory, totals, self.context.tool, created, serial)

    def finish(self, totals: RunTotals) -> None:
        text = make_outputter(self.bom(totals), OutputFormat.JSON, self.spec).output_as_string(indent=2)
        self.out.write(text + "\n")


class CycloneDx17Reporter(CycloneDxReporter):
    name = "cyclonedx-1.7"
    spec = SchemaVersion.V1_7
