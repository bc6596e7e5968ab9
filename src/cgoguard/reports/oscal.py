"""OSCAL assessment results, built and validated by compliance-trestle's models.

Every image (and linted file) is an inventory item of the result's local
definitions, with its SHA-256 in a back-matter resource that observations
cite as their relevant evidence. Each failed check × image, each info-level
statement, each unreadable input and each finding across artifacts is an
observation (method EXAMINE: the files are analysed, nothing is run).
``comply`` adds the reviewed controls (those with evidence edges) and one
finding per control:

* gaps: objective status ``not-satisfied`` (reason ``fail``);
* evidenced by an edge that ``satisfies`` the control: ``satisfied``
  (reason ``pass``), with a remark and a prop saying that this is the
  binary-level evidence only;
* evidenced only by edges that partially satisfy or support it, and not
  evaluated: a finding without an objective status (OSCAL allows none), its
  ``cgoguard`` result in a prop: the tool never claims a control is met that
  its evidence does not cover.

Controls not addressable by binary analysis are not reviewed. Without
comply, the result reviews the controls of the (absent) assessment plan and
has no finding: observations only. No plan is imported: ``import-ap`` points
at a back-matter resource that says so. Output is deterministic: UUIDs are
UUIDv5 of what they name, times come from ``$SOURCE_DATE_EPOCH`` when set.

compliance-trestle is an optional dependency (``pip install 'cgoguard[oscal]'``).
"""

from __future__ import annotations

import re
import urllib.parse
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, TYPE_CHECKING, Any

from cgoguard.checks import find_check
from cgoguard.errors import UsageError
from cgoguard.evidence import ControlEvidence, FrameworkEvidence
from cgoguard.model import Artifact, Finding, Item, Outcome, build_mode_of, check_outcomes
from cgoguard.reports import ReportContext, Reporter, RunTotals
from cgoguard.reports.labels import label
from cgoguard.reports.sbom import creation_time

if TYPE_CHECKING:
    from trestle.oscal.assessment_results import AssessmentResults

# The namespace of every UUIDv5 this reporter makes, and of its own props.
NAMESPACE = uuid.UUID("64d76749-8f91-4eb2-8a1c-5a47b001847f")
PROP_NS = "urn:cgoguard:oscal"
NO_PLAN = "No OSCAL assessment plan was given; the reviewed controls are those of the framework mappings."
_NIST = re.compile(r"^([A-Z]{2})-(\d+)(?:\((\d+)\))?$")
_NOT_TOKEN = re.compile(r"[^A-Za-z0-9.]+")


def oscal_control_id(framework_id: str, control_id: str) -> str:
    """The OSCAL control-id: NIST SP 800-53's own (``SI-7(6)`` -> ``si-7.6``), else a
    token made of the framework ID and the sanitized ID (the original goes in a prop)."""
    match = _NIST.match(control_id)
    if framework_id.startswith("nist-800-53") and match:
        family, number, enhancement = match.groups()
        return f"{family.lower()}-{int(number)}" + (f".{int(enhancement)}" if enhancement else "")
    return f"{framework_id}_{_NOT_TOKEN.sub('-', control_id).strip('-').lower()}"


def _line(text: object) -> str:
    """A one-line title (OSCAL titles cannot hold a line break)."""
    return " ".join(str(text).split()) or "(unnamed)"


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "\0".join(parts)))


@dataclass(slots=True)
class _Subject:
    path: str
    sha256: str | None
    mode: str | None
    error: str | None
    failed: list[tuple[str, list[Finding]]] = field(default_factory=list)
    reported: list[tuple[str, str]] = field(default_factory=list)

    @property
    def uuid(self) -> str:
        return _id("subject", self.path, self.sha256 or "")

    @property
    def resource(self) -> str:
        return _id("resource", self.path, self.sha256 or "")


