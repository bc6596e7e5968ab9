"""The command line as a user meets it: subprocesses, exit codes, formats, config, bad input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from cgoguard.checks import CheckTarget, all_checks
from cgoguard.model import Artifact, Severity
from clirun import run

# The official OASIS schema, copied into the repository (see tests/data/README.md).
SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory, fixture_path: Callable[[str], Path]) -> Path:
    """A folder like a user's dist/: a c-shared lib, a c-archive, a PIE, a text file."""
    folder = tmp_path_factory.mktemp("dist")
    for name in ("go_cshared_default", "go_carchive_default", "go_pie_bindnow", "c_hardened"):
        source = fixture_path(name)
        shutil.copy(source, folder / source.name)
    (folder / "README.txt").write_text("not an ELF file\n")
    return folder


def schema() -> dict[str, object]:
    return json.loads(SARIF_SCHEMA.read_text())


def test_json_contract(dist: Path) -> None:
    proc = run("scan", dist, "--format", "json", "--jobs", "2")
    assert proc.returncode == 0, proc.stderr  # nothing at or above the default fail-on (high)
    assert "Traceback" not in proc.stderr
    report = json.loads(proc.stdout)
    assert report["tool"]["name"] == "cgoguard"
    assert report["summary"]["skipped_not_elf"] == 1
    by_name = {Path(a["path"]).name: a for a in report["artifacts"]}
    assert len(by_name) == 4
    for artifact in report["artifacts"]:
        for key in (
            "path",
            "sha256",
            "error",
            "elf",
            "hardening",
            "go",
            "exports",
            "go_exports",
            "members",
            "findings",
        ):
            assert key in artifact
    lib = next(a for n, a in by_name.items() if n.endswith(".so"))
    assert lib["elf"]["type"] == "DYN" and lib["elf"]["kind"] == "shared-library"
    assert lib["hardening"]["pie"] is None and lib["hardening"]["relro"] == "partial"
    assert lib["go"]["settings"]["-buildmode"] == "c-shared"
    assert set(lib["go_exports"]) <= set(lib["exports"])
    for finding in lib["findings"]:
        assert set(finding) >= {"id", "severity", "title", "message", "fix"}
    archive = next(a for n, a in by_name.items() if n.endswith(".a"))
    assert archive["members"] and archive["members"][0]["path"].startswith(archive["path"] + "!")
    assert archive["go"]["settings"]["-buildmode"] == "c-archive"


