"""The lint pipeline: paths -> readers -> checks -> one Artifact per file.

Go package folders, single ``.go`` files and C headers are accepted; a
header may be compared with a library (``against``). Every problem with an
input becomes that file's ``Artifact.error`` and the run goes on. Inline
``//cgoguard:ignore ID reason`` comments and the configuration (select,
ignore, severity, per-path-ignores) are applied here.

Each target (a package or a header) is one executor item, within the
per-item limits. Headers are always parsed in a worker process, even for one
job: libclang is C code reading untrusted input, and only a process bounds
its time and memory (see :mod:`cgoguard.itemlimits`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from cgoguard.checks import CheckTarget, checks_for
from cgoguard.config import Config
from cgoguard.errors import UsageError
from cgoguard.executors import Executor, InProcess, ProcessPool, effective_jobs
from cgoguard.itemlimits import ItemLimits
from cgoguard.model import Artifact, Finding
from cgoguard.readers.cheader import HeaderError, read_header
from cgoguard.readers.gofront import GoSourceError, GoTarget, Platform, go_files, read_packages
from cgoguard.sourcefacts import (
    GoExportSignature,
    GoPackage,
    HeaderAgainstBinary,
    HeaderAgainstGo,
    HeaderFile,
)

HEADER_SUFFIXES = (".h", ".hh", ".hpp", ".hxx")
_SKIPPED_FOLDERS = frozenset(["vendor", "testdata", "node_modules"])


@dataclass(slots=True)
class LintTarget:
    """What one path on the command line stands for."""

    kind: str  # "go-package", "header", "error"
    path: str  # the folder (packages), the file, or the path as given (errors)
    files: list[str] | None = None  # only these .go files of the package
    error: str | None = None
    serial: int = 0  # its place in the run (Go packages are read before the checks run)


@dataclass(slots=True)
class BinarySymbols:
    path: str
    defined: set[str] = field(default_factory=set)
    go_exports: list[str] = field(default_factory=list)
    error: str | None = None


def targets(paths: Iterable[str]) -> list[LintTarget]:
    """Expand the command-line paths. ``dir/...`` walks sub-folders like the go tool."""
    found: list[LintTarget] = []
    loose_go: dict[str, list[str]] = {}
    for raw in paths:
        recursive = raw.endswith("/...") or raw == "..."
        path = raw[: -len("/...")] if raw.endswith("/...") else ("." if raw == "..." else raw)
        if not os.path.lexists(path):
            found.append(LintTarget("error", raw, error=f"{raw} does not exist"))
        elif os.path.isdir(path):
            folders = list(_package_folders(path)) if recursive else [path]
            if not folders or (not recursive and not _has_go_files(path)):
                hint = "" if recursive else f" (use {path.rstrip('/')}/... for sub-folders)"
                found.append(LintTarget("error", raw, error=f"no Go files in {path}{hint}"))
            found += [LintTarget("go-package", folder) for folder in folders if _has_go_files(folder)]
        elif path.endswith(".go"):
            loose_go.setdefault(os.path.dirname(path) or ".", []).append(path)
        elif path.endswith(HEADER_SUFFIXES):
            found.append(LintTarget("header", path))
        else:
            found.append(
                LintTarget(
                    "error", raw, error=f"{raw} is neither a Go file, a Go package folder nor a C header (.h)"
                )
            )
    found += [LintTarget("go-package", folder, files=files) for folder, files in loose_go.items()]
    return found


def _has_go_files(folder: str) -> bool:
    try:
        return bool(go_files(folder))
    except GoSourceError:
        return False


def _package_folders(root: str) -> Iterator[str]:
    for folder, subfolders, _ in os.walk(root):
        subfolders[:] = sorted(
            s for s in subfolders if s not in _SKIPPED_FOLDERS and not s.startswith((".", "_"))
        )
        if _has_go_files(folder):
            yield folder


def _suppressed(finding: Finding, suppressions: dict[int, set[str]]) -> bool:
    if finding.location is None:
        return False
    ids = suppressions.get(finding.location.line, set())
    return finding.check_id in ids or "ALL" in ids


def lint_go_package(target: LintTarget, package: GoPackage | GoSourceError) -> list[Artifact]:
    """Check one package read by the front end; one Artifact per file (errors included)."""
    if isinstance(package, GoSourceError):
        return [Artifact(path=target.path, error=str(package))]
    by_path = {f.path: Artifact(path=f.path) for f in package.files}
    suppressions = {f.path: f.suppressions for f in package.files}
    for check in checks_for(CheckTarget.GO_SOURCE, GoPackage):
        for finding in check.run(package):
            path = finding.location.path if finding.location is not None else target.path
            if not _suppressed(finding, suppressions.get(path, {})):
                by_path.setdefault(path, Artifact(path=path)).findings.append(finding)
    errors = [Artifact(path=path, error=message) for path, message in package.errors]
    return sorted([*by_path.values(), *errors], key=lambda a: a.path)


def read_binary_symbols(path: str) -> BinarySymbols:
    """Defined symbols and //export names of a .so or .a, through the scanner."""
    from cgoguard.scanner import scan_file

    symbols = BinarySymbols(path)
    if not os.path.isfile(path):
        symbols.error = f"{path} does not exist" if not os.path.lexists(path) else f"{path} is not a file"
        return symbols
    artifact = scan_file(path, hash_files=False)
    if artifact is None:
        symbols.error = f"{path} is neither an ELF file nor an ar archive"
        return symbols
    images = artifact.members if artifact.is_archive else [artifact]
    if artifact.error and not artifact.members:
        symbols.error = f"{path}: {artifact.error}"
        return symbols
    for image in images:
        if image.elf is None:
            continue
        symbols.defined.update(image.elf.exports)
        if artifact.is_archive:
            # Members are objects: their defined global symbols are in .symtab.
            undefined = set(image.elf.static_undefined or [])
            symbols.defined.update(s for s in image.elf.static_symbols or [] if s not in undefined)
        if image.go is not None:
            symbols.go_exports += [n for n in image.go.cgo.go_exports if n not in symbols.go_exports]
    return symbols


