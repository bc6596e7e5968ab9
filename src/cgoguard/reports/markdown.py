"""Markdown: a report to paste into a pull request, a wiki or an assessment file.

A hardening table (one row per image; "n/a" where a property does not apply
to the image, with the reason kept in the findings section), the findings,
the findings across artifacts, and for ``comply`` the evidence per control.
Every string from a scanned file is escaped so it cannot open a link, an
image or an HTML tag in the rendered page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from typing import IO

from cgoguard.evidence import FrameworkEvidence
from cgoguard.model import Artifact, Finding, Item, Outcome, build_mode_of, check_outcomes
from cgoguard.reports import ReportContext, Reporter, RunTotals
from cgoguard.reports.labels import label

_SPECIAL = re.compile(r"([\\`*_{}\[\]()<>#+!|~])")
# column, the check whose outcome it shows
COLUMNS = (
    ("PIE", "CG101"),
    ("RELRO", "CG102"),
    ("BIND_NOW", "CG103"),
    ("NX", "CG104"),
    ("canary", "CG108"),
    ("FORTIFY", "CG109"),
    ("CET", "CG110"),
    ("FIPS", "CG301"),
)
_SHOWN = {
    Outcome.PASSED: "yes",
    Outcome.FAILED: "**no**",
    Outcome.REPORTED: "see note",
    Outcome.NOT_APPLICABLE: "n/a",
    Outcome.NOT_EVALUATED: "–",
}


def md(text: object) -> str:
    """Escape Markdown and HTML in a table cell or line."""
    return _SPECIAL.sub(r"\\\1", str(text)).replace("\n", " ").replace("\r", " ")


def _images(artifact: Artifact) -> Iterator[Artifact]:
    if artifact.elf is not None:
        yield artifact
    for member in artifact.members:
        yield from _images(member)


def _fips(image: Artifact) -> str:
    status = image.go.fips if image.go is not None else None
    if status is None or (status.provider == "none" and not status.crypto_linked):
        return "n/a"
    if status.provider == "go-native":
        return md(f"Go module {status.module or 'in-tree'}, {status.default_mode}")
    return md(status.provider)


def _row(image: Artifact) -> str:
    outcomes = check_outcomes(image)
    cells = []
    for column, check_id in COLUMNS:
        if column == "FIPS":
            cells.append(_fips(image))
            continue
        outcome = outcomes.get(check_id, (Outcome.NOT_EVALUATED, ""))[0]
        if column == "RELRO" and outcome == Outcome.PASSED and image.hardening is not None:
            cells.append(md(image.hardening.relro))
            continue
        cells.append(_SHOWN[outcome])
    vulns = sum(1 for f in image.findings if f.check_id == "CG230")
    mode = build_mode_of(image.hardening, image.go is not None)
    return f"| {md(image.path)} | {md(mode)} | " + " | ".join(cells) + f" | {vulns} |"


class MarkdownReporter(Reporter):
    name = "markdown"

    def __init__(self, out: IO[str], context: ReportContext) -> None:
        super().__init__(out, context)
        self.rows: list[str] = []
        self.findings: list[tuple[str, Finding]] = []
        self.errors: list[tuple[str, str]] = []

    def add(self, item: Item) -> None:
        artifact = item.artifact
        if artifact is None:
            return
        stack = [artifact]
        while stack:
            current = stack.pop()
            if current.error is not None:
                self.errors.append((current.path, current.error))
            self.findings += [(current.path, f) for f in current.findings]
            stack.extend(reversed(current.members))
        self.rows += [_row(image) for image in _images(artifact)]

    def finish(self, totals: RunTotals) -> None:
        lang = self.context.lang
        write = self.out.write
        tool = self.context.tool
        write(f"# cgoguard {md(self.context.command)} ({md(tool.get('version', ''))})\n\n")
        counts = totals.tally.by_severity
        by_severity = ", ".join(f"{counts[s]} {s}" for s in sorted(counts, reverse=True)) or "none"
        summary = totals.summary
        write(f"{summary.artifacts} artifact(s), {summary.members} member(s); findings: {by_severity}.\n")
        not_read = totals.tally.not_read_sentence()
        if not_read:
            write(f"\n**Not checked:** {md(not_read)}.\n")
        if totals.evidence is not None:
            write("\n" + "\n".join(evidence_markdown(totals.evidence, lang)) + "\n")
        if self.rows:
            write("\n## Hardening\n\n")
            write("| artifact | mode | " + " | ".join(c for c, _ in COLUMNS) + " | vulns |\n")
            write("|---|---|" + "---|" * (len(COLUMNS) + 1) + "\n")
            write("\n".join(self.rows) + "\n")
        if self.findings or totals.set_findings:
            write("\n## Findings\n\n| severity | check | artifact | message |\n|---|---|---|---|\n")
            ordered = sorted(self.findings, key=lambda pair: (-pair[1].severity, pair[1].check_id, pair[0]))
            for path, finding in ordered:
                where = f" ({finding.location.line})" if finding.location else ""
                cells = (str(finding.severity), finding.check_id, md(path) + where, md(finding.message))
                write("| " + " | ".join(cells) + " |\n")
            for finding in totals.set_findings:
                write(
                    f"| {finding.severity} | {finding.check_id} | {md(', '.join(finding.artifacts))} | "
                    f"{md(finding.message)} |\n"
                )
        if self.errors:
            write("\n## Not read\n\n" + "".join(f"- {md(p)}: {md(e)}\n" for p, e in self.errors))


def evidence_markdown(found: Sequence[FrameworkEvidence], lang: str = "en") -> Iterator[str]:
    yield f"## {label('title', lang)}"
    yield ""
    yield f"_{label('disclaimer', lang)}_"
    for framework_evidence in found:
        framework = framework_evidence.framework
        yield ""
        yield f"### {md(framework.edition)} {md(framework.display_title(lang))}"
        yield ""
        counts = framework_evidence.counts()
        yield " · ".join(f"{label(k, lang)}: {v}" for k, v in counts.items())
        yield f" ({label('texts', lang)}: {label(framework.text_status, lang)})"
        yield ""
        yield (
            f"| {label('control', lang)} | | {label('result', lang)} | {label('grade', lang)} | "
            f"{label('checks', lang)} | {label('missing', lang)} |"
        )
        yield "|---|---|---|---|---|---|"
        for control in framework_evidence.controls:
            checks = []
            for edge in control.edges:
                for check in edge.checks:
                    failed = check.counts[Outcome.FAILED]
                    passed = check.counts[Outcome.PASSED] + check.counts[Outcome.REPORTED]
                    checks.append(f"{check.check_id} {passed}✓{f' {failed}✗' if failed else ''}")
            name = f"{control.control.id} {control.control.test_unit}".strip()
            yield (
                f"| {md(name)} | {md(control.control.control_point)} | {label(control.result, lang)} | "
                f"{label(control.grade, lang)} | {md(' '.join(dict.fromkeys(checks)))} | "
                f"{md('; '.join(control.missing_in(lang)))} |"
            )
