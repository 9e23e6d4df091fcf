#!/usr/bin/env python3
"""What a crosscheck report finds among Reuters-21578's corrected stories, and its conflicts.

  bench/corrections.py REPORT.json [REUTERS.jsonl]

REPORT.json is `crosscheck report REUTERS.jsonl --format json`. Prints: the corrected stories
(title starting "CORRECTED") with text, how many are paired with another story, the conflicts
named inside those pairs, and the conflicts by kind over the whole collection, with every
cross-document one.
"""
import json
import sys
from collections import Counter, defaultdict


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    report = json.load(open(sys.argv[1]))
    corpus = sys.argv[2] if len(sys.argv) > 2 else "../shared/corpora/reuters21578.jsonl"
    titles = {}
    for line in open(corpus):
        record = json.loads(line)
        if (record.get("text") or "").strip():
            titles[record["id"]] = record.get("title") or ""
    corrected = {i for i, t in titles.items() if t.startswith("CORRECTED")}
    partners = defaultdict(set)
    for p in report["pairs"]:
        partners[p["a"]].add(p["b"])
        partners[p["b"]].add(p["a"])
    conflicts = defaultdict(list)
    for c in report["conflicts"]:
        conflicts[frozenset((c["a"]["doc"], c["b"]["doc"]))].append(c)
    paired = sorted(i for i in corrected if partners[i])
    print(f"corrected stories with text: {len(corrected)}; paired with another story: {len(paired)}")
    for story in paired:
        for other in sorted(partners[story]):
            for c in conflicts[frozenset((story, other))]:
                print(f"  {story} ({titles[story][:40]}): {c['a']['text']!r} against {c['b']['text']!r}")
    kinds = Counter(c["kind"] for c in report["conflicts"])
    print(f"conflicts: {dict(kinds)}; figures on one side only: {len(report.get('unpaired_figures', []))}")
    for c in report["conflicts"]:
        if c["kind"] == "cross":
            print(f"  cross {c['a']['doc']}:{c['a']['line']} {c['a']['text']!r} against "
                  f"{c['b']['doc']}:{c['b']['line']} {c['b']['text']!r} ({c['confidence']:.2f}; {c['evidence']})")


if __name__ == "__main__":
    main()
