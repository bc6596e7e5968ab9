"""``cgoguard frameworks``: the compliance frameworks cgoguard maps its checks to."""

from __future__ import annotations

import argparse
import json
import sys


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = subparsers.add_parser(
        "frameworks", help="list the compliance frameworks the checks are mapped to, with their editions"
    )
    command.add_argument("--format", "-f", choices=("text", "json"), default="text")
    command.add_argument(
        "--mapping",
        metavar="FILE",
        action="append",
        default=[],
        help="a mapping file of your own (YAML, the shipped schema): adds a framework or replaces one",
    )
    command.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from cgoguard.controls import frameworks, frameworks_dict

    found = frameworks(args.mapping)
    if args.format == "json":
        json.dump(frameworks_dict(found), sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    for entry in frameworks_dict(found):
        grades = ", ".join(f"{count} {grade}" for grade, count in entry["addressable"].items() if count)
        print(f"{entry['id']}  {entry['edition']}  {entry['title']}")
        print(
            f"    {entry['controls']} controls ({grades}); texts: {entry['text_status']}; {entry['source']}"
        )
    return 0
