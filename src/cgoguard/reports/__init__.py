"""Reporters: they render what a run produced and never decide pass or fail.

Every format is one :class:`Reporter` subclass in a module of its own, named
in :data:`REPORTERS`; a command creates one with :func:`create_reporter`,
hands it each :class:`~cgoguard.model.Item` as it arrives, then the totals.
A reporter that can stream returns a *prerender* function: the pipeline then
runs it where the item was produced (a worker process) and sends back only
the text. Adding a format (junit, html ...) is one new module, one line here
and a golden-output test. The SBOM formats (CycloneDX, SPDX) share one
projection of an artifact, :mod:`cgoguard.reports.sbom`.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, ClassVar

from cgoguard.baseline import BaselineOutcome
from cgoguard.checks import Check
from cgoguard.errors import UsageError
from cgoguard.model import Artifact, Finding, Item, ScanSummary, Severity
from cgoguard.outcome import Tally

if TYPE_CHECKING:
    from cgoguard.evidence import FrameworkEvidence


@dataclass(slots=True)
class ReportContext:
    """What a reporter knows before the first item."""

    command: str  # "scan" or "lint"
    tool: dict[str, str]
    checks: list[Check[Any]]  # the checks that were enabled (SARIF rules)
    fail_on: Severity = Severity.HIGH
    verbose: bool = False
    color: bool | None = None  # None: styled when the output is a terminal and NO_COLOR is unset
    lang: str = "en"  # "en" | "zh": the language of labels and prose (clause texts stay as written)
    width: int | None = None  # text: wrap and fit to this width (None: the terminal's; no wrapping otherwise)


@dataclass(slots=True)
class RunTotals:
    """What a reporter gets after the last item."""

    summary: ScanSummary
    tally: Tally
    set_findings: list[Finding] = field(default_factory=list)
    # comply: evidence per control of each framework (cgoguard.evidence.FrameworkEvidence)
    evidence: list[FrameworkEvidence] | None = None
    baseline: BaselineOutcome | None = None  # set when a baseline filtered the findings


class Reporter(ABC):
    name: ClassVar[str]

    def __init__(self, out: IO[str], context: ReportContext) -> None:
        self.out = out
        self.context = context

    def prerender(self) -> Callable[[Artifact], str] | None:
        """A picklable function rendering one artifact where it is produced, or None."""
        return None

    @abstractmethod
    def add(self, item: Item) -> None:
        """One input's result, in run order."""

    @abstractmethod
    def finish(self, totals: RunTotals) -> None:
        """Everything after the last item (summary, set-level findings)."""


# name -> "module:class"; imported on use so that start-up stays fast.
REPORTERS = {
    "text": "cgoguard.reports.text:TextReporter",
    "json": "cgoguard.reports.jsonreport:JsonReporter",
    "jsonl": "cgoguard.reports.jsonlines:JsonLinesReporter",
    "sarif": "cgoguard.reports.sarif:SarifReporter",
    "openvex": "cgoguard.reports.openvex:OpenVexReporter",
    "cyclonedx": "cgoguard.reports.cyclonedx:CycloneDxReporter",
    "cyclonedx-1.6": "cgoguard.reports.cyclonedx:CycloneDxReporter",
    "cyclonedx-1.7": "cgoguard.reports.cyclonedx:CycloneDx17Reporter",
    "spdx": "cgoguard.reports.spdx:SpdxReporter",
    "spdx-2.3": "cgoguard.reports.spdx:SpdxReporter",
    "markdown": "cgoguard.reports.markdown:MarkdownReporter",
    "csv": "cgoguard.reports.csvreport:CsvReporter",
    "junit": "cgoguard.reports.junit:JunitReporter",
    "oscal": "cgoguard.reports.oscal:OscalReporter",
    "html": "cgoguard.reports.html:HtmlReporter",
}


# Formats that describe what a scan found (an SBOM): meaningless for lint's source findings.
SBOM_FORMATS = frozenset({"cyclonedx", "cyclonedx-1.6", "cyclonedx-1.7", "spdx", "spdx-2.3"})
# Formats about artifacts only (lint findings are located in sources): SBOMs and VEX.
SCAN_ONLY = SBOM_FORMATS | {"openvex"}


def formats_for(command: str) -> tuple[str, ...]:
    """The formats a command can write ("scan": all; "lint": all but the SBOM and VEX formats)."""
    return tuple(name for name in REPORTERS if command == "scan" or name not in SCAN_ONLY)


def reporter_class(name: str) -> type[Reporter]:
    target = REPORTERS.get(name)
    if target is None:
        raise UsageError(f"unknown format {name!r}; use one of {', '.join(REPORTERS)}.")
    module, _, attribute = target.partition(":")
    found: type[Reporter] = getattr(importlib.import_module(module), attribute)
    return found


def create_reporter(name: str, out: IO[str], context: ReportContext) -> Reporter:
    return reporter_class(name)(out, context)
