//! Sentence splitting and tokenizing on arbitrary lines: no panic, and every sentence inside its
//! lines, in order, with its own tokens.
#![no_main]

use crosscheck::text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    // The first byte of each line says whether it is body (odd) or chrome.
    let lines: Vec<(&str, bool)> = text
        .split('\n')
        .map(|line| (line, line.len() % 2 == 1))
        .collect();
    let analysis = text::analyze(lines.iter().copied());
    let mut previous = (0, 0);
    for sentence in &analysis.sentences {
        let (first, last) = (sentence.start.0 as usize, sentence.end.0 as usize);
        assert!(first <= last && last < lines.len());
        assert!(sentence.start.1 as usize <= lines[first].0.len());
        assert!(sentence.end.1 as usize <= lines[last].0.len());
        assert!(
            (sentence.start.0, sentence.start.1) >= previous,
            "sentences in order"
        );
        previous = sentence.end;
        assert!(sentence.tokens.end as usize <= analysis.tokens.len());
        let joined = sentence.text(|i| lines[i].0);
        assert!(!joined.is_empty());
    }
});
