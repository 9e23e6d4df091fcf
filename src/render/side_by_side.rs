//! Two columns for `crosscheck diff`: original line numbers on both sides, text wrapped by
//! display width (wide characters take two cells, tabs four spaces), changed words highlighted
//! in colour or, without colour, marked `[-old-]` on the left and `{+new+}` on the right.
//!
//! Between the columns a marker says what the row is: blank for equal sentences, `~` changed,
//! `M` moved, `<` only in the first document, `>` only in the second. Page chrome is collapsed
//! to one line per run unless `show_boilerplate` is set.

use std::io::{self, Write};

use serde::Serialize;
use unicode_width::UnicodeWidthChar;

use crate::diff::{Comparison, EditOp, Op, Row};

/// Styles of the side-by-side view; all empty when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Styles {
    /// Words only in the first document.
    pub deleted: &'static str,
    /// Words only in the second document.
    pub inserted: &'static str,
    /// Line numbers, chrome and the header's details.
    pub dim: &'static str,
    /// The "moved" label.
    pub label: &'static str,
    /// Resets every style.
    pub reset: &'static str,
    /// Whether styles are on: without them, changed words get text markers.
    pub color: bool,
}

impl Styles {
    /// ANSI colours.
    pub const COLOR: Styles = Styles {
        deleted: "\x1b[1;31m",
        inserted: "\x1b[1;32m",
        dim: "\x1b[2m",
        label: "\x1b[36m",
        reset: "\x1b[0m",
        color: true,
    };

    /// Plain text with `[-old-]{+new+}` markers.
    pub const PLAIN: Styles = Styles {
        deleted: "",
        inserted: "",
        dim: "",
        label: "",
        reset: "",
        color: false,
    };
}

/// Narrowest total width the view is laid out for.
pub const MIN_WIDTH: usize = 40;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Style {
    Plain,
    Deleted,
    Inserted,
    Dim,
    Label,
}

/// A piece of text in one style.
type Span = (String, Style);

/// Writes the two-column view of a comparison, `width` columns wide.
pub fn render(
    comparison: &Comparison,
    width: usize,
    styles: Styles,
    show_boilerplate: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let width = width.max(MIN_WIDTH);
    let [equal, changed, moved, only_a, only_b] = comparison.counts();
    writeln!(out, "a: {}", comparison.a.1)?;
    writeln!(out, "b: {}", comparison.b.1)?;
    writeln!(
        out,
        "{}similarity {:.2} · matched passages cover {:.0}% of a, {:.0}% of b · {equal} equal, {changed} changed, {moved} moved, {only_a} only in a, {only_b} only in b{}",
        styles.dim,
        comparison.similarity,
        comparison.coverage_a * 100.0,
        comparison.coverage_b * 100.0,
        styles.reset
    )?;
    let number_width = comparison
        .rows
        .iter()
        .flat_map(|row| match row {
            Row::Text { a, b, .. } => [
                a.as_ref().map(|c| c.lines[0]),
                b.as_ref().map(|c| c.lines[0]),
            ],
            Row::Chrome { lines, .. } => [Some(lines[1]), None],
        })
        .flatten()
        .max()
        .unwrap_or(1)
        .to_string()
        .len()
        .max(3);
    // number, space, text, " x ", number, space, text
    let column = (width - 2 * number_width - 5) / 2;
    let layout = Columns {
        number_width,
        column,
        styles,
    };
    writeln!(
        out,
        "{}{}{}",
        styles.dim,
        "─".repeat(2 * column + 2 * number_width + 5),
        styles.reset
    )?;
    for row in &comparison.rows {
        match row {
            Row::Text {
                op,
                a,
                b,
                edits,
                conflicts,
                ..
            } => {
                let (left, right) = cells(
                    *op,
                    a.as_ref().map(|c| c.text.as_str()),
                    b.as_ref().map(|c| c.text.as_str()),
                    edits,
                    styles,
                );
                let marker = match op {
                    Op::Equal => ' ',
                    Op::Changed if !conflicts.is_empty() => '!',
                    Op::Changed => '~',
                    Op::Moved => 'M',
                    Op::OnlyA => '<',
                    Op::OnlyB => '>',
                };
                layout.write_row(
                    out,
                    a.as_ref().map(|c| c.lines[0]),
                    &left,
                    marker,
                    b.as_ref().map(|c| c.lines[0]),
                    &right,
                )?;
            }
            Row::Chrome { in_a, lines, text } => {
                if show_boilerplate {
                    for (number, line) in text {
                        let span = vec![(line.clone(), Style::Dim)];
                        if *in_a {
                            layout.write_row(out, Some(*number), &span, ' ', None, &[])?;
                        } else {
                            layout.write_row(out, None, &[], ' ', Some(*number), &span)?;
                        }
                    }
                    continue;
                }
                let count = text.len();
                let noun = if count == 1 { "line" } else { "lines" };
                let span = if lines[0] == lines[1] {
                    format!("line {}", lines[0])
                } else {
                    format!("lines {}-{}", lines[0], lines[1])
                };
                let summary = vec![(
                    format!("⋯ {count} {noun} of page chrome ({span})"),
                    Style::Dim,
                )];
                if *in_a {
                    layout.write_row(out, Some(lines[0]), &summary, ' ', None, &[])?;
                } else {
                    layout.write_row(out, None, &[], ' ', Some(lines[0]), &summary)?;
                }
            }
        }
    }
    Ok(())
}

