//! Chrome stage: tells page chrome (menus, share bars, "Story continues below", newsletter
//! prompts, related-link lists, copyright footers) from the article body, line by line.
//!
//! Takes the documents of a collection and gives back, per document, a [`Chrome`] map: for each
//! line, why it is chrome, or nothing if it is body (or blank). Four kinds of evidence, applied in
//! order: the markup (HTML `<nav>`, `<footer>`, ...); rules on the line's words (phrases that
//! only chrome uses, menu bullets, photo credits, truncated teasers); repetition (a short line
//! that recurs within the document, or that stands alone in several documents of the
//! collection); and position (everything after "You May Also Like" and its kin until the article
//! visibly resumes, and short lines sandwiched between chrome). This follows the line-level
//! approach of boilerplate removers such as jusText (Pomikálek 2011): short, link-like,
//! template-repeated lines are chrome; long, sentence-like lines are content.

use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use xxhash_rust::xxh3::xxh3_64;

use crate::corpus::Corpus;
use crate::ingest::Document;

/// Why a line is page chrome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChromeReason {
    /// The HTML element it is in is navigation, header, footer, aside, form, sharing, ...
    Markup,
    /// Its words match a phrase that only page chrome uses.
    Rule,
    /// A menu item: a short bulleted line.
    Menu,
    /// A short line repeated within the same document.
    Repeated,
    /// A short line that stands alone in several documents of the collection.
    Recurring,
    /// Part of a related-links list or other trailer after a marker such as "You May Also Like".
    Related,
    /// A short line between two chrome lines.
    Neighbour,
}

/// Chrome verdicts for one document's lines.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chrome {
    /// One entry per line: why the line is chrome, or `None` for body and blank lines.
    pub reasons: Vec<Option<ChromeReason>>,
}

impl Chrome {
    /// Whether line `index` (0-based) is chrome.
    pub fn is_chrome(&self, index: usize) -> bool {
        self.reasons.get(index).is_some_and(Option::is_some)
    }

    /// How many lines are chrome.
    pub fn count(&self) -> usize {
        self.reasons.iter().filter(|r| r.is_some()).count()
    }
}

/// Settings for chrome detection.
#[derive(Debug, Clone)]
pub struct ChromeOptions {
    /// A short standalone line found in at least this many documents is chrome. Default: 3.
    pub recurring_min_documents: usize,
}

impl Default for ChromeOptions {
    fn default() -> Self {
        ChromeOptions {
            recurring_min_documents: 3,
        }
    }
}

/// Longest line, in words, that repetition alone can make chrome.
const SHORT_LINE_WORDS: usize = 12;

/// Detects the chrome lines of every document, using the whole collection as evidence.
pub fn detect(documents: &[Document], options: &ChromeOptions) -> Vec<Chrome> {
    let corpus = Corpus::Held(std::borrow::Cow::Borrowed(documents));
    let recurring = recurring_lines(&corpus, options.recurring_min_documents);
    documents
        .par_iter()
        .map(|document| detect_one(document, &recurring))
        .collect()
}

/// The collection's evidence for [`detect_with`]: lines that recur across unrelated documents.
pub(crate) struct Recurring(FxHashSet<u64>);

/// Gathers the collection's evidence, reading every document once (and those that hold a
/// recurring line twice).
pub(crate) fn recurring(corpus: &Corpus, options: &ChromeOptions) -> Recurring {
    Recurring(recurring_lines(corpus, options.recurring_min_documents))
}

impl Recurring {
    /// The evidence made of these line hashes (see [`recurring_lines`]).
    pub(crate) fn from_hashes(hashes: FxHashSet<u64>) -> Recurring {
        Recurring(hashes)
    }
}

/// Detects the chrome lines of one document of the collection `recurring` came from.
pub(crate) fn detect_with(document: &Document, recurring: &Recurring) -> Chrome {
    detect_one(document, &recurring.0)
}

/// Detects the chrome lines of one document on its own (no collection evidence).
pub fn detect_alone(document: &Document) -> Chrome {
    detect_one(document, &FxHashSet::default())
}

/// A line reduced to its words, for matching rules and counting repeats.
/// The ASCII bytes a line key keeps: letters, digits, `'` and `*`.
const KEY_BYTE: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric() || b == b'\'' as usize || b == b'*' as usize;
        b += 1;
    }
    table
};

fn line_key(line: &str) -> String {
    let line = line.trim();
    if line.is_ascii() {
        // The same key from runs of word bytes, for the lines nearly all news is made of.
        return ascii_key(line, usize::MAX).0;
    }
    let normalized = crate::text::normalize(line);
    let mut key = String::with_capacity(normalized.len());
    for word in normalized.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '*')) {
        if word.is_empty() {
            continue;
        }
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(word);
    }
    key
}

