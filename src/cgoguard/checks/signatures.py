"""Signature checks: is each file comply scanned covered by a valid signature?

The signatures were verified before (``cgoguard.signing``: DSSE envelopes of in-toto
statements, checked against the public keys given); the check only compares a file's
SHA-256 with the digests those verified statements name.
"""

from __future__ import annotations

from collections.abc import Iterator

from cgoguard.checks import CheckResult, CheckTarget, NotApplicable, check
from cgoguard.model import Severity, SignatureSubject


@check(
    id="CG240",
    name="not-signed",
    title="No valid signature covers the file's SHA-256",
    severity=Severity.MEDIUM,
    applies_to="files given to `cgoguard comply` with --signature bundles and --key public keys",
    target=CheckTarget.SIGNATURE,
    fix="""
        Sign what you publish and ship the signature with it:
            cgoguard build ./cmd/bridge -m c-shared --sign release.pem      # <name>.sig.json
        or sign existing files from Python: cgoguard.signing.sign_files(paths, key).
        Consumers check it with: cgoguard verify <name>.sig.json --key release.pub
    """,
    references=(
        "https://github.com/secure-systems-lab/dsse",
        "https://github.com/in-toto/attestation/blob/main/spec/v1/statement.md",
        "https://csrc.nist.gov/pubs/sp/800/218/final",
    ),
)
def not_signed(subject: SignatureSubject) -> Iterator[CheckResult]:
    """A signature over the exact bytes shipped lets an installer or an assessor tell
    the released file from a modified one (SSDF PS.2.1, SP 800-53 SI-7(15), 等保
    可信验证's reference values). Only signatures that hold count: a bundle signed by
    another key, tampered with, or expired is no evidence, and is named in the message."""
    if subject.sha256 is None:
        yield NotApplicable("the file was not hashed (--no-hash), so no signature can be matched")
        return
    if subject.sha256 in subject.signed.covered:
        return
    refused = "; ".join(f"{bundle}: {why}" for bundle, why in subject.signed.refused)
    also = f" Bundles that did not hold: {refused}" if refused else ""
    yield f"no verified signature names SHA-256 {subject.sha256[:16]}….{also}"
