"""SBOM output (CycloneDX 1.6/1.7, SPDX 2.3) on real artifacts built by tests/gofixtures.py.

Every document is checked by the libraries' own validators (cyclonedx-python-lib's JSON
schema validator for its spec version; spdx-tools' parser and full validation), and its
Go facts against `go version -m -json` of the same file, or, where Go cannot read the
file (a patchelf'd library, a c-archive), of the file it was made from."""

from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import sys
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from spdx_tools.spdx.model.document import Document
from spdx_tools.spdx.model.relationship import RelationshipType
from spdx_tools.spdx.parser.parse_anything import parse_file
from spdx_tools.spdx.validation.document_validator import validate_full_spdx_document

import gofixtures
from cgoguard.api import scan, tool_info
from cgoguard.model import Severity
from cgoguard.outcome import item_of
from cgoguard.reports import ReportContext, RunTotals, create_reporter
from cgoguard.reports.cyclonedx import CycloneDxReporter
from cgoguard.reports.sbom import (
    is_local_path,
    module_purl,
    stdlib_cpe,
    stdlib_version,
    subject_json,
    subject_of,
)
from cgoguard.reports.sbom import subject_of_item as decoded

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clirun import run
from containerfiles import make_tar, make_wheel

EPOCH = "1767225600"  # 2026-01-01T00:00:00Z
SPECS = {
    "cyclonedx": SchemaVersion.V1_6,
    "cyclonedx-1.6": SchemaVersion.V1_6,
    "cyclonedx-1.7": SchemaVersion.V1_7,
}
Json = dict[str, Any]


@pytest.fixture(autouse=True)
def _fixed_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def render(fmt: str, *paths: Path) -> str:
    """The document the Python API's artifacts give (whole artifacts, not worker text)."""
    report = scan(list(paths))
    out = io.StringIO()
    reporter = create_reporter(fmt, out, ReportContext("scan", tool_info(), [], Severity.HIGH))
    for artifact in report.artifacts:
        reporter.add(item_of(artifact))
    reporter.finish(RunTotals(report.summary, report.tally, report.set_findings))
    return out.getvalue()


def cyclonedx(*paths: Path, fmt: str = "cyclonedx") -> Json:
    text = render(fmt, *paths)
    assert JsonStrictValidator(SPECS[fmt]).validate_str(text) is None
    document: Json = json.loads(text)
    assert document["specVersion"] == SPECS[fmt].to_version()
    return document


def spdx_of(text: str, tmp_path: Path) -> Document:
    """Parse a written SPDX document back with spdx-tools and validate all of it."""
    path = tmp_path / "sbom.spdx.json"
    path.write_text(text)
    document: Document = parse_file(str(path))
    assert validate_full_spdx_document(document) == []
    return document


def go_version_json(path: Path) -> Json:
    return gofixtures.go_version_json(path)


def flat(document: Json) -> list[Json]:
    """Every component, nested ones included."""
    found: list[Json] = []
    todo = list(document.get("components", []))
    while todo:
        component = todo.pop(0)
        found.append(component)
        todo[:0] = component.get("components", [])
    return found


def props(component: Json) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for entry in component.get("properties", []):
        found.setdefault(entry["name"], []).append(entry.get("value", ""))
    return found


def prop(component: Json, name: str) -> str:
    (value,) = props(component)[name]
    return value


def artifact_named(document: Json, path: Path | str) -> Json:
    return next(c for c in flat(document) if props(c).get("cgoguard:path") == [str(path)])


def depends_on(document: Json, ref: str) -> list[str]:
    return next(d.get("dependsOn", []) for d in document["dependencies"] if d["ref"] == ref)


def by_ref(document: Json) -> dict[str, Json]:
    return {c["bom-ref"]: c for c in flat(document)}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def h1_hex(go_sum: str) -> str:
    assert go_sum.startswith("h1:")
    return base64.b64decode(go_sum[3:]).hex()


