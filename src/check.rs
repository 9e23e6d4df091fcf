//! Check stage: a report in, the findings that should fail a CI job out.
//!
//! A finding is a full duplicate pair from the [`Report`] that neither the configuration's
//! allow list nor the baseline accepts. An allow-list entry names both documents by id *and* by
//! content fingerprint, so editing either document puts the pair back under check; a baseline
//! records the findings a collection already had, so that only new ones fail (the way ruff and
//! jscpd let a team adopt a checker on an existing code base). The configuration,
//! `crosscheck.toml`, is found by walking up from the checked path.

use std::collections::BTreeSet;
use std::fmt;
use std::path::{Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};

use crate::judge::Kind;
use crate::report::{Pair, Report};

/// The name of the configuration file.
pub const CONFIG_FILE: &str = "crosscheck.toml";

/// Version of the baseline file format.
pub const BASELINE_VERSION: u32 = 1;

/// `crosscheck.toml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Least similarity for two documents to be near-duplicates (default 0.42).
    pub threshold: Option<f32>,
    /// Documents with fewer body words are matched only when identical (default 25).
    pub min_words: Option<u32>,
    /// Globs of document ids (paths relative to the checked folder) to leave out.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Accepted pairs.
    #[serde(default)]
    pub allow: Vec<Allowed>,
}

/// An accepted pair of documents.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Allowed {
    /// One document's id.
    pub a: String,
    /// Its content fingerprint, as the report gives it.
    pub a_fingerprint: String,
    /// The other document's id.
    pub b: String,
    /// Its content fingerprint.
    pub b_fingerprint: String,
    /// Why the pair is accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{path}: cannot read ({source})")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Not valid TOML, an unknown key, or a value of the wrong type.
    #[error("{path}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// The parser's message, which names the key and the line.
        message: String,
    },
    /// A value of the right type that makes no sense.
    #[error("{path}: {key}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// The key.
        key: String,
        /// What is wrong with it.
        message: String,
    },
}

impl Config {
    /// Reads and checks a configuration file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let config: Config = toml::from_str(&text).map_err(|e| ConfigError::Parse {
            path: path.to_path_buf(),
            message: one_line(&e.to_string()),
        })?;
        let invalid = |key: &str, message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            key: key.to_string(),
            message,
        };
        if let Some(t) = config.threshold
            && !(0.0..=1.0).contains(&t)
        {
            return Err(invalid("threshold", format!("{t} is not between 0 and 1")));
        }
        for (k, glob) in config.ignore.iter().enumerate() {
            Glob::new(glob).map_err(|e| invalid(&format!("ignore[{k}]"), e.kind().to_string()))?;
        }
        for (k, entry) in config.allow.iter().enumerate() {
            for (field, value) in [
                ("a_fingerprint", &entry.a_fingerprint),
                ("b_fingerprint", &entry.b_fingerprint),
            ] {
                if !is_fingerprint(value) {
                    return Err(invalid(
                        &format!("allow[{k}].{field}"),
                        format!(
                            "{value:?} is not a fingerprint (16 hex digits, as the report gives)"
                        ),
                    ));
                }
            }
        }
        Ok(config)
    }

    /// Finds `crosscheck.toml` in `start` (a folder, or a file's folder) or the nearest folder
    /// above it.
    pub fn find(start: &Path) -> Option<PathBuf> {
        let start = if start.is_dir() {
            start
        } else {
            start.parent()?
        };
        let absolute = std::path::absolute(start).ok()?;
        absolute
            .ancestors()
            .map(|dir| dir.join(CONFIG_FILE))
            .find(|candidate| candidate.is_file())
    }

    /// The ignore globs, compiled.
    pub fn ignore_set(&self) -> GlobSet {
        let mut builder = GlobSetBuilder::new();
        for glob in &self.ignore {
            if let Ok(glob) = Glob::new(glob) {
                builder.add(glob);
            }
        }
        builder.build().unwrap_or_else(|_| GlobSet::empty())
    }
}

fn is_fingerprint(text: &str) -> bool {
    text.len() == 16 && text.bytes().all(|b| b.is_ascii_hexdigit())
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A content fingerprint: xxh3-64 of a document's text, as 16 hex digits.
pub fn fingerprint(text: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
}

/// One line of a baseline: a pair the collection already had.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BaselineEntry {
    /// The first document's id.
    pub a: String,
    /// The second document's id.
    pub b: String,
    /// The first document's fingerprint when the baseline was written.
    pub a_fingerprint: String,
    /// The second document's fingerprint when the baseline was written.
    pub b_fingerprint: String,
}

