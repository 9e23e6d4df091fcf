//! `report` cut into stages that run apart, over shards of a collection, with exactly its
//! answers: the same pairs, passages, clusters and conflicts.
//!
//! Five steps of `report` read the whole collection (docs/distributed.md), so the stages are
//! maps over a shard of documents (or of shingle hashes, or of candidate pairs) and the
//! reductions between them:
//!
//! ```text
//! lines      shard of documents  -> (short line hash, document)            map
//! sketch     shard + lines        -> sketches of the holders of candidates  map
//! recurring  lines + sketches     -> the lines that are chrome              reduce
//! sign       shard + recurring    -> summary, fingerprint, tokens, shingles map
//! pairs      part of shingle hashes over every signature -> pair records    map
//! candidates pair records + signatures -> candidate pairs                   reduce
//! verify     part of the candidates -> verified pairs, within-pair conflicts map
//! assemble   everything above     -> the report (clusters; cross conflicts) reduce
//! ```
//!
//! Every function here is pure and deterministic: the same inputs give the same records in
//! the same order, so a retried task rewrites the same output. Documents are numbered in
//! `report`'s order (the order [`Input::read`] reads them in); a shard of `n` holds the
//! documents whose number is its index modulo `n`.
//!
//! Not yet distributed: `assemble` finds the cross-document conflicts on one node, reading
//! every document again (the plan for a distributed `cross` is in docs/distributed.md).

pub mod parquet;
pub mod work;

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::atomic::AtomicU32;

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use crate::align::{Profile, Weights};
use crate::chrome::{self, ChromeOptions, Recurring, Sketch};
use crate::conflicts::{Conflict, Findings, UnpairedFigure};
use crate::corpus::Corpus;
use crate::cross::{AllFigures, Figures};
use crate::index::{self, IndexStats};
use crate::ingest::{Document, IngestError, Warning};
use crate::report::{DocumentSummary, Pair, Report};
use crate::text::Token;
use crate::{Options, Prepared, Verified};

/// Which items a map stage takes: those whose number is `index` modulo `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// This shard's number, from 0.
    pub index: u32,
    /// How many shards there are.
    pub count: u32,
}

impl Shard {
    /// The one shard that holds everything.
    pub const ALL: Shard = Shard { index: 0, count: 1 };

    /// Whether item `n` is this shard's.
    pub fn holds(&self, n: u32) -> bool {
        n % self.count == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Shard, String> {
        let bad = || format!("{s:?} is not a shard: expected I/N with 0 <= I < N, such as 0/3");
        let (index, count) = s.split_once('/').ok_or_else(bad)?;
        let index: u32 = index.trim().parse().map_err(|_| bad())?;
        let count: u32 = count.trim().parse().map_err(|_| bad())?;
        (index < count)
            .then_some(Shard { index, count })
            .ok_or_else(bad)
    }
}

/// A collection as every stage reads it, or the part of it one task holds: documents
/// numbered in `report`'s order, and the problems reading it.
pub struct Input {
    corpus: Corpus<'static>,
    /// The number of each document held, ascending; `None` when all are held (0, 1, ...).
    numbers: Option<Vec<u32>>,
    /// Documents in the whole collection.
    total: usize,
    warnings: Vec<Warning>,
}

impl Input {
    /// Reads every document under `paths`, as `report` does.
    pub fn read(paths: &[PathBuf], options: &Options) -> Result<Input, IngestError> {
        let (corpus, warnings) = Corpus::read(paths, &options.ingest, &options.spill)?;
        Ok(Input::whole(corpus, warnings))
    }

    /// Documents already read, in the order `report_documents` puts them in.
    pub fn held(documents: Vec<Document>, warnings: Vec<Warning>) -> Input {
        Input::whole(Corpus::held(documents), warnings)
    }

    fn whole(corpus: Corpus<'static>, warnings: Vec<Warning>) -> Input {
        Input {
            total: corpus.len(),
            corpus,
            numbers: None,
            warnings,
        }
    }

