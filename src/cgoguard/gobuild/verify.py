"""Build verification: the catalogue checks a profile names must not fire.

Nothing here judges. The binary checks (CG1xx, CG2xx) already ran on the
artifact when :func:`cgoguard.scanner.scan_file` scanned it, exactly as in
``cgoguard scan``; the build checks (:mod:`cgoguard.checks.buildplan`) run here
on the same scan together with what the plan expected. A verified check
passes when it did not fire; its findings are the evidence when it did.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from cgoguard.checks import CheckTarget, checks_for, find_check
from cgoguard.checks.buildplan import BuildExpectations, BuiltArtifact, fortify_reached
from cgoguard.gobuild.plan import CONSUMER_CHECKS, CONSUMER_LINK_FLAGS, NOEXECSTACK, RELRO_NOW, BuildPlan
from cgoguard.gobuild.verdict import CheckVerdict
from cgoguard.model import Artifact, Finding, Hardening, Severity

STACK_PROTECTOR_CHECKS = ("CG108", "CG212")
FORTIFY_CHECKS = ("CG109",)


def _images(artifact: Artifact) -> Iterator[Artifact]:
    """The artifact itself, or every machine-code member of an archive."""
    if artifact.is_archive:
        yield from (m for m in artifact.members if m.hardening is not None)
    elif artifact.hardening is not None:
        yield artifact


def _has_flag(plan: BuildPlan, prefix: str) -> bool:
    return any(flag.startswith(prefix) for flag in plan.c_flags)


def required_checks(plan: BuildPlan) -> dict[str, str]:
    """Check ID -> the flag or setting responsible, for every check the plan's
    profile verifies in its build mode."""
    ids = list(plan.profile.verified_checks(plan.go_mode))
    if plan.toolchain.cgo_enabled:
        # The compiler probe left the flag out (a note says so): nothing to verify.
        if not _has_flag(plan, "-fstack-protector"):
            ids = [i for i in ids if i not in STACK_PROTECTOR_CHECKS]
        if not _has_flag(plan, "-D_FORTIFY_SOURCE"):
            ids = [i for i in ids if i not in FORTIFY_CHECKS]
    relro = f"-ldflags=-bindnow / -extldflags={RELRO_NOW}"
    archive = plan.go_mode == "c-archive"
    flags = {
        "CG208": f"-buildmode={plan.go_mode}",
        "CG209": "GOTOOLCHAIN=" + plan.env.get("GOTOOLCHAIN", "auto"),
        "CG101": "-buildmode=pie",
        "CG102": relro,
        "CG103": relro,
        "CG104": "every object's .note.GNU-stack (Go writes it; C and assembly files must too)"
        if archive
        else f"-extldflags={NOEXECSTACK}",
        "CG105": "the external link (a linker script or -N/--omagic that merges text and data)",
        "CG106": "CGO_CFLAGS (a C object compiled without -fPIC)",
        "CG108": plan.flag_for("-fstack-protector"),
        "CG212": plan.flag_for("-fstack-protector"),
        "CG109": plan.flag_for("_FORTIFY_SOURCE"),
        "CG112": "-trimpath",
        "CG111": "-ldflags=-s -w",
        "CG201": plan.flag_for("--version-script"),
        "CG210": plan.flag_for("--version-script"),
        "CG211": "-ldflags=-buildid=",
        "CG302": f"GOFIPS140={plan.profile.gofips140}",
    }
    return {check_id: flags.get(check_id, "") for check_id in ids}


def expectations(plan: BuildPlan, header_api: list[str] | None) -> BuildExpectations:
    """What the build asked for, for the build checks."""
    profile, env = plan.profile, plan.env
    api = header_api if header_api is not None else plan.package.exports
    return BuildExpectations(
        mode=plan.go_mode,
        toolchain=plan.toolchain.version,
        export_api=tuple(api) if profile.export_only_api and plan.go_mode == "c-shared" else None,
        fips_module=profile.gofips140,
        no_go_build_id=not profile.buildid,
        stack_protector=_has_flag(plan, "-fstack-protector"),
        cgo_cflags=" ".join(v for v in (env.get("CGO_CPPFLAGS"), env.get("CGO_CFLAGS")) if v) or None,
        package_cflags=tuple(plan.package.cgo_cflags),
    )


def _fired(artifact: Artifact) -> dict[str, list[tuple[str, Finding]]]:
    """Check ID -> (image, finding) for every finding of the artifact and its members."""
    fired: dict[str, list[tuple[str, Finding]]] = {}
    for image in (artifact, *artifact.members):
        for finding in image.findings:
            fired.setdefault(finding.check_id, []).append((image.path, finding))
    return fired


# Checks whose question can have no answer for an image ("not applicable" is an answer,
# not a pass): pure Go has no canary and nothing FORTIFY could rewrite.
_NOT_APPLICABLE: dict[str, Callable[[Hardening], str | None]] = {
    "CG108": lambda h: h.canary_detail if h.canary is None else None,
    "CG109": lambda h: h.fortify_detail if h.fortify is None else None,
}


def _not_applicable(check_id: str, images: list[Artifact]) -> str | None:
    """Why the check has nothing to judge on any image, or None when it applies to one."""
    rule = _NOT_APPLICABLE.get(check_id)
    if rule is None or not images:
        return None
    reasons = [rule(image.hardening) for image in images if image.hardening is not None]
    if not reasons or any(reason is None for reason in reasons):
        return None
    return "; ".join(sorted({reason for reason in reasons if reason}))


def _verdict(
    check_id: str,
    flag: str,
    on: str,
    hits: list[tuple[str, Finding]],
    scope: str,
    images: list[Artifact] | None = None,
) -> CheckVerdict:
    check = find_check(check_id)
    if check is None:  # a profile naming an unknown ID is a bug; the tests keep them in sync
        raise LookupError(f"verified check {check_id} is not in the catalogue")
    if not hits:
        why = _not_applicable(check_id, images or [])
        evidence = f"not applicable on {scope}: {why}" if why else f"did not fire on {scope}"
        return CheckVerdict(check_id, check.title, check.severity, on, True, flag, evidence, why is None)
    shown = [f"{path}: {finding.message}" for path, finding in hits[:4]]
    if len(hits) > 4:
        shown.append(f"... and {len(hits) - 4} more")
    severity = max(finding.severity for _, finding in hits)
    return CheckVerdict(check_id, check.title, severity, on, False, flag, "; ".join(shown))


def _scope(artifact: Artifact) -> str:
    if artifact.is_archive:
        return f"{artifact.path} or any of its {sum(1 for _ in _images(artifact))} ELF members"
    return artifact.path


def verify_artifact(plan: BuildPlan, artifact: Artifact, header_api: list[str] | None) -> list[CheckVerdict]:
    """One verdict per check the plan's profile verifies, in the profile's order."""
    required = required_checks(plan)
    fired = _fired(artifact)
    subject = BuiltArtifact(expectations(plan, header_api), artifact)
    for check in checks_for(CheckTarget.BUILD, BuiltArtifact):
        if check.id in required:
            fired[check.id] = [(artifact.path, finding) for finding in check.run(subject)]
    scope = _scope(artifact)
    images = list(_images(artifact))
    verdicts = [
        _verdict(check_id, flag, "artifact", fired.get(check_id, []), scope, images)
        for check_id, flag in required.items()
    ]
    return [_fortify_verdict(v, subject, images) if v.id == "CG109" else v for v in verdicts]


def _fortify_verdict(verdict: CheckVerdict, built: BuiltArtifact, images: list[Artifact]) -> CheckVerdict:
    """CG109 as a build knows it. The scan fires on plain calls with no __*_chk variant, but gcc
    leaves a call plain when the copy is provably in bounds or the size is unknown: a build
    fails only when the flag did not reach the compiler and no __*_chk call shows it did."""
    if verdict.passed:
        return verdict
    checked = [i.path for i in images if i.hardening is not None and i.hardening.fortified]
    reached, how = fortify_reached(built)
    if checked:
        shown = ", ".join(checked[:3]) + (" ..." if len(checked) > 3 else "")
        evidence = f"took effect: __*_chk calls in {shown}"
        evidence += f"; other calls are plain where gcc knows no size to check ({verdict.evidence})"
    elif reached:
        evidence = (
            f"{how}; no call needed a check (gcc leaves a call plain when the copy is provably in bounds "
            f"or the destination size is unknown): {verdict.evidence}"
        )
    else:
        return dataclasses.replace(verdict, evidence=f"{how}; {verdict.evidence}")
    return dataclasses.replace(verdict, passed=True, evidence=evidence)


def verify_consumer(consumer: Artifact | None) -> list[CheckVerdict]:
    """CG101-CG104 on the program the c-archive smoke test linked with CONSUMER_LINK_FLAGS."""
    flags = {"CG101": "-pie", "CG102": RELRO_NOW, "CG103": RELRO_NOW, "CG104": NOEXECSTACK}
    if consumer is None or consumer.hardening is None:
        why = consumer.error if consumer is not None and consumer.error else "it is not an ELF image"
        return [
            CheckVerdict(
                check_id,
                check.title if (check := find_check(check_id)) else check_id,
                check.severity if check else Severity.HIGH,
                "consumer",
                False,
                flags[check_id],
                f"the consumer program could not be scanned: {why}",
            )
            for check_id in CONSUMER_CHECKS
        ]
    fired = _fired(consumer)
    scope = f"{consumer.path} (linked with {' '.join(CONSUMER_LINK_FLAGS)})"
    return [
        _verdict(check_id, flags[check_id], "consumer", fired.get(check_id, []), scope)
        for check_id in CONSUMER_CHECKS
    ]


def scan_summary(artifact: Artifact) -> dict[str, Any]:
    """What the manifest keeps of the scan: verdicts and findings, not raw facts."""
    from cgoguard.outcome import iter_findings
    from cgoguard.reports.jsonreport import finding_to_dict

    def image(item: Artifact) -> dict[str, Any]:
        hardening = item.hardening
        entry: dict[str, Any] = {"path": item.path, "error": item.error}
        if hardening is not None:
            entry.update(
                kind=hardening.kind,
                pie=hardening.pie,
                relro=hardening.relro,
                bind_now=hardening.bind_now,
                nx=hardening.nx,
                rwx_segments=len(hardening.rwx_segments),
                textrel=hardening.textrel,
                c_code=hardening.c_code,
                canary=hardening.canary,
                fortify=hardening.fortify,
                ibt=hardening.ibt,
                shstk=hardening.shstk,
                stripped=hardening.stripped,
                go_build_mode=hardening.go_build_mode,
            )
        if item.elf is not None:
            entry["dynamic_exports"] = len(item.elf.exports)
        return entry

    findings = [dict(finding_to_dict(f), path=a.path) for a, f in iter_findings([artifact])]
    counts = {str(s): sum(1 for f in findings if f["severity"] == str(s)) for s in Severity}
    go = artifact.go
    return {
        "images": [image(m) for m in _images(artifact)] or [image(artifact)],
        "go_version": go.buildinfo.version if go is not None and go.buildinfo is not None else None,
        "build_settings": dict(go.buildinfo.settings) if go is not None and go.buildinfo is not None else {},
        "fips": dataclasses.asdict(go.fips) if go is not None and go.fips is not None else None,
        "findings_by_severity": counts,
        "findings": findings,
    }
