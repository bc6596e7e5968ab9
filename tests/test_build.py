"""cgoguard build without the Go toolchain: profiles, targets, quoting,
build constraints, header parsing, the reproducibility diff and the provenance shape."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from cgoguard.gobuild.errors import BuildError
from cgoguard.gobuild.gosource import header_exports
from cgoguard.gobuild.profiles import BUILTIN, load_profiles
from cgoguard.gobuild.provenance import provenance_statement
from cgoguard.gobuild.quoting import go_join, go_quote, go_split
from cgoguard.gobuild.reproduce import first_difference
from cgoguard.gobuild.targets import Target, default_name, targets_from_config
from cgoguard.readers.gofront import Platform, read_package

LINUX = Platform("linux", "amd64", ("netgo",))


# -- profiles ---------------------------------------------------------------------------------


def test_builtin_profiles_differ_as_documented() -> None:
    default, hardened, fips = BUILTIN["default"], BUILTIN["hardened"], BUILTIN["fips"]
    assert not any(
        [default.pie, default.bind_now, default.trimpath, default.harden_c, default.export_only_api]
    )
    assert all([hardened.pie, hardened.bind_now, hardened.noexecstack, hardened.trimpath, hardened.harden_c])
    assert hardened.export_only_api and hardened.gofips140 is None
    assert fips.gofips140 == "v1.0.0" and fips.bind_now and fips.export_only_api


def test_user_profile_extends_and_merges() -> None:
    table = {
        "release": {
            "extends": "hardened",
            "strip": True,
            "ldflags": ["-X main.v=1"],
            "env": {"GOAMD64": "v3"},
        },
        "release-fips": {"extends": "release", "gofips140": "v1.0.0", "ldflags": ["-X main.f=1"]},
    }
    profiles = load_profiles(table, "pyproject.toml")
    release, release_fips = profiles["release"], profiles["release-fips"]
    assert release.strip and release.pie and release.env == {"GOAMD64": "v3"}
    assert release_fips.ldflags == ("-X main.v=1", "-X main.f=1")
    assert release_fips.gofips140 == "v1.0.0" and release_fips.strip


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"hardened": {"strip": True}}, "redefines the built-in profile 'hardened'"),
        ({"a": {"extends": "b"}, "b": {"extends": "a"}}, "loop (a -> b -> a)"),
        ({"a": {"extends": "missing"}}, "extends 'missing', which is not defined"),
        ({"a": {"strip": "yes"}}, "strip must be true or false"),
        ({"a": {"colour": "red"}}, "unknown key 'colour'"),
        ({"a": {"ldflags": "-s"}}, "ldflags must be a list of strings"),
        ({"a": {"source-date-epoch": "yesterday"}}, "source-date-epoch must be"),
        ({"a": {"buildvcs": "maybe"}}, "buildvcs must be"),
        ({"a": "hardened"}, "must be a table"),
    ],
)
def test_bad_profiles_are_one_sentence_errors(table: dict[str, object], message: str) -> None:
    with pytest.raises(BuildError) as caught:
        load_profiles(table, "pyproject.toml")
    assert message in caught.value.message


# -- targets ----------------------------------------------------------------------------------


def test_targets_from_config_defaults(tmp_path: Path) -> None:
    table = {
        "out": "artifacts",
        "targets": [
            {"package": "./cmd/bridge", "mode": "c-shared"},
            {"package": "./cmd/tool", "profile": "default", "goarch": "arm64", "tags": ["netgo"]},
            {"name": "arch", "package": "./cmd/bridge", "mode": "c-archive"},
            {"name": "plug", "package": "./plug", "mode": "plugin"},
        ],
    }
    targets, out, go = targets_from_config(table, "pyproject.toml", tmp_path)
    assert out == "artifacts" and go is None
    assert [t.output_name() for t in targets] == ["libbridge.so", "tool", "libarch.a", "plug.so"]
    assert targets[0].profile == "hardened" and targets[1].goarch == "arm64"


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ({"targets": [{"mode": "exe"}]}, "package is missing"),
        ({"targets": [{"package": ".", "mode": "shared"}]}, "unknown build mode 'shared'"),
        ({"targets": [{"package": ".", "flavour": 1}]}, "unknown key(s) flavour"),
        ({"targets": [{"package": "./a"}, {"package": "./b/a"}]}, "two build targets are called 'a'"),
        ({"targets": [{"package": ".", "env": {"GOOS": "linux"}}]}, "use the target's goos key"),
        ({"targets": [{"package": ".", "mode": "c-shared", "env": {"CGO_ENABLED": "0"}}]}, "needs cgo"),
        ({"targets": [{"package": ".", "output": "sub/x"}]}, "without folders"),
        ({"targets": {"package": "."}}, "must be a list of tables"),
        ({"outdir": "x"}, "unknown key(s) outdir"),
    ],
)
def test_bad_targets_are_one_sentence_errors(tmp_path: Path, table: dict[str, object], message: str) -> None:
    with pytest.raises(BuildError) as caught:
        targets_from_config(table, "pyproject.toml", tmp_path)
    assert message in caught.value.message


def test_default_name_of_dot_is_the_folder_name(tmp_path: Path) -> None:
    (tmp_path / "bridge").mkdir()
    assert default_name(".", tmp_path / "bridge") == "bridge"
    assert default_name("example.com/x/cmd/tool", tmp_path) == "tool"
    assert Target("x", ".", mode="exe").output_name() == "x"


# -- Go's quoting (cmd/internal/quoted) --------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        ["-s", "-w"],
        ["-X", "main.version=1.0 beta"],
        ["-extldflags=-Wl,-z,now -Wl,--version-script=/tmp/a b/x.map"],
        ["it's", 'say "hi"'],
    ],
)
def test_go_join_round_trips_through_go_split(fields: list[str]) -> None:
    assert go_split(go_join(fields)) == fields


def test_go_quote_refuses_both_quote_kinds() -> None:
    with pytest.raises(BuildError):
        go_quote("""a 'b' "c\"""")


