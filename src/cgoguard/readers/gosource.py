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

Work and memory are linear in the size of the files, whatever their shape:
the tree is walked with cursors (a ``Node.children`` list is cached on its
node, so walking that way from a long-lived node would keep a Python object
for every node of the file), never climbed with ``Node.parent`` (tree-sitter
finds a parent by descending from the root, past every earlier top-level
declaration), each function body is walked once, and texts that could nest
inside one another (callees, pointer hand-offs) are shown bounded. Types
nested deeper than :data:`~cgoguard.readers.limits.TYPE_NESTING_LIMIT` make
the file an error of its own.
"""

from __future__ import annotations

import os
import re
import sys
from bisect import bisect_left
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache

import tree_sitter_go
from tree_sitter import Language, Node, Parser, Point, Query, QueryCursor, Range, Tree, TreeCursor

from cgoguard.errors import InputError
from cgoguard.fileio import read_source
from cgoguard.model import SourceLocation
from cgoguard.readers.limits import TYPE_NESTING_LIMIT
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


# Node kinds that nest one type inside another (type identifiers and qualified
# names are leaves). A file's type nesting is how many of them enclose each other.
_NESTING_TYPES = (
    "array_type",
    "channel_type",
    "function_type",
    "generic_type",
    "implicit_length_array_type",
    "interface_type",
    "map_type",
    "negated_type",
    "parenthesized_type",
    "pointer_type",
    "slice_type",
    "struct_type",
)
_SHOWN_BYTES = 200  # texts that may nest in one another are shown as head…tail past this
_CONVERSION_BYTES = 32  # longer than any callee _is_conversion accepts ("C.unsigned_long_long" etc.)
_C_VALUE = re.compile(rb"[&(*]*C\.")  # a value written as C.x, &C.x{}, (*C.t)(p), ...
_NON_BLANK = re.compile(rb"[^ \t\r\x0b\x0c]")  # what bytes.strip() keeps on a line (the newline ends it)
# Per byte: 1 for a UTF-8 continuation byte (not the start of a character), else 0.
_CONTINUATION = bytes(1 if 0x80 <= value < 0xC0 else 0 for value in range(256))
_BLOCK = 4096  # continuation bytes are counted per block of this many bytes
# Larger files are parsed in chunks of whole top-level declarations: a tree takes about
# 50 times the bytes it is parsed from, so only one chunk's tree is in memory at a time.
_CHUNK_BYTES = 1 << 18
_DECLARATION_LINE = re.compile(rb"^(?:func|type|var|const|import)\b", re.MULTILINE)


class GoSourceError(InputError):
    """A Go file or folder that cannot be read; the message is for the user."""


@cache
def _language() -> Language:
    return Language(tree_sitter_go.language())


@cache
def _parser() -> Parser:
    return Parser(_language())


@cache
def _file_query() -> Query:
    """Every comment and every type node that can hold another type, in one pass (in C)."""
    types = " ".join(f"({kind})" for kind in _NESTING_TYPES)
    return Query(_language(), f"(comment) @comment [{types}] @type")


def _text(node: Node | None) -> str:
    if node is None or node.text is None:
        return ""
    return node.text.decode("utf-8", "replace")


def _name(node: Node | None) -> str:
    """An identifier's text, one string object for each spelling (names repeat: parameters,
    a directive's name and the function it documents)."""
    return sys.intern(_text(node))


def _children(node: Node) -> Iterator[Node]:
    """The children of ``node`` through a cursor: unlike ``node.children`` this
    caches nothing on ``node``."""
    cursor = node.walk()
    if not cursor.goto_first_child():
        return
    while True:
        child = cursor.node
        if child is not None:
            yield child
        if not cursor.goto_next_sibling():
            return


def _walk(node: Node, descend: Callable[[Node], bool] | None = None) -> Iterator[Node]:
    """Every node below ``node`` in pre-order, through a cursor; below a node only
    where ``descend`` (if given) says so."""
    cursor = node.walk()
    if not cursor.goto_first_child():
        return
    depth = 1
    while True:
        current = cursor.node
        if current is not None:
            yield current
        if (descend is None or (current is not None and descend(current))) and cursor.goto_first_child():
            depth += 1
            continue
        while not cursor.goto_next_sibling():
            cursor.goto_parent()
            depth -= 1
            if depth == 0:
                return


