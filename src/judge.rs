//! Judge stage: aligned candidates in, duplicate pairs and clusters out.
//!
//! Each candidate pair's [`Alignment`] is turned into a verdict: a **full** duplicate when the
//! two documents are alike as a whole (similarity and the coverage of both sides above their
//! thresholds), a **partial** reuse when a contiguous run of sentences of some length was
//! copied, or nothing. Consecutive sentence pairs become passages, broken wherever either side
//! skips a sentence or crosses a line of page chrome, and cited by original line numbers. Full
//! duplicates are grouped into clusters by union-find; in each, the copy that carries a wire
//! service's attribution or copyright line, or failing that the most complete copy, is named the
//! likely original.

use serde::Serialize;

use crate::align::{Alignment, Link, Profile, Reach, SentencePair};
use crate::chrome::Chrome;
use crate::ingest::Document;
use crate::text::{Analysis, Token, is_number};

/// Thresholds that turn an alignment into a verdict.
#[derive(Debug, Clone)]
pub struct JudgeOptions {
    /// Least document similarity for a full duplicate. Default: 0.42, the top of the band where
    /// the noisy-copy benchmark loses nothing; lower, Reuters-21578 gains related stories rather
    /// than copies (BENCHMARKS.md).
    pub duplicate_similarity: f32,
    /// Least share of each document in matched passages for a full duplicate. Default: 0.5.
    pub duplicate_coverage: f32,
    /// Share of one document that must lie in matched passages for it to count as contained in
    /// the other (a copy cut short), whatever the share of the other. Default: 0.9.
    pub contained_coverage: f32,
    /// Least word-weighted similarity of the matched sentences for a contained copy. Default:
    /// 0.6, stricter than `duplicate_similarity` because a short text gives less evidence.
    pub contained_similarity: f32,
    /// Least words (on the shorter side) in one passage for a partial reuse. Default: 40.
    pub partial_words: u32,
    /// Least similarity of that passage for a partial reuse. Default: 0.7.
    pub partial_similarity: f32,
    /// Least sentences in that passage for a partial reuse. Default: 2.
    pub partial_sentences: u32,
    /// Least agreement of names and figures ([`key_agreement`]) for a full duplicate. Copies
    /// keep their names and figures, however reworded; template stories (earnings, dividends,
    /// bond issues, market reports) share their wording and differ in them. Default: 0.7: no true
    /// copy in the noisy-copy benchmark falls below 0.73, and Reuters-21578 template pairs sit
    /// between 0.5 and 0.7 (BENCHMARKS.md).
    pub key_agreement: f32,
    /// Least agreement of names and figures when the wording is less alike than
    /// `close_wording`: the less two texts share in words, the more they must share in names and
    /// figures. Default: 0.8. Below similarity 0.6, true copies in the benchmark agree at 0.83 or
    /// more, and half of Reuters-21578's pairs there (related stories: two banks cutting rates,
    /// two months of one statistic) agree at less than 0.85.
    pub key_agreement_loose_wording: f32,
    /// Similarity below which `key_agreement_loose_wording` applies. Default: 0.6.
    pub close_wording: f32,
    /// Documents with fewer body words than this give too little evidence to judge loosely: a
    /// pair with one of them is a full duplicate only if every figure of the one with fewer
    /// figures is in the other too ("Qtly div 10 cts / Pay April 20 / Record April 10" for two
    /// companies differ in nothing else). Default: 40.
    pub short_words: u32,
}

impl JudgeOptions {
    /// What an alignment must hold for [`judge`] to find a duplicate or a reuse in it; a full
    /// duplicate only where `full` (see [`JudgeOptions::keys_may_agree`]).
    pub fn reach(&self, full: bool) -> Reach {
        Reach {
            full,
            coverage_each: self.duplicate_coverage,
            similarity: self.duplicate_similarity,
            coverage_either: self.contained_coverage,
            in_a_row: self.partial_sentences,
            passage_similarity: self.partial_similarity,
        }
    }

    /// Whether [`judge`] could find the names and figures of `a` and `b` in agreement for
    /// some alignment, `agreement` being their [`key_agreement`]: its test with the looser of
    /// the two agreements it asks for (which one depends on the alignment's similarity). A
    /// full duplicate is out of the question otherwise, however alike the wording.
    pub fn keys_may_agree(&self, a: &Analysis, b: &Analysis, agreement: Option<f32>) -> bool {
        let needed = self.key_agreement.min(self.key_agreement_loose_wording);
        self.keys_agree(a, b, agreement, needed)
    }

