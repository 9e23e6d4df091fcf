#!/usr/bin/env bash
# crosscheck on synthetic corpora of growing size (bench/synth.py: Reuters-21578 sentences
# recombined, 1% planted spun copies): wall time, CPU time, peak memory, and whether every
# planted copy was found, per size.
#
#   bench/run-scale.sh [SIZE...]      default: 10000 100000; REUTERS=path overrides the corpus
#   bench/run-scale.sh 10000 100000 1000000   the curve in BENCHMARKS.md (1M: 2.3 GB of disk, ~16 GB of memory)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
reuters=${REUTERS:-$root/../shared/corpora/reuters21578.jsonl}
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
for n in "${sizes[@]}"; do
  out=$here/out/synth-$n
  [ -f "$out/corpus.jsonl" ] || python3 "$here/synth.py" --reuters "$reuters" --documents "$n" --out "$out"
  python3 "$here/measure.py" "crosscheck-$n" -- "$root/target/release/crosscheck" report \
    "$out/corpus.jsonl" --format json -o "$out/report.json" --timings
  python3 "$here/synth.py" score --truth "$out/truth.json" --report "$out/report.json"
done
