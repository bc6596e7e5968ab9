"""``cgoguard probe``: arguments -> cgoguard.api.probe -> the common reporters -> exit code.

Exit codes as for scan: 0 nothing at or above --fail-on, 1 findings (static or
measured), 2 usage (an artifact not built by `cgoguard build` without
--yes-execute, no C compiler for the helper), 3 a file could not be read or
its probe did not complete (crashed, hung, did not load).
"""

from __future__ import annotations

import argparse

from cgoguard.cli import common

FORMATS = ("text", "json", "sarif", "markdown")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "probe",
        help="load a library or run an executable in a sandbox and measure ASLR, W^X, RELRO, FIPS mode",
        description="Scan each FILE, then load it (a shared library: dlopen in a small helper) or run it (an "
        "executable, with the arguments after --, default --help) RUNS times, each in a sandboxed child: its "
        "own process group, a time limit, resource limits, no network namespace where the kernel allows it, "
        "a private temporary folder. Measures the image, heap and stack bases (entropy in bits), every "
        "mapping after load (W^X, RELRO applied), the Go runtime's FIPS mode, TracerPid and dumpable state. "
        "Probing runs code: files not built by `cgoguard build` need --yes-execute. See docs/probe.md.",
    )
    parser.add_argument("paths", nargs="+", metavar="FILE", help="an executable or a shared library")
    parser.add_argument("--runs", type=int, default=32, metavar="N", help="runs per file (default 32)")
    parser.add_argument(
        "--yes-execute",
        action="store_true",
        help="run files that no `cgoguard build` manifest beside them names (their code runs, sandboxed)",
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, metavar="SECONDS", help="time limit of one run (default 10)"
    )
    parser.add_argument(
        "--memory", type=int, default=1024, metavar="MIB", help="RLIMIT_DATA of one run (default 1024)"
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="set a variable in the probed process's environment (repeatable), e.g. GODEBUG=fips140=on; "
        "of cgoguard's own environment only PATH, the locale, LD_LIBRARY_PATH and Go's variables pass",
    )
    parser.add_argument("--format", "-f", choices=FORMATS, default="text", help="report format")
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="write the report to FILE (atomically) instead of stdout"
    )
    common.add_language_option(parser)
    common.add_policy_options(parser)
    parser.set_defaults(handler=run, program_arguments=[])


def run(args: argparse.Namespace) -> int:
    from cgoguard.api import probe, tool_info
    from cgoguard.checks import CheckTarget
    from cgoguard.errors import UsageError
    from cgoguard.fileio import report_output
    from cgoguard.outcome import item_of
    from cgoguard.reports import ReportContext, RunTotals, create_reporter

    env: dict[str, str] = {}
    for setting in args.env:
        name, sep, value = setting.partition("=")
        if not sep or not name:
            raise UsageError(f"--env {setting!r}: expected NAME=VALUE.")
        env[name] = value
    config = common.effective_config(args)
    fail_on = common.fail_on(args, config)
    common.refuse_output_over_input(args.output, args.paths)
    report = probe(
        args.paths,
        runs=args.runs,
        arguments=args.program_arguments or ["--help"],
        yes_execute=args.yes_execute,
        timeout=args.timeout,
        memory_mib=args.memory,
        env=env,
        config=config,
        fail_on=fail_on,
    )
    targets = (CheckTarget.BINARY, CheckTarget.MEASURED)
    context = ReportContext(
        "probe", tool_info(), common.enabled_checks(config, *targets), fail_on, lang=args.lang
    )
    with report_output(args.output) as out:
        reporter = create_reporter(args.format, out, context)
        for artifact in report.artifacts:
            reporter.add(item_of(artifact))
        reporter.finish(RunTotals(report.summary, report.tally, report.set_findings))
        says_it = common.text_on_stdout(args.format, out)
    return common.conclude(report.tally, allow=False, report_says_it=says_it, what="probed")
