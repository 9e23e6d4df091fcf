//! Conflicts: numbers that cannot both be true, in passages the alignment paired.
//!
//! Takes a reported pair's alignment and both documents, extracts the claims of every paired
//! sentence (counts, percentages, money; not years, dates or times), and matches them: claims
//! that agree pair off first; of the rest, by counted noun (compared by stem) or currency, then,
//! where each side has the same number of claims of a kind left, in order. Two matched claims whose intervals do not overlap are a
//! conflict ("thousands of soldiers" against "hundreds of soldiers"). A figure found on one side
//! only is not a conflict, nor are claims whose bands overlap ("about 10 thousand" against "9.6
//! thousand"). Confidence is the sentence pair's similarity, lowered when the claims were
//! matched by order rather than by what they count.

use serde::Serialize;

use crate::align::Alignment;
use crate::claims::{Claim, ClaimKind, extract};
use crate::judge::Side;
use crate::text::canonical_word;

/// Least sentence similarity for paired sentences to be compared for conflicts: weaker pairs
/// may state different facts.
pub const MIN_SENTENCE_SIMILARITY: f32 = 0.3;

/// What kind of conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConflictKind {
    /// Inside passages the alignment paired.
    Aligned,
    /// In different articles that are not copies of each other, about the same quantity.
    Cross,
}

/// One side of a conflict.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct ClaimRef {
    /// The document's id.
    pub doc: String,
    /// Original line of the claim.
    pub line: u32,
    /// The words that state it.
    pub text: String,
    /// Its value as a reader would put it ("~ 700", "200 .. 999.999999").
    pub value: String,
    /// The sentence it is in.
    pub sentence: String,
}

/// Two claims that cannot both be true.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct Conflict {
    /// Aligned or across documents.
    pub kind: ConflictKind,
    /// The first document's claim.
    pub a: ClaimRef,
    /// The second document's claim.
    pub b: ClaimRef,
    /// How sure the match is, in [0, 1].
    #[serde(serialize_with = "crate::report::round3")]
    pub confidence: f32,
    /// Why the two claims were taken to be about the same quantity (cross conflicts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// Which side of a pair a figure is on alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unpaired {
    /// In the first document's sentence, not in its counterpart in the second.
    Dropped,
    /// In the second document's sentence, not in its counterpart in the first.
    Added,
}

/// A figure stated in one of two paired sentences only: no conflict, but a change a reader of
/// the copy should know of.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize)]
pub struct UnpairedFigure {
    /// Dropped from the first document, or added in the second.
    pub kind: Unpaired,
    /// The figure, where it is stated.
    pub figure: ClaimRef,
    /// The other document's id.
    pub other: String,
    /// First original line of the counterpart sentence in the other document.
    pub other_line: u32,
}

/// What the figures of a pair's paired sentences show.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    /// Figures that cannot both be true.
    pub conflicts: Vec<Conflict>,
    /// Figures on one side only.
    pub unpaired: Vec<UnpairedFigure>,
}

/// The reference to a claim found in a sentence: `starts` maps byte offsets of the sentence
/// text to the document lines they came from (see [`crate::text::Sentence::text_and_lines`]).
pub(crate) fn reference(
    document: &crate::ingest::Document,
    claim: &Claim,
    text: &str,
    starts: &[(usize, usize)],
) -> ClaimRef {
    reference_numbered(&document.id, claim, text, starts, |i| {
        document.lines[i].number
    })
}

/// [`reference`] for a document not at hand: its id, and `number` giving the original line
/// number of each line index in `starts`.
pub(crate) fn reference_numbered(
    id: &str,
    claim: &Claim,
    text: &str,
    starts: &[(usize, usize)],
    number: impl Fn(usize) -> u32,
) -> ClaimRef {
    let k = starts.partition_point(|&(offset, _)| offset <= claim.span.0);
    ClaimRef {
        doc: id.to_string(),
        line: number(starts[k.saturating_sub(1)].1),
        text: claim.text.clone(),
        value: claim.describe(),
        sentence: text.to_string(),
    }
}

/// Two claims of paired sentences that cannot both be true.
#[derive(Debug, Clone, PartialEq)]
pub struct Disagreement {
    /// The first sentence's claim.
    pub a: Claim,
    /// The second sentence's claim.
    pub b: Claim,
    /// Matched by their order in the sentences rather than by what they count.
    pub by_order: bool,
}

/// The claims that count, percent or price something (not years, dates, times).
pub(crate) fn quantities(text: &str) -> Vec<Claim> {
    extract(text)
        .into_iter()
        .filter(|c| {
            matches!(
                c.kind,
                ClaimKind::Quantity | ClaimKind::Percent | ClaimKind::Money
            )
        })
        .collect()
}

/// The figures of two paired sentences that disagree.
pub fn disagreeing(left: &str, right: &str) -> Vec<Disagreement> {
    compare(left, right).disagreements
}

