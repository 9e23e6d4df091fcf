//! Align stage: pairs the sentences of two documents.
//!
//! Takes two [`Profile`]s (sentences as weighted token sets) and gives back an [`Alignment`]: the
//! sentence pairs, each with its similarity, in the order of the first document. Three passes:
//!
//! 1. **Anchors.** Sentence similarity is a weighted Dice coefficient over stemmed tokens, the
//!    weights being inverse document frequency with function words damped, so a sentence that
//!    keeps its names, numbers and rarer words survives a spinner swapping a third of its words.
//!    Only pairs that share a token are ever scored (an inverted index over the second document,
//!    skipping tokens found in more than `max_postings` of its sentences), so the work is linear
//!    in the text, not quadratic. The anchors are the heaviest chain of pairs increasing on both
//!    sides (a weighted longest increasing subsequence, O(k log k) with a Fenwick tree).
//! 2. **Context.** Between two anchors, sentences too reworded to anchor on their own ("it's a
//!    chance to escape" against "it's a likelihood at freedom") are paired at a lower threshold,
//!    because their position vouches for them.
//! 3. **Moves.** Strong pairs left over, out of order, are reported as moved passages.

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::text::{Analysis, Token, is_number, is_stopword};

/// How much a token weighs when comparing sentences.
#[derive(Debug, Clone, Default)]
pub struct Weights {
    /// Each token's document frequency and its weight, worked out once: alignment asks for
    /// the weight of every token of every document it profiles.
    tokens: FxHashMap<Token, (u32, f32)>,
    documents: u32,
}

/// Weight of a function word relative to its inverse document frequency.
const STOPWORD_DAMPING: f32 = 0.1;
/// Weight of a figure relative to its inverse document frequency. Spinners keep figures and
/// template stories (earnings, bond issues) differ mostly in them, so they count double.
const NUMBER_BOOST: f32 = 2.0;

impl Weights {
    /// Weights from document frequencies over a collection of `documents` documents.
    pub fn new(document_frequency: FxHashMap<Token, u32>, documents: u32) -> Self {
        let tokens = document_frequency
            .into_iter()
            .map(|(token, df)| (token, (df, weight_of(token, df, documents))))
            .collect();
        Weights { tokens, documents }
    }

    /// Weights computed from a handful of analyses (for comparing two documents on their own).
    pub fn from_analyses<'a>(analyses: impl IntoIterator<Item = &'a Analysis>) -> Self {
        let documents: Vec<&[Token]> = analyses.into_iter().map(|a| a.tokens.as_slice()).collect();
        let mut df: FxHashMap<Token, u32> = FxHashMap::default();
        crate::count_documents(&mut df, documents.par_iter().copied());
        Weights::new(df, documents.len() as u32)
    }

    /// The share of documents holding `token`, in [0, 1].
    pub fn share(&self, token: Token) -> f32 {
        share_of(
            self.tokens.get(&token).map_or(0, |&(df, _)| df),
            self.documents,
        )
    }

    /// How many documents the weights were computed over.
    pub fn documents(&self) -> u32 {
        self.documents
    }

    /// The weight of one token: smoothed inverse document frequency, damped for function words.
    pub fn weight(&self, token: Token) -> f32 {
        match self.tokens.get(&token) {
            Some(&(_, weight)) => weight,
            None => weight_of(token, 0, self.documents),
        }
    }
}

/// The share of `documents` that `df` of them make ([`Weights::share`]).
pub fn share_of(df: u32, documents: u32) -> f32 {
    df as f32 / documents.max(1) as f32
}

/// The weight of `token`, found in `df` of `documents` documents.
fn weight_of(token: Token, df: u32, documents: u32) -> f32 {
    let idf = ((documents as f32 + 1.0) / (df as f32 + 1.0)).ln() + 1.0;
    if is_stopword(token) {
        idf * STOPWORD_DAMPING
    } else if is_number(token) {
        idf * NUMBER_BOOST
    } else {
        idf
    }
}

/// One sentence as a weighted set of tokens.
#[derive(Debug, Clone, PartialEq)]
pub struct SentenceVector {
    /// Distinct tokens with their weights, sorted by token.
    pub tokens: Vec<(Token, f32)>,
    /// Sum of the weights.
    pub norm: f32,
    /// Words in the sentence (with repeats).
    pub words: u32,
    /// Hash of the sentence's token sequence: equal for identical sentences.
    pub exact: u64,
}

/// A document ready to be aligned: one vector per sentence of its [`Analysis`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Profile {
    /// One vector per sentence, in order.
    pub sentences: Vec<SentenceVector>,
    /// Words in the whole body.
    pub words: u32,
    /// Where each token occurs, built once per document rather than once per pair it is
    /// aligned in.
    postings: Postings,
    /// (exact hash, sentence), sorted: the sentences with the same wording.
    by_exact: Vec<(u64, u32)>,
    /// Which side of a pair this profile takes (see [`align`]): made once, not for every pair,
    /// since it reads every token.
    order: (u32, usize, u64),
    /// The document's names and figures ([`Analysis::keys`]) with their weights, looked up
    /// once rather than for every pair (see [`crate::judge::key_agreement`]).
    pub(crate) keys: Vec<(Token, f32)>,
    /// The tokens (indices into `postings.keys`, ascending) of every sentence's prefix: see
    /// [`Scored::worth_scoring`].
    prefix: Vec<u32>,
}

