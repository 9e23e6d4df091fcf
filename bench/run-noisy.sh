#!/usr/bin/env bash
# The noisy-copy benchmark in one command: generate variants of Reuters-21578 articles, run
# crosscheck and the datasketch MinHash-LSH baseline on them, and score both.
#
#   bench/run-noisy.sh [PER_KIND] [SEED]          (defaults: 50 per kind, seed 2026)
#
# REUTERS=path/to/reuters21578.jsonl overrides ../shared/corpora/reuters21578.jsonl.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
reuters=${REUTERS:-$root/../shared/corpora/reuters21578.jsonl}
per_kind=${1:-50}
seed=${2:-2026}
out=$here/out/noisy-$per_kind-$seed
py=$here/.venv/bin/python

"$here/setup.sh"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
mkdir -p "$out"
"$py" "$here/noisy.py" generate --reuters "$reuters" --out "$out" --per-kind "$per_kind" --seed "$seed"
"$py" "$here/measure.py" crosscheck -- "$root/target/release/crosscheck" report "$out/corpus" \
  --format json -o "$out/report.json"
echo
"$py" "$here/noisy.py" score --truth "$out/truth.json" --report "$out/report.json" --json "$out/score.json"
echo
echo "threshold sweep (report made at --threshold 0.2; the default is 0.42):"
"$root/target/release/crosscheck" report "$out/corpus" --format json --threshold 0.2 -o "$out/report-low.json"
"$py" "$here/noisy.py" sweep --truth "$out/truth.json" --report "$out/report-low.json"
echo
"$py" "$here/noisy.py" datasketch --truth "$out/truth.json" --json "$out/datasketch.json" 2>"$out/datasketch-sweep.log"
