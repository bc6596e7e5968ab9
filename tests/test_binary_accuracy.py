"""Binary checks on real files (issue 12): CG108 on objects and archives, CG207 against the binary.

-fstack-protector-strong instruments only functions with arrays or address-taken
locals, and assembly has nothing to instrument, so an object without a
__stack_chk_fail reference proves nothing alone. These are the false positives
seen on this machine's system objects and on cgoguard's own hardened c-archive,
and the true positives that must stay (objects compiled without the protector).
"""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from cgoguard.checks.goruntime import cflags_requests
from cgoguard.model import Artifact
from cgoguard.scanner import scan_file

SYSTEM_LIB = Path("/usr/lib/x86_64-linux-gnu")


def _scan(path: Path) -> Artifact:
    artifact = scan_file(str(path), hash_files=False)
    assert artifact is not None and artifact.error is None, path
    return artifact


def _fired(artifact: Artifact) -> list[Artifact]:
    """The images (the file or its members) on which CG108 fired."""
    images = artifact.members if artifact.is_archive else [artifact]
    return [m for m in images if any(f.check_id == "CG108" for f in m.findings)]


@pytest.mark.parametrize("name", ["crt1.o", "crti.o", "crtn.o"])
def test_startup_objects_are_assembly_not_unprotected_c(name: str) -> None:
    path = SYSTEM_LIB / name
    if not path.is_file():
        pytest.skip(f"{path} is not installed (libc6-dev)")
    artifact = _scan(path)
    assert artifact.hardening is not None and artifact.hardening.canary is None
    assert "no .comment names a C compiler" in artifact.hardening.canary_detail
    assert artifact.not_applicable["CG108"] == artifact.hardening.canary_detail
    assert not _fired(artifact)


def test_libc_archive_is_one_protected_build() -> None:
    path = SYSTEM_LIB / "libc.a"
    if not path.is_file():
        pytest.skip(f"{path} is not installed (libc6-dev)")
    artifact = _scan(path)
    assert not _fired(artifact)
    members = {m.path.rsplit("!", 1)[1]: m for m in artifact.members}
    memcpy = members["memcpy.o"].hardening
    assert memcpy is not None and memcpy.canary is None
    assert "other object(s) of this archive reference __stack_chk_fail" in memcpy.canary_detail
    # the evidence the verdict rests on: objects of the same archive that do reference the guard
    assert any(m.hardening is not None and m.hardening.canary for m in artifact.members)


def test_hardened_carchive_runtime_cgo_and_go_object_are_not_reported(
    fixture_path: Callable[[str], Path],
) -> None:
    artifact = _scan(fixture_path("go_carchive_hardened"))
    assert not _fired(artifact)
    by_name = {m.path.rsplit("!", 1)[1]: m for m in artifact.members}
    go_object = by_name["go.o"].hardening
    assert go_object is not None and go_object.canary is None and "Go object" in go_object.canary_detail
    # Every member whose only C is runtime/cgo's (built with -fno-stack-protector on purpose).
    runtime = [
        m for m in artifact.members if m.hardening is not None and m.hardening.c_code == "runtime-cgo-only"
    ]
    assert len(runtime) >= 8
    user = [m for m in artifact.members if m.go is None and m.hardening and m.hardening.c_code == "user"]
    assert any(m.hardening is not None and m.hardening.canary for m in user)


def test_default_carchive_is_judged_once_for_the_archive(fixture_path: Callable[[str], Path]) -> None:
    artifact = _scan(fixture_path("go_carchive_default"))
    (fired,) = _fired(artifact)
    assert fired.hardening is not None and fired.hardening.canary is False
    assert "none of the archive's" in fired.hardening.canary_detail
    others = [m for m in artifact.members if m is not fired and m.hardening and m.hardening.c_code == "user"]
    assert others and all(
        m.hardening is not None and m.hardening.canary is None and "judged once" in m.hardening.canary_detail
        for m in others
        if m.go is None and m.elf is not None and m.elf.code_size
    )


def test_protected_archive_covers_its_objects_without_arrays(fixture_path: Callable[[str], Path]) -> None:
    """archive_second.o has no array: -fstack-protector-strong rightly left it alone."""
    artifact = _scan(fixture_path("c_archive"))
    assert not _fired(artifact)
    canary = {m.path.rsplit("!", 1)[1]: m.hardening.canary for m in artifact.members if m.hardening}
    assert canary == {"archive_first.o": True, "archive_second.o": None}


def test_unprotected_archive_still_fails(fixture_path: Callable[[str], Path]) -> None:
    artifact = _scan(fixture_path("c_archive_unprotected"))
    (fired,) = _fired(artifact)
    assert fired.path.endswith("!archive_first.o")
    assert (
        fired.hardening is not None and "none of the archive's 2 object(s)" in fired.hardening.canary_detail
    )


