//! The `crosscheck` command: parses flags, calls the library, maps the result to an exit code.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Parser, Subcommand, ValueEnum};
use crosscheck::corpus::SpillMode;
use crosscheck::render::side_by_side::{self, Styles as SideStyles};
use crosscheck::render::{self, Palette};
use crosscheck::{Options, Progress};

/// mimalloc rather than the system's allocator: a run makes and frees millions of small vectors
/// (tokens, sentences, postings) from two threads, and glibc's malloc spent some 6% of the
/// instructions and much of the system time of a million-document run (BENCHMARKS.md).
/// Built without its transparent-huge-page advice (the `no_thp` feature): on a machine whose
/// memory is fragmented by the page cache, the kernel compacts memory to find each huge page,
/// which cost Reuters-21578's indexing stage 0.4 s of system time against 0.05 s.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its `mimalloc.h`, the same in its versions 2 and 3; the
/// Rust bindings leave it out): how many milliseconds freed memory is kept before it goes back
/// to the kernel.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// How long freed memory is kept for reuse, where mimalloc's default is one second: a run frees
/// gigabytes between the blocks of its stages and takes them again a moment later, and memory
/// handed back came again as fresh pages the kernel had to zero. At a million documents that
/// was 6.4 million page faults and 69 s of system time in a 228 s run; kept 10 s, 1.9 million
/// and 40 s, the run 180 s, for a peak of 2,980 MiB against 2,424 (BENCHMARKS.md, "Session
/// 16"). A user's `MIMALLOC_PURGE_DELAY` still wins.
const PURGE_DELAY_MS: std::ffi::c_long = 10_000;

fn keep_freed_memory_a_while() {
    // SAFETY: stores a number in mimalloc's table of options, which it reads when it purges;
    // called before any thread but this one is started.
    unsafe { libmimalloc_sys::mi_option_set_default(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) }
}
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Find near-duplicate news articles, align their passages, flag numbers that disagree.
#[derive(Parser)]
#[command(name = "crosscheck", version, about, max_term_width = 100)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Report the near-duplicate articles in a collection, with their matching passages.
    Report(ReportArgs),
    /// Fail (exit 1) when a collection holds near-duplicate documents: a gate for CI.
    Check(CheckArgs),
    /// Show two articles side by side: what is the same, reworded, added, cut or moved.
    Diff(DiffArgs),
    /// Build or extend an index of a collection, to check new documents against it quickly.
    #[command(subcommand)]
    Index(IndexCommand),
    /// Show each document's lines with the ones judged page chrome marked, and why.
    Chrome(ChromeArgs),
    /// List the numbers each document states: value or interval, qualifier, unit, line.
    Claims(ClaimsArgs),
    /// Run one stage of `report` over a shard, in a run split over processes or machines; the
    /// stages share files in a work directory (docs/distributed.md). In order: lines and sketch
    /// (each shard), recurring, sign (each shard), pairs (each part), candidates, verify (each
    /// part), assemble.
    #[command(subcommand)]
    Stage(StageCommand),
}

#[derive(Subcommand)]
enum StageCommand {
    /// The short standalone lines of a shard's documents: the evidence of page chrome.
    Lines(ShardArgs),
    /// Sketches of a shard's documents that hold a line found in several (after lines).
    Sketch(ShardArgs),
    /// The lines that are page chrome, from every shard's lines and sketches.
    Recurring(StageSettings),
    /// Chrome, tokens and signatures of a shard's documents (after recurring).
    Sign(ShardArgs),
    /// The pair records of a part of the shingle hashes, over every signature (after sign).
    Pairs(PartArgs),
    /// The candidate pairs, from every part's pair records.
    Candidates(StageSettings),
    /// A part of the candidate pairs aligned and judged (after candidates).
    Verify(VerifyArgs),
    /// The report, from every stage's files: what `crosscheck report` gives.
    Assemble(AssembleArgs),
}

/// What every stage needs: the work directory, and the settings that shape the answers
/// (every stage of one run must be given the same ones).
#[derive(Args)]
struct StageSettings {
    /// The work directory the stages share.
    #[arg(long, value_name = "DIR")]
    work: PathBuf,

    /// Least similarity (0 to 1) for two documents to be reported as full duplicates.
    #[arg(long, value_name = "SIMILARITY", value_parser = parse_unit)]
    threshold: Option<f32>,

    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    spill: SpillArgs,
}

impl StageSettings {
    fn work(&self) -> anyhow::Result<(crosscheck::stages::work::Work, Options)> {
        let mut options = self.input.options()?;
        options.spill = self.spill.options();
        if let Some(threshold) = self.threshold {
            options.judge.duplicate_similarity = threshold;
        }
        let work = crosscheck::stages::work::Work::new(&self.work, &options)?;
        Ok((work, options))
    }
}

