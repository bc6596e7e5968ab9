"""``cgoguard verify``: arguments -> cgoguard.api.verify -> report -> exit code.

Exit codes: 0 a given key's signature holds and every file matches its signed
digest; 1 the signature does not hold (altered, another key, expired,
malformed, unsigned), a digest differs, or a named file is not in the
statement; 2 usage error (a key that cannot be used); 3 the bundle or a
file it names is missing or unreadable.
"""

from __future__ import annotations

import argparse

FORMATS = ("text", "json")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check a signed bundle (build --sign) and the files it names",
        description="Check the DSSE signature of BUNDLE (<name>.sig.json or <name>.intoto.jsonl, written by "
        "`cgoguard build --sign`) with the given public key(s), then re-hash each file its statement names: "
        "in the bundle's folder, or in the FOLDERs given, or just the FILEs given. Exit 0: signature valid "
        "and every file matches; 1: the signature does not hold (altered, another key, expired, unsigned) "
        "or a file differs or is not signed; 2: usage error; 3: the bundle or a file it names is missing.",
    )
    parser.add_argument("bundle", metavar="BUNDLE", help="the signed envelope file")
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="FILE-or-FOLDER",
        help="files to check, or folders to find the signed files in (default: the bundle's folder)",
    )
    parser.add_argument(
        "--key",
        "-k",
        action="append",
        required=True,
        metavar="PUB",
        help="a PEM public key (openssl pkey -pubout) whose signature is accepted (repeatable)",
    )
    parser.add_argument("--format", "-f", choices=FORMATS, default="text", help="report format")
    parser.add_argument(
        "--output", "-o", metavar="FILE", help="write the report to FILE (atomically) instead of stdout"
    )
    # `verify BUNDLE --key PUB dist/`: argparse hands positionals after an option back as
    # extras; cgoguard.cli.main adds them to `paths` for commands that set this.
    parser.set_defaults(handler=run, trailing_positionals="paths")


def run(args: argparse.Namespace) -> int:
    from cgoguard.api import verify
    from cgoguard.fileio import report_output
    from cgoguard.reports.verify import write_json, write_text

    result = verify(args.bundle, args.key, args.paths)
    with report_output(args.output) as out:
        (write_json if args.format == "json" else write_text)(result, out)
    return int(result.exit_code())
