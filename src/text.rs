//! Text stage: turns body lines into normalized tokens and sentences.
//!
//! Takes the lines a [`crate::chrome`] pass kept as article body and gives back an [`Analysis`]:
//! every token as a 64-bit hash of its normalized stem, and the sentences with their token
//! ranges and the body lines they came from. Normalization is NFKC, lower case, typographic
//! quotes folded, thousands separators dropped from numbers, and a Snowball (Porter 2) stem, so
//! that "Recruited" and "recruiting", or "160,000" and "160000", meet. Words are split by the
//! Unicode word rules (UAX #29), sentences by the Unicode sentence rules with a short list of
//! abbreviations that must not end a sentence ("Jan.", "Mr.", "U.S.").

use std::cell::RefCell;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::{FxHashMap, FxHashSet};
use unicode_normalization::UnicodeNormalization;
use unicode_segmentation::UnicodeSegmentation;
use xxhash_rust::xxh3::xxh3_64;

/// A token: the xxh3 hash of a word's normalized stem.
pub type Token = u64;

/// One sentence of a document body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    /// First and last line (0-based index into the document's lines) the sentence touches.
    pub lines: (u32, u32),
    /// Where the sentence starts: line index and byte offset within that line.
    pub start: (u32, u32),
    /// Where it ends (exclusive): line index and byte offset within that line.
    pub end: (u32, u32),
    /// The sentence's tokens, as a range into [`Analysis::tokens`].
    pub tokens: std::ops::Range<u32>,
}

impl Sentence {
    /// The sentence's text, its lines joined by spaces, from the lines it was analyzed from.
    pub fn text<'a>(&self, line: impl Fn(usize) -> &'a str) -> String {
        self.text_and_lines(line).0
    }

    /// The sentence's text, and where each of its lines starts in it: (byte offset, line index).
    pub fn text_and_lines<'a>(
        &self,
        line: impl Fn(usize) -> &'a str,
    ) -> (String, Vec<(usize, usize)>) {
        let (first, last) = (self.start.0 as usize, self.end.0 as usize);
        let mut text = String::new();
        let mut starts = Vec::with_capacity(last + 1 - first);
        for index in first..=last {
            let content = line(index);
            let from = if index == first {
                self.start.1 as usize
            } else {
                0
            };
            let to = if index == last {
                self.end.1 as usize
            } else {
                content.len()
            };
            if !text.is_empty() {
                text.push(' ');
            }
            starts.push((text.len(), index));
            text.push_str(content.get(from..to).unwrap_or("").trim());
        }
        (text, starts)
    }

    /// Number of words (tokens) in the sentence.
    pub fn words(&self) -> u32 {
        self.tokens.end - self.tokens.start
    }
}

/// The tokens and sentences of one document body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analysis {
    /// All body tokens, in reading order.
    pub tokens: Vec<Token>,
    /// Sentences in reading order; their token ranges tile `tokens`.
    pub sentences: Vec<Sentence>,
    /// The body's names and figures: tokens of words capitalized inside a sentence, and of
    /// figures; sorted and distinct. Copies keep these however they are reworded; template
    /// stories about different companies or days differ in them.
    pub keys: Vec<Token>,
}

impl Analysis {
    /// Number of words in the body.
    pub fn words(&self) -> u32 {
        self.tokens.len() as u32
    }

    /// The tokens of one sentence.
    pub fn sentence_tokens(&self, s: &Sentence) -> &[Token] {
        &self.tokens[s.tokens.start as usize..s.tokens.end as usize]
    }
}

/// Tokenizes and sentence-splits the body of `document`: its lines that `chrome` does not mark.
pub fn analyze_document(
    document: &crate::ingest::Document,
    chrome: &crate::chrome::Chrome,
) -> Analysis {
    analyze(
        document
            .line_texts()
            .enumerate()
            .map(|(i, line)| (line, !chrome.is_chrome(i))),
    )
}

