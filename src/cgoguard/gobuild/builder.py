"""One target from start to finish: plan, lint, build, verify, smoke test, publish.

Everything is made in a staging folder inside ``--out-dir`` and renamed into
place only after every check the profile verifies passed and the smoke test
passed, manifest last: an interrupted or failed build leaves no half-written
artifact in ``--out-dir``. Interrupted (SIGTERM, Ctrl-C), the build stops the
process group of the child it waits for (:mod:`cgoguard.gobuild.process`) and
removes the staging folder, Go's work folder in it included.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cgoguard.errors import CgoguardError
from cgoguard.gobuild.errors import BuildError, VerificationFailed
from cgoguard.gobuild.gosource import header_exports, inspect_package, sha256_file
from cgoguard.gobuild.lintgate import lint_package, refuse_if_blocking
from cgoguard.gobuild.manifest import build_manifest, write_json
from cgoguard.gobuild.plan import (
    C_HARDENING_GROUPS,
    BuildPlan,
    base_environment,
    go_build_mode,
    make_plan,
    refuse_unbuildable,
)
from cgoguard.gobuild.process import signals_deferred
from cgoguard.gobuild.profiles import Profile
from cgoguard.gobuild.provenance import write_provenance
from cgoguard.gobuild.quoting import go_split
from cgoguard.gobuild.reproduce import ReproResult, check_reproducible
from cgoguard.gobuild.runner import run_go_build
from cgoguard.gobuild.smoke import SmokeResult, smoke_test
from cgoguard.gobuild.targets import Target
from cgoguard.gobuild.tempnames import TempNames, without_temp_names
from cgoguard.gobuild.toolchain import find_go, inspect_toolchain, probe_c_flags
from cgoguard.gobuild.verdict import CheckVerdict
from cgoguard.gobuild.verify import scan_summary, verify_artifact, verify_consumer
from cgoguard.model import Artifact, Finding, Severity

if TYPE_CHECKING:
    from cgoguard.config import Config
    from cgoguard.signing import SigningKey

LIBRARY_MODES = ("c-shared", "c-archive")


@dataclass(slots=True)
class BuildOptions:
    out_dir: Path
    go: str | None = None
    provenance: bool = False
    check_reproducible: bool = False
    run_smoke: str | None = None
    environment: Mapping[str, str] | None = None  # default: os.environ
    lint: bool = True  # run the boundary lint on the package first
    lint_config: Config | None = None  # its policy: select, ignore, severity, per-path-ignores
    fail_on: Severity = Severity.HIGH  # a lint finding at or above this refuses the build
    # Sign what was published (<name>.sig.json) and the provenance (then always written).
    signing_key: SigningKey | None = None
    valid_for: float | None = None  # days the signature of the files stays valid (None: no expiry)


@dataclass(slots=True)
class BuildResult:
    target: Target
    plan: BuildPlan
    artifact: Path
    manifest: Path
    outputs: list[Path]
    verification: list[CheckVerdict]  # every check the profile verifies (artifact, then consumer)
    smoke: SmokeResult
    reproducible: ReproResult | None
    timings: dict[str, float] = field(default_factory=dict)
    provenance: Path | None = None
    signature: Path | None = None  # <name>.sig.json: the signed digests of every published file

    @property
    def lint_findings(self) -> list[Finding]:
        return self.plan.lint_findings


def header_name(artifact_name: str) -> str:
    """The C header go build writes beside a c-shared or c-archive artifact: the
    name without its extension (Go's filepath.Ext: from the last dot) plus .h."""
    stem, dot, _ = artifact_name.rpartition(".")
    return f"{stem}.h" if dot else f"{artifact_name}.h"


def signature_name(target: Target) -> str:
    return f"{target.name}.sig.json"


def published_files(
    target: Target, profile: Profile | None, provenance: bool, signed: bool = False
) -> list[tuple[str, str]]:
    """(file name, what it is) of every file building ``target`` puts in the output folder
    (signing writes the provenance too)."""
    files = [(target.output_name(), "artifact")]
    if target.mode in LIBRARY_MODES:
        files.append((header_name(target.output_name()), "C header"))
    if target.mode == "c-shared" and (profile is None or profile.export_only_api):
        files.append((f"{target.name}.exports.map", "version script"))
    files.append((f"{target.name}.manifest.json", "manifest"))
    if provenance or signed:
        files.append((f"{target.name}.intoto.jsonl", "provenance"))
    if signed:
        files.append((signature_name(target), "signature"))
    return files


def _profile(target: Target, profiles: Mapping[str, Profile]) -> Profile:
    try:
        return profiles[target.profile]
    except KeyError:
        raise BuildError(
            f"unknown profile {target.profile!r} for target {target.name!r}; known profiles: "
            f"{', '.join(sorted(profiles))} (define more in [tool.cgoguard.profiles])."
        ) from None


def _check_package(
    plan_mode: str, target: Target, package_name: str, has_main: bool, exports: list[str]
) -> None:
    where = f"target {target.name!r} ({target.package}, mode {plan_mode})"
    if package_name != "main":
        raise BuildError(
            f"{where}: the package is `package {package_name}`, but mode {plan_mode} builds a program or "
            "library from a `package main`. Change the package clause to `package main`"
            + (" and add an empty `func main() {}`" if plan_mode in LIBRARY_MODES else "")
            + ", or point the target at the command's package."
        )
    if not has_main and plan_mode != "plugin":
        raise BuildError(
            f"{where}: the package has no `func main()`. "
            + (
                "A C library built with Go still needs one: add `func main() {}`."
                if plan_mode in LIBRARY_MODES
                else "Add one, or build it with mode c-shared/c-archive/plugin."
            )
        )
    if plan_mode in LIBRARY_MODES and not exports:
        raise BuildError(
            f'{where}: no `//export Name` comment in a file that imports "C", so the generated C header '
            "would declare no function and the library would have no API. Put `//export Name` (no space "
            "after //) on the line right above each Go function C should call."
        )


def check_target(
    target: Target, profiles: Mapping[str, Profile], options: BuildOptions
) -> tuple[Profile, dict[str, str], dict[str, str]]:
    """Refuse (:class:`BuildError`) what the target, its profile and the environment
    already show cannot be built, before any toolchain runs; the profile, the
    environment and what cgoguard changed in it otherwise."""
    profile = _profile(target, profiles)
    inherited = dict(options.environment if options.environment is not None else os.environ)
    env, changes = base_environment(target, profile, inherited)
    refuse_unbuildable(target, profile, env)
    return profile, env, changes


def prepare(
    target: Target, profiles: Mapping[str, Profile], workdir: Path, options: BuildOptions
) -> BuildPlan:
    """Everything before `go build`: toolchain, package facts, the boundary lint
    (raises :class:`LintRefused` at or above ``options.fail_on``), probes, the plan."""
    profile, env, changes = check_target(target, profiles, options)
    go = find_go(options.go)
    toolchain = inspect_toolchain(go, env)
    go_mode = go_build_mode(target, profile)
    if go_mode in ("c-shared", "c-archive", "plugin") and not toolchain.cgo_enabled:
        raise BuildError(
            f"mode {go_mode} needs cgo, but Go reports CGO_ENABLED=0 (it turns cgo off when it finds no C "
            f"compiler: CC={toolchain.cc}). Install gcc (apt-get install gcc) or set the target's cc."
        )
    package = inspect_package(
        target.package,
        workdir,
        go=go,
        env=env,
        tags=frozenset([*profile.tags, *target.tags]),
        goos=toolchain.goos,
        goarch=toolchain.goarch,
        cgo=toolchain.cgo_enabled,
    )
    if package.go_mod is None and env.get("GO111MODULE") != "off":
        raise BuildError(
            f"target {target.name!r}: the package {target.package} ({package.directory}) is not inside a Go "
            "module (no go.mod in its folder or above). Run `go mod init <module path>` in the "
            "project's root."
        )
    findings: list[Finding] = []
    lint_errors: list[str] = []
    if options.lint:
        findings, lint_errors = lint_package(package, options.lint_config)
        refuse_if_blocking(target.name, package, findings, options.fail_on)
    _check_package(go_mode, target, package.name, package.has_func_main, package.exports)
    c_flags: list[str] = []
    notes: list[str] = []
    if profile.harden_c and toolchain.cgo_enabled:
        c_flags, notes = probe_c_flags(go_split(toolchain.cc), C_HARDENING_GROUPS, env)
    plan = make_plan(target, profile, toolchain, package, workdir, env, changes, c_flags, notes)
    plan.lint_findings, plan.lint_errors = findings, lint_errors
    return plan


def _relabel(artifact: Artifact, staged: str, name: str) -> None:
    """Show the artifact and its members by the published file name, not the staging path."""
    artifact.path = name
    for member in artifact.members:
        if member.path.startswith(staged):
            member.path = name + member.path[len(staged) :]


def _raise_if_failed(plan: BuildPlan, output_name: str, verification: list[CheckVerdict]) -> None:
    failed = [v for v in verification if not v.passed]
    if not failed:
        return
    raise VerificationFailed(
        f"target {plan.target.name!r} ({output_name}, profile {plan.profile.name!r}): "
        f"{len(failed)} of the {len(verification)} check(s) the profile verifies fired; nothing was "
        "published. "
        + " ".join(
            f"{v.id} {v.title} [{v.severity}]{' on the consumer program' if v.on == 'consumer' else ''}: "
            f"{v.evidence} (the flag that did not take effect: {v.flag})."
            for v in failed
        ),
        verdicts=verification,
        lint_findings=plan.lint_findings,
    )


def _file_entry(path: Path, role: str, out: Path) -> dict[str, Any]:
    return {
        "path": path.name,
        "role": role,
        "size": path.stat().st_size,
        "sha256": sha256_file(path),
        "location": str(out / path.name),
    }


def _sign_outputs(
    where: Path,
    target: Target,
    key: SigningKey,
    valid_for: float | None,
    files: list[tuple[Path, str]],
    staging: Path,
) -> None:
    """Sign the SHA-256 of every file about to be published (the manifest and
    provenance included), named as they will be in the output folder."""
    from cgoguard._version import __version__
    from cgoguard.signing import FILES_PREDICATE_TYPE, sign_files, write_envelope

    names = [path.name for path, _ in files]
    names += [f"{target.name}.manifest.json", f"{target.name}.intoto.jsonl"]
    predicate = {
        "tool": {"name": "cgoguard", "version": __version__},
        "command": "build",
        "target": target.name,
        "manifest": f"{target.name}.manifest.json",
    }
    envelope = sign_files(
        [staging / name for name in names], key, FILES_PREDICATE_TYPE, predicate, valid_for=valid_for
    )
    write_envelope(where, envelope)


def build_target(
    target: Target, profiles: Mapping[str, Profile], workdir: Path, options: BuildOptions
) -> BuildResult:
    started = time.time()
    clock = time.perf_counter()
    timings: dict[str, float] = {}
    plan = prepare(target, profiles, workdir, options)
    out = options.out_dir if options.out_dir.is_absolute() else workdir / options.out_dir
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BuildError(f"cannot create the output folder {out}: {error.strerror}.") from None
    staging: Path | None = None
    names: TempNames | None = None
    try:
        staging = Path(tempfile.mkdtemp(prefix=f".cgoguard-{target.name}-", dir=out))
        output_name = target.output_name()
        artifact = staging / output_name
        names = TempNames(str(artifact), output_name, [str(staging)])
        version_script = None
        if plan.version_script is not None:
            version_script = staging / f"{target.name}.exports.map"
            version_script.write_text(plan.version_script, encoding="utf-8")
        timings["prepare"] = time.perf_counter() - clock
        go_run = run_go_build(plan, artifact, version_script)
        timings["go_build"] = go_run.seconds
        header: Path | None = None
        header_api: list[str] | None = None
        if plan.go_mode in LIBRARY_MODES:
            header = artifact.with_name(header_name(artifact.name))
            if not header.is_file():
                raise BuildError(
                    f"`go build -buildmode={plan.go_mode}` wrote no header {header.name}; "
                    "this toolchain behaves unexpectedly."
                )
            header_api = header_exports(header.read_text("utf-8", errors="replace"))
            if not header_api:
                raise BuildError(
                    f"target {target.name!r}: the generated header {header.name} declares no function: the "
                    "package has no working `//export` (check that each `//export Name` has no space "
                    "after // and sits right above `func Name`)."
                )

        mark = time.perf_counter()
        from cgoguard.scanner import scan_file

        scanned = scan_file(str(artifact)) or Artifact(
            path=str(artifact), error="it is neither an ELF file nor an ar archive"
        )  # CG208 then says the artifact is not what the build asked for
        _relabel(scanned, str(artifact), output_name)
        verification = [
            dataclasses.replace(v, evidence=names.text(v.evidence))
            for v in verify_artifact(plan, scanned, header_api)
        ]
        timings["verify"] = time.perf_counter() - mark
        _raise_if_failed(plan, output_name, verification)

        mark = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix="cgoguard-smoke-") as scratch:
            names.folders.append(scratch)
            smoke = smoke_test(plan, artifact, header, header_api or [], options.run_smoke, Path(scratch))
        smoke.detail = names.text(smoke.detail)
        timings["smoke"] = time.perf_counter() - mark
        if not smoke.passed:
            raise VerificationFailed(
                f"target {target.name!r}: the smoke test failed; nothing was published. {smoke.detail}",
                verdicts=verification,
                lint_findings=plan.lint_findings,
            )
        if smoke.linked:
            verification += verify_consumer(smoke.consumer)
            _raise_if_failed(plan, output_name, verification)

        reproducible = None
        if options.check_reproducible:
            with tempfile.TemporaryDirectory(prefix="cgoguard-reproduce-") as scratch:
                names.folders.append(scratch)
                reproducible = check_reproducible(plan, output_name, version_script, Path(scratch))
            timings["reproducible"] = reproducible.seconds

        mark = time.perf_counter()
        files = [(artifact, "artifact")]
        if header is not None:
            files.append((header, "c-header"))
        if version_script is not None:
            files.append((version_script, "version-script"))
        outputs = [_file_entry(path, role, out) for path, role in files]
        argv = [part.replace(str(staging), str(out)) for part in go_run.argv]
        finished = time.time()
        manifest_data = build_manifest(
            plan,
            argv=argv,
            outputs=outputs,
            header_api=header_api,
            verification=[v.as_dict() for v in verification],
            smoke=smoke.as_dict(),
            scan=scan_summary(scanned),
            reproducible=reproducible.as_dict() if reproducible else None,
            started=started,
            finished=finished,
            timings=timings,
        )
        manifest_staged = staging / f"{target.name}.manifest.json"
        write_json(manifest_staged, manifest_data)
        provenance_staged = None
        key = options.signing_key
        if options.provenance or key is not None:
            provenance_staged = staging / f"{target.name}.intoto.jsonl"
            write_provenance(provenance_staged, manifest_data, manifest_staged, key)
        signature_staged = None
        if key is not None:
            signature_staged = staging / signature_name(target)
            _sign_outputs(signature_staged, target, key, options.valid_for, files, staging)
        published = []
        for path, _ in files:
            os.replace(path, out / path.name)
            published.append(out / path.name)
        provenance = None
        if provenance_staged is not None:
            provenance = out / provenance_staged.name
            os.replace(provenance_staged, provenance)
        signature = None
        if signature_staged is not None:
            signature = out / signature_staged.name
            os.replace(signature_staged, signature)
        manifest = out / manifest_staged.name
        os.replace(manifest_staged, manifest)  # last: its presence means the rest is in place
        timings["publish"] = time.perf_counter() - mark
        return BuildResult(
            target,
            plan,
            out / output_name,
            manifest,
            published,
            verification,
            smoke,
            reproducible,
            timings,
            provenance,
            signature,
        )
    except CgoguardError as error:
        # Raised from inside the staging folder: its paths are gone once the build ends.
        if names is None:
            raise
        raise without_temp_names(error, names) from error.__cause__
    finally:
        if staging is not None:
            with signals_deferred():  # a second SIGTERM must not leave half of it behind
                shutil.rmtree(staging, ignore_errors=True)
