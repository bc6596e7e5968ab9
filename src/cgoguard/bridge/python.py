"""The Python side of a bridge: a package that loads the library next to it
with ctypes, checks the contract before the first call, converts every value,
raises a Python exception carrying Go's message and status, frees what it
owns and releases handles (``with`` blocks, ``close()``, and a finalizer).

Why ctypes rather than cffi's ABI mode: the generated package then needs
nothing but the standard library (no compiler, no extra wheel for every
platform the user ships), and ``benchmarks/bench_bridge.py`` measures the
call overhead of both over the same library.
"""

from __future__ import annotations

from cgoguard.bridge.header import STATUS_CODES
from cgoguard.bridge.plan import (
    CONTRACT_VERSION,
    GENERATED,
    BridgePlan,
    FunctionPlan,
    HandlePlan,
    Param,
    StructPlan,
    Value,
)

_RANGES = {
    "int8": (-(1 << 7), (1 << 7) - 1),
    "int16": (-(1 << 15), (1 << 15) - 1),
    "int32": (-(1 << 31), (1 << 31) - 1),
    "int64": (-(1 << 63), (1 << 63) - 1),
    "int": (-(1 << 63), (1 << 63) - 1),
    "uint8": (0, (1 << 8) - 1),
    "uint16": (0, (1 << 16) - 1),
    "uint32": (0, (1 << 32) - 1),
    "uint64": (0, (1 << 64) - 1),
    "uint": (0, (1 << 64) - 1),
}

_EXCEPTIONS = {
    "ERR_GO": ("GoError", "The Go function returned an error."),
    "ERR_PANIC": (
        "GoPanic",
        "The Go function panicked; the panic was recovered and the library is still usable.",
    ),
    "ERR_ARGUMENT": ("ArgumentError", "An argument was refused (a length or pointer out of range)."),
    "ERR_BUFFER_TOO_SMALL": ("BufferTooSmall", "A result did not fit the buffer given."),
    "ERR_HANDLE": ("InvalidHandle", "A handle is unknown, released, or of another type."),
    "ERR_RANGE": ("RangeError", "A value does not fit the Go type."),
    "ERR_CANCELED": ("Canceled", "The context was canceled or its deadline passed."),
    "ERR_MEMORY": ("LibraryMemoryError", "The library could not allocate memory for a result."),
}


def class_name(go_name: str) -> str:
    return go_name[0].upper() + go_name[1:]


def _annotation(plan: BridgePlan, v: Value, *, result: bool) -> str:
    if v.kind == "scalar" and v.scalar:
        return v.scalar.python
    if v.kind == "string":
        return "str"
    if v.kind == "bytes":
        return "bytes"
    if v.kind == "slice" and v.scalar:
        return f"list[{v.scalar.python}]" if result else f"Sequence[{v.scalar.python}]"
    if v.kind == "struct" and v.struct:
        return class_name(v.struct.name)
    if v.kind == "handle" and v.handle:
        return f"{class_name(v.handle.name)} | None"
    if v.kind == "context":
        return "Context | None"
    raise AssertionError(v.kind)


def _ctypes_in(v: Value) -> list[str]:
    if v.kind == "scalar" and v.scalar:
        return [f"ctypes.{v.scalar.ctypes}"]
    if v.kind in ("string", "bytes"):
        return ["ctypes.c_char_p", "ctypes.c_uint64"]
    if v.kind == "slice" and v.scalar:
        return [f"ctypes.POINTER(ctypes.{v.scalar.ctypes})", "ctypes.c_uint64"]
    if v.kind == "struct" and v.struct:
        return [f"ctypes.POINTER(_C{class_name(v.struct.name)})"]
    if v.kind in ("handle", "context"):
        return ["ctypes.c_uint64"]
    raise AssertionError(v.kind)


def _element_ctype(v: Value) -> str:
    return (
        "ctypes.c_char" if v.kind in ("string", "bytes") else f"ctypes.{v.scalar.ctypes if v.scalar else ''}"
    )


