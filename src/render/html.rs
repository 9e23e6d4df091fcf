//! The report as one self-contained HTML page: summary, clusters, pairs, conflicts and
//! warnings as tables, and a side-by-side view of each pair built in the browser when it is
//! opened.
//!
//! The page needs nothing but itself: the style sheet and the script (`html/report.css`,
//! `html/report.js`) are inlined, there are no fonts, images or network requests, and it works
//! from `file://`. Tables are written here, so the lists read without script; the script adds
//! sorting, filtering, keyboard keys and the pair views.
//!
//! Each pair's rows are one `<script type="application/json">` block, parsed only when the
//! pair is opened, so a report with thousands of pairs loads as fast as its tables. Runs of
//! sentences found on one side only, far from any matched sentence, are left out of the view
//! (a row says how many and which lines), so the file grows with the matched text, not with
//! the size of the documents.
//!
//! Escaping: every piece of document text goes through [`Esc`] in markup, and through
//! `script_json` in data blocks (where `<` is written `\u003c`, so no text can close the
//! block); the script only ever sets `textContent`. Links to a pair are stable across runs:
//! `#pair=A&B`, with the two ids percent-encoded as JavaScript's `encodeURIComponent` does,
//! optionally followed by `&a=LINE` or `&b=LINE` to point at a line of one side.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, Write};

use serde_json::{Value, json};

use crate::diff::{Comparison, EditOp, Op, Row};
use crate::judge::Kind;
use crate::report::Report;

const STYLE: &str = include_str!("html/report.css");
const SCRIPT: &str = include_str!("html/report.js");

/// One-sided sentences kept next to a matched one; runs farther away collapse to a note.
const CONTEXT_ROWS: usize = 2;

