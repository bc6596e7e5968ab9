"""The Go build info reader against `go version -m -json` on real builds.

Every Go fixture that Go's own reader accepts must decode to exactly the same
version, path, modules and settings. Where Go's reader gives up (c-archive
members, libraries rewritten by patchelf, files without section headers), the
result must equal what Go reports for the equivalent readable build.
"""

from __future__ import annotations

import json
import struct
import subprocess
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import gofixtures
from cgoguard.model import GoBuildInfo, GoModule
from cgoguard.readers.cgo import SEGMENT_BUILDINFO_MARKER, go_markers, read_go_facts
from cgoguard.readers.elf import ElfImage, read_elf_facts
from cgoguard.readers.gobuildinfo import (
    BUILDINFO_MAGIC,
    BuildInfoError,
    decode_blob,
    go_unquote_prefix,
    parse_modinfo,
    read_buildinfo,
    split_version,
)

GO_FIXTURES = [name for name in gofixtures.FIXTURE_NAMES if name.startswith("go_")]
# Go's debug/buildinfo cannot read these; each has its own test below.
GO_CANNOT_READ = {"go_cshared_patched", "go_carchive_default", "go_carchive_hardened", "go_carchive_go121"}
SENTINEL_START = bytes.fromhex("3077af0c9274080241e1c107e6d618e6")
SENTINEL_END = bytes.fromhex("f932433186182072008242104116d8f2")


# ---------------------------------------------------------------------------
# helpers


def go_version_json(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [gofixtures.go_binary(), "version", "-m", "-json", str(path)],
        capture_output=True,
        text=True,
        env=gofixtures.go_env(),
        check=False,
    )


def go_json_of(path: Path) -> dict[str, Any]:
    completed = go_version_json(path)
    assert completed.returncode == 0, completed.stderr
    decoded: dict[str, Any] = json.loads(completed.stdout)
    return decoded


def module_json(module: GoModule | None) -> dict[str, Any]:
    """A GoModule in the shape Go's JSON encoder gives runtime/debug.Module (omitempty)."""
    if module is None:
        return {}
    encoded: dict[str, Any] = {
        key: value
        for key, value in (("Path", module.path), ("Version", module.version), ("Sum", module.sum))
        if value
    }
    if module.replace is not None:
        encoded["Replace"] = module_json(module.replace)
    return encoded


def assert_matches_go(info: GoBuildInfo, expected: dict[str, Any]) -> None:
    assert info.raw_version == expected["GoVersion"]
    assert info.path == expected.get("Path", "")
    assert module_json(info.main) == expected["Main"]
    assert [module_json(dep) for dep in info.deps] == expected.get("Deps", [])
    go_settings = [(item["Key"], item.get("Value", "")) for item in expected.get("Settings", [])]
    assert list(info.settings.items()) == go_settings


def read_file_buildinfo(path: Path) -> GoBuildInfo | None:
    return read_buildinfo(ElfImage(path.read_bytes()))


def archive_member(archive: Path, member: str) -> bytes:
    """One member of an ar archive, read with the real `ar`."""
    return subprocess.run(["ar", "p", str(archive), member], capture_output=True, check=True).stdout


def without_section_headers(data: bytes) -> bytes:
    """A copy whose ELF header claims no section headers (e_shoff, e_shnum, e_shstrndx = 0)."""
    copy = bytearray(data)
    is64 = copy[4] == 2
    order = "<" if copy[5] == 1 else ">"
    shoff_at, shoff_format, shnum_at = (0x28, "Q", 0x3C) if is64 else (0x20, "I", 0x30)
    struct.pack_into(order + shoff_format, copy, shoff_at, 0)
    struct.pack_into(order + "HH", copy, shnum_at, 0, 0)
    return bytes(copy)


def uvarint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if byte < 0x80:
            return value, pos
        shift += 7


