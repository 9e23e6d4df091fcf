//! One benchmark per pipeline stage, on one core: on the bundled seed articles (group
//! `stages`), and on the first records of a JSONL corpus (group `corpus`: Reuters-21578 from
//! ../shared, or `CROSSCHECK_BENCH_CORPUS`; `CROSSCHECK_BENCH_DOCUMENTS` records, 2,000 unless
//! set).
//!
//! `cargo bench` runs them all; `cargo bench -- align` one group. Throughput is reported in
//! bytes of article text (the whole group's, for every stage), so stages compare with each
//! other and with reading speed, and a stage's share of the pipeline is its time over the
//! group's `report`.

use std::path::{Path, PathBuf};
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{BenchmarkGroup, Criterion, Throughput, criterion_group, criterion_main};
use crosscheck::align::{AlignOptions, Profile, Weights, align};
use crosscheck::chrome::{Chrome, ChromeOptions, detect};
use crosscheck::index::{IndexOptions, candidates, sign};
use crosscheck::ingest::{Document, IngestOptions, ingest, read_jsonl_from};
use crosscheck::text::{Analysis, analyze_document};
use crosscheck::{Options, report_documents};

/// Records of the corpus the `corpus` group reads, unless `CROSSCHECK_BENCH_DOCUMENTS` says.
const CORPUS_RECORDS: usize = 2_000;

/// Every bench on one thread, so that a figure is a core's: the stages that run in parallel
/// would otherwise show this machine's core count. Rayon takes the first setting made.
fn one_core() {
    let _ = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build_global();
}

fn seeds() -> Vec<Document> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds");
    ingest(&[root], &IngestOptions::default())
        .expect("the seeds are there")
        .documents
}

fn bytes(documents: &[Document]) -> u64 {
    documents.iter().map(|d| d.text.len() as u64).sum()
}

/// The `corpus` group's input: its path, its first records as raw JSONL, and the documents
/// they hold. `None`, with the reason on stderr, when there is none to read.
fn corpus_sample() -> Option<(PathBuf, Vec<u8>, Vec<Document>)> {
    let path = std::env::var_os("CROSSCHECK_BENCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora/reuters21578.jsonl")
        });
    let records = match std::env::var("CROSSCHECK_BENCH_DOCUMENTS") {
        Err(_) => CORPUS_RECORDS,
        Ok(n) => match n.parse::<usize>() {
            Ok(n) if n > 0 => n,
            _ => {
                eprintln!(
                    "corpus: CROSSCHECK_BENCH_DOCUMENTS={n:?} is not a positive number; group skipped"
                );
                return None;
            }
        },
    };
    let text = match std::fs::read(&path) {
        Ok(text) => text,
        Err(error) => {
            eprintln!(
                "corpus: cannot read {} ({error}); group skipped",
                path.display()
            );
            return None;
        }
    };
    // The first `records` lines, each with its newline.
    let end = text
        .iter()
        .enumerate()
        .filter(|&(_, &b)| b == b'\n')
        .nth(records - 1)
        .map_or(text.len(), |(at, _)| at + 1);
    let jsonl = text[..end].to_vec();
    let mut warnings = Vec::new();
    let documents = read_jsonl_from(&jsonl[..], &path, &IngestOptions::default(), &mut warnings);
    eprintln!(
        "corpus: {} documents, {:.1} MB of text, from the first {} lines of {} ({} warnings)",
        documents.len(),
        bytes(&documents) as f64 / 1e6,
        jsonl.iter().filter(|&&b| b == b'\n').count(),
        path.display(),
        warnings.len()
    );
    (!documents.is_empty()).then_some((path, jsonl, documents))
}

/// Each document's sentences and tokens, its chrome lines (`chrome`) left out.
fn analyses_of(documents: &[Document], chrome: &[Chrome]) -> Vec<Analysis> {
    documents
        .iter()
        .zip(chrome)
        .map(|(d, c)| analyze_document(d, c))
        .collect()
}

