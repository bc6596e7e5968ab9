"""The source interface: candidates, opened bytes, the stats a source keeps."""

from __future__ import annotations

import contextlib
import mmap
import os
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field

from cgoguard.fileio import open_regular


@dataclass(frozen=True, slots=True)
class Candidate:
    """One thing that may be an ELF file or ``ar`` archive. Picklable: it
    crosses to worker processes."""

    path: str  # display path, as the user would write it (``img.tar!usr/lib/x.so`` inside containers)
    error: str | None = None  # set when the entry cannot be read at all
    file: str | None = None  # the local file holding the bytes; None means ``path`` itself
    data: bytes | None = None  # the bytes, for members a source read into memory
    origin: tuple[str, ...] = ()  # containers this candidate sits in, outermost first
    image_folder: bool = False  # ``path`` is an OCI image layout folder, read as one image

    def open(self) -> contextlib.AbstractContextManager[Opened]:
        """The bytes, opened. Raises OSError for a file that cannot be read."""
        if self.data is not None:
            return contextlib.nullcontext(Opened(len(self.data), memoryview(self.data), None))
        return _OpenFile(self.file or self.path)


@dataclass(slots=True)
class Opened:
    """An opened candidate: its size, and its bytes mapped on first use."""

    size: int
    _view: memoryview | None
    _fd: int | None

    def prefix(self, count: int = 8) -> bytes:
        return self.pread(0, count)

    def pread(self, offset: int, count: int) -> bytes:
        """``count`` bytes at ``offset`` (fewer at the end), without mapping the file."""
        if self._view is not None:
            return bytes(self._view[offset : offset + count])
        assert self._fd is not None
        return os.pread(self._fd, count, offset)

    def view(self, populate: bool = True, mapped: bool = True) -> memoryview:
        """All the bytes. ``mapped``: mapped read-only, nothing copied; but a file
        truncated while mapped kills the reading process with SIGBUS, so a caller
        whose process must survive (in-process scans) asks for a copy instead.
        ``populate`` faults every page in at once: right when every byte will be read
        (hashing), wasteful otherwise (a 4 GB sparse file would cost 4 GB of memory)."""
        if self._view is None:
            assert self._fd is not None
            self._view = memoryview(_map(self._fd, populate) if mapped else _read_all(self._fd, self.size))
        return self._view


# MAP_POPULATE faults the whole file in with one call instead of one page
# fault per 4 KiB while hashing: about 10% of the scan time on this kind of VM.
_POPULATE = getattr(mmap, "MAP_POPULATE", 0)


def _read_all(fd: int, size: int) -> bytes:
    """Up to ``size`` bytes from the start (fewer if the file shrank meanwhile: the readers
    then see a truncated file and say so)."""
    chunks = []
    offset = 0
    while offset < size:
        chunk = os.pread(fd, min(size - offset, 16 << 20), offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _map(fd: int, populate: bool) -> mmap.mmap:
    return mmap.mmap(fd, 0, flags=mmap.MAP_SHARED | (_POPULATE if populate else 0), prot=mmap.PROT_READ)


class _OpenFile:
    """Opens a local file for reading and unmaps and closes it on exit (a plain
    class: this runs once per scanned file, where a generator-based context
    manager costs measurably more)."""

    __slots__ = ("fd", "opened", "path")

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd = -1
        self.opened: Opened | None = None

    def __enter__(self) -> Opened:
        self.fd, size = open_regular(self.path)
        self.opened = Opened(size, None, self.fd)
        return self.opened

    def __exit__(self, *exc_info: object) -> None:
        opened = self.opened
        if opened is not None and opened._view is not None:
            mapping = opened._view.obj
            # A view may still be referenced; the garbage collector releases it then.
            with contextlib.suppress(BufferError):
                opened._view.release()
                if isinstance(mapping, mmap.mmap):
                    mapping.close()
        os.close(self.fd)


@dataclass(slots=True)
class SourceStats:
    """What the sources saw besides candidates, for the run summary."""

    duplicates: int = 0  # files reached twice (hard links, symlinks to files already listed)
    missing: list[str] = field(default_factory=list)  # named inputs that do not exist
    special: int = 0  # FIFOs, devices and sockets inside folders: never opened
    # (device, inode) of files never to list: the report being written, a redirected stdout.
    excluded: frozenset[tuple[int, int]] = frozenset()
    listed: int = 0  # candidates yielded so far (a progress bar's total)
    exhausted: bool = False  # every source has been listed: ``listed`` is the final total


class Source(ABC):
    """Where candidates come from. Implementations list; they never judge."""

    @abstractmethod
    def candidates(self, stats: SourceStats) -> Iterator[Candidate]:
        """Yield every candidate in a stable order, recording what else was seen in ``stats``."""