def test_go_split_reports_an_unterminated_quote() -> None:
    with pytest.raises(BuildError, match="unterminated"):
        go_split("-X 'main.v=1")


# -- build constraints ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("linux", True),
        ("linux && amd64", True),
        ("linux && !cgo", False),
        ("windows || (unix && netgo)", True),
        ("!windows && !darwin", True),
        ("go1.21 && !go1.99", True),
        ("ignore", False),
    ],
)
def test_constraint_expressions(tmp_path: Path, expression: str, expected: bool) -> None:
    (tmp_path / "main.go").write_text("package main\n\nfunc main() {}\n")
    (tmp_path / "gated.go").write_text(f"//go:build {expression}\n\npackage main\n")
    package = read_package(str(tmp_path), platform=LINUX)
    assert (str(tmp_path / "gated.go") in [f.path for f in package.files]) is expected


@pytest.mark.parametrize(
    ("name", "text", "expected"),
    [
        ("main.go", "package main\n", True),
        ("main_test.go", "package main\n", False),
        ("sys_windows.go", "package main\n", False),
        ("sys_linux_amd64.go", "package main\n", True),
        ("sys_linux_arm64.go", "package main\n", False),
        ("sys_arm64.go", "package main\n", False),
        ("gated.go", "// Copyright\n\n//go:build windows\n\npackage main\n", False),
        ("late.go", "package main\n//go:build windows\n", True),  # after the package clause: no effect
        ("_hidden.go", "package main\n", False),
    ],
)
def test_file_selection_follows_go_build(tmp_path: Path, name: str, text: str, expected: bool) -> None:
    (tmp_path / "keep.go").write_text("package main\n")
    (tmp_path / name).write_text(text)
    package = read_package(str(tmp_path), platform=LINUX)
    assert (str(tmp_path / name) in [f.path for f in package.files]) is expected


# -- headers ----------------------------------------------------------------------------------


def test_header_exports_reads_only_the_api_after_the_prologue() -> None:
    header = (
        "/* preamble */\nextern int helper_in_preamble(int);\n"
        '/* End of boilerplate cgo prologue.  */\n#ifdef __cplusplus\nextern "C" {\n#endif\n'
        "extern int Add(int a, int b);\nextern char* Sha256Hex(char* data, int length);\n"
        "extern struct Pair_return Pair(GoInt x);\nextern __declspec(dllexport) void Win(void);\n"
    )
    assert header_exports(header) == ["Add", "Sha256Hex", "Pair", "Win"]
    assert header_exports("int main(void);") is None


