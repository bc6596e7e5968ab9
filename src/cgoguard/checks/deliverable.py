"""Set-level checks on what a deliverable ships: the libraries its images
need, where they tell the loader to look, copies of one library, FIPS modules.

Like every set-level check they compare only images of one group (one
outermost container, or the run's own files; one machine: see
:mod:`cgoguard.checks.groups`). The first two judge only containers other
than distribution packages: a wheel or a tarball must carry what it needs,
while a folder's libraries come from the system and a .deb names its
dependencies and installs to absolute paths by design.
"""

from __future__ import annotations

import posixpath
from collections import defaultdict
from collections.abc import Iterator

from cgoguard.checks import CheckResult, CheckTarget, Related, check
from cgoguard.checks.groups import Group, groups, library_name, listed, load_names, paths
from cgoguard.model import ArtifactSet, SetMember, Severity

# Libraries every Linux system provides, so no deliverable has to ship them:
# glibc's own, the compiler runtimes, and the rest of what the manylinux
# policy lets a wheel take from the system (PEP 513, PEP 599, and auditwheel's
# manylinux-policy.json, which today also allows libz.so.1 and libexpat.so.1:
# numpy and pillow wheels need libz.so.1 and do not ship it); and, by prefix,
# the dynamic loaders, musl, the vDSO and libpython (the interpreter that loads
# a wheel provides it).
SYSTEM_LIBRARIES = frozenset(
    {
        *("libc.so.6", "libm.so.6", "libdl.so.2", "libpthread.so.0", "librt.so.1", "libresolv.so.2"),
        *("libutil.so.1", "libnsl.so.1", "libcrypt.so.1", "libanl.so.1"),
        *("libgcc_s.so.1", "libstdc++.so.6", "libatomic.so.1"),
        *("libX11.so.6", "libXext.so.6", "libXrender.so.1", "libICE.so.6", "libSM.so.6", "libGL.so.1"),
        *("libgobject-2.0.so.0", "libgthread-2.0.so.0", "libglib-2.0.so.0"),
        *("libz.so.1", "libexpat.so.1"),
    }
)
SYSTEM_PREFIXES = ("ld-linux", "ld64.so", "ld-musl-", "libc.musl-", "linux-vdso", "linux-gate", "libpython")

# Distribution packages: the package manager installs what they depend on.
_PACKAGES = frozenset({"deb", "rpm"})


def _image(group: Group) -> bool:
    """A container image: a whole filesystem, where absolute paths are its own."""
    return (group.container_format or "").startswith(("docker image", "oci image"))


def _shipping(group: Group) -> bool:
    """A container that must carry its own libraries (a wheel, a tarball; not a .deb)."""
    return group.container is not None and group.container_format not in _PACKAGES


@check(
    id="CG255",
    name="needed-library-not-shipped",
    title="A library the container's images need is neither shipped nor a system library",
    severity=Severity.MEDIUM,
    applies_to="Linux images in a wheel or tarball (not plain folders, not .deb packages)",
    target=CheckTarget.ARTIFACT_SET,
    fix="""
        Ship the library in the same wheel or tarball and point the loader at it:
            auditwheel repair dist/*.whl     (copies what is needed into <pkg>.libs, sets RUNPATH)
            patchelf --set-rpath '$ORIGIN/../mypkg.libs' mypkg/_native.so
        or link against a library the system provides; a dependency the system must install
        belongs in the package's metadata, not in an import that fails on the user's machine.
    """,
    references=(
        "https://man7.org/linux/man-pages/man8/ld.so.8.html",
        "https://peps.python.org/pep-0599/",
        "https://github.com/pypa/auditwheel",
    ),
)
def needed_library_not_shipped(subject: ArtifactSet) -> Iterator[CheckResult]:
    """Each DT_NEEDED entry must be found when the image loads; on another
    machine than the builder's, only the system's libraries and what the
    deliverable ships are there. A name that nothing in the container
    provides (by soname or file name) and that is not a well-known system
    library fails the import with "cannot open shared object file", or,
    worse, loads whatever unrelated library of that name the user has.

    The system libraries are a short list kept in this module: glibc's
    libraries, the compiler runtimes (libgcc_s, libstdc++), the rest of what
    the manylinux policy lets a wheel take from the system (PEP 513, 599),
    the dynamic loaders, musl and libpython. Only containers are judged,
    grouped by their outermost container: files named directly or found in
    folders take their libraries from the system they sit on, and a .deb
    declares its dependencies for the package manager to install. Images
    for other systems than Linux (a wheel that ships a tool's FreeBSD and
    Solaris builds too) are not judged: the list is Linux's."""
    for group in groups(subject):
        # The list of system libraries is Linux's; what FreeBSD or Solaris provide is not judged.
        if not _shipping(group) or group.system != "linux":
            continue
        provided = set().union(*(load_names(m) for m in group.members()))
        for member in group.members():
            missing = [
                name
                for name in dict.fromkeys(member.needed)  # Go on some systems repeats DT_NEEDED entries
                if name not in provided
                and name not in SYSTEM_LIBRARIES
                and not name.startswith(SYSTEM_PREFIXES)
            ]
            if missing:
                yield Related(
                    f"{group.short(member.path)} needs {', '.join(missing)}: not in {group.container}, "
                    "and not a library every system provides.",
                    (member.path,),
                )


