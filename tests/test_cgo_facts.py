"""cgo symbol classes, Go markers and the boringcrypto signature on real builds.

The //export API found from `_cgoexp_<hash>_<Name>` symbols must equal the
functions cgo declared in the generated header and what `nm -D` shows.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

import gofixtures
from cgoguard.model import CgoFacts, GoFacts
from cgoguard.readers.cgo import (
    GO_MARKER_SECTIONS,
    classify_cgo_symbols,
    find_boringcrypto_signature,
    read_go_facts,
)
from cgoguard.readers.elf import ElfImage, read_elf_facts
from test_gobuildinfo import without_section_headers

# Fixtures built from tests/fixtures/go/bridge whose dynamic symbol table is complete.
FULL_DYNSYM_LIBRARIES = ["go_cshared_default", "go_cshared_bindnow", "go_cshared_fips", "go_cshared_patched"]
BRIDGE_C_CALLS = ["_Cmalloc", "c_helper", "free"]  # C.malloc, the preamble's c_helper, C.free
CGOEXE_C_CALLS = ["_Cmalloc", "copy_name", "describe", "free"]


def go_facts_of(data: bytes, *, static_symbols: bool = True) -> GoFacts:
    image = ElfImage(data)
    facts = read_go_facts(image, read_elf_facts(image, static_symbols=static_symbols))
    assert facts is not None
    return facts


def nm_dynamic_defined(path: Path) -> set[str]:
    listing = subprocess.run(
        ["nm", "-D", "--defined-only", str(path)], capture_output=True, text=True, check=True
    ).stdout
    return {line.split()[-1].split("@")[0] for line in listing.splitlines() if line.strip()}


def archive_member(archive: Path, member: str) -> bytes:
    return subprocess.run(["ar", "p", str(archive), member], capture_output=True, check=True).stdout


def stripped_copy(path: Path, tmp_path: Path) -> bytes:
    """The file after binutils `strip --strip-all` (.symtab gone, .dynsym kept)."""
    copy = tmp_path / path.name
    shutil.copy2(path, copy)
    subprocess.run(["strip", "--strip-all", str(copy)], check=True, capture_output=True)
    return copy.read_bytes()


# ---------------------------------------------------------------------------
# the //export API


@pytest.mark.parametrize("name", FULL_DYNSYM_LIBRARIES)
def test_go_exports_equal_header_and_nm(name: str) -> None:
    library = gofixtures.build(name)
    facts = go_facts_of(library.read_bytes()).cgo
    header_names = sorted(gofixtures.header_exports(gofixtures.header_for("go_cshared_default")))
    assert facts.go_exports == header_names == ["Add", "CallC", "FreeString", "Sha256Hex"]
    dynamic = nm_dynamic_defined(library)
    stubs = {
        match.group(1) for name in dynamic if (match := re.fullmatch(r"_cgoexp_[0-9a-f]{12}_(\w+)", name))
    }
    assert stubs == set(facts.go_exports)
    assert set(facts.go_exports) <= dynamic
    # Everything else the library exports is cgo runtime machinery.
    assert dynamic == set(facts.go_exports) | set(facts.runtime_exports)


@pytest.mark.parametrize("name", FULL_DYNSYM_LIBRARIES)
def test_cshared_symbol_classes(name: str) -> None:
    facts = go_facts_of(gofixtures.build(name).read_bytes()).cgo
    for internal in ("crosscall2", "_cgo_panic", "x_cgo_init", "_cgo_topofstack", "threadentry", "fatalf"):
        assert internal in facts.runtime_exports
    assert not set(facts.go_exports) & set(facts.runtime_exports)
    assert facts.c_calls == BRIDGE_C_CALLS
    assert (facts.cgo_packages, facts.has_user_c, facts.stdlib_cgo_packages) == (1, True, [])


def test_stripped_cshared_keeps_everything_in_dynsym(tmp_path: Path) -> None:
    library = gofixtures.build("go_cshared_default")
    stripped = go_facts_of(stripped_copy(library, tmp_path))
    assert stripped.cgo == go_facts_of(library.read_bytes()).cgo


def test_version_script_library_keeps_api_and_stubs_go_local() -> None:
    library = gofixtures.build("go_cshared_versionscript")
    facts = go_facts_of(library.read_bytes()).cgo
    assert nm_dynamic_defined(library) == {"Add", "CallC", "FreeString", "Sha256Hex"}
    assert facts.runtime_exports == []
    # .symtab still names the stubs and wrappers.
    assert facts.go_exports == ["Add", "CallC", "FreeString", "Sha256Hex"]
    assert facts.c_calls == BRIDGE_C_CALLS


def test_stripped_version_script_library_hides_its_cgo_nature() -> None:
    """-s -w plus a version script leave only the API names: nothing marks them as
    //export wrappers, so the symbol classes are empty (the header or the
    -buildmode=c-shared build setting are the evidence left)."""
    facts = go_facts_of(gofixtures.build("go_cshared_hardened").read_bytes())
    assert facts.cgo == CgoFacts([], [], [], 0, False, [])
    assert facts.buildinfo is not None
    assert facts.buildinfo.settings["-buildmode"] == "c-shared"


def test_carchive_go_member() -> None:
    archive = gofixtures.build("go_carchive_default")
    facts = go_facts_of(archive_member(archive, "go.o")).cgo
    header_names = sorted(gofixtures.header_exports(gofixtures.header_for("go_carchive_default")))
    assert facts.go_exports == header_names
    assert facts.runtime_exports == []  # relocatable objects have no dynamic symbols
    # The Go-side pointer variables (main._cgo_<hash>_Cfunc_<f>) name the C calls.
    assert facts.c_calls == BRIDGE_C_CALLS
    assert (facts.cgo_packages, facts.has_user_c) == (1, True)


def test_carchive_consumer_executable() -> None:
    consumer = gofixtures.build("go_carchive_consumer")
    facts = go_facts_of(consumer.read_bytes()).cgo
    assert facts.go_exports == ["Add", "CallC", "FreeString", "Sha256Hex"]
    assert facts.c_calls == BRIDGE_C_CALLS
    assert facts.has_user_c


# ---------------------------------------------------------------------------
# executables


@pytest.mark.parametrize("name", ["go_cgo_exe", "go_cgo_exe_hardened", "go_cgo_pie_hardened"])
def test_cgo_executable(name: str) -> None:
    path = gofixtures.build(name)
    facts = go_facts_of(path.read_bytes()).cgo
    assert facts.go_exports == []
    assert facts.runtime_exports == ["_cgo_panic", "_cgo_topofstack", "crosscall2"]
    assert set(facts.runtime_exports) == nm_dynamic_defined(path)
    assert facts.c_calls == CGOEXE_C_CALLS
    assert (facts.cgo_packages, facts.has_user_c) == (1, True)


def test_stripped_cgo_executable_shows_only_runtime_exports(tmp_path: Path) -> None:
    """Without .symtab a cgo executable keeps just crosscall2/_cgo_panic/_cgo_topofstack
    in .dynsym: its C calls and cgo packages can no longer be told."""
    facts = go_facts_of(stripped_copy(gofixtures.build("go_cgo_exe"), tmp_path)).cgo
    assert facts == CgoFacts([], ["_cgo_panic", "_cgo_topofstack", "crosscall2"], [], 0, False, [])


@pytest.mark.parametrize(
    "name",
    ["go_exe_default", "go_exe_nocgo", "go_exe_stripped", "go_pie_default", "go_exe_arm64", "go_exe_mips"],
)
def test_pure_go_has_no_user_c(name: str) -> None:
    facts = go_facts_of(gofixtures.build(name).read_bytes()).cgo
    assert (facts.go_exports, facts.c_calls, facts.cgo_packages, facts.has_user_c) == ([], [], 0, False)


def test_boringcrypto_cgo_is_stdlib_not_user_c() -> None:
    facts = go_facts_of(gofixtures.build("go_exe_boring").read_bytes()).cgo
    assert facts.stdlib_cgo_packages == ["crypto/internal/boring"]
    assert (facts.c_calls, facts.cgo_packages, facts.has_user_c) == ([], 0, False)


def test_plugin_exports_are_not_go_exports() -> None:
    facts = go_facts_of(gofixtures.build("go_plugin_default").read_bytes()).cgo
    assert facts.go_exports == []
    assert "crosscall2" in facts.runtime_exports
    assert not any("." in name for name in facts.runtime_exports)
    assert not facts.has_user_c


# ---------------------------------------------------------------------------
# classification of names alone (the inference used when .symtab is absent)


def test_stdlib_packages_inferred_from_their_c_calls() -> None:
    # Names as `nm` lists them for a program using net and os/user with cgo.
    exports = [
        "_cgo_77133bf98b3a_C2func_getaddrinfo",
        "_cgo_77133bf98b3a_Cfunc_free",
        "_cgo_77133bf98b3a_Cfunc_freeaddrinfo",
        "_cgo_77133bf98b3a_Cfunc_gai_strerror",
        "_cgo_bdbee25190be_Cfunc_mygetpwuid_r",
        "_cgo_bdbee25190be_Cfunc_sysconf",
        "_cgo_3ec749beae98_Cfunc__goboringcrypto_BN_bin2bn",
        "_cgo_3ec749beae98_Cfunc__Cmalloc",
        "crosscall2",
    ]
    facts = classify_cgo_symbols(exports, None)
    assert facts.stdlib_cgo_packages == ["crypto/internal/boring", "net", "os/user"]
    assert (facts.c_calls, facts.cgo_packages, facts.has_user_c) == ([], 0, False)


def test_user_package_calling_a_libc_function_the_stdlib_also_calls() -> None:
    # A user package that only calls getaddrinfo looks like net: the symbol table decides.
    exports = ["_cgo_0123456789ab_Cfunc_getaddrinfo"]
    assert classify_cgo_symbols(exports, None).stdlib_cgo_packages == ["net"]
    named = classify_cgo_symbols(exports, ["example.com/resolver._cgo_0123456789ab_Cfunc_getaddrinfo"])
    assert (named.stdlib_cgo_packages, named.c_calls, named.cgo_packages) == ([], ["getaddrinfo"], 1)


def test_malloc_and_free_alone_are_user_c() -> None:
    facts = classify_cgo_symbols(["_cgo_0123456789ab_Cfunc_free", "_cgo_0123456789ab_Cfunc__Cmalloc"], None)
    assert (facts.c_calls, facts.cgo_packages, facts.has_user_c) == (["_Cmalloc", "free"], 1, True)


def test_export_stub_with_bad_hash_is_not_an_export() -> None:
    facts = classify_cgo_symbols(["_cgoexp_xyz_Add", "_cgoexp_0123456789ab_Sub"], None)
    assert facts.go_exports == ["Sub"]
    assert facts.runtime_exports == ["_cgoexp_0123456789ab_Sub", "_cgoexp_xyz_Add"]


# ---------------------------------------------------------------------------
# markers and the boringcrypto signature


def test_markers_of_a_go_executable() -> None:
    facts = go_facts_of(gofixtures.build("go_exe_stripped").read_bytes())
    for section in (".gopclntab", ".go.buildinfo", ".note.go.buildid"):
        assert section in facts.markers
    assert set(facts.markers) <= set(GO_MARKER_SECTIONS)
    assert facts.buildinfo is not None and facts.buildinfo_error is None


def test_signature_bytes_match_the_installed_toolchain() -> None:
    """The constants in cgo.py are the ones crypto/internal/boring/sig emits."""
    goroot = subprocess.run(
        [gofixtures.go_binary(), "env", "GOROOT"],
        capture_output=True,
        text=True,
        env=gofixtures.go_env(),
        check=True,
    ).stdout.strip()
    source = (Path(goroot) / "src/crypto/internal/boring/sig/sig_amd64.s").read_text()
    functions = re.findall(r"TEXT ·(\w+)\(SB\).*?\n((?:\s*(?:START|END|BYTE.*)\n)+)", source)
    signatures = {
        name: bytes(int(value, 16) for value in re.findall(r"\$0x([0-9a-fA-F]{2})", body))
        for name, body in functions
    }
    assert set(signatures) == {"BoringCrypto", "StandardCrypto", "FIPSOnly"}
    assert all(len(body) == 24 for body in signatures.values())
    for name in ("BoringCrypto", "FIPSOnly"):
        code = b"\x90" * 5 + b"\xeb\x1d\xf4\x48\xf4\x4b\xf4" + signatures[name] + b"\xc3"
        image = _image_with_text(code)
        assert find_boringcrypto_signature(image) == name
    standard = _image_with_text(b"\xeb\x1d\xf4\x48\xf4\x4b\xf4" + signatures["StandardCrypto"] + b"\xc3")
    assert find_boringcrypto_signature(standard) is None


def _image_with_text(code: bytes) -> ElfImage:
    """The go_exe_default image with *code* written at the start of .text."""
    data = bytearray(gofixtures.build("go_exe_default").read_bytes())
    text = ElfImage(bytes(data)).section(".text")
    assert text is not None
    data[text.offset : text.offset + len(code)] = code
    return ElfImage(bytes(data))


def test_boringcrypto_build_carries_the_signature(tmp_path: Path) -> None:
    path = gofixtures.build("go_exe_boring")
    assert find_boringcrypto_signature(ElfImage(path.read_bytes())) == "BoringCrypto"
    assert find_boringcrypto_signature(ElfImage(stripped_copy(path, tmp_path))) == "BoringCrypto"
    # With 1.18+ build info the signature scan is skipped: GOEXPERIMENT says it.
    facts = go_facts_of(path.read_bytes())
    assert facts.boringcrypto_signature is None
    assert facts.buildinfo is not None and "boringcrypto" in facts.buildinfo.settings["GOEXPERIMENT"]


@pytest.mark.parametrize("name", ["go_exe_default", "go_exe_fips", "go_cshared_default", "go_cshared_fips"])
def test_standard_builds_carry_no_signature(name: str) -> None:
    assert go_facts_of(gofixtures.build(name).read_bytes()).boringcrypto_signature is None


def test_signature_found_without_section_headers() -> None:
    data = without_section_headers(gofixtures.build("go_exe_boring").read_bytes())
    assert find_boringcrypto_signature(ElfImage(data)) == "BoringCrypto"


def test_fipsonly_build_carries_its_signature(tmp_path: Path) -> None:
    """crypto/tls/fipsonly (boringcrypto only) links the FIPSOnly marker; -s -w keeps it."""
    (tmp_path / "go.mod").write_text("module example.com/fipsonly\n\ngo 1.27\n")
    (tmp_path / "main.go").write_text(
        'package main\n\nimport (\n\t"crypto/sha256"\n\t_ "crypto/tls/fipsonly"\n\t"fmt"\n)\n\n'
        "func main() { fmt.Println(sha256.Sum256(nil)) }\n"
    )
    env = gofixtures.go_env()
    env["GOEXPERIMENT"] = "boringcrypto"
    output = tmp_path / "fipsonly"
    subprocess.run(
        [gofixtures.go_binary(), "build", "-ldflags=-s -w", "-o", str(output), "."],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
    )
    assert find_boringcrypto_signature(ElfImage(output.read_bytes())) == "FIPSOnly"