/// Writes the report as an HTML page. `views` are the pairs' side-by-side rows in the order of
/// `report.pairs` (see [`crate::report_with_views`]); a pair without one has no view.
pub fn render(report: &Report, views: &[Comparison], out: &mut dyn Write) -> io::Result<()> {
    let full = report.pairs.iter().filter(|p| p.kind == Kind::Full).count();
    let mut conflicts_per_pair: HashMap<(&str, &str), usize> = HashMap::new();
    for c in &report.conflicts {
        *conflicts_per_pair
            .entry((c.a.doc.as_str(), c.b.doc.as_str()))
            .or_default() += 1;
    }

    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"{tool}\">\n<title>crosscheck report</title>\n\
         <style>\n{STYLE}</style>\n</head>\n<body>\n",
        tool = Esc(&report.tool)
    )?;
    writeln!(
        out,
        "<header>\n<h1>crosscheck report</h1>\n<nav aria-label=\"Sections\">\
         <a href=\"#summary\">Summary</a> <a href=\"#clusters\">Clusters</a> \
         <a href=\"#pairs\">Pairs</a> <a href=\"#conflicts\">Conflicts</a> \
         <a href=\"#warnings\">Warnings</a></nav>\n</header>\n<main>\n<div id=\"overview\">"
    )?;

    // Summary.
    writeln!(
        out,
        "<section id=\"summary\">\n<h2>Summary</h2>\n<dl class=\"counts\">"
    )?;
    let counts = [
        ("Documents", report.documents.len(), "#summary"),
        ("Clusters", report.clusters.len(), "#clusters"),
        ("Duplicate pairs", full, "#pairs"),
        ("Partial reuse", report.pairs.len() - full, "#pairs"),
        ("Conflicts", report.conflicts.len(), "#conflicts"),
        ("Warnings", report.warnings.len(), "#warnings"),
    ];
    for (label, n, href) in counts {
        writeln!(
            out,
            "<div><dt>{label}</dt><dd><a href=\"{href}\">{n}</a></dd></div>"
        )?;
    }
    writeln!(
        out,
        "</dl>\n<p class=\"meta\">{} body words read; {} lines of page chrome set aside; \
         {} candidate pairs verified. Made by {}.</p>\n</section>",
        report.stats.words,
        report.stats.boilerplate_lines,
        report.stats.candidates,
        Esc(&report.tool)
    )?;

    // Clusters.
    writeln!(out, "<section id=\"clusters\">\n<h2>Clusters</h2>")?;
    if report.clusters.is_empty() {
        writeln!(
            out,
            "<p class=\"empty\">No documents are copies of one another.</p>"
        )?;
    } else {
        table_head(
            out,
            "clusters-table",
            "clusters",
            &[
                ("#", "num"),
                ("Members", "num"),
                ("Likely original", "text"),
                ("Why", "text"),
                ("Documents", "text"),
            ],
        )?;
        for (n, cluster) in report.clusters.iter().enumerate() {
            let original = cluster.original.as_deref().unwrap_or("");
            write!(
                out,
                "<tr><td>{}</td><td><a href=\"#cluster={}\">{}</a></td><td>{}</td><td>{}</td><td><ul class=\"members\">",
                n + 1,
                n + 1,
                cluster.members.len(),
                Esc(original),
                Esc(&cluster.evidence)
            )?;
            for member in &cluster.members {
                write!(out, "<li>{}</li>", Esc(member))?;
            }
            writeln!(out, "</ul></td></tr>")?;
        }
        writeln!(out, "</tbody></table></div>")?;
    }
    writeln!(out, "</section>")?;

    // Pairs. Each row carries its cluster, so that #cluster=N can show just those pairs.
    let mut cluster_of: HashMap<&str, usize> = HashMap::new();
    for (n, cluster) in report.clusters.iter().enumerate() {
        for member in &cluster.members {
            cluster_of.insert(member, n + 1);
        }
    }
    writeln!(out, "<section id=\"pairs\">\n<h2>Pairs</h2>")?;
    if report.pairs.is_empty() {
        writeln!(out, "<p class=\"empty\">No pairs share text.</p>")?;
    } else {
        writeln!(
            out,
            "<p class=\"cluster-filter\" hidden>Pairs of cluster <span></span>. <a href=\"#pairs\">Show all pairs</a></p>"
        )?;
        table_head(
            out,
            "pairs-table",
            "pairs",
            &[
                ("A", "text"),
                ("B", "text"),
                ("Kind", "text"),
                ("Similarity", "num"),
                ("Coverage A", "num"),
                ("Coverage B", "num"),
                ("Conflicts", "num"),
            ],
        )?;
        for (i, pair) in report.pairs.iter().enumerate() {
            let cluster = cluster_of.get(pair.a.as_str()).copied().unwrap_or(0);
            let n_conflicts = conflicts_per_pair
                .get(&(pair.a.as_str(), pair.b.as_str()))
                .copied()
                .unwrap_or(0);
            let kind = match pair.kind {
                Kind::Full => "duplicate",
                Kind::Partial => "partial",
            };
            writeln!(
                out,
                "<tr data-pair=\"{i}\" data-cluster=\"{cluster}\"><td><a href=\"{href}\">{a}</a></td>\
                 <td><a href=\"{href}\">{b}</a></td><td>{kind}</td><td>{:.2}</td>\
                 <td data-sort=\"{:.3}\">{}</td><td data-sort=\"{:.3}\">{}</td><td>{n_conflicts}</td></tr>",
                pair.similarity,
                pair.coverage_a,
                percent(pair.coverage_a),
                pair.coverage_b,
                percent(pair.coverage_b),
                href = pair_link(&pair.a, &pair.b, None),
                a = Esc(&pair.a),
                b = Esc(&pair.b),
            )?;
        }
        writeln!(out, "</tbody></table></div>")?;
    }
    writeln!(out, "</section>")?;

    // Conflicts.
    writeln!(
        out,
        "<section id=\"conflicts\">\n<h2>Figures that disagree</h2>"
    )?;
    if report.conflicts.is_empty() {
        writeln!(out, "<p class=\"empty\">No figures disagree.</p>")?;
    } else {
        table_head(
            out,
            "conflicts-table",
            "conflicts",
            &[
                ("A", "text"),
                ("A says", "text"),
                ("B", "text"),
                ("B says", "text"),
                ("Confidence", "num"),
            ],
        )?;
        for c in &report.conflicts {
            // Aligned conflicts link to their line in the pair's view; cross-document ones
            // have no pair, so they show their sentences and why they were matched.
            let side = |r: &crate::conflicts::ClaimRef, in_a: bool| match &c.evidence {
                None => format!(
                    "<td><a href=\"{}\">{}:{}</a></td><td><mark>{}</mark> <span class=\"value\">({})</span></td>",
                    pair_link(&c.a.doc, &c.b.doc, Some((in_a, r.line))),
                    Esc(&r.doc),
                    r.line,
                    Esc(&r.text),
                    Esc(&r.value)
                ),
                Some(_) => format!(
                    "<td>{}:{}</td><td><mark>{}</mark> <span class=\"value\">({})</span><div class=\"sentence\">{}</div></td>",
                    Esc(&r.doc),
                    r.line,
                    Esc(&r.text),
                    Esc(&r.value),
                    Esc(&r.sentence)
                ),
            };
            let evidence = c
                .evidence
                .as_deref()
                .map(|e| format!("<div class=\"evidence\">Across articles: {}</div>", Esc(e)))
                .unwrap_or_default();
            writeln!(
                out,
                "<tr>{}{}<td>{:.2}{evidence}</td></tr>",
                side(&c.a, true),
                side(&c.b, false),
                c.confidence
            )?;
        }
        writeln!(out, "</tbody></table></div>")?;
    }
    writeln!(out, "</section>")?;

    // Figures on one side only.
    if !report.unpaired_figures.is_empty() {
        writeln!(
            out,
            "<section id=\"unpaired\">\n<h2>Figures on one side only</h2>\n<p class=\"meta\">In paired sentences of a duplicate pair: no conflict, but a change a reader of the copy should know of.</p>"
        )?;
        table_head(
            out,
            "unpaired-table",
            "figures",
            &[
                ("Where", "text"),
                ("Figure", "text"),
                ("What happened", "text"),
                ("Other side", "text"),
            ],
        )?;
        for u in &report.unpaired_figures {
            let in_a = u.kind == crate::conflicts::Unpaired::Dropped;
            let (a, b) = if in_a {
                (&u.figure.doc, &u.other)
            } else {
                (&u.other, &u.figure.doc)
            };
            writeln!(
                out,
                "<tr><td><a href=\"{}\">{}:{}</a></td><td><mark>{}</mark> <span class=\"value\">({})</span></td><td>{}</td><td><a href=\"{}\">{}:{}</a></td></tr>",
                pair_link(a, b, Some((in_a, u.figure.line))),
                Esc(&u.figure.doc),
                u.figure.line,
                Esc(&u.figure.text),
                Esc(&u.figure.value),
                if in_a {
                    "dropped: not in B"
                } else {
                    "added: not in A"
                },
                pair_link(a, b, Some((!in_a, u.other_line))),
                Esc(&u.other),
                u.other_line,
            )?;
        }
        writeln!(out, "</tbody></table></div>\n</section>")?;
    }

    // Warnings.
    writeln!(out, "<section id=\"warnings\">\n<h2>Warnings</h2>")?;
    if report.warnings.is_empty() {
        writeln!(out, "<p class=\"empty\">Every file was read.</p>")?;
    } else {
        table_head(
            out,
            "warnings-table",
            "warnings",
            &[
                ("File", "text"),
                ("Line", "num"),
                ("Kind", "text"),
                ("Message", "text"),
            ],
        )?;
        for w in &report.warnings {
            let kind = serde_json::to_value(w.kind)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            writeln!(
                out,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                Esc(&w.path),
                w.line.map(|l| l.to_string()).unwrap_or_default(),
                Esc(&kind),
                Esc(&w.message)
            )?;
        }
        writeln!(out, "</tbody></table></div>")?;
    }
    writeln!(out, "</section>\n</div>")?;

    writeln!(
        out,
        "<section id=\"view\" hidden aria-live=\"polite\"></section>\n</main>\n<footer>\
         <p>Keys: <kbd>j</kbd>/<kbd>k</kbd> next/previous difference, <kbd>n</kbd>/<kbd>p</kbd> \
         next/previous pair, <kbd>Esc</kbd> back to the pairs. Line numbers are those of the \
         original files.</p></footer>"
    )?;

    // Data: the pairs' ids, then one block of rows per pair, parsed when the pair is opened.
    let index: Vec<Value> = report
        .pairs
        .iter()
        .map(|p| {
            json!({
                "a": p.a,
                "b": p.b,
                "kind": p.kind,
                "similarity": round3(p.similarity),
                "coverage": [round3(p.coverage_a), round3(p.coverage_b)],
                "conflicts": conflicts_per_pair.get(&(p.a.as_str(), p.b.as_str())).copied().unwrap_or(0),
            })
        })
        .collect();
    writeln!(
        out,
        "<script type=\"application/json\" id=\"pair-index\">{}</script>",
        script_json(&Value::Array(index))
    )?;
    for (i, view) in views.iter().enumerate() {
        writeln!(
            out,
            "<script type=\"application/json\" id=\"pair-{i}\">{}</script>",
            script_json(&view_data(view))
        )?;
    }
    writeln!(out, "<script>\n{SCRIPT}</script>\n</body>\n</html>")
}

