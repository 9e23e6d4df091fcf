//! Store: a collection's signatures and texts in one embedded database file (redb), so new
//! documents can be checked against it without reading the collection again.
//!
//! `crosscheck index build` writes, for every document: its text, line map and chrome verdicts
//! (what verification needs), its shingle signature (into postings, in buckets of shingles),
//! the fingerprint of its whole token sequence (for identical texts of any length), and its
//! tokens' document frequencies (for the weights). `crosscheck check NEW... --against FILE`
//! signs only the new documents, looks their shingles up, and verifies the candidates with the
//! same alignment and judge as `report`. The file carries a format version and the settings
//! that shape signatures; a file from another version, built with other settings, truncated or
//! corrupt gives a clear error, never a wrong answer.

use std::path::{Path, PathBuf};

use rayon::prelude::*;
use redb::{Database, ReadableTable, ReadableTableMetadata, TableDefinition, TableHandle};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::chrome::{Chrome, ChromeReason};
use crate::index::{self, IndexOptions};
use crate::ingest::{Document, Format, Line};
use crate::text::Token;

/// Version of the index file format; a file of another version is refused. Version 2 keeps
/// the postings in buckets of shingles; version 3 may keep an add's postings in buckets of
/// their own (the table `postings_added`), which a reader of version 2 would not look in.
pub const INDEX_VERSION: u32 = 3;

/// The oldest version of the index file format this crosscheck reads: a version-2 file is a
/// version-3 file without added postings, and becomes version 3 at its next add.
pub const OLDEST_INDEX_VERSION: u32 = 2;

/// Version of the tokenizer and signature scheme: signatures made by another are not comparable.
pub const SIGNATURE_SCHEME: u32 = 1;

const META: TableDefinition<&str, &str> = TableDefinition::new("meta");
const DOCUMENTS: TableDefinition<u32, &[u8]> = TableDefinition::new("documents");
const IDS: TableDefinition<&str, u32> = TableDefinition::new("ids");
const SIGNATURE_SIZES: TableDefinition<u32, u32> = TableDefinition::new("signature_sizes");
/// The top `bucket_bits` bits of shingles (see [`bucket_bits`]) -> the shingles that start
/// with them and the documents that have each (see [`Bucket`]).
///
/// A key a shingle made building an index spend most of its time inside the database: a
/// B-tree leaf moves every value in it for each key appended, and the postings were millions
/// of keys with values of a few bytes. In buckets of up to some thousand postings, the same
/// bytes are a few hundredths of the keys.
const POSTINGS: TableDefinition<u64, &[u8]> = TableDefinition::new("postings");
/// [`POSTINGS`] being rewritten, regrouped into more buckets ([`Store::regroup`]) or merged
/// with an add's ([`Builder`]), until the commit that puts it in their place.
const REGROUPED: TableDefinition<u64, &[u8]> = TableDefinition::new("postings_regrouped");
/// The postings of documents added since [`POSTINGS`] was last written whole, in buckets of
/// their own, as few as their number calls for (the metadata's `added_bits`).
///
/// An add too large to merge into the buckets it touches rewrote every bucket: 13.6 to 20.9 s
/// to add 3,000 documents to the million's index, whatever the add's size (BENCHMARKS.md). Its
/// postings go here instead, rewritten with those of the adds before, until they come to a
/// sixteenth of the index's others ([`FOLD_SHARE`]); the add that takes them past it writes
/// them all into [`POSTINGS`].
const ADDED: TableDefinition<u64, &[u8]> = TableDefinition::new("postings_added");
/// Whole-text fingerprint -> the documents that have it, packed.
const IDENTICAL: TableDefinition<u64, &[u8]> = TableDefinition::new("identical");
/// Token -> in how many documents.
const FREQUENCIES: TableDefinition<u64, u32> = TableDefinition::new("document_frequencies");

/// What went wrong with an index file.
#[derive(Debug, Clone, thiserror::Error)]
pub enum StoreError {
    /// Not a redb file, truncated, or damaged.
    #[error("{path}: not a crosscheck index, or a damaged one ({detail})")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What the database said.
        detail: String,
    },
    /// A database of another program, or an index without its metadata.
    #[error("{path}: not a crosscheck index (no crosscheck metadata)")]
    NotAnIndex {
        /// The file.
        path: PathBuf,
    },
    /// Written by a crosscheck with another index format.
    #[error(
        "{path}: index format version {found}; this crosscheck reads versions {OLDEST_INDEX_VERSION} to {INDEX_VERSION} (rebuild it with crosscheck index build)"
    )]
    Version {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: String,
    },
    /// Built with settings that give other signatures.
    #[error(
        "{path}: built with other settings ({found}); these are {expected} (rebuild it, or check with the same settings)"
    )]
    Settings {
        /// The file.
        path: PathBuf,
        /// The file's settings.
        found: String,
        /// The settings in force.
        expected: String,
    },
    /// The file could not be created or written.
    #[error("{path}: {detail}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        detail: String,
    },
}

/// The settings an index's signatures depend on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexSettings {
    /// [`SIGNATURE_SCHEME`].
    pub scheme: u32,
    /// Words per shingle.
    pub shingle_words: usize,
    /// Documents shorter than this have no signature.
    pub min_words: u32,
}

impl IndexSettings {
    /// The settings in force under `options`.
    pub fn of(options: &crate::Options) -> Self {
        IndexSettings {
            scheme: SIGNATURE_SCHEME,
            shingle_words: options.index.shingle_words,
            min_words: options.index.min_words,
        }
    }

    fn describe(&self) -> String {
        format!(
            "scheme {}, shingle_words {}, min_words {}",
            self.scheme, self.shingle_words, self.min_words
        )
    }
}

/// A document as stored: enough to rebuild it and its chrome verdicts.
#[derive(Serialize, Deserialize)]
struct Stored {
    id: String,
    path: String,
    record: Option<u64>,
    format: Format,
    text: String,
    /// Original line number of each line of `text`.
    numbers: Vec<u32>,
    /// Lines marked chrome by their markup.
    markup: Vec<u32>,
    /// Chrome lines and why.
    chrome: Vec<(u32, ChromeReason)>,
    meta: serde_json::Map<String, serde_json::Value>,
}

impl Stored {
    fn new(document: &Document, chrome: &Chrome) -> Self {
        Stored {
            id: document.id.clone(),
            path: document.path.display().to_string(),
            record: document.record,
            format: document.format,
            text: document.text.clone(),
            numbers: document.lines.iter().map(|l| l.number).collect(),
            markup: (0..document.lines.len() as u32)
                .filter(|&i| document.lines[i as usize].markup_chrome)
                .collect(),
            chrome: chrome
                .reasons
                .iter()
                .enumerate()
                .filter_map(|(i, r)| r.map(|r| (i as u32, r)))
                .collect(),
            meta: document.meta.clone(),
        }
    }

    fn into_parts(self) -> (Document, Chrome) {
        let mut lines = Vec::with_capacity(self.numbers.len());
        let mut start = 0u32;
        for (i, piece) in self.text.split('\n').enumerate() {
            let end = start + piece.len() as u32;
            lines.push(Line {
                start,
                end,
                number: self.numbers.get(i).copied().unwrap_or(i as u32 + 1),
                markup_chrome: self.markup.binary_search(&(i as u32)).is_ok(),
            });
            start = end + 1;
        }
        let mut reasons = vec![None; lines.len()];
        for (i, reason) in self.chrome {
            if let Some(slot) = reasons.get_mut(i as usize) {
                *slot = Some(reason);
            }
        }
        let document = Document {
            id: self.id,
            path: PathBuf::from(self.path),
            record: self.record,
            format: self.format,
            text: self.text,
            lines,
            meta: self.meta,
        };
        (document, Chrome { reasons })
    }
}

/// The tables counting a new document's hits reads, beside what was found of its shingles.
struct Counting<'a> {
    identical: redb::ReadOnlyTable<u64, &'static [u8]>,
    sizes: Sizes<'a>,
}

/// The buckets of [`ADDED`]: looked up in their table one at a time, or read whole
/// beforehand, by key.
enum AddedBuckets<'a> {
    Table(redb::ReadOnlyTable<u64, &'static [u8]>),
    Read(&'a FxHashMap<u64, Vec<u8>>),
}

/// What the index holds of some shingles, distinct and in order, as [`Store::hits_all`] looks
/// them up: each shingle's document frequency and, where counting may need them, its
/// documents.
#[derive(Default)]
struct Found {
    /// Each shingle's place in the lists below: one probe, where a binary search of the
    /// shingles took a tenth of the samples of checking 3,000 documents (`perf`).
    places: FxHashMap<u64, u32>,
    /// Indexed documents holding each shingle.
    df: Vec<u32>,
    /// Where each shingle's documents end in `documents`.
    ends: Vec<usize>,
    /// The documents of each shingle that is kept, or found in at most `bucket_cap`
    /// documents; none for the others, which are counted by their frequency alone.
    documents: Vec<u32>,
}

impl Found {
    /// The frequency and documents of `shingle`; 0 and none if the index does not hold it.
    fn get(&self, shingle: u64) -> (usize, &[u32]) {
        match self.places.get(&shingle) {
            Some(&i) => {
                let i = i as usize;
                let start = if i == 0 { 0 } else { self.ends[i - 1] };
                (self.df[i] as usize, &self.documents[start..self.ends[i]])
            }
            None => (0, &[]),
        }
    }

    /// Appends what was found of the shingles after this one's (their places not yet set).
    fn append(&mut self, mut other: Found) {
        let base = self.documents.len();
        self.df.append(&mut other.df);
        self.ends.extend(other.ends.iter().map(|end| base + end));
        self.documents.append(&mut other.documents);
    }
}

/// The bucket of a table of postings read last, with its key.
#[derive(Default)]
struct LastBucket {
    read: Option<(u64, Option<redb::AccessGuard<'static, &'static [u8]>>)>,
}

impl LastBucket {
    /// The documents of `shingle` in `table`, whose buckets `bits` top bits name, packed;
    /// the bucket is read only if it is not the one read last.
    fn list(
        &mut self,
        table: &redb::ReadOnlyTable<u64, &'static [u8]>,
        bits: u32,
        shingle: u64,
    ) -> Result<&[u8], redb::StorageError> {
        let key = bucket_of(shingle, bits);
        if self.read.as_ref().is_none_or(|(read, _)| *read != key) {
            self.read = Some((key, table.get(key)?));
        }
        Ok(self
            .read
            .as_ref()
            .map_or(&[][..], |(_, bucket)| list_in(bucket, shingle)))
    }
}

/// Every indexed document's signature size: looked up in its table one at a time, or read
/// whole beforehand, by document number.
enum Sizes<'a> {
    Table(redb::ReadOnlyTable<u32, u32>),
    Read(&'a [u32]),
}

impl Sizes<'_> {
    fn get(&self, document: u32) -> Result<u32, redb::StorageError> {
        match self {
            Sizes::Table(table) => Ok(table.get(document)?.map_or(0, |v| v.value())),
            Sizes::Read(sizes) => Ok(sizes.get(document as usize).copied().unwrap_or(0)),
        }
    }
}

/// The read cache of an index opened to look up new documents. [`Store::hits_all`] reads each
/// bucket once, so redb's cache keeps little but the tables' upper pages, and the file is in
/// the system's page cache once read: checking 3,000 documents against the synthetic million's
/// index took 1.75 to 2.02 s and 400 to 420 MB with 64 MiB, against 2.10 to 2.34 s and 1,220
/// to 1,240 MB with the 750 MiB (256 KiB a document) it had before; 32 and 128 MiB were no
/// quicker (BENCHMARKS.md).
const LOOKUP_CACHE: usize = 64 << 20;

/// New documents from which [`Store::hits_all`] reads every signature size first.
const READ_SIZES_WHOLE: usize = 64;

/// Shingles of new documents [`Store::hits_all`] looks up together, in one block: what it
/// finds of them is held until the block's documents are counted. A block ends with the
/// document whose shingles reach this many.
const LOOKUP_BLOCK: usize = 1 << 22;

/// [`Store::hits_all`] reads the added postings whole first when they are at most this many
/// times the shingles it looks up: a lookup in a second table added a third to the CPU of
/// checking 3,000 documents against the million's index with 3,000 added (BENCHMARKS.md),
/// where reading them whole takes a copy of their bytes.
const READ_ADDED_WHOLE: u64 = 16;

/// What an index is opened for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Access {
    /// Adding to it: redb's read cache at its default.
    Write,
    /// Looking up new documents: a [`LOOKUP_CACHE`], and a file that may not be written.
    Lookups,
}

/// The redb database in `path`. An index another crosscheck is writing, or one that `access`
/// needs to write and cannot, is a clear error rather than a "damaged" one.
///
/// Lookups read the file under a shared lock, through a backend that never writes it
/// ([`crate::read_only`]): any number of checks can read an index at once, an index on a
/// read-only mount can be checked against, and a check leaves the file as it found it. An
/// index an add left unfinished (killed midway) needs redb to repair it, which a check that
/// may write the file does once, in the file, as an add would.
fn open_database(path: &Path, access: Access) -> Result<Database, StoreError> {
    let io = |detail: String| StoreError::Io {
        path: path.to_path_buf(),
        detail,
    };
    let in_use = |e: redb::DatabaseError| match e {
        redb::DatabaseError::DatabaseAlreadyOpen => io(IN_USE.into()),
        e => damaged(path, e),
    };
    let builder = || {
        let mut builder = redb::Builder::new();
        if access == Access::Lookups {
            builder.set_cache_size(LOOKUP_CACHE);
        }
        builder
    };
    let writable = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(path)
        .map(drop);
    #[cfg(unix)]
    if access == Access::Lookups {
        let read_only = || -> Result<crate::read_only::ReadOnlyFile, StoreError> {
            crate::read_only::ReadOnlyFile::open(path)
                .map_err(|e| io(e.to_string()))?
                .ok_or_else(|| io(IN_USE.into()))
        };
        let mut first = builder();
        if writable.is_ok() {
            first.set_repair_callback(|session| session.abort());
        }
        return match first.create_with_backend(read_only()?) {
            Err(redb::DatabaseError::RepairAborted) => match builder().open(path) {
                // Another check is reading it: repaired in memory, for this check alone.
                Err(redb::DatabaseError::DatabaseAlreadyOpen) => {
                    builder().create_with_backend(read_only()?).map_err(in_use)
                }
                opened => opened.map_err(in_use),
            },
            opened => opened.map_err(in_use),
        };
    }
    if let Err(error) = writable {
        let read_only = matches!(
            error.kind(),
            std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem
        );
        return Err(io(if read_only {
            format!("cannot be written ({error}); adding to an index writes it")
        } else {
            error.to_string()
        }));
    }
    builder().open(path).map_err(in_use)
}

