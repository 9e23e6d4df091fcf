#!/usr/bin/env bash
# `report`'s stages as separate processes (crosscheck stage ...) over SHARDS shards of
# documents, SHARDS parts of shingles and SHARDS parts of candidates, against `crosscheck
# report` on the same input: the times of both, and a failure unless the JSON is the same byte
# for byte. Used by .ci/run on Reuters-21578 (issue #9).
#
#   bench/run-stages.sh CROSSCHECK_BINARY SHARDS PATH...
set -euo pipefail
binary=${1:?usage: bench/run-stages.sh CROSSCHECK_BINARY SHARDS PATH...}
shards=${2:?usage: bench/run-stages.sh CROSSCHECK_BINARY SHARDS PATH...}
shift 2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Each process's peak resident memory (KB) and stage go to $work/rss, where GNU time is here.
report_timed=()
[ -x /usr/bin/time ] && report_timed=(/usr/bin/time -o "$work/rss-report" -f %M)
stage() { # stage NAME ARGS...: one process, its peak memory noted with its name
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -a -o "$work/rss" -f "%M $1" "$binary" stage "$@"
  else
    "$binary" stage "$@"
  fi
}
each() { # each STAGE FLAG [PATH...]: the stage once for every shard, one process each
  local name=$1 flag=$2
  shift 2
  for ((i = 0; i < shards; i++)); do
    stage "$name" --work "$work/w" "$flag" "$i/$shards" "$@" 2>/dev/null
  done
}
start=$(date +%s%N)
each lines --shard "$@"
each sketch --shard "$@"
stage recurring --work "$work/w" 2>/dev/null
each sign --shard "$@"
each pairs --part
stage candidates --work "$work/w" 2>/dev/null
each verify --part "$@"
stage assemble --work "$work/w" --format json -o "$work/staged.json" "$@"
staged=$((($(date +%s%N) - start) / 1000000))
largest=$(sort -n "$work/rss" 2>/dev/null | tail -1 || true)
start=$(date +%s%N)
"${report_timed[@]}" "$binary" report --format json -o "$work/single.json" "$@" 2>/dev/null
single=$((($(date +%s%N) - start) / 1000000))
printf 'staged, %s shards as %s processes: %d ms; report: %d ms; work files: %s (sign, Parquet: %s)\n' \
  "$shards" $((5 * shards + 3)) "$staged" "$single" "$(du -sh "$work/w" | cut -f1)" \
  "$(du -ch "$work"/w/sign-*.parquet | tail -1 | cut -f1)"
if ! cmp -s "$work/staged.json" "$work/single.json"; then
  echo "the staged report differs from report's:"
  diff <(head -c 200000 "$work/staged.json") <(head -c 200000 "$work/single.json") | head -20
  exit 1
fi
echo "the same report, byte for byte"
if [ -n "$largest" ]; then
  printf 'peak memory: the largest stage process %d MB (%s); report %d MB\n' \
    $((${largest% *} / 1024)) "${largest#* }" $(($(cat "$work/rss-report") / 1024))
fi
