//! The report: everything `crosscheck report` found, as one value that every renderer reads.
//!
//! Its JSON form is documented in `docs/report-schema.md`; [`REPORT_VERSION`] changes whenever
//! a field changes meaning or goes away.

use serde::{Serialize, Serializer};

use crate::ingest::Warning;
use crate::judge::{Kind, Passage};

/// Version of the JSON report format.
pub const REPORT_VERSION: u32 = 1;

/// What a run found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Format version ([`REPORT_VERSION`]).
    pub version: u32,
    /// The tool and its version, e.g. "crosscheck 0.1.0".
    pub tool: String,
    /// Every document read, sorted by id.
    pub documents: Vec<DocumentSummary>,
    /// Duplicate and reuse pairs, sorted by (a, b); `a` sorts before `b`.
    pub pairs: Vec<Pair>,
    /// Groups of full duplicates, sorted by first member.
    pub clusters: Vec<Cluster>,
    /// Figures that disagree inside the passages of reported pairs, sorted by place.
    pub conflicts: Vec<crate::conflicts::Conflict>,
    /// Figures stated in one of two paired sentences only (dropped from `a`, added in `b`),
    /// sorted by document and line.
    pub unpaired_figures: Vec<crate::conflicts::UnpairedFigure>,
    /// Problems with the input, in the order met.
    pub warnings: Vec<Warning>,
    /// Counts from each stage.
    pub stats: Stats,
}

/// A document as the report sees it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct DocumentSummary {
    /// Its id: path relative to the root given, or the JSONL "id".
    pub id: String,
    /// The file it was read from.
    pub path: String,
    /// For a JSONL record, its line in the file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<u64>,
    /// Words in the article body (chrome excluded).
    pub words: u32,
    /// Lines of text (for HTML, of extracted text).
    pub lines: u32,
    /// Non-blank lines judged page chrome.
    pub boilerplate_lines: u32,
    /// Content fingerprint: xxh3-64 of the document's text, 16 hex digits. Any edit changes it;
    /// `crosscheck.toml` allow lists and baselines use it.
    pub fingerprint: String,
    /// For a JSONL record, its fields other than "id" and "text" (title, date, ...).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub meta: serde_json::Map<String, serde_json::Value>,
}

/// Two documents that share text.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Pair {
    /// Id of the first document.
    pub a: String,
    /// Id of the second document.
    pub b: String,
    /// Similarity in [0, 1]: the passages' similarity weighted by words, over both bodies.
    #[serde(serialize_with = "round3")]
    pub similarity: f32,
    /// Share of `a`'s body words in matched passages.
    #[serde(serialize_with = "round3")]
    pub coverage_a: f32,
    /// Share of `b`'s body words in matched passages.
    #[serde(serialize_with = "round3")]
    pub coverage_b: f32,
    /// How far the two agree on names and figures, in [0, 1] (see
    /// [`crate::judge::key_agreement`]); null when either has fewer than two.
    #[serde(serialize_with = "round3_option")]
    pub agreement: Option<f32>,
    /// Full duplicate or partial reuse.
    pub kind: Kind,
    /// The matched passages, in `a`'s order.
    pub passages: Vec<Passage>,
}

/// A group of documents that are all copies of one article.
#[derive(Debug, Clone, Serialize)]
pub struct Cluster {
    /// Member ids, sorted.
    pub members: Vec<String>,
    /// The likely original, where the text gives evidence for one.
    pub original: Option<String>,
    /// Why that member was named (attribution line, completeness).
    pub evidence: String,
}

/// Counts from each stage.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Stats {
    /// Documents read.
    pub documents: u64,
    /// Body words over all documents.
    pub words: u64,
    /// Non-blank lines judged page chrome over all documents.
    pub boilerplate_lines: u64,
    /// (shingle, document) postings in the index.
    pub postings: u64,
    /// Shingle buckets too large to expand into all pairs (stock phrases, templates).
    pub oversized_buckets: u64,
    /// Pair records candidate search drew from its buckets, one per kept shingle two documents
    /// share, before counting them by pair: the work of that step, and the size of its shuffle
    /// on a cluster. Absent from `check`, which looks documents up instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shingle_pairs: Option<u64>,
    /// Distinct document pairs among those records.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub touched_pairs: Option<u64>,
    /// Documents under the minimum length, matched only when identical.
    pub short_documents: u64,
    /// Candidate pairs verified by alignment.
    pub candidates: u64,
    /// Pairs reported.
    pub pairs: u64,
    /// Conflicting figures reported.
    pub conflicts: u64,
}

/// Serializes a float rounded to three decimals, so that output is stable and readable.
pub fn round3<S: Serializer>(value: &f32, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(((*value as f64) * 1000.0).round() / 1000.0)
}

/// [`round3`] for an optional value.
pub fn round3_option<S: Serializer>(value: &Option<f32>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(v) => round3(v, serializer),
        None => serializer.serialize_none(),
    }
}
