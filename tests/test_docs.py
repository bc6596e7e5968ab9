"""Every catalogue table in the docs is generated: each block marked
``<!-- generated: cgoguard ... -->`` must equal what that command prints now."""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from pathlib import Path

import pytest

from cgoguard.cli import main

ROOT = Path(__file__).resolve().parents[1]
BLOCK = re.compile(
    r"<!-- generated: cgoguard (?P<args>[^>]*?) -->\n(?P<body>.*?)<!-- end generated -->\n", re.S
)
DOCS = sorted([*ROOT.glob("docs/*.md"), ROOT / "README.md"])


def _blocks() -> list[tuple[Path, str, str]]:
    return [(doc, m["args"], m["body"]) for doc in DOCS for m in BLOCK.finditer(doc.read_text())]


def test_the_lint_rule_table_is_generated() -> None:
    assert any(doc.name == "lint.md" for doc, _, _ in _blocks())


@pytest.mark.parametrize(
    ("doc", "args", "body"), _blocks(), ids=lambda v: v.name if isinstance(v, Path) else ""
)
def test_generated_blocks_are_current(doc: Path, args: str, body: str) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(shlex.split(args)) == 0
    assert body == out.getvalue(), f"{doc.name} is stale: rerun `cgoguard {args}` into its generated block"
