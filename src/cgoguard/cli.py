"""Command line: arguments -> api -> formatter -> exit code.

Exit codes: 0 no finding at or above --fail-on; 1 findings at or above it;
2 usage or configuration error, or nothing readable.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from cgoguard import __version__
from cgoguard.errors import CgoguardError, UsageError
from cgoguard.fileio import report_output
from cgoguard.model import Artifact, ScanSummary, Severity

if TYPE_CHECKING:
    from cgoguard.api import Rendered
    from cgoguard.checks import Check
    from cgoguard.config import Config

# The check catalogue, the configuration and the scan pipeline are imported
# where a command needs them, so `--version`, `--help` and commands that do
# not scan start fast.

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
T = TypeVar("T")
FORMATS = ("text", "json", "sarif")


def _severity(text: str) -> Severity:
    try:
        return Severity.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--jobs takes a whole number, not {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError("--jobs must be 0 (all cores) or more")
    return value


def add_report_options(command: argparse.ArgumentParser) -> None:
    """The report and policy options that scan and lint share."""
    command.add_argument(
        "--format", "-f", choices=FORMATS, default=None, help="output format (default: text)"
    )
    command.add_argument("--output", "-o", metavar="FILE", help="write the report to FILE instead of stdout")
    command.add_argument(
        "--fail-on",
        type=_severity,
        default=None,
        metavar="SEVERITY",
        help="exit 1 when a finding has this severity or higher "
        "(info, low, medium, high, critical; default: high)",
    )
    command.add_argument(
        "--config",
        metavar="FILE",
        help="configuration file (default: cgoguard.toml or pyproject.toml [tool.cgoguard], "
        "searched from the current folder upwards)",
    )
    command.add_argument(
        "--select", metavar="IDS", help="comma-separated checks to run (IDs, prefixes or names)"
    )
    command.add_argument("--ignore", metavar="IDS", help="comma-separated checks to skip")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cgoguard",
        description="Audit Go code shipped as C libraries and hardened executables.",
    )
    parser.add_argument("--version", action="version", version=f"cgoguard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    scan = sub.add_parser(
        "scan",
        help="scan ELF files, shared libraries and ar archives",
        description="Scan files and folders (recursively) for ELF executables, shared "
        "objects, objects and ar archives; report hardening, Go facts and "
        "exports.",
    )
    scan.add_argument("paths", nargs="+", metavar="PATH", help="files or folders to scan")
    add_report_options(scan)
    scan.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=None,
        metavar="N",
        help="worker processes (default: all cores; 1 scans in-process)",
    )
    scan.add_argument(
        "--verbose",
        "-v",
        action="store_true",
        help="text: show the hardening line of every artifact and each finding's fix",
    )
    scan.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    scan.add_argument(
        "--no-hash",
        action="store_true",
        help="skip the SHA-256 of each file (sha256 is null in reports); the hash reads every byte "
        "and is a third to a half of a scan's time",
    )

    checks = sub.add_parser("checks", help="list the check catalogue")
    checks.add_argument(
        "--format",
        "-f",
        choices=("text", "json", "markdown"),
        default="text",
        help="markdown renders the catalogue as docs/checks.md",
    )

    from cgoguard.lint.command import add_parser as add_lint_parser  # its parsers load only when run

    add_lint_parser(sub)

    explain = sub.add_parser("explain", help="print one check's documentation")
    explain.add_argument("check", metavar="ID", help="check ID (CG101) or name (executable-not-pie)")

    from cgoguard.gobuild.command import add_parser as add_build_parser

    add_build_parser(sub)
    return parser


def _list(text: str | None) -> list[str]:
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def _effective_config(args: argparse.Namespace) -> Config:
    from cgoguard.config import load_config

    config = load_config(args.config)
    from cgoguard.config import config_from_table

    overrides: dict[str, object] = {}
    if args.select:
        overrides["select"] = _list(args.select)
    if args.ignore:
        overrides["ignore"] = _list(args.ignore)
    if overrides:
        cli = config_from_table(overrides, "command line")
        if cli.select is not None:
            config.select = cli.select
        config.ignore = config.ignore | cli.ignore
    return config


def _with_progress(results: Iterator[T], enabled: bool, counter: list[int]) -> Iterator[T]:
    if not enabled:
        yield from results
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("scanning"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(file=sys.stderr),
        transient=True,
    ) as progress:
        task = progress.add_task("scan", total=None)
        last = 0
        for result in results:
            if counter[0] - last >= 25:
                progress.update(task, completed=counter[0])
                last = counter[0]
            yield result


@dataclass(slots=True)
class _Tally:
    """What the exit code is decided from, gathered while the report streams."""

    fail_on: Severity
    at_or_above: int = 0
    readable: int = 0

    def artifacts(self, results: Iterator[Artifact]) -> Iterator[Artifact]:
        for artifact in results:
            self.readable += artifact.error is None or bool(artifact.members)
            self.at_or_above += _count_at_or_above(artifact, self.fail_on)
            yield artifact

    def texts(self, results: Iterator[Rendered]) -> Iterator[str]:
        for result in results:
            self.readable += result.readable
            self.at_or_above += sum(s >= self.fail_on for s in result.severities)
            yield result.text


def cmd_scan(args: argparse.Namespace) -> int:
    # Imported here so that `cgoguard build` and `lint` do not pay for the scan pipeline at start-up.
    from cgoguard.api import iter_rendered, iter_scan, tool_info
    from cgoguard.checks import CheckTarget, all_checks

    config = _effective_config(args)
    fmt = args.format or config.format or "text"
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} in {config.source}; use one of {', '.join(FORMATS)}.")
    # Severity.INFO is 0, so test for None rather than truth.
    fail_on = next((s for s in (args.fail_on, config.fail_on) if s is not None), Severity.HIGH)
    jobs = (args.jobs if args.jobs is not None else config.jobs) or None
    missing = [p for p in args.paths if not os.path.lexists(p)]
    if len(missing) == len(args.paths):
        raise UsageError("nothing to scan: " + ", ".join(f"{p} does not exist" for p in missing) + ".")
    for path in missing:
        print(f"cgoguard: warning: {path} does not exist", file=sys.stderr)

    summary = ScanSummary()
    counter = [0]

    def on_progress() -> None:
        counter[0] += 1

    show_progress = not args.no_progress and sys.stderr.isatty()
    hash_files = not args.no_hash
    tally = _Tally(fail_on)
    with report_output(args.output) as out:
        if fmt == "json":
            from cgoguard.reports.jsonreport import artifact_json, write_json

            rendered = iter_rendered(
                args.paths,
                artifact_json,
                jobs=jobs,
                summary=summary,
                config=config,
                on_progress=on_progress,
                hash_files=hash_files,
            )
            texts = tally.texts(_with_progress(rendered, show_progress, counter))
            write_json(texts, out, tool_info(), summary, {"fail_on": str(fail_on)})
        else:
            scanned = iter_scan(
                args.paths,
                jobs=jobs,
                summary=summary,
                config=config,
                on_progress=on_progress,
                hash_files=hash_files,
            )
            artifacts = tally.artifacts(_with_progress(scanned, show_progress, counter))
            if fmt == "sarif":
                from cgoguard.reports.sarif import write_sarif

                checks = [c for c in all_checks(CheckTarget.BINARY) if config.enabled(c.id)]
                write_sarif(artifacts, out, tool_info(), checks, summary)
            else:
                from cgoguard.reports.text import write_text

                color = None if out is sys.stdout else False
                write_text(artifacts, out, summary, verbose=args.verbose, color=color)
    if summary.artifacts and not tally.readable:
        print("cgoguard: no input could be read (every file had an error).", file=sys.stderr)
        return EXIT_USAGE
    if summary.artifacts == 0:
        print("cgoguard: warning: no ELF file or ar archive found in the given paths.", file=sys.stderr)
    return EXIT_FINDINGS if tally.at_or_above else EXIT_OK


def _count_at_or_above(artifact: Artifact, threshold: Severity) -> int:
    return sum(f.severity >= threshold for f in artifact.findings) + sum(
        _count_at_or_above(m, threshold) for m in artifact.members
    )


def format_check(check: Check[Any]) -> str:
    lines = [
        f"{check.id} {check.name}",
        "",
        check.title,
        "",
        f"Severity: {check.severity}",
        f"Applies to: {check.applies_to}",
        "",
        "Why:",
        *("  " + line if line else "" for line in check.rationale.splitlines()),
        "",
        "Fix:",
        *("  " + line for line in check.fix.splitlines()),
    ]
    if check.example:
        lines += ["", "Example:", *("  " + line for line in check.example.splitlines())]
    if check.references:
        lines += ["", "References:", *(f"  {ref}" for ref in check.references)]
    return "\n".join(lines)


def catalogue_markdown(catalogue: list[Check[Any]]) -> str:
    """The check catalogue as Markdown (docs/checks.md is this, regenerated)."""
    parts = [
        "# cgoguard checks\n",
        "Generated by `cgoguard checks --format markdown` from the checks' own code; do not edit.\n",
        "| ID | name | looks at | severity | title |",
        "|---|---|---|---|---|",
    ]
    parts += [
        f"| [{c.id}](#{c.id.lower()}) | `{c.name}` | {c.target} | {c.severity} | {c.title} |"
        for c in catalogue
    ]
    for c in catalogue:
        parts += [
            "",
            f"## {c.id}",
            "",
            f"**{c.title}** (`{c.name}`, default severity {c.severity})",
            "",
            f"Applies to: {c.applies_to}",
            "",
            c.rationale,
            "",
        ]
        if c.example:
            parts += ["Example:", "", "```", c.example, "```", ""]
        parts += ["Fix:", "", "```", c.fix, "```"]
        if c.references:
            parts += ["", "References:", "", *(f"- <{ref}>" for ref in c.references)]
    return "\n".join(parts) + "\n"


def cmd_checks(args: argparse.Namespace) -> int:
    from cgoguard.checks import all_checks

    catalogue = all_checks()
    if args.format == "json":
        rows = [
            {
                "id": c.id,
                "name": c.name,
                "title": c.title,
                "severity": str(c.severity),
                "applies_to": c.applies_to,
                "rationale": c.rationale,
                "fix": c.fix,
                "references": list(c.references),
            }
            for c in catalogue
        ]
        json.dump(rows, sys.stdout, indent=2)
        print()
        return EXIT_OK
    if args.format == "markdown":
        print(catalogue_markdown(catalogue), end="")
        return EXIT_OK
    width = max(len(c.name) for c in catalogue)
    for c in catalogue:
        print(f"{c.id}  {c.name:<{width}}  {c.severity!s:<8}  {c.title}")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from cgoguard.checks import find_check

    found = find_check(args.check)
    if found is None:
        raise UsageError(f"no check called {args.check!r}; `cgoguard checks` lists them.")
    print(format_check(found))
    return EXIT_OK


def cmd_lint(args: argparse.Namespace) -> int:
    from cgoguard.lint.command import run

    return run(args)


def cmd_build(args: argparse.Namespace) -> int:
    from cgoguard.gobuild.command import run

    return run(args)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    handlers = {
        "scan": cmd_scan,
        "checks": cmd_checks,
        "explain": cmd_explain,
        "lint": cmd_lint,
        "build": cmd_build,
    }
    try:
        return handlers[args.command](args)
    except CgoguardError as error:
        print(f"cgoguard: error: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("cgoguard: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `cgoguard scan ... | head`: the reader left; that is not an error of ours.
        with contextlib.suppress(OSError):
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
