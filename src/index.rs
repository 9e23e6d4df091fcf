//! Index stage: document signatures in, candidate pairs out, without comparing all pairs.
//!
//! A document's signature is the set of hashes of its word 3-grams (over stemmed, normalized
//! tokens, so inflection and number formatting do not break a shingle). All (shingle, document)
//! postings are sorted together; documents that share a shingle fall into one bucket. A bucket
//! of up to `bucket_cap` documents yields every pair in it; a larger one (a stock phrase, a
//! template line) yields only star edges from its first document, as in the connected-components
//! step of BigCode's MinHash deduplication, so the work stays linear in the postings. A pair is a
//! candidate when it shares at least `min_shared` shingles (fewer if a document is shorter) and
//! at least `min_share` of the smaller signature. Short shingles survive synonym spinning far
//! better than the 5-grams MinHash setups use: with 30% of words swapped, a third of 3-grams
//! survive against a sixth of 5-grams, and containment counting catches a copy that is only
//! part of the other, where Jaccard similarity would not.

use rayon::prelude::*;
use serde::Serialize;

use crate::text::Token;

/// Settings for candidate search.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Words per shingle. Default: 3.
    pub shingle_words: usize,
    /// Largest bucket expanded into all its pairs; larger ones give star edges. Default: 64.
    pub bucket_cap: usize,
    /// Shingles two documents must share to be a candidate. Default: 3.
    pub min_shared: u32,
    /// Share of the smaller signature two documents must share. Default: 0.05.
    pub min_share: f32,
    /// Documents with fewer body words are matched only when their text is identical (after
    /// normalization): a dividend notice of a dozen words cannot be told from another company's
    /// by its wording. Default: 25.
    pub min_words: u32,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            shingle_words: 3,
            bucket_cap: 64,
            min_shared: 3,
            min_share: 0.05,
            min_words: 25,
        }
    }
}

/// A document's signature: its distinct shingle hashes, sorted.
pub type Signature = Vec<u64>;

/// Computes the signature of a token sequence.
pub fn sign(tokens: &[Token], shingle_words: usize) -> Signature {
    let k = shingle_words.max(1);
    let mut shingles: Vec<u64> = if tokens.len() < k {
        if tokens.is_empty() {
            Vec::new()
        } else {
            vec![combine(tokens)]
        }
    } else {
        tokens.windows(k).map(combine).collect()
    };
    shingles.sort_unstable();
    shingles.dedup();
    shingles
}

fn combine(window: &[Token]) -> u64 {
    // A multiply-rotate mix: order-sensitive, and cheap next to hashing the words themselves.
    window.iter().fold(0x9E37_79B9_7F4A_7C15u64, |h, &t| {
        (h.rotate_left(23) ^ t).wrapping_mul(0xBF58_476D_1CE4_E5B9)
    })
}

/// Pairs of documents whose token sequences are identical, whatever their length.
///
/// `fingerprints[i]` is the hash of document i's whole token sequence, or `None` for a
/// document with no text. Groups larger than `cap` give star edges from their first member.
pub fn identical(fingerprints: &[Option<u64>], cap: usize) -> Vec<Candidate> {
    let mut keyed: Vec<(u64, u32)> = fingerprints
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.map(|f| (f, i as u32)))
        .collect();
    keyed.sort_unstable();
    let (pairs, _) = expand_buckets(&keyed, cap);
    pairs
        .into_iter()
        .map(|key| Candidate {
            a: (key >> 32) as u32,
            b: key as u32,
            shared: u32::MAX,
        })
        .collect()
}

/// Hash of a whole token sequence.
pub fn fingerprint(tokens: &[Token]) -> Option<u64> {
    (!tokens.is_empty()).then(|| {
        tokens.iter().fold(0x243F_6A88_85A3_08D3u64, |h, &t| {
            (h.rotate_left(27) ^ t).wrapping_mul(0x9E37_79B9_7F4A_7C15)
        })
    })
}

/// A pair of documents worth verifying.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Candidate {
    /// Index of the first document (the smaller index).
    pub a: u32,
    /// Index of the second document.
    pub b: u32,
    /// Shingles the two share (counting only buckets that produced this pair).
    pub shared: u32,
}

/// What candidate search found, and what it had to cut short.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexStats {
    /// Distinct (shingle, document) postings.
    pub postings: u64,
    /// Buckets larger than the cap, expanded as star edges only.
    pub oversized_buckets: u64,
    /// Pairs that shared at least one shingle.
    pub touched_pairs: u64,
    /// Pairs that passed the candidate thresholds.
    pub candidates: u64,
}

