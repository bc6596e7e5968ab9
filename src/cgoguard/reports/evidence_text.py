"""Evidence per control and the build-mode matrix as text and Markdown, in English or Chinese.

Rendering only: the results and grades come from :mod:`cgoguard.evidence`.
Clause texts are printed as the mapping file has them (the standard's own
language); labels come from :mod:`cgoguard.reports.labels`.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator, Sequence

from cgoguard.evidence import CheckEvidence, ControlEvidence, FrameworkEvidence, MatrixRow
from cgoguard.model import Outcome
from cgoguard.reports.labels import label

_SHOWN_FAILURES = 3


def _counts(check: CheckEvidence, lang: str) -> str:
    parts = [
        f"{check.counts[o]} {label(o.value, lang)}"
        for o in (
            Outcome.PASSED,
            Outcome.FAILED,
            Outcome.REPORTED,
            Outcome.NOT_APPLICABLE,
            Outcome.NOT_EVALUATED,
        )
        if check.counts[o]
    ]
    return ", ".join(parts) if parts else label("not-evaluated", lang)


def _result(control: ControlEvidence, lang: str) -> str:
    text = label(control.result, lang)
    if control.grade != "none":
        text += f" ({label('grade', lang)}: {label(control.grade, lang)})"
    return text


def evidence_text(found: Sequence[FrameworkEvidence], lang: str = "en", width: int = 100) -> Iterator[str]:
    """Lines of the evidence section: per framework its counts, each addressable control
    with its result, checks, failures and what is missing; the others listed by ID."""
    wrap = textwrap.TextWrapper(width=max(width, 40), break_long_words=False, break_on_hyphens=False)
    yield label("disclaimer", lang)
    for framework_evidence in found:
        framework = framework_evidence.framework
        yield ""
        yield f"{framework.edition}  {framework.display_title(lang)}  [{framework.id}]"
        yield f"  {label('texts', lang)}: {label(framework.text_status, lang)}"
        counts = framework_evidence.counts()
        yield "  " + " · ".join(f"{label(k, lang)} {v}" for k, v in counts.items())
        outside = []
        for control in framework_evidence.controls:
            if control.result == "not-addressable":
                outside.append(control.control.id)
                continue
            yield from _control_lines(control, lang, wrap)
        if outside:
            yield ""
            wrap.initial_indent = wrap.subsequent_indent = "  "
            yield from _id_lines(f"  {label('not_addressable_list', lang)}:", outside, wrap.width)


def _id_lines(head: str, ids: list[str], width: int) -> Iterator[str]:
    """``head`` and the IDs, wrapped between IDs only ("8.1.4.2 c)" holds a space)."""
    line = head
    for number, control_id in enumerate(ids):
        item = control_id + ("," if number < len(ids) - 1 else "")
        if len(line) + 1 + len(item) > width and line.strip():
            yield line
            line = "   "
        line += " " + item
    yield line


def _control_lines(found: ControlEvidence, lang: str, wrap: textwrap.TextWrapper) -> Iterator[str]:
    control = found.control
    unit = f"  {control.test_unit}" if control.test_unit else ""
    yield ""
    yield f"  {control.id}{unit}  {control.control_point}: {_result(found, lang)}"
    wrap.initial_indent = wrap.subsequent_indent = "      "
    yield from wrap.wrap(control.text)
    for edge in found.edges:
        rationale, scope, _ = edge.edge.localized(lang)
        where = f" ({scope})" if scope else ""
        kind = f"; {label('measured', lang)}" if edge.kind == "measured" else ""
        yield f"    [{label(edge.edge.relationship, lang)}{kind}] {label(edge.status, lang)}{where}"
        wrap.initial_indent = wrap.subsequent_indent = "      "
        yield from wrap.wrap(rationale)
        for check in edge.checks:
            yield f"      {check.check_id}: {_counts(check, lang)}"
            for failure in check.failures[:_SHOWN_FAILURES]:
                wrap.initial_indent, wrap.subsequent_indent = "        - ", "          "
                yield from wrap.wrap(f"{failure.subject}: {failure.message}")
            if len(check.failures) > _SHOWN_FAILURES:
                yield f"        … +{len(check.failures) - _SHOWN_FAILURES}"
    for line in found.missing_in(lang):
        wrap.initial_indent, wrap.subsequent_indent = f"    {label('missing', lang)}: ", "      "
        yield from wrap.wrap(line)
    for task in control.localized(lang)[1]:
        wrap.initial_indent, wrap.subsequent_indent = f"    {label('assessor', lang)}: ", "      "
        yield from wrap.wrap(task)


def _cell(verified: list[str], scanned: list[str]) -> str:
    return " ".join([*(f"{c}✓" for c in verified), *(f"{c}·" for c in scanned)]) or "–"


def matrix_text(rows: list[MatrixRow], modes: Sequence[str], lang: str = "en") -> Iterator[str]:
    """One block per profile: a line per control and build mode."""
    yield label("matrix_title", lang)
    yield label("matrix_legend", lang)
    profiles = list(rows[0].cells) if rows else []
    for profile in profiles:
        yield ""
        yield f"{label('profile', lang)}: {profile}"
        for row in rows:
            control = row.control
            yield f"  {row.framework} {control.id} {control.control_point} [{label(row.relationship, lang)}]"
            for mode in modes:
                cell = row.cells[profile][mode]
                yield f"    {mode:<10} {_cell(cell.verified, cell.scanned)}"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def matrix_markdown(rows: list[MatrixRow], modes: Sequence[str], lang: str = "en") -> Iterator[str]:
    yield f"# {label('matrix_title', lang)}"
    yield ""
    yield label("matrix_legend", lang)
    profiles = list(rows[0].cells) if rows else []
    for profile in profiles:
        yield ""
        yield f"## {label('profile', lang)}: {profile}"
        yield ""
        yield f"| {label('framework', lang)} | {label('control', lang)} | | " + " | ".join(modes) + " |"
        yield "|---|---|---|" + "---|" * len(modes)
        for row in rows:
            cells = " | ".join(
                _cell(row.cells[profile][m].verified, row.cells[profile][m].scanned) for m in modes
            )
            name = f"{row.control.id} {row.control.control_point}"
            yield f"| {row.framework} | {_md(name)} | {label(row.relationship, lang)} | {cells} |"