/// A line's [`line_key`] cut after its first [`KEY_WORDS`] words, and the number of words of
/// the whole key.
///
/// The rules read a long line's key only for its word count and its first few words (the
/// phrases of [`matches_rule`] that a key starts with span six words at most); whole keys are
/// needed only of short lines, to count their repeats and recurrence. Copying every word of
/// every paragraph was a twentieth of a run's time on the synthetic corpus.
fn counted_key(line: &str) -> (String, usize) {
    let trimmed = line.trim();
    if !trimmed.is_ascii() {
        let key = line_key(line);
        let words = word_count(&key);
        return (key, words);
    }
    ascii_key(trimmed, KEY_WORDS)
}

/// The key of a trimmed ASCII line, from its runs of key bytes, cut after `max_words` words,
/// and the number of words of the whole key.
fn ascii_key(trimmed: &str, max_words: usize) -> (String, usize) {
    let bytes = trimmed.as_bytes();
    // Room for the whole line, up to what a short line's key takes: grown push by push, the
    // key's reallocations cost a third of this function's instructions.
    let mut key = String::with_capacity(trimmed.len().min(KEY_ROOM));
    let mut words = 0;
    let mut i = 0;
    while i < bytes.len() && words < max_words {
        if !KEY_BYTE[bytes[i] as usize] {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && KEY_BYTE[bytes[i] as usize] {
            i += 1;
        }
        words += 1;
        if !key.is_empty() {
            key.push(' ');
        }
        key.push_str(&trimmed[start..i]);
    }
    key.make_ascii_lowercase();
    // The rest of a long line is only counted, a word at each key byte after another byte
    // (`i` is past a word or at the end), without a branch on each byte: a paragraph has a
    // word boundary every few bytes, and branching on them was most of this function's time.
    let (rest, _) = bytes[i..].iter().fold((0, false), |(n, in_word), &b| {
        let key_byte = KEY_BYTE[b as usize];
        (n + usize::from(key_byte && !in_word), key_byte)
    });
    (key, words + rest)
}

/// Bytes an [`ascii_key`] starts with room for: more than the key of a short line needs.
const KEY_ROOM: usize = 256;

/// The words of a line's key that [`counted_key`] keeps: all those of a short line.
const KEY_WORDS: usize = SHORT_LINE_WORDS;

fn word_count(key: &str) -> usize {
    // A key's words are joined by single spaces.
    if key.is_empty() {
        0
    } else {
        key.bytes().filter(|&b| b == b' ').count() + 1
    }
}

/// Whether each line stands alone: blank or missing lines on both sides.
fn standalone(document: &Document) -> Vec<bool> {
    let blank: Vec<bool> = document.line_texts().map(|l| l.trim().is_empty()).collect();
    (0..blank.len())
        .map(|i| {
            let before = i == 0 || blank[i - 1];
            let after = i + 1 >= blank.len() || blank[i + 1];
            before && after
        })
        .collect()
}

/// Whether each line carries on the previous line's sentence, as in hard-wrapped newswire copy:
/// such a line is never chrome by its words alone ("by Canadian negotiators ..." is no byline,
/// "Saturday." no dateline). A line carries on when the one before it does not end a sentence
/// and: the document is hard-wrapped, or the line before is long (40 characters or more) and
/// this one ends the sentence, or this one starts in lower case or with a digit. `wrapped`
/// is [`is_hard_wrapped`] of `texts`.
fn continuations(texts: &[&str], wrapped: bool) -> Vec<bool> {
    (0..texts.len())
        .map(|i| {
            i > 0
                && !texts[i - 1].trim().is_empty()
                && !ends_sentence(texts[i - 1])
                && (wrapped
                    || texts[i - 1].trim().len() >= 40 && ends_sentence(texts[i])
                    || texts[i]
                        .trim_start()
                        .starts_with(|c: char| c.is_lowercase() || c.is_ascii_digit()))
        })
        .collect()
}

/// Whether a document's paragraphs are broken into lines of a fixed width (newswire copy,
/// plain-text email): many long lines that stop mid-sentence with more text on the next line.
fn is_hard_wrapped(texts: &[&str]) -> bool {
    let filled = texts.iter().filter(|t| !t.trim().is_empty()).count();
    let broken = texts
        .windows(2)
        .filter(|w| w[0].trim().len() >= 40 && !ends_sentence(w[0]) && !w[1].trim().is_empty())
        .count();
    filled >= 4 && broken * 5 >= filled * 2
}

/// Hashes of short lines that stand alone in enough unrelated documents.
///
/// A site's template line ("Follow The Daily Planet") recurs across different articles; a short
/// paragraph of a wire story recurs across the copies of that story, which are the documents a
/// user wants paired. So occurrences are counted by story, not by document: a line is chrome
/// when it stands alone in at least `min_documents` documents of which no two are copies of
/// each other by the rest of their text (see [`Sketch`]). Without this, adding a third copy of a
/// story turned its short paragraphs into chrome and could hide a pair found before.
fn recurring_lines(corpus: &Corpus, min_documents: usize) -> FxHashSet<u64> {
    let short: Vec<Vec<u64>> = corpus.map(|_, document| short_lines(document));
    // Count first, then list holders only for the lines that recur often enough: most short
    // lines occur once, and a list for each would cost more memory than the count.
    let mut counts: FxHashMap<u64, u32> = FxHashMap::default();
    for &hash in short.iter().flatten() {
        *counts.entry(hash).or_default() += 1;
    }
    let mut holders: FxHashMap<u64, Vec<u32>> = counts
        .into_iter()
        .filter(|&(_, n)| n as usize >= min_documents)
        .map(|(hash, n)| (hash, Vec::with_capacity(n as usize)))
        .collect();
    for (index, hashes) in short.iter().enumerate() {
        for hash in hashes {
            if let Some(list) = holders.get_mut(hash) {
                list.push(index as u32);
            }
        }
    }
    drop(short);
    // Sketches only for the documents that hold a line recurring often enough to matter.
    let mut needed: Vec<u32> = holders.values().flatten().copied().collect();
    needed.par_sort_unstable();
    needed.dedup();
    let sketched = corpus.map_some(&needed, |_, document| {
        Sketch::of(document, |key| holders.contains_key(&key))
    });
    let sketch_of = |holder: u32| &sketched[needed.binary_search(&holder).expect("sketched")];
    holders
        .into_par_iter()
        .filter(|(_, holders)| unrelated_at_least(holders, sketch_of, min_documents))
        .map(|(hash, _)| hash)
        .collect()
}

/// The hashes of a document's short standalone lines (sorted, distinct): the lines that
/// repetition across documents can make chrome.
pub(crate) fn short_lines(document: &Document) -> Vec<u64> {
    let alone = standalone(document);
    let mut hashes: Vec<u64> = document
        .line_texts()
        .zip(alone)
        // Most lines of most articles have a neighbour (hard-wrapped newswire has few blank
        // lines), and only a line standing alone needs its key made.
        .filter(|&(_, alone)| alone)
        .filter_map(|(line, _)| {
            let (key, words) = counted_key(line);
            (words > 0 && words <= SHORT_LINE_WORDS).then(|| xxh3_64(key.as_bytes()))
        })
        .collect();
    hashes.sort_unstable();
    hashes.dedup();
    hashes.shrink_to_fit();
    hashes
}

/// Whether `holders` (in document order) include `need` documents no two of which are copies
/// of each other. Greedy, and stops as soon as it has them: at most `need` comparisons a holder.
pub(crate) fn unrelated_at_least<'s>(
    holders: &[u32],
    sketch_of: impl Fn(u32) -> &'s Sketch,
    need: usize,
) -> bool {
    let mut stories: Vec<&Sketch> = Vec::with_capacity(need);
    for &holder in holders {
        let sketch = sketch_of(holder);
        if !stories.iter().any(|story| story.copies(sketch)) {
            stories.push(sketch);
            if stories.len() >= need {
                return true;
            }
        }
    }
    false
}