/// Finds candidate pairs among documents given their signatures.
pub fn candidates(
    signatures: &[Signature],
    options: &IndexOptions,
) -> (Vec<Candidate>, IndexStats) {
    let mut postings: Vec<(u64, u32)> = signatures
        .par_iter()
        .enumerate()
        .flat_map_iter(|(doc, sig)| sig.iter().map(move |&h| (h, doc as u32)))
        .collect();
    postings.par_sort_unstable();
    let mut stats = IndexStats {
        postings: postings.len() as u64,
        ..IndexStats::default()
    };

    // Split at bucket boundaries so buckets can be expanded in parallel.
    let chunks = bucket_aligned_chunks(&postings, rayon::current_num_threads() * 8);
    let expanded: Vec<(Vec<u64>, u64)> = chunks
        .par_iter()
        .map(|chunk| expand_buckets(chunk, options.bucket_cap))
        .collect();
    drop(postings);
    let mut pairs: Vec<u64> = Vec::with_capacity(expanded.iter().map(|(p, _)| p.len()).sum());
    for (chunk_pairs, oversized) in expanded {
        pairs.extend(chunk_pairs);
        stats.oversized_buckets += oversized;
    }
    pairs.par_sort_unstable();

    let mut out = Vec::new();
    let mut i = 0;
    while i < pairs.len() {
        let key = pairs[i];
        let mut j = i + 1;
        while j < pairs.len() && pairs[j] == key {
            j += 1;
        }
        stats.touched_pairs += 1;
        let shared = (j - i) as u32;
        let (a, b) = ((key >> 32) as u32, key as u32);
        let smaller = signatures[a as usize]
            .len()
            .min(signatures[b as usize].len()) as u32;
        let needed = options
            .min_shared
            .min(smaller)
            .max((options.min_share * smaller as f32).ceil() as u32);
        if shared >= needed.max(1) {
            out.push(Candidate { a, b, shared });
        }
        i = j;
    }
    stats.candidates = out.len() as u64;
    (out, stats)
}

fn bucket_aligned_chunks(postings: &[(u64, u32)], parts: usize) -> Vec<&[(u64, u32)]> {
    let target = postings.len().div_ceil(parts.max(1)).max(1);
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < postings.len() {
        let mut end = (start + target).min(postings.len());
        while end < postings.len() && postings[end].0 == postings[end - 1].0 {
            end += 1;
        }
        chunks.push(&postings[start..end]);
        start = end;
    }
    chunks
}

/// Pairs (as `a << 32 | b`, a < b) from every bucket in a chunk, and how many were oversized.
fn expand_buckets(chunk: &[(u64, u32)], cap: usize) -> (Vec<u64>, u64) {
    let mut pairs = Vec::new();
    let mut oversized = 0;
    for bucket in chunk.chunk_by(|x, y| x.0 == y.0) {
        if bucket.len() < 2 {
            continue;
        }
        if bucket.len() <= cap {
            for (k, &(_, a)) in bucket.iter().enumerate() {
                for &(_, b) in &bucket[k + 1..] {
                    pairs.push(((a as u64) << 32) | b as u64);
                }
            }
        } else {
            oversized += 1;
            let first = bucket[0].1 as u64;
            pairs.extend(bucket[1..].iter().map(|&(_, b)| (first << 32) | b as u64));
        }
    }
    (pairs, oversized)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    fn sig(text: &str) -> Signature {
        sign(&tokenize(text), 3)
    }

    #[test]
    fn shingles_are_order_sensitive_and_distinct() {
        assert_ne!(sig("a b c"), sig("c b a"));
        assert_eq!(sig("a b c a b c").len(), 3);
        assert_eq!(sig("two words").len(), 1);
        assert!(sig("").is_empty());
    }

    #[test]
    fn shared_passages_make_candidates_and_strangers_do_not() {
        let base = "the quick brown fox jumps over the lazy dog near the river bank today";
        let docs = [
            sig(base),
            sig(&format!("{base} and then it rained")),
            sig("completely different words about markets and oil prices in asia"),
        ];
        let (pairs, stats) = candidates(&docs, &IndexOptions::default());
        assert_eq!(pairs.len(), 1);
        assert_eq!((pairs[0].a, pairs[0].b), (0, 1));
        assert_eq!(stats.oversized_buckets, 0);
    }

    #[test]
    fn identical_texts_pair_up_whatever_their_length() {
        let prints = [
            fingerprint(&tokenize("Qtly div 10 cts")),
            fingerprint(&tokenize("Qtly div 12 cts")),
            fingerprint(&tokenize("qtly   DIV 10 cts")),
            None,
        ];
        let pairs = identical(&prints, 64);
        assert_eq!(pairs.len(), 1);
        assert_eq!((pairs[0].a, pairs[0].b), (0, 2));
    }

    #[test]
    fn oversized_buckets_give_star_edges() {
        let docs: Vec<Signature> = (0..10).map(|_| vec![1, 2, 3]).collect();
        let options = IndexOptions {
            bucket_cap: 4,
            ..IndexOptions::default()
        };
        let (pairs, stats) = candidates(&docs, &options);
        assert_eq!(stats.oversized_buckets, 3);
        assert_eq!(pairs.len(), 9, "only the star from document 0");
        assert!(pairs.iter().all(|p| p.a == 0 && p.shared == 3));
    }
}
