//! The documents of a run and their analyses: held in memory, or spilled to a temporary file
//! and read back when a stage needs them.
//!
//! A collection that fits in memory is held, as it always was. A larger one (see
//! [`SpillMode`]) is written to a spill file as it is read; the run keeps only each document's
//! id and origin, and stages that look at every document read them back a chunk at a time.
//! Both ways give the same report: the stages are written once, against `Corpus` and
//! `Analyses`, and a test holds the two to each other.

use std::borrow::Cow;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::Prepared;
use crate::chrome::Recurring;
use crate::ingest::{self, Document, IngestError, IngestOptions, Warning};
use crate::spill::{self, Spill, SpillWriter};
use crate::text::Token;

/// When a run sets its documents aside on disk instead of holding them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum SpillMode {
    /// When holding the collection would take more memory than can be spared: when the input
    /// is larger than [`SpillMode::AUTO_BYTES`], or than the share of the memory available to
    /// the process that [`auto_threshold`] allows.
    #[default]
    Auto,
    /// Always (slower for a small collection; the same report).
    Always,
    /// Never: hold everything in memory.
    Never,
}

impl SpillMode {
    /// Input size above which [`SpillMode::Auto`] spills however much memory there is: 1 GiB.
    /// Held, a gigabyte of news text takes some ten gigabytes once read and analyzed.
    pub const AUTO_BYTES: u64 = 1 << 30;

    pub(crate) fn spills(&self, input_bytes: u64) -> bool {
        match self {
            SpillMode::Auto => input_bytes > auto_threshold(available_memory()),
            SpillMode::Always => true,
            SpillMode::Never => false,
        }
    }
}

/// Bytes of memory a held run takes for each byte of input: 2,472 MB at the peak for the
/// 232 MB synthetic 100,000, 6.4 to 6.9 GB for 700 MB at 300,000 (BENCHMARKS.md).
const HELD_BYTES_PER_INPUT_BYTE: u64 = 10;

/// Input size above which [`SpillMode::Auto`] spills, given the memory available to the
/// process (`None` when it cannot be told): [`SpillMode::AUTO_BYTES`], or less where holding
/// the collection would take more than half of what is available. On a machine with 8 GB to
/// spare a 700 MB collection, which would peak near 7 GB held, is spilled and peaks near 3 GB.
pub fn auto_threshold(available: Option<u64>) -> u64 {
    let fits = available.map_or(u64::MAX, |bytes| bytes / 2 / HELD_BYTES_PER_INPUT_BYTE);
    fits.min(SpillMode::AUTO_BYTES)
}

/// The memory this process can take: the kernel's estimate of what is available without
/// swapping (`MemAvailable`), or less under a container's memory limit (cgroup v2 or v1).
/// `None` where neither can be read (not Linux).
pub fn available_memory() -> Option<u64> {
    let read = |path: &str| std::fs::read_to_string(path).ok();
    let number = |text: Option<String>| text.and_then(|t| t.trim().parse::<u64>().ok());
    let system = read("/proc/meminfo").and_then(|info| {
        let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib.saturating_mul(1024))
    });
    // v2 writes "max" for no limit, which does not parse; v1 writes a huge number.
    let limited = |limit: Option<u64>, usage: Option<u64>| Some(limit?.saturating_sub(usage?));
    let cgroup = limited(
        number(read("/sys/fs/cgroup/memory.max")),
        number(read("/sys/fs/cgroup/memory.current")),
    )
    .or_else(|| {
        limited(
            number(read("/sys/fs/cgroup/memory/memory.limit_in_bytes")),
            number(read("/sys/fs/cgroup/memory/memory.usage_in_bytes")),
        )
    });
    match (system, cgroup) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Where and when a run spills.
#[derive(Debug, Clone, Default)]
pub struct SpillOptions {
    /// When.
    pub mode: SpillMode,
    /// The directory of the spill files; the system's temporary directory if `None`.
    pub dir: Option<PathBuf>,
}

/// Documents decoded at a time when every spilled document is read back.
const CHUNK: usize = 4096;

