"""The controls stage: findings and check outcomes as evidence per control.

Input is what the earlier stages produced (scanned artifacts with the checks
that applied to each, set-level findings, lint results, build manifests) and
the framework mappings of :mod:`cgoguard.controls`. For every edge of every
control, each check it names is counted over the subjects in its scope
(images of the edge's build modes, linted files, built targets, the run):
passed, failed, reported (an info-level statement), not applicable; a check
with nothing to count is *not evaluated*, with the reason (no such image among
the inputs, no vulnerability database, no build manifest, disabled ...).

A control's result is a statement about evidence, never about compliance:

``gaps``           a check behind an edge that gives evidence failed;
``evidenced``      every check of its strongest edge passed on every subject in
                   scope (``grade`` is that edge's relationship: satisfies,
                   partially-satisfies, supports), and none failed elsewhere;
``not-evaluated``  it is mapped, but nothing in this run could evidence it;
``not-addressable`` a binary auditor can say nothing about it (``why_not``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from cgoguard.checks import CheckTarget, find_check
from cgoguard.config import Config
from cgoguard.controls import Control, Edge, Framework
from cgoguard.model import Artifact, Finding, Outcome, build_mode_of, check_outcomes

# Why a check was not evaluated, in English and Chinese (the reports' language is chosen by --lang).
_REASONS = {
    "disabled": ("disabled by the configuration", "已在配置中禁用"),
    "no-vulndb": ("no vulnerability database was used (--vulndb)", "未使用漏洞库（--vulndb）"),
    "no-image": ("no {modes} image among the inputs", "输入中没有 {modes} 映像"),
    "not-run": ("not run on the {count} image(s) in scope", "未在范围内的 {count} 个映像上运行"),
    "no-set-stage": ("the checks across artifacts did not run", "跨制品检查未运行"),
    "no-manifest": ("no build manifest was given (--manifest)", "未提供构建清单（--manifest）"),
    "not-verified": (
        "the builds' profiles did not verify it (see each manifest's verification)",
        "构建配置未验证该项（见各构建清单的 verification）",
    ),
    "no-source": ("no source was given to lint (--source)", "未提供要检查的源代码（--source）"),
    "no-signature": (
        "no signature bundle was given (--signature with --key)",
        "未提供签名文件（--signature 与 --key）",
    ),
    "no-probe": (
        "the artifacts were not probed (comply --probe, or cgoguard probe)",
        "未对制品进行实测（comply --probe 或 cgoguard probe）",
    ),
    "no-against": ("headers were not compared with a library (--against)", "未将头文件与库比对（--against）"),
    "no-source-kind": ("no {kind} among the linted sources", "检查的源代码中没有 {kind}"),
}
RELATIONSHIP_RANK = {"satisfies": 3, "partially-satisfies": 2, "supports": 1, "none": 0}
_SOURCE_TARGETS = (
    CheckTarget.GO_SOURCE,
    CheckTarget.C_HEADER,
    CheckTarget.HEADER_BINARY,
    CheckTarget.HEADER_GO,
)


@dataclass(slots=True)
class Inputs:
    """Everything one ``comply`` run collected, before any judging of controls."""

    artifacts: list[Artifact]  # scanned (with members)
    set_findings: list[Finding] = field(default_factory=list)
    set_stage_ran: bool = False
    linted: list[Artifact] | None = None  # None: no source given
    against: bool = False  # lint compared headers with a library (HEADER_BINARY checks ran)
    manifests: list[dict[str, Any]] = field(default_factory=list)
    signatures_given: bool = False  # signature bundles were checked (the SIGNATURE checks ran)
    probed: bool = False  # the images were probed (the MEASURED checks ran)
    vulndb: str | None = None  # the database the Go images were matched against; None: not matched
    config: Config = field(default_factory=Config)


@dataclass(slots=True)
class Failure:
    subject: str
    message: str


@dataclass(slots=True)
class CheckEvidence:
    """One check of one edge, counted over the subjects in the edge's scope."""

    check_id: str
    counts: dict[str, int]  # by Outcome value
    failures: list[Failure]
    reason: tuple[str, dict[str, object]] | None = None  # why nothing was counted: key of _REASONS, values
    measured: bool = False  # a MEASURED check: what `cgoguard probe` saw the artifact do when it ran

    def why_not(self, key: str, **values: object) -> None:
        self.reason = (key, values)

    @property
    def not_evaluated(self) -> str:
        return self.not_evaluated_in("en")

    def not_evaluated_in(self, lang: str) -> str:
        """Why nothing was counted, in ``lang``; "" when something was."""
        if self.reason is None:
            return ""
        key, values = self.reason
        english, chinese = _REASONS[key]
        return (chinese if lang == "zh" else english).format(**values)

    @property
    def evaluated(self) -> bool:
        """It judged something: passed, failed or reported on a subject in scope."""
        return any(self.counts[o] for o in (Outcome.PASSED, Outcome.FAILED, Outcome.REPORTED))

    @property
    def answered(self) -> bool:
        """It judged something, or said of everything in scope that it does not apply."""
        return self.evaluated or bool(self.counts[Outcome.NOT_APPLICABLE])