def assert_go_graph(document: Json, artifact: Json, info: Json) -> None:
    """The artifact's Go components and edges say what `go version -m -json` says."""
    components = by_ref(document)
    direct = [components[ref] for ref in depends_on(document, artifact["bom-ref"])]
    (main,) = [c for c in direct if c["bom-ref"].startswith("go-main:")]
    (stdlib,) = [c for c in direct if c.get("name") == "stdlib"]
    assert main["name"] == info["Main"]["Path"] == info["Path"]
    assert "version" not in main and main["purl"] == f"pkg:golang/{info['Main']['Path']}"  # (devel)
    assert stdlib["purl"] == "pkg:golang/stdlib@v" + info["GoVersion"].removeprefix("go")
    assert stdlib["cpe"] == f"cpe:2.3:a:golang:go:{info['GoVersion'].removeprefix('go')}:*:*:*:*:*:*:*"
    assert prop(stdlib, "cgoguard:go:toolchain") == info["GoVersion"]
    assert prop(artifact, "cgoguard:go:toolchain") == info["GoVersion"]
    linked = [components[ref] for ref in depends_on(document, main["bom-ref"])]
    assert len(linked) == len(info.get("Deps", []))
    for dep in info.get("Deps", []):
        replace = dep.get("Replace")
        used = replace or dep
        if replace is not None and is_local_path(replace["Path"]):
            (found,) = [
                c for c in linked if props(c).get("cgoguard:go:module:local-path") == [replace["Path"]]
            ]
            assert found["name"] == dep["Path"] and "purl" not in found and "hashes" not in found
        else:
            purl = f"pkg:golang/{used['Path']}@{used['Version']}"
            (found,) = [c for c in linked if c.get("purl") == purl]
            assert found["version"] == used["Version"]
            assert found["hashes"] == [{"alg": "SHA-256", "content": h1_hex(used["Sum"])}]
            assert prop(found, "cgoguard:go:module:h1") == used["Sum"]
        if replace is None:
            assert "pedigree" not in found
            continue
        (ancestor,) = found["pedigree"]["ancestors"]
        assert (ancestor["name"], ancestor["version"]) == (dep["Path"], dep["Version"])
        assert ancestor["purl"] == f"pkg:golang/{dep['Path']}@{dep['Version']}"
        assert prop(found, "cgoguard:go:module:replaces") == f"{dep['Path']}@{dep['Version']}"
    for setting in info["Settings"]:
        assert prop(artifact, f"cgoguard:go:build:{setting['Key']}") == setting.get("Value", "")
        if setting["Key"] in ("GOOS", "GOARCH", "CGO_ENABLED"):
            assert prop(artifact, f"cdx:gomod:build:env:{setting['Key']}") == setting["Value"]


# ---------------------------------------------------------------------------
# CycloneDX


@pytest.mark.parametrize("fmt", ["cyclonedx", "cyclonedx-1.7"])
def test_an_executable_with_modules(fmt: str, fixture_path: Callable[[str], Path]) -> None:
    path = fixture_path("go_exe_modules")
    document = cyclonedx(path, fmt=fmt)
    artifact = artifact_named(document, path)
    assert artifact["type"] == "application"
    assert artifact["hashes"] == [{"alg": "SHA-256", "content": sha256_hex(path.read_bytes())}]
    info = go_version_json(path)
    assert {d["Path"] for d in info["Deps"]} == {
        "example.com/greet",
        "example.com/oldname",
        "example.com/quote",
    }
    assert_go_graph(document, artifact, info)
    # the modules' own dependencies are not in build info: no edges are invented for them
    for ref, component in by_ref(document).items():
        if component.get("scope") == "required":
            assert depends_on(document, ref) == []


