//! Index stage: document signatures in, candidate pairs out, without comparing all pairs.
//!
//! A document's signature is the set of hashes of its word 3-grams (over stemmed, normalized
//! tokens, so inflection and number formatting do not break a shingle). All (shingle, document)
//! postings are sorted together; documents that share a shingle fall into one bucket.
//!
//! A shingle found in many documents says little about any two of them ("said in a statement"),
//! yet its bucket costs the square of its size. So a bucket of more than `common_documents`
//! documents takes part only for a share `common_documents / df` of such shingles, chosen by
//! hash, as word2vec subsamples frequent words: a stock phrase weighs little in what two
//! documents share, while the many shingles of a story reprinted on a hundred sites still leave
//! enough kept ones to pair its copies, and the pairs drawn stay about `common_documents` times
//! the postings. Documents of at most `short_signature` shingles keep all theirs between
//! themselves, because a short notice may share only three with its other version. A kept bucket
//! of up to `bucket_cap` documents yields every pair in it; a larger one yields only star edges
//! from its first document, as in the connected-components step of BigCode's MinHash
//! deduplication. A pair is a candidate when it shares at least `min_shared` kept shingles (fewer
//! if a document is shorter) and at least `min_share` of the smaller kept signature. Subsampling
//! made the synthetic 100,000-document corpus take 2.5 GB instead of 3.9 and its candidate
//! search 6.5 s instead of 14; see BENCHMARKS.md. Short shingles survive synonym spinning far
//! better than the 5-grams MinHash setups use: with 30% of words swapped, a third of 3-grams
//! survive against a sixth of 5-grams, and containment counting catches a copy that is only
//! part of the other, where Jaccard similarity would not.

use std::sync::atomic::{AtomicU32, Ordering};

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
    /// Shingles found in at most this many documents all count; of those found in more (df
    /// documents), a share `common_documents / df` is kept, chosen by hash, and the rest play
    /// no part in candidate search: stock phrases then weigh little, however many documents
    /// share them, and the pairs drawn from them stay linear in the postings. Default: 8.
    pub common_documents: usize,
    /// Documents with at most this many shingles keep them all between themselves: a short
    /// notice may share only three shingles with its other version, common ones among them.
    /// Default: 64.
    pub short_signature: usize,
    /// Most postings gathered at once (12 bytes each); more are gathered in passes over ranges
    /// of shingle hashes. Default: as many as fill 1 GiB (89 million).
    pub pass_postings: usize,
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
            common_documents: 8,
            short_signature: 64,
            pass_postings: (1 << 30) / std::mem::size_of::<Posting>(),
            min_words: 25,
        }
    }
}

/// A document's signature: its distinct shingle hashes, sorted.
pub type Signature = Vec<u64>;

/// Computes the signature of a token sequence.
pub fn sign(tokens: &[Token], shingle_words: usize) -> Signature {
    let mut shingles = shingles(tokens, shingle_words);
    shingles.sort_unstable();
    shingles.dedup();
    shingles
}

/// The shingle hashes of a token sequence, in reading order, repeats and all: its
/// [`Signature`] once sorted and made distinct.
pub fn shingles(tokens: &[Token], shingle_words: usize) -> Vec<u64> {
    let mut out = Vec::new();
    shingles_in(tokens, shingle_words, HashRange::ALL, &mut out);
    out
}

/// Appends to `out` the shingle hashes of `tokens` that fall in `range`, in reading order,
/// repeats and all: [`shingles`] of one range of hashes, without making the others' list.
pub fn shingles_in(tokens: &[Token], shingle_words: usize, range: HashRange, out: &mut Vec<u64>) {
    let k = shingle_words.max(1);
    if tokens.len() < k {
        if !tokens.is_empty() {
            let hash = combine(tokens);
            if range.holds(hash) {
                out.push(hash);
            }
        }
        return;
    }
    // Room for this range's share, with a little to spare: hashes spread evenly.
    out.reserve((tokens.len() - k + 1) / range.parts + 8);
    out.extend(tokens.windows(k).map(combine).filter(|&h| range.holds(h)));
}

/// One of several equal ranges of shingle hashes, in hash order: the hashes a pass of
/// [`candidates_of`] gathers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashRange {
    parts: usize,
    part: usize,
}

impl HashRange {
    /// Every hash.
    pub const ALL: HashRange = HashRange { parts: 1, part: 0 };

    /// Range `part` of `parts` (`part < parts`).
    pub fn new(part: usize, parts: usize) -> HashRange {
        debug_assert!(part < parts.max(1), "range {part} of {parts}");
        HashRange {
            parts: parts.max(1),
            part,
        }
    }

    /// Whether `hash` falls in this range.
    #[inline]
    pub fn holds(&self, hash: u64) -> bool {
        self.parts == 1 || part_of(hash, self.parts) == self.part
    }
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
    let mut keyed: Vec<Posting> = fingerprints
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.map(|f| Posting::new(f, i as u32)))
        .collect();
    keyed.sort_unstable();
    let mut pairs = Vec::new();
    for bucket in keyed.chunk_by(same_shingle) {
        let start = pairs.len();
        pairs.resize(start + bucket_pairs(bucket.len(), cap), 0);
        expand_bucket(bucket, cap, &mut pairs[start..]);
    }
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

