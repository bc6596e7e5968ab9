"""The Python API; every command of the CLI is a thin layer over it.

    import cgoguard
    report = cgoguard.scan(["dist/"])                  # ELF files, archives, folders
    report = cgoguard.lint(["./bridge"], against="dist/libbridge.so")
    outcomes = cgoguard.build("./cmd/bridge", mode="c-shared", profile="hardened")

``ScanRun`` is the streaming form of ``scan`` (iterate it for one item per
input as it finishes; the CLI uses it). ``scan`` and ``lint`` return a
:class:`Report`: the artifacts with their findings (the configuration's
policy applied), findings across artifacts, a summary, and what could not
be read; ``report.exit_code()`` is the code the
CLI would exit with. ``build`` returns one outcome per target, each with its
status, exit code, lint findings and verification (catalogue check IDs).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cgoguard._version import __version__
from cgoguard.baseline import Baseline, BaselineOutcome, KnownFindings, drop_known, load_baseline, outcome
from cgoguard.checks import all_checks
from cgoguard.config import Config
from cgoguard.executors import Executor
from cgoguard.model import Artifact, Finding, ScanSummary, Severity
from cgoguard.outcome import ExitCode, Tally, item_of, iter_findings
from cgoguard.pipeline import ScanRun
from cgoguard.scanner import scan_bytes, scan_file
from cgoguard.sources import Source

if TYPE_CHECKING:
    from cgoguard.gobuild import Target, TargetOutcome

__all__ = [
    "Report",
    "ScanRun",
    "build",
    "iter_findings",
    "iter_scan",
    "lint",
    "scan",
    "scan_bytes",
    "scan_file",
    "tool_info",
]


def tool_info() -> dict[str, str]:
    return {"name": "cgoguard", "version": __version__}


@dataclass(slots=True)
class Report:
    """The result of ``scan`` or ``lint``."""

    tool: dict[str, str]
    artifacts: list[Artifact]
    summary: ScanSummary
    tally: Tally = field(default_factory=Tally)
    set_findings: list[Finding] = field(default_factory=list)
    command: str = "scan"
    baseline: BaselineOutcome | None = None  # with a baseline: new, unchanged (not reported), fixed

    @property
    def missing(self) -> list[str]:
        """Named inputs that do not exist."""
        return self.tally.missing

    @property
    def unread(self) -> list[tuple[str, str]]:
        """(path, error) of every input (or archive member) that could not be read."""
        return self.tally.unread

    @property
    def complete(self) -> bool:
        """True when every input named was read and something checkable was found."""
        return self.tally.complete

    def findings_at_or_above(self, threshold: Severity) -> int:
        return self.tally.at_or_above(threshold)

    def exit_code(self, fail_on: Severity | None = None, *, allow_unreadable: bool = False) -> ExitCode:
        return self.tally.exit_code(fail_on=fail_on, allow_unreadable=allow_unreadable)


def _as_list(paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str]) -> list[str]:
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    return [os.fspath(p) for p in paths]


def iter_scan(
    paths: Iterable[str | os.PathLike[str]],
    *,
    jobs: int | None = None,
    summary: ScanSummary | None = None,
    config: Config | None = None,
    on_progress: Callable[[], None] | None = None,
    hash_files: bool = True,
    executor: Executor | None = None,
) -> Iterator[Artifact]:
    """Yield one Artifact per ELF file or archive found under ``paths``, in a
    stable order, scanning in ``jobs`` processes (default: all cores), with
    the configuration's policy applied. Memory stays flat: nothing is kept
    once yielded. ``summary`` is filled in as the scan goes."""
    run = ScanRun(
        _as_list(paths),
        config=config,
        executor=executor,
        jobs=jobs,
        hash_files=hash_files,
        on_progress=on_progress,
    )
    try:
        for item in run:
            assert item.artifact is not None
            yield item.artifact
    finally:
        if summary is not None:
            for name in summary.__slots__:
                setattr(summary, name, getattr(run.summary, name))


def scan(
    paths: Iterable[str | os.PathLike[str] | Source] | str | os.PathLike[str],
    *,
    jobs: int | None = 1,
    config: Config | None = None,
    hash_files: bool = True,
    executor: Executor | None = None,
    fail_on: Severity = Severity.HIGH,
    baseline: Baseline | str | os.PathLike[str] | None = None,
) -> Report:
    """Scan files and folders (or :class:`~cgoguard.sources.Source` objects) and
    return a :class:`Report` holding every artifact.

    ``jobs`` defaults to 1 here (in-process) so that library users get no
    surprise subprocesses; the CLI uses all cores. ``baseline``: a previous JSON
    report (or a loaded :class:`~cgoguard.baseline.Baseline`); its findings are left out."""
    inputs: list[str | os.PathLike[str] | Source]
    inputs = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    run = ScanRun(
        inputs,
        config=config,
        executor=executor,
        jobs=jobs,
        hash_files=hash_files,
        fail_on=fail_on,
        baseline=_baseline(baseline),
    )
    artifacts = [item.artifact for item in run if item.artifact is not None]
    return Report(
        tool_info(),
        artifacts,
        run.summary,
        run.tally,
        run.set_findings,
        "scan",
        baseline=run.baseline_outcome,
    )


def _baseline(given: Baseline | str | os.PathLike[str] | None) -> Baseline | None:
    return given if given is None or isinstance(given, Baseline) else load_baseline(given)


def lint(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    against: str | os.PathLike[str] | None = None,
    config: Config | None = None,
    include_dirs: Iterable[str] = (),
    fail_on: Severity = Severity.HIGH,
    jobs: int | None = None,
    baseline: Baseline | str | os.PathLike[str] | None = None,
) -> Report:
    """Lint Go packages (``dir``, ``dir/...``, ``.go`` files) and C headers at the
    cgo export boundary; with ``against`` (a .so or .a), compare headers with
    the library. One artifact per file, findings located at file:line:column.
    ``jobs``: worker processes (default: the configuration's, else all cores);
    headers are parsed in a worker process even with one job. ``baseline`` as for :func:`scan`."""
    from cgoguard.linter import lint as lint_files

    started = time.perf_counter()
    known = _baseline(baseline)
    names = _as_list(paths)
    artifacts = lint_files(
        names,
        against=os.fspath(against) if against is not None else None,
        config=config,
        include_dirs=list(include_dirs),
        jobs=jobs,
    )
    tally = Tally(fail_on)
    tally.missing = [p for p in names if not os.path.lexists(p.removesuffix("/...") or ".")]
    if against is not None and not os.path.lexists(against):
        tally.missing.append(os.fspath(against))
    unchanged: list[bytes] = []
    fingerprints = known.known() if known is not None else KnownFindings(())
    for artifact in artifacts:
        if known is not None:  # the baseline filter, before the tally
            unchanged += drop_known(artifact, fingerprints)
        tally.add_item(item_of(artifact))
    compared = None
    if known is not None:
        enabled = [c.id for c in all_checks() if (config or Config()).enabled(c.id)]
        compared = outcome(known, unchanged, sum(tally.counts), enabled)
    summary = ScanSummary(
        files_seen=len(artifacts),
        artifacts=len(artifacts),
        errors=len(tally.unread),
        seconds=time.perf_counter() - started,
    )
    return Report(tool_info(), artifacts, summary, tally, [], "lint", baseline=compared)


def build(
    package: Target | str | None = None,
    *,
    mode: str = "exe",
    profile: str | None = None,
    config: Config | None = None,
    targets: Sequence[str] = (),
    out_dir: str | os.PathLike[str] | None = None,
    go: str | None = None,
    provenance: bool = False,
    check_reproducible: bool = False,
    run_smoke: str | None = None,
    fail_on: Severity = Severity.HIGH,
    trust_config: bool = False,
    report_path: str | os.PathLike[str] | None = None,
) -> list[TargetOutcome]:
    """Build with a hardening profile and verify: ``package`` (a folder or import
    path, or a :class:`~cgoguard.gobuild.Target`), or else every target of
    ``[tool.cgoguard.build]`` (only those named in ``targets``). For each target:
    the boundary lint first (refused at ``fail_on``), ``go build``, the catalogue
    checks the profile verifies, a smoke test, the manifest. Returns one
    :class:`~cgoguard.gobuild.TargetOutcome` per target, never raising for one
    target; raises :class:`~cgoguard.gobuild.BuildError` when the request itself
    is wrong (exit code 2), or when the configuration file sets what may run a
    program or write outside its folder (``go``, ``cc``, most ``env`` variables,
    flags outside cgoguard's allowlists, ``out`` elsewhere) and ``trust_config``
    is false (:mod:`cgoguard.gobuild.trust`). ``report_path``: where a report of
    this build will be written; refused the same way, before building, when it is
    the output folder or a file the build writes (artifact, header, manifest ...)."""
    from cgoguard.config import load_config
    from cgoguard.gobuild.batch import build_all, refuse_report_over_outputs
    from cgoguard.gobuild.builder import BuildOptions
    from cgoguard.gobuild.targets import resolve_targets, single_target

    config = config if config is not None else load_config()
    if isinstance(package, str):
        package = single_target(package, mode=mode, profile=profile or "hardened")
    resolved = resolve_targets(
        config,
        package=package,
        names=targets,
        profile=profile,
        out_dir=os.fspath(out_dir) if out_dir is not None else None,
        go=go,
        trust_config=trust_config,
    )
    if report_path is not None:
        refuse_report_over_outputs(report_path, resolved, provenance)
    options = BuildOptions(
        out_dir=resolved.out_dir,
        go=resolved.go,
        provenance=provenance,
        check_reproducible=check_reproducible,
        run_smoke=run_smoke,
        lint_config=config,
        fail_on=fail_on,
    )
    return build_all(resolved.targets, resolved.profiles, resolved.workdir, options)
