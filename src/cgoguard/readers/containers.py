"""Members of containers: zip (wheels, eggs, jars) and tar, plain or
compressed with gzip, bzip2, xz or zstd, read in place.

Nothing is extracted: each regular member is read into memory, one at a time,
and handed back with its name. Tar is read as a stream (the memory of a scan
follows its largest member, not the size of the container), zip through its
central directory. Facts only: a member that cannot or must not be read is
returned with an error sentence and reading goes on.

Bounds (:class:`ContainerLimits`): bytes per member, bytes in all (what was
decompressed, for a stream), members per container, the ratio of decompressed
to compressed bytes, and how deep containers may nest (counted by the
scanner). Names that would escape the container's root when extracted (``..``,
absolute names) are reported, not read: nothing here writes a file, but a
member with such a name is not what a well-formed deliverable holds.

Why the standard library: ``zipfile`` and ``tarfile`` are maintained with
CPython and read both formats as streams of members without extracting;
``zstandard`` (PyPI) adds the one compression the standard library of Python
3.11 lacks.
"""

from __future__ import annotations

import bz2
import gzip
import io
import itertools
import lzma
import os
import posixpath
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any, NamedTuple, TypeVar, cast

from cgoguard.errors import InputError

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
# A Debian package is an ar archive whose first member is debian-binary (deb(5)).
DEB_MAGIC = b"!<arch>\ndebian-binary"
RPM_MAGIC = b"\xed\xab\xee\xdb"  # the RPM lead
# An apk v3 package (apk-tools 3's "adb" format, apk-v3(5)): "ADB" and a
# compression byte ('.' none, 'd' deflate, 'c' a compression spec). Alpine's
# v2 packages are concatenated gzip streams and are read as tar.gz.
APK_V3_MAGIC = (b"ADB.", b"ADBd", b"ADBc")
_RPM_HEADER_MAGIC = b"\x8e\xad\xe8\x01"
_CPIO_MAGIC = (b"070701", b"070702")  # "new ASCII" cpio, without and with checksums
_COMPRESSED = {
    b"\x1f\x8b": "gzip",
    b"BZh": "bzip2",
    b"\xfd7zXZ\x00": "xz",
    b"\x28\xb5\x2f\xfd": "zstd",
}
PEEK = 512  # bytes of a member (or of a decompressed stream) enough to know what it is


class ContainerError(InputError):
    """A container that cannot be read at all (corrupt, truncated, over a bound)."""


@dataclass(frozen=True, slots=True)
class ContainerLimits:
    member_bytes: int = 1 << 30  # one member, decompressed
    total_bytes: int = 16 << 30  # everything decompressed from one container
    members: int = 200_000  # entries in one container
    ratio: int = 1_000  # decompressed / compressed bytes (a zip member, or a whole stream)
    depth: int = 4  # containers inside containers


class Member(NamedTuple):
    name: str  # the name inside the container, as stored
    data: bytes | None  # the bytes of a wanted regular member
    error: str | None = None  # why a member was not read; None with data, or for one not wanted
    layer: str | None = None  # the image layer (digest) it comes from
    deleted: bool = False  # an image file that a later layer deletes or replaces


def kind_of(prefix: bytes) -> str | None:
    """The container format from the first bytes of a file: "zip", "deb", "rpm",
    "apk-v3", "tar", or "gzip"/"bzip2"/"xz"/"zstd" (a compressed stream, tar
    if its start says so); None otherwise."""
    if prefix.startswith(ZIP_MAGIC):
        return "zip"
    if prefix.startswith(DEB_MAGIC):
        return "deb"
    if prefix.startswith(RPM_MAGIC):
        return "rpm"
    if prefix.startswith(APK_V3_MAGIC):
        return "apk-v3"
    if len(prefix) >= 262 and prefix[257:262] == b"ustar":
        return "tar"
    return next((kind for magic, kind in _COMPRESSED.items() if prefix.startswith(magic)), None)


