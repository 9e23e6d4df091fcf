//! Incremental checks: build an index of a collection once, add to it, and check new documents
//! against it without reading the collection again.
//!
//! New documents are prepared exactly as `report` prepares them (chrome, sentences, signatures).
//! Their candidates are other new documents (through the same in-memory index as `report`) and
//! indexed documents (through the stored postings, with the same thresholds); every candidate is
//! verified by the same alignment and judge. Token weights come from the stored document
//! frequencies plus the new documents'. An indexed document with the same id as a new one is the
//! same document in an older version: it is left out, not reported as a copy.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::align::{Profile, Weights};
use crate::corpus::Corpus;
use crate::ingest::{self, Document, Warning, WarningKind};
use crate::report::{Report, Stats};
use crate::store::{Builder, Entry, Ids, IndexSettings, Regrouped, Staged, Store, StoreError};
use crate::text::Token;
use crate::{
    Options, Prepared, Progress, assemble, chrome, index, prepare, verified_pairs, verify_guarded,
};

/// An error of an incremental command.
#[derive(Debug, thiserror::Error)]
pub enum IncrementalError {
    /// The input paths.
    #[error(transparent)]
    Ingest(#[from] ingest::IngestError),
    /// The index file.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What building or adding to an index did.
#[derive(Debug, Clone, Default)]
pub struct Added {
    /// Documents added.
    pub documents: usize,
    /// Documents in the index now.
    pub total: u32,
    /// Problems with the input.
    pub warnings: Vec<Warning>,
    /// How the add regrouped an index grown far past its build, if it did.
    pub regrouped: Option<Regrouped>,
}

/// Documents read and prepared, with the warnings met reading them.
struct Read {
    documents: Vec<Document>,
    prepared: Vec<Prepared>,
    warnings: Vec<Warning>,
}

/// Reads documents and prepares them as `report` does.
fn read_and_prepare(
    paths: &[PathBuf],
    options: &Options,
    progress: &dyn Progress,
) -> Result<Read, IncrementalError> {
    progress.stage("reading", 0);
    let ingested = ingest::ingest(paths, &options.ingest)?;
    let documents = ingested.documents;
    progress.stage("chrome", documents.len() as u64);
    let chromes = chrome::detect(&documents, &options.chrome);
    progress.stage("tokenizing", documents.len() as u64);
    let prepared = prepare(&documents, chromes, progress);
    Ok(Read {
        documents,
        prepared,
        warnings: ingested.warnings,
    })
}

fn signature(prepared: &Prepared, options: &Options) -> Vec<u64> {
    if prepared.analysis.words() < options.index.min_words {
        Vec::new()
    } else {
        index::sign(&prepared.analysis.tokens, options.index.shingle_words)
    }
}

/// The store entries of prepared documents, with their `signatures`.
fn entries<'a, D: std::borrow::Borrow<Document>>(
    documents: &'a [D],
    prepared: &'a [Prepared],
    signatures: &'a [Vec<u64>],
) -> Vec<Entry<'a>> {
    documents
        .iter()
        .map(|d| d.borrow())
        .zip(prepared)
        .zip(signatures)
        .map(|((document, p), signature)| Entry {
            document,
            chrome: &p.chrome,
            tokens: &p.analysis.tokens,
            signature,
            fingerprint: index::fingerprint(&p.analysis.tokens),
        })
        .collect()
}

fn signatures(prepared: &[Prepared], options: &Options) -> Vec<Vec<u64>> {
    prepared.par_iter().map(|p| signature(p, options)).collect()
}

/// Documents prepared and stored at a time by [`build`].
const BUILD_BATCH: usize = 4096;

/// `crosscheck index build`: a new index of every document under `paths`.
///
/// Read as `report` reads (a collection too large to hold set aside on disk, see
/// [`crate::corpus::SpillMode`]), chrome judged with the whole collection as evidence, then
/// prepared and stored a batch at a time ([`crate::store::Builder`]): a build holds one batch
/// of documents and the postings, not the collection. If anything fails, the partial file is
/// removed.
pub fn build(
    paths: &[PathBuf],
    output: &Path,
    options: &Options,
    progress: &dyn Progress,
) -> Result<Added, IncrementalError> {
    progress.stage("reading", 0);
    let (corpus, warnings) = Corpus::read(paths, &options.ingest, &options.spill)?;
    progress.stage("chrome", corpus.len() as u64);
    let recurring = chrome::recurring(&corpus, &options.chrome);
    progress.stage("storing", corpus.len() as u64);
    let built = Store::create(output, &IndexSettings::of(options)).and_then(|store| {
        let builder = store.builder(options.spill.dir.as_deref());
        store_in_batches(builder, &corpus, &recurring, options, progress, None)
    });
    let (store, _) = match built {
        Ok(built) => built,
        Err(error) => {
            let _ = std::fs::remove_file(output);
            return Err(error.into());
        }
    };
    progress.finish();
    Ok(Added {
        documents: corpus.len(),
        total: store.len()?,
        warnings,
        regrouped: None,
    })
}