def test_a_cshared_library_and_its_patchelf_copy(fixture_path: Callable[[str], Path]) -> None:
    original, patched = fixture_path("go_cshared_modules"), fixture_path("go_cshared_patched")
    document = cyclonedx(original, patched)
    library = artifact_named(document, original)
    assert library["type"] == "library"
    assert prop(library, "cgoguard:go:build-mode") == "c-shared"
    assert_go_graph(document, library, go_version_json(original))
    # Go's debug/buildinfo cannot read the patchelf'd copy; cgoguard can, and its build info is
    # the one of the library it was copied from.
    assert subprocess.run([gofixtures.go_binary(), "version", "-m", str(patched)], check=False).returncode
    copy = artifact_named(document, patched)
    assert copy["type"] == "library"
    assert copy["hashes"][0]["content"] == sha256_hex(patched.read_bytes())
    assert prop(copy, "cgoguard:hardening:runpath") == gofixtures.PATCHED_RPATH  # patchelf writes RUNPATH
    assert_go_graph(document, copy, go_version_json(fixture_path("go_cshared_default")))
    # one standard library component for both, however many artifacts link it
    assert [c["purl"] for c in document["components"] if c["name"] == "stdlib"] == [
        "pkg:golang/stdlib@v1.27.3"
    ]


def test_a_carchive_nests_its_members_and_draws_the_go_graph_once(
    fixture_path: Callable[[str], Path], tmp_path: Path
) -> None:
    archive = fixture_path("go_carchive_default")
    document = cyclonedx(archive)
    component = artifact_named(document, archive)
    assert component["type"] == "library" and prop(component, "cgoguard:format") == "ar"
    members = {m["name"]: m for m in component["components"]}
    names = subprocess.run(
        ["ar", "t", str(archive)], capture_output=True, text=True, check=True
    ).stdout.split()
    assert sorted(members) == sorted(n for n in names if n.endswith(".o"))
    for name, member in members.items():
        data = subprocess.run(["ar", "p", str(archive), name], capture_output=True, check=True).stdout
        assert member["type"] == "library"
        assert member["hashes"] == [{"alg": "SHA-256", "content": sha256_hex(data)}]
        assert prop(member, "cgoguard:container") == str(archive)
        assert prop(member, "cgoguard:container:format") == "ar"
    # the build info sits in go.o and is the archive's: one main module, hung on the archive
    mains = [c for c in document["components"] if c["bom-ref"].startswith("go-main:")]
    assert len(mains) == 1
    assert mains[0]["bom-ref"] in depends_on(document, component["bom-ref"])
    assert prop(members["go.o"], "cgoguard:go:toolchain") == prop(component, "cgoguard:go:toolchain")
    # go version -m cannot read an archive: the same package built as c-shared has the same build list
    info = go_version_json(fixture_path("go_cshared_default"))
    assert mains[0]["name"] == info["Main"]["Path"]


def test_pure_go_has_no_canary_to_miss_and_c_libraries_are_components(
    fixture_path: Callable[[str], Path],
) -> None:
    pure, c_library, unhardened = (
        fixture_path(n) for n in ("go_exe_nocgo", "c_shared_hardened", "c_nohardening")
    )
    document = cyclonedx(pure, c_library, unhardened)
    go = artifact_named(document, pure)
    assert prop(go, "cgoguard:hardening:canary") == "not-applicable"
    assert prop(go, "cgoguard:hardening:fortify") == "not-applicable"
    assert "pure Go" in prop(go, "cgoguard:hardening:canary:detail")
    assert prop(go, "cgoguard:go:build:CGO_ENABLED") == "0"
    c = artifact_named(document, c_library)
    assert c["type"] == "library" and c["hashes"][0]["content"] == sha256_hex(c_library.read_bytes())
    assert (prop(c, "cgoguard:hardening:canary"), prop(c, "cgoguard:hardening:relro")) == ("true", "full")
    assert prop(c, "cgoguard:code:language") == "c"
    assert c["bom-ref"] not in {d["ref"] for d in document["dependencies"] if d.get("dependsOn")}
    bare = artifact_named(document, unhardened)
    assert bare["type"] == "application"
    assert (prop(bare, "cgoguard:hardening:canary"), prop(bare, "cgoguard:hardening:relro")) == (
        "false",
        "none",
    )
    assert prop(bare, "cgoguard:hardening:nx") == "false"


