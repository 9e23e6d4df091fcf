//! Integration tests: the real `crosscheck` binary on fixtures, one module per area.

mod util;

mod bad_input;
mod check;
mod diff;
mod formats;
mod hostile;
mod html;
mod properties;
mod report;
mod spill;
mod stages;
