//! Cross-document conflicts: two articles that are not copies of each other state the same
//! quantity with figures that cannot both be true.
//!
//! Takes every document's body sentences and the collection's token weights; gives
//! [`Conflict`]s of kind `cross`, each with the evidence that the two claims are about one
//! quantity. Two claims are taken to be about the same quantity when all of these hold:
//!
//! - counts (not amounts of money or percentages, whose "of what" a currency does not say, nor
//!   measures like "20,000 tonnes" or "10 points") of the same counted noun, compared by stem
//!   ("troops", "soldiers" are different nouns; that is deliberate: a noun is what is counted),
//!   matched as in aligned conflicts (figures that agree pair off first, so "35 dlrs a share"
//!   in both does not meet "268 mln dlrs" in one);
//! - at least one shared name (a capitalized word inside the sentence, not one of the generic
//!   words of company names), and sentence contexts alike: the rarity-weighted share of content
//!   words the two sentences have in common ([`CrossOptions::min_context`]);
//! - compatible time: where both sentences give years or months, they share one, and where
//!   both records carry a "date", it is the same day;
//! - neither sentence is a template: a sentence whose wording, figures aside, appears in
//!   [`CrossOptions::template_documents`] documents or more (weekly price reports), or a table
//!   (a quarter of its words figures, or "vs" between them: earnings tables) is left out, since
//!   its figures describe different things each time.
//!
//! Candidates come from buckets keyed by (noun, name), capped like the shingle index's
//! buckets, so the work grows with the claims, not with their pairs. Documents reported as a
//! pair, or in one cluster, are left out: their figures are compared by the aligned conflicts.
//! Confidence is the context similarity; at most [`CrossOptions::per_pair`] conflicts are kept
//! for a pair of documents, the most confident.

use std::io;
use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashSet;
use xxhash_rust::xxh3::{xxh3_64, xxh3_64_with_seed};

use crate::align::Weights;
use crate::claims::ClaimKind;
use crate::conflicts::{Conflict, ConflictKind, disagreeing, quantities, reference_numbered};
use crate::corpus::Corpus;
use crate::ingest::Document;
use crate::spill::{self, Decoder, Encoder, Spill, SpillWriter};
use crate::text::{
    Analysis, MONTHS, Token, WEEKDAYS, canonical_word, is_number, is_stopword, token_of,
};

/// Settings for cross-document conflicts.
#[derive(Debug, Clone)]
pub struct CrossOptions {
    /// Look for them at all.
    pub enabled: bool,
    /// Least rarity-weighted share of content words two sentences have in common.
    pub min_context: f32,
    /// Least number of names two sentences share (and at least half of the fewer's).
    pub min_shared_names: usize,
    /// Least number of names the two documents share, and least share of the fewer's: two
    /// reports of one story, not two stories of one kind.
    pub min_topic_names: usize,
    /// See `min_topic_names`.
    pub min_topic: f32,
    /// A sentence whose wording, figures aside, is in this many documents is a template.
    pub template_documents: u32,
    /// Largest candidate bucket expanded into pairs.
    pub bucket_cap: usize,
    /// Most conflicts kept for one pair of documents.
    pub per_pair: usize,
}

impl Default for CrossOptions {
    fn default() -> Self {
        CrossOptions {
            enabled: true,
            min_context: 0.5,
            min_shared_names: 2,
            min_topic_names: 3,
            min_topic: 0.3,
            template_documents: 3,
            bucket_cap: 32,
            per_pair: 2,
        }
    }
}

/// Capitalized words that name no one in particular.
const GENERIC_NAMES: &[&str] = &[
    "corp",
    "inc",
    "co",
    "ltd",
    "plc",
    "llc",
    "group",
    "company",
    "bank",
    "the",
    "mr",
    "mrs",
    "ms",
    "dr",
    "said",
    "reuter",
    "reuters",
    "ap",
    "associated",
    "press",
    "shr",
    "net",
    "revs",
    "qtr",
    "vs",
    "cts",
    "dlrs",
    "mln",
    "pct",
];

