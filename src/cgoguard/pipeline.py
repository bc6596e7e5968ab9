"""The scan pipeline: sources -> executor (scan + per-file checks + policy
in the worker) -> merge (summary, tally) -> set-level checks.

A :class:`ScanRun` is iterated by whoever shows the results (a reporter, the
Python API); when the iteration ends, ``summary``, ``tally`` and
``set_findings`` are complete. Workers apply the configuration's policy
(selection, severity overrides, per-path ignores) themselves, so nothing but
plain values comes back, and may render each artifact for a reporter that
streams (``prerender``), so the parent never becomes the bottleneck.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from cgoguard.baseline import Baseline, BaselineOutcome, KnownFindings, drop_known, drop_known_set, outcome
from cgoguard.checks import CheckTarget, all_checks, checks_for
from cgoguard.checks.groups import group_key, library_name
from cgoguard.config import Config
from cgoguard.elfconst import DF_SYMBOLIC
from cgoguard.errors import UsageError
from cgoguard.executors import Executor, executor_for
from cgoguard.fleet import Planned, Unit, UnitResult, group, has_error, hashable, localize, relocate, windows
from cgoguard.itemlimits import ItemLimits
from cgoguard.model import (
    Artifact,
    ArtifactSet,
    Finding,
    FipsStatus,
    Item,
    MovableRender,
    ScanSummary,
    SetMember,
    Severity,
)
from cgoguard.outcome import Tally, item_of
from cgoguard.resultcache import ResultCache, entry_key, file_digest, render_identity, scope_digest
from cgoguard.scanner import scan_candidate
from cgoguard.setstore import SetStore
from cgoguard.sources import Candidate, Source, SourceStats, iter_candidates, sources_for


def _images(
    artifact: Artifact, origin: tuple[str, ...], outer: str | None = None
) -> Iterator[tuple[Artifact, tuple[str, ...], str | None]]:
    """Every image in an artifact with the containers it sits in and the format
    of the outermost one: a container's members (recursively), an archive's Go
    members, or the artifact itself; not a file a later image layer deletes."""
    if artifact.deleted:
        return  # it loads with nothing
    if artifact.container is not None:
        outer = outer if origin else artifact.container
        for member in artifact.members:
            yield from _images(member, (*origin, artifact.path), outer)
    elif artifact.is_archive:
        yield from ((m, origin, outer) for m in artifact.members if m.go is not None)
    else:
        yield artifact, origin, outer


def fips_provider(fips: FipsStatus | None) -> str | None:
    """What CG259 compares: the provider, and for Go's own module which one
    and whether FIPS mode is on by default (a GOFIPS140 build with
    DefaultGODEBUG fips140=off is as much outside FIPS mode as a plain one).
    None for an image that links no crypto."""
    if fips is None or fips.crypto_linked is False:
        return None
    if fips.provider != "go-native":
        return fips.provider
    module = f"GOFIPS140={fips.module}" if fips.module else "in-tree module"
    return f"go-native ({module}, fips140={fips.default_mode})"


def set_members(artifact: Artifact, origin: tuple[str, ...] = ()) -> tuple[SetMember, ...]:
    """The projection set-level checks see: every readable image of an artifact,
    with the containers it sits in (``origin``, outermost first). Members of
    ar archives are included only when they hold Go code: a static C library's
    thousands of objects would cost the parent more to receive than the whole
    scan of them (measured on /usr/lib), and no set-level question is about
    them yet. Export lists only where a check reads them (see SetMember)."""
    found = []
    for image, where, outer in _images(artifact, origin):
        elf = image.elf
        if elf is None:
            continue
        go, hardening, dynamic = image.go, image.hardening, elf.dynamic
        info = go.buildinfo if go is not None else None
        kind, mode = (hardening.kind, hardening.go_build_mode) if hardening else (None, None)
        fips = go.fips if go is not None else None
        c_exports: tuple[str, ...] = ()
        if go is not None and kind == "shared-library" and mode != "plugin":
            cgo = set(go.cgo.go_exports).union(go.cgo.runtime_exports)
            c_exports = tuple(name for name in elf.exports if name not in cgo)
        found.append(
            SetMember(
                path=image.path,
                sha256=image.sha256,
                kind=kind,
                machine=elf.machine,
                soname=dynamic.soname if dynamic else None,
                go_version=info.version if info else None,
                go_build_mode=mode,
                go_package=info.path if info else None,
                go_exports=tuple(go.cgo.go_exports) if go else (),
                fips_provider=fips_provider(fips),
                origin=where,
                container=outer,
                needed=tuple(dynamic.needed) if dynamic else (),
                search_path=tuple((dynamic.rpath or []) + (dynamic.runpath or [])) if dynamic else (),
                relro=hardening.relro if hardening else None,
                bind_now=hardening.bind_now if hardening else None,
                symbolic=dynamic is not None
                and (dynamic.has_symbolic_tag or bool(dynamic.flags & DF_SYMBOLIC)),
                c_exports=c_exports,
                runtime_exports=tuple(go.cgo.runtime_exports) if go else (),
                system=hardening.system if hardening else None,
            )
        )
    return tuple(found)


def to_item(
    artifact: Artifact,
    prerender: Callable[[Artifact], str] | None = None,
    collect_set: bool = True,
    origin: tuple[str, ...] = (),
    unchanged: tuple[bytes, ...] = (),
) -> Item:
    """The artifact as an executor result: rendered here when a reporter streams."""
    return item_of(
        None if prerender is not None else artifact,
        text=prerender(artifact) if prerender is not None else None,
        set_members=set_members(artifact, origin) if collect_set else (),
        source=artifact,
        unchanged=unchanged,
    )


@dataclass(frozen=True, slots=True)
class ScanWorker:
    """What one executor item does: scan, apply the policy, package the result."""

    config: Config
    hash_files: bool = True
    prerender: Callable[[Artifact], str] | None = None
    collect_set: bool = True
    mapped: bool = True  # map files (fast); only where a SIGBUS ends a worker, not the caller
    known: KnownFindings | None = None  # fingerprints of the baseline's findings (not reported)
    # Units are rendered once at this path and localized by the parent (see cgoguard.fleet).
    placeholder: str | None = None

    @property
    def keep_functions(self) -> bool:
        """Function tables stay on the facts only when the caller asked for them."""
        return self.config.function_tables

    def __call__(self, candidate: Candidate) -> Item | None:
        artifact = self._scan(candidate)
        if artifact is None:
            return None
        return self._finish(artifact, candidate)

    def _scan(self, candidate: Candidate) -> Artifact | None:
        return scan_candidate(
            candidate,
            hash_files=self.hash_files,
            mapped=self.mapped,
            limits=self.config.container_limits,
            platform=self.config.platform,
            deleted_files=self.config.deleted_files,
            # Symbol precision needs the function tables whenever a database is given.
            function_tables=self.config.function_tables or self.config.vulndb is not None,
        )

    def crashed(self, candidate: Candidate, reason: str) -> Item:
        """The result for a candidate that passed its limits or whose worker process died."""
        return self._finish(Artifact(path=candidate.path, error=f"{reason}."), candidate)

    def scan_unit(self, unit: Unit) -> UnitResult:
        """Inputs with the same bytes: read once, reported under each path (see :mod:`cgoguard.fleet`)."""
        first, *rest = unit.candidates
        artifact = self._scan(first)
        verified = unit.digest is not None and (
            artifact is None or (artifact.sha256 == unit.digest and not has_error(artifact))
        )
        if artifact is None:
            # Not an input cgoguard reads; the others are looked at on their own (a cheap peek).
            return UnitResult((None, *(self(c) for c in rest)), verified)
        self._vulnerabilities(artifact)
        if not verified:
            return UnitResult((self._item(artifact, first), *(self(c) for c in rest)), False)
        if self.placeholder is not None and all(c.origin == first.origin for c in rest):
            item = self._item(relocate(artifact, first.path, self.placeholder), first)
            return UnitResult((item,) * len(unit.candidates), True, portable=True)
        copies = [relocate(artifact, first.path, c.path) for c in rest]
        items = [self._item(artifact, first)]
        items += [self._item(a, c) for a, c in zip(copies, rest, strict=True)]
        return UnitResult(tuple(items), True)

    def crashed_unit(self, unit: Unit, reason: str) -> UnitResult:
        return UnitResult(tuple(self.crashed(c, reason) for c in unit.candidates), False)

    def _finish(self, artifact: Artifact, candidate: Candidate) -> Item:
        self._vulnerabilities(artifact)
        return self._item(artifact, candidate)

    def _vulnerabilities(self, artifact: Artifact) -> None:
        if self.config.vulndb is not None:
            from cgoguard.readers.osv import cached_database
            from cgoguard.vulnstage import add_vulnerability_findings

            # Opened (and checked) once by the run; here once per worker process.
            add_vulnerability_findings(
                artifact, cached_database(self.config.vulndb), keep_functions=self.keep_functions
            )

    def _item(self, artifact: Artifact, candidate: Candidate) -> Item:
        self.config.apply(artifact)
        # The baseline filter: after the policy, before rendering and the tally.
        unchanged = tuple(drop_known(artifact, self.known)) if self.known is not None else ()
        return to_item(artifact, self.prerender, self.collect_set, candidate.origin, unchanged)


def set_store(config: Config) -> SetStore:
    """An empty store for a run's set-level projections, filed by the groups of ``config``."""
    return SetStore(functools.partial(group_key, one_group=config.one_group), library_name)


