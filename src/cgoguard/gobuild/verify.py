"""The profile's promises, checked on the scan of the artifact it produced.

Nothing here reads ELF itself: the facts come from :func:`cgoguard.api.scan_file`
and :mod:`cgoguard.assess`, the same code ``cgoguard scan`` uses, so a build
passes exactly when a later scan would agree with it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from cgoguard.gobuild.plan import CONSUMER_LINK_FLAGS, NOEXECSTACK, RELRO_NOW, BuildPlan
from cgoguard.model import Artifact, Hardening, Severity


@dataclass(frozen=True, slots=True)
class PromiseResult:
    id: str
    promise: str  # what the profile promises, in words
    flag: str  # the flag or setting responsible for it
    held: bool
    detail: str  # what the scan saw

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "promise": self.promise,
            "flag": self.flag,
            "held": self.held,
            "detail": self.detail,
        }


Check = Callable[[], tuple[bool, str]]


def _images(artifact: Artifact) -> Iterator[Artifact]:
    """The artifact itself, or every machine-code member of an archive."""
    if artifact.is_archive:
        yield from (m for m in artifact.members if m.hardening is not None)
    elif artifact.hardening is not None:
        yield artifact


def _hardening(artifact: Artifact) -> Hardening:
    if artifact.hardening is None:  # only reached for a readable ELF image
        raise ValueError(f"{artifact.path} has no hardening summary")
    return artifact.hardening


def check_promises(plan: BuildPlan, artifact: Artifact, header_api: list[str] | None) -> list[PromiseResult]:
    """Every promise that applies to this plan, held or not."""
    profile, mode = plan.profile, plan.go_mode
    results: list[PromiseResult] = []

    def promise(ident: str, text: str, flag: str, check: Check) -> None:
        held, detail = check()
        results.append(PromiseResult(ident, text, flag, held, detail))

    if artifact.error is not None and not artifact.members:
        results.append(
            PromiseResult(
                "readable",
                "the artifact is a readable ELF file or archive",
                "go build",
                False,
                artifact.error,
            )
        )
        return results
    images = list(_images(artifact))
    go = artifact.go
    settings = go.buildinfo.settings if go is not None and go.buildinfo is not None else {}

    def build_mode() -> tuple[bool, str]:
        seen = settings.get("-buildmode") or (
            images[0].hardening.go_build_mode if images and images[0].hardening else None
        )
        return seen == mode, f"the artifact says -buildmode={seen}"

    promise("build-mode", f"the artifact is a Go {mode} build", f"-buildmode={mode}", build_mode)

    def toolchain() -> tuple[bool, str]:
        version = go.buildinfo.version if go is not None and go.buildinfo is not None else None
        return (
            version == plan.toolchain.version,
            f"build info names {version}, the toolchain is {plan.toolchain.version}",
        )

    promise("toolchain", "built by the reported Go toolchain", "GOTOOLCHAIN", toolchain)

    if profile.pie and mode == "pie":

        def pie() -> tuple[bool, str]:
            hardening = _hardening(images[0])
            return bool(hardening.pie), f"the ELF type is {hardening.kind}"

        promise("pie", "position-independent executable (ASLR for the image)", "-buildmode=pie", pie)

    if profile.bind_now and mode != "c-archive":

        def full_relro() -> tuple[bool, str]:
            hardening = _hardening(images[0])
            return (
                hardening.relro == "full",
                f"RELRO is {hardening.relro}, BIND_NOW {'set' if hardening.bind_now else 'not set'}",
            )

        promise(
            "full-relro",
            "full RELRO (PT_GNU_RELRO and BIND_NOW)",
            f"-ldflags=-bindnow / -extldflags={RELRO_NOW}",
            full_relro,
        )

    if profile.noexecstack or profile.bind_now:

        def nx() -> tuple[bool, str]:
            bad = [f"{m.path}: {_hardening(m).nx_detail}" for m in images if _hardening(m).nx is not True]
            return not bad and bool(images), "; ".join(bad) or "the stack is not executable"

        promise("nx", "non-executable stack", NOEXECSTACK, nx)

        def no_rwx() -> tuple[bool, str]:
            bad = [m.path for m in images if _hardening(m).rwx_segments or _hardening(m).textrel]
            return not bad, (
                "writable and executable memory in " + ", ".join(bad)
            ) if bad else "no RWX segment, no TEXTREL"

        promise(
            "no-rwx",
            "no writable+executable segment and no text relocations",
            f"-extldflags={NOEXECSTACK}",
            no_rwx,
        )

    if profile.trimpath:

        def trimpath() -> tuple[bool, str]:
            return settings.get("-trimpath") == "true", f"build info -trimpath={settings.get('-trimpath')}"

        promise(
            "trimpath", "no build-machine paths (-trimpath recorded in build info)", "-trimpath", trimpath
        )

    if plan.c_flags:
        c_images = [m for m in images if _hardening(m).c_code == "user"]
        if "-fstack-protector-strong" in plan.c_flags or "-fstack-protector-all" in plan.c_flags:

            def canary() -> tuple[bool, str]:
                if not c_images:
                    return True, "no user C code in the artifact"
                protected = [m for m in c_images if _hardening(m).canary]
                unprotected = [
                    f"{m.path}: {_hardening(m).canary_detail}"
                    for m in c_images
                    if _hardening(m).canary is False
                ]
                if artifact.is_archive:
                    # Objects without arrays or address-taken locals get no canary even
                    # with -strong; the promise is that the C code as a whole has one.
                    return bool(protected), (
                        f"{len(protected)} of {len(c_images)} C objects reference __stack_chk_fail"
                    )
                return not unprotected, "; ".join(unprotected) or _hardening(c_images[0]).canary_detail

            promise("canary", "user C code has stack canaries", plan.flag_for("-fstack-protector"), canary)
        if any(flag.startswith("-D_FORTIFY_SOURCE") for flag in plan.c_flags):

            def fortify() -> tuple[bool, str]:
                bad = [
                    f"{m.path}: {_hardening(m).fortify_detail}"
                    for m in c_images
                    if _hardening(m).fortify is False
                ]
                details = [_hardening(m).fortify_detail for m in c_images]
                return not bad, "; ".join(bad) or (
                    details[0] if details else "no user C code in the artifact"
                )

            promise(
                "fortify",
                "user C code calls the checked (_chk) libc functions where FORTIFY applies",
                plan.flag_for("_FORTIFY_SOURCE"),
                fortify,
            )

    if profile.export_only_api and mode == "c-shared":

        def exports() -> tuple[bool, str]:
            exported = set(images[0].elf.exports) if images and images[0].elf is not None else set()
            api = set(header_api or [])
            extra, missing = sorted(exported - api), sorted(api - exported)
            if not extra and not missing:
                return True, f"exports are exactly the {len(api)} //export functions"
            parts = []
            if extra:
                parts.append(
                    f"{len(extra)} symbol(s) beyond the //export API: {', '.join(extra[:8])}"
                    + (" ..." if len(extra) > 8 else "")
                )
            if missing:
                parts.append(f"//export function(s) not exported: {', '.join(missing)}")
            return False, "; ".join(parts)

        promise(
            "exports",
            "dynamic exports are exactly the //export API",
            plan.flag_for("--version-script"),
            exports,
        )

    if profile.gofips140:

        def fips() -> tuple[bool, str]:
            if go is None or go.fips is None:
                return False, "no Go facts found"
            status = go.fips
            wanted = profile.gofips140 or ""
            ok = bool(status.module and status.module.startswith(wanted)) and status.provider == "go-native"
            if wanted.startswith("v1.0.0"):
                ok = ok and status.validated_module
            return ok, f"GOFIPS140={status.module}, default mode {status.default_mode}"

        promise(
            "fips",
            f"built against the Go Cryptographic Module {profile.gofips140}",
            f"GOFIPS140={profile.gofips140}",
            fips,
        )

    if profile.strip:

        def stripped() -> tuple[bool, str]:
            bad = [m.path for m in images if not _hardening(m).stripped or _hardening(m).has_debug_info]
            return not bad, (
                "symbols or debug info left in " + ", ".join(bad)
            ) if bad else "no .symtab, no DWARF"

        promise("stripped", "no symbol table and no debug info", "-ldflags=-s -w", stripped)

    if not profile.buildid:

        def buildid() -> tuple[bool, str]:
            ids = [m.elf.go_build_id for m in images if m.elf is not None and m.elf.go_build_id]
            return not ids, f"Go build ID {ids[0]}" if ids else "no Go build ID"

        promise("no-buildid", "no Go build ID", "-ldflags=-buildid=", buildid)
    return results


def check_consumer(consumer: Artifact) -> list[PromiseResult]:
    """Promises for the program the c-archive smoke test linked with CONSUMER_LINK_FLAGS."""
    flags = " ".join(CONSUMER_LINK_FLAGS)
    if consumer.hardening is None:
        return [
            PromiseResult(
                "consumer-readable",
                "the consumer program is readable",
                flags,
                False,
                consumer.error or "not an ELF image",
            )
        ]
    hardening = consumer.hardening
    return [
        PromiseResult(
            "consumer-pie",
            "a program linked with the recommended flags is PIE",
            "-pie",
            bool(hardening.pie),
            f"the ELF type is {hardening.kind}",
        ),
        PromiseResult(
            "consumer-full-relro",
            "... and has full RELRO",
            RELRO_NOW,
            hardening.relro == "full",
            f"RELRO is {hardening.relro}",
        ),
        PromiseResult(
            "consumer-nx",
            "... and a non-executable stack",
            NOEXECSTACK,
            hardening.nx is True,
            hardening.nx_detail,
        ),
    ]


def scan_summary(artifact: Artifact) -> dict[str, Any]:
    """What the manifest keeps of the scan: verdicts and findings, not raw facts."""
    from cgoguard.api import iter_findings
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
