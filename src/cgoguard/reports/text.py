"""Text for people: one block per artifact, findings sorted by severity, a
summary at the end. Styled when the output is a terminal, plain otherwise."""

from __future__ import annotations

from typing import IO, Any

from rich.console import Console
from rich.markup import escape

from cgoguard.model import Artifact, Finding, Hardening, Item, Severity
from cgoguard.reports import ReportContext, Reporter, RunTotals
from cgoguard.terminal import printable

_STYLE = {
    Severity.CRITICAL: "bold red",
    Severity.HIGH: "red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}


def _flag(value: bool | None, yes: str = "yes", no: str = "no") -> str:
    if value is None:
        return "n/a"
    return f"[green]{yes}[/]" if value else f"[red]{no}[/]"


def hardening_line(h: Hardening, machine: str = "") -> str:
    control_flow = None if h.ibt is None else bool(h.ibt and h.shstk)
    # the property bits are BTI/PAC on AArch64, IBT/SHSTK (CET) on x86
    control_flow_label = "BTI/PAC" if machine == "aarch64" else "CET"
    parts = [
        f"PIE {_flag(h.pie)}",
        f"RELRO {h.relro or 'n/a'}",
        f"BIND_NOW {_flag(h.bind_now)}",
        f"NX {_flag(h.nx)}",
        f"canary {_flag(h.canary)}",
        f"FORTIFY {_flag(h.fortify)}",
        f"{control_flow_label} {_flag(control_flow)}",
        f"stripped {'yes' if h.stripped else 'no'}",
    ]
    if h.rpath or h.runpath:
        parts.append("RPATH " + escape(":".join((h.rpath or []) + (h.runpath or []))))
    return "  ".join(parts)


def _header(artifact: Artifact) -> str:
    bits = [f"[bold]{escape(artifact.path)}[/]"]
    h = artifact.hardening
    if artifact.is_archive:
        bits.append(f"ar archive, {len(artifact.members)} ELF member(s)")
    elif artifact.elf is not None and h is not None:
        bits.append(f"{h.kind} {artifact.elf.machine}")
    go = artifact.go
    if go is not None:
        version = go.buildinfo.raw_version if go.buildinfo else "Go (no build info)"
        mode = h.go_build_mode if h else (go.buildinfo.settings.get("-buildmode") if go.buildinfo else None)
        bits.append(escape(version) + (f" -buildmode={mode}" if mode else ""))
    return "  ".join(bits)


def _finding(console: Console, finding: Finding, indent: str, verbose: bool) -> None:
    style = _STYLE[finding.severity]
    where = ""
    if finding.location is not None:
        location = finding.location
        where = f"{location.path}:{location.line}:{location.column}: "
    console.print(
        f"{indent}  [{style}]{str(finding.severity).upper():8}[/] {finding.check_id} "
        f"{escape(where + finding.message)}",
        highlight=False,
    )
    if verbose:
        for line in finding.fix.splitlines():
            console.print(f"{indent}             [dim]{escape(line)}[/]", highlight=False)


def _render(console: Console, artifact: Artifact, indent: str, verbose: bool) -> None:
    console.print(indent + _header(artifact), highlight=False)
    if artifact.error:
        console.print(f"{indent}  [red]error:[/] {escape(artifact.error)}", highlight=False)
    if artifact.hardening is not None and (verbose or artifact.findings):
        console.print(
            indent + "  " + hardening_line(artifact.hardening, artifact.elf.machine if artifact.elf else ""),
            highlight=False,
        )
    if artifact.go is not None and artifact.go.cgo.go_exports and not artifact.members:
        exports = ", ".join(artifact.go.cgo.go_exports)
        console.print(f"{indent}  //export API: {escape(exports)}", highlight=False)
    for finding in sorted(artifact.findings, key=lambda f: (-f.severity, f.check_id)):
        _finding(console, finding, indent, verbose)
    for member in artifact.members:
        if verbose or member.findings or member.error:
            _render(console, member, indent + "  ", verbose)


class _Console(Console):
    def print(self, *objects: object, **options: Any) -> None:
        # One choke point: nothing from a scanned file reaches the terminal as a control character.
        super().print(*(printable(o) if isinstance(o, str) else o for o in objects), **options)

    def on_broken_pipe(self) -> None:
        # rich exits with status 1 here; let the CLI end the run as a closed pipe (141).
        self.quiet = True
        raise BrokenPipeError


class TextReporter(Reporter):
    """One block per artifact, findings sorted by severity, then findings
    across artifacts and a summary. Styled on a terminal, plain otherwise."""

    name = "text"

    def __init__(self, out: IO[str], context: ReportContext) -> None:
        super().__init__(out, context)
        color = context.color
        if color is None and not out.isatty():
            color = False
        self.console = _Console(
            file=out,
            force_terminal=color,
            no_color=color is False,
            highlight=False,
            soft_wrap=True,
            emoji=False,
        )

    def add(self, item: Item) -> None:
        if item.artifact is None:
            raise TypeError("the text reporter renders artifacts, not pre-rendered text")
        _render(self.console, item.artifact, "", self.context.verbose)

    def finish(self, totals: RunTotals) -> None:
        console = self.console
        if totals.set_findings:
            console.print("\n[bold]Across artifacts[/]", highlight=False)
            for finding in sorted(totals.set_findings, key=lambda f: (-f.severity, f.check_id)):
                _finding(console, finding, "", self.context.verbose)
        counts = totals.tally.by_severity
        by_severity = ", ".join(f"{counts[s]} {s}" for s in sorted(counts, reverse=True)) or "none"
        summary = totals.summary
        if self.context.command == "lint":
            tally = totals.tally
            line = (
                f"\n[bold]Linted[/] {tally.readable} file(s) in {summary.seconds:.2f} s; "
                f"{summary.errors} error(s). Findings: {by_severity}."
            )
        else:
            line = (
                f"\n[bold]Scanned[/] {summary.artifacts} artifact(s) ({summary.members} archive member(s)) "
                f"in {summary.seconds:.2f} s; skipped {summary.skipped_not_elf} non-ELF file(s) and "
                f"{summary.skipped_duplicates} duplicate(s); {summary.errors} error(s). "
                f"Findings: {by_severity}."
            )
        console.print(line, highlight=False)
        not_read = totals.tally.not_read_sentence()
        if not_read is not None:
            console.print(f"[bold red]Not checked:[/] {escape(not_read)}.", highlight=False)
