"""Work units for fleet-scale scans: identical inputs read once, results cached.

With a result cache or deduplication on, the parent hashes each local file
before any work is sent out (:func:`plan_window`): a cached input costs that
hash and one lookup; inputs with the same bytes within one window become one
:class:`Unit`, which a worker reads once and reports under each path
(:func:`relocate`). The worker says whether the bytes it read are the bytes
the parent hashed (``UnitResult.verified``): if the file changed in between,
nothing is cached and the other paths are read on their own. When the report's
rendering allows it (see :mod:`cgoguard.resultcache`), the worker renders a
unit once for a random placeholder path and the parent puts each real path in
(:func:`localize`): the cache entry then serves the same bytes at any path.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import NamedTuple

from cgoguard.model import Artifact, Item
from cgoguard.sources import Candidate

# Inputs planned together: duplicates are found within this many, and the
# parent holds at most this many results while putting them back in order.
WINDOW = 4096


@dataclass(frozen=True, slots=True)
class Unit:
    """Inputs with the same bytes (as the parent hashed them), in scan order."""

    candidates: tuple[Candidate, ...]
    digest: str | None  # None: not hashed (bytes in memory, an image folder, unreadable)


class UnitResult(NamedTuple):
    items: tuple[Item | None, ...]  # one per candidate of the unit, in its order
    verified: bool  # the worker read the bytes the parent hashed
    # The items were made for a placeholder path (their ``path``), to be localized
    # (:func:`localize`) for each candidate by the parent; otherwise each is its own.
    portable: bool = False


@dataclass(slots=True)
class Planned:
    """One input of a window: a cached result, or its place in a unit."""

    candidate: Candidate
    digest: str | None
    key: str | None
    cached: tuple[Item | None] | None = None
    unit: int = -1  # index of its unit in the window
    offset: int = 0  # its place among the unit's candidates


def has_error(artifact: Artifact) -> bool:
    return artifact.error is not None or any(has_error(m) for m in artifact.members)


def _moved(text: str, old: str, new: str) -> str:
    if text == old:
        return new
    return text.replace(old + "!", new + "!")


def relocate(artifact: Artifact, old: str, new: str) -> Artifact:
    """A copy of ``artifact`` as if it had been read at ``new`` instead of ``old``:
    its path, its members' paths (``old!member``) and the sentences that name them.
    Facts read from the bytes are left alone. Only for artifacts without errors
    (an error sentence may name the file in other words)."""
    moved = copy.deepcopy(artifact)
    _relocate(moved, old, new)
    return moved


def _relocate(artifact: Artifact, old: str, new: str) -> None:
    artifact.path = _moved(artifact.path, old, new)
    for finding in artifact.findings:
        finding.message = _moved(finding.message, old, new)
        finding.artifacts = tuple(_moved(p, old, new) for p in finding.artifacts)
    artifact.not_applicable = {k: _moved(v, old, new) for k, v in artifact.not_applicable.items()}
    hardening = artifact.hardening
    if hardening is not None:
        hardening.canary_detail = _moved(hardening.canary_detail, old, new)
        hardening.fortify_detail = _moved(hardening.fortify_detail, old, new)
        hardening.nx_detail = _moved(hardening.nx_detail, old, new)
    for member in artifact.members:
        _relocate(member, old, new)


def localize(item: Item, path: str, path_text: Callable[[str], str]) -> Item:
    """A portable item (made at a placeholder path, its ``path``) as made at ``path``:
    the rendered text (where the placeholder appears only as ``path_text`` of it and
    of ``placeholder!member``) and the set-level projections' paths and containers."""
    old = item.path
    text = item.text.replace(path_text(old), path_text(path)) if item.text is not None else None
    members = tuple(
        m._replace(path=_moved(m.path, old, path), origin=tuple(_moved(o, old, path) for o in m.origin))
        for m in item.set_members
    )
    return item._replace(path=path, text=text, set_members=members)


def hashable(candidate: Candidate) -> bool:
    """A local file the parent can hash (not bytes in memory, an image folder or an error)."""
    return candidate.error is None and candidate.data is None and not candidate.image_folder


def windows(candidates: Iterable[Candidate], size: int = WINDOW) -> Iterator[list[Candidate]]:
    window: list[Candidate] = []
    for candidate in candidates:
        window.append(candidate)
        if len(window) >= size:
            yield window
            window = []
    if window:
        yield window


def group(planned: list[Planned], dedup: bool) -> list[Unit]:
    """The units of a window (inputs not served by the cache), identical bytes together."""
    units: list[list[Candidate]] = []
    digests: list[str | None] = []
    by_digest: dict[str, int] = {}
    for entry in planned:
        if entry.cached is not None:
            continue
        index = by_digest.get(entry.digest) if dedup and entry.digest is not None else None
        if index is None:
            index = len(units)
            units.append([])
            digests.append(entry.digest)
            if entry.digest is not None:
                by_digest[entry.digest] = index
        entry.unit, entry.offset = index, len(units[index])
        units[index].append(entry.candidate)
    return [Unit(tuple(c), d) for c, d in zip(units, digests, strict=True)]
