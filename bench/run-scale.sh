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
#   SPILL=always bench/run-scale.sh ...   crosscheck with --spill always at every size: by default
#                                     a size up to a few hundred thousand documents is held in
#                                     memory and the million is spilled, so the curve's last
#                                     step also measures the spill; this one compares like with
#                                     like (the files go to bench/out/synth-N[-topics-T]-spill-always/)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
reuters=${REUTERS:-$root/../shared/corpora/reuters21578.jsonl}
peers=${PEERS:-1}
topics=${TOPICS:-0}
spill=${SPILL:-auto}
py=$here/.venv/bin/python
sizes=("$@")
dirs=()
[ ${#sizes[@]} -gt 0 ] || sizes=(10000 100000)
if [ "$peers" != 0 ]; then "$here/setup.sh"; else py=python3; fi
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
for n in "${sizes[@]}"; do
  out=$here/out/synth-$n
  [ "$topics" = 0 ] || out=$here/out/synth-$n-topics-$topics
  [ -f "$out/corpus.jsonl" ] || python3 "$here/synth.py" --reuters "$reuters" --documents "$n" \
    --topic-documents "$topics" --out "$out"
  corpus=$out/corpus.jsonl
  if [ "$spill" != auto ]; then
    # The same corpus, the results and times kept apart from the default mode's.
    mkdir -p "$out-spill-$spill"
    cp "$out/truth.json" "$out-spill-$spill/"
    out=$out-spill-$spill
  fi
  {
    "$py" "$here/measure.py" "crosscheck" -- "$root/target/release/crosscheck" report \
      "$corpus" --format json -o "$out/crosscheck.json" --timings --spill "$spill"
    if [ "$peers" != 0 ]; then
      for engine in datasketch rensa; do
        "$py" "$here/measure.py" "$engine" -- "$py" "$here/peers.py" --engine "$engine" \
          --input "$corpus" --out "$out/$engine.json"
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
  dirs+=("$out")
done

# The curve over this run's sizes: how crosscheck's time grows against the documents and
# against the work they make (candidate pairs verified, conflicts cross-checked).
[ ${#dirs[@]} -gt 1 ] || exit 0
"$py" - "${dirs[@]}" <<'PY'
import json, sys
rows = []
for out in sys.argv[1:]:
    times = next(r for r in map(json.loads, open(f"{out}/times.jsonl")) if r["name"] == "crosscheck")
    stats = json.load(open(f"{out}/crosscheck.json"))["stats"]
    rows.append((stats["documents"], times["wall_s"], times["cpu_s"], stats["candidates"],
                 stats["conflicts"]))
print("\ncrosscheck's curve (growth from the size before)\n")
print("| documents | wall (s) | CPU (s) | candidates | conflicts | documents x | wall x | CPU x | candidates x |")
print("|---|---|---|---|---|---|---|---|---|")
before = None
for row in rows:
    docs, wall, cpu, candidates, conflicts = row
    growth = ["", "", "", ""] if before is None else [
        f"{now / max(then, 1e-9):.1f}" for now, then in zip(
            (docs, wall, cpu, candidates), (before[0], before[1], before[2], before[3]))]
    print(f"| {docs:,} | {wall:.2f} | {cpu:.2f} | {candidates:,} | {conflicts:,} | "
          + " | ".join(growth) + " |")
    before = row
PY
