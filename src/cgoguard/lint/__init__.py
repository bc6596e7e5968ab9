"""``cgoguard lint``: static checks at the Go/C export boundary.

Readers (:mod:`.gosource` for Go packages, :mod:`.header` for C headers)
turn files into the facts of :mod:`.facts`; the checks in
``cgoguard.checks.boundary`` and ``cgoguard.checks.header`` judge them;
:mod:`.pipeline` ties both together (``cgoguard.lint.pipeline.lint``) and
:mod:`.command` is the CLI. Nothing is imported here, so that the check
catalogue can load the facts without loading the parsers.
"""
