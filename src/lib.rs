//! crosscheck finds near-duplicate news articles in a collection, even when one copy was run
//! through an article spinner and another is wrapped in a site's page chrome, aligns their
//! matching passages with original line numbers, and reports them.
//!
//! The library is a pipeline, one module per stage, data flowing one way:
//!
//! ```text
//! paths ─ ingest ─> Document (text, line map back to the original)
//!       ─ chrome ─> which lines are page chrome, which are the article body
//!       ─ text ───> normalized tokens and sentences of the body
//!       ─ index ──> signatures and candidate pairs (sub-quadratic; never all pairs)
//!       ─ align ──> sentence pairs between two documents
//!       ─ judge ──> duplicate pairs, passages, clusters, likely originals
//!       ─ diff ───> the rows of a side-by-side view of two documents
//!       ─ render ─> human | json | html | side-by-side
//! ```
//!
//! [`stages`] cuts the same pipeline into stages that run apart, over shards of a collection,
//! with the same report: for `crosscheck stage` and the Spark and Ray drivers (python/).
//!
//! # Example
//!
//! ```
//! use crosscheck::{Options, ingest::Document, report_documents};
//!
//! let story = "North Korea sent thousands of soldiers to help Russia defend its Kursk region.\n\n\
//!     Men from South Asian countries say recruiters promising jobs duped them into signing up.\n\n\
//!     Putin said 700,000 Russian troops are fighting in Ukraine, the same figure as in 2024.";
//! let spun = "North Korea dispatched hundreds of soldiers to assist Russia defend its Kursk region.\n\n\
//!     Story continues below advertisement\n\n\
//!     Men from South Asian nations say recruiters promising jobs misled them into signing up.\n\n\
//!     Putin stated 700,000 Russian troops are combating in Ukraine, the identical figure as in 2024.";
//! let documents = vec![
//!     Document::from_text("a.txt", "a.txt", story),
//!     Document::from_text("b.txt", "b.txt", spun),
//!     Document::from_text("c.txt", "c.txt", "Cocoa arrivals in Bahia rose this week, exporters said."),
//! ];
//! let report = report_documents(documents, Vec::new(), &Options::default());
//! assert_eq!(report.pairs.len(), 1);
//! assert_eq!((report.pairs[0].a.as_str(), report.pairs[0].b.as_str()), ("a.txt", "b.txt"));
//! assert_eq!(report.documents[1].boilerplate_lines, 1);
//! ```

#![deny(missing_docs)]

pub mod align;
pub mod check;
pub mod chrome;
pub mod claims;
pub mod conflicts;
pub mod corpus;
pub mod cross;
pub mod diff;
pub mod incremental;
pub mod index;
pub mod ingest;
pub mod judge;
#[cfg(unix)]
mod read_only;
pub mod render;
pub mod report;
mod sentence_bounds;
mod spill;
pub mod stages;
pub mod store;
pub mod text;

use std::borrow::Cow;
use std::path::PathBuf;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::align::{AlignOptions, Profile, Weights};
use crate::chrome::{Chrome, ChromeOptions};
use crate::corpus::{Analyses, AnalysesWriter, Corpus, SpillOptions};
use crate::index::IndexOptions;
use crate::ingest::{Document, IngestError, IngestOptions, Warning};
use crate::judge::{Clusters, JudgeOptions, Kind, Side};
use crate::report::{Cluster, DocumentSummary, Pair, REPORT_VERSION, Report, Stats};
use crate::text::{Analysis, Token};

/// Settings for every stage.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Reading files.
    pub ingest: IngestOptions,
    /// Telling chrome from body.
    pub chrome: ChromeOptions,
    /// Finding candidate pairs.
    pub index: IndexOptions,
    /// Aligning sentences.
    pub align: AlignOptions,
    /// Turning alignments into verdicts.
    pub judge: JudgeOptions,
    /// Conflicting figures across articles that are not copies.
    pub cross: cross::CrossOptions,
    /// Setting documents aside on disk when the collection is large.
    pub spill: SpillOptions,
}

