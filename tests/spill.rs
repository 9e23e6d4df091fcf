//! Spilling: a collection set aside on disk gives the report a held one gives.

use std::path::Path;

use crate::util::*;

/// A collection with every kind of document the stages treat differently: the seeds (a spun
/// copy and a copy in page chrome), the cross-document fixtures, HTML with navigation, a JSONL
/// corpus with near-copies, a duplicate id, a record that is all chrome and a bad line, and a
/// binary, a Latin-1 and an empty file.
fn mixed_collection(dir: &Path) -> Vec<String> {
    let html = dir.join("site");
    std::fs::create_dir(&html).unwrap();
    let seed = std::fs::read_to_string(seeds().join("002_638f0b25e9f743d6.txt")).unwrap();
    let body: String = seed
        .split("\n\n")
        .map(|p| format!("<p>{p}</p>\n"))
        .collect();
    std::fs::write(
        html.join("page.html"),
        format!("<html><body><nav>Home\nWorld\nSport</nav>\n{body}<footer>Subscribe</footer></body></html>"),
    )
    .unwrap();
    let story = "Officials in the northern district said the river rose 40 centimetres overnight \
        and that 300 residents of the valley were moved to schools and sports halls.";
    let mut lines: Vec<String> = (0..30)
        .map(|i| {
            serde_json::json!({
                "id": format!("copy-{:02}", i % 25),
                "date": "26-FEB-1987 15:01",
                "text": format!("{story} Crews from depot {} worked through the night. {story}", i % 7),
            })
            .to_string()
        })
        .collect();
    lines.push(serde_json::json!({"id": "chrome-only", "text": "Home\n\nSubscribe"}).to_string());
    lines.push("{not json".to_string());
    // Bad files among good ones: each a warning, in the same place either way.
    std::fs::write(html.join("binary.txt"), b"PK\x03\x04\x00\x00binary").unwrap();
    std::fs::write(
        html.join("latin1.txt"),
        b"Caf\xe9 prices rose 12 pct, traders said.",
    )
    .unwrap();
    std::fs::write(html.join("empty.md"), b"").unwrap();
    let corpus = dir.join("copies.jsonl");
    std::fs::write(&corpus, lines.join("\n")).unwrap();
    let cross = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cross");
    [seeds(), cross, html, corpus]
        .iter()
        .map(|p| p.to_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_spilled_run_reports_exactly_what_a_held_run_reports() {
    let dir = tempfile::tempdir().unwrap();
    let paths = mixed_collection(dir.path());
    let spill_dir = dir.path().join("spill");
    std::fs::create_dir(&spill_dir).unwrap();
    for format in ["json", "html"] {
        let report = |spill: &[&str]| {
            let mut args: Vec<&str> = paths.iter().map(String::as_str).collect();
            args.extend_from_slice(spill);
            report_output(format, &args)
        };
        let held = report(&["--spill", "never"]);
        let spilled = report(&[
            "--spill",
            "always",
            "--spill-dir",
            spill_dir.to_str().unwrap(),
        ]);
        assert!(
            held == spilled,
            "--spill always changes the {format} report"
        );
        if format == "json" {
            let parsed: serde_json::Value = serde_json::from_slice(&held).unwrap();
            // The comparison means something only if every stage had work to do.
            assert!(parsed["pairs"].as_array().unwrap().len() > 10);
            assert!(!parsed["clusters"].as_array().unwrap().is_empty());
            assert!(!parsed["conflicts"].as_array().unwrap().is_empty());
            let kinds: Vec<String> = warnings(&parsed).into_iter().map(|w| w.0).collect();
            assert!(kinds.iter().any(|k| k == "duplicate_id"), "{kinds:?}");
            for kind in ["no_body", "binary", "invalid_utf8", "empty", "bad_json"] {
                assert!(
                    kinds.iter().any(|k| k == kind),
                    "no {kind} warning in {kinds:?}"
                );
            }
            assert!(parsed["stats"]["boilerplate_lines"].as_u64().unwrap() > 0);
        }
    }
    let left: Vec<_> = std::fs::read_dir(&spill_dir).unwrap().collect();
    assert!(left.is_empty(), "spill files were left behind: {left:?}");
}

#[test]
fn a_spill_directory_that_cannot_be_written_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-dir");
    let out = run(&[
        "report",
        seeds().to_str().unwrap(),
        "--spill",
        "always",
        "--spill-dir",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no-such-dir"), "{stderr}");
    assert!(stderr.contains("cannot write a spill file"), "{stderr}");
    assert!(out.stdout.is_empty());
}

/// Truncates, when the verifying stage starts (once every spill file is written), every file this process holds open in `dir`: the
/// disk failing under a run whose spill files were written a moment before.
#[cfg(target_os = "linux")]
struct Saboteur {
    dir: std::path::PathBuf,
    truncated: std::sync::atomic::AtomicUsize,
}

#[cfg(target_os = "linux")]
impl crosscheck::Progress for Saboteur {
    fn stage(&self, name: &'static str, _total: u64) {
        if name != "verifying" {
            return;
        }
        for fd in std::fs::read_dir("/proc/self/fd").unwrap().flatten() {
            let Ok(target) = std::fs::read_link(fd.path()) else {
                continue;
            };
            if target.starts_with(&self.dir) {
                let file = std::fs::OpenOptions::new()
                    .write(true)
                    .open(fd.path())
                    .unwrap();
                file.set_len(0).unwrap();
                self.truncated
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
        }
    }
}

#[cfg(target_os = "linux")]
#[test]
fn a_spill_file_that_fails_while_read_back_is_one_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<std::path::PathBuf> = mixed_collection(dir.path())
        .into_iter()
        .map(Into::into)
        .collect();
    let spill_dir = dir.path().join("spill");
    std::fs::create_dir(&spill_dir).unwrap();
    let options = crosscheck::Options {
        spill: crosscheck::corpus::SpillOptions {
            mode: crosscheck::corpus::SpillMode::Always,
            dir: Some(spill_dir.clone()),
        },
        ..Default::default()
    };
    let saboteur = Saboteur {
        dir: spill_dir.clone(),
        truncated: Default::default(),
    };
    let result = crosscheck::report(&paths, &options, &saboteur);
    assert_eq!(
        saboteur.truncated.into_inner(),
        3,
        "the documents', the analyses' and the cross-check's figures' spill files"
    );
    match result {
        Err(error @ crosscheck::ingest::IngestError::SpillRead { .. }) => {
            let message = error.to_string();
            assert_eq!(message.lines().count(), 1, "{message}");
            assert!(message.contains(spill_dir.to_str().unwrap()), "{message}");
            assert!(message.contains("cannot read back"), "{message}");
        }
        Err(other) => panic!("another error: {other}"),
        Ok(_) => panic!("a report from truncated spill files"),
    }
}