# -- reproducibility diff ---------------------------------------------------------------------


def _elf_with_sections(text: bytes) -> bytes:
    """A tiny but valid ELF64 relocatable with .text and .shstrtab."""
    import struct

    names = b"\0.text\0.shstrtab\0"
    header_size, section_size = 64, 64
    text_offset = header_size
    names_offset = text_offset + len(text)
    sh_offset = names_offset + len(names)
    sh_offset += (-sh_offset) % 8
    ident = b"\x7fELF\x02\x01\x01" + b"\0" * 9
    header = ident + struct.pack("<HHIQQQIHHHHHH", 1, 62, 1, 0, 0, sh_offset, 0, 64, 0, 0, 64, 3, 2)
    body = header + text + names
    body += b"\0" * (sh_offset - len(body))
    null = b"\0" * section_size
    text_header = struct.pack("<IIQQQQIIQQ", 1, 1, 6, 0, text_offset, len(text), 0, 0, 16, 0)
    names_header = struct.pack("<IIQQQQIIQQ", 7, 3, 0, 0, names_offset, len(names), 0, 0, 1, 0)
    return body + null + text_header + names_header


def test_first_difference_names_the_section_and_offset() -> None:
    one = _elf_with_sections(b"\x90" * 32)
    two = _elf_with_sections(b"\x90" * 20 + b"\xcc" + b"\x90" * 11)
    assert first_difference(one, one) is None
    assert first_difference(one, two) == "section .text at offset 0x14 within it"
    assert first_difference(b"plain text one", b"plain text two") == "byte 0xb"


def test_first_difference_in_an_archive_names_the_member() -> None:
    def archive(member: bytes) -> bytes:
        header = f"{'go.o/':<16}{0:<12}{0:<6}{0:<6}{644:<8}{len(member):<10}`\n".encode()
        return b"!<arch>\n" + header + member + (b"\n" if len(member) % 2 else b"")

    one = archive(_elf_with_sections(b"\x90" * 16))
    two = archive(_elf_with_sections(b"\x90" * 15 + b"\xc3"))
    assert first_difference(one, two) == "archive member go.o: section .text at offset 0xf within it"


# -- provenance -------------------------------------------------------------------------------


def test_provenance_is_an_in_toto_statement_with_a_slsa_predicate() -> None:
    manifest = {
        "target": {"package": "./cmd/x", "mode": "c-shared", "profile": "hardened"},
        "inputs": {
            "files": {"go.mod": "ab" * 32},
            "go": {"version": "go1.27.3", "path": "/usr/bin/go", "goos": "linux", "goarch": "amd64"},
            "argv": ["go", "build", "-buildmode=c-shared"],
            "environment": {"CGO_CFLAGS": "-O2"},
            "decisions": [],
        },
        "outputs": [{"path": "libx.so", "sha256": "cd" * 32}],
        "started": "2026-01-01T00:00:00Z",
        "finished": "2026-01-01T00:00:01Z",
    }
    digest = hashlib.sha256(b"{}").hexdigest()
    statement = json.loads(json.dumps(provenance_statement(manifest, "x.manifest.json", digest)))
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == "https://slsa.dev/provenance/v1"
    assert statement["subject"] == [{"name": "libx.so", "digest": {"sha256": "cd" * 32}}]
    definition = statement["predicate"]["buildDefinition"]
    assert definition["internalParameters"]["environment"] == {"CGO_CFLAGS": "-O2"}
    assert statement["predicate"]["runDetails"]["byproducts"][0]["digest"] == {"sha256": digest}


# -- verification speaks the catalogue ----------------------------------------------------------

MODES = ("exe", "pie", "c-shared", "c-archive", "plugin")
HARDENED_IDS = {
    "pie": (
        "CG208",
        "CG209",
        "CG101",
        "CG102",
        "CG103",
        "CG104",
        "CG105",
        "CG106",
        "CG112",
        "CG108",
        "CG109",
    ),
    "c-shared": (
        *("CG208", "CG209", "CG102", "CG103", "CG104", "CG105", "CG106", "CG112", "CG108", "CG109"),
        *("CG201", "CG210"),
    ),
    "c-archive": ("CG208", "CG209", "CG104", "CG112", "CG212", "CG109"),
    "plugin": ("CG208", "CG209", "CG102", "CG103", "CG104", "CG105", "CG106", "CG112", "CG108", "CG109"),
}