/// One (shingle, document) posting of candidate search: twelve bytes, where the tuple
/// `(u64, u32)` takes sixteen (four of padding). A pass gathers tens of millions of them, so
/// the padding was a quarter of the bytes they take and the sort moves. Ordered by shingle,
/// then document, as the tuple is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
#[repr(C, packed(4))]
pub(crate) struct Posting {
    /// The shingle's hash.
    pub(crate) shingle: u64,
    /// The document's number.
    pub(crate) doc: u32,
}

impl Posting {
    pub(crate) fn new(shingle: u64, doc: u32) -> Posting {
        Posting { shingle, doc }
    }
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
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct IndexStats {
    /// Distinct (shingle, document) postings.
    pub postings: u64,
    /// Buckets larger than the cap, expanded as star edges only.
    pub oversized_buckets: u64,
    /// Pair records drawn from the buckets: one for each kept shingle two documents share
    /// (star edges for oversized buckets), before they are counted by pair.
    pub shingle_pairs: u64,
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
    let shingles = signatures.iter().map(|s| s.len() as u64).sum();
    candidates_of(
        signatures.len(),
        shingles,
        |doc, range, out| out.extend(signatures[doc].iter().filter(|&&h| range.holds(h))),
        options,
    )
}

/// Finds candidate pairs among `documents` documents, taking each one's shingle hashes from
/// `shingles_of` as its postings are gathered: `shingles_of(doc, range, out)` appends to `out`
/// those of document `doc` in `range`, in any order, repeats allowed (see [`shingles_in`]).
/// No signature is held beyond that (at a million news articles they would take
/// about 3 GB beside the postings).
///
/// `shingles` bounds the number of postings (the documents' words will do). Past
/// `options.pass_postings` the postings are gathered in several passes, each over one range of
/// shingle hashes, taking every document's shingles again each time: hashing them costs a
/// fortieth of tokenizing, and a bucket lies whole in one range, so the candidates are the
/// same. The first pass sorts each document's shingles whole, for their number; the others
/// sort only those in their range.
pub fn candidates_of(
    documents: usize,
    shingles: u64,
    shingles_of: impl Fn(usize, HashRange, &mut Vec<u64>) + Sync,
    options: &IndexOptions,
) -> (Vec<Candidate>, IndexStats) {
    let passes = passes(shingles, options);
    let lengths: Vec<AtomicU32> = (0..documents).map(|_| AtomicU32::new(0)).collect();
    let kept: Vec<AtomicU32> = (0..documents).map(|_| AtomicU32::new(0)).collect();
    let mut stats = IndexStats::default();
    // One pass's pair records; with several passes, each pass's are sorted and packed (see
    // [`PackedPairs`]) before the next pass draws into the same buffer, a list for each range
    // of first documents, so that the ranges can be counted in parallel.
    let mut pairs: Vec<u64> = Vec::new();
    let ranges = COUNT_RANGES.min(documents.max(1));
    let mut packed: Vec<Vec<PackedPairs>> = (0..ranges).map(|_| Vec::new()).collect();
    // One buffer for every pass's postings: a pass takes a gigabyte at a million documents,
    // and memory freed and taken again between passes came back from the kernel as fresh
    // pages, zeroed, each time (half the indexing's CPU was system time). It has room for a
    // pass's share of `shingles` and a quarter more, so that it seldom grows; space reserved
    // and never written takes no memory.
    let mut postings: Vec<Posting> =
        Vec::with_capacity((shingles.div_ceil(passes as u64) as usize).saturating_mul(5) / 4);
    for pass in 0..passes {
        let range = HashRange::new(pass, passes);
        postings.clear();
        for first in (0..documents).step_by(GATHER_DOCUMENTS) {
            let block = first..(first + GATHER_DOCUMENTS).min(documents);
            let shingles: Vec<Vec<u64>> = block
                .into_par_iter()
                .map(|doc| {
                    let mut shingles = Vec::new();
                    if pass == 0 {
                        shingles_of(doc, HashRange::ALL, &mut shingles);
                        shingles.sort_unstable();
                        shingles.dedup();
                        lengths[doc].store(shingles.len() as u32, Ordering::Relaxed);
                        shingles.retain(|&h| range.holds(h));
                    } else {
                        shingles_of(doc, range, &mut shingles);
                        shingles.sort_unstable();
                        shingles.dedup();
                    }
                    shingles
                })
                .collect();
            append_postings(&mut postings, first, &shingles);
        }
        stats.postings += postings.len() as u64;
        let length = |doc: u32| lengths[doc as usize].load(Ordering::Relaxed);
        stats.oversized_buckets += draw(&mut postings, &length, &kept, options, &mut pairs);
        if passes > 1 {
            stats.shingle_pairs += pairs.len() as u64;
            sort_pairs(&mut pairs, documents);
            // Range r: pairs whose first document is from ceil(r * documents / ranges) up to
            // the next range's first.
            let bounds: Vec<usize> = (0..=ranges)
                .map(|r| {
                    let first = (r * documents).div_ceil(ranges) as u64;
                    pairs.partition_point(|&key| key >> 32 < first)
                })
                .collect();
            let lists: Vec<PackedPairs> = bounds
                .par_windows(2)
                .map(|w| PackedPairs::pack(&pairs[w[0]..w[1]]))
                .collect();
            for (range, list) in packed.iter_mut().zip(lists) {
                range.push(list);
            }
            pairs.clear();
        }
    }
    drop(postings);
    let lengths: Vec<u32> = lengths.into_iter().map(AtomicU32::into_inner).collect();
    let kept: Vec<u32> = kept.into_iter().map(AtomicU32::into_inner).collect();
    let kept = kept_signatures(&kept, &lengths, options);
    let out = if passes > 1 {
        drop(pairs);
        let counted: Vec<(Vec<Candidate>, u64)> = packed
            .par_iter()
            .map(|lists| {
                let merged = merge_sorted(lists.iter().map(PackedPairs::iter).collect());
                count_sorted(merged, &kept, options)
            })
            .collect();
        let mut out = Vec::with_capacity(counted.iter().map(|(c, _)| c.len()).sum());
        for (candidates, touched) in counted {
            out.extend(candidates);
            stats.touched_pairs += touched;
        }
        stats.candidates = out.len() as u64;
        out
    } else {
        count(pairs, &kept, options, &mut stats)
    };
    (out, stats)
}

/// A sorted list of pair records, each stored as its difference from the one before in a
/// variable number of bytes (LEB128): about 3 bytes a record instead of 8.
///
/// The passes of [`candidates_of`] each draw their own pair records, and all of them must be
/// counted together. Gathered in one vector, a million news documents' 297 million records
/// took 2.4 GB, in a vector that grew by copying itself, and the run's peak memory (4.1 GB) was
/// there. Packed pass by pass and merged when counted, they take about a third.
struct PackedPairs(Vec<u8>);

impl PackedPairs {
    fn pack(sorted: &[u64]) -> PackedPairs {
        let mut bytes = Vec::with_capacity(sorted.len() * 3);
        let mut previous = 0u64;
        for &key in sorted {
            let mut delta = key - previous;
            previous = key;
            while delta >= 0x80 {
                bytes.push(delta as u8 | 0x80);
                delta >>= 7;
            }
            bytes.push(delta as u8);
        }
        bytes.shrink_to_fit();
        PackedPairs(bytes)
    }

