"""The Python API: ``cgoguard.scan(paths) -> Report``.

The pipeline per file is: open + mmap -> magic -> readers (ELF, ar, Go build
info, cgo symbols) -> hardening summary -> every check. Workers return plain
picklable :class:`~cgoguard.model.Artifact` objects; policy (selection,
severity overrides, ignores) is applied afterwards by :mod:`cgoguard.config`
in the parent, so workers need no configuration.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import mmap
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from cgoguard import __version__
from cgoguard.assess import fips_status, summarize
from cgoguard.checks import Check, CheckTarget, Subject, checks_for
from cgoguard.config import Config
from cgoguard.model import Artifact, ElfFacts, Finding, GoFacts, ScanSummary, Severity
from cgoguard.pool import ordered_map
from cgoguard.readers.archive import MalformedArchive, is_ar, is_thin_ar, iter_members
from cgoguard.readers.cgo import go_markers, read_go_facts
from cgoguard.readers.elf import ElfImage, MalformedElf, is_elf, read_elf_facts
from cgoguard.readers.gobuildinfo import BuildInfoError
from cgoguard.readers.gocrypto import crypto_packages
from cgoguard.sources import Candidate, WalkStats, walk


@dataclass(slots=True)
class Report:
    tool: dict[str, str]
    artifacts: list[Artifact]
    summary: ScanSummary
    missing: list[str] = field(default_factory=list)

    def findings_at_or_above(self, threshold: Severity) -> int:
        return sum(1 for _, f in iter_findings(self.artifacts) if f.severity >= threshold)


def iter_findings(artifacts: Iterable[Artifact]) -> Iterator[tuple[Artifact, Finding]]:
    for artifact in artifacts:
        for finding in artifact.findings:
            yield artifact, finding
        yield from iter_findings(artifact.members)


def tool_info() -> dict[str, str]:
    return {"name": "cgoguard", "version": __version__}


# -- one image ----------------------------------------------------------------------------


def analyze_elf(
    artifact: Artifact,
    data: memoryview | bytes,
    *,
    archive: str | None = None,
    go_archive_member: bool = False,
) -> None:
    """Fill ``artifact`` (elf, go, hardening, findings) from one ELF image."""
    image = ElfImage(data)
    try:
        markers = go_markers(image)
        # .symtab is read only where verdicts need it: Go images (cgo
        # classification), objects, and static images (canary evidence).
        want_symtab = bool(markers) or image.e_type == 1 or not any(s.p_type == 3 for s in image.segments)
        elf = read_elf_facts(image, static_symbols=want_symtab)
        artifact.elf = elf
        go = _go_facts(image, elf) if markers else None
        artifact.go = go
    finally:
        _release(image)
    artifact.hardening = summarize(elf, go, go_archive_member=go_archive_member)
    subject = Subject(artifact.path, elf, go, artifact.hardening, archive)
    for check in _binary_checks():
        artifact.findings.extend(check.run(subject))


@functools.cache
def _binary_checks() -> tuple[Check[Subject], ...]:
    return tuple(checks_for(CheckTarget.BINARY, Subject))


def _go_facts(image: ElfImage, elf: ElfFacts) -> GoFacts | None:
    try:
        go = read_go_facts(image, elf)
    except BuildInfoError as error:  # read_go_facts normally records this itself
        raise MalformedElf(f"Go build info is malformed: {error}") from None
    if go is not None:
        if go.crypto_packages is None:
            go.crypto_packages = crypto_packages(image)
        go.fips = fips_status(go)
    return go


def _release(image: ElfImage) -> None:
    # A view may still be referenced; the garbage collector releases it then.
    with contextlib.suppress(BufferError):
        image.close()


# -- one file -----------------------------------------------------------------------------


def scan_file(path: str, *, hash_files: bool = True) -> Artifact | None:
    """Scan one file. Returns None when it is neither ELF nor an ar archive.
    Never raises: problems become ``Artifact.error`` sentences. With
    ``hash_files=False`` no SHA-256 is computed (``sha256`` stays None): the
    hash reads every byte and is about half of a scan's CPU time."""
    artifact = Artifact(path=path)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    except OSError as error:
        artifact.error = _os_error(error, path)
        return artifact
    try:
        size = os.fstat(fd).st_size
        artifact.size = size
        if size == 0:
            return None  # an empty file is not an ELF file
        prefix = os.pread(fd, 8, 0)
        if not (is_elf(prefix) or is_ar(prefix)):
            return None
        with _map(fd) as mapped:
            if hash_files:
                artifact.sha256 = hashlib.sha256(mapped).hexdigest()
            view = memoryview(mapped)
            try:
                _scan_buffer(artifact, view, prefix, hash_files)
            finally:
                view.release()
    except OSError as error:
        artifact.error = _os_error(error, path)
    except Exception as error:
        artifact.error = (
            f"internal error while reading this file ({type(error).__name__}: {error}); please report it"
        )
    finally:
        os.close(fd)
    return artifact


