//! `crosscheck diff`: the side-by-side view, its JSON, its exit codes, and golden renderings.

use std::path::Path;
use std::process::{Command, Output};

const SPUN: &str = "fixtures/seeds/002_638f0b25e9f743d6.txt";
const WRAPPED: &str = "fixtures/seeds/004_6f19dae746dbe89b.txt";

/// Runs `crosscheck` from the repository root, so paths in the output are stable.
fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_crosscheck"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("NO_COLOR")
        .output()
        .expect("the crosscheck binary runs")
}

fn diff_json(a: &str, b: &str) -> serde_json::Value {
    let out = run(&["diff", "--format", "json", a, b]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the JSON diff parses")
}

fn rows(diff: &serde_json::Value) -> &Vec<serde_json::Value> {
    diff["rows"].as_array().expect("rows is an array")
}

fn lines(value: &serde_json::Value) -> Option<[u64; 2]> {
    value
        .as_array()
        .map(|a| [a[0].as_u64().unwrap(), a[1].as_u64().unwrap()])
}

#[test]
fn every_body_paragraph_of_the_spun_copy_is_paired() {
    let diff = diff_json(SPUN, WRAPPED);
    assert_eq!(diff["version"], 1);
    // 002's paragraphs, without its video and photo captions (lines 43 and 75).
    let paragraphs = [
        3, 5, 7, 9, 11, 15, 17, 19, 21, 23, 25, 29, 37, 46, 48, 52, 54, 56, 58, 62, 64, 66, 68, 70,
        79, 81, 83, 85, 89, 91, 93, 95, 97, 101, 103, 105,
    ];
    for line in paragraphs {
        let paired = rows(&diff).iter().any(|row| {
            let op = row["op"].as_str().unwrap();
            matches!(op, "equal" | "changed" | "moved")
                && lines(&row["a_lines"]).is_some_and(|[first, last]| first <= line && line <= last)
        });
        assert!(paired, "002 line {line} has no counterpart in 004");
    }
}

#[test]
fn chrome_is_collapsed_on_both_sides() {
    let diff = diff_json(SPUN, WRAPPED);
    let runs = |side: &str| -> Vec<[u64; 2]> {
        diff["boilerplate"][side]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(lines)
            .collect()
    };
    let covered = |side: &str, line: u64| runs(side).iter().any(|[a, b]| *a <= line && line <= *b);
    for line in [13, 27, 31, 33, 35, 50, 60, 72, 87, 99] {
        assert!(
            covered("a", line),
            "002 line {line} (chrome) is not collapsed: {:?}",
            runs("a")
        );
    }
    // 004: the two menus, "You May Also Like" (123) and its list, the footer menu.
    for line in [1, 11, 23, 123, 150, 226] {
        assert!(
            covered("b", line),
            "004 line {line} (chrome) is not collapsed: {:?}",
            runs("b")
        );
    }
    for row in rows(&diff) {
        for (side, key) in [("a", "a_lines"), ("b", "b_lines")] {
            if let Some([first, last]) = lines(&row[key]) {
                assert!(
                    !runs(side).iter().any(|[a, b]| *a <= first && last <= *b),
                    "a sentence row lies inside chrome: {row}"
                );
            }
        }
    }
}

#[test]
fn hundreds_against_thousands_is_a_changed_word() {
    let diff = diff_json(SPUN, WRAPPED);
    let row = rows(&diff)
        .iter()
        .find(|row| {
            row["a_text"]
                .as_str()
                .is_some_and(|t| t.contains("North Korea sent hundreds"))
        })
        .expect("the North Korea sentence is in the diff");
    assert_eq!(row["op"], "changed");
    assert_eq!(lines(&row["a_lines"]), Some([9, 9]));
    assert_eq!(lines(&row["b_lines"]), Some([45, 45]));
    let edits = row["edits"].as_array().unwrap();
    let has = |op: &str, word: &str| {
        edits
            .iter()
            .any(|e| e["op"] == op && e["text"].as_str().unwrap().contains(word))
    };
    assert!(has("delete", "hundreds"), "{edits:?}");
    assert!(has("insert", "thousands"), "{edits:?}");
    // The two figures cannot both be true: the row says so, as report's conflicts do.
    assert_eq!(
        row["conflicts"],
        serde_json::json!([{"a": "hundreds", "b": "thousands"}])
    );
    let marked: Vec<u64> = rows(&diff)
        .iter()
        .filter(|r| !r["conflicts"].as_array().unwrap().is_empty())
        .filter_map(|r| lines(&r["a_lines"]).map(|l| l[0]))
        .collect();
    assert_eq!(marked, vec![9, 29, 52]);
}

#[test]
fn plain_output_marks_changed_words_and_collapses_chrome() {
    let out = run(&["diff", "--width", "120", SPUN, WRAPPED]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("[-hundreds-]"), "{text}");
    assert!(text.contains("{+thousands+}"), "{text}");
    assert!(
        text.contains("⋯ 23 lines of page chrome (lines 1-23)"),
        "{text}"
    );
    assert!(text.contains("⋯ 1 line of page chrome (line 13)"), "{text}");
    assert!(!text.contains("(lines 13-13)"), "{text}");
    assert!(!text.contains("You May Also Like"));
    assert!(!text.contains('\x1b'));
    let expanded = run(&[
        "diff",
        "--width",
        "120",
        "--show-boilerplate",
        SPUN,
        WRAPPED,
    ]);
    assert!(
        String::from_utf8(expanded.stdout)
            .unwrap()
            .contains("You May Also Like")
    );
}

#[test]
fn exit_code_follows_diff() {
    let differ = run(&["diff", "--exit-code", SPUN, WRAPPED]);
    assert_eq!(differ.status.code(), Some(1));
    let same = run(&["diff", "--exit-code", SPUN, SPUN]);
    assert_eq!(same.status.code(), Some(0));
    let without_flag = run(&["diff", SPUN, WRAPPED]);
    assert_eq!(without_flag.status.code(), Some(0));
}

#[test]
fn an_article_against_itself_is_all_equal() {
    let diff = diff_json(WRAPPED, WRAPPED);
    assert!(!rows(&diff).is_empty());
    for row in rows(&diff) {
        assert_eq!(row["op"], "equal", "{row}");
        assert_eq!(row["a_lines"], row["b_lines"]);
    }
    assert_eq!(diff["similarity"], 1.0);
}

#[test]
fn a_record_of_a_jsonl_corpus_can_be_either_side() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.jsonl");
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let records: Vec<String> = [("spun", SPUN), ("wrapped", WRAPPED)]
        .iter()
        .map(|(id, path)| {
            let text = std::fs::read_to_string(root.join(path)).unwrap();
            serde_json::json!({"id": id, "text": text}).to_string()
        })
        .collect();
    std::fs::write(&corpus, records.join("\n")).unwrap();
    let spec = |id: &str| format!("{}#{id}", corpus.display());
    let diff = diff_json(&spec("spun"), WRAPPED);
    assert_eq!(diff["a"]["id"], "spun");
    assert!(rows(&diff).iter().any(|r| r["op"] == "changed"));

    let missing = run(&["diff", &spec("nope"), WRAPPED]);
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8(missing.stderr).unwrap();
    assert!(stderr.contains("no record with id \"nope\""), "{stderr}");
    let whole = run(&["diff", corpus.to_str().unwrap(), WRAPPED]);
    assert_eq!(whole.status.code(), Some(2));
    assert!(
        String::from_utf8(whole.stderr)
            .unwrap()
            .contains("holds 2 records")
    );
}