    fn iter(&self) -> impl Iterator<Item = u64> + '_ {
        let mut bytes = self.0.iter();
        let mut previous = 0u64;
        std::iter::from_fn(move || {
            let mut delta = 0u64;
            let mut shift = 0;
            loop {
                let byte = *bytes.next()?;
                delta |= u64::from(byte & 0x7F) << shift;
                if byte < 0x80 {
                    break;
                }
                shift += 7;
            }
            previous += delta;
            Some(previous)
        })
    }
}

/// The items of several sorted lists, in order.
fn merge_sorted(mut lists: Vec<impl Iterator<Item = u64>>) -> impl Iterator<Item = u64> {
    let mut heads: Vec<Option<u64>> = lists.iter_mut().map(|l| l.next()).collect();
    std::iter::from_fn(move || {
        // A handful of lists (one a pass): a scan for the least head beats a heap.
        let (k, least) = heads
            .iter()
            .enumerate()
            .filter_map(|(k, h)| h.map(|h| (k, h)))
            .min_by_key(|&(_, h)| h)?;
        heads[k] = lists[k].next();
        Some(least)
    })
}

/// Documents whose shingles [`candidates_of`] takes at a time, to append to a pass's postings.
const GATHER_DOCUMENTS: usize = 16_384;

/// Appends the postings of documents `first`, `first + 1`, ... (their `shingles`, one list
/// each) to `postings`, in document order, copying in parallel into the buffer's own space.
fn append_postings(postings: &mut Vec<Posting>, first: usize, shingles: &[Vec<u64>]) {
    let start = postings.len();
    postings.resize(
        start + shingles.iter().map(Vec::len).sum::<usize>(),
        Posting::default(),
    );
    places(&mut postings[start..], shingles.iter().map(Vec::len))
        .into_par_iter()
        .zip(shingles)
        .enumerate()
        .for_each(|(k, (place, of_one))| {
            let doc = (first + k) as u32;
            for (slot, &shingle) in place.iter_mut().zip(of_one) {
                *slot = Posting::new(shingle, doc);
            }
        });
}

