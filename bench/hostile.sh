#!/usr/bin/env bash
# The hostile inputs of issue #8, each beside the seed articles, through a release build:
# wall time, CPU time and peak memory per case (bench/measure.py), for docs/hardening.md.
# The tests in tests/hostile.rs check what each case reports; this measures what it costs.
#
#   bench/hostile.sh            (needs about 700 MB of space under $TMPDIR)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=$root/target/release/crosscheck
cargo build --release --quiet --manifest-path "$root/Cargo.toml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

case_dir() { mkdir -p "$work/$1"; cp "$root"/fixtures/seeds/*.txt "$work/$1/"; echo "$work/$1"; }

python3 - "$work" <<'PY'
import json, os, sys
work = sys.argv[1]
def seeds(name):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    return d
chunk = "officials said 300 soldiers and 12 tanks crossed the river on Monday " * 15000
with open(os.path.join(seeds("line"), "big.txt"), "w") as f:
    for _ in range(200 * 1024 * 1024 // len(chunk) + 1):
        f.write(chunk)
notes = os.path.join(seeds("files"), "notes")
os.makedirs(notes)
for i in range(100_000):
    with open(os.path.join(notes, f"{i:06}.txt"), "w") as f:
        f.write(f"Note {i}: the gauge read {i % 997} cm.")
depth = 100_000
with open(os.path.join(seeds("deep"), "deep.html"), "w") as f:
    f.write("<div>" * depth + "<p>The dam held after the storm.</p>" + "</div>" * depth
            + "<nav>" * depth + "menu" + "</span>" * depth)
sentence = "The minister said the new rules would take effect next month after a long debate. "
with open(os.path.join(seeds("repeat"), "a.txt"), "w") as f:
    f.write(sentence * 100_000)
with open(os.path.join(seeds("repeat"), "b.txt"), "w") as f:
    f.write((sentence + "\n") * 100_000)
with open(os.path.join(seeds("jsonl"), "corpus.jsonl"), "w") as f:
    f.write(json.dumps({"id": "small", "text": "A small story about 30 cats."}) + "\n")
    f.write(json.dumps({"id": "huge", "text": "officials said 300 soldiers crossed the river " * 1_150_000}) + "\n")
    f.write(json.dumps({"id": "small2", "text": "A small story about 30 cats."}) + "\n")
PY
for d in line files deep repeat jsonl; do cp "$root"/fixtures/seeds/*.txt "$work/$d/"; done

measure() { python3 "$here/measure.py" "$@"; }
measure "seeds alone" -- "$bin" report "$root/fixtures/seeds" --format json
measure "200 MB line, default limit (skipped)" -- "$bin" report "$work/line" --format json
measure "200 MB line, --max-file-size 256M (cut to 200,000 words)" -- "$bin" report "$work/line" --format json --max-file-size 256M
measure "100,000 tiny files" -- "$bin" report "$work/files" --format json
measure "HTML nested 100,000 deep" -- "$bin" report "$work/deep" --format json
measure "one sentence 100,000 times, twice (cut to 200,000 words)" -- "$bin" report "$work/repeat" --format json
measure "one sentence 100,000 times, twice, --max-words 2000000 (whole)" -- "$bin" report "$work/repeat" --format json --max-words 2000000
measure "JSONL line of 53 MB (cut to 200,000 words)" -- "$bin" report "$work/jsonl" --format json
measure "JSONL line of 53 MB, --max-file-size 10M (skipped)" -- "$bin" report "$work/jsonl" --format json --max-file-size 10M
measure "200 MB line, 1 thread" -- "$bin" report "$work/line" --format json --max-file-size 256M --threads 1