/// The stages after reading, each over all of `documents`: chrome, tokenizing, signing,
/// candidate search, verification (profiles, then the alignment of every candidate pair),
/// claim extraction, and the whole report in process. Gives back the documents' analyses.
fn pipeline(
    group: &mut BenchmarkGroup<'_, WallTime>,
    name: &str,
    documents: &[Document],
) -> Vec<Analysis> {
    group.bench_function("chrome", |b| {
        b.iter(|| detect(documents, &ChromeOptions::default()))
    });
    let chrome = detect(documents, &ChromeOptions::default());
    group.bench_function("tokenize", |b| b.iter(|| analyses_of(documents, &chrome)));
    let analyses = analyses_of(documents, &chrome);
    group.bench_function("sign", |b| {
        b.iter(|| {
            analyses
                .iter()
                .map(|a| sign(&a.tokens, 3))
                .collect::<Vec<_>>()
        })
    });
    let signatures: Vec<_> = analyses.iter().map(|a| sign(&a.tokens, 3)).collect();
    group.bench_function("candidates", |b| {
        b.iter(|| candidates(&signatures, &IndexOptions::default()))
    });
    // Verification: what it makes of each document of a candidate pair before aligning it
    // (here every document's), then each pair's alignment.
    let (pairs, _) = candidates(&signatures, &IndexOptions::default());
    let weights = Weights::from_analyses(&analyses);
    let profiles_of =
        || -> Vec<Profile> { analyses.iter().map(|a| Profile::new(a, &weights)).collect() };
    group.bench_function("profile", |b| b.iter(profiles_of));
    let profiles = profiles_of();
    eprintln!(
        "{name}: {} documents; candidate pairs aligned: {}",
        documents.len(),
        pairs.len()
    );
    group.bench_function("align", |b| {
        b.iter(|| {
            pairs
                .iter()
                .map(|p| {
                    align(
                        &profiles[p.a as usize],
                        &profiles[p.b as usize],
                        &AlignOptions::default(),
                    )
                    .pairs
                    .len()
                })
                .sum::<usize>()
        })
    });
    // Claim extraction on every body sentence: more than the report asks of it (sentences with
    // a figure and a rare name, and the passages of full duplicates), so the figure is a rate.
    let sentences: Vec<String> = documents
        .iter()
        .zip(&analyses)
        .flat_map(|(d, a)| a.sentences.iter().map(|s| s.text(|i| d.line(i))))
        .collect();
    group.bench_function("claims", |b| {
        b.iter(|| {
            sentences
                .iter()
                .map(|s| crosscheck::claims::extract(s).len())
                .sum::<usize>()
        })
    });
    group.bench_function("report", |b| {
        b.iter(|| report_documents(documents.to_vec(), Vec::new(), &Options::default()))
    });
    analyses
}

fn stages(c: &mut Criterion) {
    one_core();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds");
    let documents = seeds();
    let size = bytes(&documents);

    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Bytes(size));
    group.bench_function("ingest", |b| {
        b.iter(|| ingest(std::slice::from_ref(&root), &IngestOptions::default()))
    });
    let analyses = pipeline(&mut group, "stages", &documents);
    group.finish();

    // The one real pair: 002 (spun) against 004 (wrapped), 1,300 body words each.
    let weights = Weights::from_analyses(&analyses);
    let spun = Profile::new(&analyses[2], &weights);
    let wrapped = Profile::new(&analyses[4], &weights);
    let mut group = c.benchmark_group("align");
    group.throughput(Throughput::Bytes(
        (documents[2].text.len() + documents[4].text.len()) as u64,
    ));
    group.bench_function("002-004", |b| {
        b.iter(|| align(&spun, &wrapped, &AlignOptions::default()))
    });
    group.finish();
}

/// The stages on thousands of real news stories: candidate search and alignment only show
/// their cost among many documents, and claims and chrome on text the seeds do not hold.
fn corpus(c: &mut Criterion) {
    one_core();
    let Some((path, jsonl, documents)) = corpus_sample() else {
        return;
    };
    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::Bytes(bytes(&documents)));
    // Ten runs of the whole report take more than criterion's five seconds.
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("ingest", |b| {
        b.iter(|| {
            read_jsonl_from(
                &jsonl[..],
                &path,
                &IngestOptions::default(),
                &mut Vec::new(),
            )
        })
    });
    pipeline(&mut group, "corpus", &documents);
    group.finish();
}

/// A deterministic article of about `words` words from the seeds' vocabulary, and a copy with
/// a fifth of its words swapped and a few sentences dropped: what `diff` meets in practice.
fn article_pair(vocabulary: &[&str], words: usize) -> (Document, Document) {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move |n: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % n as u64) as usize
    };
    let (mut original, mut copy) = (String::new(), String::new());
    let mut written = 0;
    let mut sentence = 0;
    while written < words {
        let length = 12 + next(14);
        let mut a = Vec::with_capacity(length);
        let mut b = Vec::with_capacity(length);
        for _ in 0..length {
            let word = vocabulary[next(vocabulary.len())];
            a.push(word);
            b.push(if next(5) == 0 {
                vocabulary[next(vocabulary.len())]
            } else {
                word
            });
        }
        written += length;
        sentence += 1;
        let separator = if sentence % 3 == 0 { ".\n\n" } else { ". " };
        original.push_str(&a.join(" "));
        original.push_str(separator);
        if next(20) != 0 {
            copy.push_str(&b.join(" "));
            copy.push_str(separator);
        }
    }
    (
        Document::from_text("a", "a.txt", &original),
        Document::from_text("b", "b.txt", &copy),
    )
}

fn diff(c: &mut Criterion) {
    let documents = seeds();
    let vocabulary: Vec<&str> = documents
        .iter()
        .flat_map(|d| d.text.split_whitespace())
        .filter(|w| w.chars().all(char::is_alphanumeric))
        .collect();
    let mut group = c.benchmark_group("diff");
    for words in [5_000, 100_000] {
        let (a, b) = article_pair(&vocabulary, words);
        group.throughput(Throughput::Bytes((a.text.len() + b.text.len()) as u64));
        if words > 10_000 {
            group.sample_size(10);
        }
        group.bench_function(format!("compare-{words}-words"), |bench| {
            bench.iter(|| crosscheck::compare(&a, &b, &Options::default()))
        });
    }
    group.finish();
}

criterion_group!(benches, stages, corpus, diff);
criterion_main!(benches);
