"""``cgoguard lint``: arguments -> pipeline -> report -> exit code.

Same conventions as ``scan``: --format text|json|sarif, --output, --select,
--ignore, --config, --fail-on; exit 0 when no finding is at or above
--fail-on (default high), 1 when some are, 2 for usage errors or when no
input could be read.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import IO, Any

from cgoguard.model import Artifact, ScanSummary, Severity


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    from cgoguard.cli import add_report_options

    parser: argparse.ArgumentParser = subparsers.add_parser(
        "lint",
        help="check Go sources and C headers at the cgo export boundary",
        description="Check Go package folders (dir, or dir/... for sub-folders), Go files and C "
        "headers for cgo export mistakes; with --against, compare a header with the library it "
        "describes.",
    )
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="Go package folders, .go files or .h headers"
    )
    parser.add_argument(
        "--against",
        metavar="LIBRARY",
        help="a .so or .a: report header declarations it lacks and //export functions the header lacks",
    )
    parser.add_argument(
        "--include",
        "-I",
        action="append",
        default=[],
        metavar="DIR",
        help="extra include folder for parsing headers (repeatable)",
    )
    add_report_options(parser)
    parser.add_argument("--verbose", "-v", action="store_true", help="text: show each finding's fix")
    return parser


def _json_report(artifacts: list[Artifact], out: IO[str], summary: ScanSummary, fail_on: Severity) -> None:
    from cgoguard.api import tool_info
    from cgoguard.reports.jsonreport import artifact_json, write_json

    write_json((artifact_json(a) for a in artifacts), out, tool_info(), summary, {"fail_on": str(fail_on)})


def run(args: argparse.Namespace) -> int:
    from cgoguard.checks import CheckTarget, all_checks
    from cgoguard.cli import (
        EXIT_FINDINGS,
        EXIT_OK,
        EXIT_USAGE,
        FORMATS,
        _effective_config,
    )
    from cgoguard.errors import UsageError
    from cgoguard.fileio import report_output
    from cgoguard.lint.pipeline import lint

    config = _effective_config(args)
    fmt = args.format or config.format or "text"
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} in {config.source}; use one of {', '.join(FORMATS)}.")
    fail_on = next((s for s in (args.fail_on, config.fail_on) if s is not None), Severity.HIGH)
    started = time.perf_counter()
    artifacts = lint(args.paths, against=args.against, config=config, include_dirs=args.include)
    summary = ScanSummary(
        files_seen=len(artifacts),
        artifacts=len(artifacts),
        errors=sum(a.error is not None for a in artifacts),
        seconds=time.perf_counter() - started,
    )
    for artifact in artifacts:
        if artifact.error:
            print(f"cgoguard: error: {artifact.error}", file=sys.stderr)
    with report_output(args.output) as out:
        if fmt == "json":
            _json_report(artifacts, out, summary, fail_on)
        elif fmt == "sarif":
            from cgoguard.api import tool_info
            from cgoguard.reports.sarif import write_sarif

            checks = [c for c in all_checks() if c.target != CheckTarget.BINARY and config.enabled(c.id)]
            write_sarif(artifacts, out, tool_info(), checks, summary)
        else:
            from cgoguard.reports.text import write_text

            color = None if out is sys.stdout else False
            findings = sum(len(a.findings) for a in artifacts)
            footer = (
                f"Linted {len(artifacts)} file(s) in {summary.seconds:.2f} s; {summary.errors} error(s); "
                f"{findings} finding(s)"
            )
            write_text(artifacts, out, summary, verbose=args.verbose, color=color, footer=footer)
    readable = [a for a in artifacts if a.error is None or a.findings]
    if not readable:
        print("cgoguard: nothing could be linted (every input had an error).", file=sys.stderr)
        return EXIT_USAGE
    at_or_above = sum(f.severity >= fail_on for a in artifacts for f in a.findings)
    return EXIT_FINDINGS if at_or_above else EXIT_OK
