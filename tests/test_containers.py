"""Containers (issue 9): wheels, sdists and tarballs are scanned in place, member by member,
with the same verdicts as the files themselves, and hostile containers end as clear errors."""

from __future__ import annotations

import gzip
import io
import json
import os
import sys
import tarfile
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cgoguard.readers.containers import ContainerLimits
from cgoguard.scanner import scan_candidate, scan_file
from cgoguard.sources import Candidate

sys.path.insert(0, str(Path(__file__).resolve().parent))
from clirun import run
from containerfiles import make_tar, make_wheel


def _ids(artifact: object) -> list[str]:
    return sorted(f.check_id for f in artifact.findings)  # type: ignore[attr-defined]


def test_a_wheel_is_scanned_like_its_files(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    library = fixture_path("go_cshared_default")
    wheel = make_wheel(
        tmp_path / "pkg-1.0-cp311-cp311-manylinux_2_17_x86_64.whl",
        {"pkg/__init__.py": b"", "pkg/libbridge.so": library.read_bytes(), "pkg-1.0.dist-info/RECORD": b""},
    )
    scanned = scan_file(str(wheel))
    assert scanned is not None and scanned.error is None and scanned.container == "zip"
    (member,) = scanned.members
    direct = scan_file(str(library))
    assert direct is not None
    assert member.path == f"{wheel}!pkg/libbridge.so"
    assert member.sha256 == direct.sha256 and _ids(member) == _ids(direct) != []
    # What the issue reported: the wheel said "0 artifacts, no findings" and exited 0.
    proc = run("scan", wheel, "--format", "json", "--fail-on", "medium")
    assert proc.returncode == 1, proc.stderr
    (top,) = json.loads(proc.stdout)["artifacts"]
    assert top["container"] == "zip" and top["members"][0]["path"].endswith("!pkg/libbridge.so")


@pytest.mark.parametrize("mode", ["w:gz", "w:bz2", "w:xz", "w", "zstd"])
def test_tarballs_and_nested_wheels(tmp_path: Path, fixture_path: Callable[[str], Path], mode: str) -> None:
    library = fixture_path("go_cshared_default").read_bytes()
    archive = fixture_path("go_carchive_default").read_bytes()
    wheel = make_wheel(tmp_path / "inner.whl", {"pkg/libbridge.so": library}).read_bytes()
    members = {"pkg-1.0/lib/libbridge.a": archive, "pkg-1.0/dist/inner.whl": wheel, "pkg-1.0/README": b"hi"}
    if mode == "zstd":
        import zstandard

        plain = make_tar(tmp_path / "plain.tar", members, "w").read_bytes()
        path = tmp_path / "pkg-1.0.tar.zst"
        path.write_bytes(zstandard.ZstdCompressor().compress(plain))
    else:
        path = make_tar(tmp_path / "pkg-1.0.tar", members, mode)
    scanned = scan_file(str(path))
    assert scanned is not None and scanned.error is None
    paths = [m.path for m in scanned.members]
    assert paths == [f"{path}!pkg-1.0/lib/libbridge.a", f"{path}!pkg-1.0/dist/inner.whl"]
    ar, inner = scanned.members
    assert ar.is_archive and ar.members and inner.container == "zip"
    assert inner.members[0].path == f"{path}!pkg-1.0/dist/inner.whl!pkg/libbridge.so"
    assert inner.members[0].go is not None


def test_a_container_without_elf_files_is_skipped_like_any_other_file(tmp_path: Path) -> None:
    wheel = make_wheel(tmp_path / "pure-1.0-py3-none-any.whl", {"pure/__init__.py": b"print(1)\n"})
    assert scan_file(str(wheel)) is None
    gz = tmp_path / "notes.txt.gz"
    gz.write_bytes(gzip.compress(b"not a tar at all\n" * 100))
    assert scan_file(str(gz)) is None


def test_set_members_carry_their_containers(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    from cgoguard.pipeline import set_members

    library = fixture_path("go_cshared_default").read_bytes()
    inner = make_wheel(tmp_path / "inner.whl", {"pkg/libbridge.so": library}).read_bytes()
    outer = make_tar(
        tmp_path / "outer.tar.xz", {"lib/libbridge.so": library, "dist/inner.whl": inner}, "w:xz"
    )
    scanned = scan_file(str(outer))
    assert scanned is not None
    top, nested = set_members(scanned)
    # The group of both is the outermost container; its format is what set checks read.
    assert top.origin == (str(outer),) and top.container == "tar.xz"
    assert nested.origin == (str(outer), f"{outer}!dist/inner.whl") and nested.container == "tar.xz"
    assert nested.path == f"{outer}!dist/inner.whl!pkg/libbridge.so"


def test_names_leading_out_are_reported_not_read(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    library = fixture_path("go_cshared_default").read_bytes()
    path = make_tar(
        tmp_path / "evil.tar.gz", {"../../etc/libx.so": library, "/abs/liby.so": library, "ok.so": library}
    )
    scanned = scan_file(str(path))
    assert scanned is not None
    errors = {m.path.split("!", 1)[1]: m.error for m in scanned.members}
    assert "leads out of the container" in (errors["../../etc/libx.so"] or "")
    assert "leads out of the container" in (errors["/abs/liby.so"] or "")
    assert errors["ok.so"] is None


def test_links_devices_and_fifos_in_a_tar_are_passed_over(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    path = tmp_path / "special.tar"
    with tarfile.open(path, "w") as archive:
        for name, kind, target in [
            ("link.so", tarfile.SYMTYPE, "/etc/shadow"),
            ("hard.so", tarfile.LNKTYPE, "/etc/shadow"),
            ("dev", tarfile.CHRTYPE, ""),
            ("fifo", tarfile.FIFOTYPE, ""),
        ]:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = kind, target
            archive.addfile(info)
        data = fixture_path("c_hardened").read_bytes()
        info = tarfile.TarInfo("bin/prog")
        info.size = len(data)
        archive.addfile(info, io.BytesIO(data))
    scanned = scan_file(str(path))
    assert scanned is not None and [m.path.split("!")[1] for m in scanned.members] == ["bin/prog"]


def test_bombs_and_bounds_are_per_container_errors(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    library = fixture_path("go_cshared_default").read_bytes()
    # A gzip stream of zeros: 64 MiB from about 64 KiB.
    bomb = tmp_path / "bomb.tar.gz"
    with tarfile.open(bomb, "w:gz") as archive:
        info = tarfile.TarInfo("lib/libok.so")
        info.size = len(library)
        archive.addfile(info, io.BytesIO(library))
        info = tarfile.TarInfo("zeros")
        info.size = 64 << 20
        archive.addfile(info, io.BytesIO(bytes(64 << 20)))
    # The library ahead of the zeros compresses little: 20 is below the stream's overall ratio.
    scanned = scan_candidate(Candidate(str(bomb)), limits=ContainerLimits(ratio=20))
    assert scanned is not None and "decompression bomb" in (scanned.error or "")
    assert [m.path.split("!")[1] for m in scanned.members] == ["lib/libok.so"], "what came before stands"
    small = ContainerLimits(member_bytes=len(library) - 1)
    wheel = make_wheel(tmp_path / "big.whl", {"lib.so": library})
    scanned = scan_candidate(Candidate(str(wheel)), limits=small)
    assert scanned is not None and "more than" in (scanned.members[0].error or "")
    many = make_wheel(tmp_path / "many.whl", {f"f{i}": b"" for i in range(50)} | {"lib.so": library})
    scanned = scan_candidate(Candidate(str(many)), limits=ContainerLimits(members=10))
    assert scanned is not None and "more than 10 entries" in (scanned.error or "")


def test_nesting_deeper_than_the_bound_is_an_error(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    data = fixture_path("c_hardened").read_bytes()
    for level in range(6):
        data = make_wheel(tmp_path / f"level{level}.whl", {"inner": data}).read_bytes()
    outer = tmp_path / "outer.whl"
    outer.write_bytes(data)
    scanned = scan_candidate(Candidate(str(outer)), limits=ContainerLimits(depth=3))
    assert scanned is not None
    deepest = scanned
    while deepest.members and deepest.error is None:
        deepest = deepest.members[0]
    assert "deeper than the bound of 3" in (deepest.error or ""), deepest


@pytest.mark.parametrize("kind", ["zip", "tar.gz"])
def test_truncated_containers_keep_what_was_read(
    tmp_path: Path, fixture_path: Callable[[str], Path], kind: str
) -> None:
    library = fixture_path("go_cshared_default").read_bytes()
    members = {"first.so": library, "second.so": library}
    if kind == "zip":
        data = make_wheel(tmp_path / "x.whl", members).read_bytes()
    else:
        data = make_tar(tmp_path / "x.tar.gz", members).read_bytes()
    cut = tmp_path / f"cut.{kind}"
    cut.write_bytes(data[: int(len(data) * 0.75)])
    scanned = scan_file(str(cut))
    assert scanned is not None
    assert scanned.error is not None and "corrupt or truncated" in scanned.error, scanned.error
    if kind == "tar.gz":  # a stream: the first member was read before the cut
        assert [m.path.split("!")[1] for m in scanned.members] == ["first.so"]


@pytest.fixture(scope="module")
def small_containers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    import shutil

    folder = tmp_path_factory.mktemp("fuzz")
    elf = Path(shutil.which("true") or "/bin/true").read_bytes()[:20_000]
    layer = make_tar(folder / "layer.tar.gz", {"usr/lib/a.so": elf, "usr/lib/.wh.b.so": b""}).read_bytes()
    manifest = json.dumps([{"Config": "c.json", "Layers": ["l/layer.tar.gz", "l/layer.tar.gz"]}]).encode()
    image = make_tar(
        folder / "image.tar", {"manifest.json": manifest, "c.json": b"{}", "l/layer.tar.gz": layer}, "w"
    )
    return {
        "whl": make_wheel(folder / "x.whl", {"a.so": elf, "b.txt": b"x" * 100}).read_bytes(),
        "tgz": make_tar(folder / "x.tgz", {"a.so": elf, "b.txt": b"x" * 100}).read_bytes(),
        "image": image.read_bytes(),
    }


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    which=st.sampled_from(["whl", "tgz", "image"]),
    edits=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 255)), max_size=8),
    cut=st.one_of(st.none(), st.floats(0, 1)),
)
def test_mutated_containers_never_raise_or_write(
    small_containers: dict[str, bytes],
    tmp_path: Path,
    which: str,
    edits: list[tuple[float, int]],
    cut: float | None,
) -> None:
    data = bytearray(small_containers[which])
    for where, value in edits:
        data[int(where * len(data))] = value
    if cut is not None:
        data = data[: int(cut * len(data))]
    before = set(os.listdir(tmp_path))
    artifact = scan_candidate(Candidate("mutant", data=bytes(data)))
    assert set(os.listdir(tmp_path)) == before
    if artifact is not None:
        assert artifact.error is None or "internal error" not in artifact.error, artifact.error
        for member in artifact.members:
            assert member.error is None or "internal error" not in member.error, member.error


def test_a_debian_package_built_with_dpkg_deb(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    import shutil
    import subprocess

    if shutil.which("dpkg-deb") is None:
        pytest.skip("dpkg-deb is not installed (Debian's dpkg package)")
    root = tmp_path / "pkg"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN" / "control").write_text(
        "Package: bridge\nVersion: 1.0\nArchitecture: amd64\nMaintainer: t <t@example.org>\nDescription: t\n"
    )
    libdir = root / "usr" / "lib" / "x86_64-linux-gnu"
    libdir.mkdir(parents=True)
    shutil.copy(fixture_path("go_cshared_default"), libdir / "libbridge.so")
    (libdir / "libbridge.so.1").symlink_to("libbridge.so")
    package = tmp_path / "bridge_1.0_amd64.deb"
    for compression in ("xz", "gzip", "zstd"):
        subprocess.run(
            ["dpkg-deb", f"-Z{compression}", "--build", str(root), str(package)],
            check=True,
            capture_output=True,
        )
        scanned = scan_file(str(package))
        assert scanned is not None and scanned.container == "deb" and scanned.error is None
        (data,) = scanned.members
        assert data.container is not None and data.container.startswith("tar")
        (library,) = data.members
        assert library.path.endswith(f"!{data.path.rsplit('!', 1)[1]}!usr/lib/x86_64-linux-gnu/libbridge.so")
        assert library.go is not None and library.findings


def _layer(files: dict[str, bytes], compress: bool) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz" if compress else "w") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _image_layers(fixture_path: Callable[[str], Path]) -> list[bytes]:
    go = fixture_path("go_cshared_default").read_bytes()
    other = fixture_path("go_cshared_other").read_bytes()
    c = fixture_path("c_hardened").read_bytes()
    bottom = _layer(
        {"usr/lib/libgo.so": go, "usr/lib/libold.so": go, "opt/app/libx.so": go, "usr/bin/prog": c}, True
    )
    top = _layer(
        {"usr/lib/.wh.libold.so": b"", "opt/.wh..wh..opq": b"", ".wh.": b"", "usr/lib/libgo.so": other}, False
    )
    return [bottom, top]


def _digest(data: bytes) -> str:
    import hashlib

    return "sha256:" + hashlib.sha256(data).hexdigest()


def test_a_docker_save_image_is_read_as_its_final_filesystem(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    layers = _image_layers(fixture_path)
    manifest = [{"Config": "config.json", "RepoTags": ["x:1"], "Layers": ["one/layer.tar", "two/layer.tar"]}]
    image = make_tar(
        tmp_path / "image.tar",
        {
            "manifest.json": json.dumps(manifest).encode(),
            "config.json": b"{}",
            "one/layer.tar": layers[0],
            "two/layer.tar": layers[1],
        },
        "w",
    )
    scanned = scan_file(str(image))
    assert scanned is not None and scanned.error is None and scanned.container == "docker image"
    found = {m.path.split("!", 1)[1]: m for m in scanned.members}
    # libold.so is whited out, opt/ is opaque above it; the bare ".wh." hides nothing.
    assert sorted(found) == ["usr/bin/prog", "usr/lib/libgo.so"]
    assert found["usr/lib/libgo.so"].layer == "two/layer.tar"  # the upper copy: go_cshared_other
    assert found["usr/bin/prog"].layer == "one/layer.tar"
    other = scan_file(str(fixture_path("go_cshared_other")))
    assert other is not None and found["usr/lib/libgo.so"].sha256 == other.sha256


def test_files_deleted_by_later_layers_on_request(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    layers = _image_layers(fixture_path)
    manifest = [{"Config": "config.json", "Layers": ["one/layer.tar", "two/layer.tar"]}]
    files = {"manifest.json": json.dumps(manifest).encode(), "config.json": b"{}"}
    image = make_tar(
        tmp_path / "image.tar", files | {"one/layer.tar": layers[0], "two/layer.tar": layers[1]}, "w"
    )
    scanned = scan_candidate(Candidate(str(image)), deleted_files=True)
    assert scanned is not None and scanned.error is None
    found = {m.path.split("!", 1)[1]: m for m in scanned.members}
    deleted = sorted(name for name, m in found.items() if m.deleted)
    # The whited-out library, the opaque folder's file, and the lower copy that layer two replaced.
    assert deleted == [
        "opt/app/libx.so#deleted@one/layer.tar",
        "usr/lib/libgo.so#deleted@one/layer.tar",
        "usr/lib/libold.so#deleted@one/layer.tar",
    ]
    assert not found["usr/lib/libgo.so"].deleted and found["usr/lib/libgo.so"].layer == "two/layer.tar"
    # Deleted files load with nothing: the two Go libraries of the image are not a runtime conflict.
    proc = run("scan", image, "--deleted-files", "--format", "json")
    report = json.loads(proc.stdout)
    assert sum(m["deleted"] for m in report["artifacts"][0]["members"]) == 3
    assert not {f["id"] for f in report["set_findings"]} & {"CG250", "CG251"}


def test_an_oci_image_picks_the_platform(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    from cgoguard.readers.images import host_platform

    layers = _image_layers(fixture_path)
    blobs = {f"blobs/sha256/{_digest(layer)[7:]}": layer for layer in layers}

    def manifest(chosen: list[bytes]) -> bytes:
        return json.dumps(
            {
                "schemaVersion": 2,
                "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": _digest(b"{}")},
                "layers": [
                    {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": _digest(x)}
                    for x in chosen
                ],
            }
        ).encode()

    here, there = manifest(layers), manifest(layers[:1])
    blobs |= {f"blobs/sha256/{_digest(m)[7:]}": m for m in (here, there)} | {
        f"blobs/sha256/{_digest(b'{}')[7:]}": b"{}"
    }
    os_name, architecture = host_platform().split("/", 1)
    elsewhere = "s390x" if architecture != "s390x" else "amd64"
    index = {
        "schemaVersion": 2,
        "manifests": [
            {"digest": _digest(there), "platform": {"os": "linux", "architecture": elsewhere}},
            {"digest": _digest(here), "platform": {"os": os_name, "architecture": architecture}},
        ],
    }
    image = make_tar(
        tmp_path / "oci.tar",
        {"oci-layout": b'{"imageLayoutVersion": "1.0.0"}', "index.json": json.dumps(index).encode(), **blobs},
        "w",
    )
    scanned = scan_file(str(image))
    assert scanned is not None and scanned.error is None
    assert scanned.container == f"oci image {host_platform()}"
    assert sorted(m.path.split("!", 1)[1] for m in scanned.members) == ["usr/bin/prog", "usr/lib/libgo.so"]
    assert {m.layer for m in scanned.members} == {_digest(layers[0]), _digest(layers[1])}
    # --platform reads the other manifest (only the bottom layer); an absent one is an error.
    proc = run("scan", image, "--platform", f"linux/{elsewhere}", "--format", "json")
    (top,) = json.loads(proc.stdout)["artifacts"]
    assert top["container"] == f"oci image linux/{elsewhere}"
    assert len(top["members"]) == 4
    proc = run("scan", image, "--platform", "plan9/mips", "--format", "json")
    assert proc.returncode == 3 and "has no plan9/mips manifest" in proc.stdout
    assert run("scan", image, "--platform", "amd64").returncode == 2


def test_an_oci_layout_folder_is_one_image(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    layers = _image_layers(fixture_path)
    folder = tmp_path / "layout"
    (folder / "blobs" / "sha256").mkdir(parents=True)
    manifest = json.dumps(
        {"schemaVersion": 2, "layers": [{"digest": _digest(layer)} for layer in layers]}
    ).encode()
    for blob in (*layers, manifest):
        (folder / "blobs" / "sha256" / _digest(blob)[7:]).write_bytes(blob)
    (folder / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    (folder / "index.json").write_text(
        json.dumps({"schemaVersion": 2, "manifests": [{"digest": _digest(manifest)}]})
    )
    import cgoguard

    report = cgoguard.scan([tmp_path])
    (image,) = report.artifacts
    assert image.path == str(folder) and image.container == "oci image" and image.error is None
    assert sorted(m.path.split("!", 1)[1] for m in image.members) == ["usr/bin/prog", "usr/lib/libgo.so"]
    # A blob that leads out of the folder is refused, not read.
    (folder / "index.json").write_text(
        json.dumps({"schemaVersion": 2, "manifests": [{"digest": "sha256:..%2f"}]})
    )
    (image,) = cgoguard.scan([folder]).artifacts
    assert image.error is not None


def test_a_broken_image_is_one_error(tmp_path: Path) -> None:
    image = make_tar(tmp_path / "image.tar", {"manifest.json": b'[{"Layers": ["missing/layer.tar"]}]'}, "w")
    scanned = scan_file(str(image))
    assert scanned is not None and "does not hold" in (scanned.error or "")


def test_an_alpine_package_is_read_as_its_gzip_segments(
    tmp_path: Path, fixture_path: Callable[[str], Path]
) -> None:
    """An .apk (v2) is gzip streams of tar segments, signature and control first,
    each cut before the end-of-archive blocks: one tar stream once decompressed."""

    def segment(name: str, data: bytes, last: bool) -> bytes:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        raw = buffer.getvalue()
        if not last:  # header + data, padded to 512: the end-of-archive blocks cut off
            raw = raw[: 512 + len(data) + (-len(data)) % 512]
        return gzip.compress(raw)

    library = fixture_path("go_cshared_default").read_bytes()
    package = tmp_path / "bridge-1.0-r0.apk"
    package.write_bytes(
        segment(".SIGN.RSA.builder.rsa.pub", b"signature", False)
        + segment(".PKGINFO", b"pkgname = bridge\n", False)
        + segment("usr/lib/libbridge.so", library, True)
    )
    scanned = scan_file(str(package))
    assert scanned is not None and scanned.container == "tar.gz" and scanned.error is None
    assert [m.path.split("!")[1] for m in scanned.members] == ["usr/lib/libbridge.so"]


def test_an_apk_v3_package_is_named_not_read(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    """apk-tools 3's adb format is not read: a package given to scan is one
    clear error (exit 3, not a pass); adb files inside a container (an
    image's apk database) are passed over like any other data."""
    package = tmp_path / "bridge-1.0-r0.apk"
    package.write_bytes(b"ADBd" + zlib.compress(b"pckg" + bytes(64))[2:])
    scanned = scan_file(str(package))
    assert scanned is not None and scanned.container == "apk v3"
    assert scanned.error is not None and "apk v3 package" in scanned.error and "apk extract" in scanned.error
    image = make_tar(
        tmp_path / "rootfs.tar",
        {
            "lib/apk/db/installed.adb": package.read_bytes(),
            "usr/lib/libbridge.so": fixture_path("go_cshared_default").read_bytes(),
        },
    )
    inside = scan_file(str(image))
    assert inside is not None and inside.error is None
    assert [m.path.split("!")[1] for m in inside.members] == ["usr/lib/libbridge.so"]


def test_an_rpm_package_built_with_rpmbuild(tmp_path: Path, fixture_path: Callable[[str], Path]) -> None:
    import shutil
    import subprocess

    if shutil.which("rpmbuild") is None:
        pytest.skip("rpmbuild is not installed (Debian's rpm package)")
    top = tmp_path / "rpm"
    for folder in ("SPECS", "SOURCES", "BUILD", "RPMS", "SRPMS", "BUILDROOT"):
        (top / folder).mkdir(parents=True)
    shutil.copy(fixture_path("go_cshared_default"), top / "SOURCES" / "libbridge.so")
    spec = top / "SPECS" / "bridge.spec"
    spec.write_text(
        "Name: bridge\nVersion: 1.0\nRelease: 1\nSummary: t\nLicense: MIT\nSource0: libbridge.so\n"
        "%global debug_package %{nil}\n%global __strip /bin/true\n%description\nt\n"
        "%install\nmkdir -p %{buildroot}/usr/lib64\ncp %{SOURCE0} %{buildroot}/usr/lib64/libbridge.so\n"
        "ln -s libbridge.so %{buildroot}/usr/lib64/libbridge.so.1\n"
        "%files\n/usr/lib64/libbridge.so\n/usr/lib64/libbridge.so.1\n"
    )
    direct = scan_file(str(fixture_path("go_cshared_default")))
    assert direct is not None
    for payload in ("w9.gzdio", "w6.xzdio", "w19.zstdio"):
        subprocess.run(
            [
                "rpmbuild",
                "--define",
                f"_topdir {top}",
                "--define",
                f"_binary_payload {payload}",
                "-bb",
                str(spec),
            ],
            check=True,
            capture_output=True,
        )
        (package,) = (top / "RPMS").rglob("*.rpm")
        scanned = scan_file(str(package))
        assert scanned is not None and scanned.container == "rpm" and scanned.error is None, payload
        (library,) = scanned.members  # the symbolic link is passed over
        assert library.path == f"{package}!usr/lib64/libbridge.so"
        assert library.sha256 == direct.sha256, payload
        package.unlink()
    # Truncated inside the payload: one error, no traceback.
    subprocess.run(
        ["rpmbuild", "--define", f"_topdir {top}", "-bb", str(spec)], check=True, capture_output=True
    )
    (package,) = (top / "RPMS").rglob("*.rpm")
    cut = tmp_path / "cut.rpm"
    cut.write_bytes(package.read_bytes()[:-4096])
    scanned = scan_file(str(cut))
    assert scanned is not None and scanned.error is not None