@dataclass(slots=True)
class EdgeEvidence:
    edge: Edge
    checks: list[CheckEvidence]

    @property
    def kind(self) -> str:
        """ "measured" when every check of the edge was measured by running the artifact, else "static"."""
        return "measured" if self.checks and all(c.measured for c in self.checks) else "static"

    @property
    def status(self) -> str:
        if any(c.counts[Outcome.FAILED] for c in self.checks):
            return "gaps"
        if all(c.answered for c in self.checks) and any(c.evaluated for c in self.checks):
            return "evidenced"
        if any(c.answered for c in self.checks):
            return "partly-evaluated"
        return "not-evaluated"


@dataclass(slots=True)
class ControlEvidence:
    control: Control
    edges: list[EdgeEvidence]
    result: str  # gaps | evidenced | not-evaluated | not-addressable
    grade: str  # the relationship the evidence reaches ("none" when it reaches none)

    @property
    def missing(self) -> list[str]:
        return self.missing_in("en")

    def missing_in(self, lang: str) -> list[str]:
        """ "<check>: why it was not evaluated", for each check behind the control that was not."""
        if self.result == "not-addressable":
            return []
        return sorted(
            {
                f"{c.check_id}: {c.not_evaluated_in(lang)}"
                for e in self.edges
                for c in e.checks
                if not c.answered and c.reason is not None
            }
        )


@dataclass(slots=True)
class FrameworkEvidence:
    framework: Framework
    controls: list[ControlEvidence]

    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(("gaps", "evidenced", "not-evaluated", "not-addressable"), 0)
        for control in self.controls:
            found[control.result] += 1
        return found


def _images(artifacts: Iterable[Artifact]) -> Iterator[Artifact]:
    for artifact in artifacts:
        if artifact.elf is not None:
            yield artifact
        yield from _images(artifact.members)


def _empty_counts() -> dict[str, int]:
    return dict.fromkeys((o.value for o in Outcome), 0)


