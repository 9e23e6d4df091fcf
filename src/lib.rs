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
pub mod cross;
pub mod diff;
pub mod incremental;
pub mod index;
pub mod ingest;
pub mod judge;
pub mod render;
pub mod report;
mod sentence_bounds;
pub mod store;
pub mod text;

use std::path::PathBuf;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::align::{AlignOptions, Profile, Weights};
use crate::chrome::{Chrome, ChromeOptions};
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
}

/// Receives progress from a long run. Every method has an empty default.
///
/// The stages of [`report`], in order: reading, chrome, tokenizing, indexing, weighing,
/// verifying, clustering; [`report_with_views`] adds laying out.
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
/// Fails only when a path does not exist; every problem with a file is a warning in the report.
pub fn report(
    paths: &[PathBuf],
    options: &Options,
    progress: &dyn Progress,
) -> Result<Report, IngestError> {
    progress.stage("reading", 0);
    let ingested = ingest::ingest(paths, &options.ingest)?;
    let report = run(ingested.documents, ingested.warnings, options, progress).report;
    progress.finish();
    Ok(report)
}

/// [`report`], and for each reported pair the rows of its side-by-side view, in the order of
/// `report.pairs`: what the HTML report shows. The rows come from the same alignment as the
/// pair's passages (token weights from the whole collection).
pub fn report_with_views(
    paths: &[PathBuf],
    options: &Options,
    progress: &dyn Progress,
) -> Result<(Report, Vec<diff::Comparison>), IngestError> {
    progress.stage("reading", 0);
    let ingested = ingest::ingest(paths, &options.ingest)?;
    let run = run(ingested.documents, ingested.warnings, options, progress);
    progress.stage("laying out", run.report.pairs.len() as u64);
    let views = run.views(options);
    progress.finish();
    Ok((run.report, views))
}

/// Reports the duplicates among documents already read.
pub fn report_documents(
    documents: Vec<Document>,
    warnings: Vec<Warning>,
    options: &Options,
) -> Report {
    run(documents, warnings, options, &Quiet).report
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
        .map(|(document, chrome)| {
            text::analyze(
                document
                    .line_texts()
                    .enumerate()
                    .map(|(i, line)| (line, !chrome.is_chrome(i))),
            )
        })
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
            let analysis = text::analyze(
                document
                    .line_texts()
                    .enumerate()
                    .map(|(i, line)| (line, !chrome.is_chrome(i))),
            );
            progress.advance(1);
            Prepared { chrome, analysis }
        })
        .collect()
}

/// Everything the pipeline knows about one document after the text stage.
pub(crate) struct Prepared {
    pub(crate) chrome: Chrome,
    pub(crate) analysis: Analysis,
}

/// A finished run: the report, and what it was made from, for views of its pairs.
struct Run {
    documents: Vec<Document>,
    prepared: Vec<Prepared>,
    weights: Weights,
    report: Report,
}

impl Run {
    /// The side-by-side rows of every reported pair, in the report's order.
    fn views(&self, options: &Options) -> Vec<diff::Comparison> {
        let index = |id: &str| {
            self.documents
                .binary_search_by(|d| d.id.as_str().cmp(id))
                .expect("a reported document is one of the run's")
        };
        self.report
            .pairs
            .par_iter()
            .map(|pair| {
                let (ia, ib) = (index(&pair.a), index(&pair.b));
                let side = |i: usize| Side {
                    document: &self.documents[i],
                    analysis: &self.prepared[i].analysis,
                    chrome: &self.prepared[i].chrome,
                };
                let (a, b) = (side(ia), side(ib));
                let alignment = align::align(
                    &Profile::new(a.analysis, &self.weights),
                    &Profile::new(b.analysis, &self.weights),
                    &options.align,
                );
                diff::comparison(&alignment, &a, &b)
            })
            .collect()
    }
}

