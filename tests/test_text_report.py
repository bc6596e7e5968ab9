"""The text report for people: the table and roll-up of large scans, wrapping, NO_COLOR,
and --baseline (new, unchanged, fixed; exit codes; bad baseline files)."""

from __future__ import annotations

import io
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from cgoguard.model import Artifact, ScanSummary
from cgoguard.outcome import Tally, item_of
from cgoguard.reports import ReportContext, RunTotals
from cgoguard.reports.text import SMALL_SCAN, TextReporter, color_wanted, middle_cut, wrapped
from clirun import run

GOLDEN = Path(__file__).parent / "golden"
# Real fixtures of every kind the table shows: Go c-shared, c-archive (an ar row), PIE, C.
FIXTURES = (
    "go_cshared_default",
    "go_carchive_default",
    "go_pie_bindnow",
    "go_exe_default",
    "c_hardened",
    "c_nohardening",
    "c_object",
)


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory, fixture_path: Callable[[str], Path]) -> Path:
    """More inputs than SMALL_SCAN, so the default text report is the table."""
    folder = tmp_path_factory.mktemp("many")
    for name in FIXTURES:
        source = fixture_path(name)
        shutil.copy(source, folder / source.name)
    assert len(FIXTURES) > SMALL_SCAN
    return folder


def _table_part(text: str) -> list[str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("KIND "))
    return lines[start : lines.index("", start)]


def test_large_scan_prints_a_table_and_a_rollup(many: Path) -> None:
    proc = run("scan", many, "--jobs", "1", "--fail-on", "critical")
    assert proc.returncode == 0, proc.stderr
    table = _table_part(proc.stdout)
    assert table[0].split()[:3] == ["KIND", "GO", "MODE"] and table[0].endswith("PATH")
    rows = {Path(line.split()[-1]).name: line.split() for line in table[1:]}
    assert len(rows) == len(FIXTURES)
    cshared = next(v for k, v in rows.items() if k.endswith(".so") and v[1] == "c-shared")
    assert cshared[2] == "n/a"  # PIE does not apply to a library: n/a, never "no"
    archive = next(v for v in rows.values() if v[0].startswith("ar("))
    assert archive[1] == "c-archive" and archive[2:4] == ["n/a", "n/a"]
    assert all(row[2] != "no" or row[0] == "exec" for row in rows.values())
    assert "Findings by check" in proc.stdout
    # Every check of the JSON report is rolled up with its number of findings.
    report = json.loads(run("scan", many, "--format", "json").stdout)
    counts: dict[str, int] = {}

    def walk(artifact: dict[str, object]) -> None:
        for finding in artifact["findings"]:  # type: ignore[attr-defined]
            counts[finding["id"]] = counts.get(finding["id"], 0) + 1
        for member in artifact["members"]:  # type: ignore[attr-defined]
            walk(member)

    for artifact in report["artifacts"]:
        walk(artifact)
    rollup = proc.stdout.split("Findings by check", 1)[1]
    for check_id, count in counts.items():
        line = next(x for x in rollup.splitlines() if f" {check_id} " in x)
        assert line.split()[2] == str(count), line
    # --verbose keeps the detail (each finding's fix) and adds the table after it.
    verbose = run("scan", many, "--verbose").stdout
    assert (
        "PIE " in verbose and "KIND " in verbose and len(verbose.splitlines()) > len(proc.stdout.splitlines())
    )


def test_small_scans_keep_the_detailed_form(fixture_path: Callable[[str], Path]) -> None:
    proc = run("scan", fixture_path("c_nohardening"))
    assert "KIND " not in proc.stdout and "Findings by check" not in proc.stdout
    assert "CG1" in proc.stdout  # the findings themselves, one per line


def _artifacts(n: int) -> list[Artifact]:
    """The golden run of test_reporters (a Go c-shared library, a header, an unreadable file)
    and copies of the library under other names, to have more than SMALL_SCAN inputs."""
    from test_reporters import _library, _run

    artifacts = _run()[0]
    for i in range(n - len(artifacts)):
        artifacts.append(_library())
        artifacts[-1].path = f"dist/very/long/folder/name/lib{i}.so"
    return artifacts


def _render(width: int | None, artifacts: list[Artifact], verbose: bool = False) -> str:
    out = io.StringIO()
    context = ReportContext("scan", {"name": "cgoguard", "version": "0"}, [], color=False, width=width)
    context.verbose = verbose
    reporter = TextReporter(out, context)
    tally = Tally()
    for artifact in artifacts:
        item = item_of(artifact)
        tally.add_item(item)
        reporter.add(item)
    reporter.finish(RunTotals(ScanSummary(artifacts=len(artifacts), seconds=0.0), tally))
    return out.getvalue()