def test_the_h1_digest_is_gos_dirhash_of_the_module(fixture_path: Callable[[str], Path]) -> None:
    # What the README says the SHA-256 of a module is: Go's dirhash (Hash1) over the module's
    # files as the module zip names them, computed here from the fixture's own sources.
    source = gofixtures.FIXTURE_SOURCES / "go" / "modules" / "proxy" / "example.com" / "quote@v1.2.0"
    lines = "".join(
        f"{sha256_hex(path.read_bytes())}  example.com/quote@v1.2.0/{path.relative_to(source).as_posix()}\n"
        for path in sorted(source.rglob("*"), key=lambda p: p.relative_to(source).as_posix())
        if path.is_file()
    )
    document = cyclonedx(fixture_path("go_exe_modules"))
    (quote,) = [c for c in document["components"] if c["name"] == "example.com/quote"]
    assert quote["hashes"][0]["content"] == sha256_hex(lines.encode())


def test_a_container_image_names_its_layers(fixture_path: Callable[[str], Path], tmp_path: Path) -> None:
    library = fixture_path("go_cshared_default").read_bytes()
    layer = make_tar(tmp_path / "layer.tar", {"usr/lib/libgo.so": library}, "w").read_bytes()
    manifest = [{"Config": "config.json", "RepoTags": ["x:1"], "Layers": ["one/layer.tar"]}]
    image = make_tar(
        tmp_path / "image.tar",
        {"manifest.json": json.dumps(manifest).encode(), "config.json": b"{}", "one/layer.tar": layer},
        "w",
    )
    document = cyclonedx(image)
    (top,) = [c for c in document["components"] if c["bom-ref"].startswith("artifact:")]
    assert top["type"] == "container" and prop(top, "cgoguard:format") == "docker image"
    (member,) = top["components"]
    assert member["name"] == "usr/lib/libgo.so" and prop(member, "cgoguard:layer") == "one/layer.tar"
    assert prop(member, "cgoguard:container") == str(image)
    assert member["hashes"][0]["content"] == sha256_hex(library)


def test_the_vulnerability_seam_maps_purls_to_components(fixture_path: Callable[[str], Path]) -> None:
    report = scan([fixture_path("go_exe_modules")])
    reporter = CycloneDxReporter(io.StringIO(), ReportContext("scan", tool_info(), [], Severity.HIGH))
    for artifact in report.artifacts:
        reporter.add(item_of(artifact))
    bom = reporter.bom(RunTotals(report.summary, report.tally))
    refs = {c.bom_ref.value for c in bom.components}
    assert reporter.refs["pkg:golang/example.com/quote@v1.2.0"] == ["go:example.com/quote@v1.2.0"]
    assert "pkg:golang/stdlib@v1.27.3" in reporter.refs
    assert all(ref in refs for found in reporter.refs.values() for ref in found)
    assert not bom.vulnerabilities  # nothing is matched yet


# ---------------------------------------------------------------------------
# SPDX


def test_spdx_says_the_same_as_go_version_m(fixture_path: Callable[[str], Path], tmp_path: Path) -> None:
    path = fixture_path("go_exe_modules")
    info = go_version_json(path)
    document = spdx_of(render("spdx", path), tmp_path)
    packages = {p.spdx_id: p for p in document.packages}
    relations: dict[RelationshipType, list[tuple[str, str]]] = {}
    for r in document.relationships:
        relations.setdefault(r.relationship_type, []).append(
            (r.spdx_element_id, str(r.related_spdx_element_id))
        )
    ((_, artifact_id),) = relations[RelationshipType.DESCRIBES]
    artifact = packages[artifact_id]
    assert artifact.file_name == str(path) and artifact.primary_package_purpose.name == "APPLICATION"
    assert [c.value for c in artifact.checksums] == [sha256_hex(path.read_bytes())]
    ((source, main_id),) = relations[RelationshipType.GENERATED_FROM]
    assert source == artifact_id and packages[main_id].name == info["Main"]["Path"]
    ((_, stdlib_id),) = relations[RelationshipType.STATIC_LINK]
    assert [r.locator for r in packages[stdlib_id].external_references] == [
        "pkg:golang/stdlib@v1.27.3",
        "cpe:2.3:a:golang:go:1.27.3:*:*:*:*:*:*:*",
    ]
    linked = [
        packages[target] for source, target in relations[RelationshipType.DEPENDS_ON] if source == main_id
    ]
    assert sorted(p.name for p in linked) == ["example.com/greet", "example.com/newname", "example.com/quote"]
    quote = next(p for p in linked if p.name == "example.com/quote")
    (sum_,) = [d["Sum"] for d in info["Deps"] if d["Path"] == "example.com/quote"]
    assert [c.value for c in quote.checksums] == [h1_hex(sum_)] and "h1:" in (quote.comment or "")
    assert [r.locator for r in quote.external_references] == ["pkg:golang/example.com/quote@v1.2.0"]
    variants = {packages[a].name: packages[b] for a, b in relations[RelationshipType.VARIANT_OF]}
    assert variants["example.com/newname"].name == "example.com/oldname"
    assert [r.locator for r in variants["example.com/newname"].external_references] == [
        "pkg:golang/example.com/oldname@v1.0.0"
    ]
    assert variants["example.com/greet"].version == "v0.0.0-00010101000000-000000000000"
    # the properties are the package's comment, a name=value line each
    lines = (artifact.comment or "").splitlines()
    assert "cgoguard:hardening:relro=partial" in lines
    assert f"cgoguard:go:toolchain={info['GoVersion']}" in lines
    assert f"cgoguard:go:module:h1={sum_}" in (quote.comment or "").splitlines()