class _Judge:
    """Counts each check over its subjects once per scope (many edges name the same checks)."""

    def __init__(self, inputs: Inputs) -> None:
        self.inputs = inputs
        # (build mode, path, outcomes): each image's outcomes computed once, read by every edge
        self.images = [
            (build_mode_of(i.hardening, i.go is not None), i.path, check_outcomes(i))
            for i in _images(inputs.artifacts)
        ]
        self.cache: dict[tuple[str, tuple[str, ...]], CheckEvidence] = {}

    def evidence(self, check_id: str, modes: tuple[str, ...]) -> CheckEvidence:
        key = (check_id, modes)
        if key not in self.cache:
            self.cache[key] = self._count(check_id, modes)
        return self.cache[key]

    def _count(self, check_id: str, modes: tuple[str, ...]) -> CheckEvidence:
        check = find_check(check_id)
        assert check is not None  # the mappings were validated against the catalogue
        found = CheckEvidence(check_id, _empty_counts(), [], measured=check.target == CheckTarget.MEASURED)
        if not self.inputs.config.enabled(check_id):
            found.why_not("disabled")
            return found
        target = check.target
        if target in (CheckTarget.BINARY, CheckTarget.KNOWN_VULNERABILITIES):
            self._count_images(found, target, modes)
        elif target == CheckTarget.MEASURED:
            if self.inputs.probed:
                self._count_images(found, target, modes)
            else:
                found.why_not("no-probe")
        elif target == CheckTarget.SIGNATURE:
            self._count_files(found)
        elif target == CheckTarget.ARTIFACT_SET:
            self._count_set(found)
        elif target == CheckTarget.BUILD:
            self._count_builds(found, modes)
        else:
            self._count_sources(found, target)
        return found

    def _count_images(self, found: CheckEvidence, target: CheckTarget, modes: tuple[str, ...]) -> None:
        in_scope = [(path, outcomes) for mode, path, outcomes in self.images if not modes or mode in modes]
        if target == CheckTarget.KNOWN_VULNERABILITIES and self.inputs.vulndb is None:
            found.why_not("no-vulndb")
            return
        for path, outcomes in in_scope:
            outcome = outcomes.get(found.check_id)
            if outcome is None:
                found.counts[Outcome.NOT_EVALUATED] += 1
                continue
            found.counts[outcome[0]] += 1
            if outcome[0] == Outcome.FAILED:
                found.failures.append(Failure(path, outcome[1]))
        if not in_scope:
            found.why_not("no-image", modes="/".join(modes) or "ELF")
        elif not found.answered:
            found.why_not("not-run", count=len(in_scope))

    def _count_files(self, found: CheckEvidence) -> None:
        """Checks of whole files (signatures): counted over the files scanned, not their members."""
        if not self.inputs.signatures_given:
            found.why_not("no-signature")
            return
        for artifact in self.inputs.artifacts:
            outcome = check_outcomes(artifact).get(found.check_id)
            if outcome is None:
                found.counts[Outcome.NOT_EVALUATED] += 1
                continue
            found.counts[outcome[0]] += 1
            if outcome[0] == Outcome.FAILED:
                found.failures.append(Failure(artifact.path, outcome[1]))
        if not found.answered:
            found.why_not("not-run", count=len(self.inputs.artifacts))

    def _count_set(self, found: CheckEvidence) -> None:
        if not self.inputs.set_stage_ran:
            found.why_not("no-set-stage")
            return
        mine = [f for f in self.inputs.set_findings if f.check_id == found.check_id]
        if not mine:
            found.counts[Outcome.PASSED] += 1
            return
        for finding in mine:
            found.counts[Outcome.FAILED] += 1
            found.failures.append(Failure(", ".join(finding.artifacts) or "the deliverable", finding.message))

    def _count_builds(self, found: CheckEvidence, modes: tuple[str, ...]) -> None:
        if not self.inputs.manifests:
            found.why_not("no-manifest")
            return
        for manifest in self.inputs.manifests:
            target = manifest.get("target", {})
            if modes and target.get("go_build_mode") not in modes:
                continue
            verdicts = [
                v for v in manifest.get("verification", {}).get("checks", []) if v.get("id") == found.check_id
            ]
            if not verdicts:
                # a build check judges what the build asked for (a mode, no build ID, GOFIPS140 ...)
                found.counts[Outcome.NOT_APPLICABLE] += 1
                continue
            for verdict in verdicts:
                subject = f"{target.get('name', '?')} ({verdict.get('on', 'artifact')})"
                if not verdict.get("applicable", True):
                    found.counts[Outcome.NOT_APPLICABLE] += 1
                elif verdict.get("passed"):
                    found.counts[Outcome.PASSED] += 1
                else:
                    found.counts[Outcome.FAILED] += 1
                    found.failures.append(Failure(subject, str(verdict.get("evidence", ""))))
        if not found.answered:
            found.why_not("not-verified")

    def _count_sources(self, found: CheckEvidence, target: CheckTarget) -> None:
        linted = self.inputs.linted
        if linted is None:
            found.why_not("no-source")
            return
        if target == CheckTarget.HEADER_BINARY and not self.inputs.against:
            found.why_not("no-against")
            return
        headers = target != CheckTarget.GO_SOURCE
        for artifact in linted:
            if artifact.error is not None or artifact.path.endswith(".h") != headers:
                continue
            mine = [f for f in artifact.findings if f.check_id == found.check_id]
            if not mine:
                found.counts[Outcome.PASSED] += 1
            for finding in mine:
                found.counts[Outcome.FAILED] += 1
                where = f"{artifact.path}:{finding.location.line}" if finding.location else artifact.path
                found.failures.append(Failure(where, finding.message))
        if not found.answered:
            found.why_not("no-source-kind", kind="C header" if headers else "Go file")


def collect(frameworks: Sequence[Framework], inputs: Inputs) -> list[FrameworkEvidence]:
    """Evidence per control of each framework, from one run's results."""
    judge = _Judge(inputs)
    return [
        FrameworkEvidence(framework, [_control(control, judge) for control in framework.controls])
        for framework in frameworks
    ]


def _control(control: Control, judge: _Judge) -> ControlEvidence:
    edges = [
        EdgeEvidence(edge, [judge.evidence(c, edge.build_modes) for c in edge.checks])
        for edge in control.edges
        if edge.relationship != "none"
    ]
    if control.addressable == "none" or not edges:
        return ControlEvidence(control, edges, "not-addressable", "none")
    if any(e.status == "gaps" for e in edges):
        return ControlEvidence(control, edges, "gaps", _best(edges, ("evidenced",)))
    grade = _best(edges, ("evidenced",))
    if grade != "none":
        return ControlEvidence(control, edges, "evidenced", grade)
    return ControlEvidence(control, edges, "not-evaluated", "none")


def _best(edges: list[EdgeEvidence], statuses: tuple[str, ...]) -> str:
    reached = [e.edge.relationship for e in edges if e.status in statuses]
    return max(reached, key=RELATIONSHIP_RANK.__getitem__, default="none")