    /// Some documents of a collection of `total`, each with its number (the position of its id
    /// among the collection's sorted ids): what one task of a distributed run holds.
    pub fn numbered(mut documents: Vec<(u32, Document)>, total: usize) -> Input {
        documents.sort_by_key(|(n, _)| *n);
        let numbers = documents.iter().map(|(n, _)| *n).collect();
        let documents = documents.into_iter().map(|(_, d)| d).collect();
        Input {
            corpus: Corpus::Held(std::borrow::Cow::Owned(documents)),
            numbers: Some(numbers),
            total,
            warnings: Vec::new(),
        }
    }

    /// The same documents, with `warnings` as the problems met reading the collection.
    pub fn with_warnings(self, warnings: Vec<Warning>) -> Input {
        Input { warnings, ..self }
    }

    /// Number of documents in the collection.
    pub fn len(&self) -> usize {
        self.total
    }

    /// Whether the collection has no documents.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The problems met reading the collection.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// The numbers of the documents held that are in `shard`.
    fn numbers(&self, shard: Shard) -> Vec<u32> {
        match &self.numbers {
            None => (0..self.total as u32).filter(|&n| shard.holds(n)).collect(),
            Some(numbers) => numbers
                .iter()
                .copied()
                .filter(|&n| shard.holds(n))
                .collect(),
        }
    }

    /// Whether document `n` is one of those held.
    fn holds(&self, n: u32) -> bool {
        match &self.numbers {
            None => (n as usize) < self.total,
            Some(numbers) => numbers.binary_search(&n).is_ok(),
        }
    }

    /// `f` of the documents `numbers` (sorted, all held), in order, in parallel, spilled or not.
    fn map<T: Send>(&self, numbers: &[u32], f: impl Fn(u32, &Document) -> T + Sync) -> Vec<T> {
        match &self.numbers {
            None => self.corpus.map_some(numbers, f),
            Some(held) => {
                let positions: Vec<u32> = numbers
                    .iter()
                    .map(|n| held.binary_search(n).expect("a document this input holds") as u32)
                    .collect();
                self.corpus.map_some(&positions, |position, document| {
                    f(held[position as usize], document)
                })
            }
        }
    }

    /// The whole collection, for the stage that needs every document at once.
    fn corpus(&self) -> Result<&Corpus<'static>, StageError> {
        match self.corpus.len() == self.total {
            true => Ok(&self.corpus),
            false => Err(StageError::Partial {
                held: self.corpus.len(),
                total: self.total,
            }),
        }
    }
}

/// A document's short standalone line: the evidence of page chrome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LineRecord {
    /// The hash of the line's key (its words).
    pub line: u64,
    /// The document's number.
    pub doc: u32,
}

/// Stage `lines`: the short standalone lines of the documents in `shard`, sorted.
pub fn lines(input: &Input, shard: Shard) -> Vec<LineRecord> {
    let numbers = input.numbers(shard);
    let per_document = input.map(&numbers, |_, document| chrome::short_lines(document));
    let mut records: Vec<LineRecord> = numbers
        .iter()
        .zip(per_document)
        .flat_map(|(&doc, lines)| lines.into_iter().map(move |line| LineRecord { line, doc }))
        .collect();
    records.par_sort_unstable();
    records
}

/// Lines found in enough documents to be chrome if those documents are unrelated, each with
/// its holders in document order; sorted by line.
pub type ChromeCandidates = Vec<(u64, Vec<u32>)>;

/// The reduction after `lines`: the lines held by at least `recurring_min_documents`
/// documents, from the records of every shard.
pub fn chrome_candidates(mut lines: Vec<LineRecord>, options: &ChromeOptions) -> ChromeCandidates {
    lines.par_sort_unstable();
    lines.dedup();
    lines
        .chunk_by(|x, y| x.line == y.line)
        .filter(|run| run.len() >= options.recurring_min_documents)
        .map(|run| (run[0].line, run.iter().map(|r| r.doc).collect()))
        .collect()
}