/// Appends to `pairs` the pair records drawn from postings `(shingle, document)` that hold
/// whole buckets (all the postings of each shingle they have), which it sorts; returns how
/// many buckets were oversized. Each kept bucket adds one to its long documents' count in
/// `kept`; `length` is a document's signature size (distinct shingles), which tells the short
/// ones. Used by [`candidates_of`] for each pass, and by the `pairs` stage for each partition.
pub(crate) fn draw(
    postings: &mut [Posting],
    length: &(impl Fn(u32) -> u32 + Sync),
    kept: &[AtomicU32],
    options: &IndexOptions,
    pairs: &mut Vec<u64>,
) -> u64 {
    // A shingle hash's top byte is spread evenly and orders the postings as they sort.
    bucket_sort(postings, |p| (p.shingle >> 56) as u8);
    // Split at bucket boundaries so buckets can be expanded in parallel.
    let chunks = bucket_aligned_chunks(postings, rayon::current_num_threads() * 8);
    let short = |doc: u32| length(doc) as usize <= options.short_signature;
    // Counted first, then written in place: the chunks' own lists, grown by doubling, were
    // a sixth of the page faults of a run.
    let counts: Vec<usize> = chunks
        .par_iter()
        .map(|chunk| chunk_pairs(chunk, &short, options))
        .collect();
    let start = pairs.len();
    pairs.resize(start + counts.iter().sum::<usize>(), 0);
    chunks
        .par_iter()
        .zip(places(&mut pairs[start..], counts.into_iter()))
        .map(|(chunk, out)| expand_chunk(chunk, &short, kept, options, out))
        .sum()
}

/// Each document's kept signature, the size its share of shingles is measured against: all
/// its shingles if it is short, else those in kept buckets (`kept`).
pub(crate) fn kept_signatures(kept: &[u32], lengths: &[u32], options: &IndexOptions) -> Vec<u32> {
    kept.iter()
        .zip(lengths)
        .map(
            |(&kept, &length)| match length as usize <= options.short_signature {
                true => length,
                false => kept,
            },
        )
        .collect()
}

/// The candidates among pair records (one for each kept shingle a pair shares, in any order),
/// given each document's kept signature; counts the records and the distinct pairs in `stats`.
pub(crate) fn count(
    mut pairs: Vec<u64>,
    kept: &[u32],
    options: &IndexOptions,
    stats: &mut IndexStats,
) -> Vec<Candidate> {
    stats.shingle_pairs = pairs.len() as u64;
    sort_pairs(&mut pairs, kept.len());
    let (out, touched) = count_sorted(pairs.into_iter(), kept, options);
    stats.touched_pairs += touched;
    stats.candidates = out.len() as u64;
    out
}

/// Sorts pair records `a << 32 | b` among `documents` documents, bucketed by the top byte
/// of their first document's number.
pub(crate) fn sort_pairs(pairs: &mut [u64], documents: usize) {
    let bits = u64::BITS - ((documents.max(1) as u64) << 32).leading_zeros();
    let shift = bits.saturating_sub(8);
    bucket_sort(pairs, |&key| (key >> shift) as u8);
}

/// Sorts `items` as `sort_unstable` does, given `byte`, which orders them as they sort
/// (`a <= b` implies `byte(a) <= byte(b)`) and is spread over its range. One pass moves each
/// item into its byte's bucket, and the buckets sort in parallel, each with eight levels
/// fewer to go. rayon's parallel quicksort partitions the whole slice on one thread before it
/// splits it, and every level after the first moves all of it again; the postings and pair
/// records of a pass are tens of millions of items.
///
/// The move into buckets is made out of place, on every thread, when a copy of `items` takes
/// at most [`SCATTER_BYTES`]; a larger slice is moved in place, on one thread, so that a pass
/// at a million documents (a gigabyte of postings) takes no second gigabyte.
pub(crate) fn bucket_sort<T: Ord + Copy + Send + Sync>(
    items: &mut [T],
    byte: impl Fn(&T) -> u8 + Sync,
) {
    bucket_sort_within(items, byte, SCATTER_BYTES);
}

/// [`bucket_sort`], moving items into buckets out of place when a copy of them takes at most
/// `scratch_bytes`.
fn bucket_sort_within<T: Ord + Copy + Send + Sync>(
    items: &mut [T],
    byte: impl Fn(&T) -> u8 + Sync,
    scratch_bytes: usize,
) {
    if items.len() < BUCKET_SORT_MIN {
        items.par_sort_unstable();
        return;
    }
    let chunk = items
        .len()
        .div_ceil(rayon::current_num_threads() * 4)
        .max(1 << 16);
    // Each chunk's count of items in each bucket.
    let counts: Vec<[usize; 256]> = items
        .par_chunks(chunk)
        .map(|chunk| {
            let mut counts = [0usize; 256];
            for item in chunk {
                counts[byte(item) as usize] += 1;
            }
            counts
        })
        .collect();
    let mut totals = [0usize; 256];
    for counts in &counts {
        totals.iter_mut().zip(counts).for_each(|(t, c)| *t += c);
    }
    if std::mem::size_of_val(items) <= scratch_bytes {
        scatter(items, &byte, chunk, &counts);
    } else {
        permute(items, &byte, &totals);
    }
    places(items, totals.into_iter())
        .into_par_iter()
        .for_each(|bucket| bucket.sort_unstable());
}

