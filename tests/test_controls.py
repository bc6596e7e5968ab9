"""Framework mappings: the shipped files are valid, complete and honest; a user's file is checked alike."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from cgoguard.checks import all_checks
from cgoguard.controls import frameworks, parse_framework, shipped_frameworks
from cgoguard.errors import ConfigError

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clirun import run

HARDENING = {f"CG1{n:02d}" for n in range(1, 11)}


def _gbt() -> object:
    (found,) = [f for f in shipped_frameworks() if f.id == "gbt22239-2019-l3"]
    return found


def test_every_item_of_8_1_4_is_there_once_with_its_test_unit() -> None:
    gbt = _gbt()
    items = [c for c in gbt.controls if c.id.startswith("8.1.4.")]  # type: ignore[attr-defined]
    assert len(items) == 34
    units = sorted(c.test_unit for c in items)
    assert units == [f"L3-CES1-{n:02d}" for n in range(1, 36) if n != 16]  # CES1-16 does not exist
    assert all(c.cls == "安全计算环境" and c.text for c in items)


def test_grades_are_honest() -> None:
    gbt = {c.id: c for c in _gbt().controls}  # type: ignore[attr-defined]
    # The seed mapped PIE to 8.1.4.2 a) (user accounts): no edge at all.
    assert gbt["8.1.4.2 a)"].addressable == "none" and gbt["8.1.4.2 a)"].edges == ()
    # Known vulnerabilities: partial, and exploit mitigations explicitly evidence nothing there.
    known = gbt["8.1.4.4 e)"]
    assert known.addressable == "partial" and known.assessor_must_also
    assert {"CG230", "CG231"} <= set(known.edges[0].checks) and known.edges[
        0
    ].relationship == "partially-satisfies"
    assert any(set(e.checks) >= HARDENING and e.relationship == "none" for e in known.edges)
    # Hardening is at most supporting evidence against malicious code.
    assert gbt["8.1.4.5 a)"].addressable == "supporting"
    assert all(e.relationship in ("supports", "none") for e in gbt["8.1.4.5 a)"].edges)
    # Nothing is "satisfies" for a whole item: a binary auditor never covers a host-level control alone.
    assert not [c.id for c in gbt.values() for e in c.edges if e.relationship == "satisfies"]


def test_edges_name_only_catalogue_checks() -> None:
    known = {c.id for c in all_checks()}
    for framework in shipped_frameworks():
        for control in framework.controls:
            for edge in control.edges:
                assert set(edge.checks) <= known, (framework.id, control.id)


MINIMAL = """
schema_version: 1
framework: {id: my-policy, title: Our policy, edition: "2026", text_status: paraphrase}
controls:
  - id: P-1
    control_point: hardening
    text: Executables are position-independent.
    addressable: partial
    mappings:
      - {checks: [CG101], relationship: partially-satisfies, rationale: PIE is read from the ELF header.}
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("CG101]", "CG999]"), "not in the catalogue: CG999"),
        (("partially-satisfies", "proves"), "is not one of"),
        (("schema_version: 1", "schema_version: 2"), "schema_version"),
        (
            ("checks: [CG101], relationship: partially-satisfies", "checks: [CG101], relationship: none"),
            "no check gives",
        ),
        (("id: P-1", "id: P-1\n    extra: 1"), "Additional properties"),
        (("controls:", "controls: [\n"), "not YAML"),
    ],
)
def test_a_wrong_mapping_file_is_one_sentence(change: tuple[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_framework(MINIMAL.replace(*change), "policy.yaml")


def test_a_users_mapping_file_adds_a_framework(tmp_path: Path) -> None:
    own = tmp_path / "policy.yaml"
    own.write_text(MINIMAL)
    ids = [f.id for f in frameworks([str(own)])]
    assert ids == sorted(ids) and {"gbt22239-2019-l3", "my-policy"} <= set(ids)
    listed = json.loads(run("frameworks", "--mapping", own, "--format", "json").stdout)
    mine = next(f for f in listed if f["id"] == "my-policy")
    assert mine["controls"] == 1 and mine["addressable"]["partial"] == 1 and mine["source"] == str(own)
    text = run("frameworks")
    assert text.returncode == 0 and "GB/T 22239-2019" in text.stdout and "34 none" not in text.stdout
    broken = tmp_path / "broken.yaml"
    broken.write_text(MINIMAL.replace("CG101]", "CG999]"))
    refused = run("frameworks", "--mapping", broken)
    assert refused.returncode == 2 and "CG999" in refused.stderr and "Traceback" not in refused.stderr
    assert run("frameworks", "--mapping", tmp_path / "missing.yaml").returncode == 2


def test_nist_memory_protection_is_partial_and_signing_is_not_claimed() -> None:
    (nist,) = [f for f in shipped_frameworks() if f.id == "nist-800-53r5"]
    controls = {c.id: c for c in nist.controls}
    memory = controls["SI-16"]
    assert memory.addressable == "partial" and {"CG101", "CG104", "CG105"} <= set(memory.edges[0].checks)
    # No signatures are made or verified yet: code authentication and signed components evidence nothing.
    assert controls["SI-7(15)"].edges == () and controls["CM-14"].edges == ()


def test_a_users_file_amends_one_control_and_keeps_the_rest(tmp_path: Path) -> None:
    patch = tmp_path / "mine.yaml"
    patch.write_text(
        """schema_version: 1
framework: {id: gbt22239-2019-l3, title: mine, edition: local, text_status: paraphrase, amends: true}
controls:
- id: 8.1.4.2 a)
  control_point: 访问控制
  text: 应对登录的用户分配账户和权限；
  addressable: supporting
  mappings:
  - checks: [CG101]
    relationship: supports
    build_modes: [exe, pie]
    rationale: our own reading
""",
        encoding="utf-8",
    )
    (amended,) = [f for f in frameworks([str(patch)]) if f.id == "gbt22239-2019-l3"]
    shipped = _gbt()
    assert len(amended.controls) == len(shipped.controls)  # type: ignore[attr-defined]
    changed = {c.id: c for c in amended.controls}["8.1.4.2 a)"]
    assert changed.edges[0].build_modes == ("exe", "pie") and changed.addressable == "supporting"
    assert "amended by" in amended.source
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text(patch.read_text("utf-8").replace("gbt22239-2019-l3", "nope"), encoding="utf-8")
    with pytest.raises(ConfigError, match="amends nope"):
        frameworks([str(unknown)])


def test_every_shipped_file_validates_against_the_schema() -> None:
    # At run time the shipped files skip the schema (jsonschema's import is slow); here they do not.
    from importlib import resources

    folder = resources.files("cgoguard.data").joinpath("frameworks")
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".yaml"))
    assert len(names) >= 2
    for name in names:
        parse_framework(folder.joinpath(name).read_text("utf-8"), name, check_schema=True)
