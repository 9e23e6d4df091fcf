#!/usr/bin/env bash
# crosscheck and the MinHash-LSH peers (datasketch, rensa) on synthetic corpora of growing size
# (bench/synth.py: Reuters-21578 sentences recombined, 1% planted spun copies), in one run per
# size on the same file: wall time, CPU time, peak memory, the ratios, and how many planted
# copies each found.
#
#   bench/run-scale.sh [SIZE...]      default: 10000 100000; REUTERS=path overrides the corpus
#   bench/run-scale.sh 10000 100000 1000000   the curve in BENCHMARKS.md (1M: 2.3 GB of disk,
#                                     spilled to a temporary file, ~2.7 GB of memory and ~7 GB of
#                                     disk for crosscheck; the peers add ~15 minutes, and
#                                     datasketch takes ~13 GB of memory there)
#   PEERS=0 bench/run-scale.sh ...    crosscheck alone
#   TOPICS=10000 bench/run-scale.sh ...   a topic every 10,000 documents (bench/synth.py
#                                     --topic-documents): each size then repeats the 10,000's
#                                     text statistics instead of reusing Reuters ever more often
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
reuters=${REUTERS:-$root/../shared/corpora/reuters21578.jsonl}
peers=${PEERS:-1}
topics=${TOPICS:-0}
py=$here/.venv/bin/python
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
if [ "$peers" != 0 ]; then "$here/setup.sh"; else py=python3; fi
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
for n in "${sizes[@]}"; do
  out=$here/out/synth-$n
  [ "$topics" = 0 ] || out=$here/out/synth-$n-topics-$topics
  [ -f "$out/corpus.jsonl" ] || python3 "$here/synth.py" --reuters "$reuters" --documents "$n" \
    --topic-documents "$topics" --out "$out"
  {
    "$py" "$here/measure.py" "crosscheck" -- "$root/target/release/crosscheck" report \
      "$out/corpus.jsonl" --format json -o "$out/crosscheck.json" --timings
    if [ "$peers" != 0 ]; then
      for engine in datasketch rensa; do
        "$py" "$here/measure.py" "$engine" -- "$py" "$here/peers.py" --engine "$engine" \
          --input "$out/corpus.jsonl" --out "$out/$engine.json"
      done
    fi
  } | tee "$out/times.jsonl"
  "$py" - "$out" "$n" <<'PY'
import json, subprocess, sys
out, n = sys.argv[1], int(sys.argv[2])
rows = [json.loads(l) for l in open(f"{out}/times.jsonl")]
base = rows[0]
print(f"\n{n:,} documents\n")
print("| tool | wall (s) | CPU (s) | peak memory (MB) | planted copies found | pairs | wall vs crosscheck |")
print("|---|---|---|---|---|---|---|")
truth = json.load(open(f"{out}/truth.json"))
planted = [frozenset(p) for p in truth["planted"]]
for r in rows:
    found = {frozenset((p["a"], p["b"])) for p in json.load(open(f"{out}/{r['name']}.json"))["pairs"]}
    hits = sum(p in found for p in planted)
    print(f"| {r['name']} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {r['peak_mb']:.0f} | "
          f"{hits:,} / {len(planted):,} | {len(found):,} | {r['wall_s'] / base['wall_s']:.1f}x |")
PY
  # crosscheck must find every planted copy; the peers are measured, not held to it.
  "$py" "$here/synth.py" score --truth "$out/truth.json" --report "$out/crosscheck.json"
done
