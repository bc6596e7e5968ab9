"""Writing files so that readers never see half of one: the one atomic-write helper.

The text goes to a private temporary file beside the target (created with
O_EXCL under an unpredictable name, so a planted symlink cannot redirect it)
and is renamed over the target only when all of it was written. A target that
exists and is not a regular file (``/dev/null``, a FIFO, a terminal) is
written in place: renaming over it would replace a device with a file.
Every failure becomes an :class:`~cgoguard.errors.OutputError` sentence.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import sys
import tempfile
from collections.abc import Iterator
from typing import IO

from cgoguard.errors import OutputError


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _describe(error: OSError, path: str) -> str:
    reason = error.strerror or str(error)
    return f"cannot write {path}: {reason[0].lower() + reason[1:] if reason else 'unknown error'}."


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike[str], *, what: str = "the report") -> Iterator[IO[str]]:
    """A text handle whose contents appear at ``path`` only if the block ends normally."""
    target = os.fspath(path)
    try:
        st = os.stat(target)
    except FileNotFoundError:
        st = None
    except OSError as error:
        raise OutputError(_describe(error, target)) from None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise OutputError(f"cannot write {what} to {target}: it is a folder; give a file name.")
    if st is not None and stat.S_ISBLK(st.st_mode):
        # A report is never meant for a disk; a planted symlink to one must not become a write to it.
        raise OutputError(f"cannot write {what} to {target}: it is a block device.")
    if st is not None and not stat.S_ISREG(st.st_mode):
        # /dev/null, /dev/stdout, a FIFO: written in place, as the user named them.
        try:
            with open(target, "w", encoding="utf-8") as handle:
                yield handle
        except OSError as error:
            raise OutputError(_describe(error, target)) from None
        return
    folder = os.path.dirname(target) or "."
    if not os.path.isdir(folder):
        raise OutputError(f"cannot write {what} to {target}: the folder {folder} does not exist.")
    try:
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=f".{os.path.basename(target)}.", suffix=".tmp")
    except OSError as error:
        raise OutputError(_describe(error, target)) from None
    try:
        os.fchmod(fd, 0o666 & ~_umask())
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yield handle
        os.replace(temporary, target)
    except OSError as error:
        raise OutputError(_describe(error, target)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)


@contextlib.contextmanager
def report_output(path: str | None) -> Iterator[IO[str]]:
    """Standard output for ``None`` or ``-``, else :func:`atomic_output`."""
    if path is None or path == "-":
        yield sys.stdout
        return
    with atomic_output(path) as handle:
        yield handle


def write_text_atomic(path: str | os.PathLike[str], text: str, *, what: str = "the file") -> None:
    with atomic_output(path, what=what) as handle:
        handle.write(text)


SOURCE_SIZE_LIMIT = 64 << 20  # a source file or header larger than this is refused, not read


def open_regular(path: str) -> tuple[int, int]:
    """(descriptor, size) of ``path`` opened read-only if it is a regular file, else OSError.

    Opened with O_NONBLOCK (a FIFO swapped in after a folder was listed cannot block the
    open) and judged by ``fstat`` of the descriptor itself, so the type checked is the
    type of what was opened, not of whatever the path names a moment later."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            kind = "a folder" if stat.S_ISDIR(st.st_mode) else "a FIFO, device or socket"
            raise OSError(errno.EINVAL, f"not a regular file ({kind}); it is not read", path)
    except BaseException:
        os.close(fd)
        raise
    return fd, st.st_size


def read_source(path: str, what: str) -> bytes:
    """A source file's bytes (a regular file within SOURCE_SIZE_LIMIT, no NUL in
    its first 8 KiB); ValueError with a sentence for the user otherwise."""
    try:
        data = read_regular(path)
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror or error}") from None
    if b"\0" in data[:8192]:
        raise ValueError(f"{path} is not {what} (it holds binary data)")
    return data


def read_regular(path: str, limit: int = SOURCE_SIZE_LIMIT) -> bytes:
    """All bytes of a regular file of at most ``limit`` bytes (OSError otherwise)."""
    fd, size = open_regular(path)
    try:
        if size > limit:
            raise OSError(errno.EFBIG, f"{size:,} bytes, more than the {limit:,} bytes allowed", path)
        # Never more than one byte past the limit: that byte tells a file that grew while read.
        chunks: list[bytes] = []
        total = 0
        while total <= limit:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        data = b"".join(chunks)
        if len(data) > limit:
            raise OSError(errno.EFBIG, f"more than the {limit:,} bytes allowed (it grew while read)", path)
        return data
    finally:
        os.close(fd)
