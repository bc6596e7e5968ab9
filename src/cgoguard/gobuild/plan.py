"""From (target, profile, toolchain) to the exact `go build` argv and environment.

Every flag the plan adds is recorded with the reason for it (``Decision``), so
the manifest can say why each one reached `go build`. Values are only ever
passed as argv elements; the ``-ldflags`` and ``-extldflags`` strings Go
splits itself are quoted the way Go's ``cmd/internal/quoted`` reads them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cgoguard.gobuild import process
from cgoguard.gobuild.errors import BuildError
from cgoguard.gobuild.gosource import PackageInfo, is_path_pattern
from cgoguard.gobuild.profiles import Profile
from cgoguard.gobuild.quoting import fields, go_join
from cgoguard.gobuild.targets import Target
from cgoguard.gobuild.toolchain import FlagGroup, GoToolchain
from cgoguard.model import Finding

# The C hardening the `harden-c` profiles ask for, best alternative first.
C_HARDENING_GROUPS = (
    FlagGroup(
        "FORTIFY_SOURCE",
        (
            ("-U_FORTIFY_SOURCE", "-D_FORTIFY_SOURCE=3"),
            ("-U_FORTIFY_SOURCE", "-D_FORTIFY_SOURCE=2"),
        ),
    ),
    FlagGroup("stack protector", (("-fstack-protector-strong",), ("-fstack-protector-all",))),
    FlagGroup("stack clash protection", (("-fstack-clash-protection",),)),
    FlagGroup(
        "control-flow protection",
        (("-fcf-protection=full",), ("-mbranch-protection=standard",)),
    ),
)
RELRO_NOW = "-Wl,-z,relro,-z,now"
NOEXECSTACK = "-Wl,-z,noexecstack"
# What a program linking a hardened c-archive must pass itself (the archive
# holds objects only: PIE and RELRO are decided by that final link).
CONSUMER_LINK_FLAGS = ("-pie", RELRO_NOW, NOEXECSTACK, "-pthread")
# What those flags must achieve, checked on the program the smoke test links.
CONSUMER_CHECKS = ("CG101", "CG102", "CG103", "CG104")


@dataclass(frozen=True, slots=True)
class Decision:
    flag: str  # as it reaches go build (an argv element or NAME=value)
    why: str


@dataclass(slots=True)
class BuildPlan:
    target: Target
    profile: Profile
    toolchain: GoToolchain
    package: PackageInfo
    workdir: Path
    go_mode: str  # what -buildmode gets (an exe target of a PIE profile becomes pie)
    flags: list[str]  # every go build flag except -o and the package
    env: dict[str, str]  # the complete environment of the go build process
    env_changes: dict[str, str]  # the variables cgoguard set or changed
    decisions: list[Decision] = field(default_factory=list)
    probe_notes: list[str] = field(default_factory=list)
    version_script: str | None = None  # text, written next to the build
    c_flags: list[str] = field(default_factory=list)  # the probed hardening flags
    lint_findings: list[Finding] = field(default_factory=list)  # the boundary lint of the package
    lint_errors: list[str] = field(default_factory=list)  # files the lint could not read

    def argv(self, output: Path, version_script_path: Path | None = None) -> list[str]:
        flags = self.flags
        if version_script_path is not None:
            flags = [f.replace(VERSION_SCRIPT_SLOT, str(version_script_path)) for f in flags]
        return [self.toolchain.path, "build", *flags, "-o", str(output), self.build_package]

    @property
    def build_dir(self) -> Path:
        """Where go runs: the package's module root for a folder target (Go
        resolves packages only from inside their module), else the workdir."""
        go_mod = self.package.go_mod
        if is_path_pattern(self.target.package) and go_mod is not None:
            return go_mod.parent
        return self.workdir

    @property
    def build_package(self) -> str:
        if is_path_pattern(self.target.package) and self.package.go_mod is not None:
            relative = os.path.relpath(self.package.directory, self.package.go_mod.parent)
            return "." if relative == "." else "./" + relative.replace(os.sep, "/")
        return self.target.package

    def flag_for(self, text: str) -> str:
        """The recorded flag containing ``text`` (for messages naming it)."""
        for decision in self.decisions:
            if text in decision.flag:
                return decision.flag
        return text


VERSION_SCRIPT_SLOT = "@VERSION_SCRIPT@"


def base_environment(
    target: Target, profile: Profile, inherited: Mapping[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """(full environment, what cgoguard changed) before the C flags are known."""
    changes: dict[str, str] = {}
    if (
        "GOTOOLCHAIN" not in inherited
        and "GOTOOLCHAIN" not in profile.env
        and "GOTOOLCHAIN" not in target.env
    ):
        # Never let go.mod's toolchain line download another Go behind the user's back.
        changes["GOTOOLCHAIN"] = "local"
    changes.update(profile.env)
    changes.update(target.env)
    for variable, value in (("GOOS", target.goos), ("GOARCH", target.goarch), ("CC", target.cc)):
        if value:
            changes[variable] = value
    if profile.gofips140:
        changes["GOFIPS140"] = profile.gofips140
        experiments = (changes.get("GOEXPERIMENT") or inherited.get("GOEXPERIMENT", "")).split(",")
        if "boringcrypto" in experiments:
            raise BuildError(
                f"profile {profile.name!r} sets GOFIPS140={profile.gofips140}, but GOEXPERIMENT includes "
                "boringcrypto and Go refuses both at once; remove boringcrypto from GOEXPERIMENT."
            )
    env = {**inherited, **changes}
    return env, changes


def _source_date_epoch(setting: str, directory: Path, env: Mapping[str, str]) -> str:
    if setting != "git":
        return setting
    try:
        completed = process.run(["git", "log", "-1", "--format=%ct"], cwd=directory, env=env)
    except OSError:
        completed = None
    value = completed.stdout.strip() if completed is not None and completed.returncode == 0 else ""
    if not value.isdigit():
        raise BuildError(
            f'source-date-epoch = "git" needs the package folder {directory} to be in a git checkout with at '
            "least one commit (and git installed); set a number of seconds instead."
        )
    return value


def go_build_mode(target: Target, profile: Profile) -> str:
    """What -buildmode gets: an exe target of a PIE profile becomes pie."""
    return "pie" if target.mode == "exe" and profile.pie else target.mode


def refuse_unbuildable(target: Target, profile: Profile, env: Mapping[str, str]) -> None:
    """Raise :class:`BuildError` when the target cannot be built as asked, for a reason
    the target, its profile and the environment already show (no toolchain, no sources):
    a build checks every target with this before it builds any."""
    go_mode = go_build_mode(target, profile)
    where = f"target {target.name!r} (mode {go_mode}, profile {profile.name!r})"
    for item in fields([*profile.ldflags, *target.ldflags]):
        if item.lstrip("-").startswith("extldflags"):
            raise BuildError(
                f"{where}: ldflags contains {item!r}; put external linker flags in the profile's extldflags "
                "list instead, so they are merged with the hardening flags rather than replacing them."
            )
    if go_mode in ("c-shared", "c-archive", "plugin") and env.get("CGO_ENABLED") == "0":
        raise BuildError(
            f"{where}: mode {go_mode} needs cgo, but CGO_ENABLED=0 is set in the environment; unset it or "
            "set CGO_ENABLED=1."
        )
    if go_mode != "c-archive":
        return
    fips_module = env.get("GOFIPS140", "off")
    if fips_module not in ("", "off"):
        # Verified with Go 1.27: the module's integrity check needs a checksum the Go
        # linker computes over the final image, and a c-archive's final link is the
        # C toolchain's. Every program linking the archive panics when it first calls Go.
        raise BuildError(
            f"{where}: GOFIPS140={fips_module} cannot be used with mode c-archive: the FIPS "
            "module's self-check needs a checksum the Go linker writes into the final image, but a "
            "c-archive is linked by the C toolchain, so the program panics with 'fips140: no verification "
            "checksum found' on its first call into Go. Build a c-shared library with the fips profile "
            "instead, or use the hardened profile for the archive."
        )
    if profile.strip:
        # Measured with Go 1.27: -s -w on a c-archive only drops go.o's DWARF; every
        # object keeps its symbol table (the C link resolves through it) and C objects
        # keep the DWARF of CGO_CFLAGS' -g, so "stripped" could be neither done nor verified.
        raise BuildError(
            f"{where}: strip = true cannot be honoured for a c-archive, because the program that links "
            "the archive needs every object's symbol table; use a profile without strip for this target "
            "and strip the program that links the archive (-s at its link)."
        )


def make_plan(
    target: Target,
    profile: Profile,
    toolchain: GoToolchain,
    package: PackageInfo,
    workdir: Path,
    env: dict[str, str],
    env_changes: dict[str, str],
    c_flags: Sequence[str] = (),
    probe_notes: Sequence[str] = (),
) -> BuildPlan:
    go_mode = go_build_mode(target, profile)
    decisions: list[Decision] = []
    flags = [f"-buildmode={go_mode}"]
    if go_mode != target.mode:
        decisions.append(Decision(flags[0], "exe becomes PIE: the image base is randomized (ASLR)"))
    else:
        decisions.append(Decision(flags[0], f"the requested build mode {target.mode}"))
    if profile.trimpath:
        flags.append("-trimpath")
        decisions.append(
            Decision("-trimpath", "no build-machine paths in the artifact (privacy, reproducibility)")
        )
    if profile.buildvcs is not None:
        flags.append(f"-buildvcs={profile.buildvcs}")
        decisions.append(Decision(flags[-1], "version-control stamping as the profile asks"))
    tags = [*profile.tags, *target.tags]
    if tags:
        flags.append("-tags=" + ",".join(tags))
        decisions.append(Decision(flags[-1], "build tags from the profile and target"))
    if profile.gcflags:
        flags.append("-gcflags=" + go_join(fields(profile.gcflags)))
        decisions.append(Decision(flags[-1], "compiler flags from the profile"))

    refuse_unbuildable(target, profile, env)
    user_ldflags = fields([*profile.ldflags, *target.ldflags])
    ldflags: list[str] = []
    if profile.strip:
        ldflags += ["-s", "-w"]
        decisions.append(Decision("-ldflags=-s -w", "no symbol table or DWARF (smaller; .dynsym stays)"))
    if profile.bind_now and go_mode != "c-archive":
        ldflags.append("-bindnow")
        decisions.append(
            Decision("-ldflags=-bindnow", "full RELRO: BIND_NOW, also for internally linked PIE")
        )
    if not profile.buildid:
        ldflags.append("-buildid=")
        decisions.append(Decision("-ldflags=-buildid=", "no Go build ID, as the profile asks"))
    ldflags += user_ldflags
    extld: list[str] = []
    if profile.bind_now and go_mode != "c-archive":
        extld.append(RELRO_NOW)
        decisions.append(Decision(f"-extldflags={RELRO_NOW}", "full RELRO when the external linker is used"))
    if profile.noexecstack and go_mode != "c-archive":
        extld.append(NOEXECSTACK)
        decisions.append(
            Decision(
                f"-extldflags={NOEXECSTACK}",
                "non-executable stack even if a C object lacks .note.GNU-stack "
                "(Go's own objects never need it)",
            )
        )
    version_script = None
    if profile.export_only_api and go_mode == "c-shared":
        version_script = (
            "{\n  global:\n" + "".join(f"    {n};\n" for n in package.exports) + "  local: *;\n};\n"
        )
        extld.append(f"-Wl,--version-script={VERSION_SCRIPT_SLOT}")
        decisions.append(
            Decision(
                "-extldflags=-Wl,--version-script=<name>.exports.map",
                "export only the //export API; hides the ~50 Go runtime and cgo symbols",
            )
        )
    extld += fields(profile.extldflags)
    if extld:
        ldflags.append("-extldflags=" + go_join(extld))
    if ldflags:
        flags.append("-ldflags=" + go_join(ldflags))

    cflags = [*c_flags, *fields([*profile.cgo_cflags, *target.cgo_cflags])]
    if cflags:
        if c_flags:
            cflags = ["-O2", *cflags]
            decisions.append(
                Decision(
                    "CGO_CFLAGS=" + " ".join(["-O2", *c_flags]),
                    "hardened C code: FORTIFY, stack protector, stack clash, CET/BTI",
                )
            )
        inherited = env.get("CGO_CFLAGS") if "CGO_CFLAGS" not in env_changes else None
        value = go_join(cflags) + (f" {inherited}" if inherited else "")
        env_changes["CGO_CFLAGS"] = env["CGO_CFLAGS"] = value
    ldflags_c = fields([*profile.cgo_ldflags, *target.cgo_ldflags])
    if ldflags_c:
        inherited = env.get("CGO_LDFLAGS")
        value = go_join(ldflags_c) + (f" {inherited}" if inherited else "")
        env_changes["CGO_LDFLAGS"] = env["CGO_LDFLAGS"] = value
    if profile.gofips140:
        decisions.append(
            Decision(
                f"GOFIPS140={profile.gofips140}",
                "link the frozen, CMVP-validated Go Cryptographic Module; FIPS mode on by default",
            )
        )
    if profile.source_date_epoch is not None:
        epoch = _source_date_epoch(profile.source_date_epoch, package.directory, env)
        env_changes["SOURCE_DATE_EPOCH"] = env["SOURCE_DATE_EPOCH"] = epoch
        decisions.append(
            Decision(f"SOURCE_DATE_EPOCH={epoch}", "fixed timestamps for C compilers (__DATE__)")
        )
    if "GOTOOLCHAIN" in env_changes and env_changes["GOTOOLCHAIN"] == "local":
        decisions.append(
            Decision("GOTOOLCHAIN=local", "use this toolchain, never download the one go.mod names")
        )
    return BuildPlan(
        target=target,
        profile=profile,
        toolchain=toolchain,
        package=package,
        workdir=workdir,
        go_mode=go_mode,
        flags=flags,
        env=env,
        env_changes=env_changes,
        decisions=decisions,
        probe_notes=list(probe_notes),
        version_script=version_script,
        c_flags=list(c_flags),
    )


def recorded_environment(env: Mapping[str, str]) -> dict[str, str]:
    """The variables of a build environment that can change what Go produces."""
    wanted = ("GO", "CGO_", "CC", "CXX", "AR", "PKG_CONFIG", "SOURCE_DATE_EPOCH", "FC")
    return {k: v for k, v in sorted(env.items()) if k.startswith(wanted) and k not in ("GOPATH",)}


def inherited_environment() -> dict[str, str]:
    return dict(os.environ)
