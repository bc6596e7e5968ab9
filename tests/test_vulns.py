"""Known vulnerabilities: Go versions, OSV ranges, the database layouts, and
matching real Go fixtures against small OSV databases written here (and,
when it is present, the real Go vulnerability database snapshot)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cgoguard
from cgoguard import gosemver
from cgoguard.checks.vulns import describe_range, first_fix, in_range, matches, vulnerability_database_older
from cgoguard.config import Config
from cgoguard.model import Artifact, GoBuildInfo, GoModule
from cgoguard.readers.osv import VulnDbError, open_database, parse_entry
from cgoguard.vulnstage import linked_modules, vuln_subject

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clirun import run

Fixture = Callable[[str], Path]
REAL_DB = Path(__file__).resolve().parents[2] / "shared" / "data" / "go-vulndb-2026-08-21.zip"


def v(text: str) -> gosemver.Version:
    parsed = gosemver.parse(text)
    assert parsed is not None, text
    return parsed


def test_versions_order_like_semver() -> None:
    ordered = [
        "0.0.0-20220315160706-3147a52a75dd",
        "1.22.0-0",
        "1.22.0-rc.1",
        "1.22.0-rc.2",
        "1.22.0",
        "1.22.1",
    ]
    assert sorted(ordered, key=v) == ordered
    assert v("v2.8.6+incompatible") == v("2.8.6")  # build metadata does not order
    assert v("1.0.0-alpha") < v("1.0.0-alpha.1") < v("1.0.0-beta") < v("1.0.0-beta.2") < v("1.0.0-beta.11")
    assert gosemver.parse("(devel)") is None and gosemver.parse("1.2") is None


@pytest.mark.parametrize(
    ("release", "semver"),
    [
        ("go1.21.13", "1.21.13"),
        ("go1.22", "1.22.0"),
        ("go1.22rc1", "1.22.0-rc.1"),
        ("go1.9.2beta2", "1.9.2-beta.2"),
        ("go1.25.7 (Red Hat 1.25.7-1.module_el8.10.0+4117+b694c6c9)", "1.25.7"),  # tdewolff-minify 2.24.12
    ],
)
def test_go_releases_as_the_database_writes_them(release: str, semver: str) -> None:
    found = gosemver.go_release(release)
    assert found is not None and found.text == semver and found == v(semver)
    assert gosemver.go_release("devel go1.23-abcdef") is None


def test_osv_ranges() -> None:
    events = (("introduced", "0"), ("fixed", "1.21.11"), ("introduced", "1.22.0-0"), ("fixed", "1.22.4"))
    assert in_range(events, v("1.21.10")) and not in_range(events, v("1.21.11"))
    assert in_range(events, v("1.22.0-rc.1"))  # the pre-release floor opens the 1.22 series early
    assert in_range(events, v("1.22.3")) and not in_range(events, v("1.22.4"))
    assert first_fix(events, v("1.21.10")) == "1.21.11" and first_fix(events, v("1.22.2")) == "1.22.4"
    assert first_fix(events, v("1.22.4")) is None
    assert describe_range(events) == "<1.21.11, >=1.22.0-0 <1.22.4"
    assert describe_range((("introduced", "1.2.0"),)) == ">=1.2.0"
    assert describe_range((("introduced", "0"), ("last_affected", "1.0.5"))) == "<=1.0.5"
    assert in_range((("introduced", "1.2.0"), ("last_affected", "1.2.5")), v("1.2.5"))
    assert not in_range((("introduced", "1.2.0"), ("last_affected", "1.2.5")), v("1.2.6"))
    # Events out of order are sorted; a fix and an introduction at one version: the fix closes first.
    assert in_range((("fixed", "2.0.0"), ("introduced", "1.0.0"), ("introduced", "2.0.0")), v("2.1.0"))


def entry(advisory_id: str, module: str, events: list[dict[str, str]], **extra: Any) -> dict[str, Any]:
    affected: dict[str, Any] = {
        "package": {"name": module, "ecosystem": "Go"},
        "ranges": [{"type": "SEMVER", "events": events}],
    }
    if "imports" in extra:
        affected["ecosystem_specific"] = {"imports": extra.pop("imports")}
    return {
        "schema_version": "1.3.1",
        "id": advisory_id,
        "modified": extra.pop("modified", "2026-01-01T00:00:00Z"),
        "aliases": extra.pop("aliases", []),
        "summary": extra.pop("summary", f"summary of {advisory_id}"),
        "affected": [affected],
        "database_specific": {"url": f"https://pkg.go.dev/vuln/{advisory_id}"},
        **extra,
    }


def write_go_layout(
    folder: Path, entries: list[dict[str, Any]], modified: str = "2026-08-21T00:00:00Z"
) -> Path:
    """A database in vuln.go.dev's layout: index/db.json, index/modules.json, ID/<id>.json."""
    (folder / "ID").mkdir(parents=True)
    (folder / "index").mkdir()
    modules: dict[str, list[dict[str, str]]] = {}
    for item in entries:
        (folder / "ID" / f"{item['id']}.json").write_text(json.dumps(item))
        for affected in item["affected"]:
            modules.setdefault(affected["package"]["name"], []).append({"id": item["id"]})
    (folder / "index" / "modules.json").write_text(
        json.dumps([{"path": path, "vulns": vulns} for path, vulns in modules.items()])
    )
    (folder / "index" / "db.json").write_text(json.dumps({"modified": modified}))
    return folder