def to_pointer_format(original: bytes) -> bytes:
    """Rewrite a Go >= 1.18 file's build info into the Go 1.13-1.17 pointer format.

    No toolchain on this machine can build a pre-1.18 binary, so the old layout
    (GOROOT/src/debug/buildinfo/buildinfo.go, "flagsVersionPtr") is made by hand
    inside a real file: the two Go string headers {ptr, len} go to the start of
    .noptrdata (file-backed, writable, like the old runtime.buildVersion and
    runtime.modinfo variables), their data pointers aim at the strings still
    lying in .go.buildinfo, and the header gets the two pointers with flag bit 1
    cleared. Go's own reader accepts the result, which the tests check.
    """
    image = ElfImage(original)
    buildinfo = image.section(".go.buildinfo")
    scratch = image.section(".noptrdata")
    assert buildinfo is not None and scratch is not None
    ptr_size = 8 if image.elf_class == 64 else 4
    order = "<" if image.little_endian else ">"
    word = order + ("Q" if ptr_size == 8 else "I")
    version_length, version_at = uvarint(original, buildinfo.offset + 32)
    modinfo_length, modinfo_at = uvarint(original, version_at + version_length)

    def address(file_offset: int) -> int:
        return buildinfo.addr + file_offset - buildinfo.offset

    patched = bytearray(original)
    struct.pack_into(word, patched, scratch.offset, address(version_at))
    struct.pack_into(word, patched, scratch.offset + ptr_size, version_length)
    struct.pack_into(word, patched, scratch.offset + 2 * ptr_size, address(modinfo_at))
    struct.pack_into(word, patched, scratch.offset + 3 * ptr_size, modinfo_length)
    patched[buildinfo.offset + 15] &= ~0x2
    struct.pack_into(word, patched, buildinfo.offset + 16, scratch.addr)
    struct.pack_into(word, patched, buildinfo.offset + 16 + ptr_size, scratch.addr + 2 * ptr_size)
    return bytes(patched)


def inline_blob(version: bytes, modinfo: bytes, *, ptr_size: int = 8, flags: int = 2) -> bytes:
    def prefixed(text: bytes) -> bytes:
        length, encoded = len(text), bytearray()
        while length >= 0x80:
            encoded.append(length & 0x7F | 0x80)
            length >>= 7
        encoded.append(length)
        return bytes(encoded) + text

    header = BUILDINFO_MAGIC + bytes([ptr_size, flags]) + bytes(16)
    return header + prefixed(version) + prefixed(modinfo)


def framed(modinfo: str) -> bytes:
    return SENTINEL_START + modinfo.encode() + SENTINEL_END


# ---------------------------------------------------------------------------
# real builds against `go version -m -json`


@pytest.mark.parametrize("name", [name for name in GO_FIXTURES if name not in GO_CANNOT_READ])
def test_equals_go_version_m(name: str) -> None:
    path = gofixtures.build(name)
    info = read_file_buildinfo(path)
    assert info is not None
    assert not info.pointer_format
    assert_matches_go(info, go_json_of(path))


def test_quoted_ldflags_value_is_unquoted() -> None:
    info = read_file_buildinfo(gofixtures.build("go_exe_stripped"))
    assert info is not None
    assert info.settings["-ldflags"] == "-s -w"


def test_boringcrypto_experiment_is_split_off() -> None:
    info = read_file_buildinfo(gofixtures.build("go_exe_boring"))
    assert info is not None
    assert (info.version, info.experiments) == ("go1.27.3", ["boringcrypto"])
    assert info.raw_version == "go1.27.3-X:boringcrypto"


def test_vcs_settings() -> None:
    info = read_file_buildinfo(gofixtures.build("go_exe_vcs_modified"))
    assert info is not None
    assert info.settings["vcs"] == "git"
    assert info.settings["vcs.modified"] == "true"
    assert len(info.settings["vcs.revision"]) == 40