/// The left and right cells of a text row.
fn cells(
    op: Op,
    a: Option<&str>,
    b: Option<&str>,
    edits: &[crate::diff::Edit],
    styles: Styles,
) -> (Vec<Span>, Vec<Span>) {
    let plain = |text: Option<&str>| -> Vec<Span> {
        text.map(|t| vec![(t.to_string(), Style::Plain)])
            .unwrap_or_default()
    };
    let mut right_prefix: Vec<Span> = Vec::new();
    if op == Op::Moved {
        right_prefix.push(("(moved) ".to_string(), Style::Label));
    }
    if matches!(op, Op::Equal | Op::OnlyA | Op::OnlyB) || edits.is_empty() {
        let mut right = right_prefix;
        right.extend(plain(b));
        return (plain(a), right);
    }
    let mut left = Vec::new();
    let mut right = right_prefix;
    for (runs, side, open, close, style) in [
        (
            one_side(edits, EditOp::Delete),
            &mut left,
            "[-",
            "-]",
            Style::Deleted,
        ),
        (
            one_side(edits, EditOp::Insert),
            &mut right,
            "{+",
            "+}",
            Style::Inserted,
        ),
    ] {
        for (changed, text) in runs {
            if changed {
                side.extend(marked(&text, open, close, style, styles));
            } else {
                side.push((text, Style::Plain));
            }
        }
    }
    (left, right)
}

/// One side's text as runs of (changed, text): the equal runs and that side's changes, with
/// the spacing between two changed words joined to them, so "[-a b-]" reads as one change.
fn one_side(edits: &[crate::diff::Edit], changed: EditOp) -> Vec<(bool, String)> {
    let mine: Vec<&crate::diff::Edit> = edits
        .iter()
        .filter(|e| e.op == EditOp::Equal || e.op == changed)
        .collect();
    let mut runs: Vec<(bool, String)> = Vec::new();
    for (k, edit) in mine.iter().enumerate() {
        let is_changed = edit.op == changed;
        let between_changes = !is_changed
            && edit.text.trim().is_empty()
            && k > 0
            && mine[k - 1].op == changed
            && mine.get(k + 1).is_some_and(|next| next.op == changed);
        let is_changed = is_changed || between_changes;
        match runs.last_mut() {
            Some((c, text)) if *c == is_changed => text.push_str(&edit.text),
            _ => runs.push((is_changed, edit.text.clone())),
        }
    }
    runs
}

/// A changed run: styled, or wrapped in text markers when there is no colour. Spacing at the
/// ends stays outside the markers.
fn marked(text: &str, open: &str, close: &str, style: Style, styles: Styles) -> Vec<Span> {
    let core = text.trim();
    let leading = &text[..text.len() - text.trim_start().len()];
    let trailing = &text[text.trim_end().len()..];
    let mut spans = Vec::new();
    if !leading.is_empty() {
        spans.push((leading.to_string(), Style::Plain));
    }
    if !core.is_empty() {
        if styles.color {
            spans.push((core.to_string(), style));
        } else {
            spans.push((format!("{open}{core}{close}"), Style::Plain));
        }
    }
    if !trailing.is_empty() {
        spans.push((trailing.to_string(), Style::Plain));
    }
    spans
}

struct Columns {
    number_width: usize,
    column: usize,
    styles: Styles,
}

