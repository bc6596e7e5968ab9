"""The Go function table reader against Go's own debug/gosym and `go tool nm`, on real builds.

The referee is tests/fixtures/go/gosymfuncs (debug/gosym, built as a fixture): for every Go
fixture the names read must be its functions, in table order, each once. `go tool nm` checks
the same names against the symbol table where there is one. The older table layouts come from
rewriting real tables (tests/pclntab_layouts.py), which Go's reader must accept too.
"""

from __future__ import annotations

import pickle
import random
import struct
import subprocess
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import gofixtures
from cgoguard.api import scan
from cgoguard.config import Config
from cgoguard.gosymbols import linker_names, matches, package_prefix
from cgoguard.model import FunctionTable
from cgoguard.readers.cgo import read_go_facts
from cgoguard.readers.elf import ElfImage, read_elf_facts
from cgoguard.readers.gocrypto import crypto_packages, crypto_packages_in
from cgoguard.readers.pclntab import MAX_SCAN_CANDIDATES, PclntabError, all_names, read_function_table
from cgoguard.scanner import scan_bytes, scan_file
from pclntab_layouts import read_120, rewritten
from test_elf_reader import ElfPatcher
from test_gobuildinfo import archive_member, without_section_headers

# Every kind of Go image the reader must handle, with where its table is found.
IN_SECTION = [
    "go_exe_default",
    "go_exe_stripped",
    "go_exe_extlink",
    "go_pie_default",
    "go_pie_extlink",
    "go_cshared_default",
    "go_cshared_hardened",
    "go_cshared_patched",
    "go_plugin_default",
    "go_carchive_consumer",
    "go_exe_boring",
    "go_exe_arm64",
    "go_exe_386",
    "go_exe_s390x",
    "go_exe_mips",
    "go_exe_symbols",
    "go_exe_symbols_go121",
]
BY_SYMBOL = ["go_pie_extlink_go121"]  # Go 1.21 puts the table inside .data.rel.ro when it links externally
LIBRARY = "example.com/symbols/lib.v2"


@cache
def data_of(name: str) -> bytes:
    return gofixtures.build(name).read_bytes()


def table_of(data: bytes) -> FunctionTable:
    table = read_function_table(ElfImage(data))
    assert table is not None
    return table


def gosym_names(path: Path) -> list[str]:
    """debug/gosym's function names, each once, in table order."""
    listing = subprocess.run(
        [str(gofixtures.build("tool_gosymfuncs")), str(path)], capture_output=True, text=True, check=True
    ).stdout
    return list(dict.fromkeys(line for line in listing.splitlines() if line))


def gosym_names_of(data: bytes, tmp_path: Path) -> list[str]:
    path = tmp_path / "subject"
    path.write_bytes(data)
    return gosym_names(path)


# -- against Go's reader -------------------------------------------------------------------------


@pytest.mark.parametrize("name", IN_SECTION + BY_SYMBOL)
def test_names_equal_debug_gosym(name: str) -> None:
    table = table_of(data_of(name))
    assert list(table.names()) == gosym_names(gofixtures.build(name))
    assert table.functions == len(list(table.names())) > 1000
    assert table.format == "1.20"
    assert table.where == ("symbol runtime.pclntab" if name in BY_SYMBOL else "section .gopclntab")


@pytest.mark.parametrize(
    ("archive", "section"),
    [("go_carchive_default", ".gopclntab"), ("go_carchive_go121", ".data.rel.ro.gopclntab")],
)
def test_carchive_member(archive: str, section: str, tmp_path: Path) -> None:
    """go.o is relocatable; Go 1.21 relocates its table's header (textStart), never a name offset."""
    member = archive_member(gofixtures.build(archive), "go.o")
    table = table_of(member)
    assert table.where == f"section {section}"
    assert list(table.names()) == gosym_names_of(member, tmp_path)
    if archive == "go_carchive_go121":
        assert ElfImage(member).section(".rela" + section) is not None


NM_SUBJECTS = ["go_exe_default", "go_pie_extlink", "go_cshared_default", "go_exe_386", "go_exe_s390x"]


