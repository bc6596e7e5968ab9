"""Build profiles: named sets of hardening choices, built in or user defined.

A profile says *what* to harden; :mod:`cgoguard.gobuild.plan` turns it into the
exact ``go build`` arguments for one build mode, and :meth:`Profile.verified_checks`
names the catalogue checks that must not fire on the result (``cgoguard explain
ID`` documents each). User profiles live in ``[tool.cgoguard.profiles.<name>]`` and
derive from a built-in or another user profile with ``extends``: scalar keys
replace the base's value, lists are appended, ``env`` tables are merged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from cgoguard.gobuild.errors import BuildError

MODES = ("exe", "pie", "c-shared", "c-archive", "plugin")


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    description: str = ""
    pie: bool = False  # an `exe` target is built with -buildmode=pie
    bind_now: bool = False  # full RELRO: -ldflags=-bindnow and -Wl,-z,relro,-z,now
    noexecstack: bool = False  # -Wl,-z,noexecstack for the C objects' final link
    trimpath: bool = False
    harden_c: bool = False  # probe and pass the hardened CGO_CFLAGS
    export_only_api: bool = False  # c-shared: version script exporting only the //export API
    strip: bool = False  # -ldflags=-s -w
    buildvcs: str | None = None  # "true" | "false" | "auto"; None leaves Go's default
    buildid: bool = True  # False: -ldflags=-buildid= (no Go build ID)
    source_date_epoch: str | None = None  # "git" or a number of seconds
    gofips140: str | None = None  # e.g. "v1.0.0"
    tags: tuple[str, ...] = ()
    ldflags: tuple[str, ...] = ()
    extldflags: tuple[str, ...] = ()
    gcflags: tuple[str, ...] = ()
    cgo_cflags: tuple[str, ...] = ()
    cgo_ldflags: tuple[str, ...] = ()
    env: Mapping[str, str] = field(default_factory=dict)

    def verified_checks(self, mode: str) -> tuple[str, ...]:
        """The catalogue checks that must not fire on what this profile builds
        in Go build mode ``mode`` (after ``exe`` became ``pie``). The build
        drops CG108/CG212 and CG109 when the compiler probe rejected every
        stack-protector or FORTIFY flag (a note in the manifest says so)."""
        ids = ["CG208", "CG209"]  # the requested build mode, the toolchain that ran
        image = mode != "c-archive"  # an archive holds objects: no link, no segments yet
        if self.pie and mode == "pie":
            ids.append("CG101")
        if self.bind_now and image:
            ids += ["CG102", "CG103"]
        if self.noexecstack or self.bind_now:
            ids += ["CG104", "CG105", "CG106"] if image else ["CG104"]
        if self.trimpath:
            ids.append("CG112")
        if self.harden_c:
            ids += ["CG108" if image else "CG212", "CG109"]
        if self.export_only_api and mode == "c-shared":
            ids += ["CG201", "CG210"]
        if self.strip and image:
            ids.append("CG111")
        if not self.buildid:
            ids.append("CG211")
        if self.gofips140:
            ids.append("CG302")
        return tuple(ids)


BUILTIN: dict[str, Profile] = {
    "default": Profile("default", "exactly what `go build -buildmode=<mode>` does, for comparison"),
    "hardened": Profile(
        "hardened",
        "PIE, full RELRO, NX, -trimpath, hardened C flags, c-shared exports trimmed to the //export API",
        pie=True,
        bind_now=True,
        noexecstack=True,
        trimpath=True,
        harden_c=True,
        export_only_api=True,
    ),
}
BUILTIN["fips"] = dataclasses.replace(
    BUILTIN["hardened"],
    name="fips",
    description="hardened, built against the CMVP-validated Go Cryptographic Module (GOFIPS140=v1.0.0)",
    gofips140="v1.0.0",
)

# TOML key -> (field, kind)
_KEYS: dict[str, tuple[str, str]] = {
    "description": ("description", "str"),
    "pie": ("pie", "bool"),
    "bind-now": ("bind_now", "bool"),
    "noexecstack": ("noexecstack", "bool"),
    "trimpath": ("trimpath", "bool"),
    "harden-c": ("harden_c", "bool"),
    "export-only-api": ("export_only_api", "bool"),
    "strip": ("strip", "bool"),
    "buildvcs": ("buildvcs", "vcs"),
    "buildid": ("buildid", "bool"),
    "source-date-epoch": ("source_date_epoch", "epoch"),
    "gofips140": ("gofips140", "str"),
    "tags": ("tags", "list"),
    "ldflags": ("ldflags", "list"),
    "extldflags": ("extldflags", "list"),
    "gcflags": ("gcflags", "list"),
    "cgo-cflags": ("cgo_cflags", "list"),
    "cgo-ldflags": ("cgo_ldflags", "list"),
    "env": ("env", "env"),
}
PROFILE_KEYS = tuple(_KEYS)


def check_text(where: str, key: str, value: object) -> None:
    """No NUL byte in a string, a list of strings or an env table (no program can be
    passed one), and env names that are names: not empty, without ``=``."""
    if isinstance(value, str):
        texts = [value]
    elif isinstance(value, Mapping):
        for name in value:
            if not isinstance(name, str) or not name or "=" in name or "\0" in name:
                raise BuildError(
                    f"{where}: {key} has the variable name {name!r}; a name must not be empty or contain "
                    "'=' or a NUL byte."
                )
        texts = [v for v in value.values() if isinstance(v, str)]
    elif isinstance(value, (list, tuple)):
        texts = [item for item in value if isinstance(item, str)]
    else:
        return
    for text in texts:
        if "\0" in text:
            raise BuildError(f"{where}: {key} contains a NUL byte ({text!r}); no program can be passed one.")


def check_value(where: str, key: str, kind: str, value: Any) -> Any:
    """Validate one TOML value; lists become tuples, env tables plain dicts."""
    check_text(where, key, value)
    if kind == "bool" and not isinstance(value, bool):
        raise BuildError(f"{where}: {key} must be true or false, not {value!r}.")
    if kind == "str" and not isinstance(value, str):
        raise BuildError(f"{where}: {key} must be a string, not {value!r}.")
    if kind == "list":
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise BuildError(f'{where}: {key} must be a list of strings, e.g. {key} = ["..."].')
        return tuple(value)
    if kind == "env":
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise BuildError(f'{where}: {key} must be a table of strings, e.g. env = {{ GOAMD64 = "v3" }}.')
        return dict(value)
    if kind == "vcs":
        if isinstance(value, bool):
            return "true" if value else "false"
        if value not in ("true", "false", "auto"):
            raise BuildError(f'{where}: buildvcs must be true, false or "auto", not {value!r}.')
    if kind == "epoch":
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise BuildError(f'{where}: source-date-epoch must be "git" or a number of seconds.')
        text = str(value)
        if text != "git" and not text.isdigit():
            raise BuildError(
                f'{where}: source-date-epoch must be "git" or a number of seconds, not {text!r}.'
            )
        return text
    return value


def _derive(base: Profile, name: str, table: Mapping[str, Any], where: str) -> Profile:
    changes: dict[str, Any] = {"name": name}
    for key, value in table.items():
        if key == "extends":
            continue
        if key not in _KEYS:
            raise BuildError(
                f"{where}: unknown key {key!r}; a profile takes extends, {', '.join(PROFILE_KEYS)}."
            )
        attribute, kind = _KEYS[key]
        checked = check_value(where, key, kind, value)
        if kind == "list":
            checked = (*getattr(base, attribute), *checked)
        elif kind == "env":
            checked = {**base.env, **checked}
        changes[attribute] = checked
    if "description" not in table:
        changes["description"] = f"{base.name} with changes from {where}"
    return dataclasses.replace(base, **changes)


def load_profiles(table: Any, source: str) -> dict[str, Profile]:
    """The built-in profiles plus those of ``[tool.cgoguard.profiles]``."""
    profiles = dict(BUILTIN)
    if table is None:
        return profiles
    if not isinstance(table, dict):
        raise BuildError(f"{source}: [tool.cgoguard.profiles] must be a table of profile tables.")
    for name, body in table.items():
        where = f"{source}: [tool.cgoguard.profiles.{name}]"
        if name in BUILTIN:
            raise BuildError(
                f"{where} redefines the built-in profile {name!r}; give it another name and write "
                f'extends = "{name}" in it.'
            )
        if not isinstance(body, dict):
            raise BuildError(f"{where} must be a table.")
        if not isinstance(body.get("extends", "default"), str):
            raise BuildError(f"{where}: extends must name a profile.")

    # Iterative, not recursive: an `extends` chain as long as the file allows cannot
    # exhaust Python's stack. Each chain is followed up to a resolved profile, then
    # derived back down.
    for name in table:
        chain: list[str] = []
        seen: set[str] = set()
        current = name
        while current not in profiles:
            if current in seen:
                loop = [*chain[chain.index(current) :], current]
                shown = loop if len(loop) <= 6 else [*loop[:3], "...", *loop[-2:]]
                raise BuildError(
                    f"{source}: profiles extend each other in a loop ({' -> '.join(shown)}"
                    f"{f', {len(loop) - 1} profiles' if len(loop) > 6 else ''}); break the loop."
                )
            chain.append(current)
            seen.add(current)
            base_name = table[current].get("extends", "default")
            if base_name not in profiles and base_name not in table:
                raise BuildError(
                    f"{source}: profile {current!r} extends {base_name!r}, which is not defined; known "
                    f"profiles: {', '.join(sorted({*profiles, *table}))}."
                )
            current = base_name
        for derived in reversed(chain):
            base = profiles[table[derived].get("extends", "default")]
            profiles[derived] = _derive(
                base, derived, table[derived], f"{source}: [tool.cgoguard.profiles.{derived}]"
            )
    return profiles
