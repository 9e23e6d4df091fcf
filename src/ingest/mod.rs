//! Ingest stage: paths in, [`Document`]s and [`Warning`]s out.
//!
//! Walks directories with the `ignore` crate (so `.gitignore` and hidden files are honoured,
//! in or out of a git checkout), reads `.txt`, `.md`, `.html`/`.htm` and `.jsonl` files in
//! parallel, decodes them (see [`decode`]), extracts HTML text with a real tokenizer (see
//! [`html`]) and keeps, for every line of a document's text, the line of the original file it
//! came from. Nothing that goes wrong with one file stops the others: each problem becomes a
//! [`Warning`] naming the file (and line, for JSONL) and what is wrong.

pub mod decode;
pub mod html;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use serde_json::{Map, Value};

use self::decode::Decoded;

/// A document as read: its text, split into lines that remember where they came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// Path relative to the root it was found under; for a JSONL record, its "id".
    pub id: String,
    /// The file it was read from.
    pub path: PathBuf,
    /// For a JSONL record, the 1-based line of the file that holds it.
    pub record: Option<u64>,
    /// The format it was read as.
    pub format: Format,
    /// The text, lines separated by `\n` (for HTML: the extracted text).
    pub text: String,
    /// One entry per line of `text`.
    pub lines: Vec<Line>,
    /// Other fields of a JSONL record (title, date, ...); empty for files.
    pub meta: Map<String, Value>,
}

/// One line of a document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    /// Byte range of the line in [`Document::text`].
    pub start: u32,
    /// End of the byte range (exclusive, no newline).
    pub end: u32,
    /// The 1-based line number in the original file (or in the JSONL record's text).
    pub number: u32,
    /// The markup says this line is page chrome (HTML `<nav>`, `<footer>`, ...).
    pub markup_chrome: bool,
}

impl Document {
    /// Builds a document from plain text, one line per line of the text.
    pub fn from_text(id: impl Into<String>, path: impl Into<PathBuf>, text: &str) -> Self {
        let text = if text.contains('\r') {
            text.replace("\r\n", "\n").replace('\r', "\n")
        } else {
            text.to_string()
        };
        let mut lines = Vec::new();
        let mut start = 0;
        for (number, line) in text.split('\n').enumerate() {
            let end = start + line.len();
            lines.push(Line {
                start: start as u32,
                end: end as u32,
                number: number as u32 + 1,
                markup_chrome: false,
            });
            start = end + 1;
        }
        Document {
            id: id.into(),
            path: path.into(),
            record: None,
            format: Format::Text,
            text,
            lines,
            meta: Map::new(),
        }
    }

    /// Builds a document from HTML: the extracted text, each line with its source line.
    pub fn from_html(id: String, path: PathBuf, html: &str) -> Self {
        let mut text = String::new();
        let mut lines = Vec::new();
        for line in html::extract(html) {
            if !text.is_empty() {
                text.push('\n');
            }
            let start = text.len() as u32;
            text.push_str(&line.text);
            lines.push(Line {
                start,
                end: text.len() as u32,
                number: line.source_line,
                markup_chrome: line.chrome,
            });
        }
        Document {
            id,
            path,
            record: None,
            format: Format::Html,
            text,
            lines,
            meta: Map::new(),
        }
    }

    /// The text of line `index` (0-based).
    pub fn line(&self, index: usize) -> &str {
        let line = self.lines[index];
        &self.text[line.start as usize..line.end as usize]
    }

    /// Iterates over the lines' texts.
    pub fn line_texts(&self) -> impl Iterator<Item = &str> + '_ {
        (0..self.lines.len()).map(|i| self.line(i))
    }

    /// Where the document came from, for messages: `path` or `path:line`.
    pub fn location(&self) -> String {
        match self.record {
            Some(line) => format!("{}:{line}", self.path.display()),
            None => self.path.display().to_string(),
        }
    }
}

/// The format a document was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Plain text or Markdown.
    Text,
    /// HTML, text extracted.
    Html,
    /// A record of a JSONL corpus.
    Jsonl,
}

/// Something wrong with the input that did not stop the run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Warning {
    /// The file (or folder) concerned.
    pub path: String,
    /// The 1-based line, for a JSONL record.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// What kind of problem it is.
    pub kind: WarningKind,
    /// A one-line explanation, including what was done about it.
    pub message: String,
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path, self.message),
            None => write!(f, "{}: {}", self.path, self.message),
        }
    }
}