class Span:
    """Random access to bytes: an in-memory member, or a window of an open file
    read with ``pread``. Containers are read through spans, never mapped or
    copied whole: a 2 GB image costs what its largest member costs, and a file
    truncated meanwhile gives short reads (an error), not SIGBUS."""

    def __init__(self, size: int) -> None:
        self.size = size

    def read(self, offset: int, count: int) -> bytes:
        raise NotImplementedError

    def sub(self, offset: int, size: int) -> Span:
        return _SubSpan(self, offset, max(0, min(size, self.size - offset)))


class ViewSpan(Span):
    def __init__(self, view: memoryview | bytes) -> None:
        super().__init__(len(view))
        self.view = memoryview(view)

    def read(self, offset: int, count: int) -> bytes:
        return bytes(self.view[offset : offset + count])


class FileSpan(Span):
    """An open file descriptor (not owned)."""

    def __init__(self, fd: int, size: int) -> None:
        super().__init__(size)
        self.fd = fd

    def read(self, offset: int, count: int) -> bytes:
        count = max(0, min(count, self.size - offset))
        return os.pread(self.fd, count, offset) if count else b""


class _SubSpan(Span):
    def __init__(self, base: Span, start: int, size: int) -> None:
        super().__init__(size)
        self.base = base
        self.start = start

    def read(self, offset: int, count: int) -> bytes:
        count = max(0, min(count, self.size - offset))
        return self.base.read(self.start + offset, count) if count else b""


class SpanReader(io.RawIOBase):
    """A seekable binary file over a span; ``position`` tells how far it was read."""

    def __init__(self, span: Span) -> None:
        self.span = span
        self.position = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        chunk = self.span.read(self.position, len(buffer))
        buffer[: len(chunk)] = chunk
        self.position += len(chunk)
        return len(chunk)

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.span.size}[whence]
        self.position = max(0, base + offset)
        return self.position

    def tell(self) -> int:
        return self.position


class _Bounded(io.RawIOBase):
    """A decompressed stream that stops at the container's bounds."""

    def __init__(self, stream: IO[bytes], source: SpanReader, limits: ContainerLimits) -> None:
        self.stream = stream
        self.source = source
        self.limits = limits
        self.produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.stream.read(len(buffer))
        self.produced += len(data)
        if self.produced > self.limits.total_bytes:
            raise ContainerError(
                f"it decompresses to more than {self.limits.total_bytes:,} bytes (the total bound); "
                "the rest was not read"
            )
        # Slack for headers and small streams; past it, the ratio of a decompression bomb.
        if self.produced > self.limits.ratio * self.source.position + (1 << 20):
            raise ContainerError(
                f"it decompresses more than {self.limits.ratio} times its compressed size (a "
                "decompression bomb?); the rest was not read"
            )
        buffer[: len(data)] = data
        return len(data)


def _decompressed(kind: str, source: SpanReader) -> Any:  # a binary file object
    if kind == "gzip":
        return gzip.GzipFile(fileobj=source, mode="rb")
    if kind == "bzip2":
        return bz2.BZ2File(source)
    if kind == "xz":
        return lzma.LZMAFile(cast(IO[bytes], source))
    if kind == "zstd":
        import zstandard

        return zstandard.ZstdDecompressor().stream_reader(cast(IO[bytes], source), closefd=False)
    raise ValueError(kind)


LABELS = {
    "zip": "zip",
    "deb": "deb",
    "rpm": "rpm",
    "apk-v3": "apk v3",
    "tar": "tar",
    "gzip": "tar.gz",
    "bzip2": "tar.bz2",
    "xz": "tar.xz",
    "zstd": "tar.zst",
}


