"""Which checks judged which image: "not applicable" is an answer, and it is exact.

Every binary check either applied to a real fixture image or said why not; a
check applies only to the build modes it declares (the build-mode matrix is
generated from those declarations, so they must hold on real builds); pure Go
never has a canary or FORTIFY verdict; static images and objects have no loader
verdicts (readelf decides which fixtures are which).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import gofixtures
from cgoguard.api import scan
from cgoguard.checks import CheckTarget, all_checks, find_check
from cgoguard.model import Artifact, Outcome, build_mode_of, check_outcomes
from truth import readelf_truth

BINARY_IDS = {c.id for c in all_checks(CheckTarget.BINARY)}


def images(artifact: Artifact) -> Iterator[Artifact]:
    if artifact.elf is not None:
        yield artifact
    for member in artifact.members:
        yield from images(member)


def mode_of(image: Artifact) -> str:
    return build_mode_of(image.hardening, image.go is not None)


@pytest.fixture(scope="module")
def scanned(fixture_path: Callable[[str], Path]) -> Callable[[str], Artifact]:
    cache: dict[str, Artifact] = {}

    def get(name: str) -> Artifact:
        if name not in cache:
            (cache[name],) = scan([fixture_path(name)]).artifacts
        return cache[name]

    return get


@pytest.mark.parametrize("name", gofixtures.FIXTURE_NAMES)
def test_every_binary_check_applied_or_said_why_not(name: str, scanned: Callable[[str], Artifact]) -> None:
    found = list(images(scanned(name)))
    assert found, f"{name}: no ELF image"
    for image in found:
        applied, skipped = set(image.applied), set(image.not_applicable)
        assert applied.isdisjoint(skipped)
        assert applied | skipped == BINARY_IDS, f"{image.path}: {sorted(BINARY_IDS - applied - skipped)}"
        assert all(reason.strip() for reason in image.not_applicable.values())
        # the declared modes hold: a check that applied names this image's build mode
        mode = mode_of(image)
        wrong = [c for c in applied if mode not in find_check(c).modes]  # type: ignore[union-attr]
        assert not wrong, f"{image.path} ({mode}): {wrong} applied but do not declare the mode"
        # a finding comes only from a check that applied
        assert {f.check_id for f in image.findings} & BINARY_IDS <= applied


@pytest.mark.parametrize("name", ["go_exe_nocgo", "go_pie_default", "go_exe_trimpath", "go_exe_default"])
def test_pure_go_has_no_canary_or_fortify_verdict(name: str, scanned: Callable[[str], Artifact]) -> None:
    (image,) = images(scanned(name))
    assert image.hardening is not None and image.hardening.c_code in ("none", "runtime-cgo-only")
    outcomes = check_outcomes(image)
    for check_id in ("CG108", "CG109"):
        outcome, reason = outcomes[check_id]
        assert outcome == Outcome.NOT_APPLICABLE and ("Go" in reason or "C" in reason), (check_id, reason)


@pytest.mark.parametrize("name", ["go_exe_nocgo", "c_static", "c_object", "go_cshared_default", "c_hardened"])
def test_loader_and_pie_verdicts_follow_readelf(
    name: str, scanned: Callable[[str], Artifact], fixture_path: Callable[[str], Path]
) -> None:
    truth = readelf_truth(fixture_path(name))
    (image,) = images(scanned(name))
    outcomes = check_outcomes(image)
    dynamic = truth["e_type"] in ("EXEC", "DYN") and bool(truth["dynamic"])
    loader = {"CG102", "CG106", "CG107"}
    for check_id in loader:
        assert (outcomes[check_id][0] != Outcome.NOT_APPLICABLE) == dynamic, (check_id, outcomes[check_id])
    pie_judged = truth["kind"] in ("executable", "pie-executable")
    assert (outcomes["CG101"][0] != Outcome.NOT_APPLICABLE) == pie_judged
    if truth["kind"] == "executable":
        assert outcomes["CG101"][0] == Outcome.FAILED
    if truth["kind"] == "pie-executable":
        assert outcomes["CG101"][0] == Outcome.PASSED


def test_a_disabled_check_is_neither_applied_nor_not_applicable(fixture_path: Callable[[str], Path]) -> None:
    from cgoguard.config import Config

    config = Config(select=frozenset({"CG101", "CG108"}))
    (artifact,) = scan([fixture_path("go_exe_nocgo")], config=config).artifacts
    assert set(artifact.applied) | set(artifact.not_applicable) == {"CG101", "CG108"}
    assert check_outcomes(artifact)["CG101"][0] == Outcome.FAILED  # an exe is not PIE