/// The kinds of [`Warning`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum WarningKind {
    /// Not valid UTF-8; decoded anyway (or skipped under `--strict`).
    InvalidUtf8,
    /// Holds NUL bytes: skipped.
    Binary,
    /// No text at all: skipped. Also a folder named on the command line with no file to read.
    Empty,
    /// Could not be read (permissions, vanished, broken link): skipped.
    Unreadable,
    /// A symbolic link that leads back into its own ancestors: not followed.
    SymlinkLoop,
    /// A FIFO, socket or device: not read.
    NotAFile,
    /// A file whose extension crosscheck does not read: skipped.
    Unsupported,
    /// Larger than the size limit: skipped.
    TooLarge,
    /// More words than the word limit: only the first ones are compared.
    Truncated,
    /// A JSONL line that is not a JSON object.
    BadJson,
    /// A JSONL record without a string "text".
    MissingText,
    /// A JSONL record without an "id": one was made from the file and line.
    MissingId,
    /// Two documents with the same id: the later one was renamed.
    DuplicateId,
    /// Every line of the document looks like page chrome: it was not compared.
    NoBody,
    /// Comparing two documents hit a bug in crosscheck: that pair was left out, the rest of
    /// the report stands.
    Internal,
}

/// How to read the input.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Largest file (or JSONL record) read, in bytes. Default: 64 MiB.
    pub max_file_size: u64,
    /// Most words of a document that are kept; the rest is cut off, with a warning. Default:
    /// 200,000 (a long book; a news article has about a thousand).
    pub max_words: usize,
    /// Skip documents that needed repair (invalid UTF-8) instead of reading them lossily.
    pub strict: bool,
    /// Read hidden files and files that `.gitignore`/`.ignore` exclude. Default: false.
    pub no_ignore: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            max_file_size: 64 << 20,
            max_words: 200_000,
            strict: false,
            no_ignore: false,
        }
    }
}

/// An error that stops ingest: the input itself is wrong.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// A path named on the command line does not exist.
    #[error("{0}: no such file or directory")]
    NotFound(PathBuf),
    /// The documents of a large collection could not be set aside in a spill file.
    #[error("{}: cannot write a spill file there: {error} (choose another place with --spill-dir, or --spill never)", .dir.display())]
    Spill {
        /// The directory of the spill file.
        dir: PathBuf,
        /// What went wrong.
        error: io::Error,
    },
    /// A spill file written during the run could not be read back (the disk failed, or
    /// something else truncated the file).
    #[error("{}: cannot read back this run's spill file: {error} (the disk or the file failed during the run; run again, or with --spill never)", .dir.display())]
    SpillRead {
        /// The directory of the spill file.
        dir: PathBuf,
        /// What went wrong.
        error: io::Error,
    },
}

/// What ingest read.
#[derive(Debug, Default)]
pub struct Ingested {
    /// Documents sorted by id; ids are unique.
    pub documents: Vec<Document>,
    /// Problems met, in path order.
    pub warnings: Vec<Warning>,
}

/// Reads every document under `paths`.
///
/// Fails only if a path does not exist; every other problem is a warning.
pub fn ingest(paths: &[PathBuf], options: &IngestOptions) -> Result<Ingested, IngestError> {
    let plan = Plan::new(paths, options)?;
    let mut documents = Vec::new();
    let mut warnings = plan.read(options, &mut |batch| documents.extend(batch));
    dedupe_ids(&mut documents, &mut warnings);
    Ok(Ingested {
        documents,
        warnings,
    })
}

/// The files found under some paths, not yet read: what [`ingest`] does in two steps, for a
/// caller that wants to see the size of the input first or to take documents as they come.
pub struct Plan {
    tasks: Vec<Task>,
    warnings: Vec<Warning>,
}

impl Plan {
    /// Walks `paths`. Fails only if one does not exist.
    pub fn new(paths: &[PathBuf], options: &IngestOptions) -> Result<Plan, IngestError> {
        let mut tasks = Vec::new();
        let mut warnings = Vec::new();
        for root in paths {
            if fs::symlink_metadata(root).is_err() {
                return Err(IngestError::NotFound(root.clone()));
            }
            let before = (tasks.len(), warnings.len());
            collect_files(root, options, &mut tasks, &mut warnings);
            if (tasks.len(), warnings.len()) == before && root.is_dir() {
                // Not a problem with any file, but a folder named on the command line that
                // gives nothing is most often the wrong folder: say so rather than report on
                // nothing.
                let hidden = if options.no_ignore {
                    ""
                } else {
                    " (hidden and ignored files were not looked at; --no-ignore reads them)"
                };
                warnings.push(warning(
                    root,
                    None,
                    WarningKind::Empty,
                    &format!("folder holds no file to read{hidden}"),
                ));
            }
        }
        Ok(Plan { tasks, warnings })
    }

