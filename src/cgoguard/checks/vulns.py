"""Known vulnerabilities: the Go vulnerability database against what a Go
artifact links, at the finest precision its facts allow.

Precision, finest first:

* ``symbol``: the advisory names vulnerable functions and the artifact's
  function table lists its functions: affected only if one of them is there;
* ``package``: the advisory names packages but no functions: affected if a
  function of one of those packages is there;
* ``module``: no function table (or an advisory that names no package): the
  version alone says so.

An advisory whose version range matches but whose vulnerable code is absent
is not dropped: CG231 says so, with the reason (a VEX "not affected"). The Go
database gives no severity (no CVSS): findings are graded by evidence, high
when the vulnerable code is linked, medium when only the version says so.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from cgoguard import gosemver, gosymbols
from cgoguard.checks import CheckResult, CheckTarget, Matched, check
from cgoguard.model import (
    Advisory,
    AffectedImport,
    AffectedModule,
    LinkedModule,
    Severity,
    VulnerabilityMatch,
    VulnSubject,
)

STDLIB, TOOLCHAIN = "stdlib", "toolchain"
# The commit time in a pseudo-version: v0.0.0-20230601000000-123456789abc, v1.2.4-0.20230601000000-abc...
_PSEUDO_TIME = re.compile(r"[-.](\d{14})-[0-9a-f]{12}$")


_GO_MODES = ("exe", "pie", "c-shared", "c-archive", "plugin")


def in_range(events: tuple[tuple[str, str], ...], version: gosemver.Version) -> bool:
    """Whether ``version`` falls in the OSV SEMVER range given by ``events``
    (introduced / fixed / last_affected, in any order)."""
    points: list[tuple[gosemver.Version, int, str]] = []
    for kind, text in events:
        # "0" is the start of time: below every version, pseudo-versions (0.0.0-...) included.
        at = gosemver.Version((0, 0, 0), (0,), "0") if text == "0" else gosemver.parse(text)
        if at is not None and kind in ("introduced", "fixed", "last_affected"):
            # At one version a fix closes before an introduction reopens.
            points.append((at, {"fixed": 0, "last_affected": 1, "introduced": 2}[kind], kind))
    affected = False
    for at, _, kind in sorted(points, key=lambda p: (p[0], p[1])):
        if kind == "introduced" and version >= at:
            affected = True
        elif (kind == "fixed" and version >= at) or (kind == "last_affected" and version > at):
            affected = False
    return affected


def describe_range(events: tuple[tuple[str, str], ...]) -> str:
    """The affected versions in a form people read: ">=1.22.0-0 <1.22.4, <1.21.11" style."""
    spans, start = [], None
    for kind, text in events:
        if kind == "introduced":
            start = None if text == "0" else text
        elif kind in ("fixed", "last_affected"):
            bound = f"<{text}" if kind == "fixed" else f"<={text}"
            spans.append(f">={start} {bound}" if start else bound)
            start = None
    if start is not None or (events and events[-1][0] == "introduced"):
        spans.append(f">={start}" if start else "every version")
    return ", ".join(spans) or "unknown"


def first_fix(events: tuple[tuple[str, str], ...], version: gosemver.Version) -> str | None:
    """The lowest fixed version above ``version``."""
    fixes = [v for kind, text in events if kind == "fixed" and (v := gosemver.parse(text)) is not None]
    above = sorted(v for v in fixes if v > version)
    return above[0].text if above else None


def _applies(item: AffectedImport, subject: VulnSubject) -> bool:
    return (not item.goos or subject.goos in item.goos) and (not item.goarch or subject.goarch in item.goarch)


def _as_linked(item: AffectedImport, advisory_module: str, linked_module: str) -> AffectedImport:
    """An advisory's package as the binary names it. A module swapped in by a
    replace directive keeps the import paths of the module it replaces: the
    code of example.com/fork/pkg is linked as example.com/orig/pkg."""
    if advisory_module in (linked_module, STDLIB):
        return item
    path = item.package
    if path == advisory_module or path.startswith(advisory_module + "/"):
        path = linked_module + path[len(advisory_module) :]
    return AffectedImport(path, item.symbols, item.goos, item.goarch)


def _judge(
    subject: VulnSubject, module: LinkedModule, entry: AffectedModule, functions: gosymbols.SymbolIndex | None
) -> tuple[bool, str, str, list[str]]:
    """(affected, precision, reason, symbols found) for one affected entry whose range matched."""
    imports = [_as_linked(i, entry.module, module.path) for i in entry.imports if _applies(i, subject)]
    if entry.imports and not imports:
        systems = sorted({s for i in entry.imports for s in (*i.goos, *i.goarch)})
        return False, "package", f"the vulnerable code is built only for {', '.join(systems)}", []
    if not imports:
        return True, "module", "the advisory names no package: the version alone decides", []
    if functions is None:
        return True, "module", f"no function table ({subject.no_functions}): the version alone decides", []
    found: list[str] = []
    named_symbols = False
    linked_packages = []
    for item in imports:
        if item.symbols:
            named_symbols = True
            found += [f"{item.package}.{s}" for s in item.symbols if functions.matches(item.package, s)]
        elif functions.package_linked(item.package):
            linked_packages.append(item.package)
    if found:
        reason = f"vulnerable function(s) linked: {', '.join(found[:6])}"
        if subject.build_mode in ("c-shared", "c-archive"):
            reason += "; whether the //export API reaches them is not analysed"
        return True, "symbol", reason, found
    if linked_packages:
        return (
            True,
            "package",
            f"package(s) linked, the advisory names no function: {', '.join(linked_packages)}",
            [],
        )
    names = [f"{i.package}.{s}" for i in imports for s in i.symbols] or [i.package for i in imports]
    shown = ", ".join(names[:6]) + (" ..." if len(names) > 6 else "")
    precision = "symbol" if named_symbols else "package"
    return (
        False,
        precision,
        f"none of the vulnerable {'functions' if named_symbols else 'packages'} is linked ({shown})",
        [],
    )


_LAST: list[tuple[VulnSubject, list[VulnerabilityMatch]]] = []  # the checks of one subject share the work


def matches(subject: VulnSubject) -> list[VulnerabilityMatch]:
    """Every advisory whose version range covers a module of ``subject`` (both
    identities of a replaced module), judged at the finest precision."""
    if _LAST and _LAST[0][0] is subject:
        return _LAST[0][1]
    index = gosymbols.SymbolIndex(subject.functions) if subject.functions is not None else None
    found = list(_matches(subject, index))
    _LAST[:] = [(subject, found)]
    return found


def _matches(subject: VulnSubject, index: gosymbols.SymbolIndex | None) -> Iterator[VulnerabilityMatch]:
    seen: set[tuple[str, str]] = set()
    for module in subject.modules:
        identities = [(module.path, module.version)]
        if module.replaced_by and "@" in module.replaced_by:
            path, _, version = module.replaced_by.rpartition("@")
            identities.append((path, version))
        for path, text in identities:
            parsed = gosemver.parse(text)
            if parsed is None or path == TOOLCHAIN:
                continue  # the go command itself is never linked into an artifact
            for advisory in subject.advisories.get(path, ()):
                for entry in advisory.affected:
                    if entry.module != path or not in_range(entry.events, parsed):
                        continue
                    if (advisory.id, path) in seen:
                        continue
                    seen.add((advisory.id, path))
                    affected, precision, reason, found = _judge(subject, module, entry, index)
                    fixed = first_fix(entry.events, parsed)
                    yield VulnerabilityMatch(
                        advisory=advisory,
                        module=path,
                        version=text,
                        affected=affected,
                        precision=precision,
                        reason=reason,
                        fixed=fixed,
                        remedy=fix_for(path, fixed),
                        affected_versions=describe_range(entry.events),
                        symbols=tuple(found),
                        replaced_by=module.replaced_by
                        if path == module.path
                        else f"{module.path}@{module.version}",
                    )


def _name(advisory: Advisory) -> str:
    aliases = [a for a in advisory.aliases if a.startswith("CVE-")] or list(advisory.aliases[:1])
    return f"{advisory.id}" + (f" ({', '.join(aliases)})" if aliases else "")


def _what(match: VulnerabilityMatch) -> str:
    if match.module == STDLIB:
        return f"the standard library of go{match.version}"
    return f"{match.module} {match.version}"


def _distribution_note(subject: VulnSubject, match: VulnerabilityMatch) -> str:
    """A distribution's Go (``go1.25.7 (Red Hat 1.25.7-1...)``) may carry fixes its version does not show."""
    vendor = subject.go_version.partition(" ")[2].strip()
    if match.module != STDLIB or not vendor:
        return ""
    return (
        f" The toolchain is a distribution build {vendor}: it may carry backported fixes its version hides."
    )


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def fix_for(module: str, fixed: str | None) -> str:
    """The exact remedy for a module at a version below ``fixed``."""
    if fixed is None:
        return "no fixed version is known: remove or replace the module"
    if module == STDLIB:
        return f"rebuild with go{fixed} or later"
    version = fixed if fixed.startswith("v") else f"v{fixed}"
    return f"go get {module}@{version}, then rebuild"