def test_unprotected_standalone_object_still_fails(fixture_path: Callable[[str], Path]) -> None:
    """c_object is library.c (a 64-byte local array) compiled without -fstack-protector."""
    artifact = _scan(fixture_path("c_object"))
    assert _fired(artifact) == [artifact]
    assert artifact.hardening is not None and artifact.hardening.canary_detail.startswith("compiled by GCC")


@pytest.mark.skipif(shutil.which("gcc") is None, reason="gcc is not installed")
@pytest.mark.parametrize(
    ("flag", "fires"), [("-fno-stack-protector", True), ("-fstack-protector-strong", False)]
)
def test_object_with_a_local_array(flag: str, fires: bool, tmp_path: Path) -> None:
    source = tmp_path / "array.c"
    source.write_text(
        "#include <string.h>\nint first(const char *s) { char buf[32]; strcpy(buf, s); return buf[0]; }\n"
    )
    subprocess.run(["gcc", "-O2", flag, "-c", "-o", tmp_path / "array.o", source], check=True)
    artifact = _scan(tmp_path / "array.o")
    assert bool(_fired(artifact)) is fires
    assert artifact.hardening is not None and artifact.hardening.canary is (not fires)


# -- CG207: the flags against what the binary shows -----------------------------------------


def _wheel(library: Path, folder: Path) -> Path:
    """A wheel laid out like PyPI's that ship a Go c-shared library beside a ctypes loader."""
    wheel = folder / "greet-0.1.0-py3-none-manylinux_2_17_x86_64.whl"
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("greet/__init__.py", "import ctypes, pathlib\n")
        archive.write(library, "greet/libgreet.so")
        archive.writestr("greet-0.1.0.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: false\n")
    return wheel


def test_cflags_rule_believes_the_binary(fixture_path: Callable[[str], Path], tmp_path: Path) -> None:
    """Empty CGO_CFLAGS in the build info, yet canary and FORTIFY in the library (a #cgo CFLAGS
    line here; Ubuntu's gcc defaults in the wheel this was seen in): nothing is missing."""
    wheel = _scan(_wheel(fixture_path("go_cshared_cflagsline"), tmp_path))
    (library,) = wheel.members
    assert library.go is not None and library.go.buildinfo is not None
    assert library.go.buildinfo.settings["CGO_CFLAGS"] == ""
    assert library.hardening is not None and library.hardening.c_code == "user"
    assert library.hardening.canary is True and library.hardening.fortify is True
    assert "CG207" in library.applied
    assert not [f for f in library.findings if f.check_id == "CG207"]


def test_cflags_rule_names_what_the_binary_lacks(fixture_path: Callable[[str], Path]) -> None:
    artifact = _scan(fixture_path("go_cshared_default"))
    h = artifact.hardening
    assert h is not None
    messages = [f.message for f in artifact.findings if f.check_id == "CG207"]
    missing = {h.canary is not True, h.fortify is not True}
    if missing == {False}:
        assert not messages  # this machine's compiler enables both by default
        return
    (message,) = messages
    assert ("-fstack-protector-strong" in message) is (h.canary is not True)
    assert ("-D_FORTIFY_SOURCE" in message) is (h.fortify is not True)
    if h.canary is False:
        assert "the binary shows none either" in message


@pytest.mark.parametrize(
    ("flags", "asks"),
    [
        ("", (False, False, True)),
        ("-O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=3", (True, True, True)),
        ("-O2 -fstack-protector-strong -fno-stack-protector", (False, False, True)),
        ("-O2 -D_FORTIFY_SOURCE=2 -U_FORTIFY_SOURCE", (False, False, True)),
        ("-g -D _FORTIFY_SOURCE=2", (False, True, False)),
        ("-O0 -D_FORTIFY_SOURCE=2", (False, True, False)),
    ],
)
def test_cflags_last_flag_wins(flags: str, asks: tuple[bool, bool, bool]) -> None:
    assert cflags_requests(flags) == asks


# -- build CG109: what reached the compiler, never plain calls alone -------------------------


@pytest.mark.parametrize(
    ("passed", "lines", "reached"),
    [
        ("-O2 -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3 -fstack-protector-strong", (), True),
        ("-O2 -U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=3", ("-U_FORTIFY_SOURCE",), False),
        ("-O2 -D_FORTIFY_SOURCE=2", ("-O0",), False),
        (None, ("-D_FORTIFY_SOURCE=2",), True),  # Go's default -O2 -g, then the #cgo line
        (None, (), False),
    ],
)
def test_fortify_reached_the_compiler(passed: str | None, lines: tuple[str, ...], reached: bool) -> None:
    from cgoguard.checks.buildplan import BuildExpectations, BuiltArtifact, fortify_reached

    expected = BuildExpectations("c-archive", "go1.27.3", cgo_cflags=passed, package_cflags=lines)
    ok, evidence = fortify_reached(BuiltArtifact(expected, Artifact(path="libx.a")))
    assert ok is reached
    assert ("reached the C compiler" in evidence) is reached