/// The pipeline from documents read to the report, keeping what views of its pairs need.
fn run(
    mut documents: Vec<Document>,
    mut warnings: Vec<Warning>,
    options: &Options,
    progress: &dyn Progress,
) -> Run {
    documents.sort_by(|a, b| a.id.cmp(&b.id));
    let n = documents.len();

    progress.stage("chrome", n as u64);
    let chromes = chrome::detect(&documents, &options.chrome);
    progress.stage("tokenizing", n as u64);
    let prepared = prepare(&documents, chromes, progress);
    for (document, prepared) in documents.iter().zip(&prepared) {
        if prepared.analysis.words() == 0 {
            warnings.push(Warning {
                path: document.path.display().to_string(),
                line: document.record,
                kind: ingest::WarningKind::NoBody,
                message: format!(
                    "{:?}: no article body found (all {} non-blank lines look like page chrome); not compared",
                    document.id,
                    prepared.chrome.count()
                ),
            });
        }
    }

    let words: u64 = prepared
        .iter()
        .map(|p| p.analysis.tokens.len() as u64)
        .sum();
    let passes = index::passes(words, &options.index);
    progress.stage("indexing", (n * passes) as u64);
    let sign = |doc: usize| {
        progress.advance(1);
        let analysis = &prepared[doc].analysis;
        if analysis.words() < options.index.min_words {
            return Vec::new(); // too short to judge by wording: identical texts only
        }
        index::sign(&analysis.tokens, options.index.shingle_words)
    };
    let (mut candidates, index_stats) = index::candidates_of(n, words, sign, &options.index);
    let fingerprints: Vec<Option<u64>> = prepared
        .par_iter()
        .map(|p| index::fingerprint(&p.analysis.tokens))
        .collect();
    candidates.extend(index::identical(&fingerprints, options.index.bucket_cap));
    candidates.sort_unstable_by_key(|c| (c.a, c.b));
    candidates.dedup_by_key(|c| (c.a, c.b));
    let short = prepared
        .iter()
        .filter(|p| p.analysis.words() > 0 && p.analysis.words() < options.index.min_words)
        .count() as u64;

    progress.stage("weighing", 0);
    let weights = document_weights(&prepared);
    let mut needed = vec![false; n];
    for c in &candidates {
        needed[c.a as usize] = true;
        needed[c.b as usize] = true;
    }
    let profiles: Vec<Option<Profile>> = prepared
        .par_iter()
        .zip(&needed)
        .map(|(p, &needed)| needed.then(|| Profile::new(&p.analysis, &weights)))
        .collect();

    progress.stage("verifying", candidates.len() as u64);
    let outcomes: Vec<Result<(u32, u32, Verified), Warning>> = candidates
        .par_iter()
        .filter_map(|c| {
            let (ia, ib) = (c.a as usize, c.b as usize);
            let (pa, pb) = (profiles[ia].as_ref()?, profiles[ib].as_ref()?);
            progress.advance(1);
            let pair = verify_guarded(
                (&documents[ia], &prepared[ia], pa),
                (&documents[ib], &prepared[ib], pb),
                &weights,
                options,
            );
            Some(pair.transpose()?.map(|pair| (c.a, c.b, pair)))
        })
        .collect();
    drop(profiles); // the cross-check needs none, and they are a quarter of the memory at scale
    let verified = verified_pairs(outcomes, &mut warnings);

    progress.stage("cross-checking", 0);
    let cross = {
        let mut related = rustc_hash::FxHashSet::default();
        let mut clusters = Clusters::new(n);
        for (a, b, (pair, _)) in &verified {
            related.insert((*a.min(b), *a.max(b)));
            if pair.kind == Kind::Full {
                clusters.union(*a, *b);
            }
        }
        let cluster_of: Vec<u32> = (0..n as u32).map(|d| clusters.find(d)).collect();
        let analyses: Vec<&Analysis> = prepared.iter().map(|p| &p.analysis).collect();
        cross::find(
            &documents,
            &analyses,
            &weights,
            &related,
            &cluster_of,
            &options.cross,
        )
    };

    progress.stage("clustering", 0);
    let stats = Stats {
        postings: index_stats.postings,
        oversized_buckets: index_stats.oversized_buckets,
        candidates: candidates.len() as u64,
        short_documents: short,
        ..Stats::default()
    };
    let report = assemble(&documents, &prepared, verified, cross, warnings, stats);
    Run {
        documents,
        prepared,
        weights,
        report,
    }
}

