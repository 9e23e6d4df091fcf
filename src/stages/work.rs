//! The stages' files in a work directory, as the `crosscheck stage` commands read and write
//! them: each stage a separate process, the files the only thing they share.
//!
//! Each stage writes one file a shard for a map stage (`lines-1-of-3.json`), one in all for a
//! reduction (`recurring.json`). Every file carries a header: the stage, the settings and the
//! crosscheck version, and the size of the collection. The JSON files are
//! `{"header": ..., "body": ...}`; `sign`'s, which hold most of the bytes and which the Python
//! module writes and reads too, are Parquet with the header in the file's metadata
//! ([`parquet`]). A stage given a file made with other settings or from another collection
//! stops with an error that names the file and what differs. A file is written whole under a
//! temporary name and renamed, so a retried stage replaces its output with the same bytes and
//! a reader never sees half.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::{
    Candidates, Drawn, Input, LineRecord, Shard, SignedRecord, SketchRecord, StageError,
    Verification, parquet,
};
use crate::Options;
use crate::report::Report;

/// What the header's `format` says.
const FORMAT: &str = "crosscheck stage 1";

/// A work directory and the settings every file in it must have been made with.
pub struct Work {
    dir: PathBuf,
    options: Options,
    settings: BTreeMap<String, String>,
}

/// What a stage's file says about itself.
#[derive(Debug, Serialize, Deserialize)]
struct Header {
    format: String,
    stage: String,
    settings: BTreeMap<String, String>,
    documents: u64,
    shard: Option<Shard>,
}

#[derive(Serialize)]
struct Written<'a, T> {
    header: Header,
    body: &'a T,
}

#[derive(Deserialize)]
struct Read<T> {
    header: Header,
    body: T,
}

/// Why a stage could not read or write its files.
#[derive(Debug, thiserror::Error)]
pub enum WorkError {
    /// A file or the directory could not be read or written.
    #[error("{}: {error}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// What went wrong.
        error: io::Error,
    },
    /// A stage's output is not there yet.
    #[error("{}: not there (run `crosscheck stage {stage}` first)", path.display())]
    NotYet {
        /// The file.
        path: PathBuf,
        /// The stage that writes it.
        stage: &'static str,
    },
    /// A file is not what its name says.
    #[error("{}: not a crosscheck {stage} file: {message}", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// The stage whose output it should be.
        stage: &'static str,
        /// What is wrong with it.
        message: String,
    },
    /// A file was made with other settings than this run's.
    #[error("{}: made with other settings: {theirs} there, {ours} here", path.display())]
    Settings {
        /// The file.
        path: PathBuf,
        /// The setting as the file has it.
        theirs: String,
        /// The setting as this run has it.
        ours: String,
    },
    /// A file was made from another collection (or another reading of it).
    #[error("{}: made from a collection of {theirs} documents; this one has {ours}", path.display())]
    Collection {
        /// The file.
        path: PathBuf,
        /// Its collection's size.
        theirs: u64,
        /// This run's.
        ours: u64,
    },
    /// A stage's files do not cover its shards once each.
    #[error("{}: {message}", dir.display())]
    Shards {
        /// The work directory.
        dir: PathBuf,
        /// What is missing or extra.
        message: String,
    },
    /// The files are readable but do not fit together.
    #[error("{}: {error}", dir.display())]
    Stage {
        /// The work directory.
        dir: PathBuf,
        /// What does not fit.
        error: StageError,
    },
}