/// Why an index cannot be opened while another process has it open.
const IN_USE: &str = "in use by another process (an index build, add or check still running?)";

/// An open index file.
pub struct Store {
    path: PathBuf,
    db: std::sync::Arc<Database>,
    /// How many top bits of a shingle name its bucket of [`POSTINGS`].
    bucket_bits: u32,
    /// The postings in [`ADDED`] and the bits naming its buckets, if it holds any.
    added: Option<Added>,
    /// The threads lookups run on, started at the first that needs them ([`Store::lookups`]).
    lookup_threads: std::sync::OnceLock<Option<rayon::ThreadPool>>,
}

/// Threads an index's lookups run on, for each worker thread. A lookup in a file not yet in
/// the system's page cache waits on the disk, and more reads in flight keep it busy: with 8
/// on this machine's two cores, checking 50, 350 and 3,000 documents against the synthetic
/// million's index, its pages dropped from the page cache, took 0.84 to 0.93, 2.69 to 3.21
/// and 3.06 to 3.35 s, against 1.36 to 1.48, 3.60 to 3.96 and 4.47 to 4.63 s on the 2 worker
/// threads; with 16, 0.72 to 0.80 s and 2.41 to 2.51 s for the 50 and the 350 (0.80 to 0.98
/// and 2.77 to 2.82 with 8 in the same runs), the 3,000 no quicker, and 20 to 50 MB more at
/// the peak. With the file in the page cache, the same either way (BENCHMARKS.md). At most
/// [`LOOKUP_THREADS`] in all.
const LOOKUP_THREADS_PER_WORKER: usize = 8;

/// The most threads lookups run on, however many cores there are.
const LOOKUP_THREADS: usize = 64;

/// How many of `lookups` keys, in order, one lookup thread takes at a time: a few runs for
/// each thread, so that they even out, of a few hundred keys at least.
fn lookup_run(lookups: usize) -> usize {
    (lookups / (4 * rayon::current_num_threads())).clamp(256, 16_384)
}

/// An index's [`ADDED`] postings: how many, and how many top bits of a shingle name its
/// bucket there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Added {
    postings: u64,
    bits: u32,
}

/// A table of buckets of postings, and how many top bits of a shingle name its bucket there.
#[derive(Clone, Copy)]
struct Bucketed {
    table: TableDefinition<'static, u64, &'static [u8]>,
    bits: u32,
}

/// A document of the index that may match a new one: its number, and the shingles shared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// The indexed document's number.
    pub document: u32,
    /// Shingles it shares with the new document that count (`u32::MAX` for an identical text).
    pub shared: u32,
    /// The size its share is measured against: its whole signature when it is short, else at
    /// most that (its kept shingles, as `report` counts them, are not stored; the new
    /// document's kept count is the other side of the comparison, see [`Hits::kept`]).
    pub signature: u32,
}

/// Looks ids up in an index being added to ([`Builder::ids`]), while the builder stores.
pub struct Ids {
    db: std::sync::Arc<Database>,
    path: PathBuf,
}

impl Ids {
    /// Whether the index holds a document with this id, as of its last commit.
    pub fn contains(&self, id: &str) -> Result<bool, StoreError> {
        guarded(&self.path, || contains_id(&self.db, &self.path, id))
    }
}

/// Whether the index in `db` holds a document with this id.
fn contains_id(db: &Database, path: &Path, id: &str) -> Result<bool, StoreError> {
    let txn = db.begin_read().map_err(|e| damaged(path, e))?;
    let table = txn.open_table(IDS).map_err(|e| damaged(path, e))?;
    Ok(table.get(id).map_err(|e| damaged(path, e))?.is_some())
}

/// How [`Store::add`] regrouped an index grown past the buckets it was built with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Regrouped {
    /// Buckets of postings before.
    pub from: u64,
    /// Buckets of postings now.
    pub to: u64,
    /// Postings the index holds.
    pub postings: u64,
}

/// What [`Store::hits`] found for one new document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Hits {
    /// Indexed documents sharing shingles or the whole text, by number.
    pub hits: Vec<Hit>,
    /// The new document's signature as `report` measures shares against it: all its shingles
    /// if it is short, else those kept.
    pub kept: u32,
    /// Kept shingles in more than `bucket_cap` indexed documents: `report` expands such a
    /// bucket as star edges; here each is followed to every document in it.
    pub oversized: u64,
}

fn damaged(path: &Path, error: impl std::fmt::Display) -> StoreError {
    StoreError::Damaged {
        path: path.to_path_buf(),
        detail: error.to_string(),
    }
}

/// Postings a bucket of [`POSTINGS`] holds, at most on average, when an index is built.
///
/// A lookup reads its shingle's whole bucket, through redb's reads of the file's pages, which
/// were most of a check's time against the million's index. Buckets of a quarter of 1,024
/// postings made those checks 12 to 17% quicker (3,000 documents 2.91 to 2.99 s against 3.32
/// to 3.46 s; 360 documents 0.67 to 0.69 s against 0.81 to 0.82 s), and its build no slower
/// than this machine's noise (74.4 and 79.9 s against 79.7 and 75.7 s); buckets of 128 gained
/// nothing more (BENCHMARKS.md). Fewer, larger buckets make a build quicker: 64 took the
/// synthetic 100,000's 10.7 to 11.0 s against 8.5 to 8.9 s for 1,024.
const BUCKET_POSTINGS: u64 = 256;

/// The fewest bits naming a bucket: an index built from a few documents and grown by `index
/// add` keeps the buckets it was built with, and 65,536 of them stay small up to some
/// hundreds of thousands of documents.
const MIN_BUCKET_BITS: u32 = 16;

/// How many top bits of a shingle name its bucket, for an index of `postings` postings:
/// enough for [`BUCKET_POSTINGS`] a bucket, and at least [`MIN_BUCKET_BITS`].
fn bucket_bits(postings: u64) -> u32 {
    let buckets = (postings / BUCKET_POSTINGS).max(1);
    (u64::BITS - (buckets - 1).leading_zeros()).clamp(MIN_BUCKET_BITS, 48)
}

/// How many times the postings a build would put in each bucket the buckets of an index grown
/// by adds may hold, on average, before [`Store::add`] regroups them.
const REGROUP_GROWTH: u64 = 4;

/// The bits to regroup an index of `postings` postings into, whose buckets are named by
/// `bits` bits now, if its buckets hold more than [`REGROUP_GROWTH`] times the postings a
/// build of its size would put in each.
fn regroup_due(postings: u64, bits: u32) -> Option<u32> {
    let buckets = 1u64 << bits;
    (postings > REGROUP_GROWTH * BUCKET_POSTINGS * buckets).then(|| bucket_bits(postings))
}

/// An add's postings go to [`ADDED`] while they and those already there, times this, come
/// to at most the index's other postings. A larger share costs lookups more (each shingle is
/// looked up in both tables, or the added postings are read whole) and saves less (rewriting
/// the added postings costs nearly as much as rewriting all of them). With an eighth, 100,000
/// documents added to the synthetic million (37 million postings) took a check of 3,000
/// documents from 4.1 to 5.0 s to 7.2 s looked up in both tables, 5.7 to 6.2 s read whole;
/// with 30,000 added, 5.4 to 6.6 s against 5.2 to 5.3 s (BENCHMARKS.md).
const FOLD_SHARE: u64 = 16;

/// The bucket of [`POSTINGS`] that holds `shingle`.
fn bucket_of(shingle: u64, bits: u32) -> u64 {
    shingle >> (u64::BITS - bits)
}

/// A bucket of [`POSTINGS`] being made: its shingles in ascending order, each with its
/// documents. Stored ([`Bucket::write`]) as the number of shingles (4 bytes), the shingles (8
/// bytes each), where each one's documents end, counted in documents (4 bytes each), and the
/// documents (4 bytes each), all little-endian: a lookup bisects the shingles.
#[derive(Default)]
struct Bucket {
    shingles: Vec<u64>,
    ends: Vec<u32>,
    documents: Vec<u8>,
}

impl Bucket {
    /// Adds a shingle, after every shingle added before, with its documents.
    fn push(&mut self, shingle: u64, documents: impl IntoIterator<Item = u32>) {
        self.shingles.push(shingle);
        self.documents
            .extend(documents.into_iter().flat_map(u32::to_le_bytes));
        self.ends.push((self.documents.len() / 4) as u32);
    }

    fn clear(&mut self) {
        self.shingles.clear();
        self.ends.clear();
        self.documents.clear();
    }

    /// The bucket as stored, in `out` (cleared first).
    fn write(&self, out: &mut Vec<u8>) {
        out.clear();
        out.extend_from_slice(&(self.shingles.len() as u32).to_le_bytes());
        out.extend(self.shingles.iter().flat_map(|s| s.to_le_bytes()));
        out.extend(self.ends.iter().flat_map(|e| e.to_le_bytes()));
        out.extend_from_slice(&self.documents);
    }
}

/// A stored [`Bucket`], read in place.
struct StoredBucket<'a> {
    shingles: &'a [u8],
    ends: &'a [u8],
    documents: &'a [u8],
}

impl<'a> StoredBucket<'a> {
    /// `None` if the bytes are too few for the shingles they say they hold.
    fn new(bytes: &'a [u8]) -> Option<StoredBucket<'a>> {
        let (count, rest) = bytes.split_at_checked(4)?;
        let count = u32::from_le_bytes(count.try_into().expect("4 bytes")) as usize;
        let (shingles, rest) = rest.split_at_checked(count.checked_mul(8)?)?;
        let (ends, documents) = rest.split_at_checked(count * 4)?;
        Some(StoredBucket {
            shingles,
            ends,
            documents,
        })
    }

    fn len(&self) -> usize {
        self.shingles.len() / 8
    }

    fn shingle(&self, i: usize) -> u64 {
        u64::from_le_bytes(self.shingles[i * 8..i * 8 + 8].try_into().expect("8 bytes"))
    }

    /// The documents of the `i`-th shingle, packed; `None` past the end of a bucket cut short.
    fn documents(&self, i: usize) -> Option<&'a [u8]> {
        let end = |i: usize| {
            u32::from_le_bytes(self.ends[i * 4..i * 4 + 4].try_into().expect("4 bytes")) as usize
        };
        let start = if i == 0 { 0 } else { end(i - 1) };
        self.documents.get(start * 4..end(i) * 4)
    }
}

/// The shingles of a stored bucket of [`POSTINGS`], each with its documents packed as
/// [`pack`] packs them. A bucket cut short ends where its last whole entry does.
fn lists(bucket: &[u8]) -> impl Iterator<Item = (u64, &[u8])> + '_ {
    let stored = StoredBucket::new(bucket);
    let len = stored.as_ref().map_or(0, StoredBucket::len);
    (0..len).map_while(move |i| {
        let stored = stored.as_ref()?;
        Some((stored.shingle(i), stored.documents(i)?))
    })
}

/// The documents of `shingle` in its stored bucket, packed as [`pack`] packs them.
fn find_list(bucket: &[u8], shingle: u64) -> Option<&[u8]> {
    let stored = StoredBucket::new(bucket)?;
    let (mut lo, mut hi) = (0, stored.len());
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match stored.shingle(mid).cmp(&shingle) {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => return stored.documents(mid),
        }
    }
    None
}

/// A stored bucket of [`POSTINGS`] with the postings `added` ((shingle, document), sorted, all
/// of this bucket, their documents numbered after every document already in it) merged in.
fn merged_bucket(existing: &[u8], added: &[(u64, u32)]) -> Vec<u8> {
    let mut bucket = Bucket::default();
    let mut old = lists(existing).peekable();
    let mut new = added.chunk_by(|x, y| x.0 == y.0).peekable();
    loop {
        let next_old = old.peek().map(|&(shingle, _)| shingle);
        let next_new = new.peek().map(|group| group[0].0);
        let shingle = match (next_old, next_new) {
            (None, None) => break,
            (Some(a), Some(b)) => a.min(b),
            (Some(a), None) => a,
            (None, Some(b)) => b,
        };
        let old_documents = (next_old == Some(shingle)).then(|| old.next().expect("peeked").1);
        let new_documents = (next_new == Some(shingle)).then(|| new.next().expect("peeked"));
        bucket.push(
            shingle,
            old_documents
                .into_iter()
                .flat_map(unpack)
                .chain(new_documents.into_iter().flatten().map(|&(_, d)| d)),
        );
    }
    let mut out = Vec::new();
    bucket.write(&mut out);
    out
}

/// The documents of `shingle` in a bucket looked up, packed; none if there is no bucket or
/// the shingle is not in it.
fn list_in<'a>(bucket: &'a Option<redb::AccessGuard<'_, &'static [u8]>>, shingle: u64) -> &'a [u8] {
    bucket
        .as_ref()
        .and_then(|b| find_list(b.value(), shingle))
        .unwrap_or_default()
}

