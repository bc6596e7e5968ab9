"""``cgoguard build``: hardened Go builds in every build mode, verified by the scanner.

Python use::

    from cgoguard.config import load_config
    from cgoguard.gobuild import BuildOptions, build_all, resolve_targets, single_target

    config = load_config()                      # [tool.cgoguard]: profiles, targets, lint policy
    build = resolve_targets(config, package=single_target("./cmd/bridge", mode="c-shared"))
    options = BuildOptions(out_dir=build.out_dir, go=build.go, lint_config=config)
    for outcome in build_all(build.targets, build.profiles, build.workdir, options):
        print(outcome.target.name, outcome.status, outcome.exit_code, outcome.artifact)
        for verdict in outcome.verification:
            print(" ", verdict.id, "passed" if verdict.passed else "FAILED", verdict.evidence)

``build_all`` never raises for one target: each :class:`TargetOutcome` holds
its status and exit code. ``build_target`` builds one target and raises
:class:`BuildError` (usage, configuration, toolchain or compiler problem; exit
code 2), :class:`LintRefused` (a boundary lint finding at or above
``fail_on``; nothing built; 1) or :class:`VerificationFailed` (a check the
profile verifies fired, or the smoke test failed; nothing published; 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cgoguard.gobuild.errors import BuildError, LintRefused, VerificationFailed
from cgoguard.gobuild.profiles import BUILTIN, MODES, Profile, load_profiles
from cgoguard.gobuild.targets import BuildSet, Target, resolve_targets, single_target, targets_from_config
from cgoguard.gobuild.verdict import CheckVerdict

if TYPE_CHECKING:
    from cgoguard.gobuild.batch import TargetOutcome, build_all
    from cgoguard.gobuild.builder import BuildOptions, BuildResult, build_target, prepare

_LAZY = {
    "BuildOptions": "builder",
    "BuildResult": "builder",
    "build_target": "builder",
    "prepare": "builder",
    "TargetOutcome": "batch",
    "build_all": "batch",
}


def __getattr__(name: str) -> Any:
    # The builder pulls in the scanner; importing it lazily keeps `cgoguard build --help`
    # and every other command's start-up fast.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"cgoguard.gobuild.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'cgoguard.gobuild' has no attribute {name!r}")


__all__ = [
    "BUILTIN",
    "MODES",
    "BuildError",
    "BuildOptions",
    "BuildResult",
    "BuildSet",
    "CheckVerdict",
    "LintRefused",
    "Profile",
    "Target",
    "TargetOutcome",
    "VerificationFailed",
    "build_all",
    "build_target",
    "load_profiles",
    "prepare",
    "resolve_targets",
    "single_target",
    "targets_from_config",
]