def run_set_checks(members: SetStore | Iterable[SetMember], config: Config) -> list[Finding]:
    """The set-level stage: every enabled ARTIFACT_SET check over every image, with the policy applied."""
    if not isinstance(members, SetStore):
        store = set_store(config)
        store.add(members)
        try:
            return run_set_checks(store, config)
        finally:
            store.close()
    subject = ArtifactSet(members, config.one_group)
    found: list[Finding] = []
    for check in checks_for(CheckTarget.ARTIFACT_SET, ArtifactSet):
        if not config.enabled(check.id):
            continue
        for finding in check.run(subject):
            override = config.severity.get(finding.check_id)
            if override is not None:
                finding.severity = override
            found.append(finding)
    return found


class ScanRun:
    """One scan. Iterate it for the items, in a stable order; afterwards
    ``summary``, ``tally`` and ``set_findings`` are complete."""

    def __init__(
        self,
        inputs: Iterable[str | os.PathLike[str] | Source],
        *,
        config: Config | None = None,
        executor: Executor | None = None,
        jobs: int | None = None,
        limits: ItemLimits | None = None,
        hash_files: bool = True,
        prerender: Callable[[Artifact], str] | None = None,
        fail_on: Severity = Severity.HIGH,
        on_progress: Callable[[], None] | None = None,
        exclude: Iterable[tuple[int, int]] = (),
        baseline: Baseline | None = None,
        cache: ResultCache | None = None,
        dedup: bool = False,
    ) -> None:
        # Paths become sources here; Source objects are taken as they are, in order.
        self.sources: list[Source] = []
        paths: list[str] = []
        for given in inputs:
            if isinstance(given, Source):
                self.sources += sources_for(paths) if paths else []
                paths = []
                self.sources.append(given)
            else:
                paths.append(os.fspath(given))
        if paths or not self.sources:
            self.sources += sources_for(paths)
        self.config = config if config is not None else Config()
        if limits is None:
            limits = self.config.item_limits
        self.executor = executor if executor is not None else executor_for(jobs, limits)
        self.vulndb: str | None = None  # how reports name the database, when one is used
        if self.config.vulndb is not None:
            from cgoguard.readers.osv import cached_database
            from cgoguard.vulncache import resolve
            from cgoguard.vulnstage import describe

            self.config.vulndb = resolve(self.config.vulndb)  # "online": the local copy, refreshed
            # A database that cannot be used ends the run before it starts (VulnDbError).
            self.vulndb = describe(cached_database(self.config.vulndb))
        collect_set = any(
            self.config.enabled(c.id) for c in checks_for(CheckTarget.ARTIFACT_SET, ArtifactSet)
        )
        self.baseline = baseline
        self.dedup = dedup or cache is not None
        # Results that serve the same bytes at any path (see cgoguard.fleet): the rendering
        # can move a text to another path, and nothing else about the item depends on it.
        self.path_text = prerender.path_text if isinstance(prerender, MovableRender) else None
        self.portable = (
            self.dedup
            and self.path_text is not None
            and baseline is None
            and not self.config.per_path_ignores
        )
        self.worker = ScanWorker(
            self.config,
            hash_files,
            prerender,
            collect_set,
            mapped=self.executor.isolates_crashes,
            known=baseline.known() if baseline is not None else None,
            # Random: a file cannot contain it by chance or by design.
            placeholder=f"cgoguard-placeholder-{secrets.token_hex(16)}" if self.portable else None,
        )
        self.baseline_outcome: BaselineOutcome | None = None  # complete after the iteration
        self.on_progress = on_progress
        self.summary = ScanSummary(vulndb=self.vulndb)
        self.tally = Tally(fail_on)
        self.stats = SourceStats(excluded=frozenset(exclude))
        self.set_findings: list[Finding] = []
        self.finished = False
        self.cache = cache
        if self.dedup and not hash_files:
            raise UsageError("a result cache and deduplication need the files' hashes: drop --no-hash.")
        self.cache_scope = self._cache_scope(prerender, hash_files, collect_set) if cache is not None else ""

    def _cache_scope(
        self, prerender: Callable[[Artifact], str] | None, hash_files: bool, collect_set: bool
    ) -> str:
        """What every cache key of this run shares (see :mod:`cgoguard.resultcache`)."""
        config = self.config
        vulndb: list[object] = [self.vulndb]
        if config.vulndb is not None:
            with contextlib.suppress(OSError):
                for root, folders, files in os.walk(config.vulndb) if os.path.isdir(config.vulndb) else ():
                    folders.sort()
                    for name in sorted(files):
                        st = os.stat(os.path.join(root, name))
                        vulndb.append(
                            [
                                os.path.relpath(os.path.join(root, name), config.vulndb),
                                st.st_size,
                                st.st_mtime_ns,
                            ]
                        )
                if os.path.isfile(config.vulndb):
                    vulndb.append(file_digest(config.vulndb))
        limits = config.container_limits
        known = self.worker.known
        return scope_digest(
            {
                "select": sorted(config.select) if config.select is not None else None,
                "ignore": sorted(config.ignore),
                "severity": {k: int(v) for k, v in config.severity.items()},
                "per_path_ignores": [[p, sorted(ids)] for p, ids in config.per_path_ignores],
                "root": config.root,
                "containers": [
                    limits.member_bytes,
                    limits.total_bytes,
                    limits.members,
                    limits.ratio,
                    limits.depth,
                ],
                "platform": config.platform,
                "deleted_files": config.deleted_files,
                "function_tables": config.function_tables,
                "vulndb": vulndb,
                "render": render_identity(prerender),
                "hash_files": hash_files,
                "collect_set": collect_set,
                "mapped": self.worker.mapped,
                "baseline": hashlib.sha256(known.blob).hexdigest() if known is not None else None,
                "portable": self.portable,
            }
        )

    def _planned(self, candidate: Candidate) -> Planned:
        digest = key = None
        if hashable(candidate):
            with contextlib.suppress(OSError):  # the worker reads it again and says why it cannot
                digest = file_digest(candidate.file or candidate.path)
        entry = Planned(candidate, digest, key)
        if self.cache is not None and digest is not None:
            path = None if self.portable else candidate.path
            entry.key = entry_key(self.cache_scope, digest, path, candidate.origin)
            entry.cached = self.cache.get(entry.key)
        return entry

    def _fleet(self, candidates: Iterator[Candidate]) -> Iterator[Item | None]:
        """Results in input order: cached ones at once, the rest from units (see :mod:`cgoguard.fleet`)."""
        cache, worker = self.cache, self.worker
        for window in windows(candidates):
            planned = [self._planned(c) for c in window]
            units = group(planned, self.dedup)
            results = self.executor.map(worker.scan_unit, units, on_crash=worker.crashed_unit)
            done: list[UnitResult] = []
            stored: set[str] = set()  # portable keys: one entry for every path of a unit
            try:
                for entry in planned:
                    if entry.cached is not None:
                        yield self._localized(entry.cached[0], entry.candidate, self.portable)
                        continue
                    while len(done) <= entry.unit:
                        done.append(next(results))
                    result = done[entry.unit]
                    item = result.items[entry.offset]
                    # Items with unread parts are not kept: an error may not happen next time.
                    verified = result.verified and entry.key is not None
                    kept = item is None or (not item.unread and result.portable == self.portable)
                    if cache is not None and verified and kept and entry.key not in stored:
                        cache.put(entry.key, item)  # type: ignore[arg-type]
                        stored.add(entry.key)  # type: ignore[arg-type]
                    yield self._localized(item, entry.candidate, result.portable)
            finally:
                close = getattr(results, "close", None)
                if close is not None:
                    close()

    def _localized(self, item: Item | None, candidate: Candidate, portable: bool) -> Item | None:
        if item is None or not portable or self.path_text is None:
            return item
        return localize(item, candidate.path, self.path_text)

    def __iter__(self) -> Iterator[Item]:
        started = time.perf_counter()
        candidates = iter_candidates(self.sources, self.stats)
        results: Iterator[Item | None]
        if self.dedup:
            results = self._fleet(candidates)
        else:
            results = self.executor.map(self.worker, candidates, on_crash=self.worker.crashed)
        # Every image's projection waits on disk for the set stage (a fleet's run has millions).
        members = set_store(self.config)
        unchanged: list[bytes] = []
        summary, tally = self.summary, self.tally
        try:
            for item in results:
                summary.files_seen += 1
                if self.on_progress is not None:
                    self.on_progress()
                if item is None:
                    summary.skipped_not_elf += 1
                    continue
                summary.artifacts += 1
                summary.members += item.members
                summary.errors += len(item.unread)
                tally.add_item(item)
                if item.set_members:
                    members.add(item.set_members)
                unchanged.extend(item.unchanged)
                yield item
        except BaseException:
            members.close()  # stopped early or failed: no set stage, the scratch database goes now
            raise
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()  # stops the worker pool when the caller stops early
            summary.skipped_duplicates = self.stats.duplicates
            summary.skipped_special = self.stats.special
            tally.missing = list(self.stats.missing)
            summary.seconds = time.perf_counter() - started
        try:
            self.set_findings = run_set_checks(members, self.config)
        finally:
            members.close()
        if self.baseline is not None:
            self.set_findings, seen = drop_known_set(self.set_findings, self.worker.known or ())
            unchanged += seen
        tally.add_findings(int(f.severity) for f in self.set_findings)
        if self.baseline is not None:
            enabled = [c.id for c in all_checks() if self.config.enabled(c.id)]
            self.baseline_outcome = outcome(self.baseline, unchanged, sum(tally.counts), enabled)
        summary.seconds = time.perf_counter() - started
        self.finished = True
