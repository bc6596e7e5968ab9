"""The check catalogue.

A check is one small function decorated with :func:`check`. The decorator
carries the metadata (stable ID, title, default severity, what it applies to,
fix, references); the function's docstring is the rationale. The same object
feeds ``cgoguard checks``, ``cgoguard explain``, the SARIF rule metadata and
the docs, so there is one source of truth.

A binary check (``target="binary"``) receives a :class:`Subject` (facts +
the derived hardening summary); checks of other targets (Go sources, C
headers) receive their own facts. A check yields a message string (reported
at the check's default severity), a ``(message, severity)`` pair when the
evidence makes it worse or milder, or a :class:`Located` result that points
into a source file. Checks never open files.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from cgoguard.assess import Hardening
from cgoguard.model import ElfFacts, Finding, GoFacts, Severity, SourceLocation


@dataclass(frozen=True, slots=True)
class Subject:
    """What one check looks at: one ELF image (a file or an archive member)."""

    path: str
    elf: ElfFacts
    go: GoFacts | None
    hardening: Hardening
    archive: str | None = None  # the containing archive's path, for members


@dataclass(frozen=True, slots=True)
class Located:
    """A result that points into a file (source and header checks)."""

    message: str
    location: SourceLocation
    severity: Severity | None = None  # None: the check's default


CheckResult = str | tuple[str, Severity] | Located
CheckFunction = Callable[[Any], Iterable[CheckResult]]

# What a check looks at: "binary" (an ELF image, via Subject), "go-source",
# "c-header", "header-binary" (a header against a library).
TARGETS = ("binary", "go-source", "c-header", "header-binary")


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
    target: str = "binary"
    example: str | None = None  # a short bad/good example, for source rules

    def run(self, subject: Any) -> Iterator[Finding]:
        for result in self.function(subject):
            if isinstance(result, Located):
                yield Finding(
                    self.id,
                    result.severity or self.severity,
                    self.title,
                    result.message,
                    self.fix,
                    result.location,
                )
                continue
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
    target: str = "binary",
    example: str | None = None,
) -> Callable[[CheckFunction], CheckFunction]:
    if target not in TARGETS:
        raise ValueError(f"unknown check target {target!r}")

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
            target=target,
            example=inspect.cleandoc(example) if example else None,
        )
        return function

    return register


def all_checks(target: str | None = None) -> list[Check]:
    """The catalogue, sorted by ID; only one target's checks when given."""
    _load_plugins()
    return sorted((c for c in REGISTRY.values() if target is None or c.target == target), key=lambda c: c.id)


def find_check(key: str) -> Check | None:
    """Look a check up by ID (case-insensitive) or by name."""
    _load_plugins()
    key = key.strip()
    found = REGISTRY.get(key.upper())
    if found is not None:
        return found
    return next((c for c in REGISTRY.values() if c.name == key.lower()), None)


# Modules whose import registers checks; add a module here to add its checks.
PLUGIN_MODULES = ("hardening", "goruntime", "fips", "boundary", "header")


def _load_plugins() -> None:
    for module in PLUGIN_MODULES:
        importlib.import_module(f"cgoguard.checks.{module}")
