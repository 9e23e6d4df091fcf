//! The number and claim parser on arbitrary text: no panic, no hang, and every claim a span of
//! the text with a sane interval.
#![no_main]

use crosscheck::claims;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    for claim in claims::extract(&text) {
        let (start, end) = claim.span;
        assert!(start <= end && end <= text.len());
        assert_eq!(&text[start..end], claim.text);
        assert!(claim.amount_span.0 >= start && claim.amount_span.1 <= end);
        assert!(!(claim.low > claim.high), "{claim:?}");
        let _ = claim.describe();
        let _ = claim.rounding();
        assert!(claim.compatible(&claim) || claim.low.is_nan(), "{claim:?}");
    }
    for ((start, end), _) in claims::numbers(&text) {
        assert!(start <= end && end <= text.len());
        assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
    }
});
