"""Signed evidence: in-toto Statement v1 inside a DSSE envelope, signed with a local key.

    key = load_private_key("release.pem", passphrase_env="RELEASE_KEY_PASSPHRASE")
    envelope = sign_files(["dist/libx.so"], key, PREDICATE_TYPE, {"note": "..."}, valid_for=30)
    statement = verify_envelope(envelope, [load_public_key("release.pub")])
    checks = check_subjects(statement, Path("dist"))

The envelope (``payloadType`` ``application/vnd.in-toto+json``, base64 ``payload``,
``signatures[{keyid, sig}]``) is built, its pre-authentication encoding computed and
signed by ``securesystemslib`` (the DSSE implementation python-tuf and in-toto use;
it writes signatures in base64 as the DSSE spec asks), over ``cryptography``'s key
objects: no hand-made encoding to get subtly wrong. Keys: ed25519 and ECDSA P-256 /
P-384 in PEM (PKCS#8, or SEC1 for EC); a key's ID is the SHA-256 of its DER
SubjectPublicKeyInfo, so ``openssl pkey -pubout -outform DER | sha256sum`` gives it.

Expiry is part of what is signed: ``predicate.expires`` (RFC 3339, UTC). DSSE has no
signed header of its own, and a field next to the payload could be removed unnoticed.

Every failure is one sentence: :class:`KeyFileError` for a key that cannot be used
(exit 2, nothing was checked), :class:`SignatureError` when the evidence does not
hold (exit 1, with a ``reason``), :class:`~cgoguard.errors.InputError` when the
envelope file cannot be read (exit 3).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import posixpath
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from securesystemslib.dsse import Envelope
from securesystemslib.exceptions import UnverifiedSignatureError, VerificationError
from securesystemslib.signer import CryptoSigner, Signature, SSlibKey

from cgoguard.errors import CgoguardError, InputError, UsageError
from cgoguard.fileio import open_regular, read_regular, write_text_atomic

PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
# Read, never written: statements made by older in-toto tooling.
_STATEMENT_TYPES = (STATEMENT_TYPE, "https://in-toto.io/Statement/v0.1")
# cgoguard's own predicate: "these files are what cgoguard built / reported".
FILES_PREDICATE_TYPE = "https://github.com/cgoguard/cgoguard/blob/main/docs/build.md#signed-files-v1"
SIGSTORE_BUNDLE = "application/vnd.dev.sigstore.bundle"

KEY_FILE_LIMIT = 1 << 20  # a PEM key is a few hundred bytes
ENVELOPE_LIMIT = 256 << 20  # a statement lists file names and digests
_SUPPORTED = "ed25519, ECDSA P-256 or ECDSA P-384"


class KeyFileError(UsageError):
    """A key file that cannot be used: missing, not a key, the wrong kind, a wrong passphrase (exit 2)."""


class SignatureError(CgoguardError):
    """The signed evidence does not hold (exit 1: what was checked failed).

    ``reason``: ``malformed`` (not a DSSE envelope of an in-toto statement),
    ``payload-type``, ``unknown-key`` (no signature by any given key),
    ``bad-signature`` (a given key's signature does not match), ``expired``."""

    exit_code = 1

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def keyid_of(public_key: ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey) -> str:
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def _check_kind(key: object, path: str) -> str:
    """The key's kind in words, or KeyFileError when cgoguard does not sign with it."""
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return "ed25519"
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        if isinstance(key.curve, (ec.SECP256R1, ec.SECP384R1)):
            return f"ECDSA {'P-256' if isinstance(key.curve, ec.SECP256R1) else 'P-384'}"
        raise KeyFileError(f"{path} is an ECDSA key on curve {key.curve.name}; use {_SUPPORTED}.")
    kind = type(key).__name__.removeprefix("_").replace("PrivateKey", "").replace("PublicKey", "")
    raise KeyFileError(f"{path} is a {kind or 'different'} key; cgoguard signs with {_SUPPORTED} keys.")


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A private key ready to sign; ``keyid`` names its public half."""

    path: str
    kind: str
    keyid: str
    signer: CryptoSigner


@dataclass(frozen=True, slots=True)
class PublicKey:
    path: str
    kind: str
    keyid: str
    key: SSlibKey


def _read_key_file(path: str | os.PathLike[str]) -> tuple[str, bytes]:
    name = os.fspath(path)
    try:
        return name, read_regular(name, KEY_FILE_LIMIT)
    except OSError as error:
        raise KeyFileError(f"cannot read the key {name}: {error.strerror or error}.") from None


def _pem_label(data: bytes) -> str | None:
    start = data.find(b"-----BEGIN ")
    if start < 0:
        return None
    end = data.find(b"-----", start + 11)
    return data[start + 11 : end].decode("ascii", "replace") if end > 0 else None


def load_private_key(
    path: str | os.PathLike[str],
    *,
    passphrase_env: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> SigningKey:
    """A PEM private key; an encrypted one with the passphrase in the environment
    variable ``passphrase_env`` (never on a command line, where ``ps`` shows it)."""
    name, data = _read_key_file(path)
    label = _pem_label(data)
    if label is not None and "PUBLIC KEY" in label:
        raise KeyFileError(f"{name} is a public key; signing needs the private key it belongs to.")
    if label is not None and label == "CERTIFICATE":
        raise KeyFileError(f"{name} is a certificate; signing needs a private key.")
    password: bytes | None = None
    if passphrase_env is not None:
        env = os.environ if environ is None else environ
        if passphrase_env not in env:
            raise KeyFileError(
                f"the environment variable {passphrase_env} (the key's passphrase) is not set."
            )
        password = env[passphrase_env].encode("utf-8")
    try:
        private = serialization.load_pem_private_key(data, password=password)
    except TypeError:
        if password is None:
            raise KeyFileError(
                f"{name} is encrypted; put its passphrase in an environment variable and name it with "
                "--sign-passphrase-env VAR."
            ) from None
        raise KeyFileError(f"{name} is not encrypted; leave out the passphrase.") from None
    except (ValueError, UnsupportedAlgorithm):
        if password is not None and label is not None and "ENCRYPTED" in label:
            raise KeyFileError(f"cannot decrypt {name}: wrong passphrase.") from None
        raise KeyFileError(f"{name} is not a PEM private key ({_SUPPORTED}, PKCS#8 or SEC1).") from None
    kind = _check_kind(private, name)
    public = private.public_key()
    assert isinstance(public, (ed25519.Ed25519PublicKey, ec.EllipticCurvePublicKey))
    keyid = keyid_of(public)
    signer = CryptoSigner(private, SSlibKey.from_crypto(public, keyid=keyid))
    return SigningKey(name, kind, keyid, signer)


def public_key_from(
    key: ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey, name: str = "<key>"
) -> PublicKey:
    kind = _check_kind(key, name)
    keyid = keyid_of(key)
    return PublicKey(name, kind, keyid, SSlibKey.from_crypto(key, keyid=keyid))


def load_public_key(path: str | os.PathLike[str]) -> PublicKey:
    """A PEM public key (SubjectPublicKeyInfo), as ``openssl pkey -pubout`` writes it."""
    name, data = _read_key_file(path)
    label = _pem_label(data)
    if label is not None and "PRIVATE KEY" in label:
        raise KeyFileError(
            f"{name} is a private key; verify with its public key (openssl pkey -in {name} -pubout)."
        )
    try:
        public = serialization.load_pem_public_key(data)
    except (ValueError, UnsupportedAlgorithm):
        raise KeyFileError(f"{name} is not a PEM public key ({_SUPPORTED}).") from None
    if not isinstance(public, (ed25519.Ed25519PublicKey, ec.EllipticCurvePublicKey)):
        _check_kind(public, name)  # raises with the key's kind
        raise AssertionError("unreachable")
    return public_key_from(public, name)


# -- statements ----------------------------------------------------------------------------------


def utc_timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def make_statement(
    subjects: Iterable[tuple[str, str]], predicate_type: str, predicate: Mapping[str, Any]
) -> dict[str, Any]:
    """An in-toto Statement v1 over (name, sha256 hex) subjects."""
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": name, "digest": {"sha256": digest}} for name, digest in subjects],
        "predicateType": predicate_type,
        "predicate": dict(predicate),
    }


def sha256_regular(path: str | os.PathLike[str]) -> str:
    """SHA-256 of a regular file, read in 1 MiB chunks (no FIFO or device is opened)."""
    fd, _ = open_regular(os.fspath(path))
    digest = hashlib.sha256()
    try:
        while chunk := os.read(fd, 1 << 20):
            digest.update(chunk)
    finally:
        os.close(fd)
    return digest.hexdigest()


def file_statement(
    paths: Sequence[str | os.PathLike[str]],
    predicate_type: str,
    predicate: Mapping[str, Any],
    *,
    base: str | os.PathLike[str] | None = None,
) -> dict[str, Any]:
    """A statement whose subjects are ``paths``, named relative to ``base``
    (default: by their file names), with their SHA-256."""
    subjects: list[tuple[str, str]] = []
    seen: set[str] = set()
    for path in paths:
        name = os.fspath(path)
        subject = os.path.relpath(name, base) if base is not None else os.path.basename(name)
        subject = subject.replace(os.sep, "/")
        if subject.startswith("../") or subject in seen:
            why = "is outside the base folder" if subject.startswith("../") else "is named twice"
            raise UsageError(f"cannot sign {name}: its subject name {subject!r} {why}.")
        seen.add(subject)
        try:
            subjects.append((subject, sha256_regular(name)))
        except OSError as error:
            raise UsageError(f"cannot sign {name}: {error.strerror or error}.") from None
    return make_statement(subjects, predicate_type, predicate)


def with_expiry(
    predicate: Mapping[str, Any], valid_for: float | None, now: datetime | None = None
) -> dict[str, Any]:
    """The predicate with ``signedOn`` and, for ``valid_for`` days, ``expires``."""
    moment = now or datetime.now(UTC)
    result = dict(predicate)
    result["signedOn"] = utc_timestamp(moment)
    if valid_for is not None:
        if not valid_for > 0:
            raise UsageError(f"--valid-for must be a positive number of days, not {valid_for}.")
        result["expires"] = utc_timestamp(moment + timedelta(days=valid_for))
    return result


# -- envelopes -----------------------------------------------------------------------------------


def sign_statement(statement: Mapping[str, Any], key: SigningKey) -> dict[str, Any]:
    """The DSSE envelope (a JSON-ready dict) of ``statement`` signed by ``key``."""
    payload = json.dumps(statement, sort_keys=True, separators=(",", ":")).encode("utf-8")
    envelope = Envelope(payload, PAYLOAD_TYPE, {})
    envelope.sign(key.signer)
    result: dict[str, Any] = envelope.to_dict()
    return result


def sign_files(
    paths: Sequence[str | os.PathLike[str]],
    key: SigningKey,
    predicate_type: str = FILES_PREDICATE_TYPE,
    predicate: Mapping[str, Any] | None = None,
    *,
    base: str | os.PathLike[str] | None = None,
    valid_for: float | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Sign the SHA-256 of each file (an evidence report, artifacts) with ``predicate``;
    ``valid_for`` days adds ``expires`` to the predicate. Returns the envelope."""
    statement = file_statement(paths, predicate_type, with_expiry(predicate or {}, valid_for, now), base=base)
    return sign_statement(statement, key)


def write_envelope(path: str | os.PathLike[str], envelope: Mapping[str, Any]) -> None:
    """One line of JSON: a file of one envelope is also valid ``.jsonl``."""
    write_text_atomic(path, json.dumps(envelope, sort_keys=True) + "\n", what="the signature")


def read_envelopes(path: str | os.PathLike[str]) -> list[Any]:
    """The envelope(s) of a file: one JSON document, or one per line (``.intoto.jsonl``)."""
    name = os.fspath(path)
    try:
        data = read_regular(name, ENVELOPE_LIMIT)
    except FileNotFoundError:
        raise InputError(f"the signature file {name} does not exist.") from None
    except OSError as error:
        raise InputError(f"cannot read the signature file {name}: {error.strerror or error}.") from None
    try:
        text = data.decode("utf-8")
        try:
            return [json.loads(text)]
        except json.JSONDecodeError:
            lines = [line for line in text.splitlines() if line.strip()]
            if len(lines) < 2:
                raise
            return [json.loads(line) for line in lines]
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise SignatureError(f"{name} is not a signature envelope: it is not JSON.", "malformed") from None


def _b64(value: str) -> bytes:
    # DSSE allows standard or URL-safe base64; both alphabets, strictly (no stray bytes).
    return base64.b64decode(value.replace("-", "+").replace("_", "/"), validate=True)


def _malformed(what: str) -> SignatureError:
    return SignatureError(f"the envelope is malformed: {what}.", "malformed")


def _parse(envelope: Any) -> tuple[Envelope, list[Signature]]:
    if not isinstance(envelope, dict):
        raise _malformed("it is not a JSON object")
    media = envelope.get("mediaType")
    if isinstance(media, str) and media.startswith(SIGSTORE_BUNDLE):
        raise SignatureError(
            "this is a Sigstore bundle; cgoguard verifies DSSE envelopes signed with a local key only "
            "(verify Sigstore bundles with cosign or sigstore-python).",
            "payload-type",
        )
    if "_type" in envelope and "payload" not in envelope:
        raise SignatureError(
            "this is an unsigned in-toto statement, not a signed envelope (build with --sign).", "malformed"
        )
    payload, payload_type, signatures = (envelope.get(k) for k in ("payload", "payloadType", "signatures"))
    if not isinstance(payload, str) or not isinstance(payload_type, str):
        raise _malformed("no payload or payloadType string")
    if payload_type != PAYLOAD_TYPE:
        raise SignatureError(
            f"the envelope's payloadType is {payload_type!r}, not {PAYLOAD_TYPE!r} (an in-toto statement).",
            "payload-type",
        )
    if not isinstance(signatures, list) or not signatures:
        raise SignatureError("the envelope has no signature: it is unsigned.", "malformed")
    parsed: list[Signature] = []
    try:
        body = _b64(payload)
        for entry in signatures:
            if not isinstance(entry, dict) or not isinstance(entry.get("sig"), str):
                raise _malformed("a signature is not an object with a 'sig' string")
            keyid = entry.get("keyid", "")
            if not isinstance(keyid, str):
                raise _malformed("a signature's keyid is not a string")
            parsed.append(Signature(keyid, _b64(entry["sig"]).hex()))
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise _malformed("the payload or a signature is not base64") from None
    return Envelope(body, payload_type, {}), parsed


def _check_signatures(envelope: Envelope, signatures: list[Signature], keys: Sequence[PublicKey]) -> str:
    """The keyid of a given key that made one of the signatures; SignatureError otherwise."""
    if not keys:
        raise UsageError("no public key was given to verify the signature with.")
    pae = envelope.pae()
    tried: list[str] = []
    for signature in signatures:
        # A signature without keyid (DSSE makes it optional) is tried with every key.
        for key in keys:
            if signature.keyid not in ("", key.keyid):
                continue
            tried.append(key.keyid)
            try:
                key.key.verify_signature(Signature(key.keyid, signature.signature), pae)
            except (UnverifiedSignatureError, VerificationError):
                continue
            return key.keyid
    if tried:
        shown = ", ".join(sorted({k[:16] for k in tried}))
        raise SignatureError(
            f"the signature by key {shown} does not match the signed payload: the envelope was altered "
            "or signed by another key.",
            "bad-signature",
        )
    made_by = ", ".join(sorted({s.keyid[:16] for s in signatures}))
    given = ", ".join(k.keyid[:16] for k in keys)
    raise SignatureError(
        f"the envelope is signed by key {made_by}, not by any key given ({given}).", "unknown-key"
    )


def _statement(payload: bytes) -> dict[str, Any]:
    try:
        statement = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        raise _malformed("its signed payload is not JSON") from None
    if not isinstance(statement, dict) or statement.get("_type") not in _STATEMENT_TYPES:
        raise _malformed(f"its payload is not an in-toto statement ({STATEMENT_TYPE})")
    subjects = statement.get("subject")
    if not isinstance(subjects, list) or not all(
        isinstance(s, dict)
        and isinstance(s.get("name"), str)
        and isinstance(s.get("digest"), dict)
        and all(isinstance(v, str) for v in s["digest"].values())
        for s in subjects
    ):
        raise _malformed("the statement's subjects are not a list of {name, digest}")
    if not isinstance(statement.get("predicateType"), str):
        raise _malformed("the statement has no predicateType")
    return statement


def expiry(statement: Mapping[str, Any]) -> datetime | None:
    predicate = statement.get("predicate")
    value = predicate.get("expires") if isinstance(predicate, dict) else None
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise _malformed(f"the statement's expiry {value!r} is not an RFC 3339 time with a zone")
    return moment


def verify_envelope_by(
    envelope: Any, public_keys: Sequence[PublicKey], *, now: datetime | None = None
) -> tuple[dict[str, Any], str]:
    """(statement, keyid of the key that signed it): the signature is checked first,
    the statement read only then, its expiry last."""
    parsed, signatures = _parse(envelope)
    keyid = _check_signatures(parsed, signatures, public_keys)
    statement = _statement(parsed.payload)
    expires = expiry(statement)
    moment = now or datetime.now(UTC)
    if expires is not None and moment >= expires:
        raise SignatureError(
            f"the signed statement expired on {utc_timestamp(expires)}; sign the files again.", "expired"
        )
    return statement, keyid


def verify_envelope(
    envelope: Any, public_keys: Sequence[PublicKey], *, now: datetime | None = None
) -> dict[str, Any]:
    """The in-toto statement of ``envelope`` when one of ``public_keys`` signed it and it
    has not expired; :class:`SignatureError` otherwise."""
    return verify_envelope_by(envelope, public_keys, now=now)[0]


# -- subjects against files ----------------------------------------------------------------------

OK, MISMATCH, MISSING, UNREADABLE, NOT_SIGNED, UNSAFE, NO_DIGEST = (
    "ok",
    "digest-mismatch",
    "missing",
    "unreadable",
    "not-signed",
    "unsafe-name",
    "no-sha256",
)


@dataclass(frozen=True, slots=True)
class SubjectCheck:
    """One subject (or one named file no subject covers) against the file found for it."""

    name: str
    status: str  # OK, MISMATCH, MISSING, UNREADABLE, NOT_SIGNED, UNSAFE, NO_DIGEST
    path: str | None
    expected: str | None  # the signed sha256
    actual: str | None
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "path": self.path,
            "expected_sha256": self.expected,
            "actual_sha256": self.actual,
            "detail": self.detail,
        }


