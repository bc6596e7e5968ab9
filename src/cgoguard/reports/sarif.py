"""SARIF 2.1.0: one rule per check (help text from the catalogue), one
result per finding, located at the file (archive members as a logical
location inside the archive)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import IO, Any

from cgoguard.checks import Check
from cgoguard.model import Artifact, Finding, Item, Severity
from cgoguard.reports import ReportContext, Reporter, RunTotals

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
# GitHub code scanning reads "security-severity" (0-10) to rank alerts.
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
    Severity.INFO: "0.0",
}


def rule_for(check: Check[Any]) -> dict[str, Any]:
    help_text = f"{check.rationale}\n\nApplies to: {check.applies_to}\n\nFix:\n{check.fix}"
    if check.references:
        help_text += "\n\nReferences:\n" + "\n".join(f"- {r}" for r in check.references)
    rule: dict[str, Any] = {
        "id": check.id,
        "name": check.name,
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": check.rationale.split("\n\n")[0].replace("\n", " ")},
        "help": {"text": help_text},
        "defaultConfiguration": {"level": _LEVEL[check.severity]},
        "properties": {
            "tags": ["security", check.target, "hardening" if check.id.startswith("CG1") else "go"],
            "security-severity": _SECURITY_SEVERITY[check.severity],
            "precision": "high",
        },
    }
    if check.references:
        rule["helpUri"] = check.references[0]
    return rule


def advisory_rule(finding: Finding) -> dict[str, Any]:
    """A rule per advisory, so code scanning shows each vulnerability once and
    links its page; the cgoguard check that found it (CG230/CG231) is a tag."""
    match = finding.vulnerability
    assert match is not None
    advisory = match.advisory
    rule: dict[str, Any] = {
        "id": advisory.id,
        "name": f"{finding.check_id}/{advisory.id}",
        "shortDescription": {"text": advisory.summary or advisory.id},
        "fullDescription": {
            "text": f"{advisory.id} ({', '.join(advisory.aliases) or 'no aliases'}): {advisory.summary}"
        },
        "help": {"text": f"{finding.title}.\n\n{finding.fix}"},
        "defaultConfiguration": {"level": _LEVEL[finding.severity]},
        "properties": {
            "tags": ["security", "vulnerability", finding.check_id, *advisory.aliases],
            # The Go database has no CVSS: this is cgoguard's grade by evidence (see CG230).
            "security-severity": _SECURITY_SEVERITY[finding.severity],
            "precision": "high" if match.precision == "symbol" else "medium",
        },
    }
    if advisory.url:
        rule["helpUri"] = advisory.url
    return rule


def _uri(path: str, base: Path) -> tuple[str, str | None]:
    # Relative display paths are relative to the base (the current folder for the CLI).
    absolute = Path(os.path.normpath(os.path.join(base, path)))
    try:
        return absolute.relative_to(base).as_posix(), "SRCROOT"
    except ValueError:
        return absolute.as_uri(), None


def _result(
    path: str,
    sha256: str | None,
    finding: Finding,
    rule_index: dict[str, int],
    base: Path,
    archive: str | None,
) -> dict[str, Any]:
    file_path = archive if archive is not None else path
    if finding.location is not None:
        file_path = finding.location.path
    uri, base_id = _uri(file_path, base)
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
    if base_id:
        physical["artifactLocation"]["uriBaseId"] = base_id
    if finding.location is not None:
        region: dict[str, int] = {"startLine": finding.location.line, "startColumn": finding.location.column}
        if finding.location.end_line is not None:
            region["endLine"] = finding.location.end_line
        if finding.location.end_column is not None:
            region["endColumn"] = finding.location.end_column
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if archive is not None:
        member = path.split("!", 1)[1]
        location["logicalLocations"] = [{"name": member, "fullyQualifiedName": path, "kind": "module"}]
    # Source findings: one rule can fire on several lines of one file, so the
    # place is part of the identity.
    where = "|".join(finding.artifacts) if finding.artifacts else path
    if finding.location is not None:
        where = f"{finding.location.path}:{finding.location.line}:{finding.location.column}"
    rule_id = finding.vulnerability.advisory.id if finding.vulnerability is not None else finding.check_id
    identity = f"{finding.check_id}|{rule_id}" if finding.vulnerability is not None else finding.check_id
    fingerprint = hashlib.sha256(f"{identity}|{where}".encode()).hexdigest()
    result: dict[str, Any] = {
        "ruleId": rule_id,
        "ruleIndex": rule_index[rule_id],
        "level": _LEVEL[finding.severity],
        "message": {"text": f"{path}: {finding.message} Fix: {finding.fix.splitlines()[0]}"},
        "locations": [location],
        "partialFingerprints": {"cgoguardFinding/v1": fingerprint},
        "properties": {"severity": str(finding.severity), "sha256": sha256},
    }
    if len(finding.artifacts) > 1:
        related = []
        for index, other in enumerate(finding.artifacts[1:], start=1):
            uri, base_id = _uri(other.split("!", 1)[0], base)
            artifact_location: dict[str, Any] = {"uri": uri}
            if base_id:
                artifact_location["uriBaseId"] = base_id
            related.append({"id": index, "physicalLocation": {"artifactLocation": artifact_location}})
        result["relatedLocations"] = related
    return result


class SarifReporter(Reporter):
    """One SARIF 2.1.0 run: a rule per enabled check, a result per finding."""

    name = "sarif"

    def __init__(self, out: IO[str], context: ReportContext, base: Path | None = None) -> None:
        super().__init__(out, context)
        self.base = (base or Path.cwd()).resolve()
        self.rule_index = {check.id: i for i, check in enumerate(context.checks)}
        self.results: list[dict[str, Any]] = []
        self.notifications: list[dict[str, Any]] = []
        self.advisory_rules: list[dict[str, Any]] = []  # after the checks' rules, in order of first finding

    def add(self, item: Item) -> None:
        if item.artifact is None:
            raise TypeError("the SARIF reporter needs artifacts, not pre-rendered text")
        self._collect(item.artifact, None)

    def _collect(self, artifact: Artifact, archive: str | None) -> None:
        if artifact.error:
            self.notifications.append(
                {"level": "error", "message": {"text": f"{artifact.path}: {artifact.error}"}}
            )
        for finding in artifact.findings:
            if finding.vulnerability is not None and finding.check_id in self.rule_index:
                advisory = finding.vulnerability.advisory.id
                if advisory not in self.rule_index:
                    self.rule_index[advisory] = len(self.context.checks) + len(self.advisory_rules)
                    self.advisory_rules.append(advisory_rule(finding))
            if finding.check_id in self.rule_index:
                self.results.append(
                    _result(artifact.path, artifact.sha256, finding, self.rule_index, self.base, archive)
                )
        for member in artifact.members:
            self._collect(member, archive or artifact.path)  # the file on disk, however deep it nests

    def finish(self, totals: RunTotals) -> None:
        for finding in totals.set_findings:
            if finding.check_id in self.rule_index and finding.artifacts:
                self.results.append(
                    _result(finding.artifacts[0], None, finding, self.rule_index, self.base, None)
                )
        for path in totals.tally.missing:
            self.notifications.append({"level": "error", "message": {"text": f"{path} does not exist."}})
        tool = self.context.tool
        summary = totals.summary
        run: dict[str, Any] = {
            "tool": {
                "driver": {
                    "name": tool["name"],
                    "version": tool["version"],
                    "semanticVersion": tool["version"],
                    "informationUri": "https://pypi.org/project/cgoguard/",
                    "rules": [rule_for(c) for c in self.context.checks] + self.advisory_rules,
                }
            },
            "originalUriBaseIds": {"SRCROOT": {"uri": self.base.as_uri() + "/"}},
            "invocations": [
                {
                    # False when an input was missing or unreadable: the results are not the whole truth.
                    "executionSuccessful": totals.tally.complete,
                    "toolExecutionNotifications": self.notifications,
                    "properties": {"summary": {k: getattr(summary, k) for k in summary.__slots__}},
                }
            ],
            "results": self.results,
        }
        if totals.baseline is not None:
            # Unchanged findings were filtered out before the reporter: what is left is new. Fixed ones
            # are not written as "absent" results: a consumer that ignores baselineState (GitHub
            # code scanning documents no support for it) would open an alert for each.
            for result in self.results:
                result["baselineState"] = "new"
            run["properties"] = {"baseline": totals.baseline.to_dict()}
        json.dump({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, self.out, indent=2)
        self.out.write("\n")
