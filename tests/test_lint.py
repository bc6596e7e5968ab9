"""`cgoguard lint`: CLI contract, bad input, suppressions, reports, and
header <-> binary on real cgo builds."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cgoguard.cli import main
from cgoguard.linter import lint
from cgoguard.readers.cheader import HeaderError, read_header
from cgoguard.readers.gofront import GoSourceError, read_package

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "tests" / "fixtures" / "lint"
BRIDGE = REPO / "tests" / "fixtures" / "go" / "bridge"

LEAKY = """package main

import "C"

//export Leak
func Leak(text *C.char) C.int {
\treturn C.int(C.puts(C.CString("x")))
}

func main() {}
"""


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


def _ids(paths: list[str], **kwargs: object) -> list[tuple[str, int, str]]:
    return [
        (Path(f.location.path).name, f.location.line, f.check_id)
        for a in lint(paths, **kwargs)  # type: ignore[arg-type]
        for f in a.findings
        if f.location is not None
    ]


def test_locations_are_one_based_lines_and_character_columns(tmp_path: Path) -> None:
    # Two "é" (two bytes each) before the call: columns count characters, not bytes.
    source = LEAKY.replace("\treturn C.int(", "\tvé := 0; _ = vé; return C.int(")
    _write(tmp_path, "lib.go", source)
    (artifact,) = lint([str(tmp_path)])
    (finding,) = [f for f in artifact.findings if f.check_id == "CG406"]
    assert finding.location is not None
    assert (finding.location.line, finding.location.column) == (7, 39)  # 38 characters (40 bytes) precede it


def test_inline_ignore_on_the_line_or_the_line_above(tmp_path: Path) -> None:
    _write(
        tmp_path / "a",
        "lib.go",
        LEAKY.replace('C.CString("x")))', 'C.CString("x"))) //cgoguard:ignore CG406 C owns it'),
    )
    above = LEAKY.replace(
        "\treturn C.int(C.puts", "\t//cgoguard:ignore CG406 C owns it\n\treturn C.int(C.puts"
    )
    _write(tmp_path / "b", "lib.go", above)
    _write(
        tmp_path / "c",
        "lib.go",
        LEAKY.replace('C.CString("x")))', 'C.CString("x"))) //cgoguard:ignore CG405'),
    )
    assert "CG406" not in {i for _, _, i in _ids([str(tmp_path / "a")])}
    assert "CG406" not in {i for _, _, i in _ids([str(tmp_path / "b")])}
    assert "CG406" in {i for _, _, i in _ids([str(tmp_path / "c")])}  # another ID does not hide it


def test_exit_codes_and_fail_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "lib.go", LEAKY)
    # The only finding is CG406 (medium): below the default --fail-on high.
    assert main(["lint", str(tmp_path)]) == 0
    assert main(["lint", str(tmp_path), "--fail-on", "medium"]) == 1
    assert main(["lint", str(tmp_path), "--fail-on", "critical"]) == 0
    assert main(["lint", str(tmp_path), "--select", "CG401"]) == 0
    assert main(["lint", str(tmp_path), "--ignore", "CG406", "--fail-on", "medium"]) == 0
    assert main(["lint", str(tmp_path / "missing")]) == 3  # incomplete: see test_exit_codes.py
    assert "does not exist" in capsys.readouterr().out


def test_unparseable_go_file_is_a_per_file_error_and_the_rest_is_linted(tmp_path: Path) -> None:
    _write(tmp_path, "broken.go", "package main\n\nfunc broken( {\n")
    _write(tmp_path, "lib.go", LEAKY)
    artifacts = {Path(a.path).name: a for a in lint([str(tmp_path)])}
    assert artifacts["broken.go"].error is not None
    assert "broken.go:3:" in artifacts["broken.go"].error and "syntax error" in artifacts["broken.go"].error
    assert {f.check_id for f in artifacts["lib.go"].findings} == {"CG406"}


def test_bad_inputs_never_raise(tmp_path: Path) -> None:
    binary = _write(tmp_path, "blob.h", "")
    binary.write_bytes(b"\x7fELF\0\0\0garbage")
    not_c = _write(tmp_path, "prose.h", "This is not C at all ;;; {\n")
    go_binary = _write(tmp_path / "bin", "x.go", "")
    go_binary.write_bytes(b"\0\1\2")
    other = _write(tmp_path, "notes.txt", "hello")
    artifacts = lint([str(binary), str(not_c), str(go_binary), str(other), str(tmp_path / "nope")])
    errors = [a.error for a in artifacts]
    assert all(errors), errors
    with pytest.raises(HeaderError, match="binary data"):
        read_header(str(binary))
    with pytest.raises(HeaderError, match="does not parse"):
        read_header(str(not_c))
    assert read_package(str(tmp_path / "bin")).errors
    with pytest.raises(GoSourceError):
        read_package(str(tmp_path / "no-such-folder"))


def test_missing_include_is_not_fatal(tmp_path: Path) -> None:
    header = _write(
        tmp_path, "api.h", '#pragma once\n#include "not_there.h"\n#include <stdint.h>\nint32_t f(void);\n'
    )
    facts = read_header(str(header))
    assert [f.name for f in facts.functions] == ["f"]
    assert facts.missing_includes


def test_recursive_folder_walk(tmp_path: Path) -> None:
    _write(tmp_path / "one", "lib.go", LEAKY)
    _write(tmp_path / "two" / "deeper", "lib.go", LEAKY)
    _write(tmp_path / "vendor" / "x", "lib.go", LEAKY)
    linted = {Path(a.path).parent.name for a in lint([f"{tmp_path}/..."])}
    assert linted == {"one", "deeper"}
    (error,) = lint([str(tmp_path)])
    assert error.error is not None and "/..." in error.error


def test_json_report_carries_locations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _write(tmp_path, "lib.go", LEAKY)
    main(["lint", str(tmp_path), "--format", "json"])
    report = json.loads(capsys.readouterr().out)
    (finding,) = report["artifacts"][0]["findings"]
    assert finding["id"] == "CG406"
    assert finding["location"]["line"] == 7 and finding["location"]["path"].endswith("lib.go")


def test_sarif_report_is_valid_and_has_regions(tmp_path: Path) -> None:
    import jsonschema

    # The official OASIS schema, copied into the repository (as for test_cli.py).
    schema_path = REPO / "tests" / "data" / "sarif-schema-2.1.0.json"
    output = tmp_path / "lint.sarif"
    assert main(["lint", str(CORPUS / "go" / "bodies"), "--format", "sarif", "--output", str(output)]) == 1
    sarif = json.loads(output.read_text())
    jsonschema.validate(sarif, json.loads(schema_path.read_text()))
    results = sarif["runs"][0]["results"]
    assert results
    rules = {r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert {r["ruleId"] for r in results} <= rules
    assert not any(rule.startswith("CG1") for rule in rules)  # only source and header rules
    region = results[0]["locations"][0]["physicalLocation"]["region"]
    assert region["startLine"] >= 1 and region["startColumn"] >= 1


def test_bridge_fixture_source() -> None:
    # Sha256Hex hashes with crypto/sha256 and has no recover; the rest is clean.
    assert _ids([str(BRIDGE)]) == [("bridge.go", 39, "CG405")]


OLD_CGO_HEADER = """{first}

