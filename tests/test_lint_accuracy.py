"""Precision and recall of every lint check over the labelled corpus in
tests/fixtures/lint (labels: see tests/fixtures/lint/go/README.md).

``python tests/test_lint_accuracy.py`` prints the table. The test fails when
a check has fewer than 3 positive or 3 negative labelled cases, or when its
precision or recall falls below what docs/lint.md claims (1.0 on the corpus).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from cgoguard.checks import all_checks  # noqa: E402
from cgoguard.linter import lint  # noqa: E402
from gofixtures import build  # noqa: E402

CORPUS = REPO / "tests" / "fixtures" / "lint"
_LABEL = re.compile(r"\b(want|ok)(-next)?((?:\s+CG\d{3})+)")
# Header fixtures under against/ are compared with these libraries (by prefix).
AGAINST = {"cshared_": "go_cshared_default", "carchive_": "go_carchive_default"}
# What docs/lint.md claims for every check on this corpus.
CLAIMED_PRECISION = 1.0
CLAIMED_RECALL = 1.0

Key = tuple[str, int, str]  # (path, line, check ID)


@dataclass
class Score:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    positives: int = 0  # labelled "want"
    negatives: int = 0  # labelled "ok"

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.positives if self.positives else 1.0


def labels(path: Path) -> tuple[Counter[Key], Counter[Key]]:
    wanted: Counter[Key] = Counter()
    negative: Counter[Key] = Counter()
    for number, line in enumerate(path.read_text().splitlines(), 1):
        for kind, next_line, ids in _LABEL.findall(line):
            target = wanted if kind == "want" else negative
            for check_id in ids.split():
                target[(str(path), number + (1 if next_line else 0), check_id)] += 1
    return wanted, negative


def corpus_findings() -> Counter[Key]:
    found: Counter[Key] = Counter()
    artifacts = lint(sorted(str(p) for p in (CORPUS / "go").iterdir() if p.is_dir()))
    artifacts += lint(sorted(str(p) for p in (CORPUS / "headers").glob("*.h")))
    for prefix, fixture in AGAINST.items():
        headers = sorted(str(p) for p in (CORPUS / "against").glob(f"{prefix}*.h"))
        artifacts += lint(headers, against=str(build(fixture)))
    # Headers against the Go package they declare (CG473, CG474).
    against_go = CORPUS / "againstgo"
    artifacts += lint(sorted(str(p) for p in against_go.glob("*.h")), against=str(against_go / "bridge"))
    for artifact in artifacts:
        assert artifact.error is None, f"{artifact.path}: {artifact.error}"
        for finding in artifact.findings:
            assert finding.location is not None
            found[(finding.location.path, finding.location.line, finding.check_id)] += 1
    return found


def scores() -> dict[str, Score]:
    wanted: Counter[Key] = Counter()
    negative: Counter[Key] = Counter()
    for path in sorted(CORPUS.rglob("*")):
        if path.suffix in (".go", ".h"):
            more_wanted, more_negative = labels(path)
            wanted += more_wanted
            negative += more_negative
    found = corpus_findings()
    table = {
        c.id: Score()
        for c in all_checks()
        if c.target
        not in ("binary", "artifact-set", "build", "known-vulnerabilities", "signature", "measured")
    }
    for key, count in wanted.items():
        score = table[key[2]]
        score.positives += count
        hits = min(count, found[key])
        score.true_positives += hits
        score.false_negatives += count - hits
    for key, count in found.items():
        table[key[2]].false_positives += max(0, count - wanted[key])
    for key, count in negative.items():
        table[key[2]].negatives += count
    return table


def format_table(table: dict[str, Score]) -> str:
    rows = [
        "| check | positives | negatives | TP | FP | FN | precision | recall |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for check_id, s in sorted(table.items()):
        rows.append(
            f"| {check_id} | {s.positives} | {s.negatives} | {s.true_positives} | {s.false_positives} | "
            f"{s.false_negatives} | {s.precision:.2f} | {s.recall:.2f} |"
        )
    return "\n".join(rows)


@pytest.fixture(scope="module")
def table() -> dict[str, Score]:
    return scores()


def test_every_lint_check_has_three_positive_and_three_negative_cases(table: dict[str, Score]) -> None:
    thin = {c: (s.positives, s.negatives) for c, s in table.items() if s.positives < 3 or s.negatives < 3}
    assert not thin, f"checks with fewer than 3 labelled positive/negative cases: {thin}"


def test_precision_and_recall_per_check_meet_the_claim(table: dict[str, Score]) -> None:
    below = {
        c: (round(s.precision, 2), round(s.recall, 2))
        for c, s in table.items()
        if s.precision < CLAIMED_PRECISION or s.recall < CLAIMED_RECALL
    }
    assert not below, f"below the claimed precision/recall:\n{format_table(table)}"


def test_labels_name_existing_checks() -> None:
    known = {c.id for c in all_checks()}
    for path in CORPUS.rglob("*"):
        if path.suffix in (".go", ".h"):
            wanted, negative = labels(path)
            unknown = {key[2] for key in (wanted + negative)} - known
            assert not unknown, f"{path} labels unknown checks {unknown}"


if __name__ == "__main__":
    print(format_table(scores()))
