"""The cgo export boundary lint, run on a package before it is built.

The rules are those of ``cgoguard lint`` (CheckTarget.GO_SOURCE, through
:func:`cgoguard.linter.lint`), on exactly the Go files the build will
compile (after build constraints), with the configuration's policy (select,
ignore, severity, per-path-ignores). A finding at or above the threshold
stops the build before ``go build`` runs: a `// export Name` that cgo ignores
would otherwise publish a library without that function.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from cgoguard.gobuild.errors import LintRefused
from cgoguard.gobuild.gosource import PackageInfo
from cgoguard.model import Finding, Severity

if TYPE_CHECKING:
    from cgoguard.config import Config


def display_path(path: Path) -> str:
    """``path`` relative to the current folder when it lies inside it."""
    relative = os.path.relpath(path)
    return path.as_posix() if relative.startswith("..") else relative


def location(finding: Finding) -> str:
    where = finding.location
    return f"{where.path}:{where.line}:{where.column}" if where is not None else "-"


def format_finding(finding: Finding) -> str:
    """``path:line:col ID message``, as compilers and ``cgoguard lint`` print them."""
    return f"{location(finding)} {finding.check_id} {finding.message}"


def lint_package(package: PackageInfo, config: Config | None) -> tuple[list[Finding], list[str]]:
    """(findings, errors) of the boundary lint on the package's Go files."""
    from cgoguard.linter import lint

    paths = [display_path(package.directory / name) for name in package.go_files]
    if not paths:
        return [], []
    artifacts = lint(paths, config=config)
    findings = [finding for artifact in artifacts for finding in artifact.findings]
    errors = [artifact.error for artifact in artifacts if artifact.error]
    return findings, errors


def refuse_if_blocking(
    target_name: str, package: PackageInfo, findings: list[Finding], fail_on: Severity
) -> None:
    blocking = [f for f in findings if f.severity >= fail_on]
    if not blocking:
        return
    raise LintRefused(
        f"target {target_name!r}: the cgo export boundary lint found {len(blocking)} problem(s) at or above "
        f"{fail_on} in {display_path(package.directory)}; nothing was built. "
        + " ".join(f"{format_finding(f)}" for f in blocking)
        + " (`cgoguard explain ID` gives each fix; --fail-on, --ignore or [tool.cgoguard] ignore "
        "change the policy.)",
        findings,
        fail_on,
    )
