"""Container images saved as tar archives: ``docker save`` (``manifest.json``)
and OCI image layouts (``oci-layout`` + ``index.json``), read in place.

The layers are applied as a container runtime would, without extracting
anything: they are walked from the top one down, and a file is part of the
final filesystem unless a layer above it holds the same path, a whiteout
for it (``.wh.<name>``) or an opaque marker for a folder above it
(``.wh..wh..opq``). Each visible regular file comes back with the digest of
the layer it comes from. A bare ``.wh.`` names nothing and hides nothing
(anchore/stereoscope#647 wiped a whole folder for it).

Multi-platform images (an OCI index of manifests) are read for one
platform: the one asked for, else this machine's; which one is said in the
container's label. Facts only, like :mod:`cgoguard.readers.containers`.
"""

from __future__ import annotations

import contextlib
import json
import os
import posixpath
import tarfile
from collections.abc import Callable, Iterator
from typing import Any

from cgoguard.fileio import open_regular
from cgoguard.readers.containers import (
    PEEK,
    ContainerError,
    ContainerLimits,
    FileSpan,
    Member,
    Span,
    SpanReader,
    guarded,
    guarded_iter,
    kind_of,
    tar_members,
)

MAX_JSON_BYTES = 16 << 20  # a manifest or index larger than this is not one
_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"
_MACHINES = {"x86_64": "amd64", "aarch64": "arm64", "armv7l": "arm", "ppc64le": "ppc64le", "s390x": "s390x"}


def host_platform() -> str:
    machine = os.uname().machine
    return f"linux/{_MACHINES.get(machine, machine)}"


def is_image(names: set[str]) -> bool:
    """An image archive, judged by the names at the top of a tar."""
    return "manifest.json" in names or ("oci-layout" in names and "index.json" in names)


class _Image:
    """The blobs of an image tar, found through its member index (headers only)."""

    def __init__(self, span: Span, limits: ContainerLimits) -> None:
        self.span = span
        archive = tarfile.open(fileobj=SpanReader(span), mode="r:")  # noqa: SIM115 - headers only, closed below
        try:
            self.members: dict[str, tarfile.TarInfo] = {}
            for count, info in enumerate(archive, 1):
                if count > limits.members:
                    raise ContainerError(f"the image holds more than {limits.members:,} entries")
                if info.isreg():
                    self.members[posixpath.normpath(info.name)] = info
        finally:
            archive.close()

    def has(self, name: str) -> bool:
        return posixpath.normpath(name) in self.members

    def blob(self, name: str) -> Span:
        info = self.members.get(posixpath.normpath(name))
        if info is None:
            raise ContainerError(f"the image names {name!r}, which it does not hold")
        if info.offset_data + info.size > self.span.size:
            raise ContainerError(f"the image is truncated inside {name}")
        return self.span.sub(info.offset_data, info.size)

    def json(self, name: str) -> Any:
        data = self.blob(name)
        if data.size > MAX_JSON_BYTES:
            raise ContainerError(f"{name} is larger than {MAX_JSON_BYTES:,} bytes")
        try:
            return json.loads(data.read(0, data.size))
        except (ValueError, RecursionError):
            raise ContainerError(f"{name} is not valid JSON") from None


class _Folder(_Image):
    """An OCI image layout as a folder: blobs are files below it, opened like
    any input (regular files only, without blocking) and only below it."""

    def __init__(self, root: str) -> None:
        self.root = os.path.realpath(root)
        self.descriptors: list[int] = []
        self.members = {}

    def has(self, name: str) -> bool:
        return os.path.isfile(os.path.join(self.root, name))

    def blob(self, name: str) -> Span:
        path = os.path.realpath(os.path.join(self.root, posixpath.normpath(name)))
        if not path.startswith(self.root + os.sep):
            raise ContainerError(f"the image names {name!r}, which leads out of its folder")
        try:
            fd, size = open_regular(path)
        except OSError as error:
            raise ContainerError(
                f"the image names {name!r}, which cannot be read ({error.strerror or error})"
            ) from None
        self.descriptors.append(fd)
        return FileSpan(fd, size)

    def close(self) -> None:
        for fd in self.descriptors:
            os.close(fd)
        self.descriptors.clear()


def is_image_folder(path: str) -> bool:
    return os.path.isfile(os.path.join(path, "oci-layout")) and os.path.isfile(
        os.path.join(path, "index.json")
    )


@contextlib.contextmanager
def open_image_folder(
    path: str,
    limits: ContainerLimits,
    wanted: Callable[[bytes], bool],
    platform: str | None = None,
    deleted: bool = False,
) -> Iterator[tuple[str, Iterator[Member]]]:
    """(label, members) of an OCI image layout folder, like :func:`open_image`;
    the blob files it opened are closed when the block ends."""
    folder = _Folder(path)
    try:
        layers, chosen = guarded("tar", lambda: _layers(folder, platform or host_platform()))
        members = guarded_iter("tar", _visible_members(folder, layers, limits, wanted, deleted))
        yield (f"oci image {chosen}" if chosen else "oci image"), members
    finally:
        folder.close()


def _digest_path(digest: Any) -> str:
    if not isinstance(digest, str) or ":" not in digest:
        raise ContainerError(f"an image descriptor has no usable digest ({digest!r})")
    algorithm, hexdigest = digest.split(":", 1)
    if not hexdigest.isalnum() or not algorithm.isalnum():
        raise ContainerError(f"an image descriptor has a malformed digest ({digest!r})")
    return f"blobs/{algorithm}/{hexdigest}"


