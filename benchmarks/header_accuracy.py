"""Precision and recall of the header rules on the real headers of
benchmarks/corpus/headers (labels in its labels.toml; format in
benchmarks/corpus/<kind>/labels.toml). A finding with no label counts as a
false positive; "debatable" labels are left out of the scores.

    python benchmarks/header_accuracy.py            # the table
    python benchmarks/header_accuracy.py --strict   # CG453 at its strict level
"""

from __future__ import annotations

import argparse
import tomllib
from collections import Counter
from pathlib import Path

from cgoguard.linter import lint

CORPUS = Path(__file__).resolve().parent / "corpus" / "headers"
HEADER_RULES = tuple(f"CG45{n}" for n in range(1, 9))


def findings(level: str) -> set[tuple[str, int, str]]:
    headers = sorted(str(p) for p in CORPUS.rglob("*.h"))
    found = set()
    for artifact in lint(headers, header_integers=level):
        if artifact.error is not None:
            raise SystemExit(f"{artifact.path}: {artifact.error}")
        for finding in artifact.findings:
            assert finding.location is not None
            path = Path(finding.location.path).resolve().relative_to(CORPUS)
            found.add((str(path), finding.location.line, finding.check_id))
    return found


def scores(level: str = "portability") -> dict[str, Counter[str]]:
    labels = tomllib.loads((CORPUS / "labels.toml").read_text())["label"]
    verdicts = {(label["file"], label["line"], label["rule"]): label["verdict"] for label in labels}
    table: dict[str, Counter[str]] = {rule: Counter() for rule in HEADER_RULES}
    for (_, _, rule), verdict in verdicts.items():
        if rule in table:
            table[rule][verdict] += 1
    found = findings(level)
    for key in found:
        verdict = verdicts.get(key, "unlabelled")
        if key[2] in table and verdict != "debatable":
            table[key[2]]["tp" if verdict == "true" else "fp"] += 1
    for key, verdict in verdicts.items():
        if verdict == "true" and key not in found and key[2] in table:
            table[key[2]]["fn"] += 1
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strict", action="store_true", help="CG453 at its strict level")
    args = parser.parse_args()
    print("| rule | true | false | debatable | TP | FP | FN | precision | recall |")
    print("|---|---|---|---|---|---|---|---|---|")
    for rule, s in scores("strict" if args.strict else "portability").items():
        found = s["tp"] + s["fp"]
        precision = f"{s['tp'] / found:.2f}" if found else "-"
        recall = f"{s['tp'] / (s['tp'] + s['fn']):.2f}" if s["tp"] + s["fn"] else "-"
        print(
            f"| {rule} | {s['true']} | {s['false']} | {s['debatable']} | {s['tp']} | {s['fp']} | {s['fn']} "
            f"| {precision} | {recall} |"
        )


if __name__ == "__main__":
    main()