def test_profiles_name_the_catalogue_checks_they_verify() -> None:
    default, hardened, fips = BUILTIN["default"], BUILTIN["hardened"], BUILTIN["fips"]
    for mode in MODES:
        assert default.verified_checks(mode) == ("CG208", "CG209")
    for mode, ids in HARDENED_IDS.items():
        assert hardened.verified_checks(mode) == ids
        assert fips.verified_checks(mode) == (*ids, "CG302")
    release = load_profiles({"r": {"extends": "hardened", "strip": True, "buildid": False}}, "t")["r"]
    assert release.verified_checks("c-shared")[-2:] == ("CG111", "CG211")
    assert "CG111" not in release.verified_checks("c-archive")  # objects keep their symbol tables


def test_every_check_a_build_verifies_is_in_the_catalogue_and_explained(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from cgoguard.checks import CheckTarget, find_check
    from cgoguard.cli import main
    from cgoguard.gobuild.plan import CONSUMER_CHECKS

    custom = load_profiles({"all": {"extends": "fips", "strip": True, "buildid": False}}, "t")["all"]
    used = {i for p in (*BUILTIN.values(), custom) for m in MODES for i in p.verified_checks(m)}
    used |= set(CONSUMER_CHECKS)
    assert used >= {"CG208", "CG209", "CG210", "CG211", "CG212", "CG302", "CG101", "CG111"}
    for check_id in sorted(used):
        check = find_check(check_id)
        assert check is not None, check_id
        assert check.target in (CheckTarget.BINARY, CheckTarget.BUILD)
        assert main(["explain", check_id]) == 0
        assert capsys.readouterr().out.startswith(f"{check_id} {check.name}")


def test_build_checks_take_a_picklable_built_artifact() -> None:
    import pickle

    from cgoguard.checks import CheckTarget, checks_for
    from cgoguard.checks.buildplan import BuildExpectations, BuiltArtifact
    from cgoguard.model import Artifact, Severity

    checks = checks_for(CheckTarget.BUILD, BuiltArtifact)
    assert [c.id for c in checks] == ["CG208", "CG209", "CG210", "CG211", "CG212", "CG302"]
    unreadable = BuiltArtifact(
        BuildExpectations("c-shared", "go1.27.3", export_api=("Add",), fips_module="v1.0.0"),
        Artifact(path="libx.so", error="truncated ELF header."),
    )
    assert pickle.loads(pickle.dumps(unreadable)) == unreadable
    fired = {f.check_id: f for c in checks for f in c.run(unreadable)}
    # Unreadable: the mode, the toolchain and the FIPS module cannot be confirmed; the exports
    # check has no image to compare and says nothing (not applicable is not a failure of its own).
    assert sorted(fired) == ["CG208", "CG209", "CG302"]
    assert "cannot be read: truncated ELF header." in fired["CG208"].message
    assert fired["CG208"].severity == Severity.HIGH


def test_checks_never_import_the_builder() -> None:
    import subprocess
    import sys

    code = (
        "import sys, cgoguard.checks as c; c.all_checks(); "
        "print(sorted(m for m in sys.modules if m.startswith('cgoguard.gobuild')))"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert completed.stdout.strip() == "[]"


def test_no_second_vocabulary_in_docs_and_help() -> None:
    import re

    from cgoguard.cli import build_parser

    root = Path(__file__).resolve().parents[1]
    build_help = next(
        action.choices["build"].format_help()
        for action in build_parser()._actions
        if hasattr(action, "choices") and isinstance(action.choices, dict) and "build" in action.choices
    )
    for name, text in [
        ("docs/build.md", (root / "docs" / "build.md").read_text()),
        ("README.md", (root / "README.md").read_text()),
        ("cgoguard build --help", build_help),
    ]:
        assert not re.search(r"promise", text, re.IGNORECASE), name
    assert "--out-dir" in build_help and "--artifact-name" in build_help and "--format" in build_help


# -- resolving targets ------------------------------------------------------------------------


def _config(table: dict[str, object], root: Path) -> object:
    from cgoguard.config import config_from_table

    return config_from_table(table, str(root / "pyproject.toml"), str(root))


def test_resolve_targets_from_the_configuration(tmp_path: Path) -> None:
    from cgoguard.gobuild.targets import resolve_targets

    config = _config(
        {
            "build": {
                "out": "artifacts",
                "targets": [
                    {"name": "bridge", "package": "./cmd/bridge", "mode": "c-shared"},
                    {"name": "tool", "package": "./cmd/tool"},
                ],
            },
            "profiles": {"release": {"extends": "hardened", "strip": True}},
        },
        tmp_path,
    )
    everything = resolve_targets(config, cwd=tmp_path / "elsewhere")  # type: ignore[arg-type]
    assert [t.name for t in everything.targets] == ["bridge", "tool"]
    assert everything.workdir == tmp_path.resolve() and everything.out_dir == tmp_path.resolve() / "artifacts"
    assert "release" in everything.profiles and everything.go is None
    one = resolve_targets(config, names=["tool"], profile="release", out_dir="o", cwd=tmp_path)  # type: ignore[arg-type]
    assert [(t.name, t.profile) for t in one.targets] == [("tool", "release")]
    assert one.out_dir == tmp_path.resolve() / "o"
    with pytest.raises(BuildError, match="no configured target called 'nope'"):
        resolve_targets(config, names=["nope"])  # type: ignore[arg-type]


def test_resolve_targets_for_one_package(tmp_path: Path) -> None:
    from cgoguard.config import Config
    from cgoguard.gobuild.targets import resolve_targets, single_target

    target = single_target("./cmd/bridge", mode="c-shared", artifact_name="libb.so", cwd=tmp_path)
    build = resolve_targets(Config(), package=target, profile="default", cwd=tmp_path)
    assert [(t.name, t.output_name(), t.profile) for t in build.targets] == [("bridge", "libb.so", "default")]
    assert build.out_dir == tmp_path.resolve() / "dist"
    with pytest.raises(BuildError, match="cannot be combined with a PACKAGE"):
        resolve_targets(Config(), package=target, names=["x"])
    with pytest.raises(BuildError, match="nothing to build"):
        resolve_targets(Config())
    with pytest.raises(BuildError, match="without folders"):
        single_target(".", artifact_name="sub/lib.so")


def test_build_command_line_convention() -> None:
    from cgoguard.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["build", ".", "--out", "d", "-o", "r.json", "--artifact-name", "libx.so"])
    assert (args.out_dir, args.output, args.artifact_name) == ("d", "r.json", "libx.so")
    args = parser.parse_args(["build", "--out-dir", "d2", "--format", "json", "--fail-on", "medium"])
    assert (args.out_dir, args.format, str(args.fail_on)) == ("d2", "json", "medium")
    with pytest.raises(SystemExit):
        parser.parse_args(["build", "--format", "cyclonedx"])


# -- hostile configuration: one sentence and exit 2, never a traceback (issue 8) ----------------


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"package": ".", "env": {"GOAMD64": "v1\0x"}}, "env contains a NUL byte"),
        ({"package": ".", "ldflags": ["-X main.v=\0"]}, "ldflags contains a NUL byte"),
        ({"package": ".", "tags": ["net\0go"]}, "tags contains a NUL byte"),
        ({"package": "./cmd\0/x"}, "package contains a NUL byte"),
        ({"package": ".", "env": {"A=B": "x"}}, "variable name 'A=B'"),
        ({"package": ".", "env": {"A\0": "x"}}, "variable name 'A\\x00'"),
        ({"package": ".", "env": {"": "x"}}, "variable name ''"),
        ({"package": "-toolexec=/bin/sh"}, "cannot be empty or start with '-'"),
    ],
)
def test_hostile_target_values_are_refused_at_load(
    tmp_path: Path, target: dict[str, object], message: str
) -> None:
    with pytest.raises(BuildError) as caught:
        targets_from_config({"targets": [target]}, "pyproject.toml", tmp_path)
    assert message in caught.value.message
    with pytest.raises(BuildError, match="NUL byte"):
        targets_from_config({"out": "di\0st"}, "pyproject.toml", tmp_path)
    with pytest.raises(BuildError, match="NUL byte"):
        load_profiles({"p": {"extends": "hardened", "env": {"X": "\0"}}}, "pyproject.toml")


