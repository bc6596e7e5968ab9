"""Golden outputs of every reporter on one fixed run (built from the model, so the bytes do not
depend on the toolchain). A new format is one module in cgoguard/reports/, one line in REPORTERS,
and its golden file here. Regenerate after an intended change with CGOGUARD_UPDATE_GOLDEN=1."""

from __future__ import annotations

import io
import json
import os
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from cgoguard.checks import CheckTarget, all_checks
from cgoguard.model import (
    Advisory,
    AffectedModule,
    Artifact,
    CgoFacts,
    DynamicFacts,
    ElfFacts,
    Finding,
    GnuProperties,
    GoBuildInfo,
    GoFacts,
    GoModule,
    Hardening,
    ScanSummary,
    Segment,
    Severity,
    SourceLocation,
    VulnerabilityMatch,
)
from cgoguard.outcome import Tally, item_of
from cgoguard.reports import REPORTERS, ReportContext, RunTotals, create_reporter
from cgoguard.reports.html import script_json, strings_for
from cgoguard.reports.sarif import SarifReporter

GOLDEN = Path(__file__).parent / "golden"
TOOL = {"name": "cgoguard", "version": "0.0.0-golden"}


def _library() -> Artifact:
    elf = ElfFacts(
        elf_class=64,
        little_endian=True,
        e_type="DYN",
        e_machine=62,
        machine="x86-64",
        entry=0,
        interpreter=None,
        segments=[Segment(1, 5, 0, 0, 4096, 4096, 4096), Segment(0x6474E551, 6, 0, 0, 0, 0)],
        section_names=[".text", ".dynsym"],
        dynamic=DynamicFacts(needed=["libc.so.6"], flags_1=0),
        exports=["Add", "crosscall2"],
        imports=["malloc"],
        has_symtab=True,
        has_debug_info=False,
        build_id="ab" * 20,
        go_build_id="go-id",
        properties=GnuProperties(),
        comment=["GCC: 12.2.0"],
    )
    info = GoBuildInfo(
        version="go1.27.3",
        experiments=[],
        raw_version="go1.27.3",
        path="example.com/bridge",
        main=GoModule("example.com/bridge", "(devel)"),
        deps=[],
        settings={"-buildmode": "c-shared", "CGO_ENABLED": "1"},
        pointer_format=False,
    )
    go = GoFacts(
        markers=[".go.buildinfo"],
        buildinfo=info,
        buildinfo_error=None,
        cgo=CgoFacts(["Add"], ["crosscall2"], [], 1, True),
        boringcrypto_signature=None,
        crypto_packages=[],
    )
    hardening = Hardening(
        kind="shared-library",
        pie=None,
        relro="partial",
        bind_now=False,
        nx=True,
        nx_detail="PT_GNU_STACK is RW",
        rwx_segments=[],
        textrel=False,
        rpath=None,
        runpath=None,
        search_paths=[],
        language="go",
        c_code="user",
        canary=True,
        canary_detail="__stack_chk_fail referenced",
        fortify=None,
        fortify_detail="nothing fortifiable",
        go_build_mode="c-shared",
    )
    finding = Finding(
        "CG103", Severity.MEDIUM, "Partial RELRO", "no BIND_NOW marker.", "go build -ldflags=-bindnow"
    )
    advisory = Advisory(
        "GO-2099-0001",
        ("CVE-2099-0001",),
        "Panic in fmt",
        (AffectedModule("stdlib", (("introduced", "0"), ("fixed", "1.27.4")), ()),),
        url="https://pkg.go.dev/vuln/GO-2099-0001",
    )
    match = VulnerabilityMatch(
        advisory,
        "stdlib",
        "1.27.3",
        True,
        "symbol",
        "vulnerable function(s) linked: fmt.Println",
        "1.27.4",
        "rebuild with go1.27.4 or later",
        ("fmt.Println",),
    )
    vulnerable = Finding(
        "CG230",
        Severity.HIGH,
        "Known vulnerability",
        "GO-2099-0001: Panic in fmt.",
        "upgrade",
        vulnerability=match,
    )
    findings = [finding, vulnerable]
    artifact = Artifact("dist/libbridge.so", 4096, "00" * 32, None, False, elf, go, hardening, [], findings)
    artifact.applied = ["CG102", "CG103", "CG230", "CG301"]
    artifact.not_applicable = {"CG101": "a shared library is always position-independent"}
    return artifact


def _run() -> tuple[list[Artifact], RunTotals, list[Finding]]:
    header = Artifact(
        "include/bridge.h",
        findings=[
            Finding(
                "CG453",
                Severity.MEDIUM,
                "Platform integer",
                "Add uses int (result).",
                "use int32_t",
                SourceLocation("include/bridge.h", 3, 5, 3, 8),
            )
        ],
    )
    broken = Artifact("dist/broken.so", 10, None, "the ELF header is truncated.")
    artifacts = [_library(), header, broken]
    set_findings = [
        Finding(
            "CG250",
            Severity.MEDIUM,
            "Export conflict",
            "Add defined twice.",
            "prefix exports",
            None,
            ("dist/libbridge.so", "dist/other.so"),
        )
    ]
    tally = Tally(Severity.HIGH, missing=["dist/typo.so"])
    for artifact in artifacts:
        tally.add_item(item_of(artifact))
    tally.add_findings(int(f.severity) for f in set_findings)
    summary = ScanSummary(files_seen=4, artifacts=3, skipped_not_elf=1, errors=1, seconds=0.0)
    return artifacts, RunTotals(summary, tally, set_findings), set_findings


