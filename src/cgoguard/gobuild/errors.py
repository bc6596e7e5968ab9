"""The two ways a build can fail, with the exit codes the CLI maps them to."""

from __future__ import annotations

from cgoguard.errors import CgoguardError


class BuildError(CgoguardError):
    """A usage, configuration or toolchain problem (exit code 2).

    ``message`` is one paragraph for the user saying what was wrong and how to
    fix it; ``detail`` carries the tool's own output (Go's stderr) verbatim."""

    exit_code = 2


class PromiseBroken(CgoguardError):
    """The artifact was built but does not keep the profile's promises, or its
    smoke test failed (exit code 1). Nothing is published in that case."""

    exit_code = 1