/// Receives progress from a long run. Every method has an empty default.
///
/// The stages of [`report()`], in order: reading, chrome, tokenizing, weighing, indexing
/// (which also takes what the cross-check needs of each document), verifying,
/// cross-checking, clustering; [`report_with_views`] adds laying out.
pub trait Progress: Sync {
    /// A stage starts, with `total` units of work (0 if unknown).
    fn stage(&self, _name: &'static str, _total: u64) {}
    /// `n` more units of the current stage are done.
    fn advance(&self, _n: u64) {}
    /// The run is over.
    fn finish(&self) {}
}

/// A [`Progress`] that ignores everything.
pub struct Quiet;

impl Progress for Quiet {}

/// Reads every document under `paths` and reports the duplicates among them.
///
/// Fails only when a path does not exist, or when a collection too large to hold cannot be
/// set aside on disk; every problem with a file is a warning in the report.
pub fn report(
    paths: &[PathBuf],
    options: &Options,
    progress: &dyn Progress,
) -> Result<Report, IngestError> {
    progress.stage("reading", 0);
    let (corpus, warnings) = Corpus::read(paths, &options.ingest, &options.spill)?;
    let report = spill::returning_read_failures(|| {
        run(corpus, warnings, options, progress).map(Run::into_report)
    })
    .map_err(read_back_error)??;
    progress.finish();
    Ok(report)
}

/// [`report()`], and for each reported pair the rows of its side-by-side view, in the order of
/// `report.pairs`: what the HTML report shows. The rows come from the same alignment as the
/// pair's passages (token weights from the whole collection).
pub fn report_with_views(
    paths: &[PathBuf],
    options: &Options,
    progress: &dyn Progress,
) -> Result<(Report, Vec<diff::Comparison>), IngestError> {
    progress.stage("reading", 0);
    let (corpus, warnings) = Corpus::read(paths, &options.ingest, &options.spill)?;
    let (report, views) = spill::returning_read_failures(|| {
        let run = run(corpus, warnings, options, progress)?;
        progress.stage("laying out", run.report.pairs.len() as u64);
        let views = run.views(options);
        Ok((run.into_report(), views))
    })
    .map_err(read_back_error)??;
    progress.finish();
    Ok((report, views))
}

/// Drops `value` on a thread of its own, or here if no thread can be had (the thread's
/// closure, `value` with it, is then dropped on this one).
fn drop_behind<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .name("crosscheck-drop".into())
        .spawn(move || drop(value));
}

fn read_back_error(failed: spill::ReadBackFailed) -> IngestError {
    IngestError::SpillRead {
        dir: failed.dir,
        error: failed.error,
    }
}

/// Reports the duplicates among documents already read (held in memory).
pub fn report_documents(
    documents: Vec<Document>,
    warnings: Vec<Warning>,
    options: &Options,
) -> Report {
    report_documents_with(documents, warnings, options, &Quiet)
}

/// [`report_documents`], telling `progress` of each stage.
pub fn report_documents_with(
    documents: Vec<Document>,
    warnings: Vec<Warning>,
    options: &Options,
    progress: &dyn Progress,
) -> Report {
    match run(Corpus::held(documents), warnings, options, progress) {
        Ok(run) => run.into_report(),
        Err(_) => unreachable!("documents held in memory are never spilled"),
    }
}

/// Compares two documents for `crosscheck diff`: chrome, sentences, alignment, rows.
///
/// The alignment is the one `report` uses for a pair, with token weights from the two
/// documents alone.
pub fn compare(a: &Document, b: &Document, options: &Options) -> diff::Comparison {
    let pair = [a.clone(), b.clone()];
    let chromes = chrome::detect(&pair, &options.chrome);
    let analyses: Vec<Analysis> = pair
        .iter()
        .zip(&chromes)
        .map(|(document, chrome)| text::analyze_document(document, chrome))
        .collect();
    let weights = Weights::from_analyses(&analyses);
    let profiles: Vec<Profile> = analyses.iter().map(|x| Profile::new(x, &weights)).collect();
    let alignment = align::align(&profiles[0], &profiles[1], &options.align);
    let side = |k: usize| diff::Side {
        document: &pair[k],
        chrome: &chromes[k],
        analysis: &analyses[k],
    };
    diff::comparison(&alignment, &side(0), &side(1))
}

/// Splits each document's body into sentences and tokens, given its chrome verdicts.
pub(crate) fn prepare(
    documents: &[Document],
    chromes: Vec<Chrome>,
    progress: &dyn Progress,
) -> Vec<Prepared> {
    documents
        .par_iter()
        .zip(chromes)
        .map(|(document, chrome)| {
            let analysis = text::analyze_document(document, &chrome);
            progress.advance(1);
            Prepared { chrome, analysis }
        })
        .collect()
}

/// Everything the pipeline knows about one document after the text stage.
#[derive(Clone)]
pub(crate) struct Prepared {
    pub(crate) chrome: Chrome,
    pub(crate) analysis: Analysis,
}

impl Prepared {
    /// One document of a collection through the text stage: its chrome, judged with the
    /// collection's `recurring` lines as evidence, then its sentences and tokens.
    pub(crate) fn of(document: &Document, recurring: &chrome::Recurring) -> Prepared {
        let chrome = chrome::detect_with(document, recurring);
        let analysis = text::analyze_document(document, &chrome);
        Prepared { chrome, analysis }
    }
}

/// A finished run: the report, and what it was made from, for views of its pairs.
struct Run<'a> {
    corpus: Corpus<'a>,
    analyses: Analyses,
    weights: Weights,
    report: Report,
}

