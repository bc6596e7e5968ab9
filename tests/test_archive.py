"""The ar reader against archives made by the real tools (GNU ar, llvm-ar), compared with `ar t`.

BSD archives: there is no BSD ar on Linux, but llvm-ar writes the BSD format (``--format=bsd``:
``#1/<len>`` names for every member, the ``__.SYMDEF`` index under such a name). A few layouts
llvm-ar never writes (a short BSD name without ``#1/``, a name padded with several NULs, the
``__.SYMDEF SORTED`` index of macOS ranlib) are built by hand, header by header.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from cgoguard.readers.archive import ArMember, MalformedArchive, is_ar, is_thin_ar, iter_members

needs_ar = pytest.mark.skipif(shutil.which("ar") is None, reason="GNU ar is not installed")
needs_llvm_ar = pytest.mark.skipif(shutil.which("llvm-ar") is None, reason="llvm-ar is not installed")

SHORT = "a.o"
LONG_NAMES = ("a_member_name_longer_than_fifteen.o", "another_quite_long_member_name.o")


def _objects(folder: Path, names: tuple[str, ...]) -> list[Path]:
    """Small object files of different sizes (odd and even, so padding is exercised)."""
    paths = []
    for index, name in enumerate(names):
        path = folder / name
        # Not real objects: the reader does not care, and distinct sizes catch offset slips.
        path.write_bytes(bytes([65 + index]) * (101 + 2 * index + index % 2))
        paths.append(path)
    return paths


def _ar(folder: Path, *args: str | Path, tool: str = "ar") -> str:
    completed = subprocess.run(
        [tool, *map(str, args)], cwd=folder, capture_output=True, text=True, check=True
    )
    return completed.stdout


def _listed(archive: Path, tool: str = "ar") -> list[str]:
    return _ar(archive.parent, "t", archive, tool=tool).splitlines()


def _assert_members_are(archive: Path, members: list[ArMember], sources: dict[str, list[bytes]]) -> None:
    data = archive.read_bytes()
    for member in members:
        content = data[member.offset : member.offset + member.size]
        assert content in sources[member.name], f"member {member.name} has the wrong bytes"


def _gnu_archive(folder: Path) -> tuple[Path, list[Path]]:
    """libx.a made by `ar rcs` from a short-named and two long-named members."""
    objects = _objects(folder, (SHORT, *LONG_NAMES))
    archive = folder / "libx.a"
    _ar(folder, "rcs", archive, *(o.name for o in objects))
    return archive, objects


@needs_ar
def test_gnu_archive_with_long_names_matches_ar_t(tmp_path: Path) -> None:
    archive, objects = _gnu_archive(tmp_path)
    data = archive.read_bytes()
    assert is_ar(data[:8]) and not is_thin_ar(data[:8])
    members = list(iter_members(data))
    assert [m.name for m in members] == _listed(archive) == [SHORT, *LONG_NAMES]
    _assert_members_are(archive, members, {o.name: [o.read_bytes()] for o in objects})


@needs_ar
def test_duplicate_member_names_are_all_reported(tmp_path: Path) -> None:
    objects = _objects(tmp_path, (SHORT, LONG_NAMES[0]))
    archive = tmp_path / "libdup.a"
    _ar(tmp_path, "rcs", archive, *(o.name for o in objects))
    other = tmp_path / "other"
    other.mkdir()
    second = _objects(other, (SHORT,))[0]
    second.write_bytes(b"different content, same member name\n")
    _ar(tmp_path, "q", archive, second)  # q appends without replacing the first a.o
    members = list(iter_members(archive.read_bytes()))
    assert [m.name for m in members] == _listed(archive) == [SHORT, LONG_NAMES[0], SHORT]
    _assert_members_are(
        archive,
        members,
        {SHORT: [objects[0].read_bytes(), second.read_bytes()], LONG_NAMES[0]: [objects[1].read_bytes()]},
    )


@needs_ar
def test_real_object_members_start_with_elf_magic(tmp_path: Path) -> None:
    source = tmp_path / "f.c"
    source.write_text("int f(void) { return 42; }\n")
    subprocess.run(["gcc", "-c", "-o", tmp_path / "f_object_with_a_long_name.o", source], check=True)
    archive = tmp_path / "libf.a"
    _ar(tmp_path, "rcs", archive, "f_object_with_a_long_name.o")
    data = archive.read_bytes()
    (member,) = iter_members(data)
    assert data[member.offset : member.offset + 4] == b"\x7fELF"
    assert member.size == (tmp_path / "f_object_with_a_long_name.o").stat().st_size


@needs_llvm_ar
def test_bsd_archive_from_llvm_ar_matches_its_listing(tmp_path: Path) -> None:
    objects = _objects(tmp_path, (SHORT, *LONG_NAMES))
    archive = tmp_path / "libbsd.a"
    _ar(tmp_path, "rcs", "--format=bsd", archive, *(o.name for o in objects), tool="llvm-ar")
    assert b"#1/" in archive.read_bytes()
    members = list(iter_members(archive.read_bytes()))
    assert [m.name for m in members] == _listed(archive, tool="llvm-ar") == [SHORT, *LONG_NAMES]
    _assert_members_are(archive, members, {o.name: [o.read_bytes()] for o in objects})


def _header(name: str, size: int) -> bytes:
    return (
        name.encode().ljust(16)
        + b"0".ljust(12)
        + b"0".ljust(6)
        + b"0".ljust(6)
        + b"644".ljust(8)
        + str(size).encode().ljust(10)
        + b"`\n"
    )


def _member(name: str, payload: bytes) -> bytes:
    return _header(name, len(payload)) + payload + (b"\n" if len(payload) % 2 else b"")


def test_hand_built_bsd_layouts() -> None:
    index = b"\0" * 8
    long_name = b"a_bsd_name_padded_with_nuls.o"
    padded = long_name + b"\0" * 3
    body = b"\x7fELF bsd member"
    data = (
        b"!<arch>\n"
        + _member("__.SYMDEF SORTED", index)
        + _member("short.o", b"xyz")
        + _member(f"#1/{len(padded)}", padded + body)
    )
    members = list(iter_members(data))
    assert [m.name for m in members] == ["short.o", long_name.decode()]
    assert data[members[1].offset : members[1].offset + members[1].size] == body
    assert data[members[0].offset : members[0].offset + members[0].size] == b"xyz"


@needs_ar
def test_thin_archive_is_refused_with_a_sentence(tmp_path: Path) -> None:
    objects = _objects(tmp_path, (SHORT,))
    archive = tmp_path / "libthin.a"
    _ar(tmp_path, "rcsT", archive, objects[0].name)
    data = archive.read_bytes()
    assert is_ar(data[:8]) and is_thin_ar(data[:8])
    with pytest.raises(MalformedArchive, match="thin archive"):
        list(iter_members(data))


@needs_ar
def test_empty_archive_has_no_members(tmp_path: Path) -> None:
    archive = tmp_path / "empty.a"
    _ar(tmp_path, "rc", archive)
    assert archive.read_bytes() == b"!<arch>\n"
    assert list(iter_members(archive.read_bytes())) == []
    assert _listed(archive) == []


@needs_ar
def test_truncated_archive_yields_good_members_then_raises(tmp_path: Path) -> None:
    archive, _objects_used = _gnu_archive(tmp_path)
    data = archive.read_bytes()
    complete = list(iter_members(data))
    # Where every member (the symbol index and long-name table too) ends, with and without padding.
    ends = set()
    position = 8
    while position < len(data):
        size = int(data[position + 48 : position + 58])
        position += 60 + size
        ends |= {position, position + (size & 1)}
        position += size & 1
    for cut in range(9, len(data)):
        received: list[ArMember] = []
        try:
            received.extend(iter_members(data[:cut]))
        except MalformedArchive as error:
            assert str(error)[0].isalpha() and "\n" not in str(error)
        else:
            # Only a cut right after a member (or after its padding byte) is a clean end.
            assert cut in ends, f"cut at {cut} was not noticed"
        assert received == complete[: len(received)]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"not an archive", "ar magic"),
        (b"!<arch>\n" + _header("x.o/", 5)[:-2] + b"XX" + b"12345\n", "terminator"),
        (b"!<arch>\n" + _header("x.o/", 5).replace(b"5 ", b"z "), "not a decimal number"),
        (b"!<arch>\n" + _header("x.o/", 500) + b"short", "past the end of the file"),
        (b"!<arch>\n" + _member("/0", b"ab"), "no long-name table"),
        (b"!<arch>\n" + _member("//", b"n.o/\n") + _member("/40", b"ab"), "past the end"),
        (b"!<arch>\n" + _member("#1/99", b"ab"), "BSD name"),
        (b"!<arch>\n" + _member("#1/x", b"ab"), "not a number"),
    ],
)
def test_broken_archives_raise_a_clear_sentence(data: bytes, message: str) -> None:
    with pytest.raises(MalformedArchive, match=message):
        list(iter_members(data))


def test_memoryview_input_and_odd_padding() -> None:
    data = b"!<arch>\n" + _member("odd.o/", b"abc") + _member("even.o/", b"abcd")
    members = list(iter_members(memoryview(data)))
    assert [(m.name, m.size) for m in members] == [("odd.o", 3), ("even.o", 4)]
    assert data[members[1].offset : members[1].offset + 4] == b"abcd"
