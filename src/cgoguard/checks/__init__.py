"""The check catalogue.

A check is one small function decorated with :func:`check`. The decorator
carries the metadata (stable ID, title, default severity, what it applies to,
fix, references); the function's docstring is the rationale. The same object
feeds ``cgoguard checks``, ``cgoguard explain``, the SARIF rule metadata and
the docs, so there is one source of truth.

Every check has a :class:`CheckTarget`, and every check of one target takes
the same subject type: a binary check receives a :class:`Subject` (facts +
the derived hardening summary), a Go-source check a ``GoPackage``, and so on.
The subject type is read from the function's annotation when it registers,
and :func:`checks_for` hands out checks typed by it. A check yields a message string (reported
at the check's default severity), a ``(message, severity)`` pair when the
evidence makes it worse or milder, or a :class:`Located` result that points
into a source file. Checks never open files.
"""

from __future__ import annotations

import importlib
import inspect
import typing
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar, cast

from cgoguard.model import (
    ElfFacts,
    Finding,
    GoFacts,
    Hardening,
    Severity,
    SourceLocation,
    VulnerabilityMatch,
)


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


@dataclass(frozen=True, slots=True)
class Related:
    """A set-level result: a message about several artifacts at once."""

    message: str
    artifacts: tuple[str, ...]
    severity: Severity | None = None  # None: the check's default


@dataclass(frozen=True, slots=True)
class Matched:
    """A known-vulnerability result: the message and the match behind it."""

    message: str
    match: VulnerabilityMatch
    severity: Severity | None = None  # None: the check's default


@dataclass(frozen=True, slots=True)
class NotApplicable:
    """The check has nothing to judge in this subject, and why ("pure Go: no C
    code to protect"). Not a pass: reports show it as "not applicable"."""

    reason: str


CheckResult = str | tuple[str, Severity] | Located | Related | Matched | NotApplicable

# What a binary check can apply to, by Go build mode ("c": an image without Go
# code). Declared per check so the build-mode matrix needs no artifact.
BUILD_MODES = ("exe", "pie", "c-shared", "c-archive", "plugin", "c")


@dataclass(slots=True)
class Evaluation:
    """One check run on one subject: its findings, or why it did not apply."""

    findings: list[Finding]
    not_applicable: str | None = None


S = TypeVar("S")
CheckFunction = Callable[[S], Iterable[CheckResult]]


class CheckTarget(StrEnum):
    """What a check looks at; each target has one subject type."""

    BINARY = "binary"  # one ELF image: Subject
    GO_SOURCE = "go-source"  # one Go package: cgoguard.sourcefacts.GoPackage
    C_HEADER = "c-header"  # one C header: cgoguard.sourcefacts.HeaderFile
    HEADER_BINARY = "header-binary"  # a header against its library: HeaderAgainstBinary
    HEADER_GO = "header-go"  # a header against the Go exports linted with it: HeaderAgainstGo
    ARTIFACT_SET = "artifact-set"  # every artifact of one run, after the merge: ArtifactSet
    BUILD = "build"  # one built artifact and what its build plan expected: buildplan.BuiltArtifact
    KNOWN_VULNERABILITIES = "known-vulnerabilities"  # one Go artifact against the database: VulnSubject
    SIGNATURE = "signature"  # one scanned file against the signature bundles given: SignatureSubject
    MEASURED = "measured"  # what `cgoguard probe` saw when the image ran: MeasuredSubject