def stream_kind(span: Span, kind: str) -> str | None:
    """``kind`` itself when the container can be read as one: zip and tar as they
    are, a compressed stream when it decompresses to a tar archive; else None."""
    if kind in ("zip", "deb", "rpm", "tar", "apk-v3"):
        return kind
    try:
        start = _decompressed(kind, SpanReader(span)).read(PEEK)  # a few bytes: no bomb here
    except Exception:  # any failure to decompress means "not a tar stream"
        return None
    return kind if kind_of(start) == "tar" else None


def _escapes(name: str) -> bool:
    normal = posixpath.normpath(name.replace("\\", "/"))
    return name.startswith(("/", "\\")) or normal == ".." or normal.startswith("../")


def open_container(
    span: Span, kind: str, limits: ContainerLimits, wanted: Callable[[bytes], bool]
) -> tuple[str, Iterator[Member]]:
    """(label, members) of a container of this ``kind`` (from :func:`kind_of`; a
    compressed stream must be a tar; for a tar that is a container image, see
    :func:`cgoguard.readers.images.open_image`). A member whose first
    :data:`PEEK` bytes ``wanted`` refuses comes back without data (and is not
    read further). Raises :class:`ContainerError` when the container cannot be
    read (on); members already yielded stand."""
    if kind == "zip":
        members = _zip_members(span, limits, wanted)
    elif kind == "deb":
        members = _deb_members(span, limits, wanted)
    elif kind == "rpm":
        members = _rpm_members(span, limits, wanted)
    elif kind == "apk-v3":
        # Not read: a tree of tagged values (apk-v3(5)) that no Python library
        # reads. v2 packages (concatenated gzip streams) are read as tar.gz.
        raise ContainerError(
            "this is an apk v3 package (apk-tools 3's adb format), which cgoguard does not read; "
            "unpack it with `apk extract` and scan the folder"
        )
    else:
        members = tar_members(span, kind, limits, wanted)
    return LABELS[kind], guarded_iter(kind, members)


T = TypeVar("T")


def guarded_iter(kind: str, members: Iterator[Member]) -> Iterator[Member]:
    """``members``, with a corrupt container's exceptions turned into one ContainerError."""
    while True:
        member = guarded(kind, lambda: next(members, None))
        if member is None:
            return
        yield member


def guarded(kind: str, step: Callable[[], T]) -> T:
    """``step()``, with a corrupt container's exceptions turned into one ContainerError."""
    try:
        return step()
    except ContainerError:
        raise
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, lzma.LZMAError, OSError, ValueError) as error:
        raise ContainerError(f"the {kind} container is corrupt or truncated ({error})") from None
    except Exception as error:  # zstandard.ZstdError and the like: a corrupt stream, said once
        if type(error).__module__.startswith("zstandard"):
            raise ContainerError(f"the zstd stream is corrupt or truncated ({error})") from None
        raise


def _too_many(limits: ContainerLimits) -> ContainerError:
    return ContainerError(
        f"it holds more than {limits.members:,} entries (the bound); the rest were not read"
    )


def _zip_members(span: Span, limits: ContainerLimits, wanted: Callable[[bytes], bool]) -> Iterator[Member]:
    archive = zipfile.ZipFile(SpanReader(span))
    entries = archive.infolist()
    if len(entries) > limits.members:
        raise _too_many(limits)
    total = 0
    for info in entries:
        file_type = stat.S_IFMT(info.external_attr >> 16)  # 0 when the writer recorded no type
        if info.is_dir() or (file_type and file_type != stat.S_IFREG):
            continue  # folders, symbolic links (their targets are members of their own), devices
        name = info.filename
        if _escapes(name):
            yield Member(name, None, "its name leads out of the container; not read")
            continue
        if info.flag_bits & 0x1:
            yield Member(name, None, "it is encrypted; not read")
            continue
        if info.file_size > limits.member_bytes:
            yield Member(
                name, None, f"{info.file_size:,} bytes, more than the {limits.member_bytes:,} allowed"
            )
            continue
        if info.file_size > limits.ratio * max(info.compress_size, 1) + (1 << 20):
            yield Member(
                name, None, f"it would decompress {info.file_size // max(info.compress_size, 1):,} times"
            )
            continue
        try:
            with archive.open(info) as handle:
                head = handle.read(PEEK)
                if not wanted(head):
                    yield Member(name, None)
                    continue
                total += info.file_size
                if total > limits.total_bytes:
                    raise ContainerError(
                        f"its members add up to more than {limits.total_bytes:,} bytes; "
                        "the rest were not read"
                    )
                data = head + handle.read(limits.member_bytes + 1 - len(head))  # the header may lie
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError) as error:
            yield Member(name, None, f"cannot be read ({error})")
            continue
        if len(data) > limits.member_bytes:
            yield Member(name, None, f"more than the {limits.member_bytes:,} bytes allowed")
            continue
        yield Member(name, data)


