"""What crosses the C boundary for each selected Go function, and how: the one
plan the three generators (Go shims, C header, Python binding) share, so they
cannot disagree.

The C ABI follows the seed's rules for a safe Go ↔ C boundary:

- fixed-width types only (Go ``int`` is ``int64_t`` on the C side and range
  checked on the way in, since Go's ``int`` is 32 bits on 386 and arm);
- strings, byte slices and slices of scalars go in as pointer + length and are
  copied into Go memory before the Go function runs, so C may free them as
  soon as the call returns and Go never keeps C memory;
- they come out either in memory the library allocates (``<prefix>_free``
  releases it) or, for functions marked ``buffer``, in a buffer the caller
  gives, with the needed size written back when it is too small;
- every function returns an ``int32_t`` status: 0, or a negative code from one
  enum, with the message in a per-thread store (``<prefix>_last_error()``);
  a Go error and a recovered panic are both a status, never a dead process;
- Go objects (pointers to the package's struct types) cross as ``cgo.Handle``
  numbers with an explicit release, never as pointers C could keep;
- ``context.Context`` parameters become a context handle C can cancel.
"""

from __future__ import annotations

import builtins
import dataclasses
import hashlib
import keyword
import re
from dataclasses import dataclass, field

from cgoguard.apifacts import ApiFunction, ApiType, GoApi
from cgoguard.errors import CgoguardError

CONTRACT_VERSION = 1  # of the generated ABI conventions (status codes, handles, strings)


class BridgeError(CgoguardError):
    """The Go API cannot be bridged as asked (exit 2); the message says which
    function, which parameter, and what to use instead."""


@dataclass(frozen=True, slots=True)
class Scalar:
    go: str  # Go's basic type
    c: str  # the C type of the ABI
    cgo: str  # how Go names the C type
    ctypes: str  # the ctypes name
    python: str  # the Python annotation
    checked: bool = False  # Go int/uint: the C side is wider on 32-bit targets


SCALARS = {
    "bool": Scalar("bool", "bool", "C.bool", "c_bool", "bool"),
    "int8": Scalar("int8", "int8_t", "C.int8_t", "c_int8", "int"),
    "int16": Scalar("int16", "int16_t", "C.int16_t", "c_int16", "int"),
    "int32": Scalar("int32", "int32_t", "C.int32_t", "c_int32", "int"),
    "int64": Scalar("int64", "int64_t", "C.int64_t", "c_int64", "int"),
    "int": Scalar("int", "int64_t", "C.int64_t", "c_int64", "int", checked=True),
    "uint8": Scalar("uint8", "uint8_t", "C.uint8_t", "c_uint8", "int"),
    "uint16": Scalar("uint16", "uint16_t", "C.uint16_t", "c_uint16", "int"),
    "uint32": Scalar("uint32", "uint32_t", "C.uint32_t", "c_uint32", "int"),
    "uint64": Scalar("uint64", "uint64_t", "C.uint64_t", "c_uint64", "int"),
    "uint": Scalar("uint", "uint64_t", "C.uint64_t", "c_uint64", "int", checked=True),
    "float32": Scalar("float32", "float", "C.float", "c_float", "float"),
    "float64": Scalar("float64", "double", "C.double", "c_double", "float"),
}

# What to use instead, for the Go types the bridge does not carry.
_INSTEAD = {
    "uintptr": "uint64 (a uintptr is an address: C must not receive Go addresses)",
    "unsafe_pointer": "a []byte, or a handle to a Go object",
    "map": "a slice of a struct of scalars, or a handle to a Go object with accessor methods",
    "chan": "a handle to a Go object with methods that send or receive",
    "func": "a handle to a Go object with methods (C cannot call Go closures)",
    "interface": "a concrete struct type behind a handle (*T)",
    "complex64": "two float32 values or a struct of them",
    "complex128": "two float64 values or a struct of them",
    "array": "a slice of the element type",
    "error": "an error result (it becomes the status)",
}

_C_KEYWORDS = frozenset(
    [
        "auto",
        "break",
        "case",
        "char",
        "const",
        "continue",
        "default",
        "do",
        "double",
        "else",
        "enum",
        "extern",
        "float",
        "for",
        "goto",
        "if",
        "inline",
        "int",
        "long",
        "register",
        "restrict",
        "return",
        "short",
        "signed",
        "sizeof",
        "static",
        "struct",
        "switch",
        "typedef",
        "union",
        "unsigned",
        "void",
        "volatile",
        "while",
        "bool",
        "true",
        "false",
        "NULL",
        "self",
    ]
)


