"""Configuration: ``[tool.cgoguard]`` in pyproject.toml, or a cgoguard.toml.

Example::

    [tool.cgoguard]
    select = ["CG1", "CG2"]          # IDs, ID prefixes or check names; default: all
    ignore = ["CG110"]
    fail-on = "medium"                # info | low | medium | high | critical
    jobs = 4
    item-timeout = 300                # seconds one file may take (0: no limit)
    item-memory = 2048                # MiB one worker process may allocate (0: no limit)
    vulndb = "vulndb.zip"             # Go vulnerability database: a path, "online" (default) or "off"

    [tool.cgoguard.severity]          # override a check's severity
    CG111 = "info"

    [tool.cgoguard.per-path-ignores]  # glob on the display path -> checks to ignore
    "dist/legacy/*" = ["CG101"]
    "*.a!*" = ["CG113"]

    [tool.cgoguard.lint]
    include = ["include", "third_party/include"]   # -I folders for headers, from the config's folder
    header-integers = "portability"   # CG453: "portability" (widths differing between Go's ABIs) or "strict"

    [tool.cgoguard.containers]        # wheels, tarballs, packages, images (defaults shown)
    member-mib = 1024                 # one member, decompressed
    total-mib = 16384                 # everything decompressed from one container
    entries = 200000
    ratio = 1000                      # decompressed / compressed
    depth = 4                         # containers inside containers
    platform = "linux/amd64"          # of a multi-platform image (default: this machine's)
    deleted-files = false             # also image files that later layers delete or replace

The first of cgoguard.toml or pyproject.toml (with a [tool.cgoguard] table)
found in the current folder or its parents is used, like ruff does.
"""

from __future__ import annotations

import fnmatch
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cgoguard.checks import all_checks, find_check
from cgoguard.errors import ConfigError
from cgoguard.itemlimits import (
    DEFAULT_MEMORY_MIB,
    DEFAULT_SECONDS,
    ItemLimits,
    check_memory,
    check_seconds,
)
from cgoguard.model import Artifact, Severity
from cgoguard.readers.containers import ContainerLimits

_KEYS = {
    "select",
    "ignore",
    "fail-on",
    "jobs",
    "format",
    "severity",
    "per-path-ignores",
    "allow-unreadable",
    "item-timeout",
    "item-memory",
    "vulndb",
    "baseline",
}
MAX_JOBS = 1024  # more worker processes than this is a typo, not a machine
# Sub-tables owned by other commands; kept raw here and validated by them.
COMMAND_TABLES = ("build", "profiles", "bridge")
_LINT_KEYS = {"include", "header-integers"}
HEADER_INTEGER_LEVELS = ("portability", "strict")
# [tool.cgoguard.containers] bounds and the largest value each may take.
_CONTAINER_KEYS = {
    "member-mib": 1 << 20,
    "total-mib": 1 << 24,
    "entries": 10_000_000,
    "ratio": 1_000_000,
    "depth": 64,
}
_TABLES = {"lint", "containers"}  # sub-tables validated here


@dataclass(slots=True)
class Config:
    source: str | None = None
    select: frozenset[str] | None = None  # resolved check IDs; None = all
    ignore: frozenset[str] = frozenset()
    severity: dict[str, Severity] = field(default_factory=dict)
    per_path_ignores: list[tuple[str, frozenset[str]]] = field(default_factory=list)
    fail_on: Severity | None = None
    jobs: int | None = None
    format: str | None = None
    allow_unreadable: bool | None = None  # exit 0/1 even when some files could not be read
    item_limits: ItemLimits = field(default_factory=ItemLimits)
    root: str | None = None  # folder of the config file, for relative path patterns
    tables: dict[str, Any] = field(default_factory=dict)  # COMMAND_TABLES, raw
    lint_include_dirs: list[str] = field(default_factory=list)  # [tool.cgoguard.lint] include, resolved
    header_integers: str | None = None  # [tool.cgoguard.lint] header-integers (CG453's level)
    container_limits: ContainerLimits = field(default_factory=ContainerLimits)
    platform: str | None = None  # of a multi-platform image; None: this machine's
    deleted_files: bool = False  # also scan image files that later layers delete or replace
    one_group: bool = False  # set-level checks: everything scanned loads together (scan --group)
    vulndb: str | None = None  # the Go vulnerability database (folder, zip or OSV file); None: not checked
    function_tables: bool = False  # keep each Go image's function names (GoFacts.functions); megabytes each
    baseline: str | None = None  # a previous JSON report: its findings are not reported

    def enabled(self, check_id: str) -> bool:
        return (self.select is None or check_id in self.select) and check_id not in self.ignore

    def _ignored_for(self, path: str) -> frozenset[str]:
        if not self.per_path_ignores:
            return frozenset()
        names = {path}
        if self.root is not None:
            real = path.split("!", 1)
            rel = os.path.relpath(os.path.abspath(real[0]), self.root)
            names.add(rel if len(real) == 1 else f"{rel}!{real[1]}")
        hit: set[str] = set()
        for pattern, ids in self.per_path_ignores:
            if any(fnmatch.fnmatchcase(name, pattern) for name in names):
                hit |= ids
        return frozenset(hit)

    def apply(self, artifact: Artifact) -> None:
        """Drop disabled findings and apply severity overrides, members included."""
        ignored = self._ignored_for(artifact.path)
        kept = []
        for finding in artifact.findings:
            if not self.enabled(finding.check_id) or finding.check_id in ignored:
                continue
            override = self.severity.get(finding.check_id)
            if override is not None:
                finding.severity = override
            kept.append(finding)
        artifact.findings = kept
        # a disabled check was, for the reports, not run
        artifact.applied = [c for c in artifact.applied if self.enabled(c) and c not in ignored]
        artifact.not_applicable = {
            c: why for c, why in artifact.not_applicable.items() if self.enabled(c) and c not in ignored
        }
        for member in artifact.members:
            self.apply(member)