impl Run<'_> {
    /// The report, and what else the run holds let go on a thread of its own. At a million
    /// documents, closing the spill files (some 3 GB in the page cache, part of it still being
    /// written back, which closing waits for) took a second, most of it waiting; it now passes
    /// while the report is written.
    fn into_report(self) -> Report {
        let Run {
            corpus,
            analyses,
            weights,
            report,
        } = self;
        let corpus: Option<Corpus<'static>> = match corpus {
            Corpus::Held(Cow::Borrowed(_)) => None,
            Corpus::Held(Cow::Owned(documents)) => Some(Corpus::Held(Cow::Owned(documents))),
            Corpus::Spilled(spilled) => Some(Corpus::Spilled(spilled)),
        };
        drop_behind((corpus, analyses, weights));
        report
    }

    /// The side-by-side rows of every reported pair, in the report's order.
    fn views(&self, options: &Options) -> Vec<diff::Comparison> {
        let index = |id: &str| {
            self.corpus
                .position(id)
                .expect("a reported document is one of the run's")
        };
        self.report
            .pairs
            .par_iter()
            .map(|pair| {
                let (ia, ib) = (index(&pair.a), index(&pair.b));
                let (da, db) = (self.corpus.get(ia), self.corpus.get(ib));
                let (pa, pb) = (self.analyses.get(ia), self.analyses.get(ib));
                let alignment = align::align(
                    &Profile::new(&pa.analysis, &self.weights),
                    &Profile::new(&pb.analysis, &self.weights),
                    &options.align,
                );
                diff::comparison(&alignment, &side(&da, &pa), &side(&db, &pb))
            })
            .collect()
    }
}

/// What the run keeps of every document once it is analyzed: its line in the report, and what
/// the index needs without reading it again.
struct Digest {
    summary: DocumentSummary,
    /// The hash of its whole token sequence, for identical bodies.
    fingerprint: Option<u64>,
}

impl Digest {
    fn of(document: &Document, prepared: &Prepared) -> Digest {
        Digest {
            summary: summary(document, prepared),
            fingerprint: index::fingerprint(&prepared.analysis.tokens),
        }
    }
}

/// A document's line in the report.
fn summary(document: &Document, prepared: &Prepared) -> DocumentSummary {
    DocumentSummary {
        id: document.id.clone(),
        path: document.path.display().to_string(),
        record: document.record,
        words: prepared.analysis.words(),
        lines: document.lines.len() as u32,
        boilerplate_lines: prepared.chrome.count() as u32,
        fingerprint: check::fingerprint(&document.text),
        meta: document.meta.clone(),
    }
}

/// The report lines of documents held with their analyses.
pub(crate) fn summaries(documents: &[Document], prepared: &[Prepared]) -> Vec<DocumentSummary> {
    documents
        .par_iter()
        .zip(prepared)
        .map(|(d, p)| summary(d, p))
        .collect()
}

/// Documents whose candidate pairs are verified together when documents are spilled: their
/// analyses are read back and profiled for that block of pairs, then dropped.
const VERIFY_BLOCK_DOCUMENTS: usize = 100_000;

/// Verifies every candidate pair (sorted), a block of pairs at a time: the analyses of each
/// block's documents (at most `block` of them, unless one pair alone brings more) are read
/// back, profiled, used for its pairs and dropped, and the documents themselves are read only
/// for the pairs that pass the gate ([`gate`]). A document in pairs of several
/// blocks is read in each.
fn verify_all(
    corpus: &Corpus,
    analyses: &Analyses,
    candidates: &[index::Candidate],
    weights: &Weights,
    options: &Options,
    progress: &dyn Progress,
    block: usize,
) -> Vec<Result<(u32, u32, Verified), Warning>> {
    let mut outcomes = Vec::new();
    let mut rest = candidates;
    while !rest.is_empty() {
        // A pair brings at most two documents: when all the pairs left fit, no need to count.
        let taken = if rest.len().saturating_mul(2) <= block {
            rest.len()
        } else {
            let mut members = rustc_hash::FxHashSet::default();
            rest.iter()
                .take_while(|c| {
                    members.insert(c.a);
                    members.insert(c.b);
                    members.len() <= block
                })
                .count()
                .max(1)
        };
        let (now, later) = rest.split_at(taken);
        rest = later;
        let members = members_of(now.iter());
        let loaded: Vec<(Cow<'_, Prepared>, Profile)> = members
            .par_iter()
            .map(|&i| {
                let prepared = analyses.get(i as usize);
                let profile = Profile::new(&prepared.analysis, weights);
                (prepared, profile)
            })
            .collect();
        let slot = |members: &[u32], i: u32| {
            members
                .binary_search(&i)
                .expect("a pair's documents are loaded")
        };
        // Most pairs fail the gate, which needs no document: a spilled document is read back
        // only for the pairs that pass, each kept with its scored sentences. (A pair whose
        // gate hit a bug is kept unscored: verifying it turns the panic into a warning.)
        let passed: Vec<(index::Candidate, Option<align::Scored>)> = now
            .par_iter()
            .filter_map(|c| {
                let (a, b) = (&loaded[slot(&members, c.a)], &loaded[slot(&members, c.b)]);
                let gated = caught(|| gate((&a.0, &a.1), (&b.0, &b.1), options));
                match gated {
                    Ok(None) => {
                        progress.advance(1);
                        None
                    }
                    Ok(Some(scored)) => Some((*c, Some(scored))),
                    Err(_) => Some((*c, None)),
                }
            })
            .collect();
        let readers = members_of(passed.iter().map(|(c, _)| c));
        let documents: Vec<Cow<'_, Document>> = readers
            .par_iter()
            .map(|&i| corpus.get(i as usize))
            .collect();
        outcomes.par_extend(passed.into_par_iter().filter_map(|(c, scored)| {
            let (a, b) = (&loaded[slot(&members, c.a)], &loaded[slot(&members, c.b)]);
            let a = (documents[slot(&readers, c.a)].as_ref(), a.0.as_ref(), &a.1);
            let b = (documents[slot(&readers, c.b)].as_ref(), b.0.as_ref(), &b.1);
            progress.advance(1);
            let pair = match scored {
                Some(scored) => guarded(a.0, b.0, || verify_scored(scored, a, b, options)),
                None => verify_guarded(a, b, options),
            };
            Some(pair.transpose()?.map(|pair| (c.a, c.b, pair)))
        }));
        documents.into_par_iter().for_each(drop);
        loaded.into_par_iter().for_each(drop);
    }
    outcomes
}

/// The documents of `pairs`, sorted and distinct.
fn members_of<'a>(pairs: impl Iterator<Item = &'a index::Candidate>) -> Vec<u32> {
    let mut members: Vec<u32> = pairs.flat_map(|c| [c.a, c.b]).collect();
    members.par_sort_unstable();
    members.dedup();
    members
}

