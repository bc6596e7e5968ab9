"""Signed evidence: DSSE envelopes of in-toto statements, signed and verified with local keys.

Keys are made here with ``cryptography``; signatures are checked a second time
without cgoguard's code (the DSSE pre-authentication encoding built by hand), so
an envelope that only cgoguard could verify would fail.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

import gofixtures
from cgoguard import api
from cgoguard.cli import main
from cgoguard.errors import InputError, UsageError
from cgoguard.signing import (
    FILES_PREDICATE_TYPE,
    PAYLOAD_TYPE,
    KeyFileError,
    SignatureError,
    load_private_key,
    load_public_key,
    sign_files,
    sign_statement,
    verify_envelope,
    write_envelope,
)

PrivateKey = ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
KINDS = {
    "ed25519": ed25519.Ed25519PrivateKey.generate,
    "p256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "p384": lambda: ec.generate_private_key(ec.SECP384R1()),
}


def write_key(
    folder: Path, name: str, key: Any, passphrase: bytes | None = None, traditional: bool = False
) -> tuple[Path, Path]:
    """(private PEM, public PEM) files of ``key``."""
    encryption = (
        serialization.BestAvailableEncryption(passphrase) if passphrase else serialization.NoEncryption()
    )
    fmt = serialization.PrivateFormat.TraditionalOpenSSL if traditional else serialization.PrivateFormat.PKCS8
    private = folder / f"{name}.pem"
    private.write_bytes(key.private_bytes(serialization.Encoding.PEM, fmt, encryption))
    public = folder / f"{name}.pub"
    public.write_bytes(
        key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    return private, public


@pytest.fixture
def release(tmp_path: Path) -> dict[str, Path]:
    """A folder with two files, an ed25519 key pair and another key pair."""
    dist = tmp_path / "dist"
    dist.mkdir()
    (dist / "libx.so").write_bytes(b"\x7fELF" + bytes(range(256)) * 4)
    (dist / "libx.h").write_text("int Add(int, int);\n")
    private, public = write_key(tmp_path, "release", ed25519.Ed25519PrivateKey.generate())
    other, other_public = write_key(tmp_path, "other", ed25519.Ed25519PrivateKey.generate())
    return {
        "dist": dist,
        "key": private,
        "pub": public,
        "other": other,
        "other_pub": other_public,
        "bundle": dist / "x.sig.json",
    }


def sign_release(release: dict[str, Path], **kwargs: Any) -> dict[str, Any]:
    key = load_private_key(release["key"])
    envelope = sign_files(
        [release["dist"] / "libx.so", release["dist"] / "libx.h"], key, predicate={"why": "test"}, **kwargs
    )
    write_envelope(release["bundle"], envelope)
    return envelope


def cli(*args: str | Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


def pae(payload_type: str, body: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding, written from the spec, not from cgoguard's library."""
    kind = payload_type.encode()
    return b"DSSEv1 " + str(len(kind)).encode() + b" " + kind + b" " + str(len(body)).encode() + b" " + body


# -- round trips -----------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_round_trip_for_each_key_type_and_an_independent_check(tmp_path: Path, kind: str) -> None:
    raw = KINDS[kind]()
    private, public = write_key(tmp_path, kind, raw)
    artifact = tmp_path / "artifact.bin"
    artifact.write_bytes(b"built bytes")
    key = load_private_key(private)
    pub = load_public_key(public)
    der = raw.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert key.keyid == pub.keyid == hashlib.sha256(der).hexdigest()

    envelope = sign_files([artifact], key, "https://example.com/evidence/v1", {"report": "r.json"})
    assert envelope["payloadType"] == PAYLOAD_TYPE
    (signature,) = envelope["signatures"]
    assert signature["keyid"] == key.keyid
    statement = verify_envelope(envelope, [pub])
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicateType"] == "https://example.com/evidence/v1"
    assert statement["predicate"]["report"] == "r.json" and "expires" not in statement["predicate"]
    assert statement["subject"] == [
        {"name": "artifact.bin", "digest": {"sha256": hashlib.sha256(b"built bytes").hexdigest()}}
    ]

    # The same signature checked with cryptography alone over the spec's PAE (base64 signature).
    body = base64.b64decode(envelope["payload"])
    assert json.loads(body) == statement
    sig = base64.b64decode(signature["sig"], validate=True)
    if isinstance(raw, ed25519.Ed25519PrivateKey):
        raw.public_key().verify(sig, pae(PAYLOAD_TYPE, body))
    else:
        digest = hashes.SHA256() if isinstance(raw.curve, ec.SECP256R1) else hashes.SHA384()
        raw.public_key().verify(sig, pae(PAYLOAD_TYPE, body), ec.ECDSA(digest))


