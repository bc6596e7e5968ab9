"""Build errors without the build's temporary paths, and bounded in length.

A target is built in a staging folder and smoke-tested in a scratch folder, both
removed when the build ends; a message naming them points at files that no
longer exist. Tools name archive members as ``/staging/libx.a(name.o)`` (ld) or
``/staging/libx.a!name.o`` (cgoguard's own scan): both become ``libx.a!name.o``,
the name the file is published under. Linker output about an archive repeats
itself once per member, so such lines are kept up to :data:`MAX_MEMBER_LINES`.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from cgoguard.errors import CgoguardError
from cgoguard.gobuild.errors import VerificationFailed

MAX_MEMBER_LINES = 4  # lines naming archive members, per text
MAX_CHARS = 2000  # the rest is cut, with a note saying how much


@dataclass(slots=True)
class TempNames:
    artifact: str  # the staged artifact's path
    name: str  # the name it is published under
    folders: list[str] = field(default_factory=list)  # temporary folders removed after the build

    def text(self, text: str) -> str:
        """``text`` with the temporary paths replaced by what a user can find, bounded."""
        if not text:
            return text
        staged = re.escape(self.artifact)
        text = re.sub(staged + r"\(([^()\s]+)\)", lambda m: f"{self.name}!{m.group(1)}", text)
        text = text.replace(self.artifact, self.name)
        for folder in self.folders:
            # Go's work folder sits in the staging folder (GOTMPDIR); Go itself calls it $WORK.
            text = re.sub(re.escape(folder) + r"/\.gotmp/go-build\d+", "$WORK", text)
            text = text.replace(folder + "/", "").replace(folder, "the build's temporary folder")
        return bounded(text, f"{self.name}!")


def bounded(text: str, member_mark: str) -> str:
    """At most MAX_MEMBER_LINES lines containing ``member_mark``, at most MAX_CHARS characters."""
    kept: list[str] = []
    dropped = 0
    for line in text.split("\n"):
        if member_mark in line and sum(member_mark in k for k in kept) >= MAX_MEMBER_LINES:
            dropped += 1
            continue
        kept.append(line)
    if dropped:
        kept.append(f"... and {dropped} more line(s) about members of {member_mark.rstrip('!')}")
    result = "\n".join(kept)
    if len(result) > MAX_CHARS:
        result = result[:MAX_CHARS] + f" ... ({len(result) - MAX_CHARS} more characters)"
    return result


def without_temp_names(error: CgoguardError, names: TempNames) -> CgoguardError:
    """The same error with its message, detail (and verdict evidence) cleaned in place."""
    error.message = names.text(error.message)
    error.args = (error.message,)
    error.detail = names.text(error.detail)
    if isinstance(error, VerificationFailed):
        error.verdicts = [dataclasses.replace(v, evidence=names.text(v.evidence)) for v in error.verdicts]
    return error