/* Start of preamble from import "C" comments.  */

static int twice(int x) {{ return 2 * x; }}

/* End of preamble from import "C" comments.  */

/* Start of boilerplate cgo prologue.  */

#ifndef GO_CGO_PROLOGUE_H
#define GO_CGO_PROLOGUE_H
typedef long long GoInt64;
#endif

/* End of boilerplate cgo prologue.  */

#ifdef __cplusplus
extern "C" {{
#endif

extern char* Name();

#ifdef __cplusplus
}}
#endif
"""


@pytest.mark.parametrize(
    "first", ['/* Created by "go tool cgo" - DO NOT EDIT. */', "/* Created by cgo - DO NOT EDIT. */"]
)
def test_headers_written_by_older_cgo_are_generated(tmp_path: Path, first: str) -> None:
    """Go 1.9 and older began their headers otherwise; the user cannot add a
    guard to them either (the static preamble function breaks a second include)."""
    generated = _write(tmp_path, "old.h", OLD_CGO_HEADER.format(first=first))
    assert read_header(str(generated)).generated_by_cgo
    assert _header_ids(generated) == {(22, "CG454")}
    edited = _write(tmp_path, "edited.h", OLD_CGO_HEADER.format(first="/* Hand-edited. */"))
    assert not read_header(str(edited)).generated_by_cgo
    assert (1, "CG451") in _header_ids(edited)


def test_cgo_header_parses_and_matches_its_library(
    fixture_path: Callable[[str], Path], cgo_header: Callable[[str], Path]
) -> None:
    for name in ("go_cshared_default", "go_carchive_default"):
        header = cgo_header(name)
        facts = read_header(str(header))
        assert facts.generated_by_cgo
        assert [f.name for f in facts.functions] == ["Add", "Sha256Hex", "FreeString", "CallC"]
        library = fixture_path(name)
        found = _ids([str(header)], against=str(library))
        assert not [f for f in found if f[2] in ("CG471", "CG472")], found
        # cgo maps C.int to int: the same width on every ABI Go supports, so strict level only.
        assert not [line for _, line, check in found if check == "CG453"]
        strict = _ids([str(header)], header_integers="strict")
        assert sorted(line for _, line, check in strict if check == "CG453") == sorted(
            f.location.line for f in facts.functions if f.name != "FreeString"
        )


def test_against_a_missing_library_reports_and_still_lints_the_header(tmp_path: Path) -> None:
    header = CORPUS / "headers" / "sloppy.h"
    (artifact,) = lint([str(header)], against=str(tmp_path / "libnone.so"))
    assert artifact.error is not None and "libnone.so" in artifact.error
    assert {f.check_id for f in artifact.findings} >= {"CG451", "CG453"}  # a struct; long


# -- real headers (benchmarks/corpus/headers): regressions for issue 12 -----------------------

HEADERS = REPO / "benchmarks" / "corpus" / "headers"


def _header_ids(path: Path, **kwargs: object) -> set[tuple[int, str]]:
    (artifact,) = lint([str(path)], **kwargs)  # type: ignore[arg-type]
    assert artifact.error is None, artifact.error
    return {(f.location.line, f.check_id) for f in artifact.findings if f.location is not None}


def test_missing_include_is_reported_and_its_types_never_judged_as_int() -> None:
    header = HEADERS / "libtailscale" / "socketpair_handler.h"
    facts = read_header(str(header))
    (function,) = facts.functions
    assert function.result.unresolved == ["SOCKET"] and not function.result.platform_integers
    assert _header_ids(header) >= {(4, "CG457")}
    assert not {i for _, i in _header_ids(header)} & {"CG453"}


def test_unresolved_go_types_are_not_int(tmp_path: Path) -> None:
    header = _write(tmp_path, "api.h", '#pragma once\n#include "libgo.h"\nGoInt count(GoString s, long n);\n')
    (function,) = read_header(str(header)).functions
    assert function.result.unresolved == ["GoInt"]
    assert function.parameters[0][1].unresolved == ["GoString"]
    assert function.parameters[1][1].platform_integers == ["long"]  # resolved types are still judged


def test_not_self_contained_header_is_parsed_and_reported() -> None:
    header = HEADERS / "go-jsonnet" / "c-bindings" / "internal.h"
    facts = read_header(str(header))
    assert facts.undeclared_standard_types == {"size_t": 29}
    assert len(facts.functions) == 10
    # Internal header of C helpers (included by the cgo preamble, no //export): no CG452/CG455.
    assert _header_ids(header) == {(29, "CG458")}


def test_standard_type_not_claimed_when_an_include_was_not_read(tmp_path: Path) -> None:
    """bool may come from what was not found (Foundation.h) or not read: no CG458 then."""
    darwin = _write(tmp_path, "n.h", "#pragma once\n#include <Foundation/Foundation.h>\nbool ready(void);\n")
    assert read_header(str(darwin)).undeclared_standard_types == {}
    assert {i for _, i in _header_ids(darwin)} == {"CG452", "CG455", "CG457"}
    computed = _write(tmp_path, "c.h", "#pragma once\n#include VENDOR_H\nbool ready(void);\n")
    assert read_header(str(computed)).undeclared_standard_types == {}
    alone = _write(tmp_path, "a.h", "#pragma once\nbool ready(void);\n")
    assert read_header(str(alone)).undeclared_standard_types == {"bool": 2}


def test_header_imported_by_the_cgo_preamble_is_internal(tmp_path: Path) -> None:
    """cgo preambles may #import (Objective-C) a header of C helpers: as internal as #include."""
    header = _write(tmp_path, "helper.h", "#pragma once\n#include <stdbool.h>\nbool ready(void);\n")
    _write(tmp_path, "helper_darwin.go", 'package helper\n\n// #import "./helper.h"\nimport "C"\n')
    assert read_header(str(header)).included_by_cgo == ["helper_darwin.go"]
    assert _header_ids(header) == set()