/// Tokenizes and sentence-splits the body of a document.
///
/// `lines` are all the document's lines; `body` says which of them belong to the article. A run
/// of consecutive body lines is one block (a paragraph, or a hard-wrapped run of lines as in
/// newswire copy); sentences never cross a block boundary, so a line of page chrome or a blank
/// line always ends a sentence.
pub fn analyze<'a>(lines: impl IntoIterator<Item = (&'a str, bool)>) -> Analysis {
    let mut analysis = Analysis::default();
    let mut block = String::new();
    // (byte offset in `block` where a line starts, line index)
    let mut starts: Vec<(usize, u32)> = Vec::new();
    for (index, (line, body)) in lines.into_iter().enumerate() {
        let index = index as u32;
        if body && !line.trim().is_empty() {
            if !block.is_empty() {
                block.push(' ');
            }
            starts.push((block.len(), index));
            block.push_str(line);
        } else if !block.is_empty() {
            split_block(&block, &starts, &mut analysis);
            block.clear();
            starts.clear();
        }
    }
    if !block.is_empty() {
        split_block(&block, &starts, &mut analysis);
    }
    analysis.keys.sort_unstable();
    analysis.keys.dedup();
    // Held for every document until the report is made: no growth slack (a third of the
    // tokens' memory at a million documents).
    analysis.tokens.shrink_to_fit();
    analysis.sentences.shrink_to_fit();
    analysis.keys.shrink_to_fit();
    analysis
}

fn split_block(block: &str, starts: &[(usize, u32)], out: &mut Analysis) {
    // Block offset -> (line index, byte offset within the line).
    let line_at = |offset: usize| -> (u32, u32) {
        let k = starts.partition_point(|&(start, _)| start <= offset);
        let (start, line) = starts[k.saturating_sub(1)];
        (line, (offset - start) as u32)
    };
    let block_first = out.sentences.len();
    let mut pending: Option<(usize, usize)> = None; // byte span of a sentence still open
    for (start, piece) in crate::sentence_bounds::split(block) {
        let end = start + piece.len();
        let span = match pending.take() {
            Some((s, _)) => (s, end),
            None => (start, end),
        };
        if ends_with_abbreviation(piece) && end < block.len() {
            pending = Some(span);
            continue;
        }
        for span in word_chunks(block, span, MAX_SENTENCE_WORDS) {
            push_sentence(block, span, &line_at, block_first, out);
        }
    }
    if let Some(span) = pending {
        for span in word_chunks(block, span, MAX_SENTENCE_WORDS) {
            push_sentence(block, span, &line_at, block_first, out);
        }
    }
}

/// The most words a sentence may have; a longer run of text without a sentence end (a page of
/// figures, a 200 MB line, "Mr. Mr. Mr. ...") is cut into pieces of this many words. Comparing
/// the figures of two sentences is quadratic in their length, so this bounds it. Real sentences
/// are far shorter: split roughly at . ! ?, 99.9% of Reuters-21578's 118,845 run to 95 words or
/// fewer, and 2 (both tables) to more than 250.
pub const MAX_SENTENCE_WORDS: usize = 250;

/// Cuts `block[span]` before every `max`-th whitespace-separated word.
fn word_chunks(
    block: &str,
    (start, end): (usize, usize),
    max: usize,
) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut from = start;
    std::iter::from_fn(move || {
        if from >= end {
            return None;
        }
        // A word and the space after it take two bytes at least, so a piece this short holds
        // no more than `max` words: almost every sentence is one, and is not scanned.
        if end - from <= 2 * max {
            let rest = (from, end);
            from = end;
            return Some(rest);
        }
        let mut words = 0;
        let mut in_word = false;
        for (i, c) in block[from..end].char_indices() {
            let space = c.is_whitespace();
            if !space && !in_word {
                words += 1;
                if words > max {
                    let cut = (from, from + i);
                    from += i;
                    return Some(cut);
                }
            }
            in_word = !space;
        }
        let rest = (from, end);
        from = end;
        Some(rest)
    })
}

