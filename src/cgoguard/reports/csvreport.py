"""CSV: the evidence matrix, for spreadsheets and GRC imports.

``scan``/``lint``: one row per image × check that judged it (outcome, and the
reason or the findings' messages), then one row per finding across artifacts.
``comply``: one row per control × check of its edges, with the counts over the
subjects in scope. ``comply --matrix``: one row per control × build mode ×
profile. Cells that start with = + - @ are prefixed with ' so a spreadsheet
never runs a formula from a scanned file's strings.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from typing import IO

from cgoguard.evidence import FrameworkEvidence, MatrixRow
from cgoguard.model import Artifact, Item, Outcome, check_outcomes
from cgoguard.reports import ReportContext, Reporter, RunTotals
from cgoguard.reports.labels import label

ARTIFACT_COLUMNS = ("artifact", "sha256", "build_mode", "check", "outcome", "severity", "detail")
EVIDENCE_COLUMNS = (
    "framework",
    "control",
    "test_unit",
    "control_point",
    "result",
    "grade",
    "relationship",
    "edge_status",
    "check",
    *(o.value for o in Outcome),
    "not_evaluated_because",
)


def safe_cell(value: object) -> str:
    """A cell a spreadsheet shows as text (OWASP CSV injection: a leading = + - @ TAB CR)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Writer:
    def __init__(self, out: IO[str]) -> None:
        self.writer = csv.writer(out, lineterminator="\n")

    def row(self, values: Sequence[object]) -> None:
        self.writer.writerow([safe_cell(v) for v in values])


def _images(artifact: Artifact) -> Iterator[Artifact]:
    yield artifact
    for member in artifact.members:
        yield from _images(member)


class CsvReporter(Reporter):
    name = "csv"

    def __init__(self, out: IO[str], context: ReportContext) -> None:
        super().__init__(out, context)
        self.writer = _Writer(out)
        self.evidence_only = context.command == "comply"
        if not self.evidence_only:
            self.writer.row(ARTIFACT_COLUMNS)

    def add(self, item: Item) -> None:
        if self.evidence_only or item.artifact is None:
            return
        for image in _images(item.artifact):
            self._image_rows(image)

    def _image_rows(self, image: Artifact) -> None:
        from cgoguard.model import build_mode_of

        if image.error is not None:
            self.writer.row((image.path, image.sha256, "", "", "error", "", image.error))
            return
        mode = build_mode_of(image.hardening, image.go is not None) if image.elf is not None else ""
        severities = {f.check_id: f.severity for f in image.findings}
        for check_id, (outcome, detail) in sorted(check_outcomes(image).items()):
            severity = severities.get(check_id)
            self.writer.row((image.path, image.sha256, mode, check_id, outcome.value, severity or "", detail))
        judged = set(image.applied) | set(image.not_applicable)
        for finding in image.findings:  # findings of checks that record no outcome (lint)
            if finding.check_id not in judged:
                where = f" ({finding.location.path}:{finding.location.line})" if finding.location else ""
                self.writer.row(
                    (
                        image.path,
                        image.sha256,
                        mode,
                        finding.check_id,
                        "failed",
                        finding.severity,
                        finding.message + where,
                    )
                )

    def finish(self, totals: RunTotals) -> None:
        if totals.evidence is not None:
            write_evidence_csv(self.out, totals.evidence, self.context.lang)
            return
        for finding in totals.set_findings:
            self.writer.row(
                (
                    ", ".join(finding.artifacts),
                    "",
                    "",
                    finding.check_id,
                    "failed",
                    finding.severity,
                    finding.message,
                )
            )


def write_evidence_csv(out: IO[str], found: Sequence[FrameworkEvidence], lang: str = "en") -> None:
    writer = _Writer(out)
    writer.row(EVIDENCE_COLUMNS)
    for framework in found:
        for control in framework.controls:
            head = (
                framework.framework.id,
                control.control.id,
                control.control.test_unit,
                control.control.control_point,
                label(control.result, lang),
                label(control.grade, lang),
            )
            if not control.edges:
                writer.row((*head, "", "", "", *("" for _ in Outcome), control.control.why_not))
            for edge in control.edges:
                for check in edge.checks:
                    writer.row(
                        (
                            *head,
                            label(edge.edge.relationship, lang),
                            label(edge.status, lang),
                            check.check_id,
                            *(check.counts[o] for o in Outcome),
                            check.not_evaluated_in(lang),
                        )
                    )


def write_matrix_csv(out: IO[str], rows: list[MatrixRow], modes: Sequence[str]) -> None:
    writer = _Writer(out)
    writer.row(
        ("framework", "control", "control_point", "relationship", "profile", "mode", "verified", "scanned")
    )
    for row in rows:
        for profile, cells in row.cells.items():
            for mode in modes:
                cell = cells[mode]
                writer.row(
                    (
                        row.framework,
                        row.control.id,
                        row.control.control_point,
                        row.relationship,
                        profile,
                        mode,
                        " ".join(cell.verified),
                        " ".join(cell.scanned),
                    )
                )