def test_hostile_config_exits_2_with_one_line(tmp_path: Path) -> None:
    import clirun

    (tmp_path / "pyproject.toml").write_text(
        '[[tool.cgoguard.build.targets]]\npackage = "."\nenv = { "A=B" = "x", GOAMD64 = "v1\\u0000" }\n'
    )
    completed = clirun.run("build", cwd=tmp_path)
    assert completed.returncode == 2, completed.stderr
    assert completed.stderr.count("\n") == 1 and "variable name 'A=B'" in completed.stderr
    assert "Traceback" not in completed.stderr and not (tmp_path / "dist").exists()


def test_a_deep_extends_chain_resolves_and_a_long_loop_is_one_short_line() -> None:
    depth = 1500  # deeper than Python's recursion limit
    table: dict[str, object] = {
        f"p{i}": {"extends": f"p{i + 1}" if i + 1 < depth else "hardened", "ldflags": [f"-X main.v{i}=1"]}
        for i in range(depth)
    }
    profiles = load_profiles(table, "pyproject.toml")
    assert profiles["p0"].pie and len(profiles["p0"].ldflags) == depth
    assert profiles["p0"].ldflags[0] == f"-X main.v{depth - 1}=1"  # the base's flags come first
    table[f"p{depth - 1}"] = {"extends": "p0"}
    with pytest.raises(BuildError) as caught:
        load_profiles(table, "pyproject.toml")
    message = caught.value.message
    assert "loop (p0 -> p1 -> p2 -> ... -> p1499 -> p0, 1500 profiles)" in message and len(message) < 200


