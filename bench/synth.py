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


def background_sentence(pool, rng, topic=None):
    """The first half of one sentence, the second half of another, figures redrawn, and its
    less common words those of its topic (see Topic)."""
    a, b = rng.choice(pool).split(), rng.choice(pool).split()
    words = a[: len(a) // 2] + b[len(b) // 2:]
    if topic is not None:
        words = [topic.word(w) for w in words]
    # A word without digits is left alone: re.sub would give it back unchanged and draw nothing.
    return " ".join(
        w if w.isalpha() else
        re.sub(r"\d+", lambda m: str(rng.randrange(1, 10 ** len(m.group(0)))), w) for w in words
    )


class Topic:
    """A relabelling of the pool's vocabulary, so that documents of different topics share the
    pool's common words and phrases but not its rarer ones.

    Drawn whole from Reuters, a million documents would repeat each half-sentence some 160
    times, a hundred thousand some 16, ten thousand under 2: how often two documents share a
    phrase would grow with the corpus, and candidate search would face different text at each
    size. With a topic for every `--topic-documents` documents, each topic reads as a corpus of
    that size: every word outside the pool's `COMMON` most frequent is swapped for another of
    the pool's words by a permutation of its own (case kept; words with digits or inner marks
    left alone). The first topic keeps the words as they are, so a corpus no larger than one
    topic is the one generated without topics.
    """

    COMMON = 1000
    SHAPE = re.compile(r"^([^A-Za-z]*)([A-Za-z]+)([^A-Za-z]*)$")

    def __init__(self, rare, index, seed):
        self.mapping = {}
        if index > 0:
            shuffled = list(rare)
            random.Random(f"{seed}-topic-{index}").shuffle(shuffled)
            self.mapping = dict(zip(rare, shuffled))
        self.cache = {}

    @staticmethod
    def rare_words(pool):
        counts = {}
        for s in pool:
            for w in s.split():
                m = Topic.SHAPE.match(w)
                if m:
                    core = m.group(2).lower()
                    counts[core] = counts.get(core, 0) + 1
        ranked = sorted(counts, key=lambda w: (-counts[w], w))
        return sorted(ranked[Topic.COMMON:])

    def word(self, w):
        out = self.cache.get(w)
        if out is None:
            out = w
            m = Topic.SHAPE.match(w)
            if m and self.mapping:
                before, core, after = m.groups()
                new = self.mapping.get(core.lower())
                if new is not None:
                    if core.isupper() and len(core) > 1:
                        new = new.upper()
                    elif core[0].isupper():
                        new = new.capitalize()
                    out = before + new + after
            self.cache[w] = out
        return out


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
    rare = Topic.rare_words(pool) if args.topic_documents else []
    topic, topic_index = None, -1
    planted = []
    written = 0
    import os
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "corpus.jsonl"), "w") as corpus:
        while written < args.documents:
            if args.topic_documents and written // args.topic_documents != topic_index:
                topic_index = written // args.topic_documents
                topic = Topic(rare, topic_index, args.seed)
            chosen = [background_sentence(pool, rng, topic) for _ in range(rng.randint(8, 24))]
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
    json.dump({"documents": written, "planted": planted, "seed": args.seed,
               "topic_documents": args.topic_documents},
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
    p.add_argument("--topic-documents", type=int, default=0,
                   help="documents per topic (see Topic); 0, the default: one topic, no relabelling")
    generate(p.parse_args())


if __name__ == "__main__":
    main()
