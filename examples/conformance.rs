//! Conformance runner: crosscheck's number extraction against Microsoft Recognizers-Text's
//! English specifications (NumberModel, NumberRangeModel, PercentModel, CurrencyModel).
//!
//!   cargo run --release --example conformance -- DIR [--floor MODEL=RATE]... [--failures]
//!
//! DIR holds the four JSON spec files. A case passes when crosscheck finds exactly the expected
//! results, in order: the same text (case and spacing aside) and the same value (relative
//! tolerance 1e-6); for currency, the same unit; for ranges, the same finite end points.
//! Every case is run. Cases listed in `examples/conformance-exclusions.toml`, each with its
//! reason, are counted apart: the runner prints the pass rate over all cases and over the
//! cases not listed, names any listed case that now passes, and exits 1 when the second rate
//! of a file is below its --floor (a share, e.g. NumberModel=0.95).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crosscheck::claims::{ClaimKind, extract, numbers};
use serde_json::Value;

struct Outcome {
    passed: usize,
    total: usize,
    /// Listed cases, and how many of them pass.
    excluded: usize,
    excluded_passing: Vec<String>,
    failures: Vec<String>,
}

/// A case crosscheck does not aim to pass, and why.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Exclusion {
    model: String,
    #[serde(default)]
    input: Option<String>,
    #[serde(default)]
    starts_with: Option<String>,
    reason: String,
}

#[derive(serde::Deserialize)]
struct Exclusions {
    exclude: Vec<Exclusion>,
}

impl Exclusion {
    fn covers(&self, model: &str, input: &str) -> bool {
        self.model == model
            && (self.input.as_deref() == Some(input)
                || self
                    .starts_with
                    .as_deref()
                    .is_some_and(|p| input.starts_with(p)))
    }
}

fn exclusions() -> Vec<Exclusion> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/conformance-exclusions.toml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let list: Exclusions =
        toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for e in &list.exclude {
        assert!(
            !e.reason.trim().is_empty() && (e.input.is_some() != e.starts_with.is_some()),
            "{}: every exclusion names one input and gives a reason",
            path.display()
        );
    }
    list.exclude
}

fn same_text(a: &str, b: &str) -> bool {
    let squeeze = |s: &str| {
        s.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_lowercase()
    };
    squeeze(a) == squeeze(b)
}

fn same_value(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * a.abs().max(b.abs()).max(1.0)
}

/// "[20,30)", "(30,)", "(,700]" -> (Some(20), Some(30)), ...
fn interval(text: &str) -> (Option<f64>, Option<f64>) {
    let inner = text.trim_matches(|c| matches!(c, '[' | ']' | '(' | ')'));
    let (low, high) = inner.split_once(',').unwrap_or((inner, inner));
    (low.trim().parse().ok(), high.trim().parse().ok())
}

/// What crosscheck finds in one input, as (text, value, unit) for the model at hand.
fn found(model: &str, input: &str) -> Vec<(String, Value, Option<String>)> {
    match model {
        "NumberModel" => numbers(input)
            .into_iter()
            .map(|((a, b), v)| (input[a..b].to_string(), Value::from(v), None))
            .collect(),
        _ => extract(input)
            .into_iter()
            .filter(|c| match model {
                "PercentModel" => c.kind == ClaimKind::Percent,
                "CurrencyModel" => c.kind == ClaimKind::Money,
                "NumberRangeModel" => c.qualifier.is_some() || c.low != c.high,
                _ => false,
            })
            .map(|c| {
                // Percentages and amounts are judged as stated, without their qualifier.
                let (text, stated) = if model == "NumberRangeModel" {
                    (c.text.clone(), c.low)
                } else {
                    (
                        input[c.amount_span.0..c.amount_span.1].to_string(),
                        c.stated,
                    )
                };
                let value = if model == "NumberRangeModel" {
                    let end = |x: f64| {
                        if x.is_finite() && x != 0.0 {
                            Value::from(x)
                        } else {
                            Value::Null
                        }
                    };
                    Value::from(vec![end(c.low), end(c.high)])
                } else {
                    Value::from(stated)
                };
                (text, value, c.unit)
            })
            .collect(),
    }
}

