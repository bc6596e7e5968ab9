"""Shared pytest fixtures: real Go/C artifacts from tests/gofixtures.py."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import gofixtures


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A cache folder of the test session's own: a vulnerability database or Go release
    table fetched on this machine (``cgoguard vulndb update``) must not change any verdict;
    and no scan reaches the network unless its test asks."""
    os.environ["CGOGUARD_CACHE"] = str(tmp_path_factory.mktemp("cgoguard-cache"))
    # The command line matches against vuln.go.dev by default; tests that want it say so.
    os.environ["CGOGUARD_VULNDB"] = "off"


@pytest.fixture(scope="session")
def fixture_path() -> Callable[[str], Path]:
    """``fixture_path("go_cshared_default")`` builds (once, cached) and returns the artifact.

    A fixture that cannot be built raises ``gofixtures.FixtureBuildError``: the test fails,
    it is never skipped (see "Tools" in tests/gofixtures.py)."""
    return gofixtures.build


@pytest.fixture(scope="session")
def cgo_header() -> Callable[[str], Path]:
    """``cgo_header("go_cshared_default")``: the header cgo generated for a c-shared/c-archive fixture."""
    return gofixtures.header_for


@pytest.fixture(scope="session")
def build_env() -> Iterator[dict[str, str]]:
    """The environment of every build here: offline Go, shared caches."""
    env = gofixtures.go_env()
    env["CGOGUARD_CACHE_DIR"] = str(gofixtures.cache_root() / "cgoguard-probes")
    patch = pytest.MonkeyPatch()
    patch.setenv("CGOGUARD_CACHE_DIR", env["CGOGUARD_CACHE_DIR"])  # read by the in-process builds
    yield env
    patch.undo()
