"""A local copy of the Go vulnerability database, fetched from vuln.go.dev.

``update()`` mirrors the served layout (``index/db.json``, ``index/modules.json``,
``index/vulns.json``, ``ID/<id>.json``) into the cache folder: only entries
whose ``modified`` changed are fetched again, the new copy is assembled in a
private folder beside the old one and swapped in with one rename, so a scan
never reads half a database and an interrupted update leaves the old one.
Scans read the copy offline (readers/osv.py); the network is used only by
``cgoguard vulndb update`` and by ``--vulndb online``.

Written with urllib: the protocol is plain HTTPS GETs of JSON files, and every
response is bounded in size and time like any input cgoguard did not make.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from cgoguard.readers.osv import MAX_ENTRIES, MAX_ENTRY_BYTES, VulnDbError

DEFAULT_URL = "https://vuln.go.dev"
TIMEOUT = 30.0  # seconds per request
FRESH_SECONDS = 24 * 3600  # --vulndb online refreshes a copy older than this
_ID = re.compile(r"^[A-Z]+-\d{4}-\d{3,}$")


class FetchError(VulnDbError):
    """The database could not be fetched (network, server, malformed index)."""


@dataclass(frozen=True, slots=True)
class UpdateResult:
    folder: Path
    modified: str | None
    fetched: int  # entries downloaded this time
    kept: int  # entries unchanged since the last update


def cache_folder() -> Path:
    """Where the copy lives: $CGOGUARD_CACHE, else $XDG_CACHE_HOME/cgoguard, else ~/.cache/cgoguard."""
    base = os.environ.get("CGOGUARD_CACHE") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "cgoguard"
    )
    return Path(base) / "vulndb"


def _get(url: str) -> bytes:
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme not in ("https", "http", "file"):
        raise FetchError(f"{url}: only https (or http and file, for mirrors) URLs are fetched")
    request = urllib.request.Request(url, headers={"User-Agent": "cgoguard", "Accept-Encoding": "identity"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            data: bytes = response.read(MAX_ENTRY_BYTES + 1)
    except (OSError, ValueError) as error:
        raise FetchError(f"{url} could not be fetched: {getattr(error, 'reason', None) or error}") from None
    if len(data) > MAX_ENTRY_BYTES:
        raise FetchError(f"{url} is larger than {MAX_ENTRY_BYTES >> 20} MiB")
    return data


def fetch_json(url: str) -> object:
    try:
        return json.loads(_get(url))
    except ValueError:
        raise FetchError(f"{url} is not JSON") from None


def update(url: str = DEFAULT_URL, folder: Path | None = None, *, workers: int = 8) -> UpdateResult:
    """Bring the copy in ``folder`` (default :func:`cache_folder`) up to date with ``url``."""
    folder = folder or cache_folder()
    url = url.rstrip("/")
    db = fetch_json(f"{url}/index/db.json")
    vulns = fetch_json(f"{url}/index/vulns.json")
    if not isinstance(db, dict) or not isinstance(vulns, list):
        raise FetchError(
            f"{url} does not serve a Go vulnerability database (index/db.json, index/vulns.json)"
        )
    if len(vulns) > MAX_ENTRIES:
        raise FetchError(f"{url}/index/vulns.json lists more than {MAX_ENTRIES:,} entries")
    wanted: dict[str, str] = {}
    for item in vulns:
        if isinstance(item, dict) and isinstance(item.get("id"), str) and _ID.match(item["id"]):
            wanted[item["id"]] = str(item.get("modified", ""))
    previous = _previous_index(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".vulndb-", dir=folder.parent))
    try:
        (staging / "index").mkdir()
        (staging / "ID").mkdir()
        fetch = [
            i
            for i, modified in wanted.items()
            if previous.get(i) != modified or not (folder / "ID" / f"{i}.json").is_file()
        ]
        for advisory in set(wanted) - set(fetch):
            shutil.copy2(folder / "ID" / f"{advisory}.json", staging / "ID" / f"{advisory}.json")

        def one(advisory: str) -> None:
            (staging / "ID" / f"{advisory}.json").write_bytes(_get(f"{url}/ID/{advisory}.json"))

        with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
            list(pool.map(one, fetch))
        (staging / "index" / "modules.json").write_bytes(_get(f"{url}/index/modules.json"))
        (staging / "index" / "vulns.json").write_text(json.dumps(vulns))
        (staging / "index" / "db.json").write_text(json.dumps(db))
        (staging / "source.json").write_text(json.dumps({"url": url, "fetched": int(time.time())}))
        _swap(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    modified = db.get("modified")
    return UpdateResult(
        folder, modified if isinstance(modified, str) else None, len(fetch), len(wanted) - len(fetch)
    )


def _previous_index(folder: Path) -> dict[str, str]:
    try:
        listed = json.loads((folder / "index" / "vulns.json").read_text())
    except (OSError, ValueError):
        return {}
    return {
        i["id"]: str(i.get("modified", ""))
        for i in listed
        if isinstance(i, dict) and isinstance(i.get("id"), str)
    }


def _swap(staging: Path, folder: Path) -> None:
    """Replace ``folder`` by ``staging``: one rename for a new copy, two for an old one."""
    if not folder.exists():
        staging.rename(folder)
        return
    old = folder.with_name(folder.name + f".old-{os.getpid()}")
    folder.rename(old)
    staging.rename(folder)
    shutil.rmtree(old, ignore_errors=True)


def age_seconds(folder: Path) -> float | None:
    """Seconds since the copy was fetched, None when there is none."""
    try:
        fetched = json.loads((folder / "source.json").read_text())["fetched"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return max(0.0, time.time() - float(fetched))


def online(
    url: str = DEFAULT_URL, folder: Path | None = None, warn: Callable[[str], None] | None = None
) -> Path:
    """The copy for ``--vulndb online``: updated when missing or older than a day. When the
    update fails and a copy exists, that copy is used and ``warn`` is told (its age is then
    also what CG232 judges); with no copy at all the failure is the error."""
    folder = folder or cache_folder()
    age = age_seconds(folder)
    if age is not None and age <= FRESH_SECONDS:
        return folder
    try:
        update(url, folder)
    except FetchError as error:
        if age is None:
            raise
        if warn is not None:
            warn(f"{error} Using the copy fetched {age / 86400:.1f} days ago ({folder}).")
    return folder


ONLINE = "online"
OFF = ("off", "none", "false")


def chosen(configured: str | None) -> tuple[str | None, bool]:
    """The database the command line uses, and whether it was asked for: ``--vulndb`` or
    the configuration's ``vulndb`` first, then $CGOGUARD_VULNDB, else the default, the
    local copy of vuln.go.dev (``online``). "off" turns matching off."""
    for value, explicit in ((configured, True), (os.environ.get("CGOGUARD_VULNDB"), True)):
        if value:
            return (None, True) if value.lower() in OFF else (value, explicit)
    return ONLINE, False


def resolve(location: str, warn: Callable[[str], None] | None = None) -> str:
    """A ``vulndb`` setting as a path: ``online`` is the cached copy of vuln.go.dev."""
    if location == ONLINE:
        return str(online(os.environ.get("CGOGUARD_VULNDB_URL", DEFAULT_URL), warn=warn))
    return location