def test_sec1_ec_key_and_encrypted_key_with_the_right_passphrase(tmp_path: Path) -> None:
    private, _ = write_key(tmp_path, "ec", KINDS["p256"](), traditional=True)
    assert load_private_key(private).kind == "ECDSA P-256"
    locked, locked_pub = write_key(tmp_path, "locked", KINDS["ed25519"](), passphrase=b"s3cret")
    key = load_private_key(locked, passphrase_env="KEY_PASS", environ={"KEY_PASS": "s3cret"})
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [],
        "predicateType": "t",
        "predicate": {},
    }
    assert verify_envelope(sign_statement(statement, key), [load_public_key(locked_pub)]) == statement


def test_verify_cli_round_trip_text_and_json(release: dict[str, Path]) -> None:
    sign_release(release, valid_for=30)
    code, out, err = cli("verify", release["bundle"], "--key", release["pub"])
    assert (code, err) == (0, "")
    assert "signature: valid, by key" in out and "expires 20" in out
    assert "  ok  libx.so" in out and "  ok  libx.h" in out and "2 file(s): 2 ok" in out

    # Keys after the bundle, a second (unrelated) key accepted too, files named explicitly, JSON.
    code, out, _ = cli(
        "verify",
        release["bundle"],
        "--key",
        release["other_pub"],
        "--key",
        release["pub"],
        release["dist"] / "libx.so",
        "--format",
        "json",
    )
    data = json.loads(out)
    assert code == 0 and data["exit_code"] == 0
    assert [(s["name"], s["status"]) for s in data["subjects"]] == [("libx.so", "ok")]
    assert data["signatures"][0]["keyid"] == load_public_key(release["pub"]).keyid
    assert data["signatures"][0]["predicateType"] == FILES_PREDICATE_TYPE


def test_files_are_found_in_a_folder_given_instead_of_the_bundles(release: dict[str, Path]) -> None:
    sign_release(release)
    elsewhere = release["dist"].parent / "copy"
    shutil.copytree(release["dist"], elsewhere)
    bundle = release["dist"].parent / "x.sig.json"
    release["bundle"].rename(bundle)
    assert cli("verify", bundle, "--key", release["pub"])[0] == 3  # beside the bundle: missing
    assert cli("verify", bundle, "--key", release["pub"], elsewhere)[0] == 0


# -- tampering -------------------------------------------------------------------------------------


def test_a_flipped_byte_in_an_artifact_is_a_digest_mismatch(release: dict[str, Path]) -> None:
    sign_release(release)
    data = bytearray((release["dist"] / "libx.so").read_bytes())
    data[100] ^= 0x01
    (release["dist"] / "libx.so").write_bytes(bytes(data))
    code, out, _ = cli("verify", release["bundle"], "--key", release["pub"])
    assert code == 1
    assert "  digest-mismatch  libx.so" in out and "  ok               libx.h" in out
    result = api.verify(release["bundle"], [release["pub"]])
    assert {c.name: c.status for c in result.subjects} == {"libx.so": "digest-mismatch", "libx.h": "ok"}


def test_a_flipped_byte_in_the_payload_breaks_the_signature(release: dict[str, Path]) -> None:
    envelope = sign_release(release)
    body = bytearray(base64.b64decode(envelope["payload"]))
    body[body.index(b"libx.so")] ^= 0x20  # "Libx.so": still JSON, another subject name
    envelope["payload"] = base64.b64encode(bytes(body)).decode()
    write_envelope(release["bundle"], envelope)
    code, out, err = cli("verify", release["bundle"], "--key", release["pub"])
    assert (code, out) == (1, "")
    assert "does not match the signed payload" in err and err.count("\n") == 1
    with pytest.raises(SignatureError) as caught:
        verify_envelope(envelope, [load_public_key(release["pub"])])
    assert caught.value.reason == "bad-signature"