/// A document's sketch, for telling copies of a story from pages of one site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SketchRecord {
    /// The document's number.
    pub doc: u32,
    /// Its sketch.
    pub sketch: Sketch,
}

/// Stage `sketch`: the sketches of the documents of `shard` (of those `input` holds) that
/// hold a candidate line.
pub fn sketches(input: &Input, shard: Shard, candidates: &ChromeCandidates) -> Vec<SketchRecord> {
    let lines: FxHashSet<u64> = candidates.iter().map(|(line, _)| *line).collect();
    let mut holders: Vec<u32> = candidates
        .iter()
        .flat_map(|(_, holders)| holders.iter().copied())
        .filter(|&doc| shard.holds(doc) && input.holds(doc))
        .collect();
    holders.par_sort_unstable();
    holders.dedup();
    input.map(&holders, |doc, document| SketchRecord {
        doc,
        sketch: Sketch::of(document, |key| lines.contains(&key)),
    })
}

/// What is wrong with the records a reduction was given.
#[derive(Debug, thiserror::Error)]
pub enum StageError {
    /// A document a reduction needs is in no record (a shard's output is missing or stale).
    #[error("document {doc} is in no {stage} record (is a shard's output missing?)")]
    Missing {
        /// The stage whose records lack it.
        stage: &'static str,
        /// The document's number.
        doc: u32,
    },
    /// The documents' analyses could not be spilled to disk.
    #[error("{0}")]
    Spill(IngestError),
    /// A stage that needs the whole collection was given part of it.
    #[error("this stage needs every document; it was given {held} of {total}")]
    Partial {
        /// Documents given.
        held: usize,
        /// Documents in the collection.
        total: usize,
    },
}

/// The reduction after `sketch`: of the candidate lines, those that stand alone in enough
/// documents no two of which are copies (the greedy test of `report`, holders in order);
/// sorted.
pub fn recurring(
    candidates: &ChromeCandidates,
    mut sketches: Vec<SketchRecord>,
    options: &ChromeOptions,
) -> Result<Vec<u64>, StageError> {
    sketches.par_sort_unstable_by_key(|s| s.doc);
    let slot = |doc: u32| sketches.binary_search_by_key(&doc, |s| s.doc);
    if let Some(&doc) = candidates
        .iter()
        .flat_map(|(_, holders)| holders)
        .find(|&&doc| slot(doc).is_err())
    {
        return Err(StageError::Missing {
            stage: "sketch",
            doc,
        });
    }
    let sketch_of = |doc: u32| &sketches[slot(doc).expect("checked above")].sketch;
    let mut lines: Vec<u64> = candidates
        .par_iter()
        .filter(|(_, holders)| {
            chrome::unrelated_at_least(holders, sketch_of, options.recurring_min_documents)
        })
        .map(|(line, _)| *line)
        .collect();
    lines.sort_unstable();
    Ok(lines)
}

/// What the later stages need of one document once its chrome is known.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignedRecord {
    /// The document's number.
    pub doc: u32,
    /// Its line in the report.
    pub summary: DocumentSummary,
    /// The hash of its whole token sequence, for identical bodies.
    pub fingerprint: Option<u64>,
    /// Its distinct tokens, sorted: its part of the document frequencies.
    pub tokens: Vec<Token>,
    /// Its signature (distinct shingle hashes, sorted); empty when the body is too short to
    /// judge by wording.
    pub shingles: Vec<u64>,
}

