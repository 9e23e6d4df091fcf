//! Diff stage: two documents in, the rows of a side-by-side comparison out.
//!
//! Takes two documents, their chrome verdicts and analyses, and the [`Alignment`] that `report`
//! computes for a pair, and lays them out as [`Row`]s in reading order: sentence pairs (equal,
//! changed, or moved), sentences found on one side only, and runs of page chrome collapsed to
//! one row per side. Inside a changed pair, a word-level diff (Patience, via `similar`, with a
//! time bound so no sentence pair can stall the view) marks the words that differ. The order
//! follows a classic two-way merge: the alignment's in-order pairs are the fixed points, and
//! between two of them the first document's leftovers come before the second's.

use std::time::Duration;

use serde::Serialize;
use similar::{Algorithm, ChangeTag, TextDiffConfig};

use crate::align::{Alignment, Link, SentencePair};
use crate::chrome::Chrome;
use crate::ingest::Document;
pub use crate::judge::Side;

/// Version of the `diff --format json` output.
pub const DIFF_VERSION: u32 = 1;

/// Time one sentence pair's word diff may take before `similar` approximates.
const WORD_DIFF_TIMEOUT: Duration = Duration::from_millis(20);

/// What a row shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// The same sentence on both sides (up to case, spacing and punctuation).
    Equal,
    /// Paired sentences whose words differ.
    Changed,
    /// Paired sentences out of order: the passage was moved.
    Moved,
    /// A sentence of the first document with no counterpart.
    OnlyA,
    /// A sentence of the second document with no counterpart.
    OnlyB,
}

/// A run of words in a paired sentence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EditOp {
    /// On both sides.
    Equal,
    /// Only in the first document's sentence.
    Delete,
    /// Only in the second document's sentence.
    Insert,
}

/// One run of the word-level diff of a sentence pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// Which side has it.
    pub op: EditOp,
    /// The words, with the spacing between them.
    pub text: String,
}

/// One side of a row: where the sentence stands and what it says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// First and last original line.
    pub lines: [u32; 2],
    /// The sentence.
    pub text: String,
}

/// A row of the comparison.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Row {
    /// A sentence pair, or a sentence on one side only.
    Text {
        /// What the row shows.
        op: Op,
        /// The first document's sentence.
        a: Option<Cell>,
        /// The second document's sentence.
        b: Option<Cell>,
        /// Sentence similarity, for pairs.
        similarity: Option<f32>,
        /// Word-level diff, for pairs (empty for one-sided rows).
        edits: Vec<Edit>,
        /// Figures of the pair that cannot both be true, as (first's words, second's words).
        conflicts: Vec<(String, String)>,
    },
    /// Lines of page chrome on one side.
    Chrome {
        /// Which document: `true` for the first.
        in_a: bool,
        /// First and last original line of the run.
        lines: [u32; 2],
        /// The chrome lines themselves (original number and text).
        text: Vec<(u32, String)>,
    },
}

impl Row {
    /// Whether the row shows a difference (anything but an equal pair or chrome).
    pub fn differs(&self) -> bool {
        matches!(self, Row::Text { op, .. } if *op != Op::Equal)
    }
}

/// Everything `crosscheck diff` shows: the two documents, how alike they are, and the rows.
#[derive(Debug, Clone)]
pub struct Comparison {
    /// The first document's id and path.
    pub a: (String, String),
    /// The second document's id and path.
    pub b: (String, String),
    /// Document similarity, as in the report.
    pub similarity: f32,
    /// Share of the first document's body words in paired sentences.
    pub coverage_a: f32,
    /// Share of the second document's body words in paired sentences.
    pub coverage_b: f32,
    /// The rows, in reading order.
    pub rows: Vec<Row>,
}

impl Comparison {
    /// Whether any row shows a difference.
    pub fn differs(&self) -> bool {
        self.rows.iter().any(Row::differs)
    }

    /// How many text rows have each op, in the order equal, changed, moved, only_a, only_b.
    pub fn counts(&self) -> [usize; 5] {
        let mut counts = [0; 5];
        for row in &self.rows {
            if let Row::Text { op, .. } = row {
                counts[*op as usize] += 1;
            }
        }
        counts
    }
}

impl Side<'_> {
    fn cell(&self, sentence: u32) -> Cell {
        let s = &self.analysis.sentences[sentence as usize];
        Cell {
            lines: [
                self.document.lines[s.lines.0 as usize].number,
                self.document.lines[s.lines.1 as usize].number,
            ],
            text: s.text(|i| self.document.line(i)),
        }
    }

    fn first_line(&self, sentence: u32) -> usize {
        self.analysis.sentences[sentence as usize].lines.0 as usize
    }
}

/// The comparison of two documents, laid out from their alignment.
pub fn comparison(alignment: &Alignment, a: &Side, b: &Side) -> Comparison {
    Comparison {
        a: (a.document.id.clone(), a.document.path.display().to_string()),
        b: (b.document.id.clone(), b.document.path.display().to_string()),
        similarity: alignment.similarity,
        coverage_a: alignment.coverage_a(),
        coverage_b: alignment.coverage_b(),
        rows: rows(alignment, a, b),
    }
}