/// `crosscheck index add`: appends documents; an id already in the index is renamed `id~N`.
///
/// Read, prepared and stored as [`build`] does, a batch at a time, with chrome judged with the
/// new documents as evidence; the new postings are merged with the index's at the end (see
/// [`crate::store::Builder`]). If anything fails, the index is left as it was.
pub fn add(
    index_path: &Path,
    paths: &[PathBuf],
    options: &Options,
    progress: &dyn Progress,
) -> Result<Added, IncrementalError> {
    let store = Store::open(index_path, &IndexSettings::of(options))?;
    progress.stage("reading", 0);
    let (corpus, mut warnings) = Corpus::read(paths, &options.ingest, &options.spill)?;
    progress.stage("chrome", corpus.len() as u64);
    let recurring = chrome::recurring(&corpus, &options.chrome);
    progress.stage("storing", corpus.len() as u64);
    let builder = store.appender(options.spill.dir.as_deref())?;
    let (store, regrouped) = store_in_batches(
        builder,
        &corpus,
        &recurring,
        options,
        progress,
        Some(&mut warnings),
    )?;
    progress.finish();
    Ok(Added {
        documents: corpus.len(),
        total: store.len()?,
        warnings,
        regrouped,
    })
}

/// Prepares the documents of `corpus` and stores them with `builder`, a batch at a time, and
/// finishes it. Each batch is prepared and staged on every core while the one before is
/// stored: storing takes one thread (the index's writes), and alone it left the other core
/// idle for a third of a build. With `renames`, a document whose id the index holds already,
/// or that this call gave an earlier document, is stored as `id~N`, N from 2 up, with a
/// warning there.
fn store_in_batches(
    mut builder: Builder,
    corpus: &Corpus,
    recurring: &chrome::Recurring,
    options: &Options,
    progress: &dyn Progress,
    mut renames: Option<&mut Vec<Warning>>,
) -> Result<(Store, Option<Regrouped>), StoreError> {
    let ids = builder.ids();
    let mut given: HashSet<String> = HashSet::new();
    let mut next = builder.next_number();
    let mut pending: Option<Staged> = None;
    let mut failed = None;
    corpus.chunks(|_, chunk| {
        for batch in chunk.chunks(BUILD_BATCH) {
            if failed.is_some() {
                return;
            }
            let documents: Vec<Cow<Document>> = match renames.as_deref_mut() {
                Some(warnings) => match renamed(batch, &ids, &mut given, warnings) {
                    Ok(documents) => documents,
                    Err(error) => {
                        failed = Some(error);
                        return;
                    }
                },
                None => batch.iter().map(|&d| Cow::Borrowed(d)).collect(),
            };
            let (staged, stored) = rayon::join(
                || {
                    let prepared: Vec<Prepared> = documents
                        .par_iter()
                        .map(|document| Prepared::of(document, recurring))
                        .collect();
                    let signatures = signatures(&prepared, options);
                    Builder::stage(&entries(&documents, &prepared, &signatures), next)
                },
                || {
                    pending
                        .take()
                        .map_or(Ok(()), |staged| builder.store(staged))
                },
            );
            if let Err(error) = stored {
                failed = Some(error);
                return;
            }
            next += documents.len() as u32;
            pending = Some(staged);
            progress.advance(batch.len() as u64);
        }
    });
    if let Some(error) = failed {
        return Err(error);
    }
    if let Some(staged) = pending {
        builder.store(staged)?;
    }
    // The postings gathered in runs, merged into the index's buckets (or its added ones).
    progress.stage("postings", 0);
    builder.finish()
}

/// `batch`, each document whose id the index holds, or that this add gave an earlier
/// document (`given`, which this adds to), renamed `id~N` (N from 2 up, the first free), with
/// a warning in `warnings`. The index is looked up as of its last commit, which may be a
/// batch behind: `given` holds every id of the add.
fn renamed<'a>(
    batch: &[&'a Document],
    ids: &Ids,
    given: &mut HashSet<String>,
    warnings: &mut Vec<Warning>,
) -> Result<Vec<Cow<'a, Document>>, StoreError> {
    let mut out = Vec::with_capacity(batch.len());
    for &document in batch {
        let taken = |id: &str, given: &HashSet<String>| -> Result<bool, StoreError> {
            Ok(given.contains(id) || ids.contains(id)?)
        };
        if !taken(&document.id, given)? {
            given.insert(document.id.clone());
            out.push(Cow::Borrowed(document));
            continue;
        }
        let base = &document.id;
        let mut n = 2;
        while taken(&format!("{base}~{n}"), given)? {
            n += 1;
        }
        let renamed = format!("{base}~{n}");
        let holder = match given.contains(base) {
            true => "was given to another document of this add",
            false => "is already in the index",
        };
        warnings.push(Warning {
            path: document.path.display().to_string(),
            line: document.record,
            kind: WarningKind::DuplicateId,
            message: format!("id {base:?} {holder}; added as {renamed:?}"),
        });
        given.insert(renamed.clone());
        let mut owned = document.clone();
        owned.id = renamed;
        out.push(Cow::Owned(owned));
    }
    Ok(out)
}