fn push_sentence(
    block: &str,
    (start, end): (usize, usize),
    line_at: &impl Fn(usize) -> (u32, u32),
    block_first: usize,
    out: &mut Analysis,
) {
    let text = &block[start..end];
    let first = out.tokens.len() as u32;
    // Keys: figures, and names: capitalized words inside the sentence, and its first word
    // when the second is capitalized too ("AVX Corp said", "Mobil Oil Singapore will"). The
    // first word waits for the second.
    let mut words = 0;
    let mut first_capitalized = false;
    for_each_word(text, |word| {
        let token = token_of(word);
        let capitalized = word.starts_with(char::is_uppercase);
        if words == 1 && first_capitalized && capitalized {
            let opening = out.tokens[first as usize];
            if !is_stopword(opening) && !is_number(opening) {
                out.keys.push(opening);
            }
        }
        if words == 0 {
            first_capitalized = capitalized;
        }
        let name = words > 0 && capitalized && !is_stopword(token);
        if name || is_number(token) {
            out.keys.push(token);
        }
        out.tokens.push(token);
        words += 1;
    });
    let last = out.tokens.len() as u32;
    if last == first {
        // No words ("📰", "—"): the piece stays with the sentence before it in the block, so
        // that the sentence's text, as shown, loses nothing.
        let trimmed_end = start + text.trim_end().len();
        if out.sentences.len() > block_first && trimmed_end > start {
            let previous = out.sentences.last_mut().expect("a sentence in this block");
            let (line, byte) = line_at(trimmed_end - 1);
            previous.end = (line, byte + 1);
            previous.lines.1 = line;
        }
        return;
    }
    let leading = text.len() - text.trim_start().len();
    let trimmed_end = start + text.trim_end().len();
    let first_at = line_at(start + leading);
    // The line of the sentence's last byte, and one past that byte.
    let (last_line, last_byte) = line_at(trimmed_end.saturating_sub(1).max(start));
    out.sentences.push(Sentence {
        lines: (first_at.0, last_line),
        start: first_at,
        end: (last_line, last_byte + 1),
        tokens: first..last,
    });
}

/// Day names, lower case.
pub const WEEKDAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Month names and their abbreviations, lower case.
pub const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "mar",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

/// Words that end in a period without ending a sentence.
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "st", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "no",
    "vs", "inc", "corp", "co", "ltd", "jr", "sr", "mt", "ft", "u.s", "u.k", "u.n", "e.g", "i.e",
    "approx", "est", "dept", "univ",
];

fn ends_with_abbreviation(sentence: &str) -> bool {
    let trimmed = sentence.trim_end();
    let Some(stem) = trimmed.strip_suffix('.') else {
        return false;
    };
    let word = stem
        .rsplit(|c: char| c.is_whitespace() || c == '(' || c == '"')
        .next()
        .unwrap_or("");
    if word.chars().count() == 1 && word.chars().all(char::is_uppercase) {
        return true; // an initial: "John F. Kennedy"
    }
    if word.is_ascii() {
        return ABBREVIATIONS.iter().any(|a| a.eq_ignore_ascii_case(word));
    }
    let lower = word.to_lowercase();
    ABBREVIATIONS.contains(&lower.as_str())
}

/// Splits `text` into normalized tokens and appends their hashes to `out`.
pub fn tokenize_into(text: &str, out: &mut Vec<Token>) {
    for_each_word(text, |word| out.push(token_of(word)));
}

/// Tokenizes a string into token hashes.
pub fn tokenize(text: &str) -> Vec<Token> {
    let mut out = Vec::new();
    tokenize_into(text, &mut out);
    out
}

/// Calls `f` with each word of `text`, NFKC-normalized with quotes folded but in its own case.
///
/// Figures joined by a hyphen or slash stay one word ("5-1/2", "101-3/4", "18-30"): split, they
/// would be runs of small digits that every price table shares.
pub fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    let normalized = fold(text);
    let bytes = normalized.as_bytes();
    let mut pending: Option<(usize, usize)> = None; // a figure that may continue
    word_indices(&normalized, |start, word| {
        let end = start + word.len();
        let numeric = word.starts_with(|c: char| c.is_ascii_digit());
        if let Some((p_start, p_end)) = pending {
            let joined = numeric && start == p_end + 1 && matches!(bytes[p_end], b'-' | b'/');
            if joined {
                pending = Some((p_start, end));
                return;
            }
            f(&normalized[p_start..p_end]);
            pending = None;
        }
        if numeric {
            pending = Some((start, end));
        } else {
            f(word);
        }
    });
    if let Some((p_start, p_end)) = pending {
        f(&normalized[p_start..p_end]);
    }
}