def snake(name: str) -> str:
    """``NewParser`` -> ``new_parser``, ``ParseURL`` -> ``parse_url``, ``SHA256Hex`` -> ``sha256_hex``."""
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    return text.lower()


# Names the generated Python module itself uses (its classes and the handle's methods).
_GENERATED_CLASSES = frozenset(
    [
        "GoError",
        "GoPanic",
        "ArgumentError",
        "BufferTooSmall",
        "InvalidHandle",
        "RangeError",
        "Canceled",
        "LibraryMemoryError",
        "Context",
        "Sequence",
        "Any",
        "ClassVar",
    ]
)
_HANDLE_MEMBERS = frozenset({"close", "cancel"})


def _python_name(name: str) -> str:
    """A function or parameter name: a keyword or a builtin gets a trailing _ (PEP 8),
    so that ``Sum`` (``sum_``) never hides the builtin the generated code calls."""
    if keyword.iskeyword(name) or name in dir(builtins) or name in {"self", "ctx"}:
        return f"{name}_"
    return name


def _field_name(name: str) -> str:
    return f"{name}_" if keyword.iskeyword(name) else name


def _c_name(name: str) -> str:
    return f"{name}_" if name in _C_KEYWORDS else name


@dataclass(frozen=True, slots=True)
class StructField:
    go: str  # the Go field name (also the C field name)
    python: str
    value: Value


@dataclass(frozen=True, slots=True)
class StructPlan:
    go: str  # the Go type, qualified (``mylib.Point``)
    name: str  # the Go type's name
    c: str  # the C typedef
    fields: tuple[StructField, ...]


@dataclass(frozen=True, slots=True)
class HandlePlan:
    go: str  # the pointer type (``*mylib.Parser``)
    name: str  # the struct's name
    c: str  # the C typedef of its handle
    release: str  # the C function that releases a handle


@dataclass(frozen=True, slots=True)
class Value:
    """One Go value crossing the boundary: ``kind`` is scalar, string, bytes,
    slice (of scalars), struct, handle, context or error."""

    kind: str
    go: str  # the Go type as the shim writes it
    scalar: Scalar | None = None  # scalar, or a slice's element
    struct: StructPlan | None = None
    handle: HandlePlan | None = None
    element: str = ""  # a slice's element type, as the shim writes it


@dataclass(frozen=True, slots=True)
class Param:
    name: str  # C and Go name in the shim
    python: str
    value: Value


@dataclass(frozen=True, slots=True)
class FunctionPlan:
    api: ApiFunction
    c: str  # the exported C name
    python: str  # function or method name in Python
    receiver: HandlePlan | None
    params: tuple[Param, ...]  # Go parameters, in order (a context among them)
    results: tuple[Param, ...]  # Go results other than the final error
    returns_error: bool
    thread: bool  # runtime.LockOSThread for the call
    buffer: bool  # variable-size results in a caller's buffer
    doc: str

    @property
    def constructs(self) -> HandlePlan | None:
        """The handle type a free function returns as its only result: a constructor."""
        if self.receiver is None and len(self.results) == 1 and self.results[0].value.kind == "handle":
            return self.results[0].value.handle
        return None


@dataclass(frozen=True, slots=True)
class BridgePlan:
    name: str  # the library's name (``libNAME.so``, the Python package)
    prefix: str  # of every C name
    package: GoApi
    functions: tuple[FunctionPlan, ...]
    structs: tuple[StructPlan, ...]
    handles: tuple[HandlePlan, ...]
    uses_context: bool
    checksum: int = 0
    signatures: tuple[str, ...] = field(default=())

    @property
    def macro(self) -> str:
        return self.prefix.upper()


@dataclass(frozen=True, slots=True)
class Selection:
    """Which functions to bridge: those with a //cgoguard:export directive, and
    the names listed in configuration (``Parse``, ``Parser.Parse``)."""

    names: tuple[str, ...] = ()
    thread: tuple[str, ...] = ()
    buffer: tuple[str, ...] = ()


def _check_class_name(name: str, go_type: str) -> None:
    if name[:1].upper() + name[1:] in _GENERATED_CLASSES:
        raise BridgeError(
            f"{go_type} would be the Python class {name}, which the generated module defines itself; "
            "rename the Go type."
        )


