"""The Go release table behind CG204 (unsupported release) and CG205 (patch behind).

Shipped as data (``cgoguard/data/go_releases.json``, dated when written); a
newer table fetched by ``cgoguard vulndb update`` from go.dev's download list
(``go_releases.json`` in the cache folder) takes its place, so a user learns
that a Go release went out of support without upgrading cgoguard.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

POLICY = (
    "Each major Go release is supported until there are two newer major releases "
    "(https://go.dev/doc/devel/release#policy)."
)
DOWNLOADS_URL = "https://go.dev/dl/?mode=json&include=all"
_STABLE = re.compile(r"^go(\d+)\.(\d+)(?:\.(\d+))?$")


@dataclass(frozen=True, slots=True)
class GoRelease:
    major: tuple[int, int]
    latest: tuple[int, int, int] | None


@dataclass(frozen=True, slots=True)
class ReleaseTable:
    updated: str  # the date the table was written ("2026-11-24")
    releases: tuple[GoRelease, ...]  # newest first
    source: str = "shipped with cgoguard"

    @property
    def supported(self) -> tuple[GoRelease, ...]:
        return self.releases[:2]


def cached_table_path() -> Path:
    """Where ``vulndb update`` keeps the fetched table (beside the database copy)."""
    from cgoguard.vulncache import cache_folder

    return cache_folder().parent / "go_releases.json"


def _parse(raw: Any, source: str) -> ReleaseTable:
    releases = []
    for entry in raw["releases"]:
        major = tuple(int(x) for x in str(entry["version"]).split("."))
        latest = tuple(int(x) for x in str(entry["latest"]).split(".")) if entry.get("latest") else None
        if len(major) != 2 or (latest is not None and len(latest) != 3):
            raise ValueError(f"release entry {entry!r}")
        releases.append(GoRelease((major[0], major[1]), latest))
    if len(releases) < 2 or not isinstance(raw["updated"], str):
        raise ValueError("fewer than two releases, or no date")
    releases.sort(key=lambda r: r.major, reverse=True)
    return ReleaseTable(raw["updated"], tuple(releases), source)


@cache
def release_table() -> ReleaseTable:
    """The newer of the shipped table and the one ``vulndb update`` fetched."""
    shipped = _parse(
        json.loads(resources.files("cgoguard.data").joinpath("go_releases.json").read_text("utf-8")),
        "shipped with cgoguard",
    )
    path = cached_table_path()
    try:
        fetched = _parse(json.loads(path.read_text("utf-8")), f"fetched into {path}")
    except (OSError, ValueError, KeyError, TypeError):
        return shipped  # none fetched, or damaged: the shipped table stands
    return fetched if fetched.updated > shipped.updated else shipped


def table_from_downloads(listing: object, source: str, today: str | None = None) -> dict[str, Any]:
    """Our table from go.dev's download list (``[{"version": "go1.27.3", "stable": true}, ...]``):
    every stable major release with its newest patch release."""
    if not isinstance(listing, list):
        raise ValueError("the download list is not a JSON list")
    newest: dict[tuple[int, int], tuple[int, int, int]] = {}
    for item in listing:
        if not isinstance(item, dict) or item.get("stable") is not True:
            continue
        match = _STABLE.match(str(item.get("version", "")))
        if match is None:
            continue
        version = (int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
        key = version[:2]
        if version > newest.get(key, (-1, -1, -1)):
            newest[key] = version
    if len(newest) < 2:
        raise ValueError("the download list names fewer than two stable Go releases")
    return {
        "updated": today or datetime.now(UTC).strftime("%Y-%m-%d"),
        "policy": POLICY,
        "source": source,
        "releases": [
            {"version": f"{major[0]}.{major[1]}", "latest": ".".join(map(str, newest[major]))}
            for major in sorted(newest, reverse=True)
        ],
    }


def write_cached_table(table: dict[str, Any]) -> Path:
    path = cached_table_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    temporary.write_text(json.dumps(table, indent=1))
    temporary.replace(path)
    release_table.cache_clear()
    return path