/// One sentence that states figures, with what is needed to match it.
#[derive(Debug, Clone, PartialEq)]
struct Mention {
    document: u32,
    /// The sentence, and where its text came from: (byte offset, original line number).
    text: String,
    starts: Vec<(usize, usize)>,
    /// Stems of the counted nouns of its claims, and currencies of its amounts.
    nouns: Vec<String>,
    /// Names in the sentence, as tokens.
    names: Vec<Token>,
    /// Content words of the sentence, as sorted unique tokens.
    context: Vec<Token>,
    /// Years and months the sentence gives.
    times: Vec<String>,
    /// Hash of the sentence's wording with figures masked.
    skeleton: u64,
}

/// Finds cross-document conflicts. `related` holds the pairs of documents (indices, smaller
/// first) reported as a pair; `cluster_of` gives each document's cluster.
pub(crate) fn find(
    corpus: &Corpus,
    figures: AllFigures,
    weights: &Weights,
    related: &FxHashSet<(u32, u32)>,
    cluster_of: &[u32],
    options: &CrossOptions,
) -> Vec<Conflict> {
    if !options.enabled {
        return Vec::new();
    }
    let per_document: Vec<Figures> = match figures {
        AllFigures::Held(all) => all,
        AllFigures::Spilled(spill) => (0..corpus.len())
            .into_par_iter()
            .map(|d| spill.decode(d, Figures::decode))
            .collect(),
    };
    let mut mentions = Vec::with_capacity(per_document.iter().map(|f| f.mentions.len()).sum());
    let mut document_names = Vec::with_capacity(per_document.len());
    let mut days = Vec::with_capacity(per_document.len());
    for figures in per_document {
        mentions.extend(figures.mentions);
        document_names.push(figures.names);
        days.push(figures.day);
    }

    // Templates: wording, figures aside, in several documents. The mentions are sorted by
    // skeleton and marked run by run. A binary search for each mention, as before, missed the
    // cache at every step once there were 1.7 million of them (a million documents): three of
    // the cross-check's 33 seconds. Mentions are in document order, so a run's documents come
    // in order, and they are counted by their changes.
    let mut by_skeleton: Vec<(u64, u32, u32)> = mentions
        .iter()
        .enumerate()
        .map(|(i, m)| (m.skeleton, i as u32, m.document))
        .collect();
    by_skeleton.par_sort_unstable();
    let mut template = vec![false; mentions.len()];
    for run in by_skeleton.chunk_by(|x, y| x.0 == y.0) {
        let documents = 1 + run.windows(2).filter(|w| w[0].2 != w[1].2).count();
        if documents as u32 >= options.template_documents {
            for &(_, i, _) in run {
                template[i as usize] = true;
            }
        }
    }
    drop(by_skeleton);

    // Buckets: (noun, name) -> sentences, each with its document, so that pairs are screened
    // without going back to the mentions.
    let mut keyed: Vec<(u64, u32, u32)> = mentions
        .par_iter()
        .enumerate()
        .filter(|&(i, _)| !template[i])
        .flat_map_iter(|(i, m)| {
            m.nouns.iter().flat_map(move |noun| {
                m.names.iter().map(move |&name| {
                    (
                        xxh3_64_with_seed(noun.as_bytes(), name),
                        i as u32,
                        m.document,
                    )
                })
            })
        })
        .collect();
    keyed.par_sort_unstable();
    keyed.dedup();
    let buckets: Vec<&[(u64, u32, u32)]> = keyed
        .chunk_by(|x, y| x.0 == y.0)
        .filter(|b| b.len() >= 2 && b.len() <= options.bucket_cap)
        .collect();
    let mut candidates: Vec<(u32, u32)> = buckets
        .par_iter()
        .flat_map_iter(|b| {
            b.iter().enumerate().flat_map(move |(k, &(_, x, dx))| {
                b[k + 1..].iter().filter_map(move |&(_, y, dy)| {
                    let unrelated = dx != dy
                        && !related.contains(&(dx.min(dy), dx.max(dy)))
                        && cluster_of[dx as usize] != cluster_of[dy as usize];
                    unrelated.then_some((x.min(y), x.max(y)))
                })
            })
        })
        .collect();
    candidates.sort_unstable();
    candidates.dedup();

    let mut found: Vec<(u32, u32, Conflict)> = candidates
        .par_iter()
        .flat_map_iter(|&(x, y)| {
            let (mx, my) = (&mentions[x as usize], &mentions[y as usize]);
            let (first, second) =
                if corpus.id(mx.document as usize) <= corpus.id(my.document as usize) {
                    (mx, my)
                } else {
                    (my, mx)
                };
            // The cheap tests first: the context's weights are a hash lookup for every
            // content word of both sentences, and most pairs fail on their names or days.
            let same_day = match (
                &days[first.document as usize],
                &days[second.document as usize],
            ) {
                (Some(x), Some(y)) => x == y,
                _ => true,
            };
            let related = || {
                let names = overlap(&first.names, &second.names);
                let topic = overlap(
                    &document_names[first.document as usize],
                    &document_names[second.document as usize],
                );
                let agree = same_day
                    && times_agree(&first.times, &second.times)
                    && names.0 >= options.min_shared_names
                    && names.1 >= 0.5
                    && topic.0 >= options.min_topic_names
                    && topic.1 >= options.min_topic;
                if !agree {
                    return None;
                }
                let context = weighted_overlap(&first.context, &second.context, weights);
                (context >= options.min_context).then_some(context)
            };
            let (context, disagreements) = match related() {
                Some(context) => (context, disagreeing(&first.text, &second.text)),
                None => (0.0, Vec::new()),
            };
            disagreements
                .into_iter()
                // Counts matched by what they count, not by their order in the sentences.
                .filter(|d| {
                    !d.by_order
                        && d.a.kind == ClaimKind::Quantity
                        && d.a.unit.as_deref().is_some_and(|u| !is_measure(u))
                })
                .map(move |d| {
                    let noun = d.a.unit.clone().unwrap_or_default();
                    let evidence = format!(
                        "same {} ({noun}); shared context {context:.2}: {}",
                        "counted noun",
                        shared_words(&first.text, &second.text).join(", ")
                    );
                    (
                        first.document,
                        second.document,
                        Conflict {
                            kind: ConflictKind::Cross,
                            a: reference_numbered(
                                corpus.id(first.document as usize),
                                &d.a,
                                &first.text,
                                &first.starts,
                                |number| number as u32,
                            ),
                            b: reference_numbered(
                                corpus.id(second.document as usize),
                                &d.b,
                                &second.text,
                                &second.starts,
                                |number| number as u32,
                            ),
                            confidence: context.min(1.0),
                            evidence: Some(evidence),
                        },
                    )
                })
        })
        .collect();

    // The most confident few per pair of documents.
    found.sort_by(|x, y| {
        (x.0, x.1)
            .cmp(&(y.0, y.1))
            .then(y.2.confidence.total_cmp(&x.2.confidence))
            .then_with(|| (x.2.a.line, x.2.b.line).cmp(&(y.2.a.line, y.2.b.line)))
    });
    found.dedup_by(|x, y| {
        (x.0, x.1, &x.2.a.text, x.2.a.line, &x.2.b.text, x.2.b.line)
            == (y.0, y.1, &y.2.a.text, y.2.a.line, &y.2.b.text, y.2.b.line)
    });
    let mut out = Vec::new();
    let mut last = None;
    let mut kept = 0;
    for (a, b, conflict) in found {
        if last != Some((a, b)) {
            last = Some((a, b));
            kept = 0;
        }
        if kept < options.per_pair {
            out.push(conflict);
            kept += 1;
        }
    }
    out
}