class _Planner:
    def __init__(self, api: GoApi, prefix: str) -> None:
        self.api = api
        self.prefix = prefix
        self.structs: dict[str, StructPlan] = {}
        self.handles: dict[str, HandlePlan] = {}

    def where(self, function: ApiFunction, what: str) -> str:
        location = function.location
        return f"{location.path}:{location.line}: {function.qualified_name}: {what}"

    def value(self, t: ApiType, function: ApiFunction, what: str, *, result: bool) -> Value:
        if t.kind in SCALARS:
            return Value("scalar", t.text, scalar=SCALARS[t.kind])
        if t.kind == "string":
            return Value("string", t.text)
        if t.kind == "slice" and t.elem is not None:
            if t.elem.kind == "uint8":
                return Value("bytes", t.text, scalar=SCALARS["uint8"], element=t.elem.text)
            if t.elem.kind in SCALARS:
                return Value("slice", t.text, scalar=SCALARS[t.elem.kind], element=t.elem.text)
            raise BridgeError(
                self.where(
                    function,
                    f"{what} is a {t.text}: only slices of bool, integers and floats cross "
                    "C; use a slice of scalars, or a handle to a Go object with accessor methods",
                )
            )
        if t.kind == "struct" and t.named and t.package == self.api.import_path:
            return Value("struct", t.text, struct=self.struct(t, function, what))
        if t.kind == "pointer" and t.elem is not None and t.elem.kind == "struct" and t.elem.named:
            if t.elem.package != self.api.import_path:
                raise BridgeError(
                    self.where(
                        function,
                        f"{what} is a {t.text} of another package: wrap it in a type of "
                        f"{self.api.name} to hand it to C as a handle",
                    )
                )
            return Value("handle", t.text, handle=self.handle(t))
        if t.kind == "context":
            if result:
                raise BridgeError(self.where(function, f"{what}: a context.Context cannot be a result"))
            return Value("context", t.text)
        if t.kind == "invalid":
            raise BridgeError(self.where(function, f"{what}: its type {t.text} does not type-check"))
        if t.kind == "struct":
            raise BridgeError(
                self.where(
                    function,
                    f"{what} is a {t.text}: only named struct types of package "
                    f"{self.api.name} cross C (by value, if every field is a scalar)",
                )
            )
        instead = _INSTEAD.get(t.kind, "a scalar, string, []byte, slice of scalars, struct of scalars or *T")
        raise BridgeError(self.where(function, f"{what} is a {t.text}, which cannot cross C; use {instead}"))

    def struct(self, t: ApiType, function: ApiFunction, what: str) -> StructPlan:
        if t.text in self.structs:
            return self.structs[t.text]
        _check_class_name(t.named, t.text)
        fields = []
        for f in t.fields:
            if not f.exported or f.embedded:
                raise BridgeError(
                    self.where(
                        function,
                        f"{what} is a {t.text}, whose field {f.name} is "
                        f"{'embedded' if f.embedded else 'unexported'}: a struct crosses C field by "
                        f"field, so every field must be exported and named; or pass a *{t.named} handle",
                    )
                )
            if f.type.kind in SCALARS:
                fields.append(
                    StructField(
                        f.name,
                        _field_name(snake(f.name)),
                        Value("scalar", f.type.text, scalar=SCALARS[f.type.kind]),
                    )
                )
            elif f.type.kind == "struct" and f.type.named and f.type.package == self.api.import_path:
                inner = self.struct(f.type, function, f"{what}'s field {f.name}")
                fields.append(
                    StructField(
                        f.name, _field_name(snake(f.name)), Value("struct", f.type.text, struct=inner)
                    )
                )
            else:
                raise BridgeError(
                    self.where(
                        function,
                        f"{what} is a {t.text}, whose field {f.name} is a {f.type.text}: "
                        "a struct crosses C by value only when its fields are scalars or such structs; "
                        f"pass a *{t.named} handle instead",
                    )
                )
        if not fields:
            raise BridgeError(
                self.where(function, f"{what} is a {t.text} with no fields: pass a *{t.named} handle")
            )
        plan = StructPlan(t.text, t.named, f"{self.prefix}_{t.named}", tuple(fields))
        self.structs[t.text] = plan
        return plan

    def handle(self, t: ApiType) -> HandlePlan:
        assert t.elem is not None
        if t.text not in self.handles:
            _check_class_name(t.elem.named, t.text)
            base = f"{self.prefix}_{snake(t.elem.named)}"
            self.handles[t.text] = HandlePlan(t.text, t.elem.named, f"{base}_handle", f"{base}_release")
        return self.handles[t.text]

    def function(self, function: ApiFunction, options: set[str]) -> FunctionPlan:
        if function.generic:
            raise BridgeError(
                self.where(
                    function,
                    "a generic function cannot be exported to C; "
                    "bridge a non-generic wrapper for each type you need",
                )
            )
        if function.variadic:
            raise BridgeError(
                self.where(
                    function, "a variadic function cannot be exported to C; take a slice parameter instead"
                )
            )
        receiver = None
        if function.receiver is not None:
            t = function.receiver
            if t.kind != "pointer":
                # A value receiver is called through the pointer a handle holds.
                t = ApiType("pointer", f"*{t.text}", elem=t)
            receiver = self.handle(t)
        params: list[Param] = []
        names = {"status", "self"}
        contexts = 0
        for index, p in enumerate(function.params):
            what = f"parameter {p.name or index + 1}"
            value = self.value(p.type, function, what, result=False)
            if value.kind == "context":
                contexts += 1
                if index != 0 or contexts > 1:
                    raise BridgeError(
                        self.where(function, "context.Context is bridged only as the first parameter")
                    )
            name = _c_name(p.name if p.name not in ("", "_") else f"arg{index}")
            while name in names:
                name += "_"
            names.add(name)
            params.append(Param(name, _python_name(snake(name)), value))
        results = list(function.results)
        returns_error = bool(results) and results[-1].type.kind == "error"
        if returns_error:
            results = results[:-1]
        planned: list[Param] = []
        for index, r in enumerate(results):
            what = f"result {r.name or index + 1}"
            if r.type.kind == "error":
                raise BridgeError(
                    self.where(function, f"{what}: an error is bridged only as the last result")
                )
            value = self.value(r.type, function, what, result=True)
            base = "out" if len(results) == 1 and not r.name else f"out_{snake(r.name) if r.name else index}"
            name = base
            while name in names:
                name += "_"
            names.add(name)
            planned.append(Param(name, _python_name(snake(r.name) if r.name else f"result{index}"), value))
        unknown = options - {"thread", "buffer"}
        if unknown:
            raise BridgeError(
                self.where(
                    function,
                    f"unknown //cgoguard:export option(s) {', '.join(sorted(unknown))}; "
                    "known: thread (run on a locked OS thread), buffer (results in the caller's buffer)",
                )
            )
        if receiver is not None:
            c = f"{receiver.release.removesuffix('_release')}_{snake(function.name)}"
            python = snake(function.name)
            if keyword.iskeyword(python) or python in _HANDLE_MEMBERS:
                python += "_"  # close() releases the handle; the Go method is close_()
        else:
            c = f"{self.prefix}_{snake(function.name)}"
            python = _python_name(snake(function.name))
        return FunctionPlan(
            api=function,
            c=c,
            python=python,
            receiver=receiver,
            params=tuple(params),
            results=tuple(planned),
            returns_error=returns_error,
            thread="thread" in options,
            buffer="buffer" in options,
            doc=function.doc,
        )


