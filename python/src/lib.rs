//! `crosscheck._native`: crosscheck's stages for Python, called by the Spark and Ray drivers
//! (python/crosscheck) on the columns of Arrow record batches.
//!
//! Bulk columns cross as `bytes` holding little-endian arrays (`i64` hashes, `i32` document
//! numbers), which the Python side views with numpy without copying element by element; a
//! list column as its values and its offsets, as Arrow holds it. Hashes are `u64` in Rust and
//! `i64` (the same bits) in Arrow, Spark and Python. Records with structure (a document's
//! summary, a verified pair) cross as JSON, in the report's schema. Every function here calls
//! the code `crosscheck report` calls (`crosscheck::stages`).

use std::path::{Path, PathBuf};

use crosscheck::Options;
use crosscheck::index::IndexStats;
use crosscheck::ingest::{self, Document, SourceKind, Warning};
use crosscheck::stages::{self, Input, Posting, Settings, SignedRecord, SketchRecord};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

type Bytes<'py> = Bound<'py, PyBytes>;
/// (path, id, kind) of each file, and the walk's warnings as JSON.
type Listing = (Vec<(String, String, String)>, Vec<String>);
/// Each row's parsed id, and its warnings as JSON.
type Parsed = (Vec<Option<String>>, Vec<Vec<String>>);
fn error(message: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(message.to_string())
}

fn options(settings: &str) -> PyResult<Options> {
    let settings: Settings = match settings.trim() {
        "" => Settings::default(),
        json => serde_json::from_str(json).map_err(|e| error(format!("settings: {e}")))?,
    };
    Ok(settings.options())
}

fn i64s(bytes: &[u8]) -> Vec<i64> {
    bytes
        .chunks_exact(8)
        .map(|c| i64::from_le_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

fn i32s(bytes: &[u8]) -> Vec<i32> {
    bytes
        .chunks_exact(4)
        .map(|c| i32::from_le_bytes(c.try_into().expect("4 bytes")))
        .collect()
}

fn hashes(bytes: &[u8]) -> Vec<u64> {
    i64s(bytes).into_iter().map(|h| h as u64).collect()
}

fn numbers(bytes: &[u8]) -> Vec<u32> {
    i32s(bytes).into_iter().map(|n| n as u32).collect()
}

fn from_i64<'py>(py: Python<'py>, values: impl IntoIterator<Item = i64>) -> Bytes<'py> {
    let bytes: Vec<u8> = values.into_iter().flat_map(i64::to_le_bytes).collect();
    PyBytes::new(py, &bytes)
}

fn from_i32<'py>(py: Python<'py>, values: impl IntoIterator<Item = i32>) -> Bytes<'py> {
    let bytes: Vec<u8> = values.into_iter().flat_map(i32::to_le_bytes).collect();
    PyBytes::new(py, &bytes)
}

/// Pairs of document numbers as two i32 columns.
fn pair_columns<'py>(py: Python<'py>, pairs: &[(u32, u32)]) -> (Bytes<'py>, Bytes<'py>) {
    (
        from_i32(py, pairs.iter().map(|p| p.0 as i32)),
        from_i32(py, pairs.iter().map(|p| p.1 as i32)),
    )
}

/// A list column of hashes as Arrow holds it: values and offsets (i32, one more than rows).
fn list_column<'py>(py: Python<'py>, lists: &[&[u64]]) -> (Bytes<'py>, Bytes<'py>) {
    let mut offsets = Vec::with_capacity(lists.len() + 1);
    offsets.push(0i32);
    let mut total = 0i32;
    for list in lists {
        total += list.len() as i32;
        offsets.push(total);
    }
    let values = lists.iter().flat_map(|l| l.iter().map(|&h| h as i64));
    (from_i64(py, values), from_i32(py, offsets))
}

fn split_lists(values: &[u8], offsets: &[u8]) -> Vec<Vec<u64>> {
    let values = hashes(values);
    i32s(offsets)
        .windows(2)
        .map(|w| values[w[0] as usize..w[1] as usize].to_vec())
        .collect()
}

fn warning_json(warning: &Warning) -> String {
    serde_json::to_string(warning).expect("a warning serializes")
}