def _ctypes_out(v: Value, *, buffer: bool) -> list[str]:
    if v.kind == "scalar" and v.scalar:
        return [f"ctypes.POINTER(ctypes.{v.scalar.ctypes})"]
    if v.kind in ("string", "bytes", "slice"):
        if buffer:
            return [
                f"ctypes.POINTER({_element_ctype(v)})",
                "ctypes.c_uint64",
                "ctypes.POINTER(ctypes.c_uint64)",
            ]
        return ["ctypes.POINTER(ctypes.c_void_p)", "ctypes.POINTER(ctypes.c_uint64)"]
    if v.kind == "struct" and v.struct:
        return [f"ctypes.POINTER(_C{class_name(v.struct.name)})"]
    if v.kind == "handle":
        return ["ctypes.POINTER(ctypes.c_uint64)"]
    raise AssertionError(v.kind)


def _argtypes(f: FunctionPlan) -> list[str]:
    out = ["ctypes.c_uint64"] if f.receiver else []
    for p in f.params:
        out += _ctypes_in(p.value)
    for r in f.results:
        out += _ctypes_out(r.value, buffer=f.buffer)
    return out


def _signature(plan: BridgePlan, f: FunctionPlan) -> tuple[str, str]:
    """(parameters, return annotation) of the Python function."""
    params = ["self"] if f.receiver else []
    context = None
    for p in f.params:
        if p.value.kind == "context":
            context = p
            continue
        params.append(f"{p.python}: {_annotation(plan, p.value, result=False)}")
    if context is not None:
        params += ["*", "ctx: Context | None = None"]
    results = [_annotation(plan, r.value, result=True) for r in f.results]
    returns = "None" if not results else results[0] if len(results) == 1 else f"tuple[{', '.join(results)}]"
    return ", ".join(params), returns


def _convert_in(plan: BridgePlan, p: Param, lines: list[str]) -> list[str]:
    """Statements that prepare one argument; returns the expressions passed to C."""
    v, name = p.value, (p.python if p.value.kind != "context" else "ctx")
    if v.kind == "scalar" and v.scalar:
        if v.scalar.go in _RANGES:
            low, high = _RANGES[v.scalar.go]
            lines.append(f"    _fit({name}, {low}, {high}, {name!r})")
        return [name]
    if v.kind == "string":
        lines.append(f"    {name}_data = {name}.encode('utf-8', 'surrogateescape')")
        return [f"{name}_data", f"len({name}_data)"]
    if v.kind == "bytes":
        lines.append(f"    {name}_data = bytes({name})")
        return [f"{name}_data", f"len({name}_data)"]
    if v.kind == "slice" and v.scalar:
        if v.scalar.go in _RANGES:
            low, high = _RANGES[v.scalar.go]
            lines.append(f"    for item in {name}:")
            lines.append(f"        _fit(item, {low}, {high}, {name!r})")
        lines.append(f"    {name}_data = (ctypes.{v.scalar.ctypes} * len({name}))(*{name})")
        return [f"{name}_data", f"len({name}_data)"]
    if v.kind == "struct" and v.struct:
        lines.append(f"    {name}_data = _to_c_{v.struct.name}({name})")
        return [f"ctypes.byref({name}_data)"]
    if v.kind == "handle" and v.handle:
        return [f"_handle_of({name})"]
    if v.kind == "context":
        return ["_handle_of(ctx)"]
    raise AssertionError(v.kind)


def _prepare_out(r: Param, buffer: bool, lines: list[str]) -> list[str]:
    v, name = r.value, f"_{r.python}"
    if v.kind == "scalar" and v.scalar:
        lines.append(f"    {name} = ctypes.{v.scalar.ctypes}()")
        return [f"ctypes.byref({name})"]
    if v.kind in ("string", "bytes", "slice"):
        lines.append(f"    {name}_len = ctypes.c_uint64()")
        if buffer:
            lines.append(f"    {name} = ({_element_ctype(v)} * {name}_cap)()")
            return [name, f"{name}_cap", f"ctypes.byref({name}_len)"]
        lines.append(f"    {name} = ctypes.c_void_p()")
        return [f"ctypes.byref({name})", f"ctypes.byref({name}_len)"]
    if v.kind == "struct" and v.struct:
        lines.append(f"    {name} = _C{class_name(v.struct.name)}()")
        return [f"ctypes.byref({name})"]
    if v.kind == "handle":
        lines.append(f"    {name} = ctypes.c_uint64()")
        return [f"ctypes.byref({name})"]
    raise AssertionError(v.kind)


