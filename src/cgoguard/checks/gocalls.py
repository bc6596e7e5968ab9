"""What an exported function reaches on its own goroutine, through the static
calls the Go front end resolved inside the module.

The checks that need it (CG405 panics, CG412 process exits, CG415 global
writes) ask for the first site a function reaches and the chain of calls to
it, so the message can say where. Calls through function values, interfaces
and packages of other modules are not followed (their bodies were not read):
what the checks report is what the module's own code does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from cgoguard.model import SourceLocation
from cgoguard.sourcefacts import CallEdge, GoFunction, GoPackage, Site


@dataclass(frozen=True, slots=True)
class Reached:
    site: Site
    chain: tuple[str, ...]  # names of the functions called on the way, outermost first

    def where(self) -> str:
        place = f"{_short(self.site.location)}"
        if self.chain:
            return f"{place}, in {' -> '.join(self.chain)}()"
        return place


def _short(location: SourceLocation) -> str:
    return f"line {location.line}" if location else "?"


def before(a: SourceLocation, b: SourceLocation) -> bool:
    return (a.line, a.column) < (b.line, b.column)


SiteSelector = Callable[[GoFunction], list[Site]]
EdgeFilter = Callable[[CallEdge], bool]


class Reach:
    """Memoised search of the call graph for the first site a selector picks.

    ``guard(function)`` gives the position from which the function protects its
    own sites (its recover, for panics); sites and calls after it do not count.
    """

    def __init__(
        self,
        package: GoPackage,
        sites: SiteSelector,
        *,
        follow: EdgeFilter | None = None,
        guard: Callable[[GoFunction], SourceLocation | None] | None = None,
    ) -> None:
        self.index = package.function_index()
        self.sites = sites
        self.follow = follow or (lambda edge: True)
        self.guard = guard or (lambda function: None)
        self.memo: dict[str, Reached | None] = {}

    def first(self, function: GoFunction, *, unguarded_only: bool = True) -> Reached | None:
        """The first site reached from ``function``, outside its own guard."""
        return self._first(function, set(), unguarded_only)

    def _first(self, function: GoFunction, visiting: set[str], unguarded_only: bool) -> Reached | None:
        key = function.key
        if unguarded_only and key in self.memo:
            return self.memo[key]
        if key in visiting:
            return None
        visiting.add(key)
        guard = self.guard(function) if unguarded_only else None
        found: Reached | None = None
        for site in self.sites(function):
            if guard is None or before(site.location, guard):
                found = Reached(site, ())
                break
        if found is None:
            for edge in function.calls:
                if not self.follow(edge) or (guard is not None and not before(edge.location, guard)):
                    continue
                callee = self.index.get(edge.callee)
                if callee is None:
                    continue
                inner = self._first(callee, visiting, True)
                if inner is not None:
                    found = Reached(inner.site, (callee.name, *inner.chain))
                    break
        visiting.discard(key)
        if unguarded_only:
            self.memo[key] = found
        return found
