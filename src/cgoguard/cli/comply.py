"""``cgoguard comply``: evidence per control from one run of scan, lint and build manifests;
``--matrix``: the build-mode × control table from the mappings and the catalogue."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from cgoguard.cli import common
from cgoguard.errors import UsageError

if TYPE_CHECKING:
    from cgoguard.model import Artifact, Item
    from cgoguard.signing import SigningKey

from cgoguard.reports import REPORTERS

# the report formats that can carry evidence per control (each takes RunTotals.evidence)
FORMATS = tuple(f for f in ("text", "json", "markdown", "csv", "html", "junit", "oscal") if f in REPORTERS)
MATRIX_FORMATS = ("text", "json", "markdown", "csv")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = subparsers.add_parser(
        "comply",
        help="evidence per control (GB/T 22239, NIST SP 800-53, SSDF, ...) from scan, lint and build results",
        description="Scan the artifacts (and lint --source, read --manifest) and grade each control of the "
        "chosen frameworks by the checks its mapping names: gaps, evidenced (with the relationship the "
        "evidence reaches), not evaluated (and what is missing), or not addressable by binary analysis. "
        "Evidence, never a verdict on a system. Exit codes as for scan (1: a finding at or above "
        "--fail-on). --matrix prints the build-mode × control table instead and reads nothing.",
    )
    command.add_argument("paths", nargs="*", metavar="PATH", help="files, folders, wheels, images to scan")
    command.add_argument(
        "--framework",
        metavar="IDS",
        help="comma-separated framework IDs (default: all; `cgoguard frameworks` lists them)",
    )
    command.add_argument(
        "--mapping",
        metavar="FILE",
        action="append",
        default=[],
        help="a mapping file of your own (repeatable)",
    )
    command.add_argument(
        "--source",
        metavar="DIR",
        action="append",
        default=[],
        help="Go packages or C headers to lint for the boundary checks (repeatable, as lint takes them)",
    )
    command.add_argument("--against", metavar="LIB", help="compare the linted headers with this .so or .a")
    command.add_argument(
        "--manifest",
        metavar="FILE",
        action="append",
        default=[],
        help="a build manifest of `cgoguard build` (repeatable): its verification is evidence",
    )
    command.add_argument(
        "--signature",
        metavar="BUNDLE",
        action="append",
        default=[],
        help="a signature bundle of `cgoguard build --sign` (repeatable): CG240 says which scanned files a "
        "valid signature covers",
    )
    command.add_argument(
        "--key", metavar="PUB", action="append", default=[], help="a public key to check --signature with"
    )
    command.add_argument(
        "--vulndb",
        metavar="PATH",
        help="as for scan: a database folder or zip, 'online' (the default, the local copy of vuln.go.dev), "
        "or 'off'",
    )
    command.add_argument(
        "--matrix",
        action="store_true",
        help="print the build mode × control table (exe, pie, c-shared, c-archive, plugin × profile)",
    )
    command.add_argument(
        "--profile",
        metavar="NAMES",
        help="--matrix: comma-separated build profiles (default: default,hardened,fips)",
    )
    command.add_argument(
        "--sign",
        metavar="KEY",
        help="sign the report written to --output with this PEM private key (ed25519, ECDSA P-256/P-384): "
        "<output>.sig.json, a DSSE envelope naming the report and the artifacts by SHA-256; check with "
        "`cgoguard verify`",
    )
    command.add_argument(
        "--sign-passphrase-env",
        metavar="VAR",
        help="the environment variable holding the --sign key's passphrase",
    )
    command.add_argument(
        "--valid-for",
        type=float,
        metavar="DAYS",
        help="--sign: the signature expires after DAYS (default: never)",
    )
    command.add_argument(
        "--probe",
        type=int,
        default=0,
        metavar="RUNS",
        help="also load or run each executable and library RUNS times in a sandbox (as `cgoguard probe`): "
        "the measured checks CG501-CG506 become evidence; needs --yes-execute unless cgoguard built it",
    )
    command.add_argument(
        "--yes-execute", action="store_true", help="--probe: run files no `cgoguard build` manifest names"
    )
    command.add_argument("--verbose", "-v", action="store_true", help="text: also each artifact's detail")
    command.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    common.add_report_options(command, FORMATS)
    common.add_work_options(command, "worker processes for the scan (default: all cores)")
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    if args.matrix:
        return _matrix(args)
    if not args.paths:
        raise UsageError("comply needs the artifacts to scan (or --matrix).")
    from cgoguard.api import comply, tool_info
    from cgoguard.checks import CheckTarget
    from cgoguard.outcome import item_of
    from cgoguard.reports import ReportContext, RunTotals

    if getattr(args, "baseline", None):
        raise UsageError(
            "comply grades controls on every finding, so it takes no --baseline (scan and lint do); "
            "compare two JSON evidence reports instead."
        )
    key = None
    if args.sign is not None:
        from cgoguard.signing import load_private_key

        if args.output in (None, "-"):
            raise UsageError("--sign signs the report file: give it with --output FILE.")
        key = load_private_key(args.sign, passphrase_env=args.sign_passphrase_env)  # exit 2 before any work
    config = common.effective_config(args)
    vulndb_note = common.choose_vulndb(args, config)
    fmt = common.report_format(args, config, FORMATS)
    if fmt == "oscal":
        from cgoguard.reports.oscal import require_models

        require_models()  # before the scan, not after it
    fail_on = common.fail_on(args, config)
    jobs = common.effective_jobs_note(args, config)
    progress = common.Progress(not args.no_progress, "collecting evidence")
    targets = [CheckTarget.BINARY, CheckTarget.ARTIFACT_SET, CheckTarget.BUILD]
    if config.vulndb is not None:
        targets.append(CheckTarget.KNOWN_VULNERABILITIES)
    if args.source:
        targets += [
            CheckTarget.GO_SOURCE,
            CheckTarget.C_HEADER,
            CheckTarget.HEADER_BINARY,
            CheckTarget.HEADER_GO,
        ]
    if args.signature:
        targets.append(CheckTarget.SIGNATURE)
    if args.probe:
        targets.append(CheckTarget.MEASURED)
    context = ReportContext(
        "comply", tool_info(), common.enabled_checks(config, *targets), fail_on, args.verbose, lang=args.lang
    )
    frameworks = common.split_list(args.framework)
    result = comply(
        args.paths,
        frameworks=frameworks,
        mappings=args.mapping,
        sources=args.source,
        against=args.against,
        manifests=args.manifest,
        signatures=args.signature,
        keys=args.key,
        config=config,
        jobs=jobs,
        fail_on=fail_on,
        on_progress=progress.tick,
        watch=lambda run: progress.wrap(run, lambda: (run.stats.listed, run.stats.exhausted)),
        probe_runs=args.probe,
        yes_execute=args.yes_execute,
    )
    result.scan.summary.vulndb_note = vulndb_note

    def produce(
        _prerender: Callable[[Artifact], str] | None, _own: frozenset[tuple[int, int]]
    ) -> Iterable[Item]:
        for artifact in result.scan.artifacts:
            yield item_of(artifact)
        for linted in result.lint.artifacts if result.lint is not None else ():
            yield item_of(linted)

    def totals() -> RunTotals:
        return RunTotals(result.scan.summary, result.tally, result.scan.set_findings, result.evidence)

    code = common.report(args, config, fmt, context, produce, totals, what="checked")
    if key is not None:
        _sign(args, key, result.scan.artifacts, frameworks or [f.framework.id for f in result.evidence])
    return code


def _sign(
    args: argparse.Namespace, key: SigningKey, artifacts: list[Artifact], frameworks: list[str]
) -> None:
    """``<output>.sig.json``: the report by name and digest; the artifacts' digests (as scanned) in the
    predicate, so the signature covers what the evidence is about as well as the evidence."""
    import os

    from cgoguard.api import tool_info
    from cgoguard.signing import FILES_PREDICATE_TYPE, sign_files, write_envelope

    predicate = {
        "tool": tool_info(),
        "command": "comply",
        "report": os.path.basename(args.output),
        "format": args.format or "text",
        "frameworks": frameworks,
        "artifacts": [{"name": a.path, "sha256": a.sha256} for a in artifacts if a.sha256 is not None],
    }
    envelope = sign_files(
        [args.output],
        key,
        FILES_PREDICATE_TYPE,
        predicate,
        valid_for=args.valid_for,
    )
    write_envelope(args.output + ".sig.json", envelope)


def _matrix(args: argparse.Namespace) -> int:
    from cgoguard.controls import select_frameworks
    from cgoguard.evidence import MATRIX_MODES, build_matrix, matrix_to_dict
    from cgoguard.fileio import report_output
    from cgoguard.gobuild.profiles import BUILTIN
    from cgoguard.reports.evidence_text import matrix_markdown, matrix_text

    if args.paths:
        raise UsageError("--matrix reads nothing: leave out the paths.")
    fmt = args.format or "text"
    if fmt not in MATRIX_FORMATS:
        raise UsageError(f"--matrix is written as {', '.join(MATRIX_FORMATS)}, not {fmt}.")
    names = common.split_list(args.profile) or ["default", "hardened", "fips"]
    unknown = [n for n in names if n not in BUILTIN]
    if unknown:
        raise UsageError(f"unknown profile {', '.join(unknown)}; built in: {', '.join(BUILTIN)}.")
    rows = build_matrix(
        select_frameworks(common.split_list(args.framework), args.mapping), [BUILTIN[n] for n in names]
    )
    with report_output(args.output) as out:
        if fmt == "json":
            json.dump(matrix_to_dict(rows), out, indent=2, ensure_ascii=False)
            out.write("\n")
        elif fmt == "csv":
            from cgoguard.reports.csvreport import write_matrix_csv

            write_matrix_csv(out, rows, MATRIX_MODES)
        else:
            render = matrix_markdown if fmt == "markdown" else matrix_text
            for line in render(rows, MATRIX_MODES, args.lang):
                out.write(line + "\n")
    return 0