/// What the cross-check needs of one document: its sentences with figures; if it has
/// any, the names of its whole body (two reports of one story share many, two stories of one
/// kind, such as bond issues or rig counts, share few); and the day it was filed, where its
/// record says ("date": "26-FEB-1987 15:01"), since a figure reported on two days may have
/// changed in between. Taken once the collection's counts are known ([`take_all`]), so their
/// names are judged for rarity by every document's.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Figures {
    mentions: Vec<Mention>,
    names: Vec<Token>,
    day: Option<String>,
}

impl Figures {
    /// The figures of document number `d`, keeping the names `rare` keeps ([`rarity`]).
    pub(crate) fn of(
        d: u32,
        document: &Document,
        analysis: &Analysis,
        rare: &impl Fn(Token) -> bool,
    ) -> Figures {
        let (mentions, names) = mentions_of(d, document, analysis, rare);
        if mentions.is_empty() {
            return Figures::default();
        }
        let day = document.meta.get("date").and_then(|date| {
            let date = date.as_str()?;
            Some(
                date.split(|c: char| c.is_whitespace() || c == 'T')
                    .next()?
                    .to_string(),
            )
        });
        Figures {
            mentions,
            names,
            day,
        }
    }

    /// Encodes them for a spill file: nothing at all for a document without figures.
    fn encode(&self, out: &mut Encoder) {
        if self.mentions.is_empty() {
            return;
        }
        out.u64(self.mentions.len() as u64);
        for m in &self.mentions {
            out.u32(m.document);
            out.bytes(m.text.as_bytes());
            out.u64(m.starts.len() as u64);
            for &(offset, line) in &m.starts {
                out.u64(offset as u64);
                out.u64(line as u64);
            }
            out.strings(&m.nouns);
            out.u64s(&m.names);
            out.u64s(&m.context);
            out.strings(&m.times);
            out.u64(m.skeleton);
        }
        out.u64s(&self.names);
        match &self.day {
            Some(day) => {
                out.u8(1);
                out.bytes(day.as_bytes());
            }
            None => out.u8(0),
        }
    }