    /// The files to read, in reading order: each one's path, the id its document gets (a
    /// JSONL corpus's records take theirs from the record), and what kind it is. For an engine
    /// that reads the bytes itself and hands them to [`document_from_bytes`].
    pub fn files(&self) -> impl Iterator<Item = (&Path, &str, SourceKind)> {
        self.tasks.iter().map(|t| {
            let kind = match t.kind {
                FileKind::Text => SourceKind::Text,
                FileKind::Html => SourceKind::Html,
                FileKind::Jsonl => SourceKind::JsonlFile,
            };
            (t.path.as_path(), t.id.as_str(), kind)
        })
    }

    /// The problems met walking the paths.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    /// Bytes of the files to be read.
    pub fn bytes(&self) -> u64 {
        self.tasks.iter().map(|t| t.size).sum()
    }

    /// Reads every file, handing its documents to `sink` in batches as they are read, in path
    /// order (and record order within a JSONL file). Returns the warnings: the walk's first,
    /// then each file's in path order. Ids are not yet made unique: see [`dedupe_ids`].
    pub fn read(
        self,
        options: &IngestOptions,
        sink: &mut dyn FnMut(Vec<Document>),
    ) -> Vec<Warning> {
        let mut warnings = self.warnings;
        // Files are read in parallel a chunk at a time, so that a directory of a million
        // files is never held whole; a JSONL file parallelizes within itself.
        for run in self.tasks.chunk_by(|a, b| {
            !matches!(a.kind, FileKind::Jsonl) && !matches!(b.kind, FileKind::Jsonl)
        }) {
            for chunk in run.chunks(FILES_A_BATCH) {
                if let [task] = chunk
                    && let FileKind::Jsonl = task.kind
                {
                    read_jsonl(&task.path, options, &mut warnings, sink);
                    continue;
                }
                let results: Vec<(Vec<Document>, Vec<Warning>)> = chunk
                    .par_iter()
                    .map(|task| read_task(task, options))
                    .collect();
                let mut documents = Vec::new();
                for (docs, warns) in results {
                    documents.extend(docs);
                    warnings.extend(warns);
                }
                sink(documents);
            }
        }
        warnings
    }
}

/// Files read in parallel before their documents are handed on.
const FILES_A_BATCH: usize = 1024;

/// A file to read and the id to give it.
struct Task {
    path: PathBuf,
    id: String,
    kind: FileKind,
    /// Bytes on disk.
    size: u64,
}

#[derive(Clone, Copy)]
enum FileKind {
    Text,
    Html,
    Jsonl,
}

fn file_kind(path: &Path) -> Option<FileKind> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "txt" | "text" | "md" | "markdown" => Some(FileKind::Text),
        "html" | "htm" | "xhtml" => Some(FileKind::Html),
        "jsonl" | "ndjson" => Some(FileKind::Jsonl),
        _ => None,
    }
}

fn collect_files(
    root: &Path,
    options: &IngestOptions,
    tasks: &mut Vec<Task>,
    warnings: &mut Vec<Warning>,
) {
    if !root.is_dir() {
        // A file named on the command line is read whatever its extension says, as text.
        let kind = file_kind(root).unwrap_or(FileKind::Text);
        match task_of(
            root.to_path_buf(),
            root.display().to_string(),
            kind,
            options,
        ) {
            Ok(task) => tasks.push(task),
            Err(problem) => warnings.push(problem),
        }
        return;
    }
    let walker = ignore::WalkBuilder::new(root)
        .follow_links(true)
        .require_git(false)
        .standard_filters(!options.no_ignore)
        .sort_by_file_name(|a, b| a.cmp(b))
        .build();
    // The walk lists the files in order; each is then looked at (its size, whether it is still
    // a file) on every thread: one call to the kernel a file. Made in turn with the walk, they
    // and it took half the time of reading a folder of 19,043 stories.
    let mut listed: Vec<Result<(PathBuf, String, FileKind), Warning>> = Vec::new();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                listed.push(Err(walk_warning(root, &error)));
                continue;
            }
        };
        let Some(file_type) = entry.file_type() else {
            continue; // stdin; never produced by a directory walk
        };
        if file_type.is_dir() {
            continue;
        }
        let path = entry.into_path();
        if !file_type.is_file() {
            listed.push(Err(warning(
                &path,
                None,
                WarningKind::NotAFile,
                "not a regular file (FIFO, socket or device); not read",
            )));
            continue;
        }
        let id = path
            .strip_prefix(root)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        match file_kind(&path) {
            Some(kind) => listed.push(Ok((path, id, kind))),
            None => listed.push(Err(warning(
                &path,
                None,
                WarningKind::Unsupported,
                "unsupported extension (reads .txt, .md, .html, .htm, .jsonl); skipped",
            ))),
        }
    }
    let looked_at: Vec<Result<Task, Warning>> = listed
        .into_par_iter()
        .map(|file| file.and_then(|(path, id, kind)| task_of(path, id, kind, options)))
        .collect();
    for result in looked_at {
        match result {
            Ok(task) => tasks.push(task),
            Err(problem) => warnings.push(problem),
        }
    }
}