def _subjects(artifact: Artifact) -> Iterator[_Subject]:
    judged = set(artifact.applied) | set(artifact.not_applicable)
    container = artifact.is_archive or artifact.container is not None or bool(artifact.members)
    if artifact.elf is not None or artifact.error is not None or artifact.findings or judged or not container:
        mode = (
            build_mode_of(artifact.hardening, artifact.go is not None) if artifact.elf is not None else None
        )
        subject = _Subject(artifact.path, artifact.sha256, mode, artifact.error)
        by_check: dict[str, list[Finding]] = {}
        for finding in artifact.findings:
            by_check.setdefault(finding.check_id, []).append(finding)
        outcomes = check_outcomes(artifact)
        for check_id in sorted(by_check):
            outcome = outcomes.get(check_id, (Outcome.FAILED, ""))[0]
            if outcome == Outcome.REPORTED:
                subject.reported.append((check_id, outcomes[check_id][1]))
            elif outcome == Outcome.FAILED:  # lint's findings have no outcome: each is a failure
                subject.failed.append((check_id, by_check[check_id]))
        yield subject
    for member in artifact.members:
        yield from _subjects(member)


def _models() -> Any:
    try:
        import trestle.oscal.assessment_results as results
        import trestle.oscal.common as common
        from trestle.oscal import OSCAL_VERSION
    except ImportError:
        raise UsageError("--format oscal needs compliance-trestle: pip install 'cgoguard[oscal]'.") from None
    return results, common, OSCAL_VERSION


def require_models() -> None:
    """UsageError now, when compliance-trestle is missing (comply checks before it scans)."""
    _models()