/// Samples of a document's word 3-grams (a quarter of them, chosen by hash, as in Broder's
/// mod-sampling): enough to tell two copies of a story, even spun, from two articles that
/// share only a site's template.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sketch {
    /// From the lines that might be its story: all but those that recur often enough to be
    /// chrome, since the lines in question cannot be their own evidence.
    pub(crate) story: Vec<u64>,
    /// From every line.
    pub(crate) whole: Vec<u64>,
}

impl Sketch {
    /// A sketch from its two samples (see [`Sketch::into_parts`]).
    pub fn from_parts(story: Vec<u64>, whole: Vec<u64>) -> Sketch {
        Sketch { story, whole }
    }

    /// Its samples: from the story's lines, and from every line.
    pub fn into_parts(self) -> (Vec<u64>, Vec<u64>) {
        (self.story, self.whole)
    }

    /// The sketch of a document whose lines' key hashes `recurs` tells recurring ones of.
    ///
    /// An article set one short sentence to a line is sketched from those sentences; taking
    /// long lines only, as this once did, left it an empty sketch, so its copies looked
    /// unrelated and a sentence the copies kept word for word became chrome.
    pub(crate) fn of(document: &Document, recurs: impl Fn(u64) -> bool) -> Sketch {
        let mut story = Vec::new();
        let mut whole = Vec::new();
        let mut words: Vec<u64> = Vec::new();
        for line in document.line_texts() {
            let key = line_key(line);
            words.clear();
            words.extend(key.split(' ').map(|w| xxh3_64(w.as_bytes())));
            let recurring = words.len() <= SHORT_LINE_WORDS && recurs(xxh3_64(key.as_bytes()));
            for gram in words.windows(3) {
                let h = (gram[0].rotate_left(21) ^ gram[1].rotate_left(42) ^ gram[2])
                    .wrapping_mul(0x9E37_79B9_7F4A_7C15);
                if h >> 62 == 0 {
                    whole.push(h);
                    if !recurring {
                        story.push(h);
                    }
                }
            }
        }
        for sample in [&mut story, &mut whole] {
            sample.sort_unstable();
            sample.dedup();
        }
        Sketch { story, whole }
    }

