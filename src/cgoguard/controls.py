"""Framework mappings: which catalogue checks give evidence for which control.

Data, not code: one YAML file per framework edition in ``cgoguard/data/frameworks/``,
validated against the JSON Schema beside them (``mapping.schema.json``); a user
adds a framework, or replaces a shipped one, with a file of the same shape
(``--mapping FILE``). Edges name catalogue check IDs only, so a new check is one
line of YAML away from the evidence matrix. Grades are what a binary and build
auditor can evidence; nothing here says a system is compliant.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from cgoguard.checks import all_checks
from cgoguard.errors import ConfigError

MAX_MAPPING_BYTES = 4 << 20


@dataclass(frozen=True, slots=True)
class Edge:
    checks: tuple[str, ...]
    relationship: str  # "satisfies" | "partially-satisfies" | "supports" | "none"
    rationale: str
    scope: str = ""
    conditions: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    build_modes: tuple[str, ...] = ()  # Go build modes ("c": no Go code) it is about; () = any
    rationale_zh: str = ""  # the prose again in Chinese (--lang zh); "" when the file has none
    scope_zh: str = ""
    conditions_zh: tuple[str, ...] = ()

    def localized(self, lang: str) -> tuple[str, str, tuple[str, ...]]:
        """Rationale, scope and conditions in ``lang`` ("zh" or "en"), English where no twin exists."""
        if lang == "zh":
            return (
                self.rationale_zh or self.rationale,
                self.scope_zh or self.scope,
                self.conditions_zh or self.conditions,
            )
        return self.rationale, self.scope, self.conditions


@dataclass(frozen=True, slots=True)
class Control:
    id: str
    control_point: str
    text: str
    addressable: str  # "full" | "partial" | "supporting" | "none"
    edges: tuple[Edge, ...]
    cls: str = ""  # the framework's class of the control ("安全计算环境")
    test_unit: str = ""
    why_not: str = ""
    assessor_must_also: tuple[str, ...] = ()
    why_not_zh: str = ""
    assessor_must_also_zh: tuple[str, ...] = ()

    def localized(self, lang: str) -> tuple[str, tuple[str, ...]]:
        """Why-not and the assessor's remaining steps in ``lang``, English where no twin exists."""
        if lang == "zh":
            return self.why_not_zh or self.why_not, self.assessor_must_also_zh or self.assessor_must_also
        return self.why_not, self.assessor_must_also


@dataclass(frozen=True, slots=True)
class Framework:
    id: str
    title: str
    edition: str
    text_status: str
    controls: tuple[Control, ...]
    source: str  # "shipped" or the user's file
    note: str = ""
    title_en: str = ""
    amends: bool = False  # a user's file whose controls replace or add to the shipped framework's
    title_zh: str = ""
    note_zh: str = ""

    def display_title(self, lang: str) -> str:
        """The title for ``lang``: the framework's own title unless it has one in that language."""
        if lang == "zh":
            return self.title_zh or self.title
        return self.title_en or self.title