impl Profile {
    /// Builds the profile of an analysis under the given weights.
    pub fn new(analysis: &Analysis, weights: &Weights) -> Self {
        // Every (token, sentence) of the document, sorted once: read in order, it gives the
        // postings and each sentence's distinct tokens already sorted, and each distinct token
        // is weighed once, not once for every sentence it is in.
        let mut pairs: Vec<(Token, u32)> = Vec::with_capacity(analysis.tokens.len());
        for (j, s) in analysis.sentences.iter().enumerate() {
            pairs.extend(analysis.sentence_tokens(s).iter().map(|&t| (t, j as u32)));
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut distinct = vec![0usize; analysis.sentences.len()];
        for &(_, j) in &pairs {
            distinct[j as usize] += 1;
        }
        let mut tokens: Vec<Vec<(Token, f32)>> =
            distinct.into_iter().map(Vec::with_capacity).collect();
        let mut postings = Postings {
            keys: Vec::new(),
            starts: Vec::new(),
            sentences: Vec::with_capacity(pairs.len()),
        };
        let mut key_weights = Vec::new();
        for run in pairs.chunk_by(|x, y| x.0 == y.0) {
            let (token, weight) = (run[0].0, weights.weight(run[0].0));
            key_weights.push(weight);
            postings.keys.push(token);
            postings.starts.push(postings.sentences.len() as u32);
            for &(_, j) in run {
                postings.sentences.push(j);
                tokens[j as usize].push((token, weight));
            }
        }
        postings.starts.push(postings.sentences.len() as u32);
        let sentences: Vec<SentenceVector> = analysis
            .sentences
            .iter()
            .zip(tokens)
            .map(|(s, tokens)| SentenceVector {
                norm: tokens.iter().map(|&(_, w)| w).sum(),
                tokens,
                words: s.words(),
                exact: crate::index::fingerprint(analysis.sentence_tokens(s)).unwrap_or(0),
            })
            .collect();
        let keys = analysis
            .keys
            .iter()
            .map(|&k| (k, weights.weight(k)))
            .collect();
        let mut by_exact: Vec<(u64, u32)> = sentences
            .iter()
            .enumerate()
            .map(|(j, s)| (s.exact, j as u32))
            .collect();
        by_exact.sort_unstable();
        let words = analysis.words();
        let order = order_key(&sentences, words);
        let prefix = prefix_keys(&sentences, &postings, &key_weights);
        Profile {
            sentences,
            words,
            postings,
            by_exact,
            order,
            keys,
            prefix,
        }
    }
}

/// The sentence similarity the prefixes of [`Profile`] are cut for: the judge's least
/// similarity for a passage reused ([`crate::judge::JudgeOptions::partial_similarity`]).
const PREFIX_SIMILARITY: f32 = 0.7;

/// Bands of weight in which `prefix_keys` orders a document's tokens: eighths of an octave,
/// from 64 (with all heavier) down to 1/16 (with all lighter). Weights run from about 0.1
/// (a function word) to 30 (a figure found once).
const WEIGHT_BANDS: usize = 88;

const _: () = assert!(WEIGHT_BANDS <= 256, "a band is kept in a byte");

/// The top twelve bits of the weights in the heaviest band: those of 64.0f32 and the seven
/// eighths of an octave above it.
const HEAVIEST_BITS: usize = ((64.0f32.to_bits() >> 20) + 7) as usize;

/// Relative room left for rounding wherever a similarity bound is worked out: sums of f32
/// weights taken in another order differ by far less.
const BOUND_SLACK: f64 = 1e-4;

/// Every sentence's prefix for [`PREFIX_SIMILARITY`], as indices into `postings.keys`
/// (ascending); `weights` are the keys' weights.
///
/// A sentence's prefix is its heaviest tokens (in bands of weight; ties by token), taken
/// until the weight of those left is under `t * norm / (2 - t)`. If two sentences score `t`
/// or more, the weight they share is at least that much (it is at least
/// `t * (norm_x + norm_y) / 2`, and at most `norm_y`), so it cannot lie wholly outside
/// either prefix; and since every document orders tokens the same way (by their collection
/// weight), their prefixes share a token: take the prefix that ends first in that order;
/// a shared token inside it lies inside the other one too. (Prefix filtering, as in the
/// set-similarity joins of Chaudhuri et al. 2006 and Bayardo et al. 2007.)
fn prefix_keys(sentences: &[SentenceVector], postings: &Postings, weights: &[f32]) -> Vec<u32> {
    let t = PREFIX_SIMILARITY as f64 * (1.0 - BOUND_SLACK);
    // What each sentence's tokens still weigh past the least a pair at `t` shares, less those
    // taken so far: a sentence takes tokens while this is not below zero. (The norm is a sum
    // in f32, nearer the exact one than the slack left.)
    let past_shared = 1.0 - t / (2.0 - t);
    let mut room: Vec<f64> = sentences
        .iter()
        .map(|s| s.norm as f64 * past_shared)
        .collect();
    // The document's tokens heaviest first, ties by token, in bands of weight an eighth of an
    // octave wide (any order the same for every document will do; the heaviest first keep
    // prefixes short): a counting sort, since every profile is cut and a document has
    // hundreds of tokens. A positive f32's bits order as it does, and its top twelve are its
    // exponent and the first three bits of its mantissa.
    let bands: Vec<u8> = weights
        .iter()
        .map(|w| {
            let bits = (w.to_bits() >> 20) as usize;
            (HEAVIEST_BITS - bits.clamp(HEAVIEST_BITS - (WEIGHT_BANDS - 1), HEAVIEST_BITS)) as u8
        })
        .collect();
    let mut starts = [0u32; WEIGHT_BANDS + 1];
    for &b in &bands {
        starts[b as usize + 1] += 1;
    }
    for b in 0..WEIGHT_BANDS {
        starts[b + 1] += starts[b];
    }
    let mut heaviest = vec![0u32; weights.len()];
    for (k, &b) in bands.iter().enumerate() {
        let slot = &mut starts[b as usize];
        heaviest[*slot as usize] = k as u32;
        *slot += 1;
    }
    let mut in_prefix = vec![false; weights.len()];
    for k in heaviest {
        let k = k as usize;
        let (begin, end) = postings.run(k);
        for &s in &postings.sentences[begin as usize..end as usize] {
            let room = &mut room[s as usize];
            if *room >= 0.0 {
                *room -= weights[k] as f64;
                in_prefix[k] = true;
            }
        }
    }
    // Sized exactly: a block of verification holds a hundred thousand profiles.
    let mut prefix = Vec::with_capacity(in_prefix.iter().filter(|&&x| x).count());
    prefix.extend((0..weights.len() as u32).filter(|&k| in_prefix[k as usize]));
    prefix
}

/// The similarity of two sentences counting every token they share, as [`Scored::new`]
/// scores them but in f64: at least what it gives them, which leaves out tokens found in too
/// many sentences.
fn similarity_bound(x: &SentenceVector, y: &SentenceVector) -> f64 {
    let (mut i, mut j, mut shared) = (0, 0, 0f64);
    // Steps taken without a branch on the comparison: which list moves on is a coin toss.
    while let (Some(&(a, w)), Some(&(b, _))) = (x.tokens.get(i), y.tokens.get(j)) {
        shared += if a == b { w as f64 } else { 0.0 };
        i += usize::from(a <= b);
        j += usize::from(b <= a);
    }
    let denominator = x.norm as f64 + y.norm as f64;
    if denominator > 0.0 {
        2.0 * shared / denominator
    } else {
        0.0
    }
}

/// The sentences each distinct token of a document occurs in: `keys[i]` (ascending) is in
/// the sentences `sentences[starts[i]..starts[i + 1]]` (ascending).
///
/// Three flat lists rather than one of (token, sentence) pairs: aligning a pair walks one
/// document's keys against the other's and then reads the sentences of each shared token,
/// and each of those reads dense memory this way (4 bytes a sentence, not 16).
#[derive(Debug, Clone, Default, PartialEq)]
struct Postings {
    keys: Vec<Token>,
    starts: Vec<u32>,
    sentences: Vec<u32>,
}

impl Postings {
    /// Where the sentences of the `i`-th key lie in `sentences`.
    fn run(&self, i: usize) -> (u32, u32) {
        (self.starts[i], self.starts[i + 1])
    }
}

/// Settings for alignment. Every threshold is a sentence similarity in [0, 1].
#[derive(Debug, Clone)]
pub struct AlignOptions {
    /// Least similarity for a pair to anchor the alignment on its own. Default: 0.35.
    pub anchor: f32,
    /// Least similarity for a pair between two anchors. Default: 0.12.
    pub context: f32,
    /// Least similarity for an out-of-order pair to count as a moved passage. Default: 0.6.
    pub moved: f32,
    /// Tokens found in more sentences of the second document than this are not looked up
    /// (they cannot tell sentences apart, and would make the work quadratic). Default: 64.
    pub max_postings: usize,
}

impl Default for AlignOptions {
    fn default() -> Self {
        AlignOptions {
            anchor: 0.35,
            context: 0.12,
            moved: 0.6,
            max_postings: 64,
        }
    }
}

/// How a sentence pair was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Link {
    /// Similar enough on its own, in order.
    Anchor,
    /// Weaker, but in order between two anchors.
    Context,
    /// Similar, but out of order: a moved passage.
    Moved,
}