/// Stage `sign`: chrome, sentences and tokens of the documents of `shard`, as `report` finds
/// them given the collection's `recurring` lines; in document order.
pub fn sign(
    input: &Input,
    shard: Shard,
    recurring: &[u64],
    options: &Options,
) -> Vec<SignedRecord> {
    let recurring = Recurring::from_hashes(recurring.iter().copied().collect());
    let numbers = input.numbers(shard);
    input.map(&numbers, |doc, document| {
        let prepared = Prepared::of(document, &recurring);
        let summary = crate::summary(document, &prepared);
        let tokens = &prepared.analysis.tokens;
        let shingles = if summary.words < options.index.min_words {
            Vec::new() // too short to judge by wording: identical texts only
        } else {
            index::sign(tokens, options.index.shingle_words)
        };
        let mut distinct = tokens.clone();
        distinct.sort_unstable();
        distinct.dedup();
        SignedRecord {
            doc,
            fingerprint: index::fingerprint(tokens),
            summary,
            tokens: distinct,
            shingles,
        }
    })
}

/// The pair records one part of the shingle hashes draws.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Drawn {
    /// Distinct (shingle, document) postings in the part.
    pub postings: u64,
    /// Its buckets larger than the cap, expanded as star edges only.
    pub oversized_buckets: u64,
    /// One record for each kept shingle of the part that two documents share.
    pub pairs: Vec<(u32, u32)>,
    /// Each long document's kept shingles in the part (documents with none left out).
    pub kept: Vec<(u32, u32)>,
}

/// Stage `pairs`: the buckets of the shingles whose hashes fall in `part`, over the
/// signatures of every document (`signed`, any order), expanded as `report` expands them.
pub fn pairs(signed: &[SignedRecord], documents: usize, part: Shard, options: &Options) -> Drawn {
    draw(postings(signed, part), documents, options)
}

/// The postings of `signed` whose shingle hash falls in `part`: what [`pairs`] draws from.
/// The pairs of a part are [`draw`] of its postings from every shard's records, in any order.
pub fn postings(signed: &[SignedRecord], part: Shard) -> Vec<Posting> {
    signed
        .par_iter()
        .flat_map_iter(|record| {
            let length = record.shingles.len() as u32;
            record
                .shingles
                .iter()
                .filter(|&&h| part_of(h, part.count) == part.index)
                .map(move |&shingle| Posting {
                    shingle,
                    doc: record.doc,
                    length,
                })
        })
        .collect()
}

/// Which of `parts` equal ranges of shingle hashes `hash` falls in: how `pairs` partitions
/// postings (every posting of a shingle in one part).
pub fn part_of(hash: u64, parts: u32) -> u32 {
    index::part_of(hash, parts as usize) as u32
}

/// A document's shingle, with the size of the document's signature (which tells the short
/// documents, whose shingles all count).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    /// The shingle's hash.
    pub shingle: u64,
    /// The document's number.
    pub doc: u32,
    /// Distinct shingles in the document's signature.
    pub length: u32,
}

/// The pair records of postings that hold whole buckets (every posting of each shingle they
/// have; several parts together will do), for a collection of `documents`.
pub fn draw(postings: Vec<Posting>, documents: usize, options: &Options) -> Drawn {
    let mut lengths = vec![0u32; documents];
    for p in &postings {
        lengths[p.doc as usize] = p.length;
    }
    let count = postings.len() as u64;
    let mut postings: Vec<index::Posting> = postings
        .into_iter()
        .map(|p| index::Posting::new(p.shingle, p.doc))
        .collect();
    let kept: Vec<AtomicU32> = (0..documents).map(|_| AtomicU32::new(0)).collect();
    let length = |doc: u32| lengths[doc as usize];
    let mut drawn = Vec::new();
    let oversized = index::draw(&mut postings, &length, &kept, &options.index, &mut drawn);
    drop(postings);
    // A record `a << 32 | b` sorts as the pair `(a, b)` does.
    index::sort_pairs(&mut drawn, documents);
    let pairs: Vec<(u32, u32)> = drawn
        .into_iter()
        .map(|key| ((key >> 32) as u32, key as u32))
        .collect();
    Drawn {
        postings: count,
        oversized_buckets: oversized,
        pairs,
        kept: kept
            .into_iter()
            .enumerate()
            .map(|(doc, n)| (doc as u32, n.into_inner()))
            .filter(|&(_, n)| n > 0)
            .collect(),
    }
}