impl Columns {
    fn write_row(
        &self,
        out: &mut dyn Write,
        number_a: Option<u32>,
        left: &[Span],
        marker: char,
        number_b: Option<u32>,
        right: &[Span],
    ) -> io::Result<()> {
        let left = wrap(left, self.column);
        let right = wrap(right, self.column);
        let height = left.len().max(right.len()).max(1);
        for k in 0..height {
            let number = |n: Option<u32>| match (k, n) {
                (0, Some(n)) => format!("{n:>w$}", w = self.number_width),
                _ => " ".repeat(self.number_width),
            };
            let mark = if k == 0 { marker } else { ' ' };
            let empty = Vec::new();
            let l = left.get(k).unwrap_or(&empty);
            let r = right.get(k).unwrap_or(&empty);
            let mut line = String::new();
            line.push_str(self.styles.dim);
            line.push_str(&number(number_a));
            line.push_str(self.styles.reset);
            line.push(' ');
            let used = self.paint(l, &mut line);
            line.push_str(&" ".repeat(self.column.saturating_sub(used)));
            line.push(' ');
            line.push(mark);
            line.push(' ');
            line.push_str(self.styles.dim);
            line.push_str(&number(number_b));
            line.push_str(self.styles.reset);
            line.push(' ');
            self.paint(r, &mut line);
            writeln!(out, "{}", line.trim_end())?;
        }
        Ok(())
    }

    /// Appends styled spans to `line`; returns their display width.
    fn paint(&self, spans: &[Span], line: &mut String) -> usize {
        let mut width = 0;
        for (text, style) in spans {
            let code = match style {
                Style::Plain => "",
                Style::Deleted => self.styles.deleted,
                Style::Inserted => self.styles.inserted,
                Style::Dim => self.styles.dim,
                Style::Label => self.styles.label,
            };
            line.push_str(code);
            line.push_str(text);
            if !code.is_empty() {
                line.push_str(self.styles.reset);
            }
            width += display_width(text);
        }
        width
    }
}

fn char_width(c: char) -> usize {
    c.width().unwrap_or(0)
}

fn display_width(text: &str) -> usize {
    text.chars().map(char_width).sum()
}

/// Splits styled text into lines of at most `width` display columns, breaking at spaces where
/// it can and inside a word only when the word alone is wider than a line.
fn wrap(spans: &[Span], width: usize) -> Vec<Vec<Span>> {
    // Words with the spaces after them, each piece keeping its style.
    let mut words: Vec<Vec<(char, Style)>> = Vec::new();
    let mut current: Vec<(char, Style)> = Vec::new();
    let mut in_space = false;
    for (text, style) in spans {
        for c in text.chars() {
            let c = match c {
                '\t' => {
                    for _ in 0..3 {
                        current.push((' ', *style));
                    }
                    ' '
                }
                c if c.is_control() => '\u{FFFD}',
                c => c,
            };
            let space = c == ' ';
            if in_space && !space {
                words.push(std::mem::take(&mut current));
            }
            in_space = space;
            current.push((c, *style));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }

    let mut lines: Vec<Vec<(char, Style)>> = vec![Vec::new()];
    let mut used = 0;
    for word in words {
        let visible: usize = word
            .iter()
            .filter(|(c, _)| *c != ' ')
            .map(|(c, _)| char_width(*c))
            .sum();
        // A word that fits on a line of its own starts one; a longer one (unspaced CJK text,
        // a URL) fills the current line and is split.
        if used > 0 && used + visible > width && visible <= width {
            lines.push(Vec::new());
            used = 0;
        }
        for (c, style) in word {
            let w = char_width(c);
            if used + w > width {
                if c == ' ' {
                    continue; // trailing space at a break
                }
                lines.push(Vec::new());
                used = 0;
            }
            if used == 0 && c == ' ' && !lines.last().is_some_and(Vec::is_empty) {
                continue;
            }
            lines
                .last_mut()
                .expect("at least one line")
                .push((c, style));
            used += w;
        }
    }
    lines
        .into_iter()
        .map(|mut chars| {
            while chars.last().is_some_and(|(c, _)| *c == ' ') {
                chars.pop();
            }
            chars
        })
        .filter(|l| !l.is_empty())
        .map(|chars| {
            let mut spans: Vec<Span> = Vec::new();
            for (c, style) in chars {
                match spans.last_mut() {
                    Some((text, s)) if *s == style => text.push(c),
                    _ => spans.push((c.to_string(), style)),
                }
            }
            spans
        })
        .collect()
}

/// The JSON form of a comparison (`crosscheck diff --format json`).
#[derive(Serialize)]
pub struct JsonDiff<'a> {
    /// [`crate::diff::DIFF_VERSION`].
    pub version: u32,
    /// The first document.
    pub a: JsonSide<'a>,
    /// The second document.
    pub b: JsonSide<'a>,
    /// Document similarity.
    #[serde(serialize_with = "crate::report::round3")]
    pub similarity: f32,
    /// Share of the first document in paired sentences.
    #[serde(serialize_with = "crate::report::round3")]
    pub coverage_a: f32,
    /// Share of the second document in paired sentences.
    #[serde(serialize_with = "crate::report::round3")]
    pub coverage_b: f32,
    /// The sentence rows in reading order.
    pub rows: Vec<JsonRow<'a>>,
    /// Runs of page chrome on each side, as [first, last] original lines.
    pub boilerplate: JsonBoilerplate,
}

