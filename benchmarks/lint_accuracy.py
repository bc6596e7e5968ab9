"""Precision and recall of `cgoguard lint` on the labelled corpus of real code.

The corpus is ``benchmarks/corpus/go`` (Go packages that export functions to C,
taken from public projects, plus re-created patterns) and
``benchmarks/corpus/headers`` (C headers), and ``benchmarks/corpus/heldout`` (Go
packages from other public projects, labelled before the tool was run on them:
code the rules were not tuned on, scored separately); each has a ``labels.toml`` of
``[[label]]`` tables (file, line, rule, verdict, why). A finding is keyed by
(path relative to the corpus kind folder, line, rule). A reported key labelled
``false`` or not labelled at all is a false positive; a ``true`` key not
reported is a false negative; ``debatable`` keys are left out of the scores.

    .venv/bin/python benchmarks/lint_accuracy.py [--json FILE] [--rules CG405,CG407]

Exit 1 when a rule with labels has precision < 0.95, recall < 0.9 or fewer than
3 true / 3 false labels, or when a package or header could not be read.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cgoguard.linter import lint

CORPUS = Path(__file__).resolve().parent / "corpus"
KINDS = ("go", "headers", "heldout")
# Kinds linted as one Go source tree (the others are header files).
GO_KINDS = ("go", "heldout")
MIN_PRECISION = 0.95
MIN_RECALL = 0.9
MIN_LABELS = 3
VERDICTS = ("true", "false", "debatable")

Key = tuple[str, int, str]


@dataclass
class Label:
    verdict: str
    why: str


@dataclass
class RuleScore:
    true_labels: int = 0
    false_labels: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        found = self.tp + self.fp
        return self.tp / found if found else 1.0

    @property
    def recall(self) -> float:
        return self.tp / self.true_labels if self.true_labels else 1.0

    def failures(self) -> list[str]:
        problems = []
        if self.precision < MIN_PRECISION:
            problems.append(f"precision {self.precision:.2f} < {MIN_PRECISION}")
        if self.recall < MIN_RECALL:
            problems.append(f"recall {self.recall:.2f} < {MIN_RECALL}")
        if self.true_labels < MIN_LABELS or self.false_labels < MIN_LABELS:
            counts = f"{self.true_labels} true / {self.false_labels} false labels"
            problems.append(f"{counts} (need {MIN_LABELS} + {MIN_LABELS})")
        return problems


@dataclass
class Disagreement:
    place: str
    rule: str
    kind: str  # "FP" or "FN"
    note: str


@dataclass
class CorpusResult:
    kind: str
    rules: dict[str, RuleScore] = field(default_factory=dict)
    disagreements: list[Disagreement] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def read_labels(path: Path) -> dict[Key, Label]:
    """The labels of one corpus kind; a malformed or duplicate label stops the run."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    labels: dict[Key, Label] = {}
    for entry in data.get("label", []):
        key = (str(entry["file"]), int(entry["line"]), str(entry["rule"]))
        verdict = str(entry["verdict"])
        if verdict not in VERDICTS:
            raise SystemExit(f"{path}: {key}: verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
        if key in labels:
            raise SystemExit(f"{path}: {key} is labelled twice")
        labels[key] = Label(verdict, str(entry.get("why", "")))
    return labels


def lint_targets(root: Path, kind: str) -> list[str]:
    """Every package folder (Go) or header file (headers) under root, as one lint call takes them."""
    if kind in GO_KINDS:
        return [f"{root}/..."]
    return sorted(
        str(p) for p in root.rglob("*") if p.suffix in (".h", ".hh", ".hpp", ".hxx") and p.is_file()
    )


def findings(root: Path, kind: str, rules: set[str] | None) -> tuple[dict[Key, str], list[str]]:
    """Reported keys with their messages, and the read errors, of one lint call."""
    reported: dict[Key, str] = {}
    errors: list[str] = []
    for artifact in lint(lint_targets(root, kind), jobs=1 if kind in GO_KINDS else None):
        if artifact.error:
            errors.append(f"{os.path.relpath(artifact.path, root)}: {artifact.error}")
        for finding in artifact.findings:
            if finding.location is None or (rules and finding.check_id not in rules):
                continue
            path = os.path.relpath(finding.location.path, root)
            reported.setdefault((path, finding.location.line, finding.check_id), finding.message)
    return reported, errors


def score(
    kind: str, labels: dict[Key, Label], reported: dict[Key, str], rules: set[str] | None
) -> CorpusResult:
    result = CorpusResult(kind)

    def rule_score(rule: str) -> RuleScore:
        return result.rules.setdefault(rule, RuleScore())

    for (path, line, rule), label in sorted(labels.items()):
        if rules and rule not in rules:
            continue
        entry = rule_score(rule)
        if label.verdict == "true":
            entry.true_labels += 1
            if (path, line, rule) in reported:
                entry.tp += 1
            else:
                entry.fn += 1
                result.disagreements.append(Disagreement(f"{path}:{line}", rule, "FN", label.why))
        elif label.verdict == "false":
            entry.false_labels += 1
    for (path, line, rule), message in sorted(reported.items()):
        found = labels.get((path, line, rule))
        if found is None or found.verdict == "false":
            rule_score(rule).fp += 1
            note = f"labelled false: {found.why}" if found else f"not labelled; tool says: {message}"
            result.disagreements.append(Disagreement(f"{path}:{line}", rule, "FP", note))
    return result


def run(rules: set[str] | None) -> list[CorpusResult]:
    results = []
    for kind in KINDS:
        root = CORPUS / kind
        labels_path = root / "labels.toml"
        if not labels_path.is_file():
            print(f"{kind}: no {labels_path.relative_to(CORPUS.parent)}, skipped")
            continue
        labels = read_labels(labels_path)
        reported, errors = findings(root, kind, rules)
        result = score(kind, labels, reported, rules)
        result.errors = errors
        results.append(result)
    return results


def print_result(result: CorpusResult) -> None:
    print(f"\n== corpus {result.kind}")
    heading = f"{'true':>5} {'false':>5} {'TP':>4} {'FP':>4} {'FN':>4} {'prec':>6} {'recall':>6}"
    print(f"{'rule':<7} {heading}  verdict")
    for rule, s in sorted(result.rules.items()):
        problems = s.failures()
        verdict = "ok" if not problems else "FAIL: " + "; ".join(problems)
        print(
            f"{rule:<7} {s.true_labels:>5} {s.false_labels:>5} {s.tp:>4} {s.fp:>4} {s.fn:>4}"
            f" {s.precision:>6.2f} {s.recall:>6.2f}  {verdict}"
        )
    for error in result.errors:
        print(f"READ ERROR {error}")
    if result.disagreements:
        print(f"-- disagreements ({len(result.disagreements)})")
    for d in result.disagreements:
        print(f"{d.place} {d.rule} {d.kind}: {d.note}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--json", metavar="FILE", help="also write the scores and disagreements as JSON")
    parser.add_argument(
        "--rules", help="comma-separated rule IDs to score (default: every labelled or reported rule)"
    )
    args = parser.parse_args(argv)
    rules = {r.strip() for r in args.rules.split(",") if r.strip()} if args.rules else None
    results = run(rules)
    failed = False
    for result in results:
        print_result(result)
        failed = failed or bool(result.errors)
        failed = failed or any(s.failures() for s in result.rules.values() if s.true_labels or s.false_labels)
    if args.json:
        document = [
            {
                "kind": r.kind,
                "rules": {
                    rule: {
                        **asdict(s),
                        "precision": s.precision,
                        "recall": s.recall,
                        "failures": s.failures(),
                    }
                    for rule, s in sorted(r.rules.items())
                },
                "disagreements": [asdict(d) for d in r.disagreements],
                "errors": r.errors,
            }
            for r in results
        ]
        Path(args.json).write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    print("\nFAIL" if failed else "\nOK")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
