//! Alignment of two arbitrary documents, as `crosscheck diff` does it: no panic, no hang, and
//! similarities in [0, 1], the same either way round.
#![no_main]

use crosscheck::ingest::Document;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // Split the input in two documents at the first form feed (or in the middle).
    let (a, b) = match text.split_once('\u{c}') {
        Some(parts) => parts,
        None => {
            let mut middle = text.len() / 2;
            while !text.is_char_boundary(middle) {
                middle -= 1;
            }
            text.split_at(middle)
        }
    };
    let a = Document::from_text("a", "a.txt", a);
    let b = Document::from_text("b", "b.txt", b);
    let options = crosscheck::Options::default();
    let forward = crosscheck::compare(&a, &b, &options);
    let backward = crosscheck::compare(&b, &a, &options);
    for comparison in [&forward, &backward] {
        let similarity = comparison.similarity;
        assert!((0.0..=1.0).contains(&similarity), "{similarity}");
        assert!((0.0..=1.0).contains(&comparison.coverage_a));
        assert!((0.0..=1.0).contains(&comparison.coverage_b));
    }
    assert!((forward.similarity - backward.similarity).abs() < 1e-4);
});