/// Two sentences paired by the alignment.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SentencePair {
    /// Sentence index in the first document.
    pub a: u32,
    /// Sentence index in the second document.
    pub b: u32,
    /// Their similarity, in [0, 1].
    pub similarity: f32,
    /// How the pair was found.
    pub link: Link,
}

/// The sentence pairs of two documents, and what they cover.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Alignment {
    /// Pairs sorted by first-document sentence; each sentence appears at most once per side.
    pub pairs: Vec<SentencePair>,
    /// Words of the first document in paired sentences.
    pub matched_a: u32,
    /// Words of the second document in paired sentences.
    pub matched_b: u32,
    /// Words in the first document.
    pub words_a: u32,
    /// Words in the second document.
    pub words_b: u32,
    /// Similarity of the two documents in [0, 1]: pair similarities weighted by words, over all
    /// words of both.
    pub similarity: f32,
}

impl Alignment {
    /// Share of the first document's words in paired sentences.
    pub fn coverage_a(&self) -> f32 {
        ratio(self.matched_a, self.words_a)
    }

    /// Share of the second document's words in paired sentences.
    pub fn coverage_b(&self) -> f32 {
        ratio(self.matched_b, self.words_b)
    }

    /// Similarity of the matched sentences alone, weighted by their words: how close the shared
    /// text is, whatever else either document holds.
    pub fn matched_similarity(&self) -> f32 {
        let matched = self.matched_a + self.matched_b;
        if matched == 0 {
            return 0.0;
        }
        let total = (self.words_a + self.words_b) as f32;
        (self.similarity * total / matched as f32).min(1.0)
    }

    /// The same alignment seen from the other side.
    pub fn swapped(&self) -> Alignment {
        let mut pairs: Vec<SentencePair> = self
            .pairs
            .iter()
            .map(|p| SentencePair {
                a: p.b,
                b: p.a,
                ..*p
            })
            .collect();
        pairs.sort_by_key(|p| p.a);
        Alignment {
            pairs,
            matched_a: self.matched_b,
            matched_b: self.matched_a,
            words_a: self.words_b,
            words_b: self.words_a,
            similarity: self.similarity,
        }
    }
}

fn ratio(part: u32, whole: u32) -> f32 {
    if whole == 0 {
        0.0
    } else {
        (part as f32 / whole as f32).min(1.0)
    }
}

/// A scored sentence pair before it is chosen.
#[derive(Debug, Clone, Copy)]
struct Point {
    a: u32,
    b: u32,
    similarity: f32,
    gain: f32,
}

/// The least an alignment must hold for a verdict: the judge's thresholds that a pair's
/// scored sentences alone can rule out (see [`Scored::may_reach`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reach {
    /// Whether a full duplicate is possible at all: the two documents' names and figures
    /// agree enough (the judge tells this before any alignment).
    pub full: bool,
    /// Least share of each document's words in paired sentences, with `similarity`: a full
    /// duplicate.
    pub coverage_each: f32,
    /// Least similarity of the two documents, with `coverage_each`.
    pub similarity: f32,
    /// Least share of either document's words in paired sentences: a copy cut short.
    pub coverage_either: f32,
    /// Least sentences paired in a row on both sides for a passage reused...
    pub in_a_row: u32,
    /// ... and its least word-weighted similarity. (Its words are not bounded here: the
    /// judge counts every pair whose sentences lie within the passage's lines, which with
    /// several sentences to a line can be more than the passage's own.)
    pub passage_similarity: f32,
}

/// Two documents' sentence pairs scored, ready to be aligned: [`Scored::may_reach`] tells,
/// from the scores alone, whether the alignment could come to anything, before
/// [`Scored::align`] does the rest of the work.
pub struct Scored<'a> {
    /// The profiles in the order alignment takes them (see [`align`]).
    lhs: &'a Profile,
    rhs: &'a Profile,
    /// Whether that order is the reverse of the caller's.
    swapped: bool,
    points: Vec<Point>,
}

impl<'a> Scored<'a> {
    /// Scores the sentence pairs of two documents that share a token.
    pub fn new(lhs: &'a Profile, rhs: &'a Profile, options: &AlignOptions) -> Self {
        // Tie-breaks inside the chain search favour the first side; fixing the order by
        // content makes the answer symmetric.
        let swapped = rhs.order < lhs.order;
        let (lhs, rhs) = if swapped { (rhs, lhs) } else { (lhs, rhs) };
        let points = score_pairs(lhs, rhs, options);
        Scored {
            lhs,
            rhs,
            swapped,
            points,
        }
    }

