//! Sentence boundaries (Unicode Standard Annex #29), with a fast path for ASCII text.
//!
//! unicode-segmentation finds each character's sentence-break category by binary search in its
//! tables and then runs the UAX #29 state machine; on news text that was 18% of all the
//! instructions of a report (BENCHMARKS.md, "A profile in instructions"). Most news text is
//! ASCII, and for ASCII the categories fit in a 128-entry table. [`split`] runs the same state
//! machine, rule for rule, over bytes with that table when the text is ASCII, and hands any other
//! text to unicode-segmentation. A property test holds the two to the same boundaries.

use unicode_segmentation::UnicodeSegmentation;

/// The pieces of `text` between sentence boundaries, with their byte offsets, as
/// unicode-segmentation's `split_sentence_bound_indices` gives them.
pub(crate) fn split(text: &str) -> Box<dyn Iterator<Item = (usize, &str)> + '_> {
    if text.is_ascii() {
        Box::new(AsciiBounds::new(text))
    } else {
        Box::new(text.split_sentence_bound_indices())
    }
}

/// Sentence-break categories that occur in ASCII (UAX #29, table 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Cat {
    Any,
    Cr,
    Lf,
    Sp,
    Lower,
    Upper,
    Numeric,
    ATerm,
    SContinue,
    STerm,
    Close,
}

/// The category of each ASCII byte, as in unicode-segmentation's `sentence_cat_table`.
const CATEGORIES: [Cat; 128] = {
    let mut table = [Cat::Any; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = match b as u8 {
            b'\t' | 0x0B | 0x0C | b' ' => Cat::Sp,
            b'\n' => Cat::Lf,
            b'\r' => Cat::Cr,
            b'!' | b'?' => Cat::STerm,
            b'"' | b'\'' | b'(' | b')' | b'[' | b']' | b'{' | b'}' => Cat::Close,
            b',' | b'-' | b':' | b';' => Cat::SContinue,
            b'.' => Cat::ATerm,
            b'0'..=b'9' => Cat::Numeric,
            b'A'..=b'Z' => Cat::Upper,
            b'a'..=b'z' => Cat::Lower,
            _ => Cat::Any,
        };
        b += 1;
    }
    table
};

/// What the state machine remembers of the text before a position (unicode-segmentation's
/// `StatePart`): runs of Close and of Sp collapse into one part each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Sot,
    Eot,
    Other,
    Cr,
    Lf,
    ATerm,
    UpperLower,
    ClosePlus,
    SpPlus,
    STerm,
}

#[derive(Debug, Clone, Copy)]
struct State([Part; 4]);

impl State {
    fn next(self, cat: Cat) -> State {
        let p = self.0;
        match (p[3], cat) {
            (Part::ClosePlus, Cat::Close) | (Part::SpPlus, Cat::Sp) => self,
            _ => State([
                p[1],
                p[2],
                p[3],
                match cat {
                    Cat::Cr => Part::Cr,
                    Cat::Lf => Part::Lf,
                    Cat::ATerm => Part::ATerm,
                    Cat::Upper | Cat::Lower => Part::UpperLower,
                    Cat::Close => Part::ClosePlus,
                    Cat::Sp => Part::SpPlus,
                    Cat::STerm => Part::STerm,
                    _ => Part::Other,
                },
            ]),
        }
    }

    fn end(self) -> State {
        let p = self.0;
        State([p[1], p[2], p[3], Part::Eot])
    }

    /// Whether any break rule could fire next: only after the start, a paragraph separator or
    /// a sentence terminator still in view (SB1, SB4, SB11).
    fn may_break(self) -> bool {
        self.0.iter().any(|p| {
            matches!(
                p,
                Part::Sot | Part::Cr | Part::Lf | Part::STerm | Part::ATerm
            )
        })
    }

    fn last(self) -> Part {
        self.0[3]
    }

    /// SB8: ATerm Close* Sp* × ( ¬(OLetter | Upper | Lower | ParaSep | SATerm) )* Lower
    fn sb8(self, ahead: &[u8]) -> bool {
        let p = self.0;
        let mut i = if p[3] == Part::SpPlus { 2 } else { 3 };
        if p[i] == Part::ClosePlus {
            i -= 1;
        }
        if p[i] != Part::ATerm {
            return false;
        }
        for &b in ahead {
            match CATEGORIES[b as usize] {
                Cat::Lower => return true,
                Cat::Upper | Cat::Cr | Cat::Lf | Cat::STerm | Cat::ATerm => return false,
                _ => {}
            }
        }
        false
    }

    /// SB8a and SB10's left side: SATerm Close* Sp*
    fn saterm_close_sp(self) -> bool {
        let p = self.0;
        let mut i = if p[3] == Part::SpPlus { 2 } else { 3 };
        if p[i] == Part::ClosePlus {
            i -= 1;
        }
        matches!(p[i], Part::STerm | Part::ATerm)
    }

    /// SB9's left side: SATerm Close*
    fn saterm_close(self) -> bool {
        let p = self.0;
        let i = if p[3] == Part::ClosePlus { 2 } else { 3 };
        matches!(p[i], Part::STerm | Part::ATerm)
    }

    /// SB11's left side: SATerm Close* Sp* ParaSep?
    fn sb11(self) -> bool {
        let p = self.0;
        let mut i = match p[3] {
            Part::Cr | Part::Lf => 2,
            _ => 3,
        };
        if p[i] == Part::SpPlus {
            i -= 1;
        }
        if p[i] == Part::ClosePlus {
            i -= 1;
        }
        matches!(p[i], Part::STerm | Part::ATerm)
    }
}