/// What comparing the figures of two paired sentences finds.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SentenceFigures {
    /// Matched figures that cannot both be true.
    pub disagreements: Vec<Disagreement>,
    /// Figures of the first sentence with no counterpart in the second.
    pub only_left: Vec<Claim>,
    /// Figures of the second sentence with no counterpart in the first.
    pub only_right: Vec<Claim>,
}

/// Compares the figures of two paired sentences: which disagree, which are on one side only.
pub fn compare(left: &str, right: &str) -> SentenceFigures {
    // Most paired sentences of a copy are word for word the same: their figures are read once.
    let (left, right) = if left == right {
        let figures = quantities(left);
        (figures.clone(), figures)
    } else {
        (quantities(left), quantities(right))
    };
    if left.is_empty() && right.is_empty() {
        return SentenceFigures::default();
    }
    let (matched, used_left, used_right) = match_claims(&left, &right);
    SentenceFigures {
        disagreements: matched
            .into_iter()
            .filter(|&(x, y, _)| contradicts(&left[x], &right[y]))
            .map(|(x, y, by_order)| Disagreement {
                a: left[x].clone(),
                b: right[y].clone(),
                by_order,
            })
            .collect(),
        only_left: (0..left.len())
            .filter(|&x| !used_left[x])
            .map(|x| left[x].clone())
            .collect(),
        only_right: (0..right.len())
            .filter(|&y| !used_right[y])
            .map(|y| right[y].clone())
            .collect(),
    }
}

/// Whether two matched claims cannot both be true. A sign is not held against a copy (a spinner
/// turns "minus 0.10 pct" into "subtraction 0.10 pct"), nor is a fraction compared with a whole
/// number (a spinner's "two-tierces" for "two-thirds" reads as two).
fn contradicts(a: &Claim, b: &Claim) -> bool {
    let fraction = |c: &Claim| {
        c.kind == ClaimKind::Quantity
            && c.stated.abs() < 1.0
            && c.stated != 0.0
            && !c.text.contains(|ch: char| ch.is_ascii_digit())
    };
    if fraction(a) != fraction(b) {
        return false;
    }
    !a.compatible(b) && !a.magnitude().compatible(&b.magnitude())
}

/// What a claim counts, for matching: the currency, or the stem of its noun.
fn counted(claim: &Claim) -> Option<String> {
    let unit = claim.unit.as_deref()?;
    Some(match claim.kind {
        ClaimKind::Money => unit.to_string(),
        _ => canonical_word(unit),
    })
}

/// The conflicts, and the figures on one side only, inside the paired sentences of two
/// documents.
pub fn aligned(alignment: &Alignment, a: &Side, b: &Side) -> Findings {
    let mut out = Findings::default();
    for pair in &alignment.pairs {
        if pair.similarity < MIN_SENTENCE_SIMILARITY {
            continue;
        }
        let sentence = |side: &Side, index: u32| {
            side.analysis.sentences[index as usize].text_and_lines(|i| side.document.line(i))
        };
        let (text_a, starts_a) = sentence(a, pair.a);
        let (text_b, starts_b) = sentence(b, pair.b);
        let figures = compare(&text_a, &text_b);
        let first_line = |side: &Side, starts: &[(usize, usize)]| {
            side.document.lines[starts.first().map_or(0, |s| s.1)].number
        };
        for (claims, kind, (has, has_text, has_starts), (lacks, lacks_starts)) in [
            (
                &figures.only_left,
                Unpaired::Dropped,
                (a, &text_a, &starts_a),
                (b, &starts_b),
            ),
            (
                &figures.only_right,
                Unpaired::Added,
                (b, &text_b, &starts_b),
                (a, &starts_a),
            ),
        ] {
            for claim in claims {
                out.unpaired.push(UnpairedFigure {
                    kind,
                    figure: reference(has.document, claim, has_text, has_starts),
                    other: lacks.document.id.clone(),
                    other_line: first_line(lacks, lacks_starts),
                });
            }
        }
        for found in figures.disagreements {
            out.conflicts.push(Conflict {
                kind: ConflictKind::Aligned,
                a: reference(a.document, &found.a, &text_a, &starts_a),
                b: reference(b.document, &found.b, &text_b, &starts_b),
                confidence: pair.similarity * if found.by_order { 0.8 } else { 1.0 },
                evidence: None,
            });
        }
    }
    out
}

/// Matched claims of two sentences: the pairs (with whether they were matched by order), and
/// which claims of each side found a counterpart, as a twin or a match.
type Matching = (Vec<(usize, usize, bool)>, Vec<bool>, Vec<bool>);

