"""The plain Go API of a package, as Go's type checker sees it: what `cgoguard
bridge` generates a C boundary for. Facts only (``readers/gofront.read_api``
fills them); ``bridge/`` decides what can cross C and how.
"""

from __future__ import annotations

from dataclasses import dataclass

from cgoguard.model import SourceLocation


@dataclass(frozen=True, slots=True)
class ApiField:
    name: str
    exported: bool
    embedded: bool
    type: ApiType


@dataclass(frozen=True, slots=True)
class ApiType:
    """``kind`` is the underlying type's kind (``int32``, ``string``, ``slice``,
    ``struct``, ``pointer``, ``error``, ``context`` …); ``named`` and
    ``package`` say which named type it is, if any."""

    kind: str
    text: str
    named: str = ""
    package: str = ""
    elem: ApiType | None = None
    fields: tuple[ApiField, ...] = ()
    length: int = 0


@dataclass(frozen=True, slots=True)
class ApiParam:
    name: str
    type: ApiType


@dataclass(frozen=True, slots=True)
class ApiFunction:
    name: str
    receiver: ApiType | None
    params: tuple[ApiParam, ...]
    results: tuple[ApiParam, ...]
    variadic: bool
    generic: bool
    directives: tuple[str, ...]  # the text after each //cgoguard:export line
    doc: str
    location: SourceLocation

    @property
    def qualified_name(self) -> str:
        """``Parse``, or ``Parser.Parse`` for a method."""
        if self.receiver is None:
            return self.name
        receiver = self.receiver.elem if self.receiver.kind == "pointer" else self.receiver
        return f"{receiver.named if receiver else '?'}.{self.name}"


@dataclass(frozen=True, slots=True)
class GoApi:
    folder: str
    name: str  # the package name
    import_path: str
    module: str
    module_root: str
    go_version: str  # the module's go directive
    functions: tuple[ApiFunction, ...]
    errors: tuple[str, ...]  # files that could not be read, type errors