/// The pipeline from documents read to the report, keeping what views of its pairs need.
///
/// Fails only when documents are spilled and the spill file cannot be written.
fn run<'a>(
    corpus: Corpus<'a>,
    mut warnings: Vec<Warning>,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Run<'a>, IngestError> {
    let n = corpus.len();

    progress.stage("chrome", n as u64);
    let recurring = chrome::recurring(&corpus, &options.chrome);
    progress.stage("tokenizing", n as u64);
    let spill_error = |error| crate::corpus::spill_error(corpus.spill_dir().flatten(), error);
    let mut writer = AnalysesWriter::new(corpus.spill_dir()).map_err(spill_error)?;
    let mut digests: Vec<Digest> = Vec::with_capacity(n);
    let mut df: FxHashMap<Token, u32> = FxHashMap::default();
    writer
        .prepare_all(
            &corpus,
            &recurring,
            || progress.advance(1),
            |chunk, prepared| {
                digests.par_extend(
                    chunk
                        .par_iter()
                        .zip(prepared)
                        .map(|(document, prepared)| Digest::of(document, prepared)),
                );
                add_frequencies(&mut df, prepared);
            },
        )
        .map_err(spill_error)?;
    drop(recurring);
    let analyses = writer.finish().map_err(spill_error)?;
    warnings.extend(no_body_warnings(digests.iter().map(|d| &d.summary)));

    progress.stage("weighing", 0);
    let weights = Weights::new(df, n as u32);

    let words: u64 = digests.iter().map(|d| d.summary.words as u64).sum();
    let passes = index::passes(words, &options.index);
    progress.stage("indexing", (n * passes) as u64);
    let shingles_of = |doc: usize, range: index::HashRange, out: &mut Vec<u64>| {
        progress.advance(1);
        // Too short to judge by wording: identical texts only.
        if digests[doc].summary.words >= options.index.min_words {
            let tokens = analyses.tokens(doc);
            index::shingles_in(&tokens, options.index.shingle_words, range, out);
        }
    };
    // The figures for the cross-check are taken while candidates are searched: the search
    // sorts its postings and pair records partly on one thread, and the figures keep the
    // other core busy meanwhile. Taken now rather than while tokenizing, every name is judged
    // for rarity by the whole collection's counts, which leaves fewer sentences to parse.
    let ((mut candidates, index_stats), figures) = rayon::join(
        || index::candidates_of(n, words, shingles_of, &options.index),
        || all_figures(&corpus, &analyses, &weights, options),
    );
    let figures = figures.map_err(spill_error)?;
    let fingerprints: Vec<Option<u64>> = digests.iter().map(|d| d.fingerprint).collect();
    candidates.extend(index::identical(&fingerprints, options.index.bucket_cap));
    drop(fingerprints);
    candidates.sort_unstable_by_key(|c| (c.a, c.b));
    candidates.dedup_by_key(|c| (c.a, c.b));
    let short = short_documents(digests.iter().map(|d| &d.summary), &options.index);

    progress.stage("verifying", candidates.len() as u64);
    let block = match corpus {
        Corpus::Held(_) => usize::MAX,
        Corpus::Spilled(_) => VERIFY_BLOCK_DOCUMENTS,
    };
    let outcomes = verify_all(
        &corpus,
        &analyses,
        &candidates,
        &weights,
        options,
        progress,
        block,
    );
    let verified = verified_pairs(outcomes, &mut warnings);

    progress.stage("cross-checking", 0);
    let cross = cross_conflicts(&corpus, figures, &weights, &verified, options);

    progress.stage("clustering", 0);
    let stats = index_stats_of(&index_stats, candidates.len(), short);
    let summaries = digests.into_iter().map(|d| d.summary).collect();
    let report = assemble(&corpus, summaries, verified, cross, warnings, stats);
    Ok(Run {
        corpus,
        analyses,
        weights,
        report,
    })
}

