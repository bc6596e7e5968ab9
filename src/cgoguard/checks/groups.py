"""What loads together: the groups the set-level checks compare within.

A set-level check never compares images across groups. A group is

* one outermost container (``SetMember.origin[0]``): a wheel, a tarball, a
  Debian package, with everything nested in it; or
* the run's own files: those named on the command line or found in folders,
  which sit in no container;
* with ``scan --group``, everything scanned: the user says it loads together
  (the wheels installed into one environment, the libraries one program loads);

leaving out images under a ``testdata`` folder of a container (test input,
never loaded); and, within either, one machine and one operating system (an x86-64 and an
aarch64 library never share a process, nor a Linux and a FreeBSD build; an
image that names no system counts as a Linux one). Among the run's own files,
builds of one Go main package are alternatives, not neighbours (a default and
a hardened build side by side in ``dist/``); inside a container everything
ships, and loads, together.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from cgoguard.model import ArtifactSet, MemberStore, SetMember


@dataclass(frozen=True, slots=True)
class Group:
    """Images that may load into one process, or be linked into one program.

    Its members stay in the run's store (they may be millions): a check asks
    for the ones it compares, in run order."""

    container: str | None  # the outermost container's path; None: the run's own files
    container_format: str | None  # "zip", "tar.gz", "deb", ...; None when not known
    machine: str | None
    store: MemberStore
    id: int
    system: str = "linux"  # the target operating system (images that name none count as Linux)

    def members(self, *, go: bool = False, kind: str | None = None) -> Iterator[SetMember]:
        """Every member, or only the Go images, or only one kind (``Hardening.kind``)."""
        return self.store.members(self.id, go=go, kind=kind)

    def repeated(self, column: str) -> Iterator[list[SetMember]]:
        """Members that share a ``"sha256"`` or a ``"library"`` (:func:`library_name`),
        each list in run order; lists by their first member (sha256) or by name (library)."""
        return self.store.repeated(self.id, column)

    def named(self, prefixes: Iterable[str]) -> Iterator[SetMember]:
        """Members whose soname or file name starts with one of ``prefixes``."""
        return self.store.named(self.id, prefixes)

    @property
    def where(self) -> str:
        return f"in {self.container}" if self.container is not None else "among the files scanned together"

    def short(self, path: str) -> str:
        """A path as a message shows it: inside the group's container (which ``where`` names)."""
        if self.container is not None and path.startswith(self.container + "!"):
            return path[len(self.container) + 1 :]
        return path

    def shown(self, members: list[SetMember]) -> str:
        """The members' paths for a message, in the group's order."""
        return ", ".join(self.short(m.path) for m in members)

    def together(self, members: list[SetMember]) -> bool:
        """Whether these images are neighbours rather than alternative builds of one main package."""
        if self.container is not None:
            return True
        packages = {m.go_package for m in members}
        return len(packages) > 1 or None in packages


def variants(members: list[SetMember]) -> bool:
    """Whether these are builds of one Go main package with one //export API: the
    per-platform or per-libc variants a deliverable ships and loads one of
    (tls-client 1.0.1 ships ``tls-client-amd64.so`` and ``tls-client-x86.so``,
    both x86-64 builds of ``tls_client_cffi``). Loading two of them into one
    process has no purpose, so runtime and export conflicts are not reported
    for them; copies that differ in hardening are (CG258)."""
    packages = {m.go_package for m in members}
    apis = {(frozenset(m.go_exports), m.soname) for m in members}  # one library: one API, one soname
    return len(packages) == 1 and None not in packages and len(apis) == 1


def _test_data(member: SetMember) -> bool:
    """An image under a ``testdata`` folder inside a container: test input that
    nothing loads (the Go toolchain's wheel ships debug/elf's sample libraries,
    whose DT_NEEDED name libraries no one ships). Files the user names are
    never passed over, whatever their folder."""
    return bool(member.origin) and "testdata" in member.inner_path.split("/")[:-1]


def group_key(member: SetMember, one_group: bool = False) -> tuple[str, str, str] | None:
    """The group an image is filed under as it arrives (see the module
    docstring); None for one no group holds (test data in a container).
    ``one_group``: ``scan --group``, the user says everything scanned loads
    together (two wheels in one virtualenv)."""
    if _test_data(member):
        return None
    outer = member.origin[0] if member.origin and not one_group else None
    # An image that names no system is taken for a Linux one (most Linux C objects name none).
    return (outer or "", member.machine or "", member.system or "linux")


# auditwheel renames a vendored library libfoo.so.1 to libfoo-<8 hex digits>.so.1.
_VENDORED_HASH = re.compile(r"-[0-9a-f]{8}(?=\.so)")


def library_name(member: SetMember) -> str | None:
    """What makes two shared libraries copies of one library: the soname (else
    the file name), without the hash auditwheel puts into a vendored copy's
    name. None for other images: two programs called ``link`` (coreutils and
    Go's linker) are not copies of one another."""
    if member.kind != "shared-library":
        return None
    return _VENDORED_HASH.sub("", member.soname or member.file_name)


def groups(subject: ArtifactSet) -> list[Group]:
    """The set's groups: the run's own files first, then each container by path."""
    return [
        Group(row.container, row.container_format, row.machine, subject.store, row.id, row.system)
        for row in subject.store.groups()
    ]


def load_names(member: SetMember) -> set[str]:
    """The names a DT_NEEDED entry can use for this image: its soname and its file name."""
    return {name for name in (member.soname, member.file_name) if name}


def paths(members: list[SetMember]) -> tuple[str, ...]:
    """The artifacts of a finding, sorted and without repeats."""
    return tuple(sorted({m.path for m in members}))


def listed(names: list[str] | set[str], most: int = 8) -> str:
    """A short, sorted list of names for a message."""
    ordered = sorted(names)
    return ", ".join(ordered[:most]) + (f" ... ({len(ordered)} in all)" if len(ordered) > most else "")