/// The bytes [`word_indices`] makes words of: ASCII letters and digits, and the underscore.
/// Looked up rather than tested as ranges: 12 M fewer instructions for a report on
/// Reuters-21578's first 2,000 records.
const WORD_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b as u8 == b'_';
        b += 1;
    }
    table
};

/// Calls `f` with each word of `text` and where it starts, as `unicode_word_indices` gives
/// them (UAX #29 word boundaries, keeping the segments with a letter or digit).
///
/// ASCII text, nearly all news, is split here in one pass over its bytes. The crate has a path
/// of its own for ASCII, but it makes a segment of every space and punctuation mark and then
/// drops those without a letter or digit: 54 M of the 895 M instructions of a report on
/// Reuters-21578's first 2,000 records, which takes 860 M with this. The rules are the
/// crate's (its `AsciiWordBoundIter`): a word is a run of letters, digits and underscores,
/// which `.` `,` `;` `'` continue between two digits and `'` `.` `:` between two letters; a
/// property test holds the two to each other.
fn word_indices<'a>(text: &'a str, mut f: impl FnMut(usize, &'a str)) {
    if !text.is_ascii() {
        for (start, word) in text.unicode_word_indices() {
            f(start, word);
        }
        return;
    }
    let bytes = text.as_bytes();
    let core = |b: u8| WORD_BYTES[b as usize];
    let infix = |b: u8, prev: u8, next: u8| match b {
        b'.' | b',' | b';' | b'\'' if prev.is_ascii_digit() && next.is_ascii_digit() => true,
        b'\'' | b'.' | b':' => prev.is_ascii_alphabetic() && next.is_ascii_alphabetic(),
        _ => false,
    };
    let mut i = 0;
    while i < bytes.len() {
        if !core(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        i += 1;
        while i < bytes.len()
            && (core(bytes[i])
                || (i + 1 < bytes.len() && infix(bytes[i], bytes[i - 1], bytes[i + 1])))
        {
            i += 1;
        }
        // A run of underscores alone is no word (a run with a letter or digit in it starts
        // with one, unless it starts with underscores).
        if bytes[start] != b'_' || bytes[start..i].iter().any(u8::is_ascii_alphanumeric) {
            f(start, &text[start..i]);
        }
    }
}

/// NFKC, lower case, and typographic apostrophes and quotes folded to ASCII.
pub fn normalize(text: &str) -> String {
    if text.is_ascii() {
        return text.to_ascii_lowercase();
    }
    fold(text).chars().flat_map(char::to_lowercase).collect()
}

/// NFKC, and typographic apostrophes and quotes folded to ASCII; case is kept.
pub fn fold(text: &str) -> std::borrow::Cow<'_, str> {
    if text.is_ascii() {
        return text.into();
    }
    text.nfkc()
        .filter(|&c| !is_invisible(c))
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{02bc}' | '\u{2032}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{2033}' => '"',
            _ => c,
        })
        .collect::<String>()
        .into()
}

/// The hashes two sorted, deduplicated sets share, in order.
pub(crate) fn shared<'a>(a: &'a [u64], b: &'a [u64]) -> impl Iterator<Item = u64> + 'a {
    let (mut i, mut j) = (0, 0);
    std::iter::from_fn(move || {
        while i < a.len() && j < b.len() {
            match a[i].cmp(&b[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    i += 1;
                    j += 1;
                    return Some(a[i - 1]);
                }
            }
        }
        None
    })
}

/// The entries of a list sorted by key whose key is `key`.
pub(crate) fn run_of<K: Ord + Copy>(list: &[(K, u32)], key: K) -> &[(K, u32)] {
    let start = list.partition_point(|&(k, _)| k < key);
    let end = start + list[start..].partition_point(|&(k, _)| k == key);
    &list[start..end]
}

