//! Renderers for `crosscheck check`: human, JSON, GitHub workflow annotations, SARIF 2.1.0.

use std::io::{self, Write};

use serde_json::json;

use super::Palette;
use crate::check::{Finding, Outcome};
use crate::report::{DocumentSummary, Report};

/// SARIF rule id of a near-duplicate document; stable across versions.
pub const RULE_ID: &str = "CC0001";

/// Where one side of a finding stands in the files: path and [first, last] lines.
struct Place<'a> {
    path: &'a str,
    lines: [u32; 2],
}

/// Where document `id`'s matched passages lie: from the first matched line to the last (for a
/// JSONL record: the record's line).
fn place<'a>(report: &'a Report, finding: &Finding, id: &str) -> Place<'a> {
    let document: Option<&DocumentSummary> = report.documents.iter().find(|d| d.id == id);
    let path = document.map_or("", |d| d.path.as_str());
    if let Some(record) = document.and_then(|d| d.record) {
        let line = u32::try_from(record).unwrap_or(u32::MAX);
        return Place {
            path,
            lines: [line, line],
        };
    }
    let spans = finding.pair.passages.iter().map(|p| {
        if id == finding.pair.a {
            p.a_lines
        } else {
            p.b_lines
        }
    });
    let lines = spans
        .reduce(|x, y| [x[0].min(y[0]), x[1].max(y[1])])
        .unwrap_or([1, 1]);
    Place { path, lines }
}

fn lines([first, last]: [u32; 2]) -> String {
    if first == last {
        format!("{first}")
    } else {
        format!("{first}-{last}")
    }
}

/// The human report: a summary line, then each pair with its first matched lines, and how to
/// accept it.
pub fn human(
    report: &Report,
    outcome: &Outcome,
    threshold: f32,
    palette: Palette,
    out: &mut dyn Write,
) -> io::Result<()> {
    let Palette {
        strong,
        dim,
        warn,
        reset,
        ..
    } = palette;
    let verdict = if outcome.fails() { "fail" } else { "ok" };
    writeln!(
        out,
        "{strong}crosscheck check{reset}: {verdict}: {outcome} among {} documents (threshold {threshold:.2})",
        report.documents.len()
    )?;
    for finding in &outcome.findings {
        let copy = place(report, finding, &finding.duplicate);
        let original = place(report, finding, &finding.original);
        writeln!(
            out,
            "\n{warn}{}:{}{reset} duplicates {strong}{}:{}{reset}",
            copy.path,
            lines(copy.lines),
            original.path,
            lines(original.lines)
        )?;
        writeln!(
            out,
            "  similarity {:.2}, matched passages cover {:.0}% and {:.0}% ({} passages)",
            finding.pair.similarity,
            finding.pair.coverage_a * 100.0,
            finding.pair.coverage_b * 100.0,
            finding.pair.passages.len()
        )?;
        writeln!(
            out,
            "  {dim}to accept this pair, add to crosscheck.toml:{reset}"
        )?;
        writeln!(out, "  {dim}[[allow]]{reset}")?;
        writeln!(out, "  {dim}a = {:?}{reset}", finding.pair.a)?;
        writeln!(
            out,
            "  {dim}a_fingerprint = {:?}{reset}",
            finding.a_fingerprint
        )?;
        writeln!(out, "  {dim}b = {:?}{reset}", finding.pair.b)?;
        writeln!(
            out,
            "  {dim}b_fingerprint = {:?}{reset}",
            finding.b_fingerprint
        )?;
    }
    if !report.warnings.is_empty() {
        writeln!(out)?;
        for warning in &report.warnings {
            writeln!(out, "{warn}warning{reset}: {warning}")?;
        }
    }
    Ok(())
}

/// The JSON form: versioned, with every finding and the counts of accepted pairs.
pub fn json(
    report: &Report,
    outcome: &Outcome,
    threshold: f32,
    out: &mut dyn Write,
) -> io::Result<()> {
    let value = json!({
        "version": 1,
        "tool": report.tool,
        "threshold": (threshold as f64 * 1000.0).round() / 1000.0,
        "documents": report.documents.len(),
        "findings": outcome.findings,
        "allowed": outcome.allowed,
        "baselined": outcome.baselined,
        "warnings": report.warnings,
    });
    serde_json::to_writer_pretty(&mut *out, &value).map_err(io::Error::other)?;
    writeln!(out)
}