def test_a_signature_by_another_key_is_refused(release: dict[str, Path]) -> None:
    envelope = sign_files([release["dist"] / "libx.so"], load_private_key(release["other"]))
    with pytest.raises(SignatureError) as caught:
        verify_envelope(envelope, [load_public_key(release["pub"])])
    assert caught.value.reason == "unknown-key" and "not by any key given" in str(caught.value)
    # Claiming the trusted key's ID does not help: its signature check fails.
    envelope["signatures"][0]["keyid"] = load_public_key(release["pub"]).keyid
    with pytest.raises(SignatureError) as caught:
        verify_envelope(envelope, [load_public_key(release["pub"])])
    assert caught.value.reason == "bad-signature"
    write_envelope(release["bundle"], envelope)
    assert cli("verify", release["bundle"], "--key", release["pub"])[0] == 1


def test_an_expired_statement_is_refused_with_its_date(release: dict[str, Path]) -> None:
    signed = datetime(2026, 1, 1, tzinfo=UTC)
    envelope = sign_release(release, valid_for=10, now=signed)
    public = [load_public_key(release["pub"])]
    assert verify_envelope(envelope, public, now=signed + timedelta(days=9))["predicate"]["expires"] == (
        "2026-01-11T00:00:00Z"
    )
    with pytest.raises(SignatureError) as caught:
        verify_envelope(envelope, public, now=signed + timedelta(days=10, seconds=1))
    assert caught.value.reason == "expired"
    code, _, err = cli("verify", release["bundle"], "--key", release["pub"])
    assert code == 1 and "expired on 2026-01-11T00:00:00Z" in err


def test_valid_for_must_be_positive(release: dict[str, Path]) -> None:
    with pytest.raises(UsageError, match="positive number of days"):
        sign_release(release, valid_for=0)


# -- broken and missing envelopes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason", "phrase"),
    [
        ("this is not json", "malformed", "it is not JSON"),
        ("[1, 2]", "malformed", "not a JSON object"),
        (
            json.dumps({"payload": "e30=", "payloadType": PAYLOAD_TYPE, "signatures": []}),
            "malformed",
            "unsigned",
        ),
        (json.dumps({"payload": "e30=", "payloadType": PAYLOAD_TYPE}), "malformed", "unsigned"),
        (
            json.dumps({"payload": "e30=", "payloadType": "text/plain", "signatures": [{"sig": "AA=="}]}),
            "payload-type",
            "'text/plain'",
        ),
        (
            json.dumps({"payload": "%%%", "payloadType": PAYLOAD_TYPE, "signatures": [{"sig": "AA=="}]}),
            "malformed",
            "not base64",
        ),
        (
            json.dumps({"_type": "https://in-toto.io/Statement/v1", "subject": []}),
            "malformed",
            "unsigned in-toto statement",
        ),
        (
            json.dumps({"mediaType": "application/vnd.dev.sigstore.bundle.v0.3+json"}),
            "payload-type",
            "Sigstore bundle",
        ),
    ],
)
def test_broken_envelopes_give_one_sentence(
    release: dict[str, Path], content: str, reason: str, phrase: str
) -> None:
    release["bundle"].write_text(content)
    with pytest.raises(SignatureError) as caught:
        api.verify(release["bundle"], [release["pub"]])
    assert caught.value.reason == reason and phrase in str(caught.value)
    code, out, err = cli("verify", release["bundle"], "--key", release["pub"])
    assert (code, out) == (1, "") and phrase in err and err.count("\n") == 1


def test_a_missing_signature_file_or_subject_is_incomplete(release: dict[str, Path]) -> None:
    code, _, err = cli("verify", release["dist"] / "nope.sig.json", "--key", release["pub"])
    assert code == 3 and "does not exist" in err
    with pytest.raises(InputError):
        api.verify(release["dist"] / "nope.sig.json", [release["pub"]])
    sign_release(release)
    (release["dist"] / "libx.h").unlink()
    code, out, _ = cli("verify", release["bundle"], "--key", release["pub"])
    assert code == 3 and "  missing  libx.h (" in out


def test_a_named_file_the_statement_does_not_cover_fails(release: dict[str, Path]) -> None:
    sign_release(release)
    extra = release["dist"] / "extra.so"
    extra.write_bytes(b"unsigned")
    code, out, _ = cli("verify", release["bundle"], "--key", release["pub"], extra)
    assert code == 1 and "not-signed" in out