fn kind_of(kind: &str) -> PyResult<SourceKind> {
    Ok(match kind {
        "text" => SourceKind::Text,
        "html" => SourceKind::Html,
        "jsonl" => SourceKind::JsonlRecord,
        other => return Err(error(format!("unknown source kind {other:?}"))),
    })
}

/// The rows of a batch of documents, a tuple of columns: each one's number, kind, path, id
/// (the final one, from `dedupe`), record and bytes.
#[derive(FromPyObject)]
struct Documents<'py>(
    Vec<u32>,
    Vec<String>,
    Vec<String>,
    Vec<String>,
    Vec<Option<u64>>,
    Vec<Bytes<'py>>,
);

impl Documents<'_> {
    /// The documents, parsed again from their bytes exactly as `parse` parsed them, with the
    /// ids `dedupe` gave them.
    fn input(&self, total: usize, options: &Options) -> PyResult<Input> {
        let Documents(numbers, kinds, paths, ids, records, data) = self;
        let mut documents = Vec::with_capacity(numbers.len());
        for k in 0..numbers.len() {
            let (document, _) = ingest::document_from_bytes(
                kind_of(&kinds[k])?,
                Path::new(&paths[k]),
                &ids[k],
                records[k],
                data[k].as_bytes().to_vec(),
                &options.ingest,
            );
            let mut document: Document = document.ok_or_else(|| {
                error(format!(
                    "{}: gives no document now (was it changed since it was parsed?)",
                    paths[k]
                ))
            })?;
            document.id = ids[k].clone();
            documents.push((numbers[k], document));
        }
        Ok(Input::numbered(documents, total))
    }
}

/// The settings that the drivers' own steps need: (the documents a short line must stand alone
/// in to be chrome, the largest bucket expanded into all its pairs).
#[pyfunction]
fn knobs(settings: &str) -> PyResult<(usize, usize)> {
    let options = options(settings)?;
    Ok((
        options.chrome.recurring_min_documents,
        options.index.bucket_cap,
    ))
}

/// The settings as result files record them: every knob of `Settings`, defaults filled in, as
/// JSON.
#[pyfunction]
fn settings_json(settings: &str) -> PyResult<String> {
    let options = options(settings)?;
    let knobs = serde_json::json!({
        "max_file_size": options.ingest.max_file_size,
        "max_words": options.ingest.max_words,
        "align_limit": options.align.max_postings,
        "strict": options.ingest.strict,
        "threshold": options.judge.duplicate_similarity,
    });
    serde_json::to_string(&knobs).map_err(error)
}

/// The metadata header of a `sign` file of shard `index` of `count` of a collection of
/// `documents`, as `crosscheck stage sign` writes it.
#[pyfunction]
fn sign_header(settings: &str, documents: usize, index: u32, count: u32) -> PyResult<String> {
    let shard: stages::Shard = format!("{index}/{count}").parse().map_err(error)?;
    Ok(stages::work::sign_header(
        &options(settings)?,
        documents,
        shard,
    ))
}

/// Checks the metadata header of the `sign` file at `path` as `crosscheck stage` does (of
/// these settings, of a collection of `documents` where given); gives its shard as (index,
/// count), or raises ValueError with the CLI's message.
#[pyfunction]
#[pyo3(signature = (path, header, settings, documents=None))]
fn check_sign_header(
    path: &str,
    header: Option<&str>,
    settings: &str,
    documents: Option<usize>,
) -> PyResult<(u32, u32)> {
    let shard =
        stages::work::check_sign_header(Path::new(path), header, &options(settings)?, documents)
            .map_err(error)?;
    Ok((shard.index, shard.count))
}

/// The files under `paths` as crosscheck walks them: (path, id, kind) each, kind one of
/// "text", "html", "jsonl" (a corpus, to be read a line at a time); and the walk's warnings.
#[pyfunction]
fn list_inputs(paths: Vec<String>, settings: &str) -> PyResult<Listing> {
    let options = options(settings)?;
    let paths: Vec<PathBuf> = paths.into_iter().map(PathBuf::from).collect();
    let plan = ingest::Plan::new(&paths, &options.ingest).map_err(error)?;
    let files = plan
        .files()
        .map(|(path, id, kind)| {
            let kind = match kind {
                SourceKind::Text => "text",
                SourceKind::Html => "html",
                SourceKind::JsonlFile | SourceKind::JsonlRecord => "jsonl",
            };
            (path.display().to_string(), id.to_string(), kind.to_string())
        })
        .collect();
    Ok((files, plan.warnings().iter().map(warning_json).collect()))
}

