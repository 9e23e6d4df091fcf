//! Properties of whole reports over generated collections (issue #8): adding documents never
//! hides a pair, every reported span lies inside its document, and figures written out in words
//! read back as the number they spell. The alignment's own properties (symmetric, in [0, 1],
//! monotone except moved passages) are in src/align.rs; sentence spans in src/text.rs.

use std::collections::{HashMap, HashSet};

use crosscheck::ingest::Document;
use proptest::prelude::*;

/// A small deterministic generator (xorshift), so one seed gives one collection.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// About 2,000 made-up words from syllables, so articles share few words by chance.
fn vocabulary() -> Vec<String> {
    let onsets = [
        "b", "k", "d", "m", "t", "s", "l", "gr", "v", "pr", "n", "z", "h", "f",
    ];
    let vowels = ["a", "e", "i", "o", "u", "ai", "ou"];
    let codas = ["", "n", "r", "st", "l", "m"];
    let mut words = Vec::new();
    for o in onsets {
        for v in vowels {
            for c in codas {
                for o2 in ["", "r", "d", "v"] {
                    words.push(format!("{o}{v}{c}{o2}a"));
                }
            }
        }
    }
    words
}

fn sentence(rng: &mut Rng, words: &[String]) -> String {
    let n = 8 + rng.below(14);
    let mut s: Vec<String> = (0..n)
        .map(|_| words[rng.below(words.len())].clone())
        .collect();
    if rng.below(3) == 0 {
        s.insert(rng.below(n), format!("{}", 2 + rng.below(900)));
    }
    let mut first = s[0].chars();
    s[0] = first
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + first.as_str())
        .unwrap_or_default();
    s.join(" ") + "."
}

fn article(rng: &mut Rng, words: &[String]) -> Vec<String> {
    (0..6 + rng.below(10))
        .map(|_| sentence(rng, words))
        .collect()
}

