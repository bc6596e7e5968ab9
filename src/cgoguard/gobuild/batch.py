"""Build several targets; one typed outcome per target, never an exception for one.

from pathlib import Path
from cgoguard.config import load_config
from cgoguard.gobuild import BuildOptions, build_all, resolve_targets

build = resolve_targets(load_config())
outcomes = build_all(build.targets, build.profiles, build.workdir, BuildOptions(out_dir=build.out_dir))
for outcome in outcomes:
    print(outcome.target.name, outcome.status, outcome.exit_code, outcome.artifact)
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cgoguard.errors import CgoguardError
from cgoguard.gobuild.builder import (
    BuildOptions,
    BuildResult,
    build_target,
    check_target,
    published_files,
)
from cgoguard.gobuild.errors import BuildError, LintRefused, VerificationFailed
from cgoguard.gobuild.profiles import Profile
from cgoguard.gobuild.targets import BuildSet, Target
from cgoguard.gobuild.verdict import CheckVerdict
from cgoguard.model import Finding

BUILT, LINT_REFUSED, CHECK_FAILED, ERROR = "built", "lint-refused", "check-failed", "error"


@dataclass(slots=True)
class TargetOutcome:
    """What became of one target.

    ``status``: ``built`` (exit code 0), ``lint-refused`` (a boundary lint
    finding at or above the threshold; nothing was built; 1), ``check-failed``
    (a check the profile verifies fired, or the smoke test failed; nothing was
    published; 1) or ``error`` (usage, configuration, toolchain or compiler
    problem; 2)."""

    target: Target
    status: str
    exit_code: int
    message: str | None = None  # why it was not built, worded for the user
    detail: str = ""  # a tool's own output (Go's stderr), verbatim
    result: BuildResult | None = None  # set when built
    lint_findings: list[Finding] = field(default_factory=list)
    verification: list[CheckVerdict] = field(default_factory=list)

    @property
    def artifact(self) -> Path | None:
        return self.result.artifact if self.result is not None else None

    @property
    def manifest(self) -> Path | None:
        return self.result.manifest if self.result is not None else None

    @property
    def failed_checks(self) -> list[CheckVerdict]:
        return [v for v in self.verification if not v.passed]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (``cgoguard build --format json``)."""
        from cgoguard.reports.jsonreport import finding_to_dict

        result = self.result
        plan = result.plan if result is not None else None
        return {
            "name": self.target.name,
            "package": self.target.package,
            "mode": self.target.mode,
            "go_build_mode": plan.go_mode if plan is not None else None,
            "profile": self.target.profile,
            "status": self.status,
            "exit_code": self.exit_code,
            "error": self.message,
            "detail": self.detail or None,
            "artifact": str(self.artifact) if self.artifact is not None else None,
            "manifest": str(self.manifest) if self.manifest is not None else None,
            "provenance": str(result.provenance) if result is not None and result.provenance else None,
            "signature": str(result.signature) if result is not None and result.signature else None,
            "lint": [finding_to_dict(f) for f in self.lint_findings],
            "verification": [v.as_dict() for v in self.verification],
            "smoke_test": result.smoke.as_dict() if result is not None else None,
        }


def build_one(
    target: Target, profiles: Mapping[str, Profile], workdir: Path, options: BuildOptions
) -> TargetOutcome:
    """Build one target; its failure is in the outcome, not raised."""
    try:
        result = build_target(target, profiles, workdir, options)
    except LintRefused as refused:
        return TargetOutcome(
            target, LINT_REFUSED, refused.exit_code, refused.message, lint_findings=refused.findings
        )
    except VerificationFailed as failed:
        return TargetOutcome(
            target,
            CHECK_FAILED,
            failed.exit_code,
            failed.message,
            failed.detail,
            lint_findings=failed.lint_findings,
            verification=failed.verdicts,
        )
    except CgoguardError as error:
        return TargetOutcome(target, ERROR, error.exit_code, error.message, error.detail)
    except OSError as error:
        return TargetOutcome(target, ERROR, 2, f"target {target.name!r}: {error.strerror or error}.")
    return TargetOutcome(
        target,
        BUILT,
        0,
        result=result,
        lint_findings=list(result.lint_findings),
        verification=list(result.verification),
    )


def build_all(
    targets: Sequence[Target],
    profiles: Mapping[str, Profile],
    workdir: Path,
    options: BuildOptions,
) -> list[TargetOutcome]:
    """Build every target in order with the same options; one outcome each.
    The run's exit code is ``max(o.exit_code for o in outcomes)``.

    Every target is checked first (:func:`check_target`: its profile, mode and
    environment); when one is refused for such a reason, none is built, so a
    build never publishes some targets of a plan it already knew it could not
    finish. A problem found while building one target (the boundary lint, the
    package, the compiler, a verified check) still leaves the others to be built."""
    refused: dict[str, CgoguardError] = {}
    for target in targets:
        try:
            check_target(target, profiles, options)
        except CgoguardError as error:
            refused[target.name] = error
    if refused:
        return [_held_back(target, refused) for target in targets]
    return [build_one(target, profiles, workdir, options) for target in targets]


def _held_back(target: Target, refused: Mapping[str, CgoguardError]) -> TargetOutcome:
    error = refused.get(target.name)
    if error is not None:
        return TargetOutcome(target, ERROR, error.exit_code, error.message, error.detail)
    named = ", ".join(repr(name) for name in refused)
    return TargetOutcome(
        target,
        ERROR,
        2,
        f"target {target.name!r} was not built: target(s) {named} of the same build cannot be built as "
        "configured (see their errors), and a build refused before it starts publishes nothing.",
    )


def refuse_report_over_outputs(
    report: str | os.PathLike[str], build: BuildSet, provenance: bool, signed: bool = False
) -> None:
    """Raise :class:`BuildError` (exit 2) before anything is built when the report
    file would be the output folder or a file the build writes there (artifact,
    header, version script, manifest, provenance, signature), also through a symlink."""
    where = os.path.realpath(report)
    if where == os.path.realpath(build.out_dir):
        raise BuildError(f"the report {os.fspath(report)} is the output folder of the build; name a file.")
    for target in build.targets:
        for name, role in published_files(target, build.profiles.get(target.profile), provenance, signed):
            if where == os.path.realpath(build.out_dir / name):
                raise BuildError(
                    f"the report {os.fspath(report)} is the {role} the build of target {target.name!r} "
                    f"writes ({build.out_dir / name}); write the report to another file."
                )
