"""Where artifacts come from.

A :class:`Source` yields :class:`Candidate` objects: a display path, where it
came from (``origin``, the containers it sits in, outermost first), and a way
to open its bytes: a local file (mapped, never copied) or bytes a container
source already read into memory. Sources never judge and never open the
files they list (the magic test happens in the worker that reads the file
anyway); a candidate that cannot be read at all carries an ``error``
sentence instead.

Today there is one source, :class:`~cgoguard.sources.paths.PathSource`
(files and folders); container formats (wheels, images, packages) become one
new module each here plus a line in :func:`sources_for`.
"""

from __future__ import annotations

from collections.abc import Iterator

from cgoguard.sources.base import Candidate, Opened, Source, SourceStats
from cgoguard.sources.paths import PathSource

__all__ = ["Candidate", "Opened", "PathSource", "Source", "SourceStats", "iter_candidates", "sources_for"]


def sources_for(paths: list[str]) -> list[Source]:
    """The sources for the inputs named by a user, in order."""
    return [PathSource(paths)]


def iter_candidates(sources: list[Source], stats: SourceStats) -> Iterator[Candidate]:
    for source in sources:
        for candidate in source.candidates(stats):
            stats.listed += 1
            yield candidate
    stats.exhausted = True
