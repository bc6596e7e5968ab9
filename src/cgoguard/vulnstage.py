"""The known-vulnerability stage: each Go artifact's modules looked up in the
database, then judged by the KNOWN_VULNERABILITIES checks (checks/vulns.py).

It runs where the artifact was scanned (in the worker), before the policy is
applied, so its findings stream out with the artifact's others. Looking up is
reading the database (facts); judging is the checks' work.
"""

from __future__ import annotations

from cgoguard import gosemver
from cgoguard.checks import CheckTarget, checks_for
from cgoguard.model import Artifact, LinkedModule, VulnSubject
from cgoguard.readers.osv import VulnDatabase


def describe(database: VulnDatabase) -> str:
    modified = f", modified {database.modified[:10]}" if database.modified else ", date unknown"
    return f"{database.location} ({database.layout} layout{modified})"


def newest_go_known(database: VulnDatabase) -> str | None:
    """The newest Go release any standard-library advisory's range names (once per database)."""
    if "newest_go" not in database.memo:
        versions = [
            v
            for advisory in database.advisories("stdlib")
            for entry in advisory.affected
            for _, text in entry.events
            if (v := gosemver.parse(text)) is not None and not v.pre
        ]
        database.memo["newest_go"] = f"go{max(versions).text}" if versions else None
    found = database.memo["newest_go"]
    return found if isinstance(found, str) else None


def linked_modules(artifact: Artifact) -> tuple[LinkedModule, ...]:
    """The standard library and every module of the build info, replacements named."""
    info = artifact.go.buildinfo if artifact.go is not None else None
    if info is None:
        return ()
    found: list[LinkedModule] = []
    stdlib = gosemver.go_release(info.version)
    if stdlib is not None:
        found.append(LinkedModule("stdlib", stdlib.text))
    modules = ([info.main] if info.main is not None and gosemver.parse(info.main.version) else []) + info.deps
    for module in modules:
        replaced = None
        if module.replace is not None:
            target = module.replace
            replaced = f"{target.path}@{target.version}" if target.version else target.path
        found.append(LinkedModule(module.path, module.version, replaced))
    return tuple(found)


def _no_functions(artifact: Artifact) -> str:
    go = artifact.go
    if go is not None and go.functions_error:
        return f"the function table is unreadable: {go.functions_error}"
    return "no function table was found"


def vuln_subject(artifact: Artifact, database: VulnDatabase) -> VulnSubject | None:
    """The subject of one ELF image with Go build info; None otherwise (an ``ar``
    archive shows its go.o member's facts, and that member is judged, once)."""
    modules = linked_modules(artifact)
    if not modules or artifact.is_archive or artifact.go is None or artifact.go.buildinfo is None:
        return None
    info = artifact.go.buildinfo
    paths = {m.path for m in modules} | {
        m.replaced_by.rpartition("@")[0] for m in modules if m.replaced_by and "@" in m.replaced_by
    }
    return VulnSubject(
        path=artifact.path,
        go_version=info.version,
        goos=info.settings.get("GOOS"),
        goarch=info.settings.get("GOARCH"),
        build_mode=artifact.hardening.go_build_mode if artifact.hardening is not None else None,
        modules=modules,
        functions=artifact.go.functions,
        no_functions=_no_functions(artifact),
        advisories={path: database.advisories(path) for path in sorted(paths)},
        database=describe(database),
        database_modified=database.modified,
        newest_go_known=newest_go_known(database),
        unreadable=tuple(problem for path in sorted(paths) for problem in database.unreadable(path)),
    )


def add_vulnerability_findings(
    artifact: Artifact, database: VulnDatabase, *, keep_functions: bool = True
) -> None:
    """Judge ``artifact`` and its members; findings are appended to each. Without
    ``keep_functions`` the function tables are dropped once used (megabytes each,
    which would otherwise travel back from the worker for nothing)."""
    subject = vuln_subject(artifact, database)
    checks = checks_for(CheckTarget.KNOWN_VULNERABILITIES, VulnSubject)
    if subject is not None:
        for check in checks:
            evaluation = check.evaluate(subject)
            artifact.record(check.id, evaluation.findings, evaluation.not_applicable)
    elif artifact.elf is not None and not artifact.is_archive:
        why = "no Go code" if artifact.go is None else "no Go build info: no module versions to look up"
        for check in checks:
            artifact.not_applicable[check.id] = why
    for member in artifact.members:
        add_vulnerability_findings(member, database, keep_functions=keep_functions)
    # After the members: an archive shares its go.o member's facts.
    if not keep_functions and artifact.go is not None:
        artifact.go.functions = None
