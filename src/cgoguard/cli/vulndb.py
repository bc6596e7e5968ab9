"""``cgoguard vulndb status`` (what a vulnerability database holds and how old it is) and
``cgoguard vulndb update`` (fetch vuln.go.dev into the local copy)."""

from __future__ import annotations

import argparse
import json
import sys

from cgoguard.errors import UsageError


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    vulndb = subparsers.add_parser("vulndb", help="inspect the Go vulnerability database")
    actions = vulndb.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = actions.add_parser(
        "status",
        help="read every entry of the database and say how old it is and what could not be read",
    )
    status.add_argument(
        "--vulndb", metavar="PATH", help="the database (default: vulndb of the configuration)"
    )
    status.add_argument("--config", metavar="FILE", help="configuration file (default: searched upwards)")
    status.add_argument("--format", "-f", choices=("text", "json"), default="text")
    status.set_defaults(handler=run_status)
    update = actions.add_parser(
        "update", help="fetch the Go vulnerability database into the local copy (only what changed)"
    )
    update.add_argument("--url", default=None, help="the database's address (default: https://vuln.go.dev)")
    update.add_argument(
        "--releases-url",
        default=None,
        help="go.dev's download list, for the Go release table of CG204/CG205 "
        "(default: https://go.dev/dl/?mode=json&include=all)",
    )
    update.set_defaults(handler=run_update)


def run_update(args: argparse.Namespace) -> int:
    import os

    from cgoguard.cli import common
    from cgoguard.goreleases import DOWNLOADS_URL, table_from_downloads, write_cached_table
    from cgoguard.vulncache import DEFAULT_URL, FetchError, cache_folder, fetch_json, update

    url = args.url or os.environ.get("CGOGUARD_VULNDB_URL", DEFAULT_URL)
    result = update(url, cache_folder())
    print(
        f"{result.folder}: {result.fetched:,} entr(y/ies) fetched, {result.kept:,} unchanged; "
        f"database modified {result.modified or 'at an unknown date'} (from {url})"
    )
    releases_url = args.releases_url or os.environ.get("CGOGUARD_GO_RELEASES_URL", DOWNLOADS_URL)
    try:
        table = table_from_downloads(fetch_json(releases_url), releases_url)
    except (FetchError, ValueError) as error:
        common.warn(f"the Go release table was not refreshed: {error}")
        return 3
    path = write_cached_table(table)
    newest = ", ".join(f"go{r['latest']}" for r in table["releases"][:2])
    print(f"{path}: Go release table of {table['updated']}; supported: {newest}")
    return 0


def run_status(args: argparse.Namespace) -> int:
    from cgoguard.cli import common
    from cgoguard.readers.osv import VulnDbError, open_database
    from cgoguard.vulncache import cache_folder, resolve
    from cgoguard.vulnstage import newest_go_known

    location = args.vulndb or common.effective_config(args).vulndb
    if location is None and cache_folder().is_dir():
        location = str(cache_folder())
    if location is None:
        raise UsageError(
            "no database given: --vulndb PATH, vulndb in [tool.cgoguard], or `cgoguard vulndb update` first."
        )
    try:
        location = resolve(location, warn=common.warn)
        database = open_database(location)
    except VulnDbError as error:
        raise UsageError(str(error)) from None
    modules = database.module_paths()
    advisories = {a.id for module in modules for a in database.advisories(module)}
    status = {
        "location": location,
        "layout": database.layout,
        "modified": database.modified,
        "modules": len(modules),
        "advisories": len(advisories),
        "newest_go_release_named": newest_go_known(database),
        "unreadable": database.problems,
    }
    if args.format == "json":
        json.dump(status, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print(f"{location}: {database.layout} layout, modified {database.modified or 'unknown'}")
        print(f"  {len(advisories):,} advisories (withdrawn ones left out) for {len(modules):,} modules")
        print(f"  newest Go release an advisory names: {status['newest_go_release_named'] or 'none'}")
        for problem in database.problems:
            print(f"  unreadable: {problem}")
    return 3 if database.problems else 0
