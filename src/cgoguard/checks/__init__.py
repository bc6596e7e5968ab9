"""The check catalogue.

A check is one small function decorated with :func:`check`. The decorator
carries the metadata (stable ID, title, default severity, what it applies to,
fix, references); the function's docstring is the rationale. The same object
feeds ``cgoguard checks``, ``cgoguard explain``, the SARIF rule metadata and
the docs, so there is one source of truth.

A check receives a :class:`Subject` (facts + the derived hardening summary)
and yields either a message string (reported at the check's default
severity) or a ``(message, severity)`` pair when the evidence makes it worse
or milder. Checks never open files.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from cgoguard.assess import Hardening
from cgoguard.model import ElfFacts, Finding, GoFacts, Severity


@dataclass(frozen=True, slots=True)
class Subject:
    """What one check looks at: one ELF image (a file or an archive member)."""

    path: str
    elf: ElfFacts
    go: GoFacts | None
    hardening: Hardening
    archive: str | None = None  # the containing archive's path, for members


CheckResult = str | tuple[str, Severity]
CheckFunction = Callable[[Subject], Iterable[CheckResult]]


@dataclass(frozen=True, slots=True)
class Check:
    id: str
    name: str
    title: str
    severity: Severity
    applies_to: str
    fix: str
    references: tuple[str, ...]
    rationale: str
    function: CheckFunction

    def run(self, subject: Subject) -> Iterator[Finding]:
        for result in self.function(subject):
            message, severity = (result, self.severity) if isinstance(result, str) else result
            yield Finding(self.id, severity, self.title, message, self.fix)


REGISTRY: dict[str, Check] = {}


def check(
    *,
    id: str,
    name: str,
    title: str,
    severity: Severity,
    applies_to: str,
    fix: str,
    references: tuple[str, ...] = (),
) -> Callable[[CheckFunction], CheckFunction]:
    def register(function: CheckFunction) -> CheckFunction:
        if id in REGISTRY:
            raise RuntimeError(f"duplicate check id {id}")
        REGISTRY[id] = Check(
            id=id,
            name=name,
            title=title,
            severity=severity,
            applies_to=applies_to,
            fix=inspect.cleandoc(fix),
            references=references,
            rationale=inspect.cleandoc(function.__doc__ or ""),
            function=function,
        )
        return function

    return register


def all_checks() -> list[Check]:
    _load_plugins()
    return sorted(REGISTRY.values(), key=lambda c: c.id)


def find_check(key: str) -> Check | None:
    """Look a check up by ID (case-insensitive) or by name."""
    _load_plugins()
    key = key.strip()
    found = REGISTRY.get(key.upper())
    if found is not None:
        return found
    return next((c for c in REGISTRY.values() if c.name == key.lower()), None)


def _load_plugins() -> None:
    # Importing the modules registers their checks.
    from cgoguard.checks import fips, goruntime, hardening  # noqa: F401
