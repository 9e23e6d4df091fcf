//! The JSONL reader on arbitrary bytes, with a small record limit: no panic, and every line is
//! either a document or a warning that names it.
#![no_main]

use std::path::Path;

use crosscheck::ingest::{IngestOptions, read_jsonl_from};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let options = IngestOptions {
        max_file_size: 256,
        ..IngestOptions::default()
    };
    let mut warnings = Vec::new();
    let documents = read_jsonl_from(data, Path::new("fuzz.jsonl"), &options, &mut warnings);
    let lines = data.split(|&b| b == b'\n').count() as u64;
    for document in &documents {
        let line = document.record.expect("a JSONL document knows its line");
        assert!(line >= 1 && line <= lines);
        assert!(!document.text.trim().is_empty());
        for l in &document.lines {
            assert!(l.start <= l.end && l.end as usize <= document.text.len());
        }
    }
    for warning in &warnings {
        assert_eq!(warning.path, "fuzz.jsonl");
        assert!(
            !warning.message.contains('\n'),
            "one-line warnings: {warning}"
        );
    }
});