    /// Whether the names and figures of `a` and `b` agree as a full duplicate's must, given
    /// the `needed` agreement: a share of their keys, and for a short document every figure.
    fn keys_agree(&self, a: &Analysis, b: &Analysis, agreement: Option<f32>, needed: f32) -> bool {
        if !agreement.is_none_or(|share| share >= needed) {
            return false;
        }
        if a.words().min(b.words()) < self.short_words {
            let (shared, fewer) = shared_figures(a, b);
            return shared == fewer;
        }
        true
    }
}

impl Default for JudgeOptions {
    fn default() -> Self {
        JudgeOptions {
            duplicate_similarity: 0.42,
            duplicate_coverage: 0.5,
            contained_coverage: 0.9,
            contained_similarity: 0.6,
            partial_words: 40,
            partial_similarity: 0.7,
            partial_sentences: 2,
            key_agreement: 0.7,
            key_agreement_loose_wording: 0.8,
            close_wording: 0.6,
            short_words: 40,
        }
    }
}

/// What a pair of documents is to each other.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The same article, however reworded, wrapped or cut.
    Full,
    /// A passage of one reused in the other.
    Partial,
}

/// A run of aligned sentences, cited by original line numbers.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Passage {
    /// First and last original line of the passage in document `a`.
    pub a_lines: [u32; 2],
    /// First and last original line of the passage in document `b`.
    pub b_lines: [u32; 2],
    /// Word-weighted similarity of the passage's sentence pairs, in [0, 1].
    #[serde(serialize_with = "crate::report::round3")]
    pub similarity: f32,
    /// Sentences paired in the passage.
    pub sentences: u32,
    /// The passage stands elsewhere in `b` than the order of `a` would put it.
    pub moved: bool,
}

/// One document of a pair, with what every pairwise stage needs: its text, sentences and chrome.
/// Judging, conflict detection and the diff all take their two documents this way.
pub struct Side<'a> {
    /// The document.
    pub document: &'a Document,
    /// Its sentences.
    pub analysis: &'a Analysis,
    /// Its chrome lines.
    pub chrome: &'a Chrome,
}

impl Side<'_> {
    /// Whether a chrome line lies strictly between two text lines.
    fn chrome_between(&self, after: u32, before: u32) -> bool {
        (after + 1..before).any(|line| self.chrome.is_chrome(line as usize))
    }

    fn sentence_lines(&self, sentence: u32) -> (u32, u32) {
        self.analysis.sentences[sentence as usize].lines
    }

    fn sentence_words(&self, sentence: u32) -> u32 {
        self.analysis.sentences[sentence as usize].words()
    }

    fn original(&self, line: u32) -> u32 {
        self.document.lines[line as usize].number
    }
}

/// Groups an alignment's pairs into passages.
pub fn passages(alignment: &Alignment, a: &Side, b: &Side) -> Vec<Passage> {
    let mut out = Vec::new();
    let mut run: Vec<SentencePair> = Vec::new();
    let flush = |run: &mut Vec<SentencePair>, out: &mut Vec<Passage>| {
        if run.is_empty() {
            return;
        }
        let first = run[0];
        let last = run[run.len() - 1];
        let (mut weighted, mut words) = (0.0f64, 0u64);
        for p in run.iter() {
            let w = (a.sentence_words(p.a) + b.sentence_words(p.b)) as u64;
            weighted += p.similarity as f64 * w as f64;
            words += w;
        }
        out.push(Passage {
            a_lines: [
                a.original(a.sentence_lines(first.a).0),
                a.original(a.sentence_lines(last.a).1),
            ],
            b_lines: [
                b.original(b.sentence_lines(first.b).0),
                b.original(b.sentence_lines(last.b).1),
            ],
            similarity: if words == 0 {
                0.0
            } else {
                (weighted / words as f64) as f32
            },
            sentences: run.len() as u32,
            moved: first.link == Link::Moved,
        });
        run.clear();
    };
    for &pair in &alignment.pairs {
        if let Some(&prev) = run.last() {
            let continues = pair.a == prev.a + 1
                && pair.b == prev.b + 1
                && (pair.link == Link::Moved) == (prev.link == Link::Moved)
                && !a.chrome_between(a.sentence_lines(prev.a).1, a.sentence_lines(pair.a).0)
                && !b.chrome_between(b.sentence_lines(prev.b).1, b.sentence_lines(pair.b).0);
            if !continues {
                flush(&mut run, &mut out);
            }
        }
        run.push(pair);
    }
    flush(&mut run, &mut out);
    out
}