def _replacement_note(match: VulnerabilityMatch) -> str:
    if not match.replaced_by:
        return ""
    return f" The module is replaced: {match.replaced_by} (both identities are matched)."


@check(
    id="CG230",
    name="known-vulnerability",
    title="A module or the standard library linked in has a known vulnerability",
    severity=Severity.HIGH,
    applies_to="Go artifacts with build info, given a vulnerability database (--vulndb)",
    modes=_GO_MODES,
    target=CheckTarget.KNOWN_VULNERABILITIES,
    fix="""
        Upgrade what the advisory names and rebuild:
            go get example.com/mod@vX.Y.Z && go mod tidy     (a module)
            install the fixed Go release and rebuild           (the standard library)
        Each finding gives the exact version; `cgoguard explain CG230` for the precision rules.
    """,
    references=(
        "https://go.dev/doc/security/vuln/",
        "https://pkg.go.dev/vuln/",
        "https://ossf.github.io/osv-schema/",
    ),
)
def known_vulnerability(subject: VulnSubject) -> Iterator[CheckResult]:
    """A Go artifact carries the exact versions of the standard library and of
    every module it was built from; the Go vulnerability database says which
    versions have known vulnerabilities, and in which packages and functions.
    Where the artifact's function table can be read (it survives -s -w), a
    finding is made only when a vulnerable function (or package, when the
    advisory names no function) is linked in: that is symbol or package
    precision. Without a function table the version alone decides (module
    precision). Reachability from the //export API of a c-shared library is
    not analysed: a linked function is reported whether or not the API calls
    it. The database has no severity scores: high means the vulnerable code
    is linked, medium that only the version matches."""
    for match in matches(subject):
        if not match.affected:
            continue
        severity = Severity.HIGH if match.precision in ("symbol", "package") else Severity.MEDIUM
        yield Matched(
            f"{_name(match.advisory)}: {match.advisory.summary} {_capital(_what(match))} is affected "
            f"(precision: {match.precision}; {match.reason}). Fix: {match.remedy}."
            + _replacement_note(match)
            + _distribution_note(subject, match),
            match,
            severity,
        )