/// A warning for each document with no body (every line chrome), in document order.
pub(crate) fn no_body_warnings<'a>(
    summaries: impl Iterator<Item = &'a DocumentSummary>,
) -> impl Iterator<Item = Warning> {
    summaries.filter(|s| s.words == 0).map(|summary| Warning {
        path: summary.path.clone(),
        line: summary.record,
        kind: ingest::WarningKind::NoBody,
        message: format!(
            "{:?}: no article body found (all {} non-blank lines look like page chrome); not compared",
            summary.id, summary.boilerplate_lines
        ),
    })
}

/// Documents with a body too short to judge by wording (identical texts only).
pub(crate) fn short_documents<'a>(
    summaries: impl Iterator<Item = &'a DocumentSummary>,
    options: &IndexOptions,
) -> u64 {
    summaries
        .filter(|s| s.words > 0 && s.words < options.min_words)
        .count() as u64
}

/// The report's counts from candidate search; `assemble` fills in the rest.
pub(crate) fn index_stats_of(index: &index::IndexStats, candidates: usize, short: u64) -> Stats {
    Stats {
        postings: index.postings,
        oversized_buckets: index.oversized_buckets,
        shingle_pairs: Some(index.shingle_pairs),
        touched_pairs: Some(index.touched_pairs),
        candidates: candidates as u64,
        short_documents: short,
        ..Stats::default()
    }
}

/// What the cross-check needs of every document, its names judged by `weights` (see
/// [`cross::Figures`]): spilled to disk, a chunk at a time, when the documents are.
fn all_figures(
    corpus: &Corpus,
    analyses: &Analyses,
    weights: &Weights,
    options: &Options,
) -> std::io::Result<cross::AllFigures> {
    cross::take_all(
        corpus,
        corpus.spill_dir(),
        weights,
        &options.cross,
        |d, document, rare| {
            cross::Figures::of(d as u32, document, &analyses.get(d).analysis, &rare)
        },
    )
}

/// Conflicting figures across documents that `verified` does not relate (see [`cross::find`]).
pub(crate) fn cross_conflicts(
    corpus: &Corpus,
    figures: cross::AllFigures,
    weights: &Weights,
    verified: &[(u32, u32, Verified)],
    options: &Options,
) -> Vec<conflicts::Conflict> {
    let n = corpus.len();
    let mut related = rustc_hash::FxHashSet::default();
    let mut clusters = Clusters::new(n);
    for (a, b, (pair, _)) in verified {
        related.insert((*a.min(b), *a.max(b)));
        if pair.kind == Kind::Full {
            clusters.union(*a, *b);
        }
    }
    let cluster_of: Vec<u32> = (0..n as u32).map(|d| clusters.find(d)).collect();
    cross::find(
        corpus,
        figures,
        weights,
        &related,
        &cluster_of,
        &options.cross,
    )
}

/// A document and its analysis, as the judge and the diff read them.
fn side<'a>(document: &'a Document, prepared: &'a Prepared) -> Side<'a> {
    Side {
        document,
        analysis: &prepared.analysis,
        chrome: &prepared.chrome,
    }
}

/// One document of a pair being verified: the document, its chrome and sentences, its profile.
type Verifiable<'a> = (&'a Document, &'a Prepared, &'a Profile);

/// Runs `f`, turning a panic into its message.
fn caught<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        if payload.is::<spill::ReadBackFailed>() {
            // The disk, not this pair: the whole run stops (see `returning_read_failures`).
            std::panic::resume_unwind(payload);
        }
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic".to_string())
    })
}

/// [`verify_pair`], with a panic (a bug) turned into a warning that names the pair, so that one
/// bad pair costs that pair and not the report.
pub(crate) fn verify_guarded(
    a: Verifiable,
    b: Verifiable,
    options: &Options,
) -> Result<Option<Verified>, Warning> {
    guarded(a.0, b.0, || verify_pair(a, b, options))
}

/// Runs `f`, the verifying of `a` and `b`, with a panic turned into a warning that names them.
fn guarded<T>(a: &Document, b: &Document, f: impl FnOnce() -> T) -> Result<T, Warning> {
    caught(f).map_err(|what| Warning {
        path: a.path.display().to_string(),
        line: a.record,
        kind: ingest::WarningKind::Internal,
        message: format!(
            "{:?} and {:?}: not compared, crosscheck hit a bug ({what}); please report it",
            a.id, b.id
        ),
    })
}

/// The pairs of `outcomes` verified without a bug; each bug's warning goes to `warnings`.
pub(crate) fn verified_pairs(
    outcomes: Vec<Result<(u32, u32, Verified), Warning>>,
    warnings: &mut Vec<Warning>,
) -> Vec<(u32, u32, Verified)> {
    let mut verified = Vec::with_capacity(outcomes.len());
    for outcome in outcomes {
        match outcome {
            Ok(pair) => verified.push(pair),
            Err(warning) => warnings.push(warning),
        }
    }
    verified
}

/// A reported pair and the conflicting figures in its passages.
pub(crate) type Verified = (Pair, conflicts::Findings);

/// Aligns two documents and judges the pair: a reported [`Pair`] with its conflicts, or `None`.
pub(crate) fn verify_pair(a: Verifiable, b: Verifiable, options: &Options) -> Option<Verified> {
    verify_pair_gated(a, b, options, true)
}

