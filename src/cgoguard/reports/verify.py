"""``cgoguard verify``: the result of checking a signature bundle, as text or JSON.

Nothing is decided here: :meth:`~cgoguard.signing.Verification.exit_code` decides.
"""

from __future__ import annotations

import json
from typing import IO, Any

from cgoguard._version import __version__
from cgoguard.signing import OK, Verification
from cgoguard.terminal import printable


def write_text(result: Verification, out: IO[str]) -> None:
    for statement in result.statements:
        expires = f", expires {statement.expires}" if statement.expires else ", no expiry"
        signed = f", signed {statement.signed_on}" if statement.signed_on else ""
        print(
            f"signature: valid, by key {statement.keyid[:16]} ({printable(statement.key)}){signed}{expires}; "
            f"statement {statement.predicate_type}",
            file=out,
        )
    width = max((len(check.status) for check in result.subjects), default=2)
    for check in result.subjects:
        line = f"  {check.status:<{width}}  {printable(check.name)}"
        if check.path is not None and check.status != OK:
            line += f" ({printable(check.path)})"
        if check.expected and check.actual and check.actual != check.expected:
            line += f": signed sha256 {check.expected[:16]}…, the file's {check.actual[:16]}…"
        elif check.detail:
            line += f": {printable(check.detail)}"
        print(line, file=out)
    counts: dict[str, int] = {}
    for check in result.subjects:
        counts[check.status] = counts.get(check.status, 0) + 1
    summary = ", ".join(f"{count} {status}" for status, count in counts.items()) or "nothing to check"
    print(f"{len(result.subjects)} file(s): {summary}", file=out)


def write_json(result: Verification, out: IO[str]) -> None:
    data: dict[str, Any] = {
        "tool": {"name": "cgoguard", "version": __version__},
        "bundle": result.bundle,
        "signatures": [statement.as_dict() for statement in result.statements],
        "subjects": [check.as_dict() for check in result.subjects],
        "exit_code": int(result.exit_code()),
    }
    json.dump(data, out, indent=2)
    out.write("\n")
