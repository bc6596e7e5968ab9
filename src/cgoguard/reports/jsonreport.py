"""JSON report: one object per artifact, streamed so memory stays flat.

The keys documented in the README are a contract other tools rely on; add
keys, never rename or remove them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict
from typing import IO, Any

from cgoguard.model import Artifact, Finding, GoFacts, GoModule, Item, Outcome, ScanSummary, check_outcomes
from cgoguard.reports import ReportContext, Reporter, RunTotals


def _module(module: GoModule | None) -> dict[str, Any] | None:
    if module is None:
        return None
    return {
        "path": module.path,
        "version": module.version,
        "sum": module.sum,
        "replace": _module(module.replace),
    }


def go_to_dict(go: GoFacts | None, build_mode: str | None) -> dict[str, Any] | None:
    if go is None:
        return None
    info = go.buildinfo
    return {
        "version": info.version if info else None,
        "raw_version": info.raw_version if info else None,
        "experiments": info.experiments if info else [],
        "path": info.path if info else None,
        "main": _module(info.main) if info else None,
        "deps": [_module(d) for d in info.deps] if info else [],
        "settings": dict(info.settings) if info else {},
        "build_mode": build_mode,
        "pointer_format": info.pointer_format if info else None,
        "markers": go.markers,
        "buildinfo_error": go.buildinfo_error,
        "cgo": {
            "has_user_c": go.cgo.has_user_c,
            "cgo_packages": go.cgo.cgo_packages,
            "c_calls": go.cgo.c_calls,
            "stdlib_cgo_packages": go.cgo.stdlib_cgo_packages,
        },
        "crypto_packages": go.crypto_packages,
        "fips": asdict(go.fips) if go.fips is not None else None,
    }


def finding_to_dict(finding: Finding) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": finding.check_id,
        "severity": str(finding.severity),
        "title": finding.title,
        "message": finding.message,
        "fix": finding.fix,
        "location": None,
    }
    if finding.location is not None:
        data["location"] = asdict(finding.location)
    if finding.artifacts:
        data["artifacts"] = list(finding.artifacts)
    match = finding.vulnerability
    if match is not None:
        data["vulnerability"] = {
            "id": match.advisory.id,
            "aliases": list(match.advisory.aliases),
            "summary": match.advisory.summary,
            "url": match.advisory.url,
            "module": match.module,
            "version": match.version,
            "replaced_by": match.replaced_by,
            "affected": match.affected,
            "precision": match.precision,
            "reason": match.reason,
            "symbols": list(match.symbols),
            "affected_versions": match.affected_versions,
            "fixed": match.fixed,
            "remedy": match.remedy,
        }
    return data


def checks_to_dict(artifact: Artifact) -> dict[str, Any]:
    """Which checks judged this image: passed, failed, reported (info), and not applicable with why."""
    listed: dict[str, list[str]] = {"passed": [], "failed": [], "reported": []}
    not_applicable: dict[str, str] = {}
    for check_id, (outcome, why) in sorted(check_outcomes(artifact).items()):
        if outcome == Outcome.NOT_APPLICABLE:
            not_applicable[check_id] = why
        else:
            listed[outcome.value].append(check_id)
    return {**listed, "not_applicable": not_applicable}


def artifact_to_dict(artifact: Artifact) -> dict[str, Any]:
    elf = artifact.elf
    h = artifact.hardening
    data: dict[str, Any] = {
        "path": artifact.path,
        "size": artifact.size,
        "sha256": artifact.sha256,
        "error": artifact.error,
        "archive": artifact.is_archive,
        "container": artifact.container,
        "layer": artifact.layer,
        "deleted": artifact.deleted,
        "elf": None,
        "hardening": None,
        "go": go_to_dict(artifact.go, h.go_build_mode if h else None),
        "exports": elf.exports if elf else [],
        "imports": elf.imports if elf else [],
        "go_exports": artifact.go.cgo.go_exports if artifact.go else [],
        "runtime_exports": artifact.go.cgo.runtime_exports if artifact.go else [],
        "members": [artifact_to_dict(m) for m in artifact.members],
        "findings": [finding_to_dict(f) for f in artifact.findings],
        "checks": checks_to_dict(artifact),
    }
    if elf is not None:
        dyn = elf.dynamic
        data["elf"] = {
            "type": elf.e_type,
            "kind": h.kind if h else None,
            "class": elf.elf_class,
            "endian": "little" if elf.little_endian else "big",
            "machine": elf.machine,
            "interpreter": elf.interpreter,
            "needed": dyn.needed if dyn else [],
            "soname": dyn.soname if dyn else None,
            "flags": dyn.flags if dyn else 0,
            "flags_1": dyn.flags_1 if dyn else 0,
            "init_array_size": dyn.init_array_size if dyn else None,
            "comment": elf.comment,
            "go_build_id": elf.go_build_id,
            "sections": len(elf.section_names),
            "bridge_contract": asdict(elf.bridge_contract) if elf.bridge_contract else None,
        }
    if artifact.probe is not None:  # only `cgoguard probe` sets it: other reports keep their shape
        data["measured"] = asdict(artifact.probe)
    if h is not None:
        data["hardening"] = {
            "pie": h.pie,
            "relro": h.relro,
            "bind_now": h.bind_now,
            "nx": h.nx,
            "nx_detail": h.nx_detail,
            "canary": h.canary,
            "canary_detail": h.canary_detail,
            "fortify": h.fortify,
            "fortify_detail": h.fortify_detail,
            "fortified": h.fortified,
            "fortifiable": h.fortifiable,
            "rpath": h.rpath,
            "runpath": h.runpath,
            "textrel": h.textrel,
            "rwx_segments": len(h.rwx_segments),
            "stripped": h.stripped,
            "debug_info": h.has_debug_info,
            "build_id": h.build_id,
            "ibt": h.ibt,
            "shstk": h.shstk,
            "static": h.static,
            "system": h.system,
            "language": h.language,
            "c_code": h.c_code,
        }
    return data


def summary_to_dict(summary: ScanSummary) -> dict[str, Any]:
    return asdict(summary)


def run_summary(totals: RunTotals) -> dict[str, Any]:
    """The ``summary`` of a JSON (or JSON Lines) report: what was scanned, whether it was
    complete, what is missing or unread, and the baseline's outcome."""
    tally = totals.tally
    summary = summary_to_dict(totals.summary)
    summary.update(
        complete=tally.complete,
        missing=list(tally.missing),
        unread=[{"path": path, "error": error} for path, error in tally.unread],
    )
    if totals.baseline is not None:
        summary["baseline"] = totals.baseline.to_dict()
    return summary