    /// Copies of one story, even with a third of their words spun (a 3-gram survives 30%
    /// spinning about a third of the time): at least 3 sampled 3-grams of their stories
    /// shared, and a fifth of the smaller sample. A document with too little story of its own to
    /// sample, every line of it recurring, is a copy only of another such, and then when their
    /// whole texts are half shared (three copies of an article of one-line sentences, or two
    /// bare pages of one site); never of a document with a story of its own, so that a page of
    /// nothing but a site's chrome is no copy of the articles that chrome frames.
    fn copies(&self, other: &Sketch) -> bool {
        let (a, b) = (&self.story, &other.story);
        match (a.len() >= 3, b.len() >= 3) {
            (true, true) => {
                let shared = crate::text::shared(a, b).count();
                shared >= 3 && shared * 5 >= a.len().min(b.len())
            }
            (false, false) => {
                let (a, b) = (&self.whole, &other.whole);
                let shared = crate::text::shared(a, b).count();
                shared >= 3 && shared * 2 >= a.len().max(b.len())
            }
            _ => false,
        }
    }
}

fn detect_one(document: &Document, recurring: &FxHashSet<u64>) -> Chrome {
    let n = document.lines.len();
    // The rules read lines as a reader sees them: without zero-width and direction marks.
    let visible: Vec<std::borrow::Cow<'_, str>> =
        document.line_texts().map(crate::text::visible).collect();
    let texts: Vec<&str> = visible.iter().map(|t| t.as_ref()).collect();
    // Whole keys of short lines, the first words of longer ones: see `counted_key`.
    let (keys, counts): (Vec<String>, Vec<usize>) = texts.iter().map(|l| counted_key(l)).unzip();
    let alone = standalone(document);
    let wrapped = is_hard_wrapped(&texts);
    let continues = continuations(&texts, wrapped);
    // Lines that belong to a sentence running over several lines: never chrome by their words.
    let in_sentence: Vec<bool> = (0..n)
        .map(|i| continues[i] || (i + 1 < n && continues[i + 1]) || (wrapped && !alone[i]))
        .collect();
    let mut reasons: Vec<Option<ChromeReason>> = vec![None; n];

    let mut in_document: FxHashMap<&str, usize> = FxHashMap::default();
    for ((key, text), &words) in keys.iter().zip(&texts).zip(&counts) {
        // Table rows repeat by right: rows with figures ("Avg shrs 11.9 mln vs 12.0 mln"), rows
        // set in columns ("Barley   Oats   Rye") and indented rows ("    Nine mths").
        if words > 0
            && words <= SHORT_LINE_WORDS
            && !ends_sentence(text)
            && !key.bytes().any(|b| b.is_ascii_digit())
            && !text.trim().contains("  ")
            && !text.starts_with("    ")
        {
            *in_document.entry(key.as_str()).or_default() += 1;
        }
    }

    for i in 0..n {
        let key = &keys[i];
        if key.is_empty() {
            continue;
        }
        let words = counts[i];
        reasons[i] = if document.lines[i].markup_chrome {
            Some(ChromeReason::Markup)
        } else if is_menu_item(texts[i], words) {
            Some(ChromeReason::Menu)
        } else if in_sentence[i] {
            None
        } else if matches_rule(key, texts[i], words) || is_related_marker(key) {
            Some(ChromeReason::Rule)
        } else if in_document.get(key.as_str()).is_some_and(|&c| c >= 2) {
            Some(ChromeReason::Repeated)
        } else if words <= SHORT_LINE_WORDS
            && alone[i]
            && recurring.contains(&xxh3_64(key.as_bytes()))
        {
            Some(ChromeReason::Recurring)
        } else {
            None
        };
    }

    mark_related_zones(&texts, &keys, &counts, &mut reasons);
    absorb_neighbours(&texts, &keys, &counts, &in_sentence, &mut reasons);
    Chrome { reasons }
}

/// After a related-links marker, everything is chrome until the article visibly resumes: a long
/// line that reads as a sentence and is not followed straight away by more chrome (a teaser
/// paragraph in a news feed is followed by the feed's next heading).
fn mark_related_zones(
    texts: &[&str],
    keys: &[String],
    counts: &[usize],
    reasons: &mut [Option<ChromeReason>],
) {
    let mut in_zone = false;
    for i in 0..texts.len() {
        if keys[i].is_empty() {
            continue;
        }
        if is_related_marker(&keys[i]) {
            in_zone = true;
            continue;
        }
        if in_zone {
            let next = (i + 1..texts.len()).find(|&j| !keys[j].is_empty());
            let resumes = reasons[i].is_none()
                && is_prose(texts[i], counts[i])
                && next.is_none_or(|j| reasons[j].is_none());
            if resumes {
                in_zone = false;
            } else if reasons[i].is_none() {
                reasons[i] = Some(ChromeReason::Related);
            }
        }
    }
}