/// The settings a stage's output depends on, as its header records them.
fn settings(options: &Options) -> BTreeMap<String, String> {
    [
        ("crosscheck", env!("CARGO_PKG_VERSION").to_string()),
        ("ingest", format!("{:?}", options.ingest)),
        ("chrome", format!("{:?}", options.chrome)),
        ("index", format!("{:?}", options.index)),
        ("align", format!("{:?}", options.align)),
        ("judge", format!("{:?}", options.judge)),
        ("cross", format!("{:?}", options.cross)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// The first field in which two settings' descriptions differ, each side as "key: field".
fn first_difference(key: &str, theirs: &str, ours: &str) -> (String, String) {
    let fields = |s: &str| -> Vec<String> { s.split(", ").map(str::to_string).collect() };
    let (t, o) = (fields(theirs), fields(ours));
    let at = t.iter().zip(&o).position(|(t, o)| t != o).unwrap_or(0);
    let side = |f: &[String]| format!("{key} {}", f.get(at).map_or("", String::as_str));
    (side(&t), side(&o))
}

impl Work {
    /// The work directory `dir` (made if missing) for a run with `options`.
    pub fn new(dir: &Path, options: &Options) -> Result<Work, WorkError> {
        std::fs::create_dir_all(dir).map_err(|error| WorkError::Io {
            path: dir.to_path_buf(),
            error,
        })?;
        Ok(Work {
            dir: dir.to_path_buf(),
            options: options.clone(),
            settings: settings(options),
        })
    }

    fn file(&self, stage: &str, shard: Option<Shard>) -> PathBuf {
        let extension = extension(stage);
        self.dir.join(match shard {
            Some(s) => format!("{stage}-{}-of-{}.{extension}", s.index, s.count),
            None => format!("{stage}.{extension}"),
        })
    }

    /// Writes a stage's JSON file.
    fn write<T: Serialize>(
        &self,
        stage: &'static str,
        shard: Option<Shard>,
        documents: usize,
        body: &T,
    ) -> Result<PathBuf, WorkError> {
        self.write_with(stage, shard, documents, |out, header| {
            serde_json::to_writer(out, &Written { header, body }).map_err(io::Error::from)
        })
    }

    /// Writes a stage's file with `put`, whole under a temporary name and then renamed.
    fn write_with(
        &self,
        stage: &'static str,
        shard: Option<Shard>,
        documents: usize,
        put: impl FnOnce(&mut BufWriter<File>, Header) -> io::Result<()>,
    ) -> Result<PathBuf, WorkError> {
        let path = self.file(stage, shard);
        let partial = self.dir.join(format!(
            ".{}.{}.partial",
            path.file_name().and_then(|n| n.to_str()).unwrap_or(stage),
            std::process::id()
        ));
        let io_error = |error| WorkError::Io {
            path: partial.clone(),
            error,
        };
        let file = File::create(&partial).map_err(io_error)?;
        let mut out = BufWriter::new(file);
        let header = self.header(stage, documents, shard);
        put(&mut out, header).map_err(io_error)?;
        out.flush().map_err(io_error)?;
        out.get_ref().sync_all().map_err(io_error)?;
        drop(out);
        std::fs::rename(&partial, &path).map_err(|error| WorkError::Io {
            path: path.clone(),
            error,
        })?;
        Ok(path)
    }

    fn header(&self, stage: &str, documents: usize, shard: Option<Shard>) -> Header {
        Header {
            format: FORMAT.to_string(),
            stage: stage.to_string(),
            settings: self.settings.clone(),
            documents: documents as u64,
            shard,
        }
    }

    /// Reads one file of `stage` with `load`, checking its header against this run.
    fn read_file<T>(
        &self,
        path: &Path,
        stage: &'static str,
        load: Loader<'_, T>,
    ) -> Result<(Header, T), WorkError> {
        let file = File::open(path).map_err(|error| match error.kind() {
            io::ErrorKind::NotFound => WorkError::NotYet {
                path: path.to_path_buf(),
                stage,
            },
            _ => WorkError::Io {
                path: path.to_path_buf(),
                error,
            },
        })?;
        let format_error = |message: String| WorkError::Format {
            path: path.to_path_buf(),
            stage,
            message,
        };
        let (header, body) = load(file).map_err(format_error)?;
        check_header(&self.settings, path, stage, &header)?;
        Ok((header, body))
    }

    /// Reads the one file of the reduction `stage`; with its collection's size.
    fn read_one<T: DeserializeOwned>(
        &self,
        stage: &'static str,
        documents: Option<usize>,
    ) -> Result<(usize, T), WorkError> {
        let path = self.file(stage, None);
        let (header, body) = self.read_file(&path, stage, &json::<T>)?;
        check_documents(&path, header.documents, documents)?;
        Ok((header.documents as usize, body))
    }

    /// Reads every shard's file of the map stage `stage`, in shard order; with their
    /// collection's size. The files must be of one count of shards and cover each once.
    fn read_shards<T: DeserializeOwned>(
        &self,
        stage: &'static str,
        documents: Option<usize>,
    ) -> Result<(usize, Vec<T>), WorkError> {
        self.read_shards_with(stage, documents, &json::<T>)
    }

    /// [`Work::read_shards`] for files read by `load`.
    fn read_shards_with<T>(
        &self,
        stage: &'static str,
        documents: Option<usize>,
        load: Loader<'_, T>,
    ) -> Result<(usize, Vec<T>), WorkError> {
        let suffix = format!(".{}", extension(stage));
        let entries = std::fs::read_dir(&self.dir).map_err(|error| WorkError::Io {
            path: self.dir.clone(),
            error,
        })?;
        let mut found: Vec<(Shard, PathBuf)> = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|error| WorkError::Io {
                path: self.dir.clone(),
                error,
            })?;
            let name = entry.file_name();
            let Some(name) = name.to_str() else { continue };
            let Some(rest) = name
                .strip_prefix(stage)
                .and_then(|r| r.strip_prefix('-'))
                .and_then(|r| r.strip_suffix(suffix.as_str()))
            else {
                continue;
            };
            let shard = rest
                .split_once("-of-")
                .and_then(|(i, n)| format!("{i}/{n}").parse::<Shard>().ok());
            match shard {
                Some(shard) => found.push((shard, entry.path())),
                None => {
                    return Err(WorkError::Shards {
                        dir: self.dir.clone(),
                        message: format!("{name}: not named {stage}-I-of-N{suffix}"),
                    });
                }
            }
        }
        found.sort_by_key(|(s, _)| (s.count, s.index));
        let shards_error = |message: String| WorkError::Shards {
            dir: self.dir.clone(),
            message,
        };
        let Some(count) = found.first().map(|(s, _)| s.count) else {
            return Err(shards_error(format!(
                "no {stage} files (run `crosscheck stage {stage}` first)"
            )));
        };
        if found.iter().any(|(s, _)| s.count != count) {
            return Err(shards_error(format!(
                "{stage} files of different shard counts: remove the stale ones"
            )));
        }
        let have: Vec<u32> = found.iter().map(|(s, _)| s.index).collect();
        if have != (0..count).collect::<Vec<_>>() {
            let missing: Vec<String> = (0..count)
                .filter(|i| !have.contains(i))
                .map(|i| i.to_string())
                .collect();
            return Err(shards_error(format!(
                "{stage} files for {} of {count} shards; missing shard {}",
                have.len(),
                missing.join(", ")
            )));
        }
        let mut size = documents;
        let mut bodies = Vec::with_capacity(found.len());
        for (shard, path) in found {
            let (header, body) = self.read_file(&path, stage, load)?;
            if header.shard != Some(shard) {
                return Err(WorkError::Format {
                    path,
                    stage,
                    message: format!("its header says shard {:?}", header.shard),
                });
            }
            check_documents(&path, header.documents, size)?;
            size = Some(header.documents as usize);
            bodies.push(body);
        }
        Ok((size.unwrap_or(0), bodies))
    }

    fn stage_error(&self, error: StageError) -> WorkError {
        WorkError::Stage {
            dir: self.dir.clone(),
            error,
        }
    }

    /// `crosscheck stage lines`: the short lines of `shard`.
    pub fn lines(&self, input: &Input, shard: Shard) -> Result<PathBuf, WorkError> {
        let records = super::lines(input, shard);
        self.write("lines", Some(shard), input.len(), &records)
    }

    /// The candidate chrome lines, from every shard's `lines`.
    fn chrome_candidates(
        &self,
        documents: Option<usize>,
    ) -> Result<(usize, super::ChromeCandidates), WorkError> {
        let (n, shards) = self.read_shards::<Vec<LineRecord>>("lines", documents)?;
        let all = shards.into_iter().flatten().collect();
        Ok((n, super::chrome_candidates(all, &self.options.chrome)))
    }

    /// `crosscheck stage sketch`: the sketches of `shard`'s holders of candidate lines.
    pub fn sketch(&self, input: &Input, shard: Shard) -> Result<PathBuf, WorkError> {
        let (_, candidates) = self.chrome_candidates(Some(input.len()))?;
        let records = super::sketches(input, shard, &candidates);
        self.write("sketch", Some(shard), input.len(), &records)
    }

    /// `crosscheck stage recurring`: the chrome lines, from every shard's lines and sketches.
    pub fn recurring(&self) -> Result<PathBuf, WorkError> {
        let (n, candidates) = self.chrome_candidates(None)?;
        let (_, sketches) = self.read_shards::<Vec<SketchRecord>>("sketch", Some(n))?;
        let sketches = sketches.into_iter().flatten().collect();
        let lines = super::recurring(&candidates, sketches, &self.options.chrome)
            .map_err(|e| self.stage_error(e))?;
        self.write("recurring", None, n, &lines)
    }

    /// `crosscheck stage sign`: chrome, tokens and signatures of `shard`.
    pub fn sign(&self, input: &Input, shard: Shard) -> Result<PathBuf, WorkError> {
        let (_, recurring) = self.read_one::<Vec<u64>>("recurring", Some(input.len()))?;
        let records = super::sign(input, shard, &recurring, &self.options);
        self.write_with("sign", Some(shard), input.len(), |out, header| {
            let header = serde_json::to_string(&header).map_err(io::Error::from)?;
            parquet::write_signed(out, &records, &header).map_err(io::Error::other)
        })
    }

    /// Every shard's signed records, with only `columns` read.
    fn signed(
        &self,
        documents: Option<usize>,
        columns: parquet::Columns,
    ) -> Result<(usize, Vec<SignedRecord>), WorkError> {
        let load = |file| signed_parquet(file, columns);
        let (n, shards) = self.read_shards_with("sign", documents, &load)?;
        Ok((n, shards.into_iter().flatten().collect()))
    }

    /// `crosscheck stage pairs`: the pair records of the shingle hashes in `part`. Each
    /// shard's signed records are cut to the part's postings as they are read, so one shard's
    /// signatures are held at a time.
    pub fn pairs(&self, part: Shard) -> Result<PathBuf, WorkError> {
        let columns = parquet::Columns {
            shingles: true,
            ..parquet::Columns::DOC
        };
        let load = |file| {
            let (header, signed) = signed_parquet(file, columns)?;
            Ok((header, super::postings(&signed, part)))
        };
        let (n, shards) = self.read_shards_with("sign", None, &load)?;
        let drawn = super::draw(shards.concat(), n, &self.options);
        self.write("pairs", Some(part), n, &drawn)
    }

    /// `crosscheck stage candidates`: the pairs to verify, from every part's pair records.
    pub fn candidates(&self) -> Result<PathBuf, WorkError> {
        let columns = parquet::Columns {
            shingles: true,
            fingerprint: true,
            ..parquet::Columns::DOC
        };
        let (n, signed) = self.signed(None, columns)?;
        let (_, drawn) = self.read_shards::<Drawn>("pairs", Some(n))?;
        let candidates =
            super::candidates(&signed, n, drawn, &self.options).map_err(|e| self.stage_error(e))?;
        self.write("candidates", None, n, &candidates)
    }

    /// `crosscheck stage verify`: the candidates of `part` aligned and judged.
    pub fn verify(&self, input: &Input, part: Shard) -> Result<PathBuf, WorkError> {
        let n = input.len();
        let (_, candidates) = self.read_one::<Candidates>("candidates", Some(n))?;
        let (_, recurring) = self.read_one::<Vec<u64>>("recurring", Some(n))?;
        let columns = parquet::Columns {
            tokens: true,
            ..parquet::Columns::DOC
        };
        let (_, signed) = self.signed(Some(n), columns)?;
        let verification =
            super::verify_part(input, &candidates, part, &signed, &recurring, &self.options);
        self.write("verify", Some(part), n, &verification)
    }

    /// `crosscheck stage assemble`: the report, from every stage's files.
    pub fn assemble(&self, input: &Input) -> Result<Report, WorkError> {
        let n = input.len();
        let columns = parquet::Columns {
            summary: true,
            tokens: true,
            ..parquet::Columns::DOC
        };
        let (_, mut signed) = self.signed(Some(n), columns)?;
        let (_, candidates) = self.read_one::<Candidates>("candidates", Some(n))?;
        let (_, recurring) = self.read_one::<Vec<u64>>("recurring", Some(n))?;
        let (_, verifications) = self.read_shards::<Verification>("verify", Some(n))?;
        let df = super::document_frequencies(&signed, None);
        for record in &mut signed {
            record.tokens = Vec::new(); // counted: free them before the documents' analyses
        }
        let reduced = super::Reduced {
            stats: &candidates.stats,
            verifications,
            recurring: &recurring,
            df,
            components: None,
        };
        super::assemble(input, signed, reduced, &self.options).map_err(|e| self.stage_error(e))
    }
}

/// An error unless `header` is of `stage` and of `settings`.
fn check_header(
    settings: &BTreeMap<String, String>,
    path: &Path,
    stage: &'static str,
    header: &Header,
) -> Result<(), WorkError> {
    if header.format != FORMAT || header.stage != stage {
        return Err(WorkError::Format {
            path: path.to_path_buf(),
            stage,
            message: format!(
                "its header says {:?} of stage {:?}",
                header.format, header.stage
            ),
        });
    }
    for (key, ours) in settings {
        let theirs = header.settings.get(key).map_or("", String::as_str);
        if theirs != ours {
            let (theirs, ours) = first_difference(key, theirs, ours);
            return Err(WorkError::Settings {
                path: path.to_path_buf(),
                theirs,
                ours,
            });
        }
    }
    Ok(())
}

/// The metadata header of a `sign` file of `shard` of a collection of `documents` made with
/// `options`, as `crosscheck stage sign` writes it: for writers of sign files other than
/// [`Work`] (the Python module writes them with pyarrow).
pub fn sign_header(options: &Options, documents: usize, shard: Shard) -> String {
    let header = Header {
        format: FORMAT.to_string(),
        stage: "sign".to_string(),
        settings: settings(options),
        documents: documents as u64,
        shard: Some(shard),
    };
    serde_json::to_string(&header).expect("a header serializes")
}

/// Checks the metadata header of the `sign` file at `path` (`None` if it has none) as
/// `crosscheck stage` does: of stage sign, made with `options`, and of a collection of
/// `documents` where given. Gives the file's shard.
pub fn check_sign_header(
    path: &Path,
    header: Option<&str>,
    options: &Options,
    documents: Option<usize>,
) -> Result<Shard, WorkError> {
    let format_error = |message: String| WorkError::Format {
        path: path.to_path_buf(),
        stage: "sign",
        message,
    };
    let header = header
        .ok_or_else(|| format_error(format!("no {:?} key in its metadata", parquet::HEADER_KEY)))?;
    let header: Header =
        serde_json::from_str(header).map_err(|e| format_error(format!("its header: {e}")))?;
    check_header(&settings(options), path, "sign", &header)?;
    check_documents(path, header.documents, documents)?;
    header
        .shard
        .ok_or_else(|| format_error("its header names no shard".to_string()))
}

/// How a stage's file is read: its header and its body, or what is wrong with it.
type Loader<'a, T> = &'a dyn Fn(File) -> Result<(Header, T), String>;

/// The extension of `stage`'s files: `sign`'s, which hold most of the bytes and which the
/// engines share, are Parquet ([`parquet`]); the rest JSON.
fn extension(stage: &str) -> &'static str {
    match stage {
        "sign" => "parquet",
        _ => "json",
    }
}

fn json<T: DeserializeOwned>(file: File) -> Result<(Header, T), String> {
    let read: Read<T> = serde_json::from_reader(BufReader::new(file)).map_err(|e| e.to_string())?;
    Ok((read.header, read.body))
}

fn signed_parquet(
    file: File,
    columns: parquet::Columns,
) -> Result<(Header, Vec<SignedRecord>), String> {
    let (header, records) = parquet::read_signed(file, columns).map_err(|e| e.to_string())?;
    let header =
        header.ok_or_else(|| format!("no {:?} key in its metadata", parquet::HEADER_KEY))?;
    let header = serde_json::from_str(&header).map_err(|e| format!("its header: {e}"))?;
    Ok((header, records))
}

/// An error unless a file's collection size is this run's (when this run knows its own).
fn check_documents(path: &Path, theirs: u64, ours: Option<usize>) -> Result<(), WorkError> {
    match ours {
        Some(ours) if ours as u64 != theirs => Err(WorkError::Collection {
            path: path.to_path_buf(),
            theirs,
            ours: ours as u64,
        }),
        _ => Ok(()),
    }
}
