"""Read Go packages with tree-sitter-go: export directives, exported
signatures, defers, C allocations and pointer hand-offs, with positions.

Why tree-sitter rather than a helper built on go/ast + go/types: it installs
from PyPI as a wheel (no Go toolchain needed where the linter runs), parses a
file in about a millisecond, keeps every comment as a node (so misspelled
``// export`` lines are seen, which go/ast would fold into doc text), and
tolerates files that do not type-check (missing cgo, build tags, vendored
imports). What it cannot do is resolve types across packages; the facts
below only need the package's own declarations.

Facts only: nothing here decides what is wrong.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache

import tree_sitter_go
from tree_sitter import Language, Node, Parser

from cgoguard.errors import InputError
from cgoguard.fileio import read_regular
from cgoguard.model import SourceLocation
from cgoguard.sourcefacts import (
    CAllocation,
    DeferFact,
    ExportDirective,
    GoFile,
    GoFunction,
    GoPackage,
    GoParameter,
    GoType,
    PointerStore,
)

# Any spelling a person may mean as cgo's directive: "//export X", "// export X",
# "//Export X", "//export\tX". Misspellings need exactly one name after the
# keyword so that prose ("// Export the table to C.") is not mistaken for one.
_EXACT = "//export "
_LOOSE_DIRECTIVE = re.compile(r"//\s*export(?:\s+([A-Za-z_]\w*))?\s*$", re.IGNORECASE)
_IGNORE_COMMENT = re.compile(r"cgoguard:ignore\s+([A-Za-z0-9_,]+)", re.IGNORECASE)
_BASIC_TYPES = frozenset(
    (
        "bool",
        "byte",
        "rune",
        "int",
        "int8",
        "int16",
        "int32",
        "int64",
        "uint",
        "uint8",
        "uint16",
        "uint32",
        "uint64",
        "uintptr",
        "float32",
        "float64",
        "complex64",
        "complex128",
    )
)
# Builtins and conversions that cannot panic on their own.
_SAFE_CALLS = _BASIC_TYPES | {
    "len",
    "cap",
    "append",
    "copy",
    "new",
    "string",
    "min",
    "max",
    "print",
    "println",
}
_FREE_LIKE = re.compile(r"free|release|destroy|dispose|delete|cleanup|dealloc", re.IGNORECASE)
# Name parts of C functions that keep what they are given (register_cb, set_user_data).
_KEEPING_WORDS = frozenset(
    (
        "register",
        "set",
        "store",
        "save",
        "keep",
        "retain",
        "attach",
        "add",
        "put",
        "push",
        "install",
        "subscribe",
        "userdata",
    )
)


class GoSourceError(InputError):
    """A Go file or folder that cannot be read; the message is for the user."""


@cache
def _parser() -> Parser:
    return Parser(Language(tree_sitter_go.language()))


def _text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


@dataclass(slots=True)
class _Source:
    path: str
    lines: list[bytes]

    def location(self, node: Node, end: Node | None = None) -> SourceLocation:
        last = end or node
        return SourceLocation(
            self.path,
            node.start_point.row + 1,
            self._column(node.start_point.row, node.start_point.column),
            last.end_point.row + 1,
            self._column(last.end_point.row, last.end_point.column),
        )

    def _column(self, row: int, byte_column: int) -> int:
        # tree-sitter counts bytes; editors and SARIF count characters.
        line = self.lines[row] if row < len(self.lines) else b""
        return len(line[:byte_column].decode("utf-8", "replace")) + 1


def _walk(node: Node, *, into_literals: bool = True) -> Iterator[Node]:
    """Every node below ``node`` (pre-order); optionally not inside func literals."""
    stack = list(reversed(node.children))
    while stack:
        current = stack.pop()
        yield current
        if current.type == "func_literal" and not into_literals:
            continue
        stack.extend(reversed(current.children))


def _first_error(node: Node) -> Node | None:
    for child in _walk(node):
        if child.type == "ERROR" or child.is_missing:
            return child
    return None


# -- types ----------------------------------------------------------------------------------


def _type_of(node: Node | None, type_kinds: dict[str, str]) -> GoType:
    if node is None:
        return GoType("", "other")
    text = _text(node)
    kind = node.type
    if kind == "parenthesized_type" and node.named_child_count:
        return _type_of(node.named_children[0], type_kinds)
    simple = {
        "slice_type": "slice",
        "map_type": "map",
        "channel_type": "chan",
        "interface_type": "interface",
        "function_type": "func",
        "array_type": "array",
        "struct_type": "struct",
    }
    if kind in simple:
        return GoType(text, simple[kind])
    if kind == "pointer_type":
        pointee = _type_of(node.named_children[-1] if node.named_child_count else None, type_kinds)
        return GoType(text, "pointer", pointee_kind=pointee.kind, named=pointee.named)
    if kind == "qualified_type":
        package = _text(node.child_by_field_name("package"))
        if package == "C":
            return GoType(text, "c")
        return GoType(text, "basic" if text == "unsafe.Pointer" else "other")
    if kind == "type_identifier":
        if text in ("string", "any", "error"):
            return GoType(text, text)
        if text in _BASIC_TYPES:
            return GoType(text, "basic")
        if text in type_kinds:
            return GoType(text, "named", named=text)
        return GoType(text, "other")
    return GoType(text, "other")


def _underlying_kind(node: Node | None) -> str:
    if node is None:
        return "other"
    return _type_of(node, {}).kind


def _go_pointer_fields(struct: Node) -> list[str]:
    """Field types of a struct that hold Go pointers (cgo's pointer rules)."""
    found: list[str] = []
    for child in _walk(struct):
        if child.type != "field_declaration":
            continue
        type_node = child.child_by_field_name("type")
        kind = _type_of(type_node, {}).kind
        if kind in ("pointer", "slice", "map", "chan", "interface", "func", "string", "any", "error"):
            found.append(_text(type_node))
    return found


# -- one file -------------------------------------------------------------------------------


@dataclass(slots=True)
class _ParsedFile:
    source: _Source
    root: Node
    package: str
    imports_c: bool


def _parse_file(path: str) -> _ParsedFile:
    try:
        data = read_regular(path)
    except OSError as error:
        raise GoSourceError(f"cannot read {path}: {error.strerror or error}") from None
    if b"\0" in data[:8192]:
        raise GoSourceError(f"{path} is not a Go source file (it holds binary data)")
    tree = _parser().parse(data)
    root = tree.root_node
    source = _Source(path, data.split(b"\n"))
    broken = _first_error(root)
    if broken is not None:
        where = source.location(broken)
        raise GoSourceError(
            f"{path}:{where.line}:{where.column}: syntax error; the Go parser could not read this "
            "file, so nothing in it was checked"
        )
    package = ""
    imports_c = False
    for child in root.named_children:
        if child.type == "package_clause" and child.named_child_count:
            package = _text(child.named_children[0])
        elif child.type == "import_declaration":
            for spec in _walk(child):
                if spec.type == "import_spec":
                    path_node = spec.child_by_field_name("path")
                    if _text(path_node) in ('"C"', "`C`"):
                        imports_c = True
    if not package:
        raise GoSourceError(f"{path} has no package clause; it is not a Go source file")
    return _ParsedFile(source, root, package, imports_c)


def _suppressions(parsed: _ParsedFile) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for node in _walk(parsed.root):
        if node.type != "comment":
            continue
        match = _IGNORE_COMMENT.search(_text(node))
        if match is None:
            continue
        ids = {part.strip().upper() for part in match.group(1).split(",") if part.strip()}
        line = node.start_point.row + 1
        found.setdefault(line, set()).update(ids)
        prefix = parsed.source.lines[node.start_point.row][: node.start_point.column]
        if not prefix.strip():
            # A comment on a line of its own covers the line below it.
            found.setdefault(line + 1, set()).update(ids)
    return found


def _directives(parsed: _ParsedFile) -> list[ExportDirective]:
    """Top-level comments spelled like ``//export``, with the function they document."""
    children = parsed.root.children
    directives: list[ExportDirective] = []
    for index, node in enumerate(children):
        if node.type != "comment":
            continue
        text = _text(node)
        exact = text.startswith(_EXACT)
        loose = _LOOSE_DIRECTIVE.match(text)
        if not exact and loose is None:
            continue
        name = text[len(_EXACT) :].strip() if exact else (loose.group(1) or "" if loose else "")
        directive = ExportDirective(parsed.source.location(node), text, exact, name)
        target = _documented_declaration(children, index)
        if target is not None:
            name_node = target.child_by_field_name("name")
            directive.attached_to = _text(name_node)
            directive.attached_is_method = target.type == "method_declaration"
            directive.attached_is_generic = target.child_by_field_name("type_parameters") is not None
        directives.append(directive)
    return directives


def _documented_declaration(children: list[Node], index: int) -> Node | None:
    """The func or method whose doc comment group holds ``children[index]``:
    the group runs on consecutive lines and ends on the line before it."""
    line = children[index].end_point.row
    for following in children[index + 1 :]:
        if following.start_point.row > line + 1:
            return None  # a blank line ends the comment group
        if following.type == "comment":
            line = following.end_point.row
            continue
        if following.type in ("function_declaration", "method_declaration"):
            return following
        return None
    return None


# -- functions --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Context:
    """What a function body is read against."""

    source: _Source
    imports_c: bool
    type_kinds: dict[str, str]
    pointer_structs: dict[str, list[str]]
    shadowed: set[str] = field(default_factory=set)  # local names that hide "C"


def _parameters(node: Node | None, ctx: _Context) -> list[GoParameter]:
    if node is None:
        return []
    if node.type != "parameter_list":  # a single unnamed result type
        return [GoParameter("", _type_of(node, ctx.type_kinds), ctx.source.location(node))]
    found: list[GoParameter] = []
    for declaration in node.named_children:
        if declaration.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        type_node = declaration.child_by_field_name("type")
        go_type = _type_of(type_node, ctx.type_kinds)
        if declaration.type == "variadic_parameter_declaration":
            go_type = GoType("..." + go_type.text, "slice")
        names = [c for c in declaration.children_by_field_name("name")]
        for name in names or [declaration]:
            label = _text(name) if names else ""
            found.append(GoParameter(label, go_type, ctx.source.location(name)))
    return found


def _callee(call: Node) -> str:
    function = call.child_by_field_name("function")
    if function is None:
        return ""
    if function.type in ("identifier", "selector_expression"):
        return _text(function)
    return ""


def _is_cgo(callee: str, ctx: _Context) -> bool:
    return ctx.imports_c and "C" not in ctx.shadowed and callee.startswith("C.")


def _strip_conversions(node: Node) -> Node:
    """Climb from an expression through conversions wrapping it: unsafe.Pointer(x),
    (*C.char)(x), parentheses."""
    current = node
    while current.parent is not None:
        parent = current.parent
        if parent.type == "parenthesized_expression":
            current = parent
            continue
        if parent.type == "argument_list" and parent.parent is not None:
            call = parent.parent
            function = call.child_by_field_name("function")
            if parent.named_child_count == 1 and function is not None and _is_conversion(function):
                current = call
                continue
        break
    return current


def _is_conversion(function: Node) -> bool:
    if function.type == "parenthesized_expression":
        return True  # (*T)(x)
    text = _text(function)
    return text in ("unsafe.Pointer", "uintptr") or text in _BASIC_TYPES or _is_c_type_conversion(text)


def _declared_names(body: Node) -> set[str]:
    names: set[str] = set()
    for node in _walk(body):
        if node.type == "short_var_declaration":
            left = node.child_by_field_name("left")
            if left is not None:
                names.update(_text(c) for c in left.named_children if c.type == "identifier")
        elif node.type in ("var_spec", "const_spec", "parameter_declaration"):
            names.update(_text(c) for c in node.children_by_field_name("name"))
        elif node.type == "range_clause":
            left = node.child_by_field_name("left")
            if left is not None:
                names.update(_text(c) for c in left.named_children if c.type == "identifier")
    return names


def _may_panic(body: Node, ctx: _Context) -> bool:
    for node in _walk(body):
        kind = node.type
        if kind in ("index_expression", "slice_expression", "type_assertion_expression", "send_statement"):
            return True
        if kind == "unary_expression" and _text(node.child_by_field_name("operator")) == "*":
            if node.parent is not None and node.parent.type == "parenthesized_expression":
                continue  # (*C.char)(p): a conversion, not a dereference
            return True
        if kind == "binary_expression" and _text(node.child_by_field_name("operator")) in ("/", "%"):
            return True
        if kind == "call_expression":
            function = node.child_by_field_name("function")
            callee = _callee(node)
            if function is not None and _is_conversion(function):
                continue
            if _is_cgo(callee, ctx) or callee in _SAFE_CALLS or callee.startswith("unsafe."):
                continue
            if callee in ctx.type_kinds:  # Status(x): a conversion to a package type
                continue
            return True
    return False


def _defers(body: Node, ctx: _Context) -> list[DeferFact]:
    statements = _statements(body)
    top_level_ids = {s.id for s in statements}
    seen_return = False
    return_before: dict[int, bool] = {}
    for statement in statements:
        if statement.type == "return_statement":
            seen_return = True
        return_before[statement.id] = seen_return
    found: list[DeferFact] = []
    for node in _walk(body, into_literals=False):
        if node.type != "defer_statement" or not node.named_child_count:
            continue
        call = node.named_children[0]
        function = call.child_by_field_name("function") if call.type == "call_expression" else None
        fact = DeferFact(
            ctx.source.location(node),
            top_level=node.id in top_level_ids,
            after_return=return_before.get(node.id, False),
            callee=None,
            literal_calls_recover=False,
        )
        if function is not None and function.type == "func_literal":
            literal_body = function.child_by_field_name("body")
            if literal_body is not None:
                calls = [
                    _callee(n)
                    for n in _walk(literal_body, into_literals=False)
                    if n.type == "call_expression"
                ]
                fact.literal_calls = [c for c in calls if c]
                fact.literal_calls_recover = "recover" in calls
        elif function is not None:
            fact.callee = _text(function)
        found.append(fact)
    return found


def _statements(body: Node) -> list[Node]:
    for child in body.named_children:
        if child.type == "statement_list":
            return list(child.named_children)
    return [c for c in body.named_children if c.type != "comment"]


def _identifier_uses(body: Node, name: str, after: Node) -> Iterator[Node]:
    for node in _walk(body):
        if node.type == "identifier" and _text(node) == name and node.start_byte >= after.end_byte:
            yield node


def _usage(expression: Node, ctx: _Context) -> str:
    """What happens to a value: "freed", "returned", "escapes", "argument",
    "assigned:<name>", or "other"."""
    outer = _strip_conversions(expression)
    parent = outer.parent
    if parent is None:
        return "other"
    if parent.type == "argument_list" and parent.parent is not None:
        callee = _callee(parent.parent)
        if _FREE_LIKE.search(callee.rsplit(".", 1)[-1]):
            return "freed"
        if callee == "append":
            return "escapes"
        return "argument"
    if parent.type == "expression_list" and parent.parent is not None:
        holder = parent.parent
        if holder.type == "return_statement":
            return "returned"
        if holder.type in ("short_var_declaration", "assignment_statement"):
            if holder.child_by_field_name("right") != parent:
                return "other"  # the value is being assigned to, not used
            index = [c.id for c in parent.named_children].index(outer.id)
            left = holder.child_by_field_name("left")
            targets = left.named_children if left is not None else []
            if (
                index < len(targets)
                and targets[index].type == "identifier"
                and len(targets) == len(parent.named_children)
            ):
                return f"assigned:{_text(targets[index])}"
            return "escapes"
        if holder.type == "var_spec":
            names = holder.children_by_field_name("name")
            index = [c.id for c in parent.named_children].index(outer.id)
            return f"assigned:{_text(names[index])}" if index < len(names) else "escapes"
    if parent.type in ("literal_element", "keyed_element", "send_statement"):
        return "escapes"
    if parent.type == "return_statement":
        return "returned"
    return "other"


def _allocations(body: Node, ctx: _Context) -> list[CAllocation]:
    found: list[CAllocation] = []
    for call in _walk(body):
        if call.type != "call_expression":
            continue
        callee = _callee(call)
        if callee not in ("C.CString", "C.CBytes") or not _is_cgo(callee, ctx):
            continue
        usage = _usage(call, ctx)
        allocation = CAllocation(
            ctx.source.location(call),
            callee,
            variable=None,
            freed=usage == "freed",
            returned=usage == "returned",
            escapes=usage in ("escapes", "other"),
            inline_argument=usage == "argument",
        )
        if usage.startswith("assigned:"):
            name = usage.split(":", 1)[1]
            allocation.variable = name
            if name == "_":
                allocation.inline_argument = True  # dropped on the floor
            for use in _identifier_uses(body, name, call):
                later = _usage(use, ctx)
                allocation.freed |= later == "freed"
                allocation.returned |= later == "returned"
                allocation.escapes |= later == "escapes" or later.startswith("assigned:")
        found.append(allocation)
    return found


def _go_pointer_expression(node: Node) -> bool:
    """``&x``, ``&T{}``, ``&s[0]``, possibly wrapped in conversions."""
    current = node
    while True:
        if current.type == "unary_expression" and _text(current.child_by_field_name("operator")) == "&":
            return True
        if current.type == "parenthesized_expression" and current.named_child_count:
            current = current.named_children[0]
            continue
        if current.type == "call_expression":
            function = current.child_by_field_name("function")
            arguments = current.child_by_field_name("arguments")
            if (
                function is not None
                and _is_conversion(function)
                and arguments is not None
                and arguments.named_child_count == 1
            ):
                current = arguments.named_children[0]
                continue
        return False


def _c_typed_variables(body: Node, parameters: list[GoParameter]) -> set[str]:
    names = {
        p.name for p in parameters if p.type.kind == "c" or (p.type.kind == "pointer" and "C." in p.type.text)
    }
    for node in _walk(body):
        if node.type == "short_var_declaration":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is None or right is None:
                continue
            for target, value in zip(left.named_children, right.named_children, strict=False):
                text = _text(value).lstrip("&(*")
                if target.type == "identifier" and text.startswith("C."):
                    names.add(_text(target))
        elif node.type == "var_spec":
            type_node = node.child_by_field_name("type")
            if type_node is not None and "C." in _text(type_node):
                names.update(_text(n) for n in node.children_by_field_name("name"))
    return names


def _local_struct_types(body: Node, ctx: _Context) -> dict[str, str]:
    """Local variables of package struct types holding Go pointers: name -> type."""
    found: dict[str, str] = {}
    for node in _walk(body):
        if node.type == "var_spec":
            type_text = _text(node.child_by_field_name("type")).lstrip("*")
            if type_text in ctx.pointer_structs:
                for name in node.children_by_field_name("name"):
                    found[_text(name)] = type_text
        elif node.type == "short_var_declaration":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is None or right is None:
                continue
            for target, value in zip(left.named_children, right.named_children, strict=False):
                if value.type == "unary_expression":
                    value = value.child_by_field_name("operand") or value
                if value.type == "composite_literal":
                    type_text = _text(value.child_by_field_name("type"))
                    if type_text in ctx.pointer_structs and target.type == "identifier":
                        found[_text(target)] = type_text
    return found


def _pointer_stores(body: Node, ctx: _Context, parameters: list[GoParameter]) -> list[PointerStore]:
    if not ctx.imports_c or "C" in ctx.shadowed:
        return []
    c_variables = _c_typed_variables(body, parameters)
    struct_locals = _local_struct_types(body, ctx)
    found: list[PointerStore] = []
    for node in _walk(body):
        if node.type == "assignment_statement":
            left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
            if left is None or right is None:
                continue
            for target, value in zip(left.named_children, right.named_children, strict=False):
                if not _go_pointer_expression(value):
                    continue
                base = target
                while base.type in ("selector_expression", "index_expression") and base.named_child_count:
                    inner = base.child_by_field_name("operand")
                    if inner is None:
                        break
                    base = inner
                if target.type == "selector_expression" and _text(target).startswith("C."):
                    found.append(PointerStore(ctx.source.location(node), "c-global", _text(node)))
                elif target is not base and base.type == "identifier" and _text(base) in c_variables:
                    found.append(PointerStore(ctx.source.location(node), "c-field", _text(node)))
        elif node.type == "call_expression":
            callee = _callee(node)
            if not _is_cgo(callee, ctx) or _is_c_type_conversion(callee):
                continue
            arguments = node.child_by_field_name("arguments")
            for argument in arguments.named_children if arguments is not None else []:
                if _go_pointer_expression(argument):
                    target_name = _pointer_target(argument)
                    if target_name in struct_locals:
                        found.append(
                            PointerStore(ctx.source.location(argument), "c-call-struct", _text(argument))
                        )
                    elif _keeps(callee):
                        found.append(
                            PointerStore(ctx.source.location(argument), "c-call-keeps", _text(argument))
                        )
                elif argument.type == "call_expression" and _text(argument).startswith("unsafe.Pointer("):
                    inner = argument.child_by_field_name("arguments")
                    name = (
                        _text(inner.named_children[0])
                        if inner is not None and inner.named_child_count
                        else ""
                    )
                    if name in struct_locals:
                        found.append(
                            PointerStore(ctx.source.location(argument), "c-call-struct", _text(argument))
                        )
    return found


_C_SCALAR_TYPES = frozenset(
    (
        "char",
        "schar",
        "uchar",
        "short",
        "ushort",
        "int",
        "uint",
        "long",
        "ulong",
        "longlong",
        "ulonglong",
        "float",
        "double",
        "size_t",
    )
)


def _is_c_type_conversion(callee: str) -> bool:
    """C.int(x), C.size_t(n), C.uint32_t(v): conversions to C types, not calls."""
    if not callee.startswith("C."):
        return False
    name = callee[2:]
    return name in _C_SCALAR_TYPES or re.fullmatch(r"u?int(8|16|32|64|ptr)_t", name) is not None


def _pointer_target(expression: Node) -> str:
    for node in _walk(expression):
        if node.type == "unary_expression" and _text(node.child_by_field_name("operator")) == "&":
            operand = node.child_by_field_name("operand")
            while operand is not None and operand.type in ("index_expression", "selector_expression"):
                operand = operand.child_by_field_name("operand")
            return _text(operand)
    return ""


def _keeps(callee: str) -> bool:
    name = callee[2:]
    words = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower().split("_")
    return any(word in _KEEPING_WORDS for word in words)


def _function(node: Node, ctx: _Context) -> GoFunction:
    name_node = node.child_by_field_name("name")
    body = node.child_by_field_name("body")
    receiver = node.child_by_field_name("receiver")
    parameters = _parameters(node.child_by_field_name("parameters"), ctx)
    results = _parameters(node.child_by_field_name("result"), ctx)
    local = _Context(ctx.source, ctx.imports_c, ctx.type_kinds, ctx.pointer_structs)
    if body is not None:
        local.shadowed = {"C"} & (_declared_names(body) | {p.name for p in parameters})
    function = GoFunction(
        name=_text(name_node),
        location=ctx.source.location(name_node or node),
        receiver=_text(receiver) if receiver is not None else None,
        generic=node.child_by_field_name("type_parameters") is not None,
        parameters=parameters,
        results=results,
        defers=[],
        calls_recover=False,
        may_panic=False,
        allocations=[],
        pointer_stores=[],
        calls_c_free_on_parameter=False,
        calls_c_free=False,
        lock_os_thread=None,
        unlock_os_thread=None,
        returns_c_allocation=None,
    )
    if body is None:
        return function
    function.defers = _defers(body, local)
    function.may_panic = _may_panic(body, local)
    function.allocations = _allocations(body, local)
    function.pointer_stores = _pointer_stores(body, local, parameters)
    returned = next((a for a in function.allocations if a.returned), None)
    function.returns_c_allocation = returned.location if returned else None
    parameter_names = {p.name for p in parameters}
    for call in _walk(body, into_literals=False):
        if call.type == "call_expression" and _callee(call) == "recover":
            function.calls_recover = True
    for call in _walk(body):
        if call.type != "call_expression":
            continue
        callee = _callee(call)
        if callee == "C.free" and _is_cgo(callee, local):
            arguments = call.child_by_field_name("arguments")
            used = {_text(n) for n in _walk(arguments) if n.type == "identifier"} if arguments else set()
            function.calls_c_free_on_parameter |= bool(used & parameter_names)
            function.calls_c_free = True
        elif callee == "runtime.LockOSThread" and function.lock_os_thread is None:
            function.lock_os_thread = local.source.location(call)
        elif callee == "runtime.UnlockOSThread":
            deferred = any(a.type == "defer_statement" for a in _ancestors(call, body))
            if deferred:
                function.unlock_os_thread = "deferred"
            elif function.unlock_os_thread is None:
                function.unlock_os_thread = "direct"
    return function


def _ancestors(node: Node, stop: Node) -> Iterator[Node]:
    current = node.parent
    while current is not None and current.id != stop.id:
        yield current
        current = current.parent


# -- packages ---------------------------------------------------------------------------------


def go_files(folder: str) -> list[str]:
    """The package's .go files (tests left out), sorted."""
    try:
        names = sorted(os.listdir(folder))
    except OSError as error:
        raise GoSourceError(f"cannot list {folder}: {error.strerror or error}") from None
    return [
        os.path.join(folder, n)
        for n in names
        if n.endswith(".go") and not n.endswith("_test.go") and os.path.isfile(os.path.join(folder, n))
    ]


def read_package(folder: str, files: list[str] | None = None) -> GoPackage:
    """Read the Go files of ``folder`` (or just ``files``). Files that do not
    parse are listed in ``errors`` and left out; the rest is still read."""
    paths = files if files is not None else go_files(folder)
    package = GoPackage(folder=folder, name="", files=[])
    parsed: list[_ParsedFile] = []
    for path in paths:
        try:
            parsed.append(_parse_file(path))
        except GoSourceError as error:
            package.errors.append((path, str(error)))
    names = {p.package for p in parsed}
    if len(names) > 1:
        # Mixed packages (e.g. a stray "package foo_test" or a generator script):
        # keep the majority package, like `go build` would refuse the rest.
        majority = max(sorted(names), key=lambda n: sum(p.package == n for p in parsed))
        for item in parsed:
            if item.package != majority:
                package.errors.append(
                    (
                        item.source.path,
                        f"{item.source.path} is in package {item.package}, not {majority}; skipped",
                    )
                )
        parsed = [p for p in parsed if p.package == majority]
    package.name = parsed[0].package if parsed else ""
    type_kinds: dict[str, str] = {}
    for item in parsed:
        for node in _walk(item.root, into_literals=False):
            if node.type == "type_spec" and node.parent is not None and node.parent.parent == item.root:
                type_name = _text(node.child_by_field_name("name"))
                underlying = node.child_by_field_name("type")
                type_kinds[type_name] = _underlying_kind(underlying)
                if underlying is not None and underlying.type == "struct_type":
                    pointer_fields = _go_pointer_fields(underlying)
                    if pointer_fields:
                        package.pointer_structs[type_name] = pointer_fields
    for item in parsed:
        ctx = _Context(item.source, item.imports_c, type_kinds, package.pointer_structs)
        functions = [
            _function(node, ctx)
            for node in item.root.named_children
            if node.type in ("function_declaration", "method_declaration")
        ]
        package.files.append(
            GoFile(
                path=item.source.path,
                package=item.package,
                imports_c=item.imports_c,
                directives=_directives(item),
                functions=functions,
                suppressions=_suppressions(item),
            )
        )
    package.type_kinds = type_kinds
    return package
