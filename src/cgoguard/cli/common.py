"""What every command shares: report and policy options, the configuration
merged with the command line, the progress bar, and the end of a run (what
was not read, the exit code). Commands import from here, never from each other."""

from __future__ import annotations

import argparse
import contextlib
import os
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any, TypeVar

from cgoguard.config import MAX_JOBS, Config
from cgoguard.errors import UsageError
from cgoguard.itemlimits import ItemLimits
from cgoguard.model import Severity
from cgoguard.outcome import ExitCode, Tally
from cgoguard.reports import REPORTERS
from cgoguard.reports.labels import LANGS
from cgoguard.terminal import printable

if TYPE_CHECKING:
    from cgoguard.baseline import Baseline
    from cgoguard.checks import Check, CheckTarget
    from cgoguard.model import Artifact, Item
    from cgoguard.reports import ReportContext, RunTotals

T = TypeVar("T")


def severity_argument(text: str) -> Severity:
    try:
        return Severity.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def jobs_argument(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"--jobs takes a whole number, not {text!r}") from None
    if not 0 <= value <= MAX_JOBS:
        raise argparse.ArgumentTypeError(f"--jobs must be from 0 (all cores) to {MAX_JOBS}")
    return value


def _limit_argument(check: Callable[[object, str], object], flag: str, kind: type) -> Callable[[str], object]:
    def parse(text: str) -> object:
        try:
            return check(kind(text), flag)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def add_work_options(command: argparse.ArgumentParser, jobs_help: str) -> None:
    """--jobs and the per-item limits, as scan and lint share them."""
    from cgoguard.itemlimits import DEFAULT_MEMORY_MIB, DEFAULT_SECONDS, check_memory, check_seconds

    command.add_argument("--jobs", "-j", type=jobs_argument, default=None, metavar="N", help=jobs_help)
    command.add_argument(
        "--item-timeout",
        type=_limit_argument(check_seconds, "--item-timeout", float),
        default=None,
        metavar="SECONDS",
        help=f"stop work on one file after this long and report it as unread "
        f"(default: {DEFAULT_SECONDS:g}; 0: no limit)",
    )
    command.add_argument(
        "--item-memory",
        type=_limit_argument(check_memory, "--item-memory", int),
        default=None,
        metavar="MIB",
        help=f"memory one worker process may allocate for a file (default: {DEFAULT_MEMORY_MIB}; "
        "0: no limit; applies in worker processes, not with --jobs 1)",
    )


def warn(message: str) -> None:
    """One warning line on stderr (what went wrong but did not stop the command)."""
    print(f"cgoguard: warning: {printable(message)}", file=sys.stderr)


def effective_jobs_note(args: argparse.Namespace, config: Config) -> int | None:
    """The jobs asked for (None: all cores); says on stderr when they are capped."""
    from cgoguard.executors import JOBS_PER_CORE, job_limit

    jobs = (args.jobs if args.jobs is not None else config.jobs) or None
    if jobs is not None and jobs > job_limit():
        print(
            f"cgoguard: note: {jobs} jobs capped at {job_limit()} ({JOBS_PER_CORE} per core).",
            file=sys.stderr,
        )
    return jobs


def add_policy_options(command: argparse._ActionsContainer) -> None:
    """--config, --select, --ignore, --fail-on: which checks run and what fails the run."""
    command.add_argument(
        "--fail-on",
        type=severity_argument,
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


def add_report_options(command: argparse.ArgumentParser, formats: Iterable[str] = REPORTERS) -> None:
    """--format, --output, the policy options and --allow-unreadable, as scan and lint share them."""
    formats = tuple(formats)
    sbom = "; cyclonedx: CycloneDX 1.6 JSON, spdx: SPDX 2.3 JSON" if "cyclonedx" in formats else ""
    command.add_argument(
        "--format", "-f", choices=formats, default=None, help=f"output format (default: text{sbom})"
    )
    command.add_argument(
        "--output", "-o", metavar="FILE", help="write the report to FILE (atomically) instead of stdout"
    )
    add_language_option(command)
    add_policy_options(command)
    command.add_argument(
        "--baseline",
        metavar="FILE",
        help="a previous --format json report: report only findings it does not hold (and list those "
        "fixed since); unchanged findings do not count for the exit code (config: baseline)",
    )
    command.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="text: styles and colour (auto: on a terminal unless NO_COLOR is set; always: even then)",
    )
    command.add_argument(
        "--allow-unreadable",
        action="store_true",
        default=None,
        help="do not exit 3 because some inputs could not be read (they are still listed); "
        "for system-wide scans where broken files are expected",
    )