def _deb_members(span: Span, limits: ContainerLimits, wanted: Callable[[bytes], bool]) -> Iterator[Member]:
    """The members of the package's ar archive (control.tar.*, data.tar.*: the
    scanner reads them as containers in turn). A package has a handful of
    members with short names, so the ar headers are read here directly."""
    offset, count = 8, 0
    while offset + 60 <= span.size:
        header = span.read(offset, 60)
        if header[58:60] != b"`\n":
            raise ContainerError(f"the Debian package has a malformed member header at offset {offset}")
        count += 1
        if count > limits.members:
            raise _too_many(limits)
        name = header[:16].decode("ascii", "replace").strip().removesuffix("/")
        try:
            size = int(header[48:58].decode("ascii").strip())
        except ValueError:
            raise ContainerError(f"the Debian package member {name!r} has no valid size") from None
        data = span.sub(offset + 60, size)
        if data.size < size:
            raise ContainerError(f"the Debian package is truncated inside {name}")
        if not wanted(data.read(0, PEEK)):
            yield Member(name, None)
        elif size > limits.member_bytes:
            yield Member(name, None, f"{size:,} bytes, more than the {limits.member_bytes:,} allowed")
        else:
            yield Member(name, data.read(0, size))
        offset += 60 + size + size % 2


def _rpm_members(span: Span, limits: ContainerLimits, wanted: Callable[[bytes], bool]) -> Iterator[Member]:
    """The files of an RPM package: its cpio payload, after the lead and two headers.

    Written here rather than through a library: ``rpmfile`` (PyPI) is a small
    project with rare releases, and ``libarchive-c`` needs the system's
    libarchive, which a scanner cannot assume; the format is short to read
    (lead, signature header padded to 8 bytes, header, compressed payload; see
    rpm's doc/manual/format.md) and the payload's compression is found by its
    magic like any other stream."""
    offset = 96  # the lead
    for padded in (True, False):  # the signature header, then the main header
        intro = span.read(offset, 16)
        if len(intro) < 16 or intro[:4] != _RPM_HEADER_MAGIC:
            raise ContainerError(f"the RPM package has no header at offset {offset}")
        entries, data_size = int.from_bytes(intro[8:12], "big"), int.from_bytes(intro[12:16], "big")
        if entries > 1 << 16 or data_size > 1 << 28:
            raise ContainerError("the RPM package has an implausibly large header")
        offset += 16 + 16 * entries + data_size
        if padded:
            offset += -offset % 8
    payload = span.sub(offset, span.size - offset)
    kind = kind_of(payload.read(0, PEEK))
    if kind in ("gzip", "bzip2", "xz", "zstd"):
        source = SpanReader(payload)
        stream: Any = io.BufferedReader(_Bounded(_decompressed(kind, source), source, limits), 1 << 16)
    elif payload.read(0, 6) in _CPIO_MAGIC:
        stream = io.BufferedReader(SpanReader(payload), 1 << 16)
    else:
        raise ContainerError("the RPM payload is neither a cpio archive nor a compressed one")
    yield from _cpio_members(stream, limits, wanted)


