#!/usr/bin/env bash
# crosscheck against the MinHash-LSH peers on Reuters-21578, in one run on the same file:
# wall time, CPU time and peak memory of each, and the ratios.
#
#   bench/run-reuters.sh          REUTERS=path overrides ../shared/corpora/reuters21578.jsonl
#   RUNS=5 bench/run-reuters.sh   rounds (default 3): each round runs the three tools in turn, so
#                                 a slow spell of this shared machine falls on all of them; the
#                                 table gives each tool's median round and its range, and the
#                                 ratios of the medians
#   FOLDER=1 bench/run-reuters.sh the same stories as a folder of 19,043 .txt files, one a story
#                                 named by its id (written once, to bench/out/reuters-folder/stories),
#                                 the way most collections come: the three tools read the folder
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
reuters=${REUTERS:-$root/../shared/corpora/reuters21578.jsonl}
runs=${RUNS:-3}
out=$here/out/reuters
py=$here/.venv/bin/python

"$here/setup.sh"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
if [ -n "${FOLDER:-}" ]; then
  out=$here/out/reuters-folder
  stories=$out/stories
  if [ ! -f "$out/written" ] || [ "$reuters" -nt "$out/written" ]; then
    rm -rf "$stories"
    mkdir -p "$stories"
    # Every record with text, as it stands in the JSONL file: the same documents, without
    # the records' dates and titles.
    "$py" - "$reuters" "$stories" <<'PY'
import json, os, sys
source, stories = sys.argv[1:]
written = 0
for line in open(source, encoding="utf-8"):
    record = json.loads(line)
    text = record.get("text") or ""
    if text.strip():
        with open(os.path.join(stories, f"{record['id']}.txt"), "w", encoding="utf-8") as f:
            f.write(text)
        written += 1
print(f"{written} stories written to {stories}", file=sys.stderr)
PY
    touch "$out/written"
  fi
  reuters=$stories
fi
mkdir -p "$out"
for ((round = 1; round <= runs; round++)); do
  "$py" "$here/measure.py" crosscheck -- "$root/target/release/crosscheck" report "$reuters" \
    --format json -o "$out/crosscheck.json"
  "$py" "$here/measure.py" datasketch -- "$py" "$here/peers.py" --engine datasketch \
    --input "$reuters" --out "$out/datasketch.json"
  "$py" "$here/measure.py" rensa -- "$py" "$here/peers.py" --engine rensa \
    --input "$reuters" --out "$out/rensa.json"
done | tee "$out/times.jsonl"
"$py" - "$out" <<'PY'
import json, statistics, sys
out = sys.argv[1]
rows = [json.loads(l) for l in open(f"{out}/times.jsonl")]
names = list(dict.fromkeys(r["name"] for r in rows))
runs = {n: [r for r in rows if r["name"] == n] for n in names}
median = {n: statistics.median(r["wall_s"] for r in runs[n]) for n in names}
pairs = {n: len(json.load(open(f"{out}/{n}.json"))["pairs"]) for n in names}
rounds = len(runs[names[0]])
print(f"\n{rounds} round(s); wall and CPU are medians, with the range over the rounds\n")
print("| tool | wall (s) | CPU (s) | peak memory (MB) | pairs | wall vs crosscheck |")
print("|---|---|---|---|---|---|")
for n in names:
    walls = [r["wall_s"] for r in runs[n]]
    cpus = [r["cpu_s"] for r in runs[n]]
    peak = max(r["peak_mb"] for r in runs[n])
    spread = lambda xs: f" ({min(xs):.2f}-{max(xs):.2f})" if len(xs) > 1 else ""
    print(f"| {n} | {median[n]:.2f}{spread(walls)} | {statistics.median(cpus):.2f}{spread(cpus)} | "
          f"{peak:.0f} | {pairs[n]} | {median[n] / median['crosscheck']:.1f}x |")
PY
