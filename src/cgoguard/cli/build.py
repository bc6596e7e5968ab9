"""``cgoguard build``: registered from cgoguard.gobuild.command (being moved here)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from cgoguard.gobuild.command import add_parser

    add_parser(subparsers)
