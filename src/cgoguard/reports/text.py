"""Text for people: one block per artifact, findings sorted by severity, a
summary at the end. Styled when the output is a terminal, plain otherwise."""

from __future__ import annotations

import functools
from collections.abc import Callable
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


class Markup:
    """Lines for rich: styles as markup tags, text from files escaped."""

    def style(self, style: str, text: str) -> str:
        return f"[{style}]{text}[/]"

    def text(self, text: str) -> str:
        return escape(text)


class Plain(Markup):
    """The same lines without styles, for files and pipes. Written straight to
    the output: rich parses markup and measures every line, which made text
    reports five times slower to write than JSON (50,000 artifacts)."""

    def style(self, style: str, text: str) -> str:
        return text

    def text(self, text: str) -> str:
        return text


MARKUP, PLAIN = Markup(), Plain()


def _flag(value: bool | None, m: Markup, yes: str = "yes", no: str = "no") -> str:
    if value is None:
        return "n/a"
    return m.style("green", yes) if value else m.style("red", no)


def hardening_line(h: Hardening, machine: str = "", m: Markup = MARKUP) -> str:
    control_flow = None if h.ibt is None else bool(h.ibt and h.shstk)
    # the property bits are BTI/PAC on AArch64, IBT/SHSTK (CET) on x86
    control_flow_label = "BTI/PAC" if machine == "aarch64" else "CET"
    parts = [
        f"PIE {_flag(h.pie, m)}",
        f"RELRO {h.relro or 'n/a'}",
        f"BIND_NOW {_flag(h.bind_now, m)}",
        f"NX {_flag(h.nx, m)}",
        f"canary {_flag(h.canary, m)}",
        f"FORTIFY {_flag(h.fortify, m)}",
        f"{control_flow_label} {_flag(control_flow, m)}",
        f"stripped {'yes' if h.stripped else 'no'}",
    ]
    # DT_RPATH and DT_RUNPATH differ (RPATH is searched before LD_LIBRARY_PATH, RUNPATH after): named apart.
    if h.rpath:
        parts.append("RPATH " + m.text(":".join(h.rpath)))
    if h.runpath:
        parts.append("RUNPATH " + m.text(":".join(h.runpath)))
    return "  ".join(parts)


def _special(count: int) -> str:
    return f"; passed over {count} FIFO(s), device(s) or socket(s)" if count else ""


def _header(artifact: Artifact, m: Markup) -> str:
    bits = [m.style("bold", m.text(artifact.path))]
    h = artifact.hardening
    if artifact.is_archive:
        bits.append(f"ar archive, {len(artifact.members)} ELF member(s)")
    elif artifact.container is not None:
        bits.append(f"{artifact.container} container, {len(artifact.members)} member(s) to check")
    elif artifact.elf is not None and h is not None:
        bits.append(f"{h.kind} {artifact.elf.machine}")
    go = artifact.go
    if go is not None:
        version = go.buildinfo.raw_version if go.buildinfo else "Go (no build info)"
        mode = h.go_build_mode if h else (go.buildinfo.settings.get("-buildmode") if go.buildinfo else None)
        bits.append(m.text(version) + (f" -buildmode={mode}" if mode else ""))
    return "  ".join(bits)


def finding_lines(finding: Finding, indent: str, verbose: bool, m: Markup) -> list[str]:
    where = ""
    if finding.location is not None:
        location = finding.location
        where = f"{location.path}:{location.line}:{location.column}: "
    severity = m.style(_STYLE[finding.severity], f"{str(finding.severity).upper():8}")
    lines = [f"{indent}  {severity} {finding.check_id} {m.text(where + finding.message)}"]
    if verbose:
        lines += [f"{indent}             {m.style('dim', m.text(line))}" for line in finding.fix.splitlines()]
    return lines