    /// Whether the sentence pairs of `lhs` and `rhs` are worth scoring for `reach`, told
    /// before scoring them: `false` is a promise that [`Scored::may_reach`] would say `false`,
    /// `true` only a maybe.
    ///
    /// Where a full duplicate is out of the question, only a passage is left, and a passage
    /// needs one sentence pair at `reach.passage_similarity` or more: the same wording, or
    /// two sentences whose prefixes (see `prefix_keys`) share a token. Those are few, and
    /// each is bounded by `similarity_bound` on its own; most candidates share stock
    /// phrases and names and no sentence close enough, and are turned away here at a small
    /// part of the cost of scoring every pair of their sentences that shares a token.
    pub fn worth_scoring(lhs: &Profile, rhs: &Profile, reach: &Reach) -> bool {
        if reach.full || reach.passage_similarity < PREFIX_SIMILARITY {
            return true;
        }
        if meet(
            lhs.by_exact.iter().map(|x| x.0),
            rhs.by_exact.iter().map(|x| x.0),
        ) {
            return true;
        }
        // `may_hold_a_passage` widens its test for rounding by 1e-6; this by far more.
        let least = reach.passage_similarity as f64 * (1.0 - BOUND_SLACK);
        let (ours, theirs) = (&lhs.postings, &rhs.postings);
        let (mut x, mut y) = (0, 0);
        while let (Some(&kx), Some(&ky)) = (lhs.prefix.get(x), rhs.prefix.get(y)) {
            let (tx, ty) = (ours.keys[kx as usize], theirs.keys[ky as usize]);
            match tx.cmp(&ty) {
                std::cmp::Ordering::Less => x += 1,
                std::cmp::Ordering::Greater => y += 1,
                std::cmp::Ordering::Equal => {
                    let (bx, ex) = ours.run(kx as usize);
                    let (by, ey) = theirs.run(ky as usize);
                    // A token in many sentences of both: not worth bounding pair by pair.
                    if (ex - bx) as u64 * (ey - by) as u64 > MOST_PAIRS_BOUNDED {
                        return true;
                    }
                    for &i in &ours.sentences[bx as usize..ex as usize] {
                        for &j in &theirs.sentences[by as usize..ey as usize] {
                            let (a, b) = (&lhs.sentences[i as usize], &rhs.sentences[j as usize]);
                            // Two sentences share at most the lighter one's weight.
                            let (na, nb) = (a.norm as f64, b.norm as f64);
                            if 2.0 * na.min(nb) * (1.0 + BOUND_SLACK) < least * (na + nb) {
                                continue;
                            }
                            if similarity_bound(a, b) >= least {
                                return true;
                            }
                        }
                    }
                    x += 1;
                    y += 1;
                }
            }
        }
        false
    }

    /// Whether the alignment could reach `reach`: a full duplicate (where `reach.full`
    /// allows one) or a passage reused. `false` is a promise, `true` only a maybe.
    ///
    /// Every pair the alignment chooses is a scored sentence pair, each sentence in one pair
    /// at most. So the sentences with any scored pair bound each document's coverage, the best
    /// scored pair of each sentence bounds the similarity, and a passage lies within a run of
    /// scored pairs on one diagonal, (a, b), (a + 1, b + 1), ..., which must be long enough
    /// and hold a pair at least as similar as the passage must be. Most
    /// candidates from the index share a stock sentence or two and little around them; this
    /// rules them out without choosing anchors, context and moves.
    pub fn may_reach(&self, reach: &Reach) -> bool {
        (reach.full && self.may_be_full(reach)) || self.may_hold_a_passage(reach)
    }

    fn may_be_full(&self, reach: &Reach) -> bool {
        let (lhs, rhs) = (self.lhs, self.rhs);
        let mut best_a = vec![None::<f64>; lhs.sentences.len()];
        let mut best_b = vec![None::<f64>; rhs.sentences.len()];
        for p in &self.points {
            let words = lhs.sentences[p.a as usize].words + rhs.sentences[p.b as usize].words;
            // The pair's share of the similarity, as `summarize` adds it up.
            let weighted = p.similarity as f64 * words as f64;
            for best in [&mut best_a[p.a as usize], &mut best_b[p.b as usize]] {
                *best = Some(best.map_or(weighted, |b| b.max(weighted)));
            }
        }
        // As `Alignment::coverage_a` works it out, so that the bound holds to the bit.
        let coverage = |profile: &Profile, best: &[Option<f64>]| {
            let words = profile
                .sentences
                .iter()
                .zip(best)
                .filter(|(_, best)| best.is_some())
                .map(|(s, _)| s.words)
                .sum();
            ratio(words, profile.words)
        };
        let (a, b) = (coverage(lhs, &best_a), coverage(rhs, &best_b));
        if a.max(b) >= reach.coverage_either {
            return true;
        }
        if a < reach.coverage_each || b < reach.coverage_each {
            return false;
        }
        let total = (lhs.words + rhs.words) as f64;
        let most = |best: &[Option<f64>]| best.iter().flatten().sum::<f64>();
        let bound = most(&best_a).min(most(&best_b));
        // Widened a little for rounding: the alignment adds its pairs in another order.
        let similarity = if total > 0.0 {
            (bound * (1.0 + 1e-6) / total) as f32
        } else {
            0.0
        };
        similarity >= reach.similarity
    }

    fn may_hold_a_passage(&self, reach: &Reach) -> bool {
        let mut diagonal: Vec<(i64, u32, f32)> = self
            .points
            .iter()
            .map(|p| (p.a as i64 - p.b as i64, p.a, p.similarity))
            .collect();
        diagonal.sort_unstable_by_key(|x| (x.0, x.1));
        let runs = diagonal.chunk_by(|x, y| x.0 == y.0 && x.1 + 1 == y.1);
        runs.into_iter().any(|run| {
            let best = run.iter().map(|p| p.2).fold(0.0f32, f32::max);
            // A weighted mean is at most its largest term; widened a little for rounding.
            run.len() as u32 >= reach.in_a_row && best * (1.0 + 1e-6) >= reach.passage_similarity
        })
    }

    /// The alignment.
    pub fn align(self, options: &AlignOptions) -> Alignment {
        let alignment = align_ordered(self.lhs, self.rhs, self.points, options);
        if self.swapped {
            alignment.swapped()
        } else {
            alignment
        }
    }
}

/// Aligns two documents.
///
/// The result does not depend on which document comes first: `align(b, a)` is
/// `align(a, b).swapped()`.
pub fn align(lhs: &Profile, rhs: &Profile, options: &AlignOptions) -> Alignment {
    Scored::new(lhs, rhs, options).align(options)
}

fn order_key(sentences: &[SentenceVector], words: u32) -> (u32, usize, u64) {
    let mut h = 0u64;
    for s in sentences {
        for &(t, _) in &s.tokens {
            h = h.rotate_left(5) ^ t;
        }
    }
    (words, sentences.len(), h)
}

