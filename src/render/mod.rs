//! Render stage: a [`Report`] in, text out. Renderers are siblings over the same value and never
//! compute findings of their own.

pub mod check;
pub mod html;
pub mod human;
pub mod side_by_side;

use std::io::{self, Write};

use crate::report::Report;

/// Writes the report as pretty-printed JSON (the schema is in `docs/report-schema.md`).
pub fn json(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, report).map_err(io::Error::other)?;
    writeln!(out)
}

/// Terminal styles; all empty when colour is off.
#[derive(Debug, Clone, Copy)]
pub struct Palette {
    /// Document ids and headings.
    pub strong: &'static str,
    /// Line numbers and secondary text.
    pub dim: &'static str,
    /// Similarities and good news.
    pub good: &'static str,
    /// Warnings.
    pub warn: &'static str,
    /// Resets every style.
    pub reset: &'static str,
}

impl Palette {
    /// ANSI colours.
    pub const COLOR: Palette = Palette {
        strong: "\x1b[1m",
        dim: "\x1b[2m",
        good: "\x1b[32m",
        warn: "\x1b[33m",
        reset: "\x1b[0m",
    };

    /// No styling at all.
    pub const PLAIN: Palette = Palette {
        strong: "",
        dim: "",
        good: "",
        warn: "",
        reset: "",
    };
}