    /// Decodes what [`Figures::encode`] wrote.
    fn decode(bytes: &[u8]) -> Figures {
        if bytes.is_empty() {
            return Figures::default();
        }
        let mut d = Decoder::new(bytes);
        let mentions = (0..d.u64())
            .map(|_| Mention {
                document: d.u32(),
                text: d.string(),
                starts: (0..d.u64())
                    .map(|_| (d.u64() as usize, d.u64() as usize))
                    .collect(),
                nouns: d.strings(),
                names: d.u64s(),
                context: d.u64s(),
                times: d.strings(),
                skeleton: d.u64(),
            })
            .collect();
        let names = d.u64s();
        let day = (d.u8() == 1).then(|| d.string());
        Figures {
            mentions,
            names,
            day,
        }
    }
}

/// Every document's [`Figures`], its names judged by [`rarity`] under `weights`:
/// `of(d, document, rare)` for each document `d` of `corpus`, a chunk at a time on all
/// threads, held, or spilled to `dir` if it is `Some` (as [`FiguresWriter::new`] takes it).
/// None at all when the cross-check is off. Stops at the first chunk that cannot be written.
pub(crate) fn take_all(
    corpus: &Corpus,
    dir: Option<Option<&Path>>,
    weights: &Weights,
    options: &CrossOptions,
    of: impl Fn(usize, &Document, &(dyn Fn(Token) -> bool + Sync)) -> Figures + Sync,
) -> io::Result<AllFigures> {
    if !options.enabled {
        return Ok(AllFigures::Held(Vec::new()));
    }
    let rare = rarity(weights);
    let mut writer = FiguresWriter::new(dir)?;
    let mut failed = None;
    corpus.chunks(|start, chunk| {
        if failed.is_some() {
            return;
        }
        let batch = chunk
            .par_iter()
            .enumerate()
            .map(|(k, document)| of(start + k, document, &rare))
            .collect();
        failed = writer.extend(batch).err();
    });
    match failed {
        Some(error) => Err(error),
        None => writer.finish(),
    }
}

