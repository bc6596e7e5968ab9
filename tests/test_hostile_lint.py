"""Hostile Go sources for `cgoguard lint` (issue 8): work and memory linear in the input, and
types nested too deep are one error sentence for that file while the run goes on.

Nothing here is timed; benchmarks/bench_hostile.py measures seconds and peak memory."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

import hostile_go
from cgoguard.linter import lint
from cgoguard.readers import gosource
from cgoguard.readers.gosource import read_package
from cgoguard.readers.limits import TYPE_NESTING_LIMIT
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
def test_deep_types_are_an_error_for_that_file_and_the_run_goes_on(
    tmp_path: Path, kind: str, depth: int
) -> None:
    deep = _write(tmp_path / "deep", "deep.go", DEEP[kind](depth))
    good = _write(tmp_path / "good", "good.go", GOOD)
    proc = run("lint", deep, good, "--format", "json")
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr, proc.stderr
    assert proc.returncode == 3, proc.stderr
    artifacts = {Path(a["path"]).name: a for a in json.loads(proc.stdout)["artifacts"]}
    error = artifacts["deep.go"]["error"]
    assert error.startswith(f"{deep}:"), error
    assert f"nests types {depth} deep, deeper than cgoguard reads (limit {TYPE_NESTING_LIMIT})" in error
    assert error.count(". ") == 0 and "\n" not in error, "one sentence"
    assert artifacts["good.go"]["error"] is None
    assert [f["id"] for f in artifacts["good.go"]["findings"]] == ["CG404"], "the good file is still linted"


@pytest.mark.parametrize("kind", sorted(DEEP))
def test_types_at_the_limit_are_read(tmp_path: Path, kind: str) -> None:
    path = _write(tmp_path, "deep.go", DEEP[kind](TYPE_NESTING_LIMIT))
    package = read_package(str(tmp_path))
    assert package.errors == [] and len(package.files) == 1
    _write(tmp_path, "deep.go", DEEP[kind](TYPE_NESTING_LIMIT + 1))
    package = read_package(str(tmp_path))
    assert [(p, "limit" in e) for p, e in package.errors] == [(str(path), True)]


def test_twenty_thousand_exports_lint_with_every_finding(tmp_path: Path) -> None:
    path = _write(tmp_path, "lib.go", hostile_go.exports_file(20_000))
    (artifact,) = lint([str(path)])
    assert artifact.error is None
    assert Counter(f.check_id for f in artifact.findings) == hostile_go.expected_findings(20_000)


def test_a_file_read_in_chunks_gives_the_facts_of_the_whole_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ordinary = hostile_go.ordinary_file(20_000).split("func main() {}")[1]
    _write(tmp_path, "lib.go", hostile_go.exports_file(200) + ordinary)
    whole = read_package(str(tmp_path))
    monkeypatch.setattr(gosource, "_CHUNK_BYTES", 512)
    parsed = gosource._parse_file(str(tmp_path / "lib.go"))
    assert parsed.tree is None and len(parsed.chunks) > 10, "read in chunks, one tree at a time"
    assert read_package(str(tmp_path)) == whole


@pytest.mark.parametrize(
    "trap",
    [
        "var table = `{padding}\nfunc Fake() {{}}\n`",
        "/*{padding}\nfunc Fake() {{}}\n*/",
        "var f = func() {{\n_ = `{padding}`\ntype Fake int\n_ = Fake(0)\n}}",
    ],
)
def test_a_declaration_line_inside_a_string_or_block_makes_the_file_read_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trap: str
) -> None:
    # The first line after 512 bytes that starts like a declaration is inside a raw string,
    # a comment or a func literal: the chunk before it does not parse alone.
    source = "package main\n\n" + trap.format(padding="x" * 600) + "\n\nfunc Real() {}\n"
    monkeypatch.setattr(gosource, "_CHUNK_BYTES", 512)
    path = _write(tmp_path, "lib.go", source)
    assert len(gosource._chunks(path.read_bytes())) == 2
    assert gosource._parse_file(str(path)).tree is not None, "read whole"
    (file,) = read_package(str(tmp_path)).files
    assert [f.name for f in file.functions] == ["Real"]


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