#[derive(Args)]
struct ShardArgs {
    /// Files, directories or JSONL corpora: the whole collection, the same for every stage.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Which documents: I/N takes every N-th from the I-th (0-based).
    #[arg(long, value_name = "I/N")]
    shard: crosscheck::stages::Shard,

    #[command(flatten)]
    settings: StageSettings,
}

#[derive(Args)]
struct PartArgs {
    /// Which shingles: I/N takes the I-th of N equal ranges of their hashes.
    #[arg(long, value_name = "I/N")]
    part: crosscheck::stages::Shard,

    #[command(flatten)]
    settings: StageSettings,
}

#[derive(Args)]
struct VerifyArgs {
    /// Files, directories or JSONL corpora: the whole collection, the same for every stage.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Which candidate pairs: I/N takes every N-th from the I-th.
    #[arg(long, value_name = "I/N")]
    part: crosscheck::stages::Shard,

    #[command(flatten)]
    settings: StageSettings,
}

#[derive(Args)]
struct AssembleArgs {
    /// Files, directories or JSONL corpora: the whole collection, the same for every stage.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    #[command(flatten)]
    out: OutputArgs,

    #[command(flatten)]
    settings: StageSettings,
}

#[derive(Args)]
struct ClaimsArgs {
    /// Files, directories or JSONL corpora.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    format: Format,

    #[command(flatten)]
    out: OutputArgs,

    #[command(flatten)]
    input: InputArgs,
}

#[derive(Args)]
struct CheckArgs {
    /// Files, directories (read recursively) or JSONL corpora to check.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    format: CheckFormat,

    /// The configuration file (default: crosscheck.toml in the checked folder or the nearest
    /// folder above it).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,

    /// Least similarity (0 to 1) for two documents to be near-duplicates [default: 0.42, or the
    /// configuration's "threshold"; chosen from the noisy-copy benchmark, see BENCHMARKS.md].
    #[arg(long, value_name = "SIMILARITY", value_parser = parse_unit)]
    threshold: Option<f32>,

    /// Report the findings but exit 0 anyway.
    #[arg(long)]
    exit_zero: bool,

    /// Pairs recorded in FILE do not fail the check; only new ones do.
    #[arg(long, value_name = "FILE")]
    baseline: Option<PathBuf>,

    /// Write the current findings to the --baseline file and exit 0.
    #[arg(long, requires = "baseline")]
    update_baseline: bool,

    /// Check only PATH... against this index (from crosscheck index build) and against each
    /// other, without reading the indexed collection. A document whose id is in the index is
    /// taken as a new version of it, not as a copy.
    #[arg(long, value_name = "INDEX")]
    against: Option<PathBuf>,

    /// Print how long each stage took to standard error, as `report --timings` does.
    #[arg(long)]
    timings: bool,

    #[command(flatten)]
    out: OutputArgs,

    #[command(flatten)]
    input: InputArgs,
}

#[derive(Subcommand)]
enum IndexCommand {
    /// Index every document under PATH... into one file (replacing it).
    Build {
        /// Files, directories or JSONL corpora.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// The index file to write.
        #[arg(short, long, value_name = "FILE")]
        output: PathBuf,
        /// Print how long each stage took to standard error, as `report --timings` does.
        #[arg(long)]
        timings: bool,
        #[command(flatten)]
        input: InputArgs,
    },
    /// Add the documents under PATH... to an existing index.
    Add {
        /// The index file.
        #[arg(value_name = "FILE")]
        index: PathBuf,
        /// Files, directories or JSONL corpora.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        /// Print how long each stage took to standard error, as `report --timings` does.
        #[arg(long)]
        timings: bool,
        #[command(flatten)]
        input: InputArgs,
    },
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    /// A readable list of findings.
    Human,
    /// The findings, versioned.
    Json,
    /// GitHub Actions workflow commands (::error annotations on the duplicate's lines).
    Github,
    /// SARIF 2.1.0, for code-scanning dashboards.
    Sarif,
}

#[derive(Args)]
struct DiffArgs {
    /// The first article: a .txt, .md or .html file, or one record of a JSONL corpus as
    /// corpus.jsonl#ID.
    #[arg(value_name = "A")]
    a: String,

    /// The second article, in any of the same forms.
    #[arg(value_name = "B")]
    b: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = DiffFormat::SideBySide)]
    format: DiffFormat,

    /// Total width in columns (default: the terminal's, or 120 when not a terminal).
    #[arg(long, value_name = "N")]
    width: Option<usize>,

    /// Show page chrome line by line instead of one collapsed line per run.
    #[arg(long)]
    show_boilerplate: bool,

    /// Exit with 1 when the articles differ (as diff does), 0 when they do not. Without colour,
    /// changed words are marked [-old-] and {+new+}.
    #[arg(long)]
    exit_code: bool,

    #[command(flatten)]
    out: OutputArgs,

    #[command(flatten)]
    input: InputArgs,
}