@pytest.mark.parametrize(
    ("between", "wrapped"),
    [
        ("", True),
        ("#include <stddef.h>\n\n#define WRAPPED 1\n", True),  # gocv's core.h: <opencv2/opencv.hpp>
        ("#include <stddef.h>\n#endif\n#ifdef __cplusplus\n", True),  # a second, plain opening
        ("#include <stddef.h>\n#elif defined(OTHER)\n", False),  # not the __cplusplus branch
        ("#define OPEN \\\n", False),  # the extern line is the macro's body
    ],
)
def test_extern_c_block_may_follow_other_directives(tmp_path: Path, between: str, wrapped: bool) -> None:
    close = "#ifdef __cplusplus\n}\n#endif\n" if wrapped else ""
    text = f'#pragma once\n#ifdef __cplusplus\n{between}extern "C" {{\n#endif\nint f(void);\n{close}'
    header = _write(tmp_path, "api.h", text)
    assert read_header(str(header)).extern_c is wrapped
    assert ((5 + between.count("\n"), "CG452") in _header_ids(header)) is not wrapped
    assert read_header(str(HEADERS / "gocv" / "core.h")).extern_c


def test_cgo_generated_headers_are_judged_for_what_the_user_controls() -> None:
    # cgoguard's own hardened build of examples/bridge: int and size_t only, no guard.
    assert _header_ids(HEADERS / "cgoguard-bridge" / "libbridge.h") == set()
    awesome = HEADERS / "go-cshared-examples" / "awesome.h"
    assert _header_ids(awesome) == {(85, "CG453"), (89, "CG453"), (90, "CG453")}  # GoInt
    sections = {f.name: f.cgo_section for f in read_header(str(awesome)).functions}
    assert set(sections.values()) == {"export"}