fn align_ordered(
    lhs: &Profile,
    rhs: &Profile,
    points: Vec<Point>,
    options: &AlignOptions,
) -> Alignment {
    let anchors: Vec<Point> = points
        .iter()
        .copied()
        .filter(|p| p.similarity >= options.anchor)
        .collect();
    let chain = heaviest_chain(&anchors);

    let mut chosen = Chosen::new(lhs.sentences.len(), rhs.sentences.len());
    for p in &chain {
        chosen.take(p, Link::Anchor);
    }

    // Context: fill the gaps between anchors (and before the first and after the last) with
    // weaker pairs, when there are at least two anchors to vouch for the order.
    if chain.len() >= 2 {
        let mut bounds: Vec<(i64, i64)> = vec![(-1, -1)];
        bounds.extend(chain.iter().map(|p| (p.a as i64, p.b as i64)));
        bounds.push((lhs.sentences.len() as i64, rhs.sentences.len() as i64));
        for window in bounds.windows(2) {
            let ((a0, b0), (a1, b1)) = (window[0], window[1]);
            let gap_a = a1 - a0 - 1;
            let gap_b = b1 - b0 - 1;
            if gap_a <= 0 || gap_b <= 0 || gap_a.min(gap_b) > 6 {
                continue;
            }
            let inside: Vec<Point> = points
                .iter()
                .copied()
                .filter(|p| {
                    let (a, b) = (p.a as i64, p.b as i64);
                    a > a0 && a < a1 && b > b0 && b < b1 && p.similarity >= options.context
                })
                .collect();
            for p in heaviest_chain(&inside) {
                chosen.take(&p, Link::Context);
            }
        }
    }

    // Moves: strong pairs left over, strongest first.
    let mut leftovers: Vec<Point> = points
        .iter()
        .copied()
        .filter(|p| p.similarity >= options.moved)
        .filter(|p| {
            lhs.sentences[p.a as usize].words >= 4 && rhs.sentences[p.b as usize].words >= 4
        })
        .collect();
    leftovers.sort_by(|x, y| {
        y.similarity
            .total_cmp(&x.similarity)
            .then(x.a.cmp(&y.a))
            .then(x.b.cmp(&y.b))
    });
    for p in leftovers {
        if chosen.is_free(&p) {
            chosen.take(&p, Link::Moved);
        }
    }

    let mut pairs = chosen.pairs;
    pairs.sort_by_key(|p| (p.a, p.b));
    summarize(lhs, rhs, pairs)
}

/// Pairs chosen so far, and which sentences they use.
struct Chosen {
    pairs: Vec<SentencePair>,
    used_a: Vec<bool>,
    used_b: Vec<bool>,
}

impl Chosen {
    fn new(a: usize, b: usize) -> Self {
        Chosen {
            pairs: Vec::new(),
            used_a: vec![false; a],
            used_b: vec![false; b],
        }
    }

    fn is_free(&self, p: &Point) -> bool {
        !self.used_a[p.a as usize] && !self.used_b[p.b as usize]
    }

    fn take(&mut self, p: &Point, link: Link) {
        self.used_a[p.a as usize] = true;
        self.used_b[p.b as usize] = true;
        self.pairs.push(SentencePair {
            a: p.a,
            b: p.b,
            similarity: p.similarity,
            link,
        });
    }
}

fn summarize(lhs: &Profile, rhs: &Profile, pairs: Vec<SentencePair>) -> Alignment {
    let mut matched_a = 0;
    let mut matched_b = 0;
    let mut weighted = 0.0f64;
    for p in &pairs {
        let wa = lhs.sentences[p.a as usize].words;
        let wb = rhs.sentences[p.b as usize].words;
        matched_a += wa;
        matched_b += wb;
        weighted += p.similarity as f64 * (wa + wb) as f64;
    }
    let total = (lhs.words + rhs.words) as f64;
    let similarity = if total == 0.0 {
        0.0
    } else {
        (weighted / total).clamp(0.0, 1.0) as f32
    };
    Alignment {
        pairs,
        matched_a,
        matched_b,
        words_a: lhs.words,
        words_b: rhs.words,
        similarity,
    }
}

/// Scores every sentence pair that shares a token, keeping those above the context threshold.
///
/// Identical sentences are paired first, each with the next unused identical sentence on the
/// other side: that keeps a text made of one sentence repeated many times (whose tokens are all
/// too common to look up) aligned along its diagonal, in linear time.
fn score_pairs(lhs: &Profile, rhs: &Profile, options: &AlignOptions) -> Vec<Point> {
    // Each sentence of `lhs` takes the first sentence of `rhs` with its wording not yet taken.
    let mut taken = vec![false; rhs.sentences.len()];
    let mut points = Vec::new();
    let mut paired = vec![false; lhs.sentences.len()];
    for (i, s) in lhs.sentences.iter().enumerate() {
        let same = crate::text::run_of(&rhs.by_exact, s.exact);
        // Only this loop takes sentences, each the first untaken of its wording's run, so the
        // taken ones are a prefix of every run: found by bisection, not by walking it (a
        // document of one sentence repeated 100,000 times made that walk quadratic).
        let first_free = same.partition_point(|&(_, j)| taken[j as usize]);
        if let Some(&(_, j)) = same.get(first_free) {
            taken[j as usize] = true;
            paired[i] = true;
            points.push(Point {
                a: i as u32,
                b: j,
                similarity: 1.0,
                gain: (s.words + rhs.sentences[j as usize].words) as f32,
            });
        }
    }
    points.extend(score_shared_tokens(lhs, rhs, options, &paired));
    points
}

/// Most sentence pairs [`Scored::worth_scoring`] bounds for one shared prefix token before it
/// gives up and lets the pair be scored.
const MOST_PAIRS_BOUNDED: u64 = 64;