/// The sentence pieces of an ASCII string.
struct AsciiBounds<'a> {
    text: &'a str,
    pos: usize,
    start: usize,
    state: State,
}

impl<'a> AsciiBounds<'a> {
    fn new(text: &'a str) -> Self {
        AsciiBounds {
            text,
            pos: 0,
            start: 0,
            state: State([Part::Sot; 4]),
        }
    }

    /// Moves to the next byte that can bring a break into view (a terminator, CR or LF), with
    /// the state it would have had. No break can fall before it: breaks need a terminator or a
    /// separator among the last parts. The state is rebuilt from the few bytes before it; what
    /// came earlier held none of those, so it reads as `Other` to every rule that looks back.
    fn skip_inert(&mut self, bytes: &[u8]) {
        const REPLAY: usize = 4;
        let rest = &bytes[self.pos..];
        let ahead = rest
            .iter()
            .position(|&b| matches!(b, b'.' | b'!' | b'?' | b'\r' | b'\n'))
            .unwrap_or(rest.len());
        if ahead <= REPLAY {
            return;
        }
        let to = self.pos + ahead;
        let mut state = State([Part::Other; 4]);
        for &b in &bytes[to - REPLAY..to] {
            state = state.next(CATEGORIES[b as usize]);
        }
        self.pos = to;
        self.state = state;
    }

    /// The next boundary (the byte offset after it), as unicode-segmentation's
    /// `SentenceBreaks::next`.
    fn next_break(&mut self) -> Option<usize> {
        let bytes = self.text.as_bytes();
        while self.pos < bytes.len() {
            if !self.state.may_break() {
                self.skip_inert(bytes);
                if self.pos >= bytes.len() {
                    break;
                }
            }
            let before = self.pos;
            let state = self.state;
            let cat = CATEGORIES[bytes[before] as usize];
            self.pos += 1;
            self.state = state.next(cat);
            if !state.may_break() {
                continue; // no rule below breaks here: the common case, inside a sentence
            }
            let last = state.last();
            if last == Part::Sot {
                return Some(before); // SB1
            }
            if cat == Cat::Lf && last == Part::Cr {
                continue; // SB3
            }
            if matches!(last, Part::Cr | Part::Lf) {
                return Some(before); // SB4
            }
            // SB5 has nothing to ignore in ASCII (no Extend or Format).
            if cat == Cat::Numeric && last == Part::ATerm {
                continue; // SB6
            }
            if cat == Cat::Upper && state.0[2] == Part::UpperLower && last == Part::ATerm {
                continue; // SB7
            }
            if state.sb8(&bytes[before..]) {
                continue; // SB8
            }
            if matches!(cat, Cat::SContinue | Cat::STerm | Cat::ATerm) && state.saterm_close_sp() {
                continue; // SB8a
            }
            if matches!(cat, Cat::Close | Cat::Sp | Cat::Cr | Cat::Lf) && state.saterm_close() {
                continue; // SB9
            }
            if matches!(cat, Cat::Sp | Cat::Cr | Cat::Lf) && state.saterm_close_sp() {
                continue; // SB10
            }
            if state.sb11() {
                return Some(before); // SB11
            }
        }
        // SB2
        if matches!(self.state.last(), Part::Sot | Part::Eot) {
            None
        } else {
            self.state = self.state.end();
            Some(self.pos)
        }
    }
}

impl<'a> Iterator for AsciiBounds<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<Self::Item> {
        // As unicode-segmentation's USentenceBounds: the first break (at 0) starts a piece.
        loop {
            let at = self.next_break()?;
            if at == 0 {
                continue;
            }
            let start = self.start;
            self.start = at;
            return Some((start, &self.text[start..at]));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reference(text: &str) -> Vec<(usize, &str)> {
        text.split_sentence_bound_indices().collect()
    }

    #[test]
    fn news_text_splits_as_unicode_segmentation_does() {
        let texts = [
            "",
            " ",
            "One.",
            "The U.S. said. It rose 2.5 pct! Did it? \"Yes.\" (He left.) then lower.\n\nNext",
            "Mr. Smith went.  Then\r\nmore...  \"Quoted!\"   [Aside.] end",
            "etc.) foo. 3.5 Bar. A.B. c. D ; e: f, g - h?! ?! ..",
        ];
        for text in texts {
            assert_eq!(
                AsciiBounds::new(text).collect::<Vec<_>>(),
                reference(text),
                "{text:?}"
            );
        }
        for seed in std::fs::read_dir("fixtures/seeds").unwrap() {
            let text = std::fs::read_to_string(seed.unwrap().path()).unwrap();
            let ascii: String = text.chars().filter(char::is_ascii).collect();
            assert_eq!(
                AsciiBounds::new(&ascii).collect::<Vec<_>>(),
                reference(&ascii)
            );
        }
    }

    #[test]
    fn text_that_is_not_ascii_goes_to_unicode_segmentation() {
        let text = "Il a dit « non. » Puis… rien。Fin";
        assert_eq!(split(text).collect::<Vec<_>>(), reference(text));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(
            std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(2_000)
        ))]

        /// Every ASCII character class, dense in the ones the rules turn on.
        #[test]
        fn ascii_bounds_match_unicode_segmentation(
            text in "([a-cA-C0-9 .!?\"'()\\[\\]{},;:\\-\r\n\t\u{b}\u{c}#$%\u{0}\u{7f}]|\\. [a-z]|\\. [A-Z]|\\.\" ){0,60}"
        ) {
            prop_assert_eq!(AsciiBounds::new(&text).collect::<Vec<_>>(), reference(&text));
        }
    }
}
