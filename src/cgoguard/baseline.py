"""A previous JSON report as a baseline: only what is new gets reported.

The filter is a stage of its own, after the policy (selection, severities,
per-path ignores) and before the reporters and the tally: findings the
baseline holds are dropped from the artifact, so no reporter shows them and
the exit code counts only new ones. It runs where the policy runs (in the
scan worker, before an artifact is rendered there; in the parent for set
findings and lint), and tells the parent which baseline findings it saw, so
that the rest are "fixed".

A finding's identity (its fingerprint) must survive unrelated changes:
the check ID, the artifact's display path (for lint: the file the finding
is in, not its line) and the message with every number blanked (line
numbers, sizes, addresses and versions move when nothing that matters
changed; names of functions, symbols and settings stay), plus the advisory
ID of a known-vulnerability finding. Set findings use the sorted paths of
the artifacts they involve.
"""

from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
from collections.abc import Container, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from cgoguard.errors import UsageError
from cgoguard.model import Artifact, Finding, Severity

_NUMBER = re.compile(r"0x[0-9a-fA-F]+|\d+")
# A baseline is read whole; a report of every file of a large system is tens of megabytes.
MAX_BASELINE_BYTES = 1 << 30


class BaselineError(UsageError):
    """The baseline file is missing, not JSON, or not a cgoguard report (exit 2)."""


_SIZE = 16  # bytes of a fingerprint: 128 bits of SHA-256


def fingerprint(
    check_id: str, where: str, message: str, advisory: str | None = None, artifacts: Iterable[str] = ()
) -> bytes:
    """The identity of a finding across runs (see the module's docstring)."""
    parts = [check_id, where, _NUMBER.sub("#", message), advisory or "", "\n".join(sorted(artifacts))]
    return hashlib.sha256("\0".join(parts).encode("utf-8", "surrogateescape")).digest()[:_SIZE]


class KnownFindings:
    """The baseline's fingerprints as one sorted blob, searched by bisection. Sent to
    every batch of scan work: a blob pickles as one copy, where a set of 18,000 strings
    (a report of /usr/lib) took longer to pickle per batch than the batch took to scan."""

    __slots__ = ("blob",)

    def __init__(self, keys: Iterable[bytes]) -> None:
        self.blob = b"".join(sorted(set(keys)))

    def __len__(self) -> int:
        return len(self.blob) // _SIZE

    def __getitem__(self, index: int) -> bytes:
        return self.blob[index * _SIZE : (index + 1) * _SIZE]

    def __contains__(self, key: object) -> bool:
        if not isinstance(key, bytes):
            return False
        index = bisect.bisect_left(self, key)
        return index < len(self) and self[index] == key

    def __getstate__(self) -> bytes:
        return self.blob

    def __setstate__(self, blob: bytes) -> None:
        self.blob = blob


def finding_fingerprint(finding: Finding, artifact_path: str) -> bytes:
    where = finding.location.path if finding.location is not None else artifact_path
    advisory = finding.vulnerability.advisory.id if finding.vulnerability is not None else None
    return fingerprint(finding.check_id, where, finding.message, advisory, finding.artifacts)


@dataclass(frozen=True, slots=True)
class BaselineFinding:
    """A finding of the baseline, as much of it as a report shows when it is fixed."""

    check_id: str
    severity: str
    title: str
    path: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {
            "id": self.check_id,
            "severity": self.severity,
            "title": self.title,
            "path": self.path,
            "message": self.message,
        }


@dataclass(slots=True)
class Baseline:
    file: str
    findings: dict[bytes, BaselineFinding] = field(default_factory=dict)  # by fingerprint
    partial: bool = False  # the file was itself made with a baseline: it lacks the findings unchanged then

    def known(self) -> KnownFindings:
        return KnownFindings(self.findings)


@dataclass(slots=True)
class BaselineOutcome:
    """What a run found compared with its baseline."""

    file: str
    new: int
    unchanged: int
    fixed: list[BaselineFinding]

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "new": self.new,
            "unchanged": self.unchanged,
            "fixed": [f.to_dict() for f in self.fixed],
        }


def _fail(file: str, why: str) -> BaselineError:
    return BaselineError(f"baseline {file} {why}; give a report written by `cgoguard … --format json`.")


