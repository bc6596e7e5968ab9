"""A reader for Unix ``ar`` archives (``-buildmode=c-archive`` output, static C libraries).

It walks member headers in the buffer and reports where each member's bytes are, without
copying or extracting anything. GNU long names (the ``//`` table with ``/123`` references) and
BSD names (``#1/<len>``, the name stored at the start of the member data) are resolved; the
symbol index members (``/``, ``/SYM64/``, ``__.SYMDEF*``) are skipped.

Like the ELF reader it is stdlib only and works on ``mmap``/``memoryview`` so that a scan does
not read more than it needs; a broken archive raises :class:`MalformedArchive` with one sentence
for users, after the members that were fine have been yielded.
"""

from __future__ import annotations

import mmap
from collections.abc import Iterator
from dataclasses import dataclass

from cgoguard.errors import InputError
from cgoguard.readers.limits import StringBudget

AR_MAGIC = b"!<arch>\n"
THIN_AR_MAGIC = b"!<thin>\n"
_HEADER_SIZE = 60
_HEADER_END = b"`\n"
_BSD_NAME_PREFIX = "#1/"


class MalformedArchive(InputError):
    """The bytes break the ar format; the message is one sentence for users."""


def is_ar(prefix: bytes) -> bool:
    """True for a regular or a thin ar archive."""
    return prefix[:8] in (AR_MAGIC, THIN_AR_MAGIC)


def is_thin_ar(prefix: bytes) -> bool:
    return prefix[:8] == THIN_AR_MAGIC


@dataclass(slots=True)
class ArMember:
    """One member: its name and where its bytes are in the archive."""

    name: str
    offset: int  # of the member data (after a BSD name), from the start of the archive
    size: int


def _is_symbol_index(name: str) -> bool:
    return name in ("/", "/SYM64/") or name.startswith("__.SYMDEF")


def iter_members(data: memoryview | bytes | mmap.mmap) -> Iterator[ArMember]:
    """Yield the members of an ar archive in file order (duplicates included).

    Raises MalformedArchive for a thin archive (its members are files outside the archive,
    which cgoguard does not follow) and for a broken header, size or truncated member.
    """
    view = memoryview(data)
    if view.ndim != 1 or view.itemsize != 1:
        view = view.cast("B")
    magic = bytes(view[:8])
    if magic == THIN_AR_MAGIC:
        raise MalformedArchive(
            "this is a thin archive: its members are references to files outside the archive, "
            "and cgoguard does not read them; scan the object files themselves"
        )
    if magic != AR_MAGIC:
        raise MalformedArchive("the file does not start with the ar magic string '!<arch>\\n'")
    total = len(view)
    position = 8
    long_names: bytes | None = None
    budget = StringBudget(0, "long member names", MalformedArchive)
    index = 0
    while position < total:
        if position + 1 == total and view[position] == 0x0A:
            break  # the padding byte after an odd-sized last member
        if position + _HEADER_SIZE > total:
            raise MalformedArchive(
                f"the header of member {index + 1} at offset {position:#x} is cut off by the end of "
                f"the file (file size {total:#x})"
            )
        header = bytes(view[position : position + _HEADER_SIZE])
        if header[58:60] != _HEADER_END:
            raise MalformedArchive(
                f"the header of member {index + 1} at offset {position:#x} does not end with the "
                "ar header terminator; the archive is damaged"
            )
        raw_name = header[:16].decode("utf-8", "backslashreplace").rstrip(" ")
        size_field = header[48:58].decode("ascii", "replace").strip(" ")
        if not size_field.isdigit() or not size_field.isascii():
            raise MalformedArchive(
                f"the size field {size_field!r} of member {index + 1} at offset {position:#x} is not "
                "a decimal number"
            )
        size = int(size_field)
        data_offset = position + _HEADER_SIZE
        if data_offset + size > total:
            raise MalformedArchive(
                f"member {index + 1} ({raw_name!r}) at offset {position:#x} claims {size} bytes, "
                f"past the end of the file (file size {total:#x})"
            )
        # Members start on even offsets; odd-sized data is followed by one padding byte.
        position = data_offset + size + (size & 1)
        index += 1

        if raw_name == "//":
            long_names = bytes(view[data_offset : data_offset + size])
            budget = StringBudget(size, "long member names", MalformedArchive)
            continue
        if raw_name.startswith(_BSD_NAME_PREFIX):
            # llvm-ar even stores its __.SYMDEF index under a #1/ name.
            name, data_offset, size = _bsd_name(view, raw_name, data_offset, size, index)
        elif raw_name.startswith("/") and raw_name[1:].isdigit():
            name = _gnu_long_name(long_names, int(raw_name[1:]), index)
            budget.charge(len(name))
        elif _is_symbol_index(raw_name):
            continue
        else:
            name = raw_name[:-1] if raw_name.endswith("/") else raw_name
        if not _is_symbol_index(name):
            yield ArMember(name, data_offset, size)


def _bsd_name(
    view: memoryview, raw_name: str, data_offset: int, size: int, index: int
) -> tuple[str, int, int]:
    """BSD 4.4 ``#1/<len>``: the name is the first <len> bytes of the data (NUL padded)."""
    length_text = raw_name[len(_BSD_NAME_PREFIX) :]
    if not length_text.isdigit() or not length_text.isascii():
        raise MalformedArchive(f"member {index} has a BSD name length {length_text!r} that is not a number")
    length = int(length_text)
    if length > size:
        raise MalformedArchive(f"member {index} has a {length}-byte BSD name but only {size} bytes of data")
    name = bytes(view[data_offset : data_offset + length]).rstrip(b"\0").decode("utf-8", "backslashreplace")
    return name, data_offset + length, size - length


def _gnu_long_name(long_names: bytes | None, offset: int, index: int) -> str:
    """GNU ``/<offset>``: the name is in the ``//`` member, terminated by ``/\\n``."""
    if long_names is None:
        raise MalformedArchive(f"member {index} refers to a long name but the archive has no long-name table")
    if offset >= len(long_names):
        raise MalformedArchive(
            f"member {index} refers to long name offset {offset}, past the end of the "
            f"{len(long_names)}-byte long-name table"
        )
    end = long_names.find(b"\n", offset)
    raw = long_names[offset : end if end >= 0 else len(long_names)]
    if raw.endswith(b"/"):
        raw = raw[:-1]
    return raw.decode("utf-8", "backslashreplace")