/// Moves `items` into their buckets out of place: each chunk of a copy writes its items to
/// its own run of each bucket (bucket by bucket, chunk by chunk within a bucket), so the
/// chunks write in parallel and never to the same place.
fn scatter<T: Copy + Send + Sync>(
    items: &mut [T],
    byte: &(impl Fn(&T) -> u8 + Sync),
    chunk: usize,
    counts: &[[usize; 256]],
) {
    let copy = items.to_vec();
    let lengths = (0..256).flat_map(|b| counts.iter().map(move |counts| counts[b]));
    let mut runs: Vec<Vec<&mut [T]>> = counts.iter().map(|_| Vec::with_capacity(256)).collect();
    for (k, run) in places(items, lengths).into_iter().enumerate() {
        runs[k % counts.len()].push(run);
    }
    copy.par_chunks(chunk)
        .zip(runs)
        .for_each(|(chunk, mut runs)| {
            let mut next = [0usize; 256];
            for item in chunk {
                let b = byte(item) as usize;
                runs[b][next[b]] = *item;
                next[b] += 1;
            }
        });
}

/// Moves `items` into their buckets in place, on one thread (American flag sort): every swap
/// puts one item in its bucket for good.
fn permute<T>(items: &mut [T], byte: &impl Fn(&T) -> u8, totals: &[usize; 256]) {
    let mut ends = [0usize; 256];
    let mut next = [0usize; 256];
    let mut start = 0;
    for b in 0..256 {
        next[b] = start;
        start += totals[b];
        ends[b] = start;
    }
    for b in 0..256 {
        while next[b] < ends[b] {
            let to = byte(&items[next[b]]) as usize;
            if to == b {
                next[b] += 1;
            } else {
                items.swap(next[b], next[to]);
                next[to] += 1;
            }
        }
    }
}

/// The most a copy of the items [`bucket_sort`] sorts may take for it to move them into
/// buckets out of place, on every thread. Reuters-21578's 2.4 million postings (29 MB) are
/// far below it; a pass at a million documents (1 GiB of postings) far above.
const SCATTER_BYTES: usize = 256 << 20;

/// Below this many items [`bucket_sort`] leaves the work to `par_sort_unstable`.
const BUCKET_SORT_MIN: usize = 1 << 15;

/// Ranges of first documents whose pair records [`candidates_of`] packs and counts apart, in
/// parallel, when it makes several passes. A pair lies whole in one range.
const COUNT_RANGES: usize = 64;

/// [`count`] for pair records already in order: the candidates, and how many distinct pairs
/// the records held.
fn count_sorted(
    sorted: impl Iterator<Item = u64>,
    kept: &[u32],
    options: &IndexOptions,
) -> (Vec<Candidate>, u64) {
    let mut out = Vec::new();
    let mut touched = 0;
    let mut push = |key: u64, shared: u32| {
        touched += 1;
        let (a, b) = ((key >> 32) as u32, key as u32);
        let smaller = kept[a as usize].min(kept[b as usize]);
        if shared >= needed(smaller, options) {
            out.push(Candidate { a, b, shared });
        }
    };
    let mut run: Option<(u64, u32)> = None;
    for key in sorted {
        run = match run {
            Some((current, shared)) if current == key => Some((current, shared + 1)),
            Some((current, shared)) => {
                push(current, shared);
                Some((key, 1))
            }
            None => Some((key, 1)),
        };
    }
    if let Some((current, shared)) = run {
        push(current, shared);
    }
    (out, touched)
}

fn bucket_aligned_chunks(postings: &[Posting], parts: usize) -> Vec<&[Posting]> {
    let target = postings.len().div_ceil(parts.max(1)).max(1);
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < postings.len() {
        let mut end = (start + target).min(postings.len());
        while end < postings.len() && same_shingle(&postings[end], &postings[end - 1]) {
            end += 1;
        }
        chunks.push(&postings[start..end]);
        start = end;
    }
    chunks
}

/// Which of `parts` ranges of shingle hashes (equal, in hash order) the shingle `hash` falls
/// in: the passes of [`candidates_of`] and the partitions of the `pairs` stage. A bucket lies
/// whole in one range.
pub(crate) fn part_of(hash: u64, parts: usize) -> usize {
    ((hash as u128 * parts as u128) >> 64) as usize
}

/// How many passes [`candidates_of`] makes over the documents for at most `shingles` postings.
pub fn passes(shingles: u64, options: &IndexOptions) -> usize {
    shingles
        .div_ceil(options.pass_postings.max(1) as u64)
        .max(1) as usize
}

/// Shared shingles two documents need to be a candidate, given the smaller signature's size.
pub(crate) fn needed(smaller: u32, options: &IndexOptions) -> u32 {
    options
        .min_shared
        .min(smaller)
        .max((options.min_share * smaller as f32).ceil() as u32)
        .max(1)
}

