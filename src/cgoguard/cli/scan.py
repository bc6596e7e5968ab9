"""``cgoguard scan``: paths -> scan pipeline -> reporter -> exit code."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from cgoguard.cli import common
from cgoguard.errors import UsageError

if TYPE_CHECKING:
    from cgoguard.model import Artifact, Item


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    scan = subparsers.add_parser(
        "scan",
        help="scan ELF files, shared libraries and ar archives",
        description="Scan files and folders (recursively) for ELF executables, shared objects, objects and "
        "ar archives; report hardening, Go facts and exports. Exit 0: no finding at or above --fail-on; "
        "1: findings; 2: usage, configuration or output error; 3: incomplete (an input is missing or "
        "could not be read, or nothing scannable was found).",
    )
    scan.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to scan")
    common.add_report_options(scan)
    common.add_work_options(scan, "worker processes (default: all cores; 1 scans in-process)")
    scan.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="text: show the hardening line of every artifact and each finding's fix",
    )
    scan.add_argument(
        "--platform",
        metavar="OS/ARCH",
        help="the platform to read from a multi-platform container image, e.g. linux/arm64 "
        "(default: this machine's)",
    )
    scan.add_argument(
        "--group",
        action="store_true",
        help="set-level checks: everything scanned loads together (e.g. the wheels installed into one "
        "environment); by default each container is its own group and the loose files another",
    )
    scan.add_argument(
        "--deleted-files",
        action="store_true",
        default=None,
        help="also scan the files of a container image that a later layer deletes or replaces "
        "(shown as path#deleted@<layer>; not part of set-level checks)",
    )
    scan.add_argument(
        "--vulndb",
        metavar="PATH",
        help="the Go vulnerability database to match Go artifacts against: a folder or zip in the "
        "vuln.go.dev layout (index/modules.json, ID/*.json) or of OSV JSON files, read offline; 'online' "
        "(the default): the local copy of vuln.go.dev, fetched when missing or older than a day; 'off': "
        "no matching (config: vulndb; environment: CGOGUARD_VULNDB)",
    )
    scan.add_argument(
        "--executor",
        default="local",
        metavar="WHERE",
        help="where the per-file work runs: local (worker processes, the default), local-dask (a Dask "
        "LocalCluster of --jobs processes) or dask://HOST:PORT (a running Dask scheduler). Workers are "
        "sent file paths, not bytes: every worker must see the inputs at the same paths as this machine "
        "(a shared filesystem). Needs pip install 'cgoguard[dask]'",
    )
    scan.add_argument(
        "--cache",
        metavar="DIR",
        help="a result cache: an input whose bytes, path, cgoguard version and configuration were seen "
        "before costs a hash and a lookup. Only this process reads and writes DIR (not the workers); "
        "it must be writable by nobody else. Identical files within a run are read once. For formats "
        "rendered per file (json, jsonl, text, html, SBOMs); others are not cached",
    )
    scan.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    scan.add_argument(
        "--no-hash",
        action="store_true",
        help="skip the SHA-256 of each file (sha256 is null in reports); the hash reads every byte "
        "and is a third to a half of a scan's time",
    )
    scan.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    # Imported here so that other commands do not pay for the scan pipeline at start-up.
    from cgoguard.api import ScanRun, tool_info
    from cgoguard.checks import CheckTarget
    from cgoguard.reports import ReportContext, RunTotals

    config = common.effective_config(args)
    known = common.baseline(args, config)  # a bad baseline ends the run before anything is scanned
    if args.platform is not None:
        from cgoguard.config import valid_platform

        if not valid_platform(args.platform):
            raise UsageError(
                f'--platform takes OS/ARCH[/VARIANT] such as "linux/arm64", not {args.platform!r}.'
            )
        config.platform = args.platform
    if args.deleted_files:
        config.deleted_files = True
    if args.group:
        config.one_group = True
    vulndb_note = common.choose_vulndb(args, config)
    fmt = common.report_format(args, config)
    if fmt == "openvex" and config.vulndb is None:
        raise UsageError(
            "--format openvex states what a vulnerability database says: give one with --vulndb."
        )
    fail_on = common.fail_on(args, config)
    jobs = common.effective_jobs_note(args, config)
    targets = [CheckTarget.BINARY, CheckTarget.ARTIFACT_SET]
    if config.vulndb is not None:
        targets.append(CheckTarget.KNOWN_VULNERABILITIES)
    checks = common.enabled_checks(config, *targets)
    context = ReportContext(
        "scan",
        tool_info(),
        checks,
        fail_on,
        verbose=args.verbose,
        color=common.color(args),
        lang=args.lang,
    )
    progress = common.Progress(not args.no_progress, "scanning")
    runs: list[ScanRun] = []
    cache = None
    if args.cache is not None:
        if args.no_hash:
            raise UsageError("--cache keys results by the files' hashes: drop --no-hash.")
        from cgoguard.resultcache import ResultCache

        cache = ResultCache(args.cache)
    executor = None
    if args.executor != "local":
        from cgoguard.daskexec import DaskExecutor, scheduler_address

        executor = DaskExecutor(scheduler_address(args.executor), jobs, limits=config.item_limits)

    def produce(
        prerender: Callable[[Artifact], str] | None, own: frozenset[tuple[int, int]]
    ) -> Iterable[Item]:
        scan_run = ScanRun(
            args.paths,
            config=config,
            jobs=jobs,
            hash_files=not args.no_hash,
            prerender=prerender,
            fail_on=fail_on,
            on_progress=progress.tick,
            exclude=own,
            baseline=known,
            executor=executor,
            cache=cache,
        )
        scan_run.summary.vulndb_note = vulndb_note
        runs.append(scan_run)
        return progress.wrap(scan_run, lambda: (scan_run.stats.listed, scan_run.stats.exhausted))

    def totals() -> RunTotals:
        (scan_run,) = runs
        return RunTotals(
            scan_run.summary, scan_run.tally, scan_run.set_findings, baseline=scan_run.baseline_outcome
        )

    try:
        return common.report(args, config, fmt, context, produce, totals, what="scanned")
    finally:
        if executor is not None:
            executor.close()
