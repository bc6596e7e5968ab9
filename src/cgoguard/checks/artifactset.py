"""Checks over the whole set of artifacts of one run (after every file was read).

They see a :class:`~cgoguard.model.ArtifactSet`: a small projection of each
image's facts. Problems that no single file shows live here: two libraries
that cannot share a process, a deliverable that mixes toolchains.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from cgoguard.checks import CheckResult, CheckTarget, Related, check
from cgoguard.model import ArtifactSet, Severity


@check(
    id="CG250",
    name="export-name-conflict",
    title="Two Go libraries in the set export the same //export symbol",
    severity=Severity.MEDIUM,
    applies_to="Go c-shared libraries scanned together (same machine)",
    target=CheckTarget.ARTIFACT_SET,
    fix="""
        Give every exported function a prefix unique to its library, in Go and in the header:
            //export mylib_Add
            func mylib_Add(a, b C.int) C.int { ... }
        or load the libraries with dlopen(RTLD_LOCAL) and call them only through dlsym handles.
    """,
    references=(
        "https://pkg.go.dev/cmd/cgo#hdr-C_references_to_Go",
        "https://www.akkadia.org/drepper/dsohowto.pdf",
    ),
)
def export_name_conflict(subject: ArtifactSet) -> Iterator[CheckResult]:
    """The dynamic linker binds each undefined symbol to the first definition
    in load order (symbol interposition). When two Go c-shared libraries that
    are linked into, or loaded globally by, the same program both export
    ``Add``, every caller gets the first library's ``Add``: the second
    library's function is silently never called, and the arguments it
    receives may mean something else entirely. Each Go c-shared library
    already carries its own Go runtime; distinct export names at least keep
    their APIs apart.

    Builds of the same main package (variants of one library, such as a
    default and a hardened build side by side) are not compared with each
    other: they are alternatives, not neighbours in one process."""
    owners: dict[tuple[str | None, str], list[tuple[str, str | None]]] = defaultdict(list)
    for member in subject.members:
        if member.kind != "shared-library" or member.go_build_mode != "c-shared":
            continue
        for name in member.go_exports:
            owners[(member.machine, name)].append((member.path, member.go_package))
    clashes: dict[tuple[str, ...], list[str]] = defaultdict(list)
    for (_, name), found in owners.items():
        packages = [package for _, package in found]
        if len(found) > 1 and (len(set(packages)) > 1 or None in packages):
            clashes[tuple(path for path, _ in found)].append(name)
    for paths, names in sorted(clashes.items()):
        shown = ", ".join(sorted(names)[:8]) + (" ..." if len(names) > 8 else "")
        yield Related(
            f"{len(names)} exported function name(s) defined by {len(paths)} Go libraries "
            f"({', '.join(paths)}): {shown}; loaded into one process, the first one loaded wins.",
            paths,
        )