/// One document of a pair being verified: the document, its chrome and sentences, its profile.
type Verifiable<'a> = (&'a Document, &'a Prepared, &'a Profile);

/// Runs `f`, turning a panic into its message.
fn caught<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
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
    weights: &Weights,
    options: &Options,
) -> Result<Option<Verified>, Warning> {
    caught(|| verify_pair(a, b, weights, options)).map_err(|what| Warning {
        path: a.0.path.display().to_string(),
        line: a.0.record,
        kind: ingest::WarningKind::Internal,
        message: format!(
            "{:?} and {:?}: not compared, crosscheck hit a bug ({what}); please report it",
            a.0.id, b.0.id
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
pub(crate) fn verify_pair(
    a: Verifiable,
    b: Verifiable,
    weights: &Weights,
    options: &Options,
) -> Option<Verified> {
    let alignment = align::align(a.2, b.2, &options.align);
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
    let agreement = judge::key_agreement(&a.1.analysis, &b.1.analysis, weights);
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

/// Builds the report from verified pairs (indices into `documents`), filling in the clusters,
/// the document summaries and the counts `stats` does not already have.
pub(crate) fn assemble(
    documents: &[Document],
    prepared: &[Prepared],
    verified: Vec<(u32, u32, Verified)>,
    cross: Vec<conflicts::Conflict>,
    warnings: Vec<Warning>,
    mut stats: Stats,
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
    let clusters = cluster(documents, &verified);
    let summaries: Vec<DocumentSummary> = documents
        .par_iter()
        .zip(prepared)
        .map(|(d, p)| DocumentSummary {
            id: d.id.clone(),
            path: d.path.display().to_string(),
            record: d.record,
            words: p.analysis.words(),
            lines: d.lines.len() as u32,
            boilerplate_lines: p.chrome.count() as u32,
            fingerprint: check::fingerprint(&d.text),
            meta: d.meta.clone(),
        })
        .collect();
    stats.documents = documents.len() as u64;
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

/// Token weights from document frequencies over the whole collection.
fn document_weights(prepared: &[Prepared]) -> Weights {
    let df = prepared
        .par_iter()
        .fold(FxHashMap::<Token, u32>::default, |mut df, p| {
            let mut tokens = p.analysis.tokens.clone();
            tokens.sort_unstable();
            tokens.dedup();
            for t in tokens {
                *df.entry(t).or_default() += 1;
            }
            df
        })
        .reduce(FxHashMap::default, |mut a, b| {
            let (mut big, small) = if a.len() >= b.len() {
                (a, b)
            } else {
                (b, std::mem::take(&mut a))
            };
            for (t, c) in small {
                *big.entry(t).or_default() += c;
            }
            big
        });
    Weights::new(df, prepared.len() as u32)
}

/// Groups full duplicates and names each group's likely original.
fn cluster(documents: &[Document], verified: &[(u32, u32, Pair)]) -> Vec<Cluster> {
    let mut clusters = Clusters::new(documents.len());
    // Words of each document matched in its best full-duplicate pair: how complete a copy it is.
    let mut matched: FxHashMap<u32, f32> = FxHashMap::default();
    for (a, b, pair) in verified {
        if pair.kind == Kind::Full {
            clusters.union(*a, *b);
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
                .filter_map(|&m| judge::wire_attribution(&documents[m as usize]).map(|e| (m, e)))
                .collect();
            let (original, evidence) = if let [(m, (line, text))] = attributed.as_slice() {
                (
                    Some(documents[*m as usize].id.clone()),
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
                (Some(documents[best as usize].id.clone()), why.to_string())
            };
            Cluster {
                members: members.iter().map(|&m| documents[m as usize].id.clone()).collect(),
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
    fn a_panic_is_caught_with_its_message() {
        assert_eq!(caught(|| 7), Ok(7));
        let index = 3;
        let out_of_bounds = caught(|| [1, 2, 3][index]);
        assert!(out_of_bounds.unwrap_err().contains("index out of bounds"));
        assert_eq!(caught(|| -> u8 { panic!("boom") }), Err("boom".to_string()));
    }
}