def _take_out(r: Param, buffer: bool) -> str:
    v, name = r.value, f"_{r.python}"
    if v.kind == "scalar":
        return f"{name}.value"
    if v.kind in ("string", "bytes", "slice"):
        if buffer:
            if v.kind == "string":
                return f"ctypes.string_at({name}, {name}_len.value).decode('utf-8', 'surrogateescape')"
            if v.kind == "bytes":
                return f"ctypes.string_at({name}, {name}_len.value)"
            return f"{name}[: {name}_len.value]"
        if v.kind == "string":
            return f"_take_bytes({name}, {name}_len).decode('utf-8', 'surrogateescape')"
        if v.kind == "bytes":
            return f"_take_bytes({name}, {name}_len)"
        assert v.scalar is not None
        return f"_take_list({name}, {name}_len, ctypes.{v.scalar.ctypes})"
    if v.kind == "struct" and v.struct:
        return f"_from_c_{v.struct.name}({name})"
    if v.kind == "handle" and v.handle:
        return f"{class_name(v.handle.name)}._adopt({name}.value)"
    raise AssertionError(v.kind)


def _function(plan: BridgePlan, f: FunctionPlan, indent: str) -> list[str]:
    params, returns = _signature(plan, f)
    name = f.python
    lines = [f"def {name}({params}) -> {returns}:"]
    doc = (f.doc or f"Calls {f.api.qualified_name}.").replace('"""', "'''").replace("\\", "\\\\")
    lines.append(f'    """{doc}\n\n    Go: {f.api.qualified_name} (C: {f.c}).\n    """')
    body: list[str] = []
    arguments: list[str] = ["self._handle_value()"] if f.receiver else []
    for p in f.params:
        arguments += _convert_in(plan, p, body)
    buffered = f.buffer and any(r.value.kind in ("string", "bytes", "slice") for r in f.results)
    if buffered:
        for r in f.results:
            if r.value.kind in ("string", "bytes", "slice"):
                body.append(f"    _{r.python}_cap = 256")
        body.append("    for _attempt in range(8):")
        inner: list[str] = []
        outs: list[str] = []
        for r in f.results:
            outs += _prepare_out(r, True, inner)
        call = f"_lib.{f.c}({', '.join(arguments + outs)})"
        inner.append(f"    status = {call}")
        inner.append(f"    if status != {plan.macro}_ERR_BUFFER_TOO_SMALL:")
        inner.append("        break")
        for r in f.results:
            if r.value.kind in ("string", "bytes", "slice"):
                inner.append(f"    _{r.python}_cap = max(_{r.python}_cap, _{r.python}_len.value)")
        body += ["    " + line for line in inner]
        body += ["    if status:", "        _raise(status)"]
    else:
        outs = []
        for r in f.results:
            outs += _prepare_out(r, False, body)
        body += [
            f"    status = _lib.{f.c}({', '.join(arguments + outs)})",
            "    if status:",
            "        _raise(status)",
        ]
    values = [_take_out(r, f.buffer) for r in f.results]
    if len(values) == 1:
        body.append(f"    return {values[0]}")
    elif values:
        body.append(f"    return ({', '.join(values)})")
    lines += body
    return [indent + line if line else line for line in lines]


def _field_annotation(value: Value) -> str:
    return value.scalar.python if value.scalar else class_name(value.struct.name if value.struct else "")