def _cpio_members(
    stream: IO[bytes], limits: ContainerLimits, wanted: Callable[[bytes], bool]
) -> Iterator[Member]:
    """Members of a "new ASCII" cpio stream (the RPM payload format)."""
    for count in itertools.count(1):
        header = stream.read(110)
        if len(header) < 110 or header[:6] not in _CPIO_MAGIC:
            raise ContainerError("the cpio payload is truncated or malformed")
        try:
            fields = [int(header[6 + 8 * i : 14 + 8 * i], 16) for i in range(13)]
        except ValueError:
            raise ContainerError("the cpio payload has a malformed header") from None
        mode, size, name_size = fields[1], fields[6], fields[11]
        name = stream.read(name_size)[:-1].decode("utf-8", "surrogateescape")
        stream.read(-(110 + name_size) % 4)
        if name == "TRAILER!!!":
            return
        if count > limits.members:
            raise _too_many(limits)
        name = name.removeprefix("./")
        padding = -size % 4
        if not stat.S_ISREG(mode) or size == 0:
            _skip(stream, size + padding)  # folders, links, devices; hard links carry data once
            yield Member(name, None)
            continue
        if _escapes(name):
            _skip(stream, size + padding)
            yield Member(name, None, "its name leads out of the container; not read")
            continue
        head = stream.read(min(size, PEEK))
        if not wanted(head) or size > limits.member_bytes:
            _skip(stream, size - len(head) + padding)
            error = (
                None if not wanted(head) else f"{size:,} bytes, more than the {limits.member_bytes:,} allowed"
            )
            yield Member(name, None, error)
            continue
        data = head + stream.read(size - len(head))
        if len(data) != size:
            raise ContainerError(f"the cpio payload is truncated inside {name}")
        stream.read(padding)
        yield Member(name, data)


def _skip(stream: IO[bytes], count: int) -> None:
    while count > 0:
        chunk = stream.read(min(count, 1 << 20))
        if not chunk:
            raise ContainerError("the cpio payload is truncated")
        count -= len(chunk)


def tar_members(
    span: Span,
    kind: str,
    limits: ContainerLimits,
    wanted: Callable[[bytes], bool],
    visible: Callable[[str], bool] | None = None,
) -> Iterator[Member]:
    """Members of a tar stream. ``visible``: a member whose (normalised) name it
    refuses comes back as a name only, unread (image layers: hidden by a later layer)."""
    source = SpanReader(span)
    raw = source if kind == "tar" else _Bounded(_decompressed(kind, source), source, limits)
    stream = io.BufferedReader(raw, 1 << 16)
    archive = tarfile.open(fileobj=stream, mode="r|")  # noqa: SIM115 - a stream, read to its end below
    count = 0
    for info in archive:
        count += 1
        if count > limits.members:
            raise _too_many(limits)
        if info.isdir():
            continue
        name = info.name.removeprefix("./")  # dpkg-deb and many tools write ./usr/lib/...
        if not info.isreg():
            yield Member(name, None)  # links (their targets are members of their own), devices, FIFOs
            continue
        if _escapes(name):
            yield Member(name, None, "its name leads out of the container; not read")
            continue
        if visible is not None and not visible(name):
            yield Member(name, None)
            continue
        if info.size > limits.member_bytes:
            yield Member(name, None, f"{info.size:,} bytes, more than the {limits.member_bytes:,} allowed")
            continue
        handle = archive.extractfile(info)
        if handle is None:  # pragma: no cover - isreg() members always have data
            continue
        head = handle.read(PEEK)
        if not wanted(head):
            yield Member(name, None)  # the stream skips the rest of it
            continue
        data = head + handle.read()
        if len(data) != info.size:
            raise ContainerError(f"the {kind} container is truncated inside {name}")
        yield Member(name, data)
