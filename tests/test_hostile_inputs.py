"""Hostile inputs (issue 8): crafted files must cost memory and output proportional to their
size, never amplified, and end as one clear per-file error while the run goes on."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from cgoguard.readers.elf import ElfImage
from cgoguard.readers.limits import decoded_budget

# A fresh process runs the scan and reports its peak RSS: RUSAGE_CHILDREN of pytest itself
# would include every earlier child (Go builds among them).
_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:]).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def _scan_child(*paths: Path) -> tuple[subprocess.CompletedProcess[str], float]:
    """Scan in a child process; return it and the scan's peak RSS in MB."""
    command = [sys.executable, "-m", "cgoguard", "scan", *map(str, paths), "--format", "json", "--jobs", "1"]
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, *command], capture_output=True, text=True, timeout=600, check=False
    )
    *messages, peak_kb = proc.stderr.splitlines()
    proc.stderr = "\n".join(messages)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc, int(peak_kb) / 1024


def _section(data: bytes, name: str) -> tuple[int, int]:
    with ElfImage(data) as image:
        section = image.section(name)
        assert section is not None
        return section.offset, section.size


def _unterminate(data: bytearray, offset: int, size: int) -> None:
    """Replace every NUL of a string table but the first byte: each name now runs to its end."""
    table = data[offset : offset + size]
    data[offset + 1 : offset + size] = table[1:].replace(b"\0", b"A")


def test_a_real_plugin_with_an_unterminated_dynstr(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    data = bytearray(fixture_path("go_plugin_default").read_bytes())
    offset, size = _section(bytes(data), ".dynstr")
    _unterminate(data, offset, size)
    crafted = tmp_path / "plugin.so"
    crafted.write_bytes(data)
    good = tmp_path / "good.so"
    good.write_bytes(fixture_path("c_shared_hardened").read_bytes())
    proc, peak_mb = _scan_child(crafted, good)
    report = json.loads(proc.stdout)
    errors = {Path(a["path"]).name: a["error"] for a in report["artifacts"]}
    assert errors["good.so"] is None, "the run goes on after the hostile file"
    assert "refusing to amplify" in errors["plugin.so"], errors["plugin.so"]
    assert len(proc.stdout) < len(data), "the report is not larger than the input"
    assert peak_mb < 600, f"{peak_mb:.0f} MB for a {len(data) / 1e6:.1f} MB file"
    assert proc.returncode == 3


def test_every_symbol_pointing_into_one_long_name(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    data = bytearray(fixture_path("go_plugin_default").read_bytes())
    strtab_offset, strtab_size = _section(bytes(data), ".dynstr")
    _unterminate(data, strtab_offset, strtab_size)
    symtab_offset, symtab_size = _section(bytes(data), ".dynsym")
    count = symtab_size // 24
    for entry in range(1, count):
        data[symtab_offset + entry * 24 : symtab_offset + entry * 24 + 4] = (1).to_bytes(4, "little")
    assert count * strtab_size > 10 * decoded_budget(strtab_size), "the file would amplify without the bound"
    crafted = tmp_path / "crafted.so"
    crafted.write_bytes(data)
    proc, peak_mb = _scan_child(crafted)
    (artifact,) = json.loads(proc.stdout)["artifacts"]
    assert artifact["error"].endswith("refusing to amplify them.")
    assert "\n" not in artifact["error"]
    assert peak_mb < 600


def _ar(members: list[tuple[str, bytes]]) -> bytes:
    out = bytearray(b"!<arch>\n")
    for name, data in members:
        out += f"{name:<16}{0:<12}{0:<6}{0:<6}{644:<8}{len(data):<10}`\n".encode()
        out += data + (b"\n" if len(data) % 2 else b"")
    return bytes(out)


def test_archive_long_names_that_never_end(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    run = b"x" * 200_000  # no "/\n" terminator anywhere
    members = [("//", run)] + [(f"/{i % 1000}", b"") for i in range(5_000)]
    crafted = tmp_path / "long.a"
    crafted.write_bytes(_ar(members))
    assert 10 * decoded_budget(len(run)) < 5_000 * 199_000, "the file would amplify without the bound"
    proc, peak_mb = _scan_child(crafted)
    (artifact,) = json.loads(proc.stdout)["artifacts"]
    assert "long member names" in artifact["error"] and "refusing to amplify" in artifact["error"]
    assert peak_mb < 600


def test_real_tables_stay_far_below_the_bound(fixture_path: Callable[[str], Path]) -> None:
    # The bound must never refuse a real file: every fixture scans without that error.
    from cgoguard.scanner import scan_file

    for name in ("go_plugin_default", "go_cshared_default", "c_shared_hardened", "go_carchive_default"):
        artifact = scan_file(str(fixture_path(name)), hash_files=False)
        assert artifact is not None
        assert artifact.error is None and all(m.error is None for m in artifact.members), name
