"""One verified check: a catalogue check ID that must not fire on a build's output."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cgoguard.model import Severity


@dataclass(frozen=True, slots=True)
class CheckVerdict:
    id: str  # the catalogue check ID (`cgoguard explain ID`)
    title: str  # the check's title
    severity: Severity  # the finding's severity when it fired, else the check's default
    on: str  # "artifact", or "consumer" (the C program the c-archive smoke test linked)
    passed: bool  # True: the check did not fire
    flag: str  # the flag or setting of the build responsible for what the check judges
    evidence: str  # the check's messages when it fired; what it looked at when it did not
    applicable: bool = True  # False: nothing to judge (pure Go has no canary); passed, and why in evidence

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "severity": str(self.severity),
            "on": self.on,
            "passed": self.passed,
            "flag": self.flag,
            "evidence": self.evidence,
            "applicable": self.applicable,
        }
