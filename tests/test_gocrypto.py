"""Linked crypto packages from the function table, against debug/gosym and `go tool nm` as oracles."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

import gofixtures
from cgoguard.readers.elf import ElfImage
from cgoguard.readers.gocrypto import crypto_packages
from cgoguard.readers.pclntab import read_function_table

_NM_CRYPTO = re.compile(r"^\s*[0-9a-f]*\s+[A-Za-z]\s+(crypto(?:/[a-z0-9_]+)*)\.", re.MULTILINE)
_CRYPTO_NAME = re.compile(r"(crypto(?:/[a-z0-9_]+)*)\.")


def _packages(names: list[str]) -> set[str]:
    return {match.group(1) for match in map(_CRYPTO_NAME.match, names) if match}


@pytest.mark.parametrize(
    "name",
    [
        "go_exe_default",
        "go_exe_stripped",
        "go_exe_fips",
        "go_cshared_default",
        "go_exe_386",
        "go_exe_s390x",
        "go_exe_mips",
        "go_exe_arm64",
    ],
)
def test_crypto_packages_match_go_tool_nm(name: str, fixture_path: Callable[[str], Path]) -> None:
    path = fixture_path(name)
    image = ElfImage(path.read_bytes())
    found = crypto_packages(image)
    assert found is not None and "crypto/sha256" in found
    # the packages of the functions Go's reader lists, and of the functions only inlined
    listing = subprocess.run(
        [str(gofixtures.build("tool_gosymfuncs")), str(path)], capture_output=True, text=True, check=True
    ).stdout
    table = read_function_table(image)
    assert table is not None
    assert found == sorted(_packages(listing.splitlines()) | _packages(list(table.inlined_names())))
    if name != "go_exe_stripped":  # go tool nm needs the symbol table
        out = subprocess.run(
            [gofixtures.go_binary(), "tool", "nm", str(path)],
            capture_output=True,
            text=True,
            env=gofixtures.go_env(),
            check=True,
        ).stdout
        # .gopclntab also names functions that were only inlined (for tracebacks), so it can
        # list packages that have no symbol of their own; never fewer than the symbol table.
        assert set(_NM_CRYPTO.findall(out)) <= set(found)


def test_no_crypto_in_c_files(fixture_path: Callable[[str], Path]) -> None:
    assert crypto_packages(ElfImage(fixture_path("c_hardened").read_bytes())) is None


def test_plugin_without_crypto(fixture_path: Callable[[str], Path]) -> None:
    assert crypto_packages(ElfImage(fixture_path("go_plugin_default").read_bytes())) == []