/// Collects every document's [`Figures`] in document order: held, or spilled as they come.
enum FiguresWriter {
    Held(Vec<Figures>),
    Spilled(SpillWriter),
}

impl FiguresWriter {
    /// Holds them, or spills them to `dir` if `spill` is `Some(dir)`.
    fn new(spill: Option<Option<&Path>>) -> io::Result<FiguresWriter> {
        Ok(match spill {
            None => FiguresWriter::Held(Vec::new()),
            Some(dir) => FiguresWriter::Spilled(SpillWriter::new(dir)?),
        })
    }

    /// Adds the next documents' figures.
    fn extend(&mut self, batch: Vec<Figures>) -> io::Result<()> {
        match self {
            FiguresWriter::Held(all) => all.extend(batch),
            FiguresWriter::Spilled(writer) => {
                for record in spill::encode_all(&batch, Figures::encode) {
                    writer.push(&record)?;
                }
            }
        }
        Ok(())
    }

    /// Done adding.
    fn finish(self) -> io::Result<AllFigures> {
        Ok(match self {
            FiguresWriter::Held(all) => AllFigures::Held(all),
            FiguresWriter::Spilled(writer) => AllFigures::Spilled(writer.finish()?),
        })
    }
}

/// Whether a name is rare enough to tell what a sentence is about: in a collection of 50
/// documents or more, in at most 5% of them ("U.S.", "Shr" and "Net" name nothing in
/// particular in a newswire).
pub(crate) fn rarity(weights: &Weights) -> impl Fn(Token) -> bool + Sync + '_ {
    move |t| is_rare(weights.share(t), weights.documents())
}

/// [`rarity`]'s test of a name found in a `share` of `documents`.
fn is_rare(share: f32, documents: u32) -> bool {
    documents < 50 || share <= 0.05
}

/// Every document's [`Figures`], its names judged by [`rarity`] once the collection's
/// frequencies are known, for [`find`].
pub(crate) enum AllFigures {
    /// Held in memory.
    Held(Vec<Figures>),
    /// Spilled to disk, one record a document.
    Spilled(Spill),
}

/// The sentences of one document's body that state counts, amounts or shares of something
/// and name someone `rare` keeps, and, if there are any, the names of the whole body
/// (sorted, distinct).
fn mentions_of(
    d: u32,
    document: &Document,
    analysis: &Analysis,
    rare: &impl Fn(Token) -> bool,
) -> (Vec<Mention>, Vec<Token>) {
    let mut out = Vec::new();
    let mut all_names = Vec::new();
    // Sentences whose names are already in `all_names`.
    let mut named = vec![false; analysis.sentences.len()];
    for (k, sentence) in analysis.sentences.iter().enumerate() {
        let tokens = analysis.sentence_tokens(sentence);
        let figures = tokens.iter().filter(|&&t| is_number(t)).count();
        // No figure: nothing to compare. Dense with figures: a table ("Shr 12 cts vs 19 cts Net
        // 369,000 vs 358,000"), whose figures belong to its row labels, not to its sentence.
        if figures == 0 || figures * 4 > tokens.len() {
            continue;
        }
        let (mut text, starts) = sentence.text_and_lines(|i| document.line(i));
        if text.contains(" vs ") {
            continue;
        }
        let mut names = names(&text);
        names.retain(|&t| rare(t));
        all_names.extend_from_slice(&names);
        named[k] = true;
        if names.is_empty() {
            continue;
        }
        let mut nouns: Vec<String> = quantities(&text)
            .into_iter()
            .filter_map(|claim| match (claim.kind, claim.unit.as_deref()) {
                (ClaimKind::Quantity, Some(noun)) if !is_measure(noun) => {
                    Some(canonical_word(noun))
                }
                _ => None,
            })
            .collect();
        nouns.sort_unstable();
        nouns.dedup();
        if nouns.is_empty() {
            continue;
        }
        let mut context: Vec<Token> = tokens
            .iter()
            .copied()
            .filter(|&t| !is_stopword(t) && !is_number(t))
            .collect();
        context.sort_unstable();
        context.dedup();
        // Held for every figure sentence of the collection until the cross-check ends (1.7
        // million of them at a million documents): no growth slack.
        text.shrink_to_fit();
        context.shrink_to_fit();
        nouns.shrink_to_fit();
        names.shrink_to_fit();
        out.push(Mention {
            document: d,
            times: times(&text),
            skeleton: skeleton(&text),
            text,
            starts: starts
                .into_iter()
                .map(|(offset, line)| (offset, document.lines[line].number as usize))
                .collect(),
            nouns,
            names,
            context,
        });
    }
    if out.is_empty() {
        return (out, Vec::new());
    }
    // Each document's names: two reports of one story share many; two stories of one kind
    // (bond issues, rig counts) share few.
    for (sentence, _) in analysis
        .sentences
        .iter()
        .zip(&named)
        .filter(|(_, named)| !**named)
    {
        let (text, _) = sentence.text_and_lines(|i| document.line(i));
        all_names.extend(names(&text).into_iter().filter(|&t| rare(t)));
    }
    all_names.sort_unstable();
    all_names.dedup();
    all_names.shrink_to_fit();
    (out, all_names)
}

