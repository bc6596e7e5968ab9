"""`cgoguard probe` on real fixtures: measured ASLR, W^X, RELRO, FIPS mode, failures.

Every probe here really loads or runs the fixture in the sandboxed helper; few runs
(8) keep the module near half a minute, and a random base stays put over 8 runs with
negligible probability (each random bit: 2^-7; the tests ask for any bit at all).
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import clirun
from cgoguard.api import probe
from cgoguard.errors import UsageError
from cgoguard.gobuild.manifest import SCHEMA
from cgoguard.model import Artifact, Severity
from cgoguard.probe.runner import probe_environment
from cgoguard.readers.procfs import parse_maps_line, parse_report

RUNS = 8
FixturePath = Callable[[str], Path]


@pytest.fixture(autouse=True)
def _helper_cache(build_env: dict[str, str]) -> Iterator[None]:
    """The helper is compiled into the fixture cache (CGOGUARD_CACHE_DIR), once."""
    yield


def _probed(path: Path, **options: object) -> Artifact:
    report = probe([path], runs=RUNS, yes_execute=True, **options)  # type: ignore[arg-type]
    (artifact,) = report.artifacts
    return artifact


def _series(artifact: Artifact, region: str) -> tuple[int, int]:
    assert artifact.probe is not None, artifact.error
    found = next(s for s in artifact.probe.series if s.region == region)
    return found.varying_bits, found.distinct


def _ids(artifact: Artifact) -> dict[str, Severity]:
    return {f.check_id: f.severity for f in artifact.findings}


@pytest.mark.parametrize("name", ["go_pie_default", "go_cshared_default", "c_hardened"])
def test_position_independent_images_measure_entropy(fixture_path: FixturePath, name: str) -> None:
    artifact = _probed(fixture_path(name))
    bits, distinct = _series(artifact, "image")
    assert bits > 0 and distinct > 1
    assert _series(artifact, "stack")[0] > 0
    assert artifact.probe is not None
    if artifact.probe.kind == "library":  # a thread the helper starts beside the library's code
        assert _series(artifact, "thread stack")[0] > 0
    else:
        assert all(s.region != "thread stack" for s in artifact.probe.series)
    assert "CG501" in artifact.applied and "CG501" not in _ids(artifact)
    assert artifact.probe is not None and artifact.probe.runs == RUNS


def test_a_fixed_address_executable_measures_zero_bits(fixture_path: FixturePath) -> None:
    artifact = _probed(fixture_path("go_exe_default"))
    assert _series(artifact, "image") == (0, 1)
    assert _ids(artifact)["CG501"] == Severity.MEDIUM  # confirms the static CG101 at run time
    message = next(f.message for f in artifact.findings if f.check_id == "CG501")
    assert f"measured: {RUNS} runs" in message and "0x400000" in message
    assert artifact.probe is not None and artifact.probe.exit == "status 0"
    assert artifact.probe.relro is None and "CG504" in artifact.not_applicable


def test_a_writable_executable_segment_is_caught_at_run_time(fixture_path: FixturePath) -> None:
    artifact = _probed(fixture_path("c_rwx"))
    assert _ids(artifact)["CG503"] == Severity.HIGH
    assert artifact.probe is not None
    assert [m.perms for m in artifact.probe.wx_mappings] == ["rwxp"]
    assert artifact.probe.wx_mappings[0] in artifact.probe.mappings


def test_relro_is_read_only_after_load_where_the_image_asks(fixture_path: FixturePath) -> None:
    artifact = _probed(fixture_path("go_cshared_bindnow"))
    assert artifact.probe is not None and artifact.probe.relro is not None
    assert artifact.probe.relro.end > artifact.probe.relro.start
    assert artifact.probe.relro.writable == ()
    assert "CG504" in artifact.applied and "CG504" not in _ids(artifact)
    assert artifact.probe.wx_mappings == [] and "CG503" in artifact.applied


def test_relro_undone_at_run_time_is_caught(fixture_path: FixturePath) -> None:
    artifact = _probed(fixture_path("c_relro_undone"))
    assert artifact.hardening is not None and artifact.hardening.relro == "full"  # statically: all is well
    assert artifact.probe is not None and artifact.probe.relro is not None
    assert artifact.probe.relro.writable != ()
    assert "CG504" in _ids(artifact)


@pytest.fixture(autouse=True)
def _no_go_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Go's variables of the test environment would reach the probed process."""
    monkeypatch.delenv("GODEBUG", raising=False)
    monkeypatch.delenv("GOFIPS140", raising=False)


