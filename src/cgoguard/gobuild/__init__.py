"""``cgoguard build``: hardened Go builds in every build mode, verified by the scanner.

Python use::

    from pathlib import Path
    from cgoguard.gobuild import BuildOptions, Target, build_target, load_profiles

    result = build_target(Target("bridge", "./cmd/bridge", mode="c-shared"), load_profiles(None, ""),
                          Path("."), BuildOptions(out=Path("dist")))
    print(result.artifact, result.manifest)

``build_target`` raises :class:`BuildError` (usage, configuration, toolchain or
compiler problem; exit code 2) or :class:`PromiseBroken` (built, but the
profile's promises or the smoke test failed; exit code 1).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cgoguard.gobuild.errors import BuildError, PromiseBroken
from cgoguard.gobuild.profiles import BUILTIN, MODES, Profile, load_profiles
from cgoguard.gobuild.targets import Target, targets_from_config

if TYPE_CHECKING:
    from cgoguard.gobuild.builder import BuildOptions, BuildResult, build_target, prepare

_FROM_BUILDER = ("BuildOptions", "BuildResult", "build_target", "prepare")


def __getattr__(name: str) -> Any:
    # The builder pulls in the scanner; importing it lazily keeps `cgoguard build --help`
    # and every other command's start-up fast.
    if name in _FROM_BUILDER:
        from cgoguard.gobuild import builder

        return getattr(builder, name)
    raise AttributeError(f"module 'cgoguard.gobuild' has no attribute {name!r}")


__all__ = [
    "BUILTIN",
    "MODES",
    "BuildError",
    "BuildOptions",
    "BuildResult",
    "Profile",
    "PromiseBroken",
    "Target",
    "build_target",
    "load_profiles",
    "prepare",
    "targets_from_config",
]