fn pack(documents: &[u32]) -> Vec<u8> {
    documents.iter().flat_map(|d| d.to_le_bytes()).collect()
}

fn unpack(bytes: &[u8]) -> impl Iterator<Item = u32> + '_ {
    bytes
        .chunks_exact(4)
        .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
}

/// Runs a database operation, turning a panic inside the database library into an error that
/// names the file: redb asserts on some damaged files (a truncated one, for instance), and a bad
/// index must give a clear error, never a crash. The panic hook is silenced for the call, so
/// nothing but that error is printed; store calls run outside parallel sections.
fn guarded<T>(
    path: &Path,
    operation: impl FnOnce() -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(operation));
    std::panic::set_hook(hook);
    result.unwrap_or_else(|panic| {
        let detail = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "the database library failed".to_string());
        Err(damaged(path, detail))
    })
}

/// Fills a new index a batch of documents at a time ([`Store::builder`]), or adds to one
/// ([`Store::appender`]).
///
/// One write transaction for a whole build held every page it wrote until it committed, so a
/// build took about the index's size in memory on top of its documents (2.5 GB for 100,000
/// news articles, BENCHMARKS.md). Here each batch's documents are committed as they come, their
/// numbers in order, so each commit appends to the tables. The postings fall all over their key
/// space: each batch's are sorted and written to a temporary file as a run (12 bytes a
/// posting), and the runs are merged at the end, the lists written in key order and committed
/// every `KEYS_PER_COMMIT` keys. Fingerprints (one a document) and token counts (one a word
/// of the vocabulary) are kept in memory and written the same way.
///
/// Added to an index that holds documents, the new postings go with the postings added before
/// while those and they come to at most a sixteenth of the index's others: merged into the
/// added postings' buckets in place, if they are too few to touch more than a few of them,
/// else merged with the added postings into a table of their own, which takes those's place
/// in the last commit. Past a sixteenth, they are merged into the index's buckets in place if
/// they are too few to touch more than a few of those, else they, the added postings and the
/// index's buckets are merged into a table of their own, which takes the buckets' table's
/// place in the last commit.
///
/// Either way the index is as it was until that last commit, the only one that waits for the
/// disk: an add that fails or is killed midway leaves it unchanged.
pub struct Builder {
    store: Store,
    scratch: PathBuf,
    runs: Option<Runs>,
    identical: Vec<(u64, u32)>,
    frequencies: FxHashMap<u64, u32>,
    /// The next document's number: the documents the index holds so far.
    documents: u32,
    /// The postings the index holds so far, the runs' included.
    postings: u64,
    /// The buckets' bits before this builder's postings, if the index held documents: their
    /// lists, fingerprints and counts are merged with the new ones.
    appending: Option<u32>,
    /// The table whose place the postings written to [`REGROUPED`] take, if they were.
    replaces: Option<TableDefinition<'static, u64, &'static [u8]>>,
    /// Whether new postings few enough for the buckets of a table (see [`IN_PLACE_SHARE`])
    /// are merged into those in place.
    in_place: bool,
    /// The added postings, the new ones with them, are kept apart in [`ADDED`] while they,
    /// times this, come to at most the others ([`FOLD_SHARE`]; none keeps every add apart).
    fold_share: u64,
    /// Takes an add that does not finish back out of the index.
    rollback: Option<Rollback>,
}

/// The index as it was before an add ([`Store::appender`]), restored if the add is dropped
/// before it finishes. An add's batches are committed without waiting for the disk, and a
/// process killed midway loses them; but a database closed in good order keeps them, and they
/// would leave documents without their postings, lists and counts.
struct Rollback {
    db: std::sync::Arc<Database>,
    savepoint: Option<redb::Savepoint>,
}

impl Drop for Rollback {
    fn drop(&mut self) {
        let Some(savepoint) = self.savepoint.take() else {
            return;
        };
        // Nowhere to report a failure from here: the add's own error is on its way already.
        if let Ok(mut txn) = self.db.begin_write()
            && txn.restore_savepoint(&savepoint).is_ok()
        {
            let _ = txn.commit();
        }
    }
}

/// Sorted runs of (shingle, document) postings in one unlinked temporary file.
struct Runs {
    writer: std::io::BufWriter<std::fs::File>,
    /// For each run, where in the file (counted in postings) its postings of each top byte of
    /// the shingle start, and where the run ends: the runs' pieces one range of shingles
    /// takes, for [`Builder::merge_runs`] to read apart.
    starts: Vec<[u64; 257]>,
    written: u64,
}

/// A document made ready to store: its id, itself with its chrome as stored, and its
/// signature's size.
struct Serialized {
    id: String,
    stored: Vec<u8>,
    signature: u32,
}

/// `entries` made ready to store, on every core.
fn serialized(entries: &[Entry]) -> Vec<Serialized> {
    entries
        .par_iter()
        .map(|entry| Serialized {
            id: entry.document.id.clone(),
            stored: serde_json::to_vec(&Stored::new(entry.document, entry.chrome))
                .expect("documents serialize"),
            signature: entry.signature.len() as u32,
        })
        .collect()
}

/// Stores `documents`, numbered from `first`: each document with its chrome, its id, and the
/// size of its signature.
fn store_documents(
    txn: &redb::WriteTransaction,
    documents: &[Serialized],
    first: u32,
    path: &Path,
) -> Result<(), StoreError> {
    let err = |e: &dyn std::fmt::Display| damaged(path, e);
    let mut stored = txn.open_table(DOCUMENTS).map_err(|e| err(&e))?;
    let mut ids = txn.open_table(IDS).map_err(|e| err(&e))?;
    let mut sizes = txn.open_table(SIGNATURE_SIZES).map_err(|e| err(&e))?;
    for (k, document) in documents.iter().enumerate() {
        let number = first + k as u32;
        stored
            .insert(number, document.stored.as_slice())
            .map_err(|e| err(&e))?;
        ids.insert(document.id.as_str(), number)
            .map_err(|e| err(&e))?;
        sizes
            .insert(number, document.signature)
            .map_err(|e| err(&e))?;
    }
    Ok(())
}

/// A batch of documents made ready to store ([`Builder::stage`], and [`Store::add`]): their
/// postings sorted, their fingerprints and token counts gathered, and themselves serialized,
/// all on every core, so that storing one batch, in order on one thread, goes on while the
/// next is prepared.
pub struct Staged {
    first: u32,
    postings: Vec<(u64, u32)>,
    identical: Vec<(u64, u32)>,
    frequencies: FxHashMap<u64, u32>,
    documents: Vec<Serialized>,
}

/// An error of an index build's temporary file of runs in `dir`.
fn scratch_error(dir: &Path, error: std::io::Error) -> StoreError {
    StoreError::Io {
        path: dir.to_path_buf(),
        detail: format!("cannot write or read back the index build's temporary file: {error}"),
    }
}

/// Bytes of one posting in a run: the shingle and the document, little-endian.
const RUN_POSTING: usize = 12;

/// The postings of every run (`starts`: see [`Runs::starts`]) in `file` whose shingles have
/// the top byte `top`, run after run, each run's in order.
fn read_top(
    file: &std::fs::File,
    starts: &[[u64; 257]],
    top: usize,
) -> std::io::Result<Vec<(u64, u32)>> {
    let total: u64 = starts.iter().map(|s| s[top + 1] - s[top]).sum();
    let mut bytes = vec![0u8; total as usize * RUN_POSTING];
    let mut at = 0;
    for s in starts {
        let len = (s[top + 1] - s[top]) as usize * RUN_POSTING;
        crate::spill::read_exact_at(file, &mut bytes[at..at + len], s[top] * RUN_POSTING as u64)?;
        at += len;
    }
    Ok(bytes
        .chunks_exact(RUN_POSTING)
        .map(|b| {
            (
                u64::from_le_bytes(b[..8].try_into().expect("8 bytes")),
                u32::from_le_bytes(b[8..].try_into().expect("4 bytes")),
            )
        })
        .collect())
}

/// The postings stored in `db`'s buckets of `stored` whose shingles have the top byte `top`,
/// added to `postings` in order.
fn stored_top(
    db: &Database,
    top: usize,
    stored: Bucketed,
    postings: &mut Vec<(u64, u32)>,
    path: &Path,
) -> Result<(), StoreError> {
    let err = |e: &dyn std::fmt::Display| damaged(path, e);
    let txn = db.begin_read().map_err(|e| err(&e))?;
    let table = txn.open_table(stored.table).map_err(|e| err(&e))?;
    let shift = stored.bits - 8;
    let keys = (top as u64) << shift..(top as u64 + 1) << shift;
    for entry in table.range(keys).map_err(|e| err(&e))? {
        let (_, bucket) = entry.map_err(|e| err(&e))?;
        for (shingle, documents) in lists(bucket.value()) {
            postings.extend(unpack(documents).map(|document| (shingle, document)));
        }
    }
    Ok(())
}

/// The buckets of [`POSTINGS`] (named by `bits` bits) that `postings` make, in key order:
/// (key, bucket as stored). `postings` hold whole buckets: all of one top byte of shingles,
/// since at least [`MIN_BUCKET_BITS`] bits name a bucket.
fn buckets_of(mut postings: Vec<(u64, u32)>, bits: u32) -> Vec<(u64, Vec<u8>)> {
    // Sorted runs one after another (the stored postings first, numbered before any new
    // document, then a run a batch, batches numbered in order): the stable sort merges them
    // as the runs they are, and each shingle's documents come out in order.
    postings.sort();
    let mut bucket = Bucket::default();
    postings
        .chunk_by(|x, y| bucket_of(x.0, bits) == bucket_of(y.0, bits))
        .map(|in_bucket| {
            bucket.clear();
            for list in in_bucket.chunk_by(|x, y| x.0 == y.0) {
                bucket.push(list[0].0, list.iter().map(|&(_, document)| document));
            }
            let mut stored = Vec::new();
            bucket.write(&mut stored);
            (bucket_of(in_bucket[0].0, bits), stored)
        })
        .collect()
}

/// An add to an index of `2^bits` buckets whose new postings are at most this share of the
/// buckets merges them into the buckets they fall in, in place: they touch at most about a
/// fifth of the buckets (1 - e^(-1/4)), where rewriting the table would copy all of it. More,
/// and the table is rewritten whole.
const IN_PLACE_SHARE: u64 = 4;

/// Merges `postings` (sorted, their documents numbered after every document already in the
/// index) into the buckets of `table` (named by `bits` bits) they fall in.
fn merge_into(
    table: &mut redb::Table<u64, &[u8]>,
    postings: &[(u64, u32)],
    bits: u32,
    path: &Path,
) -> Result<(), StoreError> {
    let err = |e: &dyn std::fmt::Display| damaged(path, e);
    for group in postings.chunk_by(|x, y| bucket_of(x.0, bits) == bucket_of(y.0, bits)) {
        let key = bucket_of(group[0].0, bits);
        let existing = table.get(key).map_err(|e| err(&e))?;
        let merged = merged_bucket(existing.as_ref().map_or(&[], |b| b.value()), group);
        drop(existing);
        table.insert(key, merged.as_slice()).map_err(|e| err(&e))?;
    }
    Ok(())
}

/// Adds the documents of whole-text fingerprints (`groups`: (fingerprint, document) pairs,
/// one group a fingerprint, in document order) to `table`, after those it holds if
/// `appending`.
fn add_identical(
    table: &mut redb::Table<u64, &[u8]>,
    groups: &[&[(u64, u32)]],
    appending: bool,
    path: &Path,
) -> Result<(), StoreError> {
    let err = |e: &dyn std::fmt::Display| damaged(path, e);
    let mut list: Vec<u32> = Vec::new();
    for group in groups {
        let key = group[0].0;
        list.clear();
        if appending && let Some(existing) = table.get(key).map_err(|e| err(&e))? {
            list.extend(unpack(existing.value()));
        }
        list.extend(group.iter().map(|&(_, document)| document));
        table
            .insert(key, pack(&list).as_slice())
            .map_err(|e| err(&e))?;
    }
    Ok(())
}

/// Adds document counts of tokens to `table`, to those it holds if `appending`.
fn add_frequencies(
    table: &mut redb::Table<u64, u32>,
    counts: &[(u64, u32)],
    appending: bool,
    path: &Path,
) -> Result<(), StoreError> {
    let err = |e: &dyn std::fmt::Display| damaged(path, e);
    for &(token, count) in counts {
        let old = match appending {
            true => table
                .get(token)
                .map_err(|e| err(&e))?
                .map_or(0, |v| v.value()),
            false => 0,
        };
        table.insert(token, old + count).map_err(|e| err(&e))?;
    }
    Ok(())
}