/// Opens a sortable, filterable table: a filter box, then the table up to its body.
fn table_head(
    out: &mut dyn Write,
    id: &str,
    what: &str,
    columns: &[(&str, &str)],
) -> io::Result<()> {
    writeln!(
        out,
        "<p class=\"filter\"><label>Filter {what} <input type=\"search\" data-filter=\"{id}\" \
         placeholder=\"words in any column\"></label> <span class=\"shown\" data-shown=\"{id}\"></span></p>"
    )?;
    write!(
        out,
        "<div class=\"scroll\"><table id=\"{id}\" class=\"sortable\"><thead><tr>"
    )?;
    for (label, kind) in columns {
        write!(
            out,
            "<th scope=\"col\" aria-sort=\"none\"><button type=\"button\" data-type=\"{kind}\">{label}</button></th>"
        )?;
    }
    writeln!(out, "</tr></thead><tbody>")
}

/// The rows of one pair's view, compact: the script lays them out.
///
/// Text row: `{"op", "a": [from, to, text?], "b": [...], "e": [[op, text], ...], "c": [[a, b]]}`
/// where `e` (word edits, 0 equal, 1 only in A, 2 only in B) replaces the two texts of a changed
/// or moved pair. Chrome: `{"op": "chrome", "side": "a"|"b", "lines": [from, to], "text": [...]}`.
/// Left-out one-sided sentences: `{"op": "gap", "side", "lines", "count"}`.
fn view_data(view: &Comparison) -> Value {
    let near_match: Vec<bool> = {
        let paired: Vec<usize> = view
            .rows
            .iter()
            .enumerate()
            .filter(|(_, row)| {
                matches!(row, Row::Text { op, .. } if !matches!(op, Op::OnlyA | Op::OnlyB))
            })
            .map(|(i, _)| i)
            .collect();
        (0..view.rows.len())
            .map(|i| {
                let at = paired.partition_point(|&p| p < i);
                let after = paired.get(at).is_some_and(|&p| p - i <= CONTEXT_ROWS);
                let before = at > 0 && i - paired[at - 1] <= CONTEXT_ROWS;
                after || before
            })
            .collect()
    };
    let mut rows: Vec<Value> = Vec::new();
    for (row, &near) in view.rows.iter().zip(&near_match) {
        match row {
            Row::Text {
                op: op @ (Op::OnlyA | Op::OnlyB),
                a,
                b,
                ..
            } if !near => {
                let (side, cell) = match op {
                    Op::OnlyA => ("a", a),
                    _ => ("b", b),
                };
                let Some(cell) = cell else { continue };
                // Merge with the gap just before on the same side.
                if let Some(last) = rows.last_mut()
                    && last["op"] == "gap"
                    && last["side"] == side
                {
                    last["lines"][1] = json!(cell.lines[1]);
                    last["count"] = json!(last["count"].as_u64().unwrap_or(0) + 1);
                    continue;
                }
                rows.push(json!({"op": "gap", "side": side, "lines": cell.lines, "count": 1}));
            }
            Row::Text {
                op,
                a,
                b,
                similarity,
                edits,
                conflicts,
            } => {
                let with_edits = matches!(op, Op::Changed | Op::Moved) && !edits.is_empty();
                let cell = |c: &Option<crate::diff::Cell>| match c {
                    Some(c) if with_edits => json!([c.lines[0], c.lines[1]]),
                    Some(c) => json!([c.lines[0], c.lines[1], c.text]),
                    None => Value::Null,
                };
                let mut value = json!({"op": op, "a": cell(a), "b": cell(b)});
                if let Some(s) = similarity {
                    value["s"] = json!(round3(*s));
                }
                if with_edits {
                    value["e"] = edits
                        .iter()
                        .map(|e| {
                            let op = match e.op {
                                EditOp::Equal => 0,
                                EditOp::Delete => 1,
                                EditOp::Insert => 2,
                            };
                            json!([op, e.text])
                        })
                        .collect();
                }
                if !conflicts.is_empty() {
                    value["c"] = json!(conflicts);
                }
                rows.push(value);
            }
            Row::Chrome { in_a, lines, text } => rows.push(json!({
                "op": "chrome",
                "side": if *in_a { "a" } else { "b" },
                "lines": lines,
                "text": text.iter().map(|(_, t)| t).collect::<Vec<_>>(),
            })),
        }
    }
    json!({ "a": view.a.0, "b": view.b.0, "paths": [view.a.1, view.b.1], "rows": rows })
}

