"""OpenVEX 0.2.0: what the known-vulnerability checks decided, as VEX statements.

One statement per advisory and Go artifact: ``affected`` for CG230 (with the
fix as the action statement), ``not_affected`` with the justification
``vulnerable_code_not_present`` for CG231 (the version is in range, the code
is not linked, or is built only for other systems). The product is the
artifact file, named by its SHA-256; the subcomponent is the module (purl
``pkg:golang/...``; the standard library is ``pkg:golang/stdlib@vX.Y.Z``, the
name and v-prefixed version govulncheck's OpenVEX output uses).

Written here: the format is a small JSON document (https://github.com/openvex/spec)
and the only Python implementation on PyPI is an unmaintained early draft.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
from typing import Any
from urllib.parse import quote

from cgoguard.model import Artifact, Finding, Item, VulnerabilityMatch
from cgoguard.reports import Reporter, RunTotals
from cgoguard.reports.sbom import creation_time

CONTEXT = "https://openvex.dev/ns/v0.2.0"


def module_purl(module: str, version: str) -> str:
    """``pkg:golang/<module>@<version>``; the standard library as ``stdlib`` with a v-prefixed version."""
    if version and not version.startswith("v"):
        version = f"v{version}"
    namespace = "/".join(quote(part, safe="") for part in module.split("/"))
    return f"pkg:golang/{namespace}@{quote(version, safe='+')}" if version else f"pkg:golang/{namespace}"


def _product(artifact: Artifact, match: VulnerabilityMatch) -> dict[str, Any]:
    name = posixpath.basename(artifact.path.replace("!", "/"))
    product: dict[str, Any] = {"@id": f"urn:cgoguard:artifact:{artifact.path}"}
    if artifact.sha256:
        product["@id"] = f"pkg:generic/{quote(name, safe='')}?checksum=sha256:{artifact.sha256}"
        product["hashes"] = {"sha-256": artifact.sha256}
    product["subcomponents"] = [{"@id": module_purl(match.module, match.version)}]
    return product


def statement(artifact: Artifact, finding: Finding) -> dict[str, Any]:
    match = finding.vulnerability
    assert match is not None
    advisory = match.advisory
    vulnerability: dict[str, Any] = {"name": advisory.id}
    if advisory.url:
        vulnerability["@id"] = advisory.url
    if advisory.aliases:
        vulnerability["aliases"] = list(advisory.aliases)
    entry: dict[str, Any] = {
        "vulnerability": vulnerability,
        "products": [_product(artifact, match)],
        "status": "affected" if match.affected else "not_affected",
    }
    if match.affected:
        entry["action_statement"] = match.remedy[:1].upper() + match.remedy[1:] + "."
        entry["status_notes"] = f"precision: {match.precision}; {match.reason}"
    else:
        entry["justification"] = "vulnerable_code_not_present"
        entry["impact_statement"] = match.reason[:1].upper() + match.reason[1:] + "."
    return entry


class OpenVexReporter(Reporter):
    """One OpenVEX document for the whole run (needs a vulnerability database: --vulndb)."""

    name = "openvex"

    def __init__(self, out: Any, context: Any) -> None:
        super().__init__(out, context)
        self.statements: list[dict[str, Any]] = []

    def add(self, item: Item) -> None:
        if item.artifact is None:
            raise TypeError("the OpenVEX reporter needs artifacts, not pre-rendered text")
        self._collect(item.artifact)

    def _collect(self, artifact: Artifact) -> None:
        for finding in artifact.findings:
            if finding.vulnerability is not None:
                self.statements.append(statement(artifact, finding))
        for member in artifact.members:
            self._collect(member)

    def finish(self, totals: RunTotals) -> None:
        tool = self.context.tool
        body = json.dumps(self.statements, sort_keys=True).encode()
        document = {
            "@context": CONTEXT,
            "@id": f"urn:cgoguard:vex:{hashlib.sha256(body).hexdigest()}",
            "author": f"{tool['name']} {tool['version']}",
            "role": "automated scanner",
            "timestamp": creation_time().strftime("%Y-%m-%dT%H:%M:%SZ"),
            "version": 1,
            "tooling": f"{tool['name']} {tool['version']}; database: {totals.summary.vulndb or 'none given'}",
            "statements": self.statements,
        }
        json.dump(document, self.out, indent=2)
        self.out.write("\n")