/// Each row's document id before ids are made unique (`None` when the row makes no
/// document), and each row's warnings as JSON.
#[pyfunction]
fn parse(
    py: Python<'_>,
    kinds: Vec<String>,
    paths: Vec<String>,
    ids: Vec<String>,
    records: Vec<Option<u64>>,
    data: Vec<Bytes<'_>>,
    settings: &str,
) -> PyResult<Parsed> {
    let options = options(settings)?;
    let rows: Vec<(SourceKind, Vec<u8>)> = kinds
        .iter()
        .zip(&data)
        .map(|(k, d)| Ok((kind_of(k)?, d.as_bytes().to_vec())))
        .collect::<PyResult<_>>()?;
    py.detach(|| {
        let mut parsed = Vec::with_capacity(rows.len());
        let mut warnings = Vec::new();
        for (k, (kind, bytes)) in rows.into_iter().enumerate() {
            let (document, warns) = ingest::document_from_bytes(
                kind,
                Path::new(&paths[k]),
                &ids[k],
                records[k],
                bytes,
                &options.ingest,
            );
            parsed.push(document.map(|d| d.id));
            warnings.push(warns.iter().map(warning_json).collect());
        }
        Ok((parsed, warnings))
    })
}

/// Ids made unique as `report` makes them, for every document of the collection: each row's
/// final id and number (its place among the sorted ids), and the renames' warnings.
#[pyfunction]
fn dedupe(
    ids: Vec<String>,
    paths: Vec<String>,
    records: Vec<Option<u64>>,
) -> (Vec<String>, Vec<u32>, Vec<String>) {
    let paths = paths.into_iter().map(PathBuf::from).collect();
    let (final_ids, numbers, warnings) = stages::number_ids(ids, paths, records);
    (
        final_ids,
        numbers,
        warnings.iter().map(warning_json).collect(),
    )
}

/// Stage `lines`: (line hash, document number) of the short standalone lines.
#[pyfunction]
fn lines<'py>(
    py: Python<'py>,
    documents: Documents<'py>,
    total: usize,
    settings: &str,
) -> PyResult<(Bytes<'py>, Bytes<'py>)> {
    let options = options(settings)?;
    let input = documents.input(total, &options)?;
    let records = py.detach(|| stages::lines(&input, stages::Shard::ALL));
    Ok((
        from_i64(py, records.iter().map(|r| r.line as i64)),
        from_i32(py, records.iter().map(|r| r.doc as i32)),
    ))
}

/// Stage `sketch`: (document, story, whole) of the documents that hold a candidate line, given
/// the candidates as (line hash, holders) pairs.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn sketches(
    py: Python<'_>,
    documents: Documents<'_>,
    total: usize,
    candidates: Vec<(i64, Vec<u32>)>,
    settings: &str,
) -> PyResult<Vec<(u32, Vec<i64>, Vec<i64>)>> {
    let options = options(settings)?;
    let input = documents.input(total, &options)?;
    let candidates: stages::ChromeCandidates = candidates
        .into_iter()
        .map(|(line, holders)| (line as u64, holders))
        .collect();
    let records = py.detach(|| stages::sketches(&input, stages::Shard::ALL, &candidates));
    Ok(records
        .into_iter()
        .map(|r| {
            let (story, whole) = r.sketch.into_parts();
            (
                r.doc,
                story.into_iter().map(|h| h as i64).collect(),
                whole.into_iter().map(|h| h as i64).collect(),
            )
        })
        .collect())
}