def _struct_code(s: StructPlan) -> list[str]:
    cls = class_name(s.name)
    lines = ["", "", f"class _C{cls}(ctypes.Structure):", "    _fields_ = ["]
    for f in s.fields:
        field_type = (
            f"ctypes.{f.value.scalar.ctypes}"
            if f.value.scalar
            else (f"_C{class_name(f.value.struct.name)}" if f.value.struct else "")
        )
        lines.append(f"        ({f.go!r}, {field_type}),")
    lines += [
        "    ]",
        "",
        "",
        "@dataclass(frozen=True, slots=True)",
        f"class {cls}:",
        f'    """Go\'s {s.go}."""',
        "",
    ]
    for f in s.fields:
        annotation = (
            f.value.scalar.python
            if f.value.scalar
            else class_name(f.value.struct.name if f.value.struct else "")
        )
        lines.append(f"    {f.python}: {annotation}")
    lines += ["", "", f"def _to_c_{s.name}(value: {cls}) -> _C{cls}:", f"    out = _C{cls}()"]
    for f in s.fields:
        if f.value.struct:
            lines.append(f"    out.{f.go} = _to_c_{f.value.struct.name}(value.{f.python})")
        else:
            if f.value.scalar and f.value.scalar.go in _RANGES:
                low, high = _RANGES[f.value.scalar.go]
                lines.append(f"    _fit(value.{f.python}, {low}, {high}, {s.name + '.' + f.python!r})")
            lines.append(f"    out.{f.go} = value.{f.python}")
    lines += ["    return out", "", "", f"def _from_c_{s.name}(value: _C{cls}) -> {cls}:"]
    values = []
    for f in s.fields:
        if f.value.struct:
            values.append(f"{f.python}=_from_c_{f.value.struct.name}(value.{f.go})")
        else:
            values.append(f"{f.python}=value.{f.go}")
    lines.append(f"    return {cls}({', '.join(values)})")
    return lines


def _handle_class(plan: BridgePlan, h: HandlePlan) -> list[str]:
    cls = class_name(h.name)
    lines = [
        "",
        "",
        f"class {cls}(_Handle):",
        f'    """A Go {h.go} held by the library. Release it with close() or a with block;',
        '    a finalizer releases it when it is garbage collected."""',
        "",
        "    __slots__ = ()",
        f"    _release_function = '{h.release}'",
    ]
    for f in plan.functions:
        if f.receiver is not None and f.receiver.c == h.c:
            lines.append("")
            lines += _function(plan, f, "    ")
    return lines