def test_subject_names_leading_out_of_the_folder_are_not_opened(
    tmp_path: Path, release: dict[str, Path]
) -> None:
    key = load_private_key(release["key"])
    statement = {
        "_type": "https://in-toto.io/Statement/v1",
        "subject": [{"name": "../release.pem", "digest": {"sha256": "00" * 32}}],
        "predicateType": "t",
        "predicate": {},
    }
    write_envelope(release["bundle"], sign_statement(statement, key))
    result = api.verify(release["bundle"], [release["pub"]])
    assert [(c.status, c.path) for c in result.subjects] == [("unsafe-name", None)]
    assert result.exit_code() == 1
    statement["subject"] = [{"name": "libx.so", "digest": {"sha512": "00" * 64}}]
    write_envelope(release["bundle"], sign_statement(statement, key))
    result = api.verify(release["bundle"], [release["pub"]])
    assert [c.status for c in result.subjects] == ["no-sha256"] and result.exit_code() == 1


def test_a_jsonl_bundle_verifies_every_line(release: dict[str, Path]) -> None:
    key = load_private_key(release["key"])
    first = sign_files([release["dist"] / "libx.so"], key)
    second = sign_files([release["dist"] / "libx.h"], load_private_key(release["other"]))
    bundle = release["dist"] / "x.intoto.jsonl"
    bundle.write_text(json.dumps(first) + "\n" + json.dumps(first) + "\n")
    assert [c.name for c in api.verify(bundle, [release["pub"]]).subjects] == ["libx.so"]
    bundle.write_text(json.dumps(first) + "\n" + json.dumps(second) + "\n")
    with pytest.raises(SignatureError):  # every envelope must hold, not just one
        api.verify(bundle, [release["pub"]])


# -- keys ------------------------------------------------------------------------------------------


def test_key_files_that_cannot_be_used(tmp_path: Path, release: dict[str, Path]) -> None:
    locked, _ = write_key(tmp_path, "locked", KINDS["p256"](), passphrase=b"right")
    with pytest.raises(KeyFileError, match="wrong passphrase"):
        load_private_key(locked, passphrase_env="P", environ={"P": "wrong"})
    with pytest.raises(KeyFileError, match=r"is encrypted; .*--sign-passphrase-env"):
        load_private_key(locked)
    with pytest.raises(KeyFileError, match=r"environment variable P .* is not set"):
        load_private_key(locked, passphrase_env="P", environ={})
    with pytest.raises(KeyFileError, match="is not encrypted"):
        load_private_key(release["key"], passphrase_env="P", environ={"P": "x"})
    with pytest.raises(KeyFileError, match="is a public key"):
        load_private_key(release["pub"])
    with pytest.raises(KeyFileError, match="is a private key; verify with its public key"):
        load_public_key(release["key"])
    notkey = tmp_path / "notes.txt"
    notkey.write_text("hello\n")
    with pytest.raises(KeyFileError, match="is not a PEM private key"):
        load_private_key(notkey)
    with pytest.raises(KeyFileError, match="is not a PEM public key"):
        load_public_key(notkey)
    with pytest.raises(KeyFileError, match="cannot read the key"):
        load_private_key(tmp_path / "absent.pem")
    rsa_key, rsa_pub = write_key(
        tmp_path, "rsa", rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )
    with pytest.raises(KeyFileError, match="RSA key; cgoguard signs with ed25519"):
        load_private_key(rsa_key)
    with pytest.raises(KeyFileError, match="RSA key"):
        load_public_key(rsa_pub)
    p521, _ = write_key(tmp_path, "p521", ec.generate_private_key(ec.SECP521R1()))
    with pytest.raises(KeyFileError, match="curve secp521r1"):
        load_private_key(p521)
    code, _, err = cli("verify", release["bundle"], "--key", release["key"])
    assert code == 2 and "is a private key" in err