def test_patched_library_where_go_fails() -> None:
    patched = gofixtures.build("go_cshared_patched")
    assert go_version_json(patched).returncode != 0  # golang debug/buildinfo's zero-sized segment bug
    info = read_file_buildinfo(patched)
    assert info is not None
    assert_matches_go(info, go_json_of(gofixtures.build("go_cshared_default")))


@pytest.mark.parametrize("archive_name", ["go_carchive_default", "go_carchive_hardened"])
def test_carchive_member_where_go_fails(archive_name: str, tmp_path: Path) -> None:
    archive = gofixtures.build(archive_name)
    assert go_version_json(archive).returncode != 0
    member = tmp_path / "go.o"
    member.write_bytes(archive_member(archive, "go.o"))
    assert go_version_json(member).returncode != 0  # ET_REL has no program headers to map through
    info = read_file_buildinfo(member)
    assert info is not None
    assert info.settings["-buildmode"] == "c-archive"
    if archive_name == "go_carchive_default":
        # The consumer program links exactly this archive and Go can read it.
        assert_matches_go(info, go_json_of(gofixtures.build("go_carchive_consumer")))


def test_go_c_helper_objects_of_carchive_have_no_buildinfo() -> None:
    archive = gofixtures.build("go_carchive_default")
    first_c_member = archive_member(archive, "000000.o")
    assert read_buildinfo(ElfImage(first_c_member)) is None


@pytest.mark.parametrize(
    "name", ["go_exe_default", "go_pie_default", "go_cshared_default", "go_cshared_patched", "go_exe_mips"]
)
def test_without_section_headers(name: str) -> None:
    original = gofixtures.build(name).read_bytes()
    stripped = ElfImage(without_section_headers(original))
    assert stripped.sections == []
    assert go_markers(stripped) == [SEGMENT_BUILDINFO_MARKER]
    info = read_buildinfo(stripped)
    assert info == read_buildinfo(ElfImage(original))
    assert info is not None and info.path


def test_relocatable_without_section_headers_has_no_blob() -> None:
    member = archive_member(gofixtures.build("go_carchive_default"), "go.o")
    assert read_buildinfo(ElfImage(without_section_headers(member))) is None


@pytest.mark.parametrize("name", ["c_hardened", "c_shared_hardened", "c_static", "c_object"])
def test_c_files_have_no_buildinfo(name: str) -> None:
    image = ElfImage(gofixtures.build(name).read_bytes())
    assert read_buildinfo(image) is None
    assert read_go_facts(image, read_elf_facts(image)) is None


# ---------------------------------------------------------------------------
# the pre-1.18 pointer format


@pytest.mark.parametrize(
    "name", ["go_exe_default", "go_pie_default", "go_exe_386", "go_exe_mips", "go_exe_s390x"]
)
def test_pointer_format_agrees_with_go(name: str, tmp_path: Path) -> None:
    """64/32-bit, little/big-endian, ET_EXEC and ET_DYN; Go's reader is the referee."""
    converted = tmp_path / name
    converted.write_bytes(to_pointer_format(gofixtures.build(name).read_bytes()))
    info = read_file_buildinfo(converted)
    assert info is not None
    assert info.pointer_format
    assert_matches_go(info, go_json_of(converted))
    inline = read_file_buildinfo(gofixtures.build(name))
    assert inline is not None
    assert asdict(info) == {**asdict(inline), "pointer_format": True}


def test_pointer_format_without_section_headers() -> None:
    original = gofixtures.build("go_exe_default").read_bytes()
    info = read_buildinfo(ElfImage(without_section_headers(to_pointer_format(original))))
    assert info is not None and info.pointer_format
    assert info.path == "example.com/hello"


def test_pointer_format_in_relocatable_object_is_an_error() -> None:
    member = bytearray(archive_member(gofixtures.build("go_carchive_default"), "go.o"))
    section = ElfImage(bytes(member)).section(".go.buildinfo")
    assert section is not None
    member[section.offset + 15] &= ~0x2
    with pytest.raises(BuildInfoError, match="relocations"):
        read_buildinfo(ElfImage(bytes(member)))


