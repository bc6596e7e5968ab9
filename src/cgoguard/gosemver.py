"""Versions as the Go vulnerability database compares them.

The database (OSV ``SEMVER`` ranges) writes versions without the ``v`` of Go
modules and without the ``go`` of Go releases: ``1.22.0-0`` (the floor that
opens a minor series before its first pre-release), ``2.8.6+incompatible``,
``0.0.0-20220315160706-3147a52a75dd`` (a pseudo-version). Semantic Versioning
2.0 orders them all: pre-releases before the release, numeric identifiers
numerically and below alphanumeric ones, build metadata (``+incompatible``)
ignored. Written here because the ``packaging`` and ``semver`` packages
implement PEP 440 and strict SemVer parsing respectively, and the latter
refuses Go's release spellings; the rules fit in a few lines.
"""

from __future__ import annotations

import re
from functools import total_ordering

_SEMVER = re.compile(
    r"^v?(?P<major>0|[1-9]\d*)\.(?P<minor>0|[1-9]\d*)\.(?P<patch>0|[1-9]\d*)"
    r"(?:-(?P<pre>[0-9A-Za-z.-]+))?(?:\+(?P<build>[0-9A-Za-z.-]+))?$"
)
# Go release names: go1.21.13, go1.22, go1.22rc1, go1.9.2beta2 (and 1.21.13 in the database).
_GO_RELEASE = re.compile(
    r"^(?:go)?(?P<major>\d+)\.(?P<minor>\d+)(?:\.(?P<patch>\d+))?(?:(?P<kind>rc|beta)(?P<n>\d+))?$"
)


@total_ordering
class Version:
    """A semantic version, ordered by SemVer 2.0 precedence."""

    __slots__ = ("core", "pre", "text")

    def __init__(self, core: tuple[int, int, int], pre: tuple[int | str, ...], text: str) -> None:
        self.core = core
        self.pre = pre
        self.text = text

    def _key(self) -> tuple[tuple[int, int, int], int, tuple[tuple[int, int | str], ...]]:
        # A release (no pre-release) sorts after all of its pre-releases;
        # numeric identifiers sort before alphanumeric ones.
        pre = tuple((0, p) if isinstance(p, int) else (1, p) for p in self.pre)
        return self.core, 0 if self.pre else 1, pre

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and self._key() == other._key()

    def __lt__(self, other: Version) -> bool:
        return _lt(self._key(), other._key())

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Version({self.text!r})"


def _lt(a: tuple[object, ...], b: tuple[object, ...]) -> bool:
    # Tuples of (kind, value) compare safely: kind decides before int meets str.
    return a < b


def parse(text: str) -> Version | None:
    """A module or database version (``v1.2.3``, ``1.2.3-rc.1+incompatible``, a
    pseudo-version); None for anything else (``(devel)``, empty)."""
    match = _SEMVER.match(text.strip())
    if match is None:
        return None
    pre: tuple[int | str, ...] = ()
    if match.group("pre"):
        pre = tuple(int(p) if p.isdigit() else p for p in match.group("pre").split("."))
    core = (int(match.group("major")), int(match.group("minor")), int(match.group("patch")))
    return Version(core, pre, text)


def go_release(text: str) -> Version | None:
    """The semantic version of a Go release name as the database writes the
    standard library's: go1.21.13 -> 1.21.13, go1.22 -> 1.22.0, go1.22rc1 ->
    1.22.0-rc.1; a distribution's suffix is dropped (``go1.25.7 (Red Hat
    1.25.7-1...)`` -> 1.25.7). None for a development build (``devel
    go1.23-abc``) or anything unknown: its standard library cannot be matched
    by version."""
    # Distribution builds append their own release: "go1.25.7 (Red Hat 1.25.7-1.module_el8...)".
    words = text.strip().split()
    match = _GO_RELEASE.match(words[0]) if words else None
    if match is None:
        return None
    major, minor = int(match.group("major")), int(match.group("minor"))
    patch = int(match.group("patch") or 0)
    pre: tuple[int | str, ...] = ()
    if match.group("kind"):
        pre = (match.group("kind"), int(match.group("n")))
    core = (major, minor, patch)
    rendered = f"{major}.{minor}.{patch}" + (f"-{pre[0]}.{pre[1]}" if pre else "")
    return Version(core, pre, rendered)