def test_sarif_is_valid(dist: Path, tmp_path: Path) -> None:
    out = tmp_path / "cgoguard.sarif"
    proc = run("scan", dist, "--format", "sarif", "--output", out, "--fail-on", "critical")
    assert proc.returncode == 0, proc.stderr
    document = json.loads(out.read_text())
    jsonschema.validate(document, schema())
    run_ = document["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == [
        c.id for c in all_checks() if c.target in (CheckTarget.BINARY, CheckTarget.ARTIFACT_SET)
    ]
    assert all(r["help"]["text"] for r in rules)
    assert run_["results"]
    for result in run_["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]


def test_fail_on_controls_exit_code(dist: Path) -> None:
    assert run("scan", dist, "--fail-on", "critical").returncode == 0
    assert run("scan", dist, "--fail-on", "info").returncode == 1
    assert run("scan", dist, "--fail-on", "bogus").returncode == 2


def test_text_output_is_plain_when_not_a_tty(dist: Path) -> None:
    proc = run("scan", dist)
    assert "\x1b[" not in proc.stdout
    assert "libbridge" in proc.stdout or ".so" in proc.stdout
    assert "Scanned 4 artifact(s)" in proc.stdout


def test_usage_errors() -> None:
    assert run("scan", "/nonexistent/cgoguard-test").returncode == 3  # test_exit_codes.py has the rest
    assert run("explain", "CG999").returncode == 2
    assert run().returncode == 2
    assert run("scan", "--select", "NOPE", "/bin/ls").returncode == 2


def test_checks_and_explain() -> None:
    listing = run("checks")
    assert listing.returncode == 0
    for check in all_checks():
        assert check.id in listing.stdout
    explained = run("explain", "partial-relro")
    assert explained.returncode == 0
    assert "CG103" in explained.stdout and "-bindnow" in explained.stdout
    catalogue = json.loads(run("checks", "--format", "json").stdout)
    assert {c["id"] for c in catalogue} == {c.id for c in all_checks()}


def test_config_in_pyproject(dist: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[tool.cgoguard]\nignore = ["CG1"]\nfail-on = "low"\n\n'
        '[tool.cgoguard.severity]\nCG201 = "critical"\n\n'
        '[tool.cgoguard.per-path-ignores]\n"*.a!*" = ["CG2"]\n'
    )
    proc = run("scan", dist, "--format", "json", cwd=project)
    report = json.loads(proc.stdout)
    ids = {f["id"] for a in report["artifacts"] for f in a["findings"]}
    assert ids and not any(i.startswith("CG1") for i in ids)
    severities = {f["severity"] for a in report["artifacts"] for f in a["findings"] if f["id"] == "CG201"}
    assert severities == {"critical"}
    archive = next(a for a in report["artifacts"] if a["members"])
    assert not [f for m in archive["members"] for f in m["findings"] if f["id"].startswith("CG2")]
    (project / "pyproject.toml").write_text("[tool.cgoguard]\nbogus = 1\n")
    bad = run("scan", dist, cwd=project)
    assert bad.returncode == 2 and "unknown key" in bad.stderr and "Traceback" not in bad.stderr


def test_bad_inputs_never_crash(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    real = fixture_path("go_cshared_default").read_bytes()
    (tmp_path / "truncated.so").write_bytes(real[:200])
    (tmp_path / "header-only.so").write_bytes(real[:64])
    garbage = bytearray(real[:4096])
    garbage[0x20:0x28] = b"\xff" * 8  # e_phoff far past the end
    (tmp_path / "bad-phoff.so").write_bytes(bytes(garbage))
    (tmp_path / "bad.a").write_bytes(
        b"!<arch>\nfoo.o/          0           0     0     644     99999     `\n"
    )
    (tmp_path / "empty.so").write_bytes(b"")
    (tmp_path / "dangling.so").symlink_to(tmp_path / "missing-target")
    loop = tmp_path / "loop"
    loop.mkdir()
    (loop / "again").symlink_to(loop)
    proc = run("scan", tmp_path, "--format", "json", "--jobs", "2")
    assert "Traceback" not in proc.stderr and "Traceback" not in proc.stdout
    report = json.loads(proc.stdout)
    errors = {Path(a["path"]).name: a["error"] for a in report["artifacts"] if a["error"]}
    assert set(errors) >= {"truncated.so", "header-only.so", "bad-phoff.so", "bad.a", "dangling.so"}
    assert all(e and e.endswith(".") for e in errors.values())
    assert proc.returncode == 3  # nothing readable: incomplete


# Root (how CI runs) reads any file: without the two capabilities that let it, a file's mode applies
# to root as to any user. Running as 'nobody' instead is not possible where the interpreter lives under
# /root (mode 0700, as with pyenv). setpriv is util-linux's, essential on Debian.
_DAC = "-dac_override,-dac_read_search"
AS_ANY_USER = ["setpriv", f"--inh-caps={_DAC}", f"--bounding-set={_DAC}", "--"] if os.geteuid() == 0 else []


def test_unreadable_file(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    target = tmp_path / "secret.so"
    shutil.copy(fixture_path("c_shared_hardened"), target)
    target.chmod(0)
    proc = subprocess.run(
        [*AS_ANY_USER, sys.executable, "-m", "cgoguard", "scan", str(tmp_path), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert "Traceback" not in proc.stderr
    (artifact,) = json.loads(proc.stdout)["artifacts"]
    assert artifact["error"] == f"permission denied: cannot read {target}."
    # exit code: see test_exit_codes.py
    assert proc.returncode == 3, proc.stderr  # the only file could not be read: incomplete


def test_duplicates_by_inode(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    shutil.copy(fixture_path("c_hardened"), tmp_path / "prog")
    (tmp_path / "link").symlink_to(tmp_path / "prog")
    os.link(tmp_path / "prog", tmp_path / "hardlink")
    report = json.loads(run("scan", tmp_path, tmp_path / "prog", "--format", "json").stdout)
    assert len(report["artifacts"]) == 1
    assert report["summary"]["skipped_duplicates"] == 3


def test_output_file_is_atomic_and_python_api_matches(dist: Path, tmp_path: Path) -> None:
    import cgoguard

    out = tmp_path / "report.json"
    run("scan", dist, "--format", "json", "--output", out)
    cli = json.loads(out.read_text())
    assert not list(tmp_path.glob("report.json.tmp-*"))
    api = cgoguard.scan([dist, tmp_path / "missing"])
    assert sorted(a.path for a in api.artifacts if a.error is None) == sorted(
        a["path"] for a in cli["artifacts"]
    )
    assert api.missing == [str(tmp_path / "missing")]
    counted = sum(len(a.findings) + sum(len(m.findings) for m in a.members) for a in api.artifacts)
    assert api.findings_at_or_above(Severity.INFO) == counted > 0
    assert api.findings_at_or_above(Severity.CRITICAL) == 0


def test_docs_catalogue_is_generated_from_the_code() -> None:
    from cgoguard.reports.catalogue import catalogue_markdown

    docs = Path(__file__).resolve().parents[1] / "docs" / "checks.md"
    assert docs.read_text() == catalogue_markdown(all_checks()), (
        "docs/checks.md is stale: run `cgoguard checks --format markdown > docs/checks.md`"
    )


def test_every_check_documents_itself() -> None:
    import re

    names = set()
    for check in all_checks():
        assert re.fullmatch(r"CG[1-9]\d\d", check.id)
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", check.name) and check.name not in names
        names.add(check.name)
        assert check.title and check.applies_to and len(check.rationale) > 80 and check.fix


def test_output_to_a_special_file_keeps_it(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    import stat
    import threading

    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[str] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text()))
    reader.start()
    proc = run("scan", fixture_path("c_hardened"), "--format", "json", "--output", fifo)
    reader.join(timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(fifo.stat().st_mode), "the FIFO was replaced by a regular file"
    assert json.loads(received[0])["artifacts"]


def test_no_hash_leaves_sha256_null(fixture_path: Callable[[str], Path]) -> None:
    hashed = json.loads(run("scan", fixture_path("go_carchive_default"), "--format", "json").stdout)
    plain = json.loads(
        run("scan", fixture_path("go_carchive_default"), "--format", "json", "--no-hash").stdout
    )
    import hashlib

    archive = hashed["artifacts"][0]
    assert archive["sha256"] == hashlib.sha256(fixture_path("go_carchive_default").read_bytes()).hexdigest()
    assert all(m["sha256"] for m in archive["members"])
    assert plain["artifacts"][0]["sha256"] is None
    assert all(m["sha256"] is None for m in plain["artifacts"][0]["members"])
    assert plain["artifacts"][0]["findings"] == archive["findings"]


def test_text_report_prints_text_literally() -> None:
    import io

    from cgoguard.model import Finding, Severity, SourceLocation
    from cgoguard.outcome import item_of
    from cgoguard.reports import ReportContext
    from cgoguard.reports.text import TextReporter

    finding = Finding(
        "CG453", Severity.MEDIUM, "t", "uses [bold]int[/] :smile:", "f", SourceLocation("lib.h", 100, 12)
    )
    out = io.StringIO()
    reporter = TextReporter(out, ReportContext("lint", {}, [], color=False))
    reporter.add(item_of(Artifact(path="lib.h", findings=[finding])))
    text = out.getvalue()
    assert "lib.h:100:12" in text and "[bold]int[/] :smile:" in text
