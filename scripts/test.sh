#!/usr/bin/env bash
# Install the test dependencies in .venv and run lint, type checks and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v gcc >/dev/null || ! command -v readelf >/dev/null || ! command -v ar >/dev/null; then
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc binutils libc6-dev
fi
# Real .rpm and .deb packages for the container tests (dpkg-deb is part of any Debian system).
if ! command -v rpmbuild >/dev/null; then
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends rpm; } ||
    echo "scripts/test.sh: rpmbuild could not be installed; the RPM test will be skipped" >&2
fi
# A real browser for the HTML report's test (Debian's chromium, driven by Playwright), and CJK
# glyphs so that its screenshot of Chinese clause texts is legible.
if [ ! -x /usr/bin/chromium ]; then
  { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-noto-cjk; } ||
    { echo "scripts/test.sh: chromium could not be installed; the browser test will be skipped" >&2
      export CGOGUARD_NO_CHROMIUM="apt-get install chromium failed in scripts/test.sh"; }
fi
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e '.[test]'
.venv/bin/ruff check src tests benchmarks
.venv/bin/ruff format --check src
.venv/bin/mypy
.venv/bin/python -m pytest -q "$@"
