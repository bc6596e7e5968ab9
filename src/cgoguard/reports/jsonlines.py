"""JSON Lines: one JSON object per line, written as each artifact arrives.

For runs too large to hold or parse as one document: a consumer reads line by
line and acts on each artifact while the scan goes on. Every record names its
``type``: ``tool`` first, then one ``artifact`` per input in run order (the
object the JSON report puts in ``artifacts``), then one ``set_finding`` per
set-level finding, and ``summary`` last (the JSON report's ``summary`` and
``fail_on``; ``evidence`` for comply). A stream without a ``summary`` line was
cut short. Each line is flushed, so a pipe sees it at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import IO, Any

from cgoguard.model import Artifact, Item
from cgoguard.reports import ReportContext, Reporter, RunTotals
from cgoguard.reports.jsonreport import artifact_json, finding_to_dict, run_summary


class JsonLinesReporter(Reporter):
    name = "jsonl"

    def __init__(self, out: IO[str], context: ReportContext) -> None:
        super().__init__(out, context)
        self.started = False

    def prerender(self) -> Callable[[Artifact], str]:
        return artifact_json  # one line: the encoder escapes every newline inside strings

    def _line(self, text: str) -> None:
        if not self.started:
            self.started = True
            self._line(
                json.dumps({"type": "tool", "tool": self.context.tool, "command": self.context.command})
            )
        self.out.write(text + "\n")
        self.out.flush()

    def add(self, item: Item) -> None:
        text = item.text if item.text is not None else artifact_json(item.artifact)  # type: ignore[arg-type]
        self._line('{"type": "artifact", "artifact": ' + text + "}")

    def finish(self, totals: RunTotals) -> None:
        for finding in totals.set_findings:
            self._line(json.dumps({"type": "set_finding", "finding": finding_to_dict(finding)}))
        summary = run_summary(totals)
        record: dict[str, Any] = {"type": "summary", "summary": summary, "fail_on": str(self.context.fail_on)}
        if totals.evidence is not None:
            from cgoguard.evidence import evidence_to_dict

            record["evidence"] = evidence_to_dict(totals.evidence)
        self._line(json.dumps(record))
