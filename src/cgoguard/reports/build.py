"""The report of ``cgoguard build``: text or JSON per target, failures for stderr."""

from __future__ import annotations

import json
from typing import IO, Any

from cgoguard._version import __version__
from cgoguard.gobuild.batch import CHECK_FAILED, LINT_REFUSED, TargetOutcome
from cgoguard.gobuild.lintgate import format_finding
from cgoguard.gobuild.plan import CONSUMER_LINK_FLAGS
from cgoguard.model import Severity


def _indent(text: str, prefix: str = "  ") -> str:
    return prefix + ("\n" + prefix).join(text.splitlines())


def print_failure(outcome: TargetOutcome, fail_on: Severity, err: IO[str]) -> None:
    """Why a target was not built, for a person (stderr)."""
    target = outcome.target
    if outcome.status == LINT_REFUSED:
        blocking = [f for f in outcome.lint_findings if f.severity >= fail_on]
        print(
            f"cgoguard: build refused: target {target.name!r} ({target.package}): {len(blocking)} cgo export "
            f"boundary finding(s) at or above {fail_on}; nothing was built.",
            file=err,
        )
        for finding in blocking:
            print("  " + format_finding(finding), file=err)
        ids = sorted({f.check_id for f in blocking})
        print(
            f"  `cgoguard explain {ids[0]}` gives the fix; --fail-on, --ignore or [tool.cgoguard] ignore "
            "change the policy.",
            file=err,
        )
    elif outcome.status == CHECK_FAILED and outcome.failed_checks:
        failed = outcome.failed_checks
        print(
            f"cgoguard: build check failed: target {target.name!r} ({target.output_name()}, profile "
            f"{target.profile!r}): {len(failed)} of the {len(outcome.verification)} check(s) the profile "
            "verifies fired; nothing was published.",
            file=err,
        )
        for verdict in failed:
            where = " (on the consumer program the smoke test linked)" if verdict.on == "consumer" else ""
            print(f"  {verdict.id} {verdict.title} [{verdict.severity}]{where}", file=err)
            print(f"    evidence: {verdict.evidence}", file=err)
            print(f"    the flag that did not take effect: {verdict.flag}", file=err)
        print(f"  `cgoguard explain {failed[0].id}` gives the fix.", file=err)
    else:
        label = "build check failed" if outcome.status == CHECK_FAILED else "error"
        print(f"cgoguard: {label}: {outcome.message}", file=err)
        if outcome.detail:
            print(_indent(outcome.detail), file=err)


def write_text(outcomes: list[TargetOutcome], out: IO[str], fail_on: Severity) -> None:
    """Per target: what was built, the check IDs that did not fire, lint findings, smoke test, manifest."""
    for outcome in outcomes:
        result = outcome.result
        if result is None:
            print(f"not built: {outcome.target.name} ({outcome.status}, exit {outcome.exit_code})", file=out)
            continue
        plan = result.plan
        own = [v for v in result.verification if v.on == "artifact"]
        consumer = [v for v in result.verification if v.on == "consumer"]
        print(
            f"built {result.artifact} ({plan.go_mode}, profile {plan.profile.name}) in "
            f"{result.timings.get('go_build', 0.0):.2f} s; {len(result.verification)} check(s) verified",
            file=out,
        )
        print(f"  did not fire: {' '.join(v.id for v in own if v.applicable)}", file=out)
        for skipped in own:
            if not skipped.applicable:
                print(f"  not applicable: {skipped.id} ({skipped.evidence.split(': ', 1)[-1]})", file=out)
        if consumer:
            print(
                f"  did not fire on a program linked with {' '.join(CONSUMER_LINK_FLAGS)}: "
                f"{' '.join(v.id for v in consumer)}",
                file=out,
            )
        findings = outcome.lint_findings
        print(
            f"  lint: {len(findings)} finding(s) below {fail_on}" if findings else "  lint: no finding",
            file=out,
        )
        for finding in findings:
            print(f"    {format_finding(finding)} [{finding.severity}]", file=out)
        for error in plan.lint_errors:
            print(f"    lint could not read a file: {error}", file=out)
        for note in plan.probe_notes:
            print(f"  note: {note}", file=out)
        print(f"  smoke test: {result.smoke.detail}", file=out)
        if result.reproducible is not None:
            verdict = (
                "reproducible"
                if result.reproducible.reproducible
                else f"NOT reproducible: first difference in {result.reproducible.first_difference}"
            )
            print(f"  reproducibility: {verdict}", file=out)
        print(f"  manifest: {result.manifest}", file=out)
        if result.provenance is not None:
            print(f"  provenance: {result.provenance}", file=out)
        if result.signature is not None:
            print(f"  signature: {result.signature}", file=out)


def write_json(outcomes: list[TargetOutcome], out: IO[str], fail_on: Severity, code: int) -> None:
    """``cgoguard build --format json``: one entry per target (:meth:`TargetOutcome.as_dict`)."""
    data: dict[str, Any] = {
        "tool": {"name": "cgoguard", "version": __version__},
        "fail_on": str(fail_on),
        "exit_code": code,
        "targets": [outcome.as_dict() for outcome in outcomes],
    }
    json.dump(data, out, indent=2)
    out.write("\n")
