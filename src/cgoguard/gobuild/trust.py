"""What a repository's configuration may ask of a build without ``--trust-config``.

The configuration file is part of the repository being built, so it is input, not
the user's own choice. Go itself builds untrusted source without running anything
but its own toolchain (flags in ``#cgo`` lines of the source are checked against an
allowlist for that reason); a configuration must not undo that. Without
``--trust-config`` (``trust_config=True`` in Python) these settings from the file
are refused with exit 2:

- ``go`` of ``[tool.cgoguard.build]``: a program cgoguard runs;
- ``out`` of ``[tool.cgoguard.build]`` when it resolves outside the config file's
  folder (symlinks followed): the build writes there;
- ``cc`` of a target: a program cgo runs (with arguments, it can be any command);
- ``env`` of a target or profile, except the variables of :data:`SAFE_ENV`
  (``GOTOOLCHAIN`` only as ``local``, ``GOFLAGS`` only with the flags of
  :data:`SAFE_GOFLAGS`): others name programs (``CXX``, ``AR``, ``PKG_CONFIG``,
  ``GOROOT``, ``GOTOOLCHAIN``, ``GOCACHEPROG``, ``LD_PRELOAD``, ``PATH``) or say where
  Go writes (``GOCACHE``, ``GOPATH``, ``GOBIN``);
- flags outside cgoguard's allowlists: Go linker flags (``ldflags``; ``-extld`` and
  ``-extar`` run programs, ``-tmpdir`` and ``-o`` write elsewhere), compiler flags
  (``gcflags``), and C compiler and linker flags (``cgo-cflags``, ``cgo-ldflags``,
  ``extldflags``; ``-fplugin=``, ``-B``, ``-wrapper``, ``@file``, ``-Wl,-plugin``,
  ``-Wl,-Map=`` and the like load programs or write files).

The same settings given on the command line (``--go``, ``--cc``, ``--env``,
``--ldflags``, ``--cgo-cflags``, ``--cgo-ldflags``, ``--out-dir``) are the user's own
and are not checked, nor are :class:`~cgoguard.gobuild.Target` objects made in Python.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from cgoguard.gobuild.errors import BuildError
from cgoguard.gobuild.quoting import fields

TRUST_FLAG = "--trust-config"

# Variables that only choose what Go generates: no program, no place to write.
SAFE_ENV = frozenset(
    {
        "CGO_ENABLED",
        "GO111MODULE",
        "GO386",
        "GOAMD64",
        "GOARM",
        "GOARM64",
        "GODEBUG",
        "GOEXPERIMENT",
        "GOFIPS140",
        "GOFLAGS",
        "GOLOONG64",
        "GOMIPS",
        "GOMIPS64",
        "GOPPC64",
        "GORISCV64",
        "GOTOOLCHAIN",
        "GOWASM",
        "SOURCE_DATE_EPOCH",
    }
)
# GOFLAGS entries a configuration may set: none names a program or a file, none lets go
# rewrite go.mod (-mod=mod would, also of a module outside the project).
SAFE_GOFLAGS = re.compile(
    r"-(mod=(readonly|vendor)|modcacherw|buildvcs(=(true|false|auto))?|trimpath|tags=[\w.,]*|a|v|"
    r"race|msan|asan|p=\d+)"
)
_WHY_ENV = {
    "CC": "names the C compiler cgo runs",
    "CXX": "names the C++ compiler cgo runs",
    "FC": "names the Fortran compiler cgo runs",
    "AR": "names the archiver Go runs",
    "PKG_CONFIG": "names the program Go runs for #cgo pkg-config lines",
    "GOROOT": "makes go run the compiler and linker of another toolchain",
    "GOTOOLCHAIN": "makes go run (or download) another Go toolchain",
    "GOFLAGS": "passes go flags that can run programs or write files (-toolexec, -exec, -o, -mod=mod ...)",
    "GOCACHEPROG": "names a program go runs as its build cache",
    "GOENV": "makes go read its settings (CC, GOFLAGS ...) from another file",
    "LD_PRELOAD": "loads a library into every program of the build",
    "PATH": "decides which programs the build runs",
}

# Go linker flags (go tool link) that only shape the artifact; the value of those in
# _LINK_VALUE may follow as the next field.
_LINK_FLAG = re.compile(
    r"--?(s|w|v|race|msan|asan|bindnow|compressdwarf|checklinkname|aslr)(=(true|false|[01]))?"
    r"|--?(X|B|r|I|E|buildid|linkmode|strictdups|randlayout)(=.*)?"
)
_LINK_VALUE = frozenset({"X", "B", "r", "I", "E", "buildid", "linkmode", "strictdups", "randlayout"})
# Go compiler flags (go tool compile), after an optional package pattern (all=).
_COMPILE_FLAG = re.compile(
    r"-(N|l|m|B|C|e|S|w|race|msan|asan|std|complete|smallframes|live|wb|dwarf|dwarflocationlists|"
    r"spectre|c|l=\d|m=\d|c=\d+|spectre=[a-z,]*|dwarf=(true|false)|dwarflocationlists=(true|false)|"
    r"wb=(true|false))"
)
# C compiler and linker flags that only shape the objects: no @file, no value that a
# tool could split into a flag of its own (a leading '-'), no commas after -Wl.
_SAFE_PATH = r"[^@\-\s][^@]*"
_C_FLAG = re.compile(
    "|".join(
        [
            r"-D[A-Za-z_]\w*(=[^@\-][^@]*|=)?",
            r"-U[A-Za-z_]\w*",
            rf"-(I|L|isystem|idirafter|iquote){_SAFE_PATH}",
            r"-l[\w.+-]+",
            r"-O[0-3sgz]?|-Ofast",
            r"-g[\w-]*",
            r"-W(?!l,|a,|p,)[^,@]*",
            r"-w|-v|-ansi|-pedantic(-errors)?|-pipe|-pthread|-rdynamic|-static(-[\w+-]+)?|-pie|-no-pie|-s",
            r"-std=[\w+]+",
            r"-f(no-)?(?!plugin|dump|profile|save|auto-profile|callgraph|stack-usage|lto=)[a-z0-9][a-z0-9-]*",
            r"-f(visibility|tls-model|cf-protection|trivial-auto-var-init|zero-call-used-regs)=[a-z-]+",
            r"-fsanitize(-recover)?=[a-z,-]+",
            r"-f(debug|file|macro)-prefix-map=[^@=]+=[^@]*",
            r"-fmessage-length=\d+",
            r"-m(no-)?(?!llvm)[a-z0-9][\w.-]*(=[\w.,+-]+)?",  # not -mllvm: -load=plugin.so
            r"--param=[a-z][\w-]*=\d+",
            rf"--sysroot={_SAFE_PATH}",
        ]
    )
)
# One item of -Wl,a,b,c (the linker sees each as an argument).
_LD_ITEM = re.compile(
    "|".join(
        [
            r"--?(no-)?(as-needed|gc-sections|export-dynamic|allow-shlib-undefined|copy-dt-needed-entries|"
            r"whole-archive|fatal-warnings|warn-common|warn-once|eh-frame-hdr|relax|sort-common|"
            r"start-group|end-group|push-state|pop-state|enable-new-dtags|disable-new-dtags|strip-all|"
            r"strip-debug|discard-all|discard-locals|Bsymbolic|Bsymbolic-functions|Bstatic|Bdynamic|"
            r"undefined-version|demangle|E|s|S|x|X|O\d)",
            r"--?(build-id|hash-style|compress-debug-sections|icf|sort-section|exclude-libs|"
            r"unresolved-symbols|soname|rpath|rpath-link|wrap|defsym|undefined|image-base|"
            rf"dynamic-linker|version-script|dynamic-list)={_SAFE_PATH}",
        ]
    )
)
_C_PAIR = frozenset({"-I", "-L", "-isystem", "-D", "-U"})
_LD_PAIR = frozenset({"-z", "-rpath", "-soname", "-rpath-link", "-undefined", "--wrap", "-wrap"})
_Z_KEYWORD = re.compile(r"[a-z][\w-]*(=[\w.-]+)?")


@dataclass(frozen=True, slots=True)
class Untrusted:
    """One setting of the configuration that needs ``--trust-config``."""

    where: str
    key: str  # as written in the file: cc, env GOROOT, ldflags -extld=cc ...
    why: str

    def sentence(self) -> str:
        return f"{self.where}: {self.key} {self.why}"


def _pairs(items: Sequence[str], takes_value: Callable[[str], bool]) -> Iterator[tuple[str, str | None]]:
    """(flag, its value when the next item is one) for each flag of ``items``."""
    index = 0
    while index < len(items):
        item = items[index]
        if takes_value(item) and index + 1 < len(items):
            yield item, items[index + 1]
            index += 2
        else:
            yield item, None
            index += 1


def _link_flags(entries: Sequence[str]) -> Iterable[str]:
    """The Go linker flags outside the allowlist (a value after -X is never read as a flag)."""
    for flag, _ in _pairs(fields(entries), lambda f: "=" not in f and f.lstrip("-") in _LINK_VALUE):
        if flag.lstrip("-").startswith("extldflags"):
            continue  # refused by the planner whoever wrote it: extldflags has its own key
        if not _LINK_FLAG.fullmatch(flag):
            yield flag


def _compile_flags(entries: Sequence[str]) -> Iterable[str]:
    for item in fields(entries):
        pattern, equals, rest = item.partition("=")
        flag = rest if equals and not pattern.startswith("-") else item
        if not _COMPILE_FLAG.fullmatch(flag):
            yield item


def _safe_wl(items: list[str]) -> bool:
    """Every item of -Wl,a,b,c is one the linker only uses to shape the output."""
    for flag, value in _pairs(items, _LD_PAIR.__contains__):
        if value is None:
            if not _LD_ITEM.fullmatch(flag):
                return False
        elif not (_Z_KEYWORD.fullmatch(value) if flag == "-z" else re.fullmatch(_SAFE_PATH, value)):
            return False
    return True


def _c_flags(entries: Sequence[str]) -> Iterable[str]:
    """The C compiler and linker flags outside the allowlist."""
    for flag, value in _pairs(fields(entries), _C_PAIR.__contains__):
        if value is not None:
            if not _C_FLAG.fullmatch(flag + value):
                yield f"{flag} {value}"
        elif not (_safe_wl(flag[4:].split(",")) if flag.startswith("-Wl,") else _C_FLAG.fullmatch(flag)):
            yield flag


def _env(where: str, env: Mapping[str, str]) -> Iterable[Untrusted]:
    for name, value in env.items():
        if name == "GOTOOLCHAIN" and value != "local":
            yield Untrusted(where, f"env GOTOOLCHAIN={value}", _WHY_ENV["GOTOOLCHAIN"])
        elif name == "GOFLAGS":
            unsafe = [item for item in value.split() if not SAFE_GOFLAGS.fullmatch(item)]
            if unsafe:
                yield Untrusted(where, f"env GOFLAGS has {' '.join(unsafe)}, which", _WHY_ENV["GOFLAGS"])
        elif name not in SAFE_ENV:
            why = _WHY_ENV.get(name, "is not one of the variables that only choose what Go generates")
            yield Untrusted(where, f"env {name}", why)


def _flags(where: str, key: str, found: Iterable[str], what: str) -> list[Untrusted]:
    try:
        return [
            Untrusted(where, f"{key} {flag}", f"is not among the {what} cgoguard knows to be safe")
            for flag in found
        ]
    except BuildError as error:  # Go could not split it either: say where it is
        raise BuildError(f"{where}: {key}: {error.message}") from None


def check_settings(
    where: str,
    *,
    env: Mapping[str, str],
    ldflags: Sequence[str] = (),
    gcflags: Sequence[str] = (),
    c_flags: Mapping[str, Sequence[str]],
) -> list[Untrusted]:
    """The settings of one target or profile that need ``--trust-config``."""
    found = [*_env(where, env)]
    found += _flags(where, "ldflags", _link_flags(ldflags), "Go linker flags (-extld runs a program)")
    found += _flags(where, "gcflags", _compile_flags(gcflags), "Go compiler flags")
    for key, entries in c_flags.items():
        found += _flags(where, key, _c_flags(entries), "C flags (-fplugin, -B, @file run or load programs)")
    return found


def outside(path: Path, root: Path) -> bool:
    """True when ``path`` (symlinks followed) is not ``root`` or below it."""
    return not path.resolve().is_relative_to(root.resolve())


def refuse(found: Sequence[Untrusted], source: str) -> None:
    """Raise one :class:`BuildError` naming what was found, if anything."""
    if not found:
        return
    shown = "; ".join(item.sentence() for item in found[:3])
    more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
    raise BuildError(
        f"{shown}{more}. The configuration in {source} is part of the repository, so by default it may not "
        f"choose programs to run or places outside its folder to write; pass {TRUST_FLAG} if you trust it, "
        "or give the setting on the command line."
    )