fn matches(model: &str, expected: &Value, got: &(String, Value, Option<String>)) -> bool {
    if !same_text(expected["Text"].as_str().unwrap_or(""), &got.0) {
        return false;
    }
    let resolution = &expected["Resolution"];
    let value = resolution["value"].as_str().unwrap_or("");
    match model {
        "NumberRangeModel" => {
            let (low, high) = interval(value);
            let ends = got.1.as_array().cloned().unwrap_or_default();
            let close = |e: Option<f64>, g: Option<&Value>| match (e, g.and_then(Value::as_f64)) {
                (Some(e), Some(g)) => (e - g).abs() <= 1e-6 * e.abs().max(1.0) + 1e-6,
                (None, None) => true,
                (Some(e), None) => e == 0.0,
                _ => false,
            };
            close(low, ends.first()) && close(high, ends.get(1))
        }
        _ => {
            let expected: Option<f64> = value.trim_end_matches('%').parse().ok();
            let same = match (expected, got.1.as_f64()) {
                (Some(e), Some(g)) => same_value(e, g),
                _ => false,
            };
            let unit_ok =
                model != "CurrencyModel" || resolution["unit"].as_str() == got.2.as_deref();
            same && unit_ok
        }
    }
}

fn run(path: &Path, model: &str, excluded: &[Exclusion]) -> Outcome {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let cases: Vec<Value> =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut outcome = Outcome {
        passed: 0,
        total: 0,
        excluded: 0,
        excluded_passing: Vec::new(),
        failures: Vec::new(),
    };
    for case in &cases {
        let input = case["Input"].as_str().unwrap_or("");
        let expected = case["Results"].as_array().cloned().unwrap_or_default();
        let got = found(model, input);
        let pass = expected.len() == got.len()
            && expected.iter().zip(&got).all(|(e, g)| matches(model, e, g));
        outcome.total += 1;
        if excluded.iter().any(|e| e.covers(model, input)) {
            outcome.excluded += 1;
            if pass {
                outcome.passed += 1;
                outcome.excluded_passing.push(input.to_string());
            }
            continue;
        }
        if pass {
            outcome.passed += 1;
        } else {
            let want: Vec<String> = expected
                .iter()
                .map(|e| {
                    format!(
                        "{:?}={}",
                        e["Text"].as_str().unwrap_or(""),
                        e["Resolution"]["value"]
                    )
                })
                .collect();
            let have: Vec<String> = got.iter().map(|g| format!("{:?}={}", g.0, g.1)).collect();
            outcome.failures.push(format!(
                "{input:?}\n      want {want:?}\n      got  {have:?}"
            ));
        }
    }
    outcome
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first().map(PathBuf::from) else {
        eprintln!("usage: conformance DIR [--floor RATE] [--failures]");
        return ExitCode::from(2);
    };
    let floors: Vec<(String, f64)> = args
        .windows(2)
        .filter(|w| w[0] == "--floor")
        .filter_map(|w| {
            let (model, rate) = w[1].split_once('=')?;
            Some((model.to_string(), rate.parse().ok()?))
        })
        .collect();
    let show = args.iter().any(|a| a == "--failures");
    let excluded = exclusions();
    let mut below = false;
    for model in [
        "NumberModel",
        "NumberRangeModel",
        "PercentModel",
        "CurrencyModel",
    ] {
        let outcome = run(&dir.join(format!("{model}.json")), model, &excluded);
        let all = outcome.passed as f64 / outcome.total.max(1) as f64;
        let counted = outcome.total - outcome.excluded;
        let counted_passed = outcome.passed - outcome.excluded_passing.len();
        let rate = counted_passed as f64 / counted.max(1) as f64;
        println!(
            "{model:<18} {:>4}/{:<4} {:>5.1}% of all cases; {:>4}/{:<4} {:>5.1}% without the {} listed in conformance-exclusions.toml",
            outcome.passed,
            outcome.total,
            all * 100.0,
            counted_passed,
            counted,
            rate * 100.0,
            outcome.excluded,
        );
        for input in &outcome.excluded_passing {
            println!("    listed as excluded but passes now (take it off the list): {input:?}");
        }
        if show {
            for failure in &outcome.failures {
                println!("    {failure}");
            }
        }
        for (name, floor) in &floors {
            if name == model && rate < *floor {
                eprintln!(
                    "conformance: {model} at {:.1}% is below its floor of {:.1}%",
                    rate * 100.0,
                    floor * 100.0
                );
                below = true;
            }
        }
    }
    if below {
        return ExitCode::from(1);
    }
    ExitCode::SUCCESS
}