/// Lays out the rows of a two-column comparison.
pub fn rows(alignment: &Alignment, a: &Side, b: &Side) -> Vec<Row> {
    let moved: Vec<SentencePair> = alignment
        .pairs
        .iter()
        .copied()
        .filter(|p| p.link == Link::Moved)
        .collect();
    let mut layout = Layout {
        a,
        b,
        moved_b: moved.iter().map(|p| p.b).collect(),
        moved,
        chrome_a: ChromeCursor::new(a, true),
        chrome_b: ChromeCursor::new(b, false),
        out: Vec::new(),
    };
    let (mut next_a, mut next_b) = (0u32, 0u32);
    for pair in alignment.pairs.iter().filter(|p| p.link != Link::Moved) {
        layout.leftovers(next_a..pair.a, next_b..pair.b);
        layout.pair(pair);
        next_a = pair.a + 1;
        next_b = pair.b + 1;
    }
    let ends = (
        a.analysis.sentences.len() as u32,
        b.analysis.sentences.len() as u32,
    );
    layout.leftovers(next_a..ends.0, next_b..ends.1);
    layout.chrome_a.flush_before(usize::MAX, &mut layout.out);
    layout.chrome_b.flush_before(usize::MAX, &mut layout.out);
    layout.out
}

/// The rows laid out so far, and where each side stands.
struct Layout<'a> {
    a: &'a Side<'a>,
    b: &'a Side<'a>,
    /// Out-of-order pairs: shown where the first document has them.
    moved: Vec<SentencePair>,
    /// Second-document sentences of moved pairs: not shown again on their own.
    moved_b: std::collections::HashSet<u32>,
    chrome_a: ChromeCursor<'a>,
    chrome_b: ChromeCursor<'a>,
    out: Vec<Row>,
}

impl Layout<'_> {
    /// A sentence pair in order, after the chrome that precedes it on either side.
    fn pair(&mut self, pair: &SentencePair) {
        self.chrome_a
            .flush_before(self.a.first_line(pair.a), &mut self.out);
        self.chrome_b
            .flush_before(self.b.first_line(pair.b), &mut self.out);
        self.out.push(pair_row(pair, self.a, self.b));
    }

    /// The sentences between two in-order pairs: the first document's, then the second's.
    fn leftovers(&mut self, a: std::ops::Range<u32>, b: std::ops::Range<u32>) {
        for i in a {
            self.chrome_a
                .flush_before(self.a.first_line(i), &mut self.out);
            let row = match self.moved.iter().find(|p| p.a == i) {
                Some(p) => pair_row(p, self.a, self.b),
                None => Row::Text {
                    op: Op::OnlyA,
                    a: Some(self.a.cell(i)),
                    b: None,
                    similarity: None,
                    edits: Vec::new(),
                    conflicts: Vec::new(),
                },
            };
            self.out.push(row);
        }
        for j in b {
            if self.moved_b.contains(&j) {
                continue;
            }
            self.chrome_b
                .flush_before(self.b.first_line(j), &mut self.out);
            self.out.push(Row::Text {
                op: Op::OnlyB,
                a: None,
                b: Some(self.b.cell(j)),
                similarity: None,
                edits: Vec::new(),
                conflicts: Vec::new(),
            });
        }
    }
}

fn pair_row(pair: &SentencePair, a: &Side, b: &Side) -> Row {
    let (ca, cb) = (a.cell(pair.a), b.cell(pair.b));
    let edits = word_edits(&ca.text, &cb.text);
    let op = if pair.link == Link::Moved {
        Op::Moved
    } else if edits
        .iter()
        .all(|e| e.op == EditOp::Equal || e.text.chars().all(|c| !c.is_alphanumeric()))
        && same_words(&ca.text, &cb.text)
    {
        Op::Equal
    } else {
        Op::Changed
    };
    let conflicts =
        if op == Op::Equal || pair.similarity < crate::conflicts::MIN_SENTENCE_SIMILARITY {
            Vec::new()
        } else {
            crate::conflicts::disagreeing(&ca.text, &cb.text)
                .into_iter()
                .map(|d| (d.a.text, d.b.text))
                .collect()
        };
    Row::Text {
        op,
        a: Some(ca),
        b: Some(cb),
        similarity: Some(pair.similarity),
        edits,
        conflicts,
    }
}

/// Whether two sentences have the same words, ignoring case, spacing and punctuation.
fn same_words(a: &str, b: &str) -> bool {
    let words = |s: &str| -> Vec<String> {
        let mut w = Vec::new();
        crate::text::for_each_word(s, |word| w.push(word.to_lowercase()));
        w
    };
    words(a) == words(b)
}