/// The documents of a run, sorted by id.
pub(crate) enum Corpus<'a> {
    Held(Cow<'a, [Document]>),
    Spilled(Spilled),
}

/// Documents in a spill file; in memory, only what names them.
pub(crate) struct Spilled {
    spill: Spill,
    /// Sorted by id.
    entries: Vec<Entry>,
    dir: Option<PathBuf>,
}

/// What a run keeps of a spilled document.
struct Entry {
    id: String,
    path: Arc<Path>,
    record: Option<u64>,
    /// Its record in the spill file.
    slot: u32,
}

impl ingest::Identified for Entry {
    fn id(&self) -> &str {
        &self.id
    }
    fn rename(&mut self, id: String) {
        self.id = id;
    }
    fn origin(&self) -> (&Path, Option<u64>) {
        (&self.path, self.record)
    }
}

/// A spill file could not be written.
pub(crate) fn spill_error(dir: Option<&Path>, error: io::Error) -> IngestError {
    let dir = dir.map_or_else(std::env::temp_dir, Path::to_path_buf);
    IngestError::Spill { dir, error }
}

impl<'a> Corpus<'a> {
    /// Documents held in memory, put in id order.
    pub(crate) fn held(mut documents: Vec<Document>) -> Corpus<'static> {
        documents.sort_by(|a, b| a.id.cmp(&b.id));
        Corpus::Held(Cow::Owned(documents))
    }

    /// Reads every document under `paths`, spilling them if `spill` says so. Ids are made
    /// unique as [`ingest::ingest`] makes them.
    pub(crate) fn read(
        paths: &[PathBuf],
        options: &IngestOptions,
        spill: &SpillOptions,
    ) -> Result<(Corpus<'static>, Vec<Warning>), IngestError> {
        let plan = ingest::Plan::new(paths, options)?;
        if !spill.mode.spills(plan.bytes()) {
            let mut documents = Vec::new();
            let mut warnings = plan.read(options, &mut |batch| documents.extend(batch));
            ingest::dedupe_ids(&mut documents, &mut warnings);
            return Ok((Corpus::Held(Cow::Owned(documents)), warnings));
        }
        let mut writer = SpillWriter::new(spill.dir.as_deref())
            .map_err(|e| spill_error(spill.dir.as_deref(), e))?;
        let mut entries: Vec<Entry> = Vec::new();
        let mut failed: Option<io::Error> = None;
        let mut last_path: Option<Arc<Path>> = None;
        let mut warnings = plan.read(options, &mut |batch| {
            if failed.is_some() {
                return;
            }
            let records = spill::encode_all(&batch, spill::encode_document);
            for (document, record) in batch.into_iter().zip(records) {
                let path = match &last_path {
                    Some(p) if **p == *document.path => p.clone(),
                    _ => {
                        let p: Arc<Path> = Arc::from(document.path.as_path());
                        last_path = Some(p.clone());
                        p
                    }
                };
                entries.push(Entry {
                    id: document.id,
                    path,
                    record: document.record,
                    slot: writer.len() as u32,
                });
                if let Err(error) = writer.push(&record) {
                    failed = Some(error);
                    return;
                }
            }
        });
        if let Some(error) = failed {
            return Err(spill_error(spill.dir.as_deref(), error));
        }
        ingest::dedupe_ids(&mut entries, &mut warnings);
        let spill_file = writer
            .finish()
            .map_err(|e| spill_error(spill.dir.as_deref(), e))?;
        let corpus = Corpus::Spilled(Spilled {
            spill: spill_file,
            entries,
            dir: spill.dir.clone(),
        });
        Ok((corpus, warnings))
    }

    /// Number of documents.
    pub(crate) fn len(&self) -> usize {
        match self {
            Corpus::Held(documents) => documents.len(),
            Corpus::Spilled(s) => s.entries.len(),
        }
    }

    /// The id of document `index`.
    pub(crate) fn id(&self, index: usize) -> &str {
        match self {
            Corpus::Held(documents) => &documents[index].id,
            Corpus::Spilled(s) => &s.entries[index].id,
        }
    }

    /// The index of the document with id `id` (documents are sorted by id).
    pub(crate) fn position(&self, id: &str) -> Option<usize> {
        let at = binary_search(self.len(), |i| self.id(i) < id);
        (at < self.len() && self.id(at) == id).then_some(at)
    }

    /// Where the spill files go, if this corpus spills.
    pub(crate) fn spill_dir(&self) -> Option<Option<&Path>> {
        match self {
            Corpus::Held(_) => None,
            Corpus::Spilled(s) => Some(s.dir.as_deref()),
        }
    }

    /// Document `index`.
    pub(crate) fn get(&self, index: usize) -> Cow<'_, Document> {
        match self {
            Corpus::Held(documents) => Cow::Borrowed(&documents[index]),
            Corpus::Spilled(s) => {
                let entry = &s.entries[index];
                Cow::Owned(s.spill.decode(entry.slot as usize, |bytes| {
                    spill::decode_document(bytes, entry.id.clone(), entry.path.to_path_buf())
                }))
            }
        }
    }

    /// Calls `f` with the documents in order, a chunk at a time, with the index of the
    /// chunk's first document.
    pub(crate) fn chunks(&self, mut f: impl FnMut(usize, &[&Document])) {
        match self {
            Corpus::Held(documents) => {
                let all: Vec<&Document> = documents.iter().collect();
                f(0, &all);
            }
            Corpus::Spilled(_) => {
                for start in (0..self.len()).step_by(CHUNK) {
                    let end = (start + CHUNK).min(self.len());
                    let owned: Vec<Cow<'_, Document>> =
                        (start..end).into_par_iter().map(|i| self.get(i)).collect();
                    let chunk: Vec<&Document> = owned.iter().map(|d| d.as_ref()).collect();
                    f(start, &chunk);
                }
            }
        }
    }

    /// `f` of every document (with its index), in order; in parallel.
    pub(crate) fn map<T: Send>(&self, f: impl Fn(usize, &Document) -> T + Sync) -> Vec<T> {
        let mut out = Vec::with_capacity(self.len());
        self.chunks(|start, chunk| {
            out.par_extend(
                chunk
                    .par_iter()
                    .enumerate()
                    .map(|(k, document)| f(start + k, document)),
            );
        });
        out
    }

    /// `f` of the documents `indices` (sorted), in order; in parallel. Spilled documents are
    /// read only if listed.
    pub(crate) fn map_some<T: Send>(
        &self,
        indices: &[u32],
        f: impl Fn(u32, &Document) -> T + Sync,
    ) -> Vec<T> {
        let mut out = Vec::with_capacity(indices.len());
        for chunk in indices.chunks(CHUNK) {
            out.par_extend(
                chunk
                    .par_iter()
                    .map(|&i| f(i, self.get(i as usize).as_ref())),
            );
        }
        out
    }
}

