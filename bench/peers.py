#!/usr/bin/env python3
"""MinHash-LSH peers on the same input crosscheck reads: datasketch and rensa (PyPI).

  peers.py --engine datasketch|rensa --input PATH [--shingle 5] [--threshold 0.5]
           [--num-perm 128] [--out pairs.json]

PATH is a JSONL corpus (one {"id", "text"} object a line) or a folder of .txt/.md/.html files.
Documents are lower-cased words (HTML tags stripped); a document's signature is the MinHash of
its word k-gram shingles; every document is inserted into an LSH index and queried against it.
Writes the candidate pairs found (the peers stop there: no verification, no passages).
"""
import argparse
import json
import os
import re
import sys
from html.parser import HTMLParser

WORD = re.compile(r"\w+")


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style") and self.skip > 0

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def read_documents(path):
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    record = json.loads(line)
                    if isinstance(record.get("text"), str) and record["text"].strip():
                        yield str(record["id"]), record["text"]
        return
    for name in sorted(os.listdir(path)):
        with open(os.path.join(path, name), encoding="utf-8", errors="replace") as f:
            text = f.read()
        if name.endswith((".html", ".htm")):
            parser = _Text()
            parser.feed(text)
            text = " ".join(parser.parts)
        yield name, text


def shingles(text, k):
    words = WORD.findall(text.lower())
    return sorted({" ".join(words[i:i + k]) for i in range(max(1, len(words) - k + 1))})


def run_datasketch(docs, k, threshold, num_perm):
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    hashes = []
    for i, (_, text) in enumerate(docs):
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch([s.encode() for s in shingles(text, k)])
        lsh.insert(i, m)
        hashes.append(m)
    return {tuple(sorted((i, j))) for i, m in enumerate(hashes) for j in lsh.query(m) if j != i}


def run_rensa(docs, k, threshold, num_perm):
    from rensa import RMinHash, RMinHashLSH

    bands = 16 if num_perm % 16 == 0 else 8
    lsh = RMinHashLSH(threshold=threshold, num_perm=num_perm, num_bands=bands)
    hashes = []
    for i, (_, text) in enumerate(docs):
        m = RMinHash(num_perm=num_perm, seed=1)
        m.update(shingles(text, k))
        lsh.insert(i, m)
        hashes.append(m)
    return {tuple(sorted((i, j))) for i, m in enumerate(hashes) for j in lsh.query(m) if j != i}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--engine", choices=["datasketch", "rensa"], required=True)
    parser.add_argument("--input", required=True)
    parser.add_argument("--shingle", type=int, default=5)
    parser.add_argument("--threshold", type=float, default=0.5)
    parser.add_argument("--num-perm", type=int, default=128)
    parser.add_argument("--out")
    args = parser.parse_args()
    docs = list(read_documents(args.input))
    run = run_datasketch if args.engine == "datasketch" else run_rensa
    pairs = run(docs, args.shingle, args.threshold, args.num_perm)
    named = sorted((docs[i][0], docs[j][0]) for i, j in pairs)
    if args.out:
        with open(args.out, "w") as f:
            json.dump({"engine": args.engine, "pairs": [{"a": a, "b": b} for a, b in named]}, f)
    print(f"{args.engine}: {len(docs)} documents, {len(named)} candidate pairs", file=sys.stderr)


if __name__ == "__main__":
    main()
