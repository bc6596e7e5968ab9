"""Text for people: a table of artifacts and a roll-up by check (or, with --verbose
and for small scans, one block per artifact, findings sorted by severity), a
summary at the end. Styled when the output is a terminal, plain otherwise."""

from __future__ import annotations

import functools
import json
import os
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from rich.console import Console
from rich.markup import escape

from cgoguard.model import Artifact, Finding, Hardening, Item, ProbeFacts, Severity
from cgoguard.reports import ReportContext, Reporter, RunTotals
from cgoguard.reports.labels import label as word
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


def wrapped(prefix: str, width_of_prefix: int, text: str, width: int | None, m: Markup) -> list[str]:
    """``prefix`` (styled, ``width_of_prefix`` columns wide) then ``text`` wrapped at word
    boundaries to ``width`` (None: one line), continuation lines indented under the text.
    A word longer than the line (a path) stays whole on a line of its own."""
    if width is None:
        return [prefix + m.text(text)]
    pad = " " * width_of_prefix
    lines = textwrap.wrap(
        text,
        max(width, width_of_prefix + 20),
        initial_indent=pad,
        subsequent_indent=pad,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [pad]
    return [(prefix if i == 0 else pad) + m.text(line[width_of_prefix:]) for i, line in enumerate(lines)]


def finding_lines(
    finding: Finding, indent: str, verbose: bool, m: Markup, width: int | None = None
) -> list[str]:
    where = ""
    if finding.location is not None:
        location = finding.location
        where = f"{location.path}:{location.line}:{location.column}: "
    label = f"{str(finding.severity).upper():8}"
    prefix = f"{indent}  {m.style(_STYLE[finding.severity], label)} {finding.check_id} "
    lines = wrapped(prefix, len(indent) + 12 + len(finding.check_id), where + finding.message, width, m)
    if verbose:
        for line in finding.fix.splitlines():
            lines += [m.style("dim", x) for x in wrapped(indent + " " * 13, len(indent) + 13, line, width, m)]
    return lines


def artifact_lines(
    artifact: Artifact, indent: str, verbose: bool, m: Markup, width: int | None = None
) -> list[str]:
    lines = [indent + _header(artifact, m)]
    if artifact.error:
        lines += wrapped(f"{indent}  {m.style('red', 'error:')} ", len(indent) + 9, artifact.error, width, m)
    if artifact.hardening is not None and (verbose or artifact.findings):
        machine = artifact.elf.machine if artifact.elf else ""
        lines.append(indent + "  " + hardening_line(artifact.hardening, machine, m))
    if artifact.go is not None and artifact.go.cgo.go_exports and not artifact.members:
        lines.append(f"{indent}  //export API: {m.text(', '.join(artifact.go.cgo.go_exports))}")
    contract = artifact.elf.bridge_contract if artifact.elf is not None else None
    if contract is not None:
        lines.append(
            f"{indent}  bridge contract: {m.text(contract.library)} (prefix {m.text(contract.prefix)}), "
            f"conventions {m.text(contract.contract)}, checksum {m.text(contract.checksum)}, "
            f"{contract.functions} function(s)"
        )
    if artifact.probe is not None:
        lines += [f"{indent}  {m.text(line)}" for line in measured_lines(artifact.probe)]
    for finding in sorted(artifact.findings, key=lambda f: (-f.severity, f.check_id)):
        lines += finding_lines(finding, indent, verbose, m, width)
    for member in artifact.members:
        if verbose or _has_news(member):
            lines += artifact_lines(member, indent + "  ", verbose, m, width)
    return lines


def measured_lines(probe: ProbeFacts) -> list[str]:
    """What `cgoguard probe` measured, as stated facts (the checks judge them)."""
    how = (
        "loaded with dlopen"
        if probe.kind == "library"
        else f"run as {' '.join(probe.arguments) or '(no arguments)'}"
    )
    lines = [
        f"measured: {probe.runs} runs, {how}, Linux {probe.kernel} on {probe.machine}; "
        f"randomize_va_space={_unknown(probe.randomize_va_space)}, "
        f"mmap_rnd_bits={_unknown(probe.mmap_rnd_bits)}; "
        f"network: {probe.network or 'unknown'}",
        "  ASLR (varying bits / distinct bases): "
        + ", ".join(f"{s.region} {s.varying_bits}/{s.distinct}" for s in probe.series),
        f"  mappings after load: {', '.join(m.perms for m in probe.mappings)}; "
        f"W+X mappings: {len(probe.wx_mappings)}"
        + ("" if probe.relro is None else f"; RELRO range writable parts: {len(probe.relro.writable)}"),
    ]
    fips = (
        f"{probe.fips_function}() = {probe.fips_result}"
        if probe.fips_function
        else "no fips140 probe function"
    )
    lines.append(
        f"  GODEBUG={_unknown(probe.godebug)}, GOFIPS140={_unknown(probe.gofips140)}, {fips}; "
        f"dumpable={_unknown(probe.dumpable)}, TracerPid={_unknown(probe.tracer_pid)}, "
        f"inherited core limit={_unknown(probe.core_limit)}"
    )
    return lines


def _unknown(value: object) -> str:
    return "-" if value is None else str(value)


def _has_news(artifact: Artifact) -> bool:
    """A finding or an error in it or anything it holds (containers nest)."""
    return bool(artifact.findings or artifact.error) or any(_has_news(m) for m in artifact.members)


# The table: one row per artifact, fixed-width columns first and the path last, so rows
# stream aligned and a pipe gets whole paths; on a terminal the path is cut in the middle.
_COLUMNS: tuple[tuple[str, int], ...] = (
    ("KIND", 10),
    ("GO MODE", 9),
    ("PIE", 4),
    ("RELRO", 7),
    ("NX", 4),
    ("CANARY", 6),
    ("FORTIFY", 7),
    ("CET", 4),  # BTI/PAC on AArch64
    ("FINDINGS", 10),
)
_KIND = {
    "executable": "exec",
    "pie-executable": "pie-exec",
    "shared-library": "shared-lib",
    "relocatable": "object",
}
_LETTER = {
    Severity.CRITICAL: "C",
    Severity.HIGH: "H",
    Severity.MEDIUM: "M",
    Severity.LOW: "L",
    Severity.INFO: "I",
}
# At most this many inputs: their detailed form reads better than a table and a roll-up.
SMALL_SCAN = 5
NARROW_PATH = 20  # fewer columns left than this for the path: it gets a line of its own
UNREAD_SHOWN = 50  # files that could not be read, listed with their error (all with --verbose)


def _word(value: bool | None) -> str:
    return "n/a" if value is None else ("yes" if value else "no")


def _merged(values: list[bool | None]) -> str:
    """One verdict for an ar archive's members: yes, no, part (some members), n/a."""
    judged = {v for v in values if v is not None}
    if not judged:
        return "n/a"
    return "part" if len(judged) == 2 else _word(judged.pop())


def _cet(h: Hardening) -> bool | None:
    return None if h.ibt is None else bool(h.ibt and h.shstk)


def _counts(findings: list[Finding]) -> list[int]:
    counts = [0] * len(Severity)
    for finding in findings:
        counts[int(finding.severity)] += 1
    return counts


def _all_findings(artifact: Artifact) -> list[Finding]:
    return [*artifact.findings, *(f for m in artifact.members for f in _all_findings(m))]


def table_rows(artifact: Artifact) -> list[list[Any]]:
    """The rows an artifact takes: one, or for a container one plus its members' rows (an
    ar archive is one row, its members' verdicts merged). Plain values, cheap to send."""
    h = artifact.hardening
    if artifact.error is not None and not artifact.members:
        kind = "unread"
    elif artifact.is_archive:
        kind = f"ar({len(artifact.members)})"
    elif artifact.container is not None:
        kind = f"{artifact.container}({len(artifact.members)})"
    elif h is not None:
        kind = _KIND.get(h.kind, h.kind)
    else:
        kind = "other"
    na = ["n/a"] * 6
    mode = h.go_build_mode if h is not None else None
    if artifact.is_archive:
        parts = [m.hardening for m in artifact.members if m.hardening is not None]
        mode = next((p.go_build_mode for p in parts if p.go_build_mode), None) or (
            "c-archive" if any(m.go is not None for m in artifact.members) else None
        )
        verdicts = [
            _merged([p.nx for p in parts]),
            _merged([p.canary for p in parts]),
            _merged([p.fortify for p in parts]),
            _merged([_cet(p) for p in parts]),
        ]
        cells = ["n/a", "n/a", *verdicts]
        findings = _all_findings(artifact)
    elif h is not None:
        cells = [
            _word(h.pie),
            h.relro or "n/a",
            _word(h.nx),
            _word(h.canary),
            _word(h.fortify),
            _word(_cet(h)),
        ]
        findings = artifact.findings
    else:
        cells, findings = na, artifact.findings
    if mode is None and artifact.go is not None:
        mode = "go"
    row: list[Any] = [kind, mode or "n/a", *cells, _counts(findings), artifact.path]
    rows = [row]
    if artifact.container is not None:
        for member in artifact.members:
            rows += table_rows(member)
    return rows


def rollup_entries(artifact: Artifact) -> list[list[Any]]:
    """[check ID, severity, title, path] of every finding, members included."""
    found = [[f.check_id, int(f.severity), f.title, artifact.path] for f in artifact.findings]
    for member in artifact.members:
        found += rollup_entries(member)
    return found


def render_item(artifact: Artifact, styled: bool, verbose: bool, width: int | None, rows: bool) -> str:
    """What the text reporter needs of one artifact, rendered where it was scanned: its
    detailed lines (markup when styled), its table rows and its findings for the roll-up."""
    m = MARKUP if styled else PLAIN
    payload = {
        "lines": artifact_lines(artifact, "", verbose, m, width),
        "rows": table_rows(artifact) if rows else [],
        "findings": rollup_entries(artifact),
    }
    return json.dumps(payload, check_circular=False)


def middle_cut(text: str, width: int) -> str:
    """``text`` at most ``width`` columns, cut in the middle (both ends of a path matter)."""
    if len(text) <= width:
        return text
    if width < 3:
        return text[-width:] if width > 0 else ""
    head = (width - 1) // 3  # the end (the file's name) says more than the start
    return text[:head] + "…" + text[len(text) - (width - 1 - head) :]


_CELL_STYLE = {
    "yes": "green",
    "no": "red",
    "part": "yellow",
    "none": "red",
    "partial": "yellow",
    "full": "green",
}


def _findings_cell(counts: list[int]) -> tuple[str, str | None]:
    shown = [f"{counts[s]}{_LETTER[s]}" for s in sorted(Severity, reverse=True) if counts[s]]
    worst = next((s for s in sorted(Severity, reverse=True) if counts[s]), None)
    return (" ".join(shown) or "none"), (_STYLE[worst] if worst is not None else "green")


@dataclass(slots=True)
class _Rollup:
    """Findings by check: how many, in how many artifacts, a few of their paths."""

    title: str
    findings: int = 0
    artifacts: int = 0
    examples: list[str] = field(default_factory=list)
    last: str | None = None

    def add(self, paths: list[str]) -> None:
        self.findings += 1
        for path in paths:
            if path == self.last:
                continue  # one artifact's findings arrive together
            self.last = path
            self.artifacts += 1
            if len(self.examples) < 3 and path not in self.examples:
                self.examples.append(path)


class _Console(Console):
    def print(self, *objects: object, **options: Any) -> None:
        # One choke point: nothing from a scanned file reaches the terminal as a control character.
        super().print(*(printable(o) if isinstance(o, str) else o for o in objects), **options)

    def on_broken_pipe(self) -> None:
        # rich exits with status 1 here; let the CLI end the run as a closed pipe (141).
        self.quiet = True
        raise BrokenPipeError


def color_wanted(color: bool | None, out: IO[str]) -> bool | None:
    """True/False: asked for; None: styled if ``out`` is a terminal. NO_COLOR (any
    non-empty value, https://no-color.org) turns styles off unless asked for explicitly."""
    if color is not None:
        return color
    if os.environ.get("NO_COLOR", "") != "" or not out.isatty():
        return False
    return None


class TextReporter(Reporter):
    """For people. ``scan``: a table with one row per artifact, a roll-up by check, then
    findings across artifacts and the summary; --verbose (and a scan of at most
    SMALL_SCAN inputs) shows each artifact's detail. ``lint``: each finding at its
    file:line, then the roll-up by rule. Styled on a terminal, plain otherwise."""

    name = "text"

    def __init__(self, out: IO[str], context: ReportContext) -> None:
        super().__init__(out, context)
        color = color_wanted(context.color, out)
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
        # Wrapping and fitting: at the given width, else the terminal's; a file or pipe gets whole lines.
        self.width = context.width or (self.console.width if out.isatty() else None)
        self.detailed = context.verbose or context.command != "scan"
        self.table_streaming = False
        self.pending: list[dict[str, Any]] | None = [] if not self.detailed else None
        self.rows: list[list[Any]] = []  # with --verbose: the table comes after the detail
        self.rollup: dict[tuple[str, int], _Rollup] = {}
        self.unread: list[tuple[str, str]] = []

    def prerender(self) -> Callable[[Artifact], str] | None:
        return functools.partial(
            render_item,
            styled=not self.plain,
            verbose=self.context.verbose,
            width=self.width,
            rows=self.context.command == "scan",
        )

    def add(self, item: Item) -> None:
        if self.context.command == "comply" and not self.context.verbose:
            return  # comply's text is the evidence; --verbose adds each artifact's detail
        if item.text is not None:
            payload = json.loads(item.text)
        elif item.artifact is not None:
            payload = json.loads(
                render_item(item.artifact, not self.plain, self.context.verbose, self.width, True)
            )
        else:
            raise TypeError("an item with neither an artifact nor its text")
        for check_id, severity, title, path in payload["findings"]:
            self._rolled(check_id, severity, title).add([path])
        self.unread += item.unread
        if self.detailed:
            self._print(payload["lines"])
            self.rows += payload["rows"]
        elif self.pending is not None:
            self.pending.append(payload)
            if len(self.pending) > SMALL_SCAN:
                self._start_table()
                for waiting in self.pending:
                    self._print_rows(waiting["rows"])
                self.pending = None
        else:
            self._print_rows(payload["rows"])

    def _rolled(self, check_id: str, severity: int, title: str) -> _Rollup:
        key = (check_id, severity)
        found = self.rollup.get(key)
        if found is None:
            found = self.rollup[key] = _Rollup(title)
        return found

    def _print(self, lines: list[str]) -> None:
        if self.plain:
            self._write(printable("\n".join(lines) + "\n"))
        else:
            for line in lines:
                self.console.print(line, highlight=False)

    def _write(self, text: str) -> None:
        self.out.write(text)  # a closed pipe raises BrokenPipeError: the CLI ends with 141

    def _start_table(self) -> None:
        m = self.markup
        tool = self.context.tool
        legend = (
            f"cgoguard {tool.get('version', '')} {self.context.command}: one line per artifact "
            "(n/a: does not apply; part: some members of an ar archive; CET: BTI/PAC on AArch64; "
            "FINDINGS by severity: C critical, H high, M medium, L low, I info), then the findings by check. "
            "--verbose shows each artifact's detail and fixes; --format json everything."
        )
        header = "".join(f"{name:<{size}} " for name, size in _COLUMNS) + "PATH"
        self._print([*wrapped("", 0, legend, self.width, m), "", m.style("bold", header)])
        self.table_streaming = True

    def _print_rows(self, rows: list[list[Any]]) -> None:
        m = self.markup
        fixed = sum(size + 1 for _, size in _COLUMNS)
        lines = []
        for row in rows:
            *cells, counts, path = row
            text, style = _findings_cell(counts)
            parts = [f"{cells[0]:<{_COLUMNS[0][1]}} ", f"{cells[1]:<{_COLUMNS[1][1]}} "]
            for value, (_, size) in zip(cells[2:], _COLUMNS[2:8], strict=True):
                padded = f"{value:<{size}} "
                hue = _CELL_STYLE.get(value)
                parts.append(
                    m.style(hue, padded) if hue else m.style("dim", padded) if value == "n/a" else padded
                )
            padded = f"{text:<{_COLUMNS[8][1]}} "
            parts.append(m.style(style, padded) if style else padded)
            used = fixed + max(len(text) - _COLUMNS[8][1], 0)  # a wide FINDINGS cell pushes the path
            if self.width is not None and self.width - used < NARROW_PATH:
                # A narrow terminal: the path on a line of its own, then its row.
                lines += [m.text(middle_cut(path, self.width)), "".join(parts).rstrip()]
                continue
            shown = path if self.width is None else middle_cut(path, self.width - used)
            parts.append(m.text(shown))
            lines.append("".join(parts))
        if lines:
            self._print(lines)

    def finish(self, totals: RunTotals) -> None:
        m, width = self.markup, self.width
        lines: list[str] = []
        small = self.pending is not None
        if small:
            for waiting in self.pending or []:
                self._print(waiting["lines"])
        elif self.context.verbose and self.context.command == "scan" and self.rows:
            self._print([""])
            self._start_table()
            self._print_rows(self.rows)
        if self.table_streaming and self.unread and not self.context.verbose:
            lines += ["", m.style("bold", word("could_not_read", self.context.lang))]
            for path, error in self.unread[:UNREAD_SHOWN]:
                lines += wrapped(f"  {m.text(path)}: ", len(path) + 4, error, width, m)
            if len(self.unread) > UNREAD_SHOWN:
                more = len(self.unread) - UNREAD_SHOWN
                lines.append(f"  … and {more} more (--verbose, or --format json)")
        if totals.set_findings:
            if self.detailed or small:
                lines += ["", m.style("bold", word("across_artifacts", self.context.lang))]
                for finding in sorted(totals.set_findings, key=lambda f: (-f.severity, f.check_id)):
                    lines += finding_lines(finding, "", self.context.verbose, m, width)
            for finding in totals.set_findings:
                self._rolled(finding.check_id, int(finding.severity), finding.title).add(
                    list(finding.artifacts)
                )
        if not small and self.rollup:
            lines += self._rollup_lines()
        if totals.baseline is not None:
            lines += self._baseline_lines(totals)
        lines += ["", *self._summary_lines(totals)]
        if totals.evidence is not None:
            from cgoguard.reports.evidence_text import evidence_text

            words = evidence_text(totals.evidence, self.context.lang, self.width or 100)
            lines += ["", *(m.text(line) for line in words)]
        self._print(lines)

    def _rollup_lines(self) -> list[str]:
        m, width = self.markup, self.width
        lint = self.context.command == "lint"
        title, _, rest = word("by_rule" if lint else "by_check", self.context.lang).partition(" (")
        lines = ["", m.style("bold", title) + f" ({rest}"]
        ordered = sorted(self.rollup.items(), key=lambda kv: (-kv[0][1], -kv[1].findings, kv[0][0]))
        for (check_id, severity), entry in ordered:
            level = Severity(severity)
            label = m.style(_STYLE[level], f"{str(level).upper():8}")
            counts = f"{entry.findings:>6} {entry.artifacts:>6}  "
            lines += wrapped(f"  {label} {check_id:<6}{counts}", 2 + 9 + 6 + 15, entry.title, width, m)
            examples = (
                "e.g. " + ", ".join(entry.examples) + (" …" if entry.artifacts > len(entry.examples) else "")
            )
            lines += wrapped(" " * 32, 32, examples, width, m)
        return lines

    def _baseline_lines(self, totals: RunTotals) -> list[str]:
        m, width = self.markup, self.width
        outcome = totals.baseline
        assert outcome is not None
        lines: list[str] = []
        if outcome.fixed:
            lines += ["", m.style("bold", word("fixed_since", self.context.lang))]
            shown = outcome.fixed if self.context.verbose else outcome.fixed[:20]
            for fixed in shown:
                prefix = f"  {m.style('green', f'{fixed.severity.upper():8}')} {fixed.check_id} "
                lines += wrapped(prefix, 12 + len(fixed.check_id), f"{fixed.path}: {fixed.message}", width, m)
            if len(outcome.fixed) > len(shown):
                lines.append(f"  … and {len(outcome.fixed) - len(shown)} more (--verbose, or --format json)")
        return lines

    def _summary_lines(self, totals: RunTotals) -> list[str]:
        m, width = self.markup, self.width
        counts = totals.tally.by_severity
        by_severity = ", ".join(f"{counts[s]} {s}" for s in sorted(counts, reverse=True)) or "none"
        summary = totals.summary
        if self.context.lang == "zh":
            lines = wrapped("", 0, _summary_zh(totals, by_severity, self.context.command), width, m)
        elif self.context.command == "lint":
            label = "Linted"
            text = (
                f"{totals.tally.readable} file(s) in {summary.seconds:.2f} s; "
                f"{summary.errors} error(s). Findings: {by_severity}."
            )
        else:
            label = "Scanned"
            text = (
                f"{summary.artifacts} artifact(s) ({summary.members} "
                f"archive member(s)) in {summary.seconds:.2f} s; skipped {summary.skipped_not_elf} "
                "non-ELF file(s) and "
                f"{summary.skipped_duplicates} duplicate(s){_special(summary.skipped_special)}; "
                f"{summary.errors} error(s). "
                f"Findings: {by_severity}."
            )
        if self.context.lang != "zh":
            lines = wrapped(m.style("bold", label) + " ", len(label) + 1, text, width, m)
        if totals.baseline is not None:
            outcome = totals.baseline
            text = (
                f"{outcome.file}: {outcome.new} new finding(s) reported, {outcome.unchanged} unchanged "
                f"(not shown, not counted for the exit code), {len(outcome.fixed)} fixed."
            )
            lines += wrapped(m.style("bold", "Baseline") + " ", 9, text, width, m)
        if summary.vulndb is not None:
            lines += wrapped("", 0, f"Known vulnerabilities: matched against {summary.vulndb}.", width, m)
        elif summary.vulndb_note is not None:
            lines += wrapped("", 0, f"Known vulnerabilities: {summary.vulndb_note}.", width, m)
        not_read = totals.tally.not_read_sentence()
        if not_read is not None:
            heading = word("not_checked", self.context.lang)
            lines += wrapped(m.style("bold red", heading) + " ", len(heading) + 1, f"{not_read}.", width, m)
        return lines


def _summary_zh(totals: RunTotals, by_severity: str, command: str) -> str:
    """The summary line in Chinese (the severities keep their catalogue names)."""
    summary = totals.summary
    found = f"问题：{by_severity}。" if by_severity != "none" else "问题：无。"
    if command == "lint":
        files = totals.tally.readable
        return f"已检查 {files} 个文件，用时 {summary.seconds:.2f} 秒；{summary.errors} 个错误。{found}"
    return (
        f"已扫描 {summary.artifacts} 个制品（{summary.members} 个归档成员），用时 {summary.seconds:.2f} 秒；"
        f"跳过 {summary.skipped_not_elf} 个非 ELF 文件和 {summary.skipped_duplicates} 个重复文件；"
        f"{summary.errors} 个错误。{found}"
    )