/// The task of reading a file the walk listed, or why it will not be read.
fn task_of(
    path: PathBuf,
    id: String,
    kind: FileKind,
    options: &IngestOptions,
) -> Result<Task, Warning> {
    match fs::metadata(&path) {
        Err(error) => Err(io_warning(&path, &error)),
        Ok(meta) if !meta.is_file() => Err(warning(
            &path,
            None,
            WarningKind::NotAFile,
            "not a regular file (FIFO, socket or device); not read",
        )),
        Ok(meta) if !matches!(kind, FileKind::Jsonl) && meta.len() > options.max_file_size => {
            Err(too_large(&path, None, meta.len(), options.max_file_size))
        }
        Ok(meta) => Ok(Task {
            path,
            id,
            kind,
            size: meta.len(),
        }),
    }
}

fn read_task(task: &Task, options: &IngestOptions) -> (Vec<Document>, Vec<Warning>) {
    let mut warnings = Vec::new();
    if let FileKind::Jsonl = task.kind {
        let mut documents = Vec::new();
        read_jsonl(&task.path, options, &mut warnings, &mut |batch| {
            documents.extend(batch)
        });
        return (documents, warnings);
    }
    let bytes = match read_bounded(&task.path, task.size, options.max_file_size) {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            let size = fs::metadata(&task.path).map(|m| m.len()).unwrap_or(0);
            warnings.push(too_large(&task.path, None, size, options.max_file_size));
            return (Vec::new(), warnings);
        }
        Err(error) => {
            warnings.push(io_warning(&task.path, &error));
            return (Vec::new(), warnings);
        }
    };
    let document = file_document(
        &task.path,
        &task.id,
        task.kind,
        bytes,
        options,
        &mut warnings,
    );
    (document.into_iter().collect(), warnings)
}

/// A text or HTML file's document from its bytes, or `None` (with a warning) if it has none.
fn file_document(
    path: &Path,
    id: &str,
    kind: FileKind,
    bytes: Vec<u8>,
    options: &IngestOptions,
    warnings: &mut Vec<Warning>,
) -> Option<Document> {
    let was_empty = bytes.is_empty();
    let mut text = decode_or_warn(bytes, path, None, options, warnings)?;
    let document = match kind {
        FileKind::Html => {
            let mut document = Document::from_html(id.to_string(), path.to_path_buf(), &text);
            drop(text);
            limit_words(&mut document, options.max_words, warnings);
            document
        }
        _ => {
            limit_text(&mut text, (path, None), options.max_words, warnings);
            Document::from_text(id.to_string(), path.to_path_buf(), &text)
        }
    };
    if document.text.trim().is_empty() {
        let what = if was_empty {
            "empty file; skipped"
        } else {
            "no text in the file; skipped"
        };
        warnings.push(warning(path, None, WarningKind::Empty, what));
        return None;
    }
    Some(document)
}

/// What a piece of input read by someone else is (see [`document_from_bytes`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceKind {
    /// A plain text or Markdown file.
    Text,
    /// An HTML file.
    Html,
    /// A JSONL corpus, read a line at a time ([`SourceKind::JsonlRecord`]).
    JsonlFile,
    /// One line of a JSONL corpus.
    JsonlRecord,
}