/// Writes into `target` the buckets, named by `bits` bits, of the postings stored in `db`'s
/// tables `stored` and of the `runs` (the file, each run's starts, and the folder it is in,
/// for errors), committed every [`BUCKETS_PER_COMMIT`] buckets without waiting for the disk.
///
/// The buckets are made a few top bytes of shingles at a time ([`MERGE_TOPS`]), on every
/// core, by a thread of their own, while this one writes those made before. redb takes its
/// writes on one thread; when that thread also merged the runs, with a heap over their
/// fronts, the end of a build ran on one core alone (a third of building the synthetic
/// 100,000, BENCHMARKS.md).
fn write_buckets(
    db: &Database,
    path: &Path,
    stored: &[Bucketed],
    runs: Option<(&std::fs::File, &[[u64; 257]], &Path)>,
    bits: u32,
    target: TableDefinition<u64, &[u8]>,
) -> Result<(), StoreError> {
    let err = |e: &dyn std::fmt::Display| damaged(path, e);
    std::thread::scope(|scope| {
        type Made = Result<Vec<Vec<(u64, Vec<u8>)>>, StoreError>;
        let (to_writer, made) = std::sync::mpsc::sync_channel::<Made>(1);
        scope.spawn(move || {
            for tops in (0..256).collect::<Vec<usize>>().chunks(MERGE_TOPS) {
                let buckets: Made = tops
                    .par_iter()
                    .map(|&top| {
                        let mut postings = Vec::new();
                        for &table in stored {
                            stored_top(db, top, table, &mut postings, path)?;
                        }
                        if let Some((file, starts, scratch)) = runs {
                            postings.extend(
                                read_top(file, starts, top)
                                    .map_err(|e| scratch_error(scratch, e))?,
                            );
                        }
                        Ok(buckets_of(postings, bits))
                    })
                    .collect();
                let failed = buckets.is_err();
                // The writer may have stopped, having failed.
                if to_writer.send(buckets).is_err() || failed {
                    return;
                }
            }
        });
        let mut buckets = made
            .into_iter()
            .flat_map(|made| -> Box<dyn Iterator<Item = _>> {
                match made {
                    Ok(tops) => Box::new(tops.into_iter().flatten().map(Ok)),
                    Err(e) => Box::new(std::iter::once(Err(e))),
                }
            })
            .peekable();
        while buckets.peek().is_some() {
            let txn = in_passing(db, path)?;
            {
                let mut table = txn.open_table(target).map_err(|e| err(&e))?;
                for bucket in buckets.by_ref().take(BUCKETS_PER_COMMIT) {
                    let (key, stored) = bucket?;
                    table.insert(key, stored.as_slice()).map_err(|e| err(&e))?;
                }
            }
            txn.commit().map_err(|e| err(&e))?;
        }
        Ok(())
    })
}

/// Clears [`REGROUPED`] of what an add or a regrouping stopped midway left in it.
fn clear_regrouped(db: &Database, path: &Path) -> Result<(), StoreError> {
    let err = |e: &dyn std::fmt::Display| damaged(path, e);
    let txn = in_passing(db, path)?;
    txn.delete_table(REGROUPED).map_err(|e| err(&e))?;
    txn.commit().map_err(|e| err(&e))
}

/// Puts [`REGROUPED`] in the place of `table` ([`POSTINGS`] or [`ADDED`]), within `txn`.
/// In the place of [`POSTINGS`], it holds the added postings too, and [`ADDED`] goes.
fn put_regrouped_in_place(
    txn: &redb::WriteTransaction,
    table: TableDefinition<u64, &[u8]>,
    path: &Path,
) -> Result<(), StoreError> {
    let err = |e: &dyn std::fmt::Display| damaged(path, e);
    if table.name() == POSTINGS.name() {
        txn.delete_table(ADDED).map_err(|e| err(&e))?;
    }
    txn.delete_table(table).map_err(|e| err(&e))?;
    txn.rename_table(REGROUPED, table).map_err(|e| err(&e))?;
    Ok(())
}

/// Records in `meta` the postings in [`ADDED`] (`added`), and the format version they need.
fn put_added(
    meta: &mut redb::Table<&str, &str>,
    added: Option<Added>,
    path: &Path,
) -> Result<(), StoreError> {
    let err = |e: &dyn std::fmt::Display| damaged(path, e);
    match added {
        Some(added) => {
            let bits = added.bits.to_string();
            meta.insert("added_bits", bits.as_str())
                .map_err(|e| err(&e))?;
            let postings = added.postings.to_string();
            meta.insert("added_postings", postings.as_str())
                .map_err(|e| err(&e))?;
        }
        None => {
            meta.remove("added_bits").map_err(|e| err(&e))?;
            meta.remove("added_postings").map_err(|e| err(&e))?;
        }
    }
    let version = INDEX_VERSION.to_string();
    meta.insert("version", version.as_str())
        .map_err(|e| err(&e))?;
    Ok(())
}

/// Top bytes of shingles [`write_buckets`] makes the buckets of at once, on every core,
/// while the buckets made before are written: a sixty-fourth of the postings at a time.
const MERGE_TOPS: usize = 4;

/// A write transaction of a [`Builder`] before its last: committed without waiting for the
/// disk (redb's [`Durability::None`](redb::Durability::None)), since the build's last commit
/// makes them last, and a build stopped before it leaves no index worth keeping (the build
/// removes the file; a file left by a killed process opens as the empty index it was made
/// as). Building Reuters-21578's index makes some 70 commits, and a commit that waits for the
/// disk waits for everything written since the one before.
fn in_passing(db: &Database, path: &Path) -> Result<redb::WriteTransaction, StoreError> {
    let mut txn = db.begin_write().map_err(|e| damaged(path, e))?;
    txn.set_durability(redb::Durability::None);
    Ok(txn)
}

/// Keys written per transaction when a [`Builder`] finishes.
const KEYS_PER_COMMIT: usize = 1 << 20;

/// Buckets of [`POSTINGS`] written per transaction when a [`Builder`] finishes: about as many
/// postings as [`KEYS_PER_COMMIT`].
const BUCKETS_PER_COMMIT: usize = KEYS_PER_COMMIT / BUCKET_POSTINGS as usize;

impl Builder {
    /// Stores a batch of documents, numbered after those stored before.
    pub fn add(&mut self, entries: &[Entry]) -> Result<(), StoreError> {
        let staged = Builder::stage(entries, self.documents);
        self.store(staged)
    }

    /// Makes a batch of documents, numbered from `first`, ready to store; [`Builder::store`]
    /// stores it, once every document numbered before `first` is stored. Needs no builder, so
    /// that the next batch can be staged while one is stored.
    pub fn stage(entries: &[Entry], first: u32) -> Staged {
        let mut postings = Vec::new();
        let mut identical = Vec::new();
        for (k, entry) in entries.iter().enumerate() {
            let number = first + k as u32;
            postings.extend(entry.signature.iter().map(|&shingle| (shingle, number)));
            if let Some(f) = entry.fingerprint {
                identical.push((f, number));
            }
        }
        // By shingle, then document: each list in document order.
        index::bucket_sort(&mut postings, |&(shingle, _)| (shingle >> 56) as u8);
        let mut frequencies = FxHashMap::default();
        crate::count_documents(
            &mut frequencies,
            entries.par_iter().map(|entry| entry.tokens),
        );
        Staged {
            first,
            postings,
            identical,
            frequencies,
            documents: serialized(entries),
        }
    }

    /// Stores a batch [`Builder::stage`] made ready: its documents are committed, its
    /// postings set aside as a run, its fingerprints and counts kept for the end.
    pub fn store(&mut self, staged: Staged) -> Result<(), StoreError> {
        let path = self.store.path.clone();
        guarded(&path, || self.store_unguarded(staged))
    }

    /// The number the next document stored will take: how many the index holds so far.
    pub fn next_number(&self) -> u32 {
        self.documents
    }

    /// Looks ids up in the index as it stands, beside the builder: [`Ids::contains`].
    pub fn ids(&self) -> Ids {
        Ids {
            db: self.store.db.clone(),
            path: self.store.path.clone(),
        }
    }

    /// Writes what the batches left for the end and returns the finished index, and how it
    /// regrouped the index's postings into more buckets, if it did (an add that took the
    /// index far past the size it was built at).
    pub fn finish(self) -> Result<(Store, Option<Regrouped>), StoreError> {
        let path = self.store.path.clone();
        guarded(&path, move || self.finish_unguarded())
    }

    /// An error of the temporary file of runs, naming its directory.
    fn scratch_error(&self, error: std::io::Error) -> StoreError {
        scratch_error(&self.scratch, error)
    }

    /// Appends a batch's postings, sorted, to the runs file as one run.
    fn write_run(&mut self, postings: Vec<(u64, u32)>) -> Result<(), StoreError> {
        use std::io::Write;
        if self.runs.is_none() {
            let file = tempfile::tempfile_in(&self.scratch).map_err(|e| self.scratch_error(e))?;
            self.runs = Some(Runs {
                writer: std::io::BufWriter::with_capacity(1 << 20, file),
                starts: Vec::new(),
                written: 0,
            });
        }
        self.postings += postings.len() as u64;
        let runs = self.runs.as_mut().expect("made above");
        let mut starts = [0u64; 257];
        for &(shingle, _) in &postings {
            starts[(shingle >> 56) as usize + 1] += 1;
        }
        starts[0] = runs.written;
        for top in 0..256 {
            starts[top + 1] += starts[top];
        }
        runs.starts.push(starts);
        let mut result = Ok(());
        for &(shingle, document) in &postings {
            result = runs
                .writer
                .write_all(&shingle.to_le_bytes())
                .and_then(|()| runs.writer.write_all(&document.to_le_bytes()));
            if result.is_err() {
                break;
            }
        }
        runs.written += postings.len() as u64;
        result.map_err(|e| self.scratch_error(e))
    }

    fn store_unguarded(&mut self, staged: Staged) -> Result<(), StoreError> {
        debug_assert_eq!(staged.first, self.documents, "batches are stored in order");
        self.write_run(staged.postings)?;
        self.identical.extend(staged.identical);
        self.frequencies =
            crate::merge_counts(std::mem::take(&mut self.frequencies), staged.frequencies);
        let path = &self.store.path;
        let err = |e: &dyn std::fmt::Display| damaged(path, e);
        let txn = in_passing(&self.store.db, path)?;
        store_documents(&txn, &staged.documents, staged.first, path)?;
        txn.commit().map_err(|e| err(&e))?;
        self.documents += staged.documents.len() as u32;
        Ok(())
    }

    /// Merges the runs into the postings table, each shingle's list in document order (a run
    /// holds a batch, and batches are numbered in order), in buckets as many as the postings
    /// call for ([`bucket_bits`]), committed every [`BUCKETS_PER_COMMIT`] buckets. Added to an
    /// index that holds documents, they go to its added postings or to its buckets, in place
    /// or rewritten with them by [`write_buckets`] (see [`Builder`]).
    fn merge_runs(&mut self) -> Result<(), StoreError> {
        let Some(runs) = self.runs.take() else {
            return Ok(());
        };
        let file = runs
            .writer
            .into_inner()
            .map_err(|e| self.scratch_error(e.into_error()))?;
        let path = self.store.path.clone();
        let db = &self.store.db;
        let new = runs.written;
        let runs_file = Some((&file, runs.starts.as_slice(), self.scratch.as_path()));
        let Some(old) = self.appending else {
            let bits = bucket_bits(self.postings);
            self.store.bucket_bits = bits;
            return write_buckets(db, &path, &[], runs_file, bits, POSTINGS);
        };
        let added = self.store.added.map_or(0, |a| a.postings);
        let others = self.postings - added - new;
        let added_before = self.store.added_table();
        let in_place = |bits: u32, postings: u64| {
            self.in_place
                && new <= (1 << bits) / IN_PLACE_SHARE
                && regroup_due(postings, bits).is_none()
        };
        if (added + new).saturating_mul(self.fold_share) <= others {
            let postings = added + new;
            if let Some(before) = added_before
                && in_place(before.bits, postings)
            {
                self.store.added = Some(Added {
                    postings,
                    bits: before.bits,
                });
                return self.merge_in_place(&file, &runs.starts, before);
            }
            clear_regrouped(db, &path)?;
            let bits = bucket_bits(postings);
            self.store.added = Some(Added { postings, bits });
            self.replaces = Some(ADDED);
            let stored: Vec<Bucketed> = added_before.into_iter().collect();
            return write_buckets(db, &path, &stored, runs_file, bits, REGROUPED);
        }
        if in_place(old, others + new) {
            return self.merge_in_place(&file, &runs.starts, self.store.buckets());
        }
        clear_regrouped(db, &path)?;
        let stored = self.store.tables();
        self.store.bucket_bits = bucket_bits(self.postings).max(old);
        self.store.added = None;
        self.replaces = Some(POSTINGS);
        write_buckets(
            db,
            &path,
            &stored,
            runs_file,
            self.store.bucket_bits,
            REGROUPED,
        )
    }

    /// Merges the runs (`starts`: see [`Runs::starts`]) in `file` into the buckets of `into`
    /// they fall in, in place ([`merge_into`]), in one commit.
    fn merge_in_place(
        &self,
        file: &std::fs::File,
        starts: &[[u64; 257]],
        into: Bucketed,
    ) -> Result<(), StoreError> {
        let path = &self.store.path;
        let err = |e: &dyn std::fmt::Display| damaged(path, e);
        let mut postings = Vec::new();
        for top in 0..256 {
            postings.extend(read_top(file, starts, top).map_err(|e| self.scratch_error(e))?);
        }
        postings.sort();
        let txn = in_passing(&self.store.db, path)?;
        {
            let mut table = txn.open_table(into.table).map_err(|e| err(&e))?;
            merge_into(&mut table, &postings, into.bits, path)?;
        }
        txn.commit().map_err(|e| err(&e))
    }