/// [`verify_pair`], aligning every pair in full when `gate` is false (what the gate is held
/// to in a test).
fn verify_pair_gated(
    a: Verifiable,
    b: Verifiable,
    options: &Options,
    gate: bool,
) -> Option<Verified> {
    let scored = if gate {
        self::gate((a.1, a.2), (b.1, b.2), options)?
    } else {
        align::Scored::new(a.2, b.2, &options.align)
    };
    verify_scored(scored, a, b, options)
}

/// [`verify_pair`] past the gate, given the pair's scored sentences.
fn verify_scored(
    scored: align::Scored,
    a: Verifiable,
    b: Verifiable,
    options: &Options,
) -> Option<Verified> {
    let agreement = judge::key_agreement(a.2, b.2);
    let alignment = scored.align(&options.align);
    let side_a = Side {
        document: a.0,
        analysis: &a.1.analysis,
        chrome: &a.1.chrome,
    };
    let side_b = Side {
        document: b.0,
        analysis: &b.1.analysis,
        chrome: &b.1.chrome,
    };
    let passages = judge::passages(&alignment, &side_a, &side_b);
    let kind = judge::judge(
        &alignment,
        &passages,
        &side_a,
        &side_b,
        agreement,
        &options.judge,
    )?;
    // Figures that differ between pieces of a template (partial reuse) are no conflict: only
    // copies of one article are held to agree.
    let found = if kind == judge::Kind::Full {
        conflicts::aligned(&alignment, &side_a, &side_b)
    } else {
        conflicts::Findings::default()
    };
    let pair = Pair {
        a: a.0.id.clone(),
        b: b.0.id.clone(),
        similarity: alignment.similarity,
        coverage_a: alignment.coverage_a(),
        coverage_b: alignment.coverage_b(),
        agreement,
        kind,
        passages,
    };
    Some((pair, found))
}

/// The gate [`verify_pair`] puts each pair through before aligning it: whether the pair could
/// be reported, judged on its analyses alone (no document). The pair's sentences scored if it
/// passes; `None` is a promise.
fn gate<'p>(
    a: (&Prepared, &'p Profile),
    b: (&Prepared, &'p Profile),
    options: &Options,
) -> Option<align::Scored<'p>> {
    // Most candidates are template stories whose names and figures rule out a full
    // duplicate: only a reused passage is left to look for.
    let agreement = judge::key_agreement(a.1, b.1);
    let full = options
        .judge
        .keys_may_agree(&a.0.analysis, &b.0.analysis, agreement);
    let reach = options.judge.reach(full);
    // Of the rest, most have no sentence close enough to another for a passage.
    if !align::Scored::worth_scoring(a.1, b.1, &reach) {
        return None;
    }
    // Most fall short of any verdict on their scored sentences alone.
    let scored = align::Scored::new(a.1, b.1, &options.align);
    scored.may_reach(&reach).then_some(scored)
}

/// Builds the report from verified pairs (indices into `documents`), filling in the clusters,
/// the document summaries and the counts `stats` does not already have.
pub(crate) fn assemble(
    corpus: &Corpus,
    summaries: Vec<DocumentSummary>,
    verified: Vec<(u32, u32, Verified)>,
    cross: Vec<conflicts::Conflict>,
    warnings: Vec<Warning>,
    stats: Stats,
) -> Report {
    assemble_with(corpus, summaries, verified, cross, warnings, stats, None)
}

/// [`assemble`], with the clusters' members given as `components` ((document, the smallest
/// document of its component) for each document in a component of two or more, as a
/// distributed connected-components stage finds them) rather than found from the pairs.
pub(crate) fn assemble_with(
    corpus: &Corpus,
    summaries: Vec<DocumentSummary>,
    verified: Vec<(u32, u32, Verified)>,
    cross: Vec<conflicts::Conflict>,
    warnings: Vec<Warning>,
    mut stats: Stats,
    components: Option<&[(u32, u32)]>,
) -> Report {
    let mut conflicts = cross;
    let mut unpaired_figures = Vec::new();
    let mut verified: Vec<(u32, u32, Pair)> = verified
        .into_iter()
        .map(|(a, b, (pair, found))| {
            conflicts.extend(found.conflicts);
            unpaired_figures.extend(found.unpaired);
            (a, b, pair)
        })
        .collect();
    unpaired_figures.sort_by(|x, y| {
        (&x.figure.doc, &x.other, x.figure.line, &x.figure.text).cmp(&(
            &y.figure.doc,
            &y.other,
            y.figure.line,
            &y.figure.text,
        ))
    });
    verified.sort_by(|x, y| (&x.2.a, &x.2.b).cmp(&(&y.2.a, &y.2.b)));
    conflicts.sort_by(|x, y| {
        (&x.a.doc, x.a.line, &x.b.doc, x.b.line, &x.a.text)
            .cmp(&(&y.a.doc, y.a.line, &y.b.doc, y.b.line, &y.a.text))
    });
    let clusters = cluster(corpus, &verified, components);
    stats.documents = summaries.len() as u64;
    stats.words = summaries.iter().map(|s| s.words as u64).sum();
    stats.boilerplate_lines = summaries.iter().map(|s| s.boilerplate_lines as u64).sum();
    stats.pairs = verified.len() as u64;
    stats.conflicts = conflicts.len() as u64;
    Report {
        version: REPORT_VERSION,
        tool: format!("crosscheck {}", env!("CARGO_PKG_VERSION")),
        documents: summaries,
        pairs: verified.into_iter().map(|(_, _, pair)| pair).collect(),
        clusters,
        conflicts,
        unpaired_figures,
        warnings,
        stats,
    }
}

