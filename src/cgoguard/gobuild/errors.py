"""The ways a build can fail, with the exit codes the CLI maps them to."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from cgoguard.errors import CgoguardError

if TYPE_CHECKING:
    from cgoguard.gobuild.verdict import CheckVerdict
    from cgoguard.model import Finding, Severity


class BuildError(CgoguardError):
    """A usage, configuration or toolchain problem (exit code 2).

    ``message`` is one paragraph for the user saying what was wrong and how to
    fix it; ``detail`` carries the tool's own output (Go's stderr) verbatim."""

    exit_code = 2


class LintRefused(CgoguardError):
    """The package's cgo export boundary has findings at or above the
    threshold (``--fail-on``): nothing was built (exit code 1)."""

    exit_code = 1

    def __init__(self, message: str, findings: Sequence[Finding], fail_on: Severity) -> None:
        super().__init__(message)
        self.findings = list(findings)  # every finding, also those below fail_on
        self.fail_on = fail_on

    @property
    def blocking(self) -> list[Finding]:
        return [f for f in self.findings if f.severity >= self.fail_on]


class VerificationFailed(CgoguardError):
    """The artifact was built, but a check its profile verifies fired on it,
    or its smoke test failed (exit code 1). Nothing is published then.
    ``verdicts`` holds every check verified so far, passed or not."""

    exit_code = 1

    def __init__(
        self,
        message: str,
        detail: str = "",
        *,
        verdicts: Sequence[CheckVerdict] = (),
        lint_findings: Sequence[Finding] = (),
    ) -> None:
        super().__init__(message, detail)
        self.verdicts = list(verdicts)
        self.lint_findings = list(lint_findings)

    @property
    def failed(self) -> list[CheckVerdict]:
        return [v for v in self.verdicts if not v.passed]
