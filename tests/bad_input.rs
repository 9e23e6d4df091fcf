//! Every kind of bad input: a clear warning naming the file, and the rest still processed.

use std::os::unix::fs::symlink;

use crate::util::{
    assert_pair_still_found, document_ids, pair_ids, report_json, run, seed_copy, warning_of_kind,
    warnings,
};

#[test]
fn invalid_utf8_is_read_lossily_with_its_byte_offset() {
    let dir = seed_copy();
    let mut bytes = b"Prices rose sharply in the market today, traders said. ".to_vec();
    let offset = bytes.len() + 3;
    bytes.extend_from_slice(b"Caf\xe9 owners were pleased \x93very pleased\x94 indeed.");
    std::fs::write(dir.path().join("latin1.txt"), &bytes).unwrap();
    let report = report_json(&[dir.path().to_str().unwrap()]);
    let (_, path, _, message) = warning_of_kind(&report, "invalid_utf8");
    assert!(path.ends_with("latin1.txt"));
    assert!(message.contains(&format!("at byte {offset};")), "{message}");
    assert!(message.contains("Windows-1252"), "{message}");
    assert!(
        report["documents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == "latin1.txt")
    );
    assert_pair_still_found(&report);
}

#[test]
fn strict_skips_invalid_utf8_and_exits_2() {
    let dir = seed_copy();
    std::fs::write(dir.path().join("bad.txt"), b"caf\xe9 au lait").unwrap();
    let out = run(&[
        "report",
        "--strict",
        "--format",
        "json",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !report["documents"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == "bad.txt")
    );
    assert!(
        warning_of_kind(&report, "invalid_utf8")
            .3
            .contains("--strict")
    );
    assert_pair_still_found(&report);
}

#[test]
fn binary_files_are_skipped_and_listed() {
    let dir = seed_copy();
    std::fs::write(
        dir.path().join("image.txt"),
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    )
    .unwrap();
    let report = report_json(&[dir.path().to_str().unwrap()]);
    let (_, path, _, message) = warning_of_kind(&report, "binary");
    assert!(
        path.ends_with("image.txt") && message.contains("offset 8"),
        "{path}: {message}"
    );
    assert_pair_still_found(&report);
}

#[test]
fn empty_files_are_reported() {
    let dir = seed_copy();
    std::fs::write(dir.path().join("empty.txt"), b"").unwrap();
    std::fs::write(dir.path().join("blank.md"), b"  \n\n \n").unwrap();
    let report = report_json(&[dir.path().to_str().unwrap()]);
    let empty: Vec<_> = warnings(&report)
        .into_iter()
        .filter(|w| w.0 == "empty")
        .collect();
    assert_eq!(empty.len(), 2, "{empty:?}");
    assert_pair_still_found(&report);
}

#[test]
fn broken_links_are_reported_as_unreadable() {
    // Permission errors cannot be staged for root, which CI runs as; a link to nothing is
    // the unreadable file every user can meet. The permission message is unit-tested.
    let dir = seed_copy();
    symlink(
        dir.path().join("nowhere.txt"),
        dir.path().join("dangling.txt"),
    )
    .unwrap();
    let report = report_json(&[dir.path().to_str().unwrap()]);
    let (_, path, _, message) = warning_of_kind(&report, "unreadable");
    assert!(path.ends_with("dangling.txt"), "{path}: {message}");
    assert_pair_still_found(&report);
}

#[test]
fn symlink_loops_are_reported_not_followed_forever() {
    let dir = seed_copy();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    symlink(dir.path(), dir.path().join("sub/loop")).unwrap();
    let report = report_json(&[dir.path().to_str().unwrap()]);
    let (_, path, _, message) = warning_of_kind(&report, "symlink_loop");
    assert!(
        path.ends_with("sub/loop") && message.contains("loop"),
        "{path}: {message}"
    );
    assert_eq!(report["documents"].as_array().unwrap().len(), 5);
    assert_pair_still_found(&report);
}

#[test]
fn a_fifo_is_not_read() {
    let dir = seed_copy();
    let fifo = dir.path().join("pipe.txt");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let report = report_json(&[dir.path().to_str().unwrap()]);
    let (_, path, _, _) = warning_of_kind(&report, "not_a_file");
    assert!(path.ends_with("pipe.txt"));
    assert_pair_still_found(&report);
}

#[test]
fn bad_jsonl_lines_are_reported_with_file_and_line() {
    let dir = seed_copy();
    let lines = [
        r#"{"id": "ok-1", "text": "A perfectly good record about markets and prices."}"#,
        r#"{"id": "broken", "text": "unterminated"#,
        r#"{"id": "no-text", "title": "where is the text"}"#,
        r#"{"id": "wrong-type", "text": 42}"#,
        r#"["not", "an", "object"]"#,
        "",
        r#"{"id": "ok-2", "text": "Another good record, on line seven."}"#,
        r#"{"text": "A record without an id."}"#,
        r#"{"id": "ok-1", "text": "The same id again."}"#,
    ];
    std::fs::write(dir.path().join("corpus.jsonl"), lines.join("\n")).unwrap();
    let report = report_json(&[dir.path().to_str().unwrap()]);
    let by_line = |line: u64| {
        warnings(&report)
            .into_iter()
            .find(|w| w.2 == Some(line))
            .unwrap_or_else(|| panic!("no warning for line {line}: {:?}", warnings(&report)))
    };
    assert_eq!(by_line(2).0, "bad_json");
    assert!(by_line(2).1.ends_with("corpus.jsonl"));
    assert_eq!(by_line(3).0, "missing_text");
    assert_eq!(by_line(4).0, "missing_text");
    assert_eq!(by_line(5).0, "bad_json");
    assert_eq!(by_line(8).0, "missing_id");
    assert_eq!(by_line(9).0, "duplicate_id");
    let ids = document_ids(&report);
    for id in ["ok-1", "ok-1~2", "ok-2"] {
        assert!(ids.iter().any(|x| x == id), "{id} missing from {ids:?}");
    }
    assert_pair_still_found(&report);
}

#[test]
fn files_over_the_size_limit_are_skipped() {
    let dir = seed_copy();
    let out = run(&[
        "report",
        "--format",
        "json",
        "--max-file-size",
        "9K",
        dir.path().to_str().unwrap(),
    ]);
    assert!(out.status.success());
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let (_, path, _, message) = warning_of_kind(&report, "too_large");
    assert!(path.ends_with("004_6f19dae746dbe89b.txt"), "{path}");
    assert!(
        message.contains("13053 bytes") && message.contains("9216-byte limit"),
        "{message}"
    );
    assert_eq!(report["documents"].as_array().unwrap().len(), 4);
}

#[test]
fn a_folder_s_problems_are_listed_in_path_order_whatever_their_kind() {
    // Files are looked at on every thread once the walk has listed them: their warnings and
    // documents must still come in the walk's order. Four kinds in turn, over enough files
    // for the work to be split.
    let dir = tempfile::tempdir().unwrap();
    let mut expected = Vec::new();
    for i in 0..64 {
        let name = |ext: &str| format!("f{i:02}.{ext}");
        match i % 4 {
            0 => std::fs::write(dir.path().join(name("txt")), format!("Story {i}.")).unwrap(),
            1 => {
                std::fs::write(dir.path().join(name("doc")), "a document").unwrap();
                expected.push(("unsupported", name("doc")));
            }
            2 => {
                std::fs::write(dir.path().join(name("txt")), "long ".repeat(400)).unwrap();
                expected.push(("too_large", name("txt")));
            }
            _ => {
                symlink("/nonexistent/crosscheck", dir.path().join(name("md"))).unwrap();
                expected.push(("unreadable", name("md")));
            }
        }
    }
    let folder = dir.path().to_str().unwrap();
    let report = report_json(&["--max-file-size", "1K", folder]);
    let found: Vec<(String, String)> = warnings(&report)
        .into_iter()
        .map(|(kind, path, _, _)| {
            (
                kind,
                path.trim_start_matches(folder)
                    .trim_start_matches('/')
                    .to_string(),
            )
        })
        .collect();
    let expected: Vec<(String, String)> = expected
        .into_iter()
        .map(|(kind, name)| (kind.to_string(), name))
        .collect();
    assert_eq!(found, expected);
    let read: Vec<String> = (0..64).step_by(4).map(|i| format!("f{i:02}.txt")).collect();
    assert_eq!(document_ids(&report), read);
}

#[test]
fn unsupported_files_are_listed() {
    let dir = seed_copy();
    std::fs::write(dir.path().join("notes.docx"), b"PK\x03\x04").unwrap();
    let report = report_json(&[dir.path().to_str().unwrap()]);
    let (_, path, _, _) = warning_of_kind(&report, "unsupported");
    assert!(path.ends_with("notes.docx"));
    assert_pair_still_found(&report);
}

#[test]
fn a_folder_with_nothing_to_read_is_named_and_the_rest_still_read() {
    let dir = seed_copy();
    let empty = tempfile::tempdir().unwrap();
    std::fs::write(empty.path().join(".draft.txt"), "A hidden draft.").unwrap();
    let (seeds, empty_arg) = (dir.path().to_str().unwrap(), empty.path().to_str().unwrap());
    let report = report_json(&[seeds, empty_arg]);
    let (_, path, line, message) = warning_of_kind(&report, "empty");
    assert_eq!((path.as_str(), line), (empty_arg, None));
    assert!(
        message.contains("no file to read") && message.contains("--no-ignore"),
        "{message}"
    );
    assert_pair_still_found(&report);
    // The seeds' folder gave documents, so it has no such warning; with --no-ignore the
    // hidden draft is read and the empty folder is no longer empty.
    assert_eq!(warnings(&report).len(), 1, "{:?}", warnings(&report));
    let all = report_json(&["--no-ignore", seeds, empty_arg]);
    assert!(warnings(&all).is_empty(), "{:?}", warnings(&all));
    assert_eq!(all["documents"].as_array().unwrap().len(), 6);
}

#[test]
fn a_missing_path_is_a_one_line_error_and_exit_2() {
    let out = run(&["report", "no/such/folder"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        "crosscheck: no/such/folder: no such file or directory\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_flags_exit_2() {
    let out = run(&["report", "--threshold", "7", "x"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn warnings_appear_in_the_human_report_too() {
    let dir = seed_copy();
    std::fs::write(dir.path().join("empty.txt"), b"").unwrap();
    let out = run(&["report", dir.path().to_str().unwrap()]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("warning:") && text.contains("empty.txt: empty file; skipped"),
        "{text}"
    );
}

#[test]
fn a_sentence_repeated_a_hundred_thousand_times_is_still_matched_with_its_copy() {
    let dir = tempfile::tempdir().unwrap();
    let sentence =
        "The minister said the new rules would take effect next month after a long debate. ";
    std::fs::write(dir.path().join("a.txt"), sentence.repeat(100_000)).unwrap();
    std::fs::write(
        dir.path().join("b.txt"),
        format!("{sentence}\n").repeat(100_000),
    )
    .unwrap();
    // 1.5 million words each: past the default word limit, which would cut them to 200,000.
    let report = report_json(&["--max-words", "2000000", dir.path().to_str().unwrap()]);
    assert_eq!(
        pair_ids(&report),
        vec![("a.txt".to_string(), "b.txt".to_string())]
    );
    assert_eq!(report["pairs"][0]["similarity"], 1.0);
    assert!(warnings(&report).is_empty(), "{:?}", warnings(&report));
    let words = report["documents"][0]["words"].as_u64().unwrap();
    assert_eq!(words, 1_500_000);
}