fn round3(x: f32) -> f64 {
    ((x as f64) * 1000.0).round() / 1000.0
}

fn percent(x: f32) -> String {
    format!("{:.0}%", x * 100.0)
}

/// The fragment that opens a pair, optionally at a line of one side (`true` for `a`).
pub fn pair_link(a: &str, b: &str, line: Option<(bool, u32)>) -> String {
    let mut link = format!("#pair={}&{}", uri_component(a), uri_component(b));
    if let Some((in_a, line)) = line {
        link.push_str(if in_a { "&a=" } else { "&b=" });
        link.push_str(&line.to_string());
    }
    link
}

/// Percent-encodes as JavaScript's `encodeURIComponent`: all but `A-Z a-z 0-9 - _ . ! ~ * ' ( )`.
fn uri_component(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// JSON for a `<script type="application/json">` block: `<`, `>` and `&` written as escapes,
/// so no text can end the block or open a comment in it.
fn script_json(value: &Value) -> String {
    let text = serde_json::to_string(value).expect("a JSON value serializes");
    text.replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Text escaped for HTML content and quoted attribute values.
pub struct Esc<'a>(pub &'a str);

impl fmt::Display for Esc<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut rest = self.0;
        while let Some(at) = rest.find(['&', '<', '>', '"', '\'']) {
            f.write_str(&rest[..at])?;
            f.write_str(match rest.as_bytes()[at] {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                _ => "&#39;",
            })?;
            rest = &rest[at + 1..];
        }
        f.write_str(rest)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            Esc(r#"<img src=x onerror="go()"> & 'q'"#).to_string(),
            "&lt;img src=x onerror=&quot;go()&quot;&gt; &amp; &#39;q&#39;"
        );
    }

    #[test]
    fn script_json_cannot_close_its_block() {
        let text = script_json(&json!(["</script><script>alert(1)</script>", "<!--"]));
        assert!(!text.contains('<'), "{text}");
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back[0], "</script><script>alert(1)</script>");
    }

    #[test]
    fn links_encode_as_encode_uri_component() {
        assert_eq!(
            pair_link("a b/ü.txt", "x&y=z#(1)", Some((false, 7))),
            "#pair=a%20b%2F%C3%BC.txt&x%26y%3Dz%23(1)&b=7"
        );
    }
}
