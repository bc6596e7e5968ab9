"""`cgoguard bridge`: the safe Go ↔ C boundary, generated from a plain Go API.

Go's type checker reads the package (``readers/gofront.read_api``), ``plan``
decides what crosses C and how, and three generators write from that one plan:
``gocode`` (the ``//export`` shims, a ``package main``), ``header`` (the C
header) and ``python`` (a typed ctypes package). The output is deterministic:
the same Go API gives the same bytes. Every generated file ends with a digest
of its own text, so ``--check`` tells a file generated from another version of
the API (stale) from a file edited by hand.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from typing import Any

from cgoguard.bridge.gocode import bridge_go, fips_go, runtime_go, support_c
from cgoguard.bridge.header import header_text
from cgoguard.bridge.plan import GENERATED, BridgeError, BridgePlan, Selection, plan_bridge
from cgoguard.bridge.python import binding_text, stub_text
from cgoguard.errors import ConfigError, OutputError
from cgoguard.fileio import read_regular, write_text_atomic
from cgoguard.readers.gofront import GoSourceError, Platform, read_api

__all__ = [
    "BridgeError",
    "BridgeOutcome",
    "FileState",
    "Selection",
    "generate_files",
    "plan_for",
    "run_bridge",
    "selection_from",
]

_MINIMUM_GO = (1, 21)  # generics, unsafe.Slice; the go directive of a generated go.mod
_DIGEST = re.compile(r"cgoguard:digest ([0-9a-f]{64})")


@dataclass(frozen=True, slots=True)
class FileState:
    path: str
    state: str  # written, unchanged, stale, edited, missing, extra


@dataclass(frozen=True, slots=True)
class BridgeOutcome:
    plan: BridgePlan
    files: tuple[FileState, ...]
    checked: bool  # --check: nothing was written

    @property
    def out_of_date(self) -> list[FileState]:
        return [f for f in self.files if f.state in ("stale", "edited", "missing", "extra")]


def selection_from(
    table: dict[str, Any] | None, source: str = "configuration"
) -> tuple[Selection, dict[str, str]]:
    """[tool.cgoguard.bridge]: export, thread, buffer (lists of names), name, prefix."""
    table = table or {}
    if not isinstance(table, dict):
        raise ConfigError(f"{source}: [tool.cgoguard.bridge] must be a table.")
    known = {"export", "thread", "buffer", "name", "prefix"}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(
            f"{source}: unknown key(s) {', '.join(unknown)} in [tool.cgoguard.bridge]; known keys: "
            f"{', '.join(sorted(known))}."
        )
    lists: dict[str, tuple[str, ...]] = {}
    for key in ("export", "thread", "buffer"):
        value = table.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(
                f"{source}: [tool.cgoguard.bridge] {key} must be a list of names (Parse, Parser.Parse)."
            )
        lists[key] = tuple(value)
    names: dict[str, str] = {}
    for key in ("name", "prefix"):
        if key in table:
            if not isinstance(table[key], str):
                raise ConfigError(f"{source}: [tool.cgoguard.bridge] {key} must be a string.")
            names[key] = table[key]
    selection = Selection(
        lists["export"] + lists["thread"] + lists["buffer"], lists["thread"], lists["buffer"]
    )
    return selection, names


def plan_for(
    folder: str,
    *,
    name: str | None = None,
    prefix: str | None = None,
    selection: Selection | None = None,
    go: str | None = None,
    platform: Platform | None = None,
) -> BridgePlan:
    api = read_api(folder, platform or Platform(), go=go)
    if api.errors:
        shown = "; ".join(api.errors[:3])
        raise GoSourceError(f"{folder} does not compile as Go: {shown}")
    return plan_bridge(api, name=name, prefix=prefix, selection=selection or Selection())


def _seal(text: str, comment: str) -> str:
    """The text with a last line that holds the digest of everything before it."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    return text + comment.format(f"cgoguard:digest {digest}") + "\n"


def _sealed_body_intact(text: str) -> bool:
    body, _, last = text.rstrip("\n").rpartition("\n")
    match = _DIGEST.search(last)
    return bool(match) and hashlib.sha256((body + "\n").encode()).hexdigest() == match.group(1)  # type: ignore[union-attr]


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:2]) or (0,)