# ---------------------------------------------------------------------------
# The command line: one document per scan, exit codes as for every other format


def test_a_wheel_is_one_document_with_its_members(
    fixture_path: Callable[[str], Path], tmp_path: Path
) -> None:
    library = fixture_path("go_cshared_modules").read_bytes()
    helper = fixture_path("c_shared_hardened").read_bytes()
    wheel = make_wheel(
        tmp_path / "modpkg-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
        {"modpkg/__init__.py": b"", "modpkg/libmod.so": library, "modpkg.libs/libhelper.so": helper},
    )
    codes = {}
    for fmt in ("json", "cyclonedx", "spdx"):
        result = run("scan", wheel, "--format", fmt, "--output", tmp_path / f"out.{fmt}", "--no-progress")
        codes[fmt] = result.returncode
    assert codes["cyclonedx"] == codes["spdx"] == codes["json"], codes
    text = (tmp_path / "out.cyclonedx").read_text()
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(text) is None
    document = json.loads(text)
    (top,) = [c for c in document["components"] if c["bom-ref"].startswith("artifact:")]
    assert top["type"] == "file" and prop(top, "cgoguard:format") == "zip"
    assert top["hashes"][0]["content"] == sha256_hex(wheel.read_bytes())
    members = {m["name"]: m for m in top["components"]}
    assert sorted(members) == ["modpkg.libs/libhelper.so", "modpkg/libmod.so"]
    assert prop(members["modpkg/libmod.so"], "cgoguard:path") == f"{wheel}!modpkg/libmod.so"
    assert members["modpkg/libmod.so"]["hashes"][0]["content"] == sha256_hex(library)
    assert all(prop(m, "cgoguard:container") == str(wheel) for m in members.values())
    assert_go_graph(
        document, members["modpkg/libmod.so"], go_version_json(fixture_path("go_cshared_modules"))
    )
    spdx = spdx_of((tmp_path / "out.spdx").read_text(), tmp_path)
    names = {p.spdx_id: p.name for p in spdx.packages}
    contained = sorted(names[b] for a, kind, b in _triples(spdx) if kind == "CONTAINS")
    assert contained == ["modpkg.libs/libhelper.so", "modpkg/libmod.so"]
    assert [names[b] for a, kind, b in _triples(spdx) if kind == "DESCRIBES"] == [str(wheel)]


def _triples(document: Document) -> list[tuple[str, str, str]]:
    return [
        (r.spdx_element_id, r.relationship_type.name, str(r.related_spdx_element_id))
        for r in document.relationships
    ]