/// `crosscheck check NEW... --against INDEX`: the report of the new documents' duplicates,
/// among themselves and in the index.
pub fn check_against(
    index_path: &Path,
    paths: &[PathBuf],
    options: &Options,
    progress: &dyn Progress,
) -> Result<Report, IncrementalError> {
    // Opened first, to refuse a wrong index before reading anything.
    let store = Store::open_for_lookups(index_path, &IndexSettings::of(options))?;
    let Read {
        mut documents,
        mut prepared,
        warnings,
    } = read_and_prepare(paths, options, progress)?;
    let fresh = documents.len();
    let new_ids: HashSet<String> = documents.iter().map(|d| d.id.clone()).collect();

    progress.stage("indexing", fresh as u64);
    let signatures = signatures(&prepared, options);
    let fingerprints: Vec<Option<u64>> = prepared
        .iter()
        .map(|p| index::fingerprint(&p.analysis.tokens))
        .collect();
    let (mut pairs, index_stats) = index::candidates(&signatures, &options.index);
    pairs.extend(index::identical(&fingerprints, options.index.bucket_cap));
    let mut candidates: Vec<(u32, u32)> = pairs.iter().map(|c| (c.a, c.b)).collect();

    // Indexed documents that may match, numbered after the new ones as they are loaded.
    let mut loaded: BTreeMap<u32, u32> = BTreeMap::new();
    let mut oversized = index_stats.oversized_buckets;
    let all = store.hits_all(&signatures, &fingerprints, &options.index)?;
    for (i, found) in all.into_iter().enumerate() {
        oversized += found.oversized;
        for hit in found.hits {
            let smaller = found.kept.min(hit.signature);
            if hit.shared < index::needed(smaller, &options.index) {
                continue;
            }
            let next = (fresh + loaded.len()) as u32;
            let slot = *loaded.entry(hit.document).or_insert(next);
            candidates.push((i as u32, slot));
        }
    }
    progress.stage("loading", loaded.len() as u64);
    let mut by_slot: Vec<(u32, u32)> = loaded.iter().map(|(&doc, &slot)| (slot, doc)).collect();
    by_slot.sort_unstable();
    let numbers: Vec<u32> = by_slot.iter().map(|&(_, doc)| doc).collect();
    let stored = store.documents(&numbers)?;
    let (old_documents, old_chromes): (Vec<Document>, Vec<_>) = stored.into_iter().unzip();
    prepared.extend(prepare(&old_documents, old_chromes, progress));
    documents.extend(old_documents);
    // The same id on both sides is one document in two versions, not a pair of copies.
    candidates.retain(|&(a, b)| {
        let (a, b) = (a as usize, b as usize);
        !(b >= fresh && new_ids.contains(&documents[b].id)) && a != b
    });
    candidates.sort_unstable();
    candidates.dedup();

    progress.stage("weighing", 0);
    let weights = weights(&store, &prepared, fresh)?;
    let profiles: Vec<Profile> = prepared
        .par_iter()
        .map(|p| Profile::new(&p.analysis, &weights))
        .collect();
    progress.stage("verifying", candidates.len() as u64);
    let outcomes: Vec<Result<(u32, u32, crate::Verified), Warning>> = candidates
        .par_iter()
        .filter_map(|&(a, b)| {
            progress.advance(1);
            // Report pairs in id order, as `report` does.
            let (a, b) = if documents[a as usize].id <= documents[b as usize].id {
                (a, b)
            } else {
                (b, a)
            };
            let (ia, ib) = (a as usize, b as usize);
            let pair = verify_guarded(
                (&documents[ia], &prepared[ia], &profiles[ia]),
                (&documents[ib], &prepared[ib], &profiles[ib]),
                options,
            );
            Some(pair.transpose()?.map(|pair| (a, b, pair)))
        })
        .collect();
    let mut warnings = warnings;
    let verified = verified_pairs(outcomes, &mut warnings);
    progress.stage("clustering", 0);
    let stats = Stats {
        postings: signatures.iter().map(|s| s.len() as u64).sum(),
        oversized_buckets: oversized,
        candidates: candidates.len() as u64,
        ..Stats::default()
    };
    let summaries = crate::summaries(&documents, &prepared);
    let corpus = Corpus::Held(std::borrow::Cow::Borrowed(&documents));
    let report = assemble(&corpus, summaries, verified, Vec::new(), warnings, stats);
    progress.finish();
    Ok(report)
}

/// Weights over the index and the new documents together: stored document frequencies of the
/// tokens in play, plus the new documents' own.
fn weights(store: &Store, prepared: &[Prepared], fresh: usize) -> Result<Weights, StoreError> {
    let mut tokens: Vec<Token> = prepared
        .iter()
        .flat_map(|p| p.analysis.tokens.iter().copied())
        .collect();
    tokens.sort_unstable();
    tokens.dedup();
    let (mut df, indexed): (FxHashMap<Token, u32>, u32) = store.frequencies(tokens)?;
    crate::count_documents(
        &mut df,
        prepared[..fresh]
            .par_iter()
            .map(|p| p.analysis.tokens.as_slice()),
    );
    Ok(Weights::new(df, indexed + fresh as u32))
}
