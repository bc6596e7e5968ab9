"""``cgoguard checks`` and ``cgoguard explain``: the catalogue, rendered by cgoguard.reports.catalogue."""

from __future__ import annotations

import argparse
import sys

from cgoguard.errors import UsageError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from cgoguard.checks import CheckTarget

    checks = subparsers.add_parser("checks", help="list the check catalogue")
    checks.add_argument(
        "--format",
        "-f",
        choices=("text", "json", "markdown", "markdown-table"),
        default="text",
        help="markdown renders docs/checks.md; markdown-table only the table",
    )
    checks.add_argument(
        "--target",
        metavar="TARGETS",
        help=f"comma-separated: only checks that look at these ({', '.join(t.value for t in CheckTarget)})",
    )
    checks.set_defaults(handler=run_checks)
    explain = subparsers.add_parser("explain", help="print one check's documentation")
    explain.add_argument("check", metavar="ID", help="check ID (CG101) or name (executable-not-pie)")
    explain.set_defaults(handler=run_explain)


def run_checks(args: argparse.Namespace) -> int:
    from cgoguard.checks import CheckTarget, all_checks
    from cgoguard.reports.catalogue import CATALOGUE_FORMATS

    catalogue = all_checks()
    if args.target:
        try:
            wanted = {CheckTarget(t.strip()) for t in args.target.split(",") if t.strip()}
        except ValueError:
            names = ", ".join(t.value for t in CheckTarget)
            raise UsageError(f"unknown target in {args.target!r}; use {names}.") from None
        catalogue = [c for c in catalogue if c.target in wanted]
    sys.stdout.write(CATALOGUE_FORMATS[args.format](catalogue))
    return 0


def run_explain(args: argparse.Namespace) -> int:
    from cgoguard.checks import find_check
    from cgoguard.reports.catalogue import explain

    found = find_check(args.check)
    if found is None:
        raise UsageError(f"no check called {args.check!r}; `cgoguard checks` lists them.")
    sys.stdout.write(explain(found))
    return 0
