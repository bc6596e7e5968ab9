"""tests/truth.py gives the documented answers, and agrees with pyelftools on the machine's files."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from elftools.elf.dynamic import DynamicSegment
from elftools.elf.elffile import ELFFile

from truth import TruthError, readelf_truth

# (fixture, kind, relro, bind_now, nx): measured facts of these build modes
# (see shared/research/go-c-libraries.md §1.1 and hardening-checkers.md §7).
EXPECTED = [
    ("go_exe_default", "executable", "none", False, True),
    ("go_exe_extlink", "executable", "partial", False, True),
    ("go_pie_default", "pie-executable", "partial", False, True),
    ("go_pie_bindnow", "pie-executable", "full", True, True),
    ("go_cgo_exe", "executable", "partial", False, True),
    ("go_cgo_pie_hardened", "pie-executable", "full", True, True),
    ("go_cshared_default", "shared-library", "partial", False, True),
    ("go_cshared_bindnow", "shared-library", "full", True, True),
    ("go_cshared_extnow", "shared-library", "full", True, True),
    ("go_plugin_default", "shared-library", "full", True, True),
    ("go_exe_arm64_pie", "pie-executable", "partial", False, True),
    ("go_exe_s390x", "executable", "none", False, True),
    ("c_hardened", "pie-executable", "full", True, True),
    ("c_nohardening", "executable", "none", False, False),
    ("c_static", "executable", "partial", False, True),
    ("c_static_pie", "pie-executable", "partial", False, True),
    ("c_now_norelro", "pie-executable", "none", True, True),
    ("c_shared_hardened", "shared-library", "full", True, True),
    ("c_object", "relocatable", None, None, True),
]


@pytest.mark.parametrize(("name", "kind", "relro", "bind_now", "nx"), EXPECTED)
def test_truth_of_fixtures(
    fixture_path: Callable[[str], Path],
    name: str,
    kind: str,
    relro: str | None,
    bind_now: bool | None,
    nx: bool,
) -> None:
    truth = readelf_truth(fixture_path(name))
    assert (truth["kind"], truth["relro"], truth["bind_now"], truth["nx"]) == (kind, relro, bind_now, nx)
    assert truth["pie"] == {"executable": False, "pie-executable": True}.get(kind)


def test_raw_facts(fixture_path: Callable[[str], Path]) -> None:
    assert readelf_truth(fixture_path("c_textrel"))["textrel"] is True
    assert readelf_truth(fixture_path("c_hardened"))["textrel"] is False
    assert readelf_truth(fixture_path("c_rwx"))["rwx_load_segments"] == 1
    assert readelf_truth(fixture_path("c_hardened"))["rwx_load_segments"] == 0
    assert readelf_truth(fixture_path("go_cshared_rpath"))["rpath"] == ["$ORIGIN/lib", "/tmp/cgoguard-rpath"]
    assert readelf_truth(fixture_path("go_cshared_patched"))["runpath"] == ["$ORIGIN/../libs"]
    assert readelf_truth(fixture_path("go_cshared_patched"))["rpath"] is None
    assert readelf_truth(fixture_path("go_cgo_exe"))["interpreter"] == "/lib64/ld-linux-x86-64.so.2"
    assert readelf_truth(fixture_path("go_exe_default"))["interpreter"] is None


def test_non_elf_is_refused(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("not an ELF file\n")
    with pytest.raises(TruthError, match="not an ELF file"):
        readelf_truth(text)
    with pytest.raises(TruthError, match="not an ELF file"):
        readelf_truth(fixture_path("c_archive"))


# ---------------------------------------------------------------------------
# A second, independent implementation of the same definitions (pyelftools),
# to catch misreadings of readelf's text.

PF_X = 0x1
PF_W = 0x2
PF_R = 0x4
SHF_EXECINSTR = 0x4
DF_TEXTREL = 0x4
DF_BIND_NOW = 0x8
DF_1_NOW = 0x1
DF_1_PIE = 0x08000000


def pyelftools_truth(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        elf = ELFFile(handle)
        e_type = elf.header["e_type"]
        segments = list(elf.iter_segments())
        types = [segment["p_type"] for segment in segments]
        tags: dict[str, list[Any]] = {}
        for segment in segments:
            if isinstance(segment, DynamicSegment):
                for tag in segment.iter_tags():
                    tags.setdefault(tag.entry.d_tag, []).append(tag)
        flags = tags["DT_FLAGS"][0].entry.d_val if "DT_FLAGS" in tags else 0
        flags_1 = tags["DT_FLAGS_1"][0].entry.d_val if "DT_FLAGS_1" in tags else 0
        bind_now = "DT_BIND_NOW" in tags or bool(flags & DF_BIND_NOW) or bool(flags_1 & DF_1_NOW)
        stack = next(
            (segment["p_flags"] for segment in segments if segment["p_type"] == "PT_GNU_STACK"), None
        )
        note = elf.get_section_by_name(".note.GNU-stack")
        relocatable = e_type == "ET_REL"
        if e_type == "ET_EXEC":
            kind: str | None = "executable"
        elif e_type == "ET_DYN":
            is_pie = bool(flags_1 & DF_1_PIE) or ("PT_INTERP" in types and "DT_DEBUG" in tags)
            kind = "pie-executable" if is_pie else "shared-library"
        else:
            kind = "relocatable" if relocatable else None
        if relocatable:
            relro = None
            nx = note is not None and not note["sh_flags"] & SHF_EXECINSTR
        else:
            relro = "none" if "PT_GNU_RELRO" not in types else ("full" if bind_now else "partial")
            nx = stack is not None and not stack & PF_X
        rwx = PF_R | PF_W | PF_X
        return {
            "kind": kind,
            "relro": relro,
            "bind_now": None if relocatable else bind_now,
            "nx": nx,
            "textrel": "DT_TEXTREL" in tags or bool(flags & DF_TEXTREL),
            "rwx_load_segments": sum(
                1
                for segment in segments
                if segment["p_type"] == "PT_LOAD" and segment["p_flags"] & rwx == rwx
            ),
        }


def _machine_sample(limit: int) -> list[Path]:
    """Every k-th ELF file of /usr/bin and /usr/lib/x86_64-linux-gnu, for a spread of kinds."""
    found: list[Path] = []
    for folder in (Path("/usr/bin"), Path("/usr/lib/x86_64-linux-gnu"), Path("/usr/lib/gcc")):
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            if path.is_symlink() or not path.is_file():
                continue
            try:
                with path.open("rb") as handle:
                    if handle.read(4) == b"\x7fELF":
                        found.append(path)
            except OSError:
                continue
    step = max(1, len(found) // limit)
    return found[::step]


@pytest.mark.system
def test_readelf_and_pyelftools_agree_on_the_machine_files(fixture_path: Callable[[str], Path]) -> None:
    sample = _machine_sample(120)
    if len(sample) < 20:
        pytest.skip("too few ELF files under /usr on this machine")
    fixtures = [fixture_path(name) for name, *_ in EXPECTED] + [
        fixture_path("c_textrel"),
        fixture_path("c_rwx"),
    ]
    disagreements = []
    for path in sample + fixtures:
        from_readelf = readelf_truth(path)
        expected = pyelftools_truth(path)
        observed = {key: from_readelf[key] for key in expected}
        if observed != expected:
            disagreements.append((str(path), observed, expected))
    assert disagreements == []