def binding_text(plan: BridgePlan) -> str:
    """The package's ``__init__.py``."""
    m = plan.macro
    library = f"lib{plan.name}.so"
    out = [
        f"# {GENERATED}",
        f'"""Python binding of the Go package {plan.package.import_path}, generated by `cgoguard bridge`.',
        "",
        f"Loads {library} from this package's folder, or the file ${m}_LIBRARY names, and refuses",
        "a library built from another version of the Go API (the contract checksum differs).",
        "Calls may come from any number of threads. Load only one Go runtime per process: two Go",
        "libraries each start their own runtime (scheduler, garbage collector, signal handlers),",
        "which Go does not support; a warning says so when another one is already loaded.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "import ctypes",
        "import os",
        "import struct",
        "import warnings",
        "import weakref",
        "from collections.abc import Sequence",
        "from dataclasses import dataclass",
        "from typing import Any, ClassVar, TypeVar",
        "",
        f"LIBRARY = {library!r}",
        f"CONTRACT_VERSION = {CONTRACT_VERSION}",
        f"CONTRACT_CHECKSUM = 0x{plan.checksum:016x}",
        "",
    ]
    for name, value, _meaning in STATUS_CODES:
        out.append(f"{m}_{name} = {value}")
    out += [
        "",
        "",
        "class GoError(Exception):",
        '    """A call failed: ``code`` is the negative status, ``message`` the Go side\'s text."""',
        "",
        "    def __init__(self, code: int, message: str) -> None:",
        "        super().__init__(message)",
        "        self.code = code",
        "        self.message = message",
    ]
    for name, (exception, doc) in _EXCEPTIONS.items():
        if exception == "GoError":
            continue
        bases = "GoError, ValueError" if name in ("ERR_ARGUMENT", "ERR_RANGE") else "GoError"
        out += ["", "", f"class {exception}({bases}):", f'    """{doc}"""']
    out += ["", "", "_ERRORS: dict[int, type[GoError]] = {"]
    for name, (exception, _doc) in _EXCEPTIONS.items():
        out.append(f"    {m}_{name}: {exception},")
    out += [
        "}",
        "",
        "",
        "def _has_go_runtime(path: str) -> bool:",
        '    """Whether the ELF file at path has a .go.buildinfo section: the Go linker writes one into',
        "    every Go program and library (hardened libraries export none of the runtime's symbols, so",
        '    a symbol lookup would miss them)."""',
        "    try:",
        "        with open(path, 'rb') as elf:",
        "            ident = elf.read(64)",
        "            if len(ident) < 52 or ident[:4] != b'\\x7fELF':",
        "                return False",
        "            wide, order = ident[4] == 2, '<' if ident[5] == 1 else '>'",
        "            if wide:",
        "                shoff, = struct.unpack_from(order + 'Q', ident, 40)",
        "                shentsize, shnum, shstrndx = struct.unpack_from(order + 'HHH', ident, 58)",
        "            else:",
        "                shoff, = struct.unpack_from(order + 'I', ident, 32)",
        "                shentsize, shnum, shstrndx = struct.unpack_from(order + 'HHH', ident, 46)",
        "            if not shoff or shstrndx >= shnum or shentsize < (64 if wide else 40):",
        "                return False",
        "            elf.seek(shoff + shstrndx * shentsize)",
        "            header = elf.read(shentsize)",
        "            if wide:",
        "                offset, size = struct.unpack_from(order + 'QQ', header, 24)",
        "            else:",
        "                offset, size = struct.unpack_from(order + 'II', header, 16)",
        "            elf.seek(offset)",
        "            return b'.go.buildinfo\\x00' in elf.read(min(size, 1 << 20))",
        "    except (OSError, struct.error):",
        "        return False",
        "",
        "",
        "def _go_libraries() -> list[str]:",
        '    """Shared libraries this process has loaded that carry a Go runtime."""',
        "    try:",
        "        with open('/proc/self/maps', encoding='utf-8', errors='replace') as maps:",
        "            fields = [line.split(None, 5) for line in maps]",
        "    except OSError:",
        "        return []",
        "    paths = {f[5].strip() for f in fields if len(f) == 6 and f[5].startswith('/')}",
        "    return [p for p in sorted(paths) if '.so' in os.path.basename(p) and _has_go_runtime(p)]",
        "",
        "",
        "def _load() -> ctypes.CDLL:",
        f"    path = os.environ.get({m + '_LIBRARY'!r}) or os.path.join(os.path.dirname(os.path.abspath(__file__)), LIBRARY)",
        "    others = [p for p in _go_libraries() if os.path.realpath(p) != os.path.realpath(path)]",
        "    if others:",
        "        warnings.warn(",
        "            f'another Go library is already loaded ({others[0]}): each Go library starts its own Go runtime, '",
        "            'which Go does not support in one process (signals, crashes and profiling may misbehave)',",
        "            RuntimeWarning,",
        "            stacklevel=3,",
        "        )",
        "    try:",
        "        lib = ctypes.CDLL(path)",
        "    except OSError as error:",
        "        raise ImportError(",
        "            f'cannot load {path}: {error}. Build it with `cgoguard build <bridge folder> --mode c-shared` '",
        f"            'and put it next to this file, or name it in ${m}_LIBRARY'",
        "        ) from None",
        "    try:",
        f"        version_function = lib.{plan.prefix}_contract_version",
        f"        checksum_function = lib.{plan.prefix}_contract_checksum",
        "    except AttributeError:",
        f"        raise ImportError(f'{{path}} is not the {plan.name} bridge library (it has no {plan.prefix}_contract_checksum)') from None",
        "    version_function.argtypes = []",
        "    version_function.restype = ctypes.c_uint32",
        "    checksum_function.argtypes = []",
        "    checksum_function.restype = ctypes.c_uint64",
        "    version, checksum = version_function(), checksum_function()",
        "    if (version, checksum) != (CONTRACT_VERSION, CONTRACT_CHECKSUM):",
        "        raise ImportError(",
        "            f'{path} was built from another version of the Go API (contract {version}, checksum {checksum:016x}; '",
        "            f'this binding expects contract {CONTRACT_VERSION}, checksum {CONTRACT_CHECKSUM:016x}): '",
        "            'regenerate with `cgoguard bridge` and rebuild the library'",
        "        )",
        "    for name, argtypes, restype in _PROTOTYPES:",
        "        function = getattr(lib, name)",
        "        function.argtypes = argtypes",
        "        function.restype = restype",
        "    return lib",
        "",
        "",
        "def _fit(value: int, low: int, high: int, name: str) -> None:",
        "    if not low <= value <= high:",
        "        raise OverflowError(f'{name}: {value} is outside {low}..{high}')",
        "",
        "",
        "def _raise(status: int) -> None:",
        "    # Read on the thread whose call failed: the library keeps one message per thread.",
        "    message = (_lib." + plan.prefix + "_last_error() or b'').decode('utf-8', 'replace')",
        "    raise _ERRORS.get(status, GoError)(status, message)",
        "",
        "",
        "def _check(status: int) -> None:",
        "    if status:",
        "        _raise(status)",
        "",
        "",
        "def _take_bytes(memory: ctypes.c_void_p, length: ctypes.c_uint64) -> bytes:",
        "    try:",
        "        return ctypes.string_at(memory, length.value) if memory.value else b''",
        "    finally:",
        f"        _lib.{plan.prefix}_free(memory)",
        "",
        "",
        "def _take_list(memory: ctypes.c_void_p, length: ctypes.c_uint64, element: Any) -> list[Any]:",
        "    try:",
        "        if not memory.value:",
        "            return []",
        "        return list(ctypes.cast(memory, ctypes.POINTER(element))[: length.value])",
        "    finally:",
        f"        _lib.{plan.prefix}_free(memory)",
        "",
        "",
        "def _release(function_name: str, handle: int) -> None:",
        "    getattr(_lib, function_name)(handle)",
        "",
        "",
        "class _Handle:",
        '    """A Go object the library holds for Python; released once, by close(), a with block or the',
        '    finalizer."""',
        "",
        "    __slots__ = ('_handle', '_finalizer', '__weakref__')",
        "    _release_function: ClassVar[str] = ''",
        "",
        "    def __init__(self, handle: int) -> None:",
        "        self._handle = handle",
        "        self._finalizer = weakref.finalize(self, _release, self._release_function, handle)",
        "",
        "    @classmethod",
        "    def _adopt(cls: type[_H], handle: int) -> _H | None:",
        "        return cls(handle) if handle else None",
        "",
        "    def _handle_value(self) -> int:",
        "        if not self._finalizer.alive:",
        f"            raise InvalidHandle({m}_ERR_HANDLE, f'{{type(self).__name__}} handle {{self._handle}} was closed')",
        "        return self._handle",
        "",
        "    def close(self) -> None:",
        '        """Releases the Go object now (again: nothing happens)."""',
        "        self._finalizer()",
        "",
        "    def __enter__(self) -> Any:",
        "        return self",
        "",
        "    def __exit__(self, *exc: object) -> None:",
        "        self.close()",
        "",
        "    def __repr__(self) -> str:",
        "        state = 'open' if self._finalizer.alive else 'closed'",
        "        return f'<{type(self).__name__} handle {self._handle} {state}>'",
        "",
        "",
        "_H = TypeVar('_H', bound=_Handle)",
        "",
        "",
        "def _handle_of(value: _Handle | None) -> int:",
        "    return 0 if value is None else value._handle_value()",
    ]
    if plan.uses_context:
        out += [
            "",
            "",
            "class Context(_Handle):",
            '    """A context the Go functions that take one watch: cancel() stops them, a timeout',
            '    (seconds) ends them. Release it with close() or a with block."""',
            "",
            "    __slots__ = ()",
            f"    _release_function = '{plan.prefix}_context_release'",
            "",
            "    def __init__(self, timeout: float | None = None) -> None:",
            "        handle = ctypes.c_uint64()",
            "        nanoseconds = 0 if timeout is None else max(1, int(timeout * 1e9))",
            f"        _check(_lib.{plan.prefix}_context_new(nanoseconds, ctypes.byref(handle)))",
            "        super().__init__(handle.value)",
            "",
            "    def cancel(self) -> None:",
            f"        _check(_lib.{plan.prefix}_context_cancel(self._handle_value()))",
        ]
    for s in plan.structs:
        out += _struct_code(s)
    for h in plan.handles:
        out += _handle_class(plan, h)
    for f in plan.functions:
        if f.receiver is None:
            out += ["", ""]
            out += _function(plan, f, "")
    out += [
        "",
        "",
        "def fips140_enabled() -> bool | None:",
        '    """Whether Go\'s cryptography in this process runs in FIPS 140-3 mode (GODEBUG=fips140=on',
        "    or only, or a default built into the library); None when the library was built with a Go",
        '    older than 1.24, which cannot tell."""',
        f"    state = _lib.{plan.prefix}_fips140_enabled()",
        "    return None if state < 0 else bool(state)",
    ]
    out += ["", "", "_PROTOTYPES: list[tuple[str, list[Any], Any]] = ["]
    p = plan.prefix
    out.append(f"    ('{p}_free', [ctypes.c_void_p], None),")
    out.append(f"    ('{p}_last_error', [], ctypes.c_char_p),")
    out.append(f"    ('{p}_fips140_enabled', [], ctypes.c_int32),")
    if plan.uses_context:
        out.append(
            f"    ('{p}_context_new', [ctypes.c_int64, ctypes.POINTER(ctypes.c_uint64)], ctypes.c_int32),"
        )
        out.append(f"    ('{p}_context_cancel', [ctypes.c_uint64], ctypes.c_int32),")
        out.append(f"    ('{p}_context_release', [ctypes.c_uint64], ctypes.c_int32),")
    for h in plan.handles:
        out.append(f"    ('{h.release}', [ctypes.c_uint64], ctypes.c_int32),")
    for f in plan.functions:
        out.append(f"    ('{f.c}', [{', '.join(_argtypes(f))}], ctypes.c_int32),")
    out += ["]", "", "_lib = _load()", ""]
    names = ["GoError", *[e for e, _ in _EXCEPTIONS.values() if e != "GoError"]]
    names += ["Context"] if plan.uses_context else []
    names += [class_name(s.name) for s in plan.structs] + [class_name(h.name) for h in plan.handles]
    names += [f.python for f in plan.functions if f.receiver is None] + ["fips140_enabled"]
    out.insert(out.index("LIBRARY = " + repr(library)), f"__all__ = {sorted(set(names))!r}\n")
    return "\n".join(out)