class _Source:
    """A file's bytes, for positions and bounded texts."""

    __slots__ = ("_blocks", "_continuations", "_first_non_blank", "data", "path")

    def __init__(self, path: str, data: bytes) -> None:
        self.path = path
        self.data = data
        # None for pure ASCII (columns are byte columns); else 1 per continuation byte.
        self._continuations = None if data.isascii() else data.translate(_CONTINUATION)
        self._blocks = [0]  # continuation bytes before each block
        self._first_non_blank: dict[int, int] = {}  # line start -> its first non-blank byte

    def location(self, node: Node, end: Node | None = None) -> SourceLocation:
        last = end or node
        start, stop = node.start_point, last.end_point
        line = start.row + 1
        return SourceLocation(
            self.path,
            line,
            self._column(node.start_byte, start.column),
            line if stop.row == start.row else stop.row + 1,  # one int object where they are equal
            self._column(last.end_byte, stop.column),
        )

    def _column(self, offset: int, byte_column: int) -> int:
        # tree-sitter counts bytes; editors and SARIF count characters: the bytes of
        # the line before ``offset`` that start a character. (In a file that is not valid
        # UTF-8, a stray continuation byte counts as no character, not as one U+FFFD.)
        if self._continuations is None:
            return byte_column + 1
        inside = self._continuations_before(offset) - self._continuations_before(offset - byte_column)
        return byte_column - inside + 1

    def _continuations_before(self, offset: int) -> int:
        marks = self._continuations
        assert marks is not None
        blocks = self._blocks
        block = offset // _BLOCK
        while len(blocks) <= block:
            index = len(blocks)
            blocks.append(blocks[-1] + marks.count(1, (index - 1) * _BLOCK, index * _BLOCK))
        return blocks[block] + marks.count(1, block * _BLOCK, offset)

    def shown(self, node: Node) -> str:
        """The node's text, or its start and end around "…" when it is long."""
        start, end = node.start_byte, node.end_byte
        if end - start <= _SHOWN_BYTES:
            return self.data[start:end].decode("utf-8", "replace")
        half = _SHOWN_BYTES // 2
        head = self.data[start : start + half].decode("utf-8", "replace")
        return head + "…" + self.data[end - half : end].decode("utf-8", "replace")

    def starts_with(self, node: Node, prefix: bytes) -> bool:
        return self.data.startswith(prefix, node.start_byte, node.end_byte)

    def text_if_within(self, node: Node, limit: int) -> str | None:
        """The node's text when it has at most ``limit`` bytes."""
        if node.end_byte - node.start_byte > limit:
            return None
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def blank_before(self, node: Node) -> bool:
        """Only blanks between the start of the node's line and the node."""
        line_start = node.start_byte - node.start_point.column
        first = self._first_non_blank.get(line_start)
        if first is None:
            match = _NON_BLANK.search(self.data, line_start)
            first = match.start() if match is not None else len(self.data)
            self._first_non_blank[line_start] = first
        return first >= node.start_byte


def _first_error(root: Node) -> Node | None:
    """The first ERROR or missing node below ``root`` in pre-order, looking only
    inside subtrees that hold one."""
    if not root.has_error:
        return None
    found = (n for n in _walk(root, lambda n: n.has_error) if n.type == "ERROR" or n.is_missing)
    return next(found, None)


# -- types ----------------------------------------------------------------------------------

_SIMPLE_KINDS = {
    "slice_type": "slice",
    "map_type": "map",
    "channel_type": "chan",
    "interface_type": "interface",
    "function_type": "func",
    "array_type": "array",
    "struct_type": "struct",
}


def _unparenthesized(node: Node) -> Node:
    while node.type == "parenthesized_type" and node.named_child_count:
        node = node.named_children[0]
    return node


def _pointee(pointer: Node) -> Node | None:
    count = pointer.named_child_count
    return _unparenthesized(pointer.named_child(count - 1)) if count else None


def _kind_of(node: Node | None, type_kinds: dict[str, str]) -> str:
    """The shape of a type (see GoType.kind), without rendering its text."""
    if node is None:
        return "other"
    node = _unparenthesized(node)
    kind = node.type
    if kind in _SIMPLE_KINDS:
        return _SIMPLE_KINDS[kind]
    if kind == "pointer_type":
        return "pointer"
    if kind == "qualified_type":
        if _text(node.child_by_field_name("package")) == "C":
            return "c"
        return "basic" if _text(node) == "unsafe.Pointer" else "other"
    if kind == "type_identifier":
        text = _text(node)
        if text in ("string", "any", "error"):
            return text
        if text in _BASIC_TYPES:
            return "basic"
        return "named" if text in type_kinds else "other"
    return "other"


def _type_of(node: Node | None, type_kinds: dict[str, str]) -> GoType:
    if node is None:
        return GoType("", "other")
    node = _unparenthesized(node)
    text = _text(node)
    if node.type != "pointer_type":
        kind = _kind_of(node, type_kinds)
        return GoType(text, kind, named=text if kind == "named" else None)
    pointee = _pointee(node)
    innermost = pointee
    while innermost is not None and innermost.type == "pointer_type":
        innermost = _pointee(innermost)
    named = _text(innermost) if _kind_of(innermost, type_kinds) == "named" else None
    return GoType(text, "pointer", pointee_kind=_kind_of(pointee, type_kinds), named=named)