/// The document that `bytes` make, exactly as reading them from their file would: a text or
/// HTML file's whole bytes, with the id [`Plan::files`] gives it, or one line of a JSONL
/// corpus (without its line break), with its 1-based line number as `record`. `None` when
/// they make none (a blank line gives no warning, as in a file; other cases do). For engines
/// that read the input themselves and hand crosscheck the bytes.
pub fn document_from_bytes(
    kind: SourceKind,
    path: &Path,
    id: &str,
    record: Option<u64>,
    bytes: Vec<u8>,
    options: &IngestOptions,
) -> (Option<Document>, Vec<Warning>) {
    let mut warnings = Vec::new();
    let document = match kind {
        SourceKind::Text | SourceKind::Html => {
            if bytes.len() as u64 > options.max_file_size {
                warnings.push(too_large(
                    path,
                    None,
                    bytes.len() as u64,
                    options.max_file_size,
                ));
                None
            } else {
                let kind = match kind {
                    SourceKind::Html => FileKind::Html,
                    _ => FileKind::Text,
                };
                file_document(path, id, kind, bytes, options, &mut warnings)
            }
        }
        SourceKind::JsonlFile | SourceKind::JsonlRecord => {
            let mut bytes = bytes;
            if bytes.last() == Some(&b'\r') {
                bytes.pop();
            }
            let number = record.unwrap_or(0);
            if bytes.len() as u64 > options.max_file_size {
                let size = bytes.len() as u64 + 1;
                warnings.push(too_large(path, Some(number), size, options.max_file_size));
                None
            } else if bytes.iter().all(u8::is_ascii_whitespace) {
                None
            } else {
                parse_record(path, number, bytes, options, &mut warnings)
            }
        }
    };
    (document, warnings)
}

/// Reads a whole file, or `None` if it turns out larger than `limit` while reading. `size` is
/// what the file held when it was listed: room for it, and a byte to find the end, is taken at
/// once. From an empty vector, reading grew it step by step, a read call each: a folder of the
/// 19,043 Reuters-21578 stories took 127,135 reads where it now takes two a file.
fn read_bounded(path: &Path, size: u64, limit: u64) -> io::Result<Option<Vec<u8>>> {
    let mut bytes = Vec::with_capacity(size.min(limit) as usize + 1);
    fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    Ok((bytes.len() as u64 <= limit).then_some(bytes))
}

fn decode_or_warn(
    bytes: Vec<u8>,
    path: &Path,
    line: Option<u64>,
    options: &IngestOptions,
    warnings: &mut Vec<Warning>,
) -> Option<String> {
    match decode::decode_owned(bytes) {
        Decoded::Text(text) => Some(text),
        Decoded::Binary { offset } => {
            warnings.push(warning(
                path,
                line,
                WarningKind::Binary,
                &format!("binary file (NUL byte at offset {offset}); skipped"),
            ));
            None
        }
        Decoded::Repaired { text, offset, how } => {
            let (message, keep) = if options.strict {
                (
                    format!("invalid UTF-8 at byte {offset}; skipped (--strict)"),
                    None,
                )
            } else {
                (
                    format!("invalid UTF-8 at byte {offset}; read as {how}"),
                    Some(text),
                )
            };
            warnings.push(warning(path, line, WarningKind::InvalidUtf8, &message));
            keep
        }
    }
}

fn read_jsonl(
    path: &Path,
    options: &IngestOptions,
    warnings: &mut Vec<Warning>,
    sink: &mut dyn FnMut(Vec<Document>),
) {
    match fs::File::open(path) {
        Ok(file) => read_jsonl_into(
            BufReader::with_capacity(1 << 20, file),
            path,
            options,
            warnings,
            sink,
        ),
        Err(error) => warnings.push(io_warning(path, &error)),
    }
}

/// Reads a JSONL corpus from `reader`, one `{"id", "text", ...}` object a line; `path` names it
/// in documents and warnings. Bad lines become warnings and the rest is still read.
pub fn read_jsonl_from(
    reader: impl BufRead,
    path: &Path,
    options: &IngestOptions,
    warnings: &mut Vec<Warning>,
) -> Vec<Document> {
    let mut documents = Vec::new();
    read_jsonl_into(reader, path, options, warnings, &mut |batch| {
        documents.extend(batch)
    });
    documents
}

/// [`read_jsonl_from`], handing documents to `sink` a batch at a time.
fn read_jsonl_into(
    mut reader: impl BufRead,
    path: &Path,
    options: &IngestOptions,
    warnings: &mut Vec<Warning>,
    sink: &mut dyn FnMut(Vec<Document>),
) {
    let mut batch: Vec<(u64, Vec<u8>)> = Vec::new();
    let mut batch_bytes = 0;
    let mut number = 0u64;
    loop {
        number += 1;
        let done = match read_line_bounded(&mut reader, options.max_file_size) {
            Ok(Some(LineRead::Line(bytes))) => {
                if !bytes.iter().all(u8::is_ascii_whitespace) {
                    batch_bytes += bytes.len();
                    batch.push((number, bytes));
                }
                false
            }
            Ok(Some(LineRead::TooLong(size))) => {
                warnings.push(too_large(path, Some(number), size, options.max_file_size));
                false
            }
            Ok(None) => true,
            Err(error) => {
                let mut w = io_warning(path, &error);
                w.line = Some(number);
                warnings.push(w);
                true
            }
        };
        // Records are parsed in batches, in parallel, so that a large corpus is never held
        // as raw JSON and as documents at once.
        if done || batch_bytes >= JSONL_BATCH_BYTES {
            let parsed: Vec<(Option<Document>, Vec<Warning>)> = std::mem::take(&mut batch)
                .into_par_iter()
                .map(|(number, bytes)| {
                    let mut warnings = Vec::new();
                    let doc = parse_record(path, number, bytes, options, &mut warnings);
                    (doc, warnings)
                })
                .collect();
            let mut documents = Vec::with_capacity(parsed.len());
            for (doc, warns) in parsed {
                documents.extend(doc);
                warnings.extend(warns);
            }
            sink(documents);
            batch_bytes = 0;
        }
        if done {
            return;
        }
    }
}