@pytest.mark.parametrize("name", [*NM_SUBJECTS, "go_exe_symbols"])
def test_names_are_the_go_text_symbols_of_go_tool_nm(name: str) -> None:
    """Every name read is a text symbol; every text symbol that is not C or a marker is read.

    ``go tool nm`` names assembly functions with an ``.abi0`` suffix the table does not have.
    """
    listing = subprocess.run(
        [gofixtures.go_binary(), "tool", "nm", str(gofixtures.build(name))],
        capture_output=True,
        text=True,
        env=gofixtures.go_env(),
        check=True,
    ).stdout
    text = set()
    for line in listing.splitlines():
        fields = line.split(None, 2)
        if len(fields) == 3 and fields[1] in "Tt":
            text.add(fields[2].removesuffix(".abi0"))
    names = set(table_of(data_of(name)).names())
    assert names <= text
    left = text - names - {"runtime.text", "runtime.etext"}
    # What is left was compiled by gcc: cgo's C side, crt files, libgcc.
    assert all("." not in symbol or symbol.startswith(("_cgo", "x_cgo", "__")) for symbol in left), left


def test_stripped_build_has_the_same_functions() -> None:
    stripped, unstripped = table_of(data_of("go_exe_stripped")), table_of(data_of("go_exe_default"))
    assert ElfImage(data_of("go_exe_stripped")).section(".symtab") is None
    assert stripped.blob == unstripped.blob and stripped.inlined == unstripped.inlined


def test_inlined_only_functions_are_kept_apart() -> None:
    for name in ("go_exe_symbols", "go_exe_symbols_go121"):
        table = table_of(data_of(name))
        small = f"{package_prefix(LIBRARY)}.Small"
        assert not table.has(small) and table.has(small, inlined=True)
        assert small in set(table.inlined_names())
        assert not set(table.names()) & set(table.inlined_names())


# -- without section headers: the magic scan ---------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "go_exe_default",
        "go_pie_default",
        "go_cshared_default",
        "go_cshared_patched",
        "go_plugin_default",
        "go_exe_386",
        "go_exe_s390x",
        "go_exe_mips",
        "go_pie_extlink_go121",
    ],
)
def test_magic_scan_finds_the_same_table(name: str) -> None:
    original = table_of(data_of(name))
    scanned = table_of(without_section_headers(data_of(name)))
    assert scanned.where.startswith("magic scan at offset ")
    assert scanned.format == original.format
    assert (scanned.blob, scanned.inlined) == (original.blob, original.inlined)


def test_magic_scan_of_a_relocatable_object() -> None:
    """No program headers either: the whole file is searched."""
    member = archive_member(gofixtures.build("go_carchive_go121"), "go.o")
    assert table_of(without_section_headers(member)).blob == table_of(member).blob


@pytest.mark.parametrize("name", ["go_exe_default", "go_exe_386", "go_exe_s390x", "go_exe_mips"])
@pytest.mark.parametrize("layout", ["1.2", "1.16", "1.18"])
def test_older_layouts_equal_debug_gosym(name: str, layout: str, tmp_path: Path) -> None:
    """64/32-bit, little/big-endian, in every layout since Go 1.2; with and without section headers."""
    original = table_of(data_of(name))
    data = rewritten(data_of(name), layout)
    table = table_of(data)
    assert table.format == layout
    assert list(table.names()) == gosym_names_of(data, tmp_path) == list(original.names())
    if layout == "1.2":
        # Inlined-only names are not read from this layout; its blob also holds file names.
        assert table.inlined is None
        assert b"/" + b".go\0" in data or b".go\0" in data
        assert not any(name.endswith(".go") for name in table.names())
    else:
        assert table.inlined == original.inlined
    scanned = table_of(without_section_headers(data))
    assert (scanned.format, scanned.blob) == (layout, table.blob)


def test_no_table_in_c_files() -> None:
    for name in ("c_hardened", "c_shared_hardened", "c_static", "c_object"):
        assert read_function_table(ElfImage(data_of(name))) is None
        assert read_function_table(ElfImage(without_section_headers(data_of(name)))) is None


# -- the table object ----------------------------------------------------------------------------------


def test_table_api_and_pickling() -> None:
    table = table_of(data_of("go_exe_default"))
    names = list(table.names())
    assert len(names) == len(set(names)) == table.functions
    assert table.blob == b"\0" + "\0".join(names).encode() + b"\0"
    assert table.has("runtime.main") and table.has("main.main")
    assert not table.has("runtime.mai") and not table.has("untime.main") and not table.has("")
    copy = pickle.loads(pickle.dumps(table))
    assert copy == table and list(copy.names()) == names
    empty = FunctionTable("1.20", "section .gopclntab", 0, b"\0")
    assert list(empty.names()) == [] and list(empty.inlined_names()) == [] and not empty.has("x")


