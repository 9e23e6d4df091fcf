//! Hostile input (issue #8): each case gets a clear warning or a correct reading, and the rest
//! of the collection is still processed. docs/hardening.md has the table of what crosscheck does
//! with each, and the memory each needs.

use std::io::Write;
use std::path::Path;

use crate::util::{
    assert_pair_still_found, document_ids, pair_ids, report_json, run, run_without_override,
    seed_copy, seeds, warning_of_kind, warnings,
};

const SPUN: &str = "002_638f0b25e9f743d6.txt";
const WRAPPED: &str = "004_6f19dae746dbe89b.txt";

fn wrapped_text() -> String {
    std::fs::read_to_string(seeds().join(WRAPPED)).unwrap()
}

/// The report's summary of one document, which must have been read.
fn summary<'a>(report: &'a serde_json::Value, id: &str) -> &'a serde_json::Value {
    report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == id)
        .unwrap_or_else(|| panic!("{id} was not read: {:?}", document_ids(report)))
}

/// Writes `bytes` words of text on one line, without a sentence end, in 1 MiB writes.
fn write_one_line(path: &Path, bytes: usize) {
    let mut file = std::io::BufWriter::new(std::fs::File::create(path).unwrap());
    let chunk =
        "officials said 300 soldiers and 12 tanks crossed the river on Monday ".repeat(15_000);
    let mut written = 0;
    while written < bytes {
        file.write_all(chunk.as_bytes()).unwrap();
        written += chunk.len();
    }
    file.flush().unwrap();
}

#[test]
fn a_200_mb_single_line_file_is_skipped_by_default_and_cut_when_allowed() {
    let dir = seed_copy();
    let big = dir.path().join("big.txt");
    write_one_line(&big, 200 << 20);
    let size = std::fs::metadata(&big).unwrap().len();

    let report = report_json(&[dir.path().to_str().unwrap()]);
    let (_, path, _, message) = warning_of_kind(&report, "too_large");
    assert!(path.ends_with("big.txt"), "{path}");
    assert!(
        message.contains(&format!("{size} bytes")) && message.contains("--max-file-size"),
        "{message}"
    );
    assert!(!document_ids(&report).contains(&"big.txt".to_string()));
    assert_pair_still_found(&report);

    // Allowed in, it is read and cut at the word limit: one line, no sentence end, no hang.
    let report = report_json(&[
        "--max-file-size",
        "256M",
        "--max-words",
        "50000",
        dir.path().to_str().unwrap(),
    ]);
    let (_, path, _, message) = warning_of_kind(&report, "truncated");
    assert!(path.ends_with("big.txt"), "{path}");
    assert!(
        message.contains("over the 50000-word limit (--max-words)"),
        "{message}"
    );
    let big_doc = summary(&report, "big.txt");
    assert!(big_doc["words"].as_u64().unwrap() <= 50_000, "{big_doc}");
    assert_pair_still_found(&report);
}

#[test]
fn a_hundred_thousand_tiny_files_are_all_read() {
    let dir = seed_copy();
    let notes = dir.path().join("notes");
    std::fs::create_dir(&notes).unwrap();
    for i in 0..100_000 {
        std::fs::write(
            notes.join(format!("{i:06}.txt")),
            format!("Note {i}: the gauge read {} cm.", i % 997),
        )
        .unwrap();
    }
    let report = report_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(report["stats"]["documents"], 100_005);
    assert_pair_still_found(&report);
}

#[test]
fn html_nested_100000_levels_deep_is_read_flat() {
    let dir = seed_copy();
    let depth = 100_000;
    // Nested blocks, then chrome left open and closed by the wrong tags (was quadratic).
    let html = format!(
        "{}<p>The dam held after the storm, engineers said on Sunday.</p>{}{}menu{}",
        "<div>".repeat(depth),
        "</div>".repeat(depth),
        "<nav>".repeat(depth),
        "</span>".repeat(depth),
    );
    std::fs::write(dir.path().join("deep.html"), html).unwrap();
    let report = report_json(&[dir.path().to_str().unwrap()]);
    let deep = summary(&report, "deep.html");
    assert_eq!(deep["words"], 10, "{deep}");
    assert_pair_still_found(&report);
}