/// `text` without its invisible characters (see [`fold`]), borrowed when it has none.
pub fn visible(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.is_ascii() && text.contains(is_invisible) {
        text.chars()
            .filter(|&c| !is_invisible(c))
            .collect::<String>()
            .into()
    } else {
        text.into()
    }
}

/// Characters that show nothing and must not split or change a word: zero-width spaces and
/// joiners, the soft hyphen, direction marks and embeddings, the word joiner and a stray BOM.
/// Left in, "sol\u{200B}diers" would be two words that match nothing, a cheap way to hide a copy.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{2069}'
            | '\u{FEFF}'
    )
}

thread_local! {
    // Word -> token. News vocabulary is small and Zipfian, so a per-thread cache turns the stemmer
    // into a hash lookup for almost every word.
    static TOKEN_CACHE: RefCell<FxHashMap<u64, Token>> = RefCell::new(FxHashMap::default());
}

/// The token cache's key for a word: the xxh3 hash of its bytes, as given (folded, any case).
///
/// An entry is then 16 bytes, where the word's own bytes made it 32: Reuters-21578's 57,000
/// distinct words fill a table of 65,536 entries, which at 32 bytes each (2 MB) did not fit
/// the processor's second-level cache (1 MB a core here). Two words whose hashes collide
/// would share a token; tokens are 64-bit hashes already, so that risk is of the same order
/// as two stems colliding (about 10^-8 for a million distinct words).
fn cache_key(word: &str) -> u64 {
    xxh3_64(word.as_bytes())
}

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// The token of one word (as [`for_each_word`] gives it: folded, in any case).
pub fn token_of(word: &str) -> Token {
    // Figures are left out of the cache: news is full of them, most are seen once, and kept
    // they made the cache a table of a million entries that missed the processor's caches at
    // every lookup, words included. Their canonical form is quick to make.
    if word.starts_with(|c: char| c.is_ascii_digit()) {
        return token_of_uncached(word);
    }
    let key = cache_key(word);
    TOKEN_CACHE.with(|cache| {
        if let Some(&token) = cache.borrow().get(&key) {
            return token;
        }
        let token = token_of_uncached(word);
        let mut cache = cache.borrow_mut();
        if cache.len() > 1 << 20 {
            cache.clear();
        }
        cache.insert(key, token);
        token
    })
}

fn token_of_uncached(word: &str) -> Token {
    let canonical = canonical_word(&word.to_lowercase());
    mark_number(&canonical, xxh3_64(canonical.as_bytes()))
}

/// Number words that stand for one value, spelled as digits so "four years" meets "4 years".
const NUMBER_WORDS: &[(&str, &str)] = &[
    ("zero", "0"),
    ("two", "2"),
    ("three", "3"),
    ("four", "4"),
    ("five", "5"),
    ("six", "6"),
    ("seven", "7"),
    ("eight", "8"),
    ("nine", "9"),
    ("ten", "10"),
    ("eleven", "11"),
    ("twelve", "12"),
    ("thirteen", "13"),
    ("fourteen", "14"),
    ("fifteen", "15"),
    ("sixteen", "16"),
    ("seventeen", "17"),
    ("eighteen", "18"),
    ("nineteen", "19"),
    ("twenty", "20"),
    ("thirty", "30"),
    ("forty", "40"),
    ("fifty", "50"),
    ("sixty", "60"),
    ("seventy", "70"),
    ("eighty", "80"),
    ("ninety", "90"),
];

/// The canonical spelling of a normalized word: numbers lose their thousands separators, number
/// words become digits ("one" stays a word: it is more often a pronoun than a count), words lose
/// a possessive "'s" and are stemmed.
pub fn canonical_word(word: &str) -> String {
    if let Some((_, digits)) = NUMBER_WORDS.iter().find(|(w, _)| *w == word) {
        return (*digits).to_string();
    }
    if word.starts_with(|c: char| c.is_ascii_digit()) {
        if is_grouped_number(word) {
            return word.replace(',', "");
        }
        return word.to_string();
    }
    let base = word
        .strip_suffix("'s")
        .or_else(|| word.strip_suffix('\''))
        .unwrap_or(word);
    STEMMER.stem(base).into_owned()
}