def _options(function: ApiFunction, selection: Selection) -> set[str] | None:
    """The export options of a function, or None when it is not selected."""
    name = function.qualified_name
    selected = bool(function.directives) or name in selection.names
    if not selected:
        return None
    options = {word for directive in function.directives for word in directive.replace(",", " ").split()}
    if name in selection.thread:
        options.add("thread")
    if name in selection.buffer:
        options.add("buffer")
    return options


def plan_bridge(
    api: GoApi, *, name: str | None = None, prefix: str | None = None, selection: Selection = Selection()
) -> BridgePlan:
    """The plan for ``api``'s selected functions; BridgeError for what cannot cross."""
    if api.name == "":
        raise BridgeError(f"{api.folder} holds no Go package (no .go file for this target).")
    if api.name == "main":
        raise BridgeError(
            f"{api.folder} is package main: bridge a library package (the bridge is the main package)."
        )
    library = name or api.name
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]*", library):
        raise BridgeError(f"the bridge name {library!r} must be a C identifier (letters, digits, _).")
    prefix = prefix or snake(library)
    if not re.fullmatch(r"[a-z][a-z0-9_]*", prefix):
        raise BridgeError(f"the prefix {prefix!r} must be lower-case letters, digits and _.")
    known = {f.qualified_name for f in api.functions}
    missing = sorted(set(selection.names) - known)
    if missing:
        raise BridgeError(
            f"[tool.cgoguard.bridge] names {', '.join(missing)}, which {api.import_path} does not export "
            f"(exported: {', '.join(sorted(known)) or 'nothing'})."
        )
    planner = _Planner(api, prefix)
    functions = []
    for function in api.functions:
        options = _options(function, selection)
        if options is not None:
            functions.append(planner.function(function, options))
    if not functions:
        raise BridgeError(
            f"nothing to bridge in {api.import_path}: mark functions with a //cgoguard:export line in their "
            "doc comment, or list them in [tool.cgoguard.bridge] export."
        )
    taken: dict[str, str] = {}
    reserved = {
        f"{prefix}_{n}"
        for n in (
            "free",
            "last_error",
            "contract_version",
            "contract_checksum",
            "context_new",
            "context_cancel",
            "context_release",
        )
    }
    for f in functions:
        other = taken.get(f.c) or (f"cgoguard's own {f.c}" if f.c in reserved else None)
        if other:
            raise BridgeError(
                f"{f.api.qualified_name} and {other} both become the C function {f.c}; rename one."
            )
        taken[f.c] = f.api.qualified_name
    plan = BridgePlan(
        name=library,
        prefix=prefix,
        package=api,
        functions=tuple(functions),
        structs=tuple(planner.structs.values()),
        handles=tuple(sorted(planner.handles.values(), key=lambda h: h.c)),
        uses_context=any(p.value.kind == "context" for f in functions for p in f.params),
    )
    signatures = contract_signatures(plan)
    digest = hashlib.sha256("\n".join(signatures).encode()).digest()
    return dataclasses.replace(plan, checksum=int.from_bytes(digest[:8], "big"), signatures=signatures)