@pytest.mark.parametrize(("godebug", "answer"), [("fips140=on", 1), ("fips140=off", 0)])
def test_a_bridge_library_reports_its_fips_mode(fixture_path: FixturePath, godebug: str, answer: int) -> None:
    artifact = _probed(fixture_path("go_cshared_fipsbridge"), env={"GODEBUG": godebug})
    assert artifact.probe is not None
    assert artifact.probe.fips_function == "demo_fips140_enabled"
    assert artifact.probe.fips_result == answer
    (finding,) = (f for f in artifact.findings if f.check_id == "CG505")
    assert finding.message.startswith(f"FIPS 140-3 mode {'on' if answer else 'off'}: demo_fips140_enabled()")


def test_a_fips_build_overridden_at_run_time_is_a_finding(fixture_path: FixturePath) -> None:
    artifact = _probed(fixture_path("go_exe_fips"), env={"GODEBUG": "fips140=off"})
    (finding,) = (f for f in artifact.findings if f.check_id == "CG505")
    assert finding.severity == Severity.MEDIUM
    assert "GODEBUG fips140=off" in finding.message and "default is fips140=on" in finding.message
    quiet = _probed(fixture_path("go_exe_fips"))
    assert _ids(quiet)["CG505"] == Severity.INFO


def _leftovers(path: Path) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(path).encode() in (entry / "cmdline").read_bytes():
                    found.append(entry.name)
            except OSError:
                continue
    return found


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("c_probe_crash", "killed by SIGSEGV"),
        ("c_probe_hang", "did not finish within the probe time limit of 1 s"),
    ],
)
def test_a_probe_that_crashes_or_hangs_is_one_error(fixture_path: FixturePath, name: str, says: str) -> None:
    path = fixture_path(name)
    report = probe([path], runs=RUNS, yes_execute=True, timeout=1)
    (artifact,) = report.artifacts
    assert artifact.error is not None and artifact.error.startswith(f"probe: run 1 of {RUNS}: ")
    assert says in artifact.error
    assert report.unread == [(str(path), artifact.error)]
    assert report.exit_code() == 3
    assert _leftovers(path) == []


def test_a_process_that_leaves_the_group_does_not_outlive_the_probe(fixture_path: FixturePath) -> None:
    path = fixture_path("c_probe_escape")  # its constructor starts a setsid() daemon
    (artifact,) = probe([path], runs=2, yes_execute=True).artifacts
    assert artifact.error is None and artifact.probe is not None
    if "pid" in artifact.probe.network:  # the PID namespace's end kills it; without one nothing does
        assert _leftovers(path) == []


