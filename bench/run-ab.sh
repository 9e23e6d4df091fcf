#!/usr/bin/env bash
# Two builds of crosscheck on the same input, alternating, so that this shared machine's
# changes of speed (an eighth within an hour has been seen) fall on both: each run's wall time,
# user and system CPU and peak memory, the medians, and whether the two reports are byte for
# byte the same. The way every change in BENCHMARKS.md is measured against its base.
#
#   bench/run-ab.sh BASE_BINARY NEW_BINARY INPUT [ROUNDS] [-- REPORT_ARGS...]
#
# ROUNDS defaults to 5; REPORT_ARGS (default: --format json) go to `crosscheck report`. A base
# build: `git worktree add /tmp/base REV && cargo build --release --manifest-path
# /tmp/base/Cargo.toml --target-dir /tmp/base-target` (copying target/ there first saves
# rebuilding the dependencies).
set -euo pipefail
[ $# -ge 3 ] || { sed -n '2,12p' "$0"; exit 2; }
base=$1 new=$2 input=$3
shift 3
for binary in "$base" "$new"; do
  [ -f "$binary" ] && [ -x "$binary" ] || { echo "run-ab.sh: $binary: not an executable file" >&2; exit 2; }
done
[ -e "$input" ] || { echo "run-ab.sh: $input: no such file or directory" >&2; exit 2; }
rounds=5
if [ $# -gt 0 ] && [ "$1" != -- ]; then rounds=$1; shift; fi
[ "${1:-}" != -- ] || shift
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--format json)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
here=$(cd "$(dirname "$0")" && pwd)
for ((round = 1; round <= rounds; round++)); do
  for side in base new; do
    binary=$base
    [ "$side" = base ] || binary=$new
    # crosscheck's own messages (its warnings) are kept apart, and shown if a run fails.
    if ! python3 "$here/measure.py" "$side" -- "$binary" report "$input" "${args[@]}" \
      -o "$out/$side.out" >> "$out/times.jsonl" 2>> "$out/stderr.log"; then
      tail -n 20 "$out/stderr.log" >&2
      exit 1
    fi
  done
done
python3 - "$out/times.jsonl" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
print("| build | wall (s), each round | median wall (s) | median CPU (s) | peak (MB) |")
print("|---|---|---|---|---|")
median = {}
for side in ("base", "new"):
    runs = [r for r in rows if r["name"] == side]
    median[side] = statistics.median(r["wall_s"] for r in runs)
    walls = ", ".join(f"{r['wall_s']:.2f}" for r in runs)
    print(f"| {side} | {walls} | {median[side]:.2f} | "
          f"{statistics.median(r['cpu_s'] for r in runs):.2f} | "
          f"{max(r['peak_mb'] for r in runs):.0f} |")
print(f"\nnew / base, median wall: {median['new'] / median['base']:.3f}")
PY
if cmp -s "$out/base.out" "$out/new.out"; then
  echo "the reports: the same, byte for byte"
else
  echo "the reports: DIFFERENT (the last round's)"
fi