/// Adds the document frequencies of `prepared`'s tokens to `df`.
fn add_frequencies(df: &mut FxHashMap<Token, u32>, prepared: &[Prepared]) {
    count_documents(
        df,
        prepared.par_iter().map(|p| p.analysis.tokens.as_slice()),
    );
}

/// Adds to `df`, for each token, the number of `documents` (each given by its tokens) that
/// hold it: counted on every core, then merged.
pub(crate) fn count_documents<'a>(
    df: &mut FxHashMap<Token, u32>,
    documents: impl ParallelIterator<Item = &'a [Token]>,
) {
    let more = documents
        .fold(FxHashMap::<Token, u32>::default, |mut df, tokens| {
            let mut tokens = tokens.to_vec();
            tokens.sort_unstable();
            tokens.dedup();
            for t in tokens {
                *df.entry(t).or_default() += 1;
            }
            df
        })
        .reduce(FxHashMap::default, merge_counts);
    *df = merge_counts(std::mem::take(df), more);
}

/// Two counts merged, the smaller into the larger.
pub(crate) fn merge_counts(
    a: FxHashMap<Token, u32>,
    b: FxHashMap<Token, u32>,
) -> FxHashMap<Token, u32> {
    let (mut big, small) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    for (t, c) in small {
        *big.entry(t).or_default() += c;
    }
    big
}