/// "160,000" or "1,234.5": digits in groups of three after the first.
fn is_grouped_number(word: &str) -> bool {
    let integer = word.split('.').next().unwrap_or(word);
    let mut groups = integer.split(',');
    let Some(head) = groups.next() else {
        return false;
    };
    let mut any = false;
    for group in groups {
        any = true;
        if group.len() != 3 || !group.bytes().all(|b| b.is_ascii_digit()) {
            return false;
        }
    }
    any && (1..=3).contains(&head.len()) && head.bytes().all(|b| b.is_ascii_digit())
}

static STOPWORDS: LazyLock<FxHashSet<Token>> = LazyLock::new(|| {
    const WORDS: &str = "a an the and or but nor so yet for of in on at to from by with without \
        into onto over under about above below between among through during before after since \
        until up down out off as than then that this these those there here it its it's is are \
        was were be been being am do does did done have has had having will would shall should \
        can could may might must not no yes i me my we us our you your he him his she her they \
        them their what which who whom whose when where why how all any both each few more most \
        other some such only own same too very just also s t said says say according";
    WORDS.split_whitespace().map(token_of).collect()
});

/// Whether a token is an English function word (weighted down when comparing sentences).
pub fn is_stopword(token: Token) -> bool {
    STOPWORDS.contains(&token)
}

/// Marks number tokens: the hash of a figure has its lowest bit set, every other token's is
/// clear, so later stages can weigh figures without the word at hand.
fn mark_number(canonical: &str, hash: u64) -> Token {
    if canonical.starts_with(|c: char| c.is_ascii_digit()) {
        hash | 1
    } else {
        hash & !1
    }
}

