"""JUnit XML: each check as a test case, so a CI server shows the results as tests.

One ``<testsuite>`` per image (archive and container members are suites of
their own, named ``outer!member``), one ``<testcase>`` per check that judged
it (classname: the check ID, name: its title): failed checks carry a
``<failure>``, checks that do not apply are ``<skipped>``, info-level
statements pass and are quoted in the suite's ``<system-out>``. An input that
could not be read is a test case with an ``<error>``. Lint files get a test
case per finding and a passing one per rule run on them; findings across
artifacts are one more suite; ``comply`` adds a suite per framework with a
test case per control. The layout follows the Ant JUnit schema (every suite
has properties, system-out and system-err; test cases hold at most one
result), which CI servers read. Strings from scanned files are escaped and
stripped of the characters XML 1.0 cannot carry.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO

from cgoguard.checks import CheckTarget, find_check
from cgoguard.evidence import FrameworkEvidence
from cgoguard.model import Artifact, Finding, Item, Outcome, build_mode_of, check_outcomes
from cgoguard.reports import ReportContext, Reporter, RunTotals
from cgoguard.reports.labels import label
from cgoguard.reports.sbom import creation_time

# Everything XML 1.0 allows is #x9 #xA #xD #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ATTRIBUTE = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\t": "&#9;", "\n": "&#10;"}
)
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def xml_safe(text: object) -> str:
    """The text without the characters XML 1.0 cannot carry (control bytes, lone surrogates)."""
    return _NOT_XML.sub("", str(text))


def attr(text: object) -> str:
    """A quoted attribute value; CR is dropped (a parser would turn it into a space)."""
    return '"' + xml_safe(text).replace("\r", "").translate(_ATTRIBUTE) + '"'


def body(text: object) -> str:
    return xml_safe(text).replace("\r\n", "\n").replace("\r", "\n").translate(_TEXT)


@dataclass(slots=True)
class Case:
    classname: str
    name: str
    result: str = "passed"  # passed | failure | error | skipped
    message: str = ""
    kind: str = ""  # the type attribute of <failure>/<error>
    detail: str = ""


@dataclass(slots=True)
class Suite:
    name: str
    cases: list[Case] = field(default_factory=list)
    properties: list[tuple[str, str]] = field(default_factory=list)
    out: list[str] = field(default_factory=list)  # lines of <system-out>

    def count(self, result: str) -> int:
        return sum(1 for case in self.cases if case.result == result)


def render_suite(suite: Suite, number: int, timestamp: str) -> str:
    lines = [
        f"  <testsuite name={attr(suite.name or '(unnamed)')} package={attr('cgoguard')} id={attr(number)}"
        f" timestamp={attr(timestamp)} hostname={attr('localhost')} tests={attr(len(suite.cases))}"
        f" failures={attr(suite.count('failure'))} errors={attr(suite.count('error'))}"
        f" skipped={attr(suite.count('skipped'))} time={attr('0')}>",
        "    <properties>",
        *(f"      <property name={attr(n)} value={attr(v)}/>" for n, v in suite.properties),
        "    </properties>",
    ]
    for case in suite.cases:
        name = case.name or case.classname
        head = f"    <testcase classname={attr(case.classname)} name={attr(name)} time={attr('0')}"
        if case.result == "passed":
            lines.append(head + "/>")
        elif case.result == "skipped":
            lines += [head + ">", f"      <skipped message={attr(case.message)}/>", "    </testcase>"]
        else:
            lines += [
                head + ">",
                f"      <{case.result} message={attr(case.message)} type={attr(case.kind)}>"
                f"{body(case.detail)}</{case.result}>",
                "    </testcase>",
            ]
    lines.append(f"    <system-out>{body(''.join(line + chr(10) for line in suite.out))}</system-out>")
    lines.append("    <system-err/>")
    lines.append("  </testsuite>")
    return "\n".join(lines) + "\n"


def _title(check_id: str) -> str:
    check = find_check(check_id)
    return check.title if check is not None else check_id


def _failure(check_id: str, findings: Sequence[Finding]) -> Case:
    worst = max(findings, key=lambda f: f.severity)
    detail = "\n".join(_finding_text(f) for f in findings)
    message = " ".join(f.message for f in findings)
    return Case(check_id, _title(check_id), "failure", message, str(worst.severity), detail)


def _finding_text(finding: Finding) -> str:
    where = f"{finding.location.path}:{finding.location.line}: " if finding.location is not None else ""
    involved = f" [{', '.join(finding.artifacts)}]" if finding.artifacts else ""
    fix = f"\n  fix: {finding.fix}" if finding.fix else ""
    return f"{where}{finding.message}{involved}{fix}"


def _source_target(artifact: Artifact, judged: set[str]) -> CheckTarget | None:
    """For a linted file (lint takes .go files and headers), the rules every lint of it
    runs; header-against-library rules run only with --against, so they are not listed."""
    if artifact.elf is not None or judged or artifact.is_archive or artifact.container or artifact.members:
        return None
    return CheckTarget.GO_SOURCE if artifact.path.endswith(".go") else CheckTarget.C_HEADER


def artifact_suites(artifact: Artifact, context: ReportContext) -> Iterator[Suite]:
    """The suites of one input: itself (unless it is only a container) and its members."""
    judged = set(artifact.applied) | set(artifact.not_applicable)
    container = artifact.is_archive or artifact.container is not None or bool(artifact.members)
    if artifact.elf is not None or artifact.error is not None or artifact.findings or judged or not container:
        yield _suite(artifact, judged, context)
    for member in artifact.members:
        yield from artifact_suites(member, context)


def _suite(artifact: Artifact, judged: set[str], context: ReportContext) -> Suite:
    suite = Suite(artifact.path)
    if artifact.sha256:
        suite.properties.append(("sha256", artifact.sha256))
    if artifact.elf is not None:
        suite.properties.append(("build-mode", build_mode_of(artifact.hardening, artifact.go is not None)))
    if artifact.error is not None:
        suite.cases.append(
            Case("cgoguard", "read input", "error", artifact.error, "unreadable", artifact.error)
        )
    by_check: dict[str, list[Finding]] = {}
    for finding in artifact.findings:
        by_check.setdefault(finding.check_id, []).append(finding)
    for check_id, (outcome, detail) in sorted(check_outcomes(artifact).items()):
        if outcome == Outcome.FAILED:
            suite.cases.append(_failure(check_id, by_check[check_id]))
        elif outcome == Outcome.NOT_APPLICABLE:
            suite.cases.append(Case(check_id, _title(check_id), "skipped", f"not applicable: {detail}"))
        else:
            suite.cases.append(Case(check_id, _title(check_id)))
            if outcome == Outcome.REPORTED:
                suite.out.append(f"{check_id}: {detail}")
    # Findings of checks that record no outcome (source rules): a test case each.
    loose = [f for f in artifact.findings if f.check_id not in judged]
    for finding in loose:
        case = _failure(finding.check_id, [finding])
        if finding.location is not None:
            case.name += f" (line {finding.location.line})"
        suite.cases.append(case)
    target = _source_target(artifact, judged)
    if target is not None and artifact.error is None:
        fired = {f.check_id for f in loose}
        suite.cases += [
            Case(c.id, c.title) for c in context.checks if c.target == target and c.id not in fired
        ]
    return suite


def set_suite(findings: Sequence[Finding]) -> Suite:
    suite = Suite("across artifacts")
    suite.cases = [_failure(f.check_id, [f]) for f in findings]
    return suite


def framework_suites(found: Sequence[FrameworkEvidence], lang: str) -> Iterator[Suite]:
    for framework in found:
        suite = Suite(
            f"{framework.framework.id}: {framework.framework.title_en or framework.framework.title}"
        )
        suite.properties = [("edition", framework.framework.edition), ("source", framework.framework.source)]
        for control in framework.controls:
            name = f"{control.control.id} {control.control.control_point}".strip()
            case = Case(framework.framework.id, name)
            if control.result == "gaps":
                failures = [
                    f"{c.check_id} on {f.subject}: {f.message}"
                    for e in control.edges
                    for c in e.checks
                    for f in c.failures
                ]
                case.result, case.kind, case.detail = "failure", "gaps", "\n".join(failures)
                case.message = f"{label('gaps', lang)}: {len(failures)} failed check result(s)"
            elif control.result == "not-addressable":
                case.result = "skipped"
                case.message = f"{label('not-addressable', lang)}: {control.control.why_not}"
            elif control.result == "not-evaluated":
                case.result = "skipped"
                case.message = f"{label('not-evaluated', lang)}: {'; '.join(control.missing_in(lang))}"
            else:
                suite.out.append(
                    f"{control.control.id}: {label(control.result, lang)}, {label(control.grade, lang)}"
                )
            suite.cases.append(case)
        yield suite


class JunitReporter(Reporter):
    name = "junit"

    def __init__(self, out: IO[str], context: ReportContext) -> None:
        super().__init__(out, context)
        self.timestamp = creation_time().strftime("%Y-%m-%dT%H:%M:%S")
        self.number = 0
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>\n')

    def _write(self, suite: Suite) -> None:
        self.out.write(render_suite(suite, self.number, self.timestamp))
        self.number += 1

    def add(self, item: Item) -> None:
        if item.artifact is None:
            return
        for suite in artifact_suites(item.artifact, self.context):
            self._write(suite)

    def finish(self, totals: RunTotals) -> None:
        if totals.set_findings:
            self._write(set_suite(totals.set_findings))
        for suite in framework_suites(totals.evidence or [], self.context.lang):
            self._write(suite)
        self.out.write("</testsuites>\n")