def zip_folder(folder: Path, target: Path, prefix: str = "") -> Path:
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, prefix + path.relative_to(folder).as_posix())
    return target


STDLIB_ENTRIES = [
    entry(
        "GO-2099-0001",
        "stdlib",
        [{"introduced": "0"}, {"fixed": "1.27.4"}],
        aliases=["CVE-2099-0001"],
        imports=[{"path": "fmt", "symbols": ["Println"]}],
    ),
    entry("GO-2099-0002", "stdlib", [{"introduced": "0"}, {"fixed": "1.27.0"}]),  # fixed before 1.27.3
    entry(
        "GO-2099-0003",
        "stdlib",
        [{"introduced": "1.27.0-0"}, {"fixed": "1.27.9"}],
        imports=[{"path": "os", "symbols": ["Open"], "goos": ["windows"]}],
    ),
    entry("GO-2099-0004", "toolchain", [{"introduced": "0"}, {"fixed": "1.99.0"}]),
    entry(
        "GO-2099-0005", "stdlib", [{"introduced": "0"}, {"fixed": "1.99.0"}], withdrawn="2026-02-01T00:00:00Z"
    ),
]


def _scan(path: Path, database: Path) -> Artifact:
    config = Config()
    config.vulndb = str(database)
    report = cgoguard.scan([path], config=config)
    (artifact,) = report.artifacts
    return artifact


def _by_advisory(artifact: Artifact) -> dict[str, Any]:
    return {f.vulnerability.advisory.id: f for f in artifact.findings if f.vulnerability is not None}


@pytest.mark.parametrize("layout", ["folder", "zip", "zip-with-top-folder", "osv-folder", "osv-file"])
def test_every_layout_gives_the_same_matches(layout: str, tmp_path: Path, fixture_path: Fixture) -> None:
    folder = write_go_layout(tmp_path / "db", STDLIB_ENTRIES)
    database = {
        "folder": lambda: folder,
        "zip": lambda: zip_folder(folder, tmp_path / "db.zip"),
        "zip-with-top-folder": lambda: zip_folder(folder, tmp_path / "db.zip", "vulndb/"),
        "osv-folder": lambda: folder / "ID",
        "osv-file": lambda: folder / "ID" / "GO-2099-0001.json",
    }[layout]()
    found = _by_advisory(_scan(fixture_path("go_exe_default"), database))
    if layout == "osv-file":
        assert set(found) == {"GO-2099-0001"}
        return
    # 0002 is fixed before go1.27.3; 0004 names the go command; 0005 is withdrawn.
    assert set(found) == {"GO-2099-0001", "GO-2099-0003"}
    affected = found["GO-2099-0001"]
    assert affected.check_id == "CG230" and affected.vulnerability.version == "1.27.3"
    assert affected.vulnerability.fixed == "1.27.4" and "rebuild with go1.27.4" in affected.message
    assert "CVE-2099-0001" in affected.message
    # Built for linux: code built only for windows is not there (CG231, not affected, with the reason).
    windows = found["GO-2099-0003"]
    assert windows.check_id == "CG231" and not windows.vulnerability.affected
    assert "windows" in windows.vulnerability.reason


def test_module_precision_without_a_function_table(tmp_path: Path) -> None:
    database = open_database(str(write_go_layout(tmp_path / "db", STDLIB_ENTRIES)))
    subject = vuln_subject(_artifact([]), database)
    assert subject is not None and subject.functions is None
    (match,) = [m for m in matches(subject) if m.advisory.id == "GO-2099-0001"]
    assert match.affected and match.precision == "module" and "the version alone decides" in match.reason


def _artifact(deps: list[GoModule], version: str = "go1.27.3", main: GoModule | None = None) -> Artifact:
    info = GoBuildInfo(
        version, [], version, "example.com/cmd", main, deps, {"GOOS": "linux", "GOARCH": "amd64"}, False
    )
    from cgoguard.model import CgoFacts, GoFacts

    go = GoFacts([".gopclntab"], info, None, CgoFacts(False, 0, [], [], []), None)
    return Artifact("x", go=go)


def test_replaced_modules_are_matched_under_both_identities(tmp_path: Path) -> None:
    database = open_database(
        str(
            write_go_layout(
                tmp_path / "db",
                [
                    entry("GO-2099-0100", "example.com/orig", [{"introduced": "0"}, {"fixed": "1.3.0"}]),
                    entry("GO-2099-0101", "example.com/fork", [{"introduced": "1.2.0"}, {"fixed": "1.2.6"}]),
                ],
            )
        )
    )
    replaced = GoModule("example.com/orig", "v1.2.0", "", GoModule("example.com/fork", "v1.2.5", "h1:x"))
    subject = vuln_subject(_artifact([replaced]), database)
    assert subject is not None
    found = {m.advisory.id: m for m in matches(subject)}
    assert set(found) == {"GO-2099-0100", "GO-2099-0101"}
    assert found["GO-2099-0100"].replaced_by == "example.com/fork@v1.2.5"
    assert found["GO-2099-0101"].replaced_by == "example.com/orig@v1.2.0"
    assert found["GO-2099-0100"].fixed == "1.3.0"
    # A replacement by a local folder has no version: only the original identity is matched.
    local = GoModule("example.com/orig", "v1.2.0", "", GoModule("../orig", "", ""))
    assert [m.advisory.id for m in matches(vuln_subject(_artifact([local]), database))] == ["GO-2099-0100"]