#[derive(Clone, Copy, ValueEnum)]
enum DiffFormat {
    /// Two columns.
    SideBySide,
    /// The rows, versioned (docs/diff-schema.md).
    Json,
}

#[derive(Args)]
struct ChromeArgs {
    /// Files, directories or JSONL corpora; the whole collection is evidence for each document.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Print only the chrome lines.
    #[arg(long)]
    only_chrome: bool,
}

#[derive(Args)]
struct ReportArgs {
    /// Files, directories (read recursively) or JSONL corpora (one {"id", "text"} object a line).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Human)]
    format: ReportFormat,

    #[command(flatten)]
    out: OutputArgs,

    #[command(flatten)]
    input: InputArgs,

    #[command(flatten)]
    spill: SpillArgs,

    /// Least similarity (0 to 1) for two documents to be reported as full duplicates.
    #[arg(long, value_name = "SIMILARITY", value_parser = parse_unit)]
    threshold: Option<f32>,

    /// Print how long each stage took to standard error, and (on Linux) the memory resident at
    /// its end, the high-water mark so far, and the user and system CPU time, page faults and
    /// bytes read and written it took.
    #[arg(long)]
    timings: bool,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    /// A readable summary.
    Human,
    /// The full report, versioned (docs/report-schema.md).
    Json,
}

#[derive(Clone, Copy, ValueEnum)]
enum ReportFormat {
    /// A readable summary.
    Human,
    /// The full report, versioned (docs/report-schema.md).
    Json,
    /// One self-contained page: tables, and each pair side by side (use with -o FILE).
    Html,
}

#[derive(Clone, Copy, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// How to read the input, and the limits that bound the work; the same for every command that
/// reads a collection.
#[derive(Args)]
struct InputArgs {
    /// Largest file (or JSONL record) to read, in bytes; K, M and G suffixes are powers of 1024.
    /// Larger ones are skipped with a warning, without being read.
    #[arg(long, value_name = "SIZE", default_value = "64M", value_parser = parse_size, help_heading = "Limits")]
    max_file_size: u64,

    /// Most words of a document to compare; the rest of a longer one is cut off, with a warning.
    #[arg(long, value_name = "N", default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..), help_heading = "Limits")]
    max_words: u64,

    /// Alignment work bound: a word found in more than N sentences of the other document is not
    /// used to pair sentences, so aligning two documents takes at most N steps a word.
    #[arg(long, value_name = "N", default_value_t = 64, value_parser = clap::value_parser!(u64).range(1..), help_heading = "Limits")]
    align_limit: u64,

    /// Worker threads [default: one per core]. Lookups in an index, which wait on the disk,
    /// run on eight times as many (64 at most).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..), help_heading = "Limits")]
    threads: Option<u64>,

    /// Skip files that are not valid UTF-8 instead of decoding them lossily, and exit with 2 if
    /// any file had a problem.
    #[arg(long)]
    strict: bool,

    /// Also read hidden files and files excluded by .gitignore or .ignore.
    #[arg(long)]
    no_ignore: bool,
}

/// Setting the collection aside on disk; only `report` reads collections this large.
#[derive(Args)]
struct SpillArgs {
    /// When to set the documents aside in a temporary file, reading each back when a stage
    /// needs it, instead of holding them all in memory: for a collection larger than memory.
    /// The report is the same either way.
    #[arg(long, value_enum, default_value_t = SpillChoice::Auto, help_heading = "Limits")]
    spill: SpillChoice,

    /// Directory of the spill files [default: the system's temporary directory]. They are
    /// deleted as soon as they are made, and gone when crosscheck exits.
    #[arg(long, value_name = "DIR", help_heading = "Limits")]
    spill_dir: Option<PathBuf>,
}

impl SpillArgs {
    fn options(&self) -> crosscheck::corpus::SpillOptions {
        crosscheck::corpus::SpillOptions {
            mode: match self.spill {
                SpillChoice::Auto => SpillMode::Auto,
                SpillChoice::Always => SpillMode::Always,
                SpillChoice::Never => SpillMode::Never,
            },
            dir: self.spill_dir.clone(),
        }
    }
}

#[derive(Clone, Copy, ValueEnum)]
enum SpillChoice {
    /// When the input is larger than 1 GiB, or than a twentieth of the memory available
    /// (held, a collection takes about ten times its size).
    Auto,
    /// Always.
    Always,
    /// Never: hold everything in memory.
    Never,
}

impl InputArgs {
    /// Sets up the worker threads and gives the options the flags ask for.
    fn options(&self) -> anyhow::Result<Options> {
        if let Some(threads) = self.threads {
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads as usize)
                .build_global()
                .context("setting up worker threads")?;
        }
        let mut options = Options::default();
        options.ingest.max_file_size = self.max_file_size;
        options.ingest.max_words = self.max_words as usize;
        options.align.max_postings = self.align_limit as usize;
        options.ingest.strict = self.strict;
        options.ingest.no_ignore = self.no_ignore;
        Ok(options)
    }

    /// Exit code 2 under --strict when the input had problems.
    fn strict_failure(&self, warnings: &[crosscheck::ingest::Warning]) -> Option<ExitCode> {
        (self.strict && !warnings.is_empty()).then(|| ExitCode::from(2))
    }
}

