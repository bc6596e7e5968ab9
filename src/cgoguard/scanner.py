"""One candidate in, one :class:`~cgoguard.model.Artifact` out.

Per input: open (mapped, never copied) -> magic -> readers (ELF, ar, Go build
info, cgo symbols) -> derived summaries (hardening, FIPS status) -> every
binary check. This is the work one executor item does; it never raises:
problems become ``Artifact.error`` sentences.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
from collections.abc import Iterator
from typing import NamedTuple

from cgoguard.assess import ArchivePeers, archive_peers, c_code_of, fips_status, summarize
from cgoguard.checks import Check, CheckTarget, Subject, checks_for
from cgoguard.errors import InputError
from cgoguard.model import Artifact, ElfFacts, GoFacts
from cgoguard.readers import containers, images
from cgoguard.readers.archive import MalformedArchive, is_ar, is_thin_ar, iter_members
from cgoguard.readers.cgo import go_markers, read_go_facts
from cgoguard.readers.containers import PEEK, ContainerError, ContainerLimits, kind_of, stream_kind
from cgoguard.readers.elf import ElfImage, MalformedElf, is_elf, read_elf_facts
from cgoguard.readers.gobuildinfo import BuildInfoError
from cgoguard.readers.gocrypto import crypto_packages, crypto_packages_in
from cgoguard.sources import Candidate, Opened

DEFAULT_CONTAINER_LIMITS = ContainerLimits()


class ContainerOptions(NamedTuple):
    limits: ContainerLimits
    platform: str | None  # of a multi-platform image; None: this machine's
    deleted: bool  # also the image files a later layer deletes or replaces
    functions: bool = False  # read Go images' function names (GoFacts.functions)


def analyze_elf(
    artifact: Artifact,
    data: memoryview | bytes,
    *,
    archive: str | None = None,
    go_archive_member: bool = False,
    functions: bool = False,
) -> None:
    """Fill ``artifact`` (elf, go, hardening, findings) from one ELF image; with ``functions``
    a Go image's function names too (``GoFacts.functions``)."""
    read_image(artifact, data, functions=functions)
    judge_image(artifact, archive=archive, go_archive_member=go_archive_member)


def read_image(artifact: Artifact, data: memoryview | bytes, *, functions: bool = False) -> None:
    """Fill ``artifact.elf`` and ``artifact.go`` from one ELF image."""
    image = ElfImage(data)
    try:
        markers = go_markers(image)
        # .symtab is read only where verdicts need it: Go images (cgo
        # classification), objects, and static images (canary evidence).
        want_symtab = bool(markers) or image.e_type == 1 or not any(s.p_type == 3 for s in image.segments)
        elf = read_elf_facts(image, static_symbols=want_symtab)
        artifact.elf = elf
        artifact.go = _go_facts(image, elf, functions) if markers else None
    finally:
        _release(image)


def judge_image(
    artifact: Artifact,
    *,
    archive: str | None = None,
    go_archive_member: bool = False,
    peers: ArchivePeers | None = None,
) -> None:
    """Derive the hardening summary of an image :func:`read_image` read and run every binary check."""
    elf, go = artifact.elf, artifact.go
    assert elf is not None
    artifact.hardening = summarize(
        elf, go, go_archive_member=go_archive_member, path=artifact.path, peers=peers
    )
    subject = Subject(artifact.path, elf, go, artifact.hardening, archive)
    for check in binary_checks():
        evaluation = check.evaluate(subject)
        artifact.record(check.id, evaluation.findings, evaluation.not_applicable)


@functools.cache
def binary_checks() -> tuple[Check[Subject], ...]:
    return tuple(checks_for(CheckTarget.BINARY, Subject))


def _go_facts(image: ElfImage, elf: ElfFacts, functions: bool) -> GoFacts | None:
    try:
        go = read_go_facts(image, elf, functions=functions)
    except BuildInfoError as error:  # read_go_facts normally records this itself
        raise MalformedElf(f"Go build info is malformed: {error}") from None
    if go is not None:
        if go.crypto_packages is None:
            # From the names already read when there are, else from the name table alone (cheaper).
            table = go.functions
            go.crypto_packages = crypto_packages(image) if table is None else crypto_packages_in(table)
        go.fips = fips_status(go)
    return go


def _release(image: ElfImage) -> None:
    # A view may still be referenced; the garbage collector releases it then.
    with contextlib.suppress(BufferError):
        image.close()


