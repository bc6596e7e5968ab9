"""FIPS 140-3 evidence for Go artifacts (information only)."""

from __future__ import annotations

from collections.abc import Iterator

from cgoguard.checks import CheckResult, NotApplicable, Subject, check
from cgoguard.model import Severity


@check(
    id="CG301",
    name="fips-140-mode",
    title="FIPS 140-3 cryptographic module and default mode",
    severity=Severity.INFO,
    applies_to="Go artifacts",
    modes=("exe", "pie", "c-shared", "c-archive", "plugin"),
    fix="""
        To build against the CMVP-validated Go Cryptographic Module and turn FIPS mode on by default:
            GOFIPS140=v1.0.0 go build ...
        (or `godebug fips140=on` in go.mod for the in-tree module; GODEBUG=fips140=only at run time
        to refuse non-approved algorithms).
    """,
    references=(
        "https://go.dev/doc/security/fips140",
        "https://csrc.nist.gov/projects/cryptographic-module-validation-program",
    ),
)
def fips_140_mode(subject: Subject) -> Iterator[CheckResult]:
    """States which cryptographic module a Go artifact was built against and
    whether FIPS mode is on by default, from build info (GOFIPS140,
    DefaultGODEBUG, GOEXPERIMENT) and code markers. A binary can only give
    evidence: whether a system meets FIPS 140-3 depends on how it is deployed
    and run (GODEBUG in the environment overrides the default)."""
    go = subject.go
    if go is None or go.fips is None:
        yield NotApplicable("no Go code" if go is None else "no Go build info to read the module from")
        return
    status = go.fips
    if status.provider == "go-native":
        validated = (
            "the CMVP-validated v1.0.0 module" if status.validated_module else "a module not (yet) validated"
        )
        module = f"GOFIPS140={status.module}, {validated}" if status.module else "the in-tree module"
        yield f"Go Cryptographic Module ({module}); FIPS mode by default: {status.default_mode}."
    elif status.provider == "boringcrypto":
        yield (
            "GOEXPERIMENT=boringcrypto (BoringSSL fips module, unsupported outside Google; incompatible with "
            f"GODEBUG=fips140=on); evidence: {', '.join(status.evidence)}."
        )
    elif status.provider == "systemcrypto":
        yield "Microsoft Go systemcrypto: the platform library (OpenSSL on Linux) provides cryptography."
    elif status.crypto_linked:
        assert go.crypto_packages is not None
        yield (
            f"crypto packages linked ({', '.join(go.crypto_packages[:4])}"
            f"{' ...' if len(go.crypto_packages) > 4 else ''}) with no FIPS module selected at build time; "
            "FIPS mode only if GODEBUG=fips140=on is in the environment the process starts with "
            "(a host that sets it later, even before loading a Go library, does not turn it on)."
        )
    elif status.crypto_linked is False:
        yield NotApplicable("links no cryptographic code")