/// Groups full duplicates (or takes the groups `components` gives) and names each group's
/// likely original.
fn cluster(
    corpus: &Corpus,
    verified: &[(u32, u32, Pair)],
    components: Option<&[(u32, u32)]>,
) -> Vec<Cluster> {
    let mut clusters = Clusters::new(corpus.len());
    for &(node, root) in components.unwrap_or_default() {
        clusters.union(node, root);
    }
    // Words of each document matched in its best full-duplicate pair: how complete a copy it is.
    let mut matched: FxHashMap<u32, f32> = FxHashMap::default();
    for (a, b, pair) in verified {
        if pair.kind == Kind::Full {
            if components.is_none() {
                clusters.union(*a, *b);
            }
            let entry = matched.entry(*a).or_default();
            *entry = entry.max(pair.coverage_b);
            let entry = matched.entry(*b).or_default();
            *entry = entry.max(pair.coverage_a);
        }
    }
    clusters
        .groups()
        .into_iter()
        .map(|members| {
            let attributed: Vec<(u32, (u32, String))> = members
                .iter()
                .filter_map(|&m| judge::wire_attribution(&corpus.get(m as usize)).map(|e| (m, e)))
                .collect();
            let (original, evidence) = if let [(m, (line, text))] = attributed.as_slice() {
                (
                    Some(corpus.id(*m as usize).to_string()),
                    format!("carries the wire attribution {text:?} (line {line})"),
                )
            } else {
                // The most complete copy: the one whose text covers most of its partner's.
                let pool: Vec<u32> = if attributed.is_empty() {
                    members.clone()
                } else {
                    attributed.iter().map(|(m, _)| *m).collect()
                };
                let best = pool
                    .iter()
                    .copied()
                    .max_by(|x, y| {
                        let (cx, cy) = (matched.get(x).copied().unwrap_or(0.0), matched.get(y).copied().unwrap_or(0.0));
                        cx.total_cmp(&cy).then(y.cmp(x))
                    })
                    .expect("a cluster has members");
                let why = if attributed.len() > 1 {
                    "several copies carry a wire attribution; this one covers most of its partner's text"
                } else {
                    "no copy carries a wire attribution; this one covers most of its partner's text"
                };
                (Some(corpus.id(best as usize).to_string()), why.to_string())
            };
            Cluster {
                members: members.iter().map(|&m| corpus.id(m as usize).to_string()).collect(),
                original,
                evidence,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_verified_in_small_blocks_are_those_verified_at_once() {
        let story = "North Korea sent thousands of soldiers to help Russia defend its Kursk region. \
            Men from South Asian countries say recruiters promising jobs duped them into signing up. \
            Putin said 700,000 Russian troops are fighting in Ukraine, the same figure as in 2024.";
        let documents: Vec<Document> = (0..9)
            .map(|i| {
                let text = match i % 3 {
                    0 => story.replace("thousands", "hundreds"),
                    1 => format!("{story}\n\nStory continues below advertisement"),
                    _ => format!(
                        "Cocoa arrivals in Bahia rose {i} tonnes this week, exporters said."
                    ),
                };
                Document::from_text(format!("d{i}"), "x.txt", &text)
            })
            .collect();
        let corpus = Corpus::held(documents);
        let Corpus::Held(held) = &corpus else {
            unreachable!()
        };
        let chromes = chrome::detect(held, &ChromeOptions::default());
        let prepared = prepare(held, chromes, &Quiet);
        let mut df = FxHashMap::default();
        add_frequencies(&mut df, &prepared);
        let weights = Weights::new(df, prepared.len() as u32);
        let analyses = Analyses::Held(prepared);
        let candidates: Vec<index::Candidate> = (0..9)
            .flat_map(|a| (a + 1..9).map(move |b| index::Candidate { a, b, shared: 0 }))
            .collect();
        let verify = |block| {
            let outcomes = verify_all(
                &corpus,
                &analyses,
                &candidates,
                &weights,
                &Options::default(),
                &Quiet,
                block,
            );
            let pairs: Vec<String> = outcomes
                .into_iter()
                .map(|o| format!("{:?}", o.expect("no bug")))
                .collect();
            pairs
        };
        let at_once = verify(usize::MAX);
        assert_eq!(
            at_once.len(),
            15,
            "the six copies of the story pair with each other"
        );
        for block in [1, 2, 3, 5] {
            assert_eq!(verify(block), at_once, "blocks of {block} documents");
        }
    }

    mod gate {
        use super::*;
        use proptest::prelude::*;

        const SENTENCES: &[&str] = &[
            "North Korea sent thousands of soldiers to help Russia defend its Kursk region.",
            "Men from South Asian countries say recruiters duped them into signing up.",
            "Putin said 700,000 Russian troops are fighting in Ukraine.",
            "The British Defense Ministry said more than one million troops were killed.",
            "Mediazona collected the names of over 160,000 troops killed.",
            "Acme Corp said net profit rose 12 pct to 40 mln dlrs in the quarter.",
            "Shr 1.20 dlrs vs 98 cts, sales 500 mln vs 450 mln.",
            "The company said it would pay a dividend of 10 cts on April 30.",
            "Story continues below advertisement",
            "Officials said the talks would resume next week in Geneva.",
        ];
        const SWAPS: &[(&str, &str)] = &[
            ("thousands", "hundreds"),
            ("more than", "greater than"),
            ("said", "stated"),
            ("12", "21"),
            ("Korea", "Corea"),
        ];

        /// Two articles: sentences drawn from a few, the second often a copy of the first,
        /// spun, cut or padded; the pairs the index would send to verification.
        fn pair() -> impl Strategy<Value = (String, String)> {
            (
                prop::collection::vec(0..SENTENCES.len(), 1..10),
                prop::collection::vec(0..SENTENCES.len(), 0..6),
                prop::collection::vec(any::<bool>(), SWAPS.len()),
                0usize..10,
                any::<bool>(),
            )
                .prop_map(|(first, other, swaps, kept, lines)| {
                    let join = |ids: &mut dyn Iterator<Item = &usize>| {
                        let sep = if lines { "\n" } else { " " };
                        ids.map(|&i| SENTENCES[i]).collect::<Vec<_>>().join(sep)
                    };
                    let a = join(&mut first.iter());
                    let mut b = join(&mut first.iter().take(kept).chain(&other));
                    for (&(from, to), swap) in SWAPS.iter().zip(swaps) {
                        if swap {
                            b = b.replace(from, to);
                        }
                    }
                    (a, b)
                })
        }

        proptest! {
            #[test]
            fn the_gate_turns_away_no_pair_the_judge_would_report(
                (a, b) in pair(),
                others in prop::collection::vec(pair(), 0..4),
            ) {
                let mut texts = vec![a, b];
                texts.extend(others.into_iter().flat_map(|(x, y)| [x, y]));
                let documents: Vec<Document> = texts
                    .iter()
                    .enumerate()
                    .map(|(i, t)| Document::from_text(format!("d{i}"), "x.txt", t))
                    .collect();
                let chromes = chrome::detect(&documents, &ChromeOptions::default());
                let prepared = prepare(&documents, chromes, &Quiet);
                let mut df = FxHashMap::default();
                add_frequencies(&mut df, &prepared);
                let weights = Weights::new(df, prepared.len() as u32);
                let profiles: Vec<Profile> =
                    prepared.iter().map(|p| Profile::new(&p.analysis, &weights)).collect();
                let options = Options::default();
                let side = |i: usize| (&documents[i], &prepared[i], &profiles[i]);
                for i in 0..documents.len() {
                    for j in i + 1..documents.len() {
                        let gated = verify_pair_gated(side(i), side(j), &options, true);
                        let full = verify_pair_gated(side(i), side(j), &options, false);
                        prop_assert_eq!(gated, full, "d{} and d{}", i, j);
                    }
                }
            }
        }
    }

    #[test]
    fn a_panic_is_caught_with_its_message() {
        assert_eq!(caught(|| 7), Ok(7));
        let index = 3;
        let out_of_bounds = caught(|| [1, 2, 3][index]);
        assert!(out_of_bounds.unwrap_err().contains("index out of bounds"));
        assert_eq!(caught(|| -> u8 { panic!("boom") }), Err("boom".to_string()));
    }
}