def _resolve(keys: Any, where: str) -> frozenset[str]:
    if not isinstance(keys, list) or not all(isinstance(k, str) for k in keys):
        raise ConfigError(f'{where} must be a list of check IDs or names, e.g. ["CG101"].')
    ids: set[str] = set()
    catalogue = all_checks()
    for key in keys:
        found = find_check(key)
        if found is not None:
            ids.add(found.id)
            continue
        prefixed = {c.id for c in catalogue if c.id.startswith(key.upper())}
        if not prefixed:
            raise ConfigError(f"{where}: {key!r} matches no check; `cgoguard checks` lists them.")
        ids |= prefixed
    return frozenset(ids)


def _severity(value: Any, where: str) -> Severity:
    if not isinstance(value, str):
        raise ConfigError(f"{where} must be a severity name (info, low, medium, high, critical).")
    try:
        return Severity.parse(value)
    except ValueError as error:
        raise ConfigError(f"{where}: {error}.") from None


def _containers_table(table: Any, source: str) -> tuple[ContainerLimits, str | None, bool]:
    where = f"{source}: [tool.cgoguard.containers]"
    if not isinstance(table, dict):
        raise ConfigError(f"{where} must be a table.")
    unknown = sorted(set(table) - set(_CONTAINER_KEYS) - {"platform", "deleted-files"})
    if unknown:
        raise ConfigError(
            f"{where}: unknown key(s) {', '.join(unknown)}; known keys: "
            f"{', '.join(sorted([*_CONTAINER_KEYS, 'platform', 'deleted-files']))}."
        )
    values: dict[str, int] = {}
    for key, largest in _CONTAINER_KEYS.items():
        if key in table:
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= largest:
                raise ConfigError(f"{where} {key} must be a whole number from 1 to {largest:,}.")
            values[key] = value
    defaults = ContainerLimits()
    limits = ContainerLimits(
        member_bytes=values["member-mib"] << 20 if "member-mib" in values else defaults.member_bytes,
        total_bytes=values["total-mib"] << 20 if "total-mib" in values else defaults.total_bytes,
        members=values.get("entries", defaults.members),
        ratio=values.get("ratio", defaults.ratio),
        depth=values.get("depth", defaults.depth),
    )
    platform = table.get("platform")
    if platform is not None and not valid_platform(platform):
        raise ConfigError(f'{where} platform must look like "linux/amd64" or "linux/arm/v7".')
    deleted = table.get("deleted-files", False)
    if not isinstance(deleted, bool):
        raise ConfigError(f"{where} deleted-files must be true or false.")
    return limits, platform, deleted


def valid_platform(value: object) -> bool:
    parts = value.split("/") if isinstance(value, str) else []
    return 2 <= len(parts) <= 3 and all(p and p.replace("_", "").isalnum() for p in parts)


def _lint_table(table: Any, source: str, root: str | None) -> tuple[list[str], str | None]:
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [tool.cgoguard.lint] must be a table.")
    unknown = sorted(set(table) - _LINT_KEYS)
    if unknown:
        raise ConfigError(
            f"{source}: unknown key(s) {', '.join(unknown)} in [tool.cgoguard.lint]; known keys: "
            f"{', '.join(sorted(_LINT_KEYS))}."
        )
    folders = table.get("include", [])
    if not isinstance(folders, list) or not all(isinstance(f, str) and f and "\0" not in f for f in folders):
        raise ConfigError(f"{source}: [tool.cgoguard.lint] include must be a list of folder names.")
    level = table.get("header-integers")
    if level is not None and level not in HEADER_INTEGER_LEVELS:
        levels = ", ".join(HEADER_INTEGER_LEVELS)
        raise ConfigError(f"{source}: [tool.cgoguard.lint] header-integers must be one of {levels}.")
    return [os.path.join(root, f) if root else f for f in folders], level