/// Where output goes and how it looks.
#[derive(Args)]
struct OutputArgs {
    /// Write the output to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// When to colour the output. NO_COLOR in the environment means never, unless "always".
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
}

impl OutputArgs {
    /// Whether to colour: the flag, then NO_COLOR, then whether output is a terminal.
    fn colour(&self) -> bool {
        let to_terminal = self.output.is_none() && io::stdout().is_terminal();
        match self.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                to_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
            }
        }
    }

    fn open(&self) -> anyhow::Result<Box<dyn Write>> {
        Ok(match &self.output {
            Some(path) => Box::new(BufWriter::new(
                File::create(path).with_context(|| format!("{}: cannot create", path.display()))?,
            )),
            None => Box::new(BufWriter::new(io::stdout().lock())),
        })
    }
}

fn main() -> ExitCode {
    keep_freed_memory_a_while();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            if is_broken_pipe(&error) {
                return ExitCode::SUCCESS;
            }
            eprintln!("crosscheck: {error:#}");
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Report(args) => report(args),
        Command::Check(args) => check(args),
        Command::Diff(args) => diff(args),
        Command::Index(command) => index(command),
        Command::Chrome(args) => chrome(args),
        Command::Claims(args) => claims(args),
        Command::Stage(command) => stage(command),
    }
}

fn stage(command: StageCommand) -> anyhow::Result<ExitCode> {
    use crosscheck::stages::Input;

    let read = |paths: &[PathBuf], options: &Options| -> anyhow::Result<Input> {
        Ok(Input::read(paths, options)?)
    };
    let written = match command {
        StageCommand::Lines(args) => {
            let (work, options) = args.settings.work()?;
            work.lines(&read(&args.paths, &options)?, args.shard)?
        }
        StageCommand::Sketch(args) => {
            let (work, options) = args.settings.work()?;
            work.sketch(&read(&args.paths, &options)?, args.shard)?
        }
        StageCommand::Recurring(settings) => settings.work()?.0.recurring()?,
        StageCommand::Sign(args) => {
            let (work, options) = args.settings.work()?;
            work.sign(&read(&args.paths, &options)?, args.shard)?
        }
        StageCommand::Pairs(args) => args.settings.work()?.0.pairs(args.part)?,
        StageCommand::Candidates(settings) => settings.work()?.0.candidates()?,
        StageCommand::Verify(args) => {
            let (work, options) = args.settings.work()?;
            work.verify(&read(&args.paths, &options)?, args.part)?
        }
        StageCommand::Assemble(args) => {
            let (work, options) = args.settings.work()?;
            let report = work.assemble(&read(&args.paths, &options)?)?;
            let mut out = args.out.open()?;
            match args.format {
                Format::Human => {
                    let palette = match args.out.colour() {
                        true => Palette::COLOR,
                        false => Palette::PLAIN,
                    };
                    render::human::render(&report, palette, &mut out)?
                }
                Format::Json => render::json(&report, &mut out)?,
            }
            out.flush()?;
            return Ok(args
                .settings
                .input
                .strict_failure(&report.warnings)
                .unwrap_or(ExitCode::SUCCESS));
        }
    };
    eprintln!("crosscheck: wrote {}", written.display());
    Ok(ExitCode::SUCCESS)
}