def test_sign_files_names_and_refusals(tmp_path: Path, release: dict[str, Path]) -> None:
    key = load_private_key(release["key"])
    nested = release["dist"] / "sub"
    nested.mkdir()
    (nested / "libx.so").write_bytes(b"other")
    envelope = sign_files([release["dist"] / "libx.so", nested / "libx.so"], key, base=release["dist"])
    names = [s["name"] for s in verify_envelope(envelope, [load_public_key(release["pub"])])["subject"]]
    assert names == ["libx.so", "sub/libx.so"]
    with pytest.raises(UsageError, match="named twice"):
        sign_files([release["dist"] / "libx.so", nested / "libx.so"], key)
    with pytest.raises(UsageError, match="cannot sign"):
        sign_files([release["dist"] / "absent"], key)


def test_build_options_for_signing_need_a_key(release: dict[str, Path]) -> None:
    with pytest.raises(UsageError, match="need --sign KEY"):
        api.build("./x", valid_for=3)
    with pytest.raises(KeyFileError, match="is a public key"):
        api.build("./x", sign=release["pub"])  # refused before anything is looked at


# -- end to end: one real build --------------------------------------------------------------------


def test_build_sign_then_verify_end_to_end(tmp_path: Path) -> None:
    """`cgoguard build --sign` on a real Go program, then `cgoguard verify` of what it published."""
    shutil.copytree(Path(__file__).parent / "fixtures" / "build" / "tiny", tmp_path / "tiny")
    locked, public = write_key(tmp_path, "release", KINDS["p256"](), passphrase=b"build pass")
    env = gofixtures.go_env()
    env.update(
        CGO_ENABLED="0",
        CGOGUARD_CACHE_DIR=str(gofixtures.cache_root() / "cgoguard-probes"),
        RELEASE_PASS="build pass",
        PATH=str(Path(gofixtures.go_binary()).parent) + ":" + env.get("PATH", ""),
    )
    out = tmp_path / "out"
    build = subprocess.run(
        [
            *(sys.executable, "-m", "cgoguard", "build", ".", "--go", str(gofixtures.go_binary())),
            *("--sign", str(locked), "--sign-passphrase-env", "RELEASE_PASS", "--valid-for", "7"),
            *("--out-dir", str(out), "--format", "json"),
        ],
        cwd=tmp_path / "tiny",
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    (entry,) = json.loads(build.stdout)["targets"]
    assert entry["signature"] == str(out / "tiny.sig.json")
    assert entry["provenance"] == str(out / "tiny.intoto.jsonl")

    result = api.verify(out / "tiny.sig.json", [public])
    names = {check.name: check.status for check in result.subjects}
    assert names == {n: "ok" for n in ("tiny", "tiny.manifest.json", "tiny.intoto.jsonl")}
    assert result.exit_code() == 0 and result.statements[0].expires is not None

    # The provenance is itself a signed envelope (SLSA's .intoto.jsonl form) over the artifact.
    provenance = api.verify(out / "tiny.intoto.jsonl", [public])
    assert provenance.statements[0].predicate_type == "https://slsa.dev/provenance/v1"
    assert [(c.name, c.status) for c in provenance.subjects] == [("tiny", "ok")]
    manifest = json.loads((out / "tiny.manifest.json").read_text())
    assert provenance.subjects[0].expected == manifest["outputs"][0]["sha256"]

    artifact = out / "tiny"
    data = bytearray(artifact.read_bytes())
    data[-1] ^= 0xFF
    artifact.write_bytes(bytes(data))
    code, text, _ = cli("verify", out / "tiny.sig.json", "--key", public)
    assert code == 1 and "  digest-mismatch  tiny" in text


def test_a_build_that_fails_signs_nothing(tmp_path: Path) -> None:
    """The compiler refuses the package: no artifact, so no signature and no provenance either."""
    from cgoguard.gobuild import BuildOptions, Target, build_all, load_profiles

    shutil.copytree(Path(__file__).parent / "fixtures" / "build" / "broken", tmp_path / "broken")
    private, _ = write_key(tmp_path, "release", KINDS["ed25519"]())
    env = dict(gofixtures.go_env(), CGO_ENABLED="0")
    out = tmp_path / "out"
    options = BuildOptions(
        out_dir=out, go=str(gofixtures.go_binary()), environment=env, signing_key=load_private_key(private)
    )
    (outcome,) = build_all([Target("broken", "./broken")], load_profiles(None, ""), tmp_path, options)
    assert outcome.status == "error" and outcome.result is None
    assert list(out.iterdir()) == []
