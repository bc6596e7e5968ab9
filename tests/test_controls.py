"""Framework mappings: the shipped files are valid, complete and honest; a user's file is checked alike."""

from __future__ import annotations

import ast
import json
import re
import sys
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
import yaml

from cgoguard import i18n
from cgoguard.checks import all_checks
from cgoguard.controls import Control, Framework, frameworks, parse_framework, shipped_frameworks
from cgoguard.errors import ConfigError
from cgoguard.i18n import catalogue_ids_zh, title_zh

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
    controls = _controls("nist-800-53r5")
    memory = controls["SI-16"]
    assert memory.addressable == "partial"
    # PIE is evidence about executables only; NX, W^X and RELRO about every image; what
    # `cgoguard probe` measured (ASLR, W^X, RELRO after load) beside them, never instead.
    pie, rest, measured = memory.edges
    assert pie.checks == ("CG101",) and set(pie.build_modes) == {"exe", "pie", "c"}
    assert {"CG104", "CG105"} <= set(rest.checks) and rest.build_modes == ()
    assert measured.checks == ("CG501", "CG502", "CG503", "CG504")
    assert measured.relationship == "partially-satisfies" and "probed machine" in measured.scope
    # CG240 (a verified signature covers the file) supports code authentication; preventing the
    # installation of unsigned components (CM-14) stays a deployment control with no edge.
    (signed,) = controls["SI-7(15)"].edges
    assert signed.checks == ("CG240",) and signed.relationship == "supports"
    assert controls["CM-14"].edges == () and "--sign" in controls["CM-14"].why_not


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


SHIPPED = {"gbt22239-2019-l3", "nist-800-53r5", "ssdf-1.1", "openssf-compiler-hardening", "fips-140-3"}
RANK = {"none": 0, "supports": 1, "partially-satisfies": 2, "satisfies": 3}
GRADE = {"none": 0, "supporting": 1, "partial": 2, "full": 3}
CJK = re.compile(r"[\u4e00-\u9fff]")
# A verdict of compliance, in either language; clause texts (``text``, ``control_point``) may use the words.
VERDICT = re.compile(r"\bcompliant\b|\bcompliance with\b|合规|符合要求|满足要求", re.IGNORECASE)


def _controls(framework_id: str) -> dict[str, Control]:
    (found,) = [f for f in shipped_frameworks() if f.id == framework_id]
    return {c.id: c for c in found.controls}


def _prose(framework: Framework) -> Iterator[str]:
    yield from (framework.note, framework.note_zh)
    for control in framework.controls:
        yield from (
            control.why_not,
            control.why_not_zh,
            *control.assessor_must_also,
            *control.assessor_must_also_zh,
        )
        for e in control.edges:
            yield from (e.rationale, e.rationale_zh, e.scope, e.scope_zh, *e.conditions, *e.conditions_zh)


def test_every_shipped_file_validates_against_the_schema_and_is_listed() -> None:
    folder = resources.files("cgoguard.data").joinpath("frameworks")
    schema = json.loads(folder.joinpath("mapping.schema.json").read_text("utf-8"))
    files = sorted(e.name for e in folder.iterdir() if e.name.endswith(".yaml"))
    for name in files:
        jsonschema.validate(yaml.safe_load(folder.joinpath(name).read_text("utf-8")), schema)
    assert len(files) == len(SHIPPED) and {f.id for f in shipped_frameworks()} == SHIPPED
    listed = json.loads(run("frameworks", "--format", "json").stdout)
    assert {f["id"] for f in listed} == SHIPPED
    assert all(f["title_zh"] or CJK.search(f["title"]) for f in listed)


def test_controls_are_unique_and_every_grade_is_carried_by_an_edge() -> None:
    for framework in shipped_frameworks():
        ids = [c.id for c in framework.controls]
        assert len(ids) == len(set(ids)), framework.id
        for control in framework.controls:
            strongest = max((RANK[e.relationship] for e in control.edges), default=0)
            # A control is never graded above its strongest edge, and a graded control has evidence.
            assert strongest == GRADE[control.addressable] or (strongest > GRADE[control.addressable] > 0), (
                framework.id,
                control.id,
            )
            if control.addressable == "none":
                assert control.why_not and all(e.relationship == "none" for e in control.edges), control.id


