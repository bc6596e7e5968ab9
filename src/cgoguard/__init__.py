"""cgoguard: audit Go code shipped as C libraries and hardened executables.

>>> import cgoguard
>>> report = cgoguard.scan(["dist/"])          # doctest: +SKIP
>>> [a.path for a in report.artifacts]          # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Report", "__version__", "scan"]

if TYPE_CHECKING:
    from cgoguard.api import Report, scan


def __getattr__(name: str) -> Any:
    # Lazy, so `import cgoguard` stays cheap and the CLI starts fast.
    if name in ("scan", "Report"):
        from cgoguard import api

        return getattr(api, name)
    raise AttributeError(f"module 'cgoguard' has no attribute {name!r}")
