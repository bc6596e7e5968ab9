"""cgoguard: audit Go code shipped as C libraries and hardened executables.

>>> import cgoguard
>>> report = cgoguard.scan(["dist/"])          # doctest: +SKIP
>>> [a.path for a in report.artifacts]          # doctest: +SKIP
>>> cgoguard.lint(["./bridge"]).exit_code()    # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cgoguard._version import __version__

__all__ = ["Report", "__version__", "bridge", "build", "lint", "scan", "verify"]

if TYPE_CHECKING:
    from cgoguard.api import Report, bridge, build, lint, scan, verify

_API = ("scan", "lint", "build", "bridge", "verify", "Report")


def __getattr__(name: str) -> Any:
    # Lazy, so `import cgoguard` stays cheap and the CLI starts fast.
    if name in _API:
        from cgoguard import api

        return getattr(api, name)
    raise AttributeError(f"module 'cgoguard' has no attribute {name!r}")