def scan_bytes(data: bytes, path: str = "<memory>") -> Artifact | None:
    """Scan an in-memory image (e.g. a member read from a wheel). Same
    contract as :func:`scan_file`: None when not ELF/ar, never raises."""
    prefix = bytes(data[:8])
    if not (is_elf(prefix) or is_ar(prefix)):
        return None
    artifact = Artifact(path=path, size=len(data), sha256=hashlib.sha256(data).hexdigest())
    view = memoryview(data)
    try:
        _scan_buffer(artifact, view, prefix)
    except Exception as error:  # same promise as scan_file
        artifact.error = (
            f"internal error while reading this file ({type(error).__name__}: {error}); please report it"
        )
    finally:
        view.release()
    return artifact


# MAP_POPULATE faults the whole file in with one call instead of one page
# fault per 4 KiB while hashing: about 10% of the scan time on this kind of VM.
_POPULATE = getattr(mmap, "MAP_POPULATE", 0)


def _map(fd: int) -> mmap.mmap:
    return mmap.mmap(fd, 0, flags=mmap.MAP_SHARED | _POPULATE, prot=mmap.PROT_READ)


def _scan_buffer(artifact: Artifact, view: memoryview, prefix: bytes, hash_files: bool = True) -> None:
    try:
        if is_ar(prefix):
            artifact.is_archive = True
            if is_thin_ar(prefix):
                raise MalformedArchive(
                    "thin archive: its members are files outside the archive and are not read"
                )
            _scan_archive(artifact, view, hash_files)
        else:
            analyze_elf(artifact, view)
    except (MalformedElf, MalformedArchive) as error:
        artifact.error = _sentence(str(error))


def _scan_archive(artifact: Artifact, view: memoryview, hash_files: bool) -> None:
    seen: dict[str, int] = {}
    members = []
    go_archive = False
    try:
        for member in iter_members(view):
            count = seen[member.name] = seen.get(member.name, 0) + 1
            name = member.name if count == 1 else f"{member.name}#{count}"
            data = view[member.offset : member.offset + member.size]
            if not is_elf(bytes(data[:4])):
                data.release()
                continue  # symbol indexes, LLVM bitcode, __.PKGDEF: not machine code
            members.append((f"{artifact.path}!{name}", member.size, data))
    except MalformedArchive as error:
        artifact.error = _sentence(str(error))
    # A Go c-archive has a go.o member holding all Go code; the C members
    # beside it are then judged as cgo code, not as a plain C library.
    for _, _, data in members:
        try:
            image = ElfImage(data)
        except MalformedElf:
            continue
        go_archive = go_archive or bool(go_markers(image))
        _release(image)
        if go_archive:
            break
    for display, size, data in members:
        member_artifact = Artifact(path=display, size=size)
        try:
            if hash_files:
                member_artifact.sha256 = hashlib.sha256(data).hexdigest()
            analyze_elf(member_artifact, data, archive=artifact.path, go_archive_member=go_archive)
        except (MalformedElf, MalformedArchive) as error:
            member_artifact.error = _sentence(str(error))
        finally:
            data.release()
        artifact.members.append(member_artifact)
        if (
            artifact.go is None
            and member_artifact.go is not None
            and member_artifact.go.buildinfo is not None
        ):
            artifact.go = member_artifact.go


def _sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(".") else text + "."


def _os_error(error: OSError, path: str) -> str:
    if isinstance(error, PermissionError):
        return f"permission denied: cannot read {path}."
    if isinstance(error, FileNotFoundError):
        return f"{path} does not exist (or is a broken symbolic link)."
    return f"cannot read {path}: {error.strerror or error}."


# -- many files ---------------------------------------------------------------------------

ProgressCallback = Callable[[int, int | None], None]


def _scan_candidate(candidate: Candidate, hash_files: bool = True) -> Artifact | None:
    if candidate.error is not None:
        return Artifact(path=candidate.path, error=_sentence(candidate.error))
    return scan_file(candidate.path, hash_files=hash_files)


class Rendered(NamedTuple):
    """An artifact already rendered by a worker, with what the caller still
    needs: the severities of every finding (members included, as ints) for
    the exit code. Plain values only, so it crosses the process pipe cheaply
    (pickling thousands of Finding dataclasses costs more than the scan)."""

    path: str
    text: str
    severities: tuple[int, ...]
    readable: bool
    members: int
    errors: int


def _error_count(artifact: Artifact) -> int:
    return (artifact.error is not None) + sum(m.error is not None for m in artifact.members)