def add_language_option(command: argparse._ActionsContainer) -> None:
    command.add_argument(
        "--lang",
        choices=LANGS,
        default="en",
        help="language of labels and prose in human-readable reports (clause texts and check messages "
        "stay as written; default: en)",
    )


def split_list(text: str | None) -> list[str]:
    """The items of a comma-separated option."""
    return [item.strip() for item in (text or "").split(",") if item.strip()]


def effective_config(args: argparse.Namespace) -> Config:
    """The configuration file, with --select/--ignore from the command line on top."""
    from cgoguard.config import config_from_table, load_config

    config = load_config(args.config)
    overrides: dict[str, object] = {}
    if getattr(args, "select", None):
        overrides["select"] = split_list(args.select)
    if getattr(args, "ignore", None):
        overrides["ignore"] = split_list(args.ignore)
    if overrides:
        cli = config_from_table(overrides, "command line")
        if cli.select is not None:
            config.select = cli.select
        config.ignore = config.ignore | cli.ignore
    limits = config.item_limits
    # Present only on commands with add_work_options; 0 on the command line means "no limit".
    seconds, memory = getattr(args, "item_timeout", None), getattr(args, "item_memory", None)
    if seconds is not None or memory is not None:
        config.item_limits = ItemLimits(
            limits.seconds if seconds is None else (seconds or None),
            limits.memory_mib if memory is None else (memory or None),
        )
    return config


def fail_on(args: argparse.Namespace, config: Config) -> Severity:
    # Severity.INFO is 0, so test for None rather than truth.
    return next((s for s in (args.fail_on, config.fail_on) if s is not None), Severity.HIGH)


def report_format(args: argparse.Namespace, config: Config, formats: Iterable[str] = REPORTERS) -> str:
    fmt: str = args.format or config.format or "text"
    if fmt not in formats:
        raise UsageError(f"unknown format {fmt!r} in {config.source}; use one of {', '.join(formats)}.")
    return fmt


def color(args: argparse.Namespace) -> bool | None:
    """--color: True/False, or None to let the text reporter decide (terminal, NO_COLOR)."""
    return {"always": True, "never": False}.get(getattr(args, "color", "auto"))


def baseline(args: argparse.Namespace, config: Config) -> Baseline | None:
    """The baseline of --baseline or the configuration's ``baseline``; exit 2 when it is not a report."""
    from cgoguard.baseline import load_baseline

    given = getattr(args, "baseline", None) or config.baseline
    if given is None:
        return None
    loaded = load_baseline(given)
    if loaded.partial:
        warn(
            f"{given} was itself written with a baseline, so it lacks the findings unchanged then; "
            "those show as new. Keep a report written without --baseline as the baseline."
        )
    return loaded


def allow_unreadable(args: argparse.Namespace, config: Config) -> bool:
    return bool(args.allow_unreadable if args.allow_unreadable is not None else config.allow_unreadable)


def conclude(tally: Tally, *, allow: bool, report_says_it: bool, what: str = "checked") -> int:
    """The exit code; says on stderr what was not read, unless the report (text on stdout) said it."""
    code = tally.exit_code(allow_unreadable=allow)
    not_read = tally.not_read_sentence()
    if not_read is not None and not report_says_it:
        print(f"cgoguard: not {what}: {printable(not_read)}.", file=sys.stderr)
    if code == ExitCode.INCOMPLETE and not report_says_it:
        print("cgoguard: exit 3: the run is incomplete (see README, Exit codes).", file=sys.stderr)
    return int(code)