def _safe(name: str) -> bool:
    normal = posixpath.normpath(name)
    return bool(name) and not name.startswith("/") and normal != ".." and not normal.startswith("../")


def _check_one(name: str, expected: str | None, path: str | None) -> SubjectCheck:
    if expected is None:
        return SubjectCheck(name, NO_DIGEST, path, None, None, "the statement gives no sha256 for it")
    if path is None or not os.path.lexists(path):
        return SubjectCheck(name, MISSING, path, expected, None)
    try:
        actual = sha256_regular(path)
    except OSError as error:
        return SubjectCheck(name, UNREADABLE, path, expected, None, error.strerror or str(error))
    return SubjectCheck(name, OK if actual == expected.lower() else MISMATCH, path, expected, actual)


def check_subjects(
    statement: Mapping[str, Any], folder: str | os.PathLike[str], paths: Sequence[str] = ()
) -> list[SubjectCheck]:
    """Re-hash the files a verified statement names.

    Without ``paths`` every subject is looked up relative to ``folder``. Folders in
    ``paths`` replace ``folder`` (the first that holds a subject's file wins); a
    file in ``paths`` is checked against the subject with its name (or whose name
    ends in its path), and is ``not-signed`` when no subject names it. Given files
    alone check just those files."""
    subjects = [(s["name"], s["digest"].get("sha256")) for s in statement["subject"]]
    folders = [p for p in paths if os.path.isdir(p)]
    files = [p for p in paths if not os.path.isdir(p)]
    if not paths:
        folders = [os.fspath(folder)]
    results: list[SubjectCheck] = []
    claimed: set[str] = set()
    for name, expected in subjects:
        if not _safe(name):
            results.append(
                SubjectCheck(name, UNSAFE, None, expected, None, "the name leads out of the folder")
            )
            continue
        match = next((f for f in files if _names(f, name)), None)
        if match is not None:
            claimed.add(match)
            results.append(_check_one(name, expected, match))
        elif folders:
            found = next(
                (os.path.join(d, name) for d in folders if os.path.lexists(os.path.join(d, name))), None
            )
            results.append(_check_one(name, expected, found or os.path.join(folders[0], name)))
    for path in files:
        if path in claimed:
            continue
        if not os.path.lexists(path):
            results.append(SubjectCheck(path, MISSING, path, None, None, "it does not exist"))
        else:
            results.append(SubjectCheck(path, NOT_SIGNED, path, None, None, "no subject names this file"))
    return results