def test_pointer_format_through_a_memory_map() -> None:
    """32-bit big-endian pointers followed through a plain address map."""
    version, modinfo = b"go1.16.15", framed("path\tx/y\nmod\tx/y\t(devel)\t\n")
    memory = {
        0x1000: struct.pack(">II", 0x2000, len(version)),
        0x1008: struct.pack(">II", 0x3000, len(modinfo)),
        0x2000: version,
        0x3000: modinfo,
    }

    def read_pointer(addr: int, size: int) -> bytes | None:
        block = memory.get(addr)
        return None if block is None or len(block) < size else block[:size]

    blob = BUILDINFO_MAGIC + bytes([4, 1]) + struct.pack(">II", 0x1000, 0x1008) + bytes(8)
    info = decode_blob(blob, read_pointer)
    assert (info.version, info.path, info.pointer_format) == ("go1.16.15", "x/y", True)
    assert info.main == GoModule("x/y", "(devel)")


@pytest.mark.parametrize(
    ("memory", "message"),
    [
        ({}, "string header at address 0x1000"),
        ({0x1000: struct.pack("<QQ", 0x2000, 5)}, "5 bytes at address 0x2000"),
        ({0x1000: struct.pack("<QQ", 0x2000, 1 << 62), 0x2000: b"go1.9"}, "outside the file"),
    ],
)
def test_pointer_format_pointers_to_nowhere(memory: dict[int, bytes], message: str) -> None:
    def read_pointer(addr: int, size: int) -> bytes | None:
        block = memory.get(addr)
        return None if block is None or len(block) < size else block[:size]

    blob = BUILDINFO_MAGIC + bytes([8, 0]) + struct.pack("<QQ", 0x1000, 0x1010)
    with pytest.raises(BuildInfoError, match=message):
        decode_blob(blob, read_pointer)


def test_pointer_format_with_bad_pointer_size() -> None:
    blob = BUILDINFO_MAGIC + bytes([3, 0]) + bytes(16)
    with pytest.raises(BuildInfoError, match="pointer size 3"):
        decode_blob(blob, lambda addr, size: None)


# ---------------------------------------------------------------------------
# modinfo text and Go string literals


def test_parse_modinfo_with_replacements() -> None:
    text = (
        "path\texample.com/cmd/tool\n"
        "mod\texample.com\t(devel)\t\n"
        "dep\tgolang.org/x/sys\tv0.1.0\th1:abc=\n"
        "dep\texample.com/lib\tv1.2.3\n"
        "=>\t../lib\t(devel)\t\n"
        "dep\texample.com/fork\tv0.0.1\n"
        "=>\tgithub.com/me/fork\tv0.0.2\th1:def=\n"
        'build\t-ldflags="-s -w -X main.v=1"\n'
        'build\t"odd key"=`raw value`\n'
        "build\tCGO_ENABLED=1\n"
    )
    path, main, deps, settings = parse_modinfo(text)
    assert path == "example.com/cmd/tool"
    assert main == GoModule("example.com", "(devel)")
    assert deps == [
        GoModule("golang.org/x/sys", "v0.1.0", "h1:abc="),
        GoModule("example.com/lib", "v1.2.3", replace=GoModule("../lib", "(devel)")),
        GoModule("example.com/fork", "v0.0.1", replace=GoModule("github.com/me/fork", "v0.0.2", "h1:def=")),
    ]
    assert settings == {"-ldflags": "-s -w -X main.v=1", "odd key": "raw value", "CGO_ENABLED": "1"}