/// Whether a pair sharing `shared` kept shingles is a candidate, given each document's
/// signature size and kept shingles (summed over every part): `report`'s test, for engines
/// that count pair records themselves.
pub fn is_candidate(shared: u32, a: (u32, u32), b: (u32, u32), options: &Options) -> bool {
    let kept = index::kept_signatures(&[a.1, b.1], &[a.0, b.0], &options.index);
    shared >= index::needed(kept[0].min(kept[1]), &options.index)
}

/// The pairs worth verifying, and what finding them took.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidates {
    /// The pairs, sorted: documents sharing enough kept shingles, and identical bodies.
    pub pairs: Vec<(u32, u32)>,
    /// Candidate search's counts, as `report` gives them (`candidates` counts the identical
    /// bodies too).
    pub stats: IndexStats,
}

/// The reduction after `pairs`: the pairs of every part counted against the documents' kept
/// signatures, and the identical bodies, as `report` finds them.
pub fn candidates(
    signed: &[SignedRecord],
    documents: usize,
    drawn: Vec<Drawn>,
    options: &Options,
) -> Result<Candidates, StageError> {
    let mut lengths = vec![0u32; documents];
    let mut fingerprints = vec![None; documents];
    let mut seen = vec![false; documents];
    for record in signed {
        lengths[record.doc as usize] = record.shingles.len() as u32;
        fingerprints[record.doc as usize] = record.fingerprint;
        seen[record.doc as usize] = true;
    }
    if let Some(doc) = seen.iter().position(|&seen| !seen) {
        return Err(StageError::Missing {
            stage: "sign",
            doc: doc as u32,
        });
    }
    let mut kept = vec![0u32; documents];
    let mut stats = IndexStats::default();
    let mut records = Vec::with_capacity(drawn.iter().map(|d| d.pairs.len()).sum());
    for part in drawn {
        stats.postings += part.postings;
        stats.oversized_buckets += part.oversized_buckets;
        for (doc, n) in part.kept {
            kept[doc as usize] += n;
        }
        records.extend(
            part.pairs
                .into_iter()
                .map(|(a, b)| ((a as u64) << 32) | b as u64),
        );
    }
    let kept = index::kept_signatures(&kept, &lengths, &options.index);
    let mut found = index::count(records, &kept, &options.index, &mut stats);
    found.extend(index::identical(&fingerprints, options.index.bucket_cap));
    let mut pairs: Vec<(u32, u32)> = found.into_iter().map(|c| (c.a, c.b)).collect();
    pairs.sort_unstable();
    pairs.dedup();
    stats.candidates = pairs.len() as u64;
    Ok(Candidates { pairs, stats })
}

/// Document frequencies of the tokens of the documents `wanted` (all documents if `None`),
/// counted over every document's record.
pub fn document_frequencies(
    signed: &[SignedRecord],
    wanted: Option<&[u32]>,
) -> FxHashMap<Token, u32> {
    let mut df: FxHashMap<Token, u32> = FxHashMap::default();
    if let Some(wanted) = wanted {
        for record in signed {
            if wanted.binary_search(&record.doc).is_ok() {
                df.extend(record.tokens.iter().map(|&t| (t, 0)));
            }
        }
        for record in signed {
            for t in &record.tokens {
                if let Some(n) = df.get_mut(t) {
                    *n += 1;
                }
            }
        }
    } else {
        for record in signed {
            for &t in &record.tokens {
                *df.entry(t).or_default() += 1;
            }
        }
    }
    df
}

/// A pair as `verify` judged it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VerifiedRecord {
    /// The first document's number.
    pub a: u32,
    /// The second document's number.
    pub b: u32,
    /// The pair as the report gives it.
    pub pair: Pair,
    /// The pair's similarity and coverages unrounded (the report rounds them; clusters
    /// compare them).
    pub exact: [f32; 3],
    /// Figures of its passages that cannot both be true.
    pub conflicts: Vec<Conflict>,
    /// Figures of its passages stated on one side only.
    pub unpaired: Vec<UnpairedFigure>,
}

