"""Every error cgoguard raises for a user derives from :class:`CgoguardError`.

Each carries a message worded for the user (what was wrong, what to do) and
the exit code the command line maps it to, so one ``except CgoguardError``
in the CLI turns any of them into one line on stderr, never a traceback.
"""

from __future__ import annotations


class CgoguardError(Exception):
    """A problem worded for the user. ``detail`` holds a tool's own output verbatim."""

    exit_code = 2

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail

    def __str__(self) -> str:
        return self.message


class UsageError(CgoguardError):
    """Wrong arguments: nothing was checked (exit 2)."""


class ConfigError(CgoguardError):
    """A configuration file or table is wrong (exit 2)."""


class OutputError(CgoguardError):
    """The report could not be written where it was asked to go (exit 2)."""


class InputError(CgoguardError):
    """One input cannot be read as what it claims to be (a malformed ELF file,
    archive, build info, Go file or header). Pipelines catch it per item and
    turn it into that item's error sentence; the run goes on."""

    exit_code = 3