def test_table_golden() -> None:
    text = _render(None, _artifacts(SMALL_SCAN + 1))
    golden = GOLDEN / "table.text"
    if os.environ.get("CGOGUARD_UPDATE_GOLDEN"):
        golden.write_text(text)
    assert text == golden.read_text()


def test_lines_fit_the_width_and_paths_are_cut_in_the_middle() -> None:
    text = _render(100, _artifacts(SMALL_SCAN + 1))
    for line in text.splitlines():
        assert len(line) <= 100 or " " not in line.strip(), line  # only an unbreakable word may overflow
    rows = _table_part(text)[1:]
    long_rows = [row for row in rows if (row.endswith(".so") and "very" in row) or "…" in row]
    assert len(long_rows) == 3 and all("…" in row and len(row) == 100 for row in long_rows)
    assert long_rows[0].split()[-1].startswith("dist/") and long_rows[0].endswith("lib0.so")
    assert "dist/libbridge.so" in text  # short paths stay whole


def test_narrow_terminal_puts_the_path_on_its_own_line() -> None:
    text = _render(72, _artifacts(SMALL_SCAN + 1))
    rows = _table_part(text)[1:]
    assert rows[0] == "dist/libbridge.so" and rows[1].startswith("shared-lib c-shared")
    assert len(rows) == 2 * (SMALL_SCAN + 1)
    assert all(len(row) <= 72 for row in rows)


def test_wrapping_breaks_at_words_only() -> None:
    long_path = "/usr/lib/" + "x" * 70 + "/libfoo.so"
    lines = wrapped(
        "  MEDIUM   CG103 ", 17, f"the library {long_path} has no BIND_NOW marker at all", 50, PLAIN_M
    )
    assert lines[0].startswith("  MEDIUM   CG103 the library")
    assert any(line.strip() == long_path for line in lines)  # whole, on its own line
    words = " ".join(line.strip() for line in lines).removeprefix("MEDIUM   CG103 ")
    assert words == f"the library {long_path} has no BIND_NOW marker at all"
    assert all(len(line) <= 50 for line in lines if long_path not in line)
    assert all(line.startswith(" " * 17) for line in lines[1:])


def test_middle_cut() -> None:
    assert middle_cut("abcdefghij", 10) == "abcdefghij"
    cut = middle_cut("/usr/lib/x86_64-linux-gnu/libfoo.so", 15)
    assert cut == "/usr…/libfoo.so"


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert color_wanted(None, _Tty()) is False
    assert color_wanted(True, _Tty()) is True  # --color always is explicit: it wins
    monkeypatch.setenv("NO_COLOR", "")  # empty: not set (no-color.org)
    assert color_wanted(None, _Tty()) is None
    assert color_wanted(None, io.StringIO()) is False


def test_no_color_on_the_command_line(many: Path) -> None:
    env_run = _run_env({"NO_COLOR": "1", "FORCE_COLOR": "1"})
    assert "\x1b[" not in env_run("scan", many, "--color", "auto").stdout
    assert "\x1b[" in env_run("scan", many, "--color", "always").stdout
    assert "\x1b[" not in env_run("scan", many, "--color", "never").stdout


def _run_env(extra: dict[str, str]) -> Callable[..., object]:
    import subprocess
    import sys

    def go(*args: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "cgoguard", *map(str, args)],
            capture_output=True,
            text=True,
            env={**os.environ, **extra},
            check=False,
            timeout=300,
        )

    return go


def test_baseline_new_unchanged_fixed(many: Path, tmp_path: Path) -> None:
    base = tmp_path / "base.json"
    assert run("scan", many, "--format", "json", "-o", base, "--fail-on", "critical").returncode == 0
    report = json.loads(base.read_text())
    total = sum(1 for _ in _findings(report))
    assert total > 2
    # Unchanged: nothing reported, nothing counted, exit 0 even at --fail-on info.
    same = run("scan", many, "--baseline", base, "--fail-on", "info", "--format", "json")
    assert same.returncode == 0, same.stderr
    summary = json.loads(same.stdout)["summary"]["baseline"]
    assert summary == {"file": str(base), "new": 0, "unchanged": total, "fixed": []}
    assert not list(_findings(json.loads(same.stdout)))
    # One finding taken out of the baseline is new (exit 1); one added to it is fixed.
    dropped = next(a for a in report["artifacts"] if a["findings"])
    gone = dropped["findings"].pop(0)
    dropped["findings"].append({**gone, "message": "a finding fixed since."})
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(report))
    proc = run("scan", many, "--baseline", edited, "--fail-on", "info", "--format", "json")
    assert proc.returncode == 1
    result = json.loads(proc.stdout)
    assert [(f["id"], f["message"]) for f in _findings(result)] == [(gone["id"], gone["message"])]
    baseline = result["summary"]["baseline"]
    assert (baseline["new"], baseline["unchanged"]) == (1, total - 1)
    assert [f["message"] for f in baseline["fixed"]] == ["a finding fixed since."]
    text = run("scan", many, "--baseline", edited, "--fail-on", "info").stdout
    assert "Fixed since the baseline" in text and "fixed since." in text and "1 new finding(s)" in text
    # The new finding at a severity below --fail-on does not fail the run.
    assert run("scan", many, "--baseline", edited, "--fail-on", "critical").returncode == 0