class OscalReporter(Reporter):
    name = "oscal"

    def __init__(self, out: IO[str], context: ReportContext) -> None:
        super().__init__(out, context)
        self.results, self.common, self.oscal_version = _models()
        self.subjects: list[_Subject] = []

    def add(self, item: Item) -> None:
        if item.artifact is not None:
            self.subjects += _subjects(item.artifact)

    def finish(self, totals: RunTotals) -> None:
        document = self.document(totals)
        self.out.write(document.oscal_serialize_json(pretty=True) + "\n")

    # -- building ---------------------------------------------------------

    def _prop(self, name: str, value: object, remarks: str | None = None) -> Any:
        return self.common.Property(name=name, value=_line(value), ns=PROP_NS, remarks=remarks)

    def document(self, totals: RunTotals) -> AssessmentResults:
        """The assessment results of the run (validated by the models as they are built)."""
        c = self.common
        when = creation_time()
        tool = self.context.tool
        version = tool.get("version", "unknown")
        subjects = sorted(self.subjects, key=lambda s: (s.path, s.sha256 or ""))
        plan = _id("no-assessment-plan")
        tool_uuid = _id("tool", tool.get("name", "cgoguard"), version)
        observations = self._observations(subjects, totals.set_findings, when, tool_uuid)
        findings, reviewed = self._controls(totals.evidence, observations)
        resources = [
            c.Resource(uuid=plan, title="No assessment plan", description=NO_PLAN),
            *(self._resource(s) for s in subjects),
        ]
        local = self.results.LocalDefinitions1(
            components=[
                c.SystemComponent(
                    uuid=tool_uuid,
                    type="software",
                    title=_line(f"{tool.get('name', 'cgoguard')} {version}"),
                    description="The binary and source analyser that made these observations.",
                    status=c.Status(state="operational"),
                )
            ],
            inventory_items=[self._inventory_item(s) for s in subjects] or None,
        )
        result = self.results.Result(
            uuid=_id("result", self.context.command, when.isoformat(), *(s.uuid for s in subjects)),
            title=_line(f"cgoguard {self.context.command}"),
            description=label("disclaimer", self.context.lang),
            start=when,
            end=when,
            local_definitions=local,
            reviewed_controls=reviewed,
            observations=[o for _, o in observations] or None,
            findings=findings or None,
        )
        document: AssessmentResults = self.results.AssessmentResults(
            uuid=_id("assessment-results", result.uuid),
            metadata=c.Metadata(
                title=_line(f"cgoguard {self.context.command}: assessment results"),
                last_modified=when,
                version=version,
                oscal_version=self.oscal_version,
                remarks=label("disclaimer", self.context.lang),
            ),
            import_ap=self.results.ImportAp(href=f"#{plan}", remarks=NO_PLAN),
            results=[result],
            back_matter=c.BackMatter(resources=resources),
        )
        return document

    def _resource(self, subject: _Subject) -> Any:
        c = self.common
        hashes = [c.Hash(algorithm="SHA-256", value=subject.sha256)] if subject.sha256 else None
        return c.Resource(
            uuid=subject.resource,
            title=_line(subject.path),
            description="The file examined" + ("" if hashes else " (not hashed)") + ".",
            rlinks=[c.Rlink(href=urllib.parse.quote(subject.path, safe="/!:"), hashes=hashes)],
        )

    def _inventory_item(self, subject: _Subject) -> Any:
        props = [self._prop("path", subject.path)]
        if subject.sha256:
            props.append(self._prop("sha256", subject.sha256))
        if subject.mode:
            props.append(self._prop("build-mode", subject.mode))
        return self.common.InventoryItem(uuid=subject.uuid, description=subject.path, props=props)

    def _observation(
        self,
        key: str,
        title: str,
        description: str,
        kind: str,
        subjects: Sequence[_Subject],
        when: datetime,
        tool_uuid: str,
        props: list[Any],
    ) -> Any:
        c = self.common
        return c.Observation(
            uuid=_id("observation", key),
            title=_line(title),
            description=description or title,
            props=props or None,
            methods=["EXAMINE"],
            types=[kind],
            origins=[c.Origin(actors=[c.OriginActor(type="tool", actor_uuid=tool_uuid)])],
            subjects=[
                c.SubjectReference(subject_uuid=s.uuid, type="inventory-item", title=_line(s.path))
                for s in subjects
            ]
            or None,
            relevant_evidence=[
                c.RelevantEvidence(
                    href=f"#{s.resource}",
                    description=f"{s.path}" + (f" (SHA-256 {s.sha256})" if s.sha256 else ""),
                )
                for s in subjects
            ]
            or None,
            collected=when,
        )

    def _observations(
        self, subjects: list[_Subject], set_findings: list[Finding], when: datetime, tool_uuid: str
    ) -> list[tuple[tuple[str, str, str], Any]]:
        """(check ID, subject path) -> observation, in a stable order."""
        found: list[tuple[tuple[str, str, str], Any]] = []
        for s in subjects:
            if s.error is not None:
                key = f"unread\0{s.path}\0{s.sha256}"
                props = [self._prop("outcome", "not-read")]
                found.append(
                    (
                        ("", s.path, "not-read"),
                        self._observation(
                            key, f"not read: {s.path}", s.error, "discovery", [s], when, tool_uuid, props
                        ),
                    )
                )
            for check_id, findings in s.failed:
                title = f"{check_id} {_check_title(check_id)}: {s.path}"
                text = "\n".join(_finding_text(f) for f in findings)
                props = [
                    self._prop("check", check_id),
                    self._prop("outcome", "failed"),
                    self._prop("severity", max(f.severity for f in findings)),
                ]
                key = f"failed\0{check_id}\0{s.path}\0{s.sha256}"
                found.append(
                    (
                        (check_id, s.path, "failed"),
                        self._observation(key, title, text, "finding", [s], when, tool_uuid, props),
                    )
                )
            for check_id, statement in s.reported:
                title = f"{check_id} {_check_title(check_id)}: {s.path}"
                props = [self._prop("check", check_id), self._prop("outcome", "reported")]
                key = f"reported\0{check_id}\0{s.path}\0{s.sha256}"
                found.append(
                    (
                        (check_id, s.path, "reported"),
                        self._observation(key, title, statement, "discovery", [s], when, tool_uuid, props),
                    )
                )
        by_path = {s.path: s for s in subjects}
        for number, finding in enumerate(set_findings):
            involved = [by_path[p] for p in finding.artifacts if p in by_path]
            subject = ", ".join(finding.artifacts) or "the deliverable"
            title = f"{finding.check_id} {finding.title}: {subject}"
            props = [
                self._prop("check", finding.check_id),
                self._prop("outcome", "failed"),
                self._prop("severity", finding.severity),
            ]
            key = f"set\0{number}\0{finding.check_id}\0{finding.message}"
            observation = self._observation(
                key, title, _finding_text(finding), "finding", involved, when, tool_uuid, props
            )
            found.append(((finding.check_id, subject, "failed"), observation))
        return found

    def _controls(
        self, evidence: list[FrameworkEvidence] | None, observations: list[tuple[tuple[str, str, str], Any]]
    ) -> tuple[list[Any], Any]:
        c = self.common
        if evidence is None:
            reviewed = c.ReviewedControls(
                description=f"cgoguard {self.context.command} records observations only; no control was "
                "judged (cgoguard comply grades the controls of a framework).",
                control_selections=[c.ControlSelectionsAll(include_all=c.IncludeAll())],
            )
            return [], reviewed
        by_key = {key: observation.uuid for key, observation in observations}
        findings = []
        selections = []
        for framework in evidence:
            reviewed_here = [e for e in framework.controls if e.result != "not-addressable"]
            if not reviewed_here:
                continue
            ids = [oscal_control_id(framework.framework.id, e.control.id) for e in reviewed_here]
            selections.append(
                c.ControlSelections(
                    description=_line(f"{framework.framework.edition}: {_title(framework)}"),
                    props=[self._prop("framework", framework.framework.id)],
                    include_controls=[c.SelectControlById(control_id=i) for i in dict.fromkeys(ids)],
                )
            )
            for control, control_id in zip(reviewed_here, ids, strict=True):
                findings.append(self._finding(framework, control, control_id, by_key))
        if not selections:
            raise UsageError(
                "--format oscal: none of the chosen frameworks has a control with evidence edges."
            )
        reviewed = c.ReviewedControls(
            description="The controls of the chosen frameworks that binary and build analysis can give "
            "evidence for.",
            control_selections=selections,
        )
        return findings, reviewed

    def _finding(
        self,
        framework: FrameworkEvidence,
        found: ControlEvidence,
        control_id: str,
        by_key: dict[tuple[str, str, str], str],
    ) -> Any:
        c = self.common
        lang = self.context.lang
        control = found.control
        status = None
        remarks = None
        if found.result == "gaps":
            status = c.ObjectiveStatus(state="not-satisfied", reason="fail")
        elif found.result == "evidenced" and found.grade == "satisfies":
            status = c.ObjectiveStatus(
                state="satisfied",
                reason="pass",
                remarks="Binary-level evidence only: the audited artifacts show what this control asks of "
                "them; the assessor decides whether the system meets it.",
            )
        elif found.result == "evidenced":
            remarks = (
                f"The evidence {label(found.grade, 'en')} this control; it does not by itself satisfy it, "
                "so no objective status is given."
            )
        else:
            remarks = "Not evaluated: " + "; ".join(found.missing)
        props = [
            self._prop("framework", framework.framework.id),
            self._prop("original-control-id", control.id),
            self._prop("result", found.result),
            self._prop("grade", found.grade),
            self._prop("evidence-scope", "binary-level"),
        ]
        related = []  # the observations of the failures counted, and the statements of its checks
        checks = dict.fromkeys(ch.check_id for e in found.edges for ch in e.checks)
        for check in (ch for e in found.edges for ch in e.checks):
            for failure in check.failures:
                where = failure.subject  # an image, "file:line" (lint), or the artifacts of a set finding
                key = (check.check_id, where, "failed")
                related.append(
                    by_key.get(key) or by_key.get((check.check_id, where.rsplit(":", 1)[0], "failed"))
                )
        related += [
            u for (check_id, _, kind), u in by_key.items() if kind == "reported" and check_id in checks
        ]
        title = _line(f"{control.id} {control.control_point}: {label(found.result, lang)}")
        return c.Finding(
            uuid=_id("finding", framework.framework.id, control.id),
            title=title,
            description=control.text or title,
            props=props,
            target=c.FindingTarget(
                type="objective-id",
                target_id=f"{control_id}_obj",
                title=_line(f"{control.id} {control.control_point}"),
                status=status,
                remarks=remarks,
            ),
            related_observations=[
                c.RelatedObservation(observation_uuid=u) for u in dict.fromkeys(related) if u
            ]
            or None,
        )


def _title(framework: FrameworkEvidence) -> str:
    return framework.framework.title_en or framework.framework.title


def _check_title(check_id: str) -> str:
    check = find_check(check_id)
    return check.title if check is not None else ""


def _finding_text(finding: Finding) -> str:
    where = f"{finding.location.path}:{finding.location.line}: " if finding.location is not None else ""
    fix = f" Fix: {finding.fix}" if finding.fix else ""
    return f"{where}{finding.message}{fix}"