class Progress:
    """A progress bar on stderr when it is a terminal; a no-op otherwise."""

    def __init__(self, enabled: bool, label: str) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.label = label
        self.count = 0

    def tick(self) -> None:
        self.count += 1

    def wrap(self, results: Iterable[T], total: Callable[[], tuple[int, bool]] | None = None) -> Iterator[T]:
        """``total()``: how many items were listed so far and whether the listing is over. The
        total grows while folders are walked and is exact once they are (no second walk)."""
        if not self.enabled:
            yield from results
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn
        from rich.progress import Progress as Bar

        with Bar(
            TextColumn(self.label),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[more]}"),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        ) as bar:
            task = bar.add_task(self.label, total=None, more="")
            last = 0
            for result in results:
                if self.count - last >= 25:
                    listed, final = total() if total is not None else (0, False)
                    known = max(listed, self.count) if total is not None else None
                    bar.update(task, completed=self.count, total=known, more="" if final else "+ (listing)")
                    last = self.count
                yield result


def text_on_stdout(fmt: str, out: IO[str]) -> bool:
    return fmt == "text" and out is sys.stdout


def enabled_checks(config: Config, *targets: CheckTarget) -> list[Check[Any]]:
    """The checks of these targets that the configuration leaves on (SARIF rules)."""
    from cgoguard.checks import all_checks

    return [c for c in all_checks() if c.target in targets and config.enabled(c.id)]


def refuse_output_over_input(output: str | None, inputs: Iterable[str]) -> None:
    """An --output that names one of the inputs would replace the file being checked."""
    if output is None or output == "-" or not os.path.exists(output):
        return
    for given in inputs:
        with contextlib.suppress(OSError):
            if os.path.isfile(given) and os.path.samefile(output, given):
                raise UsageError(f"--output {output} is one of the inputs; the report would replace it.")


def own_files(out: IO[str]) -> frozenset[tuple[int, int]]:
    """(device, inode) of the report being written and of a standard output
    redirected to a file: a scan of the folder they are in must not list them."""
    found = set()
    for stream in {out, sys.stdout}:
        with contextlib.suppress(OSError, ValueError, AttributeError):
            st = os.fstat(stream.fileno())
            if stat.S_ISREG(st.st_mode):
                found.add((st.st_dev, st.st_ino))
    return frozenset(found)


def report(
    args: argparse.Namespace,
    config: Config,
    fmt: str,
    context: ReportContext,
    produce: Callable[[Callable[[Artifact], str] | None, frozenset[tuple[int, int]]], Iterable[Item]],
    totals: Callable[[], RunTotals],
    what: str,
) -> int:
    """Stream what ``produce`` yields (given the reporter's prerender function) into the
    report at --output, finish it with ``totals()``, and return the exit code."""
    from cgoguard.fileio import report_output
    from cgoguard.reports import create_reporter

    refuse_output_over_input(args.output, [*args.paths, *filter(None, [getattr(args, "against", None)])])
    with report_output(args.output) as out:
        reporter = create_reporter(fmt, out, context)
        for item in produce(reporter.prerender(), own_files(out)):
            reporter.add(item)
        result = totals()
        reporter.finish(result)
        says_it = text_on_stdout(fmt, out)
    return conclude(result.tally, allow=allow_unreadable(args, config), report_says_it=says_it, what=what)


def choose_vulndb(args: argparse.Namespace, config: Config) -> str | None:
    """Set ``config.vulndb`` to the database to match against, or None. A database that was
    asked for (--vulndb, the configuration, $CGOGUARD_VULNDB) and cannot be used is exit 2;
    the default (the local copy of vuln.go.dev, fetched when missing or a day old) that
    cannot be had is a warning and a note in the report: the rest of the scan goes on."""
    from cgoguard.readers.osv import VulnDbError, cached_database
    from cgoguard.vulncache import chosen, resolve

    location, explicit = chosen(args.vulndb or config.vulndb)
    config.vulndb = None
    if location is None:
        return None
    try:
        config.vulndb = resolve(location, warn=warn)
        cached_database(config.vulndb)
    except VulnDbError as error:
        config.vulndb = None
        if explicit:
            raise UsageError(str(error)) from None
        note = f"not checked ({str(error).rstrip('.')}; give --vulndb PATH, or --vulndb off to silence this)"
        warn(f"known vulnerabilities {note}")
        return note
    return None
