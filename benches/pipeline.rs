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
}

criterion_group!(benches, stages);
criterion_main!(benches);
