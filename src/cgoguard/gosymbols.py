"""Go advisory symbols (OSV ``ecosystem_specific.imports[].symbols``) against a function table.

An advisory names a function of package ``pkg`` as ``Func`` or ``Type.Method``, with no
receiver kind and no type arguments; the linker names what it links (what
``go tool nm`` and the function table show):

* ``pkg.Func``; a method ``pkg.Type.Method`` (value receiver) or ``pkg.(*Type).Method``
  (pointer receiver);
* a generic function or method once per shape, with its type arguments written out:
  ``pkg.Map[go.shape.int,go.shape.string]``, ``pkg.(*Stack[go.shape.int]).Push``, and
  wrappers such as ``pkg.(*Stack[string]).Push`` (Go 1.21 and 1.27 alike; the ``[...]``
  of tracebacks is printed by the runtime, not stored, but is matched too);
* a method value ``x.Method`` as a wrapper with ``-fm`` appended;
* the package path escaped as ``cmd/internal/objabi.PathToPrefix`` does: ``%xx`` for
  control bytes, space, ``%``, ``"``, non-ASCII bytes, and dots after the last slash
  (``gopkg.in/yaml.v3`` is ``gopkg.in/yaml%2ev3`` in every symbol name).

Closures (``pkg.Func.func1``) are not matched as ``Func``: they are functions of their
own, as govulncheck also counts them.

Kept apart from readers/pclntab.py so that checks, which must not import readers, can match.
"""

from __future__ import annotations

from cgoguard.model import FunctionTable

_METHOD_VALUE = b"-fm"


def package_prefix(path: str) -> str:
    """The package path as symbol names spell it (cmd/internal/objabi.PathToPrefix)."""
    raw = path.encode()
    slash = raw.rfind(b"/")
    out = []
    for index, byte in enumerate(raw):
        if byte <= 0x20 or byte in (0x25, 0x22) or byte >= 0x7F or (byte == 0x2E and index > slash):
            out.append(f"%{byte:02x}")
        else:
            out.append(chr(byte))
    return "".join(out)


def linker_names(package: str, symbol: str) -> list[str]:
    """The names the linker gives the OSV ``symbol`` (``Func`` or ``Type.Method``) of
    ``package``; ``[...]`` stands for written-out type arguments (see :func:`matches`)."""
    prefix = package_prefix(package)
    kind, dot, method = symbol.partition(".")
    if not dot:
        return [f"{prefix}.{symbol}", f"{prefix}.{symbol}[...]"]
    return [
        f"{prefix}.{kind}.{method}",
        f"{prefix}.(*{kind}).{method}",
        f"{prefix}.{kind}[...].{method}",
        f"{prefix}.(*{kind}[...]).{method}",
    ]


def matches(table: FunctionTable, package: str, symbol: str, *, inlined: bool = True) -> bool:
    """Whether the table links the OSV ``symbol`` of ``package``, as itself, as a generic
    instantiation or as a method-value wrapper; with ``inlined`` (the default) a function
    that only survives inlined into its callers counts too (Go 1.16+ tables record those).
    For one question; many questions of one table go to a :class:`SymbolIndex`."""
    return SymbolIndex(table, inlined=inlined).matches(package, symbol)


def _closing_bracket(text: bytes) -> int:
    """Index of the ``]`` that closes an already opened ``[`` in ``text``, or -1."""
    depth = 1
    for index, byte in enumerate(text):
        if byte == 0x5B:  # [
            depth += 1
        elif byte == 0x5D:  # ]
            depth -= 1
            if depth == 0:
                return index
    return -1


class SymbolIndex:
    """A function table's names in sets and maps, for many lookups against one image
    (a scan asks hundreds of advisories' symbols of each Go image: a search of the
    multi-megabyte blob per question cost about half a second per image)."""

    __slots__ = ("generic", "names", "packages")

    def __init__(self, table: FunctionTable, *, inlined: bool = True) -> None:
        self.names: set[bytes] = set()
        self.generic: dict[bytes, list[bytes]] = {}  # text before the first "[" -> the rest of each name
        self.packages: set[bytes] = set()
        blobs = [table.blob] + ([table.inlined] if inlined and table.inlined is not None else [])
        for blob in blobs:
            for name in blob.split(b"\0"):
                if not name:
                    continue
                self.names.add(name)
                head, bracket, rest = name.partition(b"[")
                if bracket:
                    self.generic.setdefault(head, []).append(rest)
                slash = head.rfind(b"/")
                dot = head.find(b".", slash + 1)
                if dot > 0:
                    self.packages.add(head[:dot])

    def matches(self, package: str, symbol: str) -> bool:
        """Whether the OSV ``symbol`` of ``package`` is linked (the rules of the module docstring)."""
        for name in linker_names(package, symbol):
            head, generic, tail = name.encode().partition(b"[...]")
            if not generic:
                if head in self.names or head + _METHOD_VALUE in self.names:
                    return True
                continue
            for rest in self.generic.get(head, ()):
                close = _closing_bracket(rest)
                if close >= 0 and rest[close + 1 :] in (tail, tail + _METHOD_VALUE):
                    return True
        return False

    def package_linked(self, package: str) -> bool:
        """Whether any function of ``package`` (methods included) is in the table."""
        return package_prefix(package).encode() in self.packages