/// The verdict on an aligned pair, if it is a duplicate or a reuse at all.
pub fn judge(
    alignment: &Alignment,
    passages: &[Passage],
    a: &Side,
    b: &Side,
    agreement: Option<f32>,
    options: &JudgeOptions,
) -> Option<Kind> {
    let coverage = alignment.coverage_a().min(alignment.coverage_b());
    let needed = if alignment.similarity < options.close_wording {
        options.key_agreement_loose_wording
    } else {
        options.key_agreement
    };
    let keys_agree = options.keys_agree(a.analysis, b.analysis, agreement, needed);
    let alike = alignment.similarity >= options.duplicate_similarity
        && coverage >= options.duplicate_coverage;
    // A copy cut short is the same article: nearly all of one lies in the other, closely.
    let contained = alignment.coverage_a().max(alignment.coverage_b())
        >= options.contained_coverage
        && alignment.matched_similarity() >= options.contained_similarity;
    if (alike || contained) && keys_agree {
        return Some(Kind::Full);
    }
    let reused = passages.iter().any(|p| {
        p.similarity >= options.partial_similarity
            && p.sentences >= options.partial_sentences
            && passage_words(alignment, p, a, b) >= options.partial_words
    });
    reused.then_some(Kind::Partial)
}

/// How far two documents agree on names and figures: the weight of the keys they share over
/// the weight of the keys of the one with less, each key weighted by its rarity, so that a
/// shared "Luxembourg" or "1,000" counts for little and a shared "Scotia" or "100-3/4" for much.
/// `None` when either document has fewer than two keys.
pub fn key_agreement(a: &Profile, b: &Profile) -> Option<f32> {
    let (a, b) = (&a.keys, &b.keys);
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let total = |keys: &[(Token, f32)]| keys.iter().map(|&(_, w)| w).sum::<f32>();
    // Both sorted: one walk finds the shared ones, added up in the order of `a`.
    let mut k = 0;
    let mut shared = 0.0f32;
    for &(key, w) in a {
        while k < b.len() && b[k].0 < key {
            k += 1;
        }
        if k < b.len() && b[k].0 == key {
            shared += w;
        }
    }
    let smaller = total(a).min(total(b));
    (smaller > 0.0).then(|| (shared / smaller).min(1.0))
}

/// Distinct figures shared by two documents, and how many the one with fewer gives.
pub fn shared_figures(a: &Analysis, b: &Analysis) -> (usize, usize) {
    let figures = |analysis: &Analysis| {
        let mut f: Vec<u64> = analysis
            .tokens
            .iter()
            .copied()
            .filter(|&t| is_number(t))
            .collect();
        f.sort_unstable();
        f.dedup();
        f
    };
    let (fa, fb) = (figures(a), figures(b));
    let (small, large) = if fa.len() <= fb.len() {
        (&fa, &fb)
    } else {
        (&fb, &fa)
    };
    let shared = small
        .iter()
        .filter(|t| large.binary_search(t).is_ok())
        .count();
    (shared, small.len())
}

/// Words of a passage on its shorter side.
fn passage_words(alignment: &Alignment, passage: &Passage, a: &Side, b: &Side) -> u32 {
    let in_range = |side: &Side, lines: [u32; 2], sentence: u32| {
        let (first, last) = side.sentence_lines(sentence);
        side.original(first) >= lines[0] && side.original(last) <= lines[1]
    };
    let (mut wa, mut wb) = (0, 0);
    for p in &alignment.pairs {
        if in_range(a, passage.a_lines, p.a) && in_range(b, passage.b_lines, p.b) {
            wa += a.sentence_words(p.a);
            wb += b.sentence_words(p.b);
        }
    }
    wa.min(wb)
}

/// Union-find over document indices.
pub struct Clusters {
    parent: Vec<u32>,
}

impl Clusters {
    /// `n` singletons.
    pub fn new(n: usize) -> Self {
        Clusters {
            parent: (0..n as u32).collect(),
        }
    }