def test_exit_codes_do_not_depend_on_the_format(fixture_path: Callable[[str], Path], tmp_path: Path) -> None:
    findings = fixture_path("c_nohardening")  # critical and high findings: exit 1
    clean = fixture_path("c_hardened")
    for inputs, expected in (
        ([findings], 1),
        ([clean, "--fail-on", "critical"], 0),
        ([clean, tmp_path / "no"], 3),
    ):
        for fmt in ("json", "cyclonedx", "cyclonedx-1.7", "spdx"):
            result = run("scan", *inputs, "--format", fmt, "--output", tmp_path / f"o.{fmt}", "--no-progress")
            assert result.returncode == expected, (inputs, fmt, result.stderr)
    # an incomplete scan is still one valid document, saying what it lacks
    document = json.loads((tmp_path / "o.cyclonedx").read_text())
    scan_facts = props(document["metadata"])
    assert scan_facts["cgoguard:scan:complete"] == ["false"]
    assert scan_facts["cgoguard:scan:missing"] == [str(tmp_path / "no")]
    assert "cgoguard:scan:complete=false" in (tmp_path / "o.spdx").read_text()


def test_documents_are_reproducible_and_differ_with_their_content(
    fixture_path: Callable[[str], Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = fixture_path("go_exe_default"), fixture_path("go_exe_trimpath")
    # in workers (the CLI: text rendered where each file was scanned) and in process (the API)
    result = run("scan", first, "--format", "cyclonedx", "--output", tmp_path / "cli.json", "--jobs", "2")
    assert result.returncode in (0, 1), result.stderr
    assert (tmp_path / "cli.json").read_text() == render("cyclonedx", first)
    one, other = json.loads(render("cyclonedx", first)), json.loads(render("cyclonedx", second))
    assert one["metadata"]["timestamp"] == "2026-01-01T00:00:00+00:00"
    assert uuid.UUID(one["serialNumber"].removeprefix("urn:uuid:")).version == 5
    assert one["serialNumber"] != other["serialNumber"]
    namespaces = {json.loads(render("spdx", p))["documentNamespace"] for p in (first, second, first)}
    assert len(namespaces) == 2
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    fresh = json.loads(render("cyclonedx", first))
    assert fresh["metadata"]["timestamp"] != one["metadata"]["timestamp"]
    assert fresh["serialNumber"] != one["serialNumber"]


def test_lint_offers_no_sbom_format(tmp_path: Path) -> None:
    package = gofixtures.FIXTURE_SOURCES / "go" / "hello"
    assert run("lint", package, "--format", "cyclonedx").returncode == 2
    (tmp_path / "cgoguard.toml").write_text('format = "spdx"\n')
    result = run("lint", package, "--config", tmp_path / "cgoguard.toml")
    assert result.returncode == 2 and "unknown format 'spdx'" in result.stderr


# ---------------------------------------------------------------------------
# The pieces


def test_worker_text_and_artifact_give_the_same_subject(fixture_path: Callable[[str], Path]) -> None:
    report = scan([fixture_path("go_carchive_default"), fixture_path("go_exe_modules")])
    for artifact in report.artifacts:
        assert decoded(item_of(None, text=subject_json(artifact), source=artifact)) == subject_of(artifact)


def test_go_identities() -> None:
    assert stdlib_version("go1.27.3") == "v1.27.3"
    assert stdlib_version("go1.21") == "v1.21.0"
    assert stdlib_version("go1.22rc1") == "v1.22.0-rc.1"
    assert stdlib_version("go1.23beta2") == "v1.23.0-beta.2"
    assert stdlib_version("devel go1.24-abcdef") is None
    assert stdlib_cpe("go1.20") == "cpe:2.3:a:golang:go:1.20:*:*:*:*:*:*:*"  # NVD spells releases as Go does
    assert stdlib_cpe("go1.22rc1") is None and stdlib_cpe("devel go1.24-abcdef") is None
    purl = module_purl("github.com/Azure/azure-sdk-for-go", "v12.0.0+incompatible")
    assert str(purl) == "pkg:golang/github.com/Azure/azure-sdk-for-go@v12.0.0%2Bincompatible"
    assert str(module_purl("example.com/app", "(devel)")) == "pkg:golang/example.com/app"
    assert module_purl("../greet", "(devel)") is None and module_purl("C:\\src\\x", "") is None