@cache
def _schema() -> dict[str, Any]:
    text = resources.files("cgoguard.data").joinpath("frameworks/mapping.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _validate(document: Any, source: str) -> None:
    import jsonschema

    try:
        jsonschema.validate(document, _schema())
    except jsonschema.ValidationError as error:
        where = "/".join(str(part) for part in error.absolute_path) or "the document"
        raise ConfigError(f"{source}: {where}: {error.message}.") from None


def parse_framework(text: str, source: str, *, check_schema: bool = True) -> Framework:
    """A framework from one mapping file's text; ConfigError (one sentence) when it is not valid.
    The shipped files skip the schema (``check_schema=False``): the test suite validates them, and
    importing jsonschema costs more than a whole small comply run. Check IDs are always checked."""
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ConfigError(f"{source}: not YAML ({str(error).splitlines()[0]}).") from None
    if check_schema:
        _validate(document, source)
    known = {check.id for check in all_checks()}
    seen: set[str] = set()
    controls = []
    for raw in document["controls"]:
        if raw["id"] in seen:
            raise ConfigError(f"{source}: control {raw['id']} is listed twice.")
        seen.add(raw["id"])
        _same_length(source, raw, "assessor_must_also")
        edges = []
        for edge in raw["mappings"]:
            unknown = [c for c in edge["checks"] if c not in known]
            if unknown:
                raise ConfigError(
                    f"{source}: control {raw['id']} names checks not in the catalogue: {', '.join(unknown)}."
                )
            _same_length(source, edge, "conditions", raw["id"])
            edges.append(
                Edge(
                    tuple(edge["checks"]),
                    edge["relationship"],
                    edge["rationale"].strip(),
                    edge.get("scope", ""),
                    tuple(edge.get("conditions", ())),
                    tuple(edge.get("evidence", ())),
                    tuple(edge.get("build_modes", ())),
                    edge.get("rationale_zh", "").strip(),
                    edge.get("scope_zh", ""),
                    tuple(edge.get("conditions_zh", ())),
                )
            )
        if raw["addressable"] != "none" and not any(e.relationship != "none" for e in edges):
            raise ConfigError(
                f"{source}: control {raw['id']} is {raw['addressable']} but no check gives evidence for it."
            )
        controls.append(
            Control(
                raw["id"],
                raw["control_point"],
                raw["text"],
                raw["addressable"],
                tuple(edges),
                raw.get("class", ""),
                raw.get("test_unit", ""),
                raw.get("why_not", ""),
                tuple(raw.get("assessor_must_also", ())),
                raw.get("why_not_zh", ""),
                tuple(raw.get("assessor_must_also_zh", ())),
            )
        )
    meta = document["framework"]
    return Framework(
        meta["id"],
        meta["title"],
        meta["edition"],
        meta["text_status"],
        tuple(controls),
        source,
        meta.get("note", ""),
        meta.get("title_en", ""),
        bool(meta.get("amends", False)),
        meta.get("title_zh", ""),
        meta.get("note_zh", ""),
    )


def _same_length(source: str, raw: dict[str, Any], key: str, control: str = "") -> None:
    """A Chinese list twin goes item by item with its English list, or is absent."""
    twin = raw.get(f"{key}_zh")
    if twin is not None and len(twin) != len(raw.get(key, ())):
        where = control or raw["id"]
        raise ConfigError(
            f"{source}: control {where}: {key}_zh has {len(twin)} items, {key} has {len(raw.get(key, ()))}."
        )


def shipped_frameworks() -> list[Framework]:
    folder = resources.files("cgoguard.data").joinpath("frameworks")
    names = sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".yaml"))
    return [
        parse_framework(folder.joinpath(name).read_text("utf-8"), "shipped", check_schema=False)
        for name in names
    ]


def load_mapping_file(path: str) -> Framework:
    """A user's mapping file (regular, bounded), validated like the shipped ones."""
    from cgoguard.fileio import read_regular

    try:
        data = read_regular(path, MAX_MAPPING_BYTES)
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read ({error.strerror or error}).") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text.") from None
    return parse_framework(text, path)


def frameworks(extra: list[str] | None = None) -> list[Framework]:
    """The shipped frameworks, with a user's file replacing a shipped one of the same id."""
    found = {f.id: f for f in shipped_frameworks()}
    for path in extra or []:
        framework = load_mapping_file(path)
        base = found.get(framework.id)
        if framework.amends:
            if base is None:
                raise ConfigError(f"{path}: amends {framework.id}, which is not a known framework.")
            framework = _amend(base, framework)
        found[framework.id] = framework
    return sorted(found.values(), key=lambda f: f.id)


def select_frameworks(ids: list[str], extra: list[str] | None = None) -> list[Framework]:
    """The frameworks named by ``ids`` (all when empty), the user's files included."""
    known = frameworks(extra)
    if not ids:
        return known
    by_id = {f.id: f for f in known}
    unknown = [i for i in ids if i not in by_id]
    if unknown:
        raise ConfigError(
            f"unknown framework {', '.join(unknown)}; known: {', '.join(by_id)} (see cgoguard frameworks)."
        )
    return [by_id[i] for i in dict.fromkeys(ids)]


def _amend(base: Framework, patch: Framework) -> Framework:
    """``base`` with ``patch``'s controls replacing those of the same id (in place) or added at the end."""
    replacing = {c.id: c for c in patch.controls}
    controls = [replacing.pop(c.id, c) for c in base.controls]
    controls.extend(c for c in patch.controls if c.id in replacing)
    return Framework(
        base.id,
        base.title,
        base.edition,
        base.text_status,
        tuple(controls),
        f"{base.source}, amended by {patch.source}",
        base.note,
        base.title_en,
        title_zh=base.title_zh,
        note_zh=base.note_zh,
    )


def frameworks_dict(items: list[Framework]) -> list[dict[str, Any]]:
    """What ``cgoguard frameworks --format json`` prints."""
    return [
        {
            "id": f.id,
            "title": f.title,
            "title_en": f.title_en,
            "title_zh": f.title_zh,
            "edition": f.edition,
            "text_status": f.text_status,
            "source": f.source,
            "controls": len(f.controls),
            "addressable": {
                grade: sum(1 for c in f.controls if c.addressable == grade)
                for grade in ("full", "partial", "supporting", "none")
            },
        }
        for f in items
    ]