/// Units of time and measure: "5 years", "10 points", "20,000 tonnes" say how much, not of
/// what; two stories measure different things in them.
fn is_measure(noun: &str) -> bool {
    // Abbreviations ("H.K." dlrs, "N.Z.") and adjectives of measures ("short tons", "troy
    // ounces", "common shares") are no counted nouns either.
    noun.len() <= 2
        || matches!(
            noun,
            "short"
                | "metric"
                | "troy"
                | "cubic"
                | "common"
                | "preferred"
                | "hrs"
                | "gmt"
                | "edt"
                | "est"
                | "cdt"
                | "bst"
                | "pm"
                | "am"
                | "per"
                | "cents"
                | "cts"
                | "dlrs"
                | "close"
        )
        || matches!(
            noun,
            "year"
                | "years"
                | "month"
                | "months"
                | "week"
                | "weeks"
                | "day"
                | "days"
                | "hour"
                | "hours"
                | "minute"
                | "minutes"
                | "decade"
                | "decades"
                | "time"
                | "times"
                | "point"
                | "points"
                | "basis"
                | "tonnes"
                | "tonne"
                | "tons"
                | "ton"
                | "barrels"
                | "barrel"
                | "bushels"
                | "ounces"
                | "ounce"
                | "lbs"
                | "pounds"
                | "kilos"
                | "bales"
                | "bags"
                | "acres"
                | "hectares"
                | "miles"
                | "kilometres"
                | "kilometers"
                | "km"
                | "metres"
                | "meters"
                | "feet"
                | "units"
                | "shares"
                | "share"
                | "head"
                | "percent"
                | "pct"
                | "bpd"
                | "mln"
                | "billion"
                | "million"
                | "thousand"
        )
}

/// Words that name no one: generic parts of company names ("Corp"), and dates ("March",
/// "Monday").
static NOT_NAMES: std::sync::LazyLock<FxHashSet<&'static str>> = std::sync::LazyLock::new(|| {
    GENERIC_NAMES
        .iter()
        .chain(MONTHS)
        .chain(WEEKDAYS)
        .copied()
        .collect()
});

/// Whether `word`, in any case, is one of [`NOT_NAMES`].
fn names_no_one(word: &str) -> bool {
    lower_case_is(word, |lower| NOT_NAMES.contains(lower))
}

/// `test` of `word` in lower case, without allocating for a short ASCII word, which nearly
/// every word is.
fn lower_case_is(word: &str, test: impl Fn(&str) -> bool) -> bool {
    let mut buffer = [0u8; 32];
    if word.is_ascii() && word.len() <= buffer.len() {
        let lower = &mut buffer[..word.len()];
        lower.copy_from_slice(word.as_bytes());
        lower.make_ascii_lowercase();
        test(std::str::from_utf8(lower).expect("ASCII is UTF-8"))
    } else {
        test(&word.to_lowercase())
    }
}