/// Matches claims of two paired sentences: twins first, then by what they count, then in order
/// among the rest.
fn match_claims(left: &[Claim], right: &[Claim]) -> Matching {
    let mut matched = Vec::new();
    let mut used_left = vec![false; left.len()];
    let mut used_right = vec![false; right.len()];
    // Claims that agree pair off first: a spinner leaves figures alone, so in a copy most claims
    // have a twin, and what is left over is what changed. Twins stated the same way go first,
    // so that "more than 40 pct" does not take the "50 pct" that is the twin of another.
    let same_statement = |l: &Claim, r: &Claim| {
        l.qualifier == r.qualifier
            && (l.stated - r.stated).abs() <= 1e-9 * l.stated.abs().max(1.0)
            && r.compatible(l)
    };
    let loose = |l: &Claim, r: &Claim| r.compatible(l);
    for agree in [&same_statement as &dyn Fn(&Claim, &Claim) -> bool, &loose] {
        for (x, l) in left.iter().enumerate() {
            if used_left[x] {
                continue;
            }
            let twin = right
                .iter()
                .enumerate()
                .position(|(y, r)| !used_right[y] && r.kind == l.kind && agree(l, r));
            if let Some(y) = twin {
                used_left[x] = true;
                used_right[y] = true;
            }
        }
    }
    for (x, l) in left.iter().enumerate() {
        if used_left[x] {
            continue;
        }
        let Some(what) = counted(l) else {
            continue;
        };
        let found = right.iter().enumerate().position(|(y, r)| {
            !used_right[y] && r.kind == l.kind && counted(r).as_deref() == Some(&what)
        });
        if let Some(y) = found {
            used_left[x] = true;
            used_right[y] = true;
            matched.push((x, y, false));
        }
    }
    for kind in [ClaimKind::Quantity, ClaimKind::Percent, ClaimKind::Money] {
        let rest_left: Vec<usize> = (0..left.len())
            .filter(|&x| !used_left[x] && left[x].kind == kind)
            .collect();
        let rest_right: Vec<usize> = (0..right.len())
            .filter(|&y| !used_right[y] && right[y].kind == kind)
            .collect();
        if !rest_left.is_empty() && rest_left.len() == rest_right.len() {
            for (x, y) in rest_left.into_iter().zip(rest_right) {
                used_left[x] = true;
                used_right[y] = true;
                matched.push((x, y, true));
            }
        }
    }
    matched.sort_unstable();
    (matched, used_left, used_right)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The (first, second) texts of the figures of two sentences that disagree.
    fn conflicts(a: &str, b: &str) -> Vec<(String, String)> {
        disagreeing(a, b)
            .into_iter()
            .map(|d| (d.a.text, d.b.text))
            .collect()
    }

    #[test]
    fn figures_that_cannot_both_be_true() {
        assert_eq!(
            conflicts(
                "North Korea sent thousands of soldiers to Kursk.",
                "North Korea dispatched hundreds of soldiers to Kursk."
            ),
            [("thousands".into(), "hundreds".into())]
        );
        assert_eq!(
            conflicts(
                "Tens of thousands of people fled abroad.",
                "Tens of hundreds of individuals fled abroad."
            ),
            [("Tens of thousands".into(), "Tens of hundreds".into())]
        );
        assert_eq!(
            conflicts(
                "The plant employs 239 workers.",
                "The plant employs 311 workers."
            ),
            [("239".into(), "311".into())]
        );
    }

    #[test]
    fn figures_that_can_both_be_true() {
        for (a, b) in [
            (
                "about 10 thousand residents left",
                "9.6 thousand residents left",
            ),
            (
                "a fine of 400,000 rubles ($4,000) was paid",
                "a fine of 400,000 rubles was paid",
            ),
            ("160,000 troops", "160, 000 troops"),
            ("for four years", "for 4 years"),
            ("more than 550 people", "greater than 550 people"),
            ("net of 12.1 mln dlrs", "net of 12,141,000 dlrs"),
        ] {
            assert!(conflicts(a, b).is_empty(), "{a:?} against {b:?}");
        }
    }

    #[test]
    fn a_figure_on_one_side_only_is_no_conflict_but_is_listed() {
        let found = compare(
            "Hundreds of Nepali nationals were recruited, and 12 were killed.",
            "Lots of Nepali nationals were recruited, and 12 were killed.",
        );
        assert!(found.disagreements.is_empty());
        assert_eq!(found.only_left.len(), 1);
        assert_eq!(found.only_left[0].text, "Hundreds");
        assert!(found.only_right.is_empty());
    }

    #[test]
    fn twins_pair_first_so_the_changed_figure_is_the_one_left() {
        // "more than 40 pct" must not take the "50 pct" that is the twin of the other side's.
        let found = conflicts(
            "shares worth more than 40 pct of capital and trust firms 50 pct",
            "shares worth more than 53 pct of capital and trust firms 50 pct",
        );
        assert_eq!(
            found,
            [("more than 40 pct".into(), "more than 53 pct".into())]
        );
    }
}