def module_root(path: str) -> str | None:
    """The folder of the Go module a header belongs to (the nearest go.mod above
    it): its includes may climb out of their own folder (``"../base/types.h"``)
    and still be the project's files, read like the header's own folder."""
    folder = os.path.dirname(os.path.abspath(path))
    while True:
        if os.path.isfile(os.path.join(folder, "go.mod")):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent


def lint_header(
    target: LintTarget,
    binary: BinarySymbols | None,
    include_dirs: list[str],
    project_roots: list[str] | None = None,
    integer_level: str = "portability",
    go_exports: dict[str, GoExportSignature] | None = None,
) -> Artifact:
    artifact = Artifact(path=target.path)
    roots = list(project_roots or [])
    module = module_root(target.path)
    if module is not None:
        roots.append(module)
    try:
        header = read_header(target.path, include_dirs, roots)
    except HeaderError as error:
        artifact.error = str(error)
        return artifact
    header.integer_level = integer_level
    artifact.findings = _header_findings(header, binary, go_exports or {})
    if binary is not None and binary.error:
        artifact.error = f"cannot compare with {binary.path}: {binary.error}"
    return artifact


def _header_findings(
    header: HeaderFile, binary: BinarySymbols | None, go_exports: dict[str, GoExportSignature]
) -> list[Finding]:
    findings = [f for check in checks_for(CheckTarget.C_HEADER, HeaderFile) for f in check.run(header)]
    if any(function.name in go_exports for function in header.functions):
        against_go = HeaderAgainstGo(header, go_exports)
        findings += [
            f for check in checks_for(CheckTarget.HEADER_GO, HeaderAgainstGo) for f in check.run(against_go)
        ]
    if binary is not None and binary.error is None:
        pair = HeaderAgainstBinary(header, binary.path, binary.defined, binary.go_exports)
        findings += [
            f for check in checks_for(CheckTarget.HEADER_BINARY, HeaderAgainstBinary) for f in check.run(pair)
        ]
    return [f for f in findings if not _suppressed(f, header.suppressions)]


