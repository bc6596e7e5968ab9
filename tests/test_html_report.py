"""The HTML report: the page embeds exactly the JSON report, loads nothing from the network, keeps
hostile strings from scanned files inert, speaks English and Chinese, shows comply's evidence; and it
works in a real browser (Debian's chromium driven by Playwright) on a 1,500-artifact report."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import time
from collections.abc import Callable
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import cgoguard
from cgoguard.checks import all_checks
from cgoguard.config import Config
from cgoguard.controls import select_frameworks
from cgoguard.evidence import FrameworkEvidence, Inputs, collect, evidence_to_dict
from cgoguard.model import Artifact, Finding, ScanSummary, Severity
from cgoguard.outcome import Tally, item_of
from cgoguard.reports import ReportContext, RunTotals, create_reporter
from cgoguard.reports.html import SHARED_LABELS, page_document, script_json, strings_for
from cgoguard.reports.htmlstrings import STRINGS
from clirun import run
from test_reporters import TOOL, _run
from test_vulns import STDLIB_ENTRIES, write_go_layout

Fixture = Callable[[str], Path]
HOSTILE = "</script><script>alert(1)</script><!-- <SCRIPT>"
ASSETS = resources.files("cgoguard.data").joinpath("html")


def _render(
    name: str,
    artifacts: list[Artifact],
    totals: RunTotals,
    *,
    lang: str = "en",
    command: str = "scan",
) -> str:
    context = ReportContext(command, TOOL, all_checks(), Severity.HIGH, lang=lang)
    out = io.StringIO()
    reporter = create_reporter(name, out, context)
    prerender = reporter.prerender()
    for artifact in artifacts:
        text = prerender(artifact) if prerender is not None else None
        reporter.add(item_of(None if text is not None else artifact, text=text, source=artifact))
    reporter.finish(totals)
    return out.getvalue()


def _evidence(artifacts: list[Artifact], vulndb: str | None = None) -> list[FrameworkEvidence]:
    """comply's evidence for these artifacts over every shipped framework (the comply stage itself)."""
    inputs = Inputs(artifacts=artifacts, set_stage_ran=True, vulndb=vulndb)
    return collect(select_frameworks([]), inputs)