/// Whether the shingle `hash`, found in `df` documents, takes part in candidate search: always
/// when `df` is at most `common_documents`, otherwise for a share `common_documents / df` of
/// such shingles, chosen by hash (so the same shingle is kept or dropped in every run).
pub(crate) fn keeps(hash: u64, df: usize, options: &IndexOptions) -> bool {
    let common = options.common_documents.max(1) as u64;
    let df = df as u64;
    df <= common || (hash.wrapping_mul(0xD6E8_FEB8_6659_FD93) >> 32) % df < common
}

/// The members of one bucket that pair up: all of them if its shingle is kept (they count it
/// toward their kept signatures in `kept`, when given), else only the `short` documents.
fn members<'a>(
    bucket: &'a [Posting],
    short: &impl Fn(u32) -> bool,
    kept: Option<&[AtomicU32]>,
    options: &IndexOptions,
    short_members: &'a mut Vec<Posting>,
) -> &'a [Posting] {
    if keeps(bucket[0].shingle, bucket.len(), options) {
        if let Some(kept) = kept {
            for doc in bucket.iter().map(|p| p.doc).filter(|&doc| !short(doc)) {
                kept[doc as usize].fetch_add(1, Ordering::Relaxed);
            }
        }
        bucket
    } else {
        short_members.clear();
        short_members.extend(bucket.iter().filter(|p| short(p.doc)));
        short_members
    }
}

/// How many pair records the buckets of one chunk of sorted postings give.
fn chunk_pairs(chunk: &[Posting], short: &impl Fn(u32) -> bool, options: &IndexOptions) -> usize {
    let mut short_members = Vec::new();
    chunk
        .chunk_by(same_shingle)
        .map(|bucket| {
            let n = members(bucket, short, None, options, &mut short_members).len();
            bucket_pairs(n, options.bucket_cap)
        })
        .sum()
}

/// How many pair records [`expand_bucket`] writes for a bucket of `n` members.
fn bucket_pairs(n: usize, cap: usize) -> usize {
    match n {
        0 | 1 => 0,
        n if n <= cap => n * (n - 1) / 2,
        n => n - 1,
    }
}

/// Writes the pairs from the buckets of one chunk of sorted postings to `out` (sized by
/// [`chunk_pairs`]) and returns how many buckets were oversized. Kept buckets count toward
/// their long documents' kept signatures (`kept`); of a bucket not kept, only the `short`
/// documents pair up.
fn expand_chunk(
    chunk: &[Posting],
    short: &impl Fn(u32) -> bool,
    kept: &[AtomicU32],
    options: &IndexOptions,
    mut out: &mut [u64],
) -> u64 {
    let mut oversized = 0;
    let mut short_members = Vec::new();
    for bucket in chunk.chunk_by(same_shingle) {
        let members = members(bucket, short, Some(kept), options, &mut short_members);
        let (written, over) = expand_bucket(members, options.bucket_cap, out);
        out = &mut out[written..];
        oversized += over as u64;
    }
    debug_assert!(
        out.is_empty(),
        "chunk_pairs counted what expand_chunk writes"
    );
    oversized
}

/// Pairs (as `a << 32 | b`, a < b) from one bucket of postings, written to the start of
/// `out`: all of them up to `cap` documents, star edges from the first beyond. How many were
/// written, and whether the bucket was oversized.
/// `out` must hold at least [`bucket_pairs`] of the bucket's length.
fn expand_bucket(bucket: &[Posting], cap: usize, out: &mut [u64]) -> (usize, bool) {
    if bucket.len() < 2 {
        return (0, false);
    }
    if bucket.len() <= cap {
        let mut written = 0;
        for (k, a) in bucket.iter().enumerate() {
            for b in &bucket[k + 1..] {
                out[written] = ((a.doc as u64) << 32) | b.doc as u64;
                written += 1;
            }
        }
        (written, false)
    } else {
        let first = bucket[0].doc as u64;
        for (slot, b) in out.iter_mut().zip(&bucket[1..]) {
            *slot = (first << 32) | b.doc as u64;
        }
        (bucket.len() - 1, true)
    }
}

/// Whether two postings are of one shingle: in one bucket.
fn same_shingle(x: &Posting, y: &Posting) -> bool {
    x.shingle == y.shingle
}