def test_probing_needs_consent_unless_cgoguard_built_it(fixture_path: FixturePath, tmp_path: Path) -> None:
    copy = tmp_path / "c_hardened"
    shutil.copyfile(fixture_path("c_hardened"), copy)
    copy.chmod(0o755)
    with pytest.raises(UsageError, match="--yes-execute"):
        probe([copy], runs=2)
    manifest = {"schema": SCHEMA, "outputs": [{"path": copy.name, "sha256": "0" * 64}]}
    (tmp_path / "hardened.manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(UsageError, match="was not built by `cgoguard build`"):
        probe([copy], runs=2)  # a manifest naming other bytes is no consent
    manifest["outputs"][0]["sha256"] = hashlib.sha256(copy.read_bytes()).hexdigest()  # type: ignore[index]
    (tmp_path / "hardened.manifest.json").write_text(json.dumps(manifest))
    (artifact,) = probe([copy], runs=2).artifacts
    assert artifact.error is None and artifact.probe is not None


def test_the_command_line_passes_program_arguments_and_writes_json(fixture_path: FixturePath) -> None:
    path = fixture_path("go_pie_default")
    done = clirun.run(
        "probe",
        "--yes-execute",
        "--runs",
        "2",
        "-f",
        "json",
        "--fail-on",
        "critical",
        path,
        "--",
        "--version",
    )
    assert done.returncode == 0, done.stderr
    (artifact,) = json.loads(done.stdout)["artifacts"]
    assert artifact["measured"]["arguments"] == ["--version"]
    assert artifact["measured"]["kind"] == "executable" and artifact["measured"]["runs"] == 2
    assert {"CG501", "CG503"} <= set(artifact["checks"]["passed"])
    refused = clirun.run("probe", path)
    assert refused.returncode == 2 and "--yes-execute" in refused.stderr and "Traceback" not in refused.stderr
    archive = clirun.run("probe", "--yes-execute", fixture_path("c_archive"))
    assert archive.returncode == 2 and "not an archive or a container" in archive.stderr
    folder = clirun.run("probe", "--yes-execute", path.parent)
    assert folder.returncode == 2 and "not folders" in folder.stderr


def test_the_report_parser_reads_what_the_helper_prints() -> None:
    text = "\n".join(
        [
            "cgoguard-probe 1",
            "network shared unshare(CLONE_NEWUSER|CLONE_NEWNET): Operation not permitted",
            "function -1",
            "dumpable 0",
            "begin maps",
            "55d0c0a00000-55d0c0a01000 r-xp 00001000 fe:00 42    /opt/x/lib x.so",
            "7ffd1000-7ffd2000 rw-p 00000000 00:00 0                          [stack]",
            "end maps",
            "begin limits",
            "Max core file size        0                    unlimited            bytes",
            "end limits",
            "begin environ",
            "GODEBUG=fips140=only",
            "",
            "end environ",
        ]
    )
    run = parse_report(text)
    assert not run.complete  # no "done": cut short
    assert run.function == -1 and run.dumpable == 0 and run.core_limit == "0"
    assert run.network.startswith("shared")
    assert run.maps[0].path == "/opt/x/lib x.so" and run.maps[0].inode == 42 and run.maps[0].offset == 0x1000
    assert run.maps[1].path == "[stack]" and not run.maps[1].writable_and_executable
    assert run.environ == {"GODEBUG": "fips140=only"}
    assert run.maps[0].device == "fe:00"
    assert parse_report("").error is not None and parse_maps_line("garbage") is None


def test_only_the_loader_and_go_variables_reach_the_probed_process(
    fixture_path: FixturePath, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = {"CGOGUARD_TEST_SECRET": "token", "PATH": "/usr/bin", "GODEBUG": "fips140=off"}
    assert probe_environment(base, {"GODEBUG": "fips140=on"}) == {"PATH": "/usr/bin", "GODEBUG": "fips140=on"}
    monkeypatch.setenv("GODEBUG", "fips140=on")  # inherited: it decides how the Go runtime starts
    artifact = _probed(fixture_path("go_cshared_fipsbridge"))
    assert artifact.probe is not None
    assert artifact.probe.godebug == "fips140=on" and artifact.probe.fips_result == 1


def test_comply_counts_measured_checks_only_when_probed(fixture_path: FixturePath) -> None:
    from cgoguard.api import comply

    path = fixture_path("c_rwx")
    probed = comply([path], frameworks=["nist-800-53r5"], probe_runs=2, yes_execute=True)
    (control,) = (c for f in probed.evidence for c in f.controls if c.control.id == "SI-16")
    (edge,) = (e for e in control.edges if "CG503" in e.edge.checks)
    assert edge.status == "gaps" and edge.kind == "measured"
    assert {e.kind for e in control.edges if "CG101" in e.edge.checks} == {"static"}
    assert [f.message for c in edge.checks for f in c.failures if c.check_id == "CG503"] != []
    static = comply([path], frameworks=["nist-800-53r5"])
    (control,) = (c for f in static.evidence for c in f.controls if c.control.id == "SI-16")
    (edge,) = (e for e in control.edges if "CG503" in e.edge.checks)
    assert edge.status == "not-evaluated"
    assert {c.not_evaluated for c in edge.checks} == {
        "the artifacts were not probed (comply --probe, or cgoguard probe)"
    }