def c_parameters(plan: BridgePlan, function: FunctionPlan) -> list[tuple[str, str]]:
    """The C parameters of a function's shim, as (type, name) pairs."""
    out: list[tuple[str, str]] = []
    if function.receiver is not None:
        out.append((function.receiver.c, "self"))
    for p in function.params:
        out.extend(_c_in(plan, p))
    for r in function.results:
        out.extend(_c_out(plan, r, buffer=function.buffer))
    return out


def _c_in(plan: BridgePlan, p: Param) -> list[tuple[str, str]]:
    v = p.value
    if v.kind == "scalar" and v.scalar:
        return [(v.scalar.c, p.name)]
    if v.kind == "string":
        return [("const char*", p.name), ("uint64_t", f"{p.name}_len")]
    if v.kind in ("bytes", "slice") and v.scalar:
        return [(f"const {v.scalar.c}*", p.name), ("uint64_t", f"{p.name}_len")]
    if v.kind == "struct" and v.struct:
        return [(f"const {v.struct.c}*", p.name)]
    if v.kind == "handle" and v.handle:
        return [(v.handle.c, p.name)]
    if v.kind == "context":
        return [(f"{plan.prefix}_context", p.name)]
    raise AssertionError(v.kind)


def _c_out(plan: BridgePlan, r: Param, *, buffer: bool) -> list[tuple[str, str]]:
    v = r.value
    if v.kind == "scalar" and v.scalar:
        return [(f"{v.scalar.c}*", r.name)]
    if v.kind in ("string", "bytes", "slice"):
        element = "char" if v.kind == "string" else (v.scalar.c if v.scalar else "")
        if buffer:
            return [(f"{element}*", r.name), ("uint64_t", f"{r.name}_cap"), ("uint64_t*", f"{r.name}_len")]
        return [(f"{element}**", r.name), ("uint64_t*", f"{r.name}_len")]
    if v.kind == "struct" and v.struct:
        return [(f"{v.struct.c}*", r.name)]
    if v.kind == "handle" and v.handle:
        return [(f"{v.handle.c}*", r.name)]
    raise AssertionError(v.kind)


def contract_signatures(plan: BridgePlan) -> tuple[str, ...]:
    """The ABI in canonical text: what the contract checksum covers (every
    exported prototype and the layout of every struct crossing it)."""
    lines = [f"contract {CONTRACT_VERSION}", f"library {plan.name} prefix {plan.prefix}"]
    for s in plan.structs:
        fields = ", ".join(f"{_field_c(f)} {f.go}" for f in s.fields)
        lines.append(f"struct {s.c} {{{fields}}}")
    for f in plan.functions:
        params = ", ".join(f"{t} {n}" for t, n in c_parameters(plan, f))
        lines.append(f"int32_t {f.c}({params})")
    return tuple(lines)


def _field_c(f: StructField) -> str:
    if f.value.scalar:
        return f.value.scalar.c
    assert f.value.struct is not None
    return f.value.struct.c
