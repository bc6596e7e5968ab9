"""--format junit and --format oscal on real scans, lint and comply runs: the JUnit XML
against the Ant JUnit schema (tests/data/JUnit.xsd) and read back with junitparser as CI
tools do; the OSCAL assessment results read back through compliance-trestle's models."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable
from pathlib import Path
from xml.etree import ElementTree

import junitparser
import pytest
import xmlschema

from cgoguard.api import scan
from cgoguard.checks import CheckTarget, all_checks
from cgoguard.model import Artifact, Finding, ScanSummary, Severity, SourceLocation
from cgoguard.outcome import Tally, item_of
from cgoguard.reports import ReportContext, RunTotals, create_reporter
from cgoguard.reports.oscal import oscal_control_id
from clirun import run

SCHEMA = xmlschema.XMLSchema(Path(__file__).parent / "data" / "JUnit.xsd")
TOOL = {"name": "cgoguard", "version": "0.0.0-test"}
LINT = Path(__file__).parent / "fixtures" / "lint"


def _render(
    fmt: str, artifacts: list[Artifact], command: str = "scan", set_findings: list[Finding] = ()
) -> str:  # type: ignore[assignment]
    checks = all_checks()
    context = ReportContext(command, TOOL, checks, Severity.HIGH)
    out = io.StringIO()
    reporter = create_reporter(fmt, out, context)
    tally = Tally()
    for artifact in artifacts:
        item = item_of(artifact)
        tally.add_item(item)
        reporter.add(item)
    reporter.finish(RunTotals(ScanSummary(), tally, list(set_findings)))
    return out.getvalue()


def _suites(xml: str) -> list[ElementTree.Element]:
    SCHEMA.validate(xml)
    return ElementTree.fromstring(xml).findall("testsuite")


def _assert_counts(suite: ElementTree.Element) -> None:
    cases = suite.findall("testcase")
    assert int(suite.get("tests", "")) == len(cases)
    for kind, attribute in (("failure", "failures"), ("error", "errors"), ("skipped", "skipped")):
        assert int(suite.get(attribute, "")) == sum(1 for c in cases if c.find(kind) is not None), kind


@pytest.fixture(scope="module")
def scanned(fixture_path: Callable[[str], Path]) -> list[Artifact]:
    return scan([fixture_path("go_cshared_default"), fixture_path("c_hardened")]).artifacts


def test_junit_of_a_scan_is_one_suite_per_image_and_one_case_per_judged_check(
    scanned: list[Artifact],
) -> None:
    xml = _render("junit", scanned)
    suites = _suites(xml)
    assert [s.get("name") for s in suites] == [a.path for a in scanned]
    for suite, artifact in zip(suites, scanned, strict=True):
        _assert_counts(suite)
        judged = sorted({*artifact.applied, *artifact.not_applicable})
        assert [c.get("classname") for c in suite.findall("testcase")] == judged
        for case in suite.findall("testcase"):
            skipped = case.find("skipped")
            if skipped is not None:
                assert (
                    skipped.get("message")
                    == f"not applicable: {artifact.not_applicable[case.get('classname')]}"
                )
        failed = {c.get("classname") for c in suite.findall("testcase") if c.find("failure") is not None}
        assert failed == {f.check_id for f in artifact.findings if f.severity > Severity.INFO}
    # what a CI server's parser makes of it
    parsed = junitparser.JUnitXml.fromstring(xml)
    totals = [(s.name, s.tests, s.failures, s.skipped) for s in parsed]
    assert totals == [
        (s.get("name"), int(s.get("tests", "")), int(s.get("failures", "")), int(s.get("skipped", "")))
        for s in suites
    ]


def test_junit_members_are_suites_and_unreadable_inputs_are_errors() -> None:
    member = Artifact("lib.a!bad.o", error="truncated section table")
    archive = Artifact("lib.a", is_archive=True, members=[member])
    broken = Artifact("broken.so", 10, None, "the ELF header is truncated.")
    suites = _suites(_render("junit", [archive, broken]))
    assert [s.get("name") for s in suites] == ["lib.a!bad.o", "broken.so"]
    for suite in suites:
        _assert_counts(suite)
        (case,) = suite.findall("testcase")
        assert case.find("error") is not None and suite.get("errors") == "1"


def test_junit_lint_has_a_case_per_finding_and_a_pass_per_rule_run() -> None:
    header = Artifact(
        "include/api.h",
        findings=[
            Finding(
                "CG453",
                Severity.MEDIUM,
                "Platform integer",
                "f uses int.",
                "use int32_t",
                SourceLocation("include/api.h", 3),
            ),
            Finding(
                "CG453",
                Severity.MEDIUM,
                "Platform integer",
                "g uses long.",
                "use int64_t",
                SourceLocation("include/api.h", 4),
            ),
        ],
    )
    gofile = Artifact("pkg/a.go")
    (h, g) = _suites(_render("junit", [header, gofile], command="lint"))
    header_rules = {c.id for c in all_checks(CheckTarget.C_HEADER)}
    go_rules = {c.id for c in all_checks(CheckTarget.GO_SOURCE)}
    cases = h.findall("testcase")
    assert [c.get("name", "").endswith(f"(line {n})") for c, n in zip(cases, (3, 4), strict=False)] == [
        True,
        True,
    ]
    assert {c.get("classname") for c in cases} == header_rules
    assert h.get("failures") == "2" and h.get("tests") == str(len(header_rules) + 1)
    assert {c.get("classname") for c in g.findall("testcase")} == go_rules and g.get("failures") == "0"


def test_junit_strips_what_xml_cannot_carry_and_escapes_the_rest() -> None:
    hostile = "evil\x00\x1b[31m<b>&\"'\ud800\ufffe\n]]>.so"
    finding = Finding("CG103", Severity.HIGH, "t", f"message {hostile}", "fix")
    artifact = Artifact(hostile, findings=[finding])
    artifact.applied = ["CG103"]
    set_finding = Finding("CG250", Severity.MEDIUM, "t", hostile, "fix", None, (hostile, "b.so"))
    xml = _render("junit", [artifact], set_findings=[set_finding])
    xml.encode("utf-8")  # no lone surrogate left
    suites = _suites(xml)
    assert suites[0].get("name") == "evil[31m<b>&\"'\n]]>.so"  # a newline is kept as &#10;
    failure = suites[0].find("testcase/failure")
    assert failure is not None and failure.text is not None and "<b>&" in failure.text
    assert suites[1].get("name") == "across artifacts" and suites[1].get("failures") == "1"


def test_oscal_of_a_scan_round_trips_through_trestle(scanned: list[Artifact]) -> None:
    from trestle.oscal.assessment_results import AssessmentResults

    text = _render("oscal", scanned)
    document = json.loads(text)["assessment-results"]
    parsed = AssessmentResults.model_validate(document)
    assert parsed.oscal_serialize_json(pretty=True) + "\n" == text
    (result,) = parsed.results
    assert result.findings is None
    items = {i.description: i for i in result.local_definitions.inventory_items}
    assert set(items) == {a.path for a in scanned}
    for artifact in scanned:
        props = {p.name: p.value for p in items[artifact.path].props}
        assert props["sha256"] == artifact.sha256
    failed = {(f.check_id, a.path) for a in scanned for f in a.findings if f.severity > Severity.INFO}
    observed = {
        (next(p.value for p in o.props if p.name == "check"), o.subjects[0].title)
        for o in result.observations
        if str(getattr(o.types[0], "value", o.types[0])) == "finding"
    }
    assert observed == failed
    resources = {r.uuid: r for r in parsed.back_matter.resources}
    for observation in result.observations:
        (evidence,) = observation.relevant_evidence
        (link,) = resources[evidence.href.removeprefix("#")].rlinks
        assert link.hashes[0].algorithm == "SHA-256"


def test_oscal_is_deterministic_under_source_date_epoch(
    scanned: list[Artifact], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    first = _render("oscal", scanned)
    assert first == _render("oscal", scanned)
    assert json.loads(first)["assessment-results"]["metadata"]["last-modified"] == "2026-01-01T00:00:00+00:00"


def test_oscal_titles_survive_hostile_paths() -> None:
    from trestle.oscal.assessment_results import AssessmentResults

    hostile = "evil\nname\x00.so"
    artifact = Artifact(hostile, 1, "ab" * 32, findings=[Finding("CG103", Severity.HIGH, "t", "m\x1b", "f")])
    artifact.applied = ["CG103"]
    document = json.loads(_render("oscal", [artifact]))["assessment-results"]
    AssessmentResults.model_validate(document)
    assert document["results"][0]["local-definitions"]["inventory-items"][0]["description"] == hostile


def test_oscal_control_ids() -> None:
    assert oscal_control_id("nist-800-53r5", "SI-7") == "si-7"
    assert oscal_control_id("nist-800-53r5", "SI-7(6)") == "si-7.6"
    assert oscal_control_id("gbt22239-2019-l3", "8.1.4.1 a)") == "gbt22239-2019-l3_8.1.4.1-a"


def test_oscal_without_trestle_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from cgoguard.errors import UsageError

    monkeypatch.setitem(sys.modules, "trestle.oscal.assessment_results", None)
    with pytest.raises(UsageError, match=r"cgoguard\[oscal\]"):
        _render("oscal", [])


def test_comply_writes_oscal_findings_and_junit_framework_suites(
    fixture_path: Callable[[str], Path], tmp_path: Path
) -> None:
    from trestle.oscal.assessment_results import AssessmentResults

    target = fixture_path("go_cshared_default")
    args = ("comply", target, "--vulndb", "off", "--framework", "gbt22239-2019-l3", "--no-progress")
    oscal = run(*args, "--format", "oscal")
    assert oscal.returncode in (0, 1), oscal.stderr
    parsed = AssessmentResults.model_validate(json.loads(oscal.stdout)["assessment-results"])
    (result,) = parsed.results
    observation_ids = {o.uuid for o in result.observations or []}
    selected = {c.control_id for s in result.reviewed_controls.control_selections for c in s.include_controls}
    for finding in result.findings:
        props = {p.name: p.value for p in finding.props}
        assert (
            finding.target.target_id
            == oscal_control_id("gbt22239-2019-l3", props["original-control-id"]) + "_obj"
        )
        assert finding.target.target_id.removesuffix("_obj") in selected
        state = (
            str(getattr(finding.target.status.state, "value", finding.target.status.state))
            if finding.target.status
            else None
        )
        expected = {"gaps": "not-satisfied"}.get(props["result"])
        if props["result"] == "evidenced" and props["grade"] == "satisfies":
            expected = "satisfied"
        assert state == expected, props
        assert props["result"] != "not-addressable"
        for related in finding.related_observations or []:
            assert related.observation_uuid in observation_ids
        if props["result"] == "gaps":
            assert finding.related_observations
    junit = run(*args, "--format", "junit")
    suites = _suites(junit.stdout)
    framework = next(s for s in suites if s.get("name", "").startswith("gbt22239-2019-l3"))
    _assert_counts(framework)
    assert int(framework.get("tests", "")) == len([c for c in framework.findall("testcase")]) > 0