# The report is a tree of fresh dicts: no cycles to look for.
_ENCODER = json.JSONEncoder(check_circular=False)


class ArtifactJson:
    """One artifact as a JSON text (runs in the scan workers). Its paths appear in
    the text only as JSON string bodies (``path_text``), so a text rendered for one
    path can be moved to another (:class:`cgoguard.model.MovableRender`)."""

    def __call__(self, artifact: Artifact) -> str:
        return _ENCODER.encode(artifact_to_dict(artifact))

    @staticmethod
    def path_text(path: str) -> str:
        return _ENCODER.encode(path)[1:-1]


artifact_json = ArtifactJson()


class JsonReporter(Reporter):
    """``{"tool":…, "artifacts":[…], "set_findings":[…], "summary":…}``, streamed:
    each artifact is rendered where it was scanned and written as it arrives;
    the summary comes last because it is complete only then."""

    name = "json"

    def __init__(self, out: IO[str], context: ReportContext) -> None:
        super().__init__(out, context)
        self.count = 0

    def prerender(self) -> Callable[[Artifact], str]:
        return artifact_json

    def add(self, item: Item) -> None:
        if self.count == 0:
            self.out.write('{"tool": ' + json.dumps(self.context.tool) + ', "artifacts": [')
        text = item.text if item.text is not None else artifact_json(item.artifact)  # type: ignore[arg-type]
        self.out.write(("\n" if self.count == 0 else ",\n") + text)
        self.count += 1

    def finish(self, totals: RunTotals) -> None:
        if self.count == 0:
            self.out.write('{"tool": ' + json.dumps(self.context.tool) + ', "artifacts": [')
        summary = run_summary(totals)
        tail: dict[str, Any] = {
            "set_findings": [finding_to_dict(f) for f in totals.set_findings],
            "summary": summary,
            "fail_on": str(self.context.fail_on),
        }
        if totals.evidence is not None:
            from cgoguard.evidence import evidence_to_dict

            tail["evidence"] = evidence_to_dict(totals.evidence)
        self.out.write("\n], " + json.dumps(tail)[1:] + "\n")