def _platform_of(descriptor: dict[str, Any]) -> str | None:
    platform = descriptor.get("platform")
    if not isinstance(platform, dict):
        return None
    name = f"{platform.get('os')}/{platform.get('architecture')}"
    return name + (f"/{platform['variant']}" if platform.get("variant") else "")


def _oci_manifest(image: _Image, platform: str) -> tuple[dict[str, Any], str | None]:
    """The manifest for ``platform`` from index.json (nested indexes followed)."""
    index = image.json("index.json")
    chosen: str | None = None
    for _ in range(8):  # an index of indexes, a few levels at most
        manifests = index.get("manifests") if isinstance(index, dict) else None
        if not isinstance(manifests, list) or not manifests:
            raise ContainerError("the image index lists no manifests")
        matching = [m for m in manifests if isinstance(m, dict) and _platform_of(m) in (platform, None)]
        exact = [m for m in matching if _platform_of(m) == platform]
        candidates = exact or matching
        if not candidates:
            offered = sorted({p for m in manifests if isinstance(m, dict) and (p := _platform_of(m))})
            raise ContainerError(f"the image has no {platform} manifest (it has {', '.join(offered)})")
        descriptor = candidates[0]
        chosen = _platform_of(descriptor) or chosen
        document = image.json(_digest_path(descriptor.get("digest")))
        if isinstance(document, dict) and isinstance(document.get("layers"), list):
            return document, chosen
        index = document
    raise ContainerError("the image index nests more than 8 levels")


def _layers(image: _Image, platform: str) -> tuple[list[tuple[str, str]], str | None]:
    """(digest, blob name) of each layer, bottom first, and the platform read."""
    if image.has("oci-layout") and image.has("index.json"):
        manifest, chosen = _oci_manifest(image, platform)
        layers = []
        for layer in manifest["layers"]:
            if not isinstance(layer, dict):
                raise ContainerError("a layer descriptor is not an object")
            layers.append((str(layer.get("digest")), _digest_path(layer.get("digest"))))
        return layers, chosen
    manifests = image.json("manifest.json")
    if not isinstance(manifests, list) or not manifests or not isinstance(manifests[0], dict):
        raise ContainerError("manifest.json lists no image")
    names = manifests[0].get("Layers")
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ContainerError("manifest.json gives no list of layers")
    # docker save names a layer by its path; since Docker 25 that path is blobs/sha256/<digest>.
    return [
        (n.removeprefix("blobs/").replace("/", ":", 1) if n.startswith("blobs/") else n, n) for n in names
    ], None


class _Visibility:
    """What the layers above hide: their files, whiteouts and opaque folders."""

    def __init__(self) -> None:
        self.covered: set[str] = set()  # paths a layer above holds or whites out
        self.opaque: set[str] = set()  # folders whose lower contents are gone

    def visible(self, path: str) -> bool:
        if path in self.covered:
            return False
        folder = posixpath.dirname(path)
        while folder:
            if folder in self.opaque or folder in self.covered:
                return False
            folder = posixpath.dirname(folder)
        return True

    def add_layer(self, names: list[str]) -> None:
        for name in names:
            folder, base = posixpath.split(name)
            if base == _OPAQUE:
                self.opaque.add(folder)
            elif base.startswith(_WHITEOUT):
                hidden = base[len(_WHITEOUT) :]
                if hidden:  # a bare ".wh." names nothing
                    self.covered.add(posixpath.join(folder, hidden))
            else:
                self.covered.add(name)


def open_image(
    span: Span,
    limits: ContainerLimits,
    wanted: Callable[[bytes], bool],
    platform: str | None = None,
    deleted: bool = False,
) -> tuple[str, Iterator[Member]] | None:
    """(label, members) of an image archive, None for a tar that is not one:
    each visible file of the final filesystem, named by its path there, with
    the layer it comes from."""
    image = guarded("tar", lambda: _Image(span, limits))
    if not is_image(set(image.members)):
        return None
    layers, chosen = guarded("tar", lambda: _layers(image, platform or host_platform()))
    label = "oci image" if image.has("oci-layout") else "docker image"
    members = guarded_iter("tar", _visible_members(image, layers, limits, wanted, deleted))
    return (f"{label} {chosen}" if chosen else label), members


def _visible_members(
    image: _Image,
    layers: list[tuple[str, str]],
    limits: ContainerLimits,
    wanted: Callable[[bytes], bool],
    deleted: bool = False,
) -> Iterator[Member]:
    """The files of the final filesystem; with ``deleted``, also those a later
    layer deletes or replaces, named ``path#deleted@<layer>`` (one per layer)."""
    above = _Visibility()
    for digest, name in reversed(layers):
        blob = image.blob(name)
        kind = kind_of(blob.read(0, PEEK)) or "tar"
        if kind == "zip":
            raise ContainerError(f"layer {digest} is not a tar archive")
        names = []
        try:
            for member in tar_members(blob, kind, limits, wanted, None if deleted else above.visible):
                names.append(member.name)
                if member.data is None and member.error is None:
                    continue
                if above.visible(member.name):
                    yield member._replace(layer=digest)
                else:  # only read with ``deleted``
                    short = digest.split(":", 1)[1][:12] if ":" in digest else digest  # a digest, or a path
                    shown = f"{member.name}#deleted@{short}"
                    yield member._replace(name=shown, layer=digest, deleted=True)
        except ContainerError as error:
            raise ContainerError(f"layer {digest}: {error}") from None
        above.add_layer(names)