/// `items` cut into consecutive places of the given lengths, in order.
fn places<T>(mut items: &mut [T], lengths: impl Iterator<Item = usize>) -> Vec<&mut [T]> {
    let mut places = Vec::with_capacity(lengths.size_hint().0);
    for length in lengths {
        let (place, after) = std::mem::take(&mut items).split_at_mut(length);
        places.push(place);
        items = after;
    }
    places
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokenize;

    fn sig(text: &str) -> Signature {
        sign(&tokenize(text), 3)
    }

    #[test]
    fn bucket_sort_orders_as_a_full_sort_does() {
        // Above the size where the buckets take over: hashed postings, repeats among them,
        // pair records of a few documents (their top bytes crowd a few buckets), and a slice
        // of one bucket only.
        let n = BUCKET_SORT_MIN * 3 + 17;
        let hash = |i: usize| (i as u64 % 5_000).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let postings: Vec<Posting> = (0..n)
            .map(|i| Posting::new(hash(i), (i % 97) as u32))
            .collect();
        let mut expected = postings.clone();
        expected.sort_unstable();
        for scratch_bytes in [0, usize::MAX] {
            let mut postings = postings.clone();
            bucket_sort_within(&mut postings, |p| (p.shingle >> 56) as u8, scratch_bytes);
            assert!(postings == expected, "postings, scratch {scratch_bytes}");
        }

        for documents in [3, 300, 70_000] {
            let mut pairs: Vec<u64> = (0..n as u64)
                .map(|i| {
                    let a = hash(i as usize) % documents;
                    let b = a + 1 + i % (documents - a).max(1);
                    a << 32 | b
                })
                .collect();
            let mut expected = pairs.clone();
            expected.sort_unstable();
            sort_pairs(&mut pairs, documents as usize + 1);
            assert_eq!(pairs, expected, "pairs among {documents}");
        }

        let one: Vec<u64> = (0..n as u64).rev().map(|i| i << 8).collect();
        let mut expected = one.clone();
        expected.sort_unstable();
        for scratch_bytes in [0, usize::MAX] {
            let mut one = one.clone();
            bucket_sort_within(&mut one, |_| 7, scratch_bytes);
            assert_eq!(one, expected, "one bucket, scratch {scratch_bytes}");
        }
    }

    #[test]
    fn shingles_are_order_sensitive_and_distinct() {
        assert_ne!(sig("a b c"), sig("c b a"));
        assert_eq!(sig("a b c a b c").len(), 3);
        assert_eq!(sig("two words").len(), 1);
        assert!(sig("").is_empty());
    }

    #[test]
    fn the_ranges_of_a_pass_split_the_shingles_between_them() {
        let tokens: Vec<Token> = (0..200u64)
            .map(|i| i.wrapping_mul(0x9E37_79B9) % 37)
            .collect();
        let all = shingles(&tokens, 3);
        for parts in [1, 2, 6] {
            let mut union = Vec::new();
            for part in 0..parts {
                let range = HashRange::new(part, parts);
                let mut one = Vec::new();
                shingles_in(&tokens, 3, range, &mut one);
                // This range's shingles, in reading order, as `shingles_in` promises.
                let in_range: Vec<u64> = all
                    .iter()
                    .copied()
                    .filter(|&h| part_of(h, parts) == part)
                    .collect();
                assert_eq!(one, in_range, "range {part} of {parts}");
                union.extend(one);
            }
            // Each shingle in exactly one range, repeats and all.
            let mut expected = all.clone();
            expected.sort_unstable();
            union.sort_unstable();
            assert_eq!(union, expected, "{parts} ranges");
        }
        // Fewer tokens than a shingle's words: one shingle of them all, in one range.
        let short = shingles(&tokens[..2], 3);
        assert_eq!(short.len(), 1);
        let held: usize = (0..6)
            .map(|part| {
                let mut one = Vec::new();
                shingles_in(&tokens[..2], 3, HashRange::new(part, 6), &mut one);
                one.len()
            })
            .sum();
        assert_eq!(held, 1);
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

    /// `count` documents of `unique` shingles of their own plus the `common` ones.
    fn long_documents(count: u64, unique: u64, common: &[u64]) -> Vec<Signature> {
        (0..count)
            .map(|d| {
                let mut s: Signature = (0..unique).map(|k| 1_000_000 + d * 1_000 + k).collect();
                s.extend(common);
                s.sort_unstable();
                s
            })
            .collect()
    }

    #[test]
    fn stock_phrases_shared_by_many_long_documents_make_no_candidates() {
        let common: Vec<u64> = (0..20).map(|k| k * 7_919).collect();
        let docs = long_documents(300, 100, &common);
        let (pairs, stats) = candidates(&docs, &IndexOptions::default());
        assert_eq!(stats.postings, 300 * 120);
        assert!(pairs.is_empty(), "{} candidates", pairs.len());
        // Without subsampling, every document shares 20 shingles with the first (a star edge
        // from each oversized bucket): a candidate.
        let everything = IndexOptions {
            common_documents: 1_000,
            ..IndexOptions::default()
        };
        assert_eq!(candidates(&docs, &everything).0.len(), 299);
    }

    #[test]
    fn copies_of_a_widely_reprinted_story_stay_candidates() {
        // One 200-shingle story on 100 sites, each copy with 10 shingles of its own (the site's
        // wording), and 200 unrelated documents.
        let story: Vec<u64> = (0..200).map(|k| k * 104_729).collect();
        let mut docs = long_documents(100, 10, &story);
        docs.extend(
            long_documents(200, 150, &[])
                .into_iter()
                .map(|s| s.into_iter().map(|h| h + 50_000_000).collect::<Signature>()),
        );
        let (pairs, _) = candidates(&docs, &IndexOptions::default());
        assert_eq!(pairs.len(), 99, "{pairs:?}");
        assert!(pairs.iter().all(|p| p.a == 0 && p.b < 100));
    }

    #[test]
    fn passes_over_hash_ranges_find_the_same_candidates() {
        let story: Vec<u64> = (0..200u64)
            .map(|k| k.wrapping_mul(0x9E37_79B9_7F4A_7C15))
            .collect();
        let mut docs = long_documents(30, 40, &story);
        docs.extend(long_documents(50, 60, &story[..20]));
        docs.push(sig("a short notice of a dozen words about a dividend"));
        let one = candidates(&docs, &IndexOptions::default());
        let options = IndexOptions {
            pass_postings: 500,
            ..IndexOptions::default()
        };
        let shingles: u64 = docs.iter().map(|d| d.len() as u64).sum();
        assert!(passes(shingles, &options) > 10);
        let many = candidates(&docs, &options);
        assert!(!one.0.is_empty());
        assert_eq!(one.0, many.0);
        assert_eq!(one.1.postings, many.1.postings);
        assert_eq!(one.1.oversized_buckets, many.1.oversized_buckets);
        assert_eq!(one.1.touched_pairs, many.1.touched_pairs);
        assert_eq!(one.1.shingle_pairs, many.1.shingle_pairs);
        // Every candidate is a touched pair, drawn once for each kept shingle it shares.
        let shared: u64 = one.0.iter().map(|c| c.shared as u64).sum();
        assert!(one.1.shingle_pairs >= shared && shared >= one.1.candidates);
        assert!(one.1.touched_pairs >= one.1.candidates && one.1.candidates > 0);
    }

    proptest::proptest! {
        /// Packed lists give back their records, repeats and all, and merged they come out as
        /// one sorted list.
        #[test]
        fn packed_pairs_merge_into_the_sorted_whole(
            lists in proptest::collection::vec(
                proptest::collection::vec(
                    proptest::prop_oneof![0..64u64, proptest::num::u64::ANY],
                    0..40,
                ),
                0..6,
            )
        ) {
            let mut lists = lists;
            for list in &mut lists {
                list.sort_unstable();
            }
            let packed: Vec<PackedPairs> = lists.iter().map(|l| PackedPairs::pack(l)).collect();
            for (list, packed) in lists.iter().zip(&packed) {
                proptest::prop_assert_eq!(&packed.iter().collect::<Vec<_>>(), list);
            }
            let mut whole: Vec<u64> = lists.concat();
            whole.sort_unstable();
            let lists = packed.iter().map(PackedPairs::iter).collect();
            let merged: Vec<u64> = merge_sorted(lists).collect();
            proptest::prop_assert_eq!(merged, whole);
        }
    }

    #[test]
    fn a_posting_takes_twelve_bytes_and_sorts_as_its_shingle_then_document() {
        assert_eq!(std::mem::size_of::<Posting>(), 12);
        let tuples = [
            (u64::MAX, 0u32),
            (7, 3),
            (7, 1),
            (0, u32::MAX),
            (1 << 40, 2),
            (7, 1),
        ];
        let mut postings: Vec<Posting> = tuples.iter().map(|&(h, d)| Posting::new(h, d)).collect();
        postings.sort_unstable();
        let mut sorted = tuples.to_vec();
        sorted.sort_unstable();
        let back: Vec<(u64, u32)> = postings.iter().map(|p| (p.shingle, p.doc)).collect();
        assert_eq!(back, sorted);
    }

    #[test]
    fn postings_appended_in_blocks_are_every_document_s_in_order() {
        let shingles: Vec<Vec<u64>> = vec![vec![5, 9], vec![], vec![1, 2, 3], vec![7]];
        let mut postings = vec![Posting::new(42, 0)]; // left by an earlier block
        append_postings(&mut postings, 10, &shingles[..2]);
        append_postings(&mut postings, 12, &shingles[2..]);
        let expected: Vec<Posting> = std::iter::once(Posting::new(42, 0))
            .chain(shingles.iter().enumerate().flat_map(|(k, of_one)| {
                of_one.iter().map(move |&h| Posting::new(h, 10 + k as u32))
            }))
            .collect();
        assert_eq!(postings, expected);
    }

    #[test]
    fn short_documents_keep_their_common_shingles() {
        // Two versions of a short notice sharing three shingles, each also in 50 long documents.
        let common = [11, 22, 33];
        let mut docs = long_documents(50, 100, &common);
        let notice = |own: u64| -> Signature {
            let mut s: Signature = (0..30).map(|k| own + k).chain(common).collect();
            s.sort_unstable();
            s
        };
        docs.push(notice(5_000_000));
        docs.push(notice(6_000_000));
        let (pairs, _) = candidates(&docs, &IndexOptions::default());
        assert_eq!(
            pairs.iter().map(|p| (p.a, p.b)).collect::<Vec<_>>(),
            [(50, 51)]
        );
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
