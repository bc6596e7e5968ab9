"""The command line: a package of thin commands (arguments -> cgoguard.api ->
reporter -> exit code). Each command module has ``register(subparsers)``,
which sets ``handler``; errors of every command end here as one line on
stderr with the exit code the error carries (README, "Exit codes")."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
import threading
import traceback
from collections.abc import Sequence

from cgoguard._version import __version__
from cgoguard.errors import CgoguardError
from cgoguard.outcome import ExitCode
from cgoguard.terminal import printable

# The catalogue, the configuration and the pipelines are imported where a
# command runs, so `--version`, `--help` and light commands start fast.


def build_parser() -> argparse.ArgumentParser:
    from cgoguard.cli import bridge, build, catalogue, comply, frameworks, lint, probe, scan, verify, vulndb

    parser = argparse.ArgumentParser(
        prog="cgoguard",
        description="Audit Go code shipped as C libraries and hardened executables.",
    )
    parser.add_argument("--version", action="version", version=f"cgoguard {__version__}")
    parser.add_argument(
        "--debug",
        action="store_true",
        help="print the traceback of an internal error (exit 4) instead of one line",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    scan.register(sub)
    catalogue.register(sub)
    lint.register(sub)
    build.register(sub)
    bridge.register(sub)
    comply.register(sub)
    vulndb.register(sub)
    frameworks.register(sub)
    verify.register(sub)
    probe.register(sub)
    return parser


class Terminated(BaseException):
    """SIGTERM, raised in the main thread so that every ``finally`` (temporary files, workers) runs."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    given = list(sys.argv[1:] if argv is None else argv)
    args, extras = parser.parse_known_args(given)
    if "--" in given and getattr(args, "program_arguments", None) is not None:
        # `probe EXE -- ARGS`: what follows the first -- is the program's, not cgoguard's.
        split = given.index("--")
        args, extras = parser.parse_known_args(given[:split])
        args.program_arguments = given[split + 1 :]
    trailing = getattr(args, "trailing_positionals", None)
    if extras and (trailing is None or any(extra.startswith("-") for extra in extras)):
        parser.error(f"unrecognized arguments: {' '.join(extras)}")  # as parse_args would
    if extras and trailing is not None:
        setattr(args, trailing, [*getattr(args, trailing), *extras])
    if args.command is None:
        parser.print_help(sys.stderr)
        return ExitCode.USAGE
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _terminate)
    try:
        code: int = args.handler(args)
        sys.stdout.flush()
        return code
    except CgoguardError as error:
        print(f"cgoguard: error: {printable(error.message)}", file=sys.stderr)
        if error.detail:
            print("  " + "\n  ".join(printable(error.detail).splitlines()), file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        print("cgoguard: interrupted", file=sys.stderr)
        return ExitCode.INTERRUPTED
    except Terminated:
        print("cgoguard: terminated", file=sys.stderr)
        return ExitCode.TERMINATED
    except BrokenPipeError:
        # `cgoguard scan ... | head`: the reader left. Say nothing (as other Unix tools, which
        # SIGPIPE ends silently) and point stdout at /dev/null so the final flush cannot fail.
        with contextlib.suppress(OSError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        return ExitCode.BROKEN_PIPE
    except OSError as error:
        # Standard output itself failed (/dev/full, a closed descriptor): files get an OutputError.
        print(f"cgoguard: error: cannot write the output: {error.strerror or error}.", file=sys.stderr)
        return ExitCode.USAGE
    except Exception as error:  # a bug: say so in one line, never with the findings code
        if args.debug:
            traceback.print_exc()
        print(
            f"cgoguard: internal error: {type(error).__name__}: {error}. This is a bug in cgoguard; "
            "please report it (--debug prints the traceback).",
            file=sys.stderr,
        )
        return ExitCode.INTERNAL


if __name__ == "__main__":
    sys.exit(main())
