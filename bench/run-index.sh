#!/usr/bin/env bash
# Incremental check against an index of Reuters-21578, in one command: build the index once,
# then check 99 new documents (97 noisy copies of indexed stories, planted by the noisy-copy
# generator, and 2 unrelated seed articles) against it, and count the copies found; then add
# them to the index and check them again (each new document now meets its own id in the index,
# taken as its older version, so the findings should not change).
#
#   bench/run-index.sh          REUTERS=path overrides ../shared/corpora/reuters21578.jsonl
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
reuters=${REUTERS:-$root/../shared/corpora/reuters21578.jsonl}
out=$here/out/index
py=$here/.venv/bin/python

"$here/setup.sh"
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
bin=$root/target/release/crosscheck
rm -rf "$out" && mkdir -p "$out/new"
"$py" "$here/noisy.py" generate --reuters "$reuters" --out "$out/gen" --per-kind 14 --background 0 --seed 11 >/dev/null
cp "$out"/gen/corpus/var-* "$out/new/"
cp "$root/fixtures/seeds/000_7990d4005203a233.txt" "$root/fixtures/seeds/001_d512c7b44b26cd90.txt" "$out/new/"
echo "new documents: $(ls "$out/new" | wc -l)"
"$py" "$here/measure.py" "index build" -- "$bin" index build "$reuters" -o "$out/reuters.idx"
ls -l "$out/reuters.idx" | awk '{printf "index size: %.1f MB\n", $5 / 1048576}'
count() {
  "$py" - "$out" "$1" <<'PY'
import json, sys
out, name = sys.argv[1], sys.argv[2]
truth = json.load(open(f"{out}/gen/truth.json"))
planted = {v["id"]: v["source"].removeprefix("src-").removesuffix(".txt") for v in truth["variants"]}
findings = json.load(open(f"{out}/{name}.json"))["findings"]
found = {(f["a"], f["b"]) for f in findings} | {(f["b"], f["a"]) for f in findings}
hit = sum((variant, source) in found for variant, source in planted.items())
others = [f for f in findings if (f["a"], f["b"]) not in {(v, s) for v, s in planted.items()} | {(s, v) for v, s in planted.items()}]
print(f"{name}: planted copies found: {hit}/{len(planted)}; other findings: {len(others)}")
for f in others[:10]:
    print("  other:", f["a"], f["b"], f["similarity"])
PY
}
set +e
"$py" "$here/measure.py" "check --against" -- "$bin" check "$out/new" --against "$out/reuters.idx" \
  --format json -o "$out/check.json" --exit-zero
set -e
count check
"$py" "$here/measure.py" "index add" -- "$bin" index add "$out/reuters.idx" "$out/new"
set +e
"$py" "$here/measure.py" "check --against, after the add" -- "$bin" check "$out/new" \
  --against "$out/reuters.idx" --format json -o "$out/check-added.json" --exit-zero
set -e
count check-added