#[test]
fn a_missing_file_is_an_error() {
    let out = run(&["diff", "no/such.txt", SPUN]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "crosscheck: no/such.txt: no such file or directory\n"
    );
}

/// Compares output with a committed golden file; `CROSSCHECK_BLESS=1` rewrites it.
fn golden(name: &str, args: &[&str]) {
    let out = run(args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("CROSSCHECK_BLESS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &out.stdout).unwrap();
    }
    let expected = std::fs::read(&path)
        .unwrap_or_else(|_| panic!("{} is missing: run with CROSSCHECK_BLESS=1", path.display()));
    if out.stdout != expected {
        panic!(
            "{name} differs from its golden file (CROSSCHECK_BLESS=1 rewrites it):\n{}",
            String::from_utf8_lossy(&out.stdout)
        );
    }
}

#[test]
fn golden_seeds_at_80_columns() {
    golden(
        "diff-002-004-w80.txt",
        &["diff", "--width", "80", SPUN, WRAPPED],
    );
}

#[test]
fn golden_seeds_at_160_columns() {
    golden(
        "diff-002-004-w160.txt",
        &["diff", "--width", "160", SPUN, WRAPPED],
    );
}

#[test]
fn golden_seeds_in_colour() {
    golden(
        "diff-002-004-w80-color.txt",
        &["diff", "--width", "80", "--color", "always", SPUN, WRAPPED],
    );
    golden(
        "diff-002-004-w160-color.txt",
        &["diff", "--width", "160", "--color", "always", SPUN, WRAPPED],
    );
}

#[test]
fn golden_wide_characters_at_80_columns() {
    let (a, b) = ("fixtures/diff/zh-a.txt", "fixtures/diff/zh-b.txt");
    golden("diff-zh-w80.txt", &["diff", "--width", "80", a, b]);
    golden(
        "diff-zh-w80-color.txt",
        &["diff", "--width", "80", "--color", "always", a, b],
    );
}

#[test]
fn golden_wide_characters_at_160_columns() {
    let (a, b) = ("fixtures/diff/zh-a.txt", "fixtures/diff/zh-b.txt");
    golden("diff-zh-w160.txt", &["diff", "--width", "160", a, b]);
}

#[test]
fn wrapped_lines_never_exceed_the_width() {
    for width in [40, 80, 160] {
        let out = run(&["diff", "--width", &width.to_string(), SPUN, WRAPPED]);
        let text = String::from_utf8(out.stdout).unwrap();
        for line in text.lines().skip(3) {
            let columns: usize = line
                .chars()
                .map(|c| unicode_width::UnicodeWidthChar::width(c).unwrap_or(0))
                .sum();
            assert!(columns <= width, "{columns} > {width}: {line}");
        }
    }
}