/// Raw JSON read before a batch of records is parsed.
const JSONL_BATCH_BYTES: usize = 32 << 20;

enum LineRead {
    Line(Vec<u8>),
    /// The line was longer than the limit and was skipped; its length in bytes.
    TooLong(u64),
}

/// Reads one line, never holding more than `limit` bytes of it.
fn read_line_bounded(reader: &mut impl BufRead, limit: u64) -> io::Result<Option<LineRead>> {
    let mut line = Vec::new();
    let mut total = 0u64;
    let mut too_long = false;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            if total == 0 {
                return Ok(None);
            }
            break;
        }
        let (chunk, done) = match memchr::memchr(b'\n', buf) {
            Some(at) => (&buf[..at], Some(at + 1)),
            None => (buf, None),
        };
        total += chunk.len() as u64;
        if total > limit {
            too_long = true;
            line = Vec::new();
        } else {
            line.extend_from_slice(chunk);
        }
        let used = done.unwrap_or(buf.len());
        reader.consume(used);
        if done.is_some() {
            total += 1;
            break;
        }
    }
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    Ok(Some(if too_long {
        LineRead::TooLong(total)
    } else {
        LineRead::Line(line)
    }))
}

fn parse_record(
    path: &Path,
    number: u64,
    bytes: Vec<u8>,
    options: &IngestOptions,
    warnings: &mut Vec<Warning>,
) -> Option<Document> {
    // JSON is UTF-8; a record with bad bytes is decoded like a file, then parsed.
    let text = decode_or_warn(bytes, path, Some(number), options, warnings)?;
    let value: Value = match serde_json::from_str(&text) {
        Ok(value) => value,
        Err(error) => {
            warnings.push(warning(
                path,
                Some(number),
                WarningKind::BadJson,
                &format!("not valid JSON ({error}); skipped"),
            ));
            return None;
        }
    };
    let Value::Object(mut object) = value else {
        warnings.push(warning(
            path,
            Some(number),
            WarningKind::BadJson,
            "not a JSON object; skipped",
        ));
        return None;
    };
    let text = match object.remove("text") {
        Some(Value::String(text)) => text,
        Some(_) => {
            warnings.push(warning(
                path,
                Some(number),
                WarningKind::MissingText,
                "\"text\" is not a string; skipped",
            ));
            return None;
        }
        None => {
            warnings.push(warning(
                path,
                Some(number),
                WarningKind::MissingText,
                "no \"text\" field; skipped",
            ));
            return None;
        }
    };
    let id = match object.remove("id") {
        Some(Value::String(id)) if !id.is_empty() => id,
        Some(Value::Number(id)) => id.to_string(),
        _ => {
            let id = format!("{}:{number}", path.display());
            warnings.push(warning(
                path,
                Some(number),
                WarningKind::MissingId,
                &format!("no string or number \"id\"; using {id:?}"),
            ));
            id
        }
    };
    if text.trim().is_empty() {
        warnings.push(warning(
            path,
            Some(number),
            WarningKind::Empty,
            &format!("record {id:?} has empty text; skipped"),
        ));
        return None;
    }
    let mut text = text;
    limit_text(&mut text, (path, Some(number)), options.max_words, warnings);
    let mut document = Document::from_text(id, path, &text);
    document.record = Some(number);
    document.format = Format::Jsonl;
    document.meta = object;
    Some(document)
}

/// Where to cut `text` to keep its first `max` words (runs of non-whitespace), and how many
/// words it has; `None` if it has no more than `max`.
fn word_cut(text: &str, max: usize) -> Option<(usize, usize)> {
    if text.len() <= max {
        return None; // every word takes at least one byte
    }
    let mut words = 0usize;
    let mut cut = None;
    let mut in_word = false;
    for (i, c) in text.char_indices() {
        let space = c.is_whitespace();
        if !space && !in_word {
            words += 1;
            if words == max + 1 {
                cut = Some(i);
            }
        }
        in_word = !space;
    }
    cut.map(|at| (text[..at].trim_end().len(), words))
}