def test_replacement_of_the_main_module() -> None:
    _, main, deps, _ = parse_modinfo("mod\ta\tv1\n=>\tb\tv2\th1:x\ndep\tc\tv3\n")
    assert main == GoModule("a", "v1", replace=GoModule("b", "v2", "h1:x"))
    assert deps == [GoModule("c", "v3")]


def test_last_line_without_newline_is_ignored_like_go() -> None:
    assert parse_modinfo("path\ta\nbuild\tX=1") == ("a", None, [], {})


def test_unknown_lines_are_ignored() -> None:
    assert parse_modinfo("go\tgo1.30\nfuture\tsomething\n\npath\tp\n") == ("p", None, [], {})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("mod\tonly-path\n", "expected 2 or 3"),
        ("dep\ta\tb\tc\td\n", "expected 2 or 3"),
        ("=>\ta\tb\tc\n", "follows no mod or dep"),
        ("dep\ta\tv1\n=>\ta\tb\tc\n=>\tx\ty\tz\n", "follows no mod or dep"),
        ("dep\ta\tv1\n=>\ta\tb\n", "expected 3"),
        ("build\t=value\n", "no key"),
        ("build\tnovalue\n", "no '='"),
        ("build\tbad key=1\n", "must be quoted"),
        ("build\tkey=two words\n", "must be quoted"),
        ('build\t"key"value\n', "no '=' after its quoted key"),
        ('build\tkey="open\n', "unterminated"),
        ('build\tkey="a"b\n', "text after its quoted value"),
        ('build\tkey="\\q"\n', "unknown escape"),
        ('build\tkey="\\x4"\n', "invalid \\\\x escape"),
        ('build\tkey="\\ud800"\n', "not a valid Unicode"),
        ('build\tkey="\\400"\n', "invalid octal"),
        ("build\tkey=`raw\n", "unterminated raw"),
        ('build\tkey="ends\\', "lone backslash"),
        ("build\t\n", "is empty"),
    ],
)
def test_malformed_modinfo(text: str, message: str) -> None:
    # A trailing newline is required for a line to count; add one where the case needs the line.
    with pytest.raises(BuildInfoError, match=message):
        parse_modinfo(text if text.endswith("\n") else text + "\n")


@pytest.mark.parametrize(
    ("literal", "value"),
    [
        (r'"plain"', "plain"),
        (r'"-s -w"', "-s -w"),
        (r'"tab\there\nnewline"', "tab\there\nnewline"),
        (r'"quote\" backslash\\"', 'quote" backslash\\'),
        (r'"\a\b\f\r\v"', "\a\b\f\r\v"),
        (r'"\x41\x42"', "AB"),
        (r'"\101\060"', "A0"),
        (r'"\u00e9\U0001F600"', "é😀"),
        (r'"\xc3\xa9"', "é"),  # byte escapes that form UTF-8 together
        (r'"\xff"', "\ufffd"),  # lone invalid byte, as Go's JSON shows it
        ('"é directly"', "é directly"),
        ("`raw \\n stays`", "raw \\n stays"),
        ("`carriage\r\nreturn`", "carriage\nreturn"),
    ],
)
def test_go_unquote(literal: str, value: str) -> None:
    assert go_unquote_prefix(literal + "=rest") == (value, len(literal))


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
@settings(max_examples=300, deadline=None)
def test_go_unquote_reads_json_style_quoting(text: str) -> None:
    """json.dumps(ensure_ascii=False) only uses escapes Go also defines."""
    literal = json.dumps(text, ensure_ascii=False)
    assert go_unquote_prefix(literal) == (text, len(literal))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("go1.27.3", ("go1.27.3", [])),
        ("go1.27.3-X:boringcrypto", ("go1.27.3", ["boringcrypto"])),
        ("go1.27.3-X:cgocheck2,nocoverageredesign", ("go1.27.3", ["cgocheck2", "nocoverageredesign"])),
        ("go1.24.10 X:systemcrypto", ("go1.24.10", ["systemcrypto"])),
        ("go1.25rc1-beta X:a", ("go1.25rc1-beta", ["a"])),
        (
            "devel go1.28-5f1b2c3 Tue Jan 1 00:00:00 2030 +0000 X:x,y",
            ("devel go1.28-5f1b2c3 Tue Jan 1 00:00:00 2030 +0000", ["x", "y"]),
        ),
    ],
)
def test_split_version(raw: str, expected: tuple[str, list[str]]) -> None:
    assert split_version(raw) == expected