def _go_pointer_fields(struct: Node, source: _Source) -> list[str]:
    """Field types of a struct that hold Go pointers (cgo's pointer rules)."""
    found: list[str] = []
    for child in _walk(struct):
        if child.type != "field_declaration":
            continue
        type_node = child.child_by_field_name("type")
        kind = _kind_of(type_node, {})
        if type_node is not None and kind in (
            "pointer",
            "slice",
            "map",
            "chan",
            "interface",
            "func",
            "string",
            "any",
            "error",
        ):
            found.append(source.shown(type_node))
    return found


def _type_nesting(types: list[Node]) -> tuple[int, Node | None]:
    """How deep type nodes enclose each other, and the first node past the limit."""
    spans = sorted(types, key=lambda n: (n.start_byte, -n.end_byte))
    open_ends: list[int] = []
    deepest, first_too_deep = 0, None
    for node in spans:
        while open_ends and open_ends[-1] <= node.start_byte:
            open_ends.pop()
        open_ends.append(node.end_byte)
        if len(open_ends) > deepest:
            deepest = len(open_ends)
            if deepest > TYPE_NESTING_LIMIT and first_too_deep is None:
                first_too_deep = node
    return deepest, first_too_deep


# -- one file -------------------------------------------------------------------------------


@dataclass(slots=True)
class _TypeSpec:
    name: str
    kind: str  # of the underlying type
    pointer_fields: list[str] | None  # for struct types


@dataclass(slots=True)
class _Chunk:
    """Whole top-level declarations of a file, parsed as a tree of their own."""

    start: int
    end: int
    start_point: Point
    end_point: Point

    def parse(self, data: bytes) -> Tree:
        if self.start == 0 and self.end == len(data):
            return _parser().parse(data)
        span = Range(self.start_point, self.end_point, self.start, self.end)
        return Parser(_language(), included_ranges=[span]).parse(data)


def _chunks(data: bytes) -> list[_Chunk]:
    """Byte ranges of at least _CHUNK_BYTES, each starting on a line that starts a
    top-level declaration (the last one ends the file). A line like that inside a
    declaration, string or comment leaves the chunk before it unterminated, so it
    does not parse on its own and the file is then parsed whole."""
    starts = [0]
    found = _DECLARATION_LINE.search(data, _CHUNK_BYTES)
    while found is not None:
        starts.append(found.start())
        found = _DECLARATION_LINE.search(data, found.start() + _CHUNK_BYTES)
    chunks: list[_Chunk] = []
    row = 0
    for start, end in zip(starts, [*starts[1:], len(data)], strict=True):
        end_row = row + data.count(b"\n", start, end)
        end_column = 0 if end < len(data) else end - (data.rfind(b"\n", 0, end) + 1)
        chunks.append(_Chunk(start, end, Point(row, 0), Point(end_row, end_column)))
        row = end_row
    return chunks


@dataclass(slots=True)
class _ParsedFile:
    source: _Source
    chunks: list[_Chunk]
    tree: Tree | None  # the one tree of a file read whole; chunks are parsed again when read
    package: str
    imports_c: bool
    type_specs: list[_TypeSpec]
    suppressions: dict[int, set[str]]

    def top_level(self) -> Iterator[Node]:
        """The top-level nodes, one chunk's tree in memory at a time."""
        if self.tree is not None:
            yield from _children(self.tree.root_node)
            return
        for chunk in self.chunks:
            yield from _children(chunk.parse(self.source.data).root_node)


class _Unsplittable(Exception):
    """A chunk of a file does not parse on its own."""


def _parse_file(path: str) -> _ParsedFile:
    try:
        data = read_source(path, "a Go source file")
    except ValueError as error:
        raise GoSourceError(str(error)) from None
    source = _Source(path, data)
    chunks = _chunks(data)
    if len(chunks) > 1:
        try:
            return _scan(source, chunks)
        except _Unsplittable:
            pass
    return _scan(source, [_Chunk(0, len(data), Point(0, 0), Point(0, 0))])