def _severities(artifact: Artifact) -> list[int]:
    found = [int(f.severity) for f in artifact.findings]
    for member in artifact.members:
        found += _severities(member)
    return found


@dataclass(frozen=True, slots=True)
class _Worker:
    """What one worker process does per file: scan, apply the policy, and
    optionally render the artifact there (JSON encoding is a large share of
    a scan; doing it in the workers keeps the parent from becoming the
    bottleneck)."""

    config: Config
    render: Callable[[Artifact], str] | None = None
    hash_files: bool = True

    def __call__(self, candidate: Candidate) -> Artifact | Rendered | None:
        artifact = _scan_candidate(candidate, self.hash_files)
        if artifact is None:
            return None
        return self._finish(artifact)

    def crashed(self, candidate: Candidate) -> Artifact | Rendered:
        """The result for a file whose worker process died while reading it."""
        artifact = Artifact(
            path=candidate.path,
            error="the process reading this file died (the file may have been truncated while it was "
            "read, or the system ran out of memory); scan it again on its own to see.",
        )
        return self._finish(artifact)

    def _finish(self, artifact: Artifact) -> Artifact | Rendered:
        self.config.apply(artifact)
        if self.render is None:
            return artifact
        return Rendered(
            path=artifact.path,
            text=self.render(artifact),
            severities=tuple(_severities(artifact)),
            readable=artifact.error is None or bool(artifact.members),
            members=len(artifact.members),
            errors=_error_count(artifact),
        )


def _run(
    worker: _Worker,
    paths: Iterable[str | os.PathLike[str]],
    jobs: int | None,
    summary: ScanSummary,
    walk_stats: WalkStats,
    on_progress: Callable[[], None] | None,
) -> Iterator[Artifact | Rendered]:
    started = time.perf_counter()
    candidates = walk([os.fspath(p) for p in paths], walk_stats)
    jobs = jobs or os.cpu_count() or 1
    results: Iterator[Artifact | Rendered | None]
    if jobs == 1:
        results = map(worker, candidates)
    else:
        results = ordered_map(worker, candidates, jobs, on_crash=worker.crashed)
    try:
        for result in results:
            summary.files_seen += 1
            if on_progress is not None:
                on_progress()
            if result is None:
                summary.skipped_not_elf += 1
                continue
            summary.artifacts += 1
            if isinstance(result, Rendered):
                summary.members += result.members
                summary.errors += result.errors
            else:
                summary.members += len(result.members)
                summary.errors += _error_count(result)
            yield result
    finally:
        close = getattr(results, "close", None)
        if close is not None:
            close()  # stops the worker pool when the caller stops early
        summary.skipped_duplicates = walk_stats.duplicates
        summary.seconds = time.perf_counter() - started


def iter_rendered(
    paths: Iterable[str | os.PathLike[str]],
    render: Callable[[Artifact], str],
    *,
    jobs: int | None = None,
    summary: ScanSummary | None = None,
    config: Config | None = None,
    on_progress: Callable[[], None] | None = None,
    hash_files: bool = True,
) -> Iterator[Rendered]:
    """Like :func:`iter_scan`, with each artifact rendered by ``render`` in
    the worker; only the text and the finding severities come back."""
    worker = _Worker(config if config is not None else Config(), render, hash_files)
    for result in _run(worker, paths, jobs, summary or ScanSummary(), WalkStats(), on_progress):
        assert isinstance(result, Rendered)
        yield result


def iter_scan(
    paths: Iterable[str | os.PathLike[str]],
    *,
    jobs: int | None = None,
    summary: ScanSummary | None = None,
    walk_stats: WalkStats | None = None,
    config: Config | None = None,
    on_progress: Callable[[], None] | None = None,
    hash_files: bool = True,
) -> Iterator[Artifact]:
    """Yield one Artifact per ELF file or archive found under ``paths``, in a
    stable order, scanning in ``jobs`` processes (default: all cores), with
    the configuration's policy applied. Memory stays flat: nothing is kept
    once yielded."""
    worker = _Worker(config if config is not None else Config(), None, hash_files)
    stats = walk_stats if walk_stats is not None else WalkStats()
    for result in _run(worker, paths, jobs, summary or ScanSummary(), stats, on_progress):
        assert isinstance(result, Artifact)
        yield result


def scan(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    jobs: int | None = 1,
    config: Config | None = None,
) -> Report:
    """Scan files and folders and return a :class:`Report` holding every artifact.

    ``jobs`` defaults to 1 here (in-process) so that library users get no
    surprise subprocesses; the CLI uses all cores."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    summary = ScanSummary()
    stats = WalkStats()
    artifacts = list(iter_scan(paths, jobs=jobs, summary=summary, walk_stats=stats, config=config))
    return Report(tool_info(), artifacts, summary, list(stats.missing or []))