def stub_text(plan: BridgePlan) -> str:
    """The package's ``__init__.pyi``: the typed surface, for editors and mypy."""
    m = plan.macro
    out = [
        f"# {GENERATED}",
        "from collections.abc import Sequence",
        "from dataclasses import dataclass",
        "from typing import Any",
        "",
        "LIBRARY: str",
        "CONTRACT_VERSION: int",
        "CONTRACT_CHECKSUM: int",
    ]
    out += [f"{m}_{name}: int" for name, _value, _meaning in STATUS_CODES]
    out += [
        "",
        "class GoError(Exception):",
        "    code: int",
        "    message: str",
        "    def __init__(self, code: int, message: str) -> None: ...",
    ]
    for name, (exception, _doc) in _EXCEPTIONS.items():
        if exception != "GoError":
            bases = "GoError, ValueError" if name in ("ERR_ARGUMENT", "ERR_RANGE") else "GoError"
            out.append(f"class {exception}({bases}): ...")
    out += [
        "",
        "class _Handle:",
        "    def close(self) -> None: ...",
        "    def __enter__(self) -> Any: ...",
        "    def __exit__(self, *exc: object) -> None: ...",
    ]
    if plan.uses_context:
        out += [
            "",
            "class Context(_Handle):",
            "    def __init__(self, timeout: float | None = None) -> None: ...",
            "    def cancel(self) -> None: ...",
        ]
    for struct in plan.structs:
        out += ["", "@dataclass(frozen=True, slots=True)", f"class {class_name(struct.name)}:"]
        for member in struct.fields:
            out.append(f"    {member.python}: {_field_annotation(member.value)}")
    for h in plan.handles:
        out += ["", f"class {class_name(h.name)}(_Handle):"]
        methods = [f for f in plan.functions if f.receiver is not None and f.receiver.c == h.c]
        for f in methods:
            params, returns = _signature(plan, f)
            out.append(f"    def {f.python}({params}) -> {returns}: ...")
        if not methods:
            out.append("    ...")
    out.append("")
    for f in plan.functions:
        if f.receiver is None:
            params, returns = _signature(plan, f)
            out.append(f"def {f.python}({params}) -> {returns}: ...")
    out.append("def fips140_enabled() -> bool | None: ...")
    out.append("")
    return "\n".join(out)