#[test]
fn an_unreadable_folder_and_file_are_warnings() {
    use std::os::unix::fs::PermissionsExt;
    let dir = seed_copy();
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::write(locked.join("inside.txt"), "Hidden text about the harbour.").unwrap();
    let secret = dir.path().join("secret.txt");
    std::fs::write(&secret, "A file nobody may read.").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o000)).unwrap();

    let out = run_without_override(&["report", "--format", "json", dir.path().to_str().unwrap()]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let denied: Vec<_> = warnings(&report)
        .into_iter()
        .filter(|w| w.0 == "unreadable" && w.3 == "permission denied; skipped")
        .map(|w| w.1)
        .collect();
    assert_eq!(denied.len(), 2, "{:?}", warnings(&report));
    assert!(denied.iter().any(|p| p.ends_with("locked")), "{denied:?}");
    assert!(
        denied.iter().any(|p| p.ends_with("secret.txt")),
        "{denied:?}"
    );
    assert_pair_still_found(&report);
}

#[test]
fn crlf_bom_utf16_and_latin1_copies_are_read_with_their_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(seeds().join(SPUN), dir.path().join(SPUN)).unwrap();
    let text = wrapped_text();
    let crlf = text.replace('\n', "\r\n");
    std::fs::write(dir.path().join("crlf.txt"), &crlf).unwrap();
    std::fs::write(dir.path().join("bom.txt"), format!("\u{feff}{text}")).unwrap();
    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(crlf.encode_utf16().flat_map(u16::to_le_bytes))
        .collect();
    std::fs::write(dir.path().join("utf16.txt"), utf16).unwrap();
    // Windows-1252: what the seed holds beyond ASCII is mostly typographic punctuation.
    let latin1: Vec<u8> = text
        .chars()
        .map(|c| match c {
            '\u{2019}' => 0x92,
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '\u{2014}' => 0x97,
            '\u{a0}' => 0xA0,
            c if c.is_ascii() => c as u8,
            _ => b'?',
        })
        .collect();
    std::fs::write(dir.path().join("latin1.txt"), latin1).unwrap();

    let report = report_json(&[dir.path().to_str().unwrap()]);
    let pairs = pair_ids(&report);
    for copy in ["bom.txt", "crlf.txt", "latin1.txt", "utf16.txt"] {
        assert!(
            pairs.contains(&(SPUN.to_string(), copy.to_string())),
            "{copy} not paired with the spun copy: {pairs:?}"
        );
        // The soldiers figure is on line 45 of the wrapped copy, whatever the encoding.
        let soldiers = report["conflicts"].as_array().unwrap().iter().any(|c| {
            c["b"]["doc"] == copy && c["b"]["line"] == 45 && c["b"]["text"] == "thousands"
        });
        assert!(soldiers, "{copy}: {}", report["conflicts"]);
    }
    let (_, path, _, message) = warning_of_kind(&report, "invalid_utf8");
    assert!(
        path.ends_with("latin1.txt") && message.contains("Windows-1252"),
        "{message}"
    );
    assert_eq!(warnings(&report).len(), 1, "{:?}", warnings(&report));
}