class _Page(HTMLParser):
    """Every tag with its attributes, and the text of each <script> and <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self._open: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in self.raw:
            self._open = tag
            self.raw[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self.raw[self._open][-1] += data


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def _hostile_run() -> tuple[list[Artifact], RunTotals]:
    artifacts, totals, _ = _run()
    hostile = Artifact(
        f"dist/{HOSTILE}.so",
        findings=[Finding("CG103", Severity.MEDIUM, HOSTILE, HOSTILE, HOSTILE)],
        error=HOSTILE,
    )
    totals.tally.add_item(item_of(hostile))
    return [*artifacts, hostile], totals


def test_page_embeds_exactly_the_json_report() -> None:
    artifacts, totals, _ = _run()
    page = _render("html", artifacts, totals)
    assert page_document(page) == json.loads(_render("json", artifacts, totals))
    parsed = _parse(page)
    ids = [attrs.get("id") for tag, attrs in parsed.tags if tag == "script"]
    assert ids == ["cg-context", "cg-strings", "cg-data", None]
    assert json.loads(parsed.raw["script"][0]) == {"command": "scan", "lang": "en"}


def test_page_loads_nothing_from_the_network() -> None:
    artifacts, totals, _ = _run()
    page = _render("html", artifacts, totals)
    parsed = _parse(page)
    for tag, attrs in parsed.tags:
        for name in ("src", "href", "action", "data", "srcset", "poster"):
            value = attrs.get(name) or ""
            assert not re.match(r"\s*(https?:)?//", value, re.I), (tag, name, value)
    assert not any(tag in ("link", "img", "iframe", "object", "embed") for tag, _ in parsed.tags)
    (style,) = parsed.raw["style"]
    assert "url(" not in style and "@import" not in style
    code = parsed.raw["script"][-1]
    for loader in ("fetch(", "XMLHttpRequest", "import(", "WebSocket", "sendBeacon", ".src ="):
        assert loader not in code
    # And the browser is told so: nothing but the page's own inline code and styles.
    csp = next(a["content"] for t, a in parsed.tags if t == "meta" and a.get("http-equiv"))
    assert csp is not None and "default-src 'none'" in csp


def test_hostile_strings_stay_inert() -> None:
    artifacts, totals = _hostile_run()
    page = _render("html", artifacts, totals)
    assert "alert(1)" in page  # the text is there, escaped
    assert "</script><script>alert" not in page and "<SCRIPT>" not in page
    data = page.split('id="cg-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    assert "<" not in data  # neither "</script" nor "<!--" can occur inside the data
    parsed = _parse(page)
    assert len(parsed.raw["script"]) == 4  # nothing ended an element early or opened a new one
    document = page_document(page)
    hostile = document["artifacts"][-1]
    assert hostile["path"] == f"dist/{HOSTILE}.so" and hostile["findings"][0]["message"] == HOSTILE
    # The page's script builds the page from text nodes and attributes only.
    code = parsed.raw["script"][-1]
    assert "innerHTML" not in code and "outerHTML" not in code and "insertAdjacentHTML" not in code
    assert "document.write" not in code and "eval(" not in code
    assert script_json('"<!--</SCRIPT"') == '"\\u003c!--\\u003c/SCRIPT"'


def test_languages() -> None:
    assert set(STRINGS) == {"en", "zh"}
    assert set(STRINGS["en"]) == set(STRINGS["zh"])
    code = ASSETS.joinpath("report.js").read_text("utf-8")
    used = set(re.findall(r'\bt\("(\w+)"(?! \+)', code))
    assert used and used <= set(STRINGS["en"]), used - set(STRINGS["en"])
    prefixes = set(re.findall(r'\b(?:t|tOr)\("(\w+_)" \+', code))
    for prefix in prefixes:
        assert any(key.startswith(prefix) for key in STRINGS["en"]), prefix
    shared = set(re.findall(r'\bL\("([\w-]+)"\)', code))
    assert shared and shared <= set(SHARED_LABELS), shared - set(SHARED_LABELS)
    # The page shows evidence; it never calls anything compliant, in any language.
    for text in [*strings_for("en").values(), *strings_for("zh").values(), code]:
        assert "compliant" not in text.lower() and "合规" not in text
    artifacts, totals, _ = _run()
    zh = _render("html", artifacts, totals, lang="zh")
    assert '<html lang="zh-Hans">' in zh and "<title>cgoguard 报告</title>" in zh
    assert json.loads(_parse(zh).raw["script"][1])["tab_matrix"] == "加固矩阵"
    assert page_document(zh) == page_document(_render("html", artifacts, totals))


def test_evidence_reaches_json_and_html() -> None:
    artifacts, totals, _ = _run()
    totals.evidence = _evidence(artifacts)
    expected = json.loads(json.dumps(evidence_to_dict(totals.evidence)))
    assert expected and expected[0]["controls"]
    assert json.loads(_render("json", artifacts, totals))["evidence"] == expected
    assert page_document(_render("html", artifacts, totals))["evidence"] == expected
    totals.evidence = None
    assert "evidence" not in page_document(_render("html", artifacts, totals))


def test_cli_writes_html_for_scan_and_lint(tmp_path: Path, fixture_path: Fixture) -> None:
    library = fixture_path("go_cshared_default")
    out = tmp_path / "report.html"
    done = run("scan", library, "--format", "html", "--output", out, "--lang", "zh", "--no-progress")
    assert done.returncode in (0, 1), done.stderr
    page = out.read_text()
    assert '<html lang="zh-Hans">' in page
    assert page_document(page)["artifacts"][0]["path"] == str(library)
    package = Path(__file__).parent / "fixtures" / "lint" / "go" / "nofree"
    linted = run("lint", package, "--format", "html")
    assert linted.returncode in (0, 1), linted.stderr
    assert json.loads(_parse(linted.stdout).raw["script"][0])["command"] == "lint"
    assert page_document(linted.stdout)["artifacts"]
    wrong = run("scan", library, "--format", "html", "--lang", "fr")
    assert wrong.returncode == 2 and "--lang" in wrong.stderr


# ---------------------------------------------------------------------------------------------------
# A real browser.

CHROMIUM = "/usr/bin/chromium"
REAL_FIXTURES = (
    "go_exe_default",
    "go_cshared_fips",
    "go_cshared_default",
    "c_hardened",
    "c_nohardening",
    "c_archive",
    "c_shared_hardened",
    "go_exe_arm64",
)
SIZE = 1500


def _chromium() -> str:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    reason = os.environ.get("CGOGUARD_NO_CHROMIUM")
    if reason:  # scripts/test.sh tried to install it and could not
        pytest.skip(f"chromium could not be installed: {reason}")
    pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (scripts/test.sh does)")


def _renamed(artifact: Artifact, old: str, new: str) -> Artifact:
    return dataclasses.replace(
        artifact,
        path=artifact.path.replace(old, new, 1),
        members=[_renamed(m, old, new) for m in artifact.members],
    )


def _big_report(tmp_path: Path, fixture_path: Fixture) -> tuple[list[Artifact], RunTotals]:
    """1,500 artifacts from real scans of the fixtures (matched against a small vulnerability
    database), each scanned once and shown under many paths, plus one hostile artifact."""
    config = Config()
    config.vulndb = str(write_go_layout(tmp_path / "db", STDLIB_ENTRIES))
    paths = [fixture_path(name) for name in REAL_FIXTURES]
    scanned = cgoguard.scan(paths, config=config).artifacts
    assert len(scanned) == len(REAL_FIXTURES)
    artifacts = []
    for i in range(SIZE - 1):
        base = scanned[i % len(scanned)]
        folder = str(Path(base.path).parent)
        artifacts.append(_renamed(base, folder, f"dist/{i // 100:02}/{i:04}"))
    artifacts.append(
        Artifact(f"dist/{HOSTILE}.so", findings=[Finding("CG103", Severity.MEDIUM, "t", HOSTILE, "")])
    )
    tally = Tally(Severity.HIGH)
    for artifact in artifacts:
        tally.add_item(item_of(artifact))
    summary = ScanSummary(files_seen=SIZE, artifacts=SIZE, seconds=1.0, vulndb=config.vulndb)
    return artifacts, RunTotals(summary, tally, [], _evidence(artifacts, config.vulndb))


def _all_findings(document: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []

    def walk(artifact: dict[str, Any]) -> None:
        found.extend(artifact["findings"])
        for member in artifact["members"]:
            walk(member)

    for artifact in document["artifacts"]:
        walk(artifact)
    return found + document["set_findings"]


def test_browser_renders_filters_sorts_and_drills_down(tmp_path: Path, fixture_path: Fixture) -> None:
    from playwright.sync_api import Locator, expect, sync_playwright

    executable = _chromium()
    artifacts, totals = _big_report(tmp_path, fixture_path)
    page_path = tmp_path / "report.html"
    page_path.write_text(_render("html", artifacts, totals))
    document = page_document(page_path.read_text())
    findings = _all_findings(document)
    by_severity = {
        s: sum(f["severity"] == s for f in findings) for s in ("critical", "high", "medium", "low", "info")
    }
    vulns = [f for f in findings if f["id"] == "CG230"]
    assert vulns and by_severity["info"] and len(findings) > 200

    problems: list[str] = []
    with sync_playwright() as playwright:
        # Chromium's sandbox cannot start as root (how CI runs).
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        browser = playwright.chromium.launch(executable_path=executable, args=args)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.on(
                "console",
                lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None,
            )
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
            page.on(
                "request",
                lambda r: None if r.url.startswith("file:") else problems.append(f"request {r.url}"),
            )
            started = time.perf_counter()
            page.goto(page_path.as_uri())
            page.wait_for_selector("body[data-ready]")
            print(
                f"\n1,500-artifact report ({page_path.stat().st_size:,} bytes) ready in "
                f"{time.perf_counter() - started:.2f} s"
            )

            # The matrix: rows are built in chunks, all artifacts (members included) are counted.
            matrix = page.locator("#matrix")
            nodes = int(matrix.get_attribute("data-total") or 0)
            assert nodes >= SIZE
            assert (
                page.locator("#matrix tbody tr").count() == int(matrix.get_attribute("data-shown") or 0) > 0
            )
            assert page.locator("#matrix td.v-na[title]").count() > 0  # not applicable, with its reason
            page.fill("#artifact-search", "dist/00/0001/")
            expect(page.locator("#matrix")).to_have_attribute("data-total", "1")
            page.fill("#artifact-search", "")
            expect(matrix).to_have_attribute("data-total", str(nodes))
            # Artifacts without PIE: the executables built without it, never a library ("n/a").
            page.select_option("#column-filter", label="PIE: missing or partial")
            no_pie = sum(1 for a in artifacts if a.hardening is not None and a.hardening.pie is False)
            expect(matrix).to_have_attribute("data-total", str(no_pie))
            states = page.locator("#matrix tbody tr td:nth-child(3)").evaluate_all(
                "cells => cells.map(c => c.dataset.state)"
            )
            assert no_pie and states and set(states) == {"bad"}
            page.select_option("#column-filter", "")

            # Findings: a severity filter, a check filter, search, sort.
            table = page.locator("#findings")

            def visit(anchor: Locator) -> None:
                """Follow a link and wait until the page has drawn where it points."""
                href = anchor.get_attribute("href")
                anchor.click()
                expect(page.locator("body")).to_have_attribute("data-route", href or "")

            def total() -> int:
                return int(table.get_attribute("data-total") or -1)

            visit(page.locator("a[href='#findings']"))

            assert total() == len(findings)
            page.click(".sev-filter button[data-sev='info']")
            assert total() == len(findings) - by_severity["info"]
            assert page.locator("#findings tbody tr[data-sev='info']").count() == 0
            page.select_option("#check-filter", "CG230")
            assert total() == len(vulns)
            assert (
                page.locator("#findings tbody tr .prec").count() == page.locator("#findings tbody tr").count()
            )
            page.select_option("#check-filter", "")
            page.fill("#finding-search", "alert(1)")
            expect(page.locator("#findings")).to_have_attribute("data-total", "1")
            assert HOSTILE in page.locator("#findings tbody tr").inner_text()
            page.fill("#finding-search", "")
            expect(table).to_have_attribute("data-total", str(len(findings) - by_severity["info"]))
            present = [s for s, n in by_severity.items() if n and s != "info"]
            first = page.locator("#findings tbody tr").first
            assert first.get_attribute("data-sev") == present[0]  # most severe first by default
            page.click("#findings th[data-key='severity'] button")
            assert first.get_attribute("data-sev") == present[-1]
            page.click("#findings th[data-key='id'] button")
            ids = page.locator("#findings tbody td.check").all_inner_texts()
            assert ids == sorted(ids)
            page.click("#findings th[data-key='id'] button")
            descending = page.locator("#findings tbody td.check").all_inner_texts()
            assert descending == sorted(descending, reverse=True) and descending[0] > ids[0]
            page.click("#findings th[data-key='severity'] button")
            assert first.get_attribute("data-sev") == present[0]

            # Drill-down: a finding with its vulnerability, then its artifact.
            page.select_option("#check-filter", "CG230")
            visit(page.locator("#findings tbody tr td.check a").first)
            assert page.locator("#view-finding h2 .prec").count() == 1
            visit(page.locator("#view-finding dl.facts a").first)
            heading = page.locator("#view-artifact h2.path").inner_text()
            assert heading in {a["path"] for a in document["artifacts"]}
            assert page.locator("#view-artifact #artifact-findings tr").count() > 0

            # Controls: results and grades, counts, the failures behind a failed count.
            evidence = document["evidence"]
            visit(page.locator("a[href='#controls']"))
            controls = sum(len(f["controls"]) for f in evidence)
            assert page.locator("#view-controls tr[data-control]").count() == controls
            assert page.locator("#view-controls .grade").count() == controls
            gaps = sum(c["result"] == "gaps" for c in evidence[0]["controls"])
            first_framework = page.locator("#view-controls .result-counts").first
            first_framework.locator("button[data-result='gaps']").click()
            assert page.locator("#view-controls tbody").first.locator("tr:visible").count() == gaps
            first_framework.locator("button[data-result='gaps']").click()
            fi, ci, control = next(
                (fi, ci, c)
                for fi, f in enumerate(evidence)
                for ci, c in enumerate(f["controls"])
                if any(e["failures"] for e in c["edges"])
            )
            edge_index, edge = next((i, e) for i, e in enumerate(control["edges"]) if e["failures"])
            visit(page.locator(f"#view-controls a[href='#control/{fi}/{ci}']").first)
            section = page.locator("#view-control section.edge").nth(edge_index)
            check = next(c for c, r in edge["results"].items() if r["failed"])
            failed = section.locator(f"tr[data-check='{check}'] .failed-count")
            assert failed.inner_text() == f"{edge['results'][check]['failed']:,}"
            failures = section.locator(f"#failed-{edge_index}")
            assert not failures.is_visible()
            failed.click()
            assert failures.locator("li").count() == len(edge["failures"])
            subject = edge["failures"][0]["subject"]
            visit(failures.locator("a", has_text=subject).first)
            assert page.locator("#view-artifact h2.path").inner_text() == subject

            # Print: every row of the table, no controls.
            visit(page.locator("a[href='#findings']"))
            page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
            assert table.get_attribute("data-shown") == table.get_attribute("data-total")
            page.emulate_media(media="print")
            assert not page.locator(".filters").is_visible()
            page.emulate_media(media="screen")

            visit(page.locator("a[href='#artifacts']"))
            expect(matrix).to_have_attribute("data-total", str(nodes))
            shots = Path(os.environ.get("CGOGUARD_TEST_ARTIFACTS") or tmp_path)
            shots.mkdir(parents=True, exist_ok=True)
            screenshot = shots / "html-report.png"
            page.screenshot(path=str(screenshot))
            print(f"screenshot: {screenshot}")
        finally:
            browser.close()
    assert problems == []