/// Capitalized words after the first, not generic ones, as tokens (sorted, distinct): the
/// names of `text`, of any rarity.
fn names(text: &str) -> Vec<Token> {
    let mut out: Vec<Token> = capitalized_words(text)
        .filter(|w| !names_no_one(w))
        .map(token_of)
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The words of `text` after the first, trimmed of what is neither letter nor digit, that start
/// with a capital and have more than one byte: the candidates of [`names`].
fn capitalized_words(text: &str) -> Box<dyn Iterator<Item = &str> + '_> {
    if !text.is_ascii() {
        return Box::new(capitalized_words_of_any_text(text));
    }
    // The same, a byte at a time: most words start in lower case and are passed over without
    // being trimmed. (U+000B is white space to `split_whitespace`, not to `u8`.)
    let bytes = text.as_bytes();
    let space = |b: u8| b.is_ascii_whitespace() || b == 0x0B;
    let mut i = 0;
    let mut first = true;
    Box::new(std::iter::from_fn(move || {
        loop {
            while i < bytes.len() && space(bytes[i]) {
                i += 1;
            }
            if i >= bytes.len() {
                return None;
            }
            let mut start = i;
            while start < bytes.len()
                && !space(bytes[start])
                && !bytes[start].is_ascii_alphanumeric()
            {
                start += 1;
            }
            let skip = std::mem::take(&mut first)
                || start >= bytes.len()
                || !bytes[start].is_ascii_uppercase();
            i = start;
            while i < bytes.len() && !space(bytes[i]) {
                i += 1;
            }
            if skip {
                continue;
            }
            let mut end = i;
            while !bytes[end - 1].is_ascii_alphanumeric() {
                end -= 1;
            }
            if end - start > 1 {
                return Some(&text[start..end]);
            }
        }
    }))
}

/// [`capitalized_words`] of any text, a char at a time.
fn capitalized_words_of_any_text(text: &str) -> impl Iterator<Item = &str> {
    text.split_whitespace()
        .skip(1)
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.len() > 1 && w.starts_with(|c: char| c.is_uppercase()))
}

/// Years and month names in a sentence.
fn times(text: &str) -> Vec<String> {
    let mut out: Vec<String> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| {
            (w.len() == 4
                && w.bytes().all(|b| b.is_ascii_digit())
                && (w.starts_with("19") || w.starts_with("20")))
                || w.len() > 3 && lower_case_is(w, |lower| MONTHS.contains(&lower))
        })
        .map(|w| w.to_lowercase())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Where both sentences name years or months, whether they share one.
fn times_agree(a: &[String], b: &[String]) -> bool {
    a.is_empty() || b.is_empty() || a.iter().any(|t| b.contains(t))
}

/// Hash of a sentence's lower-cased words, every word holding a digit masked.
fn skeleton(text: &str) -> u64 {
    let masked: Vec<&str> = text
        .split_whitespace()
        .map(|w| {
            if w.bytes().any(|b| b.is_ascii_digit()) {
                "#"
            } else {
                w
            }
        })
        .collect();
    xxh3_64(masked.join(" ").to_lowercase().as_bytes())
}

/// How many tokens two sorted sets share, and that count over the smaller set's size.
fn overlap(a: &[Token], b: &[Token]) -> (usize, f32) {
    let count = crate::text::shared(a, b).count();
    (count, count as f32 / a.len().min(b.len()).max(1) as f32)
}

/// Rarity-weighted overlap of two sorted token sets: shared weight over the smaller set's.
fn weighted_overlap(a: &[Token], b: &[Token], weights: &Weights) -> f32 {
    let total = |s: &[Token]| s.iter().map(|&t| weights.weight(t)).sum::<f32>();
    let smaller = total(a).min(total(b));
    if smaller <= 0.0 {
        return 0.0;
    }
    crate::text::shared(a, b)
        .map(|t| weights.weight(t))
        .sum::<f32>()
        / smaller
}

