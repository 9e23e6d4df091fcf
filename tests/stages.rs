//! `crosscheck stage`: report's stages run as separate processes over shards (issue #9) give
//! report's report, and refuse files that do not belong together.

use std::path::{Path, PathBuf};

use crate::util::{run, seeds};

/// Runs `crosscheck ARGS`, checks it succeeded, and gives its standard output.
fn ok(args: &[&str]) -> Vec<u8> {
    let out = run(args);
    assert!(
        out.status.success(),
        "crosscheck {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs `crosscheck ARGS`, checks it failed with exit 2 and one line on standard error, and
/// gives that line.
fn fails(args: &[&str]) -> String {
    let out = run(args);
    assert_eq!(
        out.status.code(),
        Some(2),
        "crosscheck {args:?} did not fail"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.lines().count(), 1, "not one line: {stderr}");
    stderr
}

/// Every stage in order, as separate processes: `shards` shards of documents, `parts` parts
/// of shingles and of candidates. Gives the assembled JSON report.
fn staged(work: &Path, inputs: &[&str], shards: u32, parts: u32) -> Vec<u8> {
    let work = work.to_str().unwrap();
    let stage = |name: &str, with_input: bool, flag: &str, count: u32| {
        for i in 0..count {
            let shard = format!("{i}/{count}");
            let mut args = vec!["stage", name, "--work", work];
            if count > 0 && !flag.is_empty() {
                args.extend([flag, &shard]);
            }
            if with_input {
                args.extend(inputs);
            }
            ok(&args);
        }
    };
    stage("lines", true, "--shard", shards);
    stage("sketch", true, "--shard", shards);
    stage("recurring", false, "", 1);
    stage("sign", true, "--shard", shards);
    stage("pairs", false, "--part", parts);
    stage("candidates", false, "", 1);
    stage("verify", true, "--part", parts);
    let mut args = vec!["stage", "assemble", "--work", work, "--format", "json"];
    args.extend(inputs);
    ok(&args)
}

fn cross_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cross")
}

#[test]
fn stages_as_processes_over_three_shards_give_the_report_of_report() {
    let (seeds, cross) = (seeds(), cross_fixtures());
    let inputs = [seeds.to_str().unwrap(), cross.to_str().unwrap()];
    let work = tempfile::tempdir().unwrap();
    let staged = staged(work.path(), &inputs, 3, 3);
    let mut args = vec!["report", "--format", "json"];
    args.extend(inputs);
    let single = ok(&args);
    let report: serde_json::Value = serde_json::from_slice(&single).unwrap();
    // What the comparison covers: the reprints' pair and cluster, a cross conflict, chrome.
    assert!(!report["pairs"].as_array().unwrap().is_empty());
    assert!(!report["clusters"].as_array().unwrap().is_empty());
    assert!(
        report["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["kind"] == "cross"),
        "{report:#}"
    );
    assert!(report["stats"]["boilerplate_lines"].as_u64().unwrap() > 0);
    assert_eq!(
        String::from_utf8(staged).unwrap(),
        String::from_utf8(single.clone()).unwrap()
    );
    // Documents and their analyses set aside on disk, as `report` does with a large
    // collection: the same report.
    let w = work.path().to_str().unwrap();
    let mut args = vec!["stage", "assemble", "--work", w, "--format", "json"];
    args.extend(["--spill", "always"]);
    args.extend(inputs);
    assert_eq!(ok(&args), single);
}

#[test]
fn shard_and_part_counts_do_not_change_the_report() {
    let seeds = seeds();
    let inputs = [seeds.to_str().unwrap()];
    let one = staged(tempfile::tempdir().unwrap().path(), &inputs, 1, 1);
    let many = staged(tempfile::tempdir().unwrap().path(), &inputs, 4, 2);
    assert_eq!(one, many);
}

#[test]
fn a_stage_run_again_writes_the_same_bytes() {
    let seeds = seeds();
    let work = tempfile::tempdir().unwrap();
    let w = work.path().to_str().unwrap();
    let lines = |shard: &str| {
        ok(&[
            "stage",
            "lines",
            "--work",
            w,
            "--shard",
            shard,
            seeds.to_str().unwrap(),
        ]);
        std::fs::read(
            work.path()
                .join(format!("lines-{}.json", shard.replace('/', "-of-"))),
        )
        .unwrap()
    };
    let first = lines("1/2");
    assert_eq!(lines("1/2"), first);
    assert!(first.len() > 100);
}

#[test]
fn files_made_with_other_settings_are_refused_by_name() {
    let seeds = seeds();
    let work = tempfile::tempdir().unwrap();
    let w = work.path().to_str().unwrap();
    let s = seeds.to_str().unwrap();
    ok(&["stage", "lines", "--work", w, "--shard", "0/1", s]);
    let error = fails(&[
        "stage",
        "sketch",
        "--work",
        w,
        "--shard",
        "0/1",
        "--max-words",
        "100",
        s,
    ]);
    assert!(error.contains("lines-0-of-1.json"), "{error}");
    assert!(error.contains("made with other settings"), "{error}");
    assert!(
        error.contains("max_words: 100") && error.contains("max_words: 200000"),
        "{error}"
    );
}

#[test]
fn a_missing_shard_or_another_collection_is_an_error_naming_it() {
    let seeds = seeds();
    let work = tempfile::tempdir().unwrap();
    let w = work.path().to_str().unwrap();
    let s = seeds.to_str().unwrap();
    ok(&["stage", "lines", "--work", w, "--shard", "0/3", s]);
    ok(&["stage", "lines", "--work", w, "--shard", "2/3", s]);
    let error = fails(&["stage", "recurring", "--work", w]);
    assert!(error.contains("missing shard 1"), "{error}");

    ok(&["stage", "lines", "--work", w, "--shard", "1/3", s]);
    let other = cross_fixtures();
    let error = fails(&[
        "stage",
        "sketch",
        "--work",
        w,
        "--shard",
        "0/3",
        other.to_str().unwrap(),
    ]);
    assert!(error.contains("lines-0-of-3.json"), "{error}");
    assert!(
        error.contains("collection of 5 documents; this one has 3"),
        "{error}"
    );

    let error = fails(&["stage", "sign", "--work", w, "--shard", "0/3", s]);
    assert!(
        error.contains("recurring.json: not there (run `crosscheck stage recurring` first)"),
        "{error}"
    );

    // A malformed flag is clap's error, with its usage line.
    let out = run(&["stage", "sign", "--work", w, "--shard", "3/3", s]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"3/3\" is not a shard"));
}

#[test]
fn sign_files_are_parquet_and_refused_when_made_otherwise_or_damaged() {
    let seeds = seeds();
    let work = tempfile::tempdir().unwrap();
    let w = work.path().to_str().unwrap();
    let s = seeds.to_str().unwrap();
    ok(&["stage", "lines", "--work", w, "--shard", "0/1", s]);
    ok(&["stage", "sketch", "--work", w, "--shard", "0/1", s]);
    ok(&["stage", "recurring", "--work", w]);
    ok(&["stage", "sign", "--work", w, "--shard", "0/1", s]);
    let sign = work.path().join("sign-0-of-1.parquet");
    let bytes = std::fs::read(&sign).unwrap();
    assert_eq!(
        (&bytes[..4], &bytes[bytes.len() - 4..]),
        (&b"PAR1"[..], &b"PAR1"[..])
    );
    ok(&["stage", "pairs", "--work", w, "--part", "0/1"]);

    let error = fails(&[
        "stage",
        "pairs",
        "--work",
        w,
        "--part",
        "0/1",
        "--threshold",
        "0.5",
    ]);
    assert!(
        error.contains("sign-0-of-1.parquet: made with other settings"),
        "{error}"
    );
    assert!(error.contains("duplicate_similarity: 0.5"), "{error}");

    std::fs::write(&sign, &bytes[..bytes.len() / 2]).unwrap();
    let error = fails(&["stage", "pairs", "--work", w, "--part", "0/1"]);
    assert!(
        error.contains("sign-0-of-1.parquet: not a crosscheck sign file"),
        "{error}"
    );
}