/// The reduction after `sketch`: the line hashes that are chrome.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn recurring(
    candidates: Vec<(i64, Vec<u32>)>,
    sketches: Vec<(u32, Vec<i64>, Vec<i64>)>,
    settings: &str,
) -> PyResult<Vec<i64>> {
    let options = options(settings)?;
    let candidates: stages::ChromeCandidates = candidates
        .into_iter()
        .map(|(line, holders)| (line as u64, holders))
        .collect();
    let sketches = sketches
        .into_iter()
        .map(|(doc, story, whole)| SketchRecord {
            doc,
            sketch: crosscheck::chrome::Sketch::from_parts(
                story.into_iter().map(|h| h as u64).collect(),
                whole.into_iter().map(|h| h as u64).collect(),
            ),
        })
        .collect();
    let lines = stages::recurring(&candidates, sketches, &options.chrome).map_err(error)?;
    Ok(lines.into_iter().map(|h| h as i64).collect())
}

/// Stage `sign`: per document its number, summary (JSON), fingerprint, distinct tokens and
/// signature (each a list column: values, offsets).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn sign<'py>(
    py: Python<'py>,
    documents: Documents<'py>,
    total: usize,
    recurring: Vec<i64>,
    settings: &str,
) -> PyResult<(
    Bytes<'py>,
    Vec<String>,
    Vec<Option<i64>>,
    (Bytes<'py>, Bytes<'py>),
    (Bytes<'py>, Bytes<'py>),
)> {
    let options = options(settings)?;
    let input = documents.input(total, &options)?;
    let recurring: Vec<u64> = recurring.into_iter().map(|h| h as u64).collect();
    let records = py.detach(|| stages::sign(&input, stages::Shard::ALL, &recurring, &options));
    let summaries = records
        .iter()
        .map(|r| serde_json::to_string(&r.summary).expect("a summary serializes"))
        .collect();
    let tokens: Vec<&[u64]> = records.iter().map(|r| r.tokens.as_slice()).collect();
    let shingles: Vec<&[u64]> = records.iter().map(|r| r.shingles.as_slice()).collect();
    Ok((
        from_i32(py, records.iter().map(|r| r.doc as i32)),
        summaries,
        records
            .iter()
            .map(|r| r.fingerprint.map(|f| f as i64))
            .collect(),
        list_column(py, &tokens),
        list_column(py, &shingles),
    ))
}

/// The postings of signed documents, each with its part of `parts` (see `stages::part_of`):
/// part, shingle, document, signature size.
#[pyfunction]
fn postings<'py>(
    py: Python<'py>,
    docs: &[u8],
    shingle_values: &[u8],
    shingle_offsets: &[u8],
    parts: u32,
) -> (Bytes<'py>, Bytes<'py>, Bytes<'py>, Bytes<'py>) {
    let docs = numbers(docs);
    let lists = split_lists(shingle_values, shingle_offsets);
    let (mut part, mut shingle, mut doc, mut length) = (vec![], vec![], vec![], vec![]);
    for (d, list) in docs.iter().zip(&lists) {
        for &h in list {
            part.push(stages::part_of(h, parts) as i32);
            shingle.push(h as i64);
            doc.push(*d as i32);
            length.push(list.len() as i32);
        }
    }
    (
        from_i32(py, part),
        from_i64(py, shingle),
        from_i32(py, doc),
        from_i32(py, length),
    )
}

/// Stage `pairs` on postings holding whole buckets: pair records (a, b), each long document's
/// kept shingles (doc, n), the postings and the oversized buckets.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn draw<'py>(
    py: Python<'py>,
    shingles: &[u8],
    docs: &[u8],
    lengths: &[u8],
    total: usize,
    settings: &str,
) -> PyResult<(Bytes<'py>, Bytes<'py>, Bytes<'py>, Bytes<'py>, u64, u64)> {
    let options = options(settings)?;
    let postings: Vec<Posting> = hashes(shingles)
        .into_iter()
        .zip(numbers(docs))
        .zip(numbers(lengths))
        .map(|((shingle, doc), length)| Posting {
            shingle,
            doc,
            length,
        })
        .collect();
    let drawn = py.detach(|| stages::draw(postings, total, &options));
    let (a, b) = pair_columns(py, &drawn.pairs);
    let (kept_doc, kept_n) = pair_columns(py, &drawn.kept);
    Ok((
        a,
        b,
        kept_doc,
        kept_n,
        drawn.postings,
        drawn.oversized_buckets,
    ))
}