def _leaves_container(entry: str, member: SetMember) -> str | None:
    """How a search-path entry leads out of the member's container, or None when it stays inside."""
    if entry.startswith("/"):
        return "an absolute path"
    token = next((t for t in ("$ORIGIN", "${ORIGIN}") if entry == t or entry.startswith(t + "/")), None)
    if token is None:
        return None  # relative or empty entries: CG107 reports them for every image
    depth = len([p for p in posixpath.dirname(member.inner_path).split("/") if p not in ("", ".")])
    for part in entry[len(token) :].split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return "above the container's root"
        elif part not in ("", "."):
            depth += 1
    return None


@check(
    id="CG256",
    name="search-path-leaves-container",
    title="RPATH/RUNPATH points outside the container",
    severity=Severity.MEDIUM,
    applies_to="images in a wheel or tarball with DT_RPATH or DT_RUNPATH",
    target=CheckTarget.ARTIFACT_SET,
    fix="""
        Use only $ORIGIN-relative entries that stay inside the package, or none:
            patchelf --set-rpath '$ORIGIN/../mypkg.libs' mypkg/_native.so
            patchelf --remove-rpath mypkg/_native.so
            go build -ldflags="-extldflags=-Wl,-rpath,\\$ORIGIN" ...
    """,
    references=(
        "https://man7.org/linux/man-pages/man8/ld.so.8.html",
        "https://cwe.mitre.org/data/definitions/426.html",
    ),
)
def search_path_leaves_container(subject: ArtifactSet) -> Iterator[CheckResult]:
    """A deliverable installs wherever its user puts it. An absolute RPATH
    or RUNPATH entry (/opt/x, the builder's /home/ci/lib) names a folder on
    the build machine: on the user's machine it is absent, or anyone who can
    create it there chooses the libraries the image loads. An $ORIGIN entry
    that climbs with ../ above the container's root leaves the package for
    whatever folder it was installed beside (site-packages, /opt).

    $ORIGIN entries are resolved against the image's folder inside the
    container that holds it (the innermost one: a wheel in a tarball is
    installed as a wheel). Relative and empty entries are CG107's. Only
    containers are judged (wheels, tarballs; not .deb or .rpm packages, which
    install to absolute paths by design, nor container images, whose absolute
    paths are inside the image), grouped by their outermost container."""
    for group in groups(subject):
        if not _shipping(group) or _image(group):
            continue
        for member in group.members():
            outside = [(e, why) for e in member.search_path if (why := _leaves_container(e, member))]
            if outside:
                shown = "; ".join(f"{entry!r}: {why}" for entry, why in outside)
                yield Related(
                    f"{group.short(member.path)} searches outside {group.container}: {shown}.", (member.path,)
                )


@check(
    id="CG257",
    name="duplicate-copies",
    title="The same image is shipped more than once",
    severity=Severity.LOW,
    applies_to="images of one group (one container, or the files scanned together), when hashed",
    target=CheckTarget.ARTIFACT_SET,
    fix="""
        Ship one copy and refer to it from everywhere that needs it: one RUNPATH
        ($ORIGIN/../mypkg.libs), a symlink in a tarball, one vendored copy per wheel.
    """,
    references=("https://github.com/pypa/auditwheel",),
)
def duplicate_copies(subject: ArtifactSet) -> Iterator[CheckResult]:
    """Two byte-identical copies of one library in a deliverable double its
    size and its patching: a fix applied to one copy leaves the other
    vulnerable, and a process that loads both (by two paths) gets two
    instances of its global state, for a Go library two runtimes (CG251).
    Copies are found by SHA-256, so not with --no-hash.

    A group is what ships together: the members of one outermost container
    (a wheel, a tarball, a package), or the files named or found in folders;
    one machine."""
    for group in groups(subject):
        for found in group.repeated("sha256"):
            yield Related(
                f"{len(found)} identical copies (SHA-256 {(found[0].sha256 or '')[:12]}…) {group.where}: "
                f"{group.shown(found)}.",
                paths(found),
            )