def test_baseline_in_sarif_validates(many: Path, tmp_path: Path) -> None:
    import jsonschema

    base = tmp_path / "base.json"
    report = json.loads(run("scan", many, "--format", "json").stdout)
    next(a for a in report["artifacts"] if a["findings"])["findings"].pop(0)
    base.write_text(json.dumps(report))
    sarif = json.loads(run("scan", many, "--baseline", base, "--format", "sarif").stdout)
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    results = sarif["runs"][0]["results"]
    assert len(results) == 1 and results[0]["baselineState"] == "new"
    assert sarif["runs"][0]["properties"]["baseline"]["new"] == 1


def _findings(report: dict[str, object]) -> list[dict[str, object]]:
    found: list[dict[str, object]] = []

    def walk(artifact: dict[str, object]) -> None:
        found.extend(artifact["findings"])  # type: ignore[arg-type]
        for member in artifact["members"]:  # type: ignore[attr-defined]
            walk(member)

    for artifact in report["artifacts"]:  # type: ignore[attr-defined]
        walk(artifact)
    found.extend(report.get("set_findings", []))  # type: ignore[arg-type]
    return found


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (None, "cannot be read"),
        ("not json {", "is not JSON"),
        ('{"tool": {"name": "other"}, "artifacts": [], "summary": {}}', "is not a cgoguard JSON report"),
        ("[1, 2]", "is not a cgoguard JSON report"),
        (
            '{"tool": {"name": "cgoguard"}, "artifacts": [{"path": "x", "findings": [{}]}], "summary": {}}',
            "without id",
        ),
    ],
)
def test_bad_baseline_is_exit_2(many: Path, tmp_path: Path, content: str | None, says: str) -> None:
    base = tmp_path / "base.json"
    if content is not None:
        base.write_text(content)
    proc = run("scan", many, "--baseline", base)
    assert proc.returncode == 2
    assert says in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


def test_baseline_in_configuration(many: Path, tmp_path: Path) -> None:
    (tmp_path / "base.json").write_text(run("scan", many, "--format", "json").stdout)
    (tmp_path / "pyproject.toml").write_text('[tool.cgoguard]\nbaseline = "base.json"\n')
    proc = run("scan", many, "--fail-on", "info", cwd=tmp_path)
    assert proc.returncode == 0 and "0 new finding(s)" in proc.stdout


def test_lint_baseline_ignores_line_moves(tmp_path: Path) -> None:
    header = tmp_path / "bridge.h"
    header.write_text("int Add(long a, long b);\n")
    base = tmp_path / "lint.json"
    first = run("lint", header, "--format", "json", "-o", base, "--fail-on", "critical")
    assert first.returncode == 0, first.stderr
    assert list(_findings(json.loads(base.read_text()))), "the header must have findings"
    header.write_text("\n\n/* moved down */\nint Add(long a, long b);\n")
    moved = run("lint", header, "--baseline", base, "--fail-on", "info")
    assert moved.returncode == 0, moved.stdout
    assert "0 new finding(s)" in moved.stdout
    header.write_text("int Add(long a, long b);\nint Sub(long a, long b);\n")
    grown = run("lint", header, "--baseline", base, "--fail-on", "info")
    assert grown.returncode == 1 and "Sub" in grown.stdout and "Findings by rule" in grown.stdout


PLAIN_M = __import__("cgoguard.reports.text", fromlist=["PLAIN"]).PLAIN


def test_known_findings_blob() -> None:
    import pickle

    from cgoguard.baseline import KnownFindings, fingerprint

    keys = [fingerprint("CG103", f"lib{i}.so", f"message {i}") for i in range(500)]
    known = pickle.loads(pickle.dumps(KnownFindings(keys[::2])))
    assert all(key in known for key in keys[::2])
    assert not any(key in known for key in keys[1::2])
    assert b"" not in known and "text" not in known and len(known) == 250
    # Numbers do not make a finding new; names do.
    assert fingerprint("CG453", "a.h", "Add uses int at line 3") == fingerprint(
        "CG453", "a.h", "Add uses int at line 9"
    )
    assert fingerprint("CG453", "a.h", "Add uses int") != fingerprint("CG453", "a.h", "Sub uses int")