# -- advisory symbols --------------------------------------------------------------------------------


def test_linker_names() -> None:
    assert package_prefix("gopkg.in/yaml.v3") == "gopkg.in/yaml%2ev3"
    assert package_prefix("example.com/a.b/c") == "example.com/a.b/c"  # dots before the last slash stay
    assert package_prefix('ex%ample.com/"q" é') == "ex%25ample.com/%22q%22%20%c3%a9"
    assert linker_names("gopkg.in/yaml.v3", "Unmarshal") == [
        "gopkg.in/yaml%2ev3.Unmarshal",
        "gopkg.in/yaml%2ev3.Unmarshal[...]",
    ]
    assert linker_names("crypto/x509", "Certificate.Verify") == [
        "crypto/x509.Certificate.Verify",
        "crypto/x509.(*Certificate).Verify",
        "crypto/x509.Certificate[...].Verify",
        "crypto/x509.(*Certificate[...]).Verify",
    ]


@pytest.mark.parametrize("name", ["go_exe_symbols", "go_exe_symbols_go121"])
def test_advisory_symbols_match_what_the_linker_emitted(name: str) -> None:
    table = table_of(data_of(name))
    for symbol in ("Plain", "Map", "Counter.Add", "Counter.Value", "Stack.Push", "Stack.Len"):
        assert matches(table, LIBRARY, symbol), symbol
    assert matches(table, LIBRARY, "Small") and not matches(table, LIBRARY, "Small", inlined=False)
    for symbol in ("Plai", "Missing", "Counter.Missing", "Stack.Pus", "Counter", "Stack", "Ma"):
        assert not matches(table, LIBRARY, symbol), symbol
    for package in ("example.com/symbols/lib", "example.com/symbols/lib.v", "example.com/symbols"):
        assert not matches(table, package, "Plain"), package
    assert matches(table, "strconv", "Itoa") and matches(table, "main", "main")


def test_symbol_forms_of_other_toolchains() -> None:
    """Go 1.20 writes type arguments as ``[...]`` (seen in tls-client 1.0.1's libraries);
    a method value alone leaves a ``-fm`` wrapper; a closure is not its function."""
    names = [
        "crypto/ecdh.(*nistCurve[...]).GenerateKey",
        "crypto/ecdsa.hashToNat[...]",
        "example.com/m.T.M-fm",
        "example.com/m.F.func1",
        "example.com/m.G[go.shape.struct { F []int }].H",
    ]
    table = FunctionTable("1.20", "test", len(names), b"\0" + "\0".join(names).encode() + b"\0")
    assert matches(table, "crypto/ecdh", "nistCurve.GenerateKey")
    assert matches(table, "crypto/ecdsa", "hashToNat")
    assert matches(table, "example.com/m", "T.M")
    assert not matches(table, "example.com/m", "F")
    assert matches(table, "example.com/m", "G.H") and not matches(table, "example.com/m", "G.F")
    assert not matches(table, "crypto/ecdh", "nistCurve.Generate")


# -- crypto packages and the scanner --------------------------------------------------------------


@pytest.mark.parametrize("name", ["go_exe_default", "go_exe_fips", "go_cshared_default", "go_pie_extlink"])
def test_crypto_packages_from_either_reading(name: str) -> None:
    image = ElfImage(data_of(name))
    found = crypto_packages(image)
    assert found is not None and "crypto/sha256" in found
    assert found == crypto_packages_in(table_of(data_of(name)))
    names = all_names(image)
    assert names is not None and names.startswith(b"\0")


def test_crypto_packages_where_the_table_has_no_section() -> None:
    """Found by its symbol (no crypto in this program): known to be none, not unknown."""
    assert crypto_packages(ElfImage(data_of("go_pie_extlink_go121"))) == []
    assert crypto_packages(ElfImage(without_section_headers(data_of("go_exe_default")))) == crypto_packages(
        ElfImage(data_of("go_exe_default"))
    )