/// A baseline that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    /// The file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A line that is not a baseline entry.
    #[error("{path}:{line}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// The 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
}

/// Reads a baseline: a version line, then one JSON entry a line.
pub fn read_baseline(path: &Path) -> Result<BTreeSet<BaselineEntry>, BaselineError> {
    let text = std::fs::read_to_string(path).map_err(|source| BaselineError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let format = |line: usize, message: String| BaselineError::Format {
        path: path.to_path_buf(),
        line,
        message,
    };
    let mut lines = text.lines().enumerate();
    let header = lines.next().map(|(_, l)| l).unwrap_or("");
    let version: serde_json::Value = serde_json::from_str(header).map_err(|_| {
        format(
            1,
            "the first line must be {\"crosscheck_baseline\": VERSION}".into(),
        )
    })?;
    match version["crosscheck_baseline"].as_u64() {
        Some(v) if v == BASELINE_VERSION as u64 => {}
        Some(v) => {
            return Err(format(
                1,
                format!("baseline version {v}; this crosscheck reads version {BASELINE_VERSION}"),
            ));
        }
        None => {
            return Err(format(
                1,
                "the first line must be {\"crosscheck_baseline\": VERSION}".into(),
            ));
        }
    }
    let mut entries = BTreeSet::new();
    for (index, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let entry: BaselineEntry =
            serde_json::from_str(line).map_err(|e| format(index + 1, e.to_string()))?;
        entries.insert(entry);
    }
    Ok(entries)
}

/// Writes a baseline: versioned, sorted, one entry a line, so it reviews well in a pull request.
pub fn write_baseline(path: &Path, entries: &BTreeSet<BaselineEntry>) -> Result<(), BaselineError> {
    let mut text = format!("{{\"crosscheck_baseline\": {BASELINE_VERSION}}}\n");
    for entry in entries {
        text.push_str(&serde_json::to_string(entry).expect("entries serialize"));
        text.push('\n');
    }
    std::fs::write(path, text).map_err(|source| BaselineError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// A near-duplicate pair that fails the check.
#[derive(Debug, Clone, Serialize)]
pub struct Finding {
    /// The pair, as the report has it.
    #[serde(flatten)]
    pub pair: Pair,
    /// The document taken to be the copy (the one that is not the cluster's likely original).
    pub duplicate: String,
    /// The other document.
    pub original: String,
    /// Content fingerprint of `a`.
    pub a_fingerprint: String,
    /// Content fingerprint of `b`.
    pub b_fingerprint: String,
}

impl Finding {
    /// The baseline entry that would accept this finding.
    pub fn baseline_entry(&self) -> BaselineEntry {
        BaselineEntry {
            a: self.pair.a.clone(),
            b: self.pair.b.clone(),
            a_fingerprint: self.a_fingerprint.clone(),
            b_fingerprint: self.b_fingerprint.clone(),
        }
    }

    /// A stable identity computed from content: the two fingerprints, in order.
    pub fn content_fingerprint(&self) -> String {
        let mut both = [self.a_fingerprint.as_str(), self.b_fingerprint.as_str()];
        both.sort_unstable();
        fingerprint(&both.join(":"))
    }
}

/// What the check found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Outcome {
    /// Pairs that fail the check.
    pub findings: Vec<Finding>,
    /// Pairs accepted by the configuration's allow list.
    pub allowed: usize,
    /// Pairs already in the baseline.
    pub baselined: usize,
}

impl Outcome {
    /// Whether the check fails.
    pub fn fails(&self) -> bool {
        !self.findings.is_empty()
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.findings.len();
        write!(
            f,
            "{n} near-duplicate pair{}",
            if n == 1 { "" } else { "s" }
        )?;
        if self.allowed + self.baselined > 0 {
            write!(
                f,
                " ({} allowed, {} in the baseline)",
                self.allowed, self.baselined
            )?;
        }
        Ok(())
    }
}

/// Sorts the report's full duplicates into findings, allowed pairs and baselined pairs.
pub fn check(report: &Report, config: &Config, baseline: &BTreeSet<BaselineEntry>) -> Outcome {
    let fingerprint_of = |id: &str| {
        report
            .documents
            .iter()
            .find(|d| d.id == id)
            .map(|d| d.fingerprint.clone())
            .unwrap_or_default()
    };
    let original_of = |id: &str| {
        report
            .clusters
            .iter()
            .find(|c| c.members.iter().any(|m| m == id))
            .and_then(|c| c.original.clone())
    };
    let mut outcome = Outcome::default();
    for pair in report.pairs.iter().filter(|p| p.kind == Kind::Full) {
        let (fa, fb) = (fingerprint_of(&pair.a), fingerprint_of(&pair.b));
        let allowed = config.allow.iter().any(|entry| {
            let forward = entry.a == pair.a
                && entry.b == pair.b
                && entry.a_fingerprint == fa
                && entry.b_fingerprint == fb;
            let backward = entry.a == pair.b
                && entry.b == pair.a
                && entry.a_fingerprint == fb
                && entry.b_fingerprint == fa;
            forward || backward
        });
        if allowed {
            outcome.allowed += 1;
            continue;
        }
        let in_baseline = baseline.iter().any(|e| e.a == pair.a && e.b == pair.b);
        if in_baseline {
            outcome.baselined += 1;
            continue;
        }
        let (duplicate, original) = match original_of(&pair.a) {
            Some(o) if o == pair.a => (pair.b.clone(), pair.a.clone()),
            _ => (pair.a.clone(), pair.b.clone()),
        };
        outcome.findings.push(Finding {
            pair: pair.clone(),
            duplicate,
            original,
            a_fingerprint: fa,
            b_fingerprint: fb,
        });
    }
    outcome
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(text: &str) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(CONFIG_FILE);
        std::fs::write(&path, text).unwrap();
        Config::load(&path)
    }

    #[test]
    fn a_full_config_loads() {
        let c = config(
            "threshold = 0.5\nmin_words = 30\nignore = [\"drafts/**\"]\n\n[[allow]]\na = \"x.txt\"\na_fingerprint = \"0123456789abcdef\"\nb = \"y.txt\"\nb_fingerprint = \"fedcba9876543210\"\nreason = \"syndicated\"\n",
        )
        .unwrap();
        assert_eq!(c.threshold, Some(0.5));
        assert_eq!(c.allow.len(), 1);
        assert!(c.ignore_set().is_match("drafts/a/b.txt"));
    }

    #[test]
    fn unknown_keys_name_the_key_and_the_file() {
        let error = config("treshold = 0.5\n").unwrap_err().to_string();
        assert!(
            error.contains("crosscheck.toml") && error.contains("treshold"),
            "{error}"
        );
        let error = config("[[allow]]\na = \"x\"\nb = \"y\"\na_fingerprint = \"0123456789abcdef\"\nb_fingerprint = \"0123456789abcdef\"\nwhy = \"?\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("why"), "{error}");
    }

    #[test]
    fn bad_values_name_the_key_and_the_file() {
        let error = config("threshold = 1.5\n").unwrap_err().to_string();
        assert!(
            error.ends_with("crosscheck.toml: threshold: 1.5 is not between 0 and 1"),
            "{error}"
        );
        let error = config("threshold = \"high\"\n").unwrap_err().to_string();
        assert!(
            error.contains("threshold") && error.contains("crosscheck.toml"),
            "{error}"
        );
        let error = config("ignore = [\"a[\"]\n").unwrap_err().to_string();
        assert!(error.contains("ignore[0]"), "{error}");
        let error = config("[[allow]]\na = \"x\"\nb = \"y\"\na_fingerprint = \"nope\"\nb_fingerprint = \"0123456789abcdef\"\n")
            .unwrap_err()
            .to_string();
        assert!(error.contains("allow[0].a_fingerprint"), "{error}");
    }

    #[test]
    fn baselines_round_trip_sorted_and_reject_other_versions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.jsonl");
        let entry = |a: &str, b: &str| BaselineEntry {
            a: a.into(),
            b: b.into(),
            a_fingerprint: "0123456789abcdef".into(),
            b_fingerprint: "fedcba9876543210".into(),
        };
        let entries: BTreeSet<_> = [entry("m", "n"), entry("a", "b")].into_iter().collect();
        write_baseline(&path, &entries).unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "{\"crosscheck_baseline\": 1}");
        assert!(lines[1].contains("\"a\":\"a\"") && lines[2].contains("\"a\":\"m\""));
        assert_eq!(read_baseline(&path).unwrap(), entries);

        std::fs::write(&path, "{\"crosscheck_baseline\": 9}\n").unwrap();
        let error = read_baseline(&path).unwrap_err().to_string();
        assert!(error.contains(":1: baseline version 9"), "{error}");
        std::fs::write(&path, "{\"crosscheck_baseline\": 1}\nnot json\n").unwrap();
        assert!(
            read_baseline(&path)
                .unwrap_err()
                .to_string()
                .contains(":2:")
        );
    }
}