def _names(path: str, name: str) -> bool:
    """Whether a file given on the command line is the subject ``name``."""
    given = os.path.normpath(path).replace(os.sep, "/")
    return given == name or given.endswith("/" + name)


# -- a whole bundle ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SignedStatement:
    """What one verified envelope said and who signed it."""

    keyid: str
    key: str  # the public key file that verified it
    predicate_type: str
    signed_on: str | None
    expires: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "keyid": self.keyid,
            "key": self.key,
            "predicateType": self.predicate_type,
            "signedOn": self.signed_on,
            "expires": self.expires,
        }


@dataclass(slots=True)
class Verification:
    """The result of verifying a bundle: every envelope's signature held (else
    :class:`SignatureError` was raised), and each subject against its file."""

    bundle: str
    statements: list[SignedStatement]
    subjects: list[SubjectCheck]

    def exit_code(self) -> int:
        """0 every subject matches; 1 a digest differs, or a named file or subject name is not
        covered; 3 a subject's file is missing or unreadable, or there was nothing to check
        (incomplete outranks a mismatch, as everywhere in cgoguard)."""
        from cgoguard.outcome import ExitCode

        statuses = {check.status for check in self.subjects}
        if not self.subjects or statuses & {MISSING, UNREADABLE}:
            return ExitCode.INCOMPLETE
        return ExitCode.OK if statuses == {OK} else ExitCode.FINDINGS