/// Whether a token is a figure ("160,000", "2.5", "1987").
pub fn is_number(token: Token) -> bool {
    token & 1 == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sentences(text: &str) -> Vec<(u32, u32, u32)> {
        let a = analyze(text.lines().map(|l| (l, true)));
        a.sentences
            .iter()
            .map(|s| (s.lines.0, s.lines.1, s.words()))
            .collect()
    }

    #[test]
    fn text_without_sentence_ends_is_cut_into_bounded_pieces() {
        let long = "ten words of figures like 12 and 40 in them ".repeat(100);
        let got = sentences(&format!("{long}\nA short one."));
        let words: Vec<u32> = got.iter().map(|s| s.2).collect();
        assert_eq!(words, vec![250, 250, 250, 250, 3], "{got:?}");
        // Every word is still in some sentence, once.
        let a = analyze([(long.as_str(), true)]);
        let total: u32 = a.sentences.iter().map(Sentence::words).sum();
        assert_eq!(total as usize, a.tokens.len());
        assert_eq!(total, 1000);
        let abbreviations = "Mr. ".repeat(600);
        assert!(sentences(&abbreviations).iter().all(|s| s.2 <= 250));
    }

    #[test]
    fn invisible_characters_do_not_split_or_change_words() {
        let plain = tokenize("hundreds of soldiers fled");
        assert_eq!(
            tokenize("hun\u{200B}dreds of sol\u{00AD}diers \u{200F}fled\u{FEFF}"),
            plain
        );
        assert_eq!(
            tokenize("\u{202E}hundreds\u{202C} of sol\u{2060}diers fled"),
            plain
        );
        // Combining marks compose (NFKC): "e" + U+0301 is "é".
        assert_eq!(tokenize("cafe\u{301} ouvert"), tokenize("café ouvert"));
    }

    #[test]
    fn numbers_lose_their_separators() {
        assert_eq!(tokenize("160,000"), tokenize("160000"));
        assert_ne!(tokenize("160, 000"), tokenize("160000"));
        assert_eq!(canonical_word("1,234.5"), "1234.5");
        assert_eq!(canonical_word("12,34"), "12,34");
    }

    #[test]
    fn number_tokens_are_marked() {
        assert!(
            tokenize("160,000 troops")
                .iter()
                .map(|&t| is_number(t))
                .eq([true, false])
        );
    }

    #[test]
    fn words_are_stemmed_and_folded() {
        assert_eq!(tokenize("Recruited"), tokenize("recruiting"));
        assert_eq!(tokenize("Russia’s"), tokenize("russia's"));
        assert_eq!(tokenize("Russia's"), tokenize("Russia"));
        assert_eq!(tokenize("ＡＢＣ"), tokenize("abc"));
    }

    #[test]
    fn sentences_follow_unicode_rules_and_skip_abbreviations() {
        let s = sentences("It happened on Jan. 9 in the U.S. Capitol. Then it ended.");
        assert_eq!(s.len(), 2, "{s:?}");
        let s = sentences("Mr. Smith went home. He slept.");
        assert_eq!(s.len(), 2, "{s:?}");
        let s = sentences("John F. Kennedy spoke. It was plan b. Then c.");
        assert_eq!(s.len(), 3, "{s:?}");
    }

    #[test]
    fn sentence_text_is_recovered_from_its_span() {
        let lines = ["First one.  Second one runs", "onto the next line. Third."];
        let a = analyze(lines.iter().map(|l| (*l, true)));
        let texts: Vec<String> = a.sentences.iter().map(|s| s.text(|i| lines[i])).collect();
        assert_eq!(
            texts,
            [
                "First one.",
                "Second one runs onto the next line.",
                "Third."
            ]
        );
    }

    #[test]
    fn wordless_pieces_stay_with_their_sentence() {
        // At the end of a paragraph; mid-line, UAX #29 gives the emoji to the next sentence.
        let lines = ["征召了约300名居民。📰", "", "第二句。"];
        let a = analyze(lines.iter().map(|l| (*l, !l.is_empty())));
        let texts: Vec<String> = a.sentences.iter().map(|s| s.text(|i| lines[i])).collect();
        assert_eq!(texts, ["征召了约300名居民。📰", "第二句。"]);
    }

    #[test]
    fn sentences_span_wrapped_lines_and_stop_at_blank_lines() {
        let text = "The first sentence runs\nacross two lines. A second one.\n\nA new paragraph.";
        assert_eq!(sentences(text), vec![(0, 1, 7), (1, 1, 3), (3, 3, 3)]);
    }

    #[test]
    fn lines_outside_the_body_end_a_sentence() {
        let lines = [
            ("Half a", true),
            ("Advertisement", false),
            ("sentence.", true),
        ];
        let a = analyze(lines);
        assert_eq!(a.sentences.len(), 2);
        assert_eq!(a.words(), 3);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn sentences_tile_the_tokens_and_stay_inside_their_lines(
                lines in prop::collection::vec(("[A-Za-z0-9 ,.'’“”!?-]{0,60}", any::<bool>()), 0..20)
            ) {
                let analysis = analyze(lines.iter().map(|(l, body)| (l.as_str(), *body)));
                let mut next = 0;
                for s in &analysis.sentences {
                    prop_assert_eq!(s.tokens.start, next);
                    prop_assert!(s.tokens.end > s.tokens.start);
                    next = s.tokens.end;
                    prop_assert!(s.lines.0 <= s.lines.1);
                    prop_assert!((s.lines.1 as usize) < lines.len());
                    for line in s.lines.0..=s.lines.1 {
                        prop_assert!(lines[line as usize].1, "a sentence touches a non-body line");
                    }
                    prop_assert!(s.start.1 as usize <= lines[s.start.0 as usize].0.len());
                    prop_assert!(s.end.1 as usize <= lines[s.end.0 as usize].0.len());
                    let text = s.text(|i| lines[i].0.as_str());
                    prop_assert_eq!(tokenize(&text), analysis.sentence_tokens(s).to_vec());
                }
                prop_assert_eq!(next as usize, analysis.tokens.len());
            }

            #[test]
            fn ascii_words_are_those_of_unicode_word_indices(
                text in "[aZ09_.,;:' \"\r\n/-]{0,40}"
            ) {
                let mut words = Vec::new();
                word_indices(&text, |start, word| words.push((start, word)));
                let expected: Vec<(usize, &str)> = text.unicode_word_indices().collect();
                prop_assert_eq!(words, expected);
            }
        }
    }
}