    fn finish_unguarded(mut self) -> Result<(Store, Option<Regrouped>), StoreError> {
        let path = self.store.path.clone();
        let err = |e: &dyn std::fmt::Display| damaged(&path, e);
        self.merge_runs()?;
        let db = &self.store.db;
        let appending = self.appending.is_some();
        // By key, then document: each list in document order.
        self.identical.par_sort_unstable();
        let groups: Vec<&[(u64, u32)]> = self.identical.chunk_by(|x, y| x.0 == y.0).collect();
        for commit in groups.chunks(KEYS_PER_COMMIT) {
            let txn = in_passing(db, &path)?;
            {
                let mut table = txn.open_table(IDENTICAL).map_err(|e| err(&e))?;
                add_identical(&mut table, commit, appending, &path)?;
            }
            txn.commit().map_err(|e| err(&e))?;
        }
        let mut frequencies: Vec<(u64, u32)> = self.frequencies.drain().collect();
        index::bucket_sort(&mut frequencies, |&(token, _)| (token >> 56) as u8);
        for commit in frequencies.chunks(KEYS_PER_COMMIT) {
            let txn = in_passing(db, &path)?;
            {
                let mut table = txn.open_table(FREQUENCIES).map_err(|e| err(&e))?;
                add_frequencies(&mut table, commit, appending, &path)?;
            }
            txn.commit().map_err(|e| err(&e))?;
        }
        // The one commit that waits for the disk, and makes every one before it last.
        let txn = db.begin_write().map_err(|e| err(&e))?;
        if let Some(table) = self.replaces {
            put_regrouped_in_place(&txn, table, &path)?;
        }
        {
            let mut meta = txn.open_table(META).map_err(|e| err(&e))?;
            put_added(&mut meta, self.store.added, &path)?;
            let total = self.documents.to_string();
            meta.insert("documents", total.as_str())
                .map_err(|e| err(&e))?;
            let bits = self.store.bucket_bits.to_string();
            meta.insert("bucket_bits", bits.as_str())
                .map_err(|e| err(&e))?;
            let postings = self.postings.to_string();
            meta.insert("postings", postings.as_str())
                .map_err(|e| err(&e))?;
        }
        txn.commit().map_err(|e| err(&e))?;
        // Done: the savepoint goes without being restored.
        if let Some(mut rollback) = self.rollback.take() {
            rollback.savepoint = None;
        }
        let regrouped = self
            .appending
            .filter(|&old| old < self.store.bucket_bits)
            .map(|old| Regrouped {
                from: 1 << old,
                to: 1 << self.store.bucket_bits,
                postings: self.postings,
            });
        Ok((self.store, regrouped))
    }
}

/// One document to add: the document, its chrome, tokens, signature and whole-text fingerprint.
pub struct Entry<'a> {
    /// The document.
    pub document: &'a Document,
    /// Its chrome verdicts.
    pub chrome: &'a Chrome,
    /// Its body tokens.
    pub tokens: &'a [Token],
    /// Its shingle signature (empty when too short).
    pub signature: &'a [u64],
    /// Fingerprint of its whole token sequence.
    pub fingerprint: Option<u64>,
}

impl Store {
    /// Opens an index file, checking its format, version and settings.
    pub fn open(path: &Path, settings: &IndexSettings) -> Result<Store, StoreError> {
        guarded(path, || {
            Store::open_unguarded(path, settings, Access::Write)
        })
    }

    /// [`Store::open`], for looking up new documents: with a read cache of 64 MiB, not redb's
    /// default gigabyte, and from a file this process may not write (on a read-only mount,
    /// say), which is then never written.
    pub fn open_for_lookups(path: &Path, settings: &IndexSettings) -> Result<Store, StoreError> {
        guarded(path, || {
            Store::open_unguarded(path, settings, Access::Lookups)
        })
    }

    /// The number of documents in the index.
    pub fn len(&self) -> Result<u32, StoreError> {
        guarded(&self.path, || self.len_unguarded())
    }

    /// Whether a document with this id is already in the index.
    pub fn contains_id(&self, id: &str) -> Result<bool, StoreError> {
        guarded(&self.path, || self.contains_id_unguarded(id))
    }

    /// Adds documents in one transaction: all of them, or none if anything fails.
    ///
    /// An index grown by adds far past the size it was built at has as many buckets as it
    /// was built with, each ever larger, and every lookup and add reads and writes whole
    /// buckets: once its buckets hold four times the postings a build of its size would put
    /// in each, they are regrouped into as many as a build would make, and the add says so.
    pub fn add(&mut self, entries: &[Entry]) -> Result<Option<Regrouped>, StoreError> {
        let path = self.path.clone();
        let postings = guarded(&path, || self.add_unguarded(entries))?;
        let added = self.added.map_or(0, |a| a.postings);
        let Some(bits) = regroup_due(postings - added, self.bucket_bits) else {
            return Ok(None);
        };
        let from = 1 << self.bucket_bits;
        guarded(&path, || self.regroup(bits.max(bucket_bits(postings))))?;
        Ok(Some(Regrouped {
            from,
            to: 1 << bits,
            postings,
        }))
    }

    /// The indexed documents that share shingles with a signature, or the whole text, counted
    /// as `report` counts them ([`crate::index`]): a shingle in more than `common_documents`
    /// documents (the new one among them) takes part for a share of such shingles chosen by
    /// the same hash, and two short signatures keep all theirs between themselves.
    pub fn hits(
        &self,
        signature: &[u64],
        fingerprint: Option<u64>,
        options: &IndexOptions,
    ) -> Result<Hits, StoreError> {
        guarded(&self.path, || {
            let mut hits =
                self.hits_in_blocks(&[signature.to_vec()], &[fingerprint], options, 1)?;
            Ok(hits.pop().expect("one signature, one answer"))
        })
    }

    /// Reads one indexed document back, with its chrome verdicts.
    pub fn document(&self, number: u32) -> Result<(Document, Chrome), StoreError> {
        let mut one = self.documents(&[number])?;
        Ok(one.pop().expect("one number, one document"))
    }

    /// Reads indexed documents back, with their chrome verdicts, in the order of `numbers`,
    /// several at a time on the lookup threads.
    pub fn documents(&self, numbers: &[u32]) -> Result<Vec<(Document, Chrome)>, StoreError> {
        guarded(&self.path, || {
            let path = &self.path;
            let txn = self.db.begin_read().map_err(|e| damaged(path, e))?;
            self.lookups(|| {
                numbers
                    .par_iter()
                    .map_init(
                        || txn.open_table(DOCUMENTS).map_err(|e| damaged(path, e)),
                        |table, &number| {
                            self.stored_document(table.as_ref().map_err(Clone::clone)?, number)
                        },
                    )
                    .collect()
            })
        })
    }

    /// Document frequencies of some tokens in the index, and the number of documents.
    pub fn frequencies(
        &self,
        tokens: impl IntoIterator<Item = Token>,
    ) -> Result<(FxHashMap<Token, u32>, u32), StoreError> {
        guarded(&self.path, || self.frequencies_unguarded(tokens))
    }

    /// Creates a new, empty index file (replacing any file there).
    pub fn create(path: &Path, settings: &IndexSettings) -> Result<Store, StoreError> {
        if path.exists() {
            std::fs::remove_file(path).map_err(|e| StoreError::Io {
                path: path.to_path_buf(),
                detail: e.to_string(),
            })?;
        }
        let db = Database::create(path).map_err(|e| StoreError::Io {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
        let store = Store {
            path: path.to_path_buf(),
            db: std::sync::Arc::new(db),
            bucket_bits: MIN_BUCKET_BITS,
            added: None,
            lookup_threads: std::sync::OnceLock::new(),
        };
        let txn = store.db.begin_write().map_err(|e| damaged(path, e))?;
        {
            let mut meta = txn.open_table(META).map_err(|e| damaged(path, e))?;
            let settings = serde_json::to_string(settings).expect("settings serialize");
            let version = INDEX_VERSION.to_string();
            let bits = store.bucket_bits.to_string();
            for (key, value) in [
                ("format", "crosscheck-index"),
                ("version", version.as_str()),
                ("settings", settings.as_str()),
                ("documents", "0"),
                ("postings", "0"),
                ("bucket_bits", bits.as_str()),
            ] {
                meta.insert(key, value).map_err(|e| damaged(path, e))?;
            }
            // Create every table, so a reader never meets a missing one.
            txn.open_table(DOCUMENTS).map_err(|e| damaged(path, e))?;
            txn.open_table(IDS).map_err(|e| damaged(path, e))?;
            txn.open_table(SIGNATURE_SIZES)
                .map_err(|e| damaged(path, e))?;
            txn.open_table(POSTINGS).map_err(|e| damaged(path, e))?;
            txn.open_table(IDENTICAL).map_err(|e| damaged(path, e))?;
            txn.open_table(FREQUENCIES).map_err(|e| damaged(path, e))?;
        }
        txn.commit().map_err(|e| damaged(path, e))?;
        Ok(store)
    }

    /// Opens an index file, checking its format, version and settings.
    fn open_unguarded(
        path: &Path,
        settings: &IndexSettings,
        access: Access,
    ) -> Result<Store, StoreError> {
        if !path.is_file() {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                detail: "no such index file".into(),
            });
        }
        let db = open_database(path, access)?;
        let mut store = Store {
            path: path.to_path_buf(),
            db: std::sync::Arc::new(db),
            bucket_bits: MIN_BUCKET_BITS,
            added: None,
            lookup_threads: std::sync::OnceLock::new(),
        };
        let meta = |key: &str| -> Result<Option<String>, StoreError> {
            let txn = store.db.begin_read().map_err(|e| damaged(path, e))?;
            let table = match txn.open_table(META) {
                Ok(table) => table,
                Err(redb::TableError::TableDoesNotExist(_)) => return Ok(None),
                Err(e) => return Err(damaged(path, e)),
            };
            Ok(table
                .get(key)
                .map_err(|e| damaged(path, e))?
                .map(|v| v.value().to_string()))
        };
        if meta("format")?.as_deref() != Some("crosscheck-index") {
            return Err(StoreError::NotAnIndex {
                path: path.to_path_buf(),
            });
        }
        let version = meta("version")?.unwrap_or_default();
        if !version
            .parse()
            .is_ok_and(|v| (OLDEST_INDEX_VERSION..=INDEX_VERSION).contains(&v))
        {
            return Err(StoreError::Version {
                path: path.to_path_buf(),
                found: version,
            });
        }
        let bits = meta("bucket_bits")?.and_then(|b| b.parse::<u32>().ok());
        let found: Option<IndexSettings> =
            meta("settings")?.and_then(|s| serde_json::from_str(&s).ok());
        let Some(bits) = bits.filter(|b| (1..u64::BITS).contains(b)) else {
            return Err(damaged(path, "no valid bucket_bits in its metadata"));
        };
        store.bucket_bits = bits;
        let number = |key: &str| -> Result<Option<u64>, StoreError> {
            meta(key)?
                .map(|value| value.parse::<u64>())
                .transpose()
                .map_err(|_| damaged(path, format!("{key} in its metadata is not a number")))
        };
        store.added = match (number("added_bits")?, number("added_postings")?) {
            (None, None) => None,
            (Some(bits), Some(postings)) if (8..u64::from(u64::BITS)).contains(&bits) => {
                Some(Added {
                    postings,
                    bits: bits as u32,
                })
            }
            _ => return Err(damaged(path, "no valid added_bits in its metadata")),
        };
        match found {
            Some(found) if &found == settings => Ok(store),
            Some(found) => Err(StoreError::Settings {
                path: path.to_path_buf(),
                found: found.describe(),
                expected: settings.describe(),
            }),
            None => Err(StoreError::NotAnIndex {
                path: path.to_path_buf(),
            }),
        }
    }

    /// The number of documents in the index.
    fn len_unguarded(&self) -> Result<u32, StoreError> {
        let txn = self.db.begin_read().map_err(|e| damaged(&self.path, e))?;
        let table = txn
            .open_table(DOCUMENTS)
            .map_err(|e| damaged(&self.path, e))?;
        Ok(table.len().map_err(|e| damaged(&self.path, e))? as u32)
    }

    /// Whether the index holds no documents.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }

    /// Whether a document with this id is already in the index.
    fn contains_id_unguarded(&self, id: &str) -> Result<bool, StoreError> {
        contains_id(&self.db, &self.path, id)
    }

    /// Adds `entries` in one transaction; the index's postings after it.
    fn add_unguarded(&self, entries: &[Entry]) -> Result<u64, StoreError> {
        let path = &self.path;
        let err = |e: &dyn std::fmt::Display| damaged(path, e);
        let first = self.len_unguarded()?;
        let before = self.postings()?;
        // Postings grouped in memory first, sorted by key, then document: one
        // read-modify-write a bucket, each list in document order.
        let Staged {
            postings,
            mut identical,
            frequencies,
            documents,
            ..
        } = Builder::stage(entries, first);
        let txn = self.db.begin_write().map_err(|e| err(&e))?;
        store_documents(&txn, &documents, first, path)?;
        {
            identical.par_sort_unstable();
            let mut table = txn.open_table(POSTINGS).map_err(|e| err(&e))?;
            merge_into(&mut table, &postings, self.bucket_bits, path)?;
            let mut table = txn.open_table(IDENTICAL).map_err(|e| err(&e))?;
            let groups: Vec<&[(u64, u32)]> = identical.chunk_by(|x, y| x.0 == y.0).collect();
            add_identical(&mut table, &groups, true, path)?;
            let mut table = txn.open_table(FREQUENCIES).map_err(|e| err(&e))?;
            let counts: Vec<(u64, u32)> = frequencies.into_iter().collect();
            add_frequencies(&mut table, &counts, true, path)?;
            let mut meta = txn.open_table(META).map_err(|e| err(&e))?;
            let total = (first + entries.len() as u32).to_string();
            meta.insert("documents", total.as_str())
                .map_err(|e| err(&e))?;
            let total = (before + postings.len() as u64).to_string();
            meta.insert("postings", total.as_str())
                .map_err(|e| err(&e))?;
        }
        txn.commit().map_err(|e| err(&e))?;
        Ok(before + postings.len() as u64)
    }

    /// The postings the index holds: as its metadata says, or, in an index built before they
    /// were counted there, as the sum of its signature sizes.
    fn postings(&self) -> Result<u64, StoreError> {
        let err = |e: &dyn std::fmt::Display| damaged(&self.path, e);
        let txn = self.db.begin_read().map_err(|e| err(&e))?;
        let meta = txn.open_table(META).map_err(|e| err(&e))?;
        if let Some(count) = meta.get("postings").map_err(|e| err(&e))? {
            return count
                .value()
                .parse()
                .map_err(|_| err(&"postings in its metadata is not a number"));
        }
        let sizes = txn.open_table(SIGNATURE_SIZES).map_err(|e| err(&e))?;
        let mut total = 0;
        for entry in sizes.iter().map_err(|e| err(&e))? {
            total += u64::from(entry.map_err(|e| err(&e))?.1.value());
        }
        Ok(total)
    }