#[test]
fn invisible_characters_combining_marks_and_emoji_do_not_hide_a_copy() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(seeds().join(SPUN), dir.path().join(SPUN)).unwrap();
    std::fs::copy(seeds().join(WRAPPED), dir.path().join(WRAPPED)).unwrap();
    let baseline = report_json(&[dir.path().to_str().unwrap()]);
    let similarity = baseline["pairs"][0]["similarity"].as_f64().unwrap();

    // A zero-width space inside every long word, a right-to-left mark and an isolate around
    // each line, decomposed accents, an emoji at each line's end.
    let salted: String = wrapped_text()
        .lines()
        .map(|line| {
            let words: Vec<String> = line
                .split(' ')
                .map(|w| {
                    if w.chars().count() > 6 && w.chars().all(char::is_alphabetic) {
                        let cut = w.char_indices().nth(3).unwrap().0;
                        format!("{}\u{200b}{}", &w[..cut], &w[cut..])
                    } else {
                        w.replace('é', "e\u{301}")
                    }
                })
                .collect();
            if line.trim().is_empty() {
                "\n".to_string()
            } else {
                format!("\u{200f}\u{2067}{}\u{2069} 📰\n", words.join(" "))
            }
        })
        .collect();
    std::fs::remove_file(dir.path().join(WRAPPED)).unwrap();
    std::fs::write(dir.path().join("salted.txt"), salted).unwrap();
    let report = report_json(&[dir.path().to_str().unwrap()]);
    assert_eq!(
        pair_ids(&report),
        vec![(SPUN.to_string(), "salted.txt".to_string())]
    );
    let salted_similarity = report["pairs"][0]["similarity"].as_f64().unwrap();
    assert!(
        (salted_similarity - similarity).abs() < 0.05,
        "{salted_similarity} against {similarity}"
    );
    let soldiers = report["conflicts"].as_array().unwrap().iter().any(|c| {
        // The figure is quoted as written, its zero-width space and all.
        c["b"]["line"] == 45
            && c["b"]["text"] == "tho\u{200b}usands"
            && c["b"]["value"] == "2000 ..< 10000"
    });
    assert!(soldiers, "{}", report["conflicts"]);
}

#[test]
fn a_50_mb_jsonl_line_is_read_or_skipped_and_the_other_records_are_kept() {
    let dir = tempfile::tempdir().unwrap();
    let corpus = dir.path().join("corpus.jsonl");
    let record = |id: &str, text: &str| serde_json::json!({"id": id, "text": text}).to_string();
    let spun = std::fs::read_to_string(seeds().join(SPUN)).unwrap();
    let huge = "officials said 300 soldiers and 12 tanks crossed the river ".repeat(900_000);
    assert!(huge.len() > 50 << 20);
    let lines = [
        record("spun", &spun),
        record("huge", &huge),
        record("wrapped", &wrapped_text()),
    ];
    std::fs::write(&corpus, lines.join("\n") + "\n").unwrap();

    let report = report_json(&[corpus.to_str().unwrap()]);
    assert_eq!(document_ids(&report), vec!["huge", "spun", "wrapped"]);
    let (_, _, line, message) = warning_of_kind(&report, "truncated");
    assert_eq!(line, Some(2), "{message}");
    assert!(pair_ids(&report).contains(&("spun".to_string(), "wrapped".to_string())));

    let report = report_json(&["--max-file-size", "10M", corpus.to_str().unwrap()]);
    assert_eq!(document_ids(&report), vec!["spun", "wrapped"]);
    let (_, _, line, message) = warning_of_kind(&report, "too_large");
    assert_eq!(line, Some(2), "{message}");
    assert!(message.starts_with("record of "), "{message}");
    assert!(pair_ids(&report).contains(&("spun".to_string(), "wrapped".to_string())));
}

#[test]
fn limits_are_flags_with_their_defaults_in_the_help() {
    let out = run(&["report", "--help"]);
    let help = String::from_utf8_lossy(&out.stdout);
    for (flag, default) in [
        ("--max-file-size", "[default: 64M]"),
        ("--max-words", "[default: 200000]"),
        ("--align-limit", "[default: 64]"),
        ("--threads", "[default: one per core]"),
    ] {
        let at = help
            .find(flag)
            .unwrap_or_else(|| panic!("{flag} missing:\n{help}"));
        let next = help[at + flag.len()..]
            .find("\n  -")
            .map_or(help.len(), |n| at + flag.len() + n);
        assert!(
            help[at..next].contains(default),
            "{flag} without {default}:\n{}",
            &help[at..next]
        );
    }
    let out = run(&["report", "--max-words", "0", "fixtures/seeds"]);
    assert_eq!(out.status.code(), Some(2));
}