def scan_candidate(
    candidate: Candidate,
    *,
    hash_files: bool = True,
    mapped: bool = True,
    limits: ContainerLimits = DEFAULT_CONTAINER_LIMITS,
    platform: str | None = None,
    deleted_files: bool = False,
    function_tables: bool = False,
) -> Artifact | None:
    """Scan one candidate. Returns None when it is neither ELF nor an ar
    archive nor a container (zip, tar) holding one. Never raises.
    ``function_tables`` keeps each Go image's function names (``GoFacts.functions``).
    ``mapped=False`` reads a copy instead of mapping the file, for processes
    that must survive a file truncated while read (SIGBUS).
    With ``hash_files=False`` no SHA-256 is computed
    (``sha256`` stays None): the hash reads every byte and is about half of a
    scan's CPU time."""
    artifact = Artifact(path=candidate.path)
    if candidate.error is not None:
        artifact.error = sentence(candidate.error)
        return artifact
    options = ContainerOptions(limits, platform, deleted_files, function_tables)
    if candidate.image_folder:
        return _scan_image_folder(artifact, options, hash_files)
    try:
        with candidate.open() as opened:
            artifact.size = opened.size
            if opened.size == 0:
                return None  # an empty file is not an ELF file
            prefix = opened.prefix(PEEK)
            container = kind_of(prefix)  # before is_ar: a Debian package is an ar archive
            if container is None and not (is_elf(prefix) or is_ar(prefix)):
                return None
            if container is not None:
                # Read through pread, never mapped or copied whole: memory follows the largest member.
                span = _OpenedSpan(opened)
                container = stream_kind(span, container)
                if container is None:
                    return None  # compressed, but not a tar archive
                if hash_files:
                    artifact.sha256 = _sha256(span)
                _scan_container(artifact, span, container, options, hash_files, depth=1)
                if not artifact.members and artifact.error is None:
                    return None  # a container without ELF files: nothing to check in it
            else:
                view = opened.view(populate=hash_files, mapped=mapped)
                if hash_files:
                    artifact.sha256 = hashlib.sha256(view).hexdigest()
                _scan_buffer(artifact, view, prefix, hash_files, function_tables)
    except OSError as error:
        artifact.error = os_error(error, candidate.file or candidate.path)
    except InputError as error:
        artifact.error = sentence(str(error))
    except MemoryError:
        raise  # the executor's per-item memory limit says what happened
    except Exception as error:
        artifact.error = (
            f"internal error while reading this file ({type(error).__name__}: {error}); please report it."
        )
    return artifact


def scan_file(
    path: str, *, hash_files: bool = True, mapped: bool = False, function_tables: bool = False
) -> Artifact | None:
    """Scan one local file in this process (see :func:`scan_candidate`); it reads a copy
    unless ``mapped``, so a file truncated meanwhile cannot kill the caller."""
    candidate = Candidate(path)
    return scan_candidate(candidate, hash_files=hash_files, mapped=mapped, function_tables=function_tables)


def scan_bytes(data: bytes, path: str = "<memory>", *, function_tables: bool = False) -> Artifact | None:
    """Scan an in-memory image (e.g. a member read from a wheel)."""
    candidate = Candidate(path, data=data if isinstance(data, bytes) else bytes(data))
    return scan_candidate(candidate, function_tables=function_tables)


class _OpenedSpan(containers.Span):
    def __init__(self, opened: Opened) -> None:
        super().__init__(opened.size)
        self.opened = opened

    def read(self, offset: int, count: int) -> bytes:
        count = max(0, min(count, self.size - offset))
        return self.opened.pread(offset, count) if count else b""


def _sha256(span: containers.Span) -> str:
    digest = hashlib.sha256()
    for offset in range(0, span.size, 1 << 20):
        chunk = span.read(offset, 1 << 20)
        if not chunk:
            raise OSError(errno.EIO, "the file shrank while it was read")
        digest.update(chunk)
    return digest.hexdigest()


def _wanted(head: bytes) -> bool:
    # adb files inside a container are left alone: an image's apk database and
    # indexes share the package's magic, and an error for each would say nothing.
    return is_elf(head) or is_ar(head) or kind_of(head) not in (None, "apk-v3")


