"""What a run's exit code is decided from, in one place.

Every command ends in one of these codes (README, "Exit codes"). A run that
saw less than it was asked to check never ends in 0: a named input that does
not exist, a file that could not be read, or inputs with nothing to check in
them make the run *incomplete* (3), unless the user allowed unreadable files
(``--allow-unreadable``, for system-wide scans where broken files are
expected). Incompleteness outranks findings: a 1 would claim that what was
asked for was checked.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum

from cgoguard.model import Artifact, Finding, Item, SetMember, Severity


class ExitCode(IntEnum):
    OK = 0  # everything asked for was read; no finding at or above --fail-on
    FINDINGS = 1  # a finding at or above --fail-on (build: a verification check fired)
    USAGE = 2  # usage, configuration or output error: nothing was checked, or no report was written
    INCOMPLETE = 3  # a named input is missing, an input could not be read, or nothing checkable was found
    INTERNAL = 4  # a bug in cgoguard (an exception nothing else caught); --debug shows the traceback
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT)
    TERMINATED = 143  # SIGTERM (128 + SIGTERM): CI cancellation, `timeout`, `docker stop`
    BROKEN_PIPE = 141  # the reader of the output went away (128 + SIGPIPE, as other Unix tools)


def iter_findings(artifacts: Iterable[Artifact]) -> Iterable[tuple[Artifact, Finding]]:
    """Every finding with the artifact it belongs to, archive members included."""
    for artifact in artifacts:
        for finding in artifact.findings:
            yield artifact, finding
        yield from iter_findings(artifact.members)


def severities(artifact: Artifact) -> tuple[int, ...]:
    """The severity of every finding of an artifact and its members, as plain ints."""
    found = [int(f.severity) for f in artifact.findings]
    for member in artifact.members:
        found += severities(member)
    return tuple(found)


def unread(artifact: Artifact) -> list[tuple[str, str]]:
    """(path, error) of the artifact and of each member that could not be read."""
    found = [(artifact.path, artifact.error)] if artifact.error is not None else []
    for member in artifact.members:
        found += unread(member)
    return found


def item_of(
    artifact: Artifact | None,
    *,
    text: str | None = None,
    set_members: tuple[SetMember, ...] = (),
    source: Artifact | None = None,
    unchanged: tuple[bytes, ...] = (),
) -> Item:
    """Package one artifact's result (``source`` is the artifact the values are
    read from when ``artifact`` itself is not sent, e.g. after rendering)."""
    facts = source if source is not None else artifact
    assert facts is not None
    return Item(
        path=facts.path,
        artifact=artifact,
        text=text,
        severities=severities(facts),
        readable=facts.error is None or bool(facts.members) or bool(facts.findings),
        members=len(facts.members),
        unread=tuple(unread(facts)),
        set_members=set_members,
        unchanged=unchanged,
    )


@dataclass(slots=True)
class Tally:
    """Counted while results stream past; decides the exit code at the end."""

    fail_on: Severity = Severity.HIGH
    checked: int = 0  # inputs with something checkable in them (artifacts, files linted)
    readable: int = 0  # of those, read at least in part
    # Findings per severity, indexed by its int value: the parent counts every
    # finding of every file, so this stays a plain list (no enum per finding).
    counts: list[int] = field(default_factory=lambda: [0] * len(Severity))
    unread: list[tuple[str, str]] = field(default_factory=list)  # (path, error), members included
    missing: list[str] = field(default_factory=list)  # named inputs that do not exist

    def add_item(self, item: Item) -> None:
        self.add(item.severities, item.readable, item.unread)

    def merge(self, other: Tally) -> None:
        """Count another run's results too (comply: the scan and the lint)."""
        self.checked += other.checked
        self.readable += other.readable
        self.counts = [a + b for a, b in zip(self.counts, other.counts, strict=True)]
        self.unread.extend(other.unread)
        self.missing.extend(other.missing)

    def add(self, severity_values: Iterable[int], readable: bool, unread: Iterable[tuple[str, str]]) -> None:
        self.checked += 1
        self.readable += readable
        self.add_findings(severity_values)
        if unread:
            self.unread.extend(unread)

    def add_findings(self, severity_values: Iterable[int]) -> None:
        counts = self.counts
        for value in severity_values:
            counts[value] += 1

    @property
    def by_severity(self) -> dict[Severity, int]:
        """Findings per severity, only those with at least one."""
        return {Severity(value): count for value, count in enumerate(self.counts) if count}

    def at_or_above(self, threshold: Severity | None = None) -> int:
        """How many findings have ``threshold`` (default: ``fail_on``) or a higher severity."""
        threshold = self.fail_on if threshold is None else threshold
        return sum(self.counts[int(threshold) :])

    @property
    def complete(self) -> bool:
        return not self.missing and not self.unread and self.checked > 0

    def exit_code(self, *, fail_on: Severity | None = None, allow_unreadable: bool = False) -> ExitCode:
        if self.missing or not self.readable or (self.unread and not allow_unreadable):
            return ExitCode.INCOMPLETE
        return ExitCode.FINDINGS if self.at_or_above(fail_on) else ExitCode.OK

    def not_read_sentence(self) -> str | None:
        """One line saying what was not read, or None when everything was."""
        parts = []
        if self.missing:
            shown = ", ".join(self.missing[:3]) + (" ..." if len(self.missing) > 3 else "")
            parts.append(f"{len(self.missing)} named input(s) do not exist ({shown})")
        unread = [path for path, _ in self.unread if path not in self.missing]
        if unread:
            shown = ", ".join(unread[:3]) + (" ..." if len(unread) > 3 else "")
            parts.append(f"{len(unread)} could not be read or compared ({shown})")
        if self.checked == 0 and not self.missing:
            parts.append("nothing checkable was found in the given inputs")
        return "; ".join(parts) if parts else None
