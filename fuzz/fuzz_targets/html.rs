//! HTML extraction on arbitrary bytes: no panic, no hang, and every line a slice of the text.
#![no_main]

use std::path::PathBuf;

use crosscheck::ingest::Document;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let html = String::from_utf8_lossy(data);
    let document = Document::from_html("fuzz".into(), PathBuf::from("fuzz.html"), &html);
    let mut previous = 0;
    for line in &document.lines {
        let (start, end) = (line.start as usize, line.end as usize);
        assert!(start <= end && end <= document.text.len());
        assert!(start >= previous, "lines in order");
        assert!(document.text.is_char_boundary(start) && document.text.is_char_boundary(end));
        assert!(!document.text[start..end].contains('\n'));
        assert!(line.number >= 1);
        previous = end;
    }
});