def verify_bundle(
    bundle: str | os.PathLike[str],
    public_keys: Sequence[PublicKey],
    paths: Sequence[str] = (),
    *,
    now: datetime | None = None,
) -> Verification:
    """Verify every envelope of ``bundle`` (a ``.sig.json`` or ``.intoto.jsonl``) with
    ``public_keys``, then re-hash the files its statements name (:func:`check_subjects`,
    relative to the bundle's folder unless ``paths`` are given)."""
    name = os.fspath(bundle)
    statements: list[SignedStatement] = []
    subjects: dict[tuple[str, str | None], dict[str, Any]] = {}
    for envelope in read_envelopes(name):
        statement, keyid = verify_envelope_by(envelope, public_keys, now=now)
        predicate = statement.get("predicate")
        predicate = predicate if isinstance(predicate, dict) else {}
        key = next(k.path for k in public_keys if k.keyid == keyid)
        signed_on, expires = predicate.get("signedOn"), predicate.get("expires")
        statements.append(
            SignedStatement(
                keyid,
                key,
                statement["predicateType"],
                signed_on if isinstance(signed_on, str) else None,
                expires if isinstance(expires, str) else None,
            )
        )
        for subject in statement["subject"]:
            subjects.setdefault((subject["name"], subject["digest"].get("sha256")), subject)
    merged = {"subject": list(subjects.values())}
    return Verification(name, statements, check_subjects(merged, os.path.dirname(name) or ".", paths))