# ---------------------------------------------------------------------------
# hostile blobs


def test_inline_blob_roundtrip() -> None:
    info = decode_blob(inline_blob(b"go1.27.3", framed("path\tp\nbuild\tA=1\n")), None)
    assert (info.version, info.path, info.settings, info.pointer_format) == (
        "go1.27.3",
        "p",
        {"A": "1"},
        False,
    )


def test_modinfo_without_sentinels_is_empty_like_go() -> None:
    info = decode_blob(inline_blob(b"go1.27.3", b"path\tp\n"), None)
    assert (info.path, info.main, info.settings) == ("", None, {})


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"", "shorter than its 32-byte header"),
        (BUILDINFO_MAGIC + bytes(10), "shorter than its 32-byte header"),
        (b"\xff Go buildinX:" + bytes(18), "does not start with"),
        (inline_blob(b"", b""), "empty Go version"),
        (BUILDINFO_MAGIC + bytes([8, 2]) + bytes(16), "runs past the end"),
        (BUILDINFO_MAGIC + bytes([8, 2]) + bytes(16) + b"\xff" * 9, "runs past the end"),
        (BUILDINFO_MAGIC + bytes([8, 2]) + bytes(16) + b"\xff" * 10 + b"\x01", "not a valid varint"),
        (BUILDINFO_MAGIC + bytes([8, 2]) + bytes(16) + b"\xff" * 9 + b"\x02", "not a valid varint"),
        (
            BUILDINFO_MAGIC + bytes([8, 2]) + bytes(16) + b"\xff" * 9 + b"\x01",
            "claims 18446744073709551615 bytes",
        ),
        (inline_blob(b"go1.27", b"")[:-1], "runs past the end"),
        (inline_blob(b"go1.27", b"x" * 300)[:-10], "claims 300 bytes but only 290 remain"),
        (inline_blob(b"go1.27", framed("mod\tbroken\n")), "expected 2 or 3"),
        (BUILDINFO_MAGIC + bytes([8, 0]) + bytes(16), "relocatable object"),
    ],
)
def test_hostile_blobs(blob: bytes, message: str) -> None:
    with pytest.raises(BuildInfoError, match=message):
        decode_blob(blob, None)


@given(st.binary(max_size=200), st.sampled_from([0, 1, 2, 3]), st.sampled_from([4, 8, 0, 255]))
@settings(max_examples=400, deadline=None)
def test_random_blobs_raise_only_buildinfo_error(tail: bytes, flags: int, ptr_size: int) -> None:
    blob = BUILDINFO_MAGIC + bytes([ptr_size, flags]) + tail

    def read_pointer(addr: int, size: int) -> bytes | None:
        start = addr % 97
        return tail[start : start + size] if size <= len(tail) - start else None

    try:
        info = decode_blob(blob, read_pointer)
    except BuildInfoError as error:
        assert str(error).endswith(".")
    else:
        assert info.raw_version


@given(st.data())
@settings(max_examples=150, deadline=None)
def test_corrupted_buildinfo_section_in_real_file(data: st.DataObject) -> None:
    """Damage inside .go.buildinfo of a real exe never escapes as anything but a recorded error."""
    original = _hello_bytes()
    section = ElfImage(original).section(".go.buildinfo")
    assert section is not None
    damaged = bytearray(original)
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(section.offset + 14, section.offset + min(section.size, 96) - 1))
        damaged[position] = data.draw(st.integers(0, 255))
    image = ElfImage(bytes(damaged))
    facts = read_go_facts(image, read_elf_facts(image))
    assert facts is not None
    assert (facts.buildinfo is None) == (facts.buildinfo_error is not None)


