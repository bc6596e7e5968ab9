"""Go's quoting of flag lists (cmd/internal/quoted): how ``-ldflags``, ``-extldflags``,
``CGO_*FLAGS`` and ``CC`` are split into fields, and how fields are joined back."""

from __future__ import annotations

from collections.abc import Sequence

from cgoguard.gobuild.errors import BuildError


def go_quote(field_text: str) -> str:
    """Quote one field for Go's quoted.Split (used for -ldflags, -extldflags,
    CGO_*FLAGS and CC): a field with spaces is wrapped in quotes it does not
    contain; Go has no escapes, so one holding both quote kinds cannot pass."""
    if field_text and not any(c in field_text for c in " \t\n\r'\""):
        return field_text
    if "'" not in field_text:
        return f"'{field_text}'"
    if '"' not in field_text:
        return f'"{field_text}"'
    raise BuildError(
        f"the flag {field_text!r} holds spaces and both kinds of quotes; Go cannot be passed it."
    )


def go_join(fields: Sequence[str]) -> str:
    return " ".join(go_quote(f) for f in fields)


def go_split(text: str) -> list[str]:
    """Go's quoted.Split: fields separated by spaces, a field starting with a
    quote runs to the matching quote."""
    fields: list[str] = []
    position = 0
    while position < len(text):
        if text[position].isspace():
            position += 1
            continue
        if text[position] in "'\"":
            quote = text[position]
            end = text.find(quote, position + 1)
            if end < 0:
                raise BuildError(f"unterminated {quote} quote in {text!r}.")
            fields.append(text[position + 1 : end])
            position = end + 1
            continue
        end = position
        while end < len(text) and not text[end].isspace():
            end += 1
        fields.append(text[position:end])
        position = end
    return fields


def fields(entries: Sequence[str]) -> list[str]:
    """User flag entries are written as on Go's command line (``-X 'main.v=a b'``):
    split each the way Go will, so they can be merged with the plan's own flags."""
    return [field_text for entry in entries for field_text in go_split(entry)]