def test_facts_carry_the_table_only_when_asked(tmp_path: Path) -> None:
    path = gofixtures.build("go_cshared_default")
    assert scan_file(str(path)).go.functions is None  # type: ignore[union-attr]
    artifact = scan_file(str(path), function_tables=True)
    assert artifact is not None and artifact.go is not None and artifact.go.functions is not None
    assert artifact.go.functions == table_of(data_of("go_cshared_default"))
    archive = scan_file(str(gofixtures.build("go_carchive_go121")), function_tables=True)
    assert archive is not None
    member = next(m for m in archive.members if m.path.endswith("!go.o"))
    assert member.go is not None and member.go.functions is not None
    assert member.go.functions.where == "section .data.rel.ro.gopclntab"
    # through the pipeline, with the table shipped back from a worker process
    report = scan([path], jobs=2, config=Config(function_tables=True))
    shipped = report.artifacts[0].go
    assert shipped is not None and shipped.functions == artifact.go.functions


def test_a_broken_table_is_a_fact_not_a_failure() -> None:
    data = bytearray(data_of("go_exe_default"))
    section = ElfImage(bytes(data)).section(".gopclntab")
    assert section is not None
    struct.pack_into("<Q", data, section.offset + 8, 1 << 60)  # nfunc
    artifact = scan_bytes(bytes(data), function_tables=True)
    assert artifact is not None and artifact.error is None and artifact.go is not None
    assert artifact.go.functions is None and artifact.go.crypto_packages is None
    assert artifact.go.functions_error is not None and "1,152,921,504,606,846,976 functions" in (
        artifact.go.functions_error
    )
    facts = read_go_facts(ElfImage(bytes(data)), read_elf_facts(ElfImage(bytes(data))), functions=True)
    assert facts is not None and facts.functions_error == artifact.go.functions_error


# -- hostile tables ----------------------------------------------------------------------------------


def outcome(data: bytes | bytearray) -> FunctionTable | str | None:
    """The table, None, or PclntabError's message; anything else fails the test."""
    try:
        return read_function_table(ElfImage(bytes(data)))
    except PclntabError as error:
        message = str(error)
        assert message and "\n" not in message
        return message


def patched_header(name: str, edit: Callable[[bytearray, int, str, int], None]) -> bytearray:
    data = bytearray(data_of(name))
    section = ElfImage(bytes(data)).section(".gopclntab")
    assert section is not None
    order = "<" if data[5] == 1 else ">"
    edit(data, section.offset, order, data[section.offset + 7])
    return data


def word_at(index: int, value: int) -> Callable[[bytearray, int, str, int], None]:
    def edit(data: bytearray, at: int, order: str, ptr: int) -> None:
        struct.pack_into(order + ("Q" if ptr == 8 else "I"), data, at + 8 + index * ptr, value)

    return edit


@pytest.mark.parametrize("name", ["go_exe_default", "go_exe_386"])
@pytest.mark.parametrize(
    ("index", "value", "message"),
    [
        (0, (1 << 32) - 1, "functions, which its"),  # nfunc
        (0, 0, "lists 0 functions"),
        (3, 0x7FFFFFFF, "out of order or past"),  # funcnameOffset
        (4, 8, "out of order or past"),  # cuOffset before the names
        (7, 1 << 31, "out of order or past"),  # pclnOffset
    ],
)
def test_absurd_header_words(name: str, index: int, value: int, message: str) -> None:
    result = outcome(patched_header(name, word_at(index, value)))
    assert isinstance(result, str) and message in result


def test_offsets_out_of_range() -> None:
    table, offset, _ = read_120(data_of("go_exe_default"))
    data = bytearray(data_of("go_exe_default"))
    header = data[offset : offset + 72]
    pcln = struct.unpack_from("<Q", header, 8 + 7 * 8)[0]
    first_func = struct.unpack_from("<I", data, offset + pcln + 4)[0]
    for name_off, expected in ((1 << 30, "outside its"), (-5, "outside its")):
        broken = bytearray(data)
        struct.pack_into("<i", broken, offset + pcln + first_func + 4, name_off)
        result = outcome(broken)
        assert isinstance(result, str) and expected in result
    broken = bytearray(data)
    struct.pack_into("<I", broken, offset + pcln + 4 * 2 * (len(table.entries) - 1) + 4, 1 << 31)
    result = outcome(broken)
    assert isinstance(result, str) and "past its end" in result


def test_unterminated_and_garbage_names() -> None:
    table, offset, _ = read_120(data_of("go_exe_default"))
    data = bytearray(data_of("go_exe_default"))
    names, cu = struct.unpack_from("<QQ", data, offset + 8 + 3 * 8)
    broken = bytearray(data)
    last = offset + names + max(name_off for _, name_off in table.entries)  # runs into the next table
    broken[last : offset + cu] = b"A" * (offset + cu - last)
    assert outcome(broken) == "the Go function table (section .gopclntab) has an unterminated function name"
    broken = bytearray(data)
    broken[offset + names : offset + cu] = b"A" * (cu - names)
    result = outcome(broken)
    assert isinstance(result, str) and "not a function name" in result
    broken = bytearray(data)
    broken[offset + names : offset + cu] = bytes(random.Random(1).randbytes(cu - names))
    assert isinstance(outcome(broken), str)


