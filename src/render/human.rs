//! The report for people: a summary line, each pair with its best passages, the clusters and
//! the warnings grouped by kind.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::Palette;
use crate::ingest::{Warning, WarningKind};
use crate::judge::Kind;
use crate::report::{Pair, Report};

/// Passages shown per pair; the JSON report has them all.
const PASSAGES_SHOWN: usize = 6;
/// Figures on one side only shown; the JSON report has them all.
const UNPAIRED_SHOWN: usize = 10;
/// Warnings shown per kind; the JSON report has them all.
const WARNINGS_SHOWN: usize = 5;

/// Writes the human-readable report.
pub fn render(report: &Report, palette: Palette, out: &mut dyn Write) -> io::Result<()> {
    let Palette {
        strong,
        dim,
        warn,
        reset,
        ..
    } = palette;
    let full = report.pairs.iter().filter(|p| p.kind == Kind::Full).count();
    let partial = report.pairs.len() - full;
    writeln!(
        out,
        "{strong}crosscheck{reset}: {} read, {} and {} in {}, {}",
        plural(report.documents.len(), "document"),
        plural(full, "duplicate pair"),
        plural(partial, "partial reuse"),
        plural(report.clusters.len(), "cluster"),
        plural(report.warnings.len(), "warning"),
    )?;
    if !report.pairs.is_empty() {
        writeln!(out)?;
    }
    for pair in &report.pairs {
        render_pair(pair, palette, out)?;
    }
    if !report.clusters.is_empty() {
        writeln!(out, "\n{strong}Clusters{reset}")?;
        for (n, cluster) in report.clusters.iter().enumerate() {
            let shown = cluster.members.len().min(MAX_CLUSTER_MEMBERS);
            let more = match cluster.members.len() - shown {
                0 => String::new(),
                rest => format!(", {dim}… and {rest} more (--format json lists all){reset}"),
            };
            writeln!(
                out,
                "  {}. {}{more}",
                n + 1,
                cluster.members[..shown].join(", ")
            )?;
            if let Some(original) = &cluster.original {
                writeln!(
                    out,
                    "     likely original: {strong}{original}{reset} {dim}({}){reset}",
                    cluster.evidence
                )?;
            }
        }
    }
    if !report.conflicts.is_empty() {
        writeln!(out, "\n{strong}Figures that disagree{reset}")?;
        for c in &report.conflicts {
            let across = match &c.evidence {
                Some(evidence) => format!(
                    "across articles, confidence {:.2}: {evidence}",
                    c.confidence
                ),
                None => format!("confidence {:.2}", c.confidence),
            };
            writeln!(
                out,
                "  {warn}{}:{}{reset} {:?} ({}) {dim}against{reset} {warn}{}:{}{reset} {:?} ({}) {dim}{across}{reset}",
                c.a.doc, c.a.line, c.a.text, c.a.value, c.b.doc, c.b.line, c.b.text, c.b.value,
            )?;
        }
    }
    if !report.unpaired_figures.is_empty() {
        writeln!(
            out,
            "\n{strong}Figures on one side only{reset} {dim}(in paired sentences; not conflicts){reset}"
        )?;
        for u in report.unpaired_figures.iter().take(UNPAIRED_SHOWN) {
            writeln!(
                out,
                "  {}:{} {:?} ({}) {dim}not in {}:{}{reset}",
                u.figure.doc, u.figure.line, u.figure.text, u.figure.value, u.other, u.other_line
            )?;
        }
        and_more(
            out,
            "  ",
            report.unpaired_figures.len(),
            UNPAIRED_SHOWN,
            "",
            palette,
        )?;
    }
    if !report.warnings.is_empty() {
        writeln!(out, "\n{warn}Warnings{reset}")?;
        render_warnings(&report.warnings, palette, out)?;
    }
    Ok(())
}

