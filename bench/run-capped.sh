#!/usr/bin/env bash
# Runs `crosscheck report` inside a memory cgroup capped at LIMIT bytes, so that a collection
# whose held working set is larger than that cap shows whether the run still finishes.
#
#   bench/run-capped.sh LIMIT INPUT [crosscheck report flags...]
#   bench/run-capped.sh 4G bench/out/synth-1000000/corpus.jsonl --spill always
#   bench/run-capped.sh 4G bench/out/synth-1000000/corpus.jsonl --spill never   # killed
#
# The cap counts the page cache as well as the process (cgroup v1 memory.limit_in_bytes, or
# v2 memory.max); the kernel reclaims clean cache before it kills. Needs root and a writable
# memory cgroup (v1 at /sys/fs/cgroup/memory, or v2 at /sys/fs/cgroup); says so otherwise.
set -euo pipefail

limit=${1:?usage: bench/run-capped.sh LIMIT INPUT [flags...]}
input=${2:?usage: bench/run-capped.sh LIMIT INPUT [flags...]}
shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$root/target/release/crosscheck
[ -x "$bin" ] || cargo build --release --manifest-path "$root/Cargo.toml"

bytes=$(numfmt --from=iec "$limit")
own=$(awk -F: '$2 == "memory" {print $3}' /proc/self/cgroup)
if [ -n "$own" ] && [ -w "/sys/fs/cgroup/memory$own" ]; then
    group=/sys/fs/cgroup/memory$own/crosscheck-capped-$$
    mkdir "$group"
    echo "$bytes" > "$group/memory.limit_in_bytes"
    peak_file=$group/memory.max_usage_in_bytes
    oom_file=$group/memory.failcnt
elif [ -w /sys/fs/cgroup/cgroup.subtree_control ]; then
    group=/sys/fs/cgroup/crosscheck-capped-$$
    mkdir "$group"
    echo "$bytes" > "$group/memory.max"
    peak_file=$group/memory.peak
    oom_file=$group/memory.events
else
    echo "run-capped.sh: no writable memory cgroup here (needs root); not run" >&2
    exit 1
fi
cleanup() { rmdir "$group" 2>/dev/null || true; }
trap cleanup EXIT

out=$(mktemp)
start=$(date +%s.%N)
status=0
# The subshell moves itself into the group, then becomes crosscheck.
( echo $BASHPID > "$group/cgroup.procs"; exec /usr/bin/time -f "%e s wall, %U s user, %S s system, peak RSS %M KB" \
    "$bin" report "$input" --format json -o "$out" "$@" ) || status=$?
end=$(date +%s.%N)
echo "cap $limit ($bytes bytes); exit status $status; $(echo "$end - $start" | bc) s"
echo "cgroup peak (process and page cache): $(numfmt --to=iec < "$peak_file")"
if [ "$status" -eq 0 ]; then
    python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['stats']; print('documents', s['documents'], 'pairs', s['pairs'], 'candidates', s['candidates'])" "$out"
else
    echo "the run did not finish (status $status; 137 is the kernel's out-of-memory kill)"
fi
rm -f "$out"
exit "$status"