def _scan(source: _Source, chunks: list[_Chunk]) -> _ParsedFile:
    """What the package needs to know about a file before its functions are read."""
    path = source.path
    package = ""
    imports_c = False
    type_specs: list[_TypeSpec] = []
    suppressions: dict[int, set[str]] = {}
    deepest, too_deep = 0, None
    tree = None
    for chunk in chunks:
        tree = chunk.parse(source.data)
        root = tree.root_node
        broken = _first_error(root)
        if broken is not None:
            if len(chunks) > 1:
                raise _Unsplittable
            where = source.location(broken)
            raise GoSourceError(
                f"{path}:{where.line}:{where.column}: syntax error; the Go parser could not read this "
                "file, so nothing in it was checked"
            )
        for child in _children(root):
            if child.type == "package_clause" and child.named_child_count:
                package = _text(child.named_child(0))
            elif child.type == "import_declaration":
                for spec in _walk(child):
                    if spec.type == "import_spec":
                        path_node = spec.child_by_field_name("path")
                        if _text(path_node) in ('"C"', "`C`"):
                            imports_c = True
            elif child.type == "type_declaration":
                type_specs += (_type_spec(s, source) for s in _children(child) if s.type == "type_spec")
        captures = QueryCursor(_file_query()).captures(root)
        depth, first_too_deep = _type_nesting(captures.get("type", []))
        deepest = max(deepest, depth)
        if too_deep is None:
            too_deep = first_too_deep
        _suppressions(captures.get("comment", []), source, suppressions)
    if not package:
        raise GoSourceError(f"{path} has no package clause; it is not a Go source file")
    if too_deep is not None:
        where = source.location(too_deep)
        raise GoSourceError(
            f"{path}:{where.line}:{where.column}: nests types {deepest} deep, deeper than cgoguard reads "
            f"(limit {TYPE_NESTING_LIMIT}), so nothing in it was checked"
        )
    kept = tree if len(chunks) == 1 else None
    return _ParsedFile(source, chunks, kept, package, imports_c, type_specs, suppressions)


def _type_spec(spec: Node, source: _Source) -> _TypeSpec:
    underlying = spec.child_by_field_name("type")
    fields = None
    if underlying is not None and underlying.type == "struct_type":
        fields = _go_pointer_fields(underlying, source)
    return _TypeSpec(_text(spec.child_by_field_name("name")), _kind_of(underlying, {}), fields)


def _suppressions(comments: list[Node], source: _Source, found: dict[int, set[str]]) -> None:
    """Add the check IDs each //cgoguard:ignore comment names to the lines it covers."""
    for node in comments:
        match = _IGNORE_COMMENT.search(_text(node))
        if match is None:
            continue
        ids = {part.strip().upper() for part in match.group(1).split(",") if part.strip()}
        line = node.start_point.row + 1
        found.setdefault(line, set()).update(ids)
        if source.blank_before(node):
            # A comment on a line of its own covers the line below it.
            found.setdefault(line + 1, set()).update(ids)


def _directive(node: Node, source: _Source) -> ExportDirective | None:
    """A comment spelled like ``//export``, not yet attached."""
    text = _text(node)
    exact = text.startswith(_EXACT)
    loose = _LOOSE_DIRECTIVE.match(text)
    if not exact and loose is None:
        return None
    name = text[len(_EXACT) :].strip() if exact else (loose.group(1) or "" if loose else "")
    name = sys.intern(name) if len(name) <= _SHOWN_BYTES else name
    return ExportDirective(source.location(node), text, exact, name)


@dataclass(slots=True)
class _DocGroup:
    """The top-level comments on consecutive lines seen last, and the directives among
    them: they document the func or method that starts on the line after the last."""

    directives: list[ExportDirective] = field(default_factory=list)
    end_row: int = -2

    def see(self, node: Node, source: _Source) -> ExportDirective | None:
        if node.start_point.row > self.end_row + 1:
            self.directives = []  # a blank line ends the comment group
        if node.type != "comment":
            if node.type in ("function_declaration", "method_declaration"):
                for pending in self.directives:
                    pending.attached_to = _name(node.child_by_field_name("name"))
                    pending.attached_is_method = node.type == "method_declaration"
                    pending.attached_is_generic = node.child_by_field_name("type_parameters") is not None
            self.directives = []
            return None
        self.end_row = node.end_point.row
        directive = _directive(node, source)
        if directive is not None:
            self.directives.append(directive)
        return directive


# -- functions --------------------------------------------------------------------------------


@dataclass(slots=True)
class _Context:
    """What a function body is read against."""

    source: _Source
    imports_c: bool
    type_kinds: dict[str, str]
    pointer_structs: dict[str, list[str]]
    # One GoType object for each distinct type of the package's signatures (facts are read-only).
    types: dict[tuple[str, str, str | None, str | None], GoType]

    def shared(self, go_type: GoType) -> GoType:
        key = (go_type.text, go_type.kind, go_type.pointee_kind, go_type.named)
        return self.types.setdefault(key, go_type)


def _parameters(node: Node | None, ctx: _Context) -> list[GoParameter]:
    if node is None:
        return []
    if node.type != "parameter_list":  # a single unnamed result type
        return [GoParameter("", ctx.shared(_type_of(node, ctx.type_kinds)), ctx.source.location(node))]
    found: list[GoParameter] = []
    for declaration in node.named_children:
        if declaration.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        type_node = declaration.child_by_field_name("type")
        go_type = _type_of(type_node, ctx.type_kinds)
        if declaration.type == "variadic_parameter_declaration":
            go_type = GoType("..." + go_type.text, "slice")
        go_type = ctx.shared(go_type)
        names = [c for c in declaration.children_by_field_name("name")]
        for name in names or [declaration]:
            label = _name(name) if names else ""
            found.append(GoParameter(label, go_type, ctx.source.location(name)))
    return found