    /// [`POSTINGS`] and the bits naming its buckets.
    fn buckets(&self) -> Bucketed {
        Bucketed {
            table: POSTINGS,
            bits: self.bucket_bits,
        }
    }

    /// [`ADDED`] and the bits naming its buckets, if the index has added postings.
    fn added_table(&self) -> Option<Bucketed> {
        self.added.map(|added| Bucketed {
            table: ADDED,
            bits: added.bits,
        })
    }

    /// Every table of postings the index has: [`POSTINGS`], and [`ADDED`] if it holds any.
    fn tables(&self) -> Vec<Bucketed> {
        std::iter::once(self.buckets())
            .chain(self.added_table())
            .collect()
    }

    /// Regroups the postings, the added ones with the others, into buckets named by `bits`
    /// top bits, more than they are now: the stored buckets rewritten as an add's are
    /// ([`write_buckets`]), into a table of their own that one last commit puts in the old
    /// one's place. Until that commit the index is as it was: a regrouping stopped midway
    /// leaves a table of its own, which the next one clears.
    fn regroup(&mut self, bits: u32) -> Result<(), StoreError> {
        let path = self.path.clone();
        let err = |e: &dyn std::fmt::Display| damaged(&path, e);
        debug_assert!(bits > self.bucket_bits, "buckets are only ever split");
        clear_regrouped(&self.db, &path)?;
        write_buckets(&self.db, &path, &self.tables(), None, bits, REGROUPED)?;
        // The one commit that waits for the disk: the new buckets and their number together.
        let txn = self.db.begin_write().map_err(|e| err(&e))?;
        put_regrouped_in_place(&txn, POSTINGS, &path)?;
        {
            let mut meta = txn.open_table(META).map_err(|e| err(&e))?;
            let value = bits.to_string();
            meta.insert("bucket_bits", value.as_str())
                .map_err(|e| err(&e))?;
            put_added(&mut meta, None, &path)?;
        }
        txn.commit().map_err(|e| err(&e))?;
        self.bucket_bits = bits;
        self.added = None;
        Ok(())
    }

    /// Turns a store just made by [`Store::create`] into a [`Builder`], which fills it a batch
    /// at a time without holding the whole index in one transaction.
    ///
    /// Each batch's postings are sorted and set aside in an unlinked temporary file in
    /// `scratch` (the system's temporary directory if `None`), and merged at the end.
    pub fn builder(self, scratch: Option<&Path>) -> Builder {
        Builder {
            store: self,
            scratch: scratch.map_or_else(std::env::temp_dir, Path::to_path_buf),
            runs: None,
            identical: Vec::new(),
            frequencies: FxHashMap::default(),
            documents: 0,
            postings: 0,
            appending: None,
            replaces: None,
            in_place: true,
            fold_share: FOLD_SHARE,
            rollback: None,
        }
    }

    /// A [`Builder`] that adds to this index a batch of documents at a time, for adds too
    /// large to hold at once ([`Store::add`] writes its documents in one transaction).
    pub fn appender(self, scratch: Option<&Path>) -> Result<Builder, StoreError> {
        let documents = self.len()?;
        let postings = guarded(&self.path, || self.postings())?;
        let appending = (documents > 0).then_some(self.bucket_bits);
        let err = |e: &dyn std::fmt::Display| damaged(&self.path, e);
        let txn = self.db.begin_write().map_err(|e| err(&e))?;
        let savepoint = txn.ephemeral_savepoint().map_err(|e| err(&e))?;
        txn.commit().map_err(|e| err(&e))?;
        let rollback = Rollback {
            db: self.db.clone(),
            savepoint: Some(savepoint),
        };
        Ok(Builder {
            documents,
            postings,
            appending,
            rollback: Some(rollback),
            ..self.builder(scratch)
        })
    }

    /// Every bucket of [`ADDED`], by key.
    fn read_added(
        &self,
        txn: &redb::ReadTransaction,
    ) -> Result<FxHashMap<u64, Vec<u8>>, StoreError> {
        let err = |e: &dyn std::fmt::Display| damaged(&self.path, e);
        let table = txn.open_table(ADDED).map_err(|e| err(&e))?;
        let mut buckets = FxHashMap::default();
        for entry in table.iter().map_err(|e| err(&e))? {
            let (key, bucket) = entry.map_err(|e| err(&e))?;
            buckets.insert(key.value(), bucket.value().to_vec());
        }
        Ok(buckets)
    }

    /// Every indexed document's signature size, by number.
    fn read_sizes(&self, txn: &redb::ReadTransaction) -> Result<Vec<u32>, StoreError> {
        let err = |e: &dyn std::fmt::Display| damaged(&self.path, e);
        let table = txn.open_table(SIGNATURE_SIZES).map_err(|e| err(&e))?;
        let mut sizes = Vec::with_capacity(table.len().map_err(|e| err(&e))? as usize);
        for entry in table.iter().map_err(|e| err(&e))? {
            let (document, size) = entry.map_err(|e| err(&e))?;
            let document = document.value() as usize;
            if document >= sizes.len() {
                sizes.resize(document + 1, 0);
            }
            sizes[document] = size.value();
        }
        Ok(sizes)
    }

    /// [`Store::hits`] of many new documents, in their order.
    ///
    /// The shingles of a block of new documents are looked up together, each once, in order
    /// and on the lookup threads; then each document is counted from what was found. New documents
    /// share shingles, and neighbours in order share a bucket, so each bucket is read once:
    /// 3,000 documents checked against the synthetic million's index look up 1,103,054
    /// shingles, 699,090 of them distinct, in 594,188 buckets (BENCHMARKS.md).
    pub fn hits_all(
        &self,
        signatures: &[Vec<u64>],
        fingerprints: &[Option<u64>],
        options: &IndexOptions,
    ) -> Result<Vec<Hits>, StoreError> {
        guarded(&self.path, || {
            self.hits_in_blocks(signatures, fingerprints, options, LOOKUP_BLOCK)
        })
    }

    /// [`Store::hits_all`], with blocks of at most `block` lookups (or one document).
    fn hits_in_blocks(
        &self,
        signatures: &[Vec<u64>],
        fingerprints: &[Option<u64>],
        options: &IndexOptions,
        block: usize,
    ) -> Result<Vec<Hits>, StoreError> {
        let path = &self.path;
        let txn = self.db.begin_read().map_err(|e| damaged(path, e))?;
        // Each new document hits some hundreds of indexed ones, each looked up for its
        // signature's size: past a few new documents, reading the sizes whole is quicker.
        let sizes = if signatures.len() >= READ_SIZES_WHOLE {
            Some(self.read_sizes(&txn)?)
        } else {
            None
        };
        let lookups: u64 = signatures.iter().map(|s| s.len() as u64).sum();
        let added = match self.added {
            Some(added) if added.postings <= lookups.saturating_mul(READ_ADDED_WHOLE) => {
                Some(self.read_added(&txn)?)
            }
            _ => None,
        };
        let mut all = Vec::with_capacity(signatures.len());
        let mut first = 0;
        while first < signatures.len() {
            // A block of documents whose lookups, and so what is found of them, stay bounded.
            let mut end = first;
            let mut block_lookups = 0;
            while end < signatures.len() && (end == first || block_lookups < block) {
                block_lookups += signatures[end].len();
                end += 1;
            }
            let mut shingles: Vec<u64> = signatures[first..end].concat();
            shingles.par_sort_unstable();
            shingles.dedup();
            let found = self.find(&txn, &shingles, added.as_ref(), options)?;
            drop(shingles);
            let counted: Vec<Hits> = signatures[first..end]
                .par_iter()
                .zip(&fingerprints[first..end])
                .map_init(
                    || self.counting(&txn, sizes.as_deref()),
                    |counting, (signature, &fingerprint)| {
                        let counting = counting.as_ref().map_err(Clone::clone)?;
                        self.count(&found, counting, signature, fingerprint, options)
                    },
                )
                .collect::<Result<_, _>>()?;
            all.extend(counted);
            first = end;
        }
        Ok(all)
    }

