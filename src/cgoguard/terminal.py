"""Text that is safe to print on a terminal."""

from __future__ import annotations

import re

# C0 controls but newline and tab, DEL, and the C1 range (0x9b is a one-byte CSI on some terminals).
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every control character shown as ``\\xNN``: names, paths, RPATHs and
    version strings come from scanned files and repositories, and a terminal would obey an
    escape sequence in them (clear the screen, print a fake verdict)."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)
