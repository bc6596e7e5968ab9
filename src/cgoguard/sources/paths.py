"""The first source: files and folders named by the user.

The walker only finds candidate files; it does not open them (the magic test
happens in the worker that reads the file anyway, so a large tree costs one
open per file). Folders are walked recursively in sorted order, symbolic links
are followed, and every directory and file is visited once per (device,
inode), which both breaks symlink loops and drops duplicates such as
``libfoo.so -> libfoo.so.1``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator

from cgoguard.sources.base import Candidate, Source, SourceStats
from cgoguard.spill import SpillSet


def _describe(error: OSError, path: str) -> str:
    if isinstance(error, PermissionError):
        return f"permission denied: cannot read {path}"
    if isinstance(error, FileNotFoundError):
        return f"{path} does not exist (or is a broken symbolic link)"
    if error.errno is not None and error.errno == 40:  # ELOOP
        return f"{path} is a symbolic link loop"
    return f"cannot read {path}: {error.strerror or error}"


def _is_oci_layout(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "oci-layout")) and os.path.isfile(
        os.path.join(path, "index.json")
    )


class PathSource(Source):
    """Files and folders; folders recursively."""

    def __init__(self, paths: list[str]) -> None:
        self.paths = list(paths)

    def candidates(self, stats: SourceStats) -> Iterator[Candidate]:
        return walk(self.paths, stats)


def walk(paths: list[str], stats: SourceStats) -> Iterator[Candidate]:
    # Exact, and bounded in memory on any corpus: past a limit they move to a scratch database.
    seen_files = SpillSet()
    seen_dirs = SpillSet()

    def visit_file(path: str, st: os.stat_result) -> Iterator[Candidate]:
        key = (st.st_dev, st.st_ino)
        if key in stats.excluded:
            return  # cgoguard's own output
        if not seen_files.add(key):
            stats.duplicates += 1
            return
        yield Candidate(path)

    def visit_dir(path: str, st: os.stat_result) -> Iterator[Candidate]:
        key = (st.st_dev, st.st_ino)
        if not seen_dirs.add(key):
            return  # a loop or a second route to a folder already walked
        try:
            with os.scandir(path) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as error:
            yield Candidate(path, _describe(error, path))
            return
        for entry in entries:
            yield from visit(entry.path, named=False)

    def visit(path: str, named: bool) -> Iterator[Candidate]:
        try:
            st = os.stat(path)
        except OSError as error:
            if named and not os.path.lexists(path):
                stats.missing.append(path)
            yield Candidate(path, _describe(error, path))
            return
        if stat.S_ISDIR(st.st_mode):
            if _is_oci_layout(path):
                yield Candidate(path, image_folder=True)  # one image, not a folder of blobs
            else:
                yield from visit_dir(path, st)
        elif stat.S_ISREG(st.st_mode):
            yield from visit_file(path, st)
        elif named:
            yield Candidate(path, f"{path} is not a regular file or folder")
        else:
            stats.special += 1  # a FIFO, device or socket in a folder: counted, never opened

    try:
        for path in paths:
            yield from visit(path, named=True)
    finally:
        seen_files.close()
        seen_dirs.close()
