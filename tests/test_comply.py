"""cgoguard comply: evidence per control from real scans; the matrix; honest words in both languages."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from cgoguard.controls import shipped_frameworks
from cgoguard.reports.labels import all_labels

FIXTURES = ("go_exe_default", "go_pie_bindnow", "go_cshared_default", "c_hardened")
GBT = "gbt22239-2019-l3"
# verdict words: the report may say "evidence", never that a system is compliant
CLAIMS = ("compliant", "compliance verdict", "合规", "符合要求", "达到要求", "通过测评")


def cgoguard(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "cgoguard", *map(str, args)]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd)


@pytest.fixture(scope="module")
def dist(fixture_path: Callable[[str], Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dist")
    for name in FIXTURES:
        built = fixture_path(name)
        shutil.copy(built, folder / built.name)
    return folder


@pytest.fixture(scope="module")
def evidence(dist: Path) -> dict[str, object]:
    done = cgoguard(
        "comply", dist, "--vulndb", "off", "--framework", GBT, "--format", "json", "--no-progress"
    )
    assert done.returncode == 1, done.stderr  # go_exe_default is not PIE (high)
    document: dict[str, object] = json.loads(done.stdout)
    return document


def _control(document: dict[str, object], control_id: str) -> dict[str, object]:
    (framework,) = document["evidence"]  # type: ignore[misc]
    return next(c for c in framework["controls"] if c["id"] == control_id)


def test_a_failed_check_is_a_gap_with_the_artifact_named(evidence: dict[str, object]) -> None:
    control = _control(evidence, "8.1.4.5 a)")
    assert control["result"] == "gaps"
    edges = control["edges"]  # type: ignore[index]
    failures = [(f["check"], Path(f["subject"]).name) for e in edges for f in e["failures"]]
    assert ("CG101", "go_exe_default") in failures
    # pure Go has no canary verdict: on the Go build modes' edge CG108 failed only on the cgo library
    # and did not apply to the pure Go programs
    (go_edge,) = [e for e in edges if "CG108" in e["checks"] and "exe" in e["build_modes"]]
    assert go_edge["results"]["CG108"]["not-applicable"] >= 2
    assert {n for c, n in failures if c == "CG108"} <= {"go_cshared_default.so"}
    (c_edge,) = [e for e in edges if "CG108" in e["checks"] and e["build_modes"] == ["c"]]
    assert c_edge["results"]["CG108"]["passed"] == 1  # c_hardened
    # one row per artifact in the JSON, each saying which checks judged it
    by_name = {Path(a["path"]).name: a for a in evidence["artifacts"]}  # type: ignore[union-attr]
    assert "CG101" in by_name["go_exe_default"]["checks"]["failed"]
    assert "CG101" in by_name["go_pie_bindnow"]["checks"]["passed"]
    assert "CG101" in by_name["go_cshared_default.so"]["checks"]["not_applicable"]


def test_what_was_not_given_is_named_as_missing(evidence: dict[str, object]) -> None:
    known = _control(evidence, "8.1.4.4 e)")
    assert any("no vulnerability database" in line for line in known["missing"])  # type: ignore[union-attr]
    trusted = _control(evidence, "8.1.4.6 a)")
    assert trusted["result"] == "not-evaluated"
    assert any("no build manifest" in line for line in trusted["missing"])  # type: ignore[union-attr]
    # the seed's mistake stays corrected: PIE says nothing about user accounts
    accounts = _control(evidence, "8.1.4.2 a)")
    assert accounts["result"] == "not-addressable" and accounts["edges"] == []


def test_counts_add_up_to_the_controls(evidence: dict[str, object]) -> None:
    (framework,) = evidence["evidence"]  # type: ignore[misc]
    (shipped,) = [f for f in shipped_frameworks() if f.id == GBT]
    assert sum(framework["counts"].values()) == len(shipped.controls) == len(framework["controls"])


@pytest.mark.parametrize("fmt", ["text", "markdown", "csv", "json"])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_output_claims_compliance(dist: Path, fmt: str, lang: str) -> None:
    done = cgoguard("comply", dist, "--vulndb", "off", "--format", fmt, "--lang", lang, "--no-progress")
    assert done.returncode == 1, done.stderr
    text = done.stdout
    # clause texts are quoted as the standard has them (one says 符合国家密码管理主管部门的要求)
    for framework in shipped_frameworks():
        for control in framework.controls:
            text = text.replace(control.text, "")
            text = text.replace(json.dumps(control.text, ensure_ascii=False)[1:-1], "")
    lowered = text.lower()
    assert not [claim for claim in CLAIMS if claim in lowered]
    if lang == "zh" and fmt != "json":
        assert "证据" in text or "有证据" in text or "发现差距" in text


def test_no_label_claims_compliance() -> None:
    assert not [text for text in all_labels() if any(claim in text.lower() for claim in CLAIMS)]


def test_csv_has_a_row_per_control_and_check(dist: Path) -> None:
    done = cgoguard("comply", dist, "--vulndb", "off", "--framework", GBT, "--format", "csv", "--no-progress")
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    pie = [r for r in rows if r["control"] == "8.1.4.5 a)" and r["check"] == "CG101"]
    assert pie and int(pie[0]["failed"]) == 1 and int(pie[0]["passed"]) >= 1


def test_matrix_follows_profiles_and_modes() -> None:
    done = cgoguard("comply", "--matrix", "--framework", GBT, "--format", "json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    row = next(r for r in rows if r["control"] == "8.1.4.5 a)")
    hardened, default = row["profiles"]["hardened"], row["profiles"]["default"]
    assert "CG101" in hardened["exe"]["verified"]  # the hardened profile builds exe as pie
    assert "CG101" in default["exe"]["scanned"] and "CG101" not in default["exe"]["verified"]
    assert "CG101" not in hardened["c-shared"]["verified"] + hardened["c-shared"]["scanned"]
    assert "CG102" in hardened["c-shared"]["verified"]
    assert "CG210" in hardened["c-shared"]["verified"] or "CG210" not in str(row)
    # canary/FORTIFY are C-code checks, judged when scanned in every mode
    assert "CG108" in hardened["c-shared"]["verified"]
    text = cgoguard("comply", "--matrix", "--framework", GBT, "--lang", "zh")
    assert text.returncode == 0 and "构建模式" in text.stdout


def test_bad_requests_are_one_line_with_the_right_exit(dist: Path, tmp_path: Path) -> None:
    missing = cgoguard("comply", tmp_path / "nothing", "--vulndb", "off", "--no-progress")
    assert missing.returncode == 3
    unknown = cgoguard("comply", dist, "--vulndb", "off", "--framework", "iso-27001")
    assert unknown.returncode == 2 and "unknown framework iso-27001" in unknown.stderr
    assert "Traceback" not in unknown.stderr
    junk = tmp_path / "build.manifest.json"
    junk.write_text("{not json")
    bad = cgoguard("comply", dist, "--vulndb", "off", "--manifest", junk)
    assert bad.returncode == 2 and "not JSON" in bad.stderr
    other = tmp_path / "other.json"
    other.write_text('{"schema": "something else"}')
    wrong = cgoguard("comply", dist, "--vulndb", "off", "--manifest", other)
    assert wrong.returncode == 2 and "not a cgoguard build manifest" in wrong.stderr
    nothing = cgoguard("comply")
    assert nothing.returncode == 2


def test_signed_evidence_verifies_and_a_changed_byte_does_not(dist: Path, tmp_path: Path) -> None:
    private, public = _keypair(tmp_path, "key")
    report = tmp_path / "evidence.json"
    args = ("comply", dist, "--vulndb", "off", "--framework", GBT, "--format", "json", "--no-progress")
    done = cgoguard(*args, "--output", report, "--sign", private)
    assert done.returncode == 1, done.stderr
    bundle = tmp_path / "evidence.json.sig.json"
    ok = cgoguard("verify", bundle, "--key", public)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    # the artifacts' digests are in the signed predicate, as the report states them
    import base64

    statement = json.loads(base64.b64decode(json.loads(bundle.read_text())["payload"]))
    signed = {Path(a["name"]).name: a["sha256"] for a in statement["predicate"]["artifacts"]}
    in_report = {Path(a["path"]).name: a["sha256"] for a in json.loads(report.read_text())["artifacts"]}
    assert signed == in_report and len(signed) == len(FIXTURES)
    report.write_text(report.read_text().replace('"evidenced"', '"gaps"', 1))
    tampered = cgoguard("verify", bundle, "--key", public)
    assert tampered.returncode == 1 and "digest" in (tampered.stdout + tampered.stderr).lower()
    unsigned = cgoguard(*args, "--sign", private)
    assert unsigned.returncode == 2 and "--output" in unsigned.stderr


def _keypair(folder: Path, name: str) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ed25519

    key = ed25519.Ed25519PrivateKey.generate()
    private, public = folder / f"{name}.pem", folder / f"{name}.pub"
    private.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


def test_signatures_are_evidence_per_file(dist: Path, tmp_path: Path) -> None:
    from cgoguard.signing import load_private_key, sign_files, write_envelope

    private, public = _keypair(tmp_path, "release")
    other, _ = _keypair(tmp_path, "other")
    files = sorted(p for p in dist.iterdir() if p.is_file())
    signed, unsigned = files[:-1], files[-1]
    good = tmp_path / "good.sig.json"
    write_envelope(good, sign_files(signed, load_private_key(private)))
    forged = tmp_path / "forged.sig.json"
    write_envelope(forged, sign_files([unsigned], load_private_key(other)))
    done = cgoguard(
        "comply", dist, "--vulndb", "off", "--framework", "ssdf-1.1", "--format", "json", "--no-progress",
        "--signature", good, "--signature", forged, "--key", public,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    by_name = {Path(a["path"]).name: a["checks"] for a in document["artifacts"]}
    assert all("CG240" in by_name[p.name]["passed"] for p in signed)
    assert "CG240" in by_name[unsigned.name]["failed"]
    (framework,) = document["evidence"]
    task = next(c for c in framework["controls"] if c["id"] == "PS.2.1")
    assert task["result"] == "gaps" and task["edges"][0]["results"]["CG240"]["passed"] == len(signed)
    (failure,) = task["edges"][0]["failures"]
    assert Path(failure["subject"]).name == unsigned.name and "forged.sig.json" in failure["message"]
    # without bundles the control is not evaluated, and says what to give
    plain = cgoguard("comply", dist, "--vulndb", "off", "--framework", "ssdf-1.1", "--format", "json")
    (framework,) = json.loads(plain.stdout)["evidence"]
    task = next(c for c in framework["controls"] if c["id"] == "PS.2.1")
    assert task["result"] == "not-evaluated" and "--signature" in " ".join(task["missing"])
    nokey = cgoguard("comply", dist, "--vulndb", "off", "--signature", good)
    assert nokey.returncode == 2 and "--key" in nokey.stderr
    missing = cgoguard(
        "comply", dist, "--vulndb", "off", "--signature", tmp_path / "none.sig.json", "--key", public
    )
    assert missing.returncode == 3 and "does not exist" in missing.stderr