_HELLO_CACHE: dict[str, bytes] = {}


def _hello_bytes() -> bytes:
    if "hello" not in _HELLO_CACHE:
        _HELLO_CACHE["hello"] = gofixtures.build("go_exe_default").read_bytes()
    return _HELLO_CACHE["hello"]


def test_section_without_magic_is_an_error(tmp_path: Path) -> None:
    data = bytearray(_hello_bytes())
    section = ElfImage(bytes(data)).section(".go.buildinfo")
    assert section is not None
    data[section.offset] = 0
    with pytest.raises(BuildInfoError, match="does not contain"):
        read_buildinfo(ElfImage(bytes(data)))


# ---------------------------------------------------------------------------
# a module with dependencies and replacements, built offline


@pytest.fixture(scope="module")
def replaced_deps_exe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A program requiring two local modules, one replaced by a directory, one by
    another module path (itself replaced by a directory): `go build` works offline."""
    root = tmp_path_factory.mktemp("replaced")
    (root / "dep").mkdir()
    (root / "dep" / "go.mod").write_text("module example.com/dep\n\ngo 1.27\n")
    (root / "dep" / "dep.go").write_text('package dep\n\nfunc Name() string { return "dep" }\n')
    (root / "other").mkdir()
    (root / "other" / "go.mod").write_text("module example.com/other\n\ngo 1.27\n")
    (root / "other" / "other.go").write_text('package other\n\nfunc Name() string { return "other" }\n')
    (root / "app").mkdir()
    (root / "app" / "go.mod").write_text(
        "module example.com/app\n\ngo 1.27\n\n"
        "require (\n\texample.com/dep v1.2.3\n\texample.com/other v0.1.0\n)\n\n"
        "replace example.com/dep v1.2.3 => ../dep\n\n"
        "replace example.com/other => ../other\n"
    )
    (root / "app" / "main.go").write_text(
        'package main\n\nimport (\n\t"fmt"\n\n\t"example.com/dep"\n\t"example.com/other"\n)\n\n'
        "func main() { fmt.Println(dep.Name(), other.Name()) }\n"
    )
    output = root / "app.bin"
    env = gofixtures.go_env()
    subprocess.run(
        [gofixtures.go_binary(), "build", "-ldflags=-X 'main.quoted=a \"b\"'", "-o", str(output), "."],
        cwd=root / "app",
        env=env,
        check=True,
        capture_output=True,
    )
    return output


def test_replaced_dependencies_equal_go(replaced_deps_exe: Path) -> None:
    info = read_file_buildinfo(replaced_deps_exe)
    assert info is not None
    assert_matches_go(info, go_json_of(replaced_deps_exe))
    assert [dep.path for dep in info.deps] == ["example.com/dep", "example.com/other"]
    assert all(dep.replace is not None and dep.replace.path.startswith("../") for dep in info.deps)
    assert info.settings["-ldflags"] == "-X 'main.quoted=a \"b\"'"


def test_separate_debug_file_reports_why(tmp_path: Path) -> None:
    """objcopy --only-keep-debug leaves .go.buildinfo as SHT_NOBITS: a Go file without the blob."""
    debug_file = tmp_path / "hello.debug"
    subprocess.run(
        ["objcopy", "--only-keep-debug", str(gofixtures.build("go_exe_default")), str(debug_file)],
        check=True,
        capture_output=True,
    )
    image = ElfImage(debug_file.read_bytes())
    facts = read_go_facts(image, read_elf_facts(image))
    assert facts is not None and ".go.buildinfo" in facts.markers
    assert facts.buildinfo is None
    assert facts.buildinfo_error is not None and "debug-info" in facts.buildinfo_error