def artifact_lines(artifact: Artifact, indent: str, verbose: bool, m: Markup) -> list[str]:
    lines = [indent + _header(artifact, m)]
    if artifact.error:
        lines.append(f"{indent}  {m.style('red', 'error:')} {m.text(artifact.error)}")
    if artifact.hardening is not None and (verbose or artifact.findings):
        machine = artifact.elf.machine if artifact.elf else ""
        lines.append(indent + "  " + hardening_line(artifact.hardening, machine, m))
    if artifact.go is not None and artifact.go.cgo.go_exports and not artifact.members:
        lines.append(f"{indent}  //export API: {m.text(', '.join(artifact.go.cgo.go_exports))}")
    for finding in sorted(artifact.findings, key=lambda f: (-f.severity, f.check_id)):
        lines += finding_lines(finding, indent, verbose, m)
    for member in artifact.members:
        if verbose or _has_news(member):
            lines += artifact_lines(member, indent + "  ", verbose, m)
    return lines


def _has_news(artifact: Artifact) -> bool:
    """A finding or an error in it or anything it holds (containers nest)."""
    return bool(artifact.findings or artifact.error) or any(_has_news(m) for m in artifact.members)


def plain_block(artifact: Artifact, verbose: bool = False) -> str:
    """One artifact as plain text, control characters escaped: what a worker
    renders for a text report written to a file or a pipe."""
    return printable("\n".join(artifact_lines(artifact, "", verbose, PLAIN)) + "\n")


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
        self.plain = color is False or (color is None and not self.console.is_terminal)
        self.markup = PLAIN if self.plain else MARKUP

    def prerender(self) -> Callable[[Artifact], str] | None:
        # Plain text is rendered where the artifact is scanned; styled text needs the console.
        return functools.partial(plain_block, verbose=self.context.verbose) if self.plain else None

    def add(self, item: Item) -> None:
        if self.context.command == "comply" and not self.context.verbose:
            return  # comply's text is the evidence; --verbose adds each artifact's detail
        if item.text is not None:
            self._write(item.text)
        elif item.artifact is not None:
            self._print(artifact_lines(item.artifact, "", self.context.verbose, self.markup))
        else:
            raise TypeError("an item with neither an artifact nor its text")

    def _print(self, lines: list[str]) -> None:
        if self.plain:
            self._write(printable("\n".join(lines) + "\n"))
        else:
            for line in lines:
                self.console.print(line, highlight=False)

    def _write(self, text: str) -> None:
        self.out.write(text)  # a closed pipe raises BrokenPipeError: the CLI ends with 141

    def finish(self, totals: RunTotals) -> None:
        m = self.markup
        lines: list[str] = []
        if totals.set_findings:
            lines += ["", m.style("bold", "Across artifacts")]
            for finding in sorted(totals.set_findings, key=lambda f: (-f.severity, f.check_id)):
                lines += finding_lines(finding, "", self.context.verbose, m)
        counts = totals.tally.by_severity
        by_severity = ", ".join(f"{counts[s]} {s}" for s in sorted(counts, reverse=True)) or "none"
        summary = totals.summary
        if self.context.command == "lint":
            tally = totals.tally
            line = (
                f"{m.style('bold', 'Linted')} {tally.readable} file(s) in {summary.seconds:.2f} s; "
                f"{summary.errors} error(s). Findings: {by_severity}."
            )
        else:
            line = (
                f"{m.style('bold', 'Scanned')} {summary.artifacts} artifact(s) ({summary.members} "
                f"archive member(s)) in {summary.seconds:.2f} s; skipped {summary.skipped_not_elf} "
                "non-ELF file(s) and "
                f"{summary.skipped_duplicates} duplicate(s){_special(summary.skipped_special)}; "
                f"{summary.errors} error(s). "
                f"Findings: {by_severity}."
            )
        lines += ["", line]
        if summary.vulndb is not None:
            lines.append(f"Known vulnerabilities: matched against {m.text(summary.vulndb)}.")
        elif summary.vulndb_note is not None:
            lines.append(f"Known vulnerabilities: {m.text(summary.vulndb_note)}.")
        not_read = totals.tally.not_read_sentence()
        if not_read is not None:
            lines.append(f"{m.style('bold red', 'Not checked:')} {m.text(not_read)}.")
        if totals.evidence is not None:
            from cgoguard.reports.evidence_text import evidence_text

            lines += ["", *(m.text(line) for line in evidence_text(totals.evidence, self.context.lang))]
        self._print(lines)