def test_32_bit_cgo_header_parses() -> None:
    header = HEADERS / "tls-client" / "cffi_dist" / "dist" / "tls-client-windows-32-1.2.0.h"
    assert _header_ids(header) == set()


def test_include_guard_only_where_including_twice_breaks(tmp_path: Path) -> None:
    harmless = _write(
        tmp_path, "protos.h", "#include <stdint.h>\nint32_t f(int32_t);\ntypedef int32_t h_t;\n"
    )
    breaking = _write(tmp_path, "structs.h", "struct point { int x; };\nint f(struct point p);\n")
    assert read_header(str(harmless)).repeat_errors == []
    errors = read_header(str(breaking)).repeat_errors
    assert errors and errors[0].startswith("C: line 1: redefinition of 'point'")
    assert any(e.startswith("C++:") for e in errors)
    assert "CG451" not in {i for _, i in _header_ids(harmless)}
    assert (1, "CG451") in _header_ids(breaking)


def test_visibility_not_required_of_go_exports() -> None:
    header = HEADERS / "wireguard-apple" / "Sources" / "WireGuardKitGo" / "wireguard.h"
    assert _header_ids(header) == {(14, "CG452"), (18, "CG454")}


def test_integer_levels(tmp_path: Path) -> None:
    header = _write(tmp_path, "api.h", "#pragma once\n#include <stddef.h>\nint a(size_t n);\nlong b(void);\n")
    assert {(line, i) for line, i in _header_ids(header) if i == "CG453"} == {(4, "CG453")}
    strict = {(line, i) for line, i in _header_ids(header, header_integers="strict") if i == "CG453"}
    assert strict == {(3, "CG453"), (4, "CG453")}
    (artifact,) = lint([str(header)], header_integers="strict")
    messages = [f.message for f in artifact.findings if f.check_id == "CG453"]
    assert all("[strict level]" in m for m in messages)