def test_every_piece_of_english_prose_has_its_chinese_twin() -> None:
    for framework in shipped_frameworks():
        assert framework.title_zh or CJK.search(framework.title), framework.id
        assert not framework.note or CJK.search(framework.note_zh), framework.id
        for control in framework.controls:
            where = (framework.id, control.id)
            assert bool(control.why_not) == bool(control.why_not_zh), where
            assert len(control.assessor_must_also) == len(control.assessor_must_also_zh), where
            for e in control.edges:
                assert CJK.search(e.rationale_zh), where
                assert bool(e.scope) == bool(e.scope_zh) and len(e.conditions) == len(e.conditions_zh), where
            for zh in (control.why_not_zh, *control.assessor_must_also_zh):
                assert not zh or CJK.search(zh), where
        # Clause texts stay in the standard's language: only GB/T's are Chinese.
        chinese_texts = [c.id for c in framework.controls if CJK.search(c.text)]
        assert bool(chinese_texts) == (framework.id == "gbt22239-2019-l3"), framework.id


def test_no_text_claims_compliance() -> None:
    for framework in shipped_frameworks():
        claims = [s for s in _prose(framework) if VERDICT.search(s)]
        assert not claims, (framework.id, claims)


def test_a_chinese_twin_list_goes_item_by_item() -> None:
    broken = MINIMAL.replace(
        "rationale: PIE is read from the ELF header.}",
        "rationale: PIE is read from the ELF header., conditions: [a, b], conditions_zh: [甲]}",
    )
    with pytest.raises(ConfigError, match="conditions_zh has 1 items, conditions has 2"):
        parse_framework(broken, "policy.yaml")
    twin = MINIMAL.replace(
        "rationale: PIE is read from the ELF header.}", "rationale: PIE., rationale_zh: 读取 ELF 头。}"
    )
    (edge,) = parse_framework(twin, "policy.yaml").controls[0].edges
    assert edge.localized("zh")[0] == "读取 ELF 头。" and edge.localized("en")[0] == "PIE."
    # A file without twins is still valid, and falls back to English.
    (plain,) = parse_framework(MINIMAL, "policy.yaml").controls[0].edges
    assert plain.localized("zh")[0] == plain.rationale


def test_ssdf_has_every_task_and_maps_compiler_hardening_to_pw_6_2() -> None:
    ssdf = _controls("ssdf-1.1")
    assert len(ssdf) == 42
    per_practice = {p: sum(1 for c in ssdf if c.startswith(p)) for p in ("PO.", "PS.", "PW.", "RV.")}
    assert per_practice == {"PO.": 13, "PS.": 4, "PW.": 16, "RV.": 9}
    pw62 = ssdf["PW.6.2"]
    assert pw62.addressable == "partial" and pw62.assessor_must_also
    evidenced = {c for e in pw62.edges if e.relationship == "partially-satisfies" for c in e.checks}
    assert evidenced >= HARDENING and {"CG207", "CG212"} <= evidenced
    # Canaries and FORTIFY are about C code: C programs, or Go artifacts on condition that cgo compiled C.
    for e in pw62.edges:
        if {"CG108", "CG109"} & set(e.checks):
            assert e.build_modes == ("c",) or (e.conditions and "cgo" in e.conditions[0]), e
    assert {c for e in ssdf["PW.4.4"].edges for c in e.checks} >= {"CG230", "CG204"}
    assert "CG230" in ssdf["RV.1.1"].edges[0].checks
    # Integrity verification information: CG240 checks the signatures given; archiving has no check.
    assert [e.checks for e in ssdf["PS.2.1"].edges] == [("CG240",)] and ssdf[
        "PS.2.1"
    ].addressable == "partial"
    assert ssdf["PS.3.1"].addressable == "none" and "--sign" in ssdf["PS.3.1"].why_not
    assert all(ssdf[t].addressable == "none" for t in ("PO.1.1", "PO.2.2", "PW.1.1", "RV.1.3"))