/// The first of `0..len` for which `before` is false (`before` is true on a prefix).
fn binary_search(len: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// The chrome and analysis of every document of a run, by document index.
pub(crate) enum Analyses {
    Held(Vec<Prepared>),
    Spilled {
        spill: Spill,
        /// Each document's token count, to read its tokens alone.
        tokens: Vec<u32>,
    },
}

impl Analyses {
    /// Document `index`'s chrome and analysis.
    pub(crate) fn get(&self, index: usize) -> Cow<'_, Prepared> {
        match self {
            Analyses::Held(prepared) => Cow::Borrowed(&prepared[index]),
            Analyses::Spilled { spill, .. } => {
                Cow::Owned(spill.decode(index, spill::decode_prepared))
            }
        }
    }

    /// Document `index`'s tokens.
    pub(crate) fn tokens(&self, index: usize) -> Cow<'_, [Token]> {
        match self {
            Analyses::Held(prepared) => Cow::Borrowed(&prepared[index].analysis.tokens),
            Analyses::Spilled { spill, tokens } => {
                let prefix = spill::tokens_prefix(tokens[index] as usize);
                Cow::Owned(spill.decode_prefix(index, prefix, spill::decode_tokens))
            }
        }
    }
}

/// Collects analyses made in document order: held, or spilled as they come.
pub(crate) enum AnalysesWriter {
    Held(Vec<Prepared>),
    Spilled {
        writer: SpillWriter,
        tokens: Vec<u32>,
    },
}