@check(
    id="CG231",
    name="vulnerable-code-not-present",
    title="A known vulnerability's version range matches, but its vulnerable code is not linked",
    severity=Severity.INFO,
    applies_to="Go artifacts with a readable function table, given a vulnerability database",
    modes=_GO_MODES,
    target=CheckTarget.KNOWN_VULNERABILITIES,
    fix="""
        Nothing to fix in this artifact; upgrading still removes the question for future builds:
            go get example.com/mod@vX.Y.Z
    """,
    references=("https://github.com/openvex/spec", "https://go.dev/doc/security/vuln/"),
)
def vulnerable_code_not_present(subject: VulnSubject) -> Iterator[CheckResult]:
    """The advisories an artifact's versions are in range of, but whose
    vulnerable functions or packages are not in its function table (or are
    built only for other systems). Said rather than dropped, with the reason:
    this is the evidence for a VEX "not_affected" statement
    (vulnerable_code_not_present)."""
    for match in matches(subject):
        if match.affected:
            continue
        yield Matched(
            f"{_name(match.advisory)}: {_capital(_what(match))} is in the affected range, "
            f"but not affected: {match.reason}.",
            match,
        )


@check(
    id="CG232",
    name="vulnerability-database-older",
    title="The vulnerability database is older than the toolchain or a module version it is asked about",
    severity=Severity.LOW,
    applies_to="Go artifacts, given a vulnerability database",
    modes=_GO_MODES,
    target=CheckTarget.KNOWN_VULNERABILITIES,
    fix="""
        Use a current database: download it again (vuln.go.dev), or
            cgoguard scan --vulndb <newer copy> ...
    """,
    references=("https://go.dev/doc/security/vuln/database",),
)
def vulnerability_database_older(subject: VulnSubject) -> Iterator[CheckResult]:
    """A database names the Go releases that fix its advisories; a toolchain
    newer than every release it names came out after the database was made,
    and advisories published since are missing from it. The same holds for a
    module at a pseudo-version committed after the database's date. Saying
    "no known vulnerabilities" from such a database would be saying less
    than it seems."""
    built = gosemver.go_release(subject.go_version)
    newest = gosemver.go_release(subject.newest_go_known or "")
    when = f" (modified {subject.database_modified[:10]})" if subject.database_modified else ""
    if built is not None and newest is not None and built > newest:
        yield (
            f"built with {subject.go_version}, but the database{when} names no Go release after "
            f"go{newest.text}: advisories published since are not in it."
        )
    # A pseudo-version carries its commit time: a commit made after the database cannot be in it.
    modified = (subject.database_modified or "").replace("-", "").replace("T", "").replace(":", "")[:14]
    if len(modified) == 14 and modified.isdigit():
        later = [
            f"{m.path} {m.version}"
            for m in subject.modules
            if (stamp := _PSEUDO_TIME.search(m.version)) is not None and stamp.group(1) > modified
        ]
        if later:
            yield (
                f"{len(later)} module version(s) were committed after the database{when} was made: "
                f"{', '.join(later[:4])}{' ...' if len(later) > 4 else ''}."
            )


@check(
    id="CG233",
    name="vulnerability-entry-unreadable",
    title="Entries of the vulnerability database for this artifact's modules could not be read",
    severity=Severity.MEDIUM,
    applies_to="Go artifacts, given a vulnerability database",
    modes=_GO_MODES,
    target=CheckTarget.KNOWN_VULNERABILITIES,
    fix="""
        Download the database again; a damaged or partial copy cannot say what it does not hold.
    """,
    references=("https://go.dev/doc/security/vuln/database",),
)
def vulnerability_entry_unreadable(subject: VulnSubject) -> Iterator[CheckResult]:
    """The database's index names advisories for a module this artifact links,
    but their entries are missing or malformed: the artifact was matched
    against less than the database claims, and a clean result would not mean
    what it says."""
    if subject.unreadable:
        shown = "; ".join(subject.unreadable[:4]) + (" ..." if len(subject.unreadable) > 4 else "")
        yield f"{len(subject.unreadable)} advisory entr(y/ies) could not be read: {shown}."
