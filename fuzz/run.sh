#!/usr/bin/env bash
# Runs each fuzz target for a while, one after the other, and prints what each did.
#
#   fuzz/run.sh [SECONDS] [TARGET...]     (default: 600 seconds; every target)
#
# Needs the nightly toolchain and cargo-fuzz (`cargo install cargo-fuzz`). Each target starts from
# the bundled fixtures (and a small HTML page and JSONL file made from them) as its corpus.
# A crash, a hang (one input over 10 s) or an out-of-memory (over 2 GiB) stops that target and
# leaves the input in fuzz/artifacts/TARGET/; the summary line says so. Logs: fuzz/logs/.
set -uo pipefail
cd "$(dirname "$0")"
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(html claims jsonl sentences align)

cargo +nightly fuzz build -O >/dev/null 2>&1 || cargo +nightly fuzz build -O || exit 2

seed() {
  local target=$1 dir=corpus/$1
  mkdir -p "$dir"
  cp ../fixtures/seeds/*.txt ../fixtures/cross/*.txt "$dir"/
  case "$target" in
    html)
      for f in ../fixtures/seeds/*.txt; do
        { echo '<!doctype html><html><head><title>t</title><style>p{}</style></head><body>'
          echo '<nav class="menu"><a href="/">Home</a></nav><article>'
          sed 's/^\(..*\)$/<p>\1<\/p>/' "$f"
          echo '</article><footer><aside role="complementary">Related</aside></footer>'
          echo '<script>var x = "<p>";</script></body></html>'
        } >"$dir/$(basename "$f" .txt).html"
      done ;;
    jsonl)
      python3 - "$dir" ../fixtures/seeds/*.txt <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1]) / "seeds.jsonl"
with out.open("w") as f:
    for i, p in enumerate(sys.argv[2:]):
        f.write(json.dumps({"id": i, "date": "2 MAR 1987", "text": pathlib.Path(p).read_text()[:200]}) + "\n")
    f.write('{"text": "no id"}\n[1, 2]\n{"id": "x", "text": 5}\n')
PY
      ;;
  esac
}

mkdir -p logs
printf '%-10s %12s %9s %10s  %s\n' target executions seconds exec/s result
for target in "${targets[@]}"; do
  seed "$target"
  mkdir -p "artifacts/$target"
  log=logs/$target.log
  start=$(date +%s)
  cargo +nightly fuzz run -O "$target" "corpus/$target" -- \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=16384 \
    -print_final_stats=1 >"$log" 2>&1
  status=$?
  took=$(( $(date +%s) - start ))
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  if [ "$status" -eq 0 ]; then
    result=clean
  else
    result="FOUND: $(grep -m1 -o 'ERROR: libFuzzer: [a-z-]*\|panicked at [^:]*:[0-9]*' "$log" || echo "exit $status")"
  fi
  printf '%-10s %12s %9s %10s  %s\n' "$target" "${execs:-?}" "$took" "${rate:-?}" "$result"
  # The run's record for docs/fuzz-log.txt: when, on what, and libFuzzer's own last words.
  {
    echo "== $target, $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD), $seconds s asked, $took s taken: $result"
    grep -E '^#[0-9]+' "$log" | tail -n 1
    grep -E '^stat::' "$log"
  } >>logs/record.txt
done