def test_openssf_says_per_option_whether_the_binary_shows_it() -> None:
    guide = _controls("openssf-compiler-hardening")
    shown = {
        "-fPIE -pie": "CG101",
        "-Wl,-z,noexecstack": "CG104",
        "-Wl,-z,relro -Wl,-z,now": "CG102",
        "-fstack-protector-strong": "CG108",
        "-D_FORTIFY_SOURCE=3": "CG109",
        "-fcf-protection=full": "CG110",
        "-mbranch-protection=standard": "CG110",
        "-Wl,-rpath": "CG107",
    }
    for option, check in shown.items():
        assert guide[option].addressable != "none" and check in guide[option].edges[0].checks, option
    assert set(guide["-fPIE -pie"].edges[0].build_modes) == {"exe", "pie", "c"}
    # Warnings leave nothing in the binary; neither do stack-clash probes for cgoguard.
    for option in ("-Wformat -Wformat=2", "-Werror=format-security", "-fstack-clash-protection", "-O2"):
        assert guide[option].addressable == "none" and guide[option].edges == (), option
    # Go emits no CET notes: for Go build modes the edge evidences nothing.
    go_edge = guide["-fcf-protection=full"].edges[1]
    assert go_edge.relationship == "none" and "c" not in go_edge.build_modes


def test_fips_says_which_module_but_never_the_run_time_mode() -> None:
    fips = _controls("fips-140-3")
    (framework,) = [f for f in shipped_frameworks() if f.id == "fips-140-3"]
    assert "#5247" in framework.note and "unverified" in framework.note
    assert fips["validated-module"].addressable == "partial"
    assert {"CG301", "CG302"} <= {c for e in fips["validated-module"].edges for c in e.checks}
    mode = fips["approved-mode"]
    assert mode.addressable == "partial" and "environment" in mode.edges[0].rationale
    assert any("GODEBUG" in step for step in mode.assessor_must_also)
    for runtime_only in ("self-tests", "approved-services", "operational-environment", "ssp-management"):
        assert fips[runtime_only].addressable == "none", runtime_only


def test_nist_vulnerability_and_inventory_controls_are_graded_conservatively() -> None:
    nist = _controls("nist-800-53r5")
    assert nist["RA-5"].addressable == "partial" and "CG230" in nist["RA-5"].edges[0].checks
    assert nist["SA-22"].edges[0].checks == ("CG204",)
    assert nist["IA-7"].addressable == "none"  # authentication to a module, not which module is linked
    assert {nist[c].addressable for c in ("CM-2", "CM-6", "CM-7", "CM-8", "SC-13")} == {"supporting"}


def test_every_catalogue_check_has_a_chinese_title() -> None:
    catalogue = {c.id for c in all_checks()}
    assert catalogue_ids_zh() == catalogue
    for check_id in catalogue:
        assert CJK.search(title_zh(check_id)), check_id
    assert title_zh("CG999") == ""  # a plug-in's check: the caller falls back to English


def test_i18n_is_a_leaf() -> None:
    tree = ast.parse(Path(i18n.__file__).read_text("utf-8"))
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not {m for m in imported if m.startswith("cgoguard")}


def test_frameworks_lists_in_chinese() -> None:
    listing = run("frameworks", "--lang", "zh")
    assert listing.returncode == 0
    assert (
        "安全软件开发框架" in listing.stdout
        and "个控制项" in listing.stdout
        and "GB/T 22239-2019" in listing.stdout
    )
    english = run("frameworks").stdout
    assert "Secure Software Development Framework" in english and "个控制项" not in english


def test_canary_and_fortify_evidence_is_about_c_code_never_pure_go() -> None:
    mitigations = {f"CG1{n:02d}" for n in range(1, 14)} | {"CG207", "CG212"}
    seen = 0
    for framework in shipped_frameworks():
        for control in framework.controls:
            for e in control.edges:
                if e.relationship == "none" or not {"CG108", "CG109"} & set(e.checks):
                    continue
                if set(e.checks) <= mitigations:
                    seen += 1
                    cgo = any("cgo" in c for c in e.conditions)
                    where = (framework.id, control.id)
                    assert e.build_modes == ("c",) or (cgo and "c" not in e.build_modes), where
    assert seen >= 6