/// A spun copy: about one word in `1/rate` swapped, a sentence sometimes dropped.
fn spin(rng: &mut Rng, words: &[String], sentences: &[String], rate: usize) -> Vec<String> {
    let mut out: Vec<String> = sentences
        .iter()
        .map(|s| {
            s.split(' ')
                .map(|w| {
                    if rng.below(rate) == 0 && !w.ends_with('.') {
                        words[rng.below(words.len())].clone()
                    } else {
                        w.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    if out.len() > 6 && rng.below(2) == 0 {
        out.remove(rng.below(out.len()));
    }
    out
}

fn document(id: String, sentences: &[String]) -> Document {
    Document::from_text(id.clone(), id, &sentences.join("\n\n"))
}

/// A collection: `originals` articles, each copied 0 to 2 times with light or heavy spinning.
fn collection(seed: u64, prefix: &str, originals: usize) -> Vec<Document> {
    let words = vocabulary();
    let mut rng = Rng(seed | 1);
    let mut documents = Vec::new();
    for i in 0..originals {
        let text = article(&mut rng, &words);
        for copy in 0..rng.below(3) {
            let rate = [4, 8, 20][rng.below(3)];
            let spun = spin(&mut rng, &words, &text, rate);
            documents.push(document(format!("{prefix}{i}-copy{copy}.txt"), &spun));
        }
        documents.push(document(format!("{prefix}{i}.txt"), &text));
    }
    documents
}

fn report(documents: Vec<Document>) -> crosscheck::report::Report {
    crosscheck::report_documents(documents, Vec::new(), &crosscheck::Options::default())
}

/// A pair found in collection A (from `seed_a`) but not in A with collection B (from `seed_b`,
/// `shared` of whose articles copy A's) added.
fn pair_hidden_by_adding(seed_a: u64, seed_b: u64, shared: usize) -> Option<(String, String)> {
    let a = collection(seed_a, "a", 6);
    let mut b = collection(seed_b, "b", 6);
    // Some of B copy A's articles too, so the union has new copies of old documents.
    let words = vocabulary();
    let mut rng = Rng(seed_b ^ 0x9e37_79b9);
    for k in 0..shared.min(a.len()) {
        let source = &a[rng.below(a.len())];
        let sentences: Vec<String> = source
            .line_texts()
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        b.push(document(
            format!("b-from-a{k}.txt"),
            &spin(&mut rng, &words, &sentences, 10),
        ));
    }
    let alone = report(a.clone());
    // Word weights come from the whole collection, so adding documents moves every score a
    // little: a pair at 0.422 alone fell to just under the 0.42 threshold in one union. What must
    // hold is that the candidate search never loses a pair, so the union is judged with every
    // threshold WEIGHT_MARGIN lower while its candidates are found exactly as before.
    let union = crosscheck::report_documents(
        a.into_iter().chain(b).collect(),
        Vec::new(),
        &options_lowered_by(WEIGHT_MARGIN),
    );
    let found = pairs(&union);
    pairs(&alone).into_iter().find(|pair| !found.contains(pair))
}

#[test]
fn a_pair_at_the_threshold_survives_a_union_that_moves_its_weights() {
    // The draw that failed with the union judged at the same thresholds (0.422 alone, under 0.42
    // in the union).
    assert_eq!(
        pair_hidden_by_adding(511689500415912482, 6060431818313091104, 2),
        None
    );
}

#[test]
fn a_sentence_every_copy_kept_stays_body_when_more_copies_arrive() {
    // Articles set one short sentence to a line: one sentence, in four copies of a1 in the
    // union, was taken for chrome (the copies' sketches, from long lines only, were empty, so
    // they looked unrelated), and a1-copy0/a1-copy1 lost the passage that made them a pair.
    assert_eq!(
        pair_hidden_by_adding(7557237666595276538, 6828428961830470356, 1),
        None
    );
}

/// How far a score may move when the collection around a pair grows.
const WEIGHT_MARGIN: f32 = 0.05;

/// The default options with every score threshold of the judge `margin` lower; the candidate
/// search is left as it is.
fn options_lowered_by(margin: f32) -> crosscheck::Options {
    let mut options = crosscheck::Options::default();
    let judge = &mut options.judge;
    for threshold in [
        &mut judge.duplicate_similarity,
        &mut judge.duplicate_coverage,
        &mut judge.contained_coverage,
        &mut judge.contained_similarity,
        &mut judge.partial_similarity,
        &mut judge.key_agreement,
        &mut judge.key_agreement_loose_wording,
        &mut judge.close_wording,
    ] {
        *threshold -= margin;
    }
    options
}

fn pairs(report: &crosscheck::report::Report) -> HashSet<(String, String)> {
    report
        .pairs
        .iter()
        .map(|p| (p.a.clone(), p.b.clone()))
        .collect()
}

/// A collection whose documents some sites wrap in their chrome (short lines that recur across
/// unrelated articles), for the chrome stages to have evidence to weigh.
fn wrapped_collection(seed: u64) -> Vec<Document> {
    let sites = [
        [
            "Follow The Daily Planet",
            "Subscribe to our newsletter",
            "Story continues below",
        ],
        [
            "Home | World | Business",
            "Share this article",
            "Read more from Gazette",
        ],
    ];
    let mut rng = Rng(seed.wrapping_mul(31) | 1);
    collection(seed, "w", 10)
        .into_iter()
        .map(|d| match rng.below(3) {
            2 => d,
            site => {
                let [head, middle, tail] = sites[site];
                let text = format!("{head}\n\n{middle}\n\n{}\n\n{tail}\n", d.text);
                Document::from_text(d.id.clone(), d.id.clone(), &text)
            }
        })
        .collect()
}

/// `report`'s stages run one shard at a time, as separate processes would run them, each
/// given only the earlier stages' records.
fn staged(
    documents: Vec<Document>,
    shards: u32,
    parts: u32,
    options: &crosscheck::Options,
) -> crosscheck::report::Report {
    use crosscheck::stages::{self, Input, Shard};
    let each = |count: u32| (0..count).map(move |index| Shard { index, count });
    let input = Input::held(documents, Vec::new());
    let n = input.len();
    let lines = each(shards)
        .flat_map(|s| stages::lines(&input, s))
        .collect();
    let candidates = stages::chrome_candidates(lines, &options.chrome);
    let sketches = each(shards)
        .flat_map(|s| stages::sketches(&input, s, &candidates))
        .collect();
    let recurring = stages::recurring(&candidates, sketches, &options.chrome).unwrap();
    let signed: Vec<_> = each(shards)
        .rev() // any order of shards will do
        .flat_map(|s| stages::sign(&input, s, &recurring, options))
        .collect();
    let drawn = each(parts)
        .map(|p| stages::pairs(&signed, n, p, options))
        .collect();
    let found = stages::candidates(&signed, n, drawn, options).unwrap();
    let verifications: Vec<_> = each(parts + 1)
        .map(|p| stages::verify_part(&input, &found, p, &signed, &recurring, options))
        .collect();
    // The clusters from the components stage, as a distributed run takes them.
    let edges = stages::full_duplicates(&verifications);
    let components = stages::components(&edges, n);
    let reduced = stages::Reduced {
        stats: &found.stats,
        verifications,
        recurring: &recurring,
        df: stages::document_frequencies(&signed, None),
        components: Some(&components),
    };
    stages::assemble(&input, signed, reduced, options).unwrap()
}

proptest! {
    // 48 cases by default (each runs the whole pipeline); PROPTEST_CASES=1000 for a deeper run.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(48)
    ))]

    /// Issue #9: the stages over shards give exactly `report`'s report, with candidate search
    /// tight enough that common shingles are subsampled and buckets overflow.
    #[test]
    fn stages_over_shards_give_the_report_of_report(seed in any::<u64>(), shards in 1u32..5, parts in 1u32..4, tight in any::<bool>()) {
        let documents = wrapped_collection(seed);
        let mut options = crosscheck::Options::default();
        if tight {
            options.index.bucket_cap = 2;
            options.index.common_documents = 2;
            options.index.short_signature = 8;
            options.index.min_shared = 2;
        }
        let single = crosscheck::report_documents(documents.clone(), Vec::new(), &options);
        let staged = staged(documents, shards, parts, &options);
        prop_assert_eq!(
            serde_json::to_string(&staged).unwrap(),
            serde_json::to_string(&single).unwrap()
        );
    }

    #[test]
    fn adding_documents_never_hides_a_pair(seed_a in any::<u64>(), seed_b in any::<u64>(), shared in 0usize..3) {
        if let Some(lost) = pair_hidden_by_adding(seed_a, seed_b, shared) {
            prop_assert!(false, "{lost:?} found in A but not in A ∪ B");
        }
    }

    #[test]
    fn every_reported_span_lies_inside_its_document(seed in any::<u64>()) {
        let documents = collection(seed, "d", 8);
        let lines: HashMap<String, u32> = documents
            .iter()
            .map(|d| (d.id.clone(), d.lines.len() as u32))
            .collect();
        let texts: HashMap<String, String> =
            documents.iter().map(|d| (d.id.clone(), d.text.clone())).collect();
        let report = report(documents);
        for pair in &report.pairs {
            prop_assert!((0.0..=1.0).contains(&pair.similarity));
            prop_assert!((0.0..=1.0).contains(&pair.coverage_a) && (0.0..=1.0).contains(&pair.coverage_b));
            for passage in &pair.passages {
                for (range, id) in [(passage.a_lines, &pair.a), (passage.b_lines, &pair.b)] {
                    prop_assert!(1 <= range[0] && range[0] <= range[1] && range[1] <= lines[id], "{range:?} in {id}");
                }
            }
        }
        for conflict in &report.conflicts {
            for side in [&conflict.a, &conflict.b] {
                prop_assert!(1 <= side.line && side.line <= lines[&side.doc]);
                prop_assert!(side.sentence.contains(&side.text), "{:?} not in {:?}", side.text, side.sentence);
                prop_assert!(texts[&side.doc].contains(&side.text));
            }
        }
    }

    #[test]
    fn figures_spelled_out_read_back_as_their_value(n in 0u64..1_000_000_000) {
        let text = format!("Officials counted {} ballots.", spell(n));
        let claims = crosscheck::claims::extract(&text);
        prop_assert_eq!(claims.len(), 1, "{}: {:?}", text, claims);
        prop_assert_eq!(claims[0].value(), Some(n as f64), "{}", text);
    }
}

/// An English cardinal: 1234 -> "one thousand two hundred thirty-four".
fn spell(n: u64) -> String {
    const ONES: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 10] = [
        "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    fn below_thousand(n: u64) -> String {
        let mut parts = Vec::new();
        if n >= 100 {
            parts.push(format!("{} hundred", ONES[(n / 100) as usize]));
        }
        let rest = n % 100;
        if rest >= 20 {
            let tens = TENS[(rest / 10) as usize];
            parts.push(match rest % 10 {
                0 => tens.to_string(),
                one => format!("{tens}-{}", ONES[one as usize]),
            });
        } else if rest > 0 {
            parts.push(ONES[rest as usize].to_string());
        }
        parts.join(" ")
    }
    if n == 0 {
        return "zero".to_string();
    }
    let mut parts = Vec::new();
    for (scale, name) in [(1_000_000, "million"), (1_000, "thousand"), (1, "")] {
        let group = n / scale % 1000;
        if group > 0 {
            let words = below_thousand(group);
            parts.push(if name.is_empty() {
                words
            } else {
                format!("{words} {name}")
            });
        }
    }
    parts.join(" ")
}

#[test]
fn the_wrapped_collections_exercise_every_stage() {
    // The staged property would hold vacuously without chrome, pairs or overflowing buckets.
    let (mut chrome, mut pairs, mut oversized, mut clusters) = (0, 0, 0, 0);
    let mut options = crosscheck::Options::default();
    options.index.bucket_cap = 2;
    options.index.common_documents = 2;
    for seed in 1..=5 {
        let report = crosscheck::report_documents(wrapped_collection(seed), Vec::new(), &options);
        chrome += report.stats.boilerplate_lines;
        pairs += report.pairs.len();
        oversized += report.stats.oversized_buckets;
        clusters += report.clusters.len();
    }
    eprintln!(
        "chrome lines {chrome}, pairs {pairs}, oversized buckets {oversized}, clusters {clusters}"
    );
    assert!(chrome > 0 && pairs > 0 && oversized > 0 && clusters > 0);
}

#[test]
fn the_generated_collections_hold_pairs_to_find() {
    // The properties above would hold vacuously on collections without copies.
    let (mut planted, mut found, mut partial) = (0, 0, 0);
    for seed in 1..=10 {
        let documents = collection(seed, "d", 6);
        planted += documents.iter().filter(|d| d.id.contains("-copy")).count();
        let report = report(documents);
        found += report.pairs.len();
        partial += report
            .pairs
            .iter()
            .filter(|p| p.kind == crosscheck::judge::Kind::Partial)
            .count();
    }
    eprintln!("planted {planted}, pairs {found}, partial {partial}");
    assert!(found >= planted / 2, "planted {planted}, found {found}");
}