/// The word-level diff of two sentences, runs of the same kind merged.
pub fn word_edits(a: &str, b: &str) -> Vec<Edit> {
    let diff = TextDiffConfig::new()
        .algorithm(Algorithm::Patience)
        .timeout(WORD_DIFF_TIMEOUT)
        .diff_unicode_words(a, b);
    let mut edits: Vec<Edit> = Vec::new();
    for change in diff.iter_all_changes() {
        let op = match change.tag() {
            ChangeTag::Equal => EditOp::Equal,
            ChangeTag::Delete => EditOp::Delete,
            ChangeTag::Insert => EditOp::Insert,
        };
        let text = change.value();
        // Spacing between two changed words belongs to the change, so "[-a b-]" stays whole.
        match edits.last_mut() {
            Some(last) if last.op == op => last.text.push_str(text),
            _ => edits.push(Edit {
                op,
                text: text.to_string(),
            }),
        }
    }
    edits
}

/// Walks one document's chrome lines, emitting collapsed runs as the rows reach them.
struct ChromeCursor<'a> {
    side: &'a Document,
    chrome: &'a Chrome,
    in_a: bool,
    next: usize,
}

impl<'a> ChromeCursor<'a> {
    fn new(side: &'a Side, in_a: bool) -> Self {
        ChromeCursor {
            side: side.document,
            chrome: side.chrome,
            in_a,
            next: 0,
        }
    }

    /// Emits the chrome runs on lines before `line` not emitted yet.
    fn flush_before(&mut self, line: usize, out: &mut Vec<Row>) {
        let end = line.min(self.side.lines.len());
        let mut run: Vec<(u32, String)> = Vec::new();
        for index in self.next..end {
            let text = self.side.line(index);
            if self.chrome.is_chrome(index) {
                run.push((self.side.lines[index].number, text.to_string()));
            } else if !text.trim().is_empty() {
                self.push(&mut run, out);
            }
        }
        self.push(&mut run, out);
        self.next = self.next.max(end);
    }

    fn push(&self, run: &mut Vec<(u32, String)>, out: &mut Vec<Row>) {
        if let (Some(first), Some(last)) = (run.first(), run.last()) {
            out.push(Row::Chrome {
                in_a: self.in_a,
                lines: [first.0, last.0],
                text: std::mem::take(run),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_words_are_marked() {
        let edits = word_edits(
            "North Korea sent hundreds of soldiers",
            "North Korea dispatched thousands of soldiers",
        );
        let deleted: Vec<&str> = edits
            .iter()
            .filter(|e| e.op == EditOp::Delete)
            .map(|e| e.text.as_str())
            .collect();
        let inserted: Vec<&str> = edits
            .iter()
            .filter(|e| e.op == EditOp::Insert)
            .map(|e| e.text.as_str())
            .collect();
        assert_eq!(deleted, ["sent", "hundreds"]);
        assert_eq!(inserted, ["dispatched", "thousands"]);
    }

    #[test]
    fn edits_rebuild_both_sentences() {
        let (a, b) = (
            "It was not possible to verify it.",
            "It was impossible to independently verify it!",
        );
        let edits = word_edits(a, b);
        let side = |skip: EditOp| -> String {
            edits
                .iter()
                .filter(|e| e.op != skip)
                .map(|e| e.text.as_str())
                .collect()
        };
        assert_eq!(side(EditOp::Insert), a);
        assert_eq!(side(EditOp::Delete), b);
    }

    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn an_article_against_itself_is_all_equal(
                paragraphs in prop::collection::vec("[A-Za-z][a-z]{0,8}( [a-z0-9]{1,8}){2,12}[.!?]", 1..10)
            ) {
                let text = paragraphs.join("\n\n");
                let doc = Document::from_text("a", "a.txt", &text);
                let comparison = crate::compare(&doc, &doc, &crate::Options::default());
                prop_assert!(!comparison.differs());
                for row in &comparison.rows {
                    if let Row::Text { op, a, b, .. } = row {
                        prop_assert_eq!(*op, Op::Equal);
                        prop_assert_eq!(a, b);
                    }
                }
            }

            #[test]
            fn every_cell_lies_inside_its_document(
                a in prop::collection::vec("[A-Z][a-z]{1,6}( [a-z]{1,6}){1,10}\\.", 1..8),
                b in prop::collection::vec("[A-Z][a-z]{1,6}( [a-z]{1,6}){1,10}\\.", 1..8),
            ) {
                let (da, db) = (
                    Document::from_text("a", "a.txt", &a.join("\n")),
                    Document::from_text("b", "b.txt", &b.join("\n")),
                );
                let comparison = crate::compare(&da, &db, &crate::Options::default());
                for row in &comparison.rows {
                    if let Row::Text { a: ca, b: cb, .. } = row {
                        for (cell, doc) in [(ca, &da), (cb, &db)] {
                            if let Some(cell) = cell {
                                prop_assert!(1 <= cell.lines[0] && cell.lines[0] <= cell.lines[1]);
                                prop_assert!(cell.lines[1] as usize <= doc.lines.len());
                                let squeeze = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
                                prop_assert!(squeeze(&doc.text).contains(&squeeze(&cell.text)), "{} not in the text", cell.text);
                            }
                        }
                    }
                }
            }
        }
    }
}