def _hardening_of(member: SetMember) -> str:
    relro = f"RELRO {member.relro}" if member.relro else "RELRO unknown"
    now = {True: "BIND_NOW", False: "no BIND_NOW", None: "BIND_NOW unknown"}[member.bind_now]
    return f"{relro}, {now}"


@check(
    id="CG258",
    name="copies-differ-in-hardening",
    title="Copies of one library differ in RELRO or BIND_NOW",
    severity=Severity.MEDIUM,
    applies_to="images of one group with the same soname (else file name)",
    target=CheckTarget.ARTIFACT_SET,
    fix="""
        Build every copy with the same flags and ship only the hardened one:
            go build -buildmode=c-shared -ldflags="-bindnow -extldflags=-Wl,-z,relro,-z,now" ...
        after patchelf or auditwheel repair, scan the repaired wheel again.
    """,
    references=(
        "https://www.redhat.com/en/blog/hardening-elf-binaries-using-relocation-read-only-relro",
        "https://github.com/pypa/auditwheel",
    ),
)
def copies_differ_in_hardening(subject: ArtifactSet) -> Iterator[CheckResult]:
    """Two copies of one library that differ in RELRO or BIND_NOW mean the
    deliverable was not built the way its release notes say: one copy was
    rebuilt or patched and the other was not. The copy a repair tool leaves
    (patchelf, auditwheel's vendored ``libfoo-1a2b3c4d.so``) may have lost a
    property the original had, or the other way round, and which copy a
    process loads depends on its search path.

    Copies are shared libraries with the same soname, else the same file
    name, with auditwheel's hash taken out of the name. Executables are not
    compared by name: two programs called ``link`` (coreutils and Go's linker)
    are not copies of one another. A group is what ships together:
    one outermost container, or the files scanned directly; one machine.
    Among the files scanned directly, builds of the same main package are
    alternatives, not copies."""
    for group in groups(subject):
        for same_name in group.repeated("library"):
            found = [m for m in same_name if m.relro is not None or m.bind_now is not None]
            name = library_name(found[0]) if found else None
            if name and len({(m.relro, m.bind_now) for m in found}) > 1 and group.together(found):
                shown = "; ".join(f"{group.short(m.path)}: {_hardening_of(m)}" for m in found)
                yield Related(f"copies of {name} {group.where} differ: {shown}.", paths(found))


@check(
    id="CG259",
    name="fips-mixed",
    title="Go images that ship together use different FIPS 140 modules or modes",
    severity=Severity.MEDIUM,
    applies_to="Go images that link crypto, of one group (one container, or the files scanned together)",
    target=CheckTarget.ARTIFACT_SET,
    fix="""
        Build every Go component of the deliverable against the same FIPS 140-3 module:
            GOFIPS140=v1.0.0 go build -buildmode=c-shared ...
        or document which components are outside the FIPS boundary.
    """,
    references=(
        "https://go.dev/doc/security/fips140",
        "https://csrc.nist.gov/projects/cryptographic-module-validation-program",
    ),
)
def fips_mixed(subject: ArtifactSet) -> Iterator[CheckResult]:
    """A deliverable that claims FIPS 140 mode must do its cryptography in a
    validated module in every component. One Go library built with
    GOFIPS140 (or BoringCrypto) next to one built without means part of the
    product encrypts and hashes outside the module, whatever the first one
    reports; two different providers mean two modules to account for. Go's
    own module is told apart by version and by default mode: a library built
    with GOFIPS140 but DefaultGODEBUG fips140=off is outside FIPS mode next to
    one that is on. The mode is fixed when each Go runtime starts, from the
    environment the process started with: a host that sets GODEBUG later
    (os.environ in Python, setenv in C) before loading the library does not
    change it (measured with Go 1.27), so the build's default is what holds.
    Images that link no crypto are not counted (CG301 says, per image, what
    each build asked for).

    A group is what ships together: one outermost container, or the files
    scanned directly; one machine. Among the files scanned directly, builds
    of the same main package (a default and a FIPS build side by side) are
    alternatives."""
    for group in groups(subject):
        # Two passes: the providers (a handful), then the images only when they differ.
        if len({m.fips_provider for m in group.members(go=True) if m.fips_provider is not None}) < 2:
            continue
        by_provider: dict[str, list[SetMember]] = defaultdict(list)
        for member in group.members(go=True):
            if member.fips_provider is not None:
                by_provider[member.fips_provider].append(member)
        involved = [m for found in by_provider.values() for m in found]
        if len(by_provider) > 1 and group.together(involved):
            shown = "; ".join(
                f"{provider}: {listed([group.short(m.path) for m in found], 4)}"
                for provider, found in sorted(by_provider.items())
            )
            yield Related(f"FIPS 140 modules or modes differ {group.where}: {shown}.", paths(involved))