@dataclass(frozen=True, slots=True)
class Check(Generic[S]):
    id: str
    name: str
    title: str
    severity: Severity
    applies_to: str
    fix: str
    references: tuple[str, ...]
    rationale: str
    function: CheckFunction[S]
    target: CheckTarget
    subject_type: type[S]
    example: str | None = None  # a short bad/good example, for source rules
    modes: tuple[str, ...] = BUILD_MODES  # the build modes it can apply to (binary checks)

    def run(self, subject: S) -> Iterator[Finding]:
        yield from self.evaluate(subject).findings

    def evaluate(self, subject: S) -> Evaluation:
        """Run the check; a ``NotApplicable`` result ends it (a check says so before any finding).
        One loop, no nested generator: it runs for every check on every image."""
        findings = []
        for result in self.function(subject):
            if isinstance(result, NotApplicable):
                return Evaluation([], result.reason)
            findings.append(self._finding(result))
        return Evaluation(findings)

    def _finding(self, result: CheckResult) -> Finding:
        if isinstance(result, str):
            return Finding(self.id, self.severity, self.title, result, self.fix)
        if isinstance(result, Matched):
            severity = result.severity or self.severity
            return Finding(
                self.id, severity, self.title, result.message, self.fix, vulnerability=result.match
            )
        if isinstance(result, Related):
            severity = result.severity or self.severity
            return Finding(self.id, severity, self.title, result.message, self.fix, None, result.artifacts)
        if isinstance(result, Located):
            severity = result.severity or self.severity
            return Finding(self.id, severity, self.title, result.message, self.fix, result.location)
        assert isinstance(result, tuple)
        message, severity = result
        return Finding(self.id, severity, self.title, message, self.fix)


REGISTRY: dict[str, Check[Any]] = {}


def check(
    *,
    id: str,
    name: str,
    title: str,
    severity: Severity,
    applies_to: str,
    fix: str,
    references: tuple[str, ...] = (),
    target: CheckTarget = CheckTarget.BINARY,
    example: str | None = None,
    modes: tuple[str, ...] = BUILD_MODES,
) -> Callable[[CheckFunction[S]], CheckFunction[S]]:
    target = CheckTarget(target)
    unknown_modes = set(modes) - set(BUILD_MODES)
    if unknown_modes or not modes:
        raise ValueError(f"{id}: modes must be some of {', '.join(BUILD_MODES)}")

    def register(function: CheckFunction[S]) -> CheckFunction[S]:
        if id in REGISTRY:
            raise RuntimeError(f"duplicate check id {id}")
        subject_type = _subject_type(function)
        siblings = {c.subject_type for c in REGISTRY.values() if c.target == target}
        if siblings and siblings != {subject_type}:
            raise TypeError(
                f"{id}: {target} checks take {siblings.pop().__name__}, not {subject_type.__name__}"
            )
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
            subject_type=subject_type,
            example=inspect.cleandoc(example) if example else None,
            modes=tuple(modes),
        )
        return function

    return register


def _subject_type(function: Callable[..., object]) -> type[Any]:
    """The annotated type of a check function's one parameter."""
    hints = typing.get_type_hints(function)
    hints.pop("return", None)
    if len(hints) != 1:
        raise TypeError(f"check {function.__name__} must take exactly one annotated subject")
    subject_type = next(iter(hints.values()))
    if not isinstance(subject_type, type):
        raise TypeError(f"check {function.__name__}: the subject must be a class, not {subject_type!r}")
    return subject_type


def all_checks(target: CheckTarget | None = None) -> list[Check[Any]]:
    """The catalogue, sorted by ID; only one target's checks when given."""
    _load_plugins()
    return sorted((c for c in REGISTRY.values() if target is None or c.target == target), key=lambda c: c.id)


def checks_for(target: CheckTarget, subject_type: type[S]) -> list[Check[S]]:
    """One target's checks, typed by the subject they take (which must be ``subject_type``)."""
    found = all_checks(target)
    wrong = [c.id for c in found if c.subject_type is not subject_type]
    if wrong:
        raise TypeError(f"{', '.join(wrong)} do not take a {subject_type.__name__}")
    return cast("list[Check[S]]", found)


def find_check(key: str) -> Check[Any] | None:
    """Look a check up by ID (case-insensitive) or by name."""
    _load_plugins()
    key = key.strip()
    found = REGISTRY.get(key.upper())
    if found is not None:
        return found
    return next((c for c in REGISTRY.values() if c.name == key.lower()), None)


# Modules whose import registers checks; add a module here to add its checks.
PLUGIN_MODULES = (
    "hardening",
    "goruntime",
    "fips",
    "boundary",
    "exportflow",
    "header",
    "headergo",
    "artifactset",
    "deliverable",
    "buildplan",
    "vulns",
    "signatures",
    "measured",
)


def _load_plugins() -> None:
    for module in PLUGIN_MODULES:
        importlib.import_module(f"cgoguard.checks.{module}")