# -- what a repository's configuration may ask without --trust-config --------------------------


def _resolve(build: dict[str, object], root: Path, trust: bool = False, **extra: object) -> object:
    from cgoguard.gobuild.targets import resolve_targets

    table = {"build": build, **extra}
    return resolve_targets(_config(table, root), cwd=root, trust_config=trust)  # type: ignore[arg-type]


_SAFE_TARGET = {
    "package": "./cmd/bridge",
    "mode": "c-shared",
    "tags": ["netgo"],
    "ldflags": ["-X 'main.version=1.2.3 beta'", "-s", "-w", "-buildid=", "-X", "main.extld=-extld=x"],
    "cgo-cflags": ["-I/opt/include", "-DNDEBUG", "-O2", "-fstack-protector-strong", "-march=x86-64-v2"],
    "cgo-ldflags": ["-L/opt/lib", "-lssl", "-Wl,-z,relro,-z,now", "-Wl,--as-needed,--hash-style=gnu"],
    "env": {"GOAMD64": "v3", "GOTOOLCHAIN": "local", "GOFLAGS": "-mod=vendor -trimpath", "CGO_ENABLED": "1"},
}


def test_ordinary_configuration_needs_no_trust(tmp_path: Path) -> None:
    profiles = {
        "release": {"extends": "hardened", "extldflags": ["-Wl,-z,lazy"], "gcflags": ["all=-N -l"]},
    }
    build = _resolve(
        {"out": "dist/sub", "targets": [dict(_SAFE_TARGET, profile="release")]}, tmp_path, profiles=profiles
    )
    assert build.out_dir == tmp_path.resolve() / "dist" / "sub"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("build", "named"),
    [
        ({"go": "./tools/go"}, "[tool.cgoguard.build]: go is a program cgoguard runs"),
        ({"out": "/etc"}, "out '/etc' is outside the project folder"),
        ({"out": "../../x"}, "out '../../x' is outside the project folder"),
        ({"targets": [{"package": ".", "cc": "gcc"}]}, "build target 'x': cc is a program cgo runs"),
        ({"targets": [{"package": ".", "env": {"CXX": "g++"}}]}, "env CXX names the C++ compiler"),
        ({"targets": [{"package": ".", "env": {"GOROOT": "/opt/go"}}]}, "env GOROOT makes go run"),
        ({"targets": [{"package": ".", "env": {"GOTOOLCHAIN": "go1.99"}}]}, "env GOTOOLCHAIN=go1.99"),
        ({"targets": [{"package": ".", "env": {"GOFLAGS": "-mod=vendor -toolexec=/x"}}]}, "has -toolexec"),
        ({"targets": [{"package": ".", "env": {"LD_PRELOAD": "/x.so"}}]}, "env LD_PRELOAD loads"),
        ({"targets": [{"package": ".", "env": {"GOCACHE": "/x"}}]}, "env GOCACHE is not one of"),
        ({"targets": [{"package": ".", "ldflags": ["-extld=./evil"]}]}, "ldflags -extld=./evil is not"),
        ({"targets": [{"package": ".", "ldflags": ["-tmpdir /etc"]}]}, "ldflags -tmpdir is not"),
        ({"targets": [{"package": ".", "cgo-cflags": ["-fplugin=./x.so"]}]}, "cgo-cflags -fplugin=./x.so"),
        ({"targets": [{"package": ".", "cgo-cflags": ["-B", "./bin"]}]}, "cgo-cflags -B is not"),
        ({"targets": [{"package": ".", "cgo-cflags": ["-wrapper sh,-c,x"]}]}, "cgo-cflags -wrapper is not"),
        ({"targets": [{"package": ".", "cgo-cflags": ["@flags.txt"]}]}, "cgo-cflags @flags.txt is not"),
        ({"targets": [{"package": ".", "cgo-cflags": ["-I", "@x"]}]}, "cgo-cflags -I @x is not"),
        ({"targets": [{"package": ".", "cgo-ldflags": ["-Wl,-plugin,./x.so"]}]}, "-Wl,-plugin,./x.so"),
        ({"targets": [{"package": ".", "cgo-ldflags": ["-Wl,-z,now,-o,/etc/x"]}]}, "-Wl,-z,now,-o,/etc/x"),
        ({"targets": [{"package": ".", "cgo-ldflags": ["-Wl,-Map=/tmp/m"]}]}, "-Wl,-Map=/tmp/m"),
        ({"targets": [{"package": ".", "cgo-ldflags": ["-fuse-ld=./ld"]}]}, "-fuse-ld=./ld"),
        ({"targets": [{"package": ".", "cgo-cflags": ["-mllvm -load -mllvm -lx"]}]}, "-mllvm is not"),
        ({"targets": [{"package": ".", "env": {"GOFLAGS": "-mod=mod"}}]}, "GOFLAGS has -mod=mod"),
    ],
)
def test_configuration_that_runs_programs_or_writes_elsewhere_needs_trust(
    tmp_path: Path, build: dict[str, object], named: str
) -> None:
    root = tmp_path / "x"
    root.mkdir()
    build.setdefault("targets", [{"package": "."}])
    with pytest.raises(BuildError) as caught:
        _resolve(build, root)
    message = caught.value.message
    assert named in message and "--trust-config" in message and "\n" not in message
    assert _resolve(build, root, trust=True) is not None