impl AnalysesWriter {
    /// Holds them, or spills them to `dir` if `spill` is `Some(dir)`.
    pub(crate) fn new(spill: Option<Option<&Path>>) -> io::Result<AnalysesWriter> {
        Ok(match spill {
            None => AnalysesWriter::Held(Vec::new()),
            Some(dir) => AnalysesWriter::Spilled {
                writer: SpillWriter::new(dir)?,
                tokens: Vec::new(),
            },
        })
    }

    /// Adds the next documents' analyses.
    pub(crate) fn extend(&mut self, batch: Vec<Prepared>) -> io::Result<()> {
        match self {
            AnalysesWriter::Held(all) => all.extend(batch),
            AnalysesWriter::Spilled { writer, tokens } => {
                let records = spill::encode_all(&batch, spill::encode_prepared);
                for (p, record) in batch.iter().zip(records) {
                    tokens.push(p.analysis.tokens.len() as u32);
                    writer.push(&record)?;
                }
            }
        }
        Ok(())
    }

    /// Prepares every document of `corpus` (its chrome given `recurring`, then its analysis)
    /// a chunk at a time and adds them. `each_document` is called as each is prepared;
    /// `each_chunk` sees every chunk with its analyses before they are added (and, if spilled,
    /// dropped). Stops at the first chunk that cannot be written.
    pub(crate) fn prepare_all(
        &mut self,
        corpus: &Corpus,
        recurring: &Recurring,
        each_document: impl Fn() + Sync,
        mut each_chunk: impl FnMut(&[&Document], &[Prepared]),
    ) -> io::Result<()> {
        let mut failed = None;
        corpus.chunks(|_, chunk| {
            if failed.is_some() {
                return;
            }
            let prepared: Vec<Prepared> = chunk
                .par_iter()
                .map(|document| {
                    each_document();
                    Prepared::of(document, recurring)
                })
                .collect();
            each_chunk(chunk, &prepared);
            if let Err(error) = self.extend(prepared) {
                failed = Some(error);
            }
        });
        failed.map_or(Ok(()), Err)
    }

    /// Done adding.
    pub(crate) fn finish(self) -> io::Result<Analyses> {
        Ok(match self {
            AnalysesWriter::Held(all) => Analyses::Held(all),
            AnalysesWriter::Spilled { writer, tokens } => Analyses::Spilled {
                spill: writer.finish()?,
                tokens,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GB: u64 = 1_000_000_000;

    #[test]
    fn auto_spills_what_would_not_fit_in_half_the_memory_to_spare() {
        // Unknown memory, or plenty: the fixed threshold.
        assert_eq!(auto_threshold(None), SpillMode::AUTO_BYTES);
        assert_eq!(auto_threshold(Some(24 * GB)), SpillMode::AUTO_BYTES);
        // 8 GB to spare: a 700 MB collection (about 7 GB held) is spilled, 300 MB is held.
        let threshold = auto_threshold(Some(8 * GB));
        assert_eq!(threshold, 400_000_000);
        assert!(700_000_000 > threshold && 300_000_000 < threshold);
        // Nothing to spare: everything is spilled.
        assert_eq!(auto_threshold(Some(0)), 0);
    }

    #[test]
    #[cfg(target_os = "linux")]
    fn linux_tells_the_memory_available() {
        let available = available_memory().expect("/proc/meminfo has MemAvailable");
        let total: u64 = std::fs::read_to_string("/proc/meminfo")
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .split_whitespace()
            .nth(1)
            .unwrap()
            .parse::<u64>()
            .unwrap()
            * 1024;
        assert!(
            available > 0 && available <= total,
            "{available} of {total}"
        );
    }
}
