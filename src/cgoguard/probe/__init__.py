"""`cgoguard probe`: measure what static analysis can only assume.

The artifact is loaded (a shared library: ``dlopen`` in a small C helper) or run
(an executable, with the user's arguments, under the helper's ptrace so that it
is read at its exit) in a sandboxed child, ``runs`` times; the helper prints
/proc of the probed process (``readers/procfs.py`` parses it) and this package
turns the runs into :class:`~cgoguard.model.ProbeFacts`. Nothing here judges:
the MEASURED checks (``checks/measured.py``) do.

Why a C helper rather than a Python child with ctypes: it starts in about a
millisecond instead of tens (32 runs per artifact), the process it measures holds
only libc and the artifact (no interpreter's heap and libraries among the
mappings), and it is also the tracer that reads an executable at its exit.
"""

from __future__ import annotations

from cgoguard.errors import CgoguardError


class ProbeError(CgoguardError):
    """The probe cannot run at all here (no C compiler for the helper, no /proc): exit 2."""


class ProbeFailed(Exception):
    """One artifact's probe did not complete (crashed, hung, refused to load): its error sentence."""