/// For counted pairs (shared kept shingles; each side's signature size and kept shingles),
/// 1 where the pair is a candidate, else 0.
#[pyfunction]
fn candidate_mask<'py>(
    py: Python<'py>,
    shared: &[u8],
    length_a: &[u8],
    kept_a: &[u8],
    length_b: &[u8],
    kept_b: &[u8],
    settings: &str,
) -> PyResult<Bytes<'py>> {
    let options = options(settings)?;
    let shared = i64s(shared);
    let (la, ka, lb, kb) = (
        numbers(length_a),
        numbers(kept_a),
        numbers(length_b),
        numbers(kept_b),
    );
    let mask: Vec<u8> = (0..shared.len())
        .map(|k| {
            let shared = u32::try_from(shared[k]).unwrap_or(u32::MAX);
            stages::is_candidate(shared, (la[k], ka[k]), (lb[k], kb[k]), &options) as u8
        })
        .collect();
    Ok(PyBytes::new(py, &mask))
}

/// Pairs of documents with identical bodies, from (document, fingerprint) of the documents
/// whose fingerprint is shared: (a, b).
#[pyfunction]
fn identical<'py>(
    py: Python<'py>,
    docs: &[u8],
    fingerprints: &[u8],
    settings: &str,
) -> PyResult<(Bytes<'py>, Bytes<'py>)> {
    let options = options(settings)?;
    let docs = numbers(docs);
    let size = docs.iter().map(|&d| d as usize + 1).max().unwrap_or(0);
    let mut prints = vec![None; size];
    for (d, f) in docs.iter().zip(hashes(fingerprints)) {
        prints[*d as usize] = Some(f);
    }
    let pairs: Vec<(u32, u32)> = crosscheck::index::identical(&prints, options.index.bucket_cap)
        .iter()
        .map(|c| (c.a, c.b))
        .collect();
    Ok(pair_columns(py, &pairs))
}

/// Stage `verify`: the candidate pairs (a, b) whose documents are given, aligned and judged;
/// `df` the document frequencies of their tokens (tokens, counts). A `Verification` as JSON.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
fn verify(
    py: Python<'_>,
    pair_a: &[u8],
    pair_b: &[u8],
    documents: Documents<'_>,
    total: usize,
    recurring: Vec<i64>,
    df_tokens: &[u8],
    df_counts: &[u8],
    settings: &str,
) -> PyResult<String> {
    let options = options(settings)?;
    let input = documents.input(total, &options)?;
    let pairs: Vec<(u32, u32)> = numbers(pair_a).into_iter().zip(numbers(pair_b)).collect();
    let recurring: Vec<u64> = recurring.into_iter().map(|h| h as u64).collect();
    let df = hashes(df_tokens)
        .into_iter()
        .zip(numbers(df_counts))
        .collect();
    let verification =
        py.detach(|| stages::verify(&input, &pairs, &recurring, df, total, &options));
    serde_json::to_string(&verification).map_err(error)
}

/// Stage `components` on one node (union-find): for the edges (a, b), each document in a
/// component of two or more with the component's smallest document: (node, root).
#[pyfunction]
fn components<'py>(py: Python<'py>, a: &[u8], b: &[u8], total: usize) -> (Bytes<'py>, Bytes<'py>) {
    let edges: Vec<(u32, u32)> = numbers(a).into_iter().zip(numbers(b)).collect();
    pair_columns(py, &stages::components(&edges, total))
}

/// The full duplicates of a verification (JSON, from `verify`): the edges of `components`.
#[pyfunction]
fn full_duplicates<'py>(py: Python<'py>, verification: &str) -> PyResult<(Bytes<'py>, Bytes<'py>)> {
    let verification: stages::Verification = serde_json::from_str(verification).map_err(error)?;
    let edges = stages::full_duplicates(std::slice::from_ref(&verification));
    Ok(pair_columns(py, &edges))
}

/// The collection under local `paths` read again as `crosscheck report` reads it (set aside
/// on disk past 1 GB, as `report` does), which must still hold `total` documents.
fn read_again(
    py: Python<'_>,
    paths: &[String],
    total: usize,
    options: &Options,
) -> PyResult<Input> {
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    let input = py.detach(|| Input::read(&paths, options)).map_err(error)?;
    if input.len() != total {
        return Err(error(format!(
            "{}: {} documents now, {total} when the run read them: the collection changed",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
            input.len()
        )));
    }
    Ok(input)
}

