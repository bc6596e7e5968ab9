"""``--provenance``: the manifest as an in-toto Statement with a SLSA v1 predicate.

Written as ``<out>/<name>.intoto.jsonl`` (one JSON document per line, the
file layout SLSA tooling expects): the statement itself, or with ``--sign``
the DSSE envelope of it (:mod:`cgoguard.signing`), as SLSA generators write it.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cgoguard._version import __version__
from cgoguard.fileio import write_text_atomic

if TYPE_CHECKING:
    from cgoguard.signing import SigningKey

STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://slsa.dev/provenance/v1"
BUILD_TYPE = "https://github.com/cgoguard/cgoguard/blob/main/docs/build.md#provenance-v1"


def provenance_statement(
    manifest: dict[str, Any], manifest_name: str, manifest_sha256: str
) -> dict[str, Any]:
    inputs = manifest["inputs"]
    subjects = [
        {"name": output["path"], "digest": {"sha256": output["sha256"]}} for output in manifest["outputs"]
    ]
    dependencies = [
        {"uri": f"file:{name}", "digest": {"sha256": digest}} for name, digest in inputs["files"].items()
    ]
    dependencies.append({"uri": f"go:{inputs['go']['version']}", "name": inputs["go"]["path"]})
    return {
        "_type": STATEMENT_TYPE,
        "subject": subjects,
        "predicateType": PREDICATE_TYPE,
        "predicate": {
            "buildDefinition": {
                "buildType": BUILD_TYPE,
                "externalParameters": {
                    "package": manifest["target"]["package"],
                    "mode": manifest["target"]["mode"],
                    "profile": manifest["target"]["profile"],
                },
                "internalParameters": {
                    "argv": inputs["argv"],
                    "environment": inputs["environment"],
                    "decisions": inputs["decisions"],
                    "goos": inputs["go"]["goos"],
                    "goarch": inputs["go"]["goarch"],
                },
                "resolvedDependencies": dependencies,
            },
            "runDetails": {
                "builder": {"id": f"cgoguard/{__version__}"},
                "metadata": {
                    "startedOn": manifest["started"],
                    "finishedOn": manifest["finished"],
                },
                # The full manifest (checks verified, scan findings, smoke test).
                "byproducts": [
                    {
                        "name": manifest_name,
                        "uri": f"file:{manifest_name}",
                        "digest": {"sha256": manifest_sha256},
                        "mediaType": "application/json",
                    },
                ],
            },
        },
    }


def write_provenance(
    path: Path, manifest: dict[str, Any], manifest_path: Path, signing_key: SigningKey | None = None
) -> None:
    digest = hashlib.sha256(manifest_path.read_bytes()).hexdigest()
    statement = provenance_statement(manifest, manifest_path.name, digest)
    if signing_key is not None:
        from cgoguard.signing import sign_statement

        statement = sign_statement(statement, signing_key)
    write_text_atomic(path, json.dumps(statement, sort_keys=True) + "\n", what="the provenance statement")