def test_profiles_are_checked_where_they_set_it(tmp_path: Path) -> None:
    from cgoguard.config import Config
    from cgoguard.gobuild.targets import resolve_targets, single_target

    profiles = {
        "base": {"extends": "hardened", "env": {"CC": "evil"}},
        "release": {"extends": "base", "strip": True},
        "unused": {"cgo-cflags": ["-fplugin=x.so"]},
    }
    with pytest.raises(BuildError) as caught:
        _resolve({"targets": [{"package": ".", "profile": "release"}]}, tmp_path, profiles=profiles)
    assert "[tool.cgoguard.profiles.base]: env CC names the C compiler" in caught.value.message
    assert "unused" not in caught.value.message  # what this build does not use is not its concern
    # A package from the command line is the user's own, but a configured profile is not.
    config = _config({"profiles": profiles}, tmp_path)
    package = single_target(".", cwd=tmp_path, cc="/opt/cross/gcc", env={"GOROOT": "/opt/go"})
    with pytest.raises(BuildError, match=r"profiles\.base"):
        resolve_targets(config, package=package, profile="release", cwd=tmp_path)  # type: ignore[arg-type]
    assert resolve_targets(Config(), package=package, cwd=tmp_path).targets == [package]


def test_command_line_overrides_of_go_and_out_are_the_users(tmp_path: Path) -> None:
    from cgoguard.gobuild.targets import resolve_targets

    config = _config({"build": {"go": "./tools/go", "out": "/etc", "targets": [{"package": "."}]}}, tmp_path)
    build = resolve_targets(config, go="/usr/bin/go", out_dir="/tmp/o", cwd=tmp_path)  # type: ignore[arg-type]
    assert build.go == "/usr/bin/go" and str(build.out_dir) == "/tmp/o"


