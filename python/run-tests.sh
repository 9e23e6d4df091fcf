#!/usr/bin/env bash
# The drivers' tests: sets up (python/setup.sh), builds crosscheck, then holds the Spark
# (local[2], 127.0.0.1) and Ray (2 CPUs, 127.0.0.1) reports to `crosscheck report` byte for
# byte. With ../shared beside the checkout, on Reuters-21578 too.
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(python/setup.sh)
cargo build --release --quiet
export CROSSCHECK_BIN="$PWD/target/release/crosscheck"
if [ -f ../shared/corpora/reuters21578.jsonl ]; then
  export CROSSCHECK_REUTERS="$(cd ../shared/corpora && pwd)/reuters21578.jsonl"
fi
# From a folder outside the package source, so that the installed wheel is imported.
cd python/tests
exec "$python" -m pytest -q -p no:cacheprovider --durations=5 "$@" .