    /// The representative of `x`'s cluster.
    pub fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let grand = self.parent[self.parent[x as usize] as usize];
            self.parent[x as usize] = grand;
            x = grand;
        }
        x
    }

    /// Joins the clusters of `a` and `b`.
    pub fn union(&mut self, a: u32, b: u32) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            // The smaller index represents, so the result does not depend on union order.
            let (keep, gone) = if ra < rb { (ra, rb) } else { (rb, ra) };
            self.parent[gone as usize] = keep;
        }
    }

    /// Groups of two or more members, each sorted, ordered by first member.
    pub fn groups(&mut self) -> Vec<Vec<u32>> {
        let n = self.parent.len();
        let mut by_root: std::collections::BTreeMap<u32, Vec<u32>> = Default::default();
        for x in 0..n as u32 {
            let root = self.find(x);
            by_root.entry(root).or_default().push(x);
        }
        by_root.into_values().filter(|g| g.len() > 1).collect()
    }
}

/// Evidence that a document is the wire service's own copy: its attribution or copyright line.
pub fn wire_attribution(document: &Document) -> Option<(u32, String)> {
    const AGENCIES: &[&str] = &[
        "associated press",
        "reuters",
        "agence france-presse",
        "afp",
        "bloomberg",
        "dpa",
        "united press international",
        "canadian press",
        "press association",
    ];
    for (index, line) in document.line_texts().enumerate() {
        let lower = line.to_lowercase();
        let names_agency = AGENCIES.iter().any(|a| lower.contains(a));
        if !names_agency {
            continue;
        }
        let attribution = lower.contains("copyright")
            || lower.contains('©')
            || lower.contains("all rights reserved")
            || (lower.contains("writers") || lower.contains("writer"))
                && lower.contains("contributed")
            || lower.contains("(reuters)")
            || lower.contains("(ap)")
            || lower.contains("(afp)");
        if attribution {
            return Some((document.lines[index].number, quoted(line.trim(), 80)));
        }
    }
    None
}

/// `text` whole if it has at most `max` characters; otherwise its words that fit in `max - 1`,
/// then "…", so that a quoted line never ends inside a name.
fn quoted(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let end = text
        .char_indices()
        .nth(max - 1)
        .map_or(text.len(), |(at, _)| at);
    let (room, next) = text.split_at(end);
    let cut = if next.starts_with(char::is_whitespace) {
        room.len()
    } else {
        // A single word longer than the room is cut where the room ends.
        room.rfind(char::is_whitespace)
            .filter(|&at| at > 0)
            .unwrap_or(room.len())
    };
    let kept = room[..cut].trim_end_matches(|c: char| c.is_whitespace() || c == ',');
    format!("{kept}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clusters_are_connected_components() {
        let mut c = Clusters::new(6);
        c.union(4, 1);
        c.union(1, 2);
        c.union(5, 3);
        assert_eq!(c.groups(), vec![vec![1, 2, 4], vec![3, 5]]);
    }

    #[test]
    fn figures_tell_templates_from_copies() {
        let analyze = |t: &str| crate::text::analyze(t.lines().map(|l| (l, true)));
        let a = analyze("Qtly div nine cts\nPay April 30\nRecord April six");
        let same = analyze(
            "The board declared a quarterly dividend of nine cts, payable April 30, record April Six.",
        );
        let other = analyze("Qtly div five cts vs five cts\nPay April 30\nRecord April 15");
        let few = analyze("Qtly div 12 cts");
        assert_eq!(shared_figures(&a, &same), (3, 3));
        assert_eq!(shared_figures(&a, &other), (1, 3));
        assert_eq!(shared_figures(&a, &few), (0, 1));
    }

    #[test]
    fn attribution_lines_are_found() {
        let doc = Document::from_text(
            "d",
            "d.txt",
            "Body text.\n\nCopyright 2026 The Associated Press. All rights reserved.",
        );
        assert_eq!(wire_attribution(&doc).map(|(line, _)| line), Some(3));
        let plain = Document::from_text("p", "p.txt", "He told The Associated Press he was fine.");
        assert_eq!(wire_attribution(&plain), None);
    }

    #[test]
    fn a_long_attribution_is_quoted_to_a_word_boundary() {
        let line = "Associated Press writers Gerald Imray in Cape Town, South Africa, and Qassim \
                    Abdul-Zahra in Baghdad contributed.";
        let doc = Document::from_text("d", "d.txt", line);
        let (_, text) = wire_attribution(&doc).expect("an attribution");
        assert_eq!(
            text,
            "Associated Press writers Gerald Imray in Cape Town, South Africa, and Qassim…"
        );
        assert_eq!(quoted("short line", 80), "short line");
        assert_eq!(quoted("one two three", 8), "one two…");
        assert_eq!(quoted("one two, three", 9), "one two…");
        assert_eq!(quoted("unbreakableword", 6), "unbre…");
        assert_eq!(quoted("ééééé ééééé", 7), "ééééé…");
    }
}