/// The reduction that ends the run: the report (JSON, `report`'s schema) from every
/// document (or, given `paths`, the documents read again from there), the ingest warnings (JSON), each document's number and summary (JSON) from
/// `sign`, the document frequency of every token (token, count), candidate search's counts
/// (JSON), the verifications (JSON), and the components (node, root) when a components stage
/// found them (else they are found here).
#[pyfunction]
#[pyo3(signature = (documents, total, warnings, summaries, df, stats, verifications, recurring, components, settings, paths=None))]
#[allow(clippy::too_many_arguments)]
fn assemble(
    py: Python<'_>,
    documents: Option<Documents<'_>>,
    total: usize,
    warnings: Vec<String>,
    summaries: (&[u8], Vec<String>),
    df: (&[u8], &[u8]),
    stats: &str,
    verifications: Vec<String>,
    recurring: Vec<i64>,
    components: Option<(&[u8], &[u8])>,
    settings: &str,
    paths: Option<Vec<String>>,
) -> PyResult<String> {
    let options = options(settings)?;
    let input = match (paths, documents) {
        (Some(paths), _) => read_again(py, &paths, total, &options)?,
        (None, Some(documents)) => documents.input(total, &options)?,
        (None, None) => return Err(error("assemble: neither the documents nor their paths")),
    };
    let warnings: Vec<Warning> = warnings
        .iter()
        .map(|w| serde_json::from_str(w).map_err(error))
        .collect::<PyResult<_>>()?;
    let (docs, summaries) = summaries;
    let records = numbers(docs)
        .into_iter()
        .zip(summaries)
        .map(|(doc, summary)| {
            Ok(SignedRecord {
                doc,
                summary: serde_json::from_str(&summary).map_err(error)?,
                fingerprint: None,
                tokens: Vec::new(),
                shingles: Vec::new(),
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    let df = hashes(df.0).into_iter().zip(numbers(df.1)).collect();
    let stats: IndexStats = serde_json::from_str(stats).map_err(error)?;
    let verifications = verifications
        .iter()
        .map(|v| serde_json::from_str(v).map_err(error))
        .collect::<PyResult<Vec<_>>>()?;
    let recurring: Vec<u64> = recurring.into_iter().map(|h| h as u64).collect();
    let input = input.with_warnings(warnings);
    let components: Option<Vec<(u32, u32)>> =
        components.map(|(node, root)| numbers(node).into_iter().zip(numbers(root)).collect());
    let report = py.detach(|| {
        let reduced = stages::Reduced {
            stats: &stats,
            verifications,
            recurring: &recurring,
            df,
            components: components.as_deref(),
        };
        stages::assemble(&input, records, reduced, &options)
    });
    let report = report.map_err(error)?;
    let mut json = Vec::new();
    crosscheck::render::json(&report, &mut json).map_err(error)?;
    String::from_utf8(json).map_err(error)
}

/// crosscheck's stages, for the drivers in `crosscheck.spark` and `crosscheck.ray`.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(knobs, m)?)?;
    m.add_function(wrap_pyfunction!(settings_json, m)?)?;
    m.add_function(wrap_pyfunction!(sign_header, m)?)?;
    m.add_function(wrap_pyfunction!(check_sign_header, m)?)?;
    m.add_function(wrap_pyfunction!(list_inputs, m)?)?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(dedupe, m)?)?;
    m.add_function(wrap_pyfunction!(lines, m)?)?;
    m.add_function(wrap_pyfunction!(sketches, m)?)?;
    m.add_function(wrap_pyfunction!(recurring, m)?)?;
    m.add_function(wrap_pyfunction!(sign, m)?)?;
    m.add_function(wrap_pyfunction!(postings, m)?)?;
    m.add_function(wrap_pyfunction!(draw, m)?)?;
    m.add_function(wrap_pyfunction!(candidate_mask, m)?)?;
    m.add_function(wrap_pyfunction!(identical, m)?)?;
    m.add_function(wrap_pyfunction!(verify, m)?)?;
    m.add_function(wrap_pyfunction!(components, m)?)?;
    m.add_function(wrap_pyfunction!(full_duplicates, m)?)?;
    m.add_function(wrap_pyfunction!(assemble, m)?)?;
    Ok(())
}