@pytest.fixture(scope="module")
def header_scores() -> dict[str, Any]:
    """The real-header corpus scored by benchmarks/lint_accuracy.py (the one scorer of every corpus)."""
    sys.path.insert(0, str(REPO / "benchmarks"))
    import lint_accuracy as accuracy

    root = accuracy.CORPUS / "headers"
    reported, errors = accuracy.findings(root, "headers", None)
    assert not errors, errors
    return accuracy.score("headers", accuracy.read_labels(root / "labels.toml"), reported, None).rules


def test_header_corpus_precision_and_recall(header_scores: dict[str, Any]) -> None:
    """What docs/lint.md claims on the real headers: P >= 0.95, R >= 0.9 per rule."""
    for rule, score in header_scores.items():
        assert score.precision >= 0.95 and score.recall >= 0.9, (rule, score)


# Issue 12: every header rule has real true and false cases (CG458 was the last to reach 3 true).
@pytest.mark.parametrize("rule", [f"CG45{n}" for n in range(1, 9)])
def test_header_corpus_has_three_true_and_three_false_cases(header_scores: dict[str, Any], rule: str) -> None:
    score = header_scores.get(rule)
    assert score is not None and score.true_labels >= 3 and score.false_labels >= 3, score


def test_every_use_of_an_unknown_type_is_left_unjudged(tmp_path: Path) -> None:
    text = (
        '#pragma once\n#include <stdint.h>\n#include "vendor.h"\n'
        "handle_t open_it(void);\nint32_t close_it(handle_t h);\n"
    )
    header = _write(tmp_path, "api.h", text)
    functions = read_header(str(header)).functions
    assert [f.result.unresolved for f in functions] == [["handle_t"], []]
    assert functions[1].parameters[0][1].unresolved == ["handle_t"]  # the second use too, not taken as int
    found = _header_ids(header, header_integers="strict")
    assert (3, "CG457") in found and not {i for _, i in found} & {"CG453"}


def test_build_constraints_decide_which_function_is_the_export(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The case: a same-named function in a file for another GOOS is not the export.
    (tmp_path / "size_linux.go").write_text(
        'package main\n\nimport "C"\n\n//export Size\n'
        "func Size(n C.int) C.int { return n }\n\nfunc main() {}\n"
    )
    (tmp_path / "size_windows.go").write_text(
        'package main\n\nimport "C"\n\n//export Size\nfunc Size(n int) int { return n }\n\nfunc main() {}\n'
    )
    assert main(["lint", str(tmp_path), "--goos", "linux", "--format", "json"]) == 0
    linux = json.loads(capsys.readouterr().out)
    assert [a["path"] for a in linux["artifacts"]] == [str(tmp_path / "size_linux.go")]
    assert main(["lint", str(tmp_path), "--goos", "windows", "--format", "json"]) == 0
    windows = json.loads(capsys.readouterr().out)
    (artifact,) = windows["artifacts"]
    assert artifact["path"] == str(tmp_path / "size_windows.go")
    assert [f["id"] for f in artifact["findings"]] == ["CG413"]


def test_export_directive_with_a_tab_is_ignored_by_build_and_lint_alike(tmp_path: Path) -> None:
    # cgo reads only "//export Name" with a space; build (gobuild.gosource) and lint share one reader.
    (tmp_path / "lib.go").write_text(
        'package main\n\nimport "C"\n\n//export\tAdd\nfunc Add(a, b C.int) C.int { return a + b }\n\n'
        "//export Sub\nfunc Sub(a, b C.int) C.int { return a - b }\n\nfunc main() {}\n"
    )
    package = read_package(str(tmp_path))
    assert [d.name for _, d in package.effective_exports()] == ["Sub"]
    (artifact,) = lint([str(tmp_path)])
    assert [f.check_id for f in artifact.findings] == ["CG401"]
