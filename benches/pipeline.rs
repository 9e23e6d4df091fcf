//! One benchmark per pipeline stage, on the bundled seed articles.
//!
//! `cargo bench` runs them all; `cargo bench -- align` one group. Throughput is reported in
//! bytes of article text, so stages compare with each other and with reading speed.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use crosscheck::align::{AlignOptions, Profile, Weights, align};
use crosscheck::chrome::{ChromeOptions, detect};
use crosscheck::index::{IndexOptions, candidates, sign};
use crosscheck::ingest::{Document, IngestOptions, ingest};
use crosscheck::text::analyze;
use crosscheck::{Options, report_documents};

fn seeds() -> Vec<Document> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds");
    ingest(&[root], &IngestOptions::default())
        .expect("the seeds are there")
        .documents
}

fn bytes(documents: &[Document]) -> u64 {
    documents.iter().map(|d| d.text.len() as u64).sum()
}

fn stages(c: &mut Criterion) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/seeds");
    let documents = seeds();
    let size = bytes(&documents);

    let mut group = c.benchmark_group("stages");
    group.throughput(Throughput::Bytes(size));
    group.bench_function("ingest", |b| {
        b.iter(|| ingest(std::slice::from_ref(&root), &IngestOptions::default()))
    });
    group.bench_function("chrome", |b| {
        b.iter(|| detect(&documents, &ChromeOptions::default()))
    });
    let chrome = detect(&documents, &ChromeOptions::default());
    let analyze_all = || -> Vec<_> {
        documents
            .iter()
            .zip(&chrome)
            .map(|(d, c)| {
                analyze(
                    d.line_texts()
                        .enumerate()
                        .map(|(i, l)| (l, !c.is_chrome(i))),
                )
            })
            .collect()
    };
    group.bench_function("tokenize", |b| b.iter(analyze_all));
    let analyses = analyze_all();
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
    // Claim extraction reads each body sentence, as the report does.
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
        b.iter(|| report_documents(documents.clone(), Vec::new(), &Options::default()))
    });
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

    // What verification makes of each document of a candidate pair before aligning it.
    let mut group = c.benchmark_group("profile");
    group.throughput(Throughput::Bytes(
        documents.iter().map(|d| d.text.len() as u64).sum(),
    ));
    group.bench_function("seeds", |b| {
        b.iter(|| {
            analyses
                .iter()
                .map(|a| Profile::new(a, &weights))
                .collect::<Vec<_>>()
        })
    });
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

criterion_group!(benches, stages, diff);
criterion_main!(benches);