/// Content words of `a` also in `b` (by token), in `a`'s order, for the evidence line.
fn shared_words<'a>(a: &'a str, b: &str) -> Vec<&'a str> {
    let in_b: FxHashSet<Token> = b
        .split_whitespace()
        .map(|w| token_of(w.trim_matches(|c: char| !c.is_alphanumeric())))
        .collect();
    let mut seen = FxHashSet::default();
    a.split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty() && !w.bytes().any(|c| c.is_ascii_digit()))
        .filter(|w| {
            let t = token_of(w);
            !is_stopword(t) && in_b.contains(&t) && seen.insert(t)
        })
        .take(8)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeletons_ignore_figures() {
        assert_eq!(
            skeleton("Shr 1.20 dlrs vs 1.10 dlrs"),
            skeleton("Shr 2.05 dlrs vs 0.90 dlrs")
        );
        assert_ne!(skeleton("Shr 1.20 dlrs"), skeleton("Net 1.20 dlrs"));
    }

    #[test]
    fn times_must_share_a_year_or_month_when_both_give_one() {
        let (a, b, c) = (
            times("in March 1987"),
            times("in April 1987"),
            times("last year"),
        );
        assert!(times_agree(&a, &b), "1987 is shared");
        assert!(times_agree(&a, &c));
        assert!(!times_agree(&times("in 1986"), &times("in 1987")));
    }

    proptest::proptest! {
        /// The byte-at-a-time path for ASCII gives what the general one gives.
        #[test]
        fn capitalized_words_of_ascii_are_those_of_the_general_path(
            text in "([A-Ca-c0-9]{0,3}[ .,()'\"\t\n\u{b}\u{c}\r\u{1c}\u{1f}-]{0,2}){0,20}"
        ) {
            let general: Vec<&str> = capitalized_words_of_any_text(&text).collect();
            proptest::prop_assert_eq!(capitalized_words(&text).collect::<Vec<_>>(), general);
        }
    }

    #[test]
    fn figures_come_back_from_a_spill_as_they_were_taken() {
        let mut dated = Document::from_text(
            "a",
            "a.jsonl",
            "Police in Ohio said Acme Corp cut 300 jobs.\nThe mayor of Dayton said 40 more workers\n\
             would go in March 1987.\n\nNo figure here, said Smith.",
        );
        dated
            .meta
            .insert("date".into(), serde_json::Value::from("26-FEB-1987 15:01"));
        let plain = Document::from_text("b", "b.txt", "Nothing to count in this one at all.");
        let taken: Vec<Figures> = [&dated, &plain]
            .iter()
            .enumerate()
            .map(|(d, document)| {
                let chrome = crate::chrome::detect_alone(document);
                let analysis = crate::text::analyze_document(document, &chrome);
                Figures::of(d as u32, document, &analysis, &|_| true)
            })
            .collect();
        assert_eq!(taken[0].mentions.len(), 2, "{:?}", taken[0].mentions);
        assert_eq!(taken[0].day.as_deref(), Some("26-FEB-1987"));
        assert!(
            taken[0].names.len() > taken[0].mentions[0].names.len(),
            "Smith too"
        );
        assert_eq!(taken[1], Figures::default());
        let mut writer = FiguresWriter::new(Some(None)).unwrap();
        writer.extend(taken.clone()).unwrap();
        let AllFigures::Spilled(spill) = writer.finish().unwrap() else {
            panic!("asked to spill");
        };
        for (d, figures) in taken.iter().enumerate() {
            assert_eq!(&spill.decode(d, Figures::decode), figures);
        }
    }

    #[test]
    fn names_leave_out_the_first_word_and_generic_ones() {
        let n = names("Police said Acme Corp lost 300 jobs in Ohio");
        assert_eq!(n.len(), 2, "Acme and Ohio");
    }
}