/// What `verify` made of its part of the candidates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verification {
    /// The pairs reported, in candidate order.
    pub verified: Vec<VerifiedRecord>,
    /// Pairs not compared because crosscheck hit a bug, each with its documents' numbers.
    pub warnings: Vec<(u32, u32, Warning)>,
}

/// Stage `verify`: aligns and judges the candidate `pairs` given (a part of them) exactly as
/// `report` does. `df` must hold the document frequency of every token of their documents
/// ([`document_frequencies`]), over the `documents` of the collection.
pub fn verify(
    input: &Input,
    pairs: &[(u32, u32)],
    recurring: &[u64],
    df: FxHashMap<Token, u32>,
    documents: usize,
    options: &Options,
) -> Verification {
    let recurring = Recurring::from_hashes(recurring.iter().copied().collect());
    let weights = Weights::new(df, documents as u32);
    let mut members: Vec<u32> = pairs.iter().flat_map(|&(a, b)| [a, b]).collect();
    members.par_sort_unstable();
    members.dedup();
    let loaded: Vec<(Document, Prepared, Profile)> = input.map(&members, |_, document| {
        let prepared = Prepared::of(document, &recurring);
        let profile = Profile::new(&prepared.analysis, &weights);
        (document.clone(), prepared, profile)
    });
    let slot = |doc: u32| {
        members
            .binary_search(&doc)
            .expect("a pair's documents are loaded")
    };
    let outcomes: Vec<_> = pairs
        .par_iter()
        .map(|&(a, b)| {
            let (da, db) = (&loaded[slot(a)], &loaded[slot(b)]);
            let outcome =
                crate::verify_guarded((&da.0, &da.1, &da.2), (&db.0, &db.1, &db.2), options);
            (a, b, outcome)
        })
        .collect();
    let mut verification = Verification {
        verified: Vec::new(),
        warnings: Vec::new(),
    };
    for (a, b, outcome) in outcomes {
        match outcome {
            Ok(Some((pair, found))) => verification.verified.push(VerifiedRecord {
                a,
                b,
                exact: [pair.similarity, pair.coverage_a, pair.coverage_b],
                pair,
                conflicts: found.conflicts,
                unpaired: found.unpaired,
            }),
            Ok(None) => {}
            Err(warning) => verification.warnings.push((a, b, warning)),
        }
    }
    verification
}

/// Stage `verify` for part `part` of the candidates (every `part.count`-th pair from the
/// `part.index`-th), with the document frequencies of their tokens taken from every
/// document's `signed` record.
pub fn verify_part(
    input: &Input,
    candidates: &Candidates,
    part: Shard,
    signed: &[SignedRecord],
    recurring: &[u64],
    options: &Options,
) -> Verification {
    let mine: Vec<(u32, u32)> = candidates
        .pairs
        .iter()
        .enumerate()
        .filter(|&(k, _)| part.holds(k as u32))
        .map(|(_, &pair)| pair)
        .collect();
    let mut members: Vec<u32> = mine.iter().flat_map(|&(a, b)| [a, b]).collect();
    members.sort_unstable();
    members.dedup();
    let df = document_frequencies(signed, Some(&members));
    verify(input, &mine, recurring, df, input.len(), options)
}

/// What [`assemble`] takes from the stages before it, besides the documents and their signed
/// records.
pub struct Reduced<'a> {
    /// Candidate search's counts.
    pub stats: &'a IndexStats,
    /// Every part's verification.
    pub verifications: Vec<Verification>,
    /// The chrome lines.
    pub recurring: &'a [u64],
    /// The document frequency of every token: [`document_frequencies`] of every signed record,
    /// or the same counted by an engine. `assemble` does not read the signed records' tokens.
    pub df: FxHashMap<Token, u32>,
    /// The connected components of the full duplicates, as (document, smallest member) for
    /// each member ([`components`]); found here (union-find) when `None`.
    pub components: Option<&'a [(u32, u32)]>,
}