def config_from_table(table: dict[str, Any], source: str | None = None, root: str | None = None) -> Config:
    known = _KEYS | set(COMMAND_TABLES) | _TABLES
    unknown = set(table) - known
    if unknown:
        raise ConfigError(
            f"{source or 'configuration'}: unknown key(s) {', '.join(sorted(unknown))} in "
            f"[tool.cgoguard]; known keys: {', '.join(sorted(known))}."
        )
    config = Config(source=source, root=root)
    config.tables = {key: table[key] for key in COMMAND_TABLES if key in table}
    if "select" in table:
        config.select = _resolve(table["select"], "select")
        if not config.select:
            raise ConfigError(
                f"{source or 'configuration'}: select is empty, so nothing would be checked; "
                "remove it to run every check."
            )
    if "ignore" in table:
        config.ignore = _resolve(table["ignore"], "ignore")
    if "fail-on" in table:
        config.fail_on = _severity(table["fail-on"], "fail-on")
    if "jobs" in table:
        jobs = table["jobs"]
        if not isinstance(jobs, int) or isinstance(jobs, bool) or not 1 <= jobs <= MAX_JOBS:
            raise ConfigError(f"jobs must be a whole number from 1 to {MAX_JOBS}.")
        config.jobs = table["jobs"]
    if "allow-unreadable" in table:
        if not isinstance(table["allow-unreadable"], bool):
            raise ConfigError("allow-unreadable must be true or false.")
        config.allow_unreadable = table["allow-unreadable"]
    try:
        seconds = table.get("item-timeout", DEFAULT_SECONDS)
        memory = table.get("item-memory", DEFAULT_MEMORY_MIB)
        config.item_limits = ItemLimits(
            check_seconds(seconds, "item-timeout"), check_memory(memory, "item-memory")
        )
    except ValueError as error:
        raise ConfigError(f"{source or 'configuration'}: {error}.") from None
    if "format" in table:
        config.format = str(table["format"])
    if "vulndb" in table:
        vulndb = "off" if table["vulndb"] is False else table["vulndb"]
        if not isinstance(vulndb, str) or not vulndb or "\0" in vulndb:
            raise ConfigError(
                f"{source or 'configuration'}: vulndb must be the path of a database folder or zip."
            )
        keyword = vulndb.lower() in ("online", "off", "none", "false")
        config.vulndb = os.path.join(root, vulndb) if root and not keyword else vulndb
    if "baseline" in table:
        given = table["baseline"]
        if not isinstance(given, str) or not given or "\0" in given:
            raise ConfigError(f"{source or 'configuration'}: baseline must be the path of a JSON report.")
        config.baseline = os.path.join(root, given) if root else given
    if "lint" in table:
        config.lint_include_dirs, config.header_integers = _lint_table(
            table["lint"], source or "configuration", root
        )
    if "containers" in table:
        containers = _containers_table(table["containers"], source or "configuration")
        config.container_limits, config.platform, config.deleted_files = containers
    severity = table.get("severity", {})
    if not isinstance(severity, dict):
        raise ConfigError("[tool.cgoguard.severity] must map check IDs to severities.")
    for key, value in severity.items():
        (check_id,) = _resolve([key], "severity")
        config.severity[check_id] = _severity(value, f"severity.{key}")
    ignores = table.get("per-path-ignores", {})
    if not isinstance(ignores, dict):
        raise ConfigError("[tool.cgoguard.per-path-ignores] must map glob patterns to lists of checks.")
    for pattern, keys in ignores.items():
        config.per_path_ignores.append((pattern, _resolve(keys, f"per-path-ignores.{pattern!r}")))
    return config


def load_config(path: str | os.PathLike[str] | None = None, start: str | os.PathLike[str] = ".") -> Config:
    """Load an explicit config file, or discover one from ``start`` upwards."""
    if path is not None:
        return _load_file(Path(path), explicit=True) or Config()
    here = Path(start).resolve()
    for folder in (here, *here.parents):
        for name in ("cgoguard.toml", "pyproject.toml"):
            found = _load_file(folder / name, explicit=False)
            if found is not None:
                return found
    return Config()


def _load_file(file: Path, explicit: bool) -> Config | None:
    if not file.is_file():
        if explicit:
            raise ConfigError(f"configuration file {file} does not exist.")
        return None
    try:
        # utf-8-sig: editors on Windows write a byte-order mark, which TOML allows.
        data = tomllib.loads(file.read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read {file}: {error}.") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{file} is not valid TOML: {error}.") from None
    except RecursionError:
        raise ConfigError(f"{file} nests tables or arrays too deeply to read.") from None
    tool = data.get("tool", {})
    if not isinstance(tool, dict):
        raise ConfigError(f"{file}: `tool` must be a table ([tool.cgoguard]), not {type(tool).__name__}.")
    table = tool.get("cgoguard")
    if table is None and file.name == "cgoguard.toml":
        table = data  # a cgoguard.toml may use top-level keys
    if table is None:
        if explicit:
            raise ConfigError(f"{file} has no [tool.cgoguard] table.")
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{file}: [tool.cgoguard] must be a table.")
    return config_from_table(table, str(file), str(file.parent))