def evidence_to_dict(found: list[FrameworkEvidence]) -> list[dict[str, Any]]:
    """The ``evidence`` key of the JSON document (also embedded by the HTML report)."""
    return [
        {
            "framework": {
                "id": f.framework.id,
                "title": f.framework.title,
                "title_en": f.framework.title_en,
                "title_zh": f.framework.title_zh,
                "edition": f.framework.edition,
                "text_status": f.framework.text_status,
                "note": f.framework.note,
                "note_zh": f.framework.note_zh,
                "source": f.framework.source,
            },
            "counts": f.counts(),
            "controls": [_control_dict(c) for c in f.controls],
        }
        for f in found
    ]


def _control_dict(found: ControlEvidence) -> dict[str, Any]:
    control = found.control
    return {
        "id": control.id,
        "class": control.cls,
        "control_point": control.control_point,
        "test_unit": control.test_unit,
        "text": control.text,
        "addressable": control.addressable,
        "result": found.result,
        "grade": found.grade,
        "why_not": control.why_not,
        "why_not_zh": control.why_not_zh,
        "edges": [
            {
                "checks": list(e.edge.checks),
                "relationship": e.edge.relationship,
                "evidence": e.kind,
                "status": e.status,
                "scope": e.edge.scope,
                "build_modes": list(e.edge.build_modes),
                "conditions": list(e.edge.conditions),
                "rationale": e.edge.rationale,
                "rationale_zh": e.edge.rationale_zh,
                "scope_zh": e.edge.scope_zh,
                "results": {c.check_id: dict(c.counts) for c in e.checks},
                "not_evaluated": {c.check_id: c.not_evaluated for c in e.checks if c.not_evaluated},
                "failed_artifacts": sorted({f.subject for c in e.checks for f in c.failures}),
                "failures": [
                    {"check": c.check_id, "subject": f.subject, "message": f.message}
                    for c in e.checks
                    for f in c.failures
                ],
            }
            for e in found.edges
        ],
        "missing": found.missing,
        "missing_zh": found.missing_in("zh"),
        "assessor_must_also": list(control.assessor_must_also),
        "assessor_must_also_zh": list(control.assessor_must_also_zh),
    }


MATRIX_MODES = ("exe", "pie", "c-shared", "c-archive", "plugin")


@dataclass(slots=True)
class MatrixCell:
    verified: list[str]  # checks every build of the profile verifies for this mode
    scanned: list[str]  # checks that apply to the mode and are judged when its artifacts are scanned


@dataclass(slots=True)
class MatrixRow:
    framework: str
    control: Control
    relationship: str  # the strongest relationship of the control's edges
    cells: dict[str, dict[str, MatrixCell]]  # profile -> mode -> cell


def build_matrix(frameworks: Sequence[Framework], profiles: Sequence[Any]) -> list[MatrixRow]:
    """The seed's build-mode ↔ control table, generated: for each control with evidence
    edges and each Go build mode, the checks of those edges that can apply to the mode
    (the checks' declared modes, the edge's build modes), split by whether each
    profile's builds verify them (``Profile.verified_checks``). ``exe`` under a profile
    with ``pie`` is verified as the pie it becomes."""
    rows = []
    for framework in frameworks:
        for control in framework.controls:
            edges = [e for e in control.edges if e.relationship != "none"]
            if control.addressable == "none" or not edges:
                continue
            strongest = max((e.relationship for e in edges), key=RELATIONSHIP_RANK.__getitem__)
            cells: dict[str, dict[str, MatrixCell]] = {}
            for profile in profiles:
                cells[profile.name] = {}
                for mode in MATRIX_MODES:
                    built_as = "pie" if mode == "exe" and profile.pie else mode
                    verified = set(profile.verified_checks(built_as))
                    cell = MatrixCell([], [])
                    named = dict.fromkeys(c for e in edges for c in e.checks if _edge_covers(e, mode))
                    for check_id in named:
                        check = find_check(check_id)
                        assert check is not None
                        if mode in check.modes:
                            (cell.verified if check_id in verified else cell.scanned).append(check_id)
                    cells[profile.name][mode] = cell
            rows.append(MatrixRow(framework.id, control, strongest, cells))
    return rows


def _edge_covers(edge: Edge, mode: str) -> bool:
    return not edge.build_modes or mode in edge.build_modes


def matrix_to_dict(rows: list[MatrixRow]) -> list[dict[str, Any]]:
    return [
        {
            "framework": row.framework,
            "control": row.control.id,
            "control_point": row.control.control_point,
            "test_unit": row.control.test_unit,
            "relationship": row.relationship,
            "profiles": {
                profile: {mode: {"verified": c.verified, "scanned": c.scanned} for mode, c in modes.items()}
                for profile, modes in row.cells.items()
            },
        }
        for row in rows
    ]