def test_main_module_with_a_version_and_pseudo_versions(tmp_path: Path) -> None:
    database = open_database(
        str(
            write_go_layout(
                tmp_path / "db",
                [
                    entry("GO-2099-0200", "example.com/tool", [{"introduced": "0"}, {"fixed": "2.0.1"}]),
                    entry(
                        "GO-2099-0201",
                        "example.com/lib",
                        [{"introduced": "0"}, {"fixed": "0.0.0-20230101000000-abcdefabcdef"}],
                    ),
                ],
            )
        )
    )
    main = GoModule("example.com/tool", "v2.0.0+incompatible")
    old = GoModule("example.com/lib", "v0.0.0-20220601000000-123456789abc")
    new = GoModule("example.com/lib", "v0.0.0-20230601000000-123456789abc")
    assert [m.path for m in linked_modules(_artifact([old], main=main))] == [
        "stdlib",
        "example.com/tool",
        "example.com/lib",
    ]
    found = sorted(m.advisory.id for m in matches(vuln_subject(_artifact([old], main=main), database)))
    assert found == ["GO-2099-0200", "GO-2099-0201"]
    assert [m.advisory.id for m in matches(vuln_subject(_artifact([new]), database))] == []
    devel = GoModule("example.com/tool", "(devel)")
    assert "example.com/tool" not in [m.path for m in linked_modules(_artifact([], main=devel))]


def test_a_database_older_than_the_toolchain_says_so(tmp_path: Path, fixture_path: Fixture) -> None:
    old = [entry("GO-2099-0300", "stdlib", [{"introduced": "0"}, {"fixed": "1.25.4"}])]
    artifact = _scan(fixture_path("go_exe_default"), write_go_layout(tmp_path / "db", old))
    (stale,) = [f for f in artifact.findings if f.check_id == "CG232"]
    assert "go1.27.3" in stale.message and "go1.25.4" in stale.message and "2026-08-21" in stale.message
    database = open_database(str(write_go_layout(tmp_path / "db3", old, modified="2026-08-21T20:38:00Z")))
    later = GoModule("example.com/lib", "v0.0.0-20260901000000-123456789abc")
    earlier = GoModule("example.com/old", "v1.2.4-0.20260101000000-123456789abc")
    subject = vuln_subject(_artifact([later, earlier], version="go1.25.4"), database)
    assert subject is not None
    (stale,) = vulnerability_database_older(subject)
    assert isinstance(stale, str) and "example.com/lib" in stale and "example.com/old" not in stale
    current = [entry("GO-2099-0301", "stdlib", [{"introduced": "0"}, {"fixed": "1.27.5"}])]
    artifact = _scan(fixture_path("go_exe_default"), write_go_layout(tmp_path / "db2", current))
    assert "CG232" not in {f.check_id for f in artifact.findings}


def test_unreadable_entries_are_said_per_artifact(tmp_path: Path, fixture_path: Fixture) -> None:
    folder = write_go_layout(tmp_path / "db", STDLIB_ENTRIES)
    (folder / "ID" / "GO-2099-0001.json").write_text("{not json")
    (folder / "ID" / "GO-2099-0003.json").unlink()
    artifact = _scan(fixture_path("go_exe_default"), folder)
    (broken,) = [f for f in artifact.findings if f.check_id == "CG233"]
    assert "GO-2099-0001" in broken.message and "GO-2099-0003" in broken.message