def _callee_of(function: Node | None, source: _Source) -> str:
    """A callee as written: in full for a name or ``x.Name``, bounded otherwise
    (a callee can hold calls that hold callees)."""
    if function is None:
        return ""
    if function.type == "identifier":
        return _text(function)
    operand = function.child_by_field_name("operand") if function.type == "selector_expression" else None
    if operand is not None and operand.type == "identifier":
        return _text(function)
    return source.shown(function)


def _callee(call: Node, source: _Source) -> str:
    function = call.child_by_field_name("function")
    if function is None or function.type not in ("identifier", "selector_expression"):
        return ""
    return _callee_of(function, source)


def _is_conversion(function: Node) -> bool:
    if function.type == "parenthesized_expression":
        return True  # (*T)(x)
    if function.end_byte - function.start_byte > _CONVERSION_BYTES:
        return False
    text = _text(function)
    return text in ("unsafe.Pointer", "uintptr") or text in _BASIC_TYPES or _is_c_type_conversion(text)


def _names(nodes: list[Node]) -> list[str]:
    return [_text(n) for n in nodes if n.type == "identifier"]


def _statements(body: Node) -> list[Node]:
    for child in body.named_children:
        if child.type == "statement_list":
            return list(child.named_children)
    return [c for c in body.named_children if c.type != "comment"]


# What a use of a value does with it (see _Usages.of), as bits for the uses of a variable.
_FREED, _RETURNED, _ESCAPES = 1, 2, 4


class _Usages:
    """What happens to a value, read from the chain of its ancestors (the walk's
    path) instead of Node.parent; lists of wide nodes are indexed once."""

    __slots__ = ("_callees", "_indexes", "_names", "_source")

    def __init__(self, source: _Source) -> None:
        self._source = source
        self._callees: dict[int, str] = {}
        self._indexes: dict[int, dict[int, int]] = {}
        self._names: dict[int, list[Node]] = {}

    def callee(self, call: Node) -> str:
        found = self._callees.get(call.id)
        if found is None:
            found = self._callees[call.id] = _callee(call, self._source)
        return found

    def _index(self, parent: Node, child: Node) -> int:
        indexes = self._indexes.get(parent.id)
        if indexes is None:
            indexes = self._indexes[parent.id] = {c.id: i for i, c in enumerate(parent.named_children)}
        return indexes[child.id]

    def _holder_names(self, holder: Node, field_name: str) -> list[Node]:
        names = self._names.get(holder.id)
        if names is None:
            if field_name == "left":
                left = holder.child_by_field_name("left")
                names = left.named_children if left is not None else []
            else:
                names = holder.children_by_field_name(field_name)
            self._names[holder.id] = names
        return names

    def of(self, expression: Node, path: list[Node]) -> str:
        """ "freed", "returned", "escapes", "argument", "assigned:<name>", or "other"
        for ``expression`` whose ancestors (outermost first) are ``path``."""
        # Climb through conversions wrapping it: unsafe.Pointer(x), (*C.char)(x), parentheses.
        outer, level = expression, len(path) - 1
        while level >= 0:
            parent = path[level]
            if parent.type == "parenthesized_expression":
                outer, level = parent, level - 1
                continue
            if parent.type == "argument_list" and level >= 1:
                call = path[level - 1]
                function = call.child_by_field_name("function")
                if parent.named_child_count == 1 and function is not None and _is_conversion(function):
                    outer, level = call, level - 2
                    continue
            break
        if level < 0:
            return "other"
        parent = path[level]
        holder = path[level - 1] if level >= 1 else None
        if parent.type == "argument_list" and holder is not None:
            callee = self.callee(holder)
            if _FREE_LIKE.search(callee.rsplit(".", 1)[-1]):
                return "freed"
            if callee == "append":
                return "escapes"
            return "argument"
        if parent.type == "expression_list" and holder is not None:
            if holder.type == "return_statement":
                return "returned"
            if holder.type in ("short_var_declaration", "assignment_statement"):
                right = holder.child_by_field_name("right")
                if right is None or right.id != parent.id:
                    return "other"  # the value is being assigned to, not used
                index = self._index(parent, outer)
                targets = self._holder_names(holder, "left")
                if (
                    index < len(targets)
                    and targets[index].type == "identifier"
                    and len(targets) == parent.named_child_count
                ):
                    return f"assigned:{_text(targets[index])}"
                return "escapes"
            if holder.type == "var_spec":
                names = self._holder_names(holder, "name")
                index = self._index(parent, outer)
                return f"assigned:{_text(names[index])}" if index < len(names) else "escapes"
        if parent.type in ("literal_element", "keyed_element", "send_statement"):
            return "escapes"
        if parent.type == "return_statement":
            return "returned"
        return "other"


def _use_bits(usage: str) -> int:
    if usage == "freed":
        return _FREED
    if usage == "returned":
        return _RETURNED
    return _ESCAPES if usage == "escapes" or usage.startswith("assigned:") else 0