def _go_mod(plan: BridgePlan, out: str) -> str | None:
    """A go.mod when the bridge lies outside the library's module (with a replace
    to it), None when inside (then it is one more package of that module)."""
    api = plan.package
    root = os.path.realpath(api.module_root) if api.module_root else ""
    target = os.path.realpath(out)
    if root and (target == root or target.startswith(root + os.sep)):
        if _version(api.go_version) < (1, 18):
            raise BridgeError(
                f"{api.module_root}/go.mod says go {api.go_version or '(none)'}: the bridge needs go 1.18 or "
                "newer there (it uses generics), or an --out folder outside the module."
            )
        return None
    if not api.module:
        raise BridgeError(
            f"{api.folder} is not in a Go module (no go.mod above it): the bridge imports it by module path."
        )
    relative = os.path.relpath(root, target)
    if not relative.startswith("."):
        relative = "./" + relative
    version = max(_version(api.go_version), _MINIMUM_GO)
    return (
        f"// {GENERATED}\n\n"
        f"module {plan.name}bridge\n\n"
        f"go {'.'.join(str(v) for v in version)}\n\n"
        f"require {api.module} v0.0.0-00010101000000-000000000000\n\n"
        f"replace {api.module} => {relative}\n"
    )


def generate_files(plan: BridgePlan, out: str) -> dict[str, str]:
    """Every generated file: path relative to ``out`` -> text."""
    header = f"{plan.name}.h"
    files = {
        "bridge.go": _seal(bridge_go(plan, header), "// {}"),
        "bridge_runtime.go": _seal(runtime_go(plan, header), "// {}"),
        "bridge_fips.go": _seal(fips_go(plan, modern=True), "// {}"),
        "bridge_fips_go123.go": _seal(fips_go(plan, modern=False), "// {}"),
        "bridge_support.c": _seal(support_c(plan, header), "/* {} */"),
        header: _seal(header_text(plan, header), "/* {} */"),
        f"python/{plan.name}/__init__.py": _seal(binding_text(plan), "# {}"),
        f"python/{plan.name}/__init__.pyi": _seal(stub_text(plan), "# {}"),
        f"python/{plan.name}/py.typed": "",
    }
    go_mod = _go_mod(plan, out)
    if go_mod is not None:
        files["go.mod"] = _seal(go_mod, "// {}")
    return files


def _read(path: str) -> str | None:
    try:
        return read_regular(path).decode("utf-8", "replace")
    except FileNotFoundError:
        return None
    except OSError as error:
        raise OutputError(f"cannot read {path}: {error.strerror or error}.") from None


def _leftovers(out: str, expected: set[str]) -> list[str]:
    """Generated files in ``out`` this run does not produce (a function or type removed)."""
    found = []
    for candidate in (
        "bridge.go",
        "bridge_runtime.go",
        "bridge_fips.go",
        "bridge_fips_go123.go",
        "bridge_support.c",
        "go.mod",
    ):
        if candidate not in expected and os.path.isfile(os.path.join(out, candidate)):
            text = _read(os.path.join(out, candidate)) or ""
            if GENERATED in text.split("\n", 1)[0]:
                found.append(candidate)
    return found


def run_bridge(plan: BridgePlan, out: str, *, check: bool) -> BridgeOutcome:
    """Write the generated files (only those that changed), or with ``check``
    compare them with what is on disk and write nothing."""
    files = generate_files(plan, out)
    states: list[FileState] = []
    for relative, text in sorted(files.items()):
        path = os.path.join(out, relative)
        current = _read(path)
        if current == text:
            states.append(FileState(path, "unchanged"))
            continue
        if check:
            if current is None:
                state = "missing"
            elif relative.endswith("py.typed") or _sealed_body_intact(current):
                state = "stale"
            else:
                state = "edited"
            states.append(FileState(path, state))
            continue
        try:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        except OSError as error:
            raise OutputError(f"cannot create {os.path.dirname(path)}: {error.strerror or error}.") from None
        write_text_atomic(path, text, what="the generated file")
        states.append(FileState(path, "written"))
    for relative in _leftovers(out, set(files)):
        path = os.path.join(out, relative)
        if check:
            states.append(FileState(path, "extra"))
        else:
            try:
                os.unlink(path)
            except OSError as error:
                raise OutputError(f"cannot remove {path}: {error.strerror or error}.") from None
            states.append(FileState(path, "removed"))
    return BridgeOutcome(plan, tuple(states), check)