def test_overlapping_names_cannot_amplify() -> None:
    """Every function named by a different offset into one long name: refused, not decoded."""
    data = bytearray(rewritten(data_of("go_exe_default"), "1.2"))
    section = ElfImage(bytes(data)).section(".gopclntab")
    assert section is not None
    at = section.offset
    count = struct.unpack_from("<Q", data, at + 8)[0]
    run = 4000  # each name ends inside the window the first names are checked in
    run_start = section.size - run - 1
    assert count * (run - count // 2) > 4 * section.size + (1 << 20)  # past StringBudget's bound
    data[at + run_start : at + run_start + run] = b"a" * run
    for index in range(count):
        func_off = struct.unpack_from("<Q", data, at + 16 + (2 * index + 1) * 8)[0]
        struct.pack_into("<i", data, at + func_off + 8, run_start + index)
    result = outcome(data)
    assert isinstance(result, str) and "refusing to amplify" in result


@pytest.mark.parametrize("name", ["go_exe_default", "go_exe_s390x"])
def test_truncated_tables(name: str) -> None:
    image = ElfImage(data_of(name))
    section = image.section(".gopclntab")
    assert section is not None
    index = image.sections.index(section)
    for size in (0, 7, 8, 16, 40, 100, 4096, section.size // 2, section.size - 1):
        patcher = ElfPatcher(data_of(name))
        patcher.set_section(index, "sh_size", size)
        result = outcome(patcher.data)
        if size == 0:  # an empty section is no table: the loaded bytes are searched
            assert isinstance(result, FunctionTable) and result.where.startswith("magic scan")
        elif size <= 4096:
            assert isinstance(result, str), size
        else:  # the index and the names may still fit
            assert isinstance(result, (str, FunctionTable)), size


def _elf_without_headers(payload: bytes) -> bytes:
    """A real ELF header (c_hardened's) with no program or section headers, then ``payload``."""
    patcher = ElfPatcher(data_of("c_hardened")[:64])
    for field in ("e_phoff", "e_phnum", "e_shoff", "e_shnum", "e_shstrndx"):
        patcher.set_header(field, 0)
    return bytes(patcher.data) + payload


def test_headers_in_random_data_are_not_believed() -> None:
    rng = random.Random(7)
    magics = [b"\xf1\xff\xff\xff", b"\xfb\xff\xff\xff", b"\xff\xff\xff\xf0", b"\xfa\xff\xff\xff"]
    chunks = []
    for _ in range(2000):
        header = rng.choice(magics) + b"\0\0" + bytes([rng.choice((1, 2, 4)), 8])
        chunks.append(header + rng.randbytes(rng.randrange(8, 600)))
    data = _elf_without_headers(b"".join(chunks))
    assert outcome(data) is None


def test_a_sea_of_headers_is_searched_in_bounded_time() -> None:
    # A well-formed header whose one function's name is empty: believable until its names are read.
    header = b"\xf1\xff\xff\xff\x00\x00\x01\x08" + struct.pack("<8Q", 1, 1, 0, 72, 80, 80, 80, 80)
    candidate = header + b"\0" * 8
    data = _elf_without_headers(candidate * (2 * MAX_SCAN_CANDIDATES))
    started = time.perf_counter()
    assert outcome(data) is None
    assert time.perf_counter() - started < 10


FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FUZZ
@given(st.lists(st.tuples(st.integers(0, 2047), st.integers(0, 255)), min_size=1, max_size=24))
def test_mutated_tables_give_a_table_or_one_error(edits: list[tuple[int, int]]) -> None:
    for layout in ("1.20", "1.2"):
        data = bytearray(data_of("go_exe_386") if layout == "1.20" else old_layout_subject())
        section = ElfImage(bytes(data)).section(".gopclntab")
        assert section is not None
        for position, value in edits:
            data[section.offset + position] = value
        outcome(data)
        outcome(without_section_headers(bytes(data)))


@cache
def old_layout_subject() -> bytes:
    return rewritten(data_of("go_exe_386"), "1.2")
