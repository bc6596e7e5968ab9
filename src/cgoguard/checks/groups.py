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

import posixpath
from collections import defaultdict
from dataclasses import dataclass

from cgoguard.model import ArtifactSet, SetMember


@dataclass(frozen=True, slots=True)
class Group:
    """Images that may load into one process, or be linked into one program."""

    container: str | None  # the outermost container's path; None: the run's own files
    container_format: str | None  # "zip", "tar.gz", "deb", ...; None when not known
    machine: str | None
    members: tuple[SetMember, ...]
    system: str = "linux"  # the target operating system (images that name none count as Linux)

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
    return bool(member.origin) and "testdata" in inner_path(member).split("/")[:-1]


def groups(subject: ArtifactSet) -> list[Group]:
    """The set split into groups (see the module docstring): the run's own
    files first, then each container by path; members keep the run's order."""
    found: dict[tuple[str, str, str], list[SetMember]] = defaultdict(list)
    for member in subject.members:
        if _test_data(member):
            continue
        # --group: the user says everything scanned loads together (two wheels in one virtualenv).
        outer = member.origin[0] if member.origin and not subject.one_group else None
        # An image that names no system is taken for a Linux one (most Linux C objects name none).
        system = member.system or "linux"
        found[(outer or "", member.machine or "", system)].append(member)
    result = []
    for (outer, machine, system), members in sorted(found.items(), key=lambda kv: (kv[0][0] != "", kv[0])):
        result.append(Group(outer or None, members[0].container, machine or None, tuple(members), system))
    return result


def inner_path(member: SetMember) -> str:
    """The member's path inside the container that holds it (its own path outside one)."""
    if member.origin and member.path.startswith(member.origin[-1] + "!"):
        return member.path[len(member.origin[-1]) + 1 :]
    return member.path


def file_name(member: SetMember) -> str:
    return posixpath.basename(inner_path(member).replace("\\", "/"))


def load_names(member: SetMember) -> set[str]:
    """The names a DT_NEEDED entry can use for this image: its soname and its file name."""
    return {name for name in (member.soname, file_name(member)) if name}


def paths(members: list[SetMember]) -> tuple[str, ...]:
    """The artifacts of a finding, sorted and without repeats."""
    return tuple(sorted({m.path for m in members}))


def listed(names: list[str] | set[str], most: int = 8) -> str:
    """A short, sorted list of names for a message."""
    ordered = sorted(names)
    return ", ".join(ordered[:most]) + (f" ... ({len(ordered)} in all)" if len(ordered) > most else "")