/// Cuts a text after its first `max` words, with a warning; before a document is built from
/// it, so that the rest is never copied.
fn limit_text(
    text: &mut String,
    (path, record): (&Path, Option<u64>),
    max: usize,
    warnings: &mut Vec<Warning>,
) {
    if let Some((end, words)) = word_cut(text, max) {
        text.truncate(end);
        text.shrink_to_fit();
        warnings.push(truncated(path, record, words, max));
    }
}

/// Cuts a document after its first `max` words, with a warning: for HTML, whose words are only
/// known once the text is extracted.
fn limit_words(document: &mut Document, max: usize, warnings: &mut Vec<Warning>) {
    let Some((end, words)) = word_cut(&document.text, max) else {
        return;
    };
    document.text.truncate(end);
    document.text.shrink_to_fit();
    document
        .lines
        .retain(|line| (line.start as usize) < end || line.start == 0);
    for line in &mut document.lines {
        line.end = line.end.min(end as u32);
    }
    warnings.push(truncated(&document.path, document.record, words, max));
}

fn truncated(path: &Path, record: Option<u64>, words: usize, max: usize) -> Warning {
    warning(
        path,
        record,
        WarningKind::Truncated,
        &format!(
            "{words} words, over the {max}-word limit (--max-words); only the first {max} are compared"
        ),
    )
}

/// Gives every document a unique id: later duplicates get `~2`, `~3`, ... and a warning.
/// Something with an id that must be unique in the collection: a [`Document`], or what a
/// run keeps of one whose text it has set aside.
pub trait Identified {
    /// The id.
    fn id(&self) -> &str;
    /// Gives it another id.
    fn rename(&mut self, id: String);
    /// The file it came from, and its line for a JSONL record.
    fn origin(&self) -> (&Path, Option<u64>);
}