    /// Runs `lookups` on [`LOOKUP_THREADS_PER_WORKER`] threads for each worker thread (at most
    /// [`LOOKUP_THREADS`]), or on the worker threads if those cannot be started.
    fn lookups<T: Send>(&self, lookups: impl FnOnce() -> T + Send) -> T {
        let pool = self.lookup_threads.get_or_init(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(
                    (rayon::current_num_threads() * LOOKUP_THREADS_PER_WORKER).min(LOOKUP_THREADS),
                )
                .thread_name(|i| format!("crosscheck-lookup-{i}"))
                .build()
                .ok()
        });
        match pool {
            Some(pool) => pool.install(lookups),
            None => lookups(),
        }
    }

    /// What the index holds of `shingles` (distinct, in order), from both tables of postings,
    /// looked up in runs on the lookup threads.
    fn find(
        &self,
        txn: &redb::ReadTransaction,
        shingles: &[u64],
        read_added: Option<&FxHashMap<u64, Vec<u8>>>,
        options: &IndexOptions,
    ) -> Result<Found, StoreError> {
        let path = &self.path;
        let open = || -> Result<_, StoreError> {
            let postings = txn.open_table(POSTINGS).map_err(|e| damaged(path, e))?;
            let added = match (self.added, read_added) {
                (None, _) => None,
                (Some(added), Some(read)) => Some((AddedBuckets::Read(read), added.bits)),
                (Some(added), None) => Some((
                    AddedBuckets::Table(txn.open_table(ADDED).map_err(|e| damaged(path, e))?),
                    added.bits,
                )),
            };
            Ok((postings, added))
        };
        let parts: Vec<Found> = self.lookups(|| {
            shingles
                .par_chunks(lookup_run(shingles.len()))
                .map_init(open, |tables, run| {
                    let (postings, added) = tables.as_ref().map_err(Clone::clone)?;
                    let mut found = Found::default();
                    // The bucket read last, of each table: the next shingle is often in it too.
                    let mut bucket = LastBucket::default();
                    let mut bucket_added = LastBucket::default();
                    for &shingle in run {
                        let bytes = bucket
                            .list(postings, self.bucket_bits, shingle)
                            .map_err(|e| damaged(path, e))?;
                        let bytes_added = match added {
                            None => &[][..],
                            Some((AddedBuckets::Table(table), bits)) => bucket_added
                                .list(table, *bits, shingle)
                                .map_err(|e| damaged(path, e))?,
                            Some((AddedBuckets::Read(buckets), bits)) => buckets
                                .get(&bucket_of(shingle, *bits))
                                .and_then(|bucket| find_list(bucket, shingle))
                                .unwrap_or_default(),
                        };
                        let df = (bytes.len() + bytes_added.len()) / 4;
                        // Counting follows a shingle's documents only if it is kept, or found in
                        // few enough documents to pair short ones.
                        if df > 0
                            && (df <= options.bucket_cap || index::keeps(shingle, df + 1, options))
                        {
                            found
                                .documents
                                .extend(unpack(bytes).chain(unpack(bytes_added)));
                        }
                        found.df.push(df as u32);
                        found.ends.push(found.documents.len());
                    }
                    Ok(found)
                })
                .collect::<Result<_, StoreError>>()
        })?;
        let mut found = Found::default();
        for part in parts {
            found.append(part);
        }
        found.places = shingles
            .iter()
            .enumerate()
            .map(|(i, &shingle)| (shingle, i as u32))
            .collect();
        Ok(found)
    }

    /// The tables counting reads, opened in `txn`, with the signature sizes if they were
    /// `read` beforehand.
    fn counting<'a>(
        &self,
        txn: &redb::ReadTransaction,
        read: Option<&'a [u32]>,
    ) -> Result<Counting<'a>, StoreError> {
        let path = &self.path;
        let sizes = match read {
            Some(sizes) => Sizes::Read(sizes),
            None => Sizes::Table(
                txn.open_table(SIGNATURE_SIZES)
                    .map_err(|e| damaged(path, e))?,
            ),
        };
        Ok(Counting {
            identical: txn.open_table(IDENTICAL).map_err(|e| damaged(path, e))?,
            sizes,
        })
    }

    /// The hits of one new document, counted from what was `found` of its shingles.
    fn count(
        &self,
        found: &Found,
        counting: &Counting,
        signature: &[u64],
        fingerprint: Option<u64>,
        options: &IndexOptions,
    ) -> Result<Hits, StoreError> {
        let path = &self.path;
        let Counting { identical, sizes } = counting;
        let short = |size: usize| size <= options.short_signature;
        let new_is_short = short(signature.len());
        // Per indexed document: (kept shingles shared, other shingles shared).
        let mut shared: FxHashMap<u32, (u32, u32)> = FxHashMap::default();
        let mut kept = 0;
        let mut oversized = 0;
        for &shingle in signature {
            let (df, documents) = found.get(shingle);
            if df == 0 {
                kept += 1; // in the new document alone: df 1, always kept
                continue;
            }
            if index::keeps(shingle, df + 1, options) {
                kept += 1;
                oversized += u64::from(df > options.bucket_cap);
                for &document in documents {
                    shared.entry(document).or_default().0 += 1;
                }
            } else if new_is_short && df <= options.bucket_cap {
                // Counts only if the indexed document is short too; `report` pairs the short
                // members of a bucket it does not keep, star edges past the cap.
                for &document in documents {
                    shared.entry(document).or_default().1 += 1;
                }
            }
        }
        let mut same_text = Vec::new();
        if let Some(f) = fingerprint
            && let Some(list) = identical.get(f).map_err(|e| damaged(path, e))?
        {
            same_text.extend(unpack(list.value()));
        }
        for &document in &same_text {
            shared.entry(document).or_default();
        }
        let mut hits = Vec::with_capacity(shared.len());
        for (document, (kept_shared, other_shared)) in shared {
            let size = sizes.get(document).map_err(|e| damaged(path, e))?;
            let both_short = new_is_short && short(size as usize);
            let count = if same_text.contains(&document) {
                u32::MAX
            } else {
                kept_shared + if both_short { other_shared } else { 0 }
            };
            if count > 0 {
                hits.push(Hit {
                    document,
                    shared: count,
                    signature: size,
                });
            }
        }
        hits.sort_by_key(|h| h.document);
        Ok(Hits {
            hits,
            kept: if new_is_short {
                signature.len() as u32
            } else {
                kept
            },
            oversized,
        })
    }

    /// Document `number` of the documents' table.
    fn stored_document(
        &self,
        table: &redb::ReadOnlyTable<u32, &'static [u8]>,
        number: u32,
    ) -> Result<(Document, Chrome), StoreError> {
        let path = &self.path;
        let bytes = table
            .get(number)
            .map_err(|e| damaged(path, e))?
            .ok_or_else(|| damaged(path, format!("document {number} is missing")))?;
        let stored: Stored = serde_json::from_slice(bytes.value()).map_err(|e| damaged(path, e))?;
        Ok(stored.into_parts())
    }

    /// Document frequencies of some tokens in the index, and the number of documents.
    /// Tokens in order are looked up in runs, on the lookup threads.
    fn frequencies_unguarded(
        &self,
        tokens: impl IntoIterator<Item = Token>,
    ) -> Result<(FxHashMap<Token, u32>, u32), StoreError> {
        let path = &self.path;
        let txn = self.db.begin_read().map_err(|e| damaged(path, e))?;
        let tokens: Vec<Token> = tokens.into_iter().collect();
        let parts: Vec<Vec<(Token, u32)>> = self.lookups(|| {
            tokens
                .par_chunks(lookup_run(tokens.len()))
                .map_init(
                    || txn.open_table(FREQUENCIES).map_err(|e| damaged(path, e)),
                    |table, run| {
                        let table = table.as_ref().map_err(Clone::clone)?;
                        let mut found = Vec::new();
                        for &token in run {
                            if let Some(count) = table.get(token).map_err(|e| damaged(path, e))? {
                                found.push((token, count.value()));
                            }
                        }
                        Ok(found)
                    },
                )
                .collect::<Result<_, StoreError>>()
        })?;
        Ok((parts.into_iter().flatten().collect(), self.len_unguarded()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The seed articles, one of them twice under another name, as `index build` prepares them:
    /// documents, their chrome and tokens, signatures and fingerprints.
    struct Seeds {
        documents: Vec<Document>,
        prepared: Vec<crate::Prepared>,
        signatures: Vec<Vec<u64>>,
        fingerprints: Vec<Option<u64>>,
    }

    fn seeds() -> Seeds {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds");
        let mut documents: Vec<Document> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|entry| {
                let path = entry.unwrap().path();
                let text = std::fs::read_to_string(&path).unwrap();
                let id = path.file_name().unwrap().to_string_lossy().into_owned();
                Document::from_text(id, &path, &text)
            })
            .collect();
        documents.sort_by(|a, b| a.id.cmp(&b.id));
        let again = Document::from_text("again.txt", "again.txt", &documents[0].text);
        documents.push(again);
        let chromes = crate::chrome::detect(&documents, &Default::default());
        let prepared = crate::prepare(&documents, chromes, &crate::Quiet);
        let shingle_words = IndexOptions::default().shingle_words;
        let signatures = prepared
            .iter()
            .map(|p| index::sign(&p.analysis.tokens, shingle_words))
            .collect();
        let fingerprints = prepared
            .iter()
            .map(|p| index::fingerprint(&p.analysis.tokens))
            .collect();
        Seeds {
            documents,
            prepared,
            signatures,
            fingerprints,
        }
    }

    fn entries(seeds: &Seeds) -> Vec<Entry<'_>> {
        (0..seeds.documents.len())
            .map(|i| Entry {
                document: &seeds.documents[i],
                chrome: &seeds.prepared[i].chrome,
                tokens: &seeds.prepared[i].analysis.tokens,
                signature: &seeds.signatures[i],
                fingerprint: seeds.fingerprints[i],
            })
            .collect()
    }

    /// The seeds, a folder, the default settings, and an index in the folder of all the seeds
    /// added at once in one write.
    fn added_at_once() -> (Seeds, tempfile::TempDir, IndexSettings, Store) {
        let seeds = seeds();
        let dir = tempfile::tempdir().unwrap();
        let settings = IndexSettings::of(&crate::Options::default());
        let mut whole = Store::create(&dir.path().join("whole"), &settings).unwrap();
        whole.add(&entries(&seeds)).unwrap();
        (seeds, dir, settings, whole)
    }

    #[test]
    fn lookups_share_the_index_leave_it_as_it_was_and_keep_an_add_out() {
        let (seeds, dir, settings, whole) = added_at_once();
        let path = dir.path().join("whole");
        let expected = answers(&whole, &seeds);
        drop(whole);
        let bytes = std::fs::read(&path).unwrap();
        // Two checks at once, as parallel CI jobs on one runner might.
        let one = Store::open_for_lookups(&path, &settings).unwrap();
        let two = Store::open_for_lookups(&path, &settings).unwrap();
        assert_eq!(answers(&one, &seeds), expected);
        assert_eq!(answers(&two, &seeds), expected);
        match Store::open(&path, &settings) {
            Err(StoreError::Io { detail, .. }) => assert!(detail.contains("in use"), "{detail}"),
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("an add opened an index two checks were reading"),
        }
        drop((one, two));
        // Not a byte written, not even redb's header.
        assert!(std::fs::read(&path).unwrap() == bytes);
        let add = Store::open(&path, &settings).unwrap();
        match Store::open_for_lookups(&path, &settings) {
            Err(StoreError::Io { detail, .. }) => assert!(detail.contains("in use"), "{detail}"),
            Err(other) => panic!("{other}"),
            Ok(_) => panic!("a check opened an index an add was writing"),
        }
        drop(add);
    }

    #[test]
    fn frequencies_count_the_indexed_documents_holding_each_token() {
        let (seeds, _dir, _settings, whole) = added_at_once();
        let mut expected: FxHashMap<Token, u32> = FxHashMap::default();
        for prepared in &seeds.prepared {
            let mut tokens = prepared.analysis.tokens.clone();
            tokens.sort_unstable();
            tokens.dedup();
            for token in tokens {
                *expected.entry(token).or_default() += 1;
            }
        }
        // Enough tokens for several runs on the lookup threads, and one never indexed.
        let mut asked: Vec<Token> = expected.keys().copied().collect();
        asked.sort_unstable();
        assert!(asked.len() > 512, "{} tokens", asked.len());
        let unknown = (0..).find(|t| !expected.contains_key(t)).unwrap();
        asked.push(unknown);
        let (found, documents) = whole.frequencies(asked).unwrap();
        assert_eq!(documents as usize, seeds.documents.len());
        assert_eq!(found, expected);
    }

    /// A builder of a new index `name` in `dir`, its runs in `dir`.
    fn builder_in(dir: &Path, name: &str, settings: &IndexSettings) -> Builder {
        Store::create(&dir.join(name), settings)
            .unwrap()
            .builder(Some(dir))
    }

    /// A lookup's hits as (document, shared, signature size).
    fn triples(found: &Hits) -> Vec<(u32, u32, u32)> {
        found
            .hits
            .iter()
            .map(|h| (h.document, h.shared, h.signature))
            .collect()
    }

    /// Seed `i`'s hits in `store`, its kept signature and its oversized buckets.
    fn hits_of(store: &Store, seeds: &Seeds, i: usize) -> (Vec<(u32, u32, u32)>, u32, u64) {
        let options = IndexOptions::default();
        let found = store
            .hits(&seeds.signatures[i], seeds.fingerprints[i], &options)
            .unwrap();
        (triples(&found), found.kept, found.oversized)
    }

    /// What `store` answers about the seeds: every one's hits, the document frequencies of
    /// all their tokens with the number of documents, which ids it holds, and its postings.
    #[allow(clippy::type_complexity)]
    fn answers(
        store: &Store,
        seeds: &Seeds,
    ) -> (
        Vec<(Vec<(u32, u32, u32)>, u32, u64)>,
        Vec<(Token, u32)>,
        u32,
        Vec<bool>,
        u64,
    ) {
        let hits = (0..seeds.documents.len())
            .map(|i| hits_of(store, seeds, i))
            .collect();
        let tokens = seeds
            .prepared
            .iter()
            .flat_map(|p| p.analysis.tokens.iter().copied());
        let (frequencies, documents) = store.frequencies(tokens).unwrap();
        let mut frequencies: Vec<(Token, u32)> = frequencies.into_iter().collect();
        frequencies.sort_unstable();
        let ids = seeds
            .documents
            .iter()
            .map(|d| store.contains_id(&d.id).unwrap())
            .collect();
        (hits, frequencies, documents, ids, store.postings().unwrap())
    }

    #[test]
    fn an_index_built_in_batches_answers_as_one_added_at_once() {
        let (seeds, dir, settings, whole) = added_at_once();
        let entries = entries(&seeds);
        let mut builder = builder_in(dir.path(), "built", &settings);
        for batch in entries.chunks(2) {
            builder.add(batch).unwrap();
        }
        let built = builder.finish().unwrap();
        // Reopened, as `check` opens it: the document count and the settings are in place.
        drop(built);
        let built = Store::open(&dir.path().join("built"), &settings).unwrap();
        assert_eq!(whole.len().unwrap(), built.len().unwrap());
        // The runs merged: the same buckets, byte for byte, as documents added in one write.
        let buckets = postings_table(&built);
        assert!(buckets.len() > 100, "{} buckets", buckets.len());
        assert_eq!(postings_table(&whole), buckets);
        assert_eq!(answers(&built, &seeds), answers(&whole, &seeds));

        let options = IndexOptions::default();
        let hits = |store: &Store, i: usize| hits_of(store, &seeds, i);
        // Many new documents at once, their sizes read whole, and a few, looked up one by one:
        // each one's hits as if looked up alone.
        for many in [READ_SIZES_WHOLE + 3, 3] {
            let pick = |k: usize| k % entries.len();
            let signatures: Vec<Vec<u64>> = (0..many)
                .map(|k| seeds.signatures[pick(k)].clone())
                .collect();
            let fingerprints: Vec<Option<u64>> =
                (0..many).map(|k| seeds.fingerprints[pick(k)]).collect();
            let all = built
                .hits_all(&signatures, &fingerprints, &options)
                .unwrap();
            assert_eq!(all.len(), many);
            for (k, found) in all.iter().enumerate() {
                assert_eq!(
                    triples(found),
                    hits(&built, pick(k)).0,
                    "document {k} of {many}"
                );
            }
            // Looked up in blocks of a document or two, or of a few hundred shingles: the
            // same answers as in one block.
            for block in [1, 400, 5_000] {
                let blocked = built
                    .hits_in_blocks(&signatures, &fingerprints, &options, block)
                    .unwrap();
                assert_eq!(blocked, all, "blocks of {block} for {many}");
            }
        }
        let twin = hits(&built, entries.len() - 1).0;
        assert!(
            twin.iter()
                .any(|&(document, shared, _)| document == 0 && shared == u32::MAX)
        );
        assert!(!answers(&built, &seeds).1.is_empty());
        let (document, _) = built.document(3).unwrap();
        assert_eq!(document.id, seeds.documents[3].id);
        // Read back several at a time, on the lookup threads: in the order asked.
        let numbers = [3, 0, 5, 3, 1];
        let several = built.documents(&numbers).unwrap();
        assert_eq!(several.len(), numbers.len());
        for (&number, (document, chrome)) in numbers.iter().zip(&several) {
            let (one, one_chrome) = built.document(number).unwrap();
            assert_eq!(document.id, one.id);
            assert_eq!(document.text, one.text);
            assert_eq!(chrome.reasons, one_chrome.reasons);
        }
        assert!(built.documents(&[0, 9_999]).is_err());
        assert!(built.contains_id(&seeds.documents[5].id).unwrap());
        // Opened again with a small read cache, as `check` opens it for a few documents.
        drop(built);
        let small = Store::open_for_lookups(&dir.path().join("built"), &settings).unwrap();
        assert_eq!(answers(&small, &seeds), answers(&whole, &seeds));
    }

    /// The postings table of `store`, key by key.
    fn postings_table(store: &Store) -> Vec<(u64, Vec<u8>)> {
        let txn = store.db.begin_read().unwrap();
        let table = txn.open_table(POSTINGS).unwrap();
        table
            .iter()
            .unwrap()
            .map(|entry| {
                let (key, value) = entry.unwrap();
                (key.value(), value.value().to_vec())
            })
            .collect()
    }

    #[test]
    fn an_index_added_to_in_batches_holds_what_one_added_at_once_does() {
        let (seeds, dir, settings, whole) = added_at_once();
        let entries = entries(&seeds);
        // Built from two documents, then the rest added two at a time: merged into the
        // buckets in place (few postings), and rewritten whole into a table of their own.
        for in_place in [true, false] {
            let name = format!("added-{in_place}");
            let path = dir.path().join(&name);
            let mut builder = builder_in(dir.path(), &name, &settings);
            builder.add(&entries[..2]).unwrap();
            let (store, regrouped) = builder.finish().unwrap();
            assert_eq!(regrouped, None);
            let mut appender = store.appender(Some(dir.path())).unwrap();
            if !in_place {
                appender.in_place = false;
            }
            for batch in entries[2..].chunks(2) {
                appender.add(batch).unwrap();
            }
            let (store, regrouped) = appender.finish().unwrap();
            assert_eq!(regrouped, None);
            drop(store);
            let store = Store::open(&path, &settings).unwrap();
            assert_eq!(store.len().unwrap(), whole.len().unwrap());
            assert_eq!(
                postings_table(&store),
                postings_table(&whole),
                "in place: {in_place}"
            );
            assert_eq!(
                answers(&store, &seeds),
                answers(&whole, &seeds),
                "in place: {in_place}"
            );
        }
        // An add given up before it finishes leaves the index as it was: its batches were
        // committed without waiting for the disk, and only the last commit makes them last.
        let path = dir.path().join("given-up");
        let mut store = Store::create(&path, &settings).unwrap();
        store.add(&entries[..2]).unwrap();
        let before = postings_table(&store);
        let mut appender = store.appender(Some(dir.path())).unwrap();
        appender.in_place = false;
        appender.add(&entries[2..]).unwrap();
        drop(appender);
        let store = Store::open(&path, &settings).unwrap();
        assert_eq!(store.len().unwrap(), 2);
        assert_eq!(postings_table(&store), before);
        assert!(!store.contains_id(&seeds.documents[3].id).unwrap());
    }

    /// Every shingle's documents in `store`, the added postings' with the others, each
    /// checked to be in the bucket its shingle names.
    fn all_lists(store: &Store) -> Vec<(u64, Vec<u32>)> {
        let txn = store.db.begin_read().unwrap();
        let mut all: std::collections::BTreeMap<u64, Vec<u32>> = Default::default();
        for Bucketed { table, bits } in store.tables() {
            for entry in txn.open_table(table).unwrap().iter().unwrap() {
                let (key, bucket) = entry.unwrap();
                for (shingle, documents) in lists(bucket.value()) {
                    assert_eq!(bucket_of(shingle, bits), key.value());
                    all.entry(shingle).or_default().extend(unpack(documents));
                }
            }
        }
        all.into_iter()
            .map(|(shingle, mut documents)| {
                documents.sort_unstable();
                (shingle, documents)
            })
            .collect()
    }

    /// Where an add to an index puts its postings.
    #[derive(Clone, Copy)]
    enum Way {
        /// With the added postings ([`ADDED`]), rewritten with them.
        Apart,
        /// Into the added postings' buckets, in place.
        ApartInPlace,
        /// Into the index's buckets ([`POSTINGS`]), in place.
        InPlace,
    }

    /// An index in `dir` of the seeds' first two documents, built, with `rest` added in a
    /// batch each, each batch's postings put the way it says.
    fn added_apart(
        dir: &Path,
        name: &str,
        settings: &IndexSettings,
        entries: &[Entry],
        rest: &[(std::ops::Range<usize>, Way)],
    ) -> Store {
        let mut builder = builder_in(dir, name, settings);
        builder.add(&entries[..2]).unwrap();
        let (mut store, _) = builder.finish().unwrap();
        for (batch, way) in rest {
            let mut appender = store.appender(Some(dir)).unwrap();
            (appender.in_place, appender.fold_share) = match way {
                Way::Apart => (false, 0),
                Way::ApartInPlace => (true, 0),
                Way::InPlace => (true, u64::MAX),
            };
            appender.add(&entries[batch.clone()]).unwrap();
            store = appender.finish().unwrap().0;
        }
        drop(store);
        Store::open(&dir.join(name), settings).unwrap()
    }

    #[test]
    fn postings_added_apart_answer_as_one_add_and_fold_into_the_buckets() {
        let (seeds, dir, settings, whole) = added_at_once();
        let entries = entries(&seeds);
        let postings = |range: std::ops::Range<usize>| -> u64 {
            seeds.signatures[range].iter().map(|s| s.len() as u64).sum()
        };
        // Kept apart, then merged into those kept apart in place, then merged into the
        // index's buckets in place while others are apart, then kept apart with those before.
        let rest = [
            (2..3, Way::Apart),
            (3..4, Way::ApartInPlace),
            (4..5, Way::InPlace),
            (5..6, Way::Apart),
        ];
        let store = added_apart(dir.path(), "apart", &settings, &entries, &rest);
        let added = store.added.expect("postings kept apart");
        assert_eq!(added.postings, postings(2..4) + postings(5..6));
        assert_eq!(store.postings().unwrap(), postings(0..6));
        assert_eq!(all_lists(&store), all_lists(&whole));
        assert_ne!(postings_table(&store), postings_table(&whole));
        assert_eq!(answers(&store, &seeds), answers(&whole, &seeds));
        // Looked up many at once, the added buckets read whole: the same hits.
        let found = store
            .hits_all(
                &seeds.signatures,
                &seeds.fingerprints,
                &IndexOptions::default(),
            )
            .unwrap();
        let lookups: u64 = postings(0..6);
        assert!(added.postings <= lookups * READ_ADDED_WHOLE);
        for (i, found) in found.iter().enumerate() {
            assert_eq!(triples(found), hits_of(&whole, &seeds, i).0, "seed {i}");
        }
        // Past its share of the index, an add writes them all into the buckets, as a build
        // would have: the added postings' table goes.
        let store = added_apart(dir.path(), "folded", &settings, &entries, &rest[..2]);
        assert!(store.added.is_some());
        let mut appender = store.appender(Some(dir.path())).unwrap();
        appender.in_place = false;
        appender.add(&entries[4..]).unwrap();
        let (store, _) = appender.finish().unwrap();
        assert_eq!(store.added, None);
        drop(store);
        let store = Store::open(&dir.path().join("folded"), &settings).unwrap();
        assert_eq!(store.added, None);
        assert_eq!(postings_table(&store), postings_table(&whole));
        assert_eq!(answers(&store, &seeds), answers(&whole, &seeds));
        let txn = store.db.begin_read().unwrap();
        assert!(
            txn.open_table(ADDED).is_err(),
            "the added postings' table is gone"
        );
        drop(txn);
        // A regrouping takes them in too.
        let mut store = added_apart(dir.path(), "regrouped", &settings, &entries, &rest);
        store.regroup(24).unwrap();
        drop(store);
        let store = Store::open(&dir.path().join("regrouped"), &settings).unwrap();
        assert_eq!((store.added, store.bucket_bits), (None, 24));
        assert_eq!(all_lists(&store), all_lists(&whole));
        assert_eq!(answers(&store, &seeds), answers(&whole, &seeds));
    }

    #[test]
    fn an_index_of_format_version_2_is_read_and_an_add_makes_it_version_3() {
        let (seeds, dir, settings, whole) = added_at_once();
        let before = answers(&whole, &seeds);
        let txn = whole.db.begin_write().unwrap();
        txn.open_table(META)
            .unwrap()
            .insert("version", "2")
            .unwrap();
        txn.commit().unwrap();
        drop(whole);
        let path = dir.path().join("whole");
        let store = Store::open(&path, &settings).unwrap();
        assert_eq!(answers(&store, &seeds), before);
        let mut appender = store.appender(Some(dir.path())).unwrap();
        appender.add(&entries(&seeds)[..1]).unwrap();
        let (store, _) = appender.finish().unwrap();
        let txn = store.db.begin_read().unwrap();
        let meta = txn.open_table(META).unwrap();
        let version = meta.get("version").unwrap().unwrap().value().to_string();
        assert_eq!(version, INDEX_VERSION.to_string());
    }

    #[test]
    fn a_regrouped_index_holds_the_same_lists_in_more_buckets_and_answers_the_same() {
        let seeds = seeds();
        let entries = entries(&seeds);
        let dir = tempfile::tempdir().unwrap();
        let settings = IndexSettings::of(&crate::Options::default());
        let path = dir.path().join("index");
        let mut store = Store::create(&path, &settings).unwrap();
        store.add(&entries[..3]).unwrap();
        store.add(&entries[3..]).unwrap();
        let postings: u64 = seeds.signatures.iter().map(|s| s.len() as u64).sum();
        assert_eq!(store.postings().unwrap(), postings);
        let contents = |store: &Store| -> (Vec<(u64, Vec<u32>)>, Vec<u64>) {
            let txn = store.db.begin_read().unwrap();
            let table = txn.open_table(POSTINGS).unwrap();
            let mut all = Vec::new();
            let mut keys = Vec::new();
            for entry in table.iter().unwrap() {
                let (key, bucket) = entry.unwrap();
                keys.push(key.value());
                for (shingle, documents) in lists(bucket.value()) {
                    assert_eq!(bucket_of(shingle, store.bucket_bits), key.value());
                    all.push((shingle, unpack(documents).collect()));
                }
            }
            (all, keys)
        };
        let (lists_before, keys_before) = contents(&store);
        let before = answers(&store, &seeds);
        // A leftover of a regrouping stopped midway is cleared, not mixed in.
        let mut stray = Bucket::default();
        stray.push(7 << 40, [0]);
        let mut bytes = Vec::new();
        stray.write(&mut bytes);
        let txn = store.db.begin_write().unwrap();
        txn.open_table(REGROUPED)
            .unwrap()
            .insert(7, bytes.as_slice())
            .unwrap();
        txn.commit().unwrap();
        store.regroup(24).unwrap();
        drop(store);
        let store = Store::open(&path, &settings).unwrap();
        assert_eq!(store.bucket_bits, 24);
        let (lists_after, keys_after) = contents(&store);
        assert_eq!(lists_after, lists_before);
        assert!(keys_after.len() > keys_before.len(), "{keys_after:?}");
        assert_eq!(answers(&store, &seeds), before);
        assert!(before.0.iter().any(|(hits, _, _)| !hits.is_empty()));
    }

    #[test]
    fn an_index_grown_to_four_times_its_buckets_is_regrouped_as_a_build_would_group_it() {
        let buckets = 1u64 << MIN_BUCKET_BITS;
        let full = REGROUP_GROWTH * BUCKET_POSTINGS * buckets;
        assert_eq!(regroup_due(0, MIN_BUCKET_BITS), None);
        assert_eq!(regroup_due(full, MIN_BUCKET_BITS), None);
        // Into as many buckets as a build makes: BUCKET_POSTINGS a bucket, at most.
        assert_eq!(
            regroup_due(full + 1, MIN_BUCKET_BITS),
            Some(MIN_BUCKET_BITS + 2)
        );
        assert_eq!(
            regroup_due(full * 16, MIN_BUCKET_BITS),
            Some(MIN_BUCKET_BITS + 6)
        );
        // Once regrouped, not again until its buckets hold four times as much again.
        let bits = MIN_BUCKET_BITS + 2;
        assert_eq!(regroup_due(full + 1, bits), None);
        assert_eq!(regroup_due(full * 4, bits), None);
        assert_eq!(regroup_due(full * 4 + 1, bits), Some(bits + 2));
    }

    #[test]
    fn buckets_grow_with_the_postings_from_a_floor() {
        assert_eq!(bucket_bits(0), MIN_BUCKET_BITS);
        assert_eq!(bucket_bits(BUCKET_POSTINGS << 16), 16);
        assert_eq!(bucket_bits((BUCKET_POSTINGS << 16) + BUCKET_POSTINGS), 17);
        assert_eq!(bucket_bits(BUCKET_POSTINGS << 20), 20);
        assert_eq!(bucket_of(u64::MAX, 16), 0xFFFF);
        assert_eq!(bucket_of(0x8000_0000_0000_0000, 20), 1 << 19);
    }

    /// Shingles under 64, each with one to four documents from `documents`.
    fn lists_of(
        documents: std::ops::Range<u32>,
    ) -> impl proptest::strategy::Strategy<Value = std::collections::BTreeMap<u64, Vec<u32>>> {
        let list = proptest::collection::vec(documents, 1..5);
        proptest::collection::btree_map(0u64..64, list, 0..12)
    }

    proptest::proptest! {
        /// Whatever bytes a damaged file gives for a bucket, reading it does not panic.
        #[test]
        fn any_bytes_read_as_a_bucket_without_a_panic(
            count in 0u32..8,
            rest in proptest::collection::vec(proptest::num::u8::ANY, 0..200),
            shingle in 0u64..4,
        ) {
            let mut bytes = count.to_le_bytes().to_vec();
            bytes.extend(rest);
            let whole: usize = lists(&bytes).map(|(_, documents)| documents.len()).sum();
            proptest::prop_assert!(whole <= bytes.len());
            let _ = find_list(&bytes, shingle);
        }

        /// A bucket gives back each shingle's documents, finds no shingle it lacks, and with
        /// postings merged in holds what one written whole would.
        #[test]
        fn a_bucket_holds_its_shingles_and_merges_more(
            old in lists_of(0..50),
            new in lists_of(50..99),
        ) {
            let mut made = Bucket::default();
            for (&shingle, documents) in &old {
                made.push(shingle, documents.iter().copied());
            }
            let mut bucket = Vec::new();
            made.write(&mut bucket);
            let read: Vec<(u64, Vec<u32>)> =
                lists(&bucket).map(|(s, d)| (s, unpack(d).collect())).collect();
            let written: Vec<(u64, Vec<u32>)> = old.clone().into_iter().collect();
            proptest::prop_assert_eq!(read, written);
            for shingle in 0..64 {
                let found = find_list(&bucket, shingle).map(|d| unpack(d).collect::<Vec<_>>());
                proptest::prop_assert_eq!(found.as_ref(), old.get(&shingle));
            }
            // A bucket cut short gives its whole entries and no more.
            if !old.is_empty() {
                let cut = bucket.len() - 3;
                proptest::prop_assert_eq!(lists(&bucket[..cut]).count(), old.len() - 1);
            }

            let added: Vec<(u64, u32)> = new
                .iter()
                .flat_map(|(&s, documents)| documents.iter().map(move |&d| (s, d)))
                .collect();
            let mut whole = old.clone();
            for (&shingle, documents) in &new {
                whole.entry(shingle).or_default().extend(documents);
            }
            let mut made = Bucket::default();
            for (&shingle, documents) in &whole {
                made.push(shingle, documents.iter().copied());
            }
            let mut expected = Vec::new();
            made.write(&mut expected);
            proptest::prop_assert_eq!(merged_bucket(&bucket, &added), expected);
        }
    }
}
