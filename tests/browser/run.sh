#!/usr/bin/env bash
# End-to-end tests of the HTML report in headless Chromium.
#
# Installs what they need when it is missing: Debian's chromium package (apt-get, as root) and
# playwright-core from the npm registry (into tests/browser/node_modules, from package-lock.json;
# it drives Debian's browser and downloads none of its own). Where Chromium cannot be installed
# the tests are skipped with a message saying so; they never pass silently.
#
#   tests/browser/run.sh [BINARY]      (default: target/release/crosscheck, built if missing)
#   SCREENSHOTS=docs tests/browser/run.sh   also saves the seeds report's screenshots
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
binary="${1:-$root/target/release/crosscheck}"
case "$binary" in
  /*) ;;
  *) binary="$PWD/$binary" ;; # relative to where we were called from, before any cd
esac

if [ ! -x "$binary" ]; then
  (cd "$root" && cargo build --release --quiet)
fi

chromium="${CHROMIUM:-/usr/bin/chromium}"
if [ ! -x "$chromium" ]; then
  echo "browser tests: installing Debian's chromium"
  if ! { [ "$(id -u)" = 0 ] && apt-get install -y -qq chromium >/dev/null 2>&1; } &&
     ! { [ "$(id -u)" = 0 ] && apt-get update -qq >/dev/null 2>&1 &&
         apt-get install -y -qq chromium >/dev/null 2>&1; }; then
    echo "SKIPPED: browser tests: $chromium is missing and Debian's chromium package could not be installed (needs root and apt)"
    exit 0
  fi
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "SKIPPED: browser tests: node and npm are needed to drive Chromium"
  exit 0
fi

cd "$here"
npm ci --no-audit --no-fund --loglevel=error >/dev/null
CROSSCHECK="$binary" CHROMIUM="$chromium" \
  timeout 600 node --test --test-reporter=spec --test-timeout=120000 report.test.mjs
