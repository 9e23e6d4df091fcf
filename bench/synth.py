#!/usr/bin/env python3
"""A synthetic news corpus of any size, built from Reuters-21578 sentences, with planted
near-duplicates whose pairs are known.

  bench/synth.py --reuters REUTERS.jsonl --documents N --out DIR [--seed S] [--planted SHARE]

Writes DIR/corpus.jsonl (one {"id", "text"} a line) and DIR/truth.json (the planted pairs).
Each background document strings 8 to 24 sentences (news length: about 150 to 450 words), each
sentence the first half of one Reuters sentence joined to the second half of another, with its
figures redrawn: Reuters has about 98,000 sentences, and a million documents drawn from them
whole would share each sentence some 160 times, which no news collection does. Two background
documents so share phrases, as news does, but not sentences. A share of the documents (default 1%) gets a planted copy: the same sentences with one
dropped, one moved, and about 10% of the words replaced by words drawn from other sentences,
which is the spun and cut copy crosscheck is meant to find. Deterministic for a given seed.
Streams its output, so a million documents take about 1.5 GB of disk and little memory.

  bench/synth.py score --truth DIR/truth.json --report REPORT.json
prints how many planted pairs the report found.
"""
import argparse
import json
import random
import re
import sys


def sentences_of(reuters):
    out = []
    for line in open(reuters):
        text = json.loads(line).get("text") or ""
        text = re.sub(r"\s+", " ", text)
        for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"])", text):
            words = s.split()
            if 8 <= len(words) <= 45 and not s.isupper():
                out.append(s)
    return out


def background_sentence(pool, rng):
    """The first half of one sentence, the second half of another, figures redrawn."""
    a, b = rng.choice(pool).split(), rng.choice(pool).split()
    words = a[: len(a) // 2] + b[len(b) // 2:]
    return " ".join(
        re.sub(r"\d+", lambda m: str(rng.randrange(1, 10 ** len(m.group(0)))), w) for w in words
    )


def spin(sentence, vocabulary, rng, share=0.10):
    words = sentence.split()
    for i in range(len(words)):
        if rng.random() < share and not any(c.isdigit() for c in words[i]):
            words[i] = rng.choice(vocabulary)
    return " ".join(words)


def generate(args):
    rng = random.Random(args.seed)
    pool = sentences_of(args.reuters)
    vocabulary = [w for s in rng.sample(pool, min(5000, len(pool))) for w in s.split() if w.isalpha()]
    planted = []
    written = 0
    import os
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "corpus.jsonl"), "w") as corpus:
        while written < args.documents:
            chosen = [background_sentence(pool, rng) for _ in range(rng.randint(8, 24))]
            doc_id = f"synth-{written:07d}"
            corpus.write(json.dumps({"id": doc_id, "text": "\n\n".join(chosen)}) + "\n")
            written += 1
            if written < args.documents and rng.random() < args.planted:
                copy = list(chosen)
                copy.pop(rng.randrange(len(copy)))
                moved = copy.pop(rng.randrange(len(copy)))
                copy.insert(rng.randrange(len(copy) + 1), moved)
                copy = [spin(s, vocabulary, rng) for s in copy]
                copy_id = f"synth-{written:07d}"
                corpus.write(json.dumps({"id": copy_id, "text": "\n\n".join(copy)}) + "\n")
                planted.append([doc_id, copy_id])
                written += 1
    json.dump({"documents": written, "planted": planted, "seed": args.seed},
              open(os.path.join(args.out, "truth.json"), "w"))
    print(f"{written} documents, {len(planted)} planted copies, from {len(pool)} sentences",
          file=sys.stderr)


def score(args):
    truth = json.load(open(args.truth))
    report = json.load(open(args.report))
    found = {frozenset((p["a"], p["b"])) for p in report["pairs"]}
    planted = [frozenset(p) for p in truth["planted"]]
    hits = sum(p in found for p in planted)
    print(f"planted pairs found: {hits}/{len(planted)}; pairs reported: {len(found)}")
    if hits < len(planted):
        sys.exit(1)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "score":
        p = argparse.ArgumentParser(prog="synth.py score")
        p.add_argument("score")
        p.add_argument("--truth", required=True)
        p.add_argument("--report", required=True)
        score(p.parse_args())
        return
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--reuters", required=True)
    p.add_argument("--documents", type=int, required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--planted", type=float, default=0.01)
    generate(p.parse_args())


if __name__ == "__main__":
    main()