/// Whether two ascending sequences hold a common item.
fn meet(mut xs: impl Iterator<Item = u64>, mut ys: impl Iterator<Item = u64>) -> bool {
    let (mut x, mut y) = (xs.next(), ys.next());
    while let (Some(a), Some(b)) = (x, y) {
        match a.cmp(&b) {
            std::cmp::Ordering::Less => x = xs.next(),
            std::cmp::Ordering::Greater => y = ys.next(),
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

/// Scores the pairs of sentences that share a token, for sentences not already paired whole.
fn score_shared_tokens(
    lhs: &Profile,
    rhs: &Profile,
    options: &AlignOptions,
    paired: &[bool],
) -> Vec<Point> {
    let floor = options.context.min(options.anchor).min(options.moved);
    let runs = shared_token_runs(lhs, rhs, options.max_postings);
    let mut shared = vec![0f32; rhs.sentences.len()];
    let mut touched: Vec<u32> = Vec::new();
    let mut points = Vec::new();
    let mut first_slot = 0;
    for (i, s) in lhs.sentences.iter().enumerate() {
        let slots = first_slot..first_slot + s.tokens.len();
        first_slot = slots.end;
        if paired[i] {
            continue;
        }
        for (&(_, w), &(begin, end)) in s.tokens.iter().zip(&runs[slots]) {
            for &j in &rhs.postings.sentences[begin as usize..end as usize] {
                if shared[j as usize] == 0.0 {
                    touched.push(j);
                }
                shared[j as usize] += w;
            }
        }
        for &j in &touched {
            let other = &rhs.sentences[j as usize];
            let denominator = s.norm + other.norm;
            let similarity = if denominator > 0.0 {
                (2.0 * shared[j as usize] / denominator).clamp(0.0, 1.0)
            } else {
                0.0
            };
            shared[j as usize] = 0.0;
            if similarity >= floor {
                points.push(Point {
                    a: i as u32,
                    b: j,
                    similarity,
                    gain: similarity * (s.words + other.words) as f32,
                });
            }
        }
        touched.clear();
    }
    points
}

/// For each token of each sentence of `lhs` (sentence by sentence, each in its token order),
/// the run of `rhs.postings.sentences` that lists the sentences holding the token: empty when
/// `rhs` lacks it or has it in more than `max_postings` sentences.
///
/// Both profiles list their tokens sorted, so one walk through both finds every run;
/// bisecting `rhs`'s list for each token took most of the time of aligning a pair.
fn shared_token_runs(lhs: &Profile, rhs: &Profile, max_postings: usize) -> Vec<(u32, u32)> {
    // Where each sentence's slots start; each sentence holds each of its tokens once.
    let mut next: Vec<usize> = Vec::with_capacity(lhs.sentences.len());
    let mut slot = 0;
    for s in &lhs.sentences {
        next.push(slot);
        slot += s.tokens.len();
    }
    let mut runs = vec![(0u32, 0u32); slot];
    let (ours, theirs) = (&lhs.postings, &rhs.postings);
    let mut k = 0;
    for (i, &token) in ours.keys.iter().enumerate() {
        k += gallop(&theirs.keys[k..], |&t| t < token);
        let run = match theirs.keys.get(k) {
            Some(&t) if t == token => {
                let (begin, end) = theirs.run(k);
                if (end - begin) as usize <= max_postings {
                    (begin, end)
                } else {
                    (0, 0)
                }
            }
            _ => (0, 0),
        };
        // Tokens come in order, so each sentence's slots fill in its token order.
        let (begin, end) = ours.run(i);
        for &sentence in &ours.sentences[begin as usize..end as usize] {
            runs[next[sentence as usize]] = run;
            next[sentence as usize] += 1;
        }
    }
    runs
}

/// How many leading items of `list` satisfy `pred` (true then false, as for
/// `partition_point`), probing 1, 2, 4, ... items ahead first: cheap when the answer is small.
fn gallop<T>(list: &[T], pred: impl Fn(&T) -> bool) -> usize {
    let mut bound = 1;
    while bound < list.len() && pred(&list[bound - 1]) {
        bound *= 2;
    }
    let bound = bound.min(list.len());
    list[..bound].partition_point(pred)
}

/// The chain of points increasing in both `a` and `b` with the greatest total gain.
fn heaviest_chain(points: &[Point]) -> Vec<Point> {
    if points.is_empty() {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..points.len()).collect();
    // By a ascending, b descending: points with the same `a` cannot chain with each other.
    order.sort_by(|&x, &y| {
        points[x]
            .a
            .cmp(&points[y].a)
            .then(points[y].b.cmp(&points[x].b))
    });
    let width = points.iter().map(|p| p.b as usize).max().unwrap_or(0) + 1;
    let mut tree = MaxFenwick::new(width);
    let mut best = vec![0f32; points.len()];
    let mut back = vec![usize::MAX; points.len()];
    for &k in &order {
        let p = points[k];
        let (score, from) = tree.prefix_max(p.b as usize);
        best[k] = score + p.gain;
        back[k] = from;
        tree.update(p.b as usize, best[k], k);
    }
    let mut end = 0;
    for k in 1..points.len() {
        if best[k] > best[end]
            || (best[k] == best[end] && (points[k].a, points[k].b) < (points[end].a, points[end].b))
        {
            end = k;
        }
    }
    let mut chain = Vec::new();
    let mut k = end;
    while k != usize::MAX {
        chain.push(points[k]);
        k = back[k];
    }
    chain.reverse();
    chain
}

/// A Fenwick tree over positions answering "best (score, point) strictly before position j".
struct MaxFenwick {
    tree: Vec<(f32, usize)>,
}

impl MaxFenwick {
    fn new(width: usize) -> Self {
        MaxFenwick {
            tree: vec![(0.0, usize::MAX); width + 1],
        }
    }

    /// Best over positions `0..j`.
    fn prefix_max(&self, j: usize) -> (f32, usize) {
        let mut best = (0.0, usize::MAX);
        let mut i = j;
        while i > 0 {
            if self.tree[i].0 > best.0 {
                best = self.tree[i];
            }
            i &= i - 1;
        }
        best
    }

    fn update(&mut self, j: usize, score: f32, point: usize) {
        let mut i = j + 1;
        while i < self.tree.len() {
            if score > self.tree[i].0 {
                self.tree[i] = (score, point);
            }
            i += i & i.wrapping_neg();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::JudgeOptions;
    use crate::text::analyze;

    fn profiles(a: &str, b: &str) -> (Profile, Profile) {
        let aa = analyze(a.lines().map(|l| (l, true)));
        let bb = analyze(b.lines().map(|l| (l, true)));
        let weights = Weights::from_analyses([&aa, &bb]);
        (Profile::new(&aa, &weights), Profile::new(&bb, &weights))
    }

    const STORY: &str = "North Korea sent thousands of soldiers to help Russia defend Kursk.\n\
        Men from South Asian countries complain of being duped by recruiters.\n\
        Putin said that 700,000 Russian troops are fighting in Ukraine.\n\
        The British Defense Ministry said more than one million troops were killed or wounded.\n\
        Mediazona collected the names of over 160,000 troops killed.";

    #[test]
    fn identical_texts_align_fully() {
        let (a, b) = profiles(STORY, STORY);
        let alignment = align(&a, &b, &AlignOptions::default());
        assert_eq!(alignment.pairs.len(), 5);
        assert!(
            alignment
                .pairs
                .iter()
                .all(|p| p.a == p.b && p.link == Link::Anchor)
        );
        assert!((alignment.similarity - 1.0).abs() < 1e-5);
        assert_eq!(alignment.coverage_a(), 1.0);
    }

    #[test]
    fn spun_sentences_still_align() {
        let spun = "North Korea dispatched hundreds of soldiers to assist Russia defend Kursk.\n\
            Men from South Asian nations complain of being misled by recruiters.\n\
            Putin stated that 700,000 Russian troops are combating in Ukraine.\n\
            The British Defence Ministry stated greater than one million troops were killed or injured.\n\
            Mediazona gathered the names of over 160,000 troops killed.";
        let (a, b) = profiles(STORY, spun);
        let alignment = align(&a, &b, &AlignOptions::default());
        let pairs: Vec<(u32, u32)> = alignment.pairs.iter().map(|p| (p.a, p.b)).collect();
        assert_eq!(pairs, vec![(0, 0), (1, 1), (2, 2), (3, 3), (4, 4)]);
        assert!(
            alignment.similarity > 0.4 && alignment.similarity < 0.95,
            "{}",
            alignment.similarity
        );
    }

    #[test]
    fn a_moved_sentence_is_marked_moved() {
        let moved = "Mediazona collected the names of over 160,000 troops killed.\n\
            North Korea sent thousands of soldiers to help Russia defend Kursk.\n\
            Men from South Asian countries complain of being duped by recruiters.\n\
            Putin said that 700,000 Russian troops are fighting in Ukraine.\n\
            The British Defense Ministry said more than one million troops were killed or wounded.";
        let (a, b) = profiles(STORY, moved);
        let alignment = align(&a, &b, &AlignOptions::default());
        assert_eq!(alignment.pairs.len(), 5);
        let moved: Vec<_> = alignment
            .pairs
            .iter()
            .filter(|p| p.link == Link::Moved)
            .collect();
        assert_eq!(moved.len(), 1);
        assert_eq!((moved[0].a, moved[0].b), (4, 0));
    }

    #[test]
    fn unrelated_texts_do_not_align() {
        let other = "Cocoa arrivals in Bahia rose during the week.\n\
            Exporters expect the temporao crop to be late this year.\n\
            Prices of beans were steady at the close.";
        let (a, b) = profiles(STORY, other);
        let alignment = align(&a, &b, &AlignOptions::default());
        assert!(alignment.pairs.is_empty(), "{:?}", alignment.pairs);
        assert_eq!(alignment.similarity, 0.0);
    }

    #[test]
    fn only_a_sentence_close_enough_for_a_passage_is_worth_scoring() {
        let passage = JudgeOptions::default().reach(false);
        // The same names in other sentences: nothing a passage could be.
        let related = "North Korea tested a missile over the sea on Tuesday.\n\
            Putin met farmers in the Volga region to talk about grain and troops.\n\
            Mediazona is based in Riga and publishes in Russian.";
        let (a, b) = profiles(STORY, related);
        let options = AlignOptions::default();
        assert!(!Scored::new(&a, &b, &options).may_reach(&passage));
        assert!(!Scored::worth_scoring(&a, &b, &passage));
        assert!(!Scored::worth_scoring(&b, &a, &passage));
        // Unless a full duplicate is possible, which the gate leaves to the scores.
        assert!(Scored::worth_scoring(
            &a,
            &b,
            &JudgeOptions::default().reach(true)
        ));
        // One sentence spun, the rest unrelated: that sentence could start a passage.
        let one = "Putin stated that 700,000 Russian troops are fighting in Ukraine.\n\
            Cocoa arrivals in Bahia rose during the week.";
        let (a, b) = profiles(STORY, one);
        assert!(Scored::worth_scoring(&a, &b, &passage));
        // One sentence the same, word for word.
        let (a, b) = profiles(
            STORY,
            "Mediazona collected the names of over 160,000 troops killed.",
        );
        assert!(Scored::worth_scoring(&a, &b, &passage));
    }

    #[test]
    fn a_sentence_repeated_many_times_aligns_along_the_diagonal() {
        let text = "The rules take effect next month.\n".repeat(5_000);
        let (a, b) = profiles(&text, &text);
        let alignment = align(&a, &b, &AlignOptions::default());
        assert_eq!(alignment.pairs.len(), 5_000);
        assert!(alignment.pairs.iter().all(|p| p.a == p.b));
        assert!((alignment.similarity - 1.0).abs() < 1e-5);
    }

    #[test]
    fn alignment_is_symmetric() {
        let partial = "Putin said that 700,000 Russian troops are fighting in Ukraine.\nSomething else entirely about weather.";
        let (a, b) = profiles(STORY, partial);
        let ab = align(&a, &b, &AlignOptions::default());
        let ba = align(&b, &a, &AlignOptions::default());
        assert_eq!(ab, ba.swapped());
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        const WORDS: &[&str] = &[
            "troops",
            "Russia",
            "said",
            "the",
            "of",
            "700,000",
            "Ukraine",
            "war",
            "soldiers",
            "North",
            "Korea",
            "thousands",
            "hundreds",
            "sent",
            "to",
            "fight",
            "in",
            "a",
            "new",
            "bonus",
            "$50,000",
            "region",
            "Kursk",
            "officials",
            "more",
            "than",
        ];

        fn text() -> impl Strategy<Value = String> {
            prop::collection::vec(
                (
                    prop::collection::vec(prop::sample::select(WORDS), 1..12),
                    any::<bool>(),
                ),
                0..12,
            )
            .prop_map(|sentences| {
                sentences
                    .into_iter()
                    .map(|(words, newline)| {
                        let s = words.join(" ") + ".";
                        if newline { s + "\n" } else { s + " " }
                    })
                    .collect()
            })
        }

        /// Text whose sentences are often made of function words only, as well as of the
        /// words above.
        fn wordy_text() -> impl Strategy<Value = String> {
            const FUNCTION: &[&str] = &["the", "of", "more", "than", "in", "said", "it", "was"];
            prop::collection::vec(
                prop::collection::vec(
                    prop_oneof![prop::sample::select(FUNCTION), prop::sample::select(WORDS)],
                    1..10,
                ),
                0..12,
            )
            .prop_map(|sentences| {
                sentences
                    .into_iter()
                    .map(|words| words.join(" ") + ".\n")
                    .collect()
            })
        }

        proptest! {
            #[test]
            fn similarity_is_symmetric_and_bounded(a in text(), b in text()) {
                let (pa, pb) = profiles(&a, &b);
                let ab = align(&pa, &pb, &AlignOptions::default());
                let ba = align(&pb, &pa, &AlignOptions::default());
                prop_assert!((0.0..=1.0).contains(&ab.similarity));
                prop_assert_eq!(ab.similarity, ba.similarity);
                prop_assert!((0.0..=1.0).contains(&ab.coverage_a()));
                prop_assert!((0.0..=1.0).contains(&ab.coverage_b()));
                prop_assert_eq!(&ab, &ba.swapped());
            }

            #[test]
            fn pairs_are_monotone_except_moves_and_inside_both_texts(a in text(), b in text()) {
                let (pa, pb) = profiles(&a, &b);
                let alignment = align(&pa, &pb, &AlignOptions::default());
                let ordered: Vec<_> = alignment.pairs.iter().filter(|p| p.link != Link::Moved).collect();
                for w in ordered.windows(2) {
                    prop_assert!(w[0].a < w[1].a && w[0].b < w[1].b, "{:?}", w);
                }
                let mut seen_a = std::collections::HashSet::new();
                let mut seen_b = std::collections::HashSet::new();
                for p in &alignment.pairs {
                    prop_assert!((p.a as usize) < pa.sentences.len());
                    prop_assert!((p.b as usize) < pb.sentences.len());
                    prop_assert!(seen_a.insert(p.a) && seen_b.insert(p.b), "a sentence used twice");
                    prop_assert!((0.0..=1.0).contains(&p.similarity));
                }
            }

            #[test]
            fn one_walk_finds_the_sentences_holding_each_token(a in text(), b in text(), cap in 1usize..6) {
                let (pa, pb) = profiles(&a, &b);
                let runs = shared_token_runs(&pa, &pb, cap);
                let slots = pa.sentences.iter().flat_map(|s| s.tokens.iter().map(|&(t, _)| t));
                prop_assert_eq!(runs.len(), slots.clone().count());
                for (token, &(begin, end)) in slots.zip(&runs) {
                    let found = &pb.postings.sentences[begin as usize..end as usize];
                    let expected: Vec<u32> = (0..pb.sentences.len() as u32)
                        .filter(|&j| {
                            pb.sentences[j as usize].tokens.binary_search_by_key(&token, |&(t, _)| t).is_ok()
                        })
                        .collect();
                    if expected.len() > cap {
                        prop_assert!(found.is_empty());
                    } else {
                        prop_assert_eq!(found, expected);
                    }
                }
            }

            #[test]
            fn worth_scoring_turns_away_no_pair_with_a_sentence_close_enough(
                a in wordy_text(),
                b in wordy_text(),
                cut in 1usize..4,
                passage_similarity in 0.6f32..1.0,
            ) {
                // Near copies of a's sentences (up to three words cut from each, so rarely
                // the same wording), then b's own.
                let near = a.lines().map(|l| {
                    let mut words: Vec<&str> = l.trim_end_matches('.').split(' ').collect();
                    for _ in 0..cut {
                        if words.len() > 1 {
                            words.remove(cut % words.len());
                        }
                    }
                    words.join(" ") + ".\n"
                });
                let b: String = near.chain(b.lines().map(|l| l.to_string() + "\n")).collect();
                let (pa, pb) = profiles(&a, &b);
                let options = AlignOptions::default();
                // One pair at the passage's similarity is all it takes, with one in a row.
                let reach = Reach {
                    full: false,
                    coverage_each: 0.5,
                    similarity: 0.42,
                    coverage_either: 0.9,
                    in_a_row: 1,
                    passage_similarity,
                };
                for (x, y) in [(&pa, &pb), (&pb, &pa)] {
                    let scored = Scored::new(x, y, &options);
                    if scored.may_reach(&reach) {
                        prop_assert!(Scored::worth_scoring(x, y, &reach));
                    }
                    // At the edge: a passage as similar as the best pair, no more.
                    let best = scored.points.iter().map(|p| p.similarity).fold(0.0, f32::max);
                    let edge = Reach { passage_similarity: best, ..reach };
                    if best >= PREFIX_SIMILARITY && scored.may_reach(&edge) {
                        prop_assert!(Scored::worth_scoring(x, y, &edge), "best {}", best);
                    }
                }
            }

            #[test]
            fn an_alignment_reaches_nothing_may_reach_rules_out(
                a in wordy_text(),
                b in wordy_text(),
                kept in 0usize..12,
                full in any::<bool>(),
                coverage_each in 0.0f32..1.0,
                similarity in 0.0f32..1.0,
                coverage_either in 0.0f32..1.5,
                in_a_row in 0u32..8,
                passage_similarity in 0.0f32..1.2,
            ) {
                // Often a copy cut short: the first sentences of one, then other text.
                let b: String = a.lines().take(kept).chain(b.lines().take(2)).map(|l| l.to_string() + "\n").collect();
                let (pa, pb) = profiles(&a, &b);
                let options = AlignOptions::default();
                let reach = Reach {
                    full, coverage_each, similarity, coverage_either, in_a_row, passage_similarity,
                };
                let alignment = align(&pa, &pb, &options);
                let (ca, cb) = (alignment.coverage_a(), alignment.coverage_b());
                let full_reached = full
                    && (ca >= coverage_each && cb >= coverage_each && alignment.similarity >= similarity
                        || ca.max(cb) >= coverage_either);
                // Every stretch of pairs in a row that a passage could be (chrome between
                // sentences can cut a run anywhere), judged as the judge judges a passage.
                let pairs = &alignment.pairs;
                let mut passage_reached = false;
                let mut passages = Vec::new();
                for i in 0..pairs.len() {
                    let (mut weighted, mut words) = (0.0f64, 0u64);
                    for j in i..pairs.len() {
                        if j > i {
                            let (p, q) = (&pairs[j - 1], &pairs[j]);
                            let moved = |x: &SentencePair| x.link == Link::Moved;
                            if q.a != p.a + 1 || q.b != p.b + 1 || moved(p) != moved(q) {
                                break;
                            }
                        }
                        let p = &pairs[j];
                        let (x, y) = (pa.sentences[p.a as usize].words, pb.sentences[p.b as usize].words);
                        weighted += p.similarity as f64 * (x + y) as f64;
                        words += (x + y) as u64;
                        let passage = if words == 0 { 0.0 } else { (weighted / words as f64) as f32 };
                        if (j - i + 1) as u32 >= in_a_row && passage >= passage_similarity {
                            passage_reached = true;
                        }
                        passages.push(((j - i + 1) as u32, passage));
                    }
                }
                let (ab, ba) = (Scored::new(&pa, &pb, &options), Scored::new(&pb, &pa, &options));
                if full_reached || passage_reached {
                    prop_assert!(ab.may_reach(&reach) && ba.may_reach(&reach));
                }
                if ab.may_reach(&reach) || ba.may_reach(&reach) {
                    prop_assert!(Scored::worth_scoring(&pa, &pb, &reach));
                    prop_assert!(Scored::worth_scoring(&pb, &pa, &reach));
                }
                // The bounds at their tightest: thresholds this very alignment meets exactly.
                let exactly = Reach {
                    full: true,
                    coverage_each: ca.min(cb),
                    similarity: alignment.similarity,
                    coverage_either: 2.0,
                    in_a_row: u32::MAX,
                    passage_similarity: 2.0,
                };
                prop_assert!(ab.may_reach(&exactly) && ba.may_reach(&exactly));
                for (in_a_row, passage_similarity) in passages {
                    let exactly = Reach { full: false, in_a_row, passage_similarity, ..exactly };
                    prop_assert!(ab.may_reach(&exactly) && ba.may_reach(&exactly));
                }
            }

            #[test]
            fn a_text_aligns_fully_with_itself(a in text()) {
                let (pa, pb) = profiles(&a, &a);
                let alignment = align(&pa, &pb, &AlignOptions::default());
                prop_assert_eq!(alignment.pairs.len(), pa.sentences.len());
                prop_assert!(alignment.pairs.iter().all(|p| p.a == p.b));
            }
        }
    }
}