/// The reduction that ends the run: `report`'s report from every stage's output. Of the signed
/// records it reads the summaries only. The cross-document conflicts are found here, on one
/// node, from `input` read again (its analyses spilled to disk as `report` spills them).
pub fn assemble(
    input: &Input,
    mut signed: Vec<SignedRecord>,
    reduced: Reduced,
    options: &Options,
) -> Result<Report, StageError> {
    let Reduced {
        stats,
        verifications,
        recurring,
        df,
        components,
    } = reduced;
    let n = input.len();
    let corpus = input.corpus()?;
    signed.par_sort_unstable_by_key(|r| r.doc);
    if let Some(doc) = (0..n as u32).find(|&d| signed.get(d as usize).is_none_or(|r| r.doc != d)) {
        return Err(StageError::Missing { stage: "sign", doc });
    }
    let mut warnings = input.warnings.clone();
    warnings.extend(crate::no_body_warnings(signed.iter().map(|r| &r.summary)));
    let mut verified: Vec<(u32, u32, Verified)> = Vec::new();
    let mut failed: Vec<(u32, u32, Warning)> = Vec::new();
    for verification in verifications {
        failed.extend(verification.warnings);
        verified.extend(verification.verified.into_iter().map(|record| {
            let mut pair = record.pair;
            [pair.similarity, pair.coverage_a, pair.coverage_b] = record.exact;
            let found = Findings {
                conflicts: record.conflicts,
                unpaired: record.unpaired,
            };
            (record.a, record.b, (pair, found))
        }));
    }
    // In candidate order, as `report` has them.
    verified.sort_by_key(|(a, b, _)| (*a, *b));
    failed.sort_by_key(|(a, b, _)| (*a, *b));
    warnings.extend(failed.into_iter().map(|(_, _, warning)| warning));

    let weights = Weights::new(df, n as u32);
    let recurring = Recurring::from_hashes(recurring.iter().copied().collect());
    let figures = figures_of(corpus, &recurring, &weights, options)?;
    let cross = crate::cross_conflicts(corpus, figures, &weights, &verified, options);

    let short = crate::short_documents(signed.iter().map(|r| &r.summary), &options.index);
    let stats = crate::index_stats_of(stats, stats.candidates as usize, short);
    let summaries = signed.into_iter().map(|r| r.summary).collect();
    Ok(crate::assemble_with(
        corpus, summaries, verified, cross, warnings, stats, components,
    ))
}

/// What the cross-check needs of every document ([`crate::cross::Figures`]), taken from its
/// chrome and analysis as `report` takes it, its names judged by `weights`: spilled to disk
/// when the corpus is, or when documents handed over in memory (an engine's) are as large as
/// `options.spill` spills; held otherwise.
fn figures_of(
    corpus: &Corpus,
    recurring: &Recurring,
    weights: &Weights,
    options: &Options,
) -> Result<AllFigures, StageError> {
    let spill = &options.spill;
    let dir = corpus.spill_dir().or_else(|| {
        let mut bytes = 0u64;
        corpus.chunks(|_, chunk| bytes += chunk.iter().map(|d| d.text.len() as u64).sum::<u64>());
        spill.mode.spills(bytes).then_some(spill.dir.as_deref())
    });
    let spill_error = |error| StageError::Spill(crate::corpus::spill_error(dir.flatten(), error));
    crate::cross::take_all(corpus, dir, weights, &options.cross, |d, document, rare| {
        let prepared = Prepared::of(document, recurring);
        Figures::of(d as u32, document, &prepared.analysis, &rare)
    })
    .map_err(spill_error)
}