def test_relative_paths_of_the_configuration_are_from_its_folder(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    from cgoguard.gobuild.targets import resolve_targets

    config = _config(
        {
            "build": {
                "go": "./tools/my go",
                "out": "dist",
                "targets": [{"package": ".", "cc": "'./tools/my cc' --flag"}, {"name": "y", "package": "."}],
            }
        },
        tmp_path,
    )
    build = resolve_targets(config, cwd=elsewhere, trust_config=True)  # type: ignore[arg-type]
    root = tmp_path.resolve()
    assert build.go == str(root / "tools" / "my go") and build.out_dir == root / "dist"
    assert build.targets[0].cc == f"'{root}/tools/my cc' --flag"
    # A bare name is looked up on PATH when it runs; an absolute path stays as it is.
    absolute = {"go": "go1.27", "targets": [{"package": ".", "cc": "/usr/bin/gcc"}]}
    config = _config({"build": absolute}, tmp_path)
    build = resolve_targets(config, cwd=elsewhere, trust_config=True)  # type: ignore[arg-type]
    assert build.go == "go1.27" and build.targets[0].cc == "/usr/bin/gcc"


def test_out_through_a_symlink_out_of_the_project_needs_trust(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "dist").symlink_to(tmp_path)  # a link checked into the repository
    with pytest.raises(BuildError, match="out 'dist' is outside the project folder"):
        _resolve({"out": "dist", "targets": [{"package": "."}]}, project)


def test_a_configured_go_runs_only_with_trust_config(tmp_path: Path) -> None:
    import clirun

    project = tmp_path / "project"
    (project / "tools").mkdir(parents=True)
    marker = tmp_path / "ran"
    fake = project / "tools" / "go"
    fake.write_text(f"#!/bin/sh\ntouch {marker}\nexit 1\n")
    fake.chmod(0o755)
    (project / "pyproject.toml").write_text(
        '[tool.cgoguard.build]\ngo = "./tools/go"\n[[tool.cgoguard.build.targets]]\npackage = "."\n'
    )
    (project / "sub").mkdir()
    refused = clirun.run("build", cwd=project / "sub")  # ./tools/go is the config folder's, not cwd's
    assert refused.returncode == 2 and "go is a program cgoguard runs" in refused.stderr
    assert "--trust-config" in refused.stderr and refused.stderr.count("\n") == 1
    assert not marker.exists()
    trusted = clirun.run("build", "--trust-config", cwd=project / "sub")
    assert trusted.returncode == 2 and "env` failed" in trusted.stderr and marker.exists()


@pytest.mark.parametrize(
    ("output", "phrase"),
    [
        ("dist/bridge.manifest.json", "is the manifest the build of target 'bridge' writes"),
        ("dist/libbridge.so", "is the artifact"),
        ("dist/libbridge.h", "is the C header"),
        ("dist/bridge.exports.map", "is the version script"),
        ("dist/bridge.intoto.jsonl", "is the provenance"),
        ("dist/tool", "is the artifact the build of target 'tool' writes"),
        ("alias.json", "is the manifest"),  # a symlink to it
        ("dist", "is the output folder"),
        ("./dist/../dist/tool.manifest.json", "is the manifest"),
    ],
)
def test_the_report_never_replaces_a_file_the_build_writes(tmp_path: Path, output: str, phrase: str) -> None:
    import clirun

    (tmp_path / "pyproject.toml").write_text(
        "[[tool.cgoguard.build.targets]]\nname = 'bridge'\npackage = './cmd/bridge'\nmode = 'c-shared'\n"
        "[[tool.cgoguard.build.targets]]\nname = 'tool'\npackage = './cmd/tool'\n"
    )
    (tmp_path / "alias.json").symlink_to(tmp_path / "dist" / "bridge.manifest.json")
    completed = clirun.run("build", "--provenance", "--output", output, cwd=tmp_path)
    assert completed.returncode == 2, completed.stderr
    assert phrase in completed.stderr and completed.stderr.count("\n") == 1
    assert "Traceback" not in completed.stderr and not (tmp_path / "dist").exists()  # refused before building
