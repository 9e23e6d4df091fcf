//! Helpers shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The seed articles bundled with the repository.
pub fn seeds() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds")
}

/// Runs `crosscheck` with `args` and no colour-forcing environment.
pub fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crosscheck"))
        .args(args)
        .env_remove("NO_COLOR")
        .output()
        .expect("the crosscheck binary runs")
}

/// Runs `crosscheck report ARGS --format FORMAT`, checks it succeeded, and gives its output.
pub fn report_output(format: &str, args: &[&str]) -> Vec<u8> {
    let mut all = vec!["report", "--format", format];
    all.extend_from_slice(args);
    let out = run(&all);
    assert!(
        out.status.success(),
        "crosscheck {all:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs `crosscheck report ARGS --format json` and parses the report.
pub fn report_json(args: &[&str]) -> serde_json::Value {
    serde_json::from_slice(&report_output("json", args)).expect("the JSON report parses")
}

/// The (a, b) ids of every reported pair.
pub fn pair_ids(report: &serde_json::Value) -> Vec<(String, String)> {
    report["pairs"]
        .as_array()
        .expect("pairs is an array")
        .iter()
        .map(|p| {
            (
                p["a"].as_str().unwrap().to_string(),
                p["b"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The ids of a report's documents, in its order.
pub fn document_ids(report: &serde_json::Value) -> Vec<String> {
    report["documents"]
        .as_array()
        .expect("documents is an array")
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

/// The warnings of a report as (kind, path, line, message).
pub fn warnings(report: &serde_json::Value) -> Vec<(String, String, Option<u64>, String)> {
    report["warnings"]
        .as_array()
        .expect("warnings is an array")
        .iter()
        .map(|w| {
            (
                w["kind"].as_str().unwrap().to_string(),
                w["path"].as_str().unwrap().to_string(),
                w["line"].as_u64(),
                w["message"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A temporary folder holding copies of the seed articles, plus whatever a test adds.
pub fn seed_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for entry in std::fs::read_dir(seeds()).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.path().join(entry.file_name())).unwrap();
    }
    dir
}

/// The two reprints are still found whatever else is in the folder.
pub fn assert_pair_still_found(report: &serde_json::Value) {
    let pairs = pair_ids(report);
    assert!(
        pairs.contains(&(
            "002_638f0b25e9f743d6.txt".to_string(),
            "004_6f19dae746dbe89b.txt".to_string()
        )),
        "{pairs:?}"
    );
}

/// The first warning of `kind`, or a failure listing them all.
pub fn warning_of_kind(
    report: &serde_json::Value,
    kind: &str,
) -> (String, String, Option<u64>, String) {
    warnings(report)
        .into_iter()
        .find(|w| w.0 == kind)
        .unwrap_or_else(|| panic!("no {kind} warning in {:?}", warnings(report)))
}

/// Runs crosscheck unable to override file permissions, even as root (as CI runs): without
/// CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH, root meets mode 000 like anyone else.
pub fn run_without_override(args: &[&str]) -> std::process::Output {
    let uid = Command::new("id").arg("-u").output().expect("id runs");
    let root = String::from_utf8_lossy(&uid.stdout).trim() == "0";
    let mut command = if root {
        let mut c = Command::new("setpriv");
        c.args([
            "--bounding-set=-dac_override,-dac_read_search",
            "--",
            env!("CARGO_BIN_EXE_crosscheck"),
        ]);
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_crosscheck"))
    };
    command
        .args(args)
        .output()
        .expect("crosscheck runs (as root, this needs setpriv from util-linux)")
}