@dataclass(slots=True)
class _Allocation:
    fact: CAllocation
    end_byte: int


@dataclass(slots=True)
class _Deferred:
    """A deferred func literal: the callees called in its body (not in nested literals)."""

    body_start: int
    fact: DeferFact
    calls: list[str] = field(default_factory=list)


class _BodyReader:
    """One walk of a function body, in pre-order with the path of ancestors; what
    depends on whether the body hides "C" (a variable named C anywhere in it) is
    decided after the walk."""

    def __init__(self, body: Node, ctx: _Context, parameters: list[GoParameter]) -> None:
        self.body = body
        self.ctx = ctx
        self.source = ctx.source
        self.parameters = parameters
        self.parameter_names = {p.name for p in parameters}
        self.usages = _Usages(ctx.source)
        self.declares_c = False
        self.panics = False  # something that can panic whatever "C" is
        self.cgo_calls = False  # a C.f() call: it can panic only if "C" is hidden
        statements = _statements(body)
        self.top_level = {s.id for s in statements}
        self.return_before: dict[int, bool] = {}
        seen_return = False
        for statement in statements:
            seen_return |= statement.type == "return_statement"
            self.return_before[statement.id] = seen_return
        self.defers: list[DeferFact] = []
        self.deferred: dict[int, _Deferred] = {}  # func literal id -> its defer
        self.calls_recover = False
        self.allocations: list[_Allocation] = []
        self.watched: dict[str, list[tuple[int, int]]] = {}  # variable -> (use start, use bits)
        self.c_variables = {
            p.name
            for p in parameters
            if p.type.kind == "c" or (p.type.kind == "pointer" and "C." in p.type.text)
        }
        self.struct_locals: set[str] = set()
        self.stores: list[tuple[Node, str]] = []  # assignments and C calls, judged after the walk
        self.free_arguments: set[int] = set()  # argument lists of C.free calls
        self.c_free = False
        self.c_free_of_parameter = False
        self.lock: SourceLocation | None = None
        self.unlock: str | None = None

    def read(self) -> None:
        cursor: TreeCursor = self.body.walk()
        if not cursor.goto_first_child():
            return
        path = [self.body]  # ancestors of the current node, outermost first
        # Per level of path: (innermost enclosing func literal id, inside a defer, inside C.free's arguments).
        states: list[tuple[int | None, bool, bool]] = [(None, False, False)]
        while True:
            node = cursor.node
            assert node is not None
            kind = node.type
            owner, in_defer, in_free = states[-1]
            if kind == "identifier":
                if self.watched or in_free:
                    self._identifier(node, path, in_free)
            else:
                self._node(node, kind, path, owner, in_defer)
            if cursor.goto_first_child():
                path.append(node)
                states.append(
                    (
                        node.id if kind == "func_literal" else owner,
                        in_defer or kind == "defer_statement",
                        in_free or (kind == "argument_list" and node.id in self.free_arguments),
                    )
                )
                continue
            while not cursor.goto_next_sibling():
                cursor.goto_parent()
                path.pop()
                states.pop()
                if not path:
                    return

    def _identifier(self, node: Node, path: list[Node], in_free: bool) -> None:
        name = _text(node)
        if in_free and name in self.parameter_names:
            self.c_free_of_parameter = True
        uses = self.watched.get(name)
        if uses is not None:
            uses.append((node.start_byte, _use_bits(self.usages.of(node, path))))

    def _node(self, node: Node, kind: str, path: list[Node], owner: int | None, in_defer: bool) -> None:
        if kind in ("index_expression", "slice_expression", "type_assertion_expression", "send_statement"):
            self.panics = True
        elif kind == "unary_expression":
            operator = _text(node.child_by_field_name("operator"))
            if operator == "*" and path[-1].type != "parenthesized_expression":
                self.panics = True  # a dereference; (*C.char)(p) is a conversion
        elif kind == "binary_expression":
            if _text(node.child_by_field_name("operator")) in ("/", "%"):
                self.panics = True
        elif kind == "call_expression":
            self._call(node, path, owner, in_defer)
        elif kind == "assignment_statement":
            if self.ctx.imports_c:
                self.stores.append((node, ""))
        elif kind == "short_var_declaration":
            self._short_var_declaration(node)
        elif kind == "var_spec":
            self._var_spec(node)
        elif kind in ("const_spec", "parameter_declaration"):
            self.declares_c |= "C" in _names(node.children_by_field_name("name"))
        elif kind == "range_clause":
            left = node.child_by_field_name("left")
            self.declares_c |= left is not None and "C" in _names(left.named_children)
        elif kind == "defer_statement" and owner is None:
            self._defer(node)

    def _call(self, call: Node, path: list[Node], owner: int | None, in_defer: bool) -> None:
        function = call.child_by_field_name("function")
        callee = self.usages.callee(call)
        cgo = self.ctx.imports_c and callee.startswith("C.")
        if function is not None and _is_conversion(function):
            pass
        elif cgo:
            self.cgo_calls = True
        elif not (callee in _SAFE_CALLS or callee.startswith("unsafe.") or callee in self.ctx.type_kinds):
            self.panics = True
        if owner is None and callee == "recover":
            self.calls_recover = True
        deferred = self.deferred.get(owner) if owner is not None else None
        if deferred is not None and call.start_byte >= deferred.body_start:
            deferred.calls.append(callee)
        if cgo:
            if callee in ("C.CString", "C.CBytes"):
                self._allocation(call, callee, path)
            elif callee == "C.free":
                self.c_free = True
                arguments = call.child_by_field_name("arguments")
                if arguments is not None:
                    self.free_arguments.add(arguments.id)
            if not _is_c_type_conversion(callee):
                self.stores.append((call, callee))
        elif callee == "runtime.LockOSThread" and self.lock is None:
            self.lock = self.source.location(call)
        elif callee == "runtime.UnlockOSThread":
            if in_defer:
                self.unlock = "deferred"
            elif self.unlock is None:
                self.unlock = "direct"

    def _allocation(self, call: Node, callee: str, path: list[Node]) -> None:
        usage = self.usages.of(call, path)
        allocation = CAllocation(
            self.source.location(call),
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
            self.watched.setdefault(name, [])
        self.allocations.append(_Allocation(allocation, call.end_byte))

    def _short_var_declaration(self, node: Node) -> None:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        targets = left.named_children if left is not None else []
        self.declares_c |= "C" in _names(targets)
        if right is None or not self.ctx.imports_c:
            return
        data = self.source.data
        for target, value in zip(targets, right.named_children, strict=False):
            if target.type != "identifier":
                continue
            if _C_VALUE.match(data, value.start_byte, value.end_byte):
                self.c_variables.add(_text(target))
            if value.type == "unary_expression":
                value = value.child_by_field_name("operand") or value
            if (
                value.type == "composite_literal"
                and _text(value.child_by_field_name("type")) in self.ctx.pointer_structs
            ):
                self.struct_locals.add(_text(target))

    def _var_spec(self, node: Node) -> None:
        names = _names(node.children_by_field_name("name"))
        self.declares_c |= "C" in names
        type_node = node.child_by_field_name("type")
        if type_node is None or not self.ctx.imports_c:
            return
        if self.source.data.find(b"C.", type_node.start_byte, type_node.end_byte) >= 0:
            self.c_variables.update(names)
        if _text(type_node).lstrip("*") in self.ctx.pointer_structs:
            self.struct_locals.update(names)

    def _defer(self, node: Node) -> None:
        if not node.named_child_count:
            return
        call = node.named_child(0)
        function = call.child_by_field_name("function") if call.type == "call_expression" else None
        fact = DeferFact(
            self.source.location(node),
            top_level=node.id in self.top_level,
            after_return=self.return_before.get(node.id, False),
            callee=None,
            literal_calls_recover=False,
        )
        if function is not None and function.type == "func_literal":
            literal_body = function.child_by_field_name("body")
            if literal_body is not None:
                self.deferred[function.id] = _Deferred(literal_body.start_byte, fact)
        elif function is not None:
            fact.callee = _callee_of(function, self.source)
        self.defers.append(fact)

    # -- after the walk ---------------------------------------------------------------------

    def fill(self, function: GoFunction) -> None:
        cgo = self.ctx.imports_c and not self.declares_c and "C" not in self.parameter_names
        for deferred in self.deferred.values():
            deferred.fact.literal_calls = [c for c in deferred.calls if c]
            deferred.fact.literal_calls_recover = "recover" in deferred.calls
        function.defers = self.defers
        function.may_panic = self.panics or (self.cgo_calls and not cgo)
        function.allocations = self._allocations() if cgo else []
        function.pointer_stores = self._pointer_stores() if cgo else []
        returned = next((a for a in function.allocations if a.returned), None)
        function.returns_c_allocation = returned.location if returned else None
        function.calls_recover = self.calls_recover
        function.calls_c_free = cgo and self.c_free
        function.calls_c_free_on_parameter = cgo and self.c_free_of_parameter
        function.lock_os_thread = self.lock
        function.unlock_os_thread = self.unlock

    def _allocations(self) -> list[CAllocation]:
        # A variable's later uses, OR-ed from the last one back, for each allocation into it.
        later: dict[str, tuple[list[int], list[int]]] = {}
        for name, uses in self.watched.items():
            bits = [0] * (len(uses) + 1)
            for index in range(len(uses) - 1, -1, -1):
                bits[index] = bits[index + 1] | uses[index][1]
            later[name] = ([start for start, _ in uses], bits)
        found: list[CAllocation] = []
        for item in self.allocations:
            allocation = item.fact
            if allocation.variable is not None:
                starts, bits = later[allocation.variable]
                after = bits[bisect_left(starts, item.end_byte)]
                allocation.freed |= bool(after & _FREED)
                allocation.returned |= bool(after & _RETURNED)
                allocation.escapes |= bool(after & _ESCAPES)
            found.append(allocation)
        return found

    def _pointer_stores(self) -> list[PointerStore]:
        found: list[PointerStore] = []
        for node, callee in self.stores:
            if callee:
                found += self._call_stores(node, callee)
            else:
                found += self._assignment_stores(node)
        return found

    def _assignment_stores(self, node: Node) -> list[PointerStore]:
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None:
            return []
        found: list[PointerStore] = []
        for target, value in zip(left.named_children, right.named_children, strict=False):
            if not _go_pointer_expression(value):
                continue
            base = target
            while base.type in ("selector_expression", "index_expression") and base.named_child_count:
                inner = base.child_by_field_name("operand")
                if inner is None:
                    break
                base = inner
            if target.type == "selector_expression" and self.source.starts_with(target, b"C."):
                found.append(PointerStore(self.source.location(node), "c-global", self.source.shown(node)))
            elif target is not base and base.type == "identifier" and _text(base) in self.c_variables:
                found.append(PointerStore(self.source.location(node), "c-field", self.source.shown(node)))
        return found

    def _call_stores(self, call: Node, callee: str) -> list[PointerStore]:
        arguments = call.child_by_field_name("arguments")
        found: list[PointerStore] = []
        for argument in arguments.named_children if arguments is not None else []:
            kind = None
            if _go_pointer_expression(argument):
                if self._struct_local(_pointer_target(argument)):
                    kind = "c-call-struct"
                elif _keeps(callee):
                    kind = "c-call-keeps"
            elif argument.type == "call_expression" and self.source.starts_with(argument, b"unsafe.Pointer("):
                inner = argument.child_by_field_name("arguments")
                if inner is not None and inner.named_child_count and self._struct_local(inner.named_child(0)):
                    kind = "c-call-struct"
            if kind is not None:
                found.append(PointerStore(self.source.location(argument), kind, self.source.shown(argument)))
        return found

    def _struct_local(self, node: Node | None) -> bool:
        """Whether ``node`` is written as the name of a local struct holding Go pointers."""
        if node is None or not self.struct_locals:
            return False
        # A name of n characters is at most 4n bytes: longer nodes cannot be one.
        longest = 4 * max(len(name) for name in self.struct_locals)
        return self.source.text_if_within(node, longest) in self.struct_locals


def _go_pointer_expression(node: Node) -> bool:
    """``&x``, ``&T{}``, ``&s[0]``, possibly wrapped in conversions."""
    current = node
    while True:
        if current.type == "unary_expression" and _text(current.child_by_field_name("operator")) == "&":
            return True
        if current.type == "parenthesized_expression" and current.named_child_count:
            current = current.named_child(0)
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
                current = arguments.named_child(0)
                continue
        return False


def _pointer_target(expression: Node) -> Node | None:
    """What the first ``&x``, ``&x.f`` or ``&x[i]`` below ``expression`` takes the
    address of: ``x``."""
    for node in _walk(expression):
        if node.type == "unary_expression" and _text(node.child_by_field_name("operator")) == "&":
            operand = node.child_by_field_name("operand")
            while operand is not None and operand.type in ("index_expression", "selector_expression"):
                operand = operand.child_by_field_name("operand")
            return operand
    return None


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
    function = GoFunction(
        name=_name(name_node),
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
    if body is not None:
        reader = _BodyReader(body, ctx, parameters)
        reader.read()
        reader.fill(function)
    return function


def _read_file(parsed: _ParsedFile, ctx: _Context) -> GoFile:
    """The directives and functions of a file: one pass over its top-level nodes."""
    directives: list[ExportDirective] = []
    functions: list[GoFunction] = []
    group = _DocGroup()
    for node in parsed.top_level():
        directive = group.see(node, parsed.source)
        if directive is not None:
            directives.append(directive)
        elif node.type in ("function_declaration", "method_declaration"):
            functions.append(_function(node, ctx))
    return GoFile(
        path=parsed.source.path,
        package=parsed.package,
        imports_c=parsed.imports_c,
        directives=directives,
        functions=functions,
        suppressions=parsed.suppressions,
    )


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
        for spec in item.type_specs:
            type_kinds[spec.name] = spec.kind
            if spec.pointer_fields:
                package.pointer_structs[spec.name] = spec.pointer_fields
    # One tree at a time from here: each is dropped once its file is read.
    types: dict[tuple[str, str, str | None, str | None], GoType] = {}
    parsed.reverse()
    while parsed:
        item = parsed.pop()
        ctx = _Context(item.source, item.imports_c, type_kinds, package.pointer_structs, types)
        package.files.append(_read_file(item, ctx))
        del item
    package.type_kinds = type_kinds
    return package
