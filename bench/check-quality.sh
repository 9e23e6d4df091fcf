#!/usr/bin/env bash
# The noisy-copy benchmark as a gate: generate the variants, run crosscheck, and fail below the
# targets (F1 0.97, precision 0.99, recall 0.95 on 30% spinning). Needs only python3's standard
# library and Debian's WordNet (installed here if missing). Used by .ci/run when ../shared is there.
#
#   bench/check-quality.sh CROSSCHECK_BINARY
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
binary=${1:?usage: bench/check-quality.sh CROSSCHECK_BINARY}
reuters=${REUTERS:-$root/../shared/corpora/reuters21578.jsonl}
if [ ! -f /usr/share/wordnet/data.noun ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq wordnet-base >/dev/null
fi
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
python3 "$here/noisy.py" generate --reuters "$reuters" --out "$out" --per-kind 50 --seed 2026
"$binary" report "$out/corpus" --format json -o "$out/report.json"
python3 "$here/noisy.py" score --truth "$out/truth.json" --report "$out/report.json" \
  --min-f1 0.97 --min-precision 0.99 --min-recall spin30=0.95
