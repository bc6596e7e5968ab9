"""The build manifest: ``<out>/<name>.manifest.json``.

With ``-trimpath`` Go leaves ``-ldflags`` and every ``CGO_*`` flag out of the
build info it embeds (golang/go#52372), so this file is then the only record
of how the artifact was made: every argv element and environment variable
that reached ``go build``, the inputs' hashes, the outputs' hashes and sizes,
the lint findings, every check the profile verifies (passed or not, with the
evidence) and the scan's findings.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cgoguard._version import __version__
from cgoguard.fileio import write_text_atomic
from cgoguard.gobuild.plan import CONSUMER_LINK_FLAGS, BuildPlan, recorded_environment
from cgoguard.model import Finding

SCHEMA = "https://github.com/cgoguard/cgoguard/blob/main/docs/build.md#manifest-v1"


def timestamp(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def build_manifest(
    plan: BuildPlan,
    *,
    argv: list[str],
    outputs: list[dict[str, Any]],
    header_api: list[str] | None,
    verification: list[dict[str, Any]],
    smoke: dict[str, Any],
    scan: dict[str, Any],
    reproducible: dict[str, Any] | None,
    started: float,
    finished: float,
    timings: dict[str, float],
) -> dict[str, Any]:
    package = plan.package
    toolchain = plan.toolchain
    manifest: dict[str, Any] = {
        "schema": SCHEMA,
        "tool": {"name": "cgoguard", "version": __version__},
        "target": {
            "name": plan.target.name,
            "package": plan.target.package,
            "mode": plan.target.mode,
            "go_build_mode": plan.go_mode,
            "profile": plan.profile.name,
            "profile_description": plan.profile.description,
        },
        "inputs": {
            "package_dir": str(package.directory),
            "import_path": package.import_path,
            "module": package.module_path,
            "files": {
                os.path.relpath(p, plan.workdir): digest for p, digest in sorted(package.inputs.items())
            },
            "go_files": package.go_files,
            "cgo_files": package.cgo_files,
            "export_api": header_api if header_api is not None else package.exports,
            "go": {
                "path": toolchain.path,
                "version": toolchain.version,
                "goos": toolchain.goos,
                "goarch": toolchain.goarch,
                "env": toolchain.env,
            },
            "workdir": str(plan.workdir),
            "argv": argv,
            "environment": recorded_environment(plan.env),
            "set_by_cgoguard": dict(sorted(plan.env_changes.items())),
            "decisions": [{"flag": d.flag, "why": d.why} for d in plan.decisions],
            "compiler_probe": plan.probe_notes,
            "version_script": plan.version_script,
        },
        "outputs": outputs,
        "lint": {
            "findings": [_finding(f) for f in plan.lint_findings],
            "errors": plan.lint_errors,
        },
        "verification": {
            "profile": plan.profile.name,
            "passed": all(v["passed"] for v in verification),
            "checks": verification,
        },
        "smoke_test": smoke,
        "scan": scan,
        "reproducible": reproducible,
        "started": timestamp(started),
        "finished": timestamp(finished),
        "timings_seconds": {k: round(v, 4) for k, v in timings.items()},
    }
    if plan.go_mode == "c-archive":
        manifest["consumer_link_flags"] = list(CONSUMER_LINK_FLAGS)
        manifest["consumer_note"] = (
            "A c-archive holds objects only: PIE, RELRO and BIND_NOW are decided when a program links it. "
            "Link with these flags: the smoke test verified CG101-CG104 on a program linked with them."
        )
    return manifest


def _finding(finding: Finding) -> dict[str, Any]:
    from cgoguard.reports.jsonreport import finding_to_dict

    return finding_to_dict(finding)


def write_json(path: Path, data: Any) -> None:
    """Write JSON beside ``path`` and rename, so a reader never sees half a file."""
    write_text_atomic(path, json.dumps(data, indent=2, sort_keys=False) + "\n", what="the manifest")
