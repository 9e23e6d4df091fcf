#!/usr/bin/env bash
# crosscheck against the MinHash-LSH peers on Reuters-21578, in one run on the same file:
# wall time, CPU time and peak memory of each, and the ratios.
#
#   bench/run-reuters.sh          REUTERS=path overrides ../shared/corpora/reuters21578.jsonl
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
reuters=${REUTERS:-$root/../shared/corpora/reuters21578.jsonl}
out=$here/out/reuters
py=$here/.venv/bin/python

"$here/setup.sh"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
mkdir -p "$out"
{
  "$py" "$here/measure.py" crosscheck -- "$root/target/release/crosscheck" report "$reuters" \
    --format json -o "$out/crosscheck.json"
  "$py" "$here/measure.py" datasketch -- "$py" "$here/peers.py" --engine datasketch \
    --input "$reuters" --out "$out/datasketch.json"
  "$py" "$here/measure.py" rensa -- "$py" "$here/peers.py" --engine rensa \
    --input "$reuters" --out "$out/rensa.json"
} | tee "$out/times.jsonl"
"$py" - "$out" <<'PY'
import json, sys
out = sys.argv[1]
rows = [json.loads(l) for l in open(f"{out}/times.jsonl")]
base = rows[0]
pairs = {"crosscheck": len(json.load(open(f"{out}/crosscheck.json"))["pairs"]),
         "datasketch": len(json.load(open(f"{out}/datasketch.json"))["pairs"]),
         "rensa": len(json.load(open(f"{out}/rensa.json"))["pairs"])}
print(f"\n| tool | wall (s) | CPU (s) | peak memory (MB) | pairs | wall vs crosscheck |")
print("|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['name']} | {r['wall_s']:.2f} | {r['cpu_s']:.2f} | {r['peak_mb']:.0f} | {pairs[r['name']]} | "
          f"{r['wall_s'] / base['wall_s']:.1f}x |")
PY
