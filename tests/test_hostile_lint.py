"""Hostile Go sources for `cgoguard lint` (issues 8 and 12): the Go front end reads what Go's own
parser reads (deep nesting included, as `go vet` does), a file Go's parser refuses is one error
sentence for that file while the run goes on, and work stays linear in the input.

Nothing here is timed; benchmarks/bench_hostile.py measures seconds and peak memory."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

import hostile_go
from cgoguard.linter import lint
from cgoguard.readers.gofront import read_package
from clirun import run

GOOD = """package main

import "C"

//export Add
func Add(a, b C.int) C.int { return a + b }

//export Name
func Name(s string) C.int { return C.int(len(s)) }

func main() {}
"""

DEEP: dict[str, Callable[[int], str]] = {
    "pointers": hostile_go.nested_pointers,
    "parentheses": hostile_go.nested_parentheses,
    "structs": hostile_go.nested_structs,
    "funcs": hostile_go.nested_funcs,
    "signature": hostile_go.nested_slices_in_signature,
}


def _write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("kind", "depth"),
    [("pointers", 990), ("parentheses", 3000), ("structs", 3000), ("funcs", 3000), ("signature", 3000)],
)
def test_deep_types_are_read_like_go_reads_them(tmp_path: Path, kind: str, depth: int) -> None:
    # tree-sitter, the previous reader, needed a nesting limit; Go's parser reads these.
    deep = _write(tmp_path / "deep", "deep.go", DEEP[kind](depth))
    good = _write(tmp_path / "good", "good.go", GOOD)
    proc = run("lint", deep, good, "--format", "json")
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    artifacts = {Path(a["path"]).name: a for a in json.loads(proc.stdout)["artifacts"]}
    assert artifacts.get("deep.go", {"error": None})["error"] is None
    assert artifacts["good.go"]["error"] is None
    assert [f["id"] for f in artifacts["good.go"]["findings"]] == ["CG414"], "the good file is still linted"


def test_nesting_beyond_gos_parser_is_an_error_for_that_file_and_the_run_goes_on(tmp_path: Path) -> None:
    # go/parser stops at 100,000 nested expressions: that file is one sentence, the rest is read.
    deep = _write(tmp_path / "deep", "deep.go", hostile_go.nested_parentheses(100_001))
    good = _write(tmp_path / "good", "good.go", GOOD)
    proc = run("lint", deep, good, "--format", "json")
    assert "Traceback" not in proc.stderr, proc.stderr
    assert proc.returncode == 3, proc.stderr
    artifacts = {Path(a["path"]).name: a for a in json.loads(proc.stdout)["artifacts"]}
    error = artifacts["deep.go"]["error"]
    assert error.startswith(f"{deep}:") and "syntax error" in error, error
    assert "\n" not in error and len(error) < 400, "one bounded sentence"
    assert artifacts["good.go"]["error"] is None


def test_new_syntax_parses(tmp_path: Path) -> None:
    # Go 1.26's new(expr) was a "syntax error" to tree-sitter-go 0.25: the whole file went unchecked.
    _write(
        tmp_path,
        "lib.go",
        'package main\n\nimport "C"\n\n//export Answer\nfunc Answer() C.int {\n'
        "\tp := new(int(42))\n\treturn C.int(*p)\n}\n\n"
        "//export Sum\nfunc Sum(values []int64) int64 { return 0 }\n\nfunc main() {}\n",
    )
    (artifact,) = lint([str(tmp_path)])
    assert artifact.error is None
    assert [f.check_id for f in artifact.findings] == ["CG404"]


def test_twenty_thousand_exports_lint_with_every_finding(tmp_path: Path) -> None:
    path = _write(tmp_path, "lib.go", hostile_go.exports_file(20_000))
    (artifact,) = lint([str(path)])
    assert artifact.error is None
    assert Counter(f.check_id for f in artifact.findings) == hostile_go.expected_findings(20_000)


def test_deep_code_that_is_not_types_is_read(tmp_path: Path) -> None:
    depth = 5_000
    parentheses = "(" * depth + "x" + ")" * depth
    literals = "defer func() {\nrecover()\n" * depth + "}()\n" * depth
    blocks = "{\n" * depth + "x++\n" + "}\n" * depth
    source = (
        'package main\n\nimport "C"\n\n'
        f"//export Deep\nfunc Deep(x C.int) C.int {{\n{literals}{blocks}return {parentheses}\n}}\n\n"
        "func main() {}\n"
    )
    path = _write(tmp_path, "lib.go", source)
    (artifact,) = lint([str(path)])
    assert artifact.error is None
    (function,) = [f for f in read_package(str(tmp_path)).files[0].functions if f.name == "Deep"]
    assert len(function.defers) == 1 and function.defers[0].literal_calls_recover


def test_nested_hand_offs_are_shown_bounded(tmp_path: Path) -> None:
    # Each C call passes a Go pointer whose expression holds the next call: every finding
    # would quote the rest of the nest. Shown texts are bounded, so the report stays small.
    depth = 2_000
    nest = "C.register_cb(unsafe.Pointer(&x[" * depth + "0" + "]))" * depth
    chain = "x" + ".f()" * depth
    source = (
        'package main\n\nimport "C"\nimport "unsafe"\n\n'
        f"func Nest(x []int) {{\n\t{nest}\n\tdefer {chain}.Close()\n}}\n\nfunc main() {{}}\n"
    )
    path = _write(tmp_path, "lib.go", source)
    proc = run("lint", path, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    (artifact,) = json.loads(proc.stdout)["artifacts"]
    messages = [f["message"] for f in artifact["findings"] if f["id"] == "CG408"]
    assert len(messages) == depth
    assert max(len(m) for m in messages) < 400
    assert len(proc.stdout) < 2_000 * depth


def test_columns_on_a_long_line_of_many_byte_characters(tmp_path: Path) -> None:
    padding = "é" * 20_000  # 40,000 bytes on the line before the call, across many count blocks
    source = (
        'package main\n\nimport "C"\n\n'
        f'func Leak() {{ _ = "{padding}"; C.puts(C.CString("x")) }}\n\nfunc main() {{}}\n'
    )
    _write(tmp_path, "lib.go", source)
    (artifact,) = lint([str(tmp_path)])
    (finding,) = [f for f in artifact.findings if f.check_id == "CG406"]
    assert finding.location is not None
    line = source.splitlines()[4]
    assert finding.location.column == line.index("C.CString") + 1
