"""Decode the Go build info blob (``\\xff Go buildinf:``) from ELF images.

The blob is what ``runtime/debug.ReadBuildInfo`` and ``go version -m`` show:
the toolchain version, the main package, the module list and the build
settings. Go's own reader (``debug/buildinfo``) rejects ``c-archive`` members
(ET_REL has no program headers) and libraries rewritten by patchelf (it lets
a zero-sized PT_GNU_STACK "contain" every address), so this module reads the
format itself:

* Go 1.18+ "inline" format (flags bit 1): two uvarint-prefixed strings
  (version, modinfo) right after the 32-byte header.
* Go 1.13-1.17 "pointer" format: the header holds two target pointers to Go
  string headers ``{ptr, len}``; they are followed through the loadable
  segments, with the pointer size and byte order given by the header.

Layout references: GOROOT/src/cmd/link/internal/ld/data.go (writer),
GOROOT/src/debug/buildinfo/buildinfo.go (reader), GOROOT/src/runtime/debug/mod.go
(the modinfo text).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from cgoguard.elfconst import ET_REL, PF_W, PT_LOAD, SHT_NOBITS
from cgoguard.errors import InputError
from cgoguard.model import GoBuildInfo, GoModule
from cgoguard.readers.elf import MalformedElf

if TYPE_CHECKING:
    from cgoguard.readers.elf import ElfImage

BUILDINFO_MAGIC = b"\xff Go buildinf:"
HEADER_SIZE = 32
BUILDINFO_SECTION = ".go.buildinfo"

_PTR_SIZE_OFFSET = 14
_FLAGS_OFFSET = 15
_POINTERS_OFFSET = 16
_FLAG_BIG_ENDIAN = 0x1
_FLAG_INLINE_STRINGS = 0x2
# cmd/go frames modinfo with two 16-byte sentinels (modload.infoStart/infoEnd).
_SENTINEL_SIZE = 16
_MAX_UVARINT_BYTES = 10

_BLOB_ALIGNMENT = 16

_MAGIC_PATTERN = re.compile(re.escape(BUILDINFO_MAGIC))

ReadPointer = Callable[[int, int], bytes | None]
ByteOrder = Literal["little", "big"]


class BuildInfoError(InputError):
    """The build info blob is present but cannot be decoded."""


# ---------------------------------------------------------------------------
# Go string literals (strconv.Unquote), used by quoted build settings

_SIMPLE_ESCAPES = {
    "a": 0x07,
    "b": 0x08,
    "f": 0x0C,
    "n": 0x0A,
    "r": 0x0D,
    "t": 0x09,
    "v": 0x0B,
    "\\": 0x5C,
    '"': 0x22,
}
_HEX_ESCAPE_DIGITS = {"x": 2, "u": 4, "U": 8}
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_OCTAL_DIGITS = frozenset("01234567")
_MAX_UNICODE = 0x10FFFF


def go_unquote_prefix(text: str) -> tuple[str, int]:
    """Decode the Go string literal (``"..."`` or a backquoted raw string)
    at the start of *text*; return its value and the literal's length.

    Follows ``strconv.QuotedPrefix``/``strconv.Unquote``: ``\\xNN`` and octal
    escapes are bytes, ``\\u``/``\\U`` are code points, raw strings drop
    carriage returns. Invalid UTF-8 produced by byte escapes becomes U+FFFD,
    as Go's JSON encoder shows it.
    """
    if not text or text[0] not in '"`':
        raise BuildInfoError(f"expected a Go string literal, found {text[:20]!r}.")
    if text[0] == "`":
        end = text.find("`", 1)
        if end < 0:
            raise BuildInfoError(f"unterminated raw string literal {text[:40]!r}.")
        return text[1:end].replace("\r", ""), end + 1
    out = bytearray()
    pos = 1
    while pos < len(text):
        char = text[pos]
        if char == '"':
            return out.decode("utf-8", errors="replace"), pos + 1
        if char == "\n":
            break
        if char != "\\":
            out += char.encode("utf-8", errors="surrogateescape")
            pos += 1
            continue
        pos = _decode_escape(text, pos + 1, out)
    raise BuildInfoError(f"unterminated string literal {text[:40]!r}.")


def _decode_escape(text: str, pos: int, out: bytearray) -> int:
    """Append the escape starting after a backslash at *pos*; return the next position."""
    if pos >= len(text):
        raise BuildInfoError("string literal ends with a lone backslash.")
    kind = text[pos]
    if kind in _SIMPLE_ESCAPES:
        out.append(_SIMPLE_ESCAPES[kind])
        return pos + 1
    if kind in _HEX_ESCAPE_DIGITS:
        width = _HEX_ESCAPE_DIGITS[kind]
        digits = text[pos + 1 : pos + 1 + width]
        if len(digits) != width or not set(digits) <= _HEX_DIGITS:
            raise BuildInfoError(f"invalid \\{kind} escape {text[pos - 1 : pos + 1 + width]!r}.")
        value = int(digits, 16)
        if kind == "x":
            out.append(value)
        elif value > _MAX_UNICODE or 0xD800 <= value <= 0xDFFF:
            raise BuildInfoError(f"escape \\{kind}{digits} is not a valid Unicode code point.")
        else:
            out += chr(value).encode("utf-8")
        return pos + 1 + width
    if kind in _OCTAL_DIGITS:
        digits = text[pos : pos + 3]
        if len(digits) != 3 or not set(digits) <= _OCTAL_DIGITS or int(digits, 8) > 0xFF:
            raise BuildInfoError(f"invalid octal escape {text[pos - 1 : pos + 3]!r}.")
        out.append(int(digits, 8))
        return pos + 3
    raise BuildInfoError(f"unknown escape sequence \\{kind} in a string literal.")


# ---------------------------------------------------------------------------
# The modinfo text


def _quote_needed_for_key(key: str) -> bool:
    return not key or any(char in key for char in '= \t\r\n"`')


def _quote_needed_for_value(value: str) -> bool:
    return any(char in value for char in ' \t\r\n"`')


def _module_from_columns(columns: list[str], line_number: int) -> GoModule:
    if len(columns) not in (2, 3):
        raise BuildInfoError(
            f"module line {line_number} of the build info has {len(columns)} columns (expected 2 or 3)."
        )
    return GoModule(path=columns[0], version=columns[1], sum=columns[2] if len(columns) == 3 else "")


def _parse_setting(text: str, line_number: int) -> tuple[str, str]:
    """Split ``key=value`` of a ``build`` line, unquoting Go-quoted parts."""
    where = f"build line {line_number} of the build info"
    if not text:
        raise BuildInfoError(f"{where} is empty (expected key=value).")
    if text[0] == "=":
        raise BuildInfoError(f"{where} has no key before '='.")
    if text[0] in '"`':
        key, used = go_unquote_prefix(text)
        if text[used : used + 1] != "=":
            raise BuildInfoError(f"{where} has no '=' after its quoted key.")
        raw_value = text[used + 1 :]
    else:
        key, sep, raw_value = text.partition("=")
        if not sep:
            raise BuildInfoError(f"{where} has no '=' after its key.")
        if _quote_needed_for_key(key):
            raise BuildInfoError(f"{where} has key {key!r}, which must be quoted.")
    if raw_value[:1] in ('"', "`"):
        value, used = go_unquote_prefix(raw_value)
        if used != len(raw_value):
            raise BuildInfoError(f"{where} has text after its quoted value.")
        return key, value
    if _quote_needed_for_value(raw_value):
        raise BuildInfoError(f"{where} has value {raw_value!r}, which must be quoted.")
    return key, raw_value


def parse_modinfo(text: str) -> tuple[str, GoModule | None, list[GoModule], dict[str, str]]:
    """Parse the modinfo text (sentinels already removed) like
    ``runtime/debug.ParseBuildInfo``: return (path, main module, deps, settings).

    A ``=>`` line attaches a replacement to the ``mod``/``dep`` line just
    before it. Unknown lines are ignored and, as in Go, so is a last line
    that has no terminating newline.
    """
    path = ""
    main: GoModule | None = None
    deps: list[GoModule] = []
    settings: dict[str, str] = {}
    last: GoModule | None = None
    lines = text.split("\n")[:-1]  # the text after the final newline is never a complete line
    for line_number, line in enumerate(lines, start=1):
        word, tab, rest = line.partition("\t")
        if not tab:
            continue
        if word == "path":
            path = rest
        elif word == "mod":
            main = last = _module_from_columns(rest.split("\t"), line_number)
        elif word == "dep":
            last = _module_from_columns(rest.split("\t"), line_number)
            deps.append(last)
        elif word == "=>":
            columns = rest.split("\t")
            if len(columns) != 3:
                raise BuildInfoError(
                    f"replacement line {line_number} of the build info has {len(columns)} columns "
                    "(expected 3)."
                )
            if last is None:
                raise BuildInfoError(
                    f"replacement line {line_number} of the build info follows no mod or dep line."
                )
            last.replace = GoModule(path=columns[0], version=columns[1], sum=columns[2])
            last = None
        elif word == "build":
            key, value = _parse_setting(rest, line_number)
            settings[key] = value
    return path, main, deps, settings


def split_version(raw: str) -> tuple[str, list[str]]:
    """Split ``go1.27.3-X:boringcrypto`` or ``go1.24.10 X:systemcrypto`` into
    the toolchain version and the GOEXPERIMENT list.

    The linker joins with ``-`` unless the version already has a dash, then
    with a space (cmd/link/internal/ld/main.go, golang/go#75953).
    """
    cut = max(raw.rfind("-X:"), raw.rfind(" X:"))
    if cut < 0:
        return raw, []
    experiments = [name for name in raw[cut + 3 :].split(",") if name]
    return raw[:cut], experiments


# ---------------------------------------------------------------------------
# The blob


def _read_uvarint(blob: bytes | memoryview, pos: int, what: str) -> tuple[int, int]:
    value = 0
    shift = 0
    for index in range(_MAX_UVARINT_BYTES):
        if pos + index >= len(blob):
            raise BuildInfoError(f"the length of the {what} runs past the end of the build info.")
        byte = blob[pos + index]
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            if value >= 1 << 64:
                break
            return value, pos + index + 1
        shift += 7
    raise BuildInfoError(f"the length of the {what} is not a valid varint.")


def _read_inline_string(blob: bytes | memoryview, pos: int, what: str) -> tuple[bytes, int]:
    length, start = _read_uvarint(blob, pos, what)
    available = len(blob) - start
    if length > available:
        raise BuildInfoError(
            f"the {what} claims {length} bytes but only {available} remain in the build info."
        )
    return bytes(blob[start : start + length]), start + length


def _read_go_string(
    read_pointer: ReadPointer, header_addr: int, ptr_size: int, byteorder: ByteOrder, what: str
) -> bytes:
    header = read_pointer(header_addr, 2 * ptr_size)
    if header is None or len(header) < 2 * ptr_size:
        raise BuildInfoError(
            f"the {what} string header at address 0x{header_addr:x} is outside the file's loaded data."
        )
    data_addr = int.from_bytes(header[:ptr_size], byteorder)
    length = int.from_bytes(header[ptr_size : 2 * ptr_size], byteorder)
    data = read_pointer(data_addr, length)
    if data is None or len(data) < length:
        raise BuildInfoError(
            f"the {what} ({length} bytes at address 0x{data_addr:x}) is outside the file's loaded data."
        )
    return bytes(data[:length])


def _strip_sentinels(modinfo: bytes) -> bytes:
    # Same test as debug/buildinfo: anything else means "no module info".
    if len(modinfo) >= 2 * _SENTINEL_SIZE + 1 and modinfo[-_SENTINEL_SIZE - 1] == 0x0A:
        return modinfo[_SENTINEL_SIZE:-_SENTINEL_SIZE]
    return b""


def decode_blob(blob: bytes | memoryview, read_pointer: ReadPointer | None) -> GoBuildInfo:
    """Decode a blob that starts with :data:`BUILDINFO_MAGIC`.

    *blob* may extend past the build info (the rest of its section or
    segment); lengths are checked against it. *read_pointer(addr, size)*
    returns target memory for the pre-1.18 pointer format, or None where the
    address is not backed by the file; pass None when addresses cannot be
    resolved (relocatable objects).
    """
    if len(blob) < HEADER_SIZE:
        raise BuildInfoError(
            f"the build info is {len(blob)} bytes long, shorter than its {HEADER_SIZE}-byte header."
        )
    if bytes(blob[: len(BUILDINFO_MAGIC)]) != BUILDINFO_MAGIC:
        raise BuildInfoError("the build info does not start with the '\\xff Go buildinf:' magic.")
    ptr_size = blob[_PTR_SIZE_OFFSET]
    flags = blob[_FLAGS_OFFSET]
    pointer_format = not flags & _FLAG_INLINE_STRINGS
    if pointer_format:
        version_bytes, modinfo = _decode_pointer_strings(blob, ptr_size, flags, read_pointer)
    else:
        version_bytes, next_pos = _read_inline_string(blob, HEADER_SIZE, "Go version string")
        modinfo, _ = _read_inline_string(blob, next_pos, "module information")
    if not version_bytes:
        raise BuildInfoError("the build info has an empty Go version string.")
    raw_version = version_bytes.decode("utf-8", errors="replace")
    version, experiments = split_version(raw_version)
    modinfo_text = _strip_sentinels(modinfo).decode("utf-8", errors="replace")
    path, main, deps, settings = parse_modinfo(modinfo_text)
    return GoBuildInfo(
        version=version,
        experiments=experiments,
        raw_version=raw_version,
        path=path,
        main=main,
        deps=deps,
        settings=settings,
        pointer_format=pointer_format,
    )


def _decode_pointer_strings(
    blob: bytes | memoryview, ptr_size: int, flags: int, read_pointer: ReadPointer | None
) -> tuple[bytes, bytes]:
    if ptr_size not in (4, 8):
        raise BuildInfoError(
            f"the pre-1.18 build info header gives pointer size {ptr_size} (expected 4 or 8)."
        )
    if read_pointer is None:
        raise BuildInfoError(
            "the build info uses the pre-Go 1.18 pointer format, whose pointers cannot be followed in a "
            "relocatable object without applying its relocations; scan the linked program instead."
        )
    byteorder: ByteOrder = "big" if flags & _FLAG_BIG_ENDIAN else "little"
    version_ptr = int.from_bytes(blob[_POINTERS_OFFSET : _POINTERS_OFFSET + ptr_size], byteorder)
    modinfo_ptr = int.from_bytes(
        blob[_POINTERS_OFFSET + ptr_size : _POINTERS_OFFSET + 2 * ptr_size], byteorder
    )
    version = _read_go_string(read_pointer, version_ptr, ptr_size, byteorder, "Go version")
    modinfo = _read_go_string(read_pointer, modinfo_ptr, ptr_size, byteorder, "module information")
    return version, modinfo


# ---------------------------------------------------------------------------
# Finding the blob in an ELF image


def find_aligned_magic(data: memoryview, start: int, end: int) -> int | None:
    """File offset of the first 16-byte-aligned build info magic in data[start:end]."""
    pos = start
    while True:
        found = _MAGIC_PATTERN.search(data, pos, end)
        if found is None:
            return None
        if found.start() % _BLOB_ALIGNMENT == 0:
            return found.start()
        pos = found.start() + 1


def blob_in_writable_segments(image: ElfImage) -> memoryview | None:
    """Without section headers the blob sits in the writable PT_LOAD."""
    file_size = len(image.data)
    for segment in image.segments:
        if segment.p_type != PT_LOAD or not segment.flags & PF_W or segment.filesz == 0:
            continue
        start = min(segment.offset, file_size)
        end = min(segment.offset + segment.filesz, file_size)
        found = find_aligned_magic(image.data, start, end)
        if found is not None:
            return image.data[found:end]
    return None


def read_buildinfo(image: ElfImage) -> GoBuildInfo | None:
    """Decode the build info of *image*; None when it carries no blob.

    Uses the ``.go.buildinfo`` section when the file has section headers
    (read at its file offset, so ET_REL ``go.o`` members work), otherwise
    scans writable PT_LOAD segments at 16-byte-aligned positions.
    """
    is_relocatable = image.e_type == ET_REL
    read_pointer: ReadPointer | None = None if is_relocatable else image.read_vaddr
    if not image.sections:
        if is_relocatable:
            return None
        blob = blob_in_writable_segments(image)
        return None if blob is None else decode_blob(blob, read_pointer)
    section = image.section(BUILDINFO_SECTION)
    if section is None:
        return None
    if section.sh_type == SHT_NOBITS:
        raise BuildInfoError(
            f"the {BUILDINFO_SECTION} section has no data in this file (SHT_NOBITS), "
            "as in a separate debug-info file."
        )
    try:
        data = image.section_data(section)
    except MalformedElf as error:
        raise BuildInfoError(str(error)) from None
    if bytes(data[: len(BUILDINFO_MAGIC)]) != BUILDINFO_MAGIC:
        found = find_aligned_magic(data, 0, len(data))
        if found is None:
            raise BuildInfoError(
                f"the {BUILDINFO_SECTION} section does not contain the '\\xff Go buildinf:' magic."
            )
        data = data[found:]
    return decode_blob(data, read_pointer)