/// A document in the JSON diff.
#[derive(Serialize)]
pub struct JsonSide<'a> {
    /// Its id.
    pub id: &'a str,
    /// Its file.
    pub path: &'a str,
}

/// A row in the JSON diff.
#[derive(Serialize)]
pub struct JsonRow<'a> {
    /// equal, changed, moved, only_a, only_b.
    pub op: Op,
    /// Original lines of the first document's sentence, if any.
    pub a_lines: Option<[u32; 2]>,
    /// Original lines of the second document's sentence, if any.
    pub b_lines: Option<[u32; 2]>,
    /// Sentence similarity, for pairs.
    #[serde(serialize_with = "crate::report::round3_option")]
    pub similarity: Option<f32>,
    /// The first document's sentence.
    pub a_text: Option<&'a str>,
    /// The second document's sentence.
    pub b_text: Option<&'a str>,
    /// Word-level edits, for pairs.
    pub edits: &'a [crate::diff::Edit],
    /// Figures of the pair that cannot both be true.
    pub conflicts: Vec<JsonConflict<'a>>,
}

/// Two figures of a row that disagree.
#[derive(Serialize)]
pub struct JsonConflict<'a> {
    /// The first document's words.
    pub a: &'a str,
    /// The second document's words.
    pub b: &'a str,
}

/// Chrome runs in the JSON diff.
#[derive(Serialize)]
pub struct JsonBoilerplate {
    /// In the first document.
    pub a: Vec<[u32; 2]>,
    /// In the second document.
    pub b: Vec<[u32; 2]>,
}

/// Writes a comparison as versioned JSON.
pub fn json(comparison: &Comparison, out: &mut dyn Write) -> io::Result<()> {
    let mut boilerplate = JsonBoilerplate {
        a: Vec::new(),
        b: Vec::new(),
    };
    let mut rows = Vec::new();
    for row in &comparison.rows {
        match row {
            Row::Text {
                op,
                a,
                b,
                similarity,
                edits,
                conflicts,
            } => rows.push(JsonRow {
                op: *op,
                a_lines: a.as_ref().map(|c| c.lines),
                b_lines: b.as_ref().map(|c| c.lines),
                similarity: *similarity,
                a_text: a.as_ref().map(|c| c.text.as_str()),
                b_text: b.as_ref().map(|c| c.text.as_str()),
                edits,
                conflicts: conflicts
                    .iter()
                    .map(|(a, b)| JsonConflict { a, b })
                    .collect(),
            }),
            Row::Chrome { in_a, lines, .. } => {
                if *in_a {
                    boilerplate.a.push(*lines);
                } else {
                    boilerplate.b.push(*lines);
                }
            }
        }
    }
    let view = JsonDiff {
        version: crate::diff::DIFF_VERSION,
        a: JsonSide {
            id: &comparison.a.0,
            path: &comparison.a.1,
        },
        b: JsonSide {
            id: &comparison.b.0,
            path: &comparison.b.1,
        },
        similarity: comparison.similarity,
        coverage_a: comparison.coverage_a,
        coverage_b: comparison.coverage_b,
        rows,
        boilerplate,
    };
    serde_json::to_writer_pretty(&mut *out, &view).map_err(io::Error::other)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(text: &str) -> Vec<Span> {
        vec![(text.to_string(), Style::Plain)]
    }

    fn lines(spans: Vec<Vec<Span>>) -> Vec<String> {
        spans
            .into_iter()
            .map(|l| l.into_iter().map(|(t, _)| t).collect())
            .collect()
    }

    #[test]
    fn wrapping_breaks_at_spaces_within_the_width() {
        assert_eq!(
            lines(wrap(&plain("the quick brown fox jumps over"), 10)),
            ["the quick", "brown fox", "jumps over"]
        );
    }

    #[test]
    fn wide_characters_take_two_columns() {
        let wrapped = lines(wrap(&plain("東京都の人口は多い"), 8));
        assert_eq!(wrapped, ["東京都の", "人口は多", "い"]);
        for line in &wrapped {
            assert!(display_width(line) <= 8);
        }
    }

    #[test]
    fn long_words_are_split_and_tabs_expanded() {
        assert_eq!(
            lines(wrap(&plain("abcdefghijkl"), 5)),
            ["abcde", "fghij", "kl"]
        );
        assert_eq!(lines(wrap(&plain("a\tb"), 10)), ["a    b"]);
    }

    #[test]
    fn markers_stand_in_for_colour() {
        let spans = marked(" thousands ", "[-", "-]", Style::Deleted, Styles::PLAIN);
        let text: String = spans.iter().map(|(t, _)| t.as_str()).collect();
        assert_eq!(text, " [-thousands-] ");
    }
}