/// GitHub Actions workflow commands: one `::error` per finding, on the copy's matched lines.
pub fn github(report: &Report, outcome: &Outcome, out: &mut dyn Write) -> io::Result<()> {
    for finding in &outcome.findings {
        let copy = place(report, finding, &finding.duplicate);
        let original = place(report, finding, &finding.original);
        let message = format!(
            "{} duplicates {} (similarity {:.2}): lines {} match {}:{}",
            finding.duplicate,
            finding.original,
            finding.pair.similarity,
            lines(copy.lines),
            original.path,
            lines(original.lines)
        );
        writeln!(
            out,
            "::error file={},line={},endLine={},title={}::{}",
            escape_property(copy.path),
            copy.lines[0],
            copy.lines[1],
            escape_property(&format!("Near-duplicate of {}", finding.original)),
            escape_data(&message)
        )?;
    }
    for warning in &report.warnings {
        writeln!(
            out,
            "::warning file={}{}::{}",
            escape_property(&warning.path),
            warning
                .line
                .map(|l| format!(",line={l}"))
                .unwrap_or_default(),
            escape_data(&warning.message)
        )?;
    }
    Ok(())
}

/// Escapes a workflow command's message.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// SARIF 2.1.0: one result per finding, on the copy, with the other copy as a related location
/// linked from the message and a fingerprint computed from both documents' content.
pub fn sarif(
    report: &Report,
    outcome: &Outcome,
    threshold: f32,
    out: &mut dyn Write,
) -> io::Result<()> {
    let location = |place: &Place| {
        json!({
            "physicalLocation": {
                "artifactLocation": {"uri": uri(place.path)},
                "region": {"startLine": place.lines[0], "endLine": place.lines[1]}
            }
        })
    };
    let results: Vec<serde_json::Value> = outcome
        .findings
        .iter()
        .map(|finding| {
            let copy = place(report, finding, &finding.duplicate);
            let original = place(report, finding, &finding.original);
            let mut related = location(&original);
            related["id"] = json!(1);
            related["message"] = json!({"text": format!("the other copy: {}", finding.original)});
            json!({
                "ruleId": RULE_ID,
                "ruleIndex": 0,
                "level": "error",
                "message": {
                    "text": format!(
                        "This document duplicates [{}](1) (similarity {:.2}; matched passages cover {:.0}% and {:.0}%).",
                        finding.original,
                        finding.pair.similarity,
                        finding.pair.coverage_a * 100.0,
                        finding.pair.coverage_b * 100.0
                    )
                },
                "locations": [location(&copy)],
                "relatedLocations": [related],
                "partialFingerprints": {"crosscheckContent/v1": finding.content_fingerprint()},
                "properties": {
                    "similarity": (finding.pair.similarity as f64 * 1000.0).round() / 1000.0,
                    "duplicate": finding.duplicate,
                    "original": finding.original
                }
            })
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "crosscheck",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": [{
                        "id": RULE_ID,
                        "name": "NearDuplicateDocument",
                        "shortDescription": {"text": "A document is a near-duplicate of another in the collection."},
                        "fullDescription": {"text": format!(
                            "The document's body matches another's (sentence-aligned similarity at least {threshold:.2}), even where one copy was reworded or wrapped in page chrome."
                        )},
                        "defaultConfiguration": {"level": "error"},
                        "help": {"text": "Remove the copy, or accept the pair in crosscheck.toml's [[allow]] list (by ids and content fingerprints) or in a baseline."}
                    }]
                }
            },
            "results": results
        }]
    });
    serde_json::to_writer_pretty(&mut *out, &log).map_err(io::Error::other)?;
    writeln!(out)
}

/// A relative URI reference for a path: `/` separators, spaces and `%` escaped.
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len());
    for c in path.chars() {
        match c {
            '%' => out.push_str("%25"),
            ' ' => out.push_str("%20"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_commands_escape_their_values() {
        assert_eq!(escape_data("50% off\nnow"), "50%25 off%0Anow");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn uris_escape_what_a_uri_cannot_hold() {
        assert_eq!(uri("./my docs/50%#1.txt"), "my%20docs/50%25%231.txt");
    }
}