def test_databases_that_cannot_be_used(tmp_path: Path) -> None:
    with pytest.raises(VulnDbError, match="cannot be read"):
        open_database(str(tmp_path / "missing"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(VulnDbError, match="no OSV entry"):
        open_database(str(tmp_path / "empty"))
    (tmp_path / "bad.zip").write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(VulnDbError):
        open_database(str(tmp_path / "bad.zip"))
    index = write_go_layout(tmp_path / "db", STDLIB_ENTRIES)
    (index / "index" / "modules.json").write_text("[not json")
    with pytest.raises(VulnDbError, match="cannot be read"):
        open_database(str(index))


def test_cli_vulndb(tmp_path: Path, fixture_path: Fixture) -> None:
    database = write_go_layout(tmp_path / "db", STDLIB_ENTRIES)
    binary = fixture_path("go_exe_default")
    done = run("scan", binary, "--vulndb", database, "--format", "json", "--no-progress")
    report = json.loads(done.stdout)
    assert done.returncode == 1, done.stderr  # CG101 (high) and CG230 (high once symbols are read)
    vulns = [f["vulnerability"] for f in report["artifacts"][0]["findings"] if "vulnerability" in f]
    assert {x["id"] for x in vulns} == {"GO-2099-0001", "GO-2099-0003"}
    assert (
        report["summary"]["vulndb"].startswith(str(database)) and "2026-08-21" in report["summary"]["vulndb"]
    )
    text = run("scan", binary, "--vulndb", database, "--no-progress")
    assert "Known vulnerabilities: matched against" in text.stdout and "GO-2099-0001" in text.stdout
    missing = run("scan", binary, "--vulndb", tmp_path / "nowhere")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
    assert "vulnerability database" in missing.stderr and len(missing.stderr.strip().splitlines()) == 1
    config = tmp_path / "cgoguard.toml"
    config.write_text('vulndb = "db"\n')
    configured = run("scan", binary, "--format", "json", "--no-progress", cwd=tmp_path)
    assert json.loads(configured.stdout)["summary"]["vulndb"] is not None


@pytest.mark.skipif(
    not REAL_DB.is_file(), reason="the Go vulnerability database snapshot (../shared/data) is absent"
)
def test_the_real_database(fixture_path: Fixture) -> None:
    database = open_database(str(REAL_DB))
    assert database.layout == "vuln.go.dev" and database.modules > 1000
    stdlib = database.advisories("stdlib")
    assert len(stdlib) > 100 and all(a.id.startswith("GO-") for a in stdlib)
    artifact = _scan(fixture_path("go_exe_default"), REAL_DB)
    assert "CG232" in {f.check_id for f in artifact.findings}  # go1.27.3 is newer than the snapshot
    # Go 1.21.13 builds: dozens of standard-library advisories in range; affected only where a
    # vulnerable function is in the table, the same in the exe, its external-link PIE and a c-archive.
    verdicts = {}
    for name in ("go_exe_symbols_go121", "go_pie_extlink_go121", "go_carchive_go121"):
        scanned = _scan(fixture_path(name), REAL_DB)
        images = [scanned, *scanned.members]
        found = [f.vulnerability for image in images for f in image.findings if f.vulnerability]
        assert len(found) > 40, name  # every stdlib advisory fixed after 1.21.13, each said once
        affected = {m.advisory.id for m in found if m.affected}
        assert len(affected) < len(found) / 2, name  # fmt, os and strconv: little of what is in range
        assert all(m.precision in ("symbol", "package") for m in found), name
        assert all(m.symbols for m in found if m.affected and m.precision == "symbol"), name
        assert all(
            "none of the vulnerable" in m.reason or "only for" in m.reason for m in found if not m.affected
        )
        verdicts[name] = affected
    assert verdicts["go_exe_symbols_go121"] == verdicts["go_carchive_go121"]


def test_sarif_has_a_rule_per_advisory(tmp_path: Path, fixture_path: Fixture) -> None:
    import jsonschema

    database = write_go_layout(tmp_path / "db", STDLIB_ENTRIES)
    binary = fixture_path("go_exe_default")
    done = run("scan", binary, "--vulndb", database, "--format", "sarif", "--no-progress")
    sarif = json.loads(done.stdout)
    schema = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.validate(sarif, schema)
    (sarif_run,) = sarif["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    by_id = {rule["id"]: index for index, rule in enumerate(rules)}
    assert {"CG230", "CG231", "GO-2099-0001", "GO-2099-0003"} <= set(by_id)
    assert rules[by_id["GO-2099-0001"]]["helpUri"] == "https://pkg.go.dev/vuln/GO-2099-0001"
    results = {r["ruleId"]: r for r in sarif_run["results"]}
    assert results["GO-2099-0001"]["ruleIndex"] == by_id["GO-2099-0001"]
    prints = [r["partialFingerprints"]["cgoguardFinding/v1"] for r in sarif_run["results"]]
    assert len(prints) == len(set(prints))  # two advisories on one file are two results


def test_openvex_states_affected_and_not_affected(tmp_path: Path, fixture_path: Fixture) -> None:
    database = write_go_layout(tmp_path / "db", STDLIB_ENTRIES)
    binary = fixture_path("go_exe_default")
    done = run("scan", binary, "--vulndb", database, "--format", "openvex", "--no-progress")
    document = json.loads(done.stdout)
    assert document["@context"] == "https://openvex.dev/ns/v0.2.0" and document["version"] == 1
    statements = {s["vulnerability"]["name"]: s for s in document["statements"]}
    assert set(statements) == {"GO-2099-0001", "GO-2099-0003"}
    affected, absent = statements["GO-2099-0001"], statements["GO-2099-0003"]
    assert (
        affected["status"] == "affected" and affected["action_statement"] == "Rebuild with go1.27.4 or later."
    )
    assert absent["status"] == "not_affected" and absent["justification"] == "vulnerable_code_not_present"
    (product,) = affected["products"]
    digest = hashlib.sha256(binary.read_bytes()).hexdigest()
    assert product["hashes"] == {"sha-256": digest} and product["@id"].endswith(f"checksum=sha256:{digest}")
    assert product["subcomponents"] == [{"@id": "pkg:golang/stdlib@v1.27.3"}]
    refused = run("scan", binary, "--format", "openvex")
    assert refused.returncode == 2 and "--vulndb" in refused.stderr
    assert run("lint", tmp_path, "--format", "openvex").returncode == 2


def test_vulndb_status(tmp_path: Path) -> None:
    folder = write_go_layout(tmp_path / "db", STDLIB_ENTRIES)
    done = run("vulndb", "status", "--vulndb", folder, "--format", "json")
    status = json.loads(done.stdout)
    assert done.returncode == 0 and status["modified"] == "2026-08-21T00:00:00Z"
    assert status["modules"] == 2 and status["advisories"] == 4  # the withdrawn one is left out
    assert status["newest_go_release_named"] == "go1.27.9"  # not 1.99.0: withdrawn, or the go command
    (folder / "ID" / "GO-2099-0002.json").write_text("[]")
    broken = run("vulndb", "status", "--vulndb", folder)
    assert broken.returncode == 3 and "unreadable: GO-2099-0002" in broken.stdout
    assert run("vulndb", "status", cwd=tmp_path).returncode == 2


# Keys of OSV entries, so that generated values reach the deeper parts of the parser.
_KEYS = [
    "id",
    "affected",
    "package",
    "name",
    "ecosystem",
    "ranges",
    "type",
    "events",
    "introduced",
    "fixed",
    "ecosystem_specific",
    "imports",
    "path",
    "symbols",
    "goos",
    "aliases",
    "withdrawn",
    "database_specific",
]
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=8)
    | st.sampled_from(["Go", "SEMVER", "0", "1.2.0"]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(_KEYS), inner, max_size=6),
    max_leaves=30,
)


_EVENT = st.dictionaries(
    st.sampled_from(["introduced", "fixed", "last_affected", "limit"]),
    st.sampled_from(["0", "1.2.0", "1.2.3-rc.1", "1.2.3+incompatible", "x", ""]) | _JSON,
    max_size=2,
)
_IMPORT = st.fixed_dictionaries(
    {}, optional={"path": st.text(max_size=4) | _JSON, "symbols": _JSON, "goos": _JSON, "goarch": _JSON}
)
_AFFECTED = st.fixed_dictionaries(
    {},
    optional={
        "package": st.fixed_dictionaries(
            {"ecosystem": st.just("Go") | _JSON, "name": st.text(max_size=4) | _JSON}
        )
        | _JSON,
        "ranges": st.lists(
            st.fixed_dictionaries(
                {"type": st.just("SEMVER") | _JSON, "events": st.lists(_EVENT, max_size=4) | _JSON}
            ),
            max_size=2,
        )
        | _JSON,
        "ecosystem_specific": st.fixed_dictionaries(
            {}, optional={"imports": st.lists(_IMPORT, max_size=2) | _JSON}
        )
        | _JSON,
    },
)
_ENTRY = st.fixed_dictionaries(
    {"id": st.text(min_size=1, max_size=5)},
    optional={
        "affected": st.lists(_AFFECTED, max_size=3) | _JSON,
        "aliases": _JSON,
        "references": _JSON,
        "database_specific": _JSON,
        "withdrawn": _JSON,
        "summary": _JSON,
    },
)


@settings(max_examples=400, deadline=None)
@given(_ENTRY | _JSON)
def test_hostile_entries_are_one_error_or_an_advisory(raw: object) -> None:
    """Any JSON value: parse_entry gives an Advisory or a ValueError (only
    when it has no string id), and what it gives never breaks the range logic."""
    try:
        advisory = parse_entry(raw)
    except ValueError:
        assert not (isinstance(raw, dict) and isinstance(raw.get("id"), str))
        return
    for affected in advisory.affected:
        in_range(affected.events, v("1.2.3"))
        first_fix(affected.events, v("1.2.3"))


def test_symbol_precision_on_a_real_function_table(tmp_path: Path, fixture_path: Fixture) -> None:
    """Every form of an advisory symbol, against the function table of a real
    build (tests/fixtures/go/symbols): plain, generic, pointer and value
    methods, method values, a dotted package path; and a symbol not linked."""
    from cgoguard.scanner import scan_file

    lib = "example.com/symbols/lib.v2"
    symbols = {
        "GO-2099-0400": ["Plain"],
        "GO-2099-0401": ["Map"],  # generic: instantiated per shape
        "GO-2099-0402": ["Stack.Push"],  # generic type, pointer receiver, method value
        "GO-2099-0403": ["Counter.Value"],  # value receiver, method value
        "GO-2099-0404": ["Counter.Reset", "Unused"],  # not in the program
    }
    entries = [
        entry(
            advisory,
            "example.com/symbols",
            [{"introduced": "0"}, {"fixed": "1.0.1"}],
            imports=[{"path": lib, "symbols": names}],
        )
        for advisory, names in symbols.items()
    ]
    entries.append(
        entry(
            "GO-2099-0405",
            "example.com/symbols",
            [{"introduced": "0"}, {"fixed": "1.0.1"}],
            imports=[{"path": lib}],
        )
    )  # names the package only
    entries.append(
        entry(
            "GO-2099-0406",
            "example.com/symbols",
            [{"introduced": "0"}, {"fixed": "1.0.1"}],
            imports=[{"path": "example.com/symbols/other"}],
        )
    )
    database = open_database(str(write_go_layout(tmp_path / "db", entries)))
    for name in ("go_exe_symbols", "go_exe_symbols_go121"):
        artifact = scan_file(str(fixture_path(name)), function_tables=True)
        assert artifact is not None and artifact.go is not None and artifact.go.buildinfo is not None
        assert artifact.go.functions is not None, artifact.go.functions_error
        main = artifact.go.buildinfo.main
        assert main is not None and main.path == "example.com/symbols"
        main.version = "v1.0.0"  # the build says (devel); as if installed at a released version
        subject = vuln_subject(artifact, database)
        assert subject is not None
        found = {m.advisory.id: m for m in matches(subject)}
        for advisory in ("GO-2099-0400", "GO-2099-0401", "GO-2099-0402", "GO-2099-0403"):
            assert found[advisory].affected and found[advisory].precision == "symbol", (name, advisory)
        assert not found["GO-2099-0404"].affected and found["GO-2099-0404"].precision == "symbol"
        assert "none of the vulnerable functions" in found["GO-2099-0404"].reason
        assert found["GO-2099-0405"].affected and found["GO-2099-0405"].precision == "package"
        assert not found["GO-2099-0406"].affected and found["GO-2099-0406"].precision == "package"


def test_stripped_builds_keep_symbol_precision(tmp_path: Path, fixture_path: Fixture) -> None:
    """-s -w removes .symtab, not the function table: the same advisories, at symbol precision."""
    database = write_go_layout(tmp_path / "db", STDLIB_ENTRIES)
    for name in ("go_exe_default", "go_exe_stripped"):
        found = _by_advisory(_scan(fixture_path(name), database))
        match = found["GO-2099-0001"].vulnerability
        assert match.affected and match.precision == "symbol" and match.symbols == ("fmt.Println",), name
    # The c-shared bridge never calls fmt.Println: in range, not affected (CG231), said with the reason.
    bridge = _by_advisory(_scan(fixture_path("go_cshared_default"), database))["GO-2099-0001"]
    assert bridge.check_id == "CG231" and "fmt.Println" in bridge.vulnerability.reason


def test_a_c_archive_is_judged_once_in_its_go_member(tmp_path: Path, fixture_path: Fixture) -> None:
    database = write_go_layout(tmp_path / "db", STDLIB_ENTRIES)
    archive = _scan(fixture_path("go_carchive_default"), database)
    assert archive.is_archive and not _by_advisory(
        archive
    )  # the archive shows go.o's facts: not judged twice
    (go_member,) = [m for m in archive.members if _by_advisory(m)]
    assert go_member.path.endswith("!go.o")
    assert {f.vulnerability.precision for f in go_member.findings if f.vulnerability} <= {"symbol", "package"}


@pytest.mark.parametrize("fmt", ["cyclonedx", "cyclonedx-1.7"])
def test_cyclonedx_carries_the_vulnerabilities_with_their_analysis(
    fmt: str, tmp_path: Path, fixture_path: Fixture
) -> None:
    from cyclonedx.schema import SchemaVersion
    from cyclonedx.validation.json import JsonStrictValidator

    database = write_go_layout(tmp_path / "db", STDLIB_ENTRIES)
    binary = fixture_path("go_exe_default")
    done = run("scan", binary, "--vulndb", database, "--format", fmt, "--no-progress", "--jobs", "2")
    spec = SchemaVersion.V1_7 if fmt.endswith("1.7") else SchemaVersion.V1_6
    assert JsonStrictValidator(spec).validate_str(done.stdout) is None
    document = json.loads(done.stdout)
    found = {v["id"]: v for v in document["vulnerabilities"]}
    assert set(found) == {"GO-2099-0001", "GO-2099-0003"}
    affected, absent = found["GO-2099-0001"], found["GO-2099-0003"]
    assert affected["analysis"]["state"] == "exploitable" and affected["recommendation"].startswith("Rebuild")
    assert affected["references"] == [
        {"id": "CVE-2099-0001", "source": {"name": "NVD", "url": "https://nvd.nist.gov/vuln/detail/"}}
    ]
    assert absent["analysis"] == {
        "state": "not_affected",
        "justification": "code_not_present",
        "detail": absent["analysis"]["detail"],
    }
    artifact_ref = next(c["bom-ref"] for c in document["components"] if c["name"] == str(binary))
    assert affected["affects"] == [{"ref": artifact_ref}]


@pytest.fixture
def served(tmp_path: Path) -> Any:
    """A database served over real HTTP on 127.0.0.1 (the layout vuln.go.dev serves)."""
    import functools
    import http.server
    import threading

    root = write_go_layout(tmp_path / "served", STDLIB_ENTRIES)
    (root / "index" / "vulns.json").write_text(
        json.dumps([{"id": e["id"], "modified": e["modified"]} for e in STDLIB_ENTRIES])
    )
    requests: list[str] = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            requests.append(self.path)

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(root))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root, requests
    finally:
        server.shutdown()
        server.server_close()


