"""The whole pipeline (readers, summary, every check) on hostile input.

Mutations of real artifacts must end in an artifact whose ``error`` is a
sentence, or in a normal result; never an exception and never the
"internal error" fallback, which would mean a reader let a raw exception out.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cgoguard.api import scan_bytes

SOURCES = ("go_cshared_default", "go_carchive_default", "c_hardened", "go_exe_386")


@pytest.fixture(scope="module")
def originals(fixture_path: Callable[[str], Path]) -> dict[str, bytes]:
    return {name: fixture_path(name).read_bytes() for name in SOURCES}


def assert_clean(data: bytes) -> None:
    artifact = scan_bytes(data, "fuzzed")
    if artifact is None:
        return
    for item in [artifact, *artifact.members]:
        assert item.error is None or not item.error.startswith("internal error"), item.error


@pytest.mark.parametrize("name", SOURCES)
def test_truncation_at_every_header_boundary(name: str, originals: dict[str, bytes]) -> None:
    data = originals[name]
    cuts = set(range(0, 256, 4)) | {len(data) // d for d in range(2, 64)} | {len(data) - 1}
    for cut in sorted(cuts):
        assert_clean(data[:cut])


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    source=st.sampled_from(SOURCES),
    edits=st.lists(
        st.tuples(st.integers(min_value=0, max_value=4095), st.binary(min_size=1, max_size=8)),
        min_size=1,
        max_size=12,
    ),
)
def test_random_header_mutations(
    originals: dict[str, bytes], source: str, edits: list[tuple[int, bytes]]
) -> None:
    data = bytearray(originals[source])
    for offset, patch in edits:
        data[offset : offset + len(patch)] = patch
    assert_clean(bytes(data))