def _render(name: str) -> str:
    artifacts, totals, _ = _run()
    checks = [c for c in all_checks() if c.id in {"CG103", "CG230", "CG250", "CG453"}]
    context = ReportContext("scan", TOOL, checks, Severity.HIGH, verbose=True, color=False)
    out = io.StringIO()
    if name == "sarif":
        reporter = SarifReporter(out, context, base=Path("/project"))
    else:
        reporter = create_reporter(name, out, context)
    prerender = reporter.prerender()
    for artifact in artifacts:
        if prerender is not None:
            reporter.add(item_of(None, text=prerender(artifact), source=artifact))
        else:
            reporter.add(item_of(artifact))
    reporter.finish(totals)
    return out.getvalue()


@pytest.mark.parametrize("name", sorted(REPORTERS))
def test_golden_output(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # SBOMs and OpenVEX take their creation time (and so their serial number) from it.
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    text = _render(name)
    if name == "html":
        # The page's own CSS, script and UI strings are not output: the golden file holds the page
        # around them (tests/test_html_report.py tests those).
        assets = resources.files("cgoguard.data").joinpath("html")
        for asset in ("report.css", "report.js"):
            text = text.replace(assets.joinpath(asset).read_text("utf-8"), f"(cgoguard/data/html/{asset})\n")
        text = text.replace(script_json(json.dumps(strings_for("en"))), "(cgoguard.reports.html.strings_for)")
    golden = GOLDEN / f"report.{name}"
    if os.environ.get("CGOGUARD_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text(), f"{name} output changed; if intended, CGOGUARD_UPDATE_GOLDEN=1"


def test_every_registered_reporter_has_a_golden_file() -> None:
    assert {p.name.removeprefix("report.") for p in GOLDEN.glob("report.*")} == set(REPORTERS)


def test_machine_formats_parse_and_carry_the_run() -> None:
    document = json.loads(_render("json"))
    assert [a["path"] for a in document["artifacts"]] == [
        "dist/libbridge.so",
        "include/bridge.h",
        "dist/broken.so",
    ]
    assert document["set_findings"][0]["artifacts"] == ["dist/libbridge.so", "dist/other.so"]
    assert document["summary"]["complete"] is False
    assert document["summary"]["missing"] == ["dist/typo.so"]
    assert document["summary"]["unread"] == [
        {"path": "dist/broken.so", "error": "the ELF header is truncated."}
    ]
    sarif = json.loads(_render("sarif"))
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    run = sarif["runs"][0]
    assert run["invocations"][0]["executionSuccessful"] is False
    assert {r["ruleId"] for r in run["results"]} == {"CG103", "GO-2099-0001", "CG250", "CG453"}
    related = next(r for r in run["results"] if r["ruleId"] == "CG250")["relatedLocations"]
    assert related[0]["physicalLocation"]["artifactLocation"]["uri"] == "dist/other.so"


def test_text_says_what_was_not_checked() -> None:
    text = _render("text")
    assert "Across artifacts" in text and "CG250" in text
    assert (
        text.rstrip().splitlines()[-1].startswith("Not checked: 1 named input(s) do not exist (dist/typo.so)")
    )


def test_set_checks_target_is_typed() -> None:
    assert [c.id for c in all_checks(CheckTarget.ARTIFACT_SET)] == [f"CG{n}" for n in range(250, 260)]


@pytest.mark.parametrize(
    ("name", "lang"), [("text", "en"), ("text", "zh"), ("markdown", "zh"), ("csv", "en"), ("json", "en")]
)
def test_golden_evidence(name: str, lang: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """comply's output on the golden run: GB/T 22239 graded from the hand-made artifacts above."""
    from cgoguard.controls import shipped_frameworks
    from cgoguard.evidence import Inputs, collect

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    artifacts, totals, set_findings = _run()
    (gbt,) = [f for f in shipped_frameworks() if f.id == "gbt22239-2019-l3"]
    totals.evidence = collect([gbt], Inputs(artifacts, set_findings, set_stage_ran=True, vulndb="golden"))
    context = ReportContext("comply", TOOL, all_checks(), Severity.HIGH, color=False, lang=lang, width=100)
    out = io.StringIO()
    reporter = create_reporter(name, out, context)
    for artifact in artifacts:
        reporter.add(item_of(artifact))
    reporter.finish(totals)
    golden = GOLDEN / f"comply.{name}.{lang}"
    if os.environ.get("CGOGUARD_UPDATE_GOLDEN"):
        golden.write_text(out.getvalue())
    assert out.getvalue() == golden.read_text(), f"comply {name} ({lang}) changed; CGOGUARD_UPDATE_GOLDEN=1"