def _scan_container(
    artifact: Artifact,
    span: containers.Span,
    kind: str,
    options: ContainerOptions,
    hash_files: bool,
    depth: int,
) -> None:
    """Each ELF, ar or nested container member becomes a member artifact
    (``outer.whl!pkg/lib.so``); the memory used follows the largest member."""
    limits, platform, deleted, _ = options
    artifact.container = containers.LABELS[kind]
    try:
        image = images.open_image(span, limits, _wanted, platform, deleted) if kind == "tar" else None
        artifact.container, members = image or containers.open_container(span, kind, limits, _wanted)
        _scan_members(artifact, members, options, hash_files, depth)
    except ContainerError as error:
        artifact.error = sentence(str(error))


def _scan_image_folder(artifact: Artifact, options: ContainerOptions, hash_files: bool) -> Artifact | None:
    limits, platform, deleted, _ = options
    try:
        with images.open_image_folder(artifact.path, limits, _wanted, platform, deleted) as (label, members):
            artifact.container = label
            _scan_members(artifact, members, options, hash_files, depth=1)
    except ContainerError as error:
        artifact.error = sentence(str(error))
    return artifact if artifact.members or artifact.error else None


def _scan_members(
    artifact: Artifact,
    members: Iterator[containers.Member],
    options: ContainerOptions,
    hash_files: bool,
    depth: int,
) -> None:
    """Each ELF, ar or nested container member becomes a member artifact. Raises
    ContainerError when the container cannot be read on."""
    limits = options.limits
    for member in members:
        path = f"{artifact.path}!{member.name}"
        if member.error is not None:
            artifact.members.append(
                Artifact(path=path, error=sentence(member.error), layer=member.layer, deleted=member.deleted)
            )
            continue
        if member.data is None:
            continue  # not ELF, ar or a container: nothing to check
        child = Artifact(path=path, size=len(member.data), layer=member.layer, deleted=member.deleted)
        if hash_files:
            child.sha256 = hashlib.sha256(member.data).hexdigest()
        data = memoryview(member.data)
        head = member.data[:PEEK]
        if is_elf(head) or (is_ar(head) and kind_of(head) != "deb"):
            _scan_buffer(child, data, head, hash_files, options.functions)
        else:
            inner = containers.ViewSpan(member.data)
            nested = stream_kind(inner, kind_of(head) or "")
            if nested is None:
                continue
            if depth >= limits.depth:
                child.error = (
                    f"a container nested {depth + 1} deep, deeper than the bound of {limits.depth}; not read."
                )
            else:
                _scan_container(child, inner, nested, options, hash_files, depth + 1)
                if not child.members and child.error is None:
                    continue
        artifact.members.append(child)


def _scan_buffer(
    artifact: Artifact, view: memoryview, prefix: bytes, hash_files: bool, functions: bool = False
) -> None:
    try:
        if is_ar(prefix):
            artifact.is_archive = True
            if is_thin_ar(prefix):
                raise MalformedArchive(
                    "thin archive: its members are files outside the archive and are not read"
                )
            _scan_archive(artifact, view, hash_files, functions)
        else:
            analyze_elf(artifact, view, functions=functions)
    except InputError as error:
        artifact.error = sentence(str(error))


def _scan_archive(artifact: Artifact, view: memoryview, hash_files: bool, functions: bool) -> None:
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
        artifact.error = sentence(str(error))
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
    # Two passes: an archive is one build, so each object's canary verdict weighs what
    # the other objects show (assess.archive_peers); facts first, verdicts after.
    read: list[Artifact] = []
    for display, size, data in members:
        member_artifact = Artifact(path=display, size=size)
        try:
            if hash_files:
                member_artifact.sha256 = hashlib.sha256(data).hexdigest()
            read_image(member_artifact, data, functions=functions)
            read.append(member_artifact)
        except InputError as error:
            member_artifact.error = sentence(str(error))
        finally:
            data.release()
        artifact.members.append(member_artifact)
    peers = archive_peers(
        [
            (m.path, m.elf, m.go, c_code_of(m.elf, m.go, go_archive_member=go_archive))
            for m in read
            if m.elf is not None
        ]
    )
    for member_artifact in read:
        judge_image(member_artifact, archive=artifact.path, go_archive_member=go_archive, peers=peers)
        if (
            artifact.go is None
            and member_artifact.go is not None
            and member_artifact.go.buildinfo is not None
        ):
            artifact.go = member_artifact.go


def sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith(".") else text + "."


def os_error(error: OSError, path: str) -> str:
    if isinstance(error, PermissionError):
        return f"permission denied: cannot read {path}."
    if isinstance(error, FileNotFoundError):
        return f"{path} does not exist (or is a broken symbolic link)."
    return f"cannot read {path}: {error.strerror or error}."
