"""The labelled corpus of benchmarks/lint_accuracy.py is sound: every label
points at what its rule is about, no key is labelled twice, every rule has
enough cases on both sides, and every project keeps its license and source."""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent.parent / "benchmarks" / "corpus"
KINDS = [kind for kind in ("go", "headers", "heldout") if (CORPUS / kind / "labels.toml").is_file()]
# Rules reported on the exported function's `func Name(` line.
PER_EXPORT = {"CG404", "CG405", "CG407", "CG412", "CG413", "CG415"}
# Rules the corpus must cover with >= 3 true and >= 3 false labels.
REQUIRED = {
    "go": [
        "CG404",
        "CG405",
        "CG406",
        "CG407",
        "CG408",
        "CG409",
        "CG411",
        "CG412",
        "CG413",
        "CG414",
        "CG415",
        "CG416",
    ],
    "headers": [f"CG45{n}" for n in range(1, 9)],
}


def labels(kind: str) -> list[dict[str, object]]:
    data = tomllib.loads((CORPUS / kind / "labels.toml").read_text(encoding="utf-8"))
    entries = data.get("label", [])
    assert isinstance(entries, list)
    return entries


@pytest.mark.parametrize("kind", KINDS)
def test_labels_are_well_formed_and_unique(kind: str) -> None:
    keys = Counter((e["file"], e["line"], e["rule"]) for e in labels(kind))
    assert [k for k, n in keys.items() if n > 1] == []
    for entry in labels(kind):
        assert entry["verdict"] in ("true", "false", "debatable"), entry
        assert re.fullmatch(r"CG\d{3}", str(entry["rule"])), entry
        assert str(entry.get("why", "")).strip(), f"{entry}: a label needs a why"


@pytest.mark.parametrize("kind", KINDS)
def test_every_label_points_at_its_place(kind: str) -> None:
    for entry in labels(kind):
        path = CORPUS / kind / str(entry["file"])
        assert path.is_file(), entry
        lines = path.read_text(encoding="utf-8").splitlines()
        line = int(str(entry["line"]))
        assert 1 <= line <= len(lines), entry
        text = lines[line - 1]
        assert text.strip(), f"{entry}: blank line"
        if kind in ("go", "heldout") and entry["rule"] in PER_EXPORT:
            match = re.match(r"func (\w+)\(", text)
            assert match, f"{entry}: {text!r} is not a func line"
            above = lines[: line - 1]
            comments = []
            while above and above[-1].startswith("//"):
                comments.append(above.pop())
            assert f"//export {match.group(1)}" in comments, f"{entry}: no //export doc comment"


# The held-out corpus is scored as found; the Go corpus and the real headers must cover every rule
# they label on both sides.
@pytest.mark.parametrize("kind", ["go", "headers"])
def test_every_rule_has_three_true_and_three_false(kind: str) -> None:
    counts = Counter((e["rule"], e["verdict"]) for e in labels(kind))
    rules = set(REQUIRED[kind]) | {str(e["rule"]) for e in labels(kind) if e["verdict"] != "debatable"}
    short = {r: (counts[(r, "true")], counts[(r, "false")]) for r in sorted(rules)}
    assert {r: c for r, c in short.items() if min(c) < 3} == {}


@pytest.mark.parametrize("kind", KINDS)
def test_every_project_has_license_and_source(kind: str) -> None:
    projects = [p for p in (CORPUS / kind).iterdir() if p.is_dir() and p.name != "patterns"]
    assert projects
    for project in projects:
        if project.name.startswith("cgoguard-"):
            continue  # cgoguard's own output, under this repository's license
        assert (project / "LICENSE").is_file() or (project / "LICENSE.md").is_file(), project
        source = (project / "SOURCE.md").read_text(encoding="utf-8")
        assert re.search(r"https://github\.com/\S+", source) and re.search(r"\b[0-9a-f]{40}\b", source), (
            project
        )


def test_patterns_name_what_they_recreate() -> None:
    patterns = CORPUS / "go" / "patterns"
    for go_file in patterns.rglob("*.go"):
        head = go_file.read_text(encoding="utf-8").split("package", 1)[0]
        if go_file.parent.name == "guard":
            continue
        assert "Re-created pattern" in head, go_file