@dataclass(frozen=True, slots=True)
class LintWorker:
    """What one executor item does: read and check one target, apply the policy."""

    config: Config | None
    binary: BinarySymbols | None
    include_dirs: list[str]
    project_roots: list[str]
    integer_level: str = "portability"

    packages: dict[int, GoPackage | GoSourceError] = field(default_factory=dict)  # by target id
    go_exports: dict[str, GoExportSignature] = field(default_factory=dict)  # of every package linted

    def __call__(self, target: LintTarget) -> list[Artifact]:
        if target.kind == "error":
            artifacts = [Artifact(path=target.path, error=target.error)]
        elif target.kind == "header":
            artifacts = [
                lint_header(
                    target,
                    self.binary,
                    self.include_dirs,
                    self.project_roots,
                    self.integer_level,
                    self.go_exports,
                )
            ]
        else:
            artifacts = lint_go_package(target, self.packages[target.serial])
        for artifact in artifacts:
            artifact.findings.sort(key=_order)
            if self.config is not None:
                self.config.apply(artifact)
        return artifacts

    def stopped(self, target: LintTarget, reason: str) -> list[Artifact]:
        """The result for a target that passed its limits or whose worker died."""
        return [Artifact(path=target.path, error=f"{reason}.")]


def lint(
    paths: Iterable[str],
    *,
    against: str | None = None,
    config: Config | None = None,
    include_dirs: list[str] | None = None,
    jobs: int | None = None,
    header_integers: str | None = None,
    platform: Platform | None = None,
    go: str | None = None,
) -> list[Artifact]:
    """Lint Go packages and C headers; one Artifact per file, in a stable order,
    with the configuration's policy applied. Included files are read only from
    the project (the configuration's folder, each header's Go module), the headers' own folders,
    ``include_dirs`` and the system include folders. ``header_integers``: CG453's
    level (default: the configuration's, else "portability")."""
    # --against a Go package folder: its exports are what the headers must declare.
    against_go = against is not None and os.path.isdir(against)
    binary = read_binary_symbols(against) if against is not None and not against_go else None
    found = targets(paths)
    roots = [config.root] if config is not None and config.root else []
    folders = [*(include_dirs or []), *(config.lint_include_dirs if config is not None else [])]
    level = header_integers or (config.header_integers if config is not None else None) or "portability"
    limits = config.item_limits if config is not None else None
    for serial, target in enumerate(found):
        target.serial = serial
    # Every Go package of the run in one run of the Go front end (bounded in
    # time per package and in memory), then the checks per package.
    go_targets = [t for t in found if t.kind == "go-package"]
    read = read_packages(
        [GoTarget(t.path, tuple(t.files) if t.files is not None else None) for t in go_targets],
        platform or Platform(),
        go=go,
        timeout=limits.seconds if limits is not None else ItemLimits().seconds,
    )
    packages = {t.serial: package for t, package in zip(go_targets, read, strict=True)}
    compared = [p for p in read if isinstance(p, GoPackage)]
    if against_go and against is not None:
        (extra,) = read_packages([GoTarget(against)], platform or Platform(), go=go)
        if isinstance(extra, GoSourceError):
            raise UsageError(f"cannot read the Go package given with --against: {extra}")
        compared.append(extra)
    worker = LintWorker(config, binary, folders, roots, level, packages, export_signatures(compared))
    wanted = effective_jobs(jobs if jobs is not None else (config.jobs if config else None))
    headers = sum(target.kind == "header" for target in found)
    workers = min(wanted, max(1, headers))  # a fork pool starts every worker at once
    # Headers go to worker processes (libclang is C code reading untrusted
    # input); Go packages were read by the front end and only checks remain.
    executor: Executor = ProcessPool(workers, batch_size=1, limits=limits) if headers else InProcess(limits)
    artifacts: list[Artifact] = []
    for result in executor.map(worker, found, on_crash=worker.stopped):
        artifacts += result
    return artifacts


def export_signatures(packages: Iterable[GoPackage]) -> dict[str, GoExportSignature]:
    """The //export functions of ``packages`` as cgo declares them in its header."""
    found: dict[str, GoExportSignature] = {}
    for package in packages:
        names = {d.attached_to for _, d in package.effective_exports()}
        for _, function in package.functions():
            if function.receiver is not None or function.name not in names:
                continue
            results = [r.type.c_type for r in function.results]
            result = (
                "void"
                if not results
                else results[0]
                if len(results) == 1
                else f"struct {function.name}_return"
            )
            found[function.name] = GoExportSignature(
                function.name,
                function.location,
                tuple(p.type.c_type for p in function.parameters),
                result,
                package.returned_allocation(function) is not None,
                function.returns_global,
            )
    return found


def _order(finding: Finding) -> tuple[int, int, str]:
    location = finding.location
    return (location.line, location.column, finding.check_id) if location else (0, 0, finding.check_id)