/// Documents numbered as `report` numbers them, from what parsing them gave: each one's id,
/// path and JSONL record. Ids are made unique as [`crate::ingest::dedupe_ids`] makes them
/// (renamed `id~2`, ..., with a warning each), and a document's number is its place among
/// the sorted ids. Gives each document's final id and number, in the order given.
pub fn number_ids(
    ids: Vec<String>,
    paths: Vec<PathBuf>,
    records: Vec<Option<u64>>,
) -> (Vec<String>, Vec<u32>, Vec<Warning>) {
    struct Parsed {
        id: String,
        path: PathBuf,
        record: Option<u64>,
        at: usize,
    }
    impl crate::ingest::Identified for Parsed {
        fn id(&self) -> &str {
            &self.id
        }
        fn rename(&mut self, id: String) {
            self.id = id;
        }
        fn origin(&self) -> (&std::path::Path, Option<u64>) {
            (&self.path, self.record)
        }
    }
    let mut parsed: Vec<Parsed> = ids
        .into_iter()
        .zip(paths)
        .zip(records)
        .enumerate()
        .map(|(at, ((id, path), record))| Parsed {
            id,
            path,
            record,
            at,
        })
        .collect();
    let mut warnings = Vec::new();
    crate::ingest::dedupe_ids(&mut parsed, &mut warnings);
    let mut final_ids = vec![String::new(); parsed.len()];
    let mut numbers = vec![0u32; parsed.len()];
    for (number, p) in parsed.into_iter().enumerate() {
        numbers[p.at] = number as u32;
        final_ids[p.at] = p.id;
    }
    (final_ids, numbers, warnings)
}

/// Stage `components` on one node: for each document in a connected component of two or more
/// (edges: the full duplicates among the verified pairs), (document, the component's smallest
/// document), sorted. What a distributed loop (large-star/small-star) must also give.
pub fn components(edges: &[(u32, u32)], documents: usize) -> Vec<(u32, u32)> {
    let mut clusters = crate::judge::Clusters::new(documents);
    for &(a, b) in edges {
        clusters.union(a, b);
    }
    let mut labels: Vec<(u32, u32)> = clusters
        .groups()
        .into_iter()
        .flat_map(|members| {
            let root = members[0];
            members.into_iter().map(move |m| (m, root))
        })
        .collect();
    labels.sort_unstable();
    labels
}

/// The full duplicates among verified pairs: the edges of [`components`].
pub fn full_duplicates(verifications: &[Verification]) -> Vec<(u32, u32)> {
    let mut edges: Vec<(u32, u32)> = verifications
        .iter()
        .flat_map(|v| &v.verified)
        .filter(|r| r.pair.kind == crate::judge::Kind::Full)
        .map(|r| (r.a, r.b))
        .collect();
    edges.sort_unstable();
    edges
}

/// The settings a distributed driver may change, as JSON (`{"max_words": 1000}`); the rest
/// are `report`'s defaults. The same knobs as the flags of `crosscheck stage`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Settings {
    /// Largest file or JSONL record read, in bytes (`--max-file-size`).
    pub max_file_size: Option<u64>,
    /// Most words of a document compared (`--max-words`).
    pub max_words: Option<u64>,
    /// Alignment work bound (`--align-limit`).
    pub align_limit: Option<u64>,
    /// Skip documents with invalid UTF-8 (`--strict`).
    pub strict: bool,
    /// Least similarity for a full duplicate (`--threshold`).
    pub threshold: Option<f32>,
}

impl Settings {
    /// The options these settings make.
    pub fn options(&self) -> Options {
        let mut options = Options::default();
        if let Some(size) = self.max_file_size {
            options.ingest.max_file_size = size;
        }
        if let Some(words) = self.max_words {
            options.ingest.max_words = words as usize;
        }
        if let Some(limit) = self.align_limit {
            options.align.max_postings = limit as usize;
        }
        options.ingest.strict = self.strict;
        if let Some(threshold) = self.threshold {
            options.judge.duplicate_similarity = threshold;
        }
        options
    }
}