def test_update_fetches_what_changed_and_online_uses_the_copy(
    served: Any, tmp_path: Path, fixture_path: Fixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cgoguard import vulncache

    url, root, requests = served
    cache = tmp_path / "cache"
    monkeypatch.setenv("CGOGUARD_CACHE", str(cache))
    monkeypatch.setenv("CGOGUARD_VULNDB_URL", url)
    first = vulncache.update(url, vulncache.cache_folder())
    assert first.fetched == 5 and first.kept == 0 and first.modified == "2026-08-21T00:00:00Z"
    assert open_database(str(first.folder)).advisories("stdlib")  # a complete copy in the vuln.go.dev layout
    # One entry changes upstream: only it is fetched again.
    changed = json.loads((root / "index" / "vulns.json").read_text())
    changed[0]["modified"] = "2026-09-01T00:00:00Z"
    (root / "index" / "vulns.json").write_text(json.dumps(changed))
    requests.clear()
    second = vulncache.update(url, vulncache.cache_folder())
    assert (second.fetched, second.kept) == (1, 4)
    assert [r for r in requests if r.startswith("/ID/")] == ["/ID/GO-2099-0001.json"]
    assert not list(cache.parent.glob(".vulndb-*")) and not list(cache.parent.glob("*.old-*"))
    # scan --vulndb online reads the fresh copy without fetching.
    requests.clear()
    done = run(
        "scan", fixture_path("go_exe_default"), "--vulndb", "online", "--format", "json", "--no-progress"
    )
    assert json.loads(done.stdout)["summary"]["vulndb"].startswith(str(cache / "vulndb"))
    assert requests == []
    status = run("vulndb", "status", "--format", "json", cwd=tmp_path)
    assert json.loads(status.stdout)["location"] == str(cache / "vulndb")


def test_update_failures_leave_the_old_copy(
    served: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cgoguard import vulncache

    url, root, _ = served
    folder = tmp_path / "cache" / "vulndb"
    vulncache.update(url, folder)
    (root / "ID" / "GO-2099-0003.json").unlink()  # the server now lacks an entry its index lists
    changed = json.loads((root / "index" / "vulns.json").read_text())
    changed[2]["modified"] = "2026-09-01T00:00:00Z"
    (root / "index" / "vulns.json").write_text(json.dumps(changed))
    with pytest.raises(vulncache.FetchError, match="GO-2099-0003"):
        vulncache.update(url, folder)
    assert (folder / "ID" / "GO-2099-0003.json").is_file()  # the old copy stands, whole
    assert not list(folder.parent.glob(".vulndb-*"))
    # online: a stale copy is used, with a warning, when the update fails.
    warnings: list[str] = []
    monkeypatch.setattr(vulncache, "FRESH_SECONDS", -1.0)
    assert vulncache.online(url, folder, warn=warnings.append) == folder
    assert warnings and "Using the copy fetched" in warnings[0]
    with pytest.raises(vulncache.FetchError):
        vulncache.online("http://127.0.0.1:1", tmp_path / "nothing")
    refused = run("vulndb", "update", "--url", "ftp://example.invalid")
    assert refused.returncode == 3 and "only https" in refused.stderr


def test_a_replaced_module_on_a_real_build(tmp_path: Path, fixture_path: Fixture) -> None:
    """go_exe_modules: example.com/oldname v1.0.0 => example.com/newname v1.1.0, and
    example.com/quote v1.2.0. The replacement's code is linked under the import
    paths of the module it replaces (example.com/oldname.Name): an advisory about
    the replacement must be matched there (golang/go#68254 loses it)."""
    events = [{"introduced": "0"}, {"fixed": "1.1.1"}]
    entries = [
        entry(
            "GO-2099-0500",
            "example.com/newname",
            events,
            imports=[{"path": "example.com/newname", "symbols": ["Name"]}],
        ),
        entry(
            "GO-2099-0501",
            "example.com/oldname",
            events,
            imports=[{"path": "example.com/oldname", "symbols": ["Name"]}],
        ),
        entry(
            "GO-2099-0502",
            "example.com/quote",
            [{"introduced": "0"}, {"fixed": "1.2.1"}],
            imports=[{"path": "example.com/quote", "symbols": ["Line"]}],
        ),
        entry(
            "GO-2099-0503",
            "example.com/quote",
            [{"introduced": "0"}, {"fixed": "1.2.1"}],
            imports=[{"path": "example.com/quote", "symbols": ["Other"]}],
        ),
    ]
    found = _by_advisory(_scan(fixture_path("go_exe_modules"), write_go_layout(tmp_path / "db", entries)))
    newname, oldname = found["GO-2099-0500"].vulnerability, found["GO-2099-0501"].vulnerability
    assert (
        newname.affected
        and newname.precision == "symbol"
        and newname.replaced_by == "example.com/oldname@v1.0.0"
    )
    assert (
        newname.symbols == ("example.com/oldname.Name",)
        and "example.com/oldname@v1.0.0" in found["GO-2099-0500"].message
    )
    assert oldname.affected and oldname.replaced_by == "example.com/newname@v1.1.0"
    assert found["GO-2099-0502"].vulnerability.affected and not found["GO-2099-0503"].vulnerability.affected


def test_update_refreshes_the_go_release_table(served: Any, tmp_path: Path, fixture_path: Fixture) -> None:
    """A Go release that went out of support after cgoguard was released: `vulndb update`
    fetches go.dev's download list, and CG204 judges by the newer table."""
    url, root, _ = served
    listing = [
        {"version": "go1.29.1", "stable": True},
        {"version": "go1.29.0", "stable": True},
        {"version": "go1.30rc1", "stable": False},
        {"version": "go1.28.4", "stable": True},
        {"version": "go1.27.9", "stable": True},
    ]
    (root / "dl.json").write_text(json.dumps(listing))
    env = {**os.environ, "CGOGUARD_CACHE": str(tmp_path / "own-cache")}
    binary = fixture_path("go_exe_default")  # go1.27.3

    def cgoguard(*args: str | Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "cgoguard", *map(str, args)]
        return subprocess.run(command, capture_output=True, text=True, env=env)

    before = cgoguard("scan", binary, "--format", "json", "--no-progress")
    (first,) = json.loads(before.stdout)["artifacts"]
    assert "CG204" not in {f["id"] for f in first["findings"]} and "CG204" in first["checks"]["passed"]
    done = cgoguard("vulndb", "update", "--url", url, "--releases-url", f"{url}/dl.json")
    assert done.returncode == 0, done.stderr
    assert "supported: go1.29.1, go1.28.4" in done.stdout
    after = cgoguard("scan", binary, "--format", "json", "--no-progress")
    messages = [
        f["message"] for f in json.loads(after.stdout)["artifacts"][0]["findings"] if f["id"] == "CG204"
    ]
    assert messages and "supported releases are go1.29 and go1.28" in messages[0]
    broken = cgoguard("vulndb", "update", "--url", url, "--releases-url", f"{url}/nothing.json")
    assert broken.returncode == 3 and "release table was not refreshed" in broken.stderr


def test_a_damaged_or_older_fetched_release_table_is_ignored(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from cgoguard import goreleases

    monkeypatch.setenv("CGOGUARD_CACHE", str(tmp_path))
    goreleases.release_table.cache_clear()
    shipped = goreleases.release_table()
    try:
        goreleases.cached_table_path().write_text("{not json")
        goreleases.release_table.cache_clear()
        assert goreleases.release_table() == shipped
        older = goreleases.table_from_downloads(
            [{"version": "go1.2.1", "stable": True}, {"version": "go1.1.0", "stable": True}],
            "test",
            today="2000-01-01",
        )
        goreleases.write_cached_table(older)
        assert goreleases.release_table() == shipped
        with pytest.raises(ValueError):
            goreleases.table_from_downloads([{"version": "go1.2.1", "stable": True}], "test")
    finally:
        goreleases.release_table.cache_clear()


def test_the_default_is_the_local_copy_of_vuln_go_dev(
    served: Any, tmp_path: Path, fixture_path: Fixture
) -> None:
    """A plain `cgoguard scan` matches against the local copy of vuln.go.dev, fetching it when
    missing; when it cannot be had, the scan goes on and says so (the database was not asked for)."""
    url, _, requests = served
    binary = fixture_path("go_exe_default")
    env = {k: v for k, v in os.environ.items() if k != "CGOGUARD_VULNDB"}
    env |= {"CGOGUARD_CACHE": str(tmp_path / "cache"), "CGOGUARD_VULNDB_URL": url}
    command = [sys.executable, "-m", "cgoguard", "scan", str(binary), "--no-progress"]
    done = subprocess.run([*command, "--format", "json"], capture_output=True, text=True, env=env)
    summary = json.loads(done.stdout)["summary"]
    assert (
        summary["vulndb"].startswith(str(tmp_path / "cache" / "vulndb")) and "2026-08-21" in summary["vulndb"]
    )
    assert any(r.startswith("/ID/") for r in requests)
    off = subprocess.run(
        [*command, "--vulndb", "off", "--format", "json"], capture_output=True, text=True, env=env
    )
    assert json.loads(off.stdout)["summary"]["vulndb"] is None
    # No copy and no network: a warning and a note, and the verdict of a scan without the database.
    env |= {"CGOGUARD_CACHE": str(tmp_path / "empty"), "CGOGUARD_VULNDB_URL": "http://127.0.0.1:1"}
    cut = subprocess.run(command, capture_output=True, text=True, env=env)
    assert cut.returncode == off.returncode and "Traceback" not in cut.stderr
    assert "warning: known vulnerabilities not checked" in cut.stderr
    assert "Known vulnerabilities: not checked" in cut.stdout
    asked = subprocess.run([*command, "--vulndb", "online"], capture_output=True, text=True, env=env)
    assert asked.returncode == 2  # asked for and not had: nothing passes on less than it was asked to check


def test_the_symbol_index_answers_as_the_blob_search(fixture_path: Fixture) -> None:
    """gosymbols.SymbolIndex (sets, built once per image) gives the same answers as
    gosymbols.matches (a search of the blob per question) on real tables."""
    from cgoguard import gosymbols
    from cgoguard.scanner import scan_file

    questions = [
        ("example.com/symbols/lib.v2", s)
        for s in (
            "Plain",
            "Small",
            "Map",
            "Counter.Add",
            "Counter.Value",
            "Stack.Push",
            "Stack.Len",
            "Nope",
            "Counter.Nope",
        )
    ] + [("fmt", "Println"), ("fmt", "Sprintf"), ("strconv", "Itoa"), ("strconv", "Atoi"), ("os", "Open")]
    packages = [
        "example.com/symbols/lib.v2",
        "fmt",
        "strconv",
        "net/http",
        "os",
        "internal/abi",
        "example.com/none",
    ]
    for name in ("go_exe_symbols", "go_exe_symbols_go121", "go_cshared_default"):
        artifact = scan_file(str(fixture_path(name)), function_tables=True)
        assert artifact is not None and artifact.go is not None and artifact.go.functions is not None
        table = artifact.go.functions
        index = gosymbols.SymbolIndex(table)
        for package, symbol in questions:
            assert index.matches(package, symbol) == gosymbols.matches(table, package, symbol), (name, symbol)
        for package in packages:
            prefix = b"\0" + gosymbols.package_prefix(package).encode() + b"."
            expected = prefix in table.blob or prefix in (table.inlined or b"")
            assert index.package_linked(package) == expected, (name, package)