fn check(args: CheckArgs) -> anyhow::Result<ExitCode> {
    use crosscheck::check::{self as gate, Config};

    let config_path = args.config.clone().or_else(|| Config::find(&args.paths[0]));
    let config = match &config_path {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    let mut options = args.input.options()?;
    let threshold = args
        .threshold
        .or(config.threshold)
        .unwrap_or(options.judge.duplicate_similarity);
    options.judge.duplicate_similarity = threshold;
    if let Some(min_words) = config.min_words {
        options.index.min_words = min_words;
    }

    let progress = Bar::new();
    let report = match &args.against {
        Some(index) => {
            if !config.ignore.is_empty() {
                eprintln!("crosscheck: ignore globs are not applied with --against");
            }
            crosscheck::incremental::check_against(index, &args.paths, &options, &progress)?
        }
        None => {
            let mut ingested = crosscheck::ingest::ingest(&args.paths, &options.ingest)?;
            let ignore = config.ignore_set();
            let before = ingested.documents.len();
            ingested.documents.retain(|d| !ignore.is_match(&d.id));
            let ignored = before - ingested.documents.len();
            if ignored > 0 {
                eprintln!(
                    "crosscheck: {ignored} document{} ignored by {}",
                    if ignored == 1 { "" } else { "s" },
                    config_path
                        .as_ref()
                        .map_or("the configuration".to_string(), |p| p.display().to_string())
                );
            }
            crosscheck::report_documents_with(
                ingested.documents,
                ingested.warnings,
                &options,
                &progress,
            )
        }
    };
    let write_started = Instant::now();

    let baseline = match &args.baseline {
        Some(path) if path.exists() => gate::read_baseline(path)?,
        Some(path) if !args.update_baseline => {
            anyhow::bail!(
                "{}: no such baseline (--update-baseline writes one)",
                path.display()
            )
        }
        _ => Default::default(),
    };
    if args.update_baseline {
        let path = args.baseline.as_ref().expect("clap requires --baseline");
        let outcome = gate::check(&report, &config, &Default::default());
        let entries = outcome
            .findings
            .iter()
            .map(|f| f.baseline_entry())
            .collect();
        gate::write_baseline(path, &entries)?;
        eprintln!(
            "crosscheck: wrote {} pair{} to {}",
            entries.len(),
            if entries.len() == 1 { "" } else { "s" },
            path.display()
        );
        return Ok(ExitCode::SUCCESS);
    }
    let outcome = gate::check(&report, &config, &baseline);

    let palette = match args.out.colour() {
        true => Palette::COLOR,
        false => Palette::PLAIN,
    };
    let mut out = args.out.open()?;
    match args.format {
        CheckFormat::Human => {
            render::check::human(&report, &outcome, threshold, palette, &mut out)?
        }
        CheckFormat::Json => render::check::json(&report, &outcome, threshold, &mut out)?,
        CheckFormat::Github => render::check::github(&report, &outcome, &mut out)?,
        CheckFormat::Sarif => render::check::sarif(&report, &outcome, threshold, &mut out)?,
    }
    out.flush()?;
    if args.timings {
        progress.print_timings(Some(write_started.elapsed()));
    }
    if let Some(code) = args.input.strict_failure(&report.warnings) {
        return Ok(code);
    }
    Ok(if outcome.fails() && !args.exit_zero {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn index(command: IndexCommand) -> anyhow::Result<ExitCode> {
    let progress = Bar::new();
    let (added, file, input, timings) = match &command {
        IndexCommand::Build {
            paths,
            output,
            timings,
            input,
        } => (
            crosscheck::incremental::build(paths, output, &input.options()?, &progress)?,
            output,
            input,
            *timings,
        ),
        IndexCommand::Add {
            index,
            paths,
            timings,
            input,
        } => (
            crosscheck::incremental::add(index, paths, &input.options()?, &progress)?,
            index,
            input,
            *timings,
        ),
    };
    if timings {
        // Nothing is written after the index, whose writing the stages count.
        progress.print_timings(None);
    }
    if let Some(summary) = warning_summary(&added.warnings) {
        eprintln!("crosscheck: {summary}");
        for warning in added.warnings.iter().take(5) {
            eprintln!("crosscheck: warning: {warning}");
        }
    }
    eprintln!(
        "crosscheck: {} document{} indexed; {} now holds {}",
        added.documents,
        if added.documents == 1 { "" } else { "s" },
        file.display(),
        added.total
    );
    if let Some(regrouped) = added.regrouped {
        eprintln!(
            "crosscheck: the index's {} postings were regrouped from {} buckets into {}, as a \
             build of its size groups them",
            thousands(regrouped.postings),
            thousands(regrouped.from),
            thousands(regrouped.to)
        );
    }
    Ok(input
        .strict_failure(&added.warnings)
        .unwrap_or(ExitCode::SUCCESS))
}

/// `n` with its digits in groups of three: 369,600,903.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() * 4 / 3);
    for (k, digit) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn diff(args: DiffArgs) -> anyhow::Result<ExitCode> {
    let options = args.input.options()?;
    let a = load_one(&args.a, &options)?;
    let b = load_one(&args.b, &options)?;
    let comparison = crosscheck::compare(&a, &b, &options);
    let to_terminal = args.out.output.is_none() && io::stdout().is_terminal();
    let styles = match args.out.colour() {
        true => SideStyles::COLOR,
        false => SideStyles::PLAIN,
    };
    let width = args.width.unwrap_or_else(|| {
        terminal_size::terminal_size()
            .map(|(w, _)| w.0 as usize)
            .filter(|_| to_terminal)
            .unwrap_or(120)
    });
    let mut out = args.out.open()?;
    match args.format {
        DiffFormat::SideBySide => {
            side_by_side::render(&comparison, width, styles, args.show_boilerplate, &mut out)?
        }
        DiffFormat::Json => side_by_side::json(&comparison, &mut out)?,
    }
    out.flush()?;
    Ok(if args.exit_code && comparison.differs() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Reads one article: a file, or `corpus.jsonl#ID` for one record of a corpus.
fn load_one(spec: &str, options: &Options) -> anyhow::Result<crosscheck::ingest::Document> {
    let (path, id) = match spec.rsplit_once('#') {
        Some((path, id)) if Path::new(path).is_file() && !Path::new(spec).exists() => {
            (PathBuf::from(path), Some(id))
        }
        _ => (PathBuf::from(spec), None),
    };
    if Path::new(&path).is_dir() {
        anyhow::bail!(
            "{}: is a folder; diff compares two articles",
            path.display()
        );
    }
    let ingested = crosscheck::ingest::ingest(std::slice::from_ref(&path), &options.ingest)?;
    for warning in &ingested.warnings {
        eprintln!("crosscheck: warning: {warning}");
    }
    let mut documents = ingested.documents;
    match id {
        Some(id) => documents
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| anyhow::anyhow!("{}: no record with id {id:?}", path.display())),
        None if documents.len() == 1 => Ok(documents.remove(0)),
        None if documents.is_empty() => {
            anyhow::bail!("{}: no text to compare", path.display())
        }
        None => anyhow::bail!(
            "{}: holds {} records; name one as {}#ID",
            path.display(),
            documents.len(),
            path.display()
        ),
    }
}

fn claims(args: ClaimsArgs) -> anyhow::Result<ExitCode> {
    let options = args.input.options()?;
    let ingested = crosscheck::ingest::ingest(&args.paths, &options.ingest)?;
    let verdicts = crosscheck::chrome::detect(&ingested.documents, &options.chrome);
    let mut out = args.out.open()?;
    let mut rows = Vec::new();
    // Claims are read sentence by sentence, so that a figure and its qualifier wrapped onto two
    // lines ("more than\n40 pct") are read together; each is placed at its original line and
    // column.
    for (document, chrome) in ingested.documents.iter().zip(&verdicts) {
        let analysis = crosscheck::text::analyze_document(document, chrome);
        for sentence in &analysis.sentences {
            let (text, starts) = sentence.text_and_lines(|i| document.line(i));
            for claim in crosscheck::claims::extract(&text) {
                let k = starts
                    .partition_point(|&(offset, _)| offset <= claim.span.0)
                    .saturating_sub(1);
                let (offset, index) = starts[k];
                let content = document.line(index);
                let from = if index == sentence.start.0 as usize {
                    sentence.start.1 as usize
                } else {
                    0
                };
                let piece = content.get(from..).unwrap_or("");
                let lead = piece.len() - piece.trim_start().len();
                let byte = (from + lead + claim.span.0 - offset).min(content.len());
                let column = content.get(..byte).map_or(1, |p| p.chars().count() + 1);
                rows.push((
                    document.id.clone(),
                    document.lines[index].number,
                    column,
                    text.clone(),
                    claim,
                ));
            }
        }
    }
    match args.format {
        Format::Json => {
            let value: Vec<serde_json::Value> = rows
                .iter()
                .map(|(id, line, column, sentence, claim)| {
                    let mut v = serde_json::to_value(claim).unwrap_or_default();
                    v["document"] = id.clone().into();
                    v["line"] = (*line).into();
                    v["column"] = (*column).into();
                    v["sentence"] = sentence.clone().into();
                    v
                })
                .collect();
            let doc = serde_json::json!({"version": 1, "claims": value});
            serde_json::to_writer_pretty(&mut out, &doc)?;
            writeln!(out)?;
        }
        Format::Human => {
            // Each row starts with its place, `document:line:column` as compilers and grep
            // write it, padded to the widest so that the columns after it line up.
            let places: Vec<String> = rows
                .iter()
                .map(|(id, line, column, _, _)| format!("{id}:{line}:{column}"))
                .collect();
            let width = places.iter().map(|p| p.chars().count()).max().unwrap_or(0);
            for (place, (_, _, _, _, claim)) in places.iter().zip(&rows) {
                let value = claim.describe();
                writeln!(
                    out,
                    "{place:<width$}  {:<9} {:<24} {:<18} {}",
                    format!("{:?}", claim.kind).to_lowercase(),
                    value,
                    claim.unit.as_deref().unwrap_or(""),
                    claim.text
                )?;
            }
        }
    }
    for warning in &ingested.warnings {
        eprintln!("crosscheck: warning: {warning}");
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn chrome(args: ChromeArgs) -> anyhow::Result<ExitCode> {
    let options = Options::default();
    let ingested = crosscheck::ingest::ingest(&args.paths, &options.ingest)?;
    let verdicts = crosscheck::chrome::detect(&ingested.documents, &options.chrome);
    let mut out = BufWriter::new(io::stdout().lock());
    for (document, chrome) in ingested.documents.iter().zip(&verdicts) {
        writeln!(out, "== {} ({} chrome lines)", document.id, chrome.count())?;
        for (i, text) in document.line_texts().enumerate() {
            let number = document.lines[i].number;
            match chrome.reasons[i] {
                Some(reason) => writeln!(
                    out,
                    "{number:>5} {:<10} {text}",
                    format!("{reason:?}").to_lowercase()
                )?,
                None if !args.only_chrome => writeln!(out, "{number:>5} {:<10} {text}", "")?,
                None => {}
            }
        }
    }
    for warning in &ingested.warnings {
        eprintln!("crosscheck: warning: {warning}");
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn report(args: ReportArgs) -> anyhow::Result<ExitCode> {
    let mut options = args.input.options()?;
    options.spill = args.spill.options();
    if let Some(threshold) = args.threshold {
        options.judge.duplicate_similarity = threshold;
    }

    let progress = Bar::new();
    let (report, views) = match args.format {
        ReportFormat::Html => crosscheck::report_with_views(&args.paths, &options, &progress)?,
        _ => (
            crosscheck::report(&args.paths, &options, &progress)?,
            Vec::new(),
        ),
    };
    let write_started = Instant::now();

    let palette = match args.out.colour() {
        true => Palette::COLOR,
        false => Palette::PLAIN,
    };
    let mut out = args.out.open()?;
    match args.format {
        ReportFormat::Human => render::human::render(&report, palette, &mut out)?,
        ReportFormat::Json => render::json(&report, &mut out)?,
        ReportFormat::Html => render::html::render(&report, &views, &mut out)?,
    }
    out.flush()?;
    if args.timings {
        progress.print_timings(Some(write_started.elapsed()));
    }
    if args.out.output.is_some() || !matches!(args.format, ReportFormat::Human) {
        // The report went to a file or a machine: still tell a person about input problems.
        if let Some(summary) = warning_summary(&report.warnings) {
            eprintln!("crosscheck: {summary}; the report lists each one");
        }
    }
    Ok(args
        .input
        .strict_failure(&report.warnings)
        .unwrap_or(ExitCode::SUCCESS))
}

/// "3 warnings (2 empty, 1 binary)", or `None` when there are none.
fn warning_summary(warnings: &[crosscheck::ingest::Warning]) -> Option<String> {
    if warnings.is_empty() {
        return None;
    }
    let mut by_kind: std::collections::BTreeMap<String, usize> = Default::default();
    for w in warnings {
        let kind = serde_json::to_value(w.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        *by_kind.entry(kind).or_default() += 1;
    }
    let kinds: Vec<String> = by_kind.iter().map(|(k, n)| format!("{n} {k}")).collect();
    let noun = if warnings.len() == 1 {
        "warning"
    } else {
        "warnings"
    };
    Some(format!("{} {noun} ({})", warnings.len(), kinds.join(", ")))
}

/// A progress bar on standard error, drawn only when it is a terminal; it also clocks the
/// stages for `--timings`.
struct Bar {
    bar: ProgressBar,
    /// Each stage's name, when it started, and the memory and CPU used by then (the previous
    /// stage's end).
    stages: Mutex<Vec<(&'static str, Instant, Option<Usage>)>>,
}

/// Resident memory and its high-water mark, in bytes, as Linux reports them in
/// /proc/self/status, the CPU time and page faults so far (/proc/self/stat), and the bytes
/// read and written so far (/proc/self/io, where the system lets a process read it); `None`
/// elsewhere.
#[derive(Clone, Copy)]
struct Usage {
    resident: u64,
    high_water: u64,
    /// User and system CPU time, in clock ticks (USER_HZ, 100 a second on Linux). System
    /// time is mostly the kernel finding and zeroing pages for memory taken afresh, and
    /// copying the spill file's bytes into and out of the page cache.
    user: u64,
    system: u64,
    /// Minor page faults: pages of memory touched for the first time since the kernel gave
    /// them (or took them back).
    faults: u64,
    /// Bytes read and written through system calls (the input, the spill files, the report),
    /// whether or not they reached the disk.
    io: Option<(u64, u64)>,
}

impl Usage {
    fn now() -> Option<Usage> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let field = |name: &str| -> Option<u64> {
            let line = status.lines().find(|l| l.starts_with(name))?;
            let kb: u64 = line[name.len()..]
                .trim()
                .trim_end_matches("kB")
                .trim()
                .parse()
                .ok()?;
            Some(kb * 1024)
        };
        // The fields after the command's name, which ends at the last ')', counted from 0:
        // state is 0, minflt 7, utime 11, stime 12.
        let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
        let (_, fields) = stat.rsplit_once(')')?;
        let fields: Vec<&str> = fields.split_whitespace().collect();
        let number = |k: usize| -> Option<u64> { fields.get(k)?.parse().ok() };
        let io = std::fs::read_to_string("/proc/self/io")
            .ok()
            .and_then(|io| {
                let bytes = |name: &str| -> Option<u64> {
                    io.lines()
                        .find_map(|l| l.strip_prefix(name))?
                        .trim()
                        .parse()
                        .ok()
                };
                Some((bytes("rchar:")?, bytes("wchar:")?))
            });
        Some(Usage {
            resident: field("VmRSS:")?,
            high_water: field("VmHWM:")?,
            user: number(11)?,
            system: number(12)?,
            faults: number(7)?,
            io,
        })
    }

    /// The memory at the end of a stage that began with `start`, and the CPU time, page
    /// faults and input and output it took.
    fn describe(self, start: Option<Usage>) -> String {
        let cpu = start.map_or(String::new(), |start| {
            let ms = |ticks: u64, since: u64| ticks.saturating_sub(since) * 10;
            let io = match (self.io, start.io) {
                (Some((read, written)), Some((read_before, written_before))) => format!(
                    ", {:>6} MB read, {:>6} MB written",
                    read.saturating_sub(read_before) >> 20,
                    written.saturating_sub(written_before) >> 20
                ),
                _ => String::new(),
            };
            format!(
                ", CPU {:>7} ms user {:>6} ms system, {:>8} page faults{io}",
                ms(self.user, start.user),
                ms(self.system, start.system),
                self.faults.saturating_sub(start.faults)
            )
        });
        format!(
            "   resident {:>6} MB, high-water {:>6} MB{cpu}",
            self.resident >> 20,
            self.high_water >> 20
        )
    }
}

impl Bar {
    fn new() -> Self {
        let target = if io::stderr().is_terminal() {
            ProgressDrawTarget::stderr()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(None, target);
        bar.set_style(
            ProgressStyle::with_template("{prefix:>10} [{bar:30}] {pos}/{len} {elapsed}")
                .expect("a valid template")
                .progress_chars("=> "),
        );
        Bar {
            bar,
            stages: Mutex::new(Vec::new()),
        }
    }

    /// Each stage's time, then `writing`'s (the output written after the stages, if any), then
    /// the total.
    fn print_timings(&self, writing: Option<Duration>) {
        let stages = self.stages.lock().unwrap_or_else(|e| e.into_inner());
        let mut total = writing.unwrap_or_default();
        // The last entry marks the end of the last stage.
        for pair in stages.windows(2) {
            let ((name, started, before), (_, finished, after)) = (pair[0], pair[1]);
            let took = finished.duration_since(started);
            total += took;
            eprintln!(
                "crosscheck: {name:>10} {:>8.1} ms{}",
                took.as_secs_f64() * 1e3,
                after
                    .map(|usage| usage.describe(before))
                    .unwrap_or_default()
            );
        }
        if let Some(writing) = writing {
            eprintln!(
                "crosscheck: {:>10} {:>8.1} ms",
                "writing",
                writing.as_secs_f64() * 1e3
            );
        }
        eprintln!(
            "crosscheck: {:>10} {:>8.1} ms",
            "total",
            total.as_secs_f64() * 1e3
        );
    }
}

impl Progress for Bar {
    fn stage(&self, name: &'static str, total: u64) {
        self.stages.lock().unwrap_or_else(|e| e.into_inner()).push((
            name,
            Instant::now(),
            Usage::now(),
        ));
        self.bar.set_prefix(name);
        self.bar.set_length(total);
        self.bar.set_position(0);
    }

    fn advance(&self, n: u64) {
        self.bar.inc(n);
    }

    fn finish(&self) {
        self.stages.lock().unwrap_or_else(|e| e.into_inner()).push((
            "done",
            Instant::now(),
            Usage::now(),
        ));
        self.bar.finish_and_clear();
    }
}

fn parse_size(text: &str) -> Result<u64, String> {
    let text = text.trim();
    let (digits, shift) = match text.char_indices().last() {
        Some((i, 'k' | 'K')) => (&text[..i], 10),
        Some((i, 'm' | 'M')) => (&text[..i], 20),
        Some((i, 'g' | 'G')) => (&text[..i], 30),
        _ => (text, 0),
    };
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("{text:?} is not a size (e.g. 1048576, 512K, 64M, 2G)"))?;
    n.checked_mul(1 << shift)
        .ok_or_else(|| format!("{text:?} is too large"))
}

fn parse_unit(text: &str) -> Result<f32, String> {
    match text.parse::<f32>() {
        Ok(x) if (0.0..=1.0).contains(&x) => Ok(x),
        _ => Err(format!("{text:?} is not a number from 0 to 1")),
    }
}

fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_is_the_option_set() {
        // SAFETY: reads mimalloc's table of options.
        let get = || unsafe { libmimalloc_sys::mi_option_get(MI_OPTION_PURGE_DELAY) };
        if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
            // The number names the option mimalloc sets to a second: a mimalloc whose options
            // were renumbered (or whose default moved) fails here, to be looked at again.
            assert_eq!(get(), 1000);
            keep_freed_memory_a_while();
            assert_eq!(get(), PURGE_DELAY_MS);
        }
    }

    #[test]
    fn thousands_are_grouped_by_three() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(65_536), "65,536");
        assert_eq!(thousands(369_600_903), "369,600,903");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }
}