/// A long line (of `words` words) that ends like a sentence.
fn is_prose(text: &str, words: usize) -> bool {
    words >= 25 && ends_sentence(text)
}

/// Short lines between chrome (or the document's edge and chrome) are chrome too.
fn absorb_neighbours(
    texts: &[&str],
    keys: &[String],
    counts: &[usize],
    in_sentence: &[bool],
    reasons: &mut [Option<ChromeReason>],
) {
    let filled: Vec<usize> = (0..texts.len()).filter(|&i| !keys[i].is_empty()).collect();
    loop {
        let mut changed = false;
        for (k, &i) in filled.iter().enumerate() {
            if reasons[i].is_some() || in_sentence[i] || counts[i] > 8 || ends_sentence(texts[i]) {
                continue;
            }
            // A missing neighbour (the document's edge) counts as chrome, but at least one real
            // neighbour must be chrome.
            let prev = k.checked_sub(1).map(|p| reasons[filled[p]].is_some());
            let next = filled.get(k + 1).map(|&j| reasons[j].is_some());
            let chrome_or_edge = |side: Option<bool>| side.unwrap_or(true);
            if chrome_or_edge(prev)
                && chrome_or_edge(next)
                && (prev == Some(true) || next == Some(true))
            {
                reasons[i] = Some(ChromeReason::Neighbour);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
}

fn ends_sentence(text: &str) -> bool {
    // Emoji and pictographs after the last word ("... in Kursk. 📰") do not hide its end.
    let trimmed = text.trim_end_matches(|c: char| c.is_whitespace() || is_pictograph(c));
    trimmed.ends_with(['.', '!', '?', '"', '\u{201d}', ':', ';']) && !trimmed.ends_with("...")
}

/// Emoji, pictographs, dingbats and the joiners and selectors that build emoji sequences.
fn is_pictograph(c: char) -> bool {
    matches!(
        c,
        '\u{2190}'..='\u{21FF}'
            | '\u{2300}'..='\u{23FF}'
            | '\u{2600}'..='\u{27BF}'
            | '\u{2B00}'..='\u{2BFF}'
            | '\u{FE0E}'..='\u{FE0F}'
            | '\u{200D}'
            | '\u{1F000}'..='\u{1FAFF}'
    )
}

fn is_menu_item(text: &str, words: usize) -> bool {
    let trimmed = text.trim_start();
    // "Home | News | World": short items between bars or bullets.
    let mut items = trimmed.split(['|', '•', '·']).map(str::trim);
    if trimmed.matches(['|', '•', '·']).nth(1).is_some()
        && items.all(|i| !i.is_empty() && i.split_whitespace().count() <= 3)
    {
        return true;
    }
    words <= 6 && trimmed.starts_with(['•', '·', '|', '»', '›', '▪', '◦', '–'])
        || trimmed.starts_with(['•', '·', '▪']) && !ends_sentence(text) && words <= 10
}

/// Headings that open a list of links to other articles.
fn is_related_marker(key: &str) -> bool {
    const MARKERS: &[&str] = &[
        "you may also like",
        "you might also like",
        "you may like",
        "related",
        "related post",
        "related posts",
        "related articles",
        "related stories",
        "related news",
        "related coverage",
        "read also",
        "read more",
        "see also",
        "more news",
        "more stories",
        "more from",
        "news feed",
        "editors' picks",
        "editor's picks",
        "most popular",
        "most read",
        "recommended",
        "recommended for you",
        "trending",
        "trending now",
        "top stories",
        "latest news",
        "latest stories",
        "leave a reply",
        "leave a comment",
        "from around the web",
        "sponsored stories",
        "what to read next",
        "up next",
    ];
    MARKERS.contains(&key)
}

/// Phrases a line of chrome starts with (its key, or its lowercased text).
const RULE_PREFIXES: &[&str] = &[
    "story continues below",
    "article continues below",
    "article continues after",
    "continue reading",
    "click to play video",
    "click here to",
    "sign up for",
    "sign up to",
    "subscribe to our",
    "subscribe for",
    "get the day's top",
    "get every day",
    "get daily",
    "get breaking news",
    "enter your email",
    "please enter",
    "please, enter",
    "thank you for signing up",
    "thanks for signing up",
    "published on",
    "updated on",
    "posted on",
    "last updated",
    "copyright",
    "©",
    "(c)",
    "this audio is created",
    "follow us on",
    "share on",
    "video above",
    "illustrative image",
    "to suggest a correction",
    "you can also highlight",
    "we've sent you a confirmation",
    "this article was originally published",
];

/// Phrases only page chrome uses.
fn matches_rule(key: &str, text: &str, words: usize) -> bool {
    const EXACT: &[&str] = &[
        "advertisement",
        "advertisment",
        "ad",
        "ads",
        "sponsored",
        "sponsored content",
        "skip to content",
        "skip to main content",
        "edit post",
        "share",
        "share this",
        "share this article",
        "share this story",
        "share and follow",
        "subscribe",
        "subscribe now",
        "sign up",
        "sign in",
        "log in",
        "login",
        "menu",
        "search",
        "home",
        "author",
        "comments",
        "* indicates required",
        "indicates required",
        "successfully subscribed",
        "successfuly subscribed",
        "other topics of interest",
        "follow us",
        "print",
        "email",
        "watch",
        "listen",
        "close",
        "back to top",
        "loading",
        "show comments",
    ];
    const CONTAINS: &[&str] = &[
        "all rights reserved",
        "may not be published, broadcast",
        "may not be published broadcast",
        "delivered to your inbox",
        "our newsletter",
        "this newsletter",
        "newsletter sign",
        "our newsletters",
        "min read",
    ];
    if EXACT.contains(&key) || RULE_PREFIXES.iter().any(|p| key.starts_with(p)) {
        return true;
    }
    let lower = crate::text::normalize(text.trim());
    if RULE_PREFIXES.iter().any(|p| lower.starts_with(p)) {
        return true;
    }
    if words <= 30 && CONTAINS.iter().any(|c| lower.contains(c)) {
        return true;
    }
    is_photo_credit(&lower, words)
        || is_social_glue(&lower, words)
        || is_dateline_only(&lower, words)
        || is_byline(&lower, text, words)
        || is_teaser(text, words)
}

/// "(AP Photo/Rajib Dhar)", "(Photo by X/Getty Images)".
fn is_photo_credit(lower: &str, words: usize) -> bool {
    const CREDITS: &[&str] = &["photo", "image", "getty", "reuters", "afp", "/ap", "ap/"];
    words <= 10
        && lower.starts_with('(')
        && lower.ends_with(')')
        && CREDITS.iter().any(|c| lower.contains(c))
}

/// "FacebookXRedditPinterestWhatsApp": share buttons run together.
fn is_social_glue(lower: &str, words: usize) -> bool {
    const NETWORKS: &[&str] = &[
        "facebook",
        "twitter",
        "whatsapp",
        "pinterest",
        "reddit",
        "linkedin",
        "telegram",
        "instagram",
    ];
    words <= 4 && NETWORKS.iter().filter(|n| lower.contains(*n)).count() >= 2
        || words == 1 && NETWORKS.contains(&lower)
}

/// A line that is only a date or a time: "5:04 PM", "January 27, 2026". Its numbers must be
/// days, years or clock times: "May 6765" is a row of a table, not a date.
fn is_dateline_only(lower: &str, words: usize) -> bool {
    const OTHER_DATE_WORDS: &[&str] = &["am", "pm", "a.m", "p.m", "gmt", "utc", "et", "est", "edt"];
    let is_date_part = |token: &str| {
        let token = token.trim_end_matches('.');
        if crate::text::MONTHS.contains(&token)
            || crate::text::WEEKDAYS.contains(&token)
            || OTHER_DATE_WORDS.contains(&token)
        {
            return true;
        }
        if token.contains(':') {
            return token.split(':').all(|part| {
                !part.is_empty() && part.len() <= 2 && part.parse::<u32>().is_ok_and(|n| n <= 59)
            });
        }
        token
            .parse::<u32>()
            .is_ok_and(|n| (1..=31).contains(&n) || (1900..=2100).contains(&n))
    };
    words <= 5
        && lower
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|t| !t.is_empty())
            .all(is_date_part)
}

/// "by Kateryna Denisova January 3, 2025 9:57 AM 2 min read".
fn is_byline(lower: &str, text: &str, words: usize) -> bool {
    lower.starts_with("by ") && words <= 14 && !ends_sentence(text) && {
        let second = text.split_whitespace().nth(1).unwrap_or("");
        second.starts_with(char::is_uppercase)
    }
}

/// A headline teaser cut off with an ellipsis.
fn is_teaser(text: &str, words: usize) -> bool {
    let trimmed = text.trim_end();
    words <= 40 && (trimmed.ends_with('…') || trimmed.ends_with("..."))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// [`line_key`] as it is for any text, without the ASCII path.
    fn line_key_general(line: &str) -> String {
        let normalized = crate::text::normalize(line.trim());
        let words: Vec<&str> = normalized
            .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '*'))
            .filter(|w| !w.is_empty())
            .collect();
        words.join(" ")
    }

    proptest::proptest! {
        #[test]
        fn the_ascii_line_key_is_the_general_one(line in "[ -~\t]{0,40}") {
            proptest::prop_assert_eq!(line_key(&line), line_key_general(&line));
        }

        /// Words of one to three letters, so that lines run past `KEY_WORDS` words.
        #[test]
        fn a_counted_key_is_the_key_cut_after_its_first_words(
            line in "([a-cA-C0-9'*]{1,3}[ ,.\t-]{1,2}){0,30}|[ -~]{0,60}|[a-z ü·]{0,40}"
        ) {
            let whole = line_key(&line);
            let (key, words) = counted_key(&line);
            proptest::prop_assert_eq!(words, word_count(&whole));
            // Other text keeps its whole key (it takes `line_key`'s general path).
            let first: Vec<&str> = whole.split(' ').take(KEY_WORDS).collect();
            let expected = if line.trim().is_ascii() { first.join(" ") } else { whole.clone() };
            proptest::prop_assert_eq!(key, expected);
        }
    }

    #[test]
    fn the_phrases_a_key_starts_with_fit_in_a_counted_key() {
        // `counted_key` keeps the first `KEY_WORDS` words of a long line: every phrase
        // `matches_rule` looks for at a key's start must lie inside them.
        for phrase in RULE_PREFIXES {
            assert!(phrase.split(' ').count() < KEY_WORDS, "{phrase:?}");
        }
    }

    #[test]
    fn line_keys_of_ascii_lines() {
        assert_eq!(
            line_key("  Story continues below -- ADVERTISEMENT  "),
            "story continues below advertisement"
        );
        assert_eq!(line_key("***"), "***");
        assert_eq!(line_key("O'Neil's 2,000"), "o'neil's 2 000");
        assert_eq!(line_key(" ... "), "");
        assert_eq!(line_key("Ünïcode línea"), line_key_general("Ünïcode línea"));
    }

    fn chrome_lines(text: &str) -> Vec<usize> {
        let doc = Document::from_text("t", "t.txt", text);
        let chrome = detect_alone(&doc);
        (0..doc.lines.len())
            .filter(|&i| chrome.is_chrome(i))
            .map(|i| i + 1)
            .collect()
    }

    const BODY: &str = "The minister said on Tuesday that the new rules would take effect next month after a long debate in parliament.";

    #[test]
    fn rules_catch_common_chrome() {
        let text = format!(
            "{BODY}\n\nStory continues below advertisement\n\n{BODY}\n\nAdvertisement\n\nGet the day's top news, political, economic, and current affairs headlines, delivered to your inbox once a day.\n\n(AP Photo/Some One)\n\nCopyright 2026 The Associated Press. All rights reserved."
        );
        assert_eq!(chrome_lines(&text), vec![3, 7, 9, 11, 13]);
    }

    #[test]
    fn menus_and_their_neighbours_are_chrome() {
        let text =
            format!("SiteName\n  • Home\n  • News\n  • Sports\nSome Ad Slogan\nSiteName\n\n{BODY}");
        assert_eq!(chrome_lines(&text), vec![1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn bar_separated_menus_are_chrome() {
        let text = format!("Home | News | World Politics\n\n首页 | 新闻 | 国际\n\n{BODY}\n\nA | B");
        assert_eq!(chrome_lines(&text), vec![1, 3]);
    }

    #[test]
    fn related_lists_run_until_the_article_resumes() {
        let long = format!("{BODY} {BODY}");
        let text = format!(
            "{BODY}\n\nYou May Also Like\nSome other headline here\n  • Local News\nA teaser that runs out…\n\n{long}\n\n{long}"
        );
        assert_eq!(chrome_lines(&text), vec![3, 4, 5, 6]);
    }

    #[test]
    fn hard_wrapped_newswire_is_not_chrome() {
        let text = "Prices fell, the chairman Adam Zimmerman told\nreporters.\n    He said a move\nby Canadian negotiators to impose a tax\nhurt profits.";
        let docs: Vec<Document> = (0..3)
            .map(|i| Document::from_text(format!("d{i}"), "d.txt", text))
            .collect();
        for chrome in detect(&docs, &ChromeOptions::default()) {
            assert_eq!(chrome.count(), 0, "{:?}", chrome.reasons);
        }
    }

    #[test]
    fn only_real_dates_are_datelines() {
        assert!(is_dateline_only("5:04 pm", 3));
        assert!(is_dateline_only("january 27, 2026", 3));
        assert!(is_dateline_only(
            "• january 26, 2026".trim_start_matches('•').trim(),
            3
        ));
        assert!(!is_dateline_only("may 6765", 2));
        assert!(!is_dateline_only("1010", 1));
        assert!(!is_dateline_only("total 25273", 2));
    }

    #[test]
    fn newswire_tables_and_wrapped_sentence_ends_are_body() {
        let text = "The company said the offer for all of its shares would close on\nSaturday.\n    It added that the board of directors had approved the offer\nunanimously and that shareholders would be asked to vote on it in\nApril.\n    The newsletter reported on November 3 last year that the firm had\nbeen approached.\n    Qtr Shr nil vs nil\n    Year Shr nil vs nil\n    Barley   Oats   Rye\n    Barley  Oats  Rye\n    Nine mths\n    Nine mths\n    (Correcting unit's output to barrels/day)";
        assert!(chrome_lines(text).is_empty(), "{:?}", chrome_lines(text));
    }

    #[test]
    fn body_sentences_are_never_chrome_by_rule() {
        let text = format!(
            "{BODY}\n\nBy the end of the year, the home ministry said, prices rose.\n\n{BODY}"
        );
        assert!(chrome_lines(&text).is_empty());
    }

    /// Three different stories, each a few long paragraphs.
    const STORIES: [&str; 3] = [
        "The minister said on Tuesday that the new rules would take effect next month after a long debate in parliament.\n\nOpposition members walked out of the chamber before the final vote, saying the rules had been rushed through.",
        "Heavy rain flooded the lower town overnight and forced hundreds of families from their homes, the mayor said.\n\nEmergency crews worked through the night to reinforce the river banks with sandbags and gravel.",
        "The central bank left its main interest rate unchanged on Thursday, citing slowing growth and stubborn inflation.\n\nAnalysts had expected the pause, though two board members voted for a quarter-point cut.",
    ];

    /// Documents d0, d1, ... holding the texts.
    fn numbered(texts: impl Iterator<Item = String>) -> Vec<Document> {
        texts
            .enumerate()
            .map(|(i, text)| Document::from_text(format!("d{i}"), "d.txt", &text))
            .collect()
    }

    #[test]
    fn lines_recurring_across_documents_are_chrome() {
        let docs = numbered(STORIES.iter().enumerate().map(|(i, story)| {
            format!(
                "Article number {i} says something different.\n\nFollow The Daily Planet\n\n{story}"
            )
        }));
        let chrome = detect(&docs, &ChromeOptions::default());
        for c in &chrome {
            assert_eq!(c.reasons[2], Some(ChromeReason::Recurring));
            assert!(
                !c.is_chrome(4),
                "the story's first line stays body: it is long"
            );
        }
        let two = detect(&docs[..2], &ChromeOptions::default());
        assert!(
            !two[0].is_chrome(2),
            "two documents are not enough evidence"
        );
    }

    #[test]
    fn copies_of_a_story_set_a_sentence_to_a_line_keep_every_line() {
        // Every line short, so every line of the copies recurs: nothing is left to sample but
        // the recurring lines themselves, and the copies must still be told for copies.
        let story = "Fire crews reached the warehouse before dawn.\n\nThe roof had already fallen in.\n\n\
                     Three streets were closed until noon.\n\nNo one was hurt.\n\n\
                     Investigators will return on Monday.\n\nThe owner said he would rebuild.";
        let spun = story.replace("reached", "got to").replace("closed", "shut");
        let docs = numbered(
            [story, story, story, spun.as_str()]
                .iter()
                .map(|s| s.to_string()),
        );
        for (d, c) in detect(&docs, &ChromeOptions::default()).iter().enumerate() {
            for line in 0..docs[d].lines.len() {
                assert!(!c.is_chrome(line), "doc {d} line {line}: {:?}", c.reasons);
            }
        }
        // A page of that site's chrome alone is no copy of the articles it frames.
        let framed = |body: &str| {
            format!(
                "Home\n\nWorld\n\nLocal news from the valley and the hills beyond\n\n\
                 Our reporters cover the county council every week\n\n\
                 Photographs of the week chosen by our picture editors\n\n{body}"
            )
        };
        // (The bare pages come first: the first holders are the ones the others are held to.)
        let pages = numbered(
            [framed(""), framed("")]
                .into_iter()
                .chain(STORIES.iter().map(|story| framed(story))),
        );
        for c in &detect(&pages, &ChromeOptions::default())[2..] {
            // Line 4: a line no rule names, chrome by recurrence alone.
            assert_eq!(
                c.reasons[4],
                Some(ChromeReason::Recurring),
                "{:?}",
                c.reasons
            );
        }
    }

    #[test]
    fn short_paragraphs_shared_by_copies_of_one_story_stay_body() {
        // Three copies of one story (the third lightly spun) share a short paragraph: it is
        // the story's, not a site's, however many copies there are.
        let story = STORIES[0];
        let spun = story
            .replace("walked out of", "left")
            .replace("rushed", "hurried");
        let docs = numbered(
            [story, story, spun.as_str()]
                .iter()
                .map(|text| format!("{text}\n\nNo one was hurt.\n\n{BODY}")),
        );
        let chrome = detect(&docs, &ChromeOptions::default());
        for c in &chrome {
            assert!(!c.is_chrome(4), "{:?}", c.reasons);
        }
        // With two unrelated stories holding it too, it is a template line after all.
        let others = STORIES[1..]
            .iter()
            .map(|other| format!("{other}\n\nNo one was hurt."));
        let more = numbered(docs.iter().map(|d| d.text.clone()).chain(others));
        let chrome = detect(&more, &ChromeOptions::default());
        assert_eq!(chrome[0].reasons[4], Some(ChromeReason::Recurring));
    }
}