def _walk(artifacts: list[Any], file: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for artifact in artifacts:
        if not isinstance(artifact, dict) or not isinstance(artifact.get("path"), str):
            raise _fail(file, "has an artifact without a path")
        for finding in artifact.get("findings") or []:
            yield artifact["path"], finding
        yield from _walk(artifact.get("members") or [], file)


def _entry(path: str, finding: Any, file: str) -> tuple[bytes, BaselineFinding]:
    if not isinstance(finding, dict) or not all(
        isinstance(finding.get(key), str) for key in ("id", "severity", "message")
    ):
        raise _fail(file, "has a finding without id, severity or message")
    location = finding.get("location")
    where = location.get("path") if isinstance(location, dict) else None
    vulnerability = finding.get("vulnerability")
    advisory = vulnerability.get("id") if isinstance(vulnerability, dict) else None
    artifacts = [a for a in finding.get("artifacts") or [] if isinstance(a, str)]
    key = fingerprint(
        finding["id"],
        where if isinstance(where, str) else path,
        finding["message"],
        advisory if isinstance(advisory, str) else None,
        artifacts,
    )
    shown = ", ".join(artifacts) if artifacts else (where if isinstance(where, str) else path)
    title = finding.get("title")
    return key, BaselineFinding(
        finding["id"], finding["severity"], title if isinstance(title, str) else "", shown, finding["message"]
    )


def load_baseline(file: str | os.PathLike[str]) -> Baseline:
    """Read a previous ``--format json`` report; a file that is not one is a BaselineError (exit 2)."""
    name = os.fspath(file)
    try:
        with open(name, "rb") as stream:
            data = stream.read(MAX_BASELINE_BYTES + 1)
    except OSError as error:
        raise _fail(name, f"cannot be read ({error.strerror or error})") from None
    if len(data) > MAX_BASELINE_BYTES:
        raise _fail(name, "is larger than 1 GiB")
    try:
        document = json.loads(data)
    except (ValueError, RecursionError):
        raise _fail(name, "is not JSON") from None
    tool = document.get("tool") if isinstance(document, dict) else None
    if (
        not isinstance(tool, dict)
        or tool.get("name") != "cgoguard"
        or not isinstance(document.get("artifacts"), list)
        or not isinstance(document.get("summary"), dict)
    ):
        raise _fail(name, "is not a cgoguard JSON report")
    baseline = Baseline(name, partial=document["summary"].get("baseline") is not None)
    for path, finding in _walk(document["artifacts"], name):
        key, entry = _entry(path, finding, name)
        baseline.findings.setdefault(key, entry)
    for finding in document.get("set_findings") or []:
        key, entry = _entry("", finding, name)
        baseline.findings.setdefault(key, entry)
    return baseline


def drop_known(artifact: Artifact, known: Container[bytes]) -> list[bytes]:
    """Remove the findings whose fingerprint is in ``known`` from an artifact and its
    members; return the fingerprints that were seen (the unchanged findings)."""
    seen: list[bytes] = []
    kept = []
    for finding in artifact.findings:
        key = finding_fingerprint(finding, artifact.path)
        if key in known:
            seen.append(key)
        else:
            kept.append(finding)
    artifact.findings = kept
    for member in artifact.members:
        seen += drop_known(member, known)
    return seen


def drop_known_set(findings: list[Finding], known: Container[bytes]) -> tuple[list[Finding], list[bytes]]:
    """The set findings not in ``known``, and the fingerprints of those that were."""
    kept: list[Finding] = []
    seen: list[bytes] = []
    for finding in findings:
        key = finding_fingerprint(finding, "")
        if key in known:
            seen.append(key)
        else:
            kept.append(finding)
    return kept, seen


def outcome(
    baseline: Baseline, unchanged: Iterable[bytes], new: int, enabled: Iterable[str] | None = None
) -> BaselineOutcome:
    """Compare: ``unchanged`` are the fingerprints seen this run, ``new`` the findings
    reported. A baseline finding of a check not run this time is not "fixed"."""
    matched = list(unchanged)
    seen = set(matched)
    checks = set(enabled) if enabled is not None else None
    fixed = [
        entry
        for key, entry in baseline.findings.items()
        if key not in seen and (checks is None or entry.check_id in checks)
    ]
    fixed.sort(key=lambda f: (-_rank(f.severity), f.check_id, f.path))
    return BaselineOutcome(baseline.file, new, len(matched), fixed)


def _rank(severity: str) -> int:
    try:
        return int(Severity.parse(severity))
    except ValueError:
        return -1