fn render_pair(pair: &Pair, palette: Palette, out: &mut dyn Write) -> io::Result<()> {
    let Palette {
        strong,
        dim,
        good,
        reset,
        ..
    } = palette;
    let kind = match pair.kind {
        Kind::Full => "full duplicate",
        Kind::Partial => "partial reuse",
    };
    writeln!(out, "{strong}{}{reset} ≈ {strong}{}{reset}", pair.a, pair.b)?;
    writeln!(
        out,
        "  {kind} · similarity {good}{:.2}{reset} · matched passages cover {:.0}% of a, {:.0}% of b",
        pair.similarity,
        pair.coverage_a * 100.0,
        pair.coverage_b * 100.0
    )?;
    for passage in pair.passages.iter().take(PASSAGES_SHOWN) {
        let moved = if passage.moved { " (moved)" } else { "" };
        writeln!(
            out,
            "    {dim}a{reset} {:<15} {dim}↔ b{reset} {:<15} {dim}{:.2}{moved}{reset}",
            lines(passage.a_lines),
            lines(passage.b_lines),
            passage.similarity
        )?;
    }
    and_more(
        out,
        "    ",
        pair.passages.len(),
        PASSAGES_SHOWN,
        "passages ",
        palette,
    )
}

fn render_warnings(warnings: &[Warning], palette: Palette, out: &mut dyn Write) -> io::Result<()> {
    let mut by_kind: BTreeMap<WarningKind, Vec<&Warning>> = BTreeMap::new();
    for w in warnings {
        by_kind.entry(w.kind).or_default().push(w);
    }
    for list in by_kind.values() {
        for w in list.iter().take(WARNINGS_SHOWN) {
            writeln!(out, "  {}warning{}: {w}", palette.warn, palette.reset)?;
        }
        let kind = serde_json::to_value(list[0].kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let what = format!("{kind} warnings ");
        and_more(out, "  ", list.len(), WARNINGS_SHOWN, &what, palette)?;
    }
    Ok(())
}

/// "… and 8 more passages (--format json lists all)", when `total` is more than was `shown`.
/// Members of a cluster named in the human report; a cluster of thousands of identical files
/// would otherwise print them all on one line.
const MAX_CLUSTER_MEMBERS: usize = 20;

fn and_more(
    out: &mut dyn Write,
    indent: &str,
    total: usize,
    shown: usize,
    what: &str,
    palette: Palette,
) -> io::Result<()> {
    if total > shown {
        writeln!(
            out,
            "{indent}{}… and {} more {what}(--format json lists all){}",
            palette.dim,
            total - shown,
            palette.reset
        )?;
    }
    Ok(())
}

fn lines([first, last]: [u32; 2]) -> String {
    if first == last {
        format!("line {first}")
    } else {
        format!("lines {first}-{last}")
    }
}

fn plural(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Document;
    use crate::{Options, report_documents};

    fn render_plain(report: &Report) -> String {
        let mut out = Vec::new();
        render(report, Palette::PLAIN, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn an_empty_collection_says_so_in_one_line() {
        let report = report_documents(Vec::new(), Vec::new(), &Options::default());
        assert_eq!(
            render_plain(&report),
            "crosscheck: 0 documents read, 0 duplicate pairs and 0 partial reuses in 0 clusters, 0 warnings\n"
        );
    }

    #[test]
    fn warnings_are_grouped_by_kind_and_capped() {
        let warnings: Vec<Warning> = (0..8)
            .map(|i| Warning {
                path: "corpus.jsonl".into(),
                line: Some(i + 1),
                kind: WarningKind::Empty,
                message: "empty text; skipped".into(),
            })
            .collect();
        let docs = vec![Document::from_text("a", "a.txt", "Some text here.")];
        let text = render_plain(&report_documents(docs, warnings, &Options::default()));
        assert_eq!(
            text.matches("warning: corpus.jsonl:").count(),
            WARNINGS_SHOWN
        );
        assert!(text.contains("… and 3 more empty warnings"), "{text}");
    }

    #[test]
    fn line_ranges_read_naturally() {
        assert_eq!(lines([4, 4]), "line 4");
        assert_eq!(lines([4, 9]), "lines 4-9");
        assert_eq!(plural(1, "cluster"), "1 cluster");
        assert_eq!(plural(3, "cluster"), "3 clusters");
    }
}