impl Identified for Document {
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

/// Makes ids unique: of several documents with one id, the first by path (and record) keeps
/// it and the others get `id~2`, `id~3`, ..., each with a warning. Leaves them sorted by id.
pub fn dedupe_ids<T: Identified>(documents: &mut [T], warnings: &mut Vec<Warning>) {
    documents.sort_by(|a, b| (a.id(), a.origin()).cmp(&(b.id(), b.origin())));
    let mut taken: HashSet<String> = documents.iter().map(|d| d.id().to_string()).collect();
    let mut first_at: HashMap<String, String> = HashMap::new();
    for document in documents.iter_mut() {
        let (path, record) = document.origin();
        let location = match record {
            Some(line) => format!("{}:{line}", path.display()),
            None => path.display().to_string(),
        };
        let Some(first) = first_at.get(document.id()) else {
            first_at.insert(document.id().to_string(), location);
            continue;
        };
        let base = document.id().to_string();
        let renamed = (2..)
            .map(|n| format!("{base}~{n}"))
            .find(|candidate| !taken.contains(candidate))
            .expect("an unbounded range always has a free suffix");
        warnings.push(warning(
            path,
            record,
            WarningKind::DuplicateId,
            &format!("duplicate id {base:?} (first at {first}); renamed to {renamed:?}"),
        ));
        taken.insert(renamed.clone());
        document.rename(renamed);
    }
    documents.sort_by(|a, b| a.id().cmp(b.id()));
}

fn warning(path: &Path, line: Option<u64>, kind: WarningKind, message: &str) -> Warning {
    Warning {
        path: path.display().to_string(),
        line,
        kind,
        message: message.to_string(),
    }
}

fn too_large(path: &Path, line: Option<u64>, size: u64, limit: u64) -> Warning {
    let what = if line.is_some() { "record" } else { "file" };
    warning(
        path,
        line,
        WarningKind::TooLarge,
        &format!(
            "{what} of {size} bytes is over the {limit}-byte limit (--max-file-size); skipped"
        ),
    )
}

fn io_warning(path: &Path, error: &io::Error) -> Warning {
    let message = match error.kind() {
        io::ErrorKind::NotFound => "vanished or a broken link; skipped".to_string(),
        io::ErrorKind::PermissionDenied => "permission denied; skipped".to_string(),
        _ => format!("cannot read ({error}); skipped"),
    };
    warning(path, None, WarningKind::Unreadable, &message)
}

fn walk_warning(root: &Path, error: &ignore::Error) -> Warning {
    let mut path = root.to_path_buf();
    let mut current = error;
    loop {
        match current {
            ignore::Error::WithPath { path: p, err } => {
                path = p.clone();
                current = err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                current = err
            }
            ignore::Error::Loop { ancestor, child } => {
                return warning(
                    child,
                    None,
                    WarningKind::SymlinkLoop,
                    &format!(
                        "symbolic link loop back to {}; not followed",
                        ancestor.display()
                    ),
                );
            }
            ignore::Error::Io(io) => return io_warning(&path, io),
            other => {
                return warning(
                    &path,
                    None,
                    WarningKind::Unreadable,
                    &format!("cannot read ({other}); skipped"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_lines_keep_their_numbers() {
        let doc = Document::from_text("a", "a.txt", "one\r\ntwo\n\nfour");
        assert_eq!(doc.lines.len(), 4);
        assert_eq!(doc.line(1), "two");
        assert_eq!(doc.lines[3].number, 4);
    }

    #[test]
    fn bounded_lines_skip_what_is_too_long() {
        let data = b"short\nthis one is far too long\nok\n";
        let mut reader = BufReader::with_capacity(4, &data[..]);
        let mut got = Vec::new();
        while let Some(line) = read_line_bounded(&mut reader, 8).unwrap() {
            got.push(match line {
                LineRead::Line(bytes) => String::from_utf8(bytes).unwrap(),
                LineRead::TooLong(n) => format!("<{n}>"),
            });
        }
        assert_eq!(got, vec!["short", "<25>", "ok"]);
    }

    #[test]
    fn a_file_that_vanishes_after_the_walk_is_a_warning_and_the_rest_is_read() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.txt"), "Gone before it is read.").unwrap();
        fs::write(dir.path().join("b.txt"), "Still here.").unwrap();
        let options = IngestOptions::default();
        let (mut tasks, mut warnings) = (Vec::new(), Vec::new());
        collect_files(dir.path(), &options, &mut tasks, &mut warnings);
        assert_eq!(tasks.len(), 2);
        fs::remove_file(dir.path().join("a.txt")).unwrap();
        let (gone, read): (Vec<_>, Vec<_>) = tasks
            .iter()
            .map(|task| read_task(task, &options))
            .partition(|(documents, _)| documents.is_empty());
        assert_eq!(read.len(), 1);
        assert_eq!(read[0].0[0].text, "Still here.");
        let warning = &gone[0].1[0];
        assert_eq!(warning.kind, WarningKind::Unreadable);
        assert!(warning.path.ends_with("a.txt"), "{warning}");
        assert!(warning.message.starts_with("vanished"), "{warning}");
    }

    #[test]
    fn words_beyond_the_limit_are_cut_with_a_warning() {
        let mut doc = Document::from_text("a", "a.txt", "one two\nthree  four\nfive six");
        let mut warnings = Vec::new();
        limit_words(&mut doc, 3, &mut warnings);
        assert_eq!(doc.text, "one two\nthree");
        assert_eq!(doc.lines.len(), 2);
        assert_eq!(doc.line(1), "three");
        assert_eq!(warnings[0].kind, WarningKind::Truncated);
        assert!(
            warnings[0].message.starts_with("6 words"),
            "{}",
            warnings[0]
        );
        let mut short = Document::from_text("b", "b.txt", "one two");
        limit_words(&mut short, 2, &mut warnings);
        assert_eq!((short.text.as_str(), warnings.len()), ("one two", 1));
    }

    #[test]
    fn io_errors_say_what_went_wrong() {
        let path = Path::new("locked/file.txt");
        let denied = io_warning(path, &io::Error::from(io::ErrorKind::PermissionDenied));
        assert_eq!(
            denied.to_string(),
            "locked/file.txt: permission denied; skipped"
        );
        assert_eq!(denied.kind, WarningKind::Unreadable);
        let gone = io_warning(path, &io::Error::from(io::ErrorKind::NotFound));
        assert_eq!(
            gone.to_string(),
            "locked/file.txt: vanished or a broken link; skipped"
        );
    }

    #[test]
    fn duplicate_ids_are_renamed_with_a_warning() {
        let mut docs = vec![
            Document::from_text("x", "a/x.txt", "one"),
            Document::from_text("x", "b/x.txt", "two"),
            Document::from_text("x~2", "c.txt", "three"),
        ];
        let mut warnings = Vec::new();
        dedupe_ids(&mut docs, &mut warnings);
        let ids: Vec<_> = docs.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, vec!["x", "x~2", "x~3"]);
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].kind, WarningKind::DuplicateId);
        assert!(warnings[0].message.contains("a/x.txt"), "{}", warnings[0]);
    }
}
